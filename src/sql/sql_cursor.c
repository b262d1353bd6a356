/*
 * sql_cursor.c - tarn_cursor_* and tarn_batch_* of tarn.h: results batch
 * by batch.
 *
 * A query is bound and planned in tarn_cursor_open (on the caller's
 * thread, so bind errors come back at once), then exec_run runs on a
 * background thread into a streaming sink (exec/op_stream.c) whose queue
 * holds a few chunks: the query pauses while nobody fetches, so memory
 * stays bounded.  tarn_cursor_close stops a running query (the sink drops
 * rows and reports done, and the cursor's private cancel flag stops the
 * other pipelines) and joins the thread.  The cursor keeps its own copy of
 * the session settings, so the tarn_db may run other statements meanwhile.
 *
 * Other statements run completely in tarn_cursor_open; their result (rows
 * of EXPLAIN / SHOW, or just a tag) is then served the same way.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sql/exec/op_stream.h"
#include "sql/func/cast.h"
#include "sql/func/func_lib.h"
#include "sql/prepare.h"
#include "sql/notice.h"
#include "sql/plan_cache.h"
#include "sql/stmt.h"
#include "util/bgthread.h"
#include "util/datetime.h"
#include "vector/format.h"

#define STREAM_QUEUE_CHUNKS 4
/* Queries the optimizer expects to return at most CURSOR_INLINE_EST_ROWS
 * rows run on the fetching thread at the first fetch (no thread handoff,
 * which costs more than a point read itself), into a queue of up to
 * CURSOR_INLINE_ITEMS chunks; a result that outgrows it (a wrong
 * estimate) is dropped and the query runs again on a background thread,
 * streaming as usual.  Nothing has reached the caller by then. */
#define CURSOR_INLINE_EST_ROWS 10000
#define CURSOR_INLINE_ITEMS 32

struct tarn_batch {
    const CollChunk *chunk;     /* rows [off, off + n) of it */
    uint32_t off, n;
    uint32_t ncols;
    Arena text;                 /* formatted values, reset at every fetch */
    Buf scratch;                /* value_format_text's output, reused */
    const FlTz *tz;
};

struct tarn_cursor {
    tarn_db *db;
    Arena a;                    /* parameter values, column descriptions */
    SqlSettings settings;       /* the session's, as of opening */
    atomic_int cancel;
    uint32_t ncols;
    const char **names;
    LogicalType *types;
    uint32_t *oids;             /* PostgreSQL type OIDs (arrays: of the element type) */
    /* streaming query */
    bool streaming, thread_started, joined, failed, done;
    Stmt s;
    BindParams bp;
    PhysOp *sink;
    BgTask thread;              /* util/bgthread.h: a reused thread */
    bool inline_run;            /* run on the first fetch's thread */
    tarn_stmt *ps;              /* for running again after an inline overflow */
    const Value *vals;
    int rc;                     /* the query's outcome (set before finish) */
    TarnError err;
    Collection item;            /* current queue item */
    bool have_item;
    uint32_t item_chunk, item_off;
    /* other statements */
    tarn_result *res;
    uint32_t res_chunk, res_off;
    uint64_t n_fetched;
    char tag[64];
    tarn_batch batch;
};

static void *producer(void *arg)
{
    tarn_cursor *c = arg;
    c->rc = exec_run(c->sink, c->s.pp.inits, c->s.pp.n_inits, &c->s.x, &c->err);
    op_stream_finish(c->sink);
    return NULL;
}

static int copy_desc(tarn_cursor *c, uint32_t n, const char *const *names, const LogicalType *types, TarnError *err)
{
    c->ncols = n;
    c->names = arena_calloc(&c->a, (n ? n : 1) * sizeof(char *));
    c->types = arena_calloc(&c->a, (n ? n : 1) * sizeof(LogicalType));
    c->oids = arena_calloc(&c->a, (n ? n : 1) * sizeof(uint32_t));
    if (!c->names || !c->types || !c->oids)
        return ERR_NOMEM(err, n);
    for (uint32_t i = 0; i < n; i++) {
        c->names[i] = arena_strdup(&c->a, names[i] ? names[i] : "?column?");
        c->oids[i] = sqltype_oid(&types[i]); /* before the element type is dropped */
        c->types[i] = types[i];
        c->types[i].n_fields = 0; /* only the id, precision and scale are used */
        c->types[i].fields = NULL;
        if (!c->names[i])
            return ERR_NOMEM(err, 0);
    }
    return 0;
}

