/*
 * test_meta.c - Parquet metadata codec (format/parquet/meta.c): round trips
 * of every struct with all fields set and with optional ones unset,
 * hand-assembled byte sequences, skipping of unknown fields, hostile input
 * (every truncation, absurd counts, deep nesting, random corruption, failed
 * allocations), and the footers, page headers, page indexes and bloom
 * filter headers of the real files in the shared parquet-testing corpus,
 * checked against values read from hyparquet's metadata dumps.
 */
#include "format/parquet/meta.h"

#include <dirent.h>

#include "format/parquet/thrift.h"
#include "../test.h"

/* ---- Comparison helpers -------------------------------------------------- */

static void assert_bytes_eq(const PqBytes *a, const PqBytes *b)
{
    ASSERT_EQ_INT(a->ptr == NULL, b->ptr == NULL);
    ASSERT_EQ_INT(a->len, b->len);
    if (a->len)
        ASSERT_EQ_MEM(a->ptr, b->ptr, a->len);
}

static void assert_str_eq_or_null(const char *a, const char *b)
{
    ASSERT_EQ_INT(a == NULL, b == NULL);
    if (a)
        ASSERT_EQ_STR(a, b);
}

static void assert_stats_eq(const PqStatistics *a, const PqStatistics *b)
{
    assert_bytes_eq(&a->max, &b->max);
    assert_bytes_eq(&a->min, &b->min);
    assert_bytes_eq(&a->max_value, &b->max_value);
    assert_bytes_eq(&a->min_value, &b->min_value);
    ASSERT_EQ_INT(a->null_count, b->null_count);
    ASSERT_EQ_INT(a->distinct_count, b->distinct_count);
    ASSERT_EQ_INT(a->has_is_max_value_exact, b->has_is_max_value_exact);
    ASSERT_EQ_INT(a->is_max_value_exact, b->is_max_value_exact);
    ASSERT_EQ_INT(a->has_is_min_value_exact, b->has_is_min_value_exact);
    ASSERT_EQ_INT(a->is_min_value_exact, b->is_min_value_exact);
}

static void assert_kv_eq(int32_t n, const PqKeyValue *a, int32_t nb, const PqKeyValue *b)
{
    ASSERT_EQ_INT(n, nb);
    for (int32_t i = 0; i < n; i++) {
        ASSERT_EQ_STR(a[i].key, b[i].key);
        assert_str_eq_or_null(a[i].value, b[i].value);
    }
}

static void assert_logical_eq(const PqLogicalType *a, const PqLogicalType *b)
{
    ASSERT_EQ_INT(a->kind, b->kind);
    switch (a->kind) {
    case PQ_LT_DECIMAL:
        ASSERT_EQ_INT(a->scale, b->scale);
        ASSERT_EQ_INT(a->precision, b->precision);
        break;
    case PQ_LT_TIME:
    case PQ_LT_TIMESTAMP:
        ASSERT_EQ_INT(a->is_adjusted_to_utc, b->is_adjusted_to_utc);
        ASSERT_EQ_INT(a->unit, b->unit);
        break;
    case PQ_LT_INTEGER:
        ASSERT_EQ_INT(a->bit_width, b->bit_width);
        ASSERT_EQ_INT(a->is_signed, b->is_signed);
        break;
    default:
        break;
    }
}

static void assert_schema_eq(const PqSchemaElement *a, const PqSchemaElement *b)
{
    ASSERT_EQ_INT(a->type, b->type);
    ASSERT_EQ_INT(a->type_length, b->type_length);
    ASSERT_EQ_INT(a->repetition, b->repetition);
    ASSERT_EQ_STR(a->name, b->name);
    ASSERT_EQ_INT(a->num_children, b->num_children);
    ASSERT_EQ_INT(a->converted_type, b->converted_type);
    ASSERT_EQ_INT(a->scale, b->scale);
    ASSERT_EQ_INT(a->precision, b->precision);
    ASSERT_EQ_INT(a->has_field_id, b->has_field_id);
    ASSERT_EQ_INT(a->field_id, b->field_id);
    assert_logical_eq(&a->logical, &b->logical);
}

static void assert_column_meta_eq(const PqColumnMetaData *a, const PqColumnMetaData *b)
{
    ASSERT_EQ_INT(a->type, b->type);
    ASSERT_EQ_INT(a->n_encodings, b->n_encodings);
    for (int32_t i = 0; i < a->n_encodings; i++)
        ASSERT_EQ_INT(a->encodings[i], b->encodings[i]);
    ASSERT_EQ_INT(a->n_path, b->n_path);
    for (int32_t i = 0; i < a->n_path; i++)
        ASSERT_EQ_STR(a->path_in_schema[i], b->path_in_schema[i]);
    ASSERT_EQ_INT(a->codec, b->codec);
    ASSERT_EQ_INT(a->num_values, b->num_values);
    ASSERT_EQ_INT(a->total_uncompressed_size, b->total_uncompressed_size);
    ASSERT_EQ_INT(a->total_compressed_size, b->total_compressed_size);
    assert_kv_eq(a->n_kv, a->key_value_metadata, b->n_kv, b->key_value_metadata);
    ASSERT_EQ_INT(a->data_page_offset, b->data_page_offset);
    ASSERT_EQ_INT(a->index_page_offset, b->index_page_offset);
    ASSERT_EQ_INT(a->dictionary_page_offset, b->dictionary_page_offset);
    ASSERT_EQ_INT(a->has_statistics, b->has_statistics);
    if (a->has_statistics)
        assert_stats_eq(&a->statistics, &b->statistics);
    ASSERT_EQ_INT(a->n_encoding_stats, b->n_encoding_stats);
    for (int32_t i = 0; i < a->n_encoding_stats; i++) {
        ASSERT_EQ_INT(a->encoding_stats[i].page_type, b->encoding_stats[i].page_type);
        ASSERT_EQ_INT(a->encoding_stats[i].encoding, b->encoding_stats[i].encoding);
        ASSERT_EQ_INT(a->encoding_stats[i].count, b->encoding_stats[i].count);
    }
    ASSERT_EQ_INT(a->bloom_filter_offset, b->bloom_filter_offset);
    ASSERT_EQ_INT(a->bloom_filter_length, b->bloom_filter_length);
}

static void assert_chunk_eq(const PqColumnChunk *a, const PqColumnChunk *b)
{
    assert_str_eq_or_null(a->file_path, b->file_path);
    ASSERT_EQ_INT(a->file_offset, b->file_offset);
    ASSERT_EQ_INT(a->has_meta_data, b->has_meta_data);
    if (a->has_meta_data)
        assert_column_meta_eq(&a->meta_data, &b->meta_data);
    ASSERT_EQ_INT(a->offset_index_offset, b->offset_index_offset);
    ASSERT_EQ_INT(a->offset_index_length, b->offset_index_length);
    ASSERT_EQ_INT(a->column_index_offset, b->column_index_offset);
    ASSERT_EQ_INT(a->column_index_length, b->column_index_length);
    ASSERT_EQ_INT(a->encrypted, b->encrypted);
}

static void assert_row_group_eq(const PqRowGroup *a, const PqRowGroup *b)
{
    ASSERT_EQ_INT(a->n_columns, b->n_columns);
    for (int32_t i = 0; i < a->n_columns; i++)
        assert_chunk_eq(&a->columns[i], &b->columns[i]);
    ASSERT_EQ_INT(a->total_byte_size, b->total_byte_size);
    ASSERT_EQ_INT(a->num_rows, b->num_rows);
    ASSERT_EQ_INT(a->n_sorting_columns, b->n_sorting_columns);
    for (int32_t i = 0; i < a->n_sorting_columns; i++) {
        ASSERT_EQ_INT(a->sorting_columns[i].column_idx, b->sorting_columns[i].column_idx);
        ASSERT_EQ_INT(a->sorting_columns[i].descending, b->sorting_columns[i].descending);
        ASSERT_EQ_INT(a->sorting_columns[i].nulls_first, b->sorting_columns[i].nulls_first);
    }
    ASSERT_EQ_INT(a->file_offset, b->file_offset);
    ASSERT_EQ_INT(a->total_compressed_size, b->total_compressed_size);
    ASSERT_EQ_INT(a->ordinal, b->ordinal);
}

static void assert_file_meta_eq(const PqFileMetaData *a, const PqFileMetaData *b)
{
    ASSERT_EQ_INT(a->version, b->version);
    ASSERT_EQ_INT(a->n_schema, b->n_schema);
    for (int32_t i = 0; i < a->n_schema; i++)
        assert_schema_eq(&a->schema[i], &b->schema[i]);
    ASSERT_EQ_INT(a->num_rows, b->num_rows);
    ASSERT_EQ_INT(a->n_row_groups, b->n_row_groups);
    for (int32_t i = 0; i < a->n_row_groups; i++)
        assert_row_group_eq(&a->row_groups[i], &b->row_groups[i]);
    assert_kv_eq(a->n_kv, a->key_value_metadata, b->n_kv, b->key_value_metadata);
    assert_str_eq_or_null(a->created_by, b->created_by);
    ASSERT_EQ_INT(a->n_column_orders, b->n_column_orders);
    for (int32_t i = 0; i < a->n_column_orders; i++)
        ASSERT_EQ_INT(a->column_orders[i], b->column_orders[i]);
    ASSERT_EQ_INT(a->encrypted, b->encrypted);
}

/* ---- Sample structs --------------------------------------------------------- */

static PqBytes bytes_of(const char *s, uint32_t n)
{
    PqBytes b = {(const uint8_t *)s, n};
    return b;
}

/* Fills statistics with every field set (min is present but empty). */
static void full_stats(PqStatistics *s)
{
    pq_statistics_init(s);
    s->max = bytes_of("\xff\x00zz", 4);
    s->min = bytes_of("", 0);
    s->max_value = bytes_of("max value", 9);
    s->min_value = bytes_of("\0", 1);
    s->null_count = 12345678901LL;
    s->distinct_count = 0;
    s->has_is_max_value_exact = true;
    s->is_max_value_exact = true;
    s->has_is_min_value_exact = true;
    s->is_min_value_exact = false;
}

static PqSchemaElement schema_buf[40];
static PqRowGroup rg_buf[3];
static PqColumnChunk chunk_buf[4];
static PqKeyValue kv_buf[3] = {{"k1", "v1"}, {"empty", ""}, {"novalue", NULL}};
static int32_t enc_buf[3] = {PQ_ENC_PLAIN, PQ_ENC_RLE, PQ_ENC_RLE_DICTIONARY};
static const char *path_buf[3] = {"a", "b.c", "element"};
static PqPageEncodingStats es_buf[2] = {{PQ_PAGE_DICTIONARY, PQ_ENC_PLAIN, 1},
                                        {PQ_PAGE_DATA, PQ_ENC_RLE_DICTIONARY, 300}};
static PqSortingColumn sort_buf[2] = {{0, true, false}, {2, false, true}};
static int32_t orders_buf[40];

