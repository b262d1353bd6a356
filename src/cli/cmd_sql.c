/*
 * cmd_sql.c - `tarn sql`: run SQL against a lake and print the last
 * result.
 *
 *   tarn sql [--lake DIR] [--csv | --json] [--timing] [-c SQL | -f FILE]
 *
 * SQL comes from -c, else -f, else standard input: a script when piped,
 * the interactive shell (cli/shell.c) when it is a terminal.  --lake defaults to
 * $TARN_LAKE, else ./lake.  Output: an aligned psql-style table (the
 * default), CSV with a header (--csv) or NDJSON (--json); statements
 * without rows print their command tag.  On error: psql's ERROR / LINE /
 * caret / DETAIL / HINT lines on stderr and exit status 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/shell.h"
#include "tarn.h"
#include "util/mem.h"

typedef enum { OUT_TABLE, OUT_CSV, OUT_JSON } OutMode;

static int utf8_width(const char *s)
{
    int w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            w++;
    return w;
}

static bool right_align(const char *type)
{
    return !strcmp(type, "integer") || !strcmp(type, "bigint") || !strcmp(type, "smallint") ||
           !strncmp(type, "numeric", 7) || !strcmp(type, "real") || !strcmp(type, "double precision");
}

static const char *result_cell(void *ctx, int64_t row, int col)
{
    return tarn_result_value((tarn_result *)ctx, row, col);
}

/* The header line of an expanded record: "-[ RECORD n ]" then dashes to
 * the full width, with '+' over the column separator when it reaches it. */
static void record_header(int64_t n, int name_w, int val_w)
{
    char head[64];
    int len = snprintf(head, sizeof head, "-[ RECORD %lld ]", (long long)n);
    int total = name_w + 3 + val_w;
    fputs(head, stdout);
    for (int k = len; k < total; k++)
        putchar(k == name_w + 1 ? '+' : '-');
    putchar('\n');
}

void sql_print_grid(const SqlGrid *g, bool expanded)
{
    int nc = g->nc;
    int64_t nr = g->nr;
    int *w = calloc((size_t)nc + 1, sizeof(int));
    if (!w)
        return;
    for (int c = 0; c < nc; c++)
        w[c] = utf8_width(g->names[c]);
    int val_w = 0, name_w = 0;
    for (int64_t i = 0; i < nr; i++)
        for (int c = 0; c < nc; c++) {
            const char *v = g->cell(g->ctx, i, c);
            int k = v ? utf8_width(v) : 0;
            if (!expanded && k > w[c])
                w[c] = k;
            if (k > val_w)
                val_w = k;
        }
    if (expanded) {
        for (int c = 0; c < nc; c++)
            if (w[c] > name_w)
                name_w = w[c];
        if (nr == 0)
            printf("(0 rows)\n");
        for (int64_t i = 0; i < nr; i++) {
            record_header(i + 1, name_w, val_w);
            for (int c = 0; c < nc; c++) {
                const char *v = g->cell(g->ctx, i, c);
                printf("%s%*s | %s\n", g->names[c], name_w - utf8_width(g->names[c]), "", v ? v : "");
            }
        }
        free(w);
        return;
    }
    for (int c = 0; c < nc; c++) {
        const char *n = g->names[c];
        int pad = w[c] - utf8_width(n);
        printf("%s %*s%s%*s %s", c ? "|" : "", pad / 2, "", n, pad - pad / 2, "", "");
    }
    printf("\n");
    for (int c = 0; c < nc; c++) {
        printf("%s", c ? "+" : "");
        for (int k = 0; k < w[c] + 2; k++)
            putchar('-');
    }
    printf("\n");
    for (int64_t i = 0; i < nr; i++) {
        for (int c = 0; c < nc; c++) {
            const char *v = g->cell(g->ctx, i, c);
            if (!v)
                v = "";
            int pad = w[c] - utf8_width(v);
            if (g->right && g->right[c])
                printf("%s %*s%s ", c ? "|" : "", pad, "", v);
            else
                printf("%s %s%*s ", c ? "|" : "", v, c == nc - 1 ? 0 : pad, "");
        }
        printf("\n");
    }
    if (!g->no_footer)
        printf("(%lld row%s)\n", (long long)nr, nr == 1 ? "" : "s");
    free(w);
}

