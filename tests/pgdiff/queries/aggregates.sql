-- Aggregates, GROUP BY, HAVING, FILTER, DISTINCT aggregates, empty input.
SELECT count(*), count(a), count(s), count(f), count(flag), count(DISTINCT a), count(DISTINCT g) FROM t1;
SELECT sum(a), sum(b), sum(c), sum(f), sum(r), sum(id::smallint) FROM t1;
SELECT min(a), max(a), min(b), max(b), min(c), max(c), min(f), max(f), min(r), max(r) FROM t1;
SELECT min(s), max(s), min(d), max(d), min(ts), max(ts), min(flag::int), bool_and(flag), bool_or(flag), every(flag) FROM t1;
-- known: numeric scale is per expression, not per value (docs/sql.md Known differences)
SELECT avg(a), avg(b), avg(c), avg(f), avg(r) FROM t1;
-- known: numeric scale is per expression, not per value (docs/sql.md Known differences)
SELECT avg(id::smallint), avg(a::bigint), avg(c::numeric(12,5)) FROM t1;
SELECT g, count(*), sum(a), min(s), max(d) FROM t1 GROUP BY g ORDER BY g;
SELECT g, avg(a) FROM t1 GROUP BY g ORDER BY g;
-- known: numeric scale is per expression, not per value (docs/sql.md Known differences)
SELECT g, avg(c) FROM t1 GROUP BY g ORDER BY g;
SELECT g, sum(c), avg(f), sum(f) FROM t1 GROUP BY g ORDER BY g;
-- known: numeric scale is per expression, not per value (docs/sql.md Known differences)
SELECT g, stddev(a), variance(a), stddev_pop(a), var_pop(a), stddev_samp(f), var_samp(f) FROM t1 GROUP BY g ORDER BY g;
SELECT stddev(c), variance(c), stddev_pop(c), var_pop(c) FROM t1;
-- known: numeric scale is per expression, not per value (docs/sql.md Known differences)
SELECT stddev(a), variance(b) FROM t1;
SELECT stddev(x), variance(x) FROM nums WHERE id < 6;
-- known: numeric scale is per expression, not per value (docs/sql.md Known differences)
SELECT stddev(a), variance(a), stddev_pop(a) FROM t1 WHERE id = 1;
SELECT bit_and(a), bit_or(a), bit_xor(a), bit_and(b), bit_or(g::smallint) FROM t1;
SELECT g, bool_and(a > 10), bool_or(a > 990), every(s IS NOT NULL) FROM t1 GROUP BY g ORDER BY g;
SELECT count(*), sum(a), avg(a), min(a), max(s), bool_and(flag), stddev(a), string_agg(s, ',') FROM t1 WHERE id < 0;
SELECT g, count(*) FROM t1 WHERE id < 0 GROUP BY g;
SELECT g, count(*), sum(a) FROM t1 GROUP BY g HAVING sum(a) > 150000 ORDER BY g;
SELECT g, count(*) FROM t1 GROUP BY g HAVING count(*) > 1000;
SELECT count(*) FROM t1 HAVING count(*) > 5;
SELECT count(*) FROM t1 HAVING count(*) > 5000;
SELECT flag, count(*), count(a), sum(a) FROM t1 GROUP BY flag ORDER BY flag NULLS FIRST;
SELECT a IS NULL, count(*) FROM t1 GROUP BY a IS NULL ORDER BY 1;
SELECT g, flag, count(*), max(a) FROM t1 GROUP BY g, flag ORDER BY g, flag;
SELECT g % 3 AS m, count(*) FROM t1 GROUP BY m ORDER BY m;
SELECT g + 1, count(*) FROM t1 GROUP BY g + 1 ORDER BY 1;
SELECT upper(substr(s, 1, 1)) AS first, count(*), count(DISTINCT s) FROM t1 GROUP BY 1 ORDER BY 1;
SELECT extract(month from d) AS m, sum(c), min(c), max(c) FROM t1 GROUP BY 1 ORDER BY 1;
-- known: numeric scale is per expression, not per value (docs/sql.md Known differences)
SELECT count(*) FILTER (WHERE a > 500), sum(a) FILTER (WHERE flag), avg(c) FILTER (WHERE g = 1), max(s) FILTER (WHERE id > 2990) FROM t1;
SELECT g, count(*) FILTER (WHERE flag IS NULL), sum(c) FILTER (WHERE c < 0) FROM t1 GROUP BY g ORDER BY g;
SELECT count(DISTINCT a), sum(DISTINCT a), avg(DISTINCT g), count(DISTINCT s) FROM t1;
SELECT g, count(DISTINCT a), sum(DISTINCT a % 10) FROM t1 GROUP BY g ORDER BY g;
-- unsupported: row constructors
SELECT count(DISTINCT (a, g)) FROM t1;
SELECT string_agg(name, ',') FROM (SELECT DISTINCT name FROM t2 WHERE grp = 0 AND k < 100 ORDER BY name) q;
SELECT grp, count(*), sum(amount), avg(amount), min(name), max(k) FROM t2 GROUP BY grp ORDER BY grp;
SELECT k, count(*) FROM t2 GROUP BY k HAVING count(*) > 4 ORDER BY k NULLS FIRST;
SELECT count(*) FROM (SELECT k FROM t2 GROUP BY k) q;
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY a), percentile_disc(0.5) WITHIN GROUP (ORDER BY a), percentile_cont(0.25) WITHIN GROUP (ORDER BY f) FROM t1;
SELECT g, percentile_cont(0.9) WITHIN GROUP (ORDER BY c), percentile_disc(0.1) WITHIN GROUP (ORDER BY s) FROM t1 GROUP BY g ORDER BY g;
SELECT mode() WITHIN GROUP (ORDER BY g) FROM t1 WHERE id % 7 = 0;
SELECT sum(i8) FROM nums;
-- known: numeric scale is per expression, not per value (docs/sql.md Known differences)
SELECT sum(i8::numeric) FROM nums;
SELECT sum(x) FROM nums;
-- known: numeric scale is per expression, not per value (docs/sql.md Known differences)
SELECT sum(n), avg(n), min(n), max(n) FROM nums;
SELECT avg(i2), sum(i2), avg(i8) FROM nums WHERE id <> 6 AND id <> 7;
SELECT sum(2147483647) FROM t1;
SELECT sum(b) FROM t1 WHERE id < 100;
SELECT max(a) + min(a), count(*) * 2, sum(a) / count(*) FROM t1;
SELECT a, count(*) FROM t1 GROUP BY a ORDER BY count(*) DESC, a LIMIT 5;
SELECT id, a FROM t1 GROUP BY id HAVING id < 3 ORDER BY id;
SELECT a, count(*) FROM t1 GROUP BY 1 HAVING a IS NULL;
SELECT s, count(*) FROM t1 GROUP BY s HAVING count(*) > 1 ORDER BY s NULLS LAST;
SELECT a, id FROM t1 GROUP BY a;
SELECT sum(s) FROM t1;
SELECT count(*) FROM t1 WHERE sum(a) > 0;
SELECT avg(d) FROM t1;
