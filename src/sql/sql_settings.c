/*
 * sql_settings.c - the session's configuration parameters: the one place
 * SET / SHOW / RESET (sql_ddl.c) and the functions current_setting() /
 * set_config() (func/func_settings.c) read and write them.
 *
 * Known parameters are listed in `defs` with PostgreSQL's name, default
 * and description (SHOW ALL prints them).  A few live in the session
 * itself (search_path, TimeZone, tarn.threads, memory_limit,
 * temp_directory, extra_float_digits); the others are kept as text in
 * db->other.  Names with a dot ("myapp.user_id") are custom placeholders,
 * as in PostgreSQL: any value is accepted, and reading one never set is
 * 42704 (current_setting(name, true): NULL).
 *
 * Transaction-local values (SET LOCAL, set_config(..., true)) remember the
 * value they replaced; sql_settings_end_local() puts those back when the
 * transaction ends: at the start of the next statement run outside a
 * transaction block (so a local value set outside BEGIN ... COMMIT lasts
 * for its own statement only, as in PostgreSQL's implicit transaction).
 *
 * set_config() can run inside a parallel query: a mutex serializes the
 * kernels' reads and writes of db->other.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/plan_cache.h"
#include "sql/exec/ops.h"
#include "sql/exec/spill.h"
#include "sql/session.h"
#include "tarn.h"
#include "util/mem.h"

enum { S_READONLY = 1, S_HIDDEN = 2 };

typedef struct SettingDef {
    const char *name;     /* lower case, the lookup key */
    const char *display;  /* PostgreSQL's spelling (SHOW's column name) */
    const char *def;      /* default text; NULL = computed (session) */
    const char *desc;
    int flags;
} SettingDef;