void sql_print_result(tarn_result *r, bool expanded)
{
    int nc = tarn_result_ncols(r);
    const char **names = calloc((size_t)nc + 1, sizeof *names);
    bool *right = calloc((size_t)nc + 1, sizeof *right);
    if (!names || !right) {
        free(names);
        free(right);
        return;
    }
    for (int c = 0; c < nc; c++) {
        names[c] = tarn_result_colname(r, c);
        right[c] = right_align(tarn_result_coltype(r, c));
    }
    SqlGrid g = {nc, tarn_result_nrows(r), names, right, result_cell, r, false};
    sql_print_grid(&g, expanded);
    free(names);
    free(right);
}

static void csv_field(const char *v)
{
    bool q = !*v || strpbrk(v, ",\"\n\r") || v[0] == ' ' || v[strlen(v) - 1] == ' ';
    if (!q) {
        fputs(v, stdout);
        return;
    }
    putchar('"');
    for (; *v; v++) {
        if (*v == '"')
            putchar('"');
        putchar(*v);
    }
    putchar('"');
}

static void print_csv(tarn_result *r)
{
    int nc = tarn_result_ncols(r);
    for (int c = 0; c < nc; c++) {
        if (c)
            putchar(',');
        csv_field(tarn_result_colname(r, c));
    }
    putchar('\n');
    for (int64_t i = 0; i < tarn_result_nrows(r); i++) {
        for (int c = 0; c < nc; c++) {
            if (c)
                putchar(',');
            const char *v = tarn_result_value(r, i, c);
            if (v)
                csv_field(v);
        }
        putchar('\n');
    }
}

static void json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            printf("\\%c", ch);
        else if (ch == '\n')
            printf("\\n");
        else if (ch == '\t')
            printf("\\t");
        else if (ch == '\r')
            printf("\\r");
        else if (ch < 0x20)
            printf("\\u%04x", ch);
        else
            putchar(ch);
    }
    putchar('"');
}

static bool json_bare(const char *type, const char *v)
{
    if (!strcmp(type, "boolean"))
        return false;
    if (!right_align(type))
        return false;
    return strcmp(v, "NaN") && strcmp(v, "Infinity") && strcmp(v, "-Infinity");
}

static void print_json(tarn_result *r)
{
    int nc = tarn_result_ncols(r);
    for (int64_t i = 0; i < tarn_result_nrows(r); i++) {
        putchar('{');
        for (int c = 0; c < nc; c++) {
            if (c)
                putchar(',');
            json_string(tarn_result_colname(r, c));
            putchar(':');
            const char *v = tarn_result_value(r, i, c);
            const char *t = tarn_result_coltype(r, c);
            if (!v)
                printf("null");
            else if (!strcmp(t, "boolean"))
                printf("%s", !strcmp(v, "t") ? "true" : "false");
            else if (json_bare(t, v))
                fputs(v, stdout);
            else
                json_string(v);
        }
        printf("}\n");
    }
}

void sql_print_notices(const tarn_db *db)
{
    for (int i = 0; i < tarn_notice_count(db); i++) {
        tarn_error n;
        const char *sev = tarn_notice_get(db, i, &n);
        if (sev)
            fprintf(stderr, "%s:  %s\n", sev, n.message);
    }
}

