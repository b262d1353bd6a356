// tests/interop/check_demo.mjs - checks `tarn demo` against DuckDB: the
// pricing summary the demo computed from the vectors it read back must equal
// TPC-H Q1 run by DuckDB on the same Parquet file, digit for digit.
//
//   node tests/interop/check_demo.mjs DEMO_OUTPUT.txt FILE.parquet
//
// Prints "ok   demo_q1 duckdb" or "FAIL demo_q1 duckdb: ...".
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const req = createRequire(new URL('../../tools/node/package.json', import.meta.url))
const { DuckDBInstance } = req('@duckdb/node-api')
const [outFile, parquet] = process.argv.slice(2)

// Demo table rows: "  A   |   F    |   6292111.00 | ... | 246,320"
const demo = readFileSync(outFile, 'utf8').split('\n')
  .filter(l => /^\s+[A-Z]\s+\|\s+[A-Z]\s+\|/.test(l))
  .map(l => l.split('|').map(x => x.trim().replace(/,/g, '')).join('|'))

const conn = await (await DuckDBInstance.create(':memory:')).connect()
await conn.run('SET threads=1')
const r = await conn.runAndReadAll(`
  SELECT l_returnflag, l_linestatus,
         sum(l_quantity), sum(l_extendedprice),
         round(sum(l_extendedprice * (1 - l_discount)), 2),
         round(sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)), 2),
         round(avg(l_quantity), 2), round(avg(l_extendedprice), 2), round(avg(l_discount), 2),
         count(*)
  FROM read_parquet('${parquet.replace(/'/g, "''")}')
  WHERE l_shipdate <= DATE '1998-12-01' - INTERVAL 90 DAY
  GROUP BY ALL ORDER BY ALL`)
const fix2 = v => (typeof v === 'number' ? v.toFixed(2) : String(v))
const duck = r.getRowsJson().map(row => row.map((v, i) => (i >= 6 && i <= 8 ? fix2(Number(v)) : String(v))).join('|'))

if (demo.length === 0) {
  console.log('FAIL demo_q1 duckdb: no pricing summary rows in the demo output')
  process.exit(1)
}
for (let i = 0; i < Math.max(demo.length, duck.length); i++) {
  if (demo[i] !== duck[i]) {
    console.log(`FAIL demo_q1 duckdb: group ${i}: tarn demo "${demo[i]}", DuckDB "${duck[i]}"`)
    process.exit(1)
  }
}
console.log(`ok   demo_q1 duckdb (${demo.length} groups equal)`)