/* A FileMetaData with every field set and a leaf for every logical type. */
static void full_meta(PqFileMetaData *m)
{
    int n = 0;
    PqSchemaElement *e = schema_buf;
    pq_schema_element_init(&e[n]);
    e[n].name = "root";
    e[n].num_children = 0; /* patched below */
    n++;
    static const struct {
        int kind;
        int type;
    } lts[] = {
        {PQ_LT_STRING, PQ_BYTE_ARRAY}, {PQ_LT_MAP, -1}, {PQ_LT_LIST, -1},
        {PQ_LT_ENUM, PQ_BYTE_ARRAY}, {PQ_LT_DECIMAL, PQ_FIXED_LEN_BYTE_ARRAY},
        {PQ_LT_DATE, PQ_INT32}, {PQ_LT_TIME, PQ_INT64}, {PQ_LT_TIMESTAMP, PQ_INT64},
        {PQ_LT_INTEGER, PQ_INT32}, {PQ_LT_UNKNOWN_NULL, PQ_INT32}, {PQ_LT_JSON, PQ_BYTE_ARRAY},
        {PQ_LT_BSON, PQ_BYTE_ARRAY}, {PQ_LT_UUID, PQ_FIXED_LEN_BYTE_ARRAY},
        {PQ_LT_FLOAT16, PQ_FIXED_LEN_BYTE_ARRAY}, {PQ_LT_VARIANT, -1},
        {PQ_LT_GEOMETRY, PQ_BYTE_ARRAY}, {PQ_LT_GEOGRAPHY, PQ_BYTE_ARRAY},
        {PQ_LT_NONE, PQ_INT96}, {PQ_LT_NONE, PQ_BOOLEAN}, {PQ_LT_NONE, PQ_FLOAT},
        {PQ_LT_NONE, PQ_DOUBLE},
    };
    static char names[64][16];
    for (size_t i = 0; i < sizeof lts / sizeof lts[0]; i++, n++) {
        pq_schema_element_init(&e[n]);
        snprintf(names[n], sizeof names[n], "col%d", n);
        e[n].name = names[n];
        e[n].type = lts[i].type;
        e[n].repetition = (int32_t)(i % 3);
        e[n].logical.kind = (PqLogicalKind)lts[i].kind;
        if (lts[i].type < 0)
            e[n].num_children = 0;
        if (lts[i].type == PQ_FIXED_LEN_BYTE_ARRAY)
            e[n].type_length = lts[i].kind == PQ_LT_FLOAT16 ? 2 : 16;
        e[n].has_field_id = true;
        e[n].field_id = (int32_t)i * 1000 - 5;
    }
    /* details of the parameterised types */
    e[5].converted_type = PQ_CT_DECIMAL;
    e[5].scale = 3;
    e[5].precision = 30;
    e[5].logical.scale = 3;
    e[5].logical.precision = 30;
    e[7].logical.is_adjusted_to_utc = false;
    e[7].logical.unit = PQ_MICROS;
    e[7].converted_type = PQ_CT_TIME_MICROS;
    e[8].logical.is_adjusted_to_utc = true;
    e[8].logical.unit = PQ_NANOS;
    e[9].logical.bit_width = 16;
    e[9].logical.is_signed = false;
    e[9].converted_type = PQ_CT_UINT_16;
    e[1].converted_type = PQ_CT_UTF8;
    e[18].converted_type = PQ_CT_INTERVAL;
    e[18].has_field_id = false;
    e[18].field_id = -1;
    /* a timestamp in millis too */
    pq_schema_element_init(&e[n]);
    e[n].name = "ts_ms";
    e[n].type = PQ_INT64;
    e[n].repetition = PQ_OPTIONAL;
    e[n].logical.kind = PQ_LT_TIMESTAMP;
    e[n].logical.is_adjusted_to_utc = true;
    e[n].logical.unit = PQ_MILLIS;
    n++;
    e[0].num_children = n - 1;

    /* row group 0: two fully-populated chunks; row group 1: minimal chunks */
    for (int i = 0; i < 4; i++) {
        PqColumnChunk *c = &chunk_buf[i];
        pq_column_chunk_init(c);
        c->file_offset = 4 + 1000 * i;
        c->has_meta_data = true;
        PqColumnMetaData *md = &c->meta_data;
        md->type = PQ_INT64;
        md->n_encodings = 1;
        md->encodings = enc_buf;
        md->n_path = 1;
        md->path_in_schema = path_buf;
        md->codec = PQ_CODEC_ZSTD;
        md->num_values = 10 + i;
        md->total_uncompressed_size = 1000;
        md->total_compressed_size = 900;
        md->data_page_offset = 4 + 1000 * i;
        if (i < 2) {
            c->file_path = i == 0 ? "other/file.parquet" : NULL;
            c->offset_index_offset = 5000000000LL;
            c->offset_index_length = 77;
            c->column_index_offset = 6000000000LL;
            c->column_index_length = 0;
            md->type = PQ_BYTE_ARRAY;
            md->n_encodings = 3;
            md->n_path = 3;
            md->codec = PQ_CODEC_LZ4_RAW;
            md->num_values = 1LL << 40;
            md->total_uncompressed_size = 1LL << 35;
            md->total_compressed_size = 1LL << 34;
            md->n_kv = 3;
            md->key_value_metadata = kv_buf;
            md->index_page_offset = 7;
            md->dictionary_page_offset = 4;
            md->data_page_offset = 100;
            md->has_statistics = true;
            full_stats(&md->statistics);
            md->n_encoding_stats = 2;
            md->encoding_stats = es_buf;
            md->bloom_filter_offset = 123456;
            md->bloom_filter_length = 4096;
        }
    }
    for (int g = 0; g < 3; g++) {
        PqRowGroup *rg = &rg_buf[g];
        memset(rg, 0, sizeof *rg);
        rg->n_columns = g == 2 ? 0 : 2;
        rg->columns = g == 2 ? NULL : &chunk_buf[2 * g];
        rg->total_byte_size = 999 + g;
        rg->num_rows = g == 2 ? 0 : 3000000000LL;
        rg->file_offset = g == 0 ? 4 : -1;
        rg->total_compressed_size = g == 0 ? 12345 : -1;
        rg->ordinal = g == 0 ? 32767 : -1;
        if (g == 0) {
            rg->n_sorting_columns = 2;
            rg->sorting_columns = sort_buf;
        }
    }
    for (int i = 0; i < 40; i++)
        orders_buf[i] = i % 2 ? 2 : 1;

    memset(m, 0, sizeof *m);
    m->version = 2;
    m->n_schema = n;
    m->schema = schema_buf;
    m->num_rows = 6000000000LL;
    m->n_row_groups = 3;
    m->row_groups = rg_buf;
    m->n_kv = 3;
    m->key_value_metadata = kv_buf;
    m->created_by = "tarn version 0.1.0 (build test)";
    m->n_column_orders = n - 1;
    m->column_orders = orders_buf;
}

/* The smallest valid FileMetaData: only required fields. */
static void minimal_meta(PqFileMetaData *m)
{
    pq_schema_element_init(&schema_buf[0]);
    schema_buf[0].name = "";
    memset(m, 0, sizeof *m);
    m->version = 1;
    m->n_schema = 1;
    m->schema = schema_buf;
}

/* Encodes m, decodes it back, compares, re-encodes and checks the bytes. */
static void round_trip_meta(const PqFileMetaData *m)
{
    Buf b, b2;
    buf_init(&b);
    buf_init(&b2);
    ASSERT_EQ_INT(pq_encode_file_metadata(m, &b), 0);
    Arena a;
    arena_init(&a, 0);
    TarnError err = {0};
    PqFileMetaData d;
    ASSERT_OK(pq_decode_file_metadata(b.data, b.len, &a, &d, &err), &err);
    assert_file_meta_eq(m, &d);
    ASSERT_EQ_INT(pq_encode_file_metadata(&d, &b2), 0);
    ASSERT_EQ_INT(b.len, b2.len);
    ASSERT_EQ_MEM(b.data, b2.data, b.len);
    arena_free(&a);
    buf_free(&b);
    buf_free(&b2);
}

TEST(meta_file_metadata_round_trip_full)
{
    PqFileMetaData m;
    full_meta(&m);
    round_trip_meta(&m);
}

TEST(meta_file_metadata_round_trip_minimal)
{
    PqFileMetaData m;
    minimal_meta(&m);
    round_trip_meta(&m);
    Buf b;
    buf_init(&b);
    ASSERT_EQ_INT(pq_encode_file_metadata(&m, &b), 0);
    /* version 1, schema [ {name ""} ], num_rows 0, row_groups [] */
    /* (the root is a group, so it carries num_children 0) */
    static const uint8_t want[] = {0x15, 0x02, 0x19, 0x1c, 0x48, 0x00, 0x15, 0x00, 0x00,
                                   0x16, 0x00, 0x19, 0x0c, 0x00};
    ASSERT_EQ_INT(b.len, sizeof want);
    ASSERT_EQ_MEM(b.data, want, sizeof want);
    Arena a;
    arena_init(&a, 0);
    TarnError err = {0};
    PqFileMetaData d;
    ASSERT_OK(pq_decode_file_metadata(b.data, b.len, &a, &d, &err), &err);
    ASSERT_EQ_INT(d.n_schema, 1);
    ASSERT_EQ_STR(d.schema[0].name, "");
    ASSERT_EQ_INT(d.schema[0].type, -1);
    ASSERT_EQ_INT(d.schema[0].repetition, PQ_REP_NONE);
    ASSERT_EQ_INT(d.schema[0].converted_type, PQ_CT_NONE);
    ASSERT_EQ_INT(d.schema[0].logical.kind, PQ_LT_NONE);
    ASSERT_EQ_INT(d.schema[0].has_field_id, 0);
    ASSERT(d.created_by == NULL);
    ASSERT(d.key_value_metadata == NULL);
    ASSERT(d.column_orders == NULL);
    ASSERT_EQ_INT(d.n_row_groups, 0);
    ASSERT_EQ_INT(d.encrypted, 0);
    arena_free(&a);
    buf_free(&b);
}

TEST(meta_file_metadata_unset_optionals)
{
    /* A row group and chunk with every optional field unset decode unset. */
    PqFileMetaData m;
    full_meta(&m);
    m.n_kv = 0;
    m.key_value_metadata = NULL;
    m.created_by = NULL;
    m.n_column_orders = 0;
    m.column_orders = NULL;
    m.row_groups = &rg_buf[1];
    m.n_row_groups = 1;
    Buf b;
    buf_init(&b);
    ASSERT_EQ_INT(pq_encode_file_metadata(&m, &b), 0);
    Arena a;
    arena_init(&a, 0);
    TarnError err = {0};
    PqFileMetaData d;
    ASSERT_OK(pq_decode_file_metadata(b.data, b.len, &a, &d, &err), &err);
    assert_file_meta_eq(&m, &d);
    const PqRowGroup *g = &d.row_groups[0];
    ASSERT_EQ_INT(g->file_offset, -1);
    ASSERT_EQ_INT(g->total_compressed_size, -1);
    ASSERT_EQ_INT(g->ordinal, -1);
    ASSERT_EQ_INT(g->n_sorting_columns, 0);
    const PqColumnChunk *c = &g->columns[0];
    ASSERT(c->file_path == NULL);
    ASSERT_EQ_INT(c->offset_index_offset, -1);
    ASSERT_EQ_INT(c->column_index_offset, -1);
    ASSERT_EQ_INT(c->meta_data.index_page_offset, -1);
    ASSERT_EQ_INT(c->meta_data.dictionary_page_offset, -1);
    ASSERT_EQ_INT(c->meta_data.bloom_filter_offset, -1);
    ASSERT_EQ_INT(c->meta_data.bloom_filter_length, -1);
    ASSERT_EQ_INT(c->meta_data.has_statistics, 0);
    ASSERT_EQ_INT(c->meta_data.n_kv, 0);
    ASSERT_EQ_INT(c->meta_data.n_encoding_stats, 0);
    arena_free(&a);
    buf_free(&b);
}

TEST(meta_init_functions)
{
    PqSchemaElement e;
    memset(&e, 0x5a, sizeof e);
    pq_schema_element_init(&e);
    ASSERT_EQ_INT(e.type, -1);
    ASSERT_EQ_INT(e.type_length, -1);
    ASSERT_EQ_INT(e.repetition, -1);
    ASSERT(e.name == NULL);
    ASSERT_EQ_INT(e.num_children, 0);
    ASSERT_EQ_INT(e.converted_type, -1);
    ASSERT_EQ_INT(e.field_id, -1);
    ASSERT_EQ_INT(e.has_field_id, 0);
    ASSERT_EQ_INT(e.logical.kind, PQ_LT_NONE);
    PqStatistics s;
    memset(&s, 0x5a, sizeof s);
    pq_statistics_init(&s);
    ASSERT(s.max.ptr == NULL && s.min.ptr == NULL && s.max_value.ptr == NULL &&
           s.min_value.ptr == NULL);
    ASSERT_EQ_INT(s.null_count, -1);
    ASSERT_EQ_INT(s.distinct_count, -1);
    ASSERT(!s.has_is_max_value_exact && !s.has_is_min_value_exact);
    PqColumnChunk c;
    memset(&c, 0x5a, sizeof c);
    pq_column_chunk_init(&c);
    ASSERT(c.file_path == NULL);
    ASSERT(!c.has_meta_data && !c.encrypted);
    ASSERT_EQ_INT(c.offset_index_offset, -1);
    ASSERT_EQ_INT(c.column_index_offset, -1);
    ASSERT_EQ_INT(c.meta_data.index_page_offset, -1);
    ASSERT_EQ_INT(c.meta_data.dictionary_page_offset, -1);
    ASSERT_EQ_INT(c.meta_data.bloom_filter_offset, -1);
    ASSERT_EQ_INT(c.meta_data.bloom_filter_length, -1);
    ASSERT_EQ_INT(c.meta_data.statistics.null_count, -1);
    ASSERT(!c.meta_data.has_statistics);
    PqPageHeader h;
    memset(&h, 0x5a, sizeof h);
    pq_page_header_init(&h);
    ASSERT(!h.has_crc);
    ASSERT(h.data_page_v2.is_compressed);
    ASSERT(!h.data_page.has_statistics && !h.data_page_v2.has_statistics);
    ASSERT_EQ_INT(h.data_page.statistics.null_count, -1);
    ASSERT(!h.dict_page.is_sorted);
}

/* ---- Page headers ------------------------------------------------------------ */

