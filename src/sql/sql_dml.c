/*
 * sql_dml.c - UPDATE and DELETE on Delta tables.
 *
 * The binder (bind_dml) types the WHERE and the SET expressions over the
 * table schema; here they become the row filter and the update callback of
 * delta_delete / delta_update (table/delta/delta.h), evaluated with the
 * vectorized evaluator (exec/expr.h) on each scanned batch.  Simple
 * `column op constant` conjuncts of the WHERE are passed along as pruning
 * terms, so files and row groups that cannot match are not read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/bind/bind.h"
#include "sql/exec/collection.h"
#include "sql/exec/expr.h"
#include "sql/exec/ops.h"
#include "sql/parse/parse.h"
#include "sql/session.h"
#include "sql/stmt.h"
#include "table/delta/delta.h"

typedef struct DmlRun {
    const BoundDml *bd;
    ExprState *where;
    ExprState **set;            /* per column, NULL = unchanged */
    Vector **view;              /* chunk over a batch's columns */
    uint32_t *sel;
    uint32_t cap_sel;
} DmlRun;

static void chunk_of(DmlRun *r, const Batch *b, Chunk *c)
{
    for (uint32_t i = 0; i < b->n_cols; i++)
        r->view[i] = &b->cols[i];
    c->n_rows = b->n_rows;
    c->n_cols = b->n_cols;
    c->cols = r->view;
}

static int row_filter(void *ctx, const Batch *b, uint8_t *match_out, TarnError *err)
{
    DmlRun *r = ctx;
    if (b->n_rows > r->cap_sel) {
        uint32_t *s = tarn_realloc(r->sel, b->n_rows * sizeof(uint32_t));
        if (!s)
            return ERR_NOMEM(err, b->n_rows);
        r->sel = s;
        r->cap_sel = b->n_rows;
    }
    Chunk c;
    chunk_of(r, b, &c);
    uint32_t k;
    int rc = expr_select(r->where, &c, NULL, b->n_rows, r->sel, &k, err);
    if (rc)
        return rc;
    memset(match_out, 0, b->n_rows);
    for (uint32_t i = 0; i < k; i++)
        match_out[r->sel[i]] = 1;
    return 0;
}

static int update_rows(void *ctx, const Batch *matched, Batch *out, TarnError *err)
{
    DmlRun *r = ctx;
    const Schema *ts = r->bd->schema;
    Chunk c;
    chunk_of(r, matched, &c);
    uint32_t n = matched->n_rows;
    for (uint32_t col = 0; col < matched->n_cols; col++) {
        const Vector *src = &matched->cols[col];
        if (r->set[col]) {
            Vector *v;
            int rc = expr_eval(r->set[col], &c, NULL, n, &v, err);
            if (rc)
                return rc;
            src = v;
        }
        bool not_null = col < ts->n_fields && !ts->fields[col].nullable;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t at = src->is_const ? 0 : i;
            if (not_null && !vec_is_valid(src, at))
                return err_set_state(err, TARN_ERR_INVALID, "23502",
                                     "null value in column \"%s\" of relation \"%s\" violates not-null constraint",
                                     ts->fields[col].name, r->bd->rel->name);
            if (vec_append_from(&out->cols[col], src, at))
                return ERR_NOMEM(err, n);
        }
    }
    out->n_rows = n;
    return 0;
}

