/*
 * reader.c - the Parquet reader: footer, projection, row-group iteration,
 * row-group skipping by statistics and bloom filters, page skipping by the
 * page index, and batch production (see reader.h).
 *
 * The per-column work (pages, levels, values) is in reader_column.c, the
 * rebuilding of nested values in reader_assemble.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/parquet/bloom.h"
#include "format/parquet/reader_int.h"

#define FOOTER_MAX (256u << 20) /* a footer larger than this is refused */

void pq_read_options_default(PqReadOptions *o)
{
    memset(o, 0, sizeof *o);
    o->verify_crc = true;
    o->batch_rows = VEC_BATCH_ROWS;
    o->use_bloom_filters = true;
}

/* ---- Local file source ---------------------------------------------------- */

typedef struct FileSrc {
    int fd;
    char *path;
} FileSrc;

static int file_read(void *ctx, uint64_t off, size_t len, void *buf, TarnError *err)
{
    FileSrc *f = ctx;
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(f->fd, (char *)buf + done, len - done, (off_t)(off + done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return err_set(err, TARN_ERR_IO, "could not read file \"%s\": %s", f->path, strerror(errno));
        }
        if (n == 0)
            return err_set(err, TARN_ERR_CORRUPT, "file \"%s\" is shorter than expected (read at %llu)", f->path,
                           (unsigned long long)(off + done));
        done += (size_t)n;
    }
    return 0;
}

static void file_close(void *ctx)
{
    FileSrc *f = ctx;
    close(f->fd);
    tarn_free(f->path);
    tarn_free(f);
}

int pq_source_file(const char *path, PqSource *out, TarnError *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_set(err, errno == ENOENT ? TARN_ERR_NOT_FOUND : TARN_ERR_IO, "could not open file \"%s\": %s",
                       path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return err_set(err, TARN_ERR_IO, "could not stat file \"%s\": %s", path, strerror(e));
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return err_set(err, TARN_ERR_INVALID, "\"%s\" is a directory, not a Parquet file", path);
    }
    FileSrc *f = tarn_calloc(1, sizeof *f);
    char *p = tarn_strdup(path);
    if (!f || !p) {
        tarn_free(f);
        tarn_free(p);
        close(fd);
        return ERR_NOMEM(err, sizeof *f);
    }
    f->fd = fd;
    f->path = p;
    out->ctx = f;
    out->size = (uint64_t)st.st_size;
    out->read = file_read;
    out->close = file_close;
    out->name = p;
    return 0;
}

/* ---- Retired buffers -------------------------------------------------------- */

#define RD_HDR 16 /* capacity header; keeps 16-byte alignment */
#define POOL_MAX_BYTES ((size_t)256 << 20)

static size_t rd_cap(void *p)
{
    size_t cap;
    memcpy(&cap, (uint8_t *)p - RD_HDR, sizeof cap);
    return cap;
}

void *pq_rd_alloc(PqReader *r, size_t n)
{
    /* The smallest pooled buffer that fits and is not wastefully large. */
    int best = -1;
    for (int i = 0; i < r->n_pool; i++) {
        size_t cap = rd_cap(r->pool[i]);
        if (cap >= n && cap / 4 <= n + 4096 && (best < 0 || cap < rd_cap(r->pool[best])))
            best = i;
    }
    if (best >= 0) {
        void *p = r->pool[best];
        r->pool_bytes -= rd_cap(p);
        r->pool[best] = r->pool[--r->n_pool];
        return p;
    }
    if (n > SIZE_MAX - RD_HDR)
        return NULL;
    uint8_t *b = tarn_malloc(n + RD_HDR);
    if (!b)
        return NULL;
    memcpy(b, &n, sizeof n);
    return b + RD_HDR;
}

void pq_rd_free(void *p)
{
    if (p)
        tarn_free((uint8_t *)p - RD_HDR);
}

int pq_reader_retire(PqReader *r, void *p, TarnError *err)
{
    if (!p)
        return 0;
    if (r->n_retired == r->cap_retired) {
        int cap = r->cap_retired ? r->cap_retired * 2 : 64;
        void **q = tarn_realloc(r->retired, (size_t)cap * sizeof(void *));
        if (!q) {
            pq_rd_free(p);
            return ERR_NOMEM(err, (size_t)cap * sizeof(void *));
        }
        r->retired = q;
        r->cap_retired = cap;
    }
    r->retired[r->n_retired++] = p;
    return 0;
}

/* Retired buffers go to the reuse pool while it has room, else to free. */
static void free_retired(PqReader *r)
{
    for (int i = 0; i < r->n_retired; i++) {
        void *p = r->retired[i];
        size_t cap = rd_cap(p);
        if (r->n_pool < (int)(sizeof r->pool / sizeof r->pool[0]) && r->pool_bytes + cap <= POOL_MAX_BYTES) {
            r->pool[r->n_pool++] = p;
            r->pool_bytes += cap;
        } else {
            pq_rd_free(p);
        }
    }
    r->n_retired = 0;
}

/* ---- Open ------------------------------------------------------------------- */

