/*
 * bind_group.c - GROUP BY ROLLUP / CUBE / GROUPING SETS and GROUPING().
 *
 * The GROUP BY list is expanded the way PostgreSQL expands it
 * (parse_agg.c expand_grouping_sets): every top-level item gives a list
 * of sets (an expression one set of one key, ROLLUP(a, b) (a, b), (a),
 * (), CUBE every subset, GROUPING SETS the concatenation of its items'
 * lists, () the empty set), and the item lists are multiplied out
 * (cartesian product, sets concatenated).  Duplicates are kept: GROUP BY
 * GROUPING SETS ((a), (a)) returns every group twice, as in PostgreSQL.
 *
 * The distinct key expressions become the AGGREGATE's keys plus one more,
 * the set number; a set is a bit mask over the keys (plan.h,
 * set_masks).  The hash aggregate folds every input chunk once per set
 * into one table, keys outside the set NULL and the set number as the
 * last key (op_hash_agg.c), so the input is read once.  GROUPING(a, b)
 * is a CASE over the set number.
 */
#include <string.h>

#include "sql/bind/bind_int.h"
#include "sql/func/agg_ordered.h"

#define MAX_SETS 4096

typedef struct SetList {
    uint64_t *m;
    uint32_t n, cap;
} SetList;

typedef struct Expander {
    BindCtx *ctx;
    BindGroupExprFn fn;
    void *arg;
    Expr **keys;
    uint32_t n_keys, cap_keys;
} Expander;

static int nomem(BindCtx *ctx) { return ERR_NOMEM(ctx->err, 0); }

static int too_many(BindCtx *ctx, int loc)
{
    err_set_state(ctx->err, TARN_ERR_INVALID, "54001", "too many grouping sets present (maximum %d)", MAX_SETS);
    return bind_error_at(ctx, loc);
}

static int sl_push(BindCtx *ctx, SetList *l, uint64_t m, int loc)
{
    if (l->n == MAX_SETS)
        return too_many(ctx, loc);
    if (l->n == l->cap) {
        uint32_t nc = l->cap ? l->cap * 2 : 8;
        uint64_t *n = arena_alloc(ctx->a, nc * sizeof(uint64_t));
        if (!n)
            return nomem(ctx);
        if (l->n)
            memcpy(n, l->m, l->n * sizeof(uint64_t));
        l->m = n;
        l->cap = nc;
    }
    l->m[l->n++] = m;
    return 0;
}

bool bind_group_has_sets(const AstList *group_by)
{
    for (uint32_t i = 0; i < group_by->n; i++)
        if (group_by->items[i]->kind == AST_GROUPING_SET)
            return true;
    return false;
}

/* The key bit of one expression (binding it through the caller). */
static int key_bit(Expander *x, const AstNode *n, uint64_t *out)
{
    Expr *e;
    int rc = x->fn(x->ctx, x->arg, n, &e);
    if (rc)
        return rc;
    if (e->kind == EX_AGGREF) {
        err_set_state(x->ctx->err, TARN_ERR_INVALID, "42803", "aggregate functions are not allowed in GROUP BY");
        return bind_error_at(x->ctx, e->loc);
    }
    uint32_t k = 0;
    while (k < x->n_keys && !expr_equal(x->keys[k], e))
        k++;
    if (k == x->n_keys) {
        if (k == 63) {
            err_set_state(x->ctx->err, TARN_ERR_UNSUPPORTED, "0A000",
                          "grouping sets over more than 63 distinct expressions are not supported");
            return bind_error_at(x->ctx, n->loc);
        }
        if (x->n_keys == x->cap_keys) {
            uint32_t nc = x->cap_keys ? x->cap_keys * 2 : 8;
            Expr **nk = arena_alloc(x->ctx->a, nc * sizeof(Expr *));
            if (!nk)
                return nomem(x->ctx);
            if (x->n_keys)
                memcpy(nk, x->keys, x->n_keys * sizeof(Expr *));
            x->keys = nk;
            x->cap_keys = nc;
        }
        x->keys[x->n_keys++] = e;
    }
    *out = (uint64_t)1 << k;
    return 0;
}

