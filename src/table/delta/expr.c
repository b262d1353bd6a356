/*
 * expr.c - parser and evaluator of the constraint/generation expression
 * subset (see expr.h): a recursive-descent parser over a tiny tokenizer.
 */
#include "table/delta/expr.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "table/delta/delta_int.h"
#include "util/datetime.h"
#include "vector/format.h"

typedef enum {
    E_LIT, E_COL, E_CMP, E_AND, E_OR, E_NOT, E_ISNULL, E_IN, E_FUNC, E_CAST
} ExprKind;

enum { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_NSEQ };
enum { F_YEAR, F_MONTH, F_DAY, F_HOUR };

struct DeltaExpr {
    ExprKind kind;
    int op;                 /* CMP: OP_*; FUNC: F_*; ISNULL: negated; IN: negated */
    Value lit;              /* LIT */
    int col;                /* COL */
    TypeId cast_to;         /* CAST */
    DeltaExpr *a, *b;       /* operands */
    DeltaExpr **list;       /* IN */
    int n_list;
};

typedef struct P {
    Arena *a;
    const char *s;
    size_t pos;
    const Schema *schema;
    TarnError *err;
    const char *sql;
} P;

static void ws(P *p)
{
    while (p->s[p->pos] && isspace((unsigned char)p->s[p->pos]))
        p->pos++;
}

static bool kw(P *p, const char *w)
{
    ws(p);
    size_t n = strlen(w);
    if (strncasecmp(p->s + p->pos, w, n) == 0 && !isalnum((unsigned char)p->s[p->pos + n]) && p->s[p->pos + n] != '_') {
        p->pos += n;
        return true;
    }
    return false;
}

static bool sym(P *p, const char *w)
{
    ws(p);
    size_t n = strlen(w);
    if (strncmp(p->s + p->pos, w, n) == 0) {
        p->pos += n;
        return true;
    }
    return false;
}

static DeltaExpr *node(P *p, ExprKind k)
{
    DeltaExpr *e = arena_calloc(p->a, sizeof *e);
    if (!e)
        ERR_NOMEM(p->err, sizeof *e);
    else
        e->kind = k;
    return e;
}

static DeltaExpr *unsupported(P *p)
{
    err_set(p->err, TARN_ERR_UNSUPPORTED, "unsupported: expression \"%s\" (near position %zu)", p->sql, p->pos + 1);
    return NULL;
}

static DeltaExpr *parse_or(P *p);

static DeltaExpr *parse_string_lit(P *p, char **out)
{
    /* 'text' with '' escapes */
    ws(p);
    if (p->s[p->pos] != '\'')
        return unsupported(p);
    p->pos++;
    Buf b;
    buf_init(&b);
    for (;;) {
        char c = p->s[p->pos];
        if (!c) {
            buf_free(&b);
            return unsupported(p);
        }
        p->pos++;
        if (c == '\'') {
            if (p->s[p->pos] == '\'') {
                p->pos++;
            } else {
                break;
            }
        }
        buf_append_byte(&b, (uint8_t)c);
    }
    buf_terminate(&b);
    *out = arena_strndup(p->a, b.data ? (const char *)b.data : "", b.len);
    buf_free(&b);
    return (DeltaExpr *)1; /* non-NULL marker */
}

