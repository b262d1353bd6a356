/*
 * cmd_stream.c - `tarn stream`: continuous windowed aggregates over an
 * ingested table (src/stream/stream.h, docs/streaming.md).
 *
 *   tarn stream create --lake DIR --name NAME --target SCHEMA.TABLE --sql "SELECT ..." [--watermark '10 seconds']
 *   tarn stream run    --lake DIR --name NAME [--name NAME2 ...] [--once | --interval-ms N]
 *   tarn stream list   --lake DIR
 *   tarn stream drop   --lake DIR --name NAME
 *
 * `run` processes the source's new commits every --interval-ms (default
 * 1000) until SIGINT / SIGTERM, finishing the run in progress; --once
 * processes what is there and exits.  Several --name: each stream in its
 * own thread (stream_runner_*), a last run of each at the stop.  --lake defaults to $TARN_LAKE, else
 * ./lake.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "stream/stream.h"
#include "tarn.h"

#define STREAM_MAX_RUN 16

static void print_run(const char *name, const StreamRunResult *r)
{
    printf("stream %s: source versions %" PRId64 "..%" PRId64 ", %" PRId64 " file%s, %" PRId64 " rows (%" PRId64
           " late, %" PRId64 " without time), %" PRId64 " groups written, target version %" PRId64 "\n",
           name, r->source_from + 1, r->source_to, r->files_read, r->files_read == 1 ? "" : "s", r->rows_read, r->late_rows, r->null_time_rows,
           r->groups_written, r->target_version);
    fflush(stdout);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* `run` with several --name: with --once one run of each in turn, else one
 * thread per stream (stream_runner_*) until SIGINT / SIGTERM or a failure. */
static int run_several(tarn_db *db, const char *lake, const char *const *names, int n, bool once, long interval_ms)
{
    TarnError err;
    err_clear(&err);
    int st = 0;
    if (once) {
        for (int i = 0; i < n && !st; i++) {
            StreamRunResult r;
            if (stream_run_once(db, names[i], &r, &err))
                st = cli_report(&err);
            else if (r.did_work)
                print_run(names[i], &r);
            else
                printf("stream %s: up to date\n", names[i]);
        }
        return st;
    }
    cli_catch_stop_signals(false);
    StreamRunner *rs[STREAM_MAX_RUN] = {NULL};
    for (int i = 0; i < n && !st; i++)
        if (stream_runner_start(lake, names[i], interval_ms ? interval_ms : 1, &rs[i], &err))
            st = cli_report(&err);
    bool failed = false;
    while (!st && !failed && !atomic_load(&cli_stop)) {
        sleep_ms(50);
        for (int i = 0; i < n; i++)
            failed |= stream_runner_status(rs[i]) != 0;
    }
    for (int i = 0; i < n; i++) {
        err_clear(&err);
        if (stream_runner_stop(rs[i], &err) && !st)
            st = cli_report(&err);
    }
    return st;
}

int cmd_stream(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage("stream", "expected create, run, list or drop");
    const char *sub = argv[1];
    const char *lake = getenv("TARN_LAKE"), *name = NULL, *target = NULL, *sql = NULL, *wm = NULL, *v;
    const char *names[STREAM_MAX_RUN];
    int n_names = 0;
    bool once = false;
    long interval_ms = 1000;
    if (!lake || !*lake)
        lake = "lake";
    for (int i = 2; i < argc; i++) {
        if (cli_opt(argc, argv, &i, "--lake", &v))
            lake = v;
        else if (cli_opt(argc, argv, &i, "--name", &v)) {
            if (n_names == STREAM_MAX_RUN)
                return cli_usage("stream", "at most %d --name options", STREAM_MAX_RUN);
            name = names[n_names++] = v;
        }
        else if (cli_opt(argc, argv, &i, "--target", &v))
            target = v;
        else if (cli_opt(argc, argv, &i, "--sql", &v))
            sql = v;
        else if (cli_opt(argc, argv, &i, "--watermark", &v))
            wm = v;
        else if (cli_opt(argc, argv, &i, "--interval-ms", &v)) {
            char *end;
            interval_ms = strtol(v, &end, 10);
            if (*end || interval_ms < 0)
                return cli_usage("stream", "--interval-ms needs a number of milliseconds, not \"%s\"", v);
        } else if (!strcmp(argv[i], "--once"))
            once = true;
        else
            return cli_usage("stream", "unknown argument \"%s\"", argv[i]);
    }
    bool is_create = !strcmp(sub, "create"), is_run = !strcmp(sub, "run"), is_list = !strcmp(sub, "list"),
         is_drop = !strcmp(sub, "drop");
    if (!is_create && !is_run && !is_list && !is_drop)
        return cli_usage("stream", "unknown subcommand \"%s\" (create, run, list, drop)", sub);
    if (!is_list && !name)
        return cli_usage("stream", "%s needs --name NAME", sub);
    if (!is_run && n_names > 1)
        return cli_usage("stream", "%s takes one --name", sub);
    if (is_create && (!target || !sql))
        return cli_usage("stream", "create needs --target SCHEMA.TABLE and --sql \"SELECT ...\"");
    TarnError err;
    err_clear(&err);
    tarn_db *db;
    if (tarn_open(lake, &db, &err))
        return cli_report(&err);
    int st = 0;
    if (is_create) {
        if (stream_create(db, name, target, sql, wm, &err))
            st = cli_report(&err);
        else
            printf("CREATE STREAM %s\n", name);
    } else if (is_drop) {
        if (stream_drop(db, name, &err))
            st = cli_report(&err);
        else
            printf("DROP STREAM %s\n", name);
    } else if (is_list) {
        StreamInfo *l;
        uint32_t n;
        if (stream_list(db, &l, &n, &err)) {
            st = cli_report(&err);
        } else {
            for (uint32_t i = 0; i < n; i++) {
                printf("%s\tsource=%s\ttarget=%s\tsource_version=%" PRId64, l[i].name, l[i].source, l[i].target,
                       l[i].source_version);
                if (l[i].has_watermark)
                    printf("\twatermark_delay_us=%" PRId64, l[i].watermark_delay_us);
                if (l[i].has_max_event)
                    printf("\tmax_event_us=%" PRId64, l[i].max_event_us);
                printf("\tlate_rows=%" PRId64 "\tnull_time_rows=%" PRId64 "\n", l[i].late_rows, l[i].null_time_rows);
            }
            stream_info_free_all(l, n);
        }
    } else if (n_names > 1) {
        st = run_several(db, lake, names, n_names, once, interval_ms);
    } else {
        cli_catch_stop_signals(false);
        for (;;) {
            StreamRunResult r;
            if (stream_run_once(db, name, &r, &err)) {
                st = cli_report(&err);
                break;
            }
            if (r.did_work)
                print_run(name, &r);
            else if (once)
                printf("stream %s: up to date\n", name);
            if (once || atomic_load(&cli_stop))
                break;
            for (long waited = 0; waited < interval_ms && !atomic_load(&cli_stop); waited += 50)
                sleep_ms(interval_ms - waited < 50 ? interval_ms - waited : 50);
            if (atomic_load(&cli_stop))
                break;
        }
    }
    tarn_close(db);
    return st;
}
