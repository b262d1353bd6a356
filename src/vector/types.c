/*
 * types.c - logical types, fields and schemas (see types.h).
 */
#include "vector/types.h"

#include <stdio.h>
#include <string.h>

#include "util/mem.h"

size_t type_width(const LogicalType *t)
{
    switch (t->id) {
    case TYPE_BOOL:
    case TYPE_INT8:
    case TYPE_UINT8:
        return 1;
    case TYPE_INT16:
    case TYPE_UINT16:
        return 2;
    case TYPE_INT32:
    case TYPE_UINT32:
    case TYPE_FLOAT:
    case TYPE_DATE:
        return 4;
    case TYPE_INT64:
    case TYPE_UINT64:
    case TYPE_DOUBLE:
    case TYPE_TIME:
    case TYPE_TIMESTAMP:
    case TYPE_TIMESTAMPTZ:
        return 8;
    case TYPE_DECIMAL:
        return t->precision <= DECIMAL64_MAX_PRECISION ? 8 : 16;
    case TYPE_INTERVAL:
        return sizeof(Interval);
    case TYPE_STRING:
    case TYPE_BLOB:
    case TYPE_JSON:
        return sizeof(StrView);
    case TYPE_UUID:
        return 16;
    case TYPE_LIST:
    case TYPE_MAP:
        return 0; /* offsets live in Vector.offsets */
    case TYPE_STRUCT:
    case TYPE_NULL:
        return 1; /* TYPE_NULL keeps a byte so generic code can index it */
    default:
        return 0;
    }
}

static int field_init(Field *f, const char *name, LogicalType t, bool nullable)
{
    f->name = tarn_strdup(name ? name : "");
    f->type = t;
    f->nullable = nullable;
    if (!f->name) {
        type_destroy(&f->type);
        return TARN_ERR_NOMEM;
    }
    return 0;
}

int type_list(LogicalType *out, LogicalType element, bool element_nullable)
{
    memset(out, 0, sizeof *out);
    Field *f = tarn_calloc(1, sizeof(Field));
    if (!f) {
        type_destroy(&element);
        return TARN_ERR_NOMEM;
    }
    if (field_init(f, "element", element, element_nullable)) {
        tarn_free(f);
        return TARN_ERR_NOMEM;
    }
    out->id = TYPE_LIST;
    out->n_fields = 1;
    out->fields = f;
    return 0;
}

int type_map(LogicalType *out, LogicalType key, LogicalType value, bool value_nullable)
{
    memset(out, 0, sizeof *out);
    Field *f = tarn_calloc(2, sizeof(Field));
    if (!f) {
        type_destroy(&key);
        type_destroy(&value);
        return TARN_ERR_NOMEM;
    }
    if (field_init(&f[0], "key", key, false)) {
        type_destroy(&value);
        tarn_free(f);
        return TARN_ERR_NOMEM;
    }
    if (field_init(&f[1], "value", value, value_nullable)) {
        type_destroy(&f[0].type);
        tarn_free(f[0].name);
        tarn_free(f);
        return TARN_ERR_NOMEM;
    }
    out->id = TYPE_MAP;
    out->n_fields = 2;
    out->fields = f;
    return 0;
}

void type_struct_init(LogicalType *out)
{
    memset(out, 0, sizeof *out);
    out->id = TYPE_STRUCT;
}

int type_struct_add(LogicalType *st, const char *name, LogicalType t, bool nullable)
{
    Field *f = tarn_realloc(st->fields, (st->n_fields + 1) * sizeof(Field));
    if (!f) {
        type_destroy(&t);
        return TARN_ERR_NOMEM;
    }
    st->fields = f;
    if (field_init(&f[st->n_fields], name, t, nullable))
        return TARN_ERR_NOMEM;
    st->n_fields++;
    return 0;
}

int type_copy(LogicalType *dst, const LogicalType *src)
{
    *dst = *src;
    dst->fields = NULL;
    dst->n_fields = 0;
    if (!src->n_fields)
        return 0;
    Field *f = tarn_calloc(src->n_fields, sizeof(Field));
    if (!f)
        return TARN_ERR_NOMEM;
    dst->fields = f;
    for (uint32_t i = 0; i < src->n_fields; i++) {
        LogicalType ct;
        if (type_copy(&ct, &src->fields[i].type)) {
            type_destroy(dst);
            return TARN_ERR_NOMEM;
        }
        if (field_init(&f[i], src->fields[i].name, ct, src->fields[i].nullable)) {
            type_destroy(dst);
            return TARN_ERR_NOMEM;
        }
        dst->n_fields = i + 1;
    }
    return 0;
}

void type_destroy(LogicalType *t)
{
    for (uint32_t i = 0; i < t->n_fields; i++) {
        tarn_free(t->fields[i].name);
        type_destroy(&t->fields[i].type);
    }
    tarn_free(t->fields);
    t->fields = NULL;
    t->n_fields = 0;
}

