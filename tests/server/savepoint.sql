-- tests/server/savepoint.sql: SAVEPOINT / RELEASE / ROLLBACK TO in blocks; the expected output
-- (savepoint_expected.txt) is PostgreSQL 15's, LOCATION lines removed
\set VERBOSITY verbose
savepoint a;
release savepoint a;
rollback to savepoint a;
begin;
savepoint a;
savepoint b;
release b;
rollback to b;
rollback to a;
select 1/0;
release a;
rollback to nosuch;
rollback to a;
select 1;
release savepoint a;
release a;
savepoint "A b";
rollback to savepoint "A b";
commit;
begin;
savepoint x;
select 1/0;
rollback work to savepoint x;
savepoint y;
release x;
rollback to y;
rollback;