static DeltaExpr *parse_primary(P *p)
{
    ws(p);
    const char *s = p->s + p->pos;
    if (sym(p, "(")) {
        DeltaExpr *e = parse_or(p);
        if (!e)
            return NULL;
        if (!sym(p, ")"))
            return unsupported(p);
        return e;
    }
    if (*s == '\'') {
        char *str;
        if (!parse_string_lit(p, &str))
            return NULL;
        DeltaExpr *e = node(p, E_LIT);
        if (e)
            e->lit = value_str(str, (uint32_t)strlen(str));
        return e;
    }
    if (isdigit((unsigned char)*s) || ((*s == '-' || *s == '+') && isdigit((unsigned char)s[1])) ||
        (*s == '.' && isdigit((unsigned char)s[1]))) {
        size_t n = 1;
        bool frac = false;
        while (isdigit((unsigned char)s[n]) || s[n] == '.' || s[n] == 'e' || s[n] == 'E' ||
               ((s[n] == '-' || s[n] == '+') && (s[n - 1] == 'e' || s[n - 1] == 'E'))) {
            if (s[n] == '.' || s[n] == 'e' || s[n] == 'E')
                frac = true;
            n++;
        }
        /* Spark suffixes: 1L, 1D, 1.0BD */
        DeltaExpr *e = node(p, E_LIT);
        if (!e)
            return NULL;
        if (!frac && value_parse_i64(s, n, &e->lit.v.i)) {
            e->lit.type = TYPE_INT64;
        } else if (value_parse_double(s, n, &e->lit.v.d)) {
            e->lit.type = TYPE_DOUBLE;
        } else {
            return unsupported(p);
        }
        p->pos += n;
        if (s[n] == 'L' || s[n] == 'l' || s[n] == 'D' || s[n] == 'd')
            p->pos++;
        return e;
    }
    if (kw(p, "TRUE") || kw(p, "FALSE")) {
        DeltaExpr *e = node(p, E_LIT);
        if (e) {
            e->lit.type = TYPE_BOOL;
            e->lit.v.b = strncasecmp(s, "TRUE", 4) == 0;
        }
        return e;
    }
    if (kw(p, "NULL")) {
        DeltaExpr *e = node(p, E_LIT);
        if (e)
            e->lit = value_null();
        return e;
    }
    if (kw(p, "DATE")) {
        char *str;
        if (!parse_string_lit(p, &str))
            return NULL;
        int32_t d;
        if (!dt_parse_date(str, strlen(str), &d))
            return unsupported(p);
        DeltaExpr *e = node(p, E_LIT);
        if (e)
            e->lit = value_i64(TYPE_DATE, d);
        return e;
    }
    if (kw(p, "TIMESTAMP")) {
        char *str;
        if (!parse_string_lit(p, &str))
            return NULL;
        int64_t us;
        if (!dt_parse_timestamp(str, strlen(str), &us, NULL))
            return unsupported(p);
        DeltaExpr *e = node(p, E_LIT);
        if (e)
            e->lit = value_i64(TYPE_TIMESTAMPTZ, us);
        return e;
    }
    if (kw(p, "CAST")) {
        if (!sym(p, "("))
            return unsupported(p);
        DeltaExpr *x = parse_or(p);
        if (!x)
            return NULL;
        if (!kw(p, "AS"))
            return unsupported(p);
        TypeId to;
        if (kw(p, "DATE")) to = TYPE_DATE;
        else if (kw(p, "TIMESTAMP")) to = TYPE_TIMESTAMPTZ;
        else if (kw(p, "INT") || kw(p, "INTEGER")) to = TYPE_INT32;
        else if (kw(p, "BIGINT") || kw(p, "LONG")) to = TYPE_INT64;
        else if (kw(p, "STRING")) to = TYPE_STRING;
        else if (kw(p, "DOUBLE")) to = TYPE_DOUBLE;
        else return unsupported(p);
        if (!sym(p, ")"))
            return unsupported(p);
        DeltaExpr *e = node(p, E_CAST);
        if (e) {
            e->a = x;
            e->cast_to = to;
        }
        return e;
    }
    static const char *const funcs[] = {"YEAR", "MONTH", "DAY", "HOUR", "DAYOFMONTH", NULL};
    for (int f = 0; funcs[f]; f++) {
        size_t save = p->pos;
        if (kw(p, funcs[f])) {
            if (!sym(p, "(")) {
                p->pos = save;
                break;
            }
            DeltaExpr *x = parse_or(p);
            if (!x)
                return NULL;
            if (!sym(p, ")"))
                return unsupported(p);
            DeltaExpr *e = node(p, E_FUNC);
            if (e) {
                e->a = x;
                e->op = f == 4 ? F_DAY : f;
            }
            return e;
        }
    }
    /* column reference */
    char name[256];
    size_t n = 0;
    if (*s == '`') {
        p->pos++;
        while (p->s[p->pos] && n < sizeof name - 1) {
            if (p->s[p->pos] == '`') {
                if (p->s[p->pos + 1] == '`') {
                    name[n++] = '`';
                    p->pos += 2;
                    continue;
                }
                break;
            }
            name[n++] = p->s[p->pos++];
        }
        if (p->s[p->pos] != '`')
            return unsupported(p);
        p->pos++;
    } else if (isalpha((unsigned char)*s) || *s == '_') {
        while ((isalnum((unsigned char)p->s[p->pos]) || p->s[p->pos] == '_') && n < sizeof name - 1)
            name[n++] = p->s[p->pos++];
    } else {
        return unsupported(p);
    }
    name[n] = 0;
    ws(p);
    if (p->s[p->pos] == '(' || p->s[p->pos] == '.')
        return unsupported(p); /* unknown function or nested field */
    int col = -1;
    for (uint32_t i = 0; i < p->schema->n_fields; i++)
        if (strcasecmp(p->schema->fields[i].name, name) == 0)
            col = (int)i;
    if (col < 0) {
        err_set(p->err, TARN_ERR_NOT_FOUND, "column \"%s\" referenced by expression \"%s\" does not exist", name, p->sql);
        return NULL;
    }
    if (type_is_nested(p->schema->fields[col].type.id))
        return unsupported(p);
    DeltaExpr *e = node(p, E_COL);
    if (e)
        e->col = col;
    return e;
}

