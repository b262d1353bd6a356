/*
 * func_string.c - PostgreSQL's string functions and the || operator
 * (PG docs 9.4 "String Functions and Operators"), as vectorized kernels.
 *
 * Text is UTF-8; lengths and positions count characters, as PostgreSQL
 * does in a UTF8 database.  Case mapping (lower, upper, initcap) uses
 * towlower/towupper in the C.UTF-8 locale: the same answers as a
 * PostgreSQL cluster initialised with lc_ctype C.UTF-8.
 *
 * Results that are a piece of an argument (btrim, substr, split_part,
 * left, right) point into the argument's bytes; everything else is written
 * into out->heap.  NULL rows of strict kernels get an empty StrView and are
 * never read.
 *
 * Registered here: length, char_length, character_length, octet_length,
 * bit_length, lower, upper, initcap, btrim, ltrim, rtrim, lpad, rpad,
 * substr, substring(text, int[, int]), overlay, position, strpos,
 * split_part, replace, concat, concat_ws, left, right, repeat, reverse,
 * starts_with, ascii, chr, to_hex, translate, format, quote_ident,
 * quote_literal, quote_nullable and textcat.  (The || operators and
 * LIKE live with the core operators in func_core_ops.c.)
 */
#include "sql/func/func_lib.h"

#include <pthread.h>
#include <stdlib.h>
#include <wctype.h>

#include "vector/format.h"

/* PostgreSQL's MaxAllocSize: the largest text value. */
#define PG_MAX_ALLOC ((int64_t)0x3fffffff)

/* ---- Locale and case mapping ---------------------------------------------- */

static locale_t utf8_loc;
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;

static void utf8_init(void)
{
    utf8_loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
    if (!utf8_loc)
        utf8_loc = newlocale(LC_CTYPE_MASK, "C.utf8", (locale_t)0);
}

locale_t fl_utf8_locale(void)
{
    pthread_once(&utf8_once, utf8_init);
    return utf8_loc;
}

uint32_t fl_tolower(uint32_t cp)
{
    if (cp < 0x80)
        return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
    locale_t loc = fl_utf8_locale();
    return loc ? (uint32_t)towlower_l((wint_t)cp, loc) : cp;
}

uint32_t fl_toupper(uint32_t cp)
{
    if (cp < 0x80)
        return cp >= 'a' && cp <= 'z' ? cp - 32 : cp;
    locale_t loc = fl_utf8_locale();
    return loc ? (uint32_t)towupper_l((wint_t)cp, loc) : cp;
}

bool fl_isalnum(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= '0' && cp <= '9') || ((cp | 32) >= 'a' && (cp | 32) <= 'z');
    locale_t loc = fl_utf8_locale();
    return loc ? iswalnum_l((wint_t)cp, loc) != 0 : false;
}

/* Case-maps s[0..n) into dst (room for n * 3 / 2 + 4 bytes: in C.UTF-8 no
 * mapping grows a character by more than one byte, and only two-byte ones
 * grow).  mode: 0 lower, 1 upper, 2 initcap.  Returns the bytes written. */
static size_t case_map(const char *s, size_t n, char *dst, int mode)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t o = 0;
    bool was_alnum = false;
    for (size_t i = 0; i < n;) {
        if (p[i] < 0x80) {
            uint8_t c = p[i++];
            bool up = mode == 1 || (mode == 2 && !was_alnum);
            if (mode == 2)
                was_alnum = (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z');
            if (up)
                c = c >= 'a' && c <= 'z' ? (uint8_t)(c - 32) : c;
            else
                c = c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
            dst[o++] = (char)c;
            continue;
        }
        uint32_t len;
        uint32_t cp = fl_utf8_decode(p + i, n - i, &len);
        if (len == 1) { /* invalid byte: copy */
            dst[o++] = (char)p[i++];
            was_alnum = false;
            continue;
        }
        bool up = mode == 1 || (mode == 2 && !was_alnum);
        if (mode == 2)
            was_alnum = fl_isalnum(cp);
        uint32_t m = up ? fl_toupper(cp) : fl_tolower(cp);
        if (m == 0 || m >= 0x110000 || (m >= 0xD800 && m < 0xE000))
            m = cp;
        o += fl_utf8_encode(m, dst + o);
        i += len;
    }
    return o;
}

size_t fl_lower_utf8(const char *s, size_t n, char *dst)
{
    return case_map(s, n, dst, 0);
}

/* ---- Helpers ------------------------------------------------------------------ */

static int err_too_large(TarnError *err)
{
    return fl_err(err, "54000", "requested length too large");
}

static int nomem(TarnError *err, size_t n)
{
    return ERR_NOMEM(err, n);
}

/* Byte offset of character k in s[0..n) (n when past the end), with a
 * fast path over ASCII runs. */
static size_t char_offset(const char *s, size_t n, int64_t k)
{
    if (k <= 0)
        return 0;
    const uint8_t *p = (const uint8_t *)s;
    size_t i = 0;
    while (k > 0 && i < n) {
        if (k >= 8 && i + 8 <= n) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (!(w & UINT64_C(0x8080808080808080))) {
                i += 8;
                k -= 8;
                continue;
            }
        }
        i += fl_utf8_seq(p + i, n - i);
        k--;
    }
    return i;
}

/* A set of characters (btrim's characters, translate's from-list). */
typedef struct CharSet {
    uint8_t ascii[32];   /* bitmap of single-byte members */
    const char *multi;   /* the set text, scanned for multibyte members */
    size_t multi_len;    /* 0 when the set is all ASCII */
} CharSet;

static void charset_build(CharSet *cs, StrView set)
{
    memset(cs->ascii, 0, sizeof cs->ascii);
    cs->multi = set.ptr;
    cs->multi_len = 0;
    const uint8_t *p = (const uint8_t *)set.ptr;
    for (size_t i = 0; i < set.len;) {
        uint32_t l = fl_utf8_seq(p + i, set.len - i);
        if (l == 1)
            cs->ascii[p[i] >> 3] |= (uint8_t)(1u << (p[i] & 7));
        else
            cs->multi_len = set.len;
        i += l;
    }
}

/* True when the character c[0..len) is in the set. */
static bool charset_has(const CharSet *cs, const uint8_t *c, uint32_t len)
{
    if (len == 1)
        return (cs->ascii[c[0] >> 3] >> (c[0] & 7)) & 1;
    const uint8_t *p = (const uint8_t *)cs->multi;
    for (size_t i = 0; i < cs->multi_len;) {
        uint32_t l = fl_utf8_seq(p + i, cs->multi_len - i);
        if (l == len && !memcmp(p + i, c, len))
            return true;
        i += l;
    }
    return false;
}

/* Start byte of the character that ends at s[end) (end > 0). */
static size_t char_start_before(const uint8_t *s, size_t end)
{
    size_t j = end - 1;
    size_t lim = end >= 4 ? end - 4 : 0;
    while (j > lim && (s[j] & 0xC0) == 0x80)
        j--;
    /* Accept only if the sequence at j really spans to end. */
    if (fl_utf8_seq(s + j, end - j) == end - j)
        return j;
    return end - 1;
}

static StrView trim_view(StrView s, const CharSet *cs, bool left, bool right)
{
    const uint8_t *p = (const uint8_t *)s.ptr;
    size_t b = 0, e = s.len;
    if (left) {
        while (b < e) {
            uint32_t l = fl_utf8_seq(p + b, e - b);
            if (!charset_has(cs, p + b, l))
                break;
            b += l;
        }
    }
    if (right) {
        while (e > b) {
            size_t st = char_start_before(p, e);
            if (st < b)
                st = e - 1;
            if (!charset_has(cs, p + st, (uint32_t)(e - st)))
                break;
            e = st;
        }
    }
    return fl_sv(s.ptr + b, e - b);
}

