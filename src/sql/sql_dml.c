/*
 * sql_dml.c - UPDATE, DELETE and MERGE on Delta tables.
 *
 * UPDATE / DELETE have two modes.  Plain (the WHERE and SET read only the
 * target): the binder (bind_dml) types the WHERE and the SET expressions
 * over the table schema; here they become the row filter and the update
 * callback of delta_delete / delta_update (table/delta/delta.h), evaluated
 * with the vectorized evaluator (exec/expr.h) on each scanned batch.
 * Simple `column op constant` conjuncts of the WHERE are passed along as
 * pruning terms, so files and row groups that cannot match are not read.
 *
 * Join mode (UPDATE ... FROM, DELETE ... USING, subqueries in WHERE or
 * SET): the binder builds a query `SELECT target.*, new values FROM
 * target, others WHERE ...`, planned and run by the SELECT engine (joins,
 * decorrelation, init plans).  Its rows are indexed by the bytes of the
 * target columns; the row filter then matches a scanned target row when
 * its values are in the index, and the update callback takes the new
 * values from the first query row with those values.  Rows with equal
 * values are indistinguishable to WHERE and SET, so matching by value is
 * exact; a target row joining several source rows is updated once with
 * one of them, as in PostgreSQL.
 *
 * RETURNING rows are evaluated on the new rows (UPDATE, INSERT) or the
 * deleted rows (DELETE) as they pass through the callbacks, into a result
 * that keeps the command tag.
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

/* Index of rows by key bytes: sorted entries, the first of a key wins. */
typedef struct KeyEnt {
    const uint8_t *key;
    uint32_t len;
    uint32_t row;               /* row id in a collection */
} KeyEnt;

static int key_bytes(Buf *b, Vector *const *kv, uint32_t nk, uint32_t i);
static int ent_cmp(const void *pa, const void *pb);
static int64_t ents_find(const KeyEnt *ents, uint32_t n, const Buf *b);

/* RETURNING: per-expression evaluators appending to a result. */
typedef struct Returning {
    const BoundReturning *br;
    ExprState **st;
    Vector **out;               /* br->n */
    tarn_result *res;
} Returning;

static int returning_init(Returning *rt, const BoundReturning *br, const SqlSettings *settings, TarnError *err)
{
    memset(rt, 0, sizeof *rt);
    if (!br || !br->n)
        return 0;
    rt->br = br;
    if (!(rt->res = sql_result_new(br->n, br->names, br->types, err)))
        return err->kind;
    rt->st = tarn_calloc(br->n, sizeof(ExprState *));
    rt->out = tarn_calloc(br->n, sizeof(Vector *));
    if (!rt->st || !rt->out)
        return ERR_NOMEM(err, br->n);
    for (uint32_t i = 0; br->exprs && i < br->n; i++)
        if (!(rt->st[i] = expr_state_new(br->exprs[i], settings, NULL, err)))
            return err->kind;
    return 0;
}

/* Evaluates the list over rows sel[0..n) (sel NULL: 0..n) of c. */
static int returning_emit(Returning *rt, const Chunk *c, const uint32_t *sel, uint32_t n, TarnError *err)
{
    if (!rt->br || !n)
        return 0;
    for (uint32_t i = 0; i < rt->br->n; i++) {
        int rc = expr_eval(rt->st[i], c, sel, n, &rt->out[i], err);
        if (rc)
            return rc;
    }
    Chunk oc = {n, rt->br->n, rt->out};
    return coll_append(&rt->res->rows, &oc, NULL, n, err);
}

/* Hands the result over (tag set); NULL result when there is no RETURNING. */
static int returning_finish(Returning *rt, tarn_db *db, const char *tag, tarn_result **out, TarnError *err)
{
    if (!rt->res) {
        *out = sql_result_tag(tag, err);
        return *out ? 0 : err->kind;
    }
    sql_result_adopt_types(rt->res);
    int rc = sql_result_seal(rt->res, err);
    if (rc)
        return rc;
    sql_result_set_zone(rt->res, &db->settings);
    snprintf(rt->res->tag, sizeof rt->res->tag, "%s", tag);
    *out = rt->res;
    rt->res = NULL;
    return 0;
}

