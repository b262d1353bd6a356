/*
 * cmd_ingest_files.c - `tarn ingest files`: arguments -> files_ingest_run
 * (src/ingest/files.c).  With --watch, SIGINT/SIGTERM stop after the
 * commit in progress (a file is never half committed).
 *
 * Exit status: 0 when every file found was loaded (or had been before), 1
 * when some file failed (each reported on stderr; the others are
 * committed), 2 for bad arguments.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "ingest/files.h"

static const char USAGE[] =
    "usage: tarn ingest files --lake DIR --path 'GLOB' --table SCHEMA.NAME\n"
    "                         [--format csv|json|parquet|avro] [--watch] [--interval-ms N]\n"
    "                         [--max-files-per-commit N] [--max-mb-per-commit N] [--quiet]\n";

int cmd_ingest_files(int argc, char **argv)
{
    FilesIngestOptions o;
    memset(&o, 0, sizeof o);
    o.out = stdout;
    o.errout = stderr;
    const char *table = NULL, *format = NULL, *v;
    long long n;
    for (int i = 1; i < argc; i++) {
        if (cli_opt(argc, argv, &i, "--lake", &o.lake) || cli_opt(argc, argv, &i, "--path", &o.glob) ||
            cli_opt(argc, argv, &i, "--table", &table) || cli_opt(argc, argv, &i, "--format", &format))
            continue;
        if (cli_opt(argc, argv, &i, "--interval-ms", &v)) {
            if (!cli_parse_positive(v, 3600000, &n))
                return cli_usage("ingest files", "--interval-ms must be an integer from 1 to 3600000");
            o.poll_ms = (int)n;
        } else if (cli_opt(argc, argv, &i, "--max-files-per-commit", &v)) {
            if (!cli_parse_positive(v, 100000, &n))
                return cli_usage("ingest files", "--max-files-per-commit must be an integer from 1 to 100000");
            o.max_files_per_commit = (int)n;
        } else if (cli_opt(argc, argv, &i, "--max-mb-per-commit", &v)) {
            if (!cli_parse_positive(v, 1 << 20, &n))
                return cli_usage("ingest files", "--max-mb-per-commit must be a positive integer");
            o.max_bytes_per_commit = (int64_t)n << 20;
        } else if (!strcmp(argv[i], "--watch"))
            o.watch = true;
        else if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-q"))
            o.out = NULL;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(USAGE, stdout);
            return 0;
        } else
            return cli_usage("ingest files", "unknown argument \"%s\"\n%s", argv[i], USAGE);
    }
    if (!o.lake || !o.glob || !table)
        return cli_usage("ingest files", "--lake, --path and --table are required\n%s", USAGE);
    static char schema_name[256], table_name[256];
    const char *dot = strchr(table, '.');
    if (!dot || dot == table || !dot[1] || strchr(dot + 1, '.') || (size_t)(dot - table) >= sizeof schema_name ||
        strlen(dot + 1) >= sizeof table_name)
        return cli_usage("ingest files", "--table must be SCHEMA.NAME (e.g. public.events), not \"%s\"", table);
    memcpy(schema_name, table, (size_t)(dot - table));
    schema_name[dot - table] = '\0';
    strcpy(table_name, dot + 1);
    o.schema = schema_name;
    o.table = table_name;
    TarnError err;
    err_clear(&err);
    if (format && files_format_parse(format, &o.format, &err))
        return cli_report(&err) ? 2 : 2;
    o.stop = &cli_stop;
    cli_catch_stop_signals(false);
    FilesIngestStats st;
    int rc = files_ingest_run(&o, &st, &err);
    if (rc)
        return cli_report(&err);
    if (o.out)
        fprintf(o.out, "%lld file%s loaded in %lld commit%s (%lld rows); %lld already ingested, %lld failed\n",
                (long long)st.files, st.files == 1 ? "" : "s", (long long)st.commits, st.commits == 1 ? "" : "s",
                (long long)st.rows, (long long)st.files_skipped, (long long)st.files_failed);
    return st.files_failed ? 1 : 0;
}