/* ---- length and friends -------------------------------------------------------- */

static int k_char_length(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows,
                         Vector *out, TarnError *err)
{
    const StrView *s = FL_CSTR(args[0]);
    int32_t *o = VEC_DATA(out, int32_t);
    for (uint32_t i = 0; i < n_rows; i++)
        o[i] = FUNC_ROW_VALID(out, i) ? (int32_t)fl_utf8_chars(s[i].ptr, s[i].len) : 0;
    out->len = n_rows;
    return 0;
}

static int k_octet_length(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows,
                          Vector *out, TarnError *err)
{
    const StrView *s = FL_CSTR(args[0]);
    int32_t *o = VEC_DATA(out, int32_t);
    for (uint32_t i = 0; i < n_rows; i++)
        o[i] = FUNC_ROW_VALID(out, i) ? (int32_t)s[i].len : 0;
    out->len = n_rows;
    return 0;
}

static int k_bit_length(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows,
                        Vector *out, TarnError *err)
{
    const StrView *s = FL_CSTR(args[0]);
    int32_t *o = VEC_DATA(out, int32_t);
    for (uint32_t i = 0; i < n_rows; i++)
        o[i] = FUNC_ROW_VALID(out, i) ? (int32_t)(s[i].len * 8u) : 0;
    out->len = n_rows;
    return 0;
}

/* ---- lower, upper, initcap -------------------------------------------------------- */

static int case_kernel(Vector **args, uint32_t n_rows, Vector *out, TarnError *err, int mode)
{
    const StrView *s = FL_CSTR(args[0]);
    StrView *o = FL_STR(out);
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!FUNC_ROW_VALID(out, i)) {
            o[i] = fl_sv(NULL, 0);
            continue;
        }
        size_t n = s[i].len;
        bool ascii = fl_is_ascii(s[i].ptr, n);
        size_t cap = ascii ? n : n + n / 2 + 4;
        char *d = fl_str_alloc(out, cap);
        if (!d)
            return nomem(err, cap);
        if (ascii && mode != 2) {
            /* the common case: one branch-free pass */
            const uint8_t *p = (const uint8_t *)s[i].ptr;
            if (mode == 0)
                for (size_t k = 0; k < n; k++)
                    d[k] = (char)(p[k] + ((uint8_t)(p[k] - 'A') < 26) * 32);
            else
                for (size_t k = 0; k < n; k++)
                    d[k] = (char)(p[k] - ((uint8_t)(p[k] - 'a') < 26) * 32);
            o[i] = fl_sv(d, n);
            continue;
        }
        o[i] = fl_sv(d, case_map(s[i].ptr, n, d, mode));
    }
    out->len = n_rows;
    return 0;
}

static int k_lower(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows, Vector *out,
                   TarnError *err)
{
    return case_kernel(args, n_rows, out, err, 0);
}

static int k_upper(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows, Vector *out,
                   TarnError *err)
{
    return case_kernel(args, n_rows, out, err, 1);
}

static int k_initcap(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows,
                     Vector *out, TarnError *err)
{
    return case_kernel(args, n_rows, out, err, 2);
}

/* ---- btrim, ltrim, rtrim ---------------------------------------------------------- */

static int trim_kernel(Vector **args, uint32_t n_args, uint32_t n_rows, Vector *out, bool left,
                       bool right)
{
    const Vector *a = args[0];
    const StrView *s = FL_CSTR(a);
    StrView *o = FL_STR(out);
    CharSet cs;
    const Vector *setv = n_args > 1 ? args[1] : NULL;
    bool set_const = !setv || setv->is_const;
    if (!setv)
        charset_build(&cs, fl_sv(" ", 1));
    else if (setv->is_const && vec_is_valid(setv, 0))
        charset_build(&cs, FL_CSTR(setv)[0]);
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!FUNC_ROW_VALID(out, i)) {
            o[i] = fl_sv(NULL, 0);
            continue;
        }
        if (!set_const)
            charset_build(&cs, FL_CSTR(setv)[i]);
        o[i] = trim_view(s[FUNC_IDX(a, i)], &cs, left, right);
    }
    out->len = n_rows;
    return 0;
}

static int k_btrim(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows, Vector *out,
                   TarnError *err)
{
    return trim_kernel(args, n_args, n_rows, out, true, true);
}

static int k_ltrim(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows, Vector *out,
                   TarnError *err)
{
    return trim_kernel(args, n_args, n_rows, out, true, false);
}

static int k_rtrim(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows, Vector *out,
                   TarnError *err)
{
    return trim_kernel(args, n_args, n_rows, out, false, true);
}

/* ---- lpad, rpad ---------------------------------------------------------------------- */

static int pad_kernel(Vector **args, uint32_t n_args, uint32_t n_rows, Vector *out,
                      TarnError *err, bool left)
{
    const Vector *a = args[0], *lv = args[1], *fv = n_args > 2 ? args[2] : NULL;
    const StrView *s = FL_CSTR(a);
    const int32_t *lens = VEC_DATA(lv, int32_t);
    StrView *o = FL_STR(out);
    StrView space = fl_sv(" ", 1);
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!FUNC_ROW_VALID(out, i)) {
            o[i] = fl_sv(NULL, 0);
            continue;
        }
        StrView str = s[FUNC_IDX(a, i)];
        StrView fill = fv ? FL_CSTR(fv)[FUNC_IDX(fv, i)] : space;
        int64_t len = lens[FUNC_IDX(lv, i)];
        if (len < 0)
            len = 0;
        size_t str_bytes = char_offset(str.ptr, str.len, len); /* truncated to len chars */
        int64_t str_chars = str_bytes == str.len ? fl_utf8_chars(str.ptr, str.len) : len;
        if (fill.len == 0)
            len = str_chars;
        if (len * 4 > PG_MAX_ALLOC - 4)
            return err_too_large(err);
        int64_t pad_chars = len - str_chars;
        /* Bytes of the padding: whole fill strings plus a prefix. */
        int64_t fill_chars = fill.len ? fl_utf8_chars(fill.ptr, fill.len) : 1;
        int64_t whole = fill.len ? pad_chars / fill_chars : 0;
        int64_t rest = fill.len ? pad_chars % fill_chars : 0;
        size_t rest_bytes = char_offset(fill.ptr, fill.len, rest);
        size_t total = str_bytes + (size_t)whole * fill.len + rest_bytes;
        if (pad_chars <= 0) {
            o[i] = fl_sv(str.ptr, str_bytes);
            continue;
        }
        char *d = fl_str_alloc(out, total);
        if (!d)
            return nomem(err, total);
        size_t p = 0;
        if (!left) {
            memcpy(d, str.ptr, str_bytes);
            p = str_bytes;
        }
        for (int64_t k = 0; k < whole; k++, p += fill.len)
            memcpy(d + p, fill.ptr, fill.len);
        memcpy(d + p, fill.ptr, rest_bytes);
        p += rest_bytes;
        if (left) {
            memcpy(d + p, str.ptr, str_bytes);
            p += str_bytes;
        }
        o[i] = fl_sv(d, p);
    }
    out->len = n_rows;
    return 0;
}

static int k_lpad(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows, Vector *out,
                  TarnError *err)
{
    return pad_kernel(args, n_args, n_rows, out, err, true);
}

