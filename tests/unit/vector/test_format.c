/* test_format.c - PostgreSQL text output, JSON output and text input of values. */
#include <math.h>

#include "../test.h"
#include "util/datetime.h"
#include "vector/format.h"

/* Formats value i of v as text / JSON into a static buffer. */
static const char *text_of(const Vector *v, uint32_t i)
{
    static char out[4096];
    Buf b;
    buf_init(&b);
    if (value_format_text(v, i, &b) || buf_terminate(&b))
        TFAIL("value_format_text failed");
    snprintf(out, sizeof out, "%s", (char *)b.data);
    buf_free(&b);
    return out;
}

static const char *json_of(const Vector *v, uint32_t i)
{
    static char out[4096];
    Buf b;
    buf_init(&b);
    if (value_format_json(v, i, &b) || buf_terminate(&b))
        TFAIL("value_format_json failed");
    snprintf(out, sizeof out, "%s", (char *)b.data);
    buf_free(&b);
    return out;
}

static const char *dbl(double d)
{
    static char buf[VALUE_TEXT_MAX];
    value_format_double(d, buf);
    return buf;
}

static const char *flt(float f)
{
    static char buf[VALUE_TEXT_MAX];
    value_format_float(f, buf);
    return buf;
}

TEST(format_double_shortest)
{
    ASSERT_EQ_STR(dbl(0.1), "0.1");
    ASSERT_EQ_STR(dbl(0.1 + 0.2), "0.30000000000000004");
    ASSERT_EQ_STR(dbl(1.0), "1");
    ASSERT_EQ_STR(dbl(-2.5), "-2.5");
    ASSERT_EQ_STR(dbl(0.0), "0");
    ASSERT_EQ_STR(dbl(-0.0), "-0");
    ASSERT_EQ_STR(dbl(1e20), "1e+20");
    ASSERT_EQ_STR(dbl(1e15), "1e+15");
    ASSERT_EQ_STR(dbl(123456789012345.0), "123456789012345");
    ASSERT_EQ_STR(dbl(1e14), "100000000000000");
    ASSERT_EQ_STR(dbl(0.0001), "0.0001");
    ASSERT_EQ_STR(dbl(0.00001), "1e-05");
    ASSERT_EQ_STR(dbl(1.5e-7), "1.5e-07");
    ASSERT_EQ_STR(dbl(1.5e300), "1.5e+300");
    ASSERT_EQ_STR(dbl(1.7976931348623157e308), "1.7976931348623157e+308");
    ASSERT_EQ_STR(dbl(5e-324), "5e-324");
    ASSERT_EQ_STR(dbl(2.2250738585072014e-308), "2.2250738585072014e-308");
    ASSERT_EQ_STR(dbl(3.141592653589793), "3.141592653589793");
    ASSERT_EQ_STR(dbl(100), "100");
    ASSERT_EQ_STR(dbl(NAN), "NaN");
    ASSERT_EQ_STR(dbl(INFINITY), "Infinity");
    ASSERT_EQ_STR(dbl(-INFINITY), "-Infinity");
    /* Every printed value reads back to the same bits. */
    uint64_t x = 0x9E3779B97F4A7C15u;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double d;
        memcpy(&d, &x, 8);
        if (!isfinite(d))
            continue;
        double back;
        const char *s = dbl(d);
        ASSERT(value_parse_double(s, strlen(s), &back));
        if (memcmp(&back, &d, 8) != 0)
            TFAIL("%s does not round-trip", s);
    }
}

TEST(format_float_shortest)
{
    ASSERT_EQ_STR(flt(0.1f), "0.1");
    ASSERT_EQ_STR(flt(1.0f / 3.0f), "0.33333334");
    ASSERT_EQ_STR(flt(1e6f), "1e+06");
    ASSERT_EQ_STR(flt(123456.0f), "123456");
    ASSERT_EQ_STR(flt(-0.0f), "-0");
    ASSERT_EQ_STR(flt(3.4028235e38f), "3.4028235e+38");
    ASSERT_EQ_STR(flt(1e-45f), "1e-45");
    ASSERT_EQ_STR(flt(16777216.0f), "1.6777216e+07");
    uint32_t x = 0x12345678;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        float f;
        memcpy(&f, &x, 4);
        if (!isfinite(f))
            continue;
        const char *s = flt(f);
        float back = strtof(s, NULL);
        if (memcmp(&back, &f, 4) != 0)
            TFAIL("%s does not round-trip", s);
    }
}

static const char *dec(int128_t v, int scale)
{
    static char buf[VALUE_TEXT_MAX];
    value_format_decimal(v, scale, buf);
    return buf;
}

