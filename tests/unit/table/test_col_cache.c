/*
 * test_col_cache.c - the decoded-column cache of small Delta data files
 * (src/table/delta/col_cache.h): keys, pins, the memory budget, and the
 * slice copy the cached scans use.  End-to-end checks (cached scans with
 * predicates, commits by another process) are in tests/server/cache_test.sh.
 */
#include "table/delta/col_cache.h"
#include "../test.h"

static void int_schema(Schema *s)
{
    schema_init(s);
    LogicalType t = {0};
    t.id = TYPE_INT32;
    ASSERT(schema_add(s, "id", t, true) == 0);
    LogicalType u = {0};
    u.id = TYPE_STRING;
    ASSERT(schema_add(s, "name", u, true) == 0);
}

TEST(col_cache_off_by_default_and_keys)
{
    Schema s;
    int_schema(&s);
    int32_t ids[2] = {-1, -1};
    delta_column_cache_set_budget(0);
    ASSERT(dcc_insert_file("/lake", "t/a.parquet", 100, 1, &s, ids, 10) == NULL);
    ASSERT(dcc_lookup("/lake", "t/a.parquet", 100, 1) == NULL);
    delta_column_cache_set_budget(1 << 20);
    DcFile *f = dcc_insert_file("/lake", "t/a.parquet", 100, 1, &s, ids, 10);
    ASSERT(f != NULL);
    ASSERT_EQ_INT(dcc_num_rows(f), 10);
    ASSERT(dcc_column_cacheable(f, "id") && dcc_column_cacheable(f, "name") && !dcc_column_cacheable(f, "nope"));
    dcc_release(f);
    /* the same path with another size or modification time is another file */
    ASSERT(dcc_lookup("/lake", "t/a.parquet", 101, 1) == NULL);
    ASSERT(dcc_lookup("/lake", "t/a.parquet", 100, 2) == NULL);
    ASSERT(dcc_lookup("/other", "t/a.parquet", 100, 1) == NULL);
    DcFile *g = dcc_lookup("/lake", "t/a.parquet", 100, 1);
    ASSERT(g == f);
    dcc_release(g);
    /* too many rows for the budget: not cached */
    ASSERT(dcc_insert_file("/lake", "t/huge.parquet", 100, 1, &s, ids, DCC_MAX_FILE_ROWS + 1) == NULL);
    delta_column_cache_set_budget(0);
    ASSERT(dcc_lookup("/lake", "t/a.parquet", 100, 1) == NULL);
    schema_destroy(&s);
}

TEST(col_cache_budget_evicts_unpinned_lru)
{
    Schema s;
    int_schema(&s);
    int32_t ids[2] = {-1, -1};
    delta_column_cache_set_budget(256 * 1024);
    char name[32];
    DcFile *pinned = dcc_insert_file("/lake", "pinned.parquet", 1, 1, &s, ids, 1000);
    ASSERT(pinned != NULL);
    for (int i = 0; i < 40; i++) {
        snprintf(name, sizeof name, "f%d.parquet", i);
        DcFile *f = dcc_insert_file("/lake", name, 1, 1, &s, ids, 1000);
        ASSERT(f != NULL);
        Vector v;
        ASSERT(vec_init(&v, &dcc_file_schema(f)->fields[0].type) == 0);
        for (int r = 0; r < 1000; r++)
            ASSERT(vec_append_i64(&v, r) == 0);
        ASSERT(dcc_add_column(f, "id", &v, 0) != NULL);
        dcc_release(f);
    }
    size_t bytes = 0;
    delta_column_cache_stats(&bytes, NULL, NULL);
    ASSERT(bytes <= 256 * 1024);
    /* the oldest are gone, the newest and the pinned one stay */
    ASSERT(dcc_lookup("/lake", "f0.parquet", 1, 1) == NULL);
    DcFile *last = dcc_lookup("/lake", "f39.parquet", 1, 1);
    ASSERT(last != NULL);
    const Vector *v = dcc_column(last, "id");
    ASSERT(v != NULL && v->len == 1000 && VEC_DATA(v, int32_t)[999] == 999);
    dcc_release(last);
    DcFile *p = dcc_lookup("/lake", "pinned.parquet", 1, 1);
    ASSERT(p == pinned);
    dcc_release(p);
    dcc_release(pinned);
    delta_column_cache_set_budget(0);
    schema_destroy(&s);
}

TEST(col_cache_append_slice_nulls_and_strings)
{
    LogicalType it = {0};
    it.id = TYPE_INT32;
    LogicalType st = {0};
    st.id = TYPE_STRING;
    Vector src, dst, ss, sd;
    ASSERT(vec_init(&src, &it) == 0 && vec_init(&dst, &it) == 0);
    ASSERT(vec_init(&ss, &st) == 0 && vec_init(&sd, &st) == 0);
    for (int i = 0; i < 100; i++) {
        ASSERT((i % 3 == 0 ? vec_append_null(&src) : vec_append_i64(&src, i)) == 0);
        char b[16];
        int n = snprintf(b, sizeof b, "s%d", i);
        ASSERT((i % 5 == 0 ? vec_append_null(&ss) : vec_append_str(&ss, b, (size_t)n)) == 0);
    }
    /* unaligned offsets on both sides, then an aligned one */
    ASSERT(dcc_append_slice(&dst, &src, 5, 11, false) == 0);
    ASSERT(dcc_append_slice(&dst, &src, 40, 30, false) == 0);
    ASSERT(dcc_append_slice(&dst, &src, 0, 8, false) == 0);
    ASSERT_EQ_INT(dst.len, 49);
    for (uint32_t k = 0; k < dst.len; k++) {
        uint32_t i = k < 11 ? 5 + k : k < 41 ? 40 + (k - 11) : k - 41;
        ASSERT_EQ_INT(vec_is_valid(&dst, k), i % 3 != 0);
        if (i % 3)
            ASSERT_EQ_INT(VEC_DATA(&dst, int32_t)[k], (int)i);
    }
    /* a slice without NULLs after one with: the bits are set again */
    vec_reset(&dst);
    ASSERT(dcc_append_slice(&dst, &src, 0, 4, false) == 0);
    Vector clean;
    ASSERT(vec_init(&clean, &it) == 0);
    for (int i = 0; i < 20; i++)
        ASSERT(vec_append_i64(&clean, i) == 0);
    ASSERT(dcc_append_slice(&dst, &clean, 3, 10, false) == 0);
    for (uint32_t k = 4; k < 14; k++)
        ASSERT(vec_is_valid(&dst, k));
    ASSERT(!vec_is_valid(&dst, 0) && !vec_is_valid(&dst, 3));
    /* strings copied into the destination's heap survive the source */
    ASSERT(dcc_append_slice(&sd, &ss, 1, 20, true) == 0);
    vec_destroy(&ss);
    for (uint32_t k = 0; k < 20; k++) {
        uint32_t i = k + 1;
        ASSERT_EQ_INT(vec_is_valid(&sd, k), i % 5 != 0);
        if (i % 5) {
            char b[16];
            int n = snprintf(b, sizeof b, "s%u", i);
            StrView v = VEC_DATA(&sd, StrView)[k];
            ASSERT(v.len == (uint32_t)n && memcmp(v.ptr, b, (size_t)n) == 0);
        }
    }
    vec_destroy(&src);
    vec_destroy(&dst);
    vec_destroy(&clean);
    vec_destroy(&sd);
}
