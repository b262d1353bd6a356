/*
 * encoding.c - Parquet value and level encodings (Encodings.md): the RLE /
 * bit-packed hybrid, legacy BIT_PACKED levels, PLAIN booleans and byte
 * arrays, DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and
 * BYTE_STREAM_SPLIT.
 *
 * Speed: the hot decoders (RLE dictionary indices and levels, delta
 * miniblocks) unpack whole groups of 8 values with code specialised per bit
 * width at compile time (one switch per call, never per value), reading the
 * packed bytes with unaligned 64-bit loads.  A 64-bit load may reach up to
 * 8 bytes past the group's own bytes, so groups closer than that to the end
 * of the page are first copied into a zero-padded stack buffer: the fast
 * path never reads past the buffer it was given.
 *
 * Robustness: every length, count and bit width comes from untrusted page
 * bytes and is checked against the bytes left before use; violations are
 * TARN_ERR_CORRUPT naming the encoding and the field.
 */
#include "format/parquet/encoding.h"

#include <inttypes.h>
#include <limits.h>
#include <string.h>

#define ALWAYS_INLINE static inline __attribute__((always_inline))

/* ---- Little helpers --------------------------------------------------- */

/* Unaligned little-endian 64-bit load (memcpy compiles to one mov). */
ALWAYS_INLINE uint64_t ld64(const uint8_t *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t x;
    memcpy(&x, p, 8);
    return x;
#else
    return load_le64(p);
#endif
}

static inline size_t min_sz(size_t a, size_t b) { return a < b ? a : b; }
static inline uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }

static inline uint64_t zigzag_decode(uint64_t u) { return (u >> 1) ^ (0 - (u & 1)); }
static inline uint64_t zigzag_encode(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

enum { VARINT_OK = 0, VARINT_SHORT = 1, VARINT_LONG = 2 };

/* Reads a ULEB128 varint of at most 10 bytes (64 bits) at *pos. */
static inline int read_uvarint(const uint8_t *p, size_t len, size_t *pos, uint64_t *out)
{
    uint64_t v = 0;
    size_t i = *pos;
    for (int shift = 0; shift < 70; shift += 7) {
        if (i >= len)
            return VARINT_SHORT;
        uint8_t b = p[i++];
        if (shift == 63 && b > 1)
            return VARINT_LONG; /* bits beyond 64 */
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *pos = i;
            *out = v;
            return VARINT_OK;
        }
    }
    return VARINT_LONG;
}

/* Appends a ULEB128 varint at dst; returns bytes written (1..10). */
static inline size_t put_uvarint(uint8_t *dst, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        dst[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    dst[n++] = (uint8_t)v;
    return n;
}

/* ---- Bit unpacking, LSB first ---------------------------------------- */

/* Unpacks 8 values of width w (<= 32) from in.  Reads up to w + 8 bytes. */
#define DEFINE_UNPACK8(NAME, T)                                                  \
    ALWAYS_INLINE void NAME(const uint8_t *in, T *out, const int w)              \
    {                                                                            \
        const uint64_t mask = (w >= 32) ? 0xffffffffu : ((1u << w) - 1u);        \
        _Pragma("GCC unroll 8") for (int i = 0; i < 8; i++)                      \
        {                                                                        \
            const int bit = i * w;                                               \
            out[i] = (T)((ld64(in + (bit >> 3)) >> (bit & 7)) & mask);           \
        }                                                                        \
    }
DEFINE_UNPACK8(unpack8_u32, uint32_t)
DEFINE_UNPACK8(unpack8_u16, uint16_t)

/* Unpacks 8 values of width w (<= 64) as uint64.  Reads up to w + 9 bytes. */
ALWAYS_INLINE void unpack8_u64(const uint8_t *in, uint64_t *out, const int w)
{
    const uint64_t mask = (w >= 64) ? ~(uint64_t)0 : (((uint64_t)1 << w) - 1);
    _Pragma("GCC unroll 8") for (int i = 0; i < 8; i++)
    {
        const int bit = i * w;
        const uint8_t *q = in + (bit >> 3);
        const int s = bit & 7;
        uint64_t v = ld64(q) >> s;
        if (w > 56 && s > 0)
            v |= (uint64_t)q[8] << (64 - s);
        out[i] = v & mask;
    }
}

#define CASES_1_16(X)                                                                    \
    X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15) X(16)
#define CASES_17_32(X)                                                                   \
    X(17) X(18) X(19) X(20) X(21) X(22) X(23) X(24) X(25) X(26) X(27) X(28) X(29) X(30)  \
    X(31) X(32)
#define CASES_33_64(X)                                                                   \
    X(33) X(34) X(35) X(36) X(37) X(38) X(39) X(40) X(41) X(42) X(43) X(44) X(45) X(46)  \
    X(47) X(48) X(49) X(50) X(51) X(52) X(53) X(54) X(55) X(56) X(57) X(58) X(59) X(60)  \
    X(61) X(62) X(63) X(64)

/* Unpacks n_groups groups of 8 values of width w (0..32) into out.  The
 * caller guarantees n_groups * w + 8 readable bytes at in. */
static void unpack_groups_u32(const uint8_t *in, uint32_t *out, size_t n_groups, int w)
{
    switch (w) {
    case 0:
        memset(out, 0, n_groups * 8 * sizeof *out);
        break;
#define X(W)                                                  \
    case W:                                                   \
        for (size_t g = 0; g < n_groups; g++)                 \
            unpack8_u32(in + g * (W), out + g * 8, (W));      \
        break;
        CASES_1_16(X)
        CASES_17_32(X)
#undef X
    default:
        break;
    }
}

/* As unpack_groups_u32 for widths 0..16 and 16-bit output. */
static void unpack_groups_u16(const uint8_t *in, uint16_t *out, size_t n_groups, int w)
{
    switch (w) {
    case 0:
        memset(out, 0, n_groups * 8 * sizeof *out);
        break;
#define X(W)                                                  \
    case W:                                                   \
        for (size_t g = 0; g < n_groups; g++)                 \
            unpack8_u16(in + g * (W), out + g * 8, (W));      \
        break;
        CASES_1_16(X)
#undef X
    default:
        break;
    }
}

/* Unpacks n_groups groups of 8 values of width w (0..64) as uint64.  The
 * caller guarantees n_groups * w + 9 readable bytes at in. */
static void unpack_groups_u64(const uint8_t *in, uint64_t *out, size_t n_groups, int w)
{
    switch (w) {
    case 0:
        memset(out, 0, n_groups * 8 * sizeof *out);
        break;
#define X(W)                                                  \
    case W:                                                   \
        for (size_t g = 0; g < n_groups; g++)                 \
            unpack8_u64(in + g * (W), out + g * 8, (W));      \
        break;
        CASES_1_16(X)
        CASES_17_32(X)
        CASES_33_64(X)
#undef X
    default:
        break;
    }
}

