// tests/sql/tpch/check.mjs - the 22 TPC-H queries (../shared/bench/tpch-queries/qNN.sql, run unmodified)
// through `tarn sql`, checked against DuckDB on the same Delta tables.
//
//   node tests/sql/tpch/check.mjs TARN_BIN LAKE [QUERY_NUMBER...]
//
// LAKE holds the tables `tarn tpch gen` writes (LAKE/tpch/<table>/);
// DuckDB reads their Parquet files (live files only: the tables are fresh,
// one commit each).  Rows are compared in order (every query has ORDER BY
// or returns one row); numbers within 1e-6 relative (+0.01 absolute, for
// numeric division scales).  Prints "ok   tpch qNN" / "FAIL tpch qNN: why"
// per query and "N passed, N failed" last.
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const req = createRequire(join(here, '../../../tools/node/package.json'))
const { DuckDBInstance } = req('@duckdb/node-api')
const [tarn, lake, ...only] = process.argv.slice(2)
const inst = await DuckDBInstance.create(':memory:')
const conn = await inst.connect()
for (const t of ['lineitem', 'orders', 'customer', 'part', 'partsupp', 'supplier', 'nation', 'region'])
  await conn.run(`CREATE VIEW ${t} AS SELECT * FROM read_parquet('${lake}/tpch/${t}/**/*.parquet')`)

function parseCsv(s) {
  const rows = []
  let row = [], cur = '', q = false, quoted = false
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]
    if (q) {
      if (ch === '"' && s[i + 1] === '"') { cur += '"'; i++ } else if (ch === '"') q = false; else cur += ch
    } else if (ch === '"') { q = true; quoted = true }
    else if (ch === ',') { row.push(quoted || cur !== '' ? cur : null); cur = ''; quoted = false }
    else if (ch === '\n') { row.push(quoted || cur !== '' ? cur : null); rows.push(row); row = []; cur = ''; quoted = false }
    else cur += ch
  }
  return rows.slice(1)
}

let passed = 0, failed = 0
for (let i = 1; i <= 22; i++) {
  if (only.length && !only.includes(String(i))) continue
  const name = `q${String(i).padStart(2, '0')}`
  const sql = readFileSync(join(here, '..', '..', '..', '..', 'shared', 'bench', 'tpch-queries', `${name}.sql`), 'utf8')
  const want = (await conn.runAndReadAll(sql)).getRowsJson()
  const r = spawnSync(tarn, ['sql', '--lake', lake, '--csv', '-c', 'SET search_path TO tpch; ' + sql], { encoding: 'utf8' })
  if (r.status !== 0) { console.log(`FAIL tpch ${name}: ${r.stderr.split('\n')[0]}`); failed++; continue }
  const got = parseCsv(r.stdout)
  let why = got.length === want.length ? '' : `${got.length} rows, DuckDB ${want.length}`
  for (let a = 0; !why && a < want.length; a++) for (let b = 0; !why && b < want[a].length; b++) {
    const d = want[a][b], t = got[a][b]
    if (d === null || t === null) { if (d !== t) why = `row ${a} col ${b}: ${t} vs ${d}`; continue }
    const dn = Number(d), tn = Number(t)
    const same = !isNaN(dn) && !isNaN(tn) && String(d).trim() !== '' ? Math.abs(dn - tn) <= 1e-6 * Math.max(1, Math.abs(dn)) + 0.01 : String(d) === t
    if (!same) why = `row ${a} col ${b}: ${t} vs DuckDB ${d}`
  }
  if (why) { console.log(`FAIL tpch ${name}: ${why}`); failed++ } else { console.log(`ok   tpch ${name}`); passed++ }
}
console.log(`${passed} passed, ${failed} failed`)
