/*
 * datetime.c - calendar arithmetic, parsing and printing (see datetime.h).
 *
 * The civil <-> days conversions split time into 400-year eras of 146097
 * days, so every step is integer arithmetic without tables or loops.
 */
#include "util/datetime.h"

#include <string.h>
#include <strings.h>

/* Floor division for a positive divisor. */
static inline int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

int64_t dt_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;                                  /* [0, 399] */
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1; /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;          /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

void dt_civil_from_days(int64_t days, int64_t *y_out, int *m_out, int *d_out)
{
    int64_t z = days + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y_out = y + (m <= 2);
    *m_out = m;
    *d_out = d;
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int dt_days_in_month(int64_t y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

bool dt_valid_date(int64_t y, int m, int d)
{
    return m >= 1 && m <= 12 && d >= 1 && d <= dt_days_in_month(y, m);
}

/* ---- Parsing ------------------------------------------------------------ */

typedef struct {
    const char *p;
    const char *end;
} Cursor;

static inline bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static inline bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static void trim(const char **s, size_t *n)
{
    while (*n && is_blank(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && is_blank((*s)[*n - 1]))
        (*n)--;
}

/* Reads between min and max digits; false when fewer than min. */
static bool read_digits(Cursor *c, int min, int max, int64_t *out)
{
    int64_t v = 0;
    int k = 0;
    while (c->p < c->end && k < max && is_digit(*c->p)) {
        v = v * 10 + (*c->p - '0');
        c->p++;
        k++;
    }
    if (k < min)
        return false;
    *out = v;
    return true;
}

static bool eat(Cursor *c, char ch)
{
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return true;
    }
    return false;
}

/* Case-insensitive match of an ASCII word. */
static bool eat_word(Cursor *c, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(c->end - c->p) < n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char a = c->p[i];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a - 'A' + 'a');
        if (a != w[i])
            return false;
    }
    c->p += n;
    return true;
}

static void skip_blanks(Cursor *c)
{
    while (c->p < c->end && is_blank(*c->p))
        c->p++;
}

/* Parses the date part; *year_out is as written (BC not yet applied). */
static bool parse_date_part(Cursor *c, int64_t *y, int *m, int *d)
{
    int64_t yy, mm, dd;
    if (!read_digits(c, 4, 7, &yy) || !eat(c, '-') || !read_digits(c, 1, 2, &mm) ||
        !eat(c, '-') || !read_digits(c, 1, 2, &dd))
        return false;
    *y = yy;
    *m = (int)mm;
    *d = (int)dd;
    return true;
}

/* " BC" suffix: converts year to astronomical numbering (1 BC = year 0). */
static bool parse_bc(Cursor *c, int64_t *y)
{
    const char *save = c->p;
    skip_blanks(c);
    if (eat_word(c, "bc")) {
        if (*y < 1)
            return false;
        *y = 1 - *y;
        return true;
    }
    c->p = save;
    return true;
}

/* Fraction digits after '.', rounded to microseconds (half up). */
static bool parse_fraction(Cursor *c, int64_t *micros)
{
    int64_t v = 0;
    int k = 0;
    bool round_up = false;
    while (c->p < c->end && is_digit(*c->p)) {
        if (k < 6)
            v = v * 10 + (*c->p - '0');
        else if (k == 6)
            round_up = *c->p >= '5';
        k++;
        c->p++;
    }
    if (k == 0)
        return false;
    for (int i = k; i < 6; i++)
        v *= 10;
    *micros = v + (round_up ? 1 : 0); /* may reach 1000000: carries into seconds */
    return true;
}

/* The fields of hh:mm[:ss[.f]] (ss and frac 0 when absent; frac in
 * microseconds), not range-checked. */
static bool read_time_fields(Cursor *c, int64_t *hh, int64_t *mi, int64_t *ss, int64_t *frac)
{
    *ss = *frac = 0;
    if (!read_digits(c, 1, 2, hh) || !eat(c, ':') || !read_digits(c, 2, 2, mi))
        return false;
    if (eat(c, ':')) {
        if (!read_digits(c, 2, 2, ss))
            return false;
        if (eat(c, '.') && !parse_fraction(c, frac))
            return false;
    }
    return true;
}

static bool parse_time_part(Cursor *c, int64_t *micros)
{
    int64_t hh, mi, ss, frac;
    if (!read_time_fields(c, &hh, &mi, &ss, &frac))
        return false;
    if (hh > 24 || mi > 59 || ss > 60) /* PG takes :60 (a leap second) and carries it */
        return false;
    int64_t t = hh * DT_USECS_PER_HOUR + mi * DT_USECS_PER_MIN + ss * DT_USECS_PER_SEC + frac;
    if (t > DT_USECS_PER_DAY)
        return false;
    *micros = t;
    return true;
}

