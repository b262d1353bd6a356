/*
 * json_read.c - the streaming NDJSON reader (see json.h).
 *
 * Lines are cut from a 1 MiB block buffer (doubled while one line is
 * longer) and parsed by json_parse into an arena that is reset line by
 * line.  Inference runs at open time over the first sample_rows lines,
 * whose text and trees stay in a sample arena and are returned first.
 *
 * Inference builds an Infer tree mirroring the union of the sampled
 * values' shapes; each JSON value narrows or widens its node (see the
 * merge rules in json.h), and the final tree becomes the Schema.
 */
#include "format/json/json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "format/json/json_parse.h"
#include "util/datetime.h"
#include "vector/format.h"

#define JSON_BLOCK_BYTES ((size_t)1 << 20)
#define JSON_MAX_LINE_BYTES ((size_t)1 << 30)
#define JSON_DEFAULT_SAMPLE 20480
/* The sample also stops at this size (text plus trees). */
#define JSON_MAX_SAMPLE_BYTES ((size_t)512 << 20)
#define JSON_MAX_COLUMNS 100000

typedef enum Kind {
    K_NONE = 0, /* only nulls so far */
    K_BOOL,
    K_INT,
    K_DOUBLE,
    K_NANINF,   /* only the strings "NaN"/"Infinity"/"-Infinity" */
    K_STRING,
    K_STRUCT,
    K_LIST,
    K_JSON
} Kind;

typedef struct Infer Infer;
struct Infer {
    Kind kind;
    bool not_date;       /* K_STRING: some string is not a date */
    bool not_ts;         /* K_STRING: some string is not a timestamp */
    bool any_zone;       /* K_STRING: some timestamp carries a zone */
    uint32_t n_fields, cap_fields; /* K_STRUCT */
    const char **names;  /* in the sample arena */
    uint32_t *name_lens;
    Infer **children;
    Infer *elem;         /* K_LIST */
};

struct JsonReader {
    char *path;               /* owned, for messages */
    int fd;
    bool close_fd;
    int64_t sample_rows;
    uint32_t batch_rows;
    Schema schema;
    char *buf;                /* owned block buffer */
    size_t cap, pos, len;
    bool eof;
    int64_t line;             /* number of the last line handed out */
    Arena line_arena;         /* tree of the current streamed line */
    Arena sample_arena;       /* text and trees of the sample */
    JsonNode **sample;        /* owned; sample roots */
    int64_t *sample_lines;    /* owned */
    int64_t n_sample, cap_sample, sample_pos;
    Arena infer_arena;        /* Infer nodes during open */
    const JsonNode **slots;   /* owned scratch: members matched to fields */
    size_t n_slots, cap_slots;
    int64_t rows;
};

void json_read_options_default(JsonReadOptions *o)
{
    o->sample_rows = JSON_DEFAULT_SAMPLE;
    o->batch_rows = VEC_BATCH_ROWS;
}

/* ---- Lines ------------------------------------------------------------------ */

static int refill(JsonReader *r, TarnError *err)
{
    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->len - r->pos);
        r->len -= r->pos;
        r->pos = 0;
    }
    if (r->len == r->cap) {
        if (r->cap >= JSON_MAX_LINE_BYTES)
            return err_set(err, TARN_ERR_CORRUPT, "line %lld is longer than %zu MiB",
                           (long long)r->line + 1, JSON_MAX_LINE_BYTES >> 20);
        size_t cap = r->cap * 2;
        char *nb = tarn_realloc(r->buf, cap);
        if (!nb)
            return ERR_NOMEM(err, cap);
        r->buf = nb;
        r->cap = cap;
    }
    for (;;) {
        ssize_t n = read(r->fd, r->buf + r->len, r->cap - r->len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return err_set(err, TARN_ERR_IO, "could not read file \"%s\": %s", r->path,
                           strerror(errno));
        }
        if (n == 0)
            r->eof = true;
        r->len += (size_t)n;
        return 0;
    }
}

