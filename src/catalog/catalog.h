/*
 * catalog.h - schemas, tables and views of a lake, and name resolution.
 *
 * A lake is a directory.  Its layout:
 *
 *   LAKE/<schema>/                      a schema ("public" is created on open)
 *   LAKE/<schema>/<table>/_delta_log/   a table: a Delta table (table/delta)
 *   LAKE/<schema>/<view>/_tarn_view.sql a view: the text of its CREATE VIEW
 *                                       statement (re-parsed on use)
 *
 * Tables and views share one namespace per schema, as relations do in
 * PostgreSQL.  Names are stored as the directory names, exactly (the
 * parser has already folded unquoted identifiers to lower case); a name
 * that cannot be a directory name ('/', NUL, "." or "..", or longer than
 * 255 bytes) is refused with 42602.
 *
 * Errors use PostgreSQL's codes and wording: 42P01 `relation "x" does not
 * exist`, 3F000 `schema "x" does not exist`, 42P07 `relation "x" already
 * exists`, 42P06 `schema "x" already exists`, 2BP01 for a non-empty
 * schema dropped without CASCADE.
 *
 * Directory operations use the local file system (lakes are local
 * directories for now); table data goes through the Storage interface.
 *
 * Thread-safety: a Catalog belongs to one session (tarn_db); the
 * DeltaTable handles it caches are used by that session's statements.
 * Concurrent sessions on the same lake see each other's changes at the
 * next lookup (existence is checked on disk every time).
 */
#ifndef TARN_CATALOG_CATALOG_H
#define TARN_CATALOG_CATALOG_H

#include <stdbool.h>
#include <stdint.h>

#include "storage/storage.h"
#include "table/delta/delta.h"
#include "util/err.h"
#include "util/mem.h"

typedef struct Catalog Catalog;

typedef enum RelKind { REL_TABLE, REL_VIEW } RelKind;

typedef struct CatalogRel {
    RelKind kind;
    char *schema;           /* owned by the catalog */
    char *name;
    DeltaTable *table;      /* REL_TABLE: open handle, owned by the catalog */
    char *view_sql;         /* REL_VIEW: CREATE VIEW text, owned (reloaded per lookup) */
} CatalogRel;

/* Opens (creating) the lake directory and its "public" schema. */
Catalog *catalog_open(const char *lake_dir, TarnError *err);
void catalog_close(Catalog *c);
const char *catalog_root(const Catalog *c);
Storage *catalog_storage(Catalog *c);

/* A statement scope: between begin and end, a schema folder is stat'ed at
 * most once (catalog_schema_exists, lookups) and a cached table whose
 * schema folder did not change since its _delta_log was last seen is found
 * without another stat.  Any change made through this catalog restarts the
 * scope's memo.  Outside a scope every call stats afresh.  stmt_begin /
 * stmt_end (sql_run.c) open and close it; a cursor closes it once bound. */
void catalog_scope_begin(Catalog *c);
void catalog_scope_end(Catalog *c);

/* ---- Schemas ----------------------------------------------------------------- */

bool catalog_schema_exists(Catalog *c, const char *schema);
int catalog_create_schema(Catalog *c, const char *schema, bool if_not_exists, TarnError *err);
/* Drops a schema; with relations inside only when cascade (which drops them). */
int catalog_drop_schema(Catalog *c, const char *schema, bool if_exists, bool cascade, TarnError *err);
/* Names of all schemas / of the relations in a schema, sorted, in arena a. */
int catalog_list_schemas(Catalog *c, Arena *a, char ***names_out, uint32_t *n_out, TarnError *err);
int catalog_list_relations(Catalog *c, const char *schema, Arena *a, char ***names_out,
                           RelKind **kinds_out, uint32_t *n_out, TarnError *err);

/* ---- Relations ----------------------------------------------------------------- */

/* Finds a relation: in `schema` when given, else in the first schema of
 * search_path that has it.  On success *out is borrowed from the catalog
 * (valid until the relation is dropped or the catalog closed).  Absent:
 * TARN_ERR_NOT_FOUND with 42P01 (or 3F000 for a missing explicit schema). */
int catalog_lookup(Catalog *c, const char *schema, const char *name, const char *const *search_path,
                   uint32_t n_path, CatalogRel **out, TarnError *err);

/* The schema new objects go to: `schema` when given (must exist), else the
 * first existing schema of the search path (3F000 "no schema has been
 * selected to create in" when none). */
int catalog_creation_schema(Catalog *c, const char *schema, const char *const *search_path,
                            uint32_t n_path, const char **out, TarnError *err);

/* Creates a Delta table (opts->schema etc. as for delta_create) and
 * returns its relation.  An existing relation of that name is 42P07 unless
 * opts->if_not_exists (then *out is the existing one and *created false). */
int catalog_create_table(Catalog *c, const char *schema, const char *name, const DeltaCreateOptions *opts,
                         CatalogRel **out, bool *created_out, TarnError *err);

/* Stores a view (sql is the whole CREATE VIEW statement text). */
int catalog_create_view(Catalog *c, const char *schema, const char *name, const char *sql, bool replace,
                        TarnError *err);

/* Renames a table or view inside its schema (its directory; data and log
 * are untouched).  42P07 when the new name is taken.  rel is dead after. */
int catalog_rename_relation(Catalog *c, CatalogRel *rel, const char *new_name, TarnError *err);

/* Drops a table (its directory with all data files) or a view. */
int catalog_drop_relation(Catalog *c, CatalogRel *rel, TarnError *err);

/* 0 when name can be a schema/table directory name, else 42602. */
int catalog_check_name(const char *name, TarnError *err);

#endif