/* Zone suffix; *offset_out in microseconds east of UTC. */
static bool parse_zone(Cursor *c, bool *has_zone, int64_t *offset_out)
{
    const char *save = c->p;
    skip_blanks(c);
    *has_zone = false;
    *offset_out = 0;
    if (c->p == c->end) {
        c->p = save;
        return true;
    }
    if (eat(c, 'Z') || eat(c, 'z') || eat_word(c, "utc") || eat_word(c, "gmt")) {
        *has_zone = true;
        return true;
    }
    int sign;
    if (eat(c, '+'))
        sign = 1;
    else if (eat(c, '-'))
        sign = -1;
    else {
        c->p = save;
        return true;
    }
    int64_t hh, mm = 0, ss = 0;
    const char *digits = c->p;
    if (!read_digits(c, 1, 2, &hh))
        return false;
    if (c->p - digits == 2 && c->p < c->end && is_digit(*c->p)) {
        if (!read_digits(c, 2, 2, &mm)) /* +hhmm */
            return false;
    } else if (eat(c, ':')) {
        if (!read_digits(c, 2, 2, &mm))
            return false;
        if (eat(c, ':') && !read_digits(c, 2, 2, &ss))
            return false;
    }
    if (hh > 15 || mm > 59 || ss > 59)
        return false;
    *has_zone = true;
    *offset_out = sign * (hh * DT_USECS_PER_HOUR + mm * DT_USECS_PER_MIN + ss * DT_USECS_PER_SEC);
    return true;
}

bool dt_parse_date(const char *s, size_t n, int32_t *days_out)
{
    trim(&s, &n);
    Cursor c = {s, s + n};
    int64_t y;
    int m, d;
    if (!parse_date_part(&c, &y, &m, &d) || !parse_bc(&c, &y) || c.p != c.end)
        return false;
    if (!dt_valid_date(y, m, d))
        return false;
    int64_t days = dt_days_from_civil(y, m, d);
    if (days < INT32_MIN || days > INT32_MAX)
        return false;
    *days_out = (int32_t)days;
    return true;
}

bool dt_parse_time(const char *s, size_t n, int64_t *micros_out)
{
    trim(&s, &n);
    Cursor c = {s, s + n};
    int64_t t;
    if (!parse_time_part(&c, &t) || c.p != c.end)
        return false;
    *micros_out = t;
    return true;
}

/* Days whose midnight still fits int64 microseconds with a day to spare. */
#define MAX_TS_DAYS INT64_C(106751990)

bool dt_parse_timestamp(const char *s, size_t n, int64_t *micros_out, bool *has_zone_out)
{
    trim(&s, &n);
    Cursor c = {s, s + n};
    int64_t y;
    int m, d;
    if (!parse_date_part(&c, &y, &m, &d))
        return false;
    int64_t t = 0;
    if (c.p < c.end && (*c.p == 'T' || *c.p == 't' || *c.p == ' ')) {
        const char *save = c.p;
        c.p++;
        skip_blanks(&c);
        if (c.p < c.end && is_digit(*c.p)) {
            if (!parse_time_part(&c, &t))
                return false;
        } else {
            c.p = save; /* "2024-01-01 BC" or a zone */
        }
    }
    bool has_zone;
    int64_t offset;
    if (!parse_zone(&c, &has_zone, &offset) || !parse_bc(&c, &y) || c.p != c.end)
        return false;
    if (!dt_valid_date(y, m, d))
        return false;
    int64_t days = dt_days_from_civil(y, m, d);
    if (days > MAX_TS_DAYS || days < -MAX_TS_DAYS)
        return false;
    *micros_out = days * DT_USECS_PER_DAY + t - offset;
    if (has_zone_out)
        *has_zone_out = has_zone;
    return true;
}

bool dt_parse_date_basic(const char *s, size_t n, int32_t *days_out)
{
    trim(&s, &n);
    if (n != 8)
        return false;
    for (size_t k = 0; k < 8; k++)
        if (!is_digit(s[k]))
            return false;
    int64_t y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[4] - '0') * 10 + (s[5] - '0'), d = (s[6] - '0') * 10 + (s[7] - '0');
    if (!dt_valid_date(y, m, d))
        return false;
    *days_out = (int32_t)dt_days_from_civil(y, m, d);
    return true;
}

int dt_parse_special(const char *s, size_t n)
{
    trim(&s, &n);
    if (n == 5 && !strncasecmp(s, "epoch", 5))
        return DT_SPECIAL_EPOCH;
    if ((n == 8 && !strncasecmp(s, "infinity", 8)) || (n == 9 && !strncasecmp(s, "+infinity", 9)))
        return DT_SPECIAL_INFINITY;
    if (n == 9 && !strncasecmp(s, "-infinity", 9))
        return DT_SPECIAL_NEG_INFINITY;
    return DT_SPECIAL_NONE;
}

