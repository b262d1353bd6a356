/* test_vector.c - vectors, nested appends, batches. */
#include "../test.h"
#include "vector/vector.h"

TEST(vector_append_ints_and_nulls)
{
    LogicalType t = type_simple(TYPE_INT32);
    Vector v;
    ASSERT_EQ_INT(vec_init(&v, &t), 0);
    for (int i = 0; i < 5000; i++) {
        if (i % 7 == 0)
            ASSERT_EQ_INT(vec_append_null(&v), 0);
        else
            ASSERT_EQ_INT(vec_append_i64(&v, i), 0);
    }
    ASSERT_EQ_INT(v.len, 5000);
    ASSERT_EQ_INT(vec_null_count(&v), 715);
    ASSERT(!vec_is_valid(&v, 0));
    ASSERT(vec_is_valid(&v, 1));
    ASSERT_EQ_INT(VEC_DATA(&v, int32_t)[4999], 4999);
    vec_reset(&v);
    ASSERT_EQ_INT(v.len, 0);
    ASSERT_EQ_INT(vec_append_i64(&v, 1), 0);
    ASSERT(vec_is_valid(&v, 0));
    vec_destroy(&v);
}

TEST(vector_list_of_strings)
{
    LogicalType t;
    ASSERT_EQ_INT(type_list(&t, type_simple(TYPE_STRING), true), 0);
    Vector v;
    ASSERT_EQ_INT(vec_init(&v, &t), 0);
    /* [a, b], NULL, [] */
    ASSERT_EQ_INT(vec_append_str(&v.children[0], "a", 1), 0);
    ASSERT_EQ_INT(vec_append_str(&v.children[0], "b", 1), 0);
    ASSERT_EQ_INT(vec_append_list_end(&v), 0);
    ASSERT_EQ_INT(vec_append_null(&v), 0);
    ASSERT_EQ_INT(vec_append_list_end(&v), 0);
    ASSERT_EQ_INT(v.len, 3);
    ASSERT_EQ_INT(v.offsets[1], 2);
    ASSERT_EQ_INT(v.offsets[2], 2);
    ASSERT_EQ_INT(v.offsets[3], 2);
    ASSERT(!vec_is_valid(&v, 1));
    char name[64];
    ASSERT_EQ_STR(type_name(&t, name, sizeof name), "text[]");
    vec_destroy(&v);
    type_destroy(&t);
}