static void round_trip_page_header(const PqPageHeader *h)
{
    Buf b, b2;
    buf_init(&b);
    buf_init(&b2);
    ASSERT_EQ_INT(pq_encode_page_header(h, &b), 0);
    /* trailing page bytes must not be consumed */
    size_t hdr_len = b.len;
    buf_append(&b, "PAGEDATA", 8);
    Arena a;
    arena_init(&a, 0);
    TarnError err = {0};
    PqPageHeader d;
    size_t used = 0;
    ASSERT_OK(pq_decode_page_header(b.data, b.len, &a, &d, &used, &err), &err);
    ASSERT_EQ_INT(used, hdr_len);
    ASSERT_EQ_INT(d.type, h->type);
    ASSERT_EQ_INT(d.uncompressed_page_size, h->uncompressed_page_size);
    ASSERT_EQ_INT(d.compressed_page_size, h->compressed_page_size);
    ASSERT_EQ_INT(d.has_crc, h->has_crc);
    if (h->has_crc)
        ASSERT_EQ_U64(d.crc, h->crc);
    if (h->type == PQ_PAGE_DATA) {
        ASSERT_EQ_INT(d.data_page.num_values, h->data_page.num_values);
        ASSERT_EQ_INT(d.data_page.encoding, h->data_page.encoding);
        ASSERT_EQ_INT(d.data_page.definition_level_encoding,
                      h->data_page.definition_level_encoding);
        ASSERT_EQ_INT(d.data_page.repetition_level_encoding,
                      h->data_page.repetition_level_encoding);
        ASSERT_EQ_INT(d.data_page.has_statistics, h->data_page.has_statistics);
        if (h->data_page.has_statistics)
            assert_stats_eq(&d.data_page.statistics, &h->data_page.statistics);
    } else if (h->type == PQ_PAGE_DICTIONARY) {
        ASSERT_EQ_INT(d.dict_page.num_values, h->dict_page.num_values);
        ASSERT_EQ_INT(d.dict_page.encoding, h->dict_page.encoding);
        ASSERT_EQ_INT(d.dict_page.is_sorted, h->dict_page.is_sorted);
    } else if (h->type == PQ_PAGE_DATA_V2) {
        const PqDataPageHeaderV2 *x = &h->data_page_v2, *y = &d.data_page_v2;
        ASSERT_EQ_INT(x->num_values, y->num_values);
        ASSERT_EQ_INT(x->num_nulls, y->num_nulls);
        ASSERT_EQ_INT(x->num_rows, y->num_rows);
        ASSERT_EQ_INT(x->encoding, y->encoding);
        ASSERT_EQ_INT(x->definition_levels_byte_length, y->definition_levels_byte_length);
        ASSERT_EQ_INT(x->repetition_levels_byte_length, y->repetition_levels_byte_length);
        ASSERT_EQ_INT(x->is_compressed, y->is_compressed);
        ASSERT_EQ_INT(x->has_statistics, y->has_statistics);
        if (x->has_statistics)
            assert_stats_eq(&x->statistics, &y->statistics);
    }
    ASSERT_EQ_INT(pq_encode_page_header(&d, &b2), 0);
    ASSERT_EQ_INT(b2.len, hdr_len);
    ASSERT_EQ_MEM(b.data, b2.data, hdr_len);
    /* every strict prefix of the header fails cleanly */
    for (size_t k = 0; k < hdr_len; k++) {
        TarnError e2 = {0};
        ASSERT_EQ_INT(pq_decode_page_header(b.data, k, &a, &d, &used, &e2), TARN_ERR_CORRUPT);
    }
    arena_free(&a);
    buf_free(&b);
    buf_free(&b2);
}

TEST(meta_page_header_round_trip)
{
    PqPageHeader h;
    /* data page v1 with stats and a crc whose top bit is set */
    pq_page_header_init(&h);
    h.type = PQ_PAGE_DATA;
    h.uncompressed_page_size = 1 << 20;
    h.compressed_page_size = 12345;
    h.has_crc = true;
    h.crc = 0xDEADBEEFu;
    h.data_page.num_values = INT32_MAX;
    h.data_page.encoding = PQ_ENC_DELTA_BINARY_PACKED;
    h.data_page.has_statistics = true;
    full_stats(&h.data_page.statistics);
    round_trip_page_header(&h);
    /* the same without optional parts; crc 0 is still "present" */
    h.data_page.has_statistics = false;
    h.crc = 0;
    round_trip_page_header(&h);
    h.has_crc = false;
    h.data_page.num_values = 0;
    h.compressed_page_size = 0;
    h.uncompressed_page_size = 0;
    round_trip_page_header(&h);
    /* dictionary page, sorted and not */
    pq_page_header_init(&h);
    h.type = PQ_PAGE_DICTIONARY;
    h.uncompressed_page_size = 80;
    h.compressed_page_size = 40;
    h.dict_page.num_values = 10;
    h.dict_page.encoding = PQ_ENC_PLAIN_DICTIONARY;
    h.dict_page.is_sorted = true;
    round_trip_page_header(&h);
    h.dict_page.is_sorted = false;
    round_trip_page_header(&h);
    /* data page v2, compressed and not */
    pq_page_header_init(&h);
    h.type = PQ_PAGE_DATA_V2;
    h.uncompressed_page_size = 500;
    h.compressed_page_size = 300;
    h.data_page_v2.num_values = 100;
    h.data_page_v2.num_nulls = 100;
    h.data_page_v2.num_rows = 50;
    h.data_page_v2.encoding = PQ_ENC_RLE_DICTIONARY;
    h.data_page_v2.definition_levels_byte_length = 150;
    h.data_page_v2.repetition_levels_byte_length = 150;
    round_trip_page_header(&h);
    h.data_page_v2.is_compressed = false;
    h.data_page_v2.has_statistics = true;
    full_stats(&h.data_page_v2.statistics);
    round_trip_page_header(&h);
    /* index page: empty struct */
    pq_page_header_init(&h);
    h.type = PQ_PAGE_INDEX;
    h.uncompressed_page_size = 3;
    h.compressed_page_size = 3;
    round_trip_page_header(&h);
}

TEST(meta_page_header_known_bytes)
{
    /* PageHeader{type DATA_PAGE, uncompressed 10, compressed 10,
     * data_page_header{num_values 3, PLAIN, RLE, RLE}} */
    static const uint8_t hdr[] = {0x15, 0x00, 0x15, 0x14, 0x15, 0x14, 0x2c, 0x15, 0x06,
                                  0x15, 0x00, 0x15, 0x06, 0x15, 0x06, 0x00, 0x00};
    Arena a;
    arena_init(&a, 0);
    TarnError err = {0};
    PqPageHeader h;
    size_t used;
    ASSERT_OK(pq_decode_page_header(hdr, sizeof hdr, &a, &h, &used, &err), &err);
    ASSERT_EQ_INT(used, sizeof hdr);
    ASSERT_EQ_INT(h.type, PQ_PAGE_DATA);
    ASSERT_EQ_INT(h.uncompressed_page_size, 10);
    ASSERT_EQ_INT(h.compressed_page_size, 10);
    ASSERT_EQ_INT(h.data_page.num_values, 3);
    ASSERT_EQ_INT(h.data_page.encoding, PQ_ENC_PLAIN);
    ASSERT_EQ_INT(h.data_page.definition_level_encoding, PQ_ENC_RLE);
    ASSERT(!h.has_crc);
    /* our encoder produces the same bytes */
    Buf b;
    buf_init(&b);
    ASSERT_EQ_INT(pq_encode_page_header(&h, &b), 0);
    ASSERT_EQ_INT(b.len, sizeof hdr);
    ASSERT_EQ_MEM(b.data, hdr, sizeof hdr);
    buf_free(&b);

    /* long-form field headers (type byte + zigzag id), fields out of
     * order, crc -1 as negative zigzag (0x01) */
    static const uint8_t lf[] = {
        0x05, 0x06, 0x14,             /* field 3 compressed = 10, long form */
        0x05, 0x02, 0x00,             /* field 1 type = 0, long form */
        0x15, 0x14,                   /* field 2 uncompressed = 10 */
        0x25, 0x01,                   /* field 4 crc = -1 */
        0x0c, 0x0a,                   /* field 5 struct, long form */
        0x15, 0x00, 0x15, 0x00, 0x15, 0x06, 0x15, 0x06, 0x00, 0x00};
    ASSERT_OK(pq_decode_page_header(lf, sizeof lf, &a, &h, &used, &err), &err);
    ASSERT_EQ_INT(h.type, 0);
    ASSERT_EQ_INT(h.compressed_page_size, 10);
    ASSERT_EQ_INT(h.uncompressed_page_size, 10);
    ASSERT(h.has_crc);
    ASSERT_EQ_U64(h.crc, 0xFFFFFFFFu);
    ASSERT_EQ_INT(h.data_page.num_values, 0);

    /* dictionary page with is_sorted encoded in the field type (0x11) */
    static const uint8_t dp[] = {0x15, 0x04, 0x15, 0x02, 0x15, 0x02, 0x4c, 0x15, 0x02,
                                 0x15, 0x00, 0x11, 0x00, 0x00};
    ASSERT_OK(pq_decode_page_header(dp, sizeof dp, &a, &h, &used, &err), &err);
    ASSERT_EQ_INT(h.type, PQ_PAGE_DICTIONARY);
    ASSERT_EQ_INT(h.dict_page.num_values, 1);
    ASSERT(h.dict_page.is_sorted);
    /* V2 without is_compressed: default true */
    static const uint8_t v2[] = {0x15, 0x06, 0x15, 0x02, 0x15, 0x02, 0x5c, 0x15, 0x02, 0x15,
                                 0x00, 0x15, 0x02, 0x15, 0x00, 0x15, 0x00, 0x15, 0x00,
                                 0x00, 0x00};
    ASSERT_OK(pq_decode_page_header(v2, sizeof v2, &a, &h, &used, &err), &err);
    ASSERT_EQ_INT(h.type, PQ_PAGE_DATA_V2);
    ASSERT(h.data_page_v2.is_compressed);
    ASSERT_EQ_INT(h.data_page_v2.num_rows, 1);
    arena_free(&a);
}

