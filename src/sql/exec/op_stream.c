/*
 * op_stream.c - the streaming result sink (see op_stream.h).  A ring of
 * collections under a mutex; producers wait on `space`, the consumer on
 * `ready`.  Chunks of one thread keep their order, so a single-threaded
 * source (a sort's output) streams in order.
 */
#include <pthread.h>
#include <string.h>

#include "sql/exec/op_stream.h"

typedef struct Stream {
    PhysOp op;
    pthread_mutex_t mu;
    pthread_cond_t ready, space;
    Collection *ring;           /* max items */
    uint32_t max, head, count;
    bool finished, stopped, inited;
    bool no_wait, overflow;     /* op_stream_set_no_wait */
} Stream;

static int sink_init(PhysOp *op, ExecCtx *x, TarnError *err)
{
    (void)x; (void)op; (void)err;
    return 0;
}

static int sink(PhysOp *op, ExecCtx *x, void *local, const Chunk *in, bool *done, TarnError *err)
{
    (void)x; (void)local;
    Stream *s = (Stream *)op;
    if (!in->n_rows)
        return 0;
    Collection c;
    coll_init(&c, op->n_out, op->out_types);
    int rc = coll_append(&c, in, NULL, in->n_rows, err);
    if (rc) {
        coll_free(&c);
        return rc;
    }
    pthread_mutex_lock(&s->mu);
    while (s->count == s->max && !s->stopped) {
        if (s->no_wait) {
            s->overflow = true;
            s->stopped = true;
            break;
        }
        pthread_cond_wait(&s->space, &s->mu);
    }
    if (s->stopped) {
        pthread_mutex_unlock(&s->mu);
        coll_free(&c);
        *done = true;
        return 0;
    }
    s->ring[(s->head + s->count) % s->max] = c;
    s->count++;
    pthread_cond_signal(&s->ready);
    pthread_mutex_unlock(&s->mu);
    return 0;
}

static void destroy(PhysOp *op)
{
    Stream *s = (Stream *)op;
    if (!s->inited)
        return;
    while (s->count) {
        coll_free(&s->ring[s->head]);
        s->head = (s->head + 1) % s->max;
        s->count--;
    }
    tarn_free(s->ring);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->ready);
    pthread_cond_destroy(&s->space);
    s->inited = false;
}

static const PhysOpVT vt = {
    .name = "Stream",
    .sink_init = sink_init,
    .sink = sink,
    .destroy = destroy,
};

PhysOp *op_stream_new(Arena *a, PhysOp *child, uint32_t max_items, TarnError *err)
{
    Stream *s = arena_calloc(a, sizeof *s);
    if (!s) {
        ERR_NOMEM(err, sizeof *s);
        return NULL;
    }
    s->max = max_items ? max_items : 1;
    s->ring = tarn_calloc(s->max, sizeof(Collection));
    if (!s->ring) {
        ERR_NOMEM(err, s->max);
        return NULL;
    }
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->ready, NULL);
    pthread_cond_init(&s->space, NULL);
    s->inited = true;
    physop_init(&s->op, &vt, ROLE_BREAKER, child->n_out, child->out_types);
    s->op.out_names = child->out_names;
    s->op.n_children = 1;
    s->op.children[0] = child;
    s->op.est_rows = child->est_rows;
    return &s->op;
}

int op_stream_pop(PhysOp *op, Collection *out)
{
    Stream *s = (Stream *)op;
    pthread_mutex_lock(&s->mu);
    while (!s->count && !s->finished)
        pthread_cond_wait(&s->ready, &s->mu);
    int got = 0;
    if (s->count) {
        *out = s->ring[s->head];
        s->head = (s->head + 1) % s->max;
        s->count--;
        got = 1;
        pthread_cond_signal(&s->space);
    }
    pthread_mutex_unlock(&s->mu);
    return got;
}

void op_stream_finish(PhysOp *op)
{
    Stream *s = (Stream *)op;
    pthread_mutex_lock(&s->mu);
    s->finished = true;
    pthread_cond_broadcast(&s->ready);
    pthread_mutex_unlock(&s->mu);
}

void op_stream_set_no_wait(PhysOp *op)
{
    ((Stream *)op)->no_wait = true;
}

bool op_stream_overflowed(PhysOp *op)
{
    Stream *s = (Stream *)op;
    pthread_mutex_lock(&s->mu);
    bool o = s->overflow;
    pthread_mutex_unlock(&s->mu);
    return o;
}

void op_stream_stop(PhysOp *op)
{
    Stream *s = (Stream *)op;
    pthread_mutex_lock(&s->mu);
    s->stopped = true;
    pthread_cond_broadcast(&s->space);
    pthread_mutex_unlock(&s->mu);
}
