/*
 * schema.c - Delta schemaString (Spark's JSON schema) <-> tarn Schema, and
 * the per-column metadata tree (column mapping, generated columns,
 * invariants, type changes).  See schema.h.
 */
#include "table/delta/schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "format/json/json_parse.h"
#include "vector/format.h"

#define MAX_DEPTH 64

/* varchar(n) / char(n) of a string field, as Spark writes it */
#define CHAR_VARCHAR_KEY "__CHAR_VARCHAR_TYPE_STRING"

static const JsonNode *get(const JsonNode *o, const char *key)
{
    if (!o || o->type != JSON_OBJECT)
        return NULL;
    const JsonNode *n = json_object_get(o, key, strlen(key));
    return n && n->type != JSON_NULL ? n : NULL;
}

static int parse_type(Arena *a, const JsonNode *t, int depth, LogicalType *out, DeltaColumn *col,
                      TarnError *err);

/* "decimal(10,2)", "decimal(10, 2)", "decimal" */
static int parse_primitive(const char *s, LogicalType *out, TarnError *err)
{
    static const struct { const char *name; TypeId id; } map[] = {
        {"string", TYPE_STRING}, {"long", TYPE_INT64}, {"integer", TYPE_INT32}, {"int", TYPE_INT32},
        {"short", TYPE_INT16}, {"byte", TYPE_INT8}, {"float", TYPE_FLOAT}, {"double", TYPE_DOUBLE},
        {"boolean", TYPE_BOOL}, {"binary", TYPE_BLOB}, {"date", TYPE_DATE},
        {"timestamp", TYPE_TIMESTAMPTZ}, {"timestamp_ntz", TYPE_TIMESTAMP},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (strcmp(s, map[i].name) == 0) {
            *out = type_simple(map[i].id);
            return 0;
        }
    }
    if (strncmp(s, "decimal", 7) == 0) {
        int p = 10, sc = 0;
        const char *q = s + 7;
        if (*q) {
            char tail;
            if (sscanf(q, " ( %d , %d %c", &p, &sc, &tail) != 3 || tail != ')')
                return err_set(err, TARN_ERR_CORRUPT, "malformed Delta decimal type \"%s\"", s);
        }
        if (p < 1 || p > 38 || sc < 0 || sc > p)
            return err_set(err, TARN_ERR_CORRUPT, "Delta decimal type \"%s\" out of range", s);
        *out = type_decimal(p, sc);
        return 0;
    }
    return err_set(err, TARN_ERR_UNSUPPORTED, "unsupported: Delta type \"%s\"", s);
}

/* Spark's __CHAR_VARCHAR_TYPE_STRING ("varchar(10)", "char(3)") on a string
 * field: the declared length (vector/types.h char_len). */
static void parse_char_varchar(const JsonNode *md, LogicalType *t)
{
    const JsonNode *n = md && md->type == JSON_OBJECT ? get(md, CHAR_VARCHAR_KEY) : NULL;
    if (!n || n->type != JSON_STRING || n->len >= 32)
        return;
    char s[32];
    memcpy(s, n->u.str, n->len);
    s[n->len] = 0;
    unsigned len = 0;
    char close = 0;
    if (sscanf(s, "varchar(%u%c", &len, &close) == 2 && close == ')' && len > 0) {
        t->char_kind = TYPE_CHAR_VARCHAR;
        t->char_len = len;
    } else if (sscanf(s, "char(%u%c", &len, &close) == 2 && close == ')' && len > 0) {
        t->char_kind = TYPE_CHAR_BPCHAR;
        t->char_len = len;
    }
}

