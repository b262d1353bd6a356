/*
 * chunk.c - vector kernels shared by the operators (see chunk.h).
 */
#include "sql/exec/chunk.h"

#include <string.h>

int vec_prepare(Vector *v, uint32_t n)
{
    vec_reset(v);
    v->is_const = false;
    if (vec_reserve(v, n ? n : 1))
        return TARN_ERR_NOMEM;
    v->len = n;
    return 0;
}

/* Nested values (arrays, structs): the same elements, compared the same
 * way as top-level values (NULLs equal). */
static bool nested_not_distinct(const Vector *a, uint32_t ia, const Vector *b, uint32_t ib)
{
    if (a->type->id == TYPE_STRUCT) {
        for (uint32_t c = 0; c < a->n_children && c < b->n_children; c++)
            if (!vec_rows_not_distinct(&a->children[c], ia, &b->children[c], ib))
                return false;
        return a->n_children == b->n_children;
    }
    uint32_t sa = a->offsets[ia], na = a->offsets[ia + 1] - sa;
    uint32_t sb = b->offsets[ib], nb = b->offsets[ib + 1] - sb;
    if (na != nb || a->n_children != b->n_children)
        return false;
    for (uint32_t c = 0; c < a->n_children; c++)
        for (uint32_t k = 0; k < na; k++)
            if (!vec_rows_not_distinct(&a->children[c], sa + k, &b->children[c], sb + k))
                return false;
    return true;
}

bool vec_rows_not_distinct(const Vector *a, uint32_t ia, const Vector *b, uint32_t ib)
{
    bool an = !vec_is_valid(a, ia), bn = !vec_is_valid(b, ib);
    if (an || bn)
        return an == bn;
    if (type_is_nested(a->type->id))
        return nested_not_distinct(a, ia, b, ib);
    if (type_is_string_like(a->type->id)) {
        const StrView *x = &((const StrView *)a->data)[ia], *y = &((const StrView *)b->data)[ib];
        return x->len == y->len && (!x->len || !memcmp(x->ptr, y->ptr, x->len));
    }
    size_t w = type_width(a->type);
    return !memcmp(a->data + w * ia, b->data + w * ib, w);
}

static int copy_validity_gather(Vector *dst, const Vector *src, const uint32_t *sel, uint32_t n)
{
    if (!src->validity) {
        if (dst->validity)
            memset(dst->validity, 0xFF, (dst->cap + 7) / 8);
        return 0;
    }
    if (vec_ensure_validity(dst))
        return TARN_ERR_NOMEM;
    if (src->is_const) {
        memset(dst->validity, vec_is_valid(src, 0) ? 0xFF : 0, (n + 7) / 8);
        return 0;
    }
    if (!sel) {
        memcpy(dst->validity, src->validity, (n + 7) / 8);
        return 0;
    }
    memset(dst->validity, 0xFF, (n + 7) / 8);
    for (uint32_t k = 0; k < n; k++)
        if (!vec_is_valid(src, sel[k]))
            dst->validity[k >> 3] &= (uint8_t) ~(1u << (k & 7));
    return 0;
}

int vec_gather(Vector *dst, const Vector *src, const uint32_t *sel, uint32_t n)
{
    if (type_is_nested(src->type->id)) {
        /* nested values: row by row (rare in the engine's hot paths) */
        vec_reset(dst);
        dst->is_const = false;
        for (uint32_t k = 0; k < n; k++) {
            uint32_t i = src->is_const ? 0 : sel ? sel[k] : k;
            if (vec_append_from(dst, src, i))
                return TARN_ERR_NOMEM;
        }
        return 0;
    }
    if (vec_prepare(dst, n))
        return TARN_ERR_NOMEM;
    size_t w = type_width(src->type);
    const uint8_t *s = src->data;
    uint8_t *d = dst->data;
    if (src->is_const) {
        for (uint32_t k = 0; k < n; k++)
            memcpy(d + w * k, s, w);
    } else if (!sel) {
        memcpy(d, s, w * n);
    } else {
        switch (w) {
        case 1: for (uint32_t k = 0; k < n; k++) d[k] = s[sel[k]]; break;
        case 2: for (uint32_t k = 0; k < n; k++) ((uint16_t *)d)[k] = ((const uint16_t *)s)[sel[k]]; break;
        case 4: for (uint32_t k = 0; k < n; k++) ((uint32_t *)d)[k] = ((const uint32_t *)s)[sel[k]]; break;
        case 8: for (uint32_t k = 0; k < n; k++) ((uint64_t *)d)[k] = ((const uint64_t *)s)[sel[k]]; break;
        case 16:
            for (uint32_t k = 0; k < n; k++)
                memcpy(d + 16 * k, s + 16 * (size_t)sel[k], 16);
            break;
        default:
            for (uint32_t k = 0; k < n; k++)
                memcpy(d + w * k, s + w * sel[k], w);
        }
    }
    return copy_validity_gather(dst, src, sel, n);
}

