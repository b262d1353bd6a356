/*
 * func_regex.c - POSIX regular expressions (PG docs 9.7.3) and the helpers
 * behind LIKE ... ESCAPE and SIMILAR TO: the operators ~ ~* !~ !~*,
 * regexp_replace, regexp_match, regexp_like, regexp_count, regexp_instr,
 * regexp_substr, regexp_split_to_array, substring(text FROM pattern),
 * substring(text SIMILAR pattern ESCAPE esc), similar_to_escape,
 * like_escape.  (LIKE / ILIKE themselves are the core operators ~~ ~~*.)
 *
 * Engine: PostgreSQL uses Henry Spencer's ARE engine; tarn uses the C
 * library's POSIX ERE (glibc regcomp/regexec, in the C.UTF-8 locale so
 * '.' and bracket expressions work on characters and 'i' folds Unicode
 * case) after translating the ARE features that ERE lacks:
 *   (?:...)             non-capturing group (capture numbering kept)
 *   \d \D \s \S \w \W   class shorthands (also inside brackets)
 *   \m \M \y \Y \A \Z   word / string anchors (GNU \< \> \b \B ^ $)
 *   \n \t \r \f \v \e \xhh \uhhhh   character escapes
 *   ***= prefix, 'q' flag   literal pattern
 *   (?i) (?c) ... leading embedded options
 * Not supported (error 0A000 "... not supported"): non-greedy quantifiers
 * (*? +? ?? {m,n}?), lookahead / lookbehind constraints, the 'x' (expanded
 * syntax) flag.  ERE and ARE agree on the longest-leftmost match for
 * everything else; messages of invalid patterns come from the C library
 * (SQLSTATE 2201B like PostgreSQL's).
 *
 * Compiled patterns are cached per kernel call (a constant pattern is
 * compiled once per batch) and freed when the call ends, so nothing
 * outlives a batch and no state is shared between threads.
 */
#include "sql/func/func_lib.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>

#define KERNEL(name)                                                                           \
    static int name(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows, Vector *out, \
                    TarnError *err)

#define RX_MAX_GROUPS 32

/* ---- Flags ------------------------------------------------------------------------------------- */

typedef struct RxFlags {
    bool global, icase, newline, literal;
} RxFlags;

static int parse_flags(StrView f, RxFlags *out, TarnError *err)
{
    memset(out, 0, sizeof *out);
    for (uint32_t k = 0; k < f.len; k++) {
        switch (f.ptr[k]) {
        case 'g': out->global = true; break;
        case 'i': out->icase = true; break;
        case 'c': out->icase = false; break;
        case 'n': case 'm': case 'p': case 'w': out->newline = true; break;
        case 's': out->newline = false; break;
        case 'q': out->literal = true; break;
        case 'b': case 'e': /* basic / extended: tarn only has ERE */
        case 't': break;
        case 'x':
            return err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000",
                                 "regular expression option \"x\" (expanded syntax) is not supported");
        default: {
            char c[8];
            uint32_t l = fl_utf8_seq((const uint8_t *)f.ptr + k, f.len - k);
            memcpy(c, f.ptr + k, l);
            c[l] = '\0';
            return err_set_state(err, TARN_ERR_INVALID, "22023", "invalid regular expression option: \"%s\"", c);
        }
        }
    }
    return 0;
}

/* ---- ARE -> ERE translation ------------------------------------------------------------------------ */

typedef struct Rx {
    regex_t re;
    bool compiled;
    /* cache key */
    char *key;              /* malloc'd pattern bytes */
    size_t key_len;
    RxFlags key_flags;
    /* capture groups: ARE group k (1-based) is ERE group map[k] */
    int n_groups;
    int map[RX_MAX_GROUPS + 1];
} Rx;

static int rx_unsupported(TarnError *err, const char *what)
{
    return err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000",
                         "%s in regular expressions are not supported", what);
}

static int put_bytes(Buf *b, const char *s, size_t n)
{
    return buf_append(b, s, n);
}

/* Appends character cp as a literal (escaped when special in ERE). */
static int put_literal_cp(Buf *b, uint32_t cp, bool in_bracket)
{
    char tmp[8];
    if (cp < 0x80 && !in_bracket && strchr("\\^$.[]|()*+?{}", (int)cp) && cp) {
        tmp[0] = '\\';
        tmp[1] = (char)cp;
        return buf_append(b, tmp, 2);
    }
    if (cp == 0)
        cp = 0xFFFD; /* NUL cannot appear in a C pattern */
    return buf_append(b, tmp, fl_utf8_encode(cp, tmp));
}

