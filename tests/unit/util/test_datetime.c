/* test_datetime.c - calendar conversions, date/time parsing and printing. */
#include "../test.h"
#include "util/datetime.h"

TEST(datetime_civil_round_trip)
{
    ASSERT_EQ_INT(dt_days_from_civil(1970, 1, 1), 0);
    ASSERT_EQ_INT(dt_days_from_civil(2000, 3, 1), 11017);
    ASSERT_EQ_INT(dt_days_from_civil(1969, 12, 31), -1);
    ASSERT_EQ_INT(dt_days_from_civil(0, 3, 1), -719468);
    /* Every day across ±3000 years converts back to itself. */
    int64_t prev_y = -1;
    int prev_m = 0, prev_d = 0;
    for (int64_t days = -1800000; days <= 400000; days++) {
        int64_t y;
        int m, d;
        dt_civil_from_days(days, &y, &m, &d);
        ASSERT(dt_valid_date(y, m, d));
        ASSERT_EQ_INT(dt_days_from_civil(y, m, d), days);
        if (days > -1800000) {
            /* consecutive: either next day in month, or first of next month */
            bool next = (y == prev_y && m == prev_m && d == prev_d + 1) ||
                        (d == 1 && ((y == prev_y && m == prev_m + 1) ||
                                    (y == prev_y + 1 && m == 1 && prev_m == 12)));
            ASSERT(next);
        }
        prev_y = y;
        prev_m = m;
        prev_d = d;
    }
}

TEST(datetime_leap_years)
{
    ASSERT(dt_valid_date(2000, 2, 29));
    ASSERT(!dt_valid_date(1900, 2, 29));
    ASSERT(dt_valid_date(2024, 2, 29));
    ASSERT(!dt_valid_date(2023, 2, 29));
    ASSERT(!dt_valid_date(2023, 4, 31));
    ASSERT(!dt_valid_date(2023, 13, 1));
    ASSERT(!dt_valid_date(2023, 0, 1));
    ASSERT(!dt_valid_date(2023, 1, 0));
    ASSERT(dt_valid_date(0, 2, 29)); /* 1 BC is a leap year */
}

static const char *fmt_date(int64_t days)
{
    static char buf[DT_TEXT_MAX];
    dt_format_date(days, buf);
    return buf;
}

static const char *fmt_ts(int64_t us, bool tz)
{
    static char buf[DT_TEXT_MAX];
    dt_format_timestamp(us, tz, buf);
    return buf;
}

TEST(datetime_format)
{
    ASSERT_EQ_STR(fmt_date(0), "1970-01-01");
    ASSERT_EQ_STR(fmt_date(-1), "1969-12-31");
    ASSERT_EQ_STR(fmt_date(dt_days_from_civil(1, 1, 1)), "0001-01-01");
    ASSERT_EQ_STR(fmt_date(dt_days_from_civil(1, 1, 1) - 1), "0001-12-31 BC");
    ASSERT_EQ_STR(fmt_date(dt_days_from_civil(-43, 3, 15)), "0044-03-15 BC");
    ASSERT_EQ_STR(fmt_date(dt_days_from_civil(9999, 12, 31)), "9999-12-31");
    ASSERT_EQ_STR(fmt_date(dt_days_from_civil(10000, 1, 1)), "10000-01-01");
    ASSERT_EQ_STR(fmt_date(INT32_MAX), "5881580-07-11");
    ASSERT_EQ_STR(fmt_ts(0, false), "1970-01-01 00:00:00");
    ASSERT_EQ_STR(fmt_ts(-1, false), "1969-12-31 23:59:59.999999");
    ASSERT_EQ_STR(fmt_ts(1500000, true), "1970-01-01 00:00:01.5+00");
    ASSERT_EQ_STR(fmt_ts(123456, false), "1970-01-01 00:00:00.123456");
    ASSERT_EQ_STR(fmt_ts(dt_days_from_civil(0, 1, 1) * DT_USECS_PER_DAY, true),
                  "0001-01-01 00:00:00+00 BC");
    /* The int64 extremes print without overflow. */
    ASSERT_EQ_STR(fmt_ts(INT64_MAX, false), "294247-01-10 04:00:54.775807");
    ASSERT_EQ_STR(fmt_ts(INT64_MIN, false), "290309-12-21 19:59:05.224192 BC");
    char buf[DT_TEXT_MAX];
    dt_format_time(0, buf);
    ASSERT_EQ_STR(buf, "00:00:00");
    dt_format_time(DT_USECS_PER_DAY, buf);
    ASSERT_EQ_STR(buf, "24:00:00");
    dt_format_time(4 * DT_USECS_PER_HOUR + 5 * DT_USECS_PER_MIN + 6 * DT_USECS_PER_SEC + 500, buf);
    ASSERT_EQ_STR(buf, "04:05:06.0005");
}

