/*
 * func_lib.h - helpers shared by the SQL function library modules
 * (func_string.c, func_math.c, func_datetime.c, func_regex.c, func_agg.c,
 * func_json.c, func_misc.c).  Internal to src/sql/func/: nothing outside
 * that folder includes it.
 *
 * What is here: access to string vectors and output strings in out->heap,
 * UTF-8 stepping (PostgreSQL counts characters, not bytes, for length,
 * substr, lpad ...), the C.UTF-8 locale used for case mapping (the same
 * towlower/towupper PostgreSQL uses in a C.UTF-8 database), decimal
 * helpers, and the standard error reports.
 *
 * Invalid UTF-8 (possible in foreign Parquet files) never crashes anything:
 * a byte that does not start a valid sequence counts as one character.
 *
 * Everything is thread-safe (the locale handle is created once).
 */
#ifndef TARN_SQL_FUNC_FUNC_LIB_H
#define TARN_SQL_FUNC_FUNC_LIB_H

#include <locale.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "sql/func/func.h"

/* ---- String vectors ------------------------------------------------------- */

#define FL_STR(v) ((StrView *)(v)->data)
#define FL_CSTR(v) ((const StrView *)(v)->data)

/* n bytes for a result string in out->heap (never NULL for n == 0 unless
 * out of memory). */
static inline char *fl_str_alloc(Vector *out, size_t n)
{
    return (char *)arena_alloc(&out->heap, n ? n : 1);
}

static inline StrView fl_sv(const char *p, size_t n)
{
    StrView s;
    s.len = (uint32_t)n;
    s.pad_ = 0;
    s.ptr = p;
    return s;
}

/* Marks row i of out NULL; 0 or TARN_ERR_NOMEM (with err set). */
static inline int fl_set_null(Vector *out, uint32_t i, TarnError *err)
{
    if (vec_set_null(out, i))
        return ERR_NOMEM(err, (size_t)(out->cap + 7) / 8);
    return 0;
}

/* True when row i of argument v is not NULL (constants included). */
static inline bool fl_arg_valid(const Vector *v, uint32_t i)
{
    return vec_is_valid(v, FUNC_IDX(v, i));
}

/* ---- UTF-8 ---------------------------------------------------------------- */

/* Length of the UTF-8 sequence starting at s[0] (1..4), 1 for a byte that
 * does not start a valid sequence or when fewer bytes remain. */
static inline uint32_t fl_utf8_seq(const uint8_t *s, size_t left)
{
    uint8_t c = s[0];
    uint32_t n = c < 0x80 ? 1 : c < 0xC2 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 1;
    if (n > left)
        return 1;
    for (uint32_t k = 1; k < n; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 1;
    return n;
}

/* Decodes the character at s[0]; *len_out its bytes (1 for invalid: the
 * byte value is returned). */
static inline uint32_t fl_utf8_decode(const uint8_t *s, size_t left, uint32_t *len_out)
{
    uint32_t n = fl_utf8_seq(s, left);
    *len_out = n;
    switch (n) {
    case 2: return (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
    case 3: return (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
    case 4:
        return (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 |
               (uint32_t)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
    default: return s[0];
    }
}

/* Writes code point cp (< 0x110000) as UTF-8; returns the bytes (1..4). */
static inline uint32_t fl_utf8_encode(uint32_t cp, char *o)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18);
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* True when every byte of s[0..n) is ASCII. */
static inline bool fl_is_ascii(const char *s, size_t n)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        if (w & UINT64_C(0x8080808080808080))
            return false;
    }
    for (; i < n; i++)
        if (p[i] & 0x80)
            return false;
    return true;
}

/* Characters in s[0..n). */
static inline uint32_t fl_utf8_chars(const char *s, size_t n)
{
    if (fl_is_ascii(s, n))
        return (uint32_t)n;
    const uint8_t *p = (const uint8_t *)s;
    uint32_t chars = 0;
    for (size_t i = 0; i < n;) {
        i += fl_utf8_seq(p + i, n - i);
        chars++;
    }
    return chars;
}

/* Byte offset of character k (0-based) in s[0..n); n when k >= chars. */
static inline size_t fl_utf8_offset(const char *s, size_t n, uint64_t k)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t i = 0;
    while (k > 0 && i < n) {
        i += fl_utf8_seq(p + i, n - i);
        k--;
    }
    return i;
}

