/*
 * server.c - `tarn serve`'s listener: configuration, the accept loop with
 * its connection cap, the session registry (for CancelRequest), and the
 * watchdog that enforces statement_timeout.  The protocol itself is in
 * session.c.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "server/server_int.h"
#include "table/delta/col_cache.h"
#include "util/mem.h"

/* ---- configuration ---------------------------------------------------------------------------- */

void server_config_default(ServerConfig *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->host, sizeof c->host, "127.0.0.1");
    c->port = 5432;
    c->max_connections = 100;
    c->max_message_bytes = 64u << 20;
    c->startup_timeout_ms = 60000;
    c->log_connections = true;
    c->column_cache_bytes = (int64_t)256 << 20;
    c->auth_loopback = SERVER_AUTH_TRUST;
    c->auth_remote = SERVER_AUTH_SCRAM;
    c->ssl_min_protocol = 0x0303; /* TLSv1.2, PostgreSQL 15's default */
}

/* ssl_min_protocol_version: PostgreSQL's names -> OpenSSL's numbers. */
static int parse_tls_version(const char *v, int *out)
{
    static const struct { const char *name; int num; } names[] = {
        {"TLSv1", 0x0301}, {"TLSv1.1", 0x0302}, {"TLSv1.2", 0x0303}, {"TLSv1.3", 0x0304}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcasecmp(v, names[i].name)) {
            *out = names[i].num;
            return 0;
        }
    return -1;
}

/* A file named in the config file: relative to the config file's folder. */
static int config_path(const char *conf, const char *v, char *out, size_t cap)
{
    const char *slash = strrchr(conf, '/');
    int n;
    if (v[0] == '/' || !slash)
        n = snprintf(out, cap, "%s", v);
    else
        n = snprintf(out, cap, "%.*s/%s", (int)(slash - conf), conf, v);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

static int parse_auth(const char *v, int *out)
{
    if (!strcasecmp(v, "trust"))
        *out = SERVER_AUTH_TRUST;
    else if (!strcasecmp(v, "scram-sha-256"))
        *out = SERVER_AUTH_SCRAM;
    else if (!strcasecmp(v, "reject"))
        *out = SERVER_AUTH_REJECT;
    else
        return -1;
    return 0;
}

int server_config_listen(ServerConfig *c, const char *text, TarnError *err)
{
    const char *colon = strrchr(text, ':');
    const char *host = text;
    size_t hlen = colon ? (size_t)(colon - text) : strlen(text);
    if (hlen >= 2 && text[0] == '[' && text[hlen - 1] == ']') {
        host = text + 1;
        hlen -= 2;
    } else if (colon && memchr(text, ':', hlen)) { /* a bare IPv6 address without a port */
        hlen = strlen(text);
        colon = NULL;
    }
    if (hlen >= sizeof c->host)
        return err_set(err, TARN_ERR_INVALID, "listen address \"%s\" is too long", text);
    if (hlen) {
        memcpy(c->host, host, hlen);
        c->host[hlen] = 0;
    }
    if (colon) {
        char *end;
        long p = strtol(colon + 1, &end, 10);
        if (!colon[1] || *end || p < 0 || p > 65535)
            return err_set(err, TARN_ERR_INVALID, "invalid port in listen address \"%s\"", text);
        c->port = (int)p;
    }
    return 0;
}

/* "5s", "250ms", "2min", "1h", "0", plain number = milliseconds. */
int server_parse_ms(const char *v, int64_t *out)
{
    char *end;
    double n = strtod(v, &end);
    while (*end == ' ')
        end++;
    double mul = 1;
    if (!*end || !strcasecmp(end, "ms"))
        mul = 1;
    else if (!strcasecmp(end, "s"))
        mul = 1000;
    else if (!strcasecmp(end, "min"))
        mul = 60000;
    else if (!strcasecmp(end, "h"))
        mul = 3600000;
    else if (!strcasecmp(end, "d"))
        mul = 86400000;
    else
        return -1;
    if (end == v || n < 0 || n * mul > 1e15)
        return -1;
    *out = (int64_t)(n * mul);
    return 0;
}

static int parse_bool(const char *v, bool *out)
{
    if (!strcasecmp(v, "on") || !strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcmp(v, "1"))
        *out = true;
    else if (!strcasecmp(v, "off") || !strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcmp(v, "0"))
        *out = false;
    else
        return -1;
    return 0;
}

/* column_cache: a size with kB, MB or GB (a plain number is MB); 0 = off. */
static int parse_mem(const char *v, int64_t *out)
{
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || end == v || n < 0)
        return -1;
    while (isspace((unsigned char)*end))
        end++;
    int64_t unit = (int64_t)1 << 20;
    if (!strcasecmp(end, "kB"))
        unit = 1024;
    else if (!strcasecmp(end, "GB"))
        unit = (int64_t)1 << 30;
    else if (*end && strcasecmp(end, "MB"))
        return -1;
    if (n > ((int64_t)1 << 46) / unit)
        return -1;
    *out = (int64_t)n * unit;
    return 0;
}

