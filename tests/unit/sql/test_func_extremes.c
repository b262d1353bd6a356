/*
 * test_func_extremes.c - every function of the library on extreme and odd
 * inputs (largest and smallest timestamps and dates tarn parses, 38-digit
 * numerics, infinities, empty and invalid-UTF-8 strings), every
 * combination of the listed values (tf_cross).  Results are not
 * checked against PostgreSQL here: the point is a value or a clean error,
 * never a crash or undefined behaviour (run under ASan/UBSan with
 * `make SAN=1 unit`).
 */
#include "../test.h"
#include "func_testutil.h"

static const char *const ts_vals = "timestamp:294247-01-09 23:59:59.999999|4713-11-24 00:00 BC|1970-01-01|2000-02-29 23:59:59.999999";
static const char *const tsz_vals = "timestamptz:294247-01-09 23:59:59.999999+00|4713-11-24 00:00+00 BC|1970-01-01 00:00+00";
static const char *const date_vals = "date:5874897-12-31|4713-11-24 BC|2024-02-29";
static const char *const iv_vals = "interval:178000000 years|-178000000 years|2147483647 days|-2147483647 days|9223372036 seconds|00:00:00";

TEST(func_extremes_datetime)
{
    static const char *const units[] = {"microseconds", "milliseconds", "second", "minute", "hour", "day",
                                        "week", "month", "quarter", "year", "decade", "century",
                                        "millennium", "epoch", "julian", "dow", "doy", "isodow", "isoyear",
                                        "timezone", "timezone_hour", "bogus"};
    char u[64];
    for (size_t k = 0; k < sizeof units / sizeof units[0]; k++) {
        snprintf(u, sizeof u, "text!:%s", units[k]);
        tf_cross("date_trunc", u, ts_vals, NULL);
        tf_cross("date_trunc", u, tsz_vals, NULL);
        tf_cross("date_trunc", u, iv_vals, NULL);
        tf_cross("extract", u, ts_vals, NULL);
        tf_cross("extract", u, tsz_vals, NULL);
        tf_cross("extract", u, date_vals, NULL);
        tf_cross("extract", u, iv_vals, NULL);
        tf_cross("date_part", u, ts_vals, NULL);
        tf_cross("date_part", u, date_vals, NULL);
        tf_cross("date_part", u, iv_vals, NULL);
    }
    snprintf(tf_settings.timezone, sizeof tf_settings.timezone, "America/New_York");
    tf_cross("date_trunc", "text!:day", tsz_vals, NULL);
    tf_cross("extract", "text!:hour", tsz_vals, NULL);
    tf_cross("to_char", tsz_vals, "text!:YYYY-MM-DD HH24:MI:SS TZ OF", NULL);
    tf_cross("age", tsz_vals, "timestamptz:1970-01-01 00:00+00", NULL);
    snprintf(tf_settings.timezone, sizeof tf_settings.timezone, "UTC");
    tf_cross("age", ts_vals, "timestamp:1970-01-01", NULL);
    tf_cross("age", "timestamp:294247-01-09 23:59:59.999999", "timestamp:4713-11-24 00:00 BC", NULL);
    tf_cross("date_bin", "interval:1 microsecond|15 minutes|100000000 days", ts_vals, "timestamp:4713-11-24 00:00 BC", NULL);
    tf_cross("to_char", ts_vals, "text!:YYYY Y,YYY IYYY CC J Q WW IW DDD IDDD Day Mon RM AM SSSSS FF6 TZ", NULL);
    tf_cross("to_char", date_vals, "text!:YYYY-MM-DD J CC IW", NULL);
    tf_cross("to_char", iv_vals, "text!:YYYY MM DD HH24 HH12 MI SS US CC", NULL);
    tf_cross("justify_interval", iv_vals, NULL);
    tf_cross("justify_days", iv_vals, NULL);
    tf_cross("justify_hours", iv_vals, NULL);
    tf_cross("timezone", "text:Europe/Berlin|+15|-15:59|Pacific/Kiritimati", ts_vals, NULL);
    tf_cross("timezone", "text:Europe/Berlin|+15|America/Adak", tsz_vals, NULL);
    tf_cross("make_timestamp", "int4:2147483647|-2147483648|294247", "int4:1", "int4:1", "int4:0", "int4:0",
       "float8:0|Infinity|NaN", NULL);
    tf_cross("make_interval", "int4:2147483647", "int4:2147483647", "int4:2147483647", "int4:2147483647",
       "int4:2147483647", "int4:2147483647", "float8:1e300|-Infinity|NaN", NULL);
    tf_cross("to_timestamp", "float8:-1e300|1e300|-Infinity|9223372036854.775", NULL);
    tf_cross("to_timestamp", "text:99999999-99-99|294248-01-01|", "text!:YYYY-MM-DD", NULL);
    tf_cross("to_date", "text:5874898-01-01|0000-01-01|99999999999999999999", "text!:YYYY-MM-DD", NULL);
    tf_cross("op:+", "time:24:00:00", iv_vals, NULL);
}

