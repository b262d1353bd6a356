/*
 * test_func_datetime.c - date/time functions (func_datetime.c) against
 * PostgreSQL 15 (TimeZone UTC unless a test says otherwise): every expected
 * value was produced by a real PostgreSQL server for the same arguments.
 */
#include "../test.h"
#include "func_testutil.h"

TEST(func_datetime_extract_ts)
{
    ASSERT_EQ_STR(tf("extract", "text!:microseconds", "timestamp:2024-02-29 13:45:06.789012", NULL), "6789012");
    ASSERT_EQ_STR(tf("extract", "text!:milliseconds", "timestamp:2024-02-29 13:45:06.789012", NULL), "6789.012");
    ASSERT_EQ_STR(tf("extract", "text!:second", "timestamp:2024-02-29 13:45:06.789012", NULL), "6.789012");
    ASSERT_EQ_STR(tf("extract", "text!:minute", "timestamp:2024-02-29 13:45:06.789012", NULL), "45");
    ASSERT_EQ_STR(tf("extract", "text!:hour", "timestamp:2024-02-29 13:45:06.789012", NULL), "13");
    ASSERT_EQ_STR(tf("extract", "text!:day", "timestamp:2024-02-29 13:45:06.789012", NULL), "29");
    ASSERT_EQ_STR(tf("extract", "text!:month", "timestamp:2024-02-29 13:45:06.789012", NULL), "2");
    ASSERT_EQ_STR(tf("extract", "text!:year", "timestamp:2024-02-29 13:45:06.789012", NULL), "2024");
    ASSERT_EQ_STR(tf("extract", "text!:dow", "timestamp:2024-02-29 13:45:06.789012", NULL), "4");
    ASSERT_EQ_STR(tf("extract", "text!:doy", "timestamp:2024-02-29 13:45:06.789012", NULL), "60");
    ASSERT_EQ_STR(tf("extract", "text!:isodow", "timestamp:2024-02-29 13:45:06.789012", NULL), "4");
    ASSERT_EQ_STR(tf("extract", "text!:isoyear", "timestamp:2024-02-29 13:45:06.789012", NULL), "2024");
    ASSERT_EQ_STR(tf("extract", "text!:week", "timestamp:2024-02-29 13:45:06.789012", NULL), "9");
    ASSERT_EQ_STR(tf("extract", "text!:quarter", "timestamp:2024-02-29 13:45:06.789012", NULL), "1");
    ASSERT_EQ_STR(tf("extract", "text!:decade", "timestamp:2024-02-29 13:45:06.789012", NULL), "202");
    ASSERT_EQ_STR(tf("extract", "text!:century", "timestamp:2024-02-29 13:45:06.789012", NULL), "21");
    ASSERT_EQ_STR(tf("extract", "text!:millennium", "timestamp:2024-02-29 13:45:06.789012", NULL), "3");
    ASSERT_EQ_STR(tf("extract", "text!:epoch", "timestamp:2024-02-29 13:45:06.789012", NULL), "1709214306.789012");
    ASSERT_EQ_STR(tf("extract", "text!:julian", "timestamp:2024-02-29 13:45:06.789012", NULL), "2460370.57299524319444444444");
    ASSERT_EQ_STR(tf("date_part", "text!:microseconds", "timestamp:2024-02-29 13:45:06.789012", NULL), "6789012");
    ASSERT_EQ_STR(tf("date_part", "text!:milliseconds", "timestamp:2024-02-29 13:45:06.789012", NULL), "6789.012");
    ASSERT_EQ_STR(tf("date_part", "text!:second", "timestamp:2024-02-29 13:45:06.789012", NULL), "6.789012");
    ASSERT_EQ_STR(tf("date_part", "text!:minute", "timestamp:2024-02-29 13:45:06.789012", NULL), "45");
    ASSERT_EQ_STR(tf("date_part", "text!:hour", "timestamp:2024-02-29 13:45:06.789012", NULL), "13");
    ASSERT_EQ_STR(tf("date_part", "text!:day", "timestamp:2024-02-29 13:45:06.789012", NULL), "29");
    ASSERT_EQ_STR(tf("date_part", "text!:month", "timestamp:2024-02-29 13:45:06.789012", NULL), "2");
    ASSERT_EQ_STR(tf("date_part", "text!:year", "timestamp:2024-02-29 13:45:06.789012", NULL), "2024");
    ASSERT_EQ_STR(tf("date_part", "text!:dow", "timestamp:2024-02-29 13:45:06.789012", NULL), "4");
    ASSERT_EQ_STR(tf("date_part", "text!:doy", "timestamp:2024-02-29 13:45:06.789012", NULL), "60");
    ASSERT_EQ_STR(tf("date_part", "text!:isodow", "timestamp:2024-02-29 13:45:06.789012", NULL), "4");
    ASSERT_EQ_STR(tf("date_part", "text!:isoyear", "timestamp:2024-02-29 13:45:06.789012", NULL), "2024");
    ASSERT_EQ_STR(tf("date_part", "text!:week", "timestamp:2024-02-29 13:45:06.789012", NULL), "9");
    ASSERT_EQ_STR(tf("date_part", "text!:quarter", "timestamp:2024-02-29 13:45:06.789012", NULL), "1");
    ASSERT_EQ_STR(tf("date_part", "text!:decade", "timestamp:2024-02-29 13:45:06.789012", NULL), "202");
    ASSERT_EQ_STR(tf("date_part", "text!:century", "timestamp:2024-02-29 13:45:06.789012", NULL), "21");
    ASSERT_EQ_STR(tf("date_part", "text!:millennium", "timestamp:2024-02-29 13:45:06.789012", NULL), "3");
    ASSERT_EQ_STR(tf("date_part", "text!:epoch", "timestamp:2024-02-29 13:45:06.789012", NULL), "1709214306.789012");
    ASSERT_EQ_STR(tf("date_part", "text!:julian", "timestamp:2024-02-29 13:45:06.789012", NULL), "2460370.572995243");
    ASSERT_EQ_STR(tf("extract", "text!:foo", "timestamp:2024-02-29 13:45:06.789012", NULL), "ERROR 22023: unit \"foo\" not recognized for type timestamp without time zone");
    ASSERT_EQ_STR(tf("extract", "text!:timezone", "timestamp:2024-02-29 13:45:06.789012", NULL), "ERROR 0A000: unit \"timezone\" not supported for type timestamp without time zone");
    ASSERT_EQ_STR(tf("extract", "text!:YEAR", "timestamp:0005-01-01 BC|0001-01-01|2000-12-31|2001-01-01|1999-12-31 23:59:59", NULL), "-5|1|2000|2001|1999");
    ASSERT_EQ_STR(tf("extract", "text!:century", "timestamp:0100-01-01 BC|0101-12-31 BC|0001-01-01 BC", NULL), "-1|-2|-1");
    ASSERT_EQ_STR(tf("extract", "text!:decade", "timestamp:0001-01-01 BC|0010-01-01 BC|0011-01-01 BC", NULL), "0|-1|-1");
    ASSERT_EQ_STR(tf("extract", "text!:millennium", "timestamp:1000-12-31|1001-01-01|0001-01-01 BC", NULL), "1|2|-1");
    ASSERT_EQ_STR(tf("extract", "text!:week", "timestamp:2024-12-30|2021-01-03|2020-12-31|2027-01-01|2026-12-31", NULL), "1|53|53|53|53");
    ASSERT_EQ_STR(tf("extract", "text!:isoyear", "timestamp:2024-12-30|2021-01-03|2005-01-01", NULL), "2025|2020|2004");
    ASSERT_EQ_STR(tf("extract", "text!:dow", "timestamp:2024-03-03|2024-03-04", NULL), "0|1");
    ASSERT_EQ_STR(tf("extract", "text!:isodow", "timestamp:2024-03-03", NULL), "7");
    ASSERT_EQ_STR(tf("date_part", "text:year|month|day", "timestamp:2024-02-29", NULL), "2024|2|29");
    ASSERT_EQ_STR(tf("extract", "text!:mons", "timestamp:2024-02-29", NULL), "2");
    ASSERT_EQ_STR(tf("extract", "text!:hrs", "timestamp:2024-02-29 07:00", NULL), "7");
    ASSERT_EQ_STR(tf("extract", "text!:epoch", "timestamp:1969-12-31 23:59:59.5|1970-01-01", NULL), "-0.500000|0.000000");
}

