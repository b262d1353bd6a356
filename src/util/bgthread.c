/*
 * bgthread.c - reusable background threads (bgthread.h).
 */
#include "util/bgthread.h"

#include <errno.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work_cv = PTHREAD_COND_INITIALIZER;
static BgTask *head, *tail;   /* tasks waiting for a thread */
static unsigned n_idle;       /* threads waiting in worker() */

static void finish(BgTask *t)
{
    pthread_mutex_lock(&t->mu);
    t->done = true;
    pthread_cond_signal(&t->cv);
    pthread_mutex_unlock(&t->mu);
}

static void *worker(void *first)
{
    BgTask *t = first;
    for (;;) {
        t->fn(t->arg);
        finish(t);
        pthread_mutex_lock(&mu);
        if (!head && n_idle >= BG_IDLE_MAX) {
            pthread_mutex_unlock(&mu);
            return NULL;
        }
        n_idle++;
        while (!head)
            pthread_cond_wait(&work_cv, &mu);
        n_idle--;
        t = head;
        head = t->next;
        if (!head)
            tail = NULL;
        pthread_mutex_unlock(&mu);
    }
}

int bg_start(BgTask *t, void *(*fn)(void *), void *arg)
{
    t->fn = fn;
    t->arg = arg;
    t->done = false;
    t->next = NULL;
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->cv, NULL);
    pthread_mutex_lock(&mu);
    /* an idle thread not already claimed by a queued task takes it */
    unsigned queued = 0;
    for (BgTask *q = head; q; q = q->next)
        queued++;
    if (n_idle > queued) {
        if (tail)
            tail->next = t;
        else
            head = t;
        tail = t;
        pthread_cond_signal(&work_cv);
        pthread_mutex_unlock(&mu);
        return 0;
    }
    pthread_mutex_unlock(&mu);
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    pthread_t th;
    int rc = pthread_create(&th, &at, worker, t);
    pthread_attr_destroy(&at);
    if (rc) {
        pthread_mutex_destroy(&t->mu);
        pthread_cond_destroy(&t->cv);
        return rc ? rc : EAGAIN;
    }
    return 0;
}

void bg_join(BgTask *t)
{
    pthread_mutex_lock(&t->mu);
    while (!t->done)
        pthread_cond_wait(&t->cv, &t->mu);
    pthread_mutex_unlock(&t->mu);
    pthread_mutex_destroy(&t->mu);
    pthread_cond_destroy(&t->cv);
}
