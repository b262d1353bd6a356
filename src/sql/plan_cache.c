/*
 * plan_cache.c - see plan_cache.h.
 *
 * Normalising: a small lexer over PostgreSQL's lexical rules ('' strings,
 * E'' / B'' / X'' / N'' / U&'' strings, $tag$ dollar quotes, "quoted"
 * identifiers, -- and nested slash-star comments, numbers) replaces each
 * integer literal that fits int8 and each plain '...' string by $k.  Kept
 * as they are (so part of the key): numbers with a fraction or exponent,
 * integers beyond int8, a number right after '-' or '+' (the grammar folds
 * the sign into the constant: -2147483648 is an int4), numbers running into
 * an identifier (PostgreSQL 15 reads 0x1 as 0 AS x1), prefixed and dollar
 * quoted strings.  A text holding a $n parameter is not cached.
 *
 * The key is the normalised text plus each literal's kind (int4, int8 by
 * its value, string): the parameters are declared int4 / int8 / unknown,
 * as PostgreSQL types the literals, and a string's type is inferred from
 * its context by the describe pass.  At the first sight of a key the
 * statement runs uncached, and the normalised statement is prepared and
 * kept when it is a SELECT whose description (column names, types,
 * typmods, source columns) equals the literal statement's and no $k stands
 * where a literal would be an ORDER BY / GROUP BY / DISTINCT ON position;
 * otherwise (also when the normalised text fails to parse or bind, as
 * typmods like varchar($1) do) the key is kept as "not cacheable".
 *
 * A hit binds (sql_cursor.c), plans and runs the cached statement with the
 * literal values: integers as they are, strings through the inferred
 * type's input function (a failure there reruns the text uncached, so the
 * error and its position are the literal's).  The description is checked
 * at each run: the fingerprint of the tables the bind read (Delta table
 * id, schema, partitioning) and the bound column names and types must be
 * those of the describe pass, else the entry is dropped and the statement
 * runs uncached.  Any statement other than a SELECT through
 * sql_simple_prepare (SET, DDL, ...) empties the session's cache.
 * 64 entries, least recently used dropped; SET tarn.plan_cache = off (or
 * the environment variable TARN_PLAN_CACHE=off) turns it off.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/func/cast.h"
#include "sql/plan_cache.h"
#include "table/delta/delta.h"

enum { LIT_INT4 = 'i', LIT_INT8 = 'I', LIT_STR = 's' };

typedef struct Lit {
    char kind;
    size_t off, len;        /* the literal in the original text (bytes) */
    size_t noff;            /* its $k in the normalised text (bytes) */
    int64_t ival;
} Lit;

typedef struct PlanEntry {
    uint64_t hash;
    char *key;              /* normalised text, '\1', kinds */
    size_t key_len;
    tarn_stmt *st;          /* NULL: not cacheable */
    uint64_t used;
} PlanEntry;

typedef struct PlanCache {
    PlanEntry e[PLAN_CACHE_ENTRIES];
    uint32_t n;
    uint64_t tick;
    uint64_t hits;
    struct AstEntry *ast[PLAN_CACHE_ENTRIES];
    uint32_t n_ast;
} PlanCache;

/* A parsed text (sql_prepare.c's stmt_create); freed with its last reference. */
typedef struct AstEntry {
    uint64_t hash;
    size_t len;
    const char *sql;        /* in a */
    const AstStmt *st;
    Arena a;
    int refs;               /* the cache's and the statements' */
    uint64_t used;
} AstEntry;

/* Per run of a cached statement (in the clone's arena). */
typedef struct PlanCacheUse {
    PlanEntry *entry;
    const char *orig;       /* the simple-protocol text */
    uint32_t n;
    const Lit *lits;
    uint32_t *norm_len;     /* characters of "$k" */
} PlanCacheUse;

/* ---- lexer ---------------------------------------------------------------------------------- */

static bool ident_start(unsigned char c) { return isalpha(c) || c == '_' || c >= 0x80; }
static bool ident_cont(unsigned char c) { return isalnum(c) || c == '_' || c == '$' || c >= 0x80; }

