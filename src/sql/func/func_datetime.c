/*
 * func_datetime.c - PostgreSQL's date/time functions (PG docs 9.9): now()
 * and friends, date_trunc, extract / date_part, age, date_bin, make_date,
 * make_time, make_timestamp(tz), make_interval, justify_*, isfinite,
 * to_timestamp(double), AT TIME ZONE (timezone()), time +/- interval,
 * time - time.  to_char / to_timestamp(text) / to_date live in
 * func_datetime_fmt.c; the arithmetic operators on dates, timestamps and
 * intervals in func_core_ops.c.
 *
 * Time zones: the session's TimeZone (SqlSettings.timezone) is a zone of
 * the IANA database (/usr/share/zoneinfo, TZif v2+ with its POSIX TZ
 * footer for dates after the last listed transition), "UTC", or a fixed
 * offset (SqlSettings.tz_offset_secs, seconds east of UTC).  A
 * timestamptz is stored in UTC; its fields (extract, date_trunc, age,
 * to_char) are those of local time in the session zone, and local times
 * map back to UTC the way PostgreSQL's DetermineTimeZoneOffset does
 * (in a spring-forward gap the offset before the transition is used, in a
 * fall-back overlap the one after).  Zones are loaded once and cached for
 * the life of the process (fl_tz_*, shared with func_datetime_fmt.c).
 *
 * Unit names (date_trunc, extract) follow PostgreSQL's tables, including
 * abbreviations and plurals ("mon", "hrs", "msec", "millennia").  tarn has
 * no infinite dates or timestamps, so isfinite() is true for every
 * interval and every value except the int64/int32 extremes.
 */
#include "sql/func/func_lib.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "util/datetime.h"

#define KERNEL(name)                                                                           \
    static int name(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows, Vector *out, \
                    TarnError *err)

#define USECS_PER_DAY DT_USECS_PER_DAY
#define SECS_PER_DAY INT64_C(86400)

/* ---- Time zones ------------------------------------------------------------------------ */

struct FlTz {
    char name[64];
    uint32_t n;           /* transitions */
    int64_t *at;          /* UTC seconds of each transition, ascending */
    int32_t *off;         /* offset (seconds east) from at[k] on */
    char (*abbr)[16];     /* abbreviation from at[k] on */
    int32_t off0;         /* before the first transition (or always, n == 0) */
    char abbr0[16];
    struct FlTz *next;
};

static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;
static FlTz *tz_cache;
static FlTz tz_utc = {.name = "UTC", .abbr0 = "UTC"};

static int64_t be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int k = 0; k < 8; k++)
        v = v << 8 | p[k];
    return (int64_t)v;
}

