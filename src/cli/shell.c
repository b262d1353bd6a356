/*
 * shell.c - the interactive `tarn sql` shell, psql-like.
 *
 * Lines come from libedit; they collect in a buffer until a ';' outside
 * quotes, comments and dollar quotes ends a statement, which then runs
 * through tarn_exec and prints like psql (cmd_sql.c's aligned printer).  A
 * line starting with '\' is a meta-command (the pending buffer is kept).  The \d
 * family reads the catalog (catalog/catalog.h) for schemas, relations,
 * nullability and partition columns; column types come from the engine
 * (the result of SELECT * ... LIMIT 0), so they match what queries see.
 */
#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <editline/readline.h>

#include "catalog/catalog.h"
#include "cli/shell.h"
#include "util/mem.h"

#define MAX_PATH_SCHEMAS 16

typedef struct Shell {
    tarn_db *db;
    const char *lake;
    bool timing;
    bool expanded;
} Shell;

/* ---- Strings in a grid ------------------------------------------------------------ */

typedef struct StrGrid {
    int nc;
    const char **cells; /* row-major */
} StrGrid;

static const char *strgrid_cell(void *ctx, int64_t row, int col)
{
    StrGrid *sg = ctx;
    return sg->cells[row * sg->nc + col];
}

/* Prints a centred title line, the grid, with the row count when
 * row_count, the lines of footer (may be NULL), then a blank line (psql). */
static void print_titled(Shell *sh, const char *title, int nc, const char *const *names, const char **cells,
                         int64_t nr, bool row_count, const char *footer)
{
    StrGrid sg = {nc, cells};
    SqlGrid g = {nc, nr, names, NULL, strgrid_cell, &sg, !row_count};
    if (!sh->expanded) {
        int width = -1;
        for (int c = 0; c < nc; c++) {
            int w = (int)strlen(names[c]);
            for (int64_t i = 0; i < nr; i++) {
                const char *v = cells[i * nc + c];
                if (v && (int)strlen(v) > w)
                    w = (int)strlen(v);
            }
            width += w + 3;
        }
        int pad = width > (int)strlen(title) ? (width - (int)strlen(title)) / 2 : 0;
        printf("%*s%s\n", pad, "", title);
    } else {
        printf("%s\n", title);
    }
    sql_print_grid(&g, sh->expanded);
    if (footer)
        fputs(footer, stdout);
    printf("\n");
}

/* ---- Statement boundaries ----------------------------------------------------------- */

/* The first ';' of s outside quotes, comments and dollar quotes, or NULL. */
static const char *statement_end(const char *s)
{
    const char *p = s;
    int depth = 0;
    while (*p) {
        if (depth > 0) {
            if (p[0] == '*' && p[1] == '/') {
                depth--;
                p += 2;
            } else if (p[0] == '/' && p[1] == '*') {
                depth++;
                p += 2;
            } else {
                p++;
            }
            continue;
        }
        if (p[0] == '-' && p[1] == '-') {
            const char *nl = strchr(p, '\n');
            if (!nl)
                return NULL;
            p = nl + 1;
        } else if (p[0] == '/' && p[1] == '*') {
            depth = 1;
            p += 2;
        } else if (*p == '\'' || *p == '"') {
            char q = *p++;
            for (;;) {
                if (!*p)
                    return NULL;
                if (*p == q && p[1] == q) {
                    p += 2;
                } else if (*p == q) {
                    p++;
                    break;
                } else {
                    p++;
                }
            }
        } else if (*p == '$' && (p == s || !(isalnum((unsigned char)p[-1]) || p[-1] == '_'))) {
            const char *t = p + 1;
            while (isalnum((unsigned char)*t) || *t == '_')
                t++;
            if (*t != '$' || isdigit((unsigned char)p[1])) {
                p++;
                continue;
            }
            size_t tag_len = (size_t)(t - p) + 1;
            const char *q = t + 1;
            for (;;) {
                q = strchr(q, '$');
                if (!q)
                    return NULL;
                if (!strncmp(q, p, tag_len))
                    break;
                q++;
            }
            p = q + tag_len;
        } else if (*p == ';') {
            return p;
        } else {
            p++;
        }
    }
    return NULL;
}