static int read_footer(PqReader *r, TarnError *err)
{
    uint64_t size = r->src.size;
    if (size < 12)
        return err_set(err, TARN_ERR_CORRUPT, "file \"%s\" is too small (%llu bytes) to be Parquet", r->name,
                       (unsigned long long)size);
    uint8_t tail[8], head[4];
    int rc = r->src.read(r->src.ctx, size - 8, 8, tail, err);
    if (!rc)
        rc = r->src.read(r->src.ctx, 0, 4, head, err);
    if (rc)
        return rc;
    if (memcmp(tail + 4, "PARE", 4) == 0)
        return err_set(err, TARN_ERR_UNSUPPORTED, "unsupported: encrypted Parquet file \"%s\" (encrypted footer)",
                       r->name);
    if (memcmp(tail + 4, "PAR1", 4) != 0 || memcmp(head, "PAR1", 4) != 0)
        return err_set(err, TARN_ERR_CORRUPT, "file \"%s\" is not a Parquet file (magic bytes missing)", r->name);
    uint32_t flen = load_le32(tail);
    if ((uint64_t)flen > size - 12 || flen > FOOTER_MAX)
        return err_set(err, TARN_ERR_CORRUPT, "file \"%s\": footer length %u exceeds the file (%llu bytes)", r->name,
                       flen, (unsigned long long)size);
    uint8_t *buf = tarn_malloc(flen ? flen : 1);
    if (!buf)
        return ERR_NOMEM(err, flen);
    rc = r->src.read(r->src.ctx, size - 8 - flen, flen, buf, err);
    if (!rc)
        rc = pq_decode_file_metadata(buf, flen, &r->meta_arena, &r->md, err);
    tarn_free(buf);
    if (rc)
        return err_context(err, "reading the footer of \"%s\"", r->name);
    if (r->md.encrypted)
        return err_set(err, TARN_ERR_UNSUPPORTED, "unsupported: encrypted Parquet file \"%s\"", r->name);
    for (int i = 0; i < r->md.n_row_groups; i++) {
        const PqRowGroup *g = &r->md.row_groups[i];
        if (g->num_rows < 0)
            return err_set(err, TARN_ERR_CORRUPT, "file \"%s\": row group %d has %lld rows", r->name, i,
                           (long long)g->num_rows);
    }
    return 0;
}

static int setup_projection(PqReader *r, const PqReadOptions *opt, TarnError *err)
{
    const Schema *fs = &r->ps.schema;
    int n = opt && opt->columns ? opt->n_columns : (int)fs->n_fields;
    r->proj_fields = tarn_calloc((size_t)(n ? n : 1), sizeof(int));
    r->leaf_needed = tarn_calloc((size_t)(r->ps.n_leaves ? r->ps.n_leaves : 1), sizeof(bool));
    if (!r->proj_fields || !r->leaf_needed)
        return ERR_NOMEM(err, (size_t)n * sizeof(int));
    schema_init(&r->proj);
    for (int i = 0; i < n; i++) {
        int f = i;
        if (opt && opt->columns) {
            f = schema_find(fs, opt->columns[i]);
            if (f < 0) {
                err_set_state(err, TARN_ERR_NOT_FOUND, "42703", "column \"%s\" does not exist in \"%s\"",
                              opt->columns[i], r->name);
                char names[400] = "";
                size_t used = 0;
                for (uint32_t k = 0; k < fs->n_fields && used < sizeof names - 64; k++)
                    used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", k ? ", " : "",
                                             fs->fields[k].name);
                err_hint(err, "The file's columns are: %s.", names);
                return TARN_ERR_NOT_FOUND;
            }
        }
        r->proj_fields[i] = f;
        LogicalType t;
        if (type_copy(&t, &fs->fields[f].type) || schema_add(&r->proj, fs->fields[f].name, t, fs->fields[f].nullable))
            return ERR_NOMEM(err, 0);
        const PqNode *node = &r->ps.fields[f];
        for (int l = node->first_leaf; l >= 0 && l < node->first_leaf + node->n_leaves; l++)
            r->leaf_needed[l] = true;
    }
    r->n_proj = n;
    return 0;
}

static int copy_predicates(PqReader *r, const PqReadOptions *opt, TarnError *err)
{
    if (!opt || !opt->preds || opt->n_preds <= 0)
        return 0;
    r->preds = tarn_calloc((size_t)opt->n_preds, sizeof(PqPredicate));
    if (!r->preds)
        return ERR_NOMEM(err, 0);
    for (int i = 0; i < opt->n_preds; i++) {
        const PqPredicate *p = &opt->preds[i];
        int f = schema_find(&r->ps.schema, p->column);
        if (f < 0)
            return err_set_state(err, TARN_ERR_NOT_FOUND, "42703", "column \"%s\" does not exist in \"%s\"",
                                 p->column, r->name);
        PqPredicate *q = &r->preds[r->n_preds++];
        *q = *p;
        q->column = arena_strdup(&r->meta_arena, p->column);
        if (!q->column)
            return ERR_NOMEM(err, 0);
        if (!p->value.is_null && type_is_string_like(p->value.type)) {
            char *s = arena_strndup(&r->meta_arena, p->value.v.s.ptr, p->value.v.s.len);
            if (!s)
                return ERR_NOMEM(err, 0);
            q->value.v.s.ptr = s;
        }
    }
    return 0;
}