/* Translates pattern p (ARE) into ERE text in b; fills group map. */
static int translate(StrView p, RxFlags *fl, Buf *b, Rx *rx, TarnError *err)
{
    const char *s = p.ptr, *end = p.ptr + p.len;
    rx->n_groups = 0;
    int ere_groups = 0;
    bool literal = fl->literal;
    if (p.len >= 4 && !memcmp(s, "***=", 4)) {
        literal = true;
        s += 4;
    } else if (p.len >= 4 && !memcmp(s, "***:", 4)) {
        s += 4;
    }
    /* Leading embedded options (?flags) */
    if (!literal && end - s >= 3 && s[0] == '(' && s[1] == '?' && isalpha((unsigned char)s[2])) {
        const char *q = s + 2;
        while (q < end && *q != ')') {
            switch (*q) {
            case 'i': fl->icase = true; break;
            case 'c': fl->icase = false; break;
            case 'n': case 'm': case 'p': case 'w': fl->newline = true; break;
            case 's': fl->newline = false; break;
            case 'q': literal = true; break;
            case 'b': case 'e': case 't': break;
            case 'x': return rx_unsupported(err, "expanded syntax (?x)");
            default:
                return fl_err(err, "2201B", "invalid regular expression: invalid embedded option");
            }
            q++;
        }
        if (q >= end)
            return fl_err(err, "2201B", "invalid regular expression: parentheses () not balanced");
        s = q + 1;
    }
    if (literal) {
        const uint8_t *u = (const uint8_t *)s;
        for (size_t k = 0; k < (size_t)(end - s);) {
            uint32_t l;
            uint32_t cp = fl_utf8_decode(u + k, (size_t)(end - s) - k, &l);
            if (put_literal_cp(b, cp, false))
                return ERR_NOMEM(err, b->len);
            k += l;
        }
        return 0;
    }
    bool in_bracket = false;
    int rc = 0;
    while (s < end && !rc) {
        char c = *s;
        if (in_bracket) {
            if (c == ']') {
                in_bracket = false;
                rc = buf_append_byte(b, ']');
                s++;
                continue;
            }
            if (c == '[' && s + 1 < end && (s[1] == ':' || s[1] == '.' || s[1] == '=')) {
                /* [:class:] [.coll.] [=equiv=]: copy through the closer */
                char kind = s[1];
                const char *q = s + 2;
                while (q + 1 < end && !(q[0] == kind && q[1] == ']'))
                    q++;
                if (q + 1 >= end)
                    return fl_err(err, "2201B", "invalid regular expression: brackets [] not balanced");
                rc = put_bytes(b, s, (size_t)(q + 2 - s));
                s = q + 2;
                continue;
            }
            if (c == '\\' && s + 1 < end) {
                char e = s[1];
                s += 2;
                switch (e) {
                case 'd': rc = put_bytes(b, "0-9", 3); break;
                case 's': rc = put_bytes(b, "[:space:]", 9); break;
                case 'w': rc = put_bytes(b, "[:alnum:]_", 10); break;
                case 'n': rc = buf_append_byte(b, '\n'); break;
                case 't': rc = buf_append_byte(b, '\t'); break;
                case 'r': rc = buf_append_byte(b, '\r'); break;
                case 'f': rc = buf_append_byte(b, '\f'); break;
                case 'v': rc = buf_append_byte(b, '\v'); break;
                case '\\': rc = buf_append_byte(b, '\\'); break;
                case ']': case '[': case '-': case '^': {
                    /* ERE has no escapes in brackets: place specials where
                     * they are literal is not possible in general */
                    if (e == ']' || e == '-')
                        return rx_unsupported(err, "escaped \"]\" and \"-\" inside brackets");
                    rc = buf_append_byte(b, (uint8_t)e);
                    break;
                }
                default:
                    if (e == 'D' || e == 'S' || e == 'W')
                        return rx_unsupported(err, "negated class escapes inside brackets");
                    rc = buf_append_byte(b, (uint8_t)e);
                    break;
                }
                continue;
            }
            rc = buf_append_byte(b, (uint8_t)c);
            s++;
            continue;
        }
        switch (c) {
        case '[':
            in_bracket = true;
            rc = buf_append_byte(b, '[');
            s++;
            if (s < end && *s == '^') {
                rc |= buf_append_byte(b, '^');
                s++;
            }
            if (s < end && *s == ']') { /* a leading ] is literal */
                rc |= buf_append_byte(b, ']');
                s++;
            }
            break;
        case '(':
            if (s + 1 < end && s[1] == '?') {
                if (s + 2 < end && s[2] == ':') {
                    rc = buf_append_byte(b, '(');
                    ere_groups++;
                    s += 3;
                    break;
                }
                return rx_unsupported(err, "lookahead and lookbehind constraints");
            }
            ere_groups++;
            if (rx->n_groups < RX_MAX_GROUPS)
                rx->map[++rx->n_groups] = ere_groups;
            rc = buf_append_byte(b, '(');
            s++;
            break;
        case '*':
        case '+':
        case '?':
            rc = buf_append_byte(b, (uint8_t)c);
            s++;
            if (s < end && *s == '?')
                return rx_unsupported(err, "non-greedy quantifiers");
            break;
        case '{': {
            const char *q = s + 1;
            while (q < end && (isdigit((unsigned char)*q) || *q == ','))
                q++;
            if (q < end && *q == '}' && q > s + 1) {
                bool one = q + 1 - s == 5 && !memcmp(s, "{1,1}", 5);
                rc = put_bytes(b, s, (size_t)(q + 1 - s));
                s = q + 1;
                if (s < end && *s == '?') {
                    /* {1,1}? (SIMILAR TO's three-part form): a fixed count */
                    if (!one)
                        return rx_unsupported(err, "non-greedy quantifiers");
                    s++;
                }
            } else {
                rc = put_bytes(b, "\\{", 2);
                s++;
            }
            break;
        }
        case '\\': {
            if (s + 1 >= end)
                return fl_err(err, "2201B", "invalid regular expression: invalid escape \\ sequence");
            char e = s[1];
            s += 2;
            switch (e) {
            case 'd': rc = put_bytes(b, "[0-9]", 5); break;
            case 'D': rc = put_bytes(b, "[^0-9]", 6); break;
            case 's': rc = put_bytes(b, "[[:space:]]", 11); break;
            case 'S': rc = put_bytes(b, "[^[:space:]]", 12); break;
            case 'w': rc = put_bytes(b, "[[:alnum:]_]", 12); break;
            case 'W': rc = put_bytes(b, "[^[:alnum:]_]", 13); break;
            case 'm': rc = put_bytes(b, "\\<", 2); break;
            case 'M': rc = put_bytes(b, "\\>", 2); break;
            case 'y': rc = put_bytes(b, "\\b", 2); break;
            case 'Y': rc = put_bytes(b, "\\B", 2); break;
            case 'A': rc = put_bytes(b, "^", 1); break;
            case 'Z': rc = put_bytes(b, "$", 1); break;
            case 'n': rc = buf_append_byte(b, '\n'); break;
            case 't': rc = buf_append_byte(b, '\t'); break;
            case 'r': rc = buf_append_byte(b, '\r'); break;
            case 'f': rc = buf_append_byte(b, '\f'); break;
            case 'v': rc = buf_append_byte(b, '\v'); break;
            case 'e': rc = put_literal_cp(b, 27, false); break;
            case 'x':
            case 'u':
            case 'U': {
                int max = e == 'x' ? 8 : e == 'u' ? 4 : 8;
                uint32_t cp = 0;
                int nd = 0;
                while (s < end && nd < max && isxdigit((unsigned char)*s)) {
                    cp = cp * 16 + (uint32_t)(isdigit((unsigned char)*s) ? *s - '0' : (tolower((unsigned char)*s) - 'a' + 10));
                    s++;
                    nd++;
                }
                if (nd == 0 || cp >= 0x110000)
                    return fl_err(err, "2201B", "invalid regular expression: invalid escape \\ sequence");
                rc = put_literal_cp(b, cp, false);
                break;
            }
            default:
                if (isdigit((unsigned char)e)) { /* back reference */
                    char tmp[2] = {'\\', e};
                    rc = put_bytes(b, tmp, 2);
                } else if (isalpha((unsigned char)e)) {
                    return fl_err(err, "2201B", "invalid regular expression: invalid escape \\ sequence");
                } else {
                    rc = put_literal_cp(b, (uint8_t)e, false);
                }
                break;
            }
            break;
        }
        default:
            rc = buf_append_byte(b, (uint8_t)c);
            s++;
            break;
        }
    }
    if (rc)
        return ERR_NOMEM(err, b->len);
    if (in_bracket)
        return fl_err(err, "2201B", "invalid regular expression: brackets [] not balanced");
    return 0;
}

