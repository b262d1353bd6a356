/*
 * cmd_parquet.c - `tarn parquet schema|meta|cat FILE`: look inside a
 * Parquet file.
 *
 *   schema  the schema tree: repetition, physical type, annotations, and the
 *           tarn (PostgreSQL) type each field reads as;
 *   meta    footer metadata: row groups, column chunks, encodings, codecs,
 *           sizes, statistics, page index and bloom filter presence;
 *   cat     rows as CSV (header line) or NDJSON, with --limit and --columns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "format/parquet/compress.h"
#include "format/parquet/reader.h"
#include "format/parquet/schema.h"
#include "vector/format.h"

static int flush_buf(Buf *b)
{
    if (b->len && fwrite(b->data, 1, b->len, stdout) != b->len)
        return 1;
    b->len = 0;
    return 0;
}

static const char *rep_name(int rep)
{
    switch (rep) {
    case PQ_REQUIRED: return "required";
    case PQ_OPTIONAL: return "optional";
    case PQ_REPEATED: return "repeated";
    default: return "";
    }
}

/* Prints element idx and its subtree; returns the index after it. */
static int print_element(const PqFileMetaData *md, int idx, int depth, Buf *out)
{
    if (idx >= md->n_schema || depth > PQ_MAX_NESTING)
        return md->n_schema;
    const PqSchemaElement *e = &md->schema[idx];
    buf_printf(out, "%*s%s %s", depth * 2, "", rep_name(e->repetition), e->name ? e->name : "");
    bool group = e->num_children > 0 || e->type < 0;
    if (group) {
        buf_printf(out, ": group");
    } else {
        buf_printf(out, ": %s", pq_phys_name(e->type));
        if (e->type == PQ_FIXED_LEN_BYTE_ARRAY)
            buf_printf(out, "(%d)", e->type_length);
    }
    char lt[96];
    pq_logical_text(&e->logical, lt, sizeof lt);
    if (lt[0])
        buf_printf(out, " %s", lt);
    else if (e->converted_type >= 0)
        buf_printf(out, " %s", pq_converted_name(e->converted_type));
    if (e->converted_type == PQ_CT_DECIMAL && e->logical.kind != PQ_LT_DECIMAL)
        buf_printf(out, "(%d,%d)", e->precision, e->scale);
    if (e->has_field_id)
        buf_printf(out, " field_id=%d", e->field_id);
    buf_printf(out, "\n");
    int next = idx + 1;
    for (int i = 0; i < e->num_children && next < md->n_schema; i++)
        next = print_element(md, next, depth + 1, out);
    return next;
}

static int do_schema(PqReader *r)
{
    const PqFileMetaData *md = pq_reader_metadata(r);
    const Schema *s = pq_reader_file_schema(r);
    Buf out;
    buf_init(&out);
    buf_printf(&out, "message %s {\n", md->schema[0].name ? md->schema[0].name : "schema");
    int next = 1;
    for (int i = 0; i < md->schema[0].num_children && next < md->n_schema; i++)
        next = print_element(md, next, 1, &out);
    buf_printf(&out, "}\n\ncolumns as tarn reads them:\n");
    for (uint32_t i = 0; i < s->n_fields; i++) {
        char tn[512];
        buf_printf(&out, "  %s %s%s\n", s->fields[i].name, type_name(&s->fields[i].type, tn, sizeof tn),
                   s->fields[i].nullable ? "" : " not null");
    }
    int rc = flush_buf(&out);
    buf_free(&out);
    return rc;
}

static void print_kv(Buf *out, const char *indent, int n, const PqKeyValue *kv)
{
    for (int i = 0; i < n; i++) {
        const char *v = kv[i].value;
        size_t len = v ? strlen(v) : 0;
        if (len > 200)
            buf_printf(out, "%s%s = %.200s... (%zu bytes)\n", indent, kv[i].key, v, len);
        else
            buf_printf(out, "%s%s = %s\n", indent, kv[i].key, v ? v : "(null)");
    }
}

