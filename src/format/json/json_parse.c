/*
 * json_parse.c - recursive-descent JSON parser building an arena tree (see
 * json_parse.h).
 *
 * Children of an array or object are first pushed on a scratch stack shared
 * by the whole parse, then copied into one arena block when the container
 * closes, so every container's children are contiguous and the arena holds
 * no slack.  Recursion depth is bounded by JSON_MAX_DEPTH.
 */
#include "format/json/json_parse.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vector/format.h"

typedef struct Parser {
    Arena *a;
    const char *start;   /* input text (borrowed) */
    const char *p;       /* next byte */
    const char *end;
    int64_t first_line;
    TarnError *err;
    JsonNode *items;     /* scratch stack of array items; owned */
    size_t n_items, cap_items;
    JsonMember *members; /* scratch stack of object members; owned */
    size_t n_members, cap_members;
    Buf sbuf;            /* scratch for unescaping strings */
} Parser;

/* Reports an error at byte position `at`. */
static int fail_at(Parser *ps, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail_at(Parser *ps, const char *at, const char *fmt, ...)
{
    int64_t line = ps->first_line;
    const char *line_start = ps->start;
    for (const char *q = ps->start; q < at; q++) {
        if (*q == '\n') {
            line++;
            line_start = q + 1;
        }
    }
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return err_set_state(ps->err, TARN_ERR_CORRUPT, "22P02",
                         "invalid JSON at line %lld, column %lld: %s", (long long)line,
                         (long long)(at - line_start + 1), what);
}

/* Describes the byte at p for messages: 'x', "\x01", or end of input. */
static const char *describe(Parser *ps, const char *p, char *buf, size_t cap)
{
    if (p >= ps->end)
        return "end of input";
    unsigned char c = (unsigned char)*p;
    if (c >= 0x20 && c < 0x7f)
        snprintf(buf, cap, "character '%c'", c);
    else
        snprintf(buf, cap, "byte 0x%02x", c);
    return buf;
}

static int unexpected(Parser *ps, const char *expected)
{
    char tmp[32];
    return fail_at(ps, ps->p, "unexpected %s, expected %s", describe(ps, ps->p, tmp, sizeof tmp),
                   expected);
}

static inline void skip_ws(Parser *ps)
{
    while (ps->p < ps->end &&
           (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\t' || *ps->p == '\r'))
        ps->p++;
}

/* Valid UTF-8 sequence length at s, or 0 (see format.c for the rules). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0))
            return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90))
            return 0;
        return 4;
    }
    return 0;
}

static int hex4(Parser *ps, const char *at, uint32_t *out)
{
    if (ps->end - at < 4)
        return fail_at(ps, at, "incomplete \\u escape");
    uint32_t v = 0;
    for (int k = 0; k < 4; k++) {
        char c = at[k];
        uint32_t d;
        if (c >= '0' && c <= '9')
            d = (uint32_t)(c - '0');
        else if ((c | 32) >= 'a' && (c | 32) <= 'f')
            d = (uint32_t)((c | 32) - 'a' + 10);
        else
            return fail_at(ps, at + k, "invalid hex digit in \\u escape");
        v = v << 4 | d;
    }
    *out = v;
    return 0;
}

static int put_utf8(Buf *b, uint32_t cp)
{
    uint8_t t[4];
    size_t n;
    if (cp < 0x80) {
        t[0] = (uint8_t)cp;
        n = 1;
    } else if (cp < 0x800) {
        t[0] = (uint8_t)(0xC0 | cp >> 6);
        t[1] = (uint8_t)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        t[0] = (uint8_t)(0xE0 | cp >> 12);
        t[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        t[2] = (uint8_t)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        t[0] = (uint8_t)(0xF0 | cp >> 18);
        t[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
        t[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        t[3] = (uint8_t)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return buf_append(b, t, n);
}

/* Parses a string at ps->p (on the opening quote) into an arena copy. */
static int parse_string(Parser *ps, const char **str_out, uint32_t *len_out)
{
    const char *open = ps->p;
    const char *p = ps->p + 1;
    const char *run = p;
    bool escaped = false;
    buf_clear(&ps->sbuf);
    for (;;) {
        if (p >= ps->end)
            return fail_at(ps, open, "unterminated string");
        unsigned char c = (unsigned char)*p;
        if (c == '"')
            break;
        if (c < 0x20)
            return fail_at(ps, p, "control character 0x%02x must be escaped in a string", c);
        if (c >= 0x80) {
            size_t k = utf8_len((const unsigned char *)p, (size_t)(ps->end - p));
            if (!k)
                return fail_at(ps, p, "invalid UTF-8 in string");
            p += k;
            continue;
        }
        if (c != '\\') {
            p++;
            continue;
        }
        /* An escape: flush the plain run, then decode. */
        escaped = true;
        if (buf_append(&ps->sbuf, run, (size_t)(p - run)))
            return ERR_NOMEM(ps->err, (size_t)(p - run));
        if (p + 1 >= ps->end)
            return fail_at(ps, open, "unterminated string");
        char e = p[1];
        int rc = 0;
        switch (e) {
        case '"': rc = buf_append_byte(&ps->sbuf, '"'); break;
        case '\\': rc = buf_append_byte(&ps->sbuf, '\\'); break;
        case '/': rc = buf_append_byte(&ps->sbuf, '/'); break;
        case 'b': rc = buf_append_byte(&ps->sbuf, '\b'); break;
        case 'f': rc = buf_append_byte(&ps->sbuf, '\f'); break;
        case 'n': rc = buf_append_byte(&ps->sbuf, '\n'); break;
        case 'r': rc = buf_append_byte(&ps->sbuf, '\r'); break;
        case 't': rc = buf_append_byte(&ps->sbuf, '\t'); break;
        case 'u': {
            uint32_t cp;
            int hrc = hex4(ps, p + 2, &cp);
            if (hrc)
                return hrc;
            const char *after = p + 6;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                uint32_t lo;
                if (ps->end - after < 6 || after[0] != '\\' || after[1] != 'u')
                    return fail_at(ps, p, "high surrogate \\u%04x without a low surrogate", cp);
                if ((hrc = hex4(ps, after + 2, &lo)))
                    return hrc;
                if (lo < 0xDC00 || lo > 0xDFFF)
                    return fail_at(ps, after, "\\u%04x is not a low surrogate", lo);
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                after += 6;
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return fail_at(ps, p, "low surrogate \\u%04x without a high surrogate", cp);
            }
            rc = put_utf8(&ps->sbuf, cp);
            p = after;
            run = p;
            if (rc)
                return ERR_NOMEM(ps->err, 4);
            continue;
        }
        default:
            return fail_at(ps, p, "invalid escape sequence");
        }
        if (rc)
            return ERR_NOMEM(ps->err, 1);
        p += 2;
        run = p;
    }
    const char *src;
    size_t n;
    if (escaped) {
        if (buf_append(&ps->sbuf, run, (size_t)(p - run)))
            return ERR_NOMEM(ps->err, (size_t)(p - run));
        src = (const char *)ps->sbuf.data;
        n = ps->sbuf.len;
    } else {
        src = open + 1;
        n = (size_t)(p - src);
    }
    if (n > UINT32_MAX)
        return fail_at(ps, open, "string longer than 4 GiB");
    char *copy = arena_strndup(ps->a, src ? src : "", n);
    if (!copy)
        return ERR_NOMEM(ps->err, n + 1);
    *str_out = copy;
    *len_out = (uint32_t)n;
    ps->p = p + 1;
    return 0;
}

static int parse_number(Parser *ps, JsonNode *out)
{
    const char *s = ps->p;
    const char *p = s;
    bool neg = false;
    if (*p == '-') {
        neg = true;
        p++;
    }
    const char *digits = p;
    if (p < ps->end && *p == '0') {
        p++;
    } else if (p < ps->end && *p >= '1' && *p <= '9') {
        while (p < ps->end && *p >= '0' && *p <= '9')
            p++;
    } else {
        ps->p = p;
        return unexpected(ps, "a digit");
    }
    size_t n_int = (size_t)(p - digits);
    bool is_int = true;
    if (p < ps->end && *p == '.') {
        p++;
        if (p >= ps->end || *p < '0' || *p > '9') {
            ps->p = p;
            return unexpected(ps, "a digit after the decimal point");
        }
        while (p < ps->end && *p >= '0' && *p <= '9')
            p++;
        is_int = false;
    }
    if (p < ps->end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < ps->end && (*p == '+' || *p == '-'))
            p++;
        if (p >= ps->end || *p < '0' || *p > '9') {
            ps->p = p;
            return unexpected(ps, "a digit in the exponent");
        }
        while (p < ps->end && *p >= '0' && *p <= '9')
            p++;
        is_int = false;
    }
    ps->p = p;
    if (is_int && n_int <= 19) {
        uint64_t v = 0;
        for (size_t k = 0; k < n_int; k++)
            v = v * 10 + (uint64_t)(digits[k] - '0');
        if (!neg && v <= (uint64_t)INT64_MAX) {
            out->type = JSON_INT;
            out->u.i = (int64_t)v;
            return 0;
        }
        if (neg && v <= (uint64_t)INT64_MAX + 1) {
            out->type = JSON_INT;
            out->u.i = (int64_t)((uint64_t)0 - v);
            return 0;
        }
    }
    double d;
    if (!value_parse_double(s, (size_t)(p - s), &d)) {
        /* Out of the double range: saturate the way strtod does. */
        char small[64];
        size_t n = (size_t)(p - s);
        char *tmp = n < sizeof small ? small : tarn_malloc(n + 1);
        if (!tmp)
            return ERR_NOMEM(ps->err, n + 1);
        memcpy(tmp, s, n);
        tmp[n] = '\0';
        d = strtod(tmp, NULL);
        if (tmp != small)
            tarn_free(tmp);
    }
    out->type = JSON_DOUBLE;
    out->u.d = d;
    return 0;
}

static int push_item(Parser *ps, const JsonNode *n)
{
    if (ps->n_items == ps->cap_items) {
        size_t cap = ps->cap_items ? ps->cap_items * 2 : 64;
        JsonNode *s = tarn_realloc(ps->items, cap * sizeof *s);
        if (!s)
            return ERR_NOMEM(ps->err, cap * sizeof *s);
        ps->items = s;
        ps->cap_items = cap;
    }
    ps->items[ps->n_items++] = *n;
    return 0;
}

static int push_member(Parser *ps, const JsonMember *m)
{
    if (ps->n_members == ps->cap_members) {
        size_t cap = ps->cap_members ? ps->cap_members * 2 : 64;
        JsonMember *s = tarn_realloc(ps->members, cap * sizeof *s);
        if (!s)
            return ERR_NOMEM(ps->err, cap * sizeof *s);
        ps->members = s;
        ps->cap_members = cap;
    }
    ps->members[ps->n_members++] = *m;
    return 0;
}

static bool match_word(Parser *ps, const char *w, size_t n)
{
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, w, n) != 0)
        return false;
    ps->p += n;
    return true;
}

