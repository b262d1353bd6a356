/*
 * join_filter.c - dynamic join filters (join_filter.h).
 *
 * The filter is a blocked bloom filter: one 64-bit word per key, chosen by
 * hash bits 32.., with three bits set in it chosen by hash bits 0..17;
 * about 16 bits per build key (1-2 % false positives).  Builds above
 * JF_MAX_KEYS keys make none (the filter would be as large as the hash
 * table and rarely selective).  A scan thread tests its filters in the
 * order of the fraction of rows each kept so far; after the first, a
 * filter hashes only the rows still selected.
 */
#include <string.h>

#include "sql/exec/join_filter.h"
#include "sql/exec/ops.h"

#define JF_MAX_KEYS ((uint64_t)8 << 20)
#define JF_TRIAL_ROWS 65536      /* rows a thread tests before judging a filter */
#define JF_ORDER_MAX 8           /* filters of one scan ordered by selectivity (the others follow) */

static inline uint64_t jf_word(const JoinFilter *f, uint64_t h) { return (h >> 32) & f->wmask; }
static inline uint64_t jf_bits(uint64_t h)
{
    return (1ULL << (h & 63)) | (1ULL << ((h >> 6) & 63)) | (1ULL << ((h >> 12) & 63));
}

bool join_filter_push(PhysOp *op, uint32_t col, JoinFilter *f, Arena *a)
{
    if (!op || col >= op->n_out || !op->vt->push_join_filter)
        return false;
    return op->vt->push_join_filter(op, col, f, a);
}

bool join_filter_use_add(JoinFilterUse **list, uint32_t read_pos, JoinFilter *f, Arena *a)
{
    for (JoinFilterUse *u = *list; u; u = u->next)
        if (u->f == f)
            return true;
    JoinFilterUse *u = arena_calloc(a, sizeof *u);
    if (!u)
        return false;
    u->f = f;
    u->read_pos = read_pos;
    JoinFilterUse **tail = list;
    while (*tail)
        tail = &(*tail)->next;
    *tail = u;
    return true;
}

void join_filter_reset(JoinFilter *f)
{
    atomic_store(&f->ready, 0);
    tarn_free(f->bits);
    f->bits = NULL;
    f->wmask = 0;
}

int join_filter_begin(JoinFilter *f, uint64_t n_keys)
{
    join_filter_reset(f);
    if (n_keys > JF_MAX_KEYS)
        return 0;
    uint64_t words = 8;
    while (words * 4 < n_keys) /* 16 bits per key */
        words *= 2;
    f->bits = tarn_calloc(words, sizeof(uint64_t));
    if (!f->bits)
        return TARN_ERR_NOMEM;
    f->wmask = words - 1;
    return 0;
}

void join_filter_add(JoinFilter *f, const Vector *v, const uint64_t *h, uint32_t n)
{
    if (!f->bits)
        return;
    uint64_t *b = f->bits;
    if (!v->validity) {
        for (uint32_t i = 0; i < n; i++)
            b[jf_word(f, h[i])] |= jf_bits(h[i]);
        return;
    }
    for (uint32_t i = 0; i < n; i++)
        if (vec_is_valid(v, i))
            b[jf_word(f, h[i])] |= jf_bits(h[i]);
}

void join_filter_publish(JoinFilter *f)
{
    if (f->bits)
        atomic_store(&f->ready, 1);
}

/* ---- scan side ---------------------------------------------------------------------------------------- */

struct JoinFilterLocal {
    uint32_t n;                 /* uses */
    uint64_t *seen, *kept;      /* per use: rows this thread tested / kept */
    bool *off;                  /* per use: judged unselective */
    uint64_t *h;
    uint32_t cap;
};

JoinFilterLocal *join_filter_local_new(const JoinFilterUse *uses)
{
    uint32_t n = 0;
    for (const JoinFilterUse *u = uses; u; u = u->next)
        n++;
    JoinFilterLocal *l = tarn_calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->n = n;
    l->seen = tarn_calloc(n ? n : 1, sizeof(uint64_t));
    l->kept = tarn_calloc(n ? n : 1, sizeof(uint64_t));
    l->off = tarn_calloc(n ? n : 1, sizeof(bool));
    if (!l->seen || !l->kept || !l->off) {
        join_filter_local_free(l);
        return NULL;
    }
    return l;
}

void join_filter_local_free(JoinFilterLocal *l)
{
    if (!l)
        return;
    tarn_free(l->seen);
    tarn_free(l->kept);
    tarn_free(l->off);
    tarn_free(l->h);
    tarn_free(l);
}

