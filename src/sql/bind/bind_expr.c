/*
 * bind_expr.c - binding expressions: names, literals, operators and
 * functions (PostgreSQL's resolution rules), casts, CASE, aggregates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/bind/bind_int.h"
#include "sql/exec/expr.h"
#include "sql/func/func_inlist.h"
#include "sql/func/cast.h"
#include "sql/parse/parse.h"
#include "vector/format.h"

int bind_error_at(BindCtx *ctx, int loc)
{
    sql_err_at(ctx->err, ctx->sql, loc);
    return ctx->err ? ctx->err->kind : TARN_ERR_INTERNAL;
}

static int nomem(BindCtx *ctx) { return ERR_NOMEM(ctx->err, 0); }

static const char *tname(const LogicalType *t, bool unknown, char *buf, size_t cap)
{
    if (unknown)
        return "unknown";
    return sqltype_name(t, buf, cap);
}

/* ---- Literals ------------------------------------------------------------------------ */

static int bind_const(BindCtx *ctx, const AstNode *n, Expr **out)
{
    Value v;
    memset(&v, 0, sizeof v);
    LogicalType t;
    bool unknown = false;
    switch (n->u.cnst.kind) {
    case CONST_NULL:
        v = value_null();
        t = type_simple(TYPE_NULL);
        unknown = true;
        break;
    case CONST_BOOL:
        v.type = TYPE_BOOL;
        v.v.b = n->u.cnst.bval;
        t = type_simple(TYPE_BOOL);
        break;
    case CONST_INT:
        v.type = TYPE_INT32;
        v.v.i = n->u.cnst.ival;
        t = type_simple(TYPE_INT32);
        break;
    case CONST_NUMERIC: {
        const char *s = n->u.cnst.text;
        int64_t i;
        /* Integers too big for int4 arrive as "float" text: int8 when they fit. */
        if (!strpbrk(s, ".eE") && value_parse_i64(s, strlen(s), &i)) {
            /* PostgreSQL's make_const: int4 when it fits (-2147483648), else int8 */
            bool fits = i >= INT32_MIN && i <= INT32_MAX;
            v.type = fits ? TYPE_INT32 : TYPE_INT64;
            v.v.i = i;
            t = type_simple(v.type);
            break;
        }
        /* numeric: precision/scale from the digits */
        const char *dot = strchr(s, '.');
        const char *e = strpbrk(s, "eE");
        int scale = 0, digits = 0;
        for (const char *p = s; *p && p != e; p++)
            if (*p >= '0' && *p <= '9')
                digits++;
        if (dot)
            scale = (int)((e ? e : s + strlen(s)) - dot - 1);
        if (e) {
            long ex = strtol(e + 1, NULL, 10);
            scale -= (int)ex;
            if (scale < 0)
                scale = 0;
            digits += ex > 0 ? (int)ex : 0;
        }
        if (scale > 38)
            scale = 38;
        int prec = digits > scale ? digits : scale + 1;
        if (prec > 38) {
            /* beyond 38 digits: double precision (tarn's numeric is 128-bit) */
            double d;
            value_parse_double(s, strlen(s), &d);
            v = value_double(d);
            t = type_simple(TYPE_DOUBLE);
            break;
        }
        if (prec < 1)
            prec = 1;
        t = type_decimal(prec, scale);
        int128_t x;
        if (!value_parse_decimal(s, strlen(s), 38, scale, &x)) {
            err_set_state(ctx->err, TARN_ERR_INVALID, "22003", "numeric constant \"%s\" out of range", s);
            return bind_error_at(ctx, n->loc);
        }
        v.type = TYPE_DECIMAL;
        v.precision = (uint8_t)prec;
        v.scale = (uint8_t)scale;
        if (prec > 18)
            v.v.i128 = x;
        else
            v.v.i = (int64_t)x;
        break;
    }
    case CONST_STRING: {
        size_t len = strlen(n->u.cnst.text);
        v = value_str(n->u.cnst.text, (uint32_t)len);
        t = type_simple(TYPE_STRING);
        unknown = true;
        break;
    }
    case CONST_BITS:
    default:
        err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000", "bit string constants are not supported");
        return bind_error_at(ctx, n->loc);
    }
    Expr *e = expr_const(ctx->a, &v, t, n->loc);
    if (!e)
        return nomem(ctx);
    e->unknown = unknown;
    *out = e;
    return 0;
}

/* ---- Folding and casts ------------------------------------------------------------------- */

int bind_fold(BindCtx *ctx, Expr *e, Expr **out)
{
    *out = e;
    /* nested results (arrays) have no Value form: evaluated at run time */
    if (e->kind == EX_CONST || !expr_is_constant(e) || ctx->no_fold || type_is_nested(e->type.id))
        return 0;
    Value v;
    int rc = expr_eval_const(e, ctx->settings, ctx->a, &v, ctx->err);
    if (rc) {
        /* PostgreSQL points at literals that fail their input function,
         * not at run-time errors of folded expressions (1/0) */
        if (e->kind == EX_CAST && e->args[0]->kind == EX_CONST)
            return bind_error_at(ctx, e->loc);
        return rc;
    }
    Expr *c = expr_const(ctx->a, &v, e->type, e->loc);
    if (!c)
        return nomem(ctx);
    *out = c;
    return 0;
}

/* Integer types as the smallest numeric that holds them. */
static LogicalType int_as_decimal(TypeId id)
{
    switch (id) {
    case TYPE_INT8: case TYPE_UINT8: return type_decimal(3, 0);
    case TYPE_INT16: case TYPE_UINT16: return type_decimal(5, 0);
    case TYPE_INT32: case TYPE_UINT32: return type_decimal(10, 0);
    case TYPE_INT64: return type_decimal(19, 0);
    default: return type_decimal(20, 0);
    }
}

/* `interval '90' day`: a bare number with a field qualifier. */
static bool interval_field_literal(const Expr *e, const LogicalType *t, int32_t field_mask, Interval *out)
{
    (void)t;
    if (e->kind != EX_CONST || !e->unknown || e->u.cnst.is_null || !field_mask)
        return false;
    const char *s = e->u.cnst.v.s.ptr;
    uint32_t n = e->u.cnst.v.s.len;
    double d;
    if (!value_parse_double(s, n, &d))
        return false;
    /* lowest field of the mask: YEAR=2 MONTH=1 DAY=3 HOUR=10 MINUTE=11 SECOND=12 (PG datetime.h) */
    Interval iv = {0, 0, 0};
    if (field_mask & (1 << 12))
        iv.micros = (int64_t)(d * 1e6);
    else if (field_mask & (1 << 11))
        iv.micros = (int64_t)(d * 60e6);
    else if (field_mask & (1 << 10))
        iv.micros = (int64_t)(d * 3600e6);
    else if (field_mask & (1 << 3)) {
        iv.days = (int32_t)d;
        iv.micros = (int64_t)((d - iv.days) * 86400e6);
    } else if (field_mask & (1 << 1)) {
        iv.months = (int32_t)d;
    } else if (field_mask & (1 << 2)) {
        iv.months = (int32_t)(d * 12);
    } else {
        return false;
    }
    *out = iv;
    return true;
}

int bind_coerce(BindCtx *ctx, Expr *e, const LogicalType *t, int context, Expr **out)
{
    *out = e;
    if (t->id == TYPE_LIST) { /* arrays (bind_array.c); a parameter there is text */
        bool handled;
        int arc = bind_array_coerce(ctx, e, t, context, out, &handled);
        if (arc || handled)
            return arc;
    }
    if (t->id == TYPE_STRING && t->char_kind && t->char_len) {
        /* varchar(n) / char(n): to text, then the length coercion (bind_char.c) */
        LogicalType text = type_simple(TYPE_STRING);
        Expr *x;
        bool unk = e->unknown && e->kind == EX_CONST;
        if (unk && ctx->params && ctx->params->n_unk &&
            (t->char_kind == TYPE_CHAR_BPCHAR || context <= CAST_ASSIGNMENT)) {
            /* an unknown $k meeting char(n) (any context) or varchar(n) (assignment, cast) takes that type
             * without its length, as in PostgreSQL; bind_param strips a bpchar value's trailing blanks */
            LogicalType pt = *t;
            pt.char_len = 0;
            int prc = bind_param_infer(ctx, e, &pt);
            if (prc)
                return prc;
        }
        int crc = bind_coerce(ctx, e, &text, context, &x);
        if (!crc && context > CAST_ASSIGNMENT && unk && t->char_kind == TYPE_CHAR_BPCHAR) {
            /* 'ab  ' compared with a char(n) value: trailing spaces do not count */
            LogicalType any_len = *t;
            any_len.char_len = 0;
            if ((crc = bind_char_coerce(ctx, x, &any_len, CAST_EXPLICIT, &x)))
                return crc;
        }
        if (crc || context > CAST_ASSIGNMENT) { /* implicit: no length check, as in PostgreSQL */
            *out = x;
            return crc;
        }
        return bind_char_coerce(ctx, x, t, context, out);
    }
    if (e->unknown && ctx->params && ctx->params->n_unk) {
        int prc = bind_param_infer(ctx, e, t);
        if (prc)
            return prc;
    }
    if (e->type.id == t->id && (t->id != TYPE_DECIMAL || (e->type.precision == t->precision && e->type.scale == t->scale))) {
        e->unknown = false;
        return 0;
    }
    if (e->type.id == TYPE_NULL) {
        Value nv = value_null();
        Expr *c = expr_const(ctx->a, &nv, *t, e->loc);
        if (!c)
            return nomem(ctx);
        c->u.cnst.is_null = true;
        *out = c;
        return 0;
    }
    if (!e->unknown) {
        CastContext cc = cast_context(e->type.id, t->id);
        if (cc == CAST_NONE || (int)cc < context) {
            char a[64], b[64];
            if (cc == CAST_NONE)
                err_set_state(ctx->err, TARN_ERR_TYPE, "42846", "cannot cast type %s to %s",
                              sqltype_name(&e->type, a, sizeof a), sqltype_name(t, b, sizeof b));
            else if (context == CAST_ASSIGNMENT)
                err_set_state(ctx->err, TARN_ERR_TYPE, "42804", "column is of type %s but expression is of type %s",
                              sqltype_name(t, b, sizeof b), sqltype_name(&e->type, a, sizeof a));
            else
                err_set_state(ctx->err, TARN_ERR_TYPE, "42804", "cannot implicitly cast type %s to %s",
                              sqltype_name(&e->type, a, sizeof a), sqltype_name(t, b, sizeof b));
            if (context == CAST_ASSIGNMENT && cc != CAST_NONE)
                err_hint(ctx->err, "You will need to rewrite or cast the expression.");
            return bind_error_at(ctx, e->loc);
        }
    }
    Expr *c = expr_new(ctx->a, EX_CAST, *t, 1, e->loc);
    if (!c)
        return nomem(ctx);
    c->args[0] = e;
    e->unknown = false;
    return bind_fold(ctx, c, out);
}

