/*
 * snapshot.c - opening tables, listing _delta_log, log replay into a
 * snapshot (checkpoint + later commits, PROTOCOL.md "Action
 * Reconciliation"), time travel, protocol checks and snapshot accessors.
 *
 * Replay runs forward: the newest complete checkpoint at or below the
 * target version is applied first, then every commit after it in order.
 * Live files are keyed by path (the protocol allows one live logical file
 * per path); a remove deletes the live file only when its deletion vector
 * id matches, and becomes a tombstone keyed by (path, DV id).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <xxhash.h>

#include "table/delta/delta_int.h"

/* ---- DeltaIndex ------------------------------------------------------------ */

void delta_index_init(DeltaIndex *ix)
{
    memset(ix, 0, sizeof *ix);
}

void delta_index_free(DeltaIndex *ix)
{
    tarn_free(ix->slots);
    tarn_free(ix->keys);
    delta_index_init(ix);
}

#define SLOT_DELETED UINT64_C(0xFFFFFFFF)

static uint32_t hash_str(const char *k)
{
    return (uint32_t)XXH3_64bits(k, strlen(k));
}

/* Slot holding key, or -1. */
static ptrdiff_t find_slot(const DeltaIndex *ix, const char *key, uint32_t h)
{
    if (!ix->cap)
        return -1;
    size_t mask = ix->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        uint64_t sl = ix->slots[i];
        if (!sl)
            return -1;
        if ((uint32_t)(sl >> 32) == h && (sl & SLOT_DELETED) != SLOT_DELETED && strcmp(ix->keys[i], key) == 0)
            return (ptrdiff_t)i;
    }
}

bool delta_index_get(const DeltaIndex *ix, const char *key, uint32_t *value_out)
{
    ptrdiff_t i = find_slot(ix, key, hash_str(key));
    if (i < 0)
        return false;
    *value_out = (uint32_t)(ix->slots[i] & 0xFFFFFFFF) - 1;
    return true;
}

static int grow_to(DeltaIndex *ix, size_t want)
{
    size_t cap = ix->cap ? ix->cap : 64;
    while (want * 10 >= cap * 6)
        cap *= 2;
    uint64_t *slots = tarn_calloc(cap, sizeof *slots);
    const char **keys = tarn_malloc(cap * sizeof *keys);
    if (!slots || !keys) {
        tarn_free(slots);
        tarn_free(keys);
        return TARN_ERR_NOMEM;
    }
    for (size_t i = 0; i < ix->cap; i++) {
        uint64_t sl = ix->slots[i];
        if (!sl || (sl & SLOT_DELETED) == SLOT_DELETED)
            continue;
        size_t j = (size_t)(sl >> 32) & (cap - 1);
        while (slots[j])
            j = (j + 1) & (cap - 1);
        slots[j] = sl;
        keys[j] = ix->keys[i];
    }
    tarn_free(ix->slots);
    tarn_free(ix->keys);
    ix->slots = slots;
    ix->keys = keys;
    ix->cap = cap;
    ix->n_deleted = 0;
    return 0;
}

int delta_index_put(DeltaIndex *ix, const char *key, uint32_t value)
{
    uint32_t prev;
    bool had;
    return delta_index_upsert(ix, key, value, &prev, &had);
}

int delta_index_upsert(DeltaIndex *ix, const char *key, uint32_t value, uint32_t *prev_out, bool *had_out)
{
    uint32_t h = hash_str(key);
    ptrdiff_t f = find_slot(ix, key, h);
    *had_out = f >= 0;
    if (f >= 0) {
        *prev_out = (uint32_t)(ix->slots[f] & 0xFFFFFFFF) - 1;
        ix->slots[f] = (uint64_t)h << 32 | ((uint64_t)value + 1);
        ix->keys[f] = key;
        return 0;
    }
    if ((ix->n + ix->n_deleted + 1) * 10 >= ix->cap * 6 && grow_to(ix, ix->n + 1))
        return TARN_ERR_NOMEM;
    size_t mask = ix->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        uint64_t sl = ix->slots[i];
        if (!sl || (sl & SLOT_DELETED) == SLOT_DELETED) {
            if (sl)
                ix->n_deleted--;
            ix->slots[i] = (uint64_t)h << 32 | ((uint64_t)value + 1);
            ix->keys[i] = key;
            ix->n++;
            return 0;
        }
    }
}

int delta_index_reserve(DeltaIndex *ix, size_t n)
{
    if ((n + ix->n_deleted) * 10 < ix->cap * 6)
        return 0;
    return grow_to(ix, n);
}

bool delta_index_del(DeltaIndex *ix, const char *key, uint32_t *value_out)
{
    ptrdiff_t i = find_slot(ix, key, hash_str(key));
    if (i < 0)
        return false;
    if (value_out)
        *value_out = (uint32_t)(ix->slots[i] & 0xFFFFFFFF) - 1;
    ix->slots[i] |= SLOT_DELETED;
    ix->n--;
    ix->n_deleted++;
    return true;
}

/* ---- Table ---------------------------------------------------------------------- */

static int64_t system_now_ms(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t delta_now_ms(const DeltaTable *t)
{
    return t->opts.now_ms ? t->opts.now_ms(t->opts.now_ctx) : system_now_ms(NULL);
}

int64_t delta_table_now_ms(const DeltaTable *t)
{
    return delta_now_ms(t);
}

DeltaTable *delta_table_open(Storage *s, const char *root, const DeltaTableOptions *opts,
                             TarnError *err)
{
    if (!s)
        return (void)err_set(err, TARN_ERR_INVALID, "no storage given for the Delta table"), NULL;
    DeltaTable *t = tarn_calloc(1, sizeof *t);
    if (!t)
        return (void)ERR_NOMEM(err, sizeof *t), NULL;
    t->s = s;
    size_t n = root ? strlen(root) : 0;
    while (n && root[n - 1] == '/')
        n--;
    t->root = tarn_strndup(root ? root : "", n);
    if (t->root)
        t->log_prefix = tarn_malloc(n + sizeof(DELTA_LOG_DIR) + 2);
    if (!t->root || !t->log_prefix) {
        tarn_free(t->root);
        tarn_free(t);
        return (void)ERR_NOMEM(err, n), NULL;
    }
    sprintf(t->log_prefix, "%s%s" DELTA_LOG_DIR "/", t->root, n ? "/" : "");
    /* where the table is, for messages: "<storage root>/<root>" */
    const char *sr = s->root && s->root[0] ? s->root : NULL;
    size_t dl = (sr ? strlen(sr) : 0) + n + 3;
    if (!(t->display = tarn_malloc(dl))) {
        tarn_free(t->log_prefix);
        tarn_free(t->root);
        tarn_free(t);
        return (void)ERR_NOMEM(err, dl), NULL;
    }
    if (sr && n)
        snprintf(t->display, dl, "%s%s%s", sr, sr[strlen(sr) - 1] == '/' ? "" : "/", t->root);
    else
        snprintf(t->display, dl, "%s", sr ? sr : n ? t->root : ".");
    pthread_mutex_init(&t->lock, NULL);
    if (opts)
        t->opts = *opts;
    if (t->opts.max_commit_attempts <= 0)
        t->opts.max_commit_attempts = DELTA_DEFAULT_COMMIT_ATTEMPTS;
    if (opts && opts->write_options)
        t->write_opts = *opts->write_options;
    else
        pq_write_options_default(&t->write_opts);
    t->opts.write_options = &t->write_opts;
    return t;
}

DeltaTable *delta_table_open_dir(const char *dir, bool create, const DeltaTableOptions *opts,
                                 TarnError *err)
{
    Storage *s = storage_open_local(dir, create, err);
    if (!s)
        return NULL;
    DeltaTable *t = delta_table_open(s, "", opts, err);
    if (!t) {
        storage_close(s);
        return NULL;
    }
    t->owns_storage = true;
    /* name the table as the caller did (the storage may hold a normalized form) */
    char *d = tarn_strdup(dir);
    if (d) {
        tarn_free(t->display);
        t->display = d;
    }
    return t;
}

void delta_table_close(DeltaTable *t)
{
    if (!t)
        return;
    if (t->cached)
        delta_snapshot_free(t->cached);
    if (t->abs_storage)
        storage_close(t->abs_storage);
    if (t->owns_storage)
        storage_close(t->s);
    pthread_mutex_destroy(&t->lock);
    tarn_free(t->root);
    tarn_free(t->log_prefix);
    tarn_free(t->display);
    tarn_free(t);
}

Storage *delta_table_abs_storage(DeltaTable *t)
{
    Storage *st = __atomic_load_n(&t->abs_storage, __ATOMIC_ACQUIRE);
    if (st)
        return st;
    pthread_mutex_lock(&t->lock);
    if (!t->abs_storage) {
        TarnError e2;
        err_clear(&e2);
        __atomic_store_n(&t->abs_storage, storage_open_local("/", false, &e2), __ATOMIC_RELEASE);
    }
    st = t->abs_storage;
    pthread_mutex_unlock(&t->lock);
    return st;
}

Storage *delta_table_storage(const DeltaTable *t) { return t->s; }
const char *delta_table_root(const DeltaTable *t) { return t->root; }

char *delta_table_path(Arena *a, const DeltaTable *t, const char *rel)
{
    size_t rn = strlen(t->root), n = strlen(rel);
    char *p = arena_alloc(a, rn + n + 2);
    if (!p)
        return NULL;
    if (rn) {
        memcpy(p, t->root, rn);
        p[rn] = '/';
        memcpy(p + rn + 1, rel, n + 1);
    } else {
        memcpy(p, rel, n + 1);
    }
    return p;
}

int delta_resolve_path(DeltaTable *t, Arena *a, const char *log_path, Storage **s_out,
                       char **path_out, TarnError *err)
{
    char *dec;
    bool abs;
    int rc = delta_path_decode(a, log_path, &dec, &abs, err);
    if (rc)
        return rc;
    if (!abs) {
        *s_out = t->s;
        *path_out = delta_table_path(a, t, dec);
        return *path_out ? 0 : ERR_NOMEM(err, strlen(dec));
    }
    Storage *abs_st = delta_table_abs_storage(t);
    if (!abs_st)
        return err_set(err, TARN_ERR_UNSUPPORTED, "unsupported: absolute path \"%s\" (the local file system cannot be opened)",
                       log_path);
    *s_out = abs_st;
    *path_out = dec + 1; /* strip the leading '/' */
    while (**path_out == '/')
        (*path_out)++;
    return 0;
}

typedef struct SrcCtx {
    Storage *s;
    char *path;
} SrcCtx;

static int src_read(void *ctx, uint64_t offset, size_t len, void *buf, TarnError *err)
{
    SrcCtx *c = ctx;
    return storage_read_range(c->s, c->path, offset, len, buf, err);
}

static void src_close(void *ctx)
{
    SrcCtx *c = ctx;
    tarn_free(c->path);
    tarn_free(c);
}

PqReader *delta_open_parquet(Storage *s, const char *path, uint64_t size, const PqReadOptions *o,
                             TarnError *err)
{
    if (size == 0 && storage_size(s, path, &size, err))
        return NULL;
    SrcCtx *c = tarn_malloc(sizeof *c);
    char *p = tarn_strdup(path);
    if (!c || !p) {
        tarn_free(c);
        tarn_free(p);
        return (void)ERR_NOMEM(err, strlen(path)), NULL;
    }
    c->s = s;
    c->path = p;
    PqSource src = {c, size, src_read, src_close, p};
    return pq_reader_open_source(src, o, err);
}

/* ---- Listing --------------------------------------------------------------------- */

static int list_cb(void *ctx, const StorageEntry *e)
{
    DeltaLogListing *l = ctx;
    if (e->is_dir)
        return 0;
    DeltaLogFileName info = delta_log_file_classify(e->name);
    if (info.kind == DELTA_LOG_OTHER || info.kind == DELTA_LOG_CRC)
        return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        DeltaLogEntry *p = tarn_realloc(l->items, cap * sizeof *p);
        if (!p)
            return TARN_ERR_NOMEM;
        l->items = p;
        l->cap = cap;
    }
    DeltaLogEntry *d = &l->items[l->n];
    d->name = arena_strdup(&l->arena, e->name);
    if (!d->name)
        return TARN_ERR_NOMEM;
    d->info = info;
    d->size = e->size;
    d->mtime_ms = e->mtime_ms;
    l->n++;
    return 0;
}