static bool blank(const char *s)
{
    for (; *s; s++)
        if (!isspace((unsigned char)*s))
            return false;
    return true;
}

/* ---- Running SQL -------------------------------------------------------------------- */

/* The session a Ctrl-C cancels while a statement runs (tarn_cancel only
 * stores an atomic flag, so it is safe in a signal handler). */
static tarn_db *volatile running_db;

static void on_sigint(int sig)
{
    (void)sig;
    if (running_db)
        tarn_cancel(running_db);
}

static double ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static void run_statement(Shell *sh, const char *sql)
{
    tarn_error err;
    memset(&err, 0, sizeof err);
    tarn_result *r = NULL;
    struct timespec t0;
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    running_db = sh->db;
    sigaction(SIGINT, &sa, &old);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = tarn_exec(sh->db, sql, &r, &err);
    double ms = ms_since(&t0);
    fflush(stdout);
    sql_print_notices(sh->db);
    sigaction(SIGINT, &old, NULL);
    running_db = NULL;
    if (rc) {
        fflush(stdout);
        sql_print_error(&err, sql);
        fflush(stderr);
    } else if (r && tarn_result_ncols(r) > 0) {
        sql_print_result(r, sh->expanded);
        printf("\n");
    } else if (r && tarn_result_tag(r)[0]) {
        printf("%s\n", tarn_result_tag(r));
    }
    tarn_result_free(r);
    if (sh->timing)
        printf("Time: %.3f ms\n", ms);
    fflush(stdout);
}

/* ---- Meta-commands ------------------------------------------------------------------ */

static void meta_error(const char *msg, const char *arg)
{
    fflush(stdout);
    fprintf(stderr, msg, arg);
    fputc('\n', stderr);
    fflush(stderr);
}

static Catalog *open_catalog(Shell *sh)
{
    tarn_error err;
    memset(&err, 0, sizeof err);
    Catalog *c = catalog_open(sh->lake, &err);
    if (!c)
        sql_print_error(&err, NULL);
    return c;
}

static void list_schemas(Shell *sh)
{
    Catalog *c = open_catalog(sh);
    if (!c)
        return;
    Arena a;
    arena_init(&a, 0);
    tarn_error err;
    memset(&err, 0, sizeof err);
    char **names;
    uint32_t n;
    if (catalog_list_schemas(c, &a, &names, &n, &err)) {
        sql_print_error(&err, NULL);
    } else {
        static const char *const cols[] = {"Name"};
        print_titled(sh, "List of schemas", 1, cols, (const char **)names, n, true, NULL);
    }
    arena_free(&a);
    catalog_close(c);
}

