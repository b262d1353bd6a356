/*
 * err.h - the error object that travels up every fallible call in tarn.
 *
 * Modeled on PostgreSQL's ereport fields: a kind, a SQLSTATE, a one-line
 * primary message, optional detail and hint, a position in SQL text, and a
 * context chain ("reading \"x.parquet\"", "column \"a\"") that callers add on
 * the way up.  The first error set wins; later err_set calls on an error that
 * is already set are ignored, so the root cause is never overwritten.
 *
 * Fallible functions return int rc (0 = ok, else the error kind) or a pointer
 * (NULL = failed) and take `TarnError *err` as their last parameter.  The
 * library never aborts or exits on bad input.
 *
 * Thread-safety: a TarnError belongs to one thread at a time.
 */
#ifndef TARN_UTIL_ERR_H
#define TARN_UTIL_ERR_H

#include "tarn.h"

#include <stdarg.h>

typedef tarn_error TarnError;

/* Error kinds (same numbers as the public TARN_ERR_* in tarn.h). */
#define ERR_OK TARN_OK

/* Sets the error if none is set yet.  Returns kind, so that
 * `return err_set(err, TARN_ERR_CORRUPT, "...")` reads naturally.
 * `err` may be NULL (the error is then dropped). */
int err_set(TarnError *err, int kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int err_setv(TarnError *err, int kind, const char *fmt, va_list ap);

/* Like err_set, with a SQLSTATE (5 characters). */
int err_set_state(TarnError *err, int kind, const char *sqlstate, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Adds a detail sentence / a hint to the current error (replaces any earlier). */
void err_detail(TarnError *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void err_hint(TarnError *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends a context line ("while ...") to the chain.  Returns err->kind so
 * that `return err_context(err, "reading \"%s\"", path);` propagates. */
int err_context(TarnError *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Resets to "no error". */
void err_clear(TarnError *err);

/* The SQLSTATE matching a kind when none was given ("XX000" for internal). */
const char *err_default_sqlstate(int kind);

/* A short lower-case name of the kind: "corrupt", "unsupported", "io" ... */
const char *err_kind_name(int kind);

/* Internal invariant violated: returns TARN_ERR_INTERNAL naming file:line. */
#define ERR_INTERNAL(err, what) \
    err_set((err), TARN_ERR_INTERNAL, "internal error: %s (%s:%d)", (what), __FILE__, __LINE__)

/* Out of memory, with the number of bytes wanted. */
#define ERR_NOMEM(err, n) \
    err_set((err), TARN_ERR_NOMEM, "out of memory (allocating %zu bytes)", (size_t)(n))

#endif