int join_filter_select(JoinFilterLocal *l, const JoinFilterUse *uses, const Chunk *in, uint32_t n, uint32_t *sel,
                       uint32_t *k, bool *all)
{
    /* the filters this thread saw keep the fewest rows go first (a small,
     * selective filter in cache before a large one); untried ones first */
    const JoinFilterUse *ord[JF_ORDER_MAX], *rest = uses; /* rest: beyond JF_ORDER_MAX, in list order */
    uint32_t qs[JF_ORDER_MAX], no = 0;
    for (; rest && no < JF_ORDER_MAX; rest = rest->next, no++) {
        ord[no] = rest;
        qs[no] = no;
    }
    if (no > 1)
        for (uint32_t a = 1; a < no; a++)
            for (uint32_t b = a; b > 0; b--) {
                uint32_t x = qs[b - 1], y = qs[b];
                /* kept[y] / seen[y] < kept[x] / seen[x], an untried y first */
                bool before_ = l->seen[x] && (!l->seen[y] || (double)l->kept[y] * (double)l->seen[x] <
                                                                 (double)l->kept[x] * (double)l->seen[y]);
                if (!before_)
                    break;
                qs[b - 1] = y;
                qs[b] = x;
                const JoinFilterUse *t = ord[b - 1];
                ord[b - 1] = ord[b];
                ord[b] = t;
            }
    for (uint32_t oi = 0;; oi++) {
        const JoinFilterUse *u;
        uint32_t q;
        if (oi < no) {
            u = ord[oi];
            q = qs[oi];
        } else {
            u = rest;
            if (!u)
                break;
            rest = u->next;
            q = oi;
        }
        const JoinFilter *f = u->f;
        if (l->off[q] || !atomic_load_explicit(&f->ready, memory_order_acquire))
            continue;
        uint32_t before = *all ? n : *k;
        if (!before)
            return 0;
        if (n > l->cap) {
            uint32_t c = n < VEC_BATCH_ROWS ? VEC_BATCH_ROWS : n;
            uint64_t *h = tarn_realloc(l->h, c * sizeof(uint64_t));
            if (!h)
                return TARN_ERR_NOMEM;
            l->h = h;
            l->cap = c;
        }
        const Vector *v = in->cols[u->read_pos];
        if (*all)
            vec_hash(v, n, l->h, true);
        else /* after another filter: only the rows still selected */
            vec_hash_sel(v, sel, before, l->h);
        const uint64_t *h = l->h, *b = f->bits;
        uint32_t m = 0;
        if (f->wmask >= 4095) { /* past L1: prefetch the batch's words first (the tests then overlap no misses) */
            if (*all)
                for (uint32_t i = 0; i < n; i++)
                    __builtin_prefetch(&b[jf_word(f, h[i])]);
            else
                for (uint32_t j = 0; j < before; j++)
                    __builtin_prefetch(&b[jf_word(f, h[sel[j]])]);
        }
        if (*all) {
            for (uint32_t i = 0; i < n; i++) {
                uint64_t want = jf_bits(h[i]);
                sel[m] = i;
                m += (b[jf_word(f, h[i])] & want) == want;
            }
        } else {
            for (uint32_t j = 0; j < before; j++) {
                uint32_t i = sel[j];
                uint64_t want = jf_bits(h[i]);
                sel[m] = i;
                m += (b[jf_word(f, h[i])] & want) == want;
            }
        }
        if (v->validity) { /* NULL never equals a build key */
            uint32_t m2 = 0;
            for (uint32_t j = 0; j < m; j++) {
                sel[m2] = sel[j];
                m2 += vec_is_valid(v, sel[j]);
            }
            m = m2;
        }
        *all = *all && m == n;
        *k = m;
        atomic_fetch_add_explicit(&((JoinFilter *)f)->rows_in, before, memory_order_relaxed);
        atomic_fetch_add_explicit(&((JoinFilter *)f)->rows_out, m, memory_order_relaxed);
        l->seen[q] += before;
        l->kept[q] += m;
        if (l->seen[q] >= JF_TRIAL_ROWS && l->kept[q] * 10 > l->seen[q] * 9)
            l->off[q] = true;
    }
    return 0;
}

void join_filter_explain(const JoinFilterUse *uses, const char *const *read_names, Buf *out)
{
    if (!uses)
        return;
    buf_printf(out, " join filter on ");
    uint64_t in = 0, kept = 0;
    for (const JoinFilterUse *u = uses; u; u = u->next) {
        buf_printf(out, "%s%s", u == uses ? "" : ", ", read_names[u->read_pos]);
        in += atomic_load(&u->f->rows_in);
        kept += atomic_load(&u->f->rows_out);
    }
    if (in)
        buf_printf(out, " (rows removed %llu)", (unsigned long long)(in - kept));
}
