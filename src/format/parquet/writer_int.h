/*
 * writer_int.h - internals shared by the Parquet writer's files:
 *   writer.c         file layout, schema mapping, shredding, row groups, footer
 *   writer_column.c  one leaf column: pages, dictionary, page-index records
 *                    and bloom-filter hashes of a column chunk
 *   writer_stats.c   statistics, and the chunk's ColumnMetaData, page index
 *                    and bloom filter
 *
 * Data flow: pq_writer_write cuts the batch into slices that never cross a
 * row-group boundary; each leaf column gets its slice as definition and
 * repetition levels plus the positions of its non-null values in the leaf
 * vector (pqw_col_add).  The column stages values for the current page
 * (dictionary indices, or PLAIN bytes), closes pages at record boundaries
 * when page_rows / page_bytes is reached, and keeps the encoded, compressed
 * pages of its chunk in memory until the row group is flushed.
 *
 * Not part of the module's interface: only writer*.c include this.
 */
#ifndef TARN_FORMAT_PARQUET_WRITER_INT_H
#define TARN_FORMAT_PARQUET_WRITER_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "format/parquet/meta.h"
#include "format/parquet/writer.h"
#include "util/err.h"
#include "util/mem.h"
#include "vector/vector.h"

/* One step of the path from a top-level vector down to a leaf vector. */
enum { PQW_STEP_STRUCT = 0, PQW_STEP_LIST = 1, PQW_STEP_MAP = 2, PQW_STEP_LEAF = 3 };

typedef struct PqwStep {
    uint8_t kind;       /* PQW_STEP_* of the vector at this step */
    bool nullable;      /* OPTIONAL in Parquet: adds a definition level */
    uint16_t rep_level; /* LIST/MAP: repetition level of the elements */
    uint32_t child;     /* child vector to descend into (STRUCT field, MAP 0 key / 1 value) */
} PqwStep;

/* How a tarn vector's values become the column's physical values. */
typedef enum PqwSrc {
    PQW_SRC_BOOL,       /* uint8 -> BOOLEAN */
    PQW_SRC_I8,         /* int8 -> INT32 */
    PQW_SRC_U8,         /* uint8 -> INT32 */
    PQW_SRC_I16,        /* int16 -> INT32 */
    PQW_SRC_U16,        /* uint16 -> INT32 */
    PQW_SRC_I32,        /* int32 / uint32 / date -> INT32 */
    PQW_SRC_I64_TO_I32, /* DECIMAL(p<=9) held as int64 -> INT32 */
    PQW_SRC_I64,        /* int64 / uint64 / time / timestamps / DECIMAL(p<=18) -> INT64 */
    PQW_SRC_FLOAT,
    PQW_SRC_DOUBLE,
    PQW_SRC_STR,        /* StrView -> BYTE_ARRAY */
    PQW_SRC_UUID,       /* 16 bytes -> FLBA(16) */
    PQW_SRC_DEC128,     /* int128 -> FLBA(n) big-endian two's complement */
    PQW_SRC_INTERVAL,   /* Interval -> FLBA(12) months, days, millis */
    PQW_SRC_NULL        /* always NULL (INT32, LogicalType UNKNOWN) */
} PqwSrc;

/* Sort order of the column's statistics. */
typedef enum PqwOrder {
    PQW_ORD_SIGNED,      /* INT32 / INT64 signed */
    PQW_ORD_UNSIGNED,    /* INT32 / INT64 holding unsigned integers */
    PQW_ORD_FLOAT,       /* FLOAT / DOUBLE, NaN ignored */
    PQW_ORD_BYTES,       /* byte-wise unsigned (strings, binary, UUID) */
    PQW_ORD_FLBA_SIGNED, /* big-endian two's complement (DECIMAL in FLBA) */
    PQW_ORD_BOOL,
    PQW_ORD_NONE         /* undefined (INTERVAL, NULL): no min/max */
} PqwOrder;

/* Running min/max/null statistics of a page or a chunk. */
typedef struct PqwStats {
    bool has_minmax;       /* at least one non-null, non-NaN value seen */
    int64_t null_count;
    union {
        int32_t i32;
        int64_t i64;
        float f32;
        double f64;
        uint8_t b;
    } min, max;            /* fixed-width physical types */
    Buf min_b, max_b;      /* BYTE_ARRAY / FLBA: owned copies */
} PqwStats;

/* What the page index needs to know about one data page. */
typedef struct PqwPageRec {
    int64_t offset;        /* of the page header within PqwCol.pages */
    int32_t size;          /* header + page body bytes */
    int64_t first_row;     /* within the row group */
    int64_t null_count;
    bool null_page;        /* no non-null value */
    bool has_minmax;
    uint32_t min_off, min_len, max_off, max_len; /* statistics bytes in PqwCol.rec_bytes */
} PqwPageRec;

