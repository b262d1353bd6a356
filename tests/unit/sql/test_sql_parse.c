/*
 * test_sql_parse.c - the SQL parser (sql/parse): libpg_query tree to AST,
 * syntax errors with PostgreSQL's message and position, unsupported
 * constructs reported as 0A000.
 */
#include "../test.h"

#include "sql/parse/parse.h"
#include "sql/plan/plan.h"

static AstStmtList parse_ok(Arena *a, const char *sql)
{
    AstStmtList l;
    TarnError err = {0};
    int rc = sql_parse(sql, a, &l, &err);
    ASSERT_OK(rc, &err);
    return l;
}

TEST(sql_parse_select_shape)
{
    Arena a;
    arena_init(&a, 0);
    AstStmtList l = parse_ok(&a, "SELECT a, b + 1 AS c FROM s.t AS x WHERE a > 2 GROUP BY a ORDER BY 2 DESC NULLS LAST LIMIT 5");
    ASSERT_EQ_INT(l.n, 1);
    const AstStmt *st = l.stmts[0];
    ASSERT_EQ_INT(st->kind, STMT_SELECT);
    const AstSelect *s = st->u.select;
    ASSERT_EQ_INT(s->targets.n, 2);
    ASSERT_EQ_STR(s->targets.items[1]->u.target.name, "c");
    ASSERT_EQ_INT(s->targets.items[1]->u.target.val->kind, AST_OP);
    ASSERT_EQ_STR(s->targets.items[1]->u.target.val->u.op.name, "+");
    ASSERT_EQ_INT(s->from.n, 1);
    ASSERT_EQ_STR(s->from.items[0]->u.rangevar.schema, "s");
    ASSERT_EQ_STR(s->from.items[0]->u.rangevar.name, "t");
    ASSERT_EQ_STR(s->from.items[0]->u.rangevar.alias, "x");
    ASSERT(s->where && s->where->kind == AST_OP);
    ASSERT_EQ_INT(s->group_by.n, 1);
    ASSERT_EQ_INT(s->order_by.n, 1);
    ASSERT_EQ_INT(s->order_by.items[0]->u.sortby.dir, 2);
    ASSERT_EQ_INT(s->order_by.items[0]->u.sortby.nulls, 2);
    ASSERT(s->limit && s->limit->u.cnst.ival == 5);
    arena_free(&a);
}

TEST(sql_parse_normalizes_predicates)
{
    Arena a;
    arena_init(&a, 0);
    AstStmtList l = parse_ok(&a, "SELECT x BETWEEN 1 AND 2, x NOT IN (1, 2), x LIKE 'a%', x IS NOT NULL, y IS DISTINCT FROM 3");
    const AstList *t = &l.stmts[0]->u.select->targets;
    ASSERT_EQ_INT(t->items[0]->u.target.val->kind, AST_BETWEEN);
    ASSERT_EQ_INT(t->items[1]->u.target.val->kind, AST_IN_LIST);
    ASSERT(t->items[1]->u.target.val->u.in.negated);
    ASSERT_EQ_INT(t->items[2]->u.target.val->kind, AST_OP);
    ASSERT_EQ_STR(t->items[2]->u.target.val->u.op.name, "~~");
    ASSERT_EQ_INT(t->items[3]->u.target.val->kind, AST_NULL_TEST);
    ASSERT(t->items[3]->u.target.val->u.nulltest.is_not);
    ASSERT_EQ_INT(t->items[4]->u.target.val->kind, AST_DISTINCT_FROM);
    arena_free(&a);
}

TEST(sql_parse_several_statements)
{
    Arena a;
    arena_init(&a, 0);
    const char *sql = "CREATE TABLE t (a int NOT NULL, b numeric(10,2)); INSERT INTO t VALUES (1, 2.5); SELECT 1";
    AstStmtList l = parse_ok(&a, sql);
    ASSERT_EQ_INT(l.n, 3);
    ASSERT_EQ_INT(l.stmts[0]->kind, STMT_CREATE_TABLE);
    const AstList *cols = &l.stmts[0]->u.create_table.columns;
    ASSERT_EQ_INT(cols->n, 2);
    ASSERT(cols->items[0]->u.coldef.not_null);
    ASSERT_EQ_STR(cols->items[1]->u.coldef.type->u.typname.name, "numeric");
    ASSERT_EQ_INT(cols->items[1]->u.coldef.type->u.typname.n_mods, 2);
    ASSERT_EQ_INT(cols->items[1]->u.coldef.type->u.typname.mods[1], 2);
    ASSERT_EQ_INT(l.stmts[1]->kind, STMT_INSERT);
    ASSERT_EQ_INT(l.stmts[2]->kind, STMT_SELECT);
    /* statement text spans */
    const char *s1 = sql + l.stmts[1]->loc;
    while (*s1 == ' ')
        s1++;
    ASSERT_EQ_INT(strncmp(s1, "INSERT", 6), 0);
    arena_free(&a);
}