/* The C.UTF-8 locale (created once; (locale_t)0 when unavailable, then
 * case mapping is ASCII only).  Defined in func_string.c. */
locale_t fl_utf8_locale(void);

/* Unicode lower / upper case of cp with towlower/towupper in C.UTF-8. */
uint32_t fl_tolower(uint32_t cp);
uint32_t fl_toupper(uint32_t cp);
bool fl_isalnum(uint32_t cp);

/* Appends the lower-cased text of s[0..n) to dst (room for 4 * n bytes);
 * returns the bytes written.  ILIKE and regex case folding use it. */
size_t fl_lower_utf8(const char *s, size_t n, char *dst);

/* ---- Arrays (func_array.c) ------------------------------------------------- */

/* Bind hook: the result type is text[] (element "element", nullable), in
 * the bind arena. */
int fl_bind_text_array(FuncBindInfo *b, TarnError *err);

/* ---- Dates and time zones (func_datetime.c) ---------------------------------- */

/* A time zone: IANA (from /usr/share/zoneinfo), UTC, or a fixed offset.
 * Zones are cached for the life of the process; pointers stay valid. */
typedef struct FlTz FlTz;

/* The session's zone (settings->timezone, else its fixed offset). */
const FlTz *fl_tz_session(const SqlSettings *settings);
/* timestamp +/- interval (sign 1 / -1) and timestamptz +/- interval in a
 * zone, PostgreSQL's rules (func_core_ops.c; also generate_series,
 * func_srf.c); false when out of range. */
bool ts_add_interval(int64_t ts, Interval iv, int sign, int64_t *out);
bool tstz_add_interval(const FlTz *tz, int64_t ts, Interval iv, int sign, int64_t *out);
/* A zone by name as AT TIME ZONE reads it ("Europe/Berlin", "UTC",
 * POSIX-style "+05" = 5 hours west); NULL when unknown. */
const FlTz *fl_tz_lookup(const char *name, size_t n);
/* A zone as the TimeZone setting reads it: like fl_tz_lookup but without
 * the abbreviation table ('EST' is the zone file, 'PST' is unknown). */
const FlTz *fl_tz_setting(const char *name, size_t n);
/* The zone file's own spelling of a zone name matched case-insensitively
 * ("europe/berlin" -> "Europe/Berlin"); false when there is none. */
bool fl_tz_canonical_name(const char *name, char *out, size_t cap);
/* A fixed-offset zone (seconds east of UTC). */
const FlTz *fl_tz_fixed(int32_t off_secs);
/* Text to timestamptz (func_tz.c): a trailing zone name or abbreviation
 * ("2024-03-31 02:30 Europe/Berlin", "... EST") or numeric offset is used,
 * else the local time is in `session`.  0 ok, 1 when s is not a timestamp,
 * 2 when its zone name is unknown (22023 for the caller). */
int fl_parse_timestamptz(const char *s, size_t n, const FlTz *session, int64_t *us_out);
/* Formats a timestamptz in zone tz as PostgreSQL prints it
 * ("2024-03-31 03:30:00+02", "+05:30", LMT "+00:53:28"); returns the
 * length (buf: DT_TEXT_MAX + 16 bytes). */
size_t fl_format_timestamptz(int64_t utc_us, const FlTz *tz, char *buf);
/* Offset (seconds east) at an instant; *abbr (may be NULL) gets the
 * zone abbreviation ("CEST"). */
