/*
 * sql_test_util.h - the public-API boilerplate the SQL unit tests share:
 * a fresh lake in the test's temporary directory, and running a statement
 * that must succeed.  Include after ../test.h.
 */
#ifndef TARN_TEST_SQL_TEST_UTIL_H
#define TARN_TEST_SQL_TEST_UTIL_H

#include <stdio.h>

#include "tarn.h"

/* Opens (creating) the lake <test tmp dir>/lake; fails the test on error. */
static inline tarn_db *open_lake(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/lake", test_tmp_dir());
    tarn_db *db;
    tarn_error err = {0};
    ASSERT_OK(tarn_open(path, &db, &err), &err);
    return db;
}

/* Runs sql, failing the test (with message and SQLSTATE) when it errors;
 * the result (NULL for statements without one) is the caller's to free. */
static inline tarn_result *run(tarn_db *db, const char *sql)
{
    tarn_result *r = NULL;
    tarn_error err = {0};
    if (tarn_exec(db, sql, &r, &err))
        TFAIL("%.200s: %s [%s]", sql, err.message, err.sqlstate);
    return r;
}

#endif
