// tests/interop/check.mjs - reads the interop cases with an independent
// Parquet reader and compares every value with the expected JSON written by
// interop_write_cases (see write_cases.c for the canonical value forms).
//
//   node tests/interop/check.mjs duckdb|hyparquet DIR [--rewrite]
//
// For each case in DIR/cases.txt prints one line:
//   ok   NAME READER
//   FAIL NAME READER: first difference
//   skip NAME READER: why
// With --rewrite (duckdb only) also writes DIR/NAME.duckdb.parquet, DuckDB's
// own copy of the file, for tarn to read back (the other direction).
// DuckDB checks also compare the codec (and a forced encoding) recorded in
// the file's metadata with what the case asked for.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

const req = createRequire(new URL('../../tools/node/package.json', import.meta.url))

const [readerName, dir, ...flags] = process.argv.slice(2)
const rewrite = flags.includes('--rewrite')
if (!readerName || !dir) {
  console.error('usage: node check.mjs duckdb|hyparquet DIR [--rewrite]')
  process.exit(2)
}

// ---- canonical forms --------------------------------------------------------

const hex = bytes => Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('')

function uuidText(h) {
  return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20, 32)
}

function canonDouble(x) {
  if (typeof x === 'bigint') x = Number(x)
  if (Number.isNaN(x)) return 'NaN'
  if (x === Infinity) return 'Infinity'
  if (x === -Infinity) return '-Infinity'
  return x
}

// Brings one value read by `reader` to the canonical form of type t.
function canon(t, v, reader) {
  if (v === null || v === undefined) return null
  switch (t.t) {
    case 'bool': return Boolean(v)
    case 'int8': case 'int16': case 'int32': case 'int64':
    case 'uint8': case 'uint16': case 'uint32': case 'uint64':
      return BigInt(v).toString()
    case 'float': case 'double': return canonDouble(v)
    case 'decimal':
      if (reader === 'duckdb') {
        // DuckDBDecimalValue: value scaled by its own scale
        let val = BigInt(v.value)
        let sc = v.scale
        while (sc < t.s) { val *= 10n; sc++ }
        while (sc > t.s) { val /= 10n; sc-- }
        return val.toString()
      }
      return { approx: Number(v) } // hyparquet returns numbers: compared with a tolerance
    case 'date':
      if (reader === 'duckdb') return String(v.days)
      return String(v)
    case 'time': case 'timestamp': case 'timestamptz':
      if (reader === 'duckdb') return BigInt(v.micros).toString()
      return BigInt(v).toString()
    case 'interval':
      return { months: v.months, days: v.days, micros: BigInt(v.micros).toString() }
    case 'string': case 'json':
      if (typeof v === 'string') return v
      if (v instanceof Uint8Array) return new TextDecoder().decode(v)
      return String(v)
    case 'blob':
      if (reader === 'duckdb') return hex(v.bytes)
      if (typeof v === 'string') return hex(new TextEncoder().encode(v))
      return hex(v)
    case 'uuid':
      if (typeof v === 'string') return v.toLowerCase()
      if (v instanceof Uint8Array) return uuidText(hex(v))
      return String(v).toLowerCase()
    case 'list': {
      const items = reader === 'duckdb' ? v.items : v
      return Array.from(items, x => canon(t.e, x, reader))
    }
    case 'struct': {
      const src = reader === 'duckdb' ? v.entries : v
      const out = {}
      for (const f of t.f) out[f.name] = canon(f.type, src[f.name], reader)
      return out
    }
    case 'map': {
      let pairs
      if (reader === 'duckdb') pairs = v.entries.map(e => [e.key, e.value])
      else if (v instanceof Map) pairs = [...v.entries()]
      else if (Array.isArray(v)) pairs = v.map(e => Array.isArray(e) ? e : [e.key, e.value])
      else pairs = Object.entries(v)
      return pairs.map(([k, x]) => [canon(t.k, k, reader), canon(t.v, x, reader)])
    }
    default:
      throw new Error(`unknown type ${t.t}`)
  }
}

// Deep comparison of a canonical expected value with a canonical actual one;
// returns null when equal, else a short description.
function diff(e, a, path) {
  if (a !== null && typeof a === 'object' && 'approx' in a) {
    if (e === null) return `${path}: expected null, got ${a.approx}`
    return null // resolved by the caller, which knows the scale
  }
  if (e === null || a === null || typeof e !== 'object' || typeof a !== 'object') {
    if (typeof e === 'number' && typeof a === 'number') {
      if (e === a) return null
      return `${path}: expected ${e}, got ${a}`
    }
    if (e === a) return null
    return `${path}: expected ${JSON.stringify(e)}, got ${JSON.stringify(a)}`
  }
  if (Array.isArray(e) !== Array.isArray(a)) return `${path}: expected ${JSON.stringify(e)}, got ${JSON.stringify(a)}`
  if (Array.isArray(e)) {
    if (e.length !== a.length) return `${path}: expected ${e.length} items ${JSON.stringify(e)}, got ${a.length} ${JSON.stringify(a)}`
    for (let i = 0; i < e.length; i++) {
      const d = diff(e[i], a[i], `${path}[${i}]`)
      if (d) return d
    }
    return null
  }
  for (const k of Object.keys(e)) {
    const d = diff(e[k], a[k], `${path}.${k}`)
    if (d) return d
  }
  return null
}

