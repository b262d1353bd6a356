/*
 * spill.c - memory budget and spill files (spill.h).
 */
#include "sql/exec/spill.h"

#include <dirent.h>
#include <errno.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define SPILL_BUF ((size_t)256 * 1024)

/* ---- memory ------------------------------------------------------------------------------------ */

bool exec_mem_try(ExecCtx *x, int64_t n, int64_t cap)
{
    if (n <= 0)
        return true;
    long long cur = atomic_load(&x->mem_used);
    for (;;) {
        if (cap > 0 && cur + n > cap)
            return false;
        if (atomic_compare_exchange_weak(&x->mem_used, &cur, cur + n))
            return true;
    }
}

void exec_mem_charge(ExecCtx *x, int64_t n)
{
    if (n > 0)
        atomic_fetch_add(&x->mem_used, n);
}

void exec_mem_release(ExecCtx *x, int64_t n)
{
    if (n > 0)
        atomic_fetch_sub(&x->mem_used, n);
}

int64_t exec_spill_cap(const ExecCtx *x)
{
    return x->mem_budget > 0 ? (int64_t)((double)x->mem_budget * SPILL_SHARE) : 0;
}

void exec_mem_format(int64_t b, char *out, size_t cap)
{
    const int64_t K = 1024, M = K * K, G = M * K, T = G * K;
    if (b >= T && b % T == 0)
        snprintf(out, cap, "%lldTB", (long long)(b / T));
    else if (b >= G && b % G == 0)
        snprintf(out, cap, "%lldGB", (long long)(b / G));
    else if (b >= M && b % M == 0)
        snprintf(out, cap, "%lldMB", (long long)(b / M));
    else if (b >= K && b % K == 0)
        snprintf(out, cap, "%lldkB", (long long)(b / K));
    else if (b >= M)
        snprintf(out, cap, "%lldMB", (long long)(b / M));
    else
        snprintf(out, cap, "%lldB", (long long)b);
}

int exec_mem_error(ExecCtx *x, const char *what, TarnError *err)
{
    char lim[32];
    exec_mem_format(x->mem_budget, lim, sizeof lim);
    err_set_state(err, TARN_ERR_NOMEM, "53200", "out of memory");
    err_detail(err, "%s needs more memory than memory_limit (%s) allows.", what, lim);
    err_hint(err, "Raise memory_limit with SET memory_limit = '...'.");
    return TARN_ERR_NOMEM;
}

/* ---- files ----------------------------------------------------------------------------------------- */

struct SpillFile {
    int fd;
    uint8_t *buf;
    size_t len, pos;            /* writing: bytes buffered; reading: bytes in buf, next byte */
    bool reading;
    uint64_t bytes;             /* written */
};

bool spill_type_ok(const LogicalType *t) { return !type_is_nested(t->id); }

static int io_error(const char *what, int e, TarnError *err)
{
    if (e == ENOSPC || e == EDQUOT)
        return err_set_state(err, TARN_ERR_IO, "53100", "could not %s temporary file: %s", what, strerror(e));
    return err_set_state(err, TARN_ERR_IO, "58030", "could not %s temporary file: %s", what, strerror(e));
}

