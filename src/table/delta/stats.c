/*
 * stats.c - per-file statistics (PROTOCOL.md "Per-file Statistics") and
 * partition values ("Partition Value Serialization"): parsing them into
 * typed Values, deciding whether a file may hold rows matching simple
 * predicates (data skipping), and computing stats JSON for files tarn
 * writes.
 *
 * Conservative reading rules (a skipped file must truly hold no match):
 *   - timestamps in stats are truncated to milliseconds: a max is widened
 *     by 999 microseconds;
 *   - string stats are prefixes: a min prefix is always <= the true min; a
 *     max is used only when shorter than DELTA_STATS_STRING_PREFIX code
 *     points or ending in a tie-breaker (U+FFFF / U+10FFFF) that makes it an
 *     upper bound;
 *   - float/double max values are not used (NaN sorts above every number
 *     and is not counted in min/max);
 *   - decimals compare exactly (unscaled at a common scale).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "table/delta/delta_int.h"
#include "util/datetime.h"
#include "vector/format.h"

/* ---- Values ------------------------------------------------------------------ */

static int128_t dec_unscaled(const Value *v)
{
    if (v->type == TYPE_DECIMAL)
        return v->precision > DECIMAL64_MAX_PRECISION ? v->v.i128 : (int128_t)v->v.i;
    if (v->type >= TYPE_UINT8 && v->type <= TYPE_UINT64)
        return (int128_t)v->v.u;
    return (int128_t)v->v.i;
}

static int dec_scale(const Value *v)
{
    return v->type == TYPE_DECIMAL ? v->scale : 0;
}

static double as_double(const Value *v)
{
    if (v->type == TYPE_FLOAT || v->type == TYPE_DOUBLE)
        return v->v.d;
    if (v->type == TYPE_DECIMAL) {
        double d = (double)dec_unscaled(v);
        for (int i = 0; i < v->scale; i++)
            d /= 10;
        return d;
    }
    if (v->type >= TYPE_UINT8 && v->type <= TYPE_UINT64)
        return (double)v->v.u;
    return (double)v->v.i;
}

int delta_value_cmp(const Value *a, const Value *b)
{
    if (type_is_string_like(a->type) || type_is_string_like(b->type)) {
        uint32_t n = a->v.s.len < b->v.s.len ? a->v.s.len : b->v.s.len;
        int c = n ? memcmp(a->v.s.ptr, b->v.s.ptr, n) : 0;
        if (c)
            return c < 0 ? -1 : 1;
        return a->v.s.len < b->v.s.len ? -1 : a->v.s.len > b->v.s.len;
    }
    if (a->type == TYPE_BOOL || b->type == TYPE_BOOL) {
        int x = a->type == TYPE_BOOL ? a->v.b : a->v.i != 0, y = b->type == TYPE_BOOL ? b->v.b : b->v.i != 0;
        return x < y ? -1 : x > y;
    }
    if (a->type == TYPE_FLOAT || a->type == TYPE_DOUBLE || b->type == TYPE_FLOAT || b->type == TYPE_DOUBLE) {
        double x = as_double(a), y = as_double(b);
        if (isnan(x) || isnan(y))
            return isnan(x) - isnan(y); /* NaN sorts last */
        return x < y ? -1 : x > y;
    }
    if (a->type == TYPE_DECIMAL || b->type == TYPE_DECIMAL) {
        int128_t x = dec_unscaled(a), y = dec_unscaled(b);
        int sa = dec_scale(a), sb = dec_scale(b);
        /* scale up the one with the smaller scale; saturate rather than overflow */
        while (sa < sb) {
            if (x > (int128_t)1 << 120 || x < -((int128_t)1 << 120))
                return x > 0 ? 1 : -1;
            x *= 10;
            sa++;
        }
        while (sb < sa) {
            if (y > (int128_t)1 << 120 || y < -((int128_t)1 << 120))
                return y > 0 ? -1 : 1;
            y *= 10;
            sb++;
        }
        return x < y ? -1 : x > y;
    }
    if (a->type == TYPE_DATE && (b->type == TYPE_TIMESTAMP || b->type == TYPE_TIMESTAMPTZ)) {
        int64_t x = a->v.i * DT_USECS_PER_DAY;
        return x < b->v.i ? -1 : x > b->v.i;
    }
    if (b->type == TYPE_DATE && (a->type == TYPE_TIMESTAMP || a->type == TYPE_TIMESTAMPTZ)) {
        int64_t y = b->v.i * DT_USECS_PER_DAY;
        return a->v.i < y ? -1 : a->v.i > y;
    }
    if (a->type >= TYPE_UINT8 && a->type <= TYPE_UINT64 && b->type >= TYPE_UINT8 && b->type <= TYPE_UINT64)
        return a->v.u < b->v.u ? -1 : a->v.u > b->v.u;
    int128_t x = dec_unscaled(a), y = dec_unscaled(b);
    return x < y ? -1 : x > y;
}

