/*
 * stream.c - `tarn stream`: continuous windowed aggregates (stream.h,
 * docs/streaming.md).
 *
 * A run, in one target transaction:
 *   1. the source's data files added since the last processed version
 *      (delta_appends_since; the whole snapshot on the first run);
 *   2. the target's files that may hold open windows (window column past
 *      the watermark, by file statistics): the "candidates";
 *   3. one SQL query, with the thread's WindowTvfScope limiting the
 *      source scan to the new files and the target scans to the
 *      candidates (and TUMBLE/HOP dropping closed windows):
 *        SELECT keys, CAST(sum(c) AS t), min(m), max(x)
 *        FROM (SELECT * FROM target WHERE open UNION ALL SELECT * FROM (q) q) u
 *        GROUP BY keys
 *        UNION ALL SELECT * FROM target WHERE NOT open
 *      = the new content of the candidate files;
 *   4. a progress query (max event time, late rows) over the new files;
 *   5. commit: remove the candidates, add the query's rows, txn appId
 *      "tarn-stream:<name>" = source version, domainMetadata "tarn.stream"
 *      = definition + state.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "format/json/json_parse.h"
#include "sql/bind/window_tvf.h"
#include "sql/func/cast.h"
#include "sql/parse/parse.h"
#include "sql/session.h"
#include "stream/stream.h"
#include "table/delta/actions.h"
#include "table/delta/stream_log.h"
#include "util/datetime.h"

#define STREAM_DOMAIN "tarn.stream"
#define STREAM_MAX_COLS 256

typedef enum ColRole { ROLE_KEY = 0, ROLE_SUM, ROLE_MIN, ROLE_MAX } ColRole;

/* A stream's definition and state (the domain's JSON). */
typedef struct Def {
    StreamInfo info;
    uint32_t n_cols;
    char *cols[STREAM_MAX_COLS];    /* output names, in order (tarn_malloc'd) */
    ColRole roles[STREAM_MAX_COLS];
    uint32_t window_col;            /* the key column holding window_start / window_end */
    int64_t window_offset_us;       /* added to it to get window_end (size for window_start) */
} Def;

static void def_free(Def *d)
{
    tarn_free(d->info.sql);
    d->info.sql = NULL;
    for (uint32_t i = 0; i < d->n_cols; i++)
        tarn_free(d->cols[i]);
    d->n_cols = 0;
}

static const char *role_name(ColRole r)
{
    return r == ROLE_SUM ? "sum" : r == ROLE_MIN ? "min" : r == ROLE_MAX ? "max" : "key";
}

/* ---- text helpers ---------------------------------------------------------------------------------- */

static void jstr(Buf *b, const char *s)
{
    buf_append_byte(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            buf_printf(b, "\\%c", *p);
        else if (*p < 0x20)
            buf_printf(b, "\\u%04x", *p);
        else
            buf_append_byte(b, *p);
    }
    buf_append_byte(b, '"');
}

static void qident(Buf *b, const char *s) { buf_append_quoted(b, s, '"'); }
static void qstring(Buf *b, const char *s) { buf_append_quoted(b, s, '\''); }

static const char *bstr(Buf *b) { return buf_terminate(b) ? "" : (const char *)b->data; }

static int def_json(const Def *d, Buf *b)
{
    const StreamInfo *i = &d->info;
    buf_printf(b, "{\"name\":");
    jstr(b, i->name);
    buf_printf(b, ",\"source\":");
    jstr(b, i->source);
    buf_printf(b, ",\"sql\":");
    jstr(b, i->sql);
    if (i->has_watermark)
        buf_printf(b, ",\"watermarkDelayUs\":%" PRId64, i->watermark_delay_us);
    buf_printf(b, ",\"columns\":[");
    for (uint32_t c = 0; c < d->n_cols; c++) {
        buf_printf(b, "%s{\"name\":", c ? "," : "");
        jstr(b, d->cols[c]);
        buf_printf(b, ",\"role\":\"%s\"}", role_name(d->roles[c]));
    }
    buf_printf(b, "],\"windowColumn\":");
    jstr(b, d->cols[d->window_col]);
    buf_printf(b, ",\"windowOffsetUs\":%" PRId64 ",\"sourceVersion\":%" PRId64, d->window_offset_us, i->source_version);
    if (i->has_max_event)
        buf_printf(b, ",\"maxEventUs\":%" PRId64, i->max_event_us);
    buf_printf(b, ",\"lateRows\":%" PRId64 ",\"nullTimeRows\":%" PRId64 "}", i->late_rows, i->null_time_rows);
    return buf_terminate(b);
}

static const JsonNode *jget(const JsonNode *o, const char *k) { return json_object_get(o, k, strlen(k)); }