/* ---- Function and operator resolution (PostgreSQL 10.2 / 10.3) ------------------------------ */

static bool is_poly(uint8_t a) { return a >= FUNC_T_ANY; }

/* How arg type `have` (unknown literal when `unk`) fits declared `want`:
 * 3 exact, 2 implicit cast, 1 unknown literal (any), 0 no. */
static int arg_fit(const LogicalType *have, bool unk, uint8_t want)
{
    /* a polymorphic match ranks below an exact concrete one (text || text
     * picks textcat over textanycat), like an implicit cast */
    if (want == FUNC_T_ANY)
        return have->id == TYPE_NULL && unk ? 1 : 2;
    if (want == FUNC_T_ANYELEMENT)
        return unk ? 1 : 2;
    if (want == FUNC_T_ANYNUMERIC)
        return unk ? 1 : sqltype_category(have->id) == TCAT_NUMERIC ? 2 : 0;
    if (want == FUNC_T_ANYARRAY)
        return have->id == TYPE_LIST ? 2 : 0;
    if (unk)
        return 1;
    if (have->id == want)
        return 3;
    return cast_context(have->id, want) == CAST_IMPLICIT ? 2 : 0;
}

static uint8_t def_arg(const FuncDef *d, uint32_t i)
{
    if (i < d->n_args)
        return d->args[i];
    return d->args[d->n_args ? d->n_args - 1 : 0];
}

static bool arity_ok(const FuncDef *d, uint32_t n)
{
    if (d->flags & FUNC_VARIADIC)
        return n + 1 >= d->n_args;
    return n == d->n_args;
}

static int describe_call(BindCtx *ctx, const char *name, FuncKind kind, Expr **args, uint32_t n, char *buf,
                         size_t cap)
{
    size_t w = 0;
    char tn[64];
    if (kind == FUNC_OPERATOR) {
        if (n == 2)
            w = (size_t)snprintf(buf, cap, "%s %s %s", tname(&args[0]->type, args[0]->unknown, tn, sizeof tn), name, "");
        else
            w = (size_t)snprintf(buf, cap, "%s ", name);
        if (w < cap)
            snprintf(buf + w, cap - w, "%s", tname(&args[n - 1]->type, args[n - 1]->unknown, tn, sizeof tn));
        return 0;
    }
    w = (size_t)snprintf(buf, cap, "%s(", name);
    for (uint32_t i = 0; i < n && w < cap; i++)
        w += (size_t)snprintf(buf + w, cap - w, "%s%s", i ? ", " : "", tname(&args[i]->type, args[i]->unknown, tn, sizeof tn));
    if (w < cap)
        snprintf(buf + w, cap - w, ")");
    (void)ctx;
    return 0;
}

int bind_common_type(BindCtx *ctx, Expr *const *exprs, uint32_t n, const char *what, LogicalType *out)
{
    /* all unknown -> text */
    int first = -1;
    for (uint32_t i = 0; i < n; i++)
        if (!exprs[i]->unknown) {
            first = (int)i;
            break;
        }
    if (first < 0) {
        *out = type_simple(TYPE_STRING);
        for (uint32_t i = 0; i < n; i++)
            if (exprs[i]->type.id != TYPE_NULL)
                return 0;
        /* all NULL: text as well (PG: unknown -> text) */
        return 0;
    }
    LogicalType t = exprs[first]->type;
    char cat = sqltype_category(t.id);
    bool pref_fixed = sqltype_preferred(t.id);
    for (uint32_t i = (uint32_t)first + 1; i < n; i++) {
        const Expr *e = exprs[i];
        if (e->unknown)
            continue;
        const LogicalType *u = &e->type;
        if (sqltype_category(u->id) != cat) {
            char a[64], b[64];
            err_set_state(ctx->err, TARN_ERR_TYPE, "42804", "%s types %s and %s cannot be matched", what,
                          sqltype_name(&t, a, sizeof a), sqltype_name(u, b, sizeof b));
            return bind_error_at(ctx, e->loc);
        }
        if (t.id == TYPE_DECIMAL && u->id == TYPE_DECIMAL) {
            int s = t.scale > u->scale ? t.scale : u->scale;
            int id1 = t.precision - t.scale, id2 = u->precision - u->scale;
            int p = (id1 > id2 ? id1 : id2) + s;
            t = type_decimal(p > 38 ? 38 : p, s);
            continue;
        }
        if (pref_fixed || u->id == t.id)
            continue;
        if (sqltype_preferred(u->id)) {
            t = *u;
            pref_fixed = true;
            continue;
        }
        /* last type that all preceding ones convert to implicitly */
        if (cast_context(t.id, u->id) == CAST_IMPLICIT && cast_context(u->id, t.id) != CAST_IMPLICIT) {
            if (u->id == TYPE_DECIMAL && type_is_integer(t.id)) {
                LogicalType ti = int_as_decimal(t.id);
                int s = u->scale, id1 = ti.precision, id2 = u->precision - u->scale;
                int p = (id1 > id2 ? id1 : id2) + s;
                t = type_decimal(p > 38 ? 38 : p, s);
            } else {
                t = *u;
            }
        } else if (t.id == TYPE_DECIMAL && type_is_integer(u->id)) {
            LogicalType ti = int_as_decimal(u->id);
            int s = t.scale, id1 = t.precision - t.scale, id2 = ti.precision;
            int p = (id1 > id2 ? id1 : id2) + s;
            t = type_decimal(p > 38 ? 38 : p, s);
        } else if (cast_context(t.id, u->id) != CAST_IMPLICIT && cast_context(u->id, t.id) != CAST_IMPLICIT) {
            char a[64], b[64];
            err_set_state(ctx->err, TARN_ERR_TYPE, "42804", "%s types %s and %s cannot be matched", what,
                          sqltype_name(&t, a, sizeof a), sqltype_name(u, b, sizeof b));
            return bind_error_at(ctx, e->loc);
        }
    }
    *out = t;
    return 0;
}

/* Concrete target type for argument i of candidate d (given the actual). */
static LogicalType target_type(const FuncDef *d, uint32_t i, const Expr *arg, const LogicalType *anyelem)
{
    uint8_t w = def_arg(d, i);
    if (w == FUNC_T_ANYELEMENT)
        return *anyelem;
    if (w == FUNC_T_ANY || w == FUNC_T_ANYNUMERIC || w == FUNC_T_ANYARRAY) {
        if (arg->unknown)
            return arg->type.id == TYPE_NULL ? type_simple(TYPE_STRING) : type_simple(TYPE_STRING);
        return arg->type;
    }
    if (w == TYPE_DECIMAL) {
        if (arg->type.id == TYPE_DECIMAL)
            return arg->type;
        if (type_is_integer(arg->type.id))
            return int_as_decimal(arg->type.id);
        if (arg->unknown && arg->kind == EX_CONST && !arg->u.cnst.is_null) {
            /* '1.25' -> numeric(3,2) */
            const StrView *sv = &arg->u.cnst.v.s;
            const char *dot = memchr(sv->ptr, '.', sv->len);
            int scale = dot ? (int)(sv->ptr + sv->len - dot - 1) : 0;
            if (scale > 37)
                scale = 37;
            return type_decimal(38, scale);
        }
        return type_decimal(38, 10);
    }
    return type_simple((TypeId)w);
}