static DeltaExpr *parse_cmp(P *p)
{
    DeltaExpr *a = parse_primary(p);
    if (!a)
        return NULL;
    static const struct { const char *s; int op; } ops[] = {
        {"<=>", OP_NSEQ}, {"<>", OP_NE}, {"!=", OP_NE}, {"<=", OP_LE}, {">=", OP_GE},
        {"==", OP_EQ}, {"=", OP_EQ}, {"<", OP_LT}, {">", OP_GT}};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        if (sym(p, ops[i].s)) {
            DeltaExpr *b = parse_primary(p);
            if (!b)
                return NULL;
            DeltaExpr *e = node(p, E_CMP);
            if (e) {
                e->op = ops[i].op;
                e->a = a;
                e->b = b;
            }
            return e;
        }
    }
    size_t save = p->pos;
    if (kw(p, "IS")) {
        bool neg = kw(p, "NOT");
        if (!kw(p, "NULL"))
            return unsupported(p);
        DeltaExpr *e = node(p, E_ISNULL);
        if (e) {
            e->a = a;
            e->op = neg;
        }
        return e;
    }
    bool neg = kw(p, "NOT");
    if (kw(p, "IN")) {
        if (!sym(p, "("))
            return unsupported(p);
        DeltaExpr *e = node(p, E_IN);
        if (!e)
            return NULL;
        e->a = a;
        e->op = neg;
        e->list = arena_alloc(p->a, sizeof(DeltaExpr *) * 256);
        if (!e->list)
            return (void)ERR_NOMEM(p->err, 64), NULL;
        do {
            if (e->n_list >= 256)
                return unsupported(p);
            DeltaExpr *x = parse_primary(p);
            if (!x)
                return NULL;
            if (x->kind != E_LIT)
                return unsupported(p);
            e->list[e->n_list++] = x;
        } while (sym(p, ","));
        if (!sym(p, ")"))
            return unsupported(p);
        return e;
    }
    if (kw(p, "BETWEEN")) {
        DeltaExpr *lo = parse_primary(p);
        if (!lo || !kw(p, "AND"))
            return lo ? unsupported(p) : NULL;
        DeltaExpr *hi = parse_primary(p);
        if (!hi)
            return NULL;
        DeltaExpr *c1 = node(p, E_CMP), *c2 = node(p, E_CMP), *and = node(p, E_AND);
        if (!c1 || !c2 || !and)
            return NULL;
        c1->op = OP_GE; c1->a = a; c1->b = lo;
        c2->op = OP_LE; c2->a = a; c2->b = hi;
        and->a = c1;
        and->b = c2;
        if (!neg)
            return and;
        DeltaExpr *n = node(p, E_NOT);
        if (n)
            n->a = and;
        return n;
    }
    p->pos = save;
    return a;
}

