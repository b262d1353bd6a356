/*
 * func_tz.c - timestamptz text input and output in a named time zone
 * (PostgreSQL's timestamptz_in / timestamptz_out with TimeZone): the zone
 * data itself (TZif files, POSIX footers, the abbreviation table) is
 * func_datetime.c's (fl_tz_*); this file only splits a zone off the input
 * text and prints the offset the zone has at each instant.
 */
#include "sql/func/func_lib.h"

#include <ctype.h>
#include <dirent.h>
#include <string.h>
#include <strings.h>

#include "util/datetime.h"

/* A zone token: starts with a letter, then letters, digits, '/', '_',
 * '+', '-' ("Europe/Berlin", "EST", "Etc/GMT+5", "America/Port-au-Prince"). */
static bool zone_token(const char *s, size_t n)
{
    if (!n || !isalpha((unsigned char)s[0]))
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!isalnum(c) && c != '/' && c != '_' && c != '+' && c != '-')
            return false;
    }
    return true;
}

int fl_parse_timestamptz(const char *s, size_t n, const FlTz *session, int64_t *us_out)
{
    int64_t x;
    bool has_zone = false;
    if (dt_parse_timestamp(s, n, &x, &has_zone)) {
        *us_out = has_zone ? x : fl_tz_to_utc(session, x);
        return 0;
    }
    /* "<timestamp> <zone>": the zone is the last blank-separated word */
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    size_t k = n;
    while (k && !isspace((unsigned char)s[k - 1]))
        k--;
    if (k == 0 || !zone_token(s + k, n - k))
        return 1;
    if (!dt_parse_timestamp(s, k, &x, &has_zone) || has_zone)
        return 1;
    const FlTz *tz = fl_tz_lookup(s + k, n - k);
    if (!tz)
        return 2;
    *us_out = fl_tz_to_utc(tz, x);
    return 0;
}

size_t fl_format_timestamptz(int64_t utc_us, const FlTz *tz, char *buf)
{
    int32_t off = 0;
    int64_t local = fl_tz_to_local(tz, utc_us, &off);
    char t[DT_TEXT_MAX];
    size_t len = dt_format_timestamp(local, false, t);
    bool bc = len > 3 && !strcmp(t + len - 3, " BC");
    if (bc)
        len -= 3;
    memcpy(buf, t, len);
    int32_t a = off < 0 ? -off : off;
    char *p = buf + len;
    *p++ = off < 0 ? '-' : '+';
    *p++ = (char)('0' + a / 3600 / 10);
    *p++ = (char)('0' + a / 3600 % 10);
    if (a % 3600) {
        *p++ = ':';
        *p++ = (char)('0' + a / 60 % 60 / 10);
        *p++ = (char)('0' + a / 60 % 10);
        if (a % 60) {
            *p++ = ':';
            *p++ = (char)('0' + a % 60 / 10);
            *p++ = (char)('0' + a % 10);
        }
    }
    if (bc) {
        memcpy(p, " BC", 3);
        p += 3;
    }
    *p = '\0';
    return (size_t)(p - buf);
}

bool fl_tz_canonical_name(const char *name, char *out, size_t cap)
{
    /* each path component matched case-insensitively against the
     * directory's entries, as PostgreSQL's pg_tzset does */
    char dir[256] = "/usr/share/zoneinfo";
    size_t dl = strlen(dir), ol = 0;
    const char *p = name;
    if (!*p || cap == 0)
        return false;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t cl = slash ? (size_t)(slash - p) : strlen(p);
        if (cl == 0 || cl >= 64)
            return false;
        DIR *d = opendir(dir);
        if (!d)
            return false;
        struct dirent *e;
        bool found = false;
        while ((e = readdir(d))) {
            if (e->d_name[0] != '.' && strlen(e->d_name) == cl && !strncasecmp(e->d_name, p, cl)) {
                found = true;
                break;
            }
        }
        if (!found || dl + 1 + cl >= sizeof dir || ol + cl + 2 > cap) {
            closedir(d);
            return false;
        }
        dir[dl++] = '/';
        memcpy(dir + dl, e->d_name, cl);
        dl += cl;
        dir[dl] = 0;
        if (ol)
            out[ol++] = '/';
        memcpy(out + ol, e->d_name, cl);
        ol += cl;
        out[ol] = 0;
        closedir(d);
        p += cl;
        if (*p == '/')
            p++;
    }
    return true;
}