/* column op constant (the constant already of the column's type) */
static void prune_term(const BoundDml *bd, const Expr *e, PqPredicate *out, int *n)
{
    if (e->kind == EX_IS_NULL || e->kind == EX_IS_NOT_NULL) {
        if (e->args[0]->kind != EX_COLREF)
            return;
        PqPredicate *p = &out[(*n)++];
        memset(p, 0, sizeof *p);
        p->column = bd->schema->fields[e->args[0]->u.col.idx].name;
        p->op = e->kind == EX_IS_NULL ? PQ_CMP_IS_NULL : PQ_CMP_NOT_NULL;
        return;
    }
    if (e->kind != EX_FUNC || e->n_args != 2 || e->u.func.def->kind != FUNC_OPERATOR)
        return;
    const Expr *a = e->args[0], *b = e->args[1];
    bool flip = false;
    if (a->kind == EX_CONST && b->kind == EX_COLREF) {
        const Expr *t = a;
        a = b;
        b = t;
        flip = true;
    }
    if (a->kind != EX_COLREF || b->kind != EX_CONST || b->u.cnst.is_null)
        return;
    if (!type_equal(&bd->schema->fields[a->u.col.idx].type, &b->type))
        return;
    const char *nm = e->u.func.def->name;
    PqCmp op;
    if (!strcmp(nm, "="))
        op = PQ_CMP_EQ;
    else if (!strcmp(nm, "<"))
        op = flip ? PQ_CMP_GT : PQ_CMP_LT;
    else if (!strcmp(nm, "<="))
        op = flip ? PQ_CMP_GE : PQ_CMP_LE;
    else if (!strcmp(nm, ">"))
        op = flip ? PQ_CMP_LT : PQ_CMP_GT;
    else if (!strcmp(nm, ">="))
        op = flip ? PQ_CMP_LE : PQ_CMP_GE;
    else
        return;
    PqPredicate *p = &out[(*n)++];
    memset(p, 0, sizeof *p);
    p->column = bd->schema->fields[a->u.col.idx].name;
    p->op = op;
    p->value = b->u.cnst;
}

int sql_run_dml(tarn_db *db, const char *sql, const AstStmt *st, tarn_result **out, TarnError *err)
{
    Stmt s;
    stmt_begin(&s, db, sql, err);
    bool upd = st->kind == STMT_UPDATE;
    BoundDml bd;
    DmlRun r;
    memset(&r, 0, sizeof r);
    r.bd = &bd;
    int rc = bind_dml(&s.bc, st, &bd);
    DeltaCondition cond;
    memset(&cond, 0, sizeof cond);
    PqPredicate *prune = NULL;
    uint32_t nf = 0;
    if (!rc) {
        nf = bd.schema->n_fields;
        r.view = tarn_calloc(nf ? nf : 1, sizeof(Vector *));
        r.set = tarn_calloc(nf ? nf : 1, sizeof(ExprState *));
        if (!r.view || !r.set)
            rc = ERR_NOMEM(err, 0);
    }
    if (!rc && bd.where) {
        Expr *w = bd.where;
        uint32_t nt = w->kind == EX_AND ? w->n_args : 1;
        prune = arena_alloc(&s.a, nt * sizeof(PqPredicate));
        if (!prune)
            rc = ERR_NOMEM(err, 0);
        for (uint32_t i = 0; !rc && i < nt; i++)
            prune_term(&bd, w->kind == EX_AND ? w->args[i] : w, prune, &cond.n_prune);
        cond.prune = prune;
        if (!rc && !(r.where = expr_state_new(w, &db->settings, NULL, err)))
            rc = err->kind;
        cond.filter = row_filter;
        cond.ctx = &r;
    }
    for (uint32_t c = 0; !rc && upd && c < nf; c++)
        if (bd.set[c] && !(r.set[c] = expr_state_new(bd.set[c], &db->settings, NULL, err)))
            rc = err->kind;
    DeltaResult res;
    memset(&res, 0, sizeof res);
    if (!rc) {
        if (upd)
            rc = delta_update(bd.rel->table, &cond, update_rows, &r, &res, err);
        else
            rc = delta_delete(bd.rel->table, &cond, &res, err);
        if (rc)
            sql_err_at(err, sql, st->loc);
    }
    if (!rc) {
        char tag[64];
        snprintf(tag, sizeof tag, "%s %lld", upd ? "UPDATE" : "DELETE",
                 (long long)(upd ? res.rows_updated : res.rows_deleted));
        if (!(*out = sql_result_tag(tag, err)))
            rc = err->kind;
    }
    expr_state_free(r.where);
    for (uint32_t c = 0; r.set && c < nf; c++)
        expr_state_free(r.set[c]);
    tarn_free(r.set);
    tarn_free(r.view);
    tarn_free(r.sel);
    stmt_end(&s);
    return rc;
}

/* ---- MERGE ---------------------------------------------------------------------------------------- */

/* delta_merge joins the target with source rows conformed to the table
 * schema (only the key columns are filled here); the callbacks find the
 * full source row again by its key bytes.  Matched keys are unique (else
 * delta_merge fails with 21000); unmatched rows of one key come back in
 * source order, so a cursor per key hands them out one by one. */

