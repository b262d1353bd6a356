/*
 * cmd_table.c - `tarn table SUBCOMMAND TABLE_PATH ...`: Delta Lake tables
 * from the command line, a thin layer over src/table/delta/delta.h.
 *
 *   append    TABLE --from FILE [--mode append|overwrite] [--partition-by a,b]
 *             loads a Parquet, CSV or NDJSON file (by extension) in one
 *             commit, creating the table from the file's schema when absent
 *   cat       TABLE [--version N | --timestamp TS] [--format csv|json]
 *   history   TABLE                   one line per commit, newest first
 *   describe  TABLE                   schema, partitioning, protocol, properties, size
 *   optimize  TABLE [--zorder a,b]    compact small files (optionally Z-ordered)
 *   vacuum    TABLE [--retain-hours N] [--dry-run]
 *   restore   TABLE --version N
 *   changes   TABLE --from-version A [--to-version B] [--format csv|json]
 *
 * TABLE is a directory, the table root holding _delta_log/.  Usage errors
 * exit 2 (cli_usage), library errors are printed psql-style and exit 1
 * (cli_report).  Rows print exactly as `tarn parquet cat` prints them
 * (batch_print_csv / batch_print_json).  Timestamps print in UTC.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "format/csv/csv.h"
#include "format/json/json.h"
#include "format/json/json_parse.h"
#include "format/parquet/reader.h"
#include "table/delta/delta.h"
#include "util/datetime.h"
#include "vector/format.h"

#define CMD "table"
#define MAX_LIST 256

static const char *const USAGE_TEXT =
    "usage: tarn table SUBCOMMAND TABLE_PATH [OPTIONS]\n"
    "\n"
    "Delta Lake tables.  TABLE_PATH is the table's directory (holding _delta_log/).\n"
    "\n"
    "  append TABLE --from FILE [--mode append|overwrite] [--partition-by a,b]\n"
    "      load a .parquet, .csv or .json/.ndjson/.jsonl file in one commit; a\n"
    "      missing table is created with the file's schema\n"
    "  cat TABLE [--version N | --timestamp TS] [--format csv|json]\n"
    "      print the rows (TS: 'YYYY-MM-DD[ HH:MM:SS[.ffffff]]' UTC, or epoch ms)\n"
    "  history TABLE\n"
    "      the commits, newest first: version, time, operation, parameters, metrics\n"
    "  describe TABLE\n"
    "      schema, partitioning, protocol and features, properties, files, size, rows\n"
    "  optimize TABLE [--zorder a,b]\n"
    "      compact small files (Z-ordered by the columns when given)\n"
    "  vacuum TABLE [--retain-hours N] [--dry-run]\n"
    "      delete files no version in the retention window uses (default 168 hours)\n"
    "  restore TABLE --version N\n"
    "      make the table's content that of version N again (in a new commit)\n"
    "  changes TABLE --from-version A [--to-version B] [--format csv|json]\n"
    "      change data feed: rows with _change_type, _commit_version, _commit_timestamp\n";

/* ---- Small helpers ------------------------------------------------------------ */

static int flush_out(Buf *b)
{
    if (b->len && fwrite(b->data, 1, b->len, stdout) != b->len)
        return 1;
    b->len = 0;
    return 0;
}

/* Parses a whole decimal integer (optionally signed); false otherwise. */
static bool parse_int64(const char *s, int64_t *out)
{
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end)
        return false;
    *out = v;
    return true;
}

/* Splits "a,b,c" into at most MAX_LIST trimmed, non-empty names pointing
 * into `copy` (a strdup of s that the caller frees).  False on an empty
 * element or too many. */
static bool split_list(const char *s, char **copy_out, const char **names, int *n_out)
{
    char *copy = strdup(s);
    if (!copy)
        return false;
    int n = 0;
    char *p = copy;
    for (;;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        while (*p == ' ')
            p++;
        size_t len = strlen(p);
        while (len && p[len - 1] == ' ')
            p[--len] = '\0';
        if (!len || n == MAX_LIST) {
            free(copy);
            return false;
        }
        names[n++] = p;
        if (!comma)
            break;
        p = comma + 1;
    }
    *copy_out = copy;
    *n_out = n;
    return true;
}

/* A timestamp argument: epoch milliseconds (digits only) or
 * 'YYYY-MM-DD[ HH:MM:SS[.ffffff]]' in UTC (a zone suffix is honoured). */