static int k_rpad(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows, Vector *out,
                  TarnError *err)
{
    return pad_kernel(args, n_args, n_rows, out, err, false);
}

/* ---- substr, left, right, overlay ---------------------------------------------------- */

/* PostgreSQL's text_substring: characters [start, start + count) clipped
 * to [1, len]; count < 0 means "to the end" (the 2-argument form). */
static StrView substr_view(StrView s, int64_t start, int64_t count)
{
    int64_t first = start < 1 ? 1 : start;
    if (count >= 0) {
        int64_t end = start + count; /* exclusive */
        if (end <= first)
            return fl_sv(s.ptr, 0);
        size_t b = char_offset(s.ptr, s.len, first - 1);
        size_t e = b + char_offset(s.ptr + b, s.len - b, end - first);
        return fl_sv(s.ptr + b, e - b);
    }
    size_t b = char_offset(s.ptr, s.len, first - 1);
    return fl_sv(s.ptr + b, s.len - b);
}

static int k_substr(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows, Vector *out,
                    TarnError *err)
{
    const Vector *a = args[0], *sv = args[1], *cv = n_args > 2 ? args[2] : NULL;
    const StrView *s = FL_CSTR(a);
    const int32_t *st = VEC_DATA(sv, int32_t);
    StrView *o = FL_STR(out);
    bool bytes = a->type->id == TYPE_BLOB;
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!FUNC_ROW_VALID(out, i)) {
            o[i] = fl_sv(NULL, 0);
            continue;
        }
        int64_t count = -1;
        if (cv) {
            count = VEC_DATA(cv, int32_t)[FUNC_IDX(cv, i)];
            if (count < 0)
                return fl_err(err, "22011", "negative substring length not allowed");
        }
        StrView str = s[FUNC_IDX(a, i)];
        int64_t start = st[FUNC_IDX(sv, i)];
        if (bytes) {
            int64_t first = start < 1 ? 1 : start;
            int64_t end = count >= 0 ? start + count : (int64_t)str.len + 1;
            if (end > (int64_t)str.len + 1)
                end = (int64_t)str.len + 1;
            o[i] = end <= first ? fl_sv(str.ptr, 0)
                                : fl_sv(str.ptr + first - 1, (size_t)(end - first));
        } else {
            o[i] = substr_view(str, start, count);
        }
    }
    out->len = n_rows;
    return 0;
}

static int k_left(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows, Vector *out,
                  TarnError *err)
{
    const Vector *a = args[0], *nv = args[1];
    const StrView *s = FL_CSTR(a);
    const int32_t *nn = VEC_DATA(nv, int32_t);
    StrView *o = FL_STR(out);
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!FUNC_ROW_VALID(out, i)) {
            o[i] = fl_sv(NULL, 0);
            continue;
        }
        StrView str = s[FUNC_IDX(a, i)];
        int64_t n = nn[FUNC_IDX(nv, i)];
        if (n < 0)
            n = (int64_t)fl_utf8_chars(str.ptr, str.len) + n;
        o[i] = fl_sv(str.ptr, n <= 0 ? 0 : char_offset(str.ptr, str.len, n));
    }
    out->len = n_rows;
    return 0;
}

static int k_right(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows, Vector *out,
                   TarnError *err)
{
    const Vector *a = args[0], *nv = args[1];
    const StrView *s = FL_CSTR(a);
    const int32_t *nn = VEC_DATA(nv, int32_t);
    StrView *o = FL_STR(out);
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!FUNC_ROW_VALID(out, i)) {
            o[i] = fl_sv(NULL, 0);
            continue;
        }
        StrView str = s[FUNC_IDX(a, i)];
        int64_t n = nn[FUNC_IDX(nv, i)];
        int64_t chars = fl_utf8_chars(str.ptr, str.len);
        int64_t skip = n < 0 ? -n : chars - n;
        if (skip < 0)
            skip = 0;
        size_t b = char_offset(str.ptr, str.len, skip);
        o[i] = fl_sv(str.ptr + b, str.len - b);
    }
    out->len = n_rows;
    return 0;
}

/* overlay(t1 placing t2 from sp [for sl]) = substr(t1, 1, sp - 1) || t2 ||
 * substr(t1, sp + sl). */
static int k_overlay(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows,
                     Vector *out, TarnError *err)
{
    StrView *o = FL_STR(out);
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!FUNC_ROW_VALID(out, i)) {
            o[i] = fl_sv(NULL, 0);
            continue;
        }
        StrView t1 = FL_CSTR(args[0])[FUNC_IDX(args[0], i)];
        StrView t2 = FL_CSTR(args[1])[FUNC_IDX(args[1], i)];
        int64_t sp = VEC_DATA(args[2], int32_t)[FUNC_IDX(args[2], i)];
        int64_t sl = n_args > 3 ? VEC_DATA(args[3], int32_t)[FUNC_IDX(args[3], i)]
                                : (int64_t)fl_utf8_chars(t2.ptr, t2.len);
        if (sp <= 0 || sl < 0)
            return fl_err(err, "22011", "negative substring length not allowed");
        StrView head = substr_view(t1, 1, sp - 1);
        StrView tail = substr_view(t1, sp + sl, -1);
        size_t total = head.len + t2.len + tail.len;
        char *d = fl_str_alloc(out, total);
        if (!d)
            return nomem(err, total);
        memcpy(d, head.ptr, head.len);
        memcpy(d + head.len, t2.ptr, t2.len);
        memcpy(d + head.len + t2.len, tail.ptr, tail.len);
        o[i] = fl_sv(d, total);
    }
    out->len = n_rows;
    return 0;
}

/* ---- position, strpos, starts_with ---------------------------------------------------- */

static int k_strpos(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows, Vector *out,
                    TarnError *err)
{
    const Vector *a = args[0], *b = args[1];
    int32_t *o = VEC_DATA(out, int32_t);
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!FUNC_ROW_VALID(out, i)) {
            o[i] = 0;
            continue;
        }
        StrView h = FL_CSTR(a)[FUNC_IDX(a, i)], nd = FL_CSTR(b)[FUNC_IDX(b, i)];
        if (nd.len == 0) {
            o[i] = 1;
            continue;
        }
        const char *f = h.len >= nd.len ? memmem(h.ptr, h.len, nd.ptr, nd.len) : NULL;
        o[i] = f ? (int32_t)fl_utf8_chars(h.ptr, (size_t)(f - h.ptr)) + 1 : 0;
    }
    out->len = n_rows;
    return 0;
}

static int k_starts_with(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows,
                         Vector *out, TarnError *err)
{
    const Vector *a = args[0], *b = args[1];
    uint8_t *o = out->data;
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!FUNC_ROW_VALID(out, i)) {
            o[i] = 0;
            continue;
        }
        StrView s = FL_CSTR(a)[FUNC_IDX(a, i)], p = FL_CSTR(b)[FUNC_IDX(b, i)];
        o[i] = p.len <= s.len && !memcmp(s.ptr, p.ptr, p.len);
    }
    out->len = n_rows;
    return 0;
}

/* ---- split_part, replace, translate ------------------------------------------------------ */