void delta_log_listing_free(DeltaLogListing *l)
{
    tarn_free(l->items);
    arena_free(&l->arena);
    memset(l, 0, sizeof *l);
}

static int entry_cmp(const void *a, const void *b)
{
    const DeltaLogEntry *x = a, *y = b;
    if (x->info.version != y->info.version)
        return x->info.version < y->info.version ? -1 : 1;
    return strcmp(x->name, y->name);
}

int delta_log_list(DeltaTable *t, DeltaLogListing *out, TarnError *err)
{
    memset(out, 0, sizeof *out);
    arena_init(&out->arena, 64 * 1024);
    int rc = storage_list(t->s, t->log_prefix, list_cb, out, err);
    if (rc == TARN_ERR_NOMEM)
        ERR_NOMEM(err, 0);
    if (rc) {
        delta_log_listing_free(out);
        if (rc == TARN_ERR_NOT_FOUND) {
            err_clear(err);
            return err_set(err, TARN_ERR_NOT_FOUND, "not a Delta table: \"%s\" has no %s directory",
                           t->display, DELTA_LOG_DIR);
        }
        return rc;
    }
    /* Names sort by version already; keep it robust to odd listings. */
    bool sorted = true;
    for (size_t i = 1; i < out->n && sorted; i++)
        sorted = entry_cmp(&out->items[i - 1], &out->items[i]) <= 0;
    if (!sorted)
        qsort(out->items, out->n, sizeof *out->items, entry_cmp);
    return 0;
}

const DeltaLogEntry *delta_log_find_commit(const DeltaLogListing *l, int64_t v)
{
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->items[mid].info.version < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < l->n && l->items[i].info.version == v; i++)
        if (l->items[i].info.kind == DELTA_LOG_COMMIT)
            return &l->items[i];
    return NULL;
}

int64_t delta_log_latest_version(const DeltaLogListing *l)
{
    int64_t v = -1;
    for (size_t i = 0; i < l->n; i++) {
        const DeltaLogFileName *f = &l->items[i].info;
        if (f->kind == DELTA_LOG_COMMIT || f->kind == DELTA_LOG_CHECKPOINT ||
            f->kind == DELTA_LOG_CHECKPOINT_PART || f->kind == DELTA_LOG_CHECKPOINT_V2)
            if (f->version > v)
                v = f->version;
    }
    return v;
}

int delta_read_commit(DeltaTable *t, int64_t version, Arena *a, DeltaActionList *out,
                      TarnError *err)
{
    char name[32], rel[64];
    delta_commit_file_name(version, name);
    snprintf(rel, sizeof rel, DELTA_LOG_DIR "/%s", name);
    char *path = delta_table_path(a, t, rel);
    if (!path)
        return ERR_NOMEM(err, 64);
    Buf b;
    buf_init(&b);
    int rc = storage_read_all(t->s, path, DELTA_MAX_COMMIT_BYTES, &b, err);
    if (rc) {
        buf_free(&b);
        return err_context(err, "reading commit %" PRId64, version);
    }
    rc = delta_actions_parse(a, (const char *)b.data, b.len, rel, out, err);
    buf_free(&b);
    return rc;
}

/* ---- Replay ------------------------------------------------------------------------ */

typedef struct Replay {
    DeltaSnapshot *s;
    bool bulk;                 /* checkpoint adds go straight to the file array */
    bool has_protocol, has_metadata;
    bool in_checkpoint;
    int64_t sidecar_count;
    size_t holes;              /* NULL entries left in files by duplicate checkpoint adds */
} Replay;

static bool same_dv(const DeltaDv *a, const DeltaDv *b)
{
    if (!a || !b)
        return a == b;
    return a->storage_type == b->storage_type && a->has_offset == b->has_offset &&
           (!a->has_offset || a->offset == b->offset) && strcmp(a->path_or_inline, b->path_or_inline) == 0;
}

static char *tomb_key(Arena *a, const char *path, const DeltaDv *dv)
{
    if (!dv)
        return (char *)path;
    Buf b;
    buf_init(&b);
    char *k = NULL;
    if (buf_append(&b, path, strlen(path)) == 0 && buf_append_byte(&b, 1) == 0 &&
        delta_dv_unique_id(dv, &b) == 0 && buf_terminate(&b) == 0)
        k = arena_strndup(a, (const char *)b.data, b.len);
    buf_free(&b);
    return k;
}

/* Key functions of the paged indexes: the path of live file v, the key of
 * tombstone v. */
static const char *file_key(const void *ctx, uint32_t v)
{
    return ((const DeltaAdd *)(uintptr_t)delta_pages_get(&((const DeltaSnapshot *)ctx)->files, v))->path;
}

static const char *tomb_key_of(const void *ctx, uint32_t v)
{
    return ((const DeltaTomb *)(uintptr_t)delta_pages_get(&((const DeltaSnapshot *)ctx)->tombstones, v))->key;
}

static DeltaAdd *file_at(const DeltaSnapshot *s, size_t i)
{
    return (DeltaAdd *)(uintptr_t)delta_pages_get(&s->files, i);
}

static DeltaTomb *tomb_at(const DeltaSnapshot *s, size_t i)
{
    return (DeltaTomb *)(uintptr_t)delta_pages_get(&s->tombstones, i);
}