static void rx_free(Rx *rx)
{
    if (rx->compiled)
        regfree(&rx->re);
    rx->compiled = false;
    free(rx->key);
    rx->key = NULL;
}

/* Compiles pattern p with flags (cached: the same pattern and flags reuse
 * the compiled form). */
static int rx_prepare(Rx *rx, StrView p, const RxFlags *flags, TarnError *err)
{
    if (rx->compiled && rx->key_len == p.len && !memcmp(rx->key, p.ptr, p.len) &&
        !memcmp(&rx->key_flags, flags, sizeof *flags))
        return 0;
    rx_free(rx);
    RxFlags fl = *flags;
    Buf b;
    buf_init(&b);
    int rc = translate(p, &fl, &b, rx, err);
    if (!rc && buf_terminate(&b))
        rc = ERR_NOMEM(err, b.len);
    if (rc) {
        buf_free(&b);
        return rc;
    }
    int cflags = REG_EXTENDED | (fl.icase ? REG_ICASE : 0) | (fl.newline ? REG_NEWLINE : 0);
    int r = regcomp(&rx->re, (const char *)b.data, cflags);
    buf_free(&b);
    if (r) {
        /* PostgreSQL's wording (regerrs.h) for the C library's codes */
        const char *msg;
        switch (r) {
        case REG_ECOLLATE: msg = "invalid collating element"; break;
        case REG_ECTYPE: msg = "invalid character class"; break;
        case REG_EESCAPE: msg = "invalid escape \\ sequence"; break;
        case REG_ESUBREG: msg = "invalid backreference number"; break;
        case REG_EBRACK: msg = "brackets [] not balanced"; break;
        case REG_EPAREN: msg = "parentheses () not balanced"; break;
        case REG_EBRACE: msg = "braces {} not balanced"; break;
        case REG_BADBR: msg = "invalid repetition count(s)"; break;
        case REG_ERANGE: msg = "invalid character range"; break;
        case REG_ESPACE: return ERR_NOMEM(err, p.len);
        case REG_BADRPT: msg = "quantifier operand invalid"; break;
        default: msg = "invalid regexp (reg version 0.8)"; break;
        }
        return err_set_state(err, TARN_ERR_INVALID, "2201B", "invalid regular expression: %s", msg);
    }
    rx->compiled = true;
    rx->key = malloc(p.len ? p.len : 1);
    if (!rx->key) {
        rx_free(rx);
        return ERR_NOMEM(err, p.len);
    }
    memcpy(rx->key, p.ptr, p.len);
    rx->key_len = p.len;
    rx->key_flags = *flags;
    return 0;
}

/* Finds the first match in s[start..len); m[0] is the whole match, m[k]
 * the ARE capture group k (rm_so -1 when it did not take part). */
static bool rx_search(Rx *rx, const char *s, size_t len, size_t start, regmatch_t *m)
{
    regmatch_t raw[RX_MAX_GROUPS * 2 + 2];
    size_t nraw = sizeof raw / sizeof raw[0];
    raw[0].rm_so = (regoff_t)start;
    raw[0].rm_eo = (regoff_t)len;
#if defined(__SANITIZE_ADDRESS__)
    /* ASan's regexec interceptor reads the subject up to a NUL even with
     * REG_STARTEND (a false positive on vector strings, which are not
     * terminated): give it a terminated copy in sanitizer builds only. */
    char small[512], *copy = small;
    if (len >= sizeof small && !(copy = malloc(len + 1)))
        return false;
    if (len)
        memcpy(copy, s, len);
    copy[len] = '\0';
    int rc_ = regexec(&rx->re, copy, nraw, raw, REG_STARTEND);
    if (copy != small)
        free(copy);
    if (rc_ != 0)
        return false;
#else
    if (regexec(&rx->re, s ? s : "", nraw, raw, REG_STARTEND) != 0)
        return false;
#endif
    m[0] = raw[0];
    for (int k = 1; k <= rx->n_groups; k++) {
        int e = rx->map[k];
        m[k] = (size_t)e < nraw ? raw[e] : (regmatch_t){-1, -1};
    }
    return true;
}

/* Byte length of the character at s[k] (1 past the end). */
static size_t char_len_at(const char *s, size_t len, size_t k)
{
    return k < len ? fl_utf8_seq((const uint8_t *)s + k, len - k) : 1;
}

/* Runs fn with the C.UTF-8 locale active on this thread. */
typedef struct LocaleGuard {
    locale_t old;
    bool set;
} LocaleGuard;

static void locale_enter(LocaleGuard *g)
{
    locale_t l = fl_utf8_locale();
    g->set = l != (locale_t)0;
    if (g->set)
        g->old = uselocale(l);
}

static void locale_leave(LocaleGuard *g)
{
    if (g->set)
        uselocale(g->old);
}

/* Pattern of row i with flags (constant flags parsed once per call). */
typedef struct RxCall {
    Rx rx;
    RxFlags flags;
    bool flags_parsed;
    LocaleGuard loc;
} RxCall;

static void call_begin(RxCall *c)
{
    memset(c, 0, sizeof *c);
    locale_enter(&c->loc);
}

static void call_end(RxCall *c)
{
    rx_free(&c->rx);
    locale_leave(&c->loc);
}

static int call_prepare(RxCall *c, const Vector *pv, const Vector *fv, uint32_t i, TarnError *err)
{
    if (fv && (!c->flags_parsed || !fv->is_const)) {
        int rc = parse_flags(FL_CSTR(fv)[FUNC_IDX(fv, i)], &c->flags, err);
        if (rc)
            return rc;
        c->flags_parsed = true;
    }
    return rx_prepare(&c->rx, FL_CSTR(pv)[FUNC_IDX(pv, i)], &c->flags, err);
}

/* ---- ~ ~* !~ !~* and regexp_like -------------------------------------------------------------------- */

static int match_kernel(Vector **args, uint32_t n_args, uint32_t n_rows, Vector *out,
                        TarnError *err, bool icase, bool neg)
{
    const Vector *sv = args[0], *pv = args[1], *fv = n_args > 2 ? args[2] : NULL;
    uint8_t *r = out->data;
    RxCall c;
    call_begin(&c);
    c.flags.icase = icase;
    int rc = 0;
    for (uint32_t i = 0; i < n_rows && !rc; i++) {
        r[i] = 0;
        if (!FUNC_ROW_VALID(out, i))
            continue;
        rc = call_prepare(&c, pv, fv, i, err);
        if (rc)
            break;
        StrView s = FL_CSTR(sv)[FUNC_IDX(sv, i)];
        regmatch_t m[RX_MAX_GROUPS + 1];
        r[i] = rx_search(&c.rx, s.ptr, s.len, 0, m) ^ neg;
    }
    call_end(&c);
    out->len = n_rows;
    return rc;
}

