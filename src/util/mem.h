/*
 * mem.h - allocation: the tarn_malloc family, arenas, and growable buffers.
 *
 * All allocation in tarn goes through tarn_malloc & co., which return NULL on
 * failure (never abort).  Tests can make the Nth allocation fail with
 * mem_fail_after() to exercise every error path (SQLite memdebug_fail style).
 *
 * Arena: a bump allocator whose memory is released all at once with
 * arena_reset / arena_free.  Use one per batch, per query, per commit.
 * Arenas are not thread-safe; give each thread its own.
 *
 * Buf: a growable byte buffer (data, len, cap) owned by its user; free with
 * buf_free.  buf_* growth functions return 0 or TARN_ERR_NOMEM.
 */
#ifndef TARN_UTIL_MEM_H
#define TARN_UTIL_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

void *tarn_malloc(size_t n);
void *tarn_calloc(size_t count, size_t size);
void *tarn_realloc(void *p, size_t n);
void tarn_free(void *p);
char *tarn_strdup(const char *s);
char *tarn_strndup(const char *s, size_t n);

/* Test hook: the allocation number n (1-based, counted from this call) and
 * every one after it fail.  n = 0 disables failures. */
void mem_fail_after(long n);
/* Number of allocations attempted since the last mem_fail_after call. */
long mem_alloc_count(void);

/* ---- Arena ------------------------------------------------------------ */

typedef struct ArenaChunk ArenaChunk;
typedef struct Arena {
    ArenaChunk *head;    /* newest chunk; owned */
    size_t chunk_size;   /* default size of a new chunk, bytes */
    size_t total_bytes;  /* bytes held in all chunks */
} Arena;

/* Initialises an arena whose chunks are at least chunk_size bytes (0 = 64 KiB). */
void arena_init(Arena *a, size_t chunk_size);
/* Returns n bytes aligned to 16, or NULL when out of memory. */
void *arena_alloc(Arena *a, size_t n);
/* Zeroed allocation. */
void *arena_calloc(Arena *a, size_t n);
/* Copy of a string / byte range (NUL-terminated) in the arena. */
char *arena_strdup(Arena *a, const char *s);
char *arena_strndup(Arena *a, const char *s, size_t n);
/* Releases every chunk but the first (kept for reuse); memory handed out is dead. */
void arena_reset(Arena *a);
/* Releases everything. */
void arena_free(Arena *a);

/* ---- Buf -------------------------------------------------------------- */

typedef struct Buf {
    uint8_t *data; /* owned; tarn_malloc'd */
    size_t len;    /* bytes used */
    size_t cap;    /* bytes allocated */
} Buf;

static inline void buf_init(Buf *b) { b->data = NULL; b->len = 0; b->cap = 0; }
void buf_free(Buf *b);
/* Ensures room for `extra` more bytes. */
int buf_reserve(Buf *b, size_t extra);
int buf_append(Buf *b, const void *p, size_t n);
int buf_append_byte(Buf *b, uint8_t c);
int buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s between two q characters, doubling every q inside: SQL's
 * quoting of identifiers (q = '"') and string literals (q = '\''). */
int buf_append_quoted(Buf *b, const char *s, char q);
/* Appends a NUL without counting it in len (so data is a C string). */
int buf_terminate(Buf *b);
static inline void buf_clear(Buf *b) { b->len = 0; }

/* ---- Little helpers ----------------------------------------------------- */

/* Reads a whole file into *out (caller frees with buf_free). */
int file_read_all(const char *path, Buf *out, TarnError *err);

static inline uint32_t load_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t load_le64(const uint8_t *p)
{
    return (uint64_t)load_le32(p) | (uint64_t)load_le32(p + 4) << 32;
}
static inline void store_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}
static inline void store_le64(uint8_t *p, uint64_t v)
{
    store_le32(p, (uint32_t)v);
    store_le32(p + 4, (uint32_t)(v >> 32));
}

#endif
