/*
 * bind_char.c - varchar(n) / char(n) in casts and assignments.
 *
 * A declared length lives on the STRING LogicalType (char_len, char_kind;
 * vector/types.h).  bind_coerce (bind_expr.c) calls bind_char_coerce for an
 * explicit cast or an assignment (INSERT / UPDATE / MERGE / COPY targets)
 * to such a type: the expression, already text, is wrapped in PostgreSQL's
 * length coercion function varchar(e, n, is_explicit) or bpchar(e, n,
 * is_explicit) (func/func_char.c) typed with the declared type, so the
 * column keeps it (CREATE TABLE AS, result column types).  Implicit
 * coercions (operator and function arguments) do not check lengths, as in
 * PostgreSQL, where they only meet text.
 *
 * Comparing varchar with char(n) (bind_char_compare_args), PostgreSQL
 * picks the bpchar operator (varchar -> bpchar is an implicit cast, text ->
 * bpchar is not preferred): the varchar side loses its trailing blanks
 * too.  text compared with char(n) stays a text comparison.
 */
#include <string.h>

#include "sql/bind/bind_int.h"
#include "sql/func/cast.h"

int bind_char_coerce(BindCtx *ctx, Expr *e, const LogicalType *t, int context, Expr **out)
{
    *out = e;
    if (e->type.id == TYPE_STRING && e->type.char_kind == t->char_kind && e->type.char_len == t->char_len &&
        t->char_len)
        return 0;
    /* varchar(m) into varchar(n >= m) cannot be too long */
    if (e->type.id == TYPE_STRING && t->char_kind == TYPE_CHAR_VARCHAR && e->type.char_kind == TYPE_CHAR_VARCHAR &&
        e->type.char_len <= t->char_len) {
        e->type = *t;
        return 0;
    }
    const char *fname = t->char_kind == TYPE_CHAR_BPCHAR ? "bpchar" : "varchar";
    uint32_t n_defs = 0;
    const FuncDef *const *defs = func_lookup(fname, FUNC_SCALAR, &n_defs);
    const FuncDef *def = NULL;
    for (uint32_t i = 0; i < n_defs; i++)
        if (defs[i]->n_args == 3)
            def = defs[i];
    if (!def)
        return err_set_state(ctx->err, TARN_ERR_INTERNAL, "XX000", "length coercion %s() is not registered", fname);
    Value nv = value_i64(TYPE_INT32, (int64_t)t->char_len);
    Value ev;
    memset(&ev, 0, sizeof ev);
    ev.type = TYPE_BOOL;
    ev.v.b = context == CAST_EXPLICIT;
    Expr *f = expr_new(ctx->a, EX_FUNC, *t, 3, e->loc);
    Expr *n = expr_const(ctx->a, &nv, type_simple(TYPE_INT32), e->loc);
    Expr *x = expr_const(ctx->a, &ev, type_simple(TYPE_BOOL), e->loc);
    if (!f || !n || !x)
        return ERR_NOMEM(ctx->err, sizeof *f);
    f->args[0] = e;
    f->args[1] = n;
    f->args[2] = x;
    f->u.func.def = def;
    return bind_fold(ctx, f, out);
}

int bind_char_compare_args(BindCtx *ctx, const char *op, Expr **args)
{
    static const char *const cmp[] = {"=", "<>", "!=", "<", ">", "<=", ">="};
    bool is_cmp = false;
    for (size_t i = 0; i < sizeof cmp / sizeof cmp[0]; i++)
        is_cmp |= !strcmp(op, cmp[i]);
    if (!is_cmp || args[0]->type.id != TYPE_STRING || args[1]->type.id != TYPE_STRING || args[0]->unknown ||
        args[1]->unknown)
        return 0;
    for (int i = 0; i < 2; i++)
        if (args[i]->type.char_kind == TYPE_CHAR_VARCHAR && args[1 - i]->type.char_kind == TYPE_CHAR_BPCHAR) {
            LogicalType bp = args[1 - i]->type;
            bp.char_len = 0;
            return bind_char_coerce(ctx, args[i], &bp, CAST_EXPLICIT, &args[i]);
        }
    return 0;
}
