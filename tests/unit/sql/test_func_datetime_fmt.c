/*
 * test_func_datetime_fmt.c - to_char, to_timestamp(text, text), to_date
 * (func_datetime_fmt.c) against PostgreSQL 15: every expected value was
 * produced by a real PostgreSQL server for the same arguments.
 */
#include "../test.h"
#include "func_testutil.h"

TEST(func_fmt_to_char_ts)
{
    ASSERT_EQ_STR(tf("to_char", "timestamp:2024-02-09 13:05:06.789012", "text!:YYYY-MM-DD HH24:MI:SS.MS.US", NULL), "2024-02-09 13:05:06.789.789012");
    ASSERT_EQ_STR(tf("to_char", "timestamp:2024-02-09 13:05:06.789012", "text!:Mon Month Dy Day FMMonth FMDay", NULL), "Feb February  Fri Friday    February Friday");
    ASSERT_EQ_STR(tf("to_char", "timestamp:2024-02-09 13:05:06.789012", "text!:MON MONTH DY DAY", NULL), "FEB FEBRUARY  FRI FRIDAY   ");
    ASSERT_EQ_STR(tf("to_char", "timestamp:2024-02-09 13:05:06.789012", "text!:mon month dy day", NULL), "feb february  fri friday   ");
    ASSERT_EQ_STR(tf("to_char", "timestamp:2024-02-09 13:05:06.789012", "text!:HH12 AM am P.M. p.m. HH FMHH12", NULL), "01 PM pm P.M. p.m. 01 1");
    ASSERT_EQ_STR(tf("to_char", "timestamp:2024-02-09 13:05:06.789012", "text!:DDD D ID IW WW W Q CC J RM rm", NULL), "040 6 5 06 06 2 1 21 2460350 II   ii  ");
    ASSERT_EQ_STR(tf("to_char", "timestamp:2024-02-09 13:05:06.789012", "text!:\"lit\" Y,YYY YYY YY Y IYYY IYY IY I", NULL), "lit 2,024 024 24 4 2024 024 24 4");
    ASSERT_EQ_STR(tf("to_char", "timestamp:2024-02-09 13:05:06.789012", "text!:TZ tz OF TZH:TZM SSSS SSSSS FF1 FF2 FF3 FF4 FF5 FF6", NULL), "  +00 +00:00 47106 47106 7 78 789 7890 78901 789012");
    ASSERT_EQ_STR(tf("to_char", "timestamp:2024-02-09 13:05:06.789012", "text!:FMDDth DDTH ddth FMDth Dth FMMMth HH24th", NULL), "9th 09TH 09th 6th 6th 2nd 13th");
    ASSERT_EQ_STR(tf("to_char", "timestamp:2024-01-01|2024-01-02|2024-01-03|2024-01-11|2024-01-22|2024-01-13", "text!:DDth", NULL), "01st|02nd|03rd|11th|22nd|13th");
    ASSERT_EQ_STR(tf("to_char", "timestamp:0044-03-15 BC", "text!:YYYY BC bc B.C. Mon FMYYYY CC AD a.d.", NULL), "0044 BC bc B.C. Mar 44 -01 BC b.c.");
    ASSERT_EQ_STR(tf("to_char", "timestamp:2024-02-01 00:00|2024-02-01 12:30", "text!:HH HH12 FMHH12 am PM", NULL), "12 12 12 am AM|12 12 12 pm PM");
    ASSERT_EQ_STR(tf("to_char", "date:2024-01-01", "text!:YYYY-MM-DD Day", NULL), "2024-01-01 Monday   ");
    ASSERT_EQ_STR(tf("to_char", "timestamptz:2024-01-01 12:00+00", "text!:YYYY-MM-DD HH24 TZ TZH:TZM OF", NULL), "2024-01-01 12 UTC +00:00 +00");
    ASSERT_EQ_STR(tf("to_char", "interval:1 year 2 months 3 days 04:05:06", "text!:YYYY MM DD HH24 MI SS", NULL), "0001 02 03 04 05 06");
    ASSERT_EQ_STR(tf("to_char", "interval:-25 hours", "text!:HH24 HH", NULL), "-25 -01");
    ASSERT_EQ_STR(tf("to_char", "timestamp:12345-01-01", "text!:YYYY Y,YYY", NULL), "12345 12,345");
    ASSERT_EQ_STR(tf("to_char", "timestamp:2024-12-30|2021-01-03", "text!:IYYY-IW-ID IDDD", NULL), "2025-01-1 001|2020-53-7 371");
    ASSERT_EQ_STR(tf("to_char", "timestamp:2024-02-09 13:05:06.789012", "text!:FMYYYY-FMMM-FMDD FMHH24:FMMI", NULL), "2024-2-9 13:5");
    ASSERT_EQ_STR(tf("to_char", "timestamp:2024-02-09 13:05:06.789012", "text:YYYY|MM|Mon|", NULL), "2024|02|Feb|NULL");
    ASSERT_EQ_STR(tf("to_char", "timestamp:2024-02-09 13:05:06.789012", "text!:\"Quarter\" Q \"of\" YYYY, \"day\" DDD", NULL), "Quarter 1 of 2024, day 040");
}

