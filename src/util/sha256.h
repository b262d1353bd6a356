/*
 * sha256.h - SHA-256 and SHA-224 (FIPS 180-4), incremental, no external
 * crypto library.  Used by the SQL functions sha256/sha224 and by the
 * server's SCRAM-SHA-256 authentication.
 */
#ifndef TARN_UTIL_SHA256_H
#define TARN_UTIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct Sha256 {
    uint32_t h[8];
    uint64_t len;               /* bytes hashed so far */
    uint8_t buf[64];            /* the partial block */
    size_t n;                   /* bytes in buf */
    int out_words;              /* 8 (SHA-256) or 7 (SHA-224) */
} Sha256;

void sha256_init(Sha256 *s);
void sha224_init(Sha256 *s);
void sha256_update(Sha256 *s, const void *data, size_t n);
/* Writes the digest: 32 bytes (SHA-256) or 28 (SHA-224). */
void sha256_final(Sha256 *s, uint8_t *out);

/* One-shot SHA-256 of data. */
void sha256(const void *data, size_t n, uint8_t out[32]);

#endif
