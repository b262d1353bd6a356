/*
 * http.c - the HTTP/1.1 ingestion endpoint (see http.h).  A small server
 * of its own: an accept thread, one detached thread per connection (a
 * counter caps them), poll()-based reads with deadlines.
 */
#include "ingest/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "ingest/files.h"
#include "util/mem.h"

struct HttpIngestServer {
    HttpIngestOptions o;
    char *lake;
    int fd;
    int port;
    pthread_t accept_thread;
    atomic_bool stopping;
    atomic_int active;
};

typedef struct Conn {
    HttpIngestServer *srv;
    int fd;
    char *buf;      /* received, not yet consumed: buf[pos, len) */
    size_t pos, len, cap;
    int64_t body_t0;   /* when the current body started (ms) */
    int64_t body_got;  /* body bytes received so far */
} Conn;

/* A body must keep coming at 1 KiB/s on average once read_timeout_ms have
 * passed: a client trickling a byte now and then cannot hold a thread. */
#define HTTP_MIN_BODY_RATE 1024

static int64_t now_ms(void);

static bool body_too_slow(const Conn *c, int64_t timeout_ms)
{
    int64_t el = now_ms() - c->body_t0;
    return el > timeout_ms && c->body_got * 1000 < el * HTTP_MIN_BODY_RATE;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads more bytes, waiting until deadline.  1 = got some, 0 = EOF,
 * -1 = timeout / error / server stopping. */
static int conn_fill(Conn *c, int64_t deadline)
{
    if (c->pos > 0 && c->pos == c->len)
        c->pos = c->len = 0;
    if (c->len == c->cap) {
        if (c->pos > 0) {
            memmove(c->buf, c->buf + c->pos, c->len - c->pos);
            c->len -= c->pos;
            c->pos = 0;
        } else {
            size_t cap = c->cap ? c->cap * 2 : 65536;
            char *nb = realloc(c->buf, cap);
            if (!nb)
                return -1;
            c->buf = nb;
            c->cap = cap;
        }
    }
    for (;;) {
        int64_t left = deadline - now_ms();
        if (left <= 0 || atomic_load(&c->srv->stopping))
            return -1;
        struct pollfd p = {c->fd, POLLIN, 0};
        int r = poll(&p, 1, left > 200 ? 200 : (int)left);
        if (r < 0 && errno != EINTR)
            return -1;
        if (r <= 0)
            continue;
        ssize_t n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            return 0;
        c->len += (size_t)n;
        return 1;
    }
}

static bool send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

static const char *status_text(int code)
{
    switch (code) {
    case 100: return "Continue";
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
    }
}

static bool respond(Conn *c, int code, const char *body, bool close_after, const char *extra)
{
    char head[512];
    size_t bl = strlen(body);
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n%s%s\r\n", code,
                     status_text(code), bl + 1, close_after ? "Connection: close\r\n" : "", extra ? extra : "");
    return send_all(c->fd, head, (size_t)n) && send_all(c->fd, body, bl) && send_all(c->fd, "\n", 1);
}

static void json_str(Buf *b, const char *s)
{
    buf_append_byte(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            buf_append_byte(b, '\\');
            buf_append_byte(b, *p);
        } else if (*p < 0x20) {
            buf_printf(b, "\\u%04x", *p);
        } else
            buf_append_byte(b, *p);
    }
    buf_append_byte(b, '"');
}

static bool respond_error(Conn *c, int code, const char *sqlstate, const char *msg, bool close_after,
                          const char *extra)
{
    Buf b;
    buf_init(&b);
    buf_append(&b, "{\"error\":", 9);
    json_str(&b, msg);
    if (sqlstate) {
        buf_append(&b, ",\"sqlstate\":", 12);
        json_str(&b, sqlstate);
    }
    buf_append_byte(&b, '}');
    bool ok = buf_terminate(&b) == 0 && respond(c, code, (const char *)b.data, close_after, extra);
    buf_free(&b);
    return ok;
}

/* ---- Request head ------------------------------------------------------------ */

typedef struct Req {
    char method[16];
    char path[1024];
    int minor;              /* HTTP/1.minor */
    int64_t content_length; /* -1 none */
    bool chunked;
    bool bad_te;            /* a transfer coding other than chunked */
    bool expect_continue;
    bool conn_close, conn_keep_alive;
    char ctype[128];
} Req;

/* Reads the head; returns 1 ok, 0 clean EOF before any byte, -1 broken
 * connection or timeout, or an HTTP status to answer (400, 431, 505). */
