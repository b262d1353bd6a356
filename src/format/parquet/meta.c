/*
 * meta.c - decode and encode Parquet metadata structs (parquet.thrift) in
 * the Thrift compact protocol (see meta.h for the contract, thrift.h for
 * the wire format).
 *
 * Decoding is one hand-written reader per struct: a loop over field
 * headers, a switch on the field id, thrift_skip for anything unknown or
 * of an unexpected wire type (Thrift's evolution rule), then checks of the
 * required fields and of sign where the spec implies non-negative values.
 * The ThriftReader's error is sticky, so readers test r->rc rather than
 * every primitive.  Lists are allocated in the arena only after their count
 * was checked against the bytes left (times the smallest possible encoding
 * of one element), so hostile counts cannot make us allocate much more
 * than the input size.
 *
 * Leniency: an unknown LogicalType member, or a known member whose own
 * fields are malformed (missing unit, odd bit width), decodes as
 * PQ_LT_UNKNOWN so the column stays readable by its physical type.
 * FileMetaData.version is required by the spec but defaults to 1 when
 * absent, since nothing depends on it.
 */
#include "format/parquet/meta.h"

#include <string.h>

#include "format/parquet/thrift.h"

_Static_assert(PQ_MAX_NESTING <= THRIFT_MAX_DEPTH, "thrift nesting limit");

/* ---- Initialisers -------------------------------------------------------- */

void pq_schema_element_init(PqSchemaElement *e)
{
    memset(e, 0, sizeof *e);
    e->type = -1;
    e->type_length = -1;
    e->repetition = PQ_REP_NONE;
    e->name = NULL;
    e->num_children = 0;
    e->converted_type = PQ_CT_NONE;
    e->scale = -1;
    e->precision = -1;
    e->field_id = -1;
    e->has_field_id = false;
    e->logical.kind = PQ_LT_NONE;
}

void pq_statistics_init(PqStatistics *s)
{
    memset(s, 0, sizeof *s);
    s->null_count = -1;
    s->distinct_count = -1;
}

static void column_meta_init(PqColumnMetaData *m)
{
    memset(m, 0, sizeof *m);
    m->type = -1;
    m->codec = PQ_CODEC_UNCOMPRESSED;
    m->index_page_offset = -1;
    m->dictionary_page_offset = -1;
    pq_statistics_init(&m->statistics);
    m->bloom_filter_offset = -1;
    m->bloom_filter_length = -1;
}

void pq_column_chunk_init(PqColumnChunk *c)
{
    memset(c, 0, sizeof *c);
    c->file_path = NULL;
    c->file_offset = 0;
    c->has_meta_data = false;
    column_meta_init(&c->meta_data);
    c->offset_index_offset = -1;
    c->offset_index_length = -1;
    c->column_index_offset = -1;
    c->column_index_length = -1;
    c->encrypted = false;
}

void pq_page_header_init(PqPageHeader *h)
{
    memset(h, 0, sizeof *h);
    h->type = -1;
    h->uncompressed_page_size = -1;
    h->compressed_page_size = -1;
    h->has_crc = false;
    h->crc = 0;
    pq_statistics_init(&h->data_page.statistics);
    h->data_page.encoding = PQ_ENC_PLAIN;
    h->data_page.definition_level_encoding = PQ_ENC_RLE;
    h->data_page.repetition_level_encoding = PQ_ENC_RLE;
    h->dict_page.encoding = PQ_ENC_PLAIN;
    h->data_page_v2.encoding = PQ_ENC_PLAIN;
    h->data_page_v2.is_compressed = true;
    pq_statistics_init(&h->data_page_v2.statistics);
}

static void row_group_init(PqRowGroup *g)
{
    memset(g, 0, sizeof *g);
    g->file_offset = -1;
    g->total_compressed_size = -1;
    g->ordinal = -1;
}

/* ---- Decoding helpers ----------------------------------------------------- */

/* Names the struct being read in error messages; restored on the way out. */
typedef struct Frame {
    const char *what;
    int16_t field;
} Frame;

static bool enter(ThriftReader *r, const char *what, Frame *f)
{
    f->what = r->what;
    f->field = r->field;
    if (!thrift_struct_begin(r))
        return false;
    r->what = what;
    r->field = 0;
    return true;
}

static void leave(ThriftReader *r, const Frame *f)
{
    thrift_struct_end(r);
    if (!r->rc) {
        r->what = f->what;
        r->field = f->field;
    }
}

/* True when the field has the expected wire type; otherwise skips it. */
static bool want(ThriftReader *r, int ft, int expected)
{
    if (ft == expected)
        return true;
    thrift_skip(r, ft);
    return false;
}

static bool want_bool(ThriftReader *r, int ft)
{
    if (ft == THRIFT_TRUE || ft == THRIFT_FALSE)
        return true;
    thrift_skip(r, ft);
    return false;
}

static void fail_missing(ThriftReader *r, const char *field)
{
    r->field = 0;
    thrift_fail(r, "missing required field %s", field);
}

static void fail_negative(ThriftReader *r, const char *field, long long v)
{
    thrift_fail(r, "negative %s (%lld)", field, v);
}

static void fail_nomem(ThriftReader *r, size_t n)
{
    if (r->rc)
        return;
    r->rc = ERR_NOMEM(r->err, n);
    r->p = r->end;
}

/* Arena array of n elements of `size` bytes (NULL for n == 0 or on error). */
static void *alloc_array(ThriftReader *r, Arena *a, uint32_t n, size_t size)
{
    if (n == 0 || r->rc)
        return NULL;
    if ((size_t)n > SIZE_MAX / size) {
        fail_nomem(r, SIZE_MAX);
        return NULL;
    }
    void *p = arena_alloc(a, (size_t)n * size);
    if (!p)
        fail_nomem(r, (size_t)n * size);
    return p;
}

/* Reads a list header whose elements must be of `elem_type` and take at
 * least `min_elem_bytes` each.  Returns false (and skips nothing) on error;
 * an empty list of any element type is accepted. */
static bool read_list_of(ThriftReader *r, int elem_type, size_t min_elem_bytes, uint32_t max_count,
                         const char *field, uint32_t *count_out)
{
    int et;
    uint32_t n;
    *count_out = 0;
    if (!thrift_read_list(r, max_count, &et, &n))
        return false;
    if (n == 0)
        return true;
    if (et != elem_type) {
        thrift_fail(r, "%s: list element type %d, expected %d", field, et, elem_type);
        return false;
    }
    if ((uint64_t)n * min_elem_bytes > thrift_remaining(r)) {
        thrift_fail(r, "%s: list of %u elements exceeds the %zu bytes left", field, n,
                    thrift_remaining(r));
        return false;
    }
    *count_out = n;
    return true;
}

static const char *read_string(ThriftReader *r, Arena *a)
{
    const uint8_t *p;
    uint32_t n;
    thrift_read_binary(r, &p, &n);
    if (r->rc)
        return NULL;
    char *s = arena_strndup(a, (const char *)p, n);
    if (!s)
        fail_nomem(r, (size_t)n + 1);
    return s;
}

static void read_bytes(ThriftReader *r, Arena *a, PqBytes *out)
{
    const uint8_t *p;
    uint32_t n;
    out->ptr = NULL;
    out->len = 0;
    thrift_read_binary(r, &p, &n);
    if (r->rc)
        return;
    /* A present but empty value keeps a non-NULL pointer. */
    uint8_t *d = arena_alloc(a, n ? n : 1);
    if (!d) {
        fail_nomem(r, n);
        return;
    }
    if (n)
        memcpy(d, p, n);
    out->ptr = d;
    out->len = n;
}

/* Reads a union of empty structs and returns its member id (0 if empty,
 * -1 on error).  The member's contents, if any, are skipped. */
static int read_empty_union(ThriftReader *r, const char *what)
{
    Frame f;
    int member = 0;
    if (!enter(r, what, &f))
        return -1;
    int16_t last = 0, id;
    int ft;
    while (thrift_read_field(r, &last, &id, &ft)) {
        if (ft == THRIFT_STRUCT && member == 0)
            member = id;
        thrift_skip(r, ft);
    }
    leave(r, &f);
    return r->rc ? -1 : member;
}

#define SEEN(bit) (seen & (1u << (bit)))

/* ---- Decoding: statistics, key-value, small structs ---------------------- */

