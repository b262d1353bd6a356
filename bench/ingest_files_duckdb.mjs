// bench/ingest_files_duckdb.mjs - DuckDB's half of bench/ingest_files.sh.
//
//   node bench/ingest_files_duckdb.mjs csv|json SRC DST.parquet THREADS
//       COPY (SELECT * FROM read_csv(SRC) | read_json(SRC, format = 'newline_delimited'))
//         TO DST (FORMAT parquet)   -- DuckDB's default codec (snappy)
//
// Prints "seconds S" (the statement alone, timed inside the process) and
// "rows N" (counted back from the written file, outside the timing).
import { createRequire } from 'node:module'

const req = createRequire(new URL('../tools/node/package.json', import.meta.url))
const { DuckDBInstance } = req('@duckdb/node-api')

const [fmt, src, dst, threads = '1'] = process.argv.slice(2)
const q = s => `'${String(s).replace(/'/g, "''")}'`
const conn = await (await DuckDBInstance.create(':memory:')).connect()
await conn.run(`SET threads=${Number(threads)}`)
const from = fmt === 'csv' ? `read_csv(${q(src)})` : `read_json(${q(src)}, format = 'newline_delimited')`
const t0 = process.hrtime.bigint()
await conn.run(`COPY (SELECT * FROM ${from}) TO ${q(dst)} (FORMAT parquet)`)
console.log(`seconds ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(6)}`)
const r = await conn.runAndReadAll(`SELECT count(*) FROM read_parquet(${q(dst)})`)
console.log(`rows ${r.getRowsJson()[0][0]}`)
