/*
 * func.h - the SQL function registry: scalar functions, operators and
 * aggregate functions, with vectorized kernels.
 *
 * Everything callable from SQL by name - `lower(x)`, `x + y`, `x = y`,
 * `count(*)`, `sum(x)` - is a FuncDef in one registry, looked up by name,
 * kind and argument types.  The binder (src/sql/bind/) resolves a call the
 * way PostgreSQL does (exact match, then implicit casts with PostgreSQL's
 * type categories and preferred types, unknown-typed literals adopting the
 * other operand's type), then asks the FuncDef for its result type.  The
 * executor calls the kernel once per batch (~2048 rows): no per-row
 * function-pointer calls, no per-value allocation.
 *
 * ---- Adding a function (the whole recipe) --------------------------------
 *
 *  1. Write a file src/sql/func/func_<area>.c (func_string.c, func_math.c,
 *     func_datetime.c ...) that defines a table
 *
 *         const FuncDef func_defs_<area>[] = {
 *             {.name = "lower", .kind = FUNC_SCALAR, .n_args = 1,
 *              .args = {TYPE_STRING}, .ret = TYPE_STRING,
 *              .flags = FUNC_STRICT, .scalar = lower_kernel},
 *             ...
 *             {0}                               <- terminator (name == NULL)
 *         };
 *
 *  2. Add one line FUNC_MODULE(<area>) to src/sql/func/func_list.h.
 *  3. Write tests: tests/sql/func/<area>.test (and C tests if useful).
 *
 * Names are lower case (SQL identifiers are folded by the parser).
 * Several FuncDefs may share a name (overloads): one per argument type
 * list.  Register the signatures PostgreSQL has (see \df in psql); the
 * binder inserts implicit casts, so `abs(smallint)` needs no entry when
 * `abs(integer)` exists - but results must match PostgreSQL's (abs(int2)
 * returns smallint in PG, so register it when the type differs).
 *
 * ---- Vectors inside kernels ---------------------------------------------
 *
 *  - args[k] holds n_rows values of the resolved argument type, or, when
 *    args[k]->is_const, ONE value (index 0) that stands for every row.
 *    Kernels that do not want to deal with constants leave out
 *    FUNC_CONST_ARGS: the executor then expands constants to flat vectors
 *    first (cheap, but a wasted pass).  Use FUNC_IDX(v, i) / the
 *    FUNC_LOOP1/FUNC_LOOP2 macros below to write one loop body for all
 *    shapes.
 *  - out is a vector of the bound result type (ctx->ret), reset, with
 *    capacity for n_rows values; the kernel writes values 0..n_rows-1 and
 *    sets out->len = n_rows (FUNC_LOOP* do not).  Strings written to out
 *    are copied into out->heap (vec_str_copy) or point at bytes that live
 *    as long as the argument vectors (a substring of an argument: point
 *    into it, no copy).
 *  - FUNC_STRICT (PostgreSQL's "strict": NULL in, NULL out): before the
 *    call the executor sets out's validity to the AND of the arguments'
 *    validity (out->validity == NULL: no NULLs).  The kernel computes
 *    every row but MUST NOT raise an error for a row that is NULL in out
 *    (its argument slots hold arbitrary bytes, e.g. 0 for a divisor):
 *    test FUNC_ROW_VALID(out, i) before reporting.  When every row is
 *    NULL the kernel is not called.
 *    Without FUNC_STRICT the kernel reads the arguments' validity and
 *    sets out's itself (vec_set_null / vec_ensure_validity).
 *  - Errors: return err_set_state(err, kind, "22012", "division by zero")
 *    and the like - PostgreSQL's SQLSTATE and message.  Never abort.
 *  - Scratch memory for one call: ctx->scratch (reset after each batch).
 *  - Kernels run on many threads at once: they may read ctx->bind_state
 *    but not change it.
 *
 * ---- Aggregates ----------------------------------------------------------
 *
 * An aggregate keeps a fixed-size state per group (state_size bytes,
 * 16-byte aligned), stored inside the hash table's group rows.  Kernels
 * work on whole batches: `rows[i] + off` is the state of row i's group.
 *   init      zero/initial states for n new groups
 *   update    fold n_rows input rows into their groups' states (args as
 *             for scalar kernels; NULL handling is the aggregate's own:
 *             count(x) and sum(x) skip NULLs, count(*) has no argument)
 *   combine   merge states src[i] into dst[i] (parallel aggregation: each
 *             thread aggregates into its own table, then tables merge)
 *   finalize  write the result of n states to out at positions 0..n-1
 *   destroy   optional: free what states own (states should allocate from
 *             ctx->arena, which lives as long as the hash table, so most
 *             aggregates need no destroy)
 * The ungrouped case (SELECT sum(x) FROM t) calls agg_update1 when given,
 * else update with every rows[i] pointing at the same state.  An aggregate is "strict" by default in the
 * PostgreSQL sense: with no non-NULL input its finalize must produce NULL
 * (count produces 0) - finalize decides from its own state.
 *
 * Thread-safety: the registry is built once (func_registry_init, called
 * by tarn_open) and is read-only afterwards.
 */
