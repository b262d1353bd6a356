/*
 * tpch_gen.c - the eight TPC-H tables as Batches (see tpch_gen.h).
 *
 * One generator per table and row range.  Each column has its own stream
 * (tpch_int.h) with dbgen's seed and draws per row; after every generator
 * row all streams skip to the next row's start, so skipping to a range's
 * first row is one jump per stream.  Values are written straight into the
 * vectors; enumerated strings point at the static lists, comments into the
 * text pool, and the few formatted strings (names, phones, addresses,
 * part names, clerks) into one block of the batch's heap per column.
 */
#include "tpch/tpch_gen.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "tpch/tpch_dists.h"
#include "tpch/tpch_int.h"

/* Base cardinalities at SF 1 (clause 4.2.5). */
#define SUPPLIER_BASE 10000
#define CUSTOMER_BASE 150000
#define PART_BASE 200000
#define ORDERS_BASE 1500000
#define SUPPLIERS_PER_PART 4
#define LINES_MAX 7
#define CLERK_BASE 1000

/* Line date offsets from the order date (clause 4.2.3). */
#define SHIP_MIN 1
#define SHIP_MAX 121
#define COMMIT_MIN 30
#define COMMIT_MAX 90
#define RECEIPT_MIN 1
#define RECEIPT_MAX 30
/* Last order date: ENDDATE - 151 days, so every line ships and arrives by ENDDATE. */
#define ORDER_DATE_MAX (TPCH_DATE_BASE + TPCH_TOTAL_DATE_RANGE - (SHIP_MAX + RECEIPT_MAX) - 1)

/* Supplier comments with Better Business Bureau text (clause 4.2.3). */
#define BBB_PER_BASE 10        /* of every 10,000 suppliers */
#define BBB_BASE_TEXT "Customer "
#define BBB_BASE_LEN 9
#define BBB_TYPE_LEN 10        /* "Complaints" and "Recommends" */
#define BBB_COMMENT_LEN (BBB_BASE_LEN + BBB_TYPE_LEN)
#define BBB_COMPLAINT_PERCENT 50

/* Seeds of dbgen's column streams. */
enum {
    SEED_REGION_COMMENT = 1500869201,
    SEED_NATION_COMMENT = 606179079,
    SEED_S_ADDRESS = 706178559,
    SEED_S_NATION = 110356601,
    SEED_S_PHONE = 884434366,
    SEED_S_ACCTBAL = 962338209,
    SEED_S_COMMENT = 1341315363,
    SEED_S_BBB = 202794285,
    SEED_S_BBB_JUNK = 263032577,
    SEED_S_BBB_OFFSET = 715851524,
    SEED_S_BBB_TYPE = 753643799,
    SEED_C_ADDRESS = 881155353,
    SEED_C_NATION = 1489529863,
    SEED_C_PHONE = 1521138112,
    SEED_C_ACCTBAL = 298370230,
    SEED_C_SEGMENT = 1140279430,
    SEED_C_COMMENT = 1335826707,
    SEED_P_NAME = 709314158,
    SEED_P_MFGR = 1,
    SEED_P_BRAND = 46831694,
    SEED_P_TYPE = 1841581359,
    SEED_P_SIZE = 1193163244,
    SEED_P_CONTAINER = 727633698,
    SEED_P_COMMENT = 804159733,
    SEED_PS_QTY = 1671059989,
    SEED_PS_COST = 1051288424,
    SEED_PS_COMMENT = 1961692154,
    SEED_O_DATE = 1066728069,
    SEED_O_LINES = 1434868289,
    SEED_O_CUSTKEY = 851767375,
    SEED_O_PRIORITY = 591449447,
    SEED_O_CLERK = 1171034773,
    SEED_O_COMMENT = 276090261,
    SEED_L_QUANTITY = 209208115,
    SEED_L_DISCOUNT = 554590007,
    SEED_L_TAX = 721958466,
    SEED_L_PARTKEY = 1808217256,
    SEED_L_SUPPNO = 2095021727,
    SEED_L_SHIP = 1769349045,
    SEED_L_COMMIT = 904914315,
    SEED_L_RECEIPT = 373135028,
    SEED_L_RFLAG = 717419739,
    SEED_L_INSTRUCT = 1371272478,
    SEED_L_MODE = 675466456,
    SEED_L_COMMENT = 1095462486,
};

/* Average lengths of the variable-length text columns (clause 4.2.3). */
enum {
    LEN_REGION_COMMENT = 72, LEN_NATION_COMMENT = 72, LEN_ADDRESS = 25, LEN_S_COMMENT = 63,
    LEN_C_COMMENT = 73, LEN_P_COMMENT = 14, LEN_PS_COMMENT = 124, LEN_O_COMMENT = 49,
    LEN_L_COMMENT = 27,
};

/* A random substring of the text pool (dbgen's RandomText). */
typedef struct TextStream {
    TpchRng r;
    int32_t min, max;  /* length bounds: 0.4 and 1.6 times the average */
} TextStream;

