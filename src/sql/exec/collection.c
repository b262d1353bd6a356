/*
 * collection.c - materialized rows (see collection.h).
 */
#include "sql/exec/collection.h"

#include <string.h>

Collection *coll_new(uint32_t n_cols, const LogicalType *types, TarnError *err)
{
    Collection *c = tarn_malloc(sizeof *c);
    if (!c) {
        ERR_NOMEM(err, sizeof *c);
        return NULL;
    }
    coll_init(c, n_cols, types);
    return c;
}

void coll_delete(Collection *c)
{
    if (!c)
        return;
    coll_free(c);
    tarn_free(c);
}

void coll_emit_next(const Collection *c, uint32_t n_cols, atomic_uint *cursor, Vector **ptrs, Chunk *out)
{
    out->n_rows = 0;
    out->n_cols = n_cols;
    out->cols = ptrs;
    for (;;) {
        uint32_t i = atomic_fetch_add(cursor, 1);
        if (!c || i >= c->n_chunks)
            return;
        const CollChunk *k = &c->chunks[i];
        if (k->n_rows == 0)
            continue;
        for (uint32_t col = 0; col < n_cols; col++)
            ptrs[col] = &k->cols[col];
        out->n_rows = k->n_rows;
        return;
    }
}

void coll_init(Collection *c, uint32_t n_cols, const LogicalType *types)
{
    memset(c, 0, sizeof *c);
    c->n_cols = n_cols;
    c->types = types;
}

static void chunk_free(CollChunk *k, uint32_t n_cols)
{
    if (!k->cols)
        return;
    for (uint32_t i = 0; i < n_cols; i++)
        vec_destroy(&k->cols[i]);
    tarn_free(k->cols);
    k->cols = NULL;
}

void coll_free(Collection *c)
{
    for (uint32_t i = 0; i < c->n_chunks; i++)
        chunk_free(&c->chunks[i], c->n_cols);
    tarn_free(c->chunks);
    c->chunks = NULL;
    c->n_chunks = c->cap_chunks = 0;
    c->n_rows = 0;
    c->mem_bytes = 0;
}

static int new_chunk(Collection *c)
{
    if (c->n_chunks == c->cap_chunks) {
        uint32_t nc = c->cap_chunks ? c->cap_chunks * 2 : 8;
        CollChunk *n = tarn_realloc(c->chunks, nc * sizeof *n);
        if (!n)
            return TARN_ERR_NOMEM;
        c->chunks = n;
        c->cap_chunks = nc;
    }
    CollChunk *k = &c->chunks[c->n_chunks];
    k->n_rows = 0;
    k->cols = tarn_calloc(c->n_cols ? c->n_cols : 1, sizeof(Vector));
    if (!k->cols)
        return TARN_ERR_NOMEM;
    for (uint32_t i = 0; i < c->n_cols; i++) {
        if (vec_init(&k->cols[i], &c->types[i]) || vec_reserve(&k->cols[i], COLL_CHUNK_ROWS)) {
            chunk_free(k, c->n_cols);
            return TARN_ERR_NOMEM;
        }
        c->mem_bytes += (uint64_t)type_width(&c->types[i]) * COLL_CHUNK_ROWS + COLL_CHUNK_ROWS / 8;
    }
    c->n_chunks++;
    return 0;
}

/* Appends rows [from, from+m) of the (selected) input to chunk k at offset off. */
static int append_col(Vector *dst, uint32_t off, const Vector *src, const uint32_t *sel, uint32_t from, uint32_t m)
{
    if (type_is_nested(dst->type->id)) {
        dst->len = off;
        for (uint32_t t = 0; t < m; t++) {
            uint32_t i = src->is_const ? 0 : sel ? sel[from + t] : from + t;
            if (vec_append_from(dst, src, i))
                return TARN_ERR_NOMEM;
        }
        return 0;
    }
    size_t w = type_width(dst->type);
    uint8_t *d = dst->data + w * off;
    if (!src->is_const && sel && (w == 4 || w == 8 || w == 16)) {
        const uint32_t *sl = sel + from;
        if (w == 4)
            for (uint32_t t = 0; t < m; t++)
                ((uint32_t *)d)[t] = ((const uint32_t *)src->data)[sl[t]];
        else if (w == 8)
            for (uint32_t t = 0; t < m; t++)
                ((uint64_t *)d)[t] = ((const uint64_t *)src->data)[sl[t]];
        else
            for (uint32_t t = 0; t < m; t++)
                memcpy(d + 16 * (size_t)t, src->data + 16 * (size_t)sl[t], 16);
    } else if (!src->is_const && !sel) {
        memcpy(d, src->data + w * from, w * m);
    } else {
        for (uint32_t t = 0; t < m; t++) {
            uint32_t i = src->is_const ? 0 : sel ? sel[from + t] : from + t;
            memcpy(d + w * t, src->data + w * i, w);
        }
    }
    if (src->validity || dst->validity)
        for (uint32_t t = 0; t < m; t++) {
            uint32_t i = src->is_const ? 0 : sel ? sel[from + t] : from + t;
            if (!vec_is_valid(src, i)) {
                if (vec_set_null(dst, off + t))
                    return TARN_ERR_NOMEM;
            } else {
                vec_set_valid_bit(dst, off + t);
            }
        }
    if (type_is_string_like(dst->type->id)) {
        StrView *s = (StrView *)d;
        size_t total = 0;
        for (uint32_t t = 0; t < m; t++) {
            if (!vec_is_valid(dst, off + t)) {
                s[t].len = 0; /* NULL rows may hold garbage views */
                s[t].ptr = "";
            }
            total += s[t].len;
        }
        if (total) {
            char *p = arena_alloc(&dst->heap, total);
            if (!p)
                return TARN_ERR_NOMEM;
            for (uint32_t t = 0; t < m; t++) {
                if (s[t].len)
                    memcpy(p, s[t].ptr, s[t].len);
                s[t].ptr = p;
                p += s[t].len;
            }
        }
    }
    dst->len = off + m;
    return 0;
}

