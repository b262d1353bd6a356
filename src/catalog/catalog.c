/*
 * catalog.c - the lake's schemas, tables and views (see catalog.h).
 */
#include "catalog/catalog.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define VIEW_FILE "_tarn_view.sql"

/* What a stat of a schema folder saw: the folder's own entries (the
 * relations' folders) change its mtime and ctime. */
typedef struct DirState {
    bool valid;
    dev_t dev;
    ino_t ino;
    struct timespec mtime, ctime;
} DirState;

/* What a stat of a table's first commit file saw (see v0_changed). */
typedef struct FileId {
    bool exists;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime, ctime;
} FileId;

typedef struct RelEntry {
    CatalogRel rel;
    DirState schema_dir; /* REL_TABLE: the schema folder when the table's _delta_log was last seen (valid only
                            when that state was stable, see dir_stable) */
    dev_t log_dev;       /* REL_TABLE: the _delta_log folder the handle was opened on */
    ino_t log_ino;
    FileId v0;           /* REL_TABLE: its commit 0 then (see v0_changed) */
    struct RelEntry *next;
} RelEntry;

/* Schema folder stats taken in the current statement scope. */
#define SCHEMA_MEMO 4
typedef struct SchemaMemo {
    char name[256];
    uint64_t epoch;
    bool exists;
    DirState st; /* valid when exists and the mtime / ctime are stable */
} SchemaMemo;

struct Catalog {
    char *root;             /* lake directory */
    Storage *storage;       /* over root */
    RelEntry *rels;         /* cached relations (tables keep open handles) */
    uint64_t epoch;         /* bumped by catalog_scope_begin / _end and by every change made here */
    bool scope_open;        /* inside catalog_scope_begin .. _end: SchemaMemo entries of `epoch` hold */
    uint32_t memo_next;
    SchemaMemo memo[SCHEMA_MEMO];
};

int catalog_check_name(const char *name, TarnError *err)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 255 || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..") ||
        name[0] == '_')
        return err_set_state(err, TARN_ERR_INVALID, "42602", "invalid name \"%s\"", name ? name : "");
    return 0;
}

static int path_join(char *buf, size_t cap, const char *a, const char *b, const char *c, TarnError *err)
{
    /* "a/b" or "a/b/c" without snprintf: several joins per statement */
    size_t la = strlen(a), lb = strlen(b), lc = c ? strlen(c) : 0;
    size_t need = la + 1 + lb + (c ? 1 + lc : 0);
    if (need >= cap)
        return err_set(err, TARN_ERR_INVALID, "path too long");
    memcpy(buf, a, la);
    buf[la] = '/';
    memcpy(buf + la + 1, b, lb);
    if (c) {
        buf[la + 1 + lb] = '/';
        memcpy(buf + la + 2 + lb, c, lc);
    }
    buf[need] = 0;
    return 0;
}

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}
static bool exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* A folder's timestamps are only trusted to change on the next change when
 * they are older than the file system's timestamp granularity (coarse
 * kernel ticks; 1-2 s on some network and FAT file systems): a change in the
 * same tick as an earlier one may leave them as they are ("racy" stats, as
 * git calls them).  2 s is past every granularity in use. */
static bool dir_stable(const struct stat *st)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t limit = (int64_t)now.tv_sec - 2;
    return (int64_t)st->st_mtim.tv_sec < limit && (int64_t)st->st_ctim.tv_sec < limit;
}

static bool dir_state_eq(const DirState *a, const DirState *b)
{
    return a->valid && b->valid && a->dev == b->dev && a->ino == b->ino && a->mtime.tv_sec == b->mtime.tv_sec &&
           a->mtime.tv_nsec == b->mtime.tv_nsec && a->ctime.tv_sec == b->ctime.tv_sec &&
           a->ctime.tv_nsec == b->ctime.tv_nsec;
}

void catalog_scope_begin(Catalog *c)
{
    c->epoch++;
    c->scope_open = true;
}