/* Appends a live file (the struct is copied into the snapshot's memory);
 * indexed unless `bulk` (a checkpoint's files are indexed at the end). */
static int push_file(DeltaSnapshot *s, const DeltaAdd *f, bool bulk)
{
    DeltaAdd *p = arena_alloc(&s->mem->arena, sizeof *p);
    if (!p)
        return TARN_ERR_NOMEM;
    *p = *f;
    if (delta_pages_set(&s->files, s->n_files, (uint64_t)(uintptr_t)p))
        return TARN_ERR_NOMEM;
    s->n_files++;
    s->total_bytes += p->size;
    return bulk ? 0 : delta_pidx_put(&s->file_index, p->path, (uint32_t)(s->n_files - 1), file_key, s, NULL, NULL);
}

/* Removes live file idx (already dropped from file_index): the last file
 * takes its place, so the array never has holes and the index is never
 * rebuilt. */
static int remove_file_at(DeltaSnapshot *s, uint32_t idx)
{
    size_t last = s->n_files - 1;
    s->total_bytes -= file_at(s, idx)->size;
    if (idx != last) {
        DeltaAdd *moved = file_at(s, last);
        /* re-point the moved file's entry while files[last] still names it */
        if (delta_pidx_put(&s->file_index, moved->path, idx, file_key, s, NULL, NULL) ||
            delta_pages_set(&s->files, idx, (uint64_t)(uintptr_t)moved))
            return TARN_ERR_NOMEM;
    }
    s->n_files--;
    return delta_pages_set(&s->files, last, 0);
}

/* Same for tombstone idx (already dropped from tomb_index). */
static int remove_tomb_at(DeltaSnapshot *s, uint32_t idx)
{
    size_t last = s->n_tombstones - 1;
    if (idx != last) {
        DeltaTomb *moved = tomb_at(s, last);
        if (delta_pidx_put(&s->tomb_index, moved->key, idx, tomb_key_of, s, NULL, NULL) ||
            delta_pages_set(&s->tombstones, idx, (uint64_t)(uintptr_t)moved))
            return TARN_ERR_NOMEM;
    }
    s->n_tombstones--;
    return delta_pages_set(&s->tombstones, last, 0);
}

/* Drops the tombstone with key k, if any (a path added again). */
static int drop_tomb(DeltaSnapshot *s, const char *k)
{
    uint32_t ti;
    bool found;
    if (delta_pidx_del(&s->tomb_index, k, tomb_key_of, s, &ti, &found))
        return TARN_ERR_NOMEM;
    return found ? remove_tomb_at(s, ti) : 0;
}

static int apply_action(void *ctx, const DeltaAction *act, TarnError *err)
{
    Replay *r = ctx;
    DeltaSnapshot *s = r->s;
    uint32_t idx;
    switch (act->kind) {
    case DELTA_ACT_PROTOCOL:
        s->protocol = act->u.protocol;
        r->has_protocol = true;
        return 0;
    case DELTA_ACT_METADATA:
        s->metadata = act->u.metadata;
        r->has_metadata = true;
        return 0;
    case DELTA_ACT_ADD: {
        const DeltaAdd *f = &act->u.add;
        if (r->in_checkpoint && r->bulk) /* already reconciled: indexed all at once at the end */
            return push_file(s, f, true) ? ERR_NOMEM(err, sizeof *f) : 0;
        if (delta_pidx_get(&s->file_index, f->path, file_key, s, &idx)) {
            DeltaAdd *p = arena_alloc(&s->mem->arena, sizeof *p);
            if (!p)
                return ERR_NOMEM(err, sizeof *p);
            *p = *f;
            s->total_bytes += p->size - file_at(s, idx)->size;
            /* same path, so the index entry stays right */
            if (delta_pages_set(&s->files, idx, (uint64_t)(uintptr_t)p))
                return ERR_NOMEM(err, 64);
        } else if (push_file(s, f, false)) {
            return ERR_NOMEM(err, sizeof *f);
        }
        if (s->n_tombstones) {
            char *k = tomb_key(&s->mem->arena, f->path, f->dv);
            if (!k || drop_tomb(s, k))
                return ERR_NOMEM(err, 64);
        }
        return 0;
    }
    case DELTA_ACT_REMOVE: {
        const DeltaRemove *rm = &act->u.remove;
        if (delta_pidx_get(&s->file_index, rm->path, file_key, s, &idx) && same_dv(file_at(s, idx)->dv, rm->dv)) {
            bool found;
            if (delta_pidx_del(&s->file_index, rm->path, file_key, s, NULL, &found) || remove_file_at(s, idx))
                return ERR_NOMEM(err, 64);
        }
        DeltaTomb *tb = arena_alloc(&s->mem->arena, sizeof *tb);
        char *k = tb ? tomb_key(&s->mem->arena, rm->path, rm->dv) : NULL;
        if (!k)
            return ERR_NOMEM(err, 64);
        tb->remove = *rm;
        tb->key = k;
        if (delta_pidx_get(&s->tomb_index, k, tomb_key_of, s, &idx))
            return delta_pages_set(&s->tombstones, idx, (uint64_t)(uintptr_t)tb) ? ERR_NOMEM(err, 64) : 0;
        if (delta_pages_set(&s->tombstones, s->n_tombstones, (uint64_t)(uintptr_t)tb))
            return ERR_NOMEM(err, 64);
        s->n_tombstones++;
        return delta_pidx_put(&s->tomb_index, k, (uint32_t)(s->n_tombstones - 1), tomb_key_of, s, NULL, NULL)
                   ? ERR_NOMEM(err, 64) : 0;
    }
    case DELTA_ACT_TXN: {
        const DeltaSetTxn *tx = &act->u.txn;
        if (delta_index_get(&s->txn_index, tx->app_id, &idx)) {
            s->txns[idx] = *tx;
            return delta_index_put(&s->txn_index, s->txns[idx].app_id, idx) ? ERR_NOMEM(err, 64) : 0;
        }
        if (s->n_txns == s->cap_txns) {
            size_t cap = s->cap_txns ? s->cap_txns * 2 : 16;
            DeltaSetTxn *p = tarn_realloc(s->txns, cap * sizeof *p);
            if (!p)
                return ERR_NOMEM(err, cap * sizeof *p);
            s->txns = p;
            s->cap_txns = cap;
        }
        s->txns[s->n_txns++] = *tx;
        return delta_index_put(&s->txn_index, s->txns[s->n_txns - 1].app_id, (uint32_t)(s->n_txns - 1))
                   ? ERR_NOMEM(err, 64) : 0;
    }
    case DELTA_ACT_DOMAIN_METADATA: {
        const DeltaDomainMetadata *d = &act->u.domain;
        for (size_t i = 0; i < s->n_domains; i++) {
            if (strcmp(s->domains[i].domain, d->domain) == 0) {
                s->domains[i] = *d;
                return 0;
            }
        }
        if (s->n_domains == s->cap_domains) {
            size_t cap = s->cap_domains ? s->cap_domains * 2 : 8;
            DeltaDomainMetadata *p = tarn_realloc(s->domains, cap * sizeof *p);
            if (!p)
                return ERR_NOMEM(err, cap * sizeof *p);
            s->domains = p;
            s->cap_domains = cap;
        }
        s->domains[s->n_domains++] = *d;
        return 0;
    }
    case DELTA_ACT_SIDECAR:
        if (!r->in_checkpoint)
            return err_set(err, TARN_ERR_CORRUPT, "sidecar action outside a checkpoint");
        r->sidecar_count++;
        return 0;
    default:
        return 0; /* commitInfo, cdc, checkpointMetadata, unknown actions */
    }
}

/* Applies a V2 checkpoint's sidecars: the manifest's sidecar actions name
 * Parquet files under _delta_log/_sidecars/. */
typedef struct V2Ctx {
    Replay *r;
    DeltaTable *t;
    DeltaActionList sidecars;
} V2Ctx;

static int v2_action(void *ctx, const DeltaAction *act, TarnError *err)
{
    V2Ctx *v = ctx;
    if (act->kind == DELTA_ACT_SIDECAR)
        return delta_action_list_push(&v->sidecars, act) ? ERR_NOMEM(err, sizeof *act) : 0;
    return apply_action(v->r, act, err);
}