/* \dt (tables_only) and \d: Schema | Name | Type of every relation. */
static void list_relations(Shell *sh, bool tables_only)
{
    Catalog *c = open_catalog(sh);
    if (!c)
        return;
    Arena a;
    arena_init(&a, 0);
    tarn_error err;
    memset(&err, 0, sizeof err);
    char **schemas;
    uint32_t n_schemas, n_cells = 0, cap = 0;
    const char **cells = NULL;
    if (catalog_list_schemas(c, &a, &schemas, &n_schemas, &err))
        goto fail;
    for (uint32_t s = 0; s < n_schemas; s++) {
        char **names;
        RelKind *kinds;
        uint32_t n;
        if (catalog_list_relations(c, schemas[s], &a, &names, &kinds, &n, &err))
            goto fail;
        for (uint32_t i = 0; i < n; i++) {
            if (tables_only && kinds[i] != REL_TABLE)
                continue;
            if (n_cells + 3 > cap) {
                uint32_t ncap = cap ? cap * 2 : 48;
                const char **nc = arena_alloc(&a, ncap * sizeof *nc);
                if (!nc)
                    goto done;
                if (n_cells)
                    memcpy(nc, cells, n_cells * sizeof *nc);
                cells = nc;
                cap = ncap;
            }
            cells[n_cells++] = schemas[s];
            cells[n_cells++] = names[i];
            cells[n_cells++] = kinds[i] == REL_TABLE ? "table" : "view";
        }
    }
    if (n_cells == 0) {
        printf("Did not find any %s.\n", tables_only ? "tables" : "relations");
    } else {
        static const char *const cols[] = {"Schema", "Name", "Type"};
        print_titled(sh, "List of relations", 3, cols, cells, n_cells / 3, true, NULL);
    }
    goto done;
fail:
    sql_print_error(&err, NULL);
done:
    arena_free(&a);
    catalog_close(c);
}

/* Splits "schema.name" / "name" (unquoted parts fold to lower case, quoted
 * ones keep their case) into the arena. */
static void split_name(Arena *a, const char *text, char **schema_out, char **name_out)
{
    *schema_out = *name_out = NULL;
    char *parts[2] = {NULL, NULL};
    int np = 0;
    const char *p = text;
    while (*p && np < 2) {
        char *buf = arena_calloc(a, strlen(p) + 1);
        size_t k = 0;
        if (!buf)
            return;
        bool quoted = false;
        while (*p && (quoted || *p != '.')) {
            if (*p == '"') {
                if (quoted && p[1] == '"') {
                    buf[k++] = '"';
                    p += 2;
                    continue;
                }
                quoted = !quoted;
                p++;
                continue;
            }
            buf[k++] = quoted ? *p : (char)tolower((unsigned char)*p);
            p++;
        }
        parts[np++] = buf;
        if (*p == '.')
            p++;
    }
    *schema_out = np == 2 ? parts[0] : NULL;
    *name_out = np == 2 ? parts[1] : parts[0];
}

/* The session's search_path (SHOW search_path), "$user" left out. */
static uint32_t session_path(Shell *sh, Arena *a, const char **path)
{
    tarn_error err;
    memset(&err, 0, sizeof err);
    tarn_result *r = NULL;
    uint32_t n = 0;
    if (tarn_exec(sh->db, "SHOW search_path", &r, &err) || !r || tarn_result_nrows(r) < 1) {
        tarn_result_free(r);
        path[n++] = "public";
        return n;
    }
    const char *v = tarn_result_value(r, 0, 0);
    char *text = arena_strdup(a, v ? v : "");
    for (char *tok = text ? strtok(text, ",") : NULL; tok && n < MAX_PATH_SCHEMAS; tok = strtok(NULL, ",")) {
        while (isspace((unsigned char)*tok))
            tok++;
        char *e = tok + strlen(tok);
        while (e > tok && isspace((unsigned char)e[-1]))
            *--e = 0;
        if (!strcmp(tok, "\"$user\"") || !*tok)
            continue;
        if (*tok == '"' && e - tok >= 2 && e[-1] == '"') {
            e[-1] = 0;
            tok++;
        }
        path[n++] = tok;
    }
    tarn_result_free(r);
    return n;
}

