/*
 * driver.c - differential tests: the same statements through tarn (the
 * embedded API, tarn_exec) and through a real PostgreSQL server (libpq),
 * answers compared cell by cell.  tests/pgdiff/run.sh starts the server.
 *
 *   build/pgdiff_driver [-v] --pg CONNINFO --lake DIR SETUP.sql QUERIES.sql ...
 *
 * SETUP.sql runs first in both engines (tables of generated data); any
 * failure there fails the run.  Every statement of a QUERIES file is one
 * test.  A statement ends with ';' at the end of a line (outside quotes and
 * comments).  Comment lines right before a statement may carry directives:
 *
 *   -- known: REASON     a documented difference (docs/sql.md "Known
 *                        differences"): run and reported, not counted; if it
 *                        starts to agree it is reported so the mark goes
 *   -- unsupported: WHY  a feature tarn refuses today (docs/sql.md "What
 *                        does not work yet"): passes only when tarn fails
 *                        with 0A000 (an honest refusal), counted apart
 *   -- sort              compare rows sorted even though there is ORDER BY
 *                        (ties the two engines may order differently)
 *   -- tarn only: WHY    a tarn setting PostgreSQL does not have (SET
 *                        memory_limit): run in tarn only, must succeed;
 *                        not counted
 *
 * Comparison: the same number of columns with the same type OIDs, the same
 * rows (sorted as text unless the statement has a top-level ORDER BY),
 * values equal as text except float4/float8 columns, which agree within
 * 1e-9 relative.  Both failing is a pass when the SQLSTATE classes agree
 * (a differing code in the class is printed as a note); one failing is a
 * failure.  Each failure prints the statement and both outputs.  The last
 * line is "N passed, N failed".
 */
#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "tarn.h"

#define FLOAT4OID 700
#define FLOAT8OID 701

typedef struct {
    char *sql;
    char *known;       /* reason, or NULL */
    char *unsupported; /* reason, or NULL */
    bool force_sort;
    char *tarn_only;   /* reason, or NULL */
    int line;
} Stmt;

typedef struct {
    Stmt *v;
    int n, cap;
} Stmts;

/* One engine's answer: an error (SQLSTATE + message) or a table of text. */
typedef struct {
    bool failed;
    char sqlstate[6];
    char message[600];
    int ncols;
    int64_t nrows;
    uint32_t *oids;
    char **cells; /* nrows * ncols, NULL = SQL NULL */
    int64_t *order; /* row permutation used for comparison */
} Answer;

static bool verbose;

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(buf);
        return NULL;
    }
    buf[n] = 0;
    fclose(f);
    return buf;
}

static void stmts_push(Stmts *s, Stmt st)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->v = realloc(s->v, (size_t)s->cap * sizeof *s->v);
    }
    s->v[s->n++] = st;
}

static bool blank(const char *p, const char *e)
{
    for (; p < e; p++)
        if (!isspace((unsigned char)*p)) return false;
    return true;
}

