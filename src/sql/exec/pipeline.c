/*
 * pipeline.c - cutting a physical plan into pipelines and running them on
 * the pool (see exec.h for the model).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sql/exec/exec.h"
#include "sql/exec/ops.h"

void physop_init(PhysOp *op, const PhysOpVT *vt, PhysRole role, uint32_t n_out, const LogicalType *out_types)
{
    op->vt = vt;
    op->role = role;
    op->n_out = n_out;
    op->out_types = (LogicalType *)out_types;
    pthread_mutex_init(&op->mu, NULL);
    atomic_init(&op->rows_out, 0);
    atomic_init(&op->nanos, 0);
}

typedef struct Pipeline Pipeline;
struct Pipeline {
    PhysOp *source;
    PhysOp *ops[64];            /* source side first */
    uint32_t n_ops;
    PhysOp *sink;
    Pipeline *deps[64];
    uint32_t n_deps;
    bool done;
    Pipeline *next_all;         /* every pipeline, for freeing */
};

typedef struct Builder {
    Arena *a;
    Pipeline *all;
    TarnError *err;
} Builder;

static Pipeline *pipe_new(Builder *b, PhysOp *sink)
{
    Pipeline *p = arena_calloc(b->a, sizeof *p);
    if (!p)
        return NULL;
    p->sink = sink;
    p->next_all = b->all;
    b->all = p;
    if (sink)
        sink->feeders++;
    return p;
}

static int add_op(Builder *b, Pipeline *p, PhysOp *op)
{
    if (p->n_ops >= 64)
        return err_set(b->err, TARN_ERR_UNSUPPORTED, "query too complex (more than 64 operators in a pipeline)");
    /* built top-down: shift right, insert at the source end */
    memmove(p->ops + 1, p->ops, p->n_ops * sizeof(PhysOp *));
    p->ops[0] = op;
    p->n_ops++;
    return 0;
}

static int add_dep(Builder *b, Pipeline *p, Pipeline *d)
{
    if (p->n_deps >= 64)
        return err_set(b->err, TARN_ERR_UNSUPPORTED, "query too complex (more than 64 dependencies)");
    p->deps[p->n_deps++] = d;
    return 0;
}

static int build(Builder *b, PhysOp *op, Pipeline *cur)
{
    int rc;
    switch (op->role) {
    case ROLE_SOURCE:
        cur->source = op;
        return 0;
    case ROLE_STREAM:
        if ((rc = add_op(b, cur, op)))
            return rc;
        return build(b, op->children[0], cur);
    case ROLE_BREAKER: {
        cur->source = op;
        Pipeline *p = pipe_new(b, op);
        if (!p)
            return ERR_NOMEM(b->err, sizeof *p);
        if ((rc = add_dep(b, cur, p)))
            return rc;
        return build(b, op->children[0], p);
    }
    case ROLE_JOIN: {
        if ((rc = add_op(b, cur, op)))
            return rc;
        Pipeline *p = pipe_new(b, op);
        if (!p)
            return ERR_NOMEM(b->err, sizeof *p);
        if ((rc = add_dep(b, cur, p)) || (rc = build(b, op->children[1], p)))
            return rc;
        return build(b, op->children[0], cur);
    }
    case ROLE_UNION: {
        /* every child but the first continues into a copy of cur */
        for (uint32_t i = 1; i < op->n_union; i++) {
            Pipeline *c = pipe_new(b, cur->sink);
            if (!c)
                return ERR_NOMEM(b->err, sizeof *c);
            memcpy(c->ops, cur->ops, cur->n_ops * sizeof(PhysOp *));
            c->n_ops = cur->n_ops;
            memcpy(c->deps, cur->deps, cur->n_deps * sizeof(Pipeline *));
            c->n_deps = cur->n_deps;
            if ((rc = build(b, op->union_children[i], c)))
                return rc;
            /* the copy runs as a dependency-free sibling: cur depends on it
             * so that it runs before cur finishes the sink */
            if ((rc = add_dep(b, cur, c)))
                return rc;
        }
        return build(b, op->union_children[0], cur);
    }
    }
    return ERR_INTERNAL(b->err, "unknown operator role");
}

/* ---- Running one pipeline ----------------------------------------------------------------- */

typedef struct Run {
    Pipeline *p;
    ExecCtx *x;
    pthread_mutex_t mu;
    TarnError err;              /* first error */
    atomic_int failed;
    atomic_int stop;            /* sink is satisfied */
} Run;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void run_fail(Run *r, const TarnError *e)
{
    pthread_mutex_lock(&r->mu);
    if (!atomic_load(&r->failed)) {
        r->err = *e;
        atomic_store(&r->failed, 1);
    }
    pthread_mutex_unlock(&r->mu);
}