TEST(func_datetime_extract_other)
{
    ASSERT_EQ_STR(tf("extract", "text!:microseconds", "date:2024-02-29", NULL), "ERROR 0A000: unit \"microseconds\" not supported for type date");
    ASSERT_EQ_STR(tf("extract", "text!:milliseconds", "date:2024-02-29", NULL), "ERROR 0A000: unit \"milliseconds\" not supported for type date");
    ASSERT_EQ_STR(tf("extract", "text!:second", "date:2024-02-29", NULL), "ERROR 0A000: unit \"second\" not supported for type date");
    ASSERT_EQ_STR(tf("extract", "text!:minute", "date:2024-02-29", NULL), "ERROR 0A000: unit \"minute\" not supported for type date");
    ASSERT_EQ_STR(tf("extract", "text!:hour", "date:2024-02-29", NULL), "ERROR 0A000: unit \"hour\" not supported for type date");
    ASSERT_EQ_STR(tf("extract", "text!:day", "date:2024-02-29", NULL), "29");
    ASSERT_EQ_STR(tf("extract", "text!:month", "date:2024-02-29", NULL), "2");
    ASSERT_EQ_STR(tf("extract", "text!:year", "date:2024-02-29", NULL), "2024");
    ASSERT_EQ_STR(tf("extract", "text!:dow", "date:2024-02-29", NULL), "4");
    ASSERT_EQ_STR(tf("extract", "text!:doy", "date:2024-02-29", NULL), "60");
    ASSERT_EQ_STR(tf("extract", "text!:isodow", "date:2024-02-29", NULL), "4");
    ASSERT_EQ_STR(tf("extract", "text!:isoyear", "date:2024-02-29", NULL), "2024");
    ASSERT_EQ_STR(tf("extract", "text!:week", "date:2024-02-29", NULL), "9");
    ASSERT_EQ_STR(tf("extract", "text!:quarter", "date:2024-02-29", NULL), "1");
    ASSERT_EQ_STR(tf("extract", "text!:decade", "date:2024-02-29", NULL), "202");
    ASSERT_EQ_STR(tf("extract", "text!:century", "date:2024-02-29", NULL), "21");
    ASSERT_EQ_STR(tf("extract", "text!:millennium", "date:2024-02-29", NULL), "3");
    ASSERT_EQ_STR(tf("extract", "text!:epoch", "date:2024-02-29", NULL), "1709164800");
    ASSERT_EQ_STR(tf("extract", "text!:julian", "date:2024-02-29", NULL), "2460370");
    ASSERT_EQ_STR(tf("date_part", "text!:hour", "date:2024-02-29", NULL), "0");
    ASSERT_EQ_STR(tf("date_part", "text!:year", "date:2024-02-29", NULL), "2024");
    ASSERT_EQ_STR(tf("date_part", "text!:epoch", "date:2024-02-29", NULL), "1709164800");
    ASSERT_EQ_STR(tf("date_part", "text!:julian", "date:2024-02-29", NULL), "2460370");
    ASSERT_EQ_STR(tf("extract", "text!:microseconds", "interval:1 year 2 months 3 days 04:05:06.789", NULL), "6789000");
    ASSERT_EQ_STR(tf("extract", "text!:milliseconds", "interval:1 year 2 months 3 days 04:05:06.789", NULL), "6789.000");
    ASSERT_EQ_STR(tf("extract", "text!:second", "interval:1 year 2 months 3 days 04:05:06.789", NULL), "6.789000");
    ASSERT_EQ_STR(tf("extract", "text!:minute", "interval:1 year 2 months 3 days 04:05:06.789", NULL), "5");
    ASSERT_EQ_STR(tf("extract", "text!:hour", "interval:1 year 2 months 3 days 04:05:06.789", NULL), "4");
    ASSERT_EQ_STR(tf("extract", "text!:day", "interval:1 year 2 months 3 days 04:05:06.789", NULL), "3");
    ASSERT_EQ_STR(tf("extract", "text!:month", "interval:1 year 2 months 3 days 04:05:06.789", NULL), "2");
    ASSERT_EQ_STR(tf("extract", "text!:year", "interval:1 year 2 months 3 days 04:05:06.789", NULL), "1");
    ASSERT_EQ_STR(tf("extract", "text!:quarter", "interval:1 year 2 months 3 days 04:05:06.789", NULL), "1");
    ASSERT_EQ_STR(tf("extract", "text!:decade", "interval:1 year 2 months 3 days 04:05:06.789", NULL), "0");
    ASSERT_EQ_STR(tf("extract", "text!:century", "interval:1 year 2 months 3 days 04:05:06.789", NULL), "0");
    ASSERT_EQ_STR(tf("extract", "text!:millennium", "interval:1 year 2 months 3 days 04:05:06.789", NULL), "0");
    ASSERT_EQ_STR(tf("extract", "text!:epoch", "interval:1 year 2 months 3 days 04:05:06.789", NULL), "37015506.789000");
    ASSERT_EQ_STR(tf("extract", "text!:dow", "interval:1 year 2 months 3 days 04:05:06.789", NULL), "ERROR 0A000: unit \"dow\" not supported for type interval");
    ASSERT_EQ_STR(tf("extract", "text!:week", "interval:1 year 2 months 3 days 04:05:06.789", NULL), "ERROR 0A000: unit \"week\" not supported for type interval");
    ASSERT_EQ_STR(tf("date_part", "text!:microseconds", "interval:-1 year -2 months -3 days -04:05:06.789", NULL), "-6789000");
    ASSERT_EQ_STR(tf("date_part", "text!:milliseconds", "interval:-1 year -2 months -3 days -04:05:06.789", NULL), "-6789");
    ASSERT_EQ_STR(tf("date_part", "text!:second", "interval:-1 year -2 months -3 days -04:05:06.789", NULL), "-6.789");
    ASSERT_EQ_STR(tf("date_part", "text!:minute", "interval:-1 year -2 months -3 days -04:05:06.789", NULL), "-5");
    ASSERT_EQ_STR(tf("date_part", "text!:hour", "interval:-1 year -2 months -3 days -04:05:06.789", NULL), "-4");
    ASSERT_EQ_STR(tf("date_part", "text!:day", "interval:-1 year -2 months -3 days -04:05:06.789", NULL), "-3");
    ASSERT_EQ_STR(tf("date_part", "text!:month", "interval:-1 year -2 months -3 days -04:05:06.789", NULL), "-2");
    ASSERT_EQ_STR(tf("date_part", "text!:year", "interval:-1 year -2 months -3 days -04:05:06.789", NULL), "-1");
    ASSERT_EQ_STR(tf("date_part", "text!:quarter", "interval:-1 year -2 months -3 days -04:05:06.789", NULL), "1");
    ASSERT_EQ_STR(tf("date_part", "text!:decade", "interval:-1 year -2 months -3 days -04:05:06.789", NULL), "0");
    ASSERT_EQ_STR(tf("date_part", "text!:century", "interval:-1 year -2 months -3 days -04:05:06.789", NULL), "0");
    ASSERT_EQ_STR(tf("date_part", "text!:millennium", "interval:-1 year -2 months -3 days -04:05:06.789", NULL), "0");
    ASSERT_EQ_STR(tf("date_part", "text!:epoch", "interval:-1 year -2 months -3 days -04:05:06.789", NULL), "-37015506.789000005");
    ASSERT_EQ_STR(tf("extract", "text!:microseconds", "time:13:45:06.5", NULL), "6500000");
    ASSERT_EQ_STR(tf("extract", "text!:milliseconds", "time:13:45:06.5", NULL), "6500.000");
    ASSERT_EQ_STR(tf("extract", "text!:second", "time:13:45:06.5", NULL), "6.500000");
    ASSERT_EQ_STR(tf("extract", "text!:minute", "time:13:45:06.5", NULL), "45");
    ASSERT_EQ_STR(tf("extract", "text!:hour", "time:13:45:06.5", NULL), "13");
    ASSERT_EQ_STR(tf("extract", "text!:epoch", "time:13:45:06.5", NULL), "49506.500000");
    ASSERT_EQ_STR(tf("extract", "text!:day", "time:13:45:06.5", NULL), "ERROR 0A000: unit \"day\" not supported for type time without time zone");
    ASSERT_EQ_STR(tf("date_part", "text!:milliseconds", "time:13:45:06.5", NULL), "6500");
    ASSERT_EQ_STR(tf("date_part", "text!:second", "time:13:45:06.5", NULL), "6.5");
    ASSERT_EQ_STR(tf("date_part", "text!:epoch", "time:13:45:06.5", NULL), "49506.5");
    ASSERT_EQ_STR(tf("extract", "text!:hour", "interval:100 hours", NULL), "100");
    ASSERT_EQ_STR(tf("extract", "text!:quarter", "interval:-2 mons|11 mons", NULL), "1|4");
}