static int parse_metadata(Arena *a, const JsonNode *md, DeltaColumn *col, TarnError *err)
{
    Buf b;
    buf_init(&b);
    col->field_id = -1;
    if (md && md->type == JSON_OBJECT) {
        if (json_write_node(md, &b) || buf_terminate(&b))
            goto nomem;
        col->metadata_json = arena_strndup(a, (const char *)b.data, b.len);
        const JsonNode *n;
        if ((n = get(md, "delta.columnMapping.physicalName")) && n->type == JSON_STRING)
            col->physical_name = arena_strndup(a, n->u.str, n->len);
        if ((n = get(md, "delta.columnMapping.id")) && n->type == JSON_INT) {
            if (n->u.i < 0 || n->u.i > INT32_MAX)
                return err_set(err, TARN_ERR_CORRUPT, "column \"%s\" has a column mapping id out of range",
                               col->name);
            col->field_id = (int32_t)n->u.i;
        }
        if ((n = get(md, "delta.generationExpression")) && n->type == JSON_STRING)
            col->generation_expr = arena_strndup(a, n->u.str, n->len);
        if ((n = get(md, "delta.invariants")) && n->type == JSON_STRING) {
            /* {"expression": {"expression": "<SQL>"}} as a JSON string */
            JsonNode *inv;
            TarnError e2;
            err_clear(&e2);
            if (json_parse(a, n->u.str, n->len, &inv, &e2) == 0) {
                const JsonNode *x = get(get(inv, "expression"), "expression");
                if (x && x->type == JSON_STRING)
                    col->invariant_expr = arena_strndup(a, x->u.str, x->len);
            }
            if (!col->invariant_expr)
                col->invariant_expr = arena_strndup(a, n->u.str, n->len);
        }
        if (get(md, "delta.typeChanges"))
            col->has_type_changes = true;
        for (uint32_t i = 0; i < md->len; i++)
            if (strncmp(md->u.members[i].key, "delta.identity.", 15) == 0)
                col->is_identity = true;
    }
    if (!col->metadata_json)
        col->metadata_json = "{}";
    if (!col->physical_name)
        col->physical_name = col->name;
    buf_free(&b);
    if (!col->metadata_json || !col->physical_name)
        return ERR_NOMEM(err, 64);
    return 0;
nomem:
    buf_free(&b);
    return ERR_NOMEM(err, b.len);
}

static int parse_struct(Arena *a, const JsonNode *t, int depth, LogicalType *out, DeltaColumn *col,
                        TarnError *err)
{
    const JsonNode *fields = get(t, "fields");
    if (!fields || fields->type != JSON_ARRAY)
        return err_set(err, TARN_ERR_CORRUPT, "Delta struct type without \"fields\" array");
    type_struct_init(out);
    col->n_children = fields->len;
    col->children = fields->len ? arena_calloc(a, sizeof(DeltaColumn) * fields->len) : NULL;
    if (fields->len && !col->children)
        return ERR_NOMEM(err, sizeof(DeltaColumn) * fields->len);
    for (uint32_t i = 0; i < fields->len; i++) {
        const JsonNode *f = &fields->u.items[i];
        const JsonNode *name = get(f, "name");
        if (!name || name->type != JSON_STRING)
            return err_set(err, TARN_ERR_CORRUPT, "Delta schema field without \"name\"");
        DeltaColumn *c = &col->children[i];
        c->name = arena_strndup(a, name->u.str, name->len);
        if (!c->name)
            return ERR_NOMEM(err, name->len);
        for (uint32_t j = 0; j < i; j++)
            if (strcasecmp(col->children[j].name, c->name) == 0)
                return err_set(err, TARN_ERR_CORRUPT, "Delta schema has duplicate column \"%s\"", c->name);
        const JsonNode *nullable = get(f, "nullable");
        bool is_null = !nullable || nullable->type != JSON_BOOL || nullable->u.b;
        int rc = parse_metadata(a, get(f, "metadata"), c, err);
        if (rc)
            return rc;
        LogicalType ft;
        const JsonNode *ty = get(f, "type");
        if (!ty)
            return err_set(err, TARN_ERR_CORRUPT, "Delta schema field \"%s\" without \"type\"", c->name);
        if ((rc = parse_type(a, ty, depth + 1, &ft, c, err)))
            return err_context(err, "column \"%s\"", c->name);
        if (ft.id == TYPE_STRING)
            parse_char_varchar(get(f, "metadata"), &ft);
        if (type_struct_add(out, c->name, ft, is_null))
            return ERR_NOMEM(err, 64);
    }
    return 0;
}

static int nested_child(Arena *a, DeltaColumn *col, uint32_t n, const char *const *names,
                        TarnError *err)
{
    col->n_children = n;
    col->children = arena_calloc(a, sizeof(DeltaColumn) * n);
    if (!col->children)
        return ERR_NOMEM(err, sizeof(DeltaColumn) * n);
    for (uint32_t i = 0; i < n; i++) {
        col->children[i].name = names[i];
        col->children[i].physical_name = names[i];
        col->children[i].field_id = -1;
        col->children[i].metadata_json = "{}";
    }
    return 0;
}

