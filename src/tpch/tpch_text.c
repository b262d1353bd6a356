/*
 * tpch_text.c - building the TPC-H text pool from the sentence grammar of
 * clause 4.2.2.10 (see tpch_text.h).  One stream drives every choice, in
 * the order dbgen makes them: the sentence production, then left to right
 * each phrase's production and words.
 */
#include "tpch/tpch_text.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "tpch/tpch_dists.h"
#include "util/mem.h"

struct TpchTextPool {
    char *data; /* owned; size + TPCH_TEXT_MAX_SENTENCE bytes allocated */
    size_t size;
};

/* The lists the grammar draws from, looked up once. */
typedef struct Words {
    const TpchDist *grammar, *np, *vp, *nouns, *verbs, *adjectives, *adverbs, *articles,
        *prepositions, *auxiliaries, *terminators;
} Words;

/* Appends a weighted pick of d at p (copying a whole padded slot: the
 * pool keeps TPCH_TEXT_MAX_SENTENCE bytes of slack at its end). */
static inline char *put_word(char *p, const TpchDist *d, TpchRng *r)
{
    int32_t i = tpch_dist_pick(d, r);
    memcpy(p, d->pad + (size_t)i * TPCH_DIST_PAD, TPCH_DIST_PAD);
    return p + d->len[i];
}

/* Noun phrase: every character of the production is a token. */
static char *noun_phrase(char *p, const Words *w, TpchRng *r)
{
    int32_t k = tpch_dist_pick(w->np, r);
    const char *syn = w->np->values[k].text;
    for (size_t i = 0, n = w->np->len[k]; i < n; i++) {
        const TpchDist *src;
        switch (syn[i]) {
        case 'A': src = w->articles; break;
        case 'J': src = w->adjectives; break;
        case 'D': src = w->adverbs; break;
        case 'N': src = w->nouns; break;
        case ',':
            p[-1] = ',';   /* the comma replaces the space after the word */
            *p++ = ' ';
            continue;
        default:
            continue;      /* spaces between tokens */
        }
        p = put_word(p, src, r);
        *p++ = ' ';
    }
    return p;
}

/* Verb phrase: tokens at every other character. */
static char *verb_phrase(char *p, const Words *w, TpchRng *r)
{
    int32_t k = tpch_dist_pick(w->vp, r);
    const char *syn = w->vp->values[k].text;
    for (size_t i = 0, n = w->vp->len[k]; i < n; i += 2) {
        const TpchDist *src = syn[i] == 'D' ? w->adverbs : syn[i] == 'V' ? w->verbs : w->auxiliaries;
        p = put_word(p, src, r);
        *p++ = ' ';
    }
    return p;
}

/* One sentence at p (which follows a space or starts the pool); returns
 * the new end.  Every sentence ends with its terminator and one space. */
static char *sentence(char *p, const Words *w, TpchRng *r)
{
    int32_t k = tpch_dist_pick(w->grammar, r);
    const char *syn = w->grammar->values[k].text;
    for (size_t i = 0, n = w->grammar->len[k]; i < n; i += 2) {
        switch (syn[i]) {
        case 'V':
            p = verb_phrase(p, w, r);
            break;
        case 'N':
            p = noun_phrase(p, w, r);
            break;
        case 'P':
            p = put_word(p, w->prepositions, r);
            memcpy(p, " the    ", 8);
            p += 5;
            p = noun_phrase(p, w, r);
            break;
        case 'T':
            p--;           /* the terminator abuts the last word */
            p = put_word(p, w->terminators, r);
            break;
        }
        if (p[-1] != ' ')
            *p++ = ' ';
    }
    return p;
}

/* Faults the pool's pages in from a second thread while the first one
 * writes sentences (a quarter of the build time is page faults otherwise).
 * MADV_POPULATE_WRITE maps pages writable without touching their
 * contents, so it may run behind or ahead of the writer; kernels before
 * 5.14 refuse it and the writer takes the faults itself. */
typedef struct Prefault {
    char *start;
    size_t len;
} Prefault;

static void *prefault(void *arg)
{
#ifdef MADV_POPULATE_WRITE
    Prefault *pf = arg;
    const size_t chunk = (size_t)8 << 20;
    for (size_t off = 0; off < pf->len; off += chunk) {
        size_t n = pf->len - off < chunk ? pf->len - off : chunk;
        if (madvise(pf->start + off, n, MADV_POPULATE_WRITE) != 0)
            break;
    }
#else
    (void)arg;
#endif
    return NULL;
}

TpchTextPool *tpch_text_pool_new(size_t bytes, TarnError *err)
{
    if (tpch_dists_init())
        return (void)ERR_NOMEM(err, 4096), NULL;
    TpchTextPool *pool = tarn_calloc(1, sizeof *pool);
    if (!pool)
        return (void)ERR_NOMEM(err, sizeof *pool), NULL;
    pool->data = tarn_malloc(bytes + TPCH_TEXT_MAX_SENTENCE);
    if (!pool->data) {
        tarn_free(pool);
        return (void)ERR_NOMEM(err, bytes + TPCH_TEXT_MAX_SENTENCE), NULL;
    }
    Words w = {
        tpch_dist(TPCH_D_GRAMMAR),    tpch_dist(TPCH_D_NP),          tpch_dist(TPCH_D_VP),
        tpch_dist(TPCH_D_NOUNS),      tpch_dist(TPCH_D_VERBS),       tpch_dist(TPCH_D_ADJECTIVES),
        tpch_dist(TPCH_D_ADVERBS),    tpch_dist(TPCH_D_ARTICLES),    tpch_dist(TPCH_D_PREPOSITIONS),
        tpch_dist(TPCH_D_AUXILIARIES), tpch_dist(TPCH_D_TERMINATORS),
    };
    /* page-aligned inner part of the buffer, for the prefault thread */
    uintptr_t page = 4096, a = ((uintptr_t)pool->data + page - 1) & ~(page - 1);
    uintptr_t b = ((uintptr_t)pool->data + bytes) & ~(page - 1);
    Prefault pf = {(char *)a, b > a ? (size_t)(b - a) : 0};
    pthread_t tid;
    bool helper = pf.len >= ((size_t)64 << 20) && pthread_create(&tid, NULL, prefault, &pf) == 0;
    TpchRng r;
    tpch_rng_init(&r, TPCH_TEXT_POOL_SEED, INT64_MAX);
    char *p = pool->data, *end = pool->data + bytes;
    while (p < end)
        p = sentence(p, &w, &r);
    if (helper)
        pthread_join(tid, NULL);
    pool->size = bytes;
    return pool;
}

void tpch_text_pool_free(TpchTextPool *p)
{
    if (!p)
        return;
    tarn_free(p->data);
    tarn_free(p);
}

const char *tpch_text_pool_data(const TpchTextPool *p)
{
    return p->data;
}

size_t tpch_text_pool_size(const TpchTextPool *p)
{
    return p->size;
}
