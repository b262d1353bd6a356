/*
 * schema.c - Parquet schema to tarn schema, leaf descriptors and assembly
 * trees (see schema.h; LogicalTypes.md "Nested Types" for the rules).
 */
#include "format/parquet/schema.h"

#include <stdio.h>
#include <string.h>

typedef struct Builder {
    const PqFileMetaData *md;
    Arena *a;
    TarnError *err;
    int pos;           /* next schema element to consume */
    int n_leaves;
    int cap_leaves;
    PqLeaf *leaves;
    int top_field;
    int depth;
} Builder;

typedef struct Ctx {
    int slot_def; /* a level position holds a slot of the node iff def >= slot_def */
    int def;      /* definition level of the parent value's presence */
    int rep;      /* repetition level of the parent slot */
} Ctx;

static int build_field(Builder *b, int idx, Ctx ctx, PqNode *node, LogicalType *type, bool *nullable,
                       const char *path);
static int build_inner(Builder *b, int idx, Ctx ctx, int def, PqNode *node, LogicalType *type,
                       const char *path);

const char *pq_phys_name(int phys)
{
    static const char *names[] = {"BOOLEAN", "INT32", "INT64", "INT96",
                                  "FLOAT", "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"};
    if (phys >= 0 && phys < 8)
        return names[phys];
    return "UNKNOWN";
}

const char *pq_encoding_name(int enc)
{
    switch (enc) {
    case PQ_ENC_PLAIN: return "PLAIN";
    case PQ_ENC_PLAIN_DICTIONARY: return "PLAIN_DICTIONARY";
    case PQ_ENC_RLE: return "RLE";
    case PQ_ENC_BIT_PACKED: return "BIT_PACKED";
    case PQ_ENC_DELTA_BINARY_PACKED: return "DELTA_BINARY_PACKED";
    case PQ_ENC_DELTA_LENGTH_BYTE_ARRAY: return "DELTA_LENGTH_BYTE_ARRAY";
    case PQ_ENC_DELTA_BYTE_ARRAY: return "DELTA_BYTE_ARRAY";
    case PQ_ENC_RLE_DICTIONARY: return "RLE_DICTIONARY";
    case PQ_ENC_BYTE_STREAM_SPLIT: return "BYTE_STREAM_SPLIT";
    default: return "UNKNOWN";
    }
}

const char *pq_converted_name(int ct)
{
    static const char *names[] = {
        "UTF8", "MAP", "MAP_KEY_VALUE", "LIST", "ENUM", "DECIMAL", "DATE", "TIME_MILLIS",
        "TIME_MICROS", "TIMESTAMP_MILLIS", "TIMESTAMP_MICROS", "UINT_8", "UINT_16", "UINT_32",
        "UINT_64", "INT_8", "INT_16", "INT_32", "INT_64", "JSON", "BSON", "INTERVAL"};
    if (ct >= 0 && ct < (int)(sizeof names / sizeof names[0]))
        return names[ct];
    return "";
}

static const char *unit_name(PqTimeUnit u)
{
    return u == PQ_MILLIS ? "MILLIS" : u == PQ_MICROS ? "MICROS" : "NANOS";
}

