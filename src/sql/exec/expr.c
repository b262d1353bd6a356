/*
 * expr.c - the vectorized expression evaluator (see expr.h).
 */
#include "sql/exec/expr.h"

#include <string.h>

#include "sql/func/cast.h"

typedef struct ENode ENode;
struct ENode {
    const Expr *e;
    uint32_t n_args;
    ENode **args;
    Vector res;             /* result vector */
    Vector *flat;           /* n_args scratch vectors for expanding constants */
    Vector **argv;          /* argument vectors of the current call */
    FuncCtx fctx;
    const LogicalType **arg_types;
    /* selection scratch (AND/OR/CASE/COALESCE), capacity sel_cap */
    uint32_t *act, *act2, *csel, *hit;
    uint32_t sel_cap;
};

struct ExprState {
    ENode *root;
    const SqlSettings *settings;
    const Value *params;
    Arena scratch;          /* kernels' per-batch scratch */
};

static void node_free(ENode *nd)
{
    if (!nd)
        return;
    for (uint32_t i = 0; i < nd->n_args; i++)
        node_free(nd->args[i]);
    if (nd->flat)
        for (uint32_t i = 0; i < nd->n_args; i++)
            vec_destroy(&nd->flat[i]);
    vec_destroy(&nd->res);
    tarn_free(nd->flat);
    tarn_free(nd->args);
    tarn_free(nd->argv);
    tarn_free(nd->arg_types);
    tarn_free(nd->act);
    tarn_free(nd->act2);
    tarn_free(nd->csel);
    tarn_free(nd->hit);
    tarn_free(nd);
}

static ENode *node_new(ExprState *st, const Expr *e, TarnError *err)
{
    ENode *nd = tarn_calloc(1, sizeof *nd);
    if (!nd) {
        ERR_NOMEM(err, sizeof *nd);
        return NULL;
    }
    nd->e = e;
    if (vec_init(&nd->res, &e->type) || vec_reserve(&nd->res, VEC_BATCH_ROWS))
        goto nomem;
    if (e->n_args) {
        nd->args = tarn_calloc(e->n_args, sizeof(ENode *));
        nd->argv = tarn_calloc(e->n_args, sizeof(Vector *));
        if (!nd->args || !nd->argv)
            goto nomem;
        for (uint32_t i = 0; i < e->n_args; i++) {
            nd->args[i] = node_new(st, e->args[i], err);
            if (!nd->args[i]) {
                nd->n_args = i;
                node_free(nd);
                return NULL;
            }
            nd->n_args = i + 1;
        }
    }
    switch (e->kind) {
    case EX_CONST: {
        if (value_to_vector(&e->u.cnst, &e->type, &nd->res)) {
            /* nested or unsupported constant types: a NULL */
            if (vec_set_null(&nd->res, 0))
                goto nomem;
        }
        nd->res.is_const = true;
        nd->res.len = 1;
        break;
    }
    case EX_FUNC: {
        nd->flat = tarn_calloc(e->n_args ? e->n_args : 1, sizeof(Vector));
        nd->arg_types = tarn_calloc(e->n_args ? e->n_args : 1, sizeof(LogicalType *));
        if (!nd->flat || !nd->arg_types)
            goto nomem;
        for (uint32_t i = 0; i < e->n_args; i++) {
            nd->arg_types[i] = &e->args[i]->type;
            if (vec_init(&nd->flat[i], &e->args[i]->type))
                goto nomem;
        }
        nd->fctx.def = e->u.func.def;
        nd->fctx.ret = &e->type;
        nd->fctx.arg_types = nd->arg_types;
        nd->fctx.n_args = e->n_args;
        nd->fctx.bind_state = e->u.func.bind_state;
        nd->fctx.settings = st->settings;
        nd->fctx.scratch = &st->scratch;
        nd->fctx.arena = &st->scratch;
        break;
    }
    default:
        break;
    }
    return nd;
nomem:
    ERR_NOMEM(err, 0);
    node_free(nd);
    return NULL;
}

ExprState *expr_state_new(const Expr *e, const SqlSettings *settings, const Value *params, TarnError *err)
{
    ExprState *st = tarn_calloc(1, sizeof *st);
    if (!st) {
        ERR_NOMEM(err, sizeof *st);
        return NULL;
    }
    st->settings = settings;
    st->params = params;
    arena_init(&st->scratch, 16 * 1024);
    st->root = node_new(st, e, err);
    if (!st->root) {
        arena_free(&st->scratch);
        tarn_free(st);
        return NULL;
    }
    return st;
}

void expr_state_free(ExprState *st)
{
    if (!st)
        return;
    node_free(st->root);
    arena_free(&st->scratch);
    tarn_free(st);
}