Value delta_vector_value(const Vector *v, uint32_t i)
{
    Value x;
    memset(&x, 0, sizeof x);
    x.type = v->type->id;
    if (!vec_is_valid(v, i)) {
        x.is_null = true;
        return x;
    }
    switch (v->type->id) {
    case TYPE_BOOL: x.v.b = VEC_DATA(v, uint8_t)[i] != 0; break;
    case TYPE_INT8: x.v.i = VEC_DATA(v, int8_t)[i]; break;
    case TYPE_INT16: x.v.i = VEC_DATA(v, int16_t)[i]; break;
    case TYPE_INT32: case TYPE_DATE: x.v.i = VEC_DATA(v, int32_t)[i]; break;
    case TYPE_INT64: case TYPE_TIME: case TYPE_TIMESTAMP: case TYPE_TIMESTAMPTZ:
        x.v.i = VEC_DATA(v, int64_t)[i];
        break;
    case TYPE_UINT8: x.v.u = VEC_DATA(v, uint8_t)[i]; break;
    case TYPE_UINT16: x.v.u = VEC_DATA(v, uint16_t)[i]; break;
    case TYPE_UINT32: x.v.u = VEC_DATA(v, uint32_t)[i]; break;
    case TYPE_UINT64: x.v.u = VEC_DATA(v, uint64_t)[i]; break;
    case TYPE_FLOAT: x.v.d = VEC_DATA(v, float)[i]; break;
    case TYPE_DOUBLE: x.v.d = VEC_DATA(v, double)[i]; break;
    case TYPE_DECIMAL:
        x.precision = v->type->precision;
        x.scale = v->type->scale;
        if (v->type->precision > DECIMAL64_MAX_PRECISION)
            x.v.i128 = VEC_DATA(v, int128_t)[i];
        else
            x.v.i = VEC_DATA(v, int64_t)[i];
        break;
    case TYPE_STRING: case TYPE_BLOB: case TYPE_JSON: x.v.s = VEC_DATA(v, StrView)[i]; break;
    case TYPE_UUID: memcpy(x.v.uuid, v->data + 16 * (size_t)i, 16); break;
    case TYPE_INTERVAL: x.v.iv = VEC_DATA(v, Interval)[i]; break;
    default: x.is_null = true; break;
    }
    return x;
}

/* ---- Partition values ------------------------------------------------------------ */

int delta_partition_value_parse(const char *s, const LogicalType *t, Value *out, TarnError *err)
{
    memset(out, 0, sizeof *out);
    out->type = t->id;
    if (!s || (!*s && t->id != TYPE_BLOB) ||
        (t->id != TYPE_STRING && strcmp(s, "__HIVE_DEFAULT_PARTITION__") == 0)) {
        out->is_null = true;
        return 0;
    }
    size_t n = strlen(s);
    bool ok = true;
    switch (t->id) {
    case TYPE_STRING: case TYPE_BLOB:
        out->v.s.ptr = s;
        out->v.s.len = (uint32_t)n;
        break;
    case TYPE_BOOL:
        ok = value_parse_bool(s, n, &out->v.b);
        break;
    case TYPE_INT8: case TYPE_INT16: case TYPE_INT32: case TYPE_INT64: {
        ok = value_parse_i64(s, n, &out->v.i);
        int64_t lim = t->id == TYPE_INT8 ? INT8_MAX : t->id == TYPE_INT16 ? INT16_MAX
                    : t->id == TYPE_INT32 ? INT32_MAX : INT64_MAX;
        if (ok && (out->v.i > lim || out->v.i < -lim - 1))
            ok = false;
        break;
    }
    case TYPE_FLOAT: case TYPE_DOUBLE:
        ok = value_parse_double(s, n, &out->v.d);
        if (ok && t->id == TYPE_FLOAT)
            out->v.d = (float)out->v.d;
        break;
    case TYPE_DECIMAL: {
        int128_t u;
        ok = value_parse_decimal(s, n, t->precision, t->scale, &u);
        out->precision = t->precision;
        out->scale = t->scale;
        if (t->precision > DECIMAL64_MAX_PRECISION)
            out->v.i128 = u;
        else
            out->v.i = (int64_t)u;
        break;
    }
    case TYPE_DATE: {
        int32_t d;
        ok = dt_parse_date(s, n, &d);
        out->v.i = d;
        break;
    }
    case TYPE_TIMESTAMP: case TYPE_TIMESTAMPTZ:
        /* "2021-09-08 11:11:11[.ffffff]" (UTC assumed) or ISO 8601 with a zone */
        ok = dt_parse_timestamp(s, n, &out->v.i, NULL);
        break;
    default:
        return err_set(err, TARN_ERR_UNSUPPORTED, "unsupported: partition column of this type");
    }
    if (!ok)
        return err_set(err, TARN_ERR_CORRUPT, "partition value \"%s\" is not a valid value of its column type", s);
    return 0;
}

int delta_partition_value_format(const Vector *v, uint32_t i, Buf *out, bool *is_null_out)
{
    *is_null_out = !vec_is_valid(v, i);
    if (*is_null_out)
        return 0;
    char buf[VALUE_TEXT_MAX * 2];
    int rc = 0;
    switch (v->type->id) {
    case TYPE_BOOL:
        rc = buf_printf(out, "%s", VEC_DATA(v, uint8_t)[i] ? "true" : "false");
        break;
    case TYPE_TIMESTAMPTZ: case TYPE_TIMESTAMP: {
        int64_t us = VEC_DATA(v, int64_t)[i];
        int64_t days = us >= 0 ? us / DT_USECS_PER_DAY : -((-us + DT_USECS_PER_DAY - 1) / DT_USECS_PER_DAY);
        int64_t tod = us - days * DT_USECS_PER_DAY;
        dt_format_date(days, buf);
        char tbuf[DT_TEXT_MAX];
        int64_t sec = tod / DT_USECS_PER_SEC, frac = tod % DT_USECS_PER_SEC;
        snprintf(tbuf, sizeof tbuf, "%02d:%02d:%02d", (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60));
        if (v->type->id == TYPE_TIMESTAMPTZ)
            rc = frac ? buf_printf(out, "%sT%s.%06dZ", buf, tbuf, (int)frac) : buf_printf(out, "%sT%s.000000Z", buf, tbuf);
        else
            rc = frac ? buf_printf(out, "%s %s.%06d", buf, tbuf, (int)frac) : buf_printf(out, "%s %s", buf, tbuf);
        break;
    }
    case TYPE_STRING: case TYPE_BLOB: {
        StrView s = VEC_DATA(v, StrView)[i];
        if (s.len == 0) { /* Delta cannot tell "" from null in partition values */
            *is_null_out = true;
            return 0;
        }
        rc = buf_append(out, s.ptr, s.len);
        break;
    }
    default:
        rc = value_format_text(v, i, out);
        break;
    }
    if (rc == 0)
        rc = buf_terminate(out);
    return rc ? TARN_ERR_NOMEM : 0;
}

