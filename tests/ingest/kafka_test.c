/*
 * kafka_test.c - end-to-end tests of `tarn ingest kafka` (tests/ingest/run.sh).
 *
 *   kafka_test TARN WORKDIR [TEST...]
 *
 * This process hosts a librdkafka mock cluster (rdkafka_mock.h: the Kafka
 * wire protocol on loopback; it lives as long as this process), produces
 * records into it (lz4 / zstd compressed) and runs `tarn ingest kafka` as
 * child processes against its bootstrap address, SIGKILLing them at random
 * moments.  Results are checked with `tarn sql --csv` against what the
 * topic really holds (watermark offsets): exactly the records, no
 * duplicates, no gaps per partition.
 *
 * Tests: kill (standalone, killed 4 times while records keep coming, then
 * --exit-at-end), group (two processes of one group, a rebalance, one
 * killed, the group finishes), dlq (malformed records and type conflicts
 * to the dead-letter table with their positions; a field appearing later
 * becomes a column), race (two processes writing the same partitions:
 * the losers of each commit race re-read), formats (csv, raw, avro), stream
 * (--stream: a stream run inside the ingester equals the batch GROUP BY).  Prints "ok NAME" /
 * "FAIL NAME: why" per check and "N passed, N failed" last.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "format/avro/avro.h"

static const char *tarn_bin, *workdir;
static char lake[1024];
static const char *brokers;
static rd_kafka_t *producer;
static rd_kafka_mock_cluster_t *mc;
static int n_pass, n_fail;
static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void check(bool ok, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void check(bool ok, const char *name, const char *fmt, ...)
{
    if (ok) {
        n_pass++;
        printf("ok   %s\n", name);
    } else {
        n_fail++;
        printf("FAIL %s: ", name);
        va_list ap;
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        printf("\n");
    }
    fflush(stdout);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) && errno == EINTR)
        ;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- Kafka side --------------------------------------------------------------- */

static void create_topic(const char *topic, int parts)
{
    rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(mc, topic, parts, 1);
    if (e) {
        fprintf(stderr, "topic %s: %s\n", topic, rd_kafka_err2str(e));
        exit(1);
    }
}

static void produce(const char *topic, int partition, const void *key, size_t klen, const void *val, size_t vlen)
{
    for (;;) {
        rd_kafka_resp_err_t e = rd_kafka_producev(
            producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key, klen), RD_KAFKA_V_VALUE((void *)val, vlen),
            RD_KAFKA_V_END);
        if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            rd_kafka_poll(producer, 10);
            continue;
        }
        if (e) {
            fprintf(stderr, "produce: %s\n", rd_kafka_err2str(e));
            exit(1);
        }
        return;
    }
}

static int delivery_errors;
static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    (void)opaque;
    if (m->err) {
        delivery_errors++;
        fprintf(stderr, "delivery failed: %s\n", rd_kafka_err2str(m->err));
    }
}

static void produce_flush(void)
{
    rd_kafka_flush(producer, 30000);
}

/* JSON events: seq is global and unique. */
static int64_t next_seq;
static void produce_events(const char *topic, int parts, int n)
{
    char v[256], k[32];
    for (int i = 0; i < n; i++) {
        int64_t s = next_seq++;
        int kl = snprintf(k, sizeof k, "k%" PRId64, s);
        int vl = snprintf(v, sizeof v,
                          "{\"seq\":%" PRId64 ",\"user\":\"u%d\",\"amount\":%d.%02d,\"ok\":%s,\"ts\":\"2026-11-21 10:%02d:%02d\"}",
                          s, (int)(s % 97), (int)(s % 1000), (int)(s % 100), s % 3 ? "true" : "false",
                          (int)(s / 60 % 60), (int)(s % 60));
        produce(topic, (int)(s % parts), k, (size_t)kl, v, (size_t)vl);
        if (i % 1000 == 0)
            rd_kafka_poll(producer, 0);
    }
    produce_flush();
}

/* Sum over partitions of high - low watermarks; lows/highs filled. */
static int64_t topic_records(const char *topic, int parts, int64_t *lo, int64_t *hi)
{
    int64_t total = 0;
    for (int p = 0; p < parts; p++) {
        rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(producer, topic, p, &lo[p], &hi[p], 10000);
        if (e) {
            fprintf(stderr, "watermarks %s/%d: %s\n", topic, p, rd_kafka_err2str(e));
            exit(1);
        }
        total += hi[p] - lo[p];
    }
    return total;
}