static int parse_type(Arena *a, const JsonNode *t, int depth, LogicalType *out, DeltaColumn *col,
                      TarnError *err)
{
    if (depth > MAX_DEPTH)
        return err_set(err, TARN_ERR_CORRUPT, "Delta schema nested deeper than %d levels", MAX_DEPTH);
    if (t->type == JSON_STRING)
        return parse_primitive(t->u.str, out, err);
    if (t->type != JSON_OBJECT)
        return err_set(err, TARN_ERR_CORRUPT, "Delta schema type is neither a name nor an object");
    const JsonNode *kind = get(t, "type");
    if (!kind || kind->type != JSON_STRING)
        return err_set(err, TARN_ERR_CORRUPT, "Delta schema type object without \"type\"");
    int rc;
    if (strcmp(kind->u.str, "struct") == 0)
        return parse_struct(a, t, depth, out, col, err);
    if (strcmp(kind->u.str, "array") == 0) {
        static const char *const names[] = {"element"};
        const JsonNode *et = get(t, "elementType");
        if (!et)
            return err_set(err, TARN_ERR_CORRUPT, "Delta array type without \"elementType\"");
        if ((rc = nested_child(a, col, 1, names, err)))
            return rc;
        LogicalType el;
        if ((rc = parse_type(a, et, depth + 1, &el, &col->children[0], err)))
            return rc;
        const JsonNode *cn = get(t, "containsNull");
        bool nullable = !cn || cn->type != JSON_BOOL || cn->u.b;
        return type_list(out, el, nullable) ? ERR_NOMEM(err, 64) : 0;
    }
    if (strcmp(kind->u.str, "map") == 0) {
        static const char *const names[] = {"key", "value"};
        const JsonNode *kt = get(t, "keyType"), *vt = get(t, "valueType");
        if (!kt || !vt)
            return err_set(err, TARN_ERR_CORRUPT, "Delta map type without \"keyType\"/\"valueType\"");
        if ((rc = nested_child(a, col, 2, names, err)))
            return rc;
        LogicalType k, v;
        if ((rc = parse_type(a, kt, depth + 1, &k, &col->children[0], err)))
            return rc;
        if ((rc = parse_type(a, vt, depth + 1, &v, &col->children[1], err))) {
            type_destroy(&k);
            return rc;
        }
        const JsonNode *cn = get(t, "valueContainsNull");
        bool nullable = !cn || cn->type != JSON_BOOL || cn->u.b;
        return type_map(out, k, v, nullable) ? ERR_NOMEM(err, 64) : 0;
    }
    return err_set(err, TARN_ERR_UNSUPPORTED, "unsupported: Delta type \"%s\"", kind->u.str);
}

int delta_schema_parse(Arena *a, const char *json, size_t len, DeltaSchema *out, TarnError *err)
{
    memset(out, 0, sizeof *out);
    schema_init(&out->schema);
    JsonNode *root;
    int rc = json_parse(a, json, len, &root, err);
    if (rc)
        return err_context(err, "parsing the table schema");
    const JsonNode *kind = get(root, "type");
    if (!kind || kind->type != JSON_STRING || strcmp(kind->u.str, "struct") != 0)
        return err_set(err, TARN_ERR_CORRUPT, "Delta table schema is not a struct type");
    LogicalType st;
    DeltaColumn top;
    memset(&top, 0, sizeof top);
    rc = parse_struct(a, root, 0, &st, &top, err);
    if (rc) {
        type_destroy(&st);
        return rc;
    }
    /* Move the struct's fields into the Schema. */
    out->schema.n_fields = st.n_fields;
    out->schema.fields = st.fields;
    out->columns = top.children;
    return 0;
}

void delta_schema_destroy(DeltaSchema *s)
{
    if (!s)
        return;
    schema_destroy(&s->schema);
    s->columns = NULL;
}

int delta_schema_find(const DeltaSchema *s, const char *name)
{
    int i = schema_find(&s->schema, name);
    if (i >= 0)
        return i;
    for (uint32_t j = 0; j < s->schema.n_fields; j++)
        if (strcasecmp(s->schema.fields[j].name, name) == 0)
            return (int)j;
    return -1;
}

/* ---- Serialization -------------------------------------------------------------------- */

int delta_type_name(const LogicalType *t, Buf *out, TarnError *err)
{
    const char *n = NULL;
    switch (t->id) {
    case TYPE_STRING: n = "string"; break;
    case TYPE_INT64: n = "long"; break;
    case TYPE_INT32: n = "integer"; break;
    case TYPE_INT16: n = "short"; break;
    case TYPE_INT8: n = "byte"; break;
    case TYPE_FLOAT: n = "float"; break;
    case TYPE_DOUBLE: n = "double"; break;
    case TYPE_BOOL: n = "boolean"; break;
    case TYPE_BLOB: n = "binary"; break;
    case TYPE_DATE: n = "date"; break;
    case TYPE_TIMESTAMPTZ: n = "timestamp"; break;
    case TYPE_TIMESTAMP: n = "timestamp_ntz"; break;
    case TYPE_DECIMAL:
        return buf_printf(out, "\"decimal(%d,%d)\"", t->precision, t->scale) ? ERR_NOMEM(err, 32) : 0;
    default: {
        char tn[128];
        return err_set(err, TARN_ERR_UNSUPPORTED, "unsupported: type %s in a Delta table",
                       type_name(t, tn, sizeof tn));
    }
    }
    return buf_printf(out, "\"%s\"", n) ? ERR_NOMEM(err, 32) : 0;
}

