/*
 * format.h - text input and output of single vector values.
 *
 * Output follows PostgreSQL's text output functions (what psql shows and
 * what COPY ... TO writes):
 *   boolean t/f; integers; real/double precision in the shortest form that
 *   reads back to the same bits (PG 12+ behaviour: "0.1", "1e+20", "-0",
 *   "NaN", "Infinity"); numeric exactly at its scale ("123.40", "-0.05");
 *   date "2024-02-29" / "0044-03-15 BC"; time "04:05:06.5"; timestamp
 *   "2024-02-29 04:05:06.123456"; timestamptz the same plus "+00" (the
 *   session time zone is UTC); interval "1 year 2 mons 3 days 04:05:06";
 *   text and json as is; bytea "\x0a0b"; uuid 8-4-4-4-12 lower-case hex;
 *   lists as array literals "{1,2,NULL}" with PG's element quoting; structs
 *   and maps as JSON text (PG would print composites, tarn prints JSON).
 * value_format_json prints the same value as a JSON value (see below).
 *
 * Input (value_parse_*) accepts what the output functions print plus the
 * usual alternatives (ISO 8601 timestamps, "true"/"yes"/"1" booleans,
 * exponents in numbers).  Parsers are strict about the whole field: "12x"
 * is not an integer.  Leading and trailing blanks are ignored.
 *
 * All functions append to a caller-owned Buf and return 0, or
 * TARN_ERR_NOMEM when the Buf cannot grow.  Nothing here keeps state:
 * thread-safe.
 */
#ifndef TARN_VECTOR_FORMAT_H
#define TARN_VECTOR_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/mem.h"
#include "vector/vector.h"

/* Room for any scalar printed by value_format_double/float/decimal. */
#define VALUE_TEXT_MAX 64

/* ---- Output ------------------------------------------------------------- */

/* Appends the PostgreSQL text form of value i of v.  A NULL value appends
 * nothing (callers that must tell NULL from '' check vec_is_valid); NULL
 * elements inside lists print as NULL. */
int value_format_text(const Vector *v, uint32_t i, Buf *out);

/* Appends value i of v as a JSON value: null; numbers bare (NaN and
 * infinities as the strings "NaN", "Infinity", "-Infinity"); decimals as
 * exact numeric literals; dates, times, timestamps, intervals and uuids as
 * strings in their text form; text as a JSON string (control characters as
 * \u00XX, invalid UTF-8 bytes as \ufffd); bytea as the string "\\x..";
 * json values embedded as they are when they hold valid JSON, else as a
 * string; lists as arrays; structs as objects; maps as objects when the key
 * type is text, else as arrays of {"key":..,"value":..} objects. */
int value_format_json(const Vector *v, uint32_t i, Buf *out);

/* Appends s[0..n) as a quoted JSON string (escaping as above). */
int value_append_json_string(Buf *out, const char *s, size_t n);

/* Shortest round-trip text of a double / float, PostgreSQL style; buf must
 * hold VALUE_TEXT_MAX bytes.  Returns the length (buf is NUL-terminated). */
size_t value_format_double(double d, char *buf);
size_t value_format_float(float f, char *buf);

/* Exact text of a decimal given its unscaled value and scale (0..38);
 * buf must hold VALUE_TEXT_MAX bytes.  Returns the length. */
size_t value_format_decimal(int128_t unscaled, int scale, char *buf);

/* Interval text in PostgreSQL's default style; buf must hold
 * VALUE_TEXT_MAX * 2 bytes.  Returns the length. */
size_t value_format_interval(Interval iv, char *buf);

/* True when s[0..n) is one syntactically valid JSON value (RFC 8259,
 * nesting limited to 256 levels), optionally surrounded by whitespace. */
bool value_json_valid(const char *s, size_t n);

/* ---- Input ---------------------------------------------------------------
 * Each parser returns true and sets *out on success, false when the text is
 * not a valid value of the type or is out of its range. */

bool value_parse_bool(const char *s, size_t n, bool *out);
bool value_parse_i64(const char *s, size_t n, int64_t *out);
bool value_parse_u64(const char *s, size_t n, uint64_t *out);
/* Also "NaN", "Infinity", "-Infinity", "inf" (any case). */
bool value_parse_double(const char *s, size_t n, double *out);
/* Rounds half away from zero to `scale` digits; false when the value needs
 * more than `precision` digits. */
bool value_parse_decimal(const char *s, size_t n, int precision, int scale, int128_t *out);
/* "1 year 2 mons 3 days 04:05:06" style, units in singular or plural
 * (year, mon/month, week, day, hour, min/minute, sec/second, ms, us), an
 * optional trailing "ago". */
bool value_parse_interval(const char *s, size_t n, Interval *out);
/* True when value_parse_interval failed because a field or the result is
 * out of range ("2147483648 days"): PostgreSQL's 22015, not 22007. */
bool value_interval_out_of_range(const char *s, size_t n);
/* 32 hex digits, hyphens allowed between groups of four, optional braces. */
bool value_parse_uuid(const char *s, size_t n, uint8_t out[16]);

/* Parses s[0..n) as a value of v's type and appends it to v.  Returns 0,
 * TARN_ERR_TYPE when the text does not parse (the caller words the error,
 * since it knows the line and column), TARN_ERR_UNSUPPORTED for nested
 * types, or TARN_ERR_NOMEM. */
int value_parse_append(Vector *v, const char *s, size_t n);

/* ---- Whole batches (implemented with the CSV and NDJSON writers in
 * format/csv/csv_write.c and format/json/json_write.c) -------------------- */

/* Appends the rows of b as CSV (comma, double quotes, NULL = empty field),
 * preceded by a header line of column names when `header`. */
int batch_print_csv(const Batch *b, bool header, Buf *out);
/* Appends the rows of b as NDJSON: one object per line. */
int batch_print_json(const Batch *b, Buf *out);

#endif