/* End of a quoted run starting at s[i] == q ('' / "" doubling; backslash
 * escapes with esc); 0 when unterminated. */
static size_t quoted_end(const char *s, size_t i, char q, bool esc)
{
    for (i++; s[i]; i++) {
        if (esc && s[i] == '\\' && s[i + 1]) {
            i++;
        } else if (s[i] == q) {
            if (s[i + 1] == q) {
                i++;
                continue;
            }
            return i + 1;
        }
    }
    return 0;
}

/* Appends s[*copied, start) and "$k" to nt (literal s[start, end)); 0 or an error. */
static int emit_param(Buf *nt, const char *s, size_t *copied, size_t start, size_t end, uint32_t k, size_t *noff)
{
    int bad = start > *copied ? buf_append(nt, s + *copied, start - *copied) : 0;
    *noff = nt->len;
    char tok[12];
    int n = (int)sizeof tok;
    do
        tok[--n] = (char)('0' + k % 10);
    while ((k /= 10) && n > 1);
    tok[--n] = '$';
    *copied = end;
    return bad | buf_append(nt, tok + n, sizeof tok - (size_t)n);
}

/* Normalises text into nt (NUL-terminated) and lits; -1 when the text is
 * not cacheable at all. */
static int normalize(const char *s, Buf *nt, Buf *kinds, Lit **lits_out, uint32_t *n_out)
{
    Lit *lits = NULL;
    uint32_t n = 0, cap = 0;
    char prev = 0; /* last significant character */
    size_t i = 0;
    int rc = 0, bad = 0;
    size_t copied = 0; /* s[0, copied) is in nt */
    while (s[i] && !rc) {
        unsigned char c = (unsigned char)s[i];
        size_t start = i;
        if (isspace(c)) {
            i++;
        } else if (c == '-' && s[i + 1] == '-') {
            while (s[i] && s[i] != '\n')
                i++;
        } else if (c == '/' && s[i + 1] == '*') {
            int depth = 0;
            while (s[i]) {
                if (s[i] == '/' && s[i + 1] == '*') {
                    depth++;
                    i += 2;
                } else if (s[i] == '*' && s[i + 1] == '/') {
                    i += 2;
                    if (--depth == 0)
                        break;
                } else {
                    i++;
                }
            }
            if (depth)
                rc = -1;
        } else if (c == '"') {
            if (!(i = quoted_end(s, i, '"', false)))
                rc = -1;
            prev = '"';
        } else if (c == '$') {
            if (isdigit((unsigned char)s[i + 1])) {
                rc = -1; /* a parameter: PostgreSQL's 42P02, uncached */
            } else {
                size_t j = i + 1;
                while (s[j] && s[j] != '$' && ident_cont((unsigned char)s[j]))
                    j++;
                if (s[j] != '$') {
                    rc = -1;
                } else {
                    size_t tl = j - i + 1;
                    const char *e = s + j + 1;
                    for (;;) {
                        e = strchr(e, '$');
                        if (!e || !strncmp(e, s + i, tl))
                            break;
                        e++;
                    }
                    if (!e)
                        rc = -1;
                    else
                        i = (size_t)(e - s) + tl;
                }
            }
            prev = '$';
        } else if (ident_start(c)) {
            while (ident_cont((unsigned char)s[i]))
                i++;
            if (s[i] == '\'' || (s[i] == '&' && s[i + 1] == '\'')) {
                /* prefixed string (E'', B'', N'', U&'', or a typed literal date '...'): kept */
                bool esc = i - start == 1 && (s[start] == 'e' || s[start] == 'E');
                if (s[i] == '&')
                    i++;
                if (!(i = quoted_end(s, i, '\'', esc)))
                    rc = -1;
            }
            prev = 'a';
        } else if (c == '\'') {
            size_t e = quoted_end(s, i, '\'', false);
            if (!e) {
                rc = -1;
            } else {
                if (n == cap) {
                    cap = cap ? cap * 2 : 8;
                    Lit *nl = tarn_realloc(lits, cap * sizeof *nl);
                    if (!nl) {
                        rc = -1;
                        break;
                    }
                    lits = nl;
                }
                size_t noff;
                bad |= emit_param(nt, s, &copied, i, e, n + 1, &noff);
                lits[n] = (Lit){.kind = LIT_STR, .off = i, .len = e - i, .noff = noff};
                n++;
                bad |= buf_append_byte(kinds, LIT_STR);
                i = e;
                prev = '\'';
                continue;
            }
        } else if (isdigit(c) || (c == '.' && isdigit((unsigned char)s[i + 1]))) {
            bool integral = true;
            while (isdigit((unsigned char)s[i]))
                i++;
            if (s[i] == '.') {
                integral = false;
                i++;
                while (isdigit((unsigned char)s[i]))
                    i++;
            }
            if ((s[i] == 'e' || s[i] == 'E') &&
                (isdigit((unsigned char)s[i + 1]) ||
                 ((s[i + 1] == '+' || s[i + 1] == '-') && isdigit((unsigned char)s[i + 2])))) {
                integral = false;
                i += 2;
                while (isdigit((unsigned char)s[i]))
                    i++;
            }
            int64_t v = 0;
            bool ok = integral && prev != '-' && prev != '+' && !ident_cont((unsigned char)s[i]) && s[i] != '.';
            for (size_t k = start; ok && k < i; k++) {
                int d = s[k] - '0';
                if (v > (INT64_MAX - d) / 10)
                    ok = false;
                else
                    v = v * 10 + d;
            }
            prev = '0';
            if (ok) {
                if (n == cap) {
                    cap = cap ? cap * 2 : 8;
                    Lit *nl = tarn_realloc(lits, cap * sizeof *nl);
                    if (!nl) {
                        rc = -1;
                        break;
                    }
                    lits = nl;
                }
                char kind = v <= INT32_MAX ? LIT_INT4 : LIT_INT8;
                size_t noff;
                bad |= emit_param(nt, s, &copied, start, i, n + 1, &noff);
                lits[n] = (Lit){.kind = kind, .off = start, .len = i - start, .noff = noff, .ival = v};
                n++;
                bad |= buf_append_byte(kinds, (uint8_t)kind);
                continue;
            }
        } else {
            i++;
            prev = (char)c;
        }
    }
    if (!rc && i > copied)
        bad |= buf_append(nt, s + copied, i - copied);
    if (bad || buf_append_byte(nt, 0))
        rc = -1;
    else
        nt->len--; /* NUL-terminated, not counted */
    if (rc) {
        tarn_free(lits);
        return -1;
    }
    *lits_out = lits;
    *n_out = n;
    return 0;
}

