/*
 * op_hash_agg.c - GROUP BY (and DISTINCT) with a hash table, in parallel.
 *
 * Build (sink): every thread aggregates into its own table, so the hot
 * loop takes no lock.  A table is open addressing over 64-bit slots
 * (hash bits 48.. | the group row's address) pointing at group rows
 * allocated in the thread's blocks:
 *
 *   [hash u64][null flag per key][key values, 8-aligned][aggregate states, 16-aligned]
 *
 * Per chunk: evaluate the keys, hash them column by column, serialize the
 * keys of all rows into a scratch area in the same layout, then probe row
 * by row (tag check, then a word compare of the key area; strings compare
 * by content), creating groups as needed; then each aggregate's update
 * kernel runs once over the chunk with the rows' group pointers.
 *
 * Finalize: with one thread's table the result is that table.  Otherwise
 * the groups of all tables are bucketed into P partitions by hash bits and
 * the partitions are merged in parallel (pool_run), combining states of
 * equal keys (agg_combine).  Rows never move: partitions hold pointers
 * into the threads' arenas, which live until the operator is destroyed.
 *
 * Output (source): ranges of 2048 groups are handed out to threads; keys
 * are decoded from the rows, aggregates finalized into vectors.
 *
 * Spilling (PostgreSQL 13's hash aggregation spill, spill.h): each
 * table charges its bytes to the query's memory counter.  When a thread's
 * table would pass its share of memory_limit it stops taking new groups:
 * input rows of groups it already has still update them in place; the
 * other rows (the child's columns, not states, so every aggregate kind
 * spills) go to one of SPILL_FANOUT temporary files chosen by 4 hash bits
 * (bits 40.. at the first level, the next 4 at each further level).  At
 * finalize the in-memory tables merge as usual; their groups are then
 * bucketed by the same bits and become the seeds of the partitions.  The
 * output phase (single-threaded then) takes one partition at a time:
 * a table seeded with that partition's groups reads the spilled rows back
 * through the same aggregation code (spilling again one level deeper if it
 * fills up), emits its groups and is freed.  A group never lives in two
 * places: once a table is full it creates no group, so the keys of its
 * spilled rows are disjoint from its groups.  Thread tables stop at half
 * the spill share, partition tables may use the other half.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "sql/exec/agg_eval.h"
#include "sql/exec/bigmem.h"
#include "sql/exec/join_filter.h"
#include "sql/exec/spill.h"
#include "sql/func/cast.h"

#define SPILL_FANOUT 16
#define SPILL_BITS 4
#define SPILL_SHIFT0 40
#define SPILL_MAX_DEPTH 6 /* (64 - SPILL_SHIFT0) / SPILL_BITS */

#define ROW_BLOCK ((size_t)2 << 20)

typedef struct HTable {
    uint64_t *slots;            /* big_alloc */
    uint64_t cap, mask, count;
    uint8_t **rows;             /* big_alloc */
    uint64_t n_rows, cap_rows;
    uint8_t **blocks;           /* group rows and key strings, ROW_BLOCK each (huge pages) */
    uint32_t n_blocks, cap_blocks;
    size_t blk_used, blk_size;
    size_t blk_bytes;           /* sum of the blocks' sizes */
    size_t blk_max;             /* size of blocks after the first (ROW_BLOCK, less under a small memory_limit) */
    Arena arena;                /* aggregate states' own allocations (min/max strings) */
    int64_t charged;            /* bytes charged to ExecCtx.mem_used */
} HTable;

static size_t blk_max_for(int64_t cap);

/* A slot holds its group row's address (bits 0..47) and hash bits 48..63
 * as a tag, 0 when empty; a slot's position comes from the low hash bits.
 * Probes reach the row without going through rows[] (one dependent cache
 * miss less per input row on a large table). */
#define SLOT_PTR_MASK ((1ULL << 48) - 1)
static inline uint64_t slot_make(const uint8_t *row, uint64_t h)
{
    return (uint64_t)(uintptr_t)row | (h & ~SLOT_PTR_MASK);
}
static inline uint8_t *slot_row(uint64_t e) { return (uint8_t *)(uintptr_t)(e & SLOT_PTR_MASK); }
static inline bool slot_tag_eq(uint64_t e, uint64_t h) { return (e ^ h) >> 48 == 0; }

static int64_t table_bytes(const HTable *t)
{
    return (int64_t)(t->cap * sizeof(uint64_t) + t->cap_rows * sizeof(uint8_t *) + t->blk_bytes +
                     t->arena.total_bytes);
}

static uint8_t *row_alloc(HTable *t, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (n > t->blk_max) {
        uint8_t *p = arena_alloc(&t->arena, n);
        return p && ((uintptr_t)p + n) >> 48 ? NULL : p;
    }
    if (!t->n_blocks || t->blk_used + n > t->blk_size) {
        if (t->n_blocks == t->cap_blocks) {
            uint32_t nc = t->cap_blocks ? t->cap_blocks * 2 : 16;
            uint8_t **b = tarn_realloc(t->blocks, nc * sizeof(uint8_t *));
            if (!b)
                return NULL;
            t->blocks = b;
            t->cap_blocks = nc;
        }
        /* the first block of a table is small: most tables are tiny */
        size_t bs = t->n_blocks ? t->blk_max : 64 * 1024;
        uint8_t *blk = big_alloc(bs);
        if (!blk)
            return NULL;
        if (((uintptr_t)blk + bs) >> 48) { /* slots keep 48 address bits */
            big_free(blk);
            return NULL;
        }
        t->blocks[t->n_blocks++] = blk;
        t->blk_bytes += bs;
        t->blk_size = bs;
        t->blk_used = 0;
    }
    uint8_t *p = t->blocks[t->n_blocks - 1] + t->blk_used;
    t->blk_used += n;
    return p;
}

/* Spilled input of one partition: files of rows, plus the groups already
 * in memory whose hashes fall into it (level 0 only). */
typedef struct SpillRun {
    uint32_t depth;             /* level whose hash bits chose this partition */
    SpillFile **files;
    uint32_t n_files, cap_files;
    uint8_t **seeds;            /* big_alloc */
    uint64_t n_seeds;
} SpillRun;

typedef struct HashAgg {
    PhysOp op;
    Expr **groups;
    uint32_t ng;
    const AggCall *aggs;
    uint32_t na;
    /* layout */
    uint32_t *key_off;          /* value offset of key j in the row */
    uint32_t *key_w;            /* value width of key j */
    bool *key_str;
    bool has_strings;
    uint32_t key_area;          /* bytes from 8 to the end of the key values (multiple of 8) */
    uint32_t *state_off;
    uint32_t row_size;
    /* global */
    HTable **tables;            /* thread tables handed over by combine */
    uint32_t n_tables, cap_tables;
    HTable *parts;              /* merged partitions */
    uint32_t n_parts;
    Arena *part_arenas;
    uint8_t **out_rows;
    uint64_t n_out;
    bool own_out;
    atomic_ullong next_out;
    AggEval fin;                /* contexts for finalize/destroy */
    bool fin_ok;
    ExecCtx *x;
    /* GROUPING SETS (n_sets > 0): the last key is the set number (INT32,
     * filled here); set s groups by the keys whose bit is set in
     * set_masks[s], the others are NULL.  Each input chunk is aggregated
     * once per set into the same table. */
    const uint64_t *set_masks;
    uint32_t n_sets;
    HTable *empty_table;        /* empty input: one group per empty set */
    /* spilling (see the file comment) */
    const char *nospill_type;   /* an input column type without spill encoding */
    bool spilled;
    SpillRun level0[SPILL_FANOUT];
    SpillRun **stack;           /* partitions left to aggregate (output phase) */
    uint32_t n_stack, cap_stack;
    struct Local *proc;         /* the output phase's aggregation state */
    HTable *cur;                /* the partition being emitted */
    uint64_t cur_pos;
    Vector *rvecs;              /* spilled chunks read back */
    Vector **rptrs;
    uint32_t n_rvecs;
    _Atomic uint64_t n_spill_parts, spill_bytes;
} HashAgg;

