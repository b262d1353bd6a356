/*
 * syscat.c - the system relations' rows from a catalog model, OIDs, the
 * type table's lookups and format_type().  See syscat.h.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sql/func/cast.h"
#include "sql/session.h"
#include "tarn.h"
#include "sql/func/func.h"
#include "sql/syscat/syscat.h"

/* ---- definitions ------------------------------------------------------------------------ */

bool syscat_is_system_schema(const char *schema)
{
    return schema && (!strcmp(schema, "pg_catalog") || !strcmp(schema, "information_schema"));
}

/* syscat_find's index: an open-addressing table of the definitions by
 * name, built once (every relation name is looked up here first, so a
 * linear scan of ~100 names cost each statement ~3,000 instructions). */
#define SYSCAT_SLOTS 1024 /* power of two, well above the definitions' count */
static const SysRelDef *syscat_slots[SYSCAT_SLOTS];
static pthread_once_t syscat_once = PTHREAD_ONCE_INIT;

static uint32_t syscat_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static void syscat_index_build(void)
{
    for (const SysRelDef *d = syscat_rel_defs; d->name; d++) {
        uint32_t i = syscat_hash(d->name) & (SYSCAT_SLOTS - 1);
        while (syscat_slots[i])
            i = (i + 1) & (SYSCAT_SLOTS - 1);
        syscat_slots[i] = d; /* definitions come in order: the first of a name and schema is probed first */
    }
}

const SysRelDef *syscat_find(const char *schema, const char *name)
{
    const char *want = schema ? schema : "pg_catalog";
    pthread_once(&syscat_once, syscat_index_build);
    for (uint32_t i = syscat_hash(name) & (SYSCAT_SLOTS - 1); syscat_slots[i]; i = (i + 1) & (SYSCAT_SLOTS - 1)) {
        const SysRelDef *d = syscat_slots[i];
        if (!strcmp(d->name, name) && !strcmp(d->schema, want))
            return d;
    }
    return NULL;
}

int syscat_col_type(Arena *a, uint8_t sc, LogicalType *out)
{
    TypeId elem = TYPE_INVALID;
    switch (sc) {
    case SC_OID: *out = type_simple(TYPE_INT64); out->char_kind = TYPE_CHAR_OID; return 0;
    case SC_INT8: *out = type_simple(TYPE_INT64); return 0;
    case SC_NAME: *out = type_simple(TYPE_STRING); out->char_kind = TYPE_CHAR_NAME; return 0;
    case SC_CHAR: *out = type_simple(TYPE_STRING); out->char_kind = TYPE_CHAR_QCHAR; return 0;
    case SC_VARCHAR: *out = type_simple(TYPE_STRING); out->char_kind = TYPE_CHAR_VARCHAR; return 0;
    case SC_TEXT: *out = type_simple(TYPE_STRING); return 0;
    case SC_BOOL: *out = type_simple(TYPE_BOOL); return 0;
    case SC_INT2: *out = type_simple(TYPE_INT16); return 0;
    case SC_INT4: *out = type_simple(TYPE_INT32); return 0;
    case SC_FLOAT4: *out = type_simple(TYPE_FLOAT); return 0;
    case SC_FLOAT8: *out = type_simple(TYPE_DOUBLE); return 0;
    case SC_TIMESTAMPTZ: *out = type_simple(TYPE_TIMESTAMPTZ); return 0;
    case SC_INTERVAL: *out = type_simple(TYPE_INTERVAL); return 0;
    case SC_OID_ARR: elem = TYPE_INT64; break;
    case SC_INT2_ARR: elem = TYPE_INT16; break;
    case SC_TEXT_ARR: elem = TYPE_STRING; break;
    case SC_FLOAT4_ARR: elem = TYPE_FLOAT; break;
    case SC_INT4_ARR: elem = TYPE_INT32; break;
    default: *out = type_simple(TYPE_STRING); return 0;
    }
    Field *f = arena_calloc(a, sizeof *f);
    if (!f)
        return TARN_ERR_NOMEM;
    f->name = (char *)"element";
    f->type = type_simple(elem);
    if (sc == SC_OID_ARR)
        f->type.char_kind = TYPE_CHAR_OID;
    f->nullable = true;
    *out = type_simple(TYPE_LIST);
    out->n_fields = 1;
    out->fields = f;
    return 0;
}

/* ---- OIDs and lookups ------------------------------------------------------------------- */

uint32_t syscat_name_oid(const char *key)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 16777619u;
    return 16384u + h % (2147483648u - 16384u);
}

const SysRel *syscat_rel_by_oid(const SysModel *m, int64_t oid)
{
    for (uint32_t i = 0; i < m->n_rels; i++)
        if (m->rels[i].oid == oid)
            return &m->rels[i];
    return NULL;
}