static void read_statistics(ThriftReader *r, Arena *a, PqStatistics *s)
{
    Frame f;
    pq_statistics_init(s);
    if (!enter(r, "statistics", &f))
        return;
    int16_t last = 0, id;
    int ft;
    while (thrift_read_field(r, &last, &id, &ft)) {
        switch (id) {
        case 1:
            if (want(r, ft, THRIFT_BINARY))
                read_bytes(r, a, &s->max);
            break;
        case 2:
            if (want(r, ft, THRIFT_BINARY))
                read_bytes(r, a, &s->min);
            break;
        case 3:
            if (want(r, ft, THRIFT_I64))
                s->null_count = thrift_read_i64(r);
            break;
        case 4:
            if (want(r, ft, THRIFT_I64))
                s->distinct_count = thrift_read_i64(r);
            break;
        case 5:
            if (want(r, ft, THRIFT_BINARY))
                read_bytes(r, a, &s->max_value);
            break;
        case 6:
            if (want(r, ft, THRIFT_BINARY))
                read_bytes(r, a, &s->min_value);
            break;
        case 7:
            if (want_bool(r, ft)) {
                s->has_is_max_value_exact = true;
                s->is_max_value_exact = ft == THRIFT_TRUE;
            }
            break;
        case 8:
            if (want_bool(r, ft)) {
                s->has_is_min_value_exact = true;
                s->is_min_value_exact = ft == THRIFT_TRUE;
            }
            break;
        default:
            thrift_skip(r, ft);
        }
    }
    if (!r->rc && s->null_count < -1)
        fail_negative(r, "null_count", s->null_count);
    if (!r->rc && s->distinct_count < -1)
        fail_negative(r, "distinct_count", s->distinct_count);
    leave(r, &f);
}

static void read_key_value(ThriftReader *r, Arena *a, PqKeyValue *kv)
{
    Frame f;
    kv->key = NULL;
    kv->value = NULL;
    if (!enter(r, "key-value", &f))
        return;
    int16_t last = 0, id;
    int ft;
    while (thrift_read_field(r, &last, &id, &ft)) {
        if (id == 1 && want(r, ft, THRIFT_BINARY))
            kv->key = read_string(r, a);
        else if (id == 2 && want(r, ft, THRIFT_BINARY))
            kv->value = read_string(r, a);
        else if (id != 1 && id != 2)
            thrift_skip(r, ft);
    }
    if (!r->rc && !kv->key)
        fail_missing(r, "key");
    leave(r, &f);
}

/* key_value_metadata: list<KeyValue> (each element at least "key" = 3 bytes). */
static void read_kv_list(ThriftReader *r, Arena *a, int32_t *n_out, PqKeyValue **kv_out)
{
    uint32_t n;
    *n_out = 0;
    *kv_out = NULL;
    if (!read_list_of(r, THRIFT_STRUCT, 3, PQ_MAX_LIST, "key_value_metadata", &n))
        return;
    PqKeyValue *kv = alloc_array(r, a, n, sizeof *kv);
    for (uint32_t i = 0; i < n && !r->rc; i++)
        read_key_value(r, a, &kv[i]);
    if (!r->rc) {
        *n_out = (int32_t)n;
        *kv_out = kv;
    }
}

static void read_page_encoding_stats(ThriftReader *r, PqPageEncodingStats *s)
{
    Frame f;
    uint32_t seen = 0;
    s->page_type = s->encoding = s->count = 0;
    if (!enter(r, "page encoding stats", &f))
        return;
    int16_t last = 0, id;
    int ft;
    while (thrift_read_field(r, &last, &id, &ft)) {
        int32_t *dst = id == 1 ? &s->page_type : id == 2 ? &s->encoding : id == 3 ? &s->count : NULL;
        if (dst && want(r, ft, THRIFT_I32)) {
            *dst = thrift_read_i32(r);
            seen |= 1u << id;
        } else if (!dst) {
            thrift_skip(r, ft);
        }
    }
    if (!r->rc) {
        if (!SEEN(1))
            fail_missing(r, "page_type");
        else if (!SEEN(2))
            fail_missing(r, "encoding");
        else if (!SEEN(3))
            fail_missing(r, "count");
        else if (s->count < 0)
            fail_negative(r, "count", s->count);
    }
    leave(r, &f);
}

static void read_sorting_column(ThriftReader *r, PqSortingColumn *s)
{
    Frame f;
    uint32_t seen = 0;
    s->column_idx = 0;
    s->descending = s->nulls_first = false;
    if (!enter(r, "sorting column", &f))
        return;
    int16_t last = 0, id;
    int ft;
    while (thrift_read_field(r, &last, &id, &ft)) {
        switch (id) {
        case 1:
            if (want(r, ft, THRIFT_I32)) {
                s->column_idx = thrift_read_i32(r);
                seen |= 1u << 1;
            }
            break;
        case 2:
            if (want_bool(r, ft)) {
                s->descending = ft == THRIFT_TRUE;
                seen |= 1u << 2;
            }
            break;
        case 3:
            if (want_bool(r, ft)) {
                s->nulls_first = ft == THRIFT_TRUE;
                seen |= 1u << 3;
            }
            break;
        default:
            thrift_skip(r, ft);
        }
    }
    if (!r->rc) {
        if (!SEEN(1))
            fail_missing(r, "column_idx");
        else if (!SEEN(2))
            fail_missing(r, "descending");
        else if (!SEEN(3))
            fail_missing(r, "nulls_first");
        else if (s->column_idx < 0)
            fail_negative(r, "column_idx", s->column_idx);
    }
    leave(r, &f);
}

/* ---- Decoding: schema ------------------------------------------------------ */

/* TimeUnit union: 1 MILLIS, 2 MICROS, 3 NANOS.  Returns false when the
 * member is unknown or absent. */
static bool read_time_unit(ThriftReader *r, PqTimeUnit *unit)
{
    int m = read_empty_union(r, "time unit");
    if (m < 1 || m > 3)
        return false;
    *unit = (PqTimeUnit)(m - 1);
    return true;
}

/* TimeType / TimestampType: 1 isAdjustedToUTC, 2 unit (both required). */
static bool read_time_type(ThriftReader *r, PqLogicalType *lt)
{
    Frame f;
    bool have_utc = false, have_unit = false, unit_ok = false;
    if (!enter(r, "time type", &f))
        return false;
    int16_t last = 0, id;
    int ft;
    while (thrift_read_field(r, &last, &id, &ft)) {
        if (id == 1 && want_bool(r, ft)) {
            lt->is_adjusted_to_utc = ft == THRIFT_TRUE;
            have_utc = true;
        } else if (id == 2 && want(r, ft, THRIFT_STRUCT)) {
            have_unit = true;
            unit_ok = read_time_unit(r, &lt->unit);
        } else if (id != 1 && id != 2) {
            thrift_skip(r, ft);
        }
    }
    leave(r, &f);
    return have_utc && have_unit && unit_ok;
}

static bool read_decimal_type(ThriftReader *r, PqLogicalType *lt)
{
    Frame f;
    bool have_scale = false, have_precision = false;
    if (!enter(r, "decimal type", &f))
        return false;
    int16_t last = 0, id;
    int ft;
    while (thrift_read_field(r, &last, &id, &ft)) {
        if (id == 1 && want(r, ft, THRIFT_I32)) {
            lt->scale = thrift_read_i32(r);
            have_scale = true;
        } else if (id == 2 && want(r, ft, THRIFT_I32)) {
            lt->precision = thrift_read_i32(r);
            have_precision = true;
        } else if (id != 1 && id != 2) {
            thrift_skip(r, ft);
        }
    }
    leave(r, &f);
    return have_scale && have_precision && lt->scale >= 0 && lt->precision > 0 &&
           lt->scale <= lt->precision;
}

static bool read_int_type(ThriftReader *r, PqLogicalType *lt)
{
    Frame f;
    bool have_width = false, have_signed = false;
    if (!enter(r, "int type", &f))
        return false;
    int16_t last = 0, id;
    int ft;
    while (thrift_read_field(r, &last, &id, &ft)) {
        if (id == 1 && want(r, ft, THRIFT_I8)) {
            lt->bit_width = thrift_read_i8(r);
            have_width = true;
        } else if (id == 2 && want_bool(r, ft)) {
            lt->is_signed = ft == THRIFT_TRUE;
            have_signed = true;
        } else if (id != 1 && id != 2) {
            thrift_skip(r, ft);
        }
    }
    leave(r, &f);
    int w = lt->bit_width;
    return have_width && have_signed && (w == 8 || w == 16 || w == 32 || w == 64);
}

