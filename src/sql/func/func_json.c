/*
 * func_json.c - JSON functions and operators (PG docs 9.16) on tarn's
 * json type, which stores the JSON text as given: -> and ->> (object key
 * or array index, negative indexes counting from the end),
 * json_extract_path, json_extract_path_text, json_array_length,
 * json_typeof, to_json, json_build_object, json_build_array.
 *
 * Like PostgreSQL's json (not jsonb), -> returns the sub-value's text
 * exactly as it appears in the input (whitespace kept), points into the
 * argument's bytes, and picks the last of duplicate keys; ->> returns
 * strings unescaped and JSON null as SQL NULL.  A value that is not valid
 * JSON (possible in foreign files) is an error, 22P02 "invalid input
 * syntax for type json", as PostgreSQL reports on input.
 *
 * Each row's document is parsed into a per-call arena (format/json's tree
 * parser), reset for every row.
 */
#include "sql/func/func_lib.h"

#include <stdio.h>
#include <stdlib.h>

#include "format/json/json_parse.h"
#include "vector/format.h"

#define KERNEL(name)                                                                           \
    static int name(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows, Vector *out, \
                    TarnError *err)

static int parse_row(Arena *a, StrView s, JsonNode **out, TarnError *err)
{
    arena_reset(a);
    TarnError perr;
    err_clear(&perr);
    if (json_parse(a, s.ptr, s.len, out, &perr)) {
        if (perr.kind == TARN_ERR_NOMEM)
            return ERR_NOMEM(err, s.len);
        err_set_state(err, TARN_ERR_INVALID, "22P02", "invalid input syntax for type json");
        err_detail(err, "%s", perr.message);
        return TARN_ERR_INVALID;
    }
    return 0;
}

/* Array element idx (negative: from the end); NULL when out of range. */
static const JsonNode *array_elem(const JsonNode *n, int64_t idx)
{
    if (!n || n->type != JSON_ARRAY)
        return NULL;
    if (idx < 0)
        idx += n->len;
    if (idx < 0 || idx >= n->len)
        return NULL;
    return &n->u.items[idx];
}

/* One path step: a key for objects, an integer text for arrays. */
static const JsonNode *path_step(const JsonNode *n, StrView key)
{
    if (!n)
        return NULL;
    if (n->type == JSON_OBJECT)
        return json_object_get(n, key.ptr, key.len);
    if (n->type == JSON_ARRAY) {
        int64_t idx;
        if (!value_parse_i64(key.ptr, key.len, &idx))
            return NULL;
        return array_elem(n, idx);
    }
    return NULL;
}

/* Writes node n into row i: as JSON text (raw, pointing into the input)
 * or as text (->>: strings unescaped, null -> SQL NULL). */
static int put_node(Vector *out, uint32_t i, const JsonNode *n, bool as_text, TarnError *err)
{
    if (!n || (as_text && n->type == JSON_NULL)) {
        FL_STR(out)[i] = fl_sv(NULL, 0);
        return fl_set_null(out, i, err);
    }
    if (as_text && n->type == JSON_STRING) {
        StrView sv;
        if (vec_str_copy(out, n->u.str, n->len, &sv))
            return ERR_NOMEM(err, n->len);
        FL_STR(out)[i] = sv;
        return 0;
    }
    FL_STR(out)[i] = fl_sv(n->raw, n->raw_len);
    return 0;
}

