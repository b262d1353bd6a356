/*
 * delta_testutil.c - canonical row text and table/parquet readers for the
 * Delta tests (see delta_testutil.h).
 */
#include "delta_testutil.h"

#include <dirent.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "format/parquet/reader.h"
#include "vector/format.h"

void rowset_init(RowSet *rs)
{
    memset(rs, 0, sizeof *rs);
}

void rowset_free(RowSet *rs)
{
    for (size_t i = 0; i < rs->n_rows; i++)
        tarn_free(rs->rows[i]);
    tarn_free(rs->rows);
    for (size_t i = 0; i < rs->n_cols; i++)
        tarn_free(rs->col_names[i]);
    tarn_free(rs->col_names);
    rowset_init(rs);
}

static int canon(const Vector *v, uint32_t i, Buf *o);

static int canon_bytes(const char *p, uint32_t n, Buf *o)
{
    if (buf_append_byte(o, '\''))
        return TARN_ERR_NOMEM;
    for (uint32_t k = 0; k < n; k++) {
        unsigned char c = (unsigned char)p[k];
        if (c < 0x20 || c == '\'' || c == '\\' || c >= 0x7f) {
            if (buf_printf(o, "\\%02x", c))
                return TARN_ERR_NOMEM;
        } else if (buf_append_byte(o, c)) {
            return TARN_ERR_NOMEM;
        }
    }
    return buf_append_byte(o, '\'');
}

typedef struct Pair {
    char *k, *v;
} Pair;

static int pair_cmp(const void *a, const void *b)
{
    const Pair *x = a, *y = b;
    int c = strcmp(x->k, y->k);
    return c ? c : strcmp(x->v, y->v);
}

static int canon(const Vector *v, uint32_t i, Buf *o)
{
    if (!vec_is_valid(v, i))
        return buf_printf(o, "null");
    char buf[128];
    switch (v->type->id) {
    case TYPE_BOOL: return buf_printf(o, "%s", VEC_DATA(v, uint8_t)[i] ? "true" : "false");
    case TYPE_INT8: return buf_printf(o, "%d", VEC_DATA(v, int8_t)[i]);
    case TYPE_INT16: return buf_printf(o, "%d", VEC_DATA(v, int16_t)[i]);
    case TYPE_INT32: return buf_printf(o, "%d", VEC_DATA(v, int32_t)[i]);
    case TYPE_DATE: return buf_printf(o, "d%d", VEC_DATA(v, int32_t)[i]);
    case TYPE_INT64: return buf_printf(o, "%" PRId64, VEC_DATA(v, int64_t)[i]);
    case TYPE_TIMESTAMP: case TYPE_TIMESTAMPTZ: return buf_printf(o, "ts%" PRId64, VEC_DATA(v, int64_t)[i]);
    case TYPE_TIME: return buf_printf(o, "t%" PRId64, VEC_DATA(v, int64_t)[i]);
    case TYPE_UINT8: return buf_printf(o, "%u", VEC_DATA(v, uint8_t)[i]);
    case TYPE_UINT16: return buf_printf(o, "%u", VEC_DATA(v, uint16_t)[i]);
    case TYPE_UINT32: return buf_printf(o, "%u", VEC_DATA(v, uint32_t)[i]);
    case TYPE_UINT64: return buf_printf(o, "%" PRIu64, VEC_DATA(v, uint64_t)[i]);
    case TYPE_FLOAT: {
        float f = VEC_DATA(v, float)[i];
        if (isnan(f))
            return buf_printf(o, "NaN");
        value_format_float(f, buf);
        return buf_printf(o, "f%s", buf);
    }
    case TYPE_DOUBLE: {
        double d = VEC_DATA(v, double)[i];
        if (isnan(d))
            return buf_printf(o, "NaN");
        value_format_double(d, buf);
        return buf_printf(o, "f%s", buf);
    }
    case TYPE_DECIMAL: {
        int128_t u = v->type->precision > DECIMAL64_MAX_PRECISION ? VEC_DATA(v, int128_t)[i]
                                                                   : (int128_t)VEC_DATA(v, int64_t)[i];
        value_format_decimal(u, 0, buf);
        return buf_printf(o, "dec(%s,%d)", buf, v->type->scale);
    }
    case TYPE_STRING: case TYPE_BLOB: case TYPE_JSON: {
        StrView s = VEC_DATA(v, StrView)[i];
        return canon_bytes(s.ptr, s.len, o);
    }
    case TYPE_STRUCT:
        if (buf_append_byte(o, '['))
            return TARN_ERR_NOMEM;
        for (uint32_t c = 0; c < v->n_children; c++) {
            if ((c && buf_append_byte(o, ',')) || canon(&v->children[c], i, o))
                return TARN_ERR_NOMEM;
        }
        return buf_append_byte(o, ']');
    case TYPE_LIST:
        if (buf_append_byte(o, '['))
            return TARN_ERR_NOMEM;
        for (uint32_t j = v->offsets[i]; j < v->offsets[i + 1]; j++) {
            if ((j > v->offsets[i] && buf_append_byte(o, ',')) || canon(&v->children[0], j, o))
                return TARN_ERR_NOMEM;
        }
        return buf_append_byte(o, ']');
    case TYPE_MAP: {
        uint32_t b = v->offsets[i], e = v->offsets[i + 1];
        Pair *ps = tarn_calloc(e - b + 1, sizeof *ps);
        if (!ps)
            return TARN_ERR_NOMEM;
        int rc = 0;
        for (uint32_t j = b; j < e && rc == 0; j++) {
            Buf kb, vb;
            buf_init(&kb);
            buf_init(&vb);
            if (canon(&v->children[0], j, &kb) || canon(&v->children[1], j, &vb) || buf_terminate(&kb) ||
                buf_terminate(&vb))
                rc = TARN_ERR_NOMEM;
            ps[j - b].k = (char *)kb.data;
            ps[j - b].v = (char *)vb.data;
        }
        qsort(ps, e - b, sizeof *ps, pair_cmp);
        if (rc == 0 && buf_append_byte(o, '{'))
            rc = TARN_ERR_NOMEM;
        for (uint32_t j = 0; j < e - b && rc == 0; j++)
            if ((j && buf_append_byte(o, ',')) || buf_printf(o, "%s:%s", ps[j].k ? ps[j].k : "", ps[j].v ? ps[j].v : ""))
                rc = TARN_ERR_NOMEM;
        for (uint32_t j = 0; j < e - b; j++) {
            tarn_free(ps[j].k);
            tarn_free(ps[j].v);
        }
        tarn_free(ps);
        return rc ? rc : buf_append_byte(o, '}');
    }
    default: {
        int rc = value_format_text(v, i, o);
        return rc;
    }
    }
}

