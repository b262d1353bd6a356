/*
 * cmd_serve.c - `tarn serve`: serve a lake over PostgreSQL's wire protocol.
 *
 *   tarn serve --lake DIR [--listen HOST:PORT] [--config FILE] [--http HOST:PORT]
 *
 * --lake defaults to $TARN_LAKE, else ./lake; --listen to 127.0.0.1:5432
 * (a --listen given on the command line wins over the config file's).
 * --http also starts the HTTP ingestion endpoint (src/ingest/http.h,
 * docs/ingest.md) on its own threads.
 * Runs until SIGINT or SIGTERM; logs to stderr.  See docs/server.md.
 */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "ingest/http.h"
#include "server/server.h"
#include "tarn.h"

int cmd_serve(int argc, char **argv)
{
    const char *lake = getenv("TARN_LAKE");
    const char *listen_at = NULL, *config = NULL, *http_at = NULL, *v;
    for (int i = 1; i < argc; i++) {
        if (cli_opt(argc, argv, &i, "--lake", &v))
            lake = v;
        else if (cli_opt(argc, argv, &i, "--listen", &v))
            listen_at = v;
        else if (cli_opt(argc, argv, &i, "--config", &v))
            config = v;
        else if (cli_opt(argc, argv, &i, "--http", &v))
            http_at = v;
        else
            return cli_usage("serve", "unknown argument \"%s\"", argv[i]);
    }
    ServerConfig cfg;
    server_config_default(&cfg);
    snprintf(cfg.lake_dir, sizeof cfg.lake_dir, "%s", lake && *lake ? lake : "lake");
    TarnError err;
    err_clear(&err);
    if (config && server_config_load(&cfg, config, &err))
        return cli_report(&err);
    if (listen_at && server_config_listen(&cfg, listen_at, &err))
        return cli_report(&err);
    /* the lake opens (is created) before the first client comes */
    tarn_db *probe = NULL;
    if (tarn_open(cfg.lake_dir, &probe, &err))
        return cli_report(&err);
    tarn_close(probe);
    cli_catch_stop_signals(true);
    HttpIngestServer *http = NULL;
    if (http_at) {
        HttpIngestOptions ho;
        memset(&ho, 0, sizeof ho);
        ho.lake = cfg.lake_dir;
        ho.listen = http_at;
        if (!(http = http_ingest_start(&ho, &err)))
            return cli_report(&err);
        fprintf(stderr, "tarn serve: HTTP ingestion on %s\n", http_at);
    }
    int rc = server_run(&cfg, &cli_stop, &err);
    http_ingest_stop(http);
    if (rc)
        return cli_report(&err);
    return 0;
}
