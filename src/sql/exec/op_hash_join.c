/*
 * op_hash_join.c - equi-joins with a hash table on the build side.
 *
 * Build (sink of the build child's pipeline): each thread appends its
 * rows plus the evaluated key values to its own collection; combine moves
 * them into the global collection; finalize hashes every row and lays
 * the rows out bucket by bucket (a counting sort by slot: the entries of
 * slot s are ents[heads[s] .. heads[s + 1]), each a 32-bit hash tag and a
 * row id).  Rows whose key has a NULL are left out (NULL never equals
 * anything).
 *
 * Probe (operator in the probe child's pipeline): per chunk, keys are
 * evaluated and hashed and the chunk's slot starts prefetched; then each
 * row scans its slot's run of entries, comparing the tag and then the
 * keys, and matching (probe row, build row)
 * pairs are collected into buffers of up to 2048 pairs, from which output
 * chunks are gathered column by column.  A residual condition (the
 * non-equality part of ON) is evaluated on those joined chunks.
 *
 * Join kinds: INNER; LEFT and FULL keep unmatched probe rows (NULL build
 * columns) after a chunk's pairs; RIGHT and FULL keep unmatched build rows:
 * probe threads mark matched build rows (relaxed atomic stores) and the
 * last probe thread to reach op_flush (PhysOp.run_flushed) emits the
 * unmarked ones, every other thread's marks being in by then; SEMI and ANTI
 * emit probe rows with / without a match; null_aware ANTI implements NOT
 * IN (a NULL on either side makes the predicate unknown).
 *
 * Dynamic join filters (join_filter.h): INNER / SEMI joins (and mark
 * joins) hand a filter for each plain-column probe key down the probe side
 * at construction; sink_finalize fills it from the build keys.
 *
 * Mark joins (op_hash_join_mark_new): SEMI / ANTI with a small outer side
 * build on the outer side; probe rows set matched[] flags (relaxed atomic
 * stores, any number of threads) and the MarkOut breaker above emits the
 * marked / unmarked build rows once every probe thread is done.
 *
 * Grace hash join (spill.h): build threads charge their rows to the
 * query's memory counter.  When that would pass the spill share of
 * memory_limit, the join turns "spilling": every build row (with its key
 * values) goes to one of JSPILL_PARTS temporary files chosen by hash bits
 * 40..44.  The probe pipeline then runs on one thread and writes its rows
 * to probe partition files the same way; when its input ends (op_flush)
 * the partition pairs are joined one by one with the ordinary code: load
 * build partition p, build its table, stream probe partition p through
 * op_exec, then (RIGHT/FULL) its unmatched build rows.  Equal keys share
 * a partition, so every join kind stays correct; what depends on the whole
 * build side (its row count, whether any key is NULL: NOT IN) is counted
 * while partitioning.  A build partition that alone exceeds memory_limit
 * fails with 53200.
 */
#include <stdio.h>
#include <string.h>

#include "sql/exec/join_filter.h"
#include "sql/exec/ops.h"
#include "sql/exec/spill.h"
#include "sql/func/cast.h"

#define END UINT32_MAX
#define JSPILL_PARTS 32
#define JSPILL_SHIFT 40
#define JSPILL_BATCH 8 /* chunks a spilling build thread collects before writing them */

typedef struct SpillList {
    SpillFile **f;
    uint32_t n, cap;
} SpillList;

typedef struct HashJoin {
    PhysOp op;
    JoinKind kind;
    Expr **pk, **bk;
    uint32_t nk;
    Expr *residual;
    bool null_aware;
    bool null_safe;             /* keys compare NULL = NULL (INTERSECT / EXCEPT) */
    uint32_t n_probe, n_build;
    LogicalType *coll_types;    /* build columns + key columns */
    uint32_t *key_w;
    bool *key_str;
    Collection build;
    bool coll_ok;
    uint64_t *hashes;           /* by row id, while building (freed after the filters) */
    uint32_t *heads;            /* cap + 1: slot s's entries are ents[heads[s] .. heads[s + 1]) */
    uint64_t *ents;             /* hash bits 32.. << 32 | row id, bucket by bucket */
    uint64_t mask;
    uint8_t *matched;           /* RIGHT/FULL: per build row */
    bool has_null_key;
    uint64_t n_rows;
    /* grace hash join */
    const char *nospill_type;   /* a column type without spill encoding */
    atomic_bool spilling;       /* build rows go to partition files */
    bool spilled;               /* the build side is on disk: probe spills too */
    SpillList bparts[JSPILL_PARTS];
    SpillFile *pparts[JSPILL_PARTS];
    _Atomic uint64_t sp_rows, sp_bytes;
    atomic_bool sp_null;
    int64_t part_charged;
    JoinFilter **jf;            /* per key: dynamic filter pushed into the probe side, or NULL */
    bool mark;                  /* SEMI / ANTI built on the preserved side: the probe marks build
                                 * rows, op_hash_join_mark_new's output operator emits them */
} HashJoin;

/* ---- build ------------------------------------------------------------------------------------- */

typedef struct BLocal {
    Collection c;
    ExprState **keys;
    Vector **cols;              /* child cols + key vectors */
    int64_t charged;
    SpillFile *bf[JSPILL_PARTS];
} BLocal;

static int build_mem_check(HashJoin *j, ExecCtx *x, BLocal *l, bool force, TarnError *err);
static int flush_build(HashJoin *j, ExecCtx *x, Collection *c, SpillFile **files, TarnError *err);
static int add_file(SpillList *sl, SpillFile *f, TarnError *err);

static int sink_init(PhysOp *op, ExecCtx *x, TarnError *err)
{
    (void)x; (void)err;
    HashJoin *j = (HashJoin *)op;
    coll_init(&j->build, j->n_build + j->nk, j->coll_types);
    j->coll_ok = true;
    for (uint32_t k = 0; k < j->nk; k++)
        if (j->jf[k])
            join_filter_reset(j->jf[k]);
    return 0;
}

static void blocal_free(PhysOp *op, void *local)
{
    HashJoin *j = (HashJoin *)op;
    BLocal *l = local;
    coll_free(&l->c);
    for (uint32_t p = 0; p < JSPILL_PARTS; p++)
        spill_close(l->bf[p]);
    if (l->keys)
        for (uint32_t k = 0; k < j->nk; k++)
            expr_state_free(l->keys[k]);
    tarn_free(l->keys);
    tarn_free(l->cols);
    tarn_free(l);
}

static int sink_local_init(PhysOp *op, ExecCtx *x, void **local, TarnError *err)
{
    HashJoin *j = (HashJoin *)op;
    BLocal *l = tarn_calloc(1, sizeof *l);
    if (!l)
        return ERR_NOMEM(err, sizeof *l);
    coll_init(&l->c, j->n_build + j->nk, j->coll_types);
    l->keys = tarn_calloc(j->nk ? j->nk : 1, sizeof(ExprState *));
    l->cols = tarn_calloc(j->n_build + j->nk + 1, sizeof(Vector *));
    if (!l->keys || !l->cols) {
        blocal_free(op, l);
        return ERR_NOMEM(err, 0);
    }
    for (uint32_t k = 0; k < j->nk; k++)
        if (!(l->keys[k] = expr_state_new(j->bk[k], x->settings, x->params, err))) {
            blocal_free(op, l);
            return err->kind;
        }
    *local = l;
    return 0;
}

