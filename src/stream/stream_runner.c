/*
 * stream_runner.c - a stream run by a background thread of another
 * process (stream.h: stream_runner_start / stop), so that an ingester can
 * keep its stream up to date without a second `tarn stream run` process.
 * The thread has its own tarn_db; the lake's tables are shared with the
 * ingester through the Delta log only (commits are put-if-absent), exactly
 * as between two processes.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "stream/stream.h"
#include "util/mem.h"

struct StreamRunner {
    tarn_db *db;
    char name[128];
    int64_t interval_ms;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;                  /* guarded by mu */
    int rc;                     /* first failure (the loop ends there) */
    TarnError err;
};

static void *runner_main(void *arg)
{
    StreamRunner *r = arg;
    pthread_mutex_lock(&r->mu);
    while (!r->stop && !r->rc) {
        pthread_mutex_unlock(&r->mu);
        StreamRunResult res;
        int rc = stream_run_once(r->db, r->name, &res, &r->err);
        pthread_mutex_lock(&r->mu);
        if (rc) {
            r->rc = rc;
            break;
        }
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        int64_t ns = until.tv_nsec + (r->interval_ms % 1000) * 1000000;
        until.tv_sec += (time_t)(r->interval_ms / 1000 + ns / 1000000000);
        until.tv_nsec = (long)(ns % 1000000000);
        while (!r->stop && pthread_cond_timedwait(&r->cv, &r->mu, &until) != ETIMEDOUT)
            ;
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

int stream_runner_start(const char *lake, const char *name, int64_t interval_ms, StreamRunner **out,
                        TarnError *err)
{
    *out = NULL;
    StreamRunner *r = tarn_calloc(1, sizeof *r);
    if (!r)
        return ERR_NOMEM(err, sizeof *r);
    snprintf(r->name, sizeof r->name, "%s", name);
    r->interval_ms = interval_ms > 0 ? interval_ms : 1000;
    err_clear(&r->err);
    int rc = tarn_open(lake, &r->db, err);
    if (rc) {
        tarn_free(r);
        return rc;
    }
    StreamInfo *l;
    uint32_t n;
    bool found = false;
    if ((rc = stream_list(r->db, &l, &n, err))) {
        tarn_close(r->db);
        tarn_free(r);
        return rc;
    }
    for (uint32_t i = 0; i < n; i++)
        found |= !strcmp(l[i].name, name);
    stream_info_free_all(l, n);
    if (!found) {
        tarn_close(r->db);
        tarn_free(r);
        return err_set_state(err, TARN_ERR_NOT_FOUND, "42704", "stream \"%s\" does not exist", name);
    }
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    if (pthread_create(&r->thread, NULL, runner_main, r)) {
        pthread_mutex_destroy(&r->mu);
        pthread_cond_destroy(&r->cv);
        tarn_close(r->db);
        tarn_free(r);
        return err_set(err, TARN_ERR_IO, "cannot start the thread of stream \"%s\"", name);
    }
    *out = r;
    return 0;
}

int stream_runner_status(StreamRunner *r)
{
    pthread_mutex_lock(&r->mu);
    int rc = r->rc;
    pthread_mutex_unlock(&r->mu);
    return rc;
}

int stream_runner_stop(StreamRunner *r, TarnError *err)
{
    if (!r)
        return 0;
    pthread_mutex_lock(&r->mu);
    r->stop = true;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
    pthread_join(r->thread, NULL);
    int rc = r->rc;
    if (!rc) {
        StreamRunResult res;
        rc = stream_run_once(r->db, r->name, &res, &r->err);
    }
    if (rc)
        *err = r->err;
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    tarn_close(r->db);
    tarn_free(r);
    return rc;
}
