/*
 * func_testutil.c - see func_testutil.h.  Emulates what the executor does
 * around a kernel call: overload choice by exact argument types, the bind
 * callback, flattening constants for kernels without FUNC_CONST_ARGS, the
 * NULL propagation of FUNC_STRICT, and for aggregates init / update /
 * combine / finalize.
 */
#include "func_testutil.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../test.h"
#include "sql/func/cast.h"
#include "vector/format.h"

#define MAX_ROWS 64

SqlSettings tf_settings = {.timezone = "UTC", .extra_float_digits = 1};

typedef struct Arg {
    LogicalType type;
    bool force_const;
    int n_vals;
    char *vals[MAX_ROWS]; /* strdup'd; NULL = SQL NULL */
} Arg;

static char result[16384];

static bool parse_type(const char *s, size_t n, LogicalType *t)
{
    static const struct { const char *name; TypeId id; } names[] = {
        {"text", TYPE_STRING}, {"int2", TYPE_INT16}, {"int4", TYPE_INT32}, {"int8", TYPE_INT64},
        {"float4", TYPE_FLOAT}, {"float8", TYPE_DOUBLE}, {"bool", TYPE_BOOL}, {"date", TYPE_DATE},
        {"time", TYPE_TIME}, {"timestamp", TYPE_TIMESTAMP}, {"timestamptz", TYPE_TIMESTAMPTZ},
        {"interval", TYPE_INTERVAL}, {"json", TYPE_JSON}, {"bytea", TYPE_BLOB}, {"uuid", TYPE_UUID},
        {"unknown", TYPE_NULL},
    };
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (strlen(names[k].name) == n && !memcmp(names[k].name, s, n)) {
            *t = type_simple(names[k].id);
            return true;
        }
    int p, sc;
    if (n > 8 && !memcmp(s, "numeric(", 8) && sscanf(s + 8, "%d,%d", &p, &sc) == 2) {
        *t = type_decimal(p, sc);
        return true;
    }
    return false;
}

/* "type:v1|v2" -> Arg. */
static void parse_arg(const char *spec, Arg *a)
{
    const char *colon = strchr(spec, ':');
    if (!colon)
        TFAIL("bad argument spec \"%s\"", spec);
    size_t tn = (size_t)(colon - spec);
    a->force_const = tn > 0 && spec[tn - 1] == '!';
    if (a->force_const)
        tn--;
    if (!parse_type(spec, tn, &a->type))
        TFAIL("unknown type in \"%s\"", spec);
    a->n_vals = 0;
    const char *p = colon + 1;
    if (!strcmp(p, "{}")) /* no values at all (an aggregate over zero rows) */
        return;
    if (!strncmp(p, "@@", 2)) { /* one value that may contain '|' */
        a->vals[a->n_vals++] = strdup(p + 2);
        return;
    }
    for (;;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (a->n_vals == MAX_ROWS)
            TFAIL("too many values");
        a->vals[a->n_vals++] = len == 4 && !memcmp(p, "NULL", 4) ? NULL : strndup(p, len);
        if (!bar)
            break;
        p = bar + 1;
    }
}

static void free_arg(Arg *a)
{
    for (int k = 0; k < a->n_vals; k++)
        free(a->vals[k]);
}

/* Builds a vector of rows [from, from + n) of a (constant when the arg has
 * one value and as_const). */
static void build_vec(const Arg *a, Vector *v, int from, int n, bool as_const)
{
    if (vec_init(v, &a->type))
        TFAIL("nomem");
    int count = as_const ? 1 : n;
    for (int k = 0; k < count; k++) {
        const char *s = a->vals[a->n_vals == 1 ? 0 : from + k];
        if (!s || a->type.id == TYPE_NULL) {
            if (vec_append_null(v))
                TFAIL("nomem");
        } else if (value_parse_append(v, s, strlen(s))) {
            TFAIL("cannot parse \"%s\" as type %d", s, a->type.id);
        }
    }
    v->is_const = as_const;
}

