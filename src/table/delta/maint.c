/*
 * maint.c - table maintenance: history, OPTIMIZE (bin-packing and
 * Z-order), VACUUM and RESTORE.
 *
 * OPTIMIZE rewrites, per partition, the files smaller than the target size
 * (and files carrying deletion vectors) into new files near the target size
 * with dataChange=false, so streaming readers skip the commit.  With
 * Z-order columns every file of a partition is rewritten, rows sorted by
 * the interleaved bits of the columns' ranks (ranks rather than raw values
 * make every type - strings, decimals, dates - contribute evenly).
 *
 * VACUUM deletes files under the table root that no snapshot within the
 * retention window needs: everything except live files, tombstones younger
 * than the retention, their deletion vectors, and the change data files of
 * commits within the retention.  Files younger than the retention are never
 * deleted either: they may belong to a transaction that has not committed
 * yet.  In _delta_log/ only storage temporaries (".NAME.tmp-PID-N" of
 * killed commits and checkpoints) older than the retention go.
 *
 * Log cleanup (delta_log_cleanup, after a commit's checkpoint) deletes
 * commit and checkpoint files past delta.logRetentionDuration that no
 * version within the retention needs.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "table/delta/delta_int.h"
#include "vector/format.h"

/* ---- History ---------------------------------------------------------------- */

int delta_history(DeltaTable *t, size_t limit, Arena *a, DeltaHistoryEntry **out, size_t *n_out, TarnError *err)
{
    *out = NULL;
    *n_out = 0;
    DeltaSnapshot *latest = delta_snapshot_latest(t, err);
    if (!latest)
        return err->kind;
    DeltaLogListing l;
    int rc = delta_log_list(t, &l, err);
    if (rc) {
        delta_snapshot_free(latest);
        return rc;
    }
    size_t n_commits = 0;
    for (size_t i = 0; i < l.n; i++)
        n_commits += l.items[i].info.kind == DELTA_LOG_COMMIT && l.items[i].info.version <= latest->version;
    size_t n = limit && limit < n_commits ? limit : n_commits;
    DeltaHistoryEntry *h = arena_calloc(a, sizeof *h * (n + 1));
    if (!h) {
        rc = ERR_NOMEM(err, 64);
        goto done;
    }
    size_t k = 0;
    for (size_t i = l.n; i-- > 0 && k < n && rc == 0;) {
        const DeltaLogEntry *e = &l.items[i];
        if (e->info.kind != DELTA_LOG_COMMIT || e->info.version > latest->version)
            continue;
        DeltaActionList acts;
        delta_action_list_init(&acts);
        rc = delta_read_commit(t, e->info.version, a, &acts, err);
        if (rc == 0) {
            DeltaHistoryEntry *x = &h[k++];
            x->version = e->info.version;
            x->timestamp_ms = e->mtime_ms;
            for (size_t j = 0; j < acts.n; j++)
                if (acts.items[j].kind == DELTA_ACT_COMMIT_INFO) {
                    const DeltaCommitInfo *c = &acts.items[j].u.commit_info;
                    x->operation = c->operation;
                    x->commit_info_json = c->json;
                    if (c->has_in_commit_timestamp)
                        x->timestamp_ms = c->in_commit_timestamp;
                    break;
                }
        }
        delta_action_list_free(&acts);
    }
    if (rc == 0) {
        *out = h;
        *n_out = k;
    }
done:
    delta_log_listing_free(&l);
    delta_snapshot_free(latest);
    return rc;
}

/* ---- Optimize ----------------------------------------------------------------------- */

/* Canonical text of a file's partition values (sorted by key). */
static char *partition_key(Arena *a, const DeltaStrMap *pv)
{
    Buf b;
    buf_init(&b);
    bool *used = tarn_calloc(pv->n + 1, 1);
    for (uint32_t k = 0; used && k < pv->n; k++) {
        int best = -1;
        for (uint32_t i = 0; i < pv->n; i++)
            if (!used[i] && (best < 0 || strcmp(pv->keys[i], pv->keys[best]) < 0))
                best = (int)i;
        used[best] = 1;
        buf_printf(&b, "%s=%s%c", pv->keys[best], pv->values[best] ? pv->values[best] : "", pv->values[best] ? 2 : 1);
    }
    tarn_free(used);
    buf_terminate(&b);
    char *r = arena_strdup(a, b.data ? (const char *)b.data : "");
    buf_free(&b);
    return r;
}

