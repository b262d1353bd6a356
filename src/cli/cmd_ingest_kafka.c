/*
 * cmd_ingest_kafka.c - `tarn ingest kafka`: arguments -> kafka_ingest_run
 * (src/ingest/kafka.c).  SIGINT/SIGTERM commit what is buffered and stop.
 * --stream NAME (repeatable): the lake's stream NAME (docs/streaming.md)
 * runs in a thread of this process every flush interval
 * (stream_runner_start before the ingest loop), and makes one last run
 * after it (stream_runner_stop), so --exit-at-end leaves it up to date.
 */
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "ingest/kafka.h"
#include "stream/stream.h"

#define MAX_STREAMS 16

static const char USAGE[] =
    "usage: tarn ingest kafka --lake DIR --brokers HOST:PORT[,...] --topic T --table SCHEMA.NAME\n"
    "                         [--group G] [--format json|csv|avro|raw] [--flush-rows N]\n"
    "                         [--flush-interval-ms N] [--exit-at-end]\n"
    "                         [--dlq-table NAME] [--schema FILE [--confluent]]\n"
    "                         [--max-buffer-mb N] [--property NAME=VALUE]... [--stream NAME]...\n"
    "                         [--verbose]\n";

static bool parse_i64(const char *s, int64_t *out)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || v <= 0)
        return false;
    *out = v;
    return true;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0)
            break;
        if (cap - n - 1 == 0) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

