/*
 * func_array.c - arrays: PostgreSQL's one-dimensional array functions and
 * operators over LIST vectors, plus the kernels the binder uses directly
 * (func_array.h: ARRAY[...], casts, subscripts, slices, ANY/ALL).
 *
 * A LIST vector is offsets into one child vector (vector.h).  Kernels
 * producing arrays reset the output and append rows (vec_append_from /
 * vec_append_list_end); elements are compared with elem_cmp, which follows
 * PostgreSQL's btree order per element type (NaN above every float, NULL
 * elements equal to each other and above everything else, as array_cmp).
 */
#include "sql/func/func_array.h"

#include <string.h>
#include <strings.h>

#include "sql/exec/chunk.h"
#include "sql/func/cast.h"
#include "sql/func/func_lib.h"

static const LogicalType string_type = {.id = TYPE_STRING};

static inline uint32_t lbeg(const Vector *v, uint32_t i) { return v->offsets[i]; }
static inline uint32_t llen(const Vector *v, uint32_t i) { return v->offsets[i + 1] - v->offsets[i]; }

bool func_array_elem_comparable(const LogicalType *t)
{
    return !type_is_nested(t->id) && t->id != TYPE_NULL && t->id != TYPE_INVALID;
}

static int64_t int_at(const Vector *v, uint32_t i)
{
    switch (v->type->id) {
    case TYPE_INT8: return ((const int8_t *)v->data)[i];
    case TYPE_INT16: return ((const int16_t *)v->data)[i];
    case TYPE_INT32: case TYPE_DATE: return ((const int32_t *)v->data)[i];
    case TYPE_UINT8: case TYPE_BOOL: return ((const uint8_t *)v->data)[i];
    case TYPE_UINT16: return ((const uint16_t *)v->data)[i];
    case TYPE_UINT32: return ((const uint32_t *)v->data)[i];
    default: return ((const int64_t *)v->data)[i];
    }
}

static int cmp_dbl(double x, double y)
{
    bool nx = x != x, ny = y != y;
    if (nx || ny)
        return nx && ny ? 0 : nx ? 1 : -1;
    return x < y ? -1 : x > y ? 1 : 0;
}

