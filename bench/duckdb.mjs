// bench/duckdb.mjs - DuckDB's half of the Parquet benchmark (bench/run.sh).
//
//   node bench/duckdb.mjs write SRC DST CODEC THREADS
//       COPY (FROM read_parquet(SRC)) TO DST (FORMAT parquet, COMPRESSION CODEC)
//   node bench/duckdb.mjs scan FILE THREADS
//       SELECT min(c1), ..., min(cN) FROM read_parquet(FILE)
//   node bench/duckdb.mjs version
//
// Prints "seconds S": the wall time of the statement alone, timed inside
// the process (DuckDB start-up and node start-up excluded, as bench_parquet
// excludes its process start-up), and for scan "min COLUMN VALUE" lines.
import { createRequire } from 'node:module'

const req = createRequire(new URL('../tools/node/package.json', import.meta.url))
const { DuckDBInstance } = req('@duckdb/node-api')

const [op, ...args] = process.argv.slice(2)
const q = s => `'${String(s).replace(/'/g, "''")}'`

const instance = await DuckDBInstance.create(':memory:')
const conn = await instance.connect()

function secondsSince(t0) {
  return Number(process.hrtime.bigint() - t0) / 1e9
}

if (op === 'version') {
  const r = await conn.runAndReadAll('SELECT version()')
  console.log(r.getRowsJson()[0][0])
} else if (op === 'write') {
  const [src, dst, codec, threads = '1'] = args
  await conn.run(`SET threads=${Number(threads)}`)
  const t0 = process.hrtime.bigint()
  await conn.run(`COPY (FROM read_parquet(${q(src)})) TO ${q(dst)} (FORMAT parquet, COMPRESSION ${codec})`)
  console.log(`seconds ${secondsSince(t0).toFixed(6)}`)
} else if (op === 'scan') {
  const [file, threads = '1'] = args
  await conn.run(`SET threads=${Number(threads)}`)
  const cols = (await conn.runAndReadAll(`SELECT name FROM parquet_schema(${q(file)}) WHERE num_children IS NULL OR num_children = 0`)).getRowsJson().map(r => r[0])
  const t0 = process.hrtime.bigint()
  const sql = `SELECT count(*), ${cols.map(c => `min("${c}")`).join(', ')} FROM read_parquet(${q(file)})`
  const r = await conn.runAndReadAll(sql)
  const dt = secondsSince(t0)
  const row = r.getRowsJson()[0]
  console.log(`seconds ${dt.toFixed(6)}`)
  console.log(`rows ${row[0]}`)
  cols.forEach((c, i) => console.log(`min ${c} ${row[i + 1] === null ? 'NULL' : row[i + 1]}`))
} else {
  console.error('usage: node bench/duckdb.mjs write SRC DST CODEC THREADS | scan FILE THREADS | version')
  process.exit(2)
}