static void read_logical_type(ThriftReader *r, PqLogicalType *lt)
{
    Frame f;
    memset(lt, 0, sizeof *lt);
    lt->kind = PQ_LT_NONE;
    if (!enter(r, "logical type", &f))
        return;
    int16_t last = 0, id;
    int ft;
    while (thrift_read_field(r, &last, &id, &ft)) {
        if (ft != THRIFT_STRUCT) {
            thrift_skip(r, ft);
            lt->kind = PQ_LT_UNKNOWN;
            continue;
        }
        switch (id) {
        case PQ_LT_STRING:
        case PQ_LT_MAP:
        case PQ_LT_LIST:
        case PQ_LT_ENUM:
        case PQ_LT_DATE:
        case PQ_LT_UNKNOWN_NULL:
        case PQ_LT_JSON:
        case PQ_LT_BSON:
        case PQ_LT_UUID:
        case PQ_LT_FLOAT16:
        case PQ_LT_VARIANT:   /* optional specification_version: not kept */
        case PQ_LT_GEOMETRY:  /* optional crs: not kept */
        case PQ_LT_GEOGRAPHY: /* optional crs, algorithm: not kept */
            thrift_skip(r, ft);
            lt->kind = (PqLogicalKind)id;
            break;
        case PQ_LT_DECIMAL:
            lt->kind = read_decimal_type(r, lt) ? PQ_LT_DECIMAL : PQ_LT_UNKNOWN;
            break;
        case PQ_LT_TIME:
        case PQ_LT_TIMESTAMP:
            lt->kind = read_time_type(r, lt) ? (PqLogicalKind)id : PQ_LT_UNKNOWN;
            break;
        case PQ_LT_INTEGER:
            lt->kind = read_int_type(r, lt) ? PQ_LT_INTEGER : PQ_LT_UNKNOWN;
            break;
        default:
            thrift_skip(r, ft);
            lt->kind = PQ_LT_UNKNOWN;
        }
    }
    leave(r, &f);
}

static void read_schema_element(ThriftReader *r, Arena *a, PqSchemaElement *e)
{
    Frame f;
    pq_schema_element_init(e);
    if (!enter(r, "schema element", &f))
        return;
    int16_t last = 0, id;
    int ft;
    while (thrift_read_field(r, &last, &id, &ft)) {
        switch (id) {
        case 1:
            if (want(r, ft, THRIFT_I32))
                e->type = thrift_read_i32(r);
            break;
        case 2:
            if (want(r, ft, THRIFT_I32))
                e->type_length = thrift_read_i32(r);
            break;
        case 3:
            if (want(r, ft, THRIFT_I32))
                e->repetition = thrift_read_i32(r);
            break;
        case 4:
            if (want(r, ft, THRIFT_BINARY))
                e->name = read_string(r, a);
            break;
        case 5:
            if (want(r, ft, THRIFT_I32))
                e->num_children = thrift_read_i32(r);
            break;
        case 6:
            if (want(r, ft, THRIFT_I32))
                e->converted_type = thrift_read_i32(r);
            break;
        case 7:
            if (want(r, ft, THRIFT_I32))
                e->scale = thrift_read_i32(r);
            break;
        case 8:
            if (want(r, ft, THRIFT_I32))
                e->precision = thrift_read_i32(r);
            break;
        case 9:
            if (want(r, ft, THRIFT_I32)) {
                e->field_id = thrift_read_i32(r);
                e->has_field_id = true;
            }
            break;
        case 10:
            if (want(r, ft, THRIFT_STRUCT))
                read_logical_type(r, &e->logical);
            break;
        default:
            thrift_skip(r, ft);
        }
    }
    if (!r->rc) {
        if (!e->name)
            fail_missing(r, "name");
        else if (e->type < -1 || e->type > PQ_FIXED_LEN_BYTE_ARRAY)
            thrift_fail(r, "unknown physical type %d of \"%s\"", (int)e->type, e->name);
        else if (e->repetition < -1 || e->repetition > PQ_REPEATED)
            thrift_fail(r, "unknown repetition type %d of \"%s\"", (int)e->repetition, e->name);
        else if (e->num_children < 0)
            fail_negative(r, "num_children", e->num_children);
        else if (e->type_length < -1)
            fail_negative(r, "type_length", e->type_length);
    }
    leave(r, &f);
}

/* ---- Decoding: column chunks and row groups ------------------------------- */

static void read_column_meta(ThriftReader *r, Arena *a, PqColumnMetaData *m)
{
    Frame f;
    uint32_t seen = 0;
    column_meta_init(m);
    if (!enter(r, "column metadata", &f))
        return;
    int16_t last = 0, id;
    int ft;
    while (thrift_read_field(r, &last, &id, &ft)) {
        switch (id) {
        case 1:
            if (want(r, ft, THRIFT_I32)) {
                m->type = thrift_read_i32(r);
                seen |= 1u << id;
            }
            break;
        case 2:
            if (want(r, ft, THRIFT_LIST)) {
                uint32_t n;
                if (!read_list_of(r, THRIFT_I32, 1, PQ_MAX_LIST, "encodings", &n))
                    break;
                int32_t *enc = alloc_array(r, a, n, sizeof *enc);
                for (uint32_t i = 0; i < n && !r->rc; i++)
                    enc[i] = thrift_read_i32(r);
                m->n_encodings = (int32_t)n;
                m->encodings = enc;
                seen |= 1u << id;
            }
            break;
        case 3:
            if (want(r, ft, THRIFT_LIST)) {
                uint32_t n;
                if (!read_list_of(r, THRIFT_BINARY, 1, PQ_MAX_LIST, "path_in_schema", &n))
                    break;
                const char **path = alloc_array(r, a, n, sizeof *path);
                for (uint32_t i = 0; i < n && !r->rc; i++)
                    path[i] = read_string(r, a);
                m->n_path = (int32_t)n;
                m->path_in_schema = path;
                seen |= 1u << id;
            }
            break;
        case 4:
            if (want(r, ft, THRIFT_I32)) {
                m->codec = thrift_read_i32(r);
                seen |= 1u << id;
            }
            break;
        case 5:
        case 6:
        case 7:
        case 9:
        case 10:
        case 11:
        case 14:
            if (want(r, ft, THRIFT_I64)) {
                int64_t v = thrift_read_i64(r);
                switch (id) {
                case 5: m->num_values = v; break;
                case 6: m->total_uncompressed_size = v; break;
                case 7: m->total_compressed_size = v; break;
                case 9: m->data_page_offset = v; break;
                case 10: m->index_page_offset = v; break;
                case 11: m->dictionary_page_offset = v; break;
                default: m->bloom_filter_offset = v; break;
                }
                seen |= 1u << id;
            }
            break;
        case 8:
            if (want(r, ft, THRIFT_LIST))
                read_kv_list(r, a, &m->n_kv, &m->key_value_metadata);
            break;
        case 12:
            if (want(r, ft, THRIFT_STRUCT)) {
                read_statistics(r, a, &m->statistics);
                m->has_statistics = true;
            }
            break;
        case 13:
            if (want(r, ft, THRIFT_LIST)) {
                uint32_t n;
                /* each element has three required i32 fields: >= 7 bytes */
                if (!read_list_of(r, THRIFT_STRUCT, 7, PQ_MAX_LIST, "encoding_stats", &n))
                    break;
                PqPageEncodingStats *s = alloc_array(r, a, n, sizeof *s);
                for (uint32_t i = 0; i < n && !r->rc; i++)
                    read_page_encoding_stats(r, &s[i]);
                m->n_encoding_stats = (int32_t)n;
                m->encoding_stats = s;
            }
            break;
        case 15:
            if (want(r, ft, THRIFT_I32))
                m->bloom_filter_length = thrift_read_i32(r);
            break;
        default:
            /* 16 size_statistics, 17 geospatial_statistics, future fields */
            thrift_skip(r, ft);
        }
    }
    if (!r->rc) {
        static const struct { int id; const char *name; } req[] = {
            {1, "type"}, {2, "encodings"}, {3, "path_in_schema"}, {4, "codec"},
            {5, "num_values"}, {6, "total_uncompressed_size"}, {7, "total_compressed_size"},
            {9, "data_page_offset"},
        };
        for (size_t i = 0; i < sizeof req / sizeof req[0]; i++) {
            if (!SEEN(req[i].id)) {
                fail_missing(r, req[i].name);
                break;
            }
        }
    }
    if (!r->rc) {
        if (m->type < 0 || m->type > PQ_FIXED_LEN_BYTE_ARRAY)
            thrift_fail(r, "unknown physical type %d", (int)m->type);
        else if (m->num_values < 0)
            fail_negative(r, "num_values", m->num_values);
        else if (m->total_uncompressed_size < 0)
            fail_negative(r, "total_uncompressed_size", m->total_uncompressed_size);
        else if (m->total_compressed_size < 0)
            fail_negative(r, "total_compressed_size", m->total_compressed_size);
        else if (m->data_page_offset < 0)
            fail_negative(r, "data_page_offset", m->data_page_offset);
        else if (m->index_page_offset < -1)
            fail_negative(r, "index_page_offset", m->index_page_offset);
        else if (m->dictionary_page_offset < -1)
            fail_negative(r, "dictionary_page_offset", m->dictionary_page_offset);
        else if (m->bloom_filter_offset < -1)
            fail_negative(r, "bloom_filter_offset", m->bloom_filter_offset);
        else if (m->bloom_filter_length < -1)
            fail_negative(r, "bloom_filter_length", m->bloom_filter_length);
    }
    leave(r, &f);
}

