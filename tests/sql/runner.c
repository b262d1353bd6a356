/*
 * runner.c - sqllogictest runner for tarn (SQLite / DuckDB format).
 *
 *   build/sql_runner [-v] [--stop] FILE.test ...
 *
 * Each file runs against a fresh lake in a temporary directory (removed
 * afterwards); the working directory stays the repository root so that
 * files can reference tests/data/... .  Records:
 *
 *   statement ok                       the SQL (up to a blank line) succeeds;
 *   SQL                                when a ---- line follows, the next
 *   ----                               line is the expected command tag
 *   TAG                                ("UPDATE 2")
 *   statement error [FRAGMENT]         it fails; the expected message
 *   SQL                                fragment or SQLSTATE may follow a
 *   ----                               ---- line instead
 *   expected error text
 *
 *   query <types> [nosort|rowsort|valuesort] [label]
 *   SQL
 *   ----
 *   expected rows, values separated by tabs (or runs of spaces when no
 *   tab is present) - or "N values hashing to MD5"
 *
 *   hash-threshold N     results with more values are compared by MD5
 *   halt                 stop this file
 *   skipif ENGINE / onlyif ENGINE   guard the next record (engine: tarn)
 *   mode skip / mode unskip         skip records until unskip
 *   # comment
 *
 * Values print in PostgreSQL's text format; NULL as "NULL", the empty
 * string as "(empty)".  The last line of output is "N passed, N failed"
 * (records); -v prints every record, --stop stops at the first failure.
 */
#include <ftw.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tarn.h"

/* ---- MD5 (RFC 1321), for hashed results --------------------------------------------------- */

typedef struct {
    uint32_t a, b, c, d;
    uint64_t len;
    uint8_t buf[64];
} Md5;

static const uint32_t K[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391};
static const int R[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9,  14, 20, 5, 9,
                          14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                          4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};

static void md5_block(Md5 *m, const uint8_t *p)
{
    uint32_t w[16];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 | (uint32_t)p[4 * i + 2] << 16 | (uint32_t)p[4 * i + 3] << 24;
    uint32_t a = m->a, b = m->b, c = m->c, d = m->d;
    for (int i = 0; i < 64; i++) {
        uint32_t f;
        int g;
        if (i < 16) { f = (b & c) | (~b & d); g = i; }
        else if (i < 32) { f = (d & b) | (~d & c); g = (5 * i + 1) % 16; }
        else if (i < 48) { f = b ^ c ^ d; g = (3 * i + 5) % 16; }
        else { f = c ^ (b | ~d); g = (7 * i) % 16; }
        uint32_t t = d;
        d = c;
        c = b;
        uint32_t x = a + f + K[i] + w[g];
        b = b + ((x << R[i]) | (x >> (32 - R[i])));
        a = t;
    }
    m->a += a;
    m->b += b;
    m->c += c;
    m->d += d;
}

static void md5_init(Md5 *m)
{
    m->a = 0x67452301;
    m->b = 0xefcdab89;
    m->c = 0x98badcfe;
    m->d = 0x10325476;
    m->len = 0;
}

static void md5_update(Md5 *m, const void *data, size_t n)
{
    const uint8_t *p = data;
    while (n--) {
        m->buf[m->len++ % 64] = *p++;
        if (m->len % 64 == 0)
            md5_block(m, m->buf);
    }
}

static void md5_hex(Md5 *m, char out[33])
{
    uint64_t bits = m->len * 8;
    uint8_t pad = 0x80;
    md5_update(m, &pad, 1);
    pad = 0;
    while (m->len % 64 != 56)
        md5_update(m, &pad, 1);
    uint8_t lb[8];
    for (int i = 0; i < 8; i++)
        lb[i] = (uint8_t)(bits >> (8 * i));
    md5_update(m, lb, 8);
    uint32_t v[4] = {m->a, m->b, m->c, m->d};
    for (int i = 0; i < 16; i++)
        sprintf(out + 2 * i, "%02x", (v[i / 4] >> (8 * (i % 4))) & 0xff);
}

/* ---- helpers ------------------------------------------------------------------------------------ */

typedef struct Lines {
    char **v;
    size_t n, cap;
} Lines;

static void lines_push(Lines *l, char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = realloc(l->v, l->cap * sizeof(char *));
        if (!l->v)
            abort();
    }
    l->v[l->n++] = s;
}

static void lines_free(Lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = 0;
    return s;
}

static int rm_cb(const char *p, const struct stat *sb, int f, struct FTW *ftw)
{
    (void)sb; (void)f; (void)ftw;
    return remove(p);
}

static bool verbose, stop_first;
static long total_pass, total_fail;