static const SettingDef defs[] = {
    {"application_name", "application_name", "", "Sets the application name to be reported in statistics and logs.", 0},
    {"block_size", "block_size", "8192", "Shows the size of a disk block.", S_READONLY},
    {"bytea_output", "bytea_output", "hex", "Sets the output format for bytea.", 0},
    {"check_function_bodies", "check_function_bodies", "on", "Check routine bodies during CREATE FUNCTION and CREATE PROCEDURE.", 0},
    {"client_encoding", "client_encoding", "UTF8", "Sets the client's character set encoding.", 0},
    {"client_min_messages", "client_min_messages", "notice", "Sets the message levels that are sent to the client.", 0},
    {"datestyle", "DateStyle", "ISO, MDY", "Sets the display format for date and time values.", 0},
    {"default_transaction_isolation", "default_transaction_isolation", "read committed", "Sets the transaction isolation level of each new transaction.", 0},
    {"default_with_oids", "default_with_oids", "off", "WITH OIDS is no longer supported; this can only be false.", S_HIDDEN},
    {"enable_seqscan", "enable_seqscan", "on", "Enables the planner's use of sequential-scan plans.", 0},
    {"escape_string_warning", "escape_string_warning", "on", "Warn about backslash escapes in ordinary string literals.", 0},
    {"extra_float_digits", "extra_float_digits", NULL, "Sets the number of digits displayed for floating-point values.", 0},
    {"idle_in_transaction_session_timeout", "idle_in_transaction_session_timeout", "0", "Sets the maximum allowed idle time between queries, when in a transaction.", 0},
    {"idle_session_timeout", "idle_session_timeout", "0", "Sets the maximum allowed idle time between queries, when not in a transaction.", 0},
    {"integer_datetimes", "integer_datetimes", "on", "Shows whether datetimes are integer based.", S_READONLY},
    {"intervalstyle", "IntervalStyle", "postgres", "Sets the display format for interval values.", 0},
    {"jit", "jit", "off", "Allow JIT compilation.", 0},
    {"lc_collate", "lc_collate", "C", "Shows the collation order locale.", S_READONLY},
    {"lc_ctype", "lc_ctype", "C", "Shows the character classification and case conversion locale.", S_READONLY},
    {"lc_messages", "lc_messages", "C", "Sets the language in which messages are displayed.", 0},
    {"lc_monetary", "lc_monetary", "C", "Sets the locale for formatting monetary amounts.", 0},
    {"lc_numeric", "lc_numeric", "C", "Sets the locale for formatting numbers.", 0},
    {"lc_time", "lc_time", "C", "Sets the locale for formatting date and time values.", 0},
    {"lock_timeout", "lock_timeout", "0", "Sets the maximum allowed duration of any wait for a lock.", 0},
    {"max_function_args", "max_function_args", "100", "Shows the maximum number of function arguments.", S_READONLY},
    {"max_identifier_length", "max_identifier_length", "63", "Shows the maximum identifier length.", S_READONLY},
    {"max_index_keys", "max_index_keys", "32", "Shows the maximum number of index keys.", S_READONLY},
    {"max_parallel_workers_per_gather", "max_parallel_workers_per_gather", "2", "Sets the maximum number of parallel processes per executor node.", 0},
    {"memory_limit", "memory_limit", NULL, "Sets the memory a query may use before operators spill to disk (tarn).", 0},
    {"row_security", "row_security", "on", "Enable row security.", 0},
    {"search_path", "search_path", NULL, "Sets the schema search order for names that are not schema-qualified.", 0},
    {"server_encoding", "server_encoding", "UTF8", "Shows the server (database) character set encoding.", S_READONLY},
    {"server_version", "server_version", NULL, "Shows the server version.", S_READONLY},
    {"server_version_num", "server_version_num", "150000", "Shows the server version as an integer.", S_READONLY},
    {"session_authorization", "session_authorization", NULL, "Sets the session user name.", S_READONLY},
    {"standard_conforming_strings", "standard_conforming_strings", "on", "Causes '...' strings to treat backslashes literally.", 0},
    {"statement_timeout", "statement_timeout", "0", "Sets the maximum allowed duration of any statement.", 0},
    {"synchronous_commit", "synchronous_commit", "on", "Sets the current transaction's synchronization level.", 0},
    {"tarn.plan_cache", "tarn.plan_cache", "on", "Caches parsed statements and simple-protocol queries that differ only in literals (tarn; plan_cache.c).", 0},
    {"tarn.plan_cache_hits", "tarn.plan_cache_hits", NULL, "Shows how many statements of this session the plan cache served (tarn).", S_READONLY},
    {"tarn.threads", "tarn.threads", NULL, "Sets the number of worker threads a query uses (tarn; 0 = all cores).", 0},
    {"temp_directory", "temp_directory", NULL, "Sets the directory of spill files (tarn).", 0},
    {"threads", "threads", NULL, "Alias of tarn.threads.", S_HIDDEN},
    {"timezone", "TimeZone", NULL, "Sets the time zone for displaying and interpreting time stamps.", 0},
    {"transaction_isolation", "transaction_isolation", "read committed", "Sets the current transaction's isolation level.", 0},
    {"work_mem", "work_mem", "4MB", "Sets the maximum memory to be used for query workspaces.", 0},
    {"xmloption", "xmloption", "content", "Sets whether XML data in implicit parsing and serialization operations is to be considered as documents or content fragments.", 0},
};

#define N_DEFS (sizeof defs / sizeof defs[0])

static pthread_mutex_t settings_mu = PTHREAD_MUTEX_INITIALIZER;

static void scopy(char *d, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (n >= cap)
        n = cap - 1;
    memcpy(d, s, n);
    d[n] = 0;
}

static void lower_name(const char *name, char *out, size_t n)
{
    size_t i = 0;
    for (; name[i] && i + 1 < n; i++)
        out[i] = (char)tolower((unsigned char)name[i]);
    out[i] = 0;
}

static const SettingDef *find_def(const char *lname)
{
    for (size_t i = 0; i < N_DEFS; i++)
        if (!strcmp(defs[i].name, lname))
            return &defs[i];
    return NULL;
}

/* "a.b": a custom placeholder (PostgreSQL accepts any two-part name). */
static bool custom_name(const char *lname)
{
    const char *dot = strchr(lname, '.');
    return dot && dot != lname && dot[1] && !find_def(lname);
}

bool sql_setting_known(const char *name)
{
    char lname[64];
    lower_name(name, lname, sizeof lname);
    return strlen(name) < sizeof lname && (find_def(lname) || custom_name(lname));
}

static SettingKV *find_other(tarn_db *db, const char *lname)
{
    for (uint32_t i = 0; i < db->n_other; i++)
        if (!strcmp(db->other[i].name, lname))
            return &db->other[i];
    return NULL;
}

