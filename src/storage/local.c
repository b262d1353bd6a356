/*
 * local.c - the local file system storage backend.
 *
 * Durability: put and put_if_absent write a temporary file in the target's
 * directory, fsync it, then rename(2) (put) or link(2) (put_if_absent: fails
 * with EEXIST when the name is taken, which makes it the atomic commit
 * primitive), then fsync the directory.  Streamed writers work the same way
 * under a hidden temporary name (".name.tmp-PID-N"), renamed at close.
 * Hidden files are never listed, so a crash leaves only invisible orphans
 * that maintenance (vacuum) removes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage/storage.h"

typedef struct Local {
    Storage base;
    char *dir; /* absolute or relative directory, no trailing '/' */
} Local;

typedef struct LocalWriter {
    StorageWriter base;
    int fd;
    char *tmp;   /* temporary path */
    char *final; /* final path */
} LocalWriter;

static _Atomic unsigned long tmp_counter;

static char *full_path(Local *l, const char *path)
{
    size_t a = strlen(l->dir), b = strlen(path);
    char *p = tarn_malloc(a + b + 2);
    if (!p)
        return NULL;
    memcpy(p, l->dir, a);
    p[a] = '/';
    memcpy(p + a + 1, path, b + 1);
    if (!*path)
        p[a] = '\0';
    return p;
}

/* "dir/.name.tmp-PID-N" next to full. */
static char *temp_path(const char *full)
{
    const char *slash = strrchr(full, '/');
    size_t dl = slash ? (size_t)(slash - full) + 1 : 0;
    const char *name = full + dl;
    size_t n = strlen(full) + 64;
    char *t = tarn_malloc(n);
    if (!t)
        return NULL;
    unsigned long k = atomic_fetch_add(&tmp_counter, 1);
    snprintf(t, n, "%.*s.%s.tmp-%d-%lu", (int)dl, full, name, (int)getpid(), k);
    return t;
}

static int io_err(TarnError *err, const char *what, const char *path, int e)
{
    return err_set(err, e == ENOENT ? TARN_ERR_NOT_FOUND : e == ENOSPC ? TARN_ERR_IO : TARN_ERR_IO,
                   "could not %s \"%s\": %s", what, path, strerror(e));
}

/* mkdir -p of the directory part of full. */
static int make_parents(const char *full, TarnError *err)
{
    char tmp[4096];
    size_t n = strlen(full);
    if (n >= sizeof tmp)
        return err_set(err, TARN_ERR_INVALID, "path too long: \"%s\"", full);
    memcpy(tmp, full, n + 1);
    char *slash = strrchr(tmp, '/');
    if (!slash)
        return 0;
    *slash = '\0';
    struct stat st;
    if (stat(tmp, &st) == 0)
        return 0;
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0777) != 0 && errno != EEXIST) {
            int e = errno;
            *p = '/';
            return io_err(err, "create directory", tmp, e);
        }
        *p = '/';
    }
    if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
        return io_err(err, "create directory", tmp, errno);
    return 0;
}