static int32_t be32(const uint8_t *p)
{
    return (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
}

/* POSIX TZ string (the TZif footer): "CET-1CEST,M3.5.0,M10.5.0/3". */
typedef struct PosixRule {
    char std_abbr[8], dst_abbr[8];
    int32_t std_off, dst_off;   /* seconds east */
    bool has_dst;
    int start_m, start_w, start_d, end_m, end_w, end_d;
    int32_t start_t, end_t;     /* seconds after local midnight */
} PosixRule;

static bool posix_name(const char **p, char *out)
{
    const char *s = *p;
    size_t n = 0;
    if (*s == '<') {
        s++;
        while (*s && *s != '>') {
            if (n < 7)
                out[n++] = *s;
            s++;
        }
        if (*s != '>')
            return false;
        s++;
    } else {
        while (isalpha((unsigned char)*s)) {
            if (n < 7)
                out[n++] = *s;
            s++;
        }
        if (n < 3)
            return false;
    }
    out[n] = '\0';
    *p = s;
    return true;
}

/* [+-]hh[:mm[:ss]] in seconds (sign as written). */
static bool posix_offset(const char **p, int32_t *out)
{
    const char *s = *p;
    int sign = 1;
    if (*s == '+' || *s == '-')
        sign = *s++ == '-' ? -1 : 1;
    if (!isdigit((unsigned char)*s))
        return false;
    int32_t v[3] = {0, 0, 0};
    for (int k = 0; k < 3; k++) {
        if (k && *s != ':')
            break;
        if (k)
            s++;
        if (!isdigit((unsigned char)*s))
            return false;
        while (isdigit((unsigned char)*s))
            v[k] = v[k] * 10 + (*s++ - '0');
    }
    *out = sign * (v[0] * 3600 + v[1] * 60 + v[2]);
    *p = s;
    return true;
}

static bool posix_date(const char **p, int *m, int *w, int *d, int32_t *t)
{
    const char *s = *p;
    if (*s != 'M')
        return false; /* Jn and n forms are not used by current tzdata */
    s++;
    if (sscanf(s, "%d.%d.%d", m, w, d) != 3)
        return false;
    while (*s && *s != ',' && *s != '/')
        s++;
    *t = 7200;
    if (*s == '/') {
        s++;
        if (!posix_offset(&s, t))
            return false;
    }
    *p = s;
    return true;
}

static bool posix_parse(const char *s, PosixRule *r)
{
    memset(r, 0, sizeof *r);
    int32_t o;
    if (!posix_name(&s, r->std_abbr) || !posix_offset(&s, &o))
        return false;
    r->std_off = -o; /* POSIX offsets are west-positive */
    if (!*s)
        return true;
    if (!posix_name(&s, r->dst_abbr))
        return false;
    r->dst_off = r->std_off + 3600;
    if (*s && *s != ',') {
        if (!posix_offset(&s, &o))
            return false;
        r->dst_off = -o;
    }
    if (*s != ',')
        return false; /* DST without rules: not in current tzdata */
    s++;
    if (!posix_date(&s, &r->start_m, &r->start_w, &r->start_d, &r->start_t) || *s != ',')
        return false;
    s++;
    if (!posix_date(&s, &r->end_m, &r->end_w, &r->end_d, &r->end_t))
        return false;
    r->has_dst = true;
    return true;
}

/* Day (days since 1970) of "weekday d of week w of month m" in year y. */
static int64_t rule_day(int64_t y, int m, int w, int d)
{
    int64_t first = dt_days_from_civil(y, m, 1);
    int dow = (int)(((first + 4) % 7 + 7) % 7);
    int64_t day = first + ((d - dow + 7) % 7) + (int64_t)(w - 1) * 7;
    int dim = dt_days_in_month(y, m);
    while (day >= first + dim)
        day -= 7;
    return day;
}

typedef struct TransBuf {
    int64_t *at;
    int32_t *off;
    char (*abbr)[16];
    uint32_t n, cap;
} TransBuf;

static bool trans_push(TransBuf *b, int64_t at, int32_t off, const char *abbr)
{
    if (b->n == b->cap) {
        uint32_t cap = b->cap ? b->cap * 2 : 64;
        int64_t *a = tarn_realloc(b->at, cap * sizeof *a);
        if (!a)
            return false;
        b->at = a;
        int32_t *o = tarn_realloc(b->off, cap * sizeof *o);
        if (!o)
            return false;
        b->off = o;
        char(*ab)[16] = tarn_realloc(b->abbr, cap * sizeof *ab);
        if (!ab)
            return false;
        b->abbr = ab;
        b->cap = cap;
    }
    b->at[b->n] = at;
    b->off[b->n] = off;
    snprintf(b->abbr[b->n], 16, "%s", abbr);
    b->n++;
    return true;
}

/* Parses a TZif file into tz; false when it is not one. */
static bool tzif_parse(const uint8_t *d, size_t n, FlTz *tz)
{
    if (n < 44 || memcmp(d, "TZif", 4))
        return false;
    int version = d[4];
    uint32_t cnt[6];
    for (int k = 0; k < 6; k++)
        cnt[k] = (uint32_t)be32(d + 20 + 4 * k);
    /* isutcnt isstdcnt leapcnt timecnt typecnt charcnt */
    size_t v1 = (size_t)cnt[3] * 5 + (size_t)cnt[4] * 6 + cnt[5] + (size_t)cnt[2] * 8 + cnt[1] + cnt[0];
    const uint8_t *p = d + 44;
    size_t tsize = 4;
    if (version >= '2') {
        if (44 + v1 + 44 > n)
            return false;
        p = d + 44 + v1;
        if (memcmp(p, "TZif", 4))
            return false;
        for (int k = 0; k < 6; k++)
            cnt[k] = (uint32_t)be32(p + 20 + 4 * k);
        p += 44;
        tsize = 8;
    }
    uint32_t timecnt = cnt[3], typecnt = cnt[4], charcnt = cnt[5];
    size_t need = (size_t)timecnt * (tsize + 1) + (size_t)typecnt * 6 + charcnt +
                  (size_t)cnt[2] * (tsize + 4) + cnt[1] + cnt[0];
    if (typecnt == 0 || typecnt > 256 || (size_t)(p - d) + need > n)
        return false;
    const uint8_t *times = p, *idx = p + (size_t)timecnt * tsize, *types = idx + timecnt;
    const char *chars = (const char *)(types + (size_t)typecnt * 6);
    const uint8_t *end_data = p + need;
    TransBuf b = {0};
    bool ok = true;
    for (uint32_t k = 0; k < timecnt && ok; k++) {
        int64_t at = tsize == 8 ? be64(times + 8 * (size_t)k) : be32(times + 4 * (size_t)k);
        uint8_t ti = idx[k];
        if (ti >= typecnt) {
            ok = false;
            break;
        }
        const uint8_t *tt = types + 6 * (size_t)ti;
        uint8_t ai = tt[5];
        ok = trans_push(&b, at, be32(tt), ai < charcnt ? chars + ai : "");
    }
    tz->off0 = be32(types);
    snprintf(tz->abbr0, sizeof tz->abbr0, "%s", types[5] < charcnt ? chars + types[5] : "");
    /* Footer: the rule for times after the last transition. */
    if (ok && version >= '2' && end_data < d + n && *end_data == '\n') {
        const char *f = (const char *)end_data + 1;
        const char *nl = memchr(f, '\n', (size_t)((const char *)d + n - f));
        char rule_text[128];
        size_t rl = nl ? (size_t)(nl - f) : 0;
        PosixRule r;
        if (nl && rl < sizeof rule_text) {
            memcpy(rule_text, f, rl);
            rule_text[rl] = '\0';
            if (rl && posix_parse(rule_text, &r)) {
                int64_t last = b.n ? b.at[b.n - 1] : INT64_MIN;
                int64_t y0 = 1970;
                if (b.n) {
                    int64_t yy;
                    int mm, dd;
                    dt_civil_from_days(last / SECS_PER_DAY, &yy, &mm, &dd);
                    y0 = yy;
                }
                if (!r.has_dst) {
                    if (!b.n)
                        tz->off0 = r.std_off, snprintf(tz->abbr0, sizeof tz->abbr0, "%s", r.std_abbr);
                    else if (b.off[b.n - 1] != r.std_off)
                        ok = trans_push(&b, last + 1, r.std_off, r.std_abbr);
                } else {
                    for (int64_t y = y0; y <= 2200 && ok; y++) {
                        int64_t s = rule_day(y, r.start_m, r.start_w, r.start_d) * SECS_PER_DAY +
                                    r.start_t - r.std_off;
                        int64_t e = rule_day(y, r.end_m, r.end_w, r.end_d) * SECS_PER_DAY +
                                    r.end_t - r.dst_off;
                        int64_t t1 = s < e ? s : e, t2 = s < e ? e : s;
                        bool first_is_start = s < e;
                        if (t1 > last)
                            ok = trans_push(&b, t1, first_is_start ? r.dst_off : r.std_off,
                                            first_is_start ? r.dst_abbr : r.std_abbr);
                        if (ok && t2 > last)
                            ok = trans_push(&b, t2, first_is_start ? r.std_off : r.dst_off,
                                            first_is_start ? r.std_abbr : r.dst_abbr);
                    }
                }
            }
        }
    }
    if (!ok) {
        tarn_free(b.at);
        tarn_free(b.off);
        tarn_free(b.abbr);
        return false;
    }
    tz->n = b.n;
    tz->at = b.at;
    tz->off = b.off;
    tz->abbr = b.abbr;
    return true;
}

static bool valid_zone_name(const char *s, size_t n)
{
    if (n == 0 || n >= 64 || s[0] == '/' || s[0] == '.')
        return false;
    for (size_t k = 0; k < n; k++) {
        char c = s[k];
        if (!(isalnum((unsigned char)c) || c == '/' || c == '_' || c == '-' || c == '+'))
            return false;
        if (c == '/' && k + 1 < n && s[k + 1] == '.')
            return false;
    }
    return true;
}

static FlTz *tz_find_locked(const char *name)
{
    for (FlTz *t = tz_cache; t; t = t->next)
        if (!strcmp(t->name, name))
            return t;
    return NULL;
}

static FlTz *tz_add_locked(FlTz *proto)
{
    FlTz *t = tarn_malloc(sizeof *t);
    if (!t)
        return NULL;
    *t = *proto;
    t->next = tz_cache;
    tz_cache = t;
    return t;
}

/* Loads (or finds) the IANA zone `name`; NULL when there is none. */
static const FlTz *tz_load(const char *s, size_t n)
{
    if (!valid_zone_name(s, n))
        return NULL;
    char name[64];
    memcpy(name, s, n);
    name[n] = '\0';
    pthread_mutex_lock(&tz_lock);
    FlTz *t = tz_find_locked(name);
    if (t) {
        pthread_mutex_unlock(&tz_lock);
        return t->n || t->off0 || t->abbr0[0] ? t : NULL;
    }
    char path[128];
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", name);
    FlTz proto;
    memset(&proto, 0, sizeof proto);
    snprintf(proto.name, sizeof proto.name, "%s", name);
    FILE *f = fopen(path, "rb");
    char canon[64];
    if (!f && fl_tz_canonical_name(name, canon, sizeof canon)) {
        /* zone names are case-insensitive in PostgreSQL */
        snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", canon);
        f = fopen(path, "rb");
    }
    bool ok = false;
    if (f) {
        uint8_t *buf = tarn_malloc(1 << 20);
        if (buf) {
            size_t len = fread(buf, 1, 1 << 20, f);
            ok = tzif_parse(buf, len, &proto);
            tarn_free(buf);
        }
        fclose(f);
    }
    if (!ok) {
        /* remember the miss as an empty entry */
        memset(&proto, 0, sizeof proto);
        snprintf(proto.name, sizeof proto.name, "%s", name);
    }
    t = tz_add_locked(&proto);
    pthread_mutex_unlock(&tz_lock);
    return ok ? t : NULL;
}

/* A fixed-offset zone (seconds east), cached by offset. */
static const FlTz *tz_fixed(int32_t off)
{
    if (off == 0)
        return &tz_utc;
    char name[16];
    int32_t a = (off < 0 ? -off : off) % (100 * 3600);
    if (a % 3600 == 0)
        snprintf(name, sizeof name, "%c%02d", off < 0 ? '-' : '+', a / 3600);
    else if (a % 60 == 0)
        snprintf(name, sizeof name, "%c%02d:%02d", off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
    else
        snprintf(name, sizeof name, "%c%02d:%02d:%02d", off < 0 ? '-' : '+', a / 3600, a / 60 % 60, a % 60);
    char key[32];
    snprintf(key, sizeof key, "@fixed%s", name);
    pthread_mutex_lock(&tz_lock);
    FlTz *t = tz_find_locked(key);
    if (!t) {
        FlTz proto;
        memset(&proto, 0, sizeof proto);
        snprintf(proto.name, sizeof proto.name, "%s", key);
        proto.off0 = off;
        snprintf(proto.abbr0, sizeof proto.abbr0, "%s", name);
        t = tz_add_locked(&proto);
    }
    pthread_mutex_unlock(&tz_lock);
    return t ? t : &tz_utc;
}

static bool ieq(const char *s, size_t n, const char *w)
{
    size_t m = strlen(w);
    if (m != n)
        return false;
    for (size_t k = 0; k < n; k++)
        if (tolower((unsigned char)s[k]) != w[k])
            return false;
    return true;
}

static const FlTz *tz_lookup(const char *s, size_t n, bool iso_sign, bool session_setting);

const FlTz *fl_tz_lookup(const char *s, size_t n)
{
    return tz_lookup(s, n, false, false);
}

/* PostgreSQL 15's default time zone abbreviations (pg_timezone_abbrevs,
 * offsets in seconds east; the dynamic ones as of 2024), sorted.  AT TIME
 * ZONE and date_trunc's zone argument try them before zone names, as
 * PostgreSQL does: 'CET' is a fixed +01, not the zone CET with summer time. */
static const struct { const char *name; int32_t off; } tz_abbrevs[] = {
    {"acdt", 37800}, {"acsst", 37800}, {"acst", 34200}, {"act", -18000}, {"acwst", 31500},
    {"adt", -10800}, {"aedt", 39600}, {"aesst", 39600}, {"aest", 36000}, {"aft", 16200},
    {"akdt", -28800}, {"akst", -32400}, {"almst", 25200}, {"almt", 21600}, {"amst", 14400},
    {"amt", -14400}, {"anast", 43200}, {"anat", 43200}, {"arst", -10800}, {"art", -10800},
    {"ast", -14400}, {"awsst", 32400}, {"awst", 28800}, {"azost", 0}, {"azot", -3600}, {"azst",
    14400}, {"azt", 14400}, {"bdst", 7200}, {"bdt", 21600}, {"bnt", 28800}, {"bort", 28800},
    {"bot", -14400}, {"bra", -10800}, {"brst", -7200}, {"brt", -10800}, {"bst", 3600}, {"btt",
    21600}, {"cadt", 37800}, {"cast", 34200}, {"cct", 28800}, {"cdt", -18000}, {"cest", 7200},
    {"cet", 3600}, {"cetdst", 7200}, {"chadt", 49500}, {"chast", 45900}, {"chut", 36000},
    {"ckt", -36000}, {"clst", -10800}, {"clt", -10800}, {"cot", -18000}, {"cst", -21600},
    {"cxt", 25200}, {"davt", 25200}, {"ddut", 36000}, {"easst", -18000}, {"east", -18000},
    {"eat", 10800}, {"edt", -14400}, {"eest", 10800}, {"eet", 7200}, {"eetdst", 10800}, {"egst",
    0}, {"egt", -3600}, {"est", -18000}, {"fet", 10800}, {"fjst", 46800}, {"fjt", 43200},
    {"fkst", -10800}, {"fkt", -10800}, {"fnst", -3600}, {"fnt", -7200}, {"galt", -21600},
    {"gamt", -32400}, {"gest", 14400}, {"get", 14400}, {"gft", -10800}, {"gilt", 43200}, {"gmt",
    0}, {"gyt", -14400}, {"hkt", 28800}, {"hst", -36000}, {"ict", 25200}, {"idt", 10800},
    {"iot", 21600}, {"irkst", 28800}, {"irkt", 28800}, {"irt", 12600}, {"ist", 7200}, {"jayt",
    32400}, {"jst", 32400}, {"kdt", 36000}, {"kgst", 21600}, {"kgt", 21600}, {"kost", 39600},
    {"krast", 25200}, {"krat", 25200}, {"kst", 32400}, {"lhdt", 39600}, {"lhst", 37800},
    {"ligt", 36000}, {"lint", 50400}, {"lkt", 19800}, {"magst", 39600}, {"magt", 39600},
    {"mart", -34200}, {"mawt", 18000}, {"mdt", -21600}, {"mest", 7200}, {"mesz", 7200}, {"met",
    3600}, {"metdst", 7200}, {"mez", 3600}, {"mht", 43200}, {"mmt", 23400}, {"mpt", 36000},
    {"msd", 14400}, {"msk", 10800}, {"mst", -25200}, {"must", 18000}, {"mut", 14400}, {"mvt",
    18000}, {"myt", 28800}, {"ndt", -9000}, {"nft", -12600}, {"novst", 25200}, {"novt", 25200},
    {"npt", 20700}, {"nst", -12600}, {"nut", -39600}, {"nzdt", 46800}, {"nzst", 43200}, {"nzt",
    43200}, {"omsst", 21600}, {"omst", 21600}, {"pdt", -25200}, {"pet", -18000}, {"petst",
    43200}, {"pett", 43200}, {"pgt", 36000}, {"pht", 28800}, {"pkst", 21600}, {"pkt", 18000},
    {"pmdt", -7200}, {"pmst", -10800}, {"pont", 39600}, {"pst", -28800}, {"pwt", 32400},
    {"pyst", -10800}, {"pyt", -10800}, {"ret", 14400}, {"sadt", 37800}, {"sast", 7200}, {"sct",
    14400}, {"sgt", 28800}, {"taht", -36000}, {"tft", 18000}, {"tjt", 18000}, {"tkt", 46800},
    {"tmt", 18000}, {"tot", 46800}, {"trut", 36000}, {"tvt", 43200}, {"uct", 0}, {"ulast",
    32400}, {"ulat", 28800}, {"ut", 0}, {"utc", 0}, {"uyst", -7200}, {"uyt", -10800}, {"uzst",
    21600}, {"uzt", 18000}, {"vet", -14400}, {"vlast", 36000}, {"vlat", 36000}, {"volt", 10800},
    {"vut", 39600}, {"wadt", 28800}, {"wakt", 43200}, {"wast", 25200}, {"wat", 3600}, {"wdt",
    32400}, {"wet", 0}, {"wetdst", 3600}, {"wft", 43200}, {"wgst", -7200}, {"wgt", -10800},
    {"xjt", 21600}, {"yakst", 32400}, {"yakt", 32400}, {"yapt", 36000}, {"yekst", 21600},
    {"yekt", 18000}, {"z", 0}, {"zulu", 0}
};

static const FlTz *tz_abbrev(const char *s, size_t n)
{
    char low[16];
    if (n == 0 || n >= sizeof low)
        return NULL;
    for (size_t k = 0; k < n; k++)
        low[k] = (char)tolower((unsigned char)s[k]);
    low[n] = '\0';
    size_t lo = 0, hi = sizeof tz_abbrevs / sizeof tz_abbrevs[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(tz_abbrevs[mid].name, low);
        if (!c)
            return tz_fixed(tz_abbrevs[mid].off);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* iso_sign: "+05" is 5 hours east (make_timestamptz's parse_sane_timezone)
 * instead of POSIX's west (AT TIME ZONE, date_trunc). */
static const FlTz *tz_lookup(const char *s, size_t n, bool iso_sign, bool session_setting)
{
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    if (ieq(s, n, "utc") || ieq(s, n, "gmt") || ieq(s, n, "z") || ieq(s, n, "zulu") ||
        ieq(s, n, "etc/utc") || ieq(s, n, "etc/gmt") || ieq(s, n, "universal"))
        return &tz_utc;
    if (!session_setting) {
        const FlTz *ab = tz_abbrev(s, n);
        if (ab)
            return ab;
    }
    /* POSIX-style fixed offsets: "+05", "-03:30", "UTC+3" (west-positive,
     * as PostgreSQL reads them). */
    const char *p = s;
    size_t m = n;
    if (m > 3 && (ieq(p, 3, "utc") || ieq(p, 3, "gmt")) && (p[3] == '+' || p[3] == '-')) {
        p += 3;
        m -= 3;
    }
    if (m && (p[0] == '+' || p[0] == '-' || isdigit((unsigned char)p[0]))) {
        char tmp[32];
        if (m < sizeof tmp) {
            memcpy(tmp, p, m);
            tmp[m] = '\0';
            const char *q = tmp;
            int32_t off;
            if (posix_offset(&q, &off) && !*q && off > -15 * 3600 - 60 * 60 && off < 15 * 3600 + 3600)
                return tz_fixed(iso_sign && p == s ? off : -off);
        }
        return NULL;
    }
    return tz_load(s, n);
}

const FlTz *fl_tz_fixed(int32_t off_secs)
{
    return tz_fixed(off_secs);
}

const FlTz *fl_tz_setting(const char *s, size_t n)
{
    return tz_lookup(s, n, false, true);
}

const FlTz *fl_tz_session(const SqlSettings *st)
{
    if (!st || !st->timezone[0])
        return &tz_utc;
    size_t n = strnlen(st->timezone, sizeof st->timezone);
    const FlTz *t = tz_lookup(st->timezone, n, false, true);
    if (t)
        return t;
    return tz_fixed(st->tz_offset_secs);
}

static inline int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int32_t fl_tz_offset_utc(const FlTz *tz, int64_t utc_secs, const char **abbr)
{
    if (!tz->n || utc_secs < tz->at[0]) {
        if (abbr)
            *abbr = tz->abbr0;
        return tz->off0;
    }
    uint32_t lo = 0, hi = tz->n; /* last k with at[k] <= t */
    while (hi - lo > 1) {
        uint32_t mid = (lo + hi) / 2;
        if (tz->at[mid] <= utc_secs)
            lo = mid;
        else
            hi = mid;
    }
    if (abbr)
        *abbr = tz->abbr[lo];
    return tz->off[lo];
}

int32_t fl_tz_offset_local(const FlTz *tz, int64_t local_secs)
{
    if (!tz->n)
        return tz->off0;
    /* PostgreSQL's DetermineTimeZoneOffset: the first boundary after
     * local - 1 day, with the offsets before and after it. */
    int64_t prev = local_secs - SECS_PER_DAY;
    uint32_t lo = 0, hi = tz->n;
    while (lo < hi) { /* first k with at[k] > prev */
        uint32_t mid = (lo + hi) / 2;
        if (tz->at[mid] > prev)
            hi = mid;
        else
            lo = mid + 1;
    }
    int32_t before = lo == 0 ? tz->off0 : tz->off[lo - 1];
    if (lo == tz->n)
        return before;
    int64_t boundary = tz->at[lo];
    int32_t after = tz->off[lo];
    int64_t bt = local_secs - before, at = local_secs - after;
    if (bt < boundary && at < boundary)
        return before;
    if (bt >= boundary && at >= boundary)
        return after;
    return bt > at ? before : after;
}

/* a + b saturated to the int64 range (extreme timestamps from foreign
 * files must not overflow). */
static inline int64_t sat_add(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r))
        return b > 0 ? INT64_MAX : INT64_MIN;
    return r;
}

/* UTC micros -> local micros in tz. */
static inline int64_t tz_local_us(const FlTz *tz, int64_t utc_us, int32_t *off_out)
{
    int32_t off = fl_tz_offset_utc(tz, floor_div(utc_us, DT_USECS_PER_SEC), NULL);
    if (off_out)
        *off_out = off;
    return sat_add(utc_us, (int64_t)off * DT_USECS_PER_SEC);
}

/* Local micros -> UTC micros in tz. */
static inline int64_t tz_utc_us(const FlTz *tz, int64_t local_us)
{
    int32_t off = fl_tz_offset_local(tz, floor_div(local_us, DT_USECS_PER_SEC));
    return sat_add(local_us, -(int64_t)off * DT_USECS_PER_SEC);
}

int64_t fl_tz_to_local(const FlTz *tz, int64_t utc_us, int32_t *off_out)
{
    return tz_local_us(tz, utc_us, off_out);
}

int64_t fl_tz_to_utc(const FlTz *tz, int64_t local_us)
{
    return tz_utc_us(tz, local_us);
}

/* ---- Calendar helpers ------------------------------------------------------------------- */

void fl_day_split(int64_t days, int64_t tod, FlTm *tm)
{
    dt_civil_from_days(days, &tm->year, &tm->mon, &tm->mday);
    tm->days = days;
    tm->hour = (int)(tod / DT_USECS_PER_HOUR);
    tm->min = (int)(tod / DT_USECS_PER_MIN % 60);
    tm->sec = (int)(tod / DT_USECS_PER_SEC % 60);
    tm->fsec = (int32_t)(tod % DT_USECS_PER_SEC);
    tm->tod = tod;
}

void fl_ts_split(int64_t us, FlTm *tm)
{
    int64_t tod = us % USECS_PER_DAY; /* days * DAY may not fit at INT64_MIN */
    if (tod < 0)
        tod += USECS_PER_DAY;
    fl_day_split(floor_div(us, USECS_PER_DAY), tod, tm);
}

/* 0 = Sunday. */
int fl_dow(int64_t days)
{
    return (int)(((days + 4) % 7 + 7) % 7);
}

int fl_doy(int64_t y, int64_t days)
{
    return (int)(days - dt_days_from_civil(y, 1, 1)) + 1;
}

/* PostgreSQL's date2isoweek / date2isoyear. */
static void iso_week(int64_t y, int64_t dayn, int *week_out, int64_t *year_out)
{
    int64_t day4 = dt_days_from_civil(y, 1, 4);
    int64_t day0 = fl_dow(day4 - 1);
    int64_t year = y;
    if (dayn < day4 - day0) {
        year = y - 1;
        day4 = dt_days_from_civil(year, 1, 4);
        day0 = fl_dow(day4 - 1);
    }
    int64_t result = (dayn - (day4 - day0)) / 7 + 1;
    if (result >= 52) {
        int64_t d4 = dt_days_from_civil(year + 1, 1, 4);
        int64_t d0 = fl_dow(d4 - 1);
        if (dayn >= d4 - d0) {
            result = (dayn - (d4 - d0)) / 7 + 1;
            year++;
        }
    }
    *week_out = (int)result;
    *year_out = year;
}

int fl_iso_week(int64_t y, int64_t days)
{
    int w;
    int64_t yy;
    iso_week(y, days, &w, &yy);
    return w;
}

int64_t fl_iso_year(int64_t y, int64_t days)
{
    int w;
    int64_t yy;
    iso_week(y, days, &w, &yy);
    return yy;
}

/* Julian day number of a day since 1970 (1970-01-01 is JD 2440588). */
static inline int64_t julian_day(int64_t days)
{
    return days + 2440588;
}

/* PostgreSQL's accepted timestamp range (4714-11-24 BC .. the int64 end). */
#define MIN_TS_US INT64_C(-210866803200000000)

static inline bool ts_valid(int64_t us)
{
    return us >= MIN_TS_US;
}

static int err_ts_range(TarnError *err)
{
    return fl_err(err, "22008", "timestamp out of range");
}

static int err_iv_range(TarnError *err)
{
    return fl_err(err, "22008", "interval out of range");
}

/* ---- Units ----------------------------------------------------------------------------- */

enum {
    U_NONE = 0, U_MICROSEC, U_MILLISEC, U_SECOND, U_MINUTE, U_HOUR, U_DAY, U_WEEK, U_MONTH,
    U_QUARTER, U_YEAR, U_DECADE, U_CENTURY, U_MILLENNIUM, U_TZ, U_TZ_HOUR, U_TZ_MINUTE,
    /* "special" tokens (datetktbl): extract only, never date_trunc */
    U_EPOCH, U_DOW, U_DOY, U_ISODOW, U_ISOYEAR, U_JULIAN,
};

static const struct { const char *name; int unit; } unit_names[] = {
    {"c", U_CENTURY}, {"cent", U_CENTURY}, {"centuries", U_CENTURY}, {"century", U_CENTURY},
    {"d", U_DAY}, {"day", U_DAY}, {"days", U_DAY},
    {"dec", U_DECADE}, {"decade", U_DECADE}, {"decades", U_DECADE}, {"decs", U_DECADE},
    {"h", U_HOUR}, {"hour", U_HOUR}, {"hours", U_HOUR}, {"hr", U_HOUR}, {"hrs", U_HOUR},
    {"m", U_MINUTE}, {"microsecon", U_MICROSEC}, {"mil", U_MILLENNIUM}, {"millennia", U_MILLENNIUM},
    {"millennium", U_MILLENNIUM}, {"millisecon", U_MILLISEC}, {"mils", U_MILLENNIUM},
    {"min", U_MINUTE}, {"mins", U_MINUTE}, {"minute", U_MINUTE}, {"minutes", U_MINUTE},
    {"mon", U_MONTH}, {"mons", U_MONTH}, {"month", U_MONTH}, {"months", U_MONTH},
    {"ms", U_MILLISEC}, {"msec", U_MILLISEC}, {"msecond", U_MILLISEC}, {"mseconds", U_MILLISEC},
    {"msecs", U_MILLISEC}, {"qtr", U_QUARTER}, {"quarter", U_QUARTER},
    {"s", U_SECOND}, {"sec", U_SECOND}, {"second", U_SECOND}, {"seconds", U_SECOND}, {"secs", U_SECOND},
    {"timezone", U_TZ}, {"timezone_h", U_TZ_HOUR}, {"timezone_m", U_TZ_MINUTE},
    {"us", U_MICROSEC}, {"usec", U_MICROSEC}, {"usecond", U_MICROSEC}, {"useconds", U_MICROSEC},
    {"usecs", U_MICROSEC}, {"w", U_WEEK}, {"week", U_WEEK}, {"weeks", U_WEEK},
    {"y", U_YEAR}, {"year", U_YEAR}, {"years", U_YEAR}, {"yr", U_YEAR}, {"yrs", U_YEAR},
    /* special */
    {"epoch", U_EPOCH}, {"dow", U_DOW}, {"doy", U_DOY}, {"isodow", U_ISODOW},
    {"isoyear", U_ISOYEAR}, {"j", U_JULIAN}, {"jd", U_JULIAN}, {"julian", U_JULIAN},
};

/* Looks a unit name up the way PostgreSQL does (lower-cased, cut to 10
 * characters).  U_NONE when unknown. */
static int unit_lookup(StrView s)
{
    char low[11];
    size_t n = s.len < 10 ? s.len : 10;
    for (size_t k = 0; k < n; k++)
        low[k] = (char)tolower((unsigned char)s.ptr[k]);
    low[n] = '\0';
    for (size_t k = 0; k < sizeof unit_names / sizeof unit_names[0]; k++)
        if (!strcmp(unit_names[k].name, low))
            return unit_names[k].unit;
    return U_NONE;
}

static const char *type_label(TypeId t)
{
    switch (t) {
    case TYPE_DATE: return "date";
    case TYPE_TIME: return "time without time zone";
    case TYPE_TIMESTAMP: return "timestamp without time zone";
    case TYPE_TIMESTAMPTZ: return "timestamp with time zone";
    default: return "interval";
    }
}

static int err_unit(TarnError *err, StrView name, TypeId t, bool recognized)
{
    char low[64];
    size_t n = name.len < sizeof low - 1 ? name.len : sizeof low - 1;
    for (size_t k = 0; k < n; k++)
        low[k] = (char)tolower((unsigned char)name.ptr[k]);
    low[n] = '\0';
    if (recognized)
        return err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "unit \"%s\" not supported for type %s",
                             low, type_label(t));
    return err_set_state(err, TARN_ERR_INVALID, "22023", "unit \"%s\" not recognized for type %s", low,
                         type_label(t));
}

/* Bind state of date_trunc / extract / date_part with a constant unit. */
typedef struct UnitState {
    int unit;
} UnitState;

/* ---- now() and friends ------------------------------------------------------------------- */

static int64_t stmt_ts(const FuncCtx *ctx)
{
    if (ctx->settings && ctx->settings->statement_ts)
        return ctx->settings->statement_ts;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * DT_USECS_PER_SEC + ts.tv_nsec / 1000;
}

KERNEL(k_now)
{
    int64_t t = stmt_ts(ctx);
    int64_t *r = VEC_DATA(out, int64_t);
    for (uint32_t i = 0; i < n_rows; i++)
        r[i] = t;
    out->len = n_rows;
    return 0;
}

KERNEL(k_clock_timestamp)
{
    int64_t *r = VEC_DATA(out, int64_t);
    for (uint32_t i = 0; i < n_rows; i++) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        r[i] = (int64_t)ts.tv_sec * DT_USECS_PER_SEC + ts.tv_nsec / 1000;
    }
    out->len = n_rows;
    return 0;
}

KERNEL(k_localtimestamp)
{
    int64_t t = tz_local_us(fl_tz_session(ctx->settings), stmt_ts(ctx), NULL);
    int64_t *r = VEC_DATA(out, int64_t);
    for (uint32_t i = 0; i < n_rows; i++)
        r[i] = t;
    out->len = n_rows;
    return 0;
}

KERNEL(k_localtime)
{
    int64_t t = tz_local_us(fl_tz_session(ctx->settings), stmt_ts(ctx), NULL);
    int64_t tod = t - floor_div(t, USECS_PER_DAY) * USECS_PER_DAY;
    int64_t *r = VEC_DATA(out, int64_t);
    for (uint32_t i = 0; i < n_rows; i++)
        r[i] = tod;
    out->len = n_rows;
    return 0;
}

KERNEL(k_current_date)
{
    int64_t t = tz_local_us(fl_tz_session(ctx->settings), stmt_ts(ctx), NULL);
    int32_t d = (int32_t)floor_div(t, USECS_PER_DAY);
    int32_t *r = VEC_DATA(out, int32_t);
    for (uint32_t i = 0; i < n_rows; i++)
        r[i] = d;
    out->len = n_rows;
    return 0;
}

/* ---- date_trunc ------------------------------------------------------------------------- */

static int bind_unit(FuncBindInfo *b, TarnError *err)
{
    if (!b->is_const[0] || b->const_args[0].is_null)
        return 0;
    UnitState *st = arena_alloc(b->arena, sizeof *st);
    if (!st)
        return ERR_NOMEM(err, sizeof *st);
    st->unit = unit_lookup(b->const_args[0].v.s);
    b->bind_state = st;
    return 0;
}

static int row_unit(const FuncCtx *ctx, const Vector *uv, uint32_t i)
{
    const UnitState *st = ctx->bind_state;
    if (st && uv->is_const)
        return st->unit;
    return unit_lookup(FL_CSTR(uv)[FUNC_IDX(uv, i)]);
}

/* Truncates local fields in tm to unit; returns false when the unit is
 * not one date_trunc knows for timestamps. */
static bool trunc_tm(FlTm *tm, int unit)
{
    int64_t y = tm->year;
    switch (unit) {
    case U_WEEK: {
        int64_t monday = tm->days - (fl_dow(tm->days) + 6) % 7;
        dt_civil_from_days(monday, &tm->year, &tm->mon, &tm->mday);
        tm->hour = tm->min = tm->sec = 0;
        tm->fsec = 0;
        return true;
    }
    case U_MILLENNIUM:
        y = y > 0 ? ((y + 999) / 1000) * 1000 - 999 : -((999 - (y - 1)) / 1000) * 1000 + 1;
        tm->year = y;
        /* fall through */
    case U_CENTURY:
        if (unit == U_CENTURY)
            tm->year = y > 0 ? ((y + 99) / 100) * 100 - 99 : -((99 - (y - 1)) / 100) * 100 + 1;
        /* fall through */
    case U_DECADE:
        if (unit == U_DECADE)
            tm->year = y > 0 ? (y / 10) * 10 : -((8 - (y - 1)) / 10) * 10;
        /* fall through */
    case U_YEAR:
        tm->mon = 1;
        /* fall through */
    case U_QUARTER:
        tm->mon = 3 * ((tm->mon - 1) / 3) + 1;
        /* fall through */
    case U_MONTH:
        tm->mday = 1;
        /* fall through */
    case U_DAY:
        tm->hour = 0;
        /* fall through */
    case U_HOUR:
        tm->min = 0;
        /* fall through */
    case U_MINUTE:
        tm->sec = 0;
        /* fall through */
    case U_SECOND:
        tm->fsec = 0;
        return true;
    case U_MILLISEC:
        tm->fsec = (tm->fsec / 1000) * 1000;
        return true;
    case U_MICROSEC:
        return true;
    default:
        return false;
    }
}

/* Fields -> micros; false when the result leaves the int64 range. */
static bool tm_to_us(const FlTm *tm, int64_t *out)
{
    int64_t d;
    if (__builtin_mul_overflow(dt_days_from_civil(tm->year, tm->mon, tm->mday), USECS_PER_DAY, &d))
        return false;
    int64_t t = (int64_t)tm->hour * DT_USECS_PER_HOUR + (int64_t)tm->min * DT_USECS_PER_MIN +
                (int64_t)tm->sec * DT_USECS_PER_SEC + tm->fsec;
    return !__builtin_add_overflow(d, t, out);
}

static bool is_delta_unit(int u)
{
    return u != U_NONE && u < U_EPOCH;
}

/* date_trunc(unit, timestamp[tz] [, zone]) */
KERNEL(k_date_trunc_ts)
{
    const Vector *uv = args[0], *tv = args[1];
    bool with_tz = tv->type->id == TYPE_TIMESTAMPTZ;
    const FlTz *tz = NULL;
    if (with_tz && n_args < 3)
        tz = fl_tz_session(ctx->settings);
    const int64_t *t = VEC_DATA(tv, int64_t);
    int64_t *r = VEC_DATA(out, int64_t);
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!FUNC_ROW_VALID(out, i)) {
            r[i] = 0;
            continue;
        }
        int unit = row_unit(ctx, uv, i);
        if (!is_delta_unit(unit) || unit == U_TZ || unit == U_TZ_HOUR || unit == U_TZ_MINUTE)
            return err_unit(err, FL_CSTR(uv)[FUNC_IDX(uv, i)], tv->type->id, is_delta_unit(unit));
        if (n_args >= 3) {
            StrView zn = FL_CSTR(args[2])[FUNC_IDX(args[2], i)];
            tz = fl_tz_lookup(zn.ptr, zn.len);
            if (!tz)
                return err_set_state(err, TARN_ERR_INVALID, "22023", "time zone \"%.*s\" not recognized",
                                     (int)zn.len, zn.ptr);
        }
        int64_t x = t[FUNC_IDX(tv, i)];
        int32_t off = 0;
        int64_t local = with_tz ? tz_local_us(tz, x, &off) : x;
        FlTm tm;
        fl_ts_split(local, &tm);
        trunc_tm(&tm, unit);
        int64_t res;
        if (!tm_to_us(&tm, &res))
            return err_ts_range(err);
        if (with_tz) {
            /* units of a day and more: the offset of the new local time */
            if (unit >= U_DAY && unit != U_MILLISEC && unit != U_MICROSEC)
                res = tz_utc_us(tz, res);
            else
                res -= (int64_t)off * DT_USECS_PER_SEC;
        }
        if (!ts_valid(res))
            return err_ts_range(err);
        r[i] = res;
    }
    out->len = n_rows;
    return 0;
}

