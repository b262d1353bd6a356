/*
 * scram.c - HMAC, PBKDF2, base64 and the SCRAM-SHA-256 server exchange
 * (scram.h) over util/sha256.c, written from RFCs 2104, 5802, 7677, 8018.
 * No external crypto library.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "server/scram.h"
#include "util/sha256.h"

void scram_sha256(const void *data, size_t n, uint8_t out[32])
{
    sha256(data, n, out);
}

void scram_hmac(const uint8_t *key, size_t key_len, const void *data, size_t n, uint8_t out[32])
{
    uint8_t k[64] = {0}, pad[64], inner[32];
    if (key_len > 64)
        scram_sha256(key, key_len, k);
    else
        memcpy(k, key, key_len);
    Sha256 s;
    for (int i = 0; i < 64; i++)
        pad[i] = k[i] ^ 0x36;
    sha256_init(&s);
    sha256_update(&s, pad, 64);
    sha256_update(&s, data, n);
    sha256_final(&s, inner);
    for (int i = 0; i < 64; i++)
        pad[i] = k[i] ^ 0x5c;
    sha256_init(&s);
    sha256_update(&s, pad, 64);
    sha256_update(&s, inner, 32);
    sha256_final(&s, out);
}

/* Hi(password, salt, i) = PBKDF2-HMAC-SHA-256 with one output block. */
static void hi(const char *password, const uint8_t *salt, size_t salt_len, int iterations, uint8_t out[32])
{
    size_t plen = strlen(password);
    uint8_t buf[64 + 4];
    size_t sl = salt_len > 64 ? 64 : salt_len;
    memcpy(buf, salt, sl);
    buf[sl] = 0;
    buf[sl + 1] = 0;
    buf[sl + 2] = 0;
    buf[sl + 3] = 1;
    uint8_t u[32];
    scram_hmac((const uint8_t *)password, plen, buf, sl + 4, u);
    memcpy(out, u, 32);
    for (int i = 1; i < iterations; i++) {
        scram_hmac((const uint8_t *)password, plen, u, 32, u);
        for (int k = 0; k < 32; k++)
            out[k] ^= u[k];
    }
}

/* ---- base64 ----------------------------------------------------------------------------------- */

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t scram_b64_encode(const uint8_t *in, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
        out[o++] = B64[v >> 18 & 63];
        out[o++] = B64[v >> 12 & 63];
        out[o++] = i + 1 < n ? B64[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? B64[v & 63] : '=';
    }
    out[o] = 0;
    return o;
}

static int b64val(char c)
{
    const char *p = c ? strchr(B64, c) : NULL;
    return p ? (int)(p - B64) : -1;
}

int scram_b64_decode(const char *in, size_t n, uint8_t *out, size_t cap)
{
    if (n % 4)
        return -1;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 4) {
        int v[4];
        int pads = 0;
        for (int k = 0; k < 4; k++) {
            if (in[i + k] == '=' && i + 4 == n && k >= 2) {
                v[k] = 0;
                pads++;
            } else {
                if (pads)
                    return -1;
                v[k] = b64val(in[i + k]);
                if (v[k] < 0)
                    return -1;
            }
        }
        uint32_t x = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        uint8_t b[3] = {(uint8_t)(x >> 16), (uint8_t)(x >> 8), (uint8_t)x};
        for (int k = 0; k < 3 - pads; k++) {
            if (o >= cap)
                return -1;
            out[o++] = b[k];
        }
    }
    return (int)o;
}

/* ---- verifiers -------------------------------------------------------------------------------- */

static void random_bytes(uint8_t *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(p + got, n - got, 0);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    for (; got < n; got++) /* getrandom failed: still unpredictable enough to not repeat */
        p[got] = (uint8_t)(rand() ^ (int)clock());
}

