/*
 * test_sql_settings.c - SHOW ALL through the public API (its values depend
 * on the machine, so the sqllogictest files cannot hold them): three text
 * columns, every parameter once in PostgreSQL's order, the values SHOW
 * prints, custom placeholders included.  current_setting / set_config /
 * SET LOCAL: tests/sql/core/settings.test.
 */
#include "../test.h"

#include <string.h>
#include <strings.h>

#include "tarn.h"

static tarn_db *open_lake(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/lake", test_tmp_dir());
    tarn_db *db;
    tarn_error err = {0};
    ASSERT_OK(tarn_open(path, &db, &err), &err);
    return db;
}

static tarn_result *run(tarn_db *db, const char *sql)
{
    tarn_result *r = NULL;
    tarn_error err = {0};
    if (tarn_exec(db, sql, &r, &err))
        TFAIL("%.200s: %s [%s]", sql, err.message, err.sqlstate);
    return r;
}

/* The setting column of SHOW ALL's row for name, NULL when absent. */
static const char *setting_of(tarn_result *r, const char *name)
{
    for (int64_t i = 0; i < tarn_result_nrows(r); i++)
        if (!strcmp(tarn_result_value(r, i, 0), name))
            return tarn_result_value(r, i, 1);
    return NULL;
}

TEST(sql_show_all)
{
    tarn_db *db = open_lake();
    tarn_result *r = run(db, "SET work_mem = '64MB'; SELECT set_config('myapp.user_id', '42', false); SHOW ALL");
    ASSERT_EQ_INT(tarn_result_ncols(r), 3);
    ASSERT_EQ_STR(tarn_result_colname(r, 0), "name");
    ASSERT_EQ_STR(tarn_result_colname(r, 1), "setting");
    ASSERT_EQ_STR(tarn_result_colname(r, 2), "description");
    ASSERT_EQ_STR(tarn_result_tag(r), "SHOW");
    ASSERT(tarn_result_nrows(r) >= 30);
    /* sorted case-insensitively by name, each once */
    for (int64_t i = 1; i < tarn_result_nrows(r); i++)
        if (strcasecmp(tarn_result_value(r, i - 1, 0), tarn_result_value(r, i, 0)) >= 0)
            TFAIL("SHOW ALL not in order at %s, %s", tarn_result_value(r, i - 1, 0), tarn_result_value(r, i, 0));
    ASSERT_EQ_STR(setting_of(r, "TimeZone"), "UTC");
    ASSERT_EQ_STR(setting_of(r, "DateStyle"), "ISO, MDY");
    ASSERT_EQ_STR(setting_of(r, "search_path"), "\"$user\", public");
    ASSERT_EQ_STR(setting_of(r, "work_mem"), "64MB");
    ASSERT_EQ_STR(setting_of(r, "server_version_num"), "150000");
    ASSERT_EQ_STR(setting_of(r, "myapp.user_id"), "42");
    ASSERT(setting_of(r, "threads") == NULL); /* an alias of tarn.threads, not listed */
    ASSERT(setting_of(r, "tarn.threads") != NULL);
    /* every known row has a description */
    for (int64_t i = 0; i < tarn_result_nrows(r); i++)
        if (strcmp(tarn_result_value(r, i, 0), "myapp.user_id") && !tarn_result_value(r, i, 2)[0])
            TFAIL("no description for %s", tarn_result_value(r, i, 0));
    /* the same values as SHOW name */
    tarn_result *one = run(db, "SHOW tarn.threads");
    ASSERT_EQ_STR(tarn_result_value(one, 0, 0), setting_of(r, "tarn.threads"));
    tarn_result_free(one);
    tarn_result_free(r);
    tarn_close(db);
}
