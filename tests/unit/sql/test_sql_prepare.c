/*
 * test_sql_prepare.c - the prepared-statement and cursor API of tarn.h:
 * parameter type inference and description, result description before
 * execution, execution with text parameters of every type, errors, and
 * cursors fetched in pieces, closed early, and over results larger than
 * the streaming queue.
 */
#include "../test.h"

#include <string.h>

#include "sql_test_util.h"
#include "tarn.h"

static void exec_ok(tarn_db *db, const char *sql)
{
    tarn_error err = {0};
    int rc = tarn_exec(db, sql, NULL, &err);
    if (rc)
        TFAIL("%s: %s [%s]", sql, err.message, err.sqlstate);
}

static tarn_stmt *prep(tarn_db *db, const char *sql)
{
    tarn_stmt *st = NULL;
    tarn_error err = {0};
    int rc = tarn_prepare(db, sql, 0, NULL, &st, &err);
    if (rc)
        TFAIL("%s: %s [%s]", sql, err.message, err.sqlstate);
    return st;
}

static void setup_table(tarn_db *db)
{
    exec_ok(db, "CREATE TABLE t (id int, name text, amount numeric(10,2), day date, ts timestamptz, big bigint, "
                "f double precision, ok boolean, raw bytea, small smallint, r real, lts timestamp)");
    exec_ok(db, "INSERT INTO t VALUES (1, 'a', 1.50, '2024-01-01', '2024-01-01 10:00+00', 10, 0.5, true, "
                "'\\x0102', 1, 1.5, '2024-01-01 10:00'), (2, 'b', NULL, NULL, NULL, 20, NULL, false, NULL, 2, NULL, NULL)");
}

