/*
 * func_char.c - the length coercions of varchar(n) and char(n):
 * PostgreSQL's varchar(text, n, is_explicit) and bpchar(text, n,
 * is_explicit), which the binder puts on every explicit cast and every
 * assignment to a column of those types (bind/bind_char.c).
 *
 *   - at most n characters: unchanged (char(n): see below);
 *   - longer: an explicit cast truncates to n characters; an assignment
 *     truncates when the excess is all spaces, else 22001 "value too long
 *     for type character varying(n)" / "character(n)".
 *
 * char(n) values are kept without their trailing spaces (PostgreSQL treats
 * them as insignificant: comparisons, length(), || and casts to text all
 * ignore them) and padded to n only when printed (sql_api.c).  Characters
 * are counted in UTF-8 code points, as PostgreSQL does.
 */
#include <string.h>

#include "sql/func/func_lib.h"

/* Byte offset after the first n characters of s (len if it has fewer). */
static uint32_t char_prefix(const char *s, uint32_t len, uint32_t n)
{
    uint32_t off = 0;
    for (uint32_t k = 0; k < n && off < len; k++)
        off += fl_utf8_seq((const uint8_t *)s + off, len - off);
    return off;
}

static int coerce(Vector **args, uint32_t n_rows, Vector *out, bool bpchar, TarnError *err)
{
    const Vector *v = args[0], *nv = args[1], *ev = args[2];
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!FUNC_ROW_VALID(out, i))
            continue;
        StrView s = FL_CSTR(v)[FUNC_IDX(v, i)];
        int32_t n = VEC_DATA(nv, int32_t)[FUNC_IDX(nv, i)];
        bool explicit_cast = VEC_DATA(ev, uint8_t)[FUNC_IDX(ev, i)];
        uint32_t len = s.len;
        if (n > 0 && len > (uint32_t)n) { /* more bytes than n: maybe more characters */
            uint32_t cut = char_prefix(s.ptr, len, (uint32_t)n);
            if (cut < len) {
                if (!explicit_cast)
                    for (uint32_t k = cut; k < len; k++)
                        if (s.ptr[k] != ' ')
                            return err_set_state(err, TARN_ERR_INVALID, "22001", "value too long for type %s(%d)",
                                                 bpchar ? "character" : "character varying", n);
                len = cut;
            }
        }
        if (bpchar)
            while (len > 0 && s.ptr[len - 1] == ' ')
                len--;
        FL_STR(out)[i] = fl_sv(s.ptr, len);
    }
    out->len = n_rows;
    return 0;
}

int char_coerce_vector(Vector *v, uint32_t n_rows, const LogicalType *t, TarnError *err)
{
    if (v->type->id != TYPE_STRING || !t->char_kind || !t->char_len)
        return 0;
    bool bpchar = t->char_kind == TYPE_CHAR_BPCHAR;
    StrView *sv = FL_STR(v);
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!vec_is_valid(v, i))
            continue;
        uint32_t len = sv[i].len;
        if (len > t->char_len) {
            uint32_t cut = char_prefix(sv[i].ptr, len, t->char_len);
            for (uint32_t k = cut; k < len; k++)
                if (sv[i].ptr[k] != ' ')
                    return err_set_state(err, TARN_ERR_INVALID, "22001", "value too long for type %s(%u)",
                                         bpchar ? "character" : "character varying", t->char_len);
            len = cut;
        }
        if (bpchar)
            while (len > 0 && sv[i].ptr[len - 1] == ' ')
                len--;
        sv[i].len = len;
    }
    return 0;
}

static int k_varchar(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows, Vector *out, TarnError *err)
{
    (void)ctx;
    (void)n_args;
    return coerce(args, n_rows, out, false, err);
}

static int k_bpchar(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows, Vector *out, TarnError *err)
{
    (void)ctx;
    (void)n_args;
    return coerce(args, n_rows, out, true, err);
}

#define S TYPE_STRING

const FuncDef func_defs_char[] = {
    {.name = "varchar", .kind = FUNC_SCALAR, .n_args = 3, .args = {S, TYPE_INT32, TYPE_BOOL}, .ret = S,
     .flags = FUNC_STRICT | FUNC_CONST_ARGS, .scalar = k_varchar,
     .doc = "varchar(s, n, is_explicit): the length coercion of varchar(n)"},
    {.name = "bpchar", .kind = FUNC_SCALAR, .n_args = 3, .args = {S, TYPE_INT32, TYPE_BOOL}, .ret = S,
     .flags = FUNC_STRICT | FUNC_CONST_ARGS, .scalar = k_bpchar,
     .doc = "bpchar(s, n, is_explicit): the length coercion of char(n) (trailing spaces dropped; padded on output)"},
    {0},
};