/* ---- Stats parsing ------------------------------------------------------------------- */

int64_t delta_stats_num_records(const char *stats)
{
    if (!stats)
        return -1;
    /* writers put numRecords first; avoid scanning the whole text */
    const char *p = strncmp(stats, "{\"numRecords\"", 13) == 0 ? stats + 1 : strstr(stats, "\"numRecords\"");
    if (!p)
        return -1;
    p += 12;
    while (*p == ' ' || *p == ':')
        p++;
    char *end;
    long long v = strtoll(p, &end, 10);
    if (end == p || v < 0)
        return -1;
    return v;
}

/* Number of UTF-8 code points in s[0..n). */
static size_t utf8_len(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    return c;
}

static bool ends_with_tiebreak(const char *s, size_t n)
{
    return (n >= 3 && memcmp(s + n - 3, "\xEF\xBF\xBF", 3) == 0) ||
           (n >= 4 && memcmp(s + n - 4, "\xF4\x8F\xBF\xBF", 4) == 0);
}

/* Converts one JSON stat to a Value of type t; false when unusable. */
static bool stat_value(const JsonNode *n, const LogicalType *t, bool is_max, Value *out)
{
    memset(out, 0, sizeof *out);
    out->type = t->id;
    if (!n || n->type == JSON_NULL)
        return false;
    switch (t->id) {
    case TYPE_INT8: case TYPE_INT16: case TYPE_INT32: case TYPE_INT64:
        if (n->type != JSON_INT)
            return false;
        out->v.i = n->u.i;
        return true;
    case TYPE_FLOAT: case TYPE_DOUBLE:
        if (n->type == JSON_INT)
            out->v.d = (double)n->u.i;
        else if (n->type == JSON_DOUBLE)
            out->v.d = n->u.d;
        else
            return false;
        return !isnan(out->v.d) && !is_max;
    case TYPE_DECIMAL: {
        if (n->type != JSON_INT && n->type != JSON_DOUBLE && n->type != JSON_STRING)
            return false;
        const char *txt = n->type == JSON_STRING ? n->u.str : n->raw;
        size_t len = n->type == JSON_STRING ? n->len : n->raw_len;
        int128_t u;
        if (!value_parse_decimal(txt, len, DECIMAL_MAX_PRECISION, t->scale, &u))
            return false;
        out->precision = DECIMAL_MAX_PRECISION;
        out->scale = t->scale;
        out->v.i128 = u;
        return true;
    }
    case TYPE_DATE: {
        int32_t d;
        if (n->type != JSON_STRING || !dt_parse_date(n->u.str, n->len, &d))
            return false;
        out->v.i = d;
        return true;
    }
    case TYPE_TIMESTAMP: case TYPE_TIMESTAMPTZ:
        if (n->type != JSON_STRING || !dt_parse_timestamp(n->u.str, n->len, &out->v.i, NULL))
            return false;
        if (is_max)
            out->v.i += 999; /* truncated to milliseconds */
        return true;
    case TYPE_STRING:
        if (n->type != JSON_STRING)
            return false;
        if (is_max && utf8_len(n->u.str, n->len) >= DELTA_STATS_STRING_PREFIX &&
            !ends_with_tiebreak(n->u.str, n->len))
            return false;
        out->v.s.ptr = n->u.str;
        out->v.s.len = n->len;
        return true;
    case TYPE_BOOL:
        if (n->type != JSON_BOOL)
            return false;
        out->v.b = n->u.b;
        return true;
    default:
        return false;
    }
}

static void stats_from_root(const JsonNode *root, const DeltaSchema *s, const int *col_idx, int n_cols,
                            DeltaColStats *out, int64_t *num_records_out, bool *tight_out);

int delta_stats_parse(Arena *a, const char *stats, const DeltaSchema *s, const int *col_idx,
                      int n_cols, DeltaColStats *out, int64_t *num_records_out, bool *tight_out,
                      TarnError *err)
{
    memset(out, 0, sizeof *out * (size_t)n_cols);
    *num_records_out = -1;
    if (tight_out)
        *tight_out = true;
    if (!stats)
        return 0;
    JsonNode *root;
    TarnError e2;
    err_clear(&e2);
    if (json_parse(a, stats, strlen(stats), &root, &e2) || root->type != JSON_OBJECT)
        return 0; /* unusable stats never fail a read: the file is simply not skipped */
    stats_from_root(root, s, col_idx, n_cols, out, num_records_out, tight_out);
    (void)err;
    return 0;
}