/* json -> text / ->> text / -> int / ->> int */
static int arrow_kernel(FuncCtx *ctx, Vector **args, uint32_t n_rows, Vector *out, TarnError *err,
                        bool as_text)
{
    const Vector *jv = args[0], *kv = args[1];
    bool by_index = kv->type->id == TYPE_INT32;
    Arena a;
    arena_init(&a, 0);
    int rc = 0;
    for (uint32_t i = 0; i < n_rows && !rc; i++) {
        FL_STR(out)[i] = fl_sv(NULL, 0);
        if (!FUNC_ROW_VALID(out, i))
            continue;
        JsonNode *root;
        if ((rc = parse_row(&a, FL_CSTR(jv)[FUNC_IDX(jv, i)], &root, err)))
            break;
        const JsonNode *n;
        if (by_index) {
            n = array_elem(root, VEC_DATA(kv, int32_t)[FUNC_IDX(kv, i)]);
        } else {
            StrView k = FL_CSTR(kv)[FUNC_IDX(kv, i)];
            n = root->type == JSON_OBJECT ? json_object_get(root, k.ptr, k.len) : NULL;
        }
        rc = put_node(out, i, n, as_text, err);
    }
    arena_free(&a);
    out->len = n_rows;
    return rc;
}

KERNEL(k_json_arrow) { return arrow_kernel(ctx, args, n_rows, out, err, false); }
KERNEL(k_json_arrow_text) { return arrow_kernel(ctx, args, n_rows, out, err, true); }

/* json_extract_path(json, VARIADIC text) and _text: a NULL path element
 * gives NULL (PostgreSQL). */
static int path_kernel(Vector **args, uint32_t n_args, uint32_t n_rows, Vector *out, TarnError *err,
                       bool as_text)
{
    const Vector *jv = args[0];
    Arena a;
    arena_init(&a, 0);
    int rc = 0;
    if (out->validity)
        memset(out->validity, 0xFF, (n_rows + 7) / 8);
    for (uint32_t i = 0; i < n_rows && !rc; i++) {
        FL_STR(out)[i] = fl_sv(NULL, 0);
        bool null_row = !fl_arg_valid(jv, i);
        for (uint32_t k = 1; k < n_args && !null_row; k++)
            null_row = !fl_arg_valid(args[k], i);
        if (null_row) {
            rc = fl_set_null(out, i, err);
            continue;
        }
        JsonNode *root;
        if ((rc = parse_row(&a, FL_CSTR(jv)[FUNC_IDX(jv, i)], &root, err)))
            break;
        const JsonNode *n = root;
        for (uint32_t k = 1; k < n_args && n; k++)
            n = path_step(n, FL_CSTR(args[k])[FUNC_IDX(args[k], i)]);
        rc = put_node(out, i, n, as_text, err);
    }
    arena_free(&a);
    out->len = n_rows;
    return rc;
}

KERNEL(k_json_extract_path) { return path_kernel(args, n_args, n_rows, out, err, false); }
KERNEL(k_json_extract_path_text) { return path_kernel(args, n_args, n_rows, out, err, true); }

KERNEL(k_json_array_length)
{
    Arena a;
    arena_init(&a, 0);
    int rc = 0;
    int32_t *r = VEC_DATA(out, int32_t);
    for (uint32_t i = 0; i < n_rows && !rc; i++) {
        r[i] = 0;
        if (!FUNC_ROW_VALID(out, i))
            continue;
        JsonNode *root;
        if ((rc = parse_row(&a, FL_CSTR(args[0])[i], &root, err)))
            break;
        if (root->type == JSON_OBJECT)
            rc = fl_err(err, "22023", "cannot get array length of a non-array");
        else if (root->type != JSON_ARRAY)
            rc = fl_err(err, "22023", "cannot get array length of a scalar");
        else
            r[i] = (int32_t)root->len;
    }
    arena_free(&a);
    out->len = n_rows;
    return rc;
}

KERNEL(k_json_typeof)
{
    static const char *const names[] = {"null", "boolean", "number", "number", "string", "array", "object"};
    Arena a;
    arena_init(&a, 0);
    int rc = 0;
    for (uint32_t i = 0; i < n_rows && !rc; i++) {
        FL_STR(out)[i] = fl_sv(NULL, 0);
        if (!FUNC_ROW_VALID(out, i))
            continue;
        JsonNode *root;
        if ((rc = parse_row(&a, FL_CSTR(args[0])[i], &root, err)))
            break;
        const char *nm = names[root->type];
        FL_STR(out)[i] = fl_sv(nm, strlen(nm)); /* static text */
    }
    arena_free(&a);
    out->len = n_rows;
    return rc;
}

