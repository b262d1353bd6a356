/*
 * roles.c - role store and role DDL of the server (roles.h).  Statements
 * are parsed with libpg_query (the same parser the SQL layer uses), so
 * every spelling PostgreSQL accepts (WITH, ENCRYPTED, PASSWORD NULL,
 * LOGIN / NOLOGIN, several names in DROP) is understood.
 */
#include <errno.h>
#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/roles.h"
#include "server/scram.h"
#include "server/sqlcursor.h"
#include "util/mem.h"

#define ROLES_DIR ".tarn_config"
#define ROLES_FILE "roles"
#define MAX_ROLES 10000

static pthread_mutex_t roles_mu = PTHREAD_MUTEX_INITIALIZER;

typedef struct Role {
    char name[64];
    bool login;
    char verifier[256];
} Role;

typedef struct RoleList {
    Role *items;
    size_t n, cap;
} RoleList;

static void path_of(const char *lake_dir, char *out, size_t cap) { snprintf(out, cap, "%s/%s/%s", lake_dir, ROLES_DIR, ROLES_FILE); }

/* Reads the store (absent = empty). */
static int load(const char *lake_dir, RoleList *l, TarnError *err)
{
    memset(l, 0, sizeof *l);
    char path[2048];
    path_of(lake_dir, path, sizeof path);
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT)
            return 0;
        return err_set(err, TARN_ERR_IO, "could not open \"%s\": %s", path, strerror(errno));
    }
    char line[512];
    int rc = 0;
    while (!rc && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (!t1 || !t2 || (size_t)(t1 - line) >= sizeof l->items[0].name) {
            rc = err_set(err, TARN_ERR_CORRUPT, "malformed line in \"%s\"", path);
            break;
        }
        if (l->n == l->cap) {
            size_t nc = l->cap ? l->cap * 2 : 16;
            Role *n = nc <= MAX_ROLES ? tarn_realloc(l->items, nc * sizeof *n) : NULL;
            if (!n) {
                rc = ERR_NOMEM(err, nc * sizeof *n);
                break;
            }
            l->items = n;
            l->cap = nc;
        }
        Role *r = &l->items[l->n++];
        memset(r, 0, sizeof *r);
        memcpy(r->name, line, (size_t)(t1 - line));
        r->login = t1[1] == '1';
        snprintf(r->verifier, sizeof r->verifier, "%s", t2 + 1);
    }
    fclose(f);
    if (rc) {
        tarn_free(l->items);
        memset(l, 0, sizeof *l);
    }
    return rc;
}

static int save(const char *lake_dir, const RoleList *l, TarnError *err)
{
    char dir[2048], path[2048], tmp[2100];
    snprintf(dir, sizeof dir, "%s/%s", lake_dir, ROLES_DIR);
    if (mkdir(dir, 0700) && errno != EEXIST)
        return err_set(err, TARN_ERR_IO, "could not create \"%s\": %s", dir, strerror(errno));
    path_of(lake_dir, path, sizeof path);
    snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f)
        return err_set(err, TARN_ERR_IO, "could not write \"%s\": %s", tmp, strerror(errno));
    fchmod(fileno(f), 0600);
    for (size_t i = 0; i < l->n; i++)
        fprintf(f, "%s\t%d\t%s\n", l->items[i].name, l->items[i].login ? 1 : 0, l->items[i].verifier);
    int bad = fflush(f) || fsync(fileno(f));
    bad |= fclose(f);
    if (bad || rename(tmp, path)) {
        unlink(tmp);
        return err_set(err, TARN_ERR_IO, "could not write \"%s\": %s", path, strerror(errno));
    }
    return 0;
}

static Role *find(RoleList *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->items[i].name, name))
            return &l->items[i];
    return NULL;
}

int roles_lookup(const char *lake_dir, const char *name, RoleInfo *out, TarnError *err)
{
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&roles_mu);
    RoleList l;
    int rc = load(lake_dir, &l, err);
    if (!rc) {
        Role *r = find(&l, name);
        if (r) {
            out->found = true;
            out->login = r->login;
            snprintf(out->verifier, sizeof out->verifier, "%s", r->verifier);
        }
        tarn_free(l.items);
    }
    pthread_mutex_unlock(&roles_mu);
    return rc;
}

/* ---- DDL ------------------------------------------------------------------------------------- */

