/*
 * ast.h - tarn's own syntax tree for SQL statements.
 *
 * The parser (parse.c) runs libpg_query (PostgreSQL's own grammar) and
 * translates its protobuf tree into these nodes, keeping only what tarn
 * uses and normalising PostgreSQL's spellings: `x BETWEEN a AND b`, `x IN
 * (...)`, `x LIKE p` and friends get their own node kinds; function and
 * type names lose the pg_catalog qualifier; identifiers arrive folded and
 * unquoted as PostgreSQL folds them.  Nothing here is bound: names are
 * strings, types are names.  The binder (sql/bind/) resolves them.
 *
 * Every node carries `loc`, the byte offset of its first character in the
 * statement text (-1 when unknown); errors report it as a 1-based
 * character position, as PostgreSQL does.
 *
 * Memory: every node, list and string lives in the Arena given to
 * sql_parse; the tree dies with it.
 */
#ifndef TARN_SQL_PARSE_AST_H
#define TARN_SQL_PARSE_AST_H

#include <stdbool.h>
#include <stdint.h>

typedef struct AstNode AstNode;
typedef struct AstSelect AstSelect;

typedef struct AstList {
    uint32_t n;
    AstNode **items;
} AstList;

typedef enum AstKind {
    /* ---- expressions ---- */
    AST_CONST,          /* literal */
    AST_COLUMN_REF,     /* a, t.a, s.t.a, t.*, * */
    AST_PARAM,          /* $n */
    AST_OP,             /* binary or unary operator by name: + - * / = ~~ || ... */
    AST_AND,
    AST_OR,
    AST_NOT,
    AST_FUNC,           /* f(args) incl. aggregates */
    AST_CAST,           /* CAST(x AS t), x::t, type 'literal' */
    AST_CASE,
    AST_COALESCE,
    AST_GREATEST,
    AST_LEAST,
    AST_NULLIF,
    AST_NULL_TEST,      /* IS [NOT] NULL */
    AST_BOOL_TEST,      /* IS [NOT] TRUE / FALSE / UNKNOWN */
    AST_DISTINCT_FROM,  /* IS [NOT] DISTINCT FROM */
    AST_IN_LIST,        /* x [NOT] IN (a, b, ...) */
    AST_BETWEEN,        /* x [NOT] BETWEEN [SYMMETRIC] a AND b */
    AST_SUBLINK,        /* (SELECT ...), EXISTS, x IN (SELECT), x op ANY/ALL (SELECT) */
    AST_SQLVALUE,       /* CURRENT_DATE, CURRENT_TIMESTAMP, ... */
    AST_ARRAY,          /* ARRAY[...] (for IN lists / ANY) */
    /* ---- FROM items ---- */
    AST_RANGE_VAR,      /* [schema.]table [AS alias(cols)] */
    AST_RANGE_SUBSELECT,
    AST_RANGE_FUNCTION, /* read_parquet('...') AS t */
    AST_JOIN,
    /* ---- clause pieces ---- */
    AST_RES_TARGET,     /* expr [AS name] in a select list / SET col = expr */
    AST_SORT_BY,
    AST_TYPE_NAME,
    AST_COLUMN_DEF,
    AST_DEF_ELEM,       /* name = value in WITH (...) and option lists */
    AST_CTE,
    AST_SELECT,         /* a nested SELECT (sublinks, subqueries) */
    AST_GROUPING_SET,   /* GROUP BY item: (), (a, b), ROLLUP(...), CUBE(...), GROUPING SETS(...) */
    AST_WINDOW_DEF,     /* OVER (...) / WINDOW w AS (...): u.windef */
    AST_GROUPING_FUNC,  /* GROUPING(a, b, ...): u.list.args */
    AST_SUBSCRIPT,      /* arr[i], arr[lo:hi], (rec).field: u.subscript */
    AST_ANY_ARRAY,      /* x op ANY/ALL (array expression): u.anyarr */
} AstKind;

