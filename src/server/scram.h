/*
 * scram.h - SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL speaks it:
 * SHA-256 (FIPS 180-4), HMAC (RFC 2104), PBKDF2 / Hi() (RFC 8018),
 * base64, verifiers in PostgreSQL's text form
 *   SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>
 * and the server side of the exchange, with SCRAM-SHA-256-PLUS channel
 * binding of type tls-server-end-point (RFC 5929) when the session runs
 * over TLS.  Pure: no sockets, so tests and fuzzing can drive it.
 */
#ifndef TARN_SERVER_SCRAM_H
#define TARN_SERVER_SCRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define SCRAM_KEY_LEN 32
#define SCRAM_ITERATIONS 4096
#define SCRAM_SALT_LEN 16

void scram_sha256(const void *data, size_t n, uint8_t out[32]);
void scram_hmac(const uint8_t *key, size_t key_len, const void *data, size_t n, uint8_t out[32]);

/* base64 (standard alphabet, padded).  Encode: out needs 4*ceil(n/3)+1.
 * Decode: returns the byte count or -1 on bad input / too small out. */
size_t scram_b64_encode(const uint8_t *in, size_t n, char *out);
int scram_b64_decode(const char *in, size_t n, uint8_t *out, size_t cap);

typedef struct ScramVerifier {
    int iterations;
    uint8_t salt[64];
    size_t salt_len;
    uint8_t stored_key[SCRAM_KEY_LEN], server_key[SCRAM_KEY_LEN];
} ScramVerifier;

/* A verifier of password with a random salt, in text form (out: >= 200
 * bytes).  The password is used as is (no SASLprep normalisation; ASCII
 * passwords are unaffected). */
int scram_make_verifier(const char *password, char *out, size_t cap, TarnError *err);
/* The verifier of password with a given salt and iteration count. */
void scram_verifier_of(const char *password, const uint8_t *salt, size_t salt_len, int iterations, ScramVerifier *v);
/* Parses the text form; false when it is not a SCRAM-SHA-256 verifier. */
bool scram_parse_verifier(const char *text, ScramVerifier *v);

/* The server side of one exchange. */
typedef struct ScramState {
    ScramVerifier v;
    bool mock;                   /* unknown user: go through the motions, then fail */
    char client_first_bare[512];
    char server_first[512];
    char nonce[256];             /* client nonce + server nonce */
    /* channel binding (scram_channel_binding) */
    bool cb_offered;             /* over TLS: SCRAM-SHA-256-PLUS was offered */
    bool cb_in_use;              /* ... and the client chose it */
    char cb_flag;                /* the client's gs2 flag: 'n', 'y' or 'p' */
    uint8_t cb_data[64];         /* tls-server-end-point: the server certificate's hash */
    size_t cb_len;
} ScramState;

/* Sets up the state; v NULL = unknown user (a mock verifier derived from
 * the name, so the exchange looks the same). */
void scram_begin(ScramState *s, const ScramVerifier *v, const char *user);
/* After scram_begin, over TLS: offered = SCRAM-SHA-256-PLUS was in the
 * mechanism list, in_use = the client chose it; data = the
 * tls-server-end-point hash (at most 64 bytes).  Without this call the
 * exchange is plain SCRAM-SHA-256 and a client asking for binding fails. */
void scram_channel_binding(ScramState *s, bool offered, bool in_use, const uint8_t *data, size_t len);
/* client-first-message (SASLInitialResponse data) -> server-first-message.
 * 08P01 / 28000 errors on malformed input or channel binding requests. */
int scram_server_first(ScramState *s, const char *client_first, size_t n, char *out, size_t cap, TarnError *err);
/* client-final-message -> server-final-message ("v=...") when the proof
 * verifies; 28P01 (set by the caller's wording) when it does not: returns
 * 1 for a wrong proof, -1 with err for malformed input, 0 on success. */
int scram_server_final(ScramState *s, const char *client_final, size_t n, char *out, size_t cap, TarnError *err);

#endif
