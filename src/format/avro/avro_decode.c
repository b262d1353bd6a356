/*
 * avro_decode.c - Avro schema compilation (JSON -> node tree -> tarn
 * Schema) and binary datum decoding into vectors.  See avro.h.
 */
#include "format/avro/avro.h"
#include "format/avro/avro_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "format/json/json_parse.h"
#include "vector/format.h"

/* ---- Schema compilation ---------------------------------------------------- */

typedef struct Compiler {
    AvroDecoder *d;
    TarnError *err;
    int depth;
} Compiler;

static const char *kind_name(AKind k)
{
    static const char *const names[] = {"null", "boolean", "int", "long", "float", "double", "bytes",
                                        "string", "record", "enum", "array", "map", "union", "fixed"};
    return names[k];
}

static int prim_kind(const char *s, AKind *out)
{
    static const struct {
        const char *n;
        AKind k;
    } prims[] = {{"null", AK_NULL},     {"boolean", AK_BOOL},  {"int", AK_INT},     {"long", AK_LONG},
                 {"float", AK_FLOAT},   {"double", AK_DOUBLE}, {"bytes", AK_BYTES}, {"string", AK_STRING}};
    for (size_t i = 0; i < sizeof prims / sizeof prims[0]; i++)
        if (!strcmp(s, prims[i].n)) {
            *out = prims[i].k;
            return 1;
        }
    return 0;
}

static ANode *node_new(Compiler *c, AKind k)
{
    ANode *n = arena_calloc(&c->d->arena, sizeof *n);
    if (!n) {
        ERR_NOMEM(c->err, sizeof *n);
        return NULL;
    }
    n->kind = k;
    n->null_branch = -1;
    return n;
}

static int bad_schema(Compiler *c, const char *fmt, const char *arg)
{
    char msg[256];
    snprintf(msg, sizeof msg, fmt, arg);
    return err_set_state(c->err, TARN_ERR_INVALID, "22023", "invalid Avro schema: %s", msg);
}

static const char *full_name(Compiler *c, const char *name, const char *ns)
{
    if (strchr(name, '.') || !ns || !*ns)
        return arena_strdup(&c->d->arena, name);
    size_t a = strlen(ns), b = strlen(name);
    char *s = arena_alloc(&c->d->arena, a + b + 2);
    if (!s)
        return NULL;
    memcpy(s, ns, a);
    s[a] = '.';
    memcpy(s + a + 1, name, b + 1);
    return s;
}

static ANode *lookup_named(Compiler *c, const char *name, const char *ns)
{
    char buf[512];
    if (!strchr(name, '.') && ns && *ns) {
        snprintf(buf, sizeof buf, "%s.%s", ns, name);
        for (size_t i = 0; i < c->d->n_named; i++)
            if (!strcmp(c->d->named[i]->name, buf))
                return c->d->named[i];
    }
    for (size_t i = 0; i < c->d->n_named; i++)
        if (!strcmp(c->d->named[i]->name, name))
            return c->d->named[i];
    return NULL;
}

static int register_named(Compiler *c, ANode *n)
{
    for (size_t i = 0; i < c->d->n_named; i++)
        if (!strcmp(c->d->named[i]->name, n->name))
            return bad_schema(c, "type \"%s\" is defined twice", n->name);
    if (c->d->n_named == c->d->cap_named) {
        size_t cap = c->d->cap_named ? c->d->cap_named * 2 : 8;
        ANode **p = tarn_realloc(c->d->named, cap * sizeof *p);
        if (!p)
            return ERR_NOMEM(c->err, cap * sizeof *p);
        c->d->named = p;
        c->d->cap_named = cap;
    }
    c->d->named[c->d->n_named++] = n;
    return 0;
}

static const char *str_attr(const JsonNode *o, const char *key)
{
    const JsonNode *v = json_object_get(o, key, strlen(key));
    return v && v->type == JSON_STRING ? v->u.str : NULL;
}

static bool int_attr(const JsonNode *o, const char *key, int64_t *out)
{
    const JsonNode *v = json_object_get(o, key, strlen(key));
    if (!v || v->type != JSON_INT)
        return false;
    *out = v->u.i;
    return true;
}

static int compile(Compiler *c, const JsonNode *j, const char *ns, ANode **out);