/* One group of 8 values of a constant width w <= 32 into exactly w bytes:
 * 8 * w <= 256 bits, shifts resolved at compile time (the bytes are those
 * of the generic loop below: a group ends on a byte boundary). */
ALWAYS_INLINE void pack8_u64(const uint64_t *v, uint8_t *dst, const int w)
{
    const uint64_t mask = ((uint64_t)1 << w) - 1;
    uint64_t word[4] = {0, 0, 0, 0};
    _Pragma("GCC unroll 8") for (int i = 0; i < 8; i++)
    {
        const int bit = i * w;
        const uint64_t x = v[i] & mask;
        word[bit >> 6] |= x << (bit & 63);
        if ((bit & 63) + w > 64)
            word[(bit >> 6) + 1] |= x >> (64 - (bit & 63));
    }
    uint8_t tmp[32];
    for (int k = 0; k < 4; k++)
        store_le64(tmp + 8 * k, word[k]);
    memcpy(dst, tmp, (size_t)w);
}

/* Packs n_groups groups of 8 values (masked to w bits, w <= 64) LSB first
 * into exactly n_groups * w bytes at dst. */
static void pack_groups_u64(const uint64_t *v, size_t n_groups, int w, uint8_t *dst)
{
    switch (w) {
    case 0:
        return;
#define X(W)                                                  \
    case W:                                                   \
        for (size_t g = 0; g < n_groups; g++)                 \
            pack8_u64(v + g * 8, dst + g * (W), (W));         \
        return;
        CASES_1_16(X)
        CASES_17_32(X)
#undef X
    default:
        break;
    }
    const uint64_t mask = (w >= 64) ? ~(uint64_t)0 : (((uint64_t)1 << w) - 1);
    unsigned __int128 acc = 0;
    int nb = 0;
    size_t n = n_groups * 8;
    for (size_t i = 0; i < n; i++) {
        acc |= (unsigned __int128)(v[i] & mask) << nb;
        nb += w;
        if (nb >= 64) {
            store_le64(dst, (uint64_t)acc);
            dst += 8;
            acc >>= 64;
            nb -= 64;
        }
    }
    /* 8 * w bits per group: whole bytes remain. */
    for (; nb > 0; nb -= 8) {
        *dst++ = (uint8_t)acc;
        acc >>= 8;
    }
}

/* ---- RLE / bit-packed hybrid: decoder --------------------------------- */

/*
 * Decoder state (PqRleDecoder in encoding.h):
 *   p        the next run header; a bit-packed run's bytes are skipped at
 *            its header, so p is past them while lit_left > 0
 *   lit_p    the group of 8 holding the next bit-packed value
 *   lit_pos  that value's index inside its group (0..7)
 *   lit_left bit-packed values left that the page's bytes actually hold
 *            (a truncated last run is cut to its whole values)
 */

/* pq_rle_init - starts a decoder over len bytes at p (borrowed; must outlive
 * the decoder).  The bit width is checked by the first get, which reports a
 * bad one as TARN_ERR_CORRUPT. */
void pq_rle_init(PqRleDecoder *d, const uint8_t *p, size_t len, int bit_width)
{
    d->p = p;
    d->end = len ? p + len : p;
    d->bit_width = bit_width;
    d->rle_left = 0;
    d->rle_value = 0;
    d->lit_left = 0;
    d->lit_p = p;
    d->lit_pos = 0;
}

/* Reads the next run header. */
static int rle_next_run(PqRleDecoder *d, TarnError *err)
{
    const int w = d->bit_width;
    size_t len = (size_t)(d->end - d->p);
    size_t pos = 0;
    uint64_t h = 0;
    int vr = read_uvarint(d->p, len, &pos, &h);
    if (vr == VARINT_SHORT)
        return err_set(err, TARN_ERR_CORRUPT, "RLE: run header past end of data");
    if (vr == VARINT_LONG || h > UINT32_MAX)
        return err_set(err, TARN_ERR_CORRUPT, "RLE: run header is not a 32-bit varint");
    d->p += pos;
    size_t avail = len - pos;
    if (h & 1) {
        uint64_t groups = h >> 1;
        uint64_t bytes = groups * (uint64_t)w;
        uint64_t values = groups * 8;
        if (bytes > avail) {
            /* Truncated final run: keep only the values the bytes hold. */
            bytes = avail;
            values = (uint64_t)avail * 8 / (uint64_t)w;
        }
        d->lit_left = (uint32_t)min_u64(values, UINT32_MAX);
        d->lit_p = d->p;
        d->lit_pos = 0;
        d->p += bytes;
    } else {
        size_t vb = (size_t)(w + 7) / 8;
        if (vb > avail)
            return err_set(err, TARN_ERR_CORRUPT, "RLE: run value past end of data");
        uint32_t v = 0;
        for (size_t i = 0; i < vb; i++)
            v |= (uint32_t)d->p[i] << (8 * i);
        d->p += vb;
        d->rle_value = v;
        d->rle_left = (uint32_t)(h >> 1);
    }
    return 0;
}

/* Reads the next m (<= lit_left) bit-packed values.  Generated for 32- and
 * 16-bit output. */
#define DEFINE_RLE_LIT_READ(NAME, T, UNPACK_GROUPS)                                  \
    static void NAME(PqRleDecoder *d, T *out, uint32_t m)                            \
    {                                                                                \
        const int w = d->bit_width;                                                  \
        T tmp[8];                                                                    \
        uint8_t pad[48];                                                             \
        d->lit_left -= m;                                                            \
        if (d->lit_pos) {                                                            \
            size_t avail = d->lit_p < d->end ? (size_t)(d->end - d->lit_p) : 0;      \
            memset(pad, 0, sizeof pad);                                              \
            memcpy(pad, d->lit_p, min_sz((size_t)w, avail));                         \
            UNPACK_GROUPS(pad, tmp, 1, w);                                           \
            uint32_t k = 8 - d->lit_pos;                                             \
            if (k > m)                                                               \
                k = m;                                                               \
            memcpy(out, tmp + d->lit_pos, k * sizeof(T));                            \
            out += k;                                                                \
            m -= k;                                                                  \
            d->lit_pos += k;                                                         \
            if (d->lit_pos < 8)                                                      \
                return;                                                              \
            d->lit_p += w;                                                           \
            d->lit_pos = 0;                                                          \
        }                                                                            \
        size_t groups = m / 8;                                                       \
        if (groups) {                                                                \
            size_t avail = d->lit_p < d->end ? (size_t)(d->end - d->lit_p) : 0;      \
            size_t fast = groups;                                                    \
            if (w > 0)                                                               \
                fast = avail >= 8 + (size_t)w ? min_sz(groups, (avail - 8) / w) : 0; \
            UNPACK_GROUPS(d->lit_p, out, fast, w);                                   \
            d->lit_p += fast * w;                                                    \
            out += fast * 8;                                                         \
            for (size_t g = fast; g < groups; g++) {                                 \
                avail = d->lit_p < d->end ? (size_t)(d->end - d->lit_p) : 0;         \
                memset(pad, 0, sizeof pad);                                          \
                memcpy(pad, d->lit_p, min_sz((size_t)w, avail));                     \
                UNPACK_GROUPS(pad, out, 1, w);                                       \
                d->lit_p += w;                                                       \
                out += 8;                                                            \
            }                                                                        \
            m -= (uint32_t)groups * 8;                                               \
        }                                                                            \
        if (m) {                                                                     \
            size_t avail = d->lit_p < d->end ? (size_t)(d->end - d->lit_p) : 0;      \
            memset(pad, 0, sizeof pad);                                              \
            memcpy(pad, d->lit_p, min_sz((size_t)w, avail));                         \
            UNPACK_GROUPS(pad, tmp, 1, w);                                           \
            memcpy(out, tmp, m * sizeof(T));                                         \
            d->lit_pos = m;                                                          \
        }                                                                            \
    }