/* PostgreSQL's interval2tm fields. */
typedef struct IvTm {
    int64_t year, mon, mday, hour, min, sec, fsec;
} IvTm;

static void iv_split(Interval v, IvTm *t)
{
    t->year = v.months / 12;
    t->mon = v.months % 12;
    t->mday = v.days;
    int64_t time = v.micros;
    t->hour = time / DT_USECS_PER_HOUR;
    time -= t->hour * DT_USECS_PER_HOUR;
    t->min = time / DT_USECS_PER_MIN;
    time -= t->min * DT_USECS_PER_MIN;
    t->sec = time / DT_USECS_PER_SEC;
    t->fsec = time - t->sec * DT_USECS_PER_SEC;
}

static bool iv_join(const IvTm *t, Interval *v)
{
    int64_t months = t->year * 12 + t->mon;
    if (months > INT32_MAX || months < INT32_MIN || t->mday > INT32_MAX || t->mday < INT32_MIN)
        return false;
    v->months = (int32_t)months;
    v->days = (int32_t)t->mday;
    v->micros = ((t->hour * 60 + t->min) * 60 + t->sec) * DT_USECS_PER_SEC + t->fsec;
    return true;
}

KERNEL(k_date_trunc_iv)
{
    const Vector *uv = args[0], *vv = args[1];
    const Interval *v = VEC_DATA(vv, Interval);
    Interval *r = VEC_DATA(out, Interval);
    for (uint32_t i = 0; i < n_rows; i++) {
        Interval z = {0, 0, 0};
        r[i] = z;
        if (!FUNC_ROW_VALID(out, i))
            continue;
        int unit = row_unit(ctx, uv, i);
        IvTm t;
        iv_split(v[FUNC_IDX(vv, i)], &t);
        switch (unit) {
        case U_MILLENNIUM: t.year = (t.year / 1000) * 1000; /* fall through */
        case U_CENTURY: t.year = (t.year / 100) * 100; /* fall through */
        case U_DECADE: t.year = (t.year / 10) * 10; /* fall through */
        case U_YEAR: t.mon = 0; /* fall through */
        case U_QUARTER: t.mon = 3 * (t.mon / 3); /* fall through */
        case U_MONTH: t.mday = 0; /* fall through */
        case U_DAY: t.hour = 0; /* fall through */
        case U_HOUR: t.min = 0; /* fall through */
        case U_MINUTE: t.sec = 0; /* fall through */
        case U_SECOND: t.fsec = 0; break;
        case U_MILLISEC: t.fsec = (t.fsec / 1000) * 1000; break;
        case U_MICROSEC: break;
        default: {
            StrView un = FL_CSTR(uv)[FUNC_IDX(uv, i)];
            int rc = err_unit(err, un, TYPE_INTERVAL, is_delta_unit(unit));
            if (unit == U_WEEK)
                err_detail(err, "Months usually have fractional weeks.");
            return rc;
        }
        }
        if (!iv_join(&t, &r[i]))
            return err_iv_range(err);
    }
    out->len = n_rows;
    return 0;
}