/* Fills out[] (zeroed by the caller) from a parsed add.stats object. */
static void stats_from_root(const JsonNode *root, const DeltaSchema *s, const int *col_idx, int n_cols,
                            DeltaColStats *out, int64_t *num_records_out, bool *tight_out)
{
    const JsonNode *nr = json_object_get(root, "numRecords", 10);
    if (nr && nr->type == JSON_INT && nr->u.i >= 0)
        *num_records_out = nr->u.i;
    const JsonNode *tb = json_object_get(root, "tightBounds", 11);
    if (tight_out && tb && tb->type == JSON_BOOL)
        *tight_out = tb->u.b;
    const JsonNode *mins = json_object_get(root, "minValues", 9);
    const JsonNode *maxs = json_object_get(root, "maxValues", 9);
    const JsonNode *nulls = json_object_get(root, "nullCount", 9);
    for (int k = 0; k < n_cols; k++) {
        int c = col_idx[k];
        if (c < 0 || (uint32_t)c >= s->schema.n_fields)
            continue;
        const char *pn = s->columns[c].physical_name;
        size_t pl = strlen(pn);
        const LogicalType *t = &s->schema.fields[c].type;
        const JsonNode *x;
        if (mins && (x = json_object_get(mins, pn, pl)))
            out[k].has_min = stat_value(x, t, false, &out[k].min);
        if (maxs && (x = json_object_get(maxs, pn, pl)))
            out[k].has_max = stat_value(x, t, true, &out[k].max);
        if (nulls && (x = json_object_get(nulls, pn, pl)) && x->type == JSON_INT && x->u.i >= 0) {
            out[k].has_null_count = true;
            out[k].null_count = x->u.i;
        }
    }
}

/* ---- Parsed stats kept with the snapshot ------------------------------------------------------ */

/* add.stats JSON trees by DeltaAdd pointer, for one snapshot (whose files
 * and their stats texts outlive it).  An open-addressing table of fixed
 * capacity: readers probe without a lock (a slot's root is written before
 * its key, the key with release / read with acquire); inserts are
 * serialised by mu and stop when the table is 3/4 full or the parsed trees
 * reach STATS_CACHE_MAX_BYTES (then files are parsed per call, as before). */
#define STATS_CACHE_MAX_BYTES (64u * 1024 * 1024)

typedef struct StatsSlot {
    const DeltaAdd *key;       /* atomic; NULL = empty */
    const JsonNode *root;      /* NULL: stats absent or unusable */
} StatsSlot;

struct DeltaStatsCache {
    pthread_mutex_t mu;
    Arena arena;               /* the JSON trees (strings may point into add.stats) */
    size_t mask, n;
    StatsSlot slots[];
};

void delta_stats_cache_free(struct DeltaStatsCache *c)
{
    if (!c)
        return;
    pthread_mutex_destroy(&c->mu);
    arena_free(&c->arena);
    tarn_free(c);
}

static inline size_t stats_slot_hash(const DeltaAdd *f, size_t mask)
{
    uint64_t h = (uint64_t)(uintptr_t)f * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 32) & mask;
}