static void read_column_chunk(ThriftReader *r, Arena *a, PqColumnChunk *c)
{
    Frame f;
    uint32_t seen = 0;
    pq_column_chunk_init(c);
    if (!enter(r, "column chunk", &f))
        return;
    int16_t last = 0, id;
    int ft;
    while (thrift_read_field(r, &last, &id, &ft)) {
        switch (id) {
        case 1:
            if (want(r, ft, THRIFT_BINARY))
                c->file_path = read_string(r, a);
            break;
        case 2:
            if (want(r, ft, THRIFT_I64)) {
                c->file_offset = thrift_read_i64(r);
                seen |= 1u << id;
            }
            break;
        case 3:
            if (want(r, ft, THRIFT_STRUCT)) {
                read_column_meta(r, a, &c->meta_data);
                c->has_meta_data = true;
            }
            break;
        case 4:
            if (want(r, ft, THRIFT_I64))
                c->offset_index_offset = thrift_read_i64(r);
            break;
        case 5:
            if (want(r, ft, THRIFT_I32))
                c->offset_index_length = thrift_read_i32(r);
            break;
        case 6:
            if (want(r, ft, THRIFT_I64))
                c->column_index_offset = thrift_read_i64(r);
            break;
        case 7:
            if (want(r, ft, THRIFT_I32))
                c->column_index_length = thrift_read_i32(r);
            break;
        case 8: /* crypto_metadata */
        case 9: /* encrypted_column_metadata */
            thrift_skip(r, ft);
            c->encrypted = true;
            break;
        default:
            thrift_skip(r, ft);
        }
    }
    if (!r->rc) {
        if (!SEEN(2))
            fail_missing(r, "file_offset");
        else if (c->file_offset < 0)
            fail_negative(r, "file_offset", c->file_offset);
        else if (c->offset_index_offset < -1)
            fail_negative(r, "offset_index_offset", c->offset_index_offset);
        else if (c->offset_index_length < -1)
            fail_negative(r, "offset_index_length", c->offset_index_length);
        else if (c->column_index_offset < -1)
            fail_negative(r, "column_index_offset", c->column_index_offset);
        else if (c->column_index_length < -1)
            fail_negative(r, "column_index_length", c->column_index_length);
    }
    leave(r, &f);
}

static void read_row_group(ThriftReader *r, Arena *a, PqRowGroup *g)
{
    Frame f;
    uint32_t seen = 0;
    row_group_init(g);
    if (!enter(r, "row group", &f))
        return;
    int16_t last = 0, id;
    int ft;
    while (thrift_read_field(r, &last, &id, &ft)) {
        switch (id) {
        case 1:
            if (want(r, ft, THRIFT_LIST)) {
                uint32_t n;
                /* a column chunk holds at least file_offset: >= 3 bytes */
                if (!read_list_of(r, THRIFT_STRUCT, 3, PQ_MAX_LIST, "columns", &n))
                    break;
                PqColumnChunk *cols = alloc_array(r, a, n, sizeof *cols);
                for (uint32_t i = 0; i < n && !r->rc; i++)
                    read_column_chunk(r, a, &cols[i]);
                g->n_columns = (int32_t)n;
                g->columns = cols;
                seen |= 1u << id;
            }
            break;
        case 2:
            if (want(r, ft, THRIFT_I64)) {
                g->total_byte_size = thrift_read_i64(r);
                seen |= 1u << id;
            }
            break;
        case 3:
            if (want(r, ft, THRIFT_I64)) {
                g->num_rows = thrift_read_i64(r);
                seen |= 1u << id;
            }
            break;
        case 4:
            if (want(r, ft, THRIFT_LIST)) {
                uint32_t n;
                /* i32 + two bools + stop: >= 4 bytes */
                if (!read_list_of(r, THRIFT_STRUCT, 4, PQ_MAX_LIST, "sorting_columns", &n))
                    break;
                PqSortingColumn *s = alloc_array(r, a, n, sizeof *s);
                for (uint32_t i = 0; i < n && !r->rc; i++)
                    read_sorting_column(r, &s[i]);
                g->n_sorting_columns = (int32_t)n;
                g->sorting_columns = s;
            }
            break;
        case 5:
            if (want(r, ft, THRIFT_I64))
                g->file_offset = thrift_read_i64(r);
            break;
        case 6:
            if (want(r, ft, THRIFT_I64))
                g->total_compressed_size = thrift_read_i64(r);
            break;
        case 7:
            if (want(r, ft, THRIFT_I16))
                g->ordinal = thrift_read_i16(r);
            break;
        default:
            thrift_skip(r, ft);
        }
    }
    if (!r->rc) {
        if (!SEEN(1))
            fail_missing(r, "columns");
        else if (!SEEN(2))
            fail_missing(r, "total_byte_size");
        else if (!SEEN(3))
            fail_missing(r, "num_rows");
        else if (g->num_rows < 0)
            fail_negative(r, "num_rows", g->num_rows);
        else if (g->total_byte_size < 0)
            fail_negative(r, "total_byte_size", g->total_byte_size);
        else if (g->file_offset < -1)
            fail_negative(r, "file_offset", g->file_offset);
        else if (g->total_compressed_size < -1)
            fail_negative(r, "total_compressed_size", g->total_compressed_size);
        else if (g->ordinal < -1)
            fail_negative(r, "ordinal", g->ordinal);
    }
    leave(r, &f);
}

/* ---- Decoding: FileMetaData ------------------------------------------------ */

static void read_file_metadata(ThriftReader *r, Arena *a, PqFileMetaData *m)
{
    Frame f;
    uint32_t seen = 0;
    memset(m, 0, sizeof *m);
    m->version = 1;
    if (!enter(r, "file metadata", &f))
        return;
    int16_t last = 0, id;
    int ft;
    while (thrift_read_field(r, &last, &id, &ft)) {
        switch (id) {
        case 1:
            if (want(r, ft, THRIFT_I32))
                m->version = thrift_read_i32(r);
            break;
        case 2:
            if (want(r, ft, THRIFT_LIST)) {
                uint32_t n;
                /* an element holds at least its name: >= 3 bytes */
                if (!read_list_of(r, THRIFT_STRUCT, 3, PQ_MAX_SCHEMA_ELEMENTS, "schema", &n))
                    break;
                PqSchemaElement *s = alloc_array(r, a, n, sizeof *s);
                for (uint32_t i = 0; i < n && !r->rc; i++)
                    read_schema_element(r, a, &s[i]);
                m->n_schema = (int32_t)n;
                m->schema = s;
                seen |= 1u << id;
            }
            break;
        case 3:
            if (want(r, ft, THRIFT_I64)) {
                m->num_rows = thrift_read_i64(r);
                seen |= 1u << id;
            }
            break;
        case 4:
            if (want(r, ft, THRIFT_LIST)) {
                uint32_t n;
                /* columns + total_byte_size + num_rows + stop: >= 7 bytes */
                if (!read_list_of(r, THRIFT_STRUCT, 7, PQ_MAX_LIST, "row_groups", &n))
                    break;
                PqRowGroup *g = alloc_array(r, a, n, sizeof *g);
                for (uint32_t i = 0; i < n && !r->rc; i++)
                    read_row_group(r, a, &g[i]);
                m->n_row_groups = (int32_t)n;
                m->row_groups = g;
                seen |= 1u << id;
            }
            break;
        case 5:
            if (want(r, ft, THRIFT_LIST))
                read_kv_list(r, a, &m->n_kv, &m->key_value_metadata);
            break;
        case 6:
            if (want(r, ft, THRIFT_BINARY))
                m->created_by = read_string(r, a);
            break;
        case 7:
            if (want(r, ft, THRIFT_LIST)) {
                uint32_t n;
                if (!read_list_of(r, THRIFT_STRUCT, 1, PQ_MAX_LIST, "column_orders", &n))
                    break;
                int32_t *orders = alloc_array(r, a, n, sizeof *orders);
                for (uint32_t i = 0; i < n && !r->rc; i++)
                    orders[i] = read_empty_union(r, "column order");
                m->n_column_orders = (int32_t)n;
                m->column_orders = orders;
            }
            break;
        case 8: /* encryption_algorithm: plaintext-footer encrypted file */
            thrift_skip(r, ft);
            m->encrypted = true;
            break;
        default: /* 9 footer_signing_key_metadata, future fields */
            thrift_skip(r, ft);
        }
    }
    if (!r->rc) {
        if (!SEEN(2))
            fail_missing(r, "schema");
        else if (!SEEN(3))
            fail_missing(r, "num_rows");
        else if (!SEEN(4))
            fail_missing(r, "row_groups");
        else if (m->n_schema == 0)
            thrift_fail(r, "empty schema");
        else if (m->num_rows < 0)
            fail_negative(r, "num_rows", m->num_rows);
    }
    leave(r, &f);
}

