/*
 * test_tpch.c - the TPC-H generator (src/tpch/): its random streams, value
 * lists and text grammar, rows that dbgen is known to produce (first rows
 * of the .tbl files and rows of the TPC-H answer set), cardinalities and
 * the rules of clause 4.2.3 at SF 0.01, independence from row ranges and
 * batch sizes, and the lake writer (Delta tables read back, thread count
 * independence, refusing and replacing existing tables).
 *
 * Tests that need dbgen's own comments build the full 300 MiB text pool
 * (about a second); the others use a small pool, which changes the comment
 * texts but not a single stream position.
 */
#include "../test.h"

#include <string.h>
#include <xxhash.h>

#include "table/delta/delta.h"
#include "tpch/tpch_dists.h"
#include "tpch/tpch_gen.h"
#include "tpch/tpch_int.h"
#include "tpch/tpch_lake.h"
#include "tpch/tpch_text.h"
#include "util/datetime.h"

#define SMALL_POOL ((size_t)1 << 20)

static TpchTextPool *pool_of(size_t bytes)
{
    TarnError err;
    err_clear(&err);
    TpchTextPool *p = tpch_text_pool_new(bytes, &err);
    ASSERT_NOT_NULL(p, &err);
    return p;
}

/* Text of value (row, col) of b, for comparisons ("17.00", "1996-03-13"). */
static const char *cell(const Batch *b, uint32_t row, uint32_t col, char *buf)
{
    const Vector *v = &b->cols[col];
    switch (v->type->id) {
    case TYPE_INT64: sprintf(buf, "%lld", (long long)VEC_DATA(v, int64_t)[row]); break;
    case TYPE_INT32: sprintf(buf, "%d", VEC_DATA(v, int32_t)[row]); break;
    case TYPE_DATE: dt_format_date(VEC_DATA(v, int32_t)[row], buf); break;
    case TYPE_DECIMAL: {
        long long x = VEC_DATA(v, int64_t)[row];
        sprintf(buf, "%s%lld.%02lld", x < 0 ? "-" : "", (x < 0 ? -x : x) / 100, (x < 0 ? -x : x) % 100);
        break;
    }
    default: {
        StrView s = VEC_DATA(v, StrView)[row];
        memcpy(buf, s.ptr, s.len);
        buf[s.len] = '\0';
    }
    }
    return buf;
}

/* Row `row` of b as dbgen's .tbl line: values joined by '|', with a trailing '|'. */
static const char *tbl_line(const Batch *b, uint32_t row, char *out)
{
    char v[512];
    out[0] = '\0';
    for (uint32_t c = 0; c < b->n_cols; c++) {
        strcat(out, cell(b, row, c, v));
        strcat(out, "|");
    }
    return out;
}

/* Generates generator row `first` of table t (one generator row) into b. */
static void gen_one(TpchTable t, double sf, const TpchTextPool *pool, int64_t first, Schema *s, Batch *b)
{
    TarnError err;
    err_clear(&err);
    schema_init(s);
    ASSERT_EQ_INT(tpch_table_schema(t, s), 0);
    ASSERT_EQ_INT(batch_init(b, s), 0);
    TpchGen *g = tpch_gen_open(t, sf, pool, first, 1, &err);
    ASSERT_NOT_NULL(g, &err);
    ASSERT_OK(tpch_gen_next(g, b, 64, &err), &err);
    ASSERT(b->n_rows >= 1);
    tpch_gen_close(g);
}

/* Hash of every row of a generator range, order-insensitive (sum of row hashes). */
static uint64_t row_hash(const Batch *b, uint32_t r)
{
    uint64_t h = 0;
    for (uint32_t c = 0; c < b->n_cols; c++) {
        const Vector *v = &b->cols[c];
        if (v->type->id == TYPE_STRING) {
            StrView s = VEC_DATA(v, StrView)[r];
            h = XXH3_64bits_withSeed(s.ptr, s.len, h);
        } else {
            size_t w = type_width(v->type);
            h = XXH3_64bits_withSeed(v->data + (size_t)r * w, w, h);
        }
    }
    return h;
}

typedef struct RangeSum {
    int64_t rows;
    uint64_t sum;    /* order-insensitive */
    uint64_t chain;  /* order-sensitive */
} RangeSum;