typedef enum AstGroupingKind { GSET_EMPTY, GSET_SIMPLE, GSET_ROLLUP, GSET_CUBE, GSET_SETS } AstGroupingKind;

typedef enum AstConstKind { CONST_NULL, CONST_INT, CONST_NUMERIC, CONST_STRING, CONST_BOOL, CONST_BITS } AstConstKind;
typedef enum AstSubLinkKind { SUBLINK_SCALAR, SUBLINK_EXISTS, SUBLINK_ANY, SUBLINK_ALL, SUBLINK_ARRAY } AstSubLinkKind;
typedef enum AstJoinKind { AJOIN_INNER, AJOIN_LEFT, AJOIN_RIGHT, AJOIN_FULL, AJOIN_CROSS } AstJoinKind;
typedef enum AstSetOp { SETOP_NONE, SETOP_UNION, SETOP_INTERSECT, SETOP_EXCEPT } AstSetOp;
typedef enum AstBoolTest { BTEST_TRUE, BTEST_NOT_TRUE, BTEST_FALSE, BTEST_NOT_FALSE, BTEST_UNKNOWN, BTEST_NOT_UNKNOWN } AstBoolTest;
typedef enum AstSqlValue {
    SQLV_CURRENT_DATE, SQLV_CURRENT_TIME, SQLV_CURRENT_TIMESTAMP, SQLV_LOCALTIME, SQLV_LOCALTIMESTAMP,
    SQLV_CURRENT_USER, SQLV_CURRENT_SCHEMA, SQLV_CURRENT_CATALOG
} AstSqlValue;

struct AstNode {
    AstKind kind;
    int loc;
    union {
        struct { AstConstKind kind; const char *text; int64_t ival; bool bval; } cnst; /* text: numeric digits / string */
        struct { uint32_t n; const char **names; bool star; } colref;   /* star: last part is * */
        struct { int number; } param;
        struct { const char *name; AstNode *left, *right; } op;          /* left NULL: prefix operator */
        struct { AstList args; } boolop;                                 /* AND / OR (n-ary), NOT (1) */
        struct {
            uint32_t n_names; const char **names;                          /* schema-qualified name parts */
            AstList args;
            bool star, distinct, variadic;
            bool within_group;                                             /* order_by: WITHIN GROUP's (AST_SORT_BY), its
                                                                            * expressions already appended to args */
            AstList order_by;                                              /* aggregate ORDER BY */
            AstNode *filter;
            AstNode *over;                                                 /* window spec (reserved) */
            AstList arg_names;                                             /* named args (name => v): const strings */
        } func;
        struct { AstNode *arg; AstNode *type; } cast;
        struct { AstNode *arg; AstList whens; AstList thens; AstNode *else_; } kase;
        struct { AstList args; } list;                                     /* COALESCE/GREATEST/LEAST/NULLIF/ARRAY */
        struct { AstNode *arg; bool is_not; } nulltest;
        struct { AstNode *arg; AstBoolTest test; } booltest;
        struct { AstNode *left, *right; bool is_not; } distinct;
        struct { AstNode *arg; AstList items; bool negated; } in;
        struct { AstNode *arg, *lo, *hi; bool negated, symmetric; } between;
        struct { AstSubLinkKind kind; AstNode *test; const char *op; AstSelect *select; } sublink;
        struct { AstSqlValue op; int precision; } sqlvalue;
        struct { const char *schema, *name; const char *alias; AstList col_aliases; } rangevar;
        struct { AstSelect *select; const char *alias; AstList col_aliases; bool lateral; } subselect;
        struct { AstNode *func; const char *alias; AstList col_aliases; bool lateral, ordinality; } rangefunc;
        struct {
            AstJoinKind kind; AstNode *left, *right; AstNode *on;
            uint32_t n_using; const char **using_cols; bool natural; const char *alias;
        } join;
        struct { const char *name; AstNode *val; uint32_t n_indirection; } target;
        struct { AstNode *expr; int dir; int nulls; } sortby;            /* dir: 0 default, 1 asc, 2 desc; nulls: 0 default, 1 first, 2 last */
        struct { const char *name; uint32_t n_mods; int32_t mods[4]; int array_dims; } typname; /* lower-case PG name: int4, numeric, varchar, timestamptz... */
        struct { const char *name; AstNode *type; bool not_null; bool primary_key; AstNode *default_expr; } coldef;
        struct { const char *name; AstNode *arg; const char *str; } defelem; /* str: arg as text when it is a name/string/number */
        struct { const char *name; AstList col_names; AstSelect *select; bool recursive; int materialized; } cte;
        struct { AstSelect *select; } select;
        struct { AstGroupingKind kind; AstList items; } gset;             /* items: exprs / AST_GROUPING_SET */
        struct {
            const char *name, *refname;                                    /* WINDOW name AS; OVER (refname ...) / OVER refname */
            AstList partition, order;                                      /* order: AST_SORT_BY */
            int32_t frame_options;                                         /* PostgreSQL's FRAMEOPTION_* bits */
            AstNode *start_off, *end_off;
        } windef;
        struct { AstNode *arg; AstNode *lo, *hi; bool slice; const char *field; } subscript; /* field: (x).field */
        struct { const char *name; AstNode *left, *right; bool all; } anyarr;
    } u;
};

