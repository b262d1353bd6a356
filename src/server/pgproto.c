/*
 * pgproto.c - protocol 3.0 framing, parsing and message building
 * (pgproto.h).  Every read is bounds-checked against the message body.
 */
#include <stdio.h>
#include <string.h>

#include "server/pgproto.h"
#include "util/mem.h"

/* ---- read buffer --------------------------------------------------------------------------- */

void pgp_rbuf_init(PgReadBuf *b) { memset(b, 0, sizeof *b); }

void pgp_rbuf_free(PgReadBuf *b)
{
    tarn_free(b->data);
    memset(b, 0, sizeof *b);
}

uint8_t *pgp_rbuf_space(PgReadBuf *b, size_t want, size_t *room_out)
{
    if (b->off) { /* compact: the consumed prefix is dead */
        memmove(b->data, b->data + b->off, b->len - b->off);
        b->len -= b->off;
        b->off = 0;
    }
    if (b->cap - b->len < want) {
        size_t nc = b->cap ? b->cap : 8192;
        while (nc - b->len < want) {
            if (nc > SIZE_MAX / 2)
                return NULL;
            nc *= 2;
        }
        uint8_t *n = tarn_realloc(b->data, nc);
        if (!n)
            return NULL;
        b->data = n;
        b->cap = nc;
    }
    *room_out = b->cap - b->len;
    return b->data + b->len;
}