TEST(format_decimal_exact)
{
    ASSERT_EQ_STR(dec(-5, 2), "-0.05");
    ASSERT_EQ_STR(dec(12340, 2), "123.40");
    ASSERT_EQ_STR(dec(0, 2), "0.00");
    ASSERT_EQ_STR(dec(0, 0), "0");
    ASSERT_EQ_STR(dec(7, 0), "7");
    ASSERT_EQ_STR(dec(-100, 2), "-1.00");
    ASSERT_EQ_STR(dec(1, 5), "0.00001");
    int128_t big = 0;
    for (int i = 0; i < 38; i++)
        big = big * 10 + 9;
    ASSERT_EQ_STR(dec(big, 0), "99999999999999999999999999999999999999");
    ASSERT_EQ_STR(dec(-big, 10), "-9999999999999999999999999999.9999999999");
    ASSERT_EQ_STR(dec(-big, 38), "-0.99999999999999999999999999999999999999");
    int128_t min = (int128_t)((unsigned __int128)1 << 127);
    ASSERT_EQ_STR(dec(min, 0), "-170141183460469231731687303715884105728");
    ASSERT_EQ_STR(dec((int128_t)10000000000000000000u * 10, 1), "10000000000000000000.0");
}

TEST(format_interval_pg_style)
{
    char buf[VALUE_TEXT_MAX * 2];
    Interval a = {14, 3, 4 * DT_USECS_PER_HOUR + 5 * DT_USECS_PER_MIN + 6 * DT_USECS_PER_SEC};
    value_format_interval(a, buf);
    ASSERT_EQ_STR(buf, "1 year 2 mons 3 days 04:05:06");
    Interval z = {0, 0, 0};
    value_format_interval(z, buf);
    ASSERT_EQ_STR(buf, "00:00:00");
    Interval b = {-12, 2, 0};
    value_format_interval(b, buf);
    ASSERT_EQ_STR(buf, "-1 years +2 days");
    Interval c = {0, 1, -(DT_USECS_PER_HOUR + 500000)};
    value_format_interval(c, buf);
    ASSERT_EQ_STR(buf, "1 day -01:00:00.5");
    Interval d = {1, -1, DT_USECS_PER_HOUR};
    value_format_interval(d, buf);
    ASSERT_EQ_STR(buf, "1 mon -1 days +01:00:00");
    Interval e = {0, 0, 100 * DT_USECS_PER_HOUR};
    value_format_interval(e, buf);
    ASSERT_EQ_STR(buf, "100:00:00");
    Interval f = {INT32_MIN, INT32_MIN, INT64_MIN};
    value_format_interval(f, buf);
    ASSERT_EQ_STR(buf, "-178956970 years -8 mons -2147483648 days -2562047788:00:54.775808");
    Interval parsed;
    ASSERT(value_parse_interval("1 year 2 mons 3 days 04:05:06", 29, &parsed));
    ASSERT_EQ_INT(parsed.months, 14);
    ASSERT_EQ_INT(parsed.days, 3);
    ASSERT_EQ_INT(parsed.micros, a.micros);
    ASSERT(value_parse_interval("1 day -01:00:00.5", 17, &parsed));
    ASSERT_EQ_INT(parsed.days, 1);
    ASSERT_EQ_INT(parsed.micros, c.micros);
    ASSERT(value_parse_interval("-1 years +2 days", 16, &parsed));
    ASSERT_EQ_INT(parsed.months, -12);
    ASSERT_EQ_INT(parsed.days, 2);
    ASSERT(value_parse_interval("2 weeks 90 minutes ago", 22, &parsed));
    ASSERT_EQ_INT(parsed.days, -14);
    ASSERT_EQ_INT(parsed.micros, -90 * DT_USECS_PER_MIN);
    ASSERT(!value_parse_interval("", 0, &parsed));
    ASSERT(!value_parse_interval("3 fortnights", 12, &parsed));
    /* PostgreSQL spreads fractions: years to months, months to 30-day days, days to time */
    ASSERT(value_parse_interval("1.5 years", 9, &parsed));
    ASSERT_EQ_INT(parsed.months, 18);
    ASSERT(value_parse_interval("1.5 mons", 8, &parsed));
    ASSERT_EQ_INT(parsed.months, 1);
    ASSERT_EQ_INT(parsed.days, 15);
    ASSERT(value_parse_interval("P1DT2H", 6, &parsed));
    ASSERT_EQ_INT(parsed.days, 1);
    ASSERT_EQ_INT(parsed.micros, 2 * DT_USECS_PER_HOUR);
    ASSERT(!value_parse_interval("P1X", 3, &parsed));
    ASSERT(!value_parse_interval("day", 3, &parsed));
}

