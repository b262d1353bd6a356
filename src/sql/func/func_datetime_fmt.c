/*
 * func_datetime_fmt.c - PostgreSQL's data type formatting functions (PG
 * docs 9.8): to_char for timestamps, dates, intervals and numbers,
 * to_timestamp(text, text), to_date(text, text).
 *
 * Date/time templates: YYYY YYY YY Y Y,YYY IYYY IYY IY I BC AD B.C. A.D.
 * MONTH Month month MON Mon mon MM DAY Day day DY Dy dy DDD IDDD DD D ID
 * W WW IW CC J Q RM rm HH HH12 HH24 MI SS MS US FF1..FF6 SSSS SSSSS AM PM
 * A.M. P.M. (and lower case) TZ tz TZH TZM OF, the FM prefix (no padding),
 * the TH/th suffix (ordinals), "quoted text" and \" for a quote; FX, TM
 * and SP are accepted and ignored (English names only).
 *
 * Number templates: 9 0 . , D G S MI PL SG PR FM TH th V EEEE L, with
 * PostgreSQL's placement of the sign, blanks for leading 9s, "#" when the
 * value does not fit, and FM trimming.  The C locale's symbols are used
 * (D is '.', G is ',', L is blank).
 *
 * Parsing (to_timestamp, to_date) reads numbers up to the field's width
 * when another field follows directly, else every digit; month and day
 * names case-insensitively; separators in the template skip one
 * separator in the input; blanks are skipped before fields.  Two-digit
 * years map to 1970..2069 like PostgreSQL's.  Errors: 22007 for values
 * that do not parse, 22008 for fields out of range.
 */
#include "sql/func/func_lib.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "util/datetime.h"

#define KERNEL(name)                                                                           \
    static int name(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows, Vector *out, \
                    TarnError *err)

static const char *const month_full[12] = {"January", "February", "March", "April", "May", "June",
                                           "July", "August", "September", "October", "November",
                                           "December"};
static const char *const day_full[7] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday",
                                        "Friday", "Saturday"};
static const char *const rm_upper[12] = {"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X",
                                         "XI", "XII"};

/* ---- Template keywords ------------------------------------------------------------------------ */

enum {
    K_AD_DOT, K_AM_DOT, K_AD, K_AM, K_BC_DOT, K_BC, K_CC, K_DAY, K_DDD, K_DD, K_DY, K_D, K_FF1,
    K_FF2, K_FF3, K_FF4, K_FF5, K_FF6, K_FX, K_HH24, K_HH12, K_HH, K_IDDD, K_ID, K_IW, K_IYYY,
    K_IYY, K_IY, K_I, K_J, K_MI, K_MM, K_MONTH, K_MON, K_MS, K_OF, K_PM_DOT, K_PM, K_Q, K_RM,
    K_SSSSS, K_SSSS, K_SS, K_TZH, K_TZM, K_TZ, K_US, K_WW, K_W, K_Y_YYY, K_YYYY, K_YYY, K_YY, K_Y,
};

/* case: 0 as written upper, 1 capitalized ("Month"), 2 lower */
typedef struct Keyword {
    const char *text;
    uint8_t len;
    uint8_t id;
    uint8_t lettercase;
} Keyword;

#define KW(T, ID, C) {T, sizeof(T) - 1, ID, C}
/* Longer keywords first among those sharing a prefix. */
static const Keyword keywords[] = {
    KW("A.D.", K_AD_DOT, 0), KW("A.M.", K_AM_DOT, 0), KW("AD", K_AD, 0), KW("AM", K_AM, 0),
    KW("B.C.", K_BC_DOT, 0), KW("BC", K_BC, 0), KW("CC", K_CC, 0), KW("DAY", K_DAY, 0),
    KW("DDD", K_DDD, 0), KW("DD", K_DD, 0), KW("DY", K_DY, 0), KW("Day", K_DAY, 1), KW("Dy", K_DY, 1),
    KW("D", K_D, 0), KW("FF1", K_FF1, 0), KW("FF2", K_FF2, 0), KW("FF3", K_FF3, 0),
    KW("FF4", K_FF4, 0), KW("FF5", K_FF5, 0), KW("FF6", K_FF6, 0), KW("FX", K_FX, 0),
    KW("HH24", K_HH24, 0), KW("HH12", K_HH12, 0), KW("HH", K_HH, 0), KW("IDDD", K_IDDD, 0),
    KW("ID", K_ID, 0), KW("IW", K_IW, 0), KW("IYYY", K_IYYY, 0), KW("IYY", K_IYY, 0),
    KW("IY", K_IY, 0), KW("I", K_I, 0), KW("J", K_J, 0), KW("MI", K_MI, 0), KW("MM", K_MM, 0),
    KW("MONTH", K_MONTH, 0), KW("MON", K_MON, 0), KW("MS", K_MS, 0), KW("Month", K_MONTH, 1),
    KW("Mon", K_MON, 1), KW("OF", K_OF, 0), KW("P.M.", K_PM_DOT, 0), KW("PM", K_PM, 0),
    KW("Q", K_Q, 0), KW("RM", K_RM, 0), KW("SSSSS", K_SSSSS, 0), KW("SSSS", K_SSSS, 0),
    KW("SS", K_SS, 0), KW("TZH", K_TZH, 0), KW("TZM", K_TZM, 0), KW("TZ", K_TZ, 0),
    KW("US", K_US, 0), KW("WW", K_WW, 0), KW("W", K_W, 0), KW("Y,YYY", K_Y_YYY, 0),
    KW("YYYY", K_YYYY, 0), KW("YYY", K_YYY, 0), KW("YY", K_YY, 0), KW("Y", K_Y, 0),
    KW("a.d.", K_AD_DOT, 2), KW("a.m.", K_AM_DOT, 2), KW("ad", K_AD, 2), KW("am", K_AM, 2),
    KW("b.c.", K_BC_DOT, 2), KW("bc", K_BC, 2), KW("cc", K_CC, 2), KW("day", K_DAY, 2),
    KW("ddd", K_DDD, 2), KW("dd", K_DD, 2), KW("dy", K_DY, 2), KW("d", K_D, 2), KW("ff1", K_FF1, 2),
    KW("ff2", K_FF2, 2), KW("ff3", K_FF3, 2), KW("ff4", K_FF4, 2), KW("ff5", K_FF5, 2),
    KW("ff6", K_FF6, 2), KW("fx", K_FX, 2), KW("hh24", K_HH24, 2), KW("hh12", K_HH12, 2),
    KW("hh", K_HH, 2), KW("iddd", K_IDDD, 2), KW("id", K_ID, 2), KW("iw", K_IW, 2),
    KW("iyyy", K_IYYY, 2), KW("iyy", K_IYY, 2), KW("iy", K_IY, 2), KW("i", K_I, 2), KW("j", K_J, 2),
    KW("mi", K_MI, 2), KW("mm", K_MM, 2), KW("month", K_MONTH, 2), KW("mon", K_MON, 2),
    KW("ms", K_MS, 2), KW("of", K_OF, 2), KW("p.m.", K_PM_DOT, 2), KW("pm", K_PM, 2),
    KW("q", K_Q, 2), KW("rm", K_RM, 2), KW("sssss", K_SSSSS, 2), KW("ssss", K_SSSS, 2),
    KW("ss", K_SS, 2), KW("tzh", K_TZH, 2), KW("tzm", K_TZM, 2), KW("tz", K_TZ, 2),
    KW("us", K_US, 2), KW("ww", K_WW, 2), KW("w", K_W, 2), KW("y,yyy", K_Y_YYY, 2),
    KW("yyyy", K_YYYY, 2), KW("yyy", K_YYY, 2), KW("yy", K_YY, 2), KW("y", K_Y, 2),
};

static const Keyword *match_keyword(const char *p, size_t left)
{
    for (size_t k = 0; k < sizeof keywords / sizeof keywords[0]; k++) {
        const Keyword *kw = &keywords[k];
        if (kw->len <= left && !memcmp(p, kw->text, kw->len))
            return kw;
    }
    return NULL;
}

static bool has_prefix(const char *p, size_t left, const char *w)
{
    size_t n = strlen(w);
    return n <= left && !memcmp(p, w, n);
}

