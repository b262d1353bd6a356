/*
 * decode.h - record decoders of the ingesters: one message (a Kafka record
 * value) -> the values of one row in an IngestSink's column builders.
 *
 *   json  one JSON object per record.  Top-level keys are columns (matched
 *         case-insensitively); a key never seen becomes a new nullable
 *         column whose type comes from its first non-null value, as the
 *         NDJSON reader infers: integer -> bigint, other numbers -> double
 *         precision (a bigint column still new in this batch widens to
 *         double precision when a fraction appears), true/false ->
 *         boolean, strings -> text (date / timestamp / timestamptz when
 *         every value of the batch parses as one), objects and arrays ->
 *         text holding their JSON text (Delta has no json type).  A value
 *         that does not fit its column's type makes the record a dead
 *         letter ("field "x": ... does not fit column type bigint");
 *         numbers, booleans, objects and arrays are stored as their JSON
 *         text in text columns.
 *   csv   one CSV record per message (RFC 4180 quoting; no header): fields
 *         go to columns c1, c2, ... (text; a longer record adds columns).
 *         An empty unquoted field is NULL, "" is the empty string.
 *   raw   key and value as bytea columns "key" and "value".
 *   avro  the datum decoded with the given schema (format/avro/avro.h),
 *         optionally after Confluent framing (magic 0 + 4-byte schema id).
 *
 * ingest_decode returns 0 when the row's values were appended (the caller
 * adds its own columns and ends the row), 1 when the record is bad (errmsg
 * says why; nothing of it stays in the builders), or an error kind.
 */
#ifndef TARN_INGEST_DECODE_H
#define TARN_INGEST_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "ingest/sink.h"

typedef enum IngestFormat { INGEST_JSON, INGEST_CSV, INGEST_RAW, INGEST_AVRO } IngestFormat;

typedef struct IngestDecoder IngestDecoder;

typedef struct IngestDecoderOptions {
    IngestFormat format;
    const char *avro_schema_json;   /* INGEST_AVRO */
    bool confluent;                 /* INGEST_AVRO: strip Confluent framing */
    /* Column names a record may not use (the caller's own columns). */
    const char *const *reserved;
    int n_reserved;
} IngestDecoderOptions;

IngestDecoder *ingest_decoder_new(IngestSink *s, const IngestDecoderOptions *o, TarnError *err);
void ingest_decoder_free(IngestDecoder *d);

/* Appends to another sink from now on (caches are checked by name). */
void ingest_decoder_set_sink(IngestDecoder *d, IngestSink *s);

/* Decodes one record; key may be NULL.  errmsg gets the reason of a bad
 * record (return 1). */
int ingest_decode(IngestDecoder *d, const uint8_t *key, size_t key_len, const uint8_t *val, size_t val_len,
                  char *errmsg, size_t errcap, TarnError *err);

/* Makes sure the format's fixed columns exist (raw: key, value; avro: the
 * schema's columns), e.g. after the sink dropped uncommitted columns.
 * Errors when the table has them with other types. */
int ingest_decoder_prepare(IngestDecoder *d, TarnError *err);

/* The JSON decoder's fast path for timestamp / timestamptz strings: exactly
 * "YYYY-MM-DD[T ]HH:MM:SS[.f{1,6}][Z]" (year 0001..9999, a real day, hour
 * 0..23, second 0..59).  True with the value dt_parse_timestamp gives (UTC
 * microseconds; no zone = the time itself); false for any other text,
 * which then takes the general parser. */
bool ingest_parse_iso_timestamp(const char *s, size_t n, int64_t *micros_out);

#endif
