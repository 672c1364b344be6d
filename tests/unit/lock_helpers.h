/*
 * Test helpers for the lock tests: run N plain pthreads over one routine, wait (boundedly) for
 * a condition another thread brings about, and start a thread that acquires something and
 * holds it until told to let go.
 */
#ifndef IRQL_TEST_LOCK_HELPERS_H
#define IRQL_TEST_LOCK_HELPERS_H

/* nanosleep: include this header first in a test file. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "bugcheck_expect.h"

#include <pthread.h>
#include <time.h>

#define LOCK_TEST_THREADS 4
#define LOCK_TEST_ITERATIONS 20000

typedef void *LOCK_TEST_ROUTINE(void *Context);

/* Run Routine(Context) on Count new threads and join them all. */
static inline void RunThreads(int Count, LOCK_TEST_ROUTINE *Routine, void *Context)
{
    pthread_t Threads[16];
    cr_assert(Count <= 16);
    for (int i = 0; i < Count; i++) {
        cr_assert_eq(pthread_create(&Threads[i], NULL, Routine, Context), 0);
    }
    for (int i = 0; i < Count; i++) {
        cr_assert_eq(pthread_join(Threads[i], NULL), 0);
    }
}

static inline void SleepMs(unsigned Ms)
{
    struct timespec Delay = {(time_t)(Ms / 1000), (long)(Ms % 1000) * 1000000L};
    nanosleep(&Delay, NULL);
}

/* Poll Condition(Context) every millisecond for up to 10 s; fail the test if it never holds. */
static inline void WaitUntil(int (*Condition)(void *), void *Context, const char *What)
{
    for (int i = 0; i < 10000; i++) {
        if (Condition(Context)) {
            return;
        }
        SleepMs(1);
    }
    cr_assert_fail("timed out waiting until %s", What);
}

/* An atomic flag the tests use to hand control between threads. */
static inline int FlagIsSet(void *Flag)
{
    return __atomic_load_n((volatile int *)Flag, __ATOMIC_ACQUIRE) != 0;
}

static inline void SetFlag(volatile int *Flag)
{
    __atomic_store_n(Flag, 1, __ATOMIC_RELEASE);
}

/*
 * A helper thread that runs Acquire(Lock), sets Held, waits for Release to be set, runs
 * Release(Lock) and sets Done. Lets a test hold a lock "in another thread" for a while.
 */
typedef struct _HOLDER {
    void (*Acquire)(void *Lock);
    void (*Release)(void *Lock);
    void *Lock;
    volatile int Held;
    volatile int Let;
    volatile int Done;
    pthread_t Thread;
} HOLDER;

static inline void *HolderMain(void *Context)
{
    HOLDER *Holder = (HOLDER *)Context;
    Holder->Acquire(Holder->Lock);
    SetFlag(&Holder->Held);
    WaitUntil(FlagIsSet, (void *)&Holder->Let, "the test lets the holder release");
    Holder->Release(Holder->Lock);
    SetFlag(&Holder->Done);
    return NULL;
}

static inline void StartHolder(HOLDER *Holder, void (*Acquire)(void *), void (*Release)(void *),
                               void *Lock)
{
    Holder->Acquire = Acquire;
    Holder->Release = Release;
    Holder->Lock = Lock;
    Holder->Held = Holder->Let = Holder->Done = 0;
    cr_assert_eq(pthread_create(&Holder->Thread, NULL, HolderMain, Holder), 0);
    WaitUntil(FlagIsSet, (void *)&Holder->Held, "the holder has the lock");
}

static inline void StopHolder(HOLDER *Holder)
{
    SetFlag(&Holder->Let);
    cr_assert_eq(pthread_join(Holder->Thread, NULL), 0);
}

#endif
