/* test_writer.c - the Parquet writer: every type, nesting, codec and
 * encoding round-trips through pq_reader; the file structure is checked
 * independently of the reader (footer, chunk offsets and sizes, page
 * headers, CRCs, decompression, page index, bloom filters); statistics are
 * checked byte for byte; hostile use (NULL in a required column, failing
 * sinks, allocation failures) ends in clean errors.  When node and DuckDB
 * are available (tools/node), DuckDB reads the files too. */
#include "../test.h"

#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/parquet/bloom.h"
#include "format/parquet/compress.h"
#include "format/parquet/encoding.h"
#include "format/parquet/meta.h"
#include "format/parquet/reader.h"
#include "format/parquet/writer.h"
#include "vector/format.h"

/* ---- Helpers ------------------------------------------------------------------ */

static const char *tmp_file(const char *name)
{
    static char bufs[4][1024];
    static int k;
    char *p = bufs[k++ & 3];
    snprintf(p, 1024, "%s/%s", test_tmp_dir(), name);
    return p;
}

static void write_file(const char *path, const Schema *s, const Batch *b, const PqWriteOptions *o)
{
    TarnError err = {0};
    PqWriter *w = pq_writer_open(path, s, o, &err);
    ASSERT_NOT_NULL(w, &err);
    if (b)
        ASSERT_OK(pq_writer_write(w, b, &err), &err);
    ASSERT_OK(pq_writer_close(w, &err), &err);
}

/* A file's bytes and decoded footer. */
typedef struct PFile {
    Buf bytes;
    Arena a;
    PqFileMetaData md;
} PFile;

static void pfile_open(PFile *f, const char *path)
{
    TarnError err = {0};
    buf_init(&f->bytes);
    arena_init(&f->a, 0);
    ASSERT_OK(file_read_all(path, &f->bytes, &err), &err);
    const uint8_t *p = f->bytes.data;
    size_t n = f->bytes.len;
    ASSERT(n >= 12);
    ASSERT_EQ_MEM(p, "PAR1", 4);
    ASSERT_EQ_MEM(p + n - 4, "PAR1", 4);
    uint32_t flen = load_le32(p + n - 8);
    ASSERT(flen <= n - 12);
    ASSERT_OK(pq_decode_file_metadata(p + n - 8 - flen, flen, &f->a, &f->md, &err), &err);
}

static void pfile_close(PFile *f)
{
    buf_free(&f->bytes);
    arena_free(&f->a);
}

typedef struct PageInfo {
    int64_t offset;
    int32_t size;
    PqPageHeader h;
} PageInfo;

/* Decodes the pages of chunk (g, c); returns how many (dictionary included). */
static int chunk_pages(PFile *f, int g, int c, PageInfo *out, int cap)
{
    TarnError err = {0};
    const PqColumnChunk *cc = &f->md.row_groups[g].columns[c];
    const PqColumnMetaData *m = &cc->meta_data;
    int64_t start = m->dictionary_page_offset >= 0 ? m->dictionary_page_offset
                                                   : m->data_page_offset;
    int64_t end = start + m->total_compressed_size;
    ASSERT(end <= (int64_t)f->bytes.len);
    int n = 0;
    for (int64_t pos = start; pos < end;) {
        ASSERT(n < cap);
        size_t used = 0;
        ASSERT_OK(pq_decode_page_header(f->bytes.data + pos, (size_t)(end - pos), &f->a, &out[n].h,
                                        &used, &err),
                  &err);
        out[n].offset = pos;
        out[n].size = (int32_t)used + out[n].h.compressed_page_size;
        pos += out[n].size;
        ASSERT(pos <= end);
        n++;
    }
    return n;
}

/* Structural checks of a whole file, independent of the reader: chunk
 * offsets and sizes, page headers at the recorded offsets, CRCs, that
 * every page decompresses to its declared size, value counts, and that the
 * offset / column index describe the pages.  Returns the data pages seen. */
static int validate_file(const char *path)
{
    PFile f;
    TarnError err = {0};
    pfile_open(&f, path);
    int64_t rows = 0, data_pages = 0;
    PageInfo *pages = tarn_malloc(4096 * sizeof(PageInfo));
    Buf dec;
    buf_init(&dec);
    int64_t prev_end = 4;
    for (int g = 0; g < f.md.n_row_groups; g++) {
        const PqRowGroup *rg = &f.md.row_groups[g];
        rows += rg->num_rows;
        int64_t comp = 0, unc = 0;
        ASSERT_EQ_INT(rg->ordinal, g);
        for (int c = 0; c < rg->n_columns; c++) {
            const PqColumnChunk *cc = &rg->columns[c];
            const PqColumnMetaData *m = &cc->meta_data;
            ASSERT(cc->has_meta_data);
            int64_t start = m->dictionary_page_offset >= 0 ? m->dictionary_page_offset
                                                           : m->data_page_offset;
            ASSERT_EQ_INT(cc->file_offset, start);
            ASSERT_EQ_INT(start, prev_end); /* chunks are contiguous */
            if (c == 0)
                ASSERT_EQ_INT(rg->file_offset, start);
            prev_end = start + m->total_compressed_size;
            int n = chunk_pages(&f, g, c, pages, 4096);
            int64_t values = 0, page_unc = 0;
            int first_data = 0;
            for (int i = 0; i < n; i++) {
                const PqPageHeader *h = &pages[i].h;
                const uint8_t *body = f.bytes.data + pages[i].offset + pages[i].size -
                                      h->compressed_page_size;
                page_unc += pages[i].size - h->compressed_page_size + h->uncompressed_page_size;
                if (h->has_crc)
                    ASSERT_EQ_U64(h->crc, pq_crc32(body, (size_t)h->compressed_page_size));
                size_t skip = 0; /* v2: levels stay uncompressed */
                bool compressed = true;
                if (h->type == PQ_PAGE_DICTIONARY) {
                    ASSERT_EQ_INT(i, 0);
                    ASSERT_EQ_INT(pages[i].offset, m->dictionary_page_offset);
                    first_data = 1;
                } else {
                    if (i == first_data)
                        ASSERT_EQ_INT(pages[i].offset, m->data_page_offset);
                    if (h->type == PQ_PAGE_DATA_V2) {
                        values += h->data_page_v2.num_values;
                        skip = (size_t)h->data_page_v2.definition_levels_byte_length +
                               (size_t)h->data_page_v2.repetition_levels_byte_length;
                        compressed = h->data_page_v2.is_compressed;
                    } else {
                        ASSERT_EQ_INT(h->type, PQ_PAGE_DATA);
                        values += h->data_page.num_values;
                    }
                    data_pages++;
                }
                size_t dlen = (size_t)h->uncompressed_page_size - skip;
                buf_clear(&dec);
                ASSERT_OK(buf_reserve(&dec, dlen + 1), &err);
                if (compressed)
                    ASSERT_OK(pq_decompress((PqCodec)m->codec, body + skip,
                                            (size_t)h->compressed_page_size - skip, dec.data, dlen,
                                            &err),
                              &err);
                else
                    ASSERT_EQ_INT(h->compressed_page_size, h->uncompressed_page_size);
            }
            ASSERT_EQ_INT(values, m->num_values);
            ASSERT_EQ_INT(page_unc, m->total_uncompressed_size);
            comp += m->total_compressed_size;
            unc += m->total_uncompressed_size;
            int n_data = n - first_data;
            if (cc->offset_index_offset >= 0) {
                PqOffsetIndex oi;
                ASSERT(cc->offset_index_offset + cc->offset_index_length <= (int64_t)f.bytes.len);
                ASSERT_OK(pq_decode_offset_index(f.bytes.data + cc->offset_index_offset,
                                                 (size_t)cc->offset_index_length, &f.a, &oi, &err),
                          &err);
                ASSERT_EQ_INT(oi.n_pages, n_data);
                for (int i = 0; i < n_data; i++) {
                    ASSERT_EQ_INT(oi.page_locations[i].offset, pages[first_data + i].offset);
                    ASSERT_EQ_INT(oi.page_locations[i].compressed_page_size,
                                  pages[first_data + i].size);
                    if (i == 0)
                        ASSERT_EQ_INT(oi.page_locations[i].first_row_index, 0);
                    else
                        ASSERT(oi.page_locations[i].first_row_index >
                               oi.page_locations[i - 1].first_row_index);
                    ASSERT(oi.page_locations[i].first_row_index < rg->num_rows);
                }
            }
            if (cc->column_index_offset >= 0) {
                PqColumnIndex ci;
                ASSERT_OK(pq_decode_column_index(f.bytes.data + cc->column_index_offset,
                                                 (size_t)cc->column_index_length, &f.a, &ci, &err),
                          &err);
                ASSERT_EQ_INT(ci.n_pages, n_data);
            }
        }
        ASSERT_EQ_INT(rg->total_compressed_size, comp);
        ASSERT_EQ_INT(rg->total_byte_size, unc);
    }
    ASSERT_EQ_INT(rows, f.md.num_rows);
    buf_free(&dec);
    tarn_free(pages);
    pfile_close(&f);
    return (int)data_pages;
}

/* Reads the file with pq_reader and compares every value with src, in
 * the JSON text form of vector/format.h, plus the column types. */
static void expect_roundtrip(const char *path, const Batch *src)
{
    const char *base = strrchr(path, '/');
    TarnError err = {0};
    PqReader *r = pq_reader_open(path, NULL, &err);
    ASSERT_NOT_NULL(r, &err);
    const Schema *rs = pq_reader_schema(r);
    ASSERT_EQ_INT(rs->n_fields, src->schema->n_fields);
    for (uint32_t c = 0; c < rs->n_fields; c++) {
        char t1[256], t2[256];
        ASSERT_EQ_STR(rs->fields[c].name, src->schema->fields[c].name);
        ASSERT_EQ_STR(type_name(&rs->fields[c].type, t1, sizeof t1),
                      type_name(&src->schema->fields[c].type, t2, sizeof t2));
    }
    ASSERT_EQ_INT(pq_reader_num_rows(r), src->n_rows);
    Batch b;
    ASSERT_EQ_INT(batch_init(&b, rs), 0);
    Buf x, y;
    buf_init(&x);
    buf_init(&y);
    uint32_t row = 0;
    for (;;) {
        ASSERT_OK(pq_reader_next(r, &b, &err), &err);
        if (!b.n_rows)
            break;
        ASSERT(row + b.n_rows <= src->n_rows);
        for (uint32_t c = 0; c < b.n_cols; c++) {
            for (uint32_t i = 0; i < b.n_rows; i++) {
                buf_clear(&x);
                buf_clear(&y);
                ASSERT_EQ_INT(value_format_json(&src->cols[c], row + i, &x), 0);
                ASSERT_EQ_INT(value_format_json(&b.cols[c], i, &y), 0);
                buf_terminate(&x);
                buf_terminate(&y);
                if (x.len != y.len || memcmp(x.data, y.data, x.len) != 0)
                    TFAIL("%s: column \"%s\" row %u: wrote %s, read %s", base ? base + 1 : path,
                          rs->fields[c].name, row + i, (char *)x.data, (char *)y.data);
            }
        }
        row += b.n_rows;
    }
    ASSERT_EQ_INT(row, src->n_rows);
    buf_free(&x);
    buf_free(&y);
    batch_destroy(&b);
    pq_reader_close(r);
}

/* ---- Test data ------------------------------------------------------------------ */

enum {
    C_BOOL, C_I8, C_I16, C_I32, C_I64, C_U8, C_U16, C_U32, C_U64, C_F32, C_F64, C_DEC4,
    C_DEC15, C_DEC38, C_DATE, C_TIME, C_TS, C_TSTZ, C_IVL, C_STR, C_BLOB, C_JSON, C_UUID,
    C_N
};

static void all_types_schema(Schema *s)
{
    schema_init(s);
    ASSERT_EQ_INT(schema_add(s, "b", type_simple(TYPE_BOOL), true), 0);
    ASSERT_EQ_INT(schema_add(s, "i8", type_simple(TYPE_INT8), true), 0);
    ASSERT_EQ_INT(schema_add(s, "i16", type_simple(TYPE_INT16), true), 0);
    ASSERT_EQ_INT(schema_add(s, "i32", type_simple(TYPE_INT32), true), 0);
    ASSERT_EQ_INT(schema_add(s, "i64", type_simple(TYPE_INT64), false), 0);
    ASSERT_EQ_INT(schema_add(s, "u8", type_simple(TYPE_UINT8), true), 0);
    ASSERT_EQ_INT(schema_add(s, "u16", type_simple(TYPE_UINT16), true), 0);
    ASSERT_EQ_INT(schema_add(s, "u32", type_simple(TYPE_UINT32), true), 0);
    ASSERT_EQ_INT(schema_add(s, "u64", type_simple(TYPE_UINT64), true), 0);
    ASSERT_EQ_INT(schema_add(s, "f32", type_simple(TYPE_FLOAT), true), 0);
    ASSERT_EQ_INT(schema_add(s, "f64", type_simple(TYPE_DOUBLE), true), 0);
    ASSERT_EQ_INT(schema_add(s, "dec4", type_decimal(4, 2), true), 0);
    ASSERT_EQ_INT(schema_add(s, "dec15", type_decimal(15, 2), false), 0);
    ASSERT_EQ_INT(schema_add(s, "dec38", type_decimal(38, 10), true), 0);
    ASSERT_EQ_INT(schema_add(s, "d", type_simple(TYPE_DATE), true), 0);
    ASSERT_EQ_INT(schema_add(s, "t", type_simple(TYPE_TIME), true), 0);
    ASSERT_EQ_INT(schema_add(s, "ts", type_simple(TYPE_TIMESTAMP), true), 0);
    ASSERT_EQ_INT(schema_add(s, "tstz", type_simple(TYPE_TIMESTAMPTZ), true), 0);
    ASSERT_EQ_INT(schema_add(s, "ivl", type_simple(TYPE_INTERVAL), true), 0);
    ASSERT_EQ_INT(schema_add(s, "s", type_simple(TYPE_STRING), true), 0);
    ASSERT_EQ_INT(schema_add(s, "blob", type_simple(TYPE_BLOB), true), 0);
    ASSERT_EQ_INT(schema_add(s, "j", type_simple(TYPE_JSON), true), 0);
    ASSERT_EQ_INT(schema_add(s, "u", type_simple(TYPE_UUID), true), 0);
}

