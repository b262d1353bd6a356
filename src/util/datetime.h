/*
 * datetime.h - calendar arithmetic, parsing and printing of dates, times
 * and timestamps.
 *
 * Dates are days since 1970-01-01 in the proleptic Gregorian calendar
 * (astronomical years: year 0 is 1 BC, as PostgreSQL counts internally);
 * times of day and timestamps are microseconds (since midnight / since
 * 1970-01-01 00:00:00 UTC).  The day <-> civil conversions are Howard
 * Hinnant's era-based algorithms, exact over the whole int64 range used here.
 *
 * Text forms follow PostgreSQL's ISO DateStyle:
 *   date       2024-02-29, 0044-03-15 BC, 12345-01-01
 *   time       04:05:06, 04:05:06.5 (fraction only when nonzero, trimmed)
 *   timestamp  2024-02-29 04:05:06.123456 ; timestamptz adds "+00" (UTC)
 * Parsers accept that form plus ISO 8601 variants: 'T' between date and
 * time, optional seconds and fraction (rounded to microseconds), and a zone
 * suffix Z, +hh, +hh:mm, +hhmm or UTC; surrounding blanks are ignored.
 *
 * Everything here is pure computation: no allocation, thread-safe.
 */
#ifndef TARN_UTIL_DATETIME_H
#define TARN_UTIL_DATETIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DT_USECS_PER_SEC INT64_C(1000000)
#define DT_USECS_PER_MIN INT64_C(60000000)
#define DT_USECS_PER_HOUR INT64_C(3600000000)
#define DT_USECS_PER_DAY INT64_C(86400000000)

/* Room for any text this module prints (including the NUL). */
#define DT_TEXT_MAX 48

/* Days since 1970-01-01 of the civil date y-m-d (astronomical year; m 1..12,
 * d 1..31; not validated here - see dt_valid_date). */
int64_t dt_days_from_civil(int64_t y, int m, int d);
/* Inverse of dt_days_from_civil. */
void dt_civil_from_days(int64_t days, int64_t *y_out, int *m_out, int *d_out);
/* True when y-m-d names a real day (leap years included). */
bool dt_valid_date(int64_t y, int m, int d);
/* Days in month m of year y. */
int dt_days_in_month(int64_t y, int m);

/* ---- Parsing: return true and set *out on success, false otherwise ---- */

/* "YYYY-MM-DD" (year 4 to 7 digits, month/day 1-2 digits), optional " BC".
 * The result must fit an int32 day count. */
bool dt_parse_date(const char *s, size_t n, int32_t *days_out);
/* "HH:MM[:SS[.fraction]]", 00:00:00 .. 24:00:00. */
bool dt_parse_time(const char *s, size_t n, int64_t *micros_out);
/* A date, optionally followed by ' ' or 'T' and a time, then an optional
 * zone (Z, UTC, +hh, +hh:mm, +hhmm) and " BC".  *micros_out is UTC when a
 * zone is given (the local time minus the offset), else the local time
 * itself; *has_zone_out (may be NULL) tells which. */
bool dt_parse_timestamp(const char *s, size_t n, int64_t *micros_out, bool *has_zone_out);

/* ISO 8601 basic date "YYYYMMDD" (exactly 8 digits, blanks around allowed);
 * for SQL input only - CSV/JSON type inference must keep such numbers
 * integers, so dt_parse_date does not take this form. */
bool dt_parse_date_basic(const char *s, size_t n, int32_t *days_out);

/* PostgreSQL's special date/time input words (case-insensitive, blanks
 * around allowed): "epoch", "infinity", "+infinity", "-infinity". */
enum { DT_SPECIAL_NONE = 0, DT_SPECIAL_EPOCH, DT_SPECIAL_INFINITY, DT_SPECIAL_NEG_INFINITY };
int dt_parse_special(const char *s, size_t n);

/* True when s has the shape of a date [time] (or a time) whose fields are
 * out of range ("2021-02-29", "2020-13-01", "25:00"): PostgreSQL reports
 * those as 22008 "date/time field value out of range", not as 22P02. */
bool dt_fields_out_of_range(const char *s, size_t n);

/* ---- Printing: write NUL-terminated text into buf (>= DT_TEXT_MAX bytes)
 * and return its length ------------------------------------------------- */

size_t dt_format_date(int64_t days, char *buf);
size_t dt_format_time(int64_t micros, char *buf);
/* with_zone appends "+00" (the session time zone is UTC). */
size_t dt_format_timestamp(int64_t micros, bool with_zone, char *buf);

/* Appends ".ffffff" with trailing zeros trimmed, nothing when frac is 0
 * (frac in 0..999999).  Returns the bytes written. */
size_t dt_format_fraction(int64_t frac, char *buf);

#endif