int vec_scatter(Vector *dst, const Vector *src, const uint32_t *pos, uint32_t n)
{
    size_t w = type_width(src->type);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = src->is_const ? 0 : k;
        memcpy(dst->data + w * pos[k], src->data + w * i, w);
        if (!vec_is_valid(src, i)) {
            if (vec_set_null(dst, pos[k]))
                return TARN_ERR_NOMEM;
        } else {
            vec_set_valid_bit(dst, pos[k]);
        }
    }
    return 0;
}

int vec_own_strings(Vector *v, uint32_t n)
{
    if (!type_is_string_like(v->type->id))
        return 0;
    StrView *s = (StrView *)v->data;
    size_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (!vec_is_valid(v, i)) {
            s[i].len = 0;
            s[i].ptr = "";
        }
        total += s[i].len;
    }
    char *p = arena_alloc(&v->heap, total ? total : 1);
    if (!p)
        return TARN_ERR_NOMEM;
    for (uint32_t i = 0; i < n; i++) {
        if (s[i].len)
            memcpy(p, s[i].ptr, s[i].len);
        s[i].ptr = p;
        p += s[i].len;
    }
    return 0;
}

int vec_copy_deep(Vector *dst, const Vector *src, uint32_t n)
{
    if (vec_gather(dst, src, NULL, n))
        return TARN_ERR_NOMEM;
    return vec_own_strings(dst, n);
}

/* ---- Hashing ------------------------------------------------------------------------ */

static inline uint64_t mix64(uint64_t x)
{
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93ULL;
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93ULL;
    x ^= x >> 32;
    return x;
}

static inline uint64_t hash_bytes(const void *p, size_t n)
{
    const uint8_t *b8 = p;
    if (n <= 8) {
        /* short strings (codes, flags): one word from overlapping loads
         * (wyhash style, no variable-length memcpy), one mix */
        uint64_t x;
        if (n >= 4) {
            uint32_t lo, hi;
            memcpy(&lo, b8, 4);
            memcpy(&hi, b8 + n - 4, 4);
            x = (uint64_t)lo | (uint64_t)hi << 32;
        } else if (n > 0) {
            x = (uint64_t)b8[0] | (uint64_t)b8[n >> 1] << 8 | (uint64_t)b8[n - 1] << 16;
        } else {
            x = 0;
        }
        return mix64(x ^ (n * 0x9e3779b97f4a7c15ULL));
    }
    if (n <= 16) {
        uint64_t x, y = 0;
        memcpy(&x, p, 8);
        memcpy(&y, (const uint8_t *)p + 8, n - 8);
        return mix64(mix64(x ^ (n * 0x9e3779b97f4a7c15ULL)) ^ y);
    }
    /* FNV-1a folded through mix64; strings in keys are short. */
    const uint8_t *b = p;
    uint64_t h = 0xcbf29ce484222325ULL ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, b + i, 8);
        h = (h ^ mix64(x)) * 0x100000001b3ULL;
    }
    uint64_t t = 0;
    for (size_t k = 0; i < n; i++, k++)
        t |= (uint64_t)b[i] << (8 * k);
    h = (h ^ mix64(t + n)) * 0x100000001b3ULL;
    return mix64(h);
}

#define NULL_HASH 0x9e3779b97f4a7c15ULL

static void vec_hash_rows(const Vector *v, uint32_t from, uint32_t n, uint64_t *h);

static inline uint64_t combine(uint64_t a, uint64_t b) { return mix64(a * 31 + b); }

/* Hash of nested value i of v (consistent with nested_not_distinct). */
static uint64_t nested_hash(const Vector *v, uint32_t i)
{
    uint64_t x = (uint64_t)v->type->id;
    if (v->type->id == TYPE_STRUCT) {
        for (uint32_t c = 0; c < v->n_children; c++) {
            uint64_t e;
            vec_hash_rows(&v->children[c], i, 1, &e);
            x = combine(x, e);
        }
        return x;
    }
    uint32_t s = v->offsets[i], n = v->offsets[i + 1] - s;
    x = combine(x, n);
    for (uint32_t c = 0; c < v->n_children; c++)
        for (uint32_t k = 0; k < n; k++) {
            uint64_t e;
            vec_hash_rows(&v->children[c], s + k, 1, &e);
            x = combine(x, e);
        }
    return x;
}