/* ---- to_json, json_build_object, json_build_array ---------------------------------------------- */

/* Appends row i of v as a JSON value (json values as they are). */
static int append_json(Buf *b, const Vector *v, uint32_t i)
{
    uint32_t k = FUNC_IDX(v, i);
    if (!vec_is_valid(v, k) || v->type->id == TYPE_NULL)
        return buf_append(b, "null", 4);
    if (v->type->id == TYPE_JSON) {
        StrView s = FL_CSTR(v)[k];
        return buf_append(b, s.ptr, s.len);
    }
    return value_format_json(v, k, b);
}

static int emit(Vector *out, uint32_t i, Buf *b, TarnError *err)
{
    StrView sv;
    if (vec_str_copy(out, (const char *)b->data, b->len, &sv))
        return ERR_NOMEM(err, b->len);
    FL_STR(out)[i] = sv;
    return 0;
}

KERNEL(k_to_json)
{
    Buf b;
    buf_init(&b);
    int rc = 0;
    for (uint32_t i = 0; i < n_rows && !rc; i++) {
        FL_STR(out)[i] = fl_sv(NULL, 0);
        if (!FUNC_ROW_VALID(out, i))
            continue;
        buf_clear(&b);
        rc = append_json(&b, args[0], i) ? ERR_NOMEM(err, b.len) : emit(out, i, &b, err);
    }
    buf_free(&b);
    out->len = n_rows;
    return rc;
}

KERNEL(k_json_build_object)
{
    if (n_args % 2) {
        err_set_state(err, TARN_ERR_INVALID, "22023", "argument list must have even number of elements");
        err_hint(err, "The arguments of json_build_object() must consist of alternating keys and values.");
        return TARN_ERR_INVALID;
    }
    Buf b, key;
    buf_init(&b);
    buf_init(&key);
    int rc = 0;
    if (out->validity)
        memset(out->validity, 0xFF, (n_rows + 7) / 8);
    for (uint32_t i = 0; i < n_rows && !rc; i++) {
        buf_clear(&b);
        rc = buf_append_byte(&b, '{');
        for (uint32_t k = 0; k + 1 < n_args && !rc; k += 2) {
            const Vector *kv = args[k];
            if (!fl_arg_valid(kv, i)) {
                rc = err_set_state(err, TARN_ERR_INVALID, "22023", "argument %u cannot be null", k + 1);
                err_hint(err, "Object keys should be text.");
                break;
            }
            buf_clear(&key);
            uint32_t kk = FUNC_IDX(kv, i);
            if (type_is_string_like(kv->type->id)) {
                StrView s = FL_CSTR(kv)[kk];
                rc = buf_append(&key, s.ptr, s.len);
            } else {
                rc = value_format_text(kv, kk, &key);
            }
            if (!rc && k)
                rc = buf_append(&b, ", ", 2);
            if (!rc)
                rc = value_append_json_string(&b, (const char *)key.data, key.len);
            if (!rc)
                rc = buf_append(&b, " : ", 3);
            if (!rc)
                rc = append_json(&b, args[k + 1], i);
            if (rc && !err->kind)
                rc = ERR_NOMEM(err, b.len);
        }
        if (!rc)
            rc = buf_append_byte(&b, '}') ? ERR_NOMEM(err, b.len) : emit(out, i, &b, err);
    }
    buf_free(&b);
    buf_free(&key);
    out->len = n_rows;
    return rc;
}

KERNEL(k_json_build_array)
{
    Buf b;
    buf_init(&b);
    int rc = 0;
    if (out->validity)
        memset(out->validity, 0xFF, (n_rows + 7) / 8);
    for (uint32_t i = 0; i < n_rows && !rc; i++) {
        buf_clear(&b);
        rc = buf_append_byte(&b, '[');
        for (uint32_t k = 0; k < n_args && !rc; k++) {
            if (k)
                rc = buf_append(&b, ", ", 2);
            if (!rc)
                rc = append_json(&b, args[k], i);
        }
        if (!rc)
            rc = buf_append_byte(&b, ']');
        rc = rc ? ERR_NOMEM(err, b.len) : emit(out, i, &b, err);
    }
    buf_free(&b);
    out->len = n_rows;
    return rc;
}