/* ---- Processes ------------------------------------------------------------------ */

static pid_t spawn(const char *log, char *const *args)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        FILE *f = freopen(log, "a", stderr);
        (void)f;
        if (!freopen("/dev/null", "w", stdout))
            _exit(127);
        execv(tarn_bin, args);
        _exit(127);
    }
    return pid;
}

/* Waits for pid up to timeout_ms; kills it after that.  Exit status, or -1. */
static int wait_pid(pid_t pid, int timeout_ms)
{
    int64_t end = now_ms() + timeout_ms;
    for (;;) {
        int st;
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        if (now_ms() > end) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            return -1;
        }
        rd_kafka_poll(producer, 0);
        sleep_ms(20);
    }
}

/* `tarn ingest kafka` with common arguments plus extra ones (NULL-terminated). */
static pid_t ingest(const char *log, const char *topic, const char *table, ...)
{
    static char *args[64];
    int n = 0;
    args[n++] = (char *)tarn_bin;
    args[n++] = "ingest";
    args[n++] = "kafka";
    args[n++] = "--lake";
    args[n++] = lake;
    args[n++] = "--brokers";
    args[n++] = (char *)brokers;
    args[n++] = "--topic";
    args[n++] = (char *)topic;
    args[n++] = "--table";
    args[n++] = (char *)table;
    va_list ap;
    va_start(ap, table);
    const char *a;
    while ((a = va_arg(ap, const char *)) && n < 62)
        args[n++] = (char *)a;
    va_end(ap);
    args[n] = NULL;
    return spawn(log, args);
}

/* Runs SQL with `tarn sql --csv`; returns the output (header line dropped). */
static char *sql(const char *q)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "'%s' sql --lake '%s' --csv -c \"%s\" 2>&1", tarn_bin, lake, q);
    FILE *f = popen(cmd, "r");
    if (!f)
        return strdup("");
    size_t cap = 1 << 16, n = 0;
    char *out = malloc(cap);
    size_t r;
    while ((r = fread(out + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (cap - n < 2)
            out = realloc(out, cap *= 2);
    }
    out[n] = '\0';
    pclose(f);
    char *nl = strchr(out, '\n');
    if (nl && strncmp(out, "ERROR", 5) != 0)
        memmove(out, nl + 1, strlen(nl + 1) + 1);
    size_t l = strlen(out);
    while (l && (out[l - 1] == '\n' || out[l - 1] == '\r'))
        out[--l] = '\0';
    return out;
}

static void show_log(const char *log)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "tail -5 '%s' | sed 's/^/    log: /'", log);
    if (system(cmd) != 0)
        return;
}

/* Exactly the records of the topic: count, distinct positions, and per
 * partition min/max offset matching the watermarks. */
static void check_exact(const char *name, const char *table, const char *topic, int parts)
{
    int64_t lo[64], hi[64];
    int64_t total = topic_records(topic, parts, lo, hi);
    char q[1024], exp[8192], *got;
    snprintf(q, sizeof q, "select count(*), count(distinct _offset * 1000 + _partition) from %s", table);
    got = sql(q);
    snprintf(exp, sizeof exp, "%" PRId64 ",%" PRId64, total, total);
    check(strcmp(got, exp) == 0, name, "rows, distinct positions: got %s, want %s", got, exp);
    free(got);
    char sub[160];
    snprintf(sub, sizeof sub, "%s: per partition", name);
    snprintf(q, sizeof q,
             "select _partition, min(_offset), max(_offset), count(*) from %s group by _partition order by _partition",
             table);
    got = sql(q);
    size_t n = 0;
    exp[0] = '\0';
    for (int p = 0; p < parts; p++)
        if (hi[p] > lo[p])
            n += (size_t)snprintf(exp + n, sizeof exp - n, "%s%d,%" PRId64 ",%" PRId64 ",%" PRId64, n ? "\n" : "", p,
                                  lo[p], hi[p] - 1, hi[p] - lo[p]);
    check(strcmp(got, exp) == 0, sub, "got\n%s\nwant\n%s", got, exp);
    free(got);
}

/* ---- Tests ----------------------------------------------------------------------- */

