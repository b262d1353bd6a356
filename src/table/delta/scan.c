/*
 * scan.c - reading a snapshot's data files as batches in the table's
 * logical schema.
 *
 * A scan is a list of file tasks (one per live file that survives
 * pruning; CDF scans build other task lists) read one after the other by a
 * cursor.  Per file the cursor:
 *   1. maps each output column to a column of the file: by physical name
 *      (column mapping "name"), by Parquet field id (mode "id", falling
 *      back to the physical name), or by name; partition columns come from
 *      add.partitionValues; columns absent from the file are NULL;
 *   2. opens the Parquet reader projecting those columns (only the task's
 *      row range for morsels), with the scan's predicates on columns whose
 *      file type equals the table type (row group skipping) - except when
 *      every row must be seen (_row_index, CDF keep sets); row positions
 *      of batches (deletion vectors) come from the reader;
 *   3. per batch, drops rows deleted by the deletion vector and moves each
 *      column into the output: a vector swap when the file column already
 *      has the output type (the common case, no copy), else a converting
 *      copy (type widening, renamed nested fields, INT96/ntz timestamps).
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "table/delta/delta_int.h"
#include "table/delta/scan_int.h"
#include "table/delta/col_cache.h"
#include "util/datetime.h"

/* ---- Output plan -------------------------------------------------------- */

static void retype(Vector *v, const LogicalType *t)
{
    v->type = t;
    for (uint32_t i = 0; i < v->n_children && i < t->n_fields; i++)
        retype(&v->children[i], &t->fields[i].type);
}

/* Nullability-insensitive structural equality of a file type and a table
 * type, also requiring the file's nested field names to be the physical
 * names the column tree expects. */
static bool same_layout(const LogicalType *file, const LogicalType *tab, const DeltaColumn *col)
{
    if (file->id != tab->id || file->n_fields != tab->n_fields)
        return false;
    if (file->id == TYPE_DECIMAL && (file->precision != tab->precision || file->scale != tab->scale))
        return false;
    for (uint32_t i = 0; i < tab->n_fields; i++) {
        const DeltaColumn *c = col && col->n_children == tab->n_fields ? &col->children[i] : NULL;
        if (tab->id == TYPE_STRUCT) {
            const char *want = c ? c->physical_name : tab->fields[i].name;
            if (strcmp(file->fields[i].name, want) != 0 || strcmp(tab->fields[i].name, want) != 0)
                return false;
        }
        if (!same_layout(&file->fields[i].type, &tab->fields[i].type, c))
            return false;
    }
    return true;
}

/* ---- Converting copy ------------------------------------------------------ */

static int append_converted(Vector *dst, const DeltaColumn *col, const Vector *src, uint32_t i);

static int find_child(const LogicalType *st, const char *name)
{
    for (uint32_t i = 0; i < st->n_fields; i++)
        if (strcmp(st->fields[i].name, name) == 0)
            return (int)i;
    for (uint32_t i = 0; i < st->n_fields; i++)
        if (strcasecmp(st->fields[i].name, name) == 0)
            return (int)i;
    return -1;
}

static int append_null_deep(Vector *dst)
{
    if (dst->type->id == TYPE_STRUCT) {
        for (uint32_t c = 0; c < dst->n_children; c++)
            if (append_null_deep(&dst->children[c]))
                return TARN_ERR_NOMEM;
        if (vec_append_struct_end(dst) || vec_set_null(dst, dst->len - 1))
            return TARN_ERR_NOMEM;
        return 0;
    }
    return vec_append_null(dst);
}

static int append_converted(Vector *dst, const DeltaColumn *col, const Vector *src, uint32_t i)
{
    const LogicalType *dt = dst->type, *st = src->type;
    if (!vec_is_valid(src, i))
        return append_null_deep(dst);
    switch (dt->id) {
    case TYPE_STRUCT: {
        if (st->id != TYPE_STRUCT)
            return append_null_deep(dst);
        for (uint32_t c = 0; c < dt->n_fields; c++) {
            const DeltaColumn *cc = col && col->n_children == dt->n_fields ? &col->children[c] : NULL;
            int j = find_child(st, cc ? cc->physical_name : dt->fields[c].name);
            if (j < 0 && cc)
                j = find_child(st, dt->fields[c].name);
            int rc = j < 0 ? append_null_deep(&dst->children[c])
                           : append_converted(&dst->children[c], cc, &src->children[j], i);
            if (rc)
                return rc;
        }
        return vec_append_struct_end(dst);
    }
    case TYPE_LIST:
    case TYPE_MAP: {
        if (st->id != dt->id)
            return append_null_deep(dst);
        for (uint32_t j = src->offsets[i]; j < src->offsets[i + 1]; j++)
            for (uint32_t c = 0; c < dst->n_children; c++) {
                const DeltaColumn *cc = col && col->n_children == dst->n_children ? &col->children[c] : NULL;
                if (append_converted(&dst->children[c], cc, &src->children[c], j))
                    return TARN_ERR_NOMEM;
            }
        return vec_append_list_end(dst);
    }
    default:
        break;
    }
    if (type_is_nested(st->id))
        return append_null_deep(dst);
    Value v = delta_vector_value(src, i);
    if (v.is_null)
        return vec_append_null(dst);
    switch (dt->id) {
    case TYPE_BOOL:
        return vec_append_bool(dst, v.type == TYPE_BOOL ? v.v.b : v.v.i != 0);
    case TYPE_INT8: case TYPE_INT16: case TYPE_INT32: case TYPE_INT64:
        if (v.type >= TYPE_UINT8 && v.type <= TYPE_UINT64)
            return vec_append_i64(dst, (int64_t)v.v.u);
        if (v.type == TYPE_FLOAT || v.type == TYPE_DOUBLE)
            return vec_append_null(dst);
        return vec_append_i64(dst, v.v.i);
    case TYPE_FLOAT: case TYPE_DOUBLE:
        if (v.type == TYPE_FLOAT || v.type == TYPE_DOUBLE)
            return vec_append_double(dst, v.v.d);
        if (v.type >= TYPE_UINT8 && v.type <= TYPE_UINT64)
            return vec_append_double(dst, (double)v.v.u);
        return vec_append_double(dst, (double)v.v.i);
    case TYPE_DECIMAL: {
        int128_t u;
        int sc;
        if (v.type == TYPE_DECIMAL) {
            u = v.precision > DECIMAL64_MAX_PRECISION ? v.v.i128 : (int128_t)v.v.i;
            sc = v.scale;
        } else if (v.type >= TYPE_INT8 && v.type <= TYPE_INT64) {
            u = v.v.i;
            sc = 0;
        } else {
            return vec_append_null(dst);
        }
        while (sc < dt->scale) {
            u *= 10;
            sc++;
        }
        while (sc > dt->scale) { /* not a widening, but never crash */
            u /= 10;
            sc--;
        }
        return dt->precision > DECIMAL64_MAX_PRECISION ? vec_append_i128(dst, u) : vec_append_i64(dst, (int64_t)u);
    }
    case TYPE_DATE:
        if (v.type == TYPE_TIMESTAMP || v.type == TYPE_TIMESTAMPTZ) {
            int64_t d = v.v.i >= 0 ? v.v.i / DT_USECS_PER_DAY : -((-v.v.i + DT_USECS_PER_DAY - 1) / DT_USECS_PER_DAY);
            return vec_append_i64(dst, d);
        }
        return vec_append_i64(dst, v.v.i);
    case TYPE_TIMESTAMP: case TYPE_TIMESTAMPTZ:
        if (v.type == TYPE_DATE)
            return vec_append_i64(dst, v.v.i * DT_USECS_PER_DAY);
        return vec_append_i64(dst, v.v.i);
    case TYPE_STRING: case TYPE_BLOB: case TYPE_JSON:
        if (!type_is_string_like(v.type))
            return vec_append_null(dst);
        return vec_append_str(dst, v.v.s.ptr, v.v.s.len);
    default:
        if (type_equal(dt, st))
            return vec_append_from(dst, src, i);
        return vec_append_null(dst);
    }
}