static int parse_value(Parser *ps, JsonNode *out, int depth);

static int parse_array(Parser *ps, JsonNode *out, int depth)
{
    size_t base = ps->n_items;
    ps->p++; /* '[' */
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ']') {
        ps->p++;
    } else {
        for (;;) {
            JsonNode item;
            int rc = parse_value(ps, &item, depth + 1);
            if (rc)
                return rc;
            if ((rc = push_item(ps, &item)))
                return rc;
            skip_ws(ps);
            if (ps->p < ps->end && *ps->p == ',') {
                ps->p++;
                continue;
            }
            if (ps->p < ps->end && *ps->p == ']') {
                ps->p++;
                break;
            }
            return unexpected(ps, "',' or ']'");
        }
    }
    size_t n = ps->n_items - base;
    if (n > UINT32_MAX)
        return fail_at(ps, ps->p, "array with more than 4294967295 items");
    out->type = JSON_ARRAY;
    out->len = (uint32_t)n;
    out->u.items = NULL;
    if (n) {
        out->u.items = arena_alloc(ps->a, n * sizeof(JsonNode));
        if (!out->u.items)
            return ERR_NOMEM(ps->err, n * sizeof(JsonNode));
        memcpy(out->u.items, ps->items + base, n * sizeof(JsonNode));
    }
    ps->n_items = base;
    return 0;
}