static int store_other(tarn_db *db, const char *lname, const char *value, TarnError *err)
{
    SettingKV *kv = find_other(db, lname);
    if (!kv) {
        if (db->n_other == db->cap_other) {
            uint32_t nc = db->cap_other ? db->cap_other * 2 : 8;
            SettingKV *n = tarn_realloc(db->other, nc * sizeof *n);
            if (!n)
                return ERR_NOMEM(err, nc * sizeof *n);
            db->other = n;
            db->cap_other = nc;
        }
        kv = &db->other[db->n_other++];
        scopy(kv->name, sizeof kv->name, lname);
    }
    scopy(kv->value, sizeof kv->value, value);
    return 0;
}

static void drop_other(tarn_db *db, const char *lname)
{
    for (uint32_t i = 0; i < db->n_other; i++)
        if (!strcmp(db->other[i].name, lname)) {
            db->other[i] = db->other[--db->n_other];
            return;
        }
}

/* The current value of a known or custom parameter (lname lower case). */
static int get_locked(tarn_db *db, const char *lname, char *value, size_t n, TarnError *err)
{
    const SettingDef *d = find_def(lname);
    if (!d) {
        SettingKV *kv = custom_name(lname) ? find_other(db, lname) : NULL;
        if (!kv)
            return err_set_state(err, TARN_ERR_NOT_FOUND, "42704", "unrecognized configuration parameter \"%s\"", lname);
        scopy(value, n, kv->value);
        return 0;
    }
    if (!strcmp(lname, "search_path"))
        scopy(value, n, db->search_path_text);
    else if (!strcmp(lname, "timezone"))
        scopy(value, n, db->settings.timezone);
    else if (!strcmp(lname, "server_version"))
        snprintf(value, n, "15.0 (tarn %s)", TARN_VERSION);
    else if (!strcmp(lname, "tarn.threads") || !strcmp(lname, "threads"))
        snprintf(value, n, "%u", db->threads ? db->threads : pool_size());
    else if (!strcmp(lname, "session_authorization")) /* tarn_set_session_identity */
        scopy(value, n, db->session_user[0] ? db->session_user : "tarn");
    else if (!strcmp(lname, "tarn.plan_cache_hits"))
        snprintf(value, n, "%llu", (unsigned long long)plan_cache_hits(db));
    else if (!strcmp(lname, "extra_float_digits"))
        snprintf(value, n, "%d", db->settings.extra_float_digits);
    else if (!strcmp(lname, "memory_limit")) {
        if (db->memory_limit_text[0])
            scopy(value, n, db->memory_limit_text);
        else
            exec_mem_format(exec_default_mem_limit() / (1 << 20) * (1 << 20), value, n);
    } else if (!strcmp(lname, "temp_directory")) {
        if (db->temp_directory[0])
            scopy(value, n, db->temp_directory);
        else
            snprintf(value, n, "%s/.tarn_tmp", catalog_root(db->cat));
    } else {
        SettingKV *kv = find_other(db, lname);
        scopy(value, n, kv ? kv->value : d->def);
    }
    return 0;
}

int sql_setting_get(tarn_db *db, const char *name, char *value, size_t n, const char **display, TarnError *err)
{
    char lname[64];
    lower_name(name, lname, sizeof lname);
    const SettingDef *d = find_def(lname);
    if (display)
        *display = d ? d->display : name;
    if (strlen(name) >= sizeof lname)
        return err_set_state(err, TARN_ERR_NOT_FOUND, "42704", "unrecognized configuration parameter \"%s\"", name);
    pthread_mutex_lock(&settings_mu);
    int rc = get_locked(db, lname, value, n, err);
    pthread_mutex_unlock(&settings_mu);
    if (rc == TARN_ERR_NOT_FOUND) /* the name as written */
        err_set_state(err, TARN_ERR_NOT_FOUND, "42704", "unrecognized configuration parameter \"%s\"", name);
    return rc;
}

/* The millisecond timeouts (statement_timeout, lock_timeout, the idle
 * timeouts): PostgreSQL's integer-with-unit syntax ("5000", "5s", "1.5 min",
 * units us ms s min h d, case-sensitive), 0 .. INT_MAX ms, shown in the
 * largest unit that divides the value ("5s", "1500ms"), as SHOW does. */
static bool is_ms_setting(const char *lname)
{
    return !strcmp(lname, "statement_timeout") || !strcmp(lname, "lock_timeout") ||
           !strcmp(lname, "idle_session_timeout") || !strcmp(lname, "idle_in_transaction_session_timeout");
}