DEFINE_RLE_LIT_READ(rle_lit_read_u32, uint32_t, unpack_groups_u32)
DEFINE_RLE_LIT_READ(rle_lit_read_u16, uint16_t, unpack_groups_u16)

#define DEFINE_RLE_GET(NAME, T, LIT_READ, MAX_WIDTH)                                 \
    int NAME(PqRleDecoder *d, T *out, uint32_t n, TarnError *err)                    \
    {                                                                                \
        if (d->bit_width < 0 || d->bit_width > (MAX_WIDTH))                          \
            return err_set(err, TARN_ERR_CORRUPT, "RLE: bit width %d out of range 0..%d", \
                           d->bit_width, (MAX_WIDTH));                               \
        while (n) {                                                                  \
            if (d->rle_left) {                                                       \
                uint32_t m = d->rle_left < n ? d->rle_left : n;                      \
                const T v = (T)d->rle_value;                                         \
                for (uint32_t i = 0; i < m; i++)                                     \
                    out[i] = v;                                                      \
                d->rle_left -= m;                                                    \
                out += m;                                                            \
                n -= m;                                                              \
            } else if (d->lit_left) {                                                \
                uint32_t m = d->lit_left < n ? d->lit_left : n;                      \
                LIT_READ(d, out, m);                                                 \
                out += m;                                                            \
                n -= m;                                                              \
            } else if (d->p >= d->end) {                                             \
                /* With bit width 0 every value is 0 and needs no bytes;           \
                 * some writers then omit the runs entirely. */                      \
                if (d->bit_width == 0) {                                             \
                    memset(out, 0, (size_t)n * sizeof(T));                           \
                    return 0;                                                        \
                }                                                                    \
                return err_set(err, TARN_ERR_CORRUPT,                                \
                               "RLE: %" PRIu32 " values missing past end of data", n); \
            } else {                                                                 \
                int rc = rle_next_run(d, err);                                       \
                if (rc)                                                              \
                    return rc;                                                       \
            }                                                                        \
        }                                                                            \
        return 0;                                                                    \
    }

/* pq_rle_get_u32 - decodes exactly n values (bit widths 0..32). */
DEFINE_RLE_GET(pq_rle_get_u32, uint32_t, rle_lit_read_u32, 32)
/* pq_rle_get_u16 - decodes exactly n values (bit widths 0..16). */
DEFINE_RLE_GET(pq_rle_get_u16, uint16_t, rle_lit_read_u16, 16)

/* ---- RLE / bit-packed hybrid: encoder --------------------------------- */

/* Longest run emitted in one RLE header (spec: run lengths < 2^31). */
#define RLE_MAX_RUN 0x7fffffffu

#define DEFINE_RLE_ENCODE(NAME, T)                                                   \
    int NAME(const T *v, uint32_t n, int bit_width, Buf *out)                        \
    {                                                                                \
        if (bit_width < 0 || bit_width > (int)(8 * sizeof(T)))                       \
            return TARN_ERR_INVALID;                                                 \
        const int w = bit_width;                                                     \
        const size_t vb = (size_t)(w + 7) / 8;                                       \
        /* Worst case: every 8 values a literal group, plus one header and one    \
         * RLE value per 8 values. */                                                \
        size_t groups_max = (size_t)n / 8 + 1;                                       \
        size_t bound = groups_max * (size_t)w + (2 * groups_max + 2) * (5 + vb);     \
        if (buf_reserve(out, bound))                                                 \
            return TARN_ERR_NOMEM;                                                   \
        uint8_t *o = out->data + out->len;                                           \
        const uint64_t mask = (w >= 64) ? ~(uint64_t)0 : (((uint64_t)1 << w) - 1);  \
        uint64_t g[8];                                                               \
        uint32_t i = 0;                                                              \
        while (i < n) {                                                              \
            uint32_t r = 1;                                                          \
            while (i + r < n && v[i + r] == v[i])                                    \
                r++;                                                                 \
            if (r >= 8) {                                                            \
                uint64_t val = (uint64_t)v[i] & mask;                                \
                uint32_t left = r;                                                   \
                while (left) {                                                       \
                    uint32_t k = left < RLE_MAX_RUN ? left : RLE_MAX_RUN;            \
                    o += put_uvarint(o, (uint64_t)k << 1);                           \
                    for (size_t b = 0; b < vb; b++)                                  \
                        *o++ = (uint8_t)(val >> (8 * b));                            \
                    left -= k;                                                       \
                }                                                                    \
                i += r;                                                              \
                continue;                                                            \
            }                                                                        \
            /* Literal run: whole groups of 8 until a run of 8 starts at a group   \
             * boundary (or the input ends; the last group is zero-padded). */       \
            uint32_t start = i, j = i;                                               \
            for (;;) {                                                               \
                j = (n - j > 8) ? j + 8 : n;                                         \
                if (j >= n)                                                          \
                    break;                                                           \
                uint32_t rr = 1;                                                     \
                while (rr < 8 && j + rr < n && v[j + rr] == v[j])                    \
                    rr++;                                                            \
                if (rr >= 8)                                                         \
                    break;                                                           \
            }                                                                        \
            uint32_t cnt = j - start;                                                \
            uint64_t n_groups = ((uint64_t)cnt + 7) / 8;                             \
            o += put_uvarint(o, (n_groups << 1) | 1);                                \
            for (uint64_t gi = 0; gi < n_groups; gi++) {                             \
                uint32_t base = start + (uint32_t)gi * 8;                            \
                for (uint32_t k = 0; k < 8; k++)                                     \
                    g[k] = base + k < j ? (uint64_t)v[base + k] : 0;                 \
                pack_groups_u64(g, 1, w, o);                                         \
                o += w;                                                              \
            }                                                                        \
            i = j;                                                                   \
        }                                                                            \
        out->len = (size_t)(o - out->data);                                          \
        return 0;                                                                    \
    }

/* pq_rle_encode_u32 - RLE / bit-packed hybrid encoding of n values; values
 * are masked to bit_width bits.  TARN_ERR_INVALID for a width outside 0..32
 * (0..16 for u16), else 0 or TARN_ERR_NOMEM. */