const char *pq_logical_text(const PqLogicalType *lt, char *buf, size_t cap)
{
    switch (lt->kind) {
    case PQ_LT_NONE: snprintf(buf, cap, "%s", ""); break;
    case PQ_LT_STRING: snprintf(buf, cap, "STRING"); break;
    case PQ_LT_MAP: snprintf(buf, cap, "MAP"); break;
    case PQ_LT_LIST: snprintf(buf, cap, "LIST"); break;
    case PQ_LT_ENUM: snprintf(buf, cap, "ENUM"); break;
    case PQ_LT_DECIMAL: snprintf(buf, cap, "DECIMAL(%d,%d)", lt->precision, lt->scale); break;
    case PQ_LT_DATE: snprintf(buf, cap, "DATE"); break;
    case PQ_LT_TIME:
        snprintf(buf, cap, "TIME(%s,%s)", unit_name(lt->unit), lt->is_adjusted_to_utc ? "true" : "false");
        break;
    case PQ_LT_TIMESTAMP:
        snprintf(buf, cap, "TIMESTAMP(%s,%s)", unit_name(lt->unit),
                 lt->is_adjusted_to_utc ? "true" : "false");
        break;
    case PQ_LT_INTEGER:
        snprintf(buf, cap, "INTEGER(%d,%s)", lt->bit_width, lt->is_signed ? "true" : "false");
        break;
    case PQ_LT_UNKNOWN_NULL: snprintf(buf, cap, "UNKNOWN"); break;
    case PQ_LT_JSON: snprintf(buf, cap, "JSON"); break;
    case PQ_LT_BSON: snprintf(buf, cap, "BSON"); break;
    case PQ_LT_UUID: snprintf(buf, cap, "UUID"); break;
    case PQ_LT_FLOAT16: snprintf(buf, cap, "FLOAT16"); break;
    case PQ_LT_VARIANT: snprintf(buf, cap, "VARIANT"); break;
    case PQ_LT_GEOMETRY: snprintf(buf, cap, "GEOMETRY"); break;
    case PQ_LT_GEOGRAPHY: snprintf(buf, cap, "GEOGRAPHY"); break;
    default: snprintf(buf, cap, "(unknown logical type)"); break;
    }
    return buf;
}

static const PqSchemaElement *elem(Builder *b, int idx)
{
    return &b->md->schema[idx];
}

/* Index just past the subtree rooted at idx, or -1 when malformed. */
static int subtree_end(Builder *b, int idx, int depth)
{
    if (depth > PQ_MAX_NESTING || idx >= b->md->n_schema)
        return -1;
    int n = elem(b, idx)->num_children;
    int next = idx + 1;
    for (int i = 0; i < n; i++) {
        next = subtree_end(b, next, depth + 1);
        if (next < 0)
            return -1;
    }
    return next;
}

static char *join_path(Builder *b, const char *parent, const char *name)
{
    size_t lp = parent ? strlen(parent) : 0, ln = strlen(name);
    char *p = arena_alloc(b->a, lp + ln + 2);
    if (!p)
        return NULL;
    if (lp) {
        memcpy(p, parent, lp);
        p[lp] = '.';
        memcpy(p + lp + 1, name, ln + 1);
    } else {
        memcpy(p, name, ln + 1);
    }
    return p;
}

static bool is_group(const PqSchemaElement *e)
{
    return e->num_children > 0 || e->type < 0;
}

static bool annotated_list(const PqSchemaElement *e)
{
    return e->logical.kind == PQ_LT_LIST || e->converted_type == PQ_CT_LIST;
}

static bool annotated_map(const PqSchemaElement *e)
{
    return e->logical.kind == PQ_LT_MAP || e->converted_type == PQ_CT_MAP ||
           e->converted_type == PQ_CT_MAP_KEY_VALUE;
}

/* Children of group idx: fills child[] with their element indexes. */
static int children_of(Builder *b, int idx, int *child, int max)
{
    int n = elem(b, idx)->num_children;
    if (n > max)
        return -1;
    int next = idx + 1;
    for (int i = 0; i < n; i++) {
        child[i] = next;
        next = subtree_end(b, next, b->depth + 1);
        if (next < 0)
            return -1;
    }
    return n;
}

static int decimal_type(Builder *b, const PqSchemaElement *e, int precision, int scale,
                        LogicalType *type, const char *path)
{
    if (precision <= 0 || precision > DECIMAL_MAX_PRECISION || scale < 0 || scale > precision) {
        if (precision > DECIMAL_MAX_PRECISION && scale >= 0 && scale <= precision)
            return err_set(b->err, TARN_ERR_UNSUPPORTED,
                           "unsupported: DECIMAL(%d,%d) in column \"%s\" (precision above 38)",
                           precision, scale, path);
        return err_set(b->err, TARN_ERR_CORRUPT, "column \"%s\": invalid DECIMAL(%d,%d)", path,
                       precision, scale);
    }
    (void)e;
    *type = type_decimal(precision, scale);
    return 0;
}