static int parse_ms_setting(const char *display, const char *value, char *out, size_t cap, TarnError *err)
{
    const char *p = value;
    while (isspace((unsigned char)*p))
        p++;
    char *end;
    errno = 0;
    double v = (double)strtol(p, &end, 0);
    bool range = errno == ERANGE;
    if (end != p && (*end == '.' || *end == 'e' || *end == 'E')) {
        errno = 0;
        v = strtod(p, &end);
        range = errno == ERANGE;
    }
    if (end == p) {
        return err_set_state(err, TARN_ERR_INVALID, "22023", "invalid value for parameter \"%s\": \"%s\"", display,
                             value);
    }
    while (isspace((unsigned char)*end))
        end++;
    if (*end) {
        static const struct { const char *unit; double ms; } units[] = {
            {"us", 0.001}, {"ms", 1}, {"s", 1000}, {"min", 60000}, {"h", 3600000}, {"d", 86400000}};
        size_t ulen = 0;
        while (end[ulen] && !isspace((unsigned char)end[ulen]))
            ulen++;
        double mul = -1;
        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
            if (strlen(units[i].unit) == ulen && !strncmp(end, units[i].unit, ulen))
                mul = units[i].ms;
        const char *after = end + ulen;
        while (isspace((unsigned char)*after))
            after++;
        if (mul < 0 || *after) {
            err_set_state(err, TARN_ERR_INVALID, "22023", "invalid value for parameter \"%s\": \"%s\"", display, value);
            err_hint(err, "Valid units for this parameter are \"us\", \"ms\", \"s\", \"min\", \"h\", and \"d\".");
            return err->kind;
        }
        v *= mul;
    }
    v = rint(v);
    if (range || v > 2147483647.0 || v < -2147483648.0 || v != v) {
        err_set_state(err, TARN_ERR_INVALID, "22023", "invalid value for parameter \"%s\": \"%s\"", display, value);
        err_hint(err, "Value exceeds integer range.");
        return err->kind;
    }
    long ms = (long)v;
    if (ms < 0)
        return err_set_state(err, TARN_ERR_INVALID, "22023",
                             "%ld ms is outside the valid range for parameter \"%s\" (0 .. 2147483647)", ms, display);
    static const struct { const char *unit; long ms; } show[] = {
        {"d", 86400000}, {"h", 3600000}, {"min", 60000}, {"s", 1000}};
    for (size_t i = 0; ms > 0 && i < sizeof show / sizeof show[0]; i++)
        if (ms % show[i].ms == 0) {
            snprintf(out, cap, "%ld%s", ms / show[i].ms, show[i].unit);
            return 0;
        }
    snprintf(out, cap, ms ? "%ldms" : "%ld", ms);
    return 0;
}

/* DateStyle as PostgreSQL shows it ("ISO, DMY"): an output style and a
 * field order, either of which may be left out (the current one stays);
 * tarn prints ISO only. */
static int datestyle_canon(tarn_db *db, const char *value, char *out, size_t cap, TarnError *err)
{
    SettingKV *cur = find_other(db, "datestyle");
    const char *order = cur && strstr(cur->value, "DMY") ? "DMY" : cur && strstr(cur->value, "YMD") ? "YMD" : "MDY";
    const char *style = NULL, *new_order = NULL;
    const char *p = value;
    while (*p) {
        while (*p == ' ' || *p == ',' || *p == '\t')
            p++;
        if (!*p)
            break;
        char tok[32];
        size_t n = 0;
        while (p[n] && p[n] != ' ' && p[n] != ',' && p[n] != '\t')
            n++;
        snprintf(tok, sizeof tok, "%.*s", (int)(n < sizeof tok ? n : sizeof tok - 1), p);
        p += n;
        const char *st = NULL, *od = NULL;
        if (!strcasecmp(tok, "iso") || !strcasecmp(tok, "postgres") || !strcasecmp(tok, "sql") || !strcasecmp(tok, "german"))
            st = tok;
        else if (!strcasecmp(tok, "dmy") || !strncasecmp(tok, "euro", 4))
            od = "DMY";
        else if (!strcasecmp(tok, "mdy") || !strcasecmp(tok, "us") || !strncasecmp(tok, "noneuro", 7))
            od = "MDY";
        else if (!strcasecmp(tok, "ymd"))
            od = "YMD";
        else {
            err_set_state(err, TARN_ERR_INVALID, "22023", "invalid value for parameter \"DateStyle\": \"%s\"", value);
            err_detail(err, "Unrecognized key word: \"%s\".", tok);
            return err->kind;
        }
        if ((st && style && strcasecmp(style, st)) || (od && new_order && strcmp(new_order, od))) {
            err_set_state(err, TARN_ERR_INVALID, "22023", "invalid value for parameter \"DateStyle\": \"%s\"", value);
            err_detail(err, "Conflicting \"datestyle\" specifications.");
            return err->kind;
        }
        if (st && !strcasecmp(st, "iso"))
            style = "ISO";
        else if (st)
            return err_set_state(err, TARN_ERR_UNSUPPORTED, "0A000", "only DateStyle ISO is supported");
        if (od)
            new_order = od;
    }
    snprintf(out, cap, "ISO, %s", new_order ? new_order : order);
    return 0;
}