static int k_split_part(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows,
                        Vector *out, TarnError *err)
{
    const Vector *a = args[0], *dv = args[1], *nv = args[2];
    StrView *o = FL_STR(out);
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!FUNC_ROW_VALID(out, i)) {
            o[i] = fl_sv(NULL, 0);
            continue;
        }
        StrView s = FL_CSTR(a)[FUNC_IDX(a, i)], d = FL_CSTR(dv)[FUNC_IDX(dv, i)];
        int64_t n = VEC_DATA(nv, int32_t)[FUNC_IDX(nv, i)];
        if (n == 0)
            return fl_err(err, "22023", "field position must not be zero");
        if (s.len == 0) {
            o[i] = fl_sv(s.ptr, 0);
            continue;
        }
        if (d.len == 0) { /* the whole string is the only field */
            o[i] = n == 1 || n == -1 ? s : fl_sv(s.ptr, 0);
            continue;
        }
        if (n < 0) {
            /* Count the fields, then take field count + n + 1. */
            int64_t fields = 1;
            for (const char *p = s.ptr, *end = s.ptr + s.len;;) {
                const char *f = (size_t)(end - p) >= d.len ? memmem(p, (size_t)(end - p), d.ptr, d.len) : NULL;
                if (!f)
                    break;
                fields++;
                p = f + d.len;
            }
            n = fields + n + 1;
            if (n <= 0) {
                o[i] = fl_sv(s.ptr, 0);
                continue;
            }
        }
        const char *p = s.ptr, *end = s.ptr + s.len;
        bool found = true;
        for (int64_t k = 1; k < n; k++) {
            const char *f = (size_t)(end - p) >= d.len ? memmem(p, (size_t)(end - p), d.ptr, d.len) : NULL;
            if (!f) {
                found = false;
                break;
            }
            p = f + d.len;
        }
        if (!found) {
            o[i] = fl_sv(s.ptr, 0);
            continue;
        }
        const char *f = (size_t)(end - p) >= d.len ? memmem(p, (size_t)(end - p), d.ptr, d.len) : NULL;
        o[i] = fl_sv(p, (size_t)((f ? f : end) - p));
    }
    out->len = n_rows;
    return 0;
}

static int k_replace(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows,
                     Vector *out, TarnError *err)
{
    StrView *o = FL_STR(out);
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!FUNC_ROW_VALID(out, i)) {
            o[i] = fl_sv(NULL, 0);
            continue;
        }
        StrView s = FL_CSTR(args[0])[FUNC_IDX(args[0], i)];
        StrView from = FL_CSTR(args[1])[FUNC_IDX(args[1], i)];
        StrView to = FL_CSTR(args[2])[FUNC_IDX(args[2], i)];
        if (from.len == 0 || s.len < from.len) {
            o[i] = s;
            continue;
        }
        const char *end = s.ptr + s.len;
        size_t hits = 0;
        for (const char *p = s.ptr;;) {
            const char *f = (size_t)(end - p) >= from.len ? memmem(p, (size_t)(end - p), from.ptr, from.len) : NULL;
            if (!f)
                break;
            hits++;
            p = f + from.len;
        }
        if (!hits) {
            o[i] = s;
            continue;
        }
        int64_t total = (int64_t)s.len + (int64_t)hits * ((int64_t)to.len - (int64_t)from.len);
        if (total > PG_MAX_ALLOC)
            return err_too_large(err);
        char *d = fl_str_alloc(out, (size_t)total);
        if (!d)
            return nomem(err, (size_t)total);
        size_t w = 0;
        for (const char *p = s.ptr;;) {
            const char *f = (size_t)(end - p) >= from.len ? memmem(p, (size_t)(end - p), from.ptr, from.len) : NULL;
            if (!f) {
                memcpy(d + w, p, (size_t)(end - p));
                w += (size_t)(end - p);
                break;
            }
            memcpy(d + w, p, (size_t)(f - p));
            w += (size_t)(f - p);
            memcpy(d + w, to.ptr, to.len);
            w += to.len;
            p = f + from.len;
        }
        o[i] = fl_sv(d, w);
    }
    out->len = n_rows;
    return 0;
}

static int k_translate(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows,
                       Vector *out, TarnError *err)
{
    StrView *o = FL_STR(out);
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!FUNC_ROW_VALID(out, i)) {
            o[i] = fl_sv(NULL, 0);
            continue;
        }
        StrView s = FL_CSTR(args[0])[FUNC_IDX(args[0], i)];
        StrView from = FL_CSTR(args[1])[FUNC_IDX(args[1], i)];
        StrView to = FL_CSTR(args[2])[FUNC_IDX(args[2], i)];
        /* Each source character becomes at most one character of `to`
         * (at most 4 bytes) or nothing. */
        size_t cap = (size_t)s.len * 4;
        char *d = fl_str_alloc(out, cap);
        if (!d)
            return nomem(err, cap);
        const uint8_t *p = (const uint8_t *)s.ptr, *fp = (const uint8_t *)from.ptr;
        size_t w = 0;
        for (size_t j = 0; j < s.len;) {
            uint32_t l = fl_utf8_seq(p + j, s.len - j);
            /* Find the character in from. */
            int64_t idx = -1, k = 0;
            for (size_t q = 0; q < from.len; k++) {
                uint32_t fl = fl_utf8_seq(fp + q, from.len - q);
                if (fl == l && !memcmp(fp + q, p + j, l)) {
                    idx = k;
                    break;
                }
                q += fl;
            }
            if (idx < 0) {
                memcpy(d + w, p + j, l);
                w += l;
            } else {
                size_t tb = char_offset(to.ptr, to.len, idx);
                if (tb < to.len) {
                    uint32_t tl = fl_utf8_seq((const uint8_t *)to.ptr + tb, to.len - tb);
                    memcpy(d + w, to.ptr + tb, tl);
                    w += tl;
                }
            }
            j += l;
        }
        o[i] = fl_sv(d, w);
    }
    out->len = n_rows;
    return 0;
}

/* ---- repeat, reverse, ascii, chr, to_hex --------------------------------------------------- */

static int k_repeat(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows, Vector *out,
                    TarnError *err)
{
    const Vector *a = args[0], *nv = args[1];
    StrView *o = FL_STR(out);
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!FUNC_ROW_VALID(out, i)) {
            o[i] = fl_sv(NULL, 0);
            continue;
        }
        StrView s = FL_CSTR(a)[FUNC_IDX(a, i)];
        int64_t n = VEC_DATA(nv, int32_t)[FUNC_IDX(nv, i)];
        if (n <= 0 || s.len == 0) {
            o[i] = fl_sv(s.ptr, 0);
            continue;
        }
        int64_t total = n * (int64_t)s.len;
        if (total + 4 > INT32_MAX || total > PG_MAX_ALLOC - 4)
            return err_too_large(err);
        char *d = fl_str_alloc(out, (size_t)total);
        if (!d)
            return nomem(err, (size_t)total);
        for (int64_t k = 0; k < n; k++)
            memcpy(d + k * s.len, s.ptr, s.len);
        o[i] = fl_sv(d, (size_t)total);
    }
    out->len = n_rows;
    return 0;
}

static int k_reverse(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows,
                     Vector *out, TarnError *err)
{
    const StrView *s = FL_CSTR(args[0]);
    StrView *o = FL_STR(out);
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!FUNC_ROW_VALID(out, i)) {
            o[i] = fl_sv(NULL, 0);
            continue;
        }
        size_t n = s[i].len;
        char *d = fl_str_alloc(out, n);
        if (!d)
            return nomem(err, n);
        const uint8_t *p = (const uint8_t *)s[i].ptr;
        for (size_t j = 0; j < n;) {
            uint32_t l = fl_utf8_seq(p + j, n - j);
            memcpy(d + n - j - l, p + j, l);
            j += l;
        }
        o[i] = fl_sv(d, n);
    }
    out->len = n_rows;
    return 0;
}

