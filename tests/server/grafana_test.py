#!/usr/bin/python3
"""grafana_test.py - the queries Grafana's PostgreSQL data source sends, after
its macro expansion ($__timeGroupAlias, $__timeFilter, $__unixEpochFilter,
$__unixEpochGroupAlias, $__timeEpoch, $__timeFrom / $__timeTo), over the
simple query protocol as Grafana's driver does for queries without
parameters, plus the editor's metadata queries.  The whole response as
Grafana reads it - column names, type OIDs (Grafana converts by type:
timestamptz, float8, int8, numeric) and every value in text - is compared
with tests/server/grafana_expected.txt, which was recorded from PostgreSQL
15 with --record.

Usage: grafana_test.py DSN [--record FILE]
Prints "ok N - what" / "not ok N - what: diff"; exit status 1 on a failure.
"""
import difflib
import sys

import psycopg2
import psycopg2.extensions as ext

DSN = sys.argv[1]
RECORD = sys.argv[3] if len(sys.argv) > 3 and sys.argv[2] == "--record" else None
EXPECTED = __file__.rsplit("/", 1)[0] + "/grafana_expected.txt"

FROM, TO = "2026-01-01T00:00:00Z", "2026-01-01T06:00:00Z"  # the dashboard's time range
FROM_S, TO_S = 1767225600, 1767247200

QUERIES = [
    ("connection test", "SELECT 1"),
    ("TimescaleDB detection (none)", "SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'"),
    ("$__timeGroupAlias(ts,'5m') with $__timeFilter(ts): avg of a float8", f"""SELECT
  floor(extract(epoch from ts)/300)*300 AS "time",
  avg(value) AS "value"
FROM metrics
WHERE
  ts BETWEEN '{FROM}' AND '{TO}'
GROUP BY 1
ORDER BY 1"""),
    ("$__timeGroupAlias(ts,'15m') with a metric column: one series per host", f"""SELECT
  floor(extract(epoch from ts)/900)*900 AS "time",
  host AS metric,
  sum(cnt) AS "cnt"
FROM metrics
WHERE
  ts BETWEEN '{FROM}' AND '{TO}'
GROUP BY 1,2
ORDER BY 1,2"""),
    ("$__time(ts): raw points, timestamptz time column", f"""SELECT
  ts AS "time",
  value,
  amount
FROM metrics
WHERE
  ts BETWEEN '{FROM}' AND '{TO}' AND host = 'h1'
ORDER BY 1
LIMIT 12"""),
    ("$__timeEpoch(ts): epoch seconds (numeric in PostgreSQL 15)", f"""SELECT
  extract(epoch from ts) AS "time",
  cnt AS "requests"
FROM metrics
WHERE
  ts >= '{FROM}' AND ts <= '2026-01-01T00:10:00Z'
ORDER BY 1"""),
    ("$__unixEpochGroupAlias(epoch_s,'1h') with $__unixEpochFilter(epoch_s)", f"""SELECT
  floor(epoch_s/3600)*3600 AS "time",
  count(*) AS "points",
  max(value) AS "max"
FROM metrics
WHERE
  epoch_s >= {FROM_S} AND epoch_s <= {TO_S}
GROUP BY 1
ORDER BY 1"""),
    ("date_trunc buckets, numeric aggregates", f"""SELECT
  date_trunc('hour', ts) AS "time",
  sum(amount) AS "amount",
  avg(amount) AS "avg_amount",
  min(value) AS "min"
FROM metrics
WHERE
  ts BETWEEN '{FROM}' AND '{TO}'
GROUP BY 1
ORDER BY 1"""),
    ("to_timestamp of a bucketed epoch, $__timeFrom() / $__timeTo()", """SELECT
  to_timestamp(floor(extract(epoch from ts)/1800)*1800) AS "time",
  host AS "metric",
  count(*)
FROM metrics
WHERE
  ts >= '2026-01-01T01:00:00Z' AND ts < '2026-01-01T03:00:00Z'
GROUP BY 1, 2
ORDER BY 1, 2"""),
    ("table panel: latest value per host", f"""SELECT DISTINCT ON (host)
  host, ts AS "time", value
FROM metrics
WHERE
  ts BETWEEN '{FROM}' AND '{TO}'
ORDER BY host, ts DESC"""),
    ("$__timeGroup(ts,'1h') AS time with a CASE and NULL values", f"""SELECT
  floor(extract(epoch from ts)/3600)*3600 AS time,
  avg(CASE WHEN cnt = 0 THEN NULL ELSE value / cnt END) AS "ratio",
  count(*) FILTER (WHERE cnt = 0) AS "zeros"
FROM metrics
WHERE
  ts BETWEEN '{FROM}' AND '{TO}'
GROUP BY 1
ORDER BY 1"""),
    ("query editor: tables", """SELECT quote_ident(table_name) AS "table"
FROM information_schema.tables
WHERE quote_ident(table_schema) NOT IN ('information_schema', 'pg_catalog', '_timescaledb_cache', '_timescaledb_catalog',
  '_timescaledb_internal', '_timescaledb_config', 'timescaledb_information', 'timescaledb_experimental')
  AND table_type = 'BASE TABLE' AND table_name = 'metrics'
ORDER BY table_name"""),
    ("query editor: schema", "SELECT current_schema() AS schema"),
    ("query editor: columns of a table", """SELECT column_name, data_type
FROM information_schema.columns
WHERE table_name = 'metrics'
ORDER BY column_name"""),
]