/* ---- to_char(timestamp) -------------------------------------------------------------------------- */

typedef struct DtFields {
    FlTm tm;
    bool is_interval;
    bool with_tz;
    int32_t tz_off;        /* seconds east */
    const char *tz_abbr;
} DtFields;

/* printf("%0*lld") without printf: width counts the sign. */
static int put_num(Buf *b, int64_t v, int width, bool fm)
{
    char tmp[32];
    int w = fm ? 0 : (v < 0 ? width + 1 : width);
    uint64_t m = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    int k = 32;
    do {
        tmp[--k] = (char)('0' + m % 10);
        m /= 10;
    } while (m);
    int digits = 32 - k, total = digits + (v < 0);
    while (total < w && k > 1) {
        tmp[--k] = '0';
        total++;
    }
    if (v < 0)
        tmp[--k] = '-';
    return buf_append(b, tmp + k, (size_t)(32 - k));
}

static int put_cased(Buf *b, const char *s, size_t n, int lettercase, bool upper_all, int pad, bool fm)
{
    char tmp[32];
    if (n > sizeof tmp)
        n = sizeof tmp;
    for (size_t k = 0; k < n; k++) {
        char c = s[k];
        if (upper_all || (lettercase == 0))
            c = (char)toupper((unsigned char)c);
        else if (lettercase == 2 || k > 0)
            c = (char)tolower((unsigned char)c);
        tmp[k] = c;
    }
    if (buf_append(b, tmp, n))
        return TARN_ERR_NOMEM;
    if (!fm)
        for (size_t k = n; k < (size_t)pad; k++)
            if (buf_append_byte(b, ' '))
                return TARN_ERR_NOMEM;
    return 0;
}

static const char *ordinal(int64_t v, bool upper)
{
    int64_t a = v < 0 ? -v : v;
    int last = (int)(a % 10), tens = (int)(a % 100);
    const char *s = "th";
    if (tens < 11 || tens > 13) {
        if (last == 1)
            s = "st";
        else if (last == 2)
            s = "nd";
        else if (last == 3)
            s = "rd";
    }
    if (!upper)
        return s;
    return !strcmp(s, "st") ? "ST" : !strcmp(s, "nd") ? "ND" : !strcmp(s, "rd") ? "RD" : "TH";
}

static int64_t adjust_year(int64_t y, bool is_interval)
{
    return is_interval ? y : (y <= 0 ? -(y - 1) : y);
}

/* A template compiled once per call: literal runs and keywords. */
typedef struct FmtNode {
    const Keyword *kw;    /* NULL: literal text lits[lit_off .. + lit_len) */
    uint32_t lit_off, lit_len;
    bool fm;
    bool quoted;          /* literal from "double quotes" */
    uint8_t th;           /* 0, 1 "th", 2 "TH" */
} FmtNode;

typedef struct FmtProg {
    FmtNode *nodes;       /* tarn_malloc'd */
    uint32_t n;
    Buf lits;             /* literal bytes */
} FmtProg;

static void prog_free(FmtProg *pg)
{
    tarn_free(pg->nodes);
    buf_free(&pg->lits);
    memset(pg, 0, sizeof *pg);
}

/* Appends literal bytes, merging with a preceding literal node. */
static int prog_lit(FmtProg *pg, const char *p, size_t n, bool quoted)
{
    if (!(pg->n && !pg->nodes[pg->n - 1].kw && pg->nodes[pg->n - 1].quoted == quoted)) {
        FmtNode *nd = &pg->nodes[pg->n++];
        memset(nd, 0, sizeof *nd);
        nd->lit_off = (uint32_t)pg->lits.len;
        nd->quoted = quoted;
    }
    pg->nodes[pg->n - 1].lit_len += (uint32_t)n;
    return buf_append(&pg->lits, p, n);
}

static int compile_fmt(StrView fmt, FmtProg *pg)
{
    prog_free(pg);
    buf_init(&pg->lits);
    pg->nodes = tarn_malloc(((size_t)fmt.len + 1) * sizeof *pg->nodes);
    if (!pg->nodes)
        return TARN_ERR_NOMEM;
    const char *p = fmt.ptr, *end = fmt.ptr + fmt.len;
    int rc = 0;
    while (p < end && !rc) {
        /* Quoted literal text. */
        if (*p == '"') {
            p++;
            while (p < end && *p != '"' && !rc) {
                if (*p == '\\' && p + 1 < end)
                    p++;
                rc = prog_lit(pg, p++, 1, true);
            }
            if (p < end)
                p++;
            continue;
        }
        if (*p == '\\' && p + 1 < end && p[1] == '"') {
            rc = prog_lit(pg, "\"", 1, false);
            p += 2;
            continue;
        }
        bool fm = false;
        for (;;) {
            if (has_prefix(p, (size_t)(end - p), "FM") || has_prefix(p, (size_t)(end - p), "fm")) {
                fm = true;
                p += 2;
            } else if (has_prefix(p, (size_t)(end - p), "TM") || has_prefix(p, (size_t)(end - p), "tm")) {
                p += 2;
            } else {
                break;
            }
        }
        const Keyword *kw = p < end ? match_keyword(p, (size_t)(end - p)) : NULL;
        if (!kw) {
            if (p < end)
                rc = prog_lit(pg, p++, 1, false);
            continue;
        }
        p += kw->len;
        /* TH / th / SP suffixes */
        uint8_t th = 0;
        if (has_prefix(p, (size_t)(end - p), "TH")) {
            th = 2;
            p += 2;
        } else if (has_prefix(p, (size_t)(end - p), "th")) {
            th = 1;
            p += 2;
        }
        if (has_prefix(p, (size_t)(end - p), "SP") || has_prefix(p, (size_t)(end - p), "sp"))
            p += 2;
        FmtNode *nd = &pg->nodes[pg->n++];
        memset(nd, 0, sizeof *nd);
        nd->kw = kw;
        nd->fm = fm;
        nd->th = th;
    }
    return rc ? TARN_ERR_NOMEM : 0;
}