TEST(func_datetime_date_trunc)
{
    ASSERT_EQ_STR(tf("date_trunc", "text!:microseconds", "timestamp:2024-08-17 13:45:06.789012|0005-06-15 12:00 BC|2000-01-01", NULL), "2024-08-17 13:45:06.789012|0005-06-15 12:00:00 BC|2000-01-01 00:00:00");
    ASSERT_EQ_STR(tf("date_trunc", "text!:milliseconds", "timestamp:2024-08-17 13:45:06.789012|0005-06-15 12:00 BC|2000-01-01", NULL), "2024-08-17 13:45:06.789|0005-06-15 12:00:00 BC|2000-01-01 00:00:00");
    ASSERT_EQ_STR(tf("date_trunc", "text!:second", "timestamp:2024-08-17 13:45:06.789012|0005-06-15 12:00 BC|2000-01-01", NULL), "2024-08-17 13:45:06|0005-06-15 12:00:00 BC|2000-01-01 00:00:00");
    ASSERT_EQ_STR(tf("date_trunc", "text!:minute", "timestamp:2024-08-17 13:45:06.789012|0005-06-15 12:00 BC|2000-01-01", NULL), "2024-08-17 13:45:00|0005-06-15 12:00:00 BC|2000-01-01 00:00:00");
    ASSERT_EQ_STR(tf("date_trunc", "text!:hour", "timestamp:2024-08-17 13:45:06.789012|0005-06-15 12:00 BC|2000-01-01", NULL), "2024-08-17 13:00:00|0005-06-15 12:00:00 BC|2000-01-01 00:00:00");
    ASSERT_EQ_STR(tf("date_trunc", "text!:day", "timestamp:2024-08-17 13:45:06.789012|0005-06-15 12:00 BC|2000-01-01", NULL), "2024-08-17 00:00:00|0005-06-15 00:00:00 BC|2000-01-01 00:00:00");
    ASSERT_EQ_STR(tf("date_trunc", "text!:week", "timestamp:2024-08-17 13:45:06.789012|0005-06-15 12:00 BC|2000-01-01", NULL), "2024-08-12 00:00:00|0005-06-10 00:00:00 BC|1999-12-27 00:00:00");
    ASSERT_EQ_STR(tf("date_trunc", "text!:month", "timestamp:2024-08-17 13:45:06.789012|0005-06-15 12:00 BC|2000-01-01", NULL), "2024-08-01 00:00:00|0005-06-01 00:00:00 BC|2000-01-01 00:00:00");
    ASSERT_EQ_STR(tf("date_trunc", "text!:quarter", "timestamp:2024-08-17 13:45:06.789012|0005-06-15 12:00 BC|2000-01-01", NULL), "2024-07-01 00:00:00|0005-04-01 00:00:00 BC|2000-01-01 00:00:00");
    ASSERT_EQ_STR(tf("date_trunc", "text!:year", "timestamp:2024-08-17 13:45:06.789012|0005-06-15 12:00 BC|2000-01-01", NULL), "2024-01-01 00:00:00|0005-01-01 00:00:00 BC|2000-01-01 00:00:00");
    ASSERT_EQ_STR(tf("date_trunc", "text!:decade", "timestamp:2024-08-17 13:45:06.789012|0005-06-15 12:00 BC|2000-01-01", NULL), "2020-01-01 00:00:00|0011-01-01 00:00:00 BC|2000-01-01 00:00:00");
    ASSERT_EQ_STR(tf("date_trunc", "text!:century", "timestamp:2024-08-17 13:45:06.789012|0005-06-15 12:00 BC|2000-01-01", NULL), "2001-01-01 00:00:00|0100-01-01 00:00:00 BC|1901-01-01 00:00:00");
    ASSERT_EQ_STR(tf("date_trunc", "text!:millennium", "timestamp:2024-08-17 13:45:06.789012|0005-06-15 12:00 BC|2000-01-01", NULL), "2001-01-01 00:00:00|1000-01-01 00:00:00 BC|1001-01-01 00:00:00");
    ASSERT_EQ_STR(tf("date_trunc", "text!:foo", "timestamp:2024-01-01", NULL), "ERROR 22023: unit \"foo\" not recognized for type timestamp without time zone");
    ASSERT_EQ_STR(tf("date_trunc", "text!:dow", "timestamp:2024-01-01", NULL), "ERROR 22023: unit \"dow\" not recognized for type timestamp without time zone");
    ASSERT_EQ_STR(tf("date_trunc", "text!:timezone", "timestamp:2024-01-01", NULL), "ERROR 0A000: unit \"timezone\" not supported for type timestamp without time zone");
    ASSERT_EQ_STR(tf("date_trunc", "text:day|month|hour", "timestamp:2024-08-17 13:45:06", NULL), "2024-08-17 00:00:00|2024-08-01 00:00:00|2024-08-17 13:00:00");
    ASSERT_EQ_STR(tf("date_trunc", "text!:week", "timestamp:2024-12-31|2021-01-03|2024-03-04", NULL), "2024-12-30 00:00:00|2020-12-28 00:00:00|2024-03-04 00:00:00");
    ASSERT_EQ_STR(tf("date_trunc", "text!:MONTH", "timestamptz:2024-08-17 13:45:06+00", NULL), "2024-08-01 00:00:00+00");
    ASSERT_EQ_STR(tf("date_trunc", "text!:microseconds", "interval:1234 years 11 months 20 days 13:45:06.789012|-1234 years -11 months -20 days -13:45:06.789012", NULL), "1234 years 11 mons 20 days 13:45:06.789012|-1234 years -11 mons -20 days -13:45:06.789012");
    ASSERT_EQ_STR(tf("date_trunc", "text!:milliseconds", "interval:1234 years 11 months 20 days 13:45:06.789012|-1234 years -11 months -20 days -13:45:06.789012", NULL), "1234 years 11 mons 20 days 13:45:06.789|-1234 years -11 mons -20 days -13:45:06.789");
    ASSERT_EQ_STR(tf("date_trunc", "text!:second", "interval:1234 years 11 months 20 days 13:45:06.789012|-1234 years -11 months -20 days -13:45:06.789012", NULL), "1234 years 11 mons 20 days 13:45:06|-1234 years -11 mons -20 days -13:45:06");
    ASSERT_EQ_STR(tf("date_trunc", "text!:minute", "interval:1234 years 11 months 20 days 13:45:06.789012|-1234 years -11 months -20 days -13:45:06.789012", NULL), "1234 years 11 mons 20 days 13:45:00|-1234 years -11 mons -20 days -13:45:00");
    ASSERT_EQ_STR(tf("date_trunc", "text!:hour", "interval:1234 years 11 months 20 days 13:45:06.789012|-1234 years -11 months -20 days -13:45:06.789012", NULL), "1234 years 11 mons 20 days 13:00:00|-1234 years -11 mons -20 days -13:00:00");
    ASSERT_EQ_STR(tf("date_trunc", "text!:day", "interval:1234 years 11 months 20 days 13:45:06.789012|-1234 years -11 months -20 days -13:45:06.789012", NULL), "1234 years 11 mons 20 days|-1234 years -11 mons -20 days");
    ASSERT_EQ_STR(tf("date_trunc", "text!:month", "interval:1234 years 11 months 20 days 13:45:06.789012|-1234 years -11 months -20 days -13:45:06.789012", NULL), "1234 years 11 mons|-1234 years -11 mons");
    ASSERT_EQ_STR(tf("date_trunc", "text!:quarter", "interval:1234 years 11 months 20 days 13:45:06.789012|-1234 years -11 months -20 days -13:45:06.789012", NULL), "1234 years 9 mons|-1234 years -9 mons");
    ASSERT_EQ_STR(tf("date_trunc", "text!:year", "interval:1234 years 11 months 20 days 13:45:06.789012|-1234 years -11 months -20 days -13:45:06.789012", NULL), "1234 years|-1234 years");
    ASSERT_EQ_STR(tf("date_trunc", "text!:decade", "interval:1234 years 11 months 20 days 13:45:06.789012|-1234 years -11 months -20 days -13:45:06.789012", NULL), "1230 years|-1230 years");
    ASSERT_EQ_STR(tf("date_trunc", "text!:century", "interval:1234 years 11 months 20 days 13:45:06.789012|-1234 years -11 months -20 days -13:45:06.789012", NULL), "1200 years|-1200 years");
    ASSERT_EQ_STR(tf("date_trunc", "text!:millennium", "interval:1234 years 11 months 20 days 13:45:06.789012|-1234 years -11 months -20 days -13:45:06.789012", NULL), "1000 years|-1000 years");
    ASSERT_EQ_STR(tf("date_trunc", "text!:week", "interval:1 day", NULL), "ERROR 0A000: unit \"week\" not supported for type interval");
    ASSERT_EQ_STR(tf("date_trunc", "text!:foo", "interval:1 day", NULL), "ERROR 22023: unit \"foo\" not recognized for type interval");
}