int rowset_add_batch(RowSet *rs, const Batch *b, const char *const *cols, size_t n_cols)
{
    size_t nc = cols ? n_cols : b->n_cols;
    int idx[1024];
    if (nc > 1024)
        return TARN_ERR_INVALID;
    for (size_t k = 0; k < nc; k++) {
        idx[k] = -1;
        if (!cols) {
            idx[k] = (int)k;
            continue;
        }
        for (uint32_t c = 0; c < b->schema->n_fields; c++)
            if (strcasecmp(b->schema->fields[c].name, cols[k]) == 0)
                idx[k] = (int)c;
        if (idx[k] < 0) {
            fprintf(stderr, "column \"%s\" missing from batch\n", cols[k]);
            return TARN_ERR_NOT_FOUND;
        }
    }
    if (rs->n_cols == 0 && nc) {
        rs->col_names = tarn_calloc(nc, sizeof(char *));
        for (size_t k = 0; k < nc; k++)
            rs->col_names[k] = tarn_strdup(b->schema->fields[idx[k]].name);
        rs->n_cols = nc;
    }
    for (uint32_t i = 0; i < b->n_rows; i++) {
        Buf o;
        buf_init(&o);
        for (size_t k = 0; k < nc; k++) {
            if ((k && buf_append(&o, " | ", 3)) || canon(&b->cols[idx[k]], i, &o)) {
                buf_free(&o);
                return TARN_ERR_NOMEM;
            }
        }
        if (buf_terminate(&o)) {
            buf_free(&o);
            return TARN_ERR_NOMEM;
        }
        if (rs->n_rows == rs->cap) {
            size_t cap = rs->cap ? rs->cap * 2 : 64;
            char **p = tarn_realloc(rs->rows, cap * sizeof *p);
            if (!p) {
                buf_free(&o);
                return TARN_ERR_NOMEM;
            }
            rs->rows = p;
            rs->cap = cap;
        }
        rs->rows[rs->n_rows++] = o.data ? (char *)o.data : tarn_strdup("");
    }
    return 0;
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void rowset_sort(RowSet *rs)
{
    if (rs->n_rows > 1)
        qsort(rs->rows, rs->n_rows, sizeof(char *), str_cmp);
}

bool rowset_equal(const RowSet *got, const RowSet *want)
{
    bool eq = got->n_rows == want->n_rows;
    size_t shown = 0;
    size_t i = 0, j = 0;
    while ((i < got->n_rows || j < want->n_rows) && shown < 10) {
        int c = i >= got->n_rows ? 1 : j >= want->n_rows ? -1 : strcmp(got->rows[i], want->rows[j]);
        if (c == 0) {
            i++;
            j++;
            continue;
        }
        eq = false;
        if (c < 0)
            fprintf(stderr, "  unexpected row: %s\n", got->rows[i++]);
        else
            fprintf(stderr, "  missing row:    %s\n", want->rows[j++]);
        shown++;
    }
    if (!eq)
        fprintf(stderr, "  (got %zu rows, expected %zu)\n", got->n_rows, want->n_rows);
    return eq;
}

static int read_one_parquet(const char *path, RowSet *out, const char *const *cols, size_t n_cols,
                            TarnError *err)
{
    PqReadOptions o;
    pq_read_options_default(&o);
    PqReader *r = pq_reader_open(path, &o, err);
    if (!r)
        return err->kind;
    Batch b;
    int rc = batch_init(&b, pq_reader_schema(r));
    while (rc == 0) {
        rc = pq_reader_next(r, &b, err);
        if (rc || b.n_rows == 0)
            break;
        rc = rowset_add_batch(out, &b, cols, n_cols);
    }
    batch_destroy(&b);
    pq_reader_close(r);
    return rc;
}

static int collect(const char *dir, char ***files, size_t *n)
{
    DIR *d = opendir(dir);
    if (!d)
        return TARN_ERR_NOT_FOUND;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.' || de->d_name[0] == '_')
            continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        struct stat st;
        if (stat(p, &st))
            continue;
        if (S_ISDIR(st.st_mode)) {
            collect(p, files, n);
            continue;
        }
        size_t l = strlen(de->d_name);
        if (l < 8 || strcmp(de->d_name + l - 8, ".parquet") != 0)
            continue;
        *files = tarn_realloc(*files, (*n + 1) * sizeof(char *));
        (*files)[(*n)++] = tarn_strdup(p);
    }
    closedir(d);
    return 0;
}

