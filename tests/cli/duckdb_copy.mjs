// tests/cli/duckdb_copy.mjs - rewrites a Parquet file with DuckDB, an
// independent reader and writer: read IN, write OUT (Parquet, DuckDB's own
// encoder).  Used by tests/cli/run.sh to check that tarn's files read in
// DuckDB and that DuckDB's files read in tarn, value for value.
//
//   node tests/cli/duckdb_copy.mjs IN.parquet OUT.parquet
import { createRequire } from 'node:module'

const req = createRequire(new URL('../../tools/node/package.json', import.meta.url))
const [input, output] = process.argv.slice(2)
if (!input || !output) {
  console.error('usage: node duckdb_copy.mjs IN.parquet OUT.parquet')
  process.exit(2)
}
const quote = s => "'" + s.replaceAll("'", "''") + "'"
const duckdb = req('@duckdb/node-api')
const instance = await duckdb.DuckDBInstance.create(':memory:')
const conn = await instance.connect()
await conn.run('SET threads=1')
await conn.run(`COPY (SELECT * FROM read_parquet(${quote(input)})) TO ${quote(output)} (FORMAT parquet)`)