TEST(meta_page_header_errors)
{
    static const struct {
        uint8_t bytes[32];
        size_t len;
        const char *msg;
    } cases[] = {
        /* negative num_values (zigzag 0x01 = -1) */
        {{0x15, 0x00, 0x15, 0x14, 0x15, 0x14, 0x2c, 0x15, 0x01, 0x15, 0x00, 0x15, 0x06, 0x15,
          0x06, 0x00, 0x00}, 17, "negative num_values"},
        /* negative compressed size */
        {{0x15, 0x00, 0x15, 0x14, 0x15, 0x13, 0x2c, 0x15, 0x06, 0x15, 0x00, 0x15, 0x06, 0x15,
          0x06, 0x00, 0x00}, 17, "negative compressed_page_size"},
        /* no compressed_page_size */
        {{0x15, 0x00, 0x15, 0x14, 0x3c, 0x15, 0x06, 0x15, 0x00, 0x15, 0x06, 0x15, 0x06, 0x00,
          0x00}, 15, "compressed_page_size"},
        /* no type */
        {{0x25, 0x14, 0x15, 0x14, 0x00}, 5, "missing required field type"},
        /* data page without its data_page_header */
        {{0x15, 0x00, 0x15, 0x14, 0x15, 0x14, 0x00}, 7, "data_page_header"},
        /* data page header missing encodings */
        {{0x15, 0x00, 0x15, 0x14, 0x15, 0x14, 0x2c, 0x15, 0x06, 0x00, 0x00}, 11, "encoding"},
        /* dictionary page without header */
        {{0x15, 0x04, 0x15, 0x14, 0x15, 0x14, 0x00}, 7, "dictionary_page_header"},
        /* v2 levels longer than the page */
        {{0x15, 0x06, 0x15, 0x02, 0x15, 0x02, 0x5c, 0x15, 0x02, 0x15, 0x00, 0x15, 0x02, 0x15,
          0x00, 0x15, 0x02, 0x15, 0x02, 0x00, 0x00}, 21, "level lengths"},
        /* v2 with more nulls than values */
        {{0x15, 0x06, 0x15, 0x02, 0x15, 0x02, 0x5c, 0x15, 0x02, 0x15, 0x04, 0x15, 0x02, 0x15,
          0x00, 0x15, 0x00, 0x15, 0x00, 0x00, 0x00}, 21, "num_nulls"},
        /* i32 field holding a value beyond 32 bits */
        {{0x15, 0x00, 0x15, 0x80, 0x80, 0x80, 0x80, 0x20, 0x00}, 9, "out of range"},
        /* unknown field type 13 */
        {{0x1d, 0x00}, 2, "unknown field type"},
        /* stop byte with a delta */
        {{0x10}, 1, "stop"},
        /* empty */
        {{0}, 0, "truncated"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Arena a;
        arena_init(&a, 0);
        TarnError err = {0};
        PqPageHeader h;
        size_t used = 999;
        int rc = pq_decode_page_header(cases[i].bytes, cases[i].len, &a, &h, &used, &err);
        if (rc != TARN_ERR_CORRUPT)
            TFAIL("case %zu: rc %d, expected corrupt", i, rc);
        if (!strstr(err.message, cases[i].msg))
            TFAIL("case %zu: \"%s\" lacks \"%s\"", i, err.message, cases[i].msg);
        ASSERT_EQ_INT(used, 999); /* untouched on failure */
        ASSERT(strncmp(err.message, "page header", 11) == 0 ||
               strncmp(err.message, "data page header", 16) == 0);
        arena_free(&a);
    }
}

/* Page header with unknown fields of every type interleaved with the known
 * ones, including long-form (backwards) ids and nested containers. */
TEST(meta_skip_unknown_fields)
{
    Buf b;
    buf_init(&b);
    ThriftWriter w;
    thrift_writer_init(&w, &b);
    thrift_write_struct_field(&w, 100); /* unknown struct holding everything */
    thrift_write_bool_field(&w, 1, true);
    thrift_write_i8_field(&w, 2, 7);
    thrift_write_double_field(&w, 3, 2.5);
    thrift_write_field(&w, THRIFT_MAP, 4);
    thrift_write_map(&w, THRIFT_BINARY, THRIFT_STRUCT, 2);
    thrift_write_binary(&w, "k", 1);
    thrift_write_struct_begin(&w);
    thrift_write_field(&w, THRIFT_LIST, 1);
    thrift_write_list(&w, THRIFT_TRUE, 2);
    thrift_write_bool(&w, true);
    thrift_write_bool(&w, false);
    thrift_write_struct_end(&w);
    thrift_write_binary(&w, "", 0);
    thrift_write_struct_begin(&w);
    thrift_write_struct_end(&w);
    thrift_write_field(&w, THRIFT_SET, 5);
    thrift_write_list(&w, THRIFT_I64, 16);
    for (int i = 0; i < 16; i++)
        thrift_write_i64(&w, -i * 1000000007LL);
    thrift_write_struct_end(&w);
    thrift_write_i32_field(&w, 1, PQ_PAGE_DATA);    /* backwards: long form */
    thrift_write_i16_field(&w, 50, -5);             /* unknown i16 */
    thrift_write_i32_field(&w, 2, 64);              /* long form */
    thrift_write_i32_field(&w, 3, 32);
    thrift_write_bool_field(&w, 9, false);          /* unknown bool */
    thrift_write_i64_field(&w, 2000, INT64_MIN);    /* unknown i64 */
    thrift_write_binary_field(&w, 2001, "\x00\x01\x02", 3);
    thrift_write_field(&w, THRIFT_MAP, 2002);       /* empty map */
    thrift_write_map(&w, THRIFT_I32, THRIFT_I32, 0);
    thrift_write_field(&w, THRIFT_LIST, 2003);      /* empty list */
    thrift_write_list(&w, THRIFT_STRUCT, 0);
    thrift_write_struct_field(&w, 5);
    thrift_write_i32_field(&w, 1, 9);
    thrift_write_field(&w, THRIFT_LIST, 7);         /* unknown list<list<binary>> */
    thrift_write_list(&w, THRIFT_LIST, 1);
    thrift_write_list(&w, THRIFT_BINARY, 1);
    thrift_write_binary(&w, "zz", 2);
    thrift_write_i32_field(&w, 2, PQ_ENC_RLE_DICTIONARY); /* long form */
    thrift_write_i32_field(&w, 3, PQ_ENC_RLE);
    thrift_write_i32_field(&w, 4, PQ_ENC_RLE);
    thrift_write_struct_end(&w);
    thrift_write_i64_field(&w, 4, 5); /* crc with the wrong wire type: skipped */
    thrift_write_stop(&w);
    ASSERT_EQ_INT(w.rc, 0);

    Arena a;
    arena_init(&a, 0);
    TarnError err = {0};
    PqPageHeader h;
    size_t used;
    ASSERT_OK(pq_decode_page_header(b.data, b.len, &a, &h, &used, &err), &err);
    ASSERT_EQ_INT(used, b.len);
    ASSERT_EQ_INT(h.type, PQ_PAGE_DATA);
    ASSERT_EQ_INT(h.uncompressed_page_size, 64);
    ASSERT_EQ_INT(h.compressed_page_size, 32);
    ASSERT_EQ_INT(h.data_page.num_values, 9);
    ASSERT_EQ_INT(h.data_page.encoding, PQ_ENC_RLE_DICTIONARY);
    ASSERT(!h.has_crc);
    for (size_t k = 0; k < b.len; k++) {
        TarnError e2 = {0};
        ASSERT_EQ_INT(pq_decode_page_header(b.data, k, &a, &h, &used, &e2), TARN_ERR_CORRUPT);
    }
    arena_free(&a);
    buf_free(&b);
}

/* ---- Logical types --------------------------------------------------------- */

/* FileMetaData bytes with one leaf whose LogicalType union is written by
 * `fill` (called between the union's struct begin and end). */
static void meta_with_logical(Buf *b, void (*fill)(ThriftWriter *))
{
    ThriftWriter w;
    thrift_writer_init(&w, b);
    thrift_write_field(&w, THRIFT_LIST, 2);
    thrift_write_list(&w, THRIFT_STRUCT, 2);
    thrift_write_struct_begin(&w);
    thrift_write_string_field(&w, 4, "root");
    thrift_write_i32_field(&w, 5, 1);
    thrift_write_struct_end(&w);
    thrift_write_struct_begin(&w);
    thrift_write_i32_field(&w, 1, PQ_INT64);
    thrift_write_string_field(&w, 4, "x");
    thrift_write_struct_field(&w, 10);
    fill(&w);
    thrift_write_struct_end(&w);
    thrift_write_struct_end(&w);
    thrift_write_i64_field(&w, 3, 0);
    thrift_write_field(&w, THRIFT_LIST, 4);
    thrift_write_list(&w, THRIFT_STRUCT, 0);
    thrift_write_stop(&w);
}

static void lt_future_member(ThriftWriter *w)
{
    thrift_write_struct_field(w, 40);
    thrift_write_i32_field(w, 1, 5);
    thrift_write_struct_end(w);
}
static void lt_bad_unit(ThriftWriter *w)
{
    thrift_write_struct_field(w, PQ_LT_TIMESTAMP);
    thrift_write_bool_field(w, 1, true);
    thrift_write_struct_field(w, 2);
    thrift_write_struct_field(w, 9); /* TimeUnit member 9: unknown */
    thrift_write_struct_end(w);
    thrift_write_struct_end(w);
    thrift_write_struct_end(w);
}
static void lt_bad_width(ThriftWriter *w)
{
    thrift_write_struct_field(w, PQ_LT_INTEGER);
    thrift_write_i8_field(w, 1, 7);
    thrift_write_bool_field(w, 2, true);
    thrift_write_struct_end(w);
}
static void lt_non_struct_member(ThriftWriter *w)
{
    thrift_write_i32_field(w, 1, 3);
}
static void lt_empty(ThriftWriter *w)
{
    (void)w;
}
static void lt_timestamp_nanos(ThriftWriter *w)
{
    thrift_write_struct_field(w, PQ_LT_TIMESTAMP);
    thrift_write_bool_field(w, 1, false);
    thrift_write_struct_field(w, 2);
    thrift_write_struct_field(w, 3);
    thrift_write_struct_end(w);
    thrift_write_struct_end(w);
    thrift_write_struct_end(w);
}
static void lt_variant_with_version(ThriftWriter *w)
{
    thrift_write_struct_field(w, PQ_LT_VARIANT);
    thrift_write_i8_field(w, 1, 1);
    thrift_write_struct_end(w);
}
static void lt_geography_with_crs(ThriftWriter *w)
{
    thrift_write_struct_field(w, PQ_LT_GEOGRAPHY);
    thrift_write_string_field(w, 1, "OGC:CRS84");
    thrift_write_i32_field(w, 2, 1);
    thrift_write_struct_end(w);
}

TEST(meta_logical_type_unknown_and_malformed)
{
    static const struct {
        void (*fill)(ThriftWriter *);
        int kind;
    } cases[] = {
        {lt_future_member, PQ_LT_UNKNOWN},   {lt_bad_unit, PQ_LT_UNKNOWN},
        {lt_bad_width, PQ_LT_UNKNOWN},       {lt_non_struct_member, PQ_LT_UNKNOWN},
        {lt_empty, PQ_LT_NONE},              {lt_timestamp_nanos, PQ_LT_TIMESTAMP},
        {lt_variant_with_version, PQ_LT_VARIANT}, {lt_geography_with_crs, PQ_LT_GEOGRAPHY},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Buf b;
        buf_init(&b);
        meta_with_logical(&b, cases[i].fill);
        Arena a;
        arena_init(&a, 0);
        TarnError err = {0};
        PqFileMetaData m;
        ASSERT_OK(pq_decode_file_metadata(b.data, b.len, &a, &m, &err), &err);
        ASSERT_EQ_INT(m.n_schema, 2);
        ASSERT_EQ_STR(m.schema[1].name, "x");
        if ((int)m.schema[1].logical.kind != cases[i].kind)
            TFAIL("case %zu: kind %d, expected %d", i, (int)m.schema[1].logical.kind,
                  cases[i].kind);
        if (cases[i].kind == PQ_LT_TIMESTAMP) {
            ASSERT_EQ_INT(m.schema[1].logical.unit, PQ_NANOS);
            ASSERT(!m.schema[1].logical.is_adjusted_to_utc);
        }
        arena_free(&a);
        buf_free(&b);
    }
}

/* ---- Page index and bloom filter header ------------------------------------- */

TEST(meta_column_index_round_trip)
{
    for (int n = 0; n <= 40; n += (n < 16 ? 1 : 12)) {
        for (int with_nc = 0; with_nc < 2; with_nc++) {
            bool null_pages[64];
            PqBytes mins[64], maxs[64];
            int64_t ncs[64];
            char mbuf[64][16];
            for (int i = 0; i < n; i++) {
                null_pages[i] = i % 3 == 0;
                snprintf(mbuf[i], sizeof mbuf[i], "v%03d", i);
                mins[i] = bytes_of(mbuf[i], null_pages[i] ? 0 : 4);
                maxs[i] = bytes_of(mbuf[i], null_pages[i] ? 0 : 3);
                ncs[i] = (int64_t)i * 1000000;
            }
            PqColumnIndex ci = {n, null_pages, mins, maxs, n % 3, with_nc ? ncs : NULL};
            Buf b, b2;
            buf_init(&b);
            buf_init(&b2);
            ASSERT_EQ_INT(pq_encode_column_index(&ci, &b), 0);
            Arena a;
            arena_init(&a, 0);
            TarnError err = {0};
            PqColumnIndex d;
            ASSERT_OK(pq_decode_column_index(b.data, b.len, &a, &d, &err), &err);
            ASSERT_EQ_INT(d.n_pages, n);
            ASSERT_EQ_INT(d.boundary_order, n % 3);
            ASSERT_EQ_INT(d.null_counts != NULL, with_nc && n > 0);
            for (int i = 0; i < n; i++) {
                ASSERT_EQ_INT(d.null_pages[i], null_pages[i]);
                ASSERT_EQ_INT(d.min_values[i].len, mins[i].len);
                ASSERT_EQ_MEM(d.min_values[i].ptr, mins[i].ptr, mins[i].len);
                ASSERT_EQ_INT(d.max_values[i].len, maxs[i].len);
                ASSERT_EQ_MEM(d.max_values[i].ptr, maxs[i].ptr, maxs[i].len);
                if (with_nc)
                    ASSERT_EQ_INT(d.null_counts[i], ncs[i]);
            }
            if (n > 0) {
                ASSERT_EQ_INT(pq_encode_column_index(&d, &b2), 0);
                ASSERT_EQ_INT(b2.len, b.len);
                ASSERT_EQ_MEM(b2.data, b.data, b.len);
            }
            for (size_t k = 0; k < b.len; k++) {
                TarnError e2 = {0};
                ASSERT_EQ_INT(pq_decode_column_index(b.data, k, &a, &d, &e2), TARN_ERR_CORRUPT);
            }
            arena_free(&a);
            buf_free(&b);
            buf_free(&b2);
        }
    }
}

TEST(meta_column_index_known_bytes_and_errors)
{
    /* 15 null pages: list header long form 0xf1 0x0f; bools 1/2/0 */
    uint8_t ci[128];
    size_t n = 0;
    ci[n++] = 0x19;
    ci[n++] = 0xf1;
    ci[n++] = 0x0f;
    for (int i = 0; i < 15; i++)
        ci[n++] = i == 0 ? 1 : i == 1 ? 0 : 2;
    ci[n++] = 0x19; /* min_values: 15 empty binaries */
    ci[n++] = 0xf8;
    ci[n++] = 0x0f;
    for (int i = 0; i < 15; i++)
        ci[n++] = 0;
    ci[n++] = 0x19; /* max_values */
    ci[n++] = 0xf8;
    ci[n++] = 0x0f;
    for (int i = 0; i < 15; i++)
        ci[n++] = 0;
    ci[n++] = 0x15; /* boundary order 2 */
    ci[n++] = 0x04;
    ci[n++] = 0x00;
    Arena a;
    arena_init(&a, 0);
    TarnError err = {0};
    PqColumnIndex d;
    ASSERT_OK(pq_decode_column_index(ci, n, &a, &d, &err), &err);
    ASSERT_EQ_INT(d.n_pages, 15);
    ASSERT(d.null_pages[0]);
    ASSERT(!d.null_pages[1]);
    ASSERT(!d.null_pages[2]);
    ASSERT_EQ_INT(d.boundary_order, 2);
    ASSERT(d.null_counts == NULL);
    ASSERT(d.min_values[3].ptr != NULL); /* present, empty */
    /* mismatched list lengths: max_values with 14 entries */
    ci[2 + 1 + 15 + 3 + 15 + 1] = 0xe8;
    memmove(ci + 2 + 1 + 15 + 3 + 15 + 2, ci + 2 + 1 + 15 + 3 + 15 + 3,
            n - (2 + 1 + 15 + 3 + 15 + 3));
    err_clear(&err);
    ASSERT_EQ_INT(pq_decode_column_index(ci, n - 1, &a, &d, &err), TARN_ERR_CORRUPT);
    ASSERT_ERR_CONTAINS(&err, "max_values has 14 entries");
    /* missing boundary order */
    static const uint8_t nob[] = {0x19, 0x11, 0x01, 0x19, 0x18, 0x00, 0x19, 0x18, 0x00, 0x00};
    err_clear(&err);
    ASSERT_EQ_INT(pq_decode_column_index(nob, sizeof nob, &a, &d, &err), TARN_ERR_CORRUPT);
    ASSERT_ERR_CONTAINS(&err, "boundary_order");
    arena_free(&a);
}

TEST(meta_offset_index_round_trip)
{
    static const int sizes[] = {0, 1, 14, 15, 100};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int n = sizes[s];
        PqPageLocation locs[100];
        for (int i = 0; i < n; i++) {
            locs[i].offset = 4 + (int64_t)i * 5000000000LL;
            locs[i].compressed_page_size = i * 7;
            locs[i].first_row_index = (int64_t)i * 1024;
        }
        PqOffsetIndex oi = {n, locs};
        Buf b;
        buf_init(&b);
        ASSERT_EQ_INT(pq_encode_offset_index(&oi, &b), 0);
        /* an unencoded_byte_array_data_bytes list after: skipped */
        b.len--; /* drop STOP */
        ThriftWriter w;
        thrift_writer_init(&w, &b);
        w.last_id[0] = 1;
        thrift_write_field(&w, THRIFT_LIST, 2);
        thrift_write_list(&w, THRIFT_I64, 2);
        thrift_write_i64(&w, 10);
        thrift_write_i64(&w, 20);
        thrift_write_stop(&w);
        Arena a;
        arena_init(&a, 0);
        TarnError err = {0};
        PqOffsetIndex d;
        ASSERT_OK(pq_decode_offset_index(b.data, b.len, &a, &d, &err), &err);
        ASSERT_EQ_INT(d.n_pages, n);
        for (int i = 0; i < n; i++) {
            ASSERT_EQ_INT(d.page_locations[i].offset, locs[i].offset);
            ASSERT_EQ_INT(d.page_locations[i].compressed_page_size, locs[i].compressed_page_size);
            ASSERT_EQ_INT(d.page_locations[i].first_row_index, locs[i].first_row_index);
        }
        for (size_t k = 0; k < b.len; k++) {
            TarnError e2 = {0};
            ASSERT_EQ_INT(pq_decode_offset_index(b.data, k, &a, &d, &e2), TARN_ERR_CORRUPT);
        }
        arena_free(&a);
        buf_free(&b);
    }
    /* negative first_row_index */
    static const uint8_t neg[] = {0x19, 0x1c, 0x16, 0x08, 0x15, 0x02, 0x16, 0x01, 0x00, 0x00};
    Arena a;
    arena_init(&a, 0);
    TarnError err = {0};
    PqOffsetIndex d;
    ASSERT_EQ_INT(pq_decode_offset_index(neg, sizeof neg, &a, &d, &err), TARN_ERR_CORRUPT);
    ASSERT_ERR_CONTAINS(&err, "negative first_row_index");
    /* missing page_locations */
    static const uint8_t none[] = {0x00};
    err_clear(&err);
    ASSERT_EQ_INT(pq_decode_offset_index(none, 1, &a, &d, &err), TARN_ERR_CORRUPT);
    ASSERT_ERR_CONTAINS(&err, "page_locations");
    arena_free(&a);
}