/* hh:mm[:ss[.f]] with any field too large (24:00:00 itself is valid). */
static bool time_shape_out_of_range(Cursor *c)
{
    int64_t hh, mi, ss, frac;
    if (!read_time_fields(c, &hh, &mi, &ss, &frac))
        return false;
    return hh > 24 || mi > 59 || ss > 60 || (hh == 24 && (mi > 0 || ss > 0 || frac > 0));
}

bool dt_fields_out_of_range(const char *s, size_t n)
{
    trim(&s, &n);
    bool basic = n == 8;
    for (size_t k = 0; basic && k < 8; k++)
        basic = is_digit(s[k]);
    if (basic) { /* YYYYMMDD */
        int32_t d;
        return !dt_parse_date_basic(s, n, &d);
    }
    Cursor c = {s, s + n};
    int64_t y;
    int m, d;
    if (!parse_date_part(&c, &y, &m, &d)) {
        c.p = s;
        return time_shape_out_of_range(&c);
    }
    if (m < 1 || m > 12 || d < 1 || d > 31 || (y > 0 && !dt_valid_date(y, m, d)))
        return true;
    if (c.p < c.end && (*c.p == 'T' || *c.p == 't' || *c.p == ' ')) {
        c.p++;
        skip_blanks(&c);
        return time_shape_out_of_range(&c);
    }
    return false;
}

/* ---- Printing ------------------------------------------------------------ */

/* Writes v (>= 0) with at least `width` digits; returns bytes written. */
static size_t put_uint(char *p, uint64_t v, int width)
{
    char tmp[24];
    int k = 0;
    do {
        tmp[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (k < width)
        tmp[k++] = '0';
    for (int i = 0; i < k; i++)
        p[i] = tmp[k - 1 - i];
    return (size_t)k;
}

static size_t put_2(char *p, int v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
    return 2;
}

/* Writes "YYYY-MM-DD"; sets *bc when the year is 0 or before. */
static size_t put_date(char *p, int64_t days, bool *bc)
{
    int64_t y;
    int m, d;
    dt_civil_from_days(days, &y, &m, &d);
    *bc = y <= 0;
    if (*bc)
        y = 1 - y;
    size_t n = put_uint(p, (uint64_t)y, 4);
    p[n++] = '-';
    n += put_2(p + n, m);
    p[n++] = '-';
    n += put_2(p + n, d);
    return n;
}

size_t dt_format_fraction(int64_t frac, char *buf)
{
    if (frac <= 0)
        return 0;
    char digits[6];
    for (int i = 5; i >= 0; i--) {
        digits[i] = (char)('0' + frac % 10);
        frac /= 10;
    }
    int k = 6;
    while (k > 0 && digits[k - 1] == '0')
        k--;
    buf[0] = '.';
    memcpy(buf + 1, digits, (size_t)k);
    return (size_t)k + 1;
}

/* "HH:MM:SS[.ffffff]" for 0 <= t <= one day. */
static size_t put_time(char *p, int64_t t)
{
    int64_t hh = t / DT_USECS_PER_HOUR;
    t -= hh * DT_USECS_PER_HOUR;
    int64_t mi = t / DT_USECS_PER_MIN;
    t -= mi * DT_USECS_PER_MIN;
    int64_t ss = t / DT_USECS_PER_SEC;
    t -= ss * DT_USECS_PER_SEC;
    size_t n = put_uint(p, (uint64_t)hh, 2);
    p[n++] = ':';
    n += put_2(p + n, (int)mi);
    p[n++] = ':';
    n += put_2(p + n, (int)ss);
    n += dt_format_fraction(t, p + n);
    return n;
}

size_t dt_format_date(int64_t days, char *buf)
{
    bool bc;
    size_t n = put_date(buf, days, &bc);
    if (bc) {
        memcpy(buf + n, " BC", 3);
        n += 3;
    }
    buf[n] = '\0';
    return n;
}

size_t dt_format_time(int64_t micros, char *buf)
{
    /* Out-of-range values (only from foreign files) print modulo a day
     * rather than as garbage. */
    if (micros < 0 || micros > DT_USECS_PER_DAY) {
        micros %= DT_USECS_PER_DAY;
        if (micros < 0)
            micros += DT_USECS_PER_DAY;
    }
    size_t n = put_time(buf, micros);
    buf[n] = '\0';
    return n;
}

size_t dt_format_timestamp(int64_t micros, bool with_zone, char *buf)
{
    int64_t days = floor_div(micros, DT_USECS_PER_DAY);
    int64_t t = micros % DT_USECS_PER_DAY; /* days * DAY may not fit at INT64_MIN */
    if (t < 0)
        t += DT_USECS_PER_DAY;
    bool bc;
    size_t n = put_date(buf, days, &bc);
    buf[n++] = ' ';
    n += put_time(buf + n, t);
    if (with_zone) {
        memcpy(buf + n, "+00", 3);
        n += 3;
    }
    if (bc) {
        memcpy(buf + n, " BC", 3);
        n += 3;
    }
    buf[n] = '\0';
    return n;
}