static void test_kill(void)
{
    const char *topic = "events", *table = "public.events";
    const int parts = 4;
    create_topic(topic, parts);
    char log[1100];
    snprintf(log, sizeof log, "%s/kill.log", workdir);
    int64_t seq0 = next_seq;
    int kills = 0;
    for (int round = 0; round < 4; round++) {
        produce_events(topic, parts, 6000);
        pid_t pid = ingest(log, topic, table, "--flush-rows", "1500", "--flush-interval-ms", "100", NULL);
        /* keep producing while it runs, then kill it at a random moment */
        int64_t end = now_ms() + 250 + (int64_t)(rnd() % 600);
        while (now_ms() < end) {
            produce_events(topic, parts, 500);
            sleep_ms(10);
        }
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        kills++;
    }
    produce_events(topic, parts, 3000);
    pid_t pid = ingest(log, topic, table, "--flush-rows", "5000", "--exit-at-end", NULL);
    int st = wait_pid(pid, 60000);
    check(st == 0, "kill: final --exit-at-end run exits 0", "status %d", st);
    if (st != 0)
        show_log(log);
    check_exact("kill: exactly once after 4 SIGKILLs", table, topic, parts);
    /* the values too: every seq once */
    char q[512], exp[256];
    snprintf(q, sizeof q, "select count(distinct seq), min(seq), max(seq), sum(seq) from %s", table);
    char *got = sql(q);
    int64_t n = next_seq - seq0;
    snprintf(exp, sizeof exp, "%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64, n, seq0, next_seq - 1,
             (seq0 + next_seq - 1) * n / 2);
    check(strcmp(got, exp) == 0, "kill: every event once (seq)", "got %s want %s", got, exp);
    free(got);
    got = sql("select count(*) from public.events where _topic = 'events' and _key = ('k' || seq)::bytea "
              "and ts = timestamp '2026-11-21 10:00:00' + ((seq / 60 % 60) * 60 + seq % 60) * interval '1 second'");
    snprintf(exp, sizeof exp, "%" PRId64, n);
    check(strcmp(got, exp) == 0, "kill: keys, topic and inferred timestamp column", "got %s want %s", got, exp);
    free(got);
    got = sql("select data_type from information_schema.columns where table_name = 'events' order by ordinal_position");
    check(strcmp(got, "bigint\ntext\ndouble precision\nboolean\ntimestamp without time zone\ntext\ninteger\nbigint\n"
                      "timestamp with time zone\nbytea") == 0,
          "kill: inferred column types", "got\n%s", got);
    free(got);
    (void)kills;
}

/* Lines of the log containing what. */
static int count_in_log(const char *log, const char *what)
{
    FILE *f = fopen(log, "r");
    if (!f)
        return 0;
    char line[4096];
    int n = 0;
    while (fgets(line, sizeof line, f))
        n += strstr(line, what) != NULL;
    fclose(f);
    return n;
}