static void word(const char **p, char *out, size_t cap)
{
    const char *s = sqlcur_skip_blanks(*p, false);
    size_t n = 0;
    while (n + 1 < cap && ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
        out[n++] = (char)(*s++ | 0x20);
    out[n] = 0;
    *p = s;
}

bool roles_is_ddl(const char *sql)
{
    const char *p = sql;
    char w1[16], w2[16];
    word(&p, w1, sizeof w1);
    word(&p, w2, sizeof w2);
    return (!strcmp(w1, "create") || !strcmp(w1, "alter") || !strcmp(w1, "drop")) &&
           (!strcmp(w2, "role") || !strcmp(w2, "user") || !strcmp(w2, "group"));
}

typedef struct RoleOpts {
    bool has_password, password_null, has_login, login;
    const char *password;
} RoleOpts;

static int role_options(PgQuery__Node **opts, size_t n, RoleOpts *o, TarnError *err)
{
    memset(o, 0, sizeof *o);
    for (size_t i = 0; i < n; i++) {
        if (opts[i]->node_case != PG_QUERY__NODE__NODE_DEF_ELEM)
            continue;
        const PgQuery__DefElem *d = opts[i]->def_elem;
        const char *name = d->defname;
        if (!strcmp(name, "password")) {
            o->has_password = true;
            if (!d->arg)
                o->password_null = true;
            else if (d->arg->node_case == PG_QUERY__NODE__NODE_STRING)
                o->password = d->arg->string->sval;
            else
                return err_set_state(err, TARN_ERR_SYNTAX, "42601", "invalid password value");
        } else if (!strcmp(name, "canlogin")) {
            o->has_login = true;
            o->login = d->arg && d->arg->node_case == PG_QUERY__NODE__NODE_BOOLEAN ? d->arg->boolean->boolval : true;
        } else if (!strcmp(name, "superuser") || !strcmp(name, "inherit") || !strcmp(name, "createdb") ||
                   !strcmp(name, "createrole") || !strcmp(name, "isreplication") || !strcmp(name, "bypassrls") ||
                   !strcmp(name, "connectionlimit")) {
            /* every session is a superuser of its lake: nothing to record */
        } else {
            return err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "role option \"%s\" is not supported by tarn", name);
        }
    }
    return 0;
}

/* The stored form of a PASSWORD value: a SCRAM verifier as given, or
 * the verifier of a plain password.  MD5 hashes are refused. */
static int password_verifier(const char *pw, char *out, size_t cap, TarnError *err)
{
    ScramVerifier v;
    if (scram_parse_verifier(pw, &v)) {
        snprintf(out, cap, "%s", pw);
        return 0;
    }
    if (strlen(pw) == 35 && !strncmp(pw, "md5", 3))
        return err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000",
                             "MD5 password hashes are not supported by tarn; give the password or a SCRAM-SHA-256 verifier");
    if (!*pw) /* PostgreSQL: an empty password means none */
        return out[0] = 0, 0;
    return scram_make_verifier(pw, out, cap, err);
}

static int check_name(const char *name, TarnError *err)
{
    if (!*name)
        return err_set_state(err, TARN_ERR_INVALID, "42602", "role name must not be empty");
    if (strlen(name) >= 64)
        return err_set_state(err, TARN_ERR_INVALID, "42622", "role name \"%s\" is too long", name);
    for (const char *p = name; *p; p++)
        if (*p == '\t' || *p == '\n' || *p == '\r')
            return err_set_state(err, TARN_ERR_INVALID, "42602", "role name must not contain control characters");
    return 0;
}