static int def_parse(const char *text, const char *target, Def *d, TarnError *err)
{
    memset(d, 0, sizeof *d);
    Arena a;
    arena_init(&a, 0);
    JsonNode *root;
    int rc = json_parse(&a, text, strlen(text), &root, err);
    const JsonNode *name, *sql, *src, *cols, *wc, *wo, *sv;
    if (rc || root->type != JSON_OBJECT || !(name = jget(root, "name")) || name->type != JSON_STRING ||
        !(sql = jget(root, "sql")) || sql->type != JSON_STRING || !(src = jget(root, "source")) ||
        src->type != JSON_STRING || !(cols = jget(root, "columns")) || cols->type != JSON_ARRAY || !cols->len ||
        cols->len > STREAM_MAX_COLS || !(wc = jget(root, "windowColumn")) || wc->type != JSON_STRING ||
        !(wo = jget(root, "windowOffsetUs")) || wo->type != JSON_INT || !(sv = jget(root, "sourceVersion")) ||
        sv->type != JSON_INT) {
        err_clear(err);
        rc = err_set(err, TARN_ERR_CORRUPT, "table \"%s\" has an invalid stream definition (domain %s)", target,
                     STREAM_DOMAIN);
        goto done;
    }
    StreamInfo *i = &d->info;
    snprintf(i->name, sizeof i->name, "%s", name->u.str);
    snprintf(i->source, sizeof i->source, "%s", src->u.str);
    snprintf(i->target, sizeof i->target, "%s", target);
    i->sql = tarn_strdup(sql->u.str);
    i->source_version = sv->u.i;
    d->window_offset_us = wo->u.i;
    const JsonNode *x;
    if ((x = jget(root, "watermarkDelayUs")) && x->type == JSON_INT)
        i->has_watermark = true, i->watermark_delay_us = x->u.i;
    if ((x = jget(root, "maxEventUs")) && x->type == JSON_INT)
        i->has_max_event = true, i->max_event_us = x->u.i;
    if ((x = jget(root, "lateRows")) && x->type == JSON_INT)
        i->late_rows = x->u.i;
    if ((x = jget(root, "nullTimeRows")) && x->type == JSON_INT)
        i->null_time_rows = x->u.i;
    bool found = false;
    for (uint32_t c = 0; c < cols->len; c++) {
        const JsonNode *cn = jget(&cols->u.items[c], "name"), *cr = jget(&cols->u.items[c], "role");
        if (!cn || cn->type != JSON_STRING || !cr || cr->type != JSON_STRING) {
            rc = err_set(err, TARN_ERR_CORRUPT, "table \"%s\" has an invalid stream definition (columns)", target);
            goto done;
        }
        d->cols[c] = tarn_strdup(cn->u.str);
        d->n_cols = c + 1;
        d->roles[c] = !strcmp(cr->u.str, "sum") ? ROLE_SUM : !strcmp(cr->u.str, "min") ? ROLE_MIN
                    : !strcmp(cr->u.str, "max") ? ROLE_MAX : ROLE_KEY;
        if (!d->cols[c]) {
            rc = ERR_NOMEM(err, 0);
            goto done;
        }
        if (!strcmp(cn->u.str, wc->u.str) && d->roles[c] == ROLE_KEY)
            d->window_col = c, found = true;
    }
    if (!i->sql)
        rc = ERR_NOMEM(err, 0);
    else if (!found)
        rc = err_set(err, TARN_ERR_CORRUPT, "table \"%s\" has an invalid stream definition (window column)", target);
done:
    arena_free(&a);
    if (rc)
        def_free(d);
    return rc;
}

/* ---- the query's shape ----------------------------------------------------------------------------- */

static int refuse(TarnError *err, const char *fmt, const char *arg)
{
    return err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", fmt, arg);
}

/* The output name PostgreSQL gives a select-list item (FigureColname, the
 * cases a stream query can have). */
static const char *out_name(const AstNode *t)
{
    if (t->u.target.name)
        return t->u.target.name;
    const AstNode *v = t->u.target.val;
    if (v->kind == AST_COLUMN_REF && !v->u.colref.star)
        return v->u.colref.names[v->u.colref.n - 1];
    if (v->kind == AST_FUNC)
        return v->u.func.names[v->u.func.n_names - 1];
    return "?column?";
}

/* Checks that sql is a stream query (header of stream.h) and fills the
 * column roles and the window column of d. */