#ifndef TARN_SQL_FUNC_FUNC_H
#define TARN_SQL_FUNC_FUNC_H

#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"
#include "util/mem.h"
#include "vector/value.h"
#include "vector/vector.h"

#define FUNC_MAX_ARGS 8

/* ---- Argument type codes -------------------------------------------------
 * FuncDef.args[] holds TypeId values (TYPE_INT32, TYPE_DECIMAL matches any
 * precision/scale, ...) or one of these pseudo-types (PostgreSQL's
 * polymorphic types): */
enum {
    FUNC_T_ANY = 100,     /* "any": anything, no unification between positions */
    FUNC_T_ANYELEMENT,    /* every ANYELEMENT position resolves to one common
                           * type (UNION/CASE rules); ret FUNC_T_ANYELEMENT
                           * = that type.  coalesce, greatest, min, max */
    FUNC_T_ANYNUMERIC,    /* any numeric type (int2..numeric, float) */
    FUNC_T_ANYARRAY,      /* any LIST type (reserved; arrays come later) */
};

typedef enum FuncKind {
    FUNC_SCALAR = 0,      /* f(x, ...) */
    FUNC_OPERATOR,        /* x + y, -x, x = y: name is the operator symbol */
    FUNC_AGGREGATE,       /* sum(x) */
    FUNC_SRF,             /* set-returning: generate_series(a, b) in the select
                           * list (srf_count / srf_fill; op_project_set.c) */
} FuncKind;

/* FuncDef.flags */
enum {
    FUNC_STRICT = 1 << 0,     /* NULL in any argument gives NULL (see above) */
    FUNC_CONST_ARGS = 1 << 1, /* kernel handles is_const argument vectors */
    FUNC_VOLATILE = 1 << 2,   /* random(), clock_timestamp(): never folded */
    FUNC_STABLE = 1 << 3,     /* now(), current_date: same within a statement
                               * (folded at plan time of each statement) */
    FUNC_VARIADIC = 1 << 4,   /* the last args[] entry may repeat 0+ times:
                               * concat(any...), coalesce(anyelement...) */
    FUNC_NO_ERRORS = 1 << 5,  /* kernel never fails: may be evaluated
                               * speculatively (e.g. both CASE branches) */
};

typedef struct FuncDef FuncDef;
typedef struct SqlSettings SqlSettings; /* session settings, see below */

/* What a kernel knows about its call site. */
typedef struct FuncCtx {
    const FuncDef *def;
    const LogicalType *ret;         /* bound result type (decimal p/s included) */
    const LogicalType *const *arg_types; /* bound argument types, n_args of them */
    uint32_t n_args;
    void *bind_state;               /* from FuncDef.bind; read-only, shared by threads */
    const SqlSettings *settings;    /* session: TimeZone, DateStyle...; read-only */
    Arena *scratch;                 /* per-thread, reset after every batch */
    Arena *arena;                   /* aggregates: lives as long as the group states */
} FuncCtx;

/* Scalar / operator kernel (see the file comment for the rules). */
typedef int (*ScalarFn)(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows,
                        Vector *out, TarnError *err);

/* Aggregate kernels (see the file comment). */
typedef void (*AggInitFn)(FuncCtx *ctx, uint8_t *const *rows, uint32_t off, uint32_t n);
typedef int (*AggUpdateFn)(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows,
                           uint8_t *const *rows, uint32_t off, TarnError *err);
