/*
 * test_sql_api.c - the public SQL API (tarn.h) end to end: tables in a lake,
 * queries through every operator (scan, filter, hash aggregate with many
 * groups, hash join, sort, top-N), results and errors.
 */
#include "../test.h"

#include "sql_test_util.h"
#include "tarn.h"

TEST(sql_api_result_accessors)
{
    tarn_db *db = open_lake();
    tarn_result *r = run(db, "SELECT 1 AS a, 'x'::text AS b, NULL::int AS c, 2.50::numeric(5,2) AS d");
    ASSERT_EQ_INT(tarn_result_ncols(r), 4);
    ASSERT_EQ_INT(tarn_result_nrows(r), 1);
    ASSERT_EQ_STR(tarn_result_colname(r, 1), "b");
    ASSERT_EQ_STR(tarn_result_coltype(r, 0), "integer");
    ASSERT_EQ_STR(tarn_result_coltype(r, 3), "numeric(5,2)");
    ASSERT_EQ_INT(tarn_result_coloid(r, 0), 23);
    ASSERT_EQ_INT(tarn_result_coloid(r, 1), 25);
    ASSERT_EQ_STR(tarn_result_value(r, 0, 0), "1");
    ASSERT(tarn_result_value(r, 0, 2) == NULL);
    ASSERT_EQ_STR(tarn_result_value(r, 0, 3), "2.50");
    ASSERT(tarn_result_value(r, 5, 0) == NULL);
    ASSERT_EQ_STR(tarn_result_tag(r), "SELECT 1");
    tarn_result_free(r);
    tarn_close(db);
}

TEST(sql_api_tags_and_errors)
{
    tarn_db *db = open_lake();
    tarn_result *r = run(db, "CREATE TABLE t (a int)");
    ASSERT_EQ_STR(tarn_result_tag(r), "CREATE TABLE");
    tarn_result_free(r);
    r = run(db, "INSERT INTO t VALUES (1), (2), (3)");
    ASSERT_EQ_STR(tarn_result_tag(r), "INSERT 0 3");
    tarn_result_free(r);
    tarn_error err = {0};
    r = NULL;
    int rc = tarn_exec(db, "SELECT 1; SELECT nope FROM t; SELECT 2", &r, &err);
    ASSERT(rc != 0);
    ASSERT(r == NULL);
    ASSERT_EQ_STR(err.sqlstate, "42703");
    ASSERT_EQ_STR(err.message, "column \"nope\" does not exist");
    ASSERT_EQ_INT(err.position, 18);
    tarn_close(db);
}

TEST(sql_api_many_groups_parallel)
{
    tarn_db *db = open_lake();
    tarn_result *r = run(db, "CREATE TABLE g AS SELECT i, i % 50000 AS k, 'k' || (i % 977) AS s FROM generate_series(1, 300000) t(i)");
    tarn_result_free(r);
    r = run(db, "SELECT count(*), sum(c), min(c), max(c) FROM (SELECT k, count(*) AS c FROM g GROUP BY k) x");
    ASSERT_EQ_STR(tarn_result_value(r, 0, 0), "50000");
    ASSERT_EQ_STR(tarn_result_value(r, 0, 1), "300000");
    ASSERT_EQ_STR(tarn_result_value(r, 0, 2), "6");
    ASSERT_EQ_STR(tarn_result_value(r, 0, 3), "6");
    tarn_result_free(r);
    /* string keys, long and short */
    r = run(db, "SELECT count(*) FROM (SELECT s || repeat('x', 20), count(*) FROM g GROUP BY 1) x");
    ASSERT_EQ_STR(tarn_result_value(r, 0, 0), "977");
    tarn_result_free(r);
    tarn_close(db);
}

TEST(sql_api_join_sort_topn)
{
    tarn_db *db = open_lake();
    tarn_result *r = run(db, "CREATE TABLE f AS SELECT i, i % 1000 AS d FROM generate_series(1, 200000) t(i)");
    tarn_result_free(r);
    r = run(db, "CREATE TABLE dim AS SELECT i AS d, 'name' || i AS n FROM generate_series(0, 999) t(i)");
    tarn_result_free(r);
    r = run(db, "SELECT count(*), sum(f.i) FROM f JOIN dim ON f.d = dim.d WHERE dim.n LIKE 'name1%'");
    /* d in {1, 10..19, 100..199}: 111 values, 200 rows each */
    ASSERT_EQ_STR(tarn_result_value(r, 0, 0), "22200");
    tarn_result_free(r);
    r = run(db, "SELECT i FROM f ORDER BY d DESC, i LIMIT 3");
    ASSERT_EQ_INT(tarn_result_nrows(r), 3);
    ASSERT_EQ_STR(tarn_result_value(r, 0, 0), "999");
    ASSERT_EQ_STR(tarn_result_value(r, 1, 0), "1999");
    tarn_result_free(r);
    r = run(db, "SELECT n FROM dim ORDER BY n DESC LIMIT 2");
    ASSERT_EQ_STR(tarn_result_value(r, 0, 0), "name999");
    ASSERT_EQ_STR(tarn_result_value(r, 1, 0), "name998");
    tarn_result_free(r);
    r = run(db, "SELECT count(*) FROM dim LEFT JOIN f ON f.d = dim.d AND f.i < 0");
    ASSERT_EQ_STR(tarn_result_value(r, 0, 0), "1000");
    tarn_result_free(r);
    tarn_close(db);
}

TEST(sql_api_bad_input_never_crashes)
{
    tarn_db *db = open_lake();
    const char *bad[] = {
        "", ";", "SELECT", "SELECT (", "SELECT 1 FROM", "SELECT * FROM t WHERE", "CREATE TABLE",
        "SELECT 'unterminated", "SELECT $1", "SELECT ARRAY[1,2]", "INSERT INTO nope VALUES (1)",
        "SELECT * FROM generate_series(1, 10, 0)", "SELECT 1::numeric(1000,2)", "SELECT '\\x00'::bytea",
        "SELECT * FROM read_parquet('/nonexistent/*.parquet')", "COPY t TO STDOUT", "SET nope = 1",
        "SELECT 1 UNION SELECT", "DROP SCHEMA public CASCADE; SELECT 1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tarn_result *r = NULL;
        tarn_error err = {0};
        tarn_exec(db, bad[i], &r, &err);
        tarn_result_free(r);
    }
    tarn_close(db);
}
