/*
 * session.c - one client connection of `tarn serve`: startup, the simple
 * and extended query protocols, error recovery, ParameterStatus, timeouts.
 *
 * Flow: startup packet(s) (SSLRequest answered 'S' and a TLS handshake
 * when the server has a certificate, else 'N'; GSSENCRequest 'N';
 * CancelRequest handed to server_cancel) -> trust check -> tarn_open ->
 * AuthenticationOk, ParameterStatus, BackendKeyData, ReadyForQuery -> the
 * message loop.  Every statement, simple or extended, runs through a
 * tarn_stmt and a tarn_cursor (portal_run), so rows stream to the client
 * batch by batch and Execute's row limit maps to cursor fetches.
 *
 * Output is buffered in s->wb and flushed when it passes FLUSH_AT bytes,
 * before the session blocks reading, and on Flush.  A send failure marks
 * the session dead: the statement stops and the connection closes.  All
 * bytes go through s->io (conn_io.h: plain socket or TLS).
 */
#include <errno.h>
#include <pg_query.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/copy.h"
#include "server/pgtypes.h"
#include "server/roles.h"
#include "server/scram.h"
#include "server/server_int.h"
#include "server/sqlcursor.h"
#include "sql/plan_cache.h"
#include "sql/prepare.h"
#include "sql/session.h"
#include "util/mem.h"

#define FLUSH_AT (256 * 1024)
#define SERVER_VERSION "15.0 (tarn " TARN_VERSION ")"

/* ---- I/O ---------------------------------------------------------------------------------------- */

static int flush_out(Session *s)
{
    if (s->wb.oom) {
        server_log(s->pid, "out of memory building a message; closing the connection");
        s->dead = true;
    }
    if (s->wb.len && !s->dead && cio_write_all(&s->io, s->wb.data, s->wb.len))
        s->dead = true;
    s->wb.len = 0;
    if (s->wb.cap > (4u << 20)) { /* give back a buffer a huge row grew */
        pgw_free(&s->wb);
        pgw_init(&s->wb);
    }
    return s->dead ? -1 : 0;
}

static void log_sample(Session *s, const char *what)
{
    char hex[3 * 16 + 1] = "";
    size_t avail = s->rb.len - s->rb.off, n = avail < 16 ? avail : 16;
    for (size_t i = 0; i < n; i++)
        snprintf(hex + 3 * i, 4, "%02x ", s->rb.data[s->rb.off + i]);
    server_log(s->pid, "%s from %s: %s (next bytes: %s)", what, s->peer, s->err.message, n ? hex : "none");
}

/* Reads the next message: 1 = got one, 0 = the client went away (or the
 * server stops), -1 = a framing error (s->err), -2 = timeout_ms passed. */
static int read_msg(Session *s, bool startup, int64_t timeout_ms, PgMsg *m)
{
    int64_t deadline = timeout_ms > 0 ? server_now_ms() + timeout_ms : 0;
    for (;;) {
        if (s->rb.off == s->rb.len) {
            s->rb.off = s->rb.len = 0;
            if (s->rb.cap > (1u << 20))
                pgp_rbuf_free(&s->rb);
        }
        err_clear(&s->err);
        int r = pgp_next(&s->rb, startup, s->srv->cfg->max_message_bytes, m, &s->err);
        if (r)
            return r;
        if (s->wb.len && flush_out(s))
            return 0;
        int wait = 1000;
        if (deadline) {
            int64_t left = deadline - server_now_ms();
            if (left <= 0)
                return -2;
            if (left < wait)
                wait = (int)left;
        }
        /* A plain socket without a deadline: straight to a blocking recv,
         * no poll first (one syscall per incoming batch).  Server shutdown
         * wakes it with shutdown(fd) (server.c). */
        int pr = !deadline && !s->io.ssl ? 1 : cio_wait(&s->io, wait);
        if (atomic_load(s->srv->stop))
            return 0;
        if (pr < 0)
            return 0;
        if (pr == 0)
            continue;
        size_t room;
        uint8_t *dst = pgp_rbuf_space(&s->rb, 16384, &room);
        if (!dst) {
            err_set_state(&s->err, TARN_ERR_NOMEM, "53200", "out of memory");
            return -1;
        }
        ssize_t n = cio_read(&s->io, dst, room);
        if (n == -2)
            continue;
        if (n <= 0)
            return 0;
        s->rb.len += (size_t)n;
    }
}

static void send_error(Session *s, const TarnError *e) { pgw_error(&s->wb, 'E', "ERROR", e); }