KERNEL(k_re_match) { return match_kernel(args, n_args, n_rows, out, err, false, false); }
KERNEL(k_re_imatch) { return match_kernel(args, n_args, n_rows, out, err, true, false); }
KERNEL(k_re_nomatch) { return match_kernel(args, n_args, n_rows, out, err, false, true); }
KERNEL(k_re_inomatch) { return match_kernel(args, n_args, n_rows, out, err, true, true); }

KERNEL(k_regexp_like)
{
    const Vector *fv = n_args > 2 ? args[2] : NULL;
    if (fv) {
        /* 'g' is not allowed */
        for (uint32_t i = 0; i < n_rows; i++) {
            if (!FUNC_ROW_VALID(out, i))
                continue;
            StrView f = FL_CSTR(fv)[FUNC_IDX(fv, i)];
            if (memchr(f.ptr, 'g', f.len)) {
                err_set_state(err, TARN_ERR_INVALID, "22023",
                              "regexp_like() does not support the \"global\" option");
                return TARN_ERR_INVALID;
            }
            if (fv->is_const)
                break;
        }
    }
    return match_kernel(args, n_args, n_rows, out, err, false, false);
}

/* ---- regexp_replace --------------------------------------------------------------------------------- */

/* Appends the replacement text with \1..\9 and \& substituted. */
static int append_replacement(Buf *b, StrView rep, const char *s, const regmatch_t *m, int n_groups)
{
    const char *p = rep.ptr, *end = rep.ptr + rep.len;
    while (p < end) {
        const char *bs = memchr(p, '\\', (size_t)(end - p));
        if (!bs)
            return buf_append(b, p, (size_t)(end - p));
        if (buf_append(b, p, (size_t)(bs - p)))
            return TARN_ERR_NOMEM;
        p = bs + 1;
        if (p >= end)
            return buf_append_byte(b, '\\');
        char c = *p;
        if (c >= '1' && c <= '9') {
            int k = c - '0';
            if (k <= n_groups && m[k].rm_so >= 0 &&
                buf_append(b, s + m[k].rm_so, (size_t)(m[k].rm_eo - m[k].rm_so)))
                return TARN_ERR_NOMEM;
            p++;
        } else if (c == '&') {
            if (buf_append(b, s + m[0].rm_so, (size_t)(m[0].rm_eo - m[0].rm_so)))
                return TARN_ERR_NOMEM;
            p++;
        } else if (c == '\\') {
            if (buf_append_byte(b, '\\'))
                return TARN_ERR_NOMEM;
            p++;
        } else {
            if (buf_append_byte(b, '\\'))
                return TARN_ERR_NOMEM;
        }
    }
    return 0;
}

static int param_error(TarnError *err, const char *name, int64_t v)
{
    return err_set_state(err, TARN_ERR_INVALID, "22023", "invalid value for parameter \"%s\": %lld", name,
                         (long long)v);
}

/* Reads an int4 argument k of row i, or def when absent. */
static int64_t int_arg(Vector **args, uint32_t n_args, uint32_t k, uint32_t i, int64_t def)
{
    if (k >= n_args)
        return def;
    return VEC_DATA(args[k], int32_t)[FUNC_IDX(args[k], i)];
}

/* regexp_replace(source, pattern, replacement [, start [, N]] [, flags]) */
static int replace_kernel(Vector **args, uint32_t n_args, uint32_t n_rows, Vector *out,
                          TarnError *err, int start_arg, int n_arg, int flags_arg)
{
    const Vector *sv = args[0], *pv = args[1], *repv = args[2];
    const Vector *fv = flags_arg >= 0 ? args[flags_arg] : NULL;
    RxCall c;
    call_begin(&c);
    Buf b;
    buf_init(&b);
    int rc = 0;
    for (uint32_t i = 0; i < n_rows && !rc; i++) {
        if (!FUNC_ROW_VALID(out, i)) {
            FL_STR(out)[i] = fl_sv(NULL, 0);
            continue;
        }
        if ((rc = call_prepare(&c, pv, fv, i, err)))
            break;
        int64_t start = start_arg >= 0 ? int_arg(args, n_args, (uint32_t)start_arg, i, 1) : 1;
        int64_t nth = n_arg >= 0 ? int_arg(args, n_args, (uint32_t)n_arg, i, 1) : (c.flags.global ? 0 : 1);
        if (start <= 0) {
            rc = param_error(err, "start", start);
            break;
        }
        if (n_arg >= 0 && nth < 0) {
            rc = param_error(err, "n", nth);
            break;
        }
        if (n_arg >= 0 && c.flags.global)
            nth = 0;
        StrView s = FL_CSTR(sv)[FUNC_IDX(sv, i)];
        StrView rep = FL_CSTR(repv)[FUNC_IDX(repv, i)];
        size_t pos = fl_utf8_offset(s.ptr, s.len, (uint64_t)(start - 1));
        size_t copied = 0;
        int64_t count = 0;
        buf_clear(&b);
        regmatch_t m[RX_MAX_GROUPS + 1];
        bool changed = false;
        while (pos <= s.len && rx_search(&c.rx, s.ptr, s.len, pos, m)) {
            count++;
            size_t so = (size_t)m[0].rm_so, eo = (size_t)m[0].rm_eo;
            if (nth == 0 || count == nth) {
                if (buf_append(&b, s.ptr + copied, so - copied) ||
                    append_replacement(&b, rep, s.ptr, m, c.rx.n_groups)) {
                    rc = ERR_NOMEM(err, b.len);
                    break;
                }
                copied = eo;
                changed = true;
                if (nth != 0)
                    break;
            }
            pos = eo == so ? eo + char_len_at(s.ptr, s.len, eo) : eo;
        }
        if (rc)
            break;
        if (!changed) {
            FL_STR(out)[i] = s;
            continue;
        }
        if (buf_append(&b, s.ptr + copied, s.len - copied)) {
            rc = ERR_NOMEM(err, b.len);
            break;
        }
        char *d = fl_str_alloc(out, b.len);
        if (!d) {
            rc = ERR_NOMEM(err, b.len);
            break;
        }
        memcpy(d, b.data, b.len);
        FL_STR(out)[i] = fl_sv(d, b.len);
    }
    buf_free(&b);
    call_end(&c);
    out->len = n_rows;
    return rc;
}