int pgp_rbuf_append(PgReadBuf *b, const void *p, size_t n)
{
    size_t room;
    uint8_t *dst = pgp_rbuf_space(b, n, &room);
    if (!dst)
        return -1;
    if (n)
        memcpy(dst, p, n);
    b->len += n;
    return 0;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int pgp_next(PgReadBuf *b, bool startup, uint32_t max_len, PgMsg *out, TarnError *err)
{
    size_t avail = b->len - b->off;
    const uint8_t *p = b->data + b->off;
    size_t hdr = startup ? 4 : 5;
    if (avail < hdr)
        return 0;
    uint32_t len = be32(p + hdr - 4);
    if (startup) {
        if (len < 8 || len > PGP_STARTUP_MAX)
            return err_set_state(err, TARN_ERR_CORRUPT, "08P01", "invalid length of startup packet"), -1;
    } else if (len < 4) {
        return err_set_state(err, TARN_ERR_CORRUPT, "08P01", "invalid message length"), -1;
    } else if (len - 4 > max_len) {
        return err_set_state(err, TARN_ERR_CORRUPT, "08P01", "invalid message length"), -1;
    }
    size_t total = hdr - 4 + (size_t)len;
    if (avail < total)
        return 0;
    out->type = startup ? 0 : (char)p[0];
    out->body = p + hdr;
    out->len = (uint32_t)(total - hdr);
    b->off += total;
    return 1;
}

/* ---- message cursor ------------------------------------------------------------------------- */

uint8_t pgp_get_u8(PgCur *c)
{
    if (c->left < 1) {
        c->bad = true;
        return 0;
    }
    c->left--;
    return *c->p++;
}

int16_t pgp_get_i16(PgCur *c)
{
    if (c->left < 2) {
        c->bad = true;
        c->left = 0;
        return 0;
    }
    int16_t v = (int16_t)((uint16_t)c->p[0] << 8 | c->p[1]);
    c->p += 2;
    c->left -= 2;
    return v;
}

int32_t pgp_get_i32(PgCur *c)
{
    if (c->left < 4) {
        c->bad = true;
        c->left = 0;
        return 0;
    }
    int32_t v = (int32_t)be32(c->p);
    c->p += 4;
    c->left -= 4;
    return v;
}

const char *pgp_get_str(PgCur *c)
{
    const uint8_t *nul = c->left ? memchr(c->p, 0, c->left) : NULL;
    if (!nul) {
        c->bad = true;
        c->left = 0;
        return NULL;
    }
    const char *s = (const char *)c->p;
    uint32_t n = (uint32_t)(nul - c->p) + 1;
    c->p += n;
    c->left -= n;
    return s;
}

const uint8_t *pgp_get_bytes(PgCur *c, uint32_t n)
{
    if (c->left < n) {
        c->bad = true;
        c->left = 0;
        return NULL;
    }
    const uint8_t *r = c->p;
    c->p += n;
    c->left -= n;
    return r;
}

static int malformed(TarnError *err, const char *what)
{
    return err_set_state(err, TARN_ERR_CORRUPT, "08P01", "invalid %s message format", what);
}

/* ---- startup -------------------------------------------------------------------------------- */

int pgp_parse_startup(const PgMsg *m, PgStartup *out, TarnError *err)
{
    memset(out, 0, sizeof *out);
    PgCur c = pgp_cur(m);
    out->code = (uint32_t)pgp_get_i32(&c);
    if (c.bad)
        return err_set_state(err, TARN_ERR_CORRUPT, "08P01", "invalid length of startup packet");
    if (out->code == PGP_CANCEL_REQUEST) {
        out->cancel_pid = pgp_get_i32(&c);
        out->cancel_key = pgp_get_i32(&c);
        if (c.bad)
            return err_set_state(err, TARN_ERR_CORRUPT, "08P01", "invalid length of cancel request packet");
        return 0;
    }
    if (out->code == PGP_SSL_REQUEST || out->code == PGP_GSSENC_REQUEST || out->code >> 16 != 3)
        return 0; /* the caller answers; nothing more to read */
    /* name/value pairs, ended by an empty name */
    for (;;) {
        const char *name = pgp_get_str(&c);
        if (!name)
            return err_set_state(err, TARN_ERR_CORRUPT, "08P01", "invalid startup packet layout: expected terminator as last byte");
        if (!*name)
            break;
        const char *value = pgp_get_str(&c);
        if (!value)
            return err_set_state(err, TARN_ERR_CORRUPT, "08P01", "invalid startup packet layout: expected terminator as last byte");
        if (out->n_params == PGP_MAX_STARTUP_PARAMS)
            return err_set_state(err, TARN_ERR_CORRUPT, "08P01", "too many parameters in startup packet");
        out->names[out->n_params] = name;
        out->values[out->n_params] = value;
        out->n_params++;
    }
    if (c.left)
        return err_set_state(err, TARN_ERR_CORRUPT, "08P01", "invalid startup packet layout: expected terminator as last byte");
    return 0;
}

const char *pgp_startup_param(const PgStartup *s, const char *name)
{
    for (uint32_t i = 0; i < s->n_params; i++)
        if (!strcmp(s->names[i], name))
            return s->values[i];
    return NULL;
}

/* ---- frontend messages ---------------------------------------------------------------------- */

int pgp_parse_query(const PgMsg *m, const char **sql_out, TarnError *err)
{
    PgCur c = pgp_cur(m);
    const char *s = pgp_get_str(&c);
    if (!s || c.left)
        return malformed(err, "Query");
    *sql_out = s;
    return 0;
}

uint32_t pgp_oid_at(const uint8_t *p, uint32_t i) { return be32(p + (size_t)i * 4); }

int pgp_parse_parse(const PgMsg *m, PgParse *out, TarnError *err)
{
    PgCur c = pgp_cur(m);
    out->name = pgp_get_str(&c);
    out->query = pgp_get_str(&c);
    int16_t n = pgp_get_i16(&c);
    if (c.bad || n < 0)
        return malformed(err, "Parse");
    out->n_types = (uint32_t)n;
    out->types = pgp_get_bytes(&c, out->n_types * 4);
    if (c.bad || c.left)
        return malformed(err, "Parse");
    return 0;
}

int pgp_format_at(const uint8_t *codes, uint32_t n, uint32_t i)
{
    if (n == 0)
        return 0;
    const uint8_t *p = codes + 2 * (size_t)(n == 1 ? 0 : i);
    return (int16_t)((uint16_t)p[0] << 8 | p[1]);
}

int pgp_param_next(PgParamIter *it, const uint8_t **val_out, int32_t *len_out)
{
    if (it->left < 4)
        return -1;
    int32_t len = (int32_t)be32(it->p);
    it->p += 4;
    it->left -= 4;
    if (len < -1)
        return -1;
    if (len == -1) {
        *val_out = NULL;
        *len_out = -1;
        return 0;
    }
    if ((uint32_t)len > it->left)
        return -1;
    *val_out = it->p;
    *len_out = len;
    it->p += len;
    it->left -= (uint32_t)len;
    return 0;
}

static bool formats_ok(const uint8_t *codes, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        int f = pgp_format_at(codes, n, i);
        if (f != 0 && f != 1)
            return false;
    }
    return true;
}