/* Formats one timestamp (fields f) with the compiled template into b. */
static int format_datetime(const DtFields *f, const FmtProg *pg, Buf *b)
{
    const FlTm *tm = &f->tm;
    int rc = 0;
    for (uint32_t ni = 0; ni < pg->n && !rc; ni++) {
        const FmtNode *nd = &pg->nodes[ni];
        if (!nd->kw) {
            rc = buf_append(b, pg->lits.data + nd->lit_off, nd->lit_len);
            continue;
        }
        const Keyword *kw = nd->kw;
        bool fm = nd->fm;
        int th = nd->th;
        int64_t y = tm->year;
        int64_t num = 0;
        bool is_num = true;
        int width = 2;
        bool lower = kw->lettercase == 2;
        switch (kw->id) {
        case K_AD_DOT: case K_BC_DOT: is_num = false;
            rc = buf_append(b, y <= 0 && !f->is_interval ? (lower ? "b.c." : "B.C.") : (lower ? "a.d." : "A.D."), 4);
            break;
        case K_AD: case K_BC: is_num = false;
            rc = buf_append(b, y <= 0 && !f->is_interval ? (lower ? "bc" : "BC") : (lower ? "ad" : "AD"), 2);
            break;
        case K_AM_DOT: case K_PM_DOT: is_num = false;
            rc = buf_append(b, tm->hour >= 12 ? (lower ? "p.m." : "P.M.") : (lower ? "a.m." : "A.M."), 4);
            break;
        case K_AM: case K_PM: is_num = false;
            rc = buf_append(b, tm->hour >= 12 ? (lower ? "pm" : "PM") : (lower ? "am" : "AM"), 2);
            break;
        case K_HH: case K_HH12: {
            int h = tm->hour % 12;
            num = h == 0 && !f->is_interval ? 12 : h;
            if (f->is_interval)
                num = tm->hour % 12 == 0 && tm->hour >= 0 ? 12 : tm->hour % 12;
            break;
        }
        case K_HH24: num = tm->hour; break;
        case K_MI: num = tm->min; break;
        case K_SS: num = tm->sec; break;
        case K_MS: num = tm->fsec / 1000; width = 3; break;
        case K_US: num = tm->fsec; width = 6; break;
        case K_FF1: case K_FF2: case K_FF3: case K_FF4: case K_FF5: case K_FF6: {
            int nfd = kw->id - K_FF1 + 1;
            int64_t div = 1;
            for (int k = nfd; k < 6; k++)
                div *= 10;
            num = tm->fsec / div;
            width = nfd;
            break;
        }
        case K_SSSS: case K_SSSSS:
            num = (int64_t)tm->hour * 3600 + tm->min * 60 + tm->sec;
            width = 0;
            break;
        case K_Y_YYY: {
            int64_t ay = adjust_year(y, f->is_interval);
            char tmp[32];
            int n = snprintf(tmp, sizeof tmp, "%lld,%03lld", (long long)(ay / 1000), (long long)(ay % 1000));
            rc = buf_append(b, tmp, (size_t)n);
            num = ay;
            is_num = false;
            if (!rc && th)
                rc = buf_append(b, ordinal(num, th == 2), 2);
            continue;
        }
        case K_YYYY: case K_IYYY: {
            int64_t yy = kw->id == K_IYYY ? fl_iso_year(y, tm->days) : y;
            num = adjust_year(yy, f->is_interval);
            width = num <= 9999 && num >= -9998 ? 4 : 0;
            break;
        }
        case K_YYY: case K_IYY:
            num = adjust_year(kw->id == K_IYY ? fl_iso_year(y, tm->days) : y, f->is_interval) % 1000;
            width = 3;
            break;
        case K_YY: case K_IY:
            num = adjust_year(kw->id == K_IY ? fl_iso_year(y, tm->days) : y, f->is_interval) % 100;
            width = 2;
            break;
        case K_Y: case K_I:
            num = adjust_year(kw->id == K_I ? fl_iso_year(y, tm->days) : y, f->is_interval) % 10;
            width = 1;
            break;
        case K_MONTH: case K_MON:
            is_num = false;
            if (tm->mon >= 1 && tm->mon <= 12) {
                const char *name = month_full[tm->mon - 1];
                bool full = kw->id == K_MONTH;
                rc = put_cased(b, name, full ? strlen(name) : 3, kw->lettercase, false, full ? 9 : 0, fm);
            }
            break;
        case K_MM: num = tm->mon; break;
        case K_DAY: case K_DY: {
            is_num = false;
            const char *name = day_full[fl_dow(tm->days)];
            bool full = kw->id == K_DAY;
            rc = put_cased(b, name, full ? strlen(name) : 3, kw->lettercase, false, full ? 9 : 0, fm);
            break;
        }
        case K_DDD: num = fl_doy(y, tm->days); width = 3; break;
        case K_IDDD: {
            /* ISO day of year: days since the Monday of ISO week 1 */
            int64_t iy = fl_iso_year(y, tm->days);
            int64_t jan4 = dt_days_from_civil(iy, 1, 4);
            int64_t week1 = jan4 - (fl_dow(jan4) + 6) % 7;
            num = tm->days - week1 + 1;
            width = 3;
            break;
        }
        case K_DD: num = tm->mday; break;
        case K_D: num = fl_dow(tm->days) + 1; width = 1; break;
        case K_ID: {
            int d = fl_dow(tm->days);
            num = d == 0 ? 7 : d;
            width = 1;
            break;
        }
        case K_WW: num = (fl_doy(y, tm->days) - 1) / 7 + 1; break;
        case K_IW: num = fl_iso_week(y, tm->days); break;
        case K_W: num = (tm->mday - 1) / 7 + 1; width = 1; break;
        case K_CC: {
            int64_t c = f->is_interval ? y / 100 : (y > 0 ? (y + 99) / 100 : y / 100 - 1);
            num = c;
            width = c <= 99 && c >= -99 ? 2 : 0;
            break;
        }
        case K_Q: num = (tm->mon - 1) / 3 + 1; width = 1; break;
        case K_J: num = tm->days + 2440588; width = 0; break;
        case K_RM: {
            is_num = false;
            if (tm->mon >= 1 && tm->mon <= 12) {
                const char *r = rm_upper[tm->mon - 1];
                rc = put_cased(b, r, strlen(r), lower ? 2 : 0, !lower, 4, fm);
            }
            break;
        }
        case K_TZ:
            is_num = false;
            if (f->with_tz && f->tz_abbr) {
                char tmp[16];
                size_t n = strlen(f->tz_abbr);
                for (size_t k = 0; k < n && k < sizeof tmp; k++)
                    tmp[k] = lower ? (char)tolower((unsigned char)f->tz_abbr[k]) : f->tz_abbr[k];
                rc = buf_append(b, tmp, n < sizeof tmp ? n : sizeof tmp);
            }
            break;
        case K_TZH: {
            is_num = false;
            int32_t o = f->tz_off;
            char tmp[16];
            int n = snprintf(tmp, sizeof tmp, "%c%02d", o < 0 ? '-' : '+', abs(o) / 3600);
            rc = buf_append(b, tmp, (size_t)n);
            break;
        }
        case K_TZM: {
            is_num = false;
            char tmp[16];
            int n = snprintf(tmp, sizeof tmp, "%02d", abs(f->tz_off) / 60 % 60);
            rc = buf_append(b, tmp, (size_t)n);
            break;
        }
        case K_OF: {
            is_num = false;
            int32_t o = f->tz_off;
            char tmp[16];
            int n = snprintf(tmp, sizeof tmp, "%c%0*d", o < 0 ? '-' : '+', fm ? 0 : 2, abs(o) / 3600);
            if (abs(o) / 60 % 60)
                n += snprintf(tmp + n, sizeof tmp - (size_t)n, ":%02d", abs(o) / 60 % 60);
            rc = buf_append(b, tmp, (size_t)n);
            break;
        }
        case K_FX:
        default:
            is_num = false;
            break;
        }
        if (is_num && !rc) {
            rc = put_num(b, num, width, fm);
            if (!rc && th)
                rc = buf_append(b, ordinal(num, th == 2), 2);
        }
    }
    return rc ? TARN_ERR_NOMEM : 0;
}

static int finish_text(Vector *out, uint32_t i, Buf *b, TarnError *err)
{
    char *d = fl_str_alloc(out, b->len);
    if (!d)
        return ERR_NOMEM(err, b->len);
    memcpy(d, b->data, b->len);
    FL_STR(out)[i] = fl_sv(d, b->len);
    return 0;
}

KERNEL(k_to_char_ts)
{
    const Vector *tv = args[0], *fv = args[1];
    TypeId t = tv->type->id;
    const FlTz *tz = t == TYPE_TIMESTAMPTZ ? fl_tz_session(ctx->settings) : NULL;
    Buf b;
    buf_init(&b);
    FmtProg prog;
    memset(&prog, 0, sizeof prog);
    bool prog_ready = false;
    int rc = 0;
    for (uint32_t i = 0; i < n_rows && !rc; i++) {
        if (!FUNC_ROW_VALID(out, i)) {
            FL_STR(out)[i] = fl_sv(NULL, 0);
            continue;
        }
        DtFields f;
        memset(&f, 0, sizeof f);
        uint32_t k = FUNC_IDX(tv, i);
        if (t == TYPE_INTERVAL) {
            Interval v = VEC_DATA(tv, Interval)[k];
            f.is_interval = true;
            f.tm.year = v.months / 12;
            f.tm.mon = v.months % 12;
            f.tm.mday = v.days;
            int64_t us = v.micros;
            f.tm.hour = (int)(us / DT_USECS_PER_HOUR);
            us -= (int64_t)f.tm.hour * DT_USECS_PER_HOUR;
            f.tm.min = (int)(us / DT_USECS_PER_MIN);
            us -= (int64_t)f.tm.min * DT_USECS_PER_MIN;
            f.tm.sec = (int)(us / DT_USECS_PER_SEC);
            f.tm.fsec = (int32_t)(us % DT_USECS_PER_SEC);
            f.tm.days = 0;
        } else if (t == TYPE_DATE) {
            fl_day_split(VEC_DATA(tv, int32_t)[k], 0, &f.tm);
        } else {
            int64_t us = VEC_DATA(tv, int64_t)[k];
            if (tz) {
                f.with_tz = true;
                us = fl_tz_to_local(tz, us, &f.tz_off);
                int64_t secs = (us - (int64_t)f.tz_off * DT_USECS_PER_SEC);
                secs = secs >= 0 ? secs / DT_USECS_PER_SEC : -((-secs + DT_USECS_PER_SEC - 1) / DT_USECS_PER_SEC);
                fl_tz_offset_utc(tz, secs, &f.tz_abbr);
            }
            fl_ts_split(us, &f.tm);
        }
        StrView fmt = FL_CSTR(fv)[FUNC_IDX(fv, i)];
        if (fmt.len == 0) { /* PostgreSQL: an empty template gives NULL */
            FL_STR(out)[i] = fl_sv(NULL, 0);
            if (fl_set_null(out, i, err)) {
                rc = TARN_ERR_NOMEM;
                break;
            }
            continue;
        }
        if (!prog_ready || !fv->is_const) {
            if (compile_fmt(fmt, &prog)) {
                rc = ERR_NOMEM(err, fmt.len);
                break;
            }
            prog_ready = true;
        }
        buf_clear(&b);
        rc = format_datetime(&f, &prog, &b);
        if (rc)
            rc = ERR_NOMEM(err, b.len);
        else
            rc = finish_text(out, i, &b, err);
    }
    prog_free(&prog);
    buf_free(&b);
    out->len = n_rows;
    return rc;
}