/* ---- extract / date_part --------------------------------------------------------------------- */

/* A field value: exact (num at scale) and PostgreSQL's double form. */
typedef struct Part {
    int128_t num;
    int scale;
    double dbl;
} Part;

static void part_int(Part *p, int64_t v)
{
    p->num = v;
    p->scale = 0;
    p->dbl = (double)v;
}

/* Fields of a local timestamp (tz_off: seconds east, for timestamptz). */
static bool part_tm(int unit, const FlTm *tmp, int64_t epoch_us, bool with_tz, int32_t tz_off, Part *p);

static bool part_ts(int unit, int64_t local, int64_t epoch_us, bool with_tz, int32_t tz_off,
                    Part *p)
{
    FlTm tm;
    fl_ts_split(local, &tm);
    return part_tm(unit, &tm, epoch_us, with_tz, tz_off, p);
}

static bool part_tm(int unit, const FlTm *tmp, int64_t epoch_us, bool with_tz, int32_t tz_off, Part *p)
{
    FlTm tm = *tmp;
    int64_t y = tm.year;
    switch (unit) {
    case U_MICROSEC:
        part_int(p, (int64_t)tm.sec * 1000000 + tm.fsec);
        return true;
    case U_MILLISEC:
        p->num = (int64_t)tm.sec * 1000000 + tm.fsec;
        p->scale = 3;
        p->dbl = tm.sec * 1000.0 + tm.fsec / 1000.0;
        return true;
    case U_SECOND:
        p->num = (int64_t)tm.sec * 1000000 + tm.fsec;
        p->scale = 6;
        p->dbl = tm.sec + tm.fsec / 1000000.0;
        return true;
    case U_MINUTE: part_int(p, tm.min); return true;
    case U_HOUR: part_int(p, tm.hour); return true;
    case U_DAY: part_int(p, tm.mday); return true;
    case U_MONTH: part_int(p, tm.mon); return true;
    case U_QUARTER: part_int(p, (tm.mon - 1) / 3 + 1); return true;
    case U_WEEK: part_int(p, fl_iso_week(y, tm.days)); return true;
    case U_YEAR: part_int(p, y > 0 ? y : y - 1); return true;
    case U_DECADE: part_int(p, y >= 0 ? y / 10 : -((8 - (y - 1)) / 10)); return true;
    case U_CENTURY: part_int(p, y > 0 ? (y + 99) / 100 : -((99 - (y - 1)) / 100)); return true;
    case U_MILLENNIUM: part_int(p, y > 0 ? (y + 999) / 1000 : -((999 - (y - 1)) / 1000)); return true;
    case U_DOW: part_int(p, fl_dow(tm.days)); return true;
    case U_ISODOW: {
        int d = fl_dow(tm.days);
        part_int(p, d == 0 ? 7 : d);
        return true;
    }
    case U_DOY: part_int(p, fl_doy(y, tm.days)); return true;
    case U_ISOYEAR: {
        int64_t iy = fl_iso_year(y, tm.days);
        part_int(p, iy > 0 ? iy : iy - 1);
        return true;
    }
    case U_EPOCH:
        p->num = epoch_us;
        p->scale = 6;
        p->dbl = epoch_us / 1000000.0;
        return true;
    case U_JULIAN: {
        int64_t jd = julian_day(tm.days);
        /* exact: (jd * DAY + tod) / DAY at scale 20 */
        int128_t numer = (int128_t)jd * USECS_PER_DAY + tm.tod;
        int128_t scaled = numer * (int128_t)fl_pow10(20 - 10); /* staged to stay in range */
        int128_t q = scaled / USECS_PER_DAY, rem = scaled % USECS_PER_DAY;
        q = q * (int128_t)fl_pow10(10) + (rem * (int128_t)fl_pow10(10) + USECS_PER_DAY / 2) / USECS_PER_DAY;
        p->num = q;
        p->scale = 20;
        p->dbl = jd + ((((tm.hour * 60) + tm.min) * 60) + tm.sec + (tm.fsec / 1000000.0)) / 86400.0;
        if (tm.tod == 0) {
            p->num = jd;
            p->scale = 0;
        }
        return true;
    }
    case U_TZ:
        if (!with_tz)
            return false;
        part_int(p, tz_off);
        return true;
    case U_TZ_HOUR:
        if (!with_tz)
            return false;
        part_int(p, tz_off / 3600);
        return true;
    case U_TZ_MINUTE:
        if (!with_tz)
            return false;
        part_int(p, (tz_off / 60) % 60);
        return true;
    default:
        return false;
    }
}

