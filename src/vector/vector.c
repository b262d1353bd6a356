/*
 * vector.c - column vectors and batches (see vector.h).
 */
#include "vector/vector.h"

#include <string.h>

int vec_init(Vector *v, const LogicalType *t)
{
    memset(v, 0, sizeof *v);
    v->type = t;
    arena_init(&v->heap, 16 * 1024);
    if (t->n_fields) {
        v->children = tarn_calloc(t->n_fields, sizeof(Vector));
        if (!v->children)
            return TARN_ERR_NOMEM;
        v->n_children = t->n_fields;
        for (uint32_t i = 0; i < t->n_fields; i++) {
            if (vec_init(&v->children[i], &t->fields[i].type)) {
                vec_destroy(v);
                return TARN_ERR_NOMEM;
            }
        }
    }
    if (t->id == TYPE_LIST || t->id == TYPE_MAP) {
        v->offsets = tarn_calloc(1, sizeof(uint32_t));
        if (!v->offsets) {
            vec_destroy(v);
            return TARN_ERR_NOMEM;
        }
    }
    return 0;
}

void vec_destroy(Vector *v)
{
    if (v->children) {
        for (uint32_t i = 0; i < v->n_children; i++)
            vec_destroy(&v->children[i]);
        tarn_free(v->children);
    }
    tarn_free(v->data);
    tarn_free(v->validity);
    tarn_free(v->offsets);
    arena_free(&v->heap);
    memset(v, 0, sizeof *v);
}

void vec_reset(Vector *v)
{
    v->len = 0;
    if (v->validity)
        memset(v->validity, 0xFF, (v->cap + 7) / 8);
    if (v->offsets)
        v->offsets[0] = 0;
    arena_reset(&v->heap);
    for (uint32_t i = 0; i < v->n_children; i++)
        vec_reset(&v->children[i]);
}

int vec_reserve(Vector *v, uint32_t n)
{
    if (n <= v->cap)
        return 0;
    uint64_t cap = v->cap ? v->cap : 16;
    while (cap < n)
        cap *= 2;
    if (cap > UINT32_MAX - 1)
        cap = UINT32_MAX - 1;
    if (cap < n)
        return TARN_ERR_NOMEM;
    size_t w = type_width(v->type);
    if (w) {
        uint8_t *d = tarn_realloc(v->data, (size_t)cap * w);
        if (!d)
            return TARN_ERR_NOMEM;
        v->data = d;
    }
    if (v->validity) {
        uint8_t *b = tarn_realloc(v->validity, (size_t)(cap + 7) / 8);
        if (!b)
            return TARN_ERR_NOMEM;
        memset(b + (v->cap + 7) / 8, 0xFF, (size_t)(cap + 7) / 8 - (v->cap + 7) / 8);
        v->validity = b;
    }
    if (v->offsets) {
        uint32_t *o = tarn_realloc(v->offsets, (size_t)(cap + 1) * sizeof(uint32_t));
        if (!o)
            return TARN_ERR_NOMEM;
        v->offsets = o;
    }
    v->cap = (uint32_t)cap;
    return 0;
}

int vec_ensure_validity(Vector *v)
{
    if (v->validity)
        return 0;
    size_t nbytes = (size_t)(v->cap + 7) / 8;
    v->validity = tarn_malloc(nbytes ? nbytes : 1);
    if (!v->validity)
        return TARN_ERR_NOMEM;
    memset(v->validity, 0xFF, nbytes ? nbytes : 1);
    return 0;
}

int vec_set_null(Vector *v, uint32_t i)
{
    if (vec_ensure_validity(v))
        return TARN_ERR_NOMEM;
    v->validity[i >> 3] &= (uint8_t) ~(1u << (i & 7));
    return 0;
}