static int sink(PhysOp *op, ExecCtx *x, void *local, const Chunk *in, bool *done, TarnError *err)
{
    (void)done;
    HashJoin *j = (HashJoin *)op;
    BLocal *l = local;
    for (uint32_t c = 0; c < j->n_build; c++)
        l->cols[c] = in->cols[c];
    for (uint32_t k = 0; k < j->nk; k++) {
        Vector *v;
        int rc = expr_eval(l->keys[k], in, NULL, in->n_rows, &v, err);
        if (rc)
            return rc;
        l->cols[j->n_build + k] = v;
    }
    Chunk c = {in->n_rows, j->n_build + j->nk, l->cols};
    int rc = coll_append(&l->c, &c, NULL, in->n_rows, err);
    return rc ? rc : build_mem_check(j, x, l, false, err);
}

static int sink_combine(PhysOp *op, ExecCtx *x, void *local, TarnError *err)
{
    HashJoin *j = (HashJoin *)op;
    BLocal *l = local;
    if (atomic_load(&j->spilling)) {
        int rc = build_mem_check(j, x, l, true, err); /* flushes what is left */
        for (uint32_t p = 0; p < JSPILL_PARTS && !rc; p++)
            if (l->bf[p]) {
                rc = add_file(&j->bparts[p], l->bf[p], err);
                l->bf[p] = NULL;
            }
        return rc;
    }
    return coll_move(&j->build, &l->c, err);
}

static int build_table(HashJoin *j, TarnError *err);

/* Fills and publishes the dynamic join filters from the build keys (the
 * hash of key 0 is the row hash when it is the only key). */
static int build_filters(HashJoin *j, TarnError *err)
{
    Collection *c = &j->build;
    uint64_t *tmp = NULL;
    for (uint32_t kk = 0; kk < j->nk; kk++) {
        JoinFilter *f = j->jf[kk];
        if (!f)
            continue;
        if (join_filter_begin(f, c->n_rows)) {
            tarn_free(tmp);
            return ERR_NOMEM(err, c->n_rows * 2);
        }
        if (j->nk > 1 && !tmp && !(tmp = tarn_malloc(COLL_CHUNK_ROWS * sizeof(uint64_t))))
            return ERR_NOMEM(err, COLL_CHUNK_ROWS * sizeof(uint64_t));
        for (uint32_t ci = 0; ci < c->n_chunks; ci++) {
            const CollChunk *k = &c->chunks[ci];
            const Vector *v = &k->cols[j->n_build + kk];
            const uint64_t *h = j->hashes + ((uint64_t)ci << COLL_SHIFT);
            if (j->nk > 1) {
                vec_hash(v, k->n_rows, tmp, true);
                h = tmp;
            }
            join_filter_add(f, v, h, k->n_rows);
        }
        join_filter_publish(f);
    }
    tarn_free(tmp);
    return 0;
}

static int sink_finalize(PhysOp *op, ExecCtx *x, TarnError *err)
{
    HashJoin *j = (HashJoin *)op;
    if (atomic_load(&j->spilling)) {
        /* rows combined before the switch go to disk as well */
        SpillFile *files[JSPILL_PARTS] = {0};
        int rc = flush_build(j, x, &j->build, files, err);
        for (uint32_t p = 0; p < JSPILL_PARTS; p++)
            if (files[p] && !rc)
                rc = add_file(&j->bparts[p], files[p], err);
            else
                spill_close(files[p]);
        coll_free(&j->build);
        j->coll_ok = false;
        j->spilled = true;
        j->op.max_threads = 1; /* the probe partitions are joined after its input ends */
        j->n_rows = atomic_load(&j->sp_rows);
        j->has_null_key = atomic_load(&j->sp_null);
        return rc;
    }
    int rc = build_table(j, err);
    if (!rc)
        rc = build_filters(j, err);
    tarn_free(j->hashes);
    j->hashes = NULL;
    return rc;
}

/* Hashes the rows of j->build and lays them out bucket by bucket: the
 * entries (hash bits 32.. as a tag | row id) of slot s are ents[start[s]
 * .. start[s + 1]), so a probe reads one run of adjacent entries instead
 * of following a chain through the rows (a cache miss per step; keys with
 * many build rows, such as Q13's customer keys of orders, walked ten).
 * Within a slot the rows are in descending id order, as the chains were. */
static inline bool build_row_null(const HashJoin *j, const CollChunk *k, uint32_t r)
{
    for (uint32_t kk = 0; kk < j->nk; kk++)
        if (!vec_is_valid(&k->cols[j->n_build + kk], r))
            return true;
    return false;
}

static int build_table(HashJoin *j, TarnError *err)
{
    Collection *c = &j->build;
    uint64_t n_ids = (uint64_t)c->n_chunks << COLL_SHIFT;
    j->n_rows = c->n_rows;
    uint64_t cap = 1024;
    while (cap < c->n_rows * 2)
        cap *= 2;
    j->mask = cap - 1;
    j->heads = tarn_calloc(cap + 1, sizeof(uint32_t));
    j->ents = tarn_malloc((c->n_rows ? c->n_rows : 1) * sizeof(uint64_t));
    j->hashes = tarn_malloc((n_ids ? n_ids : 1) * sizeof(uint64_t));
    bool need_matched = j->kind == JOIN_RIGHT || j->kind == JOIN_FULL || j->mark;
    if (need_matched)
        j->matched = tarn_calloc(n_ids ? n_ids : 1, 1);
    if (!j->heads || !j->ents || !j->hashes || (need_matched && !j->matched))
        return ERR_NOMEM(err, n_ids * 16);
    bool may_null = false;
    for (uint32_t ci = 0; ci < c->n_chunks; ci++) {
        CollChunk *k = &c->chunks[ci];
        uint64_t *h = j->hashes + ((uint64_t)ci << COLL_SHIFT);
        for (uint32_t kk = 0; kk < j->nk; kk++) {
            k->cols[j->n_build + kk].len = k->n_rows;
            vec_hash(&k->cols[j->n_build + kk], k->n_rows, h, kk == 0);
            may_null |= k->cols[j->n_build + kk].validity != NULL;
        }
        for (uint32_t r = 0; r < k->n_rows; r++) {
            if (may_null && !j->null_safe && build_row_null(j, k, r)) {
                j->has_null_key = true;
                continue;
            }
            j->heads[h[r] & j->mask]++;
        }
    }
    /* heads[s] = end of slot s; placing rows at --heads[s] leaves the start */
    uint32_t acc = 0;
    for (uint64_t s = 0; s < cap; s++) {
        acc += j->heads[s];
        j->heads[s] = acc;
    }
    j->heads[cap] = acc;
    for (uint32_t ci = 0; ci < c->n_chunks; ci++) {
        const CollChunk *k = &c->chunks[ci];
        const uint64_t *h = j->hashes + ((uint64_t)ci << COLL_SHIFT);
        for (uint32_t r = 0; r < k->n_rows; r++) {
            if (may_null && !j->null_safe && build_row_null(j, k, r))
                continue;
            uint32_t id = (ci << COLL_SHIFT) | r;
            j->ents[--j->heads[h[r] & j->mask]] = (h[r] >> 32) << 32 | id;
        }
    }
    return 0;
}

