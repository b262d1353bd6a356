/*
 * fuzz_parquet.c - libFuzzer target for the Parquet reader.
 *
 * The input is a whole Parquet file.  It is opened from memory through
 * pq_reader_open_source and every batch is read, with page CRC checks off
 * so that mutated pages reach the decoders instead of stopping at the CRC.
 * Every value handed back is touched (string bytes included), so ASan sees
 * any view into freed or foreign memory, and the layout invariants that
 * vector.h promises are checked: a violation is a reader bug and traps.
 * The footer is also decoded directly with pq_decode_file_metadata.
 *
 * A clean error (rc != 0 with a message) is the expected outcome for most
 * inputs; only crashes, sanitizer reports, hangs, leaks and broken
 * invariants are findings.  Build and run: make fuzz (tools/fuzz.sh).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/parquet/meta.h"
#include "format/parquet/reader.h"
#include "util/mem.h"
#include "vector/vector.h"

#include "fuzz_common.h"

typedef struct MemFile {
    const uint8_t *data;
    size_t size;
} MemFile;

static int mem_read(void *ctx, uint64_t offset, size_t len, void *buf, TarnError *err)
{
    const MemFile *f = ctx;
    if (offset > f->size || len > f->size - offset)
        return err_set(err, TARN_ERR_CORRUPT, "read of %zu bytes at offset %llu past the end (%zu)",
                       len, (unsigned long long)offset, f->size);
    if (len)
        memcpy(buf, f->data + offset, len);
    return 0;
}

static void read_all(const uint8_t *data, size_t size, const PqReadOptions *opt)
{
    static MemFile file;
    file.data = data;
    file.size = size;
    PqSource src = {&file, size, mem_read, NULL, "fuzz.parquet"};
    TarnError err;
    err_clear(&err);
    PqReader *r = pq_reader_open_source(src, opt, &err);
    if (!r) {
        CHECK(err.kind != 0 && err.message[0]);
        return;
    }
    const Schema *s = pq_reader_schema(r);
    CHECK(s != NULL);
    Batch b;
    if (batch_init(&b, s) == 0) {
        int64_t rows = 0;
        for (int guard = 0; guard < 1000000; guard++) {
            int rc = pq_reader_next(r, &b, &err);
            if (rc) {
                CHECK(err.kind != 0 && err.message[0]);
                break;
            }
            if (b.n_rows == 0)
                break;
            CHECK(b.n_cols == s->n_fields);
            for (uint32_t c = 0; c < b.n_cols; c++) {
                CHECK(b.cols[c].len == b.n_rows);
                touch_vector(&b.cols[c], 0, b.n_rows);
            }
            rows += b.n_rows;
        }
        (void)rows;
        batch_destroy(&b);
    }
    PqReadStats st;
    pq_reader_stats(r, &st);
    pq_reader_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* 1. The footer alone, through the metadata decoder. */
    if (size >= 12 && memcmp(data + size - 4, "PAR1", 4) == 0) {
        uint32_t flen = load_le32(data + size - 8);
        if (flen <= size - 8) {
            Arena a;
            arena_init(&a, 0);
            PqFileMetaData md;
            TarnError err;
            err_clear(&err);
            if (pq_decode_file_metadata(data + size - 8 - flen, flen, &a, &md, &err) != 0)
                CHECK(err.kind != 0);
            arena_free(&a);
        }
    }

    /* 2. The whole file through the reader, every column. */
    PqReadOptions opt;
    pq_read_options_default(&opt);
    opt.verify_crc = false;
    opt.batch_rows = 1000;
    read_all(data, size, &opt);

    /* 3. Once more with CRC checks on and tiny batches (another code path
     *    through page boundaries), only for small inputs to keep speed. */
    if (size < 4096) {
        pq_read_options_default(&opt);
        opt.batch_rows = 7;
        read_all(data, size, &opt);
    }
    return 0;
}