/* Applies a logicalType attribute when it is valid for the node. */
static void apply_logical(ANode *n, const JsonNode *j)
{
    const char *lt = str_attr(j, "logicalType");
    if (!lt)
        return;
    if (!strcmp(lt, "date") && n->kind == AK_INT)
        n->logical = AL_DATE;
    else if (!strcmp(lt, "time-millis") && n->kind == AK_INT)
        n->logical = AL_TIME_MS;
    else if (!strcmp(lt, "time-micros") && n->kind == AK_LONG)
        n->logical = AL_TIME_US;
    else if (!strcmp(lt, "timestamp-millis") && n->kind == AK_LONG)
        n->logical = AL_TS_MS;
    else if (!strcmp(lt, "timestamp-micros") && n->kind == AK_LONG)
        n->logical = AL_TS_US;
    else if (!strcmp(lt, "local-timestamp-millis") && n->kind == AK_LONG)
        n->logical = AL_LTS_MS;
    else if (!strcmp(lt, "local-timestamp-micros") && n->kind == AK_LONG)
        n->logical = AL_LTS_US;
    else if (!strcmp(lt, "uuid") && n->kind == AK_STRING)
        n->logical = AL_UUID;
    else if (!strcmp(lt, "duration") && n->kind == AK_FIXED && n->fixed_size == 12)
        n->logical = AL_DURATION;
    else if (!strcmp(lt, "decimal") && (n->kind == AK_BYTES || n->kind == AK_FIXED)) {
        int64_t p = 0, s = 0;
        if (!int_attr(j, "precision", &p) || p < 1 || p > DECIMAL_MAX_PRECISION)
            return;
        if (json_object_get(j, "scale", 5) && !int_attr(j, "scale", &s))
            return;
        if (s < 0 || s > p)
            return;
        if (n->kind == AK_FIXED && n->fixed_size > 16)
            return; /* more bytes than tarn's 128-bit decimals hold */
        n->logical = AL_DECIMAL;
        n->precision = (uint8_t)p;
        n->scale = (uint8_t)s;
    }
}

static int compile_record(Compiler *c, const JsonNode *j, const char *ns, ANode *n)
{
    const JsonNode *fields = json_object_get(j, "fields", 6);
    if (!fields || fields->type != JSON_ARRAY)
        return bad_schema(c, "record \"%s\" has no \"fields\" array", n->name);
    n->n = fields->len;
    n->kids = arena_calloc(&c->d->arena, (fields->len + 1) * sizeof *n->kids);
    n->names = arena_calloc(&c->d->arena, (fields->len + 1) * sizeof *n->names);
    if (!n->kids || !n->names)
        return ERR_NOMEM(c->err, fields->len * sizeof *n->kids);
    n->in_progress = true;
    for (uint32_t i = 0; i < fields->len; i++) {
        const JsonNode *f = &fields->u.items[i];
        const char *fname = f->type == JSON_OBJECT ? str_attr(f, "name") : NULL;
        if (!fname)
            return bad_schema(c, "a field of record \"%s\" has no name", n->name);
        for (uint32_t k = 0; k < i; k++)
            if (!strcmp(n->names[k], fname))
                return bad_schema(c, "duplicate field \"%s\"", fname);
        const JsonNode *ft = json_object_get(f, "type", 4);
        if (!ft)
            return bad_schema(c, "field \"%s\" has no type", fname);
        n->names[i] = arena_strdup(&c->d->arena, fname);
        if (!n->names[i])
            return ERR_NOMEM(c->err, strlen(fname));
        int rc = compile(c, ft, ns, &n->kids[i]);
        if (rc)
            return err_context(c->err, "field \"%s\"", fname);
        n->min_size += n->kids[i]->min_size;
    }
    n->in_progress = false;
    return 0;
}

static int compile_named(Compiler *c, const JsonNode *j, const char *ns, AKind k, ANode **out)
{
    const char *name = str_attr(j, "name");
    if (!name || !*name)
        return bad_schema(c, "a %s has no name", kind_name(k));
    const char *own_ns = str_attr(j, "namespace");
    ANode *n = node_new(c, k);
    if (!n)
        return TARN_ERR_NOMEM;
    n->name = full_name(c, name, own_ns ? own_ns : ns);
    if (!n->name)
        return ERR_NOMEM(c->err, strlen(name));
    const char *dot = strrchr(n->name, '.');
    n->short_name = dot ? dot + 1 : n->name;
    /* the namespace of nested definitions */
    char *inner_ns = NULL;
    if (dot) {
        inner_ns = arena_strndup(&c->d->arena, n->name, (size_t)(dot - n->name));
        if (!inner_ns)
            return ERR_NOMEM(c->err, 64);
    }
    int rc = register_named(c, n);
    if (rc)
        return rc;
    *out = n;
    if (k == AK_RECORD)
        return compile_record(c, j, inner_ns ? inner_ns : "", n);
    if (k == AK_ENUM) {
        const JsonNode *sym = json_object_get(j, "symbols", 7);
        if (!sym || sym->type != JSON_ARRAY)
            return bad_schema(c, "enum \"%s\" has no \"symbols\" array", n->name);
        n->n = sym->len;
        n->names = arena_calloc(&c->d->arena, (sym->len + 1) * sizeof *n->names);
        if (!n->names)
            return ERR_NOMEM(c->err, sym->len * sizeof *n->names);
        for (uint32_t i = 0; i < sym->len; i++) {
            if (sym->u.items[i].type != JSON_STRING)
                return bad_schema(c, "enum \"%s\" has a symbol that is not a string", n->name);
            n->names[i] = sym->u.items[i].u.str;
            n->name_lens = NULL;
        }
        n->min_size = 1;
        return 0;
    }
    /* fixed */
    int64_t size;
    if (!int_attr(j, "size", &size) || size < 0 || size > (INT64_C(1) << 30))
        return bad_schema(c, "fixed \"%s\" has no valid \"size\"", n->name);
    n->fixed_size = size;
    n->min_size = size;
    apply_logical(n, j);
    return 0;
}

