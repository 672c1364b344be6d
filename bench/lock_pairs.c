/*
 * The cost of one lock acquire + release for every lock kind, three ways, one noinline loop
 * each, for callgrind instruction counts:
 *   <kind>_raw      the WDK routines a careful driver calls by hand (with the critical region
 *                   a resource or push lock needs)
 *   <kind>_wrapper  the checked explicit API: IrqlKLock + IrqlKUnlock
 *   <kind>_scoped   the scoped form: IRQL_WITH on an IRQL_PROTECTED value
 * Each loop also increments the protected counter, so the three do the same work, and every
 * loop of a kind uses one lock, so a loop run on several threads at once contends on it
 * (`contended`; the pthread_mutex loop of bench.c is the baseline there).
 *
 *   lock_pairs <operation>|all <N> | contended <operation> <threads> <seconds> | --list
 * (bench.h). With callgrind: --collect-atstart=no --toggle-collect=bench_<operation>.
 */
#include <irql/lock.h>

#include "bench.h"

#include <stdio.h>
#include <stdlib.h>

#define LOOP BENCH_LOOP

typedef IRQL_PROTECTED(IRQL_KMUTEX, LONG) KMUTEX_LONG;
typedef IRQL_PROTECTED(IRQL_FAST_MUTEX, LONG) FAST_LONG;
typedef IRQL_PROTECTED(IRQL_GUARDED_MUTEX, LONG) GUARDED_LONG;
typedef IRQL_PROTECTED(IRQL_SPIN_LOCK, LONG) SPIN_LONG;
typedef IRQL_PROTECTED(IRQL_RESOURCE, LONG) RESOURCE_LONG;
typedef IRQL_PROTECTED(IRQL_PUSH_LOCK, LONG) PUSH_LONG;

static KMUTEX_LONG KMutexValue;
static FAST_LONG FastValue;
static GUARDED_LONG GuardedValue;
static SPIN_LONG SpinValue;
static RESOURCE_LONG ResourceValue;
static PUSH_LONG PushValue;

/* Raw kernel objects and counters for the _raw loops. */
static KMUTEX RawKMutex;
static FAST_MUTEX RawFast;
static KGUARDED_MUTEX RawGuarded;
static KSPIN_LOCK RawSpin;
static ERESOURCE RawResource;
static EX_PUSH_LOCK RawPush;
static volatile LONG RawCounter;

/* ---- KMUTEX ----------------------------------------------------------------------------- */

LOOP(kmutex_raw)
{
    for (long i = 0; i < N; i++) {
        KeWaitForSingleObject(&RawKMutex, Executive, KernelMode, FALSE, NULL);
        RawCounter++;
        KeReleaseMutex(&RawKMutex, FALSE);
    }
}

LOOP(kmutex_wrapper)
{
    for (long i = 0; i < N; i++) {
        if (NT_SUCCESS(IrqlKMutexLock(&KMutexValue.Lock))) {
            KMutexValue.Data++;
            (VOID)IrqlKMutexUnlock(&KMutexValue.Lock);
        }
    }
}

IRQL_AT(bench_kmutex_scoped, PASSIVE_LEVEL)
LOOP(kmutex_scoped)
{
    IRQL_ENTER(bench_kmutex_scoped);
    for (long i = 0; i < N; i++) {
        IRQL_WITH(&KMutexValue, Value) {
            (*Value)++;
        }
    }
}

/* ---- FAST_MUTEX ------------------------------------------------------------------------- */

LOOP(fast_mutex_raw)
{
    for (long i = 0; i < N; i++) {
        ExAcquireFastMutex(&RawFast);
        RawCounter++;
        ExReleaseFastMutex(&RawFast);
    }
}

LOOP(fast_mutex_wrapper)
{
    for (long i = 0; i < N; i++) {
        if (NT_SUCCESS(IrqlFastMutexLock(&FastValue.Lock))) {
            FastValue.Data++;
            (VOID)IrqlFastMutexUnlock(&FastValue.Lock);
        }
    }
}

IRQL_AT(bench_fast_mutex_scoped, PASSIVE_LEVEL)
LOOP(fast_mutex_scoped)
{
    IRQL_ENTER(bench_fast_mutex_scoped);
    for (long i = 0; i < N; i++) {
        IRQL_WITH(&FastValue, Value) {
            (*Value)++;
        }
    }
}

/* ---- KGUARDED_MUTEX --------------------------------------------------------------------- */

LOOP(guarded_mutex_raw)
{
    for (long i = 0; i < N; i++) {
        KeAcquireGuardedMutex(&RawGuarded);
        RawCounter++;
        KeReleaseGuardedMutex(&RawGuarded);
    }
}

LOOP(guarded_mutex_wrapper)
{
    for (long i = 0; i < N; i++) {
        if (NT_SUCCESS(IrqlGuardedMutexLock(&GuardedValue.Lock))) {
            GuardedValue.Data++;
            (VOID)IrqlGuardedMutexUnlock(&GuardedValue.Lock);
        }
    }
}

