/*
 * func_misc.c - assorted PostgreSQL functions: md5, sha256 (and sha224),
 * encode / decode (hex, base64, escape), gen_random_uuid, version,
 * pg_typeof, num_nulls, num_nonnulls.
 *
 * MD5 (RFC 1321) and SHA-2 (FIPS 180-4) are implemented here, so tarn
 * needs no crypto library; they are checked against PostgreSQL's output
 * in the unit tests.  gen_random_uuid draws from getrandom(2) (version 4,
 * variant 1 like PostgreSQL's).  version() reports tarn in the shape PG
 * clients parse: "PostgreSQL 15.0 on x86_64-pc-linux-gnu, compiled by
 * tarn 0.1.0, 64-bit".
 */
#include "sql/func/func_lib.h"

#include <stdio.h>
#include <sys/random.h>

#include "sql/func/cast.h"
#include "tarn.h"
#include "util/sha256.h"

#define KERNEL(name)                                                                           \
    static int name(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows, Vector *out, \
                    TarnError *err)

/* ---- MD5 (RFC 1321) ------------------------------------------------------------------------------- */

typedef struct Md5 {
    uint32_t a, b, c, d;
} Md5;

static inline uint32_t rol32(uint32_t x, int k)
{
    return (x << k) | (x >> (32 - k));
}

static void md5_block(Md5 *s, const uint8_t *p)
{
    static const uint32_t K[64] = {
        0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
        0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
        0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
        0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
        0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
        0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
        0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
        0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391};
    static const int R[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                              5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                              4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                              6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};
    uint32_t m[16];
    for (int i = 0; i < 16; i++)
        m[i] = load_le32(p + 4 * i);
    uint32_t a = s->a, b = s->b, c = s->c, d = s->d;
    for (int i = 0; i < 64; i++) {
        uint32_t f;
        int g;
        if (i < 16) {
            f = (b & c) | (~b & d);
            g = i;
        } else if (i < 32) {
            f = (d & b) | (~d & c);
            g = (5 * i + 1) % 16;
        } else if (i < 48) {
            f = b ^ c ^ d;
            g = (3 * i + 5) % 16;
        } else {
            f = c ^ (b | ~d);
            g = (7 * i) % 16;
        }
        uint32_t t = d;
        d = c;
        c = b;
        b = b + rol32(a + f + K[i] + m[g], R[i]);
        a = t;
    }
    s->a += a;
    s->b += b;
    s->c += c;
    s->d += d;
}

static void md5(const uint8_t *data, size_t n, uint8_t out[16])
{
    Md5 s = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
    size_t full = n / 64 * 64;
    for (size_t i = 0; i < full; i += 64)
        md5_block(&s, data + i);
    uint8_t tail[128];
    size_t rest = n - full;
    memcpy(tail, data + full, rest);
    tail[rest] = 0x80;
    size_t tl = rest + 1 <= 56 ? 64 : 128;
    memset(tail + rest + 1, 0, tl - rest - 1);
    store_le64(tail + tl - 8, (uint64_t)n * 8);
    md5_block(&s, tail);
    if (tl == 128)
        md5_block(&s, tail + 64);
    store_le32(out, s.a);
    store_le32(out + 4, s.b);
    store_le32(out + 8, s.c);
    store_le32(out + 12, s.d);
}

/* ---- SHA-256 / SHA-224 (FIPS 180-4) ---------------------------------------------------------------- */

/* bits: 256 or 224 */
static void sha2(const uint8_t *data, size_t n, int bits, uint8_t *out)
{
    Sha256 s;
    if (bits == 224)
        sha224_init(&s);
    else
        sha256_init(&s);
    sha256_update(&s, data, n);
    sha256_final(&s, out);
}

static const char hexd[] = "0123456789abcdef";