static int read_head(Conn *c, Req *r)
{
    const HttpIngestOptions *o = &c->srv->o;
    int64_t deadline = now_ms() + o->read_timeout_ms;
    size_t end = 0;
    for (;;) {
        /* skip empty lines before a request (RFC 9112 2.2) */
        while (c->pos < c->len && (c->buf[c->pos] == '\r' || c->buf[c->pos] == '\n'))
            c->pos++;
        char *s = c->buf ? memmem(c->buf + c->pos, c->len - c->pos, "\r\n\r\n", 4) : NULL;
        if (s) {
            end = (size_t)(s - c->buf) + 4;
            break;
        }
        if (c->len - c->pos > (size_t)o->max_header_bytes)
            return 431;
        int f = conn_fill(c, deadline);
        if (f <= 0)
            return (f == 0 && c->len == c->pos) ? 0 : -1;
    }
    if (end - c->pos > (size_t)o->max_header_bytes)
        return 431;
    char *h = c->buf + c->pos;
    size_t hl = end - c->pos - 2; /* keep one CRLF to end the last line */
    c->pos = end;
    memset(r, 0, sizeof *r);
    r->content_length = -1;
    /* request line */
    char *eol = memmem(h, hl, "\r\n", 2);
    if (!eol)
        return 400;
    *eol = 0;
    char ver[16];
    if (sscanf(h, "%15s %1023s %15s", r->method, r->path, ver) != 3)
        return 400;
    if (strncmp(ver, "HTTP/1.", 7) || !ver[7] || ver[8])
        return strncmp(ver, "HTTP/", 5) ? 400 : 505;
    r->minor = ver[7] - '0';
    char *line = eol + 2;
    char *hend = h + hl;
    while (line < hend) {
        char *e = memmem(line, (size_t)(hend - line), "\r\n", 2);
        if (!e)
            break;
        *e = 0;
        char *colon = strchr(line, ':');
        if (!colon || colon == line)
            return 400;
        *colon = 0;
        char *v = colon + 1;
        while (*v == ' ' || *v == '\t')
            v++;
        for (char *t = v + strlen(v); t > v && (t[-1] == ' ' || t[-1] == '\t'); t--)
            t[-1] = 0;
        if (!strcasecmp(line, "Content-Length")) {
            char *endp;
            errno = 0;
            long long n = strtoll(v, &endp, 10);
            if (!*v || *endp || n < 0 || errno || (r->content_length >= 0 && r->content_length != n))
                return 400;
            r->content_length = n;
        } else if (!strcasecmp(line, "Transfer-Encoding")) {
            if (!strcasecmp(v, "chunked"))
                r->chunked = true;
            else
                r->bad_te = true;
        } else if (!strcasecmp(line, "Expect")) {
            if (!strcasecmp(v, "100-continue"))
                r->expect_continue = true;
        } else if (!strcasecmp(line, "Connection")) {
            if (strcasestr(v, "close"))
                r->conn_close = true;
            if (strcasestr(v, "keep-alive"))
                r->conn_keep_alive = true;
        } else if (!strcasecmp(line, "Content-Type")) {
            snprintf(r->ctype, sizeof r->ctype, "%s", v);
        }
        line = e + 2;
    }
    if (r->chunked && r->content_length >= 0)
        return 400; /* RFC 9112 6.3: both is a smuggling attempt */
    return 1;
}

/* ---- Body ------------------------------------------------------------------- */

/* Copies n body bytes to fd; -1 on a broken / slow connection. */
static int body_copy(Conn *c, int fd, int64_t n)
{
    while (n > 0) {
        if (c->pos == c->len) {
            size_t before = c->len - c->pos;
            int f = conn_fill(c, now_ms() + c->srv->o.read_timeout_ms);
            if (f <= 0)
                return -1;
            c->body_got += (int64_t)(c->len - c->pos - before);
            if (body_too_slow(c, c->srv->o.read_timeout_ms))
                return -1;
        }
        size_t k = c->len - c->pos;
        if ((int64_t)k > n)
            k = (size_t)n;
        const char *p = c->buf + c->pos;
        size_t left = k;
        while (left) {
            ssize_t w = write(fd, p, left);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                return -2;
            p += w;
            left -= (size_t)w;
        }
        c->pos += k;
        n -= (int64_t)k;
    }
    return 0;
}