/* Random [0-9a-zA-Z ,] text (addresses): 5 characters per draw. */
typedef struct AlnumStream {
    TpchRng r;
    int32_t min, max;
} AlnumStream;

#define MAX_STREAMS 16

struct TpchGen {
    TpchTable table;
    double sf;
    const char *pool;         /* borrowed text pool */
    int64_t pool_size;
    int64_t first, n_rows, done; /* generator rows */
    int64_t n_suppliers, n_customers, n_parts;
    int32_t n_clerks;
    TpchRng *rng[MAX_STREAMS];/* every stream of this table, for skipping */
    int n_rng;
    /* column streams (each table uses some) */
    TpchRng nation, phone, acctbal, segment;                 /* supplier, customer */
    TpchRng bbb, bbb_junk, bbb_offset, bbb_type;             /* supplier comments */
    TpchRng name, mfgr, brand, type, size, container;        /* part */
    TpchRng availqty, supplycost;                            /* partsupp */
    TpchRng odate, lines, custkey, priority, clerk;          /* orders (odate, lines: lineitem too) */
    TpchRng quantity, discount, tax, partkey, shipdate;      /* lineitem (orders: for the total) */
    TpchRng suppno, commitdate, receiptdate, rflag, instruct, shipmode; /* lineitem */
    TextStream comment;
    AlnumStream address;
};

static const char *const table_names[TPCH_N_TABLES] = {
    "region", "nation", "supplier", "customer", "part", "partsupp", "orders", "lineitem",
};

const char *tpch_table_name(TpchTable t)
{
    return (unsigned)t < TPCH_N_TABLES ? table_names[t] : NULL;
}

int tpch_table_by_name(const char *name)
{
    for (int i = 0; i < TPCH_N_TABLES; i++)
        if (strcasecmp(name, table_names[i]) == 0)
            return i;
    return -1;
}

/* ---- Schemas ------------------------------------------------------------------ */

typedef struct ColDef {
    const char *name;
    char type; /* 'L' BIGINT, 'I' INTEGER, 'M' DECIMAL(15,2), 'D' DATE, 'T' TEXT */
} ColDef;

static const ColDef region_cols[] = {{"r_regionkey", 'I'}, {"r_name", 'T'}, {"r_comment", 'T'}};
static const ColDef nation_cols[] = {
    {"n_nationkey", 'I'}, {"n_name", 'T'}, {"n_regionkey", 'I'}, {"n_comment", 'T'}};
static const ColDef supplier_cols[] = {
    {"s_suppkey", 'L'}, {"s_name", 'T'}, {"s_address", 'T'}, {"s_nationkey", 'I'},
    {"s_phone", 'T'},   {"s_acctbal", 'M'}, {"s_comment", 'T'}};
static const ColDef customer_cols[] = {
    {"c_custkey", 'L'}, {"c_name", 'T'},    {"c_address", 'T'},    {"c_nationkey", 'I'},
    {"c_phone", 'T'},   {"c_acctbal", 'M'}, {"c_mktsegment", 'T'}, {"c_comment", 'T'}};
static const ColDef part_cols[] = {
    {"p_partkey", 'L'}, {"p_name", 'T'},      {"p_mfgr", 'T'},        {"p_brand", 'T'},
    {"p_type", 'T'},    {"p_size", 'I'},      {"p_container", 'T'},   {"p_retailprice", 'M'},
    {"p_comment", 'T'}};
static const ColDef partsupp_cols[] = {
    {"ps_partkey", 'L'}, {"ps_suppkey", 'L'}, {"ps_availqty", 'I'}, {"ps_supplycost", 'M'},
    {"ps_comment", 'T'}};
static const ColDef orders_cols[] = {
    {"o_orderkey", 'L'},     {"o_custkey", 'L'},       {"o_orderstatus", 'T'},
    {"o_totalprice", 'M'},   {"o_orderdate", 'D'},     {"o_orderpriority", 'T'},
    {"o_clerk", 'T'},        {"o_shippriority", 'I'},  {"o_comment", 'T'}};
static const ColDef lineitem_cols[] = {
    {"l_orderkey", 'L'},    {"l_partkey", 'L'},      {"l_suppkey", 'L'},     {"l_linenumber", 'I'},
    {"l_quantity", 'M'},    {"l_extendedprice", 'M'}, {"l_discount", 'M'},   {"l_tax", 'M'},
    {"l_returnflag", 'T'},  {"l_linestatus", 'T'},   {"l_shipdate", 'D'},    {"l_commitdate", 'D'},
    {"l_receiptdate", 'D'}, {"l_shipinstruct", 'T'}, {"l_shipmode", 'T'},    {"l_comment", 'T'}};

#define COLS(a) {a, (int)(sizeof a / sizeof a[0])}
static const struct {
    const ColDef *cols;
    int n;
} table_cols[TPCH_N_TABLES] = {
    COLS(region_cols), COLS(nation_cols),   COLS(supplier_cols), COLS(customer_cols),
    COLS(part_cols),   COLS(partsupp_cols), COLS(orders_cols),   COLS(lineitem_cols),
};

