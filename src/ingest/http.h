/*
 * http.h - HTTP ingestion endpoint: `tarn ingest http` and
 * `tarn serve --http HOST:PORT`.
 *
 *   POST /ingest/SCHEMA.NAME   body: NDJSON (Content-Type
 *                              application/x-ndjson, application/json,
 *                              application/jsonl...) or CSV with a header
 *                              line (text/csv); Content-Length or chunked
 *                              transfer encoding.  Answers once the rows
 *                              are committed: 200 {"table":"s.t","rows":N,
 *                              "version":V}.  The table (and its schema
 *                              folder) is created by the first post, from
 *                              the body's inferred schema; later bodies
 *                              evolve it like files ingest (files.h).
 *   GET /health                200 {"status":"ok"}
 *
 * Errors (JSON body {"error":"...","sqlstate":"..."}): 400 for a body that
 * does not parse (the reader's message names the line), an empty body, a
 * bad table name or incompatible column types; 404 for other paths; 405
 * for other methods on a known path; 411 when a POST has neither length
 * nor chunked encoding; 413 for a body over max_body_bytes (the connection
 * is then closed); 415 for another content type; 431 for a request head
 * over max_header_bytes; 503 when max_connections are open; 500 for lake
 * failures.  Connections are HTTP/1.1 keep-alive (Connection: close and
 * HTTP/1.0 honoured), "Expect: 100-continue" is answered, and every read
 * has a deadline (read_timeout_ms per request head and per body chunk of
 * progress; past read_timeout_ms a body must average 1 KiB/s), so a slow
 * or silent client (slowloris) only holds its own thread until it times
 * out.
 *
 * Each connection runs on its own thread (at most max_connections); a body
 * is streamed to a temporary file (TMPDIR or /tmp) and loaded with
 * ingest_commit_files, one commit per request.
 */
#ifndef TARN_INGEST_HTTP_H
#define TARN_INGEST_HTTP_H

#include <stdint.h>

#include "util/err.h"

typedef struct HttpIngestOptions {
    const char *lake;
    const char *listen;        /* "HOST:PORT" (default 127.0.0.1:8080; port 0 = any) */
    int64_t max_body_bytes;    /* default 256 MiB */
    int max_connections;       /* default 64 */
    int read_timeout_ms;       /* default 10000 */
    int max_header_bytes;      /* default 16 KiB */
} HttpIngestOptions;

typedef struct HttpIngestServer HttpIngestServer;

/* Binds and starts the accept thread.  NULL on error (address in use...). */
HttpIngestServer *http_ingest_start(const HttpIngestOptions *o, TarnError *err);
/* The bound port (useful with port 0). */
int http_ingest_port(const HttpIngestServer *s);
/* Stops accepting, waits for open connections to finish (they end at
 * their next read deadline at the latest), frees. */
void http_ingest_stop(HttpIngestServer *s);

#endif
