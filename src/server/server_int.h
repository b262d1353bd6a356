/*
 * server_int.h - shared inside src/server/: the server (listener, session
 * registry, watchdog: server.c) and one session (protocol loop: session.c).
 *
 * Locking: Server.mu guards the session list and counts; Session.mu guards
 * the fields another thread touches (db pointer for cancel, the running
 * cursor, the statement deadline, the cancel reason).  Lock order:
 * Server.mu, then Session.mu.  A session is removed from the list (under
 * Server.mu) before it is freed, so a cancel or the watchdog never sees a
 * dead one.
 */
#ifndef TARN_SERVER_SERVER_INT_H
#define TARN_SERVER_SERVER_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "server/conn_io.h"
#include "server/pgproto.h"
#include "server/server.h"
#include "tarn.h"
#include "util/mem.h"

typedef struct Server Server;
typedef struct Session Session;

enum { CANCEL_NONE = 0, CANCEL_USER = 1, CANCEL_TIMEOUT = 2, CANCEL_CLIENT_GONE = 3 };

/* A prepared statement of the extended protocol ('' = the unnamed one). */
typedef struct PStmt {
    char *name;
    tarn_stmt *st;               /* NULL for an empty query or a role statement */
    char *role_sql;              /* CREATE/ALTER/DROP ROLE (roles.c), else NULL */
    char *cursor_sql;            /* DECLARE / FETCH / MOVE / CLOSE (sqlcursor.h), else NULL */
    struct PStmt *next;
} PStmt;

/* A portal: a statement bound to parameter values and result formats. */
typedef struct Portal {
    char *name;
    PStmt *ps;
    int n_values;
    char **values;               /* text; NULL = SQL NULL */
    int n_rfmt;
    int16_t *rfmt;               /* result format codes as sent */
    tarn_cursor *cur;            /* open once executed; NULL when done */
    uint32_t *oids;              /* result column OIDs (cursor's) */
    struct CopySpec *copy;       /* COPY ... TO STDOUT: the format */
    tarn_stmt *copy_st;          /* ... and its source query */
    bool copy_checked;
    bool done;
    /* a cursor of DECLARE (sqlcursor.h): runs through portal_run too */
    bool declared, hold;         /* DECLARE ... [WITH HOLD] */
    PStmt *own_ps;               /* its statement, freed with the portal */
    const char *fetch_verb;      /* during FETCH / MOVE: "FETCH" or "MOVE" (else NULL) */
    bool quiet;                  /* ... skipping rows: no rows, no tag */
    int64_t pos;                 /* rows delivered so far */
    struct Portal *next;
} Portal;

struct Session {
    Server *srv;
    int fd;
    ConnIO io;                   /* fd, plain or TLS (conn_io.h): the session thread's own */
    int32_t pid, key;
    char peer[80];
    bool loopback;
    /* guarded by mu */
    pthread_mutex_t mu;
    tarn_db *db;
    tarn_cursor *cur;            /* the cursor being fetched right now */
    bool running;
    int64_t deadline_ms;         /* statement_timeout deadline (0 = none) */
    int cancel_reason;
    /* the session thread's own */
    PgReadBuf rb;
    PgWriteBuf wb;
    TarnError err;
    bool dead;                   /* the connection broke: stop */
    bool skip_till_sync;         /* extended-protocol error recovery */
    bool txn_failed;             /* an error inside BEGIN: 'E' */
    bool at_ready;               /* ReadyForQuery was the last message sent: idle timeouts apply */
    PStmt *stmts;
    Portal *portals;
    char user[64], database[64];
    char reported[8][128];       /* ParameterStatus values last sent */
    Buf tmp;                     /* scratch for parameter decoding */
    Session *next;               /* Server's list */
};

struct Server {
    const ServerConfig *cfg;
    atomic_int *stop;
    pthread_mutex_t mu;
    pthread_cond_t cv;           /* signalled when a session ends */
    Session *sessions;
    TlsServer *tls;              /* NULL = SSLRequest answered 'N' */
    int n_sessions;
    int32_t next_pid;
};

/* Runs one connection to the end (session.c); the caller frees it after
 * removing it from the list. */
void session_main(Session *s);
/* CancelRequest: cancels the statement of the session (pid, key) if any.
 * Silently ignores unknown pairs, as PostgreSQL does. */
void server_cancel(Server *srv, int32_t pid, int32_t key);
/* Logs a line to stderr with a timestamp and the session's pid (0 = none). */
void server_log(int32_t pid, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int64_t server_now_ms(void);
/* "5s", "250ms", "2min", "1h", "1d", a plain number = milliseconds. */
int server_parse_ms(const char *v, int64_t *out);

#endif
