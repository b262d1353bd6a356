-- tests/pgdiff/setup.sql - generated tables, created by the same SQL in tarn
-- and in PostgreSQL (driver.c runs each statement in both).  Deterministic:
-- every value is an expression of the row number.

-- t1: 3000 rows; a has NULLs every 17th row, s every 23rd, f every 29th.
CREATE TABLE t1 (
    id int NOT NULL,
    a int,
    b bigint,
    c numeric(12,2),
    d date,
    s text,
    f double precision,
    r real,
    flag boolean,
    ts timestamp,
    g int
);
INSERT INTO t1
SELECT i,
       CASE WHEN i % 17 = 0 THEN NULL ELSE (i * 7919) % 1000 END,
       i::bigint * 1000003 - 1500000000,
       ((i * 37) % 10000 - 5000)::numeric(12,2) / 100,
       date '2020-01-01' + (i % 1000),
       CASE WHEN i % 23 = 0 THEN NULL ELSE substr(md5(i::text), 1, 4 + i % 9) END,
       CASE WHEN i % 29 = 0 THEN NULL ELSE (i - 1500)::float8 / 8 END,
       (i % 100)::real / 4,
       CASE WHEN i % 13 = 0 THEN NULL ELSE i % 3 = 0 END,
       timestamp '2021-03-04 05:06:07' + (i * 3671) * interval '1 second' + (i % 7) * interval '1 day',
       i % 10
FROM generate_series(1, 3000) AS s(i);

-- t2: 2000 rows; k joins t1.a (duplicates: k repeats every 500 rows,
-- NULL every 11th), grp is a low-cardinality key.
CREATE TABLE t2 (
    k int,
    name text,
    amount numeric(10,3),
    grp int,
    d2 date
);
INSERT INTO t2
SELECT CASE WHEN i % 11 = 0 THEN NULL ELSE (i * 13) % 500 * 2 END,
       'n' || (i % 300)::text,
       ((i * 7) % 2000)::numeric(10,3) / 8,
       i % 7,
       date '2020-06-01' + (i % 400)
FROM generate_series(1, 2000) AS s(i);

-- t3: a small dimension with a duplicate key and a NULL key.
CREATE TABLE t3 (k int, label text);
INSERT INTO t3 SELECT i, 'label' || i::text FROM generate_series(0, 9) AS s(i);
INSERT INTO t3 VALUES (3, 'three again'), (NULL, 'null key');

-- words: strings with spaces, case, punctuation, empty and NULL.
CREATE TABLE words (id int, w text);
INSERT INTO words VALUES
    (1, 'hello'), (2, 'Hello World'), (3, '  padded  '), (4, ''), (5, NULL),
    (6, 'a_b%c'), (7, 'MiXeD cAsE'), (8, 'x,y,,z'), (9, 'tab	here'), (10, 'abcabcabc'),
    (11, 'Ünïcödé'), (12, '123abc'), (13, 'O''Reilly'), (14, 'foo.bar.baz'), (15, 'zzz');

-- nums: numeric edge values.
CREATE TABLE nums (id int, n numeric(20,6), i8 bigint, i2 smallint, x double precision);
INSERT INTO nums VALUES
    (1, 0, 0, 0, 0), (2, 1.5, 1, 1, 1.5), (3, -1.5, -1, -1, -1.5), (4, 2.5, 2, 2, 2.5),
    (5, -2.5, -2, -2, -2.5), (6, 123456.789012, 9223372036854775807, 32767, 1e300),
    (7, -0.000001, -9223372036854775808, -32768, -1e-300), (8, NULL, NULL, NULL, NULL),
    (9, 99999999999999.999999, 42, 42, 0.1), (10, 0.5, 7, 7, 'NaN'), (11, 1, 3, 3, 'Infinity'),
    (12, 3.14159, 100, 100, -0.0);
