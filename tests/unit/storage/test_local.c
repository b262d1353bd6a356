/* test_local.c - the local storage backend: atomic put, put_if_absent as a
 * commit primitive (also under concurrent processes), streamed writers,
 * sorted listing without hidden temporaries, path checks. */
#include "../test.h"

#include <sys/wait.h>
#include <unistd.h>

#include "storage/storage.h"

static Storage *open_tmp(void)
{
    TarnError err = {0};
    char p[512];
    snprintf(p, sizeof p, "%s/lake", test_tmp_dir());
    Storage *s = storage_open_local(p, true, &err);
    ASSERT_NOT_NULL(s, &err);
    return s;
}

typedef struct Names {
    char buf[4096];
} Names;

static int collect(void *ctx, const StorageEntry *e)
{
    Names *n = ctx;
    strcat(n->buf, e->name);
    strcat(n->buf, e->is_dir ? "/," : ",");
    return 0;
}

TEST(storage_put_read_list_remove)
{
    Storage *s = open_tmp();
    TarnError err = {0};
    ASSERT_OK(storage_put(s, "t/_delta_log/00000000000000000001.json", "b", 1, &err), &err);
    ASSERT_OK(storage_put(s, "t/_delta_log/00000000000000000000.json", "aa", 2, &err), &err);
    ASSERT_OK(storage_put(s, "t/part-0.parquet", "xyz", 3, &err), &err);
    Names n = {""};
    ASSERT_OK(storage_list(s, "t/_delta_log/", collect, &n, &err), &err);
    ASSERT_EQ_STR(n.buf, "00000000000000000000.json,00000000000000000001.json,");
    Names m = {""};
    ASSERT_OK(storage_list(s, "t", collect, &m, &err), &err);
    ASSERT_EQ_STR(m.buf, "_delta_log/,part-0.parquet,");
    char buf[4] = {0};
    ASSERT_OK(storage_read_range(s, "t/part-0.parquet", 1, 2, buf, &err), &err);
    ASSERT_EQ_STR(buf, "yz");
    uint64_t size;
    ASSERT_OK(storage_size(s, "t/part-0.parquet", &size, &err), &err);
    ASSERT_EQ_INT(size, 3);
    ASSERT_OK(storage_put(s, "t/part-0.parquet", "replaced", 8, &err), &err);
    Buf all;
    buf_init(&all);
    ASSERT_OK(storage_read_all(s, "t/part-0.parquet", 100, &all, &err), &err);
    ASSERT_EQ_STR((char *)all.data, "replaced");
    buf_free(&all);
    ASSERT_OK(storage_remove(s, "t/part-0.parquet", &err), &err);
    ASSERT_OK(storage_remove(s, "t/part-0.parquet", &err), &err); /* absent: fine */
    bool ex = true;
    ASSERT_OK(storage_exists(s, "t/part-0.parquet", &ex, &err), &err);
    ASSERT(!ex);
    ASSERT_EQ_INT(storage_read_range(s, "t/nope", 0, 1, buf, &err), TARN_ERR_NOT_FOUND);
    storage_close(s);
}

TEST(storage_put_if_absent_conflicts)
{
    Storage *s = open_tmp();
    TarnError err = {0};
    ASSERT_OK(storage_put_if_absent(s, "log/1.json", "first", 5, &err), &err);
    ASSERT_EQ_INT(storage_put_if_absent(s, "log/1.json", "second", 6, &err), TARN_ERR_CONFLICT);
    Buf all;
    buf_init(&all);
    TarnError e2 = {0};
    ASSERT_OK(storage_read_all(s, "log/1.json", 100, &all, &e2), &e2);
    ASSERT_EQ_STR((char *)all.data, "first");
    buf_free(&all);
    Names n = {""};
    ASSERT_OK(storage_list(s, "log", collect, &n, &e2), &e2);
    ASSERT_EQ_STR(n.buf, "1.json,"); /* no temporaries left */
    storage_close(s);
}

