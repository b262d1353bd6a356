// node_pg_test.mjs - drives `tarn serve` with node-postgres (`pg`, pinned in
// tools/node/package.json): simple queries, parameterized queries (the
// extended protocol), type parsing from the RowDescription OIDs, errors
// with SQLSTATE and position, a pool of concurrent clients, cancel through
// a statement_timeout.  Usage: node node_pg_test.mjs PORT
// Prints "ok N - what" / "not ok N - what: why"; exit 1 on a failure.
import { createRequire } from 'node:module'
const require = createRequire(new URL('../../tools/node/package.json', import.meta.url))
const pg = require('pg')

const port = Number(process.argv[2])
let n = 0, failed = 0
function check (ok, what, why = '') {
  n++
  if (ok) console.log(`ok ${n} - ${what}`)
  else { failed++; console.log(`not ok ${n} - ${what}: ${why}`) }
}

const cfg = { host: '127.0.0.1', port, user: 'node', database: 'lake', application_name: 'node_pg_test' }
const c = new pg.Client(cfg)
await c.connect()
check(true, 'connect')

let r = await c.query('select 1 as one, $$a$$ as s, 2.5::float8 as f, true as b, null::int as z')
check(r.rows[0].one === 1 && r.rows[0].s === 'a' && r.rows[0].f === 2.5 && r.rows[0].b === true && r.rows[0].z === null,
  'simple query; values typed by OID', JSON.stringify(r.rows))
check(r.fields[0].dataTypeID === 23 && r.fields[2].dataTypeID === 701, 'field type OIDs', JSON.stringify(r.fields))

await c.query('create table nt (id int, name text, d date, amount numeric(10,2))')
for (let i = 1; i <= 5; i++) {
  r = await c.query('insert into nt values ($1, $2, $3, $4)', [i, `n${i}`, `2024-01-0${i}`, `${i}.50`])
}
check(r.command === 'INSERT' && r.rowCount === 1, 'parameterized INSERT: command and rowCount', `${r.command} ${r.rowCount}`)
r = await c.query('select id, name, amount from nt where id >= $1 order by id', [3])
check(r.rowCount === 3 && r.rows[0].id === 3 && r.rows[2].name === 'n5' && r.rows[0].amount === '3.50',
  'parameterized SELECT', JSON.stringify(r.rows))
r = await c.query({ text: 'select count(*) as n from nt where name = $1', values: ['n2'], name: 'count_by_name' })
const r2 = await c.query({ text: 'select count(*) as n from nt where name = $1', values: ['zz'], name: 'count_by_name' })
check(r.rows[0].n === '1' && r2.rows[0].n === '0', 'named prepared statement reused', JSON.stringify([r.rows, r2.rows]))
r = await c.query({ text: 'select id, name from nt order by id', rowMode: 'array' })
check(r.rows.length === 5 && r.rows[4][1] === 'n5', 'rowMode array', JSON.stringify(r.rows))

try {
  await c.query('select nosuch from nt')
  check(false, 'error from a bad column')
} catch (e) {
  check(e.code === '42703' && e.position === '8' && e.severity === 'ERROR', 'error: code, position, severity',
    `${e.code} ${e.position} ${e.severity} ${e.message}`)
}
try {
  await c.query('select $1::int', ['nope'])
  check(false, 'error from a bad parameter')
} catch (e) {
  check(e.code === '22P02', 'bad parameter text: 22P02', `${e.code} ${e.message}`)
}
r = await c.query('select 42 as after')
check(r.rows[0].after === 42, 'client usable after errors')

await c.query('begin')
await c.query('insert into nt values (6, $1, null, null)', ['six'])
await c.query('commit')
r = await c.query('select count(*)::int as n from nt')
check(r.rows[0].n === 6, 'BEGIN / INSERT / COMMIT', JSON.stringify(r.rows))

const pool = new pg.Pool({ ...cfg, max: 8 })
const jobs = []
for (let i = 0; i < 24; i++) jobs.push(pool.query('select sum(i)::bigint as s from generate_series(1, $1::int) i', [1000 + i]))
const res = await Promise.all(jobs)
check(res.every((x, i) => x.rows[0].s === String((1000 + i) * (1001 + i) / 2)), 'pool of 8 clients, 24 queries at once',
  JSON.stringify(res.slice(0, 2).map(x => x.rows)))
await pool.end()

const t = new pg.Client({ ...cfg, statement_timeout: 300 })
await t.connect()
const t0 = Date.now()
try {
  await t.query('select count(*) from generate_series(1, 10000000000)')
  check(false, 'statement_timeout from the startup packet')
} catch (e) {
  check(e.code === '57014' && Date.now() - t0 < 20000, 'statement_timeout from the startup packet: 57014',
    `${e.code} ${e.message}`)
}
await t.end()
await c.end()
console.log(`node_pg_test: ${n} tests, ${failed} failed`)
process.exit(failed ? 1 : 0)
