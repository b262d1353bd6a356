/*
 * cmd_ingest.c - `tarn ingest SOURCE ...`: dispatches to the source's entry
 * point (cmd_ingest_kafka.c, cmd_ingest_files.c, cmd_ingest_http.c).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int cmd_ingest(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fprintf(argc < 2 ? stderr : stdout,
                "usage: tarn ingest kafka --lake DIR --brokers HOST:PORT[,...] --topic T --table SCHEMA.NAME\n"
                "                         [--group G] [--format json|csv|avro|raw] [--flush-rows N]\n"
                "                         [--flush-interval-ms N] [--exit-at-end]\n"
                "       tarn ingest files --lake DIR --path 'GLOB' --table SCHEMA.NAME\n"
                "                         [--format csv|json|parquet|avro] [--watch]\n"
                "       tarn ingest http  --lake DIR [--listen HOST:PORT]\n");
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "kafka"))
        return cmd_ingest_kafka(argc - 1, argv + 1);
    if (!strcmp(argv[1], "files"))
        return cmd_ingest_files(argc - 1, argv + 1);
    if (!strcmp(argv[1], "http"))
        return cmd_ingest_http(argc - 1, argv + 1);
    return cli_usage("ingest", "unknown source \"%s\" (kafka, files or http)", argv[1]);
}