typedef int (*AggCombineFn)(FuncCtx *ctx, uint8_t *const *src, uint8_t *const *dst, uint32_t off,
                            uint32_t n, TarnError *err);
typedef int (*AggFinalizeFn)(FuncCtx *ctx, uint8_t *const *rows, uint32_t off, uint32_t n,
                             Vector *out, TarnError *err);
typedef void (*AggDestroyFn)(FuncCtx *ctx, uint8_t *const *rows, uint32_t off, uint32_t n);
/* Optional fast path for the ungrouped case: fold every row into one state. */
typedef int (*AggUpdate1Fn)(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows,
                            uint8_t *state, TarnError *err);

/* Set-returning function kernels (FUNC_SRF), vectorized like scalar ones
 * (args flat or constant, n_rows input rows):
 *   count  counts[i] = how many rows input row i produces (0 for none,
 *          e.g. NULL arguments of a strict function); errors such as
 *          "step size cannot equal zero" are raised here;
 *   fill   out[k] = value number idx[k] (0-based, < counts[rows[k]]) of
 *          input row rows[k], k < n; out is reset with capacity n and the
 *          kernel sets out->len = n.  Runs of consecutive idx of one row
 *          come in order, so kernels may continue from the previous value.
 * Several SRFs of one select list run in lockstep (PostgreSQL 10+): input
 * row i gives max(counts) rows, shorter functions padded with NULL. */
typedef int (*SrfCountFn)(FuncCtx *ctx, Vector **args, uint32_t n_args, uint32_t n_rows, int64_t *counts,
                          TarnError *err);
typedef int (*SrfFillFn)(FuncCtx *ctx, Vector **args, uint32_t n_args, const uint32_t *rows, const int64_t *idx,
                         uint32_t n, Vector *out, TarnError *err);

/* Bind-time information about one call, for FuncDef.bind. */
typedef struct FuncBindInfo {
    const FuncDef *def;
    uint32_t n_args;
    const LogicalType *arg_types;   /* resolved argument types (after casts) */
    const Value *const_args;        /* per argument: its value when constant, else */
    const bool *is_const;           /* is_const[k] false (const_args[k] unset) */
    Arena *arena;                   /* plan lifetime: allocate bind_state here */
    const SqlSettings *settings;
    /* Outputs (preset: ret = the FuncDef's ret rule, bind_state = NULL). */
    LogicalType ret;
    void *bind_state;
} FuncBindInfo;

/* Optional per-call-site bind: compute the exact result type (numeric
 * precision/scale, PostgreSQL's rules), validate constant arguments,
 * precompile a pattern into bind_state.  Return 0 or an error (with
 * SQLSTATE), e.g. 22023 for a bad constant argument. */
typedef int (*FuncBindFn)(FuncBindInfo *info, TarnError *err);

struct FuncDef {
    const char *name;               /* lower case; operator symbol for operators */
    FuncKind kind;
    uint8_t n_args;                 /* fixed arguments (with FUNC_VARIADIC: minimum
                                     * is n_args - 1, the last one repeats) */
    uint8_t args[FUNC_MAX_ARGS];    /* TypeId or FUNC_T_* */
    uint8_t ret;                    /* TypeId, FUNC_T_ANYELEMENT, or TYPE_INVALID
                                     * when bind sets it */
    uint32_t flags;                 /* FUNC_* */
    FuncBindFn bind;                /* optional */
    ScalarFn scalar;                /* FUNC_SCALAR / FUNC_OPERATOR */
    /* FUNC_AGGREGATE: */
    uint32_t state_size;            /* bytes per group, <= 256 */
    AggInitFn agg_init;
    AggUpdateFn agg_update;
    AggCombineFn agg_combine;
    AggFinalizeFn agg_finalize;
    AggDestroyFn agg_destroy;       /* optional */
    AggUpdate1Fn agg_update1;       /* optional (ungrouped fast path) */
    const char *doc;                /* one line for \df and docs; optional */
    /* FUNC_SRF: */
    SrfCountFn srf_count;
    SrfFillFn srf_fill;
};

/* ---- Session settings visible to kernels --------------------------------- */

