/*
 * json_parse.h - a JSON (RFC 8259) parser that builds a tree in an Arena.
 *
 * Used by the NDJSON reader and, later, by the Delta log reader.  The whole
 * tree (nodes, member arrays, unescaped strings) lives in the caller's
 * Arena and dies with it; `raw` spans point into the input text and are
 * valid only while that text is.
 *
 * Numbers: an integer literal (no fraction, no exponent) that fits int64 is
 * JSON_INT with its exact value; every other number is JSON_DOUBLE, rounded
 * correctly (beyond the double range it becomes +-Infinity or 0).  Strings
 * are unescaped (\uXXXX including surrogate pairs, to UTF-8) and must be
 * valid UTF-8; they are NUL-terminated copies, and may contain NUL bytes
 * from \u0000, so use len.  Objects keep every member in document order;
 * duplicate keys are kept too (json_object_get returns the last, like
 * PostgreSQL's jsonb).
 *
 * Limits: nesting deeper than JSON_MAX_DEPTH is an error, as are inputs
 * whose strings or containers exceed UINT32_MAX entries.  Errors are
 * TARN_ERR_CORRUPT (SQLSTATE 22P02) "invalid JSON at line L, column C:
 * what", never a crash.  Thread-safety: no shared state.
 */
#ifndef TARN_FORMAT_JSON_JSON_PARSE_H
#define TARN_FORMAT_JSON_JSON_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/mem.h"

#define JSON_MAX_DEPTH 256

typedef enum JsonType {
    JSON_NULL = 0,
    JSON_BOOL,
    JSON_INT,
    JSON_DOUBLE,
    JSON_STRING,
    JSON_ARRAY,
    JSON_OBJECT
} JsonType;

typedef struct JsonNode JsonNode;
typedef struct JsonMember JsonMember;

struct JsonNode {
    JsonType type;
    uint32_t len;            /* STRING: bytes; ARRAY: items; OBJECT: members */
    union {
        bool b;              /* BOOL */
        int64_t i;           /* INT */
        double d;            /* DOUBLE */
        const char *str;     /* STRING: in the arena, NUL-terminated */
        JsonNode *items;     /* ARRAY: len nodes, in the arena */
        JsonMember *members; /* OBJECT: len members, in the arena */
    } u;
    const char *raw;         /* the value's text in the input (borrowed) */
    uint32_t raw_len;
};

struct JsonMember {
    const char *key;         /* in the arena, NUL-terminated */
    uint32_t key_len;
    JsonNode value;
};

/* Parses text[0..len) as one JSON value (surrounding whitespace allowed)
 * into a tree allocated in `a`; *out is set on success. */
int json_parse(Arena *a, const char *text, size_t len, JsonNode **out, TarnError *err);

/* Like json_parse, numbering lines in error messages from first_line (the
 * NDJSON reader passes the line's number in its file). */
int json_parse_at(Arena *a, const char *text, size_t len, int64_t first_line, JsonNode **out,
                  TarnError *err);

/* The last member of obj named key (key_len bytes), or NULL; NULL when obj
 * is not an object. */
const JsonNode *json_object_get(const JsonNode *obj, const char *key, size_t key_len);

/* Appends n as compact JSON text (strings re-escaped). */
int json_write_node(const JsonNode *n, Buf *out);

#endif