static int parse_object(Parser *ps, JsonNode *out, int depth)
{
    size_t base = ps->n_members;
    ps->p++; /* '{' */
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == '}') {
        ps->p++;
    } else {
        for (;;) {
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != '"')
                return unexpected(ps, "a string key");
            JsonMember m;
            int rc = parse_string(ps, &m.key, &m.key_len);
            if (rc)
                return rc;
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':')
                return unexpected(ps, "':'");
            ps->p++;
            if ((rc = parse_value(ps, &m.value, depth + 1)))
                return rc;
            if ((rc = push_member(ps, &m)))
                return rc;
            skip_ws(ps);
            if (ps->p < ps->end && *ps->p == ',') {
                ps->p++;
                continue;
            }
            if (ps->p < ps->end && *ps->p == '}') {
                ps->p++;
                break;
            }
            return unexpected(ps, "',' or '}'");
        }
    }
    size_t n = ps->n_members - base;
    if (n > UINT32_MAX)
        return fail_at(ps, ps->p, "object with more than 4294967295 members");
    out->type = JSON_OBJECT;
    out->len = (uint32_t)n;
    out->u.members = NULL;
    if (n) {
        out->u.members = arena_alloc(ps->a, n * sizeof(JsonMember));
        if (!out->u.members)
            return ERR_NOMEM(ps->err, n * sizeof(JsonMember));
        memcpy(out->u.members, ps->members + base, n * sizeof(JsonMember));
    }
    ps->n_members = base;
    return 0;
}

