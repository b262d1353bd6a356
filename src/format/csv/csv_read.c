/*
 * csv_read.c - the streaming CSV reader (see csv.h).
 *
 * Data flow: read() fills a block buffer (1 MiB, doubled while one record
 * is longer); read_record() splits the next record into fields that point
 * into the buffer, un-doubling quotes in place once the whole record is
 * present; convert_row() parses each field into its column.  When a record
 * runs past the end of the buffered bytes, the unread tail is moved to the
 * front, more is read, and the record is parsed again from its start -
 * nothing was modified yet, so a restart is always safe.
 *
 * The first sample_rows records are parsed at open time for type
 * inference; their field bytes are kept in an arena and handed out as the
 * first rows, after which records stream straight from the file.
 */
#include "format/csv/csv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/datetime.h"
#include "vector/format.h"

#define CSV_BLOCK_BYTES ((size_t)1 << 20)
#define CSV_MAX_RECORD_BYTES ((size_t)1 << 30)
#define CSV_MAX_COLUMNS 100000
#define CSV_DEFAULT_SAMPLE 20480
/* The sample also stops at these sizes, so a very wide or very long-lined
 * file cannot make inference hold gigabytes. */
#define CSV_MAX_SAMPLE_BYTES ((size_t)256 << 20)
#define CSV_MAX_SAMPLE_FIELDS ((int64_t)16 << 20)

/* Byte classes for the scanning loops. */
enum { CL_PLAIN = 0, CL_DELIM = 1, CL_EOL = 2, CL_QUOTE = 3, CL_ESCAPE = 4 };

/* Candidate types of inference, in order of preference. */
enum {
    CAND_BOOL = 1u << 0,
    CAND_BIGINT = 1u << 1,
    CAND_DOUBLE = 1u << 2,
    CAND_TIME = 1u << 3,
    CAND_DATE = 1u << 4,
    CAND_TIMESTAMP = 1u << 5,
    CAND_TIMESTAMPTZ = 1u << 6,
    CAND_ALL = (1u << 7) - 1
};

typedef struct CsvField {
    const char *p;  /* field bytes (in the read buffer or the sample arena) */
    uint32_t len;
    bool quoted;
    bool escaped;   /* contains doubled quotes / escapes not yet removed */
} CsvField;

struct CsvReader {
    char *path;              /* owned, for messages */
    int fd;
    bool close_fd;
    char delim, quote, escape;
    bool header;
    char *null_str;          /* owned */
    size_t null_len;
    int64_t sample_rows;
    uint32_t batch_rows;
    Schema schema;
    uint8_t *buf;            /* owned; cap + 1 bytes (a sentinel follows the data) */
    size_t cap, pos, len;    /* unread bytes are buf[pos..len) */
    bool eof;
    int64_t line;            /* line number where the next record starts */
    int64_t rec_line;        /* line number where the last record started */
    CsvField *fields;        /* owned scratch: fields of the last record */
    uint32_t n_fields, cap_fields;
    uint8_t cls[256];        /* classes for unquoted scanning */
    uint8_t qcls[256];       /* stops inside quoted fields */
    /* The inference sample, returned before streaming continues. */
    Arena sample_arena;
    CsvField *sample;        /* owned; n_sample * n_cols fields */
    int64_t *sample_lines;   /* owned; line of each sampled row */
    int64_t n_sample, cap_sample, sample_pos;
    uint32_t *cand;          /* owned; candidate mask per column */
    bool *explicit_type;     /* owned; per column */
    int64_t rows;            /* rows returned so far */
};

void csv_options_default(CsvOptions *o)
{
    memset(o, 0, sizeof *o);
    o->delimiter = ',';
    o->quote = '"';
    o->escape = 0;
    o->header = true;
    o->null_str = NULL;
    o->sample_rows = CSV_DEFAULT_SAMPLE;
    o->batch_rows = VEC_BATCH_ROWS;
}

/* ---- Buffering ------------------------------------------------------------ */

/* Keeps buf[pos..len), reads more behind it.  Grows the buffer when the
 * pending record already fills it. */