static bool is_numeric_type(TypeId t)
{
    return t == TYPE_INT16 || t == TYPE_INT32 || t == TYPE_INT64 || t == TYPE_FLOAT ||
           t == TYPE_DOUBLE || t == TYPE_DECIMAL;
}

static const FuncDef *choose(const char *name, FuncKind kind, const Arg *args, int n_args)
{
    uint32_t n_defs;
    const FuncDef *const *defs = func_lookup(name, kind, &n_defs);
    for (uint32_t d = 0; d < n_defs; d++) {
        const FuncDef *def = defs[d];
        bool variadic = def->flags & FUNC_VARIADIC;
        if (variadic ? n_args < def->n_args - 1 : n_args != def->n_args)
            continue;
        bool ok = true;
        TypeId any_elem = TYPE_INVALID;
        for (int k = 0; k < n_args && ok; k++) {
            int want = def->args[k < def->n_args ? k : def->n_args - 1];
            TypeId have = args[k].type.id;
            if (want == FUNC_T_ANY)
                continue;
            if (want == FUNC_T_ANYELEMENT) {
                if (any_elem == TYPE_INVALID)
                    any_elem = have;
                ok = any_elem == have;
            } else if (want == FUNC_T_ANYNUMERIC) {
                ok = is_numeric_type(have);
            } else {
                ok = want == (int)have;
            }
        }
        if (ok)
            return def;
    }
    return NULL;
}

/* Appends one row's text to result, after a '|' unless it is the first. */
static void append_result(size_t *len, const char *s, bool first)
{
    size_t n = strlen(s);
    if (*len + n + 2 >= sizeof result)
        TFAIL("result too long");
    if (!first)
        result[(*len)++] = '|';
    memcpy(result + *len, s, n);
    *len += n;
    result[*len] = '\0';
}

static void format_out(const Vector *out, uint32_t n, size_t *len)
{
    Buf b;
    buf_init(&b);
    for (uint32_t i = 0; i < n; i++) {
        if (!vec_is_valid(out, i)) {
            append_result(len, "NULL", i == 0);
            continue;
        }
        buf_clear(&b);
        if (value_format_text(out, i, &b) || buf_terminate(&b))
            TFAIL("format failed");
        append_result(len, b.len ? (const char *)b.data : "", i == 0);
    }
    buf_free(&b);
}

static void error_result(const TarnError *err)
{
    snprintf(result, sizeof result, "ERROR %s: %s", err->sqlstate, err->message);
}

typedef struct Call {
    const FuncDef *def;
    LogicalType arg_types[FUNC_MAX_ARGS * 4];
    const LogicalType *arg_type_ptrs[FUNC_MAX_ARGS * 4];
    LogicalType ret;
    void *bind_state;
    Arena arena;
} Call;

/* Runs the bind step (constants from vecs). 0 or error (result set). */
static int do_bind(Call *c, Vector *vecs, int n_args, TarnError *err)
{
    const FuncDef *def = c->def;
    Value consts[FUNC_MAX_ARGS * 4];
    bool is_const[FUNC_MAX_ARGS * 4];
    TypeId any_elem = TYPE_INVALID;
    for (int k = 0; k < n_args; k++) {
        c->arg_types[k] = *vecs[k].type;
        c->arg_type_ptrs[k] = &c->arg_types[k];
        is_const[k] = vecs[k].is_const;
        if (is_const[k])
            vector_get_value(&vecs[k], 0, &consts[k]);
        int want = def->args[k < def->n_args ? k : def->n_args - 1];
        if (want == FUNC_T_ANYELEMENT && any_elem == TYPE_INVALID)
            any_elem = vecs[k].type->id;
    }
    if (def->ret == FUNC_T_ANYELEMENT) {
        for (int k = 0; k < n_args; k++)
            if (def->args[k < def->n_args ? k : def->n_args - 1] == FUNC_T_ANYELEMENT) {
                c->ret = c->arg_types[k];
                break;
            }
    } else if (def->ret == TYPE_DECIMAL) {
        c->ret = type_decimal(38, 0);
        for (int k = 0; k < n_args; k++)
            if (c->arg_types[k].id == TYPE_DECIMAL) {
                c->ret = c->arg_types[k];
                break;
            }
    } else {
        c->ret = type_simple((TypeId)def->ret);
    }
    (void)any_elem;
    c->bind_state = NULL;
    if (!def->bind)
        return 0;
    FuncBindInfo info;
    memset(&info, 0, sizeof info);
    info.def = def;
    info.n_args = (uint32_t)n_args;
    info.arg_types = c->arg_types;
    info.const_args = consts;
    info.is_const = is_const;
    info.arena = &c->arena;
    info.settings = &tf_settings;
    info.ret = c->ret;
    int rc = def->bind(&info, err);
    if (rc)
        return rc;
    c->ret = info.ret;
    c->bind_state = info.bind_state;
    return 0;
}

