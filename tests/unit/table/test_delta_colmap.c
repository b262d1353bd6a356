/*
 * test_delta_colmap.c - RENAME / DROP COLUMN through Delta column mapping
 * (delta_rename_column, delta_drop_column) and nullability changes
 * (delta_set_nullable): enabling name mode on an existing table, reading
 * old and new files after the change, statistics and partition values,
 * the protocol, and errors.
 */
#include "../test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delta_testutil.h"
#include "table/delta/delta.h"

static DeltaTable *open_dir(const char *name, char *path, size_t cap, TarnError *err)
{
    snprintf(path, cap, "%s/%s", test_tmp_dir(), name);
    return delta_table_open_dir(path, true, NULL, err);
}

/* id BIGINT, name TEXT, part TEXT [partitioned by part] */
static void create_table(DeltaTable *t, bool partitioned, const char *mode)
{
    Schema s;
    schema_init(&s);
    ASSERT(schema_add(&s, "id", type_simple(TYPE_INT64), true) == 0);
    ASSERT(schema_add(&s, "name", type_simple(TYPE_STRING), true) == 0);
    ASSERT(schema_add(&s, "part", type_simple(TYPE_STRING), true) == 0);
    const char *parts[] = {"part"};
    const char *keys[] = {"delta.columnMapping.mode"};
    const char *vals[] = {mode};
    DeltaCreateOptions o;
    memset(&o, 0, sizeof o);
    o.schema = &s;
    o.partition_columns = partitioned ? parts : NULL;
    o.n_partition_columns = partitioned ? 1 : 0;
    o.property_keys = keys;
    o.property_values = vals;
    o.n_properties = mode ? 1 : 0;
    TarnError err;
    err_clear(&err);
    ASSERT_OK(delta_create(t, &o, NULL, &err), &err);
    schema_destroy(&s);
}

/* Appends rows id = from..to-1, name "n<id>" (NULL when null_names), part "p<id % 2>",
 * through the table's current schema (column order by name). */
static void append(DeltaTable *t, int64_t from, int64_t to, bool null_names)
{
    TarnError err;
    err_clear(&err);
    DeltaSnapshot *snap = delta_snapshot_latest(t, &err);
    ASSERT_NOT_NULL(snap, &err);
    const Schema *s = delta_snapshot_schema(snap);
    Batch b;
    ASSERT(batch_init(&b, s) == 0);
    char buf[32];
    for (int64_t i = from; i < to; i++)
        for (uint32_t c = 0; c < s->n_fields; c++) {
            const char *nm = s->fields[c].name;
            Vector *v = &b.cols[c];
            if (s->fields[c].type.id == TYPE_INT64) {
                ASSERT(vec_append_i64(v, i) == 0);
            } else if (!strcmp(nm, "part") || !strcmp(nm, "p")) {
                snprintf(buf, sizeof buf, "p%lld", (long long)(i % 2));
                ASSERT(vec_append_str(v, buf, strlen(buf)) == 0);
            } else if (null_names) {
                ASSERT(vec_append_null(v) == 0);
            } else {
                snprintf(buf, sizeof buf, "n%lld", (long long)i);
                ASSERT(vec_append_str(v, buf, strlen(buf)) == 0);
            }
        }
    b.n_rows = (uint32_t)(to - from);
    const Batch *bs[1] = {&b};
    ASSERT_OK(delta_write(t, bs, 1, NULL, NULL, &err), &err);
    batch_destroy(&b);
    delta_snapshot_free(snap);
}

/* The table's rows as "v1|v2|..." of the given columns, sorted. */
static void expect_rows(const char *dir, const char *const *cols, size_t n_cols, const char *const *want, size_t n)
{
    TarnError err;
    err_clear(&err);
    RowSet got, exp;
    rowset_init(&got);
    rowset_init(&exp);
    ASSERT_OK(read_delta_table(dir, -1, cols, n_cols, &got, &err), &err);
    exp.rows = calloc(n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++)
        exp.rows[i] = strdup(want[i]);
    exp.n_rows = exp.cap = n;
    rowset_sort(&got);
    rowset_sort(&exp);
    if (!rowset_equal(&got, &exp))
        TFAIL("rows of %s differ", dir);
    rowset_free(&got);
    rowset_free(&exp);
}