/* Compares a[i] and b[j] (same element type, both valid). */
static int elem_cmp_valid(const Vector *a, uint32_t i, const Vector *b, uint32_t j)
{
    switch (a->type->id) {
    case TYPE_FLOAT: return cmp_dbl(((const float *)a->data)[i], ((const float *)b->data)[j]);
    case TYPE_DOUBLE: return cmp_dbl(((const double *)a->data)[i], ((const double *)b->data)[j]);
    case TYPE_DECIMAL: {
        int128_t x = dec_get(a, i), y = dec_get(b, j);
        return x < y ? -1 : x > y ? 1 : 0;
    }
    case TYPE_UINT64: {
        uint64_t x = ((const uint64_t *)a->data)[i], y = ((const uint64_t *)b->data)[j];
        return x < y ? -1 : x > y ? 1 : 0;
    }
    case TYPE_STRING: case TYPE_BLOB: case TYPE_JSON: {
        StrView x = FL_CSTR(a)[i], y = FL_CSTR(b)[j];
        uint32_t m = x.len < y.len ? x.len : y.len;
        int c = m ? memcmp(x.ptr, y.ptr, m) : 0;
        if (c)
            return c < 0 ? -1 : 1;
        return x.len < y.len ? -1 : x.len > y.len ? 1 : 0;
    }
    case TYPE_UUID: {
        int c = memcmp(a->data + 16 * (size_t)i, b->data + 16 * (size_t)j, 16);
        return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    case TYPE_INTERVAL: {
        /* PostgreSQL compares intervals as 30-day months, 24-hour days */
        const Interval *x = &((const Interval *)a->data)[i], *y = &((const Interval *)b->data)[j];
        int128_t ux = ((int128_t)x->months * 30 + x->days) * (int128_t)86400000000LL + x->micros;
        int128_t uy = ((int128_t)y->months * 30 + y->days) * (int128_t)86400000000LL + y->micros;
        return ux < uy ? -1 : ux > uy ? 1 : 0;
    }
    default: {
        int64_t x = int_at(a, i), y = int_at(b, j);
        return x < y ? -1 : x > y ? 1 : 0;
    }
    }
}

/* array_cmp's element order: NULL equals NULL and sorts above values. */
static int elem_cmp(const Vector *a, uint32_t i, const Vector *b, uint32_t j)
{
    bool va = vec_is_valid(a, i), vb = vec_is_valid(b, j);
    if (!va || !vb)
        return va == vb ? 0 : va ? -1 : 1;
    return elem_cmp_valid(a, i, b, j);
}

/* Lexicographic comparison of lists a[i] and b[j]. */
static int list_cmp(const Vector *a, uint32_t i, const Vector *b, uint32_t j)
{
    const Vector *ca = &a->children[0], *cb = &b->children[0];
    uint32_t na = llen(a, i), nb = llen(b, j), sa = lbeg(a, i), sb = lbeg(b, j);
    for (uint32_t k = 0; k < na && k < nb; k++) {
        int c = elem_cmp(ca, sa + k, cb, sb + k);
        if (c)
            return c;
    }
    return na < nb ? -1 : na > nb ? 1 : 0;
}

static int nomem(TarnError *err) { return ERR_NOMEM(err, 0); }

/* ---- Constructor and casts ------------------------------------------------------------------------------ */

static int k_ctor(FuncCtx *ctx, Vector **a, uint32_t na, uint32_t n, Vector *out, TarnError *err)
{
    (void)ctx;
    vec_reset(out);
    Vector *ch = &out->children[0];
    for (uint32_t i = 0; i < n; i++) {
        for (uint32_t k = 0; k < na; k++)
            if (vec_append_from(ch, a[k], FUNC_IDX(a[k], i)))
                return nomem(err);
        if (vec_append_list_end(out))
            return nomem(err);
    }
    return 0;
}

const FuncDef func_array_ctor = {.name = "array", .kind = FUNC_SCALAR, .n_args = 1, .args = {FUNC_T_ANY},
                                 .ret = TYPE_LIST, .flags = FUNC_VARIADIC | FUNC_CONST_ARGS, .scalar = k_ctor};

static int malformed(TarnError *err, const char *s, size_t n, const char *detail)
{
    err_set_state(err, TARN_ERR_INVALID, "22P02", "malformed array literal: \"%.*s\"", (int)(n > 200 ? 200 : n), s);
    err_detail(err, "%s", detail);
    return TARN_ERR_INVALID;
}

static bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

/* Parses one array literal, appending its elements (as text) to tmp. */
static int parse_array_text(const char *s, size_t n, Vector *tmp, Arena *scratch, TarnError *err)
{
    size_t p = 0;
    while (p < n && is_ws(s[p]))
        p++;
    if (p < n && s[p] == '[')
        return err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "array dimension decorations are not supported");
    if (p >= n || s[p] != '{')
        return malformed(err, s, n, "Array value must start with \"{\" or dimension information.");
    p++;
    while (p < n && is_ws(s[p]))
        p++;
    if (p < n && s[p] == '}') {
        p++;
    } else {
        char *buf = arena_alloc(scratch, n + 1);
        if (!buf)
            return nomem(err);
        for (;;) {
            while (p < n && is_ws(s[p]))
                p++;
            if (p >= n)
                return malformed(err, s, n, "Unexpected end of input.");
            if (s[p] == '{')
                return err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "multidimensional arrays are not supported");
            if (s[p] == ',' || s[p] == '}')
                return malformed(err, s, n, s[p] == ',' ? "Unexpected \",\" character." : "Unexpected \"}\" character.");
            size_t bl = 0;
            bool quoted = false, escaped = false;
            if (s[p] == '"') {
                quoted = true;
                p++;
                for (;;) {
                    if (p >= n)
                        return malformed(err, s, n, "Unexpected end of input.");
                    if (s[p] == '\\') {
                        if (p + 1 >= n)
                            return malformed(err, s, n, "Unexpected end of input.");
                        buf[bl++] = s[p + 1];
                        p += 2;
                        continue;
                    }
                    if (s[p] == '"') {
                        p++;
                        break;
                    }
                    buf[bl++] = s[p++];
                }
                while (p < n && is_ws(s[p]))
                    p++;
            } else {
                size_t last_real = 0; /* length up to the last escaped / non-space char */
                while (p < n && s[p] != ',' && s[p] != '}') {
                    if (s[p] == '"' || s[p] == '{')
                        return malformed(err, s, n, s[p] == '"' ? "Unexpected array element." : "Unexpected \"{\" character.");
                    if (s[p] == '\\') {
                        if (p + 1 >= n)
                            return malformed(err, s, n, "Unexpected end of input.");
                        buf[bl++] = s[p + 1];
                        escaped = true;
                        last_real = bl;
                        p += 2;
                        continue;
                    }
                    buf[bl++] = s[p];
                    if (!is_ws(s[p]))
                        last_real = bl;
                    p++;
                }
                bl = last_real;
            }
            if (p >= n)
                return malformed(err, s, n, "Unexpected end of input.");
            if (s[p] != ',' && s[p] != '}')
                return malformed(err, s, n, "Unexpected array element.");
            int rc;
            if (!quoted && !escaped && bl == 4 && !strncasecmp(buf, "null", 4))
                rc = vec_append_null(tmp);
            else
                rc = vec_append_str(tmp, buf, bl);
            if (rc)
                return nomem(err);
            if (s[p++] == '}')
                break;
        }
    }
    while (p < n && is_ws(s[p]))
        p++;
    if (p < n)
        return malformed(err, s, n, "Junk after closing right brace.");
    return 0;
}

/* Fills out's child with the text elements of tmp, cast to its type. */
static int fill_child_from_text(FuncCtx *ctx, Vector *tmp, Vector *out, TarnError *err)
{
    Vector *ch = &out->children[0];
    if (type_is_string_like(ch->type->id)) {
        for (uint32_t k = 0; k < tmp->len; k++)
            if (vec_append_from(ch, tmp, k))
                return nomem(err);
        return 0;
    }
    if (ch->type->id == TYPE_NULL) {
        for (uint32_t k = 0; k < tmp->len; k++)
            if (vec_append_null(ch))
                return nomem(err);
        return 0;
    }
    if (!tmp->len)
        return 0;
    if (vec_reserve(ch, tmp->len))
        return nomem(err);
    int rc = cast_vector(tmp, ch, tmp->len, ctx->settings, err);
    ch->len = tmp->len;
    ch->is_const = false;
    return rc;
}

static int k_array_in(FuncCtx *ctx, Vector **a, uint32_t na, uint32_t n, Vector *out, TarnError *err)
{
    (void)na;
    const Vector *in = a[0];
    Vector tmp;
    if (vec_init(&tmp, &string_type))
        return nomem(err);
    vec_reset(out);
    if (vec_reserve(out, n)) {
        vec_destroy(&tmp);
        return nomem(err);
    }
    int rc = 0;
    out->offsets[0] = 0;
    for (uint32_t i = 0; i < n && !rc; i++) {
        uint32_t ia = FUNC_IDX(in, i);
        if (!vec_is_valid(in, ia)) {
            if (vec_set_null(out, i))
                rc = nomem(err);
        } else {
            StrView sv = FL_CSTR(in)[ia];
            rc = parse_array_text(sv.ptr, sv.len, &tmp, ctx->scratch, err);
        }
        out->offsets[i + 1] = tmp.len;
    }
    if (!rc)
        rc = fill_child_from_text(ctx, &tmp, out, err);
    out->len = n;
    vec_destroy(&tmp);
    return rc;
}