/* Splits a file into statements; see the header for the syntax. */
static void split_statements(const char *text, Stmts *out)
{
    const char *p = text;
    int line = 1;
    char *known = NULL, *unsupported = NULL, *tarn_only = NULL;
    bool force_sort = false;
    const char *start = NULL;
    int start_line = 0;
    bool in_quote = false;
    while (*p) {
        const char *eol = strchr(p, '\n');
        if (!eol) eol = p + strlen(p);
        if (!start && !in_quote) {
            const char *q = p;
            while (q < eol && isspace((unsigned char)*q)) q++;
            if (q == eol) goto next_line;
            if (eol - q >= 2 && q[0] == '-' && q[1] == '-') {
                q += 2;
                while (q < eol && isspace((unsigned char)*q)) q++;
                if (!strncmp(q, "known:", 6)) {
                    q += 6;
                    while (q < eol && isspace((unsigned char)*q)) q++;
                    free(known);
                    known = strndup(q, (size_t)(eol - q));
                } else if (!strncmp(q, "unsupported:", 12)) {
                    q += 12;
                    while (q < eol && isspace((unsigned char)*q)) q++;
                    free(unsupported);
                    unsupported = strndup(q, (size_t)(eol - q));
                } else if (!strncmp(q, "tarn only:", 10)) {
                    q += 10;
                    while (q < eol && isspace((unsigned char)*q)) q++;
                    free(tarn_only);
                    tarn_only = strndup(q, (size_t)(eol - q));
                } else if (eol - q == 4 && !strncmp(q, "sort", 4)) {
                    force_sort = true;
                }
                goto next_line;
            }
            start = p;
            start_line = line;
        }
        /* scan the line for quotes and a final ';' */
        {
            const char *last = NULL;
            for (const char *q = p; q < eol; q++) {
                if (in_quote) {
                    if (*q == '\'') in_quote = false;
                } else if (*q == '\'') {
                    in_quote = true;
                } else if (q[0] == '-' && q + 1 < eol && q[1] == '-') {
                    break;
                } else if (*q == ';') {
                    last = q;
                } else if (!isspace((unsigned char)*q)) {
                    last = NULL;
                }
            }
            if (!in_quote && last) {
                Stmt st = {strndup(start, (size_t)(last - start)), known, unsupported, force_sort, tarn_only,
                           start_line};
                stmts_push(out, st);
                known = NULL;
                unsupported = NULL;
                tarn_only = NULL;
                force_sort = false;
                start = NULL;
            }
        }
    next_line:
        if (!*eol) break;
        p = eol + 1;
        line++;
    }
    if (start && !blank(start, p + strlen(p))) {
        Stmt st = {strdup(start), known, unsupported, force_sort, tarn_only, start_line};
        stmts_push(out, st);
    } else {
        free(known);
        free(unsupported);
        free(tarn_only);
    }
}

/* Does the statement end with an ORDER BY at parenthesis depth 0? */
static bool has_top_order_by(const char *sql)
{
    int depth = 0;
    bool in_quote = false;
    bool found = false;
    for (const char *p = sql; *p; p++) {
        if (in_quote) {
            if (*p == '\'') in_quote = false;
            continue;
        }
        if (*p == '\'') in_quote = true;
        else if (*p == '(') depth++;
        else if (*p == ')') depth--;
        else if (depth == 0 && !strncasecmp(p, "order", 5) && (p == sql || !isalnum((unsigned char)p[-1])) &&
                 !isalnum((unsigned char)p[5])) {
            const char *q = p + 5;
            while (isspace((unsigned char)*q)) q++;
            if (!strncasecmp(q, "by", 2) && !isalnum((unsigned char)q[2])) found = true;
        }
    }
    return found;
}

static void answer_free(Answer *a)
{
    if (a->cells)
        for (int64_t i = 0; i < a->nrows * a->ncols; i++) free(a->cells[i]);
    free(a->cells);
    free(a->oids);
    free(a->order);
    memset(a, 0, sizeof *a);
}

static void answer_alloc(Answer *a, int ncols, int64_t nrows)
{
    a->ncols = ncols;
    a->nrows = nrows;
    a->oids = calloc((size_t)(ncols ? ncols : 1), sizeof *a->oids);
    a->cells = calloc((size_t)(nrows * ncols + 1), sizeof *a->cells);
    a->order = malloc((size_t)(nrows + 1) * sizeof *a->order);
    for (int64_t i = 0; i < nrows; i++) a->order[i] = i;
}

