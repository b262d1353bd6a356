/*
 * conn_io.h - a session's byte stream: a plain socket or TLS over it
 * (OpenSSL), behind one small interface, and the server's TLS context.
 *
 * A plain connection uses a blocking socket (send/recv after poll).  Once
 * cio_tls_accept succeeds the socket is non-blocking and every byte goes
 * through SSL_read / SSL_write; a WANT_READ / WANT_WRITE is waited out
 * with poll, so the deadlines of the callers (authentication_timeout,
 * idle timeouts) keep working.  Decrypted bytes may wait inside OpenSSL
 * (SSL_pending) while the socket itself is quiet: cio_wait reports those
 * as readable.  Only the session's own thread touches a ConnIO; the
 * watchdog polls the raw descriptor for POLLRDHUP, which TLS does not
 * change.
 */
#ifndef TARN_SERVER_CONN_IO_H
#define TARN_SERVER_CONN_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "server/server.h"
#include "util/err.h"

struct ssl_st;
struct ssl_ctx_st;

/* The server's TLS state, made once at startup (tls_server_new). */
typedef struct TlsServer {
    struct ssl_ctx_st *ctx;
    /* tls-server-end-point channel binding data (RFC 5929): the hash of
     * the server certificate; cb_len 0 = the certificate's signature
     * algorithm names no usable hash, SCRAM-SHA-256-PLUS is not offered */
    uint8_t cb_hash[64];
    size_t cb_len;
} TlsServer;

/* Loads the certificate, key (and CA file) of c and checks that they
 * match; errors name the file.  *out NULL on failure. */
int tls_server_new(const ServerConfig *c, TlsServer **out, TarnError *err);
void tls_server_free(TlsServer *t);

typedef struct ConnIO {
    int fd;
    struct ssl_st *ssl;          /* NULL = plain */
    bool want_write;             /* the last TLS read needs the socket writable */
} ConnIO;

/* The TLS handshake on io->fd (after the 'S' answer went out), finished
 * before deadline_ms (server_now_ms clock).  0 = TLS is on; -1 = failed
 * (err says why; the caller logs it and closes the connection). */
int cio_tls_accept(ConnIO *io, TlsServer *t, int64_t deadline_ms, TarnError *err);
/* Writes all n bytes: 0, or -1 when the connection broke. */
int cio_write_all(ConnIO *io, const void *data, size_t n);
/* Waits up to timeout_ms for something to read: 1 = readable (or bytes
 * wait inside TLS), 0 = timeout or EINTR, -1 = error. */
int cio_wait(ConnIO *io, int timeout_ms);
/* Reads up to cap bytes: > 0 = count, 0 = end of stream, -1 = error,
 * -2 = nothing yet (wait and retry). */
ssize_t cio_read(ConnIO *io, void *buf, size_t cap);
/* Sends TLS close_notify (best effort) and frees the TLS state; the
 * descriptor stays open. */
void cio_close(ConnIO *io);
/* "TLSv1.3", cipher name and bits of a TLS connection (for the log). */
void cio_describe(const ConnIO *io, char *out, size_t cap);

#endif