int tpch_table_schema(TpchTable t, Schema *s)
{
    if ((unsigned)t >= TPCH_N_TABLES)
        return TARN_ERR_INVALID;
    for (int i = 0; i < table_cols[t].n; i++) {
        const ColDef *c = &table_cols[t].cols[i];
        LogicalType ty;
        switch (c->type) {
        case 'L': ty = type_simple(TYPE_INT64); break;
        case 'I': ty = type_simple(TYPE_INT32); break;
        case 'M': ty = type_decimal(15, 2); break;
        case 'D': ty = type_simple(TYPE_DATE); break;
        default: ty = type_simple(TYPE_STRING); break;
        }
        int rc = schema_add(s, c->name, ty, false);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- Scale ---------------------------------------------------------------------- */

static int64_t scaled(int64_t base, double sf)
{
    return (int64_t)((double)base * sf); /* dbgen truncates */
}

int tpch_check_scale(double sf, TarnError *err)
{
    if (!(sf >= TPCH_SF_MIN && sf <= TPCH_SF_MAX))
        return err_set(err, TARN_ERR_INVALID, "scale factor %g is out of range (%g to %g)", sf,
                       TPCH_SF_MIN, TPCH_SF_MAX);
    return 0;
}

int64_t tpch_generator_rows(TpchTable t, double sf)
{
    switch (t) {
    case TPCH_REGION: return tpch_dist(TPCH_D_REGIONS)->n;
    case TPCH_NATION: return tpch_dist(TPCH_D_NATIONS)->n;
    case TPCH_SUPPLIER: return scaled(SUPPLIER_BASE, sf);
    case TPCH_CUSTOMER: return scaled(CUSTOMER_BASE, sf);
    case TPCH_PART: case TPCH_PARTSUPP: return scaled(PART_BASE, sf);
    case TPCH_ORDERS: case TPCH_LINEITEM: return scaled(ORDERS_BASE, sf);
    default: return 0;
    }
}

/* ---- Streams -------------------------------------------------------------------------- */

static void add_rng(TpchGen *g, TpchRng *r, int64_t seed, int64_t per_row)
{
    tpch_rng_init(r, seed, per_row);
    g->rng[g->n_rng++] = r;
}

static void add_text(TpchGen *g, TextStream *t, int64_t seed, int avg, int rows_per_row)
{
    t->min = (int32_t)((double)avg * 0.4);
    t->max = (int32_t)((double)avg * 1.6);
    add_rng(g, &t->r, seed, 2 * (int64_t)rows_per_row);
}

static void add_alnum(TpchGen *g, AlnumStream *a, int64_t seed, int avg)
{
    a->min = (int32_t)((double)avg * 0.4);
    a->max = (int32_t)((double)avg * 1.6);
    add_rng(g, &a->r, seed, 9);
}

static inline StrView sv(const char *s, uint32_t len)
{
    StrView v;
    v.len = len;
    v.pad_ = 0;
    v.ptr = s;
    return v;
}

static inline StrView text_next(TpchGen *g, TextStream *t)
{
    int32_t off = tpch_rng_int(&t->r, 0, (int32_t)(g->pool_size - t->max));
    int32_t len = tpch_rng_int(&t->r, t->min, t->max);
    return sv(g->pool + off, (uint32_t)len);
}

static inline StrView pick(const TpchDist *d, TpchRng *r)
{
    int32_t i = tpch_dist_pick(d, r);
    return sv(d->values[i].text, d->len[i]);
}

/* Writes an address at dst (up to a->max bytes); returns its length. */
static uint32_t alnum_next(AlnumStream *a, char *dst)
{
    static const char alphabet[64] = "0123456789abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ,";
    int32_t len = tpch_rng_int(&a->r, a->min, a->max);
    int64_t bits = 0;
    for (int32_t i = 0; i < len; i++) {
        if (i % 5 == 0)
            bits = tpch_rng_int(&a->r, 0, INT32_MAX); /* negative: dbgen's range wraps */
        dst[i] = alphabet[bits & 0x3f];
        bits >>= 6; /* arithmetic shift, as dbgen's signed arithmetic */
    }
    return (uint32_t)len;
}

/* Decimal digits of v, zero-padded to at least `width`; returns the length. */
static uint32_t put_padded(char *dst, int64_t v, int width)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0 && n < 20);
    while (n < width)
        tmp[n++] = '0';
    for (int i = 0; i < n; i++)
        dst[i] = tmp[n - 1 - i];
    return (uint32_t)n;
}

/* "NN-NNN-NNN-NNNN": country code 10 + nation, then three draws (4.2.2.9). */
static uint32_t phone_next(TpchRng *r, int64_t nation, char *dst)
{
    put_padded(dst, 10 + nation % 90, 2);
    dst[2] = '-';
    put_padded(dst + 3, tpch_rng_int(r, 100, 999), 3);
    dst[6] = '-';
    put_padded(dst + 7, tpch_rng_int(r, 100, 999), 3);
    dst[10] = '-';
    put_padded(dst + 11, tpch_rng_int(r, 1000, 9999), 4);
    return 15;
}