/* The snapshot's cache, created on first use; NULL when out of memory. */
static struct DeltaStatsCache *stats_cache_get(const DeltaSnapshot *snap)
{
    struct DeltaStatsCache **pp = (struct DeltaStatsCache **)&snap->stats_cache;
    struct DeltaStatsCache *c = __atomic_load_n(pp, __ATOMIC_ACQUIRE);
    if (c)
        return c;
    size_t cap = 16;
    while (cap < 2 * snap->n_files && cap < ((size_t)1 << 20))
        cap <<= 1;
    c = tarn_calloc(1, sizeof *c + cap * sizeof(StatsSlot));
    if (!c)
        return NULL;
    pthread_mutex_init(&c->mu, NULL);
    /* ~1 KB of tree per file of a few columns: small tables get small chunks */
    arena_init(&c->arena, snap->n_files < 4 ? 4096 : snap->n_files < 64 ? snap->n_files * 1024 : 65536);
    c->mask = cap - 1;
    struct DeltaStatsCache *expected = NULL;
    if (!__atomic_compare_exchange_n(pp, &expected, c, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        delta_stats_cache_free(c);
        return expected;
    }
    return c;
}

/* Probes for f: true when present (*root_out its tree, NULL = unusable). */
static bool stats_cache_find(const struct DeltaStatsCache *c, const DeltaAdd *f, const JsonNode **root_out)
{
    for (size_t i = stats_slot_hash(f, c->mask);; i = (i + 1) & c->mask) {
        const DeltaAdd *k = __atomic_load_n(&c->slots[i].key, __ATOMIC_ACQUIRE);
        if (k == f) {
            *root_out = c->slots[i].root;
            return true;
        }
        if (!k)
            return false;
    }
}

/* f's parsed stats object (NULL when absent or unusable), parsed once per
 * snapshot when the cache has room, else (and when snap is NULL) into
 * scratch. */
static const JsonNode *stats_root(const DeltaSnapshot *snap, const DeltaAdd *f, Arena *scratch)
{
    const JsonNode *root = NULL;
    struct DeltaStatsCache *c = snap ? stats_cache_get(snap) : NULL;
    if (c && stats_cache_find(c, f, &root))
        return root;
    TarnError e2;
    err_clear(&e2);
    JsonNode *parsed = NULL;
    if (c) {
        pthread_mutex_lock(&c->mu);
        if (stats_cache_find(c, f, &root)) {
            pthread_mutex_unlock(&c->mu);
            return root;
        }
        if ((c->n + 1) * 4 <= (c->mask + 1) * 3 && c->arena.total_bytes < STATS_CACHE_MAX_BYTES) {
            if (json_parse(&c->arena, f->stats, strlen(f->stats), &parsed, &e2) || parsed->type != JSON_OBJECT)
                parsed = NULL;
            size_t i = stats_slot_hash(f, c->mask);
            while (c->slots[i].key)
                i = (i + 1) & c->mask;
            c->slots[i].root = parsed;
            __atomic_store_n(&c->slots[i].key, f, __ATOMIC_RELEASE);
            c->n++;
            pthread_mutex_unlock(&c->mu);
            return parsed;
        }
        pthread_mutex_unlock(&c->mu);
    }
    if (json_parse(scratch, f->stats, strlen(f->stats), &parsed, &e2) || parsed->type != JSON_OBJECT)
        return NULL;
    return parsed;
}

/* ---- Pruning ------------------------------------------------------------------------------ */

static bool is_partition_col(const DeltaMetadata *m, const char *name)
{
    for (uint32_t i = 0; i < m->n_partition_columns; i++)
        if (strcasecmp(m->partition_columns[i], name) == 0)
            return true;
    return false;
}

/* Exact evaluation of `v op c` for a known value (partition columns). */
static bool eval_pred(const Value *v, const PqPredicate *p)
{
    if (p->op == PQ_CMP_IS_NULL)
        return v->is_null;
    if (p->op == PQ_CMP_NOT_NULL)
        return !v->is_null;
    if (v->is_null || p->value.is_null)
        return false;
    int c = delta_value_cmp(v, &p->value);
    switch (p->op) {
    case PQ_CMP_EQ: return c == 0;
    case PQ_CMP_LT: return c < 0;
    case PQ_CMP_LE: return c <= 0;
    case PQ_CMP_GT: return c > 0;
    case PQ_CMP_GE: return c >= 0;
    default: return true;
    }
}

static bool file_may_match(const DeltaSnapshot *snap, const DeltaAdd *f, const PqPredicate *preds, int n_preds,
                           Arena *scratch, bool cached);

bool delta_file_may_match(const DeltaSnapshot *snap, const DeltaAdd *f, const PqPredicate *preds,
                          int n_preds, Arena *scratch)
{
    return file_may_match(snap, f, preds, n_preds, scratch, false);
}

bool delta_snapshot_file_may_match(const DeltaSnapshot *snap, const DeltaAdd *f, const PqPredicate *preds,
                                   int n_preds, Arena *scratch)
{
    return file_may_match(snap, f, preds, n_preds, scratch, true);
}

static bool file_may_match(const DeltaSnapshot *snap, const DeltaAdd *f, const PqPredicate *preds, int n_preds,
                           Arena *scratch, bool cached)
{
    const DeltaSchema *s = &snap->schema;
    int stat_cols[64];
    const PqPredicate *stat_preds[64];
    int n_stat = 0;
    for (int i = 0; i < n_preds; i++) {
        const PqPredicate *p = &preds[i];
        int c = delta_schema_find(s, p->column);
        if (c < 0)
            continue;
        if (p->op != PQ_CMP_IS_NULL && p->op != PQ_CMP_NOT_NULL &&
            (p->value.is_null || ((p->value.type == TYPE_DOUBLE || p->value.type == TYPE_FLOAT) && isnan(p->value.v.d))))
            continue;
        if (is_partition_col(&snap->metadata, s->schema.fields[c].name)) {
            const char *pv = delta_map_get(&f->partition_values, s->columns[c].physical_name, NULL);
            if (!pv && s->columns[c].physical_name != s->schema.fields[c].name)
                pv = delta_map_get(&f->partition_values, s->schema.fields[c].name, NULL);
            Value v;
            TarnError e2;
            err_clear(&e2);
            if (delta_partition_value_parse(pv, &s->schema.fields[c].type, &v, &e2))
                continue;
            if (!eval_pred(&v, p))
                return false;
        } else if (n_stat < 64 && !type_is_nested(s->schema.fields[c].type.id)) {
            stat_cols[n_stat] = c;
            stat_preds[n_stat] = p;
            n_stat++;
        }
    }
    if (n_stat == 0 || !f->stats)
        return true;
    const JsonNode *root = stats_root(cached ? snap : NULL, f, scratch);
    if (!root)
        return true; /* unusable stats never fail a read: the file is simply not skipped */
    DeltaColStats cs[64];
    int64_t nrec = -1;
    memset(cs, 0, sizeof *cs * (size_t)n_stat);
    stats_from_root(root, s, stat_cols, n_stat, cs, &nrec, NULL);
    for (int k = 0; k < n_stat; k++) {
        const PqPredicate *p = stat_preds[k];
        const DeltaColStats *st = &cs[k];
        bool all_null = st->has_null_count && nrec >= 0 && st->null_count == nrec;
        switch (p->op) {
        case PQ_CMP_IS_NULL:
            if (st->has_null_count && st->null_count == 0)
                return false;
            break;
        case PQ_CMP_NOT_NULL:
            if (all_null)
                return false;
            break;
        case PQ_CMP_EQ:
            if (all_null)
                return false;
            if (st->has_min && delta_value_cmp(&st->min, &p->value) > 0)
                return false;
            if (st->has_max && delta_value_cmp(&st->max, &p->value) < 0)
                return false;
            break;
        case PQ_CMP_LT:
            if (all_null || (st->has_min && delta_value_cmp(&st->min, &p->value) >= 0))
                return false;
            break;
        case PQ_CMP_LE:
            if (all_null || (st->has_min && delta_value_cmp(&st->min, &p->value) > 0))
                return false;
            break;
        case PQ_CMP_GT:
            if (all_null || (st->has_max && delta_value_cmp(&st->max, &p->value) <= 0))
                return false;
            break;
        case PQ_CMP_GE:
            if (all_null || (st->has_max && delta_value_cmp(&st->max, &p->value) < 0))
                return false;
            break;
        }
    }
    return true;
}

/* ---- Stats accumulation for written files --------------------------------------------------- */

typedef struct LeafAcc {
    const char *path[8];       /* physical names from the top level down */
    int depth;
    int top;                   /* top-level column */
    int child[8];              /* child index per level below the top */
    const LogicalType *type;
    bool has;                  /* min/max seen */
    bool minmax;               /* type gets min/max */
    Value min, max;
    Buf min_buf, max_buf;      /* string copies */
    int64_t nulls;
} LeafAcc;

struct DeltaStatsAcc {
    const Schema *schema;
    int n_leaves;
    LeafAcc *leaves;
    int64_t rows;
};

static bool minmax_type(TypeId t)
{
    switch (t) {
    case TYPE_INT8: case TYPE_INT16: case TYPE_INT32: case TYPE_INT64: case TYPE_FLOAT:
    case TYPE_DOUBLE: case TYPE_DECIMAL: case TYPE_DATE: case TYPE_TIMESTAMP:
    case TYPE_TIMESTAMPTZ: case TYPE_STRING: case TYPE_BOOL:
        return true;
    default:
        return false;
    }
}

static void collect_leaves(DeltaStatsAcc *acc, const Field *f, int top, int depth, const char **path,
                           int *child, int limit)
{
    if (acc->n_leaves >= limit || depth >= 8)
        return;
    path[depth] = f->name;
    if (f->type.id == TYPE_STRUCT) {
        for (uint32_t i = 0; i < f->type.n_fields; i++) {
            child[depth] = (int)i;
            collect_leaves(acc, &f->type.fields[i], top, depth + 1, path, child, limit);
        }
        return;
    }
    if (f->type.id == TYPE_LIST || f->type.id == TYPE_MAP || f->type.id == TYPE_BLOB)
        return;
    LeafAcc *l = &acc->leaves[acc->n_leaves++];
    memset(l, 0, sizeof *l);
    l->depth = depth + 1;
    for (int i = 0; i <= depth; i++)
        l->path[i] = path[i];
    for (int i = 0; i < depth; i++)
        l->child[i] = child[i];
    l->top = top;
    l->type = &f->type;
    l->minmax = minmax_type(f->type.id);
    buf_init(&l->min_buf);
    buf_init(&l->max_buf);
}

DeltaStatsAcc *delta_stats_acc_new(const Schema *physical, int n_indexed)
{
    DeltaStatsAcc *acc = tarn_calloc(1, sizeof *acc);
    if (!acc)
        return NULL;
    acc->schema = physical;
    int limit = n_indexed < 0 ? 100000 : n_indexed;
    acc->leaves = tarn_calloc((size_t)(limit ? limit : 1), sizeof *acc->leaves);
    if (!acc->leaves) {
        tarn_free(acc);
        return NULL;
    }
    const char *path[8];
    int child[8];
    for (uint32_t i = 0; i < physical->n_fields && acc->n_leaves < limit; i++)
        collect_leaves(acc, &physical->fields[i], (int)i, 0, path, child, limit);
    return acc;
}

void delta_stats_acc_free(DeltaStatsAcc *acc)
{
    if (!acc)
        return;
    for (int i = 0; i < acc->n_leaves; i++) {
        buf_free(&acc->leaves[i].min_buf);
        buf_free(&acc->leaves[i].max_buf);
    }
    tarn_free(acc->leaves);
    tarn_free(acc);
}

int64_t delta_stats_acc_rows(const DeltaStatsAcc *acc) { return acc->rows; }

static int keep_str(Buf *b, Value *v)
{
    buf_clear(b);
    if (v->v.s.len && buf_append(b, v->v.s.ptr, v->v.s.len))
        return TARN_ERR_NOMEM;
    v->v.s.ptr = (const char *)b->data;
    return 0;
}

/* Index of the first smallest / largest valid value among v[0..n) (the
 * order of delta_value_cmp within one type; NaN skipped), or UINT32_MAX
 * when there is none; counts the NULLs.  One tight loop per type instead
 * of a Value per row. */
#define MINMAX_LOOP(T, LT, GT, ISNAN)                                                                       \
    do {                                                                                                    \
        const T *d = (const T *)v->data;                                                                    \
        for (uint32_t i = 0; i < n; i++) {                                                                  \
            if (v->validity && !vec_is_valid(v, i)) {                                                       \
                nulls++;                                                                                    \
                continue;                                                                                   \
            }                                                                                               \
            if (ISNAN(d[i]))                                                                                \
                continue;                                                                                   \
            if (lo == UINT32_MAX) {                                                                         \
                lo = hi = i;                                                                                \
                continue;                                                                                   \
            }                                                                                               \
            if (LT(d[i], d[lo]))                                                                            \
                lo = i;                                                                                     \
            if (GT(d[i], d[hi]))                                                                            \
                hi = i;                                                                                     \
        }                                                                                                   \
    } while (0)
#define NO_NAN(x) 0
#define FLT_ISNAN(x) ((x) != (x))
#define NUM_LT(a, b) ((a) < (b))
#define NUM_GT(a, b) ((a) > (b))
#define BOOL_LT(a, b) (((a) != 0) < ((b) != 0))
#define BOOL_GT(a, b) (((a) != 0) > ((b) != 0))

/* The first 8 bytes of a string as a big-endian number (zero padded):
 * ordering these orders the strings unless they are equal. */
static inline uint64_t sv_prefix(StrView a)
{
    const uint8_t *p = (const uint8_t *)a.ptr;
    uint64_t w = 0;
    if (a.len >= 8)
        memcpy(&w, p, 8);
    else if (a.len >= 4) {
        /* two overlapping 4-byte loads (the overlap ORs equal bytes) */
        uint32_t lo, hi;
        memcpy(&lo, p, 4);
        memcpy(&hi, p + a.len - 4, 4);
        w = (uint64_t)lo | (uint64_t)hi << (8 * (a.len - 4));
    } else if (a.len)
        w = (uint64_t)p[0] | (uint64_t)p[a.len / 2] << (8 * (a.len / 2)) | (uint64_t)p[a.len - 1] << (8 * (a.len - 1));
    return __builtin_bswap64(w);
}

/* memcmp order, then length (delta_value_cmp on strings), for two strings
 * whose prefixes (sv_prefix) are equal */
static inline int sv_cmp_tail(StrView a, StrView b)
{
    uint32_t m = a.len < b.len ? a.len : b.len;
    int c = m > 8 ? memcmp(a.ptr + 8, b.ptr + 8, m - 8) : 0;
    if (c)
        return c;
    return a.len < b.len ? -1 : a.len > b.len;
}

/* MINMAX_LOOP for strings, with the prefixes of the extremes so far kept:
 * one prefix per value, and whole comparisons only on equal prefixes. */
static int64_t str_minmax(const Vector *v, uint32_t n, uint32_t *lo_out, uint32_t *hi_out)
{
    const StrView *d = (const StrView *)v->data;
    int64_t nulls = 0;
    uint32_t lo = UINT32_MAX, hi = UINT32_MAX;
    uint64_t plo = 0, phi = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (v->validity && !vec_is_valid(v, i)) {
            nulls++;
            continue;
        }
        uint64_t x = sv_prefix(d[i]);
        if (lo == UINT32_MAX) {
            lo = hi = i;
            plo = phi = x;
            continue;
        }
        if (x <= plo && (x < plo || sv_cmp_tail(d[i], d[lo]) < 0)) {
            lo = i;
            plo = x;
        }
        if (x >= phi && (x > phi || sv_cmp_tail(d[i], d[hi]) > 0)) {
            hi = i;
            phi = x;
        }
    }
    *lo_out = lo;
    *hi_out = hi;
    return nulls;
}

