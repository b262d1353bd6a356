/*
 * storage.h - object access behind one small interface, so the lake can live
 * on a local file system now and on an object store later (in the spirit of
 * SQLite's VFS).
 *
 * Paths are relative to the storage root, '/'-separated, never starting
 * with '/' and never containing "..": storage_check_path rejects others.
 *
 * The operations a table format needs:
 *   read_range     read bytes [off, off+len) of an object
 *   size           an object's length
 *   put            create or replace an object atomically (readers see the
 *                  old or the new bytes, never a mix); durable on return
 *   put_if_absent  create an object only if it does not exist: the commit
 *                  primitive of the Delta log.  TARN_ERR_CONFLICT if it
 *                  exists.  Durable on return.
 *   open_write     stream a new object (large data files); nothing is
 *                  visible under the final name until writer_close
 *   list           the objects directly under a prefix ("dir/"), sorted by
 *                  name
 *   remove         delete an object (absent is not an error)
 *
 * Backends: local.c (POSIX files; put_if_absent = link(2) of a synced temp
 * file), faulty.c (wraps another backend and injects failures for tests).
 * Thread-safety: every backend is safe to call from several threads.
 */
#ifndef TARN_STORAGE_STORAGE_H
#define TARN_STORAGE_STORAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/mem.h"

typedef struct Storage Storage;
typedef struct StorageWriter StorageWriter;

/* One listed object. */
typedef struct StorageEntry {
    const char *name;  /* name under the prefix (no '/'); valid during the callback */
    bool is_dir;
    uint64_t size;     /* bytes (0 for directories) */
    int64_t mtime_ms;  /* modification time, ms since epoch */
} StorageEntry;

/* Called once per entry in name order; a non-zero return stops the listing
 * and is returned by storage_list. */
typedef int (*StorageListFn)(void *ctx, const StorageEntry *e);

typedef struct StorageOps {
    int (*read_range)(Storage *s, const char *path, uint64_t off, size_t len, void *buf, TarnError *err);
    int (*size)(Storage *s, const char *path, uint64_t *size_out, TarnError *err);
    int (*put)(Storage *s, const char *path, const void *data, size_t len, TarnError *err);
    int (*put_if_absent)(Storage *s, const char *path, const void *data, size_t len, TarnError *err);
    StorageWriter *(*open_write)(Storage *s, const char *path, TarnError *err);
    int (*list)(Storage *s, const char *prefix, StorageListFn fn, void *ctx, TarnError *err);
    int (*remove)(Storage *s, const char *path, TarnError *err);
    void (*close)(Storage *s);
    /* Like list, but also hidden entries (names starting with '.', such as
     * a crashed writer's temporaries); NULL when the backend has none. */
    int (*list_hidden)(Storage *s, const char *prefix, StorageListFn fn, void *ctx, TarnError *err);
    /* storage_exists without building an error message for a missing
     * object (a log probe per statement); NULL: through size. */
    int (*exists)(Storage *s, const char *path, bool *exists_out, TarnError *err);
} StorageOps;

struct Storage {
    const StorageOps *ops;
    char *root;   /* description for messages (a directory, a URL) */
};

struct StorageWriter {
    Storage *s;
    /* Appends bytes. */
    int (*write)(StorageWriter *w, const void *p, size_t len, TarnError *err);
    /* Makes the object durable and visible under its name; frees w. */
    int (*close)(StorageWriter *w, TarnError *err);
    /* Discards everything written; frees w. */
    void (*abort)(StorageWriter *w);
    uint64_t bytes;  /* written so far */
};

/* Opens a local directory as storage (created when `create`). */
Storage *storage_open_local(const char *dir, bool create, TarnError *err);

/* Wrappers (check the path, then call the backend). */
int storage_read_range(Storage *s, const char *path, uint64_t off, size_t len, void *buf, TarnError *err);
int storage_size(Storage *s, const char *path, uint64_t *size_out, TarnError *err);
/* Reads a whole object into out (caller frees with buf_free); objects over
 * max_bytes are refused (TARN_ERR_NOMEM) so a corrupt table cannot make us
 * read gigabytes by accident. */
int storage_read_all(Storage *s, const char *path, size_t max_bytes, Buf *out, TarnError *err);
int storage_put(Storage *s, const char *path, const void *data, size_t len, TarnError *err);
int storage_put_if_absent(Storage *s, const char *path, const void *data, size_t len, TarnError *err);
StorageWriter *storage_open_write(Storage *s, const char *path, TarnError *err);
int storage_list(Storage *s, const char *prefix, StorageListFn fn, void *ctx, TarnError *err);
/* storage_list including hidden entries (for maintenance: vacuum removes
 * the temporaries of writers that crashed). */
int storage_list_hidden(Storage *s, const char *prefix, StorageListFn fn, void *ctx, TarnError *err);
int storage_remove(Storage *s, const char *path, TarnError *err);
/* True when the object exists (errors other than "not found" are reported). */
int storage_exists(Storage *s, const char *path, bool *exists_out, TarnError *err);
void storage_close(Storage *s);

/* TARN_ERR_INVALID unless path is a clean relative object path. */
int storage_check_path(const char *path, TarnError *err);

#endif
