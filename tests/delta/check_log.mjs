// tests/delta/check_log.mjs - an independent reader of the Delta tables tarn
// writes: DuckDB (@duckdb/node-api) reads the transaction log and the data
// files, with no tarn code involved.
//
//   node tests/delta/check_log.mjs validate TABLE
//       Checks every commit file against what PROTOCOL.md states and a
//       program can check: one JSON object per line with exactly one action;
//       the required fields of each action with their JSON types; protocol
//       and metaData in version 0; versions contiguous from 0; paths
//       relative and URI-escaped, naming files that exist (for live files,
//       with the logged size); stats JSON with numRecords, nullCount, and
//       min/max bounds that hold for the file's rows (DuckDB reads the file);
//       partitionValues keyed by the partition columns; _last_checkpoint
//       naming a checkpoint that exists; per commit at most one add and one
//       remove per path, the same path in both only with different deletion
//       vectors (logical file = (path, deletionVector.uniqueId)), DV
//       descriptors well-formed and their files present.  Under column mapping (name / id
//       mode) every field needs delta.columnMapping.id and physicalName,
//       and files, stats and partition values use the physical names.
//   node tests/delta/check_log.mjs compare TABLE TARN_CSV [--version N] [--json-only]
//       Replays the log: the newest checkpoint at or below the version (read
//       by DuckDB's Parquet reader) unless --json-only, then the commit files
//       in version order (read by DuckDB's read_json_objects): adds minus
//       removes.  Reads exactly the live Parquet files with DuckDB, adds the
//       partition values (cast by DuckDB from their logged text to the
//       column's type), and compares the rows, as an unordered multiset, with
//       the CSV `tarn table cat` printed (header line first).
//
// Prints "ok   NAME" / "FAIL NAME: why" lines; exit status 1 on any FAIL.
import { readFileSync, existsSync, statSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'

const req = createRequire(new URL('../../tools/node/package.json', import.meta.url))
const duckdb = req('@duckdb/node-api')

const [mode, table, ...rest] = process.argv.slice(2)
if (!mode || !table) {
  console.error('usage: node check_log.mjs validate TABLE | compare TABLE TARN_CSV [--version N] [--json-only]')
  process.exit(2)
}
const logDir = `${table}/_delta_log`
const quote = s => "'" + String(s).replaceAll("'", "''") + "'"
const ident = s => '"' + String(s).replaceAll('"', '""') + '"'

let failures = 0
const fail = (name, why) => { failures++; console.log(`FAIL ${name}: ${why}`) }
const ok = name => console.log(`ok   ${name}`)

const inst = await duckdb.DuckDBInstance.create(':memory:')
const conn = await inst.connect()
await conn.run('SET threads=1')
await conn.run("SET TimeZone='UTC'")
const rows = async sql => (await conn.runAndReadAll(sql)).getRowObjectsJson()

// ---- the log -------------------------------------------------------------------

const commitRe = /^(\d{20})\.json$/
function commitVersions () {
  return readdirSync(logDir).filter(n => commitRe.test(n)).map(n => Number(n.slice(0, 20))).sort((a, b) => a - b)
}
const commitName = v => `${logDir}/${String(v).padStart(20, '0')}.json`

// Delta type -> DuckDB type for casting partition values.
function duckType (t) {
  if (typeof t !== 'string') return null
  const m = t.match(/^decimal\((\d+),\s*(\d+)\)$/)
  if (m) return `DECIMAL(${m[1]},${m[2]})`
  return {
    string: 'VARCHAR', long: 'BIGINT', integer: 'INTEGER', short: 'SMALLINT', byte: 'TINYINT',
    float: 'FLOAT', double: 'DOUBLE', boolean: 'BOOLEAN', binary: 'BLOB', date: 'DATE',
    timestamp: 'TIMESTAMPTZ', timestamp_ntz: 'TIMESTAMP'
  }[t] ?? null
}

const isInt = x => Number.isInteger(x)
const isObj = x => x !== null && typeof x === 'object' && !Array.isArray(x)

// A log path must be a relative URI reference with %-escapes (PROTOCOL.md:
// "path: A relative path to a data file from the root of the table or an
// absolute path ... URI encoded").  tarn writes relative paths only.
function checkPath (p) {
  if (typeof p !== 'string' || p === '') return 'path is not a non-empty string'
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(p) || p.startsWith('/')) return `path "${p}" is not relative`
  if (/[^\x21-\x7e]/.test(p)) return `path "${p}" has unescaped spaces, control or non-ASCII bytes`
  if (/%(?![0-9A-Fa-f]{2})/.test(p)) return `path "${p}" has a stray %`
  if (/[#?"<>\\^`{|}]/.test(p)) return `path "${p}" has characters a URI must escape`
  if (p.split('/').some(s => s === '..' || s === '.' || s === '')) return `path "${p}" is not normalized`
  try { decodeURIComponent(p) } catch { return `path "${p}" does not decode` }
  return null
}

// The deletion vector part of a logical file's primary key (PROTOCOL.md,
// Deletion Vector Descriptor, derived field uniqueId): storageType and
// pathOrInlineDv, plus "@offset" when an offset is present; null without a DV.
function dvId (a) {
  const dv = a.deletionVector
  if (dv === undefined || dv === null) return null
  return `${dv.storageType}${dv.pathOrInlineDv}` + (dv.offset !== undefined && dv.offset !== null ? `@${dv.offset}` : '')
}

// Z85 (the base85 of deletion vector ids) of 20 characters -> the UUID's 16 bytes as
// canonical text; null when the text is not Z85.
const Z85 = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#'
function z85Uuid (s) {
  if (s.length !== 20) return null
  const bytes = []
  for (let i = 0; i < 20; i += 5) {
    let v = 0
    for (let k = 0; k < 5; k++) {
      const d = Z85.indexOf(s[i + k])
      if (d < 0) return null
      v = v * 85 + d
    }
    if (v > 0xffffffff) return null
    bytes.push((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255)
  }
  const h = bytes.map(b => b.toString(16).padStart(2, '0')).join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

// Checks a deletionVector descriptor's fields; returns a problem or null.
function checkDv (dv) {
  if (!isObj(dv)) return 'deletionVector is not an object'
  if (!['u', 'i', 'p'].includes(dv.storageType)) return `deletionVector.storageType "${dv.storageType}"`
  if (typeof dv.pathOrInlineDv !== 'string' || !dv.pathOrInlineDv) return 'deletionVector.pathOrInlineDv'
  if (!isInt(dv.sizeInBytes) || dv.sizeInBytes < 0) return 'deletionVector.sizeInBytes'
  if (!isInt(dv.cardinality) || dv.cardinality < 1) return 'deletionVector.cardinality'
  if (dv.storageType === 'i' && dv.offset !== undefined && dv.offset !== null) return 'inline deletionVector with an offset'
  if (dv.offset !== undefined && dv.offset !== null && (!isInt(dv.offset) || dv.offset < 0)) return 'deletionVector.offset'
  if (dv.storageType === 'u') {
    const id = dv.pathOrInlineDv
    const uuid = id.length >= 20 ? z85Uuid(id.slice(-20)) : null
    if (!uuid) return `deletionVector.pathOrInlineDv "${id}" does not end in a Z85 UUID`
    const prefix = id.slice(0, -20)
    const file = `${table}/${prefix ? prefix + '/' : ''}deletion_vector_${uuid}.bin`
    if (!existsSync(file)) return `deletion vector file ${file} does not exist`
    if (statSync(file).size < (dv.offset ?? 0) + dv.sizeInBytes) return `deletion vector file ${file} is shorter than offset + sizeInBytes`
  }
  return null
}

async function validate () {
  const versions = commitVersions()
  if (!versions.length) return fail('log', 'no commit files')
  for (let i = 0; i < versions.length; i++) {
    if (versions[i] !== i) return fail('log', `versions not contiguous from 0: ${versions.join(',')}`)
  }
  let partCols = null
  let schemaTypes = {}
  const live = new Map()     // logical file key (path, dvId) -> add
  const lkey = (path, dv) => `${path}\u0000${dv ?? ''}`
  const everyPath = new Set()
  let lineCount = 0
  for (const v of versions) {
    const name = `commit ${v}`
    const text = readFileSync(commitName(v), 'utf8')
    const lines = text.split('\n')
    if (lines[lines.length - 1] === '') lines.pop()
    const kinds = {}
    // PROTOCOL.md, "Add File and Remove File": at most one add and at most one
    // remove per path in a commit; the same path may be both added and removed
    // only with two different dvIds (a new deletion vector replacing the old
    // one).  Actions of a commit are unordered: removes apply before adds.
    const addPaths = new Map()     // path -> dvId
    const removePaths = new Map()  // path -> dvId
    const commitAdds = []
    const commitRemoves = []
    let bad = false
    const problem = (ln, why) => { bad = true; fail(name, `line ${ln + 1}: ${why}`) }
    for (let ln = 0; ln < lines.length; ln++) {
      lineCount++
      let obj
      try { obj = JSON.parse(lines[ln]) } catch (e) { problem(ln, `not one JSON value: ${e.message}`); continue }
      if (!isObj(obj)) { problem(ln, 'not a JSON object'); continue }
      const keys = Object.keys(obj)
      if (keys.length !== 1) { problem(ln, `${keys.length} actions on one line`); continue }
      const kind = keys[0]
      const a = obj[kind]
      kinds[kind] = (kinds[kind] ?? 0) + 1
      if (!isObj(a)) { problem(ln, `${kind} is not an object`); continue }
      switch (kind) {
        case 'protocol': {
          if (!isInt(a.minReaderVersion) || a.minReaderVersion < 1) problem(ln, 'protocol.minReaderVersion')
          if (!isInt(a.minWriterVersion) || a.minWriterVersion < 1) problem(ln, 'protocol.minWriterVersion')
          if ((a.minReaderVersion === 3) !== Array.isArray(a.readerFeatures)) problem(ln, 'readerFeatures present iff minReaderVersion is 3')
          if ((a.minWriterVersion === 7) !== Array.isArray(a.writerFeatures)) problem(ln, 'writerFeatures present iff minWriterVersion is 7')
          for (const f of a.readerFeatures ?? []) {
            if (!(a.writerFeatures ?? []).includes(f)) problem(ln, `reader feature ${f} missing from writerFeatures`)
          }
          break
        }
        case 'metaData': {
          if (typeof a.id !== 'string' || !a.id) problem(ln, 'metaData.id')
          if (!isObj(a.format) || a.format.provider !== 'parquet') problem(ln, 'metaData.format.provider')
          if (!Array.isArray(a.partitionColumns) || a.partitionColumns.some(c => typeof c !== 'string')) problem(ln, 'metaData.partitionColumns')
          if (a.configuration !== undefined && (!isObj(a.configuration) || Object.values(a.configuration).some(x => typeof x !== 'string'))) problem(ln, 'metaData.configuration must map strings to strings')
          if (a.createdTime !== undefined && !isInt(a.createdTime)) problem(ln, 'metaData.createdTime')
          let schema
          try { schema = JSON.parse(a.schemaString) } catch { problem(ln, 'metaData.schemaString is not JSON'); break }
          if (!isObj(schema) || schema.type !== 'struct' || !Array.isArray(schema.fields)) { problem(ln, 'schemaString is not a struct'); break }
          schemaTypes = {}
          // column mapping: files, stats and partition values use physical names
          const cm = ['name', 'id'].includes(a.configuration?.['delta.columnMapping.mode'])
          const phys = {}
          for (const f of schema.fields) {
            if (typeof f.name !== 'string' || f.type === undefined || typeof f.nullable !== 'boolean' || !isObj(f.metadata)) problem(ln, `schema field ${JSON.stringify(f)} lacks name/type/nullable/metadata`)
            const pn = cm ? f.metadata?.['delta.columnMapping.physicalName'] : f.name
            if (cm && (typeof pn !== 'string' || !isInt(f.metadata?.['delta.columnMapping.id']))) problem(ln, `column mapping: field ${f.name} lacks delta.columnMapping.id / physicalName`)
            phys[f.name] = pn ?? f.name
            schemaTypes[phys[f.name]] = f.type
          }
          if (cm && !/^[0-9]+$/.test(a.configuration?.['delta.columnMapping.maxColumnId'] ?? '')) problem(ln, 'column mapping: delta.columnMapping.maxColumnId missing')
          for (const c of a.partitionColumns ?? []) if (!(c in phys)) problem(ln, `partition column ${c} not in the schema`)
          partCols = (a.partitionColumns ?? []).map(c => phys[c] ?? c)
          break
        }
        case 'add': case 'cdc': {
          const pe = checkPath(a.path)
          if (pe) problem(ln, `${kind}: ${pe}`)
          if (!isObj(a.partitionValues)) problem(ln, `${kind}.partitionValues`)
          else {
            const want = [...(partCols ?? [])].sort().join(',')
            const got = Object.keys(a.partitionValues).sort().join(',')
            if (want !== got) problem(ln, `${kind}.partitionValues keys [${got}], partition columns [${want}]`)
            if (Object.values(a.partitionValues).some(x => x !== null && typeof x !== 'string')) problem(ln, 'partition values must be strings or null')
          }
          if (!isInt(a.size) || a.size < 0) problem(ln, `${kind}.size`)
          if (typeof a.dataChange !== 'boolean') problem(ln, `${kind}.dataChange`)
          if (kind === 'add') {
            if (!isInt(a.modificationTime)) problem(ln, 'add.modificationTime')
            const id = dvId(a)
            if (a.deletionVector !== undefined && a.deletionVector !== null) {
              const de = checkDv(a.deletionVector)
              if (de) problem(ln, `add: ${de}`)
            }
            if (addPaths.has(a.path)) problem(ln, `path ${a.path} added twice in one commit`)
            else if (removePaths.has(a.path) && removePaths.get(a.path) === id) problem(ln, `logical file ${a.path} (deletion vector ${id ?? 'none'}) added and removed in one commit`)
            addPaths.set(a.path, id)
            if (a.stats !== undefined && a.stats !== null) {
              let st
              try { st = JSON.parse(a.stats) } catch { problem(ln, 'add.stats is not JSON'); st = null }
              if (st && (!isInt(st.numRecords) || st.numRecords < 0)) problem(ln, 'stats.numRecords missing or not a count')
              for (const k of ['minValues', 'maxValues', 'nullCount']) if (st && st[k] !== undefined && !isObj(st[k])) problem(ln, `stats.${k} is not an object`)
              a._stats = st
            } else {
              problem(ln, 'add without stats (tarn always writes them)')
            }
            commitAdds.push(a)
            everyPath.add(a.path)
          }
          break
        }
        case 'remove': {
          const pe = checkPath(a.path)
          if (pe) problem(ln, `remove: ${pe}`)
          if (typeof a.dataChange !== 'boolean') problem(ln, 'remove.dataChange')
          if (a.deletionTimestamp !== undefined && !isInt(a.deletionTimestamp)) problem(ln, 'remove.deletionTimestamp')
          const id = dvId(a)
          if (a.deletionVector !== undefined && a.deletionVector !== null && !isObj(a.deletionVector)) problem(ln, 'remove.deletionVector is not an object')
          if (removePaths.has(a.path)) problem(ln, `path ${a.path} removed twice in one commit`)
          else if (addPaths.has(a.path) && addPaths.get(a.path) === id) problem(ln, `logical file ${a.path} (deletion vector ${id ?? 'none'}) added and removed in one commit`)
          removePaths.set(a.path, id)
          commitRemoves.push(a)
          break
        }
        case 'commitInfo':
          if (a.timestamp !== undefined && !isInt(a.timestamp)) problem(ln, 'commitInfo.timestamp')
          if (a.inCommitTimestamp !== undefined && ln !== 0) problem(ln, 'commitInfo with inCommitTimestamp must be the first action')
          break
        case 'txn':
          if (typeof a.appId !== 'string' || !isInt(a.version)) problem(ln, 'txn.appId/version')
          break
        case 'domainMetadata':
          if (typeof a.domain !== 'string' || typeof a.configuration !== 'string' || typeof a.removed !== 'boolean') problem(ln, 'domainMetadata fields')
          break
        default:
          problem(ln, `unknown action "${kind}"`)
      }
    }
    for (const r of commitRemoves) live.delete(lkey(r.path, dvId(r)))
    for (const a of commitAdds) {
      live.set(lkey(a.path, dvId(a)), a)
    }
    if (v === 0 && (!kinds.protocol || !kinds.metaData)) { bad = true; fail(name, 'version 0 lacks protocol or metaData') }
    for (const k of ['protocol', 'metaData', 'commitInfo']) {
      if ((kinds[k] ?? 0) > 1) { bad = true; fail(name, `${kinds[k]} ${k} actions`) }
    }
    if (!bad) ok(`${name} (${lines.length} actions)`)
  }
  // Live files: exist with the logged size; stats agree with the rows.
  let statsBad = 0
  for (const a of live.values()) {
    const p = a.path
    const file = `${table}/${decodeURIComponent(p)}`
    if (!existsSync(file)) { fail('live files', `${p} does not exist`); statsBad++; continue }
    if (statSync(file).size !== a.size) { fail('live files', `${p}: size ${statSync(file).size}, log says ${a.size}`); statsBad++ }
    const st = a._stats
    if (!st) continue
    // columns added (or re-added after a drop) later are absent from older files
    const inFile = new Set((await rows(`DESCRIBE SELECT * FROM read_parquet(${quote(file)})`)).map(x => x.column_name))
    const cols = Object.keys(schemaTypes).filter(c => !(partCols ?? []).includes(c) && inFile.has(c))
    const sel = ['count(*)::BIGINT AS n']
    for (const c of cols) {
      sel.push(`count(*) FILTER (WHERE ${ident(c)} IS NULL)::BIGINT AS ${ident('nulls_' + c)}`)
      if (['long', 'integer', 'short', 'byte', 'double', 'string'].includes(schemaTypes[c])) {
        sel.push(`min(${ident(c)}) AS ${ident('min_' + c)}`, `max(${ident(c)}) AS ${ident('max_' + c)}`)
      }
    }
    const [r] = await rows(`SELECT ${sel.join(', ')} FROM read_parquet(${quote(file)})`)
    if (BigInt(r.n) !== BigInt(st.numRecords)) { fail('stats', `${p}: numRecords ${st.numRecords}, file has ${r.n} rows`); statsBad++ }
    for (const c of cols) {
      const nc = st.nullCount?.[c]
      if (nc !== undefined && BigInt(nc) !== BigInt(r['nulls_' + c])) { fail('stats', `${p}: nullCount.${c} ${nc}, file has ${r['nulls_' + c]}`); statsBad++ }
      const t = schemaTypes[c]
      const mn = st.minValues?.[c]; const mx = st.maxValues?.[c]
      const amin = r['min_' + c]; const amax = r['max_' + c]
      if (amin === undefined || amin === null) continue
      if (t === 'string') {
        // string bounds may be truncated prefixes: min <= actual min, max >= actual max
        if (mn !== undefined && !(mn <= amin)) { fail('stats', `${p}: minValues.${c} ${JSON.stringify(mn)} > actual ${JSON.stringify(amin)}`); statsBad++ }
        if (mx !== undefined && !(mx >= amax.slice(0, mx.length))) { fail('stats', `${p}: maxValues.${c} ${JSON.stringify(mx)} < actual ${JSON.stringify(amax)}`); statsBad++ }
      } else if (t === 'double') {
        if (mn !== undefined && typeof mn === 'number' && !(mn <= Number(amin))) { fail('stats', `${p}: minValues.${c} ${mn} > actual ${amin}`); statsBad++ }
        if (mx !== undefined && typeof mx === 'number' && !(mx >= Number(amax))) { fail('stats', `${p}: maxValues.${c} ${mx} < actual ${amax}`); statsBad++ }
      } else {
        if (mn !== undefined && BigInt(mn) !== BigInt(amin)) { fail('stats', `${p}: minValues.${c} ${mn}, actual ${amin}`); statsBad++ }
        if (mx !== undefined && BigInt(mx) !== BigInt(amax)) { fail('stats', `${p}: maxValues.${c} ${mx}, actual ${amax}`); statsBad++ }
      }
    }
  }
  if (!statsBad) ok(`live files exist with their logged sizes and stats (${live.size} files)`)
  // _last_checkpoint
  if (existsSync(`${logDir}/_last_checkpoint`)) {
    let lc
    try { lc = JSON.parse(readFileSync(`${logDir}/_last_checkpoint`, 'utf8')) } catch { lc = null }
    if (!lc || !isInt(lc.version) || !isInt(lc.size)) fail('_last_checkpoint', 'not JSON with integer version and size')
    else {
      const cp = `${logDir}/${String(lc.version).padStart(20, '0')}.checkpoint.parquet`
      if (!lc.parts && !existsSync(cp)) fail('_last_checkpoint', `${cp} does not exist`)
      else {
        const [r] = await rows(`SELECT count(*)::BIGINT AS n, count(protocol) AS np, count(metaData) AS nm FROM read_parquet(${quote(cp)})`)
        if (BigInt(r.n) !== BigInt(lc.size)) fail('_last_checkpoint', `size ${lc.size}, checkpoint has ${r.n} actions`)
        else if (Number(r.np) !== 1 || Number(r.nm) !== 1) fail('checkpoint', `${r.np} protocol and ${r.nm} metaData rows (want 1 and 1)`)
        else ok(`_last_checkpoint -> version ${lc.version} (${r.n} actions)`)
      }
    }
  }
  if (!failures) ok(`log of ${versions.length} commits, ${lineCount} actions`)
}

// ---- replay and compare -----------------------------------------------------------

async function replay (version, jsonOnly) {
  const state = new Map()  // path -> {partitionValues}
  let start = 0
  let partCols = []; let schemaTypes = {}; let columns = []; let phys = {}
  const applyMeta = md => {
    const schema = JSON.parse(md.schemaString)
    columns = schema.fields.map(f => f.name)
    schemaTypes = Object.fromEntries(schema.fields.map(f => [f.name, f.type]))
    partCols = md.partitionColumns ?? []
    // column mapping: files and partition values use physical names
    const conf = md.configuration instanceof Map ? Object.fromEntries(md.configuration) : (md.configuration ?? {})
    const cm = ['name', 'id'].includes(conf['delta.columnMapping.mode'])
    phys = Object.fromEntries(schema.fields.map(f => [f.name, (cm && f.metadata?.['delta.columnMapping.physicalName']) || f.name]))
  }
  if (!jsonOnly && existsSync(`${logDir}/_last_checkpoint`)) {
    // The newest classic checkpoint at or below the version.
    const cps = readdirSync(logDir).filter(n => /^\d{20}\.checkpoint\.parquet$/.test(n))
      .map(n => Number(n.slice(0, 20))).filter(v => v <= version).sort((a, b) => b - a)
    if (cps.length) {
      const cp = `${logDir}/${String(cps[0]).padStart(20, '0')}.checkpoint.parquet`
      const adds = await rows(`SELECT add.path AS path, map_keys(add.partitionValues) AS k, map_values(add.partitionValues) AS v FROM read_parquet(${quote(cp)}) WHERE add IS NOT NULL`)
      for (const a of adds) state.set(a.path, Object.fromEntries((a.k ?? []).map((k, i) => [k, a.v[i]])))
      const [md] = await rows(`SELECT metaData.schemaString AS schemaString, metaData.partitionColumns AS partitionColumns, map_keys(metaData.configuration) AS ck, map_values(metaData.configuration) AS cv FROM read_parquet(${quote(cp)}) WHERE metaData IS NOT NULL`)
      md.configuration = Object.fromEntries((md.ck ?? []).map((k, i) => [k, md.cv[i]]))
      applyMeta(md)
      start = cps[0] + 1
    }
  }
  const lines = await rows(`SELECT filename, json FROM read_json_objects(${quote(logDir + '/*.json')}, filename=true, format='newline_delimited')`)
  const byVersion = new Map()
  for (const l of lines) {
    const m = l.filename.match(/(\d{20})\.json$/)
    if (!m) continue
    const v = Number(m[1])
    if (v < start || v > version) continue
    if (!byVersion.has(v)) byVersion.set(v, [])
    byVersion.get(v).push(JSON.parse(l.json))
  }
  for (let v = start; v <= version; v++) {
    const acts = byVersion.get(v)
    if (!acts) throw new Error(`no commit ${v} in the log`)
    // the actions of a commit are unordered: removes first, then adds (a file
    // re-added with a new deletion vector stays)
    for (const act of acts) {
      if (act.metaData) applyMeta(act.metaData)
      else if (act.remove) state.delete(act.remove.path)
    }
    for (const act of acts) if (act.add) state.set(act.add.path, act.add.partitionValues ?? {})
  }
  return { state, partCols, schemaTypes, columns, phys }
}

// Minimal RFC 4180 parser; an unquoted empty field is NULL (tarn's CSV).
function parseCsv (text) {
  const out = []; let row = []; let i = 0
  while (i < text.length) {
    let field = ''; let quoted = false
    if (text[i] === '"') {
      quoted = true; i++
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quote')
        if (text[i] === '"') { if (text[i + 1] === '"') { field += '"'; i += 2 } else { i++; break } } else field += text[i++]
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\n') field += text[i++]
    }
    row.push(!quoted && field === '' ? null : field)
    if (text[i] === ',') { i++; continue }
    if (text[i] === '\n') i++
    out.push(row); row = []
  }
  return out
}

// DuckDB's JSON-friendly value -> PostgreSQL text as tarn prints it.
function pgText (v, t) {
  if (v === null || v === undefined) return null
  if (typeof v === 'boolean') return v ? 't' : 'f'
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN'
    if (v === Infinity) return 'Infinity'
    if (v === -Infinity) return '-Infinity'
    if (Object.is(v, -0)) return '-0'
    return String(v)
  }
  if (typeof v === 'string') {
    if (t === 'double' && /^(nan|inf|-inf|infinity|-infinity)$/i.test(v)) return { nan: 'NaN', inf: 'Infinity', infinity: 'Infinity', '-inf': '-Infinity', '-infinity': '-Infinity' }[v.toLowerCase()]
    return v
  }
  return JSON.stringify(v)
}

async function compare (tarnCsv, version, jsonOnly) {
  const versions = commitVersions()
  if (version === undefined) version = versions[versions.length - 1]
  const { state, partCols, schemaTypes, columns, phys } = await replay(version, jsonOnly)
  const got = []
  for (const [p, pv] of state) {
    const file = `${table}/${decodeURIComponent(p)}`
    // columns added after the file was written (or re-added after a drop) read as NULL
    const inFile = new Set((await rows(`DESCRIBE SELECT * FROM read_parquet(${quote(file)})`)).map(x => x.column_name))
    const sel = columns.map(c => {
      const dt = duckType(schemaTypes[c])
      const pc = phys[c] ?? c
      // the column as its Delta type says (a Spark INT96 timestamp reads as
      // TIMESTAMP in DuckDB, the Delta type "timestamp" is an instant)
      let e = dt && dt !== 'BLOB' ? `CAST(${ident(pc)} AS ${dt})` : ident(pc)
      if (!inFile.has(pc) && !partCols.includes(c)) e = `NULL::${dt ?? 'VARCHAR'}`
      if (partCols.includes(c)) {
        const val = pv[pc]
        if (val === null || val === undefined) e = `NULL::${dt ?? 'VARCHAR'}`
        else if (dt === 'BLOB') e = `encode(${quote(val)})`
        else e = `${quote(val)}::${dt ?? 'VARCHAR'}`
      }
      // bytea prints as \x<hex> in tarn (PostgreSQL's text form)
      if (dt === 'BLOB') e = `'\\x' || lower(hex(${e}))`
      return `${e} AS ${ident(c)}`
    })
    for (const r of await rows(`SELECT ${sel.join(', ')} FROM read_parquet(${quote(file)})`)) {
      got.push(JSON.stringify(columns.map(c => pgText(r[c], schemaTypes[c]))))
    }
  }
  const csv = parseCsv(readFileSync(tarnCsv, 'utf8'))
  const header = csv.shift() ?? []
  if (header.join(',') !== columns.join(',')) {
    fail('compare', `tarn's columns [${header}] differ from the schema's [${columns}]`)
    return
  }
  const want = csv.map(r => JSON.stringify(r))
  got.sort(); want.sort()
  const label = `DuckDB replay of ${jsonOnly ? 'the JSON log' : 'checkpoint + log'} at version ${version}: ${state.size} files, ${got.length} rows`
  if (got.length !== want.length) return fail(label, `tarn printed ${want.length} rows`)
  for (let i = 0; i < got.length; i++) {
    if (got[i] !== want[i]) return fail(label, `first difference: DuckDB ${got[i]} vs tarn ${want[i]}`)
  }
  ok(label)
}

try {
  if (mode === 'validate') await validate()
  else if (mode === 'compare') {
    const vi = rest.indexOf('--version')
    await compare(rest[0], vi >= 0 ? Number(rest[vi + 1]) : undefined, rest.includes('--json-only'))
  } else {
    console.error(`unknown mode ${mode}`)
    process.exit(2)
  }
} catch (e) {
  fail(mode, e.message)
}
process.exit(failures ? 1 : 0)