TEST(func_fmt_to_char_num)
{
    ASSERT_EQ_STR(tf("to_char", "numeric(6,3):123.456|-123.456", "text!:999.99", NULL), " 123.46|-123.46");
    ASSERT_EQ_STR(tf("to_char", "int4:12|-12", "text!:0999", NULL), " 0012|-0012");
    ASSERT_EQ_STR(tf("to_char", "int4:1234567", "text!:9,999,999", NULL), " 1,234,567");
    ASSERT_EQ_STR(tf("to_char", "numeric(4,1):123.4", "text!:FM999.99", NULL), "123.4");
    ASSERT_EQ_STR(tf("to_char", "int4:1234", "text!:99", NULL), " ##");
    ASSERT_EQ_STR(tf("to_char", "numeric(2,1):0.5|-0.5", "text!:9.99", NULL), "  .50| -.50");
    ASSERT_EQ_STR(tf("to_char", "numeric(2,1):0.5|-0.5", "text!:0.99", NULL), " 0.50|-0.50");
    ASSERT_EQ_STR(tf("to_char", "numeric(2,1):0.5|-0.5", "text!:S9.99", NULL), " +.50| -.50");
    ASSERT_EQ_STR(tf("to_char", "int4:5", "text!:FM9th", NULL), "5th");
    ASSERT_EQ_STR(tf("to_char", "int4:-12|12", "text!:999MI", NULL), " 12-| 12 ");
    ASSERT_EQ_STR(tf("to_char", "int4:12|-12", "text!:SG99", NULL), "+12|-12");
    ASSERT_EQ_STR(tf("to_char", "int4:-12|12", "text!:99PR", NULL), "<12>| 12 ");
    ASSERT_EQ_STR(tf("to_char", "numeric(5,1):1234.5", "text!:9G999D99", NULL), " 1,234.50");
    ASSERT_EQ_STR(tf("to_char", "int4:3", "text!:9.9EEEE", NULL), " 3.0e+00");
    ASSERT_EQ_STR(tf("to_char", "float8:12.5|-0.125|1e20|0", "text!:999.9", NULL), "  12.5|   -.1| ###.|    .0");
    ASSERT_EQ_STR(tf("to_char", "int8:12", "text!:999", NULL), "  12");
    ASSERT_EQ_STR(tf("to_char", "numeric(5,4):-0.0001", "text!:FM9.99", NULL), "0.");
    ASSERT_EQ_STR(tf("to_char", "int4:0", "text!:FM9.99", NULL), "0.");
    ASSERT_EQ_STR(tf("to_char", "int4:0", "text!:9.99", NULL), "  .00");
    ASSERT_EQ_STR(tf("to_char", "int4:0", "text!:FM99.", NULL), "0");
    ASSERT_EQ_STR(tf("to_char", "int4:0", "text!:99.", NULL), "  0");
    ASSERT_EQ_STR(tf("to_char", "int4:10", "text!:FM99.", NULL), "10");
    ASSERT_EQ_STR(tf("to_char", "numeric(2,1):1.5", "text!:FM99.0", NULL), "1.5");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-0.5", "text!:9.99", NULL), " -.50");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-0.5", "text!:FM99.99", NULL), "-.5");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-0.5", "text!:FM99.", NULL), "-1");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-0.5", "text!:99.", NULL), " -1");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-0.5", "text!:999,999.9", NULL), "       -.5");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-0.5", "text!:FM999,999.9", NULL), "-.5");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-0.5", "text!:S999", NULL), "  -1");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-0.5", "text!:999S", NULL), "  1-");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-0.5", "text!:MI999", NULL), "-  1");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-0.5", "text!:FMMI999", NULL), "-1");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-0.5", "text!:PL999", NULL), "   -1");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-0.5", "text!:FMPL999", NULL), "-1");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-0.5", "text!:SG999", NULL), "-  1");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-0.5", "text!:999PR", NULL), "  <1>");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-0.5", "text!:FM999PR", NULL), "<1>");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-0.5", "text!:0000.00", NULL), "-0000.50");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-0.5", "text!:FM0000.00", NULL), "-0000.50");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-0.5", "text!:9990.90", NULL), "   -0.50");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-0.5", "text!:FM9990.90", NULL), "-0.50");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-0.5", "text!:9.9EEEE", NULL), "-5.0e-01");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-0.5", "text!:99V9", NULL), "  -5");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-0.5", "text!:999th", NULL), "  -1");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0", "text!:9.99", NULL), "  .00");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0", "text!:FM99.99", NULL), "0.");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0", "text!:FM99.", NULL), "0");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0", "text!:99.", NULL), "  0");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0", "text!:999,999.9", NULL), "        .0");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0", "text!:FM999,999.9", NULL), "0.");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0", "text!:S999", NULL), "  +0");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0", "text!:999S", NULL), "  0+");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0", "text!:MI999", NULL), "   0");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0", "text!:FMMI999", NULL), "0");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0", "text!:PL999", NULL), "+   0");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0", "text!:FMPL999", NULL), "+0");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0", "text!:SG999", NULL), "+  0");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0", "text!:999PR", NULL), "   0 ");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0", "text!:FM999PR", NULL), "0");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0", "text!:0000.00", NULL), " 0000.00");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0", "text!:FM0000.00", NULL), "0000.00");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0", "text!:9990.90", NULL), "    0.00");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0", "text!:FM9990.90", NULL), "0.00");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0", "text!:9.9EEEE", NULL), " 0.0e+00");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0", "text!:99V9", NULL), "   0");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0", "text!:999th", NULL), "   0th");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10", "text!:9.99", NULL), " #.##");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10", "text!:FM99.99", NULL), "10.");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10", "text!:FM99.", NULL), "10");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10", "text!:99.", NULL), " 10");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10", "text!:999,999.9", NULL), "      10.0");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10", "text!:FM999,999.9", NULL), "10.");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10", "text!:S999", NULL), " +10");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10", "text!:999S", NULL), " 10+");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10", "text!:MI999", NULL), "  10");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10", "text!:FMMI999", NULL), "10");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10", "text!:PL999", NULL), "+  10");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10", "text!:FMPL999", NULL), "+10");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10", "text!:SG999", NULL), "+ 10");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10", "text!:999PR", NULL), "  10 ");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10", "text!:FM999PR", NULL), "10");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10", "text!:0000.00", NULL), " 0010.00");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10", "text!:FM0000.00", NULL), "0010.00");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10", "text!:9990.90", NULL), "   10.00");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10", "text!:FM9990.90", NULL), "10.00");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10", "text!:9.9EEEE", NULL), " 1.0e+01");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10", "text!:99V9", NULL), " 100");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10", "text!:999th", NULL), "  10th");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10.5", "text!:9.99", NULL), " #.##");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10.5", "text!:FM99.99", NULL), "10.5");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10.5", "text!:FM99.", NULL), "11");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10.5", "text!:99.", NULL), " 11");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10.5", "text!:999,999.9", NULL), "      10.5");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10.5", "text!:FM999,999.9", NULL), "10.5");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10.5", "text!:S999", NULL), " +11");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10.5", "text!:999S", NULL), " 11+");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10.5", "text!:MI999", NULL), "  11");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10.5", "text!:FMMI999", NULL), "11");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10.5", "text!:PL999", NULL), "+  11");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10.5", "text!:FMPL999", NULL), "+11");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10.5", "text!:SG999", NULL), "+ 11");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10.5", "text!:999PR", NULL), "  11 ");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10.5", "text!:FM999PR", NULL), "11");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10.5", "text!:0000.00", NULL), " 0010.50");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10.5", "text!:FM0000.00", NULL), "0010.50");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10.5", "text!:9990.90", NULL), "   10.50");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10.5", "text!:FM9990.90", NULL), "10.50");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10.5", "text!:9.9EEEE", NULL), " 1.1e+01");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10.5", "text!:99V9", NULL), " 105");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):10.5", "text!:999th", NULL), "  11th");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-1234.567", "text!:9.99", NULL), "-#.##");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-1234.567", "text!:FM99.99", NULL), "-##.##");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-1234.567", "text!:FM99.", NULL), "-##.");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-1234.567", "text!:99.", NULL), "-##.");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-1234.567", "text!:999,999.9", NULL), "  -1,234.6");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-1234.567", "text!:FM999,999.9", NULL), "-1,234.6");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-1234.567", "text!:S999", NULL), "-###");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-1234.567", "text!:999S", NULL), "###-");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-1234.567", "text!:MI999", NULL), "-###");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-1234.567", "text!:FMMI999", NULL), "-###");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-1234.567", "text!:PL999", NULL), " -###");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-1234.567", "text!:FMPL999", NULL), "-###");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-1234.567", "text!:SG999", NULL), "-###");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-1234.567", "text!:999PR", NULL), "<###>");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-1234.567", "text!:FM999PR", NULL), "<###>");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-1234.567", "text!:0000.00", NULL), "-1234.57");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-1234.567", "text!:FM0000.00", NULL), "-1234.57");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-1234.567", "text!:9990.90", NULL), "-1234.57");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-1234.567", "text!:FM9990.90", NULL), "-1234.57");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-1234.567", "text!:9.9EEEE", NULL), "-1.2e+03");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-1234.567", "text!:99V9", NULL), "-###");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):-1234.567", "text!:999th", NULL), "-###");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):1234.567", "text!:9.99", NULL), " #.##");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):1234.567", "text!:FM99.99", NULL), "##.##");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):1234.567", "text!:FM99.", NULL), "##.");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):1234.567", "text!:99.", NULL), " ##.");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):1234.567", "text!:999,999.9", NULL), "   1,234.6");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):1234.567", "text!:FM999,999.9", NULL), "1,234.6");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):1234.567", "text!:S999", NULL), "+###");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):1234.567", "text!:999S", NULL), "###+");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):1234.567", "text!:MI999", NULL), " ###");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):1234.567", "text!:FMMI999", NULL), "###");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):1234.567", "text!:PL999", NULL), "+ ###");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):1234.567", "text!:FMPL999", NULL), "+###");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):1234.567", "text!:SG999", NULL), "+###");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):1234.567", "text!:999PR", NULL), " ### ");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):1234.567", "text!:FM999PR", NULL), "###");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):1234.567", "text!:0000.00", NULL), " 1234.57");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):1234.567", "text!:FM0000.00", NULL), "1234.57");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):1234.567", "text!:9990.90", NULL), " 1234.57");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):1234.567", "text!:FM9990.90", NULL), "1234.57");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):1234.567", "text!:9.9EEEE", NULL), " 1.2e+03");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):1234.567", "text!:99V9", NULL), " ###");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):1234.567", "text!:999th", NULL), " ###");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0.05", "text!:9.99", NULL), "  .05");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0.05", "text!:FM99.99", NULL), ".05");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0.05", "text!:FM99.", NULL), "0");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0.05", "text!:99.", NULL), "  0");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0.05", "text!:999,999.9", NULL), "        .1");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0.05", "text!:FM999,999.9", NULL), ".1");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0.05", "text!:S999", NULL), "  +0");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0.05", "text!:999S", NULL), "  0+");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0.05", "text!:MI999", NULL), "   0");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0.05", "text!:FMMI999", NULL), "0");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0.05", "text!:PL999", NULL), "+   0");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0.05", "text!:FMPL999", NULL), "+0");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0.05", "text!:SG999", NULL), "+  0");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0.05", "text!:999PR", NULL), "   0 ");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0.05", "text!:FM999PR", NULL), "0");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0.05", "text!:0000.00", NULL), " 0000.05");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0.05", "text!:FM0000.00", NULL), "0000.05");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0.05", "text!:9990.90", NULL), "    0.05");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0.05", "text!:FM9990.90", NULL), "0.05");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0.05", "text!:9.9EEEE", NULL), " 5.0e-02");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0.05", "text!:99V9", NULL), "   1");
    ASSERT_EQ_STR(tf("to_char", "numeric(7,3):0.05", "text!:999th", NULL), "   0th");
}

