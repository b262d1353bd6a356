/*
 * conn_io.c - plain or TLS I/O of one session, and the server's SSL_CTX.
 * See conn_io.h.  TLS follows what PostgreSQL 15's be-secure-openssl.c
 * does: TLS 1.2 and later by default, no compression, no renegotiation,
 * no session cache or tickets, client certificates requested (and
 * verified when sent) only when a CA file is configured.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/conn_io.h"
#include "server/server_int.h"
#include "util/mem.h"

/* ---- the server context ------------------------------------------------------------------------ */

/* The first queued OpenSSL error as text ("no error" when the queue is
 * empty), and the queue cleared. */
static const char *ssl_errtext(char *buf, size_t cap)
{
    unsigned long e = ERR_get_error();
    if (!e) {
        snprintf(buf, cap, "no SSL error reported");
    } else {
        const char *r = ERR_reason_error_string(e);
        if (r)
            snprintf(buf, cap, "%s", r);
        else
            ERR_error_string_n(e, buf, cap);
    }
    ERR_clear_error();
    return buf;
}

/* tls-server-end-point (RFC 5929 section 4.1): the certificate's hash
 * with its signature's hash function, SHA-256 for MD5 and SHA-1. */
static void end_point_hash(TlsServer *t, X509 *cert)
{
    int algo = NID_undef;
    if (!OBJ_find_sigid_algs(X509_get_signature_nid(cert), &algo, NULL))
        algo = NID_undef;
    if (algo == NID_md5 || algo == NID_sha1)
        algo = NID_sha256;
    const EVP_MD *md = algo != NID_undef ? EVP_get_digestbynid(algo) : NULL;
    unsigned int len = 0;
    if (md && EVP_MD_get_size(md) <= (int)sizeof t->cb_hash && X509_digest(cert, md, t->cb_hash, &len))
        t->cb_len = len;
    else
        t->cb_len = 0;
    ERR_clear_error();
}

int tls_server_new(const ServerConfig *c, TlsServer **out, TarnError *err)
{
    *out = NULL;
    char e[256];
    TlsServer *t = tarn_calloc(1, sizeof *t);
    if (!t)
        return ERR_NOMEM(err, sizeof *t);
    ERR_clear_error();
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    t->ctx = ctx;
    int rc = 0;
    if (!ctx) {
        rc = err_set(err, TARN_ERR_INTERNAL, "could not create SSL context: %s", ssl_errtext(e, sizeof e));
        goto done;
    }
    if (access(c->ssl_cert_file, R_OK)) {
        rc = err_set(err, TARN_ERR_IO, "could not load server certificate file \"%s\": %s", c->ssl_cert_file,
                     strerror(errno));
        goto done;
    }
    if (SSL_CTX_use_certificate_chain_file(ctx, c->ssl_cert_file) != 1) {
        rc = err_set(err, TARN_ERR_INVALID, "could not load server certificate file \"%s\": %s", c->ssl_cert_file,
                     ssl_errtext(e, sizeof e));
        goto done;
    }
    struct stat st;
    if (stat(c->ssl_key_file, &st) || access(c->ssl_key_file, R_OK)) {
        rc = err_set(err, TARN_ERR_IO, "could not access private key file \"%s\": %s", c->ssl_key_file, strerror(errno));
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = err_set(err, TARN_ERR_INVALID, "private key file \"%s\" is not a regular file", c->ssl_key_file);
        goto done;
    }
    /* PostgreSQL's rule: a key others can read is refused */
    if (st.st_uid != geteuid() && st.st_uid != 0) {
        rc = err_set(err, TARN_ERR_INVALID, "private key file \"%s\" must be owned by the server's user or root",
                     c->ssl_key_file);
        goto done;
    }
    if ((st.st_uid == geteuid() && (st.st_mode & (S_IRWXG | S_IRWXO))) ||
        (st.st_uid != geteuid() && (st.st_mode & (S_IWGRP | S_IXGRP | S_IRWXO)))) {
        rc = err_set(err, TARN_ERR_INVALID, "private key file \"%s\" has group or world access", c->ssl_key_file);
        err_detail(err, "File must have permissions u=rw (0600) or less if owned by the server's user, or permissions "
                        "u=rw,g=r (0640) or less if owned by root.");
        goto done;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, c->ssl_key_file, SSL_FILETYPE_PEM) != 1) {
        rc = err_set(err, TARN_ERR_INVALID, "could not load private key file \"%s\": %s", c->ssl_key_file,
                     ssl_errtext(e, sizeof e));
        goto done;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        rc = err_set(err, TARN_ERR_INVALID, "check of private key failed: %s (certificate \"%s\", key \"%s\")",
                     ssl_errtext(e, sizeof e), c->ssl_cert_file, c->ssl_key_file);
        goto done;
    }
    if (!SSL_CTX_set_min_proto_version(ctx, c->ssl_min_protocol)) {
        rc = err_set(err, TARN_ERR_INVALID, "could not set minimum SSL protocol version: %s", ssl_errtext(e, sizeof e));
        goto done;
    }
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET |
                                 SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (SSL_CTX_set_cipher_list(ctx, "HIGH:MEDIUM:+3DES:!aNULL") != 1) {
        rc = err_set(err, TARN_ERR_INVALID, "could not set the cipher list: %s", ssl_errtext(e, sizeof e));
        goto done;
    }
    if (c->ssl_ca_file[0]) {
        if (SSL_CTX_load_verify_locations(ctx, c->ssl_ca_file, NULL) != 1) {
            rc = err_set(err, TARN_ERR_INVALID, "could not load root certificate file \"%s\": %s", c->ssl_ca_file,
                         ssl_errtext(e, sizeof e));
            goto done;
        }
        STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(c->ssl_ca_file);
        if (!names) {
            rc = err_set(err, TARN_ERR_INVALID, "could not load root certificate file \"%s\": %s", c->ssl_ca_file,
                         ssl_errtext(e, sizeof e));
            goto done;
        }
        SSL_CTX_set_client_CA_list(ctx, names);
        /* ask for a client certificate; verify it when one is sent */
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE, NULL);
    }
    end_point_hash(t, SSL_CTX_get0_certificate(ctx));