/* Pushes a chunk through ops[i..] into the sink. */
static int push(Run *r, void **locals, void *sink_local, uint32_t i, const Chunk *in, TarnError *err)
{
    Pipeline *p = r->p;
    ExecCtx *x = r->x;
    if (in->n_rows == 0)
        return 0;
    if (i == p->n_ops) {
        bool done = false;
        uint64_t t0 = x->analyze ? now_ns() : 0;
        int rc = p->sink->vt->sink(p->sink, x, sink_local, in, &done, err);
        if (x->analyze)
            atomic_fetch_add(&p->sink->nanos, now_ns() - t0);
        if (done)
            atomic_store(&r->stop, 1);
        return rc;
    }
    PhysOp *op = p->ops[i];
    bool more;
    do {
        Chunk out = {0, 0, NULL};
        more = false;
        uint64_t t0 = x->analyze ? now_ns() : 0;
        int rc = op->vt->op_exec(op, x, locals[i], in, &out, &more, err);
        if (x->analyze)
            atomic_fetch_add(&op->nanos, now_ns() - t0);
        if (rc)
            return rc;
        atomic_fetch_add(&op->rows_out, out.n_rows);
        if (out.n_rows && (rc = push(r, locals, sink_local, i + 1, &out, err)))
            return rc;
    } while (more && !atomic_load(&r->stop));
    return 0;
}

static void run_task(void *arg, uint32_t idx)
{
    (void)idx;
    Run *r = arg;
    Pipeline *p = r->p;
    ExecCtx *x = r->x;
    TarnError err;
    memset(&err, 0, sizeof err);
    void *src_local = NULL, *sink_local = NULL;
    void *locals[64] = {0};
    int rc = 0;
    uint32_t n_init = 0;
    if (atomic_load(&r->failed))
        return;
    if (p->source->vt->src_local_init && (rc = p->source->vt->src_local_init(p->source, x, &src_local, &err)))
        goto done;
    for (; n_init < p->n_ops; n_init++)
        if (p->ops[n_init]->vt->op_local_init &&
            (rc = p->ops[n_init]->vt->op_local_init(p->ops[n_init], x, &locals[n_init], &err)))
            goto done;
    if (p->sink->vt->sink_local_init && (rc = p->sink->vt->sink_local_init(p->sink, x, &sink_local, &err)))
        goto done;
    for (;;) {
        if (atomic_load(&r->failed) || atomic_load(&r->stop))
            break;
        if (x->cancel && atomic_load(x->cancel)) {
            rc = err_set_state(&err, TARN_ERR_CANCELED, "57014", "canceling statement due to user request");
            goto done;
        }
        Chunk c = {0, 0, NULL};
        uint64_t t0 = x->analyze ? now_ns() : 0;
        if ((rc = p->source->vt->src_next(p->source, x, src_local, &c, &err)))
            goto done;
        if (x->analyze)
            atomic_fetch_add(&p->source->nanos, now_ns() - t0);
        if (c.n_rows == 0)
            break;
        atomic_fetch_add(&p->source->rows_out, c.n_rows);
        if ((rc = push(r, locals, sink_local, 0, &c, &err)))
            goto done;
    }
    /* flush operators that hold rows back */
    for (uint32_t i = 0; i < p->n_ops && !atomic_load(&r->failed) && !atomic_load(&r->stop); i++) {
        PhysOp *op = p->ops[i];
        if (!op->vt->op_flush)
            continue;
        bool more;
        do {
            Chunk out = {0, 0, NULL};
            more = false;
            if ((rc = op->vt->op_flush(op, x, locals[i], &out, &more, &err)))
                goto done;
            atomic_fetch_add(&op->rows_out, out.n_rows);
            if (out.n_rows && (rc = push(r, locals, sink_local, i + 1, &out, &err)))
                goto done;
        } while (more);
    }
    if (!atomic_load(&r->failed) && p->sink->vt->sink_combine) {
        pthread_mutex_lock(&p->sink->mu);
        rc = p->sink->vt->sink_combine(p->sink, x, sink_local, &err);
        pthread_mutex_unlock(&p->sink->mu);
    }
done:
    if (rc)
        run_fail(r, &err);
    if (sink_local && p->sink->vt->sink_local_free)
        p->sink->vt->sink_local_free(p->sink, sink_local);
    for (uint32_t i = 0; i < n_init; i++)
        if (locals[i] && p->ops[i]->vt->op_local_free)
            p->ops[i]->vt->op_local_free(p->ops[i], locals[i]);
    if (src_local && p->source->vt->src_local_free)
        p->source->vt->src_local_free(p->source, src_local);
}