/* Appends row i of the all-types table; nullable columns are NULL when
 * i % 7 == 3; `card` bounds the distinct values (dictionary tests). */
static void all_types_row(Batch *b, uint32_t i, uint32_t card)
{
    uint32_t k = card ? i % card : i;
    bool null = i % 7 == 3;
    Vector *v = b->cols;
    char buf[96];
#define APPEND(col, expr)                                   \
    do {                                                    \
        if (null && col != C_I64 && col != C_DEC15)         \
            ASSERT_EQ_INT(vec_append_null(&v[col]), 0);     \
        else                                                \
            ASSERT_EQ_INT((expr), 0);                       \
    } while (0)
    APPEND(C_BOOL, vec_append_bool(&v[C_BOOL], k % 3 == 0));
    APPEND(C_I8, vec_append_i64(&v[C_I8], (int8_t)(k * 37)));
    APPEND(C_I16, vec_append_i64(&v[C_I16], (int16_t)(k * 2711)));
    APPEND(C_I32, vec_append_i64(&v[C_I32], (int32_t)(k * 2654435761u)));
    APPEND(C_I64, vec_append_i64(&v[C_I64], (int64_t)k * -1000000007LL + 12345));
    APPEND(C_U8, vec_append_u64(&v[C_U8], (uint8_t)(k * 7)));
    APPEND(C_U16, vec_append_u64(&v[C_U16], (uint16_t)(k * 40503u)));
    APPEND(C_U32, vec_append_u64(&v[C_U32], (uint32_t)(k * 2654435761u)));
    APPEND(C_U64, vec_append_u64(&v[C_U64], (uint64_t)k * 0x9E3779B97F4A7C15ULL));
    APPEND(C_F32, vec_append_double(&v[C_F32], k % 11 == 5 ? -0.0 : (float)k * 0.25f - 10.0f));
    APPEND(C_F64, vec_append_double(&v[C_F64], k % 13 == 6 ? NAN : (double)k * -1.5 + 3.0));
    APPEND(C_DEC4, vec_append_i64(&v[C_DEC4], (int64_t)(k % 19999) - 9999));
    APPEND(C_DEC15, vec_append_i64(&v[C_DEC15], (int64_t)k * 7919 - 500000));
    APPEND(C_DEC38, vec_append_i128(&v[C_DEC38], ((int128_t)k * 1000000007LL * 1000000000000LL *
                                                  1000000000LL) * (k % 2 ? -1 : 1) - 5));
    APPEND(C_DATE, vec_append_i64(&v[C_DATE], (int64_t)k * 3 - 1000));
    APPEND(C_TIME, vec_append_i64(&v[C_TIME], ((int64_t)k * 1234567) % 86400000000LL));
    APPEND(C_TS, vec_append_i64(&v[C_TS], (int64_t)k * 86400123456LL - 100000000000LL));
    APPEND(C_TSTZ, vec_append_i64(&v[C_TSTZ], (int64_t)k * 3600000000LL + 1700000000000000LL));
    Interval iv = {(int32_t)(k % 25), (int32_t)(k % 40), (int64_t)(k % 1000) * 1000};
    APPEND(C_IVL, vec_append_interval(&v[C_IVL], iv));
    int n = snprintf(buf, sizeof buf, "%.*s%u", (int)(k % 9), "abcdefghij", k);
    APPEND(C_STR, vec_append_str(&v[C_STR], k % 17 == 4 ? "" : buf, k % 17 == 4 ? 0 : (size_t)n));
    for (int j = 0; j < 8; j++)
        buf[j] = (char)(k * 31 + (uint32_t)j * 101);
    APPEND(C_BLOB, vec_append_str(&v[C_BLOB], buf, k % 9));
    n = snprintf(buf, sizeof buf, "{\"k\":%u}", k);
    APPEND(C_JSON, vec_append_str(&v[C_JSON], buf, (size_t)n));
    for (int j = 0; j < 16; j++)
        buf[j] = (char)(k * 13 + (uint32_t)j * 17);
    APPEND(C_UUID, vec_append_str(&v[C_UUID], buf, 16));
#undef APPEND
}

static void all_types_batch(Schema *s, Batch *b, uint32_t n, uint32_t card)
{
    all_types_schema(s);
    ASSERT_EQ_INT(batch_init(b, s), 0);
    for (uint32_t i = 0; i < n; i++)
        all_types_row(b, i, card);
    b->n_rows = n;
}

static void free_batch(Schema *s, Batch *b)
{
    batch_destroy(b);
    schema_destroy(s);
}

/* A nested schema: list<int>, list<string not null>, struct, map, list of
 * struct with a list inside, map of string to list. */
static void nested_schema(Schema *s)
{
    schema_init(s);
    LogicalType t;
    ASSERT_EQ_INT(type_list(&t, type_simple(TYPE_INT32), true), 0);
    ASSERT_EQ_INT(schema_add(s, "li", t, true), 0);
    ASSERT_EQ_INT(type_list(&t, type_simple(TYPE_STRING), false), 0);
    ASSERT_EQ_INT(schema_add(s, "ls", t, false), 0);
    type_struct_init(&t);
    ASSERT_EQ_INT(type_struct_add(&t, "a", type_simple(TYPE_INT64), true), 0);
    ASSERT_EQ_INT(type_struct_add(&t, "b", type_simple(TYPE_STRING), false), 0);
    ASSERT_EQ_INT(schema_add(s, "st", t, true), 0);
    ASSERT_EQ_INT(type_map(&t, type_simple(TYPE_STRING), type_simple(TYPE_DOUBLE), true), 0);
    ASSERT_EQ_INT(schema_add(s, "m", t, true), 0);
    LogicalType inner, el;
    ASSERT_EQ_INT(type_list(&inner, type_simple(TYPE_INT16), true), 0);
    type_struct_init(&el);
    ASSERT_EQ_INT(type_struct_add(&el, "x", type_simple(TYPE_INT32), false), 0);
    ASSERT_EQ_INT(type_struct_add(&el, "ys", inner, true), 0);
    ASSERT_EQ_INT(type_list(&t, el, true), 0);
    ASSERT_EQ_INT(schema_add(s, "los", t, true), 0);
    ASSERT_EQ_INT(type_list(&inner, type_simple(TYPE_DATE), true), 0);
    ASSERT_EQ_INT(type_map(&t, type_simple(TYPE_STRING), inner, true), 0);
    ASSERT_EQ_INT(schema_add(s, "ml", t, true), 0);
}

static void nested_row(Batch *b, uint32_t i)
{
    Vector *v = b->cols;
    char buf[32];
    /* li: NULL every 5th, empty every 4th, else up to 3 elements with NULLs */
    if (i % 5 == 2) {
        ASSERT_EQ_INT(vec_append_null(&v[0]), 0);
    } else {
        for (uint32_t k = 0; i % 4 != 1 && k < 1 + i % 3; k++) {
            if ((i + k) % 6 == 0)
                ASSERT_EQ_INT(vec_append_null(&v[0].children[0]), 0);
            else
                ASSERT_EQ_INT(vec_append_i64(&v[0].children[0], (int64_t)(i * 10 + k)), 0);
        }
        ASSERT_EQ_INT(vec_append_list_end(&v[0]), 0);
    }
    /* ls: required list of required strings, sometimes empty */
    for (uint32_t k = 0; k < i % 3; k++) {
        int n = snprintf(buf, sizeof buf, "s%u_%u", i % 11, k);
        ASSERT_EQ_INT(vec_append_str(&v[1].children[0], buf, (size_t)n), 0);
    }
    ASSERT_EQ_INT(vec_append_list_end(&v[1]), 0);
    /* st */
    if (i % 6 == 5) {
        ASSERT_EQ_INT(vec_append_null(&v[2]), 0);
    } else {
        if (i % 4 == 0)
            ASSERT_EQ_INT(vec_append_null(&v[2].children[0]), 0);
        else
            ASSERT_EQ_INT(vec_append_i64(&v[2].children[0], (int64_t)i * 1000003), 0);
        int n = snprintf(buf, sizeof buf, "b%u", i % 5);
        ASSERT_EQ_INT(vec_append_str(&v[2].children[1], buf, (size_t)n), 0);
        ASSERT_EQ_INT(vec_append_struct_end(&v[2]), 0);
    }
    /* m */
    if (i % 7 == 6) {
        ASSERT_EQ_INT(vec_append_null(&v[3]), 0);
    } else {
        for (uint32_t k = 0; k < i % 4; k++) {
            int n = snprintf(buf, sizeof buf, "key%u", k);
            ASSERT_EQ_INT(vec_append_str(&v[3].children[0], buf, (size_t)n), 0);
            if (k == 2)
                ASSERT_EQ_INT(vec_append_null(&v[3].children[1]), 0);
            else
                ASSERT_EQ_INT(vec_append_double(&v[3].children[1], i + k * 0.5), 0);
        }
        ASSERT_EQ_INT(vec_append_list_end(&v[3]), 0);
    }
    /* los: list of struct{x, ys list<int16>} */
    Vector *los = &v[4];
    if (i % 9 == 8) {
        ASSERT_EQ_INT(vec_append_null(los), 0);
    } else {
        Vector *el = &los->children[0];
        for (uint32_t k = 0; k < i % 3; k++) {
            if ((i + k) % 5 == 4) {
                ASSERT_EQ_INT(vec_append_null(el), 0);
                continue;
            }
            ASSERT_EQ_INT(vec_append_i64(&el->children[0], (int64_t)(i * 3 + k)), 0);
            Vector *ys = &el->children[1];
            if (k == 1 && i % 2) {
                ASSERT_EQ_INT(vec_append_null(ys), 0);
            } else {
                for (uint32_t q = 0; q < (i + k) % 4; q++) {
                    if (q == 2)
                        ASSERT_EQ_INT(vec_append_null(&ys->children[0]), 0);
                    else
                        ASSERT_EQ_INT(vec_append_i64(&ys->children[0], (int64_t)(q * 100 + i)), 0);
                }
                ASSERT_EQ_INT(vec_append_list_end(ys), 0);
            }
            ASSERT_EQ_INT(vec_append_struct_end(el), 0);
        }
        ASSERT_EQ_INT(vec_append_list_end(los), 0);
    }
    /* ml: map<string, list<date>> */
    Vector *ml = &v[5];
    if (i % 8 == 7) {
        ASSERT_EQ_INT(vec_append_null(ml), 0);
    } else {
        for (uint32_t k = 0; k < i % 3; k++) {
            int n = snprintf(buf, sizeof buf, "m%u", k);
            ASSERT_EQ_INT(vec_append_str(&ml->children[0], buf, (size_t)n), 0);
            Vector *dl = &ml->children[1];
            if (k == 1 && i % 4 == 1) {
                ASSERT_EQ_INT(vec_append_null(dl), 0);
            } else {
                for (uint32_t q = 0; q < 1 + (i % 2); q++)
                    ASSERT_EQ_INT(vec_append_i64(&dl->children[0], (int64_t)(19000 + i + q)), 0);
                ASSERT_EQ_INT(vec_append_list_end(dl), 0);
            }
        }
        ASSERT_EQ_INT(vec_append_list_end(ml), 0);
    }
}

static void nested_batch(Schema *s, Batch *b, uint32_t n)
{
    nested_schema(s);
    ASSERT_EQ_INT(batch_init(b, s), 0);
    for (uint32_t i = 0; i < n; i++)
        nested_row(b, i);
    b->n_rows = n;
}

/* One-column table of n int64 values v[i] = f(i). */
static void int64_batch(Schema *s, Batch *b, uint32_t n, bool nullable, int64_t mul, int64_t add)
{
    schema_init(s);
    ASSERT_EQ_INT(schema_add(s, "x", type_simple(TYPE_INT64), nullable), 0);
    ASSERT_EQ_INT(batch_init(b, s), 0);
    for (uint32_t i = 0; i < n; i++)
        ASSERT_EQ_INT(vec_append_i64(&b->cols[0], (int64_t)((uint64_t)i * (uint64_t)mul + (uint64_t)add)), 0);
    b->n_rows = n;
}

static const PqColumnMetaData *col_meta(PFile *f, int g, int c)
{
    return &f->md.row_groups[g].columns[c].meta_data;
}

static bool has_encoding(const PqColumnMetaData *m, int enc)
{
    for (int i = 0; i < m->n_encodings; i++)
        if (m->encodings[i] == enc)
            return true;
    return false;
}

/* ---- Round trips ------------------------------------------------------------------ */

TEST(writer_all_types_roundtrip_v1_and_v2)
{
    Schema s;
    Batch b;
    all_types_batch(&s, &b, 3000, 0);
    for (int v = 1; v <= 2; v++) {
        PqWriteOptions o;
        pq_write_options_default(&o);
        o.data_page_version = v;
        o.page_rows = 700;
        const char *p = tmp_file(v == 1 ? "all_v1.parquet" : "all_v2.parquet");
        write_file(p, &s, &b, &o);
        ASSERT(validate_file(p) >= C_N * 5);
        expect_roundtrip(p, &b);
        PFile f;
        pfile_open(&f, p);
        ASSERT_EQ_INT(f.md.version, v);
        ASSERT_EQ_INT(f.md.num_rows, 3000);
        ASSERT_EQ_INT(f.md.n_row_groups, 1);
        ASSERT_EQ_INT(f.md.row_groups[0].n_columns, C_N);
        pfile_close(&f);
    }
    free_batch(&s, &b);
}