static int64_t vec_minmax(const Vector *v, uint32_t n, bool minmax, uint32_t *lo_out, uint32_t *hi_out)
{
    int64_t nulls = 0;
    uint32_t lo = UINT32_MAX, hi = UINT32_MAX;
    if (!minmax) {
        if (v->validity)
            for (uint32_t i = 0; i < n; i++)
                nulls += !vec_is_valid(v, i);
        *lo_out = *hi_out = UINT32_MAX;
        return nulls;
    }
    switch (v->type->id) {
    case TYPE_BOOL: MINMAX_LOOP(uint8_t, BOOL_LT, BOOL_GT, NO_NAN); break;
    case TYPE_INT8: MINMAX_LOOP(int8_t, NUM_LT, NUM_GT, NO_NAN); break;
    case TYPE_INT16: MINMAX_LOOP(int16_t, NUM_LT, NUM_GT, NO_NAN); break;
    case TYPE_INT32: case TYPE_DATE: MINMAX_LOOP(int32_t, NUM_LT, NUM_GT, NO_NAN); break;
    case TYPE_INT64: case TYPE_TIMESTAMP: case TYPE_TIMESTAMPTZ: MINMAX_LOOP(int64_t, NUM_LT, NUM_GT, NO_NAN); break;
    case TYPE_FLOAT: MINMAX_LOOP(float, NUM_LT, NUM_GT, FLT_ISNAN); break;
    case TYPE_DOUBLE: MINMAX_LOOP(double, NUM_LT, NUM_GT, FLT_ISNAN); break;
    case TYPE_DECIMAL:
        if (v->type->precision > DECIMAL64_MAX_PRECISION)
            MINMAX_LOOP(int128_t, NUM_LT, NUM_GT, NO_NAN);
        else
            MINMAX_LOOP(int64_t, NUM_LT, NUM_GT, NO_NAN);
        break;
    case TYPE_STRING: return str_minmax(v, n, lo_out, hi_out);
    default:
        /* not a min/max type (minmax_type) */
        for (uint32_t i = 0; i < n; i++)
            nulls += !vec_is_valid(v, i);
        break;
    }
    *lo_out = lo;
    *hi_out = hi;
    return nulls;
}