const FuncDef func_array_in = {.name = "array_in", .kind = FUNC_SCALAR, .n_args = 1, .args = {TYPE_STRING},
                               .ret = TYPE_LIST, .flags = FUNC_CONST_ARGS, .scalar = k_array_in};

static int k_array_cast(FuncCtx *ctx, Vector **a, uint32_t na, uint32_t n, Vector *out, TarnError *err)
{
    (void)na;
    const Vector *in = a[0];
    vec_reset(out);
    if (vec_reserve(out, n))
        return nomem(err);
    Vector *ch = &out->children[0];
    const Vector *ic = &in->children[0];
    uint32_t base = in->offsets[0], total = in->offsets[n] - base;
    out->offsets[0] = 0;
    for (uint32_t i = 0; i < n; i++) {
        out->offsets[i + 1] = in->offsets[i + 1] - base;
        if (!vec_is_valid(in, i) && vec_set_null(out, i))
            return nomem(err);
    }
    out->len = n;
    if (!total)
        return 0;
    if (type_is_nested(ic->type->id) || type_is_nested(ch->type->id))
        return err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "casts of nested array elements are not supported");
    if (ic->type->id == TYPE_NULL) {
        for (uint32_t k = 0; k < total; k++)
            if (vec_append_null(ch))
                return nomem(err);
        return 0;
    }
    Vector part;
    const Vector *src = ic;
    bool own = false;
    if (base) {
        /* the used elements, from offset 0 */
        if (vec_init(&part, ic->type))
            return nomem(err);
        own = true;
        for (uint32_t k = 0; k < total; k++)
            if (vec_append_from(&part, ic, base + k)) {
                vec_destroy(&part);
                return nomem(err);
            }
        src = &part;
    }
    int rc = vec_reserve(ch, total) ? nomem(err) : cast_vector(src, ch, total, ctx->settings, err);
    ch->len = total;
    ch->is_const = false;
    if (!rc && type_is_string_like(ch->type->id) && vec_own_strings(ch, total))
        rc = nomem(err);
    if (own)
        vec_destroy(&part);
    return rc;
}

const FuncDef func_array_cast = {.name = "array_cast", .kind = FUNC_SCALAR, .n_args = 1, .args = {FUNC_T_ANYARRAY},
                                 .ret = TYPE_LIST, .scalar = k_array_cast};

/* ---- Subscripts and slices ------------------------------------------------------------------------------ */

static int k_subscript(FuncCtx *ctx, Vector **a, uint32_t na, uint32_t n, Vector *out, TarnError *err)
{
    (void)ctx;
    (void)na;
    const Vector *arr = a[0], *ix = a[1];
    const Vector *ch = &arr->children[0];
    bool nested = type_is_nested(out->type->id);
    size_t w = type_width(out->type);
    if (nested)
        vec_reset(out);
    for (uint32_t i = 0; i < n; i++) {
        int64_t k = 0;
        bool ok = vec_is_valid(arr, i) && vec_is_valid(ix, i);
        if (ok) {
            k = ((const int32_t *)ix->data)[i];
            ok = k >= 1 && k <= (int64_t)llen(arr, i);
        }
        uint32_t src = ok ? lbeg(arr, i) + (uint32_t)(k - 1) : 0;
        if (nested) {
            if (ok ? vec_append_from(out, ch, src) : vec_append_null(out))
                return nomem(err);
            continue;
        }
        if (ok && vec_is_valid(ch, src)) {
            memcpy(out->data + w * i, ch->data + w * src, w);
            vec_set_valid_bit(out, i);
        } else if (vec_set_null(out, i)) {
            return nomem(err);
        }
    }
    return 0;
}

const FuncDef func_array_subscript = {.name = "array_subscript", .kind = FUNC_SCALAR, .n_args = 2,
                                      .args = {FUNC_T_ANYARRAY, TYPE_INT32}, .ret = TYPE_INVALID,
                                      .scalar = k_subscript};

static int k_slice(FuncCtx *ctx, Vector **a, uint32_t na, uint32_t n, Vector *out, TarnError *err)
{
    (void)na;
    const FuncArraySlice *sl = ctx->bind_state;
    const Vector *arr = a[0], *lo = a[1], *hi = a[2];
    const Vector *ch = &arr->children[0];
    vec_reset(out);
    Vector *oc = &out->children[0];
    for (uint32_t i = 0; i < n; i++) {
        if (!vec_is_valid(arr, i) || (!sl->no_lo && !vec_is_valid(lo, i)) || (!sl->no_hi && !vec_is_valid(hi, i))) {
            if (vec_append_null(out))
                return nomem(err);
            continue;
        }
        int64_t len = llen(arr, i);
        int64_t l = sl->no_lo ? 1 : ((const int32_t *)lo->data)[i];
        int64_t h = sl->no_hi ? len : ((const int32_t *)hi->data)[i];
        if (l < 1)
            l = 1;
        if (h > len)
            h = len;
        for (int64_t k = l; k <= h; k++)
            if (vec_append_from(oc, ch, lbeg(arr, i) + (uint32_t)(k - 1)))
                return nomem(err);
        if (vec_append_list_end(out))
            return nomem(err);
    }
    return 0;
}