static int refill(CsvReader *r, TarnError *err)
{
    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->len - r->pos);
        r->len -= r->pos;
        r->pos = 0;
    }
    if (r->len == r->cap) {
        if (r->cap >= CSV_MAX_RECORD_BYTES) {
            err_set(err, TARN_ERR_CORRUPT, "line %lld: record longer than %zu MiB",
                    (long long)r->line, CSV_MAX_RECORD_BYTES >> 20);
            err_hint(err, "Check the quote character: an unbalanced quote makes the rest "
                          "of the file one field.");
            return TARN_ERR_CORRUPT;
        }
        size_t cap = r->cap * 2;
        uint8_t *nb = tarn_realloc(r->buf, cap + 1);
        if (!nb)
            return ERR_NOMEM(err, cap + 1);
        r->buf = nb;
        r->cap = cap;
    }
    for (;;) {
        ssize_t n = read(r->fd, r->buf + r->len, r->cap - r->len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return err_set(err, TARN_ERR_IO, "could not read file \"%s\": %s", r->path,
                           strerror(errno));
        }
        if (n == 0)
            r->eof = true;
        r->len += (size_t)n;
        break;
    }
    r->buf[r->len] = '\n'; /* sentinel: stops every scanning loop */
    return 0;
}

static int push_field(CsvReader *r, const uint8_t *p, size_t len, bool quoted, bool escaped,
                      TarnError *err)
{
    if (r->n_fields == r->cap_fields) {
        if (r->cap_fields >= CSV_MAX_COLUMNS * 4u)
            return err_set(err, TARN_ERR_CORRUPT, "line %lld has more than %d fields",
                           (long long)r->rec_line, CSV_MAX_COLUMNS * 4);
        uint32_t cap = r->cap_fields ? r->cap_fields * 2 : 64;
        CsvField *f = tarn_realloc(r->fields, cap * sizeof *f);
        if (!f)
            return ERR_NOMEM(err, cap * sizeof *f);
        r->fields = f;
        r->cap_fields = cap;
    }
    CsvField *f = &r->fields[r->n_fields++];
    f->p = (const char *)p;
    f->len = (uint32_t)len;
    f->quoted = quoted;
    f->escaped = escaped;
    return 0;
}

/* Removes doubled quotes / escape characters of a quoted field in place. */
static void unescape_field(CsvReader *r, CsvField *f)
{
    char *d = (char *)f->p;
    const char *s = f->p, *end = f->p + f->len;
    while (s < end) {
        char c = *s++;
        if (r->escape != r->quote && c == r->escape && s < end)
            c = *s++;
        else if (c == r->quote && s < end && *s == r->quote)
            s++;
        *d++ = c;
    }
    f->len = (uint32_t)(d - f->p);
    f->escaped = false;
}

/* Splits the next record into r->fields.  *got is false at the end of the
 * input. */
