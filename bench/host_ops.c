/*
 * Host-kernel hot paths, one noinline loop per operation, for callgrind instruction counts
 * and wall clock (bench/host_ops.sh). Each loop performs the operation N times; the pthread
 * (bench.c) and malloc loops are the baselines measured in the same run.
 *
 *   host_ops <operation>|all <N> | wall <operation> <seconds> | --list     (bench.h)
 */
#include "bench.h"

#include <stdlib.h>

#define LOOP BENCH_LOOP

LOOP(raise_lower)
{
    for (long i = 0; i < N; i++) {
        KIRQL Old;
        KeRaiseIrql(DISPATCH_LEVEL, &Old);
        KeLowerIrql(Old);
    }
}

LOOP(fast_mutex)
{
    static FAST_MUTEX Mutex;
    ExInitializeFastMutex(&Mutex);
    for (long i = 0; i < N; i++) {
        ExAcquireFastMutex(&Mutex);
        ExReleaseFastMutex(&Mutex);
    }
}

LOOP(guarded_mutex)
{
    static KGUARDED_MUTEX Mutex;
    KeInitializeGuardedMutex(&Mutex);
    for (long i = 0; i < N; i++) {
        KeAcquireGuardedMutex(&Mutex);
        KeReleaseGuardedMutex(&Mutex);
    }
}

LOOP(kmutex)
{
    static KMUTEX Mutex;
    KeInitializeMutex(&Mutex, 0);
    for (long i = 0; i < N; i++) {
        KeWaitForSingleObject(&Mutex, Executive, KernelMode, FALSE, NULL);
        KeReleaseMutex(&Mutex, FALSE);
    }
}

LOOP(spin_lock)
{
    static KSPIN_LOCK Lock;
    KeInitializeSpinLock(&Lock);
    for (long i = 0; i < N; i++) {
        KIRQL Old;
        KeAcquireSpinLock(&Lock, &Old);
        KeReleaseSpinLock(&Lock, Old);
    }
}

LOOP(queued_spin_lock)
{
    static KSPIN_LOCK Lock;
    KeInitializeSpinLock(&Lock);
    for (long i = 0; i < N; i++) {
        KLOCK_QUEUE_HANDLE Handle;
        KeAcquireInStackQueuedSpinLock(&Lock, &Handle);
        KeReleaseInStackQueuedSpinLock(&Handle);
    }
}

LOOP(resource)
{
    static ERESOURCE Resource;
    ExInitializeResourceLite(&Resource);
    for (long i = 0; i < N; i++) {
        KeEnterCriticalRegion();
        ExAcquireResourceExclusiveLite(&Resource, TRUE);
        ExReleaseResourceLite(&Resource);
        KeLeaveCriticalRegion();
    }
    ExDeleteResourceLite(&Resource);
}

LOOP(push_lock)
{
    static EX_PUSH_LOCK Lock;
    ExInitializePushLock(&Lock);
    for (long i = 0; i < N; i++) {
        KeEnterCriticalRegion();
        ExAcquirePushLockExclusive(&Lock);
        ExReleasePushLockExclusive(&Lock);
        KeLeaveCriticalRegion();
    }
}

LOOP(malloc_free)
{
    for (long i = 0; i < N; i++) {
        void *volatile P = malloc(64);
        free(P);
    }
}

LOOP(pool_nonpaged)
{
    for (long i = 0; i < N; i++) {
        PVOID volatile P = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, 'hcnB');
        ExFreePoolWithTag(P, 'hcnB');
    }
}

LOOP(pool_paged)
{
    for (long i = 0; i < N; i++) {
        PVOID volatile P = ExAllocatePool2(POOL_FLAG_PAGED, 64, 'hcnB');
        ExFreePoolWithTag(P, 'hcnB');
    }
}

static const BENCH_OP Operations[] = {
    {"pthread_mutex", bench_pthread_mutex},
    BENCH_OP(raise_lower),      BENCH_OP(fast_mutex), BENCH_OP(guarded_mutex),
    BENCH_OP(kmutex),           BENCH_OP(spin_lock),  BENCH_OP(queued_spin_lock),
    BENCH_OP(resource),         BENCH_OP(push_lock),  BENCH_OP(malloc_free),
    BENCH_OP(pool_nonpaged),    BENCH_OP(pool_paged),
};

int main(int argc, char **argv)
{
    return BenchMain(argc, argv, Operations, ARRAYSIZE(Operations), NULL);
}