int pq_decode_file_metadata(const uint8_t *buf, size_t len, Arena *a, PqFileMetaData *out,
                            TarnError *err)
{
    ThriftReader r;
    PqFileMetaData m;
    thrift_reader_init(&r, buf, len, "file metadata", err);
    r.max_depth = PQ_MAX_NESTING;
    read_file_metadata(&r, a, &m);
    if (r.rc)
        return r.rc;
    *out = m;
    return 0;
}

/* ---- Decoding: page headers ------------------------------------------------ */

static void read_data_page_header(ThriftReader *r, Arena *a, PqDataPageHeader *h)
{
    Frame f;
    uint32_t seen = 0;
    if (!enter(r, "data page header", &f))
        return;
    int16_t last = 0, id;
    int ft;
    while (thrift_read_field(r, &last, &id, &ft)) {
        switch (id) {
        case 1:
        case 2:
        case 3:
        case 4:
            if (want(r, ft, THRIFT_I32)) {
                int32_t v = thrift_read_i32(r);
                if (id == 1)
                    h->num_values = v;
                else if (id == 2)
                    h->encoding = v;
                else if (id == 3)
                    h->definition_level_encoding = v;
                else
                    h->repetition_level_encoding = v;
                seen |= 1u << id;
            }
            break;
        case 5:
            if (want(r, ft, THRIFT_STRUCT)) {
                read_statistics(r, a, &h->statistics);
                h->has_statistics = true;
            }
            break;
        default:
            thrift_skip(r, ft);
        }
    }
    if (!r->rc) {
        if (!SEEN(1))
            fail_missing(r, "num_values");
        else if (!SEEN(2))
            fail_missing(r, "encoding");
        else if (!SEEN(3))
            fail_missing(r, "definition_level_encoding");
        else if (!SEEN(4))
            fail_missing(r, "repetition_level_encoding");
        else if (h->num_values < 0)
            fail_negative(r, "num_values", h->num_values);
    }
    leave(r, &f);
}

static void read_dict_page_header(ThriftReader *r, PqDictionaryPageHeader *h)
{
    Frame f;
    uint32_t seen = 0;
    if (!enter(r, "dictionary page header", &f))
        return;
    int16_t last = 0, id;
    int ft;
    while (thrift_read_field(r, &last, &id, &ft)) {
        switch (id) {
        case 1:
            if (want(r, ft, THRIFT_I32)) {
                h->num_values = thrift_read_i32(r);
                seen |= 1u << id;
            }
            break;
        case 2:
            if (want(r, ft, THRIFT_I32)) {
                h->encoding = thrift_read_i32(r);
                seen |= 1u << id;
            }
            break;
        case 3:
            if (want_bool(r, ft))
                h->is_sorted = ft == THRIFT_TRUE;
            break;
        default:
            thrift_skip(r, ft);
        }
    }
    if (!r->rc) {
        if (!SEEN(1))
            fail_missing(r, "num_values");
        else if (!SEEN(2))
            fail_missing(r, "encoding");
        else if (h->num_values < 0)
            fail_negative(r, "num_values", h->num_values);
    }
    leave(r, &f);
}

static void read_data_page_header_v2(ThriftReader *r, Arena *a, PqDataPageHeaderV2 *h)
{
    Frame f;
    uint32_t seen = 0;
    if (!enter(r, "data page header v2", &f))
        return;
    int16_t last = 0, id;
    int ft;
    while (thrift_read_field(r, &last, &id, &ft)) {
        switch (id) {
        case 1:
        case 2:
        case 3:
        case 4:
        case 5:
        case 6:
            if (want(r, ft, THRIFT_I32)) {
                int32_t v = thrift_read_i32(r);
                switch (id) {
                case 1: h->num_values = v; break;
                case 2: h->num_nulls = v; break;
                case 3: h->num_rows = v; break;
                case 4: h->encoding = v; break;
                case 5: h->definition_levels_byte_length = v; break;
                default: h->repetition_levels_byte_length = v; break;
                }
                seen |= 1u << id;
            }
            break;
        case 7:
            if (want_bool(r, ft))
                h->is_compressed = ft == THRIFT_TRUE;
            break;
        case 8:
            if (want(r, ft, THRIFT_STRUCT)) {
                read_statistics(r, a, &h->statistics);
                h->has_statistics = true;
            }
            break;
        default:
            thrift_skip(r, ft);
        }
    }
    if (!r->rc) {
        static const char *const names[] = {
            NULL, "num_values", "num_nulls", "num_rows", "encoding",
            "definition_levels_byte_length", "repetition_levels_byte_length",
        };
        for (int i = 1; i <= 6; i++) {
            if (!SEEN(i)) {
                fail_missing(r, names[i]);
                break;
            }
        }
    }
    if (!r->rc) {
        if (h->num_values < 0)
            fail_negative(r, "num_values", h->num_values);
        else if (h->num_nulls < 0)
            fail_negative(r, "num_nulls", h->num_nulls);
        else if (h->num_rows < 0)
            fail_negative(r, "num_rows", h->num_rows);
        else if (h->definition_levels_byte_length < 0)
            fail_negative(r, "definition_levels_byte_length", h->definition_levels_byte_length);
        else if (h->repetition_levels_byte_length < 0)
            fail_negative(r, "repetition_levels_byte_length", h->repetition_levels_byte_length);
        else if (h->num_nulls > h->num_values)
            thrift_fail(r, "num_nulls %d exceeds num_values %d", (int)h->num_nulls,
                        (int)h->num_values);
    }
    leave(r, &f);
}

static void read_page_header(ThriftReader *r, Arena *a, PqPageHeader *h)
{
    Frame f;
    uint32_t seen = 0;
    pq_page_header_init(h);
    if (!enter(r, "page header", &f))
        return;
    int16_t last = 0, id;
    int ft;
    while (thrift_read_field(r, &last, &id, &ft)) {
        switch (id) {
        case 1:
        case 2:
        case 3:
            if (want(r, ft, THRIFT_I32)) {
                int32_t v = thrift_read_i32(r);
                if (id == 1)
                    h->type = v;
                else if (id == 2)
                    h->uncompressed_page_size = v;
                else
                    h->compressed_page_size = v;
                seen |= 1u << id;
            }
            break;
        case 4:
            if (want(r, ft, THRIFT_I32)) {
                h->crc = (uint32_t)thrift_read_i32(r);
                h->has_crc = true;
            }
            break;
        case 5:
            if (want(r, ft, THRIFT_STRUCT)) {
                read_data_page_header(r, a, &h->data_page);
                seen |= 1u << id;
            }
            break;
        case 7:
            if (want(r, ft, THRIFT_STRUCT)) {
                read_dict_page_header(r, &h->dict_page);
                seen |= 1u << id;
            }
            break;
        case 8:
            if (want(r, ft, THRIFT_STRUCT)) {
                read_data_page_header_v2(r, a, &h->data_page_v2);
                seen |= 1u << id;
            }
            break;
        default: /* 6 index_page_header (empty), future fields */
            thrift_skip(r, ft);
        }
    }
    if (!r->rc) {
        if (!SEEN(1))
            fail_missing(r, "type");
        else if (!SEEN(2))
            fail_missing(r, "uncompressed_page_size");
        else if (!SEEN(3))
            fail_missing(r, "compressed_page_size");
        else if (h->uncompressed_page_size < 0)
            fail_negative(r, "uncompressed_page_size", h->uncompressed_page_size);
        else if (h->compressed_page_size < 0)
            fail_negative(r, "compressed_page_size", h->compressed_page_size);
        else if (h->type == PQ_PAGE_DATA && !SEEN(5))
            fail_missing(r, "data_page_header");
        else if (h->type == PQ_PAGE_DICTIONARY && !SEEN(7))
            fail_missing(r, "dictionary_page_header");
        else if (h->type == PQ_PAGE_DATA_V2 && !SEEN(8))
            fail_missing(r, "data_page_header_v2");
        else if (h->type == PQ_PAGE_DATA_V2 &&
                 (int64_t)h->data_page_v2.definition_levels_byte_length +
                         h->data_page_v2.repetition_levels_byte_length >
                     h->compressed_page_size)
            thrift_fail(r, "level lengths exceed compressed_page_size %d",
                        (int)h->compressed_page_size);
    }
    leave(r, &f);
}