/* Order keys: 8 of every 32 (clause 4.2.3), from the 1-based order index. */
static inline int64_t order_key(int64_t index)
{
    return ((index >> 3) << 5) + (index & 7);
}

/* P_RETAILPRICE in cents (clause 4.2.3). */
static inline int64_t part_price(int64_t p)
{
    return 90000 + (p / 10) % 20001 + 100 * (p % 1000);
}

/* The i-th (0..3) supplier of part p (clause 4.2.3, PS_SUPPKEY). */
static inline int64_t part_supplier(int64_t p, int64_t i, int64_t s)
{
    return (p + i * (s / SUPPLIERS_PER_PART + (p - 1) / s)) % s + 1;
}

/* ---- Open ------------------------------------------------------------------------------- */

TpchGen *tpch_gen_open(TpchTable t, double sf, const TpchTextPool *pool, int64_t first, int64_t n_rows,
                       TarnError *err)
{
    if ((unsigned)t >= TPCH_N_TABLES)
        return (void)err_set(err, TARN_ERR_INVALID, "no TPC-H table %d", (int)t), NULL;
    if (tpch_check_scale(sf, err))
        return NULL;
    if (tpch_dists_init())
        return (void)ERR_NOMEM(err, 4096), NULL;
    int64_t total = tpch_generator_rows(t, sf);
    if (first < 0 || n_rows < 0 || first > total || n_rows > total - first)
        return (void)err_set(err, TARN_ERR_INVALID,
                             "rows %lld..%lld are outside table \"%s\" (%lld generator rows)",
                             (long long)first, (long long)(first + n_rows), table_names[t],
                             (long long)total),
               NULL;
    if (!pool || tpch_text_pool_size(pool) < 1024)
        return (void)err_set(err, TARN_ERR_INVALID, "the TPC-H generator needs a text pool"), NULL;
    TpchGen *g = tarn_calloc(1, sizeof *g);
    if (!g)
        return (void)ERR_NOMEM(err, sizeof *g), NULL;
    g->table = t;
    g->sf = sf;
    g->pool = tpch_text_pool_data(pool);
    g->pool_size = (int64_t)tpch_text_pool_size(pool);
    g->first = first;
    g->n_rows = n_rows;
    g->n_suppliers = scaled(SUPPLIER_BASE, sf);
    g->n_customers = scaled(CUSTOMER_BASE, sf);
    g->n_parts = scaled(PART_BASE, sf);
    g->n_clerks = (int32_t)(sf * CLERK_BASE) > CLERK_BASE ? (int32_t)(sf * CLERK_BASE) : CLERK_BASE;
    bool wide = sf >= 30000; /* dbgen's 64-bit key streams */

    switch (t) {
    case TPCH_REGION:
        add_text(g, &g->comment, SEED_REGION_COMMENT, LEN_REGION_COMMENT, 1);
        break;
    case TPCH_NATION:
        add_text(g, &g->comment, SEED_NATION_COMMENT, LEN_NATION_COMMENT, 1);
        break;
    case TPCH_SUPPLIER:
        add_alnum(g, &g->address, SEED_S_ADDRESS, LEN_ADDRESS);
        add_rng(g, &g->nation, SEED_S_NATION, 1);
        add_rng(g, &g->phone, SEED_S_PHONE, 3);
        add_rng(g, &g->acctbal, SEED_S_ACCTBAL, 1);
        add_text(g, &g->comment, SEED_S_COMMENT, LEN_S_COMMENT, 1);
        add_rng(g, &g->bbb, SEED_S_BBB, 1);               /* BBB text in this comment or not */
        add_rng(g, &g->bbb_junk, SEED_S_BBB_JUNK, 1);     /* gap between its two words */
        add_rng(g, &g->bbb_offset, SEED_S_BBB_OFFSET, 1); /* where it starts */
        add_rng(g, &g->bbb_type, SEED_S_BBB_TYPE, 1);     /* complaint or recommendation */
        break;
    case TPCH_CUSTOMER:
        add_alnum(g, &g->address, SEED_C_ADDRESS, LEN_ADDRESS);
        add_rng(g, &g->nation, SEED_C_NATION, 1);
        add_rng(g, &g->phone, SEED_C_PHONE, 3);
        add_rng(g, &g->acctbal, SEED_C_ACCTBAL, 1);
        add_rng(g, &g->segment, SEED_C_SEGMENT, 1);
        add_text(g, &g->comment, SEED_C_COMMENT, LEN_C_COMMENT, 1);
        break;
    case TPCH_PART:
        add_rng(g, &g->name, SEED_P_NAME, tpch_dist(TPCH_D_COLORS)->n);
        add_rng(g, &g->mfgr, SEED_P_MFGR, 1);
        add_rng(g, &g->brand, SEED_P_BRAND, 1);
        add_rng(g, &g->type, SEED_P_TYPE, 1);
        add_rng(g, &g->size, SEED_P_SIZE, 1);
        add_rng(g, &g->container, SEED_P_CONTAINER, 1);
        add_text(g, &g->comment, SEED_P_COMMENT, LEN_P_COMMENT, 1);
        break;
    case TPCH_PARTSUPP:
        add_rng(g, &g->availqty, SEED_PS_QTY, SUPPLIERS_PER_PART);
        add_rng(g, &g->supplycost, SEED_PS_COST, SUPPLIERS_PER_PART);
        add_text(g, &g->comment, SEED_PS_COMMENT, LEN_PS_COMMENT, SUPPLIERS_PER_PART);
        break;
    case TPCH_ORDERS:
        add_rng(g, &g->odate, SEED_O_DATE, 1);
        add_rng(g, &g->lines, SEED_O_LINES, 1);
        add_rng(g, &g->custkey, SEED_O_CUSTKEY, 1);
        g->custkey.wide = wide;
        add_rng(g, &g->priority, SEED_O_PRIORITY, 1);
        add_rng(g, &g->clerk, SEED_O_CLERK, 1);
        add_text(g, &g->comment, SEED_O_COMMENT, LEN_O_COMMENT, 1);
        add_rng(g, &g->quantity, SEED_L_QUANTITY, LINES_MAX);
        add_rng(g, &g->discount, SEED_L_DISCOUNT, LINES_MAX);
        add_rng(g, &g->tax, SEED_L_TAX, LINES_MAX);
        add_rng(g, &g->partkey, SEED_L_PARTKEY, LINES_MAX);
        g->partkey.wide = wide;
        add_rng(g, &g->shipdate, SEED_L_SHIP, LINES_MAX);
        break;
    case TPCH_LINEITEM:
        add_rng(g, &g->odate, SEED_O_DATE, 1);
        add_rng(g, &g->lines, SEED_O_LINES, 1);
        add_rng(g, &g->quantity, SEED_L_QUANTITY, LINES_MAX);
        add_rng(g, &g->discount, SEED_L_DISCOUNT, LINES_MAX);
        add_rng(g, &g->tax, SEED_L_TAX, LINES_MAX);
        add_rng(g, &g->partkey, SEED_L_PARTKEY, LINES_MAX);
        g->partkey.wide = wide;
        add_rng(g, &g->shipdate, SEED_L_SHIP, LINES_MAX);
        add_rng(g, &g->suppno, SEED_L_SUPPNO, LINES_MAX);
        add_rng(g, &g->commitdate, SEED_L_COMMIT, LINES_MAX);
        add_rng(g, &g->receiptdate, SEED_L_RECEIPT, LINES_MAX);
        add_rng(g, &g->rflag, SEED_L_RFLAG, LINES_MAX);
        add_rng(g, &g->instruct, SEED_L_INSTRUCT, LINES_MAX);
        add_rng(g, &g->shipmode, SEED_L_MODE, LINES_MAX);
        add_text(g, &g->comment, SEED_L_COMMENT, LEN_L_COMMENT, LINES_MAX);
        break;
    default:
        break;
    }
    for (int s = 0; s < g->n_rng; s++)
        tpch_rng_advance_rows(g->rng[s], first);
    return g;
}