SpillFile *spill_open(ExecCtx *x, TarnError *err)
{
    const char *dir = x->temp_dir && *x->temp_dir ? x->temp_dir : "/tmp";
    if (mkdir(dir, 0700) && errno != EEXIST) {
        err_set_state(err, TARN_ERR_IO, "58030", "could not create temporary directory \"%s\": %s", dir,
                      strerror(errno));
        return NULL;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/spill-%ld-XXXXXX", dir, (long)getpid());
    int fd = mkstemp(path);
    if (fd < 0) {
        err_set_state(err, TARN_ERR_IO, "58030", "could not create temporary file \"%s\": %s", path, strerror(errno));
        return NULL;
    }
    unlink(path); /* anonymous from now on: gone when closed */
    SpillFile *f = tarn_calloc(1, sizeof *f);
    uint8_t *buf = tarn_malloc(SPILL_BUF);
    if (!f || !buf) {
        close(fd);
        tarn_free(f);
        tarn_free(buf);
        ERR_NOMEM(err, SPILL_BUF);
        return NULL;
    }
    f->fd = fd;
    f->buf = buf;
    return f;
}

static int flush_buf(SpillFile *f, TarnError *err)
{
    size_t off = 0;
    while (off < f->len) {
        ssize_t w = write(f->fd, f->buf + off, f->len - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return io_error("write to", errno, err);
        }
        off += (size_t)w;
    }
    f->len = 0;
    return 0;
}

static int put(SpillFile *f, const void *p, size_t n, TarnError *err)
{
    const uint8_t *s = p;
    f->bytes += n;
    while (n) {
        if (f->len == SPILL_BUF && flush_buf(f, err))
            return err->kind;
        size_t m = SPILL_BUF - f->len < n ? SPILL_BUF - f->len : n;
        memcpy(f->buf + f->len, s, m);
        f->len += m;
        s += m;
        n -= m;
    }
    return 0;
}

int spill_write(SpillFile *f, const Chunk *in, uint32_t n_cols, const uint32_t *sel, uint32_t n, TarnError *err)
{
    if (f->reading)
        return ERR_INTERNAL(err, "spill file written after rewind");
    uint32_t hdr[2] = {n, n_cols};
    if (put(f, hdr, sizeof hdr, err))
        return err->kind;
    uint8_t bits[VEC_BATCH_ROWS / 8];
    uint32_t lens[256];
    for (uint32_t c = 0; c < n_cols; c++) {
        const Vector *v = in->cols[c];
        if (!spill_type_ok(v->type))
            return ERR_INTERNAL(err, "nested column spilled");
        /* in blocks of at most VEC_BATCH_ROWS rows (n may be larger) */
        uint8_t has_nulls = 0;
        if (v->validity)
            for (uint32_t k = 0; k < n && !has_nulls; k++)
                has_nulls = !vec_is_valid(v, v->is_const ? 0 : sel ? sel[k] : k);
        if (put(f, &has_nulls, 1, err))
            return err->kind;
        if (has_nulls) {
            for (uint32_t k0 = 0; k0 < n; k0 += VEC_BATCH_ROWS) {
                uint32_t m = n - k0 < VEC_BATCH_ROWS ? n - k0 : VEC_BATCH_ROWS;
                memset(bits, 0, (m + 7) / 8);
                for (uint32_t k = 0; k < m; k++) {
                    uint32_t i = v->is_const ? 0 : sel ? sel[k0 + k] : k0 + k;
                    if (vec_is_valid(v, i))
                        bits[k >> 3] |= (uint8_t)(1u << (k & 7));
                }
                if (put(f, bits, (m + 7) / 8, err))
                    return err->kind;
            }
        }
        if (type_is_string_like(v->type->id)) {
            const StrView *sv = (const StrView *)v->data;
            for (uint32_t k0 = 0; k0 < n; k0 += 256) {
                uint32_t m = n - k0 < 256 ? n - k0 : 256;
                for (uint32_t k = 0; k < m; k++) {
                    uint32_t i = v->is_const ? 0 : sel ? sel[k0 + k] : k0 + k;
                    lens[k] = vec_is_valid(v, i) ? sv[i].len : 0;
                }
                if (put(f, lens, m * sizeof(uint32_t), err))
                    return err->kind;
            }
            for (uint32_t k = 0; k < n; k++) {
                uint32_t i = v->is_const ? 0 : sel ? sel[k] : k;
                if (vec_is_valid(v, i) && sv[i].len && put(f, sv[i].ptr, sv[i].len, err))
                    return err->kind;
            }
        } else {
            size_t w = type_width(v->type);
            if (!sel && !v->is_const) {
                if (put(f, v->data, w * n, err))
                    return err->kind;
            } else {
                for (uint32_t k = 0; k < n; k++) {
                    uint32_t i = v->is_const ? 0 : sel ? sel[k] : k;
                    if (put(f, v->data + w * i, w, err))
                        return err->kind;
                }
            }
        }
    }
    return 0;
}

int spill_rewind(SpillFile *f, TarnError *err)
{
    if (!f->reading) {
        if (flush_buf(f, err))
            return err->kind;
        f->reading = true;
    }
    if (lseek(f->fd, 0, SEEK_SET) < 0)
        return io_error("seek in", errno, err);
    f->len = f->pos = 0;
    return 0;
}

static int get(SpillFile *f, void *p, size_t n, TarnError *err)
{
    uint8_t *d = p;
    while (n) {
        if (f->pos == f->len) {
            ssize_t r = read(f->fd, f->buf, SPILL_BUF);
            if (r < 0) {
                if (errno == EINTR)
                    continue;
                return io_error("read from", errno, err);
            }
            if (r == 0)
                return err_set_state(err, TARN_ERR_IO, "58030", "could not read from temporary file: unexpected end");
            f->len = (size_t)r;
            f->pos = 0;
        }
        size_t m = f->len - f->pos < n ? f->len - f->pos : n;
        memcpy(d, f->buf + f->pos, m);
        f->pos += m;
        d += m;
        n -= m;
    }
    return 0;
}

static bool at_end(SpillFile *f, TarnError *err, int *rc)
{
    *rc = 0;
    if (f->pos < f->len)
        return false;
    for (;;) {
        ssize_t r = read(f->fd, f->buf, SPILL_BUF);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            *rc = io_error("read from", errno, err);
            return true;
        }
        f->len = (size_t)r;
        f->pos = 0;
        return r == 0;
    }
}

