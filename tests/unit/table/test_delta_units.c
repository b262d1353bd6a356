/*
 * test_delta_units.c - unit tests of the Delta building blocks: action
 * parsing and serialization, log file names, path escaping, Z85, roaring
 * bitmaps and deletion vectors, schema strings, stats and partition
 * values, expressions; plus protocol refusals, corrupt logs, in-commit
 * timestamps, invariants and type widening end to end.
 */
#include "../test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "delta_testutil.h"
#include "table/delta/actions.h"
#include "table/delta/delta.h"
#include "table/delta/delta_int.h"
#include "table/delta/dv.h"
#include "table/delta/expr.h"
#include "table/delta/schema.h"
#include "util/datetime.h"

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ASSERT(f);
    fputs(text, f);
    fclose(f);
}

static const char *mk_table(const char *name)
{
    static char dir[4096];
    char log[4200];
    snprintf(dir, sizeof dir, "%s/%s", test_tmp_dir(), name);
    snprintf(log, sizeof log, "%s/_delta_log", dir);
    ASSERT(mkdir(dir, 0755) == 0 && mkdir(log, 0755) == 0);
    return dir;
}

static void write_commit(const char *dir, int v, const char *text)
{
    char p[4400];
    snprintf(p, sizeof p, "%s/_delta_log/%020d.json", dir, v);
    write_file(p, text);
}