DEFINE_RLE_ENCODE(pq_rle_encode_u32, uint32_t)
/* pq_rle_encode_u16 - as pq_rle_encode_u32 for 16-bit values. */
DEFINE_RLE_ENCODE(pq_rle_encode_u16, uint16_t)

/* ---- Legacy BIT_PACKED (MSB first) ------------------------------------- */

/* pq_bitpacked_legacy_decode_u16 - the deprecated BIT_PACKED level encoding:
 * values packed back to back from the most significant bit of each byte. */
int pq_bitpacked_legacy_decode_u16(const uint8_t *p, size_t len, int bit_width, uint16_t *out,
                                   uint32_t n, TarnError *err)
{
    if (bit_width < 0 || bit_width > 16)
        return err_set(err, TARN_ERR_CORRUPT, "BIT_PACKED: bit width %d out of range 0..16",
                       bit_width);
    const int w = bit_width;
    uint64_t need = ((uint64_t)n * (uint64_t)w + 7) / 8;
    if (need > len)
        return err_set(err, TARN_ERR_CORRUPT,
                       "BIT_PACKED: %" PRIu32 " values of %d bits need %" PRIu64
                       " bytes, only %zu present",
                       n, w, need, len);
    if (w == 0) {
        memset(out, 0, (size_t)n * sizeof *out);
        return 0;
    }
    const uint32_t mask = (1u << w) - 1;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t bit = (uint64_t)i * (uint64_t)w;
        size_t at = (size_t)(bit >> 3);
        /* w <= 16 and a start offset <= 7 fit in 3 bytes. */
        uint32_t x = (uint32_t)p[at] << 16;
        if (at + 1 < len)
            x |= (uint32_t)p[at + 1] << 8;
        if (at + 2 < len)
            x |= p[at + 2];
        int shift = 24 - (int)(bit & 7) - w;
        out[i] = (uint16_t)((x >> shift) & mask);
    }
    return 0;
}

/* ---- PLAIN ------------------------------------------------------------ */

/* Spreads the 8 bits of b into 8 bytes of 0/1, bit 0 to byte 0. */
static inline uint64_t bits_to_bytes(uint8_t b)
{
    uint64_t x = b;
    x = (x | x << 28) & 0x0000000F0000000Full;
    x = (x | x << 14) & 0x0003000300030003ull;
    x = (x | x << 7) & 0x0101010101010101ull;
    return x;
}

/* pq_plain_decode_bool - n booleans bit-packed LSB first. */
int pq_plain_decode_bool(const uint8_t *p, size_t len, uint32_t n, uint8_t *out, size_t *used_out,
                         TarnError *err)
{
    size_t need = ((size_t)n + 7) / 8;
    if (need > len)
        return err_set(err, TARN_ERR_CORRUPT,
                       "PLAIN: %" PRIu32 " booleans need %zu bytes, page has %zu", n, need, len);
    size_t full = n / 8;
    for (size_t i = 0; i < full; i++)
        store_le64(out + 8 * i, bits_to_bytes(p[i]));
    for (uint32_t i = (uint32_t)full * 8; i < n; i++)
        out[i] = (p[i >> 3] >> (i & 7)) & 1;
    *used_out = need;
    return 0;
}

/* pq_plain_decode_byte_array - n values of 4-byte LE length + bytes; the
 * views point into p. */
int pq_plain_decode_byte_array(const uint8_t *p, size_t len, uint32_t n, StrView *out,
                               size_t *used_out, TarnError *err)
{
    size_t pos = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (len - pos < 4)
            return err_set(err, TARN_ERR_CORRUPT,
                           "PLAIN: length of byte array %" PRIu32 " of %" PRIu32
                           " past end of page",
                           i, n);
        uint32_t l = load_le32(p + pos);
        pos += 4;
        if (l > len - pos)
            return err_set(err, TARN_ERR_CORRUPT,
                           "PLAIN: byte array %" PRIu32 " of length %" PRIu32
                           " runs past end of page (%zu bytes left)",
                           i, l, len - pos);
        out[i].len = l;
        out[i].pad_ = 0;
        out[i].ptr = (const char *)p + pos;
        pos += l;
    }
    *used_out = pos;
    return 0;
}

/* pq_plain_encode_bool - nonzero bytes are true. */
int pq_plain_encode_bool(const uint8_t *v, uint32_t n, Buf *out)
{
    size_t nb = ((size_t)n + 7) / 8;
    if (buf_reserve(out, nb))
        return TARN_ERR_NOMEM;
    uint8_t *o = out->data + out->len;
    size_t full = n / 8;
    for (size_t i = 0; i < full; i++) {
        const uint8_t *s = v + 8 * i;
        o[i] = (uint8_t)((s[0] != 0) | (s[1] != 0) << 1 | (s[2] != 0) << 2 | (s[3] != 0) << 3 |
                         (s[4] != 0) << 4 | (s[5] != 0) << 5 | (s[6] != 0) << 6 |
                         (s[7] != 0) << 7);
    }
    if (full < nb) {
        uint8_t b = 0;
        for (uint32_t i = (uint32_t)full * 8; i < n; i++)
            b |= (uint8_t)((v[i] != 0) << (i & 7));
        o[full] = b;
    }
    out->len += nb;
    return 0;
}

/* pq_plain_encode_byte_array - 4-byte LE length + bytes per value. */
int pq_plain_encode_byte_array(const StrView *v, uint32_t n, Buf *out)
{
    size_t total = (size_t)n * 4;
    for (uint32_t i = 0; i < n; i++)
        total += v[i].len;
    if (buf_reserve(out, total))
        return TARN_ERR_NOMEM;
    uint8_t *o = out->data + out->len;
    for (uint32_t i = 0; i < n; i++) {
        store_le32(o, v[i].len);
        o += 4;
        if (v[i].len)
            memcpy(o, v[i].ptr, v[i].len);
        o += v[i].len;
    }
    out->len += total;
    return 0;
}

/* ---- DELTA_BINARY_PACKED: decoder ------------------------------------- */

/*
 * A streaming decoder over one DELTA_BINARY_PACKED section.  Values are
 * produced as uint64 with wrapping arithmetic (int32 callers truncate, which
 * gives the same result modulo 2^32 whatever width the writer's deltas had).
 * Positions are offsets from p so that nothing ever points past the end.
 *
 * Leniency: the spec requires 128 | block size and 32 | values per
 * miniblock; we accept any block size whose miniblocks hold a multiple of 8
 * values (so miniblocks stay byte-aligned), which includes the spec's own
 * examples with block size 8.  Bit widths of miniblocks that hold no values
 * are never looked at, as the spec asks.
 */