static void init_ctx(FuncCtx *ctx, Call *c, int n_args, Arena *scratch, Arena *arena)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->def = c->def;
    ctx->ret = &c->ret;
    ctx->arg_types = c->arg_type_ptrs;
    ctx->n_args = (uint32_t)n_args;
    ctx->bind_state = c->bind_state;
    ctx->settings = &tf_settings;
    ctx->scratch = scratch;
    ctx->arena = arena;
}

/* One scalar run; appends to result.  Returns false after an error. */
static bool run_scalar(const FuncDef *def, Arg *args, int n_args, int n_rows, bool all_const,
                       size_t *len)
{
    Call c;
    memset(&c, 0, sizeof c);
    c.def = def;
    arena_init(&c.arena, 0);
    Vector vecs[FUNC_MAX_ARGS * 4];
    Vector *ptrs[FUNC_MAX_ARGS * 4];
    for (int k = 0; k < n_args; k++) {
        bool as_const = all_const || args[k].force_const || (args[k].n_vals == 1 && n_rows > 1);
        build_vec(&args[k], &vecs[k], 0, n_rows, as_const);
        ptrs[k] = &vecs[k];
    }
    TarnError err;
    err_clear(&err);
    bool ok = true;
    Vector out;
    Arena scratch;
    arena_init(&scratch, 0);
    memset(&out, 0, sizeof out);
    bool have_out = false;
    if (do_bind(&c, vecs, n_args, &err)) {
        error_result(&err);
        ok = false;
        goto done;
    }
    if (vec_init(&out, &c.ret) || vec_reserve(&out, (uint32_t)n_rows))
        TFAIL("nomem");
    have_out = true;
    if (!(def->flags & FUNC_CONST_ARGS))
        for (int k = 0; k < n_args; k++)
            if (func_flatten(ptrs[k], (uint32_t)n_rows))
                TFAIL("nomem");
    bool skip = false;
    if (def->flags & FUNC_STRICT) {
        if (func_propagate_nulls(ptrs, (uint32_t)n_args, (uint32_t)n_rows, &out))
            TFAIL("nomem");
        skip = n_rows > 0 && out.validity;
        for (int i = 0; i < n_rows && skip; i++)
            if (vec_is_valid(&out, (uint32_t)i))
                skip = false;
    }
    FuncCtx ctx;
    init_ctx(&ctx, &c, n_args, &scratch, NULL);
    if (skip) {
        out.len = (uint32_t)n_rows;
    } else {
        int rc = def->scalar(&ctx, ptrs, (uint32_t)n_args, (uint32_t)n_rows, &out, &err);
        if (rc) {
            if (!err.kind)
                TFAIL("kernel returned %d without an error", rc);
            error_result(&err);
            ok = false;
            goto done;
        }
        if (out.len != (uint32_t)n_rows)
            TFAIL("kernel set out->len %u, expected %d", out.len, n_rows);
    }
    format_out(&out, (uint32_t)n_rows, len);
done:
    if (have_out)
        vec_destroy(&out);
    for (int k = 0; k < n_args; k++)
        vec_destroy(&vecs[k]);
    arena_free(&scratch);
    arena_free(&c.arena);
    return ok;
}