static int ser_type(const LogicalType *t, const DeltaColumn *col, Buf *o, TarnError *err);

/* md (compact JSON object text, as parse_metadata stores it) without its
 * "__CHAR_VARCHAR_TYPE_STRING": "..." member; malloc'ed, NULL when out of
 * memory. */
static char *strip_char_key(const char *md)
{
    size_t n = strlen(md);
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    const char *k = strstr(md, "\"" CHAR_VARCHAR_KEY "\"");
    const char *v = k ? strchr(k + sizeof CHAR_VARCHAR_KEY + 1, ':') : NULL;
    const char *q = v ? strchr(v, '"') : NULL;
    const char *e = q ? strchr(q + 1, '"') : NULL; /* the value never holds quotes or escapes */
    if (!e) {
        memcpy(out, md, n + 1);
        return out;
    }
    e++;
    while (*e == ' ')
        e++;
    if (*e == ',') {
        e++; /* "key":"v", next... */
    } else {
        /* last member: drop the comma before it */
        const char *b = k;
        while (b > md && (b[-1] == ' ' || b[-1] == ','))
            if (*--b == ',')
                break;
        k = b;
    }
    size_t w = (size_t)(k - md);
    memcpy(out, md, w);
    strcpy(out + w, e);
    return out;
}

static int ser_field(const Field *f, const DeltaColumn *col, Buf *o, TarnError *err)
{
    if (buf_printf(o, "{\"name\":") || value_append_json_string(o, f->name, strlen(f->name)) ||
        buf_printf(o, ",\"type\":"))
        return ERR_NOMEM(err, 64);
    int rc = ser_type(&f->type, col, o, err);
    if (rc)
        return err_context(err, "column \"%s\"", f->name);
    const char *md = col && col->metadata_json ? col->metadata_json : "{}";
    char *stripped = NULL;
    if (strstr(md, "\"" CHAR_VARCHAR_KEY "\"")) {
        /* the declared type comes from f->type: drop the stored member */
        if (!(stripped = strip_char_key(md)))
            return ERR_NOMEM(err, strlen(md));
        md = stripped;
    }
    if (f->type.id == TYPE_STRING && f->type.char_kind && f->type.char_len) {
        /* varchar(n) / char(n): Spark's field metadata key, merged into the object */
        const char *body = strchr(md, '{');
        body = body ? body + 1 : "}";
        while (*body == ' ')
            body++;
        rc = buf_printf(o, ",\"nullable\":%s,\"metadata\":{\"" CHAR_VARCHAR_KEY "\":\"%s(%u)\"%s%s}",
                        f->nullable ? "true" : "false", f->type.char_kind == TYPE_CHAR_BPCHAR ? "char" : "varchar",
                        f->type.char_len, *body == '}' ? "" : ",", body);
    } else {
        rc = buf_printf(o, ",\"nullable\":%s,\"metadata\":%s}", f->nullable ? "true" : "false", md);
    }
    free(stripped);
    return rc ? ERR_NOMEM(err, 64) : 0;
}

