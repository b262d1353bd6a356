/*
 * convert.c - tarn_convert (include/tarn.h): file conversion between CSV,
 * NDJSON and Parquet, batch by batch.
 *
 * A Source wraps one of the three readers and a Dest one of the writers;
 * the loop moves one batch at a time, so memory stays bounded by a batch
 * (plus one Parquet row group on the Parquet writer side) whatever the file
 * size.  The output goes to a temporary file next to OUT, made with mkstemp,
 * which is fsync'ed and renamed over OUT only when everything succeeded; a
 * failed conversion removes it, so OUT is never left half-written.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/csv/csv.h"
#include "format/json/json.h"
#include "format/parquet/compress.h"
#include "format/parquet/reader.h"
#include "format/parquet/writer.h"
#include "tarn.h"
#include "util/err.h"
#include "util/mem.h"

typedef enum FileKind { KIND_UNKNOWN = 0, KIND_CSV, KIND_NDJSON, KIND_PARQUET } FileKind;

#define FORMATS_HINT "Use a file name ending in .csv, .json, .ndjson, .jsonl or .parquet."
#define FLUSH_BYTES ((size_t)1 << 20)

static FileKind kind_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return KIND_UNKNOWN;
    dot++;
    if (!strcasecmp(dot, "csv"))
        return KIND_CSV;
    if (!strcasecmp(dot, "json") || !strcasecmp(dot, "ndjson") || !strcasecmp(dot, "jsonl"))
        return KIND_NDJSON;
    if (!strcasecmp(dot, "parquet"))
        return KIND_PARQUET;
    return KIND_UNKNOWN;
}

/* ---- Sources --------------------------------------------------------------- */

typedef struct Source {
    FileKind kind;
    CsvReader *csv;
    JsonReader *json;
    PqReader *pq;
} Source;

static int source_open(Source *s, FileKind kind, const char *path, TarnError *err)
{
    memset(s, 0, sizeof *s);
    s->kind = kind;
    switch (kind) {
    case KIND_CSV:
        s->csv = csv_reader_open(path, NULL, err);
        return s->csv ? 0 : err->kind;
    case KIND_NDJSON:
        s->json = json_reader_open(path, NULL, err);
        return s->json ? 0 : err->kind;
    case KIND_PARQUET: {
        PqReadOptions o;
        pq_read_options_default(&o);
        s->pq = pq_reader_open(path, &o, err);
        return s->pq ? 0 : err->kind;
    }
    default:
        return ERR_INTERNAL(err, "unknown input kind");
    }
}

static const Schema *source_schema(const Source *s)
{
    switch (s->kind) {
    case KIND_CSV: return csv_reader_schema(s->csv);
    case KIND_NDJSON: return json_reader_schema(s->json);
    default: return pq_reader_schema(s->pq);
    }
}

static int source_next(Source *s, Batch *b, TarnError *err)
{
    switch (s->kind) {
    case KIND_CSV: return csv_reader_next(s->csv, b, err);
    case KIND_NDJSON: return json_reader_next(s->json, b, err);
    default: return pq_reader_next(s->pq, b, err);
    }
}

static void source_close(Source *s)
{
    csv_reader_close(s->csv);
    json_reader_close(s->json);
    if (s->pq)
        pq_reader_close(s->pq);
    memset(s, 0, sizeof *s);
}

/* ---- Destination: a temporary file renamed into place ------------------------- */

typedef struct Dest {
    FileKind kind;
    const char *path;   /* final name (borrowed) */
    char *tmp_path;     /* owned; the file being written */
    int fd;
    PqWriter *pq;
    Buf text;           /* CSV/NDJSON bytes waiting to be written */
    bool header_done;
} Dest;