typedef struct KeyEnt {
    const uint8_t *key;
    uint32_t len;
    uint32_t row;               /* source row id in the collection */
} KeyEnt;

typedef struct MergeRun {
    const BoundMerge *bm;
    const Collection *src;
    uint32_t nt, ns, nk;
    int *key_col;               /* table column of each key */
    KeyEnt *ents;
    uint32_t n_ents;
    uint32_t *used;             /* per entry (group start): rows handed out */
    ExprState **cond;           /* per WHEN */
    ExprState **set;            /* per WHEN x column */
    Vector **res;               /* per WHEN x column: result of the last evaluation */
    Vector *srcv;               /* ns gathered source columns */
    Vector **view;              /* nt + ns */
    uint32_t *rows, *clause, *pos, *rem, *selw, *tmp;
    uint32_t cap;
    Buf kb;
    Arena keys;
} MergeRun;

static int key_bytes(Buf *b, Vector *const *kv, uint32_t nk, uint32_t i)
{
    buf_clear(b);
    for (uint32_t k = 0; k < nk; k++) {
        const Vector *v = kv[k];
        uint32_t at = v->is_const ? 0 : i;
        if (!vec_is_valid(v, at)) {
            if (buf_append_byte(b, 0))
                return -1;
            continue;
        }
        if (buf_append_byte(b, 1))
            return -1;
        if (type_is_string_like(v->type->id)) {
            const StrView *s = &VEC_DATA(v, StrView)[at];
            if (buf_append(b, &s->len, sizeof s->len) || buf_append(b, s->ptr, s->len))
                return -1;
        } else {
            size_t w = type_width(v->type);
            if (buf_append(b, v->data + (size_t)at * w, w))
                return -1;
        }
    }
    return 0;
}

static int ent_cmp(const void *pa, const void *pb)
{
    const KeyEnt *a = pa, *b = pb;
    uint32_t m = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->key, b->key, m);
    if (c)
        return c;
    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    return a->row < b->row ? -1 : a->row > b->row;
}

/* The first entry with these key bytes, or -1. */
static int64_t ent_find(const MergeRun *m, const Buf *b)
{
    KeyEnt want = {b->data, (uint32_t)b->len, 0};
    size_t lo = 0, hi = m->n_ents;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ent_cmp(&m->ents[mid], &want) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < m->n_ents && m->ents[lo].len == want.len && !memcmp(m->ents[lo].key, want.key, want.len))
        return (int64_t)lo;
    return -1;
}

static int merge_grow(MergeRun *m, uint32_t n, TarnError *err)
{
    if (n <= m->cap)
        return 0;
    uint32_t **arrs[] = {&m->rows, &m->clause, &m->pos, &m->rem, &m->selw, &m->tmp};
    for (size_t i = 0; i < sizeof arrs / sizeof arrs[0]; i++) {
        uint32_t *p = tarn_realloc(*arrs[i], (size_t)n * sizeof(uint32_t));
        if (!p)
            return ERR_NOMEM(err, n);
        *arrs[i] = p;
    }
    m->cap = n;
    return 0;
}

/* Finds the source row of each row of b (table schema) by its key. */
static int merge_locate(MergeRun *m, const Batch *b, bool next_of_group, TarnError *err)
{
    Vector *kv[64];
    for (uint32_t k = 0; k < m->nk && k < 64; k++)
        kv[k] = &b->cols[m->key_col[k]];
    for (uint32_t i = 0; i < b->n_rows; i++) {
        if (key_bytes(&m->kb, kv, m->nk, i))
            return ERR_NOMEM(err, 0);
        int64_t g = ent_find(m, &m->kb);
        if (g < 0)
            return ERR_INTERNAL(err, "MERGE source row not found by its key");
        uint32_t at = (uint32_t)g;
        if (next_of_group)
            at += m->used[g]++;
        if (at >= m->n_ents)
            return ERR_INTERNAL(err, "MERGE source rows out of step");
        m->rows[i] = m->ents[at].row;
    }
    return 0;
}

/* Runs the WHEN clauses of one kind over rows 0..n of the chunk: clause[k]
 * gets the first clause that applies (UINT32_MAX = none), pos[k] the row's
 * place in that clause's results. */