typedef struct Local {
    HTable *t;
    AggEval ae;
    ExprState **keys;
    Vector **keyv;
    Vector **evk;               /* evaluated keys (grouping sets: keyv mixes them with nullv) */
    Vector *flat;
    Vector *nullv;              /* grouping sets: all-NULL vectors per key, the set number */
    uint64_t *hash;
    uint8_t *krows;             /* serialized probe keys */
    uint32_t krows_cap;
    uint8_t **grp;
    uint8_t **newg;
    uint32_t cap;
    /* spilling */
    ExecCtx *x;
    bool full;                  /* the table takes no new groups */
    uint32_t depth;             /* level of the partitions this table spills to */
    int64_t cap_bytes;          /* spill threshold of this table's charges */
    SpillFile *spill[SPILL_FANOUT];
    uint32_t *ssel;             /* rows to spill, grouped by partition (cap) */
    uint32_t *msel;             /* rows of groups in the table (cap) */
    Vector *sub;                /* msel rows of the input */
    Vector **subp;
    uint32_t n_sub;
} Local;

/* ---- table ---------------------------------------------------------------------------------- */

static HTable *table_new(void)
{
    HTable *t = tarn_calloc(1, sizeof *t);
    if (!t)
        return NULL;
    arena_init(&t->arena, 256 * 1024);
    t->blk_max = ROW_BLOCK;
    t->cap = 1024;
    t->mask = t->cap - 1;
    t->slots = big_calloc(t->cap * sizeof(uint64_t));
    if (!t->slots) {
        tarn_free(t);
        return NULL;
    }
    return t;
}

static void table_free(HTable *t, bool free_arena)
{
    if (!t)
        return;
    big_free(t->slots);
    big_free(t->rows);
    if (free_arena) {
        for (uint32_t i = 0; i < t->n_blocks; i++)
            big_free(t->blocks[i]);
        tarn_free(t->blocks);
        arena_free(&t->arena);
    }
    tarn_free(t);
}

static int table_grow(HTable *t, uint64_t need)
{
    if (need * 2 <= t->cap)
        return 0;
    uint64_t nc = t->cap;
    while (need * 2 > nc)
        nc *= 2;
    uint64_t *ns = big_calloc(nc * sizeof(uint64_t));
    if (!ns)
        return TARN_ERR_NOMEM;
    uint64_t m = nc - 1;
    /* every group is in rows[] (in creation order: mostly sequential
     * reads of their stored hashes) */
    for (uint64_t i = 0; i < t->n_rows; i++) {
        const uint8_t *row = t->rows[i];
        uint64_t h = *(const uint64_t *)row, s = h & m;
        while (ns[s])
            s = (s + 1) & m;
        ns[s] = slot_make(row, h);
    }
    big_free(t->slots);
    t->slots = ns;
    t->cap = nc;
    t->mask = m;
    return 0;
}

static int table_add_row(HTable *t, uint8_t *row)
{
    if (t->n_rows == t->cap_rows) {
        uint64_t nc = t->cap_rows ? t->cap_rows * 2 : 1024;
        uint8_t **n = big_realloc(t->rows, t->cap_rows * sizeof(uint8_t *), nc * sizeof(uint8_t *));
        if (!n)
            return TARN_ERR_NOMEM;
        t->rows = n;
        t->cap_rows = nc;
    }
    t->rows[t->n_rows++] = row;
    return 0;
}

/* String keys are stored in the key area as 16 bytes: [len u32][0 u32][up
 * to 8 bytes inline] for short strings, [len u32][1 u32][pointer] for
 * longer ones, so most keys compare as plain words. */
static inline bool key_str_external(const uint8_t *v) { return ((const uint32_t *)v)[1] != 0; }

static bool keys_equal_slow(const HashAgg *g, const uint8_t *a, const uint8_t *b)
{
    /* a, b point at offset 8 of a row (the null flags) */
    for (uint32_t j = 0; j < g->ng; j++) {
        if (a[j] != b[j])
            return false;
        if (a[j])
            continue;
        const uint8_t *va = a + g->key_off[j] - 8, *vb = b + g->key_off[j] - 8;
        if (g->key_str[j] && key_str_external(va) && key_str_external(vb)) {
            const StrView *sa = (const StrView *)va, *sb = (const StrView *)vb;
            if (sa->len != sb->len || memcmp(sa->ptr, sb->ptr, sa->len))
                return false;
        } else if (memcmp(va, vb, g->key_w[j])) {
            return false;
        }
    }
    return true;
}

static inline bool keys_equal(const HashAgg *g, const uint8_t *a, const uint8_t *b)
{
    const uint64_t *x = (const uint64_t *)a, *y = (const uint64_t *)b;
    uint32_t nw = g->key_area / 8;
    for (uint32_t i = 0; i < nw; i++)
        if (x[i] != y[i])
            return g->has_strings && keys_equal_slow(g, a, b);
    return true;
}

/* Decodes a stored string key (see above) into a view of its bytes. */
static inline StrView key_str_view(const uint8_t *v)
{
    StrView s;
    memcpy(&s, v, sizeof s);
    if (!key_str_external(v))
        s.ptr = (const char *)v + 8;
    s.pad_ = 0;
    return s;
}

/* ---- sink ------------------------------------------------------------------------------------ */

static void local_free(PhysOp *op, void *local)
{
    HashAgg *g = (HashAgg *)op;
    Local *l = local;
    if (l->keys)
        for (uint32_t j = 0; j < g->ng; j++)
            expr_state_free(l->keys[j]);
    if (l->flat)
        for (uint32_t j = 0; j < g->ng; j++)
            vec_destroy(&l->flat[j]);
    if (l->nullv)
        for (uint32_t j = 0; j < g->ng; j++)
            vec_destroy(&l->nullv[j]);
    agg_eval_free(&l->ae);
    table_free(l->t, true);
    tarn_free(l->keys);
    tarn_free(l->keyv);
    tarn_free(l->evk);
    tarn_free(l->nullv);
    tarn_free(l->flat);
    tarn_free(l->hash);
    tarn_free(l->krows);
    tarn_free(l->grp);
    tarn_free(l->newg);
    for (uint32_t p = 0; p < SPILL_FANOUT; p++)
        spill_close(l->spill[p]);
    for (uint32_t c = 0; c < l->n_sub; c++)
        vec_destroy(&l->sub[c]);
    tarn_free(l->sub);
    tarn_free(l->subp);
    tarn_free(l->ssel);
    tarn_free(l->msel);
    tarn_free(l);
}

static int ensure_cap(HashAgg *g, Local *l, uint32_t n)
{
    if (n <= l->cap)
        return 0;
    uint32_t c = n < VEC_BATCH_ROWS ? VEC_BATCH_ROWS : n;
    uint64_t *h = tarn_realloc(l->hash, c * sizeof(uint64_t));
    if (h)
        l->hash = h;
    uint8_t **gr = tarn_realloc(l->grp, c * sizeof(uint8_t *));
    if (gr)
        l->grp = gr;
    uint8_t **ng = tarn_realloc(l->newg, c * sizeof(uint8_t *));
    if (ng)
        l->newg = ng;
    uint8_t *k = tarn_realloc(l->krows, (size_t)c * g->key_area);
    if (k)
        l->krows = k;
    if (!h || !gr || !ng || (!k && g->key_area))
        return TARN_ERR_NOMEM;
    l->cap = c;
    return 0;
}