static int ser_type(const LogicalType *t, const DeltaColumn *col, Buf *o, TarnError *err)
{
    const DeltaColumn *kids = col && col->n_children == t->n_fields ? col->children : NULL;
    int rc;
    switch (t->id) {
    case TYPE_STRUCT:
        if (buf_printf(o, "{\"type\":\"struct\",\"fields\":["))
            return ERR_NOMEM(err, 64);
        for (uint32_t i = 0; i < t->n_fields; i++) {
            if (i && buf_append_byte(o, ','))
                return ERR_NOMEM(err, 1);
            if ((rc = ser_field(&t->fields[i], kids ? &kids[i] : NULL, o, err)))
                return rc;
        }
        return buf_printf(o, "]}") ? ERR_NOMEM(err, 2) : 0;
    case TYPE_LIST:
        if (buf_printf(o, "{\"type\":\"array\",\"elementType\":"))
            return ERR_NOMEM(err, 64);
        if ((rc = ser_type(&t->fields[0].type, kids ? &kids[0] : NULL, o, err)))
            return rc;
        return buf_printf(o, ",\"containsNull\":%s}", t->fields[0].nullable ? "true" : "false")
                   ? ERR_NOMEM(err, 32) : 0;
    case TYPE_MAP:
        if (buf_printf(o, "{\"type\":\"map\",\"keyType\":"))
            return ERR_NOMEM(err, 64);
        if ((rc = ser_type(&t->fields[0].type, kids ? &kids[0] : NULL, o, err)))
            return rc;
        if (buf_printf(o, ",\"valueType\":"))
            return ERR_NOMEM(err, 16);
        if ((rc = ser_type(&t->fields[1].type, kids ? &kids[1] : NULL, o, err)))
            return rc;
        return buf_printf(o, ",\"valueContainsNull\":%s}", t->fields[1].nullable ? "true" : "false")
                   ? ERR_NOMEM(err, 32) : 0;
    default:
        return delta_type_name(t, o, err);
    }
}

int delta_schema_serialize(const Schema *s, const DeltaColumn *cols, Buf *out, TarnError *err)
{
    if (buf_printf(out, "{\"type\":\"struct\",\"fields\":["))
        return ERR_NOMEM(err, 64);
    for (uint32_t i = 0; i < s->n_fields; i++) {
        if (i && buf_append_byte(out, ','))
            return ERR_NOMEM(err, 1);
        int rc = ser_field(&s->fields[i], cols ? &cols[i] : NULL, out, err);
        if (rc)
            return rc;
    }
    return buf_printf(out, "]}") ? ERR_NOMEM(err, 2) : 0;
}

static int check_type(const LogicalType *t, TarnError *err)
{
    if (type_is_nested(t->id)) {
        for (uint32_t i = 0; i < t->n_fields; i++) {
            int rc = check_type(&t->fields[i].type, err);
            if (rc)
                return rc;
        }
        return 0;
    }
    Buf b;
    buf_init(&b);
    int rc = delta_type_name(t, &b, err);
    buf_free(&b);
    return rc;
}

int delta_schema_check_writable(const Schema *s, TarnError *err)
{
    if (s->n_fields == 0)
        return err_set(err, TARN_ERR_INVALID, "a Delta table needs at least one column");
    for (uint32_t i = 0; i < s->n_fields; i++) {
        for (uint32_t j = 0; j < i; j++)
            if (strcasecmp(s->fields[i].name, s->fields[j].name) == 0)
                return err_set(err, TARN_ERR_INVALID, "column \"%s\" specified more than once",
                               s->fields[i].name);
        int rc = check_type(&s->fields[i].type, err);
        if (rc)
            return err_context(err, "column \"%s\"", s->fields[i].name);
    }
    return 0;
}

/* ---- Type widening (PROTOCOL.md "Type Widening") ------------------------------------ */

static int int_rank(TypeId id)
{
    switch (id) {
    case TYPE_INT8: return 1;
    case TYPE_INT16: return 2;
    case TYPE_INT32: return 3;
    case TYPE_INT64: return 4;
    default: return 0;
    }
}

bool delta_type_can_widen(const LogicalType *from, const LogicalType *to)
{
    if (type_equal(from, to))
        return true;
    int rf = int_rank(from->id), rt = int_rank(to->id);
    if (rf && rt)
        return rf <= rt;
    if (from->id == TYPE_FLOAT && to->id == TYPE_DOUBLE)
        return true;
    if (rf && rf <= 3 && to->id == TYPE_DOUBLE)
        return true;
    if (from->id == TYPE_DATE && to->id == TYPE_TIMESTAMP)
        return true;
    if (from->id == TYPE_DECIMAL && to->id == TYPE_DECIMAL) {
        int k1 = to->precision - from->precision, k2 = to->scale - from->scale;
        return k1 >= k2 && k2 >= 0;
    }
    if (rf && rf <= 3 && to->id == TYPE_DECIMAL)
        return to->precision - 10 >= to->scale;
    if (rf == 4 && to->id == TYPE_DECIMAL)
        return to->precision - 20 >= to->scale;
    if (type_is_nested(from->id) && from->id == to->id && from->n_fields == to->n_fields &&
        from->id != TYPE_STRUCT) {
        for (uint32_t i = 0; i < from->n_fields; i++)
            if (!delta_type_can_widen(&from->fields[i].type, &to->fields[i].type))
                return false;
        return true;
    }
    return false;
}