static bool part_date(int unit, int32_t days, Part *p)
{
    switch (unit) {
    case U_MICROSEC: case U_MILLISEC: case U_SECOND: case U_MINUTE: case U_HOUR:
    case U_TZ: case U_TZ_HOUR: case U_TZ_MINUTE:
        return false;
    case U_EPOCH:
        part_int(p, (int64_t)days * SECS_PER_DAY);
        return true;
    case U_JULIAN:
        part_int(p, julian_day(days));
        return true;
    default: {
        FlTm tm;
        fl_day_split(days, 0, &tm);
        return part_tm(unit, &tm, 0, false, 0, p);
    }
    }
}

static bool part_time(int unit, int64_t t, Part *p)
{
    switch (unit) {
    case U_MICROSEC:
        part_int(p, t % DT_USECS_PER_MIN);
        return true;
    case U_MILLISEC:
        p->num = t % DT_USECS_PER_MIN;
        p->scale = 3;
        p->dbl = (double)(t % DT_USECS_PER_MIN / DT_USECS_PER_SEC) * 1000.0 +
                 (double)(t % DT_USECS_PER_SEC) / 1000.0;
        return true;
    case U_SECOND:
        p->num = t % DT_USECS_PER_MIN;
        p->scale = 6;
        p->dbl = (double)(t % DT_USECS_PER_MIN / DT_USECS_PER_SEC) +
                 (double)(t % DT_USECS_PER_SEC) / 1000000.0;
        return true;
    case U_MINUTE: part_int(p, t / DT_USECS_PER_MIN % 60); return true;
    case U_HOUR: part_int(p, t / DT_USECS_PER_HOUR); return true;
    case U_EPOCH:
        p->num = t;
        p->scale = 6;
        p->dbl = t / 1000000.0;
        return true;
    default:
        return false;
    }
}

static bool part_interval(int unit, Interval v, Part *p)
{
    IvTm t;
    iv_split(v, &t);
    switch (unit) {
    case U_MICROSEC:
        part_int(p, t.sec * 1000000 + t.fsec);
        return true;
    case U_MILLISEC:
        p->num = t.sec * 1000000 + t.fsec;
        p->scale = 3;
        p->dbl = t.sec * 1000.0 + t.fsec / 1000.0;
        return true;
    case U_SECOND:
        p->num = t.sec * 1000000 + t.fsec;
        p->scale = 6;
        p->dbl = t.sec + t.fsec / 1000000.0;
        return true;
    case U_MINUTE: part_int(p, t.min); return true;
    case U_HOUR: part_int(p, t.hour); return true;
    case U_DAY: part_int(p, t.mday); return true;
    case U_MONTH: part_int(p, t.mon); return true;
    case U_QUARTER: part_int(p, t.mon / 3 + 1); return true;
    case U_YEAR: part_int(p, t.year); return true;
    case U_DECADE: part_int(p, t.year / 10); return true;
    case U_CENTURY: part_int(p, t.year / 100); return true;
    case U_MILLENNIUM: part_int(p, t.year / 1000); return true;
    case U_EPOCH: {
        int64_t secs = (int64_t)31557600 * (v.months / 12) + (int64_t)30 * SECS_PER_DAY * (v.months % 12) +
                       (int64_t)v.days * SECS_PER_DAY;
        p->num = (int128_t)secs * 1000000 + v.micros;
        p->scale = 6;
        /* PostgreSQL's float order of operations */
        double d = v.micros / 1000000.0;
        d += (365.25 * 86400.0) * (v.months / 12);
        d += (30.0 * 86400.0) * (v.months % 12);
        d += 86400.0 * v.days;
        p->dbl = d;
        return true;
    }
    default:
        return false;
    }
}

/* Computes the field of row i; false when the unit does not apply (error
 * reported). */
static int part_row(FuncCtx *ctx, Vector **args, uint32_t i, const FlTz *tz, bool as_timestamp,
                    Part *p, TarnError *err)
{
    const Vector *uv = args[0], *sv = args[1];
    int unit = row_unit(ctx, uv, i);
    uint32_t k = FUNC_IDX(sv, i);
    bool ok;
    TypeId t = sv->type->id;
    switch (t) {
    case TYPE_DATE:
        if (as_timestamp) { /* date_part(text, date) is date_part(text, date::timestamp) */
            FlTm tm;
            int64_t days = VEC_DATA(sv, int32_t)[k];
            fl_day_split(days, 0, &tm);
            ok = part_tm(unit, &tm, 0, false, 0, p);
            if (unit == U_EPOCH) { /* days * DAY in micros may not fit int64 */
                p->num = (int128_t)days * 86400 * 1000000;
                p->scale = 6;
                p->dbl = (double)days * 86400.0;
            }
        } else
            ok = part_date(unit, VEC_DATA(sv, int32_t)[k], p);
        break;
    case TYPE_TIME: ok = part_time(unit, VEC_DATA(sv, int64_t)[k], p); break;
    case TYPE_INTERVAL: ok = part_interval(unit, VEC_DATA(sv, Interval)[k], p); break;
    case TYPE_TIMESTAMPTZ: {
        int64_t x = VEC_DATA(sv, int64_t)[k];
        int32_t off;
        int64_t local = tz_local_us(tz, x, &off);
        ok = part_ts(unit, local, x, true, off, p);
        break;
    }
    default: {
        int64_t x = VEC_DATA(sv, int64_t)[k];
        ok = part_ts(unit, x, x, false, 0, p);
        break;
    }
    }
    if (!ok)
        return err_unit(err, FL_CSTR(uv)[FUNC_IDX(uv, i)], t, unit != U_NONE);
    return 0;
}