const FuncDef func_array_slice = {.name = "array_slice", .kind = FUNC_SCALAR, .n_args = 3,
                                  .args = {FUNC_T_ANYARRAY, TYPE_INT32, TYPE_INT32}, .ret = TYPE_LIST,
                                  .scalar = k_slice};

static int k_max_len(FuncCtx *ctx, Vector **a, uint32_t na, uint32_t n, Vector *out, TarnError *err)
{
    (void)ctx;
    (void)err;
    int32_t *o = (int32_t *)out->data;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t m = 0;
        for (uint32_t k = 0; k < na; k++) {
            uint32_t r = FUNC_IDX(a[k], i);
            if (vec_is_valid(a[k], r) && llen(a[k], r) > m)
                m = llen(a[k], r);
        }
        o[i] = (int32_t)m;
    }
    return 0;
}

const FuncDef func_array_max_len = {.name = "array_max_len", .kind = FUNC_SCALAR, .n_args = 1,
                                    .args = {FUNC_T_ANYARRAY}, .ret = TYPE_INT32,
                                    .flags = FUNC_VARIADIC | FUNC_CONST_ARGS, .scalar = k_max_len};

/* m[key] on MAP values (nested Parquet): the value of the first equal key, else NULL. */
static int k_map_get(FuncCtx *ctx, Vector **a, uint32_t na, uint32_t n, Vector *out, TarnError *err)
{
    (void)ctx;
    (void)na;
    const Vector *m = a[0], *key = a[1];
    const Vector *keys = &m->children[0], *vals = &m->children[1];
    bool nested = type_is_nested(out->type->id);
    size_t w = type_width(out->type);
    if (nested)
        vec_reset(out);
    for (uint32_t i = 0; i < n; i++) {
        int64_t hit = -1;
        if (vec_is_valid(m, i) && vec_is_valid(key, i))
            for (uint32_t k = lbeg(m, i); k < m->offsets[i + 1] && hit < 0; k++)
                if (vec_is_valid(keys, k) && elem_cmp_valid(key, i, keys, k) == 0)
                    hit = k;
        if (nested) {
            if (hit >= 0 ? vec_append_from(out, vals, (uint32_t)hit) : vec_append_null(out))
                return nomem(err);
        } else if (hit >= 0 && vec_is_valid(vals, (uint32_t)hit)) {
            memcpy(out->data + w * i, vals->data + w * (size_t)hit, w);
            vec_set_valid_bit(out, i);
        } else if (vec_set_null(out, i)) {
            return nomem(err);
        }
    }
    return 0;
}

const FuncDef func_map_get = {.name = "map_get", .kind = FUNC_SCALAR, .n_args = 2, .args = {FUNC_T_ANY, FUNC_T_ANY},
                              .ret = TYPE_INVALID, .scalar = k_map_get};

/* ---- (rec).field ------------------------------------------------------------------------------------- */

static int k_struct_field(FuncCtx *ctx, Vector **a, uint32_t na, uint32_t n, Vector *out, TarnError *err)
{
    (void)na;
    const Vector *st = a[0];
    const Vector *f = &st->children[*(const uint32_t *)ctx->bind_state];
    if (type_is_nested(out->type->id)) {
        vec_reset(out);
        for (uint32_t i = 0; i < n; i++)
            if (vec_is_valid(st, i) ? vec_append_from(out, f, i) : vec_append_null(out))
                return nomem(err);
        return 0;
    }
    size_t w = type_width(out->type);
    memcpy(out->data, f->data, w * n);
    for (uint32_t i = 0; i < n; i++)
        if ((!vec_is_valid(st, i) || !vec_is_valid(f, i)) && vec_set_null(out, i))
            return nomem(err);
    return 0;
}

const FuncDef func_struct_field = {.name = "field", .kind = FUNC_SCALAR, .n_args = 1, .args = {FUNC_T_ANY},
                                   .ret = TYPE_INVALID, .scalar = k_struct_field};

/* ---- x op ANY / ALL (array) ----------------------------------------------------------------------------- */

static bool op_holds(int op, int c)
{
    switch (op) {
    case ARR_OP_EQ: return c == 0;
    case ARR_OP_NE: return c != 0;
    case ARR_OP_LT: return c < 0;
    case ARR_OP_LE: return c <= 0;
    case ARR_OP_GT: return c > 0;
    default: return c >= 0;
    }
}

static int k_any_all(FuncCtx *ctx, Vector **a, uint32_t na, uint32_t n, Vector *out, TarnError *err)
{
    (void)na;
    const FuncArrayAnyAll *st = ctx->bind_state;
    const Vector *x = a[0], *arr = a[1];
    const Vector *ch = &arr->children[0];
    for (uint32_t i = 0; i < n; i++) {
        if (!vec_is_valid(arr, i)) {
            if (vec_set_null(out, i))
                return nomem(err);
            continue;
        }
        uint32_t len = llen(arr, i), b = lbeg(arr, i);
        bool xv = vec_is_valid(x, i), saw_null = false, decided = false;
        for (uint32_t k = 0; k < len && !decided; k++) {
            if (!xv || !vec_is_valid(ch, b + k)) {
                saw_null = true;
                continue;
            }
            bool h = op_holds(st->op, elem_cmp_valid(x, i, ch, b + k));
            if (h != st->all)
                decided = true;
        }
        if (decided) {
            out->data[i] = !st->all;
        } else if (saw_null) {
            if (vec_set_null(out, i))
                return nomem(err);
        } else {
            out->data[i] = st->all;
        }
    }
    return 0;
}

const FuncDef func_array_any_all = {.name = "any_all", .kind = FUNC_SCALAR, .n_args = 2,
                                    .args = {FUNC_T_ANY, FUNC_T_ANYARRAY}, .ret = TYPE_BOOL, .scalar = k_any_all};