/* ---- probe ----------------------------------------------------------------------------------------- */

typedef struct PLocal {
    ExprState **keys;
    Vector **keyv;
    Vector *flat;
    uint64_t *hash;
    uint8_t *pnull, *pmatched;
    uint32_t cap;
    bool busy;
    int phase;
    uint32_t next_row, chain;
    uint32_t *pi, *br, np;
    uint32_t *sel;
    uint32_t *first;            /* per probe row: head of its chain (start_chunk, prefetched) */
    /* grace hash join: partition pairs after the input ends */
    bool sp_flushing, sp_has_in;
    int sp_stage;
    uint32_t sp_part;
    Chunk sp_in;
    Vector *sp_vecs;            /* n_probe */
    Vector **sp_ptrs;
    Vector *outv;               /* n_out */
    Vector **outp;
    Vector *tmpv;               /* probe + build columns for the residual */
    Vector **tmpp;
    ExprState *resid;
    uint32_t flush_id;
    int flush_turn;             /* RIGHT / FULL: 0 undecided, 1 this thread emits the unmatched rows, -1 not */
} PLocal;

static void plocal_free(PhysOp *op, void *local)
{
    HashJoin *j = (HashJoin *)op;
    PLocal *l = local;
    if (l->keys)
        for (uint32_t k = 0; k < j->nk; k++)
            expr_state_free(l->keys[k]);
    if (l->flat)
        for (uint32_t k = 0; k < j->nk; k++)
            vec_destroy(&l->flat[k]);
    uint32_t nt = j->n_probe + j->n_build;
    if (l->outv)
        for (uint32_t c = 0; c < op->n_out; c++)
            vec_destroy(&l->outv[c]);
    if (l->tmpv)
        for (uint32_t c = 0; c < nt; c++)
            vec_destroy(&l->tmpv[c]);
    expr_state_free(l->resid);
    if (l->sp_vecs)
        for (uint32_t c = 0; c < j->n_probe; c++)
            vec_destroy(&l->sp_vecs[c]);
    tarn_free(l->sp_vecs);
    tarn_free(l->sp_ptrs);
    tarn_free(l->keys);
    tarn_free(l->keyv);
    tarn_free(l->flat);
    tarn_free(l->hash);
    tarn_free(l->pnull);
    tarn_free(l->pmatched);
    tarn_free(l->pi);
    tarn_free(l->br);
    tarn_free(l->sel);
    tarn_free(l->first);
    tarn_free(l->outv);
    tarn_free(l->outp);
    tarn_free(l->tmpv);
    tarn_free(l->tmpp);
    tarn_free(l);
}

static const LogicalType *col_type(HashJoin *j, uint32_t c)
{
    return c < j->n_probe ? &j->op.children[0]->out_types[c] : &j->coll_types[c - j->n_probe];
}

static int op_local_init(PhysOp *op, ExecCtx *x, void **local, TarnError *err)
{
    HashJoin *j = (HashJoin *)op;
    PLocal *l = tarn_calloc(1, sizeof *l);
    if (!l)
        return ERR_NOMEM(err, sizeof *l);
    uint32_t nk = j->nk ? j->nk : 1, nt = j->n_probe + j->n_build + 1;
    l->keys = tarn_calloc(nk, sizeof(ExprState *));
    l->keyv = tarn_calloc(nk, sizeof(Vector *));
    l->flat = tarn_calloc(nk, sizeof(Vector));
    l->pi = tarn_malloc(VEC_BATCH_ROWS * sizeof(uint32_t));
    l->br = tarn_malloc(VEC_BATCH_ROWS * sizeof(uint32_t));
    l->sel = tarn_malloc(VEC_BATCH_ROWS * sizeof(uint32_t));
    l->outv = tarn_calloc(op->n_out + 1, sizeof(Vector));
    l->outp = tarn_calloc(op->n_out + 1, sizeof(Vector *));
    l->tmpv = tarn_calloc(nt, sizeof(Vector));
    l->tmpp = tarn_calloc(nt, sizeof(Vector *));
    if (!l->keys || !l->keyv || !l->flat || !l->pi || !l->br || !l->sel || !l->outv || !l->outp || !l->tmpv || !l->tmpp) {
        plocal_free(op, l);
        return ERR_NOMEM(err, 0);
    }
    for (uint32_t k = 0; k < j->nk; k++) {
        vec_init(&l->flat[k], &j->pk[k]->type);
        if (!(l->keys[k] = expr_state_new(j->pk[k], x->settings, x->params, err))) {
            plocal_free(op, l);
            return err->kind;
        }
    }
    for (uint32_t c = 0; c < op->n_out; c++) {
        vec_init(&l->outv[c], &op->out_types[c]);
        l->outp[c] = &l->outv[c];
    }
    for (uint32_t c = 0; c < j->n_probe + j->n_build; c++) {
        vec_init(&l->tmpv[c], col_type(j, c));
        l->tmpp[c] = &l->tmpv[c];
    }
    if (j->residual && !(l->resid = expr_state_new(j->residual, x->settings, x->params, err))) {
        plocal_free(op, l);
        return err->kind;
    }
    *local = l;
    return 0;
}

static int ensure_rows(PLocal *l, uint32_t n)
{
    if (n <= l->cap)
        return 0;
    uint32_t c = n < VEC_BATCH_ROWS ? VEC_BATCH_ROWS : n;
    uint64_t *h = tarn_realloc(l->hash, c * sizeof(uint64_t));
    if (h)
        l->hash = h;
    uint8_t *a = tarn_realloc(l->pnull, c), *b = tarn_realloc(l->pmatched, c);
    if (a)
        l->pnull = a;
    if (b)
        l->pmatched = b;
    uint32_t *s = tarn_realloc(l->sel, c * sizeof(uint32_t));
    if (s)
        l->sel = s;
    uint32_t *f = tarn_realloc(l->first, c * sizeof(uint32_t));
    if (f)
        l->first = f;
    if (!h || !a || !b || !s || !f)
        return TARN_ERR_NOMEM;
    l->cap = c;
    return 0;
}

static inline bool keys_eq(HashJoin *j, PLocal *l, uint32_t i, uint32_t r)
{
    const CollChunk *k = &j->build.chunks[coll_chunk_of(r)];
    uint32_t o = coll_off_of(r);
    for (uint32_t kk = 0; kk < j->nk; kk++) {
        const Vector *pv = l->keyv[kk], *bv = &k->cols[j->n_build + kk];
        uint32_t w = j->key_w[kk];
        if (j->null_safe) {
            bool pn = !vec_is_valid(pv, i), bn = !vec_is_valid(bv, o);
            if (pn || bn) {
                if (pn != bn)
                    return false;
                continue;
            }
        }
        if (j->key_str[kk]) {
            const StrView *a = &((const StrView *)pv->data)[i], *b = &((const StrView *)bv->data)[o];
            if (a->len != b->len || (a->len && memcmp(a->ptr, b->ptr, a->len)))
                return false;
        } else if (w == 8) {
            if (((const uint64_t *)pv->data)[i] != ((const uint64_t *)bv->data)[o])
                return false;
        } else if (w == 4) {
            if (((const uint32_t *)pv->data)[i] != ((const uint32_t *)bv->data)[o])
                return false;
        } else if (memcmp(pv->data + (size_t)w * i, bv->data + (size_t)w * o, w)) {
            return false;
        }
    }
    return true;
}