/* ---- to_char(number) ------------------------------------------------------------------------------ */

enum { NT_LIT, NT_9, NT_0, NT_DEC, NT_GROUP, NT_S, NT_MI, NT_PL, NT_SG, NT_PR, NT_TH, NT_th, NT_V, NT_EEEE, NT_L, NT_RN, NT_rn };

typedef struct NumTok {
    uint8_t kind;
    char ch;     /* NT_LIT */
} NumTok;

typedef struct NumFmt {
    NumTok tok[128];
    int n;
    int pre, post;        /* digit positions before / after the point */
    int zero_start;       /* first integer position printing zeros (pre = none) */
    int last_zero_post;   /* last '0' after the point (-1 none) */
    int v_digits;         /* V multiplier */
    bool fm, has_dec, eeee, sign_explicit, pr, roman;
    int s_pos;            /* NT_S: -1 none, 0 before digits, 1 after */
} NumFmt;

static void parse_numfmt(StrView s, NumFmt *f)
{
    memset(f, 0, sizeof *f);
    f->s_pos = -1;
    f->last_zero_post = -1;
    const char *p = s.ptr, *end = s.ptr + s.len;
    bool seen_digit = false;
    int zero_first = -1;
    while (p < end && f->n < 128) {
        size_t left = (size_t)(end - p);
        NumTok t = {NT_LIT, *p};
        int adv = 1;
        char c = *p;
        if (has_prefix(p, left, "FM") || has_prefix(p, left, "fm")) {
            f->fm = true;
            p += 2;
            continue;
        } else if (c == '"') { /* "text": literal characters */
            p++;
            while (p < end && *p != '"' && f->n < 128) {
                NumTok lit = {NT_LIT, *p++};
                f->tok[f->n++] = lit;
            }
            if (p < end)
                p++;
            continue;
        } else if (c == '9' || c == '0') {
            t.kind = c == '9' ? NT_9 : NT_0;
            if (!f->has_dec) {
                if (c == '0' && zero_first < 0)
                    zero_first = f->pre;
                f->pre++;
            } else {
                if (c == '0')
                    f->last_zero_post = f->post;
                f->post++;
            }
            seen_digit = true;
        } else if ((c == '.' || c == 'D' || c == 'd') && !f->has_dec) {
            t.kind = NT_DEC;
            f->has_dec = true;
        } else if (c == ',' || c == 'G' || c == 'g') {
            t.kind = NT_GROUP;
        } else if (has_prefix(p, left, "SG") || has_prefix(p, left, "sg")) {
            t.kind = NT_SG;
            adv = 2;
            f->sign_explicit = true;
        } else if (c == 'S' || c == 's') {
            t.kind = NT_S;
            f->s_pos = seen_digit ? 1 : 0;
            f->sign_explicit = true;
        } else if (has_prefix(p, left, "MI") || has_prefix(p, left, "mi")) {
            t.kind = NT_MI;
            adv = 2;
            f->sign_explicit = true;
        } else if (has_prefix(p, left, "PL") || has_prefix(p, left, "pl")) {
            t.kind = NT_PL;
            adv = 2;
        } else if (has_prefix(p, left, "SG") || has_prefix(p, left, "sg")) {
            t.kind = NT_SG;
            adv = 2;
            f->sign_explicit = true;
        } else if (has_prefix(p, left, "PR") || has_prefix(p, left, "pr")) {
            t.kind = NT_PR;
            adv = 2;
            f->pr = true;
            f->sign_explicit = true;
        } else if (has_prefix(p, left, "TH")) {
            t.kind = NT_TH;
            adv = 2;
        } else if (has_prefix(p, left, "th")) {
            t.kind = NT_th;
            adv = 2;
        } else if (has_prefix(p, left, "RN") || has_prefix(p, left, "rn")) {
            t.kind = c == 'R' ? NT_RN : NT_rn;
            adv = 2;
            f->roman = true;
        } else if (has_prefix(p, left, "EEEE") || has_prefix(p, left, "eeee")) {
            t.kind = NT_EEEE;
            adv = 4;
            f->eeee = true;
        } else if (c == 'V' || c == 'v') {
            t.kind = NT_V;
            /* the 9s after V count as the multiplier */
            const char *q = p + 1;
            while (q < end && (*q == '9' || *q == '0')) {
                f->v_digits++;
                q++;
            }
        } else if (c == 'L' || c == 'l') {
            t.kind = NT_L;
        }
        f->tok[f->n++] = t;
        p += adv;
    }
    f->zero_start = zero_first < 0 ? f->pre : zero_first;
    /* digits after V are part of the integer digits for placement */
    if (f->v_digits && f->has_dec)
        f->post -= 0;
}

/* Exact decimal digits of a value: sign, integer digits (no leading
 * zeros), fraction rounded to `post` digits. */
typedef struct NumVal {
    bool neg;
    char int_digits[64];
    int int_len;
    char frac[64];
} NumVal;

static void numval_from_dec(int128_t u, int scale, int post, NumVal *v)
{
    memset(v, 0, sizeof *v);
    if (post > 40)
        post = 40;
    /* round to `post` digits */
    if (scale > post)
        u = fl_dec_div_round(u, scale - post);
    else if (post - scale <= 38 && post > scale) {
        int128_t m = fl_pow10(post - scale), r;
        if (__builtin_mul_overflow(u, m, &r)) {
            /* far too many digits: keep precision, pad zeros later */
            r = u;
            post = scale;
        }
        u = r;
    }
    v->neg = u < 0;
    unsigned __int128 m = u < 0 ? (unsigned __int128)0 - (unsigned __int128)u : (unsigned __int128)u;
    char digits[64];
    int nd = 0;
    do {
        digits[nd++] = (char)('0' + (int)(m % 10));
        m /= 10;
    } while (m);
    /* digits reversed; the last `post` are the fraction */
    int k = 0;
    for (int d = 0; d < post; d++)
        v->frac[post - 1 - d] = d < nd ? digits[d] : '0';
    v->frac[post] = '\0';
    for (int d = nd - 1; d >= post; d--)
        v->int_digits[k++] = digits[d];
    v->int_len = k;
    if (k == 1 && v->int_digits[0] == '0')
        v->int_len = 0;
    v->int_digits[v->int_len] = '\0';
}

/* Returns the fraction digits kept (PostgreSQL limits a float8 to
 * DBL_DIG = 15 significant digits). */
static int numval_from_double(double x, int post, NumVal *v)
{
    memset(v, 0, sizeof *v);
    char tmp[400];
    /* PostgreSQL limits float8 output to DBL_DIG significant digits */
    snprintf(tmp, sizeof tmp, "%.0f", fabs(x));
    int pre_len = (int)strlen(tmp);
    if (pre_len >= 15)
        post = 0;
    else if (pre_len + post > 15)
        post = 15 - pre_len;
    snprintf(tmp, sizeof tmp, "%.*f", post, fabs(x));
    v->neg = x < 0;
    char *dot = strchr(tmp, '.');
    size_t il = dot ? (size_t)(dot - tmp) : strlen(tmp);
    if (il > 60)
        il = 60;
    memcpy(v->int_digits, tmp, il);
    v->int_len = (int)il;
    if (v->int_len == 1 && v->int_digits[0] == '0')
        v->int_len = 0;
    v->int_digits[v->int_len] = '\0';
    if (dot)
        snprintf(v->frac, sizeof v->frac, "%s", dot + 1);
    return post;
}

