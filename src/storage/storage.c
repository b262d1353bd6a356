/*
 * storage.c - path checks and the thin wrappers over a backend's ops
 * (see storage.h).
 */
#include "storage/storage.h"

#include <string.h>

int storage_check_path(const char *path, TarnError *err)
{
    if (!path || !*path)
        return err_set(err, TARN_ERR_INVALID, "empty storage path");
    if (path[0] == '/')
        return err_set(err, TARN_ERR_INVALID, "storage path \"%s\" must be relative", path);
    const char *p = path;
    while (*p) {
        const char *seg = p;
        while (*p && *p != '/')
            p++;
        size_t n = (size_t)(p - seg);
        if (n == 0 && *p == '/')
            return err_set(err, TARN_ERR_INVALID, "storage path \"%s\" has an empty component", path);
        if ((n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'))
            return err_set(err, TARN_ERR_INVALID, "storage path \"%s\" may not contain \".\" or \"..\"", path);
        if (*p == '/')
            p++;
    }
    return 0;
}

int storage_read_range(Storage *s, const char *path, uint64_t off, size_t len, void *buf, TarnError *err)
{
    int rc = storage_check_path(path, err);
    return rc ? rc : s->ops->read_range(s, path, off, len, buf, err);
}

int storage_size(Storage *s, const char *path, uint64_t *size_out, TarnError *err)
{
    int rc = storage_check_path(path, err);
    return rc ? rc : s->ops->size(s, path, size_out, err);
}

int storage_read_all(Storage *s, const char *path, size_t max_bytes, Buf *out, TarnError *err)
{
    uint64_t size;
    int rc = storage_size(s, path, &size, err);
    if (rc)
        return rc;
    if (size > max_bytes)
        return err_set(err, TARN_ERR_NOMEM, "object \"%s\" is %llu bytes, more than the %zu allowed", path,
                       (unsigned long long)size, max_bytes);
    if (buf_reserve(out, (size_t)size + 1))
        return ERR_NOMEM(err, (size_t)size);
    rc = s->ops->read_range(s, path, 0, (size_t)size, out->data + out->len, err);
    if (rc)
        return rc;
    out->len += (size_t)size;
    out->data[out->len] = '\0';
    return 0;
}

int storage_put(Storage *s, const char *path, const void *data, size_t len, TarnError *err)
{
    int rc = storage_check_path(path, err);
    return rc ? rc : s->ops->put(s, path, data, len, err);
}

int storage_put_if_absent(Storage *s, const char *path, const void *data, size_t len, TarnError *err)
{
    int rc = storage_check_path(path, err);
    return rc ? rc : s->ops->put_if_absent(s, path, data, len, err);
}

StorageWriter *storage_open_write(Storage *s, const char *path, TarnError *err)
{
    if (storage_check_path(path, err))
        return NULL;
    return s->ops->open_write(s, path, err);
}

static int list_common(Storage *s, const char *prefix, bool hidden, StorageListFn fn, void *ctx, TarnError *err)
{
    int (*op)(Storage *, const char *, StorageListFn, void *, TarnError *) =
        hidden && s->ops->list_hidden ? s->ops->list_hidden : s->ops->list;
    if (prefix && *prefix) {
        /* A prefix is a directory path, with or without the trailing '/'. */
        size_t n = strlen(prefix);
        char tmp[4096];
        if (n >= sizeof tmp)
            return err_set(err, TARN_ERR_INVALID, "storage prefix too long");
        memcpy(tmp, prefix, n + 1);
        if (tmp[n - 1] == '/')
            tmp[n - 1] = '\0';
        if (tmp[0] && storage_check_path(tmp, err))
            return err->kind;
        return op(s, tmp, fn, ctx, err);
    }
    return op(s, "", fn, ctx, err);
}

int storage_list(Storage *s, const char *prefix, StorageListFn fn, void *ctx, TarnError *err)
{
    return list_common(s, prefix, false, fn, ctx, err);
}

int storage_list_hidden(Storage *s, const char *prefix, StorageListFn fn, void *ctx, TarnError *err)
{
    return list_common(s, prefix, true, fn, ctx, err);
}

int storage_remove(Storage *s, const char *path, TarnError *err)
{
    int rc = storage_check_path(path, err);
    return rc ? rc : s->ops->remove(s, path, err);
}

int storage_exists(Storage *s, const char *path, bool *exists_out, TarnError *err)
{
    if (s->ops->exists)
        return s->ops->exists(s, path, exists_out, err);
    uint64_t size;
    TarnError e2 = {0};
    int rc = storage_size(s, path, &size, &e2);
    if (rc == 0) {
        *exists_out = true;
        return 0;
    }
    if (rc == TARN_ERR_NOT_FOUND) {
        *exists_out = false;
        return 0;
    }
    if (err && err->kind == TARN_OK)
        *err = e2;
    return rc;
}

void storage_close(Storage *s)
{
    if (s)
        s->ops->close(s);
}