TEST(func_datetime_age)
{
    ASSERT_EQ_STR(tf("age", "timestamp:2001-04-10|2024-01-31|2024-03-31 10:00|2024-01-01|2024-03-01", "timestamp:1957-06-13|2024-03-01|2024-02-29 12:00|2024-01-01|2023-01-31 00:00:00.5", NULL), "43 years 9 mons 27 days|-1 mons -1 days|1 mon 1 day 22:00:00|00:00:00|1 year 1 mon 23:59:59.5");
    ASSERT_EQ_STR(tf("age", "timestamptz:2024-03-31 10:00+00", "timestamptz:2024-02-29 12:00+00", NULL), "1 mon 1 day 22:00:00");
}

TEST(func_datetime_date_bin)
{
    ASSERT_EQ_STR(tf("date_bin", "interval:15 minutes", "timestamp:2020-02-11 15:44:17|2000-12-31 23:59:59", "timestamp:2001-01-01", NULL), "2020-02-11 15:30:00|2000-12-31 23:45:00");
    ASSERT_EQ_STR(tf("date_bin", "interval:1 month", "timestamp:2020-02-11 15:44:17", "timestamp:2001-01-01", NULL), "ERROR 0A000: timestamps cannot be binned into intervals containing months or years");
    ASSERT_EQ_STR(tf("date_bin", "interval:0 minutes", "timestamp:2020-02-11 15:44:17", "timestamp:2001-01-01", NULL), "ERROR 22008: stride must be greater than zero");
    ASSERT_EQ_STR(tf("date_bin", "interval:1 day 2 hours", "timestamptz:2020-02-11 15:44:17+00", "timestamptz:2001-01-01 00:00+00", NULL), "2020-02-10 22:00:00+00");
}

