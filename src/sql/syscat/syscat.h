/*
 * syscat.h - PostgreSQL's system catalogs (pg_catalog) and the
 * information_schema views, emulated over tarn's catalog.
 *
 * Clients (psql's \d, JDBC's DatabaseMetaData, psycopg2, Grafana, DBeaver,
 * Metabase) read the catalog with ordinary queries.  tarn answers them from
 * a *model*: a snapshot of the session's catalog taken when a statement
 * first refers to a system relation or to a function that needs it
 * (schemas, relations with their columns, types, nullability, file sizes,
 * the current user).  Each system relation is a fixed column list
 * (syscat_defs.c, generated from PostgreSQL 15 by tools/gen_syscat.py) and
 * an optional generator that writes its rows from the model; relations
 * without a generator are empty (tarn has no indexes, constraints,
 * triggers, policies, ...).  The binder (bind/bind_syscat.c) turns a
 * reference into constant rows (LOP_VALUES); func/func_syscat.c has the
 * catalog functions (format_type, pg_table_is_visible, ...).
 *
 * OIDs: system relations, pg_catalog (11), public (2200),
 * information_schema (13207), types and the bootstrap role (10) have
 * PostgreSQL's own OIDs; user schemas and relations get a stable hash of
 * their name in [16384, 2^31) (collisions are probed away in name order,
 * so a lake's OIDs are stable while its names are).  OIDs are bigint
 * values here (tarn has no unsigned 32-bit type).
 */
#ifndef TARN_SQL_SYSCAT_SYSCAT_H
#define TARN_SQL_SYSCAT_SYSCAT_H

#include <stdbool.h>
#include <stdint.h>

#include "util/mem.h"
#include "vector/types.h"
#include "vector/value.h"

/* Storage type of a system column (PostgreSQL's type -> tarn's). */
enum {
    SC_OID = 0,   /* oid, regclass, regtype, regproc, xid: bigint */
    SC_NAME,      /* name, sql_identifier: text */
    SC_TEXT,      /* text, varchar, pg_node_tree and types tarn lacks (inet, pg_lsn, ...) */
    SC_CHAR,      /* "char": text of one byte */
    SC_BOOL,
    SC_INT2,
    SC_INT4,
    SC_INT8,
    SC_FLOAT4,
    SC_FLOAT8,
    SC_TIMESTAMPTZ,
    SC_INTERVAL,
    SC_OID_ARR,   /* oid[], oidvector, regtype[] */
    SC_INT2_ARR,  /* int2[], int2vector */
    SC_TEXT_ARR,  /* text[], name[], "char"[], aclitem[] */
    SC_FLOAT4_ARR,
    SC_INT4_ARR,
    SC_VARCHAR,   /* varchar without length (information_schema's character_data, yes_or_no) */
};

typedef struct SysColDef {
    const char *name;
    uint8_t type;     /* SC_* */
    uint32_t pgtype;  /* PostgreSQL type OID (pg_attribute.atttypid) */
    int32_t typmod;
} SysColDef;

typedef struct SysRelDef {
    const char *schema, *name;
    uint32_t oid;
    char kind;        /* 'r' table, 'v' view */
    const SysColDef *cols;
    uint32_t n_cols;
} SysRelDef;

extern const SysRelDef syscat_rel_defs[]; /* ends with {0} */

#define SYSCAT_NSP_PG_CATALOG 11u
#define SYSCAT_NSP_PUBLIC 2200u
#define SYSCAT_NSP_INFO_SCHEMA 13207u
#define SYSCAT_ROLE_BOOTSTRAP 10u
#define SYSCAT_DATABASE_OID 16383u

/* The definition of schema.name (schema NULL: pg_catalog only, as an
 * unqualified name finds pg_catalog first); NULL when there is none. */
const SysRelDef *syscat_find(const char *schema, const char *name);
/* True for "pg_catalog" and "information_schema". */
bool syscat_is_system_schema(const char *schema);

/* The logical type of a storage code (arrays: LIST types, in arena a). */
int syscat_col_type(Arena *a, uint8_t sc, LogicalType *out);

/* ---- the model ------------------------------------------------------------------------ */

typedef struct SysAttr {
    const char *name;
    uint32_t typoid;  /* PostgreSQL type OID */
    int32_t typmod;
    bool notnull;
    bool dropped;     /* never set: tarn has no dropped-column slots */
} SysAttr;