static void test_group(void)
{
    const char *topic = "grp", *table = "public.grp";
    const int parts = 4;
    create_topic(topic, parts);
    char log[1100];
    snprintf(log, sizeof log, "%s/group.log", workdir);
    const char *gargs[] = {"--group", "g1", "--flush-rows", "1000", "--flush-interval-ms", "100", "--property",
                           "session.timeout.ms=4000", "--property", "heartbeat.interval.ms=300", "--verbose"};
#define GARGS gargs[0], gargs[1], gargs[2], gargs[3], gargs[4], gargs[5], gargs[6], gargs[7], gargs[8], gargs[9], gargs[10]
    produce_events(topic, parts, 5000);
    pid_t a = ingest(log, topic, table, GARGS, NULL);
    /* the mock coordinator waits 3 s (group.initial.rebalance.delay.ms)
     * before the first generation of a group */
    int64_t end = now_ms() + 3500;
    while (now_ms() < end) {
        produce_events(topic, parts, 300);
        sleep_ms(20);
    }
    pid_t b = ingest(log, topic, table, GARGS, NULL);       /* rebalance */
    /* until both members hold partitions (up to 45 s: on a loaded machine
     * the mock coordinator's rebalance has taken over 20 s), then a little
     * more */
    end = now_ms() + 45000;
    int shared = 0;
    while (now_ms() < end && (shared = count_in_log(log, "assigned 2 partitions")) < 2) {
        produce_events(topic, parts, 300);
        sleep_ms(50);
    }
    end = now_ms() + 500 + (int64_t)(rnd() % 1000);
    while (now_ms() < end) {
        produce_events(topic, parts, 300);
        sleep_ms(20);
    }
    if (shared < 2)
        shared = count_in_log(log, "assigned 2 partitions");
    kill(a, SIGKILL);                                       /* b takes over after the session timeout */
    waitpid(a, NULL, 0);
    end = now_ms() + 5000;                                 /* session.timeout.ms 4000 */
    while (now_ms() < end) {
        produce_events(topic, parts, 300);
        sleep_ms(20);
    }
    kill(b, SIGTERM);                                       /* graceful: commits, leaves the group */
    int st = wait_pid(b, 20000);
    check(st == 0, "group: SIGTERM stops the ingester cleanly", "status %d", st);
    if (st != 0) {
        char cmd[1300];
        snprintf(cmd, sizeof cmd, "grep -B2 -A6 ERROR '%s' | head -30", log);
        if (system(cmd) != 0)
            show_log(log);
    }
    produce_events(topic, parts, 2000);
    pid_t c = ingest(log, topic, table, GARGS, "--exit-at-end", NULL);
    st = wait_pid(c, 60000);
    check(st == 0, "group: a new member finishes the topic", "status %d", st);
    if (st != 0)
        show_log(log);
    check_exact("group: exactly once across a rebalance and a kill", table, topic, parts);
    /* the two members really shared the topic (range assignor: 2 + 2) */
    check(shared >= 2, "group: both members got partitions in the rebalance", "%d assignments of 2 partitions",
          shared);
#undef GARGS
}

static void test_group1(void)
{
    create_topic("g1t", 2);
    produce_events("g1t", 2, 1000);
    char log[1100];
    snprintf(log, sizeof log, "%s/group1.log", workdir);
    int64_t t0 = now_ms();
    pid_t pid = ingest(log, "g1t", "public.g1t", "--group", "solo", "--exit-at-end", "--verbose", "--property", "session.timeout.ms=4000", "--property", "heartbeat.interval.ms=300", NULL);
    int st = wait_pid(pid, 30000);
    check(st == 0, "group1: one member", "status %d after %d ms", st, (int)(now_ms() - t0));
    show_log(log);
}

/* Two standalone processes on the same partitions: every commit races;
 * the table must still hold each record once. */
static void test_race(void)
{
    const char *topic = "race", *table = "public.race";
    create_topic(topic, 4);
    produce_events(topic, 4, 20000);
    char log[1100];
    snprintf(log, sizeof log, "%s/race.log", workdir);
    pid_t a = ingest(log, topic, table, "--flush-rows", "700", "--exit-at-end", NULL);
    pid_t b = ingest(log, topic, table, "--flush-rows", "500", "--exit-at-end", NULL);
    int sa = wait_pid(a, 60000), sb = wait_pid(b, 60000);
    check(sa == 0 && sb == 0, "race: two writers of the same partitions finish", "status %d, %d", sa, sb);
    if (sa || sb)
        show_log(log);
    check_exact("race: exactly once with two writers", table, topic, 4);
}

