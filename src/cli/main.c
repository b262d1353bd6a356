/*
 * main.c - the tarn binary: dispatches to subcommands (cli.h).
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "tarn.h"

typedef struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *usage;
    const char *summary;
} Command;

static int cmd_version(int argc, char **argv);
static int cmd_help(int argc, char **argv);

static const Command commands[] = {
    {"parquet", cmd_parquet, "parquet schema|meta|cat FILE ...",
     "inspect a Parquet file: schema tree, footer metadata, or rows as CSV/JSON"},
    {"convert", cmd_convert, "convert IN OUT [--compression C] [--row-group-rows N]",
     "convert between CSV, NDJSON and Parquet (by file extension), streaming"},
    {"table", cmd_table,
     "table append|cat|history|describe|optimize|vacuum|restore|changes TABLE_PATH [OPTIONS]",
     "Delta Lake tables: load files, read at a version or time, history, maintenance"},
    {"tpch", cmd_tpch, "tpch gen --sf N --lake DIR [--threads T] [--force]",
     "generate the TPC-H tables (dbgen's rows) as Delta tables LAKE/tpch/<table>"},
    {"sql", cmd_sql, "sql [--lake DIR] [--csv | --json] [--timing] [-c SQL | -f FILE]",
     "run SQL (PostgreSQL dialect) on a lake of Delta tables and files; prints the last result; a shell on a terminal"},
    {"serve", cmd_serve, "serve --lake DIR [--listen HOST:PORT] [--config FILE] [--http HOST:PORT]",
     "serve a lake to PostgreSQL clients (psql, libpq, drivers) over the wire protocol"},
    {"ingest", cmd_ingest,
     "ingest kafka|files|http --lake DIR --table SCHEMA.NAME [OPTIONS]",
     "load a Kafka topic, files or HTTP posts into a Delta table, exactly once"},
    {"stream", cmd_stream, "stream --lake DIR [OPTIONS]",
     "run continuous windowed SQL aggregates over an ingested table"},
    {"demo", cmd_demo, "demo [--rows N] [--dir DIR] [--codec C] [--seed S]",
     "generate lineitem-like rows, write them to Parquet, read them back, summarise"},
    {"version", cmd_version, "version", "print tarn's version"},
    {"help", cmd_help, "help [COMMAND]", "list the commands, or explain one"},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static int cmd_version(int argc, char **argv)
{
    (void)argc; (void)argv;
    printf("tarn %s (build %s)\n", tarn_version(), TARN_BUILD_ID);
    return 0;
}

static int cmd_help(int argc, char **argv)
{
    if (argc > 1) {
        for (size_t i = 0; i < N_COMMANDS; i++) {
            if (!strcmp(commands[i].name, argv[1])) {
                printf("usage: tarn %s\n\n%s\n", commands[i].usage, commands[i].summary);
                return 0;
            }
        }
        fprintf(stderr, "tarn: unknown command \"%s\"\n", argv[1]);
        return 2;
    }
    printf("tarn %s - a lakehouse in one binary\n\nusage: tarn COMMAND [ARGS]\n\ncommands:\n",
           tarn_version());
    for (size_t i = 0; i < N_COMMANDS; i++)
        printf("  %-10s %s\n", commands[i].name, commands[i].summary);
    printf("\nRun \"tarn help COMMAND\" for a command's arguments.\n");
    return 0;
}

int cli_report(const TarnError *err)
{
    char buf[4096];
    fprintf(stderr, "%s\n", tarn_error_format(err, buf, sizeof buf));
    return 1;
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "tarn %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (!strcmp(commands[i].name, cmd))
            fprintf(stderr, "usage: tarn %s\n", commands[i].usage);
    return 2;
}

atomic_int cli_stop;

static void on_stop_signal(int sig)
{
    (void)sig;
    atomic_store(&cli_stop, 1);
}

void cli_catch_stop_signals(bool ignore_sigpipe)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (ignore_sigpipe)
        signal(SIGPIPE, SIG_IGN);
}

bool cli_parse_positive(const char *s, long long max, long long *out)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || v <= 0 || v > max)
        return false;
    *out = v;
    return true;
}

bool cli_opt(int argc, char **argv, int *i, const char *name, const char **value_out)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0)
        return false;
    if (a[n] == '=') {
        *value_out = a + n + 1;
        return true;
    }
    if (a[n] == '\0' && *i + 1 < argc) {
        *value_out = argv[++*i];
        return true;
    }
    return false;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return cmd_help(1, argv);
    const char *c = argv[1];
    if (!strcmp(c, "--version") || !strcmp(c, "-V"))
        return cmd_version(argc - 1, argv + 1);
    if (!strcmp(c, "--help") || !strcmp(c, "-h"))
        return cmd_help(1, argv);
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (!strcmp(commands[i].name, c))
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "tarn: unknown command \"%s\"\nRun \"tarn help\" for the list of commands.\n", c);
    return 2;
}