/* ---- Registry ---------------------------------------------------------------------------------------- */

#define J TYPE_JSON
#define S TYPE_STRING
#define SC (FUNC_STRICT | FUNC_CONST_ARGS)

const FuncDef func_defs_json[] = {
    {.name = "->", .kind = FUNC_OPERATOR, .n_args = 2, .args = {J, S}, .ret = J, .flags = SC,
     .scalar = k_json_arrow, .doc = "object field as json"},
    {.name = "->", .kind = FUNC_OPERATOR, .n_args = 2, .args = {J, TYPE_INT32}, .ret = J, .flags = SC,
     .scalar = k_json_arrow, .doc = "array element as json (negative: from the end)"},
    {.name = "->>", .kind = FUNC_OPERATOR, .n_args = 2, .args = {J, S}, .ret = S, .flags = SC,
     .scalar = k_json_arrow_text, .doc = "object field as text"},
    {.name = "->>", .kind = FUNC_OPERATOR, .n_args = 2, .args = {J, TYPE_INT32}, .ret = S, .flags = SC,
     .scalar = k_json_arrow_text, .doc = "array element as text"},
    {.name = "json_object_field", .kind = FUNC_SCALAR, .n_args = 2, .args = {J, S}, .ret = J, .flags = SC,
     .scalar = k_json_arrow},
    {.name = "json_object_field_text", .kind = FUNC_SCALAR, .n_args = 2, .args = {J, S}, .ret = S,
     .flags = SC, .scalar = k_json_arrow_text},
    {.name = "json_array_element", .kind = FUNC_SCALAR, .n_args = 2, .args = {J, TYPE_INT32}, .ret = J,
     .flags = SC, .scalar = k_json_arrow},
    {.name = "json_array_element_text", .kind = FUNC_SCALAR, .n_args = 2, .args = {J, TYPE_INT32},
     .ret = S, .flags = SC, .scalar = k_json_arrow_text},
    {.name = "json_extract_path", .kind = FUNC_SCALAR, .n_args = 3, .args = {J, S, S}, .ret = J,
     .flags = FUNC_VARIADIC | FUNC_CONST_ARGS, .scalar = k_json_extract_path,
     .doc = "json_extract_path(json, VARIADIC path text)"},
    {.name = "json_extract_path_text", .kind = FUNC_SCALAR, .n_args = 3, .args = {J, S, S}, .ret = S,
     .flags = FUNC_VARIADIC | FUNC_CONST_ARGS, .scalar = k_json_extract_path_text},
    {.name = "json_array_length", .kind = FUNC_SCALAR, .n_args = 1, .args = {J}, .ret = TYPE_INT32,
     .flags = FUNC_STRICT, .scalar = k_json_array_length},
    {.name = "json_typeof", .kind = FUNC_SCALAR, .n_args = 1, .args = {J}, .ret = S, .flags = FUNC_STRICT,
     .scalar = k_json_typeof},
    {.name = "to_json", .kind = FUNC_SCALAR, .n_args = 1, .args = {FUNC_T_ANYELEMENT}, .ret = J,
     .flags = FUNC_STRICT | FUNC_STABLE, .scalar = k_to_json},
    {.name = "json_build_object", .kind = FUNC_SCALAR, .n_args = 1, .args = {FUNC_T_ANY}, .ret = J,
     .flags = FUNC_VARIADIC | FUNC_CONST_ARGS | FUNC_STABLE, .scalar = k_json_build_object},
    {.name = "json_build_array", .kind = FUNC_SCALAR, .n_args = 1, .args = {FUNC_T_ANY}, .ret = J,
     .flags = FUNC_VARIADIC | FUNC_CONST_ARGS | FUNC_STABLE, .scalar = k_json_build_array},
    {0},
};