typedef struct Collect {
    DeltaTransaction *x;
    Batch *rows;               /* z-order: all rows of the partition */
    bool zorder;
    int64_t n_rows;
} Collect;

static int collect_batch(void *ctx, const Batch *b, const int64_t *row_idx, TarnError *err)
{
    Collect *c = ctx;
    (void)row_idx;
    c->n_rows += b->n_rows;
    if (!c->zorder)
        return delta_txn_write(c->x, b, err);
    for (uint32_t k = 0; k < b->n_cols; k++)
        for (uint32_t i = 0; i < b->n_rows; i++)
            if (vec_append_from(&c->rows->cols[k], &b->cols[k], i))
                return ERR_NOMEM(err, 64);
    c->rows->n_rows += b->n_rows;
    return 0;
}

typedef struct ZSort {
    const Vector *v;
    uint32_t *idx;
} ZSort;

static const Vector *g_zsort_vec;

static int zsort_cmp(const void *a, const void *b)
{
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    Value x = delta_vector_value(g_zsort_vec, i), y = delta_vector_value(g_zsort_vec, j);
    if (x.is_null || y.is_null)
        return (int)!x.is_null - (int)!y.is_null;
    return delta_value_cmp(&x, &y);
}

static uint64_t *g_zkeys;

static int zkey_cmp(const void *a, const void *b)
{
    uint64_t x = g_zkeys[*(const uint32_t *)a], y = g_zkeys[*(const uint32_t *)b];
    return x < y ? -1 : x > y;
}

/* Writes rows sorted by the Z-order (bit interleaving) of the columns' ranks. */
static int write_zordered(DeltaTransaction *x, Batch *rows, const int *zcols, int nz, TarnError *err)
{
    uint32_t n = rows->n_rows;
    if (n == 0)
        return 0;
    uint64_t *keys = tarn_calloc(n, sizeof(uint64_t));
    uint32_t *idx = tarn_malloc(sizeof(uint32_t) * n);
    uint32_t *rank = tarn_malloc(sizeof(uint32_t) * n);
    int rc = 0;
    if (!keys || !idx || !rank) {
        rc = ERR_NOMEM(err, 64);
        goto done;
    }
    int bits = 64 / nz;
    if (bits > 32)
        bits = 32;
    for (int z = 0; z < nz; z++) {
        for (uint32_t i = 0; i < n; i++)
            idx[i] = i;
        g_zsort_vec = &rows->cols[zcols[z]];
        qsort(idx, n, sizeof *idx, zsort_cmp);
        /* dense ranks, equal values share one */
        uint32_t r = 0;
        for (uint32_t i = 0; i < n; i++) {
            if (i && zsort_cmp(&idx[i - 1], &idx[i]) != 0)
                r++;
            rank[idx[i]] = r;
        }
        uint64_t max = r ? r : 1;
        for (uint32_t i = 0; i < n; i++) {
            uint64_t scaled = bits >= 32 ? rank[i] : (uint64_t)(((double)rank[i] / (double)max) * (double)((1ull << bits) - 1));
            for (int bit = 0; bit < bits; bit++)
                if (scaled >> bit & 1)
                    keys[i] |= 1ull << (bit * nz + (nz - 1 - z));
        }
    }
    for (uint32_t i = 0; i < n; i++)
        idx[i] = i;
    g_zkeys = keys;
    qsort(idx, n, sizeof *idx, zkey_cmp);
    /* write in batches */
    Batch out;
    if (batch_init(&out, rows->schema)) {
        rc = ERR_NOMEM(err, 64);
        goto done;
    }
    for (uint32_t s = 0; s < n && rc == 0; s += 65536) {
        uint32_t e = s + 65536 < n ? s + 65536 : n;
        batch_reset(&out);
        for (uint32_t k = 0; k < out.n_cols && rc == 0; k++)
            for (uint32_t i = s; i < e && rc == 0; i++)
                if (vec_append_from(&out.cols[k], &rows->cols[k], idx[i]))
                    rc = ERR_NOMEM(err, 64);
        out.n_rows = e - s;
        if (rc == 0)
            rc = delta_txn_write(x, &out, err);
    }
    batch_destroy(&out);
done:
    tarn_free(keys);
    tarn_free(idx);
    tarn_free(rank);
    return rc;
}