static void returning_free(Returning *rt)
{
    for (uint32_t i = 0; rt->st && i < rt->br->n; i++)
        expr_state_free(rt->st[i]);
    tarn_free(rt->st);
    tarn_free(rt->out);
    if (rt->res)
        tarn_result_free(rt->res);
}

typedef struct DmlRun {
    const BoundDml *bd;
    bool del;
    ExprState *where;
    ExprState **set;            /* per column, NULL = unchanged */
    Vector **view;              /* chunk over a batch's columns */
    uint32_t *sel;
    uint32_t *rows;             /* join mode: query row of each batch row */
    uint32_t cap_sel;
    Returning ret;
    /* join mode */
    const Collection *q;
    KeyEnt *ents;
    uint32_t n_ents;
    Arena keys;
    Buf kb;
    Vector *qv;                 /* gathered query columns (new values, DELETE RETURNING), per query column */
    Vector **qptr;
    Vector **kv;                /* key columns (nt) */
} DmlRun;

static void chunk_of(DmlRun *r, const Batch *b, Chunk *c)
{
    for (uint32_t i = 0; i < b->n_cols; i++)
        r->view[i] = &b->cols[i];
    c->n_rows = b->n_rows;
    c->n_cols = b->n_cols;
    c->cols = r->view;
}

static int grow_sel(DmlRun *r, uint32_t n, TarnError *err)
{
    if (n <= r->cap_sel)
        return 0;
    uint32_t *s = tarn_realloc(r->sel, n * sizeof(uint32_t));
    if (!s)
        return ERR_NOMEM(err, n);
    r->sel = s;
    uint32_t *w = tarn_realloc(r->rows, n * sizeof(uint32_t));
    if (!w)
        return ERR_NOMEM(err, n);
    r->rows = w;
    r->cap_sel = n;
    return 0;
}

/* Join mode: sel gets the rows of b whose values the query produced,
 * rows[k] the query row of sel[k]. */
static int join_match(DmlRun *r, const Batch *b, uint32_t *n_out, TarnError *err)
{
    Vector **kv = r->kv;
    for (uint32_t c = 0; c < b->n_cols; c++)
        kv[c] = &b->cols[c];
    uint32_t k = 0;
    for (uint32_t i = 0; i < b->n_rows; i++) {
        if (key_bytes(&r->kb, kv, b->n_cols, i))
            return ERR_NOMEM(err, 0);
        int64_t g = ents_find(r->ents, r->n_ents, &r->kb);
        if (g < 0)
            continue;
        r->sel[k] = i;
        r->rows[k] = r->ents[g].row;
        k++;
    }
    *n_out = k;
    return 0;
}

/* Gathers query columns [from, from + n) of rows[0..k) into qv/qptr. */
static int join_gather(DmlRun *r, uint32_t from, uint32_t n, uint32_t k, TarnError *err)
{
    for (uint32_t j = from; j < from + n; j++) {
        if (coll_gather(r->q, j, r->rows, k, &r->qv[j]))
            return ERR_NOMEM(err, k);
        r->qptr[j] = &r->qv[j];
    }
    return 0;
}

/* Join mode RETURNING: the query computed the values (rows[0..k)). */
static int join_returning(DmlRun *r, uint32_t k, TarnError *err)
{
    int rc = join_gather(r, r->bd->query_ret, r->ret.br->n, k, err);
    if (rc)
        return rc;
    Chunk oc = {k, r->ret.br->n, r->qptr + r->bd->query_ret};
    return coll_append(&r->ret.res->rows, &oc, NULL, k, err);
}

static int row_filter(void *ctx, const Batch *b, uint8_t *match_out, TarnError *err)
{
    DmlRun *r = ctx;
    int rc = grow_sel(r, b->n_rows, err);
    if (rc)
        return rc;
    Chunk c;
    chunk_of(r, b, &c);
    uint32_t k;
    if (r->q) {
        rc = join_match(r, b, &k, err);
    } else if (r->where) {
        rc = expr_select(r->where, &c, NULL, b->n_rows, r->sel, &k, err);
    } else {
        for (uint32_t i = 0; i < b->n_rows; i++)
            r->sel[i] = i;
        k = b->n_rows;
    }
    if (rc)
        return rc;
    memset(match_out, 0, b->n_rows);
    for (uint32_t i = 0; i < k; i++)
        match_out[r->sel[i]] = 1;
    /* DELETE ... RETURNING sees the rows as they were */
    if (r->ret.br && r->del)
        rc = r->q ? join_returning(r, k, err) : returning_emit(&r->ret, &c, r->sel, k, err);
    return rc;
}

