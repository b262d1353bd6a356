/*
 * func_settings.c - current_setting(name [, missing_ok]) and
 * set_config(name, value, is_local): the session's configuration
 * parameters as SET / SHOW see them (sql/sql_settings.c).
 *
 * Both are volatile (never folded): set_config changes the session as it
 * runs, and a current_setting after it in the same statement sees the new
 * value, as in PostgreSQL.
 */
#include <stdio.h>
#include <string.h>

#include "sql/func/func_lib.h"
#include "sql/session.h"

#define KERNEL(name)                                                                           \
    static int name(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows, Vector *out, \
                    TarnError *err)

/* Copies row i of a text argument into buf (NUL-terminated); false when it
 * does not fit. */
static bool arg_text(const Vector *v, uint32_t i, char *buf, size_t n)
{
    StrView s = FL_CSTR(v)[FUNC_IDX(v, i)];
    if (s.len >= n)
        return false;
    memcpy(buf, s.ptr, s.len);
    buf[s.len] = 0;
    return true;
}

static int no_session(TarnError *err)
{
    return err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "configuration parameters are not available here");
}

static int put_text(Vector *out, uint32_t i, const char *s, TarnError *err)
{
    StrView sv;
    if (vec_str_copy(out, s, strlen(s), &sv))
        return ERR_NOMEM(err, strlen(s));
    FL_STR(out)[i] = sv;
    return 0;
}

KERNEL(k_current_setting)
{
    tarn_db *db = ctx->settings ? ctx->settings->session : NULL;
    if (!db)
        return no_session(err);
    char name[256], value[512];
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!FUNC_ROW_VALID(out, i))
            continue;
        bool missing_ok = n_args > 1 && VEC_DATA(args[1], uint8_t)[FUNC_IDX(args[1], i)];
        if (!arg_text(args[0], i, name, sizeof name)) {
            if (missing_ok) {
                if (fl_set_null(out, i, err))
                    return err->kind;
                continue;
            }
            return err_set_state(err, TARN_ERR_NOT_FOUND, "42704", "unrecognized configuration parameter \"%.*s\"",
                                 64, FL_CSTR(args[0])[FUNC_IDX(args[0], i)].ptr);
        }
        int rc = sql_setting_get(db, name, value, sizeof value, NULL, err);
        if (rc == TARN_ERR_NOT_FOUND && missing_ok) {
            memset(err, 0, sizeof *err);
            if (fl_set_null(out, i, err))
                return err->kind;
            continue;
        }
        if (rc || (rc = put_text(out, i, value, err)))
            return rc;
    }
    out->len = n_rows;
    return 0;
}

KERNEL(k_set_config)
{
    tarn_db *db = ctx->settings ? ctx->settings->session : NULL;
    if (!db)
        return no_session(err);
    if (out->validity)
        memset(out->validity, 0xFF, (n_rows + 7) / 8);
    char name[256], value[512];
    for (uint32_t i = 0; i < n_rows; i++) {
        if (!fl_arg_valid(args[0], i))
            return err_set_state(err, TARN_ERR_INVALID, "22004", "SET requires parameter name");
        if (!arg_text(args[0], i, name, sizeof name))
            return err_set_state(err, TARN_ERR_NOT_FOUND, "42704", "unrecognized configuration parameter \"%.*s\"",
                                 64, FL_CSTR(args[0])[FUNC_IDX(args[0], i)].ptr);
        bool has_value = fl_arg_valid(args[1], i);
        if (has_value && !arg_text(args[1], i, value, 256))
            return err_set_state(err, TARN_ERR_INVALID, "22023",
                                 "invalid value for parameter \"%s\": values are limited to 255 bytes", name);
        bool is_local = fl_arg_valid(args[2], i) && VEC_DATA(args[2], uint8_t)[FUNC_IDX(args[2], i)];
        int rc = sql_setting_set(db, name, has_value ? value : NULL, is_local, err);
        if (!rc)
            rc = sql_setting_get(db, name, value, sizeof value, NULL, err);
        if (rc || (rc = put_text(out, i, value, err)))
            return rc;
    }
    out->len = n_rows;
    return 0;
}

#define S TYPE_STRING

const FuncDef func_defs_settings[] = {
    {.name = "current_setting", .kind = FUNC_SCALAR, .n_args = 1, .args = {S}, .ret = S,
     .flags = FUNC_STRICT | FUNC_CONST_ARGS | FUNC_VOLATILE, .scalar = k_current_setting,
     .doc = "the value of a configuration parameter, as SHOW prints it"},
    {.name = "current_setting", .kind = FUNC_SCALAR, .n_args = 2, .args = {S, TYPE_BOOL}, .ret = S,
     .flags = FUNC_STRICT | FUNC_CONST_ARGS | FUNC_VOLATILE, .scalar = k_current_setting,
     .doc = "current_setting(name, missing_ok): NULL for an unknown parameter when missing_ok"},
    {.name = "set_config", .kind = FUNC_SCALAR, .n_args = 3, .args = {S, S, TYPE_BOOL}, .ret = S,
     .flags = FUNC_CONST_ARGS | FUNC_VOLATILE, .scalar = k_set_config,
     .doc = "sets a configuration parameter (is_local: until the transaction ends); returns the new value"},
    {0},
};