/* psql's LINE n: ... with a caret under the error position. */
void sql_print_error(const tarn_error *err, const char *sql)
{
    fprintf(stderr, "ERROR:  %s\n", err->message);
    if (err->position > 0 && sql) {
        int pos = 1, line = 1;
        const char *ls = sql, *p = sql;
        for (; *p && pos < err->position; p++) {
            if (((unsigned char)*p & 0xC0) != 0x80)
                pos++;
            if (*p == '\n') {
                line++;
                ls = p + 1;
            }
        }
        const char *le = strchr(ls, '\n');
        int len = le ? (int)(le - ls) : (int)strlen(ls);
        char prefix[32];
        snprintf(prefix, sizeof prefix, "LINE %d: ", line);
        fprintf(stderr, "%s%.*s\n", prefix, len, ls);
        int col = 0;
        for (const char *q = ls; q < p; q++)
            if (((unsigned char)*q & 0xC0) != 0x80)
                col++;
        fprintf(stderr, "%*s^\n", (int)strlen(prefix) + col, "");
    }
    if (err->detail[0])
        fprintf(stderr, "DETAIL:  %s\n", err->detail);
    if (err->hint[0])
        fprintf(stderr, "HINT:  %s\n", err->hint);
    if (err->context[0])
        fprintf(stderr, "CONTEXT:  %s\n", err->context);
}

static char *read_stream(FILE *f)
{
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    if (!b)
        return NULL;
    size_t k;
    while ((k = fread(b + n, 1, cap - n - 1, f)) > 0) {
        n += k;
        if (n + 1 == cap) {
            char *nb = realloc(b, cap * 2);
            if (!nb) {
                free(b);
                return NULL;
            }
            b = nb;
            cap *= 2;
        }
    }
    b[n] = 0;
    return b;
}

int cmd_sql(int argc, char **argv)
{
    const char *lake = getenv("TARN_LAKE"), *cmd = NULL, *file = NULL, *v;
    OutMode mode = OUT_TABLE;
    bool timing = false;
    if (!lake || !*lake)
        lake = "lake";
    for (int i = 1; i < argc; i++) {
        if (cli_opt(argc, argv, &i, "--lake", &v))
            lake = v;
        else if (!strcmp(argv[i], "--csv"))
            mode = OUT_CSV;
        else if (!strcmp(argv[i], "--json"))
            mode = OUT_JSON;
        else if (!strcmp(argv[i], "--timing"))
            timing = true;
        else if (!strcmp(argv[i], "-c") && i + 1 < argc)
            cmd = argv[++i];
        else if (!strcmp(argv[i], "-f") && i + 1 < argc)
            file = argv[++i];
        else if (cli_opt(argc, argv, &i, "--command", &v))
            cmd = v;
        else if (cli_opt(argc, argv, &i, "--file", &v))
            file = v;
        else
            return cli_usage("sql", "unexpected argument \"%s\"", argv[i]);
    }
    char *text = NULL;
    bool interactive = false;
    if (cmd) {
        text = strdup(cmd);
    } else if (file) {
        FILE *f = fopen(file, "rb");
        if (!f) {
            fprintf(stderr, "tarn sql: cannot open \"%s\"\n", file);
            return 1;
        }
        text = read_stream(f);
        fclose(f);
    } else if (isatty(STDIN_FILENO)) {
        interactive = true;
    } else {
        text = read_stream(stdin);
    }
    if (!text && !interactive) {
        fprintf(stderr, "tarn sql: out of memory\n");
        return 1;
    }
    tarn_error err;
    memset(&err, 0, sizeof err);
    tarn_db *db;
    if (tarn_open(lake, &db, &err)) {
        sql_print_error(&err, NULL);
        free(text);
        return 1;
    }
    if (interactive) {
        int st = sql_shell_run(db, lake, timing);
        tarn_close(db);
        return st;
    }
    tarn_result *r = NULL;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = tarn_exec(db, text, &r, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    sql_print_notices(db);
    if (timing)
        fprintf(stderr, "Time: %.3f ms\n", (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
    if (rc) {
        sql_print_error(&err, text);
    } else if (r) {
        if (tarn_result_ncols(r) > 0) {
            if (mode == OUT_CSV)
                print_csv(r);
            else if (mode == OUT_JSON)
                print_json(r);
            else
                sql_print_result(r, false);
        } else if (mode == OUT_TABLE && tarn_result_tag(r)[0]) {
            printf("%s\n", tarn_result_tag(r));
        }
    }
    tarn_result_free(r);
    tarn_close(db);
    free(text);
    return rc ? 1 : 0;
}