static int collect_args(va_list ap, Arg *args)
{
    int n = 0;
    const char *s;
    while ((s = va_arg(ap, const char *)) != NULL) {
        if (n == FUNC_MAX_ARGS * 4)
            TFAIL("too many arguments");
        parse_arg(s, &args[n++]);
    }
    return n;
}

static FuncKind split_name(const char **name)
{
    if (!strncmp(*name, "op:", 3)) {
        *name += 3;
        return FUNC_OPERATOR;
    }
    return FUNC_SCALAR;
}

const char *tf(const char *name, ...)
{
    TarnError err;
    err_clear(&err);
    if (func_registry_init(&err))
        TFAIL("registry: %s", err.message);
    Arg args[FUNC_MAX_ARGS * 4];
    va_list ap;
    va_start(ap, name);
    int n_args = collect_args(ap, args);
    va_end(ap);
    FuncKind kind = split_name(&name);
    const FuncDef *def = choose(name, kind, args, n_args);
    if (!def)
        TFAIL("no overload of %s matches", name);
    int n_rows = 1;
    for (int k = 0; k < n_args; k++)
        if (args[k].n_vals > n_rows)
            n_rows = args[k].n_vals;
    for (int k = 0; k < n_args; k++)
        if (args[k].n_vals != 1 && args[k].n_vals != n_rows)
            TFAIL("argument %d has %d values, expected %d", k, args[k].n_vals, n_rows);
    size_t len = 0;
    result[0] = '\0';
    bool ok = run_scalar(def, args, n_args, n_rows, false, &len);
    if (ok && n_rows == 1 && n_args > 0 && !(def->flags & FUNC_VOLATILE)) {
        /* Again with every argument constant over three rows. */
        char flat[sizeof result];
        memcpy(flat, result, sizeof flat);
        len = 0;
        result[0] = '\0';
        if (!run_scalar(def, args, n_args, 3, true, &len))
            TFAIL("%s: constant run failed (%s), flat run gave \"%s\"", name, result, flat);
        char want[sizeof result * 3 + 4];
        snprintf(want, sizeof want, "%s|%s|%s", flat, flat, flat);
        if (strcmp(want, result))
            TFAIL("%s: constant run gave \"%s\", flat run \"%s\"", name, result, flat);
        memcpy(result, flat, sizeof flat);
    }
    for (int k = 0; k < n_args; k++)
        free_arg(&args[k]);
    return result;
}

/* ---- Aggregates -------------------------------------------------------------------------- */

/* Aggregates rows [from, from+n) of args into the states of groups[]. */
static int agg_update_rows(FuncCtx *ctx, const FuncDef *def, Arg *args, int n_args, int from, int n,
                           uint8_t **rows, bool use_update1, TarnError *err)
{
    Vector vecs[FUNC_MAX_ARGS * 4];
    Vector *ptrs[FUNC_MAX_ARGS * 4];
    for (int k = 0; k < n_args; k++) {
        build_vec(&args[k], &vecs[k], from, n, args[k].force_const || args[k].n_vals == 1);
        ptrs[k] = &vecs[k];
        if (!(def->flags & FUNC_CONST_ARGS) && func_flatten(ptrs[k], (uint32_t)n))
            TFAIL("nomem");
    }
    int rc;
    if (use_update1 && def->agg_update1)
        rc = def->agg_update1(ctx, ptrs, (uint32_t)n_args, (uint32_t)n, rows[0], err);
    else
        rc = def->agg_update(ctx, ptrs, (uint32_t)n_args, (uint32_t)n, rows, 0, err);
    for (int k = 0; k < n_args; k++)
        vec_destroy(&vecs[k]);
    return rc;
}

/* mode 0: one state, update (update1 if any); mode 1: two states over the
 * halves, combined; mode 2: grouped by groups[]. */