#define PROTO_META                                                                                       \
    "{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":2}}\n"                                  \
    "{\"metaData\":{\"id\":\"x\",\"format\":{\"provider\":\"parquet\",\"options\":{}},\"schemaString\":" \
    "\"{\\\"type\\\":\\\"struct\\\",\\\"fields\\\":[{\\\"name\\\":\\\"a\\\",\\\"type\\\":\\\"long\\\","   \
    "\\\"nullable\\\":true,\\\"metadata\\\":{}}]}\",\"partitionColumns\":[],\"configuration\":{}}}\n"

/* ---- actions -------------------------------------------------------------------- */

TEST(delta_unit_actions_roundtrip)
{
    Arena a;
    arena_init(&a, 4096);
    TarnError err;
    err_clear(&err);
    const char *line =
        "{\"add\":{\"path\":\"a%20b/part-1.parquet\",\"partitionValues\":{\"p\":null,\"q\":\"x\"},\"size\":10,"
        "\"modificationTime\":5,\"dataChange\":true,\"stats\":\"{\\\"numRecords\\\":3}\",\"tags\":{\"t\":\"1\"},"
        "\"deletionVector\":{\"storageType\":\"u\",\"pathOrInlineDv\":\"ab^-aqEH.-t@S}K{vb[*k^\",\"offset\":4,"
        "\"sizeInBytes\":40,\"cardinality\":6},\"baseRowId\":7,\"unknownField\":[1,2]}}";
    DeltaAction act;
    ASSERT_OK(delta_action_parse_line(&a, line, strlen(line), &act, &err), &err);
    ASSERT_EQ_INT(act.kind, DELTA_ACT_ADD);
    ASSERT_EQ_STR(act.u.add.path, "a%20b/part-1.parquet");
    ASSERT_EQ_INT(act.u.add.size, 10);
    bool found;
    ASSERT(delta_map_get(&act.u.add.partition_values, "p", &found) == NULL && found);
    ASSERT_EQ_STR(delta_map_get(&act.u.add.partition_values, "q", NULL), "x");
    ASSERT(act.u.add.dv && act.u.add.dv->storage_type == 'u' && act.u.add.dv->offset == 4);
    ASSERT(act.u.add.has_base_row_id && act.u.add.base_row_id == 7);
    Buf b;
    buf_init(&b);
    ASSERT(delta_action_serialize(&act, &b) == 0);
    buf_terminate(&b);
    DeltaAction back;
    ASSERT_OK(delta_action_parse_line(&a, (const char *)b.data, b.len - 1, &back, &err), &err);
    ASSERT_EQ_STR(back.u.add.stats, "{\"numRecords\":3}");
    ASSERT_EQ_INT(back.u.add.dv->cardinality, 6);
    Buf id;
    buf_init(&id);
    delta_dv_unique_id(back.u.add.dv, &id);
    buf_terminate(&id);
    ASSERT_EQ_STR((const char *)id.data, "uab^-aqEH.-t@S}K{vb[*k^@4");
    buf_free(&id);
    buf_free(&b);
    /* unknown actions are kept as such; an empty line is skipped */
    const char *unk = "{\"futureAction\":{\"x\":1}}";
    ASSERT_OK(delta_action_parse_line(&a, unk, strlen(unk), &act, &err), &err);
    ASSERT_EQ_INT(act.kind, DELTA_ACT_UNKNOWN);
    ASSERT_EQ_STR(act.u.unknown_name, "futureAction");
    ASSERT_OK(delta_action_parse_line(&a, "  ", 2, &act, &err), &err);
    ASSERT_EQ_INT(act.kind, 0);
    arena_free(&a);
}

TEST(delta_unit_actions_errors_name_file_and_line)
{
    Arena a;
    arena_init(&a, 4096);
    TarnError err;
    err_clear(&err);
    DeltaActionList l;
    delta_action_list_init(&l);
    const char *text = "{\"commitInfo\":{}}\n{\"add\":{\"size\":1}}\n";
    ASSERT(delta_actions_parse(&a, text, strlen(text), "_delta_log/00000000000000000003.json", &l, &err) != 0);
    ASSERT_EQ_STR(err.message, "delta log \"_delta_log/00000000000000000003.json\" line 2: add action without \"path\"");
    err_clear(&err);
    const char *bad = "{\"remove\":{\"path\":\"x\"}}\n{\"txn\":{\"appId\":\"a\",\"version\":\"one\"}}\n";
    ASSERT(delta_actions_parse(&a, bad, strlen(bad), "f.json", &l, &err) != 0);
    ASSERT_ERR_CONTAINS(&err, "line 2: txn action field \"version\" is not an integer");
    err_clear(&err);
    const char *notjson = "{\"add\":{\"path\":";
    ASSERT(delta_actions_parse(&a, notjson, strlen(notjson), "g.json", &l, &err) != 0);
    ASSERT_ERR_CONTAINS(&err, "delta log \"g.json\" line 1:");
    delta_action_list_free(&l);
    arena_free(&a);
}

TEST(delta_unit_log_file_names)
{
    DeltaLogFileName f = delta_log_file_classify("00000000000000000012.json");
    ASSERT(f.kind == DELTA_LOG_COMMIT && f.version == 12);
    f = delta_log_file_classify("00000000000000000010.checkpoint.parquet");
    ASSERT(f.kind == DELTA_LOG_CHECKPOINT && f.version == 10);
    f = delta_log_file_classify("00000000000000000010.checkpoint.0000000002.0000000003.parquet");
    ASSERT(f.kind == DELTA_LOG_CHECKPOINT_PART && f.part == 2 && f.n_parts == 3);
    f = delta_log_file_classify("00000000000000000010.checkpoint.80a083e8-7026-4e79-81be-64bd76c43a11.json");
    ASSERT(f.kind == DELTA_LOG_CHECKPOINT_V2 && f.is_json);
    f = delta_log_file_classify("00000000000000000004.00000000000000000006.compacted.json");
    ASSERT(f.kind == DELTA_LOG_COMPACTION && f.version == 4 && f.end_version == 6);
    ASSERT_EQ_INT(delta_log_file_classify("_last_checkpoint").kind, DELTA_LOG_OTHER);
    ASSERT_EQ_INT(delta_log_file_classify("0000000000000000001.json").kind, DELTA_LOG_OTHER);
    ASSERT_EQ_INT(delta_log_file_classify(".00000000000000000001.json.crc").kind, DELTA_LOG_OTHER);
    ASSERT_EQ_INT(delta_log_file_classify("00000000000000000001.crc").kind, DELTA_LOG_CRC);
    char buf[32];
    ASSERT_EQ_STR(delta_commit_file_name(42, buf), "00000000000000000042.json");
}

TEST(delta_unit_paths)
{
    Arena a;
    arena_init(&a, 4096);
    TarnError err;
    err_clear(&err);
    char *out;
    bool abs;
    ASSERT_OK(delta_path_decode(&a, "_2=bar+%252521/part-0.parquet", &out, &abs, &err), &err);
    ASSERT_EQ_STR(out, "_2=bar+%2521/part-0.parquet");
    ASSERT(!abs);
    ASSERT_OK(delta_path_decode(&a, "file:///tmp/x%20y.parquet", &out, &abs, &err), &err);
    ASSERT_EQ_STR(out, "/tmp/x y.parquet");
    ASSERT(abs);
    ASSERT_OK(delta_path_decode(&a, "file:/tmp/z.parquet", &out, &abs, &err), &err);
    ASSERT_EQ_STR(out, "/tmp/z.parquet");
    ASSERT(delta_path_decode(&a, "s3://bucket/x.parquet", &out, &abs, &err) == TARN_ERR_UNSUPPORTED);
    ASSERT_ERR_CONTAINS(&err, "unsupported: file system scheme \"s3\"");
    Buf b;
    buf_init(&b);
    ASSERT(delta_partition_escape("A/A:1%", &b) == 0);
    buf_terminate(&b);
    ASSERT_EQ_STR((const char *)b.data, "A%2FA%3A1%25");
    buf_clear(&b);
    ASSERT(delta_path_encode("x=A%2FA/B B/p.parquet", &b) == 0);
    buf_terminate(&b);
    ASSERT_EQ_STR((const char *)b.data, "x=A%252FA/B%20B/p.parquet");
    ASSERT_OK(delta_path_decode(&a, (const char *)b.data, &out, &abs, &err), &err);
    ASSERT_EQ_STR(out, "x=A%2FA/B B/p.parquet");
    buf_free(&b);
    arena_free(&a);
}

/* ---- deletion vectors ----------------------------------------------------------------- */

TEST(delta_unit_z85_inline_dv_example)
{
    /* PROTOCOL.md "JSON Example 3 - Inline": rows 3, 4, 7, 11, 18, 29 */
    DeltaDv dv;
    memset(&dv, 0, sizeof dv);
    dv.storage_type = 'i';
    dv.path_or_inline = "wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L";
    dv.size_bytes = 40;
    dv.cardinality = 6;
    TarnError err;
    err_clear(&err);
    DeltaRowSet rs;
    ASSERT_OK(delta_dv_load(NULL, NULL, "", &dv, &rs, &err), &err);
    uint64_t want[] = {3, 4, 7, 11, 18, 29};
    ASSERT_EQ_INT(rs.n, 6);
    for (int i = 0; i < 6; i++)
        ASSERT_EQ_U64(rs.rows[i], want[i]);
    ASSERT(delta_rowset_contains(&rs, 11) && !delta_rowset_contains(&rs, 12));
    delta_rowset_free(&rs);
    /* Example 1's UUID: "ab" prefix + d2c639aa-8816-431a-aaf6-d3fe2512ff61 */
    DeltaDv u;
    memset(&u, 0, sizeof u);
    u.storage_type = 'u';
    u.path_or_inline = "ab^-aqEH.-t@S}K{vb[*k^";
    char rel[256];
    ASSERT_OK(delta_dv_rel_path(&u, rel, sizeof rel, &err), &err);
    ASSERT_EQ_STR(rel, "ab/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin");
    /* corrupt inline text */
    dv.path_or_inline = "wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{";
    ASSERT(delta_dv_load(NULL, NULL, "", &dv, &rs, &err) == TARN_ERR_CORRUPT);
    dv.path_or_inline = "wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L";
    dv.cardinality = 5;
    err_clear(&err);
    ASSERT(delta_dv_load(NULL, NULL, "", &dv, &rs, &err) == TARN_ERR_CORRUPT);
}

TEST(delta_unit_roaring_roundtrip)
{
    /* array containers, a bitmap container (> 4096 values), several buckets */
    size_t n = 0;
    uint64_t *rows = malloc(sizeof(uint64_t) * 20000);
    for (uint64_t i = 0; i < 5000; i++)
        rows[n++] = 70000 + i * 3; /* bitmap container (key 1) */
    for (uint64_t i = 0; i < 10; i++)
        rows[n++] = 300000 + i;
    rows[n++] = (uint64_t)5 << 32 | 17; /* second bucket */
    Buf b;
    buf_init(&b);
    ASSERT(delta_dv_bitmap_encode(rows, n, &b) == 0);
    TarnError err;
    err_clear(&err);
    DeltaRowSet rs;
    ASSERT_OK(delta_dv_bitmap_decode(b.data, b.len, n, &rs, &err), &err);
    ASSERT_EQ_INT(rs.n, n);
    for (size_t i = 0; i < n; i++)
        ASSERT_EQ_U64(rs.rows[i], rows[i]);
    delta_rowset_free(&rs);
    /* fewer values allowed than present: corrupt */
    ASSERT(delta_dv_bitmap_decode(b.data, b.len, n - 1, &rs, &err) == TARN_ERR_CORRUPT);
    /* every truncation fails cleanly */
    for (size_t cut = 0; cut < b.len; cut += 1 + cut / 8) {
        err_clear(&err);
        ASSERT(delta_dv_bitmap_decode(b.data, cut, n, &rs, &err) != 0);
    }
    buf_free(&b);
    free(rows);
}

TEST(delta_unit_roaring_run_container)
{
    /* hand-made 32-bit bitmap with a run container: cookie 12347 | (1-1)<<16,
     * run flag byte, key 0 card-1 99, then 1 run [10, +99] -> 10..109 */
    uint8_t buf[64];
    size_t p = 0;
    store_le32(buf + p, 1681511377u);
    p += 4;
    store_le64(buf + p, 1);
    p += 8;
    store_le32(buf + p, 0); /* bucket key */
    p += 4;
    store_le32(buf + p, 12347u);
    p += 4;
    buf[p++] = 1; /* container 0 is a run container */
    buf[p++] = 0; buf[p++] = 0;  /* key 0 */
    buf[p++] = 99; buf[p++] = 0; /* card - 1 */
    buf[p++] = 1; buf[p++] = 0;  /* 1 run */
    buf[p++] = 10; buf[p++] = 0; /* start 10 */
    buf[p++] = 99; buf[p++] = 0; /* length - 1 */
    TarnError err;
    err_clear(&err);
    DeltaRowSet rs;
    ASSERT_OK(delta_dv_bitmap_decode(buf, p, 1000, &rs, &err), &err);
    ASSERT_EQ_INT(rs.n, 100);
    ASSERT_EQ_U64(rs.rows[0], 10);
    ASSERT_EQ_U64(rs.rows[99], 109);
    delta_rowset_free(&rs);
}

static void read_bin(const char *rel, Buf *out)
{
    const char *d = test_shared_dir();
    if (!d)
        SKIP("shared test data not found");
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", d, rel);
    TarnError err;
    err_clear(&err);
    buf_init(out);
    ASSERT_OK(file_read_all(p, out, &err), &err);
}

TEST(delta_unit_roaring64_shared_files)
{
    /* pyiceberg's portable 64-bit bitmaps (CASES.tsv kind roaring64) */
    Buf b;
    TarnError err;
    err_clear(&err);
    DeltaRowSet rs;
    read_bin("iceberg/iceberg-python/bitmaps/64mapempty.bin", &b);
    ASSERT_OK(delta_roaring64_decode(b.data, b.len, 1000, &rs, &err), &err);
    ASSERT_EQ_INT(rs.n, 0);
    buf_free(&b);
    read_bin("iceberg/iceberg-python/bitmaps/64map32bitvals.bin", &b);
    ASSERT_OK(delta_roaring64_decode(b.data, b.len, 1000, &rs, &err), &err);
    ASSERT_EQ_INT(rs.n, 10);
    for (uint64_t i = 0; i < 10; i++)
        ASSERT_EQ_U64(rs.rows[i], i);
    delta_rowset_free(&rs);
    buf_free(&b);
    read_bin("iceberg/iceberg-python/bitmaps/64mapspreadvals.bin", &b);
    ASSERT_OK(delta_roaring64_decode(b.data, b.len, 1000, &rs, &err), &err);
    ASSERT_EQ_INT(rs.n, 100);
    for (uint64_t k = 0; k < 10; k++)
        for (uint64_t v = 0; v < 10; v++)
            ASSERT_EQ_U64(rs.rows[k * 10 + v], k << 32 | v);
    delta_rowset_free(&rs);
    buf_free(&b);
    /* a key above 2^31 - 1 must be rejected */
    read_bin("iceberg/iceberg-python/bitmaps/64maphighvals.bin", &b);
    ASSERT_EQ_INT(delta_roaring64_decode(b.data, b.len, 1u << 30, &rs, &err), TARN_ERR_CORRUPT);
    ASSERT_ERR_CONTAINS(&err, "bucket key");
    buf_free(&b);
}

TEST(delta_unit_dv_file_write_read)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/dvt", test_tmp_dir());
    TarnError err;
    err_clear(&err);
    Storage *s = storage_open_local(dir, true, &err);
    ASSERT_NOT_NULL(s, &err);
    uint64_t rows[] = {0, 9, 100000};
    Arena a;
    arena_init(&a, 4096);
    DeltaDv dv;
    ASSERT_OK(delta_dv_write(s, "", rows, 3, &a, &dv, &err), &err);
    ASSERT(dv.storage_type == 'u' && dv.offset == 1 && dv.cardinality == 3);
    DeltaRowSet rs;
    ASSERT_OK(delta_dv_load(s, NULL, "", &dv, &rs, &err), &err);
    ASSERT_EQ_INT(rs.n, 3);
    ASSERT_EQ_U64(rs.rows[2], 100000);
    delta_rowset_free(&rs);
    /* flip a byte of the bitmap: the checksum catches it */
    char rel[256], full[4400];
    ASSERT_OK(delta_dv_rel_path(&dv, rel, sizeof rel, &err), &err);
    snprintf(full, sizeof full, "%s/%s", dir, rel);
    FILE *f = fopen(full, "r+b");
    ASSERT(f);
    fseek(f, 12, SEEK_SET);
    fputc(0x55, f);
    fclose(f);
    ASSERT_EQ_INT(delta_dv_load(s, NULL, "", &dv, &rs, &err), TARN_ERR_CORRUPT);
    ASSERT_ERR_CONTAINS(&err, "checksum mismatch");
    arena_free(&a);
    storage_close(s);
}