TEST(prepare_infers_parameter_types)
{
    tarn_db *db = open_lake();
    setup_table(db);
    tarn_stmt *st = prep(db, "SELECT id, name, amount FROM t WHERE id = $1 AND big > $2 AND day < $3 AND ts < $4 "
                             "AND name LIKE $5 AND amount = $6 AND ok = $7 AND f < $8 + 1 LIMIT $9");
    ASSERT_EQ_INT(tarn_stmt_nparams(st), 9);
    ASSERT_EQ_INT(tarn_stmt_param_oid(st, 0), 23);
    ASSERT_EQ_INT(tarn_stmt_param_oid(st, 1), 20);
    ASSERT_EQ_INT(tarn_stmt_param_oid(st, 2), 1082);
    ASSERT_EQ_INT(tarn_stmt_param_oid(st, 3), 1184);
    ASSERT_EQ_INT(tarn_stmt_param_oid(st, 4), 25);
    ASSERT_EQ_INT(tarn_stmt_param_oid(st, 5), 1700);
    ASSERT_EQ_INT(tarn_stmt_param_oid(st, 6), 16);
    ASSERT_EQ_INT(tarn_stmt_param_oid(st, 7), 23); /* $8 + 1 is integer */
    ASSERT_EQ_INT(tarn_stmt_param_oid(st, 8), 20);
    ASSERT_EQ_INT(tarn_stmt_param_oid(st, 9), 0);
    /* result description before execution */
    ASSERT_EQ_INT(tarn_stmt_ncols(st), 3);
    ASSERT_EQ_STR(tarn_stmt_colname(st, 1), "name");
    ASSERT_EQ_INT(tarn_stmt_coloid(st, 0), 23);
    ASSERT_EQ_INT(tarn_stmt_coloid(st, 2), 1700);
    ASSERT_EQ_INT(tarn_stmt_coltypmod(st, 2), (10 << 16 | 2) + 4);
    ASSERT_EQ_INT(tarn_stmt_coltypmod(st, 0), -1);
    ASSERT_EQ_STR(tarn_stmt_coltype(st, 2), "numeric(10,2)");
    tarn_stmt_free(st);

    /* select-list parameter: text; arithmetic: integer; explicit cast */
    st = prep(db, "SELECT $1, $2 + 1, $3::date");
    ASSERT_EQ_INT(tarn_stmt_param_oid(st, 0), 25);
    ASSERT_EQ_INT(tarn_stmt_param_oid(st, 1), 23);
    ASSERT_EQ_INT(tarn_stmt_param_oid(st, 2), 1082);
    ASSERT_EQ_INT(tarn_stmt_coloid(st, 0), 25);
    ASSERT_EQ_INT(tarn_stmt_coloid(st, 1), 23);
    tarn_stmt_free(st);

    /* INSERT: the columns' types; no result columns */
    st = prep(db, "INSERT INTO t (id, name, ts, raw, small, r, lts) VALUES ($1, $2, $3, $4, $5, $6, $7)");
    ASSERT_EQ_INT(tarn_stmt_nparams(st), 7);
    ASSERT_EQ_INT(tarn_stmt_param_oid(st, 0), 23);
    ASSERT_EQ_INT(tarn_stmt_param_oid(st, 2), 1184);
    ASSERT_EQ_INT(tarn_stmt_param_oid(st, 3), 17);
    ASSERT_EQ_INT(tarn_stmt_param_oid(st, 4), 21);
    ASSERT_EQ_INT(tarn_stmt_param_oid(st, 5), 700);
    ASSERT_EQ_INT(tarn_stmt_param_oid(st, 6), 1114);
    ASSERT_EQ_INT(tarn_stmt_ncols(st), 0);
    tarn_stmt_free(st);

    /* UPDATE / DELETE */
    st = prep(db, "UPDATE t SET f = $2 WHERE id = $1");
    ASSERT_EQ_INT(tarn_stmt_param_oid(st, 0), 23);
    ASSERT_EQ_INT(tarn_stmt_param_oid(st, 1), 701);
    tarn_stmt_free(st);
    st = prep(db, "DELETE FROM t WHERE day = $1");
    ASSERT_EQ_INT(tarn_stmt_param_oid(st, 0), 1082);
    ASSERT_EQ_INT(tarn_stmt_ncols(st), 0);
    tarn_stmt_free(st);
    /* RETURNING: rows described */
    st = prep(db, "INSERT INTO t (id, name) VALUES ($1, $2) RETURNING id, name || '!' AS bang");
    ASSERT_EQ_INT(tarn_stmt_ncols(st), 2);
    ASSERT_EQ_STR(tarn_stmt_colname(st, 1), "bang");
    ASSERT_EQ_INT(tarn_stmt_coloid(st, 1), 25);
    tarn_stmt_free(st);
    st = prep(db, "UPDATE t SET big = big + $1 RETURNING big");
    ASSERT_EQ_INT(tarn_stmt_param_oid(st, 0), 20);
    ASSERT_EQ_INT(tarn_stmt_ncols(st), 1);
    ASSERT_EQ_INT(tarn_stmt_coloid(st, 0), 20);
    tarn_stmt_free(st);
    tarn_close(db);
}