static bool parse_ts_ms(const char *s, int64_t *ms_out)
{
    int64_t v;
    if (parse_int64(s, &v)) {
        *ms_out = v;
        return true;
    }
    int64_t micros;
    if (!dt_parse_timestamp(s, strlen(s), &micros, NULL))
        return false;
    /* floor to whole milliseconds: a commit at .1234 s is not <= .1233999 */
    int64_t ms = micros / 1000;
    if (micros % 1000 < 0)
        ms--;
    *ms_out = ms;
    return true;
}

/* "2026-11-21 18:22:56.120" (UTC, always three decimals so that columns
 * line up) for a ms timestamp; buf holds DT_TEXT_MAX bytes. */
static const char *format_ms(int64_t ms, char *buf)
{
    int64_t frac = ms % 1000;
    if (frac < 0)
        frac += 1000;
    size_t n = dt_format_timestamp((ms - frac) * 1000, false, buf);
    if (n + 5 <= DT_TEXT_MAX)
        snprintf(buf + n, DT_TEXT_MAX - n, ".%03d", (int)frac);
    return buf;
}

/* Opens the table directory; for every command but append it must exist
 * (the first snapshot load reports a directory that is not a table). */
static DeltaTable *open_table(const char *path, bool create, TarnError *err)
{
    return delta_table_open_dir(path, create, NULL, err);
}

/* Prints err with the table named in its context chain; returns 1. */
static int report(TarnError *err, const char *path)
{
    err_context(err, "table \"%s\"", path);
    return cli_report(err);
}

/* Prints every row the scan returns; closes nothing. */
static int print_scan(DeltaScan *sc, bool json, TarnError *err)
{
    Batch b;
    if (batch_init(&b, delta_scan_schema(sc)))
        return ERR_NOMEM(err, sizeof b);
    Buf out;
    buf_init(&out);
    bool header = true;
    int rc = 0;
    for (;;) {
        rc = delta_scan_next(sc, &b, err);
        if (rc)
            break;
        if (b.n_rows == 0) {
            if (header && !json)
                rc = batch_print_csv(&b, true, &out) ? ERR_NOMEM(err, out.len) : 0;
            break;
        }
        if (json ? batch_print_json(&b, &out) : batch_print_csv(&b, header, &out)) {
            rc = ERR_NOMEM(err, out.len);
            break;
        }
        header = false;
        if (flush_out(&out)) {
            rc = err_set(err, TARN_ERR_IO, "could not write to standard output");
            break;
        }
    }
    if (flush_out(&out) && !rc)
        rc = err_set(err, TARN_ERR_IO, "could not write to standard output");
    buf_free(&out);
    batch_destroy(&b);
    return rc;
}

static bool parse_format(const char *s, bool *json_out)
{
    if (!strcmp(s, "csv"))
        *json_out = false;
    else if (!strcmp(s, "json"))
        *json_out = true;
    else
        return false;
    return true;
}

/* ---- Input files ----------------------------------------------------------------- */

typedef enum FileKind { KIND_UNKNOWN = 0, KIND_CSV, KIND_NDJSON, KIND_PARQUET } FileKind;

static FileKind kind_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return KIND_UNKNOWN;
    dot++;
    if (!strcasecmp(dot, "csv"))
        return KIND_CSV;
    if (!strcasecmp(dot, "json") || !strcasecmp(dot, "ndjson") || !strcasecmp(dot, "jsonl"))
        return KIND_NDJSON;
    if (!strcasecmp(dot, "parquet"))
        return KIND_PARQUET;
    return KIND_UNKNOWN;
}

typedef struct Source {
    FileKind kind;
    CsvReader *csv;
    JsonReader *json;
    PqReader *pq;
} Source;

static int source_open(Source *s, const char *path, TarnError *err)
{
    memset(s, 0, sizeof *s);
    s->kind = kind_of(path);
    switch (s->kind) {
    case KIND_CSV:
        s->csv = csv_reader_open(path, NULL, err);
        return s->csv ? 0 : err->kind;
    case KIND_NDJSON:
        s->json = json_reader_open(path, NULL, err);
        return s->json ? 0 : err->kind;
    case KIND_PARQUET: {
        PqReadOptions o;
        pq_read_options_default(&o);
        s->pq = pq_reader_open(path, &o, err);
        return s->pq ? 0 : err->kind;
    }
    default:
        return ERR_INTERNAL(err, "unknown input kind");
    }
}

static const Schema *source_schema(const Source *s)
{
    switch (s->kind) {
    case KIND_CSV: return csv_reader_schema(s->csv);
    case KIND_NDJSON: return json_reader_schema(s->json);
    default: return pq_reader_schema(s->pq);
    }
}