/* Renders a result as one string per value. */
static void render(tarn_result *r, Lines *vals, int *ncols)
{
    *ncols = tarn_result_ncols(r);
    for (int64_t i = 0; i < tarn_result_nrows(r); i++)
        for (int c = 0; c < *ncols; c++) {
            const char *v = tarn_result_value(r, i, c);
            char *s;
            if (!v)
                s = strdup("NULL");
            else if (!*v)
                s = strdup("(empty)");
            else {
                s = strdup(v);
                /* tabs and newlines would break the format */
                for (char *p = s; *p; p++)
                    if (*p == '\t' || *p == '\n' || *p == '\r')
                        *p = ' ';
            }
            lines_push(vals, s);
        }
}

/* Splits an expected row into values: by tabs, or by runs of spaces. */
static void split_row(const char *line, Lines *out, int ncols)
{
    bool tabs = strchr(line, '\t') != NULL;
    if (!tabs && ncols == 1) {
        lines_push(out, strdup(line));
        return;
    }
    const char *p = line;
    while (*p) {
        const char *e = tabs ? strchr(p, '\t') : strchr(p, ' ');
        if (!e)
            e = p + strlen(p);
        lines_push(out, strndup(p, (size_t)(e - p)));
        if (!*e)
            break;
        p = e + 1;
        if (!tabs)
            while (*p == ' ')
                p++;
    }
}

typedef struct Record {
    int line;
    char kind;              /* 's' statement, 'q' query */
    bool expect_error;
    char *error_frag;
    char *types;
    char sort[16];
    char *sql;
    Lines expected;
} Record;

static void print_vals(const Lines *v, int ncols)
{
    size_t nc = ncols > 0 ? (size_t)ncols : 1;
    for (size_t i = 0; i < v->n; i++)
        printf("%s%s%s", i % nc ? "\t" : "    ", v->v[i], (i + 1) % nc ? "" : "\n");
    if (v->n % nc)
        printf("\n");
}

static void fail_report(const char *file, const Record *r, const char *why)
{
    printf("FAIL %s:%d: %s\n", file, r->line, why);
    printf("  SQL: %s\n", r->sql);
}