/* ---- Cursor over one file task ----------------------------------------------- */

void delta_cursor_init(DeltaCursor *c)
{
    memset(c, 0, sizeof *c);
    arena_init(&c->arena, 16 * 1024);
    arena_init(&c->batch_arena, 16 * 1024);
}

void delta_cursor_close(DeltaCursor *c)
{
    if (c->reader) {
        batch_destroy(&c->fb);
        pq_reader_close(c->reader);
    }
    c->reader = NULL;
    if (c->cfile) {
        if (c->cvec)
            batch_destroy(&c->fb);
        memset(&c->fb, 0, sizeof c->fb);
        schema_destroy(&c->cschema);
        schema_init(&c->cschema);
        dcc_release(c->cfile);
        tarn_free(c->cvec);
        c->cfile = NULL;
        c->cvec = NULL;
    }
    delta_rowset_free(&c->drop);
    delta_rowset_free(&c->keep);
    tarn_free(c->out_to_file);
    tarn_free(c->pvals);
    c->out_to_file = NULL;
    c->pvals = NULL;
    arena_reset(&c->arena);
}

void delta_cursor_free(DeltaCursor *c)
{
    delta_cursor_close(c);
    arena_free(&c->arena);
    arena_free(&c->batch_arena);
}

/* Walks the flat Parquet schema to the top-level elements' field ids. */
static void top_field_ids(const PqFileMetaData *md, int32_t *ids, uint32_t n)
{
    int32_t i = 1;
    uint32_t k = 0;
    while (i < md->n_schema && k < n) {
        const PqSchemaElement *e = &md->schema[i];
        ids[k++] = e->has_field_id ? e->field_id : -1;
        /* skip e's subtree */
        int32_t pending = e->num_children;
        i++;
        while (pending > 0 && i < md->n_schema) {
            pending += md->schema[i].num_children - 1;
            i++;
        }
    }
    while (k < n)
        ids[k++] = -1;
}

#define CACHE_MASK_ROWS 8192
#define CACHE_RUN_GAP 64

/* Whether a skipping predicate can be tested exactly on a cached vector of
 * type t: integer columns against integer constants, a column against a
 * constant of its own date/time type, text / varchar equality (bytes), IS
 * [NOT] NULL.  Other predicates are left to the caller's filter. */
static bool cache_pred_usable(const LogicalType *t, const PqPredicate *p)
{
    if (p->op == PQ_CMP_IS_NULL || p->op == PQ_CMP_NOT_NULL)
        return true;
    if (p->value.is_null)
        return false;
    TypeId c = t->id, k = p->value.type;
    bool cint = c == TYPE_INT8 || c == TYPE_INT16 || c == TYPE_INT32 || c == TYPE_INT64;
    bool kint = k == TYPE_INT8 || k == TYPE_INT16 || k == TYPE_INT32 || k == TYPE_INT64;
    if (cint)
        return kint;
    if (c == TYPE_DATE || c == TYPE_TIME || c == TYPE_TIMESTAMP || c == TYPE_TIMESTAMPTZ)
        return k == c;
    if (c == TYPE_STRING) /* char(n) compares without trailing spaces: left to the filter */
        return p->op == PQ_CMP_EQ && k == TYPE_STRING && t->char_kind != TYPE_CHAR_BPCHAR;
    return false;
}

/* Comparisons in the column's own type T: the constant k is clamped into
 * T's range first (a constant outside it compares the same against every
 * value, so the clamped bound with the adjusted operator gives the same
 * answers). */
#define CMP_LOOP(T, LO, HI)                                                                      \
    do {                                                                                         \
        const T *d = (const T *)v->data + from;                                                  \
        PqCmp op = p->op;                                                                        \
        if (k < (int64_t)(LO) || k > (int64_t)(HI)) {                                            \
            bool below = k < (int64_t)(LO); /* every value is > k (below) or < k */              \
            bool all = op == PQ_CMP_EQ ? false                                                   \
                       : (op == PQ_CMP_GT || op == PQ_CMP_GE) ? below : !below;                  \
            if (!all)                                                                            \
                memset(m, 0, n);                                                                 \
            break;                                                                               \
        }                                                                                        \
        T kk = (T)k;                                                                             \
        switch (op) {                                                                            \
        case PQ_CMP_EQ: for (uint32_t i = 0; i < n; i++) m[i] &= d[i] == kk; break;              \
        case PQ_CMP_LT: for (uint32_t i = 0; i < n; i++) m[i] &= d[i] < kk; break;               \
        case PQ_CMP_LE: for (uint32_t i = 0; i < n; i++) m[i] &= d[i] <= kk; break;              \
        case PQ_CMP_GT: for (uint32_t i = 0; i < n; i++) m[i] &= d[i] > kk; break;               \
        case PQ_CMP_GE: for (uint32_t i = 0; i < n; i++) m[i] &= d[i] >= kk; break;              \
        default: break;                                                                          \
        }                                                                                        \
    } while (0)

/* m[i] &= (row from + i of v satisfies p), for a predicate cache_pred_usable
 * accepted.  Vectorized (O3) since it runs over whole cached files. */
__attribute__((optimize("O3"))) static void cache_pred_mask(const Vector *v, const PqPredicate *p, uint32_t from,
                                                            uint32_t n, uint8_t *m)
{
    if (p->op == PQ_CMP_IS_NULL || p->op == PQ_CMP_NOT_NULL) {
        bool want_null = p->op == PQ_CMP_IS_NULL;
        for (uint32_t i = 0; i < n; i++)
            m[i] &= vec_is_valid(v, from + i) != want_null;
        return;
    }
    int64_t k = p->value.v.i;
    switch (v->type->id) {
    case TYPE_INT8: CMP_LOOP(int8_t, INT8_MIN, INT8_MAX); break;
    case TYPE_INT16: CMP_LOOP(int16_t, INT16_MIN, INT16_MAX); break;
    case TYPE_INT32: case TYPE_DATE: CMP_LOOP(int32_t, INT32_MIN, INT32_MAX); break;
    case TYPE_INT64: case TYPE_TIME: case TYPE_TIMESTAMP: case TYPE_TIMESTAMPTZ:
        CMP_LOOP(int64_t, INT64_MIN, INT64_MAX);
        break;
    case TYPE_STRING: {
        const StrView *d = (const StrView *)v->data + from;
        StrView s = p->value.v.s;
        for (uint32_t i = 0; i < n; i++)
            m[i] &= d[i].len == s.len && (s.len == 0 || memcmp(d[i].ptr, s.ptr, s.len) == 0);
        break;
    }
    default:
        return;
    }
    if (v->validity) /* comparisons are never true on NULL */
        for (uint32_t i = 0; i < n; i++)
            m[i] &= vec_is_valid(v, from + i);
}