static void keys_of(const char *password, const uint8_t *salt, size_t salt_len, int iterations, uint8_t stored[32],
                    uint8_t server[32])
{
    uint8_t salted[32], client_key[32];
    hi(password, salt, salt_len, iterations, salted);
    scram_hmac(salted, 32, "Client Key", 10, client_key);
    scram_sha256(client_key, 32, stored);
    scram_hmac(salted, 32, "Server Key", 10, server);
}

void scram_verifier_of(const char *password, const uint8_t *salt, size_t salt_len, int iterations, ScramVerifier *v)
{
    memset(v, 0, sizeof *v);
    v->iterations = iterations;
    v->salt_len = salt_len > sizeof v->salt ? sizeof v->salt : salt_len;
    memcpy(v->salt, salt, v->salt_len);
    keys_of(password, v->salt, v->salt_len, iterations, v->stored_key, v->server_key);
}

int scram_make_verifier(const char *password, char *out, size_t cap, TarnError *err)
{
    uint8_t salt[SCRAM_SALT_LEN], stored[32], server[32];
    random_bytes(salt, sizeof salt);
    keys_of(password, salt, sizeof salt, SCRAM_ITERATIONS, stored, server);
    char s64[64], st64[64], sv64[64];
    scram_b64_encode(salt, sizeof salt, s64);
    scram_b64_encode(stored, 32, st64);
    scram_b64_encode(server, 32, sv64);
    int n = snprintf(out, cap, "SCRAM-SHA-256$%d:%s$%s:%s", SCRAM_ITERATIONS, s64, st64, sv64);
    if (n < 0 || (size_t)n >= cap)
        return err_set(err, TARN_ERR_INTERNAL, "verifier buffer too small");
    return 0;
}

bool scram_parse_verifier(const char *text, ScramVerifier *v)
{
    memset(v, 0, sizeof *v);
    if (strncmp(text, "SCRAM-SHA-256$", 14))
        return false;
    const char *p = text + 14;
    char *end;
    long it = strtol(p, &end, 10);
    if (end == p || *end != ':' || it < 1 || it > 100000000)
        return false;
    v->iterations = (int)it;
    const char *salt = end + 1, *dollar = strchr(salt, '$');
    if (!dollar)
        return false;
    int sl = scram_b64_decode(salt, (size_t)(dollar - salt), v->salt, sizeof v->salt);
    if (sl <= 0)
        return false;
    v->salt_len = (size_t)sl;
    const char *st = dollar + 1, *colon = strchr(st, ':');
    if (!colon)
        return false;
    if (scram_b64_decode(st, (size_t)(colon - st), v->stored_key, 32) != 32)
        return false;
    const char *sv = colon + 1;
    return scram_b64_decode(sv, strlen(sv), v->server_key, 32) == 32;
}

/* ---- the exchange ----------------------------------------------------------------------------- */

void scram_begin(ScramState *s, const ScramVerifier *v, const char *user)
{
    memset(s, 0, sizeof *s);
    if (v) {
        s->v = *v;
        return;
    }
    /* PostgreSQL's mock authentication: a stable fake salt per name */
    s->mock = true;
    static uint8_t secret[32];
    static int have_secret;
    if (!have_secret) {
        random_bytes(secret, sizeof secret);
        have_secret = 1;
    }
    scram_hmac(secret, sizeof secret, user, strlen(user), s->v.salt);
    s->v.salt_len = SCRAM_SALT_LEN;
    s->v.iterations = SCRAM_ITERATIONS;
    random_bytes(s->v.stored_key, 32);
    random_bytes(s->v.server_key, 32);
}

static int malformed(TarnError *err, const char *detail)
{
    err_set_state(err, TARN_ERR_CORRUPT, "08P01", "malformed SCRAM message");
    err_detail(err, "%s", detail);
    return -1;
}