static int read_checkpoint(DeltaTable *t, const DeltaLogListing *l, size_t first, size_t count,
                           Replay *r, TarnError *err)
{
    DeltaSnapshot *s = r->s;
    r->in_checkpoint = true;
    r->bulk = true;
    int rc = 0;
    for (size_t i = first; i < first + count && rc == 0; i++) {
        const DeltaLogEntry *e = &l->items[i];
        char rel[512];
        snprintf(rel, sizeof rel, DELTA_LOG_DIR "/%s", e->name);
        char *path = delta_table_path(&s->mem->arena, t, rel);
        if (!path)
            return ERR_NOMEM(err, 64);
        V2Ctx v = {r, t, {0, 0, NULL}};
        if (e->info.kind == DELTA_LOG_CHECKPOINT_V2 && e->info.is_json) {
            Buf b;
            buf_init(&b);
            DeltaActionList acts;
            delta_action_list_init(&acts);
            rc = storage_read_all(t->s, path, DELTA_MAX_COMMIT_BYTES, &b, err);
            if (rc == 0)
                rc = delta_actions_parse(&s->mem->arena, (const char *)b.data, b.len, rel, &acts, err);
            buf_free(&b);
            for (size_t j = 0; rc == 0 && j < acts.n; j++)
                rc = v2_action(&v, &acts.items[j], err);
            delta_action_list_free(&acts);
        } else {
            rc = delta_checkpoint_read_parquet(t, path, e->size, &s->mem->arena, v2_action, &v, err);
        }
        for (size_t j = 0; rc == 0 && j < v.sidecars.n; j++) {
            const DeltaSidecar *sc = &v.sidecars.items[j].u.sidecar;
            char *dec;
            bool abs;
            rc = delta_path_decode(&s->mem->arena, sc->path, &dec, &abs, err);
            if (rc)
                break;
            const char *base = strrchr(dec, '/');
            base = base ? base + 1 : dec;
            char srel[1024];
            snprintf(srel, sizeof srel, DELTA_LOG_DIR "/_sidecars/%s", base);
            char *sp = delta_table_path(&s->mem->arena, t, srel);
            if (!sp) {
                rc = ERR_NOMEM(err, 64);
                break;
            }
            rc = delta_checkpoint_read_parquet(t, sp, (uint64_t)(sc->size_bytes > 0 ? sc->size_bytes : 0),
                                               &s->mem->arena, apply_action, r, err);
            if (rc)
                err_context(err, "reading sidecar \"%s\"", srel);
        }
        delta_action_list_free(&v.sidecars);
        if (rc)
            err_context(err, "reading checkpoint \"%s\"", rel);
    }
    r->in_checkpoint = false;
    r->bulk = false;
    if (rc)
        return rc;
    /* Index the checkpoint's files; a path listed twice keeps its last entry. */
    if (delta_pidx_reserve(&s->file_index, s->n_files))
        return ERR_NOMEM(err, 64);
    for (size_t i = 0; i < s->n_files; i++) {
        uint32_t prev;
        bool had;
        if (delta_pidx_put(&s->file_index, file_at(s, i)->path, (uint32_t)i, file_key, s, &prev, &had))
            return ERR_NOMEM(err, 64);
        if (had) { /* a hole, compacted by finish_snapshot */
            s->total_bytes -= file_at(s, prev)->size;
            if (delta_pages_set(&s->files, prev, 0))
                return ERR_NOMEM(err, 64);
            r->holes++;
        }
    }
    /* tombstones of paths that are live again are not tombstones */
    for (size_t i = 0; s->n_tombstones && i < s->n_files; i++) {
        const DeltaAdd *f = file_at(s, i);
        if (!f)
            continue;
        char *k = tomb_key(&s->mem->arena, f->path, f->dv);
        if (!k || drop_tomb(s, k))
            return ERR_NOMEM(err, 64);
    }
    return 0;
}

/* ---- Snapshot memory ------------------------------------------------------------------ */

/* A new block on top of prev (whose reference it takes over). */
static DeltaMemBlock *mem_new(DeltaMemBlock *prev, size_t chunk_bytes)
{
    DeltaMemBlock *m = tarn_calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->refs = 1;
    arena_init(&m->arena, chunk_bytes);
    m->prev = prev;
    m->depth = prev ? prev->depth + 1 : 1;
    m->base_bytes = prev ? prev->base_bytes : 0;
    m->delta_bytes = prev ? prev->delta_bytes : 0;
    return m;
}

static DeltaMemBlock *mem_ref(DeltaMemBlock *m)
{
    __atomic_add_fetch(&m->refs, 1, __ATOMIC_RELAXED);
    return m;
}

/* Drops a reference; frees the blocks nobody uses any more (iteratively:
 * chains may be long). */
static void mem_unref(DeltaMemBlock *m)
{
    while (m && __atomic_sub_fetch(&m->refs, 1, __ATOMIC_ACQ_REL) == 0) {
        DeltaMemBlock *prev = m->prev;
        arena_free(&m->arena);
        tarn_free(m);
        m = prev;
    }
}

/* Records the block's final size once its snapshot is built. */
static void mem_seal(DeltaMemBlock *m)
{
    if (m->prev)
        m->delta_bytes += m->arena.total_bytes;
    else
        m->base_bytes = m->arena.total_bytes;
}

static void snapshot_destroy(DeltaSnapshot *s)
{
    delta_schema_destroy(&s->schema);
    delta_pages_free(&s->files);
    delta_pidx_free(&s->file_index);
    delta_pages_free(&s->tombstones);
    delta_pidx_free(&s->tomb_index);
    tarn_free(s->txns);
    delta_index_free(&s->txn_index);
    tarn_free(s->domains);
    delta_stats_cache_free(s->stats_cache);
    mem_unref(s->mem);
    tarn_free(s);
}

/* An empty snapshot of `version` whose memory is a new block on top of
 * prev (NULL: a base block; else the caller's reference to prev is taken
 * over). */
static DeltaSnapshot *snapshot_new(DeltaTable *t, int64_t version, DeltaMemBlock *prev, size_t chunk_bytes,
                                   TarnError *err)
{
    DeltaSnapshot *s = tarn_calloc(1, sizeof *s);
    DeltaMemBlock *m = s ? mem_new(prev, chunk_bytes) : NULL;
    if (!m) {
        tarn_free(s);
        mem_unref(prev);
        ERR_NOMEM(err, sizeof *s);
        return NULL;
    }
    s->refs = 1;
    s->table = t;
    s->version = version;
    s->checkpoint_version = -1;
    s->mem = m;
    return s;
}

/* Finds the newest complete checkpoint at or below target: first and count
 * index its files in the listing; *cp_version = -1 when none. */
void delta_log_pick_checkpoint(const DeltaLogListing *l, int64_t target, size_t *first, size_t *count,
                               int64_t *cp_version)
{
    *cp_version = -1;
    *first = *count = 0;
    size_t i = l->n;
    while (i > 0) {
        /* group of entries with the same version */
        size_t end = i, beg = i;
        int64_t v = l->items[i - 1].info.version;
        while (beg > 0 && l->items[beg - 1].info.version == v)
            beg--;
        i = beg;
        if (v > target)
            continue;
        /* prefer a classic or V2 checkpoint; else a complete multi-part set */
        for (size_t k = beg; k < end; k++) {
            DeltaLogFileKind kind = l->items[k].info.kind;
            if (kind == DELTA_LOG_CHECKPOINT || kind == DELTA_LOG_CHECKPOINT_V2) {
                *first = k;
                *count = 1;
                *cp_version = v;
                return;
            }
        }
        for (size_t k = beg; k < end; k++) {
            const DeltaLogFileName *f = &l->items[k].info;
            if (f->kind != DELTA_LOG_CHECKPOINT_PART || f->part != 1)
                continue;
            /* parts 1..n must follow in order with the same n */
            int32_t np = f->n_parts;
            size_t have = 0;
            for (size_t m = k; m < end; m++) {
                const DeltaLogFileName *g = &l->items[m].info;
                if (g->kind == DELTA_LOG_CHECKPOINT_PART && g->n_parts == np && g->part == (int32_t)have + 1)
                    have++;
            }
            if (have == (size_t)np) {
                /* parts sort by name, so they are contiguous from k */
                *first = k;
                *count = (size_t)np;
                *cp_version = v;
                return;
            }
        }
    }
}

static const char *config_get(const DeltaMetadata *m, const char *key)
{
    return delta_map_get(&m->configuration, key, NULL);
}

static bool ict_enabled(const DeltaMetadata *m)
{
    const char *v = config_get(m, "delta.enableInCommitTimestamps");
    if (!v)
        v = config_get(m, "delta.enableInCommitTimestamps-preview");
    return v && strcasecmp(v, "true") == 0;
}

static int64_t ict_enablement_version(const DeltaMetadata *m)
{
    const char *v = config_get(m, "delta.inCommitTimestampEnablementVersion");
    return v ? strtoll(v, NULL, 10) : 0;
}

