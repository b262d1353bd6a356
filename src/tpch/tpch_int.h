/*
 * tpch_int.h - shared only inside src/tpch/: the random number streams of
 * the TPC-H generator and the date arithmetic of its generated calendar.
 *
 * Streams.  dbgen (the TPC's reference generator) draws every column from
 * its own stream: a Park-Miller "minimal standard" Lehmer generator
 * (x' = 16807 x mod 2^31-1) with a fixed seed per column.  Each stream
 * reserves a fixed number of draws per row (`per_row`); when a row is done
 * the stream skips the draws it did not use, so row N of any column starts
 * at a position known in advance.  That is what lets any row range be
 * generated alone (advance = one modular exponentiation) and makes the
 * output independent of how the work is split between threads.
 *
 * The bounded draw reproduces dbgen's arithmetic exactly, including its
 * quirk for the full 32-bit range (hi = INT32_MAX, lo = 0: the range
 * wraps to INT32_MIN and the draw comes out negative; the alphanumeric
 * address generator depends on it).  Scale factors of 30,000 and more draw
 * part and customer keys from a 64-bit linear congruential stream instead
 * (multiplier 6364136223846793005, increment 1), skipped with the 32-bit
 * jump as dbgen does.
 *
 * Thread-safety: a stream belongs to one generator, a generator to one
 * thread.
 */
#ifndef TARN_TPCH_TPCH_INT_H
#define TARN_TPCH_TPCH_INT_H

#include <stdbool.h>
#include <stdint.h>

#define TPCH_RNG_MODULUS INT64_C(2147483647)
#define TPCH_RNG_MULTIPLIER INT64_C(16807)

typedef struct TpchRng {
    int64_t seed;    /* current state, 1 .. 2^31-2 (64-bit streams: any value) */
    int64_t per_row; /* draws reserved for one row */
    int64_t used;    /* draws taken in the current row */
    bool wide;       /* 64-bit LCG stream (scale factor >= 30,000) */
} TpchRng;

static inline void tpch_rng_init(TpchRng *r, int64_t seed, int64_t per_row)
{
    r->seed = seed;
    r->per_row = per_row;
    r->used = 0;
    r->wide = false;
}

/* seed * 16807^count mod 2^31-1 (count >= 0).  For 64-bit streams the
 * product wraps like a Java long, as dbgen's port does. */
static inline void tpch_rng_skip(TpchRng *r, int64_t count)
{
    int64_t mult = TPCH_RNG_MULTIPLIER;
    while (count > 0) {
        if (count & 1)
            r->seed = (int64_t)((uint64_t)mult * (uint64_t)r->seed) % TPCH_RNG_MODULUS;
        count >>= 1;
        mult = (mult * mult) % TPCH_RNG_MODULUS;
    }
}

/* Next raw value of a 32-bit stream. */
static inline int64_t tpch_rng_next(TpchRng *r)
{
    /* x mod (2^31-1) for x < 2^62: fold the high bits onto the low ones */
    uint64_t x = (uint64_t)r->seed * (uint64_t)TPCH_RNG_MULTIPLIER;
    x = (x & (uint64_t)TPCH_RNG_MODULUS) + (x >> 31);
    if (x >= (uint64_t)TPCH_RNG_MODULUS)
        x -= (uint64_t)TPCH_RNG_MODULUS;
    r->seed = (int64_t)x;
    r->used++;
    return r->seed;
}

/* dbgen's bounded draw in doubles: floor((x / (2^31-1)) * range), with
 * range computed in 32 bits (it wraps for the whole int range). */
static inline int32_t tpch_rng_scale_double(int64_t x, int32_t lo, int32_t hi)
{
    int32_t range = (int32_t)((uint32_t)hi - (uint32_t)lo + 1u);
    int32_t v = (int32_t)((1.0 * (double)x / (double)TPCH_RNG_MODULUS) * (double)range);
    return (int32_t)((uint32_t)lo + (uint32_t)v);
}

/* Ranges up to this size take the exact integer path below. */
#define TPCH_RNG_INT_RANGE_MAX (INT64_C(1) << 20)

/* Uniform integer in [lo, hi], dbgen's way: floor(x / (2^31-1) * range).
 * For ranges up to 2^20 the integer floor(x * range / (2^31-1)) gives the
 * same value as dbgen's double arithmetic: the two roundings of the double
 * path err by at most range * 2^-52 < 2.4e-10, while x * range / (2^31-1)
 * is never closer than 1 / (2^31-1) = 4.6e-10 to an integer (the modulus
 * is prime and 0 < x, range < 2^31-1, so the division never comes out
 * even).  tests/unit/tpch checks the equality on many draws. */
static inline int32_t tpch_rng_int(TpchRng *r, int32_t lo, int32_t hi)
{
    tpch_rng_next(r);
    int64_t range = (int64_t)hi - (int64_t)lo + 1;
    if (range > 0 && range <= TPCH_RNG_INT_RANGE_MAX)
        return lo + (int32_t)((uint64_t)r->seed * (uint64_t)range / (uint64_t)TPCH_RNG_MODULUS);
    return tpch_rng_scale_double(r->seed, lo, hi);
}

/* Uniform integer in [lo, hi] for key columns: the 32-bit draw, or for
 * 64-bit streams |x| mod range. */
static inline int64_t tpch_rng_key(TpchRng *r, int64_t lo, int64_t hi)
{
    if (!r->wide)
        return tpch_rng_int(r, (int32_t)lo, (int32_t)hi);
    r->seed = (int64_t)((uint64_t)r->seed * UINT64_C(6364136223846793005) + 1u);
    r->used++;
    int64_t a = r->seed == INT64_MIN ? r->seed : (r->seed < 0 ? -r->seed : r->seed);
    return lo + a % (hi - lo + 1);
}

/* Ends the current row: skips the draws it did not use (a few steps are
 * cheaper than the exponentiation). */
static inline void tpch_rng_row_done(TpchRng *r)
{
    int64_t left = r->per_row - r->used;
    if (left <= 4 && !r->wide) {
        for (; left > 0; left--)
            tpch_rng_next(r);
    } else {
        tpch_rng_skip(r, left);
    }
    r->used = 0;
}

/* Moves the stream `rows` rows forward (finishing a started row first). */
static inline void tpch_rng_advance_rows(TpchRng *r, int64_t rows)
{
    if (r->used)
        tpch_rng_row_done(r);
    tpch_rng_skip(r, r->per_row * rows);
}

/* ---- Dates --------------------------------------------------------------
 * dbgen counts days from 92001 (= 1992-01-01, STARTDATE) up; day d is the
 * epoch date d - 83966 (days since 1970-01-01).  CURRENTDATE 1995-06-17
 * decides flags and statuses (clause 4.2.3). */
#define TPCH_DATE_BASE 92001
#define TPCH_DATE_EPOCH_OFFSET 83966
#define TPCH_TOTAL_DATE_RANGE 2557     /* STARTDATE .. ENDDATE 1998-12-31 */
#define TPCH_CURRENT_EPOCH_DAY 9298    /* 1995-06-17 */

static inline int32_t tpch_epoch_day(int32_t generated)
{
    return generated - TPCH_DATE_EPOCH_OFFSET;
}

static inline bool tpch_in_past(int32_t generated)
{
    return tpch_epoch_day(generated) <= TPCH_CURRENT_EPOCH_DAY;
}

#endif