/* Sets lname (lower case) to value, NULL = its default. */
static int set_locked(tarn_db *db, const char *name, const char *lname, const char *value, TarnError *err)
{
    const SettingDef *d = find_def(lname);
    if (!d && !custom_name(lname))
        return err_set_state(err, TARN_ERR_NOT_FOUND, "42704", "unrecognized configuration parameter \"%s\"", name);
    if (d && (d->flags & S_READONLY))
        return err_set_state(err, TARN_ERR_INVALID, "55P02", "parameter \"%s\" cannot be changed", d->display);
    if (!d)
        return store_other(db, lname, value ? value : "", err);
    if (!strcmp(lname, "search_path"))
        return sql_set_search_path(db, value ? value : "\"$user\", public", err);
    if (!strcmp(lname, "timezone"))
        return sql_set_timezone(db, value ? value : "UTC", err);
    if (!strcmp(lname, "tarn.threads") || !strcmp(lname, "threads")) {
        if (!value) {
            db->threads = 0;
            return 0;
        }
        char *end;
        long t = strtol(value, &end, 10);
        if (end == value || *end || t < 0 || t > 1024)
            return err_set_state(err, TARN_ERR_INVALID, "22023", "invalid value for parameter \"%s\": \"%s\"", name, value);
        db->threads = (uint32_t)t;
        return 0;
    }
    if (!strcmp(lname, "memory_limit") || !strcmp(lname, "temp_directory"))
        return sql_set_memory(db, lname, value, err);
    if (!strcmp(lname, "extra_float_digits")) {
        if (!value) {
            db->settings.extra_float_digits = 1;
            return 0;
        }
        char *end;
        long v = strtol(value, &end, 10);
        if (end == value || *end)
            return err_set_state(err, TARN_ERR_INVALID, "22023", "invalid value for parameter \"%s\": \"%s\"", name, value);
        if (v < -15 || v > 3)
            return err_set_state(err, TARN_ERR_INVALID, "22023",
                                 "%ld is outside the valid range for parameter \"extra_float_digits\" (-15 .. 3)", v);
        db->settings.extra_float_digits = (int)v;
        return 0;
    }
    if (value && is_ms_setting(lname)) {
        char shown[32];
        if (parse_ms_setting(d->display, value, shown, sizeof shown, err))
            return err->kind;
        return store_other(db, lname, shown, err);
    }
    char ds[32];
    if (!strcmp(lname, "datestyle") && value) {
        if (datestyle_canon(db, value, ds, sizeof ds, err))
            return err->kind;
        value = ds;
    }
    if (!value) {
        drop_other(db, lname);
        return 0;
    }
    return store_other(db, lname, value, err);
}

/* Remembers lname's value before a transaction-local change (once per
 * transaction: the first value is the one to restore). */
static int save_local(tarn_db *db, const char *lname, TarnError *err)
{
    for (uint32_t i = 0; i < db->n_local; i++)
        if (!strcmp(db->local_saved[i].name, lname))
            return 0;
    char value[sizeof db->local_saved[0].value];
    TarnError e2;
    memset(&e2, 0, sizeof e2);
    if (get_locked(db, lname, value, sizeof value, &e2))
        value[0] = 0; /* a custom placeholder not set yet: '' afterwards, as in PostgreSQL */
    if (db->n_local == db->cap_local) {
        uint32_t nc = db->cap_local ? db->cap_local * 2 : 4;
        SettingKV *n = tarn_realloc(db->local_saved, nc * sizeof *n);
        if (!n)
            return ERR_NOMEM(err, nc * sizeof *n);
        db->local_saved = n;
        db->cap_local = nc;
    }
    scopy(db->local_saved[db->n_local].name, sizeof db->local_saved[0].name, lname);
    scopy(db->local_saved[db->n_local].value, sizeof db->local_saved[0].value, value);
    db->n_local++;
    return 0;
}