static int fsync_dir_of(const char *full)
{
    char tmp[4096];
    size_t n = strlen(full);
    if (n >= sizeof tmp)
        return -1;
    memcpy(tmp, full, n + 1);
    char *slash = strrchr(tmp, '/');
    if (slash)
        *slash = '\0';
    else
        strcpy(tmp, ".");
    int fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

static int write_all(int fd, const void *p, size_t len)
{
    const char *c = p;
    while (len) {
        ssize_t n = write(fd, c, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        c += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Writes data to a fresh synced temporary file next to full; returns its path. */
static char *write_temp(const char *full, const void *data, size_t len, TarnError *err)
{
    if (make_parents(full, err))
        return NULL;
    char *tmp = temp_path(full);
    if (!tmp) {
        ERR_NOMEM(err, 0);
        return NULL;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) {
        io_err(err, "create file", tmp, errno);
        tarn_free(tmp);
        return NULL;
    }
    if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        int e = errno;
        close(fd);
        unlink(tmp);
        io_err(err, "write file", full, e);
        tarn_free(tmp);
        return NULL;
    }
    if (close(fd) != 0) {
        int e = errno;
        unlink(tmp);
        io_err(err, "close file", full, e);
        tarn_free(tmp);
        return NULL;
    }
    return tmp;
}

static int l_read_range(Storage *s, const char *path, uint64_t off, size_t len, void *buf, TarnError *err)
{
    char *full = full_path((Local *)s, path);
    if (!full)
        return ERR_NOMEM(err, 0);
    int fd = open(full, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int rc = io_err(err, "open file", full, errno);
        tarn_free(full);
        return rc;
    }
    size_t done = 0;
    int rc = 0;
    while (done < len) {
        ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = io_err(err, "read file", full, errno);
            break;
        }
        if (n == 0) {
            rc = err_set(err, TARN_ERR_CORRUPT, "file \"%s\" ends before byte %llu", full,
                         (unsigned long long)(off + len));
            break;
        }
        done += (size_t)n;
    }
    close(fd);
    tarn_free(full);
    return rc;
}

static int l_size(Storage *s, const char *path, uint64_t *size_out, TarnError *err)
{
    char *full = full_path((Local *)s, path);
    if (!full)
        return ERR_NOMEM(err, 0);
    struct stat st;
    int rc = 0;
    if (stat(full, &st) != 0)
        rc = io_err(err, "stat file", full, errno);
    else
        *size_out = (uint64_t)st.st_size;
    tarn_free(full);
    return rc;
}

static int l_exists(Storage *s, const char *path, bool *exists_out, TarnError *err)
{
    TarnError e2 = {0}; /* errors as storage_exists gives them through size */
    char *full = full_path((Local *)s, path);
    struct stat st;
    int rc = 0;
    *exists_out = false;
    if (!full)
        rc = ERR_NOMEM(&e2, 0);
    else if (stat(full, &st) == 0)
        *exists_out = true;
    else if (errno != ENOENT)
        rc = io_err(&e2, "stat file", full, errno);
    tarn_free(full);
    if (rc && err && err->kind == TARN_OK)
        *err = e2;
    return rc;
}

static int l_put(Storage *s, const char *path, const void *data, size_t len, TarnError *err)
{
    char *full = full_path((Local *)s, path);
    if (!full)
        return ERR_NOMEM(err, 0);
    char *tmp = write_temp(full, data, len, err);
    int rc = 0;
    if (!tmp) {
        rc = err->kind ? err->kind : TARN_ERR_IO;
    } else {
        if (rename(tmp, full) != 0) {
            rc = io_err(err, "rename file to", full, errno);
            unlink(tmp);
        } else {
            fsync_dir_of(full);
        }
        tarn_free(tmp);
    }
    tarn_free(full);
    return rc;
}

static int l_put_if_absent(Storage *s, const char *path, const void *data, size_t len, TarnError *err)
{
    char *full = full_path((Local *)s, path);
    if (!full)
        return ERR_NOMEM(err, 0);
    char *tmp = write_temp(full, data, len, err);
    int rc = 0;
    if (!tmp) {
        rc = err->kind ? err->kind : TARN_ERR_IO;
    } else {
        if (link(tmp, full) != 0) {
            int e = errno;
            if (e == EEXIST)
                rc = err_set(err, TARN_ERR_CONFLICT, "\"%s\" already exists", path);
            else
                rc = io_err(err, "create", full, e);
        } else {
            fsync_dir_of(full);
        }
        unlink(tmp);
        tarn_free(tmp);
    }
    tarn_free(full);
    return rc;
}

static int lw_write(StorageWriter *w, const void *p, size_t len, TarnError *err)
{
    LocalWriter *lw = (LocalWriter *)w;
    if (write_all(lw->fd, p, len) != 0)
        return io_err(err, "write file", lw->final, errno);
    w->bytes += len;
    return 0;
}

static void lw_free(LocalWriter *lw)
{
    tarn_free(lw->tmp);
    tarn_free(lw->final);
    tarn_free(lw);
}

static int lw_close(StorageWriter *w, TarnError *err)
{
    LocalWriter *lw = (LocalWriter *)w;
    int rc = 0;
    if (fsync(lw->fd) != 0)
        rc = io_err(err, "sync file", lw->final, errno);
    if (close(lw->fd) != 0 && !rc)
        rc = io_err(err, "close file", lw->final, errno);
    if (!rc && rename(lw->tmp, lw->final) != 0)
        rc = io_err(err, "rename file to", lw->final, errno);
    if (rc)
        unlink(lw->tmp);
    else
        fsync_dir_of(lw->final);
    lw_free(lw);
    return rc;
}

static void lw_abort(StorageWriter *w)
{
    LocalWriter *lw = (LocalWriter *)w;
    close(lw->fd);
    unlink(lw->tmp);
    lw_free(lw);
}

static StorageWriter *l_open_write(Storage *s, const char *path, TarnError *err)
{
    char *full = full_path((Local *)s, path);
    if (!full) {
        ERR_NOMEM(err, 0);
        return NULL;
    }
    if (make_parents(full, err)) {
        tarn_free(full);
        return NULL;
    }
    LocalWriter *lw = tarn_calloc(1, sizeof *lw);
    char *tmp = temp_path(full);
    if (!lw || !tmp) {
        tarn_free(lw);
        tarn_free(tmp);
        tarn_free(full);
        ERR_NOMEM(err, 0);
        return NULL;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) {
        io_err(err, "create file", tmp, errno);
        tarn_free(lw);
        tarn_free(tmp);
        tarn_free(full);
        return NULL;
    }
    lw->fd = fd;
    lw->tmp = tmp;
    lw->final = full;
    lw->base.s = s;
    lw->base.write = lw_write;
    lw->base.close = lw_close;
    lw->base.abort = lw_abort;
    return &lw->base;
}

typedef struct Ent {
    char *name;
    bool is_dir;
    uint64_t size;
    int64_t mtime_ms;
} Ent;

static int ent_cmp(const void *a, const void *b)
{
    return strcmp(((const Ent *)a)->name, ((const Ent *)b)->name);
}

static int list_dir(Storage *s, const char *prefix, bool hidden, StorageListFn fn, void *ctx, TarnError *err)
{
    char *full = full_path((Local *)s, prefix);
    if (!full)
        return ERR_NOMEM(err, 0);
    DIR *d = opendir(full);
    if (!d) {
        int rc = io_err(err, "list directory", full, errno);
        tarn_free(full);
        return rc;
    }
    Ent *ents = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *de;
    size_t fl = strlen(full);
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (de->d_name[0] == '.' && !hidden)
            continue; /* hidden temporaries */
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            Ent *e = tarn_realloc(ents, cap * sizeof *e);
            if (!e) {
                rc = ERR_NOMEM(err, cap * sizeof *e);
                break;
            }
            ents = e;
        }
        size_t nl = strlen(de->d_name);
        char *p = tarn_malloc(fl + nl + 2);
        char *name = tarn_strdup(de->d_name);
        if (!p || !name) {
            tarn_free(p);
            tarn_free(name);
            rc = ERR_NOMEM(err, 0);
            break;
        }
        memcpy(p, full, fl);
        p[fl] = '/';
        memcpy(p + fl + 1, de->d_name, nl + 1);
        struct stat st;
        if (stat(p, &st) != 0) {
            /* Vanished between readdir and stat (a concurrent remove). */
            tarn_free(p);
            tarn_free(name);
            continue;
        }
        tarn_free(p);
        ents[n].name = name;
        ents[n].is_dir = S_ISDIR(st.st_mode);
        ents[n].size = ents[n].is_dir ? 0 : (uint64_t)st.st_size;
        ents[n].mtime_ms = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
        n++;
    }
    closedir(d);
    if (!rc) {
        if (n)
            qsort(ents, n, sizeof *ents, ent_cmp);
        for (size_t i = 0; i < n && !rc; i++) {
            StorageEntry e = {ents[i].name, ents[i].is_dir, ents[i].size, ents[i].mtime_ms};
            rc = fn(ctx, &e);
        }
    }
    for (size_t i = 0; i < n; i++)
        tarn_free(ents[i].name);
    tarn_free(ents);
    tarn_free(full);
    return rc;
}

