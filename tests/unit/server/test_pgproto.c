/* test_pgproto.c - wire-protocol framing and parsing, binary formats, and
 * SCRAM-SHA-256 against published test vectors (src/server/). */
#include "../test.h"
#include "server/pgproto.h"
#include "server/pgtypes.h"
#include "server/scram.h"

static void hex_of(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
}

TEST(pgproto_framing_byte_by_byte)
{
    /* Query "select 1" then Sync, delivered one byte at a time */
    static const uint8_t in[] = {'Q', 0, 0, 0, 13, 's', 'e', 'l', 'e', 'c', 't', ' ', '1', 0, 'S', 0, 0, 0, 4};
    PgReadBuf rb;
    pgp_rbuf_init(&rb);
    TarnError err;
    err_clear(&err);
    int got = 0;
    char types[4] = "";
    for (size_t i = 0; i < sizeof in; i++) {
        ASSERT(pgp_rbuf_append(&rb, &in[i], 1) == 0);
        PgMsg m;
        int r;
        while ((r = pgp_next(&rb, false, 1 << 20, &m, &err)) == 1) {
            types[got++] = m.type;
            if (m.type == 'Q') {
                const char *sql;
                ASSERT(pgp_parse_query(&m, &sql, &err) == 0);
                ASSERT(!strcmp(sql, "select 1"));
            }
        }
        ASSERT_EQ_INT(r, 0);
    }
    ASSERT(!strcmp(types, "QS"));
    pgp_rbuf_free(&rb);
}

TEST(pgproto_bad_lengths)
{
    PgReadBuf rb;
    pgp_rbuf_init(&rb);
    TarnError err;
    err_clear(&err);
    PgMsg m;
    static const uint8_t huge[] = {'Q', 0x40, 0, 0, 0};
    ASSERT(pgp_rbuf_append(&rb, huge, sizeof huge) == 0);
    ASSERT_EQ_INT(pgp_next(&rb, false, 64u << 20, &m, &err), -1);
    ASSERT(!strcmp(err.sqlstate, "08P01"));
    ASSERT(rb.cap < (1u << 20)); /* nothing allocated for the claim */
    pgp_rbuf_free(&rb);
    pgp_rbuf_init(&rb);
    static const uint8_t small[] = {'Q', 0, 0, 0, 3};
    ASSERT(pgp_rbuf_append(&rb, small, sizeof small) == 0);
    err_clear(&err);
    ASSERT_EQ_INT(pgp_next(&rb, false, 1024, &m, &err), -1);
    pgp_rbuf_free(&rb);
    pgp_rbuf_init(&rb);
    static const uint8_t startup_big[] = {0, 0, 0x30, 0};
    ASSERT(pgp_rbuf_append(&rb, startup_big, sizeof startup_big) == 0);
    err_clear(&err);
    ASSERT_EQ_INT(pgp_next(&rb, true, 1024, &m, &err), -1);
    ASSERT(!strcmp(err.message, "invalid length of startup packet"));
    pgp_rbuf_free(&rb);
}

TEST(pgproto_startup_and_bind)
{
    static const uint8_t su[] = {0, 3, 0, 0, 'u', 's', 'e', 'r', 0, 'a', 0, 'd', 'a', 't', 'a', 'b', 'a', 's', 'e', 0, 'b', 0, 0};
    PgMsg m = {0, su, sizeof su};
    PgStartup s;
    TarnError err;
    err_clear(&err);
    ASSERT(pgp_parse_startup(&m, &s, &err) == 0);
    ASSERT_EQ_INT(s.code, PGP_PROTOCOL_3_0);
    ASSERT(!strcmp(pgp_startup_param(&s, "user"), "a"));
    ASSERT(!strcmp(pgp_startup_param(&s, "database"), "b"));
    static const uint8_t bad[] = {0, 3, 0, 0, 'u', 's', 'e', 'r', 0, 'a'};
    m.body = bad;
    m.len = sizeof bad;
    ASSERT(pgp_parse_startup(&m, &s, &err) != 0);
    /* Bind: portal "", stmt "s", 1 format (binary), 2 params (4 bytes, NULL), 1 result format */
    static const uint8_t b[] = {0, 's', 0, 0, 1, 0, 1, 0, 2, 0, 0, 0, 4, 0, 0, 0, 7, 0xff, 0xff, 0xff, 0xff, 0, 1, 0, 1};
    PgMsg bm = {'B', b, sizeof b};
    PgBind pb;
    ASSERT(pgp_parse_bind(&bm, &pb, &err) == 0);
    ASSERT_EQ_INT(pb.n_params, 2);
    ASSERT_EQ_INT(pgp_format_at(pb.formats, pb.n_formats, 1), 1);
    PgParamIter it = {pb.params, pb.params_len};
    const uint8_t *v;
    int32_t len;
    ASSERT(pgp_param_next(&it, &v, &len) == 0 && len == 4 && v[3] == 7);
    ASSERT(pgp_param_next(&it, &v, &len) == 0 && len == -1 && !v);
    /* a value running past the message */
    static const uint8_t b2[] = {0, 0, 0, 0, 0, 1, 0, 0, 0, 9, 1, 2};
    PgMsg bm2 = {'B', b2, sizeof b2};
    err_clear(&err);
    ASSERT(pgp_parse_bind(&bm2, &pb, &err) != 0);
    ASSERT(!strcmp(err.sqlstate, "08P01"));
}