# every value as the text the server sent
RAW = ext.new_type((16, 20, 21, 23, 25, 700, 701, 1043, 1082, 1114, 1184, 1700, 19), "RAW", lambda v, c: v)


def render(cur, sql):
    try:
        cur.execute(sql)
    except psycopg2.Error as e:
        return [f"ERROR {e.pgcode} {e.pgerror.strip().splitlines()[0]}"]
    out = ["columns: " + ", ".join(f"{d.name}:{d.type_code}" for d in cur.description)]
    out += ["|".join("NULL" if v is None else v for v in row) for row in cur.fetchall()]
    out.append(f"tag: {cur.statusmessage}")
    return out


conn = psycopg2.connect(DSN, application_name="grafana_test")
conn.autocommit = True
cur = conn.cursor()
ext.register_type(RAW, cur)
cur.execute("set time zone 'UTC'")
cur.execute("drop table if exists metrics")
cur.execute("create table metrics (ts timestamptz, host text, value float8, cnt bigint, amount numeric(10,2), epoch_s bigint)")
cur.execute("""insert into metrics
  select ts, 'h' || (m % 3), (m % 17) * 1.5 + 0.1, m % 5, (m % 23) * 0.25, extract(epoch from ts)::bigint
  from (select ts, (extract(epoch from ts)::bigint / 60) as m
        from generate_series('2025-12-31 23:00:00+00'::timestamptz, '2026-01-01 07:00:00+00', interval '1 minute') ts) s""")

sections = []
for name, sql in QUERIES:
    sections.append((name, render(cur, sql)))
cur.execute("drop table metrics")
conn.close()

if RECORD:
    with open(RECORD, "w") as f:
        for name, lines in sections:
            f.write(f"## {name}\n" + "".join(l + "\n" for l in lines))
    sys.exit(0)

expected, cur_name = {}, None
with open(EXPECTED) as f:
    for line in f:
        line = line.rstrip("\n")
        if line.startswith("## "):
            cur_name = line[3:]
            expected[cur_name] = []
        else:
            expected[cur_name].append(line)
n_fail = 0
for i, (name, lines) in enumerate(sections, 1):
    want = expected.get(name)
    if want == lines:
        print(f"ok {i} - {name}")
    else:
        n_fail += 1
        diff = "\n    ".join(list(difflib.unified_diff(want or [], lines, "postgresql", "tarn", lineterm=""))[:30])
        print(f"not ok {i} - {name}:\n    {diff}")
print(f"grafana_test: {len(sections)} tests, {n_fail} failed")
sys.exit(1 if n_fail else 0)
