/*
 * err.c - the error object (see err.h).
 */
#include "util/err.h"

#include <stdio.h>
#include <string.h>

static void copy_state(TarnError *err, const char *state)
{
    memcpy(err->sqlstate, state, 5);
    err->sqlstate[5] = '\0';
}

const char *err_default_sqlstate(int kind)
{
    switch (kind) {
    case TARN_OK: return "00000";
    case TARN_ERR_INVALID: return "22023";     /* invalid_parameter_value */
    case TARN_ERR_CORRUPT: return "XX001";     /* data_corrupted */
    case TARN_ERR_UNSUPPORTED: return "0A000"; /* feature_not_supported */
    case TARN_ERR_IO: return "58030";          /* io_error */
    case TARN_ERR_NOMEM: return "53200";       /* out_of_memory */
    case TARN_ERR_NOT_FOUND: return "58P01";   /* undefined_file */
    case TARN_ERR_CONFLICT: return "40001";    /* serialization_failure */
    case TARN_ERR_TYPE: return "22P02";        /* invalid_text_representation */
    case TARN_ERR_SYNTAX: return "42601";      /* syntax_error */
    case TARN_ERR_CANCELED: return "57014";    /* query_canceled */
    default: return "XX000";                   /* internal_error */
    }
}

const char *err_kind_name(int kind)
{
    switch (kind) {
    case TARN_OK: return "ok";
    case TARN_ERR_INVALID: return "invalid";
    case TARN_ERR_CORRUPT: return "corrupt";
    case TARN_ERR_UNSUPPORTED: return "unsupported";
    case TARN_ERR_IO: return "io";
    case TARN_ERR_NOMEM: return "out of memory";
    case TARN_ERR_NOT_FOUND: return "not found";
    case TARN_ERR_CONFLICT: return "conflict";
    case TARN_ERR_TYPE: return "type";
    case TARN_ERR_SYNTAX: return "syntax";
    case TARN_ERR_CANCELED: return "canceled";
    default: return "internal";
    }
}

int err_setv(TarnError *err, int kind, const char *fmt, va_list ap)
{
    if (!err || err->kind != TARN_OK)
        return kind;
    memset(err, 0, sizeof *err);
    err->kind = kind;
    copy_state(err, err_default_sqlstate(kind));
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    return kind;
}

int err_set(TarnError *err, int kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_setv(err, kind, fmt, ap);
    va_end(ap);
    return kind;
}

int err_set_state(TarnError *err, int kind, const char *sqlstate, const char *fmt, ...)
{
    if (!err || err->kind != TARN_OK)
        return kind;
    va_list ap;
    va_start(ap, fmt);
    err_setv(err, kind, fmt, ap);
    va_end(ap);
    if (sqlstate && strlen(sqlstate) == 5)
        copy_state(err, sqlstate);
    return kind;
}

void err_detail(TarnError *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->detail, sizeof err->detail, fmt, ap);
    va_end(ap);
}

void err_hint(TarnError *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->hint, sizeof err->hint, fmt, ap);
    va_end(ap);
}

int err_context(TarnError *err, const char *fmt, ...)
{
    if (!err)
        return TARN_ERR_INTERNAL;
    size_t used = strlen(err->context);
    if (used + 2 < sizeof err->context) {
        if (used)
            err->context[used++] = '\n';
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->context + used, sizeof err->context - used, fmt, ap);
        va_end(ap);
    }
    return err->kind;
}

void err_clear(TarnError *err)
{
    /* every text field is a NUL-terminated string: emptying them is enough
     * (the whole struct is 2.3 KB and this runs several times per statement) */
    if (!err)
        return;
    err->kind = 0;
    memset(err->sqlstate, 0, sizeof err->sqlstate);
    err->message[0] = 0;
    err->detail[0] = 0;
    err->hint[0] = 0;
    err->position = 0;
    err->context[0] = 0;
}

const char *tarn_version(void)
{
    return TARN_VERSION;
}

char *tarn_error_format(const tarn_error *err, char *buf, size_t cap)
{
    if (!cap)
        return buf;
    size_t n = 0;
#define PUT(...)                                                        \
    do {                                                                \
        if (n < cap) {                                                  \
            int w_ = snprintf(buf + n, cap - n, __VA_ARGS__);           \
            if (w_ > 0)                                                 \
                n += (size_t)w_;                                        \
        }                                                               \
    } while (0)
    PUT("ERROR:  %s", err->message);
    if (err->detail[0])
        PUT("\nDETAIL:  %s", err->detail);
    if (err->hint[0])
        PUT("\nHINT:  %s", err->hint);
    if (err->context[0]) {
        /* Context lines are stored innermost first; print each on its own line. */
        const char *p = err->context;
        while (*p) {
            const char *e = strchr(p, '\n');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            PUT("\nCONTEXT:  %.*s", (int)len, p);
            p += len;
            if (*p == '\n')
                p++;
        }
    }
#undef PUT
    if (n >= cap)
        buf[cap - 1] = '\0';
    return buf;
}