int delta_optimize(DeltaTable *t, const DeltaOptimizeOptions *o, DeltaResult *res, TarnError *err)
{
    DeltaOptimizeOptions opt;
    memset(&opt, 0, sizeof opt);
    if (o)
        opt = *o;
    int64_t target = opt.target_file_bytes > 0 ? opt.target_file_bytes : DELTA_DEFAULT_TARGET_FILE_BYTES;
    DeltaTransaction *x = delta_txn_begin(t, err);
    if (!x)
        return err->kind;
    DeltaSnapshot *snap = delta_txn_snapshot(x);
    const DeltaSchema *ds = &snap->schema;
    int zcols[16];
    int nz = opt.n_zorder_columns;
    int rc = 0;
    if (nz > 16)
        rc = err_set(err, TARN_ERR_INVALID, "Z-order supports at most 16 columns");
    for (int i = 0; rc == 0 && i < nz; i++) {
        zcols[i] = delta_schema_find(ds, opt.zorder_columns[i]);
        if (zcols[i] < 0)
            rc = err_set_state(err, TARN_ERR_NOT_FOUND, "42703", "Z-order column \"%s\" does not exist", opt.zorder_columns[i]);
        else if (type_is_nested(ds->schema.fields[zcols[i]].type.id))
            rc = err_set(err, TARN_ERR_INVALID, "Z-order column \"%s\" must have a simple type", opt.zorder_columns[i]);
        for (uint32_t p = 0; rc == 0 && p < snap->metadata.n_partition_columns; p++)
            if (strcasecmp(snap->metadata.partition_columns[p], opt.zorder_columns[i]) == 0)
                rc = err_set(err, TARN_ERR_INVALID, "Z-order column \"%s\" is a partition column", opt.zorder_columns[i]);
    }
    if (rc == 0)
        rc = delta_txn_read_predicate(x, opt.partition_filter, opt.n_partition_filter, err);
    /* group candidate files by partition */
    Arena ga;
    arena_init(&ga, 16 * 1024);
    size_t nf = snap->n_files;
    char **keys = tarn_calloc(nf + 1, sizeof(char *));
    bool *cand = tarn_calloc(nf + 1, 1);
    bool *done = tarn_calloc(nf + 1, 1);
    if (!keys || !cand || !done)
        rc = ERR_NOMEM(err, 64);
    for (size_t i = 0; rc == 0 && i < nf; i++) {
        const DeltaAdd *f = delta_snapshot_file(snap, i);
        if (opt.n_partition_filter && !delta_file_may_match(snap, f, opt.partition_filter, opt.n_partition_filter, &ga))
            continue;
        cand[i] = nz > 0 || f->size < target || f->dv != NULL;
        keys[i] = partition_key(&ga, &f->partition_values);
        if (!keys[i])
            rc = ERR_NOMEM(err, 64);
    }
    int64_t removed = 0;
    for (size_t i = 0; rc == 0 && i < nf; i++) {
        if (!cand[i] || done[i])
            continue;
        /* the partition's candidates */
        size_t count = 0;
        bool any_dv = false;
        for (size_t j = i; j < nf; j++)
            if (cand[j] && !done[j] && strcmp(keys[j], keys[i]) == 0) {
                count++;
                any_dv |= delta_snapshot_file(snap, j)->dv != NULL;
            }
        if (count < 2 && !any_dv && nz == 0) {
            done[i] = true;
            continue;
        }
        Batch all;
        bool have_all = false;
        Collect c = {x, NULL, nz > 0, 0};
        if (nz > 0) {
            if (batch_init(&all, &ds->schema)) {
                rc = ERR_NOMEM(err, 64);
                break;
            }
            all.n_rows = 0;
            have_all = true;
            c.rows = &all;
        }
        for (size_t j = i; j < nf && rc == 0; j++) {
            if (!cand[j] || done[j] || strcmp(keys[j], keys[i]) != 0)
                continue;
            done[j] = true;
            rc = delta_read_file(snap, delta_snapshot_file(snap, j), true, collect_batch, &c, err);
            if (rc == 0)
                rc = delta_txn_remove_file(x, delta_snapshot_file(snap, j), false, err);
            removed++;
        }
        if (rc == 0 && have_all)
            rc = write_zordered(x, &all, zcols, nz, err);
        if (have_all)
            batch_destroy(&all);
        if (rc == 0)
            rc = delta_txn_flush(x, err); /* one partition's files per flush */
    }
    tarn_free(keys);
    tarn_free(cand);
    tarn_free(done);
    arena_free(&ga);
    if (rc == 0)
        delta_txn_mark_rearrange(x);
    if (rc == 0) {
        Buf p;
        buf_init(&p);
        buf_printf(&p, "{\"predicate\":\"[]\",\"zOrderBy\":\"[");
        for (int i = 0; i < nz; i++)
            buf_printf(&p, "%s\\\"%s\\\"", i ? "," : "", opt.zorder_columns[i]);
        buf_printf(&p, "]\"}");
        buf_terminate(&p);
        rc = delta_txn_set_operation(x, "OPTIMIZE", (const char *)p.data, err);
        buf_free(&p);
    }
    if (rc == 0)
        rc = delta_txn_add_metric(x, "numRemovedFiles", removed, err);
    if (rc) {
        delta_txn_abort(x);
        return rc;
    }
    if (removed == 0) { /* nothing to do: no commit */
        delta_txn_abort(x);
        if (res) {
            memset(res, 0, sizeof *res);
            res->version = -1;
        }
        return 0;
    }
    return delta_txn_commit(x, res, err);
}

