/*
 * kafka_ceiling.c - the Kafka side of bench/ingest.sh (built as
 * $BUILD/kafka_bench).
 *
 *   kafka_bench run TARN WORKDIR EVENTS ROUNDS PARTITIONS LAT_SECONDS LAT_RATE
 *       hosts a librdkafka mock cluster (loopback), produces EVENTS JSON
 *       events (~200 bytes, 10 fields, lz4) into topic "bench", then ROUNDS
 *       interleaved rounds of
 *         (a) `kafka_bench consume`: a plain librdkafka consumer reading
 *             the topic to its end (the ceiling), and
 *         (b) `TARN ingest kafka --exit-at-end` into a fresh lake,
 *       each a child process timed in wall seconds (peak RSS from wait4);
 *       then the latency run: TARN ingest kafka --flush-interval-ms 1000 on
 *       topic "lat" while events stamped with their produce time arrive at
 *       LAT_RATE per second for LAT_SECONDS; this process polls the table
 *       (the Delta log, every 20 ms) and takes, per event, the time from
 *       produce to the first snapshot that holds it.
 *       Output lines: "records N", "round R ceiling|tarn SECONDS RSS_KB CPU_SECONDS",
 *       "latency p50 MS", "latency p99 MS", "latency events N".
 *   kafka_bench consume BROKERS TOPIC
 *       the ceiling consumer: every partition from the beginning to the end.
 *   kafka_bench serve EVENTS PARTITIONS
 *       the mock cluster with topic "bench" filled as `run` fills it; prints
 *       "brokers HOST:PORT" and serves until stdin closes (profiling).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "table/delta/delta.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void die(const char *what, const char *why)
{
    fprintf(stderr, "kafka_bench: %s: %s\n", what, why);
    exit(1);
}

/* ---- consume: the ceiling ---------------------------------------------------- */

static int consume(const char *brokers, const char *topic)
{
    char es[512];
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    const char *kv[][2] = {{"bootstrap.servers", brokers}, {"group.id", "ceiling"}, {"enable.auto.commit", "false"},
                           {"enable.partition.eof", "true"}, {"auto.offset.reset", "earliest"}, {"log_level", "3"}};
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++)
        if (rd_kafka_conf_set(c, kv[i][0], kv[i][1], es, sizeof es))
            die(kv[i][0], es);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, es, sizeof es);
    if (!rk)
        die("consumer", es);
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_t *t = rd_kafka_topic_new(rk, topic, NULL);
    const struct rd_kafka_metadata *md;
    if (rd_kafka_metadata(rk, 0, t, &md, 10000) || md->topic_cnt != 1)
        die("metadata", topic);
    int parts = md->topics[0].partition_cnt;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(parts);
    for (int i = 0; i < parts; i++)
        rd_kafka_topic_partition_list_add(l, topic, md->topics[0].partitions[i].id)->offset =
            RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_metadata_destroy(md);
    rd_kafka_assign(rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    int eofs = 0;
    int64_t n = 0, bytes = 0;
    char *seen = calloc((size_t)parts, 1);
    while (eofs < parts) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 1000);
        if (!m)
            continue;
        if (!m->err) {
            n++;
            bytes += (int64_t)m->len;
        } else if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            if (!seen[m->partition]) {
                seen[m->partition] = 1;
                eofs++;
            }
        }
        rd_kafka_message_destroy(m);
    }
    printf("consumed %" PRId64 " bytes %" PRId64 "\n", n, bytes);
    rd_kafka_topic_destroy(t);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    free(seen);
    return 0;
}

/* ---- run ----------------------------------------------------------------------- */

static rd_kafka_t *producer;

static void produce(const char *topic, int part, const char *v, size_t n)
{
    for (;;) {
        rd_kafka_resp_err_t e = rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(part),
                                                  RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                                  RD_KAFKA_V_VALUE((void *)v, n), RD_KAFKA_V_END);
        if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            rd_kafka_poll(producer, 5);
            continue;
        }
        if (e)
            die("produce", rd_kafka_err2str(e));
        return;
    }
}

static const char *const DEVICES[] = {"android", "ios", "web", "desktop"};
static const char *const EVENTS[] = {"page_view", "click", "add_to_cart", "purchase", "search"};
static const char *const COUNTRIES[] = {"DE", "US", "FR", "JP", "BR", "IN", "GB", "NL"};