/* Maps a primitive element to a tarn type and a conversion. */
static int leaf_type(Builder *b, const PqSchemaElement *e, LogicalType *type, PqConv *conv,
                     const char *path)
{
    PqLogicalType known = e->logical;
    if (known.kind == PQ_LT_UNKNOWN)
        known.kind = PQ_LT_NONE; /* unknown annotation: fall back to converted/physical type */
    const PqLogicalType *lt = &known;
    int ct = e->converted_type;
    int phys = e->type;
    *conv = PQ_CONV_NONE;

    if (lt->kind == PQ_LT_UNKNOWN_NULL) {
        /* Always-null column: keep a type from the physical type, every value NULL. */
        *conv = PQ_CONV_NULL;
        *type = type_simple(TYPE_NULL);
        return 0;
    }
    bool is_decimal = lt->kind == PQ_LT_DECIMAL || (lt->kind == PQ_LT_NONE && ct == PQ_CT_DECIMAL);
    int prec = lt->kind == PQ_LT_DECIMAL ? lt->precision : e->precision;
    int scale = lt->kind == PQ_LT_DECIMAL ? lt->scale : e->scale;

    switch (phys) {
    case PQ_BOOLEAN:
        *type = type_simple(TYPE_BOOL);
        *conv = PQ_CONV_BOOL;
        return 0;
    case PQ_INT32:
        if (is_decimal) {
            *conv = PQ_CONV_I32_DECIMAL;
            return decimal_type(b, e, prec, scale, type, path);
        }
        if (lt->kind == PQ_LT_DATE || (lt->kind == PQ_LT_NONE && ct == PQ_CT_DATE)) {
            *type = type_simple(TYPE_DATE);
            return 0;
        }
        if ((lt->kind == PQ_LT_TIME && lt->unit == PQ_MILLIS) ||
            (lt->kind == PQ_LT_NONE && ct == PQ_CT_TIME_MILLIS)) {
            *type = type_simple(TYPE_TIME);
            *conv = PQ_CONV_TIME_MS;
            return 0;
        }
        if (lt->kind == PQ_LT_INTEGER || (lt->kind == PQ_LT_NONE && ct >= PQ_CT_UINT_8 && ct <= PQ_CT_INT_64)) {
            int width = 32;
            bool sign = true;
            if (lt->kind == PQ_LT_INTEGER) {
                width = lt->bit_width;
                sign = lt->is_signed;
            } else {
                switch (ct) {
                case PQ_CT_UINT_8: width = 8; sign = false; break;
                case PQ_CT_UINT_16: width = 16; sign = false; break;
                case PQ_CT_UINT_32: width = 32; sign = false; break;
                case PQ_CT_INT_8: width = 8; break;
                case PQ_CT_INT_16: width = 16; break;
                default: width = 32; break;
                }
            }
            if (width == 8) {
                *type = type_simple(sign ? TYPE_INT8 : TYPE_UINT8);
                *conv = sign ? PQ_CONV_I32_TO_I8 : PQ_CONV_I32_TO_U8;
            } else if (width == 16) {
                *type = type_simple(sign ? TYPE_INT16 : TYPE_UINT16);
                *conv = sign ? PQ_CONV_I32_TO_I16 : PQ_CONV_I32_TO_U16;
            } else {
                *type = type_simple(sign ? TYPE_INT32 : TYPE_UINT32);
            }
            return 0;
        }
        *type = type_simple(TYPE_INT32);
        return 0;
    case PQ_INT64:
        if (is_decimal) {
            *conv = PQ_CONV_I64_DECIMAL;
            return decimal_type(b, e, prec, scale, type, path);
        }
        if (lt->kind == PQ_LT_TIME || (lt->kind == PQ_LT_NONE && ct == PQ_CT_TIME_MICROS)) {
            *type = type_simple(TYPE_TIME);
            if (lt->kind == PQ_LT_TIME && lt->unit == PQ_NANOS)
                *conv = PQ_CONV_TIME_NS;
            else if (lt->kind == PQ_LT_TIME && lt->unit == PQ_MILLIS)
                *conv = PQ_CONV_TS_MS; /* millis in an INT64: scale like timestamps */
            return 0;
        }
        if (lt->kind == PQ_LT_TIMESTAMP) {
            *type = type_simple(lt->is_adjusted_to_utc ? TYPE_TIMESTAMPTZ : TYPE_TIMESTAMP);
            *conv = lt->unit == PQ_MILLIS ? PQ_CONV_TS_MS : lt->unit == PQ_NANOS ? PQ_CONV_TS_NS : PQ_CONV_NONE;
            return 0;
        }
        if (lt->kind == PQ_LT_NONE && (ct == PQ_CT_TIMESTAMP_MILLIS || ct == PQ_CT_TIMESTAMP_MICROS)) {
            /* LogicalTypes.md: the legacy annotations mean isAdjustedToUTC = true. */
            *type = type_simple(TYPE_TIMESTAMPTZ);
            *conv = ct == PQ_CT_TIMESTAMP_MILLIS ? PQ_CONV_TS_MS : PQ_CONV_NONE;
            return 0;
        }
        if ((lt->kind == PQ_LT_INTEGER && !lt->is_signed) || (lt->kind == PQ_LT_NONE && ct == PQ_CT_UINT_64)) {
            *type = type_simple(TYPE_UINT64);
            return 0;
        }
        *type = type_simple(TYPE_INT64);
        return 0;
    case PQ_INT96:
        /* Legacy Impala/Spark timestamps; read as timestamp without time
         * zone, as Arrow and DuckDB do. */
        *type = type_simple(TYPE_TIMESTAMP);
        *conv = PQ_CONV_INT96;
        return 0;
    case PQ_FLOAT:
        *type = type_simple(TYPE_FLOAT);
        return 0;
    case PQ_DOUBLE:
        *type = type_simple(TYPE_DOUBLE);
        return 0;
    case PQ_BYTE_ARRAY:
        if (is_decimal) {
            *conv = PQ_CONV_BIN_DECIMAL;
            return decimal_type(b, e, prec, scale, type, path);
        }
        *conv = PQ_CONV_BYTES;
        if (lt->kind == PQ_LT_STRING || lt->kind == PQ_LT_ENUM ||
            (lt->kind == PQ_LT_NONE && (ct == PQ_CT_UTF8 || ct == PQ_CT_ENUM))) {
            *type = type_simple(TYPE_STRING);
            return 0;
        }
        if (lt->kind == PQ_LT_JSON || (lt->kind == PQ_LT_NONE && ct == PQ_CT_JSON)) {
            *type = type_simple(TYPE_JSON);
            return 0;
        }
        *type = type_simple(TYPE_BLOB); /* BSON and unannotated binary */
        return 0;
    case PQ_FIXED_LEN_BYTE_ARRAY:
        if (e->type_length < 0)
            return err_set(b->err, TARN_ERR_CORRUPT,
                           "column \"%s\": FIXED_LEN_BYTE_ARRAY without a type_length", path);
        if (is_decimal) {
            if (e->type_length > 16 || e->type_length == 0)
                return err_set(b->err, TARN_ERR_UNSUPPORTED,
                               "unsupported: DECIMAL stored in %d bytes in column \"%s\"",
                               e->type_length, path);
            *conv = PQ_CONV_BIN_DECIMAL;
            return decimal_type(b, e, prec, scale, type, path);
        }
        if (lt->kind == PQ_LT_UUID) {
            if (e->type_length != 16)
                return err_set(b->err, TARN_ERR_CORRUPT, "column \"%s\": UUID must be 16 bytes, not %d",
                               path, e->type_length);
            *type = type_simple(TYPE_UUID);
            *conv = PQ_CONV_UUID;
            return 0;
        }
        if (lt->kind == PQ_LT_FLOAT16) {
            if (e->type_length != 2)
                return err_set(b->err, TARN_ERR_CORRUPT,
                               "column \"%s\": FLOAT16 must be 2 bytes, not %d", path, e->type_length);
            *type = type_simple(TYPE_FLOAT);
            *conv = PQ_CONV_FLOAT16;
            return 0;
        }
        if (lt->kind == PQ_LT_NONE && ct == PQ_CT_INTERVAL) {
            if (e->type_length != 12)
                return err_set(b->err, TARN_ERR_CORRUPT,
                               "column \"%s\": INTERVAL must be 12 bytes, not %d", path, e->type_length);
            *type = type_simple(TYPE_INTERVAL);
            *conv = PQ_CONV_INTERVAL;
            return 0;
        }
        if (lt->kind == PQ_LT_STRING || (lt->kind == PQ_LT_NONE && ct == PQ_CT_UTF8))
            *type = type_simple(TYPE_STRING);
        else
            *type = type_simple(TYPE_BLOB);
        *conv = PQ_CONV_BYTES;
        return 0;
    default:
        return err_set(b->err, TARN_ERR_CORRUPT, "column \"%s\": unknown physical type %d", path, phys);
    }
}