int server_config_load(ServerConfig *c, const char *path, TarnError *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return err_set(err, TARN_ERR_IO, "could not open configuration file \"%s\": %s", path, strerror(errno));
    char line[1024];
    int lineno = 0, rc = 0;
    while (!rc && fgets(line, sizeof line, f)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = 0;
        char *eq = strchr(line, '=');
        char *k = line;
        while (isspace((unsigned char)*k))
            k++;
        if (!*k)
            continue;
        if (!eq) {
            rc = err_set(err, TARN_ERR_INVALID, "syntax error in \"%s\" line %d: expected key = value", path, lineno);
            break;
        }
        *eq = 0;
        char *v = eq + 1;
        for (char *e = eq - 1; e >= k && isspace((unsigned char)*e); e--)
            *e = 0;
        while (isspace((unsigned char)*v))
            v++;
        for (char *e = v + strlen(v); e > v && isspace((unsigned char)e[-1]); e--)
            e[-1] = 0;
        if (*v == '\'' && strlen(v) >= 2 && v[strlen(v) - 1] == '\'') {
            v[strlen(v) - 1] = 0;
            v++;
        }
        int64_t n;
        bool ok = true;
        if (!strcmp(k, "listen"))
            rc = server_config_listen(c, v, err);
        else if (!strcmp(k, "max_connections"))
            ok = server_parse_ms(v, &n) == 0 && n >= 1 && n <= 10000 && (c->max_connections = (int)n, true);
        else if (!strcmp(k, "max_message_bytes"))
            ok = server_parse_ms(v, &n) == 0 && n >= 1024 && n <= (1 << 30) && (c->max_message_bytes = (uint32_t)n, true);
        else if (!strcmp(k, "auth_loopback"))
            ok = parse_auth(v, &c->auth_loopback) == 0;
        else if (!strcmp(k, "auth_remote"))
            ok = parse_auth(v, &c->auth_remote) == 0;
        else if (!strcmp(k, "log_connections"))
            ok = parse_bool(v, &c->log_connections) == 0;
        else if (!strcmp(k, "column_cache"))
            ok = parse_mem(v, &c->column_cache_bytes) == 0;
        else if (!strcmp(k, "statement_timeout"))
            ok = server_parse_ms(v, &c->statement_timeout_ms) == 0;
        else if (!strcmp(k, "idle_session_timeout"))
            ok = server_parse_ms(v, &c->idle_session_timeout_ms) == 0;
        else if (!strcmp(k, "idle_in_transaction_session_timeout"))
            ok = server_parse_ms(v, &c->idle_in_txn_timeout_ms) == 0;
        else if (!strcmp(k, "authentication_timeout"))
            ok = server_parse_ms(v, &c->startup_timeout_ms) == 0 && c->startup_timeout_ms > 0;
        else if (!strcmp(k, "ssl"))
            ok = parse_bool(v, &c->ssl) == 0;
        else if (!strcmp(k, "ssl_required"))
            ok = parse_bool(v, &c->ssl_required) == 0;
        else if (!strcmp(k, "ssl_min_protocol_version"))
            ok = parse_tls_version(v, &c->ssl_min_protocol) == 0;
        else if (!strcmp(k, "ssl_cert_file"))
            ok = *v && config_path(path, v, c->ssl_cert_file, sizeof c->ssl_cert_file) == 0;
        else if (!strcmp(k, "ssl_key_file"))
            ok = *v && config_path(path, v, c->ssl_key_file, sizeof c->ssl_key_file) == 0;
        else if (!strcmp(k, "ssl_ca_file"))
            ok = *v ? config_path(path, v, c->ssl_ca_file, sizeof c->ssl_ca_file) == 0 : (c->ssl_ca_file[0] = 0, true);
        else
            rc = err_set(err, TARN_ERR_INVALID, "unrecognized configuration parameter \"%s\" in \"%s\" line %d", k, path,
                         lineno);
        if (!ok)
            rc = err_set(err, TARN_ERR_INVALID, "invalid value for parameter \"%s\": \"%s\" (\"%s\" line %d)", k, v, path,
                         lineno);
    }
    fclose(f);
    if (!rc && c->ssl && !c->ssl_cert_file[0])
        config_path(path, "server.crt", c->ssl_cert_file, sizeof c->ssl_cert_file);
    if (!rc && c->ssl && !c->ssl_key_file[0])
        config_path(path, "server.key", c->ssl_key_file, sizeof c->ssl_key_file);
    if (!rc && c->ssl_required && !c->ssl)
        rc = err_set(err, TARN_ERR_INVALID, "ssl_required = on needs ssl = on (\"%s\")", path);
    return rc;
}

