/*
 * csv_write.c - the CSV writer (see csv.h) and batch_print_csv
 * (vector/format.h).
 *
 * Each value is printed straight into the output buffer by
 * value_format_text (nested values by value_format_json); only when the printed bytes need quoting are they
 * rewritten in place, back to front, with the quotes doubled.
 */
#include "format/csv/csv.h"

#include <string.h>

#include "vector/format.h"

void csv_write_options_default(CsvWriteOptions *o)
{
    o->delimiter = ',';
    o->quote = '"';
    o->null_str = NULL;
}

typedef struct {
    uint8_t delim, quote;
    const char *null_str;
    size_t null_len;
    uint8_t special[256]; /* bytes that force quoting */
} WriteCtx;

static void ctx_init(WriteCtx *c, const CsvWriteOptions *opt)
{
    CsvWriteOptions d;
    if (!opt) {
        csv_write_options_default(&d);
        opt = &d;
    }
    c->delim = (uint8_t)(opt->delimiter ? opt->delimiter : ',');
    c->quote = (uint8_t)(opt->quote ? opt->quote : '"');
    c->null_str = opt->null_str ? opt->null_str : "";
    c->null_len = strlen(c->null_str);
    memset(c->special, 0, sizeof c->special);
    c->special[c->delim] = 1;
    c->special[c->quote] = 1;
    c->special['\n'] = 1;
    c->special['\r'] = 1;
}

static bool needs_quotes(const WriteCtx *c, const uint8_t *s, size_t n)
{
    if (n == 0)
        return true; /* '' must differ from NULL */
    if (s[0] == ' ' || s[n - 1] == ' ' || s[0] == '\t' || s[n - 1] == '\t')
        return true;
    if (n == c->null_len && memcmp(s, c->null_str, n) == 0)
        return true;
    for (size_t i = 0; i < n; i++)
        if (c->special[s[i]])
            return true;
    return false;
}

/* Quotes out->data[start..len) in place, doubling quote characters. */
static int quote_span(const WriteCtx *c, Buf *out, size_t start)
{
    size_t extra = 2;
    for (size_t k = start; k < out->len; k++)
        extra += out->data[k] == c->quote;
    if (buf_reserve(out, extra))
        return TARN_ERR_NOMEM;
    uint8_t *d = out->data;
    size_t src = out->len, dst = out->len + extra;
    d[--dst] = c->quote;
    while (src > start) {
        uint8_t ch = d[--src];
        d[--dst] = ch;
        if (ch == c->quote)
            d[--dst] = c->quote;
    }
    d[--dst] = c->quote;
    out->len += extra;
    return 0;
}

static int put_text(const WriteCtx *c, Buf *out, const char *s, size_t n)
{
    size_t start = out->len;
    if (buf_reserve(out, n + 1) || buf_append(out, s, n))
        return TARN_ERR_NOMEM;
    if (needs_quotes(c, out->data + start, n))
        return quote_span(c, out, start);
    return 0;
}

int csv_write_header(const Schema *s, Buf *out, const CsvWriteOptions *opt)
{
    WriteCtx c;
    ctx_init(&c, opt);
    if (s->n_fields == 0)
        return 0; /* no columns: not even an empty line */
    for (uint32_t i = 0; i < s->n_fields; i++) {
        if (i && buf_append_byte(out, c.delim))
            return TARN_ERR_NOMEM;
        const char *name = s->fields[i].name;
        if (put_text(&c, out, name, strlen(name)))
            return TARN_ERR_NOMEM;
    }
    return buf_append_byte(out, '\n');
}

/* True when the text form of type t can never need quotes: numbers, booleans,
 * dates and times print only digits, letters and ".-+: " - never leading or
 * trailing blanks, never empty - so they need quotes only if one of those
 * characters is the delimiter or the quote. */
static bool never_quoted(const WriteCtx *c, TypeId t)
{
    switch (t) {
    case TYPE_BOOL: case TYPE_INT8: case TYPE_INT16: case TYPE_INT32: case TYPE_INT64:
    case TYPE_UINT8: case TYPE_UINT16: case TYPE_UINT32: case TYPE_UINT64:
    case TYPE_FLOAT: case TYPE_DOUBLE: case TYPE_DECIMAL: case TYPE_DATE: case TYPE_TIME:
    case TYPE_TIMESTAMP: case TYPE_TIMESTAMPTZ: case TYPE_UUID:
        break;
    default:
        return false;
    }
    for (int k = 0; k < 2; k++) {
        uint8_t ch = k ? c->quote : c->delim;
        if ((ch >= '0' && ch <= '9') || ((ch | 32) >= 'a' && (ch | 32) <= 'z') || ch == '.' ||
            ch == '-' || ch == '+' || ch == ':' || ch == ' ')
            return false;
    }
    /* a non-empty null string could look like a value */
    return c->null_len == 0;
}

int csv_write_batch(const Batch *b, Buf *out, const CsvWriteOptions *opt)
{
    WriteCtx c;
    ctx_init(&c, opt);
    if (b->n_cols == 0)
        return 0; /* rows without columns have no CSV form */
    if (buf_reserve(out, 256)) /* so out->data is never NULL below */
        return TARN_ERR_NOMEM;
    bool unquoted[64]; /* per column (the first 64): never_quoted */
    for (uint32_t col = 0; col < b->n_cols && col < 64; col++)
        unquoted[col] = never_quoted(&c, b->cols[col].type->id);
    for (uint32_t r = 0; r < b->n_rows; r++) {
        for (uint32_t col = 0; col < b->n_cols; col++) {
            const Vector *v = &b->cols[col];
            if (col && buf_append_byte(out, c.delim))
                return TARN_ERR_NOMEM;
            if (!vec_is_valid(v, r) || v->type->id == TYPE_NULL) {
                if (buf_append(out, c.null_str, c.null_len))
                    return TARN_ERR_NOMEM;
                continue;
            }
            size_t start = out->len;
            /* Nested values (lists, structs, maps) are written as JSON, the
             * form other tools read back; scalars in PostgreSQL's text form. */
            int rc = type_is_nested(v->type->id) ? value_format_json(v, r, out) : value_format_text(v, r, out);
            if (rc)
                return rc;
            if (col < 64 && unquoted[col])
                continue;
            if (needs_quotes(&c, out->data + start, out->len - start) &&
                quote_span(&c, out, start))
                return TARN_ERR_NOMEM;
        }
        if (buf_append_byte(out, '\n'))
            return TARN_ERR_NOMEM;
    }
    return 0;
}

int batch_print_csv(const Batch *b, bool header, Buf *out)
{
    if (header && csv_write_header(b->schema, out, NULL))
        return TARN_ERR_NOMEM;
    return csv_write_batch(b, out, NULL);
}
