/*
 * func_syscat.c - the catalog functions clients call: format_type,
 * pg_table_is_visible, pg_get_userbyid, has_*_privilege, the object
 * description and definition functions, relation sizes, pg_size_pretty,
 * current_database / current_schemas, the reg* type input and output
 * (regclassin / regclassout and friends, behind 'x'::regclass and
 * oid::regclass; bind/bind_syscat.c), to_regclass and friends, and session
 * information (pg_backend_pid, pg_postmaster_start_time, txid_current, ...).
 *
 * Functions that look at the catalog get the statement's model
 * (sql/syscat/syscat.h) at bind: the binder publishes it in
 * syscat_bind_model around the call's binding, the FuncDef.bind hook keeps
 * it as bind_state.  OIDs are bigint; reg* values are their OIDs.
 *
 * Descriptions (obj_description, col_description, shobj_description) are
 * NULL: tarn has no COMMENT.  Index, constraint, trigger and rule
 * definitions are NULL: tarn has none of those objects, and PostgreSQL
 * answers NULL for an OID that is not one.
 */
#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <unistd.h>

#include "sql/func/cast.h"
#include "sql/func/func_lib.h"
#include "sql/session.h"
#include "sql/syscat/syscat.h"

#define KERNEL(name)                                                                           \
    static int name(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows, Vector *out, \
                    TarnError *err)

#define ARG_I64(k, i) (VEC_DATA(args[k], int64_t)[FUNC_IDX(args[k], i)])
#define ARG_SV(k, i) (FL_CSTR(args[k])[FUNC_IDX(args[k], i)])
#define ARG_OK(k, i) vec_is_valid(args[k], FUNC_IDX(args[k], i))

static int64_t process_start_us;

__attribute__((constructor)) static void record_start(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    process_start_us = (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

static int put_text(Vector *out, uint32_t i, const char *s, size_t n, TarnError *err)
{
    StrView sv;
    if (vec_str_copy(out, s, n, &sv))
        return ERR_NOMEM(err, n);
    FL_STR(out)[i] = sv;
    return 0;
}

static int put_cstr(Vector *out, uint32_t i, const char *s, TarnError *err)
{
    return put_text(out, i, s, strlen(s), err);
}

/* Copies a text value into buf (NUL-terminated, cut at cap - 1 bytes). */
static const char *sv_cstr(StrView s, char *buf, size_t cap)
{
    size_t n = s.len < cap - 1 ? s.len : cap - 1;
    if (n)
        memcpy(buf, s.ptr, n);
    buf[n] = 0;
    return buf;
}

/* Every row NULL (validity set by hand: the kernels are not strict). */
static int all_null(Vector *out, uint32_t n_rows, TarnError *err)
{
    for (uint32_t i = 0; i < n_rows; i++)
        if (fl_set_null(out, i, err))
            return err->kind;
    out->len = n_rows;
    return 0;
}

/* ---- binding: the model ------------------------------------------------------------------ */

static int bind_model(FuncBindInfo *b, TarnError *err)
{
    if (!syscat_bind_model)
        return err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "%s() is not available here", b->def->name);
    b->bind_state = (void *)syscat_bind_model;
    return 0;
}

/* Results of PostgreSQL type name (current_schema(), pg_get_userbyid, ...). */
static int bind_ret_name(FuncBindInfo *b, TarnError *err)
{
    (void)err;
    b->ret = type_simple(TYPE_STRING);
    b->ret.char_kind = TYPE_CHAR_NAME;
    return 0;
}

static int bind_name_model(FuncBindInfo *b, TarnError *err)
{
    int rc = bind_model(b, err);
    return rc ? rc : bind_ret_name(b, err);
}

/* name[] */
static int bind_text_array_model(FuncBindInfo *b, TarnError *err)
{
    int rc = bind_model(b, err);
    if (!rc && !(rc = fl_bind_text_array(b, err)))
        b->ret.fields[0].type.char_kind = TYPE_CHAR_NAME;
    return rc;
}

#define MODEL ((const SysModel *)ctx->bind_state)

/* ---- names --------------------------------------------------------------------------------- */

/* Splits a possibly qualified, possibly quoted name ("S"."t", s.t, T)
 * like PostgreSQL's stringToQualifiedNameList: unquoted parts fold to
 * lower case.  false for a malformed name. */
static bool split_name_n(StrView s, char *schema, char *name, size_t cap, bool *qualified, int *n_parts)
{
    char parts[3][256];
    int np = 0;
    size_t i = 0;
    *n_parts = 0;
    while (i <= s.len) {
        if (np == 3)
            return false;
        size_t o = 0;
        if (i < s.len && s.ptr[i] == '"') {
            i++;
            for (;;) {
                if (i >= s.len)
                    return false;
                if (s.ptr[i] == '"') {
                    if (i + 1 < s.len && s.ptr[i + 1] == '"') {
                        if (o + 1 < sizeof parts[0])
                            parts[np][o++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                if (o + 1 < sizeof parts[0])
                    parts[np][o++] = s.ptr[i];
                i++;
            }
        } else {
            while (i < s.len && s.ptr[i] != '.') {
                char c = s.ptr[i++];
                if (o + 1 < sizeof parts[0])
                    parts[np][o++] = (char)tolower((unsigned char)c);
            }
            while (o && parts[np][o - 1] == ' ')
                o--;
        }
        parts[np][o] = 0;
        if (!o)
            return false;
        np++;
        if (i >= s.len)
            break;
        if (s.ptr[i] != '.')
            return false;
        i++;
    }
    *n_parts = np;
    *qualified = np >= 2;
    snprintf(schema, cap, "%s", np >= 2 ? parts[np - 2] : "");
    snprintf(name, cap, "%s", parts[np - 1]);
    return np <= 2;
}

static bool split_name(StrView s, char *schema, char *name, size_t cap, bool *qualified)
{
    int np;
    return split_name_n(s, schema, name, cap, qualified, &np);
}

static bool all_digits(StrView s, int64_t *v)
{
    if (!s.len || s.len > 10)
        return false;
    int64_t x = 0;
    for (size_t i = 0; i < s.len; i++) {
        if (s.ptr[i] < '0' || s.ptr[i] > '9')
            return false;
        x = x * 10 + (s.ptr[i] - '0');
    }
    *v = x;
    return true;
}

/* The relation a text names (digits: an OID); 0 when absent. */
static int64_t rel_oid_of(const SysModel *m, StrView s, bool *found)
{
    int64_t v;
    *found = false;
    if (all_digits(s, &v)) {
        *found = true;
        return v;
    }
    char sch[256], nm[256];
    bool q;
    if (!split_name(s, sch, nm, sizeof nm, &q))
        return 0;
    const SysRel *r = q ? syscat_rel_by_name(m, sch, nm) : syscat_rel_visible(m, nm);
    *found = r != NULL;
    return r ? r->oid : 0;
}

/* PostgreSQL's error for a relation name that names nothing. */
static int rel_missing(const SysModel *m, StrView s, TarnError *err)
{
    char sch[256], nm[256];
    bool q;
    int np;
    if (!split_name_n(s, sch, nm, sizeof nm, &q, &np)) {
        if (np == 3)
            return err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "cross-database references are not implemented: \"%.*s\"",
                                 (int)s.len, s.ptr);
        return err_set_state(err, TARN_ERR_INVALID, "42602", "invalid name syntax");
    }
    if (q && !syscat_nsp_by_name(m, sch))
        return err_set_state(err, TARN_ERR_NOT_FOUND, "3F000", "schema \"%s\" does not exist", sch);
    return err_set_state(err, TARN_ERR_NOT_FOUND, "42P01", "relation \"%.*s\" does not exist", (int)s.len, s.ptr);
}

/* A type name as regtype input takes it: pg_type names, format_type
 * spellings and the SQL aliases. */
static const SysType *type_of_text(StrView s)
{
    char buf[128];
    sv_cstr(s, buf, sizeof buf);
    for (char *p = buf; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    const char *n = buf;
    if (!strncmp(n, "pg_catalog.", 11))
        n += 11;
    static const char *const alias[][2] = {{"int", "int4"}, {"integer", "int4"}, {"smallint", "int2"},
                                           {"bigint", "int8"}, {"real", "float4"}, {"double precision", "float8"},
                                           {"boolean", "bool"}, {"decimal", "numeric"}, {"varchar", "varchar"},
                                           {"char", "bpchar"}, {"character", "bpchar"}, {"\"char\"", "char"}};
    for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++)
        if (!strcmp(n, alias[i][0]))
            n = alias[i][1];
    const SysType *t = syscat_type_by_name(n);
    for (uint32_t i = 0; !t && i < syscat_n_types; i++)
        if (!strcmp(syscat_types[i].sql, n))
            t = &syscat_types[i];
    return t;
}

/* ---- visibility, users, types ---------------------------------------------------------------- */

KERNEL(k_table_is_visible)
{
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!FUNC_ROW_VALID(out, i))
            continue;
        const SysRel *r = syscat_rel_by_oid(MODEL, ARG_I64(0, i));
        if (!r) { /* PostgreSQL: NULL for an OID that is no relation */
            if (fl_set_null(out, i, err))
                return err->kind;
            continue;
        }
        VEC_DATA(out, uint8_t)[i] = syscat_rel_is_visible(MODEL, r);
    }
    out->len = n_rows;
    return 0;
}

KERNEL(k_type_is_visible)
{
    for (uint32_t i = 0; i < n_rows; i++)
        if (FUNC_ROW_VALID(out, i))
            VEC_DATA(out, uint8_t)[i] = syscat_type_by_oid(ARG_I64(0, i)) != NULL;
    out->len = n_rows;
    return 0;
}

/* pg_function_is_visible: every function is in pg_catalog, which is always searched */
KERNEL(k_true)
{
    for (uint32_t i = 0; i < n_rows; i++)
        VEC_DATA(out, uint8_t)[i] = 1;
    out->len = n_rows;
    return 0;
}

KERNEL(k_false)
{
    for (uint32_t i = 0; i < n_rows; i++)
        VEC_DATA(out, uint8_t)[i] = 0;
    out->len = n_rows;
    return 0;
}

KERNEL(k_get_userbyid)
{
    char buf[64];
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!FUNC_ROW_VALID(out, i))
            continue;
        int64_t oid = ARG_I64(0, i);
        const SysRole *r = syscat_role_by_oid(MODEL, oid);
        if (!r)
            snprintf(buf, sizeof buf, "unknown (OID=%lld)", (long long)oid);
        if (put_cstr(out, i, r ? r->name : buf, err))
            return err->kind;
    }
    out->len = n_rows;
    return 0;
}