static void vec_hash_rows(const Vector *v, uint32_t from, uint32_t n, uint64_t *h)
{
    /* rows from.. of a (never constant) child vector */
    for (uint32_t i = 0; i < n; i++) {
        uint32_t k = from + i;
        if (!vec_is_valid(v, k)) {
            h[i] = NULL_HASH;
        } else if (type_is_nested(v->type->id)) {
            h[i] = nested_hash(v, k);
        } else {
            Vector one = *v;
            /* one row through the flat kernel: shift the data pointer */
            size_t w = type_width(v->type);
            one.data = v->data + w * k;
            one.validity = NULL;
            one.is_const = false;
            vec_hash(&one, 1, &h[i], true);
        }
    }
}

void vec_hash(const Vector *v, uint32_t n, uint64_t *h, bool init)
{
    TypeId id = v->type->id;
    size_t w = type_width(v->type);
    if (type_is_nested(id)) {
        /* arrays / structs as keys (dependent joins): element by element */
        for (uint32_t i = 0; i < n; i++) {
            uint32_t k = v->is_const ? 0 : i;
            uint64_t x = vec_is_valid(v, k) ? nested_hash(v, k) : NULL_HASH;
            h[i] = init ? x : combine(h[i], x);
        }
        return;
    }
    /* the common cases without NULLs: one loop each, no per-row dispatch */
    if (!v->is_const && !v->validity) {
        if (type_is_string_like(id)) {
            const StrView *s = (const StrView *)v->data;
            if (init)
                for (uint32_t i = 0; i < n; i++)
                    h[i] = hash_bytes(s[i].ptr, s[i].len);
            else
                for (uint32_t i = 0; i < n; i++)
                    h[i] = combine(h[i], hash_bytes(s[i].ptr, s[i].len));
            return;
        }
        if (w == 8 || w == 4) {
            for (uint32_t i = 0; i < n; i++) {
                uint64_t x = w == 8 ? ((const uint64_t *)v->data)[i] : ((const uint32_t *)v->data)[i];
                x = mix64(x + 1);
                h[i] = init ? x : combine(h[i], x);
            }
            return;
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t k = v->is_const ? 0 : i;
        uint64_t x;
        if (!vec_is_valid(v, k)) {
            x = NULL_HASH;
        } else if (type_is_string_like(id)) {
            const StrView *s = &((const StrView *)v->data)[k];
            x = hash_bytes(s->ptr, s->len);
        } else {
            switch (w) {
            case 1: x = mix64(v->data[k] + 1); break;
            case 2: x = mix64((uint64_t)((const uint16_t *)v->data)[k] + 1); break;
            case 4: x = mix64((uint64_t)((const uint32_t *)v->data)[k] + 1); break;
            case 8: x = mix64(((const uint64_t *)v->data)[k] + 1); break;
            default: x = hash_bytes(v->data + w * k, w); break;
            }
        }
        h[i] = init ? x : combine(h[i], x);
    }
}

void vec_hash_sel(const Vector *v, const uint32_t *sel, uint32_t k, uint64_t *h)
{
    TypeId id = v->type->id;
    size_t w = type_width(v->type);
    if (!v->is_const && !v->validity && !type_is_nested(id) && !type_is_string_like(id) && (w == 8 || w == 4)) {
        if (w == 8)
            for (uint32_t j = 0; j < k; j++)
                h[sel[j]] = mix64(((const uint64_t *)v->data)[sel[j]] + 1);
        else
            for (uint32_t j = 0; j < k; j++)
                h[sel[j]] = mix64((uint64_t)((const uint32_t *)v->data)[sel[j]] + 1);
        return;
    }
    /* as vec_hash's general loop, row by row */
    for (uint32_t j = 0; j < k; j++) {
        uint32_t i = sel[j], r = v->is_const ? 0 : i;
        uint64_t x;
        if (type_is_nested(id)) {
            x = vec_is_valid(v, r) ? nested_hash(v, r) : NULL_HASH;
        } else if (!vec_is_valid(v, r)) {
            x = NULL_HASH;
        } else if (type_is_string_like(id)) {
            const StrView *s = &((const StrView *)v->data)[r];
            x = hash_bytes(s->ptr, s->len);
        } else {
            switch (w) {
            case 1: x = mix64(v->data[r] + 1); break;
            case 2: x = mix64((uint64_t)((const uint16_t *)v->data)[r] + 1); break;
            case 4: x = mix64((uint64_t)((const uint32_t *)v->data)[r] + 1); break;
            case 8: x = mix64(((const uint64_t *)v->data)[r] + 1); break;
            default: x = hash_bytes(v->data + w * r, w); break;
            }
        }
        h[i] = x;
    }
}
