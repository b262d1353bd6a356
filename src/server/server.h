/*
 * server.h - `tarn serve`: a PostgreSQL protocol 3.0 server over a lake.
 *
 * One listening socket; one thread per connection (up to max_connections,
 * beyond which a connection gets FATAL 53300 "sorry, too many clients
 * already" and is closed without a thread); each session owns its own
 * tarn_db on the shared lake directory.  A watchdog thread enforces
 * statement_timeout.  See src/server/README.md and docs/server.md.
 */
#ifndef TARN_SERVER_SERVER_H
#define TARN_SERVER_SERVER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"

enum { SERVER_AUTH_TRUST = 0, SERVER_AUTH_SCRAM = 1, SERVER_AUTH_REJECT = 2 };

typedef struct ServerConfig {
    char lake_dir[1024];
    char host[256];               /* listen address (numeric or a name) */
    int port;
    int max_connections;          /* sessions at once */
    uint32_t max_message_bytes;   /* largest frontend message accepted */
    int auth_loopback;            /* SERVER_AUTH_*: clients on 127/8, ::1 */
    int auth_remote;              /* every other client */
    int64_t statement_timeout_ms; /* default for new sessions; 0 = none */
    int64_t idle_session_timeout_ms;
    int64_t idle_in_txn_timeout_ms; /* idle_in_transaction_session_timeout */
    int64_t startup_timeout_ms;   /* authentication_timeout */
    bool log_connections;
    /* decoded-column cache of small Delta data files (table/delta/col_cache.h); 0 = off */
    int64_t column_cache_bytes;
    /* TLS (conn_io.c): ssl = on answers SSLRequest with 'S' */
    bool ssl;
    bool ssl_required;            /* plain connections get FATAL 28000 (hostssl) */
    int ssl_min_protocol;         /* OpenSSL's version number: 0x0303 = TLSv1.2 */
    char ssl_cert_file[1024];     /* PEM; resolved against the config file's folder */
    char ssl_key_file[1024];
    char ssl_ca_file[1024];       /* '' = no client certificates asked for */
} ServerConfig;

/* Defaults: 127.0.0.1:5432, 100 connections, 64 MiB messages, trust on
 * loopback and SCRAM-SHA-256 for other clients, no timeouts, startup
 * timeout 60 s. */
void server_config_default(ServerConfig *c);
/* "HOST:PORT", "[v6]:PORT", "HOST" or ":PORT". */
int server_config_listen(ServerConfig *c, const char *text, TarnError *err);
/* Reads a config file of `key = value` lines (# comments): listen,
 * max_connections, max_message_bytes, auth_loopback and auth_remote
 * (trust | scram-sha-256 | reject), statement_timeout,
 * idle_session_timeout, authentication_timeout, log_connections, ssl,
 * ssl_required, ssl_cert_file, ssl_key_file, ssl_ca_file (relative paths
 * are relative to the file's folder; ssl = on defaults the certificate and
 * key to server.crt and server.key there), ssl_min_protocol_version. */
int server_config_load(ServerConfig *c, const char *path, TarnError *err);

/* Listens and serves until *stop becomes non-zero (checked every 200 ms)
 * or a fatal listener error.  Logs to stderr. */
int server_run(const ServerConfig *c, atomic_int *stop, TarnError *err);

#endif
