/*
 * stats.c - column statistics for cardinality estimates (plan.h,
 * plan_column_ndv).
 *
 * Delta tables keep per-file min / max values in add.stats (JSON keyed by
 * physical column names).  For an integer or date column the number of
 * distinct values cannot exceed max - min + 1 over all files, nor the row
 * count: a cheap bound that tells keys (c_custkey: 150,000 values for
 * 150,000 rows) from low-cardinality columns (c_nationkey: 25), which is
 * what join ordering needs.
 */
#include <string.h>

#include "format/json/json_parse.h"
#include "sql/plan/plan.h"
#include "table/delta/delta.h"
#include "util/datetime.h"

static bool stat_int(const JsonNode *n, TypeId t, int64_t *out)
{
    if (n->type == JSON_INT) {
        *out = n->u.i;
        return true;
    }
    if (n->type == JSON_STRING && t == TYPE_DATE) {
        int32_t d;
        if (!dt_parse_date(n->u.str, n->len, &d))
            return false;
        *out = d;
        return true;
    }
    return false;
}

static int64_t delta_ndv(const LogicalOp *g, uint32_t col)
{
    DeltaSnapshot *snap = g->u.get.snapshot;
    const Field *f = &g->u.get.schema->fields[col];
    TypeId t = f->type.id;
    if (!(type_is_integer(t) || t == TYPE_DATE))
        return -1;
    const DeltaSchema *ds = delta_snapshot_delta_schema(snap);
    if (!ds || col >= ds->schema.n_fields)
        return -1;
    const char *pn = ds->columns[col].physical_name;
    size_t pl = strlen(pn);
    int64_t lo = INT64_MAX, hi = INT64_MIN, rows = delta_snapshot_total_rows(snap);
    size_t nf = delta_snapshot_num_files(snap);
    if (nf == 0 || nf > 100000)
        return -1;
    Arena a;
    arena_init(&a, 64 * 1024);
    for (size_t i = 0; i < nf; i++) {
        const DeltaAdd *add = delta_snapshot_file(snap, i);
        if (!add->stats) {
            arena_free(&a);
            return -1;
        }
        JsonNode *root;
        TarnError e;
        err_clear(&e);
        arena_reset(&a);
        if (json_parse(&a, add->stats, strlen(add->stats), &root, &e) || root->type != JSON_OBJECT) {
            arena_free(&a);
            return -1;
        }
        const JsonNode *mins = json_object_get(root, "minValues", 9), *maxs = json_object_get(root, "maxValues", 9);
        const JsonNode *mn = mins ? json_object_get(mins, pn, pl) : NULL, *mx = maxs ? json_object_get(maxs, pn, pl) : NULL;
        int64_t a1, b1;
        if (!mn || !mx || !stat_int(mn, t, &a1) || !stat_int(mx, t, &b1)) {
            /* a file whose column is all NULL has no min/max: skip it */
            const JsonNode *nc = json_object_get(root, "nullCount", 9), *nr = json_object_get(root, "numRecords", 10);
            const JsonNode *c = nc ? json_object_get(nc, pn, pl) : NULL;
            if (c && nr && c->type == JSON_INT && nr->type == JSON_INT && c->u.i == nr->u.i)
                continue;
            arena_free(&a);
            return -1;
        }
        if (a1 < lo)
            lo = a1;
        if (b1 > hi)
            hi = b1;
    }
    arena_free(&a);
    if (lo > hi)
        return 1;
    uint64_t span = (uint64_t)(hi - lo) + 1;
    if (rows >= 0 && span > (uint64_t)rows)
        span = (uint64_t)rows;
    return (int64_t)span;
}

int64_t plan_column_ndv(Arena *a, LogicalOp *g, uint32_t col)
{
    if (g->kind != LOP_GET || col >= g->u.get.schema->n_fields)
        return -1;
    if (!g->u.get.ndv) {
        g->u.get.ndv = arena_alloc(a, g->u.get.schema->n_fields * sizeof(int64_t));
        if (!g->u.get.ndv)
            return -1;
        for (uint32_t i = 0; i < g->u.get.schema->n_fields; i++)
            g->u.get.ndv[i] = -2;
    }
    if (g->u.get.ndv[col] == -2)
        g->u.get.ndv[col] = g->u.get.source == SCAN_DELTA && g->u.get.snapshot ? delta_ndv(g, col) : -1;
    return g->u.get.ndv[col];
}