/* The keys of an item of ROLLUP / CUBE / a (a, b) list: one mask. */
static int item_mask(Expander *x, const AstNode *n, uint64_t *out)
{
    if (n->kind != AST_GROUPING_SET)
        return key_bit(x, n, out);
    *out = 0;
    if (n->u.gset.kind != GSET_SIMPLE && n->u.gset.kind != GSET_EMPTY) {
        /* the grammar allows only expressions and (lists) here */
        err_set_state(x->ctx->err, TARN_ERR_SYNTAX, "42601", "syntax error in grouping set");
        return bind_error_at(x->ctx, n->loc);
    }
    for (uint32_t i = 0; i < n->u.gset.items.n; i++) {
        uint64_t m;
        int rc = item_mask(x, n->u.gset.items.items[i], &m);
        if (rc)
            return rc;
        *out |= m;
    }
    return 0;
}

static int expand(Expander *x, const AstNode *n, SetList *out)
{
    BindCtx *ctx = x->ctx;
    int rc;
    if (n->kind != AST_GROUPING_SET) {
        uint64_t m;
        return (rc = key_bit(x, n, &m)) ? rc : sl_push(ctx, out, m, n->loc);
    }
    const AstList *it = &n->u.gset.items;
    switch (n->u.gset.kind) {
    case GSET_EMPTY:
        return sl_push(ctx, out, 0, n->loc);
    case GSET_SIMPLE: {
        uint64_t m;
        return (rc = item_mask(x, n, &m)) ? rc : sl_push(ctx, out, m, n->loc);
    }
    case GSET_ROLLUP:
    case GSET_CUBE: {
        uint64_t *ms = arena_alloc(ctx->a, (it->n ? it->n : 1) * sizeof(uint64_t));
        if (!ms)
            return nomem(ctx);
        for (uint32_t i = 0; i < it->n; i++)
            if ((rc = item_mask(x, it->items[i], &ms[i])))
                return rc;
        if (n->u.gset.kind == GSET_ROLLUP) {
            /* (a, b, c), (a, b), (a), () */
            for (uint32_t k = it->n + 1; k-- > 0;) {
                uint64_t m = 0;
                for (uint32_t i = 0; i < k; i++)
                    m |= ms[i];
                if ((rc = sl_push(ctx, out, m, n->loc)))
                    return rc;
            }
            return 0;
        }
        if (it->n > 12) {
            err_set_state(ctx->err, TARN_ERR_INVALID, "54011", "CUBE is limited to 12 elements");
            return bind_error_at(ctx, n->loc);
        }
        /* every subset, the first item as the high bit: (a,b,c), (a,b), (a,c), (a), (b,c), ... () */
        for (uint32_t b = (1u << it->n); b-- > 0;) {
            uint64_t m = 0;
            for (uint32_t i = 0; i < it->n; i++)
                if ((b >> (it->n - 1 - i)) & 1)
                    m |= ms[i];
            if ((rc = sl_push(ctx, out, m, n->loc)))
                return rc;
        }
        return 0;
    }
    case GSET_SETS:
        for (uint32_t i = 0; i < it->n; i++)
            if ((rc = expand(x, it->items[i], out)))
                return rc;
        return 0;
    }
    return 0;
}

int bind_grouping_sets(BindCtx *ctx, const AstList *group_by, bool distinct, BindGroupExprFn fn, void *arg,
                       Expr ***keys_out, uint32_t *n_keys_out, uint64_t **masks_out, uint32_t *n_sets_out)
{
    Expander x = {ctx, fn, arg, NULL, 0, 0};
    SetList acc = {0};
    int rc;
    if ((rc = sl_push(ctx, &acc, 0, -1)))
        return rc;
    for (uint32_t i = 0; i < group_by->n; i++) {
        const AstNode *item = group_by->items[i];
        SetList one = {0}, prod = {0};
        if ((rc = expand(&x, item, &one)))
            return rc;
        if ((uint64_t)acc.n * one.n > MAX_SETS)
            return too_many(ctx, item->loc);
        for (uint32_t a = 0; a < acc.n; a++)
            for (uint32_t b = 0; b < one.n; b++)
                if ((rc = sl_push(ctx, &prod, acc.m[a] | one.m[b], item->loc)))
                    return rc;
        acc = prod;
    }
    if (distinct) {
        /* GROUP BY DISTINCT: drop repeated sets, the first one kept */
        uint32_t k = 0;
        for (uint32_t i = 0; i < acc.n; i++) {
            uint32_t j = 0;
            while (j < k && acc.m[j] != acc.m[i])
                j++;
            if (j == k)
                acc.m[k++] = acc.m[i];
        }
        acc.n = k;
    }
    *keys_out = x.keys;
    *n_keys_out = x.n_keys;
    *masks_out = acc.m;
    *n_sets_out = acc.n;
    return 0;
}