static int l_list(Storage *s, const char *prefix, StorageListFn fn, void *ctx, TarnError *err)
{
    return list_dir(s, prefix, false, fn, ctx, err);
}

static int l_list_hidden(Storage *s, const char *prefix, StorageListFn fn, void *ctx, TarnError *err)
{
    return list_dir(s, prefix, true, fn, ctx, err);
}

static int l_remove(Storage *s, const char *path, TarnError *err)
{
    char *full = full_path((Local *)s, path);
    if (!full)
        return ERR_NOMEM(err, 0);
    int rc = 0;
    if (unlink(full) != 0) {
        if (errno == EISDIR || errno == EPERM) {
            if (rmdir(full) != 0 && errno != ENOENT)
                rc = io_err(err, "remove", full, errno);
        } else if (errno != ENOENT) {
            rc = io_err(err, "remove", full, errno);
        }
    }
    tarn_free(full);
    return rc;
}

static void l_close(Storage *s)
{
    Local *l = (Local *)s;
    tarn_free(l->dir);
    tarn_free(l->base.root);
    tarn_free(l);
}

static const StorageOps local_ops = {
    l_read_range, l_size, l_put, l_put_if_absent, l_open_write, l_list, l_remove, l_close, l_list_hidden, l_exists,
};

Storage *storage_open_local(const char *dir, bool create, TarnError *err)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (!create || errno != ENOENT) {
            io_err(err, "open directory", dir, errno);
            return NULL;
        }
        char probe[4096];
        snprintf(probe, sizeof probe, "%s/x", dir);
        if (make_parents(probe, err))
            return NULL;
    } else if (!S_ISDIR(st.st_mode)) {
        err_set(err, TARN_ERR_INVALID, "\"%s\" is not a directory", dir);
        return NULL;
    }
    Local *l = tarn_calloc(1, sizeof *l);
    if (!l) {
        ERR_NOMEM(err, sizeof *l);
        return NULL;
    }
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    l->dir = tarn_strndup(dir, n);
    l->base.root = tarn_strndup(dir, n);
    l->base.ops = &local_ops;
    if (!l->dir || !l->base.root) {
        l_close(&l->base);
        ERR_NOMEM(err, 0);
        return NULL;
    }
    return &l->base;
}