TEST(func_extremes_numeric)
{
    const char *big = "numeric(38,0):99999999999999999999999999999999999999|-99999999999999999999999999999999999999|0";
    const char *tiny = "numeric(38,38):0.99999999999999999999999999999999999999|-0.00000000000000000000000000000000000001";
    const char *funcs1[] = {"abs", "ceil", "floor", "round", "trunc", "sign", "sqrt", "exp", "ln", "log", "log10"};
    for (size_t k = 0; k < sizeof funcs1 / sizeof funcs1[0]; k++) {
        tf_cross(funcs1[k], big, NULL);
        tf_cross(funcs1[k], tiny, NULL);
    }
    const char *funcs2[] = {"mod", "div", "gcd", "lcm", "power", "log"};
    for (size_t k = 0; k < sizeof funcs2 / sizeof funcs2[0]; k++) {
        tf_cross(funcs2[k], big, "numeric(38,0):99999999999999999999999999999999999999|-1|0", NULL);
        tf_cross(funcs2[k], tiny, big, NULL);
    }
    tf_cross("round", big, "int4!:-38", NULL);
    tf_cross("round", tiny, "int4!:2147483647", NULL);
    tf_cross("round", big, "int4:-2147483648|2147483647|-40|40", NULL);
    tf_cross("width_bucket", big, "numeric(38,0):-99999999999999999999999999999999999999", big, "int4:2147483647", NULL);
    tf_cross("to_char", big, "text!:9999999999999999999999999999999999999999.99EEEE", NULL);
    tf_cross("to_char", big, "text!:FM9,999,999,999,999,999,999,999,999,999,999,999,999.99PR", NULL);
    tf_cross("to_char", tiny, "text!:0.99999999999999999999999999999999999999999999999999", NULL);
    tf_cross("to_char", "float8:1e308|-1e-308|NaN|Infinity|-Infinity", "text!:999.99|9.9EEEE|FM0.00", NULL);
    tf_cross("factorial", "int8:9223372036854775807|-9223372036854775808", NULL);
    tf_cross("abs", "int8:-9223372036854775808", NULL);
    tf_cross("mod", "int8:-9223372036854775808", "int8:-1", NULL);
    tf_cross("gcd", "int8:-9223372036854775808", "int8:-9223372036854775808", NULL);
    tf_cross("lcm", "int8:-9223372036854775808", "int8:3", NULL);
    tf_cross("power", "float8:-1e308|0|NaN", "float8:1e308|-1e308|0.5", NULL);
    tf_cross("width_bucket", "float8:1e308", "float8:-1e308", "float8:1e308", "int4:2147483647", NULL);
    tfa("variance", big, NULL);
    tfa("stddev", "numeric(38,0):99999999999999999999999999999999999999|-99999999999999999999999999999999999999|1", NULL);
    tfa("var_pop", "int8:9223372036854775807|-9223372036854775808|9223372036854775807", NULL);
    tfa("variance", "float8:1e308|-1e308|NaN|Infinity", NULL);
}

TEST(func_extremes_strings)
{
    /* invalid UTF-8 bytes go through as single characters */
    const char *bad = "text:\xff\xfe|\xc3|a\xe2\x82|\xf0\x9f\x98";
    const char *funcs1[] = {"length", "lower", "upper", "initcap", "reverse", "ascii", "md5", "quote_ident",
                            "quote_literal", "btrim"};
    for (size_t k = 0; k < sizeof funcs1 / sizeof funcs1[0]; k++)
        tf_cross(funcs1[k], bad, NULL);
    tf_cross("substr", bad, "int4:-2147483648|2147483647|1", "int4:2147483647", NULL);
    tf_cross("lpad", bad, "int4:5", "text:\xe2\x82", NULL);
    tf_cross("rpad", bad, "int4:268435455|-1", "text:", NULL);
    tf_cross("left", bad, "int4:-2147483648|2147483647", NULL);
    tf_cross("right", bad, "int4:-2147483648|2147483647", NULL);
    tf_cross("split_part", bad, "text:\x82", "int4:-2147483648|2147483647", NULL);
    tf_cross("translate", bad, "text:\xc3\xff", "text:\xe2", NULL);
    tf_cross("btrim", bad, "text:\xff\xe2\x82", NULL);
    tf_cross("strpos", bad, "text:\x82", NULL);
    tf_cross("overlay", bad, "text:x", "int4:2147483647", "int4:2147483647", NULL);
    tf_cross("repeat", "text:ab", "int4:2147483647", NULL);
    tf_cross("format", "text:%2147483647s|%*s|%3$*2$s|%-2147483648s", "int4:1", "int4:-2147483648", NULL);
    tf_cross("chr", "int4:2147483647|-2147483648|1114111|55295", NULL);
    tf_cross("op:~", bad, "text:^.$|[[:alpha:]]|\\w", NULL);
    tf_cross("regexp_replace", bad, "text:.", "text:\\9\\&\\", "text:g", NULL);
    tf_cross("regexp_split_to_array", bad, "text:", NULL);
    tf_cross("regexp_count", bad, "text:", "int4:2147483647", NULL);
    tf_cross("regexp_instr", bad, "text:", "int4:1", "int4:2147483647", NULL);
    tf_cross("regexp_substr", bad, "text:(", NULL);
    tf_cross("regexp_match", "text:abc", "text:@@((((((((((((((((((((((((((((((((((a))))))))))))))))))))))))))))))))))", NULL);
    tf_cross("similar_to_escape", bad, "text:\xc3", NULL);
    tf_cross("like_escape", bad, "text:\xff", NULL);
    tf_cross("op:->", "json:@@[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
       "int4:-2147483648|0", NULL);
    tf_cross("op:->>", "json:@@\"\\ud800\"", "int4:0", NULL);
    tf_cross("json_extract_path_text", "json:@@{\"a\":1}", "text:99999999999999999999", NULL);
    tf_cross("decode", "text:====|AB=C|\\\\777|\\\\", "text:base64|escape", NULL);
    tf_cross("encode", "bytea:\\xff00", "text:escape|base64|hex|HEX", NULL);
    tfa("string_agg", bad, "text:\xff", NULL);
    tfa("array_agg", bad, NULL);
    tfa("mode", bad, NULL);
}