struct AstSelect {
    int loc;
    /* WITH */
    AstList ctes;           /* AST_CTE */
    bool recursive;
    /* set operation (op != SETOP_NONE: larg/rarg set, the simple fields empty) */
    AstSetOp op;
    bool all;
    AstSelect *larg, *rarg;
    /* simple SELECT */
    bool distinct;
    AstList distinct_on;
    AstList targets;        /* AST_RES_TARGET */
    AstList from;           /* FROM items */
    AstNode *where;
    AstList group_by;
    bool group_distinct;    /* GROUP BY DISTINCT: duplicate grouping sets removed */
    AstNode *having;
    AstList values;         /* VALUES: each item an AST_ARRAY-like list node (kind AST_ARRAY) */
    AstList windows;        /* WINDOW clause: AST_WINDOW_DEF with names */
    /* applies to the whole (set op) select */
    AstList order_by;       /* AST_SORT_BY */
    AstNode *limit, *offset;
    bool with_ties;
};

typedef enum AstStmtKind {
    STMT_SELECT,
    STMT_INSERT,
    STMT_UPDATE,
    STMT_DELETE,
    STMT_CREATE_TABLE,
    STMT_CREATE_TABLE_AS,
    STMT_CREATE_SCHEMA,
    STMT_CREATE_VIEW,
    STMT_DROP,
    STMT_COPY,
    STMT_EXPLAIN,
    STMT_SET,
    STMT_SHOW,
    STMT_RESET,
    STMT_TRANSACTION,
    STMT_TRUNCATE,
    STMT_MERGE,
    STMT_ALTER_TABLE,
    STMT_PREPARE,           /* PREPARE name [(types)] AS stmt (sql_prepare.c) */
    STMT_EXECUTE,           /* EXECUTE name [(args)] */
    STMT_DEALLOCATE,        /* DEALLOCATE [PREPARE] name | ALL */
} AstStmtKind;

/* One WHEN clause of MERGE. */
typedef enum AstMergeAction { MERGE_DO_UPDATE, MERGE_DO_DELETE, MERGE_DO_INSERT, MERGE_DO_NOTHING } AstMergeAction;
typedef struct AstMergeWhen {
    bool matched;
    AstMergeAction action;
    AstNode *cond;          /* AND ...; NULL = none */
    AstList targets;        /* UPDATE: AST_RES_TARGET (name = val); INSERT: AST_RES_TARGET names */
    AstList values;         /* INSERT VALUES (...); empty = DEFAULT VALUES */
    int loc;
} AstMergeWhen;