static bool run_record(const char *file, tarn_db *db, Record *rec, long hash_threshold)
{
    tarn_error err;
    memset(&err, 0, sizeof err);
    tarn_result *res = NULL;
    int rc = tarn_exec(db, rec->sql, &res, &err);
    char buf[8192];
    if (rec->kind == 's' && !rec->expect_error) {
        if (rc) {
            snprintf(buf, sizeof buf, "statement failed: %s [%s]", err.message, err.sqlstate);
            fail_report(file, rec, buf);
        } else if (rec->expected.n && strcmp(tarn_result_tag(res), trim(rec->expected.v[0]))) {
            snprintf(buf, sizeof buf, "command tag \"%s\", expected \"%s\"", tarn_result_tag(res), trim(rec->expected.v[0]));
            fail_report(file, rec, buf);
            rc = 1;
        }
        tarn_result_free(res);
        return rc == 0;
    }
    if (rec->expect_error) {
        tarn_result_free(res);
        if (!rc) {
            fail_report(file, rec, "expected an error, statement succeeded");
            return false;
        }
        const char *frag = rec->error_frag;
        if (frag && *frag && !strstr(err.message, frag) && strcmp(err.sqlstate, frag) != 0) {
            snprintf(buf, sizeof buf, "error \"%s\" [%s] lacks \"%s\"", err.message, err.sqlstate, frag);
            fail_report(file, rec, buf);
            return false;
        }
        return true;
    }
    /* query */
    if (rc) {
        snprintf(buf, sizeof buf, "query failed: %s [%s]", err.message, err.sqlstate);
        fail_report(file, rec, buf);
        return false;
    }
    Lines got = {0}, exp = {0};
    int ncols;
    render(res, &got, &ncols);
    tarn_result_free(res);
    bool ok = true;
    int want_cols = rec->types ? (int)strlen(rec->types) : ncols;
    if (want_cols != ncols) {
        snprintf(buf, sizeof buf, "expected %d columns, got %d", want_cols, ncols);
        fail_report(file, rec, buf);
        lines_free(&got);
        return false;
    }
    /* expected values */
    bool hashed = false;
    char exp_hash[64] = "";
    long exp_nvals = 0;
    if (rec->expected.n == 1 && strstr(rec->expected.v[0], " values hashing to ")) {
        hashed = true;
        sscanf(rec->expected.v[0], "%ld values hashing to %63s", &exp_nvals, exp_hash);
    } else {
        for (size_t i = 0; i < rec->expected.n; i++)
            split_row(rec->expected.v[i], &exp, ncols);
    }
    if (!strcmp(rec->sort, "rowsort") && ncols > 0) {
        /* sort rows: join each row's values */
        size_t nr = got.n / (size_t)ncols;
        char **rows = calloc(nr + 1, sizeof(char *));
        for (size_t i = 0; i < nr; i++) {
            size_t len = 0;
            for (int c = 0; c < ncols; c++)
                len += strlen(got.v[i * ncols + c]) + 1;
            rows[i] = malloc(len + 1);
            rows[i][0] = 0;
            for (int c = 0; c < ncols; c++) {
                strcat(rows[i], got.v[i * ncols + c]);
                strcat(rows[i], "\x01");
            }
        }
        qsort(rows, nr, sizeof(char *), cmp_str);
        Lines sorted = {0};
        for (size_t i = 0; i < nr; i++) {
            char *p = rows[i];
            for (int c = 0; c < ncols; c++) {
                char *e = strchr(p, '\x01');
                lines_push(&sorted, strndup(p, (size_t)(e - p)));
                p = e + 1;
            }
            free(rows[i]);
        }
        free(rows);
        lines_free(&got);
        got = sorted;
        if (!hashed) {
            /* the expected rows are sorted the same way */
            size_t er = exp.n / (size_t)ncols;
            char **erows = calloc(er + 1, sizeof(char *));
            for (size_t i = 0; i < er; i++) {
                size_t len = 0;
                for (int c = 0; c < ncols; c++)
                    len += strlen(exp.v[i * ncols + c]) + 1;
                erows[i] = malloc(len + 1);
                erows[i][0] = 0;
                for (int c = 0; c < ncols; c++) {
                    strcat(erows[i], exp.v[i * ncols + c]);
                    strcat(erows[i], "\x01");
                }
            }
            if (exp.n % (size_t)ncols == 0) {
                qsort(erows, er, sizeof(char *), cmp_str);
                Lines es = {0};
                for (size_t i = 0; i < er; i++) {
                    char *p = erows[i];
                    for (int c = 0; c < ncols; c++) {
                        char *e = strchr(p, '\x01');
                        lines_push(&es, strndup(p, (size_t)(e - p)));
                        p = e + 1;
                    }
                }
                lines_free(&exp);
                exp = es;
            }
            for (size_t i = 0; i < er; i++)
                free(erows[i]);
            free(erows);
        }
    } else if (!strcmp(rec->sort, "valuesort")) {
        qsort(got.v, got.n, sizeof(char *), cmp_str);
        if (!hashed)
            qsort(exp.v, exp.n, sizeof(char *), cmp_str);
    }
    if (hashed || (hash_threshold > 0 && (long)got.n > hash_threshold && rec->expected.n == 1 &&
                   strstr(rec->expected.v[0], "hashing"))) {
        Md5 m;
        md5_init(&m);
        for (size_t i = 0; i < got.n; i++) {
            md5_update(&m, got.v[i], strlen(got.v[i]));
            md5_update(&m, "\n", 1);
        }
        char hex[33];
        md5_hex(&m, hex);
        if ((long)got.n != exp_nvals || strcmp(hex, exp_hash)) {
            snprintf(buf, sizeof buf, "expected %ld values hashing to %s, got %zu values hashing to %s", exp_nvals,
                     exp_hash, got.n, hex);
            fail_report(file, rec, buf);
            ok = false;
        }
    } else {
        if (got.n != exp.n)
            ok = false;
        for (size_t i = 0; ok && i < got.n; i++)
            if (strcmp(got.v[i], exp.v[i]))
                ok = false;
        if (!ok) {
            fail_report(file, rec, "wrong result");
            printf("  expected:\n");
            print_vals(&exp, ncols);
            printf("  got:\n");
            print_vals(&got, ncols);
        }
    }
    lines_free(&got);
    lines_free(&exp);
    return ok;
}

