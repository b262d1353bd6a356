/*
 * func_testutil.h - calling SQL function kernels from unit tests the way
 * the executor does (registry lookup, bind, NULL propagation for strict
 * functions, constant arguments), with values written as text.
 *
 * Arguments are strings "TYPE:v1|v2|..." where TYPE is a PostgreSQL type
 * name (text, int2, int4, int8, float4, float8, numeric(p,s), bool, date,
 * time, timestamp, timestamptz, interval, json, bytea, uuid) and each value
 * is its text form or NULL.  An argument with one value and others with
 * more is a constant vector; "TYPE!:v" forces a constant.  Results come
 * back as text joined by '|' (NULL for NULL), or "ERROR <sqlstate>:
 * <message>".  When every argument has one value, the call is made twice -
 * flat, and as constants over three rows - and both must agree.
 *
 * "TYPE:@@v" is one value that may contain '|'.
 * "TYPE:{}" is an argument with no values (an aggregate over no rows).
 * Function names prefixed "op:" are operators ("op:||").
 */
#ifndef TARN_TEST_FUNC_TESTUTIL_H
#define TARN_TEST_FUNC_TESTUTIL_H

#include "sql/func/func.h"

/* Evaluates a scalar function; NULL-terminated argument list.  The result
 * is in a static buffer (valid until the next call). */
const char *tf(const char *name, ...);

/* Evaluates an aggregate over all rows of the arguments (ungrouped),
 * checking that update in two halves + combine gives the same answer. */
const char *tfa(const char *name, ...);

/* Evaluates an aggregate grouped: `groups` is "g1|g2|..." (small integers
 * 0..15, one per row); the result lists each group's value in group
 * order, '|'-joined. */
const char *tfa_grouped(const char *name, const char *groups, ...);

/* Calls a scalar function once for every combination of the arguments'
 * values (each call one row, flat and constant); results are ignored.
 * For robustness tests: a crash or sanitizer report fails the test. */
void tf_cross(const char *name, ...);

/* Session settings used by calls (TimeZone etc.); tests may edit them. */
extern SqlSettings tf_settings;

#endif
