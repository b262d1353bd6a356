/*
 * col_cache.c - the decoded-column cache of small Delta data files
 * (col_cache.h explains what is cached and why it stays correct).
 */
#include "table/delta/col_cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "util/mem.h"

#define DCC_BUCKETS 4096
#define DCC_MAX_COLS 64

typedef struct DcCol {
    char *name;
    Vector v;
    DcZones zones; /* n == 0: none */
    size_t bytes;
} DcCol;

struct DcFile {
    struct DcFile *next;       /* bucket chain */
    uint64_t hash;
    char *key;                 /* root NUL path (both owned, one block) */
    size_t key_len;
    int64_t size, mtime;
    Schema schema;
    int32_t *ids;
    int64_t num_rows;
    uint32_t n_cols;
    DcCol cols[DCC_MAX_COLS];
    size_t bytes;
    uint32_t pins;
    uint64_t last_use;
    bool dead;                 /* unlinked; freed at the last release */
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static DcFile *buckets[DCC_BUCKETS];
static atomic_size_t budget;
static size_t total_bytes;
static uint64_t tick;
static atomic_uint_fast64_t n_hits, n_misses;

void delta_column_cache_set_budget(size_t bytes);
size_t delta_column_cache_budget(void)
{
    return atomic_load_explicit(&budget, memory_order_relaxed);
}

void delta_column_cache_stats(size_t *bytes, uint64_t *hits, uint64_t *misses)
{
    pthread_mutex_lock(&mu);
    if (bytes)
        *bytes = total_bytes;
    pthread_mutex_unlock(&mu);
    if (hits)
        *hits = atomic_load(&n_hits);
    if (misses)
        *misses = atomic_load(&n_misses);
}

static uint64_t hash_key(const char *root, const char *path, int64_t size, int64_t mtime)
{
    uint64_t h = 1469598103934665603ull;
    for (const char *p = root; *p; p++)
        h = (h ^ (uint8_t)*p) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
    for (const char *p = path; *p; p++)
        h = (h ^ (uint8_t)*p) * 1099511628211ull;
    h ^= (uint64_t)size * 0x9E3779B97F4A7C15ull;
    h ^= (uint64_t)mtime * 0xC2B2AE3D27D4EB4Full;
    return h ^ (h >> 29);
}

static void file_free(DcFile *f)
{
    for (uint32_t i = 0; i < f->n_cols; i++) {
        tarn_free(f->cols[i].name);
        vec_destroy(&f->cols[i].v);
        tarn_free(f->cols[i].zones.min);
    }
    schema_destroy(&f->schema);
    tarn_free(f->ids);
    tarn_free(f->key);
    tarn_free(f);
}

/* Unlinks f (mu held); frees it now when nobody uses it. */
static void unlink_file(DcFile *f)
{
    DcFile **pp = &buckets[f->hash % DCC_BUCKETS];
    while (*pp && *pp != f)
        pp = &(*pp)->next;
    if (*pp)
        *pp = f->next;
    total_bytes -= f->bytes;
    f->dead = true;
    if (f->pins == 0)
        file_free(f);
}

/* Drops least recently used unpinned entries until the total fits (mu held). */
static void evict(size_t limit)
{
    while (total_bytes > limit) {
        DcFile *victim = NULL;
        for (size_t b = 0; b < DCC_BUCKETS; b++)
            for (DcFile *f = buckets[b]; f; f = f->next)
                if (f->pins == 0 && (!victim || f->last_use < victim->last_use))
                    victim = f;
        if (!victim)
            return;
        unlink_file(victim);
    }
}

void delta_column_cache_set_budget(size_t bytes)
{
    pthread_mutex_lock(&mu);
    atomic_store(&budget, bytes);
    evict(bytes);
    pthread_mutex_unlock(&mu);
}

static DcFile *find(uint64_t h, const char *root, const char *path, int64_t size, int64_t mtime)
{
    size_t rl = strlen(root);
    for (DcFile *f = buckets[h % DCC_BUCKETS]; f; f = f->next)
        if (f->hash == h && f->size == size && f->mtime == mtime && strcmp(f->key, root) == 0 &&
            strcmp(f->key + rl + 1, path) == 0)
            return f;
    return NULL;
}

DcFile *dcc_lookup(const char *root, const char *path, int64_t size, int64_t mtime)
{
    if (!dcc_enabled())
        return NULL;
    uint64_t h = hash_key(root, path, size, mtime);
    pthread_mutex_lock(&mu);
    DcFile *f = find(h, root, path, size, mtime);
    if (f) {
        f->pins++;
        f->last_use = ++tick;
    }
    pthread_mutex_unlock(&mu);
    atomic_fetch_add(f ? &n_hits : &n_misses, 1);
    return f;
}

static bool flat(const LogicalType *t)
{
    return !type_is_nested(t->id) && t->id != TYPE_NULL && t->id != TYPE_INVALID && type_width(t) > 0;
}

DcFile *dcc_insert_file(const char *root, const char *path, int64_t size, int64_t mtime, const Schema *fs,
                        const int32_t *ids, int64_t num_rows)
{
    size_t lim = delta_column_cache_budget();
    if (!lim || num_rows < 0 || num_rows > DCC_MAX_FILE_ROWS || fs->n_fields == 0 || fs->n_fields > DCC_MAX_COLS)
        return NULL; /* (with at most DCC_MAX_COLS fields every column fits in cols[]) */
    /* estimated decoded bytes of the flat columns (strings: views only) */
    size_t est = 0;
    for (uint32_t i = 0; i < fs->n_fields; i++)
        if (flat(&fs->fields[i].type))
            est += (size_t)num_rows * (type_width(&fs->fields[i].type) + 1);
    if (est > lim / 4)
        return NULL;
    DcFile *f = tarn_calloc(1, sizeof *f);
    size_t rl = strlen(root), pl = strlen(path);
    if (!f)
        return NULL;
    f->key = tarn_malloc(rl + pl + 2);
    f->ids = tarn_malloc(sizeof(int32_t) * (fs->n_fields + 1));
    schema_init(&f->schema);
    if (!f->key || !f->ids || schema_copy(&f->schema, fs)) {
        file_free(f);
        return NULL;
    }
    memcpy(f->key, root, rl + 1);
    memcpy(f->key + rl + 1, path, pl + 1);
    f->key_len = rl + pl + 1;
    memcpy(f->ids, ids, sizeof(int32_t) * fs->n_fields);
    f->size = size;
    f->mtime = mtime;
    f->num_rows = num_rows;
    f->hash = hash_key(root, path, size, mtime);
    f->pins = 1;
    f->bytes = sizeof *f + f->key_len + 64 * fs->n_fields;
    pthread_mutex_lock(&mu);
    DcFile *old = find(f->hash, root, path, size, mtime);
    if (old) {
        old->pins++;
        old->last_use = ++tick;
        pthread_mutex_unlock(&mu);
        file_free(f);
        return old;
    }
    f->last_use = ++tick;
    f->next = buckets[f->hash % DCC_BUCKETS];
    buckets[f->hash % DCC_BUCKETS] = f;
    total_bytes += f->bytes;
    evict(lim);
    pthread_mutex_unlock(&mu);
    return f;
}

void dcc_release(DcFile *f)
{
    if (!f)
        return;
    pthread_mutex_lock(&mu);
    f->pins--;
    if (f->pins == 0 && f->dead)
        file_free(f);
    else if (f->pins == 0)
        evict(delta_column_cache_budget());
    pthread_mutex_unlock(&mu);
}

const Schema *dcc_file_schema(const DcFile *f) { return &f->schema; }
const int32_t *dcc_field_ids(const DcFile *f) { return f->ids; }
int64_t dcc_num_rows(const DcFile *f) { return f->num_rows; }

bool dcc_column_cacheable(const DcFile *f, const char *name)
{
    int j = schema_find(&f->schema, name);
    return j >= 0 && flat(&f->schema.fields[j].type);
}

const Vector *dcc_column(DcFile *f, const char *name)
{
    const Vector *v = NULL;
    pthread_mutex_lock(&mu);
    for (uint32_t i = 0; i < f->n_cols; i++)
        if (strcmp(f->cols[i].name, name) == 0) {
            v = &f->cols[i].v;
            break;
        }
    pthread_mutex_unlock(&mu);
    return v;
}

#define ZONE_LOOP(T)                                                                                           \
    do {                                                                                                       \
        const T *d = (const T *)v->data;                                                                       \
        for (uint32_t z = 0; z < nz; z++) {                                                                    \
            uint32_t b = z * DCC_ZONE_ROWS, e = b + DCC_ZONE_ROWS < rows ? b + DCC_ZONE_ROWS : rows;           \
            int64_t lo = INT64_MAX, hi = INT64_MIN;                                                            \
            for (uint32_t i = b; i < e; i++)                                                                   \
                if (!v->validity || vec_is_valid(v, i)) {                                                      \
                    int64_t x = (int64_t)d[i];                                                                 \
                    lo = x < lo ? x : lo;                                                                      \
                    hi = x > hi ? x : hi;                                                                      \
                }                                                                                              \
            zs->min[z] = lo;                                                                                   \
            zs->max[z] = hi;                                                                                   \
        }                                                                                                      \
    } while (0)

/* Builds the zone map of a whole-file vector of an integer-like type (no
 * lock: v is not shared yet).  Leaves zs empty for other types or on OOM. */
static void build_zones(const Vector *v, DcZones *zs)
{
    memset(zs, 0, sizeof *zs);
    uint32_t rows = v->len;
    TypeId t = v->type->id;
    int w;
    switch (t) {
    case TYPE_INT8: w = 1; break;
    case TYPE_INT16: w = 2; break;
    case TYPE_INT32: case TYPE_DATE: w = 4; break;
    case TYPE_INT64: case TYPE_TIME: case TYPE_TIMESTAMP: case TYPE_TIMESTAMPTZ: w = 8; break;
    default: return;
    }
    if (rows == 0)
        return;
    uint32_t nz = (rows + DCC_ZONE_ROWS - 1) / DCC_ZONE_ROWS;
    int64_t *buf = tarn_malloc(2 * sizeof(int64_t) * nz);
    if (!buf)
        return;
    zs->min = buf;
    zs->max = buf + nz;
    switch (w) {
    case 1: ZONE_LOOP(int8_t); break;
    case 2: ZONE_LOOP(int16_t); break;
    case 4: ZONE_LOOP(int32_t); break;
    default: ZONE_LOOP(int64_t); break;
    }
    zs->n = nz;
}

const DcZones *dcc_column_zones(DcFile *f, const Vector *v)
{
    const DcZones *out = NULL;
    pthread_mutex_lock(&mu);
    for (uint32_t i = 0; i < f->n_cols; i++)
        if (&f->cols[i].v == v) {
            if (f->cols[i].zones.n)
                out = &f->cols[i].zones;
            break;
        }
    pthread_mutex_unlock(&mu);
    return out;
}

const Vector *dcc_add_column(DcFile *f, const char *name, Vector *v, size_t heap_bytes)
{
    const Vector *out = NULL;
    DcZones zs;
    build_zones(v, &zs);
    pthread_mutex_lock(&mu);
    for (uint32_t i = 0; i < f->n_cols; i++)
        if (strcmp(f->cols[i].name, name) == 0)
            out = &f->cols[i].v;
    if (!out && f->n_cols < DCC_MAX_COLS) {
        char *nm = tarn_strdup(name);
        if (nm) {
            DcCol *c = &f->cols[f->n_cols++];
            c->name = nm;
            c->v = *v; /* moved: the cache owns it now */
            c->zones = zs;
            zs.min = NULL;
            memset(v, 0, sizeof *v);
            c->bytes = (size_t)c->v.cap * type_width(c->v.type) + (c->v.validity ? (c->v.cap + 7) / 8 : 0) + heap_bytes +
                       2 * sizeof(int64_t) * c->zones.n;
            f->bytes += c->bytes;
            if (!f->dead)
                total_bytes += c->bytes;
            out = &c->v;
        }
    }
    pthread_mutex_unlock(&mu);
    tarn_free(zs.min); /* not moved */
    if (v->type) /* not moved */
        vec_destroy(v);
    return out;
}

int dcc_append_slice(Vector *dst, const Vector *src, uint32_t from, uint32_t n, bool copy_strings)
{
    if (n == 0)
        return 0;
    uint32_t at = dst->len;
    if (vec_reserve(dst, at + n))
        return TARN_ERR_NOMEM;
    size_t w = type_width(src->type);
    bool strs = type_is_string_like(src->type->id);
    if (strs && copy_strings) {
        const StrView *s = (const StrView *)src->data + from;
        StrView *d = (StrView *)dst->data + at;
        for (uint32_t i = 0; i < n; i++) {
            if (!vec_is_valid(src, from + i) || s[i].len == 0) {
                d[i].len = 0;
                d[i].pad_ = 0;
                d[i].ptr = "";
                continue;
            }
            if (vec_str_copy(dst, s[i].ptr, s[i].len, &d[i]))
                return TARN_ERR_NOMEM;
        }
    } else {
        memcpy(dst->data + (size_t)at * w, src->data + (size_t)from * w, (size_t)n * w);
    }
    if (src->validity) {
        if (vec_ensure_validity(dst))
            return TARN_ERR_NOMEM;
        if ((at & 7) == 0 && (from & 7) == 0) {
            memcpy(dst->validity + at / 8, src->validity + from / 8, (n + 7) / 8);
        } else {
            for (uint32_t i = 0; i < n; i++) {
                uint32_t d = at + i;
                if (vec_is_valid(src, from + i))
                    dst->validity[d >> 3] |= (uint8_t)(1u << (d & 7));
                else
                    dst->validity[d >> 3] &= (uint8_t)~(1u << (d & 7));
            }
        }
        /* bits past the end stay "valid" for the next append */
        uint32_t end = at + n;
        if (end & 7)
            dst->validity[end >> 3] |= (uint8_t)(0xFFu << (end & 7));
    } else if (dst->validity) {
        for (uint32_t i = 0; i < n; i++) {
            uint32_t d = at + i;
            dst->validity[d >> 3] |= (uint8_t)(1u << (d & 7));
        }
    }
    dst->len = at + n;
    return 0;
}
