/*
 * test_sql_expr.c - the vectorized expression evaluator (sql/exec/expr.c):
 * selection vectors, constants, short-circuit AND/CASE (no error for rows
 * that are not evaluated), three-valued logic.
 */
#include "../test.h"

#include "sql/exec/expr.h"
#include "sql/func/cast.h"

static const FuncDef *op(const char *name, TypeId a, TypeId b)
{
    uint32_t n;
    const FuncDef *const *d = func_lookup(name, FUNC_OPERATOR, &n);
    for (uint32_t i = 0; i < n; i++)
        if (d[i]->n_args == 2 && d[i]->args[0] == a && d[i]->args[1] == b)
            return d[i];
    return NULL;
}

static Expr *col(Arena *a, uint32_t idx, TypeId t)
{
    Expr *e = expr_colref(a, (ColBinding){1, idx}, type_simple(t), "c");
    e->u.col.idx = idx;
    return e;
}

static Expr *i32(Arena *a, int32_t v)
{
    Value x = value_i64(TYPE_INT32, v);
    return expr_const(a, &x, type_simple(TYPE_INT32), -1);
}

static Expr *bin(Arena *a, const char *name, Expr *l, Expr *r, TypeId ret)
{
    Expr *e = expr_new(a, EX_FUNC, type_simple(ret), 2, -1);
    e->u.func.def = op(name, l->type.id, r->type.id);
    ASSERT(e->u.func.def);
    e->args[0] = l;
    e->args[1] = r;
    return e;
}

/* A chunk with one int32 column: values 0..n-1, every 5th NULL. */
/* One int column of n rows, value i, NULL on every 5th row, and an arena
 * for the expressions built on it. */
typedef struct Fixture {
    Arena a;
    LogicalType t;
    Vector v, *p[1];
    Chunk c;
} Fixture;

static void fixture_init(Fixture *f, uint32_t n)
{
    func_registry_init(NULL);
    arena_init(&f->a, 0);
    f->t = type_simple(TYPE_INT32);
    vec_init(&f->v, &f->t);
    for (uint32_t i = 0; i < n; i++) {
        if (i % 5 == 4)
            vec_append_null(&f->v);
        else
            vec_append_i64(&f->v, i);
    }
    f->p[0] = &f->v;
    f->c.n_rows = n;
    f->c.n_cols = 1;
    f->c.cols = f->p;
}

static void fixture_free(Fixture *f, ExprState *st)
{
    expr_state_free(st);
    vec_destroy(&f->v);
    arena_free(&f->a);
}

TEST(sql_expr_arith_and_nulls)
{
    Fixture f;
    fixture_init(&f, 100);
    Arena *a = &f.a;
    Chunk c = f.c;
    Expr *e = bin(a, "+", col(a, 0, TYPE_INT32), i32(a, 10), TYPE_INT32);
    TarnError err = {0};
    ExprState *st = expr_state_new(e, NULL, NULL, &err);
    ASSERT_NOT_NULL(st, &err);
    Vector *out;
    ASSERT_OK(expr_eval(st, &c, NULL, 100, &out, &err), &err);
    ASSERT_EQ_INT(((int32_t *)out->data)[3], 13);
    ASSERT(!vec_is_valid(out, 4));
    ASSERT(vec_is_valid(out, 5));
    /* with a selection: rows 7, 9, 50 */
    uint32_t sel[3] = {7, 9, 50};
    ASSERT_OK(expr_eval(st, &c, sel, 3, &out, &err), &err);
    ASSERT_EQ_INT(((int32_t *)out->data)[0], 17);
    ASSERT(!vec_is_valid(out, 1));
    ASSERT_EQ_INT(((int32_t *)out->data)[2], 60);
    fixture_free(&f, st);
}

TEST(sql_expr_and_short_circuits_errors)
{
    /* c <> 0 AND 100 / c > 1: no division by zero for c = 0 */
    Fixture f;
    fixture_init(&f, 50);
    Arena *a = &f.a;
    Chunk c = f.c;
    Expr *ne = bin(a, "<>", col(a, 0, TYPE_INT32), i32(a, 0), TYPE_BOOL);
    Expr *div = bin(a, "/", i32(a, 100), col(a, 0, TYPE_INT32), TYPE_INT32);
    Expr *gt = bin(a, ">", div, i32(a, 1), TYPE_BOOL);
    Expr *and = expr_new(a, EX_AND, type_simple(TYPE_BOOL), 2, -1);
    and->args[0] = ne;
    and->args[1] = gt;
    TarnError err = {0};
    ExprState *st = expr_state_new(and, NULL, NULL, &err);
    ASSERT_NOT_NULL(st, &err);
    uint32_t sel[64], k;
    ASSERT_OK(expr_select(st, &c, NULL, 50, sel, &k, &err), &err);
    /* c in 1..49, not NULL (every 5th), 100 / c > 1  =>  c < 50, c != 0 */
    uint32_t want = 0;
    for (uint32_t i = 1; i < 50; i++)
        if (i % 5 != 4 && 100 / (int)i > 1)
            want++;
    ASSERT_EQ_INT(k, want);
    /* evaluated as a value too: NULL rows stay NULL */
    Vector *out;
    ASSERT_OK(expr_eval(st, &c, NULL, 50, &out, &err), &err);
    ASSERT(!vec_is_valid(out, 4));
    ASSERT(vec_is_valid(out, 0) && out->data[0] == 0);
    fixture_free(&f, st);
}

TEST(sql_expr_case_evaluates_branches_lazily)
{
    Fixture f;
    fixture_init(&f, 20);
    Arena *a = &f.a;
    Chunk c = f.c;
    /* CASE WHEN c = 0 THEN -1 ELSE 100 / c END */
    Expr *e = expr_new(a, EX_CASE, type_simple(TYPE_INT32), 3, -1);
    e->args[0] = bin(a, "=", col(a, 0, TYPE_INT32), i32(a, 0), TYPE_BOOL);
    e->args[1] = i32(a, -1);
    e->args[2] = bin(a, "/", i32(a, 100), col(a, 0, TYPE_INT32), TYPE_INT32);
    e->u.kase.has_else = true;
    TarnError err = {0};
    ExprState *st = expr_state_new(e, NULL, NULL, &err);
    Vector *out;
    ASSERT_OK(expr_eval(st, &c, NULL, 20, &out, &err), &err);
    ASSERT_EQ_INT(((int32_t *)out->data)[0], -1);
    ASSERT_EQ_INT(((int32_t *)out->data)[3], 33);
    ASSERT(!vec_is_valid(out, 4));
    fixture_free(&f, st);
}

TEST(sql_expr_constant_folding_value)
{
    ASSERT_OK(func_registry_init(NULL), &(TarnError){0});
    Arena a;
    arena_init(&a, 0);
    Expr *e = bin(&a, "*", i32(&a, 6), i32(&a, 7), TYPE_INT32);
    Value v;
    TarnError err = {0};
    ASSERT_OK(expr_eval_const(e, NULL, &a, &v, &err), &err);
    ASSERT_EQ_INT(v.v.i, 42);
    Expr *ov = bin(&a, "*", i32(&a, 65536), i32(&a, 65536), TYPE_INT32);
    ASSERT(expr_eval_const(ov, NULL, &a, &v, &err) != 0);
    ASSERT_EQ_STR(err.sqlstate, "22003");
    ASSERT_ERR_CONTAINS(&err, "integer out of range");
    arena_free(&a);
}