int pgp_parse_bind(const PgMsg *m, PgBind *out, TarnError *err)
{
    PgCur c = pgp_cur(m);
    out->portal = pgp_get_str(&c);
    out->stmt = pgp_get_str(&c);
    int16_t nf = pgp_get_i16(&c);
    if (c.bad || nf < 0)
        return malformed(err, "Bind");
    out->n_formats = (uint32_t)nf;
    out->formats = pgp_get_bytes(&c, out->n_formats * 2);
    int16_t np = pgp_get_i16(&c);
    if (c.bad || np < 0)
        return malformed(err, "Bind");
    out->n_params = (uint32_t)np;
    if (out->n_formats > 1 && out->n_formats != out->n_params)
        return err_set_state(err, TARN_ERR_CORRUPT, "08P01", "bind message has %u parameter formats but %u parameters",
                             out->n_formats, out->n_params);
    if (!formats_ok(out->formats, out->n_formats))
        return err_set_state(err, TARN_ERR_CORRUPT, "08P01", "unsupported format code: %d",
                             pgp_format_at(out->formats, out->n_formats, 0));
    /* walk the values to find where they end */
    PgParamIter it = {c.p, c.left};
    for (uint32_t i = 0; i < out->n_params; i++) {
        const uint8_t *v;
        int32_t l;
        if (pgp_param_next(&it, &v, &l))
            return malformed(err, "Bind");
    }
    out->params = c.p;
    out->params_len = c.left - it.left;
    pgp_get_bytes(&c, out->params_len);
    int16_t nr = pgp_get_i16(&c);
    if (c.bad || nr < 0)
        return malformed(err, "Bind");
    out->n_rformats = (uint32_t)nr;
    out->rformats = pgp_get_bytes(&c, out->n_rformats * 2);
    if (c.bad || c.left)
        return malformed(err, "Bind");
    for (uint32_t i = 0; i < out->n_rformats; i++) {
        int f = pgp_format_at(out->rformats, out->n_rformats, i);
        if (f != 0 && f != 1)
            return err_set_state(err, TARN_ERR_CORRUPT, "08P01", "unsupported format code: %d", f);
    }
    return 0;
}

int pgp_parse_target(const PgMsg *m, PgTarget *out, TarnError *err)
{
    PgCur c = pgp_cur(m);
    out->kind = (char)pgp_get_u8(&c);
    out->name = pgp_get_str(&c);
    if (c.bad || c.left)
        return malformed(err, m->type == 'D' ? "Describe" : "Close");
    if (out->kind != 'S' && out->kind != 'P')
        return err_set_state(err, TARN_ERR_CORRUPT, "08P01", "invalid %s message subtype %d",
                             m->type == 'D' ? "DESCRIBE" : "CLOSE", out->kind);
    return 0;
}

int pgp_parse_execute(const PgMsg *m, PgExecute *out, TarnError *err)
{
    PgCur c = pgp_cur(m);
    out->portal = pgp_get_str(&c);
    out->max_rows = pgp_get_i32(&c);
    if (c.bad || c.left)
        return malformed(err, "Execute");
    if (out->max_rows < 0)
        out->max_rows = 0;
    return 0;
}

/* ---- write buffer ----------------------------------------------------------------------------- */

void pgw_init(PgWriteBuf *w) { memset(w, 0, sizeof *w); }

void pgw_free(PgWriteBuf *w)
{
    tarn_free(w->data);
    memset(w, 0, sizeof *w);
}

static bool reserve(PgWriteBuf *w, size_t n)
{
    if (w->oom)
        return false;
    if (w->cap - w->len >= n)
        return true;
    size_t nc = w->cap ? w->cap : 8192;
    while (nc - w->len < n) {
        if (nc > SIZE_MAX / 2) {
            w->oom = true;
            return false;
        }
        nc *= 2;
    }
    uint8_t *d = tarn_realloc(w->data, nc);
    if (!d) {
        w->oom = true;
        return false;
    }
    w->data = d;
    w->cap = nc;
    return true;
}

void pgw_begin(PgWriteBuf *w, char type)
{
    w->msg_start = w->len;
    if (!reserve(w, 5))
        return;
    w->data[w->len++] = (uint8_t)type;
    memset(w->data + w->len, 0, 4);
    w->len += 4;
}