/* format_type(oid, typmod): NULL typmod = none; an unknown type is "???" */
KERNEL(k_format_type)
{
    char buf[128];
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!ARG_OK(0, i)) {
            if (fl_set_null(out, i, err))
                return err->kind;
            continue;
        }
        bool have = n_args > 1 && ARG_OK(1, i);
        int64_t tm = have ? VEC_DATA(args[1], int32_t)[FUNC_IDX(args[1], i)] : -1;
        if (!syscat_format_type(ARG_I64(0, i), tm, have, buf, sizeof buf))
            snprintf(buf, sizeof buf, "???");
        if (put_cstr(out, i, buf, err))
            return err->kind;
    }
    out->len = n_rows;
    return 0;
}

/* ---- definitions and descriptions ----------------------------------------------------------- */

KERNEL(k_null)
{
    return all_null(out, n_rows, err);
}

/* pg_get_expr(text, relation [, pretty]): the stored expression text */
KERNEL(k_get_expr)
{
    for (uint32_t i = 0; i < n_rows; i++)
        if (FUNC_ROW_VALID(out, i)) {
            StrView s = ARG_SV(0, i);
            if (put_text(out, i, s.ptr, s.len, err))
                return err->kind;
        }
    out->len = n_rows;
    return 0;
}

KERNEL(k_empty_text)
{
    for (uint32_t i = 0; i < n_rows; i++)
        FL_STR(out)[i] = fl_sv("", 0);
    out->len = n_rows;
    return 0;
}