/* ---- schema ---------------------------------------------------------------------- */

TEST(delta_unit_schema_roundtrip)
{
    const char *js =
        "{\"type\":\"struct\",\"fields\":[{\"name\":\"a\",\"type\":\"integer\",\"nullable\":false,\"metadata\":{}},"
        "{\"name\":\"b\",\"type\":{\"type\":\"struct\",\"fields\":[{\"name\":\"d\",\"type\":\"decimal(10,2)\","
        "\"nullable\":true,\"metadata\":{\"delta.columnMapping.physicalName\":\"col-d\",\"delta.columnMapping.id\":3}}]},"
        "\"nullable\":true,\"metadata\":{\"delta.columnMapping.physicalName\":\"col-b\",\"delta.columnMapping.id\":2}},"
        "{\"name\":\"c\",\"type\":{\"type\":\"array\",\"elementType\":\"timestamp_ntz\",\"containsNull\":false},"
        "\"nullable\":true,\"metadata\":{}},"
        "{\"name\":\"m\",\"type\":{\"type\":\"map\",\"keyType\":\"string\",\"valueType\":\"timestamp\","
        "\"valueContainsNull\":true},\"nullable\":true,\"metadata\":{\"delta.invariants\":\"{\\\"expression\\\":"
        "{\\\"expression\\\":\\\"m IS NOT NULL\\\"}}\"}}]}";
    Arena a;
    arena_init(&a, 4096);
    TarnError err;
    err_clear(&err);
    DeltaSchema s;
    ASSERT_OK(delta_schema_parse(&a, js, strlen(js), &s, &err), &err);
    ASSERT_EQ_INT(s.schema.n_fields, 4);
    ASSERT_EQ_INT(s.schema.fields[0].type.id, TYPE_INT32);
    ASSERT(!s.schema.fields[0].nullable);
    ASSERT_EQ_STR(s.columns[1].physical_name, "col-b");
    ASSERT_EQ_INT(s.columns[1].field_id, 2);
    ASSERT_EQ_STR(s.columns[1].children[0].physical_name, "col-d");
    ASSERT_EQ_INT(s.schema.fields[1].type.fields[0].type.id, TYPE_DECIMAL);
    ASSERT_EQ_INT(s.schema.fields[2].type.fields[0].type.id, TYPE_TIMESTAMP);
    ASSERT_EQ_INT(s.schema.fields[3].type.fields[1].type.id, TYPE_TIMESTAMPTZ);
    ASSERT_EQ_STR(s.columns[3].invariant_expr, "m IS NOT NULL");
    Buf b;
    buf_init(&b);
    ASSERT_OK(delta_schema_serialize(&s.schema, s.columns, &b, &err), &err);
    buf_terminate(&b);
    DeltaSchema s2;
    ASSERT_OK(delta_schema_parse(&a, (const char *)b.data, b.len, &s2, &err), &err);
    for (uint32_t i = 0; i < 4; i++)
        ASSERT(type_equal(&s.schema.fields[i].type, &s2.schema.fields[i].type));
    ASSERT_EQ_STR(s2.columns[1].children[0].physical_name, "col-d");
    buf_free(&b);
    delta_schema_destroy(&s);
    delta_schema_destroy(&s2);
    const char *v = "{\"type\":\"struct\",\"fields\":[{\"name\":\"v\",\"type\":\"variant\",\"nullable\":true,\"metadata\":{}}]}";
    ASSERT_EQ_INT(delta_schema_parse(&a, v, strlen(v), &s, &err), TARN_ERR_UNSUPPORTED);
    ASSERT_ERR_CONTAINS(&err, "unsupported: Delta type \"variant\"");
    arena_free(&a);
    /* widening rules */
    LogicalType i8 = type_simple(TYPE_INT8), i64 = type_simple(TYPE_INT64), f = type_simple(TYPE_FLOAT);
    LogicalType d = type_simple(TYPE_DOUBLE), dt = type_simple(TYPE_DATE), ntz = type_simple(TYPE_TIMESTAMP);
    LogicalType d52 = type_decimal(5, 2), d74 = type_decimal(7, 4), d73 = type_decimal(7, 3);
    ASSERT(delta_type_can_widen(&i8, &i64) && !delta_type_can_widen(&i64, &i8));
    ASSERT(delta_type_can_widen(&f, &d) && delta_type_can_widen(&i8, &d) && !delta_type_can_widen(&i64, &d));
    ASSERT(delta_type_can_widen(&dt, &ntz));
    ASSERT(delta_type_can_widen(&d52, &d74) && delta_type_can_widen(&d52, &d73) && !delta_type_can_widen(&d74, &d52));
}

