/*
 * bind_array.c - arrays in expressions: T[] type names, ARRAY[...],
 * '{...}'::T[] and element-wise casts, subscripts and slices, (rec).field,
 * x op ANY/ALL (array), and the element-type rules of the polymorphic array
 * functions and operators (array_append, ||, @>, = ...).  The kernels are
 * in func/func_array.c.
 *
 * Arrays are one-dimensional LIST types whose element is any non-nested
 * type; the binder refuses multidimensional ones (0A000).
 */
#include <string.h>
#include <strings.h>

#include "sql/bind/bind_int.h"
#include "sql/func/cast.h"
#include "sql/func/func_array.h"

static int nomem(BindCtx *ctx) { return ERR_NOMEM(ctx->err, 0); }

int bind_array_of(BindCtx *ctx, const LogicalType *elem, LogicalType *out)
{
    Field *f = arena_calloc(ctx->a, sizeof *f);
    char *name = arena_strdup(ctx->a, "element");
    if (!f || !name)
        return nomem(ctx);
    f->name = name;
    f->type = *elem;
    f->nullable = true;
    LogicalType t = {.id = TYPE_LIST, .n_fields = 1, .fields = f};
    *out = t;
    return 0;
}

int bind_array_type_name(BindCtx *ctx, const AstNode *tn, LogicalType *out)
{
    AstNode el = *tn;
    el.u.typname.array_dims = 0;
    LogicalType et;
    int rc = bind_type_name(ctx, &el, &et);
    if (rc)
        return rc;
    return bind_array_of(ctx, &et, out);
}

static Expr *mk_call(BindCtx *ctx, const FuncDef *d, LogicalType ret, Expr **args, uint32_t n, void *state, int loc)
{
    Expr *e = expr_new(ctx->a, EX_FUNC, ret, n, loc);
    if (!e)
        return NULL;
    for (uint32_t i = 0; i < n; i++)
        e->args[i] = args[i];
    e->u.func.def = d;
    e->u.func.bind_state = state;
    return e;
}

static const LogicalType *elem_of(const LogicalType *t) { return &t->fields[0].type; }

static int multidim(BindCtx *ctx, int loc)
{
    err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000", "multidimensional arrays are not supported");
    return bind_error_at(ctx, loc);
}

int bind_array_ctor(BindCtx *ctx, ExprEnv *env, const AstNode *n, const LogicalType *target, Expr **out)
{
    uint32_t k = n->u.list.args.n;
    if (!k && !target) {
        err_set_state(ctx->err, TARN_ERR_TYPE, "42P18", "cannot determine type of empty array");
        err_hint(ctx->err, "Explicitly cast to the desired type, for example ARRAY[]::integer[].");
        return bind_error_at(ctx, n->loc);
    }
    Expr **args = arena_alloc(ctx->a, (k ? k : 1) * sizeof(Expr *));
    if (!args)
        return nomem(ctx);
    int rc;
    for (uint32_t i = 0; i < k; i++) {
        const AstNode *a = n->u.list.args.items[i];
        if (a->kind == AST_ARRAY)
            return multidim(ctx, a->loc);
        if ((rc = bind_expr(ctx, env, a, &args[i])))
            return rc;
        if (args[i]->type.id == TYPE_LIST)
            return multidim(ctx, a->loc);
        if (type_is_nested(args[i]->type.id)) {
            err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000", "arrays of composite values are not supported");
            return bind_error_at(ctx, a->loc);
        }
    }
    LogicalType et;
    if (target)
        et = *elem_of(target);
    else if ((rc = bind_common_type(ctx, args, k, "ARRAY", &et)))
        return rc;
    for (uint32_t i = 0; i < k; i++)
        if ((rc = bind_coerce(ctx, args[i], &et, target ? CAST_EXPLICIT : CAST_IMPLICIT, &args[i])))
            return rc;
    LogicalType lt;
    if ((rc = bind_array_of(ctx, &et, &lt)))
        return rc;
    Expr *e = mk_call(ctx, &func_array_ctor, lt, args, k, NULL, n->loc);
    if (!e)
        return nomem(ctx);
    *out = e;
    return 0;
}