static int update_rows(void *ctx, const Batch *matched, Batch *out, TarnError *err)
{
    DmlRun *r = ctx;
    const Schema *ts = r->bd->schema;
    Chunk c;
    chunk_of(r, matched, &c);
    uint32_t n = matched->n_rows;
    int rc = grow_sel(r, n, err);
    if (rc)
        return rc;
    if (r->q) {
        uint32_t k;
        if ((rc = join_match(r, matched, &k, err)))
            return rc;
        if (k != n)
            return ERR_INTERNAL(err, "UPDATE row no longer found in the join result");
    }
    for (uint32_t col = 0; col < matched->n_cols; col++) {
        const Vector *src = &matched->cols[col];
        if (r->q && r->bd->query_set[col] >= 0) {
            uint32_t j = (uint32_t)r->bd->query_set[col];
            if ((rc = join_gather(r, j, 1, n, err)))
                return rc;
            src = &r->qv[j];
        } else if (r->set && r->set[col]) {
            Vector *v;
            if ((rc = expr_eval(r->set[col], &c, NULL, n, &v, err)))
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
    if (r->ret.br && r->q)
        return join_returning(r, n, err);
    if (r->ret.br) {
        Chunk oc;
        chunk_of(r, out, &oc);
        if ((rc = returning_emit(&r->ret, &oc, NULL, n, err)))
            return rc;
    }
    return 0;
}

/* column op constant (the constant already of the column's type) */
static void prune_term(const Schema *schema, const Expr *e, PqPredicate *out, int *n)
{
    const Expr *k;
    PqCmp op;
    const Expr *c = expr_prune_term(e, &k, &op);
    if (!c)
        return;
    const Field *f = &schema->fields[c->u.col.idx];
    if (k && !type_equal(&f->type, &k->type))
        return;
    PqPredicate *p = &out[(*n)++];
    memset(p, 0, sizeof *p);
    p->column = f->name;
    p->op = op;
    if (k)
        p->value = k->u.cnst;
}

/* Join mode: runs the query and indexes its rows by the target columns. */
static int join_prepare(Stmt *s, DmlRun *r, TarnError *err)
{
    const BoundDml *bd = r->bd;
    PhysOp *res = NULL;
    int rc = stmt_plan(s, bd->query, err);
    if (!rc && !(res = op_result_new(&s->a, s->pp.root, -1, err)))
        rc = err->kind;
    if (!rc)
        rc = stmt_execute(s, res, err);
    if (rc)
        return rc;
    const Collection *q = op_result_rows(res);
    r->q = q;
    uint32_t nt = bd->schema->n_fields;
    if (q->n_rows >= UINT32_MAX / 2)
        return err_set_state(err, TARN_ERR_UNSUPPORTED, "54000", "too many rows to update or delete in one statement");
    r->ents = tarn_calloc(q->n_rows + 1, sizeof(KeyEnt));
    r->qv = tarn_calloc(q->n_cols + 1, sizeof(Vector));
    r->qptr = tarn_calloc(q->n_cols + 1, sizeof(Vector *));
    if (!r->ents || !r->qv || !r->qptr)
        return ERR_NOMEM(err, q->n_rows);
    for (uint32_t j = 0; j < q->n_cols; j++)
        if (vec_init(&r->qv[j], &q->types[j]))
            return ERR_NOMEM(err, 0);
    Vector **kv = r->kv;
    for (uint32_t ci = 0; ci < q->n_chunks; ci++) {
        const CollChunk *ch = &q->chunks[ci];
        for (uint32_t c = 0; c < nt; c++)
            kv[c] = &ch->cols[c];
        for (uint32_t i = 0; i < ch->n_rows; i++) {
            if (key_bytes(&r->kb, kv, nt, i))
                return ERR_NOMEM(err, 0);
            KeyEnt *e = &r->ents[r->n_ents++];
            e->row = ci * COLL_CHUNK_ROWS + i;
            e->len = (uint32_t)r->kb.len;
            uint8_t *kcopy = arena_alloc(&r->keys, r->kb.len + 1);
            if (!kcopy)
                return ERR_NOMEM(err, r->kb.len);
            memcpy(kcopy, r->kb.data, r->kb.len);
            e->key = kcopy;
        }
    }
    qsort(r->ents, r->n_ents, sizeof(KeyEnt), ent_cmp);
    return 0;
}

int sql_run_dml(tarn_db *db, const char *sql, const AstStmt *st, tarn_result **out, TarnError *err)
{
    Stmt s;
    stmt_begin(&s, db, sql, err);
    bool upd = st->kind == STMT_UPDATE;
    BoundDml bd;
    DmlRun r;
    memset(&r, 0, sizeof r);
    arena_init(&r.keys, 0);
    buf_init(&r.kb);
    r.bd = &bd;
    r.del = !upd;
    int rc = bind_dml(&s.bc, st, &bd);
    DeltaCondition cond;
    memset(&cond, 0, sizeof cond);
    PqPredicate *prune = NULL;
    uint32_t nf = 0;
    if (!rc) {
        nf = bd.schema->n_fields;
        r.view = tarn_calloc(nf ? nf : 1, sizeof(Vector *));
        r.set = tarn_calloc(nf ? nf : 1, sizeof(ExprState *));
        r.kv = tarn_calloc(nf ? nf : 1, sizeof(Vector *));
        if (!r.view || !r.set || !r.kv)
            rc = ERR_NOMEM(err, 0);
    }
    if (!rc)
        rc = returning_init(&r.ret, bd.ret, &db->settings, err);
    if (!rc && bd.query)
        rc = join_prepare(&s, &r, err);
    if (!rc && bd.where) {
        Expr *w = bd.where;
        uint32_t nt = w->kind == EX_AND ? w->n_args : 1;
        prune = arena_alloc(&s.a, nt * sizeof(PqPredicate));
        if (!prune)
            rc = ERR_NOMEM(err, 0);
        for (uint32_t i = 0; !rc && i < nt; i++)
            prune_term(bd.schema, w->kind == EX_AND ? w->args[i] : w, prune, &cond.n_prune);
        cond.prune = prune;
        if (!rc && !(r.where = expr_state_new(w, &db->settings, NULL, err)))
            rc = err->kind;
    }
    /* a filter runs when there is a condition, or rows to return */
    if (bd.where || bd.query || (r.ret.br && !upd)) {
        cond.filter = row_filter;
        cond.ctx = &r;
    }
    for (uint32_t c = 0; !rc && upd && bd.set && c < nf; c++)
        if (bd.set[c] && !(r.set[c] = expr_state_new(bd.set[c], &db->settings, NULL, err)))
            rc = err->kind;
    DeltaResult res;
    memset(&res, 0, sizeof res);
    if (!rc && bd.query && r.n_ents == 0) {
        /* nothing matches: no commit, as a WHERE matching nothing */
    } else if (!rc) {
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
        rc = returning_finish(&r.ret, db, tag, out, err);
    }
    returning_free(&r.ret);
    expr_state_free(r.where);
    for (uint32_t c = 0; r.set && c < nf; c++)
        expr_state_free(r.set[c]);
    if (r.qv && r.q)
        for (uint32_t j = 0; j < r.q->n_cols; j++)
            vec_destroy(&r.qv[j]);
    tarn_free(r.qv);
    tarn_free(r.qptr);
    tarn_free(r.ents);
    arena_free(&r.keys);
    buf_free(&r.kb);
    tarn_free(r.set);
    tarn_free(r.kv);
    tarn_free(r.view);
    tarn_free(r.sel);
    tarn_free(r.rows);
    stmt_end(&s);
    return rc;
}

/* ---- MERGE ---------------------------------------------------------------------------------------- */

/* delta_merge joins the target with source rows conformed to the table
 * schema (only the key columns are filled here); the callbacks find the
 * full source row again by its key bytes.  Matched keys are unique (else
 * delta_merge fails with 21000); unmatched rows of one key come back in
 * source order, so a cursor per key hands them out one by one. */

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
static int64_t ents_find(const KeyEnt *ents, uint32_t n, const Buf *b)
{
    KeyEnt want = {b->data, (uint32_t)b->len, 0};
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ent_cmp(&ents[mid], &want) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < n && ents[lo].len == want.len && !memcmp(ents[lo].key, want.key, want.len))
        return (int64_t)lo;
    return -1;
}

static int64_t ent_find(const MergeRun *m, const Buf *b) { return ents_find(m->ents, m->n_ents, b); }

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

/* ---- MERGE with other ON conditions (join mode) ------------------------------------------------------------------ */

/* The binder's two queries run in the SELECT engine (bind_merge_join);
 * delta_apply then scans the target once: a target row whose values are
 * among the matched pairs gets the WHEN MATCHED clauses evaluated on its
 * pair; the unmatched source rows become the inserts.  Target rows are
 * found by their values, as in UPDATE ... FROM.  Identical target rows
 * match the same source rows, so a group of them with more pairs than
 * rows (counted during the scan, checked before the commit) means a row
 * matched by several source rows (21000). */

typedef struct MergeJoin {
    MergeRun *m;
    Collection pairs, unmatched;
    bool have_pairs, have_unmatched;
    KeyEnt *pe;
    uint32_t n_pe;
    uint32_t *pe_size;              /* per entry: size of its key group (at the group's first entry) */
    uint32_t *seen;                 /* per group: target rows seen with its key */
    Vector **kv;
    Vector *pv;                     /* nt + ns gathered pair columns */
    Buf kb;
    Arena keys;
    uint32_t *sel;
    uint32_t cap;
} MergeJoin;

/* Plans and runs a query, moving its rows into out; the operator tree is
 * destroyed right away (the statement runs several). */
static int run_rows(Stmt *s, LogicalOp *plan, Collection *out, bool *have, TarnError *err)
{
    PhysOp *res = NULL;
    int rc = stmt_plan(s, plan, err);
    if (!rc && !(res = op_result_new(&s->a, s->pp.root, -1, err)))
        rc = err->kind;
    if (!rc)
        rc = stmt_execute(s, res, err);
    if (!rc) {
        Collection *c = op_result_rows(res);
        coll_init(out, c->n_cols, c->types);
        *have = true;
        rc = coll_move(out, c, err);
    }
    if (s->pp.root)
        physop_destroy_tree(s->pp.root);
    for (uint32_t i = 0; i < s->pp.n_inits; i++)
        physop_destroy_tree(s->pp.inits[i].root);
    if (res) {
        res->n_children = 0;
        physop_destroy_tree(res);
    }
    s->pp.root = NULL;
    s->pp.n_inits = 0;
    s->top = NULL;
    return rc;
}

/* Sorted index of c's rows by the bytes of their first nk columns; size_out[g] = rows of the group starting at g. */
static int index_rows(MergeJoin *j, const Collection *c, uint32_t nk, KeyEnt **ents_out, uint32_t *n_out,
                      uint32_t **size_out, TarnError *err)
{
    if (c->n_rows >= UINT32_MAX / 2)
        return err_set_state(err, TARN_ERR_UNSUPPORTED, "54000", "too many rows in one MERGE");
    KeyEnt *ents = tarn_calloc(c->n_rows + 1, sizeof(KeyEnt));
    uint32_t *size = tarn_calloc(c->n_rows + 1, sizeof(uint32_t));
    *ents_out = ents;
    *size_out = size;
    if (!ents || !size)
        return ERR_NOMEM(err, c->n_rows);
    uint32_t n = 0;
    for (uint32_t ci = 0; ci < c->n_chunks; ci++) {
        const CollChunk *ch = &c->chunks[ci];
        for (uint32_t k = 0; k < nk; k++)
            j->kv[k] = &ch->cols[k];
        for (uint32_t i = 0; i < ch->n_rows; i++) {
            if (key_bytes(&j->kb, j->kv, nk, i))
                return ERR_NOMEM(err, 0);
            uint8_t *kc = arena_alloc(&j->keys, j->kb.len + 1);
            if (!kc)
                return ERR_NOMEM(err, j->kb.len);
            memcpy(kc, j->kb.data, j->kb.len);
            ents[n].key = kc;
            ents[n].len = (uint32_t)j->kb.len;
            ents[n].row = ci * COLL_CHUNK_ROWS + i;
            n++;
        }
    }
    qsort(ents, n, sizeof(KeyEnt), ent_cmp);
    for (uint32_t g = 0; g < n;) {
        uint32_t e = g + 1;
        while (e < n && ents[e].len == ents[g].len && !memcmp(ents[e].key, ents[g].key, ents[g].len))
            e++;
        size[g] = e - g;
        g = e;
    }
    *n_out = n;
    return 0;
}

/* PostgreSQL's words for a target row matched by several source rows. */
static int merge_twice(TarnError *err)
{
    err_clear(err);
    err_set_state(err, TARN_ERR_INVALID, "21000", "MERGE command cannot affect row a second time");
    err_hint(err, "Ensure that not more than one source row matches any one target row.");
    return TARN_ERR_INVALID;
}

static int merge_apply(void *ctx, const Batch *target, uint8_t *action_out, Batch *updated_out, TarnError *err)
{
    MergeJoin *j = ctx;
    MergeRun *m = j->m;
    if (!target) {
        /* after the scan: n pairs for a group of r identical rows = r rows matched n / r times */
        for (uint32_t g = 0; g < j->n_pe; g++)
            if (j->pe_size[g] && j->pe_size[g] > j->seen[g])
                return merge_twice(err);
        return 0;
    }
    uint32_t n = target->n_rows;
    int rc = merge_grow(m, n, err);
    if (rc)
        return rc;
    if (n > j->cap) {
        uint32_t *p = tarn_realloc(j->sel, n * sizeof(uint32_t));
        if (!p)
            return ERR_NOMEM(err, n);
        j->sel = p;
        j->cap = n;
    }
    memset(action_out, DELTA_MERGE_KEEP, n);
    for (uint32_t c = 0; c < m->nt; c++)
        j->kv[c] = &target->cols[c];
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (key_bytes(&j->kb, j->kv, m->nt, i))
            return ERR_NOMEM(err, 0);
        int64_t g = ents_find(j->pe, j->n_pe, &j->kb);
        if (g < 0)
            continue;
        j->seen[g]++;
        j->sel[k] = i;
        m->rows[k] = j->pe[g].row;
        k++;
    }
    if (k == 0)
        return 0;
    uint32_t nc = m->nt + m->ns;
    for (uint32_t c = 0; c < nc; c++) {
        if (coll_gather(&j->pairs, c, m->rows, k, &j->pv[c]))
            return ERR_NOMEM(err, k);
        m->view[c] = &j->pv[c];
    }
    Chunk ch = {k, nc, m->view};
    if ((rc = merge_whens(m, true, &ch, k, err)))
        return rc;
    for (uint32_t q = 0; q < k; q++) {
        uint32_t w = m->clause[q];
        AstMergeAction a = w == UINT32_MAX ? MERGE_DO_NOTHING : m->bm->whens[w].action;
        action_out[j->sel[q]] = a == MERGE_DO_UPDATE ? DELTA_MERGE_UPDATE : a == MERGE_DO_DELETE ? DELTA_MERGE_DELETE : DELTA_MERGE_KEEP;
    }
    /* the pair's target columns are the old row */
    Batch old = {m->bm->schema, k, m->nt, j->pv};
    return merge_emit(m, &old, k, MERGE_DO_UPDATE, updated_out, err);
}

