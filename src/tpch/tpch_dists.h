/*
 * tpch_dists.h - the value lists ("distributions") of the TPC-H data:
 * the words of the text grammar (clause 4.2.2.13: nouns, verbs, adjectives,
 * adverbs, prepositions, auxiliaries, terminators, and the grammar, noun
 * phrase and verb phrase productions), the 92 part-name colors, part
 * types, containers, market segments, order priorities, ship modes, ship
 * instructions, return flags, nations and regions - each value with the
 * weight dbgen's dists.dss gives it.
 *
 * Order matters: it is the order of the specification and of dbgen, and a
 * weighted pick maps a draw to "the value whose cumulative weight first
 * reaches it"; part names permute the color list in this order; nation and
 * region keys are list positions.  For `nations` the weights are not
 * frequencies: their running sum is each nation's region key.
 *
 * The tables are static and immutable after tpch_dists_init(), which
 * builds the lookup arrays once (thread-safe, idempotent).
 */
#ifndef TARN_TPCH_TPCH_DISTS_H
#define TARN_TPCH_TPCH_DISTS_H

#include <stdint.h>

#include "tpch/tpch_int.h"

/* Slot size of TpchDist.pad: longer than any value. */
#define TPCH_DIST_PAD 32

typedef struct TpchDistValue {
    const char *text;
    int32_t weight;
} TpchDistValue;

typedef struct TpchDist {
    const char *name;             /* dists.dss name ("nouns", "p_types" ...) */
    int32_t n;                    /* number of values */
    const TpchDistValue *values;
    uint8_t *len;                 /* n lengths of the texts (built by init) */
    char *pad;                    /* n slots of TPCH_DIST_PAD bytes, each text zero-padded
                                   * (built by init): fixed-size copies for the text pool */
    int32_t total;                /* sum of weights (pick range) */
    uint16_t *pick;               /* total entries: draw -> value index (built by init) */
} TpchDist;

typedef enum TpchDistId {
    TPCH_D_GRAMMAR = 0,
    TPCH_D_NP,
    TPCH_D_VP,
    TPCH_D_NOUNS,
    TPCH_D_VERBS,
    TPCH_D_ADJECTIVES,
    TPCH_D_ADVERBS,
    TPCH_D_ARTICLES,
    TPCH_D_PREPOSITIONS,
    TPCH_D_AUXILIARIES,
    TPCH_D_TERMINATORS,
    TPCH_D_COLORS,
    TPCH_D_P_TYPES,
    TPCH_D_P_CONTAINERS,
    TPCH_D_SEGMENTS,
    TPCH_D_PRIORITIES,
    TPCH_D_SHIP_MODES,
    TPCH_D_SHIP_INSTRUCT,
    TPCH_D_RETURN_FLAGS,
    TPCH_D_NATIONS,
    TPCH_D_REGIONS,
    TPCH_D_COUNT
} TpchDistId;

/* Builds the lookup arrays of every distribution (once; later calls do
 * nothing).  Returns 0 or TARN_ERR_NOMEM. */
int tpch_dists_init(void);

/* The distribution (tpch_dists_init must have succeeded). */
const TpchDist *tpch_dist(TpchDistId id);

/* Weighted pick: one draw from r, dbgen's pick_str(). Returns the index. */
static inline int32_t tpch_dist_pick(const TpchDist *d, TpchRng *r)
{
    return d->pick[tpch_rng_int(r, 0, d->total - 1)];
}

#endif