static bool run_agg(const FuncDef *def, Arg *args, int n_args, int n_rows, int mode,
                    const int *groups, int n_groups, size_t *len)
{
    Call c;
    memset(&c, 0, sizeof c);
    c.def = def;
    arena_init(&c.arena, 0);
    Arena arena, scratch;
    arena_init(&arena, 0);
    arena_init(&scratch, 0);
    TarnError err;
    err_clear(&err);
    bool ok = true;
    Vector out;
    bool have_out = false;
    /* Bind with vectors of the first row (constants known). */
    Vector vecs[FUNC_MAX_ARGS * 4];
    for (int k = 0; k < n_args; k++)
        build_vec(&args[k], &vecs[k], 0, n_rows ? 1 : 0, args[k].force_const || args[k].n_vals == 1);
    int rc = do_bind(&c, vecs, n_args, &err);
    for (int k = 0; k < n_args; k++)
        vec_destroy(&vecs[k]);
    if (rc) {
        error_result(&err);
        ok = false;
        goto done;
    }
    FuncCtx ctx;
    init_ctx(&ctx, &c, n_args, &scratch, &arena);
    uint32_t sz = (def->state_size + 15) & ~15u;
    int n_states = mode == 2 ? n_groups : 2;
    uint8_t *mem = aligned_alloc(16, (size_t)sz * (size_t)n_states + 16);
    memset(mem, 0xA5, (size_t)sz * (size_t)n_states + 16); /* init must set everything it reads */
    uint8_t *states[16];
    for (int g = 0; g < n_states; g++)
        states[g] = mem + (size_t)g * sz;
    def->agg_init(&ctx, states, 0, (uint32_t)n_states);
    uint8_t *rows[MAX_ROWS];
    if (mode == 0) {
        for (int i = 0; i < n_rows; i++)
            rows[i] = states[0];
        rc = n_rows ? agg_update_rows(&ctx, def, args, n_args, 0, n_rows, rows, true, &err) : 0;
    } else if (mode == 1) {
        int half = n_rows / 2;
        for (int i = 0; i < n_rows; i++)
            rows[i] = states[i < half ? 0 : 1];
        rc = half ? agg_update_rows(&ctx, def, args, n_args, 0, half, rows, false, &err) : 0;
        if (!rc && n_rows - half)
            rc = agg_update_rows(&ctx, def, args, n_args, half, n_rows - half, rows + half, false, &err);
        if (!rc) {
            uint8_t *src[1] = {states[1]}, *dst[1] = {states[0]};
            rc = def->agg_combine(&ctx, src, dst, 0, 1, &err);
        }
    } else {
        for (int i = 0; i < n_rows; i++)
            rows[i] = states[groups[i]];
        rc = n_rows ? agg_update_rows(&ctx, def, args, n_args, 0, n_rows, rows, false, &err) : 0;
    }
    int n_out = mode == 2 ? n_groups : 1;
    if (!rc) {
        if (vec_init(&out, &c.ret) || vec_reserve(&out, (uint32_t)n_out))
            TFAIL("nomem");
        have_out = true;
        rc = def->agg_finalize(&ctx, states, 0, (uint32_t)n_out, &out, &err);
        if (!rc && out.len != (uint32_t)n_out)
            TFAIL("finalize set out->len %u, expected %d", out.len, n_out);
    }
    if (rc) {
        error_result(&err);
        ok = false;
    } else {
        format_out(&out, (uint32_t)n_out, len);
    }
    if (def->agg_destroy)
        def->agg_destroy(&ctx, states, 0, (uint32_t)n_states);
    free(mem);
done:
    if (have_out)
        vec_destroy(&out);
    arena_free(&arena);
    arena_free(&scratch);
    arena_free(&c.arena);
    return ok;
}

/* Parallel float aggregation rounds differently (as in PostgreSQL): two
 * results that are both doubles within 1e-12 relative agree. */