static int event_json(char *buf, size_t cap, int64_t seq, int64_t t_ms)
{
    uint64_t h = (uint64_t)seq * 0x9E3779B97F4A7C15ull;
    return snprintf(buf, cap,
                    "{\"seq\":%" PRId64 ",\"t\":%" PRId64 ",\"ts\":\"2026-11-21T10:%02d:%02d.%03dZ\",\"user\":\"user_%05d\","
                    "\"country\":\"%s\",\"device\":\"%s\",\"event\":\"%s\",\"page\":\"/products/%d\","
                    "\"amount\":%d.%02d,\"ok\":%s}",
                    seq, t_ms, (int)(seq / 60000 % 60), (int)(seq / 1000 % 60), (int)(seq % 1000),
                    (int)((h >> 40) % 100000), COUNTRIES[(h >> 8) % 8], DEVICES[(h >> 16) % 4],
                    EVENTS[(h >> 24) % 5], (int)((h >> 32) % 10000), (int)(h % 500), (int)((h >> 20) % 100),
                    h & 1 ? "true" : "false");
}

static pid_t spawn(char *const *args, const char *out_path)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        if (out_path && !freopen(out_path, "w", stdout))
            _exit(127);
        execv(args[0], args);
        _exit(127);
    }
    return pid;
}

static double last_cpu_s;   /* user + system seconds of the last run_timed child */