/* ---- cache ---------------------------------------------------------------------------------- */

/* 8 bytes a step (keys are compared in full; fingerprints rely on it) */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t w;
    for (; n >= 8; b += 8, n -= 8) {
        memcpy(&w, b, 8);
        h = (h ^ w) * 0x9E3779B97F4A7C15ull;
        h ^= h >> 29;
    }
    w = 0;
    if (n)
        memcpy(&w, b, n);
    h = (h ^ w ^ ((uint64_t)n << 56)) * 0x9E3779B97F4A7C15ull;
    return h ^ (h >> 32);
}

static uint64_t fnv_str(uint64_t h, const char *s) { return fnv(h, s ? s : "", (s ? strlen(s) : 0) + 1); }

uint64_t plan_cache_fp(const StmtRes *res)
{
    uint64_t h = 14695981039346656037ull;
    for (uint32_t i = 0; i < res->n_snaps; i++) {
        const DeltaMetadata *m = delta_snapshot_metadata(res->snaps[i]);
        h = fnv_str(h, m->id);
        h = fnv_str(h, m->schema_string);
        for (uint32_t k = 0; k < m->n_partition_columns; k++)
            h = fnv_str(h, m->partition_columns[k]);
        h = fnv(h, "|", 1);
    }
    return h;
}

static void entry_drop(PlanEntry *e)
{
    tarn_stmt_free(e->st);
    tarn_free(e->key);
    memset(e, 0, sizeof *e);
}