/* The session default of lname (tarn_setting_keep_as_default), NULL = the
 * built-in one. */
static const char *session_default(tarn_db *db, const char *lname)
{
    for (uint32_t i = 0; i < db->n_sess_def; i++)
        if (!strcmp(db->sess_def[i].name, lname))
            return db->sess_def[i].value;
    return NULL;
}

int tarn_setting_keep_as_default(tarn_db *db, const char *name, TarnError *err)
{
    char lname[64], value[sizeof db->sess_def[0].value];
    if (strlen(name) >= sizeof lname)
        return err_set_state(err, TARN_ERR_NOT_FOUND, "42704", "unrecognized configuration parameter \"%s\"", name);
    lower_name(name, lname, sizeof lname);
    if (!strcmp(lname, "threads"))
        scopy(lname, sizeof lname, "tarn.threads");
    pthread_mutex_lock(&settings_mu);
    int rc = get_locked(db, lname, value, sizeof value, err);
    SettingKV *kv = NULL;
    for (uint32_t i = 0; !rc && i < db->n_sess_def && !kv; i++)
        if (!strcmp(db->sess_def[i].name, lname))
            kv = &db->sess_def[i];
    if (!rc && !kv) {
        if (db->n_sess_def == db->cap_sess_def) {
            uint32_t nc = db->cap_sess_def ? db->cap_sess_def * 2 : 8;
            SettingKV *n = tarn_realloc(db->sess_def, nc * sizeof *n);
            if (!n)
                rc = ERR_NOMEM(err, nc * sizeof *n);
            else {
                db->sess_def = n;
                db->cap_sess_def = nc;
            }
        }
        if (!rc) {
            kv = &db->sess_def[db->n_sess_def++];
            scopy(kv->name, sizeof kv->name, lname);
        }
    }
    if (!rc)
        scopy(kv->value, sizeof kv->value, value);
    pthread_mutex_unlock(&settings_mu);
    return rc;
}

int sql_setting_set(tarn_db *db, const char *name, const char *value, bool is_local, TarnError *err)
{
    char lname[64];
    if (strlen(name) >= sizeof lname)
        return err_set_state(err, TARN_ERR_NOT_FOUND, "42704", "unrecognized configuration parameter \"%s\"", name);
    lower_name(name, lname, sizeof lname);
    if (value && strlen(value) >= sizeof db->other[0].value)
        return err_set_state(err, TARN_ERR_INVALID, "22023", "invalid value for parameter \"%s\": values are limited to %zu bytes",
                             name, sizeof db->other[0].value - 1);
    pthread_mutex_lock(&settings_mu);
    int rc = 0;
    if (is_local && (find_def(lname) || custom_name(lname)) && !(find_def(lname) && (find_def(lname)->flags & S_READONLY)))
        rc = save_local(db, lname, err);
    if (!value) /* RESET / TO DEFAULT: the session default, if the client gave one */
        value = session_default(db, !strcmp(lname, "threads") ? "tarn.threads" : lname);
    if (!rc)
        rc = set_locked(db, name, lname, value, err);
    pthread_mutex_unlock(&settings_mu);
    return rc;
}

void sql_settings_end_local(tarn_db *db)
{
    pthread_mutex_lock(&settings_mu);
    for (uint32_t i = db->n_local; i-- > 0;) {
        TarnError e2;
        memset(&e2, 0, sizeof e2);
        set_locked(db, db->local_saved[i].name, db->local_saved[i].name, db->local_saved[i].value, &e2);
    }
    db->n_local = 0;
    pthread_mutex_unlock(&settings_mu);
}