/* ---- Named functions --------------------------------------------------------------------------------- */

static int bind_same_array(FuncBindInfo *b, TarnError *err)
{
    (void)err;
    for (uint32_t k = 0; k < b->n_args; k++)
        if (b->arg_types[k].id == TYPE_LIST) {
            b->ret = b->arg_types[k];
            return 0;
        }
    return 0;
}

int fl_bind_text_array(FuncBindInfo *b, TarnError *err)
{
    Field *f = arena_calloc(b->arena, sizeof *f);
    char *name = arena_strdup(b->arena, "element");
    if (!f || !name)
        return ERR_NOMEM(err, sizeof *f);
    f->name = name;
    f->type = type_simple(TYPE_STRING);
    f->nullable = true;
    LogicalType t = {.id = TYPE_LIST, .n_fields = 1, .fields = f};
    b->ret = t;
    return 0;
}

/* array_length(a, dim), array_upper, array_lower, cardinality, array_ndims */
enum { DIMF_LENGTH, DIMF_UPPER, DIMF_LOWER };
static int dim_fn(Vector **a, uint32_t na, uint32_t n, Vector *out, int which, TarnError *err)
{
    const Vector *arr = a[0], *d = na > 1 ? a[1] : NULL;
    int32_t *o = (int32_t *)out->data;
    for (uint32_t i = 0; i < n; i++) {
        if (!FUNC_ROW_VALID(out, i))
            continue;
        uint32_t len = llen(arr, i);
        if ((d && ((const int32_t *)d->data)[i] != 1) || len == 0) {
            if (vec_set_null(out, i))
                return nomem(err);
            continue;
        }
        o[i] = which == DIMF_LOWER ? 1 : (int32_t)len;
    }
    return 0;
}
static int k_array_length(FuncCtx *c, Vector **a, uint32_t na, uint32_t n, Vector *out, TarnError *err)
{
    (void)c;
    return dim_fn(a, na, n, out, DIMF_LENGTH, err);
}
static int k_array_lower(FuncCtx *c, Vector **a, uint32_t na, uint32_t n, Vector *out, TarnError *err)
{
    (void)c;
    return dim_fn(a, na, n, out, DIMF_LOWER, err);
}
static int k_array_ndims(FuncCtx *c, Vector **a, uint32_t na, uint32_t n, Vector *out, TarnError *err)
{
    (void)c;
    (void)na;
    if (dim_fn(a, 1, n, out, DIMF_LENGTH, err))
        return TARN_ERR_NOMEM;
    for (uint32_t i = 0; i < n; i++)
        ((int32_t *)out->data)[i] = 1;
    return 0;
}
static int k_cardinality(FuncCtx *c, Vector **a, uint32_t na, uint32_t n, Vector *out, TarnError *err)
{
    (void)c;
    (void)na;
    (void)err;
    for (uint32_t i = 0; i < n; i++)
        ((int32_t *)out->data)[i] = FUNC_ROW_VALID(out, i) ? (int32_t)llen(a[0], i) : 0;
    return 0;
}

/* array_position(a, x [, start]): first index whose element IS NOT DISTINCT FROM x. */
static int k_array_position(FuncCtx *c, Vector **a, uint32_t na, uint32_t n, Vector *out, TarnError *err)
{
    (void)c;
    const Vector *arr = a[0], *x = a[1], *st = na > 2 ? a[2] : NULL;
    const Vector *ch = &arr->children[0];
    for (uint32_t i = 0; i < n; i++) {
        if (!vec_is_valid(arr, i) || (st && !vec_is_valid(st, i))) {
            if (vec_set_null(out, i))
                return nomem(err);
            continue;
        }
        uint32_t len = llen(arr, i), b = lbeg(arr, i);
        int64_t from = st ? ((const int32_t *)st->data)[i] : 1;
        if (from < 1)
            from = 1;
        int32_t found = 0;
        for (int64_t k = from; k <= (int64_t)len && !found; k++)
            if (elem_cmp(x, i, ch, b + (uint32_t)(k - 1)) == 0)
                found = (int32_t)k;
        if (!found) {
            if (vec_set_null(out, i))
                return nomem(err);
        } else {
            ((int32_t *)out->data)[i] = found;
        }
    }
    return 0;
}

/* array_positions(a, x) (every index holding x) and array_remove(a, x)
 * (the elements other than x) walk the arrays the same way. */
static int scan_equal(Vector **a, uint32_t n, bool positions, Vector *out, TarnError *err)
{
    const Vector *arr = a[0], *x = a[1];
    const Vector *ch = &arr->children[0];
    vec_reset(out);
    Vector *oc = &out->children[0];
    for (uint32_t i = 0; i < n; i++) {
        if (!vec_is_valid(arr, i)) {
            if (vec_append_null(out))
                return nomem(err);
            continue;
        }
        uint32_t b = lbeg(arr, i);
        for (uint32_t k = b; k < arr->offsets[i + 1]; k++) {
            bool eq = elem_cmp(x, i, ch, k) == 0;
            int rc = positions ? (eq ? vec_append_i64(oc, (int64_t)(k - b) + 1) : 0)
                               : (eq ? 0 : vec_append_from(oc, ch, k));
            if (rc)
                return nomem(err);
        }
        if (vec_append_list_end(out))
            return nomem(err);
    }
    return 0;
}

static int k_array_positions(FuncCtx *c, Vector **a, uint32_t na, uint32_t n, Vector *out, TarnError *err)
{
    (void)c;
    (void)na;
    return scan_equal(a, n, true, out, err);
}