TEST(func_datetime_make)
{
    ASSERT_EQ_STR(tf("make_date", "int4:2024|-44|2024", "int4:2|3|12", "int4:29|15|31", NULL), "2024-02-29|0044-03-15 BC|2024-12-31");
    ASSERT_EQ_STR(tf("make_date", "int4:2024", "int4:2", "int4:30", NULL), "ERROR 22008: date field value out of range: 2024-02-30");
    ASSERT_EQ_STR(tf("make_date", "int4:0", "int4:1", "int4:1", NULL), "ERROR 22008: date field value out of range: 0-01-01");
    ASSERT_EQ_STR(tf("make_date", "int4:2024", "int4:13", "int4:1", NULL), "ERROR 22008: date field value out of range: 2024-13-01");
    ASSERT_EQ_STR(tf("make_time", "int4:1|23|23|0", "int4:2|59|59|0", "float8:3.5|60|59.9999999|0", NULL), "01:02:03.5|24:00:00|24:00:00|00:00:00");
    ASSERT_EQ_STR(tf("make_time", "int4:25", "int4:0", "float8:0", NULL), "ERROR 22008: time field value out of range: 25:00:00");
    ASSERT_EQ_STR(tf("make_time", "int4:1", "int4:60", "float8:0", NULL), "ERROR 22008: time field value out of range: 1:60:00");
    ASSERT_EQ_STR(tf("make_time", "int4:1", "int4:0", "float8:-1", NULL), "ERROR 22008: time field value out of range: 1:00:-1");
    ASSERT_EQ_STR(tf("make_time", "int4:1", "int4:0", "float8:60.5", NULL), "ERROR 22008: time field value out of range: 1:00:60.5");
    ASSERT_EQ_STR(tf("make_timestamp", "int4:2024", "int4:1", "int4:2", "int4:3", "int4:4", "float8:5.5", NULL), "2024-01-02 03:04:05.5");
    ASSERT_EQ_STR(tf("make_timestamp", "int4:2024", "int4:13", "int4:2", "int4:3", "int4:4", "float8:5.5", NULL), "ERROR 22008: date field value out of range: 2024-13-02");
    ASSERT_EQ_STR(tf("make_timestamp", "int4:-44", "int4:3", "int4:15", "int4:12", "int4:0", "float8:0", NULL), "0044-03-15 12:00:00 BC");
    ASSERT_EQ_STR(tf("make_timestamptz", "int4:2024", "int4:7", "int4:1", "int4:12", "int4:0", "float8:0", "text:Europe/Berlin|America/New_York|UTC|+05", NULL), "2024-07-01 10:00:00+00|2024-07-01 16:00:00+00|2024-07-01 12:00:00+00|2024-07-01 07:00:00+00");
    ASSERT_EQ_STR(tf("make_interval", NULL), "00:00:00");
    ASSERT_EQ_STR(tf("make_interval", "int4:1", "int4:2", "int4:3", "int4:4", "int4:5", "int4:6", "float8:7.5", NULL), "1 year 2 mons 25 days 05:06:07.5");
    ASSERT_EQ_STR(tf("make_interval", "int4:0", "int4:0", "int4:0", "int4:10", NULL), "10 days");
    ASSERT_EQ_STR(tf("make_interval", "int4:1", NULL), "1 year");
    ASSERT_EQ_STR(tf("make_interval", "int4:2147483647", "int4:1", NULL), "-11 mons");
    ASSERT_EQ_STR(tf("make_interval", "int4:0", "int4:0", "int4:0", "int4:0", "int4:0", "int4:0", "float8:1.0000005", NULL), "00:00:01.000001");
}

