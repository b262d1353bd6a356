/*
 * pgproto.h - PostgreSQL frontend/backend protocol 3.0: message framing and
 * parsing (bytes from a client -> typed messages) and building backend
 * messages into a write buffer.  Pure: no sockets, no threads, no SQL, so
 * it can be fuzzed (tests/fuzz/fuzz_pgproto.c) and unit-tested alone.
 *
 * Reading: bytes received are appended to a PgReadBuf; pgp_next() cuts the
 * next complete message out of it (startup-phase messages have no type
 * byte).  Every length is checked against the bytes present and against
 * the caller's limit before anything is allocated, so a client claiming a
 * 1 GB message costs nothing.  The typed parsers (pgp_parse_*) check every
 * field against the message body and return views into it: valid until
 * the next pgp_next / pgp_rbuf_consume call.
 *
 * Writing: pgw_begin / pgw_int* / pgw_str / pgw_end frame one message;
 * helpers build the common ones.  An allocation failure sets w->oom (later
 * appends do nothing) so callers check once per message or per flush.
 */
#ifndef TARN_SERVER_PGPROTO_H
#define TARN_SERVER_PGPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define PGP_PROTOCOL_3_0 196608u       /* 3 << 16 */
#define PGP_CANCEL_REQUEST 80877102u
#define PGP_SSL_REQUEST 80877103u
#define PGP_GSSENC_REQUEST 80877104u

#define PGP_STARTUP_MAX 10000u         /* PostgreSQL's MAX_STARTUP_PACKET_LENGTH */
#define PGP_MAX_PARAMS 65535u
#define PGP_MAX_STARTUP_PARAMS 64u

/* ---- reading ----------------------------------------------------------- */

typedef struct PgReadBuf {
    uint8_t *data;              /* owned */
    size_t len, cap;            /* bytes held / allocated */
    size_t off;                 /* start of the unconsumed bytes */
} PgReadBuf;

void pgp_rbuf_init(PgReadBuf *b);
void pgp_rbuf_free(PgReadBuf *b);
/* Room for at least `want` more bytes at data + len (compacts first);
 * returns that pointer or NULL on out of memory. */
uint8_t *pgp_rbuf_space(PgReadBuf *b, size_t want, size_t *room_out);
/* Appends bytes (used by the fuzz target and tests). */
int pgp_rbuf_append(PgReadBuf *b, const void *p, size_t n);

typedef struct PgMsg {
    char type;                  /* 'Q', 'P', ...; 0 for a startup-phase packet */
    const uint8_t *body;        /* after the length word; borrowed */
    uint32_t len;               /* body bytes */
} PgMsg;

/* The next complete message: returns 1 and fills *out (the bytes are
 * consumed; *out stays valid until the next call), 0 when more bytes are
 * needed, or -1 with err (08P01) on a bad length: below 4, or above
 * max_len (startup packets: PGP_STARTUP_MAX). */
int pgp_next(PgReadBuf *b, bool startup, uint32_t max_len, PgMsg *out, TarnError *err);

/* A cursor over a message body. */
typedef struct PgCur {
    const uint8_t *p;
    uint32_t left;
    bool bad;                   /* a read ran past the end */
} PgCur;

static inline PgCur pgp_cur(const PgMsg *m) { PgCur c = {m->body, m->len, false}; return c; }
uint8_t pgp_get_u8(PgCur *c);
int16_t pgp_get_i16(PgCur *c);
int32_t pgp_get_i32(PgCur *c);
/* A NUL-terminated string (borrowed); NULL (and bad) when there is no NUL. */
const char *pgp_get_str(PgCur *c);
/* n raw bytes (borrowed). */
const uint8_t *pgp_get_bytes(PgCur *c, uint32_t n);

typedef struct PgStartup {
    uint32_t code;              /* protocol version or a request code */
    /* StartupMessage: name/value pairs (borrowed) */
    uint32_t n_params;
    const char *names[PGP_MAX_STARTUP_PARAMS];
    const char *values[PGP_MAX_STARTUP_PARAMS];
    /* CancelRequest */
    int32_t cancel_pid, cancel_key;
} PgStartup;

/* A startup-phase packet.  08P01 "invalid startup packet layout" and
 * friends on malformed input; the protocol version is not judged here. */