static int ensure_sel(ENode *nd, uint32_t n)
{
    if (n <= nd->sel_cap)
        return 0;
    uint32_t cap = n < VEC_BATCH_ROWS ? VEC_BATCH_ROWS : n;
    uint32_t **arrs[4] = {&nd->act, &nd->act2, &nd->csel, &nd->hit};
    for (int i = 0; i < 4; i++) {
        uint32_t *p = tarn_realloc(*arrs[i], cap * sizeof(uint32_t));
        if (!p)
            return TARN_ERR_NOMEM;
        *arrs[i] = p;
    }
    nd->sel_cap = cap;
    return 0;
}

static int eval(ExprState *st, ENode *nd, const Chunk *in, const uint32_t *sel, uint32_t n, Vector **out,
                TarnError *err);

/* Composes: csel[t] = sel ? sel[pos[t]] : pos[t]. */
static const uint32_t *compose(ENode *nd, const uint32_t *sel, const uint32_t *pos, uint32_t m, uint32_t n)
{
    if (m == n && !sel)
        return NULL;
    if (m == n)
        return sel;
    for (uint32_t t = 0; t < m; t++)
        nd->csel[t] = sel ? sel[pos[t]] : pos[t];
    return nd->csel;
}

static inline bool bool_at(const Vector *v, uint32_t t, bool *valid)
{
    uint32_t k = v->is_const ? 0 : t;
    *valid = vec_is_valid(v, k);
    return v->data[k] != 0;
}

/* AND / OR with three-valued logic, narrowing the rows per argument. */
static int eval_andor(ExprState *st, ENode *nd, const Chunk *in, const uint32_t *sel, uint32_t n, Vector **out,
                      TarnError *err)
{
    bool is_and = nd->e->kind == EX_AND;
    if (ensure_sel(nd, n) || vec_prepare(&nd->res, n))
        return ERR_NOMEM(err, n);
    Vector *r = &nd->res;
    memset(r->data, is_and ? 1 : 0, n);
    uint32_t *act = nd->act, m = n;
    for (uint32_t p = 0; p < n; p++)
        act[p] = p;
    for (uint32_t j = 0; j < nd->n_args && m > 0; j++) {
        const uint32_t *cs = compose(nd, sel, act, m, n);
        Vector *a;
        int rc = eval(st, nd->args[j], in, cs, m, &a, err);
        if (rc)
            return rc;
        uint32_t m2 = 0;
        for (uint32_t t = 0; t < m; t++) {
            bool valid, b = bool_at(a, t, &valid);
            uint32_t p = act[t];
            if (valid && b != is_and) {
                /* decided: FALSE for AND, TRUE for OR */
                r->data[p] = !is_and;
                vec_set_valid_bit(r, p);
                continue;
            }
            if (!valid && vec_set_null(r, p))
                return ERR_NOMEM(err, n);
            act[m2++] = p;
        }
        m = m2;
    }
    *out = r;
    return 0;
}

static int eval_case(ExprState *st, ENode *nd, const Chunk *in, const uint32_t *sel, uint32_t n, Vector **out,
                     TarnError *err)
{
    const Expr *e = nd->e;
    if (ensure_sel(nd, n) || vec_prepare(&nd->res, n))
        return ERR_NOMEM(err, n);
    Vector *r = &nd->res;
    uint32_t *act = nd->act, m = n;
    for (uint32_t p = 0; p < n; p++)
        act[p] = p;
    uint32_t nw = (e->n_args - (e->u.kase.has_else ? 1 : 0)) / 2;
    int rc;
    for (uint32_t w = 0; w < nw && m > 0; w++) {
        const uint32_t *cs = compose(nd, sel, act, m, n);
        Vector *c;
        if ((rc = eval(st, nd->args[2 * w], in, cs, m, &c, err)))
            return rc;
        /* split act into hit (TRUE) and the rest */
        uint32_t nh = 0, m2 = 0;
        for (uint32_t t = 0; t < m; t++) {
            bool valid, b = bool_at(c, t, &valid);
            if (valid && b)
                nd->hit[nh++] = act[t];
            else
                nd->act2[m2++] = act[t];
        }
        if (nh) {
            /* compose for the hit rows (csel is free again) */
            const uint32_t *hs = compose(nd, sel, nd->hit, nh, n);
            Vector *v;
            if ((rc = eval(st, nd->args[2 * w + 1], in, hs, nh, &v, err)))
                return rc;
            if (vec_scatter(r, v, nd->hit, nh))
                return ERR_NOMEM(err, nh);
        }
        memcpy(act, nd->act2, m2 * sizeof(uint32_t));
        m = m2;
    }
    if (m > 0) {
        if (e->u.kase.has_else) {
            const uint32_t *cs = compose(nd, sel, act, m, n);
            Vector *v;
            if ((rc = eval(st, nd->args[e->n_args - 1], in, cs, m, &v, err)))
                return rc;
            if (vec_scatter(r, v, act, m))
                return ERR_NOMEM(err, m);
        } else {
            for (uint32_t t = 0; t < m; t++)
                if (vec_set_null(r, act[t]))
                    return ERR_NOMEM(err, n);
        }
    }
    *out = r;
    return 0;
}