TEST(func_fmt_to_date)
{
    ASSERT_EQ_STR(tf("to_date", "text:2024-13-01", "text:YYYY-MM-DD", NULL), "ERROR 22008: date/time field value out of range: \"2024-13-01\"");
    ASSERT_EQ_STR(tf("to_date", "text:2024-02-30", "text:YYYY-MM-DD", NULL), "ERROR 22008: date/time field value out of range: \"2024-02-30\"");
    ASSERT_EQ_STR(tf("to_date", "text:20240229", "text:YYYYMMDD", NULL), "2024-02-29");
    ASSERT_EQ_STR(tf("to_date", "text:5 Jan 2024", "text:DD Mon YYYY", NULL), "2024-01-05");
    ASSERT_EQ_STR(tf("to_date", "text:2024/1/5", "text:YYYY-MM-DD", NULL), "2024-01-05");
    ASSERT_EQ_STR(tf("to_date", "text:  2024 - 01 - 05", "text:YYYY-MM-DD", NULL), "2024-01-05");
    ASSERT_EQ_STR(tf("to_date", "text:January 5, 2024", "text:Month DD, YYYY", NULL), "2024-01-05");
    ASSERT_EQ_STR(tf("to_date", "text:05-jan-24|05-jan-70|05-JAN-69", "text:DD-MON-YY", NULL), "2024-01-05|1970-01-05|2069-01-05");
    ASSERT_EQ_STR(tf("to_date", "text:2024 060", "text:YYYY DDD", NULL), "2024-02-29");
    ASSERT_EQ_STR(tf("to_date", "text:xx-01-01", "text:YYYY-MM-DD", NULL), "ERROR 22007: invalid value \"xx-0\" for \"YYYY\"");
    ASSERT_EQ_STR(tf("to_date", "text:2024-Foo-01", "text:YYYY-Mon-DD", NULL), "ERROR 22007: invalid value \"Foo-01\" for \"Mon\"");
    ASSERT_EQ_STR(tf("to_date", "text:Friday 2024-03-01", "text:Day YYYY-MM-DD", NULL), "2024-03-01");
    ASSERT_EQ_STR(tf("to_date", "text:2024-03-01 extra", "text:YYYY-MM-DD", NULL), "2024-03-01");
    ASSERT_EQ_STR(tf("to_date", "text:0044-03-15 BC", "text:YYYY-MM-DD BC", NULL), "0044-03-15 BC");
}