/* Dictionary hash-table slot: key is the value's bits (types up to 8
 * bytes) or its 64-bit hash (byte arrays, FLBA); idx1 = entry index + 1,
 * 0 = empty. */
typedef struct PqwSlot {
    uint64_t key;
    uint32_t idx1;
    uint32_t pad_;
} PqwSlot;

/* Compact slot for 4-byte keys (INT32, FLOAT): half the cache footprint. */
typedef struct PqwSlot32 {
    uint32_t key;
    uint32_t idx1;
} PqwSlot32;

/* A byte-array dictionary entry: bytes at dict_vals.data + off. */
typedef struct PqwSpan {
    uint32_t off, len;
} PqwSpan;

/* Options a column needs, copied from PqWriteOptions after defaults. */
typedef struct PqwColOpts {
    PqCodec codec;
    int level;
    int32_t page_rows;
    int64_t page_bytes;
    int64_t dict_max_bytes;
    bool page_crc;
    bool page_index;
    int page_version;      /* 1 or 2 */
    int force_encoding;    /* -1 = automatic */
    bool bloom;            /* build a bloom filter for this column */
    double bloom_fpp;
} PqwColOpts;

/* One leaf column of the file and its chunk in the current row group. */
typedef struct PqwCol {
    /* ---- static description (set by writer.c) ---- */
    char *name;            /* dotted path for messages; owned */
    const char **path;     /* path_in_schema, in the writer's metadata arena */
    int32_t n_path;
    PqwStep *steps;        /* owned; steps[0] is the top-level vector */
    uint32_t n_steps;
    uint32_t top;          /* top-level column index */
    PqPhysType phys;
    int32_t type_length;   /* FLBA width, else 0 */
    PqwSrc src;
    PqwOrder order;
    uint16_t max_def, max_rep;
    int def_bits, rep_bits;
    bool legacy_stats;     /* also write deprecated Statistics.min/max */
    bool utf8;             /* truncate statistics at UTF-8 boundaries */
    PqwColOpts o;

    /* ---- derived by pqw_col_init ---- */
    int width;             /* staged bytes per value (fixed types; bool 1), 0 = BYTE_ARRAY */
    int enc;               /* non-dictionary value encoding */
    bool dict_allowed;     /* start each chunk with a dictionary */
    bool dict_unlimited;   /* forced RLE_DICTIONARY: never fall back */

    /* ---- page under construction ---- */
    uint16_t *def, *rep;   /* owned; lvl_cap entries */
    uint32_t lvl_cap;
    uint32_t n_entries;    /* levels (values incl. nulls) */
    uint32_t n_values;     /* non-null values */
    uint32_t n_rows;       /* records started in this page */
    uint32_t *idx;         /* owned dictionary indices; idx_cap entries */
    uint32_t idx_cap;
    Buf plain;             /* PLAIN-staged values (BOOLEAN: one byte each) */
    int64_t page_est;      /* PLAIN bytes of the page's values */
    PqwStats ps;

    /* ---- chunk ---- */
    bool dict_on;          /* new values go to the dictionary */
    bool dict_used;        /* a data page of this chunk is dictionary-encoded */
    bool dict_exact;       /* every value of the chunk went through the dictionary */
    int64_t dict_vals_total;  /* values in dictionary-encoded pages of the chunk */
    int64_t dict_plain_total; /* their PLAIN size */
    Buf pages;             /* encoded data pages: header + body each */
    Buf dict_page;         /* the dictionary page, built at chunk end */
    int64_t unc_bytes;     /* headers + uncompressed bodies, data pages */
    int64_t dict_unc_bytes;
    int64_t chunk_entries; /* ColumnMetaData.num_values */
    int64_t chunk_rows;
    int32_t n_dict_pages_data;  /* data pages in RLE_DICTIONARY */
    int32_t n_plain_pages_data; /* data pages in enc */
    PqwStats cs;
    PqwPageRec *recs;      /* owned */
    uint32_t n_recs, recs_cap;
    Buf rec_bytes;         /* page statistics bytes for the column index */

    /* ---- dictionary ---- */
    PqwSlot *slots;        /* owned open-addressing table; slot_cap entries */
    PqwSlot32 *slots32;    /* owned; used instead of slots for 4-byte keys */
    uint32_t slot_cap;
    int slot_shift;        /* 64 - log2(slot_cap) */
    uint32_t n_dict;
    Buf dict_vals;         /* fixed: PLAIN values; byte arrays: concatenated bytes */
    PqwSpan *spans;        /* owned; byte-array entries */
    uint32_t spans_cap;
    int64_t dict_bytes;    /* PLAIN size of the dictionary page */
    uint32_t *stamp;       /* owned; page number that last saw each entry */
    uint32_t stamp_cap;
    uint32_t page_no;

    /* ---- bloom filter: distinct value hashes of the chunk ---- */
    uint64_t *bh;          /* owned open-addressing set; 0 = empty */
    uint32_t bh_cap, bh_n;
    bool bh_zero;          /* the hash 0 was seen */

    /* ---- scratch, reused across pages ---- */
    Buf gather, body, comp, hdr, tmp;
} PqwCol;