TEST(writer_every_codec_roundtrips)
{
    static const PqCodec codecs[] = {PQ_CODEC_UNCOMPRESSED, PQ_CODEC_SNAPPY, PQ_CODEC_GZIP,
                                     PQ_CODEC_ZSTD, PQ_CODEC_LZ4_RAW, PQ_CODEC_LZ4};
    Schema s;
    Batch b;
    all_types_batch(&s, &b, 1000, 50);
    for (size_t i = 0; i < sizeof codecs / sizeof codecs[0]; i++) {
        for (int v = 1; v <= 2; v++) {
            PqWriteOptions o;
            pq_write_options_default(&o);
            o.codec = codecs[i];
            o.data_page_version = v;
            o.page_rows = 300;
            char name[64];
            snprintf(name, sizeof name, "codec_%d_v%d.parquet", (int)codecs[i], v);
            const char *p = tmp_file(name);
            write_file(p, &s, &b, &o);
            validate_file(p);
            expect_roundtrip(p, &b);
            PFile f;
            pfile_open(&f, p);
            ASSERT_EQ_INT(col_meta(&f, 0, 0)->codec, codecs[i]);
            pfile_close(&f);
        }
    }
    free_batch(&s, &b);
}

TEST(writer_nested_roundtrip)
{
    Schema s;
    Batch b;
    nested_batch(&s, &b, 2000);
    for (int v = 1; v <= 2; v++) {
        PqWriteOptions o;
        pq_write_options_default(&o);
        o.data_page_version = v;
        o.page_rows = 97;
        const char *p = tmp_file("nested.parquet");
        write_file(p, &s, &b, &o);
        validate_file(p);
        expect_roundtrip(p, &b);
    }
    free_batch(&s, &b);
}

TEST(writer_nested_schema_and_levels)
{
    Schema s;
    Batch b;
    nested_batch(&s, &b, 10);
    const char *p = tmp_file("nested_schema.parquet");
    write_file(p, &s, &b, NULL);
    PFile f;
    pfile_open(&f, p);
    /* root, li(3), ls(3), st(3), m(4), los(7), ml(6) */
    static const char *names[] = {"schema", "li", "list", "element", "ls", "list", "element",
                                  "st", "a", "b", "m", "key_value", "key", "value", "los",
                                  "list", "element", "x", "ys", "list", "element", "ml",
                                  "key_value", "key", "value", "list", "element"};
    static const int reps[] = {-1, PQ_OPTIONAL, PQ_REPEATED, PQ_OPTIONAL, PQ_REQUIRED,
                               PQ_REPEATED, PQ_REQUIRED, PQ_OPTIONAL, PQ_OPTIONAL, PQ_REQUIRED,
                               PQ_OPTIONAL, PQ_REPEATED, PQ_REQUIRED, PQ_OPTIONAL, PQ_OPTIONAL,
                               PQ_REPEATED, PQ_OPTIONAL, PQ_REQUIRED, PQ_OPTIONAL, PQ_REPEATED,
                               PQ_OPTIONAL, PQ_OPTIONAL, PQ_REPEATED, PQ_REQUIRED, PQ_OPTIONAL,
                               PQ_REPEATED, PQ_OPTIONAL};
    ASSERT_EQ_INT(f.md.n_schema, (int)(sizeof names / sizeof names[0]));
    for (int i = 0; i < f.md.n_schema; i++) {
        ASSERT_EQ_STR(f.md.schema[i].name, names[i]);
        ASSERT_EQ_INT(f.md.schema[i].repetition, reps[i]);
    }
    ASSERT_EQ_INT(f.md.schema[1].converted_type, PQ_CT_LIST);
    ASSERT_EQ_INT(f.md.schema[1].logical.kind, PQ_LT_LIST);
    ASSERT_EQ_INT(f.md.schema[10].converted_type, PQ_CT_MAP);
    ASSERT_EQ_INT(f.md.schema[10].logical.kind, PQ_LT_MAP);
    ASSERT_EQ_INT(f.md.schema[11].num_children, 2);
    ASSERT_EQ_INT(f.md.schema[0].num_children, 6);
    /* leaves: li.element, ls.element, st.a, st.b, m.key, m.value, los.x,
     * los.ys.element, ml.key, ml.value.element */
    ASSERT_EQ_INT(f.md.row_groups[0].n_columns, 10);
    const PqColumnMetaData *m = col_meta(&f, 0, 7);
    ASSERT_EQ_INT(m->n_path, 6);
    ASSERT_EQ_STR(m->path_in_schema[0], "los");
    ASSERT_EQ_STR(m->path_in_schema[3], "ys");
    ASSERT_EQ_STR(m->path_in_schema[5], "element");
    pfile_close(&f);
    free_batch(&s, &b);
}

/* Decodes the repetition levels at the start of each data page (v2,
 * uncompressed) and checks that every page starts a new record. */
TEST(writer_repeated_pages_start_at_record_boundaries)
{
    Schema s;
    Batch b;
    nested_batch(&s, &b, 3000);
    PqWriteOptions o;
    pq_write_options_default(&o);
    o.data_page_version = 2;
    o.codec = PQ_CODEC_UNCOMPRESSED;
    o.page_rows = 13;
    o.dict_max_bytes = 0;
    const char *p = tmp_file("rep_pages.parquet");
    write_file(p, &s, &b, &o);
    validate_file(p);
    PFile f;
    pfile_open(&f, p);
    PageInfo *pages = tarn_malloc(4096 * sizeof(PageInfo));
    TarnError err = {0};
    for (int c = 0; c < f.md.row_groups[0].n_columns; c++) {
        int n = chunk_pages(&f, 0, c, pages, 4096);
        int64_t rows = 0;
        for (int i = 0; i < n; i++) {
            const PqDataPageHeaderV2 *h = &pages[i].h.data_page_v2;
            ASSERT_EQ_INT(pages[i].h.type, PQ_PAGE_DATA_V2);
            ASSERT(h->num_rows <= 13);
            rows += h->num_rows;
            if (h->repetition_levels_byte_length == 0)
                continue;
            const uint8_t *body = f.bytes.data + pages[i].offset + pages[i].size -
                                  pages[i].h.compressed_page_size;
            PqRleDecoder d;
            uint16_t *lv = tarn_malloc((size_t)h->num_values * sizeof(uint16_t));
            int bw = pq_bit_width(c == 7 || c == 9 ? 2 : 1);
            pq_rle_init(&d, body, (size_t)h->repetition_levels_byte_length, bw);
            ASSERT_OK(pq_rle_get_u16(&d, lv, (uint32_t)h->num_values, &err), &err);
            ASSERT_EQ_INT(lv[0], 0);
            int32_t starts = 0;
            for (int32_t k = 0; k < h->num_values; k++)
                starts += lv[k] == 0;
            ASSERT_EQ_INT(starts, h->num_rows);
            tarn_free(lv);
        }
        ASSERT_EQ_INT(rows, 3000);
    }
    tarn_free(pages);
    pfile_close(&f);
    expect_roundtrip(p, &b);
    free_batch(&s, &b);
}

/* ---- Encodings ------------------------------------------------------------------- */

TEST(writer_forced_encodings_roundtrip)
{
    static const int encs[] = {PQ_ENC_PLAIN, PQ_ENC_DELTA_BINARY_PACKED,
                               PQ_ENC_DELTA_LENGTH_BYTE_ARRAY, PQ_ENC_DELTA_BYTE_ARRAY,
                               PQ_ENC_BYTE_STREAM_SPLIT, PQ_ENC_RLE, PQ_ENC_RLE_DICTIONARY};
    Schema s;
    Batch b;
    all_types_batch(&s, &b, 2500, 0);
    for (size_t e = 0; e < sizeof encs / sizeof encs[0]; e++) {
        for (int v = 1; v <= 2; v++) {
            PqWriteOptions o;
            pq_write_options_default(&o);
            o.force_encoding = encs[e];
            o.data_page_version = v;
            o.page_rows = 1000;
            char name[64];
            snprintf(name, sizeof name, "forced_enc%d_v%d.parquet", encs[e], v);
            const char *p = tmp_file(name);
            write_file(p, &s, &b, &o);
            validate_file(p);
            expect_roundtrip(p, &b);
            PFile f;
            pfile_open(&f, p);
            for (int c = 0; c < C_N; c++) {
                const PqColumnMetaData *m = col_meta(&f, 0, c);
                int want;
                switch (encs[e]) {
                case PQ_ENC_DELTA_BINARY_PACKED:
                    want = m->type == PQ_INT32 || m->type == PQ_INT64 ? encs[e] : -1;
                    break;
                case PQ_ENC_DELTA_LENGTH_BYTE_ARRAY:
                case PQ_ENC_DELTA_BYTE_ARRAY:
                    want = m->type == PQ_BYTE_ARRAY ? encs[e] : -1;
                    break;
                case PQ_ENC_BYTE_STREAM_SPLIT:
                    want = m->type != PQ_BOOLEAN && m->type != PQ_BYTE_ARRAY ? encs[e] : -1;
                    break;
                case PQ_ENC_RLE:
                    want = m->type == PQ_BOOLEAN ? encs[e] : -1;
                    break;
                case PQ_ENC_RLE_DICTIONARY:
                    want = m->type != PQ_BOOLEAN ? encs[e] : PQ_ENC_PLAIN;
                    break;
                default:
                    want = PQ_ENC_PLAIN;
                    break;
                }
                if (want >= 0)
                    ASSERT(has_encoding(m, want));
                if (encs[e] == PQ_ENC_PLAIN)
                    ASSERT(!has_encoding(m, PQ_ENC_RLE_DICTIONARY));
                if (encs[e] == PQ_ENC_RLE_DICTIONARY && m->type != PQ_BOOLEAN) {
                    /* no fallback: every data page uses the dictionary */
                    ASSERT(m->dictionary_page_offset >= 0);
                    for (int k = 0; k < m->n_encoding_stats; k++)
                        if (m->encoding_stats[k].page_type != PQ_PAGE_DICTIONARY)
                            ASSERT_EQ_INT(m->encoding_stats[k].encoding, PQ_ENC_RLE_DICTIONARY);
                }
            }
            pfile_close(&f);
        }
    }
    free_batch(&s, &b);
}

TEST(writer_dictionary_for_low_cardinality)
{
    Schema s;
    Batch b;
    all_types_batch(&s, &b, 5000, 20);
    const char *p = tmp_file("dict.parquet");
    write_file(p, &s, &b, NULL);
    validate_file(p);
    expect_roundtrip(p, &b);
    PFile f;
    pfile_open(&f, p);
    for (int c = 0; c < C_N; c++) {
        const PqColumnMetaData *m = col_meta(&f, 0, c);
        if (m->type == PQ_BOOLEAN) {
            ASSERT_EQ_INT(m->dictionary_page_offset, -1);
            continue;
        }
        ASSERT(m->dictionary_page_offset >= 0);
        ASSERT(has_encoding(m, PQ_ENC_RLE_DICTIONARY));
        ASSERT(has_encoding(m, PQ_ENC_PLAIN));
        /* the whole chunk went through the dictionary: distinct_count is
         * the number of distinct non-null values (JSON text of rows 0..19,
         * which repeat; some columns repeat values within those too) */
        char seen[20][64];
        int n_seen = 0;
        Buf x;
        buf_init(&x);
        for (uint32_t i = 0; i < 40; i++) {
            if (!vec_is_valid(&b.cols[c], i))
                continue;
            buf_clear(&x);
            ASSERT_EQ_INT(value_format_json(&b.cols[c], i, &x), 0);
            buf_terminate(&x);
            bool dup = false;
            for (int k = 0; k < n_seen && !dup; k++)
                dup = strcmp(seen[k], (char *)x.data) == 0;
            if (!dup) {
                ASSERT(n_seen < 20 && x.len < 64);
                memcpy(seen[n_seen++], x.data, x.len + 1);
            }
        }
        buf_free(&x);
        if (m->statistics.distinct_count != n_seen)
            TFAIL("column %d: distinct_count %lld, expected %d", c,
                  (long long)m->statistics.distinct_count, n_seen);
        ASSERT_EQ_INT(m->encoding_stats[0].page_type, PQ_PAGE_DICTIONARY);
        ASSERT_EQ_INT(m->encoding_stats[0].count, 1);
    }
    pfile_close(&f);
    free_batch(&s, &b);
}

/* Dictionaries of a few thousand entries: the slot table starts small and
 * doubles inside one page's values (writer_column.c DICT_GROW_AT), for
 * 4-byte, 8-byte, byte-array and fixed-length keys; values and distinct
 * counts survive. */
TEST(writer_dictionary_grows_within_a_page)
{
    Schema s;
    Batch b;
    all_types_batch(&s, &b, 30000, 3000);
    const char *p = tmp_file("dictgrow.parquet");
    write_file(p, &s, &b, NULL);
    validate_file(p);
    expect_roundtrip(p, &b);
    PFile f;
    pfile_open(&f, p);
    const int cols[] = {C_I32, C_I64, C_U64, C_DEC38, C_TSTZ};
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
        const PqColumnMetaData *m = col_meta(&f, 0, cols[i]);
        ASSERT(m->dictionary_page_offset >= 0);
        ASSERT(has_encoding(m, PQ_ENC_RLE_DICTIONARY));
        if (m->statistics.distinct_count != 3000)
            TFAIL("column %d: distinct_count %lld, expected 3000", cols[i], (long long)m->statistics.distinct_count);
    }
    pfile_close(&f);
    free_batch(&s, &b);
}