void plan_cache_clear(tarn_db *db)
{
    PlanCache *pc = db->plan_cache;
    if (!pc)
        return;
    for (uint32_t i = 0; i < pc->n; i++)
        entry_drop(&pc->e[i]);
    pc->n = 0;
}

uint64_t plan_cache_hits(const tarn_db *db) { return db->plan_cache ? db->plan_cache->hits : 0; }

void ast_entry_unref(AstEntry *e)
{
    if (e && --e->refs == 0) {
        arena_free(&e->a);
        tarn_free(e);
    }
}

static bool cache_enabled(tarn_db *db);

bool ast_cache_get(tarn_db *db, const char *text, size_t len, tarn_stmt *ps)
{
    PlanCache *pc = db->plan_cache;
    if (!pc || !pc->n_ast || !cache_enabled(db))
        return false;
    uint64_t h = fnv(14695981039346656037ull, text, len);
    for (uint32_t i = 0; i < pc->n_ast; i++) {
        AstEntry *e = pc->ast[i];
        if (e->hash == h && e->len == len && !memcmp(e->sql, text, len)) {
            e->used = ++pc->tick;
            e->refs++;
            ps->ast_ref = e;
            ps->sql = e->sql;
            ps->st = e->st;
            return true;
        }
    }
    return false;
}

void ast_cache_put(tarn_db *db, tarn_stmt *ps)
{
    if (!cache_enabled(db))
        return;
    if (!db->plan_cache && !(db->plan_cache = tarn_calloc(1, sizeof *db->plan_cache)))
        return;
    PlanCache *pc = db->plan_cache;
    AstEntry *e = tarn_calloc(1, sizeof *e);
    if (!e)
        return;
    e->len = strlen(ps->sql);
    e->hash = fnv(14695981039346656037ull, ps->sql, e->len);
    e->sql = ps->sql;
    e->st = ps->st;
    e->a = ps->a; /* the text and the AST move to the entry */
    e->refs = 2;
    e->used = ++pc->tick;
    arena_init(&ps->a, 4096);
    ps->ast_ref = e;
    if (pc->n_ast < PLAN_CACHE_ENTRIES) {
        pc->ast[pc->n_ast++] = e;
        return;
    }
    uint32_t old = 0;
    for (uint32_t i = 1; i < pc->n_ast; i++)
        if (pc->ast[i]->used < pc->ast[old]->used)
            old = i;
    ast_entry_unref(pc->ast[old]);
    pc->ast[old] = e;
}

void plan_cache_free(tarn_db *db)
{
    plan_cache_clear(db);
    if (db->plan_cache)
        for (uint32_t i = 0; i < db->plan_cache->n_ast; i++)
            ast_entry_unref(db->plan_cache->ast[i]);
    tarn_free(db->plan_cache);
    db->plan_cache = NULL;
}

/* A setting SET in this session (sql_settings.c keeps them in db->other,
 * by lower-case name), or NULL for the default. */
static const char *session_setting(const tarn_db *db, const char *lname)
{
    for (uint32_t i = 0; i < db->n_other; i++)
        if (!strcmp(db->other[i].name, lname))
            return db->other[i].value;
    return NULL;
}

static bool is_off(const char *v)
{
    return v && (!strcasecmp(v, "off") || !strcasecmp(v, "false") || !strcmp(v, "0") || !strcasecmp(v, "no"));
}

static bool cache_enabled(tarn_db *db)
{
    static int env = -1; /* a benign race: every thread computes the same */
    if (env < 0)
        env = !is_off(getenv("TARN_PLAN_CACHE"));
    if (!env || is_off(session_setting(db, "tarn.plan_cache")))
        return false;
    /* standard_conforming_strings = off: backslashes escape in '...' (not lexed here) */
    const char *scs = session_setting(db, "standard_conforming_strings");
    return !scs || !strcasecmp(scs, "on");
}

static PlanEntry *find_entry(PlanCache *pc, uint64_t h, const char *key, size_t len)
{
    for (uint32_t i = 0; i < pc->n; i++)
        if (pc->e[i].hash == h && pc->e[i].key_len == len && !memcmp(pc->e[i].key, key, len))
            return &pc->e[i];
    return NULL;
}