int bind_function(BindCtx *ctx, const char *name, FuncKind kind, Expr **args, uint32_t n, int loc, Expr **out,
                  const FuncDef **def_out, void **state_out)
{
    {
        bool handled;
        int arc = bind_array_call(ctx, name, kind, args, n, loc, out, &handled);
        if (arc || handled)
            return arc;
    }
    uint32_t nc;
    const FuncDef *const *cands = func_lookup(name, kind, &nc);
    const FuncDef *best = NULL;
    int best_score[3] = {-1, -1, -1};
    bool ambiguous = false;
    /* Unknown literal next to a known operand: assume the same type (PG rule 2.a). */
    LogicalType unk_as = {0};
    bool have_unk_as = false;
    if (kind == FUNC_OPERATOR && n == 2 && (args[0]->unknown != args[1]->unknown)) {
        unk_as = args[0]->unknown ? args[1]->type : args[0]->type;
        have_unk_as = unk_as.id != TYPE_NULL;
    }
    for (uint32_t c = 0; c < nc; c++) {
        const FuncDef *d = cands[c];
        if (!arity_ok(d, n))
            continue;
        int exact = 0, pref = 0, unk_exact = 0;
        bool ok = true;
        for (uint32_t i = 0; i < n && ok; i++) {
            uint8_t w = def_arg(d, i);
            int f = arg_fit(&args[i]->type, args[i]->unknown, w);
            if (!f) {
                ok = false;
                break;
            }
            if (f == 3)
                exact++;
            if (f == 2 && !is_poly(w) && sqltype_preferred((TypeId)w))
                pref++;
            if (f == 1 && have_unk_as && !is_poly(w) && w == unk_as.id)
                unk_exact++;
            if (f == 1 && !is_poly(w) && sqltype_category((TypeId)w) == TCAT_STRING)
                pref++; /* unknown literals prefer the string category */
        }
        if (!ok)
            continue;
        int score[3] = {exact + unk_exact, pref, -(int)c};
        (void)score[2];
        if (!best || score[0] > best_score[0] || (score[0] == best_score[0] && score[1] > best_score[1])) {
            best = d;
            best_score[0] = score[0];
            best_score[1] = score[1];
            ambiguous = false;
        } else if (score[0] == best_score[0] && score[1] == best_score[1]) {
            ambiguous = true;
        }
    }
    char desc[256];
    if (!best) {
        describe_call(ctx, name, kind, args, n, desc, sizeof desc);
        if (kind == FUNC_OPERATOR) {
            err_set_state(ctx->err, TARN_ERR_NOT_FOUND, "42883", "operator does not exist: %s", desc);
            err_hint(ctx->err, "No operator matches the given name and argument types. You might need to add explicit type casts.");
        } else {
            err_set_state(ctx->err, TARN_ERR_NOT_FOUND, "42883", "function %s does not exist", desc);
            err_hint(ctx->err, "No function matches the given name and argument types. You might need to add explicit type casts.");
        }
        return bind_error_at(ctx, loc);
    }
    if (ambiguous) {
        /* Prefer a candidate whose unknown args are all in one category with
         * a preferred type: narrow by picking the first remaining. PG would
         * report "is not unique" when still tied; report it for operators
         * whose both sides are unknown. */
        bool all_unknown = true;
        for (uint32_t i = 0; i < n; i++)
            if (!args[i]->unknown)
                all_unknown = false;
        if (all_unknown && n > 0) {
            /* unknown op unknown: resolve both as text when a text candidate exists */
            for (uint32_t c = 0; c < nc; c++) {
                const FuncDef *d = cands[c];
                if (!arity_ok(d, n))
                    continue;
                bool all_text = true;
                for (uint32_t i = 0; i < n; i++)
                    if (def_arg(d, i) != TYPE_STRING)
                        all_text = false;
                if (all_text) {
                    best = d;
                    ambiguous = false;
                    break;
                }
            }
        }
        if (ambiguous) {
            describe_call(ctx, name, kind, args, n, desc, sizeof desc);
            if (kind == FUNC_OPERATOR)
                err_set_state(ctx->err, TARN_ERR_TYPE, "42725", "operator is not unique: %s", desc);
            else
                err_set_state(ctx->err, TARN_ERR_TYPE, "42725", "function %s is not unique", desc);
            err_hint(ctx->err, "Could not choose a best candidate %s. You might need to add explicit type casts.",
                     kind == FUNC_OPERATOR ? "operator" : "function");
            return bind_error_at(ctx, loc);
        }
    }
    /* ANYELEMENT unification. */
    LogicalType anyelem = type_simple(TYPE_STRING);
    {
        Expr *poly[FUNC_MAX_ARGS * 4];
        uint32_t np = 0;
        for (uint32_t i = 0; i < n && np < FUNC_MAX_ARGS * 4; i++)
            if (def_arg(best, i) == FUNC_T_ANYELEMENT)
                poly[np++] = args[i];
        if (np) {
            int rc = bind_common_type(ctx, poly, np, best->kind == FUNC_AGGREGATE ? name : "function argument", &anyelem);
            if (!rc && best->kind != FUNC_AGGREGATE)
                rc = bind_array_refuse(ctx, &anyelem, name, loc);
            if (rc)
                return rc;
        }
    }
    if (kind == FUNC_OPERATOR && n == 2) { /* varchar compared with char(n): as char(n) (bind_char.c) */
        int crc = bind_char_compare_args(ctx, name, args);
        if (crc)
            return crc;
    }
    /* Insert casts. */
    LogicalType *argt = arena_alloc(ctx->a, (n ? n : 1) * sizeof(LogicalType));
    if (!argt)
        return nomem(ctx);
    for (uint32_t i = 0; i < n; i++) {
        LogicalType t = target_type(best, i, args[i], &anyelem);
        if (have_unk_as && args[i]->unknown && !is_poly(def_arg(best, i)) && def_arg(best, i) == unk_as.id)
            t = unk_as;
        int rc = bind_coerce(ctx, args[i], &t, CAST_IMPLICIT, &args[i]);
        if (rc)
            return rc;
        argt[i] = args[i]->type;
    }
    /* Result type. */
    LogicalType ret;
    if (best->ret == FUNC_T_ANYELEMENT) {
        ret = anyelem;
        if (ret.id == TYPE_STRING && ret.char_kind == TYPE_CHAR_VARCHAR)
            ret.char_kind = 0, ret.char_len = 0; /* PostgreSQL's varchar functions are text ones (char(n) has its own) */
    } else if (best->ret == TYPE_INVALID)
        ret = type_simple(TYPE_NULL);
    else if (best->ret == TYPE_DECIMAL)
        ret = type_decimal(38, 0);
    else
        ret = type_simple((TypeId)best->ret);
    void *state = NULL;
    if (best->bind) {
        FuncBindInfo bi;
        memset(&bi, 0, sizeof bi);
        Value *cv = arena_calloc(ctx->a, (n ? n : 1) * sizeof(Value));
        bool *isc = arena_calloc(ctx->a, (n ? n : 1) * sizeof(bool));
        if (!cv || !isc)
            return nomem(ctx);
        for (uint32_t i = 0; i < n; i++)
            if (args[i]->kind == EX_CONST) {
                isc[i] = true;
                cv[i] = args[i]->u.cnst;
            }
        bi.def = best;
        bi.n_args = n;
        bi.arg_types = argt;
        bi.const_args = cv;
        bi.is_const = isc;
        bi.arena = ctx->a;
        bi.settings = ctx->settings;
        bi.ret = ret;
        int rc = best->bind(&bi, ctx->err);
        if (rc)
            return bind_error_at(ctx, loc);
        ret = bi.ret;
        state = bi.bind_state;
    }
    if (def_out)
        *def_out = best;
    if (state_out)
        *state_out = state;
    if (kind == FUNC_AGGREGATE) {
        /* The caller builds the AggCall; report the result type through a dummy expr. */
        Expr *e = expr_new(ctx->a, EX_AGGREF, ret, 0, loc);
        if (!e)
            return nomem(ctx);
        *out = e;
        return 0;
    }
    Expr *e = expr_new(ctx->a, EX_FUNC, ret, n, loc);
    if (!e)
        return nomem(ctx);
    for (uint32_t i = 0; i < n; i++)
        e->args[i] = args[i];
    e->u.func.def = best;
    e->u.func.bind_state = state;
    if (kind == FUNC_SRF) {
        *out = e; /* never folded: a set (bind_srf.c) */
        return 0;
    }
    return bind_fold(ctx, e, out);
}

/* `date_col < timestamp '1995-01-01 00:00:00'` (what `date '1994-01-01' +
 * interval '1' year` gives) compares CAST(date_col AS timestamp): rewrite it
 * to compare the date itself with a date constant, which is cheaper and
 * lets scans skip files and row groups.  X*day < T  <=>  X < ceil(T/day). */