static void test_dlq(void)
{
    const char *topic = "mixed", *table = "public.mixed";
    create_topic(topic, 2);
    struct { int part; const char *v; } recs[] = {
        {0, "{\"id\": 1, \"name\": \"a\"}"},
        {0, "{\"id\": 2, \"name\": \"b\", \"n\": null}"},
        {1, "{\"id\": 3, \"name\": \"c\"}"},
        {0, "{\"id\": 4, \"name\": \"d\""},                 /* truncated */
        {1, "[1, 2]"},                                       /* not an object */
        {0, "{\"id\": \"five\", \"name\": \"e\"}"},          /* type conflict */
        {1, "{\"id\": 6, \"name\": \"f\\u00e9\", \"n\": 7}"},
        {0, "{\"id\": 7, \"_offset\": 1}"},                  /* reserved name */
        {1, "{\"id\": 8.5}"},                                /* fraction in a bigint column */
        {0, "{\"id\": 9, \"name\": {\"x\": 1}}"},            /* an object in a text column: its text */
    };
    /* first batch: records 0..2 only (flush-rows 3 per partition run) */
    for (size_t i = 0; i < 3; i++)
        produce(topic, recs[i].part, NULL, 0, recs[i].v, strlen(recs[i].v));
    produce_flush();
    char log[1100];
    snprintf(log, sizeof log, "%s/dlq.log", workdir);
    pid_t pid = ingest(log, topic, table, "--exit-at-end", NULL);
    int st = wait_pid(pid, 30000);
    check(st == 0, "dlq: first run", "status %d", st);
    for (size_t i = 3; i < sizeof recs / sizeof recs[0]; i++)
        produce(topic, recs[i].part, "kx", 2, recs[i].v, strlen(recs[i].v));
    produce(topic, 1, NULL, 0, NULL, 0);                     /* null value */
    /* a later field: a new column */
    const char *late = "{\"id\": 10, \"name\": \"j\", \"score\": 2.5, \"tags\": [1, \"x\"]}";
    produce(topic, 0, NULL, 0, late, strlen(late));
    produce_flush();
    pid = ingest(log, topic, table, "--exit-at-end", NULL);
    st = wait_pid(pid, 30000);
    check(st == 0, "dlq: second run", "status %d", st);
    if (st != 0)
        show_log(log);
    char *got = sql("select id, name, n, score, tags, _partition, _offset from public.mixed order by id");
    check(strcmp(got, "1,a,,,,0,0\n2,b,,,,0,1\n3,c,,,,1,0\n6,fé,7,,,1,2\n9,\"{\"\"x\"\": 1}\",,,,0,5\n"
                      "10,j,,2.5,\"[1, \"\"x\"\"]\",0,6") == 0,
          "dlq: good rows and evolved columns", "got\n%s", got);
    free(got);
    got = sql("select _partition, _offset, encode(value, 'escape'), key is null, error from public.mixed_dlq "
              "order by _partition, _offset");
    const char *want =
        "0,2,\"{\"\"id\"\": 4, \"\"name\"\": \"\"d\"\"\",f,invalid JSON at byte 22: expected ',' or '}'\n"
        "0,3,\"{\"\"id\"\": \"\"five\"\", \"\"name\"\": \"\"e\"\"}\",f,\"field \"\"id\"\": string \"\"five\"\" does not fit column type bigint\"\n"
        "0,4,\"{\"\"id\"\": 7, \"\"_offset\"\": 1}\",f,\"field \"\"_offset\"\" has the name of a metadata column\"\n"
        "1,1,\"[1, 2]\",f,not a JSON object\n"
        "1,3,\"{\"\"id\"\": 8.5}\",f,\"field \"\"id\"\": number 8.5 does not fit column type bigint\"\n"
        "1,4,,t,null record value";
    (void)want;
    check(strstr(got, "0,2,") && strstr(got, "0,3,") && strstr(got, "0,4,") && strstr(got, "1,1,") &&
              strstr(got, "1,3,") && strstr(got, "1,4,") && strstr(got, "does not fit column type bigint") &&
              strstr(got, "not a JSON object") && strstr(got, "metadata column") && strstr(got, "null record value"),
          "dlq: dead letters with positions and errors", "got\n%s", got);
    free(got);
    got = sql("select count(*) from public.mixed_dlq");
    /* recs 3, 4, 5, 7, 8 and the null value */
    check(strcmp(got, "6") == 0, "dlq: six dead letters", "got %s", got);
    free(got);
    /* running again adds nothing (positions come from the table) */
    pid = ingest(log, topic, table, "--exit-at-end", NULL);
    st = wait_pid(pid, 30000);
    got = sql("select (select count(*) from public.mixed) || '/' || (select count(*) from public.mixed_dlq)");
    check(st == 0 && strcmp(got, "6/6") == 0, "dlq: a rerun adds nothing", "status %d, got %s", st, got);
    free(got);
}