TEST(storage_put_if_absent_one_winner_among_processes)
{
    Storage *s = open_tmp();
    enum { N = 8, ROUNDS = 20 };
    for (int round = 0; round < ROUNDS; round++) {
        char name[64];
        snprintf(name, sizeof name, "race/%d.json", round);
        pid_t pids[N];
        for (int i = 0; i < N; i++) {
            pids[i] = fork();
            if (pids[i] == 0) {
                TarnError err = {0};
                char body[16];
                snprintf(body, sizeof body, "%d", i);
                int rc = storage_put_if_absent(s, name, body, strlen(body), &err);
                _exit(rc == 0 ? 0 : rc == TARN_ERR_CONFLICT ? 1 : 2);
            }
        }
        int winners = 0;
        for (int i = 0; i < N; i++) {
            int st;
            waitpid(pids[i], &st, 0);
            ASSERT(WIFEXITED(st) && WEXITSTATUS(st) != 2);
            winners += WEXITSTATUS(st) == 0;
        }
        ASSERT_EQ_INT(winners, 1);
    }
    storage_close(s);
}

TEST(storage_streamed_writer_invisible_until_close)
{
    Storage *s = open_tmp();
    TarnError err = {0};
    StorageWriter *w = storage_open_write(s, "t/data.bin", &err);
    ASSERT_NOT_NULL(w, &err);
    ASSERT_OK(w->write(w, "hello ", 6, &err), &err);
    bool ex = true;
    ASSERT_OK(storage_exists(s, "t/data.bin", &ex, &err), &err);
    ASSERT(!ex);
    Names n = {""};
    ASSERT_OK(storage_list(s, "t", collect, &n, &err), &err);
    ASSERT_EQ_STR(n.buf, "");
    ASSERT_OK(w->write(w, "world", 5, &err), &err);
    ASSERT_OK(w->close(w, &err), &err);
    Buf all;
    buf_init(&all);
    ASSERT_OK(storage_read_all(s, "t/data.bin", 100, &all, &err), &err);
    ASSERT_EQ_STR((char *)all.data, "hello world");
    buf_free(&all);
    w = storage_open_write(s, "t/gone.bin", &err);
    ASSERT_NOT_NULL(w, &err);
    w->abort(w);
    Names m = {""};
    ASSERT_OK(storage_list(s, "t", collect, &m, &err), &err);
    ASSERT_EQ_STR(m.buf, "data.bin,");
    storage_close(s);
}

TEST(storage_rejects_escaping_paths)
{
    Storage *s = open_tmp();
    TarnError err = {0};
    ASSERT_EQ_INT(storage_put(s, "../evil", "x", 1, &err), TARN_ERR_INVALID);
    err_clear(&err);
    ASSERT_EQ_INT(storage_put(s, "/abs", "x", 1, &err), TARN_ERR_INVALID);
    err_clear(&err);
    ASSERT_EQ_INT(storage_put(s, "a//b", "x", 1, &err), TARN_ERR_INVALID);
    err_clear(&err);
    ASSERT_EQ_INT(storage_put(s, "a/./b", "x", 1, &err), TARN_ERR_INVALID);
    storage_close(s);
}

/* storage_exists (the local backend's own probe, used for every
 * statement's log check): present, missing (no error), missing parent
 * folder (no error), a path through a file (an error like storage_size's,
 * never "missing"), and a first error set is kept. */
TEST(storage_exists_probe)
{
    Storage *s = open_tmp();
    TarnError err = {0};
    ASSERT_OK(storage_put(s, "e/_delta_log/00000000000000000000.json", "{}", 2, &err), &err);
    bool ex = false;
    ASSERT_OK(storage_exists(s, "e/_delta_log/00000000000000000000.json", &ex, &err), &err);
    ASSERT(ex);
    ASSERT_OK(storage_exists(s, "e/_delta_log/00000000000000000001.json", &ex, &err), &err);
    ASSERT(!ex);
    ASSERT_EQ_INT(err.kind, TARN_OK);
    ex = true;
    ASSERT_OK(storage_exists(s, "nowhere/_delta_log/00000000000000000000.json", &ex, &err), &err);
    ASSERT(!ex);
    ASSERT_EQ_INT(err.kind, TARN_OK);
    uint64_t size;
    TarnError e1 = {0}, e2 = {0};
    int rc_size = storage_size(s, "e/_delta_log/00000000000000000000.json/x", &size, &e1);
    ASSERT(rc_size != 0 && rc_size != TARN_ERR_NOT_FOUND);
    ASSERT_EQ_INT(storage_exists(s, "e/_delta_log/00000000000000000000.json/x", &ex, &e2), rc_size);
    ASSERT_EQ_STR(e2.message, e1.message);
    err_set(&err, TARN_ERR_INVALID, "first");
    ASSERT_EQ_INT(storage_exists(s, "e/_delta_log/00000000000000000000.json/x", &ex, &err), rc_size);
    ASSERT_EQ_STR(err.message, "first");
    storage_close(s);
}