static PlanEntry *new_entry(PlanCache *pc)
{
    if (pc->n < PLAN_CACHE_ENTRIES)
        return &pc->e[pc->n++];
    PlanEntry *old = &pc->e[0];
    for (uint32_t i = 1; i < pc->n; i++)
        if (pc->e[i].used < old->used)
            old = &pc->e[i];
    entry_drop(old);
    return old;
}

static bool same_desc(const tarn_stmt *a, const tarn_stmt *b)
{
    if (a->ncols != b->ncols)
        return false;
    for (uint32_t i = 0; i < a->ncols; i++) {
        if (strcmp(a->colnames[i], b->colnames[i]) || a->coloids[i] != b->coloids[i] ||
            strcmp(a->coltypenames[i], b->coltypenames[i]) ||
            sql_type_typmod(&a->coltypes[i]) != sql_type_typmod(&b->coltypes[i]))
            return false;
        uint32_t ta = a->coltables ? a->coltables[i] : 0, tb = b->coltables ? b->coltables[i] : 0;
        int16_t ca = a->colattnums ? a->colattnums[i] : 0, cb = b->colattnums ? b->colattnums[i] : 0;
        if (ta != tb || ca != cb)
            return false;
    }
    return true;
}

/* The normalised statement for key, or NULL (not cacheable). */
static tarn_stmt *prepare_normalized(tarn_db *db, const char *ntext, const Lit *lits, uint32_t n,
                                     const tarn_stmt *orig)
{
    uint32_t *oids = tarn_calloc(n ? n : 1, sizeof *oids);
    if (!oids)
        return NULL;
    for (uint32_t i = 0; i < n; i++)
        oids[i] = lits[i].kind == LIT_INT4 ? 23 : lits[i].kind == LIT_INT8 ? 20 : 0;
    tarn_stmt *st = NULL;
    TarnError e;
    err_clear(&e);
    int rc = tarn_prepare(db, ntext, (int)n, oids, &st, &e);
    tarn_free(oids);
    if (rc)
        return NULL;
    bool ok = st->st->kind == STMT_SELECT && !st->position_param && st->n_params == n && same_desc(st, orig);
    for (uint32_t i = 0; ok && i < n; i++)
        if (lits[i].kind == LIT_STR &&
            (st->param_types[i].id == TYPE_NULL || st->param_types[i].n_fields ||
             st->param_types[i].id == TYPE_DECIMAL || /* a numeric's scale is its value's */
             type_is_string_like(st->param_types[i].id))) /* a text parameter is not an unknown literal:
                                                          * char(n) compares without trailing blanks */
            ok = false;
    if (!ok) {
        tarn_stmt_free(st);
        return NULL;
    }
    return st;
}

/* The literal values of a hit, in the clone's arena; -1: a string does
 * not convert (the uncached path reports it). */
static int lit_values(tarn_db *db, tarn_stmt *c, const tarn_stmt *st, const char *text, const Lit *lits, uint32_t n)
{
    Value *v = arena_calloc(&c->a, (n ? n : 1) * sizeof(Value));
    if (!v)
        return -1;
    TarnError e;
    for (uint32_t i = 0; i < n; i++) {
        const Lit *l = &lits[i];
        if (l->kind == LIT_INT4) {
            v[i] = value_i64(TYPE_INT32, l->ival);
            continue;
        }
        if (l->kind == LIT_INT8) {
            v[i] = value_i64(TYPE_INT64, l->ival);
            continue;
        }
        /* '...': the content with '' undoubled */
        char *s = arena_alloc(&c->a, l->len);
        if (!s)
            return -1;
        uint32_t k = 0;
        for (size_t j = l->off + 1; j + 1 < l->off + l->len; j++) {
            s[k++] = text[j];
            if (text[j] == '\'')
                j++;
        }
        s[k] = 0;
        LogicalType to = st->param_types[i];
        LogicalType from = type_simple(TYPE_STRING);
        err_clear(&e);
        Value in = value_str(s, k);
        if (cast_value(&in, &from, &to, &c->a, &db->settings, &v[i], &e))
            return -1; /* the uncached run reports it, at the literal */
    }
    c->lit_values = v;
    return 0;
}

