-- memory_limit spilling: hash aggregation, DISTINCT, grace hash joins of
-- every kind, sorts and window partitions over enough generated rows to
-- exceed a 4MB budget; results reduced to checksums (compared with
-- PostgreSQL, which has no such limit).  Ends with RESET.
-- tarn only: PostgreSQL has no memory_limit
SET memory_limit = '4MB';
SELECT count(*), sum(c), sum(s), sum(k) FROM (SELECT g % 150000 AS k, count(*) AS c, sum(g) AS s FROM generate_series(1, 400000) g GROUP BY g % 150000) t;
SELECT count(*), sum(length(k)), sum(c), min(k), max(k), sum(length(mx)) FROM (SELECT 'key-' || (g % 120000)::text AS k, count(*) AS c, max('v' || g::text) AS mx FROM generate_series(1, 300000) g GROUP BY 1) t;
SELECT count(*), sum(n), sum(mn), sum(mx) FROM (SELECT g % 100000 AS k, count(DISTINCT g % 7) AS n, min(g) AS mn, max(g) AS mx FROM generate_series(1, 300000) g GROUP BY 1) t;
SELECT count(*), sum(cnt), count(k) FROM (SELECT CASE WHEN g % 10 = 0 THEN NULL ELSE g % 90000 END AS k, count(*) AS cnt FROM generate_series(1, 300000) g GROUP BY 1) t;
SELECT count(*), sum(x) FROM (SELECT DISTINCT g % 130000 AS x FROM generate_series(1, 300000) g) t;
SELECT count(DISTINCT g % 140000), count(DISTINCT 's' || (g % 90000)::text) FROM generate_series(1, 300000) g;
SELECT count(*), sum(length(s)) FROM (SELECT DISTINCT md5((g % 60000)::text) AS s FROM generate_series(1, 200000) g) t;
SELECT count(*), sum(a.x), sum(b.y), sum(length(b.s)) FROM (SELECT g AS x FROM generate_series(1, 300000) g) a JOIN (SELECT g * 2 AS y, 'row' || g::text AS s FROM generate_series(1, 200000) g) b ON a.x = b.y;
SELECT count(*), count(b.y), sum(a.x), sum(b.y) FROM (SELECT g AS x FROM generate_series(1, 200000) g) a LEFT JOIN (SELECT g * 3 AS y FROM generate_series(1, 200000) g) b ON a.x = b.y;
SELECT count(*), count(a.x), count(b.y) FROM (SELECT g AS x FROM generate_series(1, 150000) g) a FULL JOIN (SELECT g * 2 AS y FROM generate_series(1, 150000) g) b ON a.x = b.y;
SELECT count(*), count(a.x), sum(b.y) FROM (SELECT g AS x FROM generate_series(1, 150000) g) a RIGHT JOIN (SELECT g + 100000 AS y FROM generate_series(1, 150000) g) b ON a.x = b.y;
SELECT count(*), sum(x) FROM generate_series(1, 300000) AS a(x) WHERE x % 5 = 0 AND EXISTS (SELECT 1 FROM generate_series(1, 200000) AS b(y) WHERE b.y = a.x);
SELECT count(*), sum(x) FROM generate_series(1, 200000) AS a(x) WHERE NOT EXISTS (SELECT 1 FROM generate_series(1, 300000, 3) AS b(y) WHERE b.y = a.x);
SELECT count(*) FROM generate_series(1, 200000) AS a(x) WHERE x IN (SELECT y * 7 FROM generate_series(1, 100000) AS b(y));
SELECT count(*), sum(a.x * b.m) FROM (SELECT g AS x, g % 1000 AS k FROM generate_series(1, 200000) g) a JOIN (SELECT g AS k, g % 13 AS m FROM generate_series(0, 999) g) b ON a.k = b.k;
SELECT sum(rn * x) FROM (SELECT x, row_number() OVER (ORDER BY x DESC) AS rn FROM (SELECT (g * 7919) % 300007 AS x FROM generate_series(1, 300000) g) t) q;
SELECT x, y FROM (SELECT (g * 7919) % 300007 AS x, md5(g::text) AS y FROM generate_series(1, 300000) g) t ORDER BY y, x LIMIT 20;
SELECT x FROM (SELECT (g * 104729) % 250007 AS x FROM generate_series(1, 250000) g) t ORDER BY x DESC OFFSET 100000 LIMIT 15;
SELECT count(*), min(s), max(s) FROM (SELECT md5(g::text) AS s FROM generate_series(1, 200000) g ORDER BY 1) t;
SELECT k, sum(v), count(*) FROM (SELECT g % 10 AS k, g AS v FROM generate_series(1, 300000) g) t GROUP BY k ORDER BY k;
SELECT sum(r), max(r), sum(c) FROM (SELECT rank() OVER (PARTITION BY g % 1000 ORDER BY g % 97) AS r, count(*) OVER (PARTITION BY g % 1000) AS c FROM generate_series(1, 200000) g) t;
SELECT sum(s) FROM (SELECT sum(g) OVER (PARTITION BY g % 500 ORDER BY g ROWS BETWEEN 3 PRECEDING AND CURRENT ROW) AS s FROM generate_series(1, 200000) g) t;
SELECT count(*), sum(t1.a), sum(t2.amount) FROM t1 JOIN t2 ON t1.a = t2.k;
SELECT count(*), sum(x.a) FROM t1 x JOIN t1 y ON x.g = y.g AND x.a = y.a WHERE x.id < 2000;
SELECT g, count(*), sum(a), count(DISTINCT s) FROM t1 GROUP BY ROLLUP (g);
SELECT count(*) FROM (SELECT g % 100000 AS x FROM generate_series(1, 200000) g INTERSECT SELECT g * 2 FROM generate_series(1, 100000) g) t;
SELECT count(*) FROM (SELECT g % 100000 AS x FROM generate_series(1, 200000) g EXCEPT SELECT g * 2 FROM generate_series(1, 100000) g) t;
SELECT count(*), sum(x) FROM (SELECT g % 100000 AS x FROM generate_series(1, 200000) g UNION SELECT g * 2 FROM generate_series(1, 100000) g) t;
-- tarn only: PostgreSQL has no memory_limit
SET memory_limit = '1MB';
SELECT count(*), sum(c) FROM (SELECT g % 50000 AS k, count(*) AS c FROM generate_series(1, 100000) g GROUP BY 1) t;
-- tarn only: PostgreSQL has no memory_limit
RESET memory_limit;
SELECT count(*) FROM (SELECT g % 150000 AS k FROM generate_series(1, 300000) g GROUP BY 1) t;