/* \d NAME: Column | Type | Nullable, and for a table its partition columns. */
static void describe(Shell *sh, const char *text)
{
    Arena a;
    arena_init(&a, 0);
    tarn_error err;
    memset(&err, 0, sizeof err);
    tarn_result *r = NULL;
    Catalog *c = NULL;
    DeltaSnapshot *snap = NULL;
    char *schema = NULL, *name = NULL;
    split_name(&a, text, &schema, &name);
    if (!name) {
        meta_error("out of memory%s", "");
        goto done;
    }
    const char *path[MAX_PATH_SCHEMAS];
    uint32_t n_path = session_path(sh, &a, path);
    c = open_catalog(sh);
    if (!c)
        goto done;
    CatalogRel *rel;
    if (catalog_lookup(c, schema, name, path, n_path, &rel, &err)) {
        meta_error("Did not find any relation named \"%s\".", text);
        goto done;
    }
    /* Types as the engine sees them. */
    size_t qlen = strlen(rel->schema) * 2 + strlen(rel->name) * 2 + 64;
    char *q = arena_alloc(&a, qlen), *w = q;
    if (!q)
        goto done;
    w += sprintf(w, "SELECT * FROM \"");
    for (const char *s = rel->schema; *s; s++)
        w += sprintf(w, *s == '"' ? "\"\"" : "%c", *s);
    w += sprintf(w, "\".\"");
    for (const char *s = rel->name; *s; s++)
        w += sprintf(w, *s == '"' ? "\"\"" : "%c", *s);
    sprintf(w, "\" LIMIT 0");
    if (tarn_exec(sh->db, q, &r, &err) || !r) {
        sql_print_error(&err, NULL);
        goto done;
    }
    const Schema *ts = NULL;
    const DeltaMetadata *md = NULL;
    if (rel->kind == REL_TABLE) {
        snap = delta_snapshot_latest(rel->table, &err);
        if (!snap) {
            sql_print_error(&err, NULL);
            goto done;
        }
        ts = delta_snapshot_schema(snap);
        md = delta_snapshot_metadata(snap);
    }
    int nc = tarn_result_ncols(r);
    const char **cells = arena_calloc(&a, (size_t)(nc + 1) * 3 * sizeof *cells);
    if (!cells)
        goto done;
    for (int i = 0; i < nc; i++) {
        const char *col = tarn_result_colname(r, i);
        cells[i * 3] = col;
        cells[i * 3 + 1] = tarn_result_coltype(r, i);
        cells[i * 3 + 2] = "";
        for (uint32_t f = 0; ts && f < ts->n_fields; f++)
            if (!strcmp(ts->fields[f].name, col) && !ts->fields[f].nullable)
                cells[i * 3 + 2] = "not null";
    }
    char title[600];
    snprintf(title, sizeof title, "%s \"%s.%s\"", rel->kind == REL_TABLE ? "Table" : "View", rel->schema,
             rel->name);
    static const char *const cols[] = {"Column", "Type", "Nullable"};
    char footer[2048] = "";
    if (md && md->n_partition_columns > 0) {
        size_t k = (size_t)snprintf(footer, sizeof footer, "Partition columns: ");
        for (uint32_t i = 0; i < md->n_partition_columns && k < sizeof footer; i++)
            k += (size_t)snprintf(footer + k, sizeof footer - k, "%s%s", i ? ", " : "", md->partition_columns[i]);
        if (k < sizeof footer - 1)
            strcat(footer, "\n");
    }
    print_titled(sh, title, 3, cols, cells, nc, false, footer[0] ? footer : NULL);
done:
    if (snap)
        delta_snapshot_free(snap);
    tarn_result_free(r);
    if (c)
        catalog_close(c);
    arena_free(&a);
    fflush(stdout);
}

static void print_help(Shell *sh)
{
    printf("General\n"
           "  \\q                     quit tarn\n"
           "  \\?                     show this help\n"
           "\n"
           "Informational (lake %s)\n"
           "  \\d                     list tables and views\n"
           "  \\d NAME                describe table or view (columns, types, nullability, partitions)\n"
           "  \\dt                    list tables\n"
           "  \\dn                    list schemas\n"
           "\n"
           "Formatting\n"
           "  \\x                     toggle expanded output (currently %s)\n"
           "  \\timing                toggle timing of statements (currently %s)\n"
           "\n"
           "Statements end with ';' and may span lines.\n",
           sh->lake, sh->expanded ? "on" : "off", sh->timing ? "on" : "off");
}

