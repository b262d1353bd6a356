/*
 * pool.c - the process-wide worker pool (see exec.h, pool_run).
 *
 * A fixed set of threads (cores - 1) waits on a queue of jobs.  pool_run
 * posts one job with n task slots; workers and the calling thread claim
 * slots with an atomic counter until none are left, and the caller waits
 * until every claimed slot has finished.  The caller always takes part,
 * so nested pool_run calls (an init plan inside a pipeline) cannot
 * deadlock: in the worst case the caller runs every slot itself.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "sql/exec/exec.h"

typedef struct Job {
    void (*fn)(void *arg, uint32_t i);
    void *arg;
    uint32_t n;
    atomic_uint next;       /* next slot to claim */
    atomic_uint done;       /* finished slots */
    uint32_t refs;          /* workers inside run_slots (under mu) */
    struct Job *qnext;
} Job;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work_cv = PTHREAD_COND_INITIALIZER;
static pthread_cond_t done_cv = PTHREAD_COND_INITIALIZER;
static Job *queue;          /* jobs with unclaimed slots */
static uint32_t n_workers;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void run_slots(Job *j)
{
    for (;;) {
        uint32_t i = atomic_fetch_add(&j->next, 1);
        if (i >= j->n)
            break;
        j->fn(j->arg, i);
        atomic_fetch_add(&j->done, 1);
    }
}

static void *worker(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&mu);
    for (;;) {
        while (!queue)
            pthread_cond_wait(&work_cv, &mu);
        Job *j = queue;
        if (atomic_load(&j->next) >= j->n) {
            queue = j->qnext; /* fully claimed: drop from the queue */
            continue;
        }
        j->refs++;
        pthread_mutex_unlock(&mu);
        run_slots(j);
        pthread_mutex_lock(&mu);
        /* the owner waits for refs == 0 before its Job goes away */
        if (--j->refs == 0)
            pthread_cond_broadcast(&done_cv);
    }
    return NULL;
}

static void start(void)
{
    long nc = sysconf(_SC_NPROCESSORS_ONLN);
    const char *env = getenv("TARN_THREADS");
    if (env && atoi(env) > 0)
        nc = atoi(env);
    if (nc < 1)
        nc = 1;
    if (nc > 256)
        nc = 256;
    uint32_t want = (uint32_t)nc - 1;
    for (uint32_t i = 0; i < want; i++) {
        pthread_t t;
        pthread_attr_t at;
        pthread_attr_init(&at);
        pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&at, 8u << 20);
        if (pthread_create(&t, &at, worker, NULL) == 0)
            n_workers++;
        pthread_attr_destroy(&at);
    }
}

uint32_t pool_size(void)
{
    pthread_once(&once, start);
    return n_workers + 1;
}

void pool_run(uint32_t n, void (*fn)(void *arg, uint32_t i), void *arg)
{
    if (n == 0)
        return;
    pthread_once(&once, start);
    if (n == 1 || n_workers == 0) {
        for (uint32_t i = 0; i < n; i++)
            fn(arg, i);
        return;
    }
    Job j;
    j.fn = fn;
    j.arg = arg;
    j.n = n;
    atomic_init(&j.next, 0);
    atomic_init(&j.done, 0);
    j.refs = 0;
    pthread_mutex_lock(&mu);
    j.qnext = queue;
    queue = &j;
    pthread_cond_broadcast(&work_cv);
    pthread_mutex_unlock(&mu);
    run_slots(&j);
    pthread_mutex_lock(&mu);
    /* no new worker may pick the job up: unlink it, then wait for the
     * workers still inside it */
    for (Job **pp = &queue; *pp; pp = &(*pp)->qnext)
        if (*pp == &j) {
            *pp = j.qnext;
            break;
        }
    while (j.refs > 0 || atomic_load(&j.done) < n)
        pthread_cond_wait(&done_cv, &mu);
    pthread_mutex_unlock(&mu);
}