/* Reads a CRLF-terminated line (for chunk sizes and trailers) into out. */
static int read_line(Conn *c, char *out, size_t cap)
{
    int64_t deadline = now_ms() + c->srv->o.read_timeout_ms;
    for (;;) {
        char *e = c->buf ? memmem(c->buf + c->pos, c->len - c->pos, "\r\n", 2) : NULL;
        if (e) {
            size_t n = (size_t)(e - (c->buf + c->pos));
            if (n >= cap)
                return -1;
            memcpy(out, c->buf + c->pos, n);
            out[n] = 0;
            c->pos += n + 2;
            return 0;
        }
        if (c->len - c->pos > 4096)
            return -1;
        if (conn_fill(c, deadline) <= 0)
            return -1;
    }
}

/* Reads a chunked body into fd.  0 ok, -1 broken, 400 malformed, 413 too large. */
static int body_chunked(Conn *c, int fd, int64_t *total)
{
    char line[4200];
    *total = 0;
    for (;;) {
        if (read_line(c, line, sizeof line))
            return -1;
        char *endp;
        errno = 0;
        unsigned long long n = strtoull(line, &endp, 16);
        if (endp == line || errno || (*endp && *endp != ';' && *endp != ' '))
            return 400;
        if (n == 0)
            break;
        if ((long long)n < 0 || *total + (int64_t)n > c->srv->o.max_body_bytes)
            return 413;
        int r = body_copy(c, fd, (int64_t)n);
        if (r)
            return r == -2 ? 500 : -1;
        *total += (int64_t)n;
        if (body_too_slow(c, c->srv->o.read_timeout_ms))
            return -1;
        if (read_line(c, line, sizeof line) || line[0])
            return line[0] ? 400 : -1;
    }
    /* trailers until an empty line */
    for (int i = 0; i < 64; i++) {
        if (read_line(c, line, sizeof line))
            return -1;
        if (!line[0])
            return 0;
    }
    return 400;
}

/* ---- Handler ------------------------------------------------------------------ */

static bool ctype_is(const char *ct, const char *want)
{
    size_t n = strlen(want);
    if (strncasecmp(ct, want, n))
        return false;
    return ct[n] == 0 || ct[n] == ';' || ct[n] == ' ';
}

static int http_code_for(const TarnError *e)
{
    switch (e->kind) {
    case TARN_ERR_CORRUPT:
    case TARN_ERR_TYPE:
    case TARN_ERR_INVALID:
    case TARN_ERR_UNSUPPORTED: return 400;
    case TARN_ERR_CONFLICT: return 409;
    default: return 500;
    }
}