int bind_grouping_func(BindCtx *ctx, ExprEnv *env, const AstNode *n, Expr **out)
{
    const char *where = NULL;
    if (!env->aggs) {
        switch (env->clause) {
        case CL_WHERE: where = "WHERE"; break;
        case CL_JOIN_ON: where = "JOIN conditions"; break;
        case CL_GROUP_BY: where = "GROUP BY"; break;
        case CL_VALUES: where = "VALUES"; break;
        default: where = "this context"; break;
        }
    }
    if (where) {
        err_set_state(ctx->err, TARN_ERR_INVALID, "42803", "grouping operations are not allowed in %s", where);
        return bind_error_at(ctx, n->loc);
    }
    if (env->in_agg) {
        err_set_state(ctx->err, TARN_ERR_INVALID, "42803", "aggregate function calls cannot be nested");
        return bind_error_at(ctx, n->loc);
    }
    uint32_t na = n->u.list.args.n;
    if (na > 31) {
        err_set_state(ctx->err, TARN_ERR_INVALID, "54023", "GROUPING must have fewer than 32 arguments");
        return bind_error_at(ctx, n->loc);
    }
    Expr *e = expr_new(ctx->a, EX_AGGREF, type_simple(TYPE_INT32), na, n->loc);
    if (!e)
        return nomem(ctx);
    e->u.agg.idx = BIND_GROUPING_IDX;
    ExprEnv sub = *env;
    sub.aggs = NULL;
    sub.clause = CL_OTHER;
    for (uint32_t i = 0; i < na; i++) {
        int rc = bind_expr(ctx, &sub, n->u.list.args.items[i], &e->args[i]);
        if (rc)
            return rc;
    }
    env->aggs->has_grouping = true;
    *out = e;
    return 0;
}

static Expr *int_const(BindCtx *ctx, int32_t v)
{
    Value val = value_i64(TYPE_INT32, v);
    return expr_const(ctx->a, &val, type_simple(TYPE_INT32), -1);
}

int bind_grouping_rewrite(BindCtx *ctx, const Expr *e, Expr *const *keys, uint32_t n_keys, uint32_t group_index,
                          const uint64_t *masks, uint32_t n_sets, Expr **out)
{
    uint32_t *pos = arena_alloc(ctx->a, (e->n_args ? e->n_args : 1) * sizeof(uint32_t));
    if (!pos)
        return nomem(ctx);
    for (uint32_t i = 0; i < e->n_args; i++) {
        uint32_t k = 0;
        while (k < n_keys && !expr_equal(keys[k], e->args[i]))
            k++;
        if (k == n_keys) {
            err_set_state(ctx->err, TARN_ERR_INVALID, "42803",
                          "arguments to GROUPING must be grouping expressions of the associated query level");
            return bind_error_at(ctx, e->args[i]->loc >= 0 ? e->args[i]->loc : e->loc);
        }
        pos[i] = k;
    }
    if (!n_sets) {
        /* plain GROUP BY: every key is in the only set */
        return (*out = int_const(ctx, 0)) ? 0 : nomem(ctx);
    }
    /* CASE set WHEN s THEN bits(s) ... ELSE 0 END over the sets whose value is not 0 */
    uint32_t nw = 0;
    int32_t *val = arena_alloc(ctx->a, n_sets * sizeof(int32_t));
    if (!val)
        return nomem(ctx);
    for (uint32_t s = 0; s < n_sets; s++) {
        int32_t v = 0;
        for (uint32_t i = 0; i < e->n_args; i++)
            if (!((masks[s] >> pos[i]) & 1))
                v |= (int32_t)1 << (e->n_args - 1 - i);
        val[s] = v;
        nw += v != 0;
    }
    if (!nw)
        return (*out = int_const(ctx, 0)) ? 0 : nomem(ctx);
    Expr *c = expr_new(ctx->a, EX_CASE, type_simple(TYPE_INT32), 2 * nw + 1, e->loc);
    if (!c)
        return nomem(ctx);
    c->u.kase.has_else = true;
    uint32_t k = 0;
    for (uint32_t s = 0; s < n_sets; s++) {
        if (!val[s])
            continue;
        Expr *gid = expr_colref(ctx->a, (ColBinding){group_index, n_keys}, type_simple(TYPE_INT32), "?grouping set?");
        Expr *sc = int_const(ctx, (int32_t)s);
        Expr *vc = int_const(ctx, val[s]);
        if (!gid || !sc || !vc)
            return nomem(ctx);
        int rc = bind_operator(ctx, "=", gid, sc, e->loc, &c->args[k]);
        if (rc)
            return rc;
        c->args[k + 1] = vc;
        k += 2;
    }
    if (!(c->args[k] = int_const(ctx, 0)))
        return nomem(ctx);
    *out = c;
    return 0;
}