static int bind_int_array(FuncBindInfo *b, TarnError *err)
{
    if (fl_bind_text_array(b, err))
        return TARN_ERR_NOMEM;
    b->ret.fields[0].type = type_simple(TYPE_INT32);
    return 0;
}

static int append_elems(Vector *oc, const Vector *arr, uint32_t i)
{
    if (!vec_is_valid(arr, i))
        return 0;
    const Vector *ch = &arr->children[0];
    for (uint32_t k = lbeg(arr, i); k < arr->offsets[i + 1]; k++)
        if (vec_append_from(oc, ch, k))
            return TARN_ERR_NOMEM;
    return 0;
}

/* array_append / array_prepend / array_cat: row i of out is a[0] then
 * a[1], each an array (arr0/arr1: its elements, a NULL array none) or one
 * element; two NULL arrays give NULL (array_cat). */
static int concat_rows(Vector **a, uint32_t n, bool arr0, bool arr1, Vector *out, TarnError *err)
{
    vec_reset(out);
    Vector *oc = &out->children[0];
    for (uint32_t i = 0; i < n; i++) {
        if (arr0 && arr1 && !vec_is_valid(a[0], i) && !vec_is_valid(a[1], i)) {
            if (vec_append_null(out))
                return nomem(err);
            continue;
        }
        if ((arr0 ? append_elems(oc, a[0], i) : vec_append_from(oc, a[0], i)) ||
            (arr1 ? append_elems(oc, a[1], i) : vec_append_from(oc, a[1], i)) || vec_append_list_end(out))
            return nomem(err);
    }
    return 0;
}

static int k_array_append(FuncCtx *c, Vector **a, uint32_t na, uint32_t n, Vector *out, TarnError *err)
{
    (void)c;
    (void)na;
    return concat_rows(a, n, true, false, out, err);
}

static int k_array_prepend(FuncCtx *c, Vector **a, uint32_t na, uint32_t n, Vector *out, TarnError *err)
{
    (void)c;
    (void)na;
    return concat_rows(a, n, false, true, out, err);
}

static int k_array_cat(FuncCtx *c, Vector **a, uint32_t na, uint32_t n, Vector *out, TarnError *err)
{
    (void)c;
    (void)na;
    return concat_rows(a, n, true, true, out, err);
}

static int k_array_remove(FuncCtx *c, Vector **a, uint32_t na, uint32_t n, Vector *out, TarnError *err)
{
    (void)c;
    (void)na;
    return scan_equal(a, n, false, out, err);
}

/* array_to_string(a, sep [, null_str]) */
static int k_array_to_string(FuncCtx *c, Vector **a, uint32_t na, uint32_t n, Vector *out, TarnError *err)
{
    const Vector *arr = a[0], *sep = a[1], *ns = na > 2 ? a[2] : NULL;
    const Vector *ch = &arr->children[0];
    uint32_t total = arr->offsets[n];
    Vector txt;
    const Vector *tv = ch;
    bool own = false;
    if (ch->type->id != TYPE_STRING && total) {
        if (type_is_nested(ch->type->id))
            return err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "array_to_string of nested arrays is not supported");
        if (vec_init(&txt, &string_type) || vec_reserve(&txt, total))
            return nomem(err);
        own = true;
        int rc = cast_vector(ch, &txt, total, c->settings, err);
        if (rc) {
            vec_destroy(&txt);
            return rc;
        }
        tv = &txt;
    }
    int rc = 0;
    for (uint32_t i = 0; i < n && !rc; i++) {
        if (!vec_is_valid(arr, i) || !vec_is_valid(sep, i)) {
            if (vec_set_null(out, i))
                rc = nomem(err);
            continue;
        }
        StrView sp = FL_CSTR(sep)[i];
        bool use_ns = ns && vec_is_valid(ns, i);
        StrView nv = use_ns ? FL_CSTR(ns)[i] : (StrView){0};
        size_t len = 0;
        bool first = true;
        for (uint32_t k = lbeg(arr, i); k < arr->offsets[i + 1]; k++) {
            bool v = vec_is_valid(ch, k);
            if (!v && !use_ns)
                continue;
            len += (first ? 0 : sp.len) + (v ? FL_CSTR(tv)[k].len : nv.len);
            first = false;
        }
        char *p = fl_str_alloc(out, len ? len : 1);
        if (!p) {
            rc = nomem(err);
            break;
        }
        size_t w = 0;
        first = true;
        for (uint32_t k = lbeg(arr, i); k < arr->offsets[i + 1]; k++) {
            bool v = vec_is_valid(ch, k);
            if (!v && !use_ns)
                continue;
            if (!first && sp.len) {
                memcpy(p + w, sp.ptr, sp.len);
                w += sp.len;
            }
            first = false;
            StrView e = v ? FL_CSTR(tv)[k] : nv;
            if (e.len)
                memcpy(p + w, e.ptr, e.len);
            w += e.len;
        }
        FL_STR(out)[i] = fl_sv(p, w);
    }
    if (own)
        vec_destroy(&txt);
    return rc;
}