static int k_ascii(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows, Vector *out,
                   TarnError *err)
{
    const StrView *s = FL_CSTR(args[0]);
    int32_t *o = VEC_DATA(out, int32_t);
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!FUNC_ROW_VALID(out, i) || s[i].len == 0) {
            o[i] = 0;
            continue;
        }
        uint32_t l;
        o[i] = (int32_t)fl_utf8_decode((const uint8_t *)s[i].ptr, s[i].len, &l);
    }
    out->len = n_rows;
    return 0;
}

static int k_chr(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows, Vector *out,
                 TarnError *err)
{
    const int32_t *c = VEC_DATA(args[0], int32_t);
    StrView *o = FL_STR(out);
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!FUNC_ROW_VALID(out, i)) {
            o[i] = fl_sv(NULL, 0);
            continue;
        }
        int32_t cp = c[i];
        if (cp < 0)
            return fl_err(err, "22023", "character number must be positive");
        if (cp == 0)
            return fl_err(err, "54000", "null character not permitted");
        if (cp >= 0x110000)
            return err_set_state(err, TARN_ERR_INVALID, "54000",
                                 "requested character too large for encoding: %d", cp);
        if (cp >= 0xD800 && cp < 0xE000)
            return err_set_state(err, TARN_ERR_INVALID, "54000",
                                 "requested character not valid for encoding: %d", cp);
        char *d = fl_str_alloc(out, 4);
        if (!d)
            return nomem(err, 4);
        o[i] = fl_sv(d, fl_utf8_encode((uint32_t)cp, d));
    }
    out->len = n_rows;
    return 0;
}

static int k_to_hex(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows, Vector *out,
                    TarnError *err)
{
    static const char hex[] = "0123456789abcdef";
    const Vector *a = args[0];
    bool wide = a->type->id == TYPE_INT64;
    StrView *o = FL_STR(out);
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!FUNC_ROW_VALID(out, i)) {
            o[i] = fl_sv(NULL, 0);
            continue;
        }
        uint64_t v = wide ? (uint64_t)VEC_DATA(a, int64_t)[i]
                          : (uint64_t)(uint32_t)VEC_DATA(a, int32_t)[i];
        char tmp[16];
        int k = 16;
        do {
            tmp[--k] = hex[v & 15];
            v >>= 4;
        } while (v);
        char *d = fl_str_alloc(out, (size_t)(16 - k));
        if (!d)
            return nomem(err, 16);
        memcpy(d, tmp + k, (size_t)(16 - k));
        o[i] = fl_sv(d, (size_t)(16 - k));
    }
    out->len = n_rows;
    return 0;
}

/* ---- concat, concat_ws, || -------------------------------------------------------------- */

/* Appends the text form of row i of v (PostgreSQL's output function). */
static int append_text(Buf *b, const Vector *v, uint32_t i)
{
    uint32_t k = FUNC_IDX(v, i);
    TypeId t = v->type->id;
    if (t == TYPE_STRING || t == TYPE_JSON) {
        StrView s = FL_CSTR(v)[k];
        return buf_append(b, s.ptr, s.len);
    }
    return value_format_text(v, k, b);
}

static int finish_buf(Vector *out, uint32_t i, Buf *b, TarnError *err)
{
    StrView sv;
    if (vec_str_copy(out, (const char *)b->data, b->len, &sv))
        return nomem(err, b->len);
    FL_STR(out)[i] = sv;
    return 0;
}

static int k_concat(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows, Vector *out,
                    TarnError *err)
{
    Buf b;
    buf_init(&b);
    int rc = 0;
    if (out->validity)
        memset(out->validity, 0xFF, (n_rows + 7) / 8);
    for (uint32_t i = 0; i < n_rows && !rc; i++) {
        buf_clear(&b);
        for (uint32_t k = 0; k < n_args && !rc; k++)
            if (fl_arg_valid(args[k], i) && append_text(&b, args[k], i))
                rc = nomem(err, b.len);
        if (!rc)
            rc = finish_buf(out, i, &b, err);
    }
    buf_free(&b);
    out->len = n_rows;
    return rc;
}

static int k_concat_ws(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows,
                       Vector *out, TarnError *err)
{
    Buf b;
    buf_init(&b);
    int rc = 0;
    const Vector *sepv = args[0];
    if (out->validity)
        memset(out->validity, 0xFF, (n_rows + 7) / 8);
    for (uint32_t i = 0; i < n_rows && !rc; i++) {
        if (!fl_arg_valid(sepv, i)) {
            FL_STR(out)[i] = fl_sv(NULL, 0);
            rc = fl_set_null(out, i, err);
            continue;
        }
        StrView sep = FL_CSTR(sepv)[FUNC_IDX(sepv, i)];
        buf_clear(&b);
        bool first = true;
        for (uint32_t k = 1; k < n_args && !rc; k++) {
            if (!fl_arg_valid(args[k], i))
                continue;
            if (!first && buf_append(&b, sep.ptr, sep.len))
                rc = nomem(err, b.len);
            first = false;
            if (!rc && append_text(&b, args[k], i))
                rc = nomem(err, b.len);
        }
        if (!rc)
            rc = finish_buf(out, i, &b, err);
    }
    buf_free(&b);
    out->len = n_rows;
    return rc;
}

/* text || text (textcat): strict. */
static int k_textcat(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows,
                     Vector *out, TarnError *err)
{
    const Vector *a = args[0], *b = args[1];
    StrView *o = FL_STR(out);
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!FUNC_ROW_VALID(out, i)) {
            o[i] = fl_sv(NULL, 0);
            continue;
        }
        StrView x = FL_CSTR(a)[FUNC_IDX(a, i)], y = FL_CSTR(b)[FUNC_IDX(b, i)];
        if (y.len == 0) {
            o[i] = x;
            continue;
        }
        if (x.len == 0) {
            o[i] = y;
            continue;
        }
        size_t n = (size_t)x.len + y.len;
        if (n > (size_t)PG_MAX_ALLOC)
            return err_too_large(err);
        char *d = fl_str_alloc(out, n);
        if (!d)
            return nomem(err, n);
        memcpy(d, x.ptr, x.len);
        memcpy(d + x.len, y.ptr, y.len);
        o[i] = fl_sv(d, n);
    }
    out->len = n_rows;
    return 0;
}

/* ---- quote_ident, quote_literal, quote_nullable, format ------------------------------------ */

/* PostgreSQL 15's keywords that are not "unreserved" (pg_get_keywords()
 * catcode <> 'U'): quote_ident must quote them.  Sorted. */
static const char *const pg_keywords[] = {
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric",
    "authorization", "between", "bigint", "binary", "bit", "boolean", "both", "case", "cast",
    "char", "character", "check", "coalesce", "collate", "collation", "column", "concurrently",
    "constraint", "create", "cross", "current_catalog", "current_date", "current_role",
    "current_schema", "current_time", "current_timestamp", "current_user", "dec", "decimal",
    "default", "deferrable", "desc", "distinct", "do", "else", "end", "except", "exists",
    "extract", "false", "fetch", "float", "for", "foreign", "freeze", "from", "full", "grant",
    "greatest", "group", "grouping", "having", "ilike", "in", "initially", "inner", "inout",
    "int", "integer", "intersect", "interval", "into", "is", "isnull", "join", "lateral",
    "leading", "least", "left", "like", "limit", "localtime", "localtimestamp", "national",
    "natural", "nchar", "none", "normalize", "not", "notnull", "null", "nullif", "numeric",
    "offset", "on", "only", "or", "order", "out", "outer", "overlaps", "overlay", "placing",
    "position", "precision", "primary", "real", "references", "returning", "right", "row",
    "select", "session_user", "setof", "similar", "smallint", "some", "substring", "symmetric",
    "table", "tablesample", "then", "time", "timestamp", "to", "trailing", "treat", "trim",
    "true", "union", "unique", "user", "using", "values", "varchar", "variadic", "verbose",
    "when", "where", "window", "with", "xmlattributes", "xmlconcat", "xmlelement", "xmlexists",
    "xmlforest", "xmlnamespaces", "xmlparse", "xmlpi", "xmlroot", "xmlserialize", "xmltable",
};