static int compile(Compiler *c, const JsonNode *j, const char *ns, ANode **out)
{
    if (++c->depth > AVRO_MAX_DEPTH) {
        c->depth--;
        return bad_schema(c, "nested deeper than %s levels", "64");
    }
    int rc = 0;
    AKind k;
    if (j->type == JSON_STRING) {
        if (prim_kind(j->u.str, &k)) {
            *out = node_new(c, k);
            rc = *out ? 0 : TARN_ERR_NOMEM;
            if (!rc)
                (*out)->min_size = k == AK_NULL ? 0 : k == AK_FLOAT ? 4 : k == AK_DOUBLE ? 8 : 1;
        } else {
            ANode *n = lookup_named(c, j->u.str, ns);
            if (!n)
                rc = bad_schema(c, "unknown type \"%s\"", j->u.str);
            else if (n->in_progress)
                rc = err_set(c->err, TARN_ERR_UNSUPPORTED,
                             "unsupported: recursive Avro type \"%s\" cannot be mapped to a table schema",
                             n->name);
            else
                *out = n;
        }
    } else if (j->type == JSON_ARRAY) {
        ANode *n = node_new(c, AK_UNION);
        if (!n) {
            rc = TARN_ERR_NOMEM;
            goto done;
        }
        if (j->len == 0) {
            rc = bad_schema(c, "%s", "empty union");
            goto done;
        }
        n->n = j->len;
        n->kids = arena_calloc(&c->d->arena, j->len * sizeof *n->kids);
        if (!n->kids) {
            rc = ERR_NOMEM(c->err, j->len * sizeof *n->kids);
            goto done;
        }
        n->min_size = 1;
        for (uint32_t i = 0; i < j->len && !rc; i++) {
            rc = compile(c, &j->u.items[i], ns, &n->kids[i]);
            if (rc)
                break;
            ANode *b = n->kids[i];
            if (b->kind == AK_UNION)
                rc = bad_schema(c, "%s", "a union directly inside a union");
            else if (b->kind == AK_NULL) {
                if (n->null_branch >= 0)
                    rc = bad_schema(c, "%s", "a union with two null branches");
                n->null_branch = (int)i;
            }
            for (uint32_t k2 = 0; k2 < i && !rc; k2++) {
                ANode *o = n->kids[k2];
                if (o->kind == b->kind && (!o->name || !b->name || !strcmp(o->name, b->name)))
                    rc = bad_schema(c, "a union with two branches of type %s", kind_name(b->kind));
            }
        }
        *out = n;
    } else if (j->type == JSON_OBJECT) {
        const char *t = str_attr(j, "type");
        const JsonNode *tn = json_object_get(j, "type", 4);
        if (!tn) {
            rc = bad_schema(c, "%s", "a schema object without \"type\"");
        } else if (!t) {
            /* {"type": {...}} or {"type": [...]} */
            rc = compile(c, tn, ns, out);
        } else if (!strcmp(t, "record") || !strcmp(t, "error")) {
            rc = compile_named(c, j, ns, AK_RECORD, out);
        } else if (!strcmp(t, "enum")) {
            rc = compile_named(c, j, ns, AK_ENUM, out);
        } else if (!strcmp(t, "fixed")) {
            rc = compile_named(c, j, ns, AK_FIXED, out);
        } else if (!strcmp(t, "array") || !strcmp(t, "map")) {
            bool arr = t[0] == 'a';
            const JsonNode *it = json_object_get(j, arr ? "items" : "values", arr ? 5 : 6);
            ANode *n = node_new(c, arr ? AK_ARRAY : AK_MAP);
            if (!n)
                rc = TARN_ERR_NOMEM;
            else if (!it)
                rc = bad_schema(c, "%s without its element type", t);
            else {
                n->n = 1;
                n->kids = arena_calloc(&c->d->arena, sizeof *n->kids);
                rc = n->kids ? compile(c, it, ns, &n->kids[0]) : TARN_ERR_NOMEM;
                n->min_size = 1;
                *out = n;
            }
        } else if (prim_kind(t, &k)) {
            ANode *n = node_new(c, k);
            if (!n)
                rc = TARN_ERR_NOMEM;
            else {
                n->min_size = k == AK_NULL ? 0 : k == AK_FLOAT ? 4 : k == AK_DOUBLE ? 8 : 1;
                apply_logical(n, j);
                *out = n;
            }
        } else {
            /* a reference to a named type, written as an object */
            ANode *n = lookup_named(c, t, ns);
            if (!n)
                rc = bad_schema(c, "unknown type \"%s\"", t);
            else if (n->in_progress)
                rc = err_set(c->err, TARN_ERR_UNSUPPORTED,
                             "unsupported: recursive Avro type \"%s\" cannot be mapped to a table schema",
                             n->name);
            else
                *out = n;
        }
    } else {
        rc = bad_schema(c, "%s", "a schema must be a string, an object or an array");
    }
done:
    c->depth--;
    return rc;
}

