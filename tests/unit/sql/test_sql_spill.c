/*
 * test_sql_spill.c - memory_limit, spilling and robustness through the
 * public API: EXPLAIN ANALYZE proves that hash aggregation, hash joins and
 * sorts really spilled (and the answers match the unspilled ones), spill
 * files do not outlive the query, and absurd statements (a 100000-element
 * IN list, expressions nested 100000 deep) end fast with a result or a
 * clean error.
 */
#include "../test.h"

#include <dirent.h>
#include <string.h>
#include <time.h>

#include "sql_test_util.h"
#include "tarn.h"

/* All rows of a one-column result joined by newlines (caller frees). */
static char *text_of(tarn_result *r)
{
    size_t cap = 1, n = tarn_result_nrows(r);
    for (size_t i = 0; i < n; i++)
        cap += strlen(tarn_result_value(r, i, 0)) + 1;
    char *s = calloc(1, cap);
    for (size_t i = 0; i < n; i++) {
        strcat(s, tarn_result_value(r, i, 0));
        strcat(s, "\n");
    }
    return s;
}

static void expect_spill(tarn_db *db, const char *query, const char *op)
{
    char sql[2048];
    snprintf(sql, sizeof sql, "EXPLAIN ANALYZE %s", query);
    tarn_result *r = run(db, sql);
    char *plan = text_of(r);
    char *line = strstr(plan, op);
    if (!line)
        TFAIL("no %s in plan:\n%s", op, plan);
    char *eol = strchr(line, '\n');
    if (eol)
        *eol = 0;
    if (!strstr(line, "spilled:"))
        TFAIL("%s did not spill: %s", op, line);
    free(plan);
    tarn_result_free(r);
}

static char *first_row(tarn_db *db, const char *query)
{
    tarn_result *r = run(db, query);
    size_t len = 1;
    for (int c = 0; c < tarn_result_ncols(r); c++)
        len += strlen(tarn_result_value(r, 0, c) ? tarn_result_value(r, 0, c) : "NULL") + 1;
    char *s = calloc(1, len);
    for (int c = 0; c < tarn_result_ncols(r); c++) {
        strcat(s, tarn_result_value(r, 0, c) ? tarn_result_value(r, 0, c) : "NULL");
        strcat(s, "|");
    }
    tarn_result_free(r);
    return s;
}

static const char *AGG_Q = "SELECT count(*), sum(c), sum(length(k)), max(m) FROM (SELECT 'k' || (g % 150000)::text AS k, "
                           "count(*) AS c, max(g) AS m FROM generate_series(1, 450000) g GROUP BY 1) t";
static const char *JOIN_Q = "SELECT count(*), sum(a.x), count(b.y) FROM (SELECT g AS x FROM generate_series(1, 300000) g) a "
                            "FULL JOIN (SELECT g * 3 AS y, 'r' || g::text AS s FROM generate_series(1, 300000) g) b ON a.x = b.y";
static const char *SORT_Q = "SELECT x FROM (SELECT g AS x FROM generate_series(1, 400000) g ORDER BY (g::bigint * 7919) % 400000 DESC, g) t "
                            "OFFSET 399995";

TEST(sql_spill_operators_spill_and_agree)
{
    tarn_db *db = open_lake();
    /* the answers with the default limit (nothing spills) */
    char *agg = first_row(db, AGG_Q), *join = first_row(db, JOIN_Q), *sort = first_row(db, SORT_Q);
    tarn_result_free(run(db, "SET memory_limit = '3MB'"));
    expect_spill(db, AGG_Q, "Hash Aggregate");
    expect_spill(db, JOIN_Q, "Hash Join");
    expect_spill(db, SORT_Q, "Sort");
    char *agg2 = first_row(db, AGG_Q), *join2 = first_row(db, JOIN_Q), *sort2 = first_row(db, SORT_Q);
    ASSERT_EQ_STR(agg2, agg);
    ASSERT_EQ_STR(join2, join);
    ASSERT_EQ_STR(sort2, sort);
    free(agg), free(join), free(sort), free(agg2), free(join2), free(sort2);
    /* spill files are anonymous: nothing is left in the temp directory */
    char dir[1200];
    snprintf(dir, sizeof dir, "%s/lake/.tarn_tmp", test_tmp_dir());
    DIR *d = opendir(dir);
    ASSERT(d != NULL);
    struct dirent *de;
    while ((de = readdir(d)))
        if (de->d_name[0] != '.')
            TFAIL("left behind: %s", de->d_name);
    closedir(d);
    tarn_close(db);
}