/* Whether a comparison predicate (cache_pred_usable, not IS [NOT] NULL, on
 * an integer-like column) is false for every row of a zone whose valid
 * values lie in [lo, hi] (lo > hi: no valid value, and comparisons are
 * never true on NULL). */
static bool zone_excludes(const PqPredicate *p, int64_t lo, int64_t hi)
{
    if (lo > hi)
        return true;
    int64_t k = p->value.v.i;
    switch (p->op) {
    case PQ_CMP_EQ: return k < lo || k > hi;
    case PQ_CMP_LT: return lo >= k;
    case PQ_CMP_LE: return lo > k;
    case PQ_CMP_GT: return hi <= k;
    case PQ_CMP_GE: return hi < k;
    default: return false;
    }
}

/* Candidate rows of [pos, pos + CACHE_MASK_ROWS) into c->cmask: zone by
 * zone (DCC_ZONE_ROWS), a zone some predicate excludes by its column's
 * min / max is cleared without looking at its rows (a point read tests one
 * zone instead of the whole file). */
static void cache_mask(DeltaCursor *c, int64_t pos)
{
    int64_t end = pos + CACHE_MASK_ROWS < c->cend ? pos + CACHE_MASK_ROWS : c->cend;
    uint32_t n = (uint32_t)(end - pos);
    c->cmask_lo = end;
    c->cmask_hi = pos;
    for (uint32_t i = 0; i < n;) {
        uint32_t r = (uint32_t)pos + i, z = r / DCC_ZONE_ROWS;
        uint32_t len = (z + 1) * DCC_ZONE_ROWS - r;
        if (len > n - i)
            len = n - i;
        bool skip = false;
        for (int k = 0; k < c->n_cpreds && !skip; k++) {
            const DcZones *zs = c->czones[k];
            skip = zs && z < zs->n && zone_excludes(&c->cpreds[k], zs->min[z], zs->max[z]);
        }
        memset(c->cmask + i, !skip, len);
        if (!skip) {
            for (int k = 0; k < c->n_cpreds; k++)
                cache_pred_mask(c->cvec[c->cpred_col[k]], &c->cpreds[k], r, len, c->cmask + i);
            if (c->cmask_lo > r)
                c->cmask_lo = r;
            c->cmask_hi = (int64_t)r + len;
        }
        i += len;
    }
    c->cmask_begin = pos;
    c->cmask_end = end;
}

/* The schema of the cursor's file batch (fb). */
static const Schema *cursor_schema(const DeltaCursor *c)
{
    return c->cvec ? &c->cschema : pq_reader_schema(c->reader);
}

/* Sets the cursor up to read the projected columns proj from the cached
 * file c->cfile, decoding (whole file, no skipping) and caching the ones
 * not cached yet.  When some column cannot be cached, lets go of the entry
 * (c->cfile NULL) and returns 0: the caller reads the file. */
static int cache_open(DeltaCursor *c, Storage *st, const char *path, const char **proj, int n_proj,
                      const PqReadOptions *base, const PqPredicate *preds, int n_preds, TarnError *err)
{
    DcFile *cf = c->cfile;
    const Schema *fs = dcc_file_schema(cf);
    memset(&c->fb, 0, sizeof c->fb); /* a previous file's batch is already destroyed */
    for (int k = 0; k < n_proj; k++)
        if (!dcc_column_cacheable(cf, proj[k])) {
            dcc_release(cf);
            c->cfile = NULL;
            return 0;
        }
    c->cvec = tarn_calloc((size_t)n_proj + 1, sizeof *c->cvec);
    const char **missing = arena_alloc(&c->arena, sizeof(char *) * ((size_t)n_proj + 1));
    if (!c->cvec || !missing)
        return ERR_NOMEM(err, 64);
    schema_init(&c->cschema);
    int n_missing = 0;
    for (int k = 0; k < n_proj; k++) {
        int j = schema_find(fs, proj[k]);
        if (schema_add(&c->cschema, proj[k], fs->fields[j].type, fs->fields[j].nullable))
            return ERR_NOMEM(err, 64);
        if (!(c->cvec[k] = dcc_column(cf, proj[k])))
            missing[n_missing++] = proj[k];
    }
    if (n_missing) {
        PqReadOptions o = *base;
        o.columns = missing;
        o.n_columns = n_missing;
        o.preds = NULL;
        o.n_preds = 0;
        o.row_begin = o.row_end = 0;
        o.batch_rows = 8192;
        PqReader *r = delta_open_parquet(st, path, 0, &o, err);
        if (!r)
            return err_context(err, "reading data file \"%s\"", path);
        Vector *whole = tarn_calloc((size_t)n_missing, sizeof(Vector));
        size_t *heap = tarn_calloc((size_t)n_missing, sizeof(size_t));
        Batch b;
        int rc = !whole || !heap || batch_init(&b, pq_reader_schema(r)) ? ERR_NOMEM(err, 64) : 0;
        int n_init = 0;
        for (; rc == 0 && n_init < n_missing; n_init++)
            if (vec_init(&whole[n_init], &fs->fields[schema_find(fs, missing[n_init])].type))
                rc = ERR_NOMEM(err, 64);
        bool too_big = false; /* long strings: more than a quarter of the budget */
        size_t limit = delta_column_cache_budget() / 4;
        for (bool more = rc == 0; more && !too_big;) {
            if ((rc = pq_reader_next(r, &b, err))) {
                rc = err_context(err, "reading data file \"%s\"", path);
                break;
            }
            more = b.n_rows > 0;
            for (int k = 0; k < n_missing && more && rc == 0; k++) {
                const Vector *src = &b.cols[k];
                if (type_is_string_like(src->type->id))
                    for (uint32_t i = 0; i < b.n_rows; i++)
                        heap[k] += vec_is_valid(src, i) ? ((const StrView *)src->data)[i].len : 0;
                if (dcc_append_slice(&whole[k], src, 0, b.n_rows, true))
                    rc = ERR_NOMEM(err, 64);
            }
            if (rc)
                break;
            size_t now = 0;
            for (int k = 0; k < n_missing; k++)
                now += (size_t)whole[k].len * type_width(whole[k].type) + heap[k];
            too_big = now > limit;
        }
        if (rc == 0 && too_big) { /* not cacheable after all: read the file */
            for (int k = 0; k < n_init; k++)
                vec_destroy(&whole[k]);
            batch_destroy(&b);
            tarn_free(whole);
            tarn_free(heap);
            pq_reader_close(r);
            schema_destroy(&c->cschema);
            schema_init(&c->cschema);
            tarn_free(c->cvec);
            c->cvec = NULL;
            dcc_release(cf);
            c->cfile = NULL;
            return 0;
        }
        if (rc == 0 && whole[0].len != (uint32_t)dcc_num_rows(cf))
            rc = err_set(err, TARN_ERR_CORRUPT, "data file \"%s\": %u rows read, %lld in the footer", path,
                         whole[0].len, (long long)dcc_num_rows(cf));
        if (whole && heap && rc == 0) {
            for (int k = 0; k < n_missing; k++) {
                const Vector *v = dcc_add_column(cf, missing[k], &whole[k], heap[k]);
                if (!v) {
                    rc = ERR_NOMEM(err, 64);
                    continue;
                }
                for (int q = 0; q < n_proj; q++)
                    if (!c->cvec[q] && strcmp(proj[q], missing[k]) == 0)
                        c->cvec[q] = v;
            }
            n_init = 0;
        }
        for (int k = 0; k < n_init; k++)
            vec_destroy(&whole[k]);
        if (whole && heap)
            batch_destroy(&b);
        tarn_free(whole);
        tarn_free(heap);
        pq_reader_close(r);
        if (rc)
            return rc;
    }
    if (batch_init(&c->fb, &c->cschema))
        return ERR_NOMEM(err, 64);
    /* the predicates this cursor can test on the cached vectors */
    c->n_cpreds = 0;
    PqPredicate *cp = arena_alloc(&c->arena, sizeof(PqPredicate) * (size_t)(n_preds + 1));
    int *cc = arena_alloc(&c->arena, sizeof(int) * (size_t)(n_preds + 1));
    const DcZones **cz = arena_alloc(&c->arena, sizeof(DcZones *) * (size_t)(n_preds + 1));
    if (!cp || !cc || !cz)
        return ERR_NOMEM(err, 64);
    for (int i = 0; i < n_preds; i++) {
        int k = schema_find(&c->cschema, preds[i].column);
        if (k >= 0 && cache_pred_usable(&c->cschema.fields[k].type, &preds[i])) {
            bool cmp = preds[i].op != PQ_CMP_IS_NULL && preds[i].op != PQ_CMP_NOT_NULL;
            cp[c->n_cpreds] = preds[i];
            cz[c->n_cpreds] = cmp ? dcc_column_zones(cf, c->cvec[k]) : NULL;
            cc[c->n_cpreds++] = k;
        }
    }
    c->cpreds = cp;
    c->cpred_col = cc;
    c->czones = cz;
    c->cmask_begin = c->cmask_end = 0;
    if (c->n_cpreds && !(c->cmask = arena_alloc(&c->arena, CACHE_MASK_ROWS)))
        return ERR_NOMEM(err, CACHE_MASK_ROWS);
    int64_t rows = dcc_num_rows(cf);
    c->pos = c->task.row_begin > 0 ? c->task.row_begin : 0;
    c->cend = c->task.row_end > 0 && c->task.row_end < rows ? c->task.row_end : rows;
    return 0;
}

