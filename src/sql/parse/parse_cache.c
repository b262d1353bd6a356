/*
 * parse_cache.c - the parse result cache (parse_cache.h).
 */
#include "sql/parse/parse_cache.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BUCKETS 2048

typedef struct Entry {
    struct Entry *next;
    uint64_t hash;
    size_t sql_len, len;
    char *sql;
    char *data;
} Entry;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static Entry *buckets[BUCKETS];
static unsigned n_entries;

static uint64_t hash_text(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 1099511628211ull;
    return h ^ (h >> 31);
}

static void clear_all(void)
{
    for (size_t b = 0; b < BUCKETS; b++) {
        for (Entry *e = buckets[b], *n; e; e = n) {
            n = e->next;
            free(e->sql);
            free(e->data);
            free(e);
        }
        buckets[b] = NULL;
    }
    n_entries = 0;
}

/* A result owning a malloc'ed copy of data (no error, no stderr). */
static PgQueryProtobufParseResult copy_result(const char *data, size_t len, bool *ok)
{
    PgQueryProtobufParseResult r;
    memset(&r, 0, sizeof r);
    r.parse_tree.data = malloc(len ? len : 1);
    *ok = r.parse_tree.data != NULL;
    if (*ok) {
        memcpy(r.parse_tree.data, data, len);
        r.parse_tree.len = len;
    }
    return r;
}

PgQueryProtobufParseResult parse_cached(const char *sql)
{
    size_t n = strlen(sql);
    if (n > PARSE_CACHE_MAX_SQL)
        return pg_query_parse_protobuf(sql);
    uint64_t h = hash_text(sql, n);
    bool ok = false;
    PgQueryProtobufParseResult r;
    pthread_mutex_lock(&mu);
    for (Entry *e = buckets[h % BUCKETS]; e; e = e->next)
        if (e->hash == h && e->sql_len == n && memcmp(e->sql, sql, n) == 0) {
            r = copy_result(e->data, e->len, &ok);
            break;
        }
    pthread_mutex_unlock(&mu);
    if (ok)
        return r;
    PgQueryProtobufParseResult p = pg_query_parse_protobuf(sql);
    if (p.error)
        return p;
    r = copy_result(p.parse_tree.data, p.parse_tree.len, &ok);
    if (!ok)
        return p; /* out of memory: hand out libpg_query's own result */
    Entry *e = calloc(1, sizeof *e);
    if (e) {
        e->sql = malloc(n + 1);
        e->data = malloc(p.parse_tree.len ? p.parse_tree.len : 1);
        if (e->sql && e->data) {
            memcpy(e->sql, sql, n + 1);
            memcpy(e->data, p.parse_tree.data, p.parse_tree.len);
            e->sql_len = n;
            e->len = p.parse_tree.len;
            e->hash = h;
            pthread_mutex_lock(&mu);
            if (n_entries >= PARSE_CACHE_MAX)
                clear_all();
            e->next = buckets[h % BUCKETS];
            buckets[h % BUCKETS] = e;
            n_entries++;
            pthread_mutex_unlock(&mu);
            e = NULL;
        }
        if (e) {
            free(e->sql);
            free(e->data);
            free(e);
        }
    }
    pg_query_free_protobuf_parse_result(p);
    return r;
}

void parse_cached_free(PgQueryProtobufParseResult r)
{
    if (r.error || r.stderr_buffer) {
        pg_query_free_protobuf_parse_result(r);
        return;
    }
    /* ours, or libpg_query's without error and stderr (out-of-memory path):
     * both are one malloc'ed buffer */
    free(r.parse_tree.data);
}