static int add_leaf(Builder *b, int idx, int def, int rep, PqNode *node, LogicalType *type,
                    const char *path)
{
    const PqSchemaElement *e = elem(b, idx);
    if (b->n_leaves == b->cap_leaves) {
        int cap = b->cap_leaves ? b->cap_leaves * 2 : 16;
        PqLeaf *l = arena_alloc(b->a, (size_t)cap * sizeof(PqLeaf));
        if (!l)
            return ERR_NOMEM(b->err, (size_t)cap * sizeof(PqLeaf));
        if (b->n_leaves)
            memcpy(l, b->leaves, (size_t)b->n_leaves * sizeof(PqLeaf));
        b->leaves = l;
        b->cap_leaves = cap;
    }
    PqLeaf *leaf = &b->leaves[b->n_leaves];
    memset(leaf, 0, sizeof *leaf);
    leaf->schema_index = idx;
    leaf->el = e;
    leaf->max_def = def;
    leaf->max_rep = rep;
    leaf->phys = (PqPhysType)e->type;
    leaf->type_length = e->type_length;
    leaf->path = path;
    leaf->top_field = b->top_field;
    int rc = leaf_type(b, e, type, &leaf->conv, path);
    if (rc)
        return rc;
    node->kind = PQ_NODE_LEAF;
    node->leaf = b->n_leaves;
    node->first_leaf = b->n_leaves;
    node->n_leaves = 1;
    b->n_leaves++;
    return 0;
}