static int read_record(CsvReader *r, bool *got, TarnError *err)
{
    int rc;
restart:
    r->n_fields = 0;
    r->rec_line = r->line;
    const uint8_t *p = r->buf + r->pos;
    const uint8_t *end = r->buf + r->len;
    int64_t newlines = 0;
    if (p == end) {
        if (r->eof) {
            *got = false;
            return 0;
        }
        if ((rc = refill(r, err)))
            return rc;
        goto restart;
    }
    for (;;) {
        /* One field starts at p. */
        if (p == end) {
            if (!r->eof)
                goto need_more;
            if ((rc = push_field(r, p, 0, false, false, err))) /* "a,<EOF>" */
                return rc;
            break;
        }
        if (r->qcls[*p] == CL_QUOTE && r->quote) {
            const uint8_t *open = p;
            const uint8_t *content = ++p;
            bool escaped = false;
            for (;;) {
                while (!r->qcls[*p])
                    p++;
                if (p >= end) {
                    if (!r->eof)
                        goto need_more;
                    err_set(err, TARN_ERR_CORRUPT,
                            "line %lld: unterminated quoted field", (long long)r->rec_line);
                    err_detail(err, "The quote opened at byte %zu of the record is never closed.",
                               (size_t)(open - (r->buf + r->pos)) + 1);
                    return TARN_ERR_CORRUPT;
                }
                uint8_t c = *p;
                if (c == '\n') {
                    newlines++;
                    p++;
                    continue;
                }
                if (c == (uint8_t)r->escape && r->escape != r->quote) {
                    if (p + 1 >= end) {
                        if (!r->eof)
                            goto need_more;
                        p++;
                        continue; /* the unterminated-quote error follows */
                    }
                    if (p[1] == '\n')
                        newlines++;
                    p += 2;
                    escaped = true;
                    continue;
                }
                /* A quote: doubled (an escaped quote) or closing. */
                if (r->escape == r->quote || !r->escape) {
                    if (p + 1 >= end && !r->eof)
                        goto need_more;
                    if (p + 1 < end && p[1] == (uint8_t)r->quote) {
                        p += 2;
                        escaped = true;
                        continue;
                    }
                }
                break;
            }
            size_t flen = (size_t)(p - content);
            p++; /* closing quote */
            if (flen > UINT32_MAX)
                return err_set(err, TARN_ERR_CORRUPT, "line %lld: field longer than 4 GiB",
                               (long long)r->rec_line);
            if ((rc = push_field(r, content, flen, true, escaped, err)))
                return rc;
            if (p >= end) {
                if (!r->eof)
                    goto need_more;
                break;
            }
            if (*p == (uint8_t)r->delim) {
                p++;
                continue;
            }
            if (*p == '\n' || *p == '\r')
                break;
            char shown[8];
            if (*p >= 0x20 && *p < 0x7f)
                snprintf(shown, sizeof shown, "'%c'", *p);
            else
                snprintf(shown, sizeof shown, "0x%02x", *p);
            err_set(err, TARN_ERR_CORRUPT,
                    "line %lld: unexpected character %s after a closing quote",
                    (long long)(r->rec_line + newlines), shown);
            err_hint(err, "A quote inside a quoted field must be doubled (\"\").");
            return TARN_ERR_CORRUPT;
        }
        const uint8_t *start = p;
        while (r->cls[*p] == CL_PLAIN)
            p++;
        if (p >= end && !r->eof)
            goto need_more;
        if ((size_t)(p - start) > UINT32_MAX)
            return err_set(err, TARN_ERR_CORRUPT, "line %lld: field longer than 4 GiB",
                           (long long)r->rec_line);
        if ((rc = push_field(r, start, (size_t)(p - start), false, false, err)))
            return rc;
        if (p >= end)
            break;
        if (*p == (uint8_t)r->delim) {
            p++;
            continue;
        }
        break; /* end of line */
    }
    /* Consume the line end: \n, \r\n or a lone \r. */
    if (p < end) {
        if (*p == '\r') {
            if (p + 1 >= end && !r->eof)
                goto need_more;
            p++;
            if (p < end && *p == '\n')
                p++;
        } else {
            p++;
        }
        newlines++;
    }
    r->pos = (size_t)(p - r->buf);
    r->line += newlines;
    for (uint32_t i = 0; i < r->n_fields; i++)
        if (r->fields[i].escaped)
            unescape_field(r, &r->fields[i]);
    *got = true;
    return 0;

need_more:
    if ((rc = refill(r, err)))
        return rc;
    goto restart;
}

static bool record_is_empty_line(const CsvReader *r)
{
    return r->n_fields == 1 && !r->fields[0].quoted && r->fields[0].len == 0;
}

/* ---- Inference ----------------------------------------------------------- */

static bool is_inferred_bool(const char *s, size_t n)
{
    if (n == 1)
        return (s[0] | 32) == 't' || (s[0] | 32) == 'f';
    if (n == 4)
        return (s[0] | 32) == 't' && (s[1] | 32) == 'r' && (s[2] | 32) == 'u' &&
               (s[3] | 32) == 'e';
    if (n == 5)
        return (s[0] | 32) == 'f' && (s[1] | 32) == 'a' && (s[2] | 32) == 'l' &&
               (s[3] | 32) == 's' && (s[4] | 32) == 'e';
    return false;
}

/* Clears the candidates a value rules out. */
static uint32_t narrow(uint32_t cand, const char *s, size_t n)
{
    if ((cand & CAND_BOOL) && !is_inferred_bool(s, n))
        cand &= ~(uint32_t)CAND_BOOL;
    if (cand & CAND_BIGINT) {
        int64_t x;
        if (!value_parse_i64(s, n, &x))
            cand &= ~(uint32_t)CAND_BIGINT;
    }
    if (cand & CAND_DOUBLE) {
        double d;
        if (!value_parse_double(s, n, &d))
            cand &= ~(uint32_t)CAND_DOUBLE;
    }
    if (cand & CAND_TIME) {
        int64_t t;
        if (!dt_parse_time(s, n, &t))
            cand &= ~(uint32_t)CAND_TIME;
    }
    if (cand & CAND_DATE) {
        int32_t d;
        if (!dt_parse_date(s, n, &d))
            cand &= ~(uint32_t)CAND_DATE;
    }
    if (cand & (CAND_TIMESTAMP | CAND_TIMESTAMPTZ)) {
        int64_t t;
        bool zone;
        if (!dt_parse_timestamp(s, n, &t, &zone))
            cand &= ~(uint32_t)(CAND_TIMESTAMP | CAND_TIMESTAMPTZ);
        else if (zone)
            cand &= ~(uint32_t)CAND_TIMESTAMP;
    }
    return cand;
}