static int simplify_date_cmp(BindCtx *ctx, Expr **pe)
{
    Expr *e = *pe;
    if (e->kind != EX_FUNC || e->n_args != 2 || e->u.func.def->kind != FUNC_OPERATOR)
        return 0;
    const char *op = e->u.func.def->name;
    bool flip = false;
    Expr *c = e->args[0], *k = e->args[1];
    if (c->kind == EX_CONST) {
        Expr *t = c;
        c = k;
        k = t;
        flip = true;
    }
    if (c->kind != EX_CAST || c->type.id != TYPE_TIMESTAMP || c->args[0]->type.id != TYPE_DATE ||
        k->kind != EX_CONST || k->u.cnst.is_null || k->type.id != TYPE_TIMESTAMP)
        return 0;
    /* normalize to "X op T" */
    char o[3];
    snprintf(o, sizeof o, "%s", op);
    if (flip) {
        if (!strcmp(op, "<")) snprintf(o, sizeof o, ">");
        else if (!strcmp(op, "<=")) snprintf(o, sizeof o, ">=");
        else if (!strcmp(op, ">")) snprintf(o, sizeof o, "<");
        else if (!strcmp(op, ">=")) snprintf(o, sizeof o, "<=");
    }
    int64_t t = k->u.cnst.v.i, day = 86400000000LL;
    int64_t d = t >= 0 ? t / day : -((-t + day - 1) / day);
    bool exact = d * day == t;
    const char *nop;
    if (!strcmp(o, "<"))
        nop = exact ? "<" : "<=";
    else if (!strcmp(o, "<="))
        nop = "<=";
    else if (!strcmp(o, ">"))
        nop = ">";
    else if (!strcmp(o, ">="))
        nop = exact ? ">=" : ">";
    else if (!strcmp(o, "=") && exact)
        nop = "=";
    else
        return 0;
    if (d < INT32_MIN || d > INT32_MAX)
        return 0;
    Value v = value_i64(TYPE_DATE, d);
    Expr *dc = expr_const(ctx->a, &v, type_simple(TYPE_DATE), k->loc);
    if (!dc)
        return nomem(ctx);
    Expr *args[2] = {c->args[0], dc};
    Expr *r;
    int rc = bind_function(ctx, nop, FUNC_OPERATOR, args, 2, e->loc, &r, NULL, NULL);
    if (rc)
        return rc;
    *pe = r;
    return 0;
}

int bind_operator(BindCtx *ctx, const char *name, Expr *l, Expr *r, int loc, Expr **out)
{
    Expr *args[2];
    uint32_t n = 0;
    if (l)
        args[n++] = l;
    args[n++] = r;
    int rc = bind_function(ctx, name, FUNC_OPERATOR, args, n, loc, out, NULL, NULL);
    if (!rc && n == 2)
        rc = simplify_date_cmp(ctx, out);
    return rc;
}

/* ---- Column references ---------------------------------------------------------------------- */

static int levenshtein(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64)
        return 1000;
    int d[65][65];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            int c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < c)
                c = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < c)
                c = d[i][j - 1] + 1;
            d[i][j] = c;
        }
    return d[n][m];
}

static void hint_closest(BindCtx *ctx, Scope *s, const char *name)
{
    int best = 1000;
    const char *bt = NULL, *bc = NULL;
    for (Scope *sc = s; sc; sc = sc->parent)
        for (uint32_t i = 0; i < sc->n_items; i++)
            for (uint32_t j = 0; j < sc->items[i].n_cols; j++) {
                int d = levenshtein(name, sc->items[i].names[j]);
                if (d < best) {
                    best = d;
                    bt = sc->items[i].alias;
                    bc = sc->items[i].names[j];
                }
            }
    if (bc && best <= (int)strlen(name) / 2 && best > 0) {
        if (bt)
            err_hint(ctx->err, "Perhaps you meant to reference the column \"%s.%s\".", bt, bc);
        else
            err_hint(ctx->err, "Perhaps you meant to reference the column \"%s\".", bc);
    }
}

static Expr *item_col(BindCtx *ctx, const ScopeItem *it, uint32_t j)
{
    Expr *e = expr_colref(ctx->a, it->binds[j], it->types[j], it->names[j]);
    if (e)
        e->u.col.qual = it->alias;
    return e;
}

/* Finds an unqualified column in one scope level: 0 found, 1 absent, else error. */
static int find_in_scope(BindCtx *ctx, Scope *s, const char *col, int loc, Expr **out)
{
    for (uint32_t i = 0; i < s->n_usings; i++)
        if (!strcmp(s->usings[i].name, col)) {
            *out = expr_copy(ctx->a, s->usings[i].expr);
            return *out ? 0 : nomem(ctx);
        }
    Expr *found = NULL;
    for (uint32_t i = 0; i < s->n_items; i++) {
        const ScopeItem *it = &s->items[i];
        for (uint32_t j = 0; j < it->n_cols; j++) {
            if (strcmp(it->names[j], col) || (it->hidden && it->hidden[j]))
                continue;
            if (found) {
                err_set_state(ctx->err, TARN_ERR_INVALID, "42702", "column reference \"%s\" is ambiguous", col);
                return bind_error_at(ctx, loc);
            }
            if (!(found = item_col(ctx, it, j)))
                return nomem(ctx);
        }
    }
    if (!found)
        return 1;
    *out = found;
    return 0;
}

static int find_qualified(BindCtx *ctx, Scope *s, const char *schema, const char *tab, const char *col, int loc,
                          Expr **out, bool *table_found)
{
    for (uint32_t i = 0; i < s->n_items; i++) {
        const ScopeItem *it = &s->items[i];
        if (!it->alias || strcmp(it->alias, tab))
            continue;
        if (schema && (!it->schema || strcmp(it->schema, schema)))
            continue;
        *table_found = true;
        for (uint32_t j = 0; j < it->n_cols; j++)
            if (!strcmp(it->names[j], col)) {
                *out = item_col(ctx, it, j);
                return *out ? 0 : nomem(ctx);
            }
        err_set_state(ctx->err, TARN_ERR_NOT_FOUND, "42703", "column %s.%s does not exist", tab, col);
        hint_closest(ctx, s, col);
        return bind_error_at(ctx, loc);
    }
    return 1;
}

int bind_column(BindCtx *ctx, ExprEnv *env, const AstNode *n, Expr **out)
{
    uint32_t k = n->u.colref.n;
    const char **names = n->u.colref.names;
    if (n->u.colref.star) {
        err_set_state(ctx->err, TARN_ERR_SYNTAX, "42601", "\"*\" is not allowed here");
        return bind_error_at(ctx, n->loc);
    }
    int depth = 0;
    for (Scope *s = env->scope; s; s = s->parent, depth++) {
        int rc;
        if (k == 1) {
            rc = find_in_scope(ctx, s, names[0], n->loc, out);
        } else if (k == 2 || k == 3) {
            bool tf = false;
            rc = find_qualified(ctx, s, k == 3 ? names[0] : NULL, names[k - 2], names[k - 1], n->loc, out, &tf);
        } else {
            err_set_state(ctx->err, TARN_ERR_SYNTAX, "42601", "improper qualified name (too many dotted names)");
            return bind_error_at(ctx, n->loc);
        }
        if (rc == 0) {
            if (depth > 0)
                ctx->n_outer_refs++;
            else
                ctx->n_local_refs++;
            if (depth > 0) {
                /* an outer reference: the enclosing subquery is correlated;
                 * the optimizer decorrelates it (or reports 0A000) */
                uint32_t level = 0;
                for (Scope *p = s->parent; p; p = p->parent)
                    level++;
                if (level < ctx->min_ref_level)
                    ctx->min_ref_level = level;
            }
            return 0;
        }
        if (rc != 1)
            return rc;
    }
    if (k == 1) {
        err_set_state(ctx->err, TARN_ERR_NOT_FOUND, "42703", "column \"%s\" does not exist", names[0]);
        hint_closest(ctx, env->scope, names[0]);
    } else {
        /* PostgreSQL's errorMissingRTE: a table or view read under an
         * alias is named by its alias only */
        const ScopeItem *hit = NULL;
        for (Scope *s = env->scope; s && !hit; s = s->parent)
            for (uint32_t i = 0; i < s->n_items && !hit; i++)
                if (s->items[i].relname && s->items[i].alias && strcmp(s->items[i].alias, s->items[i].relname) &&
                    !strcmp(s->items[i].relname, names[k - 2]))
                    hit = &s->items[i];
        if (hit) {
            err_set_state(ctx->err, TARN_ERR_NOT_FOUND, "42P01", "invalid reference to FROM-clause entry for table \"%s\"",
                          names[k - 2]);
            err_hint(ctx->err, "Perhaps you meant to reference the table alias \"%s\".", hit->alias);
        } else {
            err_set_state(ctx->err, TARN_ERR_NOT_FOUND, "42P01", "missing FROM-clause entry for table \"%s\"", names[k - 2]);
        }
    }
    return bind_error_at(ctx, n->loc);
}

/* ---- Expressions ---------------------------------------------------------------------------------- */

static const char *clause_name(ExprClause c)
{
    switch (c) {
    case CL_WHERE: return "WHERE";
    case CL_JOIN_ON: return "JOIN conditions";
    case CL_GROUP_BY: return "GROUP BY";
    case CL_VALUES: return "VALUES";
    case CL_LIMIT: return "LIMIT";
    default: return "this context";
    }
}

int bind_bool_expr(BindCtx *ctx, ExprEnv *env, const AstNode *n, const char *what, Expr **out)
{
    int rc = bind_expr(ctx, env, n, out);
    if (rc)
        return rc;
    Expr *e = *out;
    if (e->type.id == TYPE_BOOL && !e->unknown)
        return 0;
    if (e->unknown || e->type.id == TYPE_NULL) {
        LogicalType b = type_simple(TYPE_BOOL);
        return bind_coerce(ctx, e, &b, CAST_IMPLICIT, out);
    }
    char tn[64];
    err_set_state(ctx->err, TARN_ERR_TYPE, "42804", "argument of %s must be type boolean, not type %s", what,
                  sqltype_name(&e->type, tn, sizeof tn));
    return bind_error_at(ctx, e->loc >= 0 ? e->loc : n->loc);
}

