-- Functions over columns with NULLs every few rows (kernels see NULL slots
-- mixed with values within one batch), checked as aggregates of the results.
SELECT count(upper(s)), count(length(s)), sum(length(s)), count(substr(s, 2, 3)), count(s || 'x'), count(concat(s, a)), count(replace(s, 'a', 'b')) FROM t1;
SELECT sum(length(lpad(s, 10, '*'))), sum(strpos(s, 'a')), count(NULLIF(s, substr(s, 1, 4))), sum(ascii(s)), count(md5(s)), count(reverse(s)) FROM t1;
SELECT sum(abs(a)), sum(a % 7), sum(a / 3), sum(-a), max(a * 1000000), sum(sign(f)), sum(round(f)), sum(ceil(c)), sum(floor(c)) FROM t1;
-- known: numeric scale is per expression, not per value (docs/sql.md Known differences): power(int, numeric) rounds each value to one column scale
SELECT sum(sqrt(abs(f))), sum(ln(a + 1)), sum(power(a, 0.5)), sum(exp(r / 100)), sum(round(c, 1)), sum(trunc(f::numeric, 2)) FROM t1;
SELECT count(d + a), min(d + a), max(d - a), count(ts + a * interval '1 hour'), max(ts + a * interval '1 hour'), min(date_trunc('month', ts)) FROM t1;
SELECT sum(extract(day from d + a)), sum(extract(hour from ts)), count(to_char(d, 'YYYY')), max(to_char(ts, 'HH24:MI')), count(age(ts, d)) FROM t1;
SELECT count(*) FILTER (WHERE s ~ 'a'), count(*) FILTER (WHERE s LIKE '%a%'), count(*) FILTER (WHERE s ILIKE '%A%'), count(*) FILTER (WHERE s SIMILAR TO '%a%'), count(regexp_replace(s, 'a', 'b')) FROM t1;
SELECT count(*) FILTER (WHERE a BETWEEN 100 AND 200), count(*) FILTER (WHERE a IN (1, 2, 919)), count(*) FILTER (WHERE flag IS DISTINCT FROM (a > 500)), count(*) FILTER (WHERE COALESCE(flag, a > 500)) FROM t1;
SELECT sum(CASE WHEN a IS NULL THEN 1 WHEN a > 500 THEN 2 ELSE 3 END), sum(COALESCE(a, 0) + COALESCE(f, 0)), sum(GREATEST(a, f)), sum(LEAST(a, f, c)) FROM t1;
SELECT count(a::text), sum(length(f::text)), count(c::text), max(flag::text), sum(a::float8), sum(f::int), count(ts::text), count(d::timestamp) FROM t1;
SELECT sum(a & 15), sum(a | 1), sum(a # 3), sum(a << 1), sum(a >> 1), sum(~a) FROM t1;
SELECT count(json_build_object('a', a)), max(json_build_array(a, s)::text), count(to_json(s)) FROM t1;
SELECT sum(num_nulls(a, s, f)), sum(num_nonnulls(a, s, f)), count(nullif(a, 919)), bool_and(a IS NOT NULL OR s IS NOT NULL) FROM t1;
SELECT g, count(s), max(upper(s)), min(lower(s)), sum(length(s)), count(DISTINCT length(s)) FROM t1 GROUP BY g ORDER BY g;
SELECT id, a, s, f, flag, a + f, s || a, upper(s), f > a, coalesce(s, a::text) FROM t1 WHERE id % 17 = 0 OR id % 23 = 0 OR id % 29 = 0 ORDER BY id LIMIT 40;
SELECT sum(sqrt(abs(f))), sum(ln(a + 1)), sum(exp(r / 100)), sum(round(c, 1)), sum(trunc(f::numeric, 2)) FROM t1;