static DeltaExpr *parse_not(P *p)
{
    if (kw(p, "NOT")) {
        DeltaExpr *x = parse_not(p);
        if (!x)
            return NULL;
        DeltaExpr *e = node(p, E_NOT);
        if (e)
            e->a = x;
        return e;
    }
    return parse_cmp(p);
}

static DeltaExpr *parse_and(P *p)
{
    DeltaExpr *a = parse_not(p);
    while (a && kw(p, "AND")) {
        DeltaExpr *b = parse_not(p);
        if (!b)
            return NULL;
        DeltaExpr *e = node(p, E_AND);
        if (!e)
            return NULL;
        e->a = a;
        e->b = b;
        a = e;
    }
    return a;
}

static DeltaExpr *parse_or(P *p)
{
    DeltaExpr *a = parse_and(p);
    while (a && kw(p, "OR")) {
        DeltaExpr *b = parse_and(p);
        if (!b)
            return NULL;
        DeltaExpr *e = node(p, E_OR);
        if (!e)
            return NULL;
        e->a = a;
        e->b = b;
        a = e;
    }
    return a;
}

int delta_expr_parse(Arena *a, const char *sql, const Schema *schema, DeltaExpr **out, TarnError *err)
{
    P p = {a, sql, 0, schema, err, sql};
    DeltaExpr *e = parse_or(&p);
    if (!e)
        return err && err->kind ? err->kind : TARN_ERR_UNSUPPORTED;
    ws(&p);
    if (p.s[p.pos]) {
        unsupported(&p);
        return TARN_ERR_UNSUPPORTED;
    }
    *out = e;
    return 0;
}

/* ---- Evaluation ------------------------------------------------------------------ */

static Value vbool(bool b)
{
    Value v;
    memset(&v, 0, sizeof v);
    v.type = TYPE_BOOL;
    v.v.b = b;
    return v;
}

static Value vnull(void)
{
    Value v = value_null();
    v.type = TYPE_BOOL;
    return v;
}

/* Coerces a string literal to the other side's type for comparison. */
static bool coerce(Value *s, const Value *other, Value *out)
{
    if (!type_is_string_like(s->type) || type_is_string_like(other->type) || other->is_null)
        return false;
    char buf[256];
    if (s->v.s.len >= sizeof buf)
        return false;
    memcpy(buf, s->v.s.ptr, s->v.s.len);
    buf[s->v.s.len] = 0;
    LogicalType t = type_simple(other->type);
    if (other->type == TYPE_DECIMAL)
        t = type_decimal(other->precision, other->scale);
    TarnError e;
    err_clear(&e);
    if (delta_partition_value_parse(buf, &t, out, &e))
        return false;
    if (type_is_string_like(out->type))
        return false;
    return true;
}