static int analyze(const char *sql, Def *d, TarnError *err)
{
    Arena a;
    arena_init(&a, 0);
    AstStmtList sl;
    int rc = sql_parse(sql, &a, &sl, err);
    if (rc)
        goto done;
    if (sl.n != 1 || sl.stmts[0]->kind != STMT_SELECT) {
        rc = err_set_state(err, TARN_ERR_INVALID, "42601", "a stream query must be one SELECT statement");
        goto done;
    }
    const AstSelect *s = sl.stmts[0]->u.select;
    const char *bad = s->op != SETOP_NONE ? "UNION / INTERSECT / EXCEPT" : s->distinct ? "DISTINCT"
                    : s->having ? "HAVING" : s->order_by.n ? "ORDER BY" : s->limit || s->offset ? "LIMIT / OFFSET"
                    : s->windows.n ? "WINDOW" : s->values.n ? "VALUES" : NULL;
    if (bad) {
        rc = refuse(err, "a stream query cannot have %s", bad);
        err_detail(err, "Its result is maintained incrementally: only GROUP BY with count, sum, min and max can be "
                        "combined across runs.");
        goto done;
    }
    if (!s->group_by.n) {
        rc = refuse(err, "a stream query must %s", "GROUP BY its window (window_start or window_end)");
        goto done;
    }
    if (s->targets.n > STREAM_MAX_COLS) {
        rc = refuse(err, "a stream query has at most %s output columns", "256");
        goto done;
    }
    bool is_group[STREAM_MAX_COLS] = {false};
    for (uint32_t g = 0; g < s->group_by.n; g++) {
        const AstNode *gi = s->group_by.items[g];
        bool ok = false;
        if (gi->kind == AST_CONST && gi->u.cnst.kind == CONST_INT) {
            int64_t pos = gi->u.cnst.ival;
            if (pos >= 1 && pos <= (int64_t)s->targets.n)
                is_group[pos - 1] = ok = true;
        } else if (gi->kind == AST_COLUMN_REF && !gi->u.colref.star) {
            const char *gn = gi->u.colref.names[gi->u.colref.n - 1];
            for (uint32_t t = 0; t < s->targets.n; t++) {
                const AstNode *tv = s->targets.items[t]->u.target.val;
                if (!strcmp(out_name(s->targets.items[t]), gn) ||
                    (tv->kind == AST_COLUMN_REF && !tv->u.colref.star && !strcmp(tv->u.colref.names[tv->u.colref.n - 1], gn)))
                    is_group[t] = ok = true;
            }
        }
        if (!ok) {
            rc = refuse(err, "%s", "each GROUP BY item of a stream query must be an output column (by name or position)");
            err_hint(err, "Name the expression in the select list and group by that name, e.g. SELECT upper(src) AS "
                          "s ... GROUP BY window_start, window_end, s.");
            goto done;
        }
    }
    bool have_window = false;
    for (uint32_t t = 0; t < s->targets.n; t++) {
        const AstNode *tg = s->targets.items[t], *v = tg->u.target.val;
        const char *nm = out_name(tg);
        if (v->kind == AST_COLUMN_REF && v->u.colref.star) {
            rc = refuse(err, "%s", "a stream query cannot use * in its select list");
            goto done;
        }
        for (uint32_t k = 0; k < t; k++)
            if (!strcmp(d->cols[k], nm)) {
                rc = err_set_state(err, TARN_ERR_INVALID, "42701", "stream output column \"%s\" appears more than once", nm);
                goto done;
            }
        ColRole role = ROLE_KEY;
        if (v->kind == AST_FUNC && v->u.func.n_names == 1 && !v->u.func.over) {
            const char *fn = v->u.func.names[0];
            bool agg = !strcmp(fn, "count") || !strcmp(fn, "sum") || !strcmp(fn, "min") || !strcmp(fn, "max");
            if (agg && (v->u.func.distinct || v->u.func.order_by.n || v->u.func.within_group)) {
                rc = refuse(err, "%s(DISTINCT ...) or with ORDER BY cannot be maintained by a stream", fn);
                err_detail(err, "Distinct counts cannot be combined across runs without keeping every value.");
                goto done;
            }
            if (agg)
                role = !strcmp(fn, "min") ? ROLE_MIN : !strcmp(fn, "max") ? ROLE_MAX : ROLE_SUM;
        }
        if (role == ROLE_KEY && !is_group[t]) {
            rc = refuse(err, "stream output column \"%s\" must be a GROUP BY column or count / sum / min / max", nm);
            err_detail(err, "A stream combines each run's partial aggregates with the stored ones: count and sum "
                            "add up, min and max take the least / greatest; other aggregates (avg, count(DISTINCT), "
                            "percentiles, string_agg...) and expressions over aggregates cannot be combined.");
            err_hint(err, "For an average, output sum(x) and count(x) and divide them when reading the table.");
            goto done;
        }
        if (!(d->cols[t] = tarn_strdup(nm))) {
            rc = ERR_NOMEM(err, 0);
            goto done;
        }
        d->roles[t] = role;
        d->n_cols = t + 1;
        if (role == ROLE_KEY && (!strcmp(nm, "window_end") || (!strcmp(nm, "window_start") && !have_window)))
            d->window_col = t, have_window = true;
    }
    if (!have_window)
        rc = refuse(err, "a stream query must %s", "output and GROUP BY window_start or window_end");
done:
    arena_free(&a);
    return rc;
}

/* ---- the lake ----------------------------------------------------------------------------------------- */

static int split_name(const char *qual, char *schema, size_t scap, char *name, size_t ncap)
{
    const char *dot = strchr(qual, '.');
    if (!dot) {
        snprintf(schema, scap, "public");
        snprintf(name, ncap, "%s", qual);
    } else {
        snprintf(schema, scap, "%.*s", (int)(dot - qual), qual);
        snprintf(name, ncap, "%s", dot + 1);
    }
    return 0;
}