/* pg_get_viewdef(oid | name [, pretty]) */
KERNEL(k_get_viewdef)
{
    bool by_name = type_is_string_like(ctx->arg_types[0]->id);
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!FUNC_ROW_VALID(out, i))
            continue;
        const SysRel *r;
        if (by_name) {
            bool found;
            int64_t oid = rel_oid_of(MODEL, ARG_SV(0, i), &found);
            if (!found)
                return rel_missing(MODEL, ARG_SV(0, i), err);
            r = syscat_rel_by_oid(MODEL, oid);
        } else {
            r = syscat_rel_by_oid(MODEL, ARG_I64(0, i));
        }
        if (!r || !r->view_sql) {
            if (fl_set_null(out, i, err))
                return err->kind;
            continue;
        }
        if (put_cstr(out, i, r->view_sql, err))
            return err->kind;
    }
    out->len = n_rows;
    return 0;
}

/* ---- sizes ------------------------------------------------------------------------------------ */

/* pg_relation_size / pg_table_size / pg_total_relation_size (regclass):
 * the data files of the table's latest snapshot; views 0; NULL for an
 * unknown OID.  pg_indexes_size: 0 (no indexes). */
KERNEL(k_rel_size)
{
    bool by_name = type_is_string_like(ctx->arg_types[0]->id);
    bool indexes = !strcmp(ctx->def->name, "pg_indexes_size");
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!FUNC_ROW_VALID(out, i))
            continue;
        int64_t oid;
        if (by_name) {
            bool found;
            oid = rel_oid_of(MODEL, ARG_SV(0, i), &found);
            if (!found)
                return rel_missing(MODEL, ARG_SV(0, i), err);
        } else {
            oid = ARG_I64(0, i);
        }
        const SysRel *r = syscat_rel_by_oid(MODEL, oid);
        if (!r) {
            if (fl_set_null(out, i, err))
                return err->kind;
            continue;
        }
        VEC_DATA(out, int64_t)[i] = indexes || r->kind != 'r' ? 0 : r->bytes;
    }
    out->len = n_rows;
    return 0;
}

/* pg_size_pretty(bigint), PostgreSQL 15's units and rounding */
KERNEL(k_size_pretty)
{
    static const struct { const char *name; int64_t limit; bool round; int bits; } units[] = {
        {"bytes", 10 * 1024, false, 0}, {"kB", 20 * 1024 - 1, true, 10}, {"MB", 20 * 1024 - 1, true, 20},
        {"GB", 20 * 1024 - 1, true, 30}, {"TB", 20 * 1024 - 1, true, 40}, {"PB", 20 * 1024 - 1, true, 50}};
    const size_t nu = sizeof units / sizeof units[0];
    char buf[64];
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!FUNC_ROW_VALID(out, i))
            continue;
        int64_t size = ARG_I64(0, i);
        for (size_t u = 0; u < nu; u++) {
            int64_t a = size < 0 ? -size : size;
            if (u + 1 == nu || a < units[u].limit) {
                if (units[u].round)
                    size = (size + (size < 0 ? -1 : 1)) / 2;
                snprintf(buf, sizeof buf, "%lld %s", (long long)size, units[u].name);
                break;
            }
            int bits = units[u + 1].bits - units[u].bits - (units[u + 1].round ? 1 : 0) + (units[u].round ? 1 : 0);
            size /= (int64_t)1 << bits;
        }
        if (put_cstr(out, i, buf, err))
            return err->kind;
    }
    out->len = n_rows;
    return 0;
}

/* ---- privileges ------------------------------------------------------------------------------- */

/* Checks a privilege list ("SELECT, INSERT WITH GRANT OPTION") against the
 * privileges of the object kind; 22023 for an unknown one. */
static int check_privs(StrView s, const char *const *allowed, TarnError *err)
{
    size_t i = 0;
    while (i <= s.len) {
        size_t e = i;
        while (e < s.len && s.ptr[e] != ',')
            e++;
        size_t b = i, t = e;
        while (b < t && isspace((unsigned char)s.ptr[b]))
            b++;
        while (t > b && isspace((unsigned char)s.ptr[t - 1]))
            t--;
        char word[128];
        sv_cstr(fl_sv(s.ptr + b, t - b), word, sizeof word);
        size_t wl = strlen(word);
        if (wl > 18 && !strcasecmp(word + wl - 18, " WITH GRANT OPTION")) {
            word[wl - 18] = 0;
            wl -= 18;
            while (wl && isspace((unsigned char)word[wl - 1]))
                word[--wl] = 0;
        }
        bool ok = false;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = !strcasecmp(*a, word);
        if (!ok)
            return err_set_state(err, TARN_ERR_INVALID, "22023", "unrecognized privilege type: \"%s\"", word);
        if (e >= s.len)
            break;
        i = e + 1;
    }
    return 0;
}

typedef enum PrivKind { PRIV_TABLE, PRIV_SCHEMA, PRIV_DATABASE, PRIV_COLUMN, PRIV_ANY_COLUMN, PRIV_FUNCTION, PRIV_ROLE } PrivKind;

static PrivKind priv_kind(const char *fn)
{
    if (!strcmp(fn, "has_schema_privilege")) return PRIV_SCHEMA;
    if (!strcmp(fn, "has_database_privilege")) return PRIV_DATABASE;
    if (!strcmp(fn, "has_column_privilege")) return PRIV_COLUMN;
    if (!strcmp(fn, "has_any_column_privilege")) return PRIV_ANY_COLUMN;
    if (!strcmp(fn, "has_function_privilege")) return PRIV_FUNCTION;
    if (!strcmp(fn, "pg_has_role")) return PRIV_ROLE;
    return PRIV_TABLE;
}

/* has_*_privilege([user,] object, [column,] privilege): the session may do
 * everything in its lake, so the answer is true for an existing object;
 * PostgreSQL's errors for a missing named object or role, NULL for an
 * unknown OID. */