static int parse_value(Parser *ps, JsonNode *out, int depth)
{
    if (depth > JSON_MAX_DEPTH)
        return fail_at(ps, ps->p, "nesting deeper than %d levels", JSON_MAX_DEPTH);
    skip_ws(ps);
    memset(out, 0, sizeof *out);
    if (ps->p >= ps->end)
        return unexpected(ps, "a JSON value");
    const char *begin = ps->p;
    int rc = 0;
    switch (*ps->p) {
    case '{':
        rc = parse_object(ps, out, depth);
        break;
    case '[':
        rc = parse_array(ps, out, depth);
        break;
    case '"':
        out->type = JSON_STRING;
        rc = parse_string(ps, &out->u.str, &out->len);
        break;
    case 't':
        if (!match_word(ps, "true", 4))
            return unexpected(ps, "a JSON value");
        out->type = JSON_BOOL;
        out->u.b = true;
        break;
    case 'f':
        if (!match_word(ps, "false", 5))
            return unexpected(ps, "a JSON value");
        out->type = JSON_BOOL;
        out->u.b = false;
        break;
    case 'n':
        if (!match_word(ps, "null", 4))
            return unexpected(ps, "a JSON value");
        out->type = JSON_NULL;
        break;
    default:
        if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
            rc = parse_number(ps, out);
        else
            return unexpected(ps, "a JSON value");
    }
    if (rc)
        return rc;
    size_t raw_len = (size_t)(ps->p - begin);
    out->raw = begin;
    out->raw_len = raw_len > UINT32_MAX ? UINT32_MAX : (uint32_t)raw_len;
    return 0;
}

