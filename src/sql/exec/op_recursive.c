/*
 * op_recursive.c - WITH RECURSIVE (PostgreSQL's RecursiveUnion) and the
 * scan of its working table.
 *
 * The operator is a source that evaluates the recursion lazily, as
 * PostgreSQL's RecursiveUnion does, so a consumer that stops early (LIMIT,
 * EXISTS) ends a recursion that would not end by itself:
 *
 *   work := non-recursive term            (src_init; UNION: without duplicates)
 *   loop (src_next):
 *       hand out the chunks of `work`
 *       if work is empty: done
 *       new  := recursive term, reading `work` through LOP_WORKTABLE
 *       UNION: drop rows of new already produced (or twice in new)
 *       work := new
 *
 * Iterations run inside src_next, so the operator's pipeline runs on one
 * thread (max_threads 1): nothing else of the statement runs while a term
 * does.
 * Each term is planned physically from its logical plan and run as a plan
 * of its own (exec_run_logical, op_apply.c) for every iteration, so
 * all operators start from fresh state; the worktable scan of that plan
 * reads the WorkTable hung on the logical LOP_RECURSIVE by physical
 * planning.  Init plans of a term get their own parameter slots (the
 * ExecCtx's params are swapped while the term runs: nothing else runs
 * then).  Every iteration checks cancellation (57014) and charges the rows
 * it keeps to the query's memory budget (53200 beyond memory_limit).
 * There is no iteration limit, as in PostgreSQL.
 *
 * UNION ALL keeps only the current and the next working table (their
 * bytes charged while they live); UNION also keeps every row produced
 * (`all`, charged until the end) for its duplicate check, a hash set over
 * row ids of `all` (rows appended densely, so row r is chunk r >> 11,
 * offset r & 2047); keys compare NULL-equal, byte-wise (strings by
 * content).
 */
#include <string.h>

#include "sql/exec/ops.h"
#include "sql/exec/spill.h"

typedef struct WorkTable {
    Collection *cur;            /* rows of the previous iteration (borrowed) */
} WorkTable;

typedef struct Recursive {
    PhysOp op;
    LogicalOp *lop;             /* LOP_RECURSIVE */
    const SqlSettings *settings;
    WorkTable *wt;
    Collection all;             /* UNION: every row produced, dense */
    Collection work, next;      /* the working table being handed out, the next one */
    uint32_t emit_chunk;        /* next chunk of `work` to hand out */
    bool built;
    ExecCtx *x;                 /* for releasing the memory charge */
    int64_t charged;            /* total charge: all + work + next */
    int64_t work_bytes, next_bytes; /* UNION ALL: the parts of it for work / next */
    /* UNION: hash set of row ids (+1; 0 = empty) of `all` */
    uint32_t *slots;
    uint64_t n_slots, n_used;
    uint64_t iterations;
} Recursive;

/* ---- the duplicate check ------------------------------------------------------------ */

static bool rows_equal(const Collection *c, uint32_t row, const Chunk *in, uint32_t i)
{
    const CollChunk *k = &c->chunks[coll_chunk_of(row)];
    uint32_t o = coll_off_of(row);
    for (uint32_t col = 0; col < c->n_cols; col++)
        if (!vec_rows_not_distinct(&k->cols[col], o, in->cols[col], i))
            return false;
    return true;
}

static bool rows_equal_pending(const Chunk *in, uint32_t a, uint32_t b)
{
    for (uint32_t col = 0; col < in->n_cols; col++)
        if (!vec_rows_not_distinct(in->cols[col], a, in->cols[col], b))
            return false;
    return true;
}

static int set_grow(Recursive *r, uint64_t nn, TarnError *err)
{
    uint32_t *ns = tarn_calloc(nn, sizeof(uint32_t));
    if (!ns)
        return ERR_NOMEM(err, nn * sizeof(uint32_t));
    /* rehash every row of `all` (chunk by chunk, vectorized hashing) */
    uint64_t *h = tarn_malloc(COLL_CHUNK_ROWS * sizeof(uint64_t));
    if (!h) {
        tarn_free(ns);
        return ERR_NOMEM(err, 0);
    }
    for (uint32_t ci = 0; ci < r->all.n_chunks; ci++) {
        const CollChunk *k = &r->all.chunks[ci];
        for (uint32_t col = 0; col < r->all.n_cols; col++)
            vec_hash(&k->cols[col], k->n_rows, h, col == 0);
        for (uint32_t i = 0; i < k->n_rows; i++) {
            uint64_t s = h[i] & (nn - 1);
            while (ns[s])
                s = (s + 1) & (nn - 1);
            ns[s] = ci * COLL_CHUNK_ROWS + i + 1;
        }
    }
    tarn_free(h);
    tarn_free(r->slots);
    r->slots = ns;
    r->n_slots = nn;
    return 0;
}

/* Appends the rows of `in` not yet in the result (all of them for UNION
 * ALL) to the result and to *next. */