static bool printable_nonce(const char *p, size_t n)
{
    if (!n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (p[i] < 0x21 || p[i] > 0x7e || p[i] == ',')
            return false;
    return true;
}

void scram_channel_binding(ScramState *s, bool offered, bool in_use, const uint8_t *data, size_t len)
{
    s->cb_offered = offered;
    s->cb_in_use = in_use;
    s->cb_len = len <= sizeof s->cb_data ? len : 0;
    if (s->cb_len)
        memcpy(s->cb_data, data, s->cb_len);
}

static const char CB_HEADER[] = "p=tls-server-end-point,,";

int scram_server_first(ScramState *s, const char *msg, size_t n, char *out, size_t cap, TarnError *err)
{
    if (memchr(msg, 0, n))
        return malformed(err, "The message contains a NUL byte.");
    if (n < 3)
        return malformed(err, "The message is too short.");
    /* the gs2 header: PostgreSQL's checks and wording (auth-scram.c) */
    size_t i;
    s->cb_flag = msg[0];
    if (msg[0] == 'n' || msg[0] == 'y') {
        if (s->cb_in_use)
            return malformed(err, "The client selected SCRAM-SHA-256-PLUS, but the SCRAM message does not include "
                                  "channel binding data.");
        if (msg[0] == 'y' && s->cb_offered) {
            err_set_state(err, TARN_ERR_INVALID, "28000", "SCRAM channel binding negotiation error");
            err_detail(err, "The client supports SCRAM channel binding but thinks the server does not.  However, this "
                            "server does support channel binding.");
            return -1;
        }
        if (msg[1] != ',')
            return malformed(err, "Comma expected after the channel-binding flag.");
        i = 2;
    } else if (msg[0] == 'p') {
        if (!s->cb_in_use)
            return malformed(err, "The client selected SCRAM-SHA-256 without channel binding, but the SCRAM message "
                                  "includes channel binding data.");
        const char *type = msg + 2, *comma = memchr(msg, ',', n);
        if (msg[1] != '=' || !comma)
            return malformed(err, "Expected attribute \"p\".");
        if ((size_t)(comma - type) != strlen("tls-server-end-point") || strncmp(type, "tls-server-end-point", (size_t)(comma - type))) {
            err_set_state(err, TARN_ERR_CORRUPT, "08P01", "unsupported SCRAM channel-binding type \"%.*s\"",
                          (int)(comma - type > 64 ? 64 : comma - type), type);
            return -1;
        }
        i = (size_t)(comma - msg) + 1;
        if (i >= n)
            return malformed(err, "The message is too short.");
    } else {
        return malformed(err, "Unexpected channel-binding flag.");
    }
    if (msg[i] == 'a')
        return err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000",
                             "client uses authorization identity, but it is not supported"), -1;
    if (msg[i] != ',')
        return malformed(err, "Expected a comma after the channel-binding flag.");
    i++;
    const char *bare = msg + i;
    size_t bare_len = n - i;
    if (bare_len >= sizeof s->client_first_bare)
        return malformed(err, "The message is too long.");
    memcpy(s->client_first_bare, bare, bare_len);
    s->client_first_bare[bare_len] = 0;
    /* n=user,r=nonce[,ext...] */
    if (strncmp(s->client_first_bare, "n=", 2))
        return malformed(err, "Expected attribute \"n\".");
    const char *r = strstr(s->client_first_bare, ",r=");
    if (!r)
        return malformed(err, "Expected attribute \"r\".");
    r += 3;
    const char *r_end = strchr(r, ',');
    size_t rn = r_end ? (size_t)(r_end - r) : strlen(r);
    if (!printable_nonce(r, rn) || rn > 128)
        return malformed(err, "Invalid client nonce.");
    uint8_t sn[18];
    random_bytes(sn, sizeof sn);
    char sn64[32];
    scram_b64_encode(sn, sizeof sn, sn64);
    snprintf(s->nonce, sizeof s->nonce, "%.*s%s", (int)rn, r, sn64);
    char salt64[96];
    scram_b64_encode(s->v.salt, s->v.salt_len, salt64);
    int w = snprintf(s->server_first, sizeof s->server_first, "r=%s,s=%s,i=%d", s->nonce, salt64, s->v.iterations);
    if (w < 0 || (size_t)w >= sizeof s->server_first || (size_t)w >= cap)
        return malformed(err, "The reply does not fit.");
    memcpy(out, s->server_first, (size_t)w + 1);
    return 0;
}