static int write_all(int fd, const void *p, size_t n, const char *path, TarnError *err)
{
    const uint8_t *b = p;
    while (n > 0) {
        ssize_t w = write(fd, b, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return err_set(err, TARN_ERR_IO, "could not write file \"%s\": %s", path,
                           strerror(errno));
        }
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

static int sink_write(void *ctx, const void *p, size_t len, TarnError *err)
{
    Dest *d = ctx;
    return write_all(d->fd, p, len, d->tmp_path, err);
}

static int dest_open(Dest *d, FileKind kind, const char *path, const Schema *schema,
                     const PqWriteOptions *wo, TarnError *err)
{
    memset(d, 0, sizeof *d);
    d->kind = kind;
    d->path = path;
    d->fd = -1;
    buf_init(&d->text);
    size_t n = strlen(path);
    d->tmp_path = tarn_malloc(n + 16);
    if (!d->tmp_path)
        return ERR_NOMEM(err, n + 16);
    memcpy(d->tmp_path, path, n);
    memcpy(d->tmp_path + n, ".tmp-XXXXXX", 12);
    d->fd = mkstemp(d->tmp_path);
    if (d->fd < 0) {
        int e = errno;
        tarn_free(d->tmp_path);
        d->tmp_path = NULL;
        return err_set(err, e == ENOENT ? TARN_ERR_NOT_FOUND : TARN_ERR_IO,
                       "could not create file \"%s\": %s", path, strerror(e));
    }
    /* mkstemp makes the file private; give it a regular file's mode. */
    if (fchmod(d->fd, 0644) != 0) {
        /* not fatal: the data is still right */
    }
    if (kind == KIND_PARQUET) {
        PqSink sink = {d, sink_write};
        d->pq = pq_writer_open_sink(sink, schema, wo, err);
        if (!d->pq)
            return err->kind;
    }
    return 0;
}

static int dest_flush_text(Dest *d, TarnError *err)
{
    int rc = write_all(d->fd, d->text.data, d->text.len, d->tmp_path, err);
    buf_clear(&d->text);
    return rc;
}

static int dest_write(Dest *d, const Batch *b, TarnError *err)
{
    int rc = 0;
    switch (d->kind) {
    case KIND_PARQUET:
        return pq_writer_write(d->pq, b, err);
    case KIND_CSV:
        if (!d->header_done) {
            d->header_done = true;
            if (csv_write_header(b->schema, &d->text, NULL))
                return ERR_NOMEM(err, d->text.len);
        }
        rc = csv_write_batch(b, &d->text, NULL);
        break;
    default:
        rc = json_write_batch(b, &d->text);
        break;
    }
    if (rc)
        return rc == TARN_ERR_NOMEM ? ERR_NOMEM(err, d->text.len)
                                    : err_set(err, rc, "could not format a value");
    if (d->text.len >= FLUSH_BYTES)
        return dest_flush_text(d, err);
    return 0;
}

/* Finishes the file and renames it over the destination. */
static int dest_commit(Dest *d, const Schema *schema, TarnError *err)
{
    int rc;
    if (d->kind == KIND_PARQUET) {
        PqWriter *w = d->pq;
        d->pq = NULL;
        if ((rc = pq_writer_close(w, err)))
            return rc;
    } else {
        /* A header even when there were no rows. */
        if (d->kind == KIND_CSV && !d->header_done && csv_write_header(schema, &d->text, NULL))
            return ERR_NOMEM(err, d->text.len);
        if ((rc = dest_flush_text(d, err)))
            return rc;
    }
    if (fsync(d->fd) != 0)
        return err_set(err, TARN_ERR_IO, "could not sync file \"%s\": %s", d->tmp_path,
                       strerror(errno));
    int fd = d->fd;
    d->fd = -1;
    if (close(fd) != 0)
        return err_set(err, TARN_ERR_IO, "could not close file \"%s\": %s", d->tmp_path,
                       strerror(errno));
    if (rename(d->tmp_path, d->path) != 0)
        return err_set(err, TARN_ERR_IO, "could not rename \"%s\" to \"%s\": %s", d->tmp_path,
                       d->path, strerror(errno));
    tarn_free(d->tmp_path);
    d->tmp_path = NULL;
    return 0;
}

/* Releases everything; removes the temporary file if it is still there. */
static void dest_abort(Dest *d)
{
    if (d->pq)
        pq_writer_abort(d->pq);
    if (d->fd >= 0)
        close(d->fd);
    if (d->tmp_path) {
        unlink(d->tmp_path);
        tarn_free(d->tmp_path);
    }
    buf_free(&d->text);
    memset(d, 0, sizeof *d);
    d->fd = -1;
}

/* ---- tarn_convert ----------------------------------------------------------------- */

static int check_options(const tarn_convert_options *opts, FileKind out_kind,
                         PqWriteOptions *wo, TarnError *err)
{
    pq_write_options_default(wo);
    if (!opts)
        return 0;
    if (opts->compression) {
        if (out_kind != KIND_PARQUET)
            return err_set(err, TARN_ERR_INVALID, "compression applies only to Parquet output");
        PqCodec codec;
        int rc = pq_codec_parse(opts->compression, &codec, err);
        if (rc)
            return rc;
        wo->codec = codec;
    }
    if (opts->row_group_rows < 0)
        return err_set(err, TARN_ERR_INVALID, "row group size must be positive, not %lld",
                       (long long)opts->row_group_rows);
    if (opts->row_group_rows > 0) {
        if (out_kind != KIND_PARQUET)
            return err_set(err, TARN_ERR_INVALID, "row group size applies only to Parquet output");
        wo->row_group_rows = opts->row_group_rows;
    }
    return 0;
}

int tarn_convert(const char *in_path, const char *out_path, const tarn_convert_options *opts,
                 tarn_error *err)
{
    TarnError local;
    if (!err) {
        memset(&local, 0, sizeof local);
        err = &local;
    }
    if (!in_path || !out_path)
        return err_set(err, TARN_ERR_INVALID, "input and output file names are required");
    FileKind in_kind = kind_of(in_path), out_kind = kind_of(out_path);
    const char *unknown = !in_kind ? in_path : !out_kind ? out_path : NULL;
    if (unknown) {
        err_set(err, TARN_ERR_INVALID, "cannot tell the file format of \"%s\" from its name",
                unknown);
        err_hint(err, FORMATS_HINT);
        return TARN_ERR_INVALID;
    }
    PqWriteOptions wo;
    int rc = check_options(opts, out_kind, &wo, err);
    if (rc)
        return rc;

    Source src;
    Dest dst;
    Batch b;
    memset(&b, 0, sizeof b);
    memset(&dst, 0, sizeof dst);
    dst.fd = -1;
    if ((rc = source_open(&src, in_kind, in_path, err)))
        goto done;
    const Schema *schema = source_schema(&src);
    if (schema->n_fields == 0 && out_kind == KIND_PARQUET) {
        rc = err_set(err, TARN_ERR_INVALID, "\"%s\" has no columns to write", in_path);
        goto done;
    }
    if (batch_init(&b, schema)) {
        rc = ERR_NOMEM(err, sizeof(Vector) * schema->n_fields);
        goto done;
    }
    if ((rc = dest_open(&dst, out_kind, out_path, schema, &wo, err)))
        goto done;
    for (;;) {
        if ((rc = source_next(&src, &b, err)))
            goto done;
        if (b.n_rows == 0)
            break;
        if ((rc = dest_write(&dst, &b, err)))
            goto done;
    }
    rc = dest_commit(&dst, schema, err);
done:
    dest_abort(&dst);
    batch_destroy(&b);
    source_close(&src);
    if (rc)
        err_context(err, "converting \"%s\" to \"%s\"", in_path, out_path);
    return rc;
}