/* Statistic value as text in the column's tarn type. */
static void print_stat(Buf *out, const PqLeaf *leaf, PqBytes b)
{
    if (!b.ptr) {
        buf_printf(out, "-");
        return;
    }
    LogicalType t = *leaf->type;
    Vector v;
    if (type_is_nested(t.id) || vec_init(&v, leaf->type)) {
        buf_printf(out, "(%u bytes)", b.len);
        return;
    }
    bool ok = true;
    const uint8_t *p = b.ptr;
    switch (leaf->conv) {
    case PQ_CONV_BYTES:
        ok = !vec_append_str(&v, (const char *)p, b.len);
        break;
    case PQ_CONV_BOOL:
        ok = b.len >= 1 && !vec_append_bool(&v, p[0] != 0);
        break;
    case PQ_CONV_NONE:
        if (t.id == TYPE_FLOAT && b.len == 4) {
            float f;
            memcpy(&f, p, 4);
            ok = !vec_append_double(&v, f);
        } else if (t.id == TYPE_DOUBLE && b.len == 8) {
            double d;
            memcpy(&d, p, 8);
            ok = !vec_append_double(&v, d);
        } else if (b.len == 4) {
            int32_t x;
            memcpy(&x, p, 4);
            ok = !vec_append_i64(&v, t.id == TYPE_UINT32 ? (int64_t)(uint32_t)x : x);
        } else if (b.len == 8) {
            int64_t x;
            memcpy(&x, p, 8);
            ok = t.id == TYPE_UINT64 ? !vec_append_u64(&v, (uint64_t)x) : !vec_append_i64(&v, x);
        } else {
            ok = false;
        }
        break;
    case PQ_CONV_I32_TO_I8:
    case PQ_CONV_I32_TO_I16:
    case PQ_CONV_I32_TO_U8:
    case PQ_CONV_I32_TO_U16:
    case PQ_CONV_I32_DECIMAL:
    case PQ_CONV_TIME_MS:
        if (b.len == 4) {
            int32_t x;
            memcpy(&x, p, 4);
            ok = !vec_append_i64(&v, leaf->conv == PQ_CONV_TIME_MS ? (int64_t)x * 1000 : x);
        } else {
            ok = false;
        }
        break;
    case PQ_CONV_I64_DECIMAL:
    case PQ_CONV_TS_MS:
    case PQ_CONV_TS_NS:
    case PQ_CONV_TIME_NS:
        if (b.len == 8) {
            int64_t x;
            memcpy(&x, p, 8);
            if (leaf->conv == PQ_CONV_TS_MS)
                x *= 1000;
            else if (leaf->conv == PQ_CONV_TS_NS || leaf->conv == PQ_CONV_TIME_NS)
                x = x / 1000 - (x % 1000 < 0);
            ok = !vec_append_i64(&v, x);
        } else {
            ok = false;
        }
        break;
    case PQ_CONV_BIN_DECIMAL:
        if (b.len >= 1 && b.len <= 16) {
            unsigned __int128 u = (p[0] & 0x80) ? ~(unsigned __int128)0 : 0;
            for (uint32_t i = 0; i < b.len; i++)
                u = (u << 8) | p[i];
            ok = !vec_append_i128(&v, (int128_t)u);
        } else {
            ok = false;
        }
        break;
    default:
        ok = false;
    }
    if (ok && v.len == 1) {
        Buf tmp;
        buf_init(&tmp);
        value_format_text(&v, 0, &tmp);
        if (tmp.len > 60)
            buf_printf(out, "\"%.60s...\"", (const char *)tmp.data);
        else
            buf_printf(out, "%.*s", (int)tmp.len, (const char *)tmp.data);
        buf_free(&tmp);
    } else {
        buf_printf(out, "0x");
        for (uint32_t i = 0; i < b.len && i < 32; i++)
            buf_printf(out, "%02x", b.ptr[i]);
    }
    vec_destroy(&v);
}