KERNEL(k_has_priv)
{
    static const char *const tab[] = {"SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER",
                                      "RULE", "MAINTAIN", NULL};
    static const char *const sch[] = {"CREATE", "USAGE", NULL};
    static const char *const db[] = {"CREATE", "CONNECT", "TEMPORARY", "TEMP", NULL};
    static const char *const col[] = {"SELECT", "INSERT", "UPDATE", "REFERENCES", NULL};
    static const char *const fn[] = {"EXECUTE", NULL};
    static const char *const role[] = {"MEMBER", "USAGE", "SET", NULL};
    PrivKind k = priv_kind(ctx->def->name);
    const char *const *allowed = k == PRIV_TABLE ? tab : k == PRIV_SCHEMA ? sch : k == PRIV_DATABASE ? db
                                 : k == PRIV_FUNCTION ? fn : k == PRIV_ROLE ? role : col;
    uint32_t nobj = k == PRIV_COLUMN ? 3 : 2; /* arguments without the user */
    uint32_t first = n_args > nobj ? 1 : 0;   /* the object argument */
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!FUNC_ROW_VALID(out, i))
            continue;
        char buf[256];
        if (first) {
            const SysRole *ro = NULL;
            if (type_is_string_like(ctx->arg_types[0]->id)) {
                sv_cstr(ARG_SV(0, i), buf, sizeof buf);
                if (!(ro = syscat_role_by_name(MODEL, buf)))
                    return err_set_state(err, TARN_ERR_NOT_FOUND, "42704", "role \"%s\" does not exist", buf);
            } else if (!(ro = syscat_role_by_oid(MODEL, ARG_I64(0, i)))) {
                if (fl_set_null(out, i, err))
                    return err->kind;
                continue;
            }
        }
        int rc = check_privs(ARG_SV(n_args - 1, i), allowed, err);
        if (rc)
            return rc;
        bool by_name = type_is_string_like(ctx->arg_types[first]->id);
        bool exists = true;
        StrView on = by_name ? ARG_SV(first, i) : (StrView){0};
        int64_t oid = by_name ? 0 : ARG_I64(first, i);
        switch (k) {
        case PRIV_TABLE: case PRIV_COLUMN: case PRIV_ANY_COLUMN: {
            const SysRel *r;
            if (by_name) {
                bool found;
                oid = rel_oid_of(MODEL, on, &found);
                if (!found)
                    return rel_missing(MODEL, on, err);
            }
            r = syscat_rel_by_oid(MODEL, oid);
            exists = r != NULL;
            if (r && k == PRIV_COLUMN) {
                const Vector *cv = args[first + 1];
                bool found = false;
                if (type_is_string_like(ctx->arg_types[first + 1]->id)) {
                    sv_cstr(FL_CSTR(cv)[FUNC_IDX(cv, i)], buf, sizeof buf);
                    for (uint32_t a = 0; a < r->n_attrs && !found; a++)
                        found = !strcmp(r->attrs[a].name, buf);
                    if (!found)
                        return err_set_state(err, TARN_ERR_NOT_FOUND, "42703", "column \"%s\" of relation \"%s\" does not exist",
                                             buf, r->name);
                } else {
                    int64_t an = VEC_DATA(cv, int16_t)[FUNC_IDX(cv, i)];
                    exists = an >= 1 && an <= (int64_t)r->n_attrs;
                }
            }
            break;
        }
        case PRIV_SCHEMA:
            if (by_name) {
                sv_cstr(on, buf, sizeof buf);
                if (!syscat_nsp_by_name(MODEL, buf))
                    return err_set_state(err, TARN_ERR_NOT_FOUND, "3F000", "schema \"%s\" does not exist", buf);
            } else {
                exists = syscat_nsp_by_oid(MODEL, oid) != NULL;
            }
            break;
        case PRIV_DATABASE:
            if (by_name) {
                sv_cstr(on, buf, sizeof buf);
                if (strcmp(buf, MODEL->database))
                    return err_set_state(err, TARN_ERR_NOT_FOUND, "3D000", "database \"%s\" does not exist", buf);
            } else {
                exists = oid == SYSCAT_DATABASE_OID;
            }
            break;
        case PRIV_ROLE:
            if (by_name) {
                sv_cstr(on, buf, sizeof buf);
                if (!syscat_role_by_name(MODEL, buf))
                    return err_set_state(err, TARN_ERR_NOT_FOUND, "42704", "role \"%s\" does not exist", buf);
            } else {
                exists = syscat_role_by_oid(MODEL, oid) != NULL;
            }
            break;
        case PRIV_FUNCTION:
            break;
        }
        if (!exists) {
            if (fl_set_null(out, i, err))
                return err->kind;
            continue;
        }
        VEC_DATA(out, uint8_t)[i] = 1;
    }
    out->len = n_rows;
    return 0;
}

/* ---- session ------------------------------------------------------------------------------------ */

KERNEL(k_encoding_to_char)
{
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!FUNC_ROW_VALID(out, i))
            continue;
        int32_t e = VEC_DATA(args[0], int32_t)[FUNC_IDX(args[0], i)];
        const char *s = e == 6 ? "UTF8" : e == 0 ? "SQL_ASCII" : "";
        if (put_cstr(out, i, s, err))
            return err->kind;
    }
    out->len = n_rows;
    return 0;
}

KERNEL(k_utf8)
{
    for (uint32_t i = 0; i < n_rows; i++)
        FL_STR(out)[i] = fl_sv("UTF8", 4);
    out->len = n_rows;
    return 0;
}

KERNEL(k_char_to_encoding)
{
    char buf[32];
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!FUNC_ROW_VALID(out, i))
            continue;
        sv_cstr(ARG_SV(0, i), buf, sizeof buf);
        VEC_DATA(out, int32_t)[i] = !strcasecmp(buf, "UTF8") || !strcasecmp(buf, "UTF-8") ? 6
                                    : !strcasecmp(buf, "SQL_ASCII")                       ? 0
                                                                                          : -1;
    }
    out->len = n_rows;
    return 0;
}

KERNEL(k_current_database)
{
    tarn_db *db = ctx->settings ? ctx->settings->session : NULL;
    char v[256] = "tarn";
    if (db && db->database[0]) {
        snprintf(v, sizeof v, "%s", db->database);
    } else if (db) {
        const char *root = catalog_root(db->cat), *slash = strrchr(root, '/');
        snprintf(v, sizeof v, "%s", slash && slash[1] ? slash + 1 : root);
    }
    for (uint32_t i = 0; i < n_rows; i++)
        if (put_cstr(out, i, v, err))
            return err->kind;
    out->len = n_rows;
    return 0;
}