TEST(pgproto_write_error_fields)
{
    PgWriteBuf w;
    pgw_init(&w);
    TarnError e;
    err_clear(&e);
    err_set_state(&e, TARN_ERR_NOT_FOUND, "42P01", "relation \"x\" does not exist");
    e.position = 15;
    pgw_error(&w, 'E', "ERROR", &e);
    ASSERT(!w.oom);
    ASSERT_EQ_INT(w.data[0], 'E');
    uint32_t n = (uint32_t)w.data[1] << 24 | (uint32_t)w.data[2] << 16 | (uint32_t)w.data[3] << 8 | w.data[4];
    ASSERT_EQ_INT(n, w.len - 1);
    ASSERT(memmem(w.data, w.len, "C42P01", 7) != NULL);
    ASSERT(memmem(w.data, w.len, "P15", 4) != NULL);
    ASSERT_EQ_INT(w.data[w.len - 1], 0);
    pgw_free(&w);
}

static void numeric_case(const char *text, const char *want_hex, const char *back)
{
    Buf b, t;
    buf_init(&b);
    buf_init(&t);
    ASSERT(pgt_numeric_text_to_binary(text, strlen(text), &b) == 0);
    char hex[256];
    hex_of(b.data, b.len, hex);
    if (strcmp(hex, want_hex))
        TFAIL("numeric %s: %s, want %s", text, hex, want_hex);
    TarnError err;
    err_clear(&err);
    ASSERT(pgt_binary_to_text(1700, b.data, (uint32_t)b.len, 1, &t, &err) == 0);
    if (strcmp((const char *)t.data, back))
        TFAIL("numeric %s back: %s, want %s", text, (const char *)t.data, back);
    buf_free(&b);
    buf_free(&t);
}

TEST(pgtypes_numeric_binary)
{
    /* the bytes PostgreSQL 15 sends for these values (numeric_send) */
    numeric_case("12.340", "0002000000000003000c0d48", "12.340");
    numeric_case("-0.001", "0001ffff40000003000a", "-0.001");
    numeric_case("0", "0000000000000000", "0");
    numeric_case("0.00", "0000000000000002", "0.00");
    numeric_case("10000", "00010001000000000001", "10000");
    numeric_case("123456789.5", "0004000200000001000109291a851388", "123456789.5");
    numeric_case("NaN", "00000000c0000000", "NaN");
    numeric_case("-Infinity", "00000000f0000000", "-Infinity");
    Buf b;
    buf_init(&b);
    ASSERT(pgt_numeric_text_to_binary("1e5", 3, &b) != 0);
    buf_free(&b);
}

TEST(pgtypes_binary_params_to_text)
{
    Buf t;
    buf_init(&t);
    TarnError err;
    err_clear(&err);
    static const uint8_t d_bc[] = {0xff, 0xf4, 0xa4, 0x54}; /* -744364 days: 0039-01-01 BC */
    ASSERT(pgt_binary_to_text(1082, d_bc, 4, 1, &t, &err) == 0);
    ASSERT(!strcmp((const char *)t.data, "0039-01-01 BC"));
    static const uint8_t d_inf[] = {0x7f, 0xff, 0xff, 0xff};
    ASSERT(pgt_binary_to_text(1082, d_inf, 4, 1, &t, &err) == 0);
    ASSERT(!strcmp((const char *)t.data, "infinity"));
    static const uint8_t ts_neg[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}; /* -1 us */
    ASSERT(pgt_binary_to_text(1184, ts_neg, 8, 1, &t, &err) == 0);
    ASSERT(!strcmp((const char *)t.data, "1999-12-31 23:59:59.999999+00"));
    static const uint8_t by[] = {0, 0xab};
    ASSERT(pgt_binary_to_text(17, by, 2, 1, &t, &err) == 0);
    ASSERT(!strcmp((const char *)t.data, "\\x00ab"));
    static const uint8_t nul_text[] = {'a', 0, 'b'};
    err_clear(&err);
    ASSERT(pgt_binary_to_text(25, nul_text, 3, 2, &t, &err) != 0);
    ASSERT(!strcmp(err.sqlstate, "22021"));
    err_clear(&err);
    ASSERT(pgt_binary_to_text(23, by, 2, 3, &t, &err) != 0);
    ASSERT(!strcmp(err.sqlstate, "08P01"));
    err_clear(&err);
    ASSERT(pgt_binary_to_text(1186, by, 2, 3, &t, &err) != 0);
    ASSERT(!strcmp(err.sqlstate, "42883"));
    buf_free(&t);
}