static int add_rows(Recursive *r, const Chunk *in, Collection *next, uint64_t *hbuf, uint32_t *sel, TarnError *err)
{
    uint32_t n = in->n_rows, ns = 0;
    if (n == 0)
        return 0;
    if (r->lop->u.rec.union_all) {
        ns = n;
        sel = NULL;
    } else {
        if ((r->n_used + n) * 2 > r->n_slots) {
            uint64_t want = r->n_slots ? r->n_slots : 4096;
            while ((r->n_used + n) * 2 > want)
                want *= 2;
            if (want > r->n_slots && set_grow(r, want, err))
                return err->kind;
        }
        for (uint32_t col = 0; col < in->n_cols; col++)
            vec_hash(in->cols[col], n, hbuf, col == 0);
        uint64_t base = r->all.n_rows, mask = r->n_slots - 1;
        for (uint32_t i = 0; i < n; i++) {
            uint64_t s = hbuf[i] & mask;
            bool dup = false;
            while (r->slots[s]) {
                uint32_t id = r->slots[s] - 1;
                if (id < base ? rows_equal(&r->all, id, in, i) : rows_equal_pending(in, sel[id - base], i)) {
                    dup = true;
                    break;
                }
                s = (s + 1) & mask;
            }
            if (dup)
                continue;
            r->slots[s] = (uint32_t)(base + ns) + 1;
            r->n_used++;
            sel[ns++] = i;
        }
    }
    if (ns == 0)
        return 0;
    bool keep_all = !r->lop->u.rec.union_all;
    if (keep_all && r->all.n_rows + ns > UINT32_MAX - 1)
        return err_set_state(err, TARN_ERR_UNSUPPORTED, "54000", "recursive query result has too many rows");
    if ((keep_all && coll_append(&r->all, in, sel, ns, err)) || coll_append(next, in, sel, ns, err))
        return err->kind;
    /* memory: the bytes of the rows kept (UNION: in the result; UNION ALL:
     * in the next working table, released when it is handed out) */
    int64_t bytes = 0;
    for (uint32_t c = 0; c < in->n_cols; c++) {
        bytes += (int64_t)type_width(in->cols[c]->type) * ns;
        if (type_is_string_like(in->cols[c]->type->id))
            for (uint32_t k = 0; k < ns; k++) {
                uint32_t i = sel ? sel[k] : k;
                if (vec_is_valid(in->cols[c], i))
                    bytes += ((const StrView *)in->cols[c]->data)[i].len;
            }
    }
    if (!exec_mem_try(r->x, bytes, r->x->mem_budget))
        return exec_mem_error(r->x, "WITH RECURSIVE", err);
    r->charged += bytes;
    if (!keep_all)
        r->next_bytes += bytes;
    return 0;
}

/* ---- running a term ------------------------------------------------------------------ */

typedef struct TermRun {
    Recursive *r;
    Collection *next;
    uint64_t *h;
    uint32_t *sel;
} TermRun;

static int on_rows(void *arg, const Chunk *in, TarnError *err)
{
    TermRun *t = arg;
    return add_rows(t->r, in, t->next, t->h, t->sel, err);
}

/* Plans `term` afresh, runs it, and feeds its rows to add_rows. */
static int run_term(Recursive *r, LogicalOp *term, ExecCtx *x, Collection *next, TarnError *err)
{
    TermRun t = {r, next, tarn_malloc(COLL_CHUNK_ROWS * sizeof(uint64_t)), tarn_malloc(COLL_CHUNK_ROWS * sizeof(uint32_t))};
    int rc = !t.h || !t.sel ? ERR_NOMEM(err, 0) : exec_run_logical(term, r->settings, x, -1, on_rows, &t, err);
    tarn_free(t.h);
    tarn_free(t.sel);
    return rc;
}

static int src_init(PhysOp *op, ExecCtx *x, TarnError *err)
{
    Recursive *r = (Recursive *)op;
    if (r->built)
        return 0;
    r->built = true;
    r->x = x;
    r->emit_chunk = 0;
    coll_init(&r->all, op->n_out, op->out_types);
    coll_init(&r->work, op->n_out, op->out_types);
    coll_init(&r->next, op->n_out, op->out_types);
    int rc = run_term(r, r->lop->children[0], x, &r->next, err);
    r->work = r->next;
    r->work_bytes = r->next_bytes;
    r->next_bytes = 0;
    coll_init(&r->next, op->n_out, op->out_types);
    return rc;
}

/* One more iteration: the recursive term over `work` makes the next working table. */
static int iterate(Recursive *r, ExecCtx *x, TarnError *err)
{
    PhysOp *op = &r->op;
    if (x->cancel && atomic_load(x->cancel))
        return err_set_state(err, TARN_ERR_CANCELED, "57014", "canceling statement due to user request");
    r->iterations++;
    r->wt->cur = &r->work;
    int rc = run_term(r, r->lop->children[1], x, &r->next, err);
    r->wt->cur = NULL;
    coll_free(&r->work);
    if (r->work_bytes) {
        exec_mem_release(x, r->work_bytes);
        r->charged -= r->work_bytes;
    }
    r->work = r->next;
    r->work_bytes = r->next_bytes;
    r->next_bytes = 0;
    r->emit_chunk = 0;
    coll_init(&r->next, op->n_out, op->out_types);
    return rc;
}