TEST(func_datetime_justify)
{
    ASSERT_EQ_STR(tf("justify_days", "interval:35 days|-35 days 1 hour|1 mon -1 day|-1 mon 40 days", NULL), "1 mon 5 days|-1 mons -5 days +01:00:00|29 days|10 days");
    ASSERT_EQ_STR(tf("justify_hours", "interval:27 hours|-27 hours|1 day -1 hour|-1 day 1 hour", NULL), "1 day 03:00:00|-1 days -03:00:00|23:00:00|-23:00:00");
    ASSERT_EQ_STR(tf("justify_interval", "interval:1 mon -1 hour|-1 mon 1 hour|35 days 25 hours|-35 days -25 hours|1 mon -31 days", NULL), "29 days 23:00:00|-29 days -23:00:00|1 mon 6 days 01:00:00|-1 mons -6 days -01:00:00|-1 days");
    ASSERT_EQ_STR(tf("isfinite", "date:2024-01-01", NULL), "t");
    ASSERT_EQ_STR(tf("isfinite", "timestamp:2024-01-01", NULL), "t");
    ASSERT_EQ_STR(tf("isfinite", "interval:1 day", NULL), "t");
}

TEST(func_datetime_to_timestamp)
{
    ASSERT_EQ_STR(tf("to_timestamp", "float8:0|1700000000.5|-1.25|1e10", NULL), "1970-01-01 00:00:00+00|2023-11-14 22:13:20.5+00|1969-12-31 23:59:58.75+00|2286-11-20 17:46:40+00");
    ASSERT_EQ_STR(tf("to_timestamp", "float8:NaN", NULL), "ERROR 22008: timestamp cannot be NaN");
    ASSERT_EQ_STR(tf("to_timestamp", "float8:1e20", NULL), "ERROR 22008: timestamp out of range: \"1e+20\"");
}