/* current_schemas(include_implicit): the existing schemas of search_path */
KERNEL(k_current_schemas)
{
    vec_reset(out);
    Vector *oc = &out->children[0];
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!ARG_OK(0, i)) {
            if (vec_append_null(out))
                return ERR_NOMEM(err, 0);
            continue;
        }
        if (VEC_DATA(args[0], uint8_t)[FUNC_IDX(args[0], i)] && vec_append_str(oc, "pg_catalog", 10))
            return ERR_NOMEM(err, 0);
        for (uint32_t s = 0; s < MODEL->n_path; s++)
            if (vec_append_str(oc, MODEL->search_path[s], strlen(MODEL->search_path[s])))
                return ERR_NOMEM(err, 0);
        if (vec_append_list_end(out))
            return ERR_NOMEM(err, 0);
    }
    return 0;
}

/* current_schema(): the first existing schema of search_path (NULL: none) */
KERNEL(k_current_schema)
{
    const char *s = ctx->settings ? ctx->settings->current_schema : NULL;
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!s) {
            if (fl_set_null(out, i, err))
                return err->kind;
        } else if (put_cstr(out, i, s, err)) {
            return err->kind;
        }
    }
    out->len = n_rows;
    return 0;
}

KERNEL(k_backend_pid)
{
    for (uint32_t i = 0; i < n_rows; i++)
        VEC_DATA(out, int32_t)[i] = (int32_t)getpid();
    out->len = n_rows;
    return 0;
}

KERNEL(k_start_time)
{
    /* timestamptz: µs since 2000-01-01 */
    int64_t v = process_start_us - INT64_C(946684800000000);
    for (uint32_t i = 0; i < n_rows; i++)
        VEC_DATA(out, int64_t)[i] = v;
    out->len = n_rows;
    return 0;
}

static atomic_llong next_xid = 1000;

/* txid_current(): a new number per statement (stable: folded once) */
KERNEL(k_txid_current)
{
    int64_t v = atomic_fetch_add(&next_xid, 1);
    for (uint32_t i = 0; i < n_rows; i++)
        VEC_DATA(out, int64_t)[i] = v;
    out->len = n_rows;
    return 0;
}

/* ---- reg* input and output ---------------------------------------------------------------------- */

typedef enum RegK { RK_CLASS, RK_TYPE, RK_NAMESPACE, RK_PROC, RK_ROLE } RegK;

static RegK reg_of(const char *fn)
{
    const char *n = !strncmp(fn, "to_", 3) ? fn + 3 : fn;
    if (!strncmp(n, "regclass", 8)) return RK_CLASS;
    if (!strncmp(n, "regtype", 7)) return RK_TYPE;
    if (!strncmp(n, "regnamespace", 12)) return RK_NAMESPACE;
    if (!strncmp(n, "regproc", 7)) return RK_PROC;
    return RK_ROLE;
}

/* OID of a name; found false when absent. */
static int64_t reg_lookup(const SysModel *m, RegK k, StrView s, bool *found)
{
    int64_t v;
    char buf[256], sch[256], nm[256];
    bool q;
    *found = false;
    if (all_digits(s, &v)) {
        *found = true;
        return v;
    }
    switch (k) {
    case RK_CLASS:
        return rel_oid_of(m, s, found);
    case RK_TYPE: {
        const SysType *t = type_of_text(s);
        *found = t != NULL;
        return t ? t->oid : 0;
    }
    case RK_NAMESPACE: {
        if (!split_name(s, sch, nm, sizeof nm, &q) || q)
            return 0;
        const SysNsp *n = syscat_nsp_by_name(m, nm);
        *found = n != NULL;
        return n ? n->oid : 0;
    }
    case RK_ROLE: {
        if (!split_name(s, sch, nm, sizeof nm, &q) || q)
            return 0;
        const SysRole *r = syscat_role_by_name(m, nm);
        *found = r != NULL;
        return r ? r->oid : 0;
    }
    case RK_PROC: {
        sv_cstr(s, buf, sizeof buf);
        const char *n = !strncmp(buf, "pg_catalog.", 11) ? buf + 11 : buf;
        uint32_t cnt;
        const FuncDef *const *defs = func_lookup(n, FUNC_SCALAR, &cnt);
        if (!cnt)
            defs = func_lookup(n, FUNC_AGGREGATE, &cnt);
        for (uint32_t t = 0; !cnt && t < syscat_n_types; t++) {
            /* the types' input / output functions (typinput = 'array_in'::regproc) */
            const SysType *ty = &syscat_types[t];
            if (!strcmp(ty->input, n) || !strcmp(ty->output, n)) {
                *found = true;
                return !strcmp(ty->input, n) ? ty->input_oid : ty->output_oid;
            }
        }
        if (!cnt)
            return 0;
        *found = true;
        return syscat_proc_oid(defs[0]);
    }
    }
    return 0;
}

static int reg_missing(const SysModel *m, RegK k, StrView s, TarnError *err)
{
    int n = (int)s.len;
    switch (k) {
    case RK_CLASS: return rel_missing(m, s, err);
    case RK_TYPE: return err_set_state(err, TARN_ERR_NOT_FOUND, "42704", "type \"%.*s\" does not exist", n, s.ptr);
    case RK_NAMESPACE: return err_set_state(err, TARN_ERR_NOT_FOUND, "3F000", "schema \"%.*s\" does not exist", n, s.ptr);
    case RK_PROC: return err_set_state(err, TARN_ERR_NOT_FOUND, "42883", "function \"%.*s\" does not exist", n, s.ptr);
    default: return err_set_state(err, TARN_ERR_NOT_FOUND, "42704", "role \"%.*s\" does not exist", n, s.ptr);
    }
}

/* regclassin(text) and friends (errors), to_regclass(text) and friends (NULL) */
KERNEL(k_reg_in)
{
    RegK k = reg_of(ctx->def->name);
    bool soft = !strncmp(ctx->def->name, "to_", 3);
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!FUNC_ROW_VALID(out, i))
            continue;
        bool found;
        StrView s = ARG_SV(0, i);
        int64_t oid = reg_lookup(MODEL, k, s, &found);
        if (!found && !soft)
            return reg_missing(MODEL, k, s, err);
        if (!found) {
            if (fl_set_null(out, i, err))
                return err->kind;
            continue;
        }
        VEC_DATA(out, int64_t)[i] = oid;
    }
    out->len = n_rows;
    return 0;
}

/* regclassout(oid) and friends: the name (qualified when not visible);
 * an unknown OID prints as its number, 0 as "-" */
