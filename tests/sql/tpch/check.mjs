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
import { parseCsv, compareRows } from './compare.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const req = createRequire(join(here, '../../../tools/node/package.json'))
const { DuckDBInstance } = req('@duckdb/node-api')
const [tarn, lake, ...only] = process.argv.slice(2)
const inst = await DuckDBInstance.create(':memory:')
const conn = await inst.connect()
for (const t of ['lineitem', 'orders', 'customer', 'part', 'partsupp', 'supplier', 'nation', 'region'])
  await conn.run(`CREATE VIEW ${t} AS SELECT * FROM read_parquet('${lake}/tpch/${t}/**/*.parquet')`)

let passed = 0, failed = 0
for (let i = 1; i <= 22; i++) {
  if (only.length && !only.includes(String(i))) continue
  const name = `q${String(i).padStart(2, '0')}`
  const sql = readFileSync(join(here, '..', '..', '..', '..', 'shared', 'bench', 'tpch-queries', `${name}.sql`), 'utf8')
  const want = (await conn.runAndReadAll(sql)).getRowsJson()
  const r = spawnSync(tarn, ['sql', '--lake', lake, '--csv', '-c', 'SET search_path TO tpch; ' + sql], { encoding: 'utf8' })
  if (r.status !== 0) { console.log(`FAIL tpch ${name}: ${(r.stderr || String(r.error || 'no output')).split('\n')[0]}`); failed++; continue }
  const why = compareRows(parseCsv(r.stdout), want)
  if (why) { console.log(`FAIL tpch ${name}: ${why}`); failed++ } else { console.log(`ok   tpch ${name}`); passed++ }
}
console.log(`${passed} passed, ${failed} failed`)