TEST(writer_dictionary_fallback_on_size)
{
    /* 4000 distinct strings of ~20 bytes; a 2000-byte dictionary limit
     * forces a fallback after the first page. */
    Schema s;
    schema_init(&s);
    ASSERT_EQ_INT(schema_add(&s, "s", type_simple(TYPE_STRING), true), 0);
    Batch b;
    ASSERT_EQ_INT(batch_init(&b, &s), 0);
    char buf[64];
    for (uint32_t i = 0; i < 4000; i++) {
        int n = snprintf(buf, sizeof buf, "value-%08u-%u", (i * 7919) % 1000, i % 3);
        ASSERT_EQ_INT(vec_append_str(&b.cols[0], buf, (size_t)n), 0);
    }
    b.n_rows = 4000;
    PqWriteOptions o;
    pq_write_options_default(&o);
    o.dict_max_bytes = 2000;
    o.page_rows = 50;
    const char *p = tmp_file("fallback.parquet");
    write_file(p, &s, &b, &o);
    validate_file(p);
    expect_roundtrip(p, &b);
    PFile f;
    pfile_open(&f, p);
    const PqColumnMetaData *m = col_meta(&f, 0, 0);
    ASSERT(m->dictionary_page_offset >= 0);
    ASSERT(has_encoding(m, PQ_ENC_RLE_DICTIONARY));
    ASSERT(has_encoding(m, PQ_ENC_PLAIN));
    ASSERT_EQ_INT(m->statistics.distinct_count, -1); /* not exact after fallback */
    ASSERT_EQ_INT(m->n_encoding_stats, 3);
    ASSERT(m->encoding_stats[1].count >= 1);
    ASSERT(m->encoding_stats[2].count >= 1);
    ASSERT_EQ_INT(m->encoding_stats[1].count + m->encoding_stats[2].count, 4000 / 50);
    /* The dictionary page holds at most one page beyond the limit. */
    PageInfo pages[128];
    int n = chunk_pages(&f, 0, 0, pages, 128);
    ASSERT_EQ_INT(pages[0].h.type, PQ_PAGE_DICTIONARY);
    ASSERT(pages[0].h.uncompressed_page_size <= 2000 + 50 * 40);
    ASSERT_EQ_INT(n, 1 + 80);
    pfile_close(&f);
    free_batch(&s, &b);
}

TEST(writer_unique_values_skip_dictionary)
{
    Schema s;
    Batch b;
    int64_batch(&s, &b, 50000, false, 7, -3);
    const char *p = tmp_file("unique.parquet");
    write_file(p, &s, &b, NULL);
    validate_file(p);
    PFile f;
    pfile_open(&f, p);
    const PqColumnMetaData *m = col_meta(&f, 0, 0);
    /* the first page (20000 values) already shows no gain: plain throughout */
    ASSERT_EQ_INT(m->dictionary_page_offset, -1);
    ASSERT(!has_encoding(m, PQ_ENC_RLE_DICTIONARY));
    ASSERT(!has_encoding(m, PQ_ENC_RLE)); /* required: no levels */
    pfile_close(&f);
    expect_roundtrip(p, &b);
    free_batch(&s, &b);
}

/* ---- Page and row-group boundaries ------------------------------------------------ */

static int count_pages(const char *path, int g, int c)
{
    PFile f;
    PageInfo pages[256];
    pfile_open(&f, path);
    int n = chunk_pages(&f, g, c, pages, 256);
    int data = 0;
    for (int i = 0; i < n; i++)
        data += pages[i].h.type != PQ_PAGE_DICTIONARY;
    pfile_close(&f);
    return data;
}

TEST(writer_page_rows_boundaries)
{
    PqWriteOptions o;
    pq_write_options_default(&o);
    o.page_rows = 10;
    o.dict_max_bytes = 0;
    static const uint32_t rows[] = {1, 9, 10, 11, 20, 21};
    static const int pages[] = {1, 1, 1, 2, 2, 3};
    for (int i = 0; i < 6; i++) {
        Schema s;
        Batch b;
        int64_batch(&s, &b, rows[i], true, 1, 0);
        const char *p = tmp_file("prows.parquet");
        write_file(p, &s, &b, &o);
        ASSERT_EQ_INT(validate_file(p), pages[i]);
        ASSERT_EQ_INT(count_pages(p, 0, 0), pages[i]);
        expect_roundtrip(p, &b);
        free_batch(&s, &b);
    }
}

/* A page of a nullable column without NULLs writes its definition levels
 * as one RLE run (a shortcut past the general encoder): the bytes must be
 * the general encoder's, for pages of fewer than 8 entries (a literal
 * group) and more, data page v1 (length prefix) and v2. */
TEST(writer_no_null_page_levels_match_rle_encoder)
{
    static const uint32_t rows[] = {1, 7, 8, 9, 10, 25, 300};
    for (int v = 1; v <= 2; v++)
        for (int i = 0; i < 7; i++) {
            PqWriteOptions o;
            pq_write_options_default(&o);
            o.page_rows = 300;
            o.dict_max_bytes = 0;
            o.force_encoding = PQ_ENC_PLAIN;
            o.codec = PQ_CODEC_UNCOMPRESSED;
            o.data_page_version = v;
            Schema s;
            Batch b;
            int64_batch(&s, &b, rows[i], true, 7, 1);
            const char *p = tmp_file("nonull_levels.parquet");
            write_file(p, &s, &b, &o);
            ASSERT_EQ_INT(validate_file(p), 1);
            expect_roundtrip(p, &b);
            PFile f;
            PageInfo pi[4];
            pfile_open(&f, p);
            ASSERT_EQ_INT(chunk_pages(&f, 0, 0, pi, 4), 1);
            const uint8_t *body = f.bytes.data + pi[0].offset + (pi[0].size - pi[0].h.compressed_page_size);
            uint16_t ones[300];
            for (uint32_t k = 0; k < rows[i]; k++)
                ones[k] = 1;
            Buf want;
            buf_init(&want);
            ASSERT_EQ_INT(pq_rle_encode_u16(ones, rows[i], 1, &want), 0);
            size_t at = 0, len = want.len;
            if (v == 1) {
                ASSERT_EQ_INT((int64_t)(body[0] | body[1] << 8 | body[2] << 16 | (uint32_t)body[3] << 24),
                              (int64_t)want.len);
                at = 4;
            } else {
                ASSERT_EQ_INT(pi[0].h.data_page_v2.definition_levels_byte_length, (int64_t)want.len);
            }
            ASSERT(memcmp(body + at, want.data, len) == 0);
            buf_free(&want);
            pfile_close(&f);
            free_batch(&s, &b);
        }
}

TEST(writer_page_bytes_boundaries)
{
    /* Required INT64 PLAIN: a page is full at exactly page_bytes = 80 bytes
     * = 10 values. */
    PqWriteOptions o;
    pq_write_options_default(&o);
    o.page_bytes = 80;
    o.force_encoding = PQ_ENC_PLAIN;
    static const uint32_t rows[] = {9, 10, 11, 30, 31};
    static const int pages[] = {1, 1, 2, 3, 4};
    for (int i = 0; i < 5; i++) {
        Schema s;
        Batch b;
        int64_batch(&s, &b, rows[i], false, 3, 1);
        const char *p = tmp_file("pbytes.parquet");
        write_file(p, &s, &b, &o);
        ASSERT_EQ_INT(count_pages(p, 0, 0), pages[i]);
        validate_file(p);
        expect_roundtrip(p, &b);
        PFile f;
        PageInfo pi[8];
        pfile_open(&f, p);
        ASSERT_EQ_INT(chunk_pages(&f, 0, 0, pi, 8), pages[i]);
        ASSERT_EQ_INT(pi[0].h.uncompressed_page_size, 8 * (rows[i] < 10 ? rows[i] : 10));
        pfile_close(&f);
        free_batch(&s, &b);
    }
}

TEST(writer_row_group_rows_and_batches)
{
    /* 1000 rows in batches of 37 rows, 128 rows per group: 8 groups (7 full). */
    Schema s;
    Batch all;
    int64_batch(&s, &all, 1000, true, 5, 0);
    PqWriteOptions o;
    pq_write_options_default(&o);
    o.row_group_rows = 128;
    const char *p = tmp_file("rg.parquet");
    TarnError err = {0};
    PqWriter *w = pq_writer_open(p, &s, &o, &err);
    ASSERT_NOT_NULL(w, &err);
    Batch b;
    ASSERT_EQ_INT(batch_init(&b, &s), 0);
    for (uint32_t r = 0; r < 1000;) {
        batch_reset(&b);
        uint32_t n = 1000 - r < 37 ? 1000 - r : 37;
        for (uint32_t i = 0; i < n; i++)
            ASSERT_EQ_INT(vec_append_i64(&b.cols[0], (int64_t)(r + i) * 5), 0);
        b.n_rows = n;
        ASSERT_OK(pq_writer_write(w, &b, &err), &err);
        r += n;
        ASSERT_EQ_INT(pq_writer_rows(w), r);
    }
    ASSERT(pq_writer_bytes(w) > 4);
    ASSERT_OK(pq_writer_close(w, &err), &err);
    validate_file(p);
    PFile f;
    pfile_open(&f, p);
    ASSERT_EQ_INT(f.md.n_row_groups, 8);
    for (int g = 0; g < 7; g++)
        ASSERT_EQ_INT(f.md.row_groups[g].num_rows, 128);
    ASSERT_EQ_INT(f.md.row_groups[7].num_rows, 1000 - 7 * 128);
    /* per-group statistics follow the rows */
    const PqStatistics *st = &col_meta(&f, 3, 0)->statistics;
    ASSERT_EQ_INT((int64_t)load_le64(st->min_value.ptr), 3 * 128 * 5);
    ASSERT_EQ_INT((int64_t)load_le64(st->max_value.ptr), (4 * 128 - 1) * 5);
    pfile_close(&f);
    expect_roundtrip(p, &all);
    batch_destroy(&b);
    free_batch(&s, &all);
}

TEST(writer_row_group_bytes_limit)
{
    Schema s;
    Batch b;
    int64_batch(&s, &b, 20000, false, 1, 0);
    PqWriteOptions o;
    pq_write_options_default(&o);
    o.row_group_bytes = 16000; /* 2000 PLAIN values */
    o.force_encoding = PQ_ENC_PLAIN;
    const char *p = tmp_file("rgbytes.parquet");
    write_file(p, &s, &b, &o);
    validate_file(p);
    PFile f;
    pfile_open(&f, p);
    ASSERT(f.md.n_row_groups >= 8 && f.md.n_row_groups <= 12);
    for (int g = 0; g + 1 < f.md.n_row_groups; g++)
        ASSERT(f.md.row_groups[g].total_byte_size < 16000 * 2);
    pfile_close(&f);
    expect_roundtrip(p, &b);
    free_batch(&s, &b);
}

TEST(writer_one_row_pages_and_row_groups)
{
    /* the smallest limits: every record its own page and row group */
    Schema s;
    Batch b;
    nested_batch(&s, &b, 60);
    PqWriteOptions o;
    pq_write_options_default(&o);
    o.page_rows = 1;
    o.row_group_rows = 1;
    o.page_bytes = 1;
    const char *p = tmp_file("tiny.parquet");
    write_file(p, &s, &b, &o);
    int pages = validate_file(p);
    PFile f;
    pfile_open(&f, p);
    ASSERT_EQ_INT(f.md.n_row_groups, 60);
    ASSERT_EQ_INT(pages, 60 * f.md.row_groups[0].n_columns);
    pfile_close(&f);
    expect_roundtrip(p, &b);
    /* page_bytes = 1 with many rows: one record per page */
    o.row_group_rows = 1000;
    write_file(p, &s, &b, &o);
    ASSERT_EQ_INT(count_pages(p, 0, 0), 60);
    expect_roundtrip(p, &b);
    free_batch(&s, &b);
}

TEST(writer_zero_rows_file)
{
    Schema s;
    Batch b;
    all_types_batch(&s, &b, 0, 0);
    const char *p = tmp_file("empty.parquet");
    write_file(p, &s, &b, NULL);
    validate_file(p);
    PFile f;
    pfile_open(&f, p);
    ASSERT_EQ_INT(f.md.num_rows, 0);
    ASSERT_EQ_INT(f.md.n_row_groups, 0);
    ASSERT_EQ_INT(f.md.n_schema, C_N + 1);
    pfile_close(&f);
    expect_roundtrip(p, &b);
    /* no write call at all */
    write_file(p, &s, NULL, NULL);
    expect_roundtrip(p, &b);
    free_batch(&s, &b);
}

TEST(writer_all_null_and_null_type_columns)
{
    Schema s;
    schema_init(&s);
    ASSERT_EQ_INT(schema_add(&s, "a", type_simple(TYPE_INT32), true), 0);
    ASSERT_EQ_INT(schema_add(&s, "n", type_simple(TYPE_NULL), true), 0);
    ASSERT_EQ_INT(schema_add(&s, "s", type_simple(TYPE_STRING), true), 0);
    Batch b;
    ASSERT_EQ_INT(batch_init(&b, &s), 0);
    for (int i = 0; i < 100; i++)
        for (int c = 0; c < 3; c++)
            ASSERT_EQ_INT(vec_append_null(&b.cols[c]), 0);
    b.n_rows = 100;
    const char *p = tmp_file("nulls.parquet");
    write_file(p, &s, &b, NULL);
    validate_file(p);
    PFile f;
    pfile_open(&f, p);
    for (int c = 0; c < 3; c++) {
        const PqColumnMetaData *m = col_meta(&f, 0, c);
        ASSERT_EQ_INT(m->statistics.null_count, 100);
        ASSERT(m->statistics.min_value.ptr == NULL);
        ASSERT_EQ_INT(m->dictionary_page_offset, -1);
        /* column index: one null page */
        const PqColumnChunk *cc = &f.md.row_groups[0].columns[c];
        if (c != 1) {
            PqColumnIndex ci;
            TarnError err = {0};
            ASSERT(cc->column_index_offset > 0);
            ASSERT_OK(pq_decode_column_index(f.bytes.data + cc->column_index_offset,
                                             (size_t)cc->column_index_length, &f.a, &ci, &err),
                      &err);
            ASSERT_EQ_INT(ci.n_pages, 1);
            ASSERT(ci.null_pages[0]);
            ASSERT_EQ_INT(ci.null_counts[0], 100);
        }
    }
    ASSERT_EQ_INT(f.md.schema[2].logical.kind, PQ_LT_UNKNOWN_NULL);
    ASSERT_EQ_INT(f.md.schema[2].repetition, PQ_OPTIONAL);
    pfile_close(&f);
    free_batch(&s, &b);
}