static int cannot_cast(BindCtx *ctx, const LogicalType *from, const LogicalType *to, int loc)
{
    char a[64], b[64];
    err_set_state(ctx->err, TARN_ERR_TYPE, "42846", "cannot cast type %s to %s", sqltype_name(from, a, sizeof a),
                  sqltype_name(to, b, sizeof b));
    return bind_error_at(ctx, loc);
}

int bind_array_coerce(BindCtx *ctx, Expr *e, const LogicalType *t, int context, Expr **out, bool *handled)
{
    *handled = false;
    if (t->id != TYPE_LIST)
        return 0;
    bool param = false;
    if (e->unknown && ctx->params && ctx->params->n_unk) {
        /* $n where an array is wanted: a text parameter, through array_in */
        LogicalType txt = type_simple(TYPE_STRING);
        int prc = bind_param_infer(ctx, e, &txt);
        if (prc)
            return prc;
        param = true;
    }
    if (e->type.id == TYPE_NULL && !param)
        return 0;
    if (e->type.id == TYPE_LIST) {
        if (type_equal(&e->type, t))
            return 0;
        const LogicalType *fe = elem_of(&e->type), *te = elem_of(t);
        if (type_is_nested(fe->id) || type_is_nested(te->id))
            return multidim(ctx, e->loc);
        CastContext cc = fe->id == TYPE_NULL ? CAST_IMPLICIT : cast_context(fe->id, te->id);
        if (cc == CAST_NONE || (int)cc < context) {
            if (cc == CAST_NONE || context == CAST_EXPLICIT)
                return cannot_cast(ctx, &e->type, t, e->loc);
            char a[64], b[64];
            err_set_state(ctx->err, TARN_ERR_TYPE, "42804", context == CAST_ASSIGNMENT ?
                          "column is of type %s but expression is of type %s" : "cannot implicitly cast type %s to %s",
                          sqltype_name(context == CAST_ASSIGNMENT ? t : &e->type, a, sizeof a),
                          sqltype_name(context == CAST_ASSIGNMENT ? &e->type : t, b, sizeof b));
            return bind_error_at(ctx, e->loc);
        }
        *handled = true;
        Expr *args[1] = {e};
        *out = mk_call(ctx, &func_array_cast, *t, args, 1, NULL, e->loc);
        return *out ? 0 : nomem(ctx);
    }
    if (e->unknown || (type_is_string_like(e->type.id) && e->type.id != TYPE_BLOB && context == CAST_EXPLICIT)) {
        if (type_is_nested(elem_of(t)->id))
            return multidim(ctx, e->loc);
        *handled = true;
        Expr *s = e;
        if (e->type.id != TYPE_STRING) {
            LogicalType st = type_simple(TYPE_STRING);
            int rc = bind_coerce(ctx, e, &st, CAST_EXPLICIT, &s);
            if (rc)
                return rc;
        }
        e->unknown = false;
        s->unknown = false;
        Expr *args[1] = {s};
        *out = mk_call(ctx, &func_array_in, *t, args, 1, NULL, e->loc);
        return *out ? 0 : nomem(ctx);
    }
    return 0;
}

/* Casts e (an array) to arrays of element type et. */
static int to_elem(BindCtx *ctx, Expr **e, const LogicalType *et)
{
    LogicalType lt;
    int rc = bind_array_of(ctx, et, &lt);
    return rc ? rc : bind_coerce(ctx, *e, &lt, CAST_IMPLICIT, e);
}

static int no_operator(BindCtx *ctx, const char *name, FuncKind kind, const Expr *l, const Expr *r, int loc)
{
    char a[64], b[64];
    if (kind == FUNC_OPERATOR)
        err_set_state(ctx->err, TARN_ERR_NOT_FOUND, "42883", "operator does not exist: %s %s %s",
                      sqltype_name(&l->type, a, sizeof a), name, sqltype_name(&r->type, b, sizeof b));
    else
        err_set_state(ctx->err, TARN_ERR_NOT_FOUND, "42883", "function %s(%s, %s) does not exist", name,
                      sqltype_name(&l->type, a, sizeof a), sqltype_name(&r->type, b, sizeof b));
    err_hint(ctx->err, "No %s matches the given name and argument types. You might need to add explicit type casts.",
             kind == FUNC_OPERATOR ? "operator" : "function");
    return bind_error_at(ctx, loc);
}

