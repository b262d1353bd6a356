/*
 * mem.c - allocation with a failure hook, arenas and growable buffers.
 */
#include "util/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static _Atomic long fail_at;   /* 0 = never */
static _Atomic long n_allocs;

void mem_fail_after(long n)
{
    atomic_store(&n_allocs, 0);
    atomic_store(&fail_at, n);
}

long mem_alloc_count(void)
{
    return atomic_load(&n_allocs);
}

static bool should_fail(void)
{
    long f = atomic_load_explicit(&fail_at, memory_order_relaxed);
    if (!f)
        return false;
    long k = atomic_fetch_add(&n_allocs, 1) + 1;
    return k >= f;
}

void *tarn_malloc(size_t n)
{
    if (should_fail())
        return NULL;
    return malloc(n ? n : 1);
}

void *tarn_calloc(size_t count, size_t size)
{
    if (should_fail())
        return NULL;
    return calloc(count ? count : 1, size ? size : 1);
}

void *tarn_realloc(void *p, size_t n)
{
    if (should_fail())
        return NULL;
    return realloc(p, n ? n : 1);
}

void tarn_free(void *p)
{
    free(p);
}

char *tarn_strndup(const char *s, size_t n)
{
    char *d = tarn_malloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *tarn_strdup(const char *s)
{
    return tarn_strndup(s, strlen(s));
}

/* ---- Arena ------------------------------------------------------------ */

struct ArenaChunk {
    ArenaChunk *next;
    size_t size; /* usable bytes after the header */
    size_t used;
    _Alignas(16) uint8_t mem[];
};

/* Per-thread stash of freed regular arena chunks (at most CHUNK_STASH_BYTES
 * per thread, sizes up to CHUNK_STASH_MAX): a small statement creates and
 * drops a dozen arenas (statement, cursor, scans, batches), and taking
 * their 16-64 KiB chunks from malloc and giving them back each time cost
 * more than the rest of a point read's execution.  Chunks are reused only
 * at their exact size; freed at thread exit.  Off under AddressSanitizer
 * (so it keeps seeing every use after free) and while allocation failures
 * are injected (mem_fail_after). */
#define CHUNK_STASH_N 8
#define CHUNK_STASH_MAX (256u * 1024)
#define CHUNK_STASH_BYTES (512u * 1024)
#if defined(__SANITIZE_ADDRESS__)
#define CHUNK_STASH_ON 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CHUNK_STASH_ON 0
#endif
#endif
#ifndef CHUNK_STASH_ON
#define CHUNK_STASH_ON 1
#endif

typedef struct ChunkStash {
    ArenaChunk *c[CHUNK_STASH_N];
    uint32_t n;
    size_t bytes;
    bool registered;
} ChunkStash;

static _Thread_local ChunkStash stash;
static pthread_key_t stash_key;
static pthread_once_t stash_once = PTHREAD_ONCE_INIT;

static void stash_drop(void *p)
{
    ChunkStash *st = p;
    for (uint32_t i = 0; i < st->n; i++)
        free(st->c[i]);
    st->n = 0;
    st->bytes = 0;
}

static void stash_key_make(void) { (void)pthread_key_create(&stash_key, stash_drop); }

static ArenaChunk *chunk_get(size_t size)
{
    if (!CHUNK_STASH_ON || size > CHUNK_STASH_MAX || atomic_load_explicit(&fail_at, memory_order_relaxed))
        return tarn_malloc(sizeof(ArenaChunk) + size);
    for (uint32_t i = stash.n; i-- > 0;)
        if (stash.c[i]->size == size) {
            ArenaChunk *c = stash.c[i];
            stash.c[i] = stash.c[--stash.n];
            stash.bytes -= size;
            return c;
        }
    return tarn_malloc(sizeof(ArenaChunk) + size);
}

/* Frees a chunk, or keeps it for chunk_get when it is a regular one (used
 * <= size: big requests have their own chunk with used == size too, so
 * only sizes a regular chunk can have are kept, see arena_alloc). */
static void chunk_put(ArenaChunk *c, bool regular)
{
    if (!CHUNK_STASH_ON || !regular || c->size > CHUNK_STASH_MAX ||
        atomic_load_explicit(&fail_at, memory_order_relaxed) || stash.n == CHUNK_STASH_N ||
        stash.bytes + c->size > CHUNK_STASH_BYTES) {
        tarn_free(c);
        return;
    }
    if (!stash.registered) {
        pthread_once(&stash_once, stash_key_make);
        if (pthread_setspecific(stash_key, &stash) != 0) {
            tarn_free(c);
            return;
        }
        stash.registered = true;
    }
    stash.c[stash.n++] = c;
    stash.bytes += c->size;
}

/* Regular chunk sizes: 16 KiB times a power of two (arena_init's sizes
 * are 16 KiB or 64 KiB in practice, doubling per chunk). */
static bool regular_size(size_t size) { return size >= 16 * 1024 && (size & (size - 1)) == 0; }

void arena_init(Arena *a, size_t chunk_size)
{
    a->head = NULL;
    a->chunk_size = chunk_size ? chunk_size : 64 * 1024;
    a->total_bytes = 0;
}

void *arena_alloc(Arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (n == 0)
        n = 16;
    ArenaChunk *c = a->head;
    if (!c || c->size - c->used < n) {
        size_t size = a->chunk_size;
        if (n > size / 4) {
            /* Big request: its own chunk, placed behind the head so the head's
             * free space stays usable. */
            if (n > SIZE_MAX - sizeof(ArenaChunk))
                return NULL;
            ArenaChunk *big = tarn_malloc(sizeof(ArenaChunk) + n);
            if (!big)
                return NULL;
            big->size = n;
            big->used = n;
            a->total_bytes += n;
            if (c) {
                big->next = c->next;
                c->next = big;
            } else {
                big->next = NULL;
                a->head = big;
            }
            return big->mem;
        }
        c = regular_size(size) ? chunk_get(size) : tarn_malloc(sizeof(ArenaChunk) + size);
        if (!c)
            return NULL;
        c->size = size;
        c->used = 0;
        c->next = a->head;
        a->head = c;
        a->total_bytes += size;
        /* Grow chunks geometrically up to 8 MiB to keep chunk counts low. */
        if (a->chunk_size < 8u * 1024 * 1024)
            a->chunk_size *= 2;
    }
    void *p = c->mem + c->used;
    c->used += n;
    return p;
}

void *arena_calloc(Arena *a, size_t n)
{
    void *p = arena_alloc(a, n);
    if (p)
        memset(p, 0, n);
    return p;
}

char *arena_strndup(Arena *a, const char *s, size_t n)
{
    char *d = arena_alloc(a, n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *arena_strdup(Arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

void arena_reset(Arena *a)
{
    ArenaChunk *keep = NULL;
    ArenaChunk *c = a->head;
    a->total_bytes = 0;
    while (c) {
        ArenaChunk *next = c->next;
        /* Keep the largest regular chunk for reuse. */
        if (!keep && c->used <= c->size && c->size >= a->chunk_size / 2 && c->size <= 8u * 1024 * 1024) {
            keep = c;
        } else {
            chunk_put(c, regular_size(c->size));
        }
        c = next;
    }
    if (keep) {
        keep->next = NULL;
        keep->used = 0;
        a->total_bytes = keep->size;
    }
    a->head = keep;
}

void arena_free(Arena *a)
{
    ArenaChunk *c = a->head;
    while (c) {
        ArenaChunk *next = c->next;
        chunk_put(c, regular_size(c->size));
        c = next;
    }
    a->head = NULL;
    a->total_bytes = 0;
}

/* ---- Buf -------------------------------------------------------------- */

void buf_free(Buf *b)
{
    tarn_free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

int buf_reserve(Buf *b, size_t extra)
{
    if (b->cap - b->len >= extra)
        return 0;
    if (extra > SIZE_MAX / 2 - b->len)
        return TARN_ERR_NOMEM;
    size_t need = b->len + extra;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    uint8_t *d = tarn_realloc(b->data, cap);
    if (!d)
        return TARN_ERR_NOMEM;
    b->data = d;
    b->cap = cap;
    return 0;
}

int buf_append(Buf *b, const void *p, size_t n)
{
    if (buf_reserve(b, n))
        return TARN_ERR_NOMEM;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

int buf_append_byte(Buf *b, uint8_t c)
{
    if (b->len == b->cap && buf_reserve(b, 1))
        return TARN_ERR_NOMEM;
    b->data[b->len++] = c;
    return 0;
}

int buf_append_quoted(Buf *b, const char *s, char q)
{
    int rc = buf_append_byte(b, (uint8_t)q);
    for (; !rc && *s; s++)
        rc = *s == q ? buf_append_byte(b, (uint8_t)q) || buf_append_byte(b, (uint8_t)q) : buf_append_byte(b, (uint8_t)*s);
    return rc ? rc : buf_append_byte(b, (uint8_t)q);
}

int buf_printf(Buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char tmp[256];
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) {
        va_end(ap2);
        return TARN_ERR_INTERNAL;
    }
    if ((size_t)n < sizeof tmp) {
        va_end(ap2);
        return buf_append(b, tmp, (size_t)n);
    }
    if (buf_reserve(b, (size_t)n + 1)) {
        va_end(ap2);
        return TARN_ERR_NOMEM;
    }
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    b->len += (size_t)n;
    return 0;
}

int buf_terminate(Buf *b)
{
    if (buf_reserve(b, 1))
        return TARN_ERR_NOMEM;
    b->data[b->len] = '\0';
    return 0;
}

int file_read_all(const char *path, Buf *out, TarnError *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_set(err, errno == ENOENT ? TARN_ERR_NOT_FOUND : TARN_ERR_IO,
                       "could not open file \"%s\": %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) == 0 && st.st_size > 0) {
        if (buf_reserve(out, (size_t)st.st_size)) {
            close(fd);
            return ERR_NOMEM(err, st.st_size);
        }
    }
    for (;;) {
        if (buf_reserve(out, 65536)) {
            close(fd);
            return ERR_NOMEM(err, out->cap * 2);
        }
        ssize_t r = read(fd, out->data + out->len, out->cap - out->len);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            close(fd);
            return err_set(err, TARN_ERR_IO, "could not read file \"%s\": %s", path, strerror(e));
        }
        if (r == 0)
            break;
        out->len += (size_t)r;
    }
    close(fd);
    return 0;
}