static int merge_whens(MergeRun *m, bool matched, const Chunk *c, uint32_t n, TarnError *err)
{
    const BoundMerge *bm = m->bm;
    uint32_t nrem = n;
    for (uint32_t i = 0; i < n; i++) {
        m->rem[i] = i;
        m->clause[i] = UINT32_MAX;
    }
    for (uint32_t w = 0; w < bm->n_whens && nrem; w++) {
        const BoundMergeWhen *bw = &bm->whens[w];
        if (bw->matched != matched)
            continue;
        uint32_t kw = nrem;
        if (m->cond[w]) {
            int rc = expr_select(m->cond[w], c, m->rem, nrem, m->selw, &kw, err);
            if (rc)
                return rc;
        } else {
            memcpy(m->selw, m->rem, nrem * sizeof(uint32_t));
        }
        if (kw == 0)
            continue;
        for (uint32_t i = 0; i < kw; i++) {
            m->clause[m->selw[i]] = w;
            m->pos[m->selw[i]] = i;
        }
        if (bw->set)
            for (uint32_t col = 0; col < m->nt; col++) {
                ExprState *es = m->set[(size_t)w * m->nt + col];
                if (!es)
                    continue;
                int rc = expr_eval(es, c, m->selw, kw, &m->res[(size_t)w * m->nt + col], err);
                if (rc)
                    return rc;
            }
        /* rem -= selw (both ascending) */
        uint32_t j = 0, r = 0;
        for (uint32_t i = 0; i < nrem; i++) {
            if (j < kw && m->selw[j] == m->rem[i]) {
                j++;
                continue;
            }
            m->tmp[r++] = m->rem[i];
        }
        memcpy(m->rem, m->tmp, r * sizeof(uint32_t));
        nrem = r;
    }
    return 0;
}

static int merge_gather_source(MergeRun *m, uint32_t n, TarnError *err)
{
    for (uint32_t j = 0; j < m->ns; j++) {
        if (coll_gather(m->src, j, m->rows, n, &m->srcv[j]))
            return ERR_NOMEM(err, n);
        m->view[m->nt + j] = &m->srcv[j];
    }
    return 0;
}

/* Appends the rows whose clause has the given action to out. */
static int merge_emit(MergeRun *m, const Batch *old, uint32_t n, AstMergeAction action, Batch *out, TarnError *err)
{
    const Schema *ts = m->bm->schema;
    uint32_t cnt = 0;
    for (uint32_t col = 0; col < m->nt; col++) {
        cnt = 0;
        for (uint32_t k = 0; k < n; k++) {
            uint32_t w = m->clause[k];
            if (w == UINT32_MAX || m->bm->whens[w].action != action)
                continue;
            cnt++;
            const Vector *v;
            uint32_t at;
            if (m->bm->whens[w].set[col]) {
                v = m->res[(size_t)w * m->nt + col];
                at = v->is_const ? 0 : m->pos[k];
            } else {
                v = &old->cols[col];
                at = k;
            }
            if (!ts->fields[col].nullable && !vec_is_valid(v, at))
                return err_set_state(err, TARN_ERR_INVALID, "23502",
                                     "null value in column \"%s\" of relation \"%s\" violates not-null constraint",
                                     ts->fields[col].name, m->bm->rel->name);
            if (vec_append_from(&out->cols[col], v, at))
                return ERR_NOMEM(err, n);
        }
    }
    out->n_rows = cnt;
    return 0;
}

static int merge_matched(void *ctx, const Batch *target, const Batch *source, uint8_t *action_out, Batch *updated_out,
                         TarnError *err)
{
    MergeRun *m = ctx;
    uint32_t n = target->n_rows;
    int rc;
    if ((rc = merge_grow(m, n, err)) || (rc = merge_locate(m, source, false, err)) ||
        (rc = merge_gather_source(m, n, err)))
        return rc;
    for (uint32_t c = 0; c < m->nt; c++)
        m->view[c] = &target->cols[c];
    Chunk c = {n, m->nt + m->ns, m->view};
    if ((rc = merge_whens(m, true, &c, n, err)))
        return rc;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t w = m->clause[k];
        AstMergeAction a = w == UINT32_MAX ? MERGE_DO_NOTHING : m->bm->whens[w].action;
        action_out[k] = a == MERGE_DO_UPDATE ? DELTA_MERGE_UPDATE : a == MERGE_DO_DELETE ? DELTA_MERGE_DELETE : DELTA_MERGE_KEEP;
    }
    return merge_emit(m, target, n, MERGE_DO_UPDATE, updated_out, err);
}