KERNEL(k_reg_out)
{
    RegK k = reg_of(ctx->def->name);
    char buf[600];
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!FUNC_ROW_VALID(out, i))
            continue;
        int64_t oid = ARG_I64(0, i);
        const char *s = NULL;
        if (oid == 0) {
            s = "-";
        } else if (k == RK_CLASS) {
            const SysRel *r = syscat_rel_by_oid(MODEL, oid);
            if (r && !syscat_rel_is_visible(MODEL, r)) {
                snprintf(buf, sizeof buf, "%s.%s", r->schema, r->name);
                s = buf;
            } else if (r) {
                s = r->name;
            }
        } else if (k == RK_TYPE) {
            if (syscat_format_type(oid, -1, false, buf, sizeof buf))
                s = buf;
        } else if (k == RK_NAMESPACE) {
            const SysNsp *n = syscat_nsp_by_oid(MODEL, oid);
            s = n ? n->name : NULL;
        } else if (k == RK_ROLE) {
            const SysRole *r = syscat_role_by_oid(MODEL, oid);
            s = r ? r->name : NULL;
        } else {
            uint32_t nf;
            const FuncDef *const *all = func_all(&nf);
            for (uint32_t f = 0; f < nf && !s; f++)
                if (syscat_proc_oid(all[f]) == oid)
                    s = all[f]->name;
            for (uint32_t t = 0; t < syscat_n_types && !s; t++)
                s = syscat_types[t].input_oid == oid ? syscat_types[t].input
                    : syscat_types[t].output_oid == oid ? syscat_types[t].output : NULL;
        }
        if (!s) {
            snprintf(buf, sizeof buf, "%lld", (long long)oid);
            s = buf;
        }
        if (put_cstr(out, i, s, err))
            return err->kind;
    }
    out->len = n_rows;
    return 0;
}

/* ---- information_schema._pg_expandarray ------------------------------------------------------------- */

/* _pg_expandarray(anyarray) -> SETOF (x anyelement, n int): each element
 * with its 1-based index (JDBC's getPrimaryKeys / getIndexInfo use it). */
static int bind_expandarray(FuncBindInfo *b, TarnError *err)
{
    Field *f = arena_calloc(b->arena, 2 * sizeof(Field));
    if (!f)
        return ERR_NOMEM(err, 0);
    f[0].name = (char *)"x";
    f[0].type = b->arg_types[0].fields[0].type;
    f[0].nullable = true;
    f[1].name = (char *)"n";
    f[1].type = type_simple(TYPE_INT32);
    f[1].nullable = true;
    b->ret = type_simple(TYPE_STRUCT);
    b->ret.n_fields = 2;
    b->ret.fields = f;
    return 0;
}

static uint32_t list_begin(const Vector *a, uint32_t r)
{
    return a->offsets[r];
}

static int expandarray_count(FuncCtx *c, Vector **a, uint32_t na, uint32_t n, int64_t *counts, TarnError *err)
{
    (void)c; (void)na; (void)err;
    const Vector *arr = a[0];
    for (uint32_t i = 0; i < n; i++) {
        uint32_t r = FUNC_IDX(arr, i);
        counts[i] = vec_is_valid(arr, r) ? arr->offsets[r + 1] - arr->offsets[r] : 0;
    }
    return 0;
}

static int expandarray_fill(FuncCtx *c, Vector **a, uint32_t na, const uint32_t *rows, const int64_t *idx, uint32_t n,
                            Vector *out, TarnError *err)
{
    (void)c; (void)na;
    const Vector *arr = a[0];
    vec_reset(out);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t src = list_begin(arr, FUNC_IDX(arr, rows[k])) + (uint32_t)idx[k];
        if (vec_append_from(&out->children[0], &arr->children[0], src) ||
            vec_append_i64(&out->children[1], idx[k] + 1) || vec_append_struct_end(out))
            return ERR_NOMEM(err, 0);
    }
    return 0;
}

/* ---- registry -------------------------------------------------------------------------------------- */

#define I8 TYPE_INT64
#define I4 TYPE_INT32
#define I2 TYPE_INT16
#define TX TYPE_STRING
#define BO TYPE_BOOL
#define S FUNC_STRICT
#define ST FUNC_STABLE

#define F(nm, na, ar, rt, fl, kern, bnd, d) \
    {.name = nm, .kind = FUNC_SCALAR, .n_args = na, .args = ar, .ret = rt, .flags = fl, .scalar = kern, .bind = bnd, .doc = d}
#define A(...) {__VA_ARGS__}

