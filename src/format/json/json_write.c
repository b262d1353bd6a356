/*
 * json_write.c - the NDJSON writer (see json.h) and batch_print_json
 * (vector/format.h).
 *
 * The quoted, escaped key of every column is built once per batch; each row
 * is then `{` key value , key value ... `}` newline, with values printed by
 * value_format_json straight into the output buffer.
 */
#include "format/json/json.h"

#include <string.h>

#include "vector/format.h"

int json_write_batch(const Batch *b, Buf *out)
{
    /* keys.data holds `"name":` for every column; off[i]..off[i+1] is column i. */
    Buf keys;
    buf_init(&keys);
    size_t *off = tarn_malloc((b->n_cols + 1) * sizeof(size_t));
    int rc = 0;
    if (!off)
        return TARN_ERR_NOMEM;
    off[0] = 0;
    for (uint32_t c = 0; c < b->n_cols && !rc; c++) {
        const char *name = b->schema->fields[c].name;
        if (c && buf_append_byte(&keys, ','))
            rc = TARN_ERR_NOMEM;
        else if (value_append_json_string(&keys, name, strlen(name)) || buf_append_byte(&keys, ':'))
            rc = TARN_ERR_NOMEM;
        off[c + 1] = keys.len;
    }
    for (uint32_t r = 0; r < b->n_rows && !rc; r++) {
        if (buf_append_byte(out, '{')) {
            rc = TARN_ERR_NOMEM;
            break;
        }
        for (uint32_t c = 0; c < b->n_cols && !rc; c++) {
            if (buf_append(out, keys.data + off[c], off[c + 1] - off[c]))
                rc = TARN_ERR_NOMEM;
            else
                rc = value_format_json(&b->cols[c], r, out);
        }
        if (!rc && buf_append(out, "}\n", 2))
            rc = TARN_ERR_NOMEM;
    }
    buf_free(&keys);
    tarn_free(off);
    return rc;
}

int batch_print_json(const Batch *b, Buf *out)
{
    return json_write_batch(b, out);
}
