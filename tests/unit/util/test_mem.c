/* test_mem.c - allocator failure hook, arenas and buffers. */
#include "../test.h"
#include "util/mem.h"

TEST(mem_arena_alloc_and_reset)
{
    Arena a;
    arena_init(&a, 1024);
    char *p = arena_alloc(&a, 10);
    ASSERT(p);
    ASSERT(((uintptr_t)p & 15) == 0);
    char *big = arena_alloc(&a, 100000);
    ASSERT(big);
    memset(big, 1, 100000);
    for (int i = 0; i < 1000; i++)
        ASSERT(arena_alloc(&a, 100));
    char *s = arena_strdup(&a, "hello");
    ASSERT_EQ_STR(s, "hello");
    arena_reset(&a);
    ASSERT(arena_alloc(&a, 10));
    arena_free(&a);
}

TEST(mem_fail_hook_makes_allocation_fail)
{
    mem_fail_after(2);
    void *a = tarn_malloc(8);
    void *b = tarn_malloc(8);
    ASSERT(a != NULL);
    ASSERT(b == NULL);
    mem_fail_after(0);
    tarn_free(a);
}

TEST(mem_buf_printf_grows)
{
    Buf b;
    buf_init(&b);
    for (int i = 0; i < 1000; i++)
        ASSERT_EQ_INT(buf_printf(&b, "%d,", i), 0);
    ASSERT(b.len > 3000);
    ASSERT_EQ_INT(buf_terminate(&b), 0);
    ASSERT(strncmp((char *)b.data, "0,1,2,", 6) == 0);
    buf_free(&b);
}

TEST(err_first_error_wins_and_context_chains)
{
    TarnError err = {0};
    err_set(&err, TARN_ERR_CORRUPT, "bad %s", "thing");
    err_set(&err, TARN_ERR_IO, "later");
    err_context(&err, "reading \"%s\"", "x.parquet");
    ASSERT_EQ_INT(err.kind, TARN_ERR_CORRUPT);
    ASSERT_EQ_STR(err.message, "bad thing");
    ASSERT_EQ_STR(err.sqlstate, "XX001");
    char buf[512];
    tarn_error_format(&err, buf, sizeof buf);
    ASSERT(strstr(buf, "CONTEXT:  reading \"x.parquet\""));
}