/* ---- Statistics ------------------------------------------------------------------- */

TEST(writer_statistics_orders)
{
    Schema s;
    schema_init(&s);
    ASSERT_EQ_INT(schema_add(&s, "i32", type_simple(TYPE_INT32), true), 0);
    ASSERT_EQ_INT(schema_add(&s, "u32", type_simple(TYPE_UINT32), true), 0);
    ASSERT_EQ_INT(schema_add(&s, "u64", type_simple(TYPE_UINT64), true), 0);
    ASSERT_EQ_INT(schema_add(&s, "f", type_simple(TYPE_DOUBLE), true), 0);
    ASSERT_EQ_INT(schema_add(&s, "z", type_simple(TYPE_FLOAT), true), 0);
    ASSERT_EQ_INT(schema_add(&s, "nan", type_simple(TYPE_DOUBLE), true), 0);
    ASSERT_EQ_INT(schema_add(&s, "dec", type_decimal(30, 2), true), 0);
    ASSERT_EQ_INT(schema_add(&s, "s", type_simple(TYPE_STRING), true), 0);
    ASSERT_EQ_INT(schema_add(&s, "b", type_simple(TYPE_BOOL), true), 0);
    ASSERT_EQ_INT(schema_add(&s, "iv", type_simple(TYPE_INTERVAL), true), 0);
    ASSERT_EQ_INT(schema_add(&s, "u", type_simple(TYPE_UUID), true), 0);
    Batch b;
    ASSERT_EQ_INT(batch_init(&b, &s), 0);
    static const int32_t i32v[] = {5, -7, 100, 0};
    static const uint32_t u32v[] = {5, 0xFFFFFFF0u, 7, 0x80000000u};
    static const uint64_t u64v[] = {1, 0xFFFFFFFFFFFFFFFFULL, 0x8000000000000000ULL, 2};
    static const double fv[] = {NAN, 2.5, -1.25, NAN};
    static const double zv[] = {0.0, 3.0, 1.0, 0.0};
    static const int128_t decv[] = {-5, 12345, -((int128_t)1 << 90), 7};
    static const char *sv[] = {"pear", "apple", "\xc3\xa9t\xc3\xa9", "zebra"};
    for (int i = 0; i < 4; i++) {
        vec_append_i64(&b.cols[0], i32v[i]);
        vec_append_u64(&b.cols[1], u32v[i]);
        vec_append_u64(&b.cols[2], u64v[i]);
        vec_append_double(&b.cols[3], fv[i]);
        vec_append_double(&b.cols[4], zv[i]);
        vec_append_double(&b.cols[5], NAN);
        vec_append_i128(&b.cols[6], decv[i]);
        vec_append_str(&b.cols[7], sv[i], strlen(sv[i]));
        vec_append_bool(&b.cols[8], i == 2);
        vec_append_interval(&b.cols[9], (Interval){i, i, 1000 * i});
        char u[16];
        memset(u, i == 1 ? 0xEE : i * 16, 16);
        vec_append_str(&b.cols[10], u, 16);
    }
    for (int c = 0; c < 11; c++)
        vec_append_null(&b.cols[c]);
    b.n_rows = 5;
    const char *p = tmp_file("stats.parquet");
    write_file(p, &s, &b, NULL);
    validate_file(p);
    PFile f;
    pfile_open(&f, p);
    const PqStatistics *st = &col_meta(&f, 0, 0)->statistics;
    ASSERT_EQ_INT((int32_t)load_le32(st->min_value.ptr), -7);
    ASSERT_EQ_INT((int32_t)load_le32(st->max_value.ptr), 100);
    ASSERT_EQ_INT(st->null_count, 1);
    ASSERT(st->min.ptr && st->max.ptr); /* legacy fields for signed ints */
    st = &col_meta(&f, 0, 1)->statistics;
    ASSERT_EQ_U64(load_le32(st->min_value.ptr), 5);
    ASSERT_EQ_U64(load_le32(st->max_value.ptr), 0xFFFFFFF0u);
    ASSERT(st->min.ptr == NULL); /* no legacy (signed) stats for unsigned */
    st = &col_meta(&f, 0, 2)->statistics;
    ASSERT_EQ_U64(load_le64(st->min_value.ptr), 1);
    ASSERT_EQ_U64(load_le64(st->max_value.ptr), 0xFFFFFFFFFFFFFFFFULL);
    st = &col_meta(&f, 0, 3)->statistics; /* NaN ignored */
    double d;
    memcpy(&d, st->min_value.ptr, 8);
    ASSERT_EQ_DBL(d, -1.25);
    memcpy(&d, st->max_value.ptr, 8);
    ASSERT_EQ_DBL(d, 2.5);
    st = &col_meta(&f, 0, 4)->statistics; /* min zero written as -0.0 */
    float fl;
    memcpy(&fl, st->min_value.ptr, 4);
    ASSERT(fl == 0.0f && signbit(fl));
    memcpy(&fl, st->max_value.ptr, 4);
    ASSERT_EQ_DBL(fl, 3.0);
    st = &col_meta(&f, 0, 5)->statistics; /* all NaN: no min/max */
    ASSERT(st->min_value.ptr == NULL && st->max_value.ptr == NULL);
    ASSERT_EQ_INT(st->null_count, 1);
    st = &col_meta(&f, 0, 6)->statistics; /* decimal FLBA, signed big-endian */
    ASSERT_EQ_INT(f.md.schema[7].type_length, 13);
    ASSERT_EQ_INT(st->min_value.len, 13);
    ASSERT_EQ_INT(st->min_value.ptr[0], 0xFF);
    ASSERT_EQ_INT(st->min_value.ptr[1], 0xFC); /* -2^90 */
    static const uint8_t dmax[13] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x30, 0x39};
    ASSERT_EQ_MEM(st->max_value.ptr, dmax, 13);
    ASSERT(st->min.ptr == NULL);
    st = &col_meta(&f, 0, 7)->statistics;
    ASSERT_EQ_INT(st->min_value.len, 5);
    ASSERT_EQ_MEM(st->min_value.ptr, "apple", 5);
    ASSERT_EQ_INT(st->max_value.len, 5);
    ASSERT_EQ_MEM(st->max_value.ptr, "\xc3\xa9t\xc3\xa9", 5); /* byte-wise: 0xC3 > 'z' */
    st = &col_meta(&f, 0, 8)->statistics;
    ASSERT_EQ_INT(st->min_value.ptr[0], 0);
    ASSERT_EQ_INT(st->max_value.ptr[0], 1);
    st = &col_meta(&f, 0, 9)->statistics; /* interval: undefined order */
    ASSERT(st->min_value.ptr == NULL);
    ASSERT_EQ_INT(st->null_count, 1);
    st = &col_meta(&f, 0, 10)->statistics;
    ASSERT_EQ_INT(st->min_value.ptr[0], 0);
    ASSERT_EQ_INT(st->max_value.ptr[0], 0xEE);
    pfile_close(&f);
    expect_roundtrip(p, &b);
    free_batch(&s, &b);
}

TEST(writer_statistics_long_strings_are_truncated)
{
    Schema s;
    schema_init(&s);
    ASSERT_EQ_INT(schema_add(&s, "s", type_simple(TYPE_STRING), false), 0);
    ASSERT_EQ_INT(schema_add(&s, "b", type_simple(TYPE_BLOB), false), 0);
    Batch b;
    ASSERT_EQ_INT(batch_init(&b, &s), 0);
    char lo[100], hi[100];
    memset(lo, 'a', sizeof lo);
    memset(hi, 'y', sizeof hi);
    hi[63] = 'z';
    /* BLOB max: 0xFF tail must be dropped before incrementing */
    char bhi[100];
    memset(bhi, 0x70, sizeof bhi);
    memset(bhi + 60, 0xFF, 40);
    vec_append_str(&b.cols[0], lo, 100);
    vec_append_str(&b.cols[0], hi, 100);
    vec_append_str(&b.cols[0], "m", 1);
    vec_append_str(&b.cols[1], lo, 64);
    vec_append_str(&b.cols[1], bhi, 100);
    vec_append_str(&b.cols[1], "m", 1);
    b.n_rows = 3;
    const char *p = tmp_file("trunc.parquet");
    write_file(p, &s, &b, NULL);
    PFile f;
    pfile_open(&f, p);
    const PqStatistics *st = &col_meta(&f, 0, 0)->statistics;
    ASSERT_EQ_INT(st->min_value.len, 64);
    ASSERT_EQ_MEM(st->min_value.ptr, lo, 64);
    ASSERT(st->has_is_min_value_exact && !st->is_min_value_exact);
    ASSERT_EQ_INT(st->max_value.len, 64);
    ASSERT_EQ_MEM(st->max_value.ptr, hi, 63);
    ASSERT_EQ_INT(st->max_value.ptr[63], 'z' + 1);
    ASSERT(!st->is_max_value_exact);
    st = &col_meta(&f, 0, 1)->statistics;
    ASSERT_EQ_INT(st->min_value.len, 64); /* exactly 64: kept whole, exact */
    ASSERT(st->is_min_value_exact);
    ASSERT_EQ_INT(st->max_value.len, 60);
    ASSERT_EQ_MEM(st->max_value.ptr, bhi, 59);
    ASSERT_EQ_INT(st->max_value.ptr[59], 0x71);
    ASSERT(!st->is_max_value_exact);
    pfile_close(&f);
    validate_file(p);
    expect_roundtrip(p, &b);
    free_batch(&s, &b);
}

TEST(writer_page_statistics_and_column_index)
{
    /* Pages of 10 ascending values, then a file of descending values and
     * one of mixed values: boundary_order ASCENDING / DESCENDING / UNORDERED. */
    static const int64_t muls[] = {1, -1, 0};
    static const int orders[] = {1, 2, 0};
    for (int k = 0; k < 3; k++) {
        Schema s;
        Batch b;
        schema_init(&s);
        ASSERT_EQ_INT(schema_add(&s, "x", type_simple(TYPE_INT64), true), 0);
        ASSERT_EQ_INT(batch_init(&b, &s), 0);
        for (uint32_t i = 0; i < 45; i++) {
            if (i >= 20 && i < 30) /* page 2 all NULL */
                vec_append_null(&b.cols[0]);
            else
                vec_append_i64(&b.cols[0], muls[k] ? (int64_t)i * muls[k] : (i * 37) % 23);
        }
        b.n_rows = 45;
        PqWriteOptions o;
        pq_write_options_default(&o);
        o.page_rows = 10;
        const char *p = tmp_file("colidx.parquet");
        write_file(p, &s, &b, &o);
        validate_file(p);
        PFile f;
        pfile_open(&f, p);
        const PqColumnChunk *cc = &f.md.row_groups[0].columns[0];
        PqColumnIndex ci;
        PqOffsetIndex oi;
        TarnError err = {0};
        ASSERT_OK(pq_decode_column_index(f.bytes.data + cc->column_index_offset,
                                         (size_t)cc->column_index_length, &f.a, &ci, &err),
                  &err);
        ASSERT_OK(pq_decode_offset_index(f.bytes.data + cc->offset_index_offset,
                                         (size_t)cc->offset_index_length, &f.a, &oi, &err),
                  &err);
        ASSERT_EQ_INT(ci.n_pages, 5);
        ASSERT_EQ_INT(ci.boundary_order, orders[k]);
        for (int i = 0; i < 5; i++) {
            ASSERT_EQ_INT(oi.page_locations[i].first_row_index, i * 10);
            ASSERT_EQ_INT(ci.null_pages[i], i == 2);
            ASSERT_EQ_INT(ci.null_counts[i], i == 2 ? 10 : 0);
            if (i == 2) {
                ASSERT_EQ_INT(ci.min_values[i].len, 0);
                continue;
            }
            if (muls[k] == 1) {
                ASSERT_EQ_INT((int64_t)load_le64(ci.min_values[i].ptr), i * 10);
                ASSERT_EQ_INT((int64_t)load_le64(ci.max_values[i].ptr), i == 4 ? 44 : i * 10 + 9);
            }
        }
        /* page headers carry the same statistics */
        PageInfo pi[16];
        int n = chunk_pages(&f, 0, 0, pi, 16);
        const PqStatistics *ps = &pi[n - 1].h.data_page.statistics;
        ASSERT(pi[n - 1].h.data_page.has_statistics);
        ASSERT_EQ_INT(ps->null_count, 0);
        ASSERT_EQ_INT(ps->min_value.len, ci.min_values[4].len);
        ASSERT_EQ_MEM(ps->min_value.ptr, ci.min_values[4].ptr, 8);
        pfile_close(&f);
        expect_roundtrip(p, &b);
        free_batch(&s, &b);
    }
}

