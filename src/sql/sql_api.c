/*
 * sql_api.c - the public SQL API of tarn.h: tarn_open, tarn_exec,
 * tarn_cancel and the tarn_result accessors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sql/exec/spill.h"
#include "sql/func/cast.h"
#include "sql/func/func_lib.h"
#include "sql/parse/parse.h"
#include "sql/notice.h"
#include "sql/plan_cache.h"
#include "sql/prepare.h"
#include "sql/session.h"
#include "util/datetime.h"
#include "vector/format.h"

/* Bounded string copy (truncating, always terminated). */
static void scopy(char *d, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (n >= cap)
        n = cap - 1;
    memcpy(d, s, n);
    d[n] = 0;
}

void tarn_set_session_identity(tarn_db *db, const char *user, const char *database)
{
    if (!db)
        return;
    if (user)
        snprintf(db->session_user, sizeof db->session_user, "%s", user);
    if (database)
        snprintf(db->database, sizeof db->database, "%s", database);
}

int tarn_open(const char *lake_dir, tarn_db **db_out, tarn_error *err)
{
    *db_out = NULL;
    int rc = func_registry_init(err);
    if (rc)
        return rc;
    tarn_db *db = tarn_calloc(1, sizeof *db);
    if (!db)
        return ERR_NOMEM(err, sizeof *db);
    db->cat = catalog_open(lake_dir, err);
    if (!db->cat) {
        tarn_free(db);
        return err->kind ? err->kind : TARN_ERR_IO;
    }
    atomic_init(&db->cancel, 0);
    {   /* spill files left by crashed processes (exec/spill.h) */
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s/.tarn_tmp", catalog_root(db->cat));
        spill_clean_dir(tmp);
    }
    snprintf(db->settings.timezone, sizeof db->settings.timezone, "UTC");
    db->settings.extra_float_digits = 1;
    db->settings.session = db;
    if ((rc = sql_set_search_path(db, "\"$user\", public", err))) {
        tarn_close(db);
        return rc;
    }
    *db_out = db;
    return 0;
}

void tarn_close(tarn_db *db)
{
    if (!db)
        return;
    sql_prepared_free_all(db);
    plan_cache_free(db);
    sql_cursor_spare_free(db);
    sql_notices_free(db);
    catalog_close(db->cat);
    tarn_free(db->other);
    tarn_free(db->savepoints);
    sql_settings_free(db);
    tarn_free(db);
}

void tarn_cancel(tarn_db *db)
{
    if (db)
        atomic_store(&db->cancel, 1);
}

int tarn_exec(tarn_db *db, const char *sql, tarn_result **result_out, tarn_error *err)
{
    if (result_out)
        *result_out = NULL;
    if (!db || !sql)
        return err_set(err, TARN_ERR_INVALID, "tarn_exec: no database or no SQL text");
    atomic_store(&db->cancel, 0);
    sql_notices_clear(db);
    Arena a;
    arena_init(&a, 0);
    AstStmtList sl;
    int rc = sql_parse(sql, &a, &sl, err);
    tarn_result *last = NULL;
    for (uint32_t i = 0; !rc && i < sl.n; i++) {
        tarn_result *r = NULL;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        db->settings.statement_ts = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
        rc = sql_run_stmt(db, sql, sl.stmts[i], &r, err);
        if (!rc) {
            tarn_result_free(last);
            last = r;
        } else {
            tarn_result_free(r);
        }
    }
    arena_free(&a);
    if (rc) {
        tarn_result_free(last);
        return rc;
    }
    if (!last)
        last = sql_result_tag("", err);
    if (result_out)
        *result_out = last;
    else
        tarn_result_free(last);
    return 0;
}

/* ---- results ------------------------------------------------------------------------------- */

/* Deep copy of a type into the result's arena (results outlive plans). */
static int copy_type(Arena *a, LogicalType *dst, const LogicalType *src)
{
    *dst = *src;
    if (!src->n_fields)
        return 0;
    dst->fields = arena_calloc(a, src->n_fields * sizeof(Field));
    if (!dst->fields)
        return TARN_ERR_NOMEM;
    for (uint32_t i = 0; i < src->n_fields; i++) {
        dst->fields[i].name = arena_strdup(a, src->fields[i].name ? src->fields[i].name : "");
        dst->fields[i].nullable = src->fields[i].nullable;
        if (!dst->fields[i].name || copy_type(a, &dst->fields[i].type, &src->fields[i].type))
            return TARN_ERR_NOMEM;
    }
    return 0;
}