/* ---- ORDER BY inside aggregate calls ------------------------------------------------------- */

/* Aggregates whose result does not depend on the order of their input. */
static bool order_insensitive(const char *name)
{
    static const char *const names[] = {"count", "min", "max", "bool_and", "bool_or", "every", NULL};
    for (uint32_t i = 0; names[i]; i++)
        if (!strcmp(name, names[i]))
            return true;
    return false;
}

int bind_agg_order(BindCtx *ctx, ExprEnv *env, const AstNode *n, AggCall *ac)
{
    uint32_t nk = n->u.func.order_by.n;
    if (n->u.func.within_group) {
        /* ordered-set aggregates: the ordered arguments are already the last
         * arguments (parse.c); NULLs do not count, only the direction does */
        const char *nm = ac->def->name;
        if (strcmp(nm, "percentile_cont") && strcmp(nm, "percentile_disc") && strcmp(nm, "mode")) {
            err_set_state(ctx->err, TARN_ERR_INVALID, "42809",
                          "%s is not an ordered-set aggregate, so it cannot have WITHIN GROUP", nm);
            return bind_error_at(ctx, n->loc);
        }
        const AstNode *sb = n->u.func.order_by.items[0];
        if (sb->kind == AST_SORT_BY && sb->u.sortby.dir == 2) {
            if (ac->bind_state) {
                err_set_state(ctx->err, TARN_ERR_INTERNAL, "XX000", "unexpected bind state of %s", nm);
                return TARN_ERR_INTERNAL;
            }
            ac->bind_state = (void *)agg_ordered_set_desc;
        }
        return 0;
    }
    SortItem *keys = arena_calloc(ctx->a, nk * sizeof(SortItem));
    if (!keys)
        return nomem(ctx);
    ExprEnv sub = *env;
    sub.in_agg = true;
    for (uint32_t k = 0; k < nk; k++) {
        const AstNode *sb = n->u.func.order_by.items[k];
        const AstNode *x = sb->kind == AST_SORT_BY ? sb->u.sortby.expr : sb;
        int dir = sb->kind == AST_SORT_BY ? sb->u.sortby.dir : 0, nulls = sb->kind == AST_SORT_BY ? sb->u.sortby.nulls : 0;
        keys[k].desc = dir == 2;
        keys[k].nulls_first = nulls == 1 || (nulls == 0 && dir == 2);
        int rc = bind_expr(ctx, &sub, x, &keys[k].expr);
        if (rc)
            return rc;
        if (ac->distinct) {
            bool found = false;
            for (uint32_t i = 0; i < ac->n_args && !found; i++)
                found = expr_equal(ac->args[i], keys[k].expr);
            if (!found) {
                err_set_state(ctx->err, TARN_ERR_INVALID, "42P10",
                              "in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list");
                return bind_error_at(ctx, x->loc);
            }
        }
    }
    if (order_insensitive(ac->def->name))
        return 0;
    return agg_ordered_wrap(ctx->a, ac, keys, nk, ac->distinct, ctx->err);
}