static size_t count_rows(DeltaTable *t, const PqPredicate *p, int n_p, size_t *files_out)
{
    TarnError err;
    err_clear(&err);
    DeltaSnapshot *snap = delta_snapshot_latest(t, &err);
    ASSERT_NOT_NULL(snap, &err);
    DeltaScanOptions so;
    memset(&so, 0, sizeof so);
    so.preds = p;
    so.n_preds = n_p;
    DeltaScan *sc = delta_scan_open(snap, &so, &err);
    ASSERT_NOT_NULL(sc, &err);
    Batch b;
    ASSERT(batch_init(&b, delta_scan_schema(sc)) == 0);
    size_t n = 0;
    for (;;) {
        ASSERT_OK(delta_scan_next(sc, &b, &err), &err);
        if (b.n_rows == 0)
            break;
        n += b.n_rows;
    }
    if (files_out)
        *files_out = delta_scan_num_files(sc);
    batch_destroy(&b);
    delta_scan_close(sc);
    delta_snapshot_free(snap);
    return n;
}

TEST(delta_colmap_rename_enables_name_mode)
{
    char dir[4096];
    TarnError err;
    err_clear(&err);
    DeltaTable *t = open_dir("cm1", dir, sizeof dir, &err);
    ASSERT_NOT_NULL(t, &err);
    create_table(t, true, NULL);
    append(t, 0, 4, false);
    DeltaResult r;
    ASSERT_OK(delta_rename_column(t, "name", "label", &r, &err), &err);
    DeltaSnapshot *s = delta_snapshot_latest(t, &err);
    ASSERT_NOT_NULL(s, &err);
    ASSERT_EQ_INT(delta_snapshot_column_mapping(s), 2);
    const DeltaProtocol *p = delta_snapshot_protocol(s);
    ASSERT(p->min_reader_version >= 2 && p->min_writer_version >= 5);
    ASSERT_EQ_STR(delta_snapshot_property(s, "delta.columnMapping.mode"), "name");
    ASSERT_EQ_STR(delta_snapshot_property(s, "delta.columnMapping.maxColumnId"), "3");
    const Schema *sc = delta_snapshot_schema(s);
    ASSERT_EQ_STR(sc->fields[1].name, "label");
    /* the schema string carries ids and physical names = the old names */
    const char *ss = delta_snapshot_metadata(s)->schema_string;
    ASSERT(strstr(ss, "\"name\":\"label\""));
    ASSERT(strstr(ss, "\"delta.columnMapping.physicalName\":\"name\""));
    ASSERT(strstr(ss, "\"delta.columnMapping.id\":2"));
    delta_snapshot_free(s);
    /* old files read under the new name; new files too */
    append(t, 4, 6, false);
    const char *cols[] = {"id", "label"};
    const char *want[] = {"0 | 'n0'", "1 | 'n1'", "2 | 'n2'", "3 | 'n3'", "4 | 'n4'", "5 | 'n5'"};
    expect_rows(dir, cols, 2, want, 6);
    /* renaming again keeps the physical name */
    ASSERT_OK(delta_rename_column(t, "label", "title", &r, &err), &err);
    s = delta_snapshot_latest(t, &err);
    ASSERT_NOT_NULL(s, &err);
    ss = delta_snapshot_metadata(s)->schema_string;
    ASSERT(strstr(ss, "\"name\":\"title\""));
    ASSERT(strstr(ss, "\"delta.columnMapping.physicalName\":\"name\""));
    delta_snapshot_free(s);
    const char *cols2[] = {"title"};
    RowSet g2;
    rowset_init(&g2);
    ASSERT_OK(read_delta_table(dir, -1, cols2, 1, &g2, &err), &err);
    ASSERT_EQ_INT((int)g2.n_rows, 6);
    rowset_free(&g2);
    delta_table_close(t);
}