static bool is_keyword(const char *s, size_t n)
{
    if (n == 0 || n > 20)
        return false;
    char w[24];
    memcpy(w, s, n);
    w[n] = '\0';
    size_t lo = 0, hi = sizeof pg_keywords / sizeof pg_keywords[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(pg_keywords[mid], w);
        if (!c)
            return true;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* PostgreSQL's quote_identifier: quotes unless the name is lower-case
 * letters, digits and underscores, not starting with a digit, and not a
 * keyword. */
static int append_ident(Buf *b, StrView s)
{
    bool safe = s.len > 0 && ((s.ptr[0] >= 'a' && s.ptr[0] <= 'z') || s.ptr[0] == '_');
    for (uint32_t k = 0; k < s.len && safe; k++) {
        char c = s.ptr[k];
        safe = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    }
    if (safe && !is_keyword(s.ptr, s.len))
        return buf_append(b, s.ptr, s.len);
    if (buf_append_byte(b, '"'))
        return TARN_ERR_NOMEM;
    for (uint32_t k = 0; k < s.len; k++) {
        if (s.ptr[k] == '"' && buf_append_byte(b, '"'))
            return TARN_ERR_NOMEM;
        if (buf_append_byte(b, (uint8_t)s.ptr[k]))
            return TARN_ERR_NOMEM;
    }
    return buf_append_byte(b, '"');
}

/* PostgreSQL's quote_literal: E'...' when there is a backslash. */
static int append_literal(Buf *b, const char *s, size_t n)
{
    if (memchr(s, '\\', n) && buf_append_byte(b, 'E'))
        return TARN_ERR_NOMEM;
    if (buf_append_byte(b, '\''))
        return TARN_ERR_NOMEM;
    for (size_t k = 0; k < n; k++) {
        if ((s[k] == '\'' || s[k] == '\\') && buf_append_byte(b, (uint8_t)s[k]))
            return TARN_ERR_NOMEM;
        if (buf_append_byte(b, (uint8_t)s[k]))
            return TARN_ERR_NOMEM;
    }
    return buf_append_byte(b, '\'');
}

static int k_quote_ident(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows,
                         Vector *out, TarnError *err)
{
    Buf b;
    buf_init(&b);
    int rc = 0;
    for (uint32_t i = 0; i < n_rows && !rc; i++) {
        if (!FUNC_ROW_VALID(out, i)) {
            FL_STR(out)[i] = fl_sv(NULL, 0);
            continue;
        }
        buf_clear(&b);
        rc = append_ident(&b, FL_CSTR(args[0])[i]) ? nomem(err, b.len)
                                                    : finish_buf(out, i, &b, err);
    }
    buf_free(&b);
    out->len = n_rows;
    return rc;
}

/* quote_literal (strict) and quote_nullable (NULL gives the text NULL). */
static int quote_kernel(Vector **args, uint32_t n_rows, Vector *out, TarnError *err,
                        bool nullable)
{
    Buf b, t;
    buf_init(&b);
    buf_init(&t);
    int rc = 0;
    const Vector *a = args[0];
    if (nullable && out->validity)
        memset(out->validity, 0xFF, (n_rows + 7) / 8);
    for (uint32_t i = 0; i < n_rows && !rc; i++) {
        bool valid = nullable ? fl_arg_valid(a, i) : FUNC_ROW_VALID(out, i);
        if (!valid && !nullable) {
            FL_STR(out)[i] = fl_sv(NULL, 0);
            continue;
        }
        buf_clear(&b);
        buf_clear(&t);
        if (!valid) {
            rc = buf_append(&b, "NULL", 4);
        } else {
            rc = append_text(&t, a, i);
            if (!rc)
                rc = append_literal(&b, (const char *)t.data, t.len);
        }
        rc = rc ? nomem(err, b.len) : finish_buf(out, i, &b, err);
    }
    buf_free(&b);
    buf_free(&t);
    out->len = n_rows;
    return rc;
}

static int k_quote_literal(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows,
                           Vector *out, TarnError *err)
{
    return quote_kernel(args, n_rows, out, err, false);
}

static int k_quote_nullable(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows,
                            Vector *out, TarnError *err)
{
    return quote_kernel(args, n_rows, out, err, true);
}

/* format(fmt, args...): PostgreSQL's text_format with %s, %I, %L, %%,
 * positions (%2$s), the '-' flag and widths (also * and *n$). */
static int format_row(Vector **args, uint32_t n_args, uint32_t i, Buf *b, Buf *t,
                      TarnError *err)
{
    StrView f = FL_CSTR(args[0])[FUNC_IDX(args[0], i)];
    const char *p = f.ptr, *end = f.ptr + f.len;
    uint32_t next_arg = 1; /* args[1] is the first value */
    while (p < end) {
        const char *pct = memchr(p, '%', (size_t)(end - p));
        if (!pct) {
            if (buf_append(b, p, (size_t)(end - p)))
                return nomem(err, b->len);
            break;
        }
        if (buf_append(b, p, (size_t)(pct - p)))
            return nomem(err, b->len);
        p = pct + 1;
        if (p >= end)
            return fl_err(err, "22023", "unterminated format() type specifier");
        if (*p == '%') {
            if (buf_append_byte(b, '%'))
                return nomem(err, b->len);
            p++;
            continue;
        }
        /* [n$][-][width|*|*n$]type */
        int64_t argpos = -1, width = 0;
        bool left = false;
        const char *q = p;
        int64_t num = 0;
        bool have_num = false;
        while (q < end && *q >= '0' && *q <= '9') {
            num = num * 10 + (*q - '0');
            if (num > INT32_MAX)
                return fl_err(err, "22023", "number is out of range");
            q++;
            have_num = true;
        }
        if (have_num && q < end && *q == '$') {
            if (num == 0)
                return fl_err(err, "22023", "format specifies argument 0, but arguments are numbered from 1");
            argpos = num;
            p = q + 1;
        }
        if (p < end && *p == '-') {
            left = true;
            p++;
        }
        if (p < end && *p == '*') {
            p++;
            int64_t wpos = -1;
            num = 0;
            have_num = false;
            q = p;
            while (q < end && *q >= '0' && *q <= '9') {
                num = num * 10 + (*q - '0');
                if (num > INT32_MAX)
                    return fl_err(err, "22023", "number is out of range");
                q++;
                have_num = true;
            }
            if (have_num && q < end && *q == '$') {
                if (num == 0)
                    return fl_err(err, "22023", "format specifies argument 0, but arguments are numbered from 1");
                wpos = num;
                p = q + 1;
            }
            uint32_t wk = wpos > 0 ? (uint32_t)wpos : next_arg++;
            if (wpos > 0)
                next_arg = (uint32_t)wpos + 1;
            if (wk >= n_args)
                return fl_err(err, "22023", "too few arguments for format()");
            const Vector *wv = args[wk];
            if (fl_arg_valid(wv, i)) {
                uint32_t wi = FUNC_IDX(wv, i);
                switch (wv->type->id) {
                case TYPE_INT16: width = VEC_DATA(wv, int16_t)[wi]; break;
                case TYPE_INT32: width = VEC_DATA(wv, int32_t)[wi]; break;
                case TYPE_INT64: width = VEC_DATA(wv, int64_t)[wi]; break;
                default:
                    return fl_err(err, "22023", "width argument must be of type integer");
                }
                if (width < 0) {
                    left = true;
                    width = -width;
                }
            }
        } else {
            while (p < end && *p >= '0' && *p <= '9') {
                width = width * 10 + (*p - '0');
                if (width > INT32_MAX)
                    return fl_err(err, "22023", "number is out of range");
                p++;
            }
        }
        if (p >= end)
            return fl_err(err, "22023", "unterminated format() type specifier");
        char type = *p++;
        if (type != 's' && type != 'I' && type != 'L') {
            err_set_state(err, TARN_ERR_INVALID, "22023",
                          "unrecognized format() type specifier \"%c\"", type);
            err_hint(err, "For a single \"%%\" use \"%%%%\".");
            return TARN_ERR_INVALID;
        }
        uint32_t k = argpos > 0 ? (uint32_t)argpos : next_arg;
        if (argpos > 0 && (int64_t)n_args <= argpos)
            return fl_err(err, "22023", "too few arguments for format()");
        next_arg = k + 1;
        if (k >= n_args)
            return fl_err(err, "22023", "too few arguments for format()");
        const Vector *v = args[k];
        bool valid = fl_arg_valid(v, i);
        buf_clear(t);
        int rc = 0;
        if (!valid) {
            if (type == 'I')
                return fl_err(err, "22004", "null values cannot be formatted as an SQL identifier");
            if (type == 'L')
                rc = buf_append(t, "NULL", 4);
        } else {
            Buf raw;
            buf_init(&raw);
            rc = append_text(&raw, v, i);
            if (!rc) {
                if (type == 's')
                    rc = buf_append(t, raw.data, raw.len);
                else if (type == 'I')
                    rc = append_ident(t, fl_sv((const char *)raw.data, raw.len));
                else
                    rc = append_literal(t, (const char *)raw.data, raw.len);
            }
            buf_free(&raw);
        }
        if (rc)
            return nomem(err, t->len);
        int64_t chars = width ? fl_utf8_chars((const char *)t->data, t->len) : 0;
        int64_t pad = width > chars ? width - chars : 0;
        if (pad + (int64_t)b->len > PG_MAX_ALLOC)
            return err_too_large(err);
        if (!left)
            for (int64_t z = 0; z < pad; z++)
                if (buf_append_byte(b, ' '))
                    return nomem(err, b->len);
        if (buf_append(b, t->data, t->len))
            return nomem(err, b->len);
        if (left)
            for (int64_t z = 0; z < pad; z++)
                if (buf_append_byte(b, ' '))
                    return nomem(err, b->len);
    }
    return 0;
}

static int k_format(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows, Vector *out,
                    TarnError *err)
{
    Buf b, t;
    buf_init(&b);
    buf_init(&t);
    int rc = 0;
    if (out->validity)
        memset(out->validity, 0xFF, (n_rows + 7) / 8);
    for (uint32_t i = 0; i < n_rows && !rc; i++) {
        if (!fl_arg_valid(args[0], i)) {
            FL_STR(out)[i] = fl_sv(NULL, 0);
            rc = fl_set_null(out, i, err);
            continue;
        }
        buf_clear(&b);
        rc = format_row(args, n_args, i, &b, &t, err);
        if (!rc)
            rc = finish_buf(out, i, &b, err);
    }
    buf_free(&b);
    buf_free(&t);
    out->len = n_rows;
    return rc;
}

/* ---- Registry -------------------------------------------------------------------------------- */

#define S TYPE_STRING
#define I4 TYPE_INT32
#define STRICT_C (FUNC_STRICT | FUNC_CONST_ARGS)

/* PostgreSQL's VARIADIC needs at least one variadic argument: the
 * variadic type is listed twice (FUNC_VARIADIC repeats the last 0+ times). */

const FuncDef func_defs_string[] = {
    {.name = "length", .kind = FUNC_SCALAR, .n_args = 1, .args = {S}, .ret = I4,
     .flags = FUNC_STRICT | FUNC_NO_ERRORS, .scalar = k_char_length, .doc = "number of characters"},
    {.name = "char_length", .kind = FUNC_SCALAR, .n_args = 1, .args = {S}, .ret = I4,
     .flags = FUNC_STRICT | FUNC_NO_ERRORS, .scalar = k_char_length},
    {.name = "character_length", .kind = FUNC_SCALAR, .n_args = 1, .args = {S}, .ret = I4,
     .flags = FUNC_STRICT | FUNC_NO_ERRORS, .scalar = k_char_length},
    {.name = "length", .kind = FUNC_SCALAR, .n_args = 1, .args = {TYPE_BLOB}, .ret = I4,
     .flags = FUNC_STRICT | FUNC_NO_ERRORS, .scalar = k_octet_length},
    {.name = "octet_length", .kind = FUNC_SCALAR, .n_args = 1, .args = {S}, .ret = I4,
     .flags = FUNC_STRICT | FUNC_NO_ERRORS, .scalar = k_octet_length},
    {.name = "octet_length", .kind = FUNC_SCALAR, .n_args = 1, .args = {TYPE_BLOB}, .ret = I4,
     .flags = FUNC_STRICT | FUNC_NO_ERRORS, .scalar = k_octet_length},
    {.name = "bit_length", .kind = FUNC_SCALAR, .n_args = 1, .args = {S}, .ret = I4,
     .flags = FUNC_STRICT | FUNC_NO_ERRORS, .scalar = k_bit_length},
    {.name = "bit_length", .kind = FUNC_SCALAR, .n_args = 1, .args = {TYPE_BLOB}, .ret = I4,
     .flags = FUNC_STRICT | FUNC_NO_ERRORS, .scalar = k_bit_length},
    {.name = "lower", .kind = FUNC_SCALAR, .n_args = 1, .args = {S}, .ret = S,
     .flags = FUNC_STRICT, .scalar = k_lower},
    {.name = "upper", .kind = FUNC_SCALAR, .n_args = 1, .args = {S}, .ret = S,
     .flags = FUNC_STRICT, .scalar = k_upper},
    {.name = "initcap", .kind = FUNC_SCALAR, .n_args = 1, .args = {S}, .ret = S,
     .flags = FUNC_STRICT, .scalar = k_initcap},
    {.name = "btrim", .kind = FUNC_SCALAR, .n_args = 1, .args = {S}, .ret = S,
     .flags = STRICT_C | FUNC_NO_ERRORS, .scalar = k_btrim},
    {.name = "btrim", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, S}, .ret = S,
     .flags = STRICT_C | FUNC_NO_ERRORS, .scalar = k_btrim},
    {.name = "ltrim", .kind = FUNC_SCALAR, .n_args = 1, .args = {S}, .ret = S,
     .flags = STRICT_C | FUNC_NO_ERRORS, .scalar = k_ltrim},
    {.name = "ltrim", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, S}, .ret = S,
     .flags = STRICT_C | FUNC_NO_ERRORS, .scalar = k_ltrim},
    {.name = "rtrim", .kind = FUNC_SCALAR, .n_args = 1, .args = {S}, .ret = S,
     .flags = STRICT_C | FUNC_NO_ERRORS, .scalar = k_rtrim},
    {.name = "rtrim", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, S}, .ret = S,
     .flags = STRICT_C | FUNC_NO_ERRORS, .scalar = k_rtrim},
    {.name = "lpad", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, I4}, .ret = S,
     .flags = STRICT_C, .scalar = k_lpad},
    {.name = "lpad", .kind = FUNC_SCALAR, .n_args = 3, .args = {S, I4, S}, .ret = S,
     .flags = STRICT_C, .scalar = k_lpad},
    {.name = "rpad", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, I4}, .ret = S,
     .flags = STRICT_C, .scalar = k_rpad},
    {.name = "rpad", .kind = FUNC_SCALAR, .n_args = 3, .args = {S, I4, S}, .ret = S,
     .flags = STRICT_C, .scalar = k_rpad},
    {.name = "substr", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, I4}, .ret = S,
     .flags = STRICT_C | FUNC_NO_ERRORS, .scalar = k_substr},
    {.name = "substr", .kind = FUNC_SCALAR, .n_args = 3, .args = {S, I4, I4}, .ret = S,
     .flags = STRICT_C, .scalar = k_substr},
    {.name = "substring", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, I4}, .ret = S,
     .flags = STRICT_C | FUNC_NO_ERRORS, .scalar = k_substr},
    {.name = "substring", .kind = FUNC_SCALAR, .n_args = 3, .args = {S, I4, I4}, .ret = S,
     .flags = STRICT_C, .scalar = k_substr},
    {.name = "substr", .kind = FUNC_SCALAR, .n_args = 2, .args = {TYPE_BLOB, I4},
     .ret = TYPE_BLOB, .flags = STRICT_C | FUNC_NO_ERRORS, .scalar = k_substr},
    {.name = "substr", .kind = FUNC_SCALAR, .n_args = 3, .args = {TYPE_BLOB, I4, I4},
     .ret = TYPE_BLOB, .flags = STRICT_C, .scalar = k_substr},
    {.name = "substring", .kind = FUNC_SCALAR, .n_args = 2, .args = {TYPE_BLOB, I4},
     .ret = TYPE_BLOB, .flags = STRICT_C | FUNC_NO_ERRORS, .scalar = k_substr},
    {.name = "substring", .kind = FUNC_SCALAR, .n_args = 3, .args = {TYPE_BLOB, I4, I4},
     .ret = TYPE_BLOB, .flags = STRICT_C, .scalar = k_substr},
    {.name = "overlay", .kind = FUNC_SCALAR, .n_args = 3, .args = {S, S, I4}, .ret = S,
     .flags = STRICT_C, .scalar = k_overlay},
    {.name = "overlay", .kind = FUNC_SCALAR, .n_args = 4, .args = {S, S, I4, I4}, .ret = S,
     .flags = STRICT_C, .scalar = k_overlay},
    {.name = "left", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, I4}, .ret = S,
     .flags = STRICT_C | FUNC_NO_ERRORS, .scalar = k_left},
    {.name = "right", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, I4}, .ret = S,
     .flags = STRICT_C | FUNC_NO_ERRORS, .scalar = k_right},
    {.name = "position", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, S}, .ret = I4,
     .flags = STRICT_C | FUNC_NO_ERRORS, .scalar = k_strpos,
     .doc = "position(substring IN string) is position(string, substring)"},
    {.name = "strpos", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, S}, .ret = I4,
     .flags = STRICT_C | FUNC_NO_ERRORS, .scalar = k_strpos},
    {.name = "starts_with", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, S}, .ret = TYPE_BOOL,
     .flags = STRICT_C | FUNC_NO_ERRORS, .scalar = k_starts_with},
    {.name = "split_part", .kind = FUNC_SCALAR, .n_args = 3, .args = {S, S, I4}, .ret = S,
     .flags = STRICT_C, .scalar = k_split_part},
    {.name = "replace", .kind = FUNC_SCALAR, .n_args = 3, .args = {S, S, S}, .ret = S,
     .flags = STRICT_C, .scalar = k_replace},
    {.name = "translate", .kind = FUNC_SCALAR, .n_args = 3, .args = {S, S, S}, .ret = S,
     .flags = STRICT_C, .scalar = k_translate},
    {.name = "repeat", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, I4}, .ret = S,
     .flags = STRICT_C, .scalar = k_repeat},
    {.name = "reverse", .kind = FUNC_SCALAR, .n_args = 1, .args = {S}, .ret = S,
     .flags = FUNC_STRICT, .scalar = k_reverse},
    {.name = "ascii", .kind = FUNC_SCALAR, .n_args = 1, .args = {S}, .ret = I4,
     .flags = FUNC_STRICT | FUNC_NO_ERRORS, .scalar = k_ascii},
    {.name = "chr", .kind = FUNC_SCALAR, .n_args = 1, .args = {I4}, .ret = S,
     .flags = FUNC_STRICT, .scalar = k_chr},
    {.name = "to_hex", .kind = FUNC_SCALAR, .n_args = 1, .args = {I4}, .ret = S,
     .flags = FUNC_STRICT, .scalar = k_to_hex},
    {.name = "to_hex", .kind = FUNC_SCALAR, .n_args = 1, .args = {TYPE_INT64}, .ret = S,
     .flags = FUNC_STRICT, .scalar = k_to_hex},
    {.name = "concat", .kind = FUNC_SCALAR, .n_args = 2, .args = {FUNC_T_ANY, FUNC_T_ANY}, .ret = S,
     .flags = FUNC_VARIADIC | FUNC_CONST_ARGS | FUNC_STABLE, .scalar = k_concat,
     .doc = "text forms of the non-NULL arguments, concatenated"},
    {.name = "concat_ws", .kind = FUNC_SCALAR, .n_args = 3, .args = {S, FUNC_T_ANY, FUNC_T_ANY}, .ret = S,
     .flags = FUNC_VARIADIC | FUNC_CONST_ARGS | FUNC_STABLE, .scalar = k_concat_ws},
    {.name = "textcat", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, S}, .ret = S,
     .flags = STRICT_C, .scalar = k_textcat},
    {.name = "format", .kind = FUNC_SCALAR, .n_args = 1, .args = {S}, .ret = S,
     .flags = FUNC_CONST_ARGS | FUNC_STABLE, .scalar = k_format},
    {.name = "format", .kind = FUNC_SCALAR, .n_args = 3, .args = {S, FUNC_T_ANY, FUNC_T_ANY}, .ret = S,
     .flags = FUNC_VARIADIC | FUNC_CONST_ARGS | FUNC_STABLE, .scalar = k_format},
    {.name = "quote_ident", .kind = FUNC_SCALAR, .n_args = 1, .args = {S}, .ret = S,
     .flags = FUNC_STRICT, .scalar = k_quote_ident},
    {.name = "quote_literal", .kind = FUNC_SCALAR, .n_args = 1, .args = {S}, .ret = S,
     .flags = FUNC_STRICT, .scalar = k_quote_literal},
    {.name = "quote_literal", .kind = FUNC_SCALAR, .n_args = 1, .args = {FUNC_T_ANYELEMENT},
     .ret = S, .flags = FUNC_STRICT | FUNC_STABLE, .scalar = k_quote_literal},
    {.name = "quote_nullable", .kind = FUNC_SCALAR, .n_args = 1, .args = {S}, .ret = S,
     .flags = 0, .scalar = k_quote_nullable},
    {.name = "quote_nullable", .kind = FUNC_SCALAR, .n_args = 1, .args = {FUNC_T_ANYELEMENT},
     .ret = S, .flags = FUNC_STABLE, .scalar = k_quote_nullable},
    {0},
};
