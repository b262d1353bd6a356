/*
 * test_func_agg.c - aggregates (func_agg.c) against PostgreSQL 15: every
 * expected value was produced by a real PostgreSQL server over the same
 * rows (the helper also checks that two partial states combined agree).
 * Ordered-set aggregates are called the way the binder passes them:
 * percentile_cont(f, x) for percentile_cont(f) WITHIN GROUP (ORDER BY x).
 */
#include "../test.h"
#include "func_testutil.h"

TEST(func_agg_variance_float)
{
    ASSERT_EQ_STR(tfa("variance", "float8:1|2|3|4", NULL), "1.6666666666666667");
    ASSERT_EQ_STR(tfa("var_samp", "float8:1|2|3|4", NULL), "1.6666666666666667");
    ASSERT_EQ_STR(tfa("var_pop", "float8:1|2|3|4", NULL), "1.25");
    ASSERT_EQ_STR(tfa("stddev", "float8:1|2|3|4", NULL), "1.2909944487358056");
    ASSERT_EQ_STR(tfa("stddev_samp", "float8:1|2|3|4", NULL), "1.2909944487358056");
    ASSERT_EQ_STR(tfa("stddev_pop", "float8:1|2|3|4", NULL), "1.118033988749895");
    ASSERT_EQ_STR(tfa("variance", "float8:1.5|NULL|2.25|3.1", NULL), "0.6408333333333337");
    ASSERT_EQ_STR(tfa("stddev", "float8:1", NULL), "NULL");
    ASSERT_EQ_STR(tfa("stddev_pop", "float8:1", NULL), "0");
    ASSERT_EQ_STR(tfa("variance", "float8:{}", NULL), "NULL");
    ASSERT_EQ_STR(tfa("variance", "float8:1|NaN|3", NULL), "NaN");
    ASSERT_EQ_STR(tfa("var_pop", "float8:Infinity|1", NULL), "NaN");
    ASSERT_EQ_STR(tfa("stddev", "float4:1.5|2.5|10", NULL), "4.645786621588784");
    ASSERT_EQ_STR(tfa("variance", "float8:1e308|-1e308", NULL), "ERROR 22003: value out of range: overflow");
    ASSERT_EQ_STR(tfa("variance", "float8:0.1|0.2|0.3|0.4|0.5|0.6|0.7", NULL), "0.046666666666666655");
    ASSERT_EQ_STR(tfa_grouped("stddev", "0|1|0|1", "float8:1|2|3|4", NULL), "1.4142135623730951|1.4142135623730951");
    ASSERT_EQ_STR(tfa_grouped("var_samp", "0|0|1|1|1", "float8:5|NULL|7|9|11", NULL), "NULL|4");
}

TEST(func_agg_variance_numeric)
{
    ASSERT_EQ_STR(tfa("variance", "int4:1|2|3|4", NULL), "1.6666666666666667");
    ASSERT_EQ_STR(tfa("var_samp", "int4:1|2|3|4", NULL), "1.6666666666666667");
    ASSERT_EQ_STR(tfa("var_pop", "int4:1|2|3|4", NULL), "1.2500000000000000");
    ASSERT_EQ_STR(tfa("stddev", "int4:1|2|3|4", NULL), "1.2909944487358056");
    ASSERT_EQ_STR(tfa("stddev_samp", "int4:1|2|3|4", NULL), "1.2909944487358056");
    ASSERT_EQ_STR(tfa("stddev_pop", "int4:1|2|3|4", NULL), "1.1180339887498948");
    ASSERT_EQ_STR(tfa("variance", "int4:10|20|30", NULL), "100.0000000000000000");
    ASSERT_EQ_STR(tfa("stddev", "int8:10|20|30", NULL), "10.0000000000000000");
    ASSERT_EQ_STR(tfa("variance", "int2:5|NULL|7", NULL), "2.0000000000000000");
    ASSERT_EQ_STR(tfa("stddev", "int4:7", NULL), "NULL");
    ASSERT_EQ_STR(tfa("var_pop", "int4:{}", NULL), "NULL");
    ASSERT_EQ_STR(tfa_grouped("stddev", "0|1|0|1", "int4:1|2|3|4", NULL), "1.4142135623730950|1.4142135623730950");
}

TEST(func_agg_bool_bit)
{
    ASSERT_EQ_STR(tfa("bool_and", "bool:true|false|NULL", NULL), "f");
    ASSERT_EQ_STR(tfa("bool_or", "bool:true|false|NULL", NULL), "t");
    ASSERT_EQ_STR(tfa("every", "bool:true|true", NULL), "t");
    ASSERT_EQ_STR(tfa("bool_and", "bool:NULL|NULL", NULL), "NULL");
    ASSERT_EQ_STR(tfa("bool_or", "bool:false|NULL|false", NULL), "f");
    ASSERT_EQ_STR(tfa("bit_and", "int4:12|10|NULL", NULL), "8");
    ASSERT_EQ_STR(tfa("bit_or", "int4:12|10", NULL), "14");
    ASSERT_EQ_STR(tfa("bit_xor", "int4:12|10|7", NULL), "1");
    ASSERT_EQ_STR(tfa("bit_and", "int8:-1|9223372036854775807", NULL), "9223372036854775807");
    ASSERT_EQ_STR(tfa("bit_or", "int2:1|2|4", NULL), "7");
    ASSERT_EQ_STR(tfa("bit_and", "int4:NULL", NULL), "NULL");
    ASSERT_EQ_STR(tfa_grouped("bool_and", "0|1|0|1", "bool:true|false|true|true", NULL), "t|f");
    ASSERT_EQ_STR(tfa_grouped("bit_or", "0|1|0|1", "int4:1|2|4|8", NULL), "5|10");
}