void tpch_gen_close(TpchGen *g)
{
    tarn_free(g);
}

int64_t tpch_gen_done(const TpchGen *g)
{
    return g->done;
}

static void row_done(TpchGen *g)
{
    for (int s = 0; s < g->n_rng; s++)
        tpch_rng_row_done(g->rng[s]);
    g->done++;
}

/* ---- Tables ---------------------------------------------------------------------------- */

/* Column data pointers of a batch being filled. */
#define I64(c) VEC_DATA(&b->cols[c], int64_t)
#define I32(c) VEC_DATA(&b->cols[c], int32_t)
#define STR(c) VEC_DATA(&b->cols[c], StrView)

/* A block of `n` bytes in column c's heap (strings of this batch). */
static char *heap_block(Batch *b, int c, size_t n)
{
    return arena_alloc(&b->cols[c].heap, n ? n : 1);
}

static uint32_t gen_region(TpchGen *g, Batch *b, uint32_t max)
{
    const TpchDist *d = tpch_dist(TPCH_D_REGIONS);
    uint32_t r = 0;
    for (; r < max && g->done < g->n_rows; r++) {
        int64_t k = g->first + g->done;
        I32(0)[r] = (int32_t)k;
        STR(1)[r] = sv(d->values[k].text, d->len[k]);
        STR(2)[r] = text_next(g, &g->comment);
        row_done(g);
    }
    return r;
}

