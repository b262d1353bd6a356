/*
 * make_seeds.c - cuts the Thrift structures out of Parquet files, as seeds
 * for fuzz_thrift (tests/fuzz/make_corpus.sh builds and runs it).
 *
 *   make_seeds OUTDIR PREFIX FILE.parquet
 *
 * Writes OUTDIR/PREFIX-KIND-N, each the selector byte fuzz_thrift expects
 * followed by the bytes of one structure: 0 the footer (FileMetaData),
 * 1 a page header (at every column chunk's dictionary and first data page),
 * 2 a ColumnIndex, 3 an OffsetIndex, 4 a BloomFilterHeader.  Page headers
 * and bloom headers are followed by whatever bytes come after them (at most
 * 256), as the decoders see them in a file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/parquet/meta.h"
#include "util/mem.h"

static int n_written;

static void emit(const char *dir, const char *prefix, const char *kind, int sel,
                 const uint8_t *p, size_t n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s-%s-%d", dir, prefix, kind, n_written++);
    FILE *f = fopen(path, "wb");
    if (!f)
        return;
    uint8_t s = (uint8_t)sel;
    fwrite(&s, 1, 1, f);
    fwrite(p, 1, n, f);
    fclose(f);
}

/* Emits file[off, off + len) (len < 0: up to 256 bytes) when inside the file. */
static void emit_at(const char *dir, const char *prefix, const char *kind, int sel, const Buf *file,
                    int64_t off, int64_t len)
{
    if (off < 0 || (uint64_t)off >= file->len)
        return;
    if (len < 0)
        len = 256;
    if ((uint64_t)(off + len) > file->len)
        len = (int64_t)file->len - off;
    emit(dir, prefix, kind, sel, file->data + off, (size_t)len);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: make_seeds OUTDIR PREFIX FILE.parquet\n");
        return 2;
    }
    const char *dir = argv[1], *prefix = argv[2];
    TarnError err;
    err_clear(&err);
    Buf file;
    buf_init(&file);
    if (file_read_all(argv[3], &file, &err)) {
        fprintf(stderr, "make_seeds: %s\n", err.message);
        return 1;
    }
    if (file.len < 12 || memcmp(file.data + file.len - 4, "PAR1", 4) != 0)
        return 0;
    uint32_t flen = load_le32(file.data + file.len - 8);
    if (flen > file.len - 8)
        return 0;
    const uint8_t *footer = file.data + file.len - 8 - flen;
    emit(dir, prefix, "footer", 0, footer, flen);

    Arena a;
    arena_init(&a, 0);
    PqFileMetaData md;
    if (pq_decode_file_metadata(footer, flen, &a, &md, &err) != 0) {
        fprintf(stderr, "make_seeds: %s: %s\n", argv[3], err.message);
        return 1;
    }
    int pages = 0;
    for (int g = 0; g < md.n_row_groups; g++) {
        for (int c = 0; c < md.row_groups[g].n_columns; c++) {
            const PqColumnChunk *cc = &md.row_groups[g].columns[c];
            if (cc->has_meta_data && pages < 3) {
                emit_at(dir, prefix, "page", 1, &file, cc->meta_data.dictionary_page_offset, -1);
                emit_at(dir, prefix, "page", 1, &file, cc->meta_data.data_page_offset, -1);
                pages++;
            }
            if (g == 0 && c < 3) {
                emit_at(dir, prefix, "colindex", 2, &file, cc->column_index_offset,
                        cc->column_index_length);
                emit_at(dir, prefix, "offindex", 3, &file, cc->offset_index_offset,
                        cc->offset_index_length);
                if (cc->has_meta_data)
                    emit_at(dir, prefix, "bloom", 4, &file, cc->meta_data.bloom_filter_offset, 64);
            }
        }
    }
    arena_free(&a);
    buf_free(&file);
    return 0;
}