int delta_stats_acc_add(DeltaStatsAcc *acc, const Batch *b)
{
    acc->rows += b->n_rows;
    for (int li = 0; li < acc->n_leaves; li++) {
        LeafAcc *l = &acc->leaves[li];
        const Vector *v = &b->cols[l->top];
        for (int d = 0; d < l->depth - 1; d++)
            v = &v->children[l->child[d]];
        uint32_t lo, hi;
        l->nulls += vec_minmax(v, b->n_rows, l->minmax, &lo, &hi);
        if (lo == UINT32_MAX)
            continue;
        /* the batch's extremes against what earlier batches had */
        Value xlo = delta_vector_value(v, lo), xhi = delta_vector_value(v, hi);
        bool str = type_is_string_like(xlo.type);
        if (!l->has) {
            l->min = xlo;
            l->max = xhi;
            l->has = true;
            if (str && (keep_str(&l->min_buf, &l->min) || keep_str(&l->max_buf, &l->max)))
                return TARN_ERR_NOMEM;
            continue;
        }
        if (delta_value_cmp(&xlo, &l->min) < 0) {
            l->min = xlo;
            if (str && keep_str(&l->min_buf, &l->min))
                return TARN_ERR_NOMEM;
        }
        if (delta_value_cmp(&xhi, &l->max) > 0) {
            l->max = xhi;
            if (str && keep_str(&l->max_buf, &l->max))
                return TARN_ERR_NOMEM;
        }
    }
    return 0;
}