PqReader *pq_reader_open_source(PqSource src, const PqReadOptions *opt, TarnError *err)
{
    PqReader *r = tarn_calloc(1, sizeof *r);
    if (!r) {
        if (src.close)
            src.close(src.ctx);
        ERR_NOMEM(err, sizeof *r);
        return NULL;
    }
    r->src = src;
    r->name = tarn_strdup(src.name ? src.name : "(memory)");
    arena_init(&r->meta_arena, 64 * 1024);
    arena_init(&r->hdr_arena, 4 * 1024);
    arena_init(&r->idx_arena, 16 * 1024);
    r->rg = -1;
    if (opt)
        r->opt = *opt;
    else
        pq_read_options_default(&r->opt);
    if (r->opt.batch_rows == 0)
        r->opt.batch_rows = VEC_BATCH_ROWS;
    int rc = r->name ? 0 : ERR_NOMEM(err, 0);
    if (!rc)
        rc = read_footer(r, err);
    if (!rc) {
        rc = pq_schema_build(&r->md, &r->meta_arena, &r->ps, err);
        if (rc)
            err_context(err, "reading the schema of \"%s\"", r->name);
    }
    if (!rc)
        rc = setup_projection(r, opt, err);
    if (!rc)
        rc = copy_predicates(r, opt, err);
    if (!rc) {
        r->cols = tarn_calloc((size_t)(r->ps.n_leaves ? r->ps.n_leaves : 1), sizeof(ColReader));
        if (!r->cols)
            rc = ERR_NOMEM(err, 0);
    }
    if (!rc) {
        for (int i = 0; i < r->ps.n_leaves; i++) {
            ColReader *c = &r->cols[i];
            c->r = r;
            c->d = &r->ps.leaves[i];
            c->leaf_index = i;
            c->width = (uint32_t)type_width(c->d->type);
            c->lb.width = c->width;
        }
        for (int i = 0; i < r->md.n_row_groups; i++)
            if (r->md.row_groups[i].n_columns != r->ps.n_leaves) {
                rc = err_set(err, TARN_ERR_CORRUPT, "file \"%s\": row group %d has %d columns, the schema %d leaves",
                             r->name, i, r->md.row_groups[i].n_columns, r->ps.n_leaves);
                break;
            }
    }
    if (rc) {
        pq_reader_close(r);
        return NULL;
    }
    r->stats.row_groups_total = r->md.n_row_groups;
    r->rg_first = arena_alloc(&r->meta_arena, sizeof(int64_t) * (size_t)(r->md.n_row_groups + 1));
    if (!r->rg_first) {
        ERR_NOMEM(err, 0);
        pq_reader_close(r);
        return NULL;
    }
    r->rg_first[0] = 0;
    for (int i = 0; i < r->md.n_row_groups; i++)
        r->rg_first[i + 1] = r->rg_first[i] + r->md.row_groups[i].num_rows;
    return r;
}

PqReader *pq_reader_open(const char *path, const PqReadOptions *opt, TarnError *err)
{
    PqSource src;
    if (pq_source_file(path, &src, err))
        return NULL;
    return pq_reader_open_source(src, opt, err);
}

const Schema *pq_reader_schema(const PqReader *r)
{
    return &r->proj;
}

const Schema *pq_reader_file_schema(const PqReader *r)
{
    return &r->ps.schema;
}

const PqFileMetaData *pq_reader_metadata(const PqReader *r)
{
    return &r->md;
}

int64_t pq_reader_num_rows(const PqReader *r)
{
    int64_t n = 0;
    for (int i = 0; i < r->md.n_row_groups; i++)
        n += r->md.row_groups[i].num_rows;
    return n;
}

void pq_reader_stats(const PqReader *r, PqReadStats *out)
{
    *out = r->stats;
}

void pq_reader_close(PqReader *r)
{
    if (!r)
        return;
    if (r->cols) {
        for (int i = 0; i < r->ps.n_leaves; i++) {
            col_close_chunk(&r->cols[i]);
            col_destroy(&r->cols[i]);
        }
        tarn_free(r->cols);
    }
    free_retired(r);
    for (int i = 0; i < r->n_pool; i++)
        pq_rd_free(r->pool[i]);
    tarn_free(r->retired);
    pq_schema_destroy(&r->ps);
    schema_destroy(&r->proj);
    tarn_free(r->proj_fields);
    tarn_free(r->leaf_needed);
    tarn_free(r->preds);
    tarn_free(r->ranges);
    arena_free(&r->meta_arena);
    arena_free(&r->hdr_arena);
    arena_free(&r->idx_arena);
    if (r->src.close)
        r->src.close(r->src.ctx);
    tarn_free(r->name);
    tarn_free(r);
}

/* ---- Predicate evaluation against statistics -------------------------------- */

/* Converts one physical statistics value to the leaf's representation.
 * Returns false when it cannot (wrong size, unsupported conversion). */
static bool stat_value(const PqLeaf *d, PqBytes b, uint8_t out[16])
{
    if (!b.ptr)
        return false;
    memset(out, 0, 16);
    const uint8_t *p = b.ptr;
    uint32_t n = b.len;
    switch (d->conv) {
    case PQ_CONV_NONE:
        if (d->phys == PQ_INT32 || d->phys == PQ_FLOAT) {
            if (n != 4)
                return false;
            memcpy(out, p, 4);
            return true;
        }
        if (d->phys == PQ_INT64 || d->phys == PQ_DOUBLE) {
            if (n != 8)
                return false;
            memcpy(out, p, 8);
            return true;
        }
        return false;
    case PQ_CONV_BOOL:
        if (n < 1)
            return false;
        out[0] = p[0] != 0;
        return true;
    case PQ_CONV_I32_TO_I8:
    case PQ_CONV_I32_TO_I16:
    case PQ_CONV_I32_TO_U8:
    case PQ_CONV_I32_TO_U16: {
        if (n != 4)
            return false;
        int32_t x;
        memcpy(&x, p, 4);
        int64_t y = d->conv == PQ_CONV_I32_TO_U8 || d->conv == PQ_CONV_I32_TO_U16 ? (int64_t)(uint32_t)x : x;
        memcpy(out, &y, 8); /* compared as int64 below */
        return true;
    }
    case PQ_CONV_I32_DECIMAL:
    case PQ_CONV_I64_DECIMAL: {
        int128_t v;
        if (n == 4) {
            int32_t x;
            memcpy(&x, p, 4);
            v = x;
        } else if (n == 8) {
            int64_t x;
            memcpy(&x, p, 8);
            v = x;
        } else {
            return false;
        }
        memcpy(out, &v, 16);
        return true;
    }
    case PQ_CONV_BIN_DECIMAL: {
        if (n == 0 || n > 16)
            return false;
        unsigned __int128 v = (p[0] & 0x80) ? ~(unsigned __int128)0 : 0;
        for (uint32_t i = 0; i < n; i++)
            v = (v << 8) | p[i];
        int128_t s = (int128_t)v;
        memcpy(out, &s, 16);
        return true;
    }
    case PQ_CONV_TS_MS:
    case PQ_CONV_TS_NS:
    case PQ_CONV_TIME_NS:
    case PQ_CONV_TIME_MS: {
        int64_t x;
        if (d->conv == PQ_CONV_TIME_MS) {
            if (n != 4)
                return false;
            int32_t y;
            memcpy(&y, p, 4);
            x = (int64_t)y * 1000;
        } else {
            if (n != 8)
                return false;
            memcpy(&x, p, 8);
            if (d->conv == PQ_CONV_TS_MS) {
                if (__builtin_mul_overflow(x, (int64_t)1000, &x))
                    return false;
            } else {
                x = x / 1000 - ((x % 1000) < 0);
            }
        }
        memcpy(out, &x, 8);
        return true;
    }
    case PQ_CONV_BYTES: {
        StrView sv = {n, 0, (const char *)p};
        memcpy(out, &sv, sizeof sv);
        return true;
    }
    default:
        return false;
    }
}