/* ---- stats, partition values, expressions ------------------------------------------------ */

TEST(delta_unit_partition_values)
{
    TarnError err;
    err_clear(&err);
    Value v;
    LogicalType ts = type_simple(TYPE_TIMESTAMPTZ), d = type_decimal(12, 5), s = type_simple(TYPE_STRING);
    LogicalType i = type_simple(TYPE_INT32);
    ASSERT_OK(delta_partition_value_parse("2021-09-08 11:11:11", &ts, &v, &err), &err);
    ASSERT_EQ_INT(v.v.i, (dt_days_from_civil(2021, 9, 8) * 86400 + 40271) * 1000000LL);
    ASSERT_OK(delta_partition_value_parse("1970-01-01T00:00:00.123456Z", &ts, &v, &err), &err);
    ASSERT_EQ_INT(v.v.i, 123456);
    ASSERT_OK(delta_partition_value_parse("-2342342.23423", &d, &v, &err), &err);
    ASSERT_EQ_INT(v.v.i, -234234223423LL);
    ASSERT_OK(delta_partition_value_parse(NULL, &s, &v, &err), &err);
    ASSERT(v.is_null);
    ASSERT_OK(delta_partition_value_parse("__HIVE_DEFAULT_PARTITION__", &i, &v, &err), &err);
    ASSERT(v.is_null);
    ASSERT_OK(delta_partition_value_parse("", &i, &v, &err), &err);
    ASSERT(v.is_null);
    ASSERT_EQ_INT(delta_partition_value_parse("12x", &i, &v, &err), TARN_ERR_CORRUPT);
    ASSERT_EQ_INT(delta_partition_value_parse("3000000000", &i, &v, &err), TARN_ERR_CORRUPT);
}

