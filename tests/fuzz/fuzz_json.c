/*
 * fuzz_json.c - libFuzzer target for the JSON parser (json_parse.h) and the
 * NDJSON reader (json.h).
 *
 * First byte even: the rest is one JSON value for json_parse.  When it
 * parses, it is written back with json_write_node; that text must parse
 * again and write back to the very same text (the writer emits valid JSON
 * and nothing is lost twice).
 * First byte odd: the rest is an NDJSON file, read to the end with a small
 * inference sample, every value touched.
 */
#include <stdint.h>
#include <string.h>

#include "format/json/json.h"
#include "format/json/json_parse.h"

#include "fuzz_common.h"

static void fuzz_value(const uint8_t *data, size_t size)
{
    Arena a;
    arena_init(&a, 0);
    TarnError err;
    err_clear(&err);
    /* exact-size copy so ASan sees any over-read */
    char *text = malloc(size ? size : 1);
    if (!text)
        return;
    memcpy(text, data, size);
    JsonNode *n = NULL;
    if (json_parse(&a, text, size, &n, &err) != 0) {
        CHECK(err.kind != 0 && err.message[0]);
    } else {
        Buf w1, w2;
        buf_init(&w1);
        buf_init(&w2);
        if (json_write_node(n, &w1) == 0) {
            JsonNode *n2 = NULL;
            TarnError err2;
            err_clear(&err2);
            int rc = json_parse(&a, (const char *)w1.data, w1.len, &n2, &err2);
            if (rc)
                fprintf(stderr, "written JSON does not parse: %s\n", err2.message);
            CHECK(rc == 0);
            CHECK(json_write_node(n2, &w2) == 0);
            CHECK(w1.len == w2.len && memcmp(w1.data, w2.data, w1.len) == 0);
        }
        buf_free(&w1);
        buf_free(&w2);
    }
    free(text);
    arena_free(&a);
}

static void fuzz_ndjson(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = fuzz_mem_path(data, size, path, sizeof path);
    if (fd < 0)
        return;
    JsonReadOptions o;
    json_read_options_default(&o);
    o.sample_rows = 4;
    o.batch_rows = 8;
    TarnError err;
    err_clear(&err);
    JsonReader *r = json_reader_open(path, &o, &err);
    if (!r) {
        CHECK(err.kind != 0 && err.message[0]);
        close(fd);
        return;
    }
    const Schema *s = json_reader_schema(r);
    Batch b;
    if (batch_init(&b, s) == 0) {
        for (int guard = 0; guard < 1000000; guard++) {
            if (json_reader_next(r, &b, &err)) {
                CHECK(err.kind != 0 && err.message[0]);
                break;
            }
            if (b.n_rows == 0)
                break;
            touch_batch(&b, s);
        }
        batch_destroy(&b);
    }
    json_reader_close(r);
    close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (data[0] & 1)
        fuzz_ndjson(data + 1, size - 1);
    else
        fuzz_value(data + 1, size - 1);
    return 0;
}