int pq_decode_page_header(const uint8_t *buf, size_t len, Arena *a, PqPageHeader *out,
                          size_t *used_out, TarnError *err)
{
    ThriftReader r;
    PqPageHeader h;
    thrift_reader_init(&r, buf, len, "page header", err);
    r.max_depth = PQ_MAX_NESTING;
    read_page_header(&r, a, &h);
    if (r.rc)
        return r.rc;
    *out = h;
    if (used_out)
        *used_out = (size_t)(r.p - buf);
    return 0;
}

/* ---- Decoding: page index and bloom filter --------------------------------- */

/* Records a page index list count, checking it against one seen earlier. */
static bool set_page_count(ThriftReader *r, int32_t *n_pages, uint32_t n, const char *field)
{
    if (*n_pages >= 0 && (uint32_t)*n_pages != n) {
        thrift_fail(r, "%s has %u entries, expected %d", field, n, (int)*n_pages);
        return false;
    }
    *n_pages = (int32_t)n;
    return true;
}

static void read_column_index(ThriftReader *r, Arena *a, PqColumnIndex *ci)
{
    Frame f;
    uint32_t seen = 0;
    memset(ci, 0, sizeof *ci);
    ci->n_pages = -1;
    if (!enter(r, "column index", &f))
        return;
    int16_t last = 0, id;
    int ft;
    while (thrift_read_field(r, &last, &id, &ft)) {
        switch (id) {
        case 1:
            if (want(r, ft, THRIFT_LIST)) {
                uint32_t n;
                if (!read_list_of(r, THRIFT_TRUE, 1, PQ_MAX_LIST, "null_pages", &n) ||
                    !set_page_count(r, &ci->n_pages, n, "null_pages"))
                    break;
                bool *np = alloc_array(r, a, n, sizeof *np);
                for (uint32_t i = 0; i < n && !r->rc; i++)
                    np[i] = thrift_read_bool(r, 0);
                ci->null_pages = np;
                seen |= 1u << id;
            }
            break;
        case 2:
        case 3:
            if (want(r, ft, THRIFT_LIST)) {
                const char *name = id == 2 ? "min_values" : "max_values";
                uint32_t n;
                if (!read_list_of(r, THRIFT_BINARY, 1, PQ_MAX_LIST, name, &n) ||
                    !set_page_count(r, &ci->n_pages, n, name))
                    break;
                PqBytes *v = alloc_array(r, a, n, sizeof *v);
                for (uint32_t i = 0; i < n && !r->rc; i++)
                    read_bytes(r, a, &v[i]);
                if (id == 2)
                    ci->min_values = v;
                else
                    ci->max_values = v;
                seen |= 1u << id;
            }
            break;
        case 4:
            if (want(r, ft, THRIFT_I32)) {
                ci->boundary_order = thrift_read_i32(r);
                seen |= 1u << id;
            }
            break;
        case 5:
            if (want(r, ft, THRIFT_LIST)) {
                uint32_t n;
                if (!read_list_of(r, THRIFT_I64, 1, PQ_MAX_LIST, "null_counts", &n) ||
                    !set_page_count(r, &ci->n_pages, n, "null_counts"))
                    break;
                int64_t *nc = alloc_array(r, a, n, sizeof *nc);
                for (uint32_t i = 0; i < n && !r->rc; i++) {
                    nc[i] = thrift_read_i64(r);
                    if (nc[i] < 0 && !r->rc)
                        fail_negative(r, "null_counts entry", nc[i]);
                }
                ci->null_counts = nc;
                seen |= 1u << id;
            }
            break;
        default: /* 6, 7 level histograms, future fields */
            thrift_skip(r, ft);
        }
    }
    if (!r->rc) {
        if (!SEEN(1))
            fail_missing(r, "null_pages");
        else if (!SEEN(2))
            fail_missing(r, "min_values");
        else if (!SEEN(3))
            fail_missing(r, "max_values");
        else if (!SEEN(4))
            fail_missing(r, "boundary_order");
        else if (ci->boundary_order < 0 || ci->boundary_order > 2)
            thrift_fail(r, "unknown boundary_order %d", (int)ci->boundary_order);
    }
    leave(r, &f);
}

int pq_decode_column_index(const uint8_t *buf, size_t len, Arena *a, PqColumnIndex *out,
                           TarnError *err)
{
    ThriftReader r;
    PqColumnIndex ci;
    thrift_reader_init(&r, buf, len, "column index", err);
    r.max_depth = PQ_MAX_NESTING;
    read_column_index(&r, a, &ci);
    if (r.rc)
        return r.rc;
    *out = ci;
    return 0;
}

static void read_page_location(ThriftReader *r, PqPageLocation *loc)
{
    Frame f;
    uint32_t seen = 0;
    if (!enter(r, "page location", &f))
        return;
    int16_t last = 0, id;
    int ft;
    while (thrift_read_field(r, &last, &id, &ft)) {
        if ((id == 1 || id == 3) && want(r, ft, THRIFT_I64)) {
            int64_t v = thrift_read_i64(r);
            if (id == 1)
                loc->offset = v;
            else
                loc->first_row_index = v;
            seen |= 1u << id;
        } else if (id == 2 && want(r, ft, THRIFT_I32)) {
            loc->compressed_page_size = thrift_read_i32(r);
            seen |= 1u << id;
        } else if (id < 1 || id > 3) {
            thrift_skip(r, ft);
        }
    }
    if (!r->rc) {
        if (!SEEN(1))
            fail_missing(r, "offset");
        else if (!SEEN(2))
            fail_missing(r, "compressed_page_size");
        else if (!SEEN(3))
            fail_missing(r, "first_row_index");
        else if (loc->offset < 0)
            fail_negative(r, "offset", loc->offset);
        else if (loc->compressed_page_size < 0)
            fail_negative(r, "compressed_page_size", loc->compressed_page_size);
        else if (loc->first_row_index < 0)
            fail_negative(r, "first_row_index", loc->first_row_index);
    }
    leave(r, &f);
}

static void read_offset_index(ThriftReader *r, Arena *a, PqOffsetIndex *oi)
{
    Frame f;
    bool have_locations = false;
    memset(oi, 0, sizeof *oi);
    if (!enter(r, "offset index", &f))
        return;
    int16_t last = 0, id;
    int ft;
    while (thrift_read_field(r, &last, &id, &ft)) {
        if (id == 1 && want(r, ft, THRIFT_LIST)) {
            uint32_t n;
            /* three required fields + stop: >= 7 bytes */
            if (!read_list_of(r, THRIFT_STRUCT, 7, PQ_MAX_LIST, "page_locations", &n))
                continue;
            PqPageLocation *loc = alloc_array(r, a, n, sizeof *loc);
            for (uint32_t i = 0; i < n && !r->rc; i++)
                read_page_location(r, &loc[i]);
            oi->n_pages = (int32_t)n;
            oi->page_locations = loc;
            have_locations = true;
        } else if (id != 1) {
            /* 2 unencoded_byte_array_data_bytes, future fields */
            thrift_skip(r, ft);
        }
    }
    if (!r->rc && !have_locations)
        fail_missing(r, "page_locations");
    leave(r, &f);
}

int pq_decode_offset_index(const uint8_t *buf, size_t len, Arena *a, PqOffsetIndex *out,
                           TarnError *err)
{
    ThriftReader r;
    PqOffsetIndex oi;
    thrift_reader_init(&r, buf, len, "offset index", err);
    r.max_depth = PQ_MAX_NESTING;
    read_offset_index(&r, a, &oi);
    if (r.rc)
        return r.rc;
    *out = oi;
    return 0;
}

static void read_bloom_header(ThriftReader *r, PqBloomFilterHeader *h)
{
    Frame f;
    uint32_t seen = 0;
    memset(h, 0, sizeof *h);
    if (!enter(r, "bloom filter header", &f))
        return;
    int16_t last = 0, id;
    int ft;
    while (thrift_read_field(r, &last, &id, &ft)) {
        switch (id) {
        case 1:
            if (want(r, ft, THRIFT_I32)) {
                h->num_bytes = thrift_read_i32(r);
                seen |= 1u << id;
            }
            break;
        case 2:
        case 3:
        case 4:
            if (want(r, ft, THRIFT_STRUCT)) {
                int m = read_empty_union(r, id == 2 ? "bloom filter algorithm"
                                            : id == 3 ? "bloom filter hash"
                                                      : "bloom filter compression");
                if (id == 2)
                    h->algorithm = m;
                else if (id == 3)
                    h->hash = m;
                else
                    h->compression = m;
                seen |= 1u << id;
            }
            break;
        default:
            thrift_skip(r, ft);
        }
    }
    if (!r->rc) {
        if (!SEEN(1))
            fail_missing(r, "numBytes");
        else if (!SEEN(2))
            fail_missing(r, "algorithm");
        else if (!SEEN(3))
            fail_missing(r, "hash");
        else if (!SEEN(4))
            fail_missing(r, "compression");
        else if (h->num_bytes < 0)
            fail_negative(r, "numBytes", h->num_bytes);
    }
    leave(r, &f);
}

