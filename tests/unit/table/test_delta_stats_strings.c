/*
 * test_delta_stats_strings.c - Delta file statistics of short strings: the
 * per-vector min/max (stats.c compares an 8-byte big-endian prefix first,
 * loaded in pieces for strings under 8 bytes) agree with plain
 * memcmp-then-length order on every length 0..11, NULLs left out.
 */
#include "../test.h"

#include "table/delta/delta_int.h"

static int ref_cmp(const char *a, size_t al, const char *b, size_t bl)
{
    size_t m = al < bl ? al : bl;
    int c = memcmp(a, b, m);
    if (c)
        return c;
    return al < bl ? -1 : al > bl;
}

TEST(delta_stats_short_string_minmax)
{
    static const char ALPHA[] = {' ', 'a', 'b', 'z', '~'};
    uint64_t h = 0x243F6A8885A308D3ull;
    for (int round = 0; round < 300; round++) {
        Schema s;
        schema_init(&s);
        ASSERT_EQ_INT(schema_add(&s, "s", type_simple(TYPE_STRING), true), 0);
        Batch b;
        ASSERT_EQ_INT(batch_init(&b, &s), 0);
        char vals[64][12];
        size_t lens[64];
        int n = 1 + round % 64, lo = -1, hi = -1;
        for (int i = 0; i < n; i++) {
            h ^= h << 13;
            h ^= h >> 7;
            h ^= h << 17;
            /* lengths 0..11, mostly under 8; common prefixes are likely */
            size_t len = (size_t)(h % 12);
            for (size_t k = 0; k < len; k++)
                vals[i][k] = ALPHA[(h >> (8 + 3 * k)) % (round % 2 ? 2 : 5)];
            lens[i] = len;
            if (i % 7 == 3) {   /* NULLs count for nothing */
                ASSERT_EQ_INT(vec_append_null(&b.cols[0]), 0);
                continue;
            }
            ASSERT_EQ_INT(vec_append_str(&b.cols[0], vals[i], len), 0);
            if (lo < 0 || ref_cmp(vals[i], len, vals[lo], lens[lo]) < 0)
                lo = i;
            if (hi < 0 || ref_cmp(vals[i], len, vals[hi], lens[hi]) > 0)
                hi = i;
        }
        b.n_rows = (uint32_t)n;
        DeltaStatsAcc *acc = delta_stats_acc_new(&s, 32);
        ASSERT(acc != NULL);
        ASSERT_EQ_INT(delta_stats_acc_add(acc, &b), 0);
        Buf out = {0};
        ASSERT_EQ_INT(delta_stats_acc_json(acc, &out), 0);
        ASSERT_EQ_INT(buf_terminate(&out), 0);
        char want[128];
        snprintf(want, sizeof want, "\"minValues\":{\"s\":\"%.*s\"}", (int)lens[lo], vals[lo]);
        if (!strstr((const char *)out.data, want)) {
            fprintf(stderr, "  %s: want %s\n", (const char *)out.data, want);
            test_fail_exit();
        }
        snprintf(want, sizeof want, "\"maxValues\":{\"s\":\"%.*s\"}", (int)lens[hi], vals[hi]);
        if (!strstr((const char *)out.data, want)) {
            fprintf(stderr, "  %s: want %s\n", (const char *)out.data, want);
            test_fail_exit();
        }
        buf_free(&out);
        delta_stats_acc_free(acc);
        batch_destroy(&b);
        schema_destroy(&s);
    }
}