static int source_next(Source *s, Batch *b, TarnError *err)
{
    switch (s->kind) {
    case KIND_CSV: return csv_reader_next(s->csv, b, err);
    case KIND_NDJSON: return json_reader_next(s->json, b, err);
    default: return pq_reader_next(s->pq, b, err);
    }
}

static void source_close(Source *s)
{
    csv_reader_close(s->csv);
    json_reader_close(s->json);
    if (s->pq)
        pq_reader_close(s->pq);
    memset(s, 0, sizeof *s);
}

/* ---- append ------------------------------------------------------------------------- */

/* Appends `"a","b"` (JSON strings) to out. */
static void json_name_list(Buf *out, const char *const *names, int n)
{
    for (int i = 0; i < n; i++) {
        if (i)
            buf_append_byte(out, ',');
        value_append_json_string(out, names[i], strlen(names[i]));
    }
}

/* commitInfo.operationParameters of a WRITE, as Spark writes them:
 * {"mode":"Append","partitionBy":"[\"a\"]"}. */
static int write_params(Buf *out, bool overwrite, const char *const *parts, int n_parts)
{
    Buf inner;
    buf_init(&inner);
    buf_append_byte(&inner, '[');
    json_name_list(&inner, parts, n_parts);
    buf_append_byte(&inner, ']');
    buf_printf(out, "{\"mode\":\"%s\",\"partitionBy\":", overwrite ? "Overwrite" : "Append");
    int rc = value_append_json_string(out, (const char *)inner.data, inner.len);
    buf_free(&inner);
    if (!rc)
        rc = buf_append_byte(out, '}');
    if (!rc)
        rc = buf_terminate(out);
    return rc;
}

/* Checks that a given --partition-by names the existing table's partition
 * columns, in order. */
static int check_partitioning(const DeltaSnapshot *snap, const char *const *parts, int n_parts,
                              TarnError *err)
{
    const DeltaMetadata *md = delta_snapshot_metadata(snap);
    bool same = (int)md->n_partition_columns == n_parts;
    for (int i = 0; same && i < n_parts; i++)
        same = !strcmp(md->partition_columns[i], parts[i]);
    if (same)
        return 0;
    Buf have;
    buf_init(&have);
    for (uint32_t i = 0; i < md->n_partition_columns; i++)
        buf_printf(&have, "%s%s", i ? ", " : "", md->partition_columns[i]);
    buf_terminate(&have);
    err_set(err, TARN_ERR_INVALID, "--partition-by does not match the table's partitioning");
    if (md->n_partition_columns)
        err_detail(err, "The table is partitioned by (%s).", (const char *)have.data);
    else
        err_detail(err, "The table is not partitioned.");
    err_hint(err, "Omit --partition-by when appending to an existing table.");
    buf_free(&have);
    return TARN_ERR_INVALID;
}

