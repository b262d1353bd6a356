/*
 * cmd_convert.c - `tarn convert IN OUT [--compression C] [--row-group-rows N]`:
 * convert between CSV, NDJSON and Parquet, chosen by the file extensions.
 * A thin layer over tarn_convert (src/format/convert.c): usage errors exit
 * 2, conversion errors are printed psql-style and exit 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "tarn.h"

int cmd_convert(int argc, char **argv)
{
    const char *paths[2] = {NULL, NULL};
    int n_paths = 0;
    tarn_convert_options opts;
    memset(&opts, 0, sizeof opts);
    for (int i = 1; i < argc; i++) {
        const char *val;
        if (cli_opt(argc, argv, &i, "--compression", &val)) {
            opts.compression = val;
            continue;
        }
        if (cli_opt(argc, argv, &i, "--row-group-rows", &val)) {
            char *end;
            errno = 0;
            long long n = strtoll(val, &end, 10);
            if (errno || end == val || *end || n <= 0)
                return cli_usage("convert", "--row-group-rows needs a positive number, not \"%s\"",
                                 val);
            opts.row_group_rows = n;
            continue;
        }
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("usage: tarn convert IN OUT [--compression none|snappy|gzip|zstd|lz4] "
                   "[--row-group-rows N]\n\n"
                   "Converts between CSV (.csv, header line, types inferred), NDJSON\n"
                   "(.json, .ndjson, .jsonl) and Parquet (.parquet), streaming batch by batch.\n"
                   "The compression and row group size apply to Parquet output.\n");
            return 0;
        }
        if (argv[i][0] == '-' && argv[i][1] != '\0')
            return cli_usage("convert", "unknown or incomplete option \"%s\"", argv[i]);
        if (n_paths == 2)
            return cli_usage("convert", "unexpected argument \"%s\"", argv[i]);
        paths[n_paths++] = argv[i];
    }
    if (n_paths < 2)
        return cli_usage("convert", "needs an input and an output file");
    TarnError err;
    memset(&err, 0, sizeof err);
    if (tarn_convert(paths[0], paths[1], &opts, &err))
        return cli_report(&err);
    return 0;
}