struct SqlSettings {
    char timezone[64];              /* TimeZone, default "UTC" */
    int32_t tz_offset_secs;         /* fixed offset of TimeZone when it is one
                                     * ("UTC", "+02:00"); named zones later */
    int extra_float_digits;         /* PG default 1 = shortest round trip */
    int64_t statement_ts;           /* start of the current statement (and of
                                     * its transaction), µs since 1970 UTC:
                                     * now(), current_date, current_timestamp */
    const char *current_schema;     /* first existing schema of search_path */
    struct tarn_db *session;        /* current_setting() / set_config()
                                     * (sql/sql_settings.c); NULL = none */
};

/* ---- Registry ------------------------------------------------------------- */

/* Builds the registry from every module in func_list.h (idempotent,
 * thread-safe; called by tarn_open).  0 or TARN_ERR_NOMEM. */
int func_registry_init(TarnError *err);

/* All overloads of name and kind (n_out may be 0).  The returned array of
 * pointers is owned by the registry. */
const FuncDef *const *func_lookup(const char *name, FuncKind kind, uint32_t *n_out);

/* True when some function (any kind) has this name: for "function ...
 * does not exist" versus "operator does not exist" wording. */
bool func_name_exists(const char *name, FuncKind kind);

/* Every registered definition, for \df and tests. */
const FuncDef *const *func_all(uint32_t *n_out);

/* ---- Kernel helpers -------------------------------------------------------- */

/* Index of row i in v: 0 for constant vectors. */
#define FUNC_IDX(v, i) ((v)->is_const ? 0u : (uint32_t)(i))

/* True when row i of a strict kernel's output is not NULL. */
#define FUNC_ROW_VALID(out, i) vec_is_valid((out), (i))

/* One loop body (the variadic rest) for a flat or constant argument a: inside it, `i` is
 * the row and `ia` its index in a. */
#define FUNC_LOOP1(a, n, ...)                                               \
    do {                                                                     \
        if ((a)->is_const) {                                                 \
            for (uint32_t i = 0; i < (n); i++) { const uint32_t ia = 0; (void)ia; __VA_ARGS__; } \
        } else {                                                             \
            for (uint32_t i = 0; i < (n); i++) { const uint32_t ia = i; (void)ia; __VA_ARGS__; } \
        }                                                                    \
    } while (0)

/* The same for two arguments: ia, ib (each loop specialised, so the
 * compiler vectorizes the flat-flat and flat-constant cases). */
#define FUNC_LOOP2(a, b, n, ...)                                                        \
    do {                                                                                 \
        if (!(a)->is_const && !(b)->is_const) {                                          \
            for (uint32_t i = 0; i < (n); i++) { const uint32_t ia = i, ib = i; (void)ia; (void)ib; __VA_ARGS__; }  \
        } else if (!(a)->is_const) {                                                     \
            for (uint32_t i = 0; i < (n); i++) { const uint32_t ia = i, ib = 0; (void)ia; (void)ib; __VA_ARGS__; }  \
        } else if (!(b)->is_const) {                                                     \
            for (uint32_t i = 0; i < (n); i++) { const uint32_t ia = 0, ib = i; (void)ia; (void)ib; __VA_ARGS__; }  \
        } else {                                                                         \
            for (uint32_t i = 0; i < (n); i++) { const uint32_t ia = 0, ib = 0; (void)ia; (void)ib; __VA_ARGS__; }  \
        }                                                                                \
    } while (0)

/* For non-strict kernels: sets out's validity to the AND of the
 * arguments' validity over n rows (constants included).  0 or NOMEM. */
int func_propagate_nulls(Vector **args, uint32_t n_args, uint32_t n_rows, Vector *out);

/* Makes v flat: a constant vector becomes n_rows copies of its value (in
 * place; strings keep pointing at the same bytes).  0 or NOMEM. */
int func_flatten(Vector *v, uint32_t n_rows);

/* Standard errors, PostgreSQL's wording and SQLSTATE. */
int func_err_division_by_zero(TarnError *err);                  /* 22012 */
int func_err_out_of_range(TarnError *err, const char *type_name); /* 22003 "integer out of range" */

/* PostgreSQL's numeric helpers for bind callbacks and kernels. */
int128_t func_pow10_i128(int exp);  /* 10^exp, 0 <= exp <= 38 */

#endif