static void add_batch(RangeSum *rs, const Batch *b)
{
    for (uint32_t r = 0; r < b->n_rows; r++) {
        uint64_t h = row_hash(b, r);
        rs->sum += h;
        rs->chain = XXH3_64bits_withSeed(&h, sizeof h, rs->chain);
    }
    rs->rows += b->n_rows;
}

static RangeSum gen_range(TpchTable t, double sf, const TpchTextPool *pool, int64_t first, int64_t n,
                          uint32_t batch_rows)
{
    TarnError err;
    err_clear(&err);
    Schema s;
    schema_init(&s);
    ASSERT_EQ_INT(tpch_table_schema(t, &s), 0);
    Batch b;
    ASSERT_EQ_INT(batch_init(&b, &s), 0);
    TpchGen *g = tpch_gen_open(t, sf, pool, first, n, &err);
    ASSERT_NOT_NULL(g, &err);
    RangeSum rs = {0, 0, 0};
    for (;;) {
        ASSERT_OK(tpch_gen_next(g, &b, batch_rows, &err), &err);
        if (!b.n_rows)
            break;
        add_batch(&rs, &b);
    }
    ASSERT_EQ_INT(tpch_gen_done(g), n);
    tpch_gen_close(g);
    batch_destroy(&b);
    schema_destroy(&s);
    return rs;
}

/* ---- streams, lists, grammar ----------------------------------------------------------- */

TEST(tpch_rng_minimal_standard)
{
    /* Park and Miller's "minimal standard" sequence from seed 1 */
    TpchRng r;
    tpch_rng_init(&r, 1, 1000);
    static const int64_t want[] = {16807, 282475249, 1622650073, 984943658, 1144108930, 470211272};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ASSERT_EQ_INT(tpch_rng_next(&r), want[i]);
    /* the 10,000th value from seed 1 is 1043618065 (Park & Miller's check) */
    tpch_rng_init(&r, 1, 1);
    tpch_rng_skip(&r, 10000);
    ASSERT_EQ_INT(r.seed, 1043618065);
}

TEST(tpch_rng_skip_equals_steps)
{
    for (int64_t n = 0; n < 300; n += 7) {
        TpchRng a, b;
        tpch_rng_init(&a, 12345, 3);
        tpch_rng_init(&b, 12345, 3);
        for (int64_t i = 0; i < n; i++)
            tpch_rng_next(&a);
        tpch_rng_skip(&b, n);
        ASSERT_EQ_INT(a.seed, b.seed);
    }
    /* row bookkeeping: 2 draws of 5, row done, = 5 draws */
    TpchRng a, b;
    tpch_rng_init(&a, 777, 5);
    tpch_rng_init(&b, 777, 5);
    tpch_rng_next(&a);
    tpch_rng_next(&a);
    tpch_rng_row_done(&a);
    tpch_rng_advance_rows(&b, 1);
    ASSERT_EQ_INT(a.seed, b.seed);
    tpch_rng_next(&a);
    tpch_rng_advance_rows(&a, 3); /* finishes the started row, then 3 more */
    tpch_rng_advance_rows(&b, 4);
    ASSERT_EQ_INT(a.seed, b.seed);
}

/* The integer path of tpch_rng_int equals dbgen's double arithmetic. */
TEST(tpch_rng_integer_path_exact)
{
    static const int32_t ranges[] = {1, 2, 3, 5, 7, 11, 25, 50, 75, 92, 121, 340, 456, 1000, 2406, 9999, 99901,
                                     1099999, 1 << 19, (1 << 20) - 1, 1 << 20};
    TpchRng r;
    tpch_rng_init(&r, 19620718, INT64_MAX);
    for (size_t k = 0; k < sizeof ranges / sizeof ranges[0]; k++) {
        if (ranges[k] > TPCH_RNG_INT_RANGE_MAX)
            continue;
        for (int i = 0; i < 500000; i++) {
            int32_t v = tpch_rng_int(&r, 7, 7 + ranges[k] - 1);
            ASSERT_EQ_INT(v, tpch_rng_scale_double(r.seed, 7, 7 + ranges[k] - 1));
        }
    }
    /* the draws nearest to a multiple of the modulus, for every range */
    for (int64_t range = 1; range <= 4096; range++)
        for (int64_t q = 1; q < range; q++) {
            int64_t x = (q * TPCH_RNG_MODULUS) / range; /* just below q / range */
            for (int64_t d = 0; d <= 1; d++) {
                int64_t xs = x + d;
                int32_t want = tpch_rng_scale_double(xs, 0, (int32_t)range - 1);
                int32_t got = (int32_t)((uint64_t)xs * (uint64_t)range / (uint64_t)TPCH_RNG_MODULUS);
                if (want != got)
                    TFAIL("x %lld range %lld: %d != %d", (long long)xs, (long long)range, got, want);
            }
        }
}