/* Gives arrays a and b one element type.  compat: PostgreSQL's
 * anycompatiblearray (array_cat, ||): implicit element casts either way;
 * else anyarray (=, @>, ...): only typmods may differ. */
static int unify_arrays(BindCtx *ctx, const char *name, FuncKind kind, Expr **a, Expr **b, int loc, bool compat)
{
    if ((*a)->type.id != TYPE_LIST && (*a)->unknown)
        return bind_coerce(ctx, *a, &(*b)->type, CAST_IMPLICIT, a);
    if ((*b)->type.id != TYPE_LIST && (*b)->unknown)
        return bind_coerce(ctx, *b, &(*a)->type, CAST_IMPLICIT, b);
    if ((*a)->type.id != TYPE_LIST || (*b)->type.id != TYPE_LIST || type_equal(&(*a)->type, &(*b)->type))
        return 0;
    /* PostgreSQL has no implicit casts between array types (int[] = bigint[]
     * does not exist); only typmods (numeric(p,s), varchar(n)) may differ */
    const LogicalType *ea = elem_of(&(*a)->type), *eb = elem_of(&(*b)->type);
    if (compat && ea->id != eb->id && !type_is_nested(ea->id) && !type_is_nested(eb->id)) {
        if (cast_context(ea->id, eb->id) == CAST_IMPLICIT)
            return to_elem(ctx, a, eb);
        if (cast_context(eb->id, ea->id) == CAST_IMPLICIT)
            return to_elem(ctx, b, ea);
    }
    if (ea->id == TYPE_NULL || (ea->id == eb->id && ea->scale < eb->scale))
        return to_elem(ctx, a, eb);
    if (eb->id == TYPE_NULL || ea->id == eb->id)
        return to_elem(ctx, b, ea);
    return no_operator(ctx, name, kind, *a, *b, loc);
}

/* anycompatiblearray + anycompatible: the element x and the array's
 * elements get their common type (implicit casts either way). */
static int elem_arg(BindCtx *ctx, const char *name, Expr **arr, Expr **x, int loc)
{
    if ((*arr)->type.id != TYPE_LIST)
        return 0;
    const LogicalType *et = elem_of(&(*arr)->type);
    if ((*x)->type.id == TYPE_LIST)
        return multidim(ctx, (*x)->loc);
    if (type_is_nested(et->id) || type_equal(&(*x)->type, et))
        return 0;
    if ((*x)->unknown || (*x)->type.id == TYPE_NULL || (*x)->type.id == et->id ||
        cast_context((*x)->type.id, et->id) == CAST_IMPLICIT)
        return bind_coerce(ctx, *x, et, CAST_IMPLICIT, x);
    if (cast_context(et->id, (*x)->type.id) == CAST_IMPLICIT)
        return to_elem(ctx, arr, &(*x)->type);
    return no_operator(ctx, name, FUNC_SCALAR, *arr, *x, loc);
}

static bool comparable(const Expr *e)
{
    return e->type.id != TYPE_LIST || func_array_elem_comparable(elem_of(&e->type));
}

int bind_array_call(BindCtx *ctx, const char *name, FuncKind kind, Expr **args, uint32_t n, int loc, Expr **out,
                    bool *handled)
{
    *handled = false;
    bool any = false;
    for (uint32_t i = 0; i < n; i++)
        if (args[i]->type.id == TYPE_LIST)
            any = true;
    if (!any || n != 2 || kind == FUNC_AGGREGATE)
        return 0;
    int rc;
    if (kind == FUNC_OPERATOR && !strcmp(name, "||")) {
        Expr *a[2] = {args[0], args[1]};
        const char *fn;
        if (a[0]->type.id == TYPE_LIST && a[1]->type.id == TYPE_LIST) {
            fn = "array_cat";
        } else if (a[0]->type.id == TYPE_LIST) {
            fn = a[1]->unknown ? "array_cat" : "array_append"; /* arr || NULL is arr, as in PostgreSQL */
        } else {
            fn = a[0]->unknown ? "array_cat" : "array_prepend";
        }
        *handled = true;
        return bind_function(ctx, fn, FUNC_SCALAR, a, 2, loc, out, NULL, NULL);
    }
    static const char *const elem2[] = {"array_append", "array_position", "array_positions", "array_remove"};
    if (kind == FUNC_SCALAR) {
        for (size_t i = 0; i < sizeof elem2 / sizeof elem2[0]; i++)
            if (!strcmp(name, elem2[i])) {
                if ((rc = elem_arg(ctx, name, &args[0], &args[1], loc)))
                    return rc;
                if (i && !comparable(args[0])) {
                    err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000", "%s over nested array elements is not supported", name);
                    return bind_error_at(ctx, loc);
                }
                return 0;
            }
        if (!strcmp(name, "array_prepend"))
            return elem_arg(ctx, name, &args[1], &args[0], loc);
        if (!strcmp(name, "array_cat"))
            return unify_arrays(ctx, name, kind, &args[0], &args[1], loc, true);
        return 0;
    }
    static const char *const ops[] = {"@>", "<@", "&&", "=", "<>", "<", "<=", ">", ">="};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (!strcmp(name, ops[i])) {
            if ((rc = unify_arrays(ctx, name, kind, &args[0], &args[1], loc, false)))
                return rc;
            if (!comparable(args[0]) || !comparable(args[1])) {
                err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000",
                              "comparing arrays of nested values is not supported");
                return bind_error_at(ctx, loc);
            }
            return 0;
        }
    return 0;
}

