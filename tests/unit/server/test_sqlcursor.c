/* test_sqlcursor.c - DECLARE / FETCH / MOVE / CLOSE parsing and the
 * forward-only position rules (src/server/sqlcursor.c). */
#include "../test.h"
#include "server/sqlcursor.h"

TEST(sqlcursor_is_stmt)
{
    ASSERT(sqlcur_is_stmt("declare c cursor for select 1"));
    ASSERT(sqlcur_is_stmt("  -- comment\n/* c */ FETCH 2 FROM c"));
    ASSERT(sqlcur_is_stmt("Move c"));
    ASSERT(sqlcur_is_stmt("close all"));
    ASSERT(!sqlcur_is_stmt("closes"));
    ASSERT(!sqlcur_is_stmt("select 'declare'"));
    ASSERT(!sqlcur_is_stmt("fetch_x"));
    ASSERT(!sqlcur_is_stmt(""));
}

TEST(sqlcursor_parse_declare)
{
    SqlCurStmt st;
    TarnError err;
    err_clear(&err);
    const char *sql = "DECLARE \"Big\" BINARY NO SCROLL CURSOR WITH HOLD FOR /* q */ select 'é' for update";
    ASSERT(sqlcur_parse(sql, &st, &err) == 0);
    ASSERT_EQ_INT(st.kind, SQLCUR_DECLARE);
    ASSERT(!strcmp(st.name, "Big"));
    ASSERT(st.binary && st.hold);
    ASSERT(!strcmp(st.query, "select 'é' for update")); /* the first FOR after CURSOR */
    ASSERT_EQ_INT(st.query_chars, (int)(strstr(sql, "select") - sql));
    sqlcur_free(&st);
    ASSERT(sqlcur_parse("declare c cursor without hold for values (1)", &st, &err) == 0);
    ASSERT(!st.hold && !st.binary && !strcmp(st.query, "values (1)"));
    sqlcur_free(&st);
    ASSERT(sqlcur_parse("declare c scroll cursor for select 1", &st, &err) != 0);
    ASSERT(!strcmp(err.sqlstate, "0A000"));
    err_clear(&err);
    ASSERT(sqlcur_parse("declare c cursor for", &st, &err) != 0);
    ASSERT(!strcmp(err.sqlstate, "42601") && err.position > 0);
}

TEST(sqlcursor_parse_fetch_close)
{
    SqlCurStmt st;
    TarnError err;
    err_clear(&err);
    ASSERT(sqlcur_parse("fetch c", &st, &err) == 0);
    ASSERT(st.kind == SQLCUR_FETCH && !st.is_move && st.direction == SQLCUR_FORWARD && st.count == 1);
    ASSERT(sqlcur_parse("fetch all in c", &st, &err) == 0);
    ASSERT(st.count == SQLCUR_ALL && !strcmp(st.name, "c"));
    ASSERT(sqlcur_parse("move forward 5 from c", &st, &err) == 0);
    ASSERT(st.is_move && st.count == 5);
    ASSERT(sqlcur_parse("fetch absolute 3 from c", &st, &err) == 0);
    ASSERT(st.direction == SQLCUR_ABSOLUTE && st.count == 3);
    ASSERT(sqlcur_parse("fetch prior from c", &st, &err) == 0);
    ASSERT(st.direction == SQLCUR_BACKWARD);
    ASSERT(sqlcur_parse("close c", &st, &err) == 0);
    ASSERT(st.kind == SQLCUR_CLOSE && !strcmp(st.name, "c"));
    ASSERT(sqlcur_parse("close all", &st, &err) == 0);
    ASSERT(st.kind == SQLCUR_CLOSE && !st.name[0]);
}

TEST(sqlcursor_plan)
{
    SqlCurStmt st;
    TarnError err;
    err_clear(&err);
    int64_t skip, take;
    ASSERT(sqlcur_parse("fetch 3 from c", &st, &err) == 0);
    ASSERT(sqlcur_plan(&st, 10, &skip, &take, &err) == 0 && skip == 0 && take == 3);
    ASSERT(sqlcur_parse("fetch absolute 5 from c", &st, &err) == 0);
    ASSERT(sqlcur_plan(&st, 2, &skip, &take, &err) == 0 && skip == 2 && take == 1);
    ASSERT(sqlcur_plan(&st, 5, &skip, &take, &err) != 0 && !strcmp(err.sqlstate, "55000"));
    ASSERT(sqlcur_parse("move relative 2 in c", &st, &err) == 0);
    ASSERT(sqlcur_plan(&st, 7, &skip, &take, &err) == 0 && skip == 1 && take == 1);
    const char *backward[] = {"fetch backward 1 from c", "fetch prior from c", "fetch 0 from c", "move -1 in c",
                              "fetch relative 0 from c", "fetch first from c", "fetch last from c"};
    for (size_t i = 0; i < sizeof backward / sizeof *backward; i++) {
        err_clear(&err);
        ASSERT(sqlcur_parse(backward[i], &st, &err) == 0);
        ASSERT(sqlcur_plan(&st, 1, &skip, &take, &err) != 0);
        ASSERT(!strcmp(err.sqlstate, "55000"));
    }
}