/* ---- logging and time ------------------------------------------------------------------------- */

int64_t server_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void server_log(int32_t pid, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char when[32];
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    if (pid)
        fprintf(stderr, "%s.%03ld UTC [%d] %s\n", when, ts.tv_nsec / 1000000, pid, msg);
    else
        fprintf(stderr, "%s.%03ld UTC %s\n", when, ts.tv_nsec / 1000000, msg);
}

/* ---- registry ---------------------------------------------------------------------------------- */

static void cancel_locked(Session *s, int reason)
{
    if (!s->running)
        return;
    s->cancel_reason = reason;
    if (s->db)
        tarn_cancel(s->db);
    if (s->cur)
        tarn_cursor_cancel(s->cur);
}

void server_cancel(Server *srv, int32_t pid, int32_t key)
{
    pthread_mutex_lock(&srv->mu);
    for (Session *s = srv->sessions; s; s = s->next) {
        if (s->pid != pid)
            continue;
        if (s->key == key) {
            pthread_mutex_lock(&s->mu);
            cancel_locked(s, CANCEL_USER);
            pthread_mutex_unlock(&s->mu);
            server_log(pid, "cancel request honoured");
        } else {
            server_log(0, "cancel request for backend %d with a wrong key ignored", pid);
        }
        break;
    }
    pthread_mutex_unlock(&srv->mu);
}

static void *session_thread(void *arg)
{
    Session *s = arg;
    Server *srv = s->srv;
    session_main(s);
    pthread_mutex_lock(&srv->mu);
    for (Session **pp = &srv->sessions; *pp; pp = &(*pp)->next)
        if (*pp == s) {
            *pp = s->next;
            break;
        }
    srv->n_sessions--;
    pthread_cond_broadcast(&srv->cv);
    pthread_mutex_unlock(&srv->mu);
    close(s->fd);
    pthread_mutex_destroy(&s->mu);
    tarn_free(s);
    return NULL;
}