static void retype(Vector *v, const LogicalType *t)
{
    v->type = t;
    for (uint32_t i = 0; i < v->n_children && i < t->n_fields; i++)
        retype(&v->children[i], &t->fields[i].type);
}

void sql_result_adopt_types(tarn_result *r)
{
    for (uint32_t k = 0; k < r->rows.n_chunks; k++)
        for (uint32_t c = 0; c < r->ncols; c++)
            retype(&r->rows.chunks[k].cols[c], &r->types[c]);
}

tarn_result *sql_result_new(uint32_t ncols, const char *const *names, const LogicalType *types, TarnError *err)
{
    tarn_result *r = tarn_calloc(1, sizeof *r);
    if (!r) {
        ERR_NOMEM(err, sizeof *r);
        return NULL;
    }
    arena_init(&r->text, 0);
    r->ncols = ncols;
    uint32_t n = ncols ? ncols : 1;
    r->names = arena_calloc(&r->text, n * sizeof(char *));
    r->types = arena_calloc(&r->text, n * sizeof(LogicalType));
    r->type_names = arena_calloc(&r->text, n * sizeof(char *));
    r->oids = arena_calloc(&r->text, n * sizeof(uint32_t));
    if (!r->names || !r->types || !r->type_names || !r->oids)
        goto nomem;
    for (uint32_t i = 0; i < ncols; i++) {
        char tn[128];
        r->names[i] = arena_strdup(&r->text, names[i] ? names[i] : "?column?");
        if (copy_type(&r->text, &r->types[i], &types[i]))
            goto nomem;
        LogicalType tt = types[i];
        if (tt.id == TYPE_DECIMAL && tt.precision == 38)
            snprintf(tn, sizeof tn, "numeric");
        else
            sqltype_name(&tt, tn, sizeof tn);
        r->type_names[i] = arena_strdup(&r->text, tn);
        r->oids[i] = sqltype_oid(&tt);
        if (!r->names[i] || !r->type_names[i])
            goto nomem;
    }
    coll_init(&r->rows, ncols, r->types);
    r->has_rows = true;
    snprintf(r->tag, sizeof r->tag, "SELECT 0");
    return r;
nomem:
    ERR_NOMEM(err, 0);
    tarn_result_free(r);
    return NULL;
}

tarn_result *sql_result_tag(const char *tag, TarnError *err)
{
    tarn_result *r = tarn_calloc(1, sizeof *r);
    if (!r) {
        ERR_NOMEM(err, sizeof *r);
        return NULL;
    }
    arena_init(&r->text, 0);
    scopy(r->tag, sizeof r->tag, tag);
    return r;
}

int sql_result_add_text(tarn_result *r, const char *s, TarnError *err)
{
    Vector v;
    Vector *p = &v;
    if (vec_init(&v, &r->types[0]) || vec_append_str(&v, s, strlen(s))) {
        vec_destroy(&v);
        return ERR_NOMEM(err, strlen(s));
    }
    Chunk c = {1, 1, &p};
    int rc = coll_append(&r->rows, &c, NULL, 1, err);
    vec_destroy(&v);
    return rc;
}

void sql_result_set_zone(tarn_result *r, const SqlSettings *settings)
{
    r->tz_offset_secs = settings->tz_offset_secs;
    r->tz = fl_tz_session(settings);
}

int sql_result_seal(tarn_result *r, TarnError *err)
{
    if (!r->has_rows)
        return 0;
    uint32_t nc = r->rows.n_chunks;
    tarn_free(r->chunk_start);
    r->chunk_start = tarn_malloc((nc + 1) * sizeof(uint64_t));
    if (!r->chunk_start)
        return ERR_NOMEM(err, nc);
    uint64_t s = 0;
    for (uint32_t i = 0; i < nc; i++) {
        r->chunk_start[i] = s;
        s += r->rows.chunks[i].n_rows;
    }
    r->chunk_start[nc] = s;
    return 0;
}