TEST(sql_spill_settings)
{
    tarn_db *db = open_lake();
    tarn_result *r = run(db, "SHOW memory_limit");
    ASSERT(strstr(tarn_result_value(r, 0, 0), "B") != NULL); /* default: 80% of RAM, e.g. "12800MB" */
    tarn_result_free(r);
    tarn_result_free(run(db, "SET memory_limit = '512MB'"));
    r = run(db, "SHOW memory_limit");
    ASSERT_EQ_STR(tarn_result_value(r, 0, 0), "512MB");
    tarn_result_free(r);
    tarn_result_free(run(db, "SET memory_limit = '50%'"));
    r = run(db, "SHOW memory_limit");
    ASSERT_EQ_STR(tarn_result_value(r, 0, 0), "50%");
    tarn_result_free(r);
    const char *bad[] = {"SET memory_limit = 'lots'", "SET memory_limit = '10'", "SET memory_limit = '0.5MB'",
                         "SET memory_limit = '150%'", "SET memory_limit = '-1GB'"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tarn_error err = {0};
        r = NULL;
        ASSERT(tarn_exec(db, bad[i], &r, &err) != 0);
        ASSERT_EQ_STR(err.sqlstate, "22023");
        ASSERT_ERR_CONTAINS(&err, "invalid value for parameter \"memory_limit\"");
    }
    tarn_result_free(run(db, "RESET memory_limit"));
    r = run(db, "SHOW memory_limit");
    ASSERT(strcmp(tarn_result_value(r, 0, 0), "50%") != 0);
    tarn_result_free(r);
    /* an unusable temp_directory: the spilling query fails cleanly */
    tarn_result_free(run(db, "SET temp_directory = '/proc/no/such/dir'"));
    tarn_result_free(run(db, "SET memory_limit = '3MB'"));
    tarn_error err = {0};
    r = NULL;
    ASSERT(tarn_exec(db, AGG_Q, &r, &err) != 0);
    ASSERT_EQ_STR(err.sqlstate, "58030");
    ASSERT_ERR_CONTAINS(&err, "could not create temporary directory");
    tarn_result_free(run(db, "RESET temp_directory"));
    char *a = first_row(db, AGG_Q);
    ASSERT(strlen(a) > 0);
    free(a);
    tarn_close(db);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

TEST(sql_robust_huge_in_list)
{
    tarn_db *db = open_lake();
    size_t cap = 100000 * 8 + 200;
    char *sql = malloc(cap);
    size_t n = (size_t)snprintf(sql, cap, "SELECT count(*), sum(g) FROM generate_series(1, 300000) g WHERE g IN (");
    for (int i = 0; i < 100000; i++)
        n += (size_t)snprintf(sql + n, cap - n, "%s%d", i ? "," : "", i * 3);
    snprintf(sql + n, cap - n, ")");
    double t0 = now_s();
    char *row = first_row(db, sql);
    double dt = now_s() - t0;
    /* multiples of 3 in 1..299997: 99999 of them, sum 3 * (1 + ... + 99999) */
    ASSERT_EQ_STR(row, "99999|14999850000|");
    if (dt > 20)
        TFAIL("100000-element IN list took %.1f s", dt);
    free(row);
    free(sql);
    tarn_close(db);
}

TEST(sql_robust_deep_nesting)
{
    tarn_db *db = open_lake();
    size_t cap = 500000;
    char *sql = malloc(cap);
    /* a left-deep chain of 100000 additions */
    size_t n = (size_t)snprintf(sql, cap, "SELECT ");
    for (int i = 0; i < 100000; i++)
        n += (size_t)snprintf(sql + n, cap - n, "1+");
    snprintf(sql + n, cap - n, "1");
    tarn_error err = {0};
    tarn_result *r = NULL;
    double t0 = now_s();
    ASSERT(tarn_exec(db, sql, &r, &err) != 0);
    ASSERT_EQ_STR(err.sqlstate, "54001");
    ASSERT_ERR_CONTAINS(&err, "stack depth limit exceeded");
    /* 3500 levels: parsed (on the large-stack thread), refused by the depth check */
    n = (size_t)snprintf(sql, cap, "SELECT ");
    for (int i = 0; i < 3500; i++)
        n += (size_t)snprintf(sql + n, cap - n, "1-");
    snprintf(sql + n, cap - n, "1");
    memset(&err, 0, sizeof err);
    ASSERT(tarn_exec(db, sql, &r, &err) != 0);
    ASSERT_EQ_STR(err.sqlstate, "54001");
    /* 5000 levels: refused before parsing */
    n = (size_t)snprintf(sql, cap, "SELECT ");
    for (int i = 0; i < 5000; i++)
        n += (size_t)snprintf(sql + n, cap - n, "1*");
    snprintf(sql + n, cap - n, "1");
    memset(&err, 0, sizeof err);
    ASSERT(tarn_exec(db, sql, &r, &err) != 0);
    ASSERT_EQ_STR(err.sqlstate, "54001");
    /* 10000 nested parentheses: the grammar's stack, as in PostgreSQL */
    n = (size_t)snprintf(sql, cap, "SELECT ");
    for (int i = 0; i < 10000; i++)
        sql[n++] = '(';
    sql[n++] = '1';
    for (int i = 0; i < 10000; i++)
        sql[n++] = ')';
    sql[n] = 0;
    memset(&err, 0, sizeof err);
    ASSERT(tarn_exec(db, sql, &r, &err) != 0);
    ASSERT_ERR_CONTAINS(&err, "memory exhausted");
    if (now_s() - t0 > 20)
        TFAIL("deep statements took %.1f s", now_s() - t0);
    /* the session still works */
    char *row = first_row(db, "SELECT 1 + 1");
    ASSERT_EQ_STR(row, "2|");
    free(row);
    free(sql);
    tarn_close(db);
}