int32_t fl_tz_offset_utc(const FlTz *tz, int64_t utc_secs, const char **abbr);
/* Offset for a local time, PostgreSQL's DetermineTimeZoneOffset rules. */
int32_t fl_tz_offset_local(const FlTz *tz, int64_t local_secs);
/* UTC micros <-> local micros. */
int64_t fl_tz_to_local(const FlTz *tz, int64_t utc_us, int32_t *off_out);
int64_t fl_tz_to_utc(const FlTz *tz, int64_t local_us);

/* Broken-down local timestamp (astronomical year). */
typedef struct FlTm {
    int64_t year;
    int mon, mday, hour, min, sec;
    int32_t fsec;     /* microseconds */
    int64_t days;     /* days since 1970-01-01 */
    int64_t tod;      /* microseconds since midnight */
} FlTm;

void fl_ts_split(int64_t us, FlTm *tm);
/* Fields of day `days` (since 1970) at time of day tod (micros). */
void fl_day_split(int64_t days, int64_t tod, FlTm *tm);
int fl_dow(int64_t days);                 /* 0 = Sunday */
int fl_doy(int64_t year, int64_t days);   /* 1-based */
int fl_iso_week(int64_t year, int64_t days);
int64_t fl_iso_year(int64_t year, int64_t days);

/* ---- Decimals --------------------------------------------------------------- */

/* Unscaled decimal value at row i of v (int64 for p <= 18, int128 above). */
static inline int128_t fl_dec_get(const Vector *v, uint32_t i)
{
    return v->type->precision > DECIMAL64_MAX_PRECISION ? ((const int128_t *)v->data)[i]
                                                        : ((const int64_t *)v->data)[i];
}

static inline void fl_dec_put(Vector *v, uint32_t i, int128_t x)
{
    if (v->type->precision > DECIMAL64_MAX_PRECISION)
        ((int128_t *)v->data)[i] = x;
    else
        ((int64_t *)v->data)[i] = (int64_t)x;
}

/* 10^e for 0 <= e <= 38 (clamped); table in func_math.c. */
extern int128_t fl_pow10_tab[39];
static inline int128_t fl_pow10(int e)
{
    return fl_pow10_tab[e < 0 ? 0 : e > 38 ? 38 : e];
}

/* Number of decimal digits of |x| (1 for 0). */
static inline int fl_dec_digits(int128_t x)
{
    unsigned __int128 m = x < 0 ? (unsigned __int128)0 - (unsigned __int128)x : (unsigned __int128)x;
    int d = 1;
    while (m >= 10) {
        m /= 10;
        d++;
    }
    return d;
}

/* True when |x| < 10^precision. */
static inline bool fl_dec_fits(int128_t x, int precision)
{
    if (precision >= 39)
        return true;
    int128_t lim = fl_pow10(precision);
    return x < lim && x > -lim;
}

/* Divides x by 10^k rounding half away from zero (PostgreSQL's numeric
 * rounding); k may be 0..38. */
static inline int128_t fl_dec_div_round(int128_t x, int k)
{
    if (k <= 0)
        return x;
    if (k > 38)
        return 0;
    int128_t p = fl_pow10(k);
    int128_t q = x / p, r = x % p;
    if (r < 0)
        r = -r;
    if (r >= p - r) /* 2r >= p, without overflowing */
        q += x < 0 ? -1 : 1;
    return q;
}

/* The value of a decimal as a double. */
static inline double fl_dec_to_double(int128_t x, int scale)
{
    return (double)x / (double)fl_pow10(scale);
}

/* ---- Errors ------------------------------------------------------------------ */

static inline int fl_err(TarnError *err, const char *sqlstate, const char *msg)
{
    return err_set_state(err, TARN_ERR_INVALID, sqlstate, "%s", msg);
}

#define FL_NOMEM(err) ERR_NOMEM((err), 0)

#endif