uint32_t vec_null_count(const Vector *v)
{
    if (!v->validity)
        return 0;
    uint32_t n = 0;
    uint32_t full = v->len / 8;
    for (uint32_t i = 0; i < full; i++)
        n += 8 - (uint32_t)__builtin_popcount(v->validity[i]);
    for (uint32_t i = full * 8; i < v->len; i++)
        n += !vec_is_valid(v, i);
    return n;
}

static int grow_one(Vector *v)
{
    if (v->len < v->cap)
        return 0;
    return vec_reserve(v, v->len + 1);
}

/* Appends a default-initialised (zero) value at the end; used for NULLs. */
static int append_zero(Vector *v)
{
    if (grow_one(v))
        return TARN_ERR_NOMEM;
    size_t w = type_width(v->type);
    if (w)
        memset(v->data + (size_t)v->len * w, 0, w);
    if (v->offsets)
        v->offsets[v->len + 1] = v->offsets[v->len];
    v->len++;
    return 0;
}

int vec_append_null(Vector *v)
{
    if (append_zero(v))
        return TARN_ERR_NOMEM;
    if (v->type->id == TYPE_STRUCT) {
        for (uint32_t i = 0; i < v->n_children; i++)
            if (vec_append_null(&v->children[i]))
                return TARN_ERR_NOMEM;
    }
    return vec_set_null(v, v->len - 1);
}

int vec_append_bool(Vector *v, bool x)
{
    if (grow_one(v))
        return TARN_ERR_NOMEM;
    v->data[v->len++] = x ? 1 : 0;
    return 0;
}

int vec_append_i64(Vector *v, int64_t x)
{
    if (grow_one(v))
        return TARN_ERR_NOMEM;
    uint32_t i = v->len;
    switch (v->type->id) {
    case TYPE_BOOL: v->data[i] = x != 0; break;
    case TYPE_INT8: ((int8_t *)v->data)[i] = (int8_t)x; break;
    case TYPE_UINT8: ((uint8_t *)v->data)[i] = (uint8_t)x; break;
    case TYPE_INT16: ((int16_t *)v->data)[i] = (int16_t)x; break;
    case TYPE_UINT16: ((uint16_t *)v->data)[i] = (uint16_t)x; break;
    case TYPE_INT32:
    case TYPE_DATE: ((int32_t *)v->data)[i] = (int32_t)x; break;
    case TYPE_UINT32: ((uint32_t *)v->data)[i] = (uint32_t)x; break;
    case TYPE_DECIMAL:
        if (v->type->precision > DECIMAL64_MAX_PRECISION) {
            ((int128_t *)v->data)[i] = x;
            break;
        }
        ((int64_t *)v->data)[i] = x;
        break;
    case TYPE_FLOAT: ((float *)v->data)[i] = (float)x; break;
    case TYPE_DOUBLE: ((double *)v->data)[i] = (double)x; break;
    default: ((int64_t *)v->data)[i] = x; break;
    }
    v->len++;
    return 0;
}

int vec_append_u64(Vector *v, uint64_t x)
{
    if (v->type->id == TYPE_UINT64) {
        if (grow_one(v))
            return TARN_ERR_NOMEM;
        ((uint64_t *)v->data)[v->len++] = x;
        return 0;
    }
    return vec_append_i64(v, (int64_t)x);
}

int vec_append_i128(Vector *v, int128_t x)
{
    if (v->type->id == TYPE_DECIMAL && v->type->precision > DECIMAL64_MAX_PRECISION) {
        if (grow_one(v))
            return TARN_ERR_NOMEM;
        ((int128_t *)v->data)[v->len++] = x;
        return 0;
    }
    return vec_append_i64(v, (int64_t)x);
}

int vec_append_double(Vector *v, double x)
{
    if (grow_one(v))
        return TARN_ERR_NOMEM;
    if (v->type->id == TYPE_FLOAT)
        ((float *)v->data)[v->len] = (float)x;
    else
        ((double *)v->data)[v->len] = x;
    v->len++;
    return 0;
}

