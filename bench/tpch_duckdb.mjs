// bench/tpch_duckdb.mjs - DuckDB's side of bench/tpch.sh.
//
//   node bench/tpch_duckdb.mjs dbgen SF OUTDIR [THREADS]
//       CALL dbgen(sf=SF), then COPY each table TO OUTDIR/<table>.parquet
//       (snappy); prints "dbgen SECONDS copy SECONDS".  Needs DuckDB's tpch
//       extension; without network it is usually absent: prints
//       "unavailable: <reason>" and exits 3.
//   node bench/tpch_duckdb.mjs copy LAKE OUTDIR [THREADS]
//       Rewrites the TPC-H tables tarn wrote (LAKE/tpch/<table>/*.parquet,
//       live files from the Delta logs) into OUTDIR/<table>.parquet with
//       DuckDB's Parquet writer: the "COPY TO parquet" half of the
//       comparison, on the same rows; prints "copy SECONDS".
import { readFileSync, readdirSync, mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'

const req = createRequire(new URL('../tools/node/package.json', import.meta.url))
const duckdb = req('@duckdb/node-api')
const [mode, arg, out, threadsArg] = process.argv.slice(2)
if (!mode || !arg || !out) {
  console.error('usage: node tpch_duckdb.mjs dbgen SF OUTDIR [THREADS] | copy LAKE OUTDIR [THREADS]')
  process.exit(2)
}
const threads = Number(threadsArg || 2)
const TABLES = ['region', 'nation', 'supplier', 'customer', 'part', 'partsupp', 'orders', 'lineitem']
const quote = s => "'" + String(s).replaceAll("'", "''") + "'"
mkdirSync(out, { recursive: true })

const inst = await duckdb.DuckDBInstance.create(':memory:')
const conn = await inst.connect()
await conn.run(`SET threads=${threads}`)
await conn.run('SET preserve_insertion_order=false')
const now = () => Number(process.hrtime.bigint()) / 1e9

function liveFiles (dir) {
  const live = new Map()
  const log = `${dir}/_delta_log`
  for (const c of readdirSync(log).filter(n => /^\d{20}\.json$/.test(n)).sort()) {
    for (const line of readFileSync(`${log}/${c}`, 'utf8').split('\n')) {
      if (!line.trim()) continue
      const a = JSON.parse(line)
      if (a.add) live.set(a.add.path, 1)
      if (a.remove) live.delete(a.remove.path)
    }
  }
  return [...live.keys()].map(p => `${dir}/${decodeURIComponent(p)}`)
}

if (mode === 'dbgen') {
  let t0 = now()
  try {
    await conn.run('LOAD tpch')
  } catch (e) {
    console.log(`unavailable: ${e.message.split('\n')[0]}`)
    process.exit(3)
  }
  await conn.run(`CALL dbgen(sf=${Number(arg)})`)
  const t1 = now()
  for (const t of TABLES) {
    await conn.run(`COPY ${t} TO ${quote(`${out}/${t}.parquet`)} (FORMAT parquet, COMPRESSION snappy)`)
  }
  console.log(`dbgen ${(t1 - t0).toFixed(3)} copy ${(now() - t1).toFixed(3)}`)
} else if (mode === 'copy') {
  const t0 = now()
  for (const t of TABLES) {
    const files = liveFiles(`${arg}/tpch/${t}`)
    await conn.run(`COPY (FROM read_parquet([${files.map(quote).join(', ')}])) TO ${quote(`${out}/${t}.parquet`)}
      (FORMAT parquet, COMPRESSION snappy)`)
  }
  console.log(`copy ${(now() - t0).toFixed(3)}`)
} else {
  console.error(`unknown mode ${mode}`)
  process.exit(2)
}
