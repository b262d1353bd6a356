/*
 * sql_bench.c - tarn's half of the SQL benchmarks (bench/tpch_queries.sh and
 * bench/micro.sh run it interleaved with bench/sql_duckdb.mjs doing the
 * same work).
 *
 *   sql_bench LAKE QUERY.sql RUNS THREADS OUT.csv [SCHEMA]
 *
 * Opens the lake, sets `threads` and `search_path TO SCHEMA` (default
 * tpch), runs the query file (one or more statements; the last one's rows
 * are the answer) once as a warm-up and then RUNS timed times, through the public API
 * (tarn_exec), in this one process.  Prints "seconds S" per timed run (wall
 * time of tarn_exec, result materialization included; process start-up and
 * lake opening excluded, the same rule the DuckDB side follows),
 * "maxrss_kb N" (peak resident set of this process) and writes the last
 * result to OUT.csv (header line, values in PostgreSQL's text format, NULL
 * as an unquoted empty field) for the answer check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "tarn.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *s = malloc(cap);
    size_t got;
    while (s && (got = fread(s + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n < 2) {
            char *t = realloc(s, cap * 2);
            if (!t) {
                free(s);
                s = NULL;
                break;
            }
            s = t;
            cap *= 2;
        }
    }
    fclose(f);
    if (s)
        s[n] = 0;
    return s;
}

static void csv_field(FILE *f, const char *v)
{
    if (!v)
        return;
    if (!*v || strpbrk(v, ",\"\n\r")) {
        fputc('"', f);
        for (const char *p = v; *p; p++) {
            if (*p == '"')
                fputc('"', f);
            fputc(*p, f);
        }
        fputc('"', f);
    } else {
        fputs(v, f);
    }
}

static int write_csv(tarn_result *r, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int nc = tarn_result_ncols(r);
    for (int c = 0; c < nc; c++) {
        if (c)
            fputc(',', f);
        csv_field(f, tarn_result_colname(r, c));
    }
    fputc('\n', f);
    int64_t nr = tarn_result_nrows(r);
    for (int64_t i = 0; i < nr; i++) {
        for (int c = 0; c < nc; c++) {
            if (c)
                fputc(',', f);
            csv_field(f, tarn_result_value(r, i, c));
        }
        fputc('\n', f);
    }
    return fclose(f);
}

int main(int argc, char **argv)
{
    if (argc != 6 && argc != 7) {
        fprintf(stderr, "usage: sql_bench LAKE QUERY.sql RUNS THREADS OUT.csv [SCHEMA]\n");
        return 2;
    }
    int runs = atoi(argv[3]);
    char *sql = slurp(argv[2]);
    if (!sql) {
        fprintf(stderr, "sql_bench: cannot read %s\n", argv[2]);
        return 1;
    }
    tarn_error err;
    memset(&err, 0, sizeof err);
    tarn_db *db = NULL;
    if (tarn_open(argv[1], &db, &err)) {
        fprintf(stderr, "sql_bench: %s\n", err.message);
        return 1;
    }
    char set[256];
    snprintf(set, sizeof set, "SET threads = %d; SET search_path TO %s", atoi(argv[4]),
             argc == 7 ? argv[6] : "tpch");
    tarn_result *r = NULL;
    if (tarn_exec(db, set, &r, &err)) {
        fprintf(stderr, "sql_bench: %s\n", err.message);
        return 1;
    }
    tarn_result_free(r);
    for (int i = 0; i <= runs; i++) {
        r = NULL;
        double t0 = now_s();
        if (tarn_exec(db, sql, &r, &err)) {
            fprintf(stderr, "sql_bench: %s: %s\n", argv[2], err.message);
            return 1;
        }
        double t = now_s() - t0;
        if (i > 0)
            printf("seconds %.6f\n", t);
        if (i == runs && write_csv(r, argv[5])) {
            fprintf(stderr, "sql_bench: cannot write %s\n", argv[5]);
            return 1;
        }
        tarn_result_free(r);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("maxrss_kb %ld\n", ru.ru_maxrss);
    tarn_close(db);
    free(sql);
    return 0;
}