/* Fills out with the pairs (probe cols gathered by pi, build cols by br). */
static int gather_pairs(HashJoin *j, PLocal *l, const Chunk *in, Vector **dst, uint32_t n, TarnError *err)
{
    for (uint32_t c = 0; c < j->n_probe; c++)
        if (vec_gather(dst[c], in->cols[c], l->pi, n))
            return ERR_NOMEM(err, n);
    for (uint32_t c = 0; c < j->n_build; c++)
        if (coll_gather(&j->build, c, l->br, n, dst[j->n_probe + c]))
            return ERR_NOMEM(err, n);
    return 0;
}

static int set_all_null(Vector *v, uint32_t n)
{
    if (vec_prepare(v, n) || vec_ensure_validity(v))
        return TARN_ERR_NOMEM;
    memset(v->validity, 0, (n + 7) / 8);
    if (v->data) /* nested types (LIST) have no fixed-width data */
        memset(v->data, 0, type_width(v->type) * n);
    if (v->offsets) /* LIST: every row an empty list over the child's current length */
        for (uint32_t i = 0; i <= n; i++)
            v->offsets[i] = v->offsets[0];
    return 0;
}

/* Processes the current pair buffer: residual, matched flags, output. */
static int process_pairs(HashJoin *j, PLocal *l, const Chunk *in, Chunk *out, TarnError *err)
{
    uint32_t n = l->np;
    l->np = 0;
    out->n_rows = 0;
    if (n == 0)
        return 0;
    bool emit_pairs = j->kind == JOIN_INNER || j->kind == JOIN_LEFT || j->kind == JOIN_RIGHT || j->kind == JOIN_FULL;
    if (l->resid) {
        int rc = gather_pairs(j, l, in, l->tmpp, n, err);
        if (rc)
            return rc;
        Chunk t = {n, j->n_probe + j->n_build, l->tmpp};
        uint32_t k;
        if ((rc = expr_select(l->resid, &t, NULL, n, l->sel, &k, err)))
            return rc;
        for (uint32_t q = 0; q < k; q++) {
            l->pi[q] = l->pi[l->sel[q]];
            l->br[q] = l->br[l->sel[q]];
        }
        n = k;
    }
    for (uint32_t q = 0; q < n; q++)
        l->pmatched[l->pi[q]] = 1;
    if (j->matched) /* relaxed atomic stores: probe threads of a mark join share the flags */
        for (uint32_t q = 0; q < n; q++)
            __atomic_store_n(&j->matched[l->br[q]], 1, __ATOMIC_RELAXED);
    if (!emit_pairs || n == 0)
        return 0;
    int rc = gather_pairs(j, l, in, l->outp, n, err);
    if (rc)
        return rc;
    out->n_rows = n;
    out->n_cols = j->op.n_out;
    out->cols = l->outp;
    return 0;
}

static int start_chunk(HashJoin *j, PLocal *l, const Chunk *in, TarnError *err)
{
    uint32_t n = in->n_rows;
    if (ensure_rows(l, n))
        return ERR_NOMEM(err, n);
    memset(l->pnull, 0, n);
    memset(l->pmatched, 0, n);
    for (uint32_t k = 0; k < j->nk; k++) {
        Vector *v;
        int rc = expr_eval(l->keys[k], in, NULL, n, &v, err);
        if (rc)
            return rc;
        if (v->is_const) {
            if (vec_gather(&l->flat[k], v, NULL, n))
                return ERR_NOMEM(err, n);
            v = &l->flat[k];
        }
        l->keyv[k] = v;
        vec_hash(v, n, l->hash, k == 0);
        if (v->validity)
            for (uint32_t i = 0; i < n; i++)
                l->pnull[i] |= !vec_is_valid(v, i);
    }
    /* chain heads for the whole chunk: prefetch the head slots, then read
     * them and prefetch the first rows' hashes (the probe loop then walks
     * chains whose first steps are in cache) */
    if (j->heads) {
        const uint64_t *h = l->hash;
        for (uint32_t i = 0; i < n; i++)
            __builtin_prefetch(&j->heads[h[i] & j->mask]);
        for (uint32_t i = 0; i < n; i++) {
            uint32_t q = j->heads[h[i] & j->mask];
            l->first[i] = q;
            __builtin_prefetch(&j->ents[q]);
        }
        /* and the first key value of each row's run whose tag matches
         * (keys_eq's load: a miss per probe row on a large build side) */
        if (j->build.n_chunks >= 16) {
            uint32_t w = j->key_w[0];
            const CollChunk *ch = j->build.chunks;
            for (uint32_t i = 0; i < n; i++) {
                uint32_t q = l->first[i];
                if (q >= j->heads[(h[i] & j->mask) + 1])
                    continue;
                uint64_t e = j->ents[q];
                if ((e >> 32) != h[i] >> 32)
                    continue;
                uint32_t r = (uint32_t)e;
                __builtin_prefetch(ch[coll_chunk_of(r)].cols[j->n_build].data + (size_t)w * coll_off_of(r));
            }
        }
    }
    l->busy = true;
    l->phase = 0;
    l->next_row = 0;
    l->chain = END;
    l->np = 0;
    return 0;
}

/* Emits the probe rows that the join kind keeps after matching. */
static int emit_leftovers(HashJoin *j, PLocal *l, const Chunk *in, Chunk *out, TarnError *err)
{
    uint32_t n = in->n_rows, k = 0;
    out->n_rows = 0;
    switch (j->kind) {
    case JOIN_LEFT: case JOIN_FULL:
        for (uint32_t i = 0; i < n; i++)
            if (!l->pmatched[i])
                l->sel[k++] = i;
        break;
    case JOIN_SEMI:
        for (uint32_t i = 0; i < n; i++)
            if (l->pmatched[i])
                l->sel[k++] = i;
        break;
    case JOIN_ANTI:
        if (j->null_aware && j->n_rows > 0 && j->has_null_key)
            break;
        for (uint32_t i = 0; i < n; i++)
            if (!l->pmatched[i] && !(j->null_aware && l->pnull[i] && j->n_rows > 0))
                l->sel[k++] = i;
        break;
    default:
        return 0;
    }
    if (k == 0)
        return 0;
    for (uint32_t c = 0; c < j->n_probe; c++)
        if (vec_gather(&l->outv[c], in->cols[c], l->sel, k))
            return ERR_NOMEM(err, k);
    if (j->kind == JOIN_LEFT || j->kind == JOIN_FULL)
        for (uint32_t c = 0; c < j->n_build; c++)
            if (set_all_null(&l->outv[j->n_probe + c], k))
                return ERR_NOMEM(err, k);
    out->n_rows = k;
    out->n_cols = j->op.n_out;
    out->cols = l->outp;
    return 0;
}

/* ---- grace hash join (spill.h) ------------------------------------------------------------------------ */

static inline uint32_t part_of(uint64_t h) { return (uint32_t)(h >> JSPILL_SHIFT) & (JSPILL_PARTS - 1); }