/* The next batch of a cached read into c->fb (n_rows 0 at the end): rows
 * [c->pos, c->pos + n).  With predicates, c->pos first moves to the next
 * row that may match, and the batch is a run of rows ending at a
 * candidate, cut where CACHE_RUN_GAP rows in a row fail (so the rows in
 * between may not match: callers filter rows anyway). */
static int cache_next(DeltaCursor *c)
{
    batch_reset(&c->fb);
    c->fb.n_rows = 0;
    uint32_t want = c->plan->batch_rows ? c->plan->batch_rows : VEC_BATCH_ROWS;
    if (c->pos >= c->cend)
        return 0;
    uint32_t n = c->cend - c->pos < (int64_t)want ? (uint32_t)(c->cend - c->pos) : want;
    if (c->n_cpreds) {
        int64_t start = -1, last = -1, end;
        for (;;) {
            if (c->pos >= c->cend)
                return 0;
            if (c->pos >= c->cmask_end || c->pos < c->cmask_begin)
                cache_mask(c, c->pos);
            const uint8_t *m = c->cmask - c->cmask_begin;
            int64_t p = c->pos;
            if (p < c->cmask_lo) /* excluded zones: nothing to look at */
                p = c->cmask_lo;
            if (p >= c->cmask_hi)
                p = c->cmask_end;
            for (uint64_t w; p + 8 <= c->cmask_end; p += 8) { /* 8 rows at a time */
                memcpy(&w, m + p, 8);
                if (w)
                    break;
            }
            while (p < c->cmask_end && !m[p])
                p++;
            c->pos = p;
            if (p < c->cmask_end) {
                start = last = p;
                break;
            }
        }
        const uint8_t *m = c->cmask - c->cmask_begin;
        for (end = start + 1; end < c->cmask_end && end - start < (int64_t)want; end++) {
            if (m[end])
                last = end;
            else if (end - last > CACHE_RUN_GAP)
                break;
        }
        n = (uint32_t)(last - start + 1);
    }
    for (uint32_t j = 0; j < c->fb.n_cols; j++)
        if (dcc_append_slice(&c->fb.cols[j], c->cvec[j], (uint32_t)c->pos, n, false))
            return TARN_ERR_NOMEM;
    c->fb.n_rows = n;
    return 0;
}