/* ---- tarn types ---------------------------------------------------------------- */

static int node_type(const ANode *n, LogicalType *out, bool *nullable, TarnError *err);

static int scalar_type(const ANode *n, LogicalType *out)
{
    switch (n->logical) {
    case AL_DATE: *out = type_simple(TYPE_DATE); return 0;
    case AL_TIME_MS:
    case AL_TIME_US: *out = type_simple(TYPE_TIME); return 0;
    case AL_TS_MS:
    case AL_TS_US: *out = type_simple(TYPE_TIMESTAMPTZ); return 0;
    case AL_LTS_MS:
    case AL_LTS_US: *out = type_simple(TYPE_TIMESTAMP); return 0;
    case AL_UUID: *out = type_simple(TYPE_UUID); return 0;
    case AL_DURATION: *out = type_simple(TYPE_INTERVAL); return 0;
    case AL_DECIMAL: *out = type_decimal(n->precision, n->scale); return 0;
    case AL_NONE: break;
    }
    switch (n->kind) {
    case AK_NULL: *out = type_simple(TYPE_STRING); return 0;
    case AK_BOOL: *out = type_simple(TYPE_BOOL); return 0;
    case AK_INT: *out = type_simple(TYPE_INT32); return 0;
    case AK_LONG: *out = type_simple(TYPE_INT64); return 0;
    case AK_FLOAT: *out = type_simple(TYPE_FLOAT); return 0;
    case AK_DOUBLE: *out = type_simple(TYPE_DOUBLE); return 0;
    case AK_BYTES:
    case AK_FIXED: *out = type_simple(TYPE_BLOB); return 0;
    case AK_STRING:
    case AK_ENUM: *out = type_simple(TYPE_STRING); return 0;
    default: return -1;
    }
}

static int node_type(const ANode *n, LogicalType *out, bool *nullable, TarnError *err)
{
    *nullable = n->kind == AK_NULL;
    if (scalar_type(n, out) == 0)
        return 0;
    switch (n->kind) {
    case AK_ARRAY:
    case AK_MAP: {
        LogicalType el;
        bool el_null;
        int rc = node_type(n->kids[0], &el, &el_null, err);
        if (rc)
            return rc;
        rc = n->kind == AK_ARRAY ? type_list(out, el, el_null)
                                 : type_map(out, type_simple(TYPE_STRING), el, el_null);
        return rc ? ERR_NOMEM(err, 64) : 0;
    }
    case AK_RECORD: {
        type_struct_init(out);
        for (uint32_t i = 0; i < n->n; i++) {
            LogicalType ft;
            bool fn;
            int rc = node_type(n->kids[i], &ft, &fn, err);
            if (rc) {
                type_destroy(out);
                return rc;
            }
            if (type_struct_add(out, n->names[i], ft, fn)) {
                type_destroy(out);
                return ERR_NOMEM(err, 64);
            }
        }
        return 0;
    }
    case AK_UNION: {
        *nullable = n->null_branch >= 0;
        uint32_t non_null = n->n - (n->null_branch >= 0);
        if (non_null == 0) {
            *out = type_simple(TYPE_STRING);
            return 0;
        }
        if (non_null == 1) {
            bool dummy;
            return node_type(n->kids[n->null_branch == 0 ? 1 : 0], out, &dummy, err);
        }
        type_struct_init(out);
        for (uint32_t i = 0; i < n->n; i++) {
            if ((int)i == n->null_branch)
                continue;
            const ANode *b = n->kids[i];
            LogicalType ft;
            bool fn;
            int rc = node_type(b, &ft, &fn, err);
            if (rc) {
                type_destroy(out);
                return rc;
            }
            const char *nm = b->short_name ? b->short_name : kind_name(b->kind);
            if (type_struct_add(out, nm, ft, true)) {
                type_destroy(out);
                return ERR_NOMEM(err, 64);
            }
        }
        return 0;
    }
    default: return ERR_INTERNAL(err, "unexpected Avro node kind");
    }
}