static int run_pipeline(Pipeline *p, ExecCtx *x, TarnError *err)
{
    if (p->done)
        return 0;
    for (uint32_t i = 0; i < p->n_deps; i++) {
        int rc = run_pipeline(p->deps[i], x, err);
        if (rc)
            return rc;
    }
    int rc;
    if (!p->sink->sink_ready) {
        if (p->sink->vt->sink_init && (rc = p->sink->vt->sink_init(p->sink, x, err)))
            return rc;
        p->sink->sink_ready = true;
    }
    if (p->source->vt->src_init && (rc = p->source->vt->src_init(p->source, x, err)))
        return rc;
    uint32_t threads = x->n_threads ? x->n_threads : 1;
    uint32_t par = p->source->vt->src_parallelism ? p->source->vt->src_parallelism(p->source) : 1;
    if (par < threads)
        threads = par;
    if (p->source->max_threads && p->source->max_threads < threads)
        threads = p->source->max_threads;
    for (uint32_t i = 0; i < p->n_ops; i++)
        if (p->ops[i]->max_threads && p->ops[i]->max_threads < threads)
            threads = p->ops[i]->max_threads;
    if (p->sink->max_threads && p->sink->max_threads < threads)
        threads = p->sink->max_threads;
    if (threads < 1)
        threads = 1;
    for (uint32_t i = 0; i < p->n_ops; i++) {
        p->ops[i]->run_threads = threads;
        atomic_store(&p->ops[i]->run_flushed, 0);
    }
    Run r;
    memset(&r, 0, sizeof r);
    r.p = p;
    r.x = x;
    pthread_mutex_init(&r.mu, NULL);
    atomic_init(&r.failed, 0);
    atomic_init(&r.stop, 0);
    pool_run(threads, run_task, &r);
    pthread_mutex_destroy(&r.mu);
    if (atomic_load(&r.failed)) {
        *err = r.err;
        return err->kind ? err->kind : TARN_ERR_INTERNAL;
    }
    p->done = true;
    if (--p->sink->feeders == 0 && !p->sink->finalized) {
        p->sink->finalized = true;
        if (p->sink->vt->sink_finalize && (rc = p->sink->vt->sink_finalize(p->sink, x, err)))
            return rc;
    }
    return 0;
}

static int run_plan(PhysOp *root, ExecCtx *x, TarnError *err)
{
    Arena a;
    arena_init(&a, 0);
    Builder b = {&a, NULL, err};
    int rc;
    Pipeline *top = pipe_new(&b, root);
    if (!top) {
        arena_free(&a);
        return ERR_NOMEM(err, sizeof *top);
    }
    /* root is a sink (result collector / writer): its child starts the pipeline */
    if (root->role != ROLE_BREAKER) {
        arena_free(&a);
        return ERR_INTERNAL(err, "plan root is not a sink");
    }
    top->sink = root;
    rc = build(&b, root->children[0], top);
    if (!rc)
        rc = run_pipeline(top, x, err);
    arena_free(&a);
    return rc;
}

int exec_run(PhysOp *root, InitPlan *inits, uint32_t n_inits, ExecCtx *x, TarnError *err)
{
    for (uint32_t i = 0; i < n_inits; i++) {
        InitPlan *ip = &inits[i];
        int rc = run_plan(ip->root, x, err);
        if (rc)
            return rc;
        if (ip->cte)
            continue;
        Value *v = &x->params[ip->slot];
        if ((rc = op_result_init_value(ip->root, ip->kind, x->arena, v, err)))
            return rc;
    }
    return run_plan(root, x, err);
}

void physop_destroy_tree(PhysOp *op)
{
    if (!op)
        return;
    for (uint32_t i = 0; i < op->n_children; i++)
        physop_destroy_tree(op->children[i]);
    for (uint32_t i = 0; i < op->n_union; i++)
        physop_destroy_tree(op->union_children[i]);
    if (op->vt->destroy)
        op->vt->destroy(op);
    pthread_mutex_destroy(&op->mu);
}

/* ---- EXPLAIN ------------------------------------------------------------------------------------- */

static void explain_op(PhysOp *op, int depth, bool analyze, Buf *out)
{
    for (int i = 0; i < depth; i++)
        buf_printf(out, "  ");
    if (depth)
        buf_printf(out, "->  ");
    buf_printf(out, "%s", op->vt->name);
    if (op->vt->explain)
        op->vt->explain(op, out);
    if (analyze) {
        /* PostgreSQL-like: the optimizer's estimate next to what happened */
        buf_printf(out, "  (");
        if (op->est_rows >= 0)
            buf_printf(out, "rows=%.0f ", op->est_rows);
        buf_printf(out, "actual rows=%llu time=%.3f ms)", (unsigned long long)atomic_load(&op->rows_out),
                   (double)atomic_load(&op->nanos) / 1e6);
    } else if (op->est_rows >= 0)
        buf_printf(out, "  (rows=%.0f)", op->est_rows);
    buf_append_byte(out, '\n');
    for (uint32_t i = 0; i < op->n_children; i++)
        explain_op(op->children[i], depth + 1, analyze, out);
    for (uint32_t i = 0; i < op->n_union; i++)
        explain_op(op->union_children[i], depth + 1, analyze, out);
}

int physop_explain(PhysOp *root, const InitPlan *inits, uint32_t n_inits, bool analyze, Buf *out)
{
    for (uint32_t i = 0, k = 0; i < n_inits; i++) {
        if (inits[i].cte)
            buf_printf(out, "CTE %s\n", inits[i].cte);
        else
            buf_printf(out, "InitPlan %u (returns $initplan%u)\n", ++k, inits[i].slot);
        explain_op(inits[i].root->children[0], 1, analyze, out);
    }
    explain_op(root, 0, analyze, out);
    return 0;
}
