/*
 * test_stream_log.c - a Delta table read as an append-only stream
 * (table/delta/stream_log.h): files added since a version, OPTIMIZE
 * skipped or ending the range, data-removing commits refused.
 */
#include "../test.h"

#include <stdio.h>
#include <string.h>

#include "table/delta/delta.h"
#include "table/delta/stream_log.h"

static DeltaTable *new_table(const char *name, Schema *s, TarnError *err)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s", test_tmp_dir(), name);
    DeltaTable *t = delta_table_open_dir(dir, true, NULL, err);
    ASSERT_NOT_NULL(t, err);
    schema_init(s);
    ASSERT(schema_add(s, "id", type_simple(TYPE_INT64), true) == 0);
    DeltaCreateOptions co;
    memset(&co, 0, sizeof co);
    co.schema = s;
    ASSERT_OK(delta_create(t, &co, NULL, err), err);
    return t;
}

/* Appends rows from..to-1 in one commit. */
static void append(DeltaTable *t, const Schema *s, int64_t from, int64_t to, TarnError *err)
{
    Batch b;
    ASSERT(batch_init(&b, s) == 0);
    for (int64_t i = from; i < to; i++)
        ASSERT(vec_append_i64(&b.cols[0], i) == 0);
    b.n_rows = (uint32_t)(to - from);
    const Batch *bp = &b;
    ASSERT_OK(delta_write(t, &bp, 1, NULL, NULL, err), err);
    batch_destroy(&b);
}

TEST(stream_log_appends_and_ranges)
{
    TarnError err;
    err_clear(&err);
    Schema s;
    DeltaTable *t = new_table("appends", &s, &err);
    append(t, &s, 0, 10, &err);  /* v1 */
    append(t, &s, 10, 20, &err); /* v2 */
    append(t, &s, 20, 30, &err); /* v3 */
    Arena a;
    arena_init(&a, 0);
    DeltaAppends ap;
    ASSERT_OK(delta_appends_since(t, 0, 3, &a, &ap, &err), &err);
    ASSERT_EQ_INT(ap.end_version, 3);
    ASSERT_EQ_INT(ap.n_files, 3);
    ASSERT(strcmp(ap.files[0], ap.files[1]) < 0 && strcmp(ap.files[1], ap.files[2]) < 0);
    ASSERT_OK(delta_appends_since(t, 2, 3, &a, &ap, &err), &err);
    ASSERT_EQ_INT(ap.end_version, 3);
    ASSERT_EQ_INT(ap.n_files, 1);
    /* nothing after the last version */
    ASSERT_OK(delta_appends_since(t, 3, 3, &a, &ap, &err), &err);
    ASSERT_EQ_INT(ap.end_version, 3);
    ASSERT_EQ_INT(ap.n_files, 0);
    /* OPTIMIZE (v4) compacts the files of v1..v3: a range starting inside
     * them ends before it; one starting after v3 skips it */
    DeltaResult r;
    ASSERT_OK(delta_optimize(t, NULL, &r, &err), &err);
    ASSERT_EQ_INT(r.version, 4);
    append(t, &s, 30, 40, &err); /* v5 */
    ASSERT_OK(delta_appends_since(t, 1, 5, &a, &ap, &err), &err);
    ASSERT_EQ_INT(ap.end_version, 3);
    ASSERT_EQ_INT(ap.n_files, 2);
    ASSERT_OK(delta_appends_since(t, 3, 5, &a, &ap, &err), &err);
    ASSERT_EQ_INT(ap.end_version, 5);
    ASSERT_EQ_INT(ap.n_files, 1);
    /* the files listed are live at end_version */
    DeltaSnapshot *snap = delta_snapshot_at_version(t, 5, &err);
    ASSERT_NOT_NULL(snap, &err);
    ASSERT(delta_snapshot_find_file(snap, ap.files[0]) != NULL);
    /* a DELETE (v6) is refused, naming the version and operation */
    ASSERT_OK(delta_delete(t, NULL, NULL, &err), &err);
    ASSERT(delta_appends_since(t, 5, 6, &a, &ap, &err) != 0);
    ASSERT_EQ_STR(err.sqlstate, "0A000");
    ASSERT_ERR_CONTAINS(&err, "changed existing rows at version 6 (DELETE)");
    err_clear(&err);
    /* a range ending before the DELETE is still readable */
    ASSERT_OK(delta_appends_since(t, 3, 5, &a, &ap, &err), &err);
    ASSERT_EQ_INT(ap.end_version, 5);
    /* stats pruning: files that may hold id > 35 */
    PqPredicate p;
    memset(&p, 0, sizeof p);
    p.column = "id";
    p.op = PQ_CMP_GT;
    p.value = value_i64(TYPE_INT64, 35);
    char **files;
    uint32_t n;
    ASSERT_OK(delta_files_may_match_list(snap, &p, 1, &a, &files, &n, &err), &err);
    ASSERT_EQ_INT(n, 1);
    ASSERT_EQ_STR(files[0], ap.files[0]);
    ASSERT_OK(delta_files_may_match_list(snap, &p, 0, &a, &files, &n, &err), &err);
    ASSERT_EQ_INT(n, 2);
    delta_snapshot_free(snap);
    arena_free(&a);
    schema_destroy(&s);
    delta_table_close(t);
}