static int lookup_table(tarn_db *db, const char *qual, CatalogRel **out, TarnError *err)
{
    char sch[128], nm[128];
    split_name(qual, sch, sizeof sch, nm, sizeof nm);
    int rc = catalog_lookup(db->cat, sch, nm, NULL, 0, out, err);
    if (!rc && (*out)->kind != REL_TABLE)
        rc = err_set_state(err, TARN_ERR_INVALID, "42809", "\"%s\" is not a table", qual);
    return rc;
}

/* Every table of the lake carrying a stream definition: calls fn for each
 * (stops when fn returns non-zero; 1 = found, stop without error). */
typedef int (*EachFn)(void *ctx, CatalogRel *rel, const char *def_json, TarnError *err);

static int each_stream(tarn_db *db, EachFn fn, void *ctx, TarnError *err)
{
    Arena a;
    arena_init(&a, 0);
    char **schemas;
    uint32_t ns;
    int rc = catalog_list_schemas(db->cat, &a, &schemas, &ns, err);
    for (uint32_t i = 0; !rc && i < ns; i++) {
        char **rels;
        RelKind *kinds;
        uint32_t nr;
        if ((rc = catalog_list_relations(db->cat, schemas[i], &a, &rels, &kinds, &nr, err)))
            break;
        for (uint32_t j = 0; !rc && j < nr; j++) {
            CatalogRel *rel;
            if (kinds[j] != REL_TABLE)
                continue;
            if (catalog_lookup(db->cat, schemas[i], rels[j], NULL, 0, &rel, err) || rel->kind != REL_TABLE) {
                err_clear(err);
                continue;
            }
            DeltaSnapshot *snap = delta_snapshot_latest(rel->table, err);
            if (!snap) {
                err_clear(err); /* an unreadable table is not a stream's */
                continue;
            }
            const char *dj = delta_snapshot_domain(snap, STREAM_DOMAIN);
            if (dj && *dj)
                rc = fn(ctx, rel, dj, err);
            delta_snapshot_free(snap);
        }
    }
    arena_free(&a);
    return rc == 1 ? 0 : rc;
}

typedef struct FindCtx {
    const char *name;
    CatalogRel *rel;
    StreamInfo *list;
    uint32_t n, cap;
} FindCtx;

static int find_cb(void *vctx, CatalogRel *rel, const char *dj, TarnError *err)
{
    FindCtx *f = vctx;
    char tq[256];
    snprintf(tq, sizeof tq, "%s.%s", rel->schema, rel->name);
    Def d;
    if (def_parse(dj, tq, &d, err)) {
        err_clear(err);
        return 0;
    }
    int rc = 0;
    if (f->name && !strcmp(d.info.name, f->name)) {
        f->rel = rel;
        rc = 1;
    } else if (!f->name) {
        if (f->n == f->cap) {
            uint32_t nc = f->cap ? f->cap * 2 : 8;
            StreamInfo *nl = tarn_realloc(f->list, nc * sizeof *nl);
            if (!nl) {
                def_free(&d);
                return ERR_NOMEM(err, 0);
            }
            f->list = nl;
            f->cap = nc;
        }
        f->list[f->n++] = d.info;
        d.info.sql = NULL; /* moved */
    }
    def_free(&d);
    return rc;
}

static int find_stream(tarn_db *db, const char *name, CatalogRel **rel_out, TarnError *err)
{
    FindCtx f = {name, NULL, NULL, 0, 0};
    int rc = each_stream(db, find_cb, &f, err);
    if (!rc && !f.rel)
        rc = err_set_state(err, TARN_ERR_NOT_FOUND, "42704", "stream \"%s\" does not exist", name);
    if (!rc)
        *rel_out = f.rel;
    return rc;
}

static int cmp_info(const void *a, const void *b)
{
    return strcmp(((const StreamInfo *)a)->name, ((const StreamInfo *)b)->name);
}

int stream_list(tarn_db *db, StreamInfo **out, uint32_t *n_out, TarnError *err)
{
    FindCtx f = {NULL, NULL, NULL, 0, 0};
    int rc = each_stream(db, find_cb, &f, err);
    if (rc) {
        stream_info_free_all(f.list, f.n);
        return rc;
    }
    if (f.n)
        qsort(f.list, f.n, sizeof *f.list, cmp_info);
    *out = f.list;
    *n_out = f.n;
    return 0;
}

void stream_info_free_all(StreamInfo *infos, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        tarn_free(infos[i].sql);
    tarn_free(infos);
}

/* Runs sql; *out gets the result (NULL on error). */
static int exec(tarn_db *db, const char *sql, tarn_result **out, TarnError *err)
{
    *out = NULL;
    return tarn_exec(db, sql, out, err);
}

/* Adds the domainMetadata writer feature the definition needs (Delta
 * PROTOCOL.md "Domain Metadata": writer version 7 with the feature).  A
 * legacy writer version becomes 7 with the features it implied. */