static int alloc_children(Builder *b, PqNode *node, int n)
{
    node->children = arena_calloc(b->a, (size_t)(n ? n : 1) * sizeof(PqNode));
    if (!node->children)
        return ERR_NOMEM(b->err, (size_t)n * sizeof(PqNode));
    node->n_children = n;
    return 0;
}

static void finish_leaf_range(PqNode *node)
{
    node->first_leaf = -1;
    node->n_leaves = 0;
    for (int i = 0; i < node->n_children; i++) {
        PqNode *c = &node->children[i];
        if (c->n_leaves == 0)
            continue;
        if (node->first_leaf < 0)
            node->first_leaf = c->first_leaf;
        node->n_leaves += c->n_leaves;
    }
    node->leaf = node->first_leaf;
}

/* A LIST-annotated group: decide which element is the list's element. */
static int build_list(Builder *b, int idx, Ctx ctx, int def, PqNode *node, LogicalType *type,
                      const char *path)
{
    const PqSchemaElement *e = elem(b, idx);
    int kid;
    if (children_of(b, idx, &kid, 1) != 1)
        return err_set(b->err, TARN_ERR_CORRUPT, "LIST group \"%s\" must have exactly one field", path);
    const PqSchemaElement *r = elem(b, kid);
    if (r->repetition != PQ_REPEATED)
        return err_set(b->err, TARN_ERR_CORRUPT, "LIST group \"%s\": its field \"%s\" is not repeated",
                       path, r->name);
    node->kind = PQ_NODE_LIST;
    node->elem_def = def + 1;
    node->elem_rep = ctx.rep + 1;
    int rc = alloc_children(b, node, 1);
    if (rc)
        return rc;
    Ctx ectx = {def + 1, def + 1, ctx.rep + 1};
    LogicalType et;
    bool enull = false;
    char *rpath = join_path(b, path, r->name);
    if (!rpath)
        return ERR_NOMEM(b->err, 0);
    bool legacy = !is_group(r) || r->num_children > 1;
    if (!legacy && r->num_children == 1) {
        char tuple[512];
        snprintf(tuple, sizeof tuple, "%s_tuple", e->name);
        if (!strcmp(r->name, "array") || !strcmp(r->name, tuple))
            legacy = true;
    }
    b->depth++;
    if (legacy) {
        /* The repeated field itself is the (required) element. */
        rc = build_inner(b, kid, ectx, ectx.def, &node->children[0], &et, rpath);
    } else {
        int ek;
        b->depth++;
        if (children_of(b, kid, &ek, 1) != 1) {
            b->depth -= 2;
            return err_set(b->err, TARN_ERR_CORRUPT, "LIST \"%s\": malformed repeated group", path);
        }
        char *epath = join_path(b, rpath, elem(b, ek)->name);
        if (!epath) {
            b->depth -= 2;
            return ERR_NOMEM(b->err, 0);
        }
        rc = build_field(b, ek, ectx, &node->children[0], &et, &enull, epath);
        b->depth--;
    }
    b->depth--;
    if (rc)
        return rc;
    finish_leaf_range(node);
    return type_list(type, et, enull) ? ERR_NOMEM(b->err, 0) : 0;
}

