-- Correlated subqueries everywhere: scalar, EXISTS, IN / NOT IN, ANY /
-- ALL with NULLs on either side, in SELECT, WHERE, HAVING, ORDER BY, CASE,
-- join conditions, nested two levels deep.
SELECT t3.k, (SELECT count(*) FROM t1 WHERE t1.g = t3.k) FROM t3;
SELECT t3.k, (SELECT max(a) FROM t1 WHERE t1.g = t3.k AND t1.id < 50), (SELECT min(s) FROM t1 WHERE t1.a = t3.k) FROM t3;
SELECT t3.k, (SELECT sum(amount) FROM t2 WHERE t2.k = t3.k * 2) FROM t3;
SELECT id, (SELECT label FROM t3 WHERE t3.k = t1.g AND t3.label NOT LIKE '%again') FROM t1 WHERE id <= 30;
SELECT id, (SELECT label FROM t3 WHERE t3.k = t1.g) FROM t1 WHERE id <= 30;
SELECT id, a, (SELECT count(*) FROM t1 i WHERE i.a < t1.a AND i.id < 100) FROM t1 WHERE id <= 40;
SELECT id FROM t1 WHERE a > (SELECT avg(a) FROM t1 i WHERE i.g = t1.g) AND id < 100;
SELECT id FROM t1 WHERE a = (SELECT max(a) FROM t1 i WHERE i.g = t1.g);
SELECT id, a FROM t1 WHERE a = (SELECT min(a) FROM t1 i WHERE i.flag = t1.flag);
SELECT k, name FROM t2 WHERE amount = (SELECT max(amount) FROM t2 i WHERE i.grp = t2.grp);
SELECT t3.k FROM t3 WHERE EXISTS (SELECT 1 FROM t1 WHERE t1.a = t3.k);
SELECT t3.k FROM t3 WHERE NOT EXISTS (SELECT 1 FROM t1 WHERE t1.a = t3.k * 111);
SELECT t3.k, EXISTS (SELECT 1 FROM t2 WHERE t2.k = t3.k), NOT EXISTS (SELECT 1 FROM t2 WHERE t2.k = t3.k + 1) FROM t3;
SELECT count(*) FROM t1 WHERE EXISTS (SELECT 1 FROM t2 WHERE t2.k = t1.a AND t2.grp = t1.g % 7);
SELECT count(*) FROM t1 WHERE NOT EXISTS (SELECT 1 FROM t2 WHERE t2.k = t1.a);
SELECT count(*) FROM t2 WHERE EXISTS (SELECT 1 FROM t1 WHERE t1.a = t2.k AND t1.s IS NULL);
SELECT t3.k FROM t3 WHERE t3.k IN (SELECT g FROM t1 WHERE t1.a = t3.k * 100);
SELECT t3.k FROM t3 WHERE t3.k NOT IN (SELECT g FROM t1 WHERE t1.id = t3.k);
SELECT t3.k FROM t3 WHERE t3.k NOT IN (SELECT g FROM t1 WHERE t1.a IS NULL AND t1.id < t3.k * 40);
SELECT t3.k FROM t3 WHERE t3.k NOT IN (SELECT k FROM t2 WHERE t2.grp = t3.k);
SELECT t3.k, t3.k IN (SELECT k FROM t2 WHERE t2.grp = coalesce(t3.k, 0) % 7), t3.k NOT IN (SELECT k / 2 FROM t2 WHERE t2.grp = 3) FROM t3;
SELECT t3.k, t3.k IN (SELECT a FROM t1 WHERE t1.g = t3.k AND t1.id < 100) FROM t3;
SELECT t3.k, t3.k = ANY (SELECT a % 10 FROM t1 WHERE t1.g = t3.k), t3.k = ALL (SELECT a % 10 FROM t1 WHERE t1.g = t3.k AND t1.a = 5) FROM t3;
SELECT t3.k, t3.k < ANY (SELECT g FROM t1 WHERE t1.a = t3.k), t3.k > ALL (SELECT g FROM t1 WHERE t1.a = t3.k) FROM t3;
SELECT t3.k, t3.k <= ALL (SELECT k FROM t3 i WHERE i.label > t3.label), t3.k >= ANY (SELECT k FROM t3 i WHERE i.label < t3.label) FROM t3;
SELECT t3.k, t3.k <> ALL (SELECT k FROM t3 i WHERE i.k <> t3.k OR i.k IS NULL) FROM t3;
SELECT t3.k, t3.k = ANY (SELECT NULL::int FROM t3 i WHERE i.k = t3.k), t3.k = ALL (SELECT NULL::int WHERE false) FROM t3;
SELECT k FROM t3 WHERE k > ALL (SELECT g FROM t1 WHERE t1.id < k * 3);
SELECT k FROM t3 WHERE k < ANY (SELECT a FROM t1 WHERE t1.id = k * 7);
SELECT id, a FROM t1 WHERE a >= ALL (SELECT a FROM t1 i WHERE i.g = t1.g AND i.a IS NOT NULL) ORDER BY id;
SELECT id, a FROM t1 WHERE a > ANY (SELECT a FROM t1 i WHERE i.g = t1.g AND i.id > 2990) AND id < 60;
SELECT g, count(*) FROM t1 GROUP BY g HAVING count(*) > (SELECT count(*) / 10 FROM t1 i WHERE i.g <> t1.g) ORDER BY g;
SELECT g, sum(a) FROM t1 GROUP BY g HAVING EXISTS (SELECT 1 FROM t3 WHERE t3.k = t1.g AND t3.label LIKE '%3%');
SELECT g, (SELECT label FROM t3 WHERE t3.k = t1.g LIMIT 1), count(*) FROM t1 WHERE g <> 3 GROUP BY g;
SELECT g, (SELECT count(*) FROM t2 WHERE t2.grp = t1.g) AS c2, count(*) FROM t1 GROUP BY g;
-- unsupported: aggregates over outer-query columns only (docs/sql.md)
SELECT g, max(a), (SELECT count(*) FROM t1 i WHERE i.a = max(t1.a)) FROM t1 GROUP BY g;
-- unsupported: aggregates over outer-query columns only (docs/sql.md)
SELECT (SELECT max(t1.a) FROM t3 WHERE t3.k = 1) FROM t1;
SELECT t3.k, (SELECT max(t1.a + t3.k) FROM t1 WHERE t1.g = t3.k) FROM t3;
SELECT id, CASE WHEN a > 500 THEN (SELECT max(k) FROM t2 WHERE t2.grp = t1.g) ELSE (SELECT min(k) FROM t2 WHERE t2.grp = t1.g) END FROM t1 WHERE id <= 25;
SELECT id, coalesce((SELECT min(k) FROM t2 WHERE t2.k > t1.a AND t2.grp = 1), -1) FROM t1 WHERE id <= 40;
SELECT k, label FROM t3 ORDER BY (SELECT count(*) FROM t1 WHERE t1.g = t3.k), k NULLS FIRST, label;
-- unsupported: correlated subqueries in JOIN ... ON (docs/sql.md)
SELECT t3.k, x.id FROM t3 JOIN t1 x ON x.id = (SELECT min(id) FROM t1 WHERE t1.g = t3.k);
-- unsupported: correlated subqueries in JOIN ... ON (docs/sql.md)
SELECT t3.k, t2.name FROM t3 LEFT JOIN t2 ON t2.k = t3.k AND t2.amount = (SELECT max(amount) FROM t2 i WHERE i.k = t3.k);
SELECT t3.k, (SELECT count(*) FROM t2 WHERE t2.k = t3.k AND EXISTS (SELECT 1 FROM t1 WHERE t1.a = t2.k AND t1.g = t3.k)) FROM t3;
-- unsupported: correlated subqueries in aggregate arguments (docs/sql.md)
SELECT t3.k, (SELECT max((SELECT count(*) FROM t1 WHERE t1.g = t2.grp AND t1.a = t3.k)) FROM t2 WHERE t2.k = t3.k) FROM t3;
SELECT k FROM t3 WHERE EXISTS (SELECT 1 FROM t2 WHERE t2.grp = t3.k AND t2.k IN (SELECT a FROM t1 WHERE t1.g = t3.k));
SELECT k FROM t3 WHERE (SELECT count(*) FROM t1 WHERE t1.g = t3.k) > 299;
SELECT k, (SELECT id FROM t1 WHERE t1.g = t3.k) FROM t3;
SELECT k, (SELECT id, a FROM t1 WHERE t1.g = t3.k LIMIT 1) FROM t3;
SELECT k, (SELECT id FROM t1 WHERE t1.g = t3.k ORDER BY id LIMIT 1 OFFSET 2) FROM t3;
SELECT k, (SELECT string_agg(label, ',' ORDER BY label) FROM t3 i WHERE i.k <= t3.k) FROM t3;
SELECT k, (SELECT sum(i.k) FROM t3 i WHERE i.k < t3.k) FROM t3 WHERE k IS NOT NULL;
SELECT w.id, (SELECT count(*) FROM words x WHERE x.w < w.w) FROM words w;
SELECT w.id FROM words w WHERE w.w IN (SELECT lower(x.w) FROM words x WHERE x.id <> w.id);
SELECT n.id, (SELECT count(*) FROM nums m WHERE m.n > n.n), n.x > ALL (SELECT x FROM nums m WHERE m.id < n.id AND m.x = m.x) FROM nums n;
SELECT id FROM t1 WHERE id < 100 AND (a IN (SELECT k FROM t2 WHERE t2.grp = t1.g) OR s IS NULL);
SELECT id FROM t1 WHERE id < 200 AND (EXISTS (SELECT 1 FROM t3 WHERE t3.k = t1.g AND t3.k > 7) OR a < 10);
SELECT id, a FROM t1 WHERE id < 300 AND NOT (a = ANY (SELECT k FROM t2 WHERE t2.grp = t1.g % 7 AND t2.k < 100));
SELECT id FROM t1 WHERE id < 100 AND a NOT IN (SELECT k FROM t2 WHERE t2.grp = t1.g % 7 AND t2.name LIKE 'n1%');
SELECT count(*) FROM t1 WHERE a NOT IN (SELECT k FROM t2 WHERE k IS NOT NULL AND t2.grp = t1.g % 7);
SELECT d, (SELECT count(*) FROM t2 WHERE t2.d2 = t1.d) FROM t1 WHERE id <= 30;
SELECT id, (SELECT max(ts) FROM t1 i WHERE i.ts < t1.ts) FROM t1 WHERE id <= 20;
SELECT q.g, q.n, (SELECT count(*) FROM t2 WHERE t2.grp = q.g) FROM (SELECT g, count(*) AS n FROM t1 GROUP BY g) q;
SELECT t3.k, (SELECT x FROM (SELECT t3.k * 2 AS x) z) FROM t3;
SELECT t3.k, (SELECT count(*) FROM (SELECT DISTINCT g FROM t1 WHERE t1.a = t3.k) z) FROM t3;
SELECT t3.k, (SELECT max(id) FROM t1 WHERE t1.g = t3.k UNION ALL SELECT NULL ORDER BY 1 LIMIT 1) FROM t3;