static uint32_t utf8_len(const char *s, size_t n)
{
    uint32_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ((unsigned char)s[i] & 0xC0) != 0x80;
    return k;
}

/* A per-run statement sharing e->st's AST and descriptions. */
static tarn_stmt *make_clone(tarn_db *db, PlanEntry *e, const char *text, const Lit *lits, uint32_t n)
{
    tarn_stmt *c = tarn_calloc(1, sizeof *c);
    if (!c)
        return NULL;
    *c = *e->st;
    c->ast_ref = NULL; /* borrowed through e->st, which holds a reference */
    arena_init(&c->a, 1024);
    c->name = NULL;
    c->next = NULL;
    PlanCacheUse *u = arena_calloc(&c->a, sizeof *u);
    Lit *l = arena_alloc(&c->a, (n ? n : 1) * sizeof *l);
    char *orig = arena_strdup(&c->a, text);
    if (!u || !l || !orig || lit_values(db, c, e->st, text, lits, n)) {
        sql_stmt_free(c);
        return NULL;
    }
    if (n)
        memcpy(l, lits, n * sizeof *l);
    u->entry = e;
    u->orig = orig;
    u->n = n;
    u->lits = l;
    c->lit_use = u;
    return c;
}

int sql_simple_prepare(tarn_db *db, const char *text, tarn_stmt **out, TarnError *err)
{
    *out = NULL;
    if (!cache_enabled(db))
        return tarn_prepare(db, text, 0, NULL, out, err);
    Buf nt, kinds;
    buf_init(&nt);
    buf_init(&kinds);
    Lit *lits = NULL;
    uint32_t n = 0;
    if (normalize(text, &nt, &kinds, &lits, &n)) {
        buf_free(&nt);
        buf_free(&kinds);
        int rc = tarn_prepare(db, text, 0, NULL, out, err);
        if (!rc && (*out)->st->kind != STMT_SELECT)
            plan_cache_clear(db);
        return rc;
    }
    size_t tl = nt.len;
    int bad = buf_append_byte(&nt, 1);
    if (kinds.len)
        bad |= buf_append(&nt, kinds.data, kinds.len);
    bad |= buf_append_byte(&nt, 0);
    buf_free(&kinds);
    int rc = 0;
    if (bad) {
        rc = ERR_NOMEM(err, 0);
        goto done;
    }
    if (!db->plan_cache && !(db->plan_cache = tarn_calloc(1, sizeof *db->plan_cache))) {
        rc = ERR_NOMEM(err, sizeof *db->plan_cache);
        goto done;
    }
    PlanCache *pc = db->plan_cache;
    size_t klen = nt.len - 1;
    uint64_t h = fnv(14695981039346656037ull, nt.data, klen);
    PlanEntry *e = find_entry(pc, h, (const char *)nt.data, klen);
    if (e) {
        e->used = ++pc->tick;
        if (e->st && (*out = make_clone(db, e, text, lits, n))) {
            pc->hits++;
            goto done;
        }
        rc = tarn_prepare(db, text, 0, NULL, out, err);
        goto done;
    }
    /* first sight: run uncached; keep the normalised statement if it is equivalent */
    if ((rc = tarn_prepare(db, text, 0, NULL, out, err)))
        goto done;
    if ((*out)->st->kind != STMT_SELECT) {
        plan_cache_clear(db);
        goto done;
    }
    char *key = tarn_malloc(klen);
    if (!key)
        goto done; /* not cached: still correct */
    memcpy(key, nt.data, klen);
    nt.data[tl] = 0;
    tarn_stmt *ns = prepare_normalized(db, (const char *)nt.data, lits, n, *out);
    e = new_entry(pc);
    e->hash = h;
    e->key = key;
    e->key_len = klen;
    e->st = ns;
    e->used = ++pc->tick;
done:
    buf_free(&nt);
    tarn_free(lits);
    return rc;
}