static int add_file(SpillList *sl, SpillFile *f, TarnError *err)
{
    if (sl->n == sl->cap) {
        uint32_t nc = sl->cap ? sl->cap * 2 : 4;
        SpillFile **n = tarn_realloc(sl->f, nc * sizeof *n);
        if (!n) {
            spill_close(f);
            return ERR_NOMEM(err, nc * sizeof *n);
        }
        sl->f = n;
        sl->cap = nc;
    }
    sl->f[sl->n++] = f;
    return 0;
}

static void list_free(SpillList *sl)
{
    for (uint32_t i = 0; i < sl->n; i++)
        spill_close(sl->f[i]);
    tarn_free(sl->f);
    memset(sl, 0, sizeof *sl);
}

/* Writes the rows of c (build columns + keys) to the partition files
 * files[] by key hash; c ends empty.  Counts rows and NULL keys. */
static int flush_build(HashJoin *j, ExecCtx *x, Collection *c, SpillFile **files, TarnError *err)
{
    uint32_t nc = j->n_build + j->nk;
    uint64_t h[COLL_CHUNK_ROWS];
    uint32_t sel[COLL_CHUNK_ROWS], cnt[JSPILL_PARTS], pos[JSPILL_PARTS];
    Vector *ptrs[256];
    if (nc > 256)
        return exec_mem_error(x, "Hash join with more than 256 build columns", err);
    int rc = 0;
    for (uint32_t ci = 0; ci < c->n_chunks && !rc; ci++) {
        CollChunk *k = &c->chunks[ci];
        uint32_t n = k->n_rows;
        if (!n)
            continue;
        for (uint32_t q = 0; q < nc; q++) {
            k->cols[q].len = n;
            ptrs[q] = &k->cols[q];
        }
        for (uint32_t kk = 0; kk < j->nk; kk++)
            vec_hash(&k->cols[j->n_build + kk], n, h, kk == 0);
        if (!j->nk)
            memset(h, 0, n * sizeof *h);
        memset(cnt, 0, sizeof cnt);
        bool null = false;
        for (uint32_t r = 0; r < n; r++) {
            cnt[part_of(h[r])]++;
            for (uint32_t kk = 0; kk < j->nk && !null; kk++)
                null = !vec_is_valid(&k->cols[j->n_build + kk], r);
        }
        if (null)
            atomic_store(&j->sp_null, true);
        atomic_fetch_add(&j->sp_rows, n);
        for (uint32_t p = 0, o = 0; p < JSPILL_PARTS; o += cnt[p], p++)
            pos[p] = o;
        for (uint32_t r = 0; r < n; r++)
            sel[pos[part_of(h[r])]++] = r;
        Chunk ch = {n, nc, ptrs};
        for (uint32_t p = 0, o = 0; p < JSPILL_PARTS && !rc; o += cnt[p], p++) {
            if (!cnt[p])
                continue;
            if (!files[p] && !(files[p] = spill_open(x, err)))
                return err->kind;
            uint64_t before = spill_bytes(files[p]);
            rc = spill_write(files[p], &ch, nc, sel + o, cnt[p], err);
            atomic_fetch_add(&j->sp_bytes, spill_bytes(files[p]) - before);
        }
    }
    coll_free(c);
    coll_init(c, nc, j->coll_types);
    return rc;
}

/* Charges a build thread's rows; past the spill share the join turns to
 * a grace hash join and every build row goes to partition files (in
 * batches of JSPILL_BATCH chunks, or everything with force). */
static int build_mem_check(HashJoin *j, ExecCtx *x, BLocal *l, bool force, TarnError *err)
{
    if (!atomic_load(&j->spilling)) {
        int64_t d = (int64_t)l->c.mem_bytes - l->charged;
        if (d <= 0 || exec_mem_try(x, d, exec_spill_cap(x))) {
            if (d > 0)
                l->charged += d;
            return 0;
        }
        if (j->mark) { /* the marks need the whole preserved side in memory */
            if (exec_mem_try(x, d, x->mem_budget)) {
                l->charged += d;
                return 0;
            }
            return exec_mem_error(x, "Hash semi-join built on its preserved side (which cannot be spilled to disk)",
                                  err);
        }
        if (j->nospill_type) {
            if (exec_mem_try(x, d, x->mem_budget)) { /* cannot spill: it may use all of memory_limit */
                l->charged += d;
                return 0;
            }
            char what[160];
            snprintf(what, sizeof what, "Hash join over a column of type %s (which cannot be spilled to disk)",
                     j->nospill_type);
            return exec_mem_error(x, what, err);
        }
        atomic_store(&j->spilling, true);
        force = true;
    }
    if (!force && l->c.n_chunks < JSPILL_BATCH)
        return 0;
    exec_mem_release(x, l->charged);
    l->charged = 0;
    return flush_build(j, x, &l->c, l->bf, err);
}

/* Loads build partition p into j->build and builds its hash table. */
static int load_partition(HashJoin *j, ExecCtx *x, uint32_t p, TarnError *err)
{
    uint32_t nc = j->n_build + j->nk;
    int rc = 0;
    coll_init(&j->build, nc, j->coll_types);
    j->coll_ok = true;
    Vector *v = tarn_calloc(nc ? nc : 1, sizeof(Vector));
    Vector **vp = tarn_calloc(nc ? nc : 1, sizeof(Vector *));
    if (!v || !vp) {
        rc = ERR_NOMEM(err, nc);
        goto done;
    }
    for (uint32_t q = 0; q < nc; q++)
        vec_init(&v[q], &j->coll_types[q]);
    SpillList *sl = &j->bparts[p];
    for (uint32_t i = 0; i < sl->n && !rc; i++) {
        if ((rc = spill_rewind(sl->f[i], err)))
            break;
        for (;;) {
            Chunk c;
            if ((rc = spill_read(sl->f[i], v, vp, nc, &c, err)) || !c.n_rows)
                break;
            if ((rc = coll_append(&j->build, &c, NULL, c.n_rows, err)))
                break;
        }
        spill_close(sl->f[i]);
        sl->f[i] = NULL;
    }
    if (!rc && !exec_mem_try(x, (int64_t)j->build.mem_bytes, x->mem_budget))
        rc = exec_mem_error(x, "Hash join (one partition of its build side)", err);
    else if (!rc)
        j->part_charged = (int64_t)j->build.mem_bytes;
    if (!rc)
        rc = build_table(j, err);
    tarn_free(j->hashes); /* only build_table needs them */
    j->hashes = NULL;
    /* the semantics that depend on the whole build side */
    j->n_rows = atomic_load(&j->sp_rows);
    j->has_null_key = atomic_load(&j->sp_null);
done:
    if (v)
        for (uint32_t q = 0; q < nc; q++)
            vec_destroy(&v[q]);
    tarn_free(v);
    tarn_free(vp);
    return rc;
}

/* Frees the build side's rows and hash table. */
static void free_build(HashJoin *j)
{
    if (j->coll_ok)
        coll_free(&j->build);
    j->coll_ok = false;
    tarn_free(j->hashes);
    tarn_free(j->ents);
    tarn_free(j->heads);
    tarn_free(j->matched);
    j->hashes = NULL;
    j->heads = NULL;
    j->ents = NULL;
    j->matched = NULL;
}

static void unload_partition(HashJoin *j, ExecCtx *x)
{
    free_build(j);
    exec_mem_release(x, j->part_charged);
    j->part_charged = 0;
}