TEST(delta_unit_expressions)
{
    Schema s;
    schema_init(&s);
    ASSERT(schema_add(&s, "x", type_simple(TYPE_INT32), true) == 0);
    ASSERT(schema_add(&s, "d", type_simple(TYPE_DATE), true) == 0);
    ASSERT(schema_add(&s, "name", type_simple(TYPE_STRING), true) == 0);
    Batch b;
    ASSERT(batch_init(&b, &s) == 0);
    vec_append_i64(&b.cols[0], 5);
    vec_append_i64(&b.cols[1], dt_days_from_civil(1999, 12, 31));
    vec_append_str(&b.cols[2], "bob", 3);
    vec_append_null(&b.cols[0]);
    vec_append_i64(&b.cols[1], dt_days_from_civil(1850, 1, 1));
    vec_append_null(&b.cols[2]);
    b.n_rows = 2;
    Arena a;
    arena_init(&a, 4096);
    TarnError err;
    err_clear(&err);
    struct { const char *sql; int r0, r1; } cases[] = {
        {"x > 3", 1, -1},
        {"x > 3 AND d > '1900-01-01'", 1, 0},
        {"x IS NULL OR x < 10", 1, 1},
        {"NOT (x = 5)", 0, -1},
        {"name IN ('alice', 'bob')", 1, -1},
        {"x BETWEEN 1 AND 5", 1, -1},
        {"x <=> NULL", 0, 1},
        {"YEAR(d) = 1999", 1, 0},
        {"`name` IS NOT NULL", 1, 0},
        {"d >= DATE '1999-12-31'", 1, 0},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        DeltaExpr *e;
        ASSERT_OK(delta_expr_parse(&a, cases[k].sql, &s, &e, &err), &err);
        for (uint32_t r = 0; r < 2; r++) {
            Value v = delta_expr_eval(e, &b, r);
            int got = v.is_null ? -1 : v.v.b;
            int want = r == 0 ? cases[k].r0 : cases[k].r1;
            if (got != want)
                TFAIL("\"%s\" on row %u: got %d, expected %d", cases[k].sql, r, got, want);
        }
    }
    DeltaExpr *e;
    ASSERT_EQ_INT(delta_expr_parse(&a, "length(name) > 2", &s, &e, &err), TARN_ERR_UNSUPPORTED);
    err_clear(&err);
    ASSERT_EQ_INT(delta_expr_parse(&a, "x + 1 > 2", &s, &e, &err), TARN_ERR_UNSUPPORTED);
    err_clear(&err);
    ASSERT_EQ_INT(delta_expr_parse(&a, "nope > 2", &s, &e, &err), TARN_ERR_NOT_FOUND);
    arena_free(&a);
    batch_destroy(&b);
    schema_destroy(&s);
}