static int do_append(const char *path, int argc, char **argv)
{
    const char *from = NULL, *mode = "append", *parts_s = NULL;
    for (int i = 0; i < argc; i++) {
        const char *v;
        if (cli_opt(argc, argv, &i, "--from", &v))
            from = v;
        else if (cli_opt(argc, argv, &i, "--mode", &v))
            mode = v;
        else if (cli_opt(argc, argv, &i, "--partition-by", &v))
            parts_s = v;
        else
            return cli_usage(CMD, "unknown or incomplete option \"%s\" for append", argv[i]);
    }
    if (!from)
        return cli_usage(CMD, "append needs --from FILE");
    bool overwrite;
    if (!strcmp(mode, "append"))
        overwrite = false;
    else if (!strcmp(mode, "overwrite"))
        overwrite = true;
    else
        return cli_usage(CMD, "--mode must be append or overwrite, not \"%s\"", mode);
    if (kind_of(from) == KIND_UNKNOWN)
        return cli_usage(CMD, "cannot tell the format of \"%s\" (use a file name ending in "
                              ".parquet, .csv, .json, .ndjson or .jsonl)", from);
    const char *parts[MAX_LIST];
    int n_parts = 0;
    char *parts_copy = NULL;
    if (parts_s && !split_list(parts_s, &parts_copy, parts, &n_parts))
        return cli_usage(CMD, "--partition-by needs a comma-separated list of column names");

    TarnError err = {0};
    Source src;
    memset(&src, 0, sizeof src);
    DeltaTable *t = NULL;
    DeltaSnapshot *snap = NULL;
    DeltaTransaction *txn = NULL;
    Batch b;
    bool batch_ok = false;
    Buf params;
    buf_init(&params);
    bool dir_existed = true, created = false;
    int rc;

    /* The input first: a file that cannot be read must not create a table. */
    if ((rc = source_open(&src, from, &err)))
        goto done;
    const Schema *schema = source_schema(&src);
    if (schema->n_fields == 0) {
        rc = err_set(&err, TARN_ERR_INVALID, "\"%s\" has no columns", from);
        goto done;
    }
    struct stat st;
    dir_existed = stat(path, &st) == 0;
    if (!(t = open_table(path, true, &err))) {
        rc = err.kind;
        goto done;
    }
    bool exists;
    if ((rc = delta_table_exists(t, &exists, &err)))
        goto done;
    if (!exists) {
        DeltaCreateOptions co;
        memset(&co, 0, sizeof co);
        co.schema = schema;
        co.partition_columns = parts;
        co.n_partition_columns = n_parts;
        co.if_not_exists = true; /* another writer may create it first */
        if ((rc = delta_create(t, &co, NULL, &err)) == 0)
            created = true;
        if (rc) {
            /* Losing the race to create version 0 is fine when the winner
             * made the table: the append goes on (and its schema check
             * decides). */
            bool now = false;
            TarnError e2 = {0};
            if (rc != TARN_ERR_CONFLICT || delta_table_exists(t, &now, &e2) || !now)
                goto done;
            err_clear(&err);
            rc = 0;
        }
    }
    if (!(txn = delta_txn_begin(t, &err))) {
        rc = err.kind;
        goto done;
    }
    snap = delta_txn_snapshot(txn);
    if (parts_s && (rc = check_partitioning(snap, parts, n_parts, &err)))
        goto done;
    if (overwrite) {
        /* Every live file goes; the whole table was "read" (a concurrent
         * append must make this commit fail rather than be lost). */
        size_t n = delta_snapshot_num_files(snap);
        for (size_t i = 0; i < n; i++)
            if ((rc = delta_txn_remove_file(txn, delta_snapshot_file(snap, i), true, &err)))
                goto done;
        delta_txn_read_whole_table(txn);
    }
    {
        const DeltaMetadata *md = delta_snapshot_metadata(snap);
        if (write_params(&params, overwrite, (const char *const *)md->partition_columns,
                         (int)md->n_partition_columns)) {
            rc = ERR_NOMEM(&err, params.len);
            goto done;
        }
    }
    if ((rc = delta_txn_set_operation(txn, "WRITE", (const char *)params.data, &err)))
        goto done;
    if (batch_init(&b, schema)) {
        rc = ERR_NOMEM(&err, sizeof b);
        goto done;
    }
    batch_ok = true;
    int64_t rows = 0;
    for (;;) {
        if ((rc = source_next(&src, &b, &err)))
            goto done; /* the readers name the file and line */
        if (b.n_rows == 0)
            break;
        rows += b.n_rows;
        if ((rc = delta_txn_write(txn, &b, &err)))
            goto done;
    }
    if ((rc = delta_txn_add_metric(txn, "numOutputRows", rows, &err)))
        goto done;
    DeltaResult res;
    memset(&res, 0, sizeof res);
    rc = delta_txn_commit(txn, &res, &err);
    txn = NULL; /* freed by commit in every case */
    if (rc)
        goto done;
    printf("committed version %" PRId64 ": %" PRId64 " rows %s, %" PRId64 " files added",
           res.version, rows, overwrite ? "written (overwrite)" : "appended", res.files_added);
    if (overwrite)
        printf(", %" PRId64 " files removed", res.files_removed);
    printf("\n");

done:
    if (txn)
        delta_txn_abort(txn);
    if (batch_ok)
        batch_destroy(&b);
    buf_free(&params);
    source_close(&src);
    if (t)
        delta_table_close(t);
    /* A directory this command made for a table it could not create goes
     * again (rmdir: only when still empty). */
    if (rc && !dir_existed && !created)
        rmdir(path);
    free(parts_copy);
    return rc ? report(&err, path) : 0;
}

/* ---- cat ------------------------------------------------------------------------------ */