TEST(tpch_rng_bounded_and_dbgen_quirk)
{
    TpchRng r;
    tpch_rng_init(&r, 42, 1 << 30);
    for (int i = 0; i < 100000; i++) {
        int32_t v = tpch_rng_int(&r, 1, 7);
        ASSERT(v >= 1 && v <= 7);
    }
    /* the whole int range wraps to INT32_MIN: dbgen's draws come out <= 0,
     * and its address generator relies on that */
    int neg = 0;
    for (int i = 0; i < 1000; i++) {
        int32_t v = tpch_rng_int(&r, 0, INT32_MAX);
        ASSERT(v <= 0);
        neg += v < 0;
    }
    ASSERT(neg > 990);
}

TEST(tpch_dists_lists)
{
    ASSERT_EQ_INT(tpch_dists_init(), 0);
    ASSERT_EQ_INT(tpch_dist(TPCH_D_COLORS)->n, 92);
    ASSERT_EQ_INT(tpch_dist(TPCH_D_P_TYPES)->n, 150);
    ASSERT_EQ_INT(tpch_dist(TPCH_D_P_CONTAINERS)->n, 40);
    ASSERT_EQ_INT(tpch_dist(TPCH_D_NOUNS)->n, 45);
    ASSERT_EQ_INT(tpch_dist(TPCH_D_VERBS)->n, 40);
    ASSERT_EQ_INT(tpch_dist(TPCH_D_ADJECTIVES)->n, 29);
    ASSERT_EQ_INT(tpch_dist(TPCH_D_ADVERBS)->n, 28);
    ASSERT_EQ_INT(tpch_dist(TPCH_D_PREPOSITIONS)->n, 47);
    ASSERT_EQ_INT(tpch_dist(TPCH_D_AUXILIARIES)->n, 18);
    ASSERT_EQ_INT(tpch_dist(TPCH_D_TERMINATORS)->n, 6);
    ASSERT_EQ_INT(tpch_dist(TPCH_D_NATIONS)->n, 25);
    ASSERT_EQ_INT(tpch_dist(TPCH_D_REGIONS)->n, 5);
    ASSERT_EQ_INT(tpch_dist(TPCH_D_NOUNS)->total, 340);
    ASSERT_EQ_STR(tpch_dist(TPCH_D_P_TYPES)->values[149].text, "PROMO BRUSHED COPPER");
    ASSERT_EQ_STR(tpch_dist(TPCH_D_P_CONTAINERS)->values[39].text, "WRAP DRUM");
    /* weighted pick: the first value whose cumulative weight reaches the draw */
    const TpchDist *art = tpch_dist(TPCH_D_ARTICLES); /* the 50, a 20, an 5 */
    ASSERT_EQ_INT(art->total, 75);
    ASSERT_EQ_INT(art->pick[0], 0);
    ASSERT_EQ_INT(art->pick[49], 0);
    ASSERT_EQ_INT(art->pick[50], 1);
    ASSERT_EQ_INT(art->pick[74], 2);
}