static void run_tarn(tarn_db *db, const char *sql, Answer *a)
{
    memset(a, 0, sizeof *a);
    tarn_result *res = NULL;
    tarn_error err;
    memset(&err, 0, sizeof err);
    if (tarn_exec(db, sql, &res, &err) != TARN_OK) {
        a->failed = true;
        snprintf(a->sqlstate, sizeof a->sqlstate, "%s", err.sqlstate[0] ? err.sqlstate : "?????");
        snprintf(a->message, sizeof a->message, "%s", err.message);
        if (res) tarn_result_free(res);
        return;
    }
    if (!res) {
        answer_alloc(a, 0, 0);
        return;
    }
    int nc = tarn_result_ncols(res);
    int64_t nr = tarn_result_nrows(res);
    answer_alloc(a, nc, nr);
    for (int c = 0; c < nc; c++) a->oids[c] = tarn_result_coloid(res, c);
    for (int64_t r = 0; r < nr; r++)
        for (int c = 0; c < nc; c++) {
            const char *v = tarn_result_value(res, r, c);
            a->cells[r * nc + c] = v ? strdup(v) : NULL;
        }
    tarn_result_free(res);
}

static void run_pg(PGconn *conn, const char *sql, Answer *a)
{
    memset(a, 0, sizeof *a);
    PGresult *res = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        a->failed = true;
        const char *code = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
        snprintf(a->sqlstate, sizeof a->sqlstate, "%s", code ? code : "?????");
        snprintf(a->message, sizeof a->message, "%s", msg ? msg : PQerrorMessage(conn));
        PQclear(res);
        return;
    }
    int nc = st == PGRES_TUPLES_OK ? PQnfields(res) : 0;
    int64_t nr = st == PGRES_TUPLES_OK ? PQntuples(res) : 0;
    answer_alloc(a, nc, nr);
    for (int c = 0; c < nc; c++) a->oids[c] = PQftype(res, c);
    for (int64_t r = 0; r < nr; r++)
        for (int c = 0; c < nc; c++)
            a->cells[r * nc + c] = PQgetisnull(res, (int)r, c) ? NULL : strdup(PQgetvalue(res, (int)r, c));
    PQclear(res);
}

/* Row order for unordered results: by the text of each cell, NULL first. */
static const Answer *sort_ctx;

static int cmp_rows(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    for (int c = 0; c < sort_ctx->ncols; c++) {
        const char *u = sort_ctx->cells[a * sort_ctx->ncols + c], *v = sort_ctx->cells[b * sort_ctx->ncols + c];
        if (!u || !v) {
            if (u != v) return u ? 1 : -1;
            continue;
        }
        int k = strcmp(u, v);
        if (k) return k;
    }
    return 0;
}

static void sort_answer(Answer *a)
{
    if (a->failed || a->nrows < 2)
        return;
    sort_ctx = a;
    qsort(a->order, (size_t)a->nrows, sizeof *a->order, cmp_rows);
}

static bool float_equal(const char *u, const char *v)
{
    if (!strcmp(u, v)) return true;
    char *e1, *e2;
    double x = strtod(u, &e1), y = strtod(v, &e2);
    if (*e1 || *e2) return false;
    if (isnan(x) || isnan(y) || isinf(x) || isinf(y)) return false;
    double m = fmax(fabs(x), fabs(y));
    return fabs(x - y) <= 1e-9 * m;
}

static bool cell_equal(uint32_t oid, const char *u, const char *v)
{
    if (!u || !v) return u == v;
    if (oid == FLOAT4OID || oid == FLOAT8OID) return float_equal(u, v);
    return !strcmp(u, v);
}

static void print_answer(const char *who, const Answer *a, int64_t focus)
{
    if (a->failed) {
        printf("    %s: ERROR %s: %s\n", who, a->sqlstate, a->message);
        return;
    }
    printf("    %s: %d columns (oids", who, a->ncols);
    for (int c = 0; c < a->ncols; c++) printf(" %u", a->oids[c]);
    printf("), %lld rows\n", (long long)a->nrows);
    int64_t from = focus > 3 ? focus - 3 : 0;
    int64_t to = from + 8 < a->nrows ? from + 8 : a->nrows;
    for (int64_t i = from; i < to; i++) {
        int64_t r = a->order[i];
        printf("      %s", i == focus ? "> " : "  ");
        for (int c = 0; c < a->ncols; c++) {
            const char *v = a->cells[r * a->ncols + c];
            printf("%s%s", c ? " | " : "", v ? v : "NULL");
        }
        printf("\n");
    }
    if (to < a->nrows) printf("        ... (%lld more)\n", (long long)(a->nrows - to));
}