int delta_cursor_open(DeltaCursor *c, DeltaSnapshot *snap, const DeltaScanPlan *plan,
                      const DeltaFileTask *task, TarnError *err)
{
    delta_cursor_close(c);
    c->task = *task;
    c->plan = plan;
    c->pos = 0;
    DeltaTable *t = snap->table;
    const DeltaSchema *ds = plan->schema;
    int rc;
    Storage *st;
    char *path;
    if ((rc = delta_resolve_path(t, &c->arena, task->path, &st, &path, err)))
        return rc;
    c->file_name = path;
    /* Deletion vectors. */
    if (task->drop_dv && (rc = delta_dv_load(t->s, delta_table_abs_storage(t), t->root, task->drop_dv, &c->drop, err)))
        return err_context(err, "reading data file \"%s\"", path);
    c->has_keep = task->keep_dv != NULL;
    if (task->keep_dv && (rc = delta_dv_load(t->s, delta_table_abs_storage(t), t->root, task->keep_dv, &c->keep, err)))
        return err_context(err, "reading data file \"%s\"", path);
    /* First open: the file's columns. */
    PqReadOptions o;
    pq_read_options_default(&o);
    o.batch_rows = plan->batch_rows ? plan->batch_rows : VEC_BATCH_ROWS;
    /* Decoded-column cache (col_cache.h): plain scans of committed files. */
    bool cacheable = dcc_enabled() && task->add && task->change_type < 0 && task->add->size > 0;
    PqReader *r = NULL;
    if (cacheable)
        c->cfile = dcc_lookup(st->root, path, task->add->size, task->add->modification_time);
    if (!c->cfile) {
        r = delta_open_parquet(st, path, 0, &o, err);
        if (!r)
            return err_context(err, "reading data file \"%s\"", path);
    }
    const Schema *fs = c->cfile ? dcc_file_schema(c->cfile) : pq_reader_file_schema(r);
    int32_t *ids = tarn_malloc(sizeof(int32_t) * (fs->n_fields + 1));
    c->out_to_file = tarn_malloc(sizeof(int) * (plan->n_cols + 1));
    c->pvals = tarn_calloc(plan->n_cols + 1, sizeof(Value));
    const char **proj = arena_alloc(&c->arena, sizeof(char *) * (plan->n_cols + 1));
    PqPredicate *preds = arena_alloc(&c->arena, sizeof(PqPredicate) * (size_t)(plan->n_preds + 1));
    if (!ids || !c->out_to_file || !c->pvals || !proj || !preds) {
        tarn_free(ids);
        pq_reader_close(r);
        return ERR_NOMEM(err, 64);
    }
    if (c->cfile) {
        memcpy(ids, dcc_field_ids(c->cfile), sizeof(int32_t) * fs->n_fields);
    } else {
        top_field_ids(pq_reader_metadata(r), ids, fs->n_fields);
        if (cacheable)
            c->cfile = dcc_insert_file(st->root, path, task->add->size, task->add->modification_time, fs, ids,
                                       pq_reader_num_rows(r));
    }
    int n_proj = 0;
    int change_type_file = -1;
    for (uint32_t k = 0; k < plan->n_cols; k++) {
        const DeltaOutCol *oc = &plan->cols[k];
        c->out_to_file[k] = -1;
        if (oc->kind == DELTA_OUT_PARTITION) {
            const DeltaColumn *dc = &ds->columns[oc->table_col];
            const char *pv = delta_map_get(task->partition_values, dc->physical_name, NULL);
            bool found;
            delta_map_get(task->partition_values, dc->physical_name, &found);
            if (!found)
                pv = delta_map_get(task->partition_values, ds->schema.fields[oc->table_col].name, NULL);
            if ((rc = delta_partition_value_parse(pv, &ds->schema.fields[oc->table_col].type, &c->pvals[k], err))) {
                tarn_free(ids);
                pq_reader_close(r);
                return err_context(err, "partition column \"%s\" of \"%s\"", ds->schema.fields[oc->table_col].name,
                                   task->path);
            }
            continue;
        }
        if (oc->kind == DELTA_OUT_CHANGE_TYPE && task->change_type == DELTA_CHANGE_FROM_FILE) {
            int j = schema_find(fs, "_change_type");
            if (j >= 0) {
                change_type_file = j;
                c->out_to_file[k] = n_proj;
                proj[n_proj++] = arena_strdup(&c->arena, fs->fields[j].name);
            }
            continue;
        }
        if (oc->kind != DELTA_OUT_DATA)
            continue;
        const DeltaColumn *dc = &ds->columns[oc->table_col];
        int j = -1;
        if (plan->column_mapping == 1 && dc->field_id >= 0)
            for (uint32_t f = 0; f < fs->n_fields; f++)
                if (ids[f] == dc->field_id) {
                    j = (int)f;
                    break;
                }
        if (j < 0)
            j = schema_find(fs, dc->physical_name);
        if (j < 0 && plan->column_mapping == 0) {
            for (uint32_t f = 0; f < fs->n_fields; f++)
                if (strcasecmp(fs->fields[f].name, dc->physical_name) == 0) {
                    j = (int)f;
                    break;
                }
        }
        if (j < 0)
            continue;
        /* a file column may feed several output columns only once in the projection */
        int pos = -1;
        for (int q = 0; q < n_proj; q++)
            if (strcmp(proj[q], fs->fields[j].name) == 0)
                pos = q;
        if (pos < 0) {
            pos = n_proj;
            proj[n_proj++] = arena_strdup(&c->arena, fs->fields[j].name);
        }
        c->out_to_file[k] = pos;
    }
    (void)change_type_file;
    /* Row-group skipping unless every row must be seen (_row_index reads
     * for DML, CDF keep sets); batch positions come from the reader
     * (pq_reader_batch_row), so deletion vectors do not prevent it. */
    int n_preds = 0;
    bool positions = task->keep_dv || plan->need_row_index;
    for (int i = 0; !positions && i < plan->n_preds; i++) {
        const PqPredicate *p = &plan->preds[i];
        int tc = delta_schema_find(ds, p->column);
        if (tc < 0 || type_is_nested(ds->schema.fields[tc].type.id))
            continue;
        const char *pn = ds->columns[tc].physical_name;
        int j = schema_find(fs, pn);
        if (j < 0 || !type_equal(&fs->fields[j].type, &ds->schema.fields[tc].type))
            continue;
        preds[n_preds] = *p;
        preds[n_preds].column = arena_strdup(&c->arena, fs->fields[j].name);
        n_preds++;
    }
    tarn_free(ids);
    if (n_proj == 0) {
        /* only partition/constant columns: still need the row count; read the
         * narrowest column */
        if (fs->n_fields == 0) {
            pq_reader_close(r);
            return err_set(err, TARN_ERR_CORRUPT, "data file \"%s\" has no columns", path);
        }
        proj[n_proj++] = arena_strdup(&c->arena, fs->fields[0].name);
        c->count_only = true;
    }
    pq_reader_close(r);
    o.columns = proj;
    o.n_columns = n_proj;
    if (c->cfile && (rc = cache_open(c, st, path, proj, n_proj, &o, preds, n_preds, err)))
        return rc;
    if (!c->cfile) {
        o.preds = n_preds ? preds : NULL;
        o.n_preds = n_preds;
        o.row_begin = task->row_begin;
        o.row_end = task->row_end;
        c->reader = delta_open_parquet(st, path, 0, &o, err);
        if (!c->reader)
            return err_context(err, "reading data file \"%s\"", path);
        if (batch_init(&c->fb, pq_reader_schema(c->reader))) {
            pq_reader_close(c->reader);
            c->reader = NULL;
            return ERR_NOMEM(err, 64);
        }
    }
    /* Which output columns can take the file vector as is. */
    const Schema *rs = cursor_schema(c);
    if (!(c->swap = arena_alloc(&c->arena, plan->n_cols + 1)))
        return ERR_NOMEM(err, plan->n_cols);
    for (uint32_t k = 0; k < plan->n_cols; k++) {
        c->swap[k] = false;
        int j = c->out_to_file[k];
        if (j < 0 || plan->cols[k].kind != DELTA_OUT_DATA)
            continue;
        const DeltaColumn *dc = &ds->columns[plan->cols[k].table_col];
        c->swap[k] = same_layout(&rs->fields[j].type, &plan->out.fields[k].type, dc);
        for (uint32_t q = 0; q < plan->n_cols; q++)
            if (q != k && c->out_to_file[q] == j)
                c->swap[k] = false; /* a file column feeding two outputs is copied */
    }
    return 0;
}