-- Generated (fixed seed): correlated predicates of every kind over t1 / t2 / t3.
SELECT id, a FROM t1 WHERE id BETWEEN 1510 AND 1710 AND EXISTS (SELECT 1 FROM t2 WHERE t2.grp = t1.g % 7 AND t2.name < t1.s);
SELECT id, a FROM t1 WHERE id BETWEEN 164 AND 264 AND NOT EXISTS (SELECT 1 FROM t2 WHERE t2.d2 = t1.d);
SELECT id, a, a >= ANY (SELECT t2.k FROM t2 WHERE t2.grp = t1.g % 7 AND t2.name LIKE 'n10%') FROM t1 WHERE id BETWEEN 1596 AND 1796;
SELECT id, (SELECT count(*) FROM t2 WHERE t2.grp = t1.g % 7) FROM t1 WHERE id BETWEEN 1365 AND 1395;
SELECT id, a, a <> ALL (SELECT t2.k FROM t2 WHERE t2.grp = t1.g % 7 AND t2.name LIKE 'n19%') FROM t1 WHERE id BETWEEN 1386 AND 1486;
SELECT id, a FROM t1 WHERE id BETWEEN 1279 AND 1479 AND NOT EXISTS (SELECT 1 FROM t2 WHERE t2.k = t1.a);
SELECT id, a FROM t1 WHERE id BETWEEN 140 AND 240 AND EXISTS (SELECT 1 FROM t2 WHERE t2.d2 = t1.d);
SELECT id, a, a NOT IN (SELECT t2.k FROM t2 WHERE t2.grp = t1.g % 7 AND t2.amount < 149) FROM t1 WHERE id BETWEEN 2155 AND 2185;
SELECT id, a, a NOT IN (SELECT t2.k FROM t2 WHERE t2.grp = t1.g % 7 AND t2.amount < 150) FROM t1 WHERE id BETWEEN 2033 AND 2063;
SELECT id, a, a IN (SELECT t2.k FROM t2 WHERE t2.grp = t1.g % 7 AND t2.amount < 65) FROM t1 WHERE id BETWEEN 1799 AND 1899;
SELECT id, a, a >= ANY (SELECT t2.k FROM t2 WHERE t2.grp = t1.g % 7 AND t2.name LIKE 'n6%') FROM t1 WHERE id BETWEEN 363 AND 463;
SELECT id, a, a > ALL (SELECT t2.k FROM t2 WHERE t2.grp = t1.g % 7 AND t2.name LIKE 'n29%') FROM t1 WHERE id BETWEEN 2197 AND 2297;
SELECT id, a, a NOT IN (SELECT t2.k FROM t2 WHERE t2.grp = t1.g % 7 AND t2.amount < 54) FROM t1 WHERE id BETWEEN 770 AND 800;
SELECT id, (SELECT sum(t2.k) FROM t2 WHERE t2.d2 = t1.d) FROM t1 WHERE id BETWEEN 139 AND 169;
SELECT id, a, a NOT IN (SELECT t2.k FROM t2 WHERE t2.grp = t1.g % 7 AND t2.amount < 188) FROM t1 WHERE id BETWEEN 44 AND 74;
SELECT id, (SELECT sum(t2.k) FROM t2 WHERE t2.grp = t1.g % 7 AND t2.name < t1.s) FROM t1 WHERE id BETWEEN 1580 AND 1610;
SELECT id, a, a > ALL (SELECT t2.k FROM t2 WHERE t2.grp = t1.g % 7 AND t2.name LIKE 'n11%') FROM t1 WHERE id BETWEEN 1635 AND 1735;
SELECT id, a, a NOT IN (SELECT t2.k FROM t2 WHERE t2.grp = t1.g % 7 AND t2.amount < 148) FROM t1 WHERE id BETWEEN 1461 AND 1661;
SELECT id, a, a NOT IN (SELECT t2.k FROM t2 WHERE t2.grp = t1.g % 7 AND t2.amount < 105) FROM t1 WHERE id BETWEEN 2501 AND 2531;
SELECT id, a FROM t1 WHERE id BETWEEN 1778 AND 1808 AND NOT EXISTS (SELECT 1 FROM t2 WHERE t2.d2 = t1.d);
SELECT id, a, a <= ANY (SELECT t2.k FROM t2 WHERE t2.grp = t1.g % 7 AND t2.name LIKE 'n28%') FROM t1 WHERE id BETWEEN 1621 AND 1651;
SELECT id, a FROM t1 WHERE id BETWEEN 2116 AND 2316 AND NOT EXISTS (SELECT 1 FROM t2 WHERE t2.k > t1.a AND t2.grp = t1.g % 7);
SELECT id, a, a IN (SELECT t2.k FROM t2 WHERE t2.grp = t1.g % 7 AND t2.amount < 82) FROM t1 WHERE id BETWEEN 1330 AND 1360;
SELECT id, a FROM t1 WHERE id BETWEEN 642 AND 842 AND NOT EXISTS (SELECT 1 FROM t2 WHERE t2.grp = t1.g % 7 AND t2.name < t1.s);
SELECT id, a, a NOT IN (SELECT t2.k FROM t2 WHERE t2.grp = t1.g % 7 AND t2.amount < 128) FROM t1 WHERE id BETWEEN 688 AND 718;
SELECT id, a, a = ALL (SELECT t2.k FROM t2 WHERE t2.grp = t1.g % 7 AND t2.name LIKE 'n22%') FROM t1 WHERE id BETWEEN 399 AND 499;
SELECT id, a, a NOT IN (SELECT t2.k FROM t2 WHERE t2.grp = t1.g % 7 AND t2.amount < 174) FROM t1 WHERE id BETWEEN 2514 AND 2544;
SELECT id, a, a = ALL (SELECT t2.k FROM t2 WHERE t2.grp = t1.g % 7 AND t2.name LIKE 'n22%') FROM t1 WHERE id BETWEEN 1216 AND 1316;
SELECT id, a, a NOT IN (SELECT t2.k FROM t2 WHERE t2.grp = t1.g % 7 AND t2.amount < 106) FROM t1 WHERE id BETWEEN 2786 AND 2986;
SELECT id, (SELECT max(t2.k) FROM t2 WHERE t2.k = t1.a) FROM t1 WHERE id BETWEEN 1426 AND 1456;