TEST(prepare_declared_types_and_errors)
{
    tarn_db *db = open_lake();
    setup_table(db);
    tarn_error err = {0};
    tarn_stmt *st = NULL;
    uint32_t oids[2] = {20, 0};
    ASSERT_OK(tarn_prepare(db, "SELECT $1, $2 + 1.5", 2, oids, &st, &err), &err);
    ASSERT_EQ_INT(tarn_stmt_param_oid(st, 0), 20);
    ASSERT_EQ_INT(tarn_stmt_param_oid(st, 1), 1700);
    ASSERT_EQ_INT(tarn_stmt_coloid(st, 0), 20);
    tarn_stmt_free(st);

    memset(&err, 0, sizeof err);

    ASSERT(tarn_prepare(db, "SELECT $1 IS NULL", 0, NULL, &st, &err) != 0);
    ASSERT_EQ_STR(err.sqlstate, "42P18");
    ASSERT_ERR_CONTAINS(&err, "could not determine data type of parameter $1");
    ASSERT(st == NULL);
    memset(&err, 0, sizeof err);
    ASSERT(tarn_prepare(db, "SELECT $2::int", 0, NULL, &st, &err) != 0);
    ASSERT_ERR_CONTAINS(&err, "parameter $1");
    memset(&err, 0, sizeof err);
    ASSERT(tarn_prepare(db, "SELECT 1; SELECT 2", 0, NULL, &st, &err) != 0);
    ASSERT_EQ_STR(err.sqlstate, "42601");
    memset(&err, 0, sizeof err);
    ASSERT(tarn_prepare(db, "SELECT * FROM nope WHERE x = $1", 0, NULL, &st, &err) != 0);
    ASSERT_EQ_STR(err.sqlstate, "42P01");
    uint32_t bad = 600; /* point: not a tarn type */
    memset(&err, 0, sizeof err);
    ASSERT(tarn_prepare(db, "SELECT $1", 1, &bad, &st, &err) != 0);
    ASSERT_EQ_STR(err.sqlstate, "0A000");
    memset(&err, 0, sizeof err);
    ASSERT(tarn_exec(db, "SELECT $1", NULL, &err) != 0);
    ASSERT_EQ_STR(err.sqlstate, "42P02");
    tarn_close(db);
}