AvroDecoder *avro_decoder_new(const char *schema_json, size_t len, TarnError *err)
{
    if (len == (size_t)-1)
        len = strlen(schema_json);
    AvroDecoder *d = tarn_calloc(1, sizeof *d);
    if (!d) {
        ERR_NOMEM(err, sizeof *d);
        return NULL;
    }
    arena_init(&d->arena, 0);
    schema_init(&d->schema);
    Compiler c = {d, err, 0};
    JsonNode *j = NULL;
    int rc = json_parse(&d->arena, schema_json, len, &j, err);
    if (rc) {
        err_context(err, "parsing the Avro schema");
        goto fail;
    }
    if ((rc = compile(&c, j, "", &d->root)))
        goto fail;
    const ANode *r = d->root;
    if (r->kind == AK_RECORD) {
        d->top_record = true;
        for (uint32_t i = 0; i < r->n; i++) {
            LogicalType t;
            bool nullable;
            if ((rc = node_type(r->kids[i], &t, &nullable, err)))
                goto fail;
            if (schema_add(&d->schema, r->names[i], t, nullable)) {
                ERR_NOMEM(err, 64);
                goto fail;
            }
        }
    } else {
        LogicalType t;
        bool nullable;
        if ((rc = node_type(r, &t, &nullable, err)))
            goto fail;
        if (schema_add(&d->schema, "value", t, true)) {
            ERR_NOMEM(err, 64);
            goto fail;
        }
    }
    return d;
fail:
    avro_decoder_free(d);
    return NULL;
}

void avro_decoder_free(AvroDecoder *d)
{
    if (!d)
        return;
    schema_destroy(&d->schema);
    tarn_free(d->named);
    arena_free(&d->arena);
    tarn_free(d);
}

const Schema *avro_decoder_schema(const AvroDecoder *d) { return &d->schema; }

/* ---- Datum decoding ---------------------------------------------------------------- */

typedef struct Cur {
    const uint8_t *p, *end, *start;
    AvroDecoder *d;
    TarnError *err;
    int depth;
    uint64_t items; /* array/map items decoded in this datum */
} Cur;

static int corrupt(Cur *c, const char *what)
{
    char path[512];
    size_t n = 0;
    path[0] = 0;
    for (int i = 0; i < c->depth && i < AVRO_MAX_DEPTH; i++) {
        const char *s = c->d->path[i];
        if (!s)
            continue;
        n += (size_t)snprintf(path + n, sizeof path - (n < sizeof path ? n : sizeof path), "%s%s",
                              n ? "." : "", s);
        if (n >= sizeof path)
            n = sizeof path - 1;
    }
    if (path[0])
        return err_set_state(c->err, TARN_ERR_CORRUPT, "22P02",
                             "invalid Avro data at byte %zu (field \"%s\"): %s",
                             (size_t)(c->p - c->start), path, what);
    return err_set_state(c->err, TARN_ERR_CORRUPT, "22P02", "invalid Avro data at byte %zu: %s",
                         (size_t)(c->p - c->start), what);
}

static inline int read_long(Cur *c, int64_t *out)
{
    uint64_t v = 0;
    int shift = 0;
    const uint8_t *p = c->p;
    for (;;) {
        if (p >= c->end)
            return corrupt(c, "truncated varint");
        uint8_t b = *p++;
        if (shift == 63 && (b & 0x7E))
            return corrupt(c, "varint longer than 64 bits");
        v |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80))
            break;
        shift += 7;
        if (shift > 63)
            return corrupt(c, "varint longer than 64 bits");
    }
    c->p = p;
    *out = (int64_t)((v >> 1) ^ (~(v & 1) + 1));
    return 0;
}

static inline int read_int(Cur *c, int32_t *out)
{
    int64_t v = 0;
    int rc = read_long(c, &v);
    if (rc)
        return rc;
    if (v < INT32_MIN || v > INT32_MAX)
        return corrupt(c, "int out of range");
    *out = (int32_t)v;
    return 0;
}