TEST(writer_no_page_index_no_crc)
{
    Schema s;
    Batch b;
    all_types_batch(&s, &b, 500, 0);
    PqWriteOptions o;
    pq_write_options_default(&o);
    o.page_index = false;
    o.page_crc = false;
    const char *p = tmp_file("noidx.parquet");
    write_file(p, &s, &b, &o);
    validate_file(p);
    PFile f;
    pfile_open(&f, p);
    for (int c = 0; c < C_N; c++) {
        const PqColumnChunk *cc = &f.md.row_groups[0].columns[c];
        ASSERT_EQ_INT(cc->column_index_offset, -1);
        ASSERT_EQ_INT(cc->offset_index_offset, -1);
        PageInfo pi[8];
        int n = chunk_pages(&f, 0, c, pi, 8);
        for (int i = 0; i < n; i++)
            ASSERT(!pi[i].h.has_crc);
    }
    pfile_close(&f);
    expect_roundtrip(p, &b);
    free_batch(&s, &b);
}

TEST(writer_crc_detects_corruption)
{
    Schema s;
    Batch b;
    int64_batch(&s, &b, 100, false, 3, 0);
    PqWriteOptions o;
    pq_write_options_default(&o);
    o.codec = PQ_CODEC_UNCOMPRESSED;
    const char *p = tmp_file("crc.parquet");
    write_file(p, &s, &b, &o);
    PFile f;
    pfile_open(&f, p);
    PageInfo pi[4];
    ASSERT_EQ_INT(chunk_pages(&f, 0, 0, pi, 4), 1);
    ASSERT(pi[0].h.has_crc);
    uint8_t *body = f.bytes.data + pi[0].offset + pi[0].size - pi[0].h.compressed_page_size;
    ASSERT_EQ_U64(pi[0].h.crc, pq_crc32(body, (size_t)pi[0].h.compressed_page_size));
    body[5] ^= 1;
    ASSERT(pi[0].h.crc != pq_crc32(body, (size_t)pi[0].h.compressed_page_size));
    pfile_close(&f);
    free_batch(&s, &b);
}

/* ---- Footer ---------------------------------------------------------------------- */

TEST(writer_footer_metadata)
{
    Schema s;
    Batch b;
    all_types_batch(&s, &b, 10, 0);
    PqKeyValue kv[2] = {{"origin", "test"}, {"empty", NULL}};
    PqWriteOptions o;
    pq_write_options_default(&o);
    o.kv = kv;
    o.n_kv = 2;
    const char *p = tmp_file("footer.parquet");
    write_file(p, &s, &b, &o);
    PFile f;
    pfile_open(&f, p);
    ASSERT(f.md.created_by && strncmp(f.md.created_by, "tarn version " TARN_VERSION " (build ",
                                      strlen("tarn version " TARN_VERSION " (build ")) == 0);
    ASSERT_EQ_INT(f.md.version, 1);
    ASSERT_EQ_INT(f.md.n_kv, 2);
    ASSERT_EQ_STR(f.md.key_value_metadata[0].key, "origin");
    ASSERT_EQ_STR(f.md.key_value_metadata[0].value, "test");
    ASSERT(f.md.key_value_metadata[1].value == NULL);
    ASSERT_EQ_INT(f.md.n_column_orders, C_N);
    for (int i = 0; i < C_N; i++)
        ASSERT_EQ_INT(f.md.column_orders[i], 1);
    /* schema annotations (writer.h mapping table) */
    const PqSchemaElement *e = f.md.schema;
    ASSERT_EQ_STR(e[0].name, "schema");
    ASSERT_EQ_INT(e[0].num_children, C_N);
    ASSERT_EQ_INT(e[1 + C_I8].type, PQ_INT32);
    ASSERT_EQ_INT(e[1 + C_I8].converted_type, PQ_CT_INT_8);
    ASSERT_EQ_INT(e[1 + C_I8].logical.kind, PQ_LT_INTEGER);
    ASSERT_EQ_INT(e[1 + C_I8].logical.bit_width, 8);
    ASSERT(e[1 + C_I8].logical.is_signed);
    ASSERT_EQ_INT(e[1 + C_U32].converted_type, PQ_CT_UINT_32);
    ASSERT(!e[1 + C_U32].logical.is_signed);
    ASSERT_EQ_INT(e[1 + C_U64].type, PQ_INT64);
    ASSERT_EQ_INT(e[1 + C_I64].repetition, PQ_REQUIRED);
    ASSERT_EQ_INT(e[1 + C_I32].repetition, PQ_OPTIONAL);
    ASSERT_EQ_INT(e[1 + C_DEC4].type, PQ_INT32);
    ASSERT_EQ_INT(e[1 + C_DEC4].precision, 4);
    ASSERT_EQ_INT(e[1 + C_DEC4].scale, 2);
    ASSERT_EQ_INT(e[1 + C_DEC4].logical.kind, PQ_LT_DECIMAL);
    ASSERT_EQ_INT(e[1 + C_DEC15].type, PQ_INT64);
    ASSERT_EQ_INT(e[1 + C_DEC38].type, PQ_FIXED_LEN_BYTE_ARRAY);
    ASSERT_EQ_INT(e[1 + C_DEC38].type_length, 16);
    ASSERT_EQ_INT(e[1 + C_DATE].logical.kind, PQ_LT_DATE);
    ASSERT_EQ_INT(e[1 + C_TIME].logical.kind, PQ_LT_TIME);
    ASSERT_EQ_INT(e[1 + C_TIME].logical.unit, PQ_MICROS);
    ASSERT_EQ_INT(e[1 + C_TS].logical.kind, PQ_LT_TIMESTAMP);
    ASSERT(!e[1 + C_TS].logical.is_adjusted_to_utc);
    ASSERT_EQ_INT(e[1 + C_TS].converted_type, PQ_CT_TIMESTAMP_MICROS);
    ASSERT(e[1 + C_TSTZ].logical.is_adjusted_to_utc);
    ASSERT_EQ_INT(e[1 + C_IVL].type_length, 12);
    ASSERT_EQ_INT(e[1 + C_IVL].converted_type, PQ_CT_INTERVAL);
    ASSERT_EQ_INT(e[1 + C_STR].logical.kind, PQ_LT_STRING);
    ASSERT_EQ_INT(e[1 + C_STR].converted_type, PQ_CT_UTF8);
    ASSERT_EQ_INT(e[1 + C_BLOB].logical.kind, PQ_LT_NONE);
    ASSERT_EQ_INT(e[1 + C_JSON].logical.kind, PQ_LT_JSON);
    ASSERT_EQ_INT(e[1 + C_UUID].logical.kind, PQ_LT_UUID);
    ASSERT_EQ_INT(e[1 + C_UUID].type_length, 16);
    pfile_close(&f);
    free_batch(&s, &b);
}

/* ---- Bloom filters ------------------------------------------------------------------- */

TEST(writer_bloom_primitives)
{
    /* XXH64 of the empty input with seed 0 (xxHash reference value). */
    ASSERT_EQ_U64(pq_bloom_hash_bytes("", 0), 0xEF46DB3751D8E999ULL);
    ASSERT_EQ_INT(pq_bloom_num_bytes(0, 0.01), 32);
    ASSERT_EQ_INT(pq_bloom_num_bytes(1000000, 0.01) & (pq_bloom_num_bytes(1000000, 0.01) - 1), 0);
    /* BloomFilter.md: ~1.2 MB for a million values at 1% -> 2 MiB after rounding */
    ASSERT_EQ_INT(pq_bloom_num_bytes(1000000, 0.01), 2 * 1024 * 1024);
    ASSERT_EQ_INT(pq_bloom_num_bytes(UINT64_MAX / 4, 0.01), PQ_BLOOM_MAX_BYTES);
    ASSERT_EQ_INT(pq_bloom_num_bytes(10, 2.0), pq_bloom_num_bytes(10, 0.01));
    uint32_t nb = pq_bloom_num_bytes(5000, 0.01);
    uint8_t *bits = tarn_calloc(1, nb);
    for (uint64_t i = 0; i < 5000; i++) {
        uint64_t h = pq_bloom_hash_bytes(&i, 8);
        pq_bloom_insert(bits, nb, h);
    }
    for (uint64_t i = 0; i < 5000; i++)
        ASSERT(pq_bloom_check(bits, nb, pq_bloom_hash_bytes(&i, 8)));
    int fp = 0;
    for (uint64_t i = 1000000; i < 1100000; i++)
        fp += pq_bloom_check(bits, nb, pq_bloom_hash_bytes(&i, 8));
    ASSERT(fp < 100000 * 0.01 * 2); /* fpp bound with margin */
    ASSERT(pq_bloom_check(bits, 16, 12345)); /* too short: no information */
    tarn_free(bits);
    /* A single inserted hash sets exactly one bit in each of the 8 words of its block. */
    uint8_t one[64] = {0};
    pq_bloom_insert(one, 64, 0x123456789ABCDEF0ULL);
    int set = 0;
    for (int i = 0; i < 64; i++)
        set += __builtin_popcount(one[i]);
    ASSERT_EQ_INT(set, 8);
    /* block = ((hash >> 32) * 2) >> 32 = 0 for 0x12345678 */
    for (int w = 0; w < 8; w++)
        ASSERT_EQ_INT(__builtin_popcount(load_le32(one + 4 * w)), 1);
    /* hash_value: physical representations */
    Value v = value_i64(TYPE_INT32, -5);
    uint64_t h;
    uint8_t le[8];
    store_le32(le, (uint32_t)-5);
    ASSERT(pq_bloom_hash_value(&v, PQ_INT32, 0, &h));
    ASSERT_EQ_U64(h, pq_bloom_hash_bytes(le, 4));
    v = value_i64(TYPE_INT64, (int64_t)1 << 40);
    ASSERT(!pq_bloom_hash_value(&v, PQ_INT32, 0, &h)); /* does not fit */
    v = value_str("abc", 3);
    ASSERT(pq_bloom_hash_value(&v, PQ_BYTE_ARRAY, 0, &h));
    ASSERT_EQ_U64(h, pq_bloom_hash_bytes("abc", 3));
    v = value_double(0.0);
    ASSERT(!pq_bloom_hash_value(&v, PQ_DOUBLE, 0, &h)); /* -0.0 == 0.0 */
    v = value_double(1.5);
    ASSERT(pq_bloom_hash_value(&v, PQ_DOUBLE, 0, &h));
}

TEST(writer_bloom_filters_in_file)
{
    Schema s;
    Batch b;
    all_types_batch(&s, &b, 4000, 0);
    PqWriteOptions o;
    pq_write_options_default(&o);
    o.bloom_filters = true;
    o.row_group_rows = 1500;
    const char *p = tmp_file("bloom.parquet");
    write_file(p, &s, &b, &o);
    validate_file(p);
    expect_roundtrip(p, &b);
    PFile f;
    pfile_open(&f, p);
    TarnError err = {0};
    int64_t row0 = 0;
    for (int g = 0; g < f.md.n_row_groups; g++) {
        const PqRowGroup *rg = &f.md.row_groups[g];
        for (int c = 0; c < C_N; c++) {
            const PqColumnMetaData *m = &rg->columns[c].meta_data;
            if (m->type == PQ_BOOLEAN) {
                ASSERT_EQ_INT(m->bloom_filter_offset, -1);
                continue;
            }
            ASSERT(m->bloom_filter_offset > 0);
            PqBloomFilterHeader bh;
            size_t used;
            ASSERT_OK(pq_decode_bloom_header(f.bytes.data + m->bloom_filter_offset,
                                             f.bytes.len - (size_t)m->bloom_filter_offset, &bh,
                                             &used, &err),
                      &err);
            ASSERT_EQ_INT(bh.algorithm, 1);
            ASSERT_EQ_INT(bh.hash, 1);
            ASSERT_EQ_INT(bh.compression, 1);
            ASSERT_EQ_INT(m->bloom_filter_length, (int32_t)used + bh.num_bytes);
            ASSERT(bh.num_bytes >= 32 && (bh.num_bytes & (bh.num_bytes - 1)) == 0);
            const uint8_t *bits = f.bytes.data + m->bloom_filter_offset + used;
            if (c == C_I64 || c == C_STR) {
                /* every value of the group is found */
                for (int64_t r = row0; r < row0 + rg->num_rows; r++) {
                    uint64_t hh;
                    if (c == C_I64) {
                        uint8_t le[8];
                        store_le64(le, (uint64_t)VEC_DATA(&b.cols[C_I64], int64_t)[r]);
                        hh = pq_bloom_hash_bytes(le, 8);
                    } else {
                        if (!vec_is_valid(&b.cols[C_STR], (uint32_t)r))
                            continue;
                        StrView sv = VEC_DATA(&b.cols[C_STR], StrView)[r];
                        hh = pq_bloom_hash_bytes(sv.ptr, sv.len);
                    }
                    ASSERT(pq_bloom_check(bits, (uint32_t)bh.num_bytes, hh));
                }
                /* absent values are mostly absent */
                int fp = 0;
                for (int64_t k = 0; k < 10000; k++) {
                    uint8_t le[8];
                    char absent[32];
                    /* i64 values are k * -1000000007 + 12345: none is in 20000..40000 */
                    store_le64(le, (uint64_t)(20000 + k * 2));
                    int n = snprintf(absent, sizeof absent, "absent-%lld", (long long)k);
                    fp += pq_bloom_check(bits, (uint32_t)bh.num_bytes,
                                         c == C_I64 ? pq_bloom_hash_bytes(le, 8)
                                                    : pq_bloom_hash_bytes(absent, (size_t)n));
                }
                ASSERT(fp < 10000 * 0.01 * 3);
            }
        }
        row0 += rg->num_rows;
    }
    pfile_close(&f);
    free_batch(&s, &b);
}