/* Compares the leaf value x (from stat_value) with v: -1, 0, 1, or 2 when
 * they are not comparable. */
static int cmp_stat(const PqLeaf *d, const uint8_t *x, const Value *v)
{
    TypeId t = d->type->id;
    if (v->is_null)
        return 2;
    switch (t) {
    case TYPE_BOOL:
        if (v->type != TYPE_BOOL)
            return 2;
        return (x[0] > v->v.b) - (x[0] < v->v.b);
    case TYPE_INT8:
    case TYPE_INT16:
    case TYPE_INT32:
    case TYPE_UINT8:
    case TYPE_UINT16:
    case TYPE_INT64:
    case TYPE_DATE:
    case TYPE_TIME:
    case TYPE_TIMESTAMP:
    case TYPE_TIMESTAMPTZ:
    case TYPE_UINT32: {
        int64_t a;
        if (d->conv == PQ_CONV_NONE && (d->phys == PQ_INT32)) {
            int32_t y;
            memcpy(&y, x, 4);
            a = t == TYPE_UINT32 ? (int64_t)(uint32_t)y : y;
        } else {
            memcpy(&a, x, 8);
        }
        if (v->type == TYPE_DOUBLE || v->type == TYPE_FLOAT) {
            double b = v->v.d;
            if (isnan(b))
                return 2;
            return ((double)a > b) - ((double)a < b);
        }
        if (v->type == TYPE_UINT64) {
            if (a < 0)
                return -1;
            return ((uint64_t)a > v->v.u) - ((uint64_t)a < v->v.u);
        }
        if (!type_is_integer(v->type) && v->type != TYPE_DATE && v->type != TYPE_TIME && v->type != TYPE_TIMESTAMP &&
            v->type != TYPE_TIMESTAMPTZ)
            return 2;
        return (a > v->v.i) - (a < v->v.i);
    }
    case TYPE_UINT64: {
        uint64_t a;
        memcpy(&a, x, 8);
        if (v->type == TYPE_UINT64)
            return (a > v->v.u) - (a < v->v.u);
        if (type_is_integer(v->type)) {
            if (v->v.i < 0)
                return 1;
            return (a > (uint64_t)v->v.i) - (a < (uint64_t)v->v.i);
        }
        return 2;
    }
    case TYPE_FLOAT:
    case TYPE_DOUBLE: {
        double a;
        if (t == TYPE_FLOAT) {
            float f;
            memcpy(&f, x, 4);
            a = f;
        } else {
            memcpy(&a, x, 8);
        }
        if (isnan(a))
            return 2;
        double b;
        if (v->type == TYPE_DOUBLE || v->type == TYPE_FLOAT)
            b = v->v.d;
        else if (type_is_integer(v->type))
            b = v->type == TYPE_UINT64 ? (double)v->v.u : (double)v->v.i;
        else
            return 2;
        if (isnan(b))
            return 2;
        return (a > b) - (a < b);
    }
    case TYPE_DECIMAL: {
        int128_t a;
        memcpy(&a, x, 16);
        int as = d->type->scale;
        int128_t b;
        int bs;
        if (v->type == TYPE_DECIMAL) {
            b = v->precision > DECIMAL64_MAX_PRECISION ? v->v.i128 : v->v.i;
            bs = v->scale;
        } else if (type_is_integer(v->type) && v->type != TYPE_UINT64) {
            b = v->v.i;
            bs = 0;
        } else {
            return 2;
        }
        while (as < bs) {
            if (a > ((int128_t)1 << 120) || a < -((int128_t)1 << 120))
                return 2;
            a *= 10;
            as++;
        }
        while (bs < as) {
            if (b > ((int128_t)1 << 120) || b < -((int128_t)1 << 120))
                return 2;
            b *= 10;
            bs++;
        }
        return (a > b) - (a < b);
    }
    case TYPE_STRING:
    case TYPE_BLOB:
    case TYPE_JSON: {
        if (!type_is_string_like(v->type))
            return 2;
        StrView s;
        memcpy(&s, x, sizeof s);
        uint32_t m = s.len < v->v.s.len ? s.len : v->v.s.len;
        int c = m ? memcmp(s.ptr, v->v.s.ptr, m) : 0;
        if (c)
            return c > 0 ? 1 : -1;
        return (s.len > v->v.s.len) - (s.len < v->v.s.len);
    }
    default:
        return 2;
    }
}

/* Decides from [min, max] and null counts whether a predicate may hold.
 * have_minmax false means unknown bounds. */