/* One ALTER TABLE command (ALTER TABLE ... RENAME [COLUMN] arrives as one too). */
typedef enum AstAlterKind {
    ALTER_ADD_COLUMN, ALTER_DROP_COLUMN, ALTER_RENAME_COLUMN, ALTER_RENAME_TABLE, ALTER_SET_NOT_NULL,
    ALTER_DROP_NOT_NULL, ALTER_COLUMN_TYPE
} AstAlterKind;
typedef struct AstAlterCmd {
    AstAlterKind kind;
    const char *name;       /* the column (not for RENAME TABLE / ADD COLUMN) */
    const char *new_name;   /* RENAME */
    AstNode *def;           /* ADD COLUMN: AST_COLUMN_DEF; COLUMN TYPE: AST_TYPE_NAME */
    AstNode *using_;        /* COLUMN TYPE ... USING expr (NULL = none) */
    bool missing_ok;        /* IF EXISTS / IF NOT EXISTS of the command */
    int loc;
} AstAlterCmd;

typedef enum AstDropKind { DROP_TABLE, DROP_SCHEMA, DROP_VIEW } AstDropKind;
typedef enum AstTxnKind { TXN_BEGIN, TXN_COMMIT, TXN_ROLLBACK, TXN_SAVEPOINT, TXN_RELEASE, TXN_ROLLBACK_TO } AstTxnKind;

typedef struct AstStmt AstStmt;
struct AstStmt {
    AstStmtKind kind;
    int loc, len;           /* the statement's bytes in the text */
    union {
        AstSelect *select;
        struct { AstNode *table; AstList columns; AstSelect *select; AstList returning; } insert; /* table: AST_RANGE_VAR; columns: const char* in AST_COLUMN_REF nodes */
        struct { AstNode *table; AstList set; AstList from; AstNode *where; AstList returning; AstList ctes; bool recursive; } update;
        struct { AstNode *table; AstList using_; AstNode *where; AstList returning; AstList ctes; bool recursive; } del; /* ctes: WITH (AST_CTE) */
        struct { AstNode *table; AstList columns; AstList options; bool if_not_exists; } create_table;  /* columns: AST_COLUMN_DEF */
        struct { AstNode *table; AstList col_names; AstSelect *select; AstList options; bool if_not_exists; bool is_view; bool with_no_data; } ctas;
        struct { const char *name; bool if_not_exists; } create_schema;
        struct { AstNode *view; AstList col_names; AstSelect *select; bool replace; } create_view;
        struct { AstDropKind kind; AstList names; bool if_exists, cascade; } drop;            /* names: AST_RANGE_VAR */
        struct { AstNode *table; AstSelect *query; AstList columns; bool is_from; const char *file; AstList options; } copy;
        struct { AstStmt *stmt; bool analyze, verbose; } explain;
        struct { const char *name; AstList args; bool is_local, to_default; } set;            /* args: AST_CONST */
        struct { const char *name; } show;
        struct { const char *name; bool all; } reset;
        struct { AstTxnKind kind; const char *savepoint; } txn; /* savepoint: SAVEPOINT / RELEASE / ROLLBACK TO */
        struct { AstList tables; } truncate;
        struct { AstNode *table; AstList add_columns; bool if_exists, col_if_not_exists; struct AstAlterCmd *cmds; uint32_t n_cmds; } alter;  /* add_columns: AST_COLUMN_DEF of the ADD COLUMN commands; cmds: every command in order */
        struct { AstNode *table; AstNode *source; AstNode *on; AstMergeWhen *whens; uint32_t n_whens; } merge;
        struct { const char *name; AstList types; AstStmt *stmt; } prepare;   /* types: AST_TYPE_NAME */
        struct { const char *name; AstList args; } execute;
        struct { const char *name; } deallocate;                            /* name NULL = ALL */
    } u;
};

typedef struct AstStmtList {
    uint32_t n;
    AstStmt **stmts;
} AstStmtList;

#endif