const SysRel *syscat_rel_by_name(const SysModel *m, const char *schema, const char *name)
{
    for (uint32_t i = 0; i < m->n_rels; i++)
        if (!strcmp(m->rels[i].name, name) && !strcmp(m->rels[i].schema, schema))
            return &m->rels[i];
    return NULL;
}

const SysNsp *syscat_nsp_by_oid(const SysModel *m, int64_t oid)
{
    for (uint32_t i = 0; i < m->n_nsps; i++)
        if (m->nsps[i].oid == oid)
            return &m->nsps[i];
    return NULL;
}

const SysNsp *syscat_nsp_by_name(const SysModel *m, const char *name)
{
    for (uint32_t i = 0; i < m->n_nsps; i++)
        if (!strcmp(m->nsps[i].name, name))
            return &m->nsps[i];
    return NULL;
}

const SysRole *syscat_role_by_oid(const SysModel *m, int64_t oid)
{
    for (uint32_t i = 0; i < m->n_roles; i++)
        if (m->roles[i].oid == oid)
            return &m->roles[i];
    return NULL;
}

const SysRole *syscat_role_by_name(const SysModel *m, const char *name)
{
    for (uint32_t i = 0; i < m->n_roles; i++)
        if (!strcmp(m->roles[i].name, name))
            return &m->roles[i];
    return NULL;
}

const SysRel *syscat_rel_visible(const SysModel *m, const char *name)
{
    const SysRel *r = syscat_rel_by_name(m, "pg_catalog", name);
    for (uint32_t i = 0; !r && i < m->n_path; i++)
        r = syscat_rel_by_name(m, m->search_path[i], name);
    return r;
}

bool syscat_rel_is_visible(const SysModel *m, const SysRel *r)
{
    return r && syscat_rel_visible(m, r->name) == r;
}

/* ---- types ------------------------------------------------------------------------------ */

