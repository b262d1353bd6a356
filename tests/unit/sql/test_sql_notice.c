/*
 * test_sql_notice.c - NOTICE / WARNING messages through the public API
 * (tarn_notice_count / tarn_notice_get): PostgreSQL 15's words and
 * SQLSTATEs, one list per call, cleared by the next call, also for
 * prepared statements and cursors.  The wire side: tests/server/.
 */
#include "../test.h"

#include <string.h>

#include "sql_test_util.h"

/* "SEVERITY STATE message" of notice i. */
static const char *notice(tarn_db *db, int i, char *buf, size_t cap)
{
    tarn_error e;
    const char *sev = tarn_notice_get(db, i, &e);
    snprintf(buf, cap, "%s %s %s", sev ? sev : "-", sev ? e.sqlstate : "", sev ? e.message : "");
    return buf;
}

TEST(sql_notice_if_exists)
{
    tarn_db *db = open_lake();
    char b[300];
    tarn_result_free(run(db, "drop table if exists nope; drop view if exists v1, v2"));
    ASSERT_EQ_INT(tarn_notice_count(db), 3); /* the whole call's, in order */
    ASSERT_EQ_STR(notice(db, 0, b, sizeof b), "NOTICE 00000 table \"nope\" does not exist, skipping");
    ASSERT_EQ_STR(notice(db, 2, b, sizeof b), "NOTICE 00000 view \"v2\" does not exist, skipping");
    ASSERT_EQ_STR(notice(db, 3, b, sizeof b), "-  "); /* out of range */
    ASSERT(tarn_notice_get(db, -1, NULL) == NULL);
    tarn_result_free(run(db, "create table t (a int)"));
    ASSERT_EQ_INT(tarn_notice_count(db), 0); /* cleared by the next call */
    tarn_result_free(run(db, "create table if not exists t (a int)"));
    ASSERT_EQ_STR(notice(db, 0, b, sizeof b), "NOTICE 42P07 relation \"t\" already exists, skipping");
    tarn_result *r = run(db, "create table if not exists t as select 1 as a");
    ASSERT_EQ_STR(tarn_result_tag(r), "CREATE TABLE AS");
    tarn_result_free(r);
    tarn_result_free(run(db, "drop schema if exists s1; create schema if not exists public; drop table if exists s2.t"));
    ASSERT_EQ_INT(tarn_notice_count(db), 3);
    ASSERT_EQ_STR(notice(db, 0, b, sizeof b), "NOTICE 00000 schema \"s1\" does not exist, skipping");
    ASSERT_EQ_STR(notice(db, 1, b, sizeof b), "NOTICE 42P06 schema \"public\" already exists, skipping");
    ASSERT_EQ_STR(notice(db, 2, b, sizeof b), "NOTICE 00000 schema \"s2\" does not exist, skipping");
    tarn_result_free(run(db, "alter table if exists nope add column b int; alter table t add column if not exists a int; "
                             "alter table t drop column if exists zz"));
    ASSERT_EQ_INT(tarn_notice_count(db), 3);
    ASSERT_EQ_STR(notice(db, 0, b, sizeof b), "NOTICE 00000 relation \"nope\" does not exist, skipping");
    ASSERT_EQ_STR(notice(db, 1, b, sizeof b), "NOTICE 42701 column \"a\" of relation \"t\" already exists, skipping");
    ASSERT_EQ_STR(notice(db, 2, b, sizeof b), "NOTICE 00000 column \"zz\" of relation \"t\" does not exist, skipping");
    tarn_result_free(run(db, "drop table t"));
    ASSERT_EQ_INT(tarn_notice_count(db), 0);
    tarn_close(db);
}

TEST(sql_notice_transactions)
{
    tarn_db *db = open_lake();
    char b[300];
    tarn_result_free(run(db, "commit"));
    ASSERT_EQ_STR(notice(db, 0, b, sizeof b), "WARNING 25P01 there is no transaction in progress");
    tarn_result_free(run(db, "begin; begin"));
    ASSERT_EQ_INT(tarn_notice_count(db), 1);
    ASSERT_EQ_STR(notice(db, 0, b, sizeof b), "WARNING 25001 there is already a transaction in progress");
    tarn_result_free(run(db, "rollback"));
    ASSERT_EQ_INT(tarn_notice_count(db), 0);
    tarn_close(db);
}

TEST(sql_notice_prepared_and_cursor)
{
    tarn_db *db = open_lake();
    char b[300];
    tarn_error err = {0};
    tarn_stmt *st;
    ASSERT_OK(tarn_prepare(db, "drop table if exists gone", 0, NULL, &st, &err), &err);
    ASSERT_OK(tarn_stmt_execute(st, 0, NULL, NULL, &err), &err);
    ASSERT_EQ_STR(notice(db, 0, b, sizeof b), "NOTICE 00000 table \"gone\" does not exist, skipping");
    tarn_cursor *cur;
    ASSERT_OK(tarn_cursor_open(st, 0, NULL, &cur, &err), &err);
    ASSERT_EQ_INT(tarn_notice_count(db), 1); /* a fresh list with the same notice */
    tarn_cursor_close(cur);
    tarn_stmt_free(st);
    tarn_close(db);
}