TEST(meta_bloom_header_round_trip)
{
    PqBloomFilterHeader h = {1024, 1, 1, 1};
    Buf b;
    buf_init(&b);
    ASSERT_EQ_INT(pq_encode_bloom_header(&h, &b), 0);
    /* numBytes 1024, algorithm{BLOCK{}}, hash{XXHASH{}}, compression{UNCOMPRESSED{}} */
    static const uint8_t want[] = {0x15, 0x80, 0x10, 0x1c, 0x1c, 0x00, 0x00, 0x1c, 0x1c,
                                   0x00, 0x00, 0x1c, 0x1c, 0x00, 0x00, 0x00};
    ASSERT_EQ_INT(b.len, sizeof want);
    ASSERT_EQ_MEM(b.data, want, sizeof want);
    buf_append(&b, "bitset", 6);
    PqBloomFilterHeader d;
    size_t used;
    TarnError err = {0};
    ASSERT_OK(pq_decode_bloom_header(b.data, b.len, &d, &used, &err), &err);
    ASSERT_EQ_INT(used, sizeof want);
    ASSERT_EQ_INT(d.num_bytes, 1024);
    ASSERT_EQ_INT(d.algorithm, 1);
    ASSERT_EQ_INT(d.hash, 1);
    ASSERT_EQ_INT(d.compression, 1);
    for (size_t k = 0; k < sizeof want; k++) {
        TarnError e2 = {0};
        ASSERT_EQ_INT(pq_decode_bloom_header(b.data, k, &d, &used, &e2), TARN_ERR_CORRUPT);
    }
    /* a future algorithm member id is recorded, not rejected */
    PqBloomFilterHeader h2 = {0, 2, 3, 4};
    buf_clear(&b);
    ASSERT_EQ_INT(pq_encode_bloom_header(&h2, &b), 0);
    ASSERT_OK(pq_decode_bloom_header(b.data, b.len, &d, &used, &err), &err);
    ASSERT_EQ_INT(d.algorithm, 2);
    ASSERT_EQ_INT(d.hash, 3);
    ASSERT_EQ_INT(d.compression, 4);
    /* negative numBytes */
    static const uint8_t neg[] = {0x15, 0x01, 0x1c, 0x1c, 0x00, 0x00, 0x1c, 0x1c,
                                  0x00, 0x00, 0x1c, 0x1c, 0x00, 0x00, 0x00};
    err_clear(&err);
    ASSERT_EQ_INT(pq_decode_bloom_header(neg, sizeof neg, &d, &used, &err), TARN_ERR_CORRUPT);
    ASSERT_ERR_CONTAINS(&err, "negative numBytes");
    /* missing hash */
    static const uint8_t nohash[] = {0x15, 0x02, 0x1c, 0x1c, 0x00, 0x00, 0x2c, 0x1c,
                                     0x00, 0x00, 0x00};
    err_clear(&err);
    ASSERT_EQ_INT(pq_decode_bloom_header(nohash, sizeof nohash, &d, &used, &err),
                  TARN_ERR_CORRUPT);
    ASSERT_ERR_CONTAINS(&err, "hash");
    buf_free(&b);
}

/* ---- Hostile input ---------------------------------------------------------- */

TEST(meta_file_metadata_truncated_everywhere)
{
    PqFileMetaData m;
    full_meta(&m);
    Buf b;
    buf_init(&b);
    ASSERT_EQ_INT(pq_encode_file_metadata(&m, &b), 0);
    Arena a;
    arena_init(&a, 0);
    for (size_t k = 0; k < b.len; k++) {
        TarnError err = {0};
        PqFileMetaData d;
        int rc = pq_decode_file_metadata(b.data, k, &a, &d, &err);
        if (rc != TARN_ERR_CORRUPT)
            TFAIL("prefix %zu of %zu: rc %d", k, b.len, rc);
        ASSERT(err.message[0] != '\0');
        arena_reset(&a);
    }
    arena_free(&a);
    buf_free(&b);
}

