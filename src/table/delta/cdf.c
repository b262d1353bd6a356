/*
 * cdf.c - change data feed reads (PROTOCOL.md "Add CDC File", reader
 * requirements): the row-level changes of a range of versions.
 *
 * Per commit: when it has cdc actions, only its change data files are read
 * (their _change_type column says insert/delete/update_preimage/
 * update_postimage); otherwise changes are derived from its data-changing
 * file actions: an added file's live rows are inserts, a removed file's
 * rows are deletes, and a file whose deletion vector grew (remove + add of
 * the same path) yields the newly deleted rows as deletes.  Every row also
 * carries _commit_version and _commit_timestamp.  Rows are read in the
 * schema of the range's last version.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table/delta/delta_int.h"
#include "table/delta/scan_int.h"

static DeltaDv *copy_dv(Arena *a, const DeltaDv *d)
{
    if (!d)
        return NULL;
    DeltaDv *c = arena_alloc(a, sizeof *c);
    if (c)
        *c = *d;
    return c;
}

DeltaScan *delta_cdf_open(DeltaTable *t, int64_t start_version, int64_t end_version, const DeltaScanOptions *opts,
                          TarnError *err)
{
    DeltaSnapshot *end = end_version < 0 ? delta_snapshot_latest(t, err) : delta_snapshot_at_version(t, end_version, err);
    if (!end)
        return NULL;
    if (start_version < 0 || start_version > end->version) {
        err_set(err, TARN_ERR_INVALID, "change data feed start version %" PRId64 " is outside [0, %" PRId64 "]",
                start_version, end->version);
        delta_snapshot_free(end);
        return NULL;
    }
    DeltaScanOptions o;
    memset(&o, 0, sizeof o);
    if (opts) {
        o.columns = opts->columns;
        o.n_columns = opts->n_columns;
        o.batch_rows = opts->batch_rows;
    }
    DeltaScan *sc = delta_scan_new_internal(end, &end->schema, &o, err);
    if (!sc) {
        delta_snapshot_free(end);
        return NULL;
    }
    DeltaScanPlan *plan = delta_scan_plan(sc);
    LogicalType ts = type_simple(TYPE_STRING), ti = type_simple(TYPE_INT64), tt = type_simple(TYPE_TIMESTAMPTZ);
    DeltaLogListing l;
    memset(&l, 0, sizeof l);
    int rc;
    if ((rc = delta_plan_add(plan, DELTA_OUT_CHANGE_TYPE, -1, "_change_type", &ts, false, err)) ||
        (rc = delta_plan_add(plan, DELTA_OUT_COMMIT_VERSION, -1, "_commit_version", &ti, false, err)) ||
        (rc = delta_plan_add(plan, DELTA_OUT_COMMIT_TS, -1, "_commit_timestamp", &tt, false, err)))
        goto fail;
    plan->need_row_index = true;
    if ((rc = delta_log_list(t, &l, err)))
        goto fail;
    Arena *a = delta_scan_arena(sc);
    for (int64_t v = start_version; v <= end->version; v++) {
        DeltaActionList acts;
        delta_action_list_init(&acts);
        if ((rc = delta_read_commit(t, v, a, &acts, err))) {
            delta_action_list_free(&acts);
            if (rc == TARN_ERR_NOT_FOUND)
                err_context(err, "change data for version %" PRId64 " is no longer in the log", v);
            goto fail;
        }
        int64_t ts_ms;
        if ((rc = delta_commit_timestamp(t, &l, end, v, &ts_ms, err))) {
            delta_action_list_free(&acts);
            goto fail;
        }
        bool has_cdc = false;
        for (size_t i = 0; i < acts.n; i++)
            has_cdc |= acts.items[i].kind == DELTA_ACT_CDC;
        for (size_t i = 0; rc == 0 && i < acts.n; i++) {
            const DeltaAction *act = &acts.items[i];
            DeltaFileTask task;
            memset(&task, 0, sizeof task);
            task.commit_version = v;
            task.commit_ts_ms = ts_ms;
            if (has_cdc) {
                if (act->kind != DELTA_ACT_CDC)
                    continue;
                DeltaStrMap *cpv = arena_alloc(a, sizeof *cpv);
                if (!cpv || delta_map_copy(a, cpv, &act->u.cdc.partition_values)) {
                    rc = ERR_NOMEM(err, 64);
                    break;
                }
                task.path = act->u.cdc.path;
                task.partition_values = cpv;
                task.change_type = DELTA_CHANGE_FROM_FILE;
                rc = delta_scan_add_task(sc, &task, err);
                continue;
            }
            if (act->kind == DELTA_ACT_ADD && act->u.add.data_change) {
                const DeltaAdd *f = &act->u.add;
                /* a DV replacing an older one of the same file: deleted rows */
                const DeltaRemove *old = NULL;
                for (size_t k = 0; k < acts.n; k++)
                    if (acts.items[k].kind == DELTA_ACT_REMOVE && strcmp(acts.items[k].u.remove.path, f->path) == 0)
                        old = &acts.items[k].u.remove;
                DeltaStrMap *pv = arena_alloc(a, sizeof *pv);
                if (!pv || delta_map_copy(a, pv, &f->partition_values)) {
                    rc = ERR_NOMEM(err, 64);
                    break;
                }
                task.path = f->path;
                task.partition_values = pv;
                if (old && f->dv) {
                    task.keep_dv = copy_dv(a, f->dv);
                    task.drop_dv = copy_dv(a, old->dv);
                    task.change_type = DELTA_CHANGE_DELETE;
                } else if (old) {
                    continue; /* same file re-added without a DV: no row changed */
                } else {
                    task.drop_dv = copy_dv(a, f->dv);
                    task.change_type = DELTA_CHANGE_INSERT;
                }
                rc = delta_scan_add_task(sc, &task, err);
            } else if (act->kind == DELTA_ACT_REMOVE && act->u.remove.data_change) {
                const DeltaRemove *r = &act->u.remove;
                bool readded = false;
                for (size_t k = 0; k < acts.n; k++)
                    if (acts.items[k].kind == DELTA_ACT_ADD && strcmp(acts.items[k].u.add.path, r->path) == 0)
                        readded = true;
                if (readded)
                    continue;
                DeltaStrMap *rpv = arena_alloc(a, sizeof *rpv);
                if (!rpv || delta_map_copy(a, rpv, &r->partition_values)) {
                    rc = ERR_NOMEM(err, 64);
                    break;
                }
                task.path = r->path;
                task.partition_values = rpv;
                task.drop_dv = copy_dv(a, r->dv);
                task.change_type = DELTA_CHANGE_DELETE;
                rc = delta_scan_add_task(sc, &task, err);
            }
        }
        delta_action_list_free(&acts);
        if (rc)
            goto fail;
    }
    delta_log_listing_free(&l);
    delta_snapshot_free(end);
    return sc;
fail:
    delta_log_listing_free(&l);
    delta_scan_close(sc);
    delta_snapshot_free(end);
    return NULL;
}