/* ---- end-to-end rules ------------------------------------------------------------------------ */

TEST(delta_unit_unsupported_writer_feature)
{
    const char *dir = mk_table("wf");
    write_commit(dir, 0,
                 "{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":7,\"writerFeatures\":[\"identityColumns\",\"rowTracking\"]}}\n"
                 "{\"metaData\":{\"id\":\"x\",\"format\":{\"provider\":\"parquet\",\"options\":{}},\"schemaString\":"
                 "\"{\\\"type\\\":\\\"struct\\\",\\\"fields\\\":[{\\\"name\\\":\\\"a\\\",\\\"type\\\":\\\"long\\\","
                 "\\\"nullable\\\":true,\\\"metadata\\\":{}}]}\",\"partitionColumns\":[],\"configuration\":{}}}\n");
    TarnError err;
    err_clear(&err);
    DeltaTable *t = delta_table_open_dir(dir, false, NULL, &err);
    ASSERT_NOT_NULL(t, &err);
    /* readable ... */
    DeltaSnapshot *s = delta_snapshot_latest(t, &err);
    ASSERT_NOT_NULL(s, &err);
    delta_snapshot_free(s);
    /* ... but not writable */
    DeltaTransaction *x = delta_txn_begin(t, &err);
    ASSERT(x == NULL);
    ASSERT_EQ_INT(err.kind, TARN_ERR_UNSUPPORTED);
    ASSERT_ERR_CONTAINS(&err, "unsupported: Delta writer feature \"identityColumns\"");
    delta_table_close(t);
    /* an unknown reader feature makes the table unreadable */
    const char *dir2 = mk_table("rf");
    write_commit(dir2, 0,
                 "{\"protocol\":{\"minReaderVersion\":3,\"minWriterVersion\":7,\"readerFeatures\":[\"catalogManaged\"],\"writerFeatures\":[\"catalogManaged\"]}}\n");
    t = delta_table_open_dir(dir2, false, NULL, &err);
    err_clear(&err);
    ASSERT(delta_snapshot_latest(t, &err) == NULL);
    ASSERT_ERR_CONTAINS(&err, "unsupported: Delta reader feature \"catalogManaged\"");
    delta_table_close(t);
}