KERNEL(k_regexp_replace3) { return replace_kernel(args, n_args, n_rows, out, err, -1, -1, -1); }
KERNEL(k_regexp_replace_flags) { return replace_kernel(args, n_args, n_rows, out, err, -1, -1, 3); }
KERNEL(k_regexp_replace_start) { return replace_kernel(args, n_args, n_rows, out, err, 3, -1, -1); }
KERNEL(k_regexp_replace_n) { return replace_kernel(args, n_args, n_rows, out, err, 3, 4, n_args > 5 ? 5 : -1); }

/* ---- LIST results --------------------------------------------------------------------------------- */

/* Appends one element (NULL when p is NULL) to the list being built. */
static int list_push(Vector *out, const char *p, size_t n, TarnError *err)
{
    Vector *ch = &out->children[0];
    int rc = p ? vec_append_str(ch, p, n) : vec_append_null(ch);
    return rc ? ERR_NOMEM(err, n) : 0;
}

static void list_end_row(Vector *out, uint32_t i)
{
    out->offsets[i + 1] = out->children[0].len;
}

static int list_check(Vector *out, TarnError *err)
{
    if (out->type->id != TYPE_LIST || out->n_children != 1 || !out->offsets)
        return ERR_INTERNAL(err, "regexp array result is not a list vector");
    out->offsets[0] = out->children[0].len;
    return 0;
}

/* regexp_match(string, pattern [, flags]) -> text[] */
KERNEL(k_regexp_match)
{
    const Vector *sv = args[0], *pv = args[1], *fv = n_args > 2 ? args[2] : NULL;
    int rc = list_check(out, err);
    if (rc)
        return rc;
    RxCall c;
    call_begin(&c);
    for (uint32_t i = 0; i < n_rows && !rc; i++) {
        bool null_row = !FUNC_ROW_VALID(out, i);
        if (!null_row) {
            if ((rc = call_prepare(&c, pv, fv, i, err)))
                break;
            if (c.flags.global) {
                err_set_state(err, TARN_ERR_INVALID, "22023", "regexp_match() does not support the \"global\" option");
                err_hint(err, "Use the regexp_matches function instead.");
                rc = TARN_ERR_INVALID;
                break;
            }
            StrView s = FL_CSTR(sv)[FUNC_IDX(sv, i)];
            regmatch_t m[RX_MAX_GROUPS + 1];
            if (rx_search(&c.rx, s.ptr, s.len, 0, m)) {
                if (c.rx.n_groups == 0) {
                    rc = list_push(out, s.ptr + m[0].rm_so, (size_t)(m[0].rm_eo - m[0].rm_so), err);
                } else {
                    for (int k = 1; k <= c.rx.n_groups && !rc; k++)
                        rc = m[k].rm_so < 0 ? list_push(out, NULL, 0, err)
                                            : list_push(out, s.ptr + m[k].rm_so, (size_t)(m[k].rm_eo - m[k].rm_so), err);
                }
            } else {
                null_row = true;
                rc = fl_set_null(out, i, err);
            }
        }
        list_end_row(out, i);
    }
    call_end(&c);
    out->len = n_rows;
    return rc;
}

/* PostgreSQL's split: empty matches at the start, at the end and right
 * after the previous match are ignored. */
KERNEL(k_regexp_split_to_array)
{
    const Vector *sv = args[0], *pv = args[1], *fv = n_args > 2 ? args[2] : NULL;
    int rc = list_check(out, err);
    if (rc)
        return rc;
    RxCall c;
    call_begin(&c);
    for (uint32_t i = 0; i < n_rows && !rc; i++) {
        if (FUNC_ROW_VALID(out, i)) {
            if ((rc = call_prepare(&c, pv, fv, i, err)))
                break;
            if (c.flags.global) {
                rc = err_set_state(err, TARN_ERR_INVALID, "22023",
                                   "regexp_split_to_array() does not support the \"global\" option");
                break;
            }
            StrView s = FL_CSTR(sv)[FUNC_IDX(sv, i)];
            size_t pos = 0, piece = 0, prev_end = 0;
            regmatch_t m[RX_MAX_GROUPS + 1];
            while (pos <= s.len && rx_search(&c.rx, s.ptr, s.len, pos, m) && !rc) {
                size_t so = (size_t)m[0].rm_so, eo = (size_t)m[0].rm_eo;
                if (so < s.len && eo > prev_end) {
                    rc = list_push(out, s.ptr + piece, so - piece, err);
                    piece = eo;
                    prev_end = eo;
                }
                pos = eo == so ? eo + char_len_at(s.ptr, s.len, eo) : eo;
            }
            if (!rc)
                rc = list_push(out, s.ptr + piece, s.len - piece, err);
        }
        list_end_row(out, i);
    }
    call_end(&c);
    out->len = n_rows;
    return rc;
}

/* ---- regexp_count, regexp_instr, regexp_substr -------------------------------------------------------- */

/* Finds the nth match at or after start (1-based chars); false if none. */
static bool nth_match(Rx *rx, StrView s, int64_t start, int64_t nth, regmatch_t *m)
{
    size_t pos = fl_utf8_offset(s.ptr, s.len, (uint64_t)(start - 1));
    if (pos > s.len || (start - 1 > 0 && pos == s.len && (int64_t)fl_utf8_chars(s.ptr, s.len) < start - 1))
        return false;
    int64_t count = 0;
    while (pos <= s.len && rx_search(rx, s.ptr, s.len, pos, m)) {
        if (++count == nth)
            return true;
        size_t so = (size_t)m[0].rm_so, eo = (size_t)m[0].rm_eo;
        pos = eo == so ? eo + char_len_at(s.ptr, s.len, eo) : eo;
    }
    return false;
}