void catalog_scope_end(Catalog *c)
{
    c->epoch++;
    c->scope_open = false;
}

/* Stats a schema folder, at most once per statement scope (a change this
 * catalog makes bumps the epoch).  *state_out (may be NULL) gets the folder's
 * state when it exists and is stable, else valid = false. */
static bool schema_dir_stat(Catalog *c, const char *schema, DirState *state_out)
{
    size_t len = strlen(schema);
    if (c->scope_open && len < sizeof c->memo[0].name)
        for (uint32_t i = 0; i < SCHEMA_MEMO; i++) {
            SchemaMemo *m = &c->memo[i];
            if (m->epoch == c->epoch && !strcmp(m->name, schema)) {
                if (state_out)
                    *state_out = m->st;
                return m->exists;
            }
        }
    char p[PATH_MAX];
    struct stat st;
    bool ok = path_join(p, sizeof p, c->root, schema, NULL, NULL) == 0 && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
    DirState ds = {0};
    if (ok && dir_stable(&st)) {
        ds.valid = true;
        ds.dev = st.st_dev;
        ds.ino = st.st_ino;
        ds.mtime = st.st_mtim;
        ds.ctime = st.st_ctim;
    }
    if (c->scope_open && len < sizeof c->memo[0].name) {
        SchemaMemo *m = &c->memo[c->memo_next++ % SCHEMA_MEMO];
        memcpy(m->name, schema, len + 1);
        m->epoch = c->epoch;
        m->exists = ok;
        m->st = ds;
    }
    if (state_out)
        *state_out = ds;
    return ok;
}

Catalog *catalog_open(const char *lake_dir, TarnError *err)
{
    Catalog *c = tarn_calloc(1, sizeof *c);
    if (!c) {
        ERR_NOMEM(err, sizeof *c);
        return NULL;
    }
    c->root = tarn_strdup(lake_dir);
    if (!c->root) {
        ERR_NOMEM(err, strlen(lake_dir));
        goto fail;
    }
    c->storage = storage_open_local(lake_dir, true, err);
    if (!c->storage) {
        err_context(err, "opening lake \"%s\"", lake_dir);
        goto fail;
    }
    char p[PATH_MAX];
    if (path_join(p, sizeof p, lake_dir, "public", NULL, err))
        goto fail;
    if (!is_dir(p) && mkdir(p, 0777) != 0 && errno != EEXIST) {
        err_set(err, TARN_ERR_IO, "cannot create schema directory \"%s\": %s", p, strerror(errno));
        goto fail;
    }
    return c;
fail:
    catalog_close(c);
    return NULL;
}

static void rel_free_fields(CatalogRel *r)
{
    if (r->table)
        delta_table_close(r->table);
    tarn_free(r->schema);
    tarn_free(r->name);
    tarn_free(r->view_sql);
}

void catalog_close(Catalog *c)
{
    if (!c)
        return;
    for (RelEntry *e = c->rels, *nx; e; e = nx) {
        nx = e->next;
        rel_free_fields(&e->rel);
        tarn_free(e);
    }
    if (c->storage)
        storage_close(c->storage);
    tarn_free(c->root);
    tarn_free(c);
}

const char *catalog_root(const Catalog *c) { return c->root; }
Storage *catalog_storage(Catalog *c) { return c->storage; }

/* ---- Schemas --------------------------------------------------------------------- */

bool catalog_schema_exists(Catalog *c, const char *schema)
{
    if (catalog_check_name(schema, NULL))
        return false;
    return schema_dir_stat(c, schema, NULL);
}

int catalog_create_schema(Catalog *c, const char *schema, bool if_not_exists, TarnError *err)
{
    c->epoch++;
    int rc = catalog_check_name(schema, err);
    if (rc)
        return rc;
    char p[PATH_MAX];
    if ((rc = path_join(p, sizeof p, c->root, schema, NULL, err)))
        return rc;
    if (mkdir(p, 0777) != 0) {
        if (errno == EEXIST) {
            if (if_not_exists)
                return 0;
            return err_set_state(err, TARN_ERR_INVALID, "42P06", "schema \"%s\" already exists", schema);
        }
        return err_set(err, TARN_ERR_IO, "cannot create schema directory \"%s\": %s", p, strerror(errno));
    }
    return 0;
}

