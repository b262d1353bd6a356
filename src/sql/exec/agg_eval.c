/*
 * agg_eval.c - evaluation of aggregate arguments and FILTER (agg_eval.h).
 */
#include "sql/exec/agg_eval.h"

#include <string.h>

int agg_eval_init(AggEval *ae, const AggCall *aggs, uint32_t na, ExecCtx *x, Arena *state_arena, TarnError *err)
{
    memset(ae, 0, sizeof *ae);
    ae->na = na;
    ae->aggs = aggs;
    uint32_t n = na ? na : 1;
    ae->args = tarn_calloc(n, sizeof(ExprState **));
    ae->filter = tarn_calloc(n, sizeof(ExprState *));
    ae->argv = tarn_calloc(n, sizeof(Vector **));
    ae->flat = tarn_calloc(n, sizeof(Vector *));
    ae->fctx = tarn_calloc(n, sizeof(FuncCtx));
    ae->arg_types = tarn_calloc(n, sizeof(LogicalType **));
    ae->sel = tarn_malloc(VEC_BATCH_ROWS * sizeof(uint32_t));
    ae->rows_sel = tarn_malloc(VEC_BATCH_ROWS * sizeof(uint8_t *));
    if (!ae->args || !ae->filter || !ae->argv || !ae->flat || !ae->fctx || !ae->arg_types || !ae->sel || !ae->rows_sel)
        goto nomem;
    for (uint32_t j = 0; j < na; j++) {
        const AggCall *ac = &aggs[j];
        uint32_t k = ac->n_args ? ac->n_args : 1;
        ae->args[j] = tarn_calloc(k, sizeof(ExprState *));
        ae->argv[j] = tarn_calloc(k, sizeof(Vector *));
        ae->flat[j] = tarn_calloc(k, sizeof(Vector));
        ae->arg_types[j] = tarn_calloc(k, sizeof(LogicalType *));
        if (!ae->args[j] || !ae->argv[j] || !ae->flat[j] || !ae->arg_types[j])
            goto nomem;
        for (uint32_t i = 0; i < ac->n_args; i++) {
            ae->arg_types[j][i] = &ac->args[i]->type;
            if (vec_init(&ae->flat[j][i], &ac->args[i]->type))
                goto nomem;
            if (!(ae->args[j][i] = expr_state_new(ac->args[i], x->settings, x->params, err)))
                goto fail;
        }
        if (ac->filter && !(ae->filter[j] = expr_state_new(ac->filter, x->settings, x->params, err)))
            goto fail;
        FuncCtx *f = &ae->fctx[j];
        f->def = ac->def;
        f->ret = &ac->type;
        f->arg_types = ae->arg_types[j];
        f->n_args = ac->n_args;
        f->bind_state = ac->bind_state;
        f->settings = x->settings;
        f->scratch = state_arena;
        f->arena = state_arena;
    }
    return 0;
nomem:
    ERR_NOMEM(err, 0);
fail:
    agg_eval_free(ae);
    return err->kind ? err->kind : TARN_ERR_NOMEM;
}

void agg_eval_free(AggEval *ae)
{
    for (uint32_t j = 0; j < ae->na; j++) {
        const AggCall *ac = &ae->aggs[j];
        for (uint32_t i = 0; i < ac->n_args; i++) {
            if (ae->args && ae->args[j])
                expr_state_free(ae->args[j][i]);
            if (ae->flat && ae->flat[j])
                vec_destroy(&ae->flat[j][i]);
        }
        if (ae->args)
            tarn_free(ae->args[j]);
        if (ae->argv)
            tarn_free(ae->argv[j]);
        if (ae->flat)
            tarn_free(ae->flat[j]);
        if (ae->arg_types)
            tarn_free(ae->arg_types[j]);
        if (ae->filter)
            expr_state_free(ae->filter[j]);
    }
    tarn_free(ae->args);
    tarn_free(ae->argv);
    tarn_free(ae->flat);
    tarn_free(ae->arg_types);
    tarn_free(ae->filter);
    tarn_free(ae->fctx);
    tarn_free(ae->sel);
    tarn_free(ae->rows_sel);
    memset(ae, 0, sizeof *ae);
}

FuncCtx *agg_eval_ctx(AggEval *ae, uint32_t j) { return &ae->fctx[j]; }

int agg_eval_update(AggEval *ae, uint32_t j, const Chunk *in, uint8_t *const *rows, uint8_t *single, uint32_t off,
                    TarnError *err)
{
    const AggCall *ac = &ae->aggs[j];
    const FuncDef *d = ac->def;
    const uint32_t *sel = NULL;
    uint32_t n = in->n_rows;
    int rc;
    if (n > VEC_BATCH_ROWS) {
        uint32_t *s = tarn_realloc(ae->sel, n * sizeof(uint32_t));
        uint8_t **r = tarn_realloc(ae->rows_sel, n * sizeof(uint8_t *));
        if (s)
            ae->sel = s;
        if (r)
            ae->rows_sel = r;
        if (!s || !r)
            return ERR_NOMEM(err, n);
    }
    if (ae->filter[j]) {
        uint32_t k;
        if ((rc = expr_select(ae->filter[j], in, NULL, n, ae->sel, &k, err)))
            return rc;
        if (k == 0)
            return 0;
        if (k < n) {
            sel = ae->sel;
            if (rows)
                for (uint32_t i = 0; i < k; i++)
                    ae->rows_sel[i] = rows[sel[i]];
            n = k;
        }
    }
    for (uint32_t i = 0; i < ac->n_args; i++) {
        Vector *v;
        if ((rc = expr_eval(ae->args[j][i], in, sel, n, &v, err)))
            return rc;
        if (v->is_const && !(d->flags & FUNC_CONST_ARGS)) {
            if (vec_gather(&ae->flat[j][i], v, NULL, n))
                return ERR_NOMEM(err, n);
            v = &ae->flat[j][i];
        }
        ae->argv[j][i] = v;
    }
    FuncCtx *f = &ae->fctx[j];
    if (!rows) {
        if (d->agg_update1)
            return d->agg_update1(f, ae->argv[j], ac->n_args, n, single + off, err);
        /* every row into one state */
        for (uint32_t i = 0; i < n; i++)
            ae->rows_sel[i] = single;
        return d->agg_update(f, ae->argv[j], ac->n_args, n, ae->rows_sel, off, err);
    }
    return d->agg_update(f, ae->argv[j], ac->n_args, n, sel ? ae->rows_sel : rows, off, err);
}