/* Runs one meta-command line (starting with '\'); false for \q. */
static bool run_meta(Shell *sh, char *line)
{
    char *cmd = line + 1, *arg = cmd;
    while (*arg && !isspace((unsigned char)*arg))
        arg++;
    if (*arg)
        *arg++ = 0;
    while (isspace((unsigned char)*arg))
        arg++;
    char *e = arg + strlen(arg);
    while (e > arg && (isspace((unsigned char)e[-1]) || e[-1] == ';'))
        *--e = 0;
    if (!strcmp(cmd, "q"))
        return false;
    if (!strcmp(cmd, "timing")) {
        sh->timing = *arg ? !strcmp(arg, "on") : !sh->timing;
        printf("Timing is %s.\n", sh->timing ? "on" : "off");
    } else if (!strcmp(cmd, "x")) {
        sh->expanded = *arg ? !strcmp(arg, "on") : !sh->expanded;
        printf("Expanded display is %s.\n", sh->expanded ? "on" : "off");
    } else if (!strcmp(cmd, "dn")) {
        list_schemas(sh);
    } else if (!strcmp(cmd, "dt") && !*arg) {
        list_relations(sh, true);
    } else if (!strcmp(cmd, "d") && !*arg) {
        list_relations(sh, false);
    } else if ((!strcmp(cmd, "d") || !strcmp(cmd, "dt")) && *arg) {
        describe(sh, arg);
    } else if (!strcmp(cmd, "?")) {
        print_help(sh);
    } else {
        meta_error("invalid command \\%s\nTry \\? for help.", cmd);
    }
    fflush(stdout);
    return true;
}

/* ---- The loop ----------------------------------------------------------------------- */

static char *history_path(void)
{
    const char *home = getenv("HOME");
    if (!home || !*home)
        return NULL;
    size_t n = strlen(home) + 32;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/.tarn_history", home);
    return p;
}

int sql_shell_run(tarn_db *db, const char *lake, bool timing)
{
    Shell sh = {db, lake, timing, false};
    char *hist = history_path();
    rl_readline_name = "tarn";
    using_history();
    if (hist)
        read_history(hist);
    size_t len = 0, cap = 4096;
    char *buf = malloc(cap);
    if (!buf) {
        free(hist);
        fprintf(stderr, "tarn sql: out of memory\n");
        return 1;
    }
    buf[0] = 0;
    for (;;) {
        char *line = readline(len == 0 ? "tarn=> " : "tarn-> ");
        if (!line) {
            printf("\n");
            break;
        }
        char *t = line;
        while (isspace((unsigned char)*t))
            t++;
        if (*t)
            add_history(line);
        if (*t == '\\') {
            bool go_on = run_meta(&sh, t);
            free(line);
            if (!go_on)
                break;
            continue;
        }
        size_t k = strlen(line);
        if (len + k + 2 > cap) {
            size_t ncap = (len + k + 2) * 2;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                free(line);
                fprintf(stderr, "tarn sql: out of memory\n");
                break;
            }
            buf = nb;
            cap = ncap;
        }
        memcpy(buf + len, line, k);
        len += k;
        buf[len++] = '\n';
        buf[len] = 0;
        free(line);
        const char *end;
        while ((end = statement_end(buf)) != NULL) {
            size_t n = (size_t)(end - buf) + 1;
            char saved = buf[n];
            buf[n] = 0;
            if (!blank(buf) && strcmp(buf + strspn(buf, " \t\r\n"), ";"))
                run_statement(&sh, buf);
            buf[n] = saved;
            memmove(buf, buf + n, len - n + 1);
            len -= n;
        }
        if (blank(buf)) {
            len = 0;
            buf[0] = 0;
        }
    }
    if (hist) {
        write_history(hist);
        free(hist);
    }
    free(buf);
    return 0;
}