typedef struct DeltaDec {
    const uint8_t *p;    /* section start; borrowed */
    size_t len;          /* bytes available from p */
    size_t pos;          /* next block header or miniblock */
    size_t used;         /* end of the last header / miniblock entered */
    uint64_t vpm;        /* values per miniblock */
    uint32_t n_mini;     /* miniblocks per block */
    uint64_t total;      /* values declared by the header */
    uint64_t left;       /* values not yet decoded */
    uint64_t last;       /* last decoded value (the first value until then) */
    bool first_done;
    uint64_t min_delta;  /* current block's frame of reference */
    size_t widths;       /* offset of the current block's bit widths */
    uint32_t mini_idx;   /* next miniblock in the block (n_mini: no block) */
    uint64_t mini_left;  /* values left in the current miniblock */
    size_t mini_pos;     /* offset of the next unread group in the miniblock */
    int w;               /* current miniblock's bit width */
    uint64_t buf[32];    /* a decoded chunk only partly handed out */
    uint32_t buf_pos, buf_len;
} DeltaDec;

/* Parses the header.  what names the encoding for messages. */
static int delta_init(DeltaDec *d, const uint8_t *p, size_t len, const char *what, TarnError *err)
{
    uint64_t block_size = 0, n_mini = 0, total = 0, first = 0;
    size_t pos = 0;
    int vr;
    if ((vr = read_uvarint(p, len, &pos, &block_size)) ||
        (vr = read_uvarint(p, len, &pos, &n_mini)) ||
        (vr = read_uvarint(p, len, &pos, &total)) ||
        (vr = read_uvarint(p, len, &pos, &first))) {
        if (vr == VARINT_SHORT)
            return err_set(err, TARN_ERR_CORRUPT, "%s: header past end of page", what);
        return err_set(err, TARN_ERR_CORRUPT, "%s: header varint longer than 10 bytes", what);
    }
    if (block_size == 0 || block_size > INT32_MAX || n_mini == 0 || n_mini > block_size ||
        block_size % n_mini != 0 || (block_size / n_mini) % 8 != 0)
        return err_set(err, TARN_ERR_CORRUPT,
                       "%s: invalid block size %" PRIu64 " with %" PRIu64 " miniblocks", what,
                       block_size, n_mini);
    if (total >= UINT32_MAX)
        return err_set(err, TARN_ERR_CORRUPT, "%s: value count %" PRIu64 " too large", what,
                       total);
    d->p = p;
    d->len = len;
    d->pos = pos;
    d->used = pos;
    d->vpm = block_size / n_mini;
    d->n_mini = (uint32_t)n_mini;
    d->total = total;
    d->left = total;
    d->last = zigzag_decode(first);
    d->first_done = false;
    d->min_delta = 0;
    d->widths = 0;
    d->mini_idx = d->n_mini;
    d->mini_left = 0;
    d->mini_pos = 0;
    d->w = 0;
    d->buf_pos = d->buf_len = 0;
    return 0;
}

/* Enters the next miniblock, reading a block header first when needed. */
static int delta_next_miniblock(DeltaDec *d, const char *what, TarnError *err)
{
    if (d->mini_idx >= d->n_mini) {
        uint64_t md = 0;
        int vr = read_uvarint(d->p, d->len, &d->pos, &md);
        if (vr == VARINT_SHORT)
            return err_set(err, TARN_ERR_CORRUPT,
                           "%s: block header past end of page (%" PRIu64 " values missing)",
                           what, d->left);
        if (vr == VARINT_LONG)
            return err_set(err, TARN_ERR_CORRUPT, "%s: min delta varint longer than 10 bytes",
                           what);
        if (d->len - d->pos < d->n_mini)
            return err_set(err, TARN_ERR_CORRUPT, "%s: miniblock bit widths past end of page",
                           what);
        d->min_delta = zigzag_decode(md);
        d->widths = d->pos;
        d->pos += d->n_mini;
        d->mini_idx = 0;
        d->used = d->pos;
    }
    int w = d->p[d->widths + d->mini_idx];
    if (w > 64)
        return err_set(err, TARN_ERR_CORRUPT, "%s: miniblock bit width %d exceeds 64", what, w);
    d->mini_idx++;
    d->w = w;
    d->mini_pos = d->pos;
    d->mini_left = d->vpm;
    /* A final miniblock may lack its padding; the values actually needed are
     * checked chunk by chunk. */
    uint64_t bytes = d->vpm * (uint64_t)w / 8;
    d->pos += (size_t)min_u64(bytes, d->len - d->pos);
    d->used = d->pos;
    return 0;
}

/* Decodes n (<= d->left + buffered) values into out. */
static int delta_read(DeltaDec *d, uint64_t *out, uint64_t n, const char *what, TarnError *err)
{
    if (d->buf_pos < d->buf_len && n) {
        uint32_t k = d->buf_len - d->buf_pos;
        if (k > n)
            k = (uint32_t)n;
        memcpy(out, d->buf + d->buf_pos, k * sizeof *out);
        d->buf_pos += k;
        out += k;
        n -= k;
    }
    if (n && !d->first_done) {
        d->first_done = true;
        *out++ = d->last;
        d->left--;
        n--;
    }
    uint8_t pad[8 * 32 + 16];
    while (n) {
        if (d->mini_left == 0) {
            int rc = delta_next_miniblock(d, what, err);
            if (rc)
                return rc;
        }
        const int w = d->w;
        uint64_t c = min_u64(32, d->mini_left);  /* multiple of 8 */
        uint64_t real = min_u64(c, d->left);     /* values that exist */
        size_t groups = (size_t)(c / 8);
        size_t chunk_bytes = groups * (size_t)w;
        size_t avail = d->len - d->mini_pos;
        uint64_t need_bytes = (real * (uint64_t)w + 7) / 8;
        if (need_bytes > avail)
            return err_set(err, TARN_ERR_CORRUPT, "%s: miniblock past end of page", what);
        uint64_t *dst = n >= c ? out : d->buf;
        const uint8_t *src = d->p + d->mini_pos;
        if (avail < chunk_bytes + 9) {
            memset(pad, 0, sizeof pad);
            memcpy(pad, src, min_sz(chunk_bytes, avail));
            src = pad;
        }
        unpack_groups_u64(src, dst, groups, w);
        uint64_t last = d->last;
        const uint64_t md = d->min_delta;
        for (uint64_t j = 0; j < real; j++) {
            last += md + dst[j];
            dst[j] = last;
        }
        d->last = last;
        d->mini_pos += min_sz(chunk_bytes, avail);
        d->mini_left -= c;
        d->left -= real;
        if (dst == out) {
            out += c;
            n -= c;
        } else {
            memcpy(out, d->buf, n * sizeof *out);
            d->buf_pos = (uint32_t)n;
            d->buf_len = (uint32_t)real;
            n = 0;
        }
    }
    return 0;
}

/* Walks over the rest of the declared values without decoding them, to
 * find where the section ends.  Whole miniblocks are skipped arithmetically,
 * so a hostile header declaring billions of zero-width values costs one
 * step per miniblock, not per value. */