KERNEL(k_date_part)
{
    const FlTz *tz = fl_tz_session(ctx->settings);
    double *r = VEC_DATA(out, double);
    for (uint32_t i = 0; i < n_rows; i++) {
        r[i] = 0;
        if (!FUNC_ROW_VALID(out, i))
            continue;
        Part p;
        if (part_row(ctx, args, i, tz, true, &p, err))
            return TARN_ERR_INVALID;
        r[i] = p.dbl;
    }
    out->len = n_rows;
    return 0;
}

KERNEL(k_extract)
{
    const FlTz *tz = fl_tz_session(ctx->settings);
    int rs = out->type->scale;
    for (uint32_t i = 0; i < n_rows; i++) {
        fl_dec_put(out, i, 0);
        if (!FUNC_ROW_VALID(out, i))
            continue;
        Part p;
        if (part_row(ctx, args, i, tz, false, &p, err))
            return TARN_ERR_INVALID;
        int128_t v = p.num;
        if (p.scale < rs)
            v *= fl_pow10(rs - p.scale);
        else if (p.scale > rs)
            v = fl_dec_div_round(v, p.scale - rs);
        fl_dec_put(out, i, v);
    }
    out->len = n_rows;
    return 0;
}

/* The scale extract's numeric result has for a unit. */
static int extract_scale(int unit, TypeId src)
{
    switch (unit) {
    case U_MILLISEC: return 3;
    case U_SECOND: return 6;
    case U_EPOCH: return src == TYPE_DATE ? 0 : 6;
    case U_JULIAN: return src == TYPE_DATE ? 0 : 20;
    default: return 0;
    }
}

static int bind_extract(FuncBindInfo *b, TarnError *err)
{
    int rc = bind_unit(b, err);
    if (rc)
        return rc;
    const UnitState *st = b->bind_state;
    if (!st) {
        b->ret = type_decimal(38, 6);
        return 0;
    }
    int s = extract_scale(st->unit, b->arg_types[1].id);
    bool wide = st->unit == U_EPOCH || st->unit == U_JULIAN;
    b->ret = type_decimal(wide ? 38 : 18, s);
    return 0;
}

/* ---- age ------------------------------------------------------------------------------------ */

static const int day_tab[2][12] = {{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31},
                                   {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}};

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* PostgreSQL's timestamp_age on local fields; `neg` when dt1 < dt2. */
static bool age_fields(int64_t l1, int64_t l2, bool neg, Interval *out)
{
    FlTm a, b;
    fl_ts_split(l1, &a);
    fl_ts_split(l2, &b);
    int64_t fsec = a.fsec - b.fsec, sec = a.sec - b.sec, min = a.min - b.min, hour = a.hour - b.hour;
    int64_t mday = a.mday - b.mday, mon = a.mon - b.mon, year = a.year - b.year;
    if (neg) {
        fsec = -fsec, sec = -sec, min = -min, hour = -hour, mday = -mday, mon = -mon, year = -year;
    }
    while (fsec < 0) {
        fsec += 1000000;
        sec--;
    }
    while (sec < 0) {
        sec += 60;
        min--;
    }
    while (min < 0) {
        min += 60;
        hour--;
    }
    while (hour < 0) {
        hour += 24;
        mday--;
    }
    while (mday < 0) {
        if (neg)
            mday += day_tab[is_leap(a.year)][a.mon - 1];
        else
            mday += day_tab[is_leap(b.year)][b.mon - 1];
        mon--;
    }
    while (mon < 0) {
        mon += 12;
        year--;
    }
    if (neg) {
        fsec = -fsec, sec = -sec, min = -min, hour = -hour, mday = -mday, mon = -mon, year = -year;
    }
    IvTm t = {year, mon, mday, hour, min, sec, fsec};
    return iv_join(&t, out);
}

/* age(a, b) or age(b) (a = today's local midnight). */
KERNEL(k_age)
{
    bool with_tz = args[0]->type->id == TYPE_TIMESTAMPTZ;
    const FlTz *tz = fl_tz_session(ctx->settings);
    Interval *r = VEC_DATA(out, Interval);
    int64_t midnight_local = 0;
    if (n_args == 1) {
        int64_t now_local = tz_local_us(tz, stmt_ts(ctx), NULL);
        midnight_local = floor_div(now_local, USECS_PER_DAY) * USECS_PER_DAY;
    }
    for (uint32_t i = 0; i < n_rows; i++) {
        Interval z = {0, 0, 0};
        r[i] = z;
        if (!FUNC_ROW_VALID(out, i))
            continue;
        int64_t t1, t2, l1, l2;
        if (n_args == 1) {
            t2 = VEC_DATA(args[0], int64_t)[FUNC_IDX(args[0], i)];
            l1 = midnight_local;
            t1 = with_tz ? tz_utc_us(tz, l1) : l1;
        } else {
            t1 = VEC_DATA(args[0], int64_t)[FUNC_IDX(args[0], i)];
            t2 = VEC_DATA(args[1], int64_t)[FUNC_IDX(args[1], i)];
            l1 = with_tz ? tz_local_us(tz, t1, NULL) : t1;
        }
        l2 = with_tz ? tz_local_us(tz, t2, NULL) : t2;
        if (!age_fields(l1, l2, t1 < t2, &r[i]))
            return err_iv_range(err);
    }
    out->len = n_rows;
    return 0;
}

/* ---- date_bin -------------------------------------------------------------------------------- */

KERNEL(k_date_bin)
{
    const Vector *sv = args[0], *tv = args[1], *ov = args[2];
    int64_t *r = VEC_DATA(out, int64_t);
    for (uint32_t i = 0; i < n_rows; i++) {
        r[i] = 0;
        if (!FUNC_ROW_VALID(out, i))
            continue;
        Interval st = VEC_DATA(sv, Interval)[FUNC_IDX(sv, i)];
        int64_t ts = VEC_DATA(tv, int64_t)[FUNC_IDX(tv, i)];
        int64_t origin = VEC_DATA(ov, int64_t)[FUNC_IDX(ov, i)];
        if (st.months != 0)
            return err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000",
                                 "timestamps cannot be binned into intervals containing months or years");
        int64_t stride, diff;
        if (__builtin_mul_overflow((int64_t)st.days, USECS_PER_DAY, &stride) ||
            __builtin_add_overflow(stride, st.micros, &stride))
            return err_iv_range(err);
        if (stride <= 0)
            return fl_err(err, "22008", "stride must be greater than zero");
        if (__builtin_sub_overflow(ts, origin, &diff))
            return err_iv_range(err);
        int64_t mod = diff % stride;
        int64_t res = origin + (diff - mod);
        if (mod < 0 && __builtin_sub_overflow(res, stride, &res))
            return err_ts_range(err);
        r[i] = res;
    }
    out->len = n_rows;
    return 0;
}

/* ---- make_* ---------------------------------------------------------------------------------- */

static int err_date_field(TarnError *err, int64_t y, int64_t m, int64_t d)
{
    return err_set_state(err, TARN_ERR_INVALID, "22008",
                         "date field value out of range: %lld-%02lld-%02lld", (long long)y,
                         (long long)m, (long long)d);
}

/* Validates y-m-d (negative years are BC) and returns days since 1970. */
static int make_days(int64_t y, int64_t m, int64_t d, int64_t *days, TarnError *err)
{
    int64_t ay = y < 0 ? y + 1 : y; /* astronomical */
    if (y == 0 || m < 1 || m > 12 || d < 1 || d > 31 || !dt_valid_date(ay, (int)m, (int)d))
        return err_date_field(err, y, m, d);
    int64_t days_v = dt_days_from_civil(ay, (int)m, (int)d);
    /* PostgreSQL's date range: 4714-11-24 BC .. 5874897-12-31 */
    if (days_v < -2440588 || days_v > INT64_C(2147483494))
        return fl_err(err, "22008", "date out of range");
    *days = days_v;
    return 0;
}

/* h:m:sec to micros; PostgreSQL's make_time checks. */
static int make_tod(int64_t h, int64_t m, double sec, int64_t *out, TarnError *err)
{
    int64_t us = (int64_t)rint(sec * 1000000.0);
    bool bad = h < 0 || m < 0 || m > 59 || isnan(sec) || sec < 0 || h > 24 ||
               us > 60 * DT_USECS_PER_SEC ||
               (h * 3600 + m * 60) * DT_USECS_PER_SEC + us > USECS_PER_DAY;
    if (bad) {
        char s[32];
        snprintf(s, sizeof s, "%02g", sec);
        return err_set_state(err, TARN_ERR_INVALID, "22008", "time field value out of range: %lld:%02lld:%s",
                             (long long)h, (long long)m, s);
    }
    *out = (h * 3600 + m * 60) * DT_USECS_PER_SEC + us;
    return 0;
}

static int64_t arg_i(const Vector *v, uint32_t i)
{
    return VEC_DATA(v, int32_t)[FUNC_IDX(v, i)];
}

static double arg_d(const Vector *v, uint32_t i)
{
    return VEC_DATA(v, double)[FUNC_IDX(v, i)];
}

KERNEL(k_make_date)
{
    int32_t *r = VEC_DATA(out, int32_t);
    for (uint32_t i = 0; i < n_rows; i++) {
        r[i] = 0;
        if (!FUNC_ROW_VALID(out, i))
            continue;
        int64_t days;
        if (make_days(arg_i(args[0], i), arg_i(args[1], i), arg_i(args[2], i), &days, err))
            return TARN_ERR_INVALID;
        r[i] = (int32_t)days;
    }
    out->len = n_rows;
    return 0;
}

KERNEL(k_make_time)
{
    int64_t *r = VEC_DATA(out, int64_t);
    for (uint32_t i = 0; i < n_rows; i++) {
        r[i] = 0;
        if (!FUNC_ROW_VALID(out, i))
            continue;
        if (make_tod(arg_i(args[0], i), arg_i(args[1], i), arg_d(args[2], i), &r[i], err))
            return TARN_ERR_INVALID;
    }
    out->len = n_rows;
    return 0;
}