bool sql_simple_single_cached(tarn_db *db, const char *msg, size_t *len_out)
{
    PlanCache *pc = db->plan_cache;
    if (!pc || !pc->n || !cache_enabled(db))
        return false;
    size_t len = strlen(msg), end = len;
    while (end && isspace((unsigned char)msg[end - 1]))
        end--;
    if (end && msg[end - 1] == ';') { /* the split's piece stops before the ';' */
        end--;
        while (end && isspace((unsigned char)msg[end - 1]))
            end--;
        len = end;
    }
    char buf[2048];
    if (!len || len >= sizeof buf)
        return false;
    memcpy(buf, msg, len);
    buf[len] = 0;
    Buf nt, kinds;
    buf_init(&nt);
    buf_init(&kinds);
    Lit *lits = NULL;
    uint32_t n = 0;
    bool hit = false;
    if (!normalize(buf, &nt, &kinds, &lits, &n)) {
        int bad = buf_append_byte(&nt, 1);
        if (kinds.len)
            bad |= buf_append(&nt, kinds.data, kinds.len);
        if (!bad) {
            uint64_t h = fnv(14695981039346656037ull, nt.data, nt.len);
            PlanEntry *e = find_entry(pc, h, (const char *)nt.data, nt.len);
            hit = e && e->st;
        }
    }
    buf_free(&nt);
    buf_free(&kinds);
    tarn_free(lits);
    if (hit)
        *len_out = len;
    return hit;
}

void sql_stmt_map_error(const tarn_stmt *st, TarnError *err)
{
    if (!st || !st->lit_use || err->position <= 0)
        return;
    const PlanCacheUse *u = st->lit_use;
    /* err->position: 1-based character in st->sql; walk the pieces */
    int p = err->position - 1;
    const char *ns = st->sql, *os = u->orig;
    size_t nb = 0, ob = 0;   /* bytes */
    int nc = 0, oc = 0;      /* characters */
    for (uint32_t i = 0; i < u->n; i++) {
        const Lit *l = &u->lits[i];
        int gap = (int)utf8_len(ns + nb, l->noff - nb);
        if (p < nc + gap) {
            err->position = oc + (p - nc) + 1;
            return;
        }
        nc += gap;
        oc += gap;
        nb = l->noff;
        ob = l->off;
        char tok[16];
        int tk = snprintf(tok, sizeof tok, "$%u", i + 1);
        if (p < nc + tk) {
            err->position = oc + 1;
            return;
        }
        nc += tk;
        oc += (int)utf8_len(os + ob, l->len);
        nb += (size_t)tk;
        ob += l->len;
    }
    err->position = oc + (p - nc) + 1;
}

bool plan_cache_still_valid(tarn_stmt *st, const StmtRes *res, uint32_t ncols, const char *const *names,
                            const uint32_t *oids)
{
    if (plan_cache_fp(res) != st->schema_fp || ncols != st->ncols)
        return false;
    for (uint32_t i = 0; i < ncols; i++)
        if (strcmp(names[i] ? names[i] : "?column?", st->colnames[i]) || oids[i] != st->coloids[i])
            return false;
    return true;
}

int plan_cache_prepare_again(tarn_stmt *st, TarnError *err)
{
    PlanCacheUse *u = st->lit_use;
    tarn_db *db = st->db;
    PlanEntry *e = u->entry;
    tarn_stmt *fresh = NULL;
    int rc = tarn_prepare(db, u->orig, 0, NULL, &fresh, err);
    /* the entry goes: its statement no longer describes the text */
    PlanCache *pc = db->plan_cache;
    tarn_stmt old = *st;
    if (rc) {
        /* keep st usable for the caller's free: an empty statement of its own */
        memset(st, 0, sizeof *st);
        st->db = db;
        st->a = old.a;
        st->sql = old.lit_use->orig;
    } else {
        *st = *fresh;
        tarn_free(fresh);
        arena_free(&old.a);
    }
    if (pc && e >= pc->e && e < pc->e + pc->n)
        entry_drop(e); /* an empty slot now: never matches (key_len 0), first to be reused */
    return rc;
}