static int do_cat(const char *path, int argc, char **argv)
{
    const char *version_s = NULL, *ts_s = NULL, *format = "csv";
    for (int i = 0; i < argc; i++) {
        const char *v;
        if (cli_opt(argc, argv, &i, "--version", &v))
            version_s = v;
        else if (cli_opt(argc, argv, &i, "--timestamp", &v))
            ts_s = v;
        else if (cli_opt(argc, argv, &i, "--format", &v))
            format = v;
        else
            return cli_usage(CMD, "unknown or incomplete option \"%s\" for cat", argv[i]);
    }
    bool json;
    if (!parse_format(format, &json))
        return cli_usage(CMD, "unknown format \"%s\" (csv or json)", format);
    if (version_s && ts_s)
        return cli_usage(CMD, "give --version or --timestamp, not both");
    int64_t version = -1, ts_ms = 0;
    if (version_s && (!parse_int64(version_s, &version) || version < 0))
        return cli_usage(CMD, "--version needs a non-negative integer, not \"%s\"", version_s);
    if (ts_s && !parse_ts_ms(ts_s, &ts_ms))
        return cli_usage(CMD, "--timestamp needs 'YYYY-MM-DD[ HH:MM:SS[.ffffff]]' (UTC) or "
                              "milliseconds since 1970, not \"%s\"", ts_s);
    TarnError err = {0};
    DeltaTable *t = open_table(path, false, &err);
    if (!t)
        return report(&err, path);
    DeltaSnapshot *snap = version_s ? delta_snapshot_at_version(t, version, &err)
                          : ts_s    ? delta_snapshot_at_timestamp(t, ts_ms, &err)
                                    : delta_snapshot_latest(t, &err);
    int rc = 0;
    if (!snap) {
        rc = err.kind;
    } else {
        DeltaScan *sc = delta_scan_open(snap, NULL, &err);
        delta_snapshot_free(snap);
        if (!sc) {
            rc = err.kind;
        } else {
            rc = print_scan(sc, json, &err);
            delta_scan_close(sc);
        }
    }
    delta_table_close(t);
    return rc ? report(&err, path) : 0;
}

/* ---- history ----------------------------------------------------------------------------- */

/* Renders a JSON object as "k=v, k=v" (strings unquoted); other JSON as is. */
static void render_kv(Buf *out, const JsonNode *n)
{
    if (!n || n->type == JSON_NULL)
        return;
    if (n->type != JSON_OBJECT) {
        json_write_node(n, out);
        return;
    }
    for (uint32_t i = 0; i < n->len; i++) {
        const JsonMember *m = &n->u.members[i];
        buf_printf(out, "%s%s=", i ? ", " : "", m->key);
        if (m->value.type == JSON_STRING)
            buf_append(out, m->value.u.str, m->value.len);
        else
            json_write_node(&m->value, out);
    }
}

typedef struct HistRow {
    char version[24];
    char when[DT_TEXT_MAX];
    const char *operation;
    char *params;  /* arena */
    char *metrics; /* arena */
} HistRow;

/* Replaces control characters (a newline in a parameter, say) by spaces so
 * one commit stays one line. */
static char *one_line(Arena *a, Buf *b)
{
    for (size_t i = 0; i < b->len; i++)
        if (b->data[i] < 0x20)
            b->data[i] = ' ';
    return arena_strndup(a, b->len ? (const char *)b->data : "", b->len);
}

static int do_history(const char *path, int argc, char **argv)
{
    if (argc > 0)
        return cli_usage(CMD, "unexpected argument \"%s\" for history", argv[0]);
    TarnError err = {0};
    DeltaTable *t = open_table(path, false, &err);
    if (!t)
        return report(&err, path);
    Arena a;
    arena_init(&a, 0);
    DeltaHistoryEntry *h = NULL;
    size_t n = 0;
    int rc = delta_history(t, 0, &a, &h, &n, &err);
    HistRow *rows = NULL;
    if (!rc && n && !(rows = arena_calloc(&a, n * sizeof *rows)))
        rc = ERR_NOMEM(&err, n * sizeof *rows);
    size_t w[4] = {strlen("version"), strlen("timestamp"), strlen("operation"),
                   strlen("parameters")};
    Buf tmp;
    buf_init(&tmp);
    for (size_t i = 0; !rc && i < n; i++) {
        HistRow *r = &rows[i];
        snprintf(r->version, sizeof r->version, "%" PRId64, h[i].version);
        format_ms(h[i].timestamp_ms, r->when);
        r->operation = h[i].operation ? h[i].operation : "";
        const JsonNode *ci = NULL;
        if (h[i].commit_info_json) {
            JsonNode *root;
            TarnError jerr = {0};
            if (!json_parse(&a, h[i].commit_info_json, strlen(h[i].commit_info_json), &root, &jerr))
                ci = root;
        }
        buf_clear(&tmp);
        render_kv(&tmp, json_object_get(ci, "operationParameters", 19));
        r->params = one_line(&a, &tmp);
        buf_clear(&tmp);
        render_kv(&tmp, json_object_get(ci, "operationMetrics", 16));
        r->metrics = one_line(&a, &tmp);
        if (!r->params || !r->metrics) {
            rc = ERR_NOMEM(&err, tmp.len);
            break;
        }
        size_t len[4] = {strlen(r->version), strlen(r->when), strlen(r->operation),
                         strlen(r->params)};
        for (int k = 0; k < 4; k++)
            if (len[k] > w[k])
                w[k] = len[k];
    }
    buf_free(&tmp);
    if (!rc) {
        printf("%*s  %-*s  %-*s  %-*s  %s\n", (int)w[0], "version", (int)w[1], "timestamp",
               (int)w[2], "operation", (int)w[3], "parameters", "metrics");
        for (size_t i = 0; i < n; i++) {
            HistRow *r = &rows[i];
            printf("%*s  %-*s  %-*s  %-*s  %s\n", (int)w[0], r->version, (int)w[1], r->when,
                   (int)w[2], r->operation, (int)w[3], r->params, r->metrics);
        }
    }
    arena_free(&a);
    delta_table_close(t);
    return rc ? report(&err, path) : 0;
}