static int merge_not_matched(void *ctx, const Batch *source, uint8_t *insert_out, Batch *inserted_out, TarnError *err)
{
    MergeRun *m = ctx;
    uint32_t n = source->n_rows;
    int rc;
    if ((rc = merge_grow(m, n, err)) || (rc = merge_locate(m, source, true, err)) ||
        (rc = merge_gather_source(m, n, err)))
        return rc;
    /* NOT MATCHED clauses cannot reference the target: its slots are never read */
    for (uint32_t c = 0; c < m->nt; c++)
        m->view[c] = &source->cols[c];
    Chunk c = {n, m->nt + m->ns, m->view};
    if ((rc = merge_whens(m, false, &c, n, err)))
        return rc;
    for (uint32_t k = 0; k < n; k++)
        insert_out[k] = m->clause[k] != UINT32_MAX && m->bm->whens[m->clause[k]].action == MERGE_DO_INSERT;
    return merge_emit(m, source, n, MERGE_DO_INSERT, inserted_out, err);
}

int sql_run_merge(tarn_db *db, const char *sql, const AstStmt *st, tarn_result **out, TarnError *err)
{
    Stmt s;
    stmt_begin(&s, db, sql, err);
    BoundMerge bm;
    MergeRun m;
    memset(&m, 0, sizeof m);
    arena_init(&m.keys, 0);
    buf_init(&m.kb);
    m.bm = &bm;
    Batch *batches = NULL;
    const Batch **bp = NULL;
    uint32_t n_batches = 0;
    int rc = bind_merge(&s.bc, st, &bm);
    PhysOp *res = NULL;
    if (!rc)
        rc = stmt_plan(&s, bm.source, err);
    if (!rc && !(res = op_result_new(&s.a, s.pp.root, -1, err)))
        rc = err->kind;
    if (!rc)
        rc = stmt_execute(&s, res, err);
    if (rc)
        goto done;
    m.src = op_result_rows(res);
    m.nt = bm.schema->n_fields;
    m.ns = bm.n_src_cols;
    m.nk = bm.n_keys;
    if (m.nk > 64) {
        rc = err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "MERGE supports at most 64 key columns");
        goto done;
    }
    size_t nw = bm.n_whens ? bm.n_whens : 1;
    m.key_col = tarn_calloc(m.nk + 1, sizeof(int));
    m.cond = tarn_calloc(nw, sizeof(ExprState *));
    m.set = tarn_calloc(nw * (m.nt + 1), sizeof(ExprState *));
    m.res = tarn_calloc(nw * (m.nt + 1), sizeof(Vector *));
    m.srcv = tarn_calloc(m.ns + 1, sizeof(Vector));
    m.view = tarn_calloc(m.nt + m.ns + 1, sizeof(Vector *));
    uint64_t nsrc = m.src->n_rows;
    m.ents = tarn_calloc(nsrc + 1, sizeof(KeyEnt));
    m.used = tarn_calloc(nsrc + 1, sizeof(uint32_t));
    n_batches = m.src->n_chunks;
    batches = tarn_calloc(n_batches + 1, sizeof(Batch));
    bp = tarn_calloc(n_batches + 1, sizeof(Batch *));
    if (!m.key_col || !m.cond || !m.set || !m.res || !m.srcv || !m.view || !m.ents || !m.used || !batches || !bp) {
        rc = ERR_NOMEM(err, 0);
        goto done;
    }
    for (uint32_t j = 0; j < m.ns; j++)
        if (vec_init(&m.srcv[j], &m.src->types[j])) {
            rc = ERR_NOMEM(err, 0);
            goto done;
        }
    for (uint32_t k = 0; k < m.nk; k++)
        m.key_col[k] = schema_find(bm.schema, bm.key_columns[k]);
    for (uint32_t w = 0; w < bm.n_whens && !rc; w++) {
        if (bm.whens[w].cond && !(m.cond[w] = expr_state_new(bm.whens[w].cond, &db->settings, NULL, err)))
            rc = err->kind;
        for (uint32_t c = 0; bm.whens[w].set && c < m.nt && !rc; c++)
            if (bm.whens[w].set[c] &&
                !(m.set[(size_t)w * m.nt + c] = expr_state_new(bm.whens[w].set[c], &db->settings, NULL, err)))
                rc = err->kind;
    }
    /* source batches (key columns only) and the key index */
    for (uint32_t ci = 0; ci < n_batches && !rc; ci++) {
        const CollChunk *ch = &m.src->chunks[ci];
        Batch *b = &batches[ci];
        if (batch_init(b, bm.schema)) {
            rc = ERR_NOMEM(err, 0);
            break;
        }
        bp[ci] = b;
        Vector *kv[64];
        for (uint32_t k = 0; k < m.nk; k++)
            kv[k] = &ch->cols[m.ns + k];
        for (uint32_t c = 0; c < m.nt && !rc; c++) {
            int kk = -1;
            for (uint32_t k = 0; k < m.nk; k++)
                if ((int)c == m.key_col[k])
                    kk = (int)k;
            for (uint32_t i = 0; i < ch->n_rows && !rc; i++)
                if (kk >= 0 ? vec_append_from(&b->cols[c], kv[kk], i) : vec_append_null(&b->cols[c]))
                    rc = ERR_NOMEM(err, 0);
        }
        b->n_rows = ch->n_rows;
        for (uint32_t i = 0; i < ch->n_rows && !rc; i++) {
            if (key_bytes(&m.kb, kv, m.nk, i)) {
                rc = ERR_NOMEM(err, 0);
                break;
            }
            KeyEnt *e = &m.ents[m.n_ents++];
            e->row = ci * COLL_CHUNK_ROWS + i;
            e->len = (uint32_t)m.kb.len;
            uint8_t *kcopy = arena_alloc(&m.keys, m.kb.len + 1);
            if (!kcopy) {
                rc = ERR_NOMEM(err, 0);
                break;
            }
            memcpy(kcopy, m.kb.data, m.kb.len);
            e->key = kcopy;
        }
    }
    if (rc)
        goto done;
    qsort(m.ents, m.n_ents, sizeof(KeyEnt), ent_cmp);
    DeltaMergeOptions mo;
    memset(&mo, 0, sizeof mo);
    mo.key_columns = bm.key_columns;
    mo.n_keys = (int)bm.n_keys;
    mo.source = bp;
    mo.n_source = n_batches;
    mo.matched = merge_matched;
    mo.matched_ctx = &m;
    for (uint32_t w = 0; w < bm.n_whens; w++)
        if (!bm.whens[w].matched)
            mo.insert_not_matched = true;
    mo.not_matched = merge_not_matched;
    mo.not_matched_ctx = &m;
    DeltaResult dr;
    memset(&dr, 0, sizeof dr);
    if ((rc = delta_merge(bm.rel->table, &mo, &dr, err))) {
        sql_err_at(err, sql, st->loc);
        goto done;
    }
    char tag[64];
    snprintf(tag, sizeof tag, "MERGE %lld", (long long)(dr.rows_inserted + dr.rows_updated + dr.rows_deleted));
    if (!(*out = sql_result_tag(tag, err)))
        rc = err->kind;
done:
    for (uint32_t ci = 0; bp && ci < n_batches; ci++)
        if (bp[ci])
            batch_destroy(&batches[ci]);
    tarn_free(bp);
    tarn_free(batches);
    if (m.cond)
        for (uint32_t w = 0; w < bm.n_whens; w++)
            expr_state_free(m.cond[w]);
    if (m.set)
        for (size_t i = 0; i < (size_t)bm.n_whens * m.nt; i++)
            expr_state_free(m.set[i]);
    if (m.srcv)
        for (uint32_t j = 0; j < m.ns; j++)
            vec_destroy(&m.srcv[j]);
    tarn_free(m.key_col);
    tarn_free(m.cond);
    tarn_free(m.set);
    tarn_free(m.res);
    tarn_free(m.srcv);
    tarn_free(m.view);
    tarn_free(m.ents);
    tarn_free(m.used);
    tarn_free(m.rows);
    tarn_free(m.clause);
    tarn_free(m.pos);
    tarn_free(m.rem);
    tarn_free(m.selw);
    tarn_free(m.tmp);
    buf_free(&m.kb);
    arena_free(&m.keys);
    stmt_end(&s);
    return rc;
}