TEST(datetime_parse_date)
{
    int32_t d;
    ASSERT(dt_parse_date("2024-02-29", 10, &d));
    ASSERT_EQ_INT(d, dt_days_from_civil(2024, 2, 29));
    ASSERT(dt_parse_date(" 1970-1-2 ", 10, &d));
    ASSERT_EQ_INT(d, 1);
    ASSERT(dt_parse_date("0044-03-15 BC", 13, &d));
    ASSERT_EQ_INT(d, dt_days_from_civil(-43, 3, 15));
    ASSERT(dt_parse_date("10000-01-01", 11, &d));
    ASSERT(!dt_parse_date("2023-02-29", 10, &d));
    ASSERT(!dt_parse_date("2023-13-01", 10, &d));
    ASSERT(!dt_parse_date("2023-00-10", 10, &d));
    ASSERT(!dt_parse_date("2023-01-32", 10, &d));
    ASSERT(!dt_parse_date("23-01-01", 8, &d));
    ASSERT(!dt_parse_date("2023-01-01x", 11, &d));
    ASSERT(!dt_parse_date("2023/01/01", 10, &d));
    ASSERT(!dt_parse_date("", 0, &d));
    ASSERT(!dt_parse_date("0000-01-01 BC", 13, &d));
    ASSERT(!dt_parse_date("9999999-01-01", 13, &d)); /* beyond int32 days */
    ASSERT(!dt_parse_date("2023-01-01 10:00", 16, &d));
}

TEST(datetime_parse_timestamp)
{
    int64_t t;
    bool z;
    const int64_t base = dt_days_from_civil(2024, 1, 2) * DT_USECS_PER_DAY;
    ASSERT(dt_parse_timestamp("2024-01-02 03:04:05", 19, &t, &z));
    ASSERT_EQ_INT(t, base + 3 * DT_USECS_PER_HOUR + 4 * DT_USECS_PER_MIN + 5 * DT_USECS_PER_SEC);
    ASSERT(!z);
    ASSERT(dt_parse_timestamp("2024-01-02T03:04:05.5Z", 22, &t, &z));
    ASSERT(z);
    ASSERT_EQ_INT(t, base + 3 * DT_USECS_PER_HOUR + 4 * DT_USECS_PER_MIN + 5500000);
    ASSERT(dt_parse_timestamp("2024-01-02 03:04:05+02:00", 25, &t, &z));
    ASSERT(z);
    ASSERT_EQ_INT(t, base + 1 * DT_USECS_PER_HOUR + 4 * DT_USECS_PER_MIN + 5 * DT_USECS_PER_SEC);
    ASSERT(dt_parse_timestamp("2024-01-02 03:04:05-0130", 24, &t, &z));
    ASSERT_EQ_INT(t, base + 4 * DT_USECS_PER_HOUR + 34 * DT_USECS_PER_MIN + 5 * DT_USECS_PER_SEC);
    ASSERT(dt_parse_timestamp("2024-01-02 03:04:05+00", 22, &t, &z));
    ASSERT(z);
    ASSERT(dt_parse_timestamp("2024-01-02", 10, &t, &z));
    ASSERT_EQ_INT(t, base);
    ASSERT(dt_parse_timestamp("2024-01-02 03:04", 16, &t, &z));
    ASSERT_EQ_INT(t, base + 3 * DT_USECS_PER_HOUR + 4 * DT_USECS_PER_MIN);
    /* Fractions round to microseconds, carrying into the next day. */
    ASSERT(dt_parse_timestamp("2024-01-01 23:59:59.9999996", 27, &t, &z));
    ASSERT_EQ_INT(t, base);
    ASSERT(dt_parse_timestamp("2024-01-02 00:00:00.1234564", 27, &t, &z));
    ASSERT_EQ_INT(t, base + 123456);
    ASSERT(dt_parse_timestamp("2024-01-02 00:00:00.000001", 26, &t, &z));
    ASSERT_EQ_INT(t, base + 1);
    ASSERT(dt_parse_timestamp("0001-01-01 00:00:00+00 BC", 25, &t, &z));
    ASSERT_EQ_INT(t, dt_days_from_civil(0, 1, 1) * DT_USECS_PER_DAY);
    ASSERT(!dt_parse_timestamp("2024-01-02 25:00:00", 19, &t, &z));
    ASSERT(!dt_parse_timestamp("2024-01-02 24:00:01", 19, &t, &z));
    ASSERT(!dt_parse_timestamp("2024-01-02 10:60:00", 19, &t, &z));
    ASSERT(!dt_parse_timestamp("2024-01-02 10:00:00.", 20, &t, &z));
    ASSERT(!dt_parse_timestamp("2024-01-02 10:00:00+", 20, &t, &z));
    ASSERT(!dt_parse_timestamp("2024-01-02 10:00:00 junk", 24, &t, &z));
    ASSERT(!dt_parse_timestamp("2024-01-02X10:00:00", 19, &t, &z));
    ASSERT(!dt_parse_timestamp("300000-01-01", 12, &t, &z)); /* beyond int64 micros */
    ASSERT(dt_parse_timestamp("290000-01-01", 12, &t, &z));
}

TEST(datetime_parse_time)
{
    int64_t t;
    ASSERT(dt_parse_time("00:00:00", 8, &t));
    ASSERT_EQ_INT(t, 0);
    ASSERT(dt_parse_time("24:00:00", 8, &t));
    ASSERT_EQ_INT(t, DT_USECS_PER_DAY);
    ASSERT(dt_parse_time("4:05", 4, &t));
    ASSERT_EQ_INT(t, 4 * DT_USECS_PER_HOUR + 5 * DT_USECS_PER_MIN);
    ASSERT(dt_parse_time("23:59:59.999999", 15, &t));
    ASSERT_EQ_INT(t, DT_USECS_PER_DAY - 1);
    ASSERT(!dt_parse_time("24:00:00.000001", 15, &t));
    ASSERT(!dt_parse_time("12:5", 4, &t));
    ASSERT(!dt_parse_time("12:00:61", 8, &t));
    ASSERT(!dt_parse_time("", 0, &t));
}