/* ---- Vacuum ----------------------------------------------------------------------------- */

typedef struct Walk {
    DeltaTable *t;
    DeltaIndex *keep;
    Arena *a;
    int64_t cutoff;
    DeltaVacuumResult *res;
    size_t cap;
    char prefix[4096];         /* relative folder being listed ("" or "a=1/") */
    bool dry_run;
    int depth;
    TarnError *err;
} Walk;

static int walk_dir(Walk *w);
static int walk_add(Walk *w, const char *rel, uint64_t size);

static int walk_cb(void *ctx, const StorageEntry *e)
{
    Walk *w = ctx;
    const char *name = e->name;
    /* Hidden entries: only the temporaries of tarn's storage writers
     * (".NAME.tmp-PID-N", left by a crashed writer) are removed, once older
     * than the retention; Spark's ".part-*.crc" and the like stay. */
    if (name[0] == '.' && (e->is_dir || !strstr(name, ".tmp-")))
        return 0;
    if (w->depth == 0 && strcmp(name, DELTA_LOG_DIR) == 0)
        return 0;
    if (name[0] == '_' && strcmp(name, "_change_data") != 0 && !strchr(name, '='))
        return 0; /* hidden (Spark _SUCCESS, _temporary ...) */
    size_t pl = strlen(w->prefix);
    if (pl + strlen(name) + 2 >= sizeof w->prefix)
        return 0;
    if (e->is_dir) {
        char save[4096];
        memcpy(save, w->prefix, pl + 1);
        snprintf(w->prefix + pl, sizeof w->prefix - pl, "%s/", name);
        w->depth++;
        int rc = walk_dir(w);
        w->depth--;
        memcpy(w->prefix, save, pl + 1);
        return rc;
    }
    char rel[8200];
    snprintf(rel, sizeof rel, "%s%s", w->prefix, name);
    uint32_t dummy;
    if (delta_index_get(w->keep, rel, &dummy))
        return 0;
    if (e->mtime_ms >= w->cutoff)
        return 0; /* maybe an uncommitted write in progress */
    return walk_add(w, rel, e->size);
}

/* Keeps a file (relative path) for deletion. */
static int walk_add(Walk *w, const char *rel, uint64_t size)
{
    if (w->res->n_files == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        char **p = arena_alloc(w->a, sizeof(char *) * cap);
        if (!p)
            return TARN_ERR_NOMEM;
        if (w->res->n_files)
            memcpy(p, w->res->files, sizeof(char *) * w->res->n_files);
        w->res->files = p;
        w->cap = cap;
    }
    char *s = arena_strdup(w->a, rel);
    if (!s)
        return TARN_ERR_NOMEM;
    w->res->files[w->res->n_files++] = s;
    w->res->bytes += (int64_t)size;
    return 0;
}