static int protocol_with_domains(const DeltaProtocol *p, Arena *a, DeltaProtocol *out, TarnError *err)
{
    *out = *p;
    for (uint32_t i = 0; p->has_writer_features && i < p->n_writer_features; i++)
        if (!strcmp(p->writer_features[i], "domainMetadata"))
            return 0;
    static const char *const legacy[] = {"appendOnly", "invariants", "checkConstraints", "changeDataFeed",
                                         "generatedColumns", "columnMapping", "identityColumns"};
    static const int since[] = {2, 2, 3, 4, 4, 5, 6};
    uint32_t n = p->has_writer_features ? p->n_writer_features : 0;
    char **f = arena_alloc(a, (n + 8) * sizeof(char *));
    if (!f)
        return ERR_NOMEM(err, 0);
    for (uint32_t i = 0; i < n; i++)
        f[i] = p->writer_features[i];
    if (!p->has_writer_features)
        for (int i = 0; i < 7; i++)
            if (p->min_writer_version >= since[i])
                f[n++] = (char *)legacy[i];
    f[n++] = (char *)"domainMetadata";
    out->min_writer_version = 7;
    out->has_writer_features = true;
    out->writer_features = f;
    out->n_writer_features = n;
    return 0;
}

static int commit_definition(DeltaTable *t, const char *json, bool removed, const char *op, TarnError *err)
{
    DeltaTransaction *x = delta_txn_begin(t, err);
    if (!x)
        return err->kind;
    Arena a;
    arena_init(&a, 0);
    DeltaProtocol p;
    int rc = removed ? 0 : protocol_with_domains(delta_snapshot_protocol(delta_txn_snapshot(x)), &a, &p, err);
    if (!rc && !removed && p.n_writer_features != delta_snapshot_protocol(delta_txn_snapshot(x))->n_writer_features)
        rc = delta_txn_set_protocol(x, &p, err);
    if (!rc)
        rc = delta_txn_set_domain(x, STREAM_DOMAIN, json, removed, err);
    if (!rc)
        rc = delta_txn_set_operation(x, op, NULL, err);
    arena_free(&a);
    if (rc) {
        delta_txn_abort(x);
        return rc;
    }
    return delta_txn_commit(x, NULL, err);
}

/* ---- create / drop ---------------------------------------------------------------------------------- */

int stream_create(tarn_db *db, const char *name, const char *target, const char *sql_in, const char *watermark,
                  TarnError *err)
{
    Def d;
    memset(&d, 0, sizeof d);
    Buf b;
    buf_init(&b);
    tarn_result *r = NULL;
    WindowTvfScope sc;
    memset(&sc, 0, sizeof sc);
    int rc = catalog_check_name(name, err);
    if (rc)
        return rc;
    CatalogRel *rel;
    if (!find_stream(db, name, &rel, err)) {
        return err_set_state(err, TARN_ERR_INVALID, "42710", "stream \"%s\" already exists (target %s.%s)", name,
                             rel->schema, rel->name);
    }
    if (err->kind != TARN_ERR_NOT_FOUND)
        return err->kind;
    err_clear(err);
    /* the query without trailing semicolons */
    char *sql = tarn_strdup(sql_in);
    if (!sql)
        return ERR_NOMEM(err, 0);
    for (size_t n = strlen(sql); n && (sql[n - 1] == ';' || sql[n - 1] == ' ' || sql[n - 1] == '\n' ||
                                       sql[n - 1] == '\t' || sql[n - 1] == '\r'); n--)
        sql[n - 1] = 0;
    d.info.sql = sql;
    snprintf(d.info.name, sizeof d.info.name, "%s", name);
    d.info.source_version = -1;
    if ((rc = analyze(sql, &d, err)))
        goto done;
    if (watermark) {
        buf_printf(&b, "SELECT CAST(EXTRACT(EPOCH FROM CAST(");
        qstring(&b, watermark);
        buf_printf(&b, " AS interval)) * 1000000 AS bigint)");
        if ((rc = exec(db, bstr(&b), &r, err))) {
            err_context(err, "reading --watermark");
            goto done;
        }
        const char *v = tarn_result_value(r, 0, 0);
        d.info.has_watermark = true;
        d.info.watermark_delay_us = v ? strtoll(v, NULL, 10) : 0;
        if (!v || d.info.watermark_delay_us < 0) {
            rc = err_set_state(err, TARN_ERR_INVALID, "22023", "the watermark delay must be an interval of zero or more");
            goto done;
        }
        tarn_result_free(r);
        r = NULL;
    }
    /* bind the query once: its TUMBLE / HOP call and source */
    window_tvf_set_scope(&sc);
    tarn_stmt *st = NULL;
    rc = tarn_prepare(db, sql, 0, NULL, &st, err);
    window_tvf_set_scope(NULL);
    if (rc)
        goto done;
    tarn_stmt_free(st);
    if (sc.n_calls != 1 || !sc.source) {
        rc = refuse(err, "%s", sc.n_calls > 1 ? "a stream query reads exactly one TUMBLE or HOP"
                                              : sc.n_calls ? "the table of a stream's TUMBLE or HOP must be a Delta table"
                                                           : "a stream query must read its source through TUMBLE or HOP");
        if (!sc.n_calls)
            err_hint(err, "For example: SELECT window_start, window_end, count(*) FROM TUMBLE(bronze.events, ts, "
                          "INTERVAL '1 minute') GROUP BY window_start, window_end.");
        goto done;
    }
    snprintf(d.info.source, sizeof d.info.source, "%s", sc.source_name);
    d.window_offset_us = !strcmp(d.cols[d.window_col], "window_start") ? sc.size_us : 0;
    char tsch[128], tnm[128];
    split_name(target, tsch, sizeof tsch, tnm, sizeof tnm);
    snprintf(d.info.target, sizeof d.info.target, "%s.%s", tsch, tnm);
    /* the target: CREATE TABLE AS over no source file, for the exact types */
    DeltaSnapshot *ss = delta_snapshot_latest(sc.source, err);
    if (!ss) {
        rc = err->kind;
        goto done;
    }
    int64_t sv = delta_snapshot_version(ss);
    delta_snapshot_free(ss);
    WindowTvfScope cs;
    memset(&cs, 0, sizeof cs);
    cs.restrict_[0].table = sc.source;
    cs.restrict_[0].version = sv;
    buf_clear(&b);
    buf_printf(&b, "CREATE TABLE ");
    qident(&b, tsch);
    buf_append_byte(&b, '.');
    qident(&b, tnm);
    buf_printf(&b, " AS SELECT * FROM (%s) AS q", sql);
    window_tvf_set_scope(&cs);
    rc = exec(db, bstr(&b), &r, err);
    window_tvf_set_scope(NULL);
    if (rc) {
        err_context(err, "creating the stream's target table");
        goto done;
    }
    tarn_result_free(r);
    r = NULL;
    CatalogRel *trel;
    if ((rc = lookup_table(db, d.info.target, &trel, err)))
        goto done;
    buf_clear(&b);
    if ((rc = def_json(&d, &b)) ? ERR_NOMEM(err, 0) : 0)
        goto done;
    rc = commit_definition(trel->table, bstr(&b), false, "CREATE STREAM", err);
done:
    tarn_result_free(r);
    buf_free(&b);
    def_free(&d);
    return rc;
}