static Expr *mk_not(BindCtx *ctx, Expr *a, int loc)
{
    Expr *e = expr_new(ctx->a, EX_NOT, type_simple(TYPE_BOOL), 1, loc);
    if (e)
        e->args[0] = a;
    return e;
}
static Expr *mk_bool2(BindCtx *ctx, ExprKind k, Expr *a, Expr *b, int loc)
{
    Expr *e = expr_new(ctx->a, k, type_simple(TYPE_BOOL), 2, loc);
    if (e) {
        e->args[0] = a;
        e->args[1] = b;
    }
    return e;
}
static Expr *mk_nulltest(BindCtx *ctx, Expr *a, bool is_not, int loc)
{
    Expr *e = expr_new(ctx->a, is_not ? EX_IS_NOT_NULL : EX_IS_NULL, type_simple(TYPE_BOOL), 1, loc);
    if (e)
        e->args[0] = a;
    return e;
}
static Expr *mk_bool_const(BindCtx *ctx, bool b, int loc)
{
    Value v;
    memset(&v, 0, sizeof v);
    v.type = TYPE_BOOL;
    v.v.b = b;
    return expr_const(ctx->a, &v, type_simple(TYPE_BOOL), loc);
}

static bool is_const_false_expr(const Expr *e)
{
    return e->kind == EX_CONST && (e->u.cnst.is_null || !e->u.cnst.v.b);
}

static int bind_case(BindCtx *ctx, ExprEnv *env, const AstNode *n, Expr **out)
{
    uint32_t nw = n->u.kase.whens.n;
    bool has_else = n->u.kase.else_ != NULL;
    Expr *arg = NULL;
    int rc;
    if (n->u.kase.arg && (rc = bind_expr(ctx, env, n->u.kase.arg, &arg)))
        return rc;
    Expr **results = arena_alloc(ctx->a, (nw + 1) * sizeof(Expr *));
    Expr **conds = arena_alloc(ctx->a, (nw + 1) * sizeof(Expr *));
    if (!results || !conds)
        return nomem(ctx);
    bool dead_rest = false; /* an earlier WHEN is constant TRUE */
    for (uint32_t i = 0; i < nw; i++) {
        if (arg) {
            Expr *v;
            if ((rc = bind_expr(ctx, env, n->u.kase.whens.items[i], &v)))
                return rc;
            Expr *a2 = expr_copy(ctx->a, arg);
            if (!a2)
                return nomem(ctx);
            if ((rc = bind_operator(ctx, "=", a2, v, n->u.kase.whens.items[i]->loc, &conds[i])))
                return rc;
        } else {
            const char *sb = ctx->srf_block;
            ctx->srf_block = "CASE/WHEN"; /* 42804 for a set-returning call (bind_srf.c) */
            rc = bind_bool_expr(ctx, env, n->u.kase.whens.items[i], "CASE/WHEN", &conds[i]);
            ctx->srf_block = sb;
            if (rc)
                return rc;
        }
        /* PostgreSQL does not simplify (fold) results of WHEN branches that
         * are constant FALSE, so `CASE WHEN false THEN 1/0 ELSE 5 END` is 5 */
        bool dead = dead_rest || is_const_false_expr(conds[i]);
        if (dead)
            ctx->no_fold++;
        rc = bind_expr(ctx, env, n->u.kase.thens.items[i], &results[i]);
        if (dead)
            ctx->no_fold--;
        if (rc)
            return rc;
        if (conds[i]->kind == EX_CONST && !conds[i]->u.cnst.is_null && conds[i]->u.cnst.v.b)
            dead_rest = true;
    }
    uint32_t nr = nw;
    if (has_else) {
        if (dead_rest)
            ctx->no_fold++;
        rc = bind_expr(ctx, env, n->u.kase.else_, &results[nr++]);
        if (dead_rest)
            ctx->no_fold--;
        if (rc)
            return rc;
    }
    LogicalType t;
    if ((rc = bind_common_type(ctx, results, nr, "CASE", &t)) || (rc = bind_array_refuse(ctx, &t, "CASE", n->loc)))
        return rc;
    for (uint32_t i = 0; i < nr; i++)
        if ((rc = bind_coerce(ctx, results[i], &t, CAST_IMPLICIT, &results[i])))
            return rc;
    /* Fold constant conditions: drop FALSE/NULL branches, stop at TRUE. */
    Expr *e = expr_new(ctx->a, EX_CASE, t, 2 * nw + (has_else ? 1 : 0), n->loc);
    if (!e)
        return nomem(ctx);
    uint32_t k = 0;
    for (uint32_t i = 0; i < nw; i++) {
        if (conds[i]->kind == EX_CONST) {
            if (conds[i]->u.cnst.is_null || !conds[i]->u.cnst.v.b)
                continue;
            if (k == 0) {
                *out = results[i];
                return 0;
            }
            /* becomes the ELSE */
            e->args[k++] = results[i];
            e->u.kase.has_else = true;
            e->n_args = k;
            *out = e;
            return 0;
        }
        e->args[k++] = conds[i];
        e->args[k++] = results[i];
    }
    if (has_else)
        e->args[k++] = results[nr - 1];
    e->n_args = k;
    e->u.kase.has_else = has_else;
    if (k == 0 || (k == 1 && has_else)) {
        if (has_else) {
            *out = results[nr - 1];
        } else {
            Value nv = value_null();
            *out = expr_const(ctx->a, &nv, t, n->loc);
            if (!*out)
                return nomem(ctx);
            (*out)->u.cnst.is_null = true;
        }
        return 0;
    }
    *out = e;
    return 0;
}

static int bind_list(BindCtx *ctx, ExprEnv *env, const AstList *l, Expr ***out)
{
    *out = arena_alloc(ctx->a, (l->n ? l->n : 1) * sizeof(Expr *));
    if (!*out)
        return nomem(ctx);
    for (uint32_t i = 0; i < l->n; i++) {
        int rc = bind_expr(ctx, env, l->items[i], &(*out)[i]);
        if (rc)
            return rc;
    }
    return 0;
}

/* PostgreSQL evaluates an aggregate whose arguments read only columns of
 * enclosing queries at that outer level (`SELECT (SELECT max(t.a) FROM u)
 * FROM t` aggregates t); tarn does not, so such a call is refused. */
static int refuse_outer_aggregate(BindCtx *ctx, const AstNode *n, uint32_t local0, uint32_t outer0)
{
    if (ctx->n_local_refs != local0 || ctx->n_outer_refs == outer0)
        return 0;
    err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000",
                  "aggregate functions over columns of an outer query only are not supported yet");
    return bind_error_at(ctx, n->loc);
}

static int bind_aggregate(BindCtx *ctx, ExprEnv *env, const AstNode *n, const char *name, Expr **out)
{
    uint32_t local0 = ctx->n_local_refs, outer0 = ctx->n_outer_refs;
    if (!env->aggs || env->clause == CL_WHERE || env->clause == CL_JOIN_ON || env->clause == CL_GROUP_BY) {
        if (!n->u.func.star && n->u.func.args.n && env->scope && env->scope->parent) {
            /* an aggregate of an outer query?  (then not an error in PostgreSQL) */
            ExprEnv probe = *env;
            probe.in_agg = true;
            Expr **pargs;
            if (!bind_list(ctx, &probe, &n->u.func.args, &pargs) &&
                refuse_outer_aggregate(ctx, n, local0, outer0))
                return ctx->err->kind;
        }
        err_set_state(ctx->err, TARN_ERR_INVALID, "42803", "aggregate functions are not allowed in %s",
                      clause_name(env->clause));
        return bind_error_at(ctx, n->loc);
    }
    if (env->in_agg) {
        err_set_state(ctx->err, TARN_ERR_INVALID, "42803", "aggregate function calls cannot be nested");
        return bind_error_at(ctx, n->loc);
    }
    ExprEnv sub = *env;
    sub.in_agg = true;
    uint32_t na = n->u.func.star ? 0 : n->u.func.args.n;
    Expr **args = NULL;
    int rc;
    if (na && (rc = bind_list(ctx, &sub, &n->u.func.args, &args)))
        return rc;
    if (na && (rc = refuse_outer_aggregate(ctx, n, local0, outer0)))
        return rc;
    if (n->u.func.star && strcmp(name, "count")) {
        err_set_state(ctx->err, TARN_ERR_SYNTAX, "42809", "%s(*) specified, but %s is not an aggregate function", name, name);
        return bind_error_at(ctx, n->loc);
    }
    Expr *filter = NULL;
    if (n->u.func.filter) {
        sub.clause = CL_WHERE;
        sub.aggs = NULL;
        if ((rc = bind_bool_expr(ctx, &sub, n->u.func.filter, "FILTER", &filter)))
            return rc;
    }
    Expr *typed;
    const FuncDef *def;
    void *state;
    if ((rc = bind_function(ctx, name, FUNC_AGGREGATE, args, na, n->loc, &typed, &def, &state)))
        return rc;
    AggCollector *c = env->aggs;
    /* Reuse an identical call (not with ORDER BY: bind_agg_order wraps those). */
    for (uint32_t i = 0; i < c->n && !n->u.func.order_by.n; i++) {
        AggCall *o = &c->aggs[i];
        if (o->def != def || o->n_args != na || o->distinct != n->u.func.distinct || !expr_equal(o->filter, filter))
            continue;
        bool same = true;
        for (uint32_t j = 0; j < na && same; j++)
            same = expr_equal(o->args[j], args[j]);
        if (same) {
            Expr *e = expr_new(ctx->a, EX_AGGREF, o->type, 0, n->loc);
            if (!e)
                return nomem(ctx);
            e->u.agg.idx = i;
            *out = e;
            return 0;
        }
    }
    if (c->n == c->cap) {
        uint32_t nc = c->cap ? c->cap * 2 : 8;
        AggCall *na2 = arena_alloc(ctx->a, nc * sizeof(AggCall));
        if (!na2)
            return nomem(ctx);
        if (c->n)
            memcpy(na2, c->aggs, c->n * sizeof(AggCall));
        c->aggs = na2;
        c->cap = nc;
    }
    AggCall *ac = &c->aggs[c->n];
    memset(ac, 0, sizeof *ac);
    ac->def = def;
    ac->n_args = na;
    ac->args = args;
    ac->distinct = n->u.func.distinct;
    ac->filter = filter;
    ac->type = typed->type;
    ac->bind_state = state;
    ac->name = def->name;
    if (n->u.func.order_by.n && (rc = bind_agg_order(ctx, env, n, ac)))
        return rc;
    Expr *e = expr_new(ctx->a, EX_AGGREF, ac->type, 0, n->loc);
    if (!e)
        return nomem(ctx);
    e->u.agg.idx = c->n++;
    *out = e;
    return 0;
}