/* Probe side of a spilled join: rows go to the partition files. */
static int spill_probe(HashJoin *j, ExecCtx *x, PLocal *l, const Chunk *in, TarnError *err)
{
    int rc = start_chunk(j, l, in, err);
    l->busy = false;
    if (rc)
        return rc;
    uint32_t n = in->n_rows, cnt[JSPILL_PARTS] = {0}, pos[JSPILL_PARTS];
    for (uint32_t i = 0; i < n; i++)
        cnt[part_of(l->hash[i])]++;
    for (uint32_t p = 0, o = 0; p < JSPILL_PARTS; o += cnt[p], p++)
        pos[p] = o;
    for (uint32_t i = 0; i < n; i++)
        l->sel[pos[part_of(l->hash[i])]++] = i;
    for (uint32_t p = 0, o = 0; p < JSPILL_PARTS; o += cnt[p], p++) {
        if (!cnt[p])
            continue;
        if (!j->pparts[p] && !(j->pparts[p] = spill_open(x, err)))
            return err->kind;
        uint64_t before = spill_bytes(j->pparts[p]);
        if ((rc = spill_write(j->pparts[p], in, j->n_probe, l->sel + o, cnt[p], err)))
            return rc;
        atomic_fetch_add(&j->sp_bytes, spill_bytes(j->pparts[p]) - before);
    }
    return 0;
}

static int op_exec(PhysOp *op, ExecCtx *x, void *local, const Chunk *in, Chunk *out, bool *more, TarnError *err);
static int flush_unmatched(PhysOp *op, ExecCtx *x, void *local, Chunk *out, bool *more, TarnError *err);

/* After the probe side is spilled: join partition pairs one by one
 * (the probe pipeline runs on one thread then). */
static int spill_flush(HashJoin *j, ExecCtx *x, PLocal *l, Chunk *out, bool *more, TarnError *err)
{
    int rc;
    out->n_rows = 0;
    *more = false;
    for (;;) {
        if (x->cancel && atomic_load(x->cancel))
            return err_set_state(err, TARN_ERR_CANCELED, "57014", "canceling statement due to user request");
        if (l->sp_stage == 0) {
            unload_partition(j, x);
            if (l->sp_part >= JSPILL_PARTS)
                return 0;
            uint32_t p = l->sp_part++;
            if ((rc = load_partition(j, x, p, err)))
                return rc;
            l->flush_id = 0;
            l->sp_stage = 1;
            l->sp_has_in = false;
            if (j->pparts[p] && (rc = spill_rewind(j->pparts[p], err)))
                return rc;
        }
        if (l->sp_stage == 1) {
            SpillFile *f = j->pparts[l->sp_part - 1];
            if (!l->sp_has_in) {
                if (!f) {
                    l->sp_stage = 2;
                    continue;
                }
                if ((rc = spill_read(f, l->sp_vecs, l->sp_ptrs, j->n_probe, &l->sp_in, err)))
                    return rc;
                if (!l->sp_in.n_rows) {
                    spill_close(f);
                    j->pparts[l->sp_part - 1] = NULL;
                    l->sp_stage = 2;
                    continue;
                }
                l->sp_has_in = true;
            }
            bool m = false;
            if ((rc = op_exec(&j->op, x, l, &l->sp_in, out, &m, err)))
                return rc;
            if (!m)
                l->sp_has_in = false;
            if (out->n_rows) {
                *more = true;
                return 0;
            }
            continue;
        }
        /* stage 2: RIGHT / FULL rows of this partition's build side nobody matched */
        bool m = false;
        if ((rc = flush_unmatched(&j->op, x, l, out, &m, err)))
            return rc;
        if (!m)
            l->sp_stage = 0;
        if (out->n_rows) {
            *more = true;
            return 0;
        }
    }
}

static int op_exec(PhysOp *op, ExecCtx *x, void *local, const Chunk *in, Chunk *out, bool *more, TarnError *err)
{
    HashJoin *j = (HashJoin *)op;
    PLocal *l = local;
    int rc;
    out->n_rows = 0;
    if (j->spilled && !l->sp_flushing) {
        *more = false;
        return spill_probe(j, x, l, in, err);
    }
    if (!l->busy && (rc = start_chunk(j, l, in, err)))
        return rc;
    if (l->phase == 1) {
        rc = emit_leftovers(j, l, in, out, err);
        l->busy = false;
        *more = false;
        return rc;
    }
    bool first_only = (j->kind == JOIN_SEMI || j->kind == JOIN_ANTI) && !j->residual && !j->mark;
    bool mark_now = j->mark && !j->residual; /* mark matches in the loop, no pairs */
    uint32_t n = in->n_rows;
    if (j->n_rows == 0)
        l->next_row = n; /* empty build side: nothing matches */
    while (l->next_row < n) {
        uint32_t i = l->next_row;
        if (l->pnull[i] && !j->null_safe) {
            l->next_row++;
            continue;
        }
        uint64_t h = l->hash[i];
        uint32_t q = l->chain == END ? l->first[i] : l->chain, qe = j->heads[(h & j->mask) + 1];
        uint64_t tag = h >> 32;
        l->chain = END;
        bool full = false;
        for (; q < qe; q++) {
            uint64_t e = j->ents[q];
            uint32_t r = (uint32_t)e;
            if ((e >> 32) != tag || !keys_eq(j, l, i, r))
                continue;
            if (mark_now) {
                if (!__atomic_load_n(&j->matched[r], __ATOMIC_RELAXED))
                    __atomic_store_n(&j->matched[r], 1, __ATOMIC_RELAXED);
                continue;
            }
            if (first_only) {
                l->pmatched[i] = 1;
                break;
            }
            l->pi[l->np] = i;
            l->br[l->np] = r;
            if (++l->np == VEC_BATCH_ROWS) {
                l->chain = q + 1 < qe ? q + 1 : END;
                full = true;
                break;
            }
        }
        if (full) {
            if (l->chain == END)
                l->next_row++;
            rc = process_pairs(j, l, in, out, err);
            *more = true;
            return rc;
        }
        l->next_row++;
    }
    rc = process_pairs(j, l, in, out, err);
    if (rc)
        return rc;
    if (!j->mark && (j->kind == JOIN_LEFT || j->kind == JOIN_FULL || j->kind == JOIN_SEMI || j->kind == JOIN_ANTI)) {
        l->phase = 1;
        *more = true;
        return 0;
    }
    l->busy = false;
    *more = false;
    return 0;
}

/* RIGHT / FULL: build rows nobody matched, with NULL probe columns. */
static int flush_unmatched(PhysOp *op, ExecCtx *x, void *local, Chunk *out, bool *more, TarnError *err)
{
    (void)x;
    HashJoin *j = (HashJoin *)op;
    PLocal *l = local;
    out->n_rows = 0;
    *more = false;
    if (!j->matched)
        return 0;
    uint64_t n_ids = (uint64_t)j->build.n_chunks << COLL_SHIFT;
    uint32_t k = 0;
    while (l->flush_id < n_ids && k < VEC_BATCH_ROWS) {
        uint32_t id = l->flush_id++;
        const CollChunk *c = &j->build.chunks[coll_chunk_of(id)];
        if (coll_off_of(id) >= c->n_rows || j->matched[id])
            continue;
        l->br[k++] = id;
    }
    if (k == 0)
        return 0;
    for (uint32_t c = 0; c < j->n_probe; c++)
        if (set_all_null(&l->outv[c], k))
            return ERR_NOMEM(err, k);
    for (uint32_t c = 0; c < j->n_build; c++)
        if (coll_gather(&j->build, c, l->br, k, &l->outv[j->n_probe + c]))
            return ERR_NOMEM(err, k);
    out->n_rows = k;
    out->n_cols = op->n_out;
    out->cols = l->outp;
    *more = l->flush_id < n_ids;
    return 0;
}