void pgw_bytes(PgWriteBuf *w, const void *p, size_t n)
{
    if (!n || !reserve(w, n))
        return;
    memcpy(w->data + w->len, p, n);
    w->len += n;
}

void pgw_u8(PgWriteBuf *w, uint8_t v) { pgw_bytes(w, &v, 1); }

void pgw_i16(PgWriteBuf *w, int16_t v)
{
    uint8_t b[2] = {(uint8_t)((uint16_t)v >> 8), (uint8_t)v};
    pgw_bytes(w, b, 2);
}

void pgw_i32(PgWriteBuf *w, int32_t v)
{
    uint32_t u = (uint32_t)v;
    uint8_t b[4] = {(uint8_t)(u >> 24), (uint8_t)(u >> 16), (uint8_t)(u >> 8), (uint8_t)u};
    pgw_bytes(w, b, 4);
}

void pgw_i64(PgWriteBuf *w, int64_t v)
{
    pgw_i32(w, (int32_t)((uint64_t)v >> 32));
    pgw_i32(w, (int32_t)(uint32_t)(uint64_t)v);
}

void pgw_str(PgWriteBuf *w, const char *s) { pgw_bytes(w, s, strlen(s) + 1); }

void pgw_end(PgWriteBuf *w)
{
    if (w->oom || w->len < w->msg_start + 5)
        return;
    size_t n = w->len - w->msg_start - 1;
    if (n > INT32_MAX) { /* cannot be framed */
        w->len = w->msg_start;
        w->oom = true;
        return;
    }
    uint8_t *p = w->data + w->msg_start + 1;
    p[0] = (uint8_t)(n >> 24);
    p[1] = (uint8_t)(n >> 16);
    p[2] = (uint8_t)(n >> 8);
    p[3] = (uint8_t)n;
}

void pgw_cancel(PgWriteBuf *w)
{
    if (w->msg_start <= w->len)
        w->len = w->msg_start;
}

void pgw_auth(PgWriteBuf *w, int32_t code, const void *data, size_t n)
{
    pgw_begin(w, 'R');
    pgw_i32(w, code);
    pgw_bytes(w, data, n);
    pgw_end(w);
}

void pgw_param_status(PgWriteBuf *w, const char *name, const char *value)
{
    pgw_begin(w, 'S');
    pgw_str(w, name);
    pgw_str(w, value);
    pgw_end(w);
}

void pgw_backend_key(PgWriteBuf *w, int32_t pid, int32_t key)
{
    pgw_begin(w, 'K');
    pgw_i32(w, pid);
    pgw_i32(w, key);
    pgw_end(w);
}

void pgw_ready(PgWriteBuf *w, char status)
{
    pgw_begin(w, 'Z');
    pgw_u8(w, (uint8_t)status);
    pgw_end(w);
}

void pgw_simple(PgWriteBuf *w, char type)
{
    pgw_begin(w, type);
    pgw_end(w);
}

void pgw_command_complete(PgWriteBuf *w, const char *tag)
{
    pgw_begin(w, 'C');
    pgw_str(w, tag);
    pgw_end(w);
}

static void field(PgWriteBuf *w, char code, const char *s)
{
    if (!s || !*s)
        return;
    pgw_u8(w, (uint8_t)code);
    pgw_str(w, s);
}

void pgw_error(PgWriteBuf *w, char type, const char *severity, const TarnError *err)
{
    pgw_begin(w, type);
    field(w, 'S', severity);
    field(w, 'V', severity);
    const char *state = err->sqlstate[0] ? err->sqlstate : err_default_sqlstate(err->kind);
    field(w, 'C', state && *state ? state : "XX000");
    field(w, 'M', err->message[0] ? err->message : "unknown error");
    field(w, 'D', err->detail);
    field(w, 'H', err->hint);
    if (err->position > 0) {
        char pos[16];
        snprintf(pos, sizeof pos, "%d", err->position);
        field(w, 'P', pos);
    }
    field(w, 'W', err->context);
    pgw_u8(w, 0);
    pgw_end(w);
}

void pgw_error_msg(PgWriteBuf *w, const char *severity, const char *sqlstate, const char *msg)
{
    pgw_begin(w, 'E');
    field(w, 'S', severity);
    field(w, 'V', severity);
    field(w, 'C', sqlstate);
    field(w, 'M', msg);
    pgw_u8(w, 0);
    pgw_end(w);
}