int pq_decode_bloom_header(const uint8_t *buf, size_t len, PqBloomFilterHeader *out,
                           size_t *used_out, TarnError *err)
{
    ThriftReader r;
    PqBloomFilterHeader h;
    thrift_reader_init(&r, buf, len, "bloom filter header", err);
    r.max_depth = PQ_MAX_NESTING;
    read_bloom_header(&r, &h);
    if (r.rc)
        return r.rc;
    *out = h;
    if (used_out)
        *used_out = (size_t)(r.p - buf);
    return 0;
}

/* ---- Encoding ------------------------------------------------------------------ */

static void write_statistics(ThriftWriter *w, int16_t id, const PqStatistics *s)
{
    thrift_write_struct_field(w, id);
    if (s->max.ptr)
        thrift_write_binary_field(w, 1, s->max.ptr, s->max.len);
    if (s->min.ptr)
        thrift_write_binary_field(w, 2, s->min.ptr, s->min.len);
    if (s->null_count >= 0)
        thrift_write_i64_field(w, 3, s->null_count);
    if (s->distinct_count >= 0)
        thrift_write_i64_field(w, 4, s->distinct_count);
    if (s->max_value.ptr)
        thrift_write_binary_field(w, 5, s->max_value.ptr, s->max_value.len);
    if (s->min_value.ptr)
        thrift_write_binary_field(w, 6, s->min_value.ptr, s->min_value.len);
    if (s->has_is_max_value_exact)
        thrift_write_bool_field(w, 7, s->is_max_value_exact);
    if (s->has_is_min_value_exact)
        thrift_write_bool_field(w, 8, s->is_min_value_exact);
    thrift_write_struct_end(w);
}

static void write_kv_list(ThriftWriter *w, int16_t id, int32_t n, const PqKeyValue *kv)
{
    thrift_write_field(w, THRIFT_LIST, id);
    thrift_write_list(w, THRIFT_STRUCT, (uint32_t)n);
    for (int32_t i = 0; i < n; i++) {
        thrift_write_struct_begin(w);
        thrift_write_string_field(w, 1, kv[i].key ? kv[i].key : "");
        if (kv[i].value)
            thrift_write_string_field(w, 2, kv[i].value);
        thrift_write_struct_end(w);
    }
}

/* A union member holding an empty struct, as field `id` of the union. */
static void write_empty_member(ThriftWriter *w, int16_t id)
{
    thrift_write_struct_field(w, id);
    thrift_write_struct_end(w);
}

static void write_logical_type(ThriftWriter *w, const PqLogicalType *lt)
{
    thrift_write_struct_field(w, 10);
    switch (lt->kind) {
    case PQ_LT_DECIMAL:
        thrift_write_struct_field(w, PQ_LT_DECIMAL);
        thrift_write_i32_field(w, 1, lt->scale);
        thrift_write_i32_field(w, 2, lt->precision);
        thrift_write_struct_end(w);
        break;
    case PQ_LT_TIME:
    case PQ_LT_TIMESTAMP:
        thrift_write_struct_field(w, (int16_t)lt->kind);
        thrift_write_bool_field(w, 1, lt->is_adjusted_to_utc);
        thrift_write_struct_field(w, 2);
        write_empty_member(w, (int16_t)(lt->unit + 1));
        thrift_write_struct_end(w);
        thrift_write_struct_end(w);
        break;
    case PQ_LT_INTEGER:
        thrift_write_struct_field(w, PQ_LT_INTEGER);
        thrift_write_i8_field(w, 1, lt->bit_width);
        thrift_write_bool_field(w, 2, lt->is_signed);
        thrift_write_struct_end(w);
        break;
    default:
        write_empty_member(w, (int16_t)lt->kind);
        break;
    }
    thrift_write_struct_end(w);
}

static void write_schema_element(ThriftWriter *w, const PqSchemaElement *e)
{
    thrift_write_struct_begin(w);
    if (e->type >= 0)
        thrift_write_i32_field(w, 1, e->type);
    if (e->type_length >= 0)
        thrift_write_i32_field(w, 2, e->type_length);
    if (e->repetition >= 0)
        thrift_write_i32_field(w, 3, e->repetition);
    thrift_write_string_field(w, 4, e->name ? e->name : "");
    /* Groups always carry num_children: it is what marks them as groups. */
    if (e->num_children > 0 || e->type < 0)
        thrift_write_i32_field(w, 5, e->num_children);
    if (e->converted_type >= 0)
        thrift_write_i32_field(w, 6, e->converted_type);
    if (e->scale >= 0)
        thrift_write_i32_field(w, 7, e->scale);
    if (e->precision >= 0)
        thrift_write_i32_field(w, 8, e->precision);
    if (e->has_field_id)
        thrift_write_i32_field(w, 9, e->field_id);
    if (e->logical.kind != PQ_LT_NONE && e->logical.kind != PQ_LT_UNKNOWN)
        write_logical_type(w, &e->logical);
    thrift_write_struct_end(w);
}

static void write_column_meta(ThriftWriter *w, const PqColumnMetaData *m)
{
    thrift_write_struct_field(w, 3);
    thrift_write_i32_field(w, 1, m->type);
    thrift_write_field(w, THRIFT_LIST, 2);
    thrift_write_list(w, THRIFT_I32, (uint32_t)m->n_encodings);
    for (int32_t i = 0; i < m->n_encodings; i++)
        thrift_write_i32(w, m->encodings[i]);
    thrift_write_field(w, THRIFT_LIST, 3);
    thrift_write_list(w, THRIFT_BINARY, (uint32_t)m->n_path);
    for (int32_t i = 0; i < m->n_path; i++) {
        const char *s = m->path_in_schema[i] ? m->path_in_schema[i] : "";
        thrift_write_binary(w, s, (uint32_t)strlen(s));
    }
    thrift_write_i32_field(w, 4, m->codec);
    thrift_write_i64_field(w, 5, m->num_values);
    thrift_write_i64_field(w, 6, m->total_uncompressed_size);
    thrift_write_i64_field(w, 7, m->total_compressed_size);
    if (m->n_kv > 0)
        write_kv_list(w, 8, m->n_kv, m->key_value_metadata);
    thrift_write_i64_field(w, 9, m->data_page_offset);
    if (m->index_page_offset >= 0)
        thrift_write_i64_field(w, 10, m->index_page_offset);
    if (m->dictionary_page_offset >= 0)
        thrift_write_i64_field(w, 11, m->dictionary_page_offset);
    if (m->has_statistics)
        write_statistics(w, 12, &m->statistics);
    if (m->n_encoding_stats > 0) {
        thrift_write_field(w, THRIFT_LIST, 13);
        thrift_write_list(w, THRIFT_STRUCT, (uint32_t)m->n_encoding_stats);
        for (int32_t i = 0; i < m->n_encoding_stats; i++) {
            const PqPageEncodingStats *s = &m->encoding_stats[i];
            thrift_write_struct_begin(w);
            thrift_write_i32_field(w, 1, s->page_type);
            thrift_write_i32_field(w, 2, s->encoding);
            thrift_write_i32_field(w, 3, s->count);
            thrift_write_struct_end(w);
        }
    }
    if (m->bloom_filter_offset >= 0)
        thrift_write_i64_field(w, 14, m->bloom_filter_offset);
    if (m->bloom_filter_length >= 0)
        thrift_write_i32_field(w, 15, m->bloom_filter_length);
    thrift_write_struct_end(w);
}

static void write_column_chunk(ThriftWriter *w, const PqColumnChunk *c)
{
    thrift_write_struct_begin(w);
    if (c->file_path)
        thrift_write_string_field(w, 1, c->file_path);
    thrift_write_i64_field(w, 2, c->file_offset);
    if (c->has_meta_data)
        write_column_meta(w, &c->meta_data);
    if (c->offset_index_offset >= 0)
        thrift_write_i64_field(w, 4, c->offset_index_offset);
    if (c->offset_index_length >= 0)
        thrift_write_i32_field(w, 5, c->offset_index_length);
    if (c->column_index_offset >= 0)
        thrift_write_i64_field(w, 6, c->column_index_offset);
    if (c->column_index_length >= 0)
        thrift_write_i32_field(w, 7, c->column_index_length);
    thrift_write_struct_end(w);
}