static int op_flush(PhysOp *op, ExecCtx *x, void *local, Chunk *out, bool *more, TarnError *err)
{
    HashJoin *j = (HashJoin *)op;
    PLocal *l = local;
    if (j->mark) { /* the output operator emits the marked rows */
        out->n_rows = 0;
        *more = false;
        return 0;
    }
    if (!j->spilled) {
        /* the probe runs on every thread: the last one to finish emits
         * the build rows nobody matched (every mark is in by then) */
        if (!l->flush_turn)
            l->flush_turn = atomic_fetch_add_explicit(&op->run_flushed, 1, memory_order_acq_rel) + 1 >=
                                    op->run_threads
                                ? 1
                                : -1;
        if (l->flush_turn < 0) {
            out->n_rows = 0;
            *more = false;
            return 0;
        }
        return flush_unmatched(op, x, local, out, more, err);
    }
    if (!l->sp_vecs) {
        l->sp_vecs = tarn_calloc(j->n_probe + 1, sizeof(Vector));
        l->sp_ptrs = tarn_calloc(j->n_probe + 1, sizeof(Vector *));
        if (!l->sp_vecs || !l->sp_ptrs)
            return ERR_NOMEM(err, j->n_probe);
        for (uint32_t c = 0; c < j->n_probe; c++)
            vec_init(&l->sp_vecs[c], &j->op.children[0]->out_types[c]);
    }
    l->sp_flushing = true;
    int rc = spill_flush(j, x, l, out, more, err);
    l->sp_flushing = false;
    return rc;
}

static void destroy(PhysOp *op)
{
    HashJoin *j = (HashJoin *)op;
    for (uint32_t k = 0; k < j->nk; k++)
        if (j->jf[k])
            join_filter_reset(j->jf[k]);
    for (uint32_t p = 0; p < JSPILL_PARTS; p++) {
        list_free(&j->bparts[p]);
        spill_close(j->pparts[p]);
        j->pparts[p] = NULL;
    }
    free_build(j);
}

static const char *kind_name(JoinKind k)
{
    switch (k) {
    case JOIN_LEFT: return "Left";
    case JOIN_RIGHT: return "Right";
    case JOIN_FULL: return "Full";
    case JOIN_SEMI: return "Semi";
    case JOIN_ANTI: return "Anti";
    default: return "Inner";
    }
}

static void explain(PhysOp *op, Buf *out)
{
    HashJoin *j = (HashJoin *)op;
    buf_printf(out, " (%s%s%s%s): ", kind_name(j->kind), j->null_aware ? ", null-aware" : "",
               j->null_safe ? ", NULLs equal" : "", j->mark ? ", marking build rows" : "");
    for (uint32_t k = 0; k < j->nk; k++) {
        if (k)
            buf_printf(out, " AND ");
        expr_to_text(j->pk[k], out);
        buf_printf(out, " = ");
        expr_to_text(j->bk[k], out);
    }
    if (j->residual) {
        buf_printf(out, " AND ");
        expr_to_text(j->residual, out);
    }
    if (j->spilled || atomic_load(&j->sp_bytes))
        buf_printf(out, " (spilled: %d partitions, %llu kB)", JSPILL_PARTS,
                   (unsigned long long)((atomic_load(&j->sp_bytes) + 1023) / 1024));
}

/* Probe columns pass through every kind (a probe row removed below only
 * removes output rows carrying its value, or turns build rows of
 * RIGHT / FULL unmatched, with NULL there); build columns of INNER joins
 * likewise.  The filter's own join runs its build first (pipeline.c), so
 * the filter is ready before this join's pipelines run. */
static bool push_join_filter(PhysOp *op, uint32_t col, JoinFilter *f, Arena *a)
{
    HashJoin *j = (HashJoin *)op;
    if (col < j->n_probe)
        return join_filter_push(op->children[0], col, f, a);
    if (j->kind == JOIN_INNER && col - j->n_probe < j->n_build)
        return join_filter_push(op->children[1], col - j->n_probe, f, a);
    return false;
}

/* Hands a filter for every plain-column probe key down the probe side. */
static void make_filters(HashJoin *j, Arena *a)
{
    for (uint32_t k = 0; k < j->nk; k++) {
        JoinFilter *f;
        if (j->jf[k] || j->pk[k]->kind != EX_COLREF || !(f = arena_calloc(a, sizeof *f)))
            continue;
        if (join_filter_push(j->op.children[0], j->pk[k]->u.col.idx, f, a))
            j->jf[k] = f;
    }
}

static const PhysOpVT vt = {
    .name = "Hash Join",
    .push_join_filter = push_join_filter,
    .sink_init = sink_init,
    .sink_local_init = sink_local_init,
    .sink = sink,
    .sink_combine = sink_combine,
    .sink_finalize = sink_finalize,
    .sink_local_free = blocal_free,
    .op_local_init = op_local_init,
    .op_exec = op_exec,
    .op_flush = op_flush,
    .op_local_free = plocal_free,
    .destroy = destroy,
    .explain = explain,
};

PhysOp *op_hash_join_new(Arena *a, PhysOp *probe, PhysOp *build, JoinKind kind, Expr **probe_keys, Expr **build_keys,
                         uint32_t n_keys, Expr *residual, bool null_aware, bool null_safe, TarnError *err)
{
    HashJoin *j = arena_calloc(a, sizeof *j);
    bool left_only = kind == JOIN_SEMI || kind == JOIN_ANTI;
    uint32_t n_out = probe->n_out + (left_only ? 0 : build->n_out);
    LogicalType *types = arena_alloc(a, (n_out + 1) * sizeof(LogicalType));
    if (!j || !types || !(j->coll_types = arena_alloc(a, (build->n_out + n_keys + 1) * sizeof(LogicalType))) ||
        !(j->key_w = arena_alloc(a, (n_keys + 1) * sizeof(uint32_t))) ||
        !(j->key_str = arena_alloc(a, (n_keys + 1) * sizeof(bool)))) {
        ERR_NOMEM(err, sizeof *j);
        return NULL;
    }
    j->kind = kind;
    j->pk = probe_keys;
    j->bk = build_keys;
    j->nk = n_keys;
    j->residual = residual;
    j->null_aware = null_aware;
    j->null_safe = null_safe;
    j->n_probe = probe->n_out;
    j->n_build = build->n_out;
    for (uint32_t c = 0; c < probe->n_out; c++)
        types[c] = probe->out_types[c];
    for (uint32_t c = 0; c < build->n_out; c++) {
        j->coll_types[c] = build->out_types[c];
        if (!left_only)
            types[probe->n_out + c] = build->out_types[c];
    }
    for (uint32_t k = 0; k < n_keys; k++) {
        j->coll_types[build->n_out + k] = build_keys[k]->type;
        j->key_w[k] = (uint32_t)type_width(&build_keys[k]->type);
        j->key_str[k] = type_is_string_like(build_keys[k]->type.id);
        if (type_is_nested(build_keys[k]->type.id)) {
            err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "joining on nested values is not supported yet");
            return NULL;
        }
    }
    for (uint32_t c = 0; c < probe->n_out + build->n_out && !j->nospill_type; c++) {
        const LogicalType *t = c < probe->n_out ? &probe->out_types[c] : &build->out_types[c - probe->n_out];
        if (!spill_type_ok(t)) {
            char tn[64];
            j->nospill_type = arena_strdup(a, sqltype_name(t, tn, sizeof tn));
        }
    }
    physop_init(&j->op, &vt, ROLE_JOIN, n_out, types);
    j->op.n_children = 2;
    j->op.children[0] = probe;
    j->op.children[1] = build;
    /* dynamic join filters: kinds that drop probe rows without a match */
    if (!(j->jf = arena_calloc(a, (n_keys + 1) * sizeof(JoinFilter *)))) {
        ERR_NOMEM(err, n_keys);
        return NULL;
    }
    if ((kind == JOIN_INNER || kind == JOIN_SEMI) && !null_safe)
        make_filters(j, a);
    double pe = probe->est_rows, be = build->est_rows;
    j->op.est_rows = pe < 0 || be < 0 ? -1 : (left_only ? pe * 0.5 : (pe > be ? pe : be));
    return &j->op;
}

