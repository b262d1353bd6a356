/*
 * fuzz_pgproto.c - libFuzzer target for the wire-protocol message parser
 * (server/pgproto.h) and the binary value decoders (server/pgtypes.h).
 *
 * The first input byte picks how the rest arrives (all at once or in
 * chunks of 1..16 bytes, as a slow client sends it), whether the stream
 * starts in the startup phase, and the message size limit.  Every complete
 * message is handed to its typed parser; Bind's parameter values go
 * through the binary decoders under a type picked from the value; every
 * parsed string is read to its NUL.  Invariants: no read past a message,
 * parsers either succeed or set an 08P01-style error, numeric text ->
 * binary -> text -> binary is stable, and an ErrorResponse built from the
 * parsed text frames correctly.  CopyData bodies go through the COPY text
 * -> CSV converter (server/copy.h) split in two.
 */
#include <stdint.h>
#include <string.h>

#include "server/copy.h"
#include "server/pgproto.h"
#include "server/pgtypes.h"

#include "fuzz_common.h"

static void touch_str(const char *s)
{
    if (s)
        sink += strlen(s);
}

static const uint32_t oids[] = {16, 17, 19, 20, 21, 23, 25, 26, 114, 700, 701, 1042, 1043, 1082, 1083, 1114, 1184,
                                1186, 1700, 2950, 3802, 705, 0};

static void check_numeric_roundtrip(const char *s, size_t n)
{
    Buf b1, t, b2;
    buf_init(&b1);
    buf_init(&t);
    buf_init(&b2);
    if (pgt_numeric_text_to_binary(s, n, &b1) == 0) {
        TarnError err;
        err_clear(&err);
        CHECK(pgt_binary_to_text(1700, b1.data, (uint32_t)b1.len, 1, &t, &err) == 0);
        CHECK(pgt_numeric_text_to_binary((const char *)t.data, t.len, &b2) == 0);
        CHECK(b1.len == b2.len && memcmp(b1.data, b2.data, b1.len) == 0);
    }
    buf_free(&b1);
    buf_free(&t);
    buf_free(&b2);
}