TEST(delta_unit_corrupt_commit_error)
{
    const char *dir = mk_table("corrupt");
    write_commit(dir, 0, "{\"commitInfo\":{}}\n" PROTO_META);
    write_commit(dir, 1, "{\"commitInfo\":{}}\n{\"add\":{\"path\":\"p.parquet\",\"size\":-5,\"dataChange\":true}}\n");
    TarnError err;
    err_clear(&err);
    DeltaTable *t = delta_table_open_dir(dir, false, NULL, &err);
    ASSERT_NOT_NULL(t, &err);
    ASSERT(delta_snapshot_latest(t, &err) == NULL);
    ASSERT_EQ_INT(err.kind, TARN_ERR_CORRUPT);
    ASSERT_EQ_STR(err.message, "delta log \"_delta_log/00000000000000000001.json\" line 2: add action \"size\" is negative");
    /* version 0 is still readable */
    err_clear(&err);
    DeltaSnapshot *s = delta_snapshot_at_version(t, 0, &err);
    ASSERT_NOT_NULL(s, &err);
    delta_snapshot_free(s);
    /* a missing data file is an I/O-level error naming the file, not a crash */
    write_commit(dir, 2, "{\"add\":{\"path\":\"missing.parquet\",\"partitionValues\":{},\"size\":5,\"dataChange\":true}}\n");
    char p[4400];
    snprintf(p, sizeof p, "%s/_delta_log/%020d.json", dir, 1);
    write_file(p, "{\"commitInfo\":{}}\n");
    RowSet got;
    rowset_init(&got);
    err_clear(&err);
    ASSERT(read_delta_table(dir, -1, NULL, 0, &got, &err) != 0);
    ASSERT(strstr(err.message, "missing.parquet") || strstr(err.context, "missing.parquet"));
    rowset_free(&got);
    delta_table_close(t);
}

static int64_t g_now;
static int64_t fixed_clock(void *ctx)
{
    (void)ctx;
    return g_now;
}

TEST(delta_unit_in_commit_timestamps)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/ict", test_tmp_dir());
    TarnError err;
    err_clear(&err);
    DeltaTableOptions o;
    memset(&o, 0, sizeof o);
    o.now_ms = fixed_clock;
    g_now = 1700000000000LL;
    DeltaTable *t = delta_table_open_dir(dir, true, &o, &err);
    ASSERT_NOT_NULL(t, &err);
    Schema s;
    schema_init(&s);
    ASSERT(schema_add(&s, "a", type_simple(TYPE_INT64), true) == 0);
    const char *k[] = {"delta.enableInCommitTimestamps"}, *v[] = {"true"};
    DeltaCreateOptions co;
    memset(&co, 0, sizeof co);
    co.schema = &s;
    co.property_keys = k;
    co.property_values = v;
    co.n_properties = 1;
    ASSERT_OK(delta_create(t, &co, NULL, &err), &err);
    Batch b;
    ASSERT(batch_init(&b, &s) == 0);
    vec_append_i64(&b.cols[0], 1);
    b.n_rows = 1;
    const Batch *bs[1] = {&b};
    /* the clock goes backwards: timestamps still increase by at least 1 ms */
    g_now = 1700000000000LL - 5000;
    ASSERT_OK(delta_write(t, bs, 1, NULL, NULL, &err), &err);
    g_now = 1700000100000LL;
    ASSERT_OK(delta_write(t, bs, 1, NULL, NULL, &err), &err);
    DeltaSnapshot *snap = delta_snapshot_latest(t, &err);
    ASSERT_NOT_NULL(snap, &err);
    ASSERT_EQ_INT(delta_snapshot_protocol(snap)->min_writer_version, 7);
    ASSERT_EQ_INT(delta_snapshot_timestamp(snap), 1700000100000LL);
    delta_snapshot_free(snap);
    snap = delta_snapshot_at_version(t, 1, &err);
    ASSERT_NOT_NULL(snap, &err);
    ASSERT_EQ_INT(delta_snapshot_timestamp(snap), 1700000000001LL);
    delta_snapshot_free(snap);
    /* time travel by in-commit timestamp */
    snap = delta_snapshot_at_timestamp(t, 1700000050000LL, &err);
    ASSERT_NOT_NULL(snap, &err);
    ASSERT_EQ_INT(delta_snapshot_version(snap), 1);
    delta_snapshot_free(snap);
    snap = delta_snapshot_at_timestamp(t, 1700000000000LL, &err);
    ASSERT_NOT_NULL(snap, &err);
    ASSERT_EQ_INT(delta_snapshot_version(snap), 0);
    delta_snapshot_free(snap);
    ASSERT(delta_snapshot_at_timestamp(t, 1600000000000LL, &err) == NULL);
    batch_destroy(&b);
    schema_destroy(&s);
    delta_table_close(t);
}

