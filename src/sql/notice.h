/*
 * notice.h - NOTICE and WARNING messages of a statement (PostgreSQL's
 * ereport(NOTICE / WARNING)): "table \"x\" does not exist, skipping",
 * "there is no transaction in progress".  They do not fail the statement.
 *
 * The SQL layer adds them to the session (tarn_db) while a statement runs;
 * tarn_exec, tarn_stmt_execute and tarn_cursor_open clear the list when
 * they start, so after one of them returns the list holds that call's
 * notices, in order (tarn_notice_count / tarn_notice_get in tarn.h; the
 * server sends them as NoticeResponse, the CLI prints them).  Only the
 * session's own thread adds notices (DDL and utility statements, which run
 * inside tarn_cursor_open, never on a cursor's query thread).
 */
#ifndef TARN_SQL_NOTICE_H
#define TARN_SQL_NOTICE_H

#include "tarn.h"

#define SQL_MAX_NOTICES 1000 /* more in one call are dropped */

typedef struct SqlNotice {
    char severity[8]; /* "NOTICE", "WARNING" */
    char sqlstate[6];
    char message[256];
} SqlNotice;

/* Adds a notice to db's list (out of memory or over the cap: dropped, as
 * a notice is never worth failing the statement for). */
void sql_notice(tarn_db *db, const char *severity, const char *sqlstate, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void sql_notices_clear(tarn_db *db);
void sql_notices_free(tarn_db *db);

#endif
