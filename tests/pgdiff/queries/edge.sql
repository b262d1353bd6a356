-- Edge values through expressions: text forms of every type inside
-- concatenation, integer boundaries, rounding of casts, interval fields.
SELECT 'x' || true, 'x' || 1.50, 'x' || 2.5::float8, 'x' || date '2020-01-02', 'x' || interval '1 day', 'x' || '\x41'::bytea, 'x' || timestamp '2020-01-01 10:00';
SELECT concat(1, true, NULL, 2.50, date '2020-01-01', 1.5::real), concat_ws('-', 1, false, 0.1::float8);
SELECT 2147483647::int + 0, -2147483648::int, 9223372036854775807::bigint - 1, -32768::smallint, (-32768)::smallint;
SELECT 32767::smallint * 1, (-32768)::smallint - 1::smallint;
-- known: numeric scale is per expression, not per value (docs/sql.md Known differences)
SELECT 12345678901234567890::numeric, -12345678901234567890.123::numeric(30,3), 0.000000001::numeric(20,9), 1.23456789012345678::numeric(20,17);
SELECT 1.005::numeric(4,2), 1.015::numeric(4,2), -1.005::numeric(4,2), 0.5::numeric(2,0), 1.5::numeric(2,0), -0.5::numeric(2,0);
SELECT 1.005::float8::numeric(4,2), 2.675::float8::numeric(4,2), 0.125::float8::numeric(3,2);
SELECT 123.456::numeric(6,2)::int, (-123.5)::numeric::int, 123.5::numeric::bigint, 0.5::numeric::smallint, 2.5::numeric::int, -2.5::numeric::int;
SELECT '  42'::bigint, '-9223372036854775808'::bigint, '0x1A'::int;
SELECT '1_000'::int;
SELECT '1e2'::int;
SELECT ' 1.5e3 '::float8, '-.5'::float8, '+1.'::float8, '1e-400'::float8;
SELECT '1e400'::float8;
SELECT ' t '::boolean, 'y'::boolean, 'no'::boolean, '1'::boolean, '0'::boolean, 'on'::boolean;
SELECT extract(hour from interval '-26 hours'), extract(day from interval '-3 days'), extract(epoch from interval '-1 month'), extract(minute from interval '1 hour 90 minutes');
SELECT extract(year from interval '27 months'), extract(month from interval '-14 months'), extract(epoch from interval '1 year'), extract(second from interval '1.5 seconds');
SELECT date_trunc('month', interval '1 year 5 months 3 days'), date_trunc('year', interval '27 months'), date_trunc('minute', interval '1 hour 2 minutes 3.5 seconds');
SELECT justify_hours(interval '-25 hours'), justify_days(interval '-35 days'), justify_interval(interval '1 mon -35 days'), justify_days(interval '1 year 65 days');
SELECT interval '1 day' * -1.5, interval '1 month' / 2, interval '1 month 1 day' / 3, interval '3 hours' * 0.333, interval '1 year' / 7;
SELECT age(timestamp '2020-02-29 12:00', timestamp '2019-02-28 13:00'), age(timestamp '2000-01-01', timestamp '2000-01-01 00:00:01');
SELECT time '12:00' + interval '25 hours', time '00:00' - interval '1 minute', time '10:30:15.5' - time '09:15';
SELECT timestamp '2020-02-29 00:00' + interval '1 year', timestamp '2020-01-31' + interval '1 month 1 day', timestamp '2020-03-31' - interval '1 month -1 day';
SELECT date '2020-01-01' + interval '1.5 days', date '2020-01-01' - interval '1 hour', date '2020-12-31' + 1, date '2021-01-01' - 1;
SELECT to_char(timestamp '2020-01-01 00:00:00', 'HH12 AM'), to_char(timestamp '2020-01-01 12:00:00', 'HH12 PM'), to_char(timestamp '2020-01-01 13:05:00', 'FMHH12:MI am');
SELECT to_char(date '2020-01-01', 'FMDay FMMonth'), to_char(date '2020-01-06', 'Dy Mon'), to_char(date '2021-01-03', 'IYYY IW ID'), to_char(date '2020-12-28', 'YYYY WW W');
SELECT to_char(-1234.567, 'FM9999.99'), to_char(0.001, '9.999'), to_char(1, '9.99EEEE'), to_char(99.999, '99.99'), to_char(-0.5, 'FM0.0'), to_char(1234, '9G999D99');
SELECT to_char(12345678, '99,999'), to_char(5.5::real, '9.9'), to_char(1e15::float8, '9999999999999999'), to_char(-7::bigint, '00'), to_char(3::smallint, 'FM00th');
SELECT to_char(1, 'FM9th'), to_char(2, 'FM9th'), to_char(3, 'FM9TH'), to_char(11, 'FM99th'), to_char(22, 'FM99th'), to_char(103, 'FM999th');
SELECT upper('straße'), lower('İ'), length('straße'), substr('héllo', 2, 2), position('l' in 'héllo'), reverse('héllo'), left('héllo', 2), lpad('é', 3, 'ü');
SELECT strpos('héllo', 'llo'), overlay('héllo' placing 'XY' from 2 for 1), translate('héllo', 'é', 'e'), split_part('é,ü,ö', ',', 2), initcap('élan vital'), ascii('é'), chr(252);
SELECT 'abc' < 'abd', 'abc' < 'ab', 'a' < 'B', 'é' > 'z', 'abc ' = 'abc', 'ABC' = upper('abc');
SELECT md5(s), length(s) FROM t1 WHERE s IS NOT NULL ORDER BY s DESC LIMIT 3;
SELECT count(*) FILTER (WHERE s < 'a'), count(*) FILTER (WHERE s >= 'a'), min(s COLLATE "C"), max(s) FROM t1;
SELECT greatest('apple', 'Apple', 'banana'), least(date '2020-01-01', date '2019-12-31'), greatest(interval '1 day', interval '23 hours'), least(true, false), greatest(1::smallint, 2::bigint);
SELECT 7 / 2 * 2.0, 7 / 2.0 * 2, 7::float8 / 2 * 2, 1 / 3 + 1 / 3.0, 2 ^ 10 - 1, 10 % 3 * 2.5;