static int apply(const char *lake_dir, const PgQuery__Node *n, char *tag, size_t tag_cap, char *notice, size_t ncap,
                 TarnError *err)
{
    RoleList l;
    int rc = load(lake_dir, &l, err);
    if (rc)
        return rc;
    bool dirty = false;
    RoleOpts o;
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_CREATE_ROLE_STMT: {
        const PgQuery__CreateRoleStmt *c = n->create_role_stmt;
        snprintf(tag, tag_cap, "CREATE ROLE");
        if ((rc = check_name(c->role, err)) || (rc = role_options(c->options, c->n_options, &o, err)))
            break;
        if (find(&l, c->role)) {
            rc = err_set_state(err, TARN_ERR_CONFLICT, "42710", "role \"%s\" already exists", c->role);
            break;
        }
        if (l.n == l.cap) {
            size_t nc = l.cap ? l.cap * 2 : 16;
            Role *r = nc <= MAX_ROLES ? tarn_realloc(l.items, nc * sizeof *r) : NULL;
            if (!r) {
                rc = ERR_NOMEM(err, nc * sizeof *r);
                break;
            }
            l.items = r;
            l.cap = nc;
        }
        Role *r = &l.items[l.n];
        memset(r, 0, sizeof *r);
        snprintf(r->name, sizeof r->name, "%s", c->role);
        r->login = o.has_login ? o.login : c->stmt_type == PG_QUERY__ROLE_STMT_TYPE__ROLESTMT_USER;
        if (o.has_password && !o.password_null && (rc = password_verifier(o.password, r->verifier, sizeof r->verifier, err)))
            break;
        l.n++;
        dirty = true;
        break;
    }
    case PG_QUERY__NODE__NODE_ALTER_ROLE_STMT: {
        const PgQuery__AlterRoleStmt *a = n->alter_role_stmt;
        snprintf(tag, tag_cap, "ALTER ROLE");
        if (!a->role || a->role->roletype != PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_CSTRING) {
            rc = err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "ALTER ROLE of CURRENT_USER / SESSION_USER is not supported by tarn");
            break;
        }
        if ((rc = role_options(a->options, a->n_options, &o, err)))
            break;
        Role *r = find(&l, a->role->rolename);
        if (!r) {
            rc = err_set_state(err, TARN_ERR_NOT_FOUND, "42704", "role \"%s\" does not exist", a->role->rolename);
            break;
        }
        if (o.has_login)
            r->login = o.login;
        if (o.has_password) {
            if (o.password_null)
                r->verifier[0] = 0;
            else if ((rc = password_verifier(o.password, r->verifier, sizeof r->verifier, err)))
                break;
        }
        dirty = true;
        break;
    }
    case PG_QUERY__NODE__NODE_DROP_ROLE_STMT: {
        const PgQuery__DropRoleStmt *d = n->drop_role_stmt;
        snprintf(tag, tag_cap, "DROP ROLE");
        for (size_t i = 0; !rc && i < d->n_roles; i++) {
            if (d->roles[i]->node_case != PG_QUERY__NODE__NODE_ROLE_SPEC ||
                d->roles[i]->role_spec->roletype != PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_CSTRING) {
                rc = err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "cannot drop that role");
                break;
            }
            const char *name = d->roles[i]->role_spec->rolename;
            Role *r = find(&l, name);
            if (!r) {
                if (d->missing_ok)
                    snprintf(notice, ncap, "role \"%s\" does not exist, skipping", name);
                else
                    rc = err_set_state(err, TARN_ERR_NOT_FOUND, "42704", "role \"%s\" does not exist", name);
                continue;
            }
            *r = l.items[--l.n];
            dirty = true;
        }
        break;
    }
    default:
        rc = err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "this role statement is not supported by tarn");
        break;
    }
    if (!rc && dirty)
        rc = save(lake_dir, &l, err);
    tarn_free(l.items);
    return rc;
}

int roles_run_ddl(const char *lake_dir, const char *sql, char *tag_out, size_t tag_cap, char *notice_out,
                  size_t notice_cap, TarnError *err)
{
    tag_out[0] = 0;
    notice_out[0] = 0;
    PgQueryProtobufParseResult pr = pg_query_parse_protobuf(sql);
    int rc = 0;
    PgQuery__ParseResult *tree = NULL;
    if (pr.error) {
        rc = err_set_state(err, TARN_ERR_SYNTAX, "42601", "%s", pr.error->message);
        err->position = pr.error->cursorpos > 0 ? pr.error->cursorpos : 0;
        goto done;
    }
    tree = pg_query__parse_result__unpack(NULL, pr.parse_tree.len, (const uint8_t *)pr.parse_tree.data);
    if (!tree || tree->n_stmts != 1 || !tree->stmts[0]->stmt) {
        rc = err_set_state(err, TARN_ERR_SYNTAX, "42601", "expected one role statement");
        goto done;
    }
    pthread_mutex_lock(&roles_mu);
    rc = apply(lake_dir, tree->stmts[0]->stmt, tag_out, tag_cap, notice_out, notice_cap, err);
    pthread_mutex_unlock(&roles_mu);
done:
    if (tree)
        pg_query__parse_result__free_unpacked(tree, NULL);
    pg_query_free_protobuf_parse_result(pr);
    return rc;
}
