/*
 * avro.h - Apache Avro (1.11 specification) binary decoding into tarn
 * batches: single datums (Kafka messages, optionally with Confluent Schema
 * Registry framing) and Object Container Files.
 *
 * The decoder is tarn's own (no libavro at run time): the schema JSON is
 * parsed with json_parse.h and compiled into a tree of nodes; a datum is
 * decoded by walking that tree straight into the batch's vectors (no
 * per-value allocation: string bytes are copied into the vectors' heaps).
 *
 * Schema mapping (Avro -> tarn LogicalType):
 *   null -> text (always NULL)     boolean -> boolean
 *   int -> integer                 long -> bigint
 *   float -> real                  double -> double precision
 *   bytes, fixed -> bytea          string -> text
 *   enum -> text (the symbol)      array -> T[] (LIST)
 *   map -> map(text, T)            record -> struct (fields in order)
 *   union ["null", T] / [T, "null"] -> T, nullable
 *   any other union -> struct with one nullable field per branch, named
 *     after the branch type ("int", "string", a record's name...): the
 *     branch taken is set, the others are NULL
 * Logical types: date -> date; time-millis / time-micros -> time;
 * timestamp-millis / -micros -> timestamptz; local-timestamp-millis /
 * -micros -> timestamp; decimal (bytes or fixed, precision <= 38) ->
 * numeric(p,s); uuid (string) -> uuid; duration (fixed 12) -> interval.
 * A logical type that is invalid for its underlying type is ignored, as
 * the spec says.  A record at the top level gives one column per field;
 * any other top-level schema gives a single column named "value".  Named
 * types may be referenced by (full) name; a recursive record cannot be
 * mapped to a finite schema and is TARN_ERR_UNSUPPORTED.  Every column is
 * nullable except non-union fields of the top-level record.
 *
 * Errors: a bad schema is TARN_ERR_INVALID (22023) naming what is wrong; a
 * datum that does not decode (truncated, bad varint, union branch or enum
 * index out of range, negative length, invalid UTF-8 in a string, bytes
 * left over, nesting deeper than AVRO_MAX_DEPTH) is TARN_ERR_CORRUPT
 * (22P02) naming the field path and byte offset.  Never a crash.
 *
 * Thread-safety: an AvroDecoder is immutable after creation except for its
 * error scratch; use one per thread.  Readers belong to one thread.
 */
#ifndef TARN_FORMAT_AVRO_AVRO_H
#define TARN_FORMAT_AVRO_AVRO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/mem.h"
#include "vector/vector.h"

#define AVRO_MAX_DEPTH 64

typedef struct AvroDecoder AvroDecoder;

/* Compiles a schema (JSON text, len bytes; len may be (size_t)-1 for a
 * NUL-terminated string).  NULL on error. */
AvroDecoder *avro_decoder_new(const char *schema_json, size_t len, TarnError *err);
void avro_decoder_free(AvroDecoder *d);

/* The tarn schema of decoded rows (borrowed; valid until free). */
const Schema *avro_decoder_schema(const AvroDecoder *d);

/* Decodes one datum occupying exactly buf[0..len) and appends it as one
 * row to b (batch_init'ed on avro_decoder_schema(d), or on a schema whose
 * first columns are those), incrementing b->n_rows.  On error nothing is
 * appended: b is left as it was.  Bytes after the datum are an error. */
int avro_decode_append(AvroDecoder *d, const uint8_t *buf, size_t len, Batch *b, TarnError *err);

/* Like avro_decode_append, but decodes one datum from the front of
 * buf[0..len) and sets *used to its size (for blocks of datums). */
int avro_decode_one(AvroDecoder *d, const uint8_t *buf, size_t len, size_t *used, Batch *b,
                    TarnError *err);

/* Confluent Schema Registry wire format: magic byte 0, a 4-byte big-endian
 * schema id, then the datum.  Sets *schema_id and the datum span; a
 * message shorter than 5 bytes or with another magic byte is
 * TARN_ERR_CORRUPT. */
int avro_confluent_unframe(const uint8_t *msg, size_t len, uint32_t *schema_id,
                           const uint8_t **datum, size_t *datum_len, TarnError *err);

/* ---- Object Container Files ----------------------------------------------- */

typedef struct AvroFileReader AvroFileReader;

/* Opens a container file (magic "Obj\x01", metadata with avro.schema and
 * avro.codec null / deflate / snappy / zstandard, then blocks each ended by
 * the 16-byte sync marker).  Reads the header only.  Errors:
 * TARN_ERR_NOT_FOUND / TARN_ERR_IO for the file, TARN_ERR_CORRUPT for a
 * bad header, TARN_ERR_UNSUPPORTED for another codec (bzip2, xz). */
AvroFileReader *avro_file_open(const char *path, TarnError *err);
/* The same over a buffer in memory (borrowed; must outlive the reader). */
AvroFileReader *avro_file_open_mem(const uint8_t *data, size_t len, TarnError *err);

/* Schema of the rows (borrowed; valid until close). */
const Schema *avro_file_schema(const AvroFileReader *r);
/* The writer schema JSON text from the header (borrowed, NUL-terminated). */
const char *avro_file_schema_json(const AvroFileReader *r);

/* Fills b (batch_init'ed on avro_file_schema; reset here) with up to
 * VEC_BATCH_ROWS rows; b->n_rows == 0 at the end.  A block whose sync
 * marker, checksum (snappy) or datum count does not match is
 * TARN_ERR_CORRUPT naming the block's byte offset. */
int avro_file_next(AvroFileReader *r, Batch *b, TarnError *err);

/* Rows returned so far. */
int64_t avro_file_rows(const AvroFileReader *r);

void avro_file_close(AvroFileReader *r);

/* ---- Encoding helpers (tests and tools write Avro with these) ------------- */

/* Appends a zigzag varint long / a length-prefixed byte string. */
int avro_write_long(Buf *out, int64_t v);
int avro_write_bytes(Buf *out, const void *p, size_t n);

#endif
