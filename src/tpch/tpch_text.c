/*
 * tpch_text.c - building the TPC-H text pool from the sentence grammar of
 * clause 4.2.2.10 (see tpch_text.h).  One stream drives every choice, in
 * the order dbgen makes them: the sentence production, then left to right
 * each phrase's production and words.
 */
#include "tpch/tpch_text.h"

#include <string.h>

#include "tpch/tpch_dists.h"
#include "util/mem.h"

struct TpchTextPool {
    char *data; /* owned; size + TPCH_TEXT_MAX_SENTENCE bytes allocated */
    size_t size;
};

/* Appends a weighted pick of d at p (copying a whole padded slot: the
 * pool keeps TPCH_TEXT_MAX_SENTENCE bytes of slack at its end). */
static inline char *put_word(char *p, const TpchDist *d, TpchRng *r)
{
    int32_t i = tpch_dist_pick(d, r);
    memcpy(p, d->pad + (size_t)i * TPCH_DIST_PAD, TPCH_DIST_PAD);
    return p + d->len[i];
}

/* Noun phrase: every character of the production is a token. */
static char *noun_phrase(char *p, TpchRng *r)
{
    const TpchDist *np = tpch_dist(TPCH_D_NP);
    int32_t k = tpch_dist_pick(np, r);
    const char *syn = np->values[k].text;
    for (size_t i = 0, n = np->len[k]; i < n; i++) {
        const TpchDist *src;
        switch (syn[i]) {
        case 'A': src = tpch_dist(TPCH_D_ARTICLES); break;
        case 'J': src = tpch_dist(TPCH_D_ADJECTIVES); break;
        case 'D': src = tpch_dist(TPCH_D_ADVERBS); break;
        case 'N': src = tpch_dist(TPCH_D_NOUNS); break;
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
static char *verb_phrase(char *p, TpchRng *r)
{
    const TpchDist *vp = tpch_dist(TPCH_D_VP);
    int32_t k = tpch_dist_pick(vp, r);
    const char *syn = vp->values[k].text;
    for (size_t i = 0, n = vp->len[k]; i < n; i += 2) {
        const TpchDist *src = syn[i] == 'D'   ? tpch_dist(TPCH_D_ADVERBS)
                              : syn[i] == 'V' ? tpch_dist(TPCH_D_VERBS)
                                              : tpch_dist(TPCH_D_AUXILIARIES);
        p = put_word(p, src, r);
        *p++ = ' ';
    }
    return p;
}

/* One sentence at p (which follows a space or starts the pool); returns
 * the new end.  Every sentence ends with its terminator and one space. */
static char *sentence(char *p, TpchRng *r)
{
    const TpchDist *g = tpch_dist(TPCH_D_GRAMMAR);
    int32_t k = tpch_dist_pick(g, r);
    const char *syn = g->values[k].text;
    for (size_t i = 0, n = g->len[k]; i < n; i += 2) {
        switch (syn[i]) {
        case 'V':
            p = verb_phrase(p, r);
            break;
        case 'N':
            p = noun_phrase(p, r);
            break;
        case 'P':
            p = put_word(p, tpch_dist(TPCH_D_PREPOSITIONS), r);
            memcpy(p, " the    ", 8);
            p += 5;
            p = noun_phrase(p, r);
            break;
        case 'T':
            p--;           /* the terminator abuts the last word */
            p = put_word(p, tpch_dist(TPCH_D_TERMINATORS), r);
            break;
        }
        if (p[-1] != ' ')
            *p++ = ' ';
    }
    return p;
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
    TpchRng r;
    tpch_rng_init(&r, TPCH_TEXT_POOL_SEED, INT64_MAX);
    char *p = pool->data, *end = pool->data + bytes;
    while (p < end)
        p = sentence(p, &r);
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