/* Reads commitInfo.inCommitTimestamp of commit v. */
static int read_ict(DeltaTable *t, int64_t v, int64_t *ts_out, TarnError *err)
{
    Arena a;
    arena_init(&a, 16 * 1024);
    DeltaActionList l;
    delta_action_list_init(&l);
    int rc = delta_read_commit(t, v, &a, &l, err);
    bool found = false;
    for (size_t i = 0; rc == 0 && i < l.n; i++) {
        if (l.items[i].kind == DELTA_ACT_COMMIT_INFO && l.items[i].u.commit_info.has_in_commit_timestamp) {
            *ts_out = l.items[i].u.commit_info.in_commit_timestamp;
            found = true;
            break;
        }
    }
    if (rc == 0 && !found)
        rc = err_set(err, TARN_ERR_CORRUPT, "commit %" PRId64 " lacks commitInfo.inCommitTimestamp although in-commit timestamps are enabled", v);
    delta_action_list_free(&l);
    arena_free(&a);
    return rc;
}

int delta_commit_timestamp(DeltaTable *t, const DeltaLogListing *l, const DeltaSnapshot *s,
                           int64_t version, int64_t *ts_out, TarnError *err)
{
    if (s && ict_enabled(&s->metadata) && version >= ict_enablement_version(&s->metadata)) {
        if (s->version == version && s->commit_info && s->commit_info->has_in_commit_timestamp) {
            *ts_out = s->commit_info->in_commit_timestamp;
            return 0;
        }
        return read_ict(t, version, ts_out, err);
    }
    const DeltaLogEntry *e = delta_log_find_commit(l, version);
    if (!e) {
        /* commit file cleaned up: use a checkpoint's time for that version */
        for (size_t i = 0; i < l->n; i++)
            if (l->items[i].info.version == version) {
                *ts_out = l->items[i].mtime_ms;
                return 0;
            }
        return err_set(err, TARN_ERR_NOT_FOUND, "no commit file for version %" PRId64, version);
    }
    *ts_out = e->mtime_ms;
    return 0;
}

static int finish_snapshot(DeltaSnapshot *s, const Replay *r, TarnError *err)
{
    s->total_rows = INT64_MIN; /* computed on first use: it touches every stats string */
    if (!r->holes)
        return 0;
    /* The checkpoint listed a path twice: compact the files, rebuild the index. */
    size_t j = 0;
    for (size_t i = 0; i < s->n_files; i++) {
        uint64_t w = delta_pages_get(&s->files, i);
        if (w && delta_pages_set(&s->files, j++, w))
            return ERR_NOMEM(err, 64);
    }
    for (size_t i = j; i < s->n_files; i++)
        if (delta_pages_set(&s->files, i, 0))
            return ERR_NOMEM(err, 64);
    s->n_files = j;
    delta_pidx_free(&s->file_index);
    if (delta_pidx_reserve(&s->file_index, j))
        return ERR_NOMEM(err, 64);
    for (size_t i = 0; i < j; i++)
        if (delta_pidx_put(&s->file_index, file_at(s, i)->path, (uint32_t)i, file_key, s, NULL, NULL))
            return ERR_NOMEM(err, 64);
    return 0;
}

/* Applies commits from..to (inclusive) to the snapshot being built; the
 * commitInfo of `target` becomes the snapshot's. */
static int apply_commits(DeltaTable *t, DeltaSnapshot *s, Replay *r, int64_t from, int64_t to, TarnError *err)
{
    DeltaActionList acts;
    delta_action_list_init(&acts);
    int rc = 0;
    for (int64_t v = from; rc == 0 && v <= to; v++) {
        acts.n = 0;
        rc = delta_read_commit(t, v, &s->mem->arena, &acts, err);
        for (size_t i = 0; rc == 0 && i < acts.n; i++) {
            const DeltaAction *a = &acts.items[i];
            if (a->kind == DELTA_ACT_CHECKPOINT_METADATA || a->kind == DELTA_ACT_SIDECAR) {
                rc = err_set(err, TARN_ERR_CORRUPT, "delta log \"%s%020" PRId64 ".json\": %s action in a commit file",
                             DELTA_LOG_DIR "/", v,
                             a->kind == DELTA_ACT_SIDECAR ? "sidecar" : "checkpointMetadata");
                break;
            }
            if (a->kind == DELTA_ACT_COMMIT_INFO && v == s->version) {
                s->commit_info = arena_alloc(&s->mem->arena, sizeof *s->commit_info);
                if (!s->commit_info) {
                    rc = ERR_NOMEM(err, 64);
                    break;
                }
                *s->commit_info = a->u.commit_info;
            }
            rc = apply_action(r, a, err);
        }
    }
    delta_action_list_free(&acts);
    return rc;
}

/* After replay: protocol and metadata present and readable, schema parsed,
 * column mapping mode, live file totals, commit timestamp.  l is the
 * listing the snapshot was built from (NULL for an incremental refresh). */
static int complete_snapshot(DeltaTable *t, const DeltaLogListing *l, DeltaSnapshot *s, const Replay *r,
                             TarnError *err)
{
    int64_t target = s->version;
    int rc = 0;
    if (!r->has_protocol)
        rc = err_set(err, TARN_ERR_CORRUPT, "delta log has no protocol action at version %" PRId64, target);
    if (rc == 0)
        rc = delta_protocol_check_read(&s->protocol, err);
    if (rc == 0 && !r->has_metadata)
        rc = err_set(err, TARN_ERR_CORRUPT, "delta log has no metaData action at version %" PRId64, target);
    if (rc == 0)
        rc = delta_schema_parse(&s->mem->arena, s->metadata.schema_string, strlen(s->metadata.schema_string),
                                &s->schema, err);
    if (rc == 0) {
        const char *mode = config_get(&s->metadata, "delta.columnMapping.mode");
        bool cm_supported = s->protocol.min_reader_version >= 2;
        s->column_mapping = 0;
        if (mode && cm_supported && strcasecmp(mode, "id") == 0)
            s->column_mapping = 1;
        else if (mode && cm_supported && strcasecmp(mode, "name") == 0)
            s->column_mapping = 2;
        else if (mode && cm_supported && strcasecmp(mode, "none") != 0)
            rc = err_set(err, TARN_ERR_UNSUPPORTED, "unsupported: column mapping mode \"%s\"", mode);
    }
    if (rc == 0)
        rc = finish_snapshot(s, r, err);
    if (rc)
        return rc;
    /* The commit timestamp: the in-commit timestamp when the table has them
     * at this version, else the commit file's modification time, which a
     * snapshot built without a full listing looks up on first use. */
    bool ict = ict_enabled(&s->metadata) && target >= ict_enablement_version(&s->metadata);
    if (!ict && (!l || l->partial))
        s->timestamp_ms = INT64_MIN;
    else
        rc = delta_commit_timestamp(t, l, s, target, &s->timestamp_ms, err);
    if (rc == 0)
        mem_seal(s->mem);
    return rc;
}

DeltaSnapshot *delta_snapshot_build(DeltaTable *t, const DeltaLogListing *l, int64_t version,
                                    TarnError *err)
{
    int64_t latest = delta_log_latest_version(l);
    if (latest < 0) {
        err_set(err, TARN_ERR_NOT_FOUND, "not a Delta table: \"%s\" has no commits", t->display);
        return NULL;
    }
    int64_t target = version < 0 ? latest : version;
    if (target > latest) {
        err_set(err, TARN_ERR_NOT_FOUND, "version %" PRId64 " of the table does not exist (latest is %" PRId64 ")",
                target, latest);
        return NULL;
    }
    size_t cp_first, cp_count;
    int64_t cp_version;
    delta_log_pick_checkpoint(l, target, &cp_first, &cp_count, &cp_version);
    /* Commits cp_version+1 .. target must all be present. */
    int64_t expect = cp_version + 1;
    for (size_t i = 0; i < l->n; i++) {
        const DeltaLogFileName *f = &l->items[i].info;
        if (f->kind != DELTA_LOG_COMMIT || f->version < expect)
            continue;
        if (f->version > target)
            break;
        if (f->version != expect)
            break;
        expect++;
    }
    if (expect <= target) {
        if (cp_version < 0 && expect == 0)
            err_set(err, TARN_ERR_NOT_FOUND,
                    "version %" PRId64 " cannot be reconstructed: the log has neither commit 0 nor a checkpoint at or before it",
                    target);
        else
            err_set(err, TARN_ERR_CORRUPT, "delta log versions are not contiguous: commit %" PRId64 " is missing (needed for version %" PRId64 ")",
                    expect, target);
        return NULL;
    }
    DeltaSnapshot *s = snapshot_new(t, target, NULL, 4 * 1024 * 1024, err);
    if (!s)
        return NULL;
    s->checkpoint_version = cp_version;
    Replay r;
    memset(&r, 0, sizeof r);
    r.s = s;
    int rc = 0;
    if (cp_version >= 0)
        rc = read_checkpoint(t, l, cp_first, cp_count, &r, err);
    if (rc == 0)
        rc = apply_commits(t, s, &r, cp_version + 1, target, err);
    if (rc == 0)
        rc = complete_snapshot(t, l, s, &r, err);
    if (rc) {
        snapshot_destroy(s);
        return NULL;
    }
    return s;
}