/* An entry of _delta_log/: a storage temporary (".NAME.tmp-PID-N") older
 * than the retention is the debris of a killed commit or checkpoint. */
static int log_temp_cb(void *ctx, const StorageEntry *e)
{
    Walk *w = ctx;
    if (e->is_dir || e->name[0] != '.' || !strstr(e->name, ".tmp-") || e->mtime_ms >= w->cutoff)
        return 0;
    char rel[4200];
    snprintf(rel, sizeof rel, DELTA_LOG_DIR "/%s", e->name);
    return walk_add(w, rel, e->size);
}

static int walk_dir(Walk *w)
{
    if (w->depth > 64)
        return 0;
    Arena tmp;
    arena_init(&tmp, 4096);
    char *dir = delta_table_path(&tmp, w->t, w->prefix);
    int rc = dir ? storage_list_hidden(w->t->s, dir[0] ? dir : "", walk_cb, w, w->err) : TARN_ERR_NOMEM;
    arena_free(&tmp);
    return rc;
}

static int keep_path(DeltaIndex *keep, Arena *a, DeltaTable *t, const char *log_path, TarnError *err)
{
    char *dec;
    bool abs;
    if (delta_path_decode(a, log_path, &dec, &abs, err))
        return err->kind;
    if (abs)
        return 0;
    return delta_index_put(keep, dec, 0) ? ERR_NOMEM(err, 64) : 0;
}

static int keep_dv(DeltaIndex *keep, Arena *a, const DeltaDv *dv, TarnError *err)
{
    if (!dv || dv->storage_type != 'u')
        return 0;
    char rel[1024];
    int rc = delta_dv_rel_path(dv, rel, sizeof rel, err);
    if (rc)
        return rc;
    char *s = arena_strdup(a, rel);
    return !s || delta_index_put(keep, s, 0) ? ERR_NOMEM(err, 64) : 0;
}

