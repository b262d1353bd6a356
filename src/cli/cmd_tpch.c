/*
 * cmd_tpch.c - `tarn tpch gen`: the TPC-H tables as Delta tables in a lake,
 * a thin layer over src/tpch/tpch_lake.h.
 *
 *   tarn tpch gen --sf N --lake DIR [--threads T] [--force]
 *
 * Writes region, nation, supplier, customer, part, partsupp, orders and
 * lineitem to DIR/tpch/<table>/ (the SQL engine sees them as tpch.<table>),
 * then prints one line per table (rows, files, bytes, version) and the
 * time spent.  Existing tables are refused unless --force, which
 * overwrites them (one commit per table; older versions stay readable by
 * time travel until VACUUM).  Usage errors exit 2, failures 1.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "tpch/tpch_lake.h"

#define CMD "tpch"

static const char *const USAGE_TEXT =
    "usage: tarn tpch gen --sf N --lake DIR [--threads T] [--force]\n"
    "\n"
    "Generates the eight TPC-H tables at scale factor N (0.01 to 100000; SF 1 is\n"
    "6,001,215 lineitem rows) as Delta tables DIR/tpch/<table>/, one commit per\n"
    "table.  The rows are those of the TPC's dbgen.\n"
    "\n"
    "  --sf N        scale factor (required)\n"
    "  --lake DIR    lake directory (required; created when absent)\n"
    "  --threads T   worker threads (default: the number of CPUs)\n"
    "  --force       overwrite the tables when they exist (default: refuse)\n";

static int usage_ok(void)
{
    fputs(USAGE_TEXT, stdout);
    return 0;
}

static int cmd_gen(int argc, char **argv)
{
    const char *sf_s = NULL, *lake = NULL, *threads_s = NULL, *v;
    bool force = false;
    for (int i = 1; i < argc; i++) {
        if (cli_opt(argc, argv, &i, "--sf", &v))
            sf_s = v;
        else if (cli_opt(argc, argv, &i, "--lake", &v))
            lake = v;
        else if (cli_opt(argc, argv, &i, "--threads", &v))
            threads_s = v;
        else if (!strcmp(argv[i], "--force"))
            force = true;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return usage_ok();
        else
            return cli_usage(CMD, "unknown or incomplete option \"%s\" for gen", argv[i]);
    }
    if (!sf_s)
        return cli_usage(CMD, "gen needs --sf N");
    if (!lake || !lake[0])
        return cli_usage(CMD, "gen needs --lake DIR");
    char *end;
    errno = 0;
    double sf = strtod(sf_s, &end);
    if (errno || end == sf_s || *end)
        return cli_usage(CMD, "--sf needs a number, not \"%s\"", sf_s);
    int threads = 0;
    if (threads_s) {
        long t = strtol(threads_s, &end, 10);
        if (end == threads_s || *end || t < 1 || t > 256)
            return cli_usage(CMD, "--threads needs an integer from 1 to 256, not \"%s\"", threads_s);
        threads = (int)t;
    }
    TarnError err;
    err_clear(&err);
    if (tpch_check_scale(sf, &err))
        return cli_report(&err);

    TpchLakeOptions o;
    memset(&o, 0, sizeof o);
    o.sf = sf;
    o.threads = threads;
    o.force = force;
    TpchLakeResult res;
    if (tpch_lake_write(lake, &o, &res, &err))
        return cli_report(&err);

    printf("TPC-H scale factor %g into %s/tpch (%d thread%s)\n", sf, lake, res.threads,
           res.threads == 1 ? "" : "s");
    printf("%-10s %14s %6s %14s %8s\n", "table", "rows", "files", "bytes", "version");
    int64_t rows = 0, bytes = 0, files = 0;
    for (int t = 0; t < TPCH_N_TABLES; t++) {
        const TpchTableResult *r = &res.tables[t];
        printf("%-10s %14" PRId64 " %6" PRId64 " %14" PRId64 " %8" PRId64 "%s\n", tpch_table_name((TpchTable)t),
               r->rows, r->files, r->bytes, r->version, r->replaced ? "  (replaced)" : "");
        rows += r->rows;
        bytes += r->bytes;
        files += r->files;
    }
    printf("%-10s %14" PRId64 " %6" PRId64 " %14" PRId64 "\n", "total", rows, files, bytes);
    printf("time: %.2f s (text pool %.2f s, generate and write %.2f s, commit %.2f s)\n",
           res.pool_seconds + res.write_seconds + res.commit_seconds, res.pool_seconds, res.write_seconds,
           res.commit_seconds);
    return 0;
}

int cmd_tpch(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage(CMD, "missing subcommand (gen)");
    if (!strcmp(argv[1], "gen"))
        return cmd_gen(argc - 1, argv + 1);
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))
        return usage_ok();
    return cli_usage(CMD, "unknown subcommand \"%s\" (gen)", argv[1]);
}
