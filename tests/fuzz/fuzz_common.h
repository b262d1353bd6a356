/*
 * fuzz_common.h - helpers shared by the fuzz targets (header-only).
 *
 * CHECK aborts on a broken invariant: libFuzzer reports it as a crash.
 * touch_vector reads every value a reader handed back (string bytes too),
 * so ASan sees views into freed or foreign memory, and checks the layout
 * invariants vector.h promises (lengths, offsets, children).
 */
#ifndef TARN_FUZZ_COMMON_H
#define TARN_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vector/vector.h"

#define CHECK(c)                                                              \
    do {                                                                      \
        if (!(c)) {                                                           \
            fprintf(stderr, "invariant broken: %s (%s:%d)\n", #c, __FILE__,   \
                    __LINE__);                                                \
            abort();                                                          \
        }                                                                     \
    } while (0)

static volatile uint64_t sink __attribute__((unused));

/* Touches every value of v[from, to) and checks vector.h's invariants. */
static inline void touch_vector(const Vector *v, uint32_t from, uint32_t to)
{
    CHECK(v->type != NULL);
    CHECK(from <= to && to <= v->len);
    CHECK(v->len <= v->cap || v->cap == 0);
    const LogicalType *t = v->type;
    uint64_t acc = 0;
    if (t->id == TYPE_STRUCT) {
        CHECK(v->n_children == t->n_fields);
        for (uint32_t c = 0; c < v->n_children; c++) {
            CHECK(v->children[c].len == v->len);
            touch_vector(&v->children[c], from, to);
        }
        for (uint32_t i = from; i < to; i++)
            acc += vec_is_valid(v, i);
        sink += acc;
        return;
    }
    if (t->id == TYPE_LIST || t->id == TYPE_MAP) {
        CHECK(v->offsets != NULL);
        CHECK(v->n_children == (t->id == TYPE_MAP ? 2u : 1u));
        CHECK(v->offsets[0] == 0);
        for (uint32_t i = 0; i < v->len; i++)
            CHECK(v->offsets[i] <= v->offsets[i + 1]);
        for (uint32_t c = 0; c < v->n_children; c++) {
            CHECK(v->offsets[v->len] == v->children[c].len);
            touch_vector(&v->children[c], v->offsets[from], v->offsets[to]);
        }
        for (uint32_t i = from; i < to; i++)
            acc += vec_is_valid(v, i) ? v->offsets[i + 1] - v->offsets[i] : 0;
        sink += acc;
        return;
    }
    size_t w = type_width(t);
    if (to > from && w)
        CHECK(v->data != NULL);
    for (uint32_t i = from; i < to; i++) {
        int valid = vec_is_valid(v, i);
        if (type_is_string_like(t->id)) {
            const StrView *s = &VEC_DATA(v, StrView)[i];
            if (valid && s->len) {
                CHECK(s->ptr != NULL);
                /* Reading every byte lets ASan catch dangling views. */
                for (uint32_t k = 0; k < s->len; k++)
                    acc += (uint8_t)s->ptr[k];
            }
        } else {
            const uint8_t *p = v->data + (size_t)i * w;
            for (size_t k = 0; k < w; k++)
                acc += p[k];
        }
    }
    sink += acc;
}

/* Touches every column of a batch. */
static inline void touch_batch(const Batch *b, const Schema *s)
{
    CHECK(b->n_cols == s->n_fields);
    for (uint32_t c = 0; c < b->n_cols; c++) {
        CHECK(b->cols[c].len == b->n_rows);
        touch_vector(&b->cols[c], 0, b->n_rows);
    }
}

/* Puts the input in an anonymous in-memory file, for readers that open a
 * path: writes "/proc/self/fd/N" into path and returns the descriptor
 * (close it when done), or -1. */
static inline int fuzz_mem_path(const uint8_t *data, size_t size, char *path, size_t cap)
{
    int fd = memfd_create("fuzz-input", 0);
    if (fd < 0)
        return -1;
    size_t off = 0;
    while (off < size) {
        ssize_t n = write(fd, data + off, size - off);
        if (n <= 0) {
            close(fd);
            return -1;
        }
        off += (size_t)n;
    }
    snprintf(path, cap, "/proc/self/fd/%d", fd);
    return fd;
}

#endif