int stream_drop(tarn_db *db, const char *name, TarnError *err)
{
    CatalogRel *rel;
    int rc = find_stream(db, name, &rel, err);
    if (rc)
        return rc;
    return commit_definition(rel->table, "", true, "DROP STREAM", err);
}

/* ---- run -------------------------------------------------------------------------------------------------- */

static void ts_literal(Buf *b, int64_t us, bool tz)
{
    char t[64];
    size_t k = dt_format_timestamp(us, false, t);
    t[k] = 0;
    buf_printf(b, "%s '%s%s'", tz ? "TIMESTAMPTZ" : "TIMESTAMP", t, tz ? "+00" : "");
}

static int cmp_path(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int64_t result_i64(tarn_result *r, int col)
{
    const char *v = tarn_result_value(r, 0, col);
    return v ? strtoll(v, NULL, 10) : 0;
}

int stream_run_once(tarn_db *db, const char *name, StreamRunResult *res, TarnError *err)
{
    memset(res, 0, sizeof *res);
    res->target_version = -1;
    CatalogRel *trel, *srel;
    int rc = find_stream(db, name, &trel, err);
    if (rc)
        return rc;
    DeltaTransaction *x = delta_txn_begin(trel->table, err);
    if (!x)
        return err->kind;
    Def d;
    memset(&d, 0, sizeof d);
    Arena a;
    arena_init(&a, 0);
    Buf q, pv;
    buf_init(&q);
    buf_init(&pv);
    tarn_result *r = NULL, *stats = NULL;
    DeltaSnapshot *ss = NULL;
    WindowTvfScope sc;
    memset(&sc, 0, sizeof sc);
    DeltaSnapshot *ts = delta_txn_snapshot(x);
    int64_t tv = delta_snapshot_version(ts);
    char tq[256];
    snprintf(tq, sizeof tq, "%s.%s", trel->schema, trel->name);
    const char *dj = delta_snapshot_domain(ts, STREAM_DOMAIN);
    if (!dj || !*dj) {
        rc = err_set_state(err, TARN_ERR_NOT_FOUND, "42704", "stream \"%s\" does not exist", name);
        goto fail;
    }
    if ((rc = def_parse(dj, tq, &d, err)))
        goto fail;
    StreamInfo *in = &d.info;
    if ((rc = lookup_table(db, in->source, &srel, err))) {
        err_context(err, "stream \"%s\": its source", name);
        goto fail;
    }
    if (!(ss = delta_snapshot_latest(srel->table, err))) {
        rc = err->kind;
        goto fail;
    }
    int64_t now = delta_snapshot_version(ss);
    DeltaAppends ap;
    memset(&ap, 0, sizeof ap);
    if (in->source_version < 0) {
        /* first run: the source's content now */
        size_t nf = delta_snapshot_num_files(ss);
        ap.end_version = now;
        ap.files = arena_alloc(&a, (nf ? nf : 1) * sizeof(char *));
        if (!ap.files) {
            rc = ERR_NOMEM(err, 0);
            goto fail;
        }
        for (size_t i = 0; i < nf; i++)
            if (!(ap.files[ap.n_files++] = arena_strdup(&a, delta_snapshot_file(ss, i)->path))) {
                rc = ERR_NOMEM(err, 0);
                goto fail;
            }
        qsort(ap.files, ap.n_files, sizeof(char *), cmp_path);
    } else if ((rc = delta_appends_since(srel->table, in->source_version, now, &a, &ap, err))) {
        err_context(err, "stream \"%s\": reading source \"%s\" after version %" PRId64, name, in->source, in->source_version);
        goto fail;
    }
    if (ap.end_version <= in->source_version) {
        delta_txn_abort(x);
        x = NULL;
        goto out;
    }
    res->did_work = true;
    res->source_from = in->source_version;
    res->source_to = ap.end_version;
    res->files_read = ap.n_files;
    bool has_wm = in->has_watermark && in->has_max_event;
    int64_t wm = has_wm ? in->max_event_us - in->watermark_delay_us : 0;
    /* candidates: target files that may hold open windows */
    const Schema *tsch = delta_snapshot_schema(ts);
    const char *wcol = d.cols[d.window_col];
    int wi = -1;
    for (uint32_t c = 0; c < tsch->n_fields; c++)
        if (!strcmp(tsch->fields[c].name, wcol))
            wi = (int)c;
    if (wi < 0 || tsch->n_fields != d.n_cols) {
        rc = err_set(err, TARN_ERR_INVALID, "the stream's target \"%s\" no longer has the stream's columns", tq);
        goto fail;
    }
    bool tz = tsch->fields[wi].type.id == TYPE_TIMESTAMPTZ;
    char **cand;
    uint32_t n_cand;
    PqPredicate open_pred;
    memset(&open_pred, 0, sizeof open_pred);
    open_pred.column = wcol;
    open_pred.op = PQ_CMP_GT;
    open_pred.value.type = tsch->fields[wi].type.id;
    open_pred.value.v.i = wm - d.window_offset_us;
    if ((rc = delta_files_may_match_list(ts, &open_pred, has_wm ? 1 : 0, &a, &cand, &n_cand, err)))
        goto fail;
    /* the scope */
    sc.restrict_[0].table = srel->table;
    sc.restrict_[0].version = ap.end_version;
    sc.restrict_[0].files = (const char *const *)ap.files;
    sc.restrict_[0].n_files = ap.n_files;
    sc.restrict_[1].table = trel->table;
    sc.restrict_[1].version = tv;
    sc.restrict_[1].files = (const char *const *)cand;
    sc.restrict_[1].n_files = n_cand;
    sc.has_watermark = has_wm;
    sc.watermark_us = wm;
    /* the combined query */
    Buf tgt, open;
    buf_init(&tgt);
    buf_init(&open);
    buf_printf(&tgt, "delta_version(");
    qstring(&tgt, tq);
    buf_printf(&tgt, ", version => %" PRId64 ")", tv);
    qident(&open, wcol);
    if (d.window_offset_us)
        buf_printf(&open, " + INTERVAL '%" PRId64 " microseconds'", d.window_offset_us);
    buf_printf(&open, " > ");
    ts_literal(&open, wm, tz);
    const char *tgts = bstr(&tgt), *opens = bstr(&open);
    buf_printf(&q, "SELECT ");
    for (uint32_t c = 0; c < d.n_cols; c++) {
        char tn[128];
        if (c)
            buf_printf(&q, ", ");
        if (d.roles[c] == ROLE_KEY) {
            qident(&q, d.cols[c]);
            continue;
        }
        buf_printf(&q, "CAST(%s(", d.roles[c] == ROLE_SUM ? "sum" : d.roles[c] == ROLE_MIN ? "min" : "max");
        qident(&q, d.cols[c]);
        buf_printf(&q, ") AS %s) AS ", sqltype_name(&tsch->fields[c].type, tn, sizeof tn));
        qident(&q, d.cols[c]);
    }
    buf_printf(&q, " FROM (SELECT * FROM %s%s%s UNION ALL SELECT * FROM (%s) AS q) AS u GROUP BY ", tgts,
               has_wm ? " WHERE " : "", has_wm ? opens : "", in->sql);
    bool first = true;
    for (uint32_t c = 0; c < d.n_cols; c++)
        if (d.roles[c] == ROLE_KEY) {
            buf_printf(&q, "%s", first ? "" : ", ");
            qident(&q, d.cols[c]);
            first = false;
        }
    if (has_wm)
        buf_printf(&q, " UNION ALL SELECT * FROM %s WHERE NOT (%s)", tgts, opens);
    const char *qs = bstr(&q);
    window_tvf_set_scope(&sc);
    rc = exec(db, qs, &r, err);
    if (!rc && sc.n_calls != 1)
        rc = refuse(err, "%s", "a stream query reads exactly one TUMBLE or HOP");
    /* progress: max event time and the rows dropped, over the new files */
    if (!rc) {
        Buf t;
        buf_init(&t);
        qident(&t, sc.time_col);
        if (sc.time_is_date)
            buf_printf(&t, "::timestamp");
        const char *tcol = bstr(&t);
        char origin[64];
        snprintf(origin, sizeof origin, "%s",
                 sc.time_type == TYPE_TIMESTAMPTZ ? "TIMESTAMPTZ '1970-01-01 00:00:00+00'" : "TIMESTAMP '1970-01-01 00:00:00'");
        buf_printf(&pv, "SELECT CAST(EXTRACT(EPOCH FROM max(%s)) * 1000000 AS bigint), ", tcol);
        if (has_wm) {
            buf_printf(&pv, "count(*) FILTER (WHERE date_bin(INTERVAL '%" PRId64 " microseconds', %s, %s) + "
                            "INTERVAL '%" PRId64 " microseconds' <= ", sc.slide_us, tcol, origin, sc.size_us);
            ts_literal(&pv, wm, sc.time_type == TYPE_TIMESTAMPTZ);
            buf_printf(&pv, ")");
        } else {
            buf_printf(&pv, "0");
        }
        buf_printf(&pv, ", count(*) FILTER (WHERE %s IS NULL), count(*) FROM delta_version(", tcol);
        char sq[300];
        snprintf(sq, sizeof sq, "%s.%s", srel->schema, srel->name);
        qstring(&pv, sq);
        buf_printf(&pv, ", version => %" PRId64 ")", ap.end_version);
        buf_free(&t);
        rc = exec(db, bstr(&pv), &stats, err);
    }
    window_tvf_set_scope(NULL);
    buf_free(&tgt);
    buf_free(&open);
    if (rc) {
        err_context(err, "stream \"%s\"", name);
        goto fail;
    }
    /* the new state */
    const char *mx = tarn_result_value(stats, 0, 0);
    if (mx && (!in->has_max_event || strtoll(mx, NULL, 10) > in->max_event_us)) {
        in->has_max_event = true;
        in->max_event_us = strtoll(mx, NULL, 10);
    }
    res->late_rows = result_i64(stats, 1);
    res->null_time_rows = result_i64(stats, 2);
    res->rows_read = result_i64(stats, 3);
    in->late_rows += res->late_rows;
    in->null_time_rows += res->null_time_rows;
    in->source_version = ap.end_version;
    /* the commit */
    for (uint32_t i = 0; i < n_cand && !rc; i++) {
        const DeltaAdd *f = delta_snapshot_find_file(ts, cand[i]);
        if (f)
            rc = delta_txn_remove_file(x, f, true, err);
    }
    if (r->rows.n_cols != tsch->n_fields && !rc)
        rc = err_set(err, TARN_ERR_INTERNAL, "stream result has %u columns, target %u", r->rows.n_cols, tsch->n_fields);
    for (uint32_t i = 0; i < r->rows.n_chunks && !rc; i++) {
        Batch bt = {tsch, r->rows.chunks[i].n_rows, tsch->n_fields, r->rows.chunks[i].cols};
        rc = delta_txn_write(x, &bt, err);
    }
    res->groups_written = (int64_t)r->rows.n_rows;
    char app[200];
    snprintf(app, sizeof app, "tarn-stream:%s", name);
    Buf js;
    buf_init(&js);
    if (!rc)
        rc = def_json(&d, &js) ? ERR_NOMEM(err, 0) : 0;
    if (!rc)
        rc = delta_txn_set_app_txn(x, app, ap.end_version, err);
    if (!rc)
        rc = delta_txn_set_domain(x, STREAM_DOMAIN, bstr(&js), false, err);
    buf_free(&js);
    if (!rc) {
        char params[200];
        snprintf(params, sizeof params, "{\"stream\":\"%s\",\"sourceVersion\":%" PRId64 "}", name, ap.end_version);
        rc = delta_txn_set_operation(x, "STREAMING UPDATE", params, err);
    }
    if (!rc) {
        delta_txn_add_metric(x, "numSourceRows", res->rows_read, err);
        delta_txn_add_metric(x, "numLateRows", res->late_rows, err);
    }
    if (rc)
        goto fail;
    delta_txn_read_whole_table(x);
    DeltaResult dr;
    rc = delta_txn_commit(x, &dr, err);
    x = NULL;
    if (rc) {
        err_context(err, "stream \"%s\": committing to \"%s\"", name, tq);
        goto out;
    }
    res->target_version = dr.skipped ? -1 : dr.version;
    goto out;
fail:
    if (x)
        delta_txn_abort(x);
out:
    if (ss)
        delta_snapshot_free(ss);
    tarn_result_free(r);
    tarn_result_free(stats);
    buf_free(&q);
    buf_free(&pv);
    arena_free(&a);
    def_free(&d);
    return rc;
}
