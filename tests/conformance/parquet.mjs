// parquet.mjs - Parquet conformance: every file of ../shared/testdata listed
// in CASES.tsv (kinds parquet and parquet-bad) is read with `tarn parquet
// cat --format json` and checked against, where available:
//   1. hyparquet, an independent reader, run live on the same file;
//   2. hyparquet's stored rendering (hyparquet-expected/<name>.json);
//   3. upstream *_expect.csv files;
//   4. values stated in testdata/README.md (restated in DOC below);
// and bad files must fail with a clean error (exit 1, "ERROR:" on stderr),
// never a crash.  Each check is one test; the last line is
// "N passed, N failed".
//
// Usage: node tests/conformance/parquet.mjs TARN_BIN SHARED_TESTDATA [FILTER]

import { spawnSync } from 'child_process'
import fs from 'fs'
import path from 'path'
import { createRequire } from 'module'
import { fileURLToPath, pathToFileURL } from 'url'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '../..')
const req = createRequire(path.join(root, 'tools/node/package.json'))
const hyparquet = await import(pathToFileURL(req.resolve('hyparquet')).href)
const { compressors } = await import(pathToFileURL(req.resolve('hyparquet-compressors')).href)

const [tarn, testdata, filter] = process.argv.slice(2)
let passed = 0, failed = 0
function check(name, ok, detail) {
  if (ok) { passed++; console.log(`ok   ${name}`) }
  else { failed++; console.log(`FAIL ${name}${detail ? ': ' + detail : ''}`) }
}