static void test_formats(void)
{
    char log[1100];
    snprintf(log, sizeof log, "%s/formats.log", workdir);
    /* CSV */
    create_topic("csvt", 1);
    const char *csv[] = {"1,hello,\"a,b\"\n", "2,,\"\"", "3,\"say \"\"hi\"\"\",x,extra", "4,\"unterminated"};
    for (size_t i = 0; i < 4; i++)
        produce("csvt", 0, NULL, 0, csv[i], strlen(csv[i]));
    produce_flush();
    pid_t pid = ingest(log, "csvt", "s2.csvt", "--format", "csv", "--exit-at-end", NULL);
    int st = wait_pid(pid, 30000);
    char *got = sql("select c1, c2, c3, c4, c2 is null from s2.csvt order by _offset");
    check(st == 0 && strcmp(got, "1,hello,\"a,b\",,f\n2,,\"\",,t\n3,\"say \"\"hi\"\"\",x,extra,f") == 0,
          "formats: csv into a new schema", "status %d got\n%s", st, got);
    free(got);
    got = sql("select _offset, error from s2.csvt_dlq");
    check(strcmp(got, "3,unterminated quoted field 2") == 0, "formats: csv dead letter", "got %s", got);
    free(got);
    /* raw */
    create_topic("rawt", 1);
    const uint8_t bin[] = {0, 1, 2, 255};
    produce("rawt", 0, "k", 1, bin, sizeof bin);
    produce("rawt", 0, NULL, 0, "x", 1);
    produce_flush();
    pid = ingest(log, "rawt", "public.rawt", "--format", "raw", "--exit-at-end", "--dlq-table", "rawbad", NULL);
    st = wait_pid(pid, 30000);
    got = sql("select key, value, _offset from public.rawt order by _offset");
    check(st == 0 && strcmp(got, "\\x6b,\\x000102ff,0\n,\\x78,1") == 0, "formats: raw", "status %d got\n%s", st, got);
    free(got);
    /* avro with Confluent framing */
    create_topic("avrot", 1);
    char schema_path[1100];
    snprintf(schema_path, sizeof schema_path, "%s/r.avsc", workdir);
    FILE *f = fopen(schema_path, "w");
    fputs("{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"id\",\"type\":\"long\"},"
          "{\"name\":\"s\",\"type\":[\"null\",\"string\"]}]}",
          f);
    fclose(f);
    for (int i = 0; i < 3; i++) {
        Buf b;
        buf_init(&b);
        uint8_t hdr[5] = {0, 0, 0, 0, 7};
        buf_append(&b, hdr, 5);
        avro_write_long(&b, 100 + i);
        if (i == 1)
            avro_write_long(&b, 0);             /* null branch */
        else {
            avro_write_long(&b, 1);
            avro_write_bytes(&b, "av", 2);
        }
        produce("avrot", 0, NULL, 0, b.data, b.len);
        buf_free(&b);
    }
    const uint8_t trunc[] = {0, 0, 0, 0, 7, 0x80};
    produce("avrot", 0, NULL, 0, trunc, sizeof trunc);
    produce_flush();
    pid = ingest(log, "avrot", "public.avrot", "--format", "avro", "--schema", schema_path, "--confluent",
                 "--exit-at-end", NULL);
    st = wait_pid(pid, 30000);
    got = sql("select id, s, _offset from public.avrot order by _offset");
    check(st == 0 && strcmp(got, "100,av,0\n101,,1\n102,av,2") == 0, "formats: avro (Confluent framing)",
          "status %d got\n%s", st, got);
    free(got);
    got = sql("select _offset from public.avrot_dlq");
    check(strcmp(got, "3") == 0, "formats: avro dead letter", "got %s", got);
    free(got);
    if (n_fail)
        show_log(log);
}