/* Byte length of the first `cp` code points of s[0..n). */
static size_t utf8_prefix(const char *s, size_t n, size_t cp)
{
    size_t c = 0, i = 0;
    for (; i < n; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            if (c == cp)
                break;
            c++;
        }
    }
    return i;
}

static int write_stat_value(Buf *o, const LeafAcc *l, const Value *v, bool is_max)
{
    char buf[VALUE_TEXT_MAX * 2];
    switch (v->type) {
    case TYPE_INT8: case TYPE_INT16: case TYPE_INT32: case TYPE_INT64:
        return buf_printf(o, "%" PRId64, v->v.i);
    case TYPE_BOOL:
        return buf_printf(o, "%s", v->v.b ? "true" : "false");
    case TYPE_FLOAT: case TYPE_DOUBLE:
        if (isinf(v->v.d))
            return buf_printf(o, "\"%s\"", v->v.d > 0 ? "Infinity" : "-Infinity");
        if (v->type == TYPE_FLOAT)
            value_format_float((float)v->v.d, buf);
        else
            value_format_double(v->v.d, buf);
        return buf_printf(o, "%s", buf);
    case TYPE_DECIMAL:
        value_format_decimal(l->type->precision > DECIMAL64_MAX_PRECISION ? v->v.i128 : (int128_t)v->v.i,
                             l->type->scale, buf);
        return buf_printf(o, "%s", buf);
    case TYPE_DATE:
        dt_format_date(v->v.i, buf);
        return buf_printf(o, "\"%s\"", buf);
    case TYPE_TIMESTAMP: case TYPE_TIMESTAMPTZ: {
        int64_t us = v->v.i;
        int64_t ms = us >= 0 ? us / 1000 : -((-us + 999) / 1000); /* truncate down to ms */
        int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
        int64_t tod = ms - days * 86400000;
        dt_format_date(days, buf);
        return buf_printf(o, "\"%sT%02d:%02d:%02d.%03d%s\"", buf, (int)(tod / 3600000), (int)(tod / 60000 % 60),
                          (int)(tod / 1000 % 60), (int)(tod % 1000), v->type == TYPE_TIMESTAMPTZ ? "Z" : "");
    }
    case TYPE_STRING: {
        size_t n = v->v.s.len;
        size_t cut = utf8_prefix(v->v.s.ptr, n, DELTA_STATS_STRING_PREFIX);
        if (value_append_json_string(o, v->v.s.ptr, cut))
            return TARN_ERR_NOMEM;
        if (cut < n && is_max) {
            /* make the truncated max an upper bound: append U+10FFFF inside the string */
            o->len--; /* drop the closing quote */
            return buf_printf(o, "\xF4\x8F\xBF\xBF\"");
        }
        return 0;
    }
    default:
        return buf_printf(o, "null");
    }
}

/* Writes {"a":x,"s":{"b":y}} for the leaves selected by `what` (0 min, 1
 * max, 2 nullCount), nesting by path. */
static int write_group(Buf *o, DeltaStatsAcc *acc, int what)
{
    if (buf_append_byte(o, '{'))
        return TARN_ERR_NOMEM;
    const char *open[8];
    int depth = 0;
    bool first[9] = {true, true, true, true, true, true, true, true, true};
    for (int li = 0; li < acc->n_leaves; li++) {
        LeafAcc *l = &acc->leaves[li];
        if (what < 2 && (!l->minmax || !l->has))
            continue;
        /* close groups that are not a prefix of this leaf's path */
        int common = 0;
        while (common < depth && common < l->depth - 1 && strcmp(open[common], l->path[common]) == 0)
            common++;
        while (depth > common) {
            if (buf_append_byte(o, '}'))
                return TARN_ERR_NOMEM;
            depth--;
        }
        while (depth < l->depth - 1) {
            if (!first[depth] && buf_append_byte(o, ','))
                return TARN_ERR_NOMEM;
            first[depth] = false;
            if (value_append_json_string(o, l->path[depth], strlen(l->path[depth])) || buf_printf(o, ":{"))
                return TARN_ERR_NOMEM;
            open[depth] = l->path[depth];
            depth++;
            first[depth] = true;
        }
        if (!first[depth] && buf_append_byte(o, ','))
            return TARN_ERR_NOMEM;
        first[depth] = false;
        const char *name = l->path[l->depth - 1];
        if (value_append_json_string(o, name, strlen(name)) || buf_append_byte(o, ':'))
            return TARN_ERR_NOMEM;
        int rc = what == 2 ? buf_printf(o, "%" PRId64, l->nulls)
                           : write_stat_value(o, l, what == 0 ? &l->min : &l->max, what == 1);
        if (rc)
            return TARN_ERR_NOMEM;
    }
    while (depth > 0) {
        if (buf_append_byte(o, '}'))
            return TARN_ERR_NOMEM;
        depth--;
    }
    return buf_append_byte(o, '}');
}

int delta_stats_acc_json(DeltaStatsAcc *acc, Buf *out)
{
    if (buf_printf(out, "{\"numRecords\":%" PRId64 ",\"minValues\":", acc->rows) || write_group(out, acc, 0) ||
        buf_printf(out, ",\"maxValues\":") || write_group(out, acc, 1) || buf_printf(out, ",\"nullCount\":") ||
        write_group(out, acc, 2) || buf_printf(out, "}"))
        return TARN_ERR_NOMEM;
    return buf_terminate(out);
}