/* Every word of the pool belongs to the grammar's word lists. */
TEST(tpch_text_pool_grammar)
{
    TpchTextPool *pool = pool_of(SMALL_POOL);
    const char *p = tpch_text_pool_data(pool);
    size_t n = tpch_text_pool_size(pool);
    ASSERT_EQ_INT(n, SMALL_POOL);
    /* dbgen's pool starts with these sentences (whatever its size) */
    const char *start = "furiously special foxes haggle furiously blithely ironic deposits. "
                        "slyly final theodolites boost slyly even asymptotes. ";
    ASSERT(memcmp(p, start, strlen(start)) == 0);
    static const TpchDistId lists[] = {TPCH_D_NOUNS, TPCH_D_VERBS, TPCH_D_ADJECTIVES, TPCH_D_ADVERBS,
                                       TPCH_D_ARTICLES, TPCH_D_PREPOSITIONS, TPCH_D_AUXILIARIES};
    size_t words = 0, sentences = 0;
    size_t i = 0;
    while (i < n - 200) { /* the last sentence may be cut */
        size_t j = i; /* a word ends at a space, a punctuation mark or "--" ("x-ray" is a word) */
        while (j < n && !strchr(" ,.;:?!", p[j]) && !(p[j] == '-' && p[j + 1] == '-'))
            j++;
        if (j > i) {
            bool found = false;
            /* a word, or the first word of a multi-word value ("pinto beans", "ought to"),
             * or a later word of one ("the" after prepositions counts as an article) */
            for (size_t l = 0; l < sizeof lists / sizeof lists[0] && !found; l++) {
                const TpchDist *d = tpch_dist(lists[l]);
                for (int32_t k = 0; k < d->n && !found; k++) {
                    const char *w = d->values[k].text;
                    for (const char *s = w; *s && !found; s = strchr(s, ' ') ? strchr(s, ' ') + 1 : s + strlen(s)) {
                        size_t wl = strcspn(s, " ");
                        found = wl == j - i && memcmp(s, p + i, wl) == 0;
                    }
                }
            }
            if (!found)
                TFAIL("pool offset %zu: \"%.*s\" is not a grammar word", i, (int)(j - i), p + i);
            words++;
        }
        if (p[j] == '.' || p[j] == ';' || p[j] == ':' || p[j] == '?' || p[j] == '!')
            sentences++;
        if (p[j] == '-') { /* "--" terminator */
            sentences++;
            j++;
        }
        i = j + 1;
    }
    ASSERT(words > 100000);
    ASSERT(sentences > 10000);
    tpch_text_pool_free(pool);
}

/* ---- dbgen's own rows ------------------------------------------------------------------------ */

/* First lines of dbgen's SF 1 .tbl files, and rows of the TPC-H answer set
 * (Q2: supplier 5359; Q10: customer 57040), which pin every stream, the
 * text pool and the formats to dbgen's. */