/* regexp_count(string, pattern [, start [, flags]]) */
KERNEL(k_regexp_count)
{
    const Vector *sv = args[0], *pv = args[1], *fv = n_args > 3 ? args[3] : NULL;
    int32_t *r = VEC_DATA(out, int32_t);
    RxCall c;
    call_begin(&c);
    int rc = 0;
    for (uint32_t i = 0; i < n_rows && !rc; i++) {
        r[i] = 0;
        if (!FUNC_ROW_VALID(out, i))
            continue;
        if ((rc = call_prepare(&c, pv, fv, i, err)))
            break;
        int64_t start = int_arg(args, n_args, 2, i, 1);
        if (start <= 0) {
            rc = param_error(err, "start", start);
            break;
        }
        StrView s = FL_CSTR(sv)[FUNC_IDX(sv, i)];
        size_t pos = fl_utf8_offset(s.ptr, s.len, (uint64_t)(start - 1));
        regmatch_t m[RX_MAX_GROUPS + 1];
        int32_t count = 0;
        while (pos <= s.len && rx_search(&c.rx, s.ptr, s.len, pos, m)) {
            count++;
            size_t so = (size_t)m[0].rm_so, eo = (size_t)m[0].rm_eo;
            pos = eo == so ? eo + char_len_at(s.ptr, s.len, eo) : eo;
        }
        r[i] = count;
    }
    call_end(&c);
    out->len = n_rows;
    return rc;
}

/* regexp_instr(string, pattern [, start [, N [, endoption [, flags [, subexpr]]]]]) */
KERNEL(k_regexp_instr)
{
    const Vector *sv = args[0], *pv = args[1], *fv = n_args > 5 ? args[5] : NULL;
    int32_t *r = VEC_DATA(out, int32_t);
    RxCall c;
    call_begin(&c);
    int rc = 0;
    for (uint32_t i = 0; i < n_rows && !rc; i++) {
        r[i] = 0;
        if (!FUNC_ROW_VALID(out, i))
            continue;
        int64_t start = int_arg(args, n_args, 2, i, 1), nth = int_arg(args, n_args, 3, i, 1);
        int64_t endopt = int_arg(args, n_args, 4, i, 0), sub = int_arg(args, n_args, 6, i, 0);
        if (start <= 0) {
            rc = param_error(err, "start", start);
            break;
        }
        if (nth <= 0) {
            rc = param_error(err, "n", nth);
            break;
        }
        if (endopt != 0 && endopt != 1) {
            rc = param_error(err, "endoption", endopt);
            break;
        }
        if (sub < 0) {
            rc = param_error(err, "subexpr", sub);
            break;
        }
        if ((rc = call_prepare(&c, pv, fv, i, err)))
            break;
        if (c.flags.global) {
            rc = err_set_state(err, TARN_ERR_INVALID, "22023", "regexp_instr() does not support the \"global\" option");
            break;
        }
        StrView s = FL_CSTR(sv)[FUNC_IDX(sv, i)];
        regmatch_t m[RX_MAX_GROUPS + 1];
        if (!nth_match(&c.rx, s, start, nth, m) || sub > c.rx.n_groups || m[sub].rm_so < 0)
            continue;
        size_t at = endopt ? (size_t)m[sub].rm_eo : (size_t)m[sub].rm_so;
        r[i] = (int32_t)fl_utf8_chars(s.ptr, at) + 1;
    }
    call_end(&c);
    out->len = n_rows;
    return rc;
}

/* regexp_substr(string, pattern [, start [, N [, flags [, subexpr]]]]) */
KERNEL(k_regexp_substr)
{
    const Vector *sv = args[0], *pv = args[1], *fv = n_args > 4 ? args[4] : NULL;
    RxCall c;
    call_begin(&c);
    int rc = 0;
    for (uint32_t i = 0; i < n_rows && !rc; i++) {
        FL_STR(out)[i] = fl_sv(NULL, 0);
        if (!FUNC_ROW_VALID(out, i))
            continue;
        int64_t start = int_arg(args, n_args, 2, i, 1), nth = int_arg(args, n_args, 3, i, 1);
        int64_t sub = int_arg(args, n_args, 5, i, 0);
        if (start <= 0) {
            rc = param_error(err, "start", start);
            break;
        }
        if (nth <= 0) {
            rc = param_error(err, "n", nth);
            break;
        }
        if (sub < 0) {
            rc = param_error(err, "subexpr", sub);
            break;
        }
        if ((rc = call_prepare(&c, pv, fv, i, err)))
            break;
        if (c.flags.global) {
            rc = err_set_state(err, TARN_ERR_INVALID, "22023", "regexp_substr() does not support the \"global\" option");
            break;
        }
        StrView s = FL_CSTR(sv)[FUNC_IDX(sv, i)];
        regmatch_t m[RX_MAX_GROUPS + 1];
        if (!nth_match(&c.rx, s, start, nth, m) || sub > c.rx.n_groups || m[sub].rm_so < 0) {
            rc = fl_set_null(out, i, err);
            continue;
        }
        FL_STR(out)[i] = fl_sv(s.ptr + m[sub].rm_so, (size_t)(m[sub].rm_eo - m[sub].rm_so));
    }
    call_end(&c);
    out->len = n_rows;
    return rc;
}

/* ---- SIMILAR TO, LIKE ... ESCAPE -------------------------------------------------------------------- */

/* PostgreSQL's similar_escape_internal: SQL regular expression -> ARE. */
static int similar_to_are(StrView pat, const StrView *esc, Buf *b, TarnError *err)
{
    const char *e = NULL;
    uint32_t elen = 0;
    if (!esc) {
        e = "\\";
        elen = 1;
    } else if (esc->len > 0) {
        if (fl_utf8_chars(esc->ptr, esc->len) != 1) {
            err_set_state(err, TARN_ERR_INVALID, "22025", "invalid escape string");
            err_hint(err, "Escape string must be empty or one character.");
            return TARN_ERR_INVALID;
        }
        e = esc->ptr;
        elen = esc->len;
    }
    int rc = buf_append(b, "^(?:", 4);
    bool afterescape = false, incharclass = false;
    int nquotes = 0;
    const char *p = pat.ptr, *end = pat.ptr + pat.len;
    while (p < end && !rc) {
        uint32_t l = fl_utf8_seq((const uint8_t *)p, (size_t)(end - p));
        char c = *p;
        if (afterescape) {
            if (c == '"' && !incharclass) {
                if (nquotes == 0)
                    rc = buf_append(b, "){1,1}?(", 8);
                else if (nquotes == 1)
                    rc = buf_append(b, "){1,1}(?:", 9);
                else
                    return fl_err(err, "2200T",
                                  "SQL regular expression may not contain more than two escape-double-quote separators");
                nquotes++;
            } else {
                rc = buf_append_byte(b, '\\');
                rc |= buf_append(b, p, l);
            }
            afterescape = false;
        } else if (e && l == elen && !memcmp(p, e, elen)) {
            afterescape = true;
        } else if (incharclass) {
            if (c == '\\')
                rc = buf_append_byte(b, '\\');
            rc |= buf_append(b, p, l);
            if (c == ']')
                incharclass = false;
        } else if (c == '[') {
            rc = buf_append_byte(b, '[');
            incharclass = true;
        } else if (c == '%') {
            rc = buf_append(b, ".*", 2);
        } else if (c == '_') {
            rc = buf_append_byte(b, '.');
        } else if (c == '(') {
            rc = buf_append(b, "(?:", 3);
        } else if (c == '\\' || c == '.' || c == '^' || c == '$') {
            rc = buf_append_byte(b, '\\');
            rc |= buf_append_byte(b, (uint8_t)c);
        } else {
            rc = buf_append(b, p, l);
        }
        p += l;
    }
    if (!rc)
        rc = buf_append(b, ")$", 2);
    return rc ? ERR_NOMEM(err, b->len) : 0;
}