static bool is_blank_line(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

/* The next non-blank line (without its line end); *got false at the end.
 * The bytes stay valid until the next call. */
static int next_line(JsonReader *r, const char **line_out, size_t *len_out, bool *got,
                     TarnError *err)
{
    size_t scan_from = r->pos;
    for (;;) {
        char *nl = memchr(r->buf + scan_from, '\n', r->len - scan_from);
        const char *s;
        size_t n;
        if (nl) {
            s = r->buf + r->pos;
            n = (size_t)(nl - s);
            r->pos = (size_t)(nl - r->buf) + 1;
        } else if (r->eof) {
            if (r->pos == r->len) {
                *got = false;
                return 0;
            }
            s = r->buf + r->pos;
            n = r->len - r->pos;
            r->pos = r->len;
        } else {
            size_t seen = r->len - r->pos;
            int rc = refill(r, err);
            if (rc)
                return rc;
            scan_from = r->pos + seen;
            continue;
        }
        r->line++;
        if (n && s[n - 1] == '\r')
            n--;
        if (is_blank_line(s, n)) {
            scan_from = r->pos;
            continue;
        }
        *line_out = s;
        *len_out = n;
        *got = true;
        return 0;
    }
}

/* ---- Inference ----------------------------------------------------------------- */

static bool is_nan_inf(const JsonNode *v)
{
    return v->type == JSON_STRING &&
           ((v->len == 3 && memcmp(v->u.str, "NaN", 3) == 0) ||
            (v->len == 8 && memcmp(v->u.str, "Infinity", 8) == 0) ||
            (v->len == 9 && memcmp(v->u.str, "-Infinity", 9) == 0));
}

static Infer *infer_new(JsonReader *r)
{
    return arena_calloc(&r->infer_arena, sizeof(Infer));
}

static void merge_scalar(Infer *n, Kind k)
{
    Kind cur = n->kind;
    if (cur == k || cur == K_JSON)
        return;
    if (cur == K_NONE) {
        n->kind = k;
        return;
    }
    if (cur == K_STRUCT || cur == K_LIST) {
        n->kind = K_JSON;
        return;
    }
    bool cur_num = cur == K_INT || cur == K_DOUBLE || cur == K_NANINF;
    bool k_num = k == K_INT || k == K_DOUBLE || k == K_NANINF;
    if (cur_num && k_num) {
        n->kind = K_DOUBLE;
        return;
    }
    /* Scalars of different kinds: text.  Non-strings were seen, so the
     * date/timestamp guesses are off. */
    n->kind = K_STRING;
    n->not_date = n->not_ts = true;
}

static int find_field(const Infer *n, const char *key, uint32_t key_len, uint32_t hint)
{
    if (hint < n->n_fields && n->name_lens[hint] == key_len &&
        memcmp(n->names[hint], key, key_len) == 0)
        return (int)hint;
    for (uint32_t i = 0; i < n->n_fields; i++)
        if (n->name_lens[i] == key_len && memcmp(n->names[i], key, key_len) == 0)
            return (int)i;
    return -1;
}

static int observe(JsonReader *r, Infer *n, const JsonNode *v, TarnError *err);

static int observe_object(JsonReader *r, Infer *n, const JsonNode *v, TarnError *err)
{
    if (n->kind == K_NONE)
        n->kind = K_STRUCT;
    if (n->kind != K_STRUCT) {
        n->kind = K_JSON;
        return 0;
    }
    for (uint32_t j = 0; j < v->len; j++) {
        const JsonMember *m = &v->u.members[j];
        int idx = find_field(n, m->key, m->key_len, j);
        if (idx < 0) {
            if (n->n_fields >= JSON_MAX_COLUMNS)
                return err_set(err, TARN_ERR_UNSUPPORTED,
                               "unsupported: JSON objects with more than %d distinct keys",
                               JSON_MAX_COLUMNS);
            if (n->n_fields == n->cap_fields) {
                uint32_t cap = n->cap_fields ? n->cap_fields * 2 : 8;
                const char **names = arena_alloc(&r->infer_arena, cap * sizeof(char *));
                uint32_t *lens = arena_alloc(&r->infer_arena, cap * sizeof(uint32_t));
                Infer **ch = arena_alloc(&r->infer_arena, cap * sizeof(Infer *));
                if (!names || !lens || !ch)
                    return ERR_NOMEM(err, cap * sizeof(Infer *));
                if (n->n_fields) {
                    memcpy(names, n->names, n->n_fields * sizeof(char *));
                    memcpy(lens, n->name_lens, n->n_fields * sizeof(uint32_t));
                    memcpy(ch, n->children, n->n_fields * sizeof(Infer *));
                }
                n->names = names;
                n->name_lens = lens;
                n->children = ch;
                n->cap_fields = cap;
            }
            Infer *c = infer_new(r);
            if (!c)
                return ERR_NOMEM(err, sizeof(Infer));
            idx = (int)n->n_fields++;
            n->names[idx] = m->key;
            n->name_lens[idx] = m->key_len;
            n->children[idx] = c;
        }
        int rc = observe(r, n->children[idx], &m->value, err);
        if (rc)
            return rc;
    }
    return 0;
}

static int observe(JsonReader *r, Infer *n, const JsonNode *v, TarnError *err)
{
    switch (v->type) {
    case JSON_NULL:
        return 0;
    case JSON_BOOL:
        merge_scalar(n, K_BOOL);
        return 0;
    case JSON_INT:
        merge_scalar(n, K_INT);
        return 0;
    case JSON_DOUBLE:
        merge_scalar(n, K_DOUBLE);
        return 0;
    case JSON_STRING:
        if (is_nan_inf(v)) {
            merge_scalar(n, K_NANINF);
            return 0;
        }
        merge_scalar(n, K_STRING);
        if (n->kind == K_STRING) {
            if (!n->not_date) {
                int32_t d;
                n->not_date = !dt_parse_date(v->u.str, v->len, &d);
            }
            if (!n->not_ts) {
                int64_t t;
                bool zone;
                if (!dt_parse_timestamp(v->u.str, v->len, &t, &zone))
                    n->not_ts = true;
                else if (zone)
                    n->any_zone = true;
            }
        }
        return 0;
    case JSON_OBJECT:
        return observe_object(r, n, v, err);
    case JSON_ARRAY:
        if (n->kind == K_NONE) {
            n->kind = K_LIST;
            if (!(n->elem = infer_new(r)))
                return ERR_NOMEM(err, sizeof(Infer));
        }
        if (n->kind != K_LIST) {
            n->kind = K_JSON;
            return 0;
        }
        for (uint32_t i = 0; i < v->len; i++) {
            int rc = observe(r, n->elem, &v->u.items[i], err);
            if (rc)
                return rc;
        }
        return 0;
    }
    return 0;
}

static int infer_to_type(const Infer *n, LogicalType *out)
{
    switch (n->kind) {
    case K_BOOL: *out = type_simple(TYPE_BOOL); return 0;
    case K_INT: *out = type_simple(TYPE_INT64); return 0;
    case K_DOUBLE: *out = type_simple(TYPE_DOUBLE); return 0;
    case K_STRING:
        if (!n->not_date)
            *out = type_simple(TYPE_DATE);
        else if (!n->not_ts)
            *out = type_simple(n->any_zone ? TYPE_TIMESTAMPTZ : TYPE_TIMESTAMP);
        else
            *out = type_simple(TYPE_STRING);
        return 0;
    case K_JSON: *out = type_simple(TYPE_JSON); return 0;
    case K_LIST: {
        LogicalType elem;
        int rc = infer_to_type(n->elem, &elem);
        if (rc)
            return rc;
        return type_list(out, elem, true);
    }
    case K_STRUCT:
        if (n->n_fields == 0) { /* only {} seen: a struct needs a field */
            *out = type_simple(TYPE_JSON);
            return 0;
        }
        type_struct_init(out);
        for (uint32_t i = 0; i < n->n_fields; i++) {
            LogicalType ct;
            int rc = infer_to_type(n->children[i], &ct);
            if (!rc) {
                char *name = tarn_strndup(n->names[i], n->name_lens[i]);
                rc = name ? type_struct_add(out, name, ct, true) : TARN_ERR_NOMEM;
                if (!name)
                    type_destroy(&ct);
                tarn_free(name);
            }
            if (rc) {
                type_destroy(out);
                return rc;
            }
        }
        return 0;
    default: /* K_NONE, K_NANINF */
        *out = type_simple(TYPE_STRING);
        return 0;
    }
}

/* ---- Open ------------------------------------------------------------------------ */

static int not_object_error(int64_t line, TarnError *err)
{
    err_set(err, TARN_ERR_CORRUPT, "line %lld is not a JSON object", (long long)line);
    err_hint(err, "tarn reads newline-delimited JSON: one object per line.");
    return TARN_ERR_CORRUPT;
}

static int add_sample(JsonReader *r, const char *s, size_t n, Infer *root, TarnError *err)
{
    if (r->n_sample == r->cap_sample) {
        int64_t cap = r->cap_sample ? r->cap_sample * 2 : 256;
        JsonNode **sm = tarn_realloc(r->sample, (size_t)cap * sizeof(JsonNode *));
        if (!sm)
            return ERR_NOMEM(err, (size_t)cap * sizeof(JsonNode *));
        r->sample = sm;
        int64_t *l = tarn_realloc(r->sample_lines, (size_t)cap * sizeof(int64_t));
        if (!l)
            return ERR_NOMEM(err, (size_t)cap * sizeof(int64_t));
        r->sample_lines = l;
        r->cap_sample = cap;
    }
    char *copy = arena_strndup(&r->sample_arena, s, n);
    if (!copy)
        return ERR_NOMEM(err, n + 1);
    JsonNode *root_node;
    int rc = json_parse_at(&r->sample_arena, copy, n, r->line, &root_node, err);
    if (rc)
        return rc;
    if (root_node->type != JSON_OBJECT)
        return not_object_error(r->line, err);
    if ((rc = observe_object(r, root, root_node, err)))
        return rc;
    r->sample[r->n_sample] = root_node;
    r->sample_lines[r->n_sample++] = r->line;
    return 0;
}

static int open_impl(JsonReader *r, const char *path, const JsonReadOptions *o, TarnError *err)
{
    if (o->sample_rows < 0)
        return err_set(err, TARN_ERR_INVALID, "sample_rows must not be negative");
    r->sample_rows = o->sample_rows ? o->sample_rows : JSON_DEFAULT_SAMPLE;
    r->batch_rows = o->batch_rows ? o->batch_rows : VEC_BATCH_ROWS;
    r->path = tarn_strdup(path);
    if (!r->path)
        return ERR_NOMEM(err, strlen(path) + 1);
    if (strcmp(path, "-") == 0) {
        r->fd = 0;
    } else {
        r->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (r->fd < 0)
            return err_set(err, errno == ENOENT ? TARN_ERR_NOT_FOUND : TARN_ERR_IO,
                           "could not open file \"%s\": %s", path, strerror(errno));
        r->close_fd = true;
    }
    r->cap = JSON_BLOCK_BYTES;
    r->buf = tarn_malloc(r->cap);
    if (!r->buf)
        return ERR_NOMEM(err, r->cap);
    int rc;
    while (r->len < 3 && !r->eof)
        if ((rc = refill(r, err)))
            return rc;
    if (r->len >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0)
        r->pos = 3;

    Infer *root = infer_new(r);
    if (!root)
        return ERR_NOMEM(err, sizeof(Infer));
    root->kind = K_STRUCT;
    while (r->n_sample < r->sample_rows && r->sample_arena.total_bytes < JSON_MAX_SAMPLE_BYTES) {
        const char *s;
        size_t n;
        bool got;
        if ((rc = next_line(r, &s, &n, &got, err)))
            return rc;
        if (!got)
            break;
        if ((rc = add_sample(r, s, n, root, err)))
            return rc;
    }
    for (uint32_t i = 0; i < root->n_fields; i++) {
        LogicalType t;
        if ((rc = infer_to_type(root->children[i], &t)))
            return ERR_NOMEM(err, sizeof t);
        char *name = tarn_strndup(root->names[i], root->name_lens[i]);
        if (!name) {
            type_destroy(&t);
            return ERR_NOMEM(err, root->name_lens[i] + 1);
        }
        rc = schema_add(&r->schema, name, t, true);
        tarn_free(name);
        if (rc)
            return ERR_NOMEM(err, sizeof(Field));
    }
    arena_free(&r->infer_arena);
    return 0;
}

JsonReader *json_reader_open(const char *path, const JsonReadOptions *opt, TarnError *err)
{
    JsonReadOptions defaults;
    if (!opt) {
        json_read_options_default(&defaults);
        opt = &defaults;
    }
    JsonReader *r = tarn_calloc(1, sizeof *r);
    if (!r) {
        ERR_NOMEM(err, sizeof *r);
        return NULL;
    }
    r->fd = -1;
    schema_init(&r->schema);
    arena_init(&r->line_arena, 64 * 1024);
    arena_init(&r->sample_arena, 256 * 1024);
    arena_init(&r->infer_arena, 64 * 1024);
    if (open_impl(r, path, opt, err)) {
        err_context(err, "reading JSON file \"%s\"", path);
        json_reader_close(r);
        return NULL;
    }
    return r;
}

const Schema *json_reader_schema(const JsonReader *r)
{
    return &r->schema;
}

int64_t json_reader_rows(const JsonReader *r)
{
    return r->rows;
}

void json_reader_close(JsonReader *r)
{
    if (!r)
        return;
    if (r->close_fd && r->fd >= 0)
        close(r->fd);
    schema_destroy(&r->schema);
    arena_free(&r->line_arena);
    arena_free(&r->sample_arena);
    arena_free(&r->infer_arena);
    tarn_free(r->sample);
    tarn_free(r->sample_lines);
    tarn_free(r->slots);
    tarn_free(r->buf);
    tarn_free(r->path);
    tarn_free(r);
}

/* ---- Values into vectors ------------------------------------------------------------ */

/* The path from the row to the value being converted, for messages. */
typedef struct PathFrame {
    const struct PathFrame *parent;
    const char *name; /* field name, or NULL for a list element */
} PathFrame;

static void path_text(const PathFrame *f, char *buf, size_t cap)
{
    if (!f) {
        buf[0] = '\0';
        return;
    }
    path_text(f->parent, buf, cap);
    size_t n = strlen(buf);
    if (n >= cap - 1)
        return;
    if (f->name)
        snprintf(buf + n, cap - n, "%s%s", n ? "." : "", f->name);
    else
        snprintf(buf + n, cap - n, "[]");
}

static const char *json_kind_name(const JsonNode *v)
{
    switch (v->type) {
    case JSON_BOOL: return "boolean";
    case JSON_INT: return "integer";
    case JSON_DOUBLE: return "number";
    case JSON_STRING: return "string";
    case JSON_ARRAY: return "array";
    case JSON_OBJECT: return "object";
    default: return "null";
    }
}

static int mismatch(JsonReader *r, const Vector *v, const JsonNode *n, const PathFrame *path,
                    int64_t line, TarnError *err)
{
    char p[256], tname[128];
    path_text(path, p, sizeof p);
    type_name(v->type, tname, sizeof tname);
    int shown = n->raw_len > 60 ? 60 : (int)n->raw_len;
    err_set(err, TARN_ERR_TYPE, "line %lld, field \"%s\": %s %.*s%s does not fit type %s",
            (long long)line, p, json_kind_name(n), shown, n->raw, n->raw_len > 60 ? "..." : "",
            tname);
    err_hint(err, "Field types are inferred from the first %lld lines; a later value of "
                  "another kind cannot be read.  Convert with a larger sample, or make the "
                  "field's values consistent.",
             (long long)r->sample_rows);
    return TARN_ERR_TYPE;
}

static int append_value(JsonReader *r, Vector *v, const JsonNode *n, const PathFrame *path,
                        int64_t line, int depth, TarnError *err);

/* Appends the members of obj to the child vectors `cols` (one per field of
 * `fields`); keys outside the fields are an error. */
static int append_members(JsonReader *r, Vector *cols, const Field *fields, uint32_t n_cols,
                          const JsonNode *obj, const PathFrame *path, int64_t line, int depth,
                          TarnError *err)
{
    size_t base = r->n_slots;
    if (r->n_slots + n_cols > r->cap_slots) {
        size_t cap = r->cap_slots ? r->cap_slots : 64;
        while (cap < r->n_slots + n_cols)
            cap *= 2;
        const JsonNode **s = tarn_realloc(r->slots, cap * sizeof *s);
        if (!s)
            return ERR_NOMEM(err, cap * sizeof *s);
        r->slots = s;
        r->cap_slots = cap;
    }
    for (uint32_t c = 0; c < n_cols; c++)
        r->slots[base + c] = NULL;
    r->n_slots += n_cols;
    int rc = 0;
    for (uint32_t j = 0; j < obj->len && !rc; j++) {
        const JsonMember *m = &obj->u.members[j];
        uint32_t c = j;
        if (c >= n_cols || strlen(fields[c].name) != m->key_len ||
            memcmp(fields[c].name, m->key, m->key_len) != 0) {
            for (c = 0; c < n_cols; c++)
                if (strlen(fields[c].name) == m->key_len &&
                    memcmp(fields[c].name, m->key, m->key_len) == 0)
                    break;
        }
        if (c == n_cols) {
            char p[256];
            path_text(path, p, sizeof p);
            int shown = m->key_len > 60 ? 60 : (int)m->key_len;
            err_set(err, TARN_ERR_TYPE, "line %lld: field \"%s%s%.*s\" is not in the inferred schema",
                    (long long)line, p, p[0] ? "." : "", shown, m->key);
            err_hint(err, "The schema is inferred from the first %lld lines; this key first "
                          "appears later.",
                     (long long)r->sample_rows);
            rc = TARN_ERR_TYPE;
            break;
        }
        r->slots[base + c] = &m->value;
    }
    for (uint32_t c = 0; c < n_cols && !rc; c++) {
        PathFrame f = {path, fields[c].name};
        rc = append_value(r, &cols[c], r->slots[base + c], &f, line, depth + 1, err);
    }
    r->n_slots = base;
    return rc;
}

static int append_value(JsonReader *r, Vector *v, const JsonNode *n, const PathFrame *path,
                        int64_t line, int depth, TarnError *err)
{
    if (!n || n->type == JSON_NULL)
        return vec_append_null(v) ? ERR_NOMEM(err, 16) : 0;
    int rc = 0;
    switch (v->type->id) {
    case TYPE_BOOL:
        if (n->type != JSON_BOOL)
            return mismatch(r, v, n, path, line, err);
        rc = vec_append_bool(v, n->u.b);
        break;
    case TYPE_INT64:
        if (n->type != JSON_INT)
            return mismatch(r, v, n, path, line, err);
        rc = vec_append_i64(v, n->u.i);
        break;
    case TYPE_DOUBLE:
        if (n->type == JSON_INT)
            rc = vec_append_double(v, (double)n->u.i);
        else if (n->type == JSON_DOUBLE)
            rc = vec_append_double(v, n->u.d);
        else if (is_nan_inf(n)) {
            double d = 0;
            value_parse_double(n->u.str, n->len, &d);
            rc = vec_append_double(v, d);
        } else
            return mismatch(r, v, n, path, line, err);
        break;
    case TYPE_STRING:
        if (n->type == JSON_STRING)
            rc = vec_append_str(v, n->u.str, n->len);
        else if (n->type == JSON_OBJECT || n->type == JSON_ARRAY)
            return mismatch(r, v, n, path, line, err);
        else
            rc = vec_append_str(v, n->raw, n->raw_len);
        break;
    case TYPE_JSON:
        rc = vec_append_str(v, n->raw, n->raw_len);
        break;
    case TYPE_DATE:
    case TYPE_TIMESTAMP:
    case TYPE_TIMESTAMPTZ:
        if (n->type != JSON_STRING)
            return mismatch(r, v, n, path, line, err);
        rc = value_parse_append(v, n->u.str, n->len);
        if (rc == TARN_ERR_TYPE)
            return mismatch(r, v, n, path, line, err);
        break;
    case TYPE_STRUCT:
        if (n->type != JSON_OBJECT)
            return mismatch(r, v, n, path, line, err);
        if ((rc = append_members(r, v->children, v->type->fields, v->n_children, n, path, line,
                                 depth, err)))
            return rc;
        rc = vec_append_struct_end(v);
        break;
    case TYPE_LIST: {
        if (n->type != JSON_ARRAY)
            return mismatch(r, v, n, path, line, err);
        PathFrame f = {path, NULL};
        for (uint32_t i = 0; i < n->len; i++)
            if ((rc = append_value(r, &v->children[0], &n->u.items[i], &f, line, depth + 1, err)))
                return rc;
        rc = vec_append_list_end(v);
        break;
    }
    default:
        return ERR_INTERNAL(err, "NDJSON column of an unexpected type");
    }
    return rc ? ERR_NOMEM(err, 16) : 0;
}

static int append_row(JsonReader *r, Batch *b, const JsonNode *obj, int64_t line, TarnError *err)
{
    if (obj->type != JSON_OBJECT)
        return not_object_error(line, err);
    int rc = append_members(r, b->cols, r->schema.fields, b->n_cols, obj, NULL, line, 0, err);
    if (rc)
        return rc;
    b->n_rows++;
    return 0;
}

int json_reader_next(JsonReader *r, Batch *b, TarnError *err)
{
    batch_reset(b);
    if (b->n_cols != r->schema.n_fields)
        return ERR_INTERNAL(err, "batch does not match the JSON schema");
    int rc = 0;
    while (b->n_rows < r->batch_rows) {
        if (r->sample_pos < r->n_sample) {
            rc = append_row(r, b, r->sample[r->sample_pos], r->sample_lines[r->sample_pos], err);
            r->sample_pos++;
            if (r->sample_pos == r->n_sample) {
                arena_free(&r->sample_arena);
                arena_init(&r->sample_arena, 4096);
                r->n_sample = r->sample_pos = 0;
            }
            if (rc)
                break;
            continue;
        }
        const char *s;
        size_t n;
        bool got;
        if ((rc = next_line(r, &s, &n, &got, err)) || !got)
            break;
        arena_reset(&r->line_arena);
        JsonNode *root;
        if ((rc = json_parse_at(&r->line_arena, s, n, r->line, &root, err)))
            break;
        if ((rc = append_row(r, b, root, r->line, err)))
            break;
    }
    if (rc)
        return err_context(err, "reading JSON file \"%s\"", r->path);
    r->rows += b->n_rows;
    return 0;
}