/* ---- writer_stats.c ---------------------------------------------------------- */

/* Byte-wise unsigned order, shorter first on a common prefix. */
static inline int pqw_cmp_bytes(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
    size_t n = al < bl ? al : bl;
    int r = n ? memcmp(a, b, n) : 0;
    if (r)
        return r;
    return al < bl ? -1 : al > bl ? 1 : 0;
}

/* Big-endian two's complement order of two w-byte values (FLBA decimals). */
static inline int pqw_cmp_flba_signed(const uint8_t *a, const uint8_t *b, int w)
{
    int x = a[0] ^ 0x80, y = b[0] ^ 0x80;
    if (x != y)
        return x < y ? -1 : 1;
    return w > 1 ? memcmp(a + 1, b + 1, (size_t)w - 1) : 0;
}

/* Compares two statistics values (PLAIN bytes) in the column's order. */
int pqw_cmp_stat(const PqwCol *c, const uint8_t *a, size_t al, const uint8_t *b, size_t bl);

void pqw_stats_clear(PqwStats *s);
void pqw_stats_free(PqwStats *s);
/* Running min/max over n physical values (NaN skipped for floats; uns:
 * unsigned order for INT32/INT64). */
void pqw_stats_i32(PqwStats *s, const int32_t *v, uint32_t n, bool uns);
void pqw_stats_i64(PqwStats *s, const int64_t *v, uint32_t n, bool uns);
void pqw_stats_f32(PqwStats *s, const float *v, uint32_t n);
void pqw_stats_f64(PqwStats *s, const double *v, uint32_t n);
void pqw_stats_bool(PqwStats *s, const uint8_t *v, uint32_t n);
/* Offers byte-array / FLBA candidates for min and max (copied when they
 * win).  Returns 0 or TARN_ERR_NOMEM. */
int pqw_stats_offer_bytes(const PqwCol *c, PqwStats *s, const uint8_t *mn, size_t mn_len,
                          const uint8_t *mx, size_t mx_len);
/* Merges page statistics into chunk statistics; 0 or TARN_ERR_NOMEM. */
int pqw_stats_merge(const PqwCol *c, PqwStats *dst, const PqwStats *src);
/* Fills st from s (the column's order, truncation, exactness, legacy
 * fields).  The min/max bytes are appended to store, which is grown first
 * so that the pointers stay valid until store is appended to again.
 * Returns 0 or TARN_ERR_NOMEM. */
int pqw_stats_export(const PqwCol *c, const PqwStats *s, Buf *store, PqStatistics *st);

/* ---- writer_column.c ---------------------------------------------------------- */

/* Derives the encoding plan and allocates nothing yet. */
int pqw_col_init(PqwCol *c, TarnError *err);
void pqw_col_free(PqwCol *c);

/* Adds n_entries levels of a slice to the column.  def/rep may be NULL
 * (every entry at max_def / a new record).  Values: the leaf vector's
 * values at sel[0..n_values) or, when sel is NULL, at base..base+n_values. */
int pqw_col_add(PqwCol *c, const Vector *leaf, uint32_t n_entries, const uint16_t *def,
                const uint16_t *rep, const uint32_t *sel, uint32_t base, uint32_t n_values,
                TarnError *err);

/* Estimated uncompressed bytes of the chunk so far (pages + staged page). */
int64_t pqw_col_chunk_bytes(const PqwCol *c);
/* Compressed bytes of finished pages (for pq_writer_bytes). */
int64_t pqw_col_pending_bytes(const PqwCol *c);

/* Closes the chunk: flushes the staged page and builds the dictionary page. */
int pqw_col_finish(PqwCol *c, TarnError *err);

/* Fills *out for the finished chunk that starts at file offset start
 * (dictionary page, then c->pages).  Statistics, paths and arrays go to the
 * metadata arena `meta`.  Column / offset index and bloom filter bytes are
 * appended to the three areas; their offsets in *out are relative to the
 * area's start until the writer adds the area's file offset at close. */
int pqw_col_chunk_meta(PqwCol *c, int64_t start, Arena *meta, Arena *tmp, PqColumnChunk *out,
                       Buf *bloom_area, Buf *ci_area, Buf *oi_area, TarnError *err);

/* Forgets the chunk (after it was written) and prepares the next one. */
void pqw_col_reset(PqwCol *c);

#endif