/* similar_to_escape(pattern [, escape]) */
KERNEL(k_similar_to_escape)
{
    Buf b;
    buf_init(&b);
    int rc = 0;
    for (uint32_t i = 0; i < n_rows && !rc; i++) {
        FL_STR(out)[i] = fl_sv(NULL, 0);
        if (!FUNC_ROW_VALID(out, i))
            continue;
        buf_clear(&b);
        StrView esc;
        if (n_args > 1)
            esc = FL_CSTR(args[1])[FUNC_IDX(args[1], i)];
        rc = similar_to_are(FL_CSTR(args[0])[FUNC_IDX(args[0], i)], n_args > 1 ? &esc : NULL, &b, err);
        if (rc)
            break;
        char *d = fl_str_alloc(out, b.len);
        if (!d) {
            rc = ERR_NOMEM(err, b.len);
            break;
        }
        memcpy(d, b.data, b.len);
        FL_STR(out)[i] = fl_sv(d, b.len);
    }
    buf_free(&b);
    out->len = n_rows;
    return rc;
}

/* substring(string FROM pattern): the first capture group's text, else the
 * whole match; NULL without a match.  With three arguments the pattern is
 * a SQL (SIMILAR TO) pattern with an escape character. */
KERNEL(k_substring_regex)
{
    const Vector *sv = args[0], *pv = args[1];
    RxCall c;
    call_begin(&c);
    Buf b;
    buf_init(&b);
    int rc = 0;
    for (uint32_t i = 0; i < n_rows && !rc; i++) {
        FL_STR(out)[i] = fl_sv(NULL, 0);
        if (!FUNC_ROW_VALID(out, i))
            continue;
        StrView pat = FL_CSTR(pv)[FUNC_IDX(pv, i)];
        if (n_args > 2) {
            StrView esc = FL_CSTR(args[2])[FUNC_IDX(args[2], i)];
            buf_clear(&b);
            if ((rc = similar_to_are(pat, &esc, &b, err)))
                break;
            pat = fl_sv((const char *)b.data, b.len);
        }
        if ((rc = rx_prepare(&c.rx, pat, &c.flags, err)))
            break;
        StrView s = FL_CSTR(sv)[FUNC_IDX(sv, i)];
        regmatch_t m[RX_MAX_GROUPS + 1];
        int k = c.rx.n_groups > 0 ? 1 : 0;
        if (!rx_search(&c.rx, s.ptr, s.len, 0, m) || m[k].rm_so < 0) {
            rc = fl_set_null(out, i, err);
            continue;
        }
        FL_STR(out)[i] = fl_sv(s.ptr + m[k].rm_so, (size_t)(m[k].rm_eo - m[k].rm_so));
    }
    buf_free(&b);
    call_end(&c);
    out->len = n_rows;
    return rc;
}

/* like_escape(pattern, escape): a LIKE pattern with its own escape
 * character -> the same pattern with '\' as the escape. */
KERNEL(k_like_escape)
{
    Buf b;
    buf_init(&b);
    int rc = 0;
    for (uint32_t i = 0; i < n_rows && !rc; i++) {
        FL_STR(out)[i] = fl_sv(NULL, 0);
        if (!FUNC_ROW_VALID(out, i))
            continue;
        StrView p = FL_CSTR(args[0])[FUNC_IDX(args[0], i)];
        StrView e = FL_CSTR(args[1])[FUNC_IDX(args[1], i)];
        buf_clear(&b);
        if (e.len == 0) {
            for (uint32_t k = 0; k < p.len && !rc; k++) {
                if (p.ptr[k] == '\\')
                    rc = buf_append_byte(&b, '\\');
                rc |= buf_append_byte(&b, (uint8_t)p.ptr[k]);
            }
        } else {
            if (fl_utf8_chars(e.ptr, e.len) != 1) {
                err_set_state(err, TARN_ERR_INVALID, "22025", "invalid escape string");
                err_hint(err, "Escape string must be empty or one character.");
                rc = TARN_ERR_INVALID;
                break;
            }
            if (e.len == 1 && e.ptr[0] == '\\') {
                FL_STR(out)[i] = p;
                continue;
            }
            bool after = false;
            for (uint32_t k = 0; k < p.len && !rc;) {
                uint32_t l = fl_utf8_seq((const uint8_t *)p.ptr + k, p.len - k);
                if (after) {
                    rc = buf_append_byte(&b, '\\');
                    rc |= buf_append(&b, p.ptr + k, l);
                    after = false;
                } else if (l == e.len && !memcmp(p.ptr + k, e.ptr, l)) {
                    after = true;
                } else if (p.ptr[k] == '\\') {
                    rc = buf_append(&b, "\\\\", 2);
                } else {
                    rc = buf_append(&b, p.ptr + k, l);
                }
                k += l;
            }
            if (!rc && after) {
                rc = err_set_state(err, TARN_ERR_INVALID, "22025", "LIKE pattern must not end with escape character");
                break;
            }
        }
        if (rc) {
            rc = ERR_NOMEM(err, b.len);
            break;
        }
        char *d = fl_str_alloc(out, b.len);
        if (!d) {
            rc = ERR_NOMEM(err, b.len);
            break;
        }
        memcpy(d, b.data, b.len);
        FL_STR(out)[i] = fl_sv(d, b.len);
    }
    buf_free(&b);
    out->len = n_rows;
    return rc;
}

/* ---- Registry -------------------------------------------------------------------------------------- */

#define S TYPE_STRING
#define I4 TYPE_INT32
#define SC (FUNC_STRICT | FUNC_CONST_ARGS)