// ---- normalisation: bring both readers' values to one comparable shape ----
const HEX = /^\\x([0-9a-f]*)$/
function bytesHex(u8) { return Buffer.from(u8).toString('hex') }
function tsMillis(s) {
  // tarn text: "YYYY-MM-DD[ HH:MM:SS[.ffffff]][+00]"
  const m = /^(-?\d{4,})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d):(\d\d)(?:\.(\d+))?)?(?:\+00)?$/.exec(s)
  if (!m) return null
  const ms = m[7] ? Number((m[7] + '000').slice(0, 3)) : 0
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] || 0), Number(m[5] || 0), Number(m[6] || 0), ms)
}
function norm(v) {
  if (v === null || v === undefined) return null
  if (typeof v === 'bigint') return String(v)
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : v
  if (v instanceof Date) return { ts: v.getTime() }
  if (v instanceof Uint8Array) return { hex: bytesHex(v) }
  if (typeof v === 'string') {
    const h = HEX.exec(v)
    if (h) return { hex: h[1] }
    if (v === 'NaN') return 'NaN'
    return v
  }
  if (Array.isArray(v)) {
    // tarn renders maps with non-text keys as [{key, value}, ...]
    if (v.length && v.every(e => e && typeof e === 'object' && !Array.isArray(e) && Object.keys(e).length === 2 && 'key' in e && 'value' in e)) {
      const o = {}
      for (const e of v) o[String(e.key)] = norm(e.value)
      return o
    }
    return v.map(norm)
  }
  if (typeof v === 'object') {
    const o = {}
    for (const k of Object.keys(v)) o[k] = norm(v[k])
    return o
  }
  return v
}
// Compares normalised values; returns null when equal, else a description.
const BIGINT = /^-?\d{16,}$/
function diff(a, b, p = '', lax = {}) {
  if (a === b) return null
  if (lax.nanNull && ((a === 'NaN' && b === null) || (a === null && b === 'NaN'))) return null
  if (typeof a === 'string' && BIGINT.test(a) && typeof b === 'number') return diff(Number(a), b, p, lax)
  if (typeof b === 'string' && BIGINT.test(b) && typeof a === 'number') return diff(a, Number(b), p, lax)
  if (Array.isArray(a) && a.length === 0 && b && typeof b === 'object' && !Array.isArray(b) && Object.keys(b).length === 0) return null
  if (Array.isArray(b) && b.length === 0 && a && typeof a === 'object' && !Array.isArray(a) && Object.keys(a).length === 0) return null
  if (typeof a === 'string' && typeof b === 'string') {
    const ta = tsMillis(a) ?? Date.parse(a), tb = tsMillis(b) ?? Date.parse(b)
    if (/^[-+]?\d{4,}-\d\d-\d\d/.test(a) && /^[-+]?\d{4,}-\d\d-\d\d/.test(b) && !Number.isNaN(ta) && ta === tb) return null
  }
  if (a === null || b === null) {
    // hyparquet omits null struct fields / renders empty maps as {}
    if ((a === null && b && typeof b === 'object' && !Array.isArray(b) && Object.values(b).every(x => x === null)) ||
        (b === null && a && typeof a === 'object' && !Array.isArray(a) && Object.values(a).every(x => x === null)))
      return null
    return `${p}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`
  }
  if (typeof a === 'number' && typeof b === 'number') {
    const tol = 1e-6 * Math.max(1, Math.abs(a), Math.abs(b))
    return Math.abs(a - b) <= tol ? null : `${p}: ${a} vs ${b}`
  }
  // timestamp/date forms
  if (a && a.ts !== undefined && typeof b === 'string') return tsMillis(b) === a.ts ? null : `${p}: ${a.ts} vs ${b}`
  if (b && b.ts !== undefined && typeof a === 'string') return diff(b, a, p)
  if (a && a.ts !== undefined && typeof b === 'number') return null // hyparquet renders some dates as numbers
  // bytes vs text
  // (a reader that decoded non-UTF-8 bytes as text shows U+FFFD: not comparable)
  if (a && a.hex !== undefined && typeof b === 'string') return b.includes('\ufffd') || a.hex === Buffer.from(b, 'utf8').toString('hex') ? null : `${p}: bytes ${a.hex} vs "${b}"`
  if (b && b.hex !== undefined && typeof a === 'string') return diff(b, a, p)
  if (a && a.hex !== undefined && Array.isArray(b)) return a.hex === bytesHex(Uint8Array.from(b)) ? null : `${p}: bytes differ`
  if (b && b.hex !== undefined && Array.isArray(a)) return diff(b, a, p)
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${p}: length ${a.length} vs ${b.length}`
    for (let i = 0; i < a.length; i++) { const d = diff(a[i], b[i], `${p}[${i}]`, lax); if (d) return d }
    return null
  }
  if (typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    if (a.hex !== undefined || b.hex !== undefined) return a.hex === b.hex ? null : `${p}: bytes ${a.hex} vs ${b.hex}`
    if (a.ts !== undefined || b.ts !== undefined) return a.ts === b.ts ? null : `${p}: time ${a.ts} vs ${b.ts}`
    const keys = new Set([...Object.keys(a), ...Object.keys(b)])
    for (const k of keys) { const d = diff(a[k] ?? null, b[k] ?? null, `${p}.${k}`, lax); if (d) return d }
    return null
  }
  if (typeof a === 'number' && typeof b === 'string' && /^-?[\d.]+(e[-+]?\d+)?$/i.test(b)) return diff(a, Number(b), p)
  if (typeof b === 'number' && typeof a === 'string' && /^-?[\d.]+(e[-+]?\d+)?$/i.test(a)) return diff(Number(a), b, p)
  if (typeof a === 'boolean' || typeof b === 'boolean') return a === b ? null : `${p}: ${a} vs ${b}`
  return `${p}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`
}

function tarnCat(file, extra = []) {
  const r = spawnSync(tarn, ['parquet', 'cat', file, '--format', 'json', ...extra], { encoding: 'utf8', maxBuffer: 1 << 30 })
  return r
}
// Integers too large for a double stay exact: quote them before parsing.
function parseNdjson(text) {
  return text.split('\n').filter(l => l.length)
    .map(l => JSON.parse(l.replace(/([:\[,])(-?\d{16,})(?=[,\]}])/g, '$1"$2"')))
}
// Minimal RFC 4180 CSV parser (quotes, doubled quotes).
function parseCsv(text) {
  const rows = []
  let row = [], field = '', q = false, quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (q) {
      if (c === '"') { if (text[i + 1] === '"') { field += '"'; i++ } else q = false } else field += c
    } else if (c === '"') { q = true; quoted = true }
    else if (c === ',') { row.push(quoted || field.length ? field : null); field = ''; quoted = false }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      row.push(quoted || field.length ? field : null); rows.push(row); row = []; field = ''; quoted = false
    } else field += c
  }
  if (field.length || row.length) { row.push(quoted || field.length ? field : null); rows.push(row) }
  return rows
}

// Values stated in testdata/README.md (from upstream docs and test suites).
const DOC = {
  alltypes_plain: rows => rows.length === 8 && rows.map(r => r.id).join() === '4,5,6,7,2,3,0,1' && rows[0].timestamp_col === '2009-03-01 00:00:00',
  'alltypes_plain.snappy': rows => rows.map(r => r.id).join() === '6,7',
  alltypes_dictionary: rows => rows.map(r => r.id).join() === '0,1',
  alltypes_tiny_pages: rows => rows.length === 7300,
  binary: rows => rows.length === 12 && rows.every((r, i) => r.foo === '\\x' + i.toString(16).padStart(2, '0')),
  column_chunk_key_value_metadata: rows => rows.length === 0,
  data_index_bloom_encoding_stats: rows => rows.map(r => Object.values(r)[0]).join('|') === 'Hello|This is|a|test|How|are you|doing |today|the quick|brown fox|jumps|over|the lazy|dog',
  data_index_bloom_encoding_with_length: rows => rows.map(r => Object.values(r)[0]).join('|') === 'Hello|This is|a|test|How|are you|doing |today|the quick|brown fox|jumps|over|the lazy|dog',
  'datapage_v1-snappy-compressed-checksum': rows => rows.length === 5120,
  'datapage_v1-uncompressed-checksum': rows => rows.length === 5120,
  'datapage_v2_empty_datapage.snappy': rows => rows.length === 1 && Object.values(rows[0]).every(v => v === null),
  'dict-page-offset-zero': rows => rows.length === 39,
  fixed_length_byte_array: rows => rows.length === 1000 && rows.filter(r => Object.values(r)[0] === null).length === 105,
  fixed_length_decimal_legacy: rows => rows.length === 24 && rows.every((r, i) => Number(Object.values(r)[0]) === i + 1),
  float16_zeros_and_nans: rows => JSON.stringify(rows.map(r => Object.values(r)[0])) === '[null,0,"NaN"]',
  int32_decimal: rows => rows.every((r, i) => Number(Object.values(r)[0]) === i + 1),
  int64_decimal: rows => rows.every((r, i) => Number(Object.values(r)[0]) === i + 1),
  int32_with_null_pages: rows => rows.length === 1000 && rows.filter(r => Object.values(r)[0] === null).length === 275,
  int96_from_spark: rows => JSON.stringify(rows.map(r => r.a)) === JSON.stringify(['2024-01-01 20:34:56.123456', '2024-01-01 01:00:00', '9999-12-31 03:00:00', '2024-12-30 23:00:00', null, '290000-12-30 23:00:00']),
  list_columns: rows => JSON.stringify(rows) === JSON.stringify([{ int64_list: [1, 2, 3], utf8_list: ['abc', 'efg', 'hij'] }, { int64_list: [null, 1], utf8_list: null }, { int64_list: [4], utf8_list: ['efg', null, 'hij', 'xyz'] }]),
  map_no_value: rows => rows.length === 3,
  nan_in_stats: rows => JSON.stringify(rows.map(r => Object.values(r)[0])) === '[1,"NaN"]',
  nested_lists: rows => rows.length === 3 && JSON.stringify(rows[0].a) === '[[["a","b"],["c"]],[null,["d"]]]' && rows[0].b === 1,
  'nested_lists.snappy': rows => rows.length === 3 && JSON.stringify(rows[0].a) === '[[["a","b"],["c"]],[null,["d"]]]' && rows[0].b === 1,
  'nested_maps.snappy': rows => rows.length === 6 && JSON.stringify(rows[0].a) === '{"a":[{"key":1,"value":true},{"key":2,"value":false}]}' && rows[0].b === 1 && rows[0].c === 1,
  non_hadoop_lz4_compressed: rows => JSON.stringify(rows.map(r => Object.values(r))) === '[[1593604800,"\\\\x616263",42],[1593604800,"\\\\x646566",7.7],[1593604801,"\\\\x616263",42.125],[1593604801,"\\\\x646566",7.7]]',
  null_list: rows => JSON.stringify(rows) === '[{"emptylist":[]}]',
  'nulls.snappy': rows => rows.length === 8 && rows.every(r => r.b_struct === null || r.b_struct.b_c_int === null),
  old_list_structure: rows => JSON.stringify(Object.values(rows[0])[0]) === '[[1,2],[3,4]]',
  page_v2_empty_compressed: rows => rows.length === 10 && rows.every(r => Object.values(r)[0] === null),
  repeated_primitive_no_list: rows => rows.length === 4,
  'rle-dict-snappy-checksum': rows => rows.length === 1000,
  single_nan: rows => rows.length === 1,
  sort_columns: rows => rows.length === 6,
  'unknown-logical-type': rows => rows.length === 3,
  'ARROW-GH-43605': rows => rows.length === 21186,
}

// Files where hyparquet's rendering legitimately differs from tarn's (both
// readers are right about the data; the shapes differ):
const HYPARQUET_DIFFERS = {
  map_no_value: 'hyparquet shows a MAP without a value field as its raw key_value list; tarn as a map of NULLs (as the testdata README expects)',
  int96_from_spark: 'hyparquet converts the INT96 beyond the nanosecond range through doubles; the documented value is checked instead',
  repeated_primitive_no_list: 'a REQUIRED repeated field with no occurrences is an empty list (tarn); hyparquet says null',
}

// Expected clean errors: a fragment of the message each must contain.
const ERRORS = {
  'datapage_v1-corrupt-checksum': 'CRC',
  'PARQUET-1481': 'ERROR',
  'ARROW-RS-GH-6229-DICTHEADER': 'ERROR',
  'ARROW-RS-GH-6229-LEVELS': 'ERROR',
  'ARROW-GH-45185': 'repetition level',
}

const cases = fs.readFileSync(path.join(testdata, 'CASES.tsv'), 'utf8').split('\n').slice(1)
  .map(l => l.split('\t')).filter(f => f[0] === 'parquet' || f[0] === 'parquet-bad')
for (const [kind, name, local, , , , expected, outcome] of cases) {
  if (filter && !name.includes(filter)) continue
  if (local.endsWith('.bin')) continue // bare bloom filters: tests/unit/format/test_bloom_files.c
  const file = path.join(testdata, local)
  if (!fs.existsSync(file)) { check(`${name}: file present`, false, file); continue }
  const r = tarnCat(file)
  const crashed = r.status === null || r.status > 2
  if (ERRORS[name] !== undefined) {
    check(`${name}: fails cleanly`, r.status === 1 && r.stderr.includes('ERROR') && r.stderr.includes(ERRORS[name]),
      `exit ${r.status} signal ${r.signal} stderr ${r.stderr.slice(0, 300)}`)
    continue
  }
  if (kind === 'parquet-bad') {
    // allowed to read (e.g. ARROW-GH-43605) or to fail cleanly
    check(`${name}: reads or fails cleanly`, !crashed && (r.status === 0 || r.stderr.includes('ERROR')), `exit ${r.status} signal ${r.signal}`)
    if (r.status !== 0) continue
  } else {
    check(`${name}: reads`, r.status === 0, `exit ${r.status} signal ${r.signal} ${r.stderr.slice(0, 400)}`)
    if (r.status !== 0) continue
  }
  let rows
  try { rows = parseNdjson(r.stdout) } catch (e) { check(`${name}: valid JSON output`, false, e.message); continue }
  // 1. live hyparquet
  let hp = null
  try {
    const f = await hyparquet.asyncBufferFromFile(file)
    hp = await hyparquet.parquetReadObjects({ file: f, compressors })
  } catch (e) { hp = null }
  if (hp && !HYPARQUET_DIFFERS[name]) {
    let d = hp.length === rows.length ? null : `row count ${rows.length} vs hyparquet ${hp.length}`
    for (let i = 0; !d && i < rows.length; i++) d = diff(norm(rows[i]), norm(hp[i]), `row ${i}`)
    check(`${name}: equals hyparquet`, !d, d)
  }
  // 2. stored hyparquet rendering
  const ej = path.join(testdata, 'parquet/hyparquet-expected', name + '.json')
  if (fs.existsSync(ej)) {
    const exp = JSON.parse(fs.readFileSync(ej, 'utf8'))
    let d = exp.length === rows.length ? null : `row count ${rows.length} vs ${exp.length}`
    for (let i = 0; !d && i < rows.length; i++) {
      const vals = Object.values(rows[i])
      d = diff(norm(vals), norm(exp[i]), `row ${i}`, { nanNull: true })
    }
    check(`${name}: equals stored expectation`, !d, d)
  }
  // 3. upstream CSV
  const ecsv = file.replace(/\.parquet$/, '_expect.csv')
  if (fs.existsSync(ecsv)) {
    const lines = parseCsv(fs.readFileSync(ecsv, 'utf8'))
    // (parquet-mr test files name columns "c_customer_sk:"; the CSVs do not)
    const key = k => k.trim().replace(/:$/, '')
    const header = lines[0].map(key)
    let d = lines.length - 1 === rows.length ? null : `row count ${rows.length} vs ${lines.length - 1}`
    for (let i = 0; !d && i < rows.length; i++) {
      const f = lines[i + 1]
      const row = {}
      for (const k of Object.keys(rows[i])) row[key(k)] = rows[i][k]
      for (let c = 0; !d && c < header.length; c++) {
        const got = row[header[c]]
        const want = f[c] === undefined ? null : f[c]
        if (got === undefined) d = `column ${header[c]} missing`
        else if (want === null ? got !== null : String(got) !== want) d = `row ${i} ${header[c]}: ${got} vs ${want}`
      }
    }
    check(`${name}: equals upstream CSV`, !d, d)
  }
  // 4. documented values
  if (DOC[name]) {
    let ok = false
    try { ok = DOC[name](rows) } catch (e) { ok = false }
    check(`${name}: documented values`, ok, ok ? '' : JSON.stringify(rows.slice(0, 6)).slice(0, 400))
  }
}
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)