static int bind_int_index(BindCtx *ctx, ExprEnv *env, const AstNode *n, Expr **out)
{
    int rc = bind_expr(ctx, env, n, out);
    if (rc)
        return rc;
    LogicalType it = type_simple(TYPE_INT32);
    if (!(*out)->unknown && (*out)->type.id != TYPE_NULL && cast_context((*out)->type.id, TYPE_INT32) < CAST_ASSIGNMENT) {
        err_set_state(ctx->err, TARN_ERR_TYPE, "42804", "array subscript must have type integer");
        return bind_error_at(ctx, n->loc);
    }
    return bind_coerce(ctx, *out, &it, CAST_ASSIGNMENT, out);
}

int bind_subscript(BindCtx *ctx, ExprEnv *env, const AstNode *n, Expr **out)
{
    Expr *arr;
    int rc = bind_expr(ctx, env, n->u.subscript.arg, &arr);
    if (rc)
        return rc;
    char tn[64];
    if (n->u.subscript.field) {
        const char *f = n->u.subscript.field;
        if (arr->type.id != TYPE_STRUCT) {
            err_set_state(ctx->err, TARN_ERR_TYPE, "42809",
                          "column notation .%s applied to type %s, which is not a composite type", f,
                          sqltype_name(&arr->type, tn, sizeof tn));
            return bind_error_at(ctx, n->loc);
        }
        int k = -1;
        for (uint32_t i = 0; i < arr->type.n_fields && k < 0; i++)
            if (!strcmp(arr->type.fields[i].name, f))
                k = (int)i;
        for (uint32_t i = 0; i < arr->type.n_fields && k < 0; i++)
            if (!strcasecmp(arr->type.fields[i].name, f))
                k = (int)i;
        if (k < 0) {
            err_set_state(ctx->err, TARN_ERR_NOT_FOUND, "42703", "column \"%s\" not found in data type %s", f,
                          sqltype_name(&arr->type, tn, sizeof tn));
            return bind_error_at(ctx, n->loc);
        }
        uint32_t *st = arena_alloc(ctx->a, sizeof *st);
        if (!st)
            return nomem(ctx);
        *st = (uint32_t)k;
        Expr *args[1] = {arr};
        *out = mk_call(ctx, &func_struct_field, arr->type.fields[k].type, args, 1, st, n->loc);
        return *out ? 0 : nomem(ctx);
    }
    if (arr->type.id == TYPE_MAP && !n->u.subscript.slice && arr->type.n_fields == 2) {
        /* m[key] (nested Parquet maps) */
        const LogicalType *kt = &arr->type.fields[0].type;
        Expr *args[2] = {arr, NULL};
        if ((rc = bind_expr(ctx, env, n->u.subscript.hi, &args[1])))
            return rc;
        if (!func_array_elem_comparable(kt) || (rc = bind_coerce(ctx, args[1], kt, CAST_IMPLICIT, &args[1]))) {
            if (!rc) {
                err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000", "maps with nested keys cannot be subscripted");
                rc = bind_error_at(ctx, n->loc);
            }
            return rc;
        }
        *out = mk_call(ctx, &func_map_get, arr->type.fields[1].type, args, 2, NULL, n->loc);
        return *out ? bind_fold(ctx, *out, out) : nomem(ctx);
    }
    if (arr->type.id != TYPE_LIST) {
        if (arr->unknown || arr->type.id == TYPE_NULL)
            err_set_state(ctx->err, TARN_ERR_TYPE, "42804", "cannot subscript type unknown because it does not support subscripting");
        else
            err_set_state(ctx->err, TARN_ERR_TYPE, "42804", "cannot subscript type %s because it does not support subscripting",
                          sqltype_name(&arr->type, tn, sizeof tn));
        return bind_error_at(ctx, n->loc);
    }
    if (!n->u.subscript.slice) {
        Expr *args[2] = {arr, NULL};
        if ((rc = bind_int_index(ctx, env, n->u.subscript.hi, &args[1])))
            return rc;
        *out = mk_call(ctx, &func_array_subscript, *elem_of(&arr->type), args, 2, NULL, n->loc);
        return *out ? bind_fold(ctx, *out, out) : nomem(ctx);
    }
    FuncArraySlice *sl = arena_calloc(ctx->a, sizeof *sl);
    if (!sl)
        return nomem(ctx);
    Expr *args[3] = {arr, NULL, NULL};
    const AstNode *b[2] = {n->u.subscript.lo, n->u.subscript.hi};
    for (int i = 0; i < 2; i++) {
        if (b[i]) {
            if ((rc = bind_int_index(ctx, env, b[i], &args[1 + i])))
                return rc;
            continue;
        }
        Value z = value_i64(TYPE_INT32, 0);
        if (!(args[1 + i] = expr_const(ctx->a, &z, type_simple(TYPE_INT32), n->loc)))
            return nomem(ctx);
        if (i == 0)
            sl->no_lo = true;
        else
            sl->no_hi = true;
    }
    *out = mk_call(ctx, &func_array_slice, arr->type, args, 3, sl, n->loc);
    return *out ? 0 : nomem(ctx);
}