const FuncDef func_defs_regex[] = {
    {.name = "~", .kind = FUNC_OPERATOR, .n_args = 2, .args = {S, S}, .ret = TYPE_BOOL, .flags = SC,
     .scalar = k_re_match, .doc = "matches POSIX regular expression, case-sensitively"},
    {.name = "~*", .kind = FUNC_OPERATOR, .n_args = 2, .args = {S, S}, .ret = TYPE_BOOL, .flags = SC,
     .scalar = k_re_imatch},
    {.name = "!~", .kind = FUNC_OPERATOR, .n_args = 2, .args = {S, S}, .ret = TYPE_BOOL, .flags = SC,
     .scalar = k_re_nomatch},
    {.name = "!~*", .kind = FUNC_OPERATOR, .n_args = 2, .args = {S, S}, .ret = TYPE_BOOL, .flags = SC,
     .scalar = k_re_inomatch},
    {.name = "textregexeq", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, S}, .ret = TYPE_BOOL,
     .flags = SC, .scalar = k_re_match},
    {.name = "regexp_like", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, S}, .ret = TYPE_BOOL,
     .flags = SC, .scalar = k_regexp_like},
    {.name = "regexp_like", .kind = FUNC_SCALAR, .n_args = 3, .args = {S, S, S}, .ret = TYPE_BOOL,
     .flags = SC, .scalar = k_regexp_like},
    {.name = "regexp_replace", .kind = FUNC_SCALAR, .n_args = 3, .args = {S, S, S}, .ret = S,
     .flags = SC, .scalar = k_regexp_replace3},
    {.name = "regexp_replace", .kind = FUNC_SCALAR, .n_args = 4, .args = {S, S, S, S}, .ret = S,
     .flags = SC, .scalar = k_regexp_replace_flags},
    {.name = "regexp_replace", .kind = FUNC_SCALAR, .n_args = 4, .args = {S, S, S, I4}, .ret = S,
     .flags = SC, .scalar = k_regexp_replace_start},
    {.name = "regexp_replace", .kind = FUNC_SCALAR, .n_args = 5, .args = {S, S, S, I4, I4}, .ret = S,
     .flags = SC, .scalar = k_regexp_replace_n},
    {.name = "regexp_replace", .kind = FUNC_SCALAR, .n_args = 6, .args = {S, S, S, I4, I4, S},
     .ret = S, .flags = SC, .scalar = k_regexp_replace_n},
    {.name = "regexp_match", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, S}, .ret = TYPE_LIST,
     .flags = SC, .bind = fl_bind_text_array, .scalar = k_regexp_match},
    {.name = "regexp_match", .kind = FUNC_SCALAR, .n_args = 3, .args = {S, S, S}, .ret = TYPE_LIST,
     .flags = SC, .bind = fl_bind_text_array, .scalar = k_regexp_match},
    {.name = "regexp_split_to_array", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, S},
     .ret = TYPE_LIST, .flags = SC, .bind = fl_bind_text_array, .scalar = k_regexp_split_to_array},
    {.name = "regexp_split_to_array", .kind = FUNC_SCALAR, .n_args = 3, .args = {S, S, S},
     .ret = TYPE_LIST, .flags = SC, .bind = fl_bind_text_array, .scalar = k_regexp_split_to_array},
    {.name = "regexp_count", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, S}, .ret = I4,
     .flags = SC, .scalar = k_regexp_count},
    {.name = "regexp_count", .kind = FUNC_SCALAR, .n_args = 3, .args = {S, S, I4}, .ret = I4,
     .flags = SC, .scalar = k_regexp_count},
    {.name = "regexp_count", .kind = FUNC_SCALAR, .n_args = 4, .args = {S, S, I4, S}, .ret = I4,
     .flags = SC, .scalar = k_regexp_count},
    {.name = "regexp_instr", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, S}, .ret = I4,
     .flags = SC, .scalar = k_regexp_instr},
    {.name = "regexp_instr", .kind = FUNC_SCALAR, .n_args = 3, .args = {S, S, I4}, .ret = I4,
     .flags = SC, .scalar = k_regexp_instr},
    {.name = "regexp_instr", .kind = FUNC_SCALAR, .n_args = 4, .args = {S, S, I4, I4}, .ret = I4,
     .flags = SC, .scalar = k_regexp_instr},
    {.name = "regexp_instr", .kind = FUNC_SCALAR, .n_args = 5, .args = {S, S, I4, I4, I4}, .ret = I4,
     .flags = SC, .scalar = k_regexp_instr},
    {.name = "regexp_instr", .kind = FUNC_SCALAR, .n_args = 6, .args = {S, S, I4, I4, I4, S},
     .ret = I4, .flags = SC, .scalar = k_regexp_instr},
    {.name = "regexp_instr", .kind = FUNC_SCALAR, .n_args = 7, .args = {S, S, I4, I4, I4, S, I4},
     .ret = I4, .flags = SC, .scalar = k_regexp_instr},
    {.name = "regexp_substr", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, S}, .ret = S,
     .flags = SC, .scalar = k_regexp_substr},
    {.name = "regexp_substr", .kind = FUNC_SCALAR, .n_args = 3, .args = {S, S, I4}, .ret = S,
     .flags = SC, .scalar = k_regexp_substr},
    {.name = "regexp_substr", .kind = FUNC_SCALAR, .n_args = 4, .args = {S, S, I4, I4}, .ret = S,
     .flags = SC, .scalar = k_regexp_substr},
    {.name = "regexp_substr", .kind = FUNC_SCALAR, .n_args = 5, .args = {S, S, I4, I4, S}, .ret = S,
     .flags = SC, .scalar = k_regexp_substr},
    {.name = "regexp_substr", .kind = FUNC_SCALAR, .n_args = 6, .args = {S, S, I4, I4, S, I4},
     .ret = S, .flags = SC, .scalar = k_regexp_substr},
    {.name = "substring", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, S}, .ret = S, .flags = SC,
     .scalar = k_substring_regex, .doc = "substring(string FROM pattern)"},
    {.name = "substring", .kind = FUNC_SCALAR, .n_args = 3, .args = {S, S, S}, .ret = S, .flags = SC,
     .scalar = k_substring_regex, .doc = "substring(string SIMILAR pattern ESCAPE escape)"},
    {.name = "similar_to_escape", .kind = FUNC_SCALAR, .n_args = 1, .args = {S}, .ret = S,
     .flags = SC, .scalar = k_similar_to_escape,
     .doc = "x SIMILAR TO p is x ~ similar_to_escape(p)"},
    {.name = "similar_to_escape", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, S}, .ret = S,
     .flags = SC, .scalar = k_similar_to_escape},
    {.name = "like_escape", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, S}, .ret = S, .flags = SC,
     .scalar = k_like_escape, .doc = "x LIKE p ESCAPE e is x ~~ like_escape(p, e)"},
    {0},
};