static int rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(path);
}

static int remove_tree(const char *p, TarnError *err)
{
    if (nftw(p, rm_cb, 16, FTW_DEPTH | FTW_PHYS) != 0 && errno != ENOENT)
        return err_set(err, TARN_ERR_IO, "cannot remove \"%s\": %s", p, strerror(errno));
    return 0;
}

/* Forgets cached relations of a schema (or one relation when name != NULL). */
static void forget(Catalog *c, const char *schema, const char *name)
{
    RelEntry **pp = &c->rels;
    while (*pp) {
        RelEntry *e = *pp;
        if (!strcmp(e->rel.schema, schema) && (!name || !strcmp(e->rel.name, name))) {
            *pp = e->next;
            rel_free_fields(&e->rel);
            tarn_free(e);
        } else {
            pp = &e->next;
        }
    }
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int list_dir(const char *dir, Arena *a, char ***names_out, uint32_t *n_out, bool want_dirs, TarnError *err)
{
    *names_out = NULL;
    *n_out = 0;
    DIR *d = opendir(dir);
    if (!d)
        return err_set(err, TARN_ERR_IO, "cannot list \"%s\": %s", dir, strerror(errno));
    uint32_t n = 0, cap = 16;
    char **names = arena_alloc(a, cap * sizeof(char *));
    struct dirent *de;
    int rc = 0;
    while (names && (de = readdir(d))) {
        if (de->d_name[0] == '.' || de->d_name[0] == '_')
            continue;
        char p[PATH_MAX];
        if (snprintf(p, sizeof p, "%s/%s", dir, de->d_name) >= (int)sizeof p)
            continue;
        if (want_dirs && !is_dir(p))
            continue;
        if (n == cap) {
            char **nn = arena_alloc(a, 2 * cap * sizeof(char *));
            if (!nn) {
                names = NULL;
                break;
            }
            memcpy(nn, names, n * sizeof(char *));
            names = nn;
            cap *= 2;
        }
        if (!(names[n++] = arena_strdup(a, de->d_name))) {
            names = NULL;
            break;
        }
    }
    closedir(d);
    if (!names)
        return ERR_NOMEM(err, cap * sizeof(char *));
    qsort(names, n, sizeof(char *), cmp_str);
    *names_out = names;
    *n_out = n;
    return rc;
}

int catalog_list_schemas(Catalog *c, Arena *a, char ***names_out, uint32_t *n_out, TarnError *err)
{
    return list_dir(c->root, a, names_out, n_out, true, err);
}

int catalog_list_relations(Catalog *c, const char *schema, Arena *a, char ***names_out, RelKind **kinds_out,
                           uint32_t *n_out, TarnError *err)
{
    char p[PATH_MAX];
    int rc = path_join(p, sizeof p, c->root, schema, NULL, err);
    if (rc)
        return rc;
    char **all;
    uint32_t n_all;
    if ((rc = list_dir(p, a, &all, &n_all, true, err)))
        return rc;
    RelKind *kinds = arena_alloc(a, (n_all ? n_all : 1) * sizeof(RelKind));
    if (!kinds)
        return ERR_NOMEM(err, n_all);
    uint32_t n = 0;
    for (uint32_t i = 0; i < n_all; i++) {
        char q[PATH_MAX];
        if (snprintf(q, sizeof q, "%s/%s/_delta_log", p, all[i]) < (int)sizeof q && is_dir(q)) {
            kinds[n] = REL_TABLE;
            all[n++] = all[i];
        } else if (snprintf(q, sizeof q, "%s/%s/" VIEW_FILE, p, all[i]) < (int)sizeof q && exists(q)) {
            kinds[n] = REL_VIEW;
            all[n++] = all[i];
        }
    }
    *names_out = all;
    *kinds_out = kinds;
    *n_out = n;
    return 0;
}

int catalog_drop_schema(Catalog *c, const char *schema, bool if_exists, bool cascade, TarnError *err)
{
    c->epoch++;
    if (!catalog_schema_exists(c, schema)) {
        if (if_exists)
            return 0;
        return err_set_state(err, TARN_ERR_NOT_FOUND, "3F000", "schema \"%s\" does not exist", schema);
    }
    char p[PATH_MAX];
    int rc = path_join(p, sizeof p, c->root, schema, NULL, err);
    if (rc)
        return rc;
    Arena a;
    arena_init(&a, 0);
    char **names;
    RelKind *kinds;
    uint32_t n;
    rc = catalog_list_relations(c, schema, &a, &names, &kinds, &n, err);
    if (!rc && n && !cascade) {
        rc = err_set_state(err, TARN_ERR_INVALID, "2BP01", "cannot drop schema %s because other objects depend on it",
                           schema);
        err_detail(err, "%s %s.%s depends on schema %s", kinds[0] == REL_TABLE ? "table" : "view", schema, names[0],
                   schema);
        err_hint(err, "Use DROP ... CASCADE to drop the dependent objects too.");
    }
    arena_free(&a);
    if (rc)
        return rc;
    forget(c, schema, NULL);
    return remove_tree(p, err);
}

int catalog_creation_schema(Catalog *c, const char *schema, const char *const *search_path, uint32_t n_path,
                            const char **out, TarnError *err)
{
    if (schema) {
        if (!catalog_schema_exists(c, schema))
            return err_set_state(err, TARN_ERR_NOT_FOUND, "3F000", "schema \"%s\" does not exist", schema);
        *out = schema;
        return 0;
    }
    for (uint32_t i = 0; i < n_path; i++) {
        if (catalog_schema_exists(c, search_path[i])) {
            *out = search_path[i];
            return 0;
        }
    }
    return err_set_state(err, TARN_ERR_NOT_FOUND, "3F000", "no schema has been selected to create in");
}

/* ---- Relations ---------------------------------------------------------------------- */

static RelEntry *cached(Catalog *c, const char *schema, const char *name)
{
    for (RelEntry *e = c->rels; e; e = e->next)
        if (!strcmp(e->rel.schema, schema) && !strcmp(e->rel.name, name))
            return e;
    return NULL;
}

/* Whether a _delta_log folder holds a commit or a checkpoint: a table
 * another writer is creating right now (or one that died doing so) has the
 * folder but no version yet, and is not a relation until its first commit
 * (PostgreSQL shows no uncommitted table either).  One stat for almost any
 * table (commit 0 or _last_checkpoint); a listing otherwise. */
static bool log_has_commit(const char *log_dir, const FileId *v0)
{
    char p[PATH_MAX + 64];
    if (v0->exists)
        return true;
    snprintf(p, sizeof p, "%s/_last_checkpoint", log_dir);
    if (exists(p))
        return true;
    DIR *d = opendir(log_dir);
    if (!d)
        return false;
    bool any = false;
    struct dirent *de;
    while (!any && (de = readdir(d))) {
        size_t k = 0;
        while (de->d_name[k] >= '0' && de->d_name[k] <= '9')
            k++;
        any = k == 20 && de->d_name[k] == '.';
    }
    closedir(d);
    return any;
}

static void v0_stat(const char *log_dir, FileId *out)
{
    char p[PATH_MAX + 64];
    struct stat st;
    memset(out, 0, sizeof *out);
    snprintf(p, sizeof p, "%s/00000000000000000000.json", log_dir);
    if (stat(p, &st) != 0 || !S_ISREG(st.st_mode))
        return;
    out->exists = true;
    out->dev = st.st_dev;
    out->ino = st.st_ino;
    out->size = st.st_size;
    out->mtime = st.st_mtim;
    out->ctime = st.st_ctim;
}

/* Whether the table under a cached handle's _delta_log folder (same dev and
 * inode: a folder made right after the old one was deleted may get its
 * inode back) is another one: a commit file is written once and never
 * changed, so the same table has the same commit 0 - or none, once log
 * clean-up removed it, while a table created anew always has one. */
static bool v0_changed(const FileId *then, const FileId *now)
{
    if (!now->exists)
        return false;
    return !then->exists || then->dev != now->dev || then->ino != now->ino || then->size != now->size ||
           then->mtime.tv_sec != now->mtime.tv_sec || then->mtime.tv_nsec != now->mtime.tv_nsec ||
           then->ctime.tv_sec != now->ctime.tv_sec || then->ctime.tv_nsec != now->ctime.tv_nsec;
}

static int load_rel(Catalog *c, const char *schema, const char *name, CatalogRel **out, bool *found, TarnError *err)
{
    *found = false;
    char p[PATH_MAX], q[PATH_MAX + 32];
    int rc = path_join(p, sizeof p, c->root, schema, name, err);
    if (rc)
        return rc;
    if (snprintf(q, sizeof q, "%s/_delta_log", p) >= (int)sizeof q)
        return err_set(err, TARN_ERR_INVALID, "path too long");
    RelEntry *e = cached(c, schema, name);
    bool cached_table = e && e->rel.kind == REL_TABLE;
    /* A cached table whose schema folder is as it was when its _delta_log
     * was last seen is still there: dropping, renaming or re-creating it
     * (here or in any process) changes that folder.  The folder's stat is
     * taken once per statement scope (catalog_schema_exists memoizes it),
     * so a statement costs no stat per table here. */
    DirState sd = {0};
    if (c->scope_open)
        schema_dir_stat(c, schema, &sd);
    if (cached_table && dir_state_eq(&sd, &e->schema_dir)) {
        *out = &e->rel;
        *found = true;
        return 0;
    }
    struct stat lst;
    bool log_dir = stat(q, &lst) == 0 && S_ISDIR(lst.st_mode);
    /* a table dropped and created again (by any process) since the handle was
     * opened has another _delta_log folder: open the new one */
    if (cached_table && log_dir && (lst.st_dev != e->log_dev || lst.st_ino != e->log_ino))
        cached_table = false;
    /* ... or the same folder inode with another commit 0 (one stat, only when the schema folder changed) */
    FileId v0 = {0};
    if (log_dir)
        v0_stat(q, &v0);
    if (cached_table && v0_changed(&e->v0, &v0))
        cached_table = false;
    if (log_dir && (cached_table || log_has_commit(q, &v0))) {
        if (cached_table) {
            e->schema_dir = sd; /* taken before the check above */
            e->v0 = v0;
            *out = &e->rel;
            *found = true;
            return 0;
        }
        if (e)
            forget(c, schema, name);
        e = tarn_calloc(1, sizeof *e);
        if (!e)
            return ERR_NOMEM(err, sizeof *e);
        e->rel.kind = REL_TABLE;
        e->rel.schema = tarn_strdup(schema);
        e->rel.name = tarn_strdup(name);
        char root[PATH_MAX];
        snprintf(root, sizeof root, "%s/%s", schema, name);
        if (!e->rel.schema || !e->rel.name) {
            rel_free_fields(&e->rel);
            tarn_free(e);
            return ERR_NOMEM(err, 64);
        }
        e->rel.table = delta_table_open(c->storage, root, NULL, err);
        if (!e->rel.table) {
            rel_free_fields(&e->rel);
            tarn_free(e);
            return err ? err->kind : TARN_ERR_INTERNAL;
        }
        e->schema_dir = sd;
        e->log_dev = lst.st_dev;
        e->log_ino = lst.st_ino;
        e->v0 = v0;
        e->next = c->rels;
        c->rels = e;
        *out = &e->rel;
        *found = true;
        return 0;
    }
    if (snprintf(q, sizeof q, "%s/" VIEW_FILE, p) >= (int)sizeof q)
        return err_set(err, TARN_ERR_INVALID, "path too long");
    if (exists(q)) {
        Buf b;
        buf_init(&b);
        if ((rc = file_read_all(q, &b, err)) || (rc = buf_terminate(&b))) {
            buf_free(&b);
            return rc ? rc : ERR_NOMEM(err, 0);
        }
        if (e)
            forget(c, schema, name);
        e = tarn_calloc(1, sizeof *e);
        if (!e) {
            buf_free(&b);
            return ERR_NOMEM(err, sizeof *e);
        }
        e->rel.kind = REL_VIEW;
        e->rel.schema = tarn_strdup(schema);
        e->rel.name = tarn_strdup(name);
        e->rel.view_sql = tarn_strdup((const char *)b.data);
        buf_free(&b);
        if (!e->rel.schema || !e->rel.name || !e->rel.view_sql) {
            rel_free_fields(&e->rel);
            tarn_free(e);
            return ERR_NOMEM(err, 64);
        }
        e->next = c->rels;
        c->rels = e;
        *out = &e->rel;
        *found = true;
        return 0;
    }
    if (e)
        forget(c, schema, name);
    return 0;
}

int catalog_lookup(Catalog *c, const char *schema, const char *name, const char *const *search_path, uint32_t n_path,
                   CatalogRel **out, TarnError *err)
{
    bool found = false;
    int rc;
    if (catalog_check_name(name, NULL))
        goto not_found;
    if (schema) {
        if (!catalog_schema_exists(c, schema))
            return err_set_state(err, TARN_ERR_NOT_FOUND, "3F000", "schema \"%s\" does not exist", schema);
        if ((rc = load_rel(c, schema, name, out, &found, err)))
            return rc;
        if (found)
            return 0;
        return err_set_state(err, TARN_ERR_NOT_FOUND, "42P01", "relation \"%s.%s\" does not exist", schema, name);
    }
    for (uint32_t i = 0; i < n_path; i++) {
        if (!catalog_schema_exists(c, search_path[i]))
            continue;
        if ((rc = load_rel(c, search_path[i], name, out, &found, err)))
            return rc;
        if (found)
            return 0;
    }
not_found:
    if (schema)
        return err_set_state(err, TARN_ERR_NOT_FOUND, "42P01", "relation \"%s.%s\" does not exist", schema, name);
    return err_set_state(err, TARN_ERR_NOT_FOUND, "42P01", "relation \"%s\" does not exist", name);
}

static bool rel_exists(Catalog *c, const char *schema, const char *name)
{
    char p[PATH_MAX], q[PATH_MAX + 32];
    if (path_join(p, sizeof p, c->root, schema, name, NULL))
        return false;
    snprintf(q, sizeof q, "%s/_delta_log", p);
    if (is_dir(q))
        return true;
    snprintf(q, sizeof q, "%s/" VIEW_FILE, p);
    return exists(q);
}

int catalog_create_table(Catalog *c, const char *schema, const char *name, const DeltaCreateOptions *opts,
                         CatalogRel **out, bool *created_out, TarnError *err)
{
    c->epoch++;
    int rc;
    if ((rc = catalog_check_name(name, err)))
        return rc;
    if (created_out)
        *created_out = false;
    char root[PATH_MAX];
    if ((rc = path_join(root, sizeof root, schema, name, NULL, err)))
        return rc;
    DeltaTable *t = delta_table_open(c->storage, root, NULL, err);
    if (!t)
        return err ? err->kind : TARN_ERR_INTERNAL;
    /* A _delta_log without a commit is a table being created right now by
     * another writer (or left by a crash before its first commit): not a
     * relation yet; delta_create below settles who creates it. */
    bool present = rel_exists(c, schema, name);
    if (present && (rc = delta_table_exists(t, &present, err)) == 0 && !present) {
        char q[PATH_MAX + 64];
        snprintf(q, sizeof q, "%s/%s/%s/" VIEW_FILE, c->root, schema, name);
        present = exists(q);
    }
    if (rc || present) {
        delta_table_close(t);
        if (rc)
            return rc;
        if (opts->if_not_exists) {
            bool found;
            return load_rel(c, schema, name, out, &found, err);
        }
        return err_set_state(err, TARN_ERR_INVALID, "42P07", "relation \"%s\" already exists", name);
    }
    /* With IF NOT EXISTS, a table another session or process created
     * between the check above and our commit counts as existing (when its
     * schema is ours; Delta's create reports a different one). */
    DeltaResult r;
    rc = delta_create(t, opts, &r, err);
    delta_table_close(t);
    if (rc)
        return rc;
    if (created_out)
        *created_out = r.version >= 0;
    bool found;
    if ((rc = load_rel(c, schema, name, out, &found, err)))
        return rc;
    if (!found)
        return ERR_INTERNAL(err, "created table not found");
    return 0;
}

int catalog_create_view(Catalog *c, const char *schema, const char *name, const char *sql, bool replace,
                        TarnError *err)
{
    c->epoch++;
    int rc;
    if ((rc = catalog_check_name(name, err)))
        return rc;
    char p[PATH_MAX], q[PATH_MAX + 32];
    if ((rc = path_join(p, sizeof p, c->root, schema, name, err)))
        return rc;
    snprintf(q, sizeof q, "%s/_delta_log", p);
    if (is_dir(q))
        return err_set_state(err, TARN_ERR_INVALID, replace ? "42809" : "42P07",
                             replace ? "\"%s\" is not a view" : "relation \"%s\" already exists", name);
    snprintf(q, sizeof q, "%s/" VIEW_FILE, p);
    if (exists(q) && !replace)
        return err_set_state(err, TARN_ERR_INVALID, "42P07", "relation \"%s\" already exists", name);
    if (!is_dir(p) && mkdir(p, 0777) != 0)
        return err_set(err, TARN_ERR_IO, "cannot create \"%s\": %s", p, strerror(errno));
    char rel[PATH_MAX + 32];
    snprintf(rel, sizeof rel, "%s/%s/" VIEW_FILE, schema, name);
    forget(c, schema, name);
    return storage_put(c->storage, rel, sql, strlen(sql), err);
}

int catalog_rename_relation(Catalog *c, CatalogRel *rel, const char *new_name, TarnError *err)
{
    c->epoch++;
    int rc = catalog_check_name(new_name, err);
    if (rc)
        return rc;
    char *schema = tarn_strdup(rel->schema), *name = tarn_strdup(rel->name);
    char p[PATH_MAX], q[PATH_MAX];
    if (!schema || !name) {
        rc = ERR_NOMEM(err, 64);
        goto done;
    }
    if (rel_exists(c, schema, new_name)) {
        rc = err_set_state(err, TARN_ERR_INVALID, "42P07", "relation \"%s\" already exists", new_name);
        goto done;
    }
    if ((rc = path_join(p, sizeof p, c->root, schema, name, err)) || (rc = path_join(q, sizeof q, c->root, schema, new_name, err)))
        goto done;
    forget(c, schema, name); /* closes the table handle; rel is dead */
    if (rename(p, q) != 0)
        rc = err_set(err, TARN_ERR_IO, "cannot rename \"%s\" to \"%s\": %s", p, q, strerror(errno));
done:
    tarn_free(schema);
    tarn_free(name);
    return rc;
}

int catalog_drop_relation(Catalog *c, CatalogRel *rel, TarnError *err)
{
    c->epoch++;
    char p[PATH_MAX];
    char *schema = tarn_strdup(rel->schema), *name = tarn_strdup(rel->name);
    int rc = 0;
    if (!schema || !name) {
        rc = ERR_NOMEM(err, 64);
        goto done;
    }
    if ((rc = path_join(p, sizeof p, c->root, schema, name, err)))
        goto done;
    forget(c, schema, name); /* closes the table handle; rel is dead */
    rc = remove_tree(p, err);
done:
    tarn_free(schema);
    tarn_free(name);
    return rc;
}