/* Handles one request; returns false to close the connection. */
static bool handle(Conn *c, const Req *r)
{
    const HttpIngestOptions *o = &c->srv->o;
    bool keep = r->minor >= 1 ? !r->conn_close : r->conn_keep_alive;
    if (!strcmp(r->path, "/health")) {
        if (strcmp(r->method, "GET"))
            return respond_error(c, 405, NULL, "only GET is allowed on /health", !keep, "Allow: GET\r\n") &&
                   keep && r->content_length <= 0 && !r->chunked;
        return respond(c, 200, "{\"status\":\"ok\"}", !keep, NULL) && keep && r->content_length <= 0 && !r->chunked;
    }
    if (strncmp(r->path, "/ingest/", 8)) {
        respond_error(c, 404, NULL, "not found: POST /ingest/SCHEMA.TABLE or GET /health", true, NULL);
        return false;
    }
    if (strcmp(r->method, "POST")) {
        respond_error(c, 405, NULL, "only POST is allowed on /ingest/SCHEMA.TABLE", true, "Allow: POST\r\n");
        return false;
    }
    /* table name */
    char sch[256], tab[256];
    const char *name = r->path + 8;
    const char *dot = strchr(name, '.');
    if (!dot || dot == name || !dot[1] || strchr(dot + 1, '.') || strchr(name, '/') || strchr(name, '?') ||
        (size_t)(dot - name) >= sizeof sch || strlen(dot + 1) >= sizeof tab) {
        respond_error(c, 400, "42602", "the path must be /ingest/SCHEMA.TABLE", true, NULL);
        return false;
    }
    memcpy(sch, name, (size_t)(dot - name));
    sch[dot - name] = 0;
    snprintf(tab, sizeof tab, "%s", dot + 1);
    TarnError err;
    err_clear(&err);
    if (catalog_check_name(sch, &err) || catalog_check_name(tab, &err)) {
        respond_error(c, 400, err.sqlstate, err.message, true, NULL);
        return false;
    }
    FilesFormat fmt;
    if (ctype_is(r->ctype, "text/csv"))
        fmt = FILES_FMT_CSV;
    else if (ctype_is(r->ctype, "application/x-ndjson") || ctype_is(r->ctype, "application/ndjson") ||
             ctype_is(r->ctype, "application/json") || ctype_is(r->ctype, "application/jsonl") ||
             ctype_is(r->ctype, "application/x-jsonlines") || ctype_is(r->ctype, "application/json-lines"))
        fmt = FILES_FMT_JSON;
    else {
        respond_error(c, 415, NULL,
                      "unsupported Content-Type (use application/x-ndjson or text/csv)", true, NULL);
        return false;
    }
    if (r->bad_te) {
        respond_error(c, 501, NULL, "only the chunked transfer coding is supported", true, NULL);
        return false;
    }
    if (!r->chunked && r->content_length < 0) {
        respond_error(c, 411, NULL, "a body needs Content-Length or chunked transfer encoding", true, NULL);
        return false;
    }
    if (r->content_length > o->max_body_bytes) {
        char msg[128];
        snprintf(msg, sizeof msg, "body of %" PRId64 " bytes exceeds the limit of %" PRId64 " bytes",
                 r->content_length, o->max_body_bytes);
        respond_error(c, 413, NULL, msg, true, NULL);
        return false;
    }
    if (r->expect_continue && !send_all(c->fd, "HTTP/1.1 100 Continue\r\n\r\n", 25))
        return false;
    const char *tmpdir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/tarn-http-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        respond_error(c, 500, NULL, "cannot create a temporary file", true, NULL);
        return false;
    }
    int64_t total = r->content_length;
    c->body_t0 = now_ms();
    c->body_got = 0;
    int br = r->chunked ? body_chunked(c, fd, &total) : body_copy(c, fd, r->content_length);
    close(fd);
    bool ok = false;
    if (br == -1 || br == -2) {
        if (br == -2)
            respond_error(c, 500, NULL, "cannot write the body to a temporary file", true, NULL);
    } else if (br == 413) {
        char msg[128];
        snprintf(msg, sizeof msg, "body exceeds the limit of %" PRId64 " bytes", o->max_body_bytes);
        respond_error(c, 413, NULL, msg, true, NULL);
    } else if (br) {
        respond_error(c, br, NULL, "malformed chunked body", true, NULL);
    } else if (total == 0) {
        ok = respond_error(c, 400, "22P02", "empty body", !keep, NULL) && keep;
    } else {
        IngestFileSpec spec = {path, "request body", fmt, NULL, 0};
        IngestCommitInfo info;
        int bad;
        int rc = ingest_commit_files(c->srv->lake, sch, tab, &spec, 1, "WRITE", &info, &bad, &err);
        if (rc) {
            char msg[2048];
            snprintf(msg, sizeof msg, "%s%s%s", err.message, err.detail[0] ? ": " : "", err.detail);
            ok = respond_error(c, http_code_for(&err), err.sqlstate[0] ? err.sqlstate : NULL, msg, !keep, NULL) &&
                 keep;
        } else {
            Buf b;
            buf_init(&b);
            buf_append(&b, "{\"table\":", 9);
            char full[520];
            snprintf(full, sizeof full, "%s.%s", sch, tab);
            json_str(&b, full);
            buf_printf(&b, ",\"rows\":%" PRId64 ",\"version\":%" PRId64 "}", info.rows, info.version);
            ok = buf_terminate(&b) == 0 && respond(c, 200, (const char *)b.data, !keep, NULL) && keep;
            buf_free(&b);
        }
    }
    unlink(path);
    return ok;
}

static void *conn_main(void *arg)
{
    Conn *c = arg;
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    for (;;) {
        Req r;
        int h = read_head(c, &r);
        if (h <= 0)
            break;
        if (h != 1) {
            respond_error(c, h, NULL,
                          h == 431 ? "request head too large" : h == 505 ? "HTTP version not supported" : "bad request",
                          true, NULL);
            break;
        }
        if (!handle(c, &r))
            break;
    }
    close(c->fd);
    free(c->buf);
    HttpIngestServer *s = c->srv;
    free(c);
    atomic_fetch_sub(&s->active, 1);
    return NULL;
}

