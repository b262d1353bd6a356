// tests/sql/tpch/compare.mjs - answer comparison shared by the TPC-H check
// (tests/sql/tpch/check.mjs) and the TPC-H benchmark (bench/tpch_queries.sh).
//
// parseCsv(text): rows of `tarn sql --csv` output (header dropped); an
//   unquoted empty field is NULL (null), a quoted one the empty string.
// compareRows(got, want): '' when equal, else the first difference.  Rows
//   compare in order (every TPC-H query has ORDER BY or returns one row);
//   numbers within 1e-6 relative (+0.01 absolute, for numeric division
//   scales), everything else as text.
export function parseCsv (s) {
  const rows = []
  let row = [], cur = '', q = false, quoted = false
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]
    if (q) {
      if (ch === '"' && s[i + 1] === '"') { cur += '"'; i++ } else if (ch === '"') q = false; else cur += ch
    } else if (ch === '"') { q = true; quoted = true }
    else if (ch === ',') { row.push(quoted || cur !== '' ? cur : null); cur = ''; quoted = false }
    else if (ch === '\n') { row.push(quoted || cur !== '' ? cur : null); rows.push(row); row = []; cur = ''; quoted = false }
    else cur += ch
  }
  return rows.slice(1)
}

export function compareRows (got, want) {
  if (got.length !== want.length) return `${got.length} rows, DuckDB ${want.length}`
  for (let a = 0; a < want.length; a++) {
    for (let b = 0; b < want[a].length; b++) {
      const d = want[a][b], t = got[a][b]
      if (d === null || t === null || t === undefined) {
        if (d !== t) return `row ${a} col ${b}: ${t} vs DuckDB ${d}`
        continue
      }
      const dn = Number(d), tn = Number(t)
      const same = !isNaN(dn) && !isNaN(tn) && String(d).trim() !== ''
        ? Math.abs(dn - tn) <= 1e-6 * Math.max(1, Math.abs(dn)) + 0.01
        : String(d) === t
      if (!same) return `row ${a} col ${b}: ${t} vs DuckDB ${d}`
    }
  }
  return ''
}