TEST(tpch_dbgen_rows_sf1)
{
    TpchTextPool *pool = pool_of(TPCH_TEXT_POOL_BYTES);
    static const struct {
        TpchTable t;
        int64_t row;
        const char *line;
    } cases[] = {
        {TPCH_REGION, 0, "0|AFRICA|lar deposits. blithely final packages cajole. regular waters are final requests. regular accounts are according to |"},
        {TPCH_NATION, 0, "0|ALGERIA|0| haggle. carefully final deposits detect slyly agai|"},
        {TPCH_NATION, 24, "24|UNITED STATES|1|y final packages. slow foxes cajole quickly. quickly silent platelets breach ironic accounts. unusual pinto be|"},
        {TPCH_PART, 0, "1|goldenrod lavender spring chocolate lace|Manufacturer#1|Brand#13|PROMO BURNISHED COPPER|7|JUMBO PKG|901.00|ly. slyly ironi|"},
        {TPCH_PARTSUPP, 0, "1|2|3325|771.64|, even theodolites. regular, final theodolites eat after the carefully pending foxes. furiously regular deposits sleep slyly. carefully bold realms above the ironic dependencies haggle careful|"},
        {TPCH_ORDERS, 0, "1|36901|O|173665.47|1996-01-02|5-LOW|Clerk#000000951|0|nstructions sleep furiously among |"},
        {TPCH_LINEITEM, 0, "1|155190|7706|1|17.00|21168.23|0.04|0.02|N|O|1996-03-13|1996-02-12|1996-03-22|DELIVER IN PERSON|TRUCK|egular courts above the|"},
        {TPCH_SUPPLIER, 5358, "5359|Supplier#000005359|QKuHYh,vZGiwu2FWEJoLDx04|23|33-429-790-6131|9938.53|uriously regular requests hag|"},
        {TPCH_CUSTOMER, 57039, "57040|Customer#000057040|Eioyzjf4pp|12|22-895-641-3466|632.87|AUTOMOBILE|sits. slyly regular requests sleep alongside of the regular inst|"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Schema s;
        Batch b;
        char line[2048];
        gen_one(cases[i].t, 1.0, pool, cases[i].row, &s, &b);
        ASSERT_EQ_STR(tbl_line(&b, 0, line), cases[i].line);
        batch_destroy(&b);
        schema_destroy(&s);
    }
    tpch_text_pool_free(pool);
}

/* ---- cardinalities and rules at SF 0.01 -------------------------------------------------------- */

TEST(tpch_row_counts_sf001)
{
    TpchTextPool *pool = pool_of(SMALL_POOL);
    static const int64_t want[TPCH_N_TABLES] = {5, 25, 100, 1500, 2000, 8000, 15000, 60175};
    for (int t = 0; t < TPCH_N_TABLES; t++) {
        RangeSum rs = gen_range((TpchTable)t, 0.01, pool, 0, tpch_generator_rows((TpchTable)t, 0.01), 8192);
        if (rs.rows != want[t])
            TFAIL("table %s: %lld rows, expected %lld", tpch_table_name((TpchTable)t), (long long)rs.rows,
                  (long long)want[t]);
    }
    ASSERT_EQ_INT(tpch_generator_rows(TPCH_LINEITEM, 1.0), 1500000);
    ASSERT_EQ_INT(tpch_generator_rows(TPCH_PARTSUPP, 10.0), 2000000);
    tpch_text_pool_free(pool);
}

/* Any split into ranges and any batch size give the same rows in the same order. */
TEST(tpch_ranges_and_batches)
{
    TpchTextPool *pool = pool_of(SMALL_POOL);
    for (int t = 0; t < TPCH_N_TABLES; t++) {
        TpchTable tb = (TpchTable)t;
        int64_t n = tpch_generator_rows(tb, 0.01);
        RangeSum whole = gen_range(tb, 0.01, pool, 0, n, 8192);
        RangeSum small = gen_range(tb, 0.01, pool, 0, n, 7);
        ASSERT_EQ_U64(small.chain, whole.chain);
        int64_t cut1 = n / 3, cut2 = n - n / 5;
        RangeSum a = gen_range(tb, 0.01, pool, 0, cut1, 1000);
        RangeSum b = gen_range(tb, 0.01, pool, cut1, cut2 - cut1, 333);
        RangeSum c = gen_range(tb, 0.01, pool, cut2, n - cut2, 64);
        ASSERT_EQ_INT(a.rows + b.rows + c.rows, whole.rows);
        ASSERT_EQ_U64(a.sum + b.sum + c.sum, whole.sum);
    }
    TarnError err;
    err_clear(&err);
    ASSERT(tpch_gen_open(TPCH_ORDERS, 0.01, pool, 14000, 1001, &err) == NULL);
    ASSERT_ERR_CONTAINS(&err, "outside table \"orders\"");
    err_clear(&err);
    ASSERT(tpch_gen_open(TPCH_ORDERS, 0.001, pool, 0, 1, &err) == NULL);
    ASSERT_ERR_CONTAINS(&err, "scale factor");
    tpch_text_pool_free(pool);
}

/* Orders and lineitem come from separate generators: statuses and total
 * prices must agree; keys, dates and flags follow clause 4.2.3. */
TEST(tpch_orders_match_lineitems_sf001)
{
    TpchTextPool *pool = pool_of(SMALL_POOL);
    TarnError err;
    err_clear(&err);
    const double sf = 0.01;
    int64_t n_orders = tpch_generator_rows(TPCH_ORDERS, sf);
    Schema so, sl;
    schema_init(&so);
    schema_init(&sl);
    ASSERT_EQ_INT(tpch_table_schema(TPCH_ORDERS, &so), 0);
    ASSERT_EQ_INT(tpch_table_schema(TPCH_LINEITEM, &sl), 0);
    Batch bo, bl;
    ASSERT_EQ_INT(batch_init(&bo, &so), 0);
    ASSERT_EQ_INT(batch_init(&bl, &sl), 0);
    TpchGen *go = tpch_gen_open(TPCH_ORDERS, sf, pool, 0, n_orders, &err);
    TpchGen *gl = tpch_gen_open(TPCH_LINEITEM, sf, pool, 0, n_orders, &err);
    ASSERT_NOT_NULL(go, &err);
    ASSERT_NOT_NULL(gl, &err);
    const int32_t current = dt_days_from_civil(1995, 6, 17);
    const int32_t start = dt_days_from_civil(1992, 1, 1), end = dt_days_from_civil(1998, 12, 31);
    int64_t orders_seen = 0, prev_key = 0;
    uint32_t li = 0;
    ASSERT_OK(tpch_gen_next(gl, &bl, 4096, &err), &err);
    int status_count[3] = {0, 0, 0};
    for (;;) {
        ASSERT_OK(tpch_gen_next(go, &bo, 1000, &err), &err);
        if (!bo.n_rows)
            break;
        for (uint32_t r = 0; r < bo.n_rows; r++, orders_seen++) {
            int64_t key = VEC_DATA(&bo.cols[0], int64_t)[r];
            int64_t cust = VEC_DATA(&bo.cols[1], int64_t)[r];
            StrView st = VEC_DATA(&bo.cols[2], StrView)[r];
            int64_t total = VEC_DATA(&bo.cols[3], int64_t)[r];
            int32_t odate = VEC_DATA(&bo.cols[4], int32_t)[r];
            ASSERT(key > prev_key && key % 32 < 8); /* 8 of every 32 keys */
            prev_key = key;
            ASSERT(cust >= 1 && cust <= 1500 && cust % 3 != 0);
            ASSERT(odate >= start && odate <= dt_days_from_civil(1998, 8, 2));
            int64_t sum = 0;
            int lines = 0, shipped = 0;
            while (true) {
                if (li == bl.n_rows) {
                    ASSERT_OK(tpch_gen_next(gl, &bl, 4096, &err), &err);
                    li = 0;
                    if (!bl.n_rows)
                        break;
                }
                if (VEC_DATA(&bl.cols[0], int64_t)[li] != key)
                    break;
                int64_t ext = VEC_DATA(&bl.cols[5], int64_t)[li];
                int64_t disc = VEC_DATA(&bl.cols[6], int64_t)[li];
                int64_t tax = VEC_DATA(&bl.cols[7], int64_t)[li];
                int64_t qty = VEC_DATA(&bl.cols[4], int64_t)[li];
                int64_t part = VEC_DATA(&bl.cols[1], int64_t)[li];
                int32_t ship = VEC_DATA(&bl.cols[10], int32_t)[li];
                int32_t commit = VEC_DATA(&bl.cols[11], int32_t)[li];
                int32_t receipt = VEC_DATA(&bl.cols[12], int32_t)[li];
                StrView flag = VEC_DATA(&bl.cols[8], StrView)[li];
                StrView ls = VEC_DATA(&bl.cols[9], StrView)[li];
                ASSERT_EQ_INT(VEC_DATA(&bl.cols[3], int32_t)[li], lines + 1);
                ASSERT(qty >= 100 && qty <= 5000 && qty % 100 == 0);
                ASSERT(disc >= 0 && disc <= 10 && tax >= 0 && tax <= 8);
                ASSERT(part >= 1 && part <= 2000);
                ASSERT_EQ_INT(ext, qty / 100 * (90000 + (part / 10) % 20001 + 100 * (part % 1000)));
                ASSERT(ship - odate >= 1 && ship - odate <= 121);
                ASSERT(commit - odate >= 30 && commit - odate <= 90);
                ASSERT(receipt - ship >= 1 && receipt - ship <= 30 && receipt <= end);
                if (receipt <= current)
                    ASSERT(flag.len == 1 && (flag.ptr[0] == 'R' || flag.ptr[0] == 'A'));
                else
                    ASSERT(flag.len == 1 && flag.ptr[0] == 'N');
                ASSERT(ls.len == 1 && ls.ptr[0] == (ship > current ? 'O' : 'F'));
                shipped += ship <= current;
                sum += ext * (100 - disc) / 100 * (100 + tax) / 100;
                lines++;
                li++;
            }
            ASSERT(lines >= 1 && lines <= 7);
            ASSERT_EQ_INT(total, sum);
            char want = shipped == lines ? 'F' : shipped == 0 ? 'O' : 'P';
            ASSERT(st.len == 1 && st.ptr[0] == want);
            status_count[want == 'F' ? 0 : want == 'O' ? 1 : 2]++;
        }
    }
    ASSERT_EQ_INT(orders_seen, n_orders);
    ASSERT(status_count[0] > 0 && status_count[1] > 0 && status_count[2] > 0);
    tpch_gen_close(go);
    tpch_gen_close(gl);
    batch_destroy(&bo);
    batch_destroy(&bl);
    schema_destroy(&so);
    schema_destroy(&sl);
    tpch_text_pool_free(pool);
}

TEST(tpch_part_supplier_rules_sf001)
{
    TpchTextPool *pool = pool_of(SMALL_POOL);
    Schema s;
    Batch b;
    TarnError err;
    err_clear(&err);
    schema_init(&s);
    ASSERT_EQ_INT(tpch_table_schema(TPCH_PARTSUPP, &s), 0);
    ASSERT_EQ_INT(batch_init(&b, &s), 0);
    TpchGen *g = tpch_gen_open(TPCH_PARTSUPP, 0.01, pool, 0, 2000, &err);
    ASSERT_NOT_NULL(g, &err);
    for (;;) {
        ASSERT_OK(tpch_gen_next(g, &b, 1000, &err), &err);
        if (!b.n_rows)
            break;
        ASSERT_EQ_INT(b.n_rows % 4, 0);
        for (uint32_t r = 0; r < b.n_rows; r += 4) {
            int64_t p = VEC_DATA(&b.cols[0], int64_t)[r];
            for (uint32_t i = 0; i < 4; i++) {
                ASSERT_EQ_INT(VEC_DATA(&b.cols[0], int64_t)[r + i], p);
                int64_t sk = VEC_DATA(&b.cols[1], int64_t)[r + i];
                /* clause 4.2.3: (PS_PARTKEY + (i * ((S/4) + (int)(PS_PARTKEY-1)/S))) modulo S + 1 */
                ASSERT_EQ_INT(sk, (p + i * (100 / 4 + (p - 1) / 100)) % 100 + 1);
                for (uint32_t k = 0; k < i; k++)
                    ASSERT(VEC_DATA(&b.cols[1], int64_t)[r + k] != sk);
                int32_t q = VEC_DATA(&b.cols[2], int32_t)[r + i];
                int64_t cost = VEC_DATA(&b.cols[3], int64_t)[r + i];
                ASSERT(q >= 1 && q <= 9999 && cost >= 100 && cost <= 100000);
            }
        }
    }
    tpch_gen_close(g);
    batch_destroy(&b);
    schema_destroy(&s);
    tpch_text_pool_free(pool);
}

/* "Customer ... Complaints" / "Recommends" in 10 of every 10,000 supplier comments. */
TEST(tpch_supplier_bbb_comments)
{
    TpchTextPool *pool = pool_of(SMALL_POOL);
    Schema s;
    schema_init(&s);
    ASSERT_EQ_INT(tpch_table_schema(TPCH_SUPPLIER, &s), 0);
    Batch b;
    ASSERT_EQ_INT(batch_init(&b, &s), 0);
    TarnError err;
    err_clear(&err);
    TpchGen *g = tpch_gen_open(TPCH_SUPPLIER, 10, pool, 0, 100000, &err);
    ASSERT_NOT_NULL(g, &err);
    int complaints = 0, recommends = 0;
    for (;;) {
        ASSERT_OK(tpch_gen_next(g, &b, 8192, &err), &err);
        if (!b.n_rows)
            break;
        for (uint32_t r = 0; r < b.n_rows; r++) {
            StrView c = VEC_DATA(&b.cols[6], StrView)[r];
            char buf[256];
            memcpy(buf, c.ptr, c.len);
            buf[c.len] = '\0';
            char *cu = strstr(buf, "Customer ");
            if (!cu)
                continue;
            if (strstr(cu, "Complaints"))
                complaints++;
            else if (strstr(cu, "Recommends"))
                recommends++;
        }
    }
    /* SF 10: about 50 of each (the spec: SF x 5) */
    ASSERT(complaints >= 30 && complaints <= 75);
    ASSERT(recommends >= 30 && recommends <= 75);
    tpch_gen_close(g);
    batch_destroy(&b);
    schema_destroy(&s);
    tpch_text_pool_free(pool);
}

/* ---- the lake writer ----------------------------------------------------------------------------------- */

/* Order-insensitive hash and row count of a Delta table's rows. */
static RangeSum table_sum(const char *dir, int64_t *version_out)
{
    TarnError err;
    err_clear(&err);
    DeltaTable *t = delta_table_open_dir(dir, false, NULL, &err);
    ASSERT_NOT_NULL(t, &err);
    DeltaSnapshot *snap = delta_snapshot_latest(t, &err);
    ASSERT_NOT_NULL(snap, &err);
    if (version_out)
        *version_out = delta_snapshot_version(snap);
    DeltaScan *sc = delta_scan_open(snap, NULL, &err);
    ASSERT_NOT_NULL(sc, &err);
    Batch b;
    ASSERT_EQ_INT(batch_init(&b, delta_scan_schema(sc)), 0);
    RangeSum rs = {0, 0, 0};
    for (;;) {
        ASSERT_OK(delta_scan_next(sc, &b, &err), &err);
        if (!b.n_rows)
            break;
        add_batch(&rs, &b);
    }
    ASSERT_EQ_INT(delta_snapshot_total_rows(snap), rs.rows); /* every file has stats */
    batch_destroy(&b);
    delta_scan_close(sc);
    delta_snapshot_free(snap);
    delta_table_close(t);
    return rs;
}

TEST(tpch_lake_threads_force)
{
    char a[4096], b[4096], dir[4200];
    snprintf(a, sizeof a, "%s/lake_a", test_tmp_dir());
    snprintf(b, sizeof b, "%s/lake_b", test_tmp_dir());
    TarnError err;
    err_clear(&err);
    TpchLakeOptions o;
    memset(&o, 0, sizeof o);
    o.sf = 0.01;
    o.threads = 1;
    o.target_file_bytes = 400000; /* several files per big table */
    TpchLakeResult ra, rb;
    ASSERT_OK(tpch_lake_write(a, &o, &ra, &err), &err);
    o.threads = 2;
    ASSERT_OK(tpch_lake_write(b, &o, &rb, &err), &err);
    ASSERT_EQ_INT(ra.tables[TPCH_LINEITEM].rows, 60175);
    ASSERT(ra.tables[TPCH_LINEITEM].files >= 3);
    ASSERT_EQ_INT(rb.threads, 2);

    /* the data equal the generator's, whatever the thread count */
    TpchTextPool *pool = pool_of(TPCH_TEXT_POOL_BYTES);
    for (int t = 0; t < TPCH_N_TABLES; t++) {
        RangeSum g = gen_range((TpchTable)t, 0.01, pool, 0, tpch_generator_rows((TpchTable)t, 0.01), 8192);
        int64_t va, vb;
        snprintf(dir, sizeof dir, "%s/tpch/%s", a, tpch_table_name((TpchTable)t));
        RangeSum x = table_sum(dir, &va);
        snprintf(dir, sizeof dir, "%s/tpch/%s", b, tpch_table_name((TpchTable)t));
        RangeSum y = table_sum(dir, &vb);
        ASSERT_EQ_INT(x.rows, g.rows);
        ASSERT_EQ_U64(x.sum, g.sum);
        ASSERT_EQ_U64(y.sum, g.sum);
        ASSERT_EQ_INT(va, 1);
        ASSERT_EQ_INT(vb, 1);
        ASSERT_EQ_INT(ra.tables[t].files, rb.tables[t].files);
        ASSERT_EQ_INT(ra.tables[t].bytes, rb.tables[t].bytes);
    }
    tpch_text_pool_free(pool);

    /* existing tables: refused without force, replaced with it */
    err_clear(&err);
    ASSERT(tpch_lake_write(a, &o, NULL, &err) != 0);
    ASSERT_EQ_INT(err.kind, TARN_ERR_INVALID);
    ASSERT_ERR_CONTAINS(&err, "already exists");
    err_clear(&err);
    o.force = true;
    o.target_file_bytes = 0;
    TpchLakeResult rc;
    ASSERT_OK(tpch_lake_write(a, &o, &rc, &err), &err);
    ASSERT(rc.tables[TPCH_ORDERS].replaced);
    ASSERT_EQ_INT(rc.tables[TPCH_LINEITEM].files, 1);
    snprintf(dir, sizeof dir, "%s/tpch/lineitem", a);
    int64_t v;
    RangeSum after = table_sum(dir, &v);
    ASSERT_EQ_INT(v, 2);
    ASSERT_EQ_INT(after.rows, 60175);
    snprintf(dir, sizeof dir, "%s/tpch/lineitem", b);
    ASSERT_EQ_U64(after.sum, table_sum(dir, NULL).sum);
}