static uint32_t gen_nation(TpchGen *g, Batch *b, uint32_t max)
{
    const TpchDist *d = tpch_dist(TPCH_D_NATIONS);
    uint32_t r = 0;
    for (; r < max && g->done < g->n_rows; r++) {
        int64_t k = g->first + g->done;
        int32_t region = 0;
        for (int64_t i = 0; i <= k; i++)
            region += d->values[i].weight;
        I32(0)[r] = (int32_t)k;
        STR(1)[r] = sv(d->values[k].text, d->len[k]);
        I32(2)[r] = region;
        STR(3)[r] = text_next(g, &g->comment);
        row_done(g);
    }
    return r;
}

static int gen_supplier(TpchGen *g, Batch *b, uint32_t max, uint32_t *n_out)
{
    char *names = heap_block(b, 1, (size_t)max * 24);
    char *addrs = heap_block(b, 2, (size_t)max * (size_t)g->address.max);
    char *phones = heap_block(b, 4, (size_t)max * 15);
    if (!names || !addrs || !phones)
        return TARN_ERR_NOMEM;
    uint32_t r = 0;
    for (; r < max && g->done < g->n_rows; r++) {
        int64_t key = g->first + g->done + 1;
        StrView comment = text_next(g, &g->comment);
        if (tpch_rng_int(&g->bbb, 1, SUPPLIER_BASE) <= BBB_PER_BASE) {
            /* "Customer ... Complaints" / "... Recommends" overwrite part of the comment */
            char *c = heap_block(b, 6, comment.len);
            if (!c)
                return TARN_ERR_NOMEM;
            memcpy(c, comment.ptr, comment.len);
            int32_t len = (int32_t)comment.len;
            int32_t noise = tpch_rng_int(&g->bbb_junk, 0, len - BBB_COMMENT_LEN);
            int32_t offset = tpch_rng_int(&g->bbb_offset, 0, len - (BBB_COMMENT_LEN + noise));
            const char *type = tpch_rng_int(&g->bbb_type, 0, 100) < BBB_COMPLAINT_PERCENT ? "Complaints"
                                                                                   : "Recommends";
            memcpy(c + offset, BBB_BASE_TEXT, BBB_BASE_LEN);
            memcpy(c + BBB_BASE_LEN + offset + noise, type, BBB_TYPE_LEN);
            comment.ptr = c;
        }
        int32_t nation = tpch_rng_int(&g->nation, 0, tpch_dist(TPCH_D_NATIONS)->n - 1);
        I64(0)[r] = key;
        memcpy(names, "Supplier#", 9);
        STR(1)[r] = sv(names, 9 + put_padded(names + 9, key, 9));
        names += 24;
        STR(2)[r] = sv(addrs, alnum_next(&g->address, addrs));
        addrs += g->address.max;
        I32(3)[r] = nation;
        STR(4)[r] = sv(phones, phone_next(&g->phone, nation, phones));
        phones += 15;
        I64(5)[r] = tpch_rng_int(&g->acctbal, -99999, 999999);
        STR(6)[r] = comment;
        row_done(g);
    }
    *n_out = r;
    return 0;
}

static int gen_customer(TpchGen *g, Batch *b, uint32_t max, uint32_t *n_out)
{
    char *names = heap_block(b, 1, (size_t)max * 24);
    char *addrs = heap_block(b, 2, (size_t)max * (size_t)g->address.max);
    char *phones = heap_block(b, 4, (size_t)max * 15);
    if (!names || !addrs || !phones)
        return TARN_ERR_NOMEM;
    const TpchDist *seg = tpch_dist(TPCH_D_SEGMENTS);
    uint32_t r = 0;
    for (; r < max && g->done < g->n_rows; r++) {
        int64_t key = g->first + g->done + 1;
        int32_t nation = tpch_rng_int(&g->nation, 0, tpch_dist(TPCH_D_NATIONS)->n - 1);
        I64(0)[r] = key;
        memcpy(names, "Customer#", 9);
        STR(1)[r] = sv(names, 9 + put_padded(names + 9, key, 9));
        names += 24;
        STR(2)[r] = sv(addrs, alnum_next(&g->address, addrs));
        addrs += g->address.max;
        I32(3)[r] = nation;
        STR(4)[r] = sv(phones, phone_next(&g->phone, nation, phones));
        phones += 15;
        I64(5)[r] = tpch_rng_int(&g->acctbal, -99999, 999999);
        STR(6)[r] = pick(seg, &g->segment);
        STR(7)[r] = text_next(g, &g->comment);
        row_done(g);
    }
    *n_out = r;
    return 0;
}