int spill_read(SpillFile *f, Vector *vecs, Vector **ptrs, uint32_t n_cols, Chunk *out, TarnError *err)
{
    out->n_rows = 0;
    out->n_cols = n_cols;
    out->cols = ptrs;
    int rc;
    if (at_end(f, err, &rc))
        return rc;
    uint32_t hdr[2];
    if (get(f, hdr, sizeof hdr, err))
        return err->kind;
    uint32_t n = hdr[0];
    if (hdr[1] != n_cols || n > VEC_BATCH_ROWS)
        return ERR_INTERNAL(err, "spill block does not match its reader");
    uint8_t bits[VEC_BATCH_ROWS / 8];
    for (uint32_t c = 0; c < n_cols; c++) {
        Vector *v = &vecs[c];
        ptrs[c] = v;
        if (vec_prepare(v, n))
            return ERR_NOMEM(err, n);
        uint8_t has_nulls;
        if (get(f, &has_nulls, 1, err))
            return err->kind;
        if (has_nulls) {
            if (get(f, bits, (n + 7) / 8, err))
                return err->kind;
            if (vec_ensure_validity(v))
                return ERR_NOMEM(err, n);
            memcpy(v->validity, bits, (n + 7) / 8);
        }
        if (type_is_string_like(v->type->id)) {
            StrView *sv = (StrView *)v->data;
            uint32_t lens[64];
            uint64_t total = 0;
            for (uint32_t k0 = 0; k0 < n; k0 += 64) {
                uint32_t m = n - k0 < 64 ? n - k0 : 64;
                if (get(f, lens, m * sizeof(uint32_t), err))
                    return err->kind;
                for (uint32_t k = 0; k < m; k++) {
                    sv[k0 + k].len = lens[k];
                    total += lens[k];
                }
            }
            char *p = total ? arena_alloc(&v->heap, total) : NULL;
            if (total && !p)
                return ERR_NOMEM(err, total);
            if (total && get(f, p, total, err))
                return err->kind;
            for (uint32_t k = 0; k < n; k++) {
                sv[k].ptr = p ? p : "";
                sv[k].pad_ = 0;
                if (p)
                    p += sv[k].len;
            }
        } else {
            size_t w = type_width(v->type);
            if (get(f, v->data, w * n, err))
                return err->kind;
        }
        v->len = n;
    }
    out->n_rows = n;
    return 0;
}

uint64_t spill_bytes(const SpillFile *f) { return f ? f->bytes : 0; }

void spill_close(SpillFile *f)
{
    if (!f)
        return;
    close(f->fd);
    tarn_free(f->buf);
    tarn_free(f);
}

void spill_clean_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    char path[4096];
    while ((de = readdir(d))) {
        long pid;
        if (strncmp(de->d_name, "spill-", 6) || sscanf(de->d_name + 6, "%ld-", &pid) != 1)
            continue;
        if (pid > 0 && (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
            continue; /* its process still runs */
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        unlink(path);
    }
    closedir(d);
}

/* ---- the memory_limit setting -------------------------------------------------------------------- */

int64_t exec_default_mem_limit(void)
{
    /* the machine's memory does not change while we run: one sysinfo call
     * per process, not one per statement */
    static _Atomic int64_t cached;
    int64_t v = atomic_load_explicit(&cached, memory_order_relaxed);
    if (v)
        return v;
    long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
    v = pages <= 0 || psz <= 0 ? (int64_t)4 << 30 : (int64_t)((double)pages * (double)psz * 0.8);
    atomic_store_explicit(&cached, v, memory_order_relaxed);
    return v;
}

int exec_parse_mem_limit(const char *text, int64_t *out)
{
    const char *p = text;
    while (*p == ' ')
        p++;
    char *end;
    errno = 0;
    double v = strtod(p, &end);
    if (end == p || errno || v < 0 || v != v)
        return -1;
    while (*end == ' ')
        end++;
    double mult;
    if (!strcmp(end, "%")) {
        if (v <= 0 || v > 100)
            return -1;
        *out = (int64_t)((double)exec_default_mem_limit() / 0.8 * v / 100.0);
        return *out >= 1 ? 0 : -1;
    }
    if (!strcasecmp(end, "b") || !strcasecmp(end, "bytes"))
        mult = 1;
    else if (!strcasecmp(end, "kb"))
        mult = 1024.0;
    else if (!strcasecmp(end, "mb"))
        mult = 1024.0 * 1024;
    else if (!strcasecmp(end, "gb"))
        mult = 1024.0 * 1024 * 1024;
    else if (!strcasecmp(end, "tb"))
        mult = 1024.0 * 1024 * 1024 * 1024;
    else
        return -1;
    double b = v * mult;
    if (b < 1024.0 * 1024 || b > 9.0e18) /* at least 1MB */
        return -1;
    *out = (int64_t)b;
    return 0;
}