static int delta_skip_rest(DeltaDec *d, const char *what, TarnError *err)
{
    d->buf_pos = d->buf_len;
    if (d->left && !d->first_done) {
        d->first_done = true;
        d->left--;
    }
    while (d->left) {
        if (d->mini_left == 0) {
            int rc = delta_next_miniblock(d, what, err);
            if (rc)
                return rc;
        }
        uint64_t k = min_u64(d->mini_left, d->left);
        if ((k * (uint64_t)d->w + 7) / 8 > d->len - d->mini_pos)
            return err_set(err, TARN_ERR_CORRUPT, "%s: miniblock past end of page", what);
        d->mini_left -= k;
        d->left -= k;
    }
    return 0;
}

/* Values still to be handed out. */
static inline uint64_t delta_remaining(const DeltaDec *d)
{
    return d->left + (d->buf_len - d->buf_pos);
}

static const char DBP[] = "DELTA_BINARY_PACKED";

/* Resolves n (UINT32_MAX = all) against the declared count. */
static int delta_want(DeltaDec *d, uint32_t *n, const char *what, TarnError *err)
{
    if (*n == UINT32_MAX)
        *n = (uint32_t)d->total;
    if (*n > d->total)
        return err_set(err, TARN_ERR_CORRUPT,
                       "%s: %" PRIu32 " values requested but the page holds %" PRIu64, what, *n,
                       d->total);
    return 0;
}

/* pq_delta_bp_decode_i64 - decodes n values (UINT32_MAX = all declared; size
 * out with pq_delta_bp_count first).  *used_out = end of the last miniblock
 * read (or of the header when no block was needed). */
int pq_delta_bp_decode_i64(const uint8_t *p, size_t len, int64_t *out, uint32_t n,
                           size_t *used_out, TarnError *err)
{
    DeltaDec d;
    if (n == 0 && len == 0) {
        *used_out = 0;
        return 0;
    }
    int rc = delta_init(&d, p, len, DBP, err);
    if (!rc)
        rc = delta_want(&d, &n, DBP, err);
    if (!rc)
        rc = delta_read(&d, (uint64_t *)out, n, DBP, err);
    if (rc)
        return rc;
    *used_out = d.used;
    return 0;
}

/* pq_delta_bp_decode_i32 - as pq_delta_bp_decode_i64, truncating to 32 bits
 * (wrapping arithmetic makes that exact). */
int pq_delta_bp_decode_i32(const uint8_t *p, size_t len, int32_t *out, uint32_t n,
                           size_t *used_out, TarnError *err)
{
    DeltaDec d;
    if (n == 0 && len == 0) {
        *used_out = 0;
        return 0;
    }
    int rc = delta_init(&d, p, len, DBP, err);
    if (!rc)
        rc = delta_want(&d, &n, DBP, err);
    if (rc)
        return rc;
    uint64_t tmp[256];
    for (uint32_t i = 0; i < n;) {
        uint32_t k = n - i < 256 ? n - i : 256;
        rc = delta_read(&d, tmp, k, DBP, err);
        if (rc)
            return rc;
        for (uint32_t j = 0; j < k; j++)
            out[i + j] = (int32_t)(uint32_t)tmp[j];
        i += k;
    }
    *used_out = d.used;
    return 0;
}

/* pq_delta_bp_count - the header's total value count, checked for
 * plausibility against the bytes present (every block of block_size values
 * needs at least one byte of min delta and one bit width per miniblock). */
int pq_delta_bp_count(const uint8_t *p, size_t len, uint32_t *n_out, TarnError *err)
{
    DeltaDec d;
    int rc = delta_init(&d, p, len, DBP, err);
    if (rc)
        return rc;
    if (d.total > 1) {
        uint64_t blocks_max = (len - d.pos) / (1 + (uint64_t)d.n_mini);
        uint64_t block_size = d.vpm * d.n_mini;
        if ((d.total - 1 + block_size - 1) / block_size > blocks_max)
            return err_set(err, TARN_ERR_CORRUPT,
                           "DELTA_BINARY_PACKED: header declares %" PRIu64
                           " values but the page is too short to hold them",
                           d.total);
    }
    *n_out = (uint32_t)d.total;
    return 0;
}

/* ---- DELTA_BINARY_PACKED: encoder ------------------------------------- */

#define DELTA_BLOCK 128
#define DELTA_MINIS 4
#define DELTA_VPM 32

/* Reserves room for and writes the header. */
static int delta_enc_header(Buf *out, uint32_t n, int64_t first)
{
    if (buf_reserve(out, 40))
        return TARN_ERR_NOMEM;
    uint8_t *o = out->data + out->len;
    o += put_uvarint(o, DELTA_BLOCK);
    o += put_uvarint(o, DELTA_MINIS);
    o += put_uvarint(o, n);
    o += put_uvarint(o, zigzag_encode(first));
    out->len = (size_t)(o - out->data);
    return 0;
}

/* Writes one block of cnt (1..128) signed deltas.  The deltas' differences
 * from their minimum are taken modulo 2^64, which is exact for any int64
 * deltas.  Miniblocks after the last one holding values get width 0 and no
 * bytes, as the spec allows. */
static int delta_enc_block(Buf *out, const int64_t *delta, uint32_t cnt)
{
    int64_t mn = delta[0];
    for (uint32_t i = 1; i < cnt; i++)
        if (delta[i] < mn)
            mn = delta[i];
    uint64_t adj[DELTA_BLOCK];
    for (uint32_t i = 0; i < cnt; i++)
        adj[i] = (uint64_t)delta[i] - (uint64_t)mn;
    for (uint32_t i = cnt; i < DELTA_BLOCK; i++)
        adj[i] = 0;
    if (buf_reserve(out, 10 + DELTA_MINIS + DELTA_BLOCK * 8))
        return TARN_ERR_NOMEM;
    uint8_t *o = out->data + out->len;
    o += put_uvarint(o, zigzag_encode(mn));
    uint8_t *widths = o;
    o += DELTA_MINIS;
    uint32_t used_minis = (cnt + DELTA_VPM - 1) / DELTA_VPM;
    for (uint32_t m = 0; m < DELTA_MINIS; m++) {
        if (m >= used_minis) {
            widths[m] = 0;
            continue;
        }
        uint64_t all = 0;
        for (uint32_t i = 0; i < DELTA_VPM; i++)
            all |= adj[m * DELTA_VPM + i];
        int w = pq_bit_width(all);
        widths[m] = (uint8_t)w;
        pack_groups_u64(adj + m * DELTA_VPM, DELTA_VPM / 8, w, o);
        o += (size_t)w * DELTA_VPM / 8;
    }
    out->len = (size_t)(o - out->data);
    return 0;
}

/* pq_delta_bp_encode_i32 - deltas are taken modulo 2^32, so bit widths never
 * exceed 32 (readers such as Arrow reject wider miniblocks for INT32). */