KERNEL(k_md5)
{
    const StrView *s = FL_CSTR(args[0]);
    StrView *o = FL_STR(out);
    for (uint32_t i = 0; i < n_rows; i++) {
        o[i] = fl_sv(NULL, 0);
        if (!FUNC_ROW_VALID(out, i))
            continue;
        uint8_t dig[16];
        md5((const uint8_t *)s[i].ptr, s[i].len, dig);
        char *d = fl_str_alloc(out, 32);
        if (!d)
            return ERR_NOMEM(err, 32);
        for (int k = 0; k < 16; k++) {
            d[2 * k] = hexd[dig[k] >> 4];
            d[2 * k + 1] = hexd[dig[k] & 15];
        }
        o[i] = fl_sv(d, 32);
    }
    out->len = n_rows;
    return 0;
}

static int sha_kernel(Vector **args, uint32_t n_rows, Vector *out, TarnError *err, int bits)
{
    const StrView *s = FL_CSTR(args[0]);
    StrView *o = FL_STR(out);
    size_t len = (size_t)bits / 8;
    for (uint32_t i = 0; i < n_rows; i++) {
        o[i] = fl_sv(NULL, 0);
        if (!FUNC_ROW_VALID(out, i))
            continue;
        char *d = fl_str_alloc(out, len);
        if (!d)
            return ERR_NOMEM(err, len);
        sha2((const uint8_t *)s[i].ptr, s[i].len, bits, (uint8_t *)d);
        o[i] = fl_sv(d, len);
    }
    out->len = n_rows;
    return 0;
}

KERNEL(k_sha256) { return sha_kernel(args, n_rows, out, err, 256); }
KERNEL(k_sha224) { return sha_kernel(args, n_rows, out, err, 224); }

/* ---- encode / decode ---------------------------------------------------------------------------------- */

enum { ENC_HEX, ENC_BASE64, ENC_ESCAPE, ENC_BAD };

static int enc_kind(StrView f)
{
    char low[16];
    size_t n = f.len < sizeof low - 1 ? f.len : sizeof low - 1;
    for (size_t k = 0; k < n; k++)
        low[k] = (char)(f.ptr[k] >= 'A' && f.ptr[k] <= 'Z' ? f.ptr[k] + 32 : f.ptr[k]);
    low[n] = '\0';
    if (f.len < sizeof low && !strcmp(low, "hex"))
        return ENC_HEX;
    if (f.len < sizeof low && !strcmp(low, "base64"))
        return ENC_BASE64;
    if (f.len < sizeof low && !strcmp(low, "escape"))
        return ENC_ESCAPE;
    return ENC_BAD;
}

