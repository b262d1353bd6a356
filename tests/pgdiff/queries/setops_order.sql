-- UNION / INTERSECT / EXCEPT, DISTINCT, ORDER BY with NULLS FIRST/LAST,
-- LIMIT / OFFSET, VALUES, generate_series.
SELECT g FROM t1 WHERE g < 3 UNION SELECT grp FROM t2 WHERE grp > 4;
SELECT g FROM t1 WHERE id < 10 UNION ALL SELECT grp FROM t2 WHERE k < 10;
SELECT k FROM t3 UNION SELECT k FROM t3;
SELECT k FROM t3 INTERSECT SELECT grp FROM t2;
SELECT k FROM t3 EXCEPT SELECT grp FROM t2;
SELECT k FROM t3 EXCEPT SELECT k FROM t3 WHERE k > 5;
SELECT a FROM t1 WHERE id < 20 INTERSECT SELECT k FROM t2;
SELECT a FROM t1 EXCEPT SELECT k FROM t2;
SELECT NULL::int UNION SELECT NULL::int;
SELECT NULL::int INTERSECT SELECT NULL::int;
-- known: numeric scale is per expression, not per value (docs/sql.md Known differences)
SELECT 1, 'a' UNION SELECT 1.5, 'b' UNION SELECT 2, NULL ORDER BY 1;
SELECT 1 UNION SELECT 'a';
SELECT 1, 2 UNION SELECT 1;
SELECT k FROM t3 UNION SELECT g FROM t1 ORDER BY k DESC NULLS LAST LIMIT 4;
SELECT k AS x FROM t3 UNION ALL SELECT k FROM t3 ORDER BY x NULLS FIRST;
(SELECT k FROM t3 ORDER BY k LIMIT 2) UNION ALL (SELECT k FROM t3 ORDER BY k DESC NULLS LAST LIMIT 2);
SELECT count(*) FROM (SELECT a FROM t1 UNION SELECT k FROM t2) u;
SELECT count(*) FROM (SELECT a, g FROM t1 UNION ALL SELECT k, grp FROM t2) u;
SELECT DISTINCT g FROM t1;
SELECT DISTINCT g, flag FROM t1;
SELECT DISTINCT a % 5, a IS NULL FROM t1;
SELECT DISTINCT s IS NULL, length(s) FROM t1 ORDER BY 1, 2;
SELECT count(DISTINCT name), count(*) FROM (SELECT DISTINCT name, grp FROM t2) q;
SELECT id, a FROM t1 ORDER BY a NULLS FIRST, id LIMIT 10;
SELECT id, a FROM t1 ORDER BY a DESC, id LIMIT 10;
SELECT id, a FROM t1 ORDER BY a DESC NULLS LAST, id DESC LIMIT 10;
SELECT id, a FROM t1 ORDER BY a ASC NULLS LAST, id LIMIT 5 OFFSET 2990;
SELECT id, s FROM t1 ORDER BY s, id LIMIT 10;
SELECT id, s FROM t1 ORDER BY s DESC, id LIMIT 10;
SELECT id, f FROM t1 ORDER BY f NULLS FIRST, id LIMIT 5;
SELECT id, f FROM t1 ORDER BY f DESC, id LIMIT 5;
SELECT id, c FROM t1 ORDER BY c, id LIMIT 5;
SELECT id, d, ts FROM t1 ORDER BY d DESC, ts LIMIT 5;
SELECT id, flag FROM t1 ORDER BY flag NULLS FIRST, id DESC LIMIT 5;
SELECT id, flag FROM t1 ORDER BY flag DESC, id LIMIT 5;
SELECT id FROM t1 ORDER BY id LIMIT 0;
SELECT id FROM t1 ORDER BY id OFFSET 2998;
SELECT id FROM t1 ORDER BY id LIMIT 3 OFFSET 5000;
SELECT id FROM t1 ORDER BY id LIMIT ALL OFFSET 2997;
SELECT id FROM t1 ORDER BY id DESC FETCH FIRST 3 ROWS ONLY;
SELECT id FROM t1 ORDER BY id LIMIT -1;
SELECT id FROM t1 ORDER BY id OFFSET -1;
SELECT id AS x, a FROM t1 ORDER BY x DESC LIMIT 3;
SELECT id, a FROM t1 ORDER BY 2 DESC NULLS FIRST, 1 LIMIT 3;
SELECT id, a FROM t1 ORDER BY -a, id LIMIT 4;
SELECT id, a FROM t1 ORDER BY a % 7, a DESC, id LIMIT 8;
SELECT g, count(*) FROM t1 GROUP BY g ORDER BY count(*) DESC, g;
SELECT id FROM t1 ORDER BY 3;
SELECT id FROM t1 ORDER BY nope;
SELECT x FROM (VALUES (3), (1), (NULL), (2)) v(x) ORDER BY x;
SELECT x FROM (VALUES (3), (1), (NULL), (2)) v(x) ORDER BY x DESC;
SELECT x FROM (VALUES ('b'), ('a'), ('B'), (''), (NULL)) v(x) ORDER BY x NULLS FIRST;
SELECT x FROM (VALUES (1.5::float8), ('NaN'), ('-Infinity'), (-0.0), (0), ('Infinity'), (NULL)) v(x) ORDER BY x;
-- known: numeric scale is per expression, not per value (docs/sql.md Known differences)
SELECT x FROM (VALUES (1.50), (-2), (1.5), (0.001), (NULL)) v(x) ORDER BY x DESC;
VALUES (1, 'a'), (2, NULL), (NULL, 'c');
-- known: numeric scale is per expression, not per value (docs/sql.md Known differences)
VALUES (1), (2.5), (NULL);
VALUES (1), ('x');
SELECT * FROM generate_series(1, 5);
SELECT * FROM generate_series(10, 1, -3);
SELECT * FROM generate_series(1, 0);
SELECT * FROM generate_series(1::bigint, 3::bigint);
-- Not here: generate_series in the select list and over numeric (tarn: 42883,
-- no set-returning functions in the select list yet).
SELECT x, x * x FROM generate_series(-2, 2) AS g(x);
SELECT * FROM generate_series(timestamp '2020-01-01', timestamp '2020-01-02', interval '6 hours');
SELECT * FROM generate_series(timestamp '2020-01-31', timestamp '2020-05-31', interval '1 month');
SELECT count(*), sum(i), min(i), max(i) FROM generate_series(1, 100000) AS s(i);
SELECT i, t3.label FROM generate_series(0, 3) AS s(i) LEFT JOIN t3 ON t3.k = i ORDER BY i, t3.label;
SELECT * FROM generate_series(1, 10, 0);