static bool may_match(const PqLeaf *d, const PqPredicate *p, bool have_minmax, const uint8_t *mn,
                      const uint8_t *mx, int64_t null_count, int64_t n_values)
{
    switch (p->op) {
    case PQ_CMP_IS_NULL:
        return null_count != 0;
    case PQ_CMP_NOT_NULL:
        return null_count < 0 || null_count < n_values;
    default:
        break;
    }
    if (null_count >= 0 && n_values >= 0 && null_count == n_values)
        return false; /* all NULL: no comparison is true */
    if (!have_minmax)
        return true;
    int cmin = cmp_stat(d, mn, &p->value); /* min vs v */
    int cmax = cmp_stat(d, mx, &p->value); /* max vs v */
    if (cmin == 2 || cmax == 2)
        return true;
    switch (p->op) {
    case PQ_CMP_EQ: return cmin <= 0 && cmax >= 0;
    case PQ_CMP_LT: return cmin < 0;
    case PQ_CMP_LE: return cmin <= 0;
    case PQ_CMP_GT: return cmax > 0;
    case PQ_CMP_GE: return cmax >= 0;
    default: return true;
    }
}

static bool is_nan_stat(const PqLeaf *d, const uint8_t *x)
{
    if (d->type->id == TYPE_DOUBLE) {
        double a;
        memcpy(&a, x, 8);
        return isnan(a);
    }
    if (d->type->id == TYPE_FLOAT) {
        float a;
        memcpy(&a, x, 4);
        return isnan(a);
    }
    return false;
}

/* Statistics of a chunk as comparable bounds.  Legacy min/max (fields 1, 2)
 * are trusted only for types whose legacy order was signed-correct. */
static bool chunk_bounds(const PqLeaf *d, const PqStatistics *s, uint8_t mn[16], uint8_t mx[16])
{
    bool ok = false;
    if (s->min_value.ptr && s->max_value.ptr)
        ok = stat_value(d, s->min_value, mn) && stat_value(d, s->max_value, mx);
    if (!ok && s->min.ptr && s->max.ptr) {
        TypeId t = d->type->id;
        bool signed_ok = t == TYPE_BOOL || t == TYPE_INT8 || t == TYPE_INT16 || t == TYPE_INT32 || t == TYPE_INT64 ||
                         t == TYPE_FLOAT || t == TYPE_DOUBLE || t == TYPE_DATE || t == TYPE_TIMESTAMP ||
                         t == TYPE_TIMESTAMPTZ || t == TYPE_TIME;
        if (signed_ok)
            ok = stat_value(d, s->min, mn) && stat_value(d, s->max, mx);
    }
    if (ok && (is_nan_stat(d, mn) || is_nan_stat(d, mx)))
        ok = false;
    return ok;
}

static const PqLeaf *pred_leaf(PqReader *r, const PqPredicate *p)
{
    int f = schema_find(&r->ps.schema, p->column);
    if (f < 0)
        return NULL;
    const PqNode *node = &r->ps.fields[f];
    if (node->kind != PQ_NODE_LEAF || node->leaf < 0)
        return NULL; /* nested columns are not pruned */
    return &r->ps.leaves[node->leaf];
}

/* Reads a bloom filter and tests an EQ predicate; true = may contain. */
static bool bloom_may_contain(PqReader *r, const PqLeaf *d, const PqColumnMetaData *m, const PqPredicate *p)
{
    if (m->bloom_filter_offset < 0 || p->value.is_null)
        return true;
    Value v = p->value;
    TypeId t = d->type->id;
    /* Bring the value to the column's type where it is exact and simple. */
    if (type_is_integer(t) || t == TYPE_DATE) {
        if (!type_is_integer(v.type) && v.type != TYPE_DATE)
            return true;
        v.type = t;
    } else if (type_is_string_like(t)) {
        if (!type_is_string_like(v.type))
            return true;
        v.type = t;
    } else if (t == TYPE_DOUBLE || t == TYPE_FLOAT) {
        if (v.type != TYPE_DOUBLE && v.type != TYPE_FLOAT)
            return true;
        if (t == TYPE_FLOAT && (double)(float)v.v.d != v.v.d)
            return false; /* no float equals it */
        v.type = t;
    } else {
        return true;
    }
    if (d->conv != PQ_CONV_NONE && d->conv != PQ_CONV_BYTES && d->conv != PQ_CONV_I32_TO_I8 &&
        d->conv != PQ_CONV_I32_TO_I16 && d->conv != PQ_CONV_I32_TO_U8 && d->conv != PQ_CONV_I32_TO_U16)
        return true;
    uint64_t hash;
    if (!pq_bloom_hash_value(&v, d->phys, d->type_length, &hash))
        return true;
    uint64_t off = (uint64_t)m->bloom_filter_offset;
    uint64_t size = r->src.size;
    if (off >= size)
        return true;
    uint8_t hdrbuf[64];
    size_t hlen = size - off < sizeof hdrbuf ? (size_t)(size - off) : sizeof hdrbuf;
    TarnError e2 = {0};
    if (r->src.read(r->src.ctx, off, hlen, hdrbuf, &e2))
        return true;
    PqBloomFilterHeader bh;
    size_t used = 0;
    if (pq_decode_bloom_header(hdrbuf, hlen, &bh, &used, &e2))
        return true;
    if (bh.algorithm != 1 || bh.hash != 1 || bh.compression != 1)
        return true;
    if (bh.num_bytes < (int32_t)PQ_BLOOM_MIN_BYTES || (uint32_t)bh.num_bytes > PQ_BLOOM_MAX_BYTES ||
        bh.num_bytes % 32 != 0 || off + used + (uint64_t)bh.num_bytes > size)
        return true;
    uint8_t *bits = tarn_malloc((size_t)bh.num_bytes);
    if (!bits)
        return true;
    bool may = true;
    if (!r->src.read(r->src.ctx, off + used, (size_t)bh.num_bytes, bits, &e2)) {
        r->stats.bytes_read += bh.num_bytes;
        may = pq_bloom_check(bits, (uint32_t)bh.num_bytes, hash);
    }
    tarn_free(bits);
    return may;
}

/* True when row group g can be skipped entirely. */
/* 0: row group g may match; 1: skip it (statistics, or empty); 2: skip it
 * (a bloom filter says the value is absent). */
