/*
 * test_sql_recreate.c - a table dropped and created again under the same
 * name by another handle (as another process would) while this handle keeps
 * the old one cached: the next statement reads the new table only - never
 * the old snapshot, nor the old snapshot extended with the new log's
 * commits - whether the new log is longer or shorter than the old one, with
 * other columns, and right after the drop (42P01).
 */
#include <string.h>
#include <unistd.h>

#include "../test.h"

#include "sql_test_util.h"
#include "tarn.h"

/* The single value of a one-row one-column query (NULL -> "NULL"), in buf. */
static const char *one(tarn_db *db, const char *sql, char *buf, size_t cap)
{
    tarn_result *r = run(db, sql);
    ASSERT_EQ_INT(tarn_result_nrows(r), 1);
    const char *v = tarn_result_value(r, 0, 0);
    snprintf(buf, cap, "%s", v ? v : "NULL");
    tarn_result_free(r);
    return buf;
}

/* `commits` INSERTs of one row each (values base+1 .. base+commits). */
static void insert_rows(tarn_db *db, const char *table, int base, int commits)
{
    for (int i = 1; i <= commits; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "INSERT INTO %s VALUES (%d)", table, base + i);
        tarn_result_free(run(db, sql));
    }
}

static void expect_err(tarn_db *db, const char *sql, const char *state)
{
    tarn_result *r = NULL;
    tarn_error err = {0};
    ASSERT(tarn_exec(db, sql, &r, &err) != 0);
    ASSERT(r == NULL);
    ASSERT_EQ_STR(err.sqlstate, state);
}

TEST(sql_recreate_longer_and_shorter_log)
{
    tarn_db *w = open_lake(), *r = open_lake();
    char b[64];
    for (int round = 0; round < 8; round++) {
        tarn_result_free(run(w, "CREATE TABLE t (a int)"));
        insert_rows(w, "t", 0, 3); /* versions 0..3: 1, 2, 3 */
        ASSERT_EQ_STR(one(r, "SELECT sum(a) FROM t", b, sizeof b), "6");
        tarn_result_free(run(w, "DROP TABLE t"));
        tarn_result_free(run(w, "CREATE TABLE t (a int)"));
        if (round % 2 == 0) {
            /* longer: versions 0..5 of the new log (100+1 .. 100+5) */
            insert_rows(w, "t", 100, 5);
            ASSERT_EQ_STR(one(r, "SELECT sum(a) FROM t", b, sizeof b), "515");
            ASSERT_EQ_STR(one(r, "SELECT count(*) FROM t", b, sizeof b), "5");
        } else {
            /* shorter: version 0..1 */
            insert_rows(w, "t", 200, 1);
            ASSERT_EQ_STR(one(r, "SELECT sum(a) FROM t", b, sizeof b), "201");
        }
        /* and the handle keeps following the new table */
        insert_rows(w, "t", 300, 1);
        ASSERT_EQ_STR(one(r, "SELECT max(a) FROM t", b, sizeof b), "301");
        tarn_result_free(run(w, "DROP TABLE t"));
    }
    tarn_close(r);
    tarn_close(w);
}

TEST(sql_recreate_same_length_other_columns)
{
    tarn_db *w = open_lake(), *r = open_lake();
    char b[64];
    tarn_result_free(run(w, "CREATE TABLE t (a int)"));
    insert_rows(w, "t", 0, 2);
    ASSERT_EQ_STR(one(r, "SELECT count(*) FROM t", b, sizeof b), "2");
    tarn_result_free(run(w, "DROP TABLE t"));
    tarn_result_free(run(w, "CREATE TABLE t (b text, c int)"));
    tarn_result_free(run(w, "INSERT INTO t VALUES ('x', 7)"));
    tarn_result_free(run(w, "INSERT INTO t VALUES ('y', NULL)")); /* version 2, as the old table */
    tarn_result *res = run(r, "SELECT * FROM t ORDER BY b");
    ASSERT_EQ_INT(tarn_result_ncols(res), 2);
    ASSERT_EQ_INT(tarn_result_nrows(res), 2);
    ASSERT_EQ_STR(tarn_result_colname(res, 0), "b");
    ASSERT_EQ_STR(tarn_result_value(res, 0, 0), "x");
    ASSERT_EQ_STR(tarn_result_value(res, 0, 1), "7");
    ASSERT(tarn_result_value(res, 1, 1) == NULL);
    tarn_result_free(res);
    expect_err(r, "SELECT a FROM t", "42703");
    tarn_close(r);
    tarn_close(w);
}

TEST(sql_recreate_drop_only)
{
    tarn_db *w = open_lake(), *r = open_lake();
    char b[64];
    tarn_result_free(run(w, "CREATE TABLE t (a int)"));
    insert_rows(w, "t", 0, 2);
    ASSERT_EQ_STR(one(r, "SELECT count(*) FROM t", b, sizeof b), "2");
    tarn_result_free(run(w, "DROP TABLE t"));
    expect_err(r, "SELECT count(*) FROM t", "42P01");
    expect_err(r, "INSERT INTO t VALUES (1)", "42P01");
    /* an empty new table */
    tarn_result_free(run(w, "CREATE TABLE t (a int)"));
    ASSERT_EQ_STR(one(r, "SELECT count(*) FROM t", b, sizeof b), "0");
    tarn_close(r);
    tarn_close(w);
}

/* The schema folder was unchanged for seconds before the drop (its cached
 * state is trusted then): the drop and re-create still show. */
TEST(sql_recreate_after_quiet_period)
{
    tarn_db *w = open_lake(), *r = open_lake();
    char b[64];
    tarn_result_free(run(w, "CREATE TABLE t (a int)"));
    insert_rows(w, "t", 0, 3);
    sleep(3);
    ASSERT_EQ_STR(one(r, "SELECT sum(a) FROM t", b, sizeof b), "6");
    ASSERT_EQ_STR(one(r, "SELECT sum(a) FROM t", b, sizeof b), "6");
    tarn_result_free(run(w, "DROP TABLE t"));
    tarn_result_free(run(w, "CREATE TABLE t (a int)"));
    insert_rows(w, "t", 10, 5);
    ASSERT_EQ_STR(one(r, "SELECT sum(a) FROM t", b, sizeof b), "65");
    tarn_close(r);
    tarn_close(w);
}