static double run_timed(char *const *args, const char *out_path, long *rss_kb)
{
    double t0 = now_s();
    pid_t pid = spawn(args, out_path);
    int st;
    struct rusage ru;
    if (wait4(pid, &st, 0, &ru) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        die(args[0], "child failed");
    *rss_kb = ru.ru_maxrss;
    last_cpu_s = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
                 ru.ru_stime.tv_usec / 1e6;
    return now_s() - t0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int run(int argc, char **argv)
{
    if (argc < 9)
        die("usage", "kafka_bench run TARN WORKDIR EVENTS ROUNDS PARTITIONS LAT_SECONDS LAT_RATE");
    char *tarn = argv[2];
    const char *work = argv[3];
    int64_t events = atoll(argv[4]);
    int rounds = atoi(argv[5]), parts = atoi(argv[6]);
    int lat_s = atoi(argv[7]), lat_rate = atoi(argv[8]);
    char es[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", es, sizeof es);
    rd_kafka_t *host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, es, sizeof es);
    rd_kafka_mock_cluster_t *mc = host ? rd_kafka_mock_cluster_new(host, 1) : NULL;
    if (!mc)
        die("mock cluster", es);
    char *brokers = strdup(rd_kafka_mock_cluster_bootstraps(mc));
    rd_kafka_mock_topic_create(mc, "bench", parts, 1);
    rd_kafka_mock_topic_create(mc, "lat", 4, 1);
    conf = rd_kafka_conf_new();
    const char *kv[][2] = {{"bootstrap.servers", brokers}, {"compression.codec", "lz4"}, {"linger.ms", "20"},
                           {"batch.num.messages", "10000"}, {"batch.size", "1000000"},
                           {"queue.buffering.max.messages", "500000"}, {"log_level", "3"}};
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++)
        if (rd_kafka_conf_set(conf, kv[i][0], kv[i][1], es, sizeof es))
            die(kv[i][0], es);
    if (!(producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, es, sizeof es)))
        die("producer", es);
    double t0 = now_s();
    char buf[512];
    int64_t bytes = 0;
    for (int64_t i = 0; i < events; i++) {
        int n = event_json(buf, sizeof buf, i, 0);
        bytes += n;
        produce("bench", (int)(i % parts), buf, (size_t)n);
        if ((i & 1023) == 0)
            rd_kafka_poll(producer, 0);
    }
    rd_kafka_flush(producer, 120000);
    int64_t total = 0;
    for (int p = 0; p < parts; p++) {
        int64_t lo, hi;
        if (rd_kafka_query_watermark_offsets(producer, "bench", p, &lo, &hi, 10000))
            die("watermarks", "bench");
        total += hi - lo;
    }
    printf("produced %" PRId64 " bytes %" PRId64 " seconds %.2f\n", events, bytes, now_s() - t0);
    printf("records %" PRId64 "\n", total);
    fflush(stdout);

    char self[4096];
    ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
    if (sl <= 0)
        die("readlink", "/proc/self/exe");
    self[sl] = '\0';
    for (int r = 1; r <= rounds; r++) {
        long rss;
        char out[1200];
        snprintf(out, sizeof out, "%s/ceiling.out", work);
        char *cargs[] = {self, "consume", brokers, "bench", NULL};
        double s = run_timed(cargs, out, &rss);
        printf("round %d ceiling %.3f %ld %.3f\n", r, s, rss, last_cpu_s);
        fflush(stdout);
        char lake[1200], cmd[1400];
        snprintf(lake, sizeof lake, "%s/lake%d", work, r);
        char *targs[] = {tarn, "ingest", "kafka", "--lake", lake, "--brokers", brokers, "--topic", "bench",
                         "--table", "public.events", "--exit-at-end", NULL};
        s = run_timed(targs, NULL, &rss);
        printf("round %d tarn %.3f %ld %.3f\n", r, s, rss, last_cpu_s);
        fflush(stdout);
        if (r == 1) {
            /* the table must hold exactly the records */
            char path[1300];
            snprintf(path, sizeof path, "%s/public/events", lake);
            TarnError err;
            err_clear(&err);
            DeltaTable *t = delta_table_open_dir(path, false, NULL, &err);
            DeltaSnapshot *snap = t ? delta_snapshot_latest(t, &err) : NULL;
            int64_t rows = snap ? delta_snapshot_total_rows(snap) : -1;
            printf("table rows %" PRId64 "\n", rows);
            if (rows != total)
                die("check", "the table does not hold every record");
            delta_snapshot_free(snap);
            delta_table_close(t);
        }
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", lake);
        if (system(cmd) != 0)
            die("rm", lake);
    }

    /* ---- latency ---- */
    char lake[1200], path[1300];
    snprintf(lake, sizeof lake, "%s/lakelat", work);
    snprintf(path, sizeof path, "%s/public/lat", lake);
    char *largs[] = {tarn, "ingest", "kafka", "--lake", lake, "--brokers", brokers, "--topic", "lat", "--table",
                     "public.lat", "--flush-interval-ms", "1000", NULL};
    /* the producer looks up topic "lat" now: its first records would
     * otherwise wait for that lookup (~1 s), which is not ingest latency */
    {
        rd_kafka_topic_t *lt = rd_kafka_topic_new(producer, "lat", NULL);
        const struct rd_kafka_metadata *md = NULL;
        if (!lt || rd_kafka_metadata(producer, 0, lt, &md, 10000))
            die("metadata", "lat");
        rd_kafka_metadata_destroy(md);
        rd_kafka_topic_destroy(lt);
    }
    pid_t pid = spawn(largs, NULL);
    int64_t n_lat = (int64_t)lat_s * lat_rate, sent = 0, seen = 0;
    int64_t *lat = calloc((size_t)n_lat + 1, sizeof *lat);
    char **files = NULL;
    size_t n_files = 0;
    DeltaTable *t = NULL;
    int64_t last_version = -1;
    double start = now_s(), next_poll = start;
    double deadline = start + lat_s + 15;
    while (seen < n_lat && now_s() < deadline) {
        double el = now_s() - start;
        int64_t due = el >= lat_s ? n_lat : (int64_t)(el * lat_rate);
        while (sent < due) {
            int n = event_json(buf, sizeof buf, sent, wall_ms());
            produce("lat", (int)(sent % 4), buf, (size_t)n);
            sent++;
        }
        rd_kafka_poll(producer, 0);
        if (now_s() >= next_poll) {
            next_poll += 0.02;
            TarnError err;
            err_clear(&err);
            struct stat st;
            char logdir[1400];
            snprintf(logdir, sizeof logdir, "%s/_delta_log", path);
            if (!t && stat(logdir, &st) == 0)
                t = delta_table_open_dir(path, false, NULL, &err);
            DeltaSnapshot *snap = t ? delta_snapshot_latest(t, &err) : NULL;
            if (snap && delta_snapshot_version(snap) != last_version) {
                int64_t seen_at = wall_ms();
                last_version = delta_snapshot_version(snap);
                const char *cols[] = {"t"};
                DeltaScanOptions so = {0};
                so.columns = cols;
                so.n_columns = 1;
                DeltaScan *sc = delta_scan_open(snap, &so, &err);
                for (size_t i = 0; sc && i < delta_scan_num_files(sc); i++) {
                    const char *fp = delta_scan_file(sc, i)->path;
                    bool old = false;
                    for (size_t k = 0; k < n_files && !old; k++)
                        old = strcmp(files[k], fp) == 0;
                    if (old)
                        continue;
                    files = realloc(files, (n_files + 1) * sizeof *files);
                    files[n_files++] = strdup(fp);
                    DeltaScan *fs = delta_scan_open_file(sc, i, &err);
                    Batch b;
                    batch_init(&b, delta_scan_schema(fs));
                    while (fs && delta_scan_next(fs, &b, &err) == 0 && b.n_rows) {
                        for (uint32_t r = 0; r < b.n_rows && seen < n_lat; r++)
                            lat[seen++] = seen_at - VEC_DATA(&b.cols[0], int64_t)[r];
                    }
                    batch_destroy(&b);
                    delta_scan_close(fs);
                }
                delta_scan_close(sc);
            }
            delta_snapshot_free(snap);
        }
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGTERM);
    int st;
    struct rusage ru;
    wait4(pid, &st, 0, &ru);
    qsort(lat, (size_t)seen, sizeof *lat, cmp_i64);
    printf("latency events %" PRId64 " of %" PRId64 "\n", seen, n_lat);
    if (seen) {
        printf("latency p50 %" PRId64 "\n", lat[seen / 2]);
        printf("latency p99 %" PRId64 "\n", lat[(seen * 99) / 100 < seen ? (seen * 99) / 100 : seen - 1]);
        printf("latency max %" PRId64 "\n", lat[seen - 1]);
    }
    printf("latency rss %ld\n", ru.ru_maxrss);
    for (size_t k = 0; k < n_files; k++)
        free(files[k]);
    free(files);
    free(lat);
    delta_table_close(t);
    rd_kafka_destroy(producer);
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(host);
    free(brokers);
    return seen == n_lat ? 0 : 1;
}