int pq_delta_bp_encode_i32(const int32_t *v, uint32_t n, Buf *out)
{
    if (delta_enc_header(out, n, n ? v[0] : 0))
        return TARN_ERR_NOMEM;
    int64_t delta[DELTA_BLOCK];
    for (uint32_t i = 1; i < n;) {
        uint32_t cnt = n - i < DELTA_BLOCK ? n - i : DELTA_BLOCK;
        for (uint32_t j = 0; j < cnt; j++)
            delta[j] = (int32_t)((uint32_t)v[i + j] - (uint32_t)v[i + j - 1]);
        if (delta_enc_block(out, delta, cnt))
            return TARN_ERR_NOMEM;
        i += cnt;
    }
    return 0;
}

/* pq_delta_bp_encode_i64 - deltas wrap modulo 2^64. */
int pq_delta_bp_encode_i64(const int64_t *v, uint32_t n, Buf *out)
{
    if (delta_enc_header(out, n, n ? v[0] : 0))
        return TARN_ERR_NOMEM;
    int64_t delta[DELTA_BLOCK];
    for (uint32_t i = 1; i < n;) {
        uint32_t cnt = n - i < DELTA_BLOCK ? n - i : DELTA_BLOCK;
        for (uint32_t j = 0; j < cnt; j++)
            delta[j] = (int64_t)((uint64_t)v[i + j] - (uint64_t)v[i + j - 1]);
        if (delta_enc_block(out, delta, cnt))
            return TARN_ERR_NOMEM;
        i += cnt;
    }
    return 0;
}

/* Which integer sequence of a StrView array to delta-encode. */
typedef enum SeqKind { SEQ_LENGTH, SEQ_PREFIX, SEQ_SUFFIX } SeqKind;

/* Length of the common prefix of a and b. */
static inline uint32_t common_prefix(const StrView *a, const StrView *b)
{
    uint32_t m = a->len < b->len ? a->len : b->len;
    uint32_t i = 0;
    while (i + 8 <= m) {
        uint64_t x, y;
        memcpy(&x, a->ptr + i, 8);
        memcpy(&y, b->ptr + i, 8);
        if (x != y)
            break;
        i += 8;
    }
    while (i < m && a->ptr[i] == b->ptr[i])
        i++;
    return i;
}

static inline int32_t seq_value(SeqKind kind, const StrView *v, uint32_t i)
{
    if (kind == SEQ_LENGTH)
        return (int32_t)v[i].len;
    uint32_t pre = i ? common_prefix(&v[i - 1], &v[i]) : 0;
    return (int32_t)(kind == SEQ_PREFIX ? pre : v[i].len - pre);
}

/* DELTA_BINARY_PACKED of an int32 sequence derived from v. */
static int delta_enc_seq(const StrView *v, uint32_t n, SeqKind kind, Buf *out)
{
    int32_t prev = n ? seq_value(kind, v, 0) : 0;
    if (delta_enc_header(out, n, prev))
        return TARN_ERR_NOMEM;
    int64_t delta[DELTA_BLOCK];
    for (uint32_t i = 1; i < n;) {
        uint32_t cnt = n - i < DELTA_BLOCK ? n - i : DELTA_BLOCK;
        for (uint32_t j = 0; j < cnt; j++) {
            int32_t cur = seq_value(kind, v, i + j);
            delta[j] = (int32_t)((uint32_t)cur - (uint32_t)prev);
            prev = cur;
        }
        if (delta_enc_block(out, delta, cnt))
            return TARN_ERR_NOMEM;
        i += cnt;
    }
    return 0;
}

/* ---- DELTA_LENGTH_BYTE_ARRAY / DELTA_BYTE_ARRAY ------------------------ */

static const char DLBA[] = "DELTA_LENGTH_BYTE_ARRAY";
static const char DBA[] = "DELTA_BYTE_ARRAY";

/* Decodes n lengths + bytes into out[].len / .ptr, leaving out[].pad_ alone
 * (DELTA_BYTE_ARRAY keeps its prefix lengths there meanwhile). */
static int dlba_decode(const uint8_t *p, size_t len, uint32_t n, StrView *out, size_t *used_out,
                       const char *what, TarnError *err)
{
    if (n == 0 && len == 0) {
        *used_out = 0;
        return 0;
    }
    DeltaDec d;
    int rc = delta_init(&d, p, len, what, err);
    if (rc)
        return rc;
    if (n > d.total)
        return err_set(err, TARN_ERR_CORRUPT,
                       "%s: %" PRIu32 " values requested but the page holds %" PRIu64, what, n,
                       d.total);
    uint64_t tmp[256];
    for (uint32_t i = 0; i < n;) {
        uint32_t k = n - i < 256 ? n - i : 256;
        rc = delta_read(&d, tmp, k, what, err);
        if (rc)
            return rc;
        for (uint32_t j = 0; j < k; j++) {
            int32_t l = (int32_t)(uint32_t)tmp[j];
            if (l < 0)
                return err_set(err, TARN_ERR_CORRUPT, "%s: negative length %" PRId32
                               " of value %" PRIu32, what, l, i + j);
            out[i + j].len = (uint32_t)l;
        }
        i += k;
    }
    if (delta_remaining(&d)) {
        rc = delta_skip_rest(&d, what, err);
        if (rc)
            return rc;
    }
    size_t pos = d.used;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t l = out[i].len;
        if (l > len - pos)
            return err_set(err, TARN_ERR_CORRUPT,
                           "%s: value %" PRIu32 " of length %" PRIu32
                           " runs past end of page (%zu bytes left)",
                           what, i, l, len - pos);
        out[i].ptr = (const char *)p + pos;
        pos += l;
    }
    *used_out = pos;
    return 0;
}

/* pq_delta_length_ba_decode - views point into p. */
int pq_delta_length_ba_decode(const uint8_t *p, size_t len, uint32_t n, StrView *out,
                              size_t *used_out, TarnError *err)
{
    int rc = dlba_decode(p, len, n, out, used_out, DLBA, err);
    if (rc)
        return rc;
    for (uint32_t i = 0; i < n; i++)
        out[i].pad_ = 0;
    return 0;
}

/* Rebuilt bytes of one DELTA_BYTE_ARRAY page may not exceed this. */
#define DBA_MAX_BYTES ((uint64_t)INT32_MAX)

/* pq_delta_ba_decode - values with an empty prefix point straight into p;
 * the others are rebuilt from the previous value's prefix + suffix in one
 * arena allocation. */