static int skip_row_group(PqReader *r, int g)
{
    const PqRowGroup *rg = &r->md.row_groups[g];
    if (rg->num_rows == 0)
        return 1;
    for (int i = 0; i < r->n_preds; i++) {
        const PqPredicate *p = &r->preds[i];
        const PqLeaf *d = pred_leaf(r, p);
        if (!d)
            continue;
        int li = (int)(d - r->ps.leaves);
        const PqColumnChunk *cc = &rg->columns[li];
        if (!cc->has_meta_data)
            continue;
        const PqColumnMetaData *m = &cc->meta_data;
        uint8_t mn[16], mx[16];
        bool have = false;
        int64_t nulls = -1;
        if (m->has_statistics) {
            have = chunk_bounds(d, &m->statistics, mn, mx);
            nulls = m->statistics.null_count;
        }
        if (!may_match(d, p, have, mn, mx, nulls, m->num_values))
            return 1;
        if (p->op == PQ_CMP_EQ && r->opt.use_bloom_filters && !bloom_may_contain(r, d, m, p))
            return 2;
    }
    return 0;
}

/* ---- Page index: row ranges ---------------------------------------------------- */

static int read_index(PqReader *r, int64_t off, int32_t len, uint8_t **out, TarnError *err)
{
    if (off < 0 || len <= 0 || (uint64_t)off > r->src.size || (uint64_t)len > r->src.size - (uint64_t)off)
        return err_set(err, TARN_ERR_CORRUPT, "file \"%s\": page index range outside the file", r->name);
    uint8_t *buf = arena_alloc(&r->idx_arena, (size_t)len);
    if (!buf)
        return ERR_NOMEM(err, (size_t)len);
    int rc = r->src.read(r->src.ctx, (uint64_t)off, (size_t)len, buf, err);
    if (rc)
        return rc;
    r->stats.bytes_read += len;
    *out = buf;
    return 0;
}

static int ranges_add(PqReader *r, int64_t s, int64_t e, TarnError *err)
{
    if (s >= e)
        return 0;
    if (r->n_ranges && r->ranges[2 * r->n_ranges - 1] >= s) {
        if (e > r->ranges[2 * r->n_ranges - 1])
            r->ranges[2 * r->n_ranges - 1] = e;
        return 0;
    }
    if (r->n_ranges == r->cap_ranges) {
        int cap = r->cap_ranges ? r->cap_ranges * 2 : 16;
        int64_t *p = tarn_realloc(r->ranges, (size_t)cap * 2 * sizeof(int64_t));
        if (!p)
            return ERR_NOMEM(err, 0);
        r->ranges = p;
        r->cap_ranges = cap;
    }
    r->ranges[2 * r->n_ranges] = s;
    r->ranges[2 * r->n_ranges + 1] = e;
    r->n_ranges++;
    return 0;
}

/* The part of row group g inside the options' row slice, as rows of the
 * group: [*s, *e); false when they do not overlap. */
static bool slice_of_group(const PqReader *r, int g, int64_t *s, int64_t *e)
{
    int64_t first = r->rg_first[g], n = r->md.row_groups[g].num_rows;
    int64_t b = r->opt.row_begin > first ? r->opt.row_begin - first : 0;
    int64_t x = n;
    if (r->opt.row_end > 0)
        x = r->opt.row_end - first < n ? r->opt.row_end - first : n;
    *s = b;
    *e = x;
    return b < x;
}

static bool sliced(const PqReader *r) { return r->opt.row_begin > 0 || r->opt.row_end > 0; }

/* Sets the row group's selected ranges from the predicates and page
 * indexes; loads offset indexes for the projected leaves (for jumping).
 * On any index problem, falls back to reading everything (indexes are an
 * optimisation, never a reason to fail). */