static int sink_local_init(PhysOp *op, ExecCtx *x, void **local, TarnError *err)
{
    HashAgg *g = (HashAgg *)op;
    Local *l = tarn_calloc(1, sizeof *l);
    if (!l)
        return ERR_NOMEM(err, sizeof *l);
    uint32_t n = g->ng ? g->ng : 1;
    l->t = table_new();
    l->keys = tarn_calloc(n, sizeof(ExprState *));
    l->keyv = tarn_calloc(n, sizeof(Vector *));
    l->flat = tarn_calloc(n, sizeof(Vector));
    l->evk = tarn_calloc(n, sizeof(Vector *));
    l->nullv = g->n_sets ? tarn_calloc(n, sizeof(Vector)) : NULL;
    if (!l->t || !l->keys || !l->keyv || !l->flat || !l->evk || (g->n_sets && !l->nullv) ||
        ensure_cap(g, l, VEC_BATCH_ROWS)) {
        local_free(op, l);
        return ERR_NOMEM(err, 0);
    }
    for (uint32_t j = 0; j < g->ng; j++) {
        vec_init(&l->flat[j], &g->groups[j]->type);
        if (l->nullv)
            vec_init(&l->nullv[j], &g->groups[j]->type);
        if (!(l->keys[j] = expr_state_new(g->groups[j], x->settings, x->params, err))) {
            local_free(op, l);
            return err->kind;
        }
    }
    int rc = agg_eval_init(&l->ae, g->aggs, g->na, x, &l->t->arena, err);
    if (rc) {
        local_free(op, l);
        return rc;
    }
    l->x = x;
    l->cap_bytes = exec_spill_cap(x) / 2; /* thread tables: half the spill share */
    l->t->blk_max = blk_max_for(l->cap_bytes);
    *local = l;
    return 0;
}

/* ---- spilling (see the file comment) -------------------------------------------------------------- */

static int spill_grow(Local *l, uint32_t n)
{
    if (l->ssel && n <= l->cap)
        return 0;
    uint32_t c = n > l->cap ? n : l->cap;
    uint32_t *s = tarn_realloc(l->ssel, (size_t)c * 2 * sizeof(uint32_t));
    if (s)
        l->ssel = s;
    uint32_t *m = tarn_realloc(l->msel, (size_t)c * sizeof(uint32_t));
    if (m)
        l->msel = m;
    return s && m ? 0 : TARN_ERR_NOMEM;
}

/* Row blocks of at most 1/16 of a table's share, so that a small
 * memory_limit is charged in small steps. */
static size_t blk_max_for(int64_t cap)
{
    size_t b = ROW_BLOCK;
    while (cap > 0 && b > 64 * 1024 && (int64_t)b * 16 > cap)
        b /= 2;
    return b;
}

/* The table is full: rows of groups it holds update them; the others go
 * to the partition files of level l->depth (rows l->hash, l->krows are
 * prepared). */
static int probe_full(HashAgg *g, Local *l, const Chunk *in, TarnError *err)
{
    HTable *t = l->t;
    uint32_t n = in->n_rows, ka = g->key_area, nm = 0, ns = 0;
    if (spill_grow(l, n))
        return ERR_NOMEM(err, n);
    uint64_t mask = t->mask;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t h = l->hash[i], s = h & mask;
        const uint8_t *kr = l->krows + (size_t)i * ka;
        uint8_t *found = NULL;
        for (;;) {
            uint64_t e = t->slots[s];
            if (!e)
                break;
            if (slot_tag_eq(e, h)) {
                uint8_t *row = slot_row(e);
                if (keys_equal(g, row + 8, kr)) {
                    found = row;
                    break;
                }
            }
            s = (s + 1) & mask;
        }
        if (found) {
            l->grp[nm] = found;
            l->msel[nm++] = i;
        } else {
            l->ssel[ns++] = i;
        }
    }
    if (ns) {
        if (l->depth >= SPILL_MAX_DEPTH)
            return exec_mem_error(l->x, "Hash aggregation (a partition still too big after 6 levels of spilling)",
                                  err);
        uint32_t shift = SPILL_SHIFT0 + SPILL_BITS * l->depth, cnt[SPILL_FANOUT] = {0}, pos[SPILL_FANOUT];
        for (uint32_t k = 0; k < ns; k++)
            cnt[(l->hash[l->ssel[k]] >> shift) & (SPILL_FANOUT - 1)]++;
        for (uint32_t p = 0, o = 0; p < SPILL_FANOUT; p++) {
            pos[p] = o;
            o += cnt[p];
        }
        uint32_t *by = l->ssel + l->cap;
        for (uint32_t k = 0; k < ns; k++) {
            uint32_t i = l->ssel[k];
            by[pos[(l->hash[i] >> shift) & (SPILL_FANOUT - 1)]++] = i;
        }
        uint32_t n_in = g->op.children[0]->n_out;
        for (uint32_t p = 0, o = 0; p < SPILL_FANOUT; o += cnt[p], p++) {
            if (!cnt[p])
                continue;
            if (!l->spill[p] && !(l->spill[p] = spill_open(l->x, err)))
                return err->kind;
            uint64_t before = spill_bytes(l->spill[p]);
            if (spill_write(l->spill[p], in, n_in, by + o, cnt[p], err))
                return err->kind;
            atomic_fetch_add(&g->spill_bytes, spill_bytes(l->spill[p]) - before);
        }
    }
    if (!nm)
        return 0;
    const Chunk *src = in;
    Chunk sc;
    if (nm < n) {
        if (!l->sub) {
            l->sub = tarn_calloc(in->n_cols ? in->n_cols : 1, sizeof(Vector));
            l->subp = tarn_calloc(in->n_cols ? in->n_cols : 1, sizeof(Vector *));
            if (!l->sub || !l->subp)
                return ERR_NOMEM(err, in->n_cols);
            for (uint32_t c = 0; c < in->n_cols; c++)
                vec_init(&l->sub[c], in->cols[c]->type);
            l->n_sub = in->n_cols;
        }
        if (in->n_cols > l->n_sub)
            return ERR_INTERNAL(err, "hash aggregate input changed width");
        for (uint32_t c = 0; c < in->n_cols; c++) {
            if (vec_gather(&l->sub[c], in->cols[c], l->msel, nm))
                return ERR_NOMEM(err, nm);
            l->subp[c] = &l->sub[c];
        }
        sc.n_rows = nm;
        sc.n_cols = in->n_cols;
        sc.cols = l->subp;
        src = &sc;
    }
    for (uint32_t j = 0; j < g->na; j++) {
        int rc = agg_eval_update(&l->ae, j, src, l->grp, NULL, g->state_off[j], err);
        if (rc)
            return rc;
    }
    return 0;
}

/* Charges what the table grew by; past its share the table turns full
 * (spills), past memory_limit the query fails. */
static int mem_check(HashAgg *g, Local *l, TarnError *err)
{
    HTable *t = l->t;
    int64_t now = table_bytes(t), d = now - t->charged;
    if (d <= 0)
        return 0;
    if (!l->full && exec_mem_try(l->x, d, l->cap_bytes)) {
        t->charged = now;
        return 0;
    }
    char what[160];
    if (!l->full) {
        if (g->n_sets) {
            if (exec_mem_try(l->x, d, l->x->mem_budget)) {
                t->charged = now;
                return 0;
            }
            return exec_mem_error(l->x, "Hash aggregation with grouping sets (which cannot spill to disk yet)", err);
        }
        if (g->nospill_type) {
            if (exec_mem_try(l->x, d, l->x->mem_budget)) { /* cannot spill: it may use all of memory_limit */
                t->charged = now;
                return 0;
            }
            snprintf(what, sizeof what, "Hash aggregation over a column of type %s (which cannot be spilled to disk)",
                     g->nospill_type);
            return exec_mem_error(l->x, what, err);
        }
        l->full = true;
    }
    if (!exec_mem_try(l->x, d, l->x->mem_budget))
        return exec_mem_error(l->x, "Hash aggregation (its groups' aggregate states)", err);
    t->charged = now;
    return 0;
}