static int read_len(Cur *c, const uint8_t **bytes, size_t *n)
{
    int64_t len = 0;
    int rc = read_long(c, &len);
    if (rc)
        return rc;
    if (len < 0)
        return corrupt(c, "negative length");
    if ((uint64_t)len > (uint64_t)(c->end - c->p))
        return corrupt(c, "truncated bytes or string");
    *bytes = c->p;
    *n = (size_t)len;
    c->p += len;
    return 0;
}

static bool utf8_ok(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        /* 8 ASCII bytes at a time */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & UINT64_C(0x8080808080808080))
                break;
            i += 8;
        }
        if (i >= n)
            break;
        uint8_t b = s[i];
        if (b < 0x80) {
            i++;
            continue;
        }
        size_t k;
        uint32_t cp;
        if (b >= 0xC2 && b <= 0xDF) {
            k = 1;
            cp = b & 0x1F;
        } else if (b >= 0xE0 && b <= 0xEF) {
            k = 2;
            cp = b & 0x0F;
        } else if (b >= 0xF0 && b <= 0xF4) {
            k = 3;
            cp = b & 0x07;
        } else
            return false;
        if (n - i <= k)
            return false;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + j] & 0x3F);
        }
        if ((k == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
            return false;
        i += k + 1;
    }
    return true;
}

static int decode(Cur *c, const ANode *n, Vector *v);

static int append_decimal(Cur *c, const ANode *n, Vector *v, const uint8_t *b, size_t len)
{
    if (len > 16)
        return corrupt(c, "decimal wider than 16 bytes");
    if (len == 0)
        return corrupt(c, "empty decimal");
    avro_u128 u = (b[0] & 0x80) ? ~(avro_u128)0 : 0;
    for (size_t i = 0; i < len; i++)
        u = (u << 8) | b[i];
    int128_t x = (int128_t)u;
    /* |x| < 10^precision */
    avro_u128 lim = 1;
    for (int i = 0; i < n->precision; i++)
        lim *= 10;
    avro_u128 ax = x < 0 ? (avro_u128)0 - (avro_u128)x : (avro_u128)x;
    if (ax >= lim)
        return corrupt(c, "decimal value does not fit its precision");
    if (n->precision <= DECIMAL64_MAX_PRECISION)
        return vec_append_i64(v, (int64_t)x) ? ERR_NOMEM(c->err, 16) : 0;
    return vec_append_i128(v, x) ? ERR_NOMEM(c->err, 16) : 0;
}

static int decode_items(Cur *c, const ANode *n, Vector *v)
{
    bool is_map = n->kind == AK_MAP;
    const ANode *it = n->kids[0];
    for (;;) {
        int64_t count = 0;
        int rc = read_long(c, &count);
        if (rc)
            return rc;
        if (count == 0)
            break;
        if (count < 0) {
            if (count == INT64_MIN)
                return corrupt(c, "bad block count");
            count = -count;
            int64_t bytes = 0;
            if ((rc = read_long(c, &bytes)))
                return rc;
            if (bytes < 0)
                return corrupt(c, "negative block size");
        }
        /* every item takes at least min_size bytes (a map key at least 1) */
        uint64_t per = it->min_size + (is_map ? 1 : 0);
        uint64_t left = (uint64_t)(c->end - c->p);
        if (per ? (uint64_t)count > left / per : (uint64_t)count > AVRO_MAX_ITEMS - c->items)
            return corrupt(c, "block count exceeds the data");
        c->items += (uint64_t)count;
        if (c->items > AVRO_MAX_ITEMS)
            return corrupt(c, "too many array or map items");
        for (int64_t i = 0; i < count; i++) {
            if (is_map) {
                const uint8_t *k;
                size_t kl;
                if ((rc = read_len(c, &k, &kl)))
                    return rc;
                if (!utf8_ok(k, kl))
                    return corrupt(c, "invalid UTF-8 in a map key");
                if (vec_append_str(&v->children[0], (const char *)k, kl))
                    return ERR_NOMEM(c->err, kl);
                if ((rc = decode(c, it, &v->children[1])))
                    return rc;
            } else if ((rc = decode(c, it, &v->children[0]))) {
                return rc;
            }
        }
    }
    return vec_append_list_end(v) ? ERR_NOMEM(c->err, 16) : 0;
}