static int open_query(tarn_cursor *c, tarn_stmt *ps, const Value *v, bool allow_inline, TarnError *err)
{
    tarn_db *db = c->db;
    Stmt *s = &c->s;
    bool again = c->ps != NULL; /* after an inline overflow: descriptions kept */
    c->ps = ps;
    c->vals = v;
    stmt_begin(s, db, ps->sql, err);
    c->streaming = true;
    c->settings = db->settings;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    c->settings.statement_ts = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    s->bc.settings = &c->settings;
    s->x.settings = &c->settings;
    s->x.cancel = &c->cancel;
    sql_params_prepare(ps, v, &c->a, &c->bp);
    if (!c->bp.known)
        return ERR_NOMEM(err, 0);
    s->bc.params = &c->bp;
    BoundQuery q;
    int rc = bind_query(&s->bc, ps->st->u.select, &q);
    if (!rc)
        rc = stmt_plan(s, q.plan, err);
    catalog_scope_end(db->cat); /* bound: a held cursor must not keep the catalog's statement scope open */
    if (!rc && !again)
        rc = copy_desc(c, q.n_cols, q.names, q.types, err);
    bool inl = !rc && allow_inline && s->pp.root->est_rows >= 0 &&
               s->pp.root->est_rows <= CURSOR_INLINE_EST_ROWS;
    if (!rc && !(c->sink = op_stream_new(&s->a, s->pp.root, inl ? CURSOR_INLINE_ITEMS : STREAM_QUEUE_CHUNKS, err)))
        rc = err->kind;
    if (rc)
        return rc;
    s->top = c->sink;
    if (inl) {
        op_stream_set_no_wait(c->sink);
        c->inline_run = true;
        return 0;
    }
    if (bg_start(&c->thread, producer, c))
        return err_set(err, TARN_ERR_NOMEM, "could not start the query thread");
    c->thread_started = true;
    return 0;
}

int tarn_cursor_open(tarn_stmt *st, int n_params, const char *const *values, tarn_cursor **cur_out, tarn_error *err)
{
    if (cur_out)
        *cur_out = NULL;
    if (!st || !cur_out || (n_params && !values))
        return err_set(err, TARN_ERR_INVALID, "tarn_cursor_open: bad arguments");
    /* the last closed cursor's memory when there is one: a fresh ~3KB
     * allocation per statement costs more than a point read's bind */
    tarn_cursor *c = __atomic_exchange_n(&st->db->spare_cursor, NULL, __ATOMIC_ACQ_REL);
    if (c)
        memset(c, 0, sizeof *c);
    else if (!(c = tarn_calloc(1, sizeof *c)))
        return ERR_NOMEM(err, sizeof *c);
    c->db = st->db;
    arena_init(&c->a, 0);
    arena_init(&c->batch.text, 0);
    buf_init(&c->batch.scratch);
    atomic_init(&c->cancel, 0);
    atomic_store(&st->db->cancel, 0);
    sql_notices_clear(st->db);
    Value *v = NULL;
    int rc = 0;
    if (st->lit_values && !n_params) /* plan_cache.c: the literals of a simple-protocol text */
        v = (Value *)st->lit_values;
    else
        rc = sql_params_from_text(st->db, st, n_params, values, &c->a, &v, err);
    if (!rc && st->st->kind == STMT_SELECT) {
        rc = open_query(c, st, v, true, err);
        if (!rc && st->lit_use && !plan_cache_still_valid(st, &c->s.res, c->ncols, c->names, c->oids)) {
            tarn_cursor_close(c); /* the tables changed since the entry was made: uncached */
            if ((rc = plan_cache_prepare_again(st, err)))
                return rc;
            return tarn_cursor_open(st, 0, NULL, cur_out, err);
        }
    } else if (!rc) {
        rc = sql_stmt_run_values(st, v, &c->a, &c->res, err);
        if (!rc && !c->res && !(c->res = sql_result_tag("", err)))
            rc = err->kind;
        if (!rc)
            rc = copy_desc(c, c->res->ncols, (const char *const *)c->res->names, c->res->types, err);
        c->settings = st->db->settings;
    }
    if (rc) {
        tarn_cursor_close(c);
        return rc;
    }
    c->batch.ncols = c->ncols;
    c->batch.tz = fl_tz_session(&c->settings);
    *cur_out = c;
    return 0;
}

