/*
 * bgthread.h - run a function on a background thread without creating a
 * thread each time.
 *
 * Threads that finished a task wait (up to BG_IDLE_MAX of them) for the
 * next one, so a server running thousands of short statements per second
 * (each streaming cursor runs its query on a background thread,
 * sql_cursor.c) does not pay for thread creation and teardown (clone,
 * stack mapping, madvise at exit) every time.  Semantics are those of
 * pthread_create + pthread_join: bg_start runs fn(arg) on another thread
 * (a new one when none is idle), bg_join waits until it has returned.
 * A BgTask must stay in place from bg_start until bg_join returns.
 */
#ifndef TARN_UTIL_BGTHREAD_H
#define TARN_UTIL_BGTHREAD_H

#include <pthread.h>
#include <stdbool.h>

#define BG_IDLE_MAX 64

typedef struct BgTask {
    void *(*fn)(void *);
    void *arg;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;
    struct BgTask *next;
} BgTask;

/* 0, or an errno value when no thread could be started. */
int bg_start(BgTask *t, void *(*fn)(void *), void *arg);
void bg_join(BgTask *t);

#endif
