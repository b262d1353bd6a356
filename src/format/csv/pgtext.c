/*
 * pgtext.c - PostgreSQL's COPY text format (tab-separated by default,
 * backslash escapes, \N for NULL) converted to CSV on the fly (pgtext.h).
 * PostgreSQL's CopyReadAttributesText (copyfromparse.c) is the reference
 * for the escapes: \b \f \n \r \t \v, \xHH, \OOO octal, and a backslash
 * before any other character is that character; "\." alone ends the data.
 */
#include <stdio.h>
#include <string.h>

#include "format/csv/pgtext.h"

void pgtext_csv_init(PgTextToCsv *t, char delim, const char *null_str, bool header)
{
    memset(t, 0, sizeof *t);
    t->delim = delim;
    t->null_str = null_str;
    t->header = header;
    buf_init(&t->line);
}

void pgtext_csv_free(PgTextToCsv *t) { buf_free(&t->line); }

static int hexdig(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    ch |= 0x20;
    return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* One complete line (without its newline) -> one CSV record. */
static int convert_line(PgTextToCsv *t, const char *p, size_t n, FILE *f, TarnError *err)
{
    const PgTextToCsv *c = t;
    t->lineno++;
    if (n && p[n - 1] == '\r')
        n--;
    if (n == 2 && p[0] == '\\' && p[1] == '.') {
        t->ended = true;
        return 0;
    }
    if (c->header && !t->header_skipped) {
        t->header_skipped = true;
        return 0;
    }
    if (memchr(p, 0, n))
        return err_set_state(err, TARN_ERR_TYPE, "22021", "invalid byte sequence for encoding \"UTF8\": 0x00"), -1;
    size_t i = 0, nl = strlen(c->null_str);
    bool first = true;
    for (;;) {
        /* the raw field: up to an unescaped delimiter */
        size_t start = i;
        while (i < n && p[i] != c->delim) {
            if (p[i] == '\\' && i + 1 < n)
                i++;
            i++;
        }
        size_t end = i;
        if (!first && fputc(',', f) == EOF)
            return -1;
        first = false;
        if (!(end - start == nl && !memcmp(p + start, c->null_str, nl))) {
            if (fputc('"', f) == EOF)
                return -1;
            for (size_t k = start; k < end; k++) {
                int ch = (unsigned char)p[k];
                if (ch == '\\' && k + 1 < end) {
                    int e = (unsigned char)p[++k];
                    switch (e) {
                    case 'b': ch = '\b'; break;
                    case 'f': ch = '\f'; break;
                    case 'n': ch = '\n'; break;
                    case 'r': ch = '\r'; break;
                    case 't': ch = '\t'; break;
                    case 'v': ch = '\v'; break;
                    case 'x': {
                        int v = 0, d = 0;
                        while (d < 2 && k + 1 < end && hexdig((unsigned char)p[k + 1]) >= 0) {
                            v = v * 16 + hexdig((unsigned char)p[++k]);
                            d++;
                        }
                        ch = d ? v : 'x';
                        break;
                    }
                    default:
                        if (e >= '0' && e <= '7') {
                            int v = e - '0', d = 1;
                            while (d < 3 && k + 1 < end && p[k + 1] >= '0' && p[k + 1] <= '7') {
                                v = v * 8 + (p[++k] - '0');
                                d++;
                            }
                            ch = v & 0xff;
                        } else {
                            ch = e;
                        }
                    }
                    if (ch == 0)
                        return err_set_state(err, TARN_ERR_TYPE, "22021",
                                             "invalid byte sequence for encoding \"UTF8\": 0x00"), -1;
                }
                if (ch == '"' && fputc('"', f) == EOF)
                    return -1;
                if (fputc(ch, f) == EOF)
                    return -1;
            }
            if (fputc('"', f) == EOF)
                return -1;
        }
        if (i >= n)
            break;
        i++; /* the delimiter */
    }
    return fputc('\n', f) == EOF ? -1 : 0;
}

int pgtext_csv_feed(PgTextToCsv *t, const char *p, size_t n, FILE *f, TarnError *err)
{
    size_t i = 0;
    while (i < n && !t->ended) {
        const char *nl = memchr(p + i, '\n', n - i);
        size_t take = nl ? (size_t)(nl - (p + i)) : n - i;
        if (!nl) {
            if (buf_append(&t->line, p + i, take))
                return ERR_NOMEM(err, take), -1;
            break;
        }
        int rc;
        if (t->line.len) {
            if (buf_append(&t->line, p + i, take))
                return ERR_NOMEM(err, take), -1;
            rc = convert_line(t, (const char *)t->line.data, t->line.len, f, err);
            buf_clear(&t->line);
        } else {
            rc = convert_line(t, p + i, take, f, err);
        }
        if (rc) {
            if (!err->kind)
                err_set(err, TARN_ERR_IO, "could not write the converted text-format data");
            return -1;
        }
        i += take + 1;
    }
    return 0;
}

int pgtext_csv_finish(PgTextToCsv *t, FILE *f, TarnError *err)
{
    if (t->ended || !t->line.len)
        return 0;
    int rc = convert_line(t, (const char *)t->line.data, t->line.len, f, err);
    buf_clear(&t->line);
    if (rc && !err->kind)
        err_set(err, TARN_ERR_IO, "could not write the converted text-format data");
    return rc;
}