static void handle(const PgMsg *m, PgWriteBuf *w)
{
    TarnError err;
    err_clear(&err);
    int rc = 0;
    switch (m->type) {
    case 0: {
        PgStartup su;
        rc = pgp_parse_startup(m, &su, &err);
        if (!rc)
            for (uint32_t i = 0; i < su.n_params; i++) {
                touch_str(su.names[i]);
                touch_str(su.values[i]);
            }
        break;
    }
    case 'Q': {
        const char *sql;
        rc = pgp_parse_query(m, &sql, &err);
        if (!rc) {
            touch_str(sql);
            check_numeric_roundtrip(sql, strlen(sql));
        }
        break;
    }
    case 'P': {
        PgParse p;
        rc = pgp_parse_parse(m, &p, &err);
        if (!rc) {
            touch_str(p.name);
            touch_str(p.query);
            for (uint32_t i = 0; i < p.n_types; i++)
                sink += pgp_oid_at(p.types, i);
        }
        break;
    }
    case 'B': {
        PgBind b;
        rc = pgp_parse_bind(m, &b, &err);
        if (rc)
            break;
        touch_str(b.portal);
        touch_str(b.stmt);
        PgParamIter it = {b.params, b.params_len};
        Buf text;
        buf_init(&text);
        for (uint32_t i = 0; i < b.n_params; i++) {
            const uint8_t *v;
            int32_t len;
            CHECK(pgp_param_next(&it, &v, &len) == 0); /* walked by the parser */
            sink += (uint32_t)pgp_format_at(b.formats, b.n_formats, i);
            if (len < 0)
                continue;
            uint32_t oid = oids[(len ? v[0] : 0) % (sizeof oids / sizeof oids[0])];
            TarnError e2;
            err_clear(&e2);
            if (pgt_binary_to_text(oid, v, (uint32_t)len, (int)i + 1, &text, &e2) == 0) {
                CHECK(text.data != NULL && text.data[text.len] == 0);
            } else {
                CHECK(e2.kind != 0 && e2.sqlstate[0] && e2.message[0]);
            }
        }
        CHECK(it.left == 0);
        for (uint32_t i = 0; i < b.n_rformats; i++) {
            int f = pgp_format_at(b.rformats, b.n_rformats, i);
            CHECK(f == 0 || f == 1);
        }
        buf_free(&text);
        break;
    }
    case 'D':
    case 'C': {
        PgTarget t;
        rc = pgp_parse_target(m, &t, &err);
        if (!rc) {
            CHECK(t.kind == 'S' || t.kind == 'P');
            touch_str(t.name);
        }
        break;
    }
    case 'E': {
        PgExecute e;
        rc = pgp_parse_execute(m, &e, &err);
        if (!rc) {
            touch_str(e.portal);
            CHECK(e.max_rows >= 0);
        }
        break;
    }
    case 'd': {
        /* COPY FROM STDIN text data through the text -> CSV converter,
         * in two pieces so lines straddle CopyData boundaries */
        CopySpec spec;
        memset(&spec, 0, sizeof spec);
        spec.format = COPY_TEXT;
        spec.delim = m->len && (m->body[0] & 1) ? ',' : '\t';
        spec.quote = spec.escape = '"';
        spec.null_str = (char *)"\\N";
        spec.header = m->len > 1 && (m->body[1] & 1);
        FILE *f = fopen("/dev/null", "w");
        if (!f)
            break;
        CopyTextToCsv t;
        copy_t2c_init(&t, &spec);
        uint32_t half = m->len / 2;
        TarnError e2;
        err_clear(&e2);
        if (copy_t2c_feed(&t, (const char *)m->body, half, f, &e2) == 0 &&
            copy_t2c_feed(&t, (const char *)m->body + half, m->len - half, f, &e2) == 0)
            copy_t2c_finish(&t, f, &e2);
        copy_t2c_free(&t);
        fclose(f);
        break;
    }
    default:
        break;
    }
    if (rc) {
        CHECK(err.kind != 0 && err.message[0] && !strcmp(err.sqlstate, "08P01"));
        size_t before = w->len;
        pgw_error(w, 'E', "ERROR", &err);
        if (!w->oom) {
            /* the frame's length word matches what was written */
            const uint8_t *p = w->data + before + 1;
            uint32_t n = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
            CHECK(n == w->len - before - 1);
        }
        w->len = 0;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t sel = data[0];
    data++;
    size--;
    bool startup = sel & 1;
    size_t chunk = (sel & 2) ? 1 + (sel >> 4) : size ? size : 1;
    uint32_t limit = (sel & 4) ? 64 : (sel & 8) ? 4096 : (64u << 20);
    PgReadBuf rb;
    pgp_rbuf_init(&rb);
    PgWriteBuf w;
    pgw_init(&w);
    size_t off = 0;
    bool failed = false;
    while (off < size && !failed) {
        size_t n = size - off < chunk ? size - off : chunk;
        if (pgp_rbuf_append(&rb, data + off, n))
            break;
        off += n;
        for (;;) {
            PgMsg m;
            TarnError err;
            err_clear(&err);
            int r = pgp_next(&rb, startup, limit, &m, &err);
            if (r == 0)
                break;
            if (r < 0) {
                CHECK(!strcmp(err.sqlstate, "08P01"));
                failed = true; /* the server closes the connection here */
                break;
            }
            CHECK(m.len <= (startup ? PGP_STARTUP_MAX : limit));
            CHECK(m.body >= rb.data && m.body + m.len <= rb.data + rb.len);
            handle(&m, &w);
            startup = false; /* one startup packet, then typed messages */
        }
    }
    pgw_free(&w);
    pgp_rbuf_free(&rb);
    return 0;
}