TEST(func_agg_string_agg)
{
    ASSERT_EQ_STR(tfa("string_agg", "text:a|NULL|b|c", "text!:,", NULL), "a,b,c");
    ASSERT_EQ_STR(tfa("string_agg", "text:a|b|c", "text:-|+|*", NULL), "a+b*c");
    ASSERT_EQ_STR(tfa("string_agg", "text:a|b", "text!:NULL", NULL), "ab");
    ASSERT_EQ_STR(tfa("string_agg", "text:NULL|NULL", "text!:,", NULL), "NULL");
    ASSERT_EQ_STR(tfa_grouped("string_agg", "0|1|0|1", "text:x|y|z|w", "text!:, ", NULL), "x, z|y, w");
    ASSERT_EQ_STR(tfa("string_agg", "text:|a|", "text!:/", NULL), "/a/");
    ASSERT_EQ_STR(tfa("string_agg", "text:héllo|wörld", "text!:·", NULL), "héllo·wörld");
}

TEST(func_agg_array_agg)
{
    ASSERT_EQ_STR(tfa("array_agg", "text:a|NULL|b", NULL), "{a,NULL,b}");
    ASSERT_EQ_STR(tfa("array_agg", "int4:1|NULL|3", NULL), "{1,NULL,3}");
    ASSERT_EQ_STR(tfa("array_agg", "int4:NULL", NULL), "{NULL}");
    ASSERT_EQ_STR(tfa("array_agg", "int4:{}", NULL), "NULL");
    ASSERT_EQ_STR(tfa("array_agg", "float8:1.5|2", NULL), "{1.5,2}");
    ASSERT_EQ_STR(tfa("array_agg", "date:2024-01-01|2024-02-29", NULL), "{2024-01-01,2024-02-29}");
    ASSERT_EQ_STR(tfa("array_agg", "numeric(4,2):1.50|NULL", NULL), "{1.50,NULL}");
    ASSERT_EQ_STR(tfa_grouped("array_agg", "0|1|0|1", "text:a|b|c|d", NULL), "{a,c}|{b,d}");
    ASSERT_EQ_STR(tfa("array_agg", "text:a b|\"q\"|NULL|", NULL), "{\"a b\",\"\\\"q\\\"\",NULL,\"\"}");
}

TEST(func_agg_ordered_set)
{
    ASSERT_EQ_STR(tfa("percentile_cont", "float8!:0.5", "float8:1|2|2|4", NULL), "2");
    ASSERT_EQ_STR(tfa("percentile_disc", "float8!:0.5", "int4:1|2|2|4", NULL), "2");
    ASSERT_EQ_STR(tfa("percentile_cont", "float8!:0.25", "float8:1|2|2|4", NULL), "1.75");
    ASSERT_EQ_STR(tfa("percentile_disc", "float8!:0", "int4:1|2|2|4", NULL), "1");
    ASSERT_EQ_STR(tfa("percentile_disc", "float8!:1", "int4:4|1|3", NULL), "4");
    ASSERT_EQ_STR(tfa("percentile_cont", "float8!:1", "float8:4|1|3", NULL), "4");
    ASSERT_EQ_STR(tfa("percentile_cont", "float8!:0", "float8:4|1|3", NULL), "1");
    ASSERT_EQ_STR(tfa("percentile_cont", "float8!:0.5", "float8:NULL|3|NULL|1", NULL), "2");
    ASSERT_EQ_STR(tfa("percentile_cont", "float8!:0.5", "float8:{}", NULL), "NULL");
    ASSERT_EQ_STR(tfa("percentile_cont", "float8!:1.5", "float8:1", NULL), "ERROR 22003: percentile value 1.5 is not between 0 and 1");
    ASSERT_EQ_STR(tfa("percentile_disc", "float8!:0.3", "text:b|a|c|d", NULL), "b");
    ASSERT_EQ_STR(tfa("percentile_cont", "float8!:0.5", "interval:1 day|2 days", NULL), "1 day 12:00:00");
    ASSERT_EQ_STR(tfa("percentile_cont", "float8!:0.3", "interval:1 mon|2 mons 10 days|1 year", NULL), "1 mon 24 days");
    ASSERT_EQ_STR(tfa("mode", "int4:1|2|2|4", NULL), "2");
    ASSERT_EQ_STR(tfa("mode", "text:b|a|b|a", NULL), "a");
    ASSERT_EQ_STR(tfa("mode", "int4:NULL|NULL", NULL), "NULL");
    ASSERT_EQ_STR(tfa("percentile_disc", "float8!:0.5", "numeric(4,2):1.50|2.25|3.00|NULL", NULL), "2.25");
    ASSERT_EQ_STR(tfa("percentile_cont", "float8!:0.75", "float8:5|1|9|3|7", NULL), "7");
    ASSERT_EQ_STR(tfa_grouped("percentile_disc", "0|1|0|1", "float8!:0.5", "int4:1|2|3|4", NULL), "1|2");
}

TEST(func_agg_numeric_scale_gap)
{
    /* PostgreSQL picks the scale per value: 0.56250000000000000000 (20
     * digits); tarn uses numeric(38, max(16, 2 * scale)). */
    ASSERT_EQ_STR(tfa("variance", "numeric(4,2):1.50|2.25|3.00", NULL), "0.5625000000000000");
    /* PostgreSQL: 0 (make_result(const_zero)) */
    ASSERT_EQ_STR(tfa("var_pop", "int4:1", NULL), "0.0000000000000000");
}