TEST(meta_file_metadata_missing_required)
{
    static const struct {
        uint8_t bytes[24];
        size_t len;
        const char *msg;
    } cases[] = {
        /* num_rows 0, row_groups [] but no schema */
        {{0x36, 0x00, 0x19, 0x0c, 0x00}, 5, "missing required field schema"},
        /* schema [{name ""}], row_groups [] */
        {{0x29, 0x1c, 0x48, 0x00, 0x00, 0x29, 0x0c, 0x00}, 8, "num_rows"},
        /* schema, num_rows */
        {{0x29, 0x1c, 0x48, 0x00, 0x00, 0x16, 0x00, 0x00}, 8, "row_groups"},
        /* schema element without a name */
        {{0x29, 0x1c, 0x15, 0x02, 0x00, 0x16, 0x00, 0x19, 0x0c, 0x00}, 10, "name"},
        /* empty schema */
        {{0x29, 0x0c, 0x16, 0x00, 0x19, 0x0c, 0x00}, 7, "empty schema"},
        /* negative num_rows */
        {{0x29, 0x1c, 0x48, 0x00, 0x00, 0x16, 0x03, 0x19, 0x0c, 0x00}, 10, "negative num_rows"},
        /* physical type 8 */
        {{0x29, 0x1c, 0x15, 0x10, 0x38, 0x00, 0x00, 0x16, 0x00, 0x19, 0x0c, 0x00}, 12,
         "unknown physical type"},
        /* row group without num_rows: columns [], total_byte_size 0 */
        {{0x29, 0x1c, 0x48, 0x00, 0x00, 0x16, 0x00, 0x19, 0x1c, 0x19, 0x0c, 0x16, 0x00, 0x00,
          0x00, 0x00, 0x00}, 17, "row group: missing required field num_rows"},
        /* schema list of a non-struct element type */
        {{0x29, 0x15, 0x00, 0x16, 0x00, 0x19, 0x0c, 0x00}, 8, "list element type"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Arena a;
        arena_init(&a, 0);
        TarnError err = {0};
        PqFileMetaData m;
        int rc = pq_decode_file_metadata(cases[i].bytes, cases[i].len, &a, &m, &err);
        if (rc != TARN_ERR_CORRUPT)
            TFAIL("case %zu: rc %d", i, rc);
        if (!strstr(err.message, cases[i].msg))
            TFAIL("case %zu: \"%s\" lacks \"%s\"", i, err.message, cases[i].msg);
        arena_free(&a);
    }
}

TEST(meta_file_metadata_absurd_counts)
{
    Arena a;
    arena_init(&a, 0);
    TarnError err = {0};
    PqFileMetaData m;
    /* schema list of 2^31-1 elements in a 16-byte input */
    uint8_t s1[16] = {0x29, 0xfc, 0xff, 0xff, 0xff, 0xff, 0x07};
    ASSERT_EQ_INT(pq_decode_file_metadata(s1, sizeof s1, &a, &m, &err), TARN_ERR_CORRUPT);
    ASSERT_ERR_CONTAINS(&err, "exceeds");
    /* schema list beyond PQ_MAX_SCHEMA_ELEMENTS even though bytes are there */
    size_t big = PQ_MAX_SCHEMA_ELEMENTS + 10;
    uint8_t *s2 = calloc(1, big * 3 + 16);
    ASSERT(s2);
    s2[0] = 0x29;
    s2[1] = 0xfc;
    size_t n = 2;
    uint64_t cnt = PQ_MAX_SCHEMA_ELEMENTS + 1;
    while (cnt >= 0x80) {
        s2[n++] = (uint8_t)(cnt | 0x80);
        cnt >>= 7;
    }
    s2[n++] = (uint8_t)cnt;
    err_clear(&err);
    ASSERT_EQ_INT(pq_decode_file_metadata(s2, big * 3 + 16, &a, &m, &err), TARN_ERR_CORRUPT);
    ASSERT_ERR_CONTAINS(&err, "limit");
    free(s2);
    /* row groups: 1000 claimed, 3 bytes each would fit but 7 are needed */
    uint8_t s3[3000 + 16] = {0x29, 0x1c, 0x48, 0x00, 0x00, 0x16, 0x00, 0x19, 0xfc, 0xe8, 0x07};
    err_clear(&err);
    ASSERT_EQ_INT(pq_decode_file_metadata(s3, sizeof s3, &a, &m, &err), TARN_ERR_CORRUPT);
    ASSERT_ERR_CONTAINS(&err, "row_groups");
    /* a binary length beyond the input */
    uint8_t s4[] = {0x29, 0x1c, 0x48, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00};
    err_clear(&err);
    ASSERT_EQ_INT(pq_decode_file_metadata(s4, sizeof s4, &a, &m, &err), TARN_ERR_CORRUPT);
    ASSERT_ERR_CONTAINS(&err, "binary length");
    ASSERT(a.total_bytes < 1024 * 1024);
    arena_free(&a);
}

TEST(meta_nesting_limit)
{
    /* An unknown field of nested structs inside a page header: the header
     * is level 1, so 63 nested structs fit and 64 do not. */
    for (int depth = PQ_MAX_NESTING - 3; depth <= PQ_MAX_NESTING + 3; depth++) {
        Buf b;
        buf_init(&b);
        ThriftWriter w;
        thrift_writer_init(&w, &b);
        thrift_write_i32_field(&w, 1, PQ_PAGE_INDEX);
        thrift_write_i32_field(&w, 2, 0);
        thrift_write_i32_field(&w, 3, 0);
        thrift_write_byte(&w, 0x1c); /* field 4 of type struct (unknown type: skipped) */
        for (int i = 1; i < depth; i++)
            thrift_write_byte(&w, 0x1c);
        for (int i = 0; i < depth; i++)
            thrift_write_byte(&w, 0);
        thrift_write_stop(&w);
        ASSERT_EQ_INT(w.rc, 0);
        Arena a;
        arena_init(&a, 0);
        TarnError err = {0};
        PqPageHeader h;
        size_t used;
        int rc = pq_decode_page_header(b.data, b.len, &a, &h, &used, &err);
        if (depth + 1 <= PQ_MAX_NESTING) {
            ASSERT_OK(rc, &err);
            ASSERT_EQ_INT(used, b.len);
        } else {
            ASSERT_EQ_INT(rc, TARN_ERR_CORRUPT);
            ASSERT_ERR_CONTAINS(&err, "nesting");
        }
        arena_free(&a);
        buf_free(&b);
    }
    /* deep lists too: a list of lists ... as an unknown field */
    Buf b;
    buf_init(&b);
    ThriftWriter w;
    thrift_writer_init(&w, &b);
    thrift_write_field(&w, THRIFT_LIST, 20);
    for (int i = 0; i < 1000; i++)
        thrift_write_list(&w, THRIFT_LIST, 1);
    thrift_write_list(&w, THRIFT_I32, 0);
    thrift_write_stop(&w);
    Arena a;
    arena_init(&a, 0);
    TarnError err = {0};
    PqFileMetaData m;
    ASSERT_EQ_INT(pq_decode_file_metadata(b.data, b.len, &a, &m, &err), TARN_ERR_CORRUPT);
    ASSERT_ERR_CONTAINS(&err, "nesting");
    arena_free(&a);
    buf_free(&b);
}

/* xorshift: deterministic pseudo-random numbers for mutation tests */
static uint64_t rng_next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

TEST(meta_random_corruption)
{
    PqFileMetaData m;
    full_meta(&m);
    Buf b;
    buf_init(&b);
    ASSERT_EQ_INT(pq_encode_file_metadata(&m, &b), 0);
    uint8_t *copy = malloc(b.len);
    ASSERT(copy);
    uint64_t seed = 0x9E3779B97F4A7C15ull;
    Arena a;
    arena_init(&a, 0);
    int ok = 0, bad = 0;
    for (int iter = 0; iter < 20000; iter++) {
        memcpy(copy, b.data, b.len);
        int flips = 1 + (int)(rng_next(&seed) % 4);
        for (int f = 0; f < flips; f++) {
            size_t pos = rng_next(&seed) % b.len;
            uint64_t r = rng_next(&seed);
            copy[pos] = (r & 1) ? (uint8_t)(r >> 8) : (uint8_t)(copy[pos] ^ (1u << ((r >> 8) % 8)));
        }
        TarnError err = {0};
        PqFileMetaData d;
        int rc = pq_decode_file_metadata(copy, b.len, &a, &d, &err);
        if (rc == 0)
            ok++;
        else if (rc == TARN_ERR_CORRUPT)
            bad++;
        else
            TFAIL("iteration %d: rc %d (%s)", iter, rc, err.message);
        arena_reset(&a);
    }
    ASSERT(ok > 0 && bad > 0);
    /* page headers too */
    PqPageHeader h;
    pq_page_header_init(&h);
    h.type = PQ_PAGE_DATA_V2;
    h.uncompressed_page_size = 1000;
    h.compressed_page_size = 900;
    h.data_page_v2.num_values = 10;
    h.data_page_v2.num_rows = 10;
    h.data_page_v2.has_statistics = true;
    full_stats(&h.data_page_v2.statistics);
    buf_clear(&b);
    ASSERT_EQ_INT(pq_encode_page_header(&h, &b), 0);
    for (int iter = 0; iter < 20000; iter++) {
        memcpy(copy, b.data, b.len);
        size_t pos = rng_next(&seed) % b.len;
        copy[pos] = (uint8_t)rng_next(&seed);
        TarnError err = {0};
        PqPageHeader d;
        size_t used;
        int rc = pq_decode_page_header(copy, b.len, &a, &d, &used, &err);
        if (rc == 0)
            ASSERT(used <= b.len);
        else
            ASSERT_EQ_INT(rc, TARN_ERR_CORRUPT);
        arena_reset(&a);
    }
    arena_free(&a);
    free(copy);
    buf_free(&b);
}

TEST(meta_decode_nomem)
{
    PqFileMetaData m;
    full_meta(&m);
    Buf b;
    buf_init(&b);
    ASSERT_EQ_INT(pq_encode_file_metadata(&m, &b), 0);
    int succeeded = 0;
    for (long n = 1; n < 10000 && !succeeded; n++) {
        Arena a;
        arena_init(&a, 256); /* small chunks: many allocation points */
        TarnError err = {0};
        PqFileMetaData d;
        mem_fail_after(n);
        int rc = pq_decode_file_metadata(b.data, b.len, &a, &d, &err);
        mem_fail_after(0);
        if (rc == 0) {
            assert_file_meta_eq(&m, &d);
            succeeded = 1;
        } else {
            ASSERT_EQ_INT(rc, TARN_ERR_NOMEM);
            ASSERT_ERR_CONTAINS(&err, "out of memory");
        }
        arena_free(&a);
    }
    ASSERT(succeeded);
    /* encoding into a Buf that cannot grow: NOMEM, and out->len restored */
    Buf o;
    buf_init(&o);
    buf_append(&o, "xy", 2);
    size_t cap = o.cap;
    (void)cap;
    int got_nomem = 0;
    for (long n = 1; n < 50; n++) {
        o.len = 2;
        mem_fail_after(n);
        int rc = pq_encode_file_metadata(&m, &o);
        mem_fail_after(0);
        if (rc) {
            ASSERT_EQ_INT(rc, TARN_ERR_NOMEM);
            ASSERT_EQ_INT(o.len, 2);
            got_nomem = 1;
        } else {
            break;
        }
    }
    ASSERT(got_nomem);
    buf_free(&o);
    buf_free(&b);
}

/* ---- Real files ---------------------------------------------------------------- */

/* Reads `name` from the parquet-testing folder `sub` ("data" or
 * "bad_data"); skips the test when the shared data is absent. */
static void read_test_file(const char *sub, const char *name, Buf *out)
{
    const char *dir = test_shared_dir();
    if (!dir)
        SKIP("shared test data not found");
    char path[1024];
    snprintf(path, sizeof path, "%s/parquet/parquet-testing/%s/%s", dir, sub, name);
    TarnError err = {0};
    buf_init(out);
    ASSERT_OK(file_read_all(path, out, &err), &err);
}

/* Decodes the footer of a whole file in memory. */
static int decode_footer(const Buf *f, Arena *a, PqFileMetaData *m, TarnError *err)
{
    if (f->len < 12 || memcmp(f->data + f->len - 4, "PAR1", 4) != 0)
        return err_set(err, TARN_ERR_CORRUPT, "not a parquet file");
    uint32_t flen = load_le32(f->data + f->len - 8);
    if (flen > f->len - 12)
        return err_set(err, TARN_ERR_CORRUPT, "footer length %u too large", flen);
    return pq_decode_file_metadata(f->data + f->len - 8 - flen, flen, a, m, err);
}

/* Walks every page of every column chunk, checking the data pages' value
 * counts add up to the chunk's num_values.  Returns 0 or the first error. */
static int walk_pages(const Buf *f, const PqFileMetaData *m, Arena *a, int *n_pages_out,
                      TarnError *err)
{
    int n_pages = 0;
    for (int32_t g = 0; g < m->n_row_groups; g++) {
        for (int32_t c = 0; c < m->row_groups[g].n_columns; c++) {
            const PqColumnChunk *cc = &m->row_groups[g].columns[c];
            if (!cc->has_meta_data || cc->file_path)
                continue;
            const PqColumnMetaData *md = &cc->meta_data;
            int64_t pos = md->data_page_offset;
            /* dict-page-offset-zero.parquet has dictionary_page_offset 0;
             * column_chunk_key_value_metadata.parquet has data_page_offset
             * 0 (a chunk holding only a dictionary page).  Offsets below 4
             * point into the magic and are ignored. */
            if (md->dictionary_page_offset >= 4 &&
                (md->dictionary_page_offset < pos || pos < 4))
                pos = md->dictionary_page_offset;
            int64_t end = pos + md->total_compressed_size;
            if (end > (int64_t)f->len)
                return err_set(err, TARN_ERR_CORRUPT, "chunk beyond the file");
            int64_t values = 0;
            while (pos < end) {
                PqPageHeader h;
                size_t used;
                int rc = pq_decode_page_header(f->data + pos, (size_t)(end - pos), a, &h, &used,
                                               err);
                if (rc)
                    return rc;
                n_pages++;
                if (h.type == PQ_PAGE_DATA)
                    values += h.data_page.num_values;
                else if (h.type == PQ_PAGE_DATA_V2)
                    values += h.data_page_v2.num_values;
                pos += (int64_t)used + h.compressed_page_size;
            }
            if (pos != end)
                return err_set(err, TARN_ERR_CORRUPT, "pages overrun the chunk");
            if (values != md->num_values)
                return err_set(err, TARN_ERR_CORRUPT, "values %lld != num_values %lld",
                               (long long)values, (long long)md->num_values);
        }
    }
    *n_pages_out = n_pages;
    return 0;
}

TEST(meta_real_footers_all_files)
{
    const char *dir = test_shared_dir();
    if (!dir)
        SKIP("shared test data not found");
    char path[1024];
    snprintf(path, sizeof path, "%s/parquet/parquet-testing/data", dir);
    DIR *d = opendir(path);
    if (!d)
        SKIP("parquet-testing data not found");
    int n_files = 0, total_pages = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t nl = strlen(de->d_name);
        if (nl < 8 || strcmp(de->d_name + nl - 8, ".parquet") != 0)
            continue;
        Buf f;
        read_test_file("data", de->d_name, &f);
        Arena a;
        arena_init(&a, 0);
        TarnError err = {0};
        PqFileMetaData m;
        int rc = decode_footer(&f, &a, &m, &err);
        if (rc)
            TFAIL("%s: %s", de->d_name, err.message);
        ASSERT(m.n_schema >= 1);
        int64_t rows = 0;
        for (int32_t g = 0; g < m.n_row_groups; g++)
            rows += m.row_groups[g].num_rows;
        /* repeated_no_annotation.parquet's writer left FileMetaData.num_rows
         * at 0 while its row group holds 6 rows (hyparquet reports 0 too). */
        if (rows != m.num_rows && strcmp(de->d_name, "repeated_no_annotation.parquet") != 0)
            TFAIL("%s: row groups hold %lld rows, footer says %lld", de->d_name,
                  (long long)rows, (long long)m.num_rows);
        int n_pages = 0;
        rc = walk_pages(&f, &m, &a, &n_pages, &err);
        if (rc)
            TFAIL("%s: page walk: %s", de->d_name, err.message);
        total_pages += n_pages;
        /* re-encoding what we decoded and decoding again gives the same */
        Buf e;
        buf_init(&e);
        ASSERT_EQ_INT(pq_encode_file_metadata(&m, &e), 0);
        PqFileMetaData m2;
        ASSERT_OK(pq_decode_file_metadata(e.data, e.len, &a, &m2, &err), &err);
        m2.encrypted = m.encrypted;
        for (int32_t g = 0; g < m.n_row_groups; g++)
            for (int32_t c = 0; c < m.row_groups[g].n_columns; c++)
                m2.row_groups[g].columns[c].encrypted = m.row_groups[g].columns[c].encrypted;
        /* unknown logical types are not re-encoded */
        for (int32_t i = 0; i < m.n_schema; i++)
            if (m.schema[i].logical.kind == PQ_LT_UNKNOWN)
                m2.schema[i].logical.kind = PQ_LT_UNKNOWN;
        assert_file_meta_eq(&m, &m2);
        buf_free(&e);
        arena_free(&a);
        buf_free(&f);
        n_files++;
    }
    closedir(d);
    ASSERT(n_files >= 50);
    ASSERT(total_pages > n_files);
}

TEST(meta_real_footers_bad_data)
{
    const char *dir = test_shared_dir();
    if (!dir)
        SKIP("shared test data not found");
    char path[1024];
    snprintf(path, sizeof path, "%s/parquet/parquet-testing/bad_data", dir);
    DIR *d = opendir(path);
    if (!d)
        SKIP("parquet-testing bad_data not found");
    int n_files = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t nl = strlen(de->d_name);
        if (nl < 8 || strcmp(de->d_name + nl - 8, ".parquet") != 0)
            continue;
        Buf f;
        read_test_file("bad_data", de->d_name, &f);
        Arena a;
        arena_init(&a, 0);
        TarnError err = {0};
        PqFileMetaData m;
        int rc = decode_footer(&f, &a, &m, &err);
        if (rc == 0) {
            int n_pages;
            rc = walk_pages(&f, &m, &a, &n_pages, &err);
        }
        ASSERT(rc == 0 || rc == TARN_ERR_CORRUPT);
        if (rc)
            ASSERT(err.message[0] != '\0');
        arena_free(&a);
        buf_free(&f);
        n_files++;
    }
    closedir(d);
    ASSERT(n_files > 0);
}