int bind_any_array(BindCtx *ctx, ExprEnv *env, const AstNode *n, Expr **out)
{
    Expr *x, *arr;
    int rc;
    if ((rc = bind_expr(ctx, env, n->u.anyarr.left, &x)) || (rc = bind_expr(ctx, env, n->u.anyarr.right, &arr)))
        return rc;
    static const struct { const char *name; int op; } ops[] = {
        {"=", ARR_OP_EQ}, {"<>", ARR_OP_NE}, {"!=", ARR_OP_NE}, {"<", ARR_OP_LT},
        {"<=", ARR_OP_LE}, {">", ARR_OP_GT}, {">=", ARR_OP_GE},
    };
    int op = -1;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (!strcmp(n->u.anyarr.name, ops[i].name))
            op = ops[i].op;
    if (op < 0) {
        err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000", "operator %s with ANY/ALL (array) is not supported",
                      n->u.anyarr.name);
        return bind_error_at(ctx, n->loc);
    }
    if (arr->type.id != TYPE_LIST && (arr->unknown || arr->type.id == TYPE_NULL)) {
        LogicalType et = x->unknown ? type_simple(TYPE_STRING) : x->type, lt;
        if ((rc = bind_array_of(ctx, &et, &lt)) || (rc = bind_coerce(ctx, arr, &lt, CAST_IMPLICIT, &arr)))
            return rc;
    }
    if (arr->type.id != TYPE_LIST) {
        err_set_state(ctx->err, TARN_ERR_TYPE, "42809", "op ANY/ALL (array) requires array on right side");
        return bind_error_at(ctx, n->loc);
    }
    const LogicalType *et = elem_of(&arr->type);
    if (!func_array_elem_comparable(et) || type_is_nested(x->type.id)) {
        err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000", "ANY/ALL over arrays of nested values is not supported");
        return bind_error_at(ctx, n->loc);
    }
    if (!type_equal(&x->type, et)) {
        if (x->unknown || x->type.id == TYPE_NULL || x->type.id == et->id ||
            cast_context(x->type.id, et->id) == CAST_IMPLICIT) {
            if ((rc = bind_coerce(ctx, x, et, CAST_IMPLICIT, &x)))
                return rc;
        } else if (cast_context(et->id, x->type.id) == CAST_IMPLICIT) {
            if ((rc = to_elem(ctx, &arr, &x->type)))
                return rc;
        } else {
            char a[64], b[64];
            err_set_state(ctx->err, TARN_ERR_NOT_FOUND, "42883", "operator does not exist: %s %s %s",
                          sqltype_name(&x->type, a, sizeof a), n->u.anyarr.name, sqltype_name(et, b, sizeof b));
            err_hint(ctx->err, "No operator matches the given name and argument types. You might need to add explicit type casts.");
            return bind_error_at(ctx, n->loc);
        }
    }
    FuncArrayAnyAll *st = arena_calloc(ctx->a, sizeof *st);
    if (!st)
        return nomem(ctx);
    st->op = op;
    st->all = n->u.anyarr.all;
    Expr *args[2] = {x, arr};
    *out = mk_call(ctx, &func_array_any_all, type_simple(TYPE_BOOL), args, 2, st, n->loc);
    return *out ? bind_fold(ctx, *out, out) : nomem(ctx);
}

