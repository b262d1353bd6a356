/*
 * func_inlist.c - hashed IN lists: `x IN (c1, c2, ..., ck)` with many
 * constants is evaluated as one lookup per row in a hash set built at bind
 * time, instead of an OR of k comparisons (O(rows * k)).
 *
 * in_list_hashed() receives the OR of `x = ci` the binder made (each
 * comparison already resolved with PostgreSQL's rules, casts included) and
 * returns an equivalent call of the internal function "in_list" on x, or
 * NULL when the shape does not qualify: every comparison must be the same
 * `=` operator on the same left expression with a constant on the right,
 * and the type must compare by its bytes (integers, numeric, text, bytea,
 * date/time types, boolean, uuid; not floats or intervals, whose equality
 * is not bitwise).  Semantics are those of the OR: a match is true; no
 * match is NULL when x is NULL or some constant is NULL, else false.
 */
#include <string.h>

#include "sql/func/func_inlist.h"

#define IN_LIST_MIN 8

typedef struct InSet {
    TypeId id;
    uint32_t w;                 /* value width (StrView for strings) */
    bool str;
    bool has_null;
    uint8_t *vals;              /* n values of w bytes */
    uint32_t n;
    uint32_t *slots;            /* value index + 1, 0 = empty */
    uint64_t mask;
} InSet;

static inline uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static uint64_t hash_bytes(const uint8_t *p, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, p + i, 8);
        h = mix64(h ^ x);
    }
    if (i < n) {
        uint64_t x = 0;
        memcpy(&x, p + i, n - i);
        h = mix64(h ^ x ^ 0xA5);
    }
    return h;
}

static inline uint64_t hash_val(const InSet *s, const uint8_t *v)
{
    if (s->str) {
        const StrView *sv = (const StrView *)v;
        return hash_bytes((const uint8_t *)sv->ptr, sv->len);
    }
    return hash_bytes(v, s->w);
}

static inline bool eq_val(const InSet *s, const uint8_t *a, const uint8_t *b)
{
    if (s->str) {
        const StrView *x = (const StrView *)a, *y = (const StrView *)b;
        return x->len == y->len && (!x->len || !memcmp(x->ptr, y->ptr, x->len));
    }
    return !memcmp(a, b, s->w);
}

static bool set_find(const InSet *s, const uint8_t *v)
{
    uint64_t i = hash_val(s, v) & s->mask;
    for (;;) {
        uint32_t e = s->slots[i];
        if (!e)
            return false;
        if (eq_val(s, s->vals + (size_t)(e - 1) * s->w, v))
            return true;
        i = (i + 1) & s->mask;
    }
}

static int k_in_list(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows, Vector *out, TarnError *err)
{
    (void)n_args; (void)err;
    const InSet *s = ctx->bind_state;
    const Vector *x = args[0];
    bool *o = (bool *)out->data;
    bool any_null = false;
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!vec_is_valid(x, i)) {
            o[i] = false;
            any_null = true;
            continue;
        }
        o[i] = set_find(s, x->data + (size_t)s->w * i);
        any_null |= !o[i] && s->has_null;
    }
    if (any_null) {
        if (vec_ensure_validity(out))
            return TARN_ERR_NOMEM;
        for (uint32_t i = 0; i < n_rows; i++)
            if (!vec_is_valid(x, i) || (!o[i] && s->has_null))
                out->validity[i >> 3] &= (uint8_t) ~(1u << (i & 7));
    }
    out->len = n_rows;
    return 0;
}

static const FuncDef in_list_def = {
    .name = "in_list",
    .kind = FUNC_SCALAR,
    .n_args = 1,
    .args = {FUNC_T_ANY},
    .ret = TYPE_BOOL,
    .flags = FUNC_NO_ERRORS,
    .scalar = k_in_list,
    .doc = "x IN (constants), by hash lookup (internal)",
};

static bool bytewise_type(TypeId id)
{
    switch (id) {
    case TYPE_BOOL: case TYPE_INT8: case TYPE_INT16: case TYPE_INT32: case TYPE_INT64:
    case TYPE_UINT8: case TYPE_UINT16: case TYPE_UINT32: case TYPE_UINT64:
    case TYPE_DATE: case TYPE_TIME: case TYPE_TIMESTAMP: case TYPE_TIMESTAMPTZ:
    case TYPE_DECIMAL: case TYPE_UUID: case TYPE_STRING: case TYPE_BLOB:
        return true;
    default:
        return false;
    }
}