static int bind_type_from_func_name(BindCtx *ctx, const char *name, LogicalType *t)
{
    AstNode tn;
    memset(&tn, 0, sizeof tn);
    tn.kind = AST_TYPE_NAME;
    tn.loc = -1;
    tn.u.typname.name = name;
    TarnError saved = *ctx->err;
    int rc = bind_type_name(ctx, &tn, t);
    if (rc)
        *ctx->err = saved;
    return rc;
}

static int bind_func_call(BindCtx *ctx, ExprEnv *env, const AstNode *n, Expr **out)
{
    /* information_schema._pg_expandarray and friends (func_syscat.c) */
    bool info_fn = n->u.func.n_names == 2 && !strcmp(n->u.func.names[0], "information_schema") &&
                   !strncmp(n->u.func.names[1], "_pg_", 4);
    if (n->u.func.n_names > 1 && !info_fn) {
        err_set_state(ctx->err, TARN_ERR_NOT_FOUND, "42883", "function %s.%s does not exist", n->u.func.names[0],
                      n->u.func.names[n->u.func.n_names - 1]);
        return bind_error_at(ctx, n->loc);
    }
    const char *name = n->u.func.names[n->u.func.n_names - 1];
    if (n->u.func.arg_names.n) {
        err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000", "named arguments are not supported for %s()", name);
        return bind_error_at(ctx, n->loc);
    }
    if (n->u.func.over && func_name_exists(name, FUNC_SRF) && !func_name_exists(name, FUNC_AGGREGATE) &&
        !bind_window_only_name(name))
        return bind_srf_call(ctx, env, n, name, out); /* its error (bind_srf.c) */
    if (n->u.func.over)
        return bind_window_call(ctx, env, n, name, out);
    if (bind_window_only_name(name)) {
        err_set_state(ctx->err, TARN_ERR_SYNTAX, "42809", "window function %s requires an OVER clause", name);
        return bind_error_at(ctx, n->loc);
    }
    bool is_scalar = func_name_exists(name, FUNC_SCALAR), is_agg = func_name_exists(name, FUNC_AGGREGATE);
    if (!is_scalar && !is_agg && func_name_exists(name, FUNC_SRF))
        return bind_srf_call(ctx, env, n, name, out); /* set-returning (bind_srf.c) */
    if (is_agg && !is_scalar)
        return bind_aggregate(ctx, env, n, name, out);
    if (n->u.func.star || n->u.func.distinct || n->u.func.filter || n->u.func.order_by.n) {
        if (!is_scalar) {
            err_set_state(ctx->err, TARN_ERR_NOT_FOUND, "42883", "function %s(*) does not exist", name);
            return bind_error_at(ctx, n->loc);
        }
        err_set_state(ctx->err, TARN_ERR_SYNTAX, "42809", "%s specified, but %s is not an aggregate function",
                      n->u.func.distinct ? "DISTINCT" : n->u.func.filter ? "FILTER" : "*", name);
        return bind_error_at(ctx, n->loc);
    }
    Expr **args;
    int rc = bind_list(ctx, env, &n->u.func.args, &args);
    if (rc)
        return rc;
    if (!is_scalar && n->u.func.args.n == 1) {
        /* type_name(x) is a cast, as in PostgreSQL */
        LogicalType t;
        if (!bind_type_from_func_name(ctx, name, &t))
            return bind_coerce(ctx, args[0], &t, CAST_EXPLICIT, out);
    }
    const void *syscat_saved; /* catalog functions see the catalog model (bind_syscat.c) */
    if ((rc = bind_syscat_enter(ctx, name, &syscat_saved)))
        return bind_error_at(ctx, n->loc);
    rc = bind_function(ctx, name, FUNC_SCALAR, args, n->u.func.args.n, n->loc, out, NULL, NULL);
    bind_syscat_leave(syscat_saved);
    return rc;
}

static int bind_sublink(BindCtx *ctx, ExprEnv *env, const AstNode *n, Expr **out)
{
    if (n->u.sublink.kind == SUBLINK_ARRAY)
        return bind_array_sublink(ctx, env, n, out); /* ARRAY(SELECT ...) (bind_array_sublink.c) */
    BoundQuery q;
    uint32_t my_level = 0;
    for (Scope *p = env->scope ? env->scope->parent : NULL; p; p = p->parent)
        my_level++;
    uint32_t saved = ctx->min_ref_level;
    ctx->min_ref_level = UINT32_MAX;
    int rc = bind_query_scoped(ctx, n->u.sublink.select, env->scope, &q);
    bool correlated = ctx->min_ref_level <= my_level;
    if (ctx->min_ref_level > saved)
        ctx->min_ref_level = saved;
    if (rc)
        return rc;
    SubqKind kind;
    switch (n->u.sublink.kind) {
    case SUBLINK_SCALAR: kind = SUBQ_SCALAR; break;
    case SUBLINK_EXISTS: kind = SUBQ_EXISTS; break;
    case SUBLINK_ANY:
        kind = strcmp(n->u.sublink.op, "=") ? SUBQ_ANY : SUBQ_IN;
        break;
    case SUBLINK_ALL:
        kind = SUBQ_ALL;
        break;
    default:
        err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000", "ALL/ARRAY subqueries are not supported yet");
        return bind_error_at(ctx, n->loc);
    }
    if (kind != SUBQ_EXISTS && q.n_cols != 1) {
        err_set_state(ctx->err, TARN_ERR_SYNTAX, "42601", q.n_cols > 1 ? "subquery has too many columns" : "subquery has too few columns");
        if (kind == SUBQ_SCALAR && q.n_cols > 1) {
            err_clear(ctx->err);
            err_set_state(ctx->err, TARN_ERR_SYNTAX, "42601", "subquery must return only one column");
        }
        return bind_error_at(ctx, n->loc);
    }
    LogicalType t = kind == SUBQ_SCALAR ? q.types[0] : type_simple(TYPE_BOOL);
    Expr *e = expr_new(ctx->a, EX_SUBQUERY, t, kind == SUBQ_IN || kind == SUBQ_ANY || kind == SUBQ_ALL ? 1 : 0, n->loc);
    if (!e)
        return nomem(ctx);
    e->u.subq.kind = kind;
    e->u.subq.plan = q.plan;
    e->u.subq.correlated = correlated;
    if (kind == SUBQ_ANY || kind == SUBQ_ALL) {
        /* x op ANY / ALL (subquery): the comparison of x with the subquery's
         * column, resolved like any operator; evaluated per subquery row
         * (optimizer.c: a dependent join) */
        Expr *test, *cmp;
        Expr *col = expr_colref(ctx->a, q.plan->out[0], q.types[0], q.names[0]);
        if (!col)
            return nomem(ctx);
        col->unknown = q.unknown && q.unknown[0];
        if ((rc = bind_expr(ctx, env, n->u.sublink.test, &test)) ||
            (rc = bind_operator(ctx, n->u.sublink.op, test, col, n->loc, &cmp)))
            return rc;
        if (cmp->type.id != TYPE_BOOL) {
            err_set_state(ctx->err, TARN_ERR_TYPE, "42809", "op ANY/ALL (array) requires operator to yield boolean");
            return bind_error_at(ctx, n->loc);
        }
        e->args[0] = cmp;
    }
    if (kind == SUBQ_IN) {
        Expr *test;
        if ((rc = bind_expr(ctx, env, n->u.sublink.test, &test)))
            return rc;
        /* compare in a common type: cast the test side, and the subquery side by a projection */
        Expr *col = expr_colref(ctx->a, q.plan->out[0], q.types[0], q.names[0]);
        if (!col)
            return nomem(ctx);
        Expr *pair[2] = {test, col};
        LogicalType ct;
        if ((rc = bind_common_type(ctx, pair, 2, "IN", &ct))) {
            /* PostgreSQL reports the missing operator */
            TarnError saved_err = *ctx->err;
            Expr *probe;
            err_clear(ctx->err);
            if (bind_operator(ctx, "=", test, col, n->loc, &probe) == 0)
                *ctx->err = saved_err;
            return ctx->err->kind ? ctx->err->kind : rc;
        }
        if ((rc = bind_coerce(ctx, test, &ct, CAST_IMPLICIT, &test)))
            return rc;
        if (!type_equal(&ct, &q.types[0])) {
            Expr *cc;
            if ((rc = bind_coerce(ctx, col, &ct, CAST_IMPLICIT, &cc)))
                return rc;
            LogicalOp *p = lop_new(ctx->a, LOP_PROJECT, 1);
            if (!p)
                return nomem(ctx);
            p->children[0] = q.plan;
            p->u.project.table_index = ctx->next_table++;
            p->u.project.n_exprs = 1;
            p->u.project.exprs = arena_alloc(ctx->a, sizeof(Expr *));
            if (!p->u.project.exprs)
                return nomem(ctx);
            p->u.project.exprs[0] = cc;
            if (lop_resolve(ctx->a, p, false))
                return nomem(ctx);
            e->u.subq.plan = p;
        }
        e->args[0] = test;
    }
    *out = e;
    return 0;
}