static int decode(Cur *c, const ANode *n, Vector *v)
{
    int rc;
    switch (n->kind) {
    case AK_NULL: return vec_append_null(v) ? ERR_NOMEM(c->err, 16) : 0;
    case AK_BOOL:
        if (c->p >= c->end)
            return corrupt(c, "truncated boolean");
        if (*c->p > 1)
            return corrupt(c, "boolean byte is neither 0 nor 1");
        rc = vec_append_bool(v, *c->p++);
        break;
    case AK_INT: {
        int32_t x = 0;
        if ((rc = read_int(c, &x)))
            return rc;
        if (n->logical == AL_TIME_MS) {
            if (x < 0 || x >= 86400000)
                return corrupt(c, "time-millis out of range");
            rc = vec_append_i64(v, (int64_t)x * 1000);
        } else
            rc = vec_append_i64(v, x);
        break;
    }
    case AK_LONG: {
        int64_t x = 0;
        if ((rc = read_long(c, &x)))
            return rc;
        if (n->logical == AL_TS_MS || n->logical == AL_LTS_MS) {
            if (__builtin_mul_overflow(x, 1000, &x))
                return corrupt(c, "timestamp out of range");
        } else if (n->logical == AL_TIME_US && (x < 0 || x > INT64_C(86400000000)))
            return corrupt(c, "time-micros out of range");
        rc = vec_append_i64(v, x);
        break;
    }
    case AK_FLOAT: {
        if (c->end - c->p < 4)
            return corrupt(c, "truncated float");
        float f;
        uint32_t u = load_le32(c->p);
        memcpy(&f, &u, 4);
        c->p += 4;
        rc = vec_append_double(v, f);
        break;
    }
    case AK_DOUBLE: {
        if (c->end - c->p < 8)
            return corrupt(c, "truncated double");
        double f;
        uint64_t u = load_le64(c->p);
        memcpy(&f, &u, 8);
        c->p += 8;
        rc = vec_append_double(v, f);
        break;
    }
    case AK_BYTES:
    case AK_STRING: {
        const uint8_t *b;
        size_t len;
        if ((rc = read_len(c, &b, &len)))
            return rc;
        if (n->logical == AL_DECIMAL)
            return append_decimal(c, n, v, b, len);
        if (n->logical == AL_UUID) {
            uint8_t u[16];
            if (!value_parse_uuid((const char *)b, len, u))
                return corrupt(c, "invalid uuid");
            rc = vec_append_str(v, (const char *)u, 16);
            break;
        }
        if (n->kind == AK_STRING && !utf8_ok(b, len))
            return corrupt(c, "invalid UTF-8 in a string");
        rc = vec_append_str(v, (const char *)b, len);
        break;
    }
    case AK_FIXED: {
        if ((uint64_t)(c->end - c->p) < (uint64_t)n->fixed_size)
            return corrupt(c, "truncated fixed");
        const uint8_t *b = c->p;
        c->p += n->fixed_size;
        if (n->logical == AL_DECIMAL)
            return append_decimal(c, n, v, b, (size_t)n->fixed_size);
        if (n->logical == AL_DURATION) {
            Interval iv = {(int32_t)load_le32(b), (int32_t)load_le32(b + 4), (int64_t)load_le32(b + 8) * 1000};
            if (load_le32(b) > INT32_MAX || load_le32(b + 4) > INT32_MAX)
                return corrupt(c, "duration out of range");
            rc = vec_append_interval(v, iv);
            break;
        }
        rc = vec_append_str(v, (const char *)b, (size_t)n->fixed_size);
        break;
    }
    case AK_ENUM: {
        int32_t x = 0;
        if ((rc = read_int(c, &x)))
            return rc;
        if (x < 0 || (uint32_t)x >= n->n)
            return corrupt(c, "enum index out of range");
        rc = vec_append_str(v, n->names[x], strlen(n->names[x]));
        break;
    }
    case AK_ARRAY:
    case AK_MAP:
        if (c->depth >= AVRO_MAX_DEPTH)
            return corrupt(c, "nested too deeply");
        c->d->path[c->depth++] = NULL;
        rc = decode_items(c, n, v);
        c->depth--;
        return rc;
    case AK_RECORD:
        if (c->depth >= AVRO_MAX_DEPTH)
            return corrupt(c, "nested too deeply");
        c->depth++;
        for (uint32_t i = 0; i < n->n; i++) {
            c->d->path[c->depth - 1] = n->names[i];
            if ((rc = decode(c, n->kids[i], &v->children[i]))) {
                return rc;
            }
        }
        c->depth--;
        rc = vec_append_struct_end(v);
        break;
    case AK_UNION: {
        int64_t br = 0;
        if ((rc = read_long(c, &br)))
            return rc;
        if (br < 0 || (uint64_t)br >= n->n)
            return corrupt(c, "union branch index out of range");
        if ((int)br == n->null_branch)
            return vec_append_null(v) ? ERR_NOMEM(c->err, 16) : 0;
        uint32_t non_null = n->n - (n->null_branch >= 0);
        if (non_null == 1)
            return decode(c, n->kids[br], v);
        /* general union: struct with one field per non-null branch */
        uint32_t f = 0;
        for (uint32_t i = 0; i < n->n; i++) {
            if ((int)i == n->null_branch)
                continue;
            if (i == (uint32_t)br)
                rc = decode(c, n->kids[i], &v->children[f]);
            else
                rc = vec_append_null(&v->children[f]) ? ERR_NOMEM(c->err, 16) : 0;
            if (rc)
                return rc;
            f++;
        }
        rc = vec_append_struct_end(v);
        break;
    }
    default: return ERR_INTERNAL(c->err, "unexpected Avro node kind");
    }
    return rc ? ERR_NOMEM(c->err, 16) : 0;
}