/* string_to_array(s, sep [, null_str]) */
static int k_string_to_array(FuncCtx *c, Vector **a, uint32_t na, uint32_t n, Vector *out, TarnError *err)
{
    (void)c;
    const Vector *s = a[0], *sep = a[1], *ns = na > 2 ? a[2] : NULL;
    vec_reset(out);
    Vector *oc = &out->children[0];
    for (uint32_t i = 0; i < n; i++) {
        if (!vec_is_valid(s, i)) {
            if (vec_append_null(out))
                return nomem(err);
            continue;
        }
        StrView sv = FL_CSTR(s)[i];
        bool have_ns = ns && vec_is_valid(ns, i);
        StrView nv = have_ns ? FL_CSTR(ns)[i] : (StrView){0};
        if (sv.len) {
            bool sep_null = !vec_is_valid(sep, i);
            StrView sp = sep_null ? (StrView){0} : FL_CSTR(sep)[i];
            size_t p = 0;
            while (p <= sv.len) {
                size_t e;
                if (sep_null) {
                    if (p == sv.len)
                        break;
                    e = p + 1;
                } else if (sp.len == 0) {
                    e = sv.len;
                } else {
                    e = p;
                    while (e + sp.len <= sv.len && memcmp(sv.ptr + e, sp.ptr, sp.len))
                        e++;
                    if (e + sp.len > sv.len)
                        e = sv.len;
                }
                int rc;
                if (have_ns && e - p == nv.len && !memcmp(sv.ptr + p, nv.ptr, nv.len))
                    rc = vec_append_null(oc);
                else
                    rc = vec_append_str(oc, sv.ptr + p, e - p);
                if (rc)
                    return nomem(err);
                if (sep_null)
                    p = e;
                else if (e >= sv.len)
                    break;
                else
                    p = e + sp.len;
            }
        }
        if (vec_append_list_end(out))
            return nomem(err);
    }
    return 0;
}

/* @> <@ && */
static bool contains(const Vector *a, uint32_t i, const Vector *b, uint32_t j)
{
    const Vector *ca = &a->children[0], *cb = &b->children[0];
    for (uint32_t y = lbeg(b, j); y < b->offsets[j + 1]; y++) {
        if (!vec_is_valid(cb, y))
            return false;
        bool hit = false;
        for (uint32_t x = lbeg(a, i); x < a->offsets[i + 1] && !hit; x++)
            hit = vec_is_valid(ca, x) && elem_cmp_valid(ca, x, cb, y) == 0;
        if (!hit)
            return false;
    }
    return true;
}
static bool overlaps(const Vector *a, uint32_t i, const Vector *b, uint32_t j)
{
    const Vector *ca = &a->children[0], *cb = &b->children[0];
    for (uint32_t y = lbeg(b, j); y < b->offsets[j + 1]; y++) {
        if (!vec_is_valid(cb, y))
            continue;
        for (uint32_t x = lbeg(a, i); x < a->offsets[i + 1]; x++)
            if (vec_is_valid(ca, x) && elem_cmp_valid(ca, x, cb, y) == 0)
                return true;
    }
    return false;
}
enum { SETOP_CONTAINS, SETOP_CONTAINED, SETOP_OVERLAP, CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE };
static int bool_op(Vector **a, uint32_t n, Vector *out, int op)
{
    for (uint32_t i = 0; i < n; i++) {
        if (!FUNC_ROW_VALID(out, i))
            continue;
        bool r;
        switch (op) {
        case SETOP_CONTAINS: r = contains(a[0], i, a[1], i); break;
        case SETOP_CONTAINED: r = contains(a[1], i, a[0], i); break;
        case SETOP_OVERLAP: r = overlaps(a[0], i, a[1], i); break;
        default: r = op_holds(op - CMP_EQ, list_cmp(a[0], i, a[1], i)); break;
        }
        out->data[i] = r;
    }
    return 0;
}
#define BOOLOP(fn, op)                                                                              \
    static int fn(FuncCtx *c, Vector **a, uint32_t na, uint32_t n, Vector *out, TarnError *err)    \
    {                                                                                               \
        (void)c;                                                                                    \
        (void)na;                                                                                   \
        (void)err;                                                                                  \
        return bool_op(a, n, out, op);                                                              \
    }
BOOLOP(k_contains, SETOP_CONTAINS)
BOOLOP(k_contained, SETOP_CONTAINED)
BOOLOP(k_overlap, SETOP_OVERLAP)
BOOLOP(k_eq, CMP_EQ)
BOOLOP(k_ne, CMP_NE)
BOOLOP(k_lt, CMP_LT)
BOOLOP(k_le, CMP_LE)
BOOLOP(k_gt, CMP_GT)
BOOLOP(k_ge, CMP_GE)

/* unnest(a): the elements as a set (FUNC_SRF). */
static int unnest_count(FuncCtx *c, Vector **a, uint32_t na, uint32_t n, int64_t *counts, TarnError *err)
{
    (void)c;
    (void)na;
    (void)err;
    const Vector *arr = a[0];
    for (uint32_t i = 0; i < n; i++) {
        uint32_t r = FUNC_IDX(arr, i);
        counts[i] = vec_is_valid(arr, r) ? llen(arr, r) : 0;
    }
    return 0;
}

static int unnest_fill(FuncCtx *c, Vector **a, uint32_t na, const uint32_t *rows, const int64_t *idx, uint32_t n,
                       Vector *out, TarnError *err)
{
    (void)c;
    (void)na;
    const Vector *arr = a[0];
    const Vector *ch = &arr->children[0];
    if (type_is_nested(out->type->id)) {
        vec_reset(out);
        for (uint32_t k = 0; k < n; k++)
            if (vec_append_from(out, ch, lbeg(arr, FUNC_IDX(arr, rows[k])) + (uint32_t)idx[k]))
                return nomem(err);
        return 0;
    }
    size_t w = type_width(out->type);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t src = lbeg(arr, FUNC_IDX(arr, rows[k])) + (uint32_t)idx[k];
        if (vec_is_valid(ch, src)) {
            memcpy(out->data + w * k, ch->data + w * src, w);
            vec_set_valid_bit(out, k);
        } else if (vec_set_null(out, k)) {
            return nomem(err);
        }
    }
    out->len = n;
    return 0;
}