int tarn_cursor_ncols(const tarn_cursor *c) { return c ? (int)c->ncols : 0; }
const char *tarn_cursor_colname(const tarn_cursor *c, int col)
{
    return c && col >= 0 && (uint32_t)col < c->ncols ? c->names[col] : NULL;
}
uint32_t tarn_cursor_coloid(const tarn_cursor *c, int col)
{
    return c && col >= 0 && (uint32_t)col < c->ncols ? c->oids[col] : 0;
}
const char *tarn_cursor_tag(const tarn_cursor *c) { return c ? c->tag : ""; }

static void join_producer(tarn_cursor *c)
{
    if (c->thread_started && !c->joined) {
        bg_join(&c->thread);
        c->joined = true;
    }
}

/* Next rows of the current chunk sequence (chunks + n_chunks), from
 * (*ci, *off); false when none are left. */
static bool take(tarn_cursor *c, const CollChunk *chunks, uint32_t n_chunks, uint32_t *ci, uint32_t *off,
                 int64_t max_rows)
{
    while (*ci < n_chunks && *off >= chunks[*ci].n_rows) {
        (*ci)++;
        *off = 0;
    }
    if (*ci >= n_chunks)
        return false;
    uint32_t left = chunks[*ci].n_rows - *off;
    uint32_t n = max_rows > 0 && (uint64_t)max_rows < left ? (uint32_t)max_rows : left;
    c->batch.chunk = &chunks[*ci];
    c->batch.off = *off;
    c->batch.n = n;
    *off += n;
    c->n_fetched += n;
    return true;
}

int tarn_cursor_fetch(tarn_cursor *c, int64_t max_rows, const tarn_batch **batch_out, tarn_error *err)
{
    *batch_out = NULL;
    if (!c)
        return err_set(err, TARN_ERR_INVALID, "tarn_cursor_fetch: no cursor");
    arena_reset(&c->batch.text);
    if (c->failed) {
        *err = c->err;
        return err->kind ? err->kind : TARN_ERR_INTERNAL;
    }
    if (c->done)
        return 0;
    if (!c->streaming) {
        if (c->res->has_rows && take(c, c->res->rows.chunks, c->res->rows.n_chunks, &c->res_chunk, &c->res_off, max_rows)) {
            *batch_out = &c->batch;
            return 0;
        }
        c->done = true;
        snprintf(c->tag, sizeof c->tag, "%s", c->res->tag);
        if (c->res->has_rows && !strncmp(c->res->tag, "SELECT", 6))
            snprintf(c->tag, sizeof c->tag, "SELECT %llu", (unsigned long long)c->n_fetched);
        return 0;
    }
    if (c->inline_run) {
        c->inline_run = false;
        producer(c);
        c->thread_started = false;
        if (op_stream_overflowed(c->sink)) { /* too many rows for the queue: again, streaming */
            stmt_end(&c->s);
            memset(&c->s, 0, sizeof c->s);
            c->sink = NULL;
            c->rc = 0;
            memset(&c->err, 0, sizeof c->err);
            int rc = open_query(c, c->ps, c->vals, false, err);
            if (rc) {
                c->failed = true;
                c->err = *err;
                return rc;
            }
        }
    }
    for (;;) {
        if (c->have_item && take(c, c->item.chunks, c->item.n_chunks, &c->item_chunk, &c->item_off, max_rows)) {
            *batch_out = &c->batch;
            return 0;
        }
        if (c->have_item) {
            coll_free(&c->item);
            c->have_item = false;
        }
        if (!op_stream_pop(c->sink, &c->item))
            break;
        c->have_item = true;
        c->item_chunk = c->item_off = 0;
    }
    join_producer(c);
    if (c->rc) {
        c->failed = true;
        *err = c->err;
        return c->rc;
    }
    c->done = true;
    snprintf(c->tag, sizeof c->tag, "SELECT %llu", (unsigned long long)c->n_fetched);
    return 0;
}

void tarn_cursor_cancel(tarn_cursor *c)
{
    if (c)
        atomic_store(&c->cancel, 1);
}

void tarn_cursor_close(tarn_cursor *c)
{
    if (!c)
        return;
    if (c->streaming) {
        if (c->thread_started && !c->joined) {
            atomic_store(&c->cancel, 1);
            op_stream_stop(c->sink);
            join_producer(c);
        }
        if (c->have_item)
            coll_free(&c->item);
        stmt_end(&c->s);
    }
    tarn_result_free(c->res);
    arena_free(&c->batch.text);
    buf_free(&c->batch.scratch);
    arena_free(&c->a);
    tarn_free(__atomic_exchange_n(&c->db->spare_cursor, c, __ATOMIC_ACQ_REL)); /* kept for the next open */
}