TEST(writer_bloom_filters_are_used_by_the_reader)
{
    Schema s;
    Batch b;
    int64_batch(&s, &b, 3000, false, 2, 0); /* even numbers 0..5998 */
    PqWriteOptions o;
    pq_write_options_default(&o);
    o.bloom_filters = true;
    o.row_group_rows = 1000;
    const char *p = tmp_file("bloom_reader.parquet");
    write_file(p, &s, &b, &o);
    int skipped_total = 0;
    for (int64_t x = 1; x < 2000; x += 2) { /* odd: absent, but inside group 0's min/max */
        PqPredicate pred = {.column = "x", .op = PQ_CMP_EQ, .value = value_i64(TYPE_INT64, x)};
        PqReadOptions ro;
        pq_read_options_default(&ro);
        ro.preds = &pred;
        ro.n_preds = 1;
        TarnError err = {0};
        PqReader *r = pq_reader_open(p, &ro, &err);
        ASSERT_NOT_NULL(r, &err);
        Batch rb;
        ASSERT_EQ_INT(batch_init(&rb, pq_reader_schema(r)), 0);
        do {
            ASSERT_OK(pq_reader_next(r, &rb, &err), &err);
        } while (rb.n_rows);
        PqReadStats st;
        pq_reader_stats(r, &st);
        skipped_total += (int)st.row_groups_skipped;
        batch_destroy(&rb);
        pq_reader_close(r);
    }
    /* 1000 lookups, 3 groups each, two groups excluded by min/max; group 0
     * is excluded by its bloom filter for nearly every odd value */
    ASSERT(skipped_total > 1000 * 2 + 900);
    free_batch(&s, &b);
}

/* ---- Sinks, errors and hostile use --------------------------------------------------- */

typedef struct MemSink {
    Buf buf;
    long limit; /* bytes accepted before failing; < 0 = no limit */
} MemSink;

static int mem_sink_write(void *ctx, const void *p, size_t len, TarnError *err)
{
    MemSink *m = ctx;
    if (m->limit >= 0 && m->buf.len + len > (size_t)m->limit)
        return err_set(err, TARN_ERR_IO, "sink refused the bytes");
    return buf_append(&m->buf, p, len) ? ERR_NOMEM(err, len) : 0;
}

TEST(writer_sink_matches_file)
{
    Schema s;
    Batch b;
    nested_batch(&s, &b, 500);
    const char *p = tmp_file("sink.parquet");
    write_file(p, &s, &b, NULL);
    MemSink m = {{0}, -1};
    buf_init(&m.buf);
    TarnError err = {0};
    PqWriter *w = pq_writer_open_sink((PqSink){&m, mem_sink_write}, &s, NULL, &err);
    ASSERT_NOT_NULL(w, &err);
    ASSERT_OK(pq_writer_write(w, &b, &err), &err);
    ASSERT_OK(pq_writer_close(w, &err), &err);
    Buf file;
    buf_init(&file);
    ASSERT_OK(file_read_all(p, &file, &err), &err);
    ASSERT_EQ_INT(file.len, m.buf.len);
    ASSERT_EQ_MEM(file.data, m.buf.data, file.len);
    buf_free(&file);
    buf_free(&m.buf);
    free_batch(&s, &b);
}

TEST(writer_sink_failure_is_reported)
{
    /* 3 MB of incompressible-ish values: the output buffer is flushed to the
     * sink several times; fail at the first byte, in the middle, at the footer. */
    Schema s;
    Batch b;
    int64_batch(&s, &b, 400000, false, (int64_t)0x9E3779B97F4A7C15LL, 0);
    PqWriteOptions o;
    pq_write_options_default(&o);
    o.row_group_rows = 100000;
    o.codec = PQ_CODEC_UNCOMPRESSED;
    MemSink ok = {{0}, -1};
    buf_init(&ok.buf);
    TarnError err = {0};
    PqWriter *w = pq_writer_open_sink((PqSink){&ok, mem_sink_write}, &s, &o, &err);
    ASSERT_NOT_NULL(w, &err);
    ASSERT_OK(pq_writer_write(w, &b, &err), &err);
    ASSERT_OK(pq_writer_close(w, &err), &err);
    long size = (long)ok.buf.len;
    ASSERT(size > 3000000);
    buf_free(&ok.buf);
    long limits[] = {0, size / 2, size - 1};
    for (int k = 0; k < 3; k++) {
        MemSink m = {{0}, limits[k]};
        buf_init(&m.buf);
        err = (TarnError){0};
        w = pq_writer_open_sink((PqSink){&m, mem_sink_write}, &s, &o, &err);
        ASSERT_NOT_NULL(w, &err);
        int rc = pq_writer_write(w, &b, &err);
        if (rc) {
            /* a failed writer refuses more work */
            TarnError e2 = {0};
            ASSERT(pq_writer_write(w, &b, &e2) != 0);
            pq_writer_abort(w);
        } else {
            rc = pq_writer_close(w, &err);
        }
        ASSERT_EQ_INT(rc, TARN_ERR_IO);
        ASSERT_ERR_CONTAINS(&err, "sink refused");
        buf_free(&m.buf);
    }
    free_batch(&s, &b);
}

TEST(writer_null_in_required_column_is_an_error)
{
    Schema s;
    Batch b;
    int64_batch(&s, &b, 10, false, 1, 0);
    ASSERT_EQ_INT(vec_set_null(&b.cols[0], 7), 0);
    const char *p = tmp_file("required_null.parquet");
    TarnError err = {0};
    PqWriter *w = pq_writer_open(p, &s, NULL, &err);
    ASSERT_NOT_NULL(w, &err);
    ASSERT_EQ_INT(pq_writer_write(w, &b, &err), TARN_ERR_INVALID);
    ASSERT_ERR_CONTAINS(&err, "null value in non-nullable column \"x\"");
    TarnError e2 = {0};
    ASSERT(pq_writer_close(w, &e2) != 0);
    struct stat st;
    ASSERT(stat(p, &st) != 0); /* the unfinished file was removed */
    free_batch(&s, &b);

    /* the same inside a list of non-nullable strings */
    nested_batch(&s, &b, 20);
    ASSERT_EQ_INT(vec_set_null(&b.cols[1].children[0], 3), 0);
    err = (TarnError){0};
    w = pq_writer_open(p, &s, NULL, &err);
    ASSERT_NOT_NULL(w, &err);
    ASSERT_EQ_INT(pq_writer_write(w, &b, &err), TARN_ERR_INVALID);
    ASSERT_ERR_CONTAINS(&err, "\"ls.");
    pq_writer_abort(w);
    ASSERT(stat(p, &st) != 0);
    free_batch(&s, &b);
}

TEST(writer_bad_usage_errors)
{
    TarnError err = {0};
    Schema s;
    schema_init(&s);
    /* no columns */
    ASSERT(pq_writer_open(tmp_file("none.parquet"), &s, NULL, &err) == NULL);
    ASSERT_EQ_INT(err.kind, TARN_ERR_INVALID);
    /* empty struct */
    LogicalType t;
    type_struct_init(&t);
    ASSERT_EQ_INT(schema_add(&s, "st", t, true), 0);
    err = (TarnError){0};
    ASSERT(pq_writer_open(tmp_file("emptystruct.parquet"), &s, NULL, &err) == NULL);
    ASSERT_EQ_INT(err.kind, TARN_ERR_UNSUPPORTED);
    schema_destroy(&s);
    /* bad options */
    Schema s2;
    Batch b;
    int64_batch(&s2, &b, 10, true, 1, 0);
    PqWriteOptions o;
    pq_write_options_default(&o);
    o.data_page_version = 3;
    err = (TarnError){0};
    ASSERT(pq_writer_open(tmp_file("badopt.parquet"), &s2, &o, &err) == NULL);
    ASSERT_EQ_INT(err.kind, TARN_ERR_INVALID);
    pq_write_options_default(&o);
    o.codec = PQ_CODEC_BROTLI;
    err = (TarnError){0};
    ASSERT(pq_writer_open(tmp_file("brotli.parquet"), &s2, &o, &err) == NULL);
    ASSERT_EQ_INT(err.kind, TARN_ERR_UNSUPPORTED);
    pq_write_options_default(&o);
    o.page_rows = -1;
    err = (TarnError){0};
    ASSERT(pq_writer_open(tmp_file("neg.parquet"), &s2, &o, &err) == NULL);
    ASSERT_EQ_INT(err.kind, TARN_ERR_INVALID);
    /* unwritable path */
    err = (TarnError){0};
    ASSERT(pq_writer_open("/nonexistent-dir/x.parquet", &s2, NULL, &err) == NULL);
    ASSERT_ERR_CONTAINS(&err, "/nonexistent-dir/x.parquet");
    /* batch of another schema */
    Schema s3;
    schema_init(&s3);
    ASSERT_EQ_INT(schema_add(&s3, "x", type_simple(TYPE_STRING), true), 0);
    err = (TarnError){0};
    PqWriter *w = pq_writer_open(tmp_file("mismatch.parquet"), &s3, NULL, &err);
    ASSERT_NOT_NULL(w, &err);
    ASSERT_EQ_INT(pq_writer_write(w, &b, &err), TARN_ERR_INVALID);
    /* the mismatch was caught before any column changed: the writer goes on */
    ASSERT_OK(pq_writer_close(w, &err), &err);
    schema_destroy(&s3);
    /* abort removes the file */
    err = (TarnError){0};
    const char *p = tmp_file("aborted.parquet");
    w = pq_writer_open(p, &s2, NULL, &err);
    ASSERT_NOT_NULL(w, &err);
    ASSERT_OK(pq_writer_write(w, &b, &err), &err);
    pq_writer_abort(w);
    struct stat st;
    ASSERT(stat(p, &st) != 0);
    pq_writer_abort(NULL);
    free_batch(&s2, &b);
}

TEST(writer_inconsistent_vectors_are_rejected)
{
    Schema s;
    Batch b;
    nested_batch(&s, &b, 50);
    const char *p = tmp_file("inconsistent.parquet");
    TarnError err = {0};
    PqWriter *w = pq_writer_open(p, &s, NULL, &err);
    ASSERT_NOT_NULL(w, &err);
    /* decreasing list offsets */
    uint32_t saved = b.cols[0].offsets[10];
    b.cols[0].offsets[10] = b.cols[0].offsets[11] + 1;
    ASSERT_EQ_INT(pq_writer_write(w, &b, &err), TARN_ERR_INVALID);
    ASSERT_ERR_CONTAINS(&err, "\"li\"");
    b.cols[0].offsets[10] = saved;
    /* a list child shorter than the offsets say */
    err = (TarnError){0};
    b.cols[1].children[0].len--;
    ASSERT_EQ_INT(pq_writer_write(w, &b, &err), TARN_ERR_INVALID);
    b.cols[1].children[0].len++;
    /* a batch claiming more rows than its vectors hold */
    err = (TarnError){0};
    b.n_rows = 51;
    ASSERT_EQ_INT(pq_writer_write(w, &b, &err), TARN_ERR_INVALID);
    b.n_rows = 50;
    /* none of these changed the file: a good batch still writes */
    ASSERT_OK(pq_writer_write(w, &b, &err), &err);
    ASSERT_OK(pq_writer_close(w, &err), &err);
    validate_file(p);
    expect_roundtrip(p, &b);
    free_batch(&s, &b);
}

TEST(writer_allocation_failures_are_clean)
{
    Schema s;
    Batch b;
    nested_batch(&s, &b, 300);
    PqWriteOptions o;
    pq_write_options_default(&o);
    o.bloom_filters = true;
    o.page_rows = 50;
    const char *p = tmp_file("oom.parquet");
    bool ok = false;
    for (long n = 1; n < 5000 && !ok; n++) {
        TarnError err = {0};
        mem_fail_after(n);
        PqWriter *w = pq_writer_open(p, &s, &o, &err);
        int rc = w ? pq_writer_write(w, &b, &err) : err.kind;
        if (w) {
            if (rc)
                pq_writer_abort(w);
            else
                rc = pq_writer_close(w, &err);
        }
        mem_fail_after(0);
        if (rc == 0) {
            ok = true;
            break;
        }
        ASSERT_EQ_INT(rc, TARN_ERR_NOMEM);
    }
    ASSERT(ok);
    validate_file(p);
    expect_roundtrip(p, &b);
    free_batch(&s, &b);
}

TEST(writer_many_batches_large_strings)
{
    /* strings from 0 to 100 KB across many batches: page cuts by bytes */
    Schema s;
    schema_init(&s);
    ASSERT_EQ_INT(schema_add(&s, "s", type_simple(TYPE_BLOB), true), 0);
    Batch all;
    ASSERT_EQ_INT(batch_init(&all, &s), 0);
    char *big = tarn_malloc(100000);
    for (int i = 0; i < 100000; i++)
        big[i] = (char)(i * 7);
    int64_t total = 0;
    for (uint32_t i = 0; i < 300; i++) {
        if (i % 10 == 9) {
            vec_append_null(&all.cols[0]);
        } else {
            vec_append_str(&all.cols[0], big + (i * 13) % 1000, (i * 977) % 99000);
            total += 4 + (i * 977) % 99000;
        }
    }
    all.n_rows = 300;
    PqWriteOptions o;
    pq_write_options_default(&o);
    o.page_bytes = 256 * 1024;
    const char *p = tmp_file("bigstr.parquet");
    write_file(p, &s, &all, &o);
    int pages = validate_file(p);
    /* whole values per page, at most page_bytes unless one value is larger */
    if (!(pages >= total / (256 * 1024) + 1 && pages <= total / (128 * 1024)))
        TFAIL("%d pages for %lld bytes", pages, (long long)total);
    expect_roundtrip(p, &all);
    tarn_free(big);
    free_batch(&s, &all);
}

/* ---- DuckDB cross-check -------------------------------------------------------------- */

/* Runs a DuckDB query through node (tools/node); returns false when node or
 * the DuckDB package is missing.  The JSON rows go to out. */