TEST(sql_parse_syntax_error_position)
{
    Arena a;
    arena_init(&a, 0);
    AstStmtList l;
    TarnError err = {0};
    int rc = sql_parse("SELECT 1 + FROM t", &a, &l, &err);
    ASSERT_EQ_INT(rc, TARN_ERR_SYNTAX);
    ASSERT_EQ_STR(err.sqlstate, "42601");
    ASSERT_ERR_CONTAINS(&err, "syntax error at or near");
    ASSERT_EQ_INT(err.position, 12); /* "FROM", 1-based */
    arena_free(&a);
}

TEST(sql_parse_position_counts_characters)
{
    /* a 2-byte character before the error: position is in characters */
    ASSERT_EQ_INT(sql_char_position("SELECT 'é', x", 13), 13);
    ASSERT_EQ_INT(sql_char_position("abc", 0), 1);
    ASSERT_EQ_INT(sql_char_position("abc", -1), 0);
}

TEST(sql_parse_unsupported_is_0a000)
{
    Arena a;
    arena_init(&a, 0);
    AstStmtList l;
    TarnError err = {0};
    int rc = sql_parse("SELECT x FROM t ORDER BY x USING <", &a, &l, &err);
    ASSERT_EQ_INT(rc, TARN_ERR_UNSUPPORTED);
    ASSERT_EQ_STR(err.sqlstate, "0A000");
    ASSERT(err.position > 0);
    arena_free(&a);
}

TEST(sql_parse_window_definitions)
{
    Arena a;
    arena_init(&a, 0);
    AstStmtList l = parse_ok(&a, "SELECT sum(x) OVER (w ORDER BY y ROWS BETWEEN 2 PRECEDING AND CURRENT ROW EXCLUDE TIES), "
                                 "rank() OVER w FROM t WINDOW w AS (PARTITION BY z)");
    const AstSelect *s = l.stmts[0]->u.select;
    ASSERT_EQ_INT(s->windows.n, 1);
    ASSERT_EQ_STR(s->windows.items[0]->u.windef.name, "w");
    ASSERT_EQ_INT(s->windows.items[0]->u.windef.partition.n, 1);
    const AstNode *f = s->targets.items[0]->u.target.val;
    ASSERT(f->kind == AST_FUNC && f->u.func.over && f->u.func.over->kind == AST_WINDOW_DEF);
    const AstNode *o = f->u.func.over;
    ASSERT_EQ_STR(o->u.windef.refname, "w");
    ASSERT_EQ_INT(o->u.windef.order.n, 1);
    ASSERT(o->u.windef.start_off != NULL && o->u.windef.end_off == NULL);
    ASSERT((o->u.windef.frame_options & (WFRAME_ROWS | WFRAME_START_OFFSET_PRECEDING | WFRAME_END_CURRENT_ROW |
                                         WFRAME_EXCLUDE_TIES)) ==
           (WFRAME_ROWS | WFRAME_START_OFFSET_PRECEDING | WFRAME_END_CURRENT_ROW | WFRAME_EXCLUDE_TIES));
    const AstNode *g = s->targets.items[1]->u.target.val;
    ASSERT_EQ_STR(g->u.func.over->u.windef.name, "w");
    arena_free(&a);
}

TEST(sql_parse_within_group_appends_ordered_argument)
{
    Arena a;
    arena_init(&a, 0);
    AstStmtList l = parse_ok(&a, "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM t");
    const AstNode *f = l.stmts[0]->u.select->targets.items[0]->u.target.val;
    ASSERT_EQ_INT(f->kind, AST_FUNC);
    ASSERT_EQ_INT(f->u.func.args.n, 2);
    ASSERT_EQ_INT(f->u.func.args.items[1]->kind, AST_COLUMN_REF);
    arena_free(&a);
}

TEST(sql_parse_deep_nesting_does_not_crash)
{
    /* 5000 nested parentheses: libpg_query or our depth limit refuses it cleanly */
    size_t n = 5000;
    char *sql = malloc(n * 2 + 16);
    ASSERT(sql);
    strcpy(sql, "SELECT ");
    size_t k = 7;
    for (size_t i = 0; i < n; i++)
        sql[k++] = '(';
    sql[k++] = '1';
    for (size_t i = 0; i < n; i++)
        sql[k++] = ')';
    sql[k] = 0;
    Arena a;
    arena_init(&a, 0);
    AstStmtList l;
    TarnError err = {0};
    int rc = sql_parse(sql, &a, &l, &err);
    (void)rc; /* any outcome but a crash */
    arena_free(&a);
    free(sql);
}