TEST(func_datetime_timezone)
{
    ASSERT_EQ_STR(tf("timezone", "text:+05|Europe/Berlin|UTC+3|utc|America/New_York|Asia/Kolkata|Australia/Sydney", "timestamp:2024-01-01 00:00", NULL), "2024-01-01 05:00:00+00|2023-12-31 23:00:00+00|2024-01-01 03:00:00+00|2024-01-01 00:00:00+00|2024-01-01 05:00:00+00|2023-12-31 18:30:00+00|2023-12-31 13:00:00+00");
    ASSERT_EQ_STR(tf("timezone", "text:America/New_York|Europe/Berlin|Australia/Sydney|-03:30", "timestamptz:2024-07-01 00:00+00", NULL), "2024-06-30 20:00:00|2024-07-01 02:00:00|2024-07-01 10:00:00|2024-07-01 03:30:00");
    ASSERT_EQ_STR(tf("timezone", "text:Europe/Berlin", "timestamp:2024-03-31 02:30|2024-10-27 02:30|2024-03-31 01:59|2024-10-27 01:59|2024-10-27 03:00", NULL), "2024-03-31 01:30:00+00|2024-10-27 01:30:00+00|2024-03-31 00:59:00+00|2024-10-26 23:59:00+00|2024-10-27 02:00:00+00");
    ASSERT_EQ_STR(tf("timezone", "text:America/New_York", "timestamptz:2050-07-01 00:00+00|2050-12-01 00:00+00|1900-01-01 00:00+00", NULL), "2050-06-30 20:00:00|2050-11-30 19:00:00|1899-12-31 19:00:00");
    ASSERT_EQ_STR(tf("timezone", "text:CET|cest|MSK|pst|EST|Etc/GMT+5|Europe/London", "timestamp:2024-07-01 00:00", NULL), "2024-06-30 23:00:00+00|2024-06-30 22:00:00+00|2024-06-30 21:00:00+00|2024-07-01 08:00:00+00|2024-07-01 05:00:00+00|2024-07-01 05:00:00+00|2024-06-30 23:00:00+00");
    ASSERT_EQ_STR(tf("timezone", "text:Foo/Bar", "timestamp:2024-01-01", NULL), "ERROR 22023: time zone \"Foo/Bar\" not recognized");
    ASSERT_EQ_STR(tf("timezone", "interval:02:00", "timestamp:2024-01-01 00:00", NULL), "2023-12-31 22:00:00+00");
    ASSERT_EQ_STR(tf("timezone", "interval:-05:30", "timestamptz:2024-01-01 00:00+00", NULL), "2023-12-31 18:30:00");
}

