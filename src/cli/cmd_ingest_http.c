/*
 * cmd_ingest_http.c - `tarn ingest http`: runs the HTTP ingestion endpoint
 * (src/ingest/http.c) until SIGINT/SIGTERM; requests in flight finish
 * (their commits complete) before it exits.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "ingest/http.h"

static const char USAGE[] =
    "usage: tarn ingest http --lake DIR [--listen HOST:PORT] [--max-body-mb N]\n"
    "                        [--max-connections N] [--read-timeout-ms N]\n";

int cmd_ingest_http(int argc, char **argv)
{
    HttpIngestOptions o;
    memset(&o, 0, sizeof o);
    const char *v;
    long long n;
    for (int i = 1; i < argc; i++) {
        if (cli_opt(argc, argv, &i, "--lake", &o.lake) || cli_opt(argc, argv, &i, "--listen", &o.listen))
            continue;
        if (cli_opt(argc, argv, &i, "--max-body-mb", &v)) {
            if (!cli_parse_positive(v, 1 << 20, &n))
                return cli_usage("ingest http", "--max-body-mb must be a positive integer");
            o.max_body_bytes = (int64_t)n << 20;
        } else if (cli_opt(argc, argv, &i, "--max-body-bytes", &v)) {
            if (!cli_parse_positive(v, INT64_C(1) << 40, &n))
                return cli_usage("ingest http", "--max-body-bytes must be a positive integer");
            o.max_body_bytes = (int64_t)n;
        } else if (cli_opt(argc, argv, &i, "--max-connections", &v)) {
            if (!cli_parse_positive(v, 10000, &n))
                return cli_usage("ingest http", "--max-connections must be an integer from 1 to 10000");
            o.max_connections = (int)n;
        } else if (cli_opt(argc, argv, &i, "--read-timeout-ms", &v)) {
            if (!cli_parse_positive(v, 3600000, &n))
                return cli_usage("ingest http", "--read-timeout-ms must be an integer from 1 to 3600000");
            o.read_timeout_ms = (int)n;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(USAGE, stdout);
            return 0;
        } else
            return cli_usage("ingest http", "unknown argument \"%s\"\n%s", argv[i], USAGE);
    }
    if (!o.lake)
        return cli_usage("ingest http", "--lake is required\n%s", USAGE);
    cli_catch_stop_signals(true);
    TarnError err;
    err_clear(&err);
    HttpIngestServer *s = http_ingest_start(&o, &err);
    if (!s)
        return cli_report(&err);
    printf("tarn ingest http: listening on %s (port %d)\n", o.listen ? o.listen : "127.0.0.1:8080",
           http_ingest_port(s));
    fflush(stdout);
    while (!cli_stop) {
        struct timespec ts = {0, 100 * 1000000L};
        nanosleep(&ts, NULL);
    }
    http_ingest_stop(s);
    return 0;
}