int delta_vacuum(DeltaTable *t, const DeltaVacuumOptions *o, Arena *a, DeltaVacuumResult *res, TarnError *err)
{
    memset(res, 0, sizeof *res);
    DeltaVacuumOptions opt;
    memset(&opt, 0, sizeof opt);
    opt.retention_hours = -1;
    if (o)
        opt = *o;
    DeltaSnapshot *snap = delta_snapshot_latest(t, err);
    if (!snap)
        return err->kind;
    int rc = delta_protocol_check_write(&snap->protocol, err);
    int64_t retention_ms = opt.retention_hours >= 0
                               ? (int64_t)(opt.retention_hours * 3600000.0)
                               : delta_retention_ms(&snap->metadata, "delta.deletedFileRetentionDuration",
                                                    (int64_t)(DELTA_DEFAULT_RETENTION_HOURS * 3600000.0));
    if (rc == 0 && retention_ms < (int64_t)(DELTA_DEFAULT_RETENTION_HOURS * 3600000.0) && !opt.allow_short_retention) {
        err_set(err, TARN_ERR_INVALID, "VACUUM retention of %.1f hours is shorter than the safe minimum of %.0f hours",
                (double)retention_ms / 3600000.0, DELTA_DEFAULT_RETENTION_HOURS);
        err_detail(err, "Readers of older snapshots and writers still committing could lose files.");
        err_hint(err, "Pass allow_short_retention to override.");
        rc = TARN_ERR_INVALID;
    }
    int64_t cutoff = delta_now_ms(t) - retention_ms;
    DeltaIndex keep;
    delta_index_init(&keep);
    Arena ka;
    arena_init(&ka, 64 * 1024);
    for (size_t i = 0; rc == 0 && i < snap->n_files; i++) {
        rc = keep_path(&keep, &ka, t, delta_snapshot_file(snap, i)->path, err);
        if (rc == 0)
            rc = keep_dv(&keep, &ka, delta_snapshot_file(snap, i)->dv, err);
    }
    for (size_t i = 0; rc == 0 && i < snap->n_tombstones; i++) {
        const DeltaRemove *r = delta_snapshot_tombstone(snap, i);
        if (r->has_deletion_timestamp && r->deletion_timestamp < cutoff)
            continue;
        rc = keep_path(&keep, &ka, t, r->path, err);
        if (rc == 0)
            rc = keep_dv(&keep, &ka, r->dv, err);
    }
    /* change data of commits within the retention */
    DeltaLogListing l;
    memset(&l, 0, sizeof l);
    if (rc == 0)
        rc = delta_log_list(t, &l, err);
    for (size_t i = 0; rc == 0 && i < l.n; i++) {
        const DeltaLogEntry *e = &l.items[i];
        if (e->info.kind != DELTA_LOG_COMMIT || e->mtime_ms < cutoff)
            continue;
        DeltaActionList acts;
        delta_action_list_init(&acts);
        rc = delta_read_commit(t, e->info.version, &ka, &acts, err);
        for (size_t j = 0; rc == 0 && j < acts.n; j++) {
            const DeltaAction *ac = &acts.items[j];
            if (ac->kind == DELTA_ACT_CDC)
                rc = keep_path(&keep, &ka, t, ac->u.cdc.path, err);
            else if (ac->kind == DELTA_ACT_REMOVE)
                rc = keep_path(&keep, &ka, t, ac->u.remove.path, err);
            else if (ac->kind == DELTA_ACT_ADD)
                rc = keep_path(&keep, &ka, t, ac->u.add.path, err);
        }
        delta_action_list_free(&acts);
    }
    delta_log_listing_free(&l);
    Walk w;
    memset(&w, 0, sizeof w);
    w.t = t;
    w.keep = &keep;
    w.a = a;
    w.cutoff = cutoff;
    w.res = res;
    w.dry_run = opt.dry_run;
    w.err = err;
    if (rc == 0) {
        rc = walk_dir(&w);
        if (rc == TARN_ERR_NOMEM)
            ERR_NOMEM(err, 64);
    }
    if (rc == 0) {
        /* _delta_log/ itself: only the hidden temporaries of killed commits
         * and checkpoints (the log's own files are never vacuumed) */
        char *dir = delta_table_path(&ka, t, DELTA_LOG_DIR);
        rc = dir ? storage_list_hidden(t->s, dir, log_temp_cb, &w, err) : ERR_NOMEM(err, 64);
        if (rc == TARN_ERR_NOMEM)
            ERR_NOMEM(err, 64);
    }
    for (size_t i = 0; rc == 0 && !opt.dry_run && i < res->n_files; i++) {
        char *full = delta_table_path(&ka, t, res->files[i]);
        if (!full)
            rc = ERR_NOMEM(err, 64);
        else
            rc = storage_remove(t->s, full, err);
    }
    delta_index_free(&keep);
    arena_free(&ka);
    delta_snapshot_free(snap);
    return rc;
}

/* ---- Log cleanup ------------------------------------------------------------------------------ */

#define DELTA_DEFAULT_LOG_RETENTION_MS (INT64_C(30) * 86400000)

int delta_log_cleanup(DeltaTable *t, const DeltaMetadata *md, int64_t checkpoint_version, TarnError *err)
{
    const char *on = delta_map_get(&md->configuration, "delta.enableExpiredLogCleanup", NULL);
    if (on && strcasecmp(on, "false") == 0)
        return 0;
    int64_t cutoff = delta_now_ms(t) - delta_retention_ms(md, "delta.logRetentionDuration", DELTA_DEFAULT_LOG_RETENTION_MS);
    DeltaLogListing l;
    int rc = delta_log_list(t, &l, err);
    if (rc)
        return rc;
    /* Versions up to `expired` are all past the retention: the oldest
     * commits, up to the first one that is not (file modification times). */
    int64_t expired = -1;
    for (size_t i = 0; i < l.n; i++) {
        const DeltaLogEntry *e = &l.items[i];
        if (e->info.kind != DELTA_LOG_COMMIT)
            continue;
        if (e->mtime_ms >= cutoff || e->info.version > checkpoint_version)
            break;
        expired = e->info.version;
    }
    /* Every version after `expired` must stay readable: keep the newest
     * complete checkpoint at or before expired + 1 and everything after it. */
    int64_t keep_from = -1;
    if (expired >= 0) {
        size_t first, count;
        int64_t bound = expired + 1 < checkpoint_version ? expired + 1 : checkpoint_version;
        delta_log_pick_checkpoint(&l, bound, &first, &count, &keep_from);
    }
    Arena a;
    arena_init(&a, 4096);
    for (size_t i = 0; rc == 0 && keep_from > 0 && i < l.n; i++) {
        const DeltaLogEntry *e = &l.items[i];
        if (e->info.version >= keep_from)
            break; /* sorted by version: oldest deleted first */
        DeltaLogFileKind k = e->info.kind;
        if (k != DELTA_LOG_COMMIT && k != DELTA_LOG_CHECKPOINT && k != DELTA_LOG_CHECKPOINT_PART &&
            k != DELTA_LOG_CHECKPOINT_V2)
            continue;
        char rel[4200];
        snprintf(rel, sizeof rel, DELTA_LOG_DIR "/%s", e->name);
        char *path = delta_table_path(&a, t, rel);
        rc = path ? storage_remove(t->s, path, err) : ERR_NOMEM(err, 64);
        arena_reset(&a);
    }
    arena_free(&a);
    delta_log_listing_free(&l);
    return rc;
}

