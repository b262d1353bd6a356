/*
 * fuzz_csv.c - libFuzzer target for the CSV reader (format/csv/csv.h).
 *
 * The first input byte picks the dialect (delimiter, quote, escape, header,
 * a NULL string), the rest is the file.  The file is read to the end with
 * a small inference sample and small batches, and every value handed back
 * is touched.  Expected outcome for most inputs: rows, or a clean error
 * naming the line.
 */
#include <stdint.h>
#include <string.h>

#include "format/csv/csv.h"

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t sel = data[0];
    char path[64];
    int fd = fuzz_mem_path(data + 1, size - 1, path, sizeof path);
    if (fd < 0)
        return 0;
    CsvOptions o;
    csv_options_default(&o);
    static const char delims[4] = {',', ';', '\t', '|'};
    o.delimiter = delims[sel & 3];
    o.quote = (sel & 4) ? '\'' : '"';
    if (sel & 8)
        o.escape = '\\';
    o.header = !(sel & 16);
    if (sel & 32)
        o.null_str = "NULL";
    o.sample_rows = (sel & 64) ? 3 : 100;
    o.batch_rows = (sel & 128) ? 5 : 64;

    TarnError err;
    err_clear(&err);
    CsvReader *r = csv_reader_open(path, &o, &err);
    if (!r) {
        CHECK(err.kind != 0 && err.message[0]);
        close(fd);
        return 0;
    }
    const Schema *s = csv_reader_schema(r);
    Batch b;
    if (batch_init(&b, s) == 0) {
        for (int guard = 0; guard < 1000000; guard++) {
            if (csv_reader_next(r, &b, &err)) {
                CHECK(err.kind != 0 && err.message[0]);
                break;
            }
            if (b.n_rows == 0)
                break;
            touch_batch(&b, s);
        }
        batch_destroy(&b);
    }
    csv_reader_close(r);
    close(fd);
    return 0;
}
