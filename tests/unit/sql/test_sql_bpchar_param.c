/*
 * test_sql_bpchar_param.c - extended-protocol parameters (tarn_prepare)
 * compared with a char(n) column, as PostgreSQL 15 resolves them: an
 * untyped parameter (type OID 0) becomes bpchar (1042) and compares
 * without trailing blanks; a text one (25) compares as text (the column's
 * blanks stripped, the parameter's kept).
 */
#include "../test.h"

#include "sql_test_util.h"
#include "tarn.h"

/* Rows of st run with the values, as "id,id,..." in buf. */
static const char *ids(tarn_stmt *st, int n, const char *const *vals, char *buf, size_t cap)
{
    tarn_result *r = NULL;
    tarn_error err = {0};
    ASSERT_OK(tarn_stmt_execute(st, n, vals, &r, &err), &err);
    size_t w = 0;
    buf[0] = 0;
    for (int64_t i = 0; i < tarn_result_nrows(r); i++)
        w += (size_t)snprintf(buf + w, cap - w, "%s%s", i ? "," : "", tarn_result_value(r, i, 0));
    tarn_result_free(r);
    return buf;
}

TEST(sql_bpchar_param_extended)
{
    tarn_db *db = open_lake();
    tarn_result_free(run(db, "CREATE TABLE t (id int, c char(4))"));
    tarn_result_free(run(db, "INSERT INTO t VALUES (1, 'c1'), (2, 'c2  '), (3, NULL)"));
    char b[64];
    tarn_error err = {0};

    tarn_stmt *st;
    ASSERT_OK(tarn_prepare(db, "SELECT id FROM t WHERE c = $1 ORDER BY id", 0, NULL, &st, &err), &err);
    ASSERT_EQ_INT(tarn_stmt_param_oid(st, 0), 1042);
    const char *v1[] = {"c1  "}, *v2[] = {"c1"}, *v3[] = {"c2 "}, *vn[] = {NULL}, *ve[] = {""};
    ASSERT_EQ_STR(ids(st, 1, v1, b, sizeof b), "1");
    ASSERT_EQ_STR(ids(st, 1, v2, b, sizeof b), "1");
    ASSERT_EQ_STR(ids(st, 1, v3, b, sizeof b), "2");
    ASSERT_EQ_STR(ids(st, 1, vn, b, sizeof b), "");
    ASSERT_EQ_STR(ids(st, 1, ve, b, sizeof b), "");
    tarn_stmt_free(st);

    /* paramTypes 0 given explicitly: the same */
    uint32_t zero = 0, text = 25, bpchar = 1042;
    ASSERT_OK(tarn_prepare(db, "SELECT id FROM t WHERE c = $1", 1, &zero, &st, &err), &err);
    ASSERT_EQ_INT(tarn_stmt_param_oid(st, 0), 1042);
    ASSERT_EQ_STR(ids(st, 1, v1, b, sizeof b), "1");
    tarn_stmt_free(st);

    /* text: compares as text */
    ASSERT_OK(tarn_prepare(db, "SELECT id FROM t WHERE c = $1", 1, &text, &st, &err), &err);
    ASSERT_EQ_INT(tarn_stmt_param_oid(st, 0), 25);
    ASSERT_EQ_STR(ids(st, 1, v1, b, sizeof b), "");
    ASSERT_EQ_STR(ids(st, 1, v2, b, sizeof b), "1");
    tarn_stmt_free(st);

    /* bpchar declared */
    ASSERT_OK(tarn_prepare(db, "SELECT id FROM t WHERE c = $1", 1, &bpchar, &st, &err), &err);
    ASSERT_EQ_INT(tarn_stmt_param_oid(st, 0), 1042);
    ASSERT_EQ_STR(ids(st, 1, v3, b, sizeof b), "2");
    tarn_stmt_free(st);

    /* IN list and <> */
    ASSERT_OK(tarn_prepare(db, "SELECT id FROM t WHERE c IN ($1, $2) ORDER BY id", 0, NULL, &st, &err), &err);
    ASSERT_EQ_INT(tarn_stmt_param_oid(st, 1), 1042);
    const char *v12[] = {"c2   ", "c1 "};
    ASSERT_EQ_STR(ids(st, 2, v12, b, sizeof b), "1,2");
    tarn_stmt_free(st);
    ASSERT_OK(tarn_prepare(db, "SELECT id FROM t WHERE c <> $1 ORDER BY id", 0, NULL, &st, &err), &err);
    ASSERT_EQ_STR(ids(st, 1, v1, b, sizeof b), "2");
    tarn_stmt_free(st);

    /* assignment: the column's type without its length; too long fails */
    ASSERT_OK(tarn_prepare(db, "INSERT INTO t VALUES (9, $1)", 0, NULL, &st, &err), &err);
    ASSERT_EQ_INT(tarn_stmt_param_oid(st, 0), 1042);
    const char *vl[] = {"toolong"};
    tarn_result *r = NULL;
    ASSERT(tarn_stmt_execute(st, 1, vl, &r, &err) != 0);
    ASSERT_EQ_STR(err.sqlstate, "22001");
    tarn_stmt_free(st);
    tarn_close(db);
}
