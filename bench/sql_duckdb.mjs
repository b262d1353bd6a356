// bench/sql_duckdb.mjs - DuckDB's half of the SQL benchmarks
// (bench/tpch_queries.sh and bench/micro.sh run it interleaved with
// build/sql_bench, tarn's half).
//
//   node bench/sql_duckdb.mjs LAKE SCHEMA QUERY.sql|- RUNS THREADS [TARN.csv]
//
// Creates a view for every table folder of LAKE/SCHEMA/ over its Parquet
// files (the benchmarks' lakes are freshly written, so every file is live),
// sets threads, runs the query file (one or more statements; the last
// one's rows are the answer) once as a warm-up and then RUNS timed times in
// this process.  Prints "seconds S" per timed run, "maxrss_kb N" (peak
// resident set of this process, node's own included; QUERY "-" runs nothing
// and so measures that baseline), and, given tarn's answer as CSV, "check
// ok" or "check FAIL: <first difference>" (tests/sql/tpch/compare.mjs).
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { parseCsv, compareRows } from '../tests/sql/tpch/compare.mjs'

const req = createRequire(new URL('../tools/node/package.json', import.meta.url))
const { DuckDBInstance } = req('@duckdb/node-api')
const [lake, schema, qfile, runsArg, threadsArg, tarnCsv] = process.argv.slice(2)
if (!lake || !schema || !qfile) {
  console.error('usage: node sql_duckdb.mjs LAKE SCHEMA QUERY.sql|- RUNS THREADS [TARN.csv]')
  process.exit(2)
}
const runs = Number(runsArg || 1)
const inst = await DuckDBInstance.create(':memory:')
const conn = await inst.connect()
await conn.run(`SET threads=${Number(threadsArg || 2)}`)
const dir = `${lake}/${schema}`
for (const t of readdirSync(dir)) {
  if (!statSync(`${dir}/${t}`).isDirectory() || !readdirSync(`${dir}/${t}`).includes('_delta_log')) continue
  await conn.run(`CREATE VIEW "${t}" AS SELECT * FROM read_parquet('${dir}/${t}/**/*.parquet')`)
}
const now = () => Number(process.hrtime.bigint()) / 1e9
if (qfile !== '-') {
  const sql = readFileSync(qfile, 'utf8')
  let rows = null
  for (let i = 0; i <= runs; i++) {
    const t0 = now()
    const reader = await conn.runAndReadAll(sql)
    const t = now() - t0
    if (i > 0) console.log(`seconds ${t.toFixed(6)}`)
    if (i === runs) rows = reader.getRowsJson()
  }
  if (tarnCsv) {
    const why = compareRows(parseCsv(readFileSync(tarnCsv, 'utf8')), rows)
    console.log(why ? `check FAIL: ${why}` : 'check ok')
  }
}
console.log(`maxrss_kb ${process.resourceUsage().maxRSS}`)