static LogicalType type_from_candidates(uint32_t cand)
{
    /* Nothing observed (all NULL) leaves every candidate: TEXT. */
    if (cand == CAND_ALL || cand == 0)
        return type_simple(TYPE_STRING);
    if (cand & CAND_BOOL)
        return type_simple(TYPE_BOOL);
    if (cand & CAND_BIGINT)
        return type_simple(TYPE_INT64);
    if (cand & CAND_DOUBLE)
        return type_simple(TYPE_DOUBLE);
    if (cand & CAND_TIME)
        return type_simple(TYPE_TIME);
    if (cand & CAND_DATE)
        return type_simple(TYPE_DATE);
    if (cand & CAND_TIMESTAMP)
        return type_simple(TYPE_TIMESTAMP);
    return type_simple(TYPE_TIMESTAMPTZ);
}

static bool field_is_null(const CsvReader *r, const CsvField *f)
{
    return !f->quoted && f->len == r->null_len &&
           (r->null_len == 0 || memcmp(f->p, r->null_str, r->null_len) == 0);
}

/* ---- Open ----------------------------------------------------------------- */

static int ragged_error(CsvReader *r, TarnError *err)
{
    err_set(err, TARN_ERR_CORRUPT, "line %lld has %u field%s, expected %u",
            (long long)r->rec_line, r->n_fields, r->n_fields == 1 ? "" : "s",
            r->schema.n_fields);
    err_hint(err, "Every line needs as many fields as the %s; quote fields that contain "
                  "the delimiter.",
             r->header ? "header" : "first line");
    return TARN_ERR_CORRUPT;
}

/* Names the columns from the header record (or column0.. without one),
 * making empty names and duplicates unique. */
static int build_names(CsvReader *r, uint32_t n_cols, bool from_header, char ***names_out,
                       TarnError *err)
{
    char **names = tarn_calloc(n_cols, sizeof(char *));
    if (!names)
        return ERR_NOMEM(err, n_cols * sizeof(char *));
    *names_out = names;
    for (uint32_t c = 0; c < n_cols; c++) {
        char base[32];
        const char *src = base;
        size_t len;
        if (from_header && r->fields[c].len > 0) {
            src = r->fields[c].p;
            len = r->fields[c].len;
            if (memchr(src, '\0', len))
                return err_set(err, TARN_ERR_CORRUPT,
                               "CSV header: the name of column %u contains a NUL byte", c + 1);
        } else {
            len = (size_t)snprintf(base, sizeof base, "column%u", c);
        }
        char *name = tarn_strndup(src, len);
        if (!name)
            return ERR_NOMEM(err, len + 1);
        /* Duplicates get _1, _2, ... like DuckDB. */
        for (int k = 1;; k++) {
            bool dup = false;
            for (uint32_t j = 0; j < c && !dup; j++)
                dup = strcmp(names[j], name) == 0;
            if (!dup)
                break;
            tarn_free(name);
            Buf b;
            buf_init(&b);
            if (buf_append(&b, src, len) || buf_printf(&b, "_%d", k) || buf_terminate(&b)) {
                buf_free(&b);
                return ERR_NOMEM(err, len + 16);
            }
            name = (char *)b.data;
        }
        names[c] = name;
    }
    return 0;
}

static void free_names(char **names, uint32_t n)
{
    if (!names)
        return;
    for (uint32_t i = 0; i < n; i++)
        tarn_free(names[i]);
    tarn_free(names);
}