static int eval_coalesce(ExprState *st, ENode *nd, const Chunk *in, const uint32_t *sel, uint32_t n, Vector **out,
                         TarnError *err)
{
    if (ensure_sel(nd, n) || vec_prepare(&nd->res, n))
        return ERR_NOMEM(err, n);
    Vector *r = &nd->res;
    uint32_t *act = nd->act, m = n;
    for (uint32_t p = 0; p < n; p++)
        act[p] = p;
    for (uint32_t j = 0; j < nd->n_args && m > 0; j++) {
        const uint32_t *cs = compose(nd, sel, act, m, n);
        Vector *v;
        int rc = eval(st, nd->args[j], in, cs, m, &v, err);
        if (rc)
            return rc;
        uint32_t nh = 0, m2 = 0;
        for (uint32_t t = 0; t < m; t++) {
            if (vec_is_valid(v, v->is_const ? 0 : t)) {
                nd->hit[nh] = act[t];
                nd->csel[nh] = t; /* index into v */
                nh++;
            } else {
                nd->act2[m2++] = act[t];
            }
        }
        /* scatter the valid values */
        size_t w = type_width(r->type);
        for (uint32_t k = 0; k < nh; k++) {
            uint32_t src = v->is_const ? 0 : nd->csel[k];
            memcpy(r->data + w * nd->hit[k], v->data + w * src, w);
            vec_set_valid_bit(r, nd->hit[k]);
        }
        memcpy(act, nd->act2, m2 * sizeof(uint32_t));
        m = m2;
    }
    for (uint32_t t = 0; t < m; t++)
        if (vec_set_null(r, act[t]))
            return ERR_NOMEM(err, n);
    *out = r;
    return 0;
}

static int eval_func(ExprState *st, ENode *nd, const Chunk *in, const uint32_t *sel, uint32_t n, Vector **out,
                     TarnError *err)
{
    const Expr *e = nd->e;
    const FuncDef *d = e->u.func.def;
    bool all_const = true;
    for (uint32_t i = 0; i < nd->n_args; i++) {
        int rc = eval(st, nd->args[i], in, sel, n, &nd->argv[i], err);
        if (rc)
            return rc;
        if (!nd->argv[i]->is_const)
            all_const = false;
    }
    if (nd->n_args == 0 && !(d->flags & FUNC_VOLATILE))
        all_const = true;
    uint32_t m = all_const ? 1 : n;
    Vector *r = &nd->res;
    if (vec_prepare(r, m))
        return ERR_NOMEM(err, m);
    if (d->flags & FUNC_STRICT) {
        if (func_propagate_nulls(nd->argv, nd->n_args, m, r))
            return ERR_NOMEM(err, m);
        if (r->validity) {
            bool any_valid = false;
            for (uint32_t b = 0; b < (m + 7) / 8 && !any_valid; b++)
                any_valid = r->validity[b] != 0;
            if (!any_valid) {
                memset(r->data, 0, type_width(r->type) * m);
                r->len = m;
                r->is_const = all_const;
                *out = r;
                return 0;
            }
        }
    }
    Vector **argv = nd->argv;
    if (!all_const && !(d->flags & FUNC_CONST_ARGS)) {
        for (uint32_t i = 0; i < nd->n_args; i++) {
            if (argv[i]->is_const) {
                if (vec_gather(&nd->flat[i], argv[i], NULL, n))
                    return ERR_NOMEM(err, n);
                argv[i] = &nd->flat[i];
            }
        }
    }
    int rc = d->scalar(&nd->fctx, argv, nd->n_args, m, r, err);
    if (rc)
        return rc;
    r->len = m;
    r->is_const = all_const;
    *out = r;
    return 0;
}

