/*
 * datagen.c - TPC-H-like lineitem rows into Batches, and batch checksums
 * (see datagen.h).
 *
 * The generator walks orders: each order draws an order date and 1..7
 * lines; each line draws its part, supplier, quantity, discount, tax and
 * date offsets.  One PRNG stream drives everything in row order, which is
 * what makes the output independent of batch sizes.
 */
#include "demo/datagen.h"

#include <string.h>

#include <xxhash.h>

/* TPC-H dates (clause 4.2.2.12), as days since 1970-01-01. */
#define DAY_START 8035        /* 1992-01-01 STARTDATE */
#define DAY_CURRENT 9298      /* 1995-06-17 CURRENTDATE */
#define DAY_ORDER_LAST 10440  /* 1998-08-02 = ENDDATE - 151 days */

#define COMMENT_MIN 10
#define COMMENT_MAX 43

/* ---- PRNG: splitmix64 --------------------------------------------------- */

static inline uint64_t rng_next(uint64_t *st)
{
    uint64_t z = (*st += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform integer in [lo, hi] (Lemire's multiply-shift; the tiny bias of
 * skipping the rejection step is irrelevant for test data). */
static inline int64_t rng_range(uint64_t *st, int64_t lo, int64_t hi)
{
    uint64_t span = (uint64_t)(hi - lo) + 1;
    uint64_t r = rng_next(st) >> 32;
    return lo + (int64_t)((r * span) >> 32);
}

/* ---- Static text -------------------------------------------------------- */

static const char *const ship_instruct[4] = {"DELIVER IN PERSON", "COLLECT COD", "NONE",
                                             "TAKE BACK RETURN"};
static const char *const ship_mode[7] = {"REG AIR", "AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB"};
static const char flag_chars[] = "RAN";
static const char status_chars[] = "OF";

/* Words for comments, in the spirit of the specification's text pool. */
static const char *const words[] = {
    "furiously", "slyly",     "carefully", "blithely",  "quickly",    "fluffily",    "regular",
    "final",     "express",   "pending",   "ironic",    "bold",       "special",     "unusual",
    "even",      "silent",    "packages",  "requests",  "accounts",   "deposits",    "foxes",
    "ideas",     "pinto",     "beans",     "theodolites", "instructions", "dependencies",
    "excuses",   "platelets", "asymptotes", "courts",   "dolphins",   "sleep",       "wake",
    "are",       "haggle",    "nag",       "use",       "boost",      "affix",       "detect",
    "integrate", "cajole",    "along",     "across",    "above",      "against",     "among",
    "the",       "about",     "after",     "sometimes", "always",     "never",       "quietly",
    "thinly",    "daringly",  "busily",    "warthogs",  "frets",      "sheaves",     "tithes",
};
#define N_WORDS (sizeof words / sizeof words[0])
static uint8_t word_len[N_WORDS];
static int word_len_ready;

static void init_word_len(void)
{
    if (word_len_ready)
        return;
    for (size_t i = 0; i < N_WORDS; i++)
        word_len[i] = (uint8_t)strlen(words[i]);
    word_len_ready = 1;
}

/* Writes a comment of 10..43 characters at dst; returns its length. */
static uint32_t make_comment(uint64_t *st, char *dst)
{
    uint32_t target = (uint32_t)rng_range(st, COMMENT_MIN, COMMENT_MAX);
    uint32_t n = 0;
    while (n < target) {
        uint64_t r = rng_next(st);
        size_t w = (size_t)((r >> 32) * N_WORDS >> 32);
        if (n)
            dst[n++] = ' ';
        uint32_t take = word_len[w];
        if (take > COMMENT_MAX + 1 - n)
            take = COMMENT_MAX + 1 - n;
        memcpy(dst + n, words[w], take);
        n += take;
    }
    if (n > target)
        n = target;
    if (dst[n - 1] == ' ') /* cut right after a word: end it like a sentence */
        dst[n - 1] = '.';
    return n;
}

static inline StrView sv(const char *s, uint32_t len)
{
    StrView v;
    v.len = len;
    v.pad_ = 0;
    v.ptr = s;
    return v;
}

/* ---- Generator ---------------------------------------------------------- */

double datagen_scale_for_rows(int64_t n_rows)
{
    double sf = (double)n_rows / (double)DATAGEN_SF1_ROWS;
    return sf < 0.01 ? 0.01 : sf;
}

void datagen_init(DatagenState *s, uint64_t seed, double scale)
{
    memset(s, 0, sizeof *s);
    if (!(scale >= 0.01))
        scale = 0.01;
    s->rng = seed * 0x2545F4914F6CDD1Dull + 0x1234567ull;
    s->n_parts = (int64_t)(200000.0 * scale);
    s->n_supps = (int64_t)(10000.0 * scale);
    if (s->n_supps < 4)
        s->n_supps = 4;
    init_word_len();
}

int datagen_lineitem_schema(Schema *s)
{
    static const struct {
        const char *name;
        TypeId id;
    } cols[DG_N_COLUMNS] = {
        {"l_orderkey", TYPE_INT64},     {"l_partkey", TYPE_INT32},
        {"l_suppkey", TYPE_INT32},      {"l_linenumber", TYPE_INT32},
        {"l_quantity", TYPE_DECIMAL},   {"l_extendedprice", TYPE_DECIMAL},
        {"l_discount", TYPE_DECIMAL},   {"l_tax", TYPE_DECIMAL},
        {"l_returnflag", TYPE_STRING},  {"l_linestatus", TYPE_STRING},
        {"l_shipdate", TYPE_DATE},      {"l_commitdate", TYPE_DATE},
        {"l_receiptdate", TYPE_DATE},   {"l_shipinstruct", TYPE_STRING},
        {"l_shipmode", TYPE_STRING},    {"l_comment", TYPE_STRING},
    };
    for (int i = 0; i < DG_N_COLUMNS; i++) {
        LogicalType t = cols[i].id == TYPE_DECIMAL ? type_decimal(15, 2) : type_simple(cols[i].id);
        int rc = schema_add(s, cols[i].name, t, false);
        if (rc)
            return rc;
    }
    return 0;
}

/* Starts the next order: its key (TPC-H keeps 8 of every 32 keys), date and
 * number of lines. */
static void next_order(DatagenState *s)
{
    int64_t i = s->order_index++;
    s->order_key = (i / 8) * 32 + (i % 8) + 1;
    s->order_date = (int32_t)rng_range(&s->rng, DAY_START, DAY_ORDER_LAST);
    s->lines_left = (int32_t)rng_range(&s->rng, 1, 7);
    s->line_number = 0;
}

int datagen_lineitem_next(DatagenState *s, Batch *b, uint32_t rows, TarnError *err)
{
    if (b->n_cols != DG_N_COLUMNS)
        return err_set(err, TARN_ERR_INVALID, "datagen: batch has %u columns, expected %d",
                       b->n_cols, DG_N_COLUMNS);
    batch_reset(b);
    for (int c = 0; c < DG_N_COLUMNS; c++)
        if (vec_reserve(&b->cols[c], rows ? rows : 1))
            return ERR_NOMEM(err, (size_t)rows * 16);
    char *text = NULL;
    if (rows) {
        text = arena_alloc(&b->cols[DG_COMMENT].heap, (size_t)rows * (COMMENT_MAX + 1));
        if (!text)
            return ERR_NOMEM(err, (size_t)rows * (COMMENT_MAX + 1));
    }

    int64_t *orderkey = VEC_DATA(&b->cols[DG_ORDERKEY], int64_t);
    int32_t *partkey = VEC_DATA(&b->cols[DG_PARTKEY], int32_t);
    int32_t *suppkey = VEC_DATA(&b->cols[DG_SUPPKEY], int32_t);
    int32_t *linenumber = VEC_DATA(&b->cols[DG_LINENUMBER], int32_t);
    int64_t *quantity = VEC_DATA(&b->cols[DG_QUANTITY], int64_t);
    int64_t *extprice = VEC_DATA(&b->cols[DG_EXTENDEDPRICE], int64_t);
    int64_t *discount = VEC_DATA(&b->cols[DG_DISCOUNT], int64_t);
    int64_t *tax = VEC_DATA(&b->cols[DG_TAX], int64_t);
    StrView *retflag = VEC_DATA(&b->cols[DG_RETURNFLAG], StrView);
    StrView *linestatus = VEC_DATA(&b->cols[DG_LINESTATUS], StrView);
    int32_t *shipdate = VEC_DATA(&b->cols[DG_SHIPDATE], int32_t);
    int32_t *commitdate = VEC_DATA(&b->cols[DG_COMMITDATE], int32_t);
    int32_t *receiptdate = VEC_DATA(&b->cols[DG_RECEIPTDATE], int32_t);
    StrView *instruct = VEC_DATA(&b->cols[DG_SHIPINSTRUCT], StrView);
    StrView *mode = VEC_DATA(&b->cols[DG_SHIPMODE], StrView);
    StrView *comment = VEC_DATA(&b->cols[DG_COMMENT], StrView);

    uint64_t *st = &s->rng;
    const int64_t n_supps = s->n_supps;
    for (uint32_t r = 0; r < rows; r++) {
        if (s->lines_left == 0)
            next_order(s);
        s->lines_left--;
        s->line_number++;

        int64_t pk = rng_range(st, 1, s->n_parts);
        int64_t supp_i = rng_range(st, 0, 3);
        /* clause 4.2.3: the four suppliers of a part */
        int64_t sk = (pk + supp_i * (n_supps / 4 + (pk - 1) / n_supps)) % n_supps + 1;
        int64_t qty = rng_range(st, 1, 50);
        /* P_RETAILPRICE in cents, clause 4.2.3 */
        int64_t retail = 90000 + (pk / 10) % 20001 + 100 * (pk % 1000);
        int32_t ship = s->order_date + (int32_t)rng_range(st, 1, 121);
        int32_t commit = s->order_date + (int32_t)rng_range(st, 30, 90);
        int32_t receipt = ship + (int32_t)rng_range(st, 1, 30);
        uint64_t pick = rng_next(st);

        orderkey[r] = s->order_key;
        partkey[r] = (int32_t)pk;
        suppkey[r] = (int32_t)sk;
        linenumber[r] = s->line_number;
        quantity[r] = qty * 100;
        extprice[r] = qty * retail;
        discount[r] = (int64_t)(pick % 11);        /* 0.00 .. 0.10 */
        tax[r] = (int64_t)((pick >> 8) % 9);       /* 0.00 .. 0.08 */
        shipdate[r] = ship;
        commitdate[r] = commit;
        receiptdate[r] = receipt;
        const char *flag = receipt <= DAY_CURRENT ? &flag_chars[(pick >> 16) & 1] : &flag_chars[2];
        retflag[r] = sv(flag, 1);
        linestatus[r] = sv(ship > DAY_CURRENT ? &status_chars[0] : &status_chars[1], 1);
        const char *ins = ship_instruct[(pick >> 20) & 3];
        instruct[r] = sv(ins, (uint32_t)strlen(ins));
        const char *md = ship_mode[((pick >> 24) & 0xFFFF) % 7];
        mode[r] = sv(md, (uint32_t)strlen(md));
        char *dst = text + (size_t)r * (COMMENT_MAX + 1);
        comment[r] = sv(dst, make_comment(st, dst));
    }
    for (int c = 0; c < DG_N_COLUMNS; c++)
        b->cols[c].len = rows;
    b->n_rows = rows;
    s->rows_done += rows;
    return 0;
}

/* ---- Checksums ---------------------------------------------------------- */

#define NULL_HASH 0x6E756C6C6E756C6Cull /* "nullnull" */

static inline uint64_t chain(uint64_t h, uint64_t v)
{
    h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    return h * 0xFF51AFD7ED558CCDull;
}

/* Chains values [from, to) of v into h; adds value bytes to *raw. */
static uint64_t hash_vector(uint64_t h, const Vector *v, uint32_t from, uint32_t to, int64_t *raw)
{
    const LogicalType *t = v->type;
    if (t->id == TYPE_STRUCT) {
        for (uint32_t i = from; i < to; i++)
            h = chain(h, vec_is_valid(v, i) ? 1 : NULL_HASH);
        for (uint32_t c = 0; c < v->n_children; c++)
            h = hash_vector(h, &v->children[c], from, to, raw);
        return h;
    }
    if (t->id == TYPE_LIST || t->id == TYPE_MAP) {
        for (uint32_t i = from; i < to; i++) {
            if (!vec_is_valid(v, i)) {
                h = chain(h, NULL_HASH);
                continue;
            }
            uint32_t a = v->offsets[i], e = v->offsets[i + 1];
            h = chain(h, e - a);
            for (uint32_t c = 0; c < v->n_children; c++)
                h = hash_vector(h, &v->children[c], a, e, raw);
        }
        return h;
    }
    size_t w = type_width(t);
    for (uint32_t i = from; i < to; i++) {
        if (!vec_is_valid(v, i)) {
            h = chain(h, NULL_HASH);
            continue;
        }
        if (type_is_string_like(t->id)) {
            const StrView *s = &VEC_DATA(v, StrView)[i];
            h = chain(h, XXH3_64bits(s->ptr, s->len));
            *raw += s->len;
        } else if (w <= 8) {
            uint64_t x = 0;
            memcpy(&x, v->data + (size_t)i * w, w);
            h = chain(h, x);
            *raw += (int64_t)w;
        } else {
            h = chain(h, XXH3_64bits(v->data + (size_t)i * w, w));
            *raw += (int64_t)w;
        }
    }
    return h;
}

void datagen_checksum_init(DatagenChecksum *c)
{
    memset(c, 0, sizeof *c);
}

void datagen_checksum_add(DatagenChecksum *c, const Batch *b)
{
    uint32_t n = b->n_cols < DATAGEN_MAX_CHECK_COLS ? b->n_cols : DATAGEN_MAX_CHECK_COLS;
    if (n > c->n_cols)
        c->n_cols = n;
    for (uint32_t i = 0; i < n; i++)
        c->col[i] = hash_vector(c->col[i], &b->cols[i], 0, b->n_rows, &c->raw_bytes);
    c->rows += b->n_rows;
}

uint64_t datagen_checksum_value(const DatagenChecksum *c)
{
    uint64_t h = chain(0, (uint64_t)c->rows);
    for (uint32_t i = 0; i < c->n_cols; i++)
        h = chain(h, c->col[i]);
    return h;
}