/* ---- describe ----------------------------------------------------------------------------- */

static void print_features(const char *label, bool has, uint32_t n, char **names)
{
    if (!has)
        return;
    printf("  %-17s", label);
    if (!n)
        printf("(none)");
    for (uint32_t i = 0; i < n; i++)
        printf("%s%s", i ? ", " : "", names[i]);
    printf("\n");
}

static int do_describe(const char *path, int argc, char **argv)
{
    if (argc > 0)
        return cli_usage(CMD, "unexpected argument \"%s\" for describe", argv[0]);
    TarnError err = {0};
    DeltaTable *t = open_table(path, false, &err);
    if (!t)
        return report(&err, path);
    DeltaSnapshot *s = delta_snapshot_latest(t, &err);
    if (!s) {
        delta_table_close(t);
        return report(&err, path);
    }
    const DeltaMetadata *md = delta_snapshot_metadata(s);
    const DeltaProtocol *p = delta_snapshot_protocol(s);
    const Schema *sch = delta_snapshot_schema(s);
    char when[DT_TEXT_MAX];
    printf("table:            %s\n", path);
    printf("id:               %s\n", md->id ? md->id : "");
    if (md->name)
        printf("name:             %s\n", md->name);
    if (md->description)
        printf("description:      %s\n", md->description);
    printf("version:          %" PRId64 "\n", delta_snapshot_version(s));
    printf("last commit:      %s UTC\n", format_ms(delta_snapshot_timestamp(s), when));
    if (md->has_created_time)
        printf("created:          %s UTC\n", format_ms(md->created_time, when));
    printf("format:           %s\n", md->format_provider ? md->format_provider : "parquet");

    printf("schema:\n");
    Buf tn;
    buf_init(&tn);
    size_t wname = 4;
    for (uint32_t i = 0; i < sch->n_fields; i++)
        if (strlen(sch->fields[i].name) > wname)
            wname = strlen(sch->fields[i].name);
    for (uint32_t i = 0; i < sch->n_fields; i++) {
        const Field *f = &sch->fields[i];
        buf_clear(&tn);
        TarnError terr = {0};
        const char *type_text;
        char buf[512];
        if (!type_is_nested(f->type.id) && !delta_type_name(&f->type, &tn, &terr) &&
            !buf_terminate(&tn)) {
            /* delta_type_name writes the schemaString form: a JSON string */
            type_text = (const char *)tn.data;
            size_t len = strlen(type_text);
            if (len >= 2 && type_text[0] == '"' && type_text[len - 1] == '"') {
                tn.data[len - 1] = '\0';
                type_text++;
            }
        } else
            type_text = type_name(&f->type, buf, sizeof buf);
        printf("  %-*s  %s%s\n", (int)wname, f->name, type_text, f->nullable ? "" : " not null");
    }
    buf_free(&tn);

    printf("partitioned by:   ");
    if (!md->n_partition_columns)
        printf("(not partitioned)");
    for (uint32_t i = 0; i < md->n_partition_columns; i++)
        printf("%s%s", i ? ", " : "", md->partition_columns[i]);
    printf("\n");

    printf("protocol:         reader version %d, writer version %d\n", p->min_reader_version,
           p->min_writer_version);
    print_features("reader features:", p->has_reader_features, p->n_reader_features,
                   p->reader_features);
    print_features("writer features:", p->has_writer_features, p->n_writer_features,
                   p->writer_features);
    int cm = delta_snapshot_column_mapping(s);
    if (cm)
        printf("column mapping:   %s\n", cm == 1 ? "id" : "name");

    printf("properties:");
    if (!md->configuration.n)
        printf("       (none)");
    printf("\n");
    for (uint32_t i = 0; i < md->configuration.n; i++)
        printf("  %s = %s\n", md->configuration.keys[i],
               md->configuration.values[i] ? md->configuration.values[i] : "null");

    printf("files:            %zu\n", delta_snapshot_num_files(s));
    printf("size:             %" PRId64 " bytes\n", delta_snapshot_total_bytes(s));
    int64_t rows = delta_snapshot_total_rows(s);
    if (rows >= 0)
        printf("rows:             %" PRId64 "\n", rows);
    else
        printf("rows:             unknown (some files have no statistics)\n");
    delta_snapshot_free(s);
    delta_table_close(t);
    return 0;
}