/* make_timestamp(y, m, d, h, mi, sec) and make_timestamptz(... [, zone]). */
KERNEL(k_make_timestamp)
{
    bool with_tz = out->type->id == TYPE_TIMESTAMPTZ;
    const FlTz *tz = with_tz && n_args < 7 ? fl_tz_session(ctx->settings) : NULL;
    int64_t *r = VEC_DATA(out, int64_t);
    for (uint32_t i = 0; i < n_rows; i++) {
        r[i] = 0;
        if (!FUNC_ROW_VALID(out, i))
            continue;
        int64_t days, tod;
        if (make_days(arg_i(args[0], i), arg_i(args[1], i), arg_i(args[2], i), &days, err))
            return TARN_ERR_INVALID;
        int64_t h = arg_i(args[3], i), mi = arg_i(args[4], i);
        double sec = arg_d(args[5], i);
        if (make_tod(h, mi, sec, &tod, err))
            return TARN_ERR_INVALID;
        int64_t res;
        if (__builtin_mul_overflow(days, USECS_PER_DAY, &res) || __builtin_add_overflow(res, tod, &res) ||
            !ts_valid(res))
            return err_ts_range(err);
        if (with_tz) {
            if (n_args >= 7) {
                StrView zn = FL_CSTR(args[6])[FUNC_IDX(args[6], i)];
                tz = tz_lookup(zn.ptr, zn.len, true, false);
                if (!tz)
                    return err_set_state(err, TARN_ERR_INVALID, "22023", "time zone \"%.*s\" not recognized",
                                         (int)zn.len, zn.ptr);
            }
            res = tz_utc_us(tz, res);
        }
        r[i] = res;
    }
    out->len = n_rows;
    return 0;
}

/* make_interval(years, months, weeks, days, hours, mins, secs): trailing
 * arguments may be left out (PostgreSQL's defaults 0). */
KERNEL(k_make_interval)
{
    Interval *r = VEC_DATA(out, Interval);
    for (uint32_t i = 0; i < n_rows; i++) {
        Interval z = {0, 0, 0};
        r[i] = z;
        if (!FUNC_ROW_VALID(out, i))
            continue;
        int64_t f[6] = {0, 0, 0, 0, 0, 0};
        for (uint32_t k = 0; k < n_args && k < 6; k++)
            f[k] = arg_i(args[k], i);
        double secs = n_args > 6 ? arg_d(args[6], i) : 0;
        if (isnan(secs) || isinf(secs))
            return err_iv_range(err);
        /* PostgreSQL 15 computes months and days in int32 and wraps */
        int32_t months = (int32_t)((uint32_t)f[0] * 12u + (uint32_t)f[1]);
        int32_t days = (int32_t)((uint32_t)f[2] * 7u + (uint32_t)f[3]);
        double us = rint(secs * 1000000.0) + (double)(f[4] * 3600 + f[5] * 60) * 1e6;
        if (us >= 9.2233720368547758e18 || us <= -9.2233720368547758e18)
            return err_iv_range(err);
        Interval v = {months, days, (int64_t)us};
        r[i] = v;
    }
    out->len = n_rows;
    return 0;
}

/* ---- justify_*, isfinite ------------------------------------------------------------------------ */

static bool justify_days(Interval *v)
{
    int32_t whole = v->days / 30;
    v->days -= whole * 30;
    if (__builtin_add_overflow(v->months, whole, &v->months))
        return false;
    if (v->months > 0 && v->days < 0) {
        v->days += 30;
        v->months--;
    } else if (v->months < 0 && v->days > 0) {
        v->days -= 30;
        v->months++;
    }
    return true;
}

static bool justify_hours(Interval *v)
{
    int64_t whole = v->micros / USECS_PER_DAY;
    v->micros -= whole * USECS_PER_DAY;
    if (whole > INT32_MAX || whole < INT32_MIN || __builtin_add_overflow(v->days, (int32_t)whole, &v->days))
        return false;
    if (v->days > 0 && v->micros < 0) {
        v->micros += USECS_PER_DAY;
        v->days--;
    } else if (v->days < 0 && v->micros > 0) {
        v->micros -= USECS_PER_DAY;
        v->days++;
    }
    return true;
}

static bool justify_interval(Interval *v)
{
    if ((v->days > 0 && v->micros > 0) || (v->days < 0 && v->micros < 0)) {
        int32_t whole = v->days / 30;
        v->days -= whole * 30;
        if (__builtin_add_overflow(v->months, whole, &v->months))
            return false;
    }
    int64_t wholeday = v->micros / USECS_PER_DAY;
    v->micros -= wholeday * USECS_PER_DAY;
    v->days += (int32_t)wholeday;
    int32_t wholemonth = v->days / 30;
    v->days -= wholemonth * 30;
    if (__builtin_add_overflow(v->months, wholemonth, &v->months))
        return false;
    if (v->months > 0 && (v->days < 0 || (v->days == 0 && v->micros < 0))) {
        v->days += 30;
        v->months--;
    } else if (v->months < 0 && (v->days > 0 || (v->days == 0 && v->micros > 0))) {
        v->days -= 30;
        v->months++;
    }
    if (v->days > 0 && v->micros < 0) {
        v->micros += USECS_PER_DAY;
        v->days--;
    } else if (v->days < 0 && v->micros > 0) {
        v->micros -= USECS_PER_DAY;
        v->days++;
    }
    return true;
}

#define JUSTIFY(NAME, FN)                                                                      \
    KERNEL(NAME)                                                                               \
    {                                                                                          \
        const Interval *v = VEC_DATA(args[0], Interval);                                       \
        Interval *r = VEC_DATA(out, Interval);                                                 \
        for (uint32_t i = 0; i < n_rows; i++) {                                                \
            Interval x = v[i];                                                                 \
            if (!FN(&x) && FUNC_ROW_VALID(out, i))                                             \
                return err_iv_range(err);                                                      \
            r[i] = x;                                                                          \
        }                                                                                      \
        out->len = n_rows;                                                                     \
        return 0;                                                                              \
    }
JUSTIFY(k_justify_days, justify_days)
JUSTIFY(k_justify_hours, justify_hours)
JUSTIFY(k_justify_interval, justify_interval)

KERNEL(k_isfinite)
{
    const Vector *a = args[0];
    uint8_t *r = out->data;
    for (uint32_t i = 0; i < n_rows; i++) {
        switch (a->type->id) {
        case TYPE_DATE: {
            int32_t d = VEC_DATA(a, int32_t)[i];
            r[i] = d != INT32_MIN && d != INT32_MAX;
            break;
        }
        case TYPE_INTERVAL: r[i] = 1; break;
        default: {
            int64_t t = VEC_DATA(a, int64_t)[i];
            r[i] = t != INT64_MIN && t != INT64_MAX;
            break;
        }
        }
    }
    out->len = n_rows;
    return 0;
}

/* ---- to_timestamp(double) ------------------------------------------------------------------------ */

KERNEL(k_to_timestamp_f8)
{
    const double *x = VEC_DATA(args[0], double);
    int64_t *r = VEC_DATA(out, int64_t);
    for (uint32_t i = 0; i < n_rows; i++) {
        r[i] = 0;
        if (!FUNC_ROW_VALID(out, i))
            continue;
        double s = x[i];
        if (isnan(s))
            return fl_err(err, "22008", "timestamp cannot be NaN");
        /* PostgreSQL: -210866803200 <= s < the end of its range; tarn's
         * int64 microseconds end earlier (294247-01-10). */
        if (s < -210866803200.0 || s >= 9223372036854.0) {
            char buf[64];
            snprintf(buf, sizeof buf, "%g", s);
            if (isinf(s))
                snprintf(buf, sizeof buf, "%s", s > 0 ? "Infinity" : "-Infinity");
            return err_set_state(err, TARN_ERR_INVALID, "22008", "timestamp out of range: \"%s\"", buf);
        }
        r[i] = (int64_t)rint(s * 1000000.0);
    }
    out->len = n_rows;
    return 0;
}

/* ---- AT TIME ZONE: timezone(zone, ts) --------------------------------------------------------------- */

/* timezone(text, timestamptz) -> timestamp; timezone(text, timestamp) ->
 * timestamptz; the same with an interval zone (seconds east). */
KERNEL(k_timezone)
{
    const Vector *zv = args[0], *tv = args[1];
    bool to_local = tv->type->id == TYPE_TIMESTAMPTZ;
    bool iv_zone = zv->type->id == TYPE_INTERVAL;
    const int64_t *t = VEC_DATA(tv, int64_t);
    int64_t *r = VEC_DATA(out, int64_t);
    const FlTz *tz = NULL;
    for (uint32_t i = 0; i < n_rows; i++) {
        r[i] = 0;
        if (!FUNC_ROW_VALID(out, i))
            continue;
        int64_t x = t[FUNC_IDX(tv, i)];
        if (iv_zone) {
            Interval z = VEC_DATA(zv, Interval)[FUNC_IDX(zv, i)];
            if (z.months != 0 || z.days != 0)
                return err_set_state(err, TARN_ERR_INVALID, "22023",
                                     "interval time zone \"%s\" must not include months or days",
                                     "interval");
            r[i] = to_local ? x + z.micros : x - z.micros;
            continue;
        }
        if (!zv->is_const || !tz) {
            StrView zn = FL_CSTR(zv)[FUNC_IDX(zv, i)];
            tz = fl_tz_lookup(zn.ptr, zn.len);
            if (!tz)
                return err_set_state(err, TARN_ERR_INVALID, "22023", "time zone \"%.*s\" not recognized",
                                     (int)zn.len, zn.ptr);
        }
        r[i] = to_local ? tz_local_us(tz, x, NULL) : tz_utc_us(tz, x);
    }
    out->len = n_rows;
    return 0;
}

/* ---- time arithmetic ---------------------------------------------------------------------------- */

static inline int64_t time_wrap(int64_t t)
{
    t -= t / USECS_PER_DAY * USECS_PER_DAY;
    return t < 0 ? t + USECS_PER_DAY : t;
}

KERNEL(k_time_pl_iv)
{
    const int64_t *t = VEC_DATA(args[0], int64_t);
    const Interval *v = VEC_DATA(args[1], Interval);
    int64_t *r = VEC_DATA(out, int64_t);
    FUNC_LOOP2(args[0], args[1], n_rows, { r[i] = time_wrap(t[ia] + v[ib].micros % USECS_PER_DAY); });
    out->len = n_rows;
    return 0;
}

KERNEL(k_iv_pl_time)
{
    const Interval *v = VEC_DATA(args[0], Interval);
    const int64_t *t = VEC_DATA(args[1], int64_t);
    int64_t *r = VEC_DATA(out, int64_t);
    FUNC_LOOP2(args[0], args[1], n_rows, { r[i] = time_wrap(t[ib] + v[ia].micros % USECS_PER_DAY); });
    out->len = n_rows;
    return 0;
}

KERNEL(k_time_mi_iv)
{
    const int64_t *t = VEC_DATA(args[0], int64_t);
    const Interval *v = VEC_DATA(args[1], Interval);
    int64_t *r = VEC_DATA(out, int64_t);
    FUNC_LOOP2(args[0], args[1], n_rows, { r[i] = time_wrap(t[ia] - v[ib].micros % USECS_PER_DAY); });
    out->len = n_rows;
    return 0;
}

KERNEL(k_time_mi_time)
{
    const int64_t *a = VEC_DATA(args[0], int64_t), *b = VEC_DATA(args[1], int64_t);
    Interval *r = VEC_DATA(out, Interval);
    FUNC_LOOP2(args[0], args[1], n_rows, {
        Interval v = {0, 0, a[ia] - b[ib]};
        r[i] = v;
    });
    out->len = n_rows;
    return 0;
}