static int eval(ExprState *st, ENode *nd, const Chunk *in, const uint32_t *sel, uint32_t n, Vector **out,
                TarnError *err)
{
    const Expr *e = nd->e;
    switch (e->kind) {
    case EX_CONST:
        *out = &nd->res;
        return 0;
    case EX_COLREF: {
        if (e->u.col.idx >= in->n_cols)
            return ERR_INTERNAL(err, "column reference out of range");
        Vector *v = in->cols[e->u.col.idx];
        if (!sel || v->is_const) {
            *out = v;
            return 0;
        }
        if (vec_gather(&nd->res, v, sel, n))
            return ERR_NOMEM(err, n);
        *out = &nd->res;
        return 0;
    }
    case EX_PARAM: {
        if (!st->params)
            return ERR_INTERNAL(err, "subquery result missing");
        vec_reset(&nd->res);
        if (value_to_vector(&st->params[e->u.param.slot], &e->type, &nd->res) && vec_set_null(&nd->res, 0))
            return ERR_NOMEM(err, 1);
        nd->res.is_const = true;
        nd->res.len = 1;
        *out = &nd->res;
        return 0;
    }
    case EX_FUNC:
        return eval_func(st, nd, in, sel, n, out, err);
    case EX_CAST: {
        Vector *a;
        int rc = eval(st, nd->args[0], in, sel, n, &a, err);
        if (rc)
            return rc;
        vec_reset(&nd->res);
        if ((rc = cast_vector(a, &nd->res, n, st->settings, err)))
            return rc;
        *out = &nd->res;
        return 0;
    }
    case EX_AND:
    case EX_OR:
        return eval_andor(st, nd, in, sel, n, out, err);
    case EX_NOT: {
        Vector *a;
        int rc = eval(st, nd->args[0], in, sel, n, &a, err);
        if (rc)
            return rc;
        uint32_t m = a->is_const ? 1 : n;
        if (vec_prepare(&nd->res, m))
            return ERR_NOMEM(err, m);
        for (uint32_t i = 0; i < m; i++)
            nd->res.data[i] = !a->data[i];
        if (a->validity) {
            if (vec_ensure_validity(&nd->res))
                return ERR_NOMEM(err, m);
            memcpy(nd->res.validity, a->validity, (m + 7) / 8);
        }
        nd->res.is_const = a->is_const;
        *out = &nd->res;
        return 0;
    }
    case EX_IS_NULL:
    case EX_IS_NOT_NULL: {
        Vector *a;
        int rc = eval(st, nd->args[0], in, sel, n, &a, err);
        if (rc)
            return rc;
        uint32_t m = a->is_const ? 1 : n;
        if (vec_prepare(&nd->res, m))
            return ERR_NOMEM(err, m);
        bool want_null = e->kind == EX_IS_NULL;
        for (uint32_t i = 0; i < m; i++)
            nd->res.data[i] = (uint8_t)(vec_is_valid(a, i) != want_null);
        nd->res.is_const = a->is_const;
        *out = &nd->res;
        return 0;
    }
    case EX_CASE:
        return eval_case(st, nd, in, sel, n, out, err);
    case EX_COALESCE:
        return eval_coalesce(st, nd, in, sel, n, out, err);
    case EX_AGGREF:
    case EX_SUBQUERY:
        return ERR_INTERNAL(err, "unplanned expression reached the executor");
    }
    return ERR_INTERNAL(err, "unknown expression kind");
}

int expr_eval(ExprState *st, const Chunk *in, const uint32_t *sel, uint32_t n, Vector **out, TarnError *err)
{
    arena_reset(&st->scratch);
    return eval(st, st->root, in, sel, n, out, err);
}

/* Conjunctions narrow the selection argument by argument. */
static int select_rows(ExprState *st, ENode *nd, const Chunk *in, const uint32_t *sel, uint32_t n, uint32_t *sel_out,
                       uint32_t *n_out, TarnError *err)
{
    if (nd->e->kind == EX_AND) {
        const uint32_t *cur = sel;
        uint32_t m = n;
        for (uint32_t j = 0; j < nd->n_args; j++) {
            uint32_t k;
            int rc = select_rows(st, nd->args[j], in, cur, m, sel_out, &k, err);
            if (rc)
                return rc;
            cur = sel_out;
            m = k;
            if (m == 0)
                break;
        }
        if (cur != sel_out) {
            /* no conjunct ran (n_args == 0): everything passes */
            for (uint32_t i = 0; i < m; i++)
                sel_out[i] = sel ? sel[i] : i;
        }
        *n_out = m;
        return 0;
    }
    Vector *v;
    int rc = eval(st, nd, in, sel, n, &v, err);
    if (rc)
        return rc;
    uint32_t k = 0;
    if (v->is_const) {
        if (vec_is_valid(v, 0) && v->data[0])
            for (uint32_t i = 0; i < n; i++)
                sel_out[k++] = sel ? sel[i] : i;
    } else if (!v->validity) {
        const uint8_t *b = v->data;
        if (sel) {
            for (uint32_t i = 0; i < n; i++) {
                sel_out[k] = sel[i];
                k += b[i] != 0;
            }
        } else {
            for (uint32_t i = 0; i < n; i++) {
                sel_out[k] = i;
                k += b[i] != 0;
            }
        }
    } else {
        for (uint32_t i = 0; i < n; i++)
            if (vec_is_valid(v, i) && v->data[i])
                sel_out[k++] = sel ? sel[i] : i;
    }
    *n_out = k;
    return 0;
}