static int gen_part(TpchGen *g, Batch *b, uint32_t max, uint32_t *n_out)
{
    static const char *const mfgr[5] = {"Manufacturer#1", "Manufacturer#2", "Manufacturer#3",
                                        "Manufacturer#4", "Manufacturer#5"};
    static const char brands[5][5][9] = {
        {"Brand#11", "Brand#12", "Brand#13", "Brand#14", "Brand#15"},
        {"Brand#21", "Brand#22", "Brand#23", "Brand#24", "Brand#25"},
        {"Brand#31", "Brand#32", "Brand#33", "Brand#34", "Brand#35"},
        {"Brand#41", "Brand#42", "Brand#43", "Brand#44", "Brand#45"},
        {"Brand#51", "Brand#52", "Brand#53", "Brand#54", "Brand#55"},
    };
    const TpchDist *colors = tpch_dist(TPCH_D_COLORS);
    const TpchDist *types = tpch_dist(TPCH_D_P_TYPES);
    const TpchDist *cntr = tpch_dist(TPCH_D_P_CONTAINERS);
    /* five words of at most 10 letters and four spaces */
    char *names = heap_block(b, 1, (size_t)max * 56);
    if (!names)
        return TARN_ERR_NOMEM;
    uint32_t r = 0;
    int32_t order[128];
    for (; r < max && g->done < g->n_rows; r++) {
        int64_t key = g->first + g->done + 1;
        /* P_NAME: the first five of a partial shuffle of the color list */
        int32_t n = colors->n;
        for (int32_t i = 0; i < n; i++)
            order[i] = i;
        uint32_t len = 0;
        for (int32_t pos = 0; pos < 5; pos++) {
            int32_t sw = tpch_rng_int(&g->name, pos, n - 1);
            int32_t tmp = order[pos];
            order[pos] = order[sw];
            order[sw] = tmp;
            if (pos)
                names[len++] = ' ';
            memcpy(names + len, colors->values[order[pos]].text, colors->len[order[pos]]);
            len += colors->len[order[pos]];
        }
        int32_t m = tpch_rng_int(&g->mfgr, 1, 5);
        int32_t brand = tpch_rng_int(&g->brand, 1, 5);
        I64(0)[r] = key;
        STR(1)[r] = sv(names, len);
        names += 56;
        STR(2)[r] = sv(mfgr[m - 1], 14);
        STR(3)[r] = sv(brands[m - 1][brand - 1], 8);
        STR(4)[r] = pick(types, &g->type);
        I32(5)[r] = tpch_rng_int(&g->size, 1, 50);
        STR(6)[r] = pick(cntr, &g->container);
        I64(7)[r] = part_price(key);
        STR(8)[r] = text_next(g, &g->comment);
        row_done(g);
    }
    *n_out = r;
    return 0;
}

static uint32_t gen_partsupp(TpchGen *g, Batch *b, uint32_t max)
{
    uint32_t r = 0;
    while (r + SUPPLIERS_PER_PART <= max && g->done < g->n_rows) {
        int64_t part = g->first + g->done + 1;
        for (int i = 0; i < SUPPLIERS_PER_PART; i++, r++) {
            I64(0)[r] = part;
            I64(1)[r] = part_supplier(part, i, g->n_suppliers);
            I32(2)[r] = tpch_rng_int(&g->availqty, 1, 9999);
            I64(3)[r] = tpch_rng_int(&g->supplycost, 100, 100000);
            STR(4)[r] = text_next(g, &g->comment);
        }
        row_done(g);
    }
    return r;
}

static int gen_orders(TpchGen *g, Batch *b, uint32_t max, uint32_t *n_out)
{
    static const char status[3][2] = {"F", "O", "P"};
    const TpchDist *prio = tpch_dist(TPCH_D_PRIORITIES);
    char *clerks = heap_block(b, 6, (size_t)max * 24);
    if (!clerks)
        return TARN_ERR_NOMEM;
    uint32_t r = 0;
    for (; r < max && g->done < g->n_rows; r++) {
        int64_t index = g->first + g->done + 1;
        int32_t date = tpch_rng_int(&g->odate, TPCH_DATE_BASE, ORDER_DATE_MAX);
        /* no order for customer keys divisible by 3 (clause 4.2.3) */
        int64_t cust = tpch_rng_key(&g->custkey, 1, g->n_customers);
        int64_t delta = 1;
        while (cust % 3 == 0) {
            cust += delta;
            if (cust > g->n_customers)
                cust = g->n_customers;
            delta = -delta;
        }
        int32_t lines = tpch_rng_int(&g->lines, 1, LINES_MAX);
        int64_t total = 0;
        int shipped = 0;
        for (int32_t l = 0; l < lines; l++) {
            int64_t qty = tpch_rng_int(&g->quantity, 1, 50);
            int64_t disc = tpch_rng_int(&g->discount, 0, 10);
            int64_t tax = tpch_rng_int(&g->tax, 0, 8);
            int64_t part = tpch_rng_key(&g->partkey, 1, g->n_parts);
            int64_t ext = part_price(part) * qty;
            /* cents, truncated at each step as dbgen does */
            total += ((ext * (100 - disc)) / 100 * (100 + tax)) / 100;
            if (tpch_in_past(date + tpch_rng_int(&g->shipdate, SHIP_MIN, SHIP_MAX)))
                shipped++;
        }
        I64(0)[r] = order_key(index);
        I64(1)[r] = cust;
        STR(2)[r] = sv(status[shipped == lines ? 0 : shipped == 0 ? 1 : 2], 1);
        I64(3)[r] = total;
        I32(4)[r] = tpch_epoch_day(date);
        STR(5)[r] = pick(prio, &g->priority);
        memcpy(clerks, "Clerk#", 6);
        STR(6)[r] = sv(clerks, 6 + put_padded(clerks + 6, tpch_rng_int(&g->clerk, 1, g->n_clerks), 9));
        clerks += 24;
        I32(7)[r] = 0;
        STR(8)[r] = text_next(g, &g->comment);
        row_done(g);
    }
    *n_out = r;
    return 0;
}