int read_parquet_dir(const char *dir, RowSet *out, char ***col_names_out, size_t *n_cols_out,
                     TarnError *err)
{
    char **files = NULL;
    size_t n = 0;
    if (collect(dir, &files, &n))
        return err_set(err, TARN_ERR_NOT_FOUND, "no folder %s", dir);
    if (n > 1)
        qsort(files, n, sizeof(char *), str_cmp);
    int rc = 0;
    /* Column names from the first file fix the column order for all. */
    char **names = NULL;
    size_t nn = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (!names) {
            PqReadOptions o;
            pq_read_options_default(&o);
            PqReader *r = pq_reader_open(files[i], &o, err);
            if (!r) {
                rc = err->kind;
                break;
            }
            const Schema *s = pq_reader_schema(r);
            nn = s->n_fields;
            names = tarn_calloc(nn + 1, sizeof(char *));
            for (size_t k = 0; k < nn; k++)
                names[k] = tarn_strdup(s->fields[k].name);
            pq_reader_close(r);
        }
        rc = read_one_parquet(files[i], out, (const char *const *)names, nn, err);
    }
    for (size_t i = 0; i < n; i++)
        tarn_free(files[i]);
    tarn_free(files);
    *col_names_out = names;
    *n_cols_out = nn;
    return rc;
}

int read_delta_table(const char *dir, long long version, const char *const *cols, size_t n_cols,
                     RowSet *out, TarnError *err)
{
    DeltaTable *t = delta_table_open_dir(dir, false, NULL, err);
    if (!t)
        return err->kind;
    DeltaSnapshot *s = version < 0 ? delta_snapshot_latest(t, err) : delta_snapshot_at_version(t, version, err);
    if (!s) {
        delta_table_close(t);
        return err->kind;
    }
    DeltaScan *sc = delta_scan_open(s, NULL, err);
    delta_snapshot_free(s);
    if (!sc) {
        delta_table_close(t);
        return err->kind;
    }
    Batch b;
    int rc = batch_init(&b, delta_scan_schema(sc));
    while (rc == 0) {
        rc = delta_scan_next(sc, &b, err);
        if (rc || b.n_rows == 0)
            break;
        rc = rowset_add_batch(out, &b, cols, n_cols);
        if (rc && !err->kind)
            err_set(err, rc, "collecting rows failed");
    }
    batch_destroy(&b);
    delta_scan_close(sc);
    delta_table_close(t);
    return rc;
}