/* ---- Incremental refresh --------------------------------------------------------------------
 *
 * A table keeps the newest snapshot it loaded.  When newer commits exist,
 * the next snapshot is that one plus only the new commit files: the pages
 * of its live files, tombstones and their indexes are shared (pages.c:
 * copied on first write, so a commit costs the pages it touches, not the
 * table's size), its strings are shared through the chain of memory blocks,
 * the small txn/domain arrays are copied, and the new commits are replayed
 * on top with the same reconciliation as a full load.  Checkpoints written
 * meanwhile are not read.  The chain is bounded: past delta_refresh_max_depth
 * blocks, or once the blocks above the base hold more than the base (and
 * REFRESH_MIN_DELTA_BYTES), the snapshot is deep-copied into one block
 * (O(live state), still no log reading), which drops the strings of files
 * removed since.  A cache more than REFRESH_MAX_COMMITS behind reloads from
 * the newest checkpoint instead: reading that many commit files costs more. */

#define REFRESH_MAX_COMMITS 1000
#define REFRESH_MIN_DELTA_BYTES ((size_t)32 << 20)

size_t delta_refresh_max_depth = 512;

/* Copies an index (the keys are shared). */
static int index_copy(DeltaIndex *dst, const DeltaIndex *src)
{
    delta_index_init(dst);
    if (!src->cap)
        return 0;
    dst->slots = tarn_malloc(src->cap * sizeof *dst->slots);
    dst->keys = tarn_malloc(src->cap * sizeof *dst->keys);
    if (!dst->slots || !dst->keys) {
        delta_index_free(dst);
        return TARN_ERR_NOMEM;
    }
    memcpy(dst->slots, src->slots, src->cap * sizeof *dst->slots);
    memcpy(dst->keys, src->keys, src->cap * sizeof *dst->keys);
    dst->n = src->n;
    dst->n_deleted = src->n_deleted;
    dst->cap = src->cap;
    return 0;
}

/* tarn_malloc'd copy of n elements of `size` bytes with room for `extra` more. */
static void *array_copy(const void *src, size_t n, size_t size, size_t extra, size_t *cap_out)
{
    size_t cap = n + extra;
    void *p = tarn_malloc(cap * size);
    if (p && n)
        memcpy(p, src, n * size);
    if (p)
        *cap_out = cap;
    return p;
}

/* Gives the empty snapshot s the reconciled state of `from`: the pages of
 * files and tombstones are shared, the (small) txn and domain arrays
 * copied, strings shared through the memory chain. */
static int copy_state(DeltaSnapshot *s, const DeltaSnapshot *from)
{
    s->checkpoint_version = from->checkpoint_version;
    s->protocol = from->protocol;
    s->metadata = from->metadata;
    s->total_bytes = from->total_bytes;
    s->txns = array_copy(from->txns, from->n_txns, sizeof *s->txns, 16, &s->cap_txns);
    s->domains = array_copy(from->domains, from->n_domains, sizeof *s->domains, 8, &s->cap_domains);
    if (!s->txns || !s->domains || delta_pages_share(&s->files, &from->files) ||
        delta_pidx_share(&s->file_index, &from->file_index) || delta_pages_share(&s->tombstones, &from->tombstones) ||
        delta_pidx_share(&s->tomb_index, &from->tomb_index) || index_copy(&s->txn_index, &from->txn_index))
        return TARN_ERR_NOMEM;
    s->n_files = from->n_files;
    s->n_tombstones = from->n_tombstones;
    s->n_txns = from->n_txns;
    s->n_domains = from->n_domains;
    return 0;
}

/* The snapshot at `target` (> base->version; commits base+1..target must
 * exist) built from base and the commits after it. */
static DeltaSnapshot *snapshot_extend(DeltaTable *t, DeltaSnapshot *base, int64_t target, TarnError *err)
{
    DeltaSnapshot *s = snapshot_new(t, target, mem_ref(base->mem), 16 * 1024, err);
    if (!s)
        return NULL;
    Replay r;
    memset(&r, 0, sizeof r);
    r.s = s;
    r.has_protocol = r.has_metadata = true;
    int rc = copy_state(s, base) ? ERR_NOMEM(err, 64) : 0;
    if (rc == 0)
        rc = apply_commits(t, s, &r, base->version + 1, target, err);
    if (rc == 0)
        rc = complete_snapshot(t, NULL, s, &r, err);
    if (rc) {
        snapshot_destroy(s);
        return NULL;
    }
    const DeltaMemBlock *m = s->mem;
    bool compact = m->depth > delta_refresh_max_depth ||
                   (m->delta_bytes > REFRESH_MIN_DELTA_BYTES && m->delta_bytes > m->base_bytes);
    if (compact) {
        TarnError e2;
        err_clear(&e2);
        DeltaSnapshot *c = delta_snapshot_compact(s, &e2);
        if (c) { /* else keep the chained one: compaction only saves memory */
            delta_snapshot_free(s);
            s = c;
        }
    }
    return s;
}

static int copy_action(Arena *a, DeltaActionKind kind, void *dst, const void *src, size_t size)
{
    DeltaAction in, out;
    memset(&in, 0, sizeof in);
    in.kind = kind;
    memcpy(&in.u, src, size);
    if (delta_action_copy(a, &out, &in))
        return TARN_ERR_NOMEM;
    memcpy(dst, &out.u, size);
    return 0;
}

DeltaSnapshot *delta_snapshot_compact(const DeltaSnapshot *from, TarnError *err)
{
    size_t chunk = from->mem->base_bytes / 4 + from->mem->delta_bytes / 4 + 64 * 1024;
    if (chunk > 8u * 1024 * 1024)
        chunk = 8u * 1024 * 1024;
    DeltaSnapshot *s = snapshot_new(from->table, from->version, NULL, chunk, err);
    if (!s)
        return NULL;
    Arena *a = &s->mem->arena;
    s->checkpoint_version = from->checkpoint_version;
    s->timestamp_ms = __atomic_load_n(&from->timestamp_ms, __ATOMIC_RELAXED);
    s->total_rows = __atomic_load_n(&from->total_rows, __ATOMIC_RELAXED);
    s->column_mapping = from->column_mapping;
    s->txns = array_copy(from->txns, from->n_txns, sizeof *s->txns, 16, &s->cap_txns);
    s->domains = array_copy(from->domains, from->n_domains, sizeof *s->domains, 8, &s->cap_domains);
    int rc = s->txns && s->domains ? 0 : TARN_ERR_NOMEM;
    s->n_txns = from->n_txns;
    s->n_domains = from->n_domains;
    if (rc == 0)
        rc = copy_action(a, DELTA_ACT_PROTOCOL, &s->protocol, &from->protocol, sizeof s->protocol);
    if (rc == 0)
        rc = copy_action(a, DELTA_ACT_METADATA, &s->metadata, &from->metadata, sizeof s->metadata);
    /* fresh pages and indexes over the copies: nothing shared with `from` */
    if (rc == 0 && delta_pidx_reserve(&s->file_index, from->n_files))
        rc = TARN_ERR_NOMEM;
    for (size_t i = 0; rc == 0 && i < from->n_files; i++) {
        DeltaAction in, out;
        in.kind = DELTA_ACT_ADD;
        in.u.add = *file_at(from, i);
        rc = delta_action_copy(a, &out, &in);
        if (rc == 0)
            rc = push_file(s, &out.u.add, false);
    }
    if (rc == 0 && delta_pidx_reserve(&s->tomb_index, from->n_tombstones))
        rc = TARN_ERR_NOMEM;
    for (size_t i = 0; rc == 0 && i < from->n_tombstones; i++) {
        const DeltaTomb *ft = tomb_at(from, i);
        DeltaTomb *tb = arena_alloc(a, sizeof *tb);
        if (!tb) {
            rc = TARN_ERR_NOMEM;
            break;
        }
        rc = copy_action(a, DELTA_ACT_REMOVE, &tb->remove, &ft->remove, sizeof tb->remove);
        if (rc == 0 && !(tb->key = tomb_key(a, tb->remove.path, tb->remove.dv)))
            rc = TARN_ERR_NOMEM;
        if (rc == 0 && delta_pages_set(&s->tombstones, i, (uint64_t)(uintptr_t)tb))
            rc = TARN_ERR_NOMEM;
        if (rc == 0) {
            s->n_tombstones++;
            rc = delta_pidx_put(&s->tomb_index, tb->key, (uint32_t)i, tomb_key_of, s, NULL, NULL);
        }
    }
    for (size_t i = 0; rc == 0 && i < s->n_txns; i++)
        rc = copy_action(a, DELTA_ACT_TXN, &s->txns[i], &from->txns[i], sizeof s->txns[i]);
    for (size_t i = 0; rc == 0 && i < s->n_txns; i++)
        rc = delta_index_put(&s->txn_index, s->txns[i].app_id, (uint32_t)i);
    for (size_t i = 0; rc == 0 && i < s->n_domains; i++)
        rc = copy_action(a, DELTA_ACT_DOMAIN_METADATA, &s->domains[i], &from->domains[i], sizeof s->domains[i]);
    if (rc == 0 && from->commit_info) {
        s->commit_info = arena_alloc(a, sizeof *s->commit_info);
        rc = s->commit_info ? copy_action(a, DELTA_ACT_COMMIT_INFO, s->commit_info, from->commit_info,
                                          sizeof *s->commit_info)
                            : TARN_ERR_NOMEM;
    }
    if (rc == 0)
        rc = delta_schema_parse(a, s->metadata.schema_string, strlen(s->metadata.schema_string), &s->schema, err);
    else
        ERR_NOMEM(err, 64);
    if (rc) {
        snapshot_destroy(s);
        return NULL;
    }
    mem_seal(s->mem);
    return s;
}