TEST(func_datetime_time_ops)
{
    ASSERT_EQ_STR(tf("op:+", "time:23:00", "interval:2 hours|1 day 30 minutes|-25 hours", NULL), "01:00:00|23:30:00|22:00:00");
    ASSERT_EQ_STR(tf("op:-", "time:01:00", "interval:2 hours|3 days", NULL), "23:00:00|01:00:00");
    ASSERT_EQ_STR(tf("op:-", "time:01:00", "time:23:30|00:30", NULL), "-22:30:00|00:30:00");
    ASSERT_EQ_STR(tf("op:+", "interval:1 hour", "time:23:30", NULL), "00:30:00");
}

TEST(func_datetime_session_zone)
{
    snprintf(tf_settings.timezone, sizeof tf_settings.timezone, "Europe/Berlin");
    ASSERT_EQ_STR(tf("extract", "text!:hour", "timestamptz:2024-07-01 00:00+00|2024-01-01 00:00+00", NULL), "2|1");
    ASSERT_EQ_STR(tf("extract", "text!:timezone", "timestamptz:2024-07-01 00:00+00|2024-01-01 00:00+00", NULL), "7200|3600");
    ASSERT_EQ_STR(tf("extract", "text!:timezone_hour", "timestamptz:2024-07-01 00:00+00", NULL), "2");
    ASSERT_EQ_STR(tf("date_trunc", "text!:day", "timestamptz:2024-03-31 12:00+00|2024-10-27 12:00+00|2024-03-30 23:30+00", NULL), "2024-03-30 23:00:00+00|2024-10-26 22:00:00+00|2024-03-30 23:00:00+00");
    ASSERT_EQ_STR(tf("date_trunc", "text!:hour", "timestamptz:2024-10-27 00:30+00|2024-10-27 01:30+00", NULL), "2024-10-27 00:00:00+00|2024-10-27 01:00:00+00");
    ASSERT_EQ_STR(tf("date_trunc", "text!:month", "timestamptz:2024-03-31 23:30+00", NULL), "2024-03-31 22:00:00+00");
    ASSERT_EQ_STR(tf("date_trunc", "text!:day", "timestamptz:2024-07-01 03:00+00", "text:America/New_York|Asia/Tokyo", NULL), "2024-06-30 04:00:00+00|2024-06-30 15:00:00+00");
    ASSERT_EQ_STR(tf("make_timestamptz", "int4:2024", "int4:3|10|7", "int4:31|27|1", "int4:2", "int4:30", "float8:0", NULL), "2024-03-31 01:30:00+00|2024-10-27 01:30:00+00|2024-07-01 00:30:00+00");
    ASSERT_EQ_STR(tf("age", "timestamptz:2024-04-01 00:00+00", "timestamptz:2024-03-01 00:00+00", NULL), "1 mon 01:00:00");
    ASSERT_EQ_STR(tf("extract", "text!:day", "timestamptz:2024-06-30 22:30+00", NULL), "1");
    snprintf(tf_settings.timezone, sizeof tf_settings.timezone, "UTC");
}

TEST(func_datetime_now)
{
    /* 2024-02-29 13:45:06.5 UTC */
    tf_settings.statement_ts = INT64_C(1709214306500000);
    ASSERT_EQ_STR(tf("now", NULL), "2024-02-29 13:45:06.5+00");
    ASSERT_EQ_STR(tf("current_date", NULL), "2024-02-29");
    ASSERT_EQ_STR(tf("localtimestamp", NULL), "2024-02-29 13:45:06.5");
    ASSERT_EQ_STR(tf("localtime", NULL), "13:45:06.5");
    ASSERT_EQ_STR(tf("age", "timestamp:2023-01-31", NULL), "1 year 29 days");
    snprintf(tf_settings.timezone, sizeof tf_settings.timezone, "Asia/Tokyo");
    ASSERT_EQ_STR(tf("localtimestamp", NULL), "2024-02-29 22:45:06.5");
    tf_settings.statement_ts = INT64_C(1709229600000000); /* 2024-02-29 18:00 UTC = 03:00 next day in Tokyo */
    ASSERT_EQ_STR(tf("current_date", NULL), "2024-03-01");
    snprintf(tf_settings.timezone, sizeof tf_settings.timezone, "UTC");
    tf_settings.statement_ts = 0;
}