static int bind_elem_of_arg(FuncBindInfo *b, TarnError *err)
{
    (void)err;
    b->ret = b->arg_types[0].fields[0].type;
    return 0;
}

#define AA FUNC_T_ANYARRAY
#define ARROP(sym, k, d_) \
    {.name = sym, .kind = FUNC_OPERATOR, .n_args = 2, .args = {AA, AA}, .ret = TYPE_BOOL, .flags = FUNC_STRICT, .scalar = k, .doc = d_}

const FuncDef func_defs_array[] = {
    {.name = "array_length", .kind = FUNC_SCALAR, .n_args = 2, .args = {AA, TYPE_INT32}, .ret = TYPE_INT32,
     .flags = FUNC_STRICT, .scalar = k_array_length, .doc = "length of the array's dimension (1); NULL if empty"},
    {.name = "array_upper", .kind = FUNC_SCALAR, .n_args = 2, .args = {AA, TYPE_INT32}, .ret = TYPE_INT32,
     .flags = FUNC_STRICT, .scalar = k_array_length, .doc = "upper bound of the dimension"},
    {.name = "array_lower", .kind = FUNC_SCALAR, .n_args = 2, .args = {AA, TYPE_INT32}, .ret = TYPE_INT32,
     .flags = FUNC_STRICT, .scalar = k_array_lower, .doc = "lower bound of the dimension (1)"},
    {.name = "array_ndims", .kind = FUNC_SCALAR, .n_args = 1, .args = {AA}, .ret = TYPE_INT32,
     .flags = FUNC_STRICT, .scalar = k_array_ndims, .doc = "number of dimensions (1; NULL if empty)"},
    {.name = "cardinality", .kind = FUNC_SCALAR, .n_args = 1, .args = {AA}, .ret = TYPE_INT32,
     .flags = FUNC_STRICT, .scalar = k_cardinality, .doc = "number of elements"},
    {.name = "array_position", .kind = FUNC_SCALAR, .n_args = 2, .args = {AA, FUNC_T_ANY}, .ret = TYPE_INT32,
     .scalar = k_array_position, .doc = "first position of the element (IS NOT DISTINCT FROM)"},
    {.name = "array_position", .kind = FUNC_SCALAR, .n_args = 3, .args = {AA, FUNC_T_ANY, TYPE_INT32},
     .ret = TYPE_INT32, .scalar = k_array_position, .doc = "first position of the element from start"},
    {.name = "array_positions", .kind = FUNC_SCALAR, .n_args = 2, .args = {AA, FUNC_T_ANY}, .ret = TYPE_LIST,
     .bind = bind_int_array, .scalar = k_array_positions, .doc = "every position of the element"},
    {.name = "array_append", .kind = FUNC_SCALAR, .n_args = 2, .args = {AA, FUNC_T_ANY}, .ret = TYPE_LIST,
     .bind = bind_same_array, .scalar = k_array_append, .doc = "the array with the element appended"},
    {.name = "array_prepend", .kind = FUNC_SCALAR, .n_args = 2, .args = {FUNC_T_ANY, AA}, .ret = TYPE_LIST,
     .bind = bind_same_array, .scalar = k_array_prepend, .doc = "the array with the element prepended"},
    {.name = "array_cat", .kind = FUNC_SCALAR, .n_args = 2, .args = {AA, AA}, .ret = TYPE_LIST,
     .bind = bind_same_array, .scalar = k_array_cat, .doc = "the two arrays concatenated"},
    {.name = "array_remove", .kind = FUNC_SCALAR, .n_args = 2, .args = {AA, FUNC_T_ANY}, .ret = TYPE_LIST,
     .bind = bind_same_array, .scalar = k_array_remove, .doc = "the array without elements equal to the value"},
    {.name = "array_to_string", .kind = FUNC_SCALAR, .n_args = 2, .args = {AA, TYPE_STRING}, .ret = TYPE_STRING,
     .scalar = k_array_to_string, .doc = "elements joined by the delimiter (NULLs skipped)"},
    {.name = "array_to_string", .kind = FUNC_SCALAR, .n_args = 3, .args = {AA, TYPE_STRING, TYPE_STRING},
     .ret = TYPE_STRING, .scalar = k_array_to_string, .doc = "elements joined by the delimiter, NULLs as null_str"},
    {.name = "string_to_array", .kind = FUNC_SCALAR, .n_args = 2, .args = {TYPE_STRING, TYPE_STRING},
     .ret = TYPE_LIST, .bind = fl_bind_text_array, .scalar = k_string_to_array, .doc = "text split at the delimiter"},
    {.name = "string_to_array", .kind = FUNC_SCALAR, .n_args = 3, .args = {TYPE_STRING, TYPE_STRING, TYPE_STRING},
     .ret = TYPE_LIST, .bind = fl_bind_text_array, .scalar = k_string_to_array,
     .doc = "text split at the delimiter, null_str as NULL"},
    {.name = "unnest", .kind = FUNC_SRF, .n_args = 1, .args = {AA}, .ret = TYPE_INVALID, .flags = FUNC_CONST_ARGS,
     .bind = bind_elem_of_arg, .srf_count = unnest_count, .srf_fill = unnest_fill,
     .doc = "the array's elements as a set of rows"},
    ARROP("@>", k_contains, "array contains"),
    ARROP("<@", k_contained, "array is contained by"),
    ARROP("&&", k_overlap, "arrays overlap"),
    ARROP("=", k_eq, "arrays equal"),
    ARROP("<>", k_ne, "arrays differ"),
    ARROP("<", k_lt, "array less than"),
    ARROP("<=", k_le, "array less or equal"),
    ARROP(">", k_gt, "array greater than"),
    ARROP(">=", k_ge, "array greater or equal"),
    {0},
};