// hyparquet decimals are binary floating point: compare with a relative tolerance.
function fixApprox(t, e, a) {
  if (a === null || e === null) return a
  if (t.t === 'decimal' && typeof a === 'object' && 'approx' in a) {
    const want = Number(e) / 10 ** t.s
    const tol = Math.max(Math.abs(want), 1e-300) * 1e-12
    return Math.abs(a.approx - want) <= tol ? e : `${a.approx} (not ${want})`
  }
  if (t.t === 'list' && Array.isArray(a) && Array.isArray(e)) return a.map((x, i) => fixApprox(t.e, e[i] ?? null, x))
  if (t.t === 'struct' && typeof a === 'object' && e && typeof e === 'object') {
    const out = {}
    for (const f of t.f) out[f.name] = fixApprox(f.type, e[f.name] ?? null, a[f.name])
    return out
  }
  if (t.t === 'map' && Array.isArray(a) && Array.isArray(e)) return a.map((p, i) => [p[0], fixApprox(t.v, e[i]?.[1] ?? null, p[1])])
  return a
}

// ---- readers ------------------------------------------------------------------

async function readDuckdb(conn, file, columns) {
  const reader = await conn.runAndReadAll(`SELECT * FROM read_parquet('${file.replace(/'/g, "''")}')`)
  const names = reader.columnNames()
  const want = columns.map(c => c.name)
  if (JSON.stringify(names) !== JSON.stringify(want)) throw new Error(`columns ${JSON.stringify(names)}, expected ${JSON.stringify(want)}`)
  return reader.getRows()
}

async function readHyparquet(hp, compressors, file, columns) {
  const buf = await hp.asyncBufferFromFile(file)
  const decoder = new TextDecoder()
  const rows = await hp.parquetReadObjects({
    file: buf,
    compressors,
    utf8: false,
    parsers: {
      timestampFromMilliseconds: v => BigInt(v) * 1000n,
      timestampFromMicroseconds: v => BigInt(v),
      timestampFromNanoseconds: v => BigInt(v) / 1000n,
      dateFromDays: v => v,
      stringFromBytes: b => b && decoder.decode(b),
      jsonFromBytes: b => b && decoder.decode(b),
      geometryFromBytes: b => b,
      geographyFromBytes: b => b,
      uuidFromBytes: b => b && uuidText(hex(b)),
    },
  })
  return rows.map(r => columns.map(c => r[c.name]))
}

async function checkDuckdbMeta(conn, file, exp) {
  const reader = await conn.runAndReadAll(
    `SELECT DISTINCT compression, encodings FROM parquet_metadata('${file.replace(/'/g, "''")}')`)
  const rows = reader.getRowsJson()
  if (exp.rows_expected === 0) return null
  const codecs = new Set(rows.map(r => String(r[0]).toUpperCase()))
  const want = exp.codec === 'LZ4_RAW' ? ['LZ4_RAW', 'LZ4'] : [exp.codec]
  for (const c of codecs) if (!want.includes(c)) return `column chunk compressed with ${c}, expected ${exp.codec}`
  if (exp.encoding) {
    const all = rows.map(r => String(r[1])).join(',')
    if (!all.includes(exp.encoding)) return `no column uses the forced encoding ${exp.encoding} (encodings: ${[...new Set(all.split(/,\s*/))].join(' ')})`
  }
  return null
}

// ---- main -----------------------------------------------------------------------

const names = readFileSync(`${dir}/cases.txt`, 'utf8').split('\n').filter(Boolean)
let conn = null
let hp = null
let compressors = null
if (readerName === 'duckdb') {
  const duckdb = req('@duckdb/node-api')
  const instance = await duckdb.DuckDBInstance.create(':memory:')
  conn = await instance.connect()
  await conn.run('SET threads=1')
} else if (readerName === 'hyparquet') {
  hp = await import(pathToFileURL(req.resolve('hyparquet')).href)
  compressors = (await import(pathToFileURL(req.resolve('hyparquet-compressors')).href)).compressors
} else {
  console.error(`unknown reader ${readerName}`)
  process.exit(2)
}

let failed = 0
for (const name of names) {
  const file = `${dir}/${name}.parquet`
  const exp = JSON.parse(readFileSync(`${dir}/${name}.json`, 'utf8'))
  if (exp.skip && exp.skip[readerName]) {
    console.log(`skip ${name} ${readerName}: ${exp.skip[readerName]}`)
    continue
  }
  try {
    const rows = readerName === 'duckdb'
      ? await readDuckdb(conn, file, exp.columns)
      : await readHyparquet(hp, compressors, file, exp.columns)
    let problem = null
    if (rows.length !== exp.rows.length) problem = `${rows.length} rows, expected ${exp.rows.length}`
    for (let r = 0; !problem && r < rows.length; r++) {
      for (let c = 0; !problem && c < exp.columns.length; c++) {
        const col = exp.columns[c]
        let got = canon(col.type, rows[r][c], readerName)
        got = fixApprox(col.type, exp.rows[r][c], got)
        const d = diff(exp.rows[r][c], got, `row ${r} column ${col.name}`)
        if (d) problem = d.length > 600 ? d.slice(0, 600) + '...' : d
      }
    }
    if (!problem && conn) problem = await checkDuckdbMeta(conn, file, exp)
    if (problem) {
      failed++
      console.log(`FAIL ${name} ${readerName}: ${problem}`)
    } else {
      console.log(`ok   ${name} ${readerName}`)
    }
  } catch (e) {
    failed++
    console.log(`FAIL ${name} ${readerName}: ${String(e && e.message || e).split('\n')[0]}`)
  }
  if (rewrite && conn) {
    const out = `${dir}/${name}.duckdb.parquet`
    try {
      await conn.run(`COPY (FROM read_parquet('${file}')) TO '${out}' (FORMAT parquet)`)
    } catch (e) {
      console.log(`note ${name}: DuckDB could not rewrite the file: ${String(e && e.message || e).split('\n')[0]}`)
    }
  }
}
process.exit(failed ? 1 : 0)