/* Compares two answers; on a difference fills why[] and *focus (row). */
static bool compare(const Answer *t, const Answer *p, char *why, size_t cap, int64_t *focus, char *note,
                    size_t note_cap)
{
    *focus = -1;
    note[0] = 0;
    if (t->failed || p->failed) {
        if (t->failed && p->failed) {
            if (strncmp(t->sqlstate, p->sqlstate, 2)) {
                snprintf(why, cap, "SQLSTATE classes differ (tarn %s, postgres %s)", t->sqlstate, p->sqlstate);
                return false;
            }
            if (strcmp(t->sqlstate, p->sqlstate))
                snprintf(note, note_cap, "SQLSTATE tarn %s, postgres %s", t->sqlstate, p->sqlstate);
            return true;
        }
        snprintf(why, cap, "%s fails, %s does not", t->failed ? "tarn" : "postgres", t->failed ? "postgres" : "tarn");
        return false;
    }
    if (t->ncols != p->ncols) {
        snprintf(why, cap, "column count: tarn %d, postgres %d", t->ncols, p->ncols);
        return false;
    }
    for (int c = 0; c < t->ncols; c++)
        if (t->oids[c] != p->oids[c]) {
            snprintf(why, cap, "column %d type oid: tarn %u, postgres %u", c + 1, t->oids[c], p->oids[c]);
            return false;
        }
    int64_t n = t->nrows < p->nrows ? t->nrows : p->nrows;
    for (int64_t i = 0; i < n; i++) {
        int64_t rt = t->order[i], rp = p->order[i];
        for (int c = 0; c < t->ncols; c++)
            if (!cell_equal(p->oids[c], t->cells[rt * t->ncols + c], p->cells[rp * p->ncols + c])) {
                const char *u = t->cells[rt * t->ncols + c], *v = p->cells[rp * p->ncols + c];
                snprintf(why, cap, "row %lld column %d: tarn %s, postgres %s", (long long)i + 1, c + 1,
                         u ? u : "NULL", v ? v : "NULL");
                *focus = i;
                return false;
            }
    }
    if (t->nrows != p->nrows) {
        snprintf(why, cap, "row count: tarn %lld, postgres %lld", (long long)t->nrows, (long long)p->nrows);
        *focus = n;
        return false;
    }
    return true;
}

