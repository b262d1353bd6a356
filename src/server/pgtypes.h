/*
 * pgtypes.h - PostgreSQL binary formats of the common types, for the
 * server's Bind parameters (binary -> the text tarn_stmt_execute takes)
 * and result columns (a tarn_batch value -> binary DataRow field).
 *
 * Types with a binary form here: bool, int2, int4, int8, float4, float8,
 * text, varchar, bpchar, name, json, jsonb, bytea, date, time, timestamp,
 * timestamptz, numeric, uuid, oid.  Others are text only (PostgreSQL's
 * 42883 "no binary input/output function available for type ...").
 */
#ifndef TARN_SERVER_PGTYPES_H
#define TARN_SERVER_PGTYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "server/pgproto.h"
#include "tarn.h"
#include "util/mem.h"

/* typlen of a type OID for RowDescription (-1 = variable). */
int16_t pgt_typlen(uint32_t oid);
/* PostgreSQL's name of a type OID ("integer"), for messages. */
const char *pgt_type_name(uint32_t oid);
bool pgt_has_binary(uint32_t oid);

/* Decodes a binary parameter value of type oid into its text form in out
 * (NUL-terminated).  22P03 "incorrect binary data format in bind
 * parameter N" on a bad length or value; 42883 for types without one. */
int pgt_binary_to_text(uint32_t oid, const uint8_t *p, uint32_t len, int param_no, Buf *out, TarnError *err);

/* Appends value (row, col) of b, of type oid, as a binary DataRow field
 * (int32 length + bytes) to w; the value is not NULL. */
int pgt_write_binary(PgWriteBuf *w, const tarn_batch *b, int64_t row, int col, uint32_t oid, TarnError *err);

/* numeric text ("-12.50", "NaN", "Infinity") -> binary, appended to out.
 * Exposed for tests. */
int pgt_numeric_text_to_binary(const char *s, size_t len, Buf *out);

#endif