/* ---- Public snapshot API ------------------------------------------------------------------ */

DeltaSnapshot *delta_snapshot_ref(DeltaSnapshot *s)
{
    __atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
    return s;
}

void delta_snapshot_free(DeltaSnapshot *s)
{
    if (!s)
        return;
    if (__atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) == 0)
        snapshot_destroy(s);
}

int delta_table_exists(DeltaTable *t, bool *exists_out, TarnError *err)
{
    DeltaLogListing l;
    *exists_out = false;
    int rc = delta_log_list(t, &l, err);
    if (rc == TARN_ERR_NOT_FOUND) {
        err_clear(err);
        return 0;
    }
    if (rc)
        return rc;
    *exists_out = delta_log_latest_version(&l) >= 0;
    delta_log_listing_free(&l);
    return 0;
}

static int push_entry(DeltaLogListing *l, const char *name, TarnError *err)
{
    StorageEntry e;
    memset(&e, 0, sizeof e);
    e.name = name;
    return list_cb(l, &e) ? ERR_NOMEM(err, 64) : 0;
}

bool delta_commit_exists(DeltaTable *t, int64_t v)
{
    char rel[4200];
    /* prefix + 20 zero-padded digits + ".json", without snprintf: probed at
     * every statement's snapshot check (delta_snapshot_latest) */
    size_t pl = strlen(t->log_prefix);
    if (v < 0 || pl + 26 > sizeof rel)
        return false;
    memcpy(rel, t->log_prefix, pl);
    uint64_t u = (uint64_t)v;
    for (int i = 19; i >= 0; i--, u /= 10)
        rel[pl + (size_t)i] = (char)('0' + u % 10);
    memcpy(rel + pl + 20, ".json", 6);
    TarnError e2;
    err_clear(&e2);
    bool ex = false;
    return storage_exists(t->s, rel, &ex, &e2) == 0 && ex;
}

/* The log from _last_checkpoint onwards without listing the directory: the
 * checkpoint it names (which must exist) and the commits after it, found
 * by probing version after version.  Listing a log of 10,000 commits costs
 * more than the whole replay, so this is how the latest snapshot is found
 * whenever _last_checkpoint is usable; any doubt falls back to a listing
 * (returns non-zero without setting err). */
static int fast_listing(DeltaTable *t, DeltaLogListing *out)
{
    memset(out, 0, sizeof *out);
    arena_init(&out->arena, 4096);
    out->partial = true;
    TarnError e2;
    err_clear(&e2);
    char path[4096];
    snprintf(path, sizeof path, "%s_last_checkpoint", t->log_prefix);
    Buf b;
    buf_init(&b);
    DeltaLastCheckpoint lc;
    int rc = storage_read_all(t->s, path, 1 << 20, &b, &e2);
    if (rc == 0)
        rc = delta_last_checkpoint_parse((const char *)b.data, b.len, &lc, &e2);
    buf_free(&b);
    if (rc)
        goto fallback;
    int64_t parts = lc.has_parts ? lc.parts : 1;
    for (int64_t p = 1; p <= parts; p++) {
        char name[128];
        if (lc.has_parts && parts > 1)
            snprintf(name, sizeof name, "%020" PRId64 ".checkpoint.%010" PRId64 ".%010" PRId64 ".parquet", lc.version, p, parts);
        else
            snprintf(name, sizeof name, "%020" PRId64 ".checkpoint.parquet", lc.version);
        snprintf(path, sizeof path, "%s%s", t->log_prefix, name);
        uint64_t size;
        if (storage_size(t->s, path, &size, &e2) || push_entry(out, name, &e2))
            goto fallback;
        out->items[out->n - 1].size = size;
    }
    for (int64_t v = lc.version + 1;; v++) {
        if (!delta_commit_exists(t, v))
            break;
        char name[32];
        delta_commit_file_name(v, name);
        if (push_entry(out, name, &e2))
            goto fallback;
    }
    return 0;
fallback:
    delta_log_listing_free(out);
    return 1;
}

/* A reference to the cached snapshot, or NULL. */
static DeltaSnapshot *cache_get(DeltaTable *t)
{
    pthread_mutex_lock(&t->lock);
    DeltaSnapshot *s = t->cached ? delta_snapshot_ref(t->cached) : NULL;
    pthread_mutex_unlock(&t->lock);
    return s;
}

/* Makes s the cached snapshot when it is newer than the cached one. */
static void cache_put(DeltaTable *t, DeltaSnapshot *s)
{
    DeltaSnapshot *old = NULL;
    pthread_mutex_lock(&t->lock);
    if (!t->cached || s->version > t->cached->version) {
        old = t->cached;
        t->cached = delta_snapshot_ref(s);
    }
    pthread_mutex_unlock(&t->lock);
    if (old)
        delta_snapshot_free(old);
}

/* The newest snapshot from _last_checkpoint (or a listing) on. */
static DeltaSnapshot *load_latest(DeltaTable *t, TarnError *err)
{
    DeltaLogListing l;
    DeltaSnapshot *s = NULL;
    if (fast_listing(t, &l) == 0) {
        TarnError e2;
        err_clear(&e2);
        s = delta_snapshot_build(t, &l, -1, &e2);
        delta_log_listing_free(&l);
    }
    if (!s) {
        /* no usable _last_checkpoint (or a damaged checkpoint): list */
        if (delta_log_list(t, &l, err))
            return NULL;
        s = delta_snapshot_build(t, &l, -1, err);
        delta_log_listing_free(&l);
    }
    return s;
}

DeltaSnapshot *delta_snapshot_latest(DeltaTable *t, TarnError *err)
{
    DeltaSnapshot *base = cache_get(t), *s = NULL;
    if (base) {
        /* newer commits: probe versions after the cached one */
        int64_t last = base->version;
        while (last - base->version <= REFRESH_MAX_COMMITS && delta_commit_exists(t, last + 1))
            last++;
        if (last == base->version)
            return base;
        if (last - base->version <= REFRESH_MAX_COMMITS) {
            /* any failure falls back to a full load, which reports its own errors */
            TarnError e2;
            err_clear(&e2);
            s = snapshot_extend(t, base, last, &e2);
        }
        delta_snapshot_free(base);
    }
    if (!s && !(s = load_latest(t, err)))
        return NULL;
    cache_put(t, s);
    return s;
}

DeltaSnapshot *delta_snapshot_upto(DeltaTable *t, int64_t version, TarnError *err)
{
    DeltaSnapshot *base = cache_get(t), *s = NULL;
    if (base && base->version == version)
        return base;
    if (base && base->version < version && version - base->version <= REFRESH_MAX_COMMITS) {
        TarnError e2;
        err_clear(&e2);
        if ((s = snapshot_extend(t, base, version, &e2)))
            cache_put(t, s);
    }
    if (base)
        delta_snapshot_free(base);
    return s ? s : delta_snapshot_at_version(t, version, err);
}

DeltaSnapshot *delta_snapshot_at_version(DeltaTable *t, int64_t version, TarnError *err)
{
    if (version < 0) {
        err_set(err, TARN_ERR_INVALID, "table version %" PRId64 " is negative", version);
        return NULL;
    }
    DeltaSnapshot *c = cache_get(t);
    if (c && c->version == version)
        return c;
    if (c)
        delta_snapshot_free(c);
    DeltaLogListing l;
    if (delta_log_list(t, &l, err))
        return NULL;
    DeltaSnapshot *s = delta_snapshot_build(t, &l, version, err);
    delta_log_listing_free(&l);
    return s;
}