/* serve EVENTS PARTITIONS: a mock cluster with topic "bench" pre-filled as
 * `run` fills it; prints "brokers HOST:PORT" and keeps serving until stdin
 * closes (for profiling tarn against a fixed workload). */
static int serve(int argc, char **argv)
{
    int64_t events = atoll(argv[2]);
    int parts = atoi(argv[3]);
    char es[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", es, sizeof es);
    rd_kafka_t *host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, es, sizeof es);
    rd_kafka_mock_cluster_t *mc = host ? rd_kafka_mock_cluster_new(host, 1) : NULL;
    if (!mc)
        die("mock cluster", es);
    const char *brokers = rd_kafka_mock_cluster_bootstraps(mc);
    rd_kafka_mock_topic_create(mc, "bench", parts, 1);
    conf = rd_kafka_conf_new();
    const char *kv[][2] = {{"bootstrap.servers", brokers}, {"compression.codec", "lz4"}, {"linger.ms", "20"},
                           {"batch.num.messages", "10000"}, {"batch.size", "1000000"},
                           {"queue.buffering.max.messages", "500000"}, {"log_level", "3"}};
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++)
        if (rd_kafka_conf_set(conf, kv[i][0], kv[i][1], es, sizeof es))
            die(kv[i][0], es);
    if (!(producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, es, sizeof es)))
        die("producer", es);
    char buf[512];
    for (int64_t i = 0; i < events; i++) {
        int n = event_json(buf, sizeof buf, i, 0);
        produce("bench", (int)(i % parts), buf, (size_t)n);
        if ((i & 1023) == 0)
            rd_kafka_poll(producer, 0);
    }
    rd_kafka_flush(producer, 120000);
    (void)argc;
    printf("brokers %s\n", brokers);
    fflush(stdout);
    while (getchar() != EOF)
        ;
    rd_kafka_destroy(producer);
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(host);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && !strcmp(argv[1], "serve"))
        return serve(argc, argv);
    if (argc >= 4 && !strcmp(argv[1], "consume"))
        return consume(argv[2], argv[3]);
    if (argc >= 2 && !strcmp(argv[1], "run"))
        return run(argc, argv);
    fprintf(stderr, "usage: kafka_bench run TARN WORKDIR EVENTS ROUNDS PARTITIONS LAT_SECONDS LAT_RATE\n"
                    "       kafka_bench consume BROKERS TOPIC\n");
    return 2;
}