int coll_append(Collection *c, const Chunk *in, const uint32_t *sel, uint32_t n, TarnError *err)
{
    uint32_t done = 0;
    while (done < n) {
        if (c->n_chunks == 0 || c->chunks[c->n_chunks - 1].n_rows == COLL_CHUNK_ROWS) {
            if (new_chunk(c))
                return ERR_NOMEM(err, COLL_CHUNK_ROWS);
        }
        CollChunk *k = &c->chunks[c->n_chunks - 1];
        uint32_t m = COLL_CHUNK_ROWS - k->n_rows;
        if (m > n - done)
            m = n - done;
        for (uint32_t i = 0; i < c->n_cols; i++) {
            size_t before = k->cols[i].heap.total_bytes;
            if (append_col(&k->cols[i], k->n_rows, in->cols[i], sel, done, m))
                return ERR_NOMEM(err, m);
            c->mem_bytes += k->cols[i].heap.total_bytes - before;
        }
        k->n_rows += m;
        done += m;
        c->n_rows += m;
    }
    return 0;
}

int coll_move(Collection *dst, Collection *src, TarnError *err)
{
    if (src->n_chunks == 0)
        return 0;
    if (dst->n_chunks + src->n_chunks > dst->cap_chunks) {
        uint32_t nc = dst->n_chunks + src->n_chunks;
        CollChunk *n = tarn_realloc(dst->chunks, nc * sizeof *n);
        if (!n)
            return ERR_NOMEM(err, nc * sizeof *n);
        dst->chunks = n;
        dst->cap_chunks = nc;
    }
    /* Moving a non-full chunk into the middle is fine: row ids only assume
     * chunk-relative offsets, and readers check n_rows per chunk. */
    memcpy(dst->chunks + dst->n_chunks, src->chunks, src->n_chunks * sizeof *src->chunks);
    dst->n_chunks += src->n_chunks;
    dst->n_rows += src->n_rows;
    dst->mem_bytes += src->mem_bytes;
    src->mem_bytes = 0;
    tarn_free(src->chunks);
    src->chunks = NULL;
    src->n_chunks = src->cap_chunks = 0;
    src->n_rows = 0;
    return 0;
}

int coll_gather(const Collection *c, uint32_t col, const uint32_t *rows, uint32_t n, Vector *out)
{
    if (vec_prepare(out, n))
        return TARN_ERR_NOMEM;
    const LogicalType *t = &c->types[col];
    if (type_is_nested(t->id)) {
        vec_reset(out);
        for (uint32_t k = 0; k < n; k++) {
            const Vector *v = &c->chunks[coll_chunk_of(rows[k])].cols[col];
            if (vec_append_from(out, v, coll_off_of(rows[k])))
                return TARN_ERR_NOMEM;
        }
        return 0;
    }
    size_t w = type_width(t);
    const CollChunk *ch = c->chunks;
    /* values: one loop per width (a memcpy of a variable width is a call per value) */
#define COLL_GATHER(T)                                                                                     \
    for (uint32_t k = 0; k < n; k++)                                                                       \
        ((T *)out->data)[k] = ((const T *)ch[coll_chunk_of(rows[k])].cols[col].data)[coll_off_of(rows[k])]; \
    break;
    switch (w) {
    case 1: COLL_GATHER(uint8_t)
    case 2: COLL_GATHER(uint16_t)
    case 4: COLL_GATHER(uint32_t)
    case 8: COLL_GATHER(uint64_t)
    case 16:
        for (uint32_t k = 0; k < n; k++)
            memcpy(out->data + 16 * (size_t)k,
                   ch[coll_chunk_of(rows[k])].cols[col].data + 16 * (size_t)coll_off_of(rows[k]), 16);
        break;
    default:
        for (uint32_t k = 0; k < n; k++)
            memcpy(out->data + w * k, ch[coll_chunk_of(rows[k])].cols[col].data + w * coll_off_of(rows[k]), w);
    }
#undef COLL_GATHER
    bool nullable = false;
    for (uint32_t i = 0; i < c->n_chunks && !nullable; i++)
        nullable = ch[i].cols[col].validity != NULL;
    bool any_null = false;
    for (uint32_t k = 0; k < n && nullable; k++) {
        const Vector *v = &ch[coll_chunk_of(rows[k])].cols[col];
        uint32_t o = coll_off_of(rows[k]);
        if (v->validity && !vec_is_valid(v, o)) {
            if (!any_null) {
                if (vec_ensure_validity(out))
                    return TARN_ERR_NOMEM;
                memset(out->validity, 0xFF, (n + 7) / 8);
                any_null = true;
            }
            out->validity[k >> 3] &= (uint8_t) ~(1u << (k & 7));
        }
    }
    if (!any_null && out->validity)
        memset(out->validity, 0xFF, (out->cap + 7) / 8);
    return 0;
}