done:
    ERR_clear_error();
    if (rc) {
        tls_server_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

void tls_server_free(TlsServer *t)
{
    if (!t)
        return;
    SSL_CTX_free(t->ctx);
    tarn_free(t);
}

/* ---- one connection ---------------------------------------------------------------------------- */

/* Waits for the socket to become readable (or writable) until deadline
 * (0 = none): 1 = ready, 0 = timeout, -1 = error. */
static int wait_fd(int fd, bool for_write, int64_t deadline)
{
    for (;;) {
        int wait = 1000;
        if (deadline) {
            int64_t left = deadline - server_now_ms();
            if (left <= 0)
                return 0;
            if (left < wait)
                wait = (int)left;
        }
        struct pollfd p = {fd, (short)(for_write ? POLLOUT : POLLIN), 0};
        int pr = poll(&p, 1, wait);
        if (pr < 0 && errno != EINTR)
            return -1;
        if (pr > 0)
            return (p.revents & POLLNVAL) ? -1 : 1;
    }
}

int cio_tls_accept(ConnIO *io, TlsServer *t, int64_t deadline_ms, TarnError *err)
{
    char e[256];
    int fl = fcntl(io->fd, F_GETFL);
    if (fl < 0 || fcntl(io->fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return err_set(err, TARN_ERR_IO, "could not make the socket non-blocking: %s", strerror(errno));
    ERR_clear_error();
    SSL *ssl = SSL_new(t->ctx);
    if (!ssl || !SSL_set_fd(ssl, io->fd)) {
        SSL_free(ssl);
        return err_set(err, TARN_ERR_NOMEM, "could not initialize SSL connection: %s", ssl_errtext(e, sizeof e));
    }
    for (;;) {
        ERR_clear_error();
        int r = SSL_accept(ssl);
        if (r == 1)
            break;
        int se = SSL_get_error(ssl, r);
        int w = 0;
        if (se == SSL_ERROR_WANT_READ || se == SSL_ERROR_WANT_WRITE)
            w = wait_fd(io->fd, se == SSL_ERROR_WANT_WRITE, deadline_ms);
        if (w == 1)
            continue;
        int rc;
        if (se == SSL_ERROR_WANT_READ || se == SSL_ERROR_WANT_WRITE)
            rc = w == 0 ? err_set(err, TARN_ERR_IO, "could not accept SSL connection: timeout")
                        : err_set(err, TARN_ERR_IO, "could not accept SSL connection: %s", strerror(errno));
        else if (se == SSL_ERROR_SYSCALL && !ERR_peek_error())
            rc = err_set(err, TARN_ERR_IO, "could not accept SSL connection: %s",
                         r == 0 || !errno ? "EOF detected" : strerror(errno));
        else
            rc = err_set(err, TARN_ERR_IO, "could not accept SSL connection: %s", ssl_errtext(e, sizeof e));
        ERR_clear_error();
        SSL_free(ssl);
        return rc;
    }
    io->ssl = ssl;
    io->want_write = false;
    return 0;
}

int cio_write_all(ConnIO *io, const void *data, size_t n)
{
    const uint8_t *p = data;
    size_t off = 0;
    while (off < n) {
        if (!io->ssl) {
            ssize_t w = send(io->fd, p + off, n - off, MSG_NOSIGNAL);
            if (w > 0)
                off += (size_t)w;
            else if (w < 0 && errno == EINTR)
                continue;
            else
                return -1;
            continue;
        }
        size_t chunk = n - off > (1u << 30) ? (1u << 30) : n - off;
        ERR_clear_error();
        int w = SSL_write(io->ssl, p + off, (int)chunk);
        if (w > 0) {
            off += (size_t)w;
            continue;
        }
        int se = SSL_get_error(io->ssl, w);
        if (se == SSL_ERROR_WANT_WRITE || se == SSL_ERROR_WANT_READ) {
            if (wait_fd(io->fd, se == SSL_ERROR_WANT_WRITE, 0) < 0)
                return -1;
            continue;
        }
        ERR_clear_error();
        return -1;
    }
    return 0;
}

int cio_wait(ConnIO *io, int timeout_ms)
{
    if (io->ssl && SSL_pending(io->ssl) > 0)
        return 1;
    struct pollfd p = {io->fd, (short)(POLLIN | (io->want_write ? POLLOUT : 0)), 0};
    int pr = poll(&p, 1, timeout_ms);
    if (pr < 0)
        return errno == EINTR ? 0 : -1;
    return pr > 0 ? 1 : 0;
}

ssize_t cio_read(ConnIO *io, void *buf, size_t cap)
{
    if (!io->ssl) {
        ssize_t n = recv(io->fd, buf, cap, 0);
        if (n < 0)
            return errno == EINTR || errno == EAGAIN ? -2 : -1;
        return n;
    }
    io->want_write = false;
    ERR_clear_error();
    int n = SSL_read(io->ssl, buf, cap > (1u << 30) ? (1 << 30) : (int)cap);
    if (n > 0)
        return n;
    int se = SSL_get_error(io->ssl, n);
    switch (se) {
    case SSL_ERROR_WANT_READ: return -2;
    case SSL_ERROR_WANT_WRITE: io->want_write = true; return -2;
    case SSL_ERROR_ZERO_RETURN: return 0; /* close_notify */
    case SSL_ERROR_SYSCALL:
        ERR_clear_error();
        return n == 0 || errno == 0 ? 0 : -1; /* EOF without close_notify */
    default: ERR_clear_error(); return -1;
    }
}

void cio_close(ConnIO *io)
{
    if (!io->ssl)
        return;
    ERR_clear_error();
    SSL_shutdown(io->ssl); /* non-blocking: one try at close_notify */
    ERR_clear_error();
    SSL_free(io->ssl);
    io->ssl = NULL;
}

void cio_describe(const ConnIO *io, char *out, size_t cap)
{
    if (!io->ssl) {
        snprintf(out, cap, "SSL off");
        return;
    }
    int bits = 0;
    SSL_get_cipher_bits(io->ssl, &bits);
    snprintf(out, cap, "SSL enabled (protocol=%s, cipher=%s, bits=%d)", SSL_get_version(io->ssl),
             SSL_get_cipher_name(io->ssl), bits);
}