/* One vector of a simple type per call, with the given values appended. */
typedef struct {
    LogicalType t;
    Vector v;
} Col;

static void col_init(Col *c, LogicalType t)
{
    c->t = t;
    if (vec_init(&c->v, &c->t))
        TFAIL("vec_init");
}

static void col_free(Col *c)
{
    vec_destroy(&c->v);
    type_destroy(&c->t);
}

TEST(format_scalars_text_and_json)
{
    Col c;
    col_init(&c, type_simple(TYPE_BOOL));
    vec_append_bool(&c.v, true);
    vec_append_bool(&c.v, false);
    vec_append_null(&c.v);
    ASSERT_EQ_STR(text_of(&c.v, 0), "t");
    ASSERT_EQ_STR(text_of(&c.v, 1), "f");
    ASSERT_EQ_STR(text_of(&c.v, 2), "");
    ASSERT_EQ_STR(json_of(&c.v, 0), "true");
    ASSERT_EQ_STR(json_of(&c.v, 2), "null");
    col_free(&c);

    col_init(&c, type_simple(TYPE_INT64));
    vec_append_i64(&c.v, INT64_MIN);
    vec_append_i64(&c.v, 0);
    ASSERT_EQ_STR(text_of(&c.v, 0), "-9223372036854775808");
    ASSERT_EQ_STR(json_of(&c.v, 1), "0");
    col_free(&c);

    col_init(&c, type_simple(TYPE_UINT64));
    vec_append_u64(&c.v, UINT64_MAX);
    ASSERT_EQ_STR(text_of(&c.v, 0), "18446744073709551615");
    col_free(&c);

    col_init(&c, type_simple(TYPE_INT8));
    vec_append_i64(&c.v, -128);
    ASSERT_EQ_STR(text_of(&c.v, 0), "-128");
    col_free(&c);

    col_init(&c, type_simple(TYPE_DOUBLE));
    vec_append_double(&c.v, NAN);
    vec_append_double(&c.v, -INFINITY);
    vec_append_double(&c.v, 1e20);
    ASSERT_EQ_STR(text_of(&c.v, 0), "NaN");
    ASSERT_EQ_STR(json_of(&c.v, 0), "\"NaN\"");
    ASSERT_EQ_STR(json_of(&c.v, 1), "\"-Infinity\"");
    ASSERT_EQ_STR(json_of(&c.v, 2), "1e+20");
    col_free(&c);

    col_init(&c, type_simple(TYPE_FLOAT));
    vec_append_double(&c.v, 0.1);
    ASSERT_EQ_STR(text_of(&c.v, 0), "0.1");
    col_free(&c);

    col_init(&c, type_decimal(10, 2));
    vec_append_i64(&c.v, -5);
    vec_append_i64(&c.v, 12340);
    ASSERT_EQ_STR(text_of(&c.v, 0), "-0.05");
    ASSERT_EQ_STR(json_of(&c.v, 1), "123.40");
    col_free(&c);

    col_init(&c, type_decimal(38, 4));
    int128_t big = 0;
    for (int i = 0; i < 38; i++)
        big = big * 10 + (i % 10);
    vec_append_i128(&c.v, -big);
    ASSERT_EQ_STR(text_of(&c.v, 0), "-123456789012345678901234567890123.4567");
    col_free(&c);

    col_init(&c, type_simple(TYPE_DATE));
    vec_append_i64(&c.v, -719528);
    vec_append_i64(&c.v, dt_days_from_civil(1900, 2, 28));
    vec_append_i64(&c.v, dt_days_from_civil(12345, 6, 7));
    ASSERT_EQ_STR(text_of(&c.v, 0), "0001-01-01 BC");
    ASSERT_EQ_STR(text_of(&c.v, 1), "1900-02-28");
    ASSERT_EQ_STR(text_of(&c.v, 2), "12345-06-07");
    ASSERT_EQ_STR(json_of(&c.v, 1), "\"1900-02-28\"");
    col_free(&c);

    col_init(&c, type_simple(TYPE_TIME));
    vec_append_i64(&c.v, 13 * DT_USECS_PER_HOUR + 120);
    ASSERT_EQ_STR(text_of(&c.v, 0), "13:00:00.00012");
    col_free(&c);

    col_init(&c, type_simple(TYPE_TIMESTAMP));
    vec_append_i64(&c.v, INT64_C(1700000000123456));
    vec_append_i64(&c.v, -1);
    ASSERT_EQ_STR(text_of(&c.v, 0), "2023-11-14 22:13:20.123456");
    ASSERT_EQ_STR(text_of(&c.v, 1), "1969-12-31 23:59:59.999999");
    ASSERT_EQ_STR(json_of(&c.v, 0), "\"2023-11-14 22:13:20.123456\"");
    col_free(&c);

    col_init(&c, type_simple(TYPE_TIMESTAMPTZ));
    vec_append_i64(&c.v, INT64_C(1700000000000000));
    ASSERT_EQ_STR(text_of(&c.v, 0), "2023-11-14 22:13:20+00");
    col_free(&c);

    col_init(&c, type_simple(TYPE_INTERVAL));
    Interval iv = {14, 3, 0};
    vec_append_interval(&c.v, iv);
    ASSERT_EQ_STR(text_of(&c.v, 0), "1 year 2 mons 3 days");
    ASSERT_EQ_STR(json_of(&c.v, 0), "\"1 year 2 mons 3 days\"");
    col_free(&c);

    col_init(&c, type_simple(TYPE_UUID));
    const uint8_t u[16] = {0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8,
                           0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11};
    vec_append_str(&c.v, (const char *)u, 16);
    ASSERT_EQ_STR(text_of(&c.v, 0), "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    ASSERT_EQ_STR(json_of(&c.v, 0), "\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\"");
    col_free(&c);

    col_init(&c, type_simple(TYPE_BLOB));
    vec_append_str(&c.v, "\x00\xff\x10", 3);
    vec_append_str(&c.v, "", 0);
    ASSERT_EQ_STR(text_of(&c.v, 0), "\\x00ff10");
    ASSERT_EQ_STR(json_of(&c.v, 0), "\"\\\\x00ff10\"");
    ASSERT_EQ_STR(text_of(&c.v, 1), "\\x");
    col_free(&c);
}