TEST(prepare_execute_every_type)
{
    tarn_db *db = open_lake();
    setup_table(db);
    tarn_error err = {0};
    tarn_stmt *ins = prep(db, "INSERT INTO t VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)");
    const char *v1[12] = {"3", "it's", "12.345", "2024-02-29", "2024-03-31 02:30 Europe/Berlin", "-9000000000",
                          "1e-3", "yes", "\\xdeadbeef", "-7", "2.25", "1999-12-31 23:59:59.5"};
    tarn_result *r = NULL;
    ASSERT_OK(tarn_stmt_execute(ins, 12, v1, &r, &err), &err);
    ASSERT_EQ_STR(tarn_result_tag(r), "INSERT 0 1");
    tarn_result_free(r);
    const char *v2[12] = {"4", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    ASSERT_OK(tarn_stmt_execute(ins, 12, v2, NULL, &err), &err);
    /* bad input: the type's input function */
    const char *v3[12] = {"x", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    memset(&err, 0, sizeof err);
    ASSERT(tarn_stmt_execute(ins, 12, v3, NULL, &err) != 0);
    ASSERT_EQ_STR(err.sqlstate, "22P02");
    ASSERT_ERR_CONTAINS(&err, "invalid input syntax for type integer: \"x\"");
    memset(&err, 0, sizeof err);
    ASSERT(tarn_stmt_execute(ins, 2, v1, NULL, &err) != 0);
    ASSERT_EQ_STR(err.sqlstate, "08P01");
    tarn_stmt_free(ins);

    tarn_stmt *sel = prep(db, "SELECT * FROM t WHERE id >= $1 ORDER BY id");
    const char *p[1] = {"3"};
    ASSERT_OK(tarn_stmt_execute(sel, 1, p, &r, &err), &err);
    ASSERT_EQ_INT(tarn_result_nrows(r), 2);
    ASSERT_EQ_STR(tarn_result_value(r, 0, 1), "it's");
    ASSERT_EQ_STR(tarn_result_value(r, 0, 2), "12.35");
    ASSERT_EQ_STR(tarn_result_value(r, 0, 3), "2024-02-29");
    ASSERT_EQ_STR(tarn_result_value(r, 0, 4), "2024-03-31 01:30:00+00");
    ASSERT_EQ_STR(tarn_result_value(r, 0, 5), "-9000000000");
    ASSERT_EQ_STR(tarn_result_value(r, 0, 6), "0.001");
    ASSERT_EQ_STR(tarn_result_value(r, 0, 7), "t");
    ASSERT_EQ_STR(tarn_result_value(r, 0, 8), "\\xdeadbeef");
    ASSERT_EQ_STR(tarn_result_value(r, 0, 9), "-7");
    ASSERT_EQ_STR(tarn_result_value(r, 0, 10), "2.25");
    ASSERT_EQ_STR(tarn_result_value(r, 0, 11), "1999-12-31 23:59:59.5");
    for (int c = 1; c < 12; c++)
        ASSERT(tarn_result_value(r, 1, c) == NULL);
    tarn_result_free(r);
    /* a NULL parameter matches nothing */
    const char *pn[1] = {NULL};
    ASSERT_OK(tarn_stmt_execute(sel, 1, pn, &r, &err), &err);
    ASSERT_EQ_INT(tarn_result_nrows(r), 0);
    ASSERT_EQ_STR(tarn_result_tag(r), "SELECT 0");
    tarn_result_free(r);
    tarn_stmt_free(sel);

    /* UPDATE with parameters, tag */
    tarn_stmt *up = prep(db, "UPDATE t SET name = $2 WHERE id = $1");
    const char *pu[2] = {"4", "four"};
    ASSERT_OK(tarn_stmt_execute(up, 2, pu, &r, &err), &err);
    ASSERT_EQ_STR(tarn_result_tag(r), "UPDATE 1");
    tarn_result_free(r);
    tarn_stmt_free(up);
    tarn_close(db);
}

TEST(cursor_fetch_in_pieces)
{
    tarn_db *db = open_lake();
    tarn_error err = {0};
    exec_ok(db, "CREATE TABLE big AS SELECT g AS id, 'row ' || g AS s FROM generate_series(1, 20000) g");
    tarn_stmt *st = prep(db, "SELECT id, s, id * 0.5::float8 AS h FROM big WHERE id > $1 ORDER BY id");
    const char *p[1] = {"100"};
    tarn_cursor *c = NULL;
    ASSERT_OK(tarn_cursor_open(st, 1, p, &c, &err), &err);
    ASSERT_EQ_INT(tarn_cursor_ncols(c), 3);
    ASSERT_EQ_STR(tarn_cursor_colname(c, 1), "s");
    ASSERT_EQ_INT(tarn_cursor_coloid(c, 0), 23);
    ASSERT_EQ_STR(tarn_cursor_tag(c), "");
    int64_t seen = 0, expect = 101;
    const tarn_batch *b;
    int fetches = 0;
    for (;;) {
        ASSERT_OK(tarn_cursor_fetch(c, 777, &b, &err), &err);
        if (!b)
            break;
        fetches++;
        ASSERT(tarn_batch_nrows(b) >= 1 && tarn_batch_nrows(b) <= 777);
        for (int64_t i = 0; i < tarn_batch_nrows(b); i++, expect++) {
            ASSERT_EQ_INT(tarn_batch_int64(b, i, 0), expect);
            size_t len;
            const char *t = tarn_batch_text(b, i, 0, &len);
            char want[32];
            snprintf(want, sizeof want, "%lld", (long long)expect);
            ASSERT_EQ_STR(t, want);
            ASSERT_EQ_INT(len, strlen(want));
            const char *s = tarn_batch_bytes(b, i, 1, &len);
            snprintf(want, sizeof want, "row %lld", (long long)expect);
            ASSERT(len == strlen(want) && !memcmp(s, want, len));
            ASSERT_EQ_DBL(tarn_batch_double(b, i, 2), expect * 0.5);
        }
        seen += tarn_batch_nrows(b);
    }
    ASSERT_EQ_INT(seen, 19900);
    ASSERT(fetches >= 19900 / 777);
    ASSERT_EQ_STR(tarn_cursor_tag(c), "SELECT 19900");
    /* after the end: still the end */
    ASSERT_OK(tarn_cursor_fetch(c, 10, &b, &err), &err);
    ASSERT(b == NULL);
    tarn_cursor_close(c);
    tarn_stmt_free(st);
    tarn_close(db);
}

TEST(cursor_early_close_and_concurrent_statements)
{
    tarn_db *db = open_lake();
    tarn_error err = {0};
    exec_ok(db, "CREATE TABLE big AS SELECT g AS id FROM generate_series(1, 300000) g");
    tarn_stmt *st = prep(db, "SELECT id, id + 1 FROM big");
    tarn_cursor *c = NULL;
    ASSERT_OK(tarn_cursor_open(st, 0, NULL, &c, &err), &err);
    const tarn_batch *b;
    ASSERT_OK(tarn_cursor_fetch(c, 5, &b, &err), &err);
    ASSERT(b != NULL);
    ASSERT_EQ_INT(tarn_batch_nrows(b), 5);
    /* the session runs other statements while the cursor is open */
    tarn_result *r = NULL;
    ASSERT_OK(tarn_exec(db, "SELECT count(*) FROM big", &r, &err), &err);
    ASSERT_EQ_STR(tarn_result_value(r, 0, 0), "300000");
    tarn_result_free(r);
    ASSERT_OK(tarn_cursor_fetch(c, 0, &b, &err), &err);
    ASSERT(b != NULL && tarn_batch_nrows(b) > 0);
    tarn_cursor_close(c); /* stops the running query */

    /* a cursor opened and closed without fetching */
    ASSERT_OK(tarn_cursor_open(st, 0, NULL, &c, &err), &err);
    tarn_cursor_close(c);
    tarn_stmt_free(st);
    tarn_close(db);
}

/* A closed cursor's memory is reused by the next open (sql_cursor.c's
 * spare): cursors open at the same time stay separate, a reused one starts
 * clean (no description, rows or state of the old one), and cursors closed
 * in any order with the session closed last leak nothing (ASan). */
TEST(cursor_reuse_while_others_open)
{
    tarn_db *db = open_lake();
    tarn_error err = {0};
    exec_ok(db, "CREATE TABLE ct AS SELECT g AS id, 'v' || g AS s FROM generate_series(1, 50) g");
    tarn_stmt *a = prep(db, "SELECT id, s FROM ct WHERE id <= $1 ORDER BY id");
    tarn_stmt *b = prep(db, "SELECT count(*) AS n FROM ct WHERE id > $1");
    const char *p3[1] = {"3"}, *p40[1] = {"40"}, *pnull[1] = {NULL};
    tarn_cursor *c1 = NULL, *c2 = NULL, *c3 = NULL;
    const tarn_batch *bt;
    ASSERT_OK(tarn_cursor_open(a, 1, p3, &c1, &err), &err);
    ASSERT_OK(tarn_cursor_open(b, 1, p40, &c2, &err), &err);
    ASSERT_OK(tarn_cursor_fetch(c1, 2, &bt, &err), &err);
    ASSERT(bt && tarn_batch_nrows(bt) == 2 && tarn_batch_int64(bt, 1, 0) == 2);
    tarn_cursor_close(c1); /* closed before its end: its memory is the spare */
    ASSERT_OK(tarn_cursor_open(b, 1, pnull, &c3, &err), &err); /* reuses it */
    ASSERT_EQ_INT(tarn_cursor_ncols(c3), 1);
    ASSERT_EQ_STR(tarn_cursor_colname(c3, 0), "n");
    ASSERT_OK(tarn_cursor_fetch(c3, 0, &bt, &err), &err);
    ASSERT(bt && tarn_batch_nrows(bt) == 1);
    ASSERT_EQ_INT(tarn_batch_int64(bt, 0, 0), 0); /* id > NULL: no row */
    ASSERT_OK(tarn_cursor_fetch(c3, 0, &bt, &err), &err);
    ASSERT(bt == NULL);
    ASSERT_OK(tarn_cursor_fetch(c2, 0, &bt, &err), &err);
    ASSERT(bt && tarn_batch_nrows(bt) == 1 && tarn_batch_int64(bt, 0, 0) == 10);
    tarn_cursor_close(c3);
    tarn_cursor_close(c2); /* the spare is replaced (c3's memory freed) */
    /* an open that fails hands its memory back too */
    const char *bad[1] = {"x"};
    ASSERT(tarn_cursor_open(a, 1, bad, &c1, &err) != 0);
    ASSERT(c1 == NULL);
    ASSERT_OK(tarn_cursor_open(a, 1, p40, &c1, &err), &err);
    int64_t rows = 0;
    for (;;) {
        ASSERT_OK(tarn_cursor_fetch(c1, 7, &bt, &err), &err);
        if (!bt)
            break;
        for (int64_t i = 0; i < tarn_batch_nrows(bt); i++)
            ASSERT_EQ_INT(tarn_batch_int64(bt, i, 0), ++rows);
    }
    ASSERT_EQ_INT(rows, 40);
    tarn_cursor_close(c1); /* stays the spare until tarn_close frees it */
    tarn_stmt_free(a);
    tarn_stmt_free(b);
    tarn_close(db);
}

/* A result far too large to materialize: the first rows come while the
 * query runs, and close stops it (a materializing cursor would not finish). */
TEST(cursor_streams_unbounded_result)
{
    tarn_db *db = open_lake();
    tarn_error err = {0};
    tarn_stmt *st = prep(db, "SELECT g, g % 7 FROM generate_series(1, 4000000000000) g WHERE g % 2 = $1");
    const char *p[1] = {"0"};
    tarn_cursor *c = NULL;
    ASSERT_OK(tarn_cursor_open(st, 1, p, &c, &err), &err);
    const tarn_batch *b;
    int64_t rows = 0;
    for (int k = 0; k < 50; k++) {
        ASSERT_OK(tarn_cursor_fetch(c, 1000, &b, &err), &err);
        ASSERT(b != NULL);
        for (int64_t i = 0; i < tarn_batch_nrows(b); i++)
            ASSERT_EQ_INT(tarn_batch_int64(b, i, 0) % 2, 0);
        rows += tarn_batch_nrows(b);
    }
    ASSERT(rows >= 50);
    /* cancellation: rows already queued may still come, then 57014 */
    tarn_cursor_cancel(c);
    int rc;
    int guard = 0;
    while (!(rc = tarn_cursor_fetch(c, 0, &b, &err)) && b && guard++ < 100)
        ;
    ASSERT(rc != 0);
    ASSERT_EQ_STR(err.sqlstate, "57014");
    tarn_cursor_close(c);
    tarn_stmt_free(st);
    tarn_close(db);
}

TEST(cursor_errors_and_other_statements)
{
    tarn_db *db = open_lake();
    tarn_error err = {0};
    exec_ok(db, "CREATE TABLE t (a int)");
    exec_ok(db, "INSERT INTO t VALUES (1), (0), (2)");
    /* a run-time error reaches the fetch */
    tarn_stmt *st = prep(db, "SELECT 10 / a FROM t WHERE a < $1");
    const char *p[1] = {"5"};
    tarn_cursor *c = NULL;
    ASSERT_OK(tarn_cursor_open(st, 1, p, &c, &err), &err);
    const tarn_batch *b = NULL;
    int rc = 0;
    while (!(rc = tarn_cursor_fetch(c, 0, &b, &err)) && b)
        ;
    ASSERT(rc != 0);
    ASSERT_EQ_STR(err.sqlstate, "22012");
    memset(&err, 0, sizeof err);
    rc = tarn_cursor_fetch(c, 0, &b, &err);
    ASSERT(rc != 0);
    tarn_cursor_close(c);
    /* bad parameter text fails at open */
    const char *bad[1] = {"five"};
    memset(&err, 0, sizeof err);
    ASSERT(tarn_cursor_open(st, 1, bad, &c, &err) != 0);
    ASSERT_EQ_STR(err.sqlstate, "22P02");
    ASSERT(c == NULL);
    tarn_stmt_free(st);

    /* INSERT through a cursor: no rows, its tag */
    st = prep(db, "INSERT INTO t VALUES ($1)");
    const char *v[1] = {"7"};
    ASSERT_OK(tarn_cursor_open(st, 1, v, &c, &err), &err);
    ASSERT_EQ_INT(tarn_cursor_ncols(c), 0);
    ASSERT_OK(tarn_cursor_fetch(c, 0, &b, &err), &err);
    ASSERT(b == NULL);
    ASSERT_EQ_STR(tarn_cursor_tag(c), "INSERT 0 1");
    tarn_cursor_close(c);
    tarn_stmt_free(st);

    /* SHOW and EXPLAIN describe one text column */
    st = prep(db, "SHOW TimeZone");
    ASSERT_EQ_INT(tarn_stmt_ncols(st), 1);
    ASSERT_EQ_STR(tarn_stmt_colname(st, 0), "TimeZone");
    ASSERT_OK(tarn_cursor_open(st, 0, NULL, &c, &err), &err);
    ASSERT_OK(tarn_cursor_fetch(c, 0, &b, &err), &err);
    ASSERT(b && tarn_batch_nrows(b) == 1);
    ASSERT_EQ_STR(tarn_batch_text(b, 0, 0, NULL), "UTC");
    ASSERT_OK(tarn_cursor_fetch(c, 0, &b, &err), &err);
    ASSERT(b == NULL);
    ASSERT_EQ_STR(tarn_cursor_tag(c), "SHOW");
    tarn_cursor_close(c);
    tarn_stmt_free(st);
    st = prep(db, "EXPLAIN SELECT * FROM t WHERE a = $1");
    ASSERT_EQ_INT(tarn_stmt_ncols(st), 1);
    ASSERT_EQ_STR(tarn_stmt_colname(st, 0), "QUERY PLAN");
    ASSERT_EQ_INT(tarn_stmt_param_oid(st, 0), 23);
    tarn_stmt_free(st);

    /* timestamptz text in the session zone at open time; empty result */
    exec_ok(db, "SET TIME ZONE 'America/New_York'");
    st = prep(db, "SELECT $1::timestamptz AS x, NULL::int AS n");
    const char *tv[1] = {"2024-07-01 12:00+00"};
    ASSERT_OK(tarn_cursor_open(st, 1, tv, &c, &err), &err);
    ASSERT_OK(tarn_cursor_fetch(c, 0, &b, &err), &err);
    ASSERT_EQ_STR(tarn_batch_text(b, 0, 0, NULL), "2024-07-01 08:00:00-04");
    ASSERT(tarn_batch_isnull(b, 0, 1));
    ASSERT(tarn_batch_text(b, 0, 1, NULL) == NULL);
    ASSERT(!tarn_batch_isnull(b, 0, 0));
    /* PostgreSQL binary epoch: 2000-01-01 */
    ASSERT_EQ_INT(tarn_batch_int64(b, 0, 0), INT64_C(773150400000000));
    tarn_cursor_close(c);
    tarn_stmt_free(st);
    st = prep(db, "SELECT a FROM t WHERE a > 100");
    ASSERT_OK(tarn_cursor_open(st, 0, NULL, &c, &err), &err);
    ASSERT_OK(tarn_cursor_fetch(c, 0, &b, &err), &err);
    ASSERT(b == NULL);
    ASSERT_EQ_STR(tarn_cursor_tag(c), "SELECT 0");
    tarn_cursor_close(c);
    tarn_stmt_free(st);
    tarn_close(db);
}

TEST(sql_prepare_execute_session)
{
    tarn_db *db = open_lake();
    tarn_error err = {0};
    exec_ok(db, "PREPARE p(int, text) AS SELECT $1 * 2, upper($2)");
    tarn_result *r = NULL;
    ASSERT_OK(tarn_exec(db, "EXECUTE p(21, 'x')", &r, &err), &err);
    ASSERT_EQ_STR(tarn_result_value(r, 0, 0), "42");
    ASSERT_EQ_STR(tarn_result_value(r, 0, 1), "X");
    ASSERT_EQ_STR(tarn_result_tag(r), "SELECT 1");
    tarn_result_free(r);
    memset(&err, 0, sizeof err);
    ASSERT(tarn_exec(db, "PREPARE p AS SELECT 1", NULL, &err) != 0);
    ASSERT_EQ_STR(err.sqlstate, "42P05");
    /* the API can prepare EXECUTE: it describes the named statement's columns */
    tarn_stmt *st = prep(db, "EXECUTE p(1, 'y')");
    ASSERT_EQ_INT(tarn_stmt_ncols(st), 2);
    ASSERT_EQ_INT(tarn_stmt_coloid(st, 0), 23);
    ASSERT_EQ_INT(tarn_stmt_coloid(st, 1), 25);
    ASSERT_OK(tarn_stmt_execute(st, 0, NULL, &r, &err), &err);
    ASSERT_EQ_STR(tarn_result_value(r, 0, 1), "Y");
    tarn_result_free(r);
    tarn_stmt_free(st);
    exec_ok(db, "DEALLOCATE PREPARE p");
    memset(&err, 0, sizeof err);
    ASSERT(tarn_exec(db, "EXECUTE p(1, 'a')", NULL, &err) != 0);
    ASSERT_EQ_STR(err.sqlstate, "26000");
    /* statements left prepared are freed by tarn_close */
    exec_ok(db, "PREPARE q AS SELECT $1::int");
    tarn_close(db);
}

/* Every statement kind goes through tarn_prepare / execute / cursor without
 * crashing: it either works or fails with an error. */
TEST(prepare_any_statement_never_crashes)
{
    tarn_db *db = open_lake();
    exec_ok(db, "CREATE TABLE t (a int, b text)");
    static const char *const sqls[] = {
        "CREATE TABLE u AS SELECT $1::int AS x", "CREATE TABLE v (x int)", "DROP TABLE IF EXISTS nope",
        "SET search_path = public", "SHOW search_path", "BEGIN", "COMMIT", "TRUNCATE t",
        "COPY (SELECT $1::int) TO '/dev/null'", "EXPLAIN SELECT $1::int", "EXPLAIN ANALYZE SELECT * FROM t",
        "SELECT * FROM t WHERE a = ANY(SELECT $1::int)", "VALUES ($1::int), ($2)", "SELECT $1::int[]",
        "SELECT count(*) FROM t GROUP BY $1::int", "SELECT * FROM generate_series(1, $1::int)",
        "DELETE FROM t WHERE a IN (SELECT $1::int)", "SELECT $70000::int", "SELECT $0", "",
        "PREPARE x AS SELECT 1", "DEALLOCATE ALL", "SELECT a, b FROM t ORDER BY $1::int",
        "WITH c AS (SELECT $1::text AS s) SELECT s FROM c", "SELECT (SELECT $1::int) + 1",
    };
    for (size_t i = 0; i < sizeof sqls / sizeof sqls[0]; i++) {
        tarn_error err = {0};
        tarn_stmt *st = NULL;
        if (tarn_prepare(db, sqls[i], 0, NULL, &st, &err))
            continue;
        const char *vals[4] = {"1", "2", "3", "4"};
        int n = tarn_stmt_nparams(st);
        if (n > 4)
            n = 4;
        tarn_result *r = NULL;
        memset(&err, 0, sizeof err);
        if (!tarn_stmt_execute(st, n, vals, &r, &err))
            tarn_result_free(r);
        tarn_cursor *c = NULL;
        memset(&err, 0, sizeof err);
        if (!tarn_cursor_open(st, n, vals, &c, &err)) {
            const tarn_batch *b;
            while (!tarn_cursor_fetch(c, 3, &b, &err) && b)
                for (int64_t k = 0; k < tarn_batch_nrows(b); k++)
                    for (int col = 0; col < tarn_cursor_ncols(c); col++)
                        (void)tarn_batch_text(b, k, col, NULL);
            tarn_cursor_close(c);
        }
        tarn_stmt_free(st);
    }
    tarn_close(db);
}
