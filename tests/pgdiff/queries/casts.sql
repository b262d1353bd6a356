-- Casts between types and the text output of each type.
SELECT 1::text, (-5)::text, 1.50::text, 1.5::float8::text, 0.1::real::text, 1e100::float8::text;
SELECT 1e15::float8, 1e16::float8, 123456789012345678::float8, 1.0e-4::float8, 1.0e-5::float8, 0.000123456::float8;
SELECT 1.0::float4, 3.14159265358979::float4, 1e10::float4, 1e-10::float4, 16777217::float4;
SELECT '-0'::float8, (-0.0)::float8, 0.0::float8 * -1;
SELECT 'nan'::float8, 'inf'::float8, '-Infinity'::float8, 'infinity'::real;
SELECT '  12  '::int, '-0'::int, '+7'::int, '2147483647'::int;
SELECT '2147483648'::int;
SELECT 'abc'::int;
SELECT ''::int;
SELECT '1.5'::int;
SELECT 1.5::int, 2.5::int, -1.5::int, -2.5::int, 1.4999::int;
SELECT 1.5::float8::int, 2.5::float8::int, -2.5::float8::int, 3.5::real::int;
SELECT 2147483647.5::int;
SELECT 1e10::float8::int;
SELECT 40000::smallint;
SELECT 9223372036854775807::float8::bigint;
SELECT '9223372036854775808'::bigint;
SELECT 12.345::numeric(5,2), 12.355::numeric(5,2), -12.345::numeric(5,2), 0.5::numeric(1,0);
SELECT 123.45::numeric(4,2);
SELECT 99.995::numeric(4,2);
-- known: numeric scale is per expression, not per value (docs/sql.md Known differences)
SELECT '1e3'::numeric, '  1.50  '::numeric, '-0.00'::numeric, '.5'::numeric, '5.'::numeric;
SELECT 'x1'::numeric;
-- known: numeric scale is per expression, not per value (docs/sql.md Known differences)
SELECT 1.5::float8::numeric, (1.0/3)::float8, 0.1::float4::float8, 1e20::float8::numeric;
-- unsupported: numeric NaN (DECIMAL has no NaN)
SELECT 'NaN'::numeric, 'nan'::numeric::float8;
SELECT true::text, false::int, 1::boolean, 0::boolean, 't'::boolean, 'yes'::boolean, 'off'::boolean, 'TRUE'::boolean;
SELECT 'maybe'::boolean;
SELECT 5::boolean;
SELECT '2020-02-29'::date, '2020-2-3'::date, 'epoch'::timestamp, 'EPOCH'::date, ' 2020-01-05 '::date;
SELECT '2021-02-29'::date;
SELECT '2020-13-01'::date;
-- unsupported: infinite dates and timestamps (no representation in tarn)
SELECT 'infinity'::date;
-- unsupported: infinite dates and timestamps (no representation in tarn)
SELECT '-infinity'::timestamp;
SELECT date '2020-01-01'::timestamp, timestamp '2020-01-01 12:34:56.789'::date, timestamp '2020-01-01 12:34:56.789'::time;
SELECT '2020-01-01 10:00:00+02'::timestamptz, '2020-06-15 23:59:59.999999'::timestamp, '2020-01-01T01:02:03'::timestamp;
SELECT timestamp '2020-01-01 00:00:00.5', timestamp '2020-01-01 00:00:00.123456', timestamp '2020-01-01 00:00:00.1234567';
SELECT '12:34'::time, '23:59:59.999'::time, '24:00:00'::time, time '01:02:03.5';
SELECT '1 day'::interval, '1 day 2 hours'::interval, '-1 day'::interval, '1 year 2 months 3 days 04:05:06.7'::interval;
SELECT '90 minutes'::interval, '36 hours'::interval, '1.5 days'::interval, '0.5 months'::interval, '100 seconds'::interval;
SELECT '1 mon -1 day'::interval, '-1 year -2 mons +3 days -04:05:06'::interval, '00:00:00'::interval, '-00:00:01'::interval;
SELECT interval '1' year, interval '90' day, interval '2' hour, interval '1:30' hour to minute, interval '10' minute;
SELECT 'P1Y2M3DT4H5M6S'::interval, '1 week'::interval, '2 decades'::interval, '1 millisecond'::interval;
SELECT '123'::text::int + 1, 42::text || 'x', 1.5::text || 'x', now() IS NOT NULL;
-- known: varchar(n) / char(n) are text: no truncation or blank padding (docs/sql.md Known differences)
SELECT 'abc'::varchar(2)::text, 'abcdef'::char(3)::text, 'ab'::char(4) || '|', length('ab'::char(4));
-- known: varchar(n) / char(n) are text: no truncation or blank padding (docs/sql.md Known differences)
SELECT 'ab'::varchar(5)::text || '|', 'héllo'::varchar(3)::text;
SELECT '\x4142'::bytea, 'abc'::bytea, '\x'::bytea;
SELECT id, a::text, c::text, f::text, r::text, d::text, ts::text, flag::text FROM t1 WHERE id % 250 = 7 ORDER BY id;
-- known: numeric scale is per expression, not per value (docs/sql.md Known differences)
SELECT id, a::float8, a::numeric(10,2), c::int, c::float8, f::numeric, f::int, r::float8 FROM t1 WHERE id % 173 = 11 ORDER BY id;
SELECT id, d::timestamp, ts::date, ts::time, d::text::date FROM t1 WHERE id % 301 = 0 ORDER BY id;
SELECT id, b::int FROM t1 WHERE id < 5 ORDER BY id;
SELECT id, b::int FROM t1 ORDER BY id;
SELECT id, b::smallint FROM t1 WHERE id = 1500;
SELECT id, b::float4 FROM t1 WHERE id % 500 = 1 ORDER BY id;
SELECT CAST(a AS text), CAST(c AS numeric(6,1)), CAST(f AS real) FROM t1 WHERE id BETWEEN 30 AND 40 ORDER BY id;
SELECT pg_typeof(1)::text, pg_typeof(1.5)::text, pg_typeof(1::bigint + 1)::text, pg_typeof(1 + 1.5)::text, pg_typeof(1 + 1.5::float8)::text, pg_typeof('a' || 1)::text;
SELECT pg_typeof(sum(a))::text, pg_typeof(sum(b))::text, pg_typeof(sum(c))::text, pg_typeof(sum(f))::text, pg_typeof(avg(a))::text, pg_typeof(avg(f))::text, pg_typeof(count(*))::text FROM t1;
SELECT pg_typeof(d + 1)::text, pg_typeof(d - d)::text, pg_typeof(d + interval '1 day')::text, pg_typeof(ts - ts)::text, pg_typeof(r * 2)::text, pg_typeof(r * 2.0)::text FROM t1 LIMIT 1;
SELECT pg_typeof(1::smallint + 1::smallint)::text, pg_typeof(1::smallint * 2)::text, pg_typeof(abs(1::smallint))::text, pg_typeof(round(1.5::float8))::text, pg_typeof(mod(5::smallint, 2::smallint))::text;
SELECT '2020-02-30'::date;
SELECT '2020-04-31 10:00'::timestamp;
SELECT '2020-01-01 25:00'::timestamp;
SELECT '10:61'::time;
SELECT '24:00:01'::time;
SELECT '2020-01-01 10:00:60'::timestamp;
SELECT 'garbage'::date;
SELECT '1.5 years'::interval, '0.5 weeks'::interval, '1.25 hours'::interval, '2.75 mons'::interval, '-1.5 days'::interval;
SELECT '1 decade 2 centuries'::interval, '1 millennium'::interval, '3 hrs 5 mins 2 secs'::interval, '500 msec'::interval, '@ 1 day'::interval;
SELECT 'P1.5Y'::interval, 'P2W'::interval, 'PT36H'::interval, 'P1DT0.5S'::interval, 'P-1Y2M'::interval;
SELECT '1 day ago'::interval, '2 hours 30 minutes ago'::interval, '1 year -2 days'::interval;
SELECT 'P1Y2X'::interval;
-- unsupported: numeric NaN and infinity (DECIMAL has neither)
SELECT 'Infinity'::float8::numeric;
SELECT '0001-01-01'::date - 1, '0044-03-15 BC'::date, date '2020-01-01' - 737425, '4713-01-01 BC'::date + 0;
SELECT timestamp '0001-01-01 00:00:00' - interval '1 second', '2000-01-01 12:00 BC'::timestamp;
SELECT 1e-7::float8, 123456789012345.6::float8, 1.2345678901234567e-5::float8, 5e-324::float8, 1.7976931348623157e308::float8, 0.30000000000000004::float8;
SELECT 1e-7::real, 123456.7::real, 1.17549435e-38::real, 3.4028235e38::real, 0.3::real, 7.0e-45::real, 16777216::real;
SELECT id, r::text, (r * 3.3)::real::text, (1 / r)::real FROM t1 WHERE id % 97 = 13 AND r <> 0 ORDER BY id;
SELECT x::real, x::float8 FROM (VALUES (0.1), (1.1), (2.675), (1e20), (123456789.123)) v(x);
SELECT interval '1 day 2 hours 3 minutes 4.5 seconds', interval '-1 day -2 hours', interval '1 year -1 month', interval '0.000001 seconds', interval '1 hour -1 microsecond';
SELECT interval '2147483647 days';
SELECT interval '2147483648 days';
SELECT (interval '1 month') * 2147483647;
SELECT timestamp '2020-01-01 00:00:00.000001', timestamp '2020-01-01 00:00:00.9999995', time '23:59:59.9999999';
SELECT 1e-50::float8::real;
SELECT 1e39::float8::real;
SELECT '1e-50'::real;
SELECT '1e39'::real;
SELECT 1e39::real;
SELECT '20200131'::date, ' 19991231 '::date, '00010101'::date;
SELECT '20200230'::date;