const SysType *syscat_type_by_oid(int64_t oid)
{
    uint32_t lo = 0, hi = syscat_n_types; /* sorted by oid */
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (syscat_types[mid].oid == oid)
            return &syscat_types[mid];
        if (syscat_types[mid].oid < oid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const SysType *syscat_type_by_name(const char *name)
{
    for (uint32_t i = 0; i < syscat_n_types; i++)
        if (!strcmp(syscat_types[i].name, name))
            return &syscat_types[i];
    return NULL;
}

int32_t sql_type_typmod(const LogicalType *t); /* sql_prepare.c */

void syscat_type_of(const LogicalType *t, uint32_t *oid, int32_t *typmod)
{
    *oid = sqltype_oid(t);
    *typmod = sql_type_typmod(t);
}

/* PostgreSQL's format_type_extended for the types tarn knows; typmod < 0: none. */
bool syscat_format_type(int64_t oid, int64_t typmod, bool have_typmod, char *buf, size_t cap)
{
    const SysType *t = syscat_type_by_oid(oid);
    if (!t)
        return false;
    const SysType *base = t;
    bool is_array = t->category == 'A' && t->elem && t->len == -1;
    if (is_array && !(base = syscat_type_by_oid(t->elem)))
        return false;
    char mod[48] = "";
    if (have_typmod && typmod >= 0) {
        switch (base->oid) {
        case PG_OID_NUMERIC:
            if (typmod >= 4) {
                int32_t v = (int32_t)typmod - 4;
                snprintf(mod, sizeof mod, "(%d,%d)", (v >> 16) & 0xffff, (int16_t)(v & 0xffff));
            }
            break;
        case PG_OID_VARCHAR: case PG_OID_BPCHAR: case 1560: case 1562:
            if (typmod >= 4)
                snprintf(mod, sizeof mod, "(%d)", (int)typmod - 4);
            break;
        case PG_OID_TIMESTAMP: case PG_OID_TIMESTAMPTZ: case PG_OID_TIME: case 1266:
            snprintf(mod, sizeof mod, "(%d)", (int)typmod);
            break;
        default:
            break;
        }
    }
    const char *sql = base->sql;
    if (mod[0]) {
        /* "timestamp(3) without time zone": the modifier goes after the first word */
        const char *sp = (base->oid == PG_OID_TIMESTAMP || base->oid == PG_OID_TIMESTAMPTZ || base->oid == PG_OID_TIME ||
                          base->oid == 1266) ? strchr(sql, ' ') : NULL;
        if (sp)
            snprintf(buf, cap, "%.*s%s%s%s", (int)(sp - sql), sql, mod, sp, is_array ? "[]" : "");
        else
            snprintf(buf, cap, "%s%s%s", sql, mod, is_array ? "[]" : "");
    } else if (base->oid == PG_OID_BPCHAR && have_typmod) {
        snprintf(buf, cap, "%s%s", "bpchar", is_array ? "[]" : "");
    } else {
        snprintf(buf, cap, "%s%s", sql, is_array ? "[]" : "");
    }
    return true;
}

/* ---- rows ------------------------------------------------------------------------------- */

static const char *sdup(SysRows *o, const char *s)
{
    char *d = s ? arena_strdup(o->a, s) : NULL;
    if (s && !d)
        o->nomem = 1;
    return d;
}

static int col_of(const SysRelDef *d, const char *name)
{
    for (uint32_t i = 0; i < d->n_cols; i++)
        if (!strcmp(d->cols[i].name, name))
            return (int)i;
    return -1;
}

static bool is_info(const SysRows *o)
{
    return !strcmp(o->def->schema, "information_schema");
}

/* Starts a row with every column at its default: NULL in
 * information_schema; 0 / false / NULL text in pg_catalog. */
static Value *row_begin(SysRows *o)
{
    if (o->nomem)
        return NULL;
    uint32_t nc = o->def->n_cols;
    if (o->n_rows == o->cap) {
        uint32_t cap = o->cap ? o->cap * 2 : 16;
        Value *nv = arena_alloc(o->a, (size_t)cap * nc * sizeof(Value));
        if (!nv) {
            o->nomem = 1;
            return NULL;
        }
        if (o->n_rows)
            memcpy(nv, o->vals, (size_t)o->n_rows * nc * sizeof(Value));
        o->vals = nv;
        o->cap = cap;
    }
    Value *r = &o->vals[(size_t)o->n_rows++ * nc];
    bool info = is_info(o);
    for (uint32_t c = 0; c < nc; c++) {
        uint8_t t = o->def->cols[c].type;
        if (info || t == SC_NAME || t == SC_TEXT || t == SC_CHAR || t == SC_VARCHAR || t >= SC_TIMESTAMPTZ) {
            r[c] = value_null();
            continue;
        }
        switch (t) {
        case SC_BOOL: r[c] = value_i64(TYPE_BOOL, 0); r[c].v.b = false; break;
        case SC_INT2: r[c] = value_i64(TYPE_INT16, 0); break;
        case SC_INT4: r[c] = value_i64(TYPE_INT32, 0); break;
        case SC_FLOAT4: r[c] = value_double(0); r[c].type = TYPE_FLOAT; break;
        case SC_FLOAT8: r[c] = value_double(0); break;
        default: r[c] = value_i64(TYPE_INT64, 0); break;
        }
    }
    return r;
}

static void set_text(SysRows *o, Value *r, const char *col, const char *s)
{
    int c = col_of(o->def, col);
    if (c < 0 || !r)
        return;
    if (!s) {
        r[c] = value_null();
        return;
    }
    const char *d = sdup(o, s);
    if (d)
        r[c] = value_str(d, (uint32_t)strlen(d));
}

static void set_int(SysRows *o, Value *r, const char *col, int64_t v)
{
    int c = col_of(o->def, col);
    if (c < 0 || !r)
        return;
    switch (o->def->cols[c].type) {
    case SC_INT2: r[c] = value_i64(TYPE_INT16, v); break;
    case SC_INT4: r[c] = value_i64(TYPE_INT32, v); break;
    case SC_FLOAT4: r[c] = value_double((double)v); r[c].type = TYPE_FLOAT; break;
    case SC_FLOAT8: r[c] = value_double((double)v); break;
    default: r[c] = value_i64(TYPE_INT64, v); break;
    }
}

static void set_bool(SysRows *o, Value *r, const char *col, bool b)
{
    int c = col_of(o->def, col);
    if (c < 0 || !r)
        return;
    r[c] = value_i64(TYPE_BOOL, 0);
    r[c].v.b = b;
}


static const char *role_name(const SysModel *m, uint32_t oid)
{
    const SysRole *r = syscat_role_by_oid(m, oid);
    return r ? r->name : NULL;
}

static const char *yes_no(bool b)
{
    return b ? "YES" : "NO";
}

/* ---- pg_catalog ------------------------------------------------------------------------- */

static void gen_namespace(const SysModel *m, SysRows *o)
{
    for (uint32_t i = 0; i < m->n_nsps; i++) {
        Value *r = row_begin(o);
        set_int(o, r, "oid", m->nsps[i].oid);
        set_text(o, r, "nspname", m->nsps[i].name);
        set_int(o, r, "nspowner", SYSCAT_ROLE_BOOTSTRAP);
    }
}

static void gen_class(const SysModel *m, SysRows *o)
{
    for (uint32_t i = 0; i < m->n_rels; i++) {
        const SysRel *s = &m->rels[i];
        Value *r = row_begin(o);
        bool table = s->kind == 'r';
        set_int(o, r, "oid", s->oid);
        set_text(o, r, "relname", s->name);
        set_int(o, r, "relnamespace", s->nsp_oid);
        set_int(o, r, "relowner", SYSCAT_ROLE_BOOTSTRAP);
        set_int(o, r, "relam", table ? 2 : 0); /* heap */
        set_int(o, r, "relpages", table ? (s->bytes + 8191) / 8192 : 0);
        set_int(o, r, "reltuples", table ? s->rows : -1);
        set_text(o, r, "relpersistence", "p");
        set_text(o, r, "relkind", table ? "r" : "v");
        set_int(o, r, "relnatts", s->n_attrs);
        set_bool(o, r, "relhasrules", !table);
        set_bool(o, r, "relispopulated", true);
        set_text(o, r, "relreplident", table ? "d" : "n");
        set_bool(o, r, "relisshared", s->def && (!strcmp(s->name, "pg_database") || !strcmp(s->name, "pg_authid") ||
                                                 !strcmp(s->name, "pg_tablespace") ||
                                                 !strcmp(s->name, "pg_shdescription") ||
                                                 !strcmp(s->name, "pg_auth_members")));
    }
}

static void gen_attribute(const SysModel *m, SysRows *o)
{
    for (uint32_t i = 0; i < m->n_rels; i++) {
        const SysRel *s = &m->rels[i];
        for (uint32_t a = 0; a < s->n_attrs; a++) {
            const SysAttr *at = &s->attrs[a];
            const SysType *t = syscat_type_by_oid(at->typoid);
            Value *r = row_begin(o);
            set_int(o, r, "attrelid", s->oid);
            set_text(o, r, "attname", at->name);
            set_int(o, r, "atttypid", at->typoid);
            set_int(o, r, "attstattarget", -1);
            set_int(o, r, "attlen", t ? t->len : -1);
            set_int(o, r, "attnum", a + 1);
            set_int(o, r, "attndims", t && t->category == 'A' ? 1 : 0);
            set_int(o, r, "attcacheoff", -1);
            set_int(o, r, "atttypmod", at->typmod);
            set_bool(o, r, "attbyval", t && t->byval);
            char al[2] = {t ? t->align : 'i', 0}, st[2] = {t ? t->storage : 'x', 0};
            set_text(o, r, "attalign", al);
            set_text(o, r, "attstorage", st);
            set_text(o, r, "attcompression", "");
            set_bool(o, r, "attnotnull", at->notnull);
            set_text(o, r, "attidentity", "");
            set_text(o, r, "attgenerated", "");
            set_bool(o, r, "attislocal", true);
            set_int(o, r, "attcollation", t ? t->collation : 0);
        }
    }
}

static void gen_type(const SysModel *m, SysRows *o)
{
    (void)m;
    for (uint32_t i = 0; i < syscat_n_types; i++) {
        const SysType *t = &syscat_types[i];
        Value *r = row_begin(o);
        char c1[2] = {t->typtype, 0}, c2[2] = {t->category, 0}, c3[2] = {t->delim, 0}, c4[2] = {t->align, 0},
             c5[2] = {t->storage, 0};
        set_int(o, r, "oid", t->oid);
        set_text(o, r, "typname", t->name);
        set_int(o, r, "typnamespace", SYSCAT_NSP_PG_CATALOG);
        set_int(o, r, "typowner", SYSCAT_ROLE_BOOTSTRAP);
        set_int(o, r, "typlen", t->len);
        set_bool(o, r, "typbyval", t->byval);
        set_text(o, r, "typtype", c1);
        set_text(o, r, "typcategory", c2);
        set_bool(o, r, "typispreferred", t->preferred);
        set_bool(o, r, "typisdefined", true);
        set_text(o, r, "typdelim", c3);
        set_int(o, r, "typelem", t->elem);
        set_int(o, r, "typarray", t->array);
        set_text(o, r, "typalign", c4);
        set_text(o, r, "typstorage", c5);
        set_int(o, r, "typinput", t->input_oid);
        set_int(o, r, "typoutput", t->output_oid);
        set_int(o, r, "typtypmod", -1);
        set_int(o, r, "typcollation", t->collation);
    }
}

static void gen_database(const SysModel *m, SysRows *o)
{
    Value *r = row_begin(o);
    set_int(o, r, "oid", SYSCAT_DATABASE_OID);
    set_text(o, r, "datname", m->database);
    set_int(o, r, "datdba", SYSCAT_ROLE_BOOTSTRAP);
    set_int(o, r, "encoding", 6); /* UTF8 */
    set_text(o, r, "datlocprovider", "c");
    set_bool(o, r, "datallowconn", true);
    set_int(o, r, "datconnlimit", -1);
    set_int(o, r, "dattablespace", 1663);
    set_text(o, r, "datcollate", "C");
    set_text(o, r, "datctype", "C");
}

static void gen_roles(const SysModel *m, SysRows *o, bool user_view)
{
    for (uint32_t i = 0; i < m->n_roles; i++) {
        const SysRole *ro = &m->roles[i];
        if (user_view && !ro->login)
            continue;
        Value *r = row_begin(o);
        if (user_view) {
            set_text(o, r, "usename", ro->name);
            set_int(o, r, "usesysid", ro->oid);
            set_bool(o, r, "usecreatedb", ro->super);
            set_bool(o, r, "usesuper", ro->super);
            set_bool(o, r, "userepl", ro->super);
            set_bool(o, r, "usebypassrls", ro->super);
            set_text(o, r, "passwd", "********");
            continue;
        }
        set_int(o, r, "oid", ro->oid);
        set_text(o, r, "rolname", ro->name);
        set_bool(o, r, "rolsuper", ro->super);
        set_bool(o, r, "rolinherit", true);
        set_bool(o, r, "rolcreaterole", ro->super);
        set_bool(o, r, "rolcreatedb", ro->super);
        set_bool(o, r, "rolcanlogin", ro->login);
        set_bool(o, r, "rolreplication", ro->super); /* the session user is PostgreSQL's bootstrap superuser */
        set_bool(o, r, "rolbypassrls", ro->super);
        set_int(o, r, "rolconnlimit", -1);
        set_text(o, r, "rolpassword", "********");
    }
}

static void gen_am(SysRows *o)
{
    static const struct { int oid; const char *name, *type; } am[] = {{2, "heap", "t"}, {403, "btree", "i"}, {405, "hash", "i"}};
    for (size_t i = 0; i < sizeof am / sizeof am[0]; i++) {
        Value *r = row_begin(o);
        set_int(o, r, "oid", am[i].oid);
        set_text(o, r, "amname", am[i].name);
        set_text(o, r, "amtype", am[i].type);
    }
}

static void gen_collation(SysRows *o)
{
    static const struct { int oid; const char *name, *prov, *coll; } cl[] = {
        {100, "default", "d", NULL}, {950, "C", "c", "C"}, {951, "POSIX", "c", "POSIX"}};
    for (size_t i = 0; i < sizeof cl / sizeof cl[0]; i++) {
        Value *r = row_begin(o);
        set_int(o, r, "oid", cl[i].oid);
        set_text(o, r, "collname", cl[i].name);
        set_int(o, r, "collnamespace", SYSCAT_NSP_PG_CATALOG);
        set_int(o, r, "collowner", SYSCAT_ROLE_BOOTSTRAP);
        set_text(o, r, "collprovider", cl[i].prov);
        set_bool(o, r, "collisdeterministic", true);
        set_int(o, r, "collencoding", -1);
        set_text(o, r, "collcollate", cl[i].coll);
        set_text(o, r, "collctype", cl[i].coll);
    }
}

static void gen_tablespace(SysRows *o)
{
    static const struct { int oid; const char *name; } ts[] = {{1663, "pg_default"}, {1664, "pg_global"}};
    for (size_t i = 0; i < 2; i++) {
        Value *r = row_begin(o);
        set_int(o, r, "oid", ts[i].oid);
        set_text(o, r, "spcname", ts[i].name);
        set_int(o, r, "spcowner", SYSCAT_ROLE_BOOTSTRAP);
    }
}

static void gen_language(SysRows *o)
{
    static const struct { int oid; const char *name; } lg[] = {{12, "internal"}, {13, "c"}, {14, "sql"}};
    for (size_t i = 0; i < 3; i++) {
        Value *r = row_begin(o);
        set_int(o, r, "oid", lg[i].oid);
        set_text(o, r, "lanname", lg[i].name);
        set_int(o, r, "lanowner", SYSCAT_ROLE_BOOTSTRAP);
        set_bool(o, r, "lanpltrusted", lg[i].oid == 14);
    }
}

/* PostgreSQL type OID of a registry argument / result code. */
static uint32_t func_type_oid(uint8_t code)
{
    switch (code) {
    case FUNC_T_ANY: return 2276;
    case FUNC_T_ANYELEMENT: return 2283;
    case FUNC_T_ANYNUMERIC: return 5077; /* anycompatiblenumeric is not a PG type: use anycompatible */
    case FUNC_T_ANYARRAY: return 2277;
    case TYPE_INVALID: return 2283;
    default: {
        LogicalType t = type_simple((TypeId)code);
        if (code == TYPE_DECIMAL)
            t = type_decimal(38, 10);
        return code < TYPE__COUNT ? sqltype_oid(&t) : 2276;
    }
    }
}

static void proc_args(const FuncDef *f, char *args, size_t cap)
{
    size_t len = 0;
    args[0] = 0;
    for (uint32_t a = 0; a < f->n_args && len + 12 < cap; a++)
        len += (size_t)snprintf(args + len, cap - len, "%s%u", a ? " " : "", func_type_oid(f->args[a]));
}

uint32_t syscat_proc_oid(const FuncDef *f)
{
    char key[200], args[160];
    proc_args(f, args, sizeof args);
    snprintf(key, sizeof key, "pg_catalog.%s(%s)", f->name, args);
    return syscat_name_oid(key);
}

static void gen_proc(const SysModel *m, SysRows *o)
{
    (void)m;
    uint32_t n;
    const FuncDef *const *all = func_all(&n);
    for (uint32_t i = 0; i < n; i++) {
        const FuncDef *f = all[i];
        if (f->kind == FUNC_OPERATOR || !f->name || !((f->name[0] >= 'a' && f->name[0] <= 'z') || f->name[0] == '_'))
            continue;
        char args[160];
        proc_args(f, args, sizeof args);
        Value *r = row_begin(o);
        set_int(o, r, "oid", syscat_proc_oid(f));
        set_text(o, r, "proname", f->name);
        set_int(o, r, "pronamespace", SYSCAT_NSP_PG_CATALOG);
        set_int(o, r, "proowner", SYSCAT_ROLE_BOOTSTRAP);
        set_int(o, r, "prolang", 12);
        set_int(o, r, "procost", 1);
        set_text(o, r, "prokind", f->kind == FUNC_AGGREGATE ? "a" : "f");
        set_bool(o, r, "proisstrict", (f->flags & FUNC_STRICT) != 0);
        set_bool(o, r, "proretset", f->kind == FUNC_SRF);
        set_text(o, r, "provolatile", f->flags & FUNC_VOLATILE ? "v" : f->flags & FUNC_STABLE ? "s" : "i");
        set_text(o, r, "proparallel", "s");
        set_int(o, r, "pronargs", f->n_args);
        set_int(o, r, "prorettype", func_type_oid(f->ret));
        char vec[170];
        snprintf(vec, sizeof vec, "{%s}", args);
        for (char *p = vec; *p; p++)
            if (*p == ' ')
                *p = ',';
        set_text(o, r, "proargtypes", vec);
        set_text(o, r, "prosrc", f->name);
    }
}

static void gen_settings(const SysModel *m, SysRows *o)
{
    tarn_db *db = m->settings ? m->settings->session : NULL;
    tarn_result *res = NULL;
    TarnError e;
    memset(&e, 0, sizeof e);
    if (!db || sql_setting_show_all(db, &res, &e))
        return;
    for (int i = 0; i < (int)tarn_result_nrows(res); i++) {
        Value *r = row_begin(o);
        set_text(o, r, "name", tarn_result_value(res, i, 0));
        set_text(o, r, "setting", tarn_result_value(res, i, 1));
        set_text(o, r, "short_desc", tarn_result_value(res, i, 2));
        set_text(o, r, "category", "Ungrouped");
        set_text(o, r, "context", "user");
        set_text(o, r, "vartype", "string");
        set_text(o, r, "source", "default");
        set_text(o, r, "boot_val", tarn_result_value(res, i, 1));
        set_text(o, r, "reset_val", tarn_result_value(res, i, 1));
        set_bool(o, r, "pending_restart", false);
    }
    tarn_result_free(res);
}

static void gen_tables_view(const SysModel *m, SysRows *o, bool views)
{
    for (uint32_t i = 0; i < m->n_rels; i++) {
        const SysRel *s = &m->rels[i];
        if ((s->kind == 'v') != views)
            continue;
        Value *r = row_begin(o);
        set_text(o, r, "schemaname", s->schema);
        set_text(o, r, views ? "viewname" : "tablename", s->name);
        set_text(o, r, views ? "viewowner" : "tableowner", role_name(m, SYSCAT_ROLE_BOOTSTRAP));
        set_text(o, r, "definition", s->view_sql);
    }
}

static void gen_stat_tables(const SysModel *m, SysRows *o)
{
    bool user_only = !strcmp(o->def->name, "pg_stat_user_tables") || !strcmp(o->def->name, "pg_statio_user_tables");
    for (uint32_t i = 0; i < m->n_rels; i++) {
        const SysRel *s = &m->rels[i];
        if (s->kind != 'r' || (user_only && s->def))
            continue;
        Value *r = row_begin(o);
        set_int(o, r, "relid", s->oid);
        set_text(o, r, "schemaname", s->schema);
        set_text(o, r, "relname", s->name);
        int c = col_of(o->def, "n_live_tup");
        if (c >= 0 && r && s->rows >= 0)
            r[c] = value_i64(TYPE_INT64, s->rows);
    }
}

static void gen_stat_activity(const SysModel *m, SysRows *o)
{
    Value *r = row_begin(o);
    set_int(o, r, "datid", SYSCAT_DATABASE_OID);
    set_text(o, r, "datname", m->database);
    set_int(o, r, "pid", (int64_t)getpid());
    set_int(o, r, "usesysid", SYSCAT_ROLE_BOOTSTRAP);
    set_text(o, r, "usename", role_name(m, SYSCAT_ROLE_BOOTSTRAP));
    set_text(o, r, "state", "active");
    set_text(o, r, "backend_type", "client backend");
}

static const SysColDef keyword_cols[] = {
    {"word", SC_TEXT, 25, -1}, {"catcode", SC_CHAR, 18, -1}, {"barelabel", SC_BOOL, 16, -1},
    {"catdesc", SC_TEXT, 25, -1}, {"baredesc", SC_TEXT, 25, -1},
};
const SysRelDef syscat_keywords_def = {"pg_catalog", "pg_get_keywords", 0, 'f', keyword_cols, 5};

static void gen_keywords(SysRows *o)
{
    for (uint32_t i = 0; i < syscat_n_keywords; i++) {
        const SysKeyword *k = &syscat_keywords[i];
        char cc[2] = {k->catcode, 0};
        Value *r = row_begin(o);
        set_text(o, r, "word", k->word);
        set_text(o, r, "catcode", cc);
        set_bool(o, r, "barelabel", k->barelabel);
        set_text(o, r, "catdesc", k->catcode == 'U' ? "unreserved" : k->catcode == 'C' ? "unreserved (cannot be function or type name)"
                                  : k->catcode == 'T' ? "reserved (can be function or type name)" : "reserved");
        set_text(o, r, "baredesc", k->barelabel ? "can be bare label" : "requires AS");
    }
}

/* ---- information_schema ----------------------------------------------------------------- */

/* information_schema.columns.data_type and friends of a PostgreSQL type. */
static void info_type(const SysAttr *at, const char **data_type, const char **udt, int64_t *char_len,
                      int64_t *octet_len, int64_t *prec, int64_t *radix, int64_t *scale, int64_t *dt_prec)
{
    const SysType *t = syscat_type_by_oid(at->typoid);
    *udt = t ? t->name : "text";
    *char_len = *octet_len = *prec = *radix = *scale = *dt_prec = -1;
    *data_type = t ? t->sql : "text";
    if (t && t->category == 'A')
        *data_type = "ARRAY";
    switch (at->typoid) {
    case 21: *prec = 16; *radix = 2; *scale = 0; break;
    case 23: *prec = 32; *radix = 2; *scale = 0; break;
    case 20: *prec = 64; *radix = 2; *scale = 0; break;
    case 700: *prec = 24; *radix = 2; break;
    case 701: *prec = 53; *radix = 2; break;
    case PG_OID_NUMERIC:
        *radix = 10;
        if (at->typmod >= 4) {
            *prec = ((at->typmod - 4) >> 16) & 0xffff;
            *scale = (at->typmod - 4) & 0xffff;
        }
        break;
    case PG_OID_VARCHAR: case PG_OID_BPCHAR:
        if (at->typmod >= 4) {
            *char_len = at->typmod - 4;
            *octet_len = *char_len * 4;
        } else {
            *octet_len = 1073741824;
        }
        break;
    case PG_OID_TEXT:
        *octet_len = 1073741824;
        break;
    case 18:
        *data_type = "\"char\"";
        *char_len = 1;
        *octet_len = 4;
        break;
    case PG_OID_DATE: *dt_prec = 0; break;
    case PG_OID_TIME: case PG_OID_TIMESTAMP: case PG_OID_TIMESTAMPTZ: case PG_OID_INTERVAL:
        *dt_prec = 6;
        break;
    default:
        break;
    }
    if (t && t->typtype == 'p')
        *data_type = t->name;
}

static void set_opt_int(SysRows *o, Value *r, const char *col, int64_t v)
{
    if (v >= 0)
        set_int(o, r, col, v);
}

static void gen_info(const SysModel *m, SysRows *o)
{
    const char *n = o->def->name;
    const char *owner = role_name(m, SYSCAT_ROLE_BOOTSTRAP);
    if (!strcmp(n, "schemata")) {
        for (uint32_t i = 0; i < m->n_nsps; i++) {
            Value *r = row_begin(o);
            set_text(o, r, "catalog_name", m->database);
            set_text(o, r, "schema_name", m->nsps[i].name);
            set_text(o, r, "schema_owner", owner);
        }
    } else if (!strcmp(n, "tables")) {
        for (uint32_t i = 0; i < m->n_rels; i++) {
            const SysRel *s = &m->rels[i];
            Value *r = row_begin(o);
            set_text(o, r, "table_catalog", m->database);
            set_text(o, r, "table_schema", s->schema);
            set_text(o, r, "table_name", s->name);
            set_text(o, r, "table_type", s->kind == 'r' ? "BASE TABLE" : "VIEW");
            set_text(o, r, "is_insertable_into", yes_no(s->kind == 'r'));
            set_text(o, r, "is_typed", "NO");
        }
    } else if (!strcmp(n, "views")) {
        for (uint32_t i = 0; i < m->n_rels; i++) {
            const SysRel *s = &m->rels[i];
            if (s->kind != 'v')
                continue;
            Value *r = row_begin(o);
            set_text(o, r, "table_catalog", m->database);
            set_text(o, r, "table_schema", s->schema);
            set_text(o, r, "table_name", s->name);
            set_text(o, r, "view_definition", s->view_sql);
            set_text(o, r, "check_option", "NONE");
            set_text(o, r, "is_updatable", "NO");
            set_text(o, r, "is_insertable_into", "NO");
            set_text(o, r, "is_trigger_updatable", "NO");
            set_text(o, r, "is_trigger_deletable", "NO");
            set_text(o, r, "is_trigger_insertable_into", "NO");
        }
    } else if (!strcmp(n, "columns")) {
        for (uint32_t i = 0; i < m->n_rels; i++) {
            const SysRel *s = &m->rels[i];
            for (uint32_t a = 0; a < s->n_attrs; a++) {
                const SysAttr *at = &s->attrs[a];
                const char *dt, *udt;
                int64_t cl, ol, p, rx, sc, dp;
                info_type(at, &dt, &udt, &cl, &ol, &p, &rx, &sc, &dp);
                char dtd[16];
                snprintf(dtd, sizeof dtd, "%u", a + 1);
                Value *r = row_begin(o);
                set_text(o, r, "table_catalog", m->database);
                set_text(o, r, "table_schema", s->schema);
                set_text(o, r, "table_name", s->name);
                set_text(o, r, "column_name", at->name);
                set_int(o, r, "ordinal_position", a + 1);
                set_text(o, r, "is_nullable", yes_no(!at->notnull));
                set_text(o, r, "data_type", dt);
                set_opt_int(o, r, "character_maximum_length", cl);
                set_opt_int(o, r, "character_octet_length", ol);
                set_opt_int(o, r, "numeric_precision", p);
                set_opt_int(o, r, "numeric_precision_radix", rx);
                set_opt_int(o, r, "numeric_scale", sc);
                set_opt_int(o, r, "datetime_precision", dp);
                set_text(o, r, "udt_catalog", m->database);
                set_text(o, r, "udt_schema", "pg_catalog");
                set_text(o, r, "udt_name", udt);
                set_text(o, r, "dtd_identifier", dtd);
                set_text(o, r, "is_self_referencing", "NO");
                set_text(o, r, "is_identity", "NO");
                set_text(o, r, "identity_cycle", "NO");
                set_text(o, r, "is_generated", "NEVER");
                set_text(o, r, "is_updatable", yes_no(s->kind == 'r'));
            }
        }
    } else if (!strcmp(n, "information_schema_catalog_name")) {
        Value *r = row_begin(o);
        set_text(o, r, "catalog_name", m->database);
    } else if (!strcmp(n, "enabled_roles")) {
        for (uint32_t i = 0; i < m->n_roles; i++) {
            Value *r = row_begin(o);
            set_text(o, r, "role_name", m->roles[i].name);
        }
    } else if (!strcmp(n, "character_sets")) {
        Value *r = row_begin(o);
        set_text(o, r, "character_set_name", "UTF8");
        set_text(o, r, "character_repertoire", "UCS");
        set_text(o, r, "form_of_use", "UTF8");
        set_text(o, r, "default_collate_catalog", m->database);
        set_text(o, r, "default_collate_schema", "pg_catalog");
        set_text(o, r, "default_collate_name", "C");
    }
}

int syscat_rows(const SysModel *m, const SysRelDef *def, SysRows *o)
{
    o->def = def;
    o->vals = NULL;
    o->n_rows = o->cap = 0;
    o->nomem = 0;
    const char *n = def->name;
    if (def == &syscat_keywords_def)
        gen_keywords(o);
    else if (!strcmp(def->schema, "information_schema"))
        gen_info(m, o);
    else if (!strcmp(n, "pg_namespace"))
        gen_namespace(m, o);
    else if (!strcmp(n, "pg_class"))
        gen_class(m, o);
    else if (!strcmp(n, "pg_attribute"))
        gen_attribute(m, o);
    else if (!strcmp(n, "pg_type"))
        gen_type(m, o);
    else if (!strcmp(n, "pg_database"))
        gen_database(m, o);
    else if (!strcmp(n, "pg_roles"))
        gen_roles(m, o, false);
    else if (!strcmp(n, "pg_user"))
        gen_roles(m, o, true);
    else if (!strcmp(n, "pg_am"))
        gen_am(o);
    else if (!strcmp(n, "pg_collation"))
        gen_collation(o);
    else if (!strcmp(n, "pg_tablespace"))
        gen_tablespace(o);
    else if (!strcmp(n, "pg_language"))
        gen_language(o);
    else if (!strcmp(n, "pg_proc"))
        gen_proc(m, o);
    else if (!strcmp(n, "pg_settings"))
        gen_settings(m, o);
    else if (!strcmp(n, "pg_tables"))
        gen_tables_view(m, o, false);
    else if (!strcmp(n, "pg_views"))
        gen_tables_view(m, o, true);
    else if (!strcmp(n, "pg_stat_user_tables") || !strcmp(n, "pg_stat_all_tables") ||
             !strcmp(n, "pg_statio_user_tables"))
        gen_stat_tables(m, o);
    else if (!strcmp(n, "pg_stat_activity"))
        gen_stat_activity(m, o);
    /* every other relation is empty: tarn has no indexes, constraints,
     * defaults, comments, inheritance, triggers, rules, policies,
     * publications, extensions, sequences or role memberships */
    return o->nomem ? TARN_ERR_NOMEM : 0;
}