TEST(format_json_strings)
{
    Col c;
    col_init(&c, type_simple(TYPE_STRING));
    vec_append_str(&c.v, "a\"b\\c\n\t\x01\x1f/", 10);
    vec_append_str(&c.v, "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80", 15);
    vec_append_str(&c.v, "bad\xff\xc3(\xed\xa0\x80x", 10);
    vec_append_str(&c.v, "\xe0\x80\xaf", 3); /* overlong '/' */
    vec_append_str(&c.v, "\xf4\x90\x80\x80", 4); /* above U+10FFFF */
    vec_append_str(&c.v, "", 0);
    ASSERT_EQ_STR(json_of(&c.v, 0), "\"a\\\"b\\\\c\\n\\t\\u0001\\u001f/\"");
    ASSERT_EQ_STR(json_of(&c.v, 1), "\"h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80\"");
    ASSERT_EQ_STR(json_of(&c.v, 2), "\"bad\\ufffd\\ufffd(\\ufffd\\ufffd\\ufffdx\"");
    ASSERT_EQ_STR(json_of(&c.v, 3), "\"\\ufffd\\ufffd\\ufffd\"");
    ASSERT_EQ_STR(json_of(&c.v, 4), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
    ASSERT_EQ_STR(json_of(&c.v, 5), "\"\"");
    ASSERT_EQ_STR(text_of(&c.v, 0), "a\"b\\c\n\t\x01\x1f/");
    col_free(&c);

    col_init(&c, type_simple(TYPE_JSON));
    vec_append_str(&c.v, " {\"a\": [1, 2.5e3, null]} ", 25);
    vec_append_str(&c.v, "{bad", 4);
    vec_append_str(&c.v, "", 0);
    ASSERT_EQ_STR(json_of(&c.v, 0), " {\"a\": [1, 2.5e3, null]} ");
    ASSERT_EQ_STR(json_of(&c.v, 1), "\"{bad\"");
    ASSERT_EQ_STR(json_of(&c.v, 2), "\"\"");
    col_free(&c);
}

TEST(format_json_validator)
{
    const char *good[] = {"0", "-0", "1.5e-3", "\"x\"", "[]", "{}", "[1,[2,{\"a\":null}]]",
                          " true ", "\"\\u00e9\\n\"", "{\"a\":1,\"b\":[false]}"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        if (!value_json_valid(good[i], strlen(good[i])))
            TFAIL("should be valid: %s", good[i]);
    const char *bad[] = {"", "01", "1.", "-", "[1,]", "{\"a\"}", "{\"a\":1,}", "[1 2]",
                         "tru", "\"abc", "\"\\x\"", "\"\\u12\"", "{1:2}", "1 2", "[", "\"\x01\"",
                         "NaN", ".5", "1e", "\"\xff\""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (value_json_valid(bad[i], strlen(bad[i])))
            TFAIL("should be invalid: %s", bad[i]);
    /* Depth limit: 256 nested arrays are fine, 258 are not. */
    char deep[600];
    for (int k = 0; k < 2; k++) {
        int d = k ? 258 : 256;
        int n = 0;
        for (int i = 0; i < d; i++)
            deep[n++] = '[';
        for (int i = 0; i < d; i++)
            deep[n++] = ']';
        ASSERT_EQ_INT(value_json_valid(deep, (size_t)n), k == 0);
    }
}

TEST(format_list_as_pg_array)
{
    LogicalType t;
    ASSERT_EQ_INT(type_list(&t, type_simple(TYPE_STRING), true), 0);
    Vector v;
    ASSERT_EQ_INT(vec_init(&v, &t), 0);
    Vector *ch = &v.children[0];
    /* {plain,"a b","","NULL",NULL,"q\"\\",x} */
    vec_append_str(ch, "plain", 5);
    vec_append_str(ch, "a b", 3);
    vec_append_str(ch, "", 0);
    vec_append_str(ch, "NULL", 4);
    vec_append_null(ch);
    vec_append_str(ch, "q\"\\", 3);
    vec_append_str(ch, "{x}", 3);
    vec_append_list_end(&v);
    vec_append_null(&v);
    vec_append_list_end(&v); /* empty list */
    ASSERT_EQ_STR(text_of(&v, 0), "{plain,\"a b\",\"\",\"NULL\",NULL,\"q\\\"\\\\\",\"{x}\"}");
    ASSERT_EQ_STR(text_of(&v, 1), "");
    ASSERT_EQ_STR(text_of(&v, 2), "{}");
    ASSERT_EQ_STR(json_of(&v, 0), "[\"plain\",\"a b\",\"\",\"NULL\",null,\"q\\\"\\\\\",\"{x}\"]");
    ASSERT_EQ_STR(json_of(&v, 1), "null");
    ASSERT_EQ_STR(json_of(&v, 2), "[]");
    vec_destroy(&v);
    type_destroy(&t);

    /* A list of lists of integers. */
    LogicalType inner, outer;
    ASSERT_EQ_INT(type_list(&inner, type_simple(TYPE_INT32), true), 0);
    ASSERT_EQ_INT(type_list(&outer, inner, true), 0);
    ASSERT_EQ_INT(vec_init(&v, &outer), 0);
    Vector *in = &v.children[0];
    vec_append_i64(&in->children[0], 1);
    vec_append_i64(&in->children[0], 2);
    vec_append_list_end(in);
    vec_append_null(&in->children[0]);
    vec_append_list_end(in);
    vec_append_list_end(&v);
    ASSERT_EQ_STR(text_of(&v, 0), "{{1,2},{NULL}}");
    ASSERT_EQ_STR(json_of(&v, 0), "[[1,2],[null]]");
    vec_destroy(&v);
    type_destroy(&outer);
}

TEST(format_struct_and_map_as_json)
{
    LogicalType st;
    type_struct_init(&st);
    ASSERT_EQ_INT(type_struct_add(&st, "id", type_simple(TYPE_INT64), true), 0);
    ASSERT_EQ_INT(type_struct_add(&st, "na\"me", type_simple(TYPE_STRING), true), 0);
    Vector v;
    ASSERT_EQ_INT(vec_init(&v, &st), 0);
    vec_append_i64(&v.children[0], 7);
    vec_append_null(&v.children[1]);
    vec_append_struct_end(&v);
    vec_append_null(&v);
    ASSERT_EQ_STR(text_of(&v, 0), "{\"id\":7,\"na\\\"me\":null}");
    ASSERT_EQ_STR(json_of(&v, 0), "{\"id\":7,\"na\\\"me\":null}");
    ASSERT_EQ_STR(json_of(&v, 1), "null");
    vec_destroy(&v);
    type_destroy(&st);

    LogicalType m;
    ASSERT_EQ_INT(type_map(&m, type_simple(TYPE_STRING), type_simple(TYPE_DOUBLE), true), 0);
    ASSERT_EQ_INT(vec_init(&v, &m), 0);
    vec_append_str(&v.children[0], "a", 1);
    vec_append_double(&v.children[1], 1.5);
    vec_append_str(&v.children[0], "b", 1);
    vec_append_null(&v.children[1]);
    vec_append_list_end(&v);
    ASSERT_EQ_STR(json_of(&v, 0), "{\"a\":1.5,\"b\":null}");
    ASSERT_EQ_STR(text_of(&v, 0), "{\"a\":1.5,\"b\":null}");
    vec_destroy(&v);
    type_destroy(&m);

    ASSERT_EQ_INT(type_map(&m, type_simple(TYPE_INT32), type_simple(TYPE_STRING), true), 0);
    ASSERT_EQ_INT(vec_init(&v, &m), 0);
    vec_append_i64(&v.children[0], 1);
    vec_append_str(&v.children[1], "x", 1);
    vec_append_list_end(&v);
    ASSERT_EQ_STR(json_of(&v, 0), "[{\"key\":1,\"value\":\"x\"}]");
    vec_destroy(&v);
    type_destroy(&m);
}

TEST(format_parse_numbers)
{
    int64_t i;
    ASSERT(value_parse_i64("9223372036854775807", 19, &i));
    ASSERT_EQ_INT(i, INT64_MAX);
    ASSERT(value_parse_i64("-9223372036854775808", 20, &i));
    ASSERT_EQ_INT(i, INT64_MIN);
    ASSERT(!value_parse_i64("9223372036854775808", 19, &i));
    ASSERT(!value_parse_i64("-9223372036854775809", 20, &i));
    ASSERT(value_parse_i64(" +42 ", 5, &i));
    ASSERT_EQ_INT(i, 42);
    ASSERT(value_parse_i64("007", 3, &i));
    ASSERT_EQ_INT(i, 7);
    ASSERT(!value_parse_i64("", 0, &i));
    ASSERT(!value_parse_i64("-", 1, &i));
    ASSERT(!value_parse_i64("1.0", 3, &i));
    ASSERT(!value_parse_i64("12a", 3, &i));
    ASSERT(!value_parse_i64("1 2", 3, &i));
    uint64_t u;
    ASSERT(value_parse_u64("18446744073709551615", 20, &u));
    ASSERT_EQ_U64(u, UINT64_MAX);
    ASSERT(!value_parse_u64("18446744073709551616", 20, &u));
    ASSERT(!value_parse_u64("-1", 2, &u));

    double d;
    ASSERT(value_parse_double("0.1", 3, &d));
    ASSERT_EQ_DBL(d, 0.1);
    ASSERT(value_parse_double("-1.5e3", 6, &d));
    ASSERT_EQ_DBL(d, -1500);
    ASSERT(value_parse_double(".5", 2, &d));
    ASSERT_EQ_DBL(d, 0.5);
    ASSERT(value_parse_double("5.", 2, &d));
    ASSERT_EQ_DBL(d, 5);
    ASSERT(value_parse_double("12345678901234567890123", 23, &d));
    ASSERT_EQ_DBL(d, 12345678901234567890123.0);
    ASSERT(value_parse_double("2.2250738585072014e-308", 23, &d));
    ASSERT_EQ_DBL(d, 2.2250738585072014e-308);
    ASSERT(value_parse_double("0.000000000000000000000000000001", 32, &d));
    ASSERT_EQ_DBL(d, 1e-30);
    ASSERT(value_parse_double("-0", 2, &d));
    ASSERT(d == 0 && signbit(d));
    ASSERT(value_parse_double("Infinity", 8, &d));
    ASSERT(isinf(d) && d > 0);
    ASSERT(value_parse_double("-inf", 4, &d));
    ASSERT(isinf(d) && d < 0);
    ASSERT(value_parse_double("NaN", 3, &d));
    ASSERT(isnan(d));
    ASSERT(!value_parse_double("1e400", 5, &d));
    ASSERT(!value_parse_double("1e-400", 6, &d));
    ASSERT(!value_parse_double("0x10", 4, &d));
    ASSERT(!value_parse_double("1e", 2, &d));
    ASSERT(!value_parse_double(".", 1, &d));
    ASSERT(!value_parse_double("1.2.3", 5, &d));
    ASSERT(!value_parse_double("", 0, &d));
    ASSERT(!value_parse_double("--1", 3, &d));

    bool b;
    ASSERT(value_parse_bool("TRUE", 4, &b) && b);
    ASSERT(value_parse_bool("f", 1, &b) && !b);
    ASSERT(value_parse_bool("off", 3, &b) && !b);
    ASSERT(!value_parse_bool("tru", 3, &b));
    ASSERT(!value_parse_bool("2", 1, &b));
}

static const char *dec_parse(const char *s, int p, int sc)
{
    int128_t v;
    if (!value_parse_decimal(s, strlen(s), p, sc, &v))
        return "ERR";
    return dec(v, sc);
}

TEST(format_parse_decimal)
{
    ASSERT_EQ_STR(dec_parse("123.4", 10, 2), "123.40");
    ASSERT_EQ_STR(dec_parse("-0.05", 10, 2), "-0.05");
    ASSERT_EQ_STR(dec_parse("0.005", 10, 2), "0.01");   /* half away from zero */
    ASSERT_EQ_STR(dec_parse("-0.005", 10, 2), "-0.01");
    ASSERT_EQ_STR(dec_parse("0.0049", 10, 2), "0.00");
    ASSERT_EQ_STR(dec_parse("1.5e2", 10, 2), "150.00");
    ASSERT_EQ_STR(dec_parse("15e-3", 10, 2), "0.02");
    ASSERT_EQ_STR(dec_parse("00012.5", 4, 1), "12.5");
    ASSERT_EQ_STR(dec_parse("999.99", 5, 2), "999.99");
    ASSERT_EQ_STR(dec_parse("999.995", 5, 2), "ERR"); /* rounds to 1000.00 */
    ASSERT_EQ_STR(dec_parse("1000", 5, 2), "ERR");
    ASSERT_EQ_STR(dec_parse("0", 1, 0), "0");
    ASSERT_EQ_STR(dec_parse("0.000", 5, 2), "0.00");
    ASSERT_EQ_STR(dec_parse("99999999999999999999999999999999999999", 38, 0),
                  "99999999999999999999999999999999999999");
    ASSERT_EQ_STR(dec_parse("999999999999999999999999999999999999999", 38, 0), "ERR");
    ASSERT_EQ_STR(dec_parse("-1234567890123456789012345678.9012345678", 38, 10),
                  "-1234567890123456789012345678.9012345678");
    ASSERT_EQ_STR(dec_parse("1e100", 38, 0), "ERR");
    ASSERT_EQ_STR(dec_parse("1e-100", 38, 2), "0.00");
    ASSERT_EQ_STR(dec_parse("", 10, 2), "ERR");
    ASSERT_EQ_STR(dec_parse(".", 10, 2), "ERR");
    ASSERT_EQ_STR(dec_parse("1.2.3", 10, 2), "ERR");
    ASSERT_EQ_STR(dec_parse("abc", 10, 2), "ERR");
    ASSERT_EQ_STR(dec_parse("1e", 10, 2), "ERR");
}

TEST(format_parse_append_types)
{
    Col c;
    col_init(&c, type_simple(TYPE_INT16));
    ASSERT_EQ_INT(value_parse_append(&c.v, "32767", 5), 0);
    ASSERT_EQ_INT(value_parse_append(&c.v, "32768", 5), TARN_ERR_TYPE);
    ASSERT_EQ_INT(value_parse_append(&c.v, "-32768", 6), 0);
    ASSERT_EQ_INT(c.v.len, 2);
    col_free(&c);

    col_init(&c, type_simple(TYPE_UUID));
    ASSERT_EQ_INT(value_parse_append(&c.v, "{A0EEBC99-9C0B4EF8-BB6D-6BB9BD380A11}", 37), 0);
    ASSERT_EQ_STR(text_of(&c.v, 0), "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    ASSERT_EQ_INT(value_parse_append(&c.v, "a0eebc999c0b4ef8bb6d6bb9bd380a1", 31), TARN_ERR_TYPE);
    ASSERT_EQ_INT(value_parse_append(&c.v, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11-", 37),
                  TARN_ERR_TYPE);
    ASSERT_EQ_INT(value_parse_append(&c.v, "a0eeb-c999c0b4ef8bb6d6bb9bd380a11", 33), TARN_ERR_TYPE);
    col_free(&c);

    col_init(&c, type_simple(TYPE_BLOB));
    ASSERT_EQ_INT(value_parse_append(&c.v, "\\x00ff10", 8), 0);
    ASSERT_EQ_STR(text_of(&c.v, 0), "\\x00ff10");
    ASSERT_EQ_INT(value_parse_append(&c.v, "a\\\\b\\001", 8), 0);
    ASSERT_EQ_STR(text_of(&c.v, 1), "\\x615c6201");
    ASSERT_EQ_INT(value_parse_append(&c.v, "\\x0", 3), TARN_ERR_TYPE);
    ASSERT_EQ_INT(value_parse_append(&c.v, "\\xzz", 4), TARN_ERR_TYPE);
    ASSERT_EQ_INT(value_parse_append(&c.v, "a\\", 2), TARN_ERR_TYPE);
    col_free(&c);

    col_init(&c, type_simple(TYPE_TIMESTAMPTZ));
    ASSERT_EQ_INT(value_parse_append(&c.v, "2023-11-14T23:13:20+01:00", 25), 0);
    ASSERT_EQ_STR(text_of(&c.v, 0), "2023-11-14 22:13:20+00");
    col_free(&c);

    col_init(&c, type_decimal(5, 2));
    ASSERT_EQ_INT(value_parse_append(&c.v, "-1.005", 6), 0);
    ASSERT_EQ_STR(text_of(&c.v, 0), "-1.01");
    col_free(&c);

    LogicalType lt;
    ASSERT_EQ_INT(type_list(&lt, type_simple(TYPE_INT32), true), 0);
    Vector lv;
    ASSERT_EQ_INT(vec_init(&lv, &lt), 0);
    ASSERT_EQ_INT(value_parse_append(&lv, "{1}", 3), TARN_ERR_UNSUPPORTED);
    vec_destroy(&lv);
    type_destroy(&lt);
}

TEST(format_text_round_trips_through_parse)
{
    /* text output of each scalar type parses back to the same value */
    TypeId ids[] = {TYPE_BOOL, TYPE_INT32, TYPE_INT64, TYPE_DOUBLE, TYPE_DATE, TYPE_TIME,
                    TYPE_TIMESTAMP, TYPE_TIMESTAMPTZ, TYPE_INTERVAL, TYPE_UUID};
    uint64_t x = 88172645463325252u;
    for (size_t k = 0; k < sizeof ids / sizeof *ids; k++) {
        Col a, b;
        col_init(&a, type_simple(ids[k]));
        col_init(&b, type_simple(ids[k]));
        for (int i = 0; i < 2000; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            switch (ids[k]) {
            case TYPE_BOOL: vec_append_bool(&a.v, x & 1); break;
            case TYPE_DOUBLE: vec_append_double(&a.v, (double)(int64_t)x / 1e7); break;
            case TYPE_DATE: vec_append_i64(&a.v, (int32_t)(x % 4000000) - 2000000); break;
            case TYPE_TIME: vec_append_i64(&a.v, (int64_t)(x % (uint64_t)DT_USECS_PER_DAY)); break;
            case TYPE_TIMESTAMP:
            case TYPE_TIMESTAMPTZ:
                vec_append_i64(&a.v, (int64_t)(x % (UINT64_C(1) << 62)) - (INT64_C(1) << 61));
                break;
            case TYPE_INTERVAL: {
                Interval iv = {(int32_t)(x % 2000) - 1000, (int32_t)((x >> 11) % 100) - 50,
                               (int64_t)((x >> 20) % (uint64_t)1e12) - (int64_t)5e11};
                vec_append_interval(&a.v, iv);
                break;
            }
            case TYPE_UUID: vec_append_str(&a.v, (const char *)&x, 8); break;
            default: vec_append_i64(&a.v, (int64_t)x); break;
            }
            const char *s = text_of(&a.v, (uint32_t)i);
            if (value_parse_append(&b.v, s, strlen(s)) != 0)
                TFAIL("type %d: \"%s\" does not parse", (int)ids[k], s);
            if (memcmp(a.v.data + (size_t)i * type_width(&a.t),
                       b.v.data + (size_t)i * type_width(&b.t), type_width(&a.t)) != 0)
                TFAIL("type %d: \"%s\" parses to a different value", (int)ids[k], s);
        }
        col_free(&a);
        col_free(&b);
    }
}

/* Doubles with few decimals take a fast path; it must agree with the
 * general rule: reads back exactly, and no shorter digit string does. */
TEST(format_double_fast_path_is_shortest)
{
    uint64_t x = 99991;
    for (int i = 0; i < 300000; i++) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        int k = (int)((x >> 60) % 10);
        int64_t m = (int64_t)((x >> 10) % 1000000000000000u);
        if (x & 1)
            m = -m;
        double d = (double)m;
        for (int j = 0; j < k; j++)
            d /= 10;
        const char *s = dbl(d);
        double back;
        ASSERT(value_parse_double(s, strlen(s), &back));
        if (back != d)
            TFAIL("%s does not round-trip %.17g", s, d);
        /* count significant digits of s */
        int sig = 0;
        bool started = false;
        for (const char *p = s; *p && *p != 'e'; p++) {
            if (*p >= '1' && *p <= '9')
                started = true;
            if (started && *p >= '0' && *p <= '9')
                sig++;
        }
        /* trailing zeros of an integer are not significant */
        if (!strchr(s, '.') && !strchr(s, 'e'))
            for (const char *p = s + strlen(s) - 1; p > s && *p == '0'; p--)
                sig--;
        if (sig > 1) {
            char shorter[64];
            snprintf(shorter, sizeof shorter, "%.*e", sig - 2, d);
            if (strtod(shorter, NULL) == d)
                TFAIL("%s is not shortest: %s also reads back", s, shorter);
        }
    }
    ASSERT_EQ_STR(dbl(0.0001), "0.0001");
    ASSERT_EQ_STR(dbl(123.25), "123.25");
    ASSERT_EQ_STR(dbl(-5e-5), "-5e-05");
    ASSERT_EQ_STR(dbl(999999999999999.0), "999999999999999");
    ASSERT_EQ_STR(dbl(0.1 * 3), "0.30000000000000004");
}