int cmd_ingest_kafka(int argc, char **argv)
{
    KafkaIngestOptions o;
    memset(&o, 0, sizeof o);
    o.format = INGEST_JSON;
    const char *table = NULL, *format = NULL, *schema_file = NULL, *v;
    const char **props = calloc((size_t)argc + 1, sizeof *props);
    if (!props)
        return 1;
    int rc = 2;
    char *avro_json = NULL;
    const char *streams[MAX_STREAMS];
    int n_streams = 0;
    StreamRunner *runners[MAX_STREAMS] = {0};
    for (int i = 1; i < argc; i++) {
        if (cli_opt(argc, argv, &i, "--lake", &o.lake) || cli_opt(argc, argv, &i, "--brokers", &o.brokers) ||
            cli_opt(argc, argv, &i, "--topic", &o.topic) || cli_opt(argc, argv, &i, "--table", &table) ||
            cli_opt(argc, argv, &i, "--group", &o.group) || cli_opt(argc, argv, &i, "--format", &format) ||
            cli_opt(argc, argv, &i, "--dlq-table", &o.dlq_table) ||
            cli_opt(argc, argv, &i, "--schema", &schema_file))
            continue;
        if (cli_opt(argc, argv, &i, "--flush-rows", &v)) {
            if (!parse_i64(v, &o.flush_rows) || o.flush_rows > 10000000) {
                cli_usage("ingest kafka", "--flush-rows must be an integer from 1 to 10000000");
                goto out;
            }
        } else if (cli_opt(argc, argv, &i, "--flush-interval-ms", &v)) {
            if (!parse_i64(v, &o.flush_interval_ms)) {
                cli_usage("ingest kafka", "--flush-interval-ms must be a positive integer");
                goto out;
            }
        } else if (cli_opt(argc, argv, &i, "--max-buffer-mb", &v)) {
            if (!parse_i64(v, &o.max_buffer_bytes) || o.max_buffer_bytes > 1 << 20) {
                cli_usage("ingest kafka", "--max-buffer-mb must be a positive integer");
                goto out;
            }
            o.max_buffer_bytes <<= 20;
        } else if (cli_opt(argc, argv, &i, "--property", &v))
            props[o.n_props++] = v;
        else if (cli_opt(argc, argv, &i, "--stream", &v)) {
            if (n_streams == MAX_STREAMS) {
                cli_usage("ingest kafka", "at most %d --stream options", MAX_STREAMS);
                goto out;
            }
            streams[n_streams++] = v;
        }
        else if (!strcmp(argv[i], "--exit-at-end"))
            o.exit_at_end = true;
        else if (!strcmp(argv[i], "--confluent"))
            o.confluent = true;
        else if (!strcmp(argv[i], "--verbose") || !strcmp(argv[i], "-v"))
            o.verbose = true;
        else if (!strcmp(argv[i], "--schema-registry")) {
            cli_usage("ingest kafka", "--schema-registry is not supported: give the writer schema with "
                                      "--schema FILE --confluent");
            goto out;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(USAGE, stdout);
            rc = 0;
            goto out;
        } else {
            cli_usage("ingest kafka", "unknown argument \"%s\"\n%s", argv[i], USAGE);
            goto out;
        }
    }
    if (!o.lake || !o.brokers || !o.topic || !table) {
        cli_usage("ingest kafka", "--lake, --brokers, --topic and --table are required\n%s", USAGE);
        goto out;
    }
    static char schema_name[256], table_name[256];
    const char *dot = strchr(table, '.');
    if (!dot || dot == table || !dot[1] || strchr(dot + 1, '.') || (size_t)(dot - table) >= sizeof schema_name ||
        strlen(dot + 1) >= sizeof table_name) {
        cli_usage("ingest kafka", "--table must be SCHEMA.NAME (e.g. public.events), not \"%s\"", table);
        goto out;
    }
    memcpy(schema_name, table, (size_t)(dot - table));
    schema_name[dot - table] = '\0';
    strcpy(table_name, dot + 1);
    o.schema = schema_name;
    o.table = table_name;
    if (format) {
        if (!strcmp(format, "json"))
            o.format = INGEST_JSON;
        else if (!strcmp(format, "csv"))
            o.format = INGEST_CSV;
        else if (!strcmp(format, "raw"))
            o.format = INGEST_RAW;
        else if (!strcmp(format, "avro"))
            o.format = INGEST_AVRO;
        else {
            cli_usage("ingest kafka", "unknown --format \"%s\" (json, csv, avro or raw)", format);
            goto out;
        }
    }
    if (o.format == INGEST_AVRO) {
        if (!schema_file) {
            cli_usage("ingest kafka", "--format avro needs --schema FILE (the Avro writer schema, JSON)");
            goto out;
        }
        if (!(avro_json = read_file(schema_file))) {
            fprintf(stderr, "tarn ingest kafka: cannot read \"%s\"\n", schema_file);
            rc = 1;
            goto out;
        }
        o.avro_schema_json = avro_json;
    } else if (schema_file || o.confluent) {
        cli_usage("ingest kafka", "--schema and --confluent apply to --format avro only");
        goto out;
    }
    o.props = props;
    o.stop = &cli_stop;
    /* Batches of the same size come and go: keep their memory in the heap
     * instead of mmap/munmap (and zeroing fresh pages) every batch. */
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    cli_catch_stop_signals(true);

    TarnError err;
    err_clear(&err);
    /* the streams start first: an unknown stream fails before any record
     * is consumed */
    int64_t interval = o.flush_interval_ms > 0 ? o.flush_interval_ms : 1000;
    for (int i = 0; i < n_streams; i++)
        if (stream_runner_start(o.lake, streams[i], interval, &runners[i], &err)) {
            rc = cli_report(&err);
            goto out;
        }
    KafkaIngestStats st;
    memset(&st, 0, sizeof st);
    int irc = kafka_ingest_run(&o, &st, &err);
    if (irc) {
        rc = cli_report(&err);
        goto out;
    }
    /* one last run of each stream covers everything committed above */
    for (int i = 0; i < n_streams; i++) {
        StreamRunner *r = runners[i];
        runners[i] = NULL;
        if (stream_runner_stop(r, &err)) {
            fprintf(stderr, "tarn ingest kafka: stream \"%s\": ", streams[i]);
            rc = cli_report(&err);
            goto out;
        }
    }
    fprintf(stderr,
            "tarn ingest kafka: %lld records, %lld rows, %lld dead letters, %lld commits, %lld batches re-read\n",
            (long long)st.records, (long long)st.rows, (long long)st.dead_letters, (long long)st.commits,
            (long long)st.conflicts);
    rc = 0;
out:
    for (int i = 0; i < n_streams; i++)
        if (runners[i]) {
            TarnError e2;
            err_clear(&e2);
            stream_runner_stop(runners[i], &e2);
        }
    free(props);
    free(avro_json);
    return rc;
}