static void *accept_main(void *arg)
{
    HttpIngestServer *s = arg;
    while (!atomic_load(&s->stopping)) {
        struct pollfd p = {s->fd, POLLIN, 0};
        int r = poll(&p, 1, 200);
        if (r <= 0)
            continue;
        int fd = accept(s->fd, NULL, NULL);
        if (fd < 0)
            continue;
        if (atomic_fetch_add(&s->active, 1) >= s->o.max_connections) {
            atomic_fetch_sub(&s->active, 1);
            static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                                       "Content-Length: 33\r\nConnection: close\r\n\r\n"
                                       "{\"error\":\"too many connections\"}\n";
            send_all(fd, busy, sizeof busy - 1);
            close(fd);
            continue;
        }
        Conn *c = calloc(1, sizeof *c);
        pthread_t t;
        pthread_attr_t at;
        pthread_attr_init(&at);
        pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&at, 1 << 20);
        if (!c) {
            close(fd);
            atomic_fetch_sub(&s->active, 1);
        } else {
            c->srv = s;
            c->fd = fd;
            if (pthread_create(&t, &at, conn_main, c) != 0) {
                close(fd);
                free(c);
                atomic_fetch_sub(&s->active, 1);
            }
        }
        pthread_attr_destroy(&at);
    }
    return NULL;
}

HttpIngestServer *http_ingest_start(const HttpIngestOptions *opt, TarnError *err)
{
    HttpIngestServer *s = tarn_calloc(1, sizeof *s);
    if (!s) {
        ERR_NOMEM(err, sizeof *s);
        return NULL;
    }
    s->o = *opt;
    s->fd = -1;
    if (!s->o.listen)
        s->o.listen = "127.0.0.1:8080";
    if (s->o.max_body_bytes <= 0)
        s->o.max_body_bytes = INT64_C(256) << 20;
    if (s->o.max_connections <= 0)
        s->o.max_connections = 64;
    if (s->o.read_timeout_ms <= 0)
        s->o.read_timeout_ms = 10000;
    if (s->o.max_header_bytes <= 0)
        s->o.max_header_bytes = 16384;
    s->lake = tarn_strdup(opt->lake ? opt->lake : "");
    char host[256];
    const char *colon = strrchr(s->o.listen, ':');
    if (!s->lake || !colon || (size_t)(colon - s->o.listen) >= sizeof host) {
        err_set(err, TARN_ERR_INVALID, "bad listen address \"%s\" (HOST:PORT)", s->o.listen);
        goto fail;
    }
    memcpy(host, s->o.listen, (size_t)(colon - s->o.listen));
    host[colon - s->o.listen] = 0;
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
        memmove(host, host + 1, strlen(host));
        host[strlen(host) - 1] = 0;
    }
    struct addrinfo hints, *ai = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int g = getaddrinfo(host[0] ? host : NULL, colon + 1, &hints, &ai);
    if (g) {
        err_set(err, TARN_ERR_INVALID, "bad listen address \"%s\": %s", s->o.listen, gai_strerror(g));
        goto fail;
    }
    s->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (s->fd >= 0)
        setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (s->fd < 0 || bind(s->fd, ai->ai_addr, ai->ai_addrlen) || listen(s->fd, 128)) {
        err_set(err, TARN_ERR_IO, "cannot listen on %s: %s", s->o.listen, strerror(errno));
        freeaddrinfo(ai);
        goto fail;
    }
    freeaddrinfo(ai);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    getsockname(s->fd, (struct sockaddr *)&ss, &sl);
    s->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                             : ((struct sockaddr_in *)&ss)->sin_port);
    atomic_init(&s->stopping, false);
    atomic_init(&s->active, 0);
    if (pthread_create(&s->accept_thread, NULL, accept_main, s) != 0) {
        err_set(err, TARN_ERR_IO, "cannot start the HTTP accept thread");
        goto fail;
    }
    return s;
fail:
    if (s->fd >= 0)
        close(s->fd);
    tarn_free(s->lake);
    tarn_free(s);
    return NULL;
}

int http_ingest_port(const HttpIngestServer *s) { return s->port; }

void http_ingest_stop(HttpIngestServer *s)
{
    if (!s)
        return;
    atomic_store(&s->stopping, true);
    pthread_join(s->accept_thread, NULL);
    close(s->fd);
    /* connections notice `stopping` within 200 ms unless they are inside a
     * commit, which finishes first */
    while (atomic_load(&s->active) > 0) {
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
    tarn_free(s->lake);
    tarn_free(s);
}