static int plan_row_group(PqReader *r, int g, const PqOffsetIndex **ois, TarnError *err)
{
    const PqRowGroup *rg = &r->md.row_groups[g];
    r->n_ranges = 0;
    r->range_i = 0;
    arena_reset(&r->idx_arena);
    int64_t s0, e0;
    if (!slice_of_group(r, g, &s0, &e0))
        s0 = e0 = 0;
    int rc = ranges_add(r, s0, e0, err);
    bool part = s0 > 0 || e0 < rg->num_rows;
    if (rc || (r->n_preds == 0 && !part))
        return rc;
    /* Offset indexes for every projected leaf. */
    for (int l = 0; l < r->ps.n_leaves; l++) {
        ois[l] = NULL;
        if (!r->leaf_needed[l])
            continue;
        const PqColumnChunk *cc = &rg->columns[l];
        if (cc->offset_index_offset < 0 || cc->offset_index_length <= 0)
            continue;
        uint8_t *buf;
        TarnError e2 = {0};
        PqOffsetIndex *oi = arena_alloc(&r->idx_arena, sizeof *oi);
        if (!oi)
            return ERR_NOMEM(err, 0);
        if (read_index(r, cc->offset_index_offset, cc->offset_index_length, &buf, &e2) ||
            pq_decode_offset_index(buf, (size_t)cc->offset_index_length, &r->idx_arena, oi, &e2))
            continue;
        bool sane = oi->n_pages > 0 && oi->page_locations[0].first_row_index == 0;
        for (int i = 1; sane && i < oi->n_pages; i++)
            sane = oi->page_locations[i].first_row_index > oi->page_locations[i - 1].first_row_index &&
                   oi->page_locations[i].first_row_index <= rg->num_rows;
        if (sane)
            ois[l] = oi;
    }
    /* Intersect each predicate's page selection. */
    for (int i = 0; i < r->n_preds; i++) {
        const PqPredicate *p = &r->preds[i];
        const PqLeaf *d = pred_leaf(r, p);
        if (!d)
            continue;
        int li = (int)(d - r->ps.leaves);
        const PqColumnChunk *cc = &rg->columns[li];
        if (cc->column_index_offset < 0 || cc->column_index_length <= 0)
            continue;
        const PqOffsetIndex *oi = ois[li];
        PqOffsetIndex oi_local;
        if (!oi) {
            if (cc->offset_index_offset < 0 || cc->offset_index_length <= 0)
                continue;
            uint8_t *buf;
            TarnError e2 = {0};
            if (read_index(r, cc->offset_index_offset, cc->offset_index_length, &buf, &e2) ||
                pq_decode_offset_index(buf, (size_t)cc->offset_index_length, &r->idx_arena, &oi_local, &e2))
                continue;
            oi = &oi_local;
        }
        uint8_t *buf;
        TarnError e2 = {0};
        PqColumnIndex ci;
        if (read_index(r, cc->column_index_offset, cc->column_index_length, &buf, &e2) ||
            pq_decode_column_index(buf, (size_t)cc->column_index_length, &r->idx_arena, &ci, &e2))
            continue;
        if (ci.n_pages != oi->n_pages)
            continue;
        /* Selected rows of this predicate. */
        int64_t *sel = tarn_malloc((size_t)(ci.n_pages + 1) * 2 * sizeof(int64_t));
        if (!sel)
            return ERR_NOMEM(err, 0);
        int n_sel = 0;
        for (int k = 0; k < ci.n_pages; k++) {
            int64_t s = oi->page_locations[k].first_row_index;
            int64_t e = k + 1 < oi->n_pages ? oi->page_locations[k + 1].first_row_index : rg->num_rows;
            bool keep;
            int64_t nulls = ci.null_counts ? ci.null_counts[k] : -1;
            if (ci.null_pages[k]) {
                keep = p->op == PQ_CMP_IS_NULL;
            } else {
                uint8_t mn[16], mx[16];
                bool have = stat_value(d, ci.min_values[k], mn) && stat_value(d, ci.max_values[k], mx) &&
                            !is_nan_stat(d, mn) && !is_nan_stat(d, mx);
                keep = may_match(d, p, have, mn, mx, nulls, d->max_rep == 0 ? e - s : -1);
            }
            if (keep) {
                if (n_sel && sel[2 * n_sel - 1] == s)
                    sel[2 * n_sel - 1] = e;
                else {
                    sel[2 * n_sel] = s;
                    sel[2 * n_sel + 1] = e;
                    n_sel++;
                }
            }
        }
        /* Intersect r->ranges with sel. */
        int64_t *old = r->ranges;
        int n_old = r->n_ranges;
        r->ranges = NULL;
        r->n_ranges = r->cap_ranges = 0;
        int a = 0, b = 0;
        rc = 0;
        while (!rc && a < n_old && b < n_sel) {
            int64_t s = old[2 * a] > sel[2 * b] ? old[2 * a] : sel[2 * b];
            int64_t e = old[2 * a + 1] < sel[2 * b + 1] ? old[2 * a + 1] : sel[2 * b + 1];
            if (s < e)
                rc = ranges_add(r, s, e, err);
            if (old[2 * a + 1] < sel[2 * b + 1])
                a++;
            else
                b++;
        }
        tarn_free(old);
        tarn_free(sel);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- Batches ----------------------------------------------------------------- */

static int open_row_group(PqReader *r, int g, TarnError *err)
{
    const PqRowGroup *rg = &r->md.row_groups[g];
    const PqOffsetIndex *ois_stack[64];
    const PqOffsetIndex **ois = ois_stack;
    if (r->ps.n_leaves > 64) {
        ois = tarn_calloc((size_t)r->ps.n_leaves, sizeof *ois);
        if (!ois)
            return ERR_NOMEM(err, 0);
    } else {
        memset(ois_stack, 0, sizeof ois_stack);
    }
    int rc = plan_row_group(r, g, ois, err);
    int64_t row_s = r->n_ranges ? r->ranges[0] : 0, row_e = r->n_ranges ? r->ranges[2 * r->n_ranges - 1] : 0;
    for (int l = 0; !rc && l < r->ps.n_leaves; l++) {
        if (!r->leaf_needed[l])
            continue;
        rc = col_open_chunk(&r->cols[l], &rg->columns[l], ois[l], row_s, row_e, rg->num_rows, err);
        if (rc)
            err_context(err, "row group %d of \"%s\"", g, r->name);
    }
    if (ois != ois_stack)
        tarn_free(ois);
    if (rc)
        return rc;
    r->rg = g;
    r->rg_rows = rg->num_rows;
    r->rg_row = 0;
    return 0;
}

static int skip_rows_all(PqReader *r, int64_t n, TarnError *err)
{
    for (int l = 0; l < r->ps.n_leaves; l++) {
        if (!r->leaf_needed[l])
            continue;
        int rc = col_skip_records(&r->cols[l], n, err);
        if (rc)
            return err_context(err, "row group %d of \"%s\"", r->rg, r->name);
    }
    r->rg_row += n;
    return 0;
}

int pq_reader_next(PqReader *r, Batch *b, TarnError *err)
{
    free_retired(r);
    batch_reset(b);
    for (;;) {
        if (r->rg >= 0 && r->rg_row < r->rg_rows) {
            /* Next selected range. */
            while (r->range_i < r->n_ranges && r->ranges[2 * r->range_i + 1] <= r->rg_row)
                r->range_i++;
            if (r->range_i < r->n_ranges) {
                int64_t s = r->ranges[2 * r->range_i];
                if (s > r->rg_row) {
                    int rc = skip_rows_all(r, s - r->rg_row, err);
                    if (rc)
                        return rc;
                }
                break;
            }
            r->rg_row = r->rg_rows; /* nothing more selected here */
        }
        /* Advance to the next row group that may match. */
        int g = r->rg + 1;
        if (r->rg >= 0) {
            for (int l = 0; l < r->ps.n_leaves; l++)
                if (r->leaf_needed[l])
                    col_close_chunk(&r->cols[l]);
        }
        for (; g < r->md.n_row_groups; g++) {
            int64_t s0, e0;
            if (sliced(r) && !slice_of_group(r, g, &s0, &e0))
                continue; /* outside the morsel: neither read nor counted as skipped */
            int why = skip_row_group(r, g);
            if (!why)
                break;
            if (r->md.row_groups[g].num_rows > 0) {
                r->stats.row_groups_skipped++;
                r->stats.row_groups_skipped_bloom += why == 2;
            }
        }
        if (g >= r->md.n_row_groups) {
            r->rg = r->md.n_row_groups;
            r->rg_rows = r->rg_row = 0;
            b->n_rows = 0;
            return 0;
        }
        int rc = open_row_group(r, g, err);
        if (rc)
            return rc;
        r->stats.row_groups_read++;
    }
    int64_t range_end = r->ranges[2 * r->range_i + 1];
    int64_t left = range_end - r->rg_row;
    uint32_t n = left < (int64_t)r->opt.batch_rows ? (uint32_t)left : r->opt.batch_rows;
    r->batch_row = r->rg_first[r->rg] + r->rg_row;
    for (int i = 0; i < r->n_proj; i++) {
        const PqNode *node = &r->ps.fields[r->proj_fields[i]];
        Vector *v = &b->cols[i];
        int rc;
        if (node->kind == PQ_NODE_LEAF && r->ps.leaves[node->leaf].max_rep == 0) {
            rc = col_read_flat(&r->cols[node->leaf], v, n, err);
        } else {
            rc = 0;
            for (int l = node->first_leaf; !rc && l < node->first_leaf + node->n_leaves; l++) {
                uint32_t got = 0;
                rc = col_read_records(&r->cols[l], n, &got, err);
                if (!rc && got != n)
                    rc = err_set(err, TARN_ERR_CORRUPT, "column \"%s\" has %u rows where the row group needs %u",
                                 r->ps.leaves[l].path, got, n);
            }
            if (!rc)
                rc = pq_assemble(r, node, v, err);
        }
        if (rc)
            return err_context(err, "row group %d of \"%s\"", r->rg, r->name);
        if (v->len != n)
            return err_set(err, TARN_ERR_CORRUPT, "file \"%s\": column \"%s\" yielded %u rows instead of %u", r->name,
                           r->proj.fields[i].name, v->len, n);
    }
    r->rg_row += n;
    b->n_rows = n;
    return 0;
}

int64_t pq_reader_batch_row(const PqReader *r)
{
    return r->batch_row;
}

/* ---- Morsels -------------------------------------------------------------------- */

static int split_add(int64_t **out, size_t *n, size_t *cap, int64_t b, int64_t e, TarnError *err)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 16;
        int64_t *p = tarn_realloc(*out, c * 2 * sizeof(int64_t));
        if (!p)
            return ERR_NOMEM(err, c * 2 * sizeof(int64_t));
        *out = p;
        *cap = c;
    }
    (*out)[2 * *n] = b;
    (*out)[2 * *n + 1] = e;
    (*n)++;
    return 0;
}