/* ---- SEMI / ANTI built on the preserved side --------------------------------------------------------- */

/* The output operator of a mark join: a breaker over the HashJoin (whose
 * probe pipeline only marks build rows and emits nothing); once every
 * probe thread is done (its finalize), it hands out the build chunks and
 * emits the rows that were marked (SEMI) or not (ANTI). */
typedef struct MarkOut {
    PhysOp op;
    HashJoin *j;
    atomic_uint next_chunk;
} MarkOut;

typedef struct MLocal {
    uint32_t *sel;
    Vector *outv;
    Vector **outp;
} MLocal;

static int mark_sink(PhysOp *op, ExecCtx *x, void *local, const Chunk *in, bool *done, TarnError *err)
{
    (void)op; (void)x; (void)local; (void)in; (void)done;
    return ERR_INTERNAL(err, "rows reached the output of a mark join");
}

static int mark_src_init(PhysOp *op, ExecCtx *x, TarnError *err)
{
    (void)x; (void)err;
    atomic_store(&((MarkOut *)op)->next_chunk, 0);
    return 0;
}

static uint32_t mark_parallelism(PhysOp *op)
{
    MarkOut *m = (MarkOut *)op;
    return m->j->coll_ok && m->j->build.n_chunks ? m->j->build.n_chunks : 1;
}

static void mark_local_free(PhysOp *op, void *local)
{
    MLocal *l = local;
    if (l->outv)
        for (uint32_t c = 0; c < op->n_out; c++)
            vec_destroy(&l->outv[c]);
    tarn_free(l->outv);
    tarn_free(l->outp);
    tarn_free(l->sel);
    tarn_free(l);
}

static int mark_local_init(PhysOp *op, ExecCtx *x, void **local, TarnError *err)
{
    (void)x;
    MLocal *l = tarn_calloc(1, sizeof *l);
    if (!l)
        return ERR_NOMEM(err, sizeof *l);
    l->sel = tarn_malloc(COLL_CHUNK_ROWS * sizeof(uint32_t));
    l->outv = tarn_calloc(op->n_out + 1, sizeof(Vector));
    l->outp = tarn_calloc(op->n_out + 1, sizeof(Vector *));
    if (!l->sel || !l->outv || !l->outp) {
        mark_local_free(op, l);
        return ERR_NOMEM(err, 0);
    }
    for (uint32_t c = 0; c < op->n_out; c++) {
        vec_init(&l->outv[c], &op->out_types[c]);
        l->outp[c] = &l->outv[c];
    }
    *local = l;
    return 0;
}

static int mark_next(PhysOp *op, ExecCtx *x, void *local, Chunk *out, TarnError *err)
{
    (void)x;
    MarkOut *m = (MarkOut *)op;
    HashJoin *j = m->j;
    MLocal *l = local;
    uint8_t want = j->kind == JOIN_SEMI;
    out->n_rows = 0;
    if (!j->coll_ok || !j->matched)
        return 0;
    for (;;) {
        uint32_t ci = atomic_fetch_add(&m->next_chunk, 1);
        if (ci >= j->build.n_chunks)
            return 0;
        const CollChunk *k = &j->build.chunks[ci];
        const uint8_t *mk = j->matched + ((uint64_t)ci << COLL_SHIFT);
        uint32_t n = 0;
        for (uint32_t r = 0; r < k->n_rows; r++) {
            l->sel[n] = r;
            n += mk[r] == want;
        }
        if (!n)
            continue;
        for (uint32_t c = 0; c < op->n_out; c++) {
            Vector src = k->cols[c];
            src.len = k->n_rows;
            if (vec_gather(&l->outv[c], &src, l->sel, n))
                return ERR_NOMEM(err, n);
        }
        out->n_rows = n;
        out->n_cols = op->n_out;
        out->cols = l->outp;
        return 0;
    }
}

static void mark_explain(PhysOp *op, Buf *out)
{
    MarkOut *m = (MarkOut *)op;
    buf_printf(out, " (%s): build rows %s a match", kind_name(m->j->kind),
               m->j->kind == JOIN_SEMI ? "with" : "without");
}

static const PhysOpVT mark_vt = {
    .name = "Hash Join Result",
    .sink = mark_sink,
    .src_init = mark_src_init,
    .src_parallelism = mark_parallelism,
    .src_local_init = mark_local_init,
    .src_next = mark_next,
    .src_local_free = mark_local_free,
    .explain = mark_explain,
};

PhysOp *op_hash_join_mark_new(Arena *a, PhysOp *stream, PhysOp *preserved, JoinKind kind, Expr **stream_keys,
                              Expr **preserved_keys, uint32_t n_keys, Expr *residual, TarnError *err)
{
    if (kind != JOIN_SEMI && kind != JOIN_ANTI)
        return ERR_INTERNAL(err, "mark join of another kind than SEMI / ANTI"), NULL;
    PhysOp *jo = op_hash_join_new(a, stream, preserved, kind, stream_keys, preserved_keys, n_keys, residual, false,
                                  false, err);
    MarkOut *m = jo ? arena_calloc(a, sizeof *m) : NULL;
    if (!m) {
        if (jo)
            ERR_NOMEM(err, sizeof *m);
        return NULL;
    }
    HashJoin *j = (HashJoin *)jo;
    j->mark = true;
    make_filters(j, a); /* a stream row without a match marks nothing, ANTI included */
    m->j = j;
    physop_init(&m->op, &mark_vt, ROLE_BREAKER, preserved->n_out, preserved->out_types);
    m->op.out_names = preserved->out_names;
    m->op.n_children = 1;
    m->op.children[0] = jo;
    m->op.est_rows = preserved->est_rows >= 0 ? preserved->est_rows * 0.5 : -1;
    return &m->op;
}