static int build_map(Builder *b, int idx, Ctx ctx, int def, PqNode *node, LogicalType *type,
                     const char *path)
{
    int kv;
    if (children_of(b, idx, &kv, 1) != 1)
        return err_set(b->err, TARN_ERR_CORRUPT, "MAP group \"%s\" must have exactly one field", path);
    const PqSchemaElement *r = elem(b, kv);
    if (r->repetition != PQ_REPEATED || !is_group(r) || r->num_children < 1 || r->num_children > 2)
        return err_set(b->err, TARN_ERR_CORRUPT,
                       "MAP \"%s\": expected a repeated group with a key and a value", path);
    node->kind = PQ_NODE_MAP;
    node->elem_def = def + 1;
    node->elem_rep = ctx.rep + 1;
    int rc = alloc_children(b, node, 2);
    if (rc)
        return rc;
    int kids[2];
    b->depth++;
    int n = children_of(b, kv, kids, 2);
    b->depth--;
    if (n < 1)
        return err_set(b->err, TARN_ERR_CORRUPT, "MAP \"%s\": malformed key_value group", path);
    char *kvpath = join_path(b, path, r->name);
    if (!kvpath)
        return ERR_NOMEM(b->err, 0);
    Ctx ectx = {def + 1, def + 1, ctx.rep + 1};
    LogicalType kt, vt;
    bool knull = false, vnull = true;
    b->depth += 2;
    rc = build_field(b, kids[0], ectx, &node->children[0], &kt, &knull,
                     join_path(b, kvpath, elem(b, kids[0])->name));
    if (rc) {
        b->depth -= 2;
        return rc;
    }
    if (n == 2) {
        rc = build_field(b, kids[1], ectx, &node->children[1], &vt, &vnull,
                         join_path(b, kvpath, elem(b, kids[1])->name));
        if (rc) {
            type_destroy(&kt);
            b->depth -= 2;
            return rc;
        }
    } else {
        /* A map without a value field (seen from parquet-rs): every value is NULL. */
        PqNode *v = &node->children[1];
        v->kind = PQ_NODE_LEAF;
        v->slot_def = ectx.slot_def;
        v->def = 1 << 20; /* never reached: always NULL */
        v->rep = ectx.rep;
        v->leaf = -1;
        v->first_leaf = -1;
        v->n_leaves = 0;
        vt = type_simple(TYPE_NULL);
    }
    b->depth -= 2;
    finish_leaf_range(node);
    return type_map(type, kt, vt, vnull) ? ERR_NOMEM(b->err, 0) : 0;
}