static int fill_constant(Vector *v, const Value *x, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        int rc;
        if (x->is_null) {
            rc = vec_append_null(v);
        } else {
            switch (v->type->id) {
            case TYPE_BOOL: rc = vec_append_bool(v, x->v.b); break;
            case TYPE_FLOAT: case TYPE_DOUBLE: rc = vec_append_double(v, x->v.d); break;
            case TYPE_STRING: case TYPE_BLOB: rc = vec_append_str(v, x->v.s.ptr, x->v.s.len); break;
            case TYPE_DECIMAL:
                rc = v->type->precision > DECIMAL64_MAX_PRECISION ? vec_append_i128(v, x->v.i128)
                                                                   : vec_append_i64(v, x->v.i);
                break;
            default: rc = vec_append_i64(v, x->v.i); break;
            }
        }
        if (rc)
            return rc;
    }
    return 0;
}

int delta_cursor_next(DeltaCursor *c, Batch *out, int64_t *row_idx, TarnError *err)
{
    const DeltaScanPlan *plan = c->plan;
    batch_reset(out);
    out->n_rows = 0;
    if (!c->reader && !c->cvec)
        return 0;
    for (;;) {
        int rc = c->cvec ? cache_next(c) : pq_reader_next(c->reader, &c->fb, err);
        if (rc)
            return c->cvec ? ERR_NOMEM(err, 0) : err_context(err, "reading data file \"%s\"", c->file_name);
        uint32_t n = c->fb.n_rows;
        if (n == 0)
            return 0;
        int64_t base = c->cvec ? c->pos : pq_reader_batch_row(c->reader);
        c->pos = base + n;
        /* Which rows survive the deletion vector (or belong to the keep set). */
        uint8_t *keep = NULL;
        uint32_t n_keep = n;
        if (c->drop.n || c->has_keep) {
            keep = arena_alloc(&c->batch_arena, n);
            if (!keep)
                return ERR_NOMEM(err, n);
            n_keep = 0;
            for (uint32_t i = 0; i < n; i++) {
                uint64_t row = (uint64_t)(base + i);
                bool k = (!c->has_keep || delta_rowset_contains(&c->keep, row)) &&
                         !(c->drop.n && delta_rowset_contains(&c->drop, row));
                keep[i] = k;
                n_keep += k;
            }
            c->rows_deleted += n - n_keep;
            if (n_keep == 0) {
                arena_reset(&c->batch_arena);
                continue;
            }
        }
        for (uint32_t k = 0; k < plan->n_cols; k++) {
            Vector *ov = &out->cols[k];
            const DeltaOutCol *oc = &plan->cols[k];
            int j = c->out_to_file[k];
            switch (oc->kind) {
            case DELTA_OUT_PARTITION:
                rc = fill_constant(ov, &c->pvals[k], n_keep);
                break;
            case DELTA_OUT_FILE: {
                Value x = value_str(c->task.path, (uint32_t)strlen(c->task.path));
                rc = fill_constant(ov, &x, n_keep);
                break;
            }
            case DELTA_OUT_ROW_INDEX:
                rc = 0;
                for (uint32_t i = 0; i < n && rc == 0; i++)
                    if (!keep || keep[i])
                        rc = vec_append_i64(ov, base + i);
                break;
            case DELTA_OUT_COMMIT_VERSION: {
                Value x = value_i64(TYPE_INT64, c->task.commit_version);
                rc = fill_constant(ov, &x, n_keep);
                break;
            }
            case DELTA_OUT_COMMIT_TS: {
                Value x = value_i64(TYPE_TIMESTAMPTZ, c->task.commit_ts_ms * 1000);
                rc = fill_constant(ov, &x, n_keep);
                break;
            }
            case DELTA_OUT_CHANGE_TYPE:
                if (c->task.change_type != DELTA_CHANGE_FROM_FILE || j < 0) {
                    static const char *const names[] = {"insert", "delete", "update_preimage", "update_postimage"};
                    int ct = c->task.change_type;
                    Value x = ct >= 0 && ct < 4 ? value_str(names[ct], (uint32_t)strlen(names[ct])) : value_null();
                    rc = fill_constant(ov, &x, n_keep);
                    break;
                }
                /* copy the file's _change_type column */
                __attribute__((fallthrough));
            case DELTA_OUT_DATA:
                if (j < 0) {
                    rc = 0;
                    for (uint32_t i = 0; i < n_keep && rc == 0; i++)
                        rc = append_null_deep(ov);
                } else if (c->swap[k] && !keep && !c->count_only) {
                    Vector tmp = *ov;
                    *ov = c->fb.cols[j];
                    c->fb.cols[j] = tmp;
                    retype(ov, &plan->out.fields[k].type);
                    retype(&c->fb.cols[j], &cursor_schema(c)->fields[j].type);
                    /* the swapped-in vector is the only user of column j */
                    rc = 0;
                } else {
                    rc = 0;
                    const DeltaColumn *dc = oc->kind == DELTA_OUT_DATA ? &plan->schema->columns[oc->table_col] : NULL;
                    for (uint32_t i = 0; i < n && rc == 0; i++)
                        if (!keep || keep[i])
                            rc = append_converted(ov, dc, &c->fb.cols[j], i);
                }
                break;
            default:
                rc = 0;
                for (uint32_t i = 0; i < n_keep && rc == 0; i++)
                    rc = vec_append_null(ov);
                break;
            }
            if (rc)
                return ERR_NOMEM(err, 0);
        }
        if (row_idx) {
            uint32_t m = 0;
            for (uint32_t i = 0; i < n; i++)
                if (!keep || keep[i])
                    row_idx[m++] = base + i;
        }
        out->n_rows = n_keep;
        arena_reset(&c->batch_arena);
        return 0;
    }
}

/* ---- Plans ----------------------------------------------------------------------- */

static bool is_partition(const DeltaMetadata *m, const char *name)
{
    for (uint32_t i = 0; i < m->n_partition_columns; i++)
        if (strcasecmp(m->partition_columns[i], name) == 0)
            return true;
    return false;
}

int delta_plan_add(DeltaScanPlan *p, DeltaOutKind kind, int table_col, const char *name,
                   const LogicalType *type, bool nullable, TarnError *err)
{
    if (p->n_cols >= DELTA_PLAN_MAX_COLS)
        return err_set(err, TARN_ERR_UNSUPPORTED, "unsupported: more than %d columns in a scan", DELTA_PLAN_MAX_COLS);
    if (p->n_cols == p->cap_cols) {
        uint32_t cap = p->cap_cols ? 2 * p->cap_cols : 16;
        DeltaOutCol *nc = tarn_realloc(p->cols, cap * sizeof *nc);
        if (!nc)
            return ERR_NOMEM(err, cap * sizeof *nc);
        p->cols = nc;
        p->cap_cols = cap;
    }
    LogicalType t;
    if (type_copy(&t, type) || schema_add(&p->out, name, t, nullable))
        return ERR_NOMEM(err, 64);
    p->cols[p->n_cols].kind = kind;
    p->cols[p->n_cols].table_col = table_col;
    p->n_cols++;
    return 0;
}