TEST(scram_sha256_hmac_vectors)
{
    uint8_t h[32];
    char hex[65];
    scram_sha256("abc", 3, h); /* FIPS 180-4 example */
    hex_of(h, 32, hex);
    ASSERT(!strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    const char *long_msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    scram_sha256(long_msg, strlen(long_msg), h);
    hex_of(h, 32, hex);
    ASSERT(!strcmp(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
    scram_hmac((const uint8_t *)"Jefe", 4, "what do ya want for nothing?", 28, h); /* RFC 4231 case 2 */
    hex_of(h, 32, hex);
    ASSERT(!strcmp(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
    uint8_t out[8];
    ASSERT_EQ_INT(scram_b64_decode("Zm9vYg==", 8, out, sizeof out), 4);
    ASSERT(!memcmp(out, "foob", 4));
    ASSERT_EQ_INT(scram_b64_decode("Zm9v=mI=", 8, out, sizeof out), -1);
}

TEST(scram_rfc7677_exchange)
{
    /* RFC 7677 section 3: user "user", password "pencil" */
    uint8_t salt[32];
    int sl = scram_b64_decode("W22ZaJ0SNY7soEsUEjb6gQ==", 24, salt, sizeof salt);
    ASSERT_EQ_INT(sl, 16);
    ScramVerifier v;
    scram_verifier_of("pencil", salt, (size_t)sl, 4096, &v);
    ScramState st;
    scram_begin(&st, &v, "user");
    TarnError err;
    err_clear(&err);
    char out[512];
    const char *cf = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    ASSERT(scram_server_first(&st, cf, strlen(cf), out, sizeof out, &err) == 0);
    ASSERT(!strncmp(out, "r=rOprNGfwEbeRWgbNEkqO", 22));
    /* replay the RFC's server nonce */
    snprintf(st.nonce, sizeof st.nonce, "rOprNGfwEbeRWgbNEkqO%%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");
    snprintf(st.server_first, sizeof st.server_first, "r=%s,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", st.nonce);
    const char *final = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                        "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    ASSERT_EQ_INT(scram_server_final(&st, final, strlen(final), out, sizeof out, &err), 0);
    ASSERT(!strcmp(out, "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="));
    /* a flipped proof bit fails */
    char bad[256];
    snprintf(bad, sizeof bad, "%s", final);
    bad[strlen(bad) - 3] = bad[strlen(bad) - 3] == 'V' ? 'W' : 'V';
    ASSERT_EQ_INT(scram_server_final(&st, bad, strlen(bad), out, sizeof out, &err), 1);
    /* text form round trip */
    char text[256];
    ASSERT(scram_make_verifier("pencil", text, sizeof text, &err) == 0);
    ScramVerifier p;
    ASSERT(scram_parse_verifier(text, &p));
    ASSERT_EQ_INT(p.iterations, 4096);
    ASSERT(!scram_parse_verifier("md5abc", &p));
    /* unknown user: the exchange runs and fails */
    scram_begin(&st, NULL, "ghost");
    ASSERT(scram_server_first(&st, cf, strlen(cf), out, sizeof out, &err) == 0);
    ASSERT(st.mock);
    /* channel binding requested: refused */
    const char *cb = "p=tls-server-end-point,,n=,r=abc";
    ASSERT(scram_server_first(&st, cb, strlen(cb), out, sizeof out, &err) != 0);
}

TEST(scram_plus_channel_binding)
{
    ScramVerifier v;
    scram_verifier_of("pencil", (const uint8_t *)"0123456789abcdef", 16, 4096, &v);
    uint8_t hash[48];
    for (int i = 0; i < 48; i++)
        hash[i] = (uint8_t)(i * 7 + 1);
    TarnError err;
    err_clear(&err);
    char out[512];
    ScramState st;
    /* SCRAM-SHA-256-PLUS: the gs2 header must carry the binding type */
    const char *cf_p = "p=tls-server-end-point,,n=,r=clientnonce";
    scram_begin(&st, &v, "u");
    err_clear(&err);
    scram_channel_binding(&st, true, true, hash, sizeof hash);
    ASSERT(scram_server_first(&st, cf_p, strlen(cf_p), out, sizeof out, &err) == 0);
    /* c= is base64("p=tls-server-end-point,," + hash): a right one gets as
     * far as the proof (1 = wrong proof), a wrong one is 28000 */
    uint8_t raw[24 + 48];
    memcpy(raw, "p=tls-server-end-point,,", 24);
    memcpy(raw + 24, hash, 48);
    char cb64[128], fin[512];
    scram_b64_encode(raw, sizeof raw, cb64);
    snprintf(fin, sizeof fin, "c=%s,r=%s,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", cb64, st.nonce);
    ASSERT_EQ_INT(scram_server_final(&st, fin, strlen(fin), out, sizeof out, &err), 1);
    raw[30] ^= 1;
    err_clear(&err);
    scram_b64_encode(raw, sizeof raw, cb64);
    snprintf(fin, sizeof fin, "c=%s,r=%s,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", cb64, st.nonce);
    ASSERT_EQ_INT(scram_server_final(&st, fin, strlen(fin), out, sizeof out, &err), -1);
    ASSERT(!strcmp(err.sqlstate, "28000") && strstr(err.message, "channel binding check failed"));
    snprintf(fin, sizeof fin, "c=biws,r=%s,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", st.nonce);
    ASSERT_EQ_INT(scram_server_final(&st, fin, strlen(fin), out, sizeof out, &err), -1);
    /* -PLUS chosen but no binding data in the header: 08P01 */
    const char *cf_n = "n,,n=,r=clientnonce";
    scram_begin(&st, &v, "u");
    err_clear(&err);
    scram_channel_binding(&st, true, true, hash, sizeof hash);
    ASSERT(scram_server_first(&st, cf_n, strlen(cf_n), out, sizeof out, &err) != 0);
    ASSERT(!strcmp(err.sqlstate, "08P01"));
    /* 'y' (client could bind, thinks the server cannot) while -PLUS was offered: 28000 */
    const char *cf_y = "y,,n=,r=clientnonce";
    scram_begin(&st, &v, "u");
    err_clear(&err);
    scram_channel_binding(&st, true, false, hash, sizeof hash);
    ASSERT(scram_server_first(&st, cf_y, strlen(cf_y), out, sizeof out, &err) != 0);
    ASSERT(!strcmp(err.sqlstate, "28000") && strstr(err.message, "negotiation error"));
    /* plain SCRAM over TLS: 'n' and c=biws as usual; c=eSws does not match 'n' */
    scram_begin(&st, &v, "u");
    err_clear(&err);
    scram_channel_binding(&st, true, false, hash, sizeof hash);
    ASSERT(scram_server_first(&st, cf_n, strlen(cf_n), out, sizeof out, &err) == 0);
    err_clear(&err);
    snprintf(fin, sizeof fin, "c=eSws,r=%s,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", st.nonce);
    ASSERT_EQ_INT(scram_server_final(&st, fin, strlen(fin), out, sizeof out, &err), -1);
    ASSERT(!strcmp(err.sqlstate, "08P01"));
    snprintf(fin, sizeof fin, "c=biws,r=%s,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", st.nonce);
    ASSERT_EQ_INT(scram_server_final(&st, fin, strlen(fin), out, sizeof out, &err), 1);
    /* 'y' without TLS is fine; an unknown binding type is refused */
    scram_begin(&st, &v, "u");
    err_clear(&err);
    ASSERT(scram_server_first(&st, cf_y, strlen(cf_y), out, sizeof out, &err) == 0);
    const char *cf_u = "p=tls-unique,,n=,r=clientnonce";
    scram_begin(&st, &v, "u");
    err_clear(&err);
    scram_channel_binding(&st, true, true, hash, sizeof hash);
    ASSERT(scram_server_first(&st, cf_u, strlen(cf_u), out, sizeof out, &err) != 0);
    ASSERT(strstr(err.message, "unsupported SCRAM channel-binding type \"tls-unique\""));
}