DeltaSnapshot *delta_snapshot_at_timestamp(DeltaTable *t, int64_t ts_ms, TarnError *err)
{
    DeltaSnapshot *latest = delta_snapshot_latest(t, err);
    if (!latest)
        return NULL;
    DeltaLogListing l;
    if (delta_log_list(t, &l, err)) {
        delta_snapshot_free(latest);
        return NULL;
    }
    /* Available commits: the contiguous run ending at the latest version. */
    int64_t hi = latest->version, lo = hi;
    while (lo > 0 && delta_log_find_commit(&l, lo - 1))
        lo--;
    if (!delta_log_find_commit(&l, lo))
        lo = hi;
    bool ict = ict_enabled(&latest->metadata);
    int64_t ict_ver = ict ? ict_enablement_version(&latest->metadata) : INT64_MAX;
    int64_t found = -1;
    int rc = 0;
    /* Region of file modification times: made monotonic as Delta does. */
    int64_t prev = INT64_MIN;
    for (int64_t v = lo; v <= hi && v < ict_ver; v++) {
        const DeltaLogEntry *e = delta_log_find_commit(&l, v);
        int64_t ts = e ? e->mtime_ms : prev + 1;
        if (ts <= prev)
            ts = prev + 1;
        prev = ts;
        if (ts <= ts_ms)
            found = v;
    }
    if (ict && hi >= ict_ver) {
        int64_t a = ict_ver > lo ? ict_ver : lo, b = hi;
        int64_t ts;
        rc = read_ict(t, a, &ts, err);
        if (rc == 0 && ts <= ts_ms) {
            found = a;
            while (a < b) { /* largest v in (a, b] with ict(v) <= ts_ms */
                int64_t mid = a + (b - a + 1) / 2;
                if ((rc = read_ict(t, mid, &ts, err)))
                    break;
                if (ts <= ts_ms)
                    a = mid;
                else
                    b = mid - 1;
            }
            found = a;
        }
    }
    delta_log_listing_free(&l);
    delta_snapshot_free(latest);
    if (rc)
        return NULL;
    if (found < 0) {
        err_set(err, TARN_ERR_NOT_FOUND, "timestamp %" PRId64 " ms is before the earliest available table version",
                ts_ms);
        return NULL;
    }
    return delta_snapshot_at_version(t, found, err);
}

int64_t delta_snapshot_version(const DeltaSnapshot *s) { return s->version; }
int64_t delta_snapshot_timestamp(const DeltaSnapshot *s)
{
    int64_t ts = __atomic_load_n(&s->timestamp_ms, __ATOMIC_RELAXED);
    if (ts != INT64_MIN)
        return ts;
    /* built without a listing: find the commit file's modification time now */
    DeltaLogListing l;
    TarnError e2;
    err_clear(&e2);
    ts = -1;
    if (delta_log_list(s->table, &l, &e2) == 0) {
        if (delta_commit_timestamp(s->table, &l, s, s->version, &ts, &e2))
            ts = -1;
        delta_log_listing_free(&l);
    }
    if (ts >= 0)
        __atomic_store_n(&((DeltaSnapshot *)s)->timestamp_ms, ts, __ATOMIC_RELAXED);
    return ts;
}
const DeltaProtocol *delta_snapshot_protocol(const DeltaSnapshot *s) { return &s->protocol; }
const DeltaMetadata *delta_snapshot_metadata(const DeltaSnapshot *s) { return &s->metadata; }
const Schema *delta_snapshot_schema(const DeltaSnapshot *s) { return &s->schema.schema; }
const DeltaSchema *delta_snapshot_delta_schema(const DeltaSnapshot *s) { return &s->schema; }
int delta_snapshot_column_mapping(const DeltaSnapshot *s) { return s->column_mapping; }
size_t delta_snapshot_num_files(const DeltaSnapshot *s) { return s->n_files; }
const DeltaAdd *delta_snapshot_file(const DeltaSnapshot *s, size_t i)
{
    return i < s->n_files ? file_at(s, i) : NULL;
}
int64_t delta_snapshot_total_bytes(const DeltaSnapshot *s) { return s->total_bytes; }
int64_t delta_snapshot_total_rows(const DeltaSnapshot *s)
{
    int64_t t = __atomic_load_n(&s->total_rows, __ATOMIC_RELAXED);
    if (t != INT64_MIN)
        return t;
    t = 0;
    for (size_t i = 0; i < s->n_files && t >= 0; i++) {
        const DeltaAdd *f = file_at(s, i);
        int64_t nr = delta_stats_num_records(f->stats);
        t = nr < 0 ? -1 : t + nr - (f->dv ? f->dv->cardinality : 0);
    }
    __atomic_store_n(&((DeltaSnapshot *)s)->total_rows, t, __ATOMIC_RELAXED);
    return t;
}
size_t delta_snapshot_num_tombstones(const DeltaSnapshot *s) { return s->n_tombstones; }
const DeltaRemove *delta_snapshot_tombstone(const DeltaSnapshot *s, size_t i)
{
    return i < s->n_tombstones ? &tomb_at(s, i)->remove : NULL;
}
size_t delta_snapshot_num_app_txns(const DeltaSnapshot *s) { return s->n_txns; }
const DeltaSetTxn *delta_snapshot_app_txn(const DeltaSnapshot *s, size_t i)
{
    return i < s->n_txns ? &s->txns[i] : NULL;
}

const char *delta_snapshot_property(const DeltaSnapshot *s, const char *key)
{
    return config_get(&s->metadata, key);
}

const DeltaAdd *delta_snapshot_find_file(const DeltaSnapshot *s, const char *path)
{
    uint32_t i;
    return delta_pidx_get(&s->file_index, path, file_key, s, &i) ? file_at(s, i) : NULL;
}

const DeltaAdd *delta_snapshot_find_file_or_null(const DeltaSnapshot *s, const char *path)
{
    return s ? delta_snapshot_find_file(s, path) : NULL;
}

bool delta_snapshot_app_version(const DeltaSnapshot *s, const char *app_id, int64_t *version_out)
{
    uint32_t i;
    if (!delta_index_get(&s->txn_index, app_id, &i))
        return false;
    *version_out = s->txns[i].version;
    return true;
}

const char *delta_snapshot_domain(const DeltaSnapshot *s, const char *domain)
{
    for (size_t i = 0; i < s->n_domains; i++)
        if (strcmp(s->domains[i].domain, domain) == 0)
            return s->domains[i].removed ? NULL : s->domains[i].configuration;
    return NULL;
}

/* ---- Protocol checks ---------------------------------------------------------------------- */

static const char *const reader_features[] = {
    "columnMapping", "deletionVectors", "timestampNtz", "v2Checkpoint", "typeWidening",
    "typeWidening-preview", "vacuumProtocolCheck", NULL};

static const char *const writer_features[] = {
    "appendOnly", "invariants", "checkConstraints", "generatedColumns", "changeDataFeed",
    "columnMapping", "deletionVectors", "timestampNtz", "v2Checkpoint", "domainMetadata",
    "inCommitTimestamp", "typeWidening", "typeWidening-preview", "vacuumProtocolCheck", NULL};

static bool known(const char *const *list, const char *f)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(list[i], f) == 0)
            return true;
    return false;
}

int delta_protocol_check_read(const DeltaProtocol *p, TarnError *err)
{
    if (p->min_reader_version < 1)
        return err_set(err, TARN_ERR_CORRUPT, "protocol minReaderVersion %d is invalid", p->min_reader_version);
    if (p->min_reader_version > DELTA_MAX_READER_VERSION) {
        err_set(err, TARN_ERR_UNSUPPORTED, "unsupported: Delta reader version %d", p->min_reader_version);
        err_hint(err, "tarn reads Delta reader versions 1 to %d.", DELTA_MAX_READER_VERSION);
        return TARN_ERR_UNSUPPORTED;
    }
    if (p->min_reader_version == 3)
        for (uint32_t i = 0; i < p->n_reader_features; i++)
            if (!known(reader_features, p->reader_features[i]))
                return err_set(err, TARN_ERR_UNSUPPORTED, "unsupported: Delta reader feature \"%s\"",
                               p->reader_features[i]);
    return 0;
}

int delta_protocol_check_write(const DeltaProtocol *p, TarnError *err)
{
    int rc = delta_protocol_check_read(p, err);
    if (rc)
        return rc;
    if (p->min_writer_version < 1)
        return err_set(err, TARN_ERR_CORRUPT, "protocol minWriterVersion %d is invalid", p->min_writer_version);
    if (p->min_writer_version > DELTA_MAX_WRITER_VERSION)
        return err_set(err, TARN_ERR_UNSUPPORTED, "unsupported: Delta writer version %d", p->min_writer_version);
    if (p->min_writer_version == 7)
        for (uint32_t i = 0; i < p->n_writer_features; i++)
            if (!known(writer_features, p->writer_features[i]))
                return err_set(err, TARN_ERR_UNSUPPORTED,
                               "unsupported: Delta writer feature \"%s\": tarn cannot write this table",
                               p->writer_features[i]);
    return 0;
}