int delta_plan_init(DeltaScanPlan *p, const DeltaSnapshot *snap, const DeltaSchema *schema,
                    const DeltaScanOptions *o, TarnError *err)
{
    memset(p, 0, sizeof *p);
    schema_init(&p->out);
    p->schema = schema;
    p->column_mapping = snap->column_mapping;
    p->batch_rows = o ? o->batch_rows : 0;
    const Schema *s = &schema->schema;
    int rc;
    if (o && o->columns) {
        for (int i = 0; i < o->n_columns; i++) {
            int c = delta_schema_find(schema, o->columns[i]);
            if (c < 0)
                return err_set_state(err, TARN_ERR_NOT_FOUND, "42703", "column \"%s\" does not exist", o->columns[i]);
            if ((rc = delta_plan_add(p, is_partition(&snap->metadata, s->fields[c].name) ? DELTA_OUT_PARTITION : DELTA_OUT_DATA,
                                     c, s->fields[c].name, &s->fields[c].type, true, err)))
                return rc;
        }
    } else {
        for (uint32_t c = 0; c < s->n_fields; c++)
            if ((rc = delta_plan_add(p, is_partition(&snap->metadata, s->fields[c].name) ? DELTA_OUT_PARTITION : DELTA_OUT_DATA,
                                     (int)c, s->fields[c].name, &s->fields[c].type, s->fields[c].nullable, err)))
                return rc;
    }
    if (o && o->with_row_ids) {
        LogicalType ts = type_simple(TYPE_STRING), ti = type_simple(TYPE_INT64);
        if ((rc = delta_plan_add(p, DELTA_OUT_FILE, -1, "_file", &ts, false, err)) ||
            (rc = delta_plan_add(p, DELTA_OUT_ROW_INDEX, -1, "_row_index", &ti, false, err)))
            return rc;
        p->need_row_index = true;
    }
    if (o && o->n_preds > 0) {
        p->preds = o->preds;
        p->n_preds = o->n_preds;
    }
    return 0;
}

void delta_plan_destroy(DeltaScanPlan *p)
{
    schema_destroy(&p->out);
    tarn_free(p->cols);
    p->cols = NULL;
    p->n_cols = p->cap_cols = 0;
}

/* ---- DeltaScan -------------------------------------------------------------------- */

struct DeltaScan {
    DeltaSnapshot *snap;           /* referenced */
    DeltaScanPlan plan;
    PqPredicate *preds;            /* copies (strings in arena) */
    Arena arena;
    DeltaFileTask *tasks;
    size_t n_tasks, cur;
    DeltaCursor cursor;
    bool cursor_open;
    DeltaScanStats stats;
    /* CDF scans own a second snapshot reference list and a schema */
    DeltaSnapshot **extra_snaps;
    size_t n_extra;
};

static int copy_preds(DeltaScan *sc, const DeltaScanOptions *o, TarnError *err)
{
    if (!o || o->n_preds <= 0)
        return 0;
    sc->preds = arena_alloc(&sc->arena, sizeof(PqPredicate) * (size_t)o->n_preds);
    if (!sc->preds)
        return ERR_NOMEM(err, 64);
    for (int i = 0; i < o->n_preds; i++) {
        sc->preds[i] = o->preds[i];
        sc->preds[i].column = arena_strdup(&sc->arena, o->preds[i].column);
        if (!sc->preds[i].column)
            return ERR_NOMEM(err, 64);
        if (!o->preds[i].value.is_null && type_is_string_like(o->preds[i].value.type)) {
            char *s = arena_strndup(&sc->arena, o->preds[i].value.v.s.ptr, o->preds[i].value.v.s.len);
            if (!s)
                return ERR_NOMEM(err, 64);
            sc->preds[i].value.v.s.ptr = s;
        }
    }
    sc->plan.preds = sc->preds;
    sc->plan.n_preds = o->n_preds;
    return 0;
}

/* A scan with everything but its plan set up (zeroed; the caller
 * initializes sc->plan before anything can fail). */
static DeltaScan *scan_alloc(DeltaSnapshot *snap)
{
    DeltaScan *sc = tarn_calloc(1, sizeof *sc);
    if (!sc)
        return NULL;
    arena_init(&sc->arena, 16 * 1024);
    sc->snap = delta_snapshot_ref(snap);
    delta_cursor_init(&sc->cursor);
    return sc;
}

DeltaScan *delta_scan_new_internal(DeltaSnapshot *snap, const DeltaSchema *schema,
                                   const DeltaScanOptions *opts, TarnError *err)
{
    DeltaScan *sc = scan_alloc(snap);
    if (!sc)
        return (void)ERR_NOMEM(err, sizeof *sc), NULL;
    if (delta_plan_init(&sc->plan, snap, schema, opts, err) || copy_preds(sc, opts, err)) {
        delta_scan_close(sc);
        return NULL;
    }
    return sc;
}

DeltaScanPlan *delta_scan_plan(DeltaScan *sc) { return &sc->plan; }
Arena *delta_scan_arena(DeltaScan *sc) { return &sc->arena; }

int delta_scan_add_task(DeltaScan *sc, const DeltaFileTask *t, TarnError *err)
{
    if (sc->n_tasks % 256 == 0) {
        DeltaFileTask *p = tarn_realloc(sc->tasks, (sc->n_tasks + 256) * sizeof *p);
        if (!p)
            return ERR_NOMEM(err, sizeof *p);
        sc->tasks = p;
    }
    sc->tasks[sc->n_tasks++] = *t;
    return 0;
}

int delta_scan_keep_snapshot(DeltaScan *sc, DeltaSnapshot *s, TarnError *err)
{
    DeltaSnapshot **p = tarn_realloc(sc->extra_snaps, (sc->n_extra + 1) * sizeof *p);
    if (!p)
        return ERR_NOMEM(err, sizeof *p);
    sc->extra_snaps = p;
    p[sc->n_extra++] = delta_snapshot_ref(s);
    return 0;
}

DeltaScan *delta_scan_open(DeltaSnapshot *snap, const DeltaScanOptions *opts, TarnError *err)
{
    DeltaScan *sc = delta_scan_new_internal(snap, &snap->schema, opts, err);
    if (!sc)
        return NULL;
    sc->stats.files_total = (int64_t)snap->n_files;
    Arena scratch;
    arena_init(&scratch, 16 * 1024);
    for (size_t i = 0; i < snap->n_files; i++) {
        const DeltaAdd *f = delta_snapshot_file(snap, i);
        if (sc->plan.n_preds && !delta_snapshot_file_may_match(snap, f, sc->plan.preds, sc->plan.n_preds, &scratch)) {
            sc->stats.files_pruned++;
            arena_reset(&scratch);
            continue;
        }
        arena_reset(&scratch);
        DeltaFileTask t;
        memset(&t, 0, sizeof t);
        t.path = f->path;
        t.partition_values = &f->partition_values;
        t.drop_dv = f->dv;
        t.change_type = -1;
        t.add = f;
        if (delta_scan_add_task(sc, &t, err)) {
            arena_free(&scratch);
            delta_scan_close(sc);
            return NULL;
        }
    }
    arena_free(&scratch);
    return sc;
}

const Schema *delta_scan_schema(const DeltaScan *sc) { return &sc->plan.out; }
size_t delta_scan_num_files(const DeltaScan *sc) { return sc->n_tasks; }
const DeltaAdd *delta_scan_file(const DeltaScan *sc, size_t i)
{
    return i < sc->n_tasks ? sc->tasks[i].add : NULL;
}