/* ---- optimize ----------------------------------------------------------------------------- */

static int do_optimize(const char *path, int argc, char **argv)
{
    const char *zorder_s = NULL;
    for (int i = 0; i < argc; i++) {
        const char *v;
        if (cli_opt(argc, argv, &i, "--zorder", &v))
            zorder_s = v;
        else
            return cli_usage(CMD, "unknown or incomplete option \"%s\" for optimize", argv[i]);
    }
    const char *cols[MAX_LIST];
    int n_cols = 0;
    char *copy = NULL;
    if (zorder_s && !split_list(zorder_s, &copy, cols, &n_cols))
        return cli_usage(CMD, "--zorder needs a comma-separated list of column names");
    TarnError err = {0};
    DeltaTable *t = open_table(path, false, &err);
    if (!t) {
        free(copy);
        return report(&err, path);
    }
    DeltaOptimizeOptions o;
    memset(&o, 0, sizeof o);
    o.zorder_columns = n_cols ? cols : NULL;
    o.n_zorder_columns = n_cols;
    DeltaResult res;
    memset(&res, 0, sizeof res);
    int rc = delta_optimize(t, &o, &res, &err);
    if (!rc) {
        if (res.version < 0)
            printf("nothing to optimize\n");
        else
            printf("committed version %" PRId64 ": %" PRId64 " files removed, %" PRId64
                   " files added (%" PRId64 " bytes -> %" PRId64 " bytes)\n",
                   res.version, res.files_removed, res.files_added, res.bytes_removed,
                   res.bytes_added);
    }
    delta_table_close(t);
    free(copy);
    return rc ? report(&err, path) : 0;
}

/* ---- vacuum --------------------------------------------------------------------------------- */

static int do_vacuum(const char *path, int argc, char **argv)
{
    const char *hours_s = NULL;
    bool dry_run = false;
    for (int i = 0; i < argc; i++) {
        const char *v;
        if (!strcmp(argv[i], "--dry-run"))
            dry_run = true;
        else if (cli_opt(argc, argv, &i, "--retain-hours", &v))
            hours_s = v;
        else
            return cli_usage(CMD, "unknown or incomplete option \"%s\" for vacuum", argv[i]);
    }
    DeltaVacuumOptions o;
    memset(&o, 0, sizeof o);
    o.retention_hours = -1;
    o.dry_run = dry_run;
    if (hours_s) {
        char *end;
        errno = 0;
        double h = strtod(hours_s, &end);
        if (errno || end == hours_s || *end || !(h >= 0) || h > 1e9)
            return cli_usage(CMD, "--retain-hours needs a non-negative number, not \"%s\"",
                             hours_s);
        o.retention_hours = h;
        /* An explicit retention is the user's decision (Spark asks for a
         * configuration switch; here the option itself is the switch). */
        o.allow_short_retention = true;
        if (h < DELTA_DEFAULT_RETENTION_HOURS)
            fprintf(stderr, "WARNING:  retention of %g hours is below the default of %g hours: "
                            "time travel to older versions and concurrent readers or writers "
                            "may lose files\n", h, DELTA_DEFAULT_RETENTION_HOURS);
    }
    TarnError err = {0};
    DeltaTable *t = open_table(path, false, &err);
    if (!t)
        return report(&err, path);
    Arena a;
    arena_init(&a, 0);
    DeltaVacuumResult res;
    memset(&res, 0, sizeof res);
    int rc = delta_vacuum(t, &o, &a, &res, &err);
    if (!rc) {
        for (size_t i = 0; i < res.n_files; i++)
            printf("%s\n", res.files[i]);
        printf("%s %zu files, %" PRId64 " bytes\n", dry_run ? "would delete" : "deleted",
               res.n_files, res.bytes);
    }
    arena_free(&a);
    delta_table_close(t);
    return rc ? report(&err, path) : 0;
}