static int do_meta(PqReader *r, const char *path)
{
    const PqFileMetaData *md = pq_reader_metadata(r);
    Arena a;
    arena_init(&a, 0);
    PqSchema ps;
    TarnError err = {0};
    if (pq_schema_build(md, &a, &ps, &err)) {
        arena_free(&a);
        return cli_report(&err);
    }
    Buf out;
    buf_init(&out);
    FILE *f = fopen(path, "rb");
    long fsize = -1;
    if (f) {
        fseek(f, 0, SEEK_END);
        fsize = ftell(f);
        fclose(f);
    }
    buf_printf(&out, "file:          %s\n", path);
    if (fsize >= 0)
        buf_printf(&out, "size:          %ld bytes\n", fsize);
    buf_printf(&out, "created_by:    %s\n", md->created_by ? md->created_by : "(unset)");
    buf_printf(&out, "format:        version %d\n", md->version);
    buf_printf(&out, "rows:          %lld\n", (long long)pq_reader_num_rows(r));
    buf_printf(&out, "row groups:    %d\n", md->n_row_groups);
    buf_printf(&out, "columns:       %d leaf columns\n", ps.n_leaves);
    if (md->n_kv) {
        buf_printf(&out, "key/value metadata:\n");
        print_kv(&out, "  ", md->n_kv, md->key_value_metadata);
    }
    for (int g = 0; g < md->n_row_groups; g++) {
        const PqRowGroup *rg = &md->row_groups[g];
        buf_printf(&out, "\nrow group %d: %lld rows, %lld bytes uncompressed", g, (long long)rg->num_rows,
                   (long long)rg->total_byte_size);
        if (rg->total_compressed_size >= 0)
            buf_printf(&out, ", %lld compressed", (long long)rg->total_compressed_size);
        buf_printf(&out, "\n");
        for (int c = 0; c < rg->n_columns && c < ps.n_leaves; c++) {
            const PqColumnChunk *cc = &rg->columns[c];
            const PqLeaf *leaf = &ps.leaves[c];
            buf_printf(&out, "  column %s\n", leaf->path);
            if (!cc->has_meta_data) {
                buf_printf(&out, "    (no metadata%s)\n", cc->encrypted ? ", encrypted" : "");
                continue;
            }
            const PqColumnMetaData *m = &cc->meta_data;
            buf_printf(&out, "    type %s, codec %s, %lld values\n", pq_phys_name(m->type), pq_codec_name(m->codec),
                       (long long)m->num_values);
            buf_printf(&out, "    encodings");
            for (int e = 0; e < m->n_encodings; e++)
                buf_printf(&out, "%s%s", e ? ", " : " ", pq_encoding_name(m->encodings[e]));
            buf_printf(&out, "\n    size %lld compressed, %lld uncompressed", (long long)m->total_compressed_size,
                       (long long)m->total_uncompressed_size);
            if (m->total_compressed_size > 0)
                buf_printf(&out, " (ratio %.2f)", (double)m->total_uncompressed_size / (double)m->total_compressed_size);
            buf_printf(&out, "\n    offsets: data %lld", (long long)m->data_page_offset);
            if (m->dictionary_page_offset >= 0)
                buf_printf(&out, ", dictionary %lld", (long long)m->dictionary_page_offset);
            buf_printf(&out, "\n");
            if (m->has_statistics) {
                const PqStatistics *s = &m->statistics;
                PqBytes mn = s->min_value.ptr ? s->min_value : s->min;
                PqBytes mx = s->max_value.ptr ? s->max_value : s->max;
                buf_printf(&out, "    statistics: min ");
                print_stat(&out, leaf, mn);
                buf_printf(&out, ", max ");
                print_stat(&out, leaf, mx);
                if (s->null_count >= 0)
                    buf_printf(&out, ", nulls %lld", (long long)s->null_count);
                if (s->distinct_count >= 0)
                    buf_printf(&out, ", distinct %lld", (long long)s->distinct_count);
                if (!s->min_value.ptr && s->min.ptr)
                    buf_printf(&out, " (legacy min/max)");
                buf_printf(&out, "\n");
            }
            if (cc->column_index_offset >= 0 || cc->offset_index_offset >= 0)
                buf_printf(&out, "    page index: column index %s, offset index %s\n",
                           cc->column_index_offset >= 0 ? "yes" : "no", cc->offset_index_offset >= 0 ? "yes" : "no");
            if (m->bloom_filter_offset >= 0)
                buf_printf(&out, "    bloom filter at %lld%s\n", (long long)m->bloom_filter_offset,
                           m->bloom_filter_length > 0 ? "" : "");
            if (m->n_kv) {
                buf_printf(&out, "    key/value metadata:\n");
                print_kv(&out, "      ", m->n_kv, m->key_value_metadata);
            }
        }
    }
    int rc = flush_buf(&out);
    buf_free(&out);
    pq_schema_destroy(&ps);
    arena_free(&a);
    return rc;
}