int delta_scan_split_file(DeltaScan *sc, size_t i, int64_t target_rows, int64_t **ranges, size_t *n,
                          TarnError *err)
{
    *ranges = NULL;
    *n = 0;
    if (i >= sc->n_tasks)
        return err_set(err, TARN_ERR_INVALID, "scan file %zu out of range", i);
    const DeltaFileTask *t = &sc->tasks[i];
    int64_t known = t->add && t->add->stats ? delta_stats_num_records(t->add->stats) : -1;
    if (known >= 0 && known <= target_rows) {
        int64_t *one = tarn_calloc(2, sizeof(int64_t));
        if (!one)
            return ERR_NOMEM(err, 2 * sizeof(int64_t));
        *ranges = one;
        *n = 1;
        return 0;
    }
    Arena a;
    arena_init(&a, 1024);
    Storage *st;
    char *path;
    int rc = delta_resolve_path(sc->snap->table, &a, t->path, &st, &path, err);
    if (!rc) {
        PqReadOptions o;
        pq_read_options_default(&o);
        PqReader *r = delta_open_parquet(st, path, 0, &o, err);
        if (!r)
            rc = err_context(err, "reading data file \"%s\"", path);
        else
            rc = pq_reader_split(r, target_rows, ranges, n, err);
        pq_reader_close(r);
    }
    arena_free(&a);
    return rc;
}

DeltaScan *delta_scan_open_file_rows(DeltaScan *sc, size_t i, int64_t row_begin, int64_t row_end, TarnError *err)
{
    DeltaScan *one = delta_scan_open_file(sc, i, err);
    if (one) {
        one->tasks[0].row_begin = row_begin;
        one->tasks[0].row_end = row_end;
    }
    return one;
}

DeltaScan *delta_scan_open_file(DeltaScan *sc, size_t i, TarnError *err)
{
    if (i >= sc->n_tasks)
        return (void)err_set(err, TARN_ERR_INVALID, "scan file %zu out of range", i), NULL;
    DeltaScan *one = scan_alloc(sc->snap);
    if (!one)
        return (void)ERR_NOMEM(err, sizeof *one), NULL;
    /* same output plan as the parent */
    const DeltaScanPlan *pp = &sc->plan;
    DeltaScanPlan *op = &one->plan;
    *op = *pp;
    op->cols = NULL;
    op->n_cols = op->cap_cols = 0;
    schema_init(&op->out);
    if ((op->cols = tarn_malloc((pp->n_cols + 1) * sizeof *op->cols))) {
        if (pp->n_cols)
            memcpy(op->cols, pp->cols, pp->n_cols * sizeof *op->cols);
        op->n_cols = op->cap_cols = pp->n_cols;
    }
    if (!op->cols || schema_copy(&one->plan.out, &sc->plan.out) || delta_scan_add_task(one, &sc->tasks[i], err)) {
        ERR_NOMEM(err, 0);
        delta_scan_close(one);
        return NULL;
    }
    one->stats.files_total = 1;
    return one;
}

int delta_scan_next(DeltaScan *sc, Batch *b, TarnError *err)
{
    b->n_rows = 0;
    for (;;) {
        if (!sc->cursor_open) {
            if (sc->cur >= sc->n_tasks) {
                batch_reset(b);
                b->n_rows = 0;
                return 0;
            }
            int rc = delta_cursor_open(&sc->cursor, sc->snap, &sc->plan, &sc->tasks[sc->cur], err);
            if (rc)
                return rc;
            sc->cursor_open = true;
            sc->stats.files_read++;
        }
        int rc = delta_cursor_next(&sc->cursor, b, NULL, err);
        if (rc)
            return rc;
        if (b->n_rows > 0)
            return 0;
        PqReadStats rs;
        if (sc->cursor.reader) {
            pq_reader_stats(sc->cursor.reader, &rs);
            sc->stats.row_groups_total += rs.row_groups_total;
            sc->stats.row_groups_skipped += rs.row_groups_skipped;
            sc->stats.bytes_read += rs.bytes_read;
            sc->stats.pq.row_groups_total += rs.row_groups_total;
            sc->stats.pq.row_groups_skipped += rs.row_groups_skipped;
            sc->stats.pq.row_groups_read += rs.row_groups_read;
            sc->stats.pq.row_groups_skipped_bloom += rs.row_groups_skipped_bloom;
            sc->stats.pq.pages_total += rs.pages_total;
            sc->stats.pq.pages_skipped += rs.pages_skipped;
            sc->stats.pq.bytes_read += rs.bytes_read;
        }
        sc->stats.rows_deleted += sc->cursor.rows_deleted;
        sc->cursor.rows_deleted = 0;
        delta_cursor_close(&sc->cursor);
        sc->cursor_open = false;
        sc->cur++;
    }
}

void delta_scan_stats(const DeltaScan *sc, DeltaScanStats *out)
{
    *out = sc->stats;
}

void delta_scan_close(DeltaScan *sc)
{
    if (!sc)
        return;
    delta_cursor_free(&sc->cursor);
    delta_plan_destroy(&sc->plan);
    tarn_free(sc->tasks);
    for (size_t i = 0; i < sc->n_extra; i++)
        delta_snapshot_free(sc->extra_snaps[i]);
    tarn_free(sc->extra_snaps);
    if (sc->snap)
        delta_snapshot_free(sc->snap);
    arena_free(&sc->arena);
    tarn_free(sc);
}

/* ---- Whole-file reads for DML -------------------------------------------------------- */

int delta_read_file(DeltaSnapshot *snap, const DeltaAdd *f, bool apply_dv, DeltaBatchFn fn,
                    void *ctx, TarnError *err)
{
    DeltaScanPlan plan;
    DeltaScanOptions o;
    memset(&o, 0, sizeof o);
    int rc = delta_plan_init(&plan, snap, &snap->schema, &o, err);
    if (rc) {
        delta_plan_destroy(&plan);
        return rc;
    }
    plan.need_row_index = true;
    DeltaFileTask t;
    memset(&t, 0, sizeof t);
    t.path = f->path;
    t.partition_values = &f->partition_values;
    t.drop_dv = apply_dv ? f->dv : NULL;
    t.change_type = -1;
    t.add = f;
    DeltaCursor c;
    delta_cursor_init(&c);
    Batch b;
    int64_t *rows = tarn_malloc(sizeof(int64_t) * (VEC_BATCH_ROWS > 0 ? 65536 : 1));
    if (!rows || batch_init(&b, &plan.out)) {
        tarn_free(rows);
        delta_cursor_free(&c);
        delta_plan_destroy(&plan);
        return ERR_NOMEM(err, 0);
    }
    rc = delta_cursor_open(&c, snap, &plan, &t, err);
    while (rc == 0) {
        rc = delta_cursor_next(&c, &b, rows, err);
        if (rc || b.n_rows == 0)
            break;
        rc = fn(ctx, &b, rows, err);
    }
    batch_destroy(&b);
    tarn_free(rows);
    delta_cursor_free(&c);
    delta_plan_destroy(&plan);
    return rc;
}