typedef struct SysRel {
    uint32_t oid, nsp_oid;
    const char *schema, *name;
    char kind;               /* 'r' table, 'v' view */
    SysAttr *attrs;
    uint32_t n_attrs;
    bool attrs_known;        /* views: false when the definition did not bind */
    int64_t bytes;           /* data files of the latest snapshot (tables) */
    int64_t rows;            /* from file statistics; -1 unknown */
    const char *view_sql;    /* views: the query of the definition (after AS) */
    const char *create_sql;  /* views: the whole CREATE VIEW statement */
    const SysRelDef *def;    /* system relations */
} SysRel;

typedef struct SysNsp {
    uint32_t oid;
    const char *name;
} SysNsp;

typedef struct SysRole {
    uint32_t oid;
    const char *name;
    bool login, super;
} SysRole;

typedef struct SysModel {
    SysNsp *nsps;
    uint32_t n_nsps;
    SysRel *rels;            /* user relations, then the system ones */
    uint32_t n_rels;
    SysRole *roles;          /* [0] is the session user (oid 10) */
    uint32_t n_roles;
    const char *database;    /* current_database() */
    const char *const *search_path; /* existing schemas, in order (without pg_catalog) */
    uint32_t n_path;
    bool with_columns;       /* attrs of views were resolved */
    const struct SqlSettings *settings;
} SysModel;

/* Stable OID of a user object name ("schema" or "schema.rel"). */
uint32_t syscat_name_oid(const char *key);

/* Lookups (NULL when absent). */
const SysRel *syscat_rel_by_oid(const SysModel *m, int64_t oid);
const SysRel *syscat_rel_by_name(const SysModel *m, const char *schema, const char *name);
const SysNsp *syscat_nsp_by_oid(const SysModel *m, int64_t oid);
const SysNsp *syscat_nsp_by_name(const SysModel *m, const char *name);
const SysRole *syscat_role_by_oid(const SysModel *m, int64_t oid);
const SysRole *syscat_role_by_name(const SysModel *m, const char *name);
/* First relation of that name along pg_catalog + search_path. */
const SysRel *syscat_rel_visible(const SysModel *m, const char *name);
bool syscat_rel_is_visible(const SysModel *m, const SysRel *r);

/* ---- types ------------------------------------------------------------------------------ */

typedef struct SysType {
    uint32_t oid;
    const char *name;        /* pg_type.typname */
    const char *sql;         /* format_type() spelling without typmod */
    int16_t len;
    char category;           /* typcategory */
    bool byval;
    uint32_t elem, array;    /* element type of an array type / array type of a base type */
    char align;
    bool preferred;
    char typtype;            /* 'b' base, 'p' pseudo, 'r' range, 'm' multirange */
    uint32_t collation;
    char delim, storage;
    uint32_t input_oid;      /* typinput / typoutput: PostgreSQL's function OIDs and names */
    const char *input;
    uint32_t output_oid;
    const char *output;
} SysType;

typedef struct SysKeyword {
    const char *word;
    char catcode;            /* U unreserved, C column name, T type or function name, R reserved */
    bool barelabel;
} SysKeyword;
extern const SysKeyword syscat_keywords[];
extern const uint32_t syscat_n_keywords;
/* pg_get_keywords() as a FROM item: a relation-like definition. */
extern const SysRelDef syscat_keywords_def;

extern const SysType syscat_types[];
extern const uint32_t syscat_n_types;
const SysType *syscat_type_by_oid(int64_t oid);
const SysType *syscat_type_by_name(const char *name);
/* PostgreSQL type OID and typmod of a tarn column type. */
void syscat_type_of(const LogicalType *t, uint32_t *oid, int32_t *typmod);
/* format_type(oid, typmod) into buf; false for an unknown oid. */
bool syscat_format_type(int64_t oid, int64_t typmod, bool have_typmod, char *buf, size_t cap);

/* ---- rows ------------------------------------------------------------------------------- */

/* Rows of one system relation: Values (strings point into arena memory)
 * in column order; arrays are given as their PostgreSQL text form
 * (is_array_text[c]) and cast by the binder. */
typedef struct SysRows {
    Arena *a;
    const SysRelDef *def;
    Value *vals;             /* n_rows * def->n_cols */
    uint32_t n_rows, cap;
    uint32_t col;            /* next column of the row being written */
    int nomem;
} SysRows;

/* Fills out with the rows of def from the model; TARN_ERR_NOMEM on failure. */
int syscat_rows(const SysModel *m, const SysRelDef *def, SysRows *out);

/* pg_proc.oid of a registry function. */
struct FuncDef;
uint32_t syscat_proc_oid(const struct FuncDef *f);

/* The model of the statement being bound, published by the binder while
 * a catalog function's call is bound (bind_syscat.c; func_syscat.c). */
extern __thread const SysModel *syscat_bind_model;

#endif