static int run_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("FAIL %s: cannot open\n", path);
        total_fail++;
        return 1;
    }
    char tmpl[] = "/tmp/tarn_slt_XXXXXX";
    char *dir = mkdtemp(tmpl);
    char lake[4096];
    snprintf(lake, sizeof lake, "%s/lake", dir ? dir : "/tmp");
    tarn_db *db = NULL;
    tarn_error err;
    memset(&err, 0, sizeof err);
    if (!dir || tarn_open(lake, &db, &err)) {
        printf("FAIL %s: cannot open a lake: %s\n", path, err.message);
        fclose(f);
        total_fail++;
        return 1;
    }
    Lines all = {0};
    char *line = NULL;
    size_t cap = 0;
    ssize_t k;
    while ((k = getline(&line, &cap, f)) >= 0) {
        while (k > 0 && (line[k - 1] == '\n' || line[k - 1] == '\r'))
            line[--k] = 0;
        lines_push(&all, strdup(line));
    }
    free(line);
    fclose(f);
    long pass = 0, failc = 0, hash_threshold = 0;
    bool skip_mode = false;
    bool skip_next = false;
    for (size_t i = 0; i < all.n;) {
        char *l = trim(all.v[i]);
        if (!*l || l[0] == '#') {
            i++;
            continue;
        }
        if (!strncmp(l, "hash-threshold", 14)) {
            hash_threshold = atol(l + 14);
            i++;
            continue;
        }
        if (!strcmp(l, "halt"))
            break;
        if (!strncmp(l, "mode ", 5)) {
            skip_mode = !strcmp(trim(l + 5), "skip");
            i++;
            continue;
        }
        if (!strncmp(l, "skipif ", 7)) {
            skip_next = !strcmp(trim(l + 7), "tarn");
            i++;
            continue;
        }
        if (!strncmp(l, "onlyif ", 7)) {
            skip_next = strcmp(trim(l + 7), "tarn") != 0;
            i++;
            continue;
        }
        if (!strncmp(l, "require", 7) || !strncmp(l, "load", 4) || !strncmp(l, "loop", 4) || !strncmp(l, "endloop", 7)) {
            i++;
            continue;
        }
        Record rec;
        memset(&rec, 0, sizeof rec);
        rec.line = (int)i + 1;
        if (!strncmp(l, "statement", 9)) {
            rec.kind = 's';
            char *rest = trim(l + 9);
            if (!strncmp(rest, "error", 5)) {
                rec.expect_error = true;
                char *frag = trim(rest + 5);
                if (*frag)
                    rec.error_frag = strdup(frag);
            } else if (strncmp(rest, "ok", 2)) {
                printf("FAIL %s:%zu: bad statement line \"%s\"\n", path, i + 1, l);
                failc++;
                i++;
                continue;
            }
        } else if (!strncmp(l, "query", 5)) {
            rec.kind = 'q';
            char *rest = trim(l + 5);
            char types[128] = "", sort[64] = "nosort";
            sscanf(rest, "%127s %63s", types, sort);
            if (!strcmp(types, "error")) {
                rec.kind = 's';
                rec.expect_error = true;
            } else {
                rec.types = strdup(types);
                snprintf(rec.sort, sizeof rec.sort, "%s", sort);
            }
        } else {
            printf("FAIL %s:%zu: unknown record \"%s\"\n", path, i + 1, l);
            failc++;
            i++;
            continue;
        }
        i++;
        /* SQL up to ---- or a blank line */
        size_t sql_len = 0;
        char *sql = calloc(1, 1);
        while (i < all.n && strcmp(trim(all.v[i]), "----") && *trim(all.v[i])) {
            size_t n = strlen(all.v[i]);
            sql = realloc(sql, sql_len + n + 2);
            memcpy(sql + sql_len, all.v[i], n);
            sql_len += n;
            sql[sql_len++] = '\n';
            sql[sql_len] = 0;
            i++;
        }
        rec.sql = sql;
        if (i < all.n && !strcmp(trim(all.v[i]), "----")) {
            i++;
            while (i < all.n && *all.v[i]) {
                if (rec.expect_error) {
                    if (!rec.error_frag)
                        rec.error_frag = strdup(trim(all.v[i]));
                } else {
                    lines_push(&rec.expected, strdup(all.v[i]));
                }
                i++;
            }
        }
        if (skip_mode || skip_next) {
            skip_next = false;
        } else {
            bool ok = run_record(path, db, &rec, hash_threshold);
            if (ok)
                pass++;
            else
                failc++;
            if (verbose)
                printf("%s %s:%d\n", ok ? "ok  " : "FAIL", path, rec.line);
        }
        free(rec.sql);
        free(rec.error_frag);
        free(rec.types);
        lines_free(&rec.expected);
        if (failc && stop_first)
            break;
    }
    lines_free(&all);
    tarn_close(db);
    nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
    printf("%s %s: %ld passed, %ld failed\n", failc ? "FAIL" : "ok  ", path, pass, failc);
    total_pass += pass;
    total_fail += failc;
    return failc ? 1 : 0;
}

int main(int argc, char **argv)
{
    int files = 0;
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-v")) {
            verbose = true;
            continue;
        }
        if (!strcmp(argv[i], "--stop")) {
            stop_first = true;
            continue;
        }
        run_file(argv[i]);
        files++;
        if (stop_first && total_fail)
            break;
    }
    printf("%ld passed, %ld failed\n", total_pass, total_fail);
    return total_fail ? 1 : 0;
}