TEST(func_fmt_to_timestamp)
{
    ASSERT_EQ_STR(tf("to_timestamp", "text:2024-02-29 13:45:06.789", "text:YYYY-MM-DD HH24:MI:SS.MS", NULL), "2024-02-29 13:45:06.789+00");
    ASSERT_EQ_STR(tf("to_timestamp", "text:2024-02-29 01:45 PM|2024-02-29 12:10 AM", "text:YYYY-MM-DD HH:MI AM", NULL), "2024-02-29 13:45:00+00|2024-02-29 00:10:00+00");
    ASSERT_EQ_STR(tf("to_timestamp", "text:2024-02-29 12:00 +05:30|2024-02-29 12:00 -03", "text:YYYY-MM-DD HH24:MI TZH:TZM", NULL), "2024-02-29 06:30:00+00|2024-02-29 15:00:00+00");
    ASSERT_EQ_STR(tf("to_timestamp", "text:29/02/2024", "text:DD/MM/YYYY", NULL), "2024-02-29 00:00:00+00");
    ASSERT_EQ_STR(tf("to_timestamp", "text:2024-02-29 25:00", "text:YYYY-MM-DD HH24:MI", NULL), "ERROR 22008: date/time field value out of range: \"2024-02-29 25:00\"");
    ASSERT_EQ_STR(tf("to_timestamp", "text:13:00 PM", "text:HH:MI PM", NULL), "ERROR 22007: hour \"13\" is invalid for the 12-hour clock");
    ASSERT_EQ_STR(tf("to_timestamp", "text:2024-02-29 13:45:06.5", "text:YYYY-MM-DD HH24:MI:SS.US", NULL), "2024-02-29 13:45:06.5+00");
    ASSERT_EQ_STR(tf("to_timestamp", "text:2024-02-29T13:45:06", "text:YYYY-MM-DD\"T\"HH24:MI:SS", NULL), "2024-02-29 13:45:06+00");
}

TEST(func_fmt_session_zone)
{
    snprintf(tf_settings.timezone, sizeof tf_settings.timezone, "Europe/Berlin");
    ASSERT_EQ_STR(tf("to_char", "timestamptz:2024-07-01 00:00+00|2024-01-01 00:00+00", "text!:YYYY-MM-DD HH24:MI TZ OF TZH:TZM", NULL), "2024-07-01 02:00 CEST +02 +02:00|2024-01-01 01:00 CET +01 +01:00");
    ASSERT_EQ_STR(tf("to_timestamp", "text:2024-07-01 12:00", "text:YYYY-MM-DD HH24:MI", NULL), "2024-07-01 10:00:00+00");
    snprintf(tf_settings.timezone, sizeof tf_settings.timezone, "UTC");
}