void sql_cursor_spare_free(tarn_db *db) { tarn_free(__atomic_exchange_n(&db->spare_cursor, NULL, __ATOMIC_ACQ_REL)); }

/* ---- batches --------------------------------------------------------------------------------- */

int64_t tarn_batch_nrows(const tarn_batch *b) { return b ? b->n : 0; }

static const Vector *cell(const tarn_batch *b, int64_t row, int col, uint32_t *i)
{
    if (!b || row < 0 || (uint64_t)row >= b->n || col < 0 || (uint32_t)col >= b->ncols)
        return NULL;
    *i = b->off + (uint32_t)row;
    const Vector *v = &b->chunk->cols[col];
    return vec_is_valid(v, *i) ? v : NULL;
}

int tarn_batch_isnull(const tarn_batch *b, int64_t row, int col)
{
    uint32_t i;
    return cell(b, row, col, &i) == NULL;
}

const char *tarn_batch_text(const tarn_batch *b, int64_t row, int col, size_t *len_out)
{
    uint32_t i;
    const Vector *v = cell(b, row, col, &i);
    if (len_out)
        *len_out = 0;
    if (!v)
        return NULL;
    tarn_batch *mb = (tarn_batch *)b; /* the text arena is scratch */
    char *s;
    size_t n;
    if (v->type->id == TYPE_TIMESTAMPTZ) {
        s = arena_alloc(&mb->text, DT_TEXT_MAX + 16);
        if (!s)
            return NULL;
        n = fl_format_timestamptz(((const int64_t *)v->data)[i], b->tz, s);
    } else if (v->type->id == TYPE_STRING || v->type->id == TYPE_JSON) { /* the bytes as stored */
        const StrView *sv = &((const StrView *)v->data)[i];
        n = sv->len;
        if (!(s = arena_alloc(&mb->text, n + 1)))
            return NULL;
        if (n)
            memcpy(s, sv->ptr, n);
        s[n] = 0;
    } else { /* formatted into the batch's reused buffer: no allocation per value */
        Buf *buf = &mb->scratch;
        buf->len = 0;
        if (value_format_text(v, i, buf))
            return NULL;
        n = buf->len;
        if (!(s = arena_alloc(&mb->text, n + 1)))
            return NULL;
        if (n)
            memcpy(s, buf->data, n);
        s[n] = 0;
    }
    if (len_out)
        *len_out = n;
    return s;
}

/* PostgreSQL's binary epoch (2000-01-01) relative to tarn's (1970-01-01). */
#define PG_EPOCH_DAYS 10957
#define PG_EPOCH_US (INT64_C(10957) * 86400 * 1000000)

int64_t tarn_batch_int64(const tarn_batch *b, int64_t row, int col)
{
    uint32_t i;
    const Vector *v = cell(b, row, col, &i);
    if (!v)
        return 0;
    switch (v->type->id) {
    case TYPE_BOOL: return v->data[i] != 0;
    case TYPE_INT8: return ((const int8_t *)v->data)[i];
    case TYPE_INT16: return ((const int16_t *)v->data)[i];
    case TYPE_INT32: return ((const int32_t *)v->data)[i];
    case TYPE_INT64: return ((const int64_t *)v->data)[i];
    case TYPE_DATE: return (int64_t)((const int32_t *)v->data)[i] - PG_EPOCH_DAYS;
    case TYPE_TIME: return ((const int64_t *)v->data)[i];
    case TYPE_TIMESTAMP: case TYPE_TIMESTAMPTZ: return ((const int64_t *)v->data)[i] - PG_EPOCH_US;
    default: return 0;
    }
}

double tarn_batch_double(const tarn_batch *b, int64_t row, int col)
{
    uint32_t i;
    const Vector *v = cell(b, row, col, &i);
    if (!v)
        return 0;
    switch (v->type->id) {
    case TYPE_FLOAT: return ((const float *)v->data)[i];
    case TYPE_DOUBLE: return ((const double *)v->data)[i];
    case TYPE_BOOL: case TYPE_INT8: case TYPE_INT16: case TYPE_INT32: case TYPE_INT64:
        return (double)tarn_batch_int64(b, row, col);
    default: return 0;
    }
}

const void *tarn_batch_bytes(const tarn_batch *b, int64_t row, int col, size_t *len_out)
{
    uint32_t i;
    const Vector *v = cell(b, row, col, &i);
    if (len_out)
        *len_out = 0;
    if (!v || !type_is_string_like(v->type->id))
        return NULL;
    const StrView *sv = &((const StrView *)v->data)[i];
    if (len_out)
        *len_out = sv->len;
    return sv->ptr;
}
