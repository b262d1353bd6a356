/*
 * shell.h - the interactive `tarn sql` shell (psql-like) and the result
 * printers it shares with cmd_sql.c.
 *
 * The shell reads lines with libedit (prompt "tarn=> ", continuation
 * "tarn-> "), runs each statement once its terminating ';' arrives, and
 * understands psql's \q \timing \x \dn \dt \d [NAME] \?.  History is kept in
 * ~/.tarn_history (best effort).  Errors are printed and the session goes on.
 */
#ifndef TARN_CLI_SHELL_H
#define TARN_CLI_SHELL_H

#include <stdbool.h>
#include <stdint.h>

#include "tarn.h"

/* A table of strings to print: cell(ctx, row, col) returns the value
 * (NULL prints empty); right[c] right-aligns column c (numbers). */
typedef struct SqlGrid {
    int nc;
    int64_t nr;
    const char *const *names;
    const bool *right;
    const char *(*cell)(void *ctx, int64_t row, int col);
    void *ctx;
    bool no_footer; /* leave out "(N rows)", as psql's \d NAME does */
} SqlGrid;

/* psql's aligned format (or, expanded, "-[ RECORD n ]-" blocks) on stdout. */
void sql_print_grid(const SqlGrid *g, bool expanded);
/* A query result through sql_print_grid. */
void sql_print_result(tarn_result *r, bool expanded);
/* psql's ERROR / LINE / caret / DETAIL / HINT / CONTEXT lines on stderr;
 * sql (may be NULL) is the text err->position points into. */
void sql_print_error(const tarn_error *err, const char *sql);
/* The NOTICE / WARNING lines of db's last call, as psql prints them, on stderr. */
void sql_print_notices(const tarn_db *db);

/* Runs the interactive shell on db until \q or end of input; lake is shown
 * by \? only.  Returns the process exit status (0). */
int sql_shell_run(tarn_db *db, const char *lake, bool timing);

#endif