/* Every 20 ms: cancels statements past their statement_timeout deadline,
 * and those whose client hung up (POLLRDHUP on its socket). */
static void *watchdog(void *arg)
{
    Server *srv = arg;
    while (!atomic_load(srv->stop)) {
        struct timespec ts = {0, 20 * 1000000};
        nanosleep(&ts, NULL);
        int64_t now = server_now_ms();
        pthread_mutex_lock(&srv->mu);
        for (Session *s = srv->sessions; s; s = s->next) {
            pthread_mutex_lock(&s->mu);
            if (s->running && s->deadline_ms && now >= s->deadline_ms) {
                s->deadline_ms = 0;
                cancel_locked(s, CANCEL_TIMEOUT);
            }
            if (s->running && !s->cancel_reason) {
                /* a client that hung up does not wait for its answer */
                struct pollfd p = {s->fd, POLLRDHUP, 0};
                if (poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR))) {
                    cancel_locked(s, CANCEL_CLIENT_GONE);
                    server_log(s->pid, "client %s went away: canceling its statement", s->peer);
                }
            }
            pthread_mutex_unlock(&s->mu);
        }
        pthread_mutex_unlock(&srv->mu);
    }
    return NULL;
}

/* ---- listener ---------------------------------------------------------------------------------- */

static int open_listener(const ServerConfig *c, TarnError *err)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    char port[16];
    snprintf(port, sizeof port, "%d", c->port);
    int g = getaddrinfo(c->host[0] ? c->host : NULL, port, &hints, &res);
    if (g)
        return err_set(err, TARN_ERR_IO, "could not resolve listen address \"%s\": %s", c->host, gai_strerror(g)), -1;
    int fd = -1, last_errno = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            last_errno = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 128) == 0)
            break;
        last_errno = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        err_set(err, TARN_ERR_IO, "could not listen on %s:%d: %s", c->host, c->port, strerror(last_errno));
    return fd;
}

static bool peer_is_loopback(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
        return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
        if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
            return true;
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
            return in6->sin6_addr.s6_addr[12] == 127;
        return false;
    }
    return ss->ss_family == AF_UNIX;
}

static void peer_text(const struct sockaddr_storage *ss, char *out, size_t cap)
{
    char host[64] = "?";
    int port = 0;
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        port = ntohs(in->sin_port);
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        port = ntohs(in6->sin6_port);
    }
    snprintf(out, cap, "%s(%d)", host, port);
}

/* Over the cap: PostgreSQL's FATAL, without a thread, best effort. */
static void refuse_too_many(int fd)
{
    PgWriteBuf w;
    pgw_init(&w);
    pgw_error_msg(&w, "FATAL", "53300", "sorry, too many clients already");
    if (!w.oom) {
        ssize_t n = send(fd, w.data, w.len, MSG_NOSIGNAL | MSG_DONTWAIT);
        (void)n;
    }
    pgw_free(&w);
    close(fd);
}