/* Aggregates `in` into the thread's table grouped by the key vectors l->keyv. */
static int sink_keys(HashAgg *g, Local *l, const Chunk *in, TarnError *err)
{
    HTable *t = l->t;
    uint32_t n = in->n_rows;
    if (!l->full && table_grow(t, t->count + n))
        return ERR_NOMEM(err, n);
    for (uint32_t j = 0; j < g->ng; j++)
        vec_hash(l->keyv[j], n, l->hash, j == 0);
    if (g->ng == 0)
        memset(l->hash, 0, n * sizeof(uint64_t));
    /* serialize keys: [null flags][values] per row */
    uint32_t ka = g->key_area;
    memset(l->krows, 0, (size_t)n * ka);
    for (uint32_t j = 0; j < g->ng; j++) {
        const Vector *v = l->keyv[j];
        uint32_t w = g->key_w[j], vo = g->key_off[j] - 8;
        const uint8_t *d = v->data;
        uint8_t *k = l->krows;
        if (g->key_str[j]) {
            const StrView *sv = (const StrView *)d;
            for (uint32_t i = 0; i < n; i++) {
                uint8_t *dst = k + (size_t)i * ka + vo;
                if (v->validity && !vec_is_valid(v, i)) {
                    k[(size_t)i * ka + j] = 1;
                    continue;
                }
                uint32_t len = sv[i].len;
                memcpy(dst, &len, 4);
                if (len <= 8) {
                    /* fixed-size overlapping copies (the area is zeroed): a
                     * memcpy of a variable length is a libc call per row */
                    const uint8_t *sp = (const uint8_t *)sv[i].ptr;
                    if (len >= 4) {
                        memcpy(dst + 8, sp, 4);
                        memcpy(dst + 8 + len - 4, sp + len - 4, 4);
                    } else if (len) {
                        dst[8] = sp[0];
                        dst[8 + (len >> 1)] = sp[len >> 1];
                        dst[8 + len - 1] = sp[len - 1];
                    }
                } else {
                    uint32_t ext = 1;
                    memcpy(dst + 4, &ext, 4);
                    memcpy(dst + 8, &sv[i].ptr, sizeof(char *));
                }
            }
            continue;
        }
        if (!v->validity) {
            switch (w) {
            case 1: for (uint32_t i = 0; i < n; i++) k[(size_t)i * ka + vo] = d[i]; break;
            case 2: for (uint32_t i = 0; i < n; i++) memcpy(k + (size_t)i * ka + vo, d + 2 * i, 2); break;
            case 4: for (uint32_t i = 0; i < n; i++) memcpy(k + (size_t)i * ka + vo, d + 4 * i, 4); break;
            case 8: for (uint32_t i = 0; i < n; i++) memcpy(k + (size_t)i * ka + vo, d + 8 * i, 8); break;
            default: for (uint32_t i = 0; i < n; i++) memcpy(k + (size_t)i * ka + vo, d + (size_t)w * i, w); break;
            }
        } else {
            for (uint32_t i = 0; i < n; i++) {
                if (vec_is_valid(v, i))
                    memcpy(k + (size_t)i * ka + vo, d + (size_t)w * i, w);
                else
                    k[(size_t)i * ka + j] = 1;
            }
        }
    }
    if (l->full)
        return probe_full(g, l, in, err);
    /* probe / insert (the table does not grow during the loop: prefetch
     * every row's first slot first) */
    uint32_t n_new = 0;
    uint64_t mask = t->mask;
    if (t->count > 4096) {
        /* two passes of prefetches (the first slot, then the row it
         * points at): a table past the caches costs two dependent misses
         * per row otherwise */
        for (uint32_t i = 0; i < n; i++)
            __builtin_prefetch(&t->slots[l->hash[i] & mask]);
        for (uint32_t i = 0; i < n; i++) {
            uint64_t h = l->hash[i], e = t->slots[h & mask];
            if (e && slot_tag_eq(e, h))
                __builtin_prefetch(slot_row(e));
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        uint64_t h = l->hash[i];
        uint64_t s = h & mask;
        const uint8_t *kr = l->krows + (size_t)i * ka;
        for (;;) {
            uint64_t e = t->slots[s];
            if (!e) {
                uint8_t *row = row_alloc(t, g->row_size);
                if (!row)
                    return ERR_NOMEM(err, g->row_size);
                *(uint64_t *)row = h;
                memcpy(row + 8, kr, ka);
                if (g->has_strings) {
                    for (uint32_t j = 0; j < g->ng; j++) {
                        if (!g->key_str[j] || row[8 + j] || !key_str_external(row + g->key_off[j]))
                            continue;
                        StrView *sv = (StrView *)(row + g->key_off[j]);
                        if (sv->len) {
                            char *p = (char *)row_alloc(t, sv->len);
                            if (!p)
                                return ERR_NOMEM(err, sv->len);
                            memcpy(p, sv->ptr, sv->len);
                            sv->ptr = p;
                        }
                    }
                }
                if (table_add_row(t, row))
                    return ERR_NOMEM(err, 0);
                t->slots[s] = slot_make(row, h);
                t->count++;
                l->newg[n_new++] = row;
                l->grp[i] = row;
                break;
            }
            if (slot_tag_eq(e, h)) {
                uint8_t *row = slot_row(e);
                if (keys_equal(g, row + 8, kr)) {
                    l->grp[i] = row;
                    break;
                }
            }
            s = (s + 1) & mask;
        }
    }
    for (uint32_t j = 0; j < g->na && n_new; j++)
        g->aggs[j].def->agg_init(&l->ae.fctx[j], l->newg, g->state_off[j], n_new);
    for (uint32_t j = 0; j < g->na; j++) {
        int rc = agg_eval_update(&l->ae, j, in, l->grp, NULL, g->state_off[j], err);
        if (rc)
            return rc;
    }
    return 0;
}

static int sink(PhysOp *op, ExecCtx *x, void *local, const Chunk *in, bool *done, TarnError *err)
{
    (void)x; (void)done;
    HashAgg *g = (HashAgg *)op;
    Local *l = local;
    uint32_t n = in->n_rows;
    if (ensure_cap(g, l, n))
        return ERR_NOMEM(err, n);
    /* keys (with grouping sets the last one is the set number, filled below) */
    uint32_t n_eval = g->n_sets ? g->ng - 1 : g->ng;
    for (uint32_t j = 0; j < n_eval; j++) {
        Vector *v;
        int rc = expr_eval(l->keys[j], in, NULL, n, &v, err);
        if (rc)
            return rc;
        if (v->is_const) {
            if (vec_gather(&l->flat[j], v, NULL, n))
                return ERR_NOMEM(err, n);
            v = &l->flat[j];
        }
        l->evk[j] = l->keyv[j] = v;
    }
    if (!g->n_sets) {
        int rc = sink_keys(g, l, in, err);
        return rc ? rc : mem_check(g, l, err);
    }
    /* the NULL stand-ins for keys outside a set */
    for (uint32_t j = 0; j < g->ng; j++) {
        Vector *v = &l->nullv[j];
        if (vec_prepare(v, n) || vec_ensure_validity(v))
            return ERR_NOMEM(err, n);
        if (j < n_eval) {
            memset(v->validity, 0, (n + 7) / 8);
            if (type_is_string_like(v->type->id))
                memset(v->data, 0, (size_t)n * sizeof(StrView));
        } else {
            memset(v->validity, 0xFF, (n + 7) / 8);
        }
    }
    Vector *gidv = &l->nullv[g->ng - 1];
    l->keyv[g->ng - 1] = gidv;
    for (uint32_t s = 0; s < g->n_sets; s++) {
        for (uint32_t i = 0; i < n; i++)
            ((int32_t *)gidv->data)[i] = (int32_t)s;
        for (uint32_t j = 0; j < n_eval; j++)
            l->keyv[j] = (g->set_masks[s] >> j) & 1 ? l->evk[j] : &l->nullv[j];
        int rc = sink_keys(g, l, in, err);
        if (rc)
            return rc;
    }
    return mem_check(g, l, err);
}

static int sink_combine(PhysOp *op, ExecCtx *x, void *local, TarnError *err)
{
    HashAgg *g = (HashAgg *)op;
    Local *l = local;
    g->x = x;
    for (uint32_t p = 0; p < SPILL_FANOUT; p++) {
        if (!l->spill[p])
            continue;
        SpillRun *r = &g->level0[p];
        if (r->n_files == r->cap_files) {
            uint32_t nc = r->cap_files ? r->cap_files * 2 : 4;
            SpillFile **nf = tarn_realloc(r->files, nc * sizeof *nf);
            if (!nf)
                return ERR_NOMEM(err, nc * sizeof *nf);
            r->files = nf;
            r->cap_files = nc;
        }
        r->files[r->n_files++] = l->spill[p];
        l->spill[p] = NULL;
        g->spilled = true;
    }
    if (l->t->n_rows == 0)
        return 0;
    if (g->n_tables == g->cap_tables) {
        uint32_t nc = g->cap_tables ? g->cap_tables * 2 : 8;
        HTable **n = tarn_realloc(g->tables, nc * sizeof *n);
        if (!n)
            return ERR_NOMEM(err, nc * sizeof *n);
        g->tables = n;
        g->cap_tables = nc;
    }
    /* its slots are not probed again: only the rows array and the rows live on */
    big_free(l->t->slots);
    l->t->slots = NULL;
    g->tables[g->n_tables++] = l->t;
    l->t = NULL; /* the table (and its arena) belongs to the operator now */
    return 0;
}

static void sink_local_free(PhysOp *op, void *local) { local_free(op, local); }

/* ---- finalize: partitioned parallel merge ------------------------------------------------------ */

/* The merge: thread table i's rows array is partitioned in place by hash
 * bits 32.. (the slot index uses the low bits): its rows of partition p are
 * rows[start[i * P + p] ..) (cnt of them).  Partition p's distinct groups
 * are written to out_rows from off[p] on. */
typedef struct MergeJob {
    HashAgg *g;
    uint32_t P;
    uint64_t *cnt;              /* [table * P + part] */
    uint64_t *start;            /* [table * P + part] */
    uint64_t *off;              /* [part] */
    uint8_t **out;
    TarnError *errs;
    atomic_int failed;
} MergeJob;

static inline uint32_t part_of(const uint8_t *row, uint32_t P)
{
    return (uint32_t)((*(const uint64_t *)row >> 32) & (P - 1));
}

/* Counts and partitions table i's rows array in place (American flag
 * sort: every row is moved at most once). */
static void partition_task(void *arg, uint32_t i)
{
    MergeJob *mj = arg;
    HTable *t = mj->g->tables[i];
    uint32_t P = mj->P;
    uint64_t *cnt = mj->cnt + (size_t)i * P, *start = mj->start + (size_t)i * P;
    uint8_t **rows = t->rows;
    uint64_t next[256], end[256];
    for (uint64_t r = 0; r < t->n_rows; r++)
        cnt[part_of(rows[r], P)]++;
    uint64_t o = 0;
    for (uint32_t p = 0; p < P; o += cnt[p], p++) {
        start[p] = next[p] = o;
        end[p] = o + cnt[p];
    }
    if (P == 1)
        return;
    for (uint32_t p = 0; p < P; p++)
        while (next[p] < end[p]) {
            uint8_t *r = rows[next[p]];
            uint32_t q = part_of(r, P);
            if (q == p) {
                next[p]++;
                continue;
            }
            rows[next[p]] = rows[next[q]];
            rows[next[q]++] = r;
        }
}

static void merge_task(void *arg, uint32_t p)
{
    MergeJob *mj = arg;
    HashAgg *g = mj->g;
    HTable *t = &g->parts[p];
    TarnError *err = &mj->errs[p];
    uint32_t P = mj->P;
    uint64_t n = 0;
    for (uint32_t i = 0; i < g->n_tables; i++)
        n += mj->cnt[(size_t)i * P + p];
    AggEval ae;
    memset(&ae, 0, sizeof ae);
    uint8_t *src[256], *dst[256];
    uint32_t np = 0;
    t->rows = mj->out + mj->off[p]; /* not owned: a range of out_rows */
    if (agg_eval_init(&ae, g->aggs, g->na, g->x, &g->part_arenas[p], err))
        goto fail;
    t->cap = 1024;
    while (t->cap < n * 2)
        t->cap *= 2;
    t->mask = t->cap - 1;
    t->slots = big_calloc(t->cap * sizeof(uint64_t));
    if (!t->slots) {
        ERR_NOMEM(err, n);
        goto fail;
    }
    t->cap_rows = n;
    for (uint32_t i = 0; i < g->n_tables; i++) {
        uint8_t **in = g->tables[i]->rows + mj->start[(size_t)i * P + p];
        uint64_t m = mj->cnt[(size_t)i * P + p];
        for (uint64_t k = 0; k < m; k++) {
            uint8_t *row = in[k];
            if (k + 8 < m)
                __builtin_prefetch(in[k + 8]);
            uint64_t h = *(const uint64_t *)row, s = h & t->mask;
            for (;;) {
                uint64_t e = t->slots[s];
                if (!e) {
                    t->rows[t->n_rows++] = row;
                    t->slots[s] = slot_make(row, h);
                    break;
                }
                if (slot_tag_eq(e, h)) {
                    uint8_t *o = slot_row(e);
                    if (keys_equal(g, o + 8, row + 8)) {
                        src[np] = row;
                        dst[np] = o;
                        if (++np == 256) {
                            for (uint32_t j = 0; j < g->na; j++)
                                if (g->aggs[j].def->agg_combine(&ae.fctx[j], src, dst, g->state_off[j], np, err))
                                    goto fail;
                            np = 0;
                        }
                        break;
                    }
                }
                s = (s + 1) & t->mask;
            }
        }
    }
    for (uint32_t j = 0; j < g->na && np; j++)
        if (g->aggs[j].def->agg_combine(&ae.fctx[j], src, dst, g->state_off[j], np, err))
            goto fail;
    agg_eval_free(&ae);
    big_free(t->slots); /* done probing: only the rows in out_rows stay */
    t->slots = NULL;
    t->rows = NULL;
    return;
fail:
    agg_eval_free(&ae);
    big_free(t->slots);
    t->slots = NULL;
    t->rows = NULL;
    atomic_store(&mj->failed, 1);
}

/* Grouping sets over an empty input: every empty set () still yields one
 * row (keys NULL, aggregates over no rows), as without GROUP BY. */
static int empty_sets(HashAgg *g, TarnError *err)
{
    HTable *t = NULL;
    for (uint32_t s = 0; s < g->n_sets; s++) {
        if (g->set_masks[s])
            continue;
        if (!t && !(t = table_new()))
            return ERR_NOMEM(err, sizeof *t);
        uint8_t *row = row_alloc(t, g->row_size);
        if (!row || table_add_row(t, row)) {
            table_free(t, true);
            return ERR_NOMEM(err, g->row_size);
        }
        memset(row, 0, g->row_size);
        for (uint32_t j = 0; j + 1 < g->ng; j++)
            row[8 + j] = 1;
        int32_t gid = (int32_t)s;
        memcpy(row + g->key_off[g->ng - 1], &gid, sizeof gid);
        for (uint32_t j = 0; j < g->na; j++)
            g->aggs[j].def->agg_init(&g->fin.fctx[j], &row, g->state_off[j], 1);
    }
    if (!t)
        return 0;
    g->tables = tarn_calloc(1, sizeof(HTable *));
    if (!g->tables) {
        table_free(t, true);
        return ERR_NOMEM(err, sizeof(HTable *));
    }
    g->tables[0] = t;
    g->n_tables = g->cap_tables = 1;
    return 0;
}

static int sink_finalize(PhysOp *op, ExecCtx *x, TarnError *err)
{
    HashAgg *g = (HashAgg *)op;
    g->x = x;
    int rc = agg_eval_init(&g->fin, g->aggs, g->na, x, x->arena, err);
    if (rc)
        return rc;
    g->fin_ok = true;
    if (g->n_tables == 0 && g->n_sets && (rc = empty_sets(g, err)))
        return rc;
    if (g->n_tables == 0) {
        g->n_out = 0;
        return 0;
    }
    if (g->n_tables == 1) {
        g->out_rows = g->tables[0]->rows;
        g->n_out = g->tables[0]->n_rows;
        return 0;
    }
    uint64_t total = 0;
    for (uint32_t i = 0; i < g->n_tables; i++)
        total += g->tables[i]->n_rows;
    uint32_t P = 1;
    if (total > 16384) {
        uint32_t want = 4 * pool_size();
        while (P < want && P < 256)
            P *= 2;
    }
    g->parts = tarn_calloc(P, sizeof(HTable));
    g->part_arenas = tarn_calloc(P, sizeof(Arena));
    uint64_t *cnt = tarn_calloc((size_t)P * g->n_tables, sizeof(uint64_t));
    uint64_t *start = tarn_calloc((size_t)P * g->n_tables, sizeof(uint64_t));
    uint64_t *off = tarn_calloc(P, sizeof(uint64_t));
    TarnError *errs = tarn_calloc(P, sizeof(TarnError));
    g->out_rows = big_alloc((total ? total : 1) * sizeof(uint8_t *));
    g->own_out = g->out_rows != NULL;
    rc = 0;
    if (!g->parts || !g->part_arenas || !cnt || !start || !off || !errs || !g->out_rows) {
        rc = ERR_NOMEM(err, P);
        goto done;
    }
    g->n_parts = P; /* destroy frees the partitions' arenas from here on */
    for (uint32_t p = 0; p < P; p++)
        arena_init(&g->part_arenas[p], 0);
    MergeJob mj = {g, P, cnt, start, off, g->out_rows, errs, 0};
    atomic_init(&mj.failed, 0);
    pool_run(g->n_tables, partition_task, &mj);
    uint64_t o = 0;
    for (uint32_t p = 0; p < P; p++) {
        off[p] = o;
        for (uint32_t i = 0; i < g->n_tables; i++)
            o += cnt[(size_t)i * P + p];
    }
    pool_run(P, merge_task, &mj);
    if (atomic_load(&mj.failed)) {
        for (uint32_t p = 0; p < P; p++)
            if (errs[p].kind) {
                *err = errs[p];
                break;
            }
        rc = err->kind ? err->kind : TARN_ERR_INTERNAL;
        goto done;
    }
    /* close the gaps the duplicates left between the partitions' ranges */
    uint64_t n_out = 0;
    for (uint32_t p = 0; p < P; p++) {
        if (n_out != off[p])
            memmove(g->out_rows + n_out, g->out_rows + off[p], g->parts[p].n_rows * sizeof(uint8_t *));
        n_out += g->parts[p].n_rows;
    }
    g->n_out = n_out;
    /* the thread tables' rows arrays were only the merge's input */
    for (uint32_t i = 0; i < g->n_tables; i++) {
        big_free(g->tables[i]->rows);
        g->tables[i]->rows = NULL;
        g->tables[i]->cap_rows = 0;
    }
done:
    tarn_free(cnt);
    tarn_free(start);
    tarn_free(off);
    tarn_free(errs);
    return rc;
}

/* ---- spilled output: one partition at a time --------------------------------------------------------- */

static int push_run(HashAgg *g, SpillRun *r, TarnError *err)
{
    if (g->n_stack == g->cap_stack) {
        uint32_t nc = g->cap_stack ? g->cap_stack * 2 : 32;
        SpillRun **n = tarn_realloc(g->stack, nc * sizeof *n);
        if (!n)
            return ERR_NOMEM(err, nc * sizeof *n);
        g->stack = n;
        g->cap_stack = nc;
    }
    g->stack[g->n_stack++] = r;
    return 0;
}

static void run_free(SpillRun *r, bool owned)
{
    for (uint32_t i = 0; i < r->n_files; i++)
        spill_close(r->files[i]);
    tarn_free(r->files);
    big_free(r->seeds);
    if (owned)
        tarn_free(r);
    else
        memset(r, 0, sizeof *r);
}

/* After the in-memory merge: its groups become the seeds of the level-0
 * partitions, which the output phase aggregates one by one. */
static int spill_setup(HashAgg *g, TarnError *err)
{
    uint64_t cnt[SPILL_FANOUT] = {0};
    for (uint64_t r = 0; r < g->n_out; r++)
        cnt[(*(const uint64_t *)g->out_rows[r] >> SPILL_SHIFT0) & (SPILL_FANOUT - 1)]++;
    for (uint32_t p = 0; p < SPILL_FANOUT; p++) {
        SpillRun *r = &g->level0[p];
        r->depth = 0;
        if (!(r->seeds = big_alloc((cnt[p] ? cnt[p] : 1) * sizeof(uint8_t *))))
            return ERR_NOMEM(err, cnt[p]);
    }
    for (uint64_t i = 0; i < g->n_out; i++) {
        uint8_t *row = g->out_rows[i];
        SpillRun *r = &g->level0[(*(const uint64_t *)row >> SPILL_SHIFT0) & (SPILL_FANOUT - 1)];
        r->seeds[r->n_seeds++] = row;
    }
    g->n_out = 0; /* the output phase emits partition tables instead */
    for (uint32_t p = SPILL_FANOUT; p-- > 0;) {
        SpillRun *r = &g->level0[p];
        if (r->n_files)
            atomic_fetch_add(&g->n_spill_parts, 1);
        if ((r->n_files || r->n_seeds) && push_run(g, r, err))
            return err->kind;
    }
    return 0;
}

static void part_done(HashAgg *g)
{
    HTable *t = g->cur;
    if (!t)
        return;
    for (uint32_t j = 0; j < g->na && g->fin_ok; j++)
        if (g->aggs[j].def->agg_destroy && t->n_rows)
            g->aggs[j].def->agg_destroy(&g->fin.fctx[j], t->rows, g->state_off[j], (uint32_t)t->n_rows);
    if (g->x)
        exec_mem_release(g->x, t->charged);
    table_free(t, true);
    g->cur = NULL;
    g->cur_pos = 0;
}

/* Aggregates partition r (its seeds, then its files) into a fresh table,
 * which becomes g->cur; rows that do not fit go one level deeper. */
static int run_partition(HashAgg *g, ExecCtx *x, SpillRun *r, TarnError *err)
{
    int rc = 0;
    if (!g->proc) {
        void *lp;
        if ((rc = sink_local_init(&g->op, x, &lp, err)))
            return rc;
        g->proc = lp;
        table_free(g->proc->t, true);
        g->proc->t = NULL;
    }
    Local *l = g->proc;
    /* the thread tables stay (they hold the seeds): each partition table
     * gets the other half of the spill share on top of them */
    l->cap_bytes = exec_spill_cap(x) ? (int64_t)atomic_load(&x->mem_used) + exec_spill_cap(x) / 2 : 0;
    uint32_t n_in = g->op.children[0]->n_out;
    if (!g->rvecs) {
        g->rvecs = tarn_calloc(n_in ? n_in : 1, sizeof(Vector));
        g->rptrs = tarn_calloc(n_in ? n_in : 1, sizeof(Vector *));
        if (!g->rvecs || !g->rptrs)
            return ERR_NOMEM(err, n_in);
        for (uint32_t c = 0; c < n_in; c++)
            vec_init(&g->rvecs[c], &g->op.children[0]->out_types[c]);
        g->n_rvecs = n_in;
    }
    HTable *t = table_new();
    if (!t)
        return ERR_NOMEM(err, sizeof *t);
    t->blk_max = blk_max_for(exec_spill_cap(x) / 2);
    l->t = t;
    l->full = false;
    l->depth = r->depth + 1;
    for (uint32_t j = 0; j < g->na; j++)
        l->ae.fctx[j].arena = l->ae.fctx[j].scratch = &t->arena;
    if (r->n_seeds) {
        if (table_grow(t, r->n_seeds)) {
            rc = ERR_NOMEM(err, r->n_seeds);
            goto done;
        }
        for (uint64_t i = 0; i < r->n_seeds; i++) {
            uint8_t *row = r->seeds[i];
            uint64_t h = *(const uint64_t *)row, s = h & t->mask;
            while (t->slots[s])
                s = (s + 1) & t->mask;
            if (table_add_row(t, row)) {
                rc = ERR_NOMEM(err, 0);
                goto done;
            }
            t->slots[s] = slot_make(row, h);
            t->count++;
        }
        if ((rc = mem_check(g, l, err)))
            goto done;
    }
    for (uint32_t i = 0; i < r->n_files; i++) {
        if ((rc = spill_rewind(r->files[i], err)))
            goto done;
        for (;;) {
            Chunk c;
            if ((rc = spill_read(r->files[i], g->rvecs, g->rptrs, n_in, &c, err)))
                goto done;
            if (!c.n_rows)
                break;
            if (x->cancel && atomic_load(x->cancel)) {
                rc = err_set_state(err, TARN_ERR_CANCELED, "57014", "canceling statement due to user request");
                goto done;
            }
            bool dn = false;
            if ((rc = sink(&g->op, x, l, &c, &dn, err)))
                goto done;
        }
        spill_close(r->files[i]);
        r->files[i] = NULL;
    }
    for (uint32_t p = 0; p < SPILL_FANOUT; p++) {
        if (!l->spill[p])
            continue;
        SpillRun *nr = tarn_calloc(1, sizeof *nr);
        SpillFile **f = tarn_malloc(sizeof *f);
        if (!nr || !f) {
            tarn_free(nr);
            tarn_free(f);
            rc = ERR_NOMEM(err, sizeof *nr);
            goto done;
        }
        nr->depth = l->depth;
        nr->files = f;
        f[0] = l->spill[p];
        nr->n_files = nr->cap_files = 1;
        l->spill[p] = NULL;
        atomic_fetch_add(&g->n_spill_parts, 1);
        if ((rc = push_run(g, nr, err))) {
            run_free(nr, true);
            goto done;
        }
    }
done:
    run_free(r, r->depth > 0);
    l->t = NULL;
    g->cur = t; /* emitted (or, after an error, freed) by part_done */
    g->cur_pos = 0;
    return rc;
}

/* The next up to 2048 groups of the spilled output phase (*n 0: done). */
static int spill_next(HashAgg *g, ExecCtx *x, uint8_t *const **rows, uint32_t *n, TarnError *err)
{
    *n = 0;
    while (!g->cur || g->cur_pos >= g->cur->n_rows) {
        part_done(g);
        if (!g->n_stack)
            return 0;
        int rc = run_partition(g, x, g->stack[--g->n_stack], err);
        if (rc)
            return rc;
    }
    uint64_t left = g->cur->n_rows - g->cur_pos;
    *n = (uint32_t)(left < VEC_BATCH_ROWS ? left : VEC_BATCH_ROWS);
    *rows = g->cur->rows + g->cur_pos;
    g->cur_pos += *n;
    return 0;
}

static void spill_destroy(HashAgg *g)
{
    part_done(g);
    while (g->n_stack) {
        SpillRun *r = g->stack[--g->n_stack];
        run_free(r, r->depth > 0);
    }
    for (uint32_t p = 0; p < SPILL_FANOUT; p++)
        run_free(&g->level0[p], false);
    tarn_free(g->stack);
    g->stack = NULL;
    g->cap_stack = 0;
    if (g->proc)
        local_free(&g->op, g->proc);
    g->proc = NULL;
    for (uint32_t c = 0; c < g->n_rvecs; c++)
        vec_destroy(&g->rvecs[c]);
    tarn_free(g->rvecs);
    tarn_free(g->rptrs);
    g->rvecs = NULL;
    g->rptrs = NULL;
    g->n_rvecs = 0;
    g->spilled = false;
}

static int sink_finalize_spill(PhysOp *op, ExecCtx *x, TarnError *err)
{
    HashAgg *g = (HashAgg *)op;
    int rc = sink_finalize(op, x, err);
    if (!rc && g->spilled)
        rc = spill_setup(g, err);
    return rc;
}

/* ---- source ------------------------------------------------------------------------------------- */

typedef struct SrcLocal {
    Vector *vecs;
    Vector **ptrs;
    AggEval ae;
    Arena arena;
} SrcLocal;

static int src_init(PhysOp *op, ExecCtx *x, TarnError *err)
{
    (void)x; (void)err;
    atomic_init(&((HashAgg *)op)->next_out, 0);
    return 0;
}

static uint32_t src_parallelism(PhysOp *op)
{
    HashAgg *g = (HashAgg *)op;
    if (g->spilled)
        return 1; /* partitions are aggregated and emitted one after another */
    return (uint32_t)(g->n_out / VEC_BATCH_ROWS + 1);
}

static void src_local_free(PhysOp *op, void *local)
{
    SrcLocal *l = local;
    if (l->vecs)
        for (uint32_t i = 0; i < op->n_out; i++)
            vec_destroy(&l->vecs[i]);
    tarn_free(l->vecs);
    tarn_free(l->ptrs);
    agg_eval_free(&l->ae);
    arena_free(&l->arena);
    tarn_free(l);
}

static int src_local_init(PhysOp *op, ExecCtx *x, void **local, TarnError *err)
{
    HashAgg *g = (HashAgg *)op;
    SrcLocal *l = tarn_calloc(1, sizeof *l);
    if (!l)
        return ERR_NOMEM(err, sizeof *l);
    arena_init(&l->arena, 0);
    uint32_t n = op->n_out ? op->n_out : 1;
    l->vecs = tarn_calloc(n, sizeof(Vector));
    l->ptrs = tarn_calloc(n, sizeof(Vector *));
    if (!l->vecs || !l->ptrs) {
        src_local_free(op, l);
        return ERR_NOMEM(err, 0);
    }
    for (uint32_t i = 0; i < op->n_out; i++) {
        vec_init(&l->vecs[i], &op->out_types[i]);
        l->ptrs[i] = &l->vecs[i];
    }
    int rc = agg_eval_init(&l->ae, g->aggs, g->na, x, &l->arena, err);
    if (rc) {
        src_local_free(op, l);
        return rc;
    }
    *local = l;
    return 0;
}

static int src_next(PhysOp *op, ExecCtx *x, void *local, Chunk *out, TarnError *err)
{
    HashAgg *g = (HashAgg *)op;
    SrcLocal *l = local;
    out->n_rows = 0;
    out->n_cols = op->n_out;
    out->cols = l->ptrs;
    uint8_t *const *rows;
    uint32_t n;
    if (g->spilled) {
        int rc = spill_next(g, x, &rows, &n, err);
        if (rc || !n)
            return rc;
    } else {
        uint64_t from = atomic_fetch_add(&g->next_out, VEC_BATCH_ROWS);
        if (from >= g->n_out)
            return 0;
        n = (uint32_t)(g->n_out - from < VEC_BATCH_ROWS ? g->n_out - from : VEC_BATCH_ROWS);
        rows = g->out_rows + from;
    }
    for (uint32_t j = 0; j < g->ng; j++) {
        Vector *v = &l->vecs[j];
        if (vec_prepare(v, n))
            return ERR_NOMEM(err, n);
        uint32_t w = g->key_w[j], o = g->key_off[j];
        for (uint32_t i = 0; i < n; i++) {
            if (g->key_str[j])
                ((StrView *)v->data)[i] = key_str_view(rows[i] + o);
            else
                memcpy(v->data + (size_t)w * i, rows[i] + o, w);
            if (rows[i][8 + j] && vec_set_null(v, i))
                return ERR_NOMEM(err, n);
        }
    }
    arena_reset(&l->arena);
    for (uint32_t j = 0; j < g->na; j++) {
        Vector *v = &l->vecs[g->ng + j];
        if (vec_prepare(v, n))
            return ERR_NOMEM(err, n);
        int rc = g->aggs[j].def->agg_finalize(&l->ae.fctx[j], rows, g->state_off[j], n, v, err);
        if (rc)
            return rc;
        v->len = n;
    }
    out->n_rows = n;
    return 0;
}

static void destroy(PhysOp *op)
{
    HashAgg *g = (HashAgg *)op;
    spill_destroy(g);
    if (g->fin_ok) {
        for (uint32_t j = 0; j < g->na; j++)
            if (g->aggs[j].def->agg_destroy && g->n_out)
                g->aggs[j].def->agg_destroy(&g->fin.fctx[j], g->out_rows, g->state_off[j], (uint32_t)g->n_out);
        agg_eval_free(&g->fin);
        g->fin_ok = false;
    }
    for (uint32_t p = 0; p < g->n_parts; p++) {
        big_free(g->parts[p].slots);
        big_free(g->parts[p].rows);
        arena_free(&g->part_arenas[p]);
    }
    tarn_free(g->parts);
    tarn_free(g->part_arenas);
    g->parts = NULL;
    g->part_arenas = NULL;
    g->n_parts = 0;
    for (uint32_t i = 0; i < g->n_tables; i++)
        table_free(g->tables[i], true);
    tarn_free(g->tables);
    g->tables = NULL;
    g->n_tables = g->cap_tables = 0;
    if (g->own_out)
        big_free(g->out_rows);
    g->out_rows = NULL;
    g->own_out = false;
    g->n_out = 0;
}

static void explain(PhysOp *op, Buf *out)
{
    HashAgg *g = (HashAgg *)op;
    buf_printf(out, ": group by ");
    for (uint32_t j = 0; j < g->ng; j++) {
        if (j)
            buf_printf(out, ", ");
        if (g->n_sets && j == g->ng - 1) {
            buf_printf(out, "%u grouping sets", g->n_sets);
            break;
        }
        expr_to_text(g->groups[j], out);
    }
    for (uint32_t j = 0; j < g->na; j++)
        buf_printf(out, "%s%s(...)", j ? ", " : "; ", g->aggs[j].name);
    uint64_t np = atomic_load(&g->n_spill_parts);
    if (np)
        buf_printf(out, " (spilled: %llu partitions, %llu kB)", (unsigned long long)np,
                   (unsigned long long)((atomic_load(&g->spill_bytes) + 1023) / 1024));
}

void op_hash_agg_set_grouping_sets(PhysOp *op, const uint64_t *set_masks, uint32_t n_sets)
{
    HashAgg *g = (HashAgg *)op;
    g->set_masks = set_masks;
    g->n_sets = n_sets;
}

/* A join above that rejects a key value drops that whole group: a join
 * filter on a plain-column group key goes on to the child (not with
 * grouping sets, whose keys are NULL in some sets). */
static bool push_join_filter(PhysOp *op, uint32_t col, JoinFilter *f, Arena *a)
{
    HashAgg *g = (HashAgg *)op;
    if (g->n_sets || col >= g->ng || g->groups[col]->kind != EX_COLREF)
        return false;
    return join_filter_push(op->children[0], g->groups[col]->u.col.idx, f, a);
}

static const PhysOpVT vt = {
    .push_join_filter = push_join_filter,
    .name = "Hash Aggregate",
    .sink_local_init = sink_local_init,
    .sink = sink,
    .sink_combine = sink_combine,
    .sink_finalize = sink_finalize_spill,
    .sink_local_free = sink_local_free,
    .src_init = src_init,
    .src_parallelism = src_parallelism,
    .src_local_init = src_local_init,
    .src_next = src_next,
    .src_local_free = src_local_free,
    .destroy = destroy,
    .explain = explain,
};

PhysOp *op_hash_agg_new(Arena *a, PhysOp *child, Expr **groups, uint32_t ng, const AggCall *aggs, uint32_t na,
                        TarnError *err)
{
    HashAgg *g = arena_calloc(a, sizeof *g);
    uint32_t nn = ng ? ng : 1, nb = na ? na : 1;
    LogicalType *types = arena_alloc(a, (ng + na + 1) * sizeof(LogicalType));
    if (!g || !types || !(g->key_off = arena_alloc(a, nn * sizeof(uint32_t))) ||
        !(g->key_w = arena_alloc(a, nn * sizeof(uint32_t))) || !(g->key_str = arena_calloc(a, nn * sizeof(bool))) ||
        !(g->state_off = arena_alloc(a, nb * sizeof(uint32_t)))) {
        ERR_NOMEM(err, sizeof *g);
        return NULL;
    }
    g->groups = groups;
    g->ng = ng;
    g->aggs = aggs;
    g->na = na;
    uint32_t off = 8 + ((ng + 7) & ~7u);
    for (uint32_t j = 0; j < ng; j++) {
        const LogicalType *t = &groups[j]->type;
        if (type_is_nested(t->id)) {
            err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "grouping by nested values is not supported yet");
            return NULL;
        }
        uint32_t w = (uint32_t)type_width(t);
        g->key_w[j] = w;
        g->key_str[j] = type_is_string_like(t->id);
        g->has_strings |= g->key_str[j];
        uint32_t al = w >= 8 ? 8 : w;
        off = (off + al - 1) & ~(al - 1);
        g->key_off[j] = off;
        off += w;
        types[j] = *t;
    }
    off = (off + 7) & ~7u;
    g->key_area = off - 8;
    off = (off + 15) & ~15u;
    for (uint32_t j = 0; j < na; j++) {
        g->state_off[j] = off;
        off += (aggs[j].def->state_size + 15) & ~15u;
        types[ng + j] = aggs[j].type;
    }
    g->row_size = off;
    physop_init(&g->op, &vt, ROLE_BREAKER, ng + na, types);
    g->op.n_children = 1;
    g->op.children[0] = child;
    g->op.est_rows = child->est_rows >= 0 ? child->est_rows * 0.1 : -1;
    for (uint32_t c = 0; c < child->n_out && !g->nospill_type; c++)
        if (!spill_type_ok(&child->out_types[c])) {
            char tn[64];
            g->nospill_type = arena_strdup(a, sqltype_name(&child->out_types[c], tn, sizeof tn));
        }
    return &g->op;
}