TEST(meta_real_footer_truncations)
{
    /* every prefix and suffix-trimmed slice of a real footer fails cleanly */
    Buf f;
    read_test_file("data", "datapage_v2.snappy.parquet", &f);
    uint32_t flen = load_le32(f.data + f.len - 8);
    const uint8_t *footer = f.data + f.len - 8 - flen;
    Arena a;
    arena_init(&a, 0);
    for (uint32_t k = 0; k < flen; k++) {
        TarnError err = {0};
        PqFileMetaData m;
        ASSERT_EQ_INT(pq_decode_file_metadata(footer, k, &a, &m, &err), TARN_ERR_CORRUPT);
        arena_reset(&a);
    }
    arena_free(&a);
    buf_free(&f);
}

/* Expected values below were read from hyparquet's metadata dumps in
 * shared/testdata/parquet/hyparquet-expected/<name>.metadata.json. */
typedef struct ExpectedElement {
    const char *name;
    int type;
    int repetition;
    int num_children;
    int converted_type;
    int logical_kind;
} ExpectedElement;

static void check_schema(const PqFileMetaData *m, const ExpectedElement *want, int n)
{
    ASSERT_EQ_INT(m->n_schema, n);
    for (int i = 0; i < n; i++) {
        const PqSchemaElement *e = &m->schema[i];
        ASSERT_EQ_STR(e->name, want[i].name);
        ASSERT_EQ_INT(e->type, want[i].type);
        ASSERT_EQ_INT(e->repetition, want[i].repetition);
        ASSERT_EQ_INT(e->num_children, want[i].num_children);
        ASSERT_EQ_INT(e->converted_type, want[i].converted_type);
        ASSERT_EQ_INT(e->logical.kind, want[i].logical_kind);
    }
}

TEST(meta_real_datapage_v2_snappy)
{
    Buf f;
    read_test_file("data", "datapage_v2.snappy.parquet", &f);
    Arena a;
    arena_init(&a, 0);
    TarnError err = {0};
    PqFileMetaData m;
    ASSERT_OK(decode_footer(&f, &a, &m, &err), &err);
    ASSERT_EQ_INT(load_le32(f.data + f.len - 8), 836); /* metadata_length */
    ASSERT_EQ_INT(m.version, 1);
    ASSERT_EQ_INT(m.num_rows, 5);
    ASSERT_EQ_STR(m.created_by,
                  "parquet-mr version 1.8.1 (build 4aba4dae7bb0d4edbcf7923ae1339f28fd3f7fcf)");
    ASSERT_EQ_INT(m.n_kv, 1);
    ASSERT_EQ_STR(m.key_value_metadata[0].key, "org.apache.spark.sql.parquet.row.metadata");
    ASSERT(strstr(m.key_value_metadata[0].value, "\"elementType\":\"integer\""));
    static const ExpectedElement schema[] = {
        {"spark_schema", -1, -1, 5, -1, 0},
        {"a", PQ_BYTE_ARRAY, PQ_OPTIONAL, 0, PQ_CT_UTF8, 0},
        {"b", PQ_INT32, PQ_REQUIRED, 0, -1, 0},
        {"c", PQ_DOUBLE, PQ_REQUIRED, 0, -1, 0},
        {"d", PQ_BOOLEAN, PQ_REQUIRED, 0, -1, 0},
        {"e", -1, PQ_OPTIONAL, 1, PQ_CT_LIST, 0},
        {"list", -1, PQ_REPEATED, 1, -1, 0},
        {"element", PQ_INT32, PQ_REQUIRED, 0, -1, 0},
    };
    check_schema(&m, schema, 8);
    ASSERT_EQ_INT(m.n_row_groups, 1);
    const PqRowGroup *g = &m.row_groups[0];
    ASSERT_EQ_INT(g->num_rows, 5);
    ASSERT_EQ_INT(g->total_byte_size, 311);
    ASSERT_EQ_INT(g->n_columns, 5);
    static const struct {
        int64_t file_offset, num_values, total_compressed, total_uncompressed;
        int type;
    } cols[] = {
        {4, 5, 63, 59, PQ_BYTE_ARRAY}, {67, 5, 49, -1, PQ_INT32}, {116, 5, 88, -1, PQ_DOUBLE},
        {204, 5, 39, -1, PQ_BOOLEAN},  {243, 10, 78, 74, PQ_INT32},
    };
    for (int i = 0; i < 5; i++) {
        const PqColumnChunk *c = &g->columns[i];
        ASSERT_EQ_INT(c->file_offset, cols[i].file_offset);
        ASSERT(c->has_meta_data);
        ASSERT_EQ_INT(c->meta_data.codec, PQ_CODEC_SNAPPY);
        ASSERT_EQ_INT(c->meta_data.type, cols[i].type);
        ASSERT_EQ_INT(c->meta_data.num_values, cols[i].num_values);
        ASSERT_EQ_INT(c->meta_data.total_compressed_size, cols[i].total_compressed);
        if (cols[i].total_uncompressed >= 0)
            ASSERT_EQ_INT(c->meta_data.total_uncompressed_size, cols[i].total_uncompressed);
        ASSERT_EQ_INT(c->meta_data.data_page_offset, cols[i].file_offset);
        ASSERT_EQ_INT(c->meta_data.dictionary_page_offset, -1);
        ASSERT(c->meta_data.has_statistics);
    }
    /* a: encodings PLAIN, RLE_DICTIONARY; stats max/min "abc", 1 null */
    const PqColumnMetaData *a0 = &g->columns[0].meta_data;
    ASSERT_EQ_INT(a0->n_encodings, 2);
    ASSERT_EQ_INT(a0->encodings[0], PQ_ENC_PLAIN);
    ASSERT_EQ_INT(a0->encodings[1], PQ_ENC_RLE_DICTIONARY);
    ASSERT_EQ_INT(a0->statistics.max.len, 3);
    ASSERT_EQ_MEM(a0->statistics.max.ptr, "abc", 3);
    ASSERT_EQ_MEM(a0->statistics.min.ptr, "abc", 3);
    ASSERT_EQ_INT(a0->statistics.null_count, 1);
    /* b: DELTA_BINARY_PACKED, max 5 min 1 as little-endian int32 */
    const PqColumnMetaData *b0 = &g->columns[1].meta_data;
    ASSERT_EQ_INT(b0->n_encodings, 1);
    ASSERT_EQ_INT(b0->encodings[0], PQ_ENC_DELTA_BINARY_PACKED);
    ASSERT_EQ_INT(b0->statistics.max.len, 4);
    ASSERT_EQ_INT(load_le32(b0->statistics.max.ptr), 5);
    ASSERT_EQ_INT(load_le32(b0->statistics.min.ptr), 1);
    /* e: path e.list.element */
    const PqColumnMetaData *e0 = &g->columns[4].meta_data;
    ASSERT_EQ_INT(e0->n_path, 3);
    ASSERT_EQ_STR(e0->path_in_schema[0], "e");
    ASSERT_EQ_STR(e0->path_in_schema[1], "list");
    ASSERT_EQ_STR(e0->path_in_schema[2], "element");
    ASSERT_EQ_INT(e0->statistics.null_count, 2);
    /* its pages are v2 */
    PqPageHeader h;
    size_t used;
    ASSERT_OK(pq_decode_page_header(f.data + 4, f.len - 4, &a, &h, &used, &err), &err);
    ASSERT_EQ_INT(h.type, PQ_PAGE_DICTIONARY);
    size_t pos = 4 + used + (size_t)h.compressed_page_size;
    ASSERT_OK(pq_decode_page_header(f.data + pos, f.len - pos, &a, &h, &used, &err), &err);
    ASSERT_EQ_INT(h.type, PQ_PAGE_DATA_V2);
    ASSERT_EQ_INT(h.data_page_v2.num_values, 5);
    ASSERT_EQ_INT(h.data_page_v2.num_nulls, 1);
    ASSERT_EQ_INT(h.data_page_v2.num_rows, 5);
    ASSERT_EQ_INT(h.data_page_v2.encoding, PQ_ENC_RLE_DICTIONARY);
    arena_free(&a);
    buf_free(&f);
}

TEST(meta_real_incorrect_map_schema_with_page_index)
{
    Buf f;
    read_test_file("data", "incorrect_map_schema.parquet", &f);
    Arena a;
    arena_init(&a, 0);
    TarnError err = {0};
    PqFileMetaData m;
    ASSERT_OK(decode_footer(&f, &a, &m, &err), &err);
    ASSERT_EQ_INT(m.num_rows, 1);
    ASSERT_EQ_STR(m.created_by,
                  "parquet-mr version 1.12.2 (build 77e30c8093386ec52c3cfa6c34b7ef3321322c94)");
    static const ExpectedElement schema[] = {
        {"hive_schema", -1, -1, 1, -1, 0},
        {"my_map", -1, PQ_OPTIONAL, 1, PQ_CT_MAP, PQ_LT_MAP},
        {"key_value", -1, PQ_REPEATED, 2, PQ_CT_MAP_KEY_VALUE, 0},
        {"key", PQ_BYTE_ARRAY, PQ_OPTIONAL, 0, PQ_CT_UTF8, PQ_LT_STRING},
        {"value", PQ_BYTE_ARRAY, PQ_OPTIONAL, 0, PQ_CT_UTF8, PQ_LT_STRING},
    };
    check_schema(&m, schema, 5);
    ASSERT_EQ_INT(m.n_row_groups, 1);
    const PqRowGroup *g = &m.row_groups[0];
    ASSERT_EQ_INT(g->total_byte_size, 111);
    ASSERT_EQ_INT(g->file_offset, 4);
    ASSERT_EQ_INT(g->total_compressed_size, 141);
    ASSERT_EQ_INT(g->ordinal, 0);
    ASSERT_EQ_INT(g->n_columns, 2);
    static const struct {
        int64_t file_offset, ci_off, oi_off;
        int32_t ci_len, oi_len;
        const char *minv, *maxv;
        int32_t page_size;
    } cols[] = {
        {4, 145, 198, 25, 11, "name", "parent", 69},
        {73, 170, 209, 28, 12, "another", "report", 72},
    };
    for (int i = 0; i < 2; i++) {
        const PqColumnChunk *c = &g->columns[i];
        ASSERT_EQ_INT(c->file_offset, cols[i].file_offset);
        ASSERT_EQ_INT(c->meta_data.codec, PQ_CODEC_GZIP);
        ASSERT_EQ_INT(c->meta_data.num_values, 2);
        ASSERT_EQ_INT(c->column_index_offset, cols[i].ci_off);
        ASSERT_EQ_INT(c->column_index_length, cols[i].ci_len);
        ASSERT_EQ_INT(c->offset_index_offset, cols[i].oi_off);
        ASSERT_EQ_INT(c->offset_index_length, cols[i].oi_len);
        const PqStatistics *s = &c->meta_data.statistics;
        ASSERT_EQ_INT(s->null_count, 0);
        ASSERT_EQ_INT(s->min_value.len, strlen(cols[i].minv));
        ASSERT_EQ_MEM(s->min_value.ptr, cols[i].minv, s->min_value.len);
        ASSERT_EQ_MEM(s->max_value.ptr, cols[i].maxv, strlen(cols[i].maxv));
        ASSERT(s->max.ptr == NULL);

        /* column index: one page, not null, ASCENDING, null count 0 */
        PqColumnIndex ci;
        ASSERT_OK(pq_decode_column_index(f.data + c->column_index_offset,
                                         (size_t)c->column_index_length, &a, &ci, &err),
                  &err);
        ASSERT_EQ_INT(ci.n_pages, 1);
        ASSERT(!ci.null_pages[0]);
        ASSERT_EQ_INT(ci.boundary_order, 1);
        ASSERT(ci.null_counts != NULL);
        ASSERT_EQ_INT(ci.null_counts[0], 0);
        ASSERT_EQ_INT(ci.min_values[0].len, strlen(cols[i].minv));
        ASSERT_EQ_MEM(ci.min_values[0].ptr, cols[i].minv, strlen(cols[i].minv));
        ASSERT_EQ_MEM(ci.max_values[0].ptr, cols[i].maxv, strlen(cols[i].maxv));
        /* offset index: one page at file_offset */
        PqOffsetIndex oi;
        ASSERT_OK(pq_decode_offset_index(f.data + c->offset_index_offset,
                                         (size_t)c->offset_index_length, &a, &oi, &err),
                  &err);
        ASSERT_EQ_INT(oi.n_pages, 1);
        ASSERT_EQ_INT(oi.page_locations[0].offset, cols[i].file_offset);
        ASSERT_EQ_INT(oi.page_locations[0].compressed_page_size, cols[i].page_size);
        ASSERT_EQ_INT(oi.page_locations[0].first_row_index, 0);
    }
    arena_free(&a);
    buf_free(&f);
}