int server_run(const ServerConfig *c, atomic_int *stop, TarnError *err)
{
    TlsServer *tls = NULL; /* bad certificate or key files stop the server here */
    if (c->ssl && tls_server_new(c, &tls, err))
        return err->kind;
    int lfd = open_listener(c, err);
    if (lfd < 0) {
        tls_server_free(tls);
        return err->kind;
    }
    delta_column_cache_set_budget((size_t)c->column_cache_bytes);
    Server srv;
    memset(&srv, 0, sizeof srv);
    srv.cfg = c;
    srv.tls = tls;
    srv.stop = stop;
    pthread_mutex_init(&srv.mu, NULL);
    pthread_cond_init(&srv.cv, NULL);
    uint32_t seed = 0;
    if (getrandom(&seed, sizeof seed, 0) != (ssize_t)sizeof seed)
        seed = (uint32_t)time(NULL);
    srv.next_pid = 1000 + (int32_t)(seed % 30000);
    pthread_t wd;
    bool wd_started = pthread_create(&wd, NULL, watchdog, &srv) == 0;
    server_log(0, "tarn serve: listening on %s:%d, lake \"%s\", max_connections %d", c->host, c->port, c->lake_dir,
               c->max_connections);
    if (tls)
        server_log(0, "TLS on: certificate \"%s\"%s%s%s", c->ssl_cert_file, c->ssl_required ? ", required" : "",
                   c->ssl_ca_file[0] ? ", client certificates checked against " : "", c->ssl_ca_file);
    while (!atomic_load(stop)) {
        struct pollfd p = {lfd, POLLIN, 0};
        int pr = poll(&p, 1, 200);
        if (pr <= 0)
            continue;
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        int fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE) { /* out of descriptors: back off */
                server_log(0, "accept: %s", strerror(errno));
                struct timespec ts = {0, 100 * 1000000};
                nanosleep(&ts, NULL);
            }
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
        pthread_mutex_lock(&srv.mu);
        bool full = srv.n_sessions >= c->max_connections;
        pthread_mutex_unlock(&srv.mu);
        char peer[80];
        peer_text(&ss, peer, sizeof peer);
        if (full) {
            server_log(0, "connection from %s refused: too many clients (%d)", peer, c->max_connections);
            refuse_too_many(fd);
            continue;
        }
        Session *s = tarn_calloc(1, sizeof *s);
        if (!s) {
            close(fd);
            continue;
        }
        s->srv = &srv;
        s->fd = fd;
        s->loopback = peer_is_loopback(&ss);
        snprintf(s->peer, sizeof s->peer, "%s", peer);
        pthread_mutex_init(&s->mu, NULL);
        uint32_t key = 0;
        if (getrandom(&key, sizeof key, 0) != (ssize_t)sizeof key)
            key = (uint32_t)rand();
        s->key = (int32_t)key;
        pthread_mutex_lock(&srv.mu);
        s->pid = srv.next_pid++;
        if (srv.next_pid > 4000000)
            srv.next_pid = 1000;
        s->next = srv.sessions;
        srv.sessions = s;
        srv.n_sessions++;
        pthread_mutex_unlock(&srv.mu);
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&attr, 8u << 20);
        pthread_t th;
        int prc = pthread_create(&th, &attr, session_thread, s);
        pthread_attr_destroy(&attr);
        if (prc) {
            server_log(0, "could not start a session thread: %s", strerror(prc));
            pthread_mutex_lock(&srv.mu);
            for (Session **pp = &srv.sessions; *pp; pp = &(*pp)->next)
                if (*pp == s) {
                    *pp = s->next;
                    break;
                }
            srv.n_sessions--;
            pthread_mutex_unlock(&srv.mu);
            refuse_too_many(fd);
            pthread_mutex_destroy(&s->mu);
            tarn_free(s);
        }
    }
    close(lfd);
    /* shutdown: cancel running statements, wake every session, wait */
    pthread_mutex_lock(&srv.mu);
    for (Session *s = srv.sessions; s; s = s->next) {
        pthread_mutex_lock(&s->mu);
        cancel_locked(s, CANCEL_USER);
        pthread_mutex_unlock(&s->mu);
        shutdown(s->fd, SHUT_RDWR);
    }
    while (srv.n_sessions > 0) {
        struct timespec dl;
        clock_gettime(CLOCK_REALTIME, &dl);
        dl.tv_sec += 1;
        pthread_cond_timedwait(&srv.cv, &srv.mu, &dl);
        for (Session *s = srv.sessions; s; s = s->next)
            shutdown(s->fd, SHUT_RDWR);
    }
    pthread_mutex_unlock(&srv.mu);
    if (wd_started)
        pthread_join(wd, NULL);
    pthread_cond_destroy(&srv.cv);
    pthread_mutex_destroy(&srv.mu);
    tls_server_free(tls);
    server_log(0, "tarn serve: shut down");
    return 0;
}