static int format_number(const NumFmt *f, NumVal *v, int post_avail, Buf *b)
{
    bool zero = v->int_len == 0;
    for (const char *q = v->frac; *q; q++)
        if (*q != '0')
            zero = false;
    if (zero)
        v->neg = false;
    if (f->post == 0 && v->int_len == 0) { /* no fraction shown: the 0 is significant */
        v->int_digits[0] = '0';
        v->int_len = 1;
        v->int_digits[1] = '\0';
    }
    bool overflow = v->int_len > f->pre;
    int blanks = f->pre - v->int_len;
    bool started = false;       /* a digit or the point has been written */
    bool sign_pending = !f->sign_explicit || f->s_pos == 0 || f->pr;
    size_t frac_start = 0, last_keep = 0;
    int int_pos = 0, frac_pos = 0;
    char sign_ch = v->neg ? '-' : '+';
    int rc = 0;
#define EMIT_SIGN()                                                                               \
    do {                                                                                          \
        if (sign_pending) {                                                                       \
            sign_pending = false;                                                                 \
            if (f->pr) {                                                                          \
                if (v->neg)                                                                       \
                    rc |= buf_append_byte(b, '<');                                                \
                else if (!f->fm)                                                                  \
                    rc |= buf_append_byte(b, ' ');                                                \
            } else if (f->s_pos == 0) {                                                           \
                rc |= buf_append_byte(b, (uint8_t)sign_ch);                                       \
            } else if (v->neg) {                                                                  \
                rc |= buf_append_byte(b, '-');                                                    \
            } else if (!f->fm) {                                                                  \
                rc |= buf_append_byte(b, ' ');                                                    \
            }                                                                                     \
        }                                                                                         \
    } while (0)
    bool in_frac = false;
    for (int k = 0; k < f->n && !rc; k++) {
        const NumTok *t = &f->tok[k];
        switch (t->kind) {
        case NT_9:
        case NT_0:
            if (!in_frac) {
                int pos = int_pos++;
                if (overflow) {
                    EMIT_SIGN();
                    rc |= buf_append_byte(b, '#');
                    started = true;
                } else if (pos < blanks) {
                    if (pos >= f->zero_start) {
                        EMIT_SIGN();
                        rc |= buf_append_byte(b, '0');
                        started = true;
                    } else if (!f->fm) {
                        rc |= buf_append_byte(b, ' ');
                    }
                } else {
                    EMIT_SIGN();
                    rc |= buf_append_byte(b, (uint8_t)v->int_digits[pos - blanks]);
                    started = true;
                }
            } else {
                int pos = frac_pos++;
                if (pos >= post_avail) /* float8: PostgreSQL keeps 15 digits in all */
                    break;
                char c = overflow ? '#' : (v->frac[pos] ? v->frac[pos] : '0');
                rc |= buf_append_byte(b, (uint8_t)c);
                if (c != '0' || t->kind == NT_0 || pos <= f->last_zero_post)
                    last_keep = b->len;
            }
            break;
        case NT_DEC:
            if (f->post > 0 || overflow) {
                EMIT_SIGN();
                rc |= buf_append_byte(b, '.');
                started = true;
            }
            in_frac = true;
            frac_start = b->len;
            last_keep = b->len;
            break;
        case NT_GROUP:
            if (started && !in_frac)
                rc |= buf_append_byte(b, ',');
            else if (in_frac)
                rc |= buf_append_byte(b, ',');
            else if (!f->fm)
                rc |= buf_append_byte(b, ' ');
            break;
        case NT_S:
            if (f->s_pos == 1)
                rc |= buf_append_byte(b, (uint8_t)sign_ch);
            break;
        case NT_MI:
            if (v->neg)
                rc |= buf_append_byte(b, '-');
            else if (!f->fm)
                rc |= buf_append_byte(b, ' ');
            break;
        case NT_PL:
            if (!v->neg)
                rc |= buf_append_byte(b, '+');
            else if (!f->fm)
                rc |= buf_append_byte(b, ' ');
            break;
        case NT_SG:
            rc |= buf_append_byte(b, (uint8_t)sign_ch);
            break;
        case NT_PR:
            if (v->neg)
                rc |= buf_append_byte(b, '>');
            else if (!f->fm)
                rc |= buf_append_byte(b, ' ');
            break;
        case NT_TH:
        case NT_th:
            if (!v->neg && !overflow) {
                int64_t last = 0;
                for (int d = 0; d < v->int_len; d++)
                    last = (last * 10 + (v->int_digits[d] - '0')) % 100;
                rc |= buf_append(b, ordinal(last, t->kind == NT_TH), 2);
            }
            break;
        case NT_V:
            in_frac = false;
            break;
        case NT_L:
            if (!f->fm)
                rc |= buf_append_byte(b, ' ');
            break;
        case NT_EEEE:
            break;
        default:
            rc |= buf_append_byte(b, (uint8_t)t->ch);
            break;
        }
    }
    EMIT_SIGN();
#undef EMIT_SIGN
    if (f->fm && frac_start && !overflow) {
        /* FM: drop trailing zeros of '9' positions (the point stays) */
        if (last_keep < b->len) {
            size_t tail = b->len - last_keep;
            /* keep anything after the digits (MI, PR ...): only strip zeros */
            size_t z = 0;
            while (z < tail && b->data[last_keep + z] == '0')
                z++;
            memmove(b->data + last_keep, b->data + last_keep + z, tail - z);
            b->len -= z;
        }
        /* nothing but the point: PostgreSQL shows "0." */
        bool any_digit = false;
        for (size_t k = 0; k < b->len; k++)
            if (isdigit(b->data[k]))
                any_digit = true;
        if (!any_digit && frac_start > 0) {
            size_t dot = frac_start - 1;
            if (buf_reserve(b, 1))
                return TARN_ERR_NOMEM;
            memmove(b->data + dot + 1, b->data + dot, b->len - dot);
            b->data[dot] = '0';
            b->len++;
        }
    }
    return rc ? TARN_ERR_NOMEM : 0;
}

static int format_eeee(const NumFmt *f, double x, Buf *b)
{
    char tmp[64];
    int post = f->post;
    if (isnan(x) || isinf(x)) {
        /* PostgreSQL fills with '#' */
        for (int k = 0; k < f->pre + f->post + 6; k++)
            if (buf_append_byte(b, '#'))
                return TARN_ERR_NOMEM;
        return 0;
    }
    int n = snprintf(tmp, sizeof tmp, "%.*e", post, fabs(x));
    if (x < 0) {
        if (buf_append_byte(b, '-'))
            return TARN_ERR_NOMEM;
    } else if (!f->fm && buf_append_byte(b, ' ')) {
        return TARN_ERR_NOMEM;
    }
    return buf_append(b, tmp, (size_t)n);
}

/* EEEE for exact numbers: post + 1 significant digits, rounded half away
 * from zero like PostgreSQL's numeric. */