int main(int argc, char **argv)
{
    const char *conninfo = NULL, *lake = NULL;
    int first = 1;
    for (; first < argc; first++) {
        if (!strcmp(argv[first], "-v")) verbose = true;
        else if (!strcmp(argv[first], "--pg") && first + 1 < argc) conninfo = argv[++first];
        else if (!strcmp(argv[first], "--lake") && first + 1 < argc) lake = argv[++first];
        else break;
    }
    if (!conninfo || !lake || first + 2 > argc) {
        fprintf(stderr, "usage: pgdiff_driver [-v] --pg CONNINFO --lake DIR SETUP.sql QUERIES.sql ...\n");
        printf("0 passed, 1 failed\n");
        return 2;
    }
    PGconn *conn = PQconnectdb(conninfo);
    if (PQstatus(conn) != CONNECTION_OK) {
        printf("FAIL cannot connect to PostgreSQL: %s", PQerrorMessage(conn));
        printf("0 passed, 1 failed\n");
        return 1;
    }
    PQsetNoticeProcessor(conn, NULL, NULL);
    tarn_db *db = NULL;
    tarn_error err;
    if (tarn_open(lake, &db, &err) != TARN_OK) {
        printf("FAIL tarn_open %s: %s\n", lake, err.message);
        printf("0 passed, 1 failed\n");
        return 1;
    }
    int pass = 0, fail = 0, known = 0, known_agree = 0, notes = 0, refused = 0;
    for (int f = first; f < argc; f++) {
        bool setup = f == first;
        char *text = read_file(argv[f]);
        if (!text) {
            printf("FAIL cannot read %s\n", argv[f]);
            fail++;
            continue;
        }
        Stmts ss = {0};
        split_statements(text, &ss);
        free(text);
        int file_pass = 0, file_fail = 0;
        for (int i = 0; i < ss.n; i++) {
            Stmt *st = &ss.v[i];
            Answer t, p;
            if (st->tarn_only) {
                run_tarn(db, st->sql, &t);
                if (t.failed) {
                    printf("FAIL %s:%d: tarn-only statement (%s) fails: %s %s\n  %s\n", argv[f], st->line,
                           st->tarn_only, t.sqlstate, t.message, st->sql);
                    fail++;
                    file_fail++;
                }
                answer_free(&t);
                continue;
            }
            run_tarn(db, st->sql, &t);
            run_pg(conn, st->sql, &p);
            if (setup) {
                if (t.failed || p.failed) {
                    printf("FAIL setup %s:%d: %s\n  tarn: %s %s\n  postgres: %s %s\n", argv[f], st->line, st->sql,
                           t.failed ? t.sqlstate : "ok", t.failed ? t.message : "", p.failed ? p.sqlstate : "ok",
                           p.failed ? p.message : "");
                    fail++;
                    file_fail++;
                }
                answer_free(&t);
                answer_free(&p);
                continue;
            }
            if (st->force_sort || !has_top_order_by(st->sql)) {
                sort_answer(&t);
                sort_answer(&p);
            }
            char why[1400], note[200];
            int64_t focus;
            bool ok = compare(&t, &p, why, sizeof why, &focus, note, sizeof note);
            if (st->unsupported) {
                if (t.failed && !strcmp(t.sqlstate, "0A000")) {
                    refused++;
                    if (verbose) printf("refused %s:%d (%s): %s\n", argv[f], st->line, st->unsupported, t.message);
                } else if (ok) {
                    refused++;
                    printf("NOTE %s:%d marked unsupported (%s) but the engines agree now: drop the mark\n",
                           argv[f], st->line, st->unsupported);
                } else {
                    fail++;
                    file_fail++;
                    printf("FAIL %s:%d: marked unsupported (%s) but tarn does not refuse with 0A000: %s\n  %s\n",
                           argv[f], st->line, st->unsupported, why, st->sql);
                    print_answer("tarn    ", &t, focus);
                    print_answer("postgres", &p, focus);
                }
            } else if (st->known) {
                known++;
                if (ok) {
                    known_agree++;
                    printf("NOTE %s:%d marked known (%s) but the engines agree now: drop the mark\n", argv[f],
                           st->line, st->known);
                } else if (verbose) {
                    printf("known %s:%d (%s): %s\n", argv[f], st->line, st->known, why);
                }
            } else if (ok) {
                pass++;
                file_pass++;
                if (note[0]) {
                    notes++;
                    printf("note %s:%d: %s\n    %s\n", argv[f], st->line, note, st->sql);
                }
            } else {
                fail++;
                file_fail++;
                printf("FAIL %s:%d: %s\n  %s\n", argv[f], st->line, why, st->sql);
                print_answer("tarn    ", &t, focus);
                print_answer("postgres", &p, focus);
            }
            answer_free(&t);
            answer_free(&p);
        }
        if (verbose || !setup) printf("%s: %d passed, %d failed\n", argv[f], file_pass, file_fail);
        for (int i = 0; i < ss.n; i++) {
            free(ss.v[i].sql);
            free(ss.v[i].known);
            free(ss.v[i].unsupported);
            free(ss.v[i].tarn_only);
        }
        free(ss.v);
    }
    tarn_close(db);
    PQfinish(conn);
    printf("%d known differences (not counted, docs/sql.md), %d of them agree now; %d refused with 0A000 "
           "(unsupported); %d SQLSTATE notes\n",
           known, known_agree, refused, notes);
    printf("%d passed, %d failed\n", pass, fail);
    return fail ? 1 : 0;
}