/* Copies the current record into the sample and narrows the candidates. */
static int add_sample_row(CsvReader *r, TarnError *err)
{
    uint32_t n_cols = r->schema.n_fields;
    if (r->n_sample == r->cap_sample) {
        int64_t cap = r->cap_sample ? r->cap_sample * 2 : 256;
        CsvField *s = tarn_realloc(r->sample, (size_t)cap * n_cols * sizeof(CsvField));
        if (!s)
            return ERR_NOMEM(err, (size_t)cap * n_cols * sizeof(CsvField));
        r->sample = s;
        int64_t *l = tarn_realloc(r->sample_lines, (size_t)cap * sizeof(int64_t));
        if (!l)
            return ERR_NOMEM(err, (size_t)cap * sizeof(int64_t));
        r->sample_lines = l;
        r->cap_sample = cap;
    }
    size_t total = 0;
    for (uint32_t c = 0; c < n_cols; c++)
        total += r->fields[c].len;
    char *bytes = total ? arena_alloc(&r->sample_arena, total) : NULL;
    if (total && !bytes)
        return ERR_NOMEM(err, total);
    CsvField *row = &r->sample[r->n_sample * n_cols];
    for (uint32_t c = 0; c < n_cols; c++) {
        const CsvField *f = &r->fields[c];
        row[c] = *f;
        if (f->len) {
            memcpy(bytes, f->p, f->len);
            row[c].p = bytes;
            bytes += f->len;
        } else {
            row[c].p = "";
        }
        if (!r->explicit_type[c] && r->cand[c] && !field_is_null(r, f) && f->len > 0)
            r->cand[c] = narrow(r->cand[c], f->p, f->len);
    }
    r->sample_lines[r->n_sample++] = r->rec_line;
    return 0;
}

static int open_input(CsvReader *r, const char *path, TarnError *err)
{
    if (strcmp(path, "-") == 0) {
        r->fd = 0;
        r->close_fd = false;
        return 0;
    }
    r->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (r->fd < 0)
        return err_set(err, errno == ENOENT ? TARN_ERR_NOT_FOUND : TARN_ERR_IO,
                       "could not open file \"%s\": %s", path, strerror(errno));
    r->close_fd = true;
    return 0;
}

static int check_options(const CsvOptions *o, TarnError *err)
{
    if (o->delimiter == 0 || o->delimiter == '\n' || o->delimiter == '\r')
        return err_set(err, TARN_ERR_INVALID, "invalid CSV delimiter");
    if (o->quote && (o->quote == o->delimiter || o->quote == '\n' || o->quote == '\r'))
        return err_set(err, TARN_ERR_INVALID, "the CSV quote must differ from the delimiter");
    if (o->escape && (o->escape == o->delimiter || o->escape == '\n' || o->escape == '\r'))
        return err_set(err, TARN_ERR_INVALID, "invalid CSV escape character");
    if (o->sample_rows < 0)
        return err_set(err, TARN_ERR_INVALID, "sample_rows must not be negative");
    for (int i = 0; i < o->n_column_types; i++) {
        const LogicalType *t = &o->column_types[i].type;
        if (type_is_nested(t->id) || t->id == TYPE_INVALID || t->id >= TYPE__COUNT) {
            char name[128];
            return err_set(err, TARN_ERR_UNSUPPORTED, "unsupported: CSV column of type %s",
                           type_name(t, name, sizeof name));
        }
        if (!o->column_types[i].name)
            return err_set(err, TARN_ERR_INVALID, "a CSV column type needs a column name");
    }
    return 0;
}