/* MERGE's command tag: the rows inserted, updated and deleted. */
static int merge_tag(const DeltaResult *dr, tarn_result **out, TarnError *err)
{
    char tag[64];
    snprintf(tag, sizeof tag, "MERGE %lld", (long long)(dr->rows_inserted + dr->rows_updated + dr->rows_deleted));
    return (*out = sql_result_tag(tag, err)) ? 0 : err->kind;
}

static int merge_join_run(Stmt *s, const BoundMerge *bm, MergeRun *m, tarn_result **out, TarnError *err)
{
    MergeJoin j;
    memset(&j, 0, sizeof j);
    j.m = m;
    buf_init(&j.kb);
    arena_init(&j.keys, 0);
    Batch *ins = NULL;
    const Batch **insp = NULL;
    uint32_t n_ins = 0;
    m->nt = bm->schema->n_fields;
    m->ns = bm->n_src_cols;
    uint32_t nc = m->nt + m->ns;
    size_t nw = bm->n_whens ? bm->n_whens : 1;
    m->cond = tarn_calloc(nw, sizeof(ExprState *));
    m->set = tarn_calloc(nw * (m->nt + 1), sizeof(ExprState *));
    m->res = tarn_calloc(nw * (m->nt + 1), sizeof(Vector *));
    m->view = tarn_calloc(nc + 1, sizeof(Vector *));
    j.kv = tarn_calloc(nc + 1, sizeof(Vector *));
    j.pv = tarn_calloc(nc + 1, sizeof(Vector));
    PqPredicate *prune = arena_alloc(&s->a, (bm->n_target_conj + 1) * sizeof(PqPredicate));
    int n_prune = 0;
    int rc = 0;
    if (!m->cond || !m->set || !m->res || !m->view || !j.kv || !j.pv || !prune) {
        rc = ERR_NOMEM(err, 0);
        goto done;
    }
    for (uint32_t w = 0; w < bm->n_whens && !rc; w++) {
        if (bm->whens[w].cond && !(m->cond[w] = expr_state_new(bm->whens[w].cond, &s->db->settings, NULL, err)))
            rc = err->kind;
        for (uint32_t c = 0; bm->whens[w].set && c < m->nt && !rc; c++)
            if (bm->whens[w].set[c] &&
                !(m->set[(size_t)w * m->nt + c] = expr_state_new(bm->whens[w].set[c], &s->db->settings, NULL, err)))
                rc = err->kind;
    }
    if (rc || (rc = run_rows(s, bm->q_pairs, &j.pairs, &j.have_pairs, err)) ||
        (bm->q_unmatched && (rc = run_rows(s, bm->q_unmatched, &j.unmatched, &j.have_unmatched, err))))
        goto done;
    for (uint32_t c = 0; c < nc; c++)
        if (vec_init(&j.pv[c], &j.pairs.types[c])) {
            rc = ERR_NOMEM(err, 0);
            goto done;
        }
    if ((rc = index_rows(&j, &j.pairs, m->nt, &j.pe, &j.n_pe, &j.pe_size, err)))
        goto done;
    if (!(j.seen = tarn_calloc(j.n_pe + 1, sizeof(uint32_t)))) {
        rc = ERR_NOMEM(err, j.n_pe);
        goto done;
    }
    /* inserts: NOT MATCHED clauses over the unmatched source rows */
    if (j.have_unmatched) {
        ins = tarn_calloc(j.unmatched.n_chunks + 1, sizeof(Batch));
        insp = tarn_calloc(j.unmatched.n_chunks + 1, sizeof(Batch *));
        if (!ins || !insp) {
            rc = ERR_NOMEM(err, 0);
            goto done;
        }
        for (uint32_t ci = 0; ci < j.unmatched.n_chunks && !rc; ci++) {
            const CollChunk *ch = &j.unmatched.chunks[ci];
            if (batch_init(&ins[n_ins], bm->schema)) {
                rc = ERR_NOMEM(err, 0);
                break;
            }
            insp[n_ins] = &ins[n_ins];
            Batch *ib = &ins[n_ins++];
            batch_reset(ib);
            ib->n_rows = 0;
            if ((rc = merge_grow(m, ch->n_rows, err)))
                break;
            /* NOT MATCHED clauses cannot reference the target: its slots are never read */
            for (uint32_t c = 0; c < m->nt; c++)
                m->view[c] = &j.pv[c];
            for (uint32_t c = 0; c < m->ns; c++)
                m->view[m->nt + c] = &ch->cols[c];
            Chunk cc = {ch->n_rows, nc, m->view};
            if ((rc = merge_whens(m, false, &cc, ch->n_rows, err)))
                break;
            Batch none = {bm->schema, 0, m->nt, j.pv};
            rc = merge_emit(m, &none, ch->n_rows, MERGE_DO_INSERT, ib, err);
        }
        if (rc)
            goto done;
    }
    for (uint32_t i = 0; i < bm->n_target_conj; i++)
        prune_term(bm->schema, bm->target_conj[i], prune, &n_prune);
    DeltaResult dr;
    memset(&dr, 0, sizeof dr);
    if ((rc = delta_apply(bm->rel->table, prune, n_prune, merge_apply, &j, insp, n_ins, "MERGE", &dr, err)))
        goto done;
    rc = merge_tag(&dr, out, err);
done:
    for (uint32_t i = 0; ins && i < n_ins; i++)
        batch_destroy(&ins[i]);
    tarn_free(ins);
    tarn_free(insp);
    if (j.pv && j.have_pairs)
        for (uint32_t c = 0; c < nc; c++)
            vec_destroy(&j.pv[c]);
    tarn_free(j.pv);
    tarn_free(j.kv);
    tarn_free(j.pe);
    tarn_free(j.pe_size);
    tarn_free(j.seen);
    tarn_free(j.sel);
    if (j.have_pairs)
        coll_free(&j.pairs);
    if (j.have_unmatched)
        coll_free(&j.unmatched);
    buf_free(&j.kb);
    arena_free(&j.keys);
    return rc;
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
    if (!rc && bm.q_pairs) {
        rc = merge_join_run(&s, &bm, &m, out, err);
        if (rc && strcmp(err->sqlstate, "21000"))
            sql_err_at(err, sql, st->loc);
        goto done;
    }
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
        if (!strcmp(err->sqlstate, "21000"))
            rc = merge_twice(err);
        else
            sql_err_at(err, sql, st->loc);
        goto done;
    }
    rc = merge_tag(&dr, out, err);
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