bool type_equal(const LogicalType *a, const LogicalType *b)
{
    if (a->id != b->id || a->n_fields != b->n_fields)
        return false;
    if (a->id == TYPE_DECIMAL && (a->precision != b->precision || a->scale != b->scale))
        return false;
    for (uint32_t i = 0; i < a->n_fields; i++) {
        if (strcmp(a->fields[i].name, b->fields[i].name) != 0)
            return false;
        if (!type_equal(&a->fields[i].type, &b->fields[i].type))
            return false;
    }
    return true;
}

static const char *simple_name(TypeId id)
{
    switch (id) {
    case TYPE_BOOL: return "boolean";
    case TYPE_INT8: return "tinyint";
    case TYPE_INT16: return "smallint";
    case TYPE_INT32: return "integer";
    case TYPE_INT64: return "bigint";
    case TYPE_UINT8: return "utinyint";
    case TYPE_UINT16: return "usmallint";
    case TYPE_UINT32: return "uinteger";
    case TYPE_UINT64: return "ubigint";
    case TYPE_FLOAT: return "real";
    case TYPE_DOUBLE: return "double precision";
    case TYPE_DATE: return "date";
    case TYPE_TIME: return "time";
    case TYPE_TIMESTAMP: return "timestamp";
    case TYPE_TIMESTAMPTZ: return "timestamptz";
    case TYPE_INTERVAL: return "interval";
    case TYPE_STRING: return "text";
    case TYPE_BLOB: return "bytea";
    case TYPE_JSON: return "json";
    case TYPE_UUID: return "uuid";
    case TYPE_NULL: return "unknown";
    default: return "invalid";
    }
}

static void name_into(const LogicalType *t, char *buf, size_t cap, size_t *n)
{
#define PUT(...)                                                          \
    do {                                                                  \
        if (*n < cap) {                                                   \
            int w_ = snprintf(buf + *n, cap - *n, __VA_ARGS__);           \
            if (w_ > 0)                                                   \
                *n += (size_t)w_;                                         \
        }                                                                 \
    } while (0)
    switch (t->id) {
    case TYPE_DECIMAL:
        PUT("numeric(%d,%d)", t->precision, t->scale);
        break;
    case TYPE_LIST:
        name_into(&t->fields[0].type, buf, cap, n);
        PUT("[]");
        break;
    case TYPE_MAP:
        PUT("map(");
        name_into(&t->fields[0].type, buf, cap, n);
        PUT(", ");
        name_into(&t->fields[1].type, buf, cap, n);
        PUT(")");
        break;
    case TYPE_STRUCT:
        PUT("struct(");
        for (uint32_t i = 0; i < t->n_fields; i++) {
            PUT("%s%s ", i ? ", " : "", t->fields[i].name);
            name_into(&t->fields[i].type, buf, cap, n);
        }
        PUT(")");
        break;
    default:
        PUT("%s", simple_name(t->id));
    }
#undef PUT
}

const char *type_name(const LogicalType *t, char *buf, size_t cap)
{
    size_t n = 0;
    if (cap)
        buf[0] = '\0';
    name_into(t, buf, cap, &n);
    return buf;
}

void schema_init(Schema *s)
{
    s->n_fields = 0;
    s->fields = NULL;
}

int schema_add(Schema *s, const char *name, LogicalType t, bool nullable)
{
    Field *f = tarn_realloc(s->fields, (s->n_fields + 1) * sizeof(Field));
    if (!f) {
        type_destroy(&t);
        return TARN_ERR_NOMEM;
    }
    s->fields = f;
    if (field_init(&f[s->n_fields], name, t, nullable))
        return TARN_ERR_NOMEM;
    s->n_fields++;
    return 0;
}

int schema_copy(Schema *dst, const Schema *src)
{
    schema_init(dst);
    for (uint32_t i = 0; i < src->n_fields; i++) {
        LogicalType t;
        if (type_copy(&t, &src->fields[i].type) ||
            schema_add(dst, src->fields[i].name, t, src->fields[i].nullable)) {
            schema_destroy(dst);
            return TARN_ERR_NOMEM;
        }
    }
    return 0;
}

void schema_destroy(Schema *s)
{
    for (uint32_t i = 0; i < s->n_fields; i++) {
        tarn_free(s->fields[i].name);
        type_destroy(&s->fields[i].type);
    }
    tarn_free(s->fields);
    s->fields = NULL;
    s->n_fields = 0;
}

int schema_find(const Schema *s, const char *name)
{
    for (uint32_t i = 0; i < s->n_fields; i++)
        if (strcmp(s->fields[i].name, name) == 0)
            return (int)i;
    return -1;
}