static int err_encoding(TarnError *err, StrView f)
{
    return err_set_state(err, TARN_ERR_INVALID, "22023", "unrecognized encoding: \"%.*s\"", (int)f.len, f.ptr);
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

KERNEL(k_encode)
{
    const Vector *bv = args[0], *fv = args[1];
    Buf b;
    buf_init(&b);
    int rc = 0;
    for (uint32_t i = 0; i < n_rows && !rc; i++) {
        FL_STR(out)[i] = fl_sv(NULL, 0);
        if (!FUNC_ROW_VALID(out, i))
            continue;
        StrView f = FL_CSTR(fv)[FUNC_IDX(fv, i)];
        StrView s = FL_CSTR(bv)[FUNC_IDX(bv, i)];
        const uint8_t *p = (const uint8_t *)s.ptr;
        buf_clear(&b);
        switch (enc_kind(f)) {
        case ENC_HEX:
            for (uint32_t k = 0; k < s.len && !rc; k++) {
                rc = buf_append_byte(&b, (uint8_t)hexd[p[k] >> 4]);
                rc |= buf_append_byte(&b, (uint8_t)hexd[p[k] & 15]);
            }
            break;
        case ENC_BASE64: {
            /* PostgreSQL breaks lines every 76 characters */
            uint32_t col = 0;
            for (uint32_t k = 0; k < s.len && !rc; k += 3) {
                uint32_t v = (uint32_t)p[k] << 16 | (k + 1 < s.len ? (uint32_t)p[k + 1] << 8 : 0) |
                             (k + 2 < s.len ? p[k + 2] : 0);
                char q[4] = {b64[v >> 18], b64[(v >> 12) & 63], k + 1 < s.len ? b64[(v >> 6) & 63] : '=',
                             k + 2 < s.len ? b64[v & 63] : '='};
                if (col >= 76) {
                    rc = buf_append_byte(&b, '\n');
                    col = 0;
                }
                rc |= buf_append(&b, q, 4);
                col += 4;
            }
            break;
        }
        case ENC_ESCAPE:
            for (uint32_t k = 0; k < s.len && !rc; k++) {
                if (p[k] == '\\')
                    rc = buf_append(&b, "\\\\", 2);
                else if (p[k] == 0 || p[k] >= 0x80) {
                    char t[5];
                    snprintf(t, sizeof t, "\\%03o", p[k]);
                    rc = buf_append(&b, t, 4);
                } else
                    rc = buf_append_byte(&b, p[k]);
            }
            break;
        default:
            rc = err_encoding(err, f);
            continue;
        }
        if (rc) {
            rc = ERR_NOMEM(err, b.len);
            break;
        }
        StrView sv;
        if (vec_str_copy(out, (const char *)b.data, b.len, &sv)) {
            rc = ERR_NOMEM(err, b.len);
            break;
        }
        FL_STR(out)[i] = sv;
    }
    buf_free(&b);
    out->len = n_rows;
    return rc;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int b64val(char c)
{
    const char *p = c ? strchr(b64, c) : NULL;
    return p ? (int)(p - b64) : -1;
}

KERNEL(k_decode)
{
    const Vector *sv = args[0], *fv = args[1];
    Buf b;
    buf_init(&b);
    int rc = 0;
    for (uint32_t i = 0; i < n_rows && !rc; i++) {
        FL_STR(out)[i] = fl_sv(NULL, 0);
        if (!FUNC_ROW_VALID(out, i))
            continue;
        StrView f = FL_CSTR(fv)[FUNC_IDX(fv, i)];
        StrView s = FL_CSTR(sv)[FUNC_IDX(sv, i)];
        buf_clear(&b);
        switch (enc_kind(f)) {
        case ENC_HEX:
            for (uint32_t k = 0; k < s.len && !rc;) {
                char c = s.ptr[k];
                if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
                    k++;
                    continue;
                }
                int hi = hexval(c);
                if (hi < 0) {
                    rc = err_set_state(err, TARN_ERR_INVALID, "22023", "invalid hexadecimal digit: \"%c\"", c);
                    break;
                }
                if (k + 1 >= s.len) {
                    rc = fl_err(err, "22023", "invalid hexadecimal data: odd number of digits");
                    break;
                }
                int lo = hexval(s.ptr[k + 1]);
                if (lo < 0) {
                    rc = err_set_state(err, TARN_ERR_INVALID, "22023", "invalid hexadecimal digit: \"%c\"",
                                       s.ptr[k + 1]);
                    break;
                }
                rc = buf_append_byte(&b, (uint8_t)(hi << 4 | lo)) ? ERR_NOMEM(err, b.len) : 0;
                k += 2;
            }
            break;
        case ENC_BASE64: {
            uint32_t acc = 0;
            int bits = 0, pad = 0;
            for (uint32_t k = 0; k < s.len && !rc; k++) {
                char c = s.ptr[k];
                if (c == ' ' || c == '\n' || c == '\t' || c == '\r')
                    continue;
                if (c == '=') {
                    pad++;
                    continue;
                }
                int v = b64val(c);
                if (v < 0 || pad) {
                    rc = err_set_state(err, TARN_ERR_INVALID, "22023", "invalid symbol \"%c\" found while decoding base64 sequence", c);
                    break;
                }
                acc = acc << 6 | (uint32_t)v;
                bits += 6;
                if (bits >= 8) {
                    bits -= 8;
                    if (buf_append_byte(&b, (uint8_t)(acc >> bits)))
                        rc = ERR_NOMEM(err, b.len);
                }
            }
            if (!rc && (bits >= 6 || (pad && bits == 0 && pad > 2)))
                rc = fl_err(err, "22023", "invalid base64 end sequence");
            break;
        }
        case ENC_ESCAPE:
            for (uint32_t k = 0; k < s.len && !rc;) {
                char c = s.ptr[k];
                if (c != '\\') {
                    rc = buf_append_byte(&b, (uint8_t)c) ? ERR_NOMEM(err, b.len) : 0;
                    k++;
                } else if (k + 1 < s.len && s.ptr[k + 1] == '\\') {
                    rc = buf_append_byte(&b, '\\') ? ERR_NOMEM(err, b.len) : 0;
                    k += 2;
                } else if (k + 3 < s.len && s.ptr[k + 1] >= '0' && s.ptr[k + 1] <= '3' && s.ptr[k + 2] >= '0' &&
                           s.ptr[k + 2] <= '7' && s.ptr[k + 3] >= '0' && s.ptr[k + 3] <= '7') {
                    int v = (s.ptr[k + 1] - '0') * 64 + (s.ptr[k + 2] - '0') * 8 + (s.ptr[k + 3] - '0');
                    rc = buf_append_byte(&b, (uint8_t)v) ? ERR_NOMEM(err, b.len) : 0;
                    k += 4;
                } else {
                    rc = fl_err(err, "22P02", "invalid input syntax for type bytea");
                }
            }
            break;
        default:
            rc = err_encoding(err, f);
            continue;
        }
        if (rc)
            break;
        StrView o;
        if (vec_str_copy(out, (const char *)b.data, b.len, &o)) {
            rc = ERR_NOMEM(err, b.len);
            break;
        }
        FL_STR(out)[i] = o;
    }
    buf_free(&b);
    out->len = n_rows;
    return rc;
}

/* ---- gen_random_uuid, version, pg_typeof, num_nulls ---------------------------------------------------- */

KERNEL(k_gen_random_uuid)
{
    uint8_t *d = out->data;
    size_t need = (size_t)n_rows * 16, got = 0;
    while (got < need) {
        ssize_t r = getrandom(d + got, need - got, 0);
        if (r < 0)
            return err_set_state(err, TARN_ERR_IO, "58000", "could not generate random values");
        got += (size_t)r;
    }
    for (uint32_t i = 0; i < n_rows; i++) {
        d[16 * i + 6] = (uint8_t)((d[16 * i + 6] & 0x0f) | 0x40); /* version 4 */
        d[16 * i + 8] = (uint8_t)((d[16 * i + 8] & 0x3f) | 0x80); /* variant RFC 4122 */
    }
    out->len = n_rows;
    return 0;
}

#define VERSION_TEXT "PostgreSQL 15.0 on x86_64-pc-linux-gnu, compiled by tarn " TARN_VERSION ", 64-bit"

KERNEL(k_version)
{
    for (uint32_t i = 0; i < n_rows; i++)
        FL_STR(out)[i] = fl_sv(VERSION_TEXT, sizeof VERSION_TEXT - 1);
    out->len = n_rows;
    return 0;
}

/* pg_typeof(any): the argument's type name (text; PG returns regtype). */
KERNEL(k_pg_typeof)
{
    char buf[128];
    const char *name = sqltype_name(ctx->arg_types[0], buf, sizeof buf);
    if (args[0]->type->id == TYPE_NULL)
        name = "unknown";
    else if (args[0]->type->id == TYPE_DECIMAL)
        name = "numeric"; /* regtype output has no type modifier */
    else if (args[0]->type->id == TYPE_STRING && (ctx->arg_types[0]->char_kind == TYPE_CHAR_BPCHAR ||
                                                  ctx->arg_types[0]->char_kind == TYPE_CHAR_VARCHAR))
        name = ctx->arg_types[0]->char_kind == TYPE_CHAR_BPCHAR ? "character" : "character varying";
    StrView sv;
    if (vec_str_copy(out, name, strlen(name), &sv))
        return ERR_NOMEM(err, strlen(name));
    if (out->validity)
        memset(out->validity, 0xFF, (n_rows + 7) / 8);
    for (uint32_t i = 0; i < n_rows; i++)
        FL_STR(out)[i] = sv;
    out->len = n_rows;
    return 0;
}

static int count_nulls(Vector **args, uint32_t n_args, uint32_t n_rows, Vector *out, bool nulls)
{
    int32_t *r = VEC_DATA(out, int32_t);
    if (out->validity)
        memset(out->validity, 0xFF, (n_rows + 7) / 8);
    for (uint32_t i = 0; i < n_rows; i++) {
        int32_t c = 0;
        for (uint32_t k = 0; k < n_args; k++)
            c += !fl_arg_valid(args[k], i);
        r[i] = nulls ? c : (int32_t)n_args - c;
    }
    out->len = n_rows;
    return 0;
}

KERNEL(k_num_nulls) { return count_nulls(args, n_args, n_rows, out, true); }
KERNEL(k_num_nonnulls) { return count_nulls(args, n_args, n_rows, out, false); }

/* ---- Registry ------------------------------------------------------------------------------------------- */

#define S TYPE_STRING
#define B TYPE_BLOB

const FuncDef func_defs_misc[] = {
    {.name = "md5", .kind = FUNC_SCALAR, .n_args = 1, .args = {S}, .ret = S,
     .flags = FUNC_STRICT, .scalar = k_md5},
    {.name = "md5", .kind = FUNC_SCALAR, .n_args = 1, .args = {B}, .ret = S,
     .flags = FUNC_STRICT, .scalar = k_md5},
    {.name = "sha256", .kind = FUNC_SCALAR, .n_args = 1, .args = {B}, .ret = B,
     .flags = FUNC_STRICT, .scalar = k_sha256},
    {.name = "sha224", .kind = FUNC_SCALAR, .n_args = 1, .args = {B}, .ret = B,
     .flags = FUNC_STRICT, .scalar = k_sha224},
    {.name = "encode", .kind = FUNC_SCALAR, .n_args = 2, .args = {B, S}, .ret = S,
     .flags = FUNC_STRICT | FUNC_CONST_ARGS, .scalar = k_encode},
    {.name = "decode", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, S}, .ret = B,
     .flags = FUNC_STRICT | FUNC_CONST_ARGS, .scalar = k_decode},
    {.name = "gen_random_uuid", .kind = FUNC_SCALAR, .n_args = 0, .ret = TYPE_UUID,
     .flags = FUNC_VOLATILE, .scalar = k_gen_random_uuid},
    {.name = "version", .kind = FUNC_SCALAR, .n_args = 0, .ret = S, .flags = FUNC_STABLE | FUNC_NO_ERRORS,
     .scalar = k_version},
    {.name = "pg_typeof", .kind = FUNC_SCALAR, .n_args = 1, .args = {FUNC_T_ANY}, .ret = S,
     .flags = FUNC_STABLE | FUNC_CONST_ARGS, .scalar = k_pg_typeof,
     .doc = "the argument's type name (text; PostgreSQL returns regtype)"},
    {.name = "num_nulls", .kind = FUNC_SCALAR, .n_args = 2, .args = {FUNC_T_ANY, FUNC_T_ANY}, .ret = TYPE_INT32,
     .flags = FUNC_VARIADIC | FUNC_CONST_ARGS | FUNC_NO_ERRORS, .scalar = k_num_nulls},
    {.name = "num_nonnulls", .kind = FUNC_SCALAR, .n_args = 2, .args = {FUNC_T_ANY, FUNC_T_ANY}, .ret = TYPE_INT32,
     .flags = FUNC_VARIADIC | FUNC_CONST_ARGS | FUNC_NO_ERRORS, .scalar = k_num_nonnulls},
    {0},
};
