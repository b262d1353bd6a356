/*
 * reader_int.h - shared inside the Parquet reader: the per-column chunk
 * reader (reader_column.c), nested assembly (reader_assemble.c) and the
 * reader proper (reader.c).
 *
 * Buffer lifetimes: string values handed out in a batch point into page
 * buffers, dictionary buffers or the column chunk buffer.  Such buffers are
 * never freed while a batch may reference them: when a page (or a chunk) is
 * finished its buffers move to the reader's retired list, which is freed at
 * the start of the next pq_reader_next call.
 */
#ifndef TARN_FORMAT_PARQUET_READER_INT_H
#define TARN_FORMAT_PARQUET_READER_INT_H

#include "format/parquet/encoding.h"
#include "format/parquet/reader.h"
#include "format/parquet/schema.h"

typedef struct PqReader PqReader;

/* Levels and dense values of some records of one leaf (nested columns). */
typedef struct LevelBuf {
    uint16_t *def, *rep;
    uint32_t n, cap;        /* level entries */
    uint8_t *vals;          /* dense non-null values, target representation */
    uint32_t n_vals, cap_vals;
    uint32_t width;         /* bytes per value */
} LevelBuf;

typedef struct ColReader {
    PqReader *r;
    const PqLeaf *d;
    int leaf_index;
    uint32_t width;              /* target value width (type_width) */

    /* The column chunk of the current row group. */
    const PqColumnMetaData *meta;
    uint8_t *chunk;              /* owned; kept as `spare` at chunk end */
    size_t chunk_len, chunk_cap;
    uint8_t *spare;              /* the previous chunk's buffer, reused by the next chunk */
    size_t spare_cap;
    size_t pos;                  /* offset of the next page header in chunk */
    int64_t chunk_values;        /* level entries in the chunk per metadata */
    int64_t values_loaded;       /* level entries in pages loaded so far */
    bool first_page;             /* no data page loaded yet in this chunk */
    const PqOffsetIndex *oi;     /* offset index of this chunk, or NULL */
    uint64_t chunk_file_off;     /* file offset of chunk[0] */
    int64_t rg_row;              /* row index (in the row group) of the next record */

    /* Dictionary (target representation). */
    uint8_t *dict;               /* owned (retired at chunk end) */
    uint32_t dict_n;
    uint8_t *dict_page;          /* owned decompressed dictionary page (strings point here) */
    Arena *dict_arena;           /* DELTA_BYTE_ARRAY dictionary strings, if any */
    bool dict_deferred;          /* the chunk starts with a dictionary page not loaded yet
                                  * (a jump skipped it): loaded by the first page that needs it */

    /* Current data page. */
    bool page_loaded;
    uint32_t page_n;             /* level entries in the page */
    uint32_t page_pos;           /* level entries consumed */
    uint16_t *defs, *reps;       /* page levels (NULL when the max level is 0) */
    bool all_defined;            /* every definition level of the page is the maximum: defs not filled */
    uint32_t lev_cap;
    const uint8_t *vals;         /* dense values of the page, target representation (stream 0) */
    uint32_t vals_n, vals_pos;   /* non-null values in the page / taken so far */
    /* Streaming value decoding (no intermediate copy) for the common cases:
     * 1 = PLAIN fixed width, 2 = PLAIN byte arrays as views, 3 = dictionary
     * indices; 0 = the page was decoded whole into `vals`. */
    int stream;
    const uint8_t *sp, *send;    /* PLAIN cursor */
    uint32_t pw;                 /* physical width for stream 1 */
    PqRleDecoder sdec;           /* dictionary indices for stream 3 */
    uint8_t *scratch;            /* owned reusable buffer for converted values */
    size_t scratch_cap;
    void **page_allocs;          /* allocations living as long as the page */
    int n_page_allocs, cap_page_allocs;
    void **chunk_allocs;         /* allocations living as long as the chunk (dictionary page) */
    int n_chunk_allocs, cap_chunk_allocs;

    LevelBuf lb;                 /* for nested assembly */
} ColReader;

struct PqReader {
    PqSource src;
    char *name;                  /* file name for messages */
    Arena meta_arena;            /* footer, schema */
    Arena hdr_arena;             /* page headers; reset per page */
    Arena idx_arena;             /* page indexes of the current row group */
    PqFileMetaData md;
    PqSchema ps;
    Schema proj;                 /* projected schema (copies of the fields) */
    int *proj_fields;            /* top-level field index per projected column */
    int n_proj;
    PqReadOptions opt;
    PqPredicate *preds;          /* copies */
    int n_preds;
    ColReader *cols;             /* one per leaf of the file (only projected ones used) */
    bool *leaf_needed;
    int rg;                      /* current row group, -1 before the first */
    int64_t rg_rows;             /* rows in the current row group */
    int64_t rg_row;              /* next row to return within it */
    /* Selected row ranges of the current row group (page index skipping). */
    int64_t *ranges;             /* pairs [start, end) */
    int n_ranges, cap_ranges;
    int range_i;
    void **retired;
    int n_retired, cap_retired;
    void *pool[256];             /* finished buffers kept for reuse (pq_rd_alloc) */
    int n_pool;
    size_t pool_bytes;
    PqReadStats stats;
    int64_t *rg_first;           /* file row of each row group's first row; [n_row_groups] = total */
    int64_t batch_row;           /* file row of the last batch's first row */
};

/* Buffers whose lifetime ends by retirement (pages, dictionaries, column
 * chunks) come from pq_rd_alloc: they carry their capacity, so a retired
 * buffer is reused by a later allocation instead of going back to malloc
 * (no page faults for every page of a scan).  Free them only with
 * pq_rd_free or pq_reader_retire. */
void *pq_rd_alloc(PqReader *r, size_t n);
void pq_rd_free(void *p);

/* Queues p (from pq_rd_alloc) to be released at the start of the next
 * pq_reader_next (into the reuse pool, or freed). */
int pq_reader_retire(PqReader *r, void *p, TarnError *err);

/* Column reader (reader_column.c). */
/* Rows [row_s, row_e) of the row group will be read: with an offset index,
 * only the dictionary and the pages holding them are read from the file. */
int col_open_chunk(ColReader *c, const PqColumnChunk *cc, const PqOffsetIndex *oi, int64_t row_s, int64_t row_e,
                   int64_t rg_rows, TarnError *err);
void col_close_chunk(ColReader *c);
void col_destroy(ColReader *c);
/* Flat (max_rep == 0) column: appends n values to v. */
int col_read_flat(ColReader *c, Vector *v, uint32_t n, TarnError *err);
/* Any column: reads the levels and dense values of n records into c->lb
 * (which is cleared first).  Returns the number of records read in *got. */
int col_read_records(ColReader *c, uint32_t n, uint32_t *got, TarnError *err);
/* Skips n records (using the offset index to jump over whole pages). */
int col_skip_records(ColReader *c, int64_t n, TarnError *err);

/* Nested assembly (reader_assemble.c): builds v (a top-level field) from
 * the level buffers of the leaves under node. */
int pq_assemble(PqReader *r, const PqNode *node, Vector *v, TarnError *err);

#endif
