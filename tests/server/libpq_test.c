/*
 * libpq_test.c - drives `tarn serve` with libpq (tests/server/run.sh):
 * extended protocol with text and binary parameters and results, named
 * statements and Describe, parameter type inference, error recovery,
 * pipelines, CancelRequest, statement_timeout, transaction status,
 * ParameterStatus, several connections at once.
 *
 *   libpq_test "host=127.0.0.1 port=N user=u dbname=d"
 *
 * Prints "ok N - what" / "not ok N - what: why" and exits 1 on a failure.
 */
#include <arpa/inet.h>
#include <libpq-fe.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int n_test, n_fail;

static void check(int ok, const char *what, const char *why)
{
    n_test++;
    if (ok) {
        printf("ok %d - %s\n", n_test, what);
    } else {
        n_fail++;
        printf("not ok %d - %s: %s\n", n_test, what, why ? why : "");
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *state_of(const PGresult *r)
{
    const char *s = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    return s ? s : "";
}

/* Runs sql; true when the result status is want. */
static int exec_ok(PGconn *c, const char *sql, ExecStatusType want)
{
    PGresult *r = PQexec(c, sql);
    int ok = PQresultStatus(r) == want;
    if (!ok)
        fprintf(stderr, "  %s -> %s %s", sql, PQresStatus(PQresultStatus(r)), PQresultErrorMessage(r));
    PQclear(r);
    return ok;
}

static uint32_t be32(const char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return ntohl(v);
}

static uint64_t be64(const char *p) { return (uint64_t)be32(p) << 32 | be32(p + 4); }

static void test_text_params(PGconn *c)
{
    const char *vals[2] = {"41", NULL};
    PGresult *r = PQexecParams(c, "select $1::int + 1 as x, $2::text as y", 2, NULL, vals, NULL, NULL, 0);
    check(PQresultStatus(r) == PGRES_TUPLES_OK && !strcmp(PQgetvalue(r, 0, 0), "42") && PQgetisnull(r, 0, 1) &&
              PQftype(r, 0) == 23 && PQftype(r, 1) == 25 && !strcmp(PQfname(r, 0), "x"),
          "text parameters and result", PQresultErrorMessage(r));
    PQclear(r);
}

static void test_binary_params(PGconn *c)
{
    uint32_t i4 = htonl((uint32_t)-7);
    uint32_t i8[2] = {htonl(0x12), htonl(0x34567890)};
    double f8 = 2.5;
    uint64_t f8u;
    memcpy(&f8u, &f8, 8);
    uint32_t f8be[2] = {htonl((uint32_t)(f8u >> 32)), htonl((uint32_t)f8u)};
    char b = 1;
    /* numeric -12.5: ndigits 2, weight 0, sign neg, dscale 1, digits 12, 5000 */
    unsigned char num[12] = {0, 2, 0, 0, 0x40, 0, 0, 1, 0, 12, 0x13, 0x88};
    int32_t date = (int32_t)htonl(8825); /* 2024-02-29 */
    /* timestamp 2024-01-02 03:04:05.5 = 757479845.5 s after 2000-01-01 */
    uint64_t tsv = 757479845500000ULL;
    uint32_t ts[2] = {htonl((uint32_t)(tsv >> 32)), htonl((uint32_t)tsv)};
    const char *vals[8] = {(char *)&i4, (char *)i8, (char *)f8be, &b, "héllo", (char *)num, (char *)&date,
                           (char *)ts};
    int lens[8] = {4, 8, 8, 1, (int)strlen("héllo"), 12, 4, 8};
    int fmts[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    Oid types[8] = {23, 20, 701, 16, 25, 1700, 1082, 1114};
    PGresult *r = PQexecParams(c, "select $1, $2, $3, $4, $5, $6, $7, $8", 8, types, vals, lens, fmts, 0);
    int ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    const char *want[8] = {"-7", "78187493520", "2.5", "t", "héllo", "-12.5", "2024-02-29", "2024-01-02 03:04:05.5"};
    char why[512] = "";
    for (int i = 0; ok && i < 8; i++)
        if (strcmp(PQgetvalue(r, 0, i), want[i])) {
            ok = 0;
            snprintf(why, sizeof why, "column %d: got \"%s\", want \"%s\"", i + 1, PQgetvalue(r, 0, i), want[i]);
        }
    check(ok, "binary parameters (int4 int8 float8 bool text numeric date timestamp)",
          why[0] ? why : PQresultErrorMessage(r));
    PQclear(r);
    /* a wrong binary length is 22P03 */
    uint16_t shrt = 1;
    const char *v1[1] = {(char *)&shrt};
    int l1[1] = {2}, f1[1] = {1};
    Oid t1[1] = {23};
    r = PQexecParams(c, "select $1", 1, t1, v1, l1, f1, 0);
    check(PQresultStatus(r) == PGRES_FATAL_ERROR && !strcmp(state_of(r), "08P01"),
          "binary int4 parameter of 2 bytes is 08P01", PQresultErrorMessage(r));
    PQclear(r);
    uint32_t six[2] = {0, 0};
    const char *v6[1] = {(char *)six};
    int l6[1] = {6};
    r = PQexecParams(c, "select $1", 1, t1, v6, l6, f1, 0);
    check(PQresultStatus(r) == PGRES_FATAL_ERROR && !strcmp(state_of(r), "22P03"),
          "binary int4 parameter of 6 bytes is 22P03", PQresultErrorMessage(r));
    PQclear(r);
}

static void test_binary_results(PGconn *c)
{
    PGresult *r = PQexecParams(c,
                               "select 42::int4, 1234567890123::int8, 1.5::float8, true, 'hé'::text, '\\x01ff'::bytea, "
                               "12.340::numeric(10,3), date '2024-02-29', timestamp '2024-01-02 03:04:05.5', 7::int2, "
                               "null::int4, (-0.001)::numeric(6,3)",
                               0, NULL, NULL, NULL, NULL, 1);
    int ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQnfields(r) == 12;
    char why[256] = "";
#define FAIL(msg) do { if (ok) snprintf(why, sizeof why, "%s", msg); ok = 0; } while (0)
    if (ok) {
        if (PQgetlength(r, 0, 0) != 4 || be32(PQgetvalue(r, 0, 0)) != 42) FAIL("int4");
        if (PQgetlength(r, 0, 1) != 8 || be64(PQgetvalue(r, 0, 1)) != 1234567890123ULL) FAIL("int8");
        uint64_t u = be64(PQgetvalue(r, 0, 2));
        double d;
        memcpy(&d, &u, 8);
        if (PQgetlength(r, 0, 2) != 8 || d != 1.5) FAIL("float8");
        if (PQgetlength(r, 0, 3) != 1 || PQgetvalue(r, 0, 3)[0] != 1) FAIL("bool");
        if (PQgetlength(r, 0, 4) != 3 || memcmp(PQgetvalue(r, 0, 4), "hé", 3)) FAIL("text");
        if (PQgetlength(r, 0, 5) != 2 || memcmp(PQgetvalue(r, 0, 5), "\x01\xff", 2)) FAIL("bytea");
        static const unsigned char n1[] = {0, 2, 0, 0, 0, 0, 0, 3, 0, 12, 0x0d, 0x48}; /* 12.340 */
        if (PQgetlength(r, 0, 6) != 12 || memcmp(PQgetvalue(r, 0, 6), n1, 12)) FAIL("numeric 12.340");
        if (PQgetlength(r, 0, 7) != 4 || be32(PQgetvalue(r, 0, 7)) != 8825) FAIL("date");
        if (PQgetlength(r, 0, 8) != 8 || be64(PQgetvalue(r, 0, 8)) != 757479845500000ULL) FAIL("timestamp");
        if (PQgetlength(r, 0, 9) != 2 || (PQgetvalue(r, 0, 9)[1] != 7)) FAIL("int2");
        if (!PQgetisnull(r, 0, 10)) FAIL("null");
        static const unsigned char n2[] = {0, 1, 0xff, 0xff, 0x40, 0, 0, 3, 0, 10}; /* -0.001 */
        if (PQgetlength(r, 0, 11) != 10 || memcmp(PQgetvalue(r, 0, 11), n2, 10)) FAIL("numeric -0.001");
        if (PQfformat(r, 0) != 1) FAIL("format code");
    }
#undef FAIL
    check(ok, "binary results", why[0] ? why : PQresultErrorMessage(r));
    PQclear(r);
}

static void test_prepared(PGconn *c)
{
    PGresult *r = PQprepare(c, "s1", "select $1::int * 2 as dbl", 0, NULL);
    check(PQresultStatus(r) == PGRES_COMMAND_OK, "PQprepare named statement", PQresultErrorMessage(r));
    PQclear(r);
    r = PQdescribePrepared(c, "s1");
    check(PQresultStatus(r) == PGRES_COMMAND_OK && PQnparams(r) == 1 && PQparamtype(r, 0) == 23 && PQnfields(r) == 1 &&
              PQftype(r, 0) == 23 && !strcmp(PQfname(r, 0), "dbl"),
          "PQdescribePrepared: parameter and column types", PQresultErrorMessage(r));
    PQclear(r);
    const char *v[1] = {"21"};
    r = PQexecPrepared(c, "s1", 1, v, NULL, NULL, 0);
    check(PQresultStatus(r) == PGRES_TUPLES_OK && !strcmp(PQgetvalue(r, 0, 0), "42"), "PQexecPrepared",
          PQresultErrorMessage(r));
    PQclear(r);
    v[0] = "5";
    r = PQexecPrepared(c, "s1", 1, v, NULL, NULL, 0);
    check(PQresultStatus(r) == PGRES_TUPLES_OK && !strcmp(PQgetvalue(r, 0, 0), "10"), "PQexecPrepared again",
          PQresultErrorMessage(r));
    PQclear(r);
    r = PQprepare(c, "s1", "select 1", 0, NULL);
    check(PQresultStatus(r) == PGRES_FATAL_ERROR && !strcmp(state_of(r), "42P05"), "preparing an existing name is 42P05",
          PQresultErrorMessage(r));
    PQclear(r);
    r = PQexecPrepared(c, "nosuch", 0, NULL, NULL, NULL, 0);
    check(PQresultStatus(r) == PGRES_FATAL_ERROR && !strcmp(state_of(r), "26000"), "unknown statement is 26000",
          PQresultErrorMessage(r));
    PQclear(r);
    check(exec_ok(c, "create table pt(a int, b text, c date)", PGRES_COMMAND_OK), "create table", NULL);
    r = PQprepare(c, "ins", "insert into pt values ($1, $2, $3)", 0, NULL);
    check(PQresultStatus(r) == PGRES_COMMAND_OK, "prepare INSERT", PQresultErrorMessage(r));
    PQclear(r);
    r = PQdescribePrepared(c, "ins");
    check(PQnparams(r) == 3 && PQparamtype(r, 0) == 23 && PQparamtype(r, 1) == 25 && PQparamtype(r, 2) == 1082 &&
              PQnfields(r) == 0,
          "INSERT parameter types inferred from the columns", PQresultErrorMessage(r));
    PQclear(r);
    const char *iv[3] = {"1", "one", "2024-01-01"};
    r = PQexecPrepared(c, "ins", 3, iv, NULL, NULL, 0);
    check(PQresultStatus(r) == PGRES_COMMAND_OK && !strcmp(PQcmdStatus(r), "INSERT 0 1"), "execute INSERT: tag",
          PQcmdStatus(r));
    PQclear(r);
    const char *iv2[3] = {"2", NULL, NULL};
    r = PQexecPrepared(c, "ins", 3, iv2, NULL, NULL, 0);
    PQclear(r);
    r = PQprepare(c, "sel", "select b from pt where a = $1", 0, NULL);
    PQclear(r);
    r = PQdescribePrepared(c, "sel");
    check(PQnparams(r) == 1 && PQparamtype(r, 0) == 23, "WHERE a = $1 infers integer", PQresultErrorMessage(r));
    PQclear(r);
    const char *sv[1] = {"1"};
    r = PQexecPrepared(c, "sel", 1, sv, NULL, NULL, 0);
    check(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && !strcmp(PQgetvalue(r, 0, 0), "one"),
          "select with a parameter", PQresultErrorMessage(r));
    PQclear(r);
    r = PQprepare(c, "bad", "select $1", 0, NULL);
    check(PQresultStatus(r) == PGRES_COMMAND_OK, "select $1 prepares (text)", PQresultErrorMessage(r));
    PQclear(r);
    r = PQdescribePrepared(c, "bad");
    check(PQparamtype(r, 0) == 25, "select $1 has a text parameter", NULL);
    PQclear(r);
}

static void test_errors(PGconn *c)
{
    const char *v[1] = {"abc"};
    PGresult *r = PQexecParams(c, "select $1::int", 1, NULL, v, NULL, NULL, 0);
    check(PQresultStatus(r) == PGRES_FATAL_ERROR && !strcmp(state_of(r), "22P02"), "bad integer text is 22P02",
          PQresultErrorMessage(r));
    PQclear(r);
    r = PQexec(c, "select nosuchcol from pt");
    const char *pos = PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION);
    check(PQresultStatus(r) == PGRES_FATAL_ERROR && !strcmp(state_of(r), "42703") && pos && !strcmp(pos, "8"),
          "error fields: SQLSTATE 42703 and position 8", PQresultErrorMessage(r));
    PQclear(r);
    r = PQexec(c, "select 1; select nosuchcol from pt");
    pos = PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION);
    check(PQresultStatus(r) == PGRES_FATAL_ERROR && pos && !strcmp(pos, "18"),
          "position of an error in the second statement counts from the message start", pos ? pos : "no position");
    PQclear(r);
    r = PQexec(c, "select 1; select 2 as two");
    check(PQresultStatus(r) == PGRES_TUPLES_OK && !strcmp(PQgetvalue(r, 0, 0), "2"), "two statements in one Query",
          PQresultErrorMessage(r));
    PQclear(r);
    r = PQexec(c, "");
    check(PQresultStatus(r) == PGRES_EMPTY_QUERY, "empty query", PQresStatus(PQresultStatus(r)));
    PQclear(r);
    r = PQexec(c, "select 1 as still_alive");
    check(PQresultStatus(r) == PGRES_TUPLES_OK, "connection usable after errors", PQresultErrorMessage(r));
    PQclear(r);
}

static void test_pipeline(PGconn *c)
{
    int ok = PQenterPipelineMode(c);
    const char *v1[1] = {"1"}, *v2[1] = {"x"}, *v3[1] = {"3"};
    ok = ok && PQsendQueryParams(c, "select $1::int", 1, NULL, v1, NULL, NULL, 0);
    ok = ok && PQsendQueryParams(c, "select $1::int", 1, NULL, v2, NULL, NULL, 0);
    ok = ok && PQsendQueryParams(c, "select $1::int", 1, NULL, v3, NULL, NULL, 0);
    ok = ok && PQpipelineSync(c);
    ok = ok && PQsendQueryParams(c, "select $1::int + 1", 1, NULL, v3, NULL, NULL, 0);
    ok = ok && PQpipelineSync(c);
    ExecStatusType want[] = {PGRES_TUPLES_OK, PGRES_FATAL_ERROR, PGRES_PIPELINE_ABORTED, PGRES_PIPELINE_SYNC,
                             PGRES_TUPLES_OK, PGRES_PIPELINE_SYNC};
    char why[256] = "";
    for (int i = 0; ok && i < 6; i++) {
        PGresult *r = PQgetResult(c);
        if (!r) { /* end of one query's results */
            r = PQgetResult(c);
        }
        if (!r || PQresultStatus(r) != want[i]) {
            snprintf(why, sizeof why, "result %d: %s, want %s", i, r ? PQresStatus(PQresultStatus(r)) : "none",
                     PQresStatus(want[i]));
            ok = 0;
        } else if (i == 4 && strcmp(PQgetvalue(r, 0, 0), "4")) {
            snprintf(why, sizeof why, "after the sync: %s", PQgetvalue(r, 0, 0));
            ok = 0;
        }
        PQclear(r);
    }
    while (ok) {
        PGresult *r = PQgetResult(c);
        if (!r)
            break;
        PQclear(r);
    }
    ok = ok && PQexitPipelineMode(c);
    check(ok, "pipeline: error, skip till Sync, recover", why);
}

static void test_cancel(PGconn *c)
{
    double t0 = now_s();
    int ok = PQsendQuery(c, "select count(*) from generate_series(1, 10000000000)");
    usleep(400000);
    char errbuf[256];
    PGcancel *cn = PQgetCancel(c);
    ok = ok && cn && PQcancel(cn, errbuf, sizeof errbuf);
    PQfreeCancel(cn);
    PGresult *r = PQgetResult(c);
    const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    ok = ok && PQresultStatus(r) == PGRES_FATAL_ERROR && !strcmp(state_of(r), "57014") && msg &&
         !strcmp(msg, "canceling statement due to user request");
    PQclear(r);
    while ((r = PQgetResult(c)))
        PQclear(r);
    double t = now_s() - t0;
    char why[128];
    snprintf(why, sizeof why, "%.1f s; %s", t, msg ? msg : "no error");
    check(ok && t < 20, "PQcancel stops a long query with 57014", why);
    check(exec_ok(c, "select 1", PGRES_TUPLES_OK), "connection usable after cancel", NULL);
}

static void test_statement_timeout(PGconn *c)
{
    exec_ok(c, "set statement_timeout = '300ms'", PGRES_COMMAND_OK);
    double t0 = now_s();
    PGresult *r = PQexec(c, "select count(*) from generate_series(1, 10000000000)");
    const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    check(PQresultStatus(r) == PGRES_FATAL_ERROR && !strcmp(state_of(r), "57014") && msg &&
              !strcmp(msg, "canceling statement due to statement timeout") && now_s() - t0 < 20,
          "statement_timeout cancels with 57014", PQresultErrorMessage(r));
    PQclear(r);
    check(exec_ok(c, "select count(*) from generate_series(1, 1000)", PGRES_TUPLES_OK), "short query under the timeout",
          NULL);
    exec_ok(c, "set statement_timeout = 0", PGRES_COMMAND_OK);
}

static void test_transactions(PGconn *c)
{
    check(PQtransactionStatus(c) == PQTRANS_IDLE, "idle", NULL);
    exec_ok(c, "begin", PGRES_COMMAND_OK);
    check(PQtransactionStatus(c) == PQTRANS_INTRANS, "BEGIN: in transaction", NULL);
    PGresult *r = PQexec(c, "select 1/0");
    PQclear(r);
    check(PQtransactionStatus(c) == PQTRANS_INERROR, "error inside BEGIN: failed transaction", NULL);
    r = PQexec(c, "select 1");
    check(PQresultStatus(r) == PGRES_FATAL_ERROR && !strcmp(state_of(r), "25P02"), "commands in a failed block are 25P02",
          PQresultErrorMessage(r));
    PQclear(r);
    r = PQexec(c, "commit");
    check(PQresultStatus(r) == PGRES_COMMAND_OK && !strcmp(PQcmdStatus(r), "ROLLBACK") &&
              PQtransactionStatus(c) == PQTRANS_IDLE,
          "COMMIT of a failed block answers ROLLBACK", PQcmdStatus(r));
    PQclear(r);
}

static void test_params_status(PGconn *c)
{
    const char *v = PQparameterStatus(c, "server_version");
    check(v && !strncmp(v, "15", 2) && PQserverVersion(c) >= 150000, "server_version 15", v);
    v = PQparameterStatus(c, "integer_datetimes");
    check(v && !strcmp(v, "on"), "integer_datetimes on", v);
    v = PQparameterStatus(c, "standard_conforming_strings");
    check(v && !strcmp(v, "on"), "standard_conforming_strings on", v);
    v = PQparameterStatus(c, "server_encoding");
    check(v && !strcmp(v, "UTF8"), "server_encoding UTF8", v);
    exec_ok(c, "set application_name = 'libpq_test_app'", PGRES_COMMAND_OK);
    v = PQparameterStatus(c, "application_name");
    check(v && !strcmp(v, "libpq_test_app"), "SET application_name is reported", v);
    exec_ok(c, "set timezone = 'Europe/Paris'", PGRES_COMMAND_OK);
    v = PQparameterStatus(c, "TimeZone");
    check(v && !strcmp(v, "Europe/Paris"), "SET TimeZone is reported", v);
    PGresult *r = PQexec(c, "select timestamptz '2024-06-01 12:00:00+00'");
    check(PQresultStatus(r) == PGRES_TUPLES_OK && !strcmp(PQgetvalue(r, 0, 0), "2024-06-01 14:00:00+02"),
          "timestamptz in the session zone", PQgetvalue(r, 0, 0));
    PQclear(r);
    exec_ok(c, "reset timezone", PGRES_COMMAND_OK);
}

static void test_many(const char *conninfo)
{
    enum { N = 12 };
    PGconn *cs[N];
    int ok = 1;
    for (int i = 0; i < N; i++) {
        cs[i] = PQconnectdb(conninfo);
        if (PQstatus(cs[i]) != CONNECTION_OK)
            ok = 0;
    }
    for (int i = 0; ok && i < N; i++)
        ok = PQsendQuery(cs[i], "select count(*) from generate_series(1, 200000)");
    for (int i = 0; ok && i < N; i++) {
        PGresult *r = PQgetResult(cs[i]);
        if (PQresultStatus(r) != PGRES_TUPLES_OK || strcmp(PQgetvalue(r, 0, 0), "200000"))
            ok = 0;
        PQclear(r);
        while ((r = PQgetResult(cs[i])))
            PQclear(r);
    }
    for (int i = 0; i < N; i++)
        PQfinish(cs[i]);
    check(ok, "12 sessions run queries at once", NULL);
}

/* RowDescription's table OID / column number (PQftable / PQftablecol), as
 * PostgreSQL 15 sends them: a plain table column names pg_class.oid and
 * attnum; computed columns 0 / 0.  Also through the extended protocol, and
 * ROLLBACK TO SAVEPOINT there recovering a failed block (JDBC autosave). */
static void test_col_source(PGconn *c)
{
    check(exec_ok(c, "create table fsrc(a int, b int, c text)", PGRES_COMMAND_OK), "create fsrc", NULL);
    PGresult *r = PQexec(c, "select 'fsrc'::regclass::oid");
    Oid oid = PQresultStatus(r) == PGRES_TUPLES_OK ? (Oid)strtoul(PQgetvalue(r, 0, 0), NULL, 10) : 0;
    PQclear(r);
    r = PQexec(c, "select a, b + 1, c from fsrc");
    check(PQresultStatus(r) == PGRES_TUPLES_OK && oid && PQftable(r, 0) == oid && PQftablecol(r, 0) == 1 &&
              PQftable(r, 1) == InvalidOid && PQftablecol(r, 1) == 0 && PQftable(r, 2) == oid && PQftablecol(r, 2) == 3,
          "RowDescription: table OID and attnum of table columns (simple query)", PQresultErrorMessage(r));
    PQclear(r);
    r = PQexecParams(c, "select s.c, count(*) over () from (select c, a from fsrc where a > $1) s", 1, NULL,
                     (const char *const[]){"0"}, NULL, NULL, 0);
    check(PQresultStatus(r) == PGRES_TUPLES_OK && PQftable(r, 0) == oid && PQftablecol(r, 0) == 3 &&
              PQftable(r, 1) == InvalidOid && PQftablecol(r, 1) == 0,
          "RowDescription: through a derived table (extended protocol)", PQresultErrorMessage(r));
    PQclear(r);
    /* extended protocol inside a block: an error, then ROLLBACK TO SAVEPOINT */
    int ok = exec_ok(c, "begin", PGRES_COMMAND_OK) && exec_ok(c, "savepoint s1", PGRES_COMMAND_OK);
    r = PQexecParams(c, "select 1 / $1::int", 1, NULL, (const char *const[]){"0"}, NULL, NULL, 0);
    ok = ok && PQresultStatus(r) == PGRES_FATAL_ERROR && PQtransactionStatus(c) == PQTRANS_INERROR;
    PQclear(r);
    r = PQexecParams(c, "rollback to savepoint s1", 0, NULL, NULL, NULL, NULL, 0);
    ok = ok && PQresultStatus(r) == PGRES_COMMAND_OK && !strcmp(PQcmdStatus(r), "ROLLBACK") &&
         PQtransactionStatus(c) == PQTRANS_INTRANS;
    PQclear(r);
    r = PQexecParams(c, "release savepoint s1", 0, NULL, NULL, NULL, NULL, 0);
    ok = ok && PQresultStatus(r) == PGRES_COMMAND_OK && !strcmp(PQcmdStatus(r), "RELEASE");
    PQclear(r);
    ok = ok && exec_ok(c, "commit", PGRES_COMMAND_OK) && PQtransactionStatus(c) == PQTRANS_IDLE;
    check(ok, "extended protocol: ROLLBACK TO SAVEPOINT recovers a failed block", PQerrorMessage(c));
}

static void test_large(PGconn *c)
{
    PGresult *r = PQexec(c, "select i, repeat('x', 100) from generate_series(1, 200000) i");
    check(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 200000 && !strcmp(PQgetvalue(r, 199999, 0), "200000"),
          "200000-row result streams", PQresultErrorMessage(r));
    PQclear(r);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: libpq_test CONNINFO\n");
        return 2;
    }
    PGconn *c = PQconnectdb(argv[1]);
    if (PQstatus(c) != CONNECTION_OK) {
        printf("not ok 1 - connect: %s", PQerrorMessage(c));
        return 1;
    }
    check(1, "connect", NULL);
    test_text_params(c);
    test_binary_params(c);
    test_binary_results(c);
    test_prepared(c);
    test_errors(c);
    test_pipeline(c);
    test_transactions(c);
    test_params_status(c);
    test_cancel(c);
    test_statement_timeout(c);
    test_col_source(c);
    test_large(c);
    test_many(argv[1]);
    PQfinish(c);
    printf("libpq_test: %d tests, %d failed\n", n_test, n_fail);
    return n_fail ? 1 : 0;
}
