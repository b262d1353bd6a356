/*
 * bind_param.c - query parameters $1, $2, ... (PostgreSQL's ParamRef).
 *
 * Describe mode (BindParams.values == NULL, tarn_prepare / PREPARE): an
 * untyped $k binds as an unknown NULL literal, so operator and function
 * resolution treat it exactly like PostgreSQL treats an unknown-type
 * Param; the first coercion it meets (bind_coerce -> bind_param_infer)
 * fixes its type, like parse_param.c's variable_coerce_param_hook.  A $k
 * whose type is known binds as a typed NULL.  The plan of this pass is
 * only used for its types.
 *
 * Execute mode (values given): $k is a constant of its type, so the
 * statement binds, folds, prunes files and plans like the same SQL with
 * literals (a "custom plan" per execution).
 */
#include <stdio.h>
#include <string.h>

#include "sql/bind/bind_int.h"
#include "sql/func/cast.h"

#define MAX_PARAMS 65535

static int no_param(BindCtx *ctx, int k, int loc)
{
    err_set_state(ctx->err, TARN_ERR_INVALID, "42P02", "there is no parameter $%d", k);
    return bind_error_at(ctx, loc);
}

/* Grows p to hold $k (describe mode). */
static int grow(BindCtx *ctx, BindParams *p, uint32_t k)
{
    if (k <= p->n)
        return 0;
    if (k > p->cap) {
        uint32_t cap = p->cap ? p->cap : 8;
        while (cap < k)
            cap *= 2;
        LogicalType *t = arena_calloc(ctx->a, cap * sizeof *t);
        bool *kn = arena_calloc(ctx->a, cap * sizeof *kn);
        if (!t || !kn)
            return ERR_NOMEM(ctx->err, cap);
        if (p->n) {
            memcpy(t, p->types, p->n * sizeof *t);
            memcpy(kn, p->known, p->n * sizeof *kn);
        }
        p->types = t;
        p->known = kn;
        p->cap = cap;
    }
    for (uint32_t i = p->n; i < k; i++) {
        p->types[i] = type_simple(TYPE_NULL);
        p->known[i] = false;
    }
    p->n = k;
    return 0;
}

int bind_param(BindCtx *ctx, const AstNode *n, Expr **out)
{
    BindParams *p = ctx->params;
    int k = n->u.param.number;
    if (!p || k < 1 || k > MAX_PARAMS || (k > (int)p->n && (p->fixed_count || p->values)))
        return no_param(ctx, k, n->loc);
    if (p->values) {
        const Value *v = &p->values[k - 1];
        Value nv = value_null();
        LogicalType t = p->types[k - 1];
        if (t.id == TYPE_DECIMAL && !v->is_null)
            t = type_decimal(v->precision, v->scale); /* the value's own scale */
        Expr *e = expr_const(ctx->a, v->is_null ? &nv : v, t, n->loc);
        if (!e)
            return ERR_NOMEM(ctx->err, 0);
        e->u.cnst.is_null = v->is_null;
        *out = e;
        if (t.id == TYPE_STRING && t.char_kind == TYPE_CHAR_BPCHAR && !t.char_len && !v->is_null)
            return bind_char_coerce(ctx, e, &t, CAST_EXPLICIT, out); /* bpchar: trailing blanks do not count */
        return 0;
    }
    int rc = grow(ctx, p, (uint32_t)k);
    if (rc)
        return rc;
    Value nv = value_null();
    bool known = p->known[k - 1];
    Expr *e = expr_const(ctx->a, &nv, known ? p->types[k - 1] : type_simple(TYPE_NULL), n->loc);
    if (!e)
        return ERR_NOMEM(ctx->err, 0);
    e->u.cnst.is_null = true;
    e->unknown = !known;
    if (!known) {
        if (p->n_unk == p->cap_unk) {
            uint32_t cap = p->cap_unk ? p->cap_unk * 2 : 8;
            const Expr **u = arena_calloc(ctx->a, cap * sizeof *u);
            uint32_t *no = arena_calloc(ctx->a, cap * sizeof *no);
            if (!u || !no)
                return ERR_NOMEM(ctx->err, cap);
            if (p->n_unk) {
                memcpy(u, p->unk, p->n_unk * sizeof *u);
                memcpy(no, p->unk_no, p->n_unk * sizeof *no);
            }
            p->unk = u;
            p->unk_no = no;
            p->cap_unk = cap;
        }
        p->unk[p->n_unk] = e;
        p->unk_no[p->n_unk] = (uint32_t)k;
        p->n_unk++;
    }
    *out = e;
    return 0;
}