static bool duckdb_query(const char *sql, Buf *out)
{
    struct stat st;
    char cwd[1024];
    if (!getcwd(cwd, sizeof cwd))
        return false;
    char mod[1200];
    snprintf(mod, sizeof mod, "%s/tools/node/node_modules/@duckdb/node-api", cwd);
    if (stat(mod, &st) != 0 || system("node --version >/dev/null 2>&1") != 0)
        return false;
    const char *js = tmp_file("q.js");
    FILE *f = fopen(js, "w");
    ASSERT(f);
    fprintf(f,
            "const {DuckDBInstance}=require('@duckdb/node-api');\n"
            "(async()=>{const i=await DuckDBInstance.create();const c=await i.connect();\n"
            "const r=await c.runAndReadAll(process.argv[2]);\n"
            "console.log(JSON.stringify(r.getRowsJson()));})().catch(e=>{console.log('ERROR '+e.message);});\n");
    fclose(f);
    const char *sqlf = tmp_file("q.sql");
    f = fopen(sqlf, "w");
    ASSERT(f);
    fputs(sql, f);
    fclose(f);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "NODE_PATH='%s/tools/node/node_modules' node '%s' \"$(cat '%s')\"",
             cwd, js, sqlf);
    FILE *pp = popen(cmd, "r");
    ASSERT(pp);
    char line[4096];
    buf_clear(out);
    size_t k;
    while ((k = fread(line, 1, sizeof line, pp)) > 0)
        buf_append(out, line, k);
    pclose(pp);
    while (out->len && (out->data[out->len - 1] == '\n'))
        out->len--;
    buf_terminate(out);
    return true;
}

TEST(writer_duckdb_reads_our_files)
{
    Schema s;
    Batch b;
    nested_batch(&s, &b, 2000);
    PqWriteOptions o;
    pq_write_options_default(&o);
    o.page_rows = 101;
    o.data_page_version = 2;
    o.codec = PQ_CODEC_ZSTD;
    o.bloom_filters = true;
    const char *p = tmp_file("duck_nested.parquet");
    write_file(p, &s, &b, &o);
    Buf out;
    buf_init(&out);
    char sql[2048];
    snprintf(sql, sizeof sql,
             "select count(*), sum(len(li)), count(li), sum(list_sum(li)), sum(len(ls)), "
             "count(st), sum(st.a), sum(cardinality(m)), sum(len(los)), "
             "sum((select sum(coalesce(list_sum(e.ys), 0)) from (select unnest(los) as e))), "
             "sum(cardinality(ml)) from read_parquet('%s')",
             p);
    if (!duckdb_query(sql, &out))
        SKIP("node or @duckdb/node-api not found (tools/node)");
    /* the same aggregates computed from the source vectors */
    int64_t cnt_li = 0, len_li = 0, sum_li = 0, len_ls = 0, cnt_st = 0, sum_a = 0, card_m = 0,
            len_los = 0, sum_ys = 0, card_ml = 0;
    const Vector *v = b.cols;
    for (uint32_t i = 0; i < b.n_rows; i++) {
        if (vec_is_valid(&v[0], i)) {
            cnt_li++;
            for (uint32_t k = v[0].offsets[i]; k < v[0].offsets[i + 1]; k++) {
                len_li++;
                if (vec_is_valid(&v[0].children[0], k))
                    sum_li += VEC_DATA(&v[0].children[0], int32_t)[k];
            }
        }
        len_ls += v[1].offsets[i + 1] - v[1].offsets[i];
        if (vec_is_valid(&v[2], i)) {
            cnt_st++;
            if (vec_is_valid(&v[2].children[0], i))
                sum_a += VEC_DATA(&v[2].children[0], int64_t)[i];
        }
        if (vec_is_valid(&v[3], i))
            card_m += v[3].offsets[i + 1] - v[3].offsets[i];
        if (vec_is_valid(&v[4], i)) {
            const Vector *el = &v[4].children[0];
            len_los += v[4].offsets[i + 1] - v[4].offsets[i];
            for (uint32_t k = v[4].offsets[i]; k < v[4].offsets[i + 1]; k++) {
                if (!vec_is_valid(el, k) || !vec_is_valid(&el->children[1], k))
                    continue;
                const Vector *ys = &el->children[1];
                for (uint32_t q = ys->offsets[k]; q < ys->offsets[k + 1]; q++)
                    if (vec_is_valid(&ys->children[0], q))
                        sum_ys += VEC_DATA(&ys->children[0], int16_t)[q];
            }
        }
        if (vec_is_valid(&v[5], i))
            card_ml += v[5].offsets[i + 1] - v[5].offsets[i];
    }
    char want[1024];
    snprintf(want, sizeof want,
             "[[\"2000\",\"%lld\",\"%lld\",\"%lld\",\"%lld\",\"%lld\",\"%lld\",\"%lld\",\"%lld\","
             "\"%lld\",\"%lld\"]]",
             (long long)len_li, (long long)cnt_li, (long long)sum_li, (long long)len_ls,
             (long long)cnt_st, (long long)sum_a, (long long)card_m, (long long)len_los,
             (long long)sum_ys, (long long)card_ml);
    ASSERT_EQ_STR((char *)out.data, want);

    /* all flat types: DuckDB's statistics agree with ours and values read */
    Schema s2;
    Batch b2;
    all_types_batch(&s2, &b2, 3000, 0);
    p = tmp_file("duck_all.parquet");
    pq_write_options_default(&o);
    o.page_rows = 500;
    write_file(p, &s2, &b2, &o);
    snprintf(sql, sizeof sql,
             "select count(*), count(b), sum(i8), sum(i16), sum(i32), sum(i64), sum(u8), sum(u16), "
             "sum(u32), sum(u64::hugeint), count(f32), sum(dec4), sum(dec15), count(dec38), "
             "min(d)::varchar, max(tstz)::varchar, count(ivl), sum(len(s)), sum(octet_length(blob)), "
             "count(j), count(u) from read_parquet('%s')",
             p);
    ASSERT(duckdb_query(sql, &out));
    ASSERT(strncmp((char *)out.data, "[[\"3000\",", 9) == 0);
    ASSERT(!strstr((char *)out.data, "ERROR"));
    int64_t sums[9] = {0};
    int64_t n_valid = 0;
    for (uint32_t i = 0; i < 3000; i++) {
        if (i % 7 == 3)
            continue;
        n_valid++;
        sums[0] += VEC_DATA(&b2.cols[C_I8], int8_t)[i];
        sums[1] += VEC_DATA(&b2.cols[C_I16], int16_t)[i];
        sums[2] += VEC_DATA(&b2.cols[C_I32], int32_t)[i];
        sums[4] += VEC_DATA(&b2.cols[C_U8], uint8_t)[i];
        sums[5] += VEC_DATA(&b2.cols[C_U16], uint16_t)[i];
        sums[6] += VEC_DATA(&b2.cols[C_U32], uint32_t)[i];
    }
    for (uint32_t i = 0; i < 3000; i++)
        sums[3] += VEC_DATA(&b2.cols[C_I64], int64_t)[i];
    char frag[512];
    snprintf(frag, sizeof frag, "\"3000\",\"%lld\",\"%lld\",\"%lld\",\"%lld\",\"%lld\",\"%lld\",\"%lld\",\"%lld\"",
             (long long)n_valid, (long long)sums[0], (long long)sums[1], (long long)sums[2],
             (long long)sums[3], (long long)sums[4], (long long)sums[5], (long long)sums[6]);
    if (!strstr((char *)out.data, frag))
        TFAIL("duckdb: %s\nexpected prefix: %s", (char *)out.data, frag);
    snprintf(sql, sizeof sql,
             "select path_in_schema, stats_min_value, stats_max_value, stats_null_count from "
             "parquet_metadata('%s') where path_in_schema in ('u32','dec15','s') order by 1",
             p);
    ASSERT(duckdb_query(sql, &out));
    if (!strstr((char *)out.data, "[\"dec15\",\"-5000.00\",\"232490.81\",\"0\"]"))
        TFAIL("duckdb: %s", (char *)out.data);
    ASSERT(strstr((char *)out.data, "[\"s\",\"\",\"abcdefgh998\",\"429\"]"));
    ASSERT(strstr((char *)out.data, "[\"u32\",\"0\",\"4294202008\",\"429\"]"));
    buf_free(&out);
    free_batch(&s, &b);
    free_batch(&s2, &b2);
}

/* Every encoding, page version and codec: DuckDB must read the same table
 * from each variant (one checksum per file, all equal). */
TEST(writer_duckdb_reads_every_variant_alike)
{
    Schema s;
    Batch b;
    all_types_batch(&s, &b, 1200, 0);
    Schema sn;
    Batch bn;
    nested_batch(&sn, &bn, 1200);
    /* (BYTE_STREAM_SPLIT is left out: DuckDB 1.5 reads it for FLOAT and
     * DOUBLE only, not for the INT32/INT64/FLBA columns the spec added.) */
    static const int encs[] = {-1, PQ_ENC_PLAIN, PQ_ENC_DELTA_BINARY_PACKED,
                               PQ_ENC_DELTA_LENGTH_BYTE_ARRAY, PQ_ENC_DELTA_BYTE_ARRAY,
                               PQ_ENC_RLE, PQ_ENC_RLE_DICTIONARY};
    static const PqCodec codecs[] = {PQ_CODEC_SNAPPY, PQ_CODEC_ZSTD, PQ_CODEC_GZIP,
                                     PQ_CODEC_LZ4_RAW, PQ_CODEC_UNCOMPRESSED};
    Buf sql, out;
    buf_init(&sql);
    buf_init(&out);
    int n_files = 0;
    for (int tab = 0; tab < 2; tab++) {
        for (size_t e = 0; e < sizeof encs / sizeof encs[0]; e++) {
            for (int v = 1; v <= 2; v++) {
                PqWriteOptions o;
                pq_write_options_default(&o);
                o.force_encoding = encs[e];
                o.data_page_version = v;
                o.codec = codecs[(e + (size_t)v) % 5];
                o.page_rows = 333;
                o.row_group_rows = 500;
                char name[64];
                snprintf(name, sizeof name, "var_%d_%d_%d.parquet", tab, (int)e, v);
                const char *p = tmp_file(name);
                write_file(p, tab ? &sn : &s, tab ? &bn : &b, &o);
                buf_printf(&sql, "%sselect %d as tab, '%s' as f, md5(string_agg(t::varchar, '|' order by file_row_number)) as h "
                                 "from read_parquet('%s', file_row_number = true) t",
                           n_files ? " union all " : "", tab, name, p);
                n_files++;
            }
        }
    }
    buf_printf(&sql, " order by tab, f");
    buf_terminate(&sql);
    Buf q;
    buf_init(&q);
    buf_printf(&q, "select tab, count(distinct h), count(*), min(h) from (%s) group by tab order by tab",
               (char *)sql.data);
    buf_terminate(&q);
    if (!duckdb_query((char *)q.data, &out))
        SKIP("node or @duckdb/node-api not found (tools/node)");
    /* one distinct checksum per table over all 14 variants */
    if (!strstr((char *)out.data, "[0,\"1\",\"14\",") || !strstr((char *)out.data, "[1,\"1\",\"14\","))
        TFAIL("duckdb: %s", (char *)out.data);
    buf_free(&q);
    buf_free(&sql);
    buf_free(&out);
    free_batch(&s, &b);
    free_batch(&sn, &bn);
}

/* DuckDB's parquet_bloom_probe on our filters: present values are never
 * excluded, absent ones are (for these probes). */
TEST(writer_duckdb_probes_our_bloom_filters)
{
    Schema s;
    schema_init(&s);
    ASSERT_EQ_INT(schema_add(&s, "i", type_simple(TYPE_INT64), false), 0);
    ASSERT_EQ_INT(schema_add(&s, "s", type_simple(TYPE_STRING), true), 0);
    ASSERT_EQ_INT(schema_add(&s, "i32", type_simple(TYPE_INT32), true), 0);
    ASSERT_EQ_INT(schema_add(&s, "d", type_simple(TYPE_DOUBLE), true), 0);
    Batch b;
    ASSERT_EQ_INT(batch_init(&b, &s), 0);
    for (int i = 0; i < 10000; i++) {
        char buf[32];
        int n = snprintf(buf, sizeof buf, "v%d", i * 2);
        ASSERT_EQ_INT(vec_append_i64(&b.cols[0], i * 2), 0);
        ASSERT_EQ_INT(vec_append_str(&b.cols[1], buf, (size_t)n), 0);
        ASSERT_EQ_INT(vec_append_i64(&b.cols[2], i * 2), 0);
        ASSERT_EQ_INT(vec_append_double(&b.cols[3], i * 2 + 0.5), 0);
    }
    b.n_rows = 10000;
    PqWriteOptions o;
    pq_write_options_default(&o);
    o.bloom_filters = true;
    const char *p = tmp_file("duck_bloom.parquet");
    write_file(p, &s, &b, &o);
    static const char *probes[] = {"'i', 4", "'i', 5", "'s', 'v8'", "'s', 'v7'", "'i32', 8",
                                   "'i32', 7", "'d', 8.5", "'d', 8.25"};
    Buf sql, out;
    buf_init(&sql);
    buf_init(&out);
    for (int k = 0; k < 8; k++)
        buf_printf(&sql, "%sselect %d as k, bloom_filter_excludes from parquet_bloom_probe('%s', %s)",
                   k ? " union all " : "", k, p, probes[k]);
    buf_printf(&sql, " order by k");
    buf_terminate(&sql);
    if (!duckdb_query((char *)sql.data, &out))
        SKIP("node or @duckdb/node-api not found (tools/node)");
    ASSERT_EQ_STR((char *)out.data, "[[0,false],[1,true],[2,false],[3,true],[4,false],[5,true],"
                                    "[6,false],[7,true]]");
    buf_free(&sql);
    buf_free(&out);
    free_batch(&s, &b);
}
