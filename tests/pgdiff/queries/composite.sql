-- Queries composed of several features, and the errors PostgreSQL raises
-- for malformed ones (SQLSTATE classes must agree).
WITH j AS (SELECT t1.g, t2.grp, t1.c, t2.amount FROM t1 JOIN t2 ON t1.a = t2.k) SELECT g, grp, count(*), sum(c), max(amount) FROM j GROUP BY g, grp HAVING count(*) > 20 ORDER BY g, grp;
SELECT g, cnt, total FROM (SELECT g, count(*) AS cnt, sum(a) AS total FROM t1 GROUP BY g) s WHERE total > (SELECT avg(a) * 290 FROM t1) ORDER BY total DESC;
SELECT DISTINCT ON_key FROM (SELECT g % 3 AS on_key FROM t1) q ORDER BY 1;
-- known: numeric scale is per expression, not per value (docs/sql.md Known differences)
SELECT t3.label, coalesce(sum(t1.c), 0), count(t1.id) FROM t3 LEFT JOIN t1 ON t1.g = t3.k AND t1.flag GROUP BY t3.label ORDER BY t3.label;
SELECT x.g, y.g FROM (SELECT DISTINCT g FROM t1) x CROSS JOIN (SELECT DISTINCT g FROM t1 WHERE g < 2) y WHERE x.g > 7 ORDER BY 1, 2;
SELECT id, a, CASE WHEN a IN (SELECT k FROM t3) THEN 'small' ELSE 'big' END FROM t1 WHERE id < 12 ORDER BY id;
SELECT g, min(d), max(ts), count(DISTINCT flag) FROM t1 WHERE d >= date '2020-06-01' GROUP BY g ORDER BY g;
-- unsupported: row constructors
SELECT grp, name, amount FROM t2 WHERE (grp, amount) IN (SELECT grp, max(amount) FROM t2 GROUP BY grp) ORDER BY grp, name;
SELECT count(*) FROM t1 a JOIN t1 b ON a.id = b.id + 1 AND a.g = (b.g + 1) % 10;
SELECT upper(name) AS n, sum(amount) FROM t2 GROUP BY upper(name) ORDER BY sum(amount) DESC, n LIMIT 5;
SELECT count(*) FROM (SELECT a FROM t1 INTERSECT SELECT k FROM t2) x;
SELECT count(*) FROM (SELECT a FROM t1 EXCEPT SELECT k FROM t2 WHERE grp < 3) x;
SELECT s.k, s.n FROM (SELECT k, count(*) n FROM t2 GROUP BY k) s JOIN t3 USING (k) ORDER BY s.k;
SELECT DISTINCT g FROM t1 ORDER BY a;
SELECT g, a FROM t1 GROUP BY g;
SELECT id FROM t1 JOIN t2 ON true JOIN t3 ON true WHERE k = 1;
SELECT nope FROM t1;
SELECT t9.id FROM t1;
SELECT * FROM missing_table;
SELECT count(*) FROM t1 GROUP BY 5;
SELECT sum(count(*)) FROM t1;
SELECT id FROM t1 WHERE count(*) > 1;
SELECT 1 FROM t1 HAVING a > 1;
SELECT a + 'x' FROM t1;
SELECT s + 1 FROM t1;
SELECT d + d FROM t1;
SELECT length(1, 2);
SELECT nosuchfunc(1);
SELECT 1 UNION SELECT 1, 2;
SELECT id FROM t1 UNION SELECT name FROM t2;
SELECT * FROM t1 JOIN t2 ON a = nope;
SELECT CASE WHEN true THEN 1 ELSE 'x' END;
SELECT (SELECT id FROM t1);
SELECT id FROM t1 WHERE a IN (SELECT k, grp FROM t2);
SELECT id FROM t1 ORDER BY id LIMIT 'x';
SELECT * FROM t1 WHERE 1;
SELECT * FROM t1 WHERE s;
SELECT '2020-01-01'::date + '1 day';
SELECT 1 +;
SELECT FROM t1 WHERE;