/* Builds element idx as a value present at definition level `def` (the
 * caller has already accounted for the field's own optional/repeated
 * level).  node thresholds slot_def/def/rep are set by the caller. */
static int build_inner(Builder *b, int idx, Ctx ctx, int def, PqNode *node, LogicalType *type,
                       const char *path)
{
    const PqSchemaElement *e = elem(b, idx);
    node->slot_def = ctx.slot_def;
    node->def = def;
    node->rep = ctx.rep;
    if (b->depth > PQ_MAX_NESTING)
        return err_set(b->err, TARN_ERR_CORRUPT, "schema nested deeper than %d levels at \"%s\"",
                       PQ_MAX_NESTING, path);
    if (!is_group(e))
        return add_leaf(b, idx, def, ctx.rep, node, type, path);
    if (e->num_children <= 0)
        return err_set(b->err, TARN_ERR_CORRUPT, "group \"%s\" has no fields", path);
    if (annotated_list(e))
        return build_list(b, idx, ctx, def, node, type, path);
    if (annotated_map(e))
        return build_map(b, idx, ctx, def, node, type, path);
    /* Plain group: a struct. */
    int n = e->num_children;
    node->kind = PQ_NODE_STRUCT;
    int rc = alloc_children(b, node, n);
    if (rc)
        return rc;
    type_struct_init(type);
    int next = idx + 1;
    Ctx cctx = {ctx.slot_def, def, ctx.rep};
    b->depth++;
    for (int i = 0; i < n; i++) {
        if (next >= b->md->n_schema) {
            b->depth--;
            type_destroy(type);
            return err_set(b->err, TARN_ERR_CORRUPT, "group \"%s\" claims more fields than the schema has",
                           path);
        }
        LogicalType ct;
        bool cnull = false;
        const char *cname = elem(b, next)->name;
        char *cpath = join_path(b, path, cname);
        if (!cpath) {
            b->depth--;
            type_destroy(type);
            return ERR_NOMEM(b->err, 0);
        }
        rc = build_field(b, next, cctx, &node->children[i], &ct, &cnull, cpath);
        if (rc) {
            b->depth--;
            type_destroy(type);
            return rc;
        }
        if (type_struct_add(type, cname, ct, cnull)) {
            b->depth--;
            return ERR_NOMEM(b->err, 0);
        }
        next = subtree_end(b, next, b->depth);
        if (next < 0) {
            b->depth--;
            type_destroy(type);
            return err_set(b->err, TARN_ERR_CORRUPT, "malformed schema tree under \"%s\"", path);
        }
    }
    b->depth--;
    finish_leaf_range(node);
    return 0;
}