int scram_server_final(ScramState *s, const char *msg, size_t n, char *out, size_t cap, TarnError *err)
{
    if (memchr(msg, 0, n) || n > 1024)
        return malformed(err, "Invalid client-final-message.");
    char m[1025];
    memcpy(m, msg, n);
    m[n] = 0;
    if (strncmp(m, "c=", 2))
        return malformed(err, "Expected attribute \"c\".");
    char *cend = strchr(m, ',');
    if (!cend)
        return malformed(err, "Expected attribute \"r\".");
    *cend = 0;
    const char *cb = m + 2;
    if (s->cb_in_use) {
        /* base64 of the gs2 header and the certificate hash */
        uint8_t raw[sizeof CB_HEADER + sizeof s->cb_data];
        char want[2 * sizeof raw];
        memcpy(raw, CB_HEADER, sizeof CB_HEADER - 1);
        memcpy(raw + sizeof CB_HEADER - 1, s->cb_data, s->cb_len);
        scram_b64_encode(raw, sizeof CB_HEADER - 1 + s->cb_len, want);
        if (!s->cb_len || strcmp(cb, want)) {
            err_set_state(err, TARN_ERR_INVALID, "28000", "SCRAM channel binding check failed");
            return -1;
        }
    } else if (!((!strcmp(cb, "biws") && s->cb_flag == 'n') || (!strcmp(cb, "eSws") && s->cb_flag == 'y'))) {
        /* c=biws (base64 of "n,,") or "eSws" ("y,,"), as the first message said */
        err_set_state(err, TARN_ERR_CORRUPT, "08P01", "unexpected SCRAM channel-binding attribute in client-final-message");
        return -1;
    }
    *cend = ',';
    char *r = cend + 1;
    if (strncmp(r, "r=", 2))
        return malformed(err, "Expected attribute \"r\".");
    char *proof = strstr(m, ",p=");
    if (!proof)
        return malformed(err, "Expected attribute \"p\".");
    size_t rn = strcspn(r + 2, ",");
    if (rn != strlen(s->nonce) || strncmp(r + 2, s->nonce, rn))
        return malformed(err, "Nonce does not match.");
    uint8_t client_proof[64];
    if (scram_b64_decode(proof + 3, strlen(proof + 3), client_proof, sizeof client_proof) != 32)
        return malformed(err, "Malformed proof in client-final-message.");
    size_t without_proof = (size_t)(proof - m);
    char auth[2048];
    int al = snprintf(auth, sizeof auth, "%s,%s,%.*s", s->client_first_bare, s->server_first, (int)without_proof, m);
    if (al < 0 || (size_t)al >= sizeof auth)
        return malformed(err, "Message too long.");
    uint8_t sig[32], client_key[32], stored[32];
    scram_hmac(s->v.stored_key, 32, auth, (size_t)al, sig);
    for (int i = 0; i < 32; i++)
        client_key[i] = client_proof[i] ^ sig[i];
    scram_sha256(client_key, 32, stored);
    uint8_t diff = 0;
    for (int i = 0; i < 32; i++)
        diff |= (uint8_t)(stored[i] ^ s->v.stored_key[i]);
    if (diff || s->mock)
        return 1;
    uint8_t server_sig[32];
    scram_hmac(s->v.server_key, 32, auth, (size_t)al, server_sig);
    char sig64[64];
    scram_b64_encode(server_sig, 32, sig64);
    if ((size_t)snprintf(out, cap, "v=%s", sig64) >= cap)
        return malformed(err, "The reply does not fit.");
    return 0;
}