/* ---- Restore ------------------------------------------------------------------------------- */

static bool same_file(const DeltaAdd *a, const DeltaAdd *b)
{
    if (strcmp(a->path, b->path) != 0)
        return false;
    if (!a->dv || !b->dv)
        return a->dv == b->dv;
    return a->dv->storage_type == b->dv->storage_type && strcmp(a->dv->path_or_inline, b->dv->path_or_inline) == 0 &&
           a->dv->offset == b->dv->offset;
}

int delta_restore(DeltaTable *t, int64_t version, DeltaResult *res, TarnError *err)
{
    DeltaTransaction *x = delta_txn_begin(t, err);
    if (!x)
        return err->kind;
    DeltaSnapshot *cur = delta_txn_snapshot(x);
    int rc = 0;
    if (version >= cur->version)
        rc = err_set(err, TARN_ERR_INVALID, "cannot restore to version %" PRId64 ": the table is at version %" PRId64,
                     version, cur->version);
    DeltaSnapshot *old = rc ? NULL : delta_snapshot_at_version(t, version, err);
    if (!rc && !old)
        rc = err->kind;
    delta_txn_read_whole_table(x);
    for (size_t i = 0; rc == 0 && i < cur->n_files; i++) {
        const DeltaAdd *f = delta_snapshot_file(cur, i);
        const DeltaAdd *o = delta_snapshot_find_file(old, f->path);
        if (!o || !same_file(o, f))
            rc = delta_txn_remove_file(x, f, true, err);
    }
    Arena tmp;
    arena_init(&tmp, 4096);
    for (size_t i = 0; rc == 0 && i < old->n_files; i++) {
        const DeltaAdd *o = delta_snapshot_file(old, i);
        const DeltaAdd *f = delta_snapshot_find_file(cur, o->path);
        if (f && same_file(o, f))
            continue;
        Storage *st;
        char *path;
        uint64_t size;
        if ((rc = delta_resolve_path(t, &tmp, o->path, &st, &path, err)))
            break;
        if (storage_size(st, path, &size, err)) {
            err_clear(err);
            rc = err_set(err, TARN_ERR_NOT_FOUND,
                         "cannot restore to version %" PRId64 ": data file \"%s\" no longer exists (vacuumed?)", version, o->path);
            break;
        }
        DeltaAdd a = *o;
        a.data_change = true;
        rc = delta_txn_add_file(x, &a, err);
        arena_reset(&tmp);
    }
    arena_free(&tmp);
    if (rc == 0 && old && strcmp(old->metadata.schema_string, cur->metadata.schema_string) != 0)
        rc = delta_txn_set_metadata(x, &old->metadata, err);
    if (rc == 0) {
        char params[64];
        snprintf(params, sizeof params, "{\"version\":%" PRId64 "}", version);
        rc = delta_txn_set_operation(x, "RESTORE", params, err);
    }
    if (old)
        delta_snapshot_free(old);
    if (rc) {
        delta_txn_abort(x);
        return rc;
    }
    return delta_txn_commit(x, res, err);
}

int delta_restore_timestamp(DeltaTable *t, int64_t ts_ms, DeltaResult *res, TarnError *err)
{
    DeltaSnapshot *s = delta_snapshot_at_timestamp(t, ts_ms, err);
    if (!s)
        return err->kind;
    int64_t v = s->version;
    delta_snapshot_free(s);
    return delta_restore(t, v, res, err);
}