TEST(meta_real_concatenated_gzip_members)
{
    Buf f;
    read_test_file("data", "concatenated_gzip_members.parquet", &f);
    Arena a;
    arena_init(&a, 0);
    TarnError err = {0};
    PqFileMetaData m;
    ASSERT_OK(decode_footer(&f, &a, &m, &err), &err);
    ASSERT_EQ_INT(m.version, 2);
    ASSERT_EQ_INT(m.num_rows, 513);
    ASSERT(m.created_by == NULL);
    static const ExpectedElement schema[] = {
        {"root", -1, -1, 1, -1, 0},
        {"long_col", PQ_INT64, PQ_OPTIONAL, 0, PQ_CT_UINT_64, PQ_LT_INTEGER},
    };
    check_schema(&m, schema, 2);
    ASSERT_EQ_INT(m.schema[1].logical.bit_width, 64);
    ASSERT(!m.schema[1].logical.is_signed);
    const PqRowGroup *g = &m.row_groups[0];
    ASSERT_EQ_INT(g->num_rows, 513);
    ASSERT_EQ_INT(g->ordinal, 0);
    ASSERT_EQ_INT(g->total_byte_size, 4155);
    ASSERT_EQ_INT(g->total_compressed_size, 1467);
    const PqColumnChunk *c = &g->columns[0];
    ASSERT_EQ_INT(c->file_offset, 1471);
    ASSERT_EQ_INT(c->meta_data.codec, PQ_CODEC_GZIP);
    ASSERT_EQ_INT(c->meta_data.data_page_offset, 4);
    ASSERT_EQ_INT(c->meta_data.total_compressed_size, 1467);
    ASSERT_EQ_INT(load_le64(c->meta_data.statistics.max_value.ptr), 513);
    ASSERT_EQ_INT(load_le64(c->meta_data.statistics.min_value.ptr), 1);
    arena_free(&a);
    buf_free(&f);
}

TEST(meta_real_fixed_length_decimal)
{
    Buf f;
    read_test_file("data", "fixed_length_decimal.parquet", &f);
    Arena a;
    arena_init(&a, 0);
    TarnError err = {0};
    PqFileMetaData m;
    ASSERT_OK(decode_footer(&f, &a, &m, &err), &err);
    ASSERT_EQ_INT(m.num_rows, 24);
    static const ExpectedElement schema[] = {
        {"spark_schema", -1, -1, 1, -1, 0},
        {"value", PQ_FIXED_LEN_BYTE_ARRAY, PQ_OPTIONAL, 0, PQ_CT_DECIMAL, 0},
    };
    check_schema(&m, schema, 2);
    ASSERT_EQ_INT(m.schema[1].type_length, 11);
    ASSERT_EQ_INT(m.schema[1].scale, 2);
    ASSERT_EQ_INT(m.schema[1].precision, 25);
    const PqColumnMetaData *md = &m.row_groups[0].columns[0].meta_data;
    ASSERT_EQ_INT(md->codec, PQ_CODEC_UNCOMPRESSED);
    ASSERT_EQ_INT(md->n_encodings, 3);
    ASSERT_EQ_INT(md->encodings[0], PQ_ENC_BIT_PACKED);
    ASSERT_EQ_INT(md->encodings[1], PQ_ENC_RLE);
    ASSERT_EQ_INT(md->encodings[2], PQ_ENC_PLAIN);
    ASSERT_EQ_INT(md->total_compressed_size, 319);
    arena_free(&a);
    buf_free(&f);
}

TEST(meta_real_byte_stream_split_extended)
{
    Buf f;
    read_test_file("data", "byte_stream_split_extended.gzip.parquet", &f);
    Arena a;
    arena_init(&a, 0);
    TarnError err = {0};
    PqFileMetaData m;
    ASSERT_OK(decode_footer(&f, &a, &m, &err), &err);
    ASSERT_EQ_INT(m.num_rows, 200);
    ASSERT_EQ_STR(m.created_by, "parquet-cpp-arrow version 16.0.0-SNAPSHOT");
    static const ExpectedElement schema[] = {
        {"schema", -1, PQ_REQUIRED, 14, -1, 0},
        {"float16_plain", PQ_FIXED_LEN_BYTE_ARRAY, PQ_OPTIONAL, 0, -1, PQ_LT_FLOAT16},
        {"float16_byte_stream_split", PQ_FIXED_LEN_BYTE_ARRAY, PQ_OPTIONAL, 0, -1, PQ_LT_FLOAT16},
        {"float_plain", PQ_FLOAT, PQ_OPTIONAL, 0, -1, 0},
        {"float_byte_stream_split", PQ_FLOAT, PQ_OPTIONAL, 0, -1, 0},
        {"double_plain", PQ_DOUBLE, PQ_OPTIONAL, 0, -1, 0},
        {"double_byte_stream_split", PQ_DOUBLE, PQ_OPTIONAL, 0, -1, 0},
        {"int32_plain", PQ_INT32, PQ_OPTIONAL, 0, -1, 0},
        {"int32_byte_stream_split", PQ_INT32, PQ_OPTIONAL, 0, -1, 0},
        {"int64_plain", PQ_INT64, PQ_OPTIONAL, 0, -1, 0},
        {"int64_byte_stream_split", PQ_INT64, PQ_OPTIONAL, 0, -1, 0},
        {"flba5_plain", PQ_FIXED_LEN_BYTE_ARRAY, PQ_OPTIONAL, 0, -1, 0},
        {"flba5_byte_stream_split", PQ_FIXED_LEN_BYTE_ARRAY, PQ_OPTIONAL, 0, -1, 0},
        {"decimal_plain", PQ_FIXED_LEN_BYTE_ARRAY, PQ_OPTIONAL, 0, PQ_CT_DECIMAL, PQ_LT_DECIMAL},
        {"decimal_byte_stream_split", PQ_FIXED_LEN_BYTE_ARRAY, PQ_OPTIONAL, 0, PQ_CT_DECIMAL,
         PQ_LT_DECIMAL},
    };
    check_schema(&m, schema, 15);
    ASSERT_EQ_INT(m.schema[1].type_length, 2);
    ASSERT_EQ_INT(m.schema[11].type_length, 5);
    ASSERT_EQ_INT(m.schema[13].logical.scale, 3);
    ASSERT_EQ_INT(m.schema[13].logical.precision, 7);
    ASSERT_EQ_INT(m.n_column_orders, 14);
    for (int i = 0; i < 14; i++)
        ASSERT_EQ_INT(m.column_orders[i], 1);
    const PqRowGroup *g = &m.row_groups[0];
    ASSERT_EQ_INT(g->n_columns, 14);
    static const int64_t offsets[14] = {411,  834,  1719, 2509, 4223,  5821,  6608,
                                        7242, 8567, 9719, 10388, 10984, 11801, 12525};
    for (int i = 0; i < 14; i++) {
        ASSERT_EQ_INT(g->columns[i].file_offset, offsets[i]);
        ASSERT_EQ_INT(g->columns[i].meta_data.codec, PQ_CODEC_GZIP);
        ASSERT_EQ_INT(g->columns[i].meta_data.num_values, 200);
        ASSERT_EQ_INT(g->columns[i].meta_data.encodings[1],
                      i % 2 ? PQ_ENC_BYTE_STREAM_SPLIT : PQ_ENC_PLAIN);
    }
    /* flba5_plain min_value is the 5 bytes "00064" */
    ASSERT_EQ_INT(g->columns[10].meta_data.statistics.min_value.len, 5);
    ASSERT_EQ_MEM(g->columns[10].meta_data.statistics.min_value.ptr, "00064", 5);
    arena_free(&a);
    buf_free(&f);
}

TEST(meta_real_bloom_filter_and_encoding_stats)
{
    Buf f;
    read_test_file("data", "data_index_bloom_encoding_stats.parquet", &f);
    Arena a;
    arena_init(&a, 0);
    TarnError err = {0};
    PqFileMetaData m;
    ASSERT_OK(decode_footer(&f, &a, &m, &err), &err);
    const PqColumnMetaData *md = &m.row_groups[0].columns[0].meta_data;
    ASSERT(md->n_encoding_stats > 0);
    ASSERT(md->bloom_filter_offset > 0);
    PqBloomFilterHeader h;
    size_t used;
    ASSERT_OK(pq_decode_bloom_header(f.data + md->bloom_filter_offset,
                                     f.len - (size_t)md->bloom_filter_offset, &h, &used, &err),
              &err);
    ASSERT_EQ_INT(h.algorithm, 1);
    ASSERT_EQ_INT(h.hash, 1);
    ASSERT_EQ_INT(h.compression, 1);
    ASSERT(h.num_bytes >= 32);
    ASSERT(md->bloom_filter_offset + (int64_t)used + h.num_bytes <= (int64_t)f.len);
    if (md->bloom_filter_length >= 0)
        ASSERT_EQ_INT(md->bloom_filter_length, (int64_t)used + h.num_bytes);
    arena_free(&a);
    buf_free(&f);
}

TEST(meta_real_unknown_logical_type_and_sorting)
{
    Buf f;
    read_test_file("data", "unknown-logical-type.parquet", &f);
    Arena a;
    arena_init(&a, 0);
    TarnError err = {0};
    PqFileMetaData m;
    ASSERT_OK(decode_footer(&f, &a, &m, &err), &err);
    int n_unknown = 0;
    for (int32_t i = 0; i < m.n_schema; i++)
        n_unknown += m.schema[i].logical.kind == PQ_LT_UNKNOWN;
    ASSERT(n_unknown >= 1);
    arena_free(&a);
    buf_free(&f);

    read_test_file("data", "sort_columns.parquet", &f);
    arena_init(&a, 0);
    ASSERT_OK(decode_footer(&f, &a, &m, &err), &err);
    ASSERT(m.n_row_groups >= 1);
    ASSERT(m.row_groups[0].n_sorting_columns >= 1);
    arena_free(&a);
    buf_free(&f);
}

TEST(meta_encryption_markers)
{
    /* FileMetaData with encryption_algorithm (8) and footer_signing_key_metadata
     * (9); one chunk with crypto_metadata (8), one with
     * encrypted_column_metadata (9), one plain. */
    Buf b;
    buf_init(&b);
    ThriftWriter w;
    thrift_writer_init(&w, &b);
    thrift_write_i32_field(&w, 1, 1);
    thrift_write_field(&w, THRIFT_LIST, 2);
    thrift_write_list(&w, THRIFT_STRUCT, 1);
    thrift_write_struct_begin(&w);
    thrift_write_string_field(&w, 4, "root");
    thrift_write_struct_end(&w);
    thrift_write_i64_field(&w, 3, 0);
    thrift_write_field(&w, THRIFT_LIST, 4);
    thrift_write_list(&w, THRIFT_STRUCT, 1);
    thrift_write_struct_begin(&w);          /* row group */
    thrift_write_field(&w, THRIFT_LIST, 1);
    thrift_write_list(&w, THRIFT_STRUCT, 3);
    thrift_write_struct_begin(&w);          /* chunk 0: crypto_metadata */
    thrift_write_i64_field(&w, 2, 4);
    thrift_write_struct_field(&w, 8);
    thrift_write_struct_field(&w, 1);       /* ENCRYPTION_WITH_FOOTER_KEY {} */
    thrift_write_struct_end(&w);
    thrift_write_struct_end(&w);
    thrift_write_struct_end(&w);
    thrift_write_struct_begin(&w);          /* chunk 1: encrypted_column_metadata */
    thrift_write_i64_field(&w, 2, 8);
    thrift_write_binary_field(&w, 9, "\x01\x02\x03", 3);
    thrift_write_struct_end(&w);
    thrift_write_struct_begin(&w);          /* chunk 2: plain */
    thrift_write_i64_field(&w, 2, 12);
    thrift_write_struct_end(&w);
    thrift_write_i64_field(&w, 2, 0);
    thrift_write_i64_field(&w, 3, 0);
    thrift_write_struct_end(&w);
    thrift_write_struct_field(&w, 8);       /* EncryptionAlgorithm union */
    thrift_write_struct_field(&w, 1);       /* AES_GCM_V1 */
    thrift_write_binary_field(&w, 1, "aad", 3);
    thrift_write_bool_field(&w, 3, true);
    thrift_write_struct_end(&w);
    thrift_write_struct_end(&w);
    thrift_write_binary_field(&w, 9, "key-metadata", 12);
    thrift_write_stop(&w);
    ASSERT_EQ_INT(w.rc, 0);

    Arena a;
    arena_init(&a, 0);
    TarnError err = {0};
    PqFileMetaData m;
    ASSERT_OK(pq_decode_file_metadata(b.data, b.len, &a, &m, &err), &err);
    ASSERT(m.encrypted);
    ASSERT_EQ_INT(m.n_row_groups, 1);
    ASSERT_EQ_INT(m.row_groups[0].n_columns, 3);
    ASSERT(m.row_groups[0].columns[0].encrypted);
    ASSERT(m.row_groups[0].columns[1].encrypted);
    ASSERT(!m.row_groups[0].columns[2].encrypted);
    ASSERT(!m.row_groups[0].columns[0].has_meta_data);
    ASSERT_EQ_INT(m.row_groups[0].columns[1].file_offset, 8);
    arena_free(&a);
    buf_free(&b);
}
