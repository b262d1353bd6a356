/*
 * json.h - newline-delimited JSON (NDJSON, JSON Lines): a streaming reader
 * with schema inference, and a writer.
 *
 * Reader: one JSON object per line (blank lines skipped, CRLF and a UTF-8
 * byte order mark accepted), read in 1 MiB blocks and parsed with
 * json_parse.h into an arena reset line by line.  The schema is inferred
 * from the first sample_rows objects (or fewer, when they exceed 512 MiB):
 *   - columns are the union of the top-level keys, in first-seen order;
 *   - integers that fit int64 -> bigint; any other number -> double
 *     precision (the strings "NaN", "Infinity", "-Infinity" count as
 *     doubles in a numeric field); true/false -> boolean;
 *   - strings -> text, unless every sampled string of the field parses as
 *     a date (-> date), a timestamp without zone (-> timestamp) or a
 *     timestamp of which some carry a zone (-> timestamptz);
 *   - objects -> struct (keys merged the same way), arrays -> list of the
 *     merged element type;
 *   - a field seen only as null (or an empty array's element) -> text;
 *   - scalars of different kinds (number and string, say) -> text holding
 *     the JSON text of non-strings; an object or array mixed with anything
 *     else -> json.
 * A later value that does not fit its field's type, or a key the sample
 * never showed, is TARN_ERR_TYPE naming the line and the field path.  A line
 * that is not a JSON object is TARN_ERR_CORRUPT.
 *
 * Writer: one object per row, keys in schema order, values as
 * value_format_json prints them (vector/format.h).
 *
 * Thread-safety: one reader per thread; the writer is pure.
 */
#ifndef TARN_FORMAT_JSON_JSON_H
#define TARN_FORMAT_JSON_JSON_H

#include <stdint.h>

#include "util/err.h"
#include "util/mem.h"
#include "vector/vector.h"

typedef struct JsonReadOptions {
    int64_t sample_rows;   /* objects used for inference; default 20480 */
    uint32_t batch_rows;   /* rows per batch; default VEC_BATCH_ROWS */
} JsonReadOptions;

void json_read_options_default(JsonReadOptions *o);

typedef struct JsonReader JsonReader;

/* Opens path ("-" = standard input) and infers the schema from the sample.
 * opt may be NULL.  Errors: TARN_ERR_NOT_FOUND / TARN_ERR_IO,
 * TARN_ERR_CORRUPT for malformed JSON (line and column in the message). */
JsonReader *json_reader_open(const char *path, const JsonReadOptions *opt, TarnError *err);

/* The inferred schema (borrowed; valid until close). */
const Schema *json_reader_schema(const JsonReader *r);

/* Fills b (batch_init'ed on json_reader_schema) with the next rows;
 * b->n_rows == 0 at the end.  Strings are copied into b's vectors. */
int json_reader_next(JsonReader *r, Batch *b, TarnError *err);

/* Data rows returned so far. */
int64_t json_reader_rows(const JsonReader *r);

void json_reader_close(JsonReader *r);

/* Appends the rows of b as NDJSON lines.  Returns 0 or TARN_ERR_NOMEM. */
int json_write_batch(const Batch *b, Buf *out);

#endif