int bind_expr(BindCtx *ctx, ExprEnv *env, const AstNode *n, Expr **out)
{
    int rc;
    switch (n->kind) {
    case AST_CONST:
        return bind_const(ctx, n, out);
    case AST_COLUMN_REF:
        return bind_column(ctx, env, n, out);
    case AST_PARAM:
        return bind_param(ctx, n, out);
    case AST_OP: {
        Expr *l = NULL, *r;
        if (n->u.op.left && (rc = bind_expr(ctx, env, n->u.op.left, &l)))
            return rc;
        if ((rc = bind_expr(ctx, env, n->u.op.right, &r)))
            return rc;
        return bind_operator(ctx, n->u.op.name, l, r, n->loc, out);
    }
    case AST_AND:
    case AST_OR: {
        uint32_t k = n->u.boolop.args.n;
        Expr *e = expr_new(ctx->a, n->kind == AST_AND ? EX_AND : EX_OR, type_simple(TYPE_BOOL), k, n->loc);
        if (!e)
            return nomem(ctx);
        for (uint32_t i = 0; i < k; i++)
            if ((rc = bind_bool_expr(ctx, env, n->u.boolop.args.items[i], n->kind == AST_AND ? "AND" : "OR", &e->args[i])))
                return rc;
        return bind_fold(ctx, e, out);
    }
    case AST_NOT: {
        Expr *a;
        if ((rc = bind_bool_expr(ctx, env, n->u.boolop.args.items[0], "NOT", &a)))
            return rc;
        Expr *e = mk_not(ctx, a, n->loc);
        return e ? bind_fold(ctx, e, out) : nomem(ctx);
    }
    case AST_FUNC:
        return bind_func_call(ctx, env, n, out);
    case AST_GROUPING_FUNC:
        return bind_grouping_func(ctx, env, n, out);
    case AST_CAST: {
        Expr *a;
        LogicalType t;
        bool reg_handled;
        if ((rc = bind_syscat_cast(ctx, env, n, out, &reg_handled)) || reg_handled)
            return rc; /* regclass, regtype, ... (bind_syscat.c) */
        if (n->u.cast.arg->kind == AST_ARRAY && n->u.cast.type->u.typname.array_dims) {
            /* ARRAY[...]::t[]: elements cast to t (ARRAY[]::int[] has a type) */
            if ((rc = bind_type_name(ctx, n->u.cast.type, &t)))
                return rc;
            return bind_array_ctor(ctx, env, n->u.cast.arg, &t, out);
        }
        if ((rc = bind_expr(ctx, env, n->u.cast.arg, &a)) || (rc = bind_type_name(ctx, n->u.cast.type, &t)))
            return rc;
        if (t.id == TYPE_INTERVAL && n->u.cast.type->u.typname.n_mods) {
            Interval iv;
            if (interval_field_literal(a, &t, n->u.cast.type->u.typname.mods[0], &iv)) {
                Value v;
                memset(&v, 0, sizeof v);
                v.type = TYPE_INTERVAL;
                v.v.iv = iv;
                *out = expr_const(ctx->a, &v, t, n->loc);
                return *out ? 0 : nomem(ctx);
            }
        }
        if (a->loc < 0)
            a->loc = n->loc;
        if ((rc = bind_coerce(ctx, a, &t, CAST_EXPLICIT, out)))
            return rc;
        if ((*out)->type.id == t.id && (*out)->type.char_kind != t.char_kind && !t.char_len && !(*out)->type.char_len) {
            /* text <-> name, bigint <-> oid: same values, the target's type OID (sql/syscat/) */
            Expr *c = arena_alloc(ctx->a, sizeof *c);
            if (!c)
                return nomem(ctx);
            *c = **out;
            c->type.char_kind = t.char_kind;
            *out = c;
        }
        return 0;
    }
    case AST_CASE: {
        const char *sb = ctx->srf_block;
        ctx->srf_block = "CASE"; /* no set-returning functions inside (PostgreSQL) */
        rc = bind_case(ctx, env, n, out);
        ctx->srf_block = sb;
        return rc;
    }
    case AST_COALESCE: {
        Expr **args;
        uint32_t k = n->u.list.args.n;
        /* PostgreSQL simplifies the arguments in order and stops after the
         * first non-NULL constant, so COALESCE(1, 1/0) is 1: arguments after
         * one are bound without folding (the evaluator never reaches them) */
        args = arena_alloc(ctx->a, (k ? k : 1) * sizeof(Expr *));
        if (!args)
            return nomem(ctx);
        bool later_dead = false;
        for (uint32_t i = 0; i < k; i++) {
            if (later_dead)
                ctx->no_fold++;
            const char *sb = ctx->srf_block;
            ctx->srf_block = "COALESCE";
            rc = bind_expr(ctx, env, n->u.list.args.items[i], &args[i]);
            ctx->srf_block = sb;
            if (later_dead)
                ctx->no_fold--;
            if (rc)
                return rc;
            if (args[i]->kind == EX_CONST && !args[i]->u.cnst.is_null)
                later_dead = true;
        }
        LogicalType t;
        if ((rc = bind_common_type(ctx, args, k, "COALESCE", &t)) || (rc = bind_array_refuse(ctx, &t, "COALESCE", n->loc)))
            return rc;
        Expr *e = expr_new(ctx->a, EX_COALESCE, t, k, n->loc);
        if (!e)
            return nomem(ctx);
        for (uint32_t i = 0; i < k; i++)
            if ((rc = bind_coerce(ctx, args[i], &t, CAST_IMPLICIT, &e->args[i])))
                return rc;
        return bind_fold(ctx, e, out);
    }
    case AST_NULLIF: {
        Expr *a, *b, *eq;
        if ((rc = bind_expr(ctx, env, n->u.list.args.items[0], &a)) ||
            (rc = bind_expr(ctx, env, n->u.list.args.items[1], &b)))
            return rc;
        if (a->unknown) {
            /* as PostgreSQL's "=" resolution: an unknown first argument
             * takes the second's type (NULLIF(NULL, 1) is integer), text
             * when both are unknown */
            LogicalType tt = b->unknown ? type_simple(TYPE_STRING) : b->type;
            if ((rc = bind_coerce(ctx, a, &tt, CAST_IMPLICIT, &a)))
                return rc;
        }
        if ((rc = bind_array_refuse(ctx, &a->type, "NULLIF", n->loc)))
            return rc;
        Expr *a2 = expr_copy(ctx->a, a);
        if (!a2)
            return nomem(ctx);
        if ((rc = bind_operator(ctx, "=", a2, b, n->loc, &eq)))
            return rc;
        Expr *e = expr_new(ctx->a, EX_CASE, a->type, 3, n->loc);
        Value nv = value_null();
        Expr *nul = expr_const(ctx->a, &nv, a->type, n->loc);
        if (!e || !nul)
            return nomem(ctx);
        nul->u.cnst.is_null = true;
        e->args[0] = eq;
        e->args[1] = nul;
        e->args[2] = a;
        e->u.kase.has_else = true;
        return bind_fold(ctx, e, out);
    }
    case AST_GREATEST:
    case AST_LEAST: {
        Expr **args;
        uint32_t k = n->u.list.args.n;
        if ((rc = bind_list(ctx, env, &n->u.list.args, &args)))
            return rc;
        return bind_function(ctx, n->kind == AST_GREATEST ? "greatest" : "least", FUNC_SCALAR, args, k, n->loc, out,
                             NULL, NULL);
    }
    case AST_NULL_TEST: {
        Expr *a;
        if ((rc = bind_expr(ctx, env, n->u.nulltest.arg, &a)))
            return rc;
        Expr *e = mk_nulltest(ctx, a, n->u.nulltest.is_not, n->loc);
        return e ? bind_fold(ctx, e, out) : nomem(ctx);
    }
    case AST_BOOL_TEST: {
        Expr *a;
        if ((rc = bind_bool_expr(ctx, env, n->u.booltest.arg, "IS TRUE", &a)))
            return rc;
        Expr *e = NULL;
        Expr *f = mk_bool_const(ctx, false, n->loc);
        if (!f)
            return nomem(ctx);
        switch (n->u.booltest.test) {
        case BTEST_TRUE: case BTEST_NOT_TRUE: {
            e = expr_new(ctx->a, EX_COALESCE, type_simple(TYPE_BOOL), 2, n->loc);
            if (!e)
                return nomem(ctx);
            e->args[0] = a;
            e->args[1] = f;
            if (n->u.booltest.test == BTEST_NOT_TRUE)
                e = mk_not(ctx, e, n->loc);
            break;
        }
        case BTEST_FALSE: case BTEST_NOT_FALSE: {
            e = expr_new(ctx->a, EX_COALESCE, type_simple(TYPE_BOOL), 2, n->loc);
            if (!e)
                return nomem(ctx);
            e->args[0] = mk_not(ctx, a, n->loc);
            e->args[1] = f;
            if (n->u.booltest.test == BTEST_NOT_FALSE)
                e = mk_not(ctx, e, n->loc);
            break;
        }
        case BTEST_UNKNOWN: case BTEST_NOT_UNKNOWN:
            e = mk_nulltest(ctx, a, n->u.booltest.test == BTEST_NOT_UNKNOWN, n->loc);
            break;
        }
        return e ? bind_fold(ctx, e, out) : nomem(ctx);
    }
    case AST_DISTINCT_FROM: {
        /* a IS NOT DISTINCT FROM b  ==  (a IS NULL AND b IS NULL) OR (a IS NOT NULL AND b IS NOT NULL AND a = b) */
        Expr *a, *b, *eq;
        if ((rc = bind_expr(ctx, env, n->u.distinct.left, &a)) || (rc = bind_expr(ctx, env, n->u.distinct.right, &b)))
            return rc;
        Expr *a2 = expr_copy(ctx->a, a), *b2 = expr_copy(ctx->a, b);
        if (!a2 || !b2)
            return nomem(ctx);
        if ((rc = bind_operator(ctx, "=", a2, b2, n->loc, &eq)))
            return rc;
        Expr *both_null = mk_bool2(ctx, EX_AND, mk_nulltest(ctx, expr_copy(ctx->a, a), false, n->loc),
                                   mk_nulltest(ctx, expr_copy(ctx->a, b), false, n->loc), n->loc);
        Expr *both_val = expr_new(ctx->a, EX_AND, type_simple(TYPE_BOOL), 3, n->loc);
        if (!both_null || !both_val)
            return nomem(ctx);
        both_val->args[0] = mk_nulltest(ctx, a, true, n->loc);
        both_val->args[1] = mk_nulltest(ctx, b, true, n->loc);
        both_val->args[2] = eq;
        Expr *e = mk_bool2(ctx, EX_OR, both_null, both_val, n->loc);
        if (!e)
            return nomem(ctx);
        if (!n->u.distinct.is_not)
            e = mk_not(ctx, e, n->loc);
        return e ? bind_fold(ctx, e, out) : nomem(ctx);
    }
    case AST_IN_LIST: {
        Expr *x;
        if ((rc = bind_expr(ctx, env, n->u.in.arg, &x)))
            return rc;
        uint32_t k = n->u.in.items.n;
        Expr *e = expr_new(ctx->a, EX_OR, type_simple(TYPE_BOOL), k, n->loc);
        if (!e)
            return nomem(ctx);
        for (uint32_t i = 0; i < k; i++) {
            Expr *v, *xc = i ? expr_copy(ctx->a, x) : x;
            if (!xc)
                return nomem(ctx);
            if ((rc = bind_expr(ctx, env, n->u.in.items.items[i], &v)) ||
                (rc = bind_operator(ctx, "=", xc, v, n->u.in.items.items[i]->loc, &e->args[i])))
                return rc;
        }
        Expr *r = k == 1 ? e->args[0] : e;
        if (k >= 8) { /* many constants: one hash lookup per row (func_inlist.c) */
            for (uint32_t i = 0; i < k; i++)
                if ((rc = bind_fold(ctx, e->args[i], &e->args[i])))
                    return rc;
            Expr *h = in_list_hashed(ctx->a, e);
            if (h)
                r = h;
        }
        if (n->u.in.negated && !(r = mk_not(ctx, r, n->loc)))
            return nomem(ctx);
        return bind_fold(ctx, r, out);
    }
    case AST_BETWEEN: {
        Expr *x, *lo, *hi, *c1, *c2;
        if ((rc = bind_expr(ctx, env, n->u.between.arg, &x)) || (rc = bind_expr(ctx, env, n->u.between.lo, &lo)) ||
            (rc = bind_expr(ctx, env, n->u.between.hi, &hi)))
            return rc;
        bool neg = n->u.between.negated;
        Expr *x2 = expr_copy(ctx->a, x);
        if (!x2)
            return nomem(ctx);
        if (n->u.between.symmetric) {
            Expr *x3 = expr_copy(ctx->a, x), *x4 = expr_copy(ctx->a, x), *lo2 = expr_copy(ctx->a, lo),
                 *hi2 = expr_copy(ctx->a, hi), *c3, *c4;
            if (!x3 || !x4 || !lo2 || !hi2)
                return nomem(ctx);
            if ((rc = bind_operator(ctx, ">=", x, lo, n->loc, &c1)) || (rc = bind_operator(ctx, "<=", x2, hi, n->loc, &c2)) ||
                (rc = bind_operator(ctx, ">=", x3, hi2, n->loc, &c3)) || (rc = bind_operator(ctx, "<=", x4, lo2, n->loc, &c4)))
                return rc;
            Expr *e = mk_bool2(ctx, EX_OR, mk_bool2(ctx, EX_AND, c1, c2, n->loc), mk_bool2(ctx, EX_AND, c3, c4, n->loc), n->loc);
            if (e && neg)
                e = mk_not(ctx, e, n->loc);
            return e ? bind_fold(ctx, e, out) : nomem(ctx);
        }
        if ((rc = bind_operator(ctx, neg ? "<" : ">=", x, lo, n->loc, &c1)) ||
            (rc = bind_operator(ctx, neg ? ">" : "<=", x2, hi, n->loc, &c2)))
            return rc;
        Expr *e = mk_bool2(ctx, neg ? EX_OR : EX_AND, c1, c2, n->loc);
        return e ? bind_fold(ctx, e, out) : nomem(ctx);
    }
    case AST_SUBLINK:
        return bind_sublink(ctx, env, n, out);
    case AST_SQLVALUE: {
        Value v;
        switch (n->u.sqlvalue.op) {
        case SQLV_CURRENT_DATE:
            return bind_function(ctx, "current_date", FUNC_SCALAR, NULL, 0, n->loc, out, NULL, NULL);
        case SQLV_CURRENT_TIMESTAMP:
            return bind_function(ctx, "now", FUNC_SCALAR, NULL, 0, n->loc, out, NULL, NULL);
        case SQLV_LOCALTIMESTAMP:
            return bind_function(ctx, "localtimestamp", FUNC_SCALAR, NULL, 0, n->loc, out, NULL, NULL);
        case SQLV_CURRENT_TIME:
            return bind_function(ctx, "current_time", FUNC_SCALAR, NULL, 0, n->loc, out, NULL, NULL);
        case SQLV_LOCALTIME:
            return bind_function(ctx, "localtime", FUNC_SCALAR, NULL, 0, n->loc, out, NULL, NULL);
        case SQLV_CURRENT_SCHEMA: {
            const char *s = ctx->settings && ctx->settings->current_schema ? ctx->settings->current_schema : "public";
            v = value_str(s, (uint32_t)strlen(s));
            break;
        }
        case SQLV_CURRENT_CATALOG:
            return bind_function(ctx, "current_database", FUNC_SCALAR, NULL, 0, n->loc, out, NULL, NULL);
        default: { /* current_user, session_user, user, current_role: the session's role (bind_syscat.c) */
            const char *u = bind_syscat_user(ctx);
            v = value_str(u, (uint32_t)strlen(u));
            break;
        }
        }
        LogicalType nt = type_simple(TYPE_STRING);
        nt.char_kind = TYPE_CHAR_NAME; /* PostgreSQL's type name */
        *out = expr_const(ctx->a, &v, nt, n->loc);
        return *out ? 0 : nomem(ctx);
    }
    case AST_ARRAY:
        return bind_array_ctor(ctx, env, n, NULL, out);
    case AST_SUBSCRIPT:
        return bind_subscript(ctx, env, n, out);
    case AST_ANY_ARRAY:
        return bind_any_array(ctx, env, n, out);
    default:
        err_set_state(ctx->err, TARN_ERR_UNSUPPORTED, "0A000", "this expression is not supported yet");
        return bind_error_at(ctx, n->loc);
    }
}

int bind_constant_expr(BindCtx *ctx, const AstNode *n, Expr **out)
{
    Scope s;
    memset(&s, 0, sizeof s);
    ExprEnv env = {&s, CL_OTHER, NULL, false};
    int rc = bind_expr(ctx, &env, n, out);
    if (rc)
        return rc;
    return bind_fold(ctx, *out, out);
}