TEST(delta_colmap_rename_partition_column_and_skipping)
{
    char dir[4096];
    TarnError err;
    err_clear(&err);
    DeltaTable *t = open_dir("cm2", dir, sizeof dir, &err);
    ASSERT_NOT_NULL(t, &err);
    create_table(t, true, NULL);
    append(t, 0, 10, false);
    ASSERT_OK(delta_rename_column(t, "part", "p", NULL, &err), &err);
    ASSERT_OK(delta_rename_column(t, "id", "key", NULL, &err), &err);
    append(t, 10, 20, false);
    DeltaSnapshot *s = delta_snapshot_latest(t, &err);
    ASSERT_NOT_NULL(s, &err);
    const DeltaMetadata *md = delta_snapshot_metadata(s);
    ASSERT_EQ_INT((int)md->n_partition_columns, 1);
    ASSERT_EQ_STR(md->partition_columns[0], "p");
    delta_snapshot_free(s);
    /* partition pruning and stats skipping by the new names */
    PqPredicate pr;
    memset(&pr, 0, sizeof pr);
    pr.column = "p";
    pr.op = PQ_CMP_EQ;
    pr.value = value_str("p1", 2);
    size_t files = 0;
    ASSERT_EQ_INT((int)count_rows(t, &pr, 1, &files), 10);
    ASSERT_EQ_INT((int)files, 2);
    PqPredicate k;
    memset(&k, 0, sizeof k);
    k.column = "key";
    k.op = PQ_CMP_GE;
    k.value = value_i64(TYPE_INT64, 15);
    size_t n = count_rows(t, &k, 1, &files);
    /* files of ids 0..9 are skipped by their statistics */
    ASSERT(n >= 5 && n <= 10);
    ASSERT_EQ_INT((int)files, 2);
    delta_table_close(t);
}

TEST(delta_colmap_drop_column)
{
    char dir[4096];
    TarnError err;
    err_clear(&err);
    DeltaTable *t = open_dir("cm3", dir, sizeof dir, &err);
    ASSERT_NOT_NULL(t, &err);
    create_table(t, false, NULL);
    append(t, 0, 3, false);
    ASSERT_OK(delta_drop_column(t, "name", NULL, &err), &err);
    DeltaSnapshot *s = delta_snapshot_latest(t, &err);
    ASSERT_NOT_NULL(s, &err);
    const Schema *sc = delta_snapshot_schema(s);
    ASSERT_EQ_INT((int)sc->n_fields, 2);
    ASSERT_EQ_STR(sc->fields[0].name, "id");
    ASSERT_EQ_STR(sc->fields[1].name, "part");
    ASSERT_EQ_STR(delta_snapshot_property(s, "delta.columnMapping.maxColumnId"), "3");
    delta_snapshot_free(s);
    /* a new column of the same name is a different column (new id, new physical name) */
    Schema nc;
    schema_init(&nc);
    ASSERT(schema_add(&nc, "name", type_simple(TYPE_STRING), true) == 0);
    ASSERT_OK(delta_add_columns(t, &nc, NULL, &err), &err);
    schema_destroy(&nc);
    s = delta_snapshot_latest(t, &err);
    ASSERT_NOT_NULL(s, &err);
    ASSERT_EQ_STR(delta_snapshot_property(s, "delta.columnMapping.maxColumnId"), "4");
    delta_snapshot_free(s);
    append(t, 3, 5, false);
    const char *cols[] = {"id", "name"};
    RowSet got;
    rowset_init(&got);
    ASSERT_OK(read_delta_table(dir, -1, cols, 2, &got, &err), &err);
    rowset_sort(&got);
    ASSERT_EQ_INT((int)got.n_rows, 5);
    /* old rows: the dropped values do not come back */
    int nulls = 0;
    for (size_t i = 0; i < got.n_rows; i++)
        nulls += strstr(got.rows[i], "NULL") != NULL || strstr(got.rows[i], "null") != NULL;
    ASSERT_EQ_INT(nulls, 3);
    rowset_free(&got);
    delta_table_close(t);
}