static int open_impl(CsvReader *r, const char *path, const CsvOptions *o, TarnError *err)
{
    int rc;
    if ((rc = check_options(o, err)))
        return rc;
    r->delim = o->delimiter;
    r->quote = o->quote;
    r->escape = o->escape ? o->escape : o->quote;
    r->header = o->header;
    r->sample_rows = o->sample_rows ? o->sample_rows : CSV_DEFAULT_SAMPLE;
    r->batch_rows = o->batch_rows ? o->batch_rows : VEC_BATCH_ROWS;
    r->null_str = tarn_strdup(o->null_str ? o->null_str : "");
    r->path = tarn_strdup(path);
    if (!r->null_str || !r->path)
        return ERR_NOMEM(err, strlen(path) + 1);
    r->null_len = strlen(r->null_str);
    r->line = 1;
    memset(r->cls, CL_PLAIN, sizeof r->cls);
    r->cls['\n'] = CL_EOL;
    r->cls['\r'] = CL_EOL;
    r->cls[(uint8_t)r->delim] = CL_DELIM;
    memset(r->qcls, 0, sizeof r->qcls);
    r->qcls['\n'] = CL_EOL;
    if (r->quote)
        r->qcls[(uint8_t)r->quote] = CL_QUOTE;
    if (r->escape && r->escape != r->quote)
        r->qcls[(uint8_t)r->escape] = CL_ESCAPE;

    if ((rc = open_input(r, path, err)))
        return rc;
    r->cap = CSV_BLOCK_BYTES;
    r->buf = tarn_malloc(r->cap + 1);
    if (!r->buf)
        return ERR_NOMEM(err, r->cap + 1);
    /* Read until 3 bytes are there (or the end) to spot a byte order mark. */
    while (r->len < 3 && !r->eof)
        if ((rc = refill(r, err)))
            return rc;
    if (r->len >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0)
        r->pos = 3;

    /* The first non-empty record: the header, or the first data row. */
    bool got = false;
    for (;;) {
        if ((rc = read_record(r, &got, err)))
            return rc;
        if (!got || !record_is_empty_line(r))
            break;
    }
    if (!got)
        return 0; /* an empty file: no columns, no rows */
    uint32_t n_cols = r->n_fields;
    if (n_cols > CSV_MAX_COLUMNS)
        return err_set(err, TARN_ERR_UNSUPPORTED, "unsupported: CSV with %u columns (limit %d)",
                       n_cols, CSV_MAX_COLUMNS);
    char **names = NULL;
    if ((rc = build_names(r, n_cols, r->header, &names, err))) {
        free_names(names, n_cols);
        return rc;
    }
    r->cand = tarn_malloc(n_cols * sizeof(uint32_t));
    r->explicit_type = tarn_calloc(n_cols, sizeof(bool));
    if (!r->cand || !r->explicit_type) {
        free_names(names, n_cols);
        return ERR_NOMEM(err, n_cols * sizeof(uint32_t));
    }
    for (uint32_t c = 0; c < n_cols; c++)
        r->cand[c] = CAND_ALL;
    /* Explicit types, by name. */
    LogicalType *explicit_types = tarn_calloc(n_cols, sizeof(LogicalType));
    if (!explicit_types) {
        free_names(names, n_cols);
        return ERR_NOMEM(err, n_cols * sizeof(LogicalType));
    }
    for (int i = 0; i < o->n_column_types && !rc; i++) {
        const CsvColumnType *ct = &o->column_types[i];
        uint32_t c = 0;
        while (c < n_cols && strcmp(names[c], ct->name) != 0)
            c++;
        if (c == n_cols) {
            rc = err_set(err, TARN_ERR_NOT_FOUND, "column \"%s\" does not exist in the CSV file",
                         ct->name);
            break;
        }
        if (r->explicit_type[c])
            type_destroy(&explicit_types[c]);
        r->explicit_type[c] = true;
        if (type_copy(&explicit_types[c], &ct->type))
            rc = ERR_NOMEM(err, sizeof(LogicalType));
    }
    /* Columns are named now; without a header the record is the first row.
     * The schema's width is needed by add_sample_row, so add placeholder
     * fields first and fix their types after sampling. */
    for (uint32_t c = 0; c < n_cols && !rc; c++)
        if (schema_add(&r->schema, names[c], type_simple(TYPE_STRING), true))
            rc = ERR_NOMEM(err, 64);
    free_names(names, n_cols);
    if (!rc && !r->header)
        rc = add_sample_row(r, err);
    while (!rc && r->n_sample < r->sample_rows &&
           r->sample_arena.total_bytes < CSV_MAX_SAMPLE_BYTES &&
           r->n_sample * (int64_t)n_cols < CSV_MAX_SAMPLE_FIELDS) {
        if ((rc = read_record(r, &got, err)) || !got)
            break;
        if (n_cols > 1 && record_is_empty_line(r))
            continue;
        if (r->n_fields != n_cols) {
            rc = ragged_error(r, err);
            break;
        }
        rc = add_sample_row(r, err);
    }
    for (uint32_t c = 0; c < n_cols; c++) {
        if (rc) {
            type_destroy(&explicit_types[c]);
            continue;
        }
        LogicalType *t = &r->schema.fields[c].type;
        type_destroy(t);
        *t = r->explicit_type[c] ? explicit_types[c] : type_from_candidates(r->cand[c]);
    }
    tarn_free(explicit_types);
    return rc;
}

