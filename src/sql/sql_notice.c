/*
 * sql_notice.c - the session's list of NOTICE / WARNING messages
 * (notice.h) and its public accessors (tarn_notice_count / _get).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sql/notice.h"
#include "sql/session.h"
#include "util/mem.h"

void sql_notice(tarn_db *db, const char *severity, const char *sqlstate, const char *fmt, ...)
{
    if (!db || db->n_notices >= SQL_MAX_NOTICES)
        return;
    if (db->n_notices == db->cap_notices) {
        uint32_t cap = db->cap_notices ? 2 * db->cap_notices : 4;
        SqlNotice *n = tarn_realloc(db->notices, cap * sizeof *n);
        if (!n)
            return;
        db->notices = n;
        db->cap_notices = cap;
    }
    SqlNotice *n = &db->notices[db->n_notices++];
    snprintf(n->severity, sizeof n->severity, "%s", severity);
    snprintf(n->sqlstate, sizeof n->sqlstate, "%s", sqlstate);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(n->message, sizeof n->message, fmt, ap);
    va_end(ap);
}

void sql_notices_clear(tarn_db *db)
{
    if (db)
        db->n_notices = 0;
}

void sql_notices_free(tarn_db *db)
{
    tarn_free(db->notices);
    db->notices = NULL;
    db->n_notices = db->cap_notices = 0;
}

int tarn_notice_count(const tarn_db *db) { return db ? (int)db->n_notices : 0; }

const char *tarn_notice_get(const tarn_db *db, int i, tarn_error *out)
{
    if (!db || i < 0 || (uint32_t)i >= db->n_notices)
        return NULL;
    const SqlNotice *n = &db->notices[i];
    if (out) {
        memset(out, 0, sizeof *out);
        snprintf(out->sqlstate, sizeof out->sqlstate, "%s", n->sqlstate);
        snprintf(out->message, sizeof out->message, "%s", n->message);
    }
    return n->severity;
}