int vec_append_interval(Vector *v, Interval x)
{
    if (grow_one(v))
        return TARN_ERR_NOMEM;
    ((Interval *)v->data)[v->len++] = x;
    return 0;
}

int vec_str_copy(Vector *v, const char *s, size_t n, StrView *out)
{
    if (n > UINT32_MAX)
        return TARN_ERR_NOMEM;
    char *d = NULL;
    if (n) {
        d = arena_alloc(&v->heap, n);
        if (!d)
            return TARN_ERR_NOMEM;
        memcpy(d, s, n);
    }
    out->len = (uint32_t)n;
    out->pad_ = 0;
    out->ptr = d ? d : "";
    return 0;
}

int vec_append_str(Vector *v, const char *s, size_t n)
{
    if (grow_one(v))
        return TARN_ERR_NOMEM;
    if (v->type->id == TYPE_UUID) {
        uint8_t *d = v->data + (size_t)v->len * 16;
        memset(d, 0, 16);
        memcpy(d, s, n < 16 ? n : 16);
        v->len++;
        return 0;
    }
    StrView sv;
    if (vec_str_copy(v, s, n, &sv))
        return TARN_ERR_NOMEM;
    ((StrView *)v->data)[v->len++] = sv;
    return 0;
}

int vec_append_list_end(Vector *v)
{
    if (grow_one(v))
        return TARN_ERR_NOMEM;
    v->offsets[v->len + 1] = v->children[0].len;
    v->len++;
    return 0;
}

int vec_append_struct_end(Vector *v)
{
    if (grow_one(v))
        return TARN_ERR_NOMEM;
    v->data[v->len] = 0;
    v->len++;
    return 0;
}

int vec_append_from(Vector *dst, const Vector *src, uint32_t i)
{
    if (!vec_is_valid(src, i))
        return vec_append_null(dst);
    switch (src->type->id) {
    case TYPE_LIST:
    case TYPE_MAP:
        for (uint32_t j = src->offsets[i]; j < src->offsets[i + 1]; j++)
            for (uint32_t c = 0; c < src->n_children; c++)
                if (vec_append_from(&dst->children[c], &src->children[c], j))
                    return TARN_ERR_NOMEM;
        return vec_append_list_end(dst);
    case TYPE_STRUCT:
        for (uint32_t c = 0; c < src->n_children; c++)
            if (vec_append_from(&dst->children[c], &src->children[c], i))
                return TARN_ERR_NOMEM;
        return vec_append_struct_end(dst);
    case TYPE_STRING:
    case TYPE_BLOB:
    case TYPE_JSON: {
        const StrView *s = &((const StrView *)src->data)[i];
        return vec_append_str(dst, s->ptr, s->len);
    }
    default: {
        if (grow_one(dst))
            return TARN_ERR_NOMEM;
        size_t w = type_width(src->type);
        memcpy(dst->data + (size_t)dst->len * w, src->data + (size_t)i * w, w);
        dst->len++;
        return 0;
    }
    }
}

int batch_init(Batch *b, const Schema *s)
{
    memset(b, 0, sizeof *b);
    b->schema = s;
    if (!s->n_fields)
        return 0;
    b->cols = tarn_calloc(s->n_fields, sizeof(Vector));
    if (!b->cols)
        return TARN_ERR_NOMEM;
    for (uint32_t i = 0; i < s->n_fields; i++) {
        if (vec_init(&b->cols[i], &s->fields[i].type)) {
            batch_destroy(b);
            return TARN_ERR_NOMEM;
        }
        b->n_cols = i + 1;
    }
    return 0;
}

void batch_destroy(Batch *b)
{
    for (uint32_t i = 0; i < b->n_cols; i++)
        vec_destroy(&b->cols[i]);
    tarn_free(b->cols);
    memset(b, 0, sizeof *b);
}

void batch_reset(Batch *b)
{
    for (uint32_t i = 0; i < b->n_cols; i++)
        vec_reset(&b->cols[i]);
    b->n_rows = 0;
}