void sql_settings_reset_all(tarn_db *db)
{
    pthread_mutex_lock(&settings_mu);
    TarnError e2;
    memset(&e2, 0, sizeof e2);
    sql_set_search_path(db, "\"$user\", public", &e2);
    sql_set_timezone(db, "UTC", &e2);
    sql_set_memory(db, "memory_limit", NULL, &e2);
    sql_set_memory(db, "temp_directory", NULL, &e2);
    db->threads = 0;
    db->settings.extra_float_digits = 1;
    /* custom placeholders keep existing, reset to '' (PostgreSQL RESET ALL) */
    uint32_t k = 0;
    for (uint32_t i = 0; i < db->n_other; i++)
        if (custom_name(db->other[i].name)) {
            db->other[k] = db->other[i];
            db->other[k++].value[0] = 0;
        }
    db->n_other = k;
    db->n_local = 0;
    /* then the session defaults (the client's startup parameters) */
    for (uint32_t i = 0; i < db->n_sess_def; i++)
        set_locked(db, db->sess_def[i].name, db->sess_def[i].name, db->sess_def[i].value, &e2);
    pthread_mutex_unlock(&settings_mu);
}

void sql_settings_free(tarn_db *db)
{
    tarn_free(db->local_saved);
    db->local_saved = NULL;
    db->n_local = db->cap_local = 0;
    tarn_free(db->sess_def);
    db->sess_def = NULL;
    db->n_sess_def = db->cap_sess_def = 0;
}

static int add_row(tarn_result *r, const char *const *texts, uint32_t n, TarnError *err)
{
    Vector v[3];
    Vector *p[3];
    int rc = 0;
    uint32_t k = 0;
    for (; k < n && !rc; k++) {
        p[k] = &v[k];
        if (vec_init(&v[k], &r->types[k]))
            rc = ERR_NOMEM(err, 64);
        else if (vec_append_str(&v[k], texts[k], strlen(texts[k])))
            rc = ERR_NOMEM(err, strlen(texts[k]));
    }
    if (!rc) {
        Chunk c = {1, n, p};
        rc = coll_append(&r->rows, &c, NULL, 1, err);
    }
    for (uint32_t i = 0; i < k; i++)
        vec_destroy(&v[i]);
    return rc;
}

/* SHOW ALL: name, setting, description of every parameter, by name, custom
 * placeholders included. */
int sql_setting_show_all(tarn_db *db, tarn_result **out, TarnError *err)
{
    static const char *const cols[] = {"name", "setting", "description"};
    LogicalType t[3] = {type_simple(TYPE_STRING), type_simple(TYPE_STRING), type_simple(TYPE_STRING)};
    tarn_result *r = sql_result_new(3, cols, t, err);
    if (!r)
        return err->kind;
    /* the known ones are sorted by lower-case name; custom ones merge in */
    uint32_t nc = 0;
    const char **custom = tarn_calloc(db->n_other + 1, sizeof *custom);
    if (!custom) {
        tarn_result_free(r);
        return ERR_NOMEM(err, 64);
    }
    for (uint32_t i = 0; i < db->n_other; i++)
        if (custom_name(db->other[i].name))
            custom[nc++] = db->other[i].name;
    for (uint32_t i = 1; i < nc; i++)
        for (uint32_t j = i; j > 0 && strcmp(custom[j - 1], custom[j]) > 0; j--) {
            const char *x = custom[j];
            custom[j] = custom[j - 1];
            custom[j - 1] = x;
        }
    int rc = 0;
    size_t di = 0;
    uint32_t ci = 0;
    char value[512];
    while (!rc && (di < N_DEFS || ci < nc)) {
        const char *name, *desc;
        if (ci < nc && (di >= N_DEFS || strcmp(custom[ci], defs[di].name) < 0)) {
            name = custom[ci++];
            desc = "";
        } else {
            const SettingDef *d = &defs[di++];
            if (d->flags & S_HIDDEN)
                continue;
            name = d->display;
            desc = d->desc;
        }
        char lname[64];
        lower_name(name, lname, sizeof lname);
        pthread_mutex_lock(&settings_mu);
        rc = get_locked(db, lname, value, sizeof value, err);
        pthread_mutex_unlock(&settings_mu);
        if (!rc)
            rc = add_row(r, (const char *const[]){name, value, desc}, 3, err);
    }
    tarn_free(custom);
    if (!rc)
        rc = sql_result_seal(r, err);
    if (rc) {
        tarn_result_free(r);
        return rc;
    }
    snprintf(r->tag, sizeof r->tag, "SHOW");
    *out = r;
    return 0;
}