/* FATAL to the client, a log line, and the end of the session. */
static void fatal(Session *s, const char *state, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fatal(Session *s, const char *state, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pgw_error_msg(&s->wb, "FATAL", state, msg);
    flush_out(s);
    server_log(s->pid, "FATAL: %s (%s)", msg, s->peer);
    s->dead = true;
}

static void fatal_err(Session *s, const TarnError *e)
{
    pgw_error(&s->wb, 'E', "FATAL", e);
    flush_out(s);
    server_log(s->pid, "FATAL: %s (%s)", e->message, s->peer);
    s->dead = true;
}

/* ---- settings ----------------------------------------------------------------------------------- */

static const char *other_setting(tarn_db *db, const char *name)
{
    for (uint32_t i = 0; i < db->n_other; i++)
        if (!strcmp(db->other[i].name, name))
            return db->other[i].value;
    return NULL;
}

/* The reported (GUC_REPORT) parameters whose value can change. */
static const char *const reported_names[] = {"application_name", "client_encoding", "DateStyle", "TimeZone",
                                             "IntervalStyle", "standard_conforming_strings"};
#define N_REPORTED (sizeof reported_names / sizeof reported_names[0])

static const char *reported_value(Session *s, size_t i)
{
    const char *v;
    switch (i) {
    case 0: v = other_setting(s->db, "application_name"); return v ? v : "";
    case 1: v = other_setting(s->db, "client_encoding"); return v ? v : "UTF8";
    case 2: v = other_setting(s->db, "datestyle"); return v ? v : "ISO, MDY";
    case 3: return s->db->settings.timezone;
    case 4: v = other_setting(s->db, "intervalstyle"); return v ? v : "postgres";
    default: v = other_setting(s->db, "standard_conforming_strings"); return v ? v : "on";
    }
}

/* Sends ParameterStatus for every reported parameter that changed. */
static void report_changes(Session *s)
{
    for (size_t i = 0; i < N_REPORTED; i++) {
        const char *v = reported_value(s, i);
        if (strcmp(v, s->reported[i])) {
            snprintf(s->reported[i], sizeof s->reported[i], "%s", v);
            pgw_param_status(&s->wb, reported_names[i], v);
        }
    }
}

static char txn_status(Session *s) { return s->txn_failed ? 'E' : s->db->in_txn ? 'T' : 'I'; }

static void ready(Session *s)
{
    pgw_ready(&s->wb, txn_status(s));
    s->at_ready = true;
}

/* SET "name" TO 'value' through the SQL layer. */
static int apply_setting(Session *s, const char *name, const char *value)
{
    Buf q;
    buf_init(&q);
    int rc = buf_printf(&q, "SET \"");
    for (const char *p = name; !rc && *p; p++)
        rc = *p == '"' ? buf_printf(&q, "\"\"") : buf_append_byte(&q, (uint8_t)*p);
    rc = rc ? rc : buf_printf(&q, "\" TO '");
    for (const char *p = value; !rc && *p; p++)
        rc = *p == '\'' ? buf_printf(&q, "''") : buf_append_byte(&q, (uint8_t)*p);
    rc = rc ? rc : buf_printf(&q, "'");
    rc = rc ? rc : buf_terminate(&q);
    if (rc)
        rc = ERR_NOMEM(&s->err, q.len);
    else
        rc = tarn_exec(s->db, (const char *)q.data, NULL, &s->err);
    buf_free(&q);
    /* a startup parameter is the session's default: RESET returns to it */
    if (!rc)
        rc = tarn_setting_keep_as_default(s->db, name, &s->err);
    if (rc)
        s->err.position = 0;
    return rc;
}

/* The session's statement_timeout in ms (SET value, else the server's). */
static int64_t statement_timeout(Session *s)
{
    const char *v = other_setting(s->db, "statement_timeout");
    int64_t ms;
    if (v && !server_parse_ms(v, &ms))
        return ms;
    return s->srv->cfg->statement_timeout_ms;
}

/* The idle timeout that applies while waiting for the next message: only
 * right after ReadyForQuery, as in PostgreSQL (not between Parse and Sync);
 * idle_in_transaction_session_timeout inside a transaction block (also a
 * failed one), idle_session_timeout outside.  The session's SET value,
 * else the server's. */
static int64_t idle_timeout(Session *s, bool *in_txn_out)
{
    *in_txn_out = txn_status(s) != 'I';
    if (!s->at_ready)
        return 0;
    const char *name = *in_txn_out ? "idle_in_transaction_session_timeout" : "idle_session_timeout";
    const char *v = other_setting(s->db, name);
    int64_t ms;
    if (v && !server_parse_ms(v, &ms))
        return ms;
    return *in_txn_out ? s->srv->cfg->idle_in_txn_timeout_ms : s->srv->cfg->idle_session_timeout_ms;
}

/* ---- statements and portals --------------------------------------------------------------------- */

/* First keyword of a statement (after blanks and comments), lower case. */
static void first_word(const char *sql, char *out, size_t cap)
{
    const char *p = sqlcur_skip_blanks(sql, true);
    size_t n = 0;
    while (n + 1 < cap && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
        out[n++] = (char)(*p++ | 0x20);
    out[n] = 0;
}

static bool is_txn_end(const char *sql)
{
    char w[16];
    first_word(sql, w, sizeof w);
    return !strcmp(w, "rollback") || !strcmp(w, "abort") || !strcmp(w, "commit") || !strcmp(w, "end");
}

static int aborted_error(Session *s)
{
    return err_set_state(&s->err, TARN_ERR_INVALID, "25P02",
                         "current transaction is aborted, commands ignored until end of transaction block");
}

static PStmt *find_stmt(Session *s, const char *name)
{
    for (PStmt *p = s->stmts; p; p = p->next)
        if (!strcmp(p->name, name))
            return p;
    return NULL;
}

static Portal *find_portal(Session *s, const char *name)
{
    for (Portal *p = s->portals; p; p = p->next)
        if (!strcmp(p->name, name))
            return p;
    return NULL;
}

/* find_stmt / find_portal for a message that needs the object: NULL with
 * PostgreSQL's error (26000 / 34000) set when it does not exist. */
static PStmt *need_stmt(Session *s, const char *name)
{
    PStmt *ps = find_stmt(s, name);
    if (!ps) {
        if (name[0])
            err_set_state(&s->err, TARN_ERR_NOT_FOUND, "26000", "prepared statement \"%s\" does not exist", name);
        else
            err_set_state(&s->err, TARN_ERR_NOT_FOUND, "26000", "unnamed prepared statement does not exist");
    }
    return ps;
}

static Portal *need_portal(Session *s, const char *name)
{
    Portal *p = find_portal(s, name);
    if (!p)
        err_set_state(&s->err, TARN_ERR_NOT_FOUND, "34000", "portal \"%s\" does not exist", name);
    return p;
}

/* Releases what a portal holds (not the struct itself). */
static void portal_release(Portal *p)
{
    tarn_cursor_close(p->cur);
    p->cur = NULL;
    tarn_stmt_free(p->copy_st);
    p->copy_st = NULL;
    if (p->copy) {
        copy_spec_free(p->copy);
        tarn_free(p->copy);
        p->copy = NULL;
    }
    for (int i = 0; i < p->n_values; i++)
        tarn_free(p->values[i]);
    tarn_free(p->values);
    p->values = NULL;
    p->n_values = 0;
    tarn_free(p->rfmt);
    p->rfmt = NULL;
    tarn_free(p->oids);
    p->oids = NULL;
}

static void portal_free(Portal *p)
{
    if (!p)
        return;
    portal_release(p);
    if (p->own_ps) {
        tarn_stmt_free(p->own_ps->st);
        tarn_free(p->own_ps->name);
        tarn_free(p->own_ps);
    }
    tarn_free(p->name);
    tarn_free(p);
}

/* Drops the portals that end with the transaction: all but WITH HOLD
 * cursors (Sync outside a block), or only the DECLAREd ones (a statement
 * ended the block). */
static void drop_txn_portals(Session *s, bool declared_only)
{
    for (Portal **pp = &s->portals; *pp;) {
        Portal *p = *pp;
        if (!p->hold && (p->declared || !declared_only)) {
            *pp = p->next;
            portal_free(p);
        } else {
            pp = &p->next;
        }
    }
}

static void drop_portal(Session *s, const char *name)
{
    for (Portal **pp = &s->portals; *pp; pp = &(*pp)->next)
        if (!strcmp((*pp)->name, name)) {
            Portal *p = *pp;
            *pp = p->next;
            portal_free(p);
            return;
        }
}

static void drop_all_portals(Session *s)
{
    while (s->portals) {
        Portal *p = s->portals;
        s->portals = p->next;
        portal_free(p);
    }
}

/* Drops a statement and the portals made from it. */
static void drop_stmt(Session *s, const char *name)
{
    for (PStmt **pp = &s->stmts; *pp; pp = &(*pp)->next)
        if (!strcmp((*pp)->name, name)) {
            PStmt *ps = *pp;
            *pp = ps->next;
            for (Portal **qq = &s->portals; *qq;) {
                if ((*qq)->ps == ps) {
                    Portal *p = *qq;
                    *qq = p->next;
                    portal_free(p);
                } else {
                    qq = &(*qq)->next;
                }
            }
            tarn_stmt_free(ps->st);
            tarn_free(ps->role_sql);
            tarn_free(ps->cursor_sql);
            tarn_free(ps->name);
            tarn_free(ps);
            return;
        }
}

static int fmt_of(const Portal *p, int col)
{
    if (p->n_rfmt == 0)
        return 0;
    return p->rfmt[p->n_rfmt == 1 ? 0 : col];
}

/* RowDescription for ncols columns (names/oids/typmods via callbacks of
 * the statement or cursor). */
static void send_rowdesc(Session *s, tarn_stmt *st, tarn_cursor *cur, const Portal *p)
{
    int n = cur ? tarn_cursor_ncols(cur) : tarn_stmt_ncols(st);
    pgw_begin(&s->wb, 'T');
    pgw_i16(&s->wb, (int16_t)n);
    bool same = st && tarn_stmt_ncols(st) == n;
    for (int i = 0; i < n; i++) {
        const char *name = cur ? tarn_cursor_colname(cur, i) : tarn_stmt_colname(st, i);
        uint32_t oid = cur ? tarn_cursor_coloid(cur, i) : tarn_stmt_coloid(st, i);
        uint32_t tab = 0;
        int16_t attnum = 0;
        if (same)
            tarn_stmt_col_source(st, i, &tab, &attnum);
        pgw_str(&s->wb, name ? name : "?column?");
        pgw_i32(&s->wb, (int32_t)tab);
        pgw_i16(&s->wb, attnum);
        pgw_i32(&s->wb, (int32_t)oid);
        pgw_i16(&s->wb, pgt_typlen(oid));
        pgw_i32(&s->wb, same && tarn_stmt_coloid(st, i) == oid ? tarn_stmt_coltypmod(st, i) : -1);
        pgw_i16(&s->wb, (int16_t)(p ? fmt_of(p, i) : 0));
    }
    pgw_end(&s->wb);
}

/* Checks the result formats against the columns (oids, n of them). */
static int check_formats(Session *s, const Portal *p, int n, uint32_t (*oid_at)(const void *, int), const void *src)
{
    if (p->n_rfmt > 1 && p->n_rfmt != n)
        return err_set_state(&s->err, TARN_ERR_CORRUPT, "08P01", "bind message has %d result formats but query has %d columns",
                             p->n_rfmt, n);
    for (int i = 0; i < n; i++)
        if (fmt_of(p, i) == 1 && !pgt_has_binary(oid_at(src, i)))
            return err_set_state(&s->err, TARN_ERR_UNSUPPORTED, "42883", "no binary output function available for type %s",
                                 pgt_type_name(oid_at(src, i)));
    return 0;
}

static uint32_t stmt_oid_at(const void *st, int i) { return tarn_stmt_coloid(st, i); }
static uint32_t cur_oid_at(const void *cur, int i) { return tarn_cursor_coloid(cur, i); }

static int emit_rows(Session *s, Portal *p, const tarn_batch *b, int ncols)
{
    int64_t n = tarn_batch_nrows(b);
    if (p->copy) { /* COPY TO STDOUT: one CopyData per row */
        for (int64_t r = 0; r < n; r++) {
            if (copy_format_row(p->copy, b, r, ncols, &s->tmp))
                return ERR_NOMEM(&s->err, s->tmp.len);
            pgw_begin(&s->wb, 'd');
            pgw_bytes(&s->wb, s->tmp.data, s->tmp.len);
            pgw_end(&s->wb);
            if (s->wb.len >= FLUSH_AT && flush_out(s))
                return err_set_state(&s->err, TARN_ERR_IO, "08006", "connection to client lost");
        }
        return 0;
    }
    for (int64_t r = 0; r < n; r++) {
        pgw_begin(&s->wb, 'D');
        pgw_i16(&s->wb, (int16_t)ncols);
        for (int c = 0; c < ncols; c++) {
            if (tarn_batch_isnull(b, r, c)) {
                pgw_i32(&s->wb, -1);
            } else if (fmt_of(p, c) == 1) {
                int rc = pgt_write_binary(&s->wb, b, r, c, p->oids[c], &s->err);
                if (rc) {
                    pgw_cancel(&s->wb);
                    return rc;
                }
            } else {
                size_t len = 0;
                const char *t = tarn_batch_text(b, r, c, &len);
                pgw_i32(&s->wb, (int32_t)len);
                pgw_bytes(&s->wb, t, len);
            }
        }
        pgw_end(&s->wb);
        if (s->wb.len >= FLUSH_AT && flush_out(s))
            return err_set_state(&s->err, TARN_ERR_IO, "08006", "connection to client lost");
    }
    return 0;
}

static void close_cursor(Session *s, Portal *p)
{
    if (!p->cur)
        return;
    tarn_cursor *c = p->cur;
    p->cur = NULL;
    tarn_cursor_close(c);
}

/* A role statement (roles.c): CommandComplete, and a NOTICE if any. */
static int run_role(Session *s, const char *sql)
{
    char tag[32], notice[256];
    if (roles_run_ddl(s->srv->cfg->lake_dir, sql, tag, sizeof tag, notice, sizeof notice, &s->err))
        return -1;
    if (notice[0]) {
        TarnError n;
        err_clear(&n);
        snprintf(n.sqlstate, sizeof n.sqlstate, "00000");
        snprintf(n.message, sizeof n.message, "%s", notice);
        pgw_error(&s->wb, 'N', "NOTICE", &n);
    }
    pgw_command_complete(&s->wb, tag);
    return 0;
}

/* NoticeResponse for each NOTICE / WARNING of the last library call that
 * client_min_messages lets through. */
static void send_notices(Session *s)
{
    int n = tarn_notice_count(s->db);
    if (!n)
        return;
    const char *min = other_setting(s->db, "client_min_messages");
    bool no_notice = min && (!strcasecmp(min, "warning") || !strcasecmp(min, "error"));
    bool no_warning = min && !strcasecmp(min, "error");
    for (int i = 0; i < n; i++) {
        TarnError e;
        const char *sev = tarn_notice_get(s->db, i, &e);
        if (sev && !(strcmp(sev, "WARNING") ? no_notice : no_warning))
            pgw_error(&s->wb, 'N', sev, &e);
    }
}

static bool is_copy_stdio(const tarn_stmt *st)
{
    return st && st->st->kind == STMT_COPY && !(st->st->u.copy.file && st->st->u.copy.file[0]);
}

/* Runs sql through tarn_exec with the statement guards (cancel, timeout). */
static int guarded_exec(Session *s, const char *sql, tarn_result **res)
{
    int64_t timeout = statement_timeout(s);
    pthread_mutex_lock(&s->mu);
    s->running = true;
    s->cancel_reason = CANCEL_NONE;
    s->deadline_ms = timeout > 0 ? server_now_ms() + timeout : 0;
    pthread_mutex_unlock(&s->mu);
    int rc = tarn_exec(s->db, sql, res, &s->err);
    send_notices(s);
    pthread_mutex_lock(&s->mu);
    s->running = false;
    s->deadline_ms = 0;
    int reason = s->cancel_reason;
    s->cancel_reason = CANCEL_NONE;
    pthread_mutex_unlock(&s->mu);
    if (rc && (!strcmp(s->err.sqlstate, "57014") || s->err.kind == TARN_ERR_CANCELED)) {
        snprintf(s->err.sqlstate, sizeof s->err.sqlstate, "57014");
        snprintf(s->err.message, sizeof s->err.message, "canceling statement due to %s",
                 reason == CANCEL_TIMEOUT ? "statement timeout" : "user request");
    }
    if (rc)
        s->err.position = 0;
    return rc;
}

/* CSV data may end with PostgreSQL's end marker line "\.": cut it. */
static int strip_end_marker(FILE *f)
{
    long size = ftell(f);
    if (size < 2)
        return 0;
    char tail[5] = {0};
    long n = size < 4 ? size : 4;
    if (fseek(f, size - n, SEEK_SET) || fread(tail, 1, (size_t)n, f) != (size_t)n)
        return -1;
    long cut = 0;
    if (n >= 4 && !memcmp(tail, "\n\\.\n", 4))
        cut = 3;
    else if (size == 3 && !memcmp(tail, "\\.\n", 3))
        cut = 3;
    else if (n >= 3 && !memcmp(tail + n - 3, "\n\\.", 3))
        cut = 2;
    else if (size == 2 && !memcmp(tail, "\\.", 2))
        cut = 2;
    fflush(f);
    return cut && ftruncate(fileno(f), size - cut) ? -1 : 0;
}

/* COPY ... FROM STDIN: CopyInResponse, CopyData into a temporary CSV
 * file, then the SQL layer's COPY FROM that file (one commit). */
static int copy_in(Session *s, const CopySpec *cs)
{
    tarn_stmt *probe = NULL; /* the table and columns exist? (before any data moves) */
    if (tarn_prepare(s->db, cs->query, 0, NULL, &probe, &s->err)) {
        s->err.position = 0;
        return -1;
    }
    int ncols = tarn_stmt_ncols(probe);
    tarn_stmt_free(probe);
    /* staged in the session's temp_directory (spill files' place, by
     * default LAKE/.tarn_tmp), removed on every way out below */
    char tdir[512], dir[600], path[640];
    if (sql_setting_get(s->db, "temp_directory", tdir, sizeof tdir, NULL, &s->err))
        return -1;
    if (mkdir(tdir, 0700) && errno != EEXIST)
        return err_set_state(&s->err, TARN_ERR_IO, "58030", "could not create temporary directory \"%s\": %s", tdir,
                             strerror(errno)), -1;
    snprintf(dir, sizeof dir, "%s/copy-stdin-XXXXXX", tdir);
    if (!mkdtemp(dir))
        return err_set_state(&s->err, TARN_ERR_IO, "58030", "could not create a temporary directory in \"%s\": %s", tdir,
                             strerror(errno)), -1;
    snprintf(path, sizeof path, "%s/data.csv", dir);
    FILE *f = fopen(path, "w+");
    if (!f) {
        rmdir(dir);
        return err_set(&s->err, TARN_ERR_IO, "could not create \"%s\": %s", path, strerror(errno)), -1;
    }
    CopyTextToCsv t2c;
    copy_t2c_init(&t2c, cs);
    pgw_begin(&s->wb, 'G');
    pgw_u8(&s->wb, 0);
    pgw_i16(&s->wb, (int16_t)ncols);
    for (int i = 0; i < ncols; i++)
        pgw_i16(&s->wb, 0);
    pgw_end(&s->wb);
    int rc = 0;
    for (;;) {
        PgMsg m;
        int r = read_msg(s, false, 0, &m);
        if (r == 0) {
            server_log(s->pid, "client %s went away during COPY FROM STDIN", s->peer);
            s->dead = true;
            rc = err_set_state(&s->err, TARN_ERR_IO, "08006", "unexpected EOF on client connection");
            break;
        }
        if (r < 0) {
            log_sample(s, "protocol violation during COPY");
            fatal_err(s, &s->err);
            rc = -1;
            break;
        }
        if (m.type == 'd') {
            if (cs->format == COPY_TEXT)
                rc = copy_t2c_feed(&t2c, (const char *)m.body, m.len, f, &s->err) ? -1 : 0;
            else if (m.len && fwrite(m.body, 1, m.len, f) != m.len)
                rc = err_set(&s->err, TARN_ERR_IO, "could not write the COPY data: %s", strerror(errno));
            if (rc)
                break;
        } else if (m.type == 'c') {
            break;
        } else if (m.type == 'f') {
            PgCur c = pgp_cur(&m);
            const char *why = pgp_get_str(&c);
            rc = err_set_state(&s->err, TARN_ERR_CANCELED, "57014", "COPY from stdin failed: %s", why ? why : "");
            break;
        } else if (m.type == 'H' || m.type == 'S') {
            continue; /* sent by drivers after Execute regardless: ignored, as PostgreSQL does */
        } else {
            rc = err_set_state(&s->err, TARN_ERR_CORRUPT, "08P01", "unexpected message type 0x%02X during COPY from stdin",
                               (unsigned char)m.type);
            break;
        }
    }
    if (!rc && cs->format == COPY_TEXT && copy_t2c_finish(&t2c, f, &s->err))
        rc = -1;
    if (!rc && cs->format == COPY_CSV && strip_end_marker(f))
        rc = err_set(&s->err, TARN_ERR_IO, "could not write the COPY data: %s", strerror(errno));
    if (fclose(f) && !rc)
        rc = err_set(&s->err, TARN_ERR_IO, "could not write the COPY data: %s", strerror(errno));
    copy_t2c_free(&t2c);
    if (!rc) {
        Buf q;
        buf_init(&q);
        int brc = buf_printf(&q, "COPY %s FROM '", cs->target);
        for (const char *c = path; !brc && *c; c++) /* temp_directory may hold a quote */
            brc = *c == '\'' ? buf_printf(&q, "''") : buf_append_byte(&q, (uint8_t)*c);
        brc = brc ? brc : buf_printf(&q, "' WITH (%s)", cs->format == COPY_CSV ? cs->csv_options : "FORMAT csv");
        brc = brc ? brc : buf_terminate(&q);
        tarn_result *res = NULL;
        if (brc)
            rc = ERR_NOMEM(&s->err, q.len);
        else
            rc = guarded_exec(s, (const char *)q.data, &res);
        if (!rc)
            pgw_command_complete(&s->wb, tarn_result_tag(res));
        tarn_result_free(res);
        buf_free(&q);
    }
    unlink(path);
    rmdir(dir);
    return rc ? -1 : 0;
}

static int run_cursor_stmt(Session *s, const char *sql, bool send_desc);

/* Runs (or continues) a portal: up to max_rows rows (0 = all), then
 * CommandComplete or PortalSuspended.  With send_desc a RowDescription
 * goes first (simple query).  Errors: rc with s->err; nothing of the
 * failing statement's CommandComplete is sent. */
static int portal_run(Session *s, Portal *p, int64_t max_rows, bool send_desc)
{
    if (p->ps->role_sql) {
        if (p->done)
            return err_set_state(&s->err, TARN_ERR_INVALID, "55000", "portal \"%s\" cannot be run", p->name), -1;
        p->done = true;
        return run_role(s, p->ps->role_sql);
    }
    if (p->ps->cursor_sql) {
        if (p->done)
            return err_set_state(&s->err, TARN_ERR_INVALID, "55000", "portal \"%s\" cannot be run", p->name), -1;
        p->done = true;
        return run_cursor_stmt(s, p->ps->cursor_sql, send_desc);
    }
    if (!p->ps->st) {
        pgw_simple(&s->wb, 'I'); /* EmptyQueryResponse */
        return 0;
    }
    if (p->done && p->fetch_verb) { /* a DECLAREd cursor at its end */
        if (!p->quiet) {
            if (!strcmp(p->fetch_verb, "FETCH") && tarn_stmt_ncols(p->ps->st) > 0)
                send_rowdesc(s, p->ps->st, NULL, p);
            char t[32];
            snprintf(t, sizeof t, "%s 0", p->fetch_verb);
            pgw_command_complete(&s->wb, t);
        }
        return 0;
    }
    if (p->done) {
        pgw_command_complete(&s->wb, "SELECT 0");
        return 0;
    }
    tarn_stmt *run_st = p->ps->st;
    int n_values = p->n_values;
    if (!p->copy_checked) {
        p->copy_checked = true;
        if (is_copy_stdio(run_st)) {
            CopySpec *cs = tarn_calloc(1, sizeof *cs);
            if (!cs)
                return ERR_NOMEM(&s->err, sizeof *cs), -1;
            int r = copy_spec_parse(run_st->sql, cs, &s->err);
            if (r <= 0) {
                tarn_free(cs);
                p->done = true;
                if (r == 0) /* cannot happen: the SQL layer saw a COPY STDIN/STDOUT */
                    err_set_state(&s->err, TARN_ERR_INTERNAL, "XX000", "COPY statement not understood");
                return -1;
            }
            if (cs->is_from) {
                int crc = copy_in(s, cs);
                copy_spec_free(cs);
                tarn_free(cs);
                p->done = true;
                return crc;
            }
            p->copy = cs;
            if (tarn_prepare(s->db, cs->query, 0, NULL, &p->copy_st, &s->err)) {
                s->err.position = 0;
                p->done = true;
                return -1;
            }
        }
    }
    if (p->copy) {
        run_st = p->copy_st;
        n_values = 0;
        max_rows = 0; /* COPY ignores Execute's row limit */
    }
    int64_t timeout = statement_timeout(s);
    pthread_mutex_lock(&s->mu);
    s->running = true;
    s->cancel_reason = CANCEL_NONE;
    s->deadline_ms = timeout > 0 ? server_now_ms() + timeout : 0;
    pthread_mutex_unlock(&s->mu);
    int rc = 0;
    if (!p->cur) {
        tarn_cursor *cur = NULL;
        rc = tarn_cursor_open(run_st, n_values, (const char *const *)p->values, &cur, &s->err);
        send_notices(s);
        if (!rc) {
            p->cur = cur;
            int n = tarn_cursor_ncols(cur);
            tarn_free(p->oids);
            p->oids = tarn_calloc((size_t)(n ? n : 1), sizeof *p->oids);
            if (!p->oids)
                rc = ERR_NOMEM(&s->err, n);
            for (int i = 0; !rc && i < n; i++)
                p->oids[i] = tarn_cursor_coloid(cur, i);
            if (!rc && !p->copy)
                rc = check_formats(s, p, n, cur_oid_at, cur);
            if (!rc && p->copy) { /* CopyOutResponse, then the header line */
                pgw_begin(&s->wb, 'H');
                pgw_u8(&s->wb, 0);
                pgw_i16(&s->wb, (int16_t)n);
                for (int i = 0; i < n; i++)
                    pgw_i16(&s->wb, 0);
                pgw_end(&s->wb);
                if (p->copy->header) {
                    const char **names = tarn_calloc((size_t)(n ? n : 1), sizeof *names);
                    for (int i = 0; names && i < n; i++)
                        names[i] = tarn_cursor_colname(cur, i);
                    if (!names || copy_format_header(p->copy, names, n, &s->tmp))
                        rc = ERR_NOMEM(&s->err, n);
                    tarn_free(names);
                    if (!rc) {
                        pgw_begin(&s->wb, 'd');
                        pgw_bytes(&s->wb, s->tmp.data, s->tmp.len);
                        pgw_end(&s->wb);
                    }
                }
            }
        }
    }
    if (!rc) {
        pthread_mutex_lock(&s->mu);
        s->cur = p->cur;
        if (s->cancel_reason)
            tarn_cursor_cancel(p->cur);
        pthread_mutex_unlock(&s->mu);
    }
    int ncols = p->cur ? tarn_cursor_ncols(p->cur) : 0;
    if (!rc && send_desc && ncols > 0 && !p->copy)
        send_rowdesc(s, p->ps->st, p->cur, p);
    int64_t sent = 0;
    bool suspended = false;
    while (!rc) {
        int64_t want = 0;
        if (max_rows > 0) {
            want = max_rows - sent;
            if (want <= 0) {
                suspended = true;
                break;
            }
        }
        const tarn_batch *b = NULL;
        rc = tarn_cursor_fetch(p->cur, want, &b, &s->err);
        if (rc || !b)
            break;
        if (!p->fetch_verb || !strcmp(p->fetch_verb, "FETCH")) /* MOVE and skipping: no rows */
            rc = emit_rows(s, p, b, ncols);
        sent += tarn_batch_nrows(b);
    }
    p->pos += sent;
    pthread_mutex_lock(&s->mu);
    s->cur = NULL;
    s->running = false;
    s->deadline_ms = 0;
    int reason = s->cancel_reason;
    s->cancel_reason = CANCEL_NONE;
    pthread_mutex_unlock(&s->mu);
    if (rc) {
        if (p->copy) /* PostgreSQL's clients leave COPY OUT mode on the ErrorResponse */
            s->err.position = 0;
        if (!strcmp(s->err.sqlstate, "57014") || s->err.kind == TARN_ERR_CANCELED) {
            snprintf(s->err.sqlstate, sizeof s->err.sqlstate, "57014");
            snprintf(s->err.message, sizeof s->err.message, "canceling statement due to %s",
                     reason == CANCEL_TIMEOUT ? "statement timeout" : "user request");
            s->err.position = 0;
        }
        close_cursor(s, p);
        p->done = true;
        return rc;
    }
    char buf[64];
    if (p->fetch_verb) { /* FETCH / MOVE n: the cursor stays open (at its end: done) */
        if (!suspended) {
            close_cursor(s, p);
            p->done = true;
        }
        if (!p->quiet) {
            snprintf(buf, sizeof buf, "%s %lld", p->fetch_verb, (long long)sent);
            pgw_command_complete(&s->wb, buf);
        }
        return 0;
    }
    if (suspended) {
        pgw_simple(&s->wb, 's');
        return 0;
    }
    const char *tag = tarn_cursor_tag(p->cur);
    if (p->copy) {
        pgw_simple(&s->wb, 'c'); /* CopyDone */
        snprintf(buf, sizeof buf, "COPY %lld", (long long)sent);
        tag = buf;
    } else if (!strncmp(tag, "SELECT", 6)) {
        snprintf(buf, sizeof buf, "SELECT %lld", (long long)sent);
        tag = buf;
    } else {
        snprintf(buf, sizeof buf, "%s", tag);
        tag = buf;
    }
    close_cursor(s, p);
    p->done = true;
    pgw_command_complete(&s->wb, tag);
    report_changes(s);
    return 0;
}

/* ---- DECLARE / FETCH / MOVE / CLOSE (sqlcursor.h) ----------------------------------------------- */

static int declare_cursor(Session *s, const SqlCurStmt *cs)
{
    if (!cs->hold && !s->db->in_txn)
        return err_set_state(&s->err, TARN_ERR_INVALID, "25P01", "DECLARE CURSOR can only be used in transaction blocks");
    if (find_portal(s, cs->name))
        return err_set_state(&s->err, TARN_ERR_INVALID, "42P03", "cursor \"%s\" already exists", cs->name);
    tarn_stmt *st = NULL;
    if (tarn_prepare(s->db, cs->query, 0, NULL, &st, &s->err)) {
        if (s->err.position > 0)
            s->err.position += cs->query_chars;
        return -1;
    }
    int rc = 0;
    if (tarn_stmt_nparams(st) > 0)
        rc = err_set_state(&s->err, TARN_ERR_INVALID, "42P02", "there is no parameter $1");
    else if (st->st->kind != STMT_SELECT)
        rc = err_set_state(&s->err, TARN_ERR_SYNTAX, "42601", "DECLARE CURSOR must be given a query");
    for (int i = 0; !rc && cs->binary && i < tarn_stmt_ncols(st); i++)
        if (!pgt_has_binary(tarn_stmt_coloid(st, i)))
            rc = err_set_state(&s->err, TARN_ERR_UNSUPPORTED, "42883", "no binary output function available for type %s",
                               pgt_type_name(tarn_stmt_coloid(st, i)));
    if (rc) {
        tarn_stmt_free(st);
        return rc;
    }
    Portal *p = tarn_calloc(1, sizeof *p);
    PStmt *ps = tarn_calloc(1, sizeof *ps);
    if (!p || !ps || !(p->name = tarn_strdup(cs->name)) || !(ps->name = tarn_strdup("")) ||
        (cs->binary && !(p->rfmt = tarn_calloc(1, sizeof *p->rfmt)))) {
        if (p)
            tarn_free(p->name);
        tarn_free(p);
        if (ps)
            tarn_free(ps->name);
        tarn_free(ps);
        tarn_stmt_free(st);
        return ERR_NOMEM(&s->err, sizeof *p);
    }
    ps->st = st;
    p->ps = p->own_ps = ps;
    p->declared = true;
    p->hold = cs->hold;
    p->copy_checked = true;
    if (cs->binary) {
        p->rfmt[0] = 1;
        p->n_rfmt = 1;
    }
    /* the query starts now, on the data as of DECLARE */
    int n = tarn_stmt_ncols(st);
    if (tarn_cursor_open(st, 0, NULL, &p->cur, &s->err) ||
        !(p->oids = tarn_calloc((size_t)(n ? n : 1), sizeof *p->oids))) {
        if (p->cur && !p->oids)
            ERR_NOMEM(&s->err, n);
        portal_free(p);
        return -1;
    }
    for (int i = 0; i < n; i++)
        p->oids[i] = tarn_cursor_coloid(p->cur, i);
    p->next = s->portals;
    s->portals = p;
    pgw_command_complete(&s->wb, "DECLARE CURSOR");
    return 0;
}

static int fetch_cursor(Session *s, const SqlCurStmt *cs, bool send_desc)
{
    Portal *p = find_portal(s, cs->name);
    if (!p)
        return err_set_state(&s->err, TARN_ERR_NOT_FOUND, "34000", "cursor \"%s\" does not exist", cs->name);
    if (!p->declared)
        return err_set_state(&s->err, TARN_ERR_INVALID, "55000", "portal \"%s\" cannot be run with FETCH", cs->name);
    int64_t skip, take;
    if (sqlcur_plan(cs, p->pos, &skip, &take, &s->err))
        return -1;
    int rc = 0;
    if (skip > 0) {
        p->fetch_verb = "MOVE";
        p->quiet = true;
        rc = portal_run(s, p, skip, false);
    }
    if (!rc) {
        p->fetch_verb = cs->is_move ? "MOVE" : "FETCH";
        p->quiet = false;
        rc = portal_run(s, p, take, send_desc && !cs->is_move);
    }
    p->fetch_verb = NULL;
    p->quiet = false;
    return rc;
}

/* With send_desc (simple query) FETCH sends a RowDescription first. */
static int run_cursor_stmt(Session *s, const char *sql, bool send_desc)
{
    SqlCurStmt cs;
    if (sqlcur_parse(sql, &cs, &s->err))
        return -1;
    int rc = 0;
    if (cs.kind == SQLCUR_DECLARE) {
        rc = declare_cursor(s, &cs);
    } else if (cs.kind == SQLCUR_FETCH) {
        rc = fetch_cursor(s, &cs, send_desc);
    } else if (!cs.name[0]) { /* CLOSE ALL */
        for (Portal **pp = &s->portals; *pp;) {
            Portal *p = *pp;
            if (p->declared) {
                *pp = p->next;
                portal_free(p);
            } else {
                pp = &p->next;
            }
        }
        pgw_command_complete(&s->wb, "CLOSE CURSOR ALL");
    } else if (!find_portal(s, cs.name)) {
        rc = err_set_state(&s->err, TARN_ERR_NOT_FOUND, "34000", "cursor \"%s\" does not exist", cs.name);
    } else {
        drop_portal(s, cs.name);
        pgw_command_complete(&s->wb, "CLOSE CURSOR");
    }
    sqlcur_free(&cs);
    return rc ? -1 : 0;
}

/* After an error: inside BEGIN the block is now failed. */
static void after_error(Session *s)
{
    if (s->db->in_txn)
        s->txn_failed = true;
}

/* ROLLBACK [WORK | TRANSACTION] TO [SAVEPOINT] name */
static bool is_rollback_to(const char *sql)
{
    char w[16];
    first_word(sql, w, sizeof w);
    const char *p = strcasestr(sql, "rollback");
    if (strcmp(w, "rollback") || !p)
        return false;
    p += 8;
    for (int i = 0; i < 2; i++) {
        first_word(p, w, sizeof w);
        if (!strcmp(w, "to"))
            return true;
        if ((strcmp(w, "work") && strcmp(w, "transaction")) || !(p = strcasestr(p, w)))
            return false;
        p += strlen(w);
    }
    return false;
}

/* A transaction-ending statement while the block is failed: ROLLBACK
 * (COMMIT of a failed block reports ROLLBACK, as PostgreSQL does).
 * ROLLBACK TO SAVEPOINT of a known savepoint makes the block usable again
 * (what clients use savepoints for); work done since is not undone:
 * statements commit one by one (docs/server.md). */
static int end_failed_block(Session *s, const char *sql)
{
    if (is_rollback_to(sql)) {
        if (tarn_exec(s->db, sql, NULL, &s->err)) /* 3B001: the block stays failed */
            return -1;
        s->txn_failed = false;
        pgw_command_complete(&s->wb, "ROLLBACK");
        return 0;
    }
    int rc = tarn_exec(s->db, "ROLLBACK", NULL, &s->err);
    if (rc)
        return rc;
    s->txn_failed = false;
    pgw_command_complete(&s->wb, "ROLLBACK");
    return 0;
}


static bool empty_statement_error(const TarnError *e)
{
    return !strcmp(e->message, "cannot prepare an empty statement");
}

/* ---- simple query ------------------------------------------------------------------------------- */

static int utf8_chars(const char *s, size_t n)
{
    int c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    return c;
}

/* One statement of a Query message; 1 = ran, 0 = empty, -1 = error sent. */
static int simple_one(Session *s, const char *text, int char_offset)
{
    err_clear(&s->err);
    int rc = 0;
    if (s->txn_failed) {
        if (is_txn_end(text)) {
            if (!(rc = end_failed_block(s, text)))
                return 1;
        } else {
            rc = aborted_error(s);
        }
        send_error(s, &s->err);
        return -1;
    }
    if (sqlcur_is_stmt(text)) {
        if (!run_cursor_stmt(s, text, true))
            return 1;
        if (s->err.position > 0)
            s->err.position += char_offset;
        send_error(s, &s->err);
        after_error(s);
        return -1;
    }
    if (roles_is_ddl(text)) {
        if (!run_role(s, text))
            return 1;
        if (s->err.position > 0)
            s->err.position += char_offset;
        send_error(s, &s->err);
        after_error(s);
        return -1;
    }
    tarn_stmt *st = NULL;
    rc = sql_simple_prepare(s->db, text, &st, &s->err); /* tarn_prepare, through the plan cache */
    if (rc && empty_statement_error(&s->err))
        return 0;
    if (!rc && tarn_stmt_nparams(st) > 0)
        rc = err_set_state(&s->err, TARN_ERR_INVALID, "42P02", "there is no parameter $1");
    if (!rc) {
        PStmt ps = {.name = (char *)"", .st = st};
        Portal p = {.name = (char *)"", .ps = &ps};
        rc = portal_run(s, &p, 0, true);
        portal_release(&p);
        if (rc)
            sql_stmt_map_error(st, &s->err);
    }
    tarn_stmt_free(st);
    if (rc) {
        if (s->err.position > 0)
            s->err.position += char_offset;
        send_error(s, &s->err);
        after_error(s);
        return -1;
    }
    return 1;
}

/* simple_one on sql[loc, loc + len). */
static int simple_piece(Session *s, const char *sql, size_t loc, size_t len)
{
    char *text = tarn_strndup(sql + loc, len);
    if (!text) {
        ERR_NOMEM(&s->err, len);
        send_error(s, &s->err);
        return -1;
    }
    int r = simple_one(s, text, utf8_chars(sql, loc));
    tarn_free(text);
    return r;
}

static void simple_query(Session *s, const char *sql)
{
    drop_portal(s, "");
    drop_stmt(s, "");
    size_t one;
    if (sql_simple_single_cached(s->db, sql, &one)) { /* one statement of a shape that parsed before */
        if (!simple_piece(s, sql, 0, one))
            pgw_simple(&s->wb, 'I');
        if (!s->db->in_txn)
            drop_txn_portals(s, true);
        ready(s);
        return;
    }
    /* The whole message is parsed first, as PostgreSQL does: a syntax error
     * anywhere runs nothing.  (The scanner split would also drop statements
     * without a keyword, such as "selec 1", silently.) */
    PgQuerySplitResult sp = pg_query_split_with_parser(sql);
    int ran = 0, r = 0;
    if (sp.error) {
        r = simple_one(s, sql, 0); /* fails with the same parser error and position */
        ran += r != 0;
    } else {
        size_t total = strlen(sql);
        for (int i = 0; i < sp.n_stmts && !s->dead; i++) {
            int l = sp.stmts[i]->stmt_location, n = sp.stmts[i]->stmt_len;
            if (l < 0 || (size_t)l > total)
                continue;
            size_t loc = (size_t)l, len = n <= 0 || (size_t)l + (size_t)n > total ? total - loc : (size_t)n;
            r = simple_piece(s, sql, loc, len);
            if (!s->db->in_txn) /* the block ended: its cursors go */
                drop_txn_portals(s, true);
            ran += r != 0;
            if (r < 0)
                break;
        }
    }
    pg_query_free_split_result(sp);
    if (!ran)
        pgw_simple(&s->wb, 'I');
    ready(s);
}

/* ---- extended query ----------------------------------------------------------------------------- */

static int ext_parse(Session *s, const PgMsg *m)
{
    PgParse pp;
    if (pgp_parse_parse(m, &pp, &s->err))
        return -1;
    if (s->txn_failed && !is_txn_end(pp.query))
        return aborted_error(s), -1;
    if (pp.name[0] && find_stmt(s, pp.name))
        return err_set_state(&s->err, TARN_ERR_INVALID, "42P05", "prepared statement \"%s\" already exists", pp.name), -1;
    if (!pp.name[0])
        drop_stmt(s, "");
    bool is_cursor = sqlcur_is_stmt(pp.query);
    if (is_cursor) { /* syntax errors at Parse, as PostgreSQL */
        SqlCurStmt cs;
        if (sqlcur_parse(pp.query, &cs, &s->err))
            return -1;
        sqlcur_free(&cs);
    }
    if (is_cursor || roles_is_ddl(pp.query)) {
        PStmt *ps = tarn_calloc(1, sizeof *ps);
        char **text = ps ? is_cursor ? &ps->cursor_sql : &ps->role_sql : NULL;
        if (!ps || !(ps->name = tarn_strdup(pp.name)) || !(*text = tarn_strdup(pp.query))) {
            if (ps)
                tarn_free(ps->name);
            tarn_free(ps);
            return ERR_NOMEM(&s->err, strlen(pp.query)), -1;
        }
        ps->next = s->stmts;
        s->stmts = ps;
        pgw_simple(&s->wb, '1');
        return 0;
    }
    uint32_t *oids = NULL;
    if (pp.n_types) {
        oids = tarn_malloc(pp.n_types * sizeof *oids);
        if (!oids)
            return ERR_NOMEM(&s->err, pp.n_types), -1;
        for (uint32_t i = 0; i < pp.n_types; i++)
            oids[i] = pgp_oid_at(pp.types, i);
    }
    tarn_stmt *st = NULL;
    int rc = tarn_prepare(s->db, pp.query, (int)pp.n_types, oids, &st, &s->err);
    tarn_free(oids);
    if (rc && !empty_statement_error(&s->err))
        return -1;
    PStmt *ps = tarn_calloc(1, sizeof *ps);
    char *name = tarn_strdup(pp.name);
    if (!ps || !name) {
        tarn_free(ps);
        tarn_free(name);
        tarn_stmt_free(st);
        return ERR_NOMEM(&s->err, sizeof *ps), -1;
    }
    ps->name = name;
    ps->st = rc ? NULL : st;
    ps->next = s->stmts;
    s->stmts = ps;
    err_clear(&s->err);
    pgw_simple(&s->wb, '1');
    return 0;
}

static int ext_bind(Session *s, const PgMsg *m)
{
    PgBind b;
    if (pgp_parse_bind(m, &b, &s->err))
        return -1;
    PStmt *ps = need_stmt(s, b.stmt);
    if (!ps)
        return -1;
    int need = ps->st ? tarn_stmt_nparams(ps->st) : 0;
    if ((int)b.n_params != need)
        return err_set_state(&s->err, TARN_ERR_CORRUPT, "08P01",
                             "bind message supplies %u parameters, but prepared statement \"%s\" requires %d", b.n_params,
                             b.stmt, need), -1;
    if (b.portal[0] && find_portal(s, b.portal))
        return err_set_state(&s->err, TARN_ERR_INVALID, "42P03", "portal \"%s\" already exists", b.portal), -1;
    if (!b.portal[0])
        drop_portal(s, "");
    Portal *p = tarn_calloc(1, sizeof *p);
    if (!p || !(p->name = tarn_strdup(b.portal))) {
        tarn_free(p);
        return ERR_NOMEM(&s->err, sizeof *p), -1;
    }
    p->ps = ps;
    int rc = 0;
    if (need) {
        p->values = tarn_calloc((size_t)need, sizeof *p->values);
        if (!p->values)
            rc = ERR_NOMEM(&s->err, need);
        p->n_values = need;
    }
    PgParamIter it = {b.params, b.params_len};
    for (int i = 0; !rc && i < need; i++) {
        const uint8_t *v;
        int32_t len;
        if (pgp_param_next(&it, &v, &len)) { /* pgp_parse_bind walked them already */
            rc = err_set_state(&s->err, TARN_ERR_CORRUPT, "08P01", "invalid Bind message format");
            break;
        }
        if (len < 0)
            continue;
        if (pgp_format_at(b.formats, b.n_formats, (uint32_t)i) == 1) {
            rc = pgt_binary_to_text(tarn_stmt_param_oid(ps->st, i), v, (uint32_t)len, i + 1, &s->tmp, &s->err);
            if (!rc && !(p->values[i] = tarn_strndup((const char *)s->tmp.data, s->tmp.len)))
                rc = ERR_NOMEM(&s->err, s->tmp.len);
        } else {
            if (memchr(v, 0, (size_t)len))
                rc = err_set_state(&s->err, TARN_ERR_TYPE, "22021", "invalid byte sequence for encoding \"UTF8\": 0x00");
            else if (!(p->values[i] = tarn_strndup((const char *)v, (size_t)len)))
                rc = ERR_NOMEM(&s->err, len);
        }
    }
    if (!rc && b.n_rformats) {
        p->rfmt = tarn_malloc(b.n_rformats * sizeof *p->rfmt);
        if (!p->rfmt)
            rc = ERR_NOMEM(&s->err, b.n_rformats);
        for (uint32_t i = 0; !rc && i < b.n_rformats; i++)
            p->rfmt[i] = (int16_t)pgp_format_at(b.rformats, b.n_rformats, i);
        p->n_rfmt = (int)b.n_rformats;
    }
    if (!rc && ps->st)
        rc = check_formats(s, p, tarn_stmt_ncols(ps->st), stmt_oid_at, ps->st);
    if (rc) {
        portal_free(p);
        return -1;
    }
    p->next = s->portals;
    s->portals = p;
    pgw_simple(&s->wb, '2');
    return 0;
}

/* Describe of a FETCH: the cursor's RowDescription (true) if it exists
 * and returns rows; else nothing is sent (NoData is the caller's). */
static bool describe_fetch(Session *s, const char *sql)
{
    SqlCurStmt cs;
    TarnError e;
    err_clear(&e);
    if (sqlcur_parse(sql, &cs, &e))
        return false;
    Portal *p = cs.kind == SQLCUR_FETCH && !cs.is_move ? find_portal(s, cs.name) : NULL;
    sqlcur_free(&cs);
    if (!p || !p->declared || !p->ps->st || tarn_stmt_ncols(p->ps->st) == 0)
        return false;
    send_rowdesc(s, p->ps->st, NULL, p);
    return true;
}

static int ext_describe(Session *s, const PgMsg *m)
{
    PgTarget t;
    if (pgp_parse_target(m, &t, &s->err))
        return -1;
    if (t.kind == 'S') {
        PStmt *ps = need_stmt(s, t.name);
        if (!ps)
            return -1;
        int n = ps->st ? tarn_stmt_nparams(ps->st) : 0;
        pgw_begin(&s->wb, 't');
        pgw_i16(&s->wb, (int16_t)n);
        for (int i = 0; i < n; i++)
            pgw_i32(&s->wb, (int32_t)tarn_stmt_param_oid(ps->st, i));
        pgw_end(&s->wb);
        if (ps->st && tarn_stmt_ncols(ps->st) > 0)
            send_rowdesc(s, ps->st, NULL, NULL);
        else if (!ps->cursor_sql || !describe_fetch(s, ps->cursor_sql))
            pgw_simple(&s->wb, 'n');
        return 0;
    }
    Portal *p = need_portal(s, t.name);
    if (!p)
        return -1;
    if (p->ps->cursor_sql && describe_fetch(s, p->ps->cursor_sql))
        return 0;
    if (p->ps->st && tarn_stmt_ncols(p->ps->st) > 0)
        send_rowdesc(s, p->ps->st, NULL, p);
    else
        pgw_simple(&s->wb, 'n');
    return 0;
}

static int ext_execute(Session *s, const PgMsg *m)
{
    PgExecute e;
    if (pgp_parse_execute(m, &e, &s->err))
        return -1;
    Portal *p = need_portal(s, e.portal);
    if (!p)
        return -1;
    const char *sql = p->ps->st ? p->ps->st->sql : "";
    if (s->txn_failed) {
        if (!is_txn_end(sql))
            return aborted_error(s), -1;
        if (end_failed_block(s, sql))
            return -1;
        p->done = true;
        return 0;
    }
    int rc = portal_run(s, p, e.max_rows, false) ? -1 : 0;
    if (!s->db->in_txn)
        drop_txn_portals(s, true);
    return rc;
}

static int ext_close(Session *s, const PgMsg *m)
{
    PgTarget t;
    if (pgp_parse_target(m, &t, &s->err))
        return -1;
    if (t.kind == 'S')
        drop_stmt(s, t.name);
    else
        drop_portal(s, t.name);
    pgw_simple(&s->wb, '3');
    return 0;
}

/* ---- startup ------------------------------------------------------------------------------------ */

static bool encoding_ok(const char *v, const char **canon)
{
    if (!strcasecmp(v, "UTF8") || !strcasecmp(v, "UTF-8") || !strcasecmp(v, "unicode")) {
        *canon = "UTF8";
        return true;
    }
    if (!strcasecmp(v, "SQL_ASCII")) {
        *canon = "SQL_ASCII";
        return true;
    }
    return false;
}

/* "-c name=value --name=value ..." of the options parameter (backslash
 * escapes a blank). */
static int apply_options(Session *s, const char *opts)
{
    const char *p = opts;
    bool want_value = false;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        char tok[512];
        size_t n = 0;
        while (*p && *p != ' ' && *p != '\t') {
            if (*p == '\\' && p[1])
                p++;
            if (n + 1 < sizeof tok)
                tok[n++] = *p;
            p++;
        }
        tok[n] = 0;
        const char *kv = NULL;
        if (want_value) {
            kv = tok;
            want_value = false;
        } else if (!strcmp(tok, "-c")) {
            want_value = true;
            continue;
        } else if (!strncmp(tok, "-c", 2)) {
            kv = tok + 2;
        } else if (!strncmp(tok, "--", 2)) {
            kv = tok + 2;
        } else {
            err_set_state(&s->err, TARN_ERR_INVALID, "42704", "invalid command-line argument for server process: %s", tok);
            err_hint(&s->err, "Try \"%s --help\" for more information.", "tarn serve");
            return -1;
        }
        char name[128];
        const char *eq = strchr(kv, '=');
        if (!eq) {
            err_set_state(&s->err, TARN_ERR_INVALID, "42601", "-c %s requires a value", kv);
            return -1;
        }
        snprintf(name, sizeof name, "%.*s", (int)(eq - kv), kv);
        for (char *q = name; *q; q++)
            if (*q == '-')
                *q = '_';
        if (apply_setting(s, name, eq + 1))
            return -1;
    }
    return 0;
}

/* Reads the client's next SASL message ('p') within the startup deadline. */
static int read_sasl(Session *s, int64_t deadline, PgMsg *m)
{
    int64_t left = deadline - server_now_ms();
    int r = left > 0 ? read_msg(s, false, left, m) : -2;
    if (r == 0 || r == -2) {
        server_log(s->pid, "authentication of user \"%s\" abandoned by %s", s->user, s->peer);
        s->dead = true;
        return -1;
    }
    if (r < 0) {
        log_sample(s, "invalid authentication message");
        fatal_err(s, &s->err);
        return -1;
    }
    if (m->type != 'p') {
        fatal(s, "08P01", "expected SASL response, got message type %d", (unsigned char)m->type);
        return -1;
    }
    return 0;
}

static void auth_failed(Session *s, const char *why)
{
    server_log(s->pid, "password authentication failed for user \"%s\" from %s: %s", s->user, s->peer, why);
    char msg[160];
    snprintf(msg, sizeof msg, "password authentication failed for user \"%s\"", s->user);
    pgw_error_msg(&s->wb, "FATAL", "28P01", msg);
    flush_out(s);
    s->dead = true;
}

/* SCRAM-SHA-256 (RFC 5802/7677) against the lake's role store.  An unknown
 * role, one without a password or without LOGIN goes through a mock
 * exchange and fails the same way, as in PostgreSQL. */
static int authenticate_scram(Session *s, int64_t deadline)
{
    RoleInfo ri;
    if (roles_lookup(s->srv->cfg->lake_dir, s->user, &ri, &s->err)) {
        fatal_err(s, &s->err);
        return -1;
    }
    ScramVerifier v;
    const char *why = NULL;
    if (!ri.found)
        why = "role does not exist";
    else if (!ri.verifier[0])
        why = "role has no password";
    else if (!scram_parse_verifier(ri.verifier, &v))
        why = "role's password is not a SCRAM-SHA-256 verifier";
    ScramState *st = tarn_calloc(1, sizeof *st);
    if (!st) {
        fatal(s, "53200", "out of memory");
        return -1;
    }
    scram_begin(st, why ? NULL : &v, s->user);
    /* AuthenticationSASL: the list ends with an empty name; over TLS the
     * channel-binding variant comes first, as in PostgreSQL */
    const TlsServer *tls = s->srv->tls;
    bool plus = s->io.ssl && tls && tls->cb_len;
    static const char mech[] = "SCRAM-SHA-256\0", mech_plus[] = "SCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0";
    if (plus)
        pgw_auth(&s->wb, 10, mech_plus, sizeof mech_plus);
    else
        pgw_auth(&s->wb, 10, mech, sizeof mech);
    int rc = -1;
    PgMsg m;
    char out[512];
    if (read_sasl(s, deadline, &m))
        goto done;
    PgCur c = pgp_cur(&m);
    const char *name = pgp_get_str(&c);
    int32_t len = pgp_get_i32(&c);
    const uint8_t *data = len >= 0 ? pgp_get_bytes(&c, (uint32_t)len) : NULL;
    if (c.bad || !data || c.left) {
        fatal(s, "08P01", "malformed SASLInitialResponse message");
        goto done;
    }
    bool chose_plus = plus && !strcmp(name, "SCRAM-SHA-256-PLUS");
    if (strcmp(name, "SCRAM-SHA-256") && !chose_plus) {
        fatal(s, "08P01", "client selected an invalid SASL authentication mechanism");
        goto done;
    }
    if (plus)
        scram_channel_binding(st, true, chose_plus, tls->cb_hash, tls->cb_len);
    if (scram_server_first(st, (const char *)data, (size_t)len, out, sizeof out, &s->err)) {
        fatal_err(s, &s->err);
        goto done;
    }
    pgw_auth(&s->wb, 11, out, strlen(out));
    if (read_sasl(s, deadline, &m))
        goto done;
    int r = scram_server_final(st, (const char *)m.body, m.len, out, sizeof out, &s->err);
    if (r < 0) {
        fatal_err(s, &s->err);
        goto done;
    }
    if (r > 0 || why) {
        auth_failed(s, why ? why : "wrong password");
        goto done;
    }
    if (!ri.login) {
        fatal(s, "28000", "role \"%s\" is not permitted to log in", s->user);
        goto done;
    }
    pgw_auth(&s->wb, 12, out, strlen(out));
    rc = 0;
done:
    tarn_free(st);
    return rc;
}

static int startup_rest(Session *s, PgStartup *sup, int64_t deadline);

static int startup(Session *s)
{
    const ServerConfig *cfg = s->srv->cfg;
    int64_t deadline = server_now_ms() + cfg->startup_timeout_ms;
    PgMsg m;
    PgStartup su;
    for (int round = 0;; round++) {
        int64_t left = deadline - server_now_ms();
        int r = left > 0 ? read_msg(s, true, left, &m) : -2;
        if (r == -2) {
            server_log(s->pid, "incomplete startup packet from %s (timeout)", s->peer);
            return -1;
        }
        if (r == 0) {
            if (s->rb.len - s->rb.off)
                server_log(s->pid, "incomplete startup packet from %s", s->peer);
            return -1;
        }
        if (r < 0) {
            log_sample(s, "invalid startup packet");
            fatal_err(s, &s->err);
            return -1;
        }
        if (pgp_parse_startup(&m, &su, &s->err)) {
            log_sample(s, "invalid startup packet");
            fatal_err(s, &s->err);
            return -1;
        }
        if (su.code == PGP_CANCEL_REQUEST) {
            server_cancel(s->srv, su.cancel_pid, su.cancel_key);
            return -1;
        }
        if ((su.code == PGP_SSL_REQUEST || su.code == PGP_GSSENC_REQUEST) && s->io.ssl)
            break; /* inside TLS: not a negotiation any more; refused as an unknown protocol version, as PostgreSQL does */
        if (su.code == PGP_SSL_REQUEST || su.code == PGP_GSSENC_REQUEST) {
            if (round >= 2) {
                fatal(s, "08P01", "unsupported frontend protocol: too many encryption requests");
                return -1;
            }
            if (s->rb.len > s->rb.off) {
                fatal(s, "08P01", "received unencrypted data after SSL request");
                return -1;
            }
            if (su.code == PGP_SSL_REQUEST && s->srv->tls) {
                pgw_bytes(&s->wb, "S", 1);
                if (flush_out(s))
                    return -1;
                if (cio_tls_accept(&s->io, s->srv->tls, deadline, &s->err)) {
                    server_log(s->pid, "%s (%s)", s->err.message, s->peer);
                    s->dead = true;
                    return -1;
                }
                continue;
            }
            pgw_bytes(&s->wb, "N", 1);
            continue;
        }
        break;
    }
    /* the parameters point into the read buffer, which authentication
     * reuses: keep the packet */
    uint8_t *pkt = tarn_malloc(m.len ? m.len : 1);
    if (!pkt) {
        fatal(s, "53200", "out of memory");
        return -1;
    }
    memcpy(pkt, m.body, m.len);
    PgMsg copy = {0, pkt, m.len};
    pgp_parse_startup(&copy, &su, &s->err); /* parsed once already: cannot fail */
    int rc = startup_rest(s, &su, deadline);
    tarn_free(pkt);
    return rc;
}

/* Startup after the packet: version, user, authentication, settings. */
static int startup_rest(Session *s, PgStartup *sup, int64_t deadline)
{
    const ServerConfig *cfg = s->srv->cfg;
    PgStartup su = *sup;
    if (su.code >> 16 != 3) {
        fatal(s, "0A000", "unsupported frontend protocol %u.%u: server supports 3.0 to 3.0", su.code >> 16,
              su.code & 0xFFFF);
        return -1;
    }
    /* Unknown protocol options (_pq_.*) and a newer minor version:
     * NegotiateProtocolVersion, as PostgreSQL 15 does. */
    uint32_t n_pq = 0;
    for (uint32_t i = 0; i < su.n_params; i++)
        n_pq += !strncmp(su.names[i], "_pq_.", 5);
    if ((su.code & 0xFFFF) > 0 || n_pq) {
        pgw_begin(&s->wb, 'v');
        pgw_i32(&s->wb, (int32_t)PGP_PROTOCOL_3_0);
        pgw_i32(&s->wb, (int32_t)n_pq);
        for (uint32_t i = 0; i < su.n_params; i++)
            if (!strncmp(su.names[i], "_pq_.", 5))
                pgw_str(&s->wb, su.names[i]);
        pgw_end(&s->wb);
    }
    const char *user = pgp_startup_param(&su, "user");
    if (!user || !*user) {
        fatal(s, "28000", "no PostgreSQL user name specified in startup packet");
        return -1;
    }
    const char *database = pgp_startup_param(&su, "database");
    if (!database || !*database)
        database = user;
    snprintf(s->user, sizeof s->user, "%s", user);
    snprintf(s->database, sizeof s->database, "%s", database);
    const char *repl = pgp_startup_param(&su, "replication");
    if (repl && strcasecmp(repl, "false") && strcasecmp(repl, "off") && strcmp(repl, "0")) {
        fatal(s, "0A000", "replication connections are not supported by tarn");
        return -1;
    }
    int method = s->loopback ? cfg->auth_loopback : cfg->auth_remote;
    if (method == SERVER_AUTH_REJECT || (cfg->ssl_required && !s->io.ssl)) {
        fatal(s, "28000", "no pg_hba.conf entry for host \"%.*s\", user \"%s\", database \"%s\", %s",
              (int)strcspn(s->peer, "("), s->peer, s->user, s->database, s->io.ssl ? "SSL encryption" : "no encryption");
        return -1;
    }
    if (method == SERVER_AUTH_SCRAM && authenticate_scram(s, deadline))
        return -1;
    const char *enc_canon = "UTF8";
    const char *enc = pgp_startup_param(&su, "client_encoding");
    if (enc && strcasecmp(enc, "auto") && !encoding_ok(enc, &enc_canon)) {
        fatal(s, "22023", "invalid value for parameter \"client_encoding\": \"%s\"", enc);
        return -1;
    }
    tarn_db *db = NULL;
    if (tarn_open(cfg->lake_dir, &db, &s->err)) {
        fatal_err(s, &s->err);
        return -1;
    }
    pthread_mutex_lock(&s->mu);
    s->db = db;
    pthread_mutex_unlock(&s->mu);
    /* current_user / current_database() and the catalog emulation (sql/syscat/) */
    tarn_set_session_identity(db, s->user, s->database);
    if (apply_setting(s, "client_encoding", enc_canon)) {
        fatal_err(s, &s->err);
        return -1;
    }
    for (uint32_t i = 0; i < su.n_params; i++) {
        const char *n = su.names[i];
        if (!strcmp(n, "user") || !strcmp(n, "database") || !strcmp(n, "replication") || !strcmp(n, "options") ||
            !strcmp(n, "client_encoding") || !strncmp(n, "_pq_.", 5))
            continue;
        if (apply_setting(s, n, su.values[i])) {
            fatal_err(s, &s->err);
            return -1;
        }
    }
    const char *opts = pgp_startup_param(&su, "options");
    if (opts && apply_options(s, opts)) {
        fatal_err(s, &s->err);
        return -1;
    }
    if (cfg->log_connections) {
        const char *app = other_setting(s->db, "application_name");
        char tls[160] = "";
        if (s->io.ssl) {
            tls[0] = ' ';
            cio_describe(&s->io, tls + 1, sizeof tls - 1);
        }
        server_log(s->pid, "connection authorized: host=%s user=%s database=%s application_name=%s%s", s->peer,
                   s->user, s->database, app ? app : "", tls);
    }
    pgw_auth(&s->wb, 0, NULL, 0);
    static const char *const fixed[][2] = {
        {"server_version", SERVER_VERSION}, {"server_encoding", "UTF8"}, {"integer_datetimes", "on"},
        {"is_superuser", "on"}, {"default_transaction_read_only", "off"}, {"in_hot_standby", "off"},
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        pgw_param_status(&s->wb, fixed[i][0], fixed[i][1]);
    pgw_param_status(&s->wb, "session_authorization", s->user);
    report_changes(s);
    pgw_backend_key(&s->wb, s->pid, s->key);
    ready(s);
    return 0;
}

/* ---- the loop ----------------------------------------------------------------------------------- */

static void serve(Session *s)
{
    while (!s->dead) {
        PgMsg m;
        bool in_txn;
        int64_t idle = idle_timeout(s, &in_txn);
        int r = read_msg(s, false, idle, &m);
        if (r == 0)
            return;
        if (r == -2) {
            if (in_txn)
                fatal(s, "25P03", "terminating connection due to idle-in-transaction timeout");
            else
                fatal(s, "57P05", "terminating connection due to idle-session timeout");
            return;
        }
        s->at_ready = false;
        if (r < 0) {
            log_sample(s, "protocol violation");
            fatal_err(s, &s->err);
            return;
        }
        if (s->skip_till_sync && m.type != 'S' && m.type != 'X')
            continue;
        err_clear(&s->err);
        int rc = 0;
        switch (m.type) {
        case 'Q': {
            const char *sql;
            if (pgp_parse_query(&m, &sql, &s->err)) {
                send_error(s, &s->err);
                ready(s);
                break;
            }
            simple_query(s, sql);
            break;
        }
        case 'P': rc = ext_parse(s, &m); break;
        case 'B': rc = ext_bind(s, &m); break;
        case 'D': rc = ext_describe(s, &m); break;
        case 'E': rc = ext_execute(s, &m); break;
        case 'C': rc = ext_close(s, &m); break;
        case 'H': flush_out(s); break;
        case 'S':
            s->skip_till_sync = false;
            if (!s->db->in_txn)
                drop_txn_portals(s, false); /* WITH HOLD cursors stay */
            ready(s);
            break;
        case 'X':
            return;
        case 'd': case 'c': case 'f': /* COPY messages outside COPY: ignored, as PostgreSQL does */
            break;
        case 'F':
            rc = err_set_state(&s->err, TARN_ERR_UNSUPPORTED, "0A000", "fast-path function calls are not supported by tarn");
            break;
        default:
            snprintf(s->err.message, sizeof s->err.message, "invalid frontend message type %d", (unsigned char)m.type);
            log_sample(s, "protocol violation");
            fatal(s, "08P01", "invalid frontend message type %d", (unsigned char)m.type);
            return;
        }
        if (rc) {
            if (s->err.kind == TARN_ERR_CORRUPT && !strcmp(s->err.sqlstate, "08P01"))
                server_log(s->pid, "malformed '%c' message from %s: %s", m.type, s->peer, s->err.message);
            send_error(s, &s->err);
            if (s->db)
                after_error(s);
            s->skip_till_sync = true;
        }
        if (s->wb.len >= FLUSH_AT)
            flush_out(s);
    }
}

void session_main(Session *s)
{
    pgp_rbuf_init(&s->rb);
    pgw_init(&s->wb);
    buf_init(&s->tmp);
    s->io.fd = s->fd;
    int64_t t0 = server_now_ms();
    if (startup(s) == 0) {
        serve(s);
        if (s->srv->cfg->log_connections)
            server_log(s->pid, "disconnection: session time %.3f s user=%s database=%s host=%s",
                       (double)(server_now_ms() - t0) / 1000.0, s->user, s->database, s->peer);
    }
    if (!s->dead)
        flush_out(s);
    drop_all_portals(s);
    while (s->stmts)
        drop_stmt(s, s->stmts->name);
    pthread_mutex_lock(&s->mu);
    tarn_db *db = s->db;
    s->db = NULL;
    pthread_mutex_unlock(&s->mu);
    if (db)
        tarn_close(db);
    cio_close(&s->io);
    buf_free(&s->tmp);
    pgp_rbuf_free(&s->rb);
    pgw_free(&s->wb);
}