/* Hands out the chunks of `work`, iterating when they are all out (one
 * thread: the consumer has finished with a chunk when it asks for the next). */
static int src_next(PhysOp *op, ExecCtx *x, void *local, Chunk *out, TarnError *err)
{
    Recursive *r = (Recursive *)op;
    Vector **ptrs = local;
    out->n_rows = 0;
    out->n_cols = op->n_out;
    out->cols = ptrs;
    for (;;) {
        while (r->emit_chunk < r->work.n_chunks) {
            const CollChunk *k = &r->work.chunks[r->emit_chunk++];
            if (k->n_rows == 0)
                continue;
            for (uint32_t col = 0; col < op->n_out; col++)
                ptrs[col] = &k->cols[col];
            out->n_rows = k->n_rows;
            return 0;
        }
        if (r->work.n_rows == 0)
            return 0;
        int rc = iterate(r, x, err);
        if (rc)
            return rc;
    }
}

static uint32_t src_parallelism(PhysOp *op)
{
    (void)op;
    return 1;
}

static void destroy(PhysOp *op)
{
    Recursive *r = (Recursive *)op;
    if (r->built) {
        coll_free(&r->all);
        coll_free(&r->work);
        coll_free(&r->next);
    }
    tarn_free(r->slots);
    r->slots = NULL;
    if (r->charged && r->x)
        exec_mem_release(r->x, r->charged);
    r->charged = r->work_bytes = r->next_bytes = 0;
    r->built = false;
}

static void explain(PhysOp *op, Buf *out)
{
    Recursive *r = (Recursive *)op;
    buf_printf(out, " (%s", r->lop->u.rec.union_all ? "UNION ALL" : "UNION");
    if (r->built)
        buf_printf(out, ", %llu iterations", (unsigned long long)r->iterations);
    buf_printf(out, ")");
}

static const PhysOpVT vt = {
    .name = "Recursive Union",
    .src_init = src_init,
    .src_parallelism = src_parallelism,
    .src_local_init = op_ptrs_local_init,
    .src_next = src_next,
    .src_local_free = op_local_free,
    .destroy = destroy,
    .explain = explain,
};

PhysOp *op_recursive_new(Arena *a, LogicalOp *rec, const SqlSettings *settings, TarnError *err)
{
    Recursive *r = arena_calloc(a, sizeof *r);
    WorkTable *wt = arena_calloc(a, sizeof *wt);
    if (!r || !wt) {
        ERR_NOMEM(err, sizeof *r);
        return NULL;
    }
    r->lop = rec;
    r->settings = settings;
    r->wt = wt;
    rec->u.rec.work = wt;
    physop_init(&r->op, &vt, ROLE_SOURCE, rec->n_out, rec->out_types);
    r->op.out_names = rec->out_names;
    r->op.est_rows = rec->est_rows;
    r->op.max_threads = 1; /* iterations run inside src_next */
    return &r->op;
}

/* ---- the working table scan ------------------------------------------------------------ */

typedef struct WorkScan {
    PhysOp op;
    WorkTable *wt;
    bool started;
    atomic_uint next_chunk;
} WorkScan;

static int ws_init(PhysOp *op, ExecCtx *x, TarnError *err)
{
    (void)x;
    WorkScan *w = (WorkScan *)op;
    if (!w->wt->cur)
        return ERR_INTERNAL(err, "working table read outside its recursive union");
    if (!w->started)
        atomic_init(&w->next_chunk, 0);
    w->started = true;
    return 0;
}

static int ws_next(PhysOp *op, ExecCtx *x, void *local, Chunk *out, TarnError *err)
{
    (void)x; (void)err;
    WorkScan *w = (WorkScan *)op;
    const Collection *c = w->wt->cur;
    coll_emit_next(c, c ? c->n_cols : 0, &w->next_chunk, local, out);
    return 0;
}

static uint32_t ws_parallelism(PhysOp *op)
{
    WorkScan *w = (WorkScan *)op;
    return w->wt->cur && w->wt->cur->n_chunks ? w->wt->cur->n_chunks : 1;
}

static const PhysOpVT vt_ws = {
    .name = "WorkTable Scan",
    .src_init = ws_init,
    .src_parallelism = ws_parallelism,
    .src_local_init = op_ptrs_local_init,
    .src_next = ws_next,
    .src_local_free = op_local_free,
};

PhysOp *op_worktable_new(Arena *a, LogicalOp *work, TarnError *err)
{
    LogicalOp *rec = work->u.work.rec;
    if (!rec->u.rec.work) {
        ERR_INTERNAL(err, "working table planned outside its recursive union");
        return NULL;
    }
    WorkScan *w = arena_calloc(a, sizeof *w);
    if (!w) {
        ERR_NOMEM(err, sizeof *w);
        return NULL;
    }
    w->wt = rec->u.rec.work;
    physop_init(&w->op, &vt_ws, ROLE_SOURCE, work->n_out, work->out_types);
    w->op.out_names = work->out_names;
    w->op.est_rows = -1;
    return &w->op;
}