static int do_cat(const char *path, int argc, char **argv)
{
    const char *format = "csv", *limit_s = NULL, *cols_s = NULL;
    for (int i = 0; i < argc; i++) {
        const char *v;
        if (cli_opt(argc, argv, &i, "--format", &v))
            format = v;
        else if (cli_opt(argc, argv, &i, "--limit", &v))
            limit_s = v;
        else if (cli_opt(argc, argv, &i, "--columns", &v))
            cols_s = v;
        else
            return cli_usage("parquet", "unknown option \"%s\"", argv[i]);
    }
    bool json = false;
    if (!strcmp(format, "json"))
        json = true;
    else if (strcmp(format, "csv") != 0)
        return cli_usage("parquet", "unknown format \"%s\" (csv or json)", format);
    long long limit = -1;
    if (limit_s) {
        char *end;
        limit = strtoll(limit_s, &end, 10);
        if (*end || limit < 0)
            return cli_usage("parquet", "--limit needs a non-negative integer, not \"%s\"", limit_s);
    }
    PqReadOptions opt;
    pq_read_options_default(&opt);
    char *cols_copy = NULL;
    const char *names[1024];
    if (cols_s) {
        cols_copy = strdup(cols_s);
        int n = 0;
        for (char *tok = strtok(cols_copy, ","); tok && n < 1024; tok = strtok(NULL, ","))
            names[n++] = tok;
        opt.columns = names;
        opt.n_columns = n;
    }
    TarnError err = {0};
    PqReader *r = pq_reader_open(path, &opt, &err);
    if (!r) {
        free(cols_copy);
        return cli_report(&err);
    }
    Batch b;
    int rc = 0;
    if (batch_init(&b, pq_reader_schema(r))) {
        pq_reader_close(r);
        free(cols_copy);
        fprintf(stderr, "ERROR:  out of memory\n");
        return 1;
    }
    Buf out;
    buf_init(&out);
    bool header = true;
    long long left = limit;
    if (!json && limit == 0)
        rc = batch_print_csv(&b, true, &out);
    while (!rc && left != 0) {
        if (pq_reader_next(r, &b, &err)) {
            flush_buf(&out);
            rc = cli_report(&err);
            break;
        }
        if (b.n_rows == 0) {
            if (header && !json)
                rc = batch_print_csv(&b, true, &out);
            break;
        }
        if (left > 0 && (long long)b.n_rows > left)
            b.n_rows = (uint32_t)left;
        if (json)
            rc = batch_print_json(&b, &out);
        else
            rc = batch_print_csv(&b, header, &out);
        header = false;
        if (left > 0)
            left -= b.n_rows;
        if (!rc && flush_buf(&out))
            rc = 1;
    }
    if (!rc)
        rc = flush_buf(&out);
    buf_free(&out);
    batch_destroy(&b);
    pq_reader_close(r);
    free(cols_copy);
    return rc;
}

int cmd_parquet(int argc, char **argv)
{
    if (argc < 3)
        return cli_usage("parquet", "expected a subcommand (schema, meta or cat) and a FILE");
    const char *sub = argv[1], *path = argv[2];
    if (!strcmp(sub, "cat"))
        return do_cat(path, argc - 3, argv + 3);
    if (strcmp(sub, "schema") != 0 && strcmp(sub, "meta") != 0)
        return cli_usage("parquet", "unknown subcommand \"%s\" (schema, meta or cat)", sub);
    if (argc > 3)
        return cli_usage("parquet", "unexpected argument \"%s\"", argv[3]);
    TarnError err = {0};
    PqReadOptions opt;
    pq_read_options_default(&opt);
    PqReader *r = pq_reader_open(path, &opt, &err);
    if (!r)
        return cli_report(&err);
    int rc = !strcmp(sub, "schema") ? do_schema(r) : do_meta(r, path);
    pq_reader_close(r);
    return rc;
}
