/*
 * cli.h - the tarn command-line program: subcommand entry points and
 * shared helpers.  Each subcommand lives in cmd_<name>.c and is a thin
 * layer over the library: parse arguments, call the library, print.
 */
#ifndef TARN_CLI_CLI_H
#define TARN_CLI_CLI_H

#include <stdbool.h>

#include "util/err.h"

/* Every command takes its own argv (argv[0] = the subcommand name) and
 * returns the process exit code. */
int cmd_parquet(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_table(int argc, char **argv);
int cmd_sql(int argc, char **argv);
int cmd_tpch(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_ingest(int argc, char **argv);
int cmd_stream(int argc, char **argv);

/* `tarn ingest SOURCE ...`: one entry point per source, each in its own
 * file (cmd_ingest_<source>.c); argv[0] is the source name. */
int cmd_ingest_kafka(int argc, char **argv);
int cmd_ingest_files(int argc, char **argv);
int cmd_ingest_http(int argc, char **argv);

/* Prints err the way psql does (ERROR/DETAIL/HINT/CONTEXT) to stderr and
 * returns 1. */
int cli_report(const TarnError *err);

/* Prints a usage error ("tarn parquet: ...") and returns 2. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Option parsing helper: when argv[*i] is `--name VALUE` or `--name=VALUE`,
 * stores VALUE, advances *i and returns true. */
bool cli_opt(int argc, char **argv, int *i, const char *name, const char **value_out);

#endif