int pq_reader_split(PqReader *r, int64_t target_rows, int64_t **out, size_t *n_out, TarnError *err)
{
    *out = NULL;
    *n_out = 0;
    size_t cap = 0;
    if (target_rows < 1)
        target_rows = 1;
    int rc = 0;
    int64_t pb = 0, pe = 0; /* pending run of small whole row groups */
    for (int g = 0; !rc && g < r->md.n_row_groups; g++) {
        const PqRowGroup *rg = &r->md.row_groups[g];
        int64_t first = r->rg_first[g], rows = rg->num_rows;
        if (rows == 0)
            continue;
        if (pe > pb && (pe - pb) + rows > target_rows) {
            rc = split_add(out, n_out, &cap, pb, pe, err);
            pb = pe = 0;
            if (rc)
                break;
        }
        bool indexed = rows > target_rows + target_rows / 2 && r->ps.n_leaves > 0;
        for (int l = 0; indexed && l < r->ps.n_leaves; l++)
            indexed = rg->columns[l].offset_index_offset >= 0 && rg->columns[l].offset_index_length > 0;
        PqOffsetIndex oi;
        TarnError e2 = {0};
        uint8_t *buf;
        if (indexed) {
            /* page boundaries of the first column (writers usually cut
             * every column's pages at the same rows) */
            arena_reset(&r->idx_arena);
            const PqColumnChunk *cc = &rg->columns[0];
            indexed = read_index(r, cc->offset_index_offset, cc->offset_index_length, &buf, &e2) == 0 &&
                      pq_decode_offset_index(buf, (size_t)cc->offset_index_length, &r->idx_arena, &oi, &e2) == 0 &&
                      oi.n_pages > 1;
        }
        if (!indexed) {
            if (pe == pb)
                pb = first;
            pe = first + rows;
            continue;
        }
        if (pe > pb) {
            rc = split_add(out, n_out, &cap, pb, pe, err);
            pb = pe = 0;
        }
        int64_t b = 0;
        for (int k = 1; !rc && k <= oi.n_pages; k++) {
            int64_t at = k < oi.n_pages ? oi.page_locations[k].first_row_index : rows;
            if (at <= b || at > rows) {
                if (at > rows)
                    break;
                continue;
            }
            /* cut at this boundary once the slice is big enough and what
             * is left is not a sliver */
            if ((at - b >= target_rows && rows - at >= target_rows / 2) || at == rows) {
                rc = split_add(out, n_out, &cap, first + b, first + at, err);
                b = at;
            }
        }
        if (!rc && b < rows)
            rc = split_add(out, n_out, &cap, first + b, first + rows, err);
    }
    if (!rc && pe > pb)
        rc = split_add(out, n_out, &cap, pb, pe, err);
    arena_reset(&r->idx_arena);
    if (rc) {
        tarn_free(*out);
        *out = NULL;
        *n_out = 0;
    }
    return rc;
}