static uint32_t gen_lineitem(TpchGen *g, Batch *b, uint32_t max)
{
    const TpchDist *rflag = tpch_dist(TPCH_D_RETURN_FLAGS);
    const TpchDist *instruct = tpch_dist(TPCH_D_SHIP_INSTRUCT);
    const TpchDist *mode = tpch_dist(TPCH_D_SHIP_MODES);
    uint32_t r = 0;
    while (r + LINES_MAX <= max && g->done < g->n_rows) {
        int64_t index = g->first + g->done + 1;
        int64_t okey = order_key(index);
        int32_t date = tpch_rng_int(&g->odate, TPCH_DATE_BASE, ORDER_DATE_MAX);
        int32_t lines = tpch_rng_int(&g->lines, 1, LINES_MAX);
        for (int32_t l = 0; l < lines; l++, r++) {
            int64_t qty = tpch_rng_int(&g->quantity, 1, 50);
            int64_t disc = tpch_rng_int(&g->discount, 0, 10);
            int64_t tax = tpch_rng_int(&g->tax, 0, 8);
            int64_t part = tpch_rng_key(&g->partkey, 1, g->n_parts);
            int32_t suppno = tpch_rng_int(&g->suppno, 0, 3);
            int32_t ship = date + tpch_rng_int(&g->shipdate, SHIP_MIN, SHIP_MAX);
            int32_t commit = date + tpch_rng_int(&g->commitdate, COMMIT_MIN, COMMIT_MAX);
            int32_t receipt = ship + tpch_rng_int(&g->receiptdate, RECEIPT_MIN, RECEIPT_MAX);
            I64(0)[r] = okey;
            I64(1)[r] = part;
            I64(2)[r] = part_supplier(part, suppno, g->n_suppliers);
            I32(3)[r] = l + 1;
            I64(4)[r] = qty * 100;
            I64(5)[r] = part_price(part) * qty;
            I64(6)[r] = disc;
            I64(7)[r] = tax;
            STR(8)[r] = tpch_in_past(receipt) ? pick(rflag, &g->rflag) : sv("N", 1);
            STR(9)[r] = tpch_in_past(ship) ? sv("F", 1) : sv("O", 1);
            I32(10)[r] = tpch_epoch_day(ship);
            I32(11)[r] = tpch_epoch_day(commit);
            I32(12)[r] = tpch_epoch_day(receipt);
            STR(13)[r] = pick(instruct, &g->instruct);
            STR(14)[r] = pick(mode, &g->shipmode);
            STR(15)[r] = text_next(g, &g->comment);
        }
        row_done(g);
    }
    return r;
}

int tpch_gen_next(TpchGen *g, Batch *b, uint32_t max_rows, TarnError *err)
{
    if (b->n_cols != (uint32_t)table_cols[g->table].n)
        return err_set(err, TARN_ERR_INVALID, "batch has %u columns, table \"%s\" has %d", b->n_cols,
                       table_names[g->table], table_cols[g->table].n);
    if (max_rows < LINES_MAX)
        return err_set(err, TARN_ERR_INVALID, "TPC-H batches need room for at least %d rows", LINES_MAX);
    batch_reset(b);
    for (uint32_t c = 0; c < b->n_cols; c++)
        if (vec_reserve(&b->cols[c], max_rows))
            return ERR_NOMEM(err, (size_t)max_rows * 16);
    uint32_t n = 0;
    int rc = 0;
    switch (g->table) {
    case TPCH_REGION: n = gen_region(g, b, max_rows); break;
    case TPCH_NATION: n = gen_nation(g, b, max_rows); break;
    case TPCH_SUPPLIER: rc = gen_supplier(g, b, max_rows, &n); break;
    case TPCH_CUSTOMER: rc = gen_customer(g, b, max_rows, &n); break;
    case TPCH_PART: rc = gen_part(g, b, max_rows, &n); break;
    case TPCH_PARTSUPP: n = gen_partsupp(g, b, max_rows); break;
    case TPCH_ORDERS: rc = gen_orders(g, b, max_rows, &n); break;
    case TPCH_LINEITEM: n = gen_lineitem(g, b, max_rows); break;
    default: break;
    }
    if (rc) {
        batch_reset(b);
        return ERR_NOMEM(err, (size_t)max_rows * 64);
    }
    for (uint32_t c = 0; c < b->n_cols; c++)
        b->cols[c].len = n;
    b->n_rows = n;
    return 0;
}