/* Types of parameters are whole types: numeric without typmod. */
static LogicalType param_type(const LogicalType *t)
{
    if (t->id == TYPE_DECIMAL)
        return type_decimal(38, t->scale);
    return *t;
}

static int set_type(BindCtx *ctx, uint32_t k, const LogicalType *t, int loc)
{
    BindParams *p = ctx->params;
    LogicalType nt = param_type(t);
    if (p->known[k - 1]) {
        if (p->types[k - 1].id == nt.id)
            return 0;
        char a[64], b[64];
        err_set_state(ctx->err, TARN_ERR_TYPE, "42P08", "inconsistent types deduced for parameter $%u", k);
        err_detail(ctx->err, "%s versus %s", sqltype_name(&p->types[k - 1], a, sizeof a), sqltype_name(&nt, b, sizeof b));
        return bind_error_at(ctx, loc);
    }
    p->types[k - 1] = nt;
    p->known[k - 1] = true;
    return 0;
}

int bind_param_infer(BindCtx *ctx, const Expr *e, const LogicalType *t)
{
    BindParams *p = ctx->params;
    if (!p || p->values || t->id == TYPE_NULL)
        return 0;
    for (uint32_t i = 0; i < p->n_unk; i++)
        if (p->unk[i] == e) {
            p->unk[i] = NULL; /* resolved: later coercions of its result are not this $k's */
            return set_type(ctx, p->unk_no[i], t, e->loc);
        }
    return 0;
}

/* The projection producing plan's outputs (through sort / limit / filter). */
static const LogicalOp *output_project(const LogicalOp *op)
{
    while (op && op->kind != LOP_PROJECT && op->n_children == 1 &&
           (op->kind == LOP_SORT || op->kind == LOP_LIMIT || op->kind == LOP_FILTER))
        op = op->children[0];
    return op && op->kind == LOP_PROJECT ? op : NULL;
}

int bind_param_alias(BindCtx *ctx, const LogicalOp *plan, uint32_t col, const Expr *alias)
{
    BindParams *p = ctx->params;
    if (!p || p->values || !p->n_unk)
        return 0;
    const LogicalOp *pj = output_project(plan);
    if (!pj || col >= pj->u.project.n_exprs)
        return 0;
    const Expr *e = pj->u.project.exprs[col];
    for (uint32_t i = 0; i < p->n_unk; i++)
        if (p->unk[i] == e) {
            uint32_t k = p->unk_no[i];
            if (p->n_unk == p->cap_unk) {
                uint32_t cap = p->cap_unk * 2;
                const Expr **u = arena_calloc(ctx->a, cap * sizeof *u);
                uint32_t *no = arena_calloc(ctx->a, cap * sizeof *no);
                if (!u || !no)
                    return ERR_NOMEM(ctx->err, cap);
                memcpy(u, p->unk, p->n_unk * sizeof *u);
                memcpy(no, p->unk_no, p->n_unk * sizeof *no);
                p->unk = u;
                p->unk_no = no;
                p->cap_unk = cap;
            }
            p->unk[i] = NULL; /* the output column stands for it now */
            p->unk[p->n_unk] = alias;
            p->unk_no[p->n_unk] = k;
            p->n_unk++;
            return 0;
        }
    return 0;
}

int bind_params_finish(BindCtx *ctx, const LogicalOp *plan)
{
    BindParams *p = ctx->params;
    if (!p || p->values)
        return 0;
    /* select-list items still unknown: text */
    const LogicalOp *op = output_project(plan);
    if (op) {
        LogicalType text = type_simple(TYPE_STRING);
        for (uint32_t j = 0; j < op->u.project.n_exprs; j++)
            for (uint32_t i = 0; i < p->n_unk; i++)
                if (p->unk[i] && p->unk[i] == op->u.project.exprs[j]) {
                    int rc = set_type(ctx, p->unk_no[i], &text, p->unk[i]->loc);
                    if (rc)
                        return rc;
                    p->unk[i] = NULL;
                }
    }
    for (uint32_t i = 0; i < p->n; i++)
        if (!p->known[i])
            return err_set_state(ctx->err, TARN_ERR_TYPE, "42P18", "could not determine data type of parameter $%u", i + 1);
    return 0;
}