static void write_row_group(ThriftWriter *w, const PqRowGroup *g)
{
    thrift_write_struct_begin(w);
    thrift_write_field(w, THRIFT_LIST, 1);
    thrift_write_list(w, THRIFT_STRUCT, (uint32_t)g->n_columns);
    for (int32_t i = 0; i < g->n_columns; i++)
        write_column_chunk(w, &g->columns[i]);
    thrift_write_i64_field(w, 2, g->total_byte_size);
    thrift_write_i64_field(w, 3, g->num_rows);
    if (g->n_sorting_columns > 0) {
        thrift_write_field(w, THRIFT_LIST, 4);
        thrift_write_list(w, THRIFT_STRUCT, (uint32_t)g->n_sorting_columns);
        for (int32_t i = 0; i < g->n_sorting_columns; i++) {
            const PqSortingColumn *s = &g->sorting_columns[i];
            thrift_write_struct_begin(w);
            thrift_write_i32_field(w, 1, s->column_idx);
            thrift_write_bool_field(w, 2, s->descending);
            thrift_write_bool_field(w, 3, s->nulls_first);
            thrift_write_struct_end(w);
        }
    }
    if (g->file_offset >= 0)
        thrift_write_i64_field(w, 5, g->file_offset);
    if (g->total_compressed_size >= 0)
        thrift_write_i64_field(w, 6, g->total_compressed_size);
    if (g->ordinal >= 0)
        thrift_write_i16_field(w, 7, g->ordinal);
    thrift_write_struct_end(w);
}

/* Turns the writer's sticky state into the encoder's return code. */
static int finish(ThriftWriter *w, Buf *out, size_t start_len)
{
    if (w->rc) {
        out->len = start_len;
        return w->rc;
    }
    return 0;
}

int pq_encode_file_metadata(const PqFileMetaData *m, Buf *out)
{
    ThriftWriter w;
    size_t start = out->len;
    thrift_writer_init(&w, out);
    thrift_write_i32_field(&w, 1, m->version);
    thrift_write_field(&w, THRIFT_LIST, 2);
    thrift_write_list(&w, THRIFT_STRUCT, (uint32_t)m->n_schema);
    for (int32_t i = 0; i < m->n_schema; i++)
        write_schema_element(&w, &m->schema[i]);
    thrift_write_i64_field(&w, 3, m->num_rows);
    thrift_write_field(&w, THRIFT_LIST, 4);
    thrift_write_list(&w, THRIFT_STRUCT, (uint32_t)m->n_row_groups);
    for (int32_t i = 0; i < m->n_row_groups; i++)
        write_row_group(&w, &m->row_groups[i]);
    if (m->n_kv > 0)
        write_kv_list(&w, 5, m->n_kv, m->key_value_metadata);
    if (m->created_by)
        thrift_write_string_field(&w, 6, m->created_by);
    if (m->n_column_orders > 0) {
        thrift_write_field(&w, THRIFT_LIST, 7);
        thrift_write_list(&w, THRIFT_STRUCT, (uint32_t)m->n_column_orders);
        for (int32_t i = 0; i < m->n_column_orders; i++) {
            /* ColumnOrder union: one member, an empty struct */
            thrift_write_struct_begin(&w);
            if (m->column_orders[i] > 0)
                write_empty_member(&w, (int16_t)m->column_orders[i]);
            thrift_write_struct_end(&w);
        }
    }
    thrift_write_stop(&w);
    return finish(&w, out, start);
}

int pq_encode_page_header(const PqPageHeader *h, Buf *out)
{
    ThriftWriter w;
    size_t start = out->len;
    thrift_writer_init(&w, out);
    thrift_write_i32_field(&w, 1, h->type);
    thrift_write_i32_field(&w, 2, h->uncompressed_page_size);
    thrift_write_i32_field(&w, 3, h->compressed_page_size);
    if (h->has_crc)
        thrift_write_i32_field(&w, 4, (int32_t)h->crc);
    if (h->type == PQ_PAGE_DATA) {
        const PqDataPageHeader *d = &h->data_page;
        thrift_write_struct_field(&w, 5);
        thrift_write_i32_field(&w, 1, d->num_values);
        thrift_write_i32_field(&w, 2, d->encoding);
        thrift_write_i32_field(&w, 3, d->definition_level_encoding);
        thrift_write_i32_field(&w, 4, d->repetition_level_encoding);
        if (d->has_statistics)
            write_statistics(&w, 5, &d->statistics);
        thrift_write_struct_end(&w);
    } else if (h->type == PQ_PAGE_DICTIONARY) {
        const PqDictionaryPageHeader *d = &h->dict_page;
        thrift_write_struct_field(&w, 7);
        thrift_write_i32_field(&w, 1, d->num_values);
        thrift_write_i32_field(&w, 2, d->encoding);
        if (d->is_sorted)
            thrift_write_bool_field(&w, 3, true);
        thrift_write_struct_end(&w);
    } else if (h->type == PQ_PAGE_DATA_V2) {
        const PqDataPageHeaderV2 *d = &h->data_page_v2;
        thrift_write_struct_field(&w, 8);
        thrift_write_i32_field(&w, 1, d->num_values);
        thrift_write_i32_field(&w, 2, d->num_nulls);
        thrift_write_i32_field(&w, 3, d->num_rows);
        thrift_write_i32_field(&w, 4, d->encoding);
        thrift_write_i32_field(&w, 5, d->definition_levels_byte_length);
        thrift_write_i32_field(&w, 6, d->repetition_levels_byte_length);
        thrift_write_bool_field(&w, 7, d->is_compressed);
        if (d->has_statistics)
            write_statistics(&w, 8, &d->statistics);
        thrift_write_struct_end(&w);
    } else if (h->type == PQ_PAGE_INDEX) {
        write_empty_member(&w, 6);
    }
    thrift_write_stop(&w);
    return finish(&w, out, start);
}

int pq_encode_column_index(const PqColumnIndex *ci, Buf *out)
{
    ThriftWriter w;
    size_t start = out->len;
    uint32_t n = ci->n_pages > 0 ? (uint32_t)ci->n_pages : 0;
    thrift_writer_init(&w, out);
    thrift_write_field(&w, THRIFT_LIST, 1);
    thrift_write_list(&w, THRIFT_TRUE, n);
    for (uint32_t i = 0; i < n; i++)
        thrift_write_bool(&w, ci->null_pages[i]);
    for (int16_t id = 2; id <= 3; id++) {
        const PqBytes *v = id == 2 ? ci->min_values : ci->max_values;
        thrift_write_field(&w, THRIFT_LIST, id);
        thrift_write_list(&w, THRIFT_BINARY, n);
        for (uint32_t i = 0; i < n; i++)
            thrift_write_binary(&w, v[i].ptr, v[i].len);
    }
    thrift_write_i32_field(&w, 4, ci->boundary_order);
    if (ci->null_counts) {
        thrift_write_field(&w, THRIFT_LIST, 5);
        thrift_write_list(&w, THRIFT_I64, n);
        for (uint32_t i = 0; i < n; i++)
            thrift_write_i64(&w, ci->null_counts[i]);
    }
    thrift_write_stop(&w);
    return finish(&w, out, start);
}

int pq_encode_offset_index(const PqOffsetIndex *oi, Buf *out)
{
    ThriftWriter w;
    size_t start = out->len;
    uint32_t n = oi->n_pages > 0 ? (uint32_t)oi->n_pages : 0;
    thrift_writer_init(&w, out);
    thrift_write_field(&w, THRIFT_LIST, 1);
    thrift_write_list(&w, THRIFT_STRUCT, n);
    for (uint32_t i = 0; i < n; i++) {
        const PqPageLocation *loc = &oi->page_locations[i];
        thrift_write_struct_begin(&w);
        thrift_write_i64_field(&w, 1, loc->offset);
        thrift_write_i32_field(&w, 2, loc->compressed_page_size);
        thrift_write_i64_field(&w, 3, loc->first_row_index);
        thrift_write_struct_end(&w);
    }
    thrift_write_stop(&w);
    return finish(&w, out, start);
}

int pq_encode_bloom_header(const PqBloomFilterHeader *h, Buf *out)
{
    ThriftWriter w;
    size_t start = out->len;
    thrift_writer_init(&w, out);
    thrift_write_i32_field(&w, 1, h->num_bytes);
    thrift_write_struct_field(&w, 2);
    write_empty_member(&w, (int16_t)(h->algorithm > 0 ? h->algorithm : 1));
    thrift_write_struct_end(&w);
    thrift_write_struct_field(&w, 3);
    write_empty_member(&w, (int16_t)(h->hash > 0 ? h->hash : 1));
    thrift_write_struct_end(&w);
    thrift_write_struct_field(&w, 4);
    write_empty_member(&w, (int16_t)(h->compression > 0 ? h->compression : 1));
    thrift_write_struct_end(&w);
    thrift_write_stop(&w);
    return finish(&w, out, start);
}