/* A field with its own repetition in the context of its parent. */
static int build_field(Builder *b, int idx, Ctx ctx, PqNode *node, LogicalType *type, bool *nullable,
                       const char *path)
{
    if (!path)
        return ERR_NOMEM(b->err, 0);
    const PqSchemaElement *e = elem(b, idx);
    if (e->repetition == PQ_REPEATED) {
        /* A repeated field outside LIST/MAP: a required list of required elements. */
        *nullable = false;
        node->kind = PQ_NODE_LIST;
        node->slot_def = ctx.slot_def;
        node->def = ctx.def;
        node->rep = ctx.rep;
        node->elem_def = ctx.def + 1;
        node->elem_rep = ctx.rep + 1;
        int rc = alloc_children(b, node, 1);
        if (rc)
            return rc;
        Ctx ectx = {ctx.def + 1, ctx.def + 1, ctx.rep + 1};
        LogicalType et;
        b->depth++;
        rc = build_inner(b, idx, ectx, ectx.def, &node->children[0], &et, path);
        b->depth--;
        if (rc)
            return rc;
        finish_leaf_range(node);
        return type_list(type, et, false) ? ERR_NOMEM(b->err, 0) : 0;
    }
    bool opt = e->repetition == PQ_OPTIONAL;
    *nullable = opt;
    return build_inner(b, idx, ctx, ctx.def + (opt ? 1 : 0), node, type, path);
}

/* Points node->type (and leaf types) at the types stored in the schema. */
static void link_types(Builder *b, PqNode *node, const LogicalType *t)
{
    node->type = t;
    switch (node->kind) {
    case PQ_NODE_LEAF:
        if (node->leaf >= 0)
            b->leaves[node->leaf].type = t;
        break;
    case PQ_NODE_LIST:
        link_types(b, &node->children[0], &t->fields[0].type);
        break;
    case PQ_NODE_MAP:
        link_types(b, &node->children[0], &t->fields[0].type);
        link_types(b, &node->children[1], &t->fields[1].type);
        break;
    case PQ_NODE_STRUCT:
        for (int i = 0; i < node->n_children; i++)
            link_types(b, &node->children[i], &t->fields[i].type);
        break;
    }
}

int pq_schema_build(const PqFileMetaData *md, Arena *a, PqSchema *out, TarnError *err)
{
    memset(out, 0, sizeof *out);
    schema_init(&out->schema);
    if (md->n_schema < 1)
        return err_set(err, TARN_ERR_CORRUPT, "file metadata has an empty schema");
    Builder b = {.md = md, .a = a, .err = err};
    const PqSchemaElement *root = &md->schema[0];
    int n = root->num_children;
    if (n < 0 || n > md->n_schema)
        return err_set(err, TARN_ERR_CORRUPT, "schema root claims %d fields", n);
    if (subtree_end(&b, 0, 0) != md->n_schema)
        return err_set(err, TARN_ERR_CORRUPT,
                       "schema tree does not match its %d elements (num_children inconsistent)",
                       md->n_schema);
    out->fields = arena_calloc(a, (size_t)(n ? n : 1) * sizeof(PqNode));
    if (!out->fields)
        return ERR_NOMEM(err, (size_t)n * sizeof(PqNode));
    int next = 1;
    Ctx ctx = {0, 0, 0};
    for (int i = 0; i < n; i++) {
        const PqSchemaElement *e = &md->schema[next];
        LogicalType t;
        bool nullable = false;
        b.top_field = i;
        const char *path = arena_strdup(a, e->name ? e->name : "");
        int rc = build_field(&b, next, ctx, &out->fields[i], &t, &nullable, path);
        if (rc) {
            schema_destroy(&out->schema);
            return rc;
        }
        if (schema_add(&out->schema, e->name ? e->name : "", t, nullable)) {
            schema_destroy(&out->schema);
            return ERR_NOMEM(err, 0);
        }
        next = subtree_end(&b, next, 1);
    }
    for (int i = 0; i < n; i++)
        link_types(&b, &out->fields[i], &out->schema.fields[i].type);
    out->n_leaves = b.n_leaves;
    out->leaves = b.leaves;
    return 0;
}

void pq_schema_destroy(PqSchema *s)
{
    schema_destroy(&s->schema);
    s->leaves = NULL;
    s->fields = NULL;
    s->n_leaves = 0;
}
