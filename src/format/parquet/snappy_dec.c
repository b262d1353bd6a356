/*
 * snappy_dec.c - a Snappy raw-format decompressor (format_description.txt
 * of google/snappy) for Parquet pages.
 *
 * Why not libsnappy's: on Parquet pages (short literals and copies of
 * 4-64 bytes: PLAIN integers, dictionary indices) libsnappy 1.1.9 as
 * Debian builds it calls libc memmove for nearly every element; TPC-H scans
 * spent a third of their time there.  This one copies short elements with
 * fixed 16-byte moves while both buffers have 64 bytes of room, and falls
 * back to exact, checked copies near the ends, so callers need no slack.
 *
 * Every length and offset is checked against both buffers before use: a
 * malformed stream is an error, never a read or write out of bounds.  The
 * output must be exactly dst_len bytes (the page header's size).
 */
#include <string.h>

#include "format/parquet/compress.h"

static inline void copy16(uint8_t *d, const uint8_t *s)
{
    uint8_t t[16];
    memcpy(t, s, 16);
    memcpy(d, t, 16);
}

static inline void copy8(uint8_t *d, const uint8_t *s)
{
    uint8_t t[8];
    memcpy(t, s, 8);
    memcpy(d, t, 8);
}

static inline uint32_t ld_le(const uint8_t *p, uint32_t n)
{
    uint32_t v = 0;
    for (uint32_t i = 0; i < n; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

int pq_snappy_length(const uint8_t *src, size_t src_len, size_t *ulen, size_t *hdr)
{
    uint64_t v = 0;
    for (size_t i = 0; i < 5; i++) {
        if (i >= src_len)
            return -1;
        v |= (uint64_t)(src[i] & 0x7f) << (7 * i);
        if (!(src[i] & 0x80)) {
            if (v > UINT32_MAX)
                return -1;
            *ulen = (size_t)v;
            *hdr = i + 1;
            return 0;
        }
    }
    return -1;
}

int pq_snappy_decompress(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len)
{
    size_t ulen, hdr;
    if (pq_snappy_length(src, src_len, &ulen, &hdr) || ulen != dst_len)
        return -1;
    const uint8_t *ip = src + hdr, *ip_end = src + src_len;
    uint8_t *op = dst, *op_end = dst + dst_len;
    while (ip < ip_end) {
        uint32_t tag = *ip++;
        if ((tag & 3) == 0) {
            size_t len = (tag >> 2) + 1;
            if (len > 60) {
                uint32_t nb = (uint32_t)len - 60;
                if ((size_t)(ip_end - ip) < nb)
                    return -1;
                len = (size_t)ld_le(ip, nb) + 1;
                ip += nb;
            }
            if (len <= 16 && ip_end - ip >= 16 && op_end - op >= 16) {
                copy16(op, ip);
            } else {
                if (len > (size_t)(ip_end - ip) || len > (size_t)(op_end - op))
                    return -1;
                memcpy(op, ip, len);
            }
            ip += len;
            op += len;
            continue;
        }
        size_t len, off;
        switch (tag & 3) {
        case 1:
            if (ip >= ip_end)
                return -1;
            len = 4 + ((tag >> 2) & 7);
            off = ((size_t)(tag >> 5) << 8) | *ip++;
            break;
        case 2:
            if (ip_end - ip < 2)
                return -1;
            len = 1 + (tag >> 2);
            off = ld_le(ip, 2);
            ip += 2;
            break;
        default:
            if (ip_end - ip < 4)
                return -1;
            len = 1 + (tag >> 2);
            off = ld_le(ip, 4);
            ip += 4;
            break;
        }
        if (off == 0 || off > (size_t)(op - dst) || len > (size_t)(op_end - op))
            return -1;
        const uint8_t *from = op - off;
        if (op_end - op >= 80) {
            /* len <= 64: the moves may write up to 15 bytes past the
             * element, still inside the buffer (overwritten later). */
            if (off >= 16) {
                /* Each 16-byte source ends at or before its destination. */
                copy16(op, from);
                if (len > 16)
                    for (size_t i = 16; i < len; i += 16)
                        copy16(op + i, from + i);
            } else if (off >= 8) {
                copy8(op, from);
                copy8(op + 8, from + 8);
                if (len > 16)
                    for (size_t i = 16; i < len; i += 8)
                        copy8(op + i, from + i);
            } else {
                for (size_t i = 0; i < len; i++)
                    op[i] = from[i];
            }
        } else {
            for (size_t i = 0; i < len; i++)
                op[i] = from[i];
        }
        op += len;
    }
    return op == op_end ? 0 : -1;
}
