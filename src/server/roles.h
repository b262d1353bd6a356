/*
 * roles.h - the server's roles: names, LOGIN, and SCRAM-SHA-256 verifiers,
 * stored in the lake's configuration folder (LAKE/.tarn_config/roles, one
 * "name<TAB>login<TAB>verifier" line each, rewritten atomically), managed
 * with CREATE ROLE / CREATE USER / ALTER ROLE / ALTER USER / DROP ROLE /
 * DROP USER over the server.  Writers in one process are serialised by a
 * mutex; two servers on one lake writing roles at once are not (last
 * rename wins).
 */
#ifndef TARN_SERVER_ROLES_H
#define TARN_SERVER_ROLES_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

typedef struct RoleInfo {
    bool found, login;
    char verifier[256];          /* '' = no password */
} RoleInfo;

int roles_lookup(const char *lake_dir, const char *name, RoleInfo *out, TarnError *err);

/* True when sql starts with CREATE/ALTER/DROP ROLE|USER|GROUP. */
bool roles_is_ddl(const char *sql);
/* Runs a role statement: tag_out gets "CREATE ROLE" / "ALTER ROLE" /
 * "DROP ROLE", notice_out a NOTICE text ('' = none).  PostgreSQL's
 * errors: 42710 exists, 42704 missing, 0A000 unsupported options. */
int roles_run_ddl(const char *lake_dir, const char *sql, char *tag_out, size_t tag_cap, char *notice_out,
                  size_t notice_cap, TarnError *err);

#endif