int pgp_parse_startup(const PgMsg *m, PgStartup *out, TarnError *err);
/* The value of a startup parameter, or NULL. */
const char *pgp_startup_param(const PgStartup *s, const char *name);

typedef struct PgParse {
    const char *name, *query;
    uint32_t n_types;
    const uint8_t *types;       /* n_types big-endian OIDs; read with pgp_oid_at */
} PgParse;
uint32_t pgp_oid_at(const uint8_t *p, uint32_t i);

typedef struct PgBind {
    const char *portal, *stmt;
    uint32_t n_formats;         /* parameter format codes (0, 1 or n_params) */
    const uint8_t *formats;     /* big-endian int16s */
    uint32_t n_params;
    const uint8_t *params;      /* the raw parameter area (length-prefixed values) */
    uint32_t params_len;
    uint32_t n_rformats;        /* result format codes */
    const uint8_t *rformats;
} PgBind;
/* Format code i (0-based) of a format-code array with n entries, expanded
 * the protocol's way (0 entries: text; 1: all alike). */
int pgp_format_at(const uint8_t *codes, uint32_t n, uint32_t i);
/* Iterates over Bind's parameter values: value i as (ptr, len); len -1 is
 * NULL.  Returns -1 when the value runs past the area. */
typedef struct PgParamIter {
    const uint8_t *p;
    uint32_t left;
} PgParamIter;
int pgp_param_next(PgParamIter *it, const uint8_t **val_out, int32_t *len_out);

typedef struct PgTarget {
    char kind;                  /* 'S' statement / 'P' portal */
    const char *name;
} PgTarget;

typedef struct PgExecute {
    const char *portal;
    int32_t max_rows;           /* 0 = all */
} PgExecute;

int pgp_parse_query(const PgMsg *m, const char **sql_out, TarnError *err);
int pgp_parse_parse(const PgMsg *m, PgParse *out, TarnError *err);
/* Also walks the parameter values, so later iteration cannot fail. */
int pgp_parse_bind(const PgMsg *m, PgBind *out, TarnError *err);
int pgp_parse_target(const PgMsg *m, PgTarget *out, TarnError *err); /* Describe, Close */
int pgp_parse_execute(const PgMsg *m, PgExecute *out, TarnError *err);
/* 'p' in answer to SCRAM / password: the raw body. */

/* ---- writing ----------------------------------------------------------- */

typedef struct PgWriteBuf {
    uint8_t *data;              /* owned */
    size_t len, cap;
    size_t msg_start;           /* of the message being built */
    bool oom;
} PgWriteBuf;

void pgw_init(PgWriteBuf *w);
void pgw_free(PgWriteBuf *w);
void pgw_begin(PgWriteBuf *w, char type);
void pgw_u8(PgWriteBuf *w, uint8_t v);
void pgw_i16(PgWriteBuf *w, int16_t v);
void pgw_i32(PgWriteBuf *w, int32_t v);
void pgw_i64(PgWriteBuf *w, int64_t v);
void pgw_bytes(PgWriteBuf *w, const void *p, size_t n);
void pgw_str(PgWriteBuf *w, const char *s); /* with its NUL */
/* Patches the length of the message begun last. */
void pgw_end(PgWriteBuf *w);
/* Drops the message begun last (used when building it failed midway). */
void pgw_cancel(PgWriteBuf *w);

/* Whole messages. */
void pgw_auth(PgWriteBuf *w, int32_t code, const void *data, size_t n); /* 'R' */
void pgw_param_status(PgWriteBuf *w, const char *name, const char *value);
void pgw_backend_key(PgWriteBuf *w, int32_t pid, int32_t key);
void pgw_ready(PgWriteBuf *w, char status);
void pgw_simple(PgWriteBuf *w, char type); /* empty body: '1','2','3','n','I','s','c' */
void pgw_command_complete(PgWriteBuf *w, const char *tag);
/* ErrorResponse ('E') or NoticeResponse ('N') from an error object;
 * severity "ERROR", "FATAL", "WARNING", "NOTICE".  An empty SQLSTATE is
 * taken from the kind. */
void pgw_error(PgWriteBuf *w, char type, const char *severity, const TarnError *err);
/* Short form: severity, SQLSTATE, message. */
void pgw_error_msg(PgWriteBuf *w, const char *severity, const char *sqlstate, const char *msg);

#endif