static bool close_doubles(const char *a, const char *b)
{
    char *ea, *eb;
    double x = strtod(a, &ea), y = strtod(b, &eb);
    if (*ea || *eb || ea == a || eb == b)
        return false;
    double d = fabs(x - y), m = fabs(x) > fabs(y) ? fabs(x) : fabs(y);
    return d <= m * 1e-12;
}

static const char *agg_common(const char *name, const char *groups, va_list ap)
{
    TarnError err;
    err_clear(&err);
    if (func_registry_init(&err))
        TFAIL("registry: %s", err.message);
    Arg args[FUNC_MAX_ARGS * 4];
    int n_args = collect_args(ap, args);
    const FuncDef *def = choose(name, FUNC_AGGREGATE, args, n_args);
    if (!def)
        TFAIL("no aggregate %s matches", name);
    int n_rows = 0;
    for (int k = 0; k < n_args; k++)
        if (args[k].n_vals > n_rows && !(args[k].n_vals == 1 && args[k].force_const))
            n_rows = args[k].n_vals;
    size_t len = 0;
    result[0] = '\0';
    if (groups) {
        int g[MAX_ROWS], n_groups = 0, n = 0;
        for (const char *p = groups; *p; p++) {
            if (*p == '|')
                continue;
            g[n] = *p - '0';
            if (g[n] + 1 > n_groups)
                n_groups = g[n] + 1;
            n++;
        }
        if (n != n_rows)
            TFAIL("%d groups for %d rows", n, n_rows);
        run_agg(def, args, n_args, n_rows, 2, g, n_groups, &len);
    } else {
        bool ok = run_agg(def, args, n_args, n_rows, 0, NULL, 0, &len);
        char first[sizeof result];
        memcpy(first, result, sizeof first);
        len = 0;
        result[0] = '\0';
        bool ok2 = run_agg(def, args, n_args, n_rows, 1, NULL, 0, &len);
        if (ok != ok2 || (strcmp(first, result) && !close_doubles(first, result)))
            TFAIL("%s: one state gave \"%s\", two states combined \"%s\"", name, first, result);
        memcpy(result, first, sizeof first);
    }
    for (int k = 0; k < n_args; k++)
        free_arg(&args[k]);
    return result;
}

const char *tfa(const char *name, ...)
{
    va_list ap;
    va_start(ap, name);
    const char *r = agg_common(name, NULL, ap);
    va_end(ap);
    return r;
}

const char *tfa_grouped(const char *name, const char *groups, ...)
{
    va_list ap;
    va_start(ap, groups);
    const char *r = agg_common(name, groups, ap);
    va_end(ap);
    return r;
}

void tf_cross(const char *name, ...)
{
    TarnError err;
    err_clear(&err);
    if (func_registry_init(&err))
        TFAIL("registry: %s", err.message);
    Arg args[FUNC_MAX_ARGS * 4];
    va_list ap;
    va_start(ap, name);
    int n_args = collect_args(ap, args);
    va_end(ap);
    FuncKind kind = split_name(&name);
    const FuncDef *def = choose(name, kind, args, n_args);
    if (!def)
        TFAIL("no overload of %s matches", name);
    int idx[FUNC_MAX_ARGS * 4] = {0};
    for (;;) {
        Arg one[FUNC_MAX_ARGS * 4];
        for (int k = 0; k < n_args; k++) {
            one[k] = args[k];
            one[k].n_vals = args[k].n_vals ? 1 : 0;
            one[k].vals[0] = args[k].n_vals ? args[k].vals[idx[k]] : NULL;
        }
        size_t len = 0;
        run_scalar(def, one, n_args, 1, false, &len);
        len = 0;
        run_scalar(def, one, n_args, 3, true, &len);
        int k = n_args - 1;
        while (k >= 0 && ++idx[k] >= args[k].n_vals) {
            idx[k] = 0;
            k--;
        }
        if (k < 0)
            break;
    }
    for (int k = 0; k < n_args; k++)
        free_arg(&args[k]);
}
