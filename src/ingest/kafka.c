/*
 * kafka.c - `tarn ingest kafka` (see kafka.h and docs/ingest.md).
 *
 * The main thread polls librdkafka and decodes each record into the sink;
 * a full or old enough micro-batch is handed to the committer thread while
 * the next one is built in a second sink.  Exactly once rests on three
 * rules:
 *   1. positions come from the table: on assignment (and after any lost
 *      commit) each partition is assigned at the version of its txn
 *      marker, or at the beginning when it has none;
 *   2. a commit carries the markers of every partition it holds records
 *      of, and is refused (TARN_ERR_CONFLICT from the sink) when a marker
 *      is no longer where this batch started or when a concurrent commit
 *      set the same marker - then the batch is dropped and the partitions
 *      re-read from the table's markers;
 *   3. a record below the partition's expected next offset (a fetch that
 *      raced a re-seek) is skipped.
 * Rebalances (eager protocol): on revoke the buffered batch is committed
 * before the partitions are released; on assignment the markers are read.
 * Backpressure: when the next batch is full before the commit of the
 * previous one ends, nothing is polled until it does, and librdkafka's
 * prefetch queue is bounded (queued.max.messages.kbytes), so memory stays
 * bounded by two batches plus that queue.
 */
#include "ingest/kafka.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ingest/sink.h"

enum { M_TOPIC, M_PARTITION, M_OFFSET, M_TIMESTAMP, M_KEY, M_COUNT };
static const char *const META_NAMES[M_COUNT] = {"_topic", "_partition", "_offset", "_timestamp", "_key"};
static const TypeId META_TYPES[M_COUNT] = {TYPE_STRING, TYPE_INT32, TYPE_INT64, TYPE_TIMESTAMPTZ, TYPE_BLOB};

typedef struct Part {
    bool assigned;
    bool eof;               /* reached the end since the last record */
    bool buffered;          /* records of it are in the batch */
    int64_t marker;         /* the table's txn version, -1 = none */
    int64_t next;           /* next offset expected, -1 = any */
    char *app_id;
} Part;

typedef struct Committer {
    pthread_t thread;
    bool started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool busy, done, quit;  /* a batch in flight / its result ready / stop */
    IngestSink *sink;       /* the batch */
    IngestProgress *prog;   /* its markers (n), by partition part_ids[i] */
    int32_t *part_ids;
    int n;
    int rc;
    TarnError err;
    IngestCommitResult res;
    int64_t commit_ms;      /* how long the last commit took */
    int64_t wait_ms;        /* how long the last wait for it blocked */
} Committer;