/* Writes constant c (of type t, not NULL) into dst (w bytes). */
static void put_const(const Value *c, const LogicalType *t, uint8_t *dst, uint32_t w)
{
    memset(dst, 0, w);
    switch (t->id) {
    case TYPE_BOOL: dst[0] = c->v.b; break;
    case TYPE_INT8: case TYPE_UINT8: { int8_t x = (int8_t)c->v.i; memcpy(dst, &x, 1); break; }
    case TYPE_INT16: case TYPE_UINT16: { int16_t x = (int16_t)c->v.i; memcpy(dst, &x, 2); break; }
    case TYPE_INT32: case TYPE_UINT32: case TYPE_DATE: { int32_t x = (int32_t)c->v.i; memcpy(dst, &x, 4); break; }
    case TYPE_DECIMAL:
        if (w == 16) {
            int128_t x = c->v.i128;
            memcpy(dst, &x, 16);
        } else {
            memcpy(dst, &c->v.i, 8);
        }
        break;
    case TYPE_STRING: case TYPE_BLOB: {
        StrView sv = c->v.s;
        sv.pad_ = 0;
        memcpy(dst, &sv, sizeof sv);
        break;
    }
    case TYPE_UUID: memcpy(dst, c->v.uuid, 16); break;
    default: memcpy(dst, &c->v.i, 8); break; /* int64, uint64, time, timestamps */
    }
}

Expr *in_list_hashed(Arena *a, const Expr *or_expr)
{
    const Expr *e = or_expr;
    if (e->kind != EX_OR || e->n_args < IN_LIST_MIN)
        return NULL;
    const Expr *first = e->args[0];
    if (first->kind != EX_FUNC || first->n_args != 2 || !first->u.func.def || strcmp(first->u.func.def->name, "="))
        return NULL;
    const Expr *x = first->args[0];
    const LogicalType *t = &x->type;
    if (!bytewise_type(t->id) || (t->id == TYPE_UUID && type_width(t) != 16))
        return NULL;
    Buf xt, yt;
    buf_init(&xt);
    buf_init(&yt);
    expr_to_text(x, &xt);
    bool ok = true;
    for (uint32_t i = 0; i < e->n_args && ok; i++) {
        const Expr *c = e->args[i];
        ok = c->kind == EX_FUNC && c->n_args == 2 && c->u.func.def == first->u.func.def &&
             c->args[1]->kind == EX_CONST && c->args[0]->type.id == t->id &&
             c->args[1]->type.id == t->id && c->args[0]->type.scale == t->scale &&
             c->args[1]->type.scale == t->scale && c->args[0]->type.precision == t->precision &&
             c->args[1]->type.precision == t->precision;
        if (ok && i) {
            yt.len = 0;
            expr_to_text(c->args[0], &yt);
            ok = yt.len == xt.len && !memcmp(xt.data, yt.data, xt.len) && !expr_has_volatile(c->args[0]);
        }
    }
    buf_free(&xt);
    buf_free(&yt);
    if (!ok || expr_has_volatile(x))
        return NULL;
    uint32_t k = e->n_args;
    InSet *s = arena_calloc(a, sizeof *s);
    if (!s)
        return NULL;
    s->id = t->id;
    s->str = type_is_string_like(t->id);
    s->w = (uint32_t)type_width(t);
    uint64_t cap = 16;
    while (cap < (uint64_t)k * 2)
        cap *= 2;
    s->mask = cap - 1;
    s->vals = arena_alloc(a, (size_t)k * s->w);
    s->slots = arena_calloc(a, cap * sizeof(uint32_t));
    if (!s->vals || !s->slots)
        return NULL;
    for (uint32_t i = 0; i < k; i++) {
        const Value *c = &e->args[i]->args[1]->u.cnst;
        if (c->is_null) {
            s->has_null = true;
            continue;
        }
        uint8_t *v = s->vals + (size_t)s->n * s->w;
        put_const(c, t, v, s->w);
        uint64_t h = hash_val(s, v) & s->mask;
        bool dup = false;
        for (;;) {
            uint32_t slot = s->slots[h];
            if (!slot)
                break;
            if (eq_val(s, s->vals + (size_t)(slot - 1) * s->w, v)) {
                dup = true;
                break;
            }
            h = (h + 1) & s->mask;
        }
        if (dup)
            continue;
        s->slots[h] = ++s->n;
    }
    Expr *f = expr_new(a, EX_FUNC, type_simple(TYPE_BOOL), 1, e->loc);
    if (!f)
        return NULL;
    f->u.func.def = &in_list_def;
    f->u.func.bind_state = s;
    f->args[0] = (Expr *)x;
    return f;
}