IRQL_AT(bench_guarded_mutex_scoped, PASSIVE_LEVEL)
LOOP(guarded_mutex_scoped)
{
    IRQL_ENTER(bench_guarded_mutex_scoped);
    for (long i = 0; i < N; i++) {
        IRQL_WITH(&GuardedValue, Value) {
            (*Value)++;
        }
    }
}

/* ---- KSPIN_LOCK, in-stack queued -------------------------------------------------------- */

LOOP(spin_lock_raw)
{
    for (long i = 0; i < N; i++) {
        KLOCK_QUEUE_HANDLE Handle;
        KeAcquireInStackQueuedSpinLock(&RawSpin, &Handle);
        RawCounter++;
        KeReleaseInStackQueuedSpinLock(&Handle);
    }
}

LOOP(spin_lock_wrapper)
{
    for (long i = 0; i < N; i++) {
        IRQL_SPIN_LOCK_GUARD Guard;
        if (NT_SUCCESS(IrqlSpinLockLock(&SpinValue.Lock, &Guard))) {
            SpinValue.Data++;
            (VOID)IrqlSpinLockUnlock(&SpinValue.Lock, &Guard);
        }
    }
}

IRQL_AT(bench_spin_lock_scoped, PASSIVE_LEVEL)
LOOP(spin_lock_scoped)
{
    IRQL_ENTER(bench_spin_lock_scoped);
    for (long i = 0; i < N; i++) {
        IRQL_WITH(&SpinValue, Value) {
            (*Value)++;
        }
    }
}

/* ---- ERESOURCE (exclusive), in a critical region ---------------------------------------- */

LOOP(resource_raw)
{
    for (long i = 0; i < N; i++) {
        KeEnterCriticalRegion();
        ExAcquireResourceExclusiveLite(&RawResource, TRUE);
        RawCounter++;
        ExReleaseResourceLite(&RawResource);
        KeLeaveCriticalRegion();
    }
}

LOOP(resource_wrapper)
{
    for (long i = 0; i < N; i++) {
        if (NT_SUCCESS(IrqlResourceLock(&ResourceValue.Lock))) {
            ResourceValue.Data++;
            (VOID)IrqlResourceUnlock(&ResourceValue.Lock);
        }
    }
}

IRQL_AT(bench_resource_scoped, PASSIVE_LEVEL)
LOOP(resource_scoped)
{
    IRQL_ENTER(bench_resource_scoped);
    for (long i = 0; i < N; i++) {
        IRQL_WITH(&ResourceValue, Value) {
            (*Value)++;
        }
    }
}

/* ---- EX_PUSH_LOCK (exclusive), in a critical region ------------------------------------- */

LOOP(push_lock_raw)
{
    for (long i = 0; i < N; i++) {
        KeEnterCriticalRegion();
        ExAcquirePushLockExclusive(&RawPush);
        RawCounter++;
        ExReleasePushLockExclusive(&RawPush);
        KeLeaveCriticalRegion();
    }
}

LOOP(push_lock_wrapper)
{
    for (long i = 0; i < N; i++) {
        IRQL_PUSH_LOCK_GUARD Guard;
        if (NT_SUCCESS(IrqlPushLockLock(&PushValue.Lock, &Guard))) {
            PushValue.Data++;
            (VOID)IrqlPushLockUnlock(&PushValue.Lock, &Guard);
        }
    }
}

IRQL_AT(bench_push_lock_scoped, PASSIVE_LEVEL)
LOOP(push_lock_scoped)
{
    IRQL_ENTER(bench_push_lock_scoped);
    for (long i = 0; i < N; i++) {
        IRQL_WITH(&PushValue, Value) {
            (*Value)++;
        }
    }
}

/* ------------------------------------------------------------------------------------------ */

static const BENCH_OP Operations[] = {
#define OP(Kind) BENCH_OP(Kind##_raw), BENCH_OP(Kind##_wrapper), BENCH_OP(Kind##_scoped)
    OP(kmutex), OP(fast_mutex), OP(guarded_mutex), OP(spin_lock), OP(resource), OP(push_lock),
#undef OP
    {"pthread_mutex", bench_pthread_mutex},
};

static void Setup(void)
{
    KeInitializeMutex(&RawKMutex, 0);
    ExInitializeFastMutex(&RawFast);
    KeInitializeGuardedMutex(&RawGuarded);
    KeInitializeSpinLock(&RawSpin);
    ExInitializePushLock(&RawPush);
    if (!NT_SUCCESS(ExInitializeResourceLite(&RawResource)) ||
        !NT_SUCCESS(IrqlKMutexInit(&KMutexValue.Lock)) ||
        !NT_SUCCESS(IrqlFastMutexInit(&FastValue.Lock)) ||
        !NT_SUCCESS(IrqlGuardedMutexInit(&GuardedValue.Lock)) ||
        !NT_SUCCESS(IrqlSpinLockInit(&SpinValue.Lock)) ||
        !NT_SUCCESS(IrqlResourceInit(&ResourceValue.Lock)) ||
        !NT_SUCCESS(IrqlPushLockInit(&PushValue.Lock))) {
        fprintf(stderr, "lock_pairs: initialisation failed\n");
        exit(1);
    }
}

int main(int argc, char **argv)
{
    return BenchMain(argc, argv, Operations, ARRAYSIZE(Operations), Setup);
}