int expr_select(ExprState *st, const Chunk *in, const uint32_t *sel, uint32_t n, uint32_t *sel_out, uint32_t *n_out,
                TarnError *err)
{
    arena_reset(&st->scratch);
    return select_rows(st, st->root, in, sel, n, sel_out, n_out, err);
}

bool expr_never_fails(const Expr *e)
{
    switch (e->kind) {
    case EX_CONST:
    case EX_COLREF:
    case EX_PARAM:
        return true;
    case EX_FUNC:
        if (!(e->u.func.def->flags & FUNC_NO_ERRORS) || (e->u.func.def->flags & FUNC_VOLATILE))
            return false;
        break;
    case EX_AND:
    case EX_OR:
    case EX_NOT:
    case EX_IS_NULL:
    case EX_IS_NOT_NULL:
    case EX_CASE:
    case EX_COALESCE:
        break;
    default: /* casts can fail; aggregates and subqueries do not reach here */
        return false;
    }
    for (uint32_t i = 0; i < e->n_args; i++)
        if (!expr_never_fails(e->args[i]))
            return false;
    return true;
}

int expr_eval_const(const Expr *e, const SqlSettings *settings, Arena *a, Value *out, TarnError *err)
{
    if (type_is_nested(e->type.id)) /* the Value would borrow from a vector freed here */
        return ERR_INTERNAL(err, "constant evaluation of a nested type");
    ExprState *st = expr_state_new(e, settings, NULL, err);
    if (!st)
        return err ? err->kind : TARN_ERR_NOMEM;
    Chunk c = {1, 0, NULL};
    Vector *v;
    int rc = expr_eval(st, &c, NULL, 1, &v, err);
    if (!rc) {
        vector_get_value(v, 0, out);
        out->type = e->type.id;
        out->precision = e->type.precision;
        out->scale = e->type.scale;
        if (!out->is_null && type_is_string_like(e->type.id)) {
            char *p = arena_alloc(a, out->v.s.len + 1);
            if (!p) {
                rc = ERR_NOMEM(err, out->v.s.len);
            } else {
                if (out->v.s.len)
                    memcpy(p, out->v.s.ptr, out->v.s.len);
                p[out->v.s.len] = 0;
                out->v.s.ptr = p;
            }
        }
    }
    expr_state_free(st);
    return rc;
}

const Expr *expr_prune_term(const Expr *e, const Expr **cnst, PqCmp *op)
{
    *cnst = NULL;
    if (e->kind == EX_IS_NULL || e->kind == EX_IS_NOT_NULL) {
        *op = e->kind == EX_IS_NULL ? PQ_CMP_IS_NULL : PQ_CMP_NOT_NULL;
        return e->args[0]->kind == EX_COLREF ? e->args[0] : NULL;
    }
    if (e->kind != EX_FUNC || e->n_args != 2 || e->u.func.def->kind != FUNC_OPERATOR)
        return NULL;
    const Expr *a = e->args[0], *b = e->args[1];
    bool flip = false;
    if (a->kind == EX_CONST && b->kind == EX_COLREF) {
        const Expr *t = a;
        a = b;
        b = t;
        flip = true;
    }
    if (a->kind != EX_COLREF || b->kind != EX_CONST || b->u.cnst.is_null)
        return NULL;
    if (type_is_nested(b->type.id)) /* arrays have no file statistics */
        return NULL;
    const char *nm = e->u.func.def->name;
    if (!strcmp(nm, "="))
        *op = PQ_CMP_EQ;
    else if (!strcmp(nm, "<"))
        *op = flip ? PQ_CMP_GT : PQ_CMP_LT;
    else if (!strcmp(nm, "<="))
        *op = flip ? PQ_CMP_GE : PQ_CMP_LE;
    else if (!strcmp(nm, ">"))
        *op = flip ? PQ_CMP_LT : PQ_CMP_GT;
    else if (!strcmp(nm, ">="))
        *op = flip ? PQ_CMP_LE : PQ_CMP_GE;
    else
        return NULL;
    *cnst = b;
    return a;
}