/* Runs `tarn ARGS` (a shell-quoted argument string); returns its output. */
static char *tarn_cmd(const char *args)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "'%s' %s 2>&1", tarn_bin, args);
    FILE *f = popen(cmd, "r");
    if (!f)
        return strdup("");
    size_t cap = 1 << 14, n = 0, r;
    char *out = malloc(cap);
    while ((r = fread(out + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (cap - n < 2)
            out = realloc(out, cap *= 2);
    }
    out[n] = '\0';
    pclose(f);
    return out;
}

/* JSON decoding corners of the fast paths: keys compared in place against
 * the previous record's (names differing in one byte at any position),
 * strings with a quote, escape or non-ASCII byte at every position of an
 * 8-byte word, literals, and timestamps in and out of the ISO fast path. */
static void test_json_corners(void)
{
    const char *topic = "jc", *table = "public.jc";
    create_topic(topic, 1);
    const char *recs[] = {
        "{\"a\":1,\"abcdefghi\":\"x\",\"ts\":\"2026-11-21T10:05:03.123Z\",\"s\":\"plain\",\"b\":true}",
        "{\"a\":2,\"abcdefghX\":\"y\",\"ts\":\"2026-11-21T12:05:03+02:00\",\"s\":\"1234567\\\"89\",\"b\":false}",
        "{\"a\":3,\"abcXefghi\":\"z\",\"ts\":\"2026-11-21 10:05:03\",\"s\":\"12345678\\n9\",\"b\":null}",
        "{\"a\":4,\"Abcdefghi\":\"w\",\"ts\":\"2024-02-29T23:59:59.999999Z\",\"s\":\"\xc3\xa9" "1234567\"}",
        "{\"a\":5,\"ts\":\"2026-11-21T10:05:03.1234567Z\",\"s\":\"1234567\xc3\xa9\",\"b\":true}",
        "{\"a\":6,\"b\":tru}",
        "{\"a\":7,\"b\":nul}",
        "{\"a\":8,\"ts\":\"2023-02-29T00:00:00Z\"}",
        "{\"a\":9,\"s\":\"\\\"\",\"t\":\"1234567\x01\"}",
        "{\"a\":10,\"s\":\"\",\"abcdefgh\":\"v\"}",
    };
    /* the first record alone: ts becomes timestamptz, b boolean */
    char log[1100];
    snprintf(log, sizeof log, "%s/jc.log", workdir);
    int st = 0;
    for (size_t from = 0; from < 2; from++) {
        for (size_t i = from; i < (from ? sizeof recs / sizeof recs[0] : 1); i++)
            produce(topic, 0, NULL, 0, recs[i], strlen(recs[i]));
        produce_flush();
        pid_t pid = ingest(log, topic, table, "--exit-at-end", NULL);
        st |= wait_pid(pid, 30000);
    }
    check(st == 0, "json corners: ingest", "status %d", st);
    if (st)
        show_log(log);
    char *got = sql("select a, abcdefghi, \\\"abcdefghX\\\", \\\"abcXefghi\\\", abcdefgh, ts, s, b from public.jc order by a");
    const char *want = "1,x,,,,2026-11-21 10:05:03.123+00,plain,t\n"
                       "2,,y,,,2026-11-21 10:05:03+00,\"1234567\"\"89\",f\n"
                       "3,,,z,,2026-11-21 10:05:03+00,\"12345678\n9\",\n"
                       "4,w,,,,2024-02-29 23:59:59.999999+00,\xc3\xa9" "1234567,\n"
                       "5,,,,,2026-11-21 10:05:03.123457+00,1234567\xc3\xa9,t\n"
                       "10,,,,v,,\"\",";
    check(strcmp(got, want) == 0, "json corners: values", "got\n%s\nwant\n%s", got, want);
    free(got);
    got = sql("select _offset, error from public.jc_dlq order by _offset");
    want = "5,invalid JSON at byte 11: unexpected character\n"
           "6,invalid JSON at byte 11: unexpected character\n"
           "7,\"field \"\"ts\"\": string \"\"2023-02-29T00:00:00Z\"\" does not fit column type timestamptz\"\n"
           "8,invalid JSON at byte 28: control character in a string";
    check(strcmp(got, want) == 0, "json corners: dead letters", "got\n%s\nwant\n%s", got, want);
    free(got);
}

/* --stream: a stream over the ingested table runs inside the ingester;
 * after --exit-at-end its target equals the batch GROUP BY of the table. */
static void test_stream(void)
{
    const char *topic = "st", *table = "public.st";
    create_topic(topic, 3);
    produce_events(topic, 3, 2000);
    char log[1100];
    snprintf(log, sizeof log, "%s/stream.log", workdir);
    /* the source table must exist before the stream is defined */
    pid_t pid = ingest(log, topic, table, "--exit-at-end", NULL);
    int st = wait_pid(pid, 30000);
    check(st == 0, "stream: first ingest", "status %d", st);
    char args[2048];
    snprintf(args, sizeof args,
             "stream create --lake '%s' --name st_min --target public.st_min --sql "
             "\"SELECT window_start, ok, count(*) AS events, sum(seq) AS s, min(amount) AS lo, max(amount) AS hi "
             "FROM TUMBLE(public.st, ts, INTERVAL '1 minute') GROUP BY window_start, ok\"",
             lake);
    char *got = tarn_cmd(args);
    check(strstr(got, "CREATE STREAM st_min") != NULL, "stream: create", "got %s", got);
    free(got);
    /* an unknown stream fails before anything is consumed */
    pid = ingest(log, topic, table, "--stream", "nope", "--exit-at-end", NULL);
    st = wait_pid(pid, 30000);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "grep -q 'stream \"nope\" does not exist' '%s'", log);
    check(st == 1 && system(cmd) == 0, "stream: an unknown --stream fails", "status %d", st);
    /* records arrive while the ingester (and its stream) runs; --exit-at-end
     * must not see the end between two bursts: the mock broker holds an
     * empty fetch for fetch.wait.max.ms (tarn's default is a tenth of the
     * flush interval, 20 ms here), so 1 s spans the 150 ms gaps */
    pid = ingest(log, topic, table, "--stream", "st_min", "--flush-rows", "700", "--flush-interval-ms", "200",
                 "--property", "fetch.wait.max.ms=1000", "--exit-at-end", NULL);
    for (int i = 0; i < 4; i++) {
        produce_events(topic, 3, 1500);
        sleep_ms(150);
    }
    st = wait_pid(pid, 60000);
    check(st == 0, "stream: ingest --stream --exit-at-end", "status %d", st);
    if (st)
        show_log(log);
    check_exact("stream: source exactly once", table, topic, 3);
    char *want = sql("select date_bin(interval '1 minute', ts, timestamp '1970-01-01'), ok, count(*), sum(seq), "
                     "min(amount), max(amount) from public.st group by 1, 2 order by 1, 2");
    got = sql("select window_start, ok, events, s, lo, hi from public.st_min order by 1, 2");
    check(strcmp(got, want) == 0 && strchr(want, '\n') != NULL, "stream: target equals the batch GROUP BY",
          "got\n%.2000s\nwant\n%.2000s", got, want);
    free(got);
    free(want);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: kafka_test TARN WORKDIR [kill|group|dlq|formats]...\n");
        return 2;
    }
    tarn_bin = argv[1];
    workdir = argv[2];
    snprintf(lake, sizeof lake, "%s/lake", workdir);
    rng ^= (uint64_t)getpid() * 0x2545F4914F6CDD1Dull ^ (uint64_t)time(NULL);

    char es[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", es, sizeof es);
    rd_kafka_t *host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, es, sizeof es);
    if (!host) {
        fprintf(stderr, "rd_kafka_new: %s\n", es);
        return 1;
    }
    mc = rd_kafka_mock_cluster_new(host, 1);
    if (!mc) {
        fprintf(stderr, "cannot start the mock cluster\n");
        return 1;
    }
    brokers = rd_kafka_mock_cluster_bootstraps(mc);
    conf = rd_kafka_conf_new();
    const char *pc[][2] = {{"bootstrap.servers", brokers}, {"compression.codec", "lz4"}, {"linger.ms", "5"},
                           {"batch.num.messages", "10000"}, {"log_level", "3"}};
    for (size_t i = 0; i < sizeof pc / sizeof pc[0]; i++)
        if (rd_kafka_conf_set(conf, pc[i][0], pc[i][1], es, sizeof es)) {
            fprintf(stderr, "%s: %s\n", pc[i][0], es);
            return 1;
        }
    rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
    producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, es, sizeof es);
    if (!producer) {
        fprintf(stderr, "producer: %s\n", es);
        return 1;
    }
    printf("mock cluster at %s\n", brokers);
    bool all = argc == 3;
    for (int i = 3; i < argc || all; i++) {
        const char *t = all ? NULL : argv[i];
        if (all || !strcmp(t, "kill"))
            test_kill();
        if (!all && !strcmp(t, "group1"))
            test_group1();
        if (all || !strcmp(t, "group"))
            test_group();
        if (all || !strcmp(t, "race"))
            test_race();
        if (all || !strcmp(t, "dlq"))
            test_dlq();
        if (all || !strcmp(t, "formats"))
            test_formats();
        if (all || !strcmp(t, "stream"))
            test_stream();
        if (all || !strcmp(t, "json"))
            test_json_corners();
        if (all)
            break;
    }
    check(delivery_errors == 0, "producer: every record delivered", "%d failed", delivery_errors);
    rd_kafka_destroy(producer);
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(host);
    printf("%d passed, %d failed\n", n_pass, n_fail);
    return n_fail ? 1 : 0;
}