const FuncDef func_defs_syscat[] = {
    F("pg_table_is_visible", 1, A(I8), BO, S | ST, k_table_is_visible, bind_model, "relation found first along search_path"),
    F("pg_type_is_visible", 1, A(I8), BO, S | ST, k_type_is_visible, NULL, "type visible (every type is in pg_catalog)"),
    F("pg_function_is_visible", 1, A(I8), BO, S | ST, k_true, NULL, "function visible (all are in pg_catalog)"),
    F("pg_collation_is_visible", 1, A(I8), BO, S | ST, k_true, NULL, "collation visible"),
    F("pg_operator_is_visible", 1, A(I8), BO, S | ST, k_true, NULL, "operator visible (all are in pg_catalog)"),
    F("pg_opclass_is_visible", 1, A(I8), BO, S | ST, k_true, NULL, "operator class visible"),
    F("pg_opfamily_is_visible", 1, A(I8), BO, S | ST, k_true, NULL, "operator family visible"),
    F("pg_conversion_is_visible", 1, A(I8), BO, S | ST, k_true, NULL, "conversion visible"),
    F("pg_statistics_obj_is_visible", 1, A(I8), BO, S | ST, k_true, NULL, "statistics object visible"),
    F("pg_get_userbyid", 1, A(I8), TX, S | ST, k_get_userbyid, bind_name_model, "role name of an OID"),
    F("format_type", 2, A(I8, I4), TX, ST, k_format_type, NULL, "SQL name of a type OID and typmod"),
    F("obj_description", 1, A(I8), TX, ST, k_null, NULL, "comment of an object (tarn has none)"),
    F("obj_description", 2, A(I8, TX), TX, ST, k_null, NULL, "comment of an object (tarn has none)"),
    F("col_description", 2, A(I8, I4), TX, ST, k_null, NULL, "comment of a column (tarn has none)"),
    F("shobj_description", 2, A(I8, TX), TX, ST, k_null, NULL, "comment of a shared object (tarn has none)"),
    F("pg_get_expr", 2, A(TX, I8), TX, S | ST, k_get_expr, NULL, "text of a stored expression"),
    F("pg_get_expr", 3, A(TX, I8, BO), TX, S | ST, k_get_expr, NULL, "text of a stored expression"),
    F("pg_get_indexdef", 1, A(I8), TX, ST, k_null, NULL, "index definition (tarn has no indexes)"),
    F("pg_get_indexdef", 3, A(I8, I4, BO), TX, ST, k_null, NULL, "index definition (tarn has no indexes)"),
    F("pg_get_constraintdef", 1, A(I8), TX, ST, k_null, NULL, "constraint definition (tarn has none)"),
    F("pg_get_constraintdef", 2, A(I8, BO), TX, ST, k_null, NULL, "constraint definition (tarn has none)"),
    F("pg_get_triggerdef", 1, A(I8), TX, ST, k_null, NULL, "trigger definition (tarn has none)"),
    F("pg_get_triggerdef", 2, A(I8, BO), TX, ST, k_null, NULL, "trigger definition (tarn has none)"),
    F("pg_get_ruledef", 1, A(I8), TX, ST, k_null, NULL, "rule definition (tarn has none)"),
    F("pg_get_ruledef", 2, A(I8, BO), TX, ST, k_null, NULL, "rule definition (tarn has none)"),
    F("pg_get_partkeydef", 1, A(I8), TX, ST, k_null, NULL, "partition key (no declarative partitioning)"),
    F("pg_get_statisticsobjdef_columns", 1, A(I8), TX, ST, k_null, NULL, "extended statistics (none)"),
    F("pg_get_function_result", 1, A(I8), TX, ST, k_null, NULL, "result type of a user function (none)"),
    F("pg_get_function_arguments", 1, A(I8), TX, ST, k_null, NULL, "arguments of a user function (none)"),
    F("pg_get_function_identity_arguments", 1, A(I8), TX, ST, k_null, NULL, "arguments of a user function (none)"),
    F("pg_get_serial_sequence", 2, A(TX, TX), TX, ST, k_null, NULL, "sequence of a serial column (none)"),
    F("pg_tablespace_location", 1, A(I8), TX, S | ST, k_empty_text, NULL, "tablespace directory (the default: '')"),
    F("pg_relation_is_publishable", 1, A(I8), BO, S | ST, k_false, NULL, "publishable (no logical replication)"),
    F("pg_is_in_recovery", 0, A(0), BO, ST, k_false, NULL, "false: not a standby"),
    F("pg_get_viewdef", 1, A(I8), TX, S | ST, k_get_viewdef, bind_model, "the SELECT of a view"),
    F("pg_get_viewdef", 2, A(I8, BO), TX, S | ST, k_get_viewdef, bind_model, "the SELECT of a view"),
    F("pg_get_viewdef", 1, A(TX), TX, S | ST, k_get_viewdef, bind_model, "the SELECT of a view"),
    F("pg_get_viewdef", 2, A(TX, BO), TX, S | ST, k_get_viewdef, bind_model, "the SELECT of a view"),
    F("pg_relation_size", 1, A(I8), I8, S | ST, k_rel_size, bind_model, "bytes of the table's data files"),
    F("pg_relation_size", 1, A(TX), I8, S | ST, k_rel_size, bind_model, "bytes of the table's data files"),
    F("pg_relation_size", 2, A(I8, TX), I8, S | ST, k_rel_size, bind_model, "bytes of the table's data files"),
    F("pg_table_size", 1, A(I8), I8, S | ST, k_rel_size, bind_model, "bytes of the table's data files"),
    F("pg_table_size", 1, A(TX), I8, S | ST, k_rel_size, bind_model, "bytes of the table's data files"),
    F("pg_total_relation_size", 1, A(I8), I8, S | ST, k_rel_size, bind_model, "bytes of the table's data files"),
    F("pg_total_relation_size", 1, A(TX), I8, S | ST, k_rel_size, bind_model, "bytes of the table's data files"),
    F("pg_indexes_size", 1, A(I8), I8, S | ST, k_rel_size, bind_model, "0: tarn has no indexes"),
    F("pg_indexes_size", 1, A(TX), I8, S | ST, k_rel_size, bind_model, "0: tarn has no indexes"),
    F("pg_size_pretty", 1, A(I8), TX, S, k_size_pretty, NULL, "a byte count with units"),
    F("has_table_privilege", 2, A(TX, TX), BO, S | ST, k_has_priv, bind_model, "true for an existing relation"),
    F("has_table_privilege", 2, A(I8, TX), BO, S | ST, k_has_priv, bind_model, "true for an existing relation"),
    F("has_table_privilege", 3, A(TX, TX, TX), BO, S | ST, k_has_priv, bind_model, "true for an existing relation"),
    F("has_table_privilege", 3, A(TX, I8, TX), BO, S | ST, k_has_priv, bind_model, "true for an existing relation"),
    F("has_table_privilege", 3, A(I8, TX, TX), BO, S | ST, k_has_priv, bind_model, "true for an existing relation"),
    F("has_table_privilege", 3, A(I8, I8, TX), BO, S | ST, k_has_priv, bind_model, "true for an existing relation"),
    F("has_any_column_privilege", 2, A(TX, TX), BO, S | ST, k_has_priv, bind_model, "true for an existing relation"),
    F("has_any_column_privilege", 2, A(I8, TX), BO, S | ST, k_has_priv, bind_model, "true for an existing relation"),
    F("has_any_column_privilege", 3, A(TX, TX, TX), BO, S | ST, k_has_priv, bind_model, "true for an existing relation"),
    F("has_any_column_privilege", 3, A(TX, I8, TX), BO, S | ST, k_has_priv, bind_model, "true for an existing relation"),
    F("has_column_privilege", 3, A(TX, TX, TX), BO, S | ST, k_has_priv, bind_model, "true for an existing column"),
    F("has_column_privilege", 3, A(I8, TX, TX), BO, S | ST, k_has_priv, bind_model, "true for an existing column"),
    F("has_column_privilege", 3, A(TX, I2, TX), BO, S | ST, k_has_priv, bind_model, "true for an existing column"),
    F("has_column_privilege", 3, A(I8, I2, TX), BO, S | ST, k_has_priv, bind_model, "true for an existing column"),
    F("has_column_privilege", 4, A(TX, TX, TX, TX), BO, S | ST, k_has_priv, bind_model, "true for an existing column"),
    F("has_column_privilege", 4, A(TX, I8, TX, TX), BO, S | ST, k_has_priv, bind_model, "true for an existing column"),
    F("has_column_privilege", 4, A(TX, I8, I2, TX), BO, S | ST, k_has_priv, bind_model, "true for an existing column"),
    F("has_schema_privilege", 2, A(TX, TX), BO, S | ST, k_has_priv, bind_model, "true for an existing schema"),
    F("has_schema_privilege", 2, A(I8, TX), BO, S | ST, k_has_priv, bind_model, "true for an existing schema"),
    F("has_schema_privilege", 3, A(TX, TX, TX), BO, S | ST, k_has_priv, bind_model, "true for an existing schema"),
    F("has_schema_privilege", 3, A(TX, I8, TX), BO, S | ST, k_has_priv, bind_model, "true for an existing schema"),
    F("has_schema_privilege", 3, A(I8, TX, TX), BO, S | ST, k_has_priv, bind_model, "true for an existing schema"),
    F("has_schema_privilege", 3, A(I8, I8, TX), BO, S | ST, k_has_priv, bind_model, "true for an existing schema"),
    F("has_database_privilege", 2, A(TX, TX), BO, S | ST, k_has_priv, bind_model, "true for the current database"),
    F("has_database_privilege", 2, A(I8, TX), BO, S | ST, k_has_priv, bind_model, "true for the current database"),
    F("has_database_privilege", 3, A(TX, TX, TX), BO, S | ST, k_has_priv, bind_model, "true for the current database"),
    F("has_database_privilege", 3, A(TX, I8, TX), BO, S | ST, k_has_priv, bind_model, "true for the current database"),
    F("has_function_privilege", 2, A(TX, TX), BO, S | ST, k_has_priv, bind_model, "true: every function may run"),
    F("has_function_privilege", 2, A(I8, TX), BO, S | ST, k_has_priv, bind_model, "true: every function may run"),
    F("has_function_privilege", 3, A(TX, TX, TX), BO, S | ST, k_has_priv, bind_model, "true: every function may run"),
    F("pg_has_role", 2, A(TX, TX), BO, S | ST, k_has_priv, bind_model, "true for an existing role"),
    F("pg_has_role", 3, A(TX, TX, TX), BO, S | ST, k_has_priv, bind_model, "true for an existing role"),
    F("pg_encoding_to_char", 1, A(I4), TX, S, k_encoding_to_char, bind_ret_name, "encoding name of an encoding number"),
    F("pg_char_to_encoding", 1, A(TX), I4, S, k_char_to_encoding, NULL, "encoding number of an encoding name"),
    F("getdatabaseencoding", 0, A(0), TX, ST, k_utf8, bind_ret_name, "the database encoding (UTF8)"),
    F("current_database", 0, A(0), TX, ST, k_current_database, bind_ret_name, "the database (the lake) of the session"),
    F("current_schema", 0, A(0), TX, ST, k_current_schema, bind_ret_name, "the first existing schema of search_path"),
    F("current_schemas", 1, A(BO), TYPE_LIST, S | ST, k_current_schemas, bind_text_array_model,
      "schemas of search_path that exist (with pg_catalog when true)"),
    F("pg_backend_pid", 0, A(0), I4, ST, k_backend_pid, NULL, "process id of the server"),
    F("pg_postmaster_start_time", 0, A(0), TYPE_TIMESTAMPTZ, ST, k_start_time, NULL, "when the process started"),
    F("inet_server_addr", 0, A(0), TX, ST, k_null, NULL, "NULL (tarn reports no addresses)"),
    F("inet_client_addr", 0, A(0), TX, ST, k_null, NULL, "NULL (tarn reports no addresses)"),
    F("txid_current", 0, A(0), I8, ST, k_txid_current, NULL, "a number that grows with each statement"),
    F("regclassin", 1, A(TX), I8, S | ST, k_reg_in, bind_model, "OID of a relation name"),
    F("regtypein", 1, A(TX), I8, S | ST, k_reg_in, bind_model, "OID of a type name"),
    F("regnamespacein", 1, A(TX), I8, S | ST, k_reg_in, bind_model, "OID of a schema name"),
    F("regprocin", 1, A(TX), I8, S | ST, k_reg_in, bind_model, "OID of a function name"),
    F("regrolein", 1, A(TX), I8, S | ST, k_reg_in, bind_model, "OID of a role name"),
    F("to_regclass", 1, A(TX), I8, S | ST, k_reg_in, bind_model, "OID of a relation name, NULL when absent"),
    F("to_regtype", 1, A(TX), I8, S | ST, k_reg_in, bind_model, "OID of a type name, NULL when absent"),
    F("to_regnamespace", 1, A(TX), I8, S | ST, k_reg_in, bind_model, "OID of a schema name, NULL when absent"),
    F("to_regproc", 1, A(TX), I8, S | ST, k_reg_in, bind_model, "OID of a function name, NULL when absent"),
    F("to_regrole", 1, A(TX), I8, S | ST, k_reg_in, bind_model, "OID of a role name, NULL when absent"),
    F("regclassout", 1, A(I8), TX, S | ST, k_reg_out, bind_model, "relation name of an OID"),
    F("regtypeout", 1, A(I8), TX, S | ST, k_reg_out, bind_model, "type name of an OID"),
    F("regnamespaceout", 1, A(I8), TX, S | ST, k_reg_out, bind_model, "schema name of an OID"),
    F("regprocout", 1, A(I8), TX, S | ST, k_reg_out, bind_model, "function name of an OID"),
    F("regroleout", 1, A(I8), TX, S | ST, k_reg_out, bind_model, "role name of an OID"),
    {.name = "_pg_expandarray", .kind = FUNC_SRF, .n_args = 1, .args = {FUNC_T_ANYARRAY}, .ret = TYPE_INVALID,
     .flags = FUNC_CONST_ARGS, .bind = bind_expandarray, .srf_count = expandarray_count, .srf_fill = expandarray_fill,
     .doc = "information_schema._pg_expandarray: elements with their indexes"},
    {0},
};