/* ---- INSERT ... RETURNING ---------------------------------------------------------------------------------------- */

int sql_insert_returning(Stmt *s, const AstStmt *st, CatalogRel *rel, const Schema *ts, LogicalOp *plan,
                         tarn_result **out, TarnError *err)
{
    BoundReturning br;
    Returning rt;
    memset(&rt, 0, sizeof rt);
    Collection rows;
    uint32_t nt = ts->n_fields;
    LogicalType *types = arena_alloc(&s->a, (nt ? nt : 1) * sizeof(LogicalType));
    Vector **ptrs = arena_alloc(&s->a, (nt ? nt : 1) * sizeof(Vector *));
    if (!types || !ptrs)
        return ERR_NOMEM(err, nt);
    for (uint32_t c = 0; c < nt; c++)
        types[c] = ts->fields[c].type;
    coll_init(&rows, nt, types);
    int rc = bind_returning(&s->bc, st->u.insert.table, &st->u.insert.returning, &br);
    PhysOp *ins = NULL;
    if (!rc)
        rc = stmt_plan(s, plan, err);
    if (!rc && !(ins = op_insert_new(&s->a, s->pp.root, rel->table, ts, rel->name, false, err)))
        rc = err->kind;
    if (!rc) {
        op_insert_keep_rows(ins, &rows);
        rc = stmt_execute(s, ins, err);
    }
    if (!rc)
        rc = returning_init(&rt, &br, &s->db->settings, err);
    for (uint32_t ci = 0; !rc && ci < rows.n_chunks; ci++) {
        const CollChunk *ch = &rows.chunks[ci];
        for (uint32_t c = 0; c < nt; c++)
            ptrs[c] = &ch->cols[c];
        Chunk c = {ch->n_rows, nt, ptrs};
        rc = returning_emit(&rt, &c, NULL, ch->n_rows, err);
    }
    if (!rc) {
        char tag[64];
        snprintf(tag, sizeof tag, "INSERT 0 %lld", (long long)op_insert_count(ins));
        rc = returning_finish(&rt, s->db, tag, out, err);
    }
    returning_free(&rt);
    coll_free(&rows);
    return rc;
}