TEST(delta_unit_invariant_and_not_null)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/inv", test_tmp_dir());
    TarnError err;
    err_clear(&err);
    DeltaTable *t = delta_table_open_dir(dir, true, NULL, &err);
    ASSERT_NOT_NULL(t, &err);
    Schema s;
    schema_init(&s);
    ASSERT(schema_add(&s, "x", type_simple(TYPE_INT32), false) == 0);
    ASSERT(schema_add(&s, "y", type_simple(TYPE_INT32), true) == 0);
    const char *md[] = {"{\"delta.invariants\":\"{\\\"expression\\\":{\\\"expression\\\":\\\"x > 3\\\"}}\"}", NULL};
    DeltaCreateOptions co;
    memset(&co, 0, sizeof co);
    co.schema = &s;
    co.column_metadata = md;
    ASSERT_OK(delta_create(t, &co, NULL, &err), &err);
    Batch b;
    ASSERT(batch_init(&b, &s) == 0);
    vec_append_i64(&b.cols[0], 2);
    vec_append_i64(&b.cols[1], 0);
    b.n_rows = 1;
    const Batch *bs[1] = {&b};
    ASSERT(delta_write(t, bs, 1, NULL, NULL, &err) != 0);
    ASSERT_ERR_CONTAINS(&err, "violates the invariant of column \"x\"");
    batch_reset(&b);
    vec_append_null(&b.cols[0]);
    vec_append_i64(&b.cols[1], 0);
    b.n_rows = 1;
    err_clear(&err);
    ASSERT(delta_write(t, bs, 1, NULL, NULL, &err) != 0);
    ASSERT_ERR_CONTAINS(&err, "null value in column \"x\" violates not-null constraint");
    batch_destroy(&b);
    schema_destroy(&s);
    delta_table_close(t);
}

TEST(delta_unit_widen_column)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/widen", test_tmp_dir());
    TarnError err;
    err_clear(&err);
    DeltaTable *t = delta_table_open_dir(dir, true, NULL, &err);
    ASSERT_NOT_NULL(t, &err);
    Schema s;
    schema_init(&s);
    ASSERT(schema_add(&s, "x", type_simple(TYPE_INT16), true) == 0);
    const char *k[] = {"delta.enableTypeWidening"}, *v[] = {"true"};
    DeltaCreateOptions co;
    memset(&co, 0, sizeof co);
    co.schema = &s;
    co.property_keys = k;
    co.property_values = v;
    co.n_properties = 1;
    ASSERT_OK(delta_create(t, &co, NULL, &err), &err);
    Batch b;
    ASSERT(batch_init(&b, &s) == 0);
    vec_append_i64(&b.cols[0], -7);
    b.n_rows = 1;
    const Batch *bs[1] = {&b};
    ASSERT_OK(delta_write(t, bs, 1, NULL, NULL, &err), &err);
    LogicalType i64 = type_simple(TYPE_INT64), i8 = type_simple(TYPE_INT8);
    ASSERT(delta_widen_column(t, "x", &i8, NULL, &err) != 0);
    err_clear(&err);
    ASSERT_OK(delta_widen_column(t, "x", &i64, NULL, &err), &err);
    /* old file (int16) read as bigint, new rows written as bigint */
    Schema s2;
    schema_init(&s2);
    ASSERT(schema_add(&s2, "x", type_simple(TYPE_INT64), true) == 0);
    Batch b2;
    ASSERT(batch_init(&b2, &s2) == 0);
    vec_append_i64(&b2.cols[0], 5000000000LL);
    b2.n_rows = 1;
    bs[0] = &b2;
    ASSERT_OK(delta_write(t, bs, 1, NULL, NULL, &err), &err);
    RowSet got;
    rowset_init(&got);
    ASSERT_OK(read_delta_table(dir, -1, NULL, 0, &got, &err), &err);
    rowset_sort(&got);
    ASSERT_EQ_INT(got.n_rows, 2);
    ASSERT_EQ_STR(got.rows[0], "-7");
    ASSERT_EQ_STR(got.rows[1], "5000000000");
    rowset_free(&got);
    DeltaSnapshot *snap = delta_snapshot_latest(t, &err);
    ASSERT(strstr(delta_snapshot_metadata(snap)->schema_string, "delta.typeChanges"));
    delta_snapshot_free(snap);
    batch_destroy(&b);
    batch_destroy(&b2);
    schema_destroy(&s);
    schema_destroy(&s2);
    delta_table_close(t);
}

TEST(delta_unit_multi_part_checkpoint_missing_part)
{
    /* a multi-part checkpoint with a missing part is ignored: replay uses the commits */
    const char *shared = test_shared_dir();
    if (!shared)
        SKIP("shared test data not found");
    char src[4096];
    snprintf(src, sizeof src, "%s/delta/golden/multi-part-checkpoint/delta", shared);
    char dst[4096];
    snprintf(dst, sizeof dst, "%s/mpc", test_tmp_dir());
    char cmd[20000];
    snprintf(cmd, sizeof cmd, "cp -r '%s' '%s' && rm -f '%s'/_delta_log/_last_checkpoint && "
             "rm -f \"$(ls '%s'/_delta_log/*checkpoint.0000000001.* | head -1)\"", src, dst, dst, dst);
    ASSERT(system(cmd) == 0);
    RowSet got, want;
    rowset_init(&got);
    rowset_init(&want);
    TarnError err;
    err_clear(&err);
    ASSERT_OK(read_delta_table(dst, -1, NULL, 0, &got, &err), &err);
    ASSERT_OK(read_delta_table(src, -1, NULL, 0, &want, &err), &err);
    rowset_sort(&got);
    rowset_sort(&want);
    ASSERT(rowset_equal(&got, &want));
    rowset_free(&got);
    rowset_free(&want);
}