int pq_delta_ba_decode(const uint8_t *p, size_t len, uint32_t n, StrView *out, Arena *a,
                       size_t *used_out, TarnError *err)
{
    if (n == 0 && len == 0) {
        *used_out = 0;
        return 0;
    }
    /* Prefix lengths, parked in out[].pad_. */
    DeltaDec d;
    int rc = delta_init(&d, p, len, DBA, err);
    if (rc)
        return rc;
    if (n > d.total)
        return err_set(err, TARN_ERR_CORRUPT,
                       "%s: %" PRIu32 " values requested but the page holds %" PRIu64, DBA, n,
                       d.total);
    uint64_t tmp[256];
    for (uint32_t i = 0; i < n;) {
        uint32_t k = n - i < 256 ? n - i : 256;
        rc = delta_read(&d, tmp, k, DBA, err);
        if (rc)
            return rc;
        for (uint32_t j = 0; j < k; j++) {
            int32_t l = (int32_t)(uint32_t)tmp[j];
            if (l < 0)
                return err_set(err, TARN_ERR_CORRUPT,
                               "%s: negative prefix length %" PRId32 " of value %" PRIu32, DBA,
                               l, i + j);
            out[i + j].pad_ = (uint32_t)l;
        }
        i += k;
    }
    if (delta_remaining(&d)) {
        rc = delta_skip_rest(&d, DBA, err);
        if (rc)
            return rc;
    }
    size_t pos = d.used, used2;
    rc = dlba_decode(p + pos, len - pos, n, out, &used2, DBA, err);
    if (rc)
        return rc;

    /* Check prefixes and size the rebuilt bytes. */
    uint64_t total = 0, prev_len = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t pre = out[i].pad_;
        if (pre > prev_len)
            return err_set(err, TARN_ERR_CORRUPT,
                           "%s: prefix length %" PRIu32 " of value %" PRIu32
                           " exceeds previous value's length %" PRIu64,
                           DBA, pre, i, prev_len);
        prev_len = (uint64_t)pre + out[i].len;
        if (prev_len > UINT32_MAX)
            return err_set(err, TARN_ERR_CORRUPT, "%s: value %" PRIu32 " longer than 4 GiB",
                           DBA, i);
        if (pre)
            total += prev_len;
        if (total > DBA_MAX_BYTES)
            return err_set(err, TARN_ERR_CORRUPT,
                           "%s: values expand to more than %" PRIu64 " bytes", DBA,
                           DBA_MAX_BYTES);
    }
    char *dst = NULL;
    if (total) {
        dst = arena_alloc(a, (size_t)total);
        if (!dst)
            return ERR_NOMEM(err, total);
    }
    const char *prev_ptr = NULL;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t pre = out[i].pad_;
        out[i].pad_ = 0;
        if (pre) {
            memcpy(dst, prev_ptr, pre);
            if (out[i].len)
                memcpy(dst + pre, out[i].ptr, out[i].len);
            out[i].ptr = dst;
            out[i].len += pre;
            dst += out[i].len;
        }
        prev_ptr = out[i].ptr;
    }
    *used_out = pos + used2;
    return 0;
}

/* pq_delta_length_ba_encode - lengths as DELTA_BINARY_PACKED, then bytes. */
int pq_delta_length_ba_encode(const StrView *v, uint32_t n, Buf *out)
{
    if (delta_enc_seq(v, n, SEQ_LENGTH, out))
        return TARN_ERR_NOMEM;
    size_t total = 0;
    for (uint32_t i = 0; i < n; i++)
        total += v[i].len;
    if (buf_reserve(out, total))
        return TARN_ERR_NOMEM;
    uint8_t *o = out->data + out->len;
    for (uint32_t i = 0; i < n; i++) {
        if (v[i].len)
            memcpy(o, v[i].ptr, v[i].len);
        o += v[i].len;
    }
    out->len += total;
    return 0;
}

/* pq_delta_ba_encode - prefix lengths shared with the previous value, then
 * the suffixes as DELTA_LENGTH_BYTE_ARRAY. */
int pq_delta_ba_encode(const StrView *v, uint32_t n, Buf *out)
{
    if (delta_enc_seq(v, n, SEQ_PREFIX, out) || delta_enc_seq(v, n, SEQ_SUFFIX, out))
        return TARN_ERR_NOMEM;
    size_t total = 0;
    for (uint32_t i = 0; i < n; i++)
        total += v[i].len;
    if (buf_reserve(out, total))
        return TARN_ERR_NOMEM;
    uint8_t *o = out->data + out->len;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t pre = i ? common_prefix(&v[i - 1], &v[i]) : 0;
        uint32_t suf = v[i].len - pre;
        if (suf)
            memcpy(o, v[i].ptr + pre, suf);
        o += suf;
    }
    out->len = (size_t)(o - out->data);
    return 0;
}

/* ---- BYTE_STREAM_SPLIT ------------------------------------------------- */

/* pq_bss_decode - stream k (byte k of every value) starts at k * n.  n must
 * be the number of values encoded in the page: the streams are n bytes
 * apart.  Extra bytes after the streams are ignored. */
int pq_bss_decode(const uint8_t *p, size_t len, uint32_t n, int width, uint8_t *out,
                  TarnError *err)
{
    if (width <= 0)
        return err_set(err, TARN_ERR_CORRUPT, "BYTE_STREAM_SPLIT: invalid value width %d", width);
    uint64_t need = (uint64_t)n * (uint64_t)width;
    if (need > len)
        return err_set(err, TARN_ERR_CORRUPT,
                       "BYTE_STREAM_SPLIT: %" PRIu32 " values of %d bytes need %" PRIu64
                       " bytes, page has %zu",
                       n, width, need, len);
    const size_t N = n;
    switch (width) {
    case 4:
        for (size_t i = 0; i < N; i++) {
            out[4 * i + 0] = p[i];
            out[4 * i + 1] = p[N + i];
            out[4 * i + 2] = p[2 * N + i];
            out[4 * i + 3] = p[3 * N + i];
        }
        break;
    case 8:
        for (size_t i = 0; i < N; i++) {
            uint64_t x = (uint64_t)p[i] | (uint64_t)p[N + i] << 8 | (uint64_t)p[2 * N + i] << 16 |
                         (uint64_t)p[3 * N + i] << 24 | (uint64_t)p[4 * N + i] << 32 |
                         (uint64_t)p[5 * N + i] << 40 | (uint64_t)p[6 * N + i] << 48 |
                         (uint64_t)p[7 * N + i] << 56;
            store_le64(out + 8 * i, x);
        }
        break;
    default:
        for (size_t k = 0; k < (size_t)width; k++) {
            const uint8_t *s = p + k * N;
            uint8_t *o = out + k;
            for (size_t i = 0; i < N; i++)
                o[i * (size_t)width] = s[i];
        }
        break;
    }
    return 0;
}

/* pq_bss_encode - n values of width bytes into width streams. */
int pq_bss_encode(const uint8_t *v, uint32_t n, int width, Buf *out)
{
    if (width <= 0)
        return TARN_ERR_INVALID;
    const size_t N = n, W = (size_t)width;
    if (buf_reserve(out, N * W))
        return TARN_ERR_NOMEM;
    uint8_t *o = out->data + out->len;
    if (W == 4) {
        for (size_t i = 0; i < N; i++) {
            o[i] = v[4 * i];
            o[N + i] = v[4 * i + 1];
            o[2 * N + i] = v[4 * i + 2];
            o[3 * N + i] = v[4 * i + 3];
        }
    } else {
        for (size_t k = 0; k < W; k++) {
            uint8_t *s = o + k * N;
            const uint8_t *src = v + k;
            for (size_t i = 0; i < N; i++)
                s[i] = src[i * W];
        }
    }
    out->len += N * W;
    return 0;
}
