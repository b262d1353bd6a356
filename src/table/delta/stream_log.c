/*
 * stream_log.c - a Delta table read as an append-only stream (stream_log.h):
 * the data files each commit added, refusing commits that remove data.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "table/delta/delta_int.h"
#include "table/delta/stream_log.h"

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Is path among files[0..n) (unsorted, small per commit range)?  The set
 * is kept sorted lazily by the caller; a linear scan per removal is fine
 * for OPTIMIZE commits, which are rare. */
static bool in_list(char *const *files, uint32_t n, const char *path)
{
    for (uint32_t i = 0; i < n; i++)
        if (!strcmp(files[i], path))
            return true;
    return false;
}

static const char *operation_of(const DeltaActionList *l)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->items[i].kind == DELTA_ACT_COMMIT_INFO && l->items[i].u.commit_info.operation)
            return l->items[i].u.commit_info.operation;
    return "unknown operation";
}

int delta_appends_since(DeltaTable *t, int64_t after_version, int64_t max_version, Arena *a, DeltaAppends *out,
                        TarnError *err)
{
    memset(out, 0, sizeof *out);
    out->end_version = after_version;
    uint32_t cap = 0;
    int rc = 0;
    for (int64_t v = after_version + 1; v <= max_version; v++) {
        Arena ca;
        arena_init(&ca, 0);
        DeltaActionList l;
        delta_action_list_init(&l);
        if ((rc = delta_read_commit(t, v, &ca, &l, err))) {
            if (err->kind == TARN_ERR_NOT_FOUND || !delta_commit_exists(t, v)) {
                err_clear(err);
                rc = err_set(err, TARN_ERR_NOT_FOUND,
                             "commit %" PRId64 " of the stream's source is no longer in the Delta log", v);
                err_hint(err, "The log was cleaned up (delta.logRetentionDuration) before the stream read it; "
                              "drop and recreate the stream.");
            }
            goto next;
        }
        /* a rearrangement that removes a file this range added ends the range before it */
        bool stop = false;
        for (size_t i = 0; i < l.n && !rc; i++) {
            const DeltaAction *act = &l.items[i];
            if (act->kind != DELTA_ACT_REMOVE)
                continue;
            if (act->u.remove.data_change) {
                rc = err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000",
                                   "the stream's source changed existing rows at version %" PRId64 " (%s)", v,
                                   operation_of(&l));
                err_detail(err, "A stream reads its source as append-only: only commits that add data (or that "
                                "rearrange it without changing it, like OPTIMIZE) can be processed.");
                err_hint(err, "Recreate the stream (tarn stream drop, then create) to start over from the "
                              "source's current content.");
            } else if (in_list(out->files, out->n_files, act->u.remove.path)) {
                stop = true;
            }
        }
        if (rc || stop)
            goto next;
        for (size_t i = 0; i < l.n && !rc; i++) {
            const DeltaAction *act = &l.items[i];
            if (act->kind != DELTA_ACT_ADD || !act->u.add.data_change)
                continue;
            if (out->n_files == cap) {
                uint32_t nc = cap ? cap * 2 : 16;
                char **nf = arena_alloc(a, nc * sizeof(char *));
                if (!nf) {
                    rc = ERR_NOMEM(err, 0);
                    break;
                }
                if (out->n_files)
                    memcpy(nf, out->files, out->n_files * sizeof(char *));
                out->files = nf;
                cap = nc;
            }
            if (!(out->files[out->n_files] = arena_strdup(a, act->u.add.path))) {
                rc = ERR_NOMEM(err, 0);
                break;
            }
            out->n_files++;
        }
        if (!rc)
            out->end_version = v;
    next:
        delta_action_list_free(&l);
        arena_free(&ca);
        if (rc || stop)
            break;
    }
    if (!rc && out->n_files)
        qsort(out->files, out->n_files, sizeof(char *), cmp_str);
    return rc;
}

int delta_files_may_match_list(DeltaSnapshot *snap, const PqPredicate *preds, int n_preds, Arena *a, char ***files_out,
                               uint32_t *n_out, TarnError *err)
{
    size_t n = delta_snapshot_num_files(snap);
    char **files = arena_alloc(a, (n ? n : 1) * sizeof(char *));
    if (!files)
        return ERR_NOMEM(err, 0);
    uint32_t k = 0;
    Arena scratch;
    arena_init(&scratch, 0);
    for (size_t i = 0; i < n; i++) {
        const DeltaAdd *f = delta_snapshot_file(snap, i);
        bool may = delta_file_may_match(snap, f, preds, n_preds, &scratch);
        arena_reset(&scratch);
        if (may && !(files[k++] = arena_strdup(a, f->path))) {
            arena_free(&scratch);
            return ERR_NOMEM(err, 0);
        }
    }
    arena_free(&scratch);
    qsort(files, k, sizeof(char *), cmp_str);
    *files_out = files;
    *n_out = k;
    return 0;
}