typedef struct Ingest {
    const KafkaIngestOptions *o;
    rd_kafka_t *rk;
    IngestSink *sink;
    IngestDecoder *dec;
    char group[256];
    bool grouped;
    Part *parts;
    int n_parts;
    bool assigned_once;
    int meta[M_COUNT];
    int n_meta;             /* raw format: no _key column */
    size_t topic_len;
    /* per-row facts about the sink's columns (the metadata columns'
     * indexes in meta[], whether any column is NOT NULL), valid while the
     * sink, its epoch and its column count are these; cleared when the
     * sinks swap or adopt the table's schema (nullability may change) */
    IngestSink *ck_sink;
    uint64_t ck_epoch;
    int ck_ncols;
    bool ck_not_null;
    int64_t batch_start_ms; /* first record of the batch, -1 = empty */
    int64_t starved_ms;     /* --verbose: waited for records since the last commit */
    size_t batch_bytes;     /* input bytes of the batch being built */
    KafkaIngestStats st;
    TarnError *err;
    int fatal;              /* error raised inside a librdkafka callback */
    IngestSink *spare;      /* the other batch: committing, or ready */
    Committer com;
} Ingest;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* CLOCK_MONOTONIC at a few ms resolution, for per-record checks. */
static int64_t coarse_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void logf_(const Ingest *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(const Ingest *g, const char *fmt, ...)
{
    (void)g;
    va_list ap;
    va_start(ap, fmt);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    fprintf(stderr, "tarn ingest kafka[%d] %02d:%02d:%02d.%03d: ", (int)getpid(), (int)(ts.tv_sec / 3600 % 24),
            (int)(ts.tv_sec / 60 % 60), (int)(ts.tv_sec % 60), (int)(ts.tv_nsec / 1000000));
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static Part *get_part(Ingest *g, int32_t id, TarnError *err)
{
    if (id < 0 || id > 1000000) {
        err_set(err, TARN_ERR_CORRUPT, "partition number %d out of range", (int)id);
        return NULL;
    }
    if (id >= g->n_parts) {
        int n = id + 1 > g->n_parts * 2 ? id + 1 : g->n_parts * 2;
        /* the committer's arrays grow here too: nothing is in flight when
         * partitions appear (assignment), or they are already big enough */
        if (g->com.busy && n > g->n_parts) {
            err_set(err, TARN_ERR_INTERNAL, "partition %d appeared during a commit", (int)id);
            return NULL;
        }
        Part *p = tarn_realloc(g->parts, (size_t)n * sizeof *p);
        if (p)
            g->parts = p;
        IngestProgress *pr = tarn_realloc(g->com.prog, (size_t)n * sizeof *pr);
        if (pr)
            g->com.prog = pr;
        int32_t *ids = tarn_realloc(g->com.part_ids, (size_t)n * sizeof *ids);
        if (ids)
            g->com.part_ids = ids;
        if (!p || !pr || !ids) {
            ERR_NOMEM(err, (size_t)n * sizeof *p);
            return NULL;
        }
        memset(&g->parts[g->n_parts], 0, (size_t)(n - g->n_parts) * sizeof *p);
        for (int i = g->n_parts; i < n; i++)
            g->parts[i].marker = g->parts[i].next = -1;
        g->n_parts = n;
    }
    Part *p = &g->parts[id];
    if (!p->app_id) {
        char buf[1024];
        snprintf(buf, sizeof buf, "tarn-kafka:%s:%s:%d", g->group, g->o->topic, (int)id);
        if (!(p->app_id = tarn_strdup(buf))) {
            ERR_NOMEM(err, strlen(buf));
            return NULL;
        }
    }
    return p;
}

/* Reads the markers of the partitions in `list` from the table and sets
 * their start offsets there. */
static int load_markers(Ingest *g, rd_kafka_topic_partition_list_t *list, TarnError *err)
{
    for (int i = 0; i < list->cnt; i++) {
        Part *p = get_part(g, list->elems[i].partition, err);
        if (!p)
            return err->kind;
        const char *id = p->app_id;
        int64_t v;
        int rc = ingest_sink_progress(g->sink, &id, 1, &v, err);
        if (rc)
            return rc;
        p->marker = v;
        p->next = v;
        p->buffered = false;
        p->eof = false;
        p->assigned = true;
        list->elems[i].offset = v >= 0 ? v : RD_KAFKA_OFFSET_BEGINNING;
    }
    /* columns may have been dropped or added: the decoder's format
     * columns again */
    g->ck_sink = NULL;
    return ingest_decoder_prepare(g->dec, err);
}

/* The current assignment, with offsets from the table (re-assigned). */
static int reseek(Ingest *g, TarnError *err)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(16);
    for (int i = 0; i < g->n_parts; i++)
        if (g->parts[i].assigned)
            rd_kafka_topic_partition_list_add(l, g->o->topic, i);
    int rc = load_markers(g, l, err);
    if (!rc) {
        rd_kafka_resp_err_t e = rd_kafka_assign(g->rk, l);
        if (e)
            rc = err_set(err, TARN_ERR_IO, "kafka: assign: %s", rd_kafka_err2str(e));
    }
    rd_kafka_topic_partition_list_destroy(l);
    return rc;
}

/* ---- Committing: one batch commits on the committer thread while the
 * next one is decoded into the spare sink; a third waits (no polling) ---- */

static void *committer_main(void *arg)
{
    Ingest *g = arg;
    Committer *c = &g->com;
    pthread_setname_np(pthread_self(), "tarn-commit");
    pthread_mutex_lock(&c->mu);
    for (;;) {
        while (!c->quit && !(c->busy && !c->done))
            pthread_cond_wait(&c->cv, &c->mu);
        if (c->quit)
            break;
        pthread_mutex_unlock(&c->mu);
        err_clear(&c->err);
        int64_t t0 = now_ms();
        int rc = ingest_sink_commit(c->sink, c->prog, c->n, &c->res, &c->err);
        c->commit_ms = now_ms() - t0;
        pthread_mutex_lock(&c->mu);
        c->rc = rc;
        c->done = true;
        pthread_cond_broadcast(&c->cv);
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

/* Waits for the batch in flight.  A lost race drops it and the batch being
 * built, and re-reads from the table (unless in_revoke: the partitions
 * are being released anyway). */
static int commit_wait(Ingest *g, bool in_revoke, TarnError *err)
{
    Committer *c = &g->com;
    if (!c->busy)
        return 0;
    int64_t t0 = now_ms();
    pthread_mutex_lock(&c->mu);
    while (!c->done)
        pthread_cond_wait(&c->cv, &c->mu);
    c->busy = c->done = false;
    c->wait_ms = now_ms() - t0;
    pthread_mutex_unlock(&c->mu);
    if (c->rc == 0) {
        IngestCommitResult *r = &c->res;
        g->st.commits++;
        g->st.rows += r->rows;
        g->st.dead_letters += r->dlq_rows;
        if (g->grouped && c->n) {
            /* for monitoring only (consumer lag); positions come from the table */
            rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(c->n);
            for (int i = 0; i < c->n; i++)
                rd_kafka_topic_partition_list_add(l, g->o->topic, c->part_ids[i])->offset = c->prog[i].version;
            rd_kafka_commit(g->rk, l, 1);
            rd_kafka_topic_partition_list_destroy(l);
        }
        if (g->o->verbose) {
            logf_(g, "committed version %" PRId64 ": %" PRId64 " rows, %" PRId64 " dead letters, %d partitions%s"
                  " (%" PRId64 " ms, waited %" PRId64 " ms; %" PRId64 " ms without records before)",
                  r->version, r->rows, r->dlq_rows, c->n, r->columns_added ? ", new columns" : "", c->commit_ms,
                  c->wait_ms, g->starved_ms);
            g->starved_ms = 0;
        }
        return 0;
    }
    if (c->rc != TARN_ERR_CONFLICT) {
        *err = c->err;
        return c->rc;
    }
    g->st.conflicts++;
    logf_(g, "batch dropped, re-reading from the table: %s", c->err.message);
    ingest_sink_discard(g->sink);
    g->ck_sink = NULL;
    g->batch_start_ms = -1;
    for (int i = 0; i < g->n_parts; i++)
        g->parts[i].buffered = false;
    if (in_revoke)
        return 0;
    return reseek(g, err);
}

/* Hands the batch being built to the committer (after the previous one). */
static int flush_start(Ingest *g, bool in_revoke, TarnError *err)
{
    int rc = commit_wait(g, in_revoke, err);
    if (rc)
        return rc;
    Committer *c = &g->com;
    int n = 0;
    for (int i = 0; i < g->n_parts; i++) {
        Part *p = &g->parts[i];
        if (!p->buffered)
            continue;
        c->prog[n].app_id = p->app_id;
        c->prog[n].expect = p->marker;
        c->prog[n].version = p->next;
        c->part_ids[n] = i;
        n++;
    }
    g->batch_start_ms = -1;
    g->batch_bytes = 0;
    if (n == 0 && ingest_sink_rows(g->sink) == 0 && ingest_sink_dlq_rows(g->sink) == 0)
        return 0;
    /* the next batch starts with this one's columns and types */
    if ((rc = ingest_sink_settle(g->sink, err)) || (rc = ingest_sink_adopt_columns(g->spare, g->sink, err)))
        return rc;
    for (int i = 0; i < n; i++) {
        Part *p = &g->parts[c->part_ids[i]];
        p->marker = p->next;    /* where the next batch of it starts */
        p->buffered = false;
    }
    IngestSink *full = g->sink;
    g->sink = g->spare;
    g->spare = full;
    g->ck_sink = NULL;
    ingest_decoder_set_sink(g->dec, g->sink);
    pthread_mutex_lock(&c->mu);
    c->sink = full;
    c->n = n;
    c->busy = true;
    c->done = false;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    return 0;
}

/* Commits everything buffered and waits for it. */
static int flush(Ingest *g, bool in_revoke, TarnError *err)
{
    int rc = flush_start(g, in_revoke, err);
    if (!rc)
        rc = commit_wait(g, in_revoke, err);
    return rc;
}

static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t e, rd_kafka_topic_partition_list_t *parts,
                         void *opaque)
{
    Ingest *g = opaque;
    if (g->fatal) {
        rd_kafka_assign(rk, NULL);
        return;
    }
    if (e == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        g->assigned_once = true;
        int rc = load_markers(g, parts, g->err);
        if (rc) {
            g->fatal = rc;
            rd_kafka_assign(rk, NULL);
            return;
        }
        if (g->o->verbose)
            logf_(g, "assigned %d partitions", parts->cnt);
        rd_kafka_assign(rk, parts);
    } else {
        int rc = flush(g, true, g->err);
        if (rc)
            g->fatal = rc;
        for (int i = 0; i < g->n_parts; i++) {
            g->parts[i].assigned = false;
            g->parts[i].buffered = false;
        }
        if (g->o->verbose)
            logf_(g, "revoked %d partitions", parts->cnt);
        rd_kafka_assign(rk, NULL);
    }
}

/* Standalone: assigns every partition of the topic (waits for it to exist). */
static int assign_all(Ingest *g, TarnError *err)
{
    rd_kafka_topic_t *t = rd_kafka_topic_new(g->rk, g->o->topic, NULL);
    if (!t)
        return err_set(err, TARN_ERR_IO, "kafka: topic \"%s\": %s", g->o->topic,
                       rd_kafka_err2str(rd_kafka_last_error()));
    int rc = 0;
    int64_t deadline = now_ms() + 30000;
    for (;;) {
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_resp_err_t e = rd_kafka_metadata(g->rk, 0, t, &md, 5000);
        if (!e && md->topic_cnt == 1 && !md->topics[0].err && md->topics[0].partition_cnt > 0) {
            rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(md->topics[0].partition_cnt);
            for (int i = 0; i < md->topics[0].partition_cnt; i++)
                rd_kafka_topic_partition_list_add(l, g->o->topic, md->topics[0].partitions[i].id);
            rd_kafka_metadata_destroy(md);
            rc = load_markers(g, l, err);
            if (!rc && (e = rd_kafka_assign(g->rk, l)))
                rc = err_set(err, TARN_ERR_IO, "kafka: assign: %s", rd_kafka_err2str(e));
            if (!rc && g->o->verbose)
                logf_(g, "assigned %d partitions", l->cnt);
            rd_kafka_topic_partition_list_destroy(l);
            g->assigned_once = true;
            break;
        }
        const char *why = e ? rd_kafka_err2str(e) : md->topic_cnt != 1 ? "no metadata"
                          : md->topics[0].err ? rd_kafka_err2str(md->topics[0].err) : "no partitions";
        if (md)
            rd_kafka_metadata_destroy(md);
        if ((g->o->stop && *g->o->stop) || now_ms() > deadline) {
            rc = g->o->stop && *g->o->stop ? 0 : err_set(err, TARN_ERR_IO, "kafka: topic \"%s\": %s", g->o->topic, why);
            break;
        }
        struct timespec ts = {0, 200 * 1000000};
        nanosleep(&ts, NULL);
    }
    rd_kafka_topic_destroy(t);
    return rc;
}

/* The metadata columns' indexes (they move when the sink drops columns). */
static int meta_col(Ingest *g, int m, TarnError *err)
{
    int c = g->meta[m];
    if (c >= 0 && c < ingest_sink_ncols(g->sink) && strcmp(ingest_sink_field(g->sink, c)->name, META_NAMES[m]) == 0)
        return c;
    c = ingest_sink_col(g->sink, META_NAMES[m], strlen(META_NAMES[m]));
    if (c >= 0) {
        if (ingest_sink_vec(g->sink, c)->type->id != META_TYPES[m]) {
            char tn[64], want[64];
            LogicalType wt = type_simple(META_TYPES[m]);
            return err_set(err, TARN_ERR_TYPE, "column \"%s\" of the table is %s, not %s", META_NAMES[m],
                           type_name(&ingest_sink_field(g->sink, c)->type, tn, sizeof tn),
                           type_name(&wt, want, sizeof want)), -1;
        }
    } else
        c = ingest_sink_add_col(g->sink, META_NAMES[m], strlen(META_NAMES[m]), META_TYPES[m], err);
    g->meta[m] = c;
    return c;
}

static int append_meta(Ingest *g, const rd_kafka_message_t *msg, int64_t ts_ms, TarnError *err)
{
    IngestSink *s = g->sink;
    if (g->ck_sink != s || g->ck_epoch != ingest_sink_epoch(s) || g->ck_ncols != ingest_sink_ncols(s)) {
        for (int m = 0; m < g->n_meta; m++)
            if (meta_col(g, m, err) < 0)
                return err->kind;
        int n = ingest_sink_ncols(s);
        g->ck_not_null = false;
        for (int i = 0; i < n; i++)
            g->ck_not_null |= !ingest_sink_field(s, i)->nullable;
        g->ck_sink = s;
        g->ck_epoch = ingest_sink_epoch(s);
        g->ck_ncols = n;
    }
    const int *c = g->meta;
    /* _topic: every row of the batch shares the bytes of its first row */
    Vector *tv = ingest_sink_vec(s, c[M_TOPIC]);
    const StrView *t0 = tv->len ? &VEC_DATA(tv, StrView)[0] : NULL;
    int rc;
    if (t0 && tv->len < tv->cap && vec_is_valid(tv, 0) && t0->len == g->topic_len &&
        memcmp(t0->ptr, g->o->topic, g->topic_len) == 0) {
        VEC_DATA(tv, StrView)[tv->len++] = *t0;
        rc = 0;
    } else
        rc = vec_append_str(tv, g->o->topic, g->topic_len);
    Vector *pv = ingest_sink_vec(s, c[M_PARTITION]);
    if (pv->len < pv->cap)
        VEC_DATA(pv, int32_t)[pv->len++] = msg->partition;
    else
        rc |= vec_append_i64(pv, msg->partition);
    rc |= ingest_put_i64(ingest_sink_vec(s, c[M_OFFSET]), msg->offset);
    rc |= ts_ms >= 0 ? ingest_put_i64(ingest_sink_vec(s, c[M_TIMESTAMP]), ts_ms * 1000)
                     : vec_append_null(ingest_sink_vec(s, c[M_TIMESTAMP]));
    if (g->n_meta > M_KEY)
        rc |= msg->key ? vec_append_str(ingest_sink_vec(s, c[M_KEY]), msg->key, msg->key_len)
                       : vec_append_null(ingest_sink_vec(s, c[M_KEY]));
    return rc ? ERR_NOMEM(err, 64) : 0;
}

/* NOT NULL columns of the table that the record left out. */
static int missing_not_null(Ingest *g, char *eb, size_t ecap)
{
    if (!g->ck_not_null)
        return 0;
    IngestSink *s = g->sink;
    uint32_t row = ingest_sink_rows(s);
    int n = ingest_sink_ncols(s);
    for (int i = 0; i < n; i++) {
        const Field *f = ingest_sink_field(s, i);
        if (!f->nullable && ingest_sink_vec(s, i)->len == row) {
            snprintf(eb, ecap, "no value for NOT NULL column \"%s\"", f->name);
            return 1;
        }
    }
    return 0;
}

static int on_record(Ingest *g, const rd_kafka_message_t *msg, TarnError *err)
{
    Part *p = get_part(g, msg->partition, err);
    if (!p)
        return err->kind;
    if (!p->assigned || (p->next >= 0 && msg->offset < p->next))
        return 0;           /* not ours, or fetched before a re-seek */
    g->st.records++;
    rd_kafka_timestamp_type_t tst;
    int64_t ts = rd_kafka_message_timestamp(msg, &tst);
    char eb[512];
    int rc = ingest_decode(g->dec, msg->key, msg->key_len, msg->payload, msg->len, eb, sizeof eb, err);
    if (rc == 0) {
        if ((rc = append_meta(g, msg, ts, err)))
            return rc;
        if (missing_not_null(g, eb, sizeof eb)) {
            ingest_sink_row_cancel(g->sink);
            rc = 1;
        } else if ((rc = ingest_sink_row_end(g->sink, err)))
            return rc;
    }
    if (rc == 1) {
        IngestDeadLetter d = {msg->key, msg->key_len, msg->key != NULL, msg->payload, msg->len,
                              msg->payload != NULL, g->o->topic, msg->partition, msg->offset, ts, eb, p->app_id};
        if ((rc = ingest_sink_dlq_add(g->sink, &d, err)))
            return rc;
    } else if (rc)
        return rc;
    if (msg->offset + 1 > p->next)
        p->next = msg->offset + 1;
    p->buffered = true;
    p->eof = false;
    if (g->batch_start_ms < 0)
        g->batch_start_ms = coarse_ms();
    g->batch_bytes += msg->len + msg->key_len + 64;
    return 0;
}

/* True when every assigned partition's table marker reached its high
 * watermark (checked only once each has reported its end). */
static int at_end(Ingest *g, bool *done, TarnError *err)
{
    *done = false;
    if (!g->assigned_once)
        return 0;
    for (int i = 0; i < g->n_parts; i++)
        if (g->parts[i].assigned && !g->parts[i].eof)
            return 0;
    int rc = flush(g, false, err);
    if (rc)
        return rc;
    for (int i = 0; i < g->n_parts; i++) {
        Part *p = &g->parts[i];
        if (!p->assigned)
            continue;
        if (p->buffered || !p->eof)
            return 0;
        /* the high watermark of the last fetch response (the one that
         * reported the end): no request, which would queue behind a
         * long-polling fetch on the same connection */
        int64_t lo = -1, hi = -1;
        rd_kafka_resp_err_t e = rd_kafka_get_watermark_offsets(g->rk, g->o->topic, i, &lo, &hi);
        if (e || hi < 0)
            e = rd_kafka_query_watermark_offsets(g->rk, g->o->topic, i, &lo, &hi, 5000);
        if (e)
            return 0;       /* try again later */
        if (lo < 0)
            lo = 0;
        if (hi > lo && p->marker < hi)
            return 0;
    }
    *done = true;
    return 0;
}

static int set_conf(rd_kafka_conf_t *c, const char *k, const char *v, TarnError *err)
{
    char es[512];
    if (rd_kafka_conf_set(c, k, v, es, sizeof es) != RD_KAFKA_CONF_OK)
        return err_set(err, TARN_ERR_INVALID, "kafka property %s=%s: %s", k, v, es);
    return 0;
}

int kafka_ingest_run(const KafkaIngestOptions *o, KafkaIngestStats *stats, TarnError *err)
{
    Ingest g;
    memset(&g, 0, sizeof g);
    g.o = o;
    g.err = err;
    g.batch_start_ms = -1;
    for (int m = 0; m < M_COUNT; m++)
        g.meta[m] = -1;
    g.n_meta = o->format == INGEST_RAW ? M_KEY : M_COUNT;
    g.topic_len = strlen(o->topic);
    g.grouped = o->group != NULL;
    if (o->group)
        snprintf(g.group, sizeof g.group, "%s", o->group);
    else
        snprintf(g.group, sizeof g.group, "tarn-%s.%s", o->schema, o->table);
    int64_t flush_rows = o->flush_rows > 0 ? o->flush_rows : 100000;
    int64_t flush_ms = o->flush_interval_ms > 0 ? o->flush_interval_ms : 1000;
    size_t max_bytes = o->max_buffer_bytes > 0 ? (size_t)o->max_buffer_bytes : (size_t)256 << 20;
    int rc = 0;

    rd_kafka_queue_t *cq = NULL;
    IngestSinkOptions so = {o->lake, o->schema, o->table, o->dlq_table, "STREAMING UPDATE"};
    if (!(g.sink = ingest_sink_open(&so, err)))
        return err->kind;
    if (!(g.spare = ingest_sink_open(&so, err))) {
        ingest_sink_close(g.sink);
        return err->kind;
    }
    pthread_mutex_init(&g.com.mu, NULL);
    pthread_cond_init(&g.com.cv, NULL);
    if (pthread_create(&g.com.thread, NULL, committer_main, &g) != 0) {
        rc = err_set(err, TARN_ERR_INTERNAL, "cannot start the committer thread");
        goto done;
    }
    g.com.started = true;
    IngestDecoderOptions dop = {o->format, o->avro_schema_json, o->confluent, META_NAMES, M_COUNT};
    if (o->format == INGEST_RAW)
        dop.n_reserved = M_KEY;
    if (!(g.dec = ingest_decoder_new(g.sink, &dop, err))) {
        rc = err->kind;
        goto done;
    }

    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char qkb[32];
    snprintf(qkb, sizeof qkb, "%d", 65536);
    char fwait[32];
    snprintf(fwait, sizeof fwait, "%d", (int)(flush_ms / 10 < 10 ? 10 : flush_ms / 10 > 500 ? 500 : flush_ms / 10));
    if ((rc = set_conf(conf, "bootstrap.servers", o->brokers, err)) ||
        (rc = set_conf(conf, "group.id", g.group, err)) ||
        (rc = set_conf(conf, "enable.auto.commit", "false", err)) ||
        (rc = set_conf(conf, "enable.auto.offset.store", "false", err)) ||
        (rc = set_conf(conf, "enable.partition.eof", "true", err)) ||
        (rc = set_conf(conf, "auto.offset.reset", "earliest", err)) ||
        (rc = set_conf(conf, "partition.assignment.strategy", "range,roundrobin", err)) ||
        (rc = set_conf(conf, "queued.max.messages.kbytes", qkb, err)) ||
        /* librdkafka 2.0 stops fetching a partition whose prefetch queue
         * is over queued.min.messages / queued.max.messages.kbytes and
         * looks at it again only when its broker thread next wakes up
         * (measured: ~0.6 s without records after each time the queue
         * filled, 3x the decoding time).  The limit in bytes (64 MB, 16
         * before) is the bound; the message count is not. */
        (rc = set_conf(conf, "queued.min.messages", "10000000", err)) ||
        /* a fetch with nothing new waits at most this long at the broker
         * (librdkafka's default 500 ms: records produced meanwhile may wait
         * that long, against a flush interval of 1 s); a tenth of the
         * flush interval, 10..500 ms */
        (rc = set_conf(conf, "fetch.wait.max.ms", fwait, err)) ||
        (rc = set_conf(conf, "fetch.error.backoff.ms", "20", err)) ||
        (rc = set_conf(conf, "client.id", "tarn-ingest", err)) ||
        (rc = set_conf(conf, "log_level", o->verbose ? "6" : "3", err))) {
        rd_kafka_conf_destroy(conf);
        goto done;
    }
    for (int i = 0; i < o->n_props; i++) {
        const char *eq = strchr(o->props[i], '=');
        char k[256];
        if (!eq || eq == o->props[i] || (size_t)(eq - o->props[i]) >= sizeof k) {
            rc = err_set(err, TARN_ERR_INVALID, "--property \"%s\": expected NAME=VALUE", o->props[i]);
            rd_kafka_conf_destroy(conf);
            goto done;
        }
        memcpy(k, o->props[i], (size_t)(eq - o->props[i]));
        k[eq - o->props[i]] = '\0';
        if ((rc = set_conf(conf, k, eq + 1, err))) {
            rd_kafka_conf_destroy(conf);
            goto done;
        }
    }
    if (g.grouped)
        rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
    rd_kafka_conf_set_opaque(conf, &g);
    char es[512];
    if (!(g.rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, es, sizeof es))) {
        rd_kafka_conf_destroy(conf);
        rc = err_set(err, TARN_ERR_IO, "kafka: %s", es);
        goto done;
    }
    rd_kafka_poll_set_consumer(g.rk);
    if (g.grouped) {
        rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(sub, o->topic, RD_KAFKA_PARTITION_UA);
        rd_kafka_resp_err_t e = rd_kafka_subscribe(g.rk, sub);
        rd_kafka_topic_partition_list_destroy(sub);
        if (e) {
            rc = err_set(err, TARN_ERR_IO, "kafka: subscribe: %s", rd_kafka_err2str(e));
            goto done;
        }
    } else if ((rc = assign_all(&g, err)))
        goto done;

    cq = g.grouped ? NULL : rd_kafka_queue_get_consumer(g.rk);
    int64_t last_end_check = 0;
    while (!(o->stop && *o->stop) && !g.fatal) {
        int timeout = 100;
        if (g.batch_start_ms >= 0) {
            int64_t left = g.batch_start_ms + flush_ms - coarse_ms();
            timeout = left < 0 ? 0 : left < 100 ? (int)left : 100;
        }
        /* Standalone (no rebalance callbacks to serve): up to 256 records a
         * call, never more than the batch has room for; in a group, one at
         * a time through rd_kafka_consumer_poll, which serves them. */
        rd_kafka_message_t *msgs[256];
        ssize_t nm;
        if (cq) {
            int64_t room = flush_rows - (int64_t)(ingest_sink_rows(g.sink) + ingest_sink_dlq_rows(g.sink));
            size_t want = room < 1 ? 1 : room > 256 ? 256 : (size_t)room;
            /* what is queued, without waiting: a batch call with a
             * timeout waits for `want` records (or the timeout) even
             * when some are there; only an empty queue blocks, for the
             * first record */
            nm = rd_kafka_consume_batch_queue(cq, 0, msgs, want);
            if (nm <= 0) {
                int64_t t0 = g.o->verbose ? now_ms() : 0;
                msgs[0] = rd_kafka_consume_queue(cq, timeout);
                nm = msgs[0] ? 1 : 0;
                if (g.o->verbose)
                    g.starved_ms += now_ms() - t0;
            }
        } else {
            msgs[0] = rd_kafka_consumer_poll(g.rk, timeout);
            nm = msgs[0] ? 1 : 0;
        }
        bool idle = nm == 0;
        for (ssize_t mi = 0; mi < nm; mi++) {
            rd_kafka_message_t *msg = msgs[mi];
            if (rc) {
                rd_kafka_message_destroy(msg);
                continue;
            }
            if (!msg->err)
                rc = on_record(&g, msg, err);
            else if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                Part *p = get_part(&g, msg->partition, err);
                if (!p)
                    rc = err->kind;
                else if (p->assigned && (p->next < 0 || msg->offset >= p->next))
                    p->eof = true;
                idle = true;
            } else if (msg->err == RD_KAFKA_RESP_ERR__FATAL) {
                char fs[512];
                rd_kafka_fatal_error(g.rk, fs, sizeof fs);
                rc = err_set(err, TARN_ERR_IO, "kafka: fatal error: %s", fs);
            } else
                logf_(&g, "%s", rd_kafka_message_errstr(msg));
            rd_kafka_message_destroy(msg);
        }
        if (rc)
            break;
        uint32_t buffered = ingest_sink_rows(g.sink) + ingest_sink_dlq_rows(g.sink);
        bool full = buffered >= flush_rows;
        /* buffered input bytes (records + per-row overhead); the clock each time (coarse) */
        if (!full)
            full = g.batch_bytes >= max_bytes;
        bool old = g.batch_start_ms >= 0 && coarse_ms() - g.batch_start_ms >= flush_ms;
        if (full || old) {
            if ((rc = flush_start(&g, false, err)))
                break;
        }
        if (o->exit_at_end && idle && now_ms() - last_end_check >= 50) {
            last_end_check = now_ms();
            bool done;
            if ((rc = at_end(&g, &done, err)))
                break;
            if (done)
                break;
        }
    }
    if (!rc && g.fatal)
        rc = g.fatal;
    if (!rc)
        rc = flush(&g, true, err);
done:
    if (cq)
        rd_kafka_queue_destroy(cq);
    if (g.rk) {
        rd_kafka_consumer_close(g.rk);
        rd_kafka_destroy(g.rk);
    }
    if (!rc && g.fatal)
        rc = g.fatal;
    if (g.com.started) {
        if (g.com.busy) {
            TarnError e2;
            err_clear(&e2);
            commit_wait(&g, true, &e2);
        }
        pthread_mutex_lock(&g.com.mu);
        g.com.quit = true;
        pthread_cond_broadcast(&g.com.cv);
        pthread_mutex_unlock(&g.com.mu);
        pthread_join(g.com.thread, NULL);
    }
    pthread_mutex_destroy(&g.com.mu);
    pthread_cond_destroy(&g.com.cv);
    ingest_decoder_free(g.dec);
    ingest_sink_close(g.sink);
    ingest_sink_close(g.spare);
    for (int i = 0; i < g.n_parts; i++)
        tarn_free(g.parts[i].app_id);
    tarn_free(g.parts);
    tarn_free(g.com.prog);
    tarn_free(g.com.part_ids);
    if (stats)
        *stats = g.st;
    return rc;
}