/* ---- Registry ---------------------------------------------------------------------------------------- */

#define S TYPE_STRING
#define D TYPE_DATE
#define T TYPE_TIME
#define TS TYPE_TIMESTAMP
#define TSZ TYPE_TIMESTAMPTZ
#define IV TYPE_INTERVAL
#define I4 TYPE_INT32
#define F8 TYPE_DOUBLE
#define SC (FUNC_STRICT | FUNC_CONST_ARGS)

#define F0(NAME, RET, FN, FL) \
    {.name = NAME, .kind = FUNC_SCALAR, .n_args = 0, .ret = RET, .flags = FL | FUNC_NO_ERRORS, .scalar = FN}

const FuncDef func_defs_datetime[] = {
    F0("now", TSZ, k_now, FUNC_STABLE),
    F0("current_timestamp", TSZ, k_now, FUNC_STABLE),
    F0("transaction_timestamp", TSZ, k_now, FUNC_STABLE),
    F0("statement_timestamp", TSZ, k_now, FUNC_STABLE),
    F0("clock_timestamp", TSZ, k_clock_timestamp, FUNC_VOLATILE),
    F0("current_date", D, k_current_date, FUNC_STABLE),
    F0("localtimestamp", TS, k_localtimestamp, FUNC_STABLE),
    F0("localtime", T, k_localtime, FUNC_STABLE),
    {.name = "current_time", .kind = FUNC_SCALAR, .n_args = 0, .ret = T,
     .flags = FUNC_STABLE | FUNC_NO_ERRORS, .scalar = k_localtime,
     .doc = "local time of day (PostgreSQL returns time with time zone, which tarn lacks)"},

    {.name = "date_trunc", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, TS}, .ret = TS, .flags = SC,
     .bind = bind_unit, .scalar = k_date_trunc_ts},
    {.name = "date_trunc", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, TSZ}, .ret = TSZ,
     .flags = SC | FUNC_STABLE, .bind = bind_unit, .scalar = k_date_trunc_ts},
    {.name = "date_trunc", .kind = FUNC_SCALAR, .n_args = 3, .args = {S, TSZ, S}, .ret = TSZ,
     .flags = SC, .bind = bind_unit, .scalar = k_date_trunc_ts},
    {.name = "date_trunc", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, IV}, .ret = IV, .flags = SC,
     .bind = bind_unit, .scalar = k_date_trunc_iv},

    {.name = "date_part", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, TS}, .ret = F8, .flags = SC,
     .bind = bind_unit, .scalar = k_date_part},
    {.name = "date_part", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, TSZ}, .ret = F8,
     .flags = SC | FUNC_STABLE, .bind = bind_unit, .scalar = k_date_part},
    {.name = "date_part", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, D}, .ret = F8, .flags = SC,
     .bind = bind_unit, .scalar = k_date_part},
    {.name = "date_part", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, T}, .ret = F8, .flags = SC,
     .bind = bind_unit, .scalar = k_date_part},
    {.name = "date_part", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, IV}, .ret = F8, .flags = SC,
     .bind = bind_unit, .scalar = k_date_part},
    {.name = "extract", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, D}, .ret = TYPE_DECIMAL,
     .flags = SC, .bind = bind_extract, .scalar = k_extract,
     .doc = "extract(field FROM source): the parser passes the field name as text"},
    {.name = "extract", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, TS}, .ret = TYPE_DECIMAL,
     .flags = SC, .bind = bind_extract, .scalar = k_extract},
    {.name = "extract", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, TSZ}, .ret = TYPE_DECIMAL,
     .flags = SC | FUNC_STABLE, .bind = bind_extract, .scalar = k_extract},
    {.name = "extract", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, T}, .ret = TYPE_DECIMAL,
     .flags = SC, .bind = bind_extract, .scalar = k_extract},
    {.name = "extract", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, IV}, .ret = TYPE_DECIMAL,
     .flags = SC, .bind = bind_extract, .scalar = k_extract},

    {.name = "age", .kind = FUNC_SCALAR, .n_args = 2, .args = {TS, TS}, .ret = IV, .flags = SC,
     .scalar = k_age},
    {.name = "age", .kind = FUNC_SCALAR, .n_args = 2, .args = {TSZ, TSZ}, .ret = IV,
     .flags = SC | FUNC_STABLE, .scalar = k_age},
    {.name = "age", .kind = FUNC_SCALAR, .n_args = 1, .args = {TS}, .ret = IV,
     .flags = SC | FUNC_STABLE, .scalar = k_age},
    {.name = "age", .kind = FUNC_SCALAR, .n_args = 1, .args = {TSZ}, .ret = IV,
     .flags = SC | FUNC_STABLE, .scalar = k_age},

    {.name = "date_bin", .kind = FUNC_SCALAR, .n_args = 3, .args = {IV, TS, TS}, .ret = TS,
     .flags = SC, .scalar = k_date_bin},
    {.name = "date_bin", .kind = FUNC_SCALAR, .n_args = 3, .args = {IV, TSZ, TSZ}, .ret = TSZ,
     .flags = SC, .scalar = k_date_bin},

    {.name = "make_date", .kind = FUNC_SCALAR, .n_args = 3, .args = {I4, I4, I4}, .ret = D,
     .flags = SC, .scalar = k_make_date},
    {.name = "make_time", .kind = FUNC_SCALAR, .n_args = 3, .args = {I4, I4, F8}, .ret = T,
     .flags = SC, .scalar = k_make_time},
    {.name = "make_timestamp", .kind = FUNC_SCALAR, .n_args = 6, .args = {I4, I4, I4, I4, I4, F8},
     .ret = TS, .flags = SC, .scalar = k_make_timestamp},
    {.name = "make_timestamptz", .kind = FUNC_SCALAR, .n_args = 6, .args = {I4, I4, I4, I4, I4, F8},
     .ret = TSZ, .flags = SC | FUNC_STABLE, .scalar = k_make_timestamp},
    {.name = "make_timestamptz", .kind = FUNC_SCALAR, .n_args = 7,
     .args = {I4, I4, I4, I4, I4, F8, S}, .ret = TSZ, .flags = SC, .scalar = k_make_timestamp},
    {.name = "make_interval", .kind = FUNC_SCALAR, .n_args = 0, .ret = IV, .flags = SC,
     .scalar = k_make_interval,
     .doc = "make_interval(years, months, weeks, days, hours, mins, secs); trailing ones default to 0"},
    {.name = "make_interval", .kind = FUNC_SCALAR, .n_args = 1, .args = {I4}, .ret = IV, .flags = SC,
     .scalar = k_make_interval},
    {.name = "make_interval", .kind = FUNC_SCALAR, .n_args = 2, .args = {I4, I4}, .ret = IV,
     .flags = SC, .scalar = k_make_interval},
    {.name = "make_interval", .kind = FUNC_SCALAR, .n_args = 3, .args = {I4, I4, I4}, .ret = IV,
     .flags = SC, .scalar = k_make_interval},
    {.name = "make_interval", .kind = FUNC_SCALAR, .n_args = 4, .args = {I4, I4, I4, I4}, .ret = IV,
     .flags = SC, .scalar = k_make_interval},
    {.name = "make_interval", .kind = FUNC_SCALAR, .n_args = 5, .args = {I4, I4, I4, I4, I4},
     .ret = IV, .flags = SC, .scalar = k_make_interval},
    {.name = "make_interval", .kind = FUNC_SCALAR, .n_args = 6, .args = {I4, I4, I4, I4, I4, I4},
     .ret = IV, .flags = SC, .scalar = k_make_interval},
    {.name = "make_interval", .kind = FUNC_SCALAR, .n_args = 7,
     .args = {I4, I4, I4, I4, I4, I4, F8}, .ret = IV, .flags = SC, .scalar = k_make_interval},

    {.name = "justify_days", .kind = FUNC_SCALAR, .n_args = 1, .args = {IV}, .ret = IV,
     .flags = FUNC_STRICT, .scalar = k_justify_days},
    {.name = "justify_hours", .kind = FUNC_SCALAR, .n_args = 1, .args = {IV}, .ret = IV,
     .flags = FUNC_STRICT, .scalar = k_justify_hours},
    {.name = "justify_interval", .kind = FUNC_SCALAR, .n_args = 1, .args = {IV}, .ret = IV,
     .flags = FUNC_STRICT, .scalar = k_justify_interval},
    {.name = "isfinite", .kind = FUNC_SCALAR, .n_args = 1, .args = {D}, .ret = TYPE_BOOL,
     .flags = FUNC_STRICT | FUNC_NO_ERRORS, .scalar = k_isfinite},
    {.name = "isfinite", .kind = FUNC_SCALAR, .n_args = 1, .args = {TS}, .ret = TYPE_BOOL,
     .flags = FUNC_STRICT | FUNC_NO_ERRORS, .scalar = k_isfinite},
    {.name = "isfinite", .kind = FUNC_SCALAR, .n_args = 1, .args = {TSZ}, .ret = TYPE_BOOL,
     .flags = FUNC_STRICT | FUNC_NO_ERRORS, .scalar = k_isfinite},
    {.name = "isfinite", .kind = FUNC_SCALAR, .n_args = 1, .args = {IV}, .ret = TYPE_BOOL,
     .flags = FUNC_STRICT | FUNC_NO_ERRORS, .scalar = k_isfinite},

    {.name = "to_timestamp", .kind = FUNC_SCALAR, .n_args = 1, .args = {F8}, .ret = TSZ,
     .flags = FUNC_STRICT, .scalar = k_to_timestamp_f8},
    {.name = "timezone", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, TSZ}, .ret = TS, .flags = SC,
     .scalar = k_timezone, .doc = "ts AT TIME ZONE zone"},
    {.name = "timezone", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, TS}, .ret = TSZ, .flags = SC,
     .scalar = k_timezone},
    {.name = "timezone", .kind = FUNC_SCALAR, .n_args = 2, .args = {IV, TSZ}, .ret = TS, .flags = SC,
     .scalar = k_timezone},
    {.name = "timezone", .kind = FUNC_SCALAR, .n_args = 2, .args = {IV, TS}, .ret = TSZ, .flags = SC,
     .scalar = k_timezone},

    {.name = "+", .kind = FUNC_OPERATOR, .n_args = 2, .args = {T, IV}, .ret = T,
     .flags = SC | FUNC_NO_ERRORS, .scalar = k_time_pl_iv},
    {.name = "+", .kind = FUNC_OPERATOR, .n_args = 2, .args = {IV, T}, .ret = T,
     .flags = SC | FUNC_NO_ERRORS, .scalar = k_iv_pl_time},
    {.name = "-", .kind = FUNC_OPERATOR, .n_args = 2, .args = {T, IV}, .ret = T,
     .flags = SC | FUNC_NO_ERRORS, .scalar = k_time_mi_iv},
    {.name = "-", .kind = FUNC_OPERATOR, .n_args = 2, .args = {T, T}, .ret = IV,
     .flags = SC | FUNC_NO_ERRORS, .scalar = k_time_mi_time},
    {0},
};