/* ---- restore ---------------------------------------------------------------------------------- */

static int do_restore(const char *path, int argc, char **argv)
{
    const char *version_s = NULL;
    for (int i = 0; i < argc; i++) {
        const char *v;
        if (cli_opt(argc, argv, &i, "--version", &v))
            version_s = v;
        else
            return cli_usage(CMD, "unknown or incomplete option \"%s\" for restore", argv[i]);
    }
    int64_t version;
    if (!version_s)
        return cli_usage(CMD, "restore needs --version N");
    if (!parse_int64(version_s, &version) || version < 0)
        return cli_usage(CMD, "--version needs a non-negative integer, not \"%s\"", version_s);
    TarnError err = {0};
    DeltaTable *t = open_table(path, false, &err);
    if (!t)
        return report(&err, path);
    DeltaResult res;
    memset(&res, 0, sizeof res);
    int rc = delta_restore(t, version, &res, &err);
    if (!rc) {
        if (res.version < 0)
            printf("nothing to restore: the table already has the content of version %" PRId64
                   "\n", version);
        else
            printf("committed version %" PRId64 ": restored version %" PRId64 " (%" PRId64
                   " files removed, %" PRId64 " files re-added)\n",
                   res.version, version, res.files_removed, res.files_added);
    }
    delta_table_close(t);
    return rc ? report(&err, path) : 0;
}

/* ---- changes ------------------------------------------------------------------------------------ */

static int do_changes(const char *path, int argc, char **argv)
{
    const char *from_s = NULL, *to_s = NULL, *format = "csv";
    for (int i = 0; i < argc; i++) {
        const char *v;
        if (cli_opt(argc, argv, &i, "--from-version", &v))
            from_s = v;
        else if (cli_opt(argc, argv, &i, "--to-version", &v))
            to_s = v;
        else if (cli_opt(argc, argv, &i, "--format", &v))
            format = v;
        else
            return cli_usage(CMD, "unknown or incomplete option \"%s\" for changes", argv[i]);
    }
    bool json;
    if (!parse_format(format, &json))
        return cli_usage(CMD, "unknown format \"%s\" (csv or json)", format);
    int64_t from, to = -1;
    if (!from_s)
        return cli_usage(CMD, "changes needs --from-version A");
    if (!parse_int64(from_s, &from) || from < 0)
        return cli_usage(CMD, "--from-version needs a non-negative integer, not \"%s\"", from_s);
    if (to_s && (!parse_int64(to_s, &to) || to < 0))
        return cli_usage(CMD, "--to-version needs a non-negative integer, not \"%s\"", to_s);
    if (to_s && to < from)
        return cli_usage(CMD, "--to-version %" PRId64 " is before --from-version %" PRId64, to,
                         from);
    TarnError err = {0};
    DeltaTable *t = open_table(path, false, &err);
    if (!t)
        return report(&err, path);
    int rc;
    DeltaScan *sc = delta_cdf_open(t, from, to, NULL, &err);
    if (!sc) {
        rc = err.kind;
    } else {
        rc = print_scan(sc, json, &err);
        delta_scan_close(sc);
    }
    delta_table_close(t);
    return rc ? report(&err, path) : 0;
}

/* ---- Dispatch --------------------------------------------------------------------------------------- */

typedef struct Sub {
    const char *name;
    int (*fn)(const char *path, int argc, char **argv);
} Sub;

static const Sub subs[] = {
    {"append", do_append},   {"cat", do_cat},           {"history", do_history},
    {"describe", do_describe}, {"optimize", do_optimize}, {"vacuum", do_vacuum},
    {"restore", do_restore}, {"changes", do_changes},
};

int cmd_table(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
                      !strcmp(argv[1], "help"))) {
        fputs(USAGE_TEXT, stdout);
        return 0;
    }
    if (argc < 2)
        return cli_usage(CMD, "expected a subcommand (append, cat, history, describe, optimize, "
                              "vacuum, restore or changes)");
    const Sub *sub = NULL;
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (!strcmp(subs[i].name, argv[1]))
            sub = &subs[i];
    if (!sub)
        return cli_usage(CMD, "unknown subcommand \"%s\" (append, cat, history, describe, "
                              "optimize, vacuum, restore or changes)", argv[1]);
    for (int i = 2; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(USAGE_TEXT, stdout);
            return 0;
        }
    if (argc < 3 || argv[2][0] == '-')
        return cli_usage(CMD, "%s needs a TABLE_PATH (the table's directory)", sub->name);
    return sub->fn(argv[2], argc - 3, argv + 3);
}