int bind_unnest_op(BindCtx *ctx, Expr **args, uint32_t n, bool ordinality, int loc, LogicalOp **out,
                   const char ***names)
{
    uint32_t nc = n + (ordinality ? 1 : 0);
    Expr **calls = arena_alloc(ctx->a, nc * sizeof(Expr *));
    uint32_t *tix = arena_alloc(ctx->a, nc * sizeof(uint32_t));
    const char **nm = arena_alloc(ctx->a, nc * sizeof(char *));
    if (!calls || !tix || !nm)
        return nomem(ctx);
    int rc;
    for (uint32_t i = 0; i < n; i++) {
        if (args[i]->type.id != TYPE_LIST) {
            char tn[64];
            if (args[i]->unknown)
                err_set_state(ctx->err, TARN_ERR_TYPE, "42725", "function unnest(unknown) is not unique");
            else
                err_set_state(ctx->err, TARN_ERR_NOT_FOUND, "42883", "function unnest(%s) does not exist",
                              sqltype_name(&args[i]->type, tn, sizeof tn));
            return bind_error_at(ctx, args[i]->loc >= 0 ? args[i]->loc : loc);
        }
        Expr *a1[1] = {args[i]};
        if ((rc = bind_function(ctx, "unnest", FUNC_SRF, a1, 1, loc, &calls[i], NULL, NULL)))
            return rc;
        tix[i] = ctx->next_table++;
        nm[i] = "unnest";
    }
    if (ordinality) {
        /* generate_series(1, the longest array's length) in lockstep */
        Expr **cargs = arena_alloc(ctx->a, n * sizeof(Expr *));
        if (!cargs)
            return nomem(ctx);
        for (uint32_t i = 0; i < n; i++)
            if (!(cargs[i] = expr_copy(ctx->a, args[i])))
                return nomem(ctx);
        Expr *len = mk_call(ctx, &func_array_max_len, type_simple(TYPE_INT32), cargs, n, NULL, loc);
        Value one = value_i64(TYPE_INT32, 1);
        Expr *gs[2] = {expr_const(ctx->a, &one, type_simple(TYPE_INT32), loc), len};
        if (!len || !gs[0])
            return nomem(ctx);
        if ((rc = bind_function(ctx, "generate_series", FUNC_SRF, gs, 2, loc, &calls[n], NULL, NULL)))
            return rc;
        tix[n] = ctx->next_table++;
        nm[n] = "ordinality";
    }
    LogicalOp *d = lop_new(ctx->a, LOP_DUMMY, 0);
    LogicalOp *ps = lop_new(ctx->a, LOP_PROJECT_SET, 1);
    if (!d || !ps || lop_resolve(ctx->a, d, false))
        return nomem(ctx);
    d->est_rows = 1;
    ps->children[0] = d;
    ps->u.pset.calls = calls;
    ps->u.pset.table_index = tix;
    ps->u.pset.n_calls = nc;
    ps->est_rows = 10;
    if (lop_resolve(ctx->a, ps, false))
        return nomem(ctx);
    *out = ps;
    *names = nm;
    return 0;
}

int bind_array_refuse(BindCtx *ctx, const LogicalType *t, const char *what, int loc)
{
    if (!type_is_nested(t->id))
        return 0;
    err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000", "%s over array or composite values is not supported yet",
                  what);
    return bind_error_at(ctx, loc);
}