static int cmp_values(const Value *x, const Value *y)
{
    Value cx = *x, cy = *y;
    Value tmp;
    if (coerce(&cx, &cy, &tmp))
        cx = tmp;
    else if (coerce(&cy, &cx, &tmp))
        cy = tmp;
    return delta_value_cmp(&cx, &cy);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

Value delta_expr_eval(const DeltaExpr *e, const Batch *b, uint32_t row)
{
    switch (e->kind) {
    case E_LIT:
        return e->lit;
    case E_COL:
        return delta_vector_value(&b->cols[e->col], row);
    case E_NOT: {
        Value x = delta_expr_eval(e->a, b, row);
        return x.is_null ? vnull() : vbool(!x.v.b);
    }
    case E_AND: {
        Value x = delta_expr_eval(e->a, b, row), y = delta_expr_eval(e->b, b, row);
        if ((!x.is_null && !x.v.b) || (!y.is_null && !y.v.b))
            return vbool(false);
        if (x.is_null || y.is_null)
            return vnull();
        return vbool(true);
    }
    case E_OR: {
        Value x = delta_expr_eval(e->a, b, row), y = delta_expr_eval(e->b, b, row);
        if ((!x.is_null && x.v.b) || (!y.is_null && y.v.b))
            return vbool(true);
        if (x.is_null || y.is_null)
            return vnull();
        return vbool(false);
    }
    case E_ISNULL: {
        Value x = delta_expr_eval(e->a, b, row);
        return vbool(e->op ? !x.is_null : x.is_null);
    }
    case E_IN: {
        Value x = delta_expr_eval(e->a, b, row);
        if (x.is_null)
            return vnull();
        bool saw_null = false;
        for (int i = 0; i < e->n_list; i++) {
            if (e->list[i]->lit.is_null) {
                saw_null = true;
                continue;
            }
            if (cmp_values(&x, &e->list[i]->lit) == 0)
                return vbool(!e->op);
        }
        return saw_null ? vnull() : vbool(e->op);
    }
    case E_CMP: {
        Value x = delta_expr_eval(e->a, b, row), y = delta_expr_eval(e->b, b, row);
        if (e->op == OP_NSEQ) {
            if (x.is_null || y.is_null)
                return vbool(x.is_null && y.is_null);
            return vbool(cmp_values(&x, &y) == 0);
        }
        if (x.is_null || y.is_null)
            return vnull();
        int c = cmp_values(&x, &y);
        switch (e->op) {
        case OP_EQ: return vbool(c == 0);
        case OP_NE: return vbool(c != 0);
        case OP_LT: return vbool(c < 0);
        case OP_LE: return vbool(c <= 0);
        case OP_GT: return vbool(c > 0);
        default: return vbool(c >= 0);
        }
    }
    case E_FUNC: {
        Value x = delta_expr_eval(e->a, b, row);
        if (x.is_null)
            return value_null();
        int64_t days, us = 0;
        if (x.type == TYPE_DATE) {
            days = x.v.i;
        } else if (x.type == TYPE_TIMESTAMP || x.type == TYPE_TIMESTAMPTZ) {
            days = floor_div(x.v.i, DT_USECS_PER_DAY);
            us = x.v.i - days * DT_USECS_PER_DAY;
        } else {
            return value_null();
        }
        int64_t y;
        int m, d;
        dt_civil_from_days(days, &y, &m, &d);
        switch (e->op) {
        case F_YEAR: return value_i64(TYPE_INT32, y);
        case F_MONTH: return value_i64(TYPE_INT32, m);
        case F_DAY: return value_i64(TYPE_INT32, d);
        default: return value_i64(TYPE_INT32, us / DT_USECS_PER_HOUR);
        }
    }
    case E_CAST: {
        Value x = delta_expr_eval(e->a, b, row);
        if (x.is_null)
            return value_null();
        switch (e->cast_to) {
        case TYPE_DATE:
            if (x.type == TYPE_TIMESTAMP || x.type == TYPE_TIMESTAMPTZ)
                return value_i64(TYPE_DATE, floor_div(x.v.i, DT_USECS_PER_DAY));
            if (x.type == TYPE_DATE)
                return x;
            break;
        case TYPE_TIMESTAMPTZ:
            if (x.type == TYPE_DATE)
                return value_i64(TYPE_TIMESTAMPTZ, x.v.i * DT_USECS_PER_DAY);
            if (x.type == TYPE_TIMESTAMP || x.type == TYPE_TIMESTAMPTZ)
                return value_i64(TYPE_TIMESTAMPTZ, x.v.i);
            break;
        case TYPE_INT32: case TYPE_INT64:
            if (x.type >= TYPE_INT8 && x.type <= TYPE_INT64)
                return value_i64(e->cast_to, x.v.i);
            if (x.type == TYPE_DOUBLE || x.type == TYPE_FLOAT)
                return value_i64(e->cast_to, (int64_t)x.v.d);
            break;
        case TYPE_DOUBLE:
            if (x.type >= TYPE_INT8 && x.type <= TYPE_INT64)
                return value_double((double)x.v.i);
            if (x.type == TYPE_DOUBLE || x.type == TYPE_FLOAT)
                return value_double(x.v.d);
            break;
        case TYPE_STRING:
            if (type_is_string_like(x.type))
                return x;
            break;
        default:
            break;
        }
        return value_null();
    }
    }
    return value_null();
}