static int format_eeee_dec(const NumFmt *f, int128_t u, int scale, Buf *b)
{
    bool neg = u < 0;
    unsigned __int128 m = neg ? (unsigned __int128)0 - (unsigned __int128)u : (unsigned __int128)u;
    char digits[64];
    int nd = 0;
    do {
        digits[nd++] = (char)('0' + (int)(m % 10));
        m /= 10;
    } while (m);
    /* most significant first */
    for (int k = 0; k < nd / 2; k++) {
        char t = digits[k];
        digits[k] = digits[nd - 1 - k];
        digits[nd - 1 - k] = t;
    }
    int exp10 = nd - 1 - scale;
    bool is_zero = nd == 1 && digits[0] == '0';
    if (is_zero)
        exp10 = 0;
    int want = f->post + 1;
    char mant[64];
    for (int k = 0; k < want && k < 60; k++)
        mant[k] = k < nd ? digits[k] : '0';
    if (want < nd && digits[want] >= '5') {
        int k = want - 1;
        while (k >= 0 && mant[k] == '9')
            mant[k--] = '0';
        if (k >= 0)
            mant[k]++;
        else { /* 9.99 -> 10.0: shift */
            memmove(mant + 1, mant, (size_t)want - 1);
            mant[0] = '1';
            exp10++;
        }
    }
    int rc = 0;
    if (neg)
        rc |= buf_append_byte(b, '-');
    else if (!f->fm)
        rc |= buf_append_byte(b, ' ');
    rc |= buf_append_byte(b, (uint8_t)mant[0]);
    if (f->post > 0) {
        rc |= buf_append_byte(b, '.');
        rc |= buf_append(b, mant + 1, (size_t)f->post);
    }
    char e[16];
    int n = snprintf(e, sizeof e, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
    rc |= buf_append(b, e, (size_t)n);
    return rc ? TARN_ERR_NOMEM : 0;
}

/* RN / rn: the value rounded to an integer in Roman numerals, right-aligned
 * in 15 characters unless FM; outside 1..3999 fifteen '#' (PostgreSQL's
 * int_to_roman).  Other template items but literals print nothing. */
static int format_roman(const NumFmt *f, int64_t x, Buf *b)
{
    static const char *const ones[] = {"", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"};
    static const char *const tens[] = {"", "X", "XX", "XXX", "XL", "L", "LX", "LXX", "LXXX", "XC"};
    static const char *const hundreds[] = {"", "C", "CC", "CCC", "CD", "D", "DC", "DCC", "DCCC", "CM"};
    char r[32];
    size_t n = 0;
    if (x < 1 || x > 3999) {
        memset(r, '#', 15);
        n = 15;
    } else {
        for (int64_t k = 0; k < x / 1000; k++)
            r[n++] = 'M';
        const char *parts[3] = {hundreds[(x / 100) % 10], tens[(x / 10) % 10], ones[x % 10]};
        for (int k = 0; k < 3; k++)
            for (const char *q = parts[k]; *q; q++)
                r[n++] = *q;
    }
    int rc = 0;
    for (int k = 0; k < f->n && !rc; k++) {
        const NumTok *t = &f->tok[k];
        if (t->kind == NT_LIT) {
            rc |= buf_append_byte(b, (uint8_t)t->ch);
        } else if (t->kind == NT_RN || t->kind == NT_rn) {
            for (size_t pad = n; !f->fm && pad < 15; pad++)
                rc |= buf_append_byte(b, ' ');
            for (size_t q = 0; q < n; q++)
                rc |= buf_append_byte(b, (uint8_t)(t->kind == NT_rn ? tolower((unsigned char)r[q]) : r[q]));
        }
    }
    return rc ? TARN_ERR_NOMEM : 0;
}

KERNEL(k_to_char_num)
{
    const Vector *nv = args[0], *fv = args[1];
    TypeId t = nv->type->id;
    Buf b;
    buf_init(&b);
    int rc = 0;
    NumFmt fmt;
    bool fmt_parsed = false;
    for (uint32_t i = 0; i < n_rows && !rc; i++) {
        if (!FUNC_ROW_VALID(out, i)) {
            FL_STR(out)[i] = fl_sv(NULL, 0);
            continue;
        }
        if (!fmt_parsed || !fv->is_const) {
            parse_numfmt(FL_CSTR(fv)[FUNC_IDX(fv, i)], &fmt);
            fmt_parsed = true;
        }
        uint32_t k = FUNC_IDX(nv, i);
        NumVal v;
        buf_clear(&b);
        double dx = 0;
        int128_t u = 0;
        int scale = 0;
        bool is_float = t == TYPE_DOUBLE || t == TYPE_FLOAT;
        switch (t) {
        case TYPE_INT16: u = VEC_DATA(nv, int16_t)[k]; break;
        case TYPE_INT32: u = VEC_DATA(nv, int32_t)[k]; break;
        case TYPE_INT64: u = VEC_DATA(nv, int64_t)[k]; break;
        case TYPE_DECIMAL: u = fl_dec_get(nv, k); scale = nv->type->scale; break;
        case TYPE_FLOAT: dx = VEC_DATA(nv, float)[k]; break;
        default: dx = VEC_DATA(nv, double)[k]; break;
        }
        if (fmt.roman) {
            int64_t x;
            if (is_float) {
                double rx = rint(dx);
                x = isfinite(rx) && fabs(rx) < 1e9 ? (int64_t)rx : 0;
            } else {
                int128_t w = scale > 0 ? fl_dec_div_round(u, scale) : u;
                x = w > 100000 || w < -100000 ? 0 : (int64_t)w;
            }
            rc = format_roman(&fmt, x, &b);
        } else if (fmt.eeee) {
            rc = is_float ? format_eeee(&fmt, dx, &b) : format_eeee_dec(&fmt, u, scale, &b);
        } else {
            if (fmt.v_digits) {
                if (is_float)
                    dx *= pow(10, fmt.v_digits);
                else
                    scale -= fmt.v_digits;
                if (scale < 0) {
                    int128_t m = fl_pow10(-scale);
                    if (__builtin_mul_overflow(u, m, &u))
                        u = 0;
                    scale = 0;
                }
            }
            int post = fmt.post;
            if (is_float) {
                if (isnan(dx) || isinf(dx)) {
                    numval_from_double(0, post, &v);
                    v.int_len = fmt.pre + 1; /* forces '#' */
                } else {
                    post = numval_from_double(dx, post, &v);
                }
            } else {
                numval_from_dec(u, scale, post, &v);
            }
            rc = format_number(&fmt, &v, post, &b);
        }
        if (rc)
            rc = ERR_NOMEM(err, b.len);
        else
            rc = finish_text(out, i, &b, err);
    }
    buf_free(&b);
    out->len = n_rows;
    return rc;
}

/* ---- to_timestamp(text, text), to_date ------------------------------------------------------------ */

typedef struct ParseState {
    int64_t year;        /* as written (BC flag separate) */
    bool have_year, bc, yy2, have_doy, pm_set, pm, have_tz;
    int year_digits;
    int mon, mday, hour, min, sec, doy;
    bool hour12;
    int32_t fsec;
    int32_t tz_off;      /* seconds east */
    int64_t ssss;
    bool have_ssss;
} ParseState;

static int err_invalid_value(TarnError *err, const char *input, size_t n, const char *field,
                             const char *detail)
{
    err_set_state(err, TARN_ERR_INVALID, "22007", "invalid value \"%.*s\" for \"%s\"", (int)n, input,
                  field);
    err_detail(err, "%s", detail);
    return TARN_ERR_INVALID;
}

static bool is_sep(char c)
{
    return !isalnum((unsigned char)c);
}

/* Reads an unsigned number of at most max_digits digits (all when
 * greedy). */
static int read_num(const char **pp, const char *end, int max_digits, bool greedy, int64_t *out,
                    const char *field, TarnError *err)
{
    const char *p = *pp;
    while (p < end && isspace((unsigned char)*p))
        p++;
    bool neg = false;
    if (p < end && (*p == '-' || *p == '+') && !greedy) {
        /* signs only for years and offsets (handled by the callers) */
    }
    const char *start = p;
    int64_t v = 0;
    int n = 0;
    while (p < end && isdigit((unsigned char)*p) && (greedy || n < max_digits) && n < 18) {
        v = v * 10 + (*p - '0');
        p++;
        n++;
    }
    if (n == 0) {
        size_t show = (size_t)(end - start) < (size_t)max_digits ? (size_t)(end - start) : (size_t)max_digits;
        return err_invalid_value(err, start, show, field, "Value must be an integer.");
    }
    *out = neg ? -v : v;
    *pp = p;
    return 0;
}

static bool match_name(const char **pp, const char *end, const char *const *names, int count,
                       bool abbrev, int *idx)
{
    const char *p = *pp;
    while (p < end && isspace((unsigned char)*p))
        p++;
    for (int k = 0; k < count; k++) {
        size_t n = abbrev ? 3 : strlen(names[k]);
        if ((size_t)(end - p) >= n && !strncasecmp(p, names[k], n)) {
            *idx = k;
            *pp = p + n;
            return true;
        }
    }
    return false;
}

static bool is_name_kw(int id)
{
    return id == K_MON || id == K_MONTH || id == K_DAY || id == K_DY || id == K_AM || id == K_PM ||
           id == K_AM_DOT || id == K_PM_DOT || id == K_BC || id == K_AD || id == K_BC_DOT || id == K_AD_DOT ||
           id == K_FX;
}

static int parse_datetime(StrView in, const FmtProg *pg, ParseState *st, TarnError *err)
{
    const char *p = in.ptr, *end = in.ptr + in.len;
    memset(st, 0, sizeof *st);
    st->mon = 1;
    st->mday = 1;
    for (uint32_t ni = 0; ni < pg->n; ni++) {
        const FmtNode *nd = &pg->nodes[ni];
        if (!nd->kw) {
            const char *lit = (const char *)pg->lits.data + nd->lit_off;
            for (uint32_t c = 0; c < nd->lit_len; c++) {
                char fc = lit[c];
                if (nd->quoted) { /* quoted text skips as many input characters */
                    if (p < end)
                        p++;
                } else if (isspace((unsigned char)fc)) {
                    /* A separator or literal character in the template. */
                    while (p < end && isspace((unsigned char)*p))
                        p++;
                } else if (p < end && (is_sep(*p) || *p == fc)) {
                    while (p < end && isspace((unsigned char)*p))
                        p++;
                    if (p < end && (is_sep(*p) || *p == fc))
                        p++;
                }
            }
            continue;
        }
        const Keyword *kw = nd->kw;
        /* Greedy when the next template item is not a digit field. */
        bool greedy = ni + 1 >= pg->n || !pg->nodes[ni + 1].kw || is_name_kw(pg->nodes[ni + 1].kw->id);
        char field[8];
        snprintf(field, sizeof field, "%.*s", (int)kw->len, kw->text);
        int64_t v;
        int idx;
        const char *before = p;
        switch (kw->id) {
        case K_YYYY: case K_IYYY: case K_Y_YYY:
            if (read_num(&p, end, 4, greedy, &v, field, err))
                return TARN_ERR_INVALID;
            if (kw->id == K_Y_YYY && p < end && *p == ',') {
                int64_t rest;
                p++;
                if (read_num(&p, end, 3, false, &rest, field, err))
                    return TARN_ERR_INVALID;
                v = v * 1000 + rest;
            }
            st->year = v;
            st->have_year = true;
            st->year_digits = 4;
            break;
        case K_YYY: case K_IYY:
            if (read_num(&p, end, 3, greedy, &v, field, err))
                return TARN_ERR_INVALID;
            st->year = v < 70 ? v + 2000 : v < 100 ? v + 1900 : v < 1000 ? v + 2000 : v;
            st->have_year = true;
            break;
        case K_YY: case K_IY:
            if (read_num(&p, end, 2, greedy, &v, field, err))
                return TARN_ERR_INVALID;
            st->year = v < 70 ? v + 2000 : v < 100 ? v + 1900 : v;
            st->have_year = true;
            break;
        case K_Y: case K_I:
            if (read_num(&p, end, 1, greedy, &v, field, err))
                return TARN_ERR_INVALID;
            st->year = v + 2000;
            st->have_year = true;
            break;
        case K_MM:
            if (read_num(&p, end, 2, greedy, &v, field, err))
                return TARN_ERR_INVALID;
            st->mon = (int)v;
            break;
        case K_MONTH: case K_MON:
            if (!match_name(&p, end, month_full, 12, kw->id == K_MON, &idx)) {
                size_t rest = (size_t)(end - p);
                return err_invalid_value(err, p, rest, field,
                                         "The given value did not match any of the allowed values for this field.");
            }
            /* "May" and full names longer than the abbreviation */
            if (kw->id == K_MONTH) {
                /* match_name consumed the full name */
            }
            st->mon = idx + 1;
            break;
        case K_DAY: case K_DY:
            if (!match_name(&p, end, day_full, 7, kw->id == K_DY, &idx)) {
                size_t rest = (size_t)(end - p);
                return err_invalid_value(err, p, rest, field,
                                         "The given value did not match any of the allowed values for this field.");
            }
            break;
        case K_DD:
            if (read_num(&p, end, 2, greedy, &v, field, err))
                return TARN_ERR_INVALID;
            st->mday = (int)v;
            break;
        case K_DDD: case K_IDDD:
            if (read_num(&p, end, 3, greedy, &v, field, err))
                return TARN_ERR_INVALID;
            st->doy = (int)v;
            st->have_doy = true;
            break;
        case K_D: case K_ID:
            if (read_num(&p, end, 1, greedy, &v, field, err))
                return TARN_ERR_INVALID;
            break;
        case K_HH: case K_HH12:
            if (read_num(&p, end, 2, greedy, &v, field, err))
                return TARN_ERR_INVALID;
            st->hour = (int)v;
            st->hour12 = true;
            break;
        case K_HH24:
            if (read_num(&p, end, 2, greedy, &v, field, err))
                return TARN_ERR_INVALID;
            st->hour = (int)v;
            break;
        case K_MI:
            if (read_num(&p, end, 2, greedy, &v, field, err))
                return TARN_ERR_INVALID;
            st->min = (int)v;
            break;
        case K_SS:
            if (read_num(&p, end, 2, greedy, &v, field, err))
                return TARN_ERR_INVALID;
            st->sec = (int)v;
            break;
        case K_SSSS: case K_SSSSS:
            if (read_num(&p, end, 5, greedy, &v, field, err))
                return TARN_ERR_INVALID;
            st->ssss = v;
            st->have_ssss = true;
            break;
        case K_MS: case K_US: case K_FF1: case K_FF2: case K_FF3: case K_FF4: case K_FF5: case K_FF6: {
            int w = kw->id == K_MS ? 3 : kw->id == K_US ? 6 : kw->id - K_FF1 + 1;
            const char *q = p;
            while (q < end && isspace((unsigned char)*q))
                q++;
            if (read_num(&p, end, w, false, &v, field, err))
                return TARN_ERR_INVALID;
            int ndig = (int)(p - q);
            /* "MS" 5 means 500 ms: scale by the digits read */
            int64_t us = v;
            int scale_to = kw->id == K_MS ? 3 : 6;
            for (int k = ndig; k < scale_to; k++)
                us *= 10;
            if (kw->id == K_MS)
                us *= 1000;
            st->fsec = (int32_t)us;
            break;
        }
        case K_AM: case K_PM: case K_AM_DOT: case K_PM_DOT: {
            while (p < end && isspace((unsigned char)*p))
                p++;
            bool dots = kw->id == K_AM_DOT || kw->id == K_PM_DOT;
            const char *am = dots ? "a.m." : "am", *pm = dots ? "p.m." : "pm";
            size_t n = strlen(am);
            if ((size_t)(end - p) >= n && !strncasecmp(p, am, n)) {
                st->pm_set = true;
                st->pm = false;
            } else if ((size_t)(end - p) >= n && !strncasecmp(p, pm, n)) {
                st->pm_set = true;
                st->pm = true;
            } else {
                return err_invalid_value(err, p, (size_t)(end - p), field,
                                         "The given value did not match any of the allowed values for this field.");
            }
            p += n;
            break;
        }
        case K_BC: case K_AD: case K_BC_DOT: case K_AD_DOT: {
            while (p < end && isspace((unsigned char)*p))
                p++;
            bool dots = kw->id == K_BC_DOT || kw->id == K_AD_DOT;
            const char *bc = dots ? "b.c." : "bc", *ad = dots ? "a.d." : "ad";
            size_t n = strlen(bc);
            if ((size_t)(end - p) >= n && !strncasecmp(p, bc, n))
                st->bc = true;
            else if (!((size_t)(end - p) >= n && !strncasecmp(p, ad, n)))
                return err_invalid_value(err, p, (size_t)(end - p), field,
                                         "The given value did not match any of the allowed values for this field.");
            p += n;
            break;
        }
        case K_TZH: {
            while (p < end && isspace((unsigned char)*p))
                p++;
            int sign = 1;
            if (p < end && (*p == '+' || *p == '-'))
                sign = *p++ == '-' ? -1 : 1;
            if (read_num(&p, end, 2, greedy, &v, field, err))
                return TARN_ERR_INVALID;
            st->tz_off = sign * (int32_t)v * 3600;
            st->have_tz = true;
            break;
        }
        case K_TZM: {
            const char *q = p;
            while (q < end && isspace((unsigned char)*q))
                q++;
            if (q >= end || !isdigit((unsigned char)*q))
                break; /* minutes are optional */
            if (read_num(&p, end, 2, greedy, &v, field, err))
                return TARN_ERR_INVALID;
            st->tz_off += (st->tz_off < 0 ? -1 : 1) * (int32_t)v * 60;
            st->have_tz = true;
            break;
        }
        case K_J:
            if (read_num(&p, end, 9, true, &v, field, err))
                return TARN_ERR_INVALID;
            {
                int64_t y;
                int m, d;
                dt_civil_from_days(v - 2440588, &y, &m, &d);
                st->year = y;
                st->mon = m;
                st->mday = d;
                st->have_year = true;
            }
            break;
        default:
            /* CC, Q, W, WW, IW, RM, TZ, OF: accepted, not used */
            while (p < end && !is_sep(*p))
                p++;
            break;
        }
        (void)before;
    }
    return 0;
}

/* Builds the local timestamp (micros) from parsed fields; for date_only
 * the day number instead. */
static int build_ts(const ParseState *st, StrView in, bool date_only, int64_t *out, TarnError *err)
{
    int64_t y = st->have_year ? st->year : 1;
    if (st->bc)
        y = -y + 1;
    int hour = st->hour;
    if (st->hour12 || st->pm_set) {
        if (st->hour12 && (hour < 1 || hour > 12)) {
            err_set_state(err, TARN_ERR_INVALID, "22007", "hour \"%d\" is invalid for the 12-hour clock", hour);
            err_hint(err, "Use the 24-hour clock, or give an hour between 1 and 12.");
            return TARN_ERR_INVALID;
        }
        if (st->pm && hour < 12)
            hour += 12;
        else if (!st->pm && hour == 12)
            hour = 0;
    }
    int64_t days;
    if (y > 10000000 || y < -10000000 || st->mon > 12 || st->mday > 31)
        goto range;
    if (st->have_doy) {
        if (st->doy < 1 || st->doy > (dt_days_in_month(y, 2) == 29 ? 366 : 365))
            goto range;
        days = dt_days_from_civil(y, 1, 1) + st->doy - 1;
    } else {
        if (!dt_valid_date(y, st->mon, st->mday))
            goto range;
        days = dt_days_from_civil(y, st->mon, st->mday);
    }
    int64_t tod;
    if (st->have_ssss) {
        if (st->ssss >= 86400)
            goto range;
        tod = st->ssss * DT_USECS_PER_SEC;
    } else {
        if (hour > 24 || st->min > 59 || st->sec > 60 || (hour == 24 && (st->min || st->sec || st->fsec)))
            goto range;
        tod = ((int64_t)hour * 3600 + st->min * 60 + st->sec) * DT_USECS_PER_SEC + st->fsec;
    }
    if (date_only) {
        *out = days;
        return 0;
    }
    int64_t us;
    if (__builtin_mul_overflow(days, DT_USECS_PER_DAY, &us) || __builtin_add_overflow(us, tod, &us))
        return fl_err(err, "22008", "timestamp out of range");
    *out = us;
    return 0;
range:
    return err_set_state(err, TARN_ERR_INVALID, "22008", "date/time field value out of range: \"%.*s\"",
                         (int)in.len, in.ptr);
}

static int to_ts_kernel(FuncCtx *ctx, Vector **args, uint32_t n_rows, Vector *out, TarnError *err,
                        bool date_only)
{
    const Vector *sv = args[0], *fv = args[1];
    const FlTz *tz = date_only ? NULL : fl_tz_session(ctx->settings);
    FmtProg prog;
    memset(&prog, 0, sizeof prog);
    bool prog_ready = false;
    int rc = 0;
    for (uint32_t i = 0; i < n_rows && !rc; i++) {
        if (date_only)
            VEC_DATA(out, int32_t)[i] = 0;
        else
            VEC_DATA(out, int64_t)[i] = 0;
        if (!FUNC_ROW_VALID(out, i))
            continue;
        StrView in = FL_CSTR(sv)[FUNC_IDX(sv, i)];
        if (!prog_ready || !fv->is_const) {
            StrView fmt = FL_CSTR(fv)[FUNC_IDX(fv, i)];
            if (compile_fmt(fmt, &prog)) {
                rc = ERR_NOMEM(err, fmt.len);
                break;
            }
            prog_ready = true;
        }
        ParseState st;
        if ((rc = parse_datetime(in, &prog, &st, err)))
            break;
        int64_t local = 0;
        if ((rc = build_ts(&st, in, date_only, &local, err)))
            break;
        if (date_only) {
            int64_t d = local;
            /* PostgreSQL's date range: 4714-11-24 BC .. 5874897-12-31 */
            if (d < -2440588 || d > INT64_C(2147483494)) {
                rc = fl_err(err, "22008", "date out of range");
                break;
            }
            VEC_DATA(out, int32_t)[i] = (int32_t)d;
        } else {
            VEC_DATA(out, int64_t)[i] =
                st.have_tz ? local - (int64_t)st.tz_off * DT_USECS_PER_SEC : fl_tz_to_utc(tz, local);
        }
    }
    prog_free(&prog);
    out->len = n_rows;
    return rc;
}

KERNEL(k_to_timestamp_text)
{
    return to_ts_kernel(ctx, args, n_rows, out, err, false);
}

KERNEL(k_to_date)
{
    return to_ts_kernel(ctx, args, n_rows, out, err, true);
}

/* ---- Registry ----------------------------------------------------------------------------------------- */

#define S TYPE_STRING
#define SC (FUNC_STRICT | FUNC_CONST_ARGS)

const FuncDef func_defs_datetime_fmt[] = {
    {.name = "to_char", .kind = FUNC_SCALAR, .n_args = 2, .args = {TYPE_TIMESTAMP, S}, .ret = S,
     .flags = SC, .scalar = k_to_char_ts},
    {.name = "to_char", .kind = FUNC_SCALAR, .n_args = 2, .args = {TYPE_TIMESTAMPTZ, S}, .ret = S,
     .flags = SC | FUNC_STABLE, .scalar = k_to_char_ts},
    {.name = "to_char", .kind = FUNC_SCALAR, .n_args = 2, .args = {TYPE_INTERVAL, S}, .ret = S,
     .flags = SC, .scalar = k_to_char_ts},
    {.name = "to_char", .kind = FUNC_SCALAR, .n_args = 2, .args = {TYPE_DATE, S}, .ret = S,
     .flags = SC, .scalar = k_to_char_ts,
     .doc = "PostgreSQL casts date to timestamp here; same result"},
    {.name = "to_char", .kind = FUNC_SCALAR, .n_args = 2, .args = {TYPE_DECIMAL, S}, .ret = S,
     .flags = SC, .scalar = k_to_char_num},
    {.name = "to_char", .kind = FUNC_SCALAR, .n_args = 2, .args = {TYPE_INT32, S}, .ret = S,
     .flags = SC, .scalar = k_to_char_num},
    {.name = "to_char", .kind = FUNC_SCALAR, .n_args = 2, .args = {TYPE_INT64, S}, .ret = S,
     .flags = SC, .scalar = k_to_char_num},
    {.name = "to_char", .kind = FUNC_SCALAR, .n_args = 2, .args = {TYPE_FLOAT, S}, .ret = S,
     .flags = SC, .scalar = k_to_char_num},
    {.name = "to_char", .kind = FUNC_SCALAR, .n_args = 2, .args = {TYPE_DOUBLE, S}, .ret = S,
     .flags = SC, .scalar = k_to_char_num},
    {.name = "to_timestamp", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, S}, .ret = TYPE_TIMESTAMPTZ,
     .flags = SC | FUNC_STABLE, .scalar = k_to_timestamp_text},
    {.name = "to_date", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, S}, .ret = TYPE_DATE,
     .flags = SC | FUNC_STABLE, .scalar = k_to_date},
    {0},
};