/* Drops values [n, len) of v (and what they own in children), restoring
 * the validity bits so the slots can be appended again. */
static void vec_truncate(Vector *v, uint32_t n)
{
    if (v->validity)
        for (uint32_t i = n; i < v->len && i < v->cap; i++)
            v->validity[i >> 3] |= (uint8_t)(1u << (i & 7));
    if (n < v->len)
        v->len = n;
    if (v->type->id == TYPE_LIST || v->type->id == TYPE_MAP) {
        uint32_t cn = v->offsets ? v->offsets[v->len] : 0;
        for (uint32_t i = 0; i < v->n_children; i++)
            vec_truncate(&v->children[i], cn);
    } else if (v->type->id == TYPE_STRUCT) {
        for (uint32_t i = 0; i < v->n_children; i++)
            vec_truncate(&v->children[i], v->len);
    }
}

int avro_decode_one(AvroDecoder *d, const uint8_t *buf, size_t len, size_t *used, Batch *b,
                    TarnError *err)
{
    uint32_t ncol = d->schema.n_fields;
    if (b->n_cols < ncol)
        return ERR_INTERNAL(err, "batch has fewer columns than the Avro schema");
    Cur c = {buf, buf + len, buf, d, err, 0, 0};
    uint32_t row = b->n_rows;
    int rc = 0;
    if (d->top_record) {
        c.depth = 1;
        for (uint32_t i = 0; i < ncol && !rc; i++) {
            d->path[0] = d->root->names[i];
            rc = decode(&c, d->root->kids[i], &b->cols[i]);
        }
    } else {
        rc = decode(&c, d->root, &b->cols[0]);
    }
    if (rc) {
        for (uint32_t i = 0; i < ncol; i++)
            vec_truncate(&b->cols[i], row);
        return rc;
    }
    *used = (size_t)(c.p - buf);
    b->n_rows = row + 1;
    return 0;
}

int avro_decode_append(AvroDecoder *d, const uint8_t *buf, size_t len, Batch *b, TarnError *err)
{
    size_t used = 0;
    uint32_t row = b->n_rows;
    int rc = avro_decode_one(d, buf, len, &used, b, err);
    if (rc)
        return rc;
    if (used != len) {
        for (uint32_t i = 0; i < d->schema.n_fields; i++)
            vec_truncate(&b->cols[i], row);
        b->n_rows = row;
        return err_set_state(err, TARN_ERR_CORRUPT, "22P02",
                             "invalid Avro data: %zu bytes left after the datum (of %zu)", len - used, len);
    }
    return 0;
}

int avro_confluent_unframe(const uint8_t *msg, size_t len, uint32_t *schema_id, const uint8_t **datum,
                           size_t *datum_len, TarnError *err)
{
    if (len < 5)
        return err_set_state(err, TARN_ERR_CORRUPT, "22P02",
                             "invalid Confluent Avro message: %zu bytes, shorter than the 5-byte header", len);
    if (msg[0] != 0)
        return err_set_state(err, TARN_ERR_CORRUPT, "22P02",
                             "invalid Confluent Avro message: magic byte %u, expected 0", msg[0]);
    *schema_id = (uint32_t)msg[1] << 24 | (uint32_t)msg[2] << 16 | (uint32_t)msg[3] << 8 | msg[4];
    *datum = msg + 5;
    *datum_len = len - 5;
    return 0;
}

int avro_write_long(Buf *out, int64_t v)
{
    uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
    uint8_t tmp[10];
    int n = 0;
    while (z >= 0x80) {
        tmp[n++] = (uint8_t)(z | 0x80);
        z >>= 7;
    }
    tmp[n++] = (uint8_t)z;
    return buf_append(out, tmp, (size_t)n);
}

int avro_write_bytes(Buf *out, const void *p, size_t n)
{
    int rc = avro_write_long(out, (int64_t)n);
    return rc ? rc : buf_append(out, p, n);
}