TEST(delta_colmap_errors)
{
    char dir[4096];
    TarnError err;
    err_clear(&err);
    DeltaTable *t = open_dir("cm4", dir, sizeof dir, &err);
    ASSERT_NOT_NULL(t, &err);
    create_table(t, true, "name");
    append(t, 0, 2, false);
    ASSERT(delta_rename_column(t, "nope", "x", NULL, &err) != 0);
    ASSERT_EQ_STR(err.sqlstate, "42703");
    err_clear(&err);
    ASSERT(delta_rename_column(t, "id", "name", NULL, &err) != 0);
    ASSERT_EQ_STR(err.sqlstate, "42701");
    err_clear(&err);
    ASSERT(delta_drop_column(t, "part", NULL, &err) != 0);
    ASSERT_EQ_STR(err.sqlstate, "0A000");
    err_clear(&err);
    ASSERT(delta_drop_column(t, "nope", NULL, &err) != 0);
    ASSERT_EQ_STR(err.sqlstate, "42703");
    err_clear(&err);
    /* a column a CHECK constraint uses stays */
    const char *ck[] = {"delta.constraints.idpos"};
    const char *cv[] = {"id >= 0"};
    ASSERT_OK(delta_set_properties(t, ck, cv, 1, NULL, &err), &err);
    ASSERT(delta_rename_column(t, "id", "ident", NULL, &err) != 0);
    ASSERT_EQ_STR(err.sqlstate, "0A000");
    err_clear(&err);
    ASSERT(delta_drop_column(t, "id", NULL, &err) != 0);
    ASSERT_EQ_STR(err.sqlstate, "0A000");
    err_clear(&err);
    /* a table created in name mode keeps its generated physical names */
    ASSERT_OK(delta_rename_column(t, "name", "n2", NULL, &err), &err);
    DeltaSnapshot *s = delta_snapshot_latest(t, &err);
    ASSERT_NOT_NULL(s, &err);
    ASSERT(strstr(delta_snapshot_metadata(s)->schema_string, "\"delta.columnMapping.physicalName\":\"col-"));
    delta_snapshot_free(s);
    const char *cols[] = {"n2"};
    RowSet got;
    rowset_init(&got);
    ASSERT_OK(read_delta_table(dir, -1, cols, 1, &got, &err), &err);
    ASSERT_EQ_INT((int)got.n_rows, 2);
    rowset_free(&got);
    delta_table_close(t);
}

TEST(delta_colmap_set_nullable)
{
    char dir[4096];
    TarnError err;
    err_clear(&err);
    DeltaTable *t = open_dir("cm5", dir, sizeof dir, &err);
    ASSERT_NOT_NULL(t, &err);
    create_table(t, false, NULL);
    append(t, 0, 3, false);
    DeltaResult r;
    ASSERT_OK(delta_set_nullable(t, "name", false, &r, &err), &err);
    ASSERT(r.version > 0);
    DeltaSnapshot *s = delta_snapshot_latest(t, &err);
    ASSERT_NOT_NULL(s, &err);
    ASSERT(!delta_snapshot_schema(s)->fields[1].nullable);
    ASSERT_EQ_INT(delta_snapshot_column_mapping(s), 0);
    delta_snapshot_free(s);
    /* the constraint holds for writes now */
    Schema sc;
    schema_init(&sc);
    ASSERT_OK(delta_set_nullable(t, "name", true, &r, &err), &err);
    schema_destroy(&sc);
    append(t, 3, 4, true);
    /* NULLs present: SET NOT NULL fails and commits nothing */
    int64_t before = -1;
    s = delta_snapshot_latest(t, &err);
    before = delta_snapshot_version(s);
    delta_snapshot_free(s);
    ASSERT(delta_set_nullable(t, "name", false, &r, &err) != 0);
    ASSERT_EQ_STR(err.sqlstate, "23502");
    err_clear(&err);
    s = delta_snapshot_latest(t, &err);
    ASSERT_EQ_INT((int)delta_snapshot_version(s), (int)before);
    delta_snapshot_free(s);
    /* no change: no commit */
    ASSERT_OK(delta_set_nullable(t, "id", true, &r, &err), &err);
    ASSERT_EQ_INT((int)r.version, -1);
    delta_table_close(t);
}
