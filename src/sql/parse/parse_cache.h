/*
 * parse_cache.h - libpg_query's protobuf parse results, cached by SQL text.
 *
 * pg_query_parse_protobuf parses and then serializes the whole tree; for a
 * small statement that is most of the cost of parsing, and drivers using
 * the extended protocol send the same text again and again (a Parse
 * message per execution).  The output depends on the text alone, so the
 * serialized tree of a successful parse is kept (process-wide, bounded:
 * PARSE_CACHE_MAX entries of texts up to PARSE_CACHE_MAX_SQL bytes; full
 * means cleared) and copied out on the next parse of the same text.
 * Errors are not cached.  Thread-safe.
 */
#ifndef TARN_SQL_PARSE_PARSE_CACHE_H
#define TARN_SQL_PARSE_PARSE_CACHE_H

#include <pg_query.h>

#define PARSE_CACHE_MAX 1024
#define PARSE_CACHE_MAX_SQL 4096

/* Like pg_query_parse_protobuf; free the result with parse_cached_free. */
PgQueryProtobufParseResult parse_cached(const char *sql);
void parse_cached_free(PgQueryProtobufParseResult r);

#endif