int json_parse_at(Arena *a, const char *text, size_t len, int64_t first_line, JsonNode **out,
                  TarnError *err)
{
    Parser ps;
    memset(&ps, 0, sizeof ps);
    ps.a = a;
    ps.start = text;
    ps.p = text;
    ps.end = text + len;
    ps.first_line = first_line;
    ps.err = err;
    buf_init(&ps.sbuf);
    JsonNode *root = arena_alloc(a, sizeof(JsonNode));
    int rc;
    if (!root) {
        rc = ERR_NOMEM(err, sizeof(JsonNode));
        goto done;
    }
    rc = parse_value(&ps, root, 1);
    if (rc)
        goto done;
    skip_ws(&ps);
    if (ps.p != ps.end) {
        rc = unexpected(&ps, "end of input after the JSON value");
        goto done;
    }
    *out = root;
done:
    tarn_free(ps.items);
    tarn_free(ps.members);
    buf_free(&ps.sbuf);
    return rc;
}

int json_parse(Arena *a, const char *text, size_t len, JsonNode **out, TarnError *err)
{
    return json_parse_at(a, text, len, 1, out, err);
}

const JsonNode *json_object_get(const JsonNode *obj, const char *key, size_t key_len)
{
    if (!obj || obj->type != JSON_OBJECT)
        return NULL;
    for (uint32_t i = obj->len; i-- > 0;) {
        const JsonMember *m = &obj->u.members[i];
        if (m->key_len == key_len && memcmp(m->key, key, key_len) == 0)
            return &m->value;
    }
    return NULL;
}

static int write_node(const JsonNode *n, Buf *out, int depth)
{
    if (depth > JSON_MAX_DEPTH + 1)
        return TARN_ERR_INVALID;
    char tmp[VALUE_TEXT_MAX];
    switch (n->type) {
    case JSON_NULL: return buf_append(out, "null", 4);
    case JSON_BOOL: return n->u.b ? buf_append(out, "true", 4) : buf_append(out, "false", 5);
    case JSON_INT: return buf_printf(out, "%lld", (long long)n->u.i);
    case JSON_DOUBLE: {
        size_t k = value_format_double(n->u.d, tmp);
        if (!isfinite(n->u.d))
            return value_append_json_string(out, tmp, k);
        /* Keep a double a double when read back: "-0" or "5" would parse
         * as the integer 0 or 5 (found by fuzz_json: -0.0 lost its sign). */
        if (!memchr(tmp, '.', k) && !memchr(tmp, 'e', k) && !memchr(tmp, 'E', k)) {
            tmp[k++] = '.';
            tmp[k++] = '0';
        }
        return buf_append(out, tmp, k);
    }
    case JSON_STRING: return value_append_json_string(out, n->u.str, n->len);
    case JSON_ARRAY: {
        if (buf_append_byte(out, '['))
            return TARN_ERR_NOMEM;
        for (uint32_t i = 0; i < n->len; i++) {
            if ((i && buf_append_byte(out, ',')))
                return TARN_ERR_NOMEM;
            int rc = write_node(&n->u.items[i], out, depth + 1);
            if (rc)
                return rc;
        }
        return buf_append_byte(out, ']');
    }
    case JSON_OBJECT: {
        if (buf_append_byte(out, '{'))
            return TARN_ERR_NOMEM;
        for (uint32_t i = 0; i < n->len; i++) {
            const JsonMember *m = &n->u.members[i];
            if ((i && buf_append_byte(out, ',')) ||
                value_append_json_string(out, m->key, m->key_len) || buf_append_byte(out, ':'))
                return TARN_ERR_NOMEM;
            int rc = write_node(&m->value, out, depth + 1);
            if (rc)
                return rc;
        }
        return buf_append_byte(out, '}');
    }
    }
    return TARN_ERR_INVALID;
}

int json_write_node(const JsonNode *n, Buf *out)
{
    return write_node(n, out, 0);
}