CsvReader *csv_reader_open(const char *path, const CsvOptions *opt, TarnError *err)
{
    CsvOptions defaults;
    if (!opt) {
        csv_options_default(&defaults);
        opt = &defaults;
    }
    CsvReader *r = tarn_calloc(1, sizeof *r);
    if (!r) {
        ERR_NOMEM(err, sizeof *r);
        return NULL;
    }
    r->fd = -1;
    schema_init(&r->schema);
    arena_init(&r->sample_arena, 256 * 1024);
    int rc = open_impl(r, path, opt, err);
    if (rc) {
        err_context(err, "reading CSV file \"%s\"", path);
        csv_reader_close(r);
        return NULL;
    }
    return r;
}

const Schema *csv_reader_schema(const CsvReader *r)
{
    return &r->schema;
}

int64_t csv_reader_rows(const CsvReader *r)
{
    return r->rows;
}

void csv_reader_close(CsvReader *r)
{
    if (!r)
        return;
    if (r->close_fd && r->fd >= 0)
        close(r->fd);
    schema_destroy(&r->schema);
    arena_free(&r->sample_arena);
    tarn_free(r->sample);
    tarn_free(r->sample_lines);
    tarn_free(r->cand);
    tarn_free(r->explicit_type);
    tarn_free(r->fields);
    tarn_free(r->buf);
    tarn_free(r->null_str);
    tarn_free(r->path);
    tarn_free(r);
}

/* ---- Rows into vectors -------------------------------------------------------- */

static int type_error(CsvReader *r, uint32_t c, const CsvField *f, int64_t line, TarnError *err)
{
    char tname[128];
    const Field *fd = &r->schema.fields[c];
    type_name(&fd->type, tname, sizeof tname);
    int shown = f->len > 80 ? 80 : (int)f->len;
    err_set(err, TARN_ERR_TYPE, "line %lld, column \"%s\": \"%.*s%s\" is not a valid %s",
            (long long)line, fd->name, shown, f->p, f->len > 80 ? "..." : "", tname);
    if (r->explicit_type[c])
        err_hint(err, "The column's type was given explicitly as %s.", tname);
    else
        err_hint(err, "Column types are inferred from the first %lld rows; give the column's "
                      "type explicitly (for example text), or sample more rows.",
                 (long long)r->sample_rows);
    return TARN_ERR_TYPE;
}

static int convert_row(CsvReader *r, Batch *b, const CsvField *fields, int64_t line,
                       TarnError *err)
{
    for (uint32_t c = 0; c < b->n_cols; c++) {
        const CsvField *f = &fields[c];
        Vector *v = &b->cols[c];
        int rc;
        if (field_is_null(r, f) || (f->len == 0 && !type_is_string_like(v->type->id)))
            rc = vec_append_null(v);
        else
            rc = value_parse_append(v, f->p, f->len);
        if (rc == TARN_ERR_TYPE)
            return type_error(r, c, f, line, err);
        if (rc)
            return ERR_NOMEM(err, f->len);
    }
    b->n_rows++;
    return 0;
}

int csv_reader_next(CsvReader *r, Batch *b, TarnError *err)
{
    batch_reset(b);
    uint32_t n_cols = r->schema.n_fields;
    if (b->n_cols != n_cols)
        return ERR_INTERNAL(err, "batch does not match the CSV schema");
    if (n_cols == 0)
        return 0;
    int rc = 0;
    while (b->n_rows < r->batch_rows) {
        if (r->sample_pos < r->n_sample) {
            rc = convert_row(r, b, &r->sample[r->sample_pos * n_cols],
                             r->sample_lines[r->sample_pos], err);
            r->sample_pos++;
            if (r->sample_pos == r->n_sample) {
                /* The sample is consumed: release its memory. */
                arena_free(&r->sample_arena);
                arena_init(&r->sample_arena, 4096);
                tarn_free(r->sample);
                r->sample = NULL;
                r->n_sample = r->sample_pos = r->cap_sample = 0;
            }
            if (rc)
                break;
            continue;
        }
        bool got;
        if ((rc = read_record(r, &got, err)) || !got)
            break;
        if (n_cols > 1 && record_is_empty_line(r))
            continue;
        if (r->n_fields != n_cols) {
            rc = ragged_error(r, err);
            break;
        }
        if ((rc = convert_row(r, b, r->fields, r->rec_line, err)))
            break;
    }
    if (rc)
        return err_context(err, "reading CSV file \"%s\"", r->path);
    r->rows += b->n_rows;
    return 0;
}
