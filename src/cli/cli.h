/*
 * cli.h - the tarn command-line program: subcommand entry points and
 * shared helpers.  Each subcommand lives in cmd_<name>.c and is a thin
 * layer over the library: parse arguments, call the library, print.
 */
#ifndef TARN_CLI_CLI_H
#define TARN_CLI_CLI_H

#include <stdatomic.h>
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

/* Set to 1 by SIGINT / SIGTERM once cli_catch_stop_signals() ran: the
 * long-running commands (serve, ingest, stream) poll it and stop cleanly. */
extern atomic_int cli_stop;
/* Installs the handlers setting cli_stop; with ignore_sigpipe, also ignores
 * SIGPIPE (a peer closing a socket must not kill a server). */
void cli_catch_stop_signals(bool ignore_sigpipe);

/* Parses a decimal integer in 1..max into *out. */
bool cli_parse_positive(const char *s, long long max, long long *out);

/* Option parsing helper: when argv[*i] is `--name VALUE` or `--name=VALUE`,
 * stores VALUE, advances *i and returns true. */
bool cli_opt(int argc, char **argv, int *i, const char *name, const char **value_out);

#endif