int tarn_result_ncols(const tarn_result *r) { return r ? (int)r->ncols : 0; }
int64_t tarn_result_nrows(const tarn_result *r) { return r && r->has_rows ? (int64_t)r->rows.n_rows : 0; }
const char *tarn_result_colname(const tarn_result *r, int col)
{
    return r && col >= 0 && (uint32_t)col < r->ncols ? r->names[col] : NULL;
}
const char *tarn_result_coltype(const tarn_result *r, int col)
{
    return r && col >= 0 && (uint32_t)col < r->ncols ? r->type_names[col] : NULL;
}
uint32_t tarn_result_coloid(const tarn_result *r, int col)
{
    return r && col >= 0 && (uint32_t)col < r->ncols ? r->oids[col] : 0;
}
const char *tarn_result_tag(const tarn_result *r) { return r ? r->tag : ""; }

/* Text of one value as PostgreSQL prints it. */
static char *format_value(tarn_result *r, const Vector *v, uint32_t i)
{
    Buf b;
    buf_init(&b);
    int rc = 0;
    if (v->type->id == TYPE_TIMESTAMPTZ && (r->tz || r->tz_offset_secs)) {
        /* results made without a zone (tz NULL) still honour a fixed offset */
        char t[DT_TEXT_MAX + 16];
        size_t n = fl_format_timestamptz(((const int64_t *)v->data)[i], r->tz ? r->tz : fl_tz_fixed(r->tz_offset_secs), t);
        rc = buf_append(&b, t, n);
    } else {
        rc = value_format_text(v, i, &b);
        if (!rc && v->type->id == TYPE_STRING && v->type->char_kind == TYPE_CHAR_BPCHAR && v->type->char_len) {
            /* char(n) prints blank-padded to n characters (stored without the padding) */
            uint32_t chars = 0;
            for (size_t k = 0; k < b.len; k++)
                chars += ((uint8_t)b.data[k] & 0xC0) != 0x80;
            for (; chars < v->type->char_len && !rc; chars++)
                rc = buf_append_byte(&b, ' ');
        }
    }
    char *s = NULL;
    if (!rc) {
        s = arena_alloc(&r->text, b.len + 1);
        if (s) {
            if (b.len)
                memcpy(s, b.data, b.len);
            s[b.len] = 0;
        }
    }
    buf_free(&b);
    return s;
}

const char *tarn_result_value(tarn_result *r, int64_t row, int col)
{
    if (!r || !r->has_rows || row < 0 || (uint64_t)row >= r->rows.n_rows || col < 0 || (uint32_t)col >= r->ncols)
        return NULL;
    if (!r->chunk_start && sql_result_seal(r, NULL))
        return NULL;
    /* find the chunk */
    uint32_t lo = 0, hi = r->rows.n_chunks;
    while (hi - lo > 1) {
        uint32_t mid = (lo + hi) / 2;
        if (r->chunk_start[mid] <= (uint64_t)row)
            lo = mid;
        else
            hi = mid;
    }
    while (lo < r->rows.n_chunks && r->chunk_start[lo + 1] <= (uint64_t)row)
        lo++;
    const Vector *v = &r->rows.chunks[lo].cols[col];
    uint32_t off = (uint32_t)(row - r->chunk_start[lo]);
    if (!vec_is_valid(v, off))
        return NULL;
    if (!r->cache) {
        r->cache = tarn_calloc(r->rows.n_rows, sizeof(char **));
        if (!r->cache)
            return NULL;
    }
    if (!r->cache[row]) {
        r->cache[row] = arena_calloc(&r->text, r->ncols * sizeof(char *));
        if (!r->cache[row])
            return NULL;
    }
    if (!r->cache[row][col])
        r->cache[row][col] = format_value(r, v, off);
    return r->cache[row][col];
}

void tarn_result_free(tarn_result *r)
{
    if (!r)
        return;
    if (r->has_rows)
        coll_free(&r->rows);
    tarn_free(r->chunk_start);
    tarn_free(r->cache);
    arena_free(&r->text);
    tarn_free(r);
}
