/*
 * Host-kernel hot paths, one noinline loop per operation, for callgrind instruction counts
 * (bench/host_ops.sh). Each loop performs the operation N times; the pthread and malloc loops
 * are the baselines measured in the same run.
 *
 *   host_ops <operation> <N>
 */
#include <wdm.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOOP(Name) __attribute__((noinline)) static void bench_##Name(long N)

LOOP(pthread_mutex)
{
    static pthread_mutex_t Mutex = PTHREAD_MUTEX_INITIALIZER;
    for (long i = 0; i < N; i++) {
        pthread_mutex_lock(&Mutex);
        pthread_mutex_unlock(&Mutex);
    }
}

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

static const struct {
    const char *Name;
    void (*Run)(long);
} Operations[] = {
#define OP(Name) {#Name, bench_##Name}
    OP(pthread_mutex), OP(raise_lower),   OP(fast_mutex), OP(guarded_mutex),
    OP(kmutex),        OP(spin_lock),     OP(queued_spin_lock), OP(resource),
    OP(push_lock),     OP(malloc_free),   OP(pool_nonpaged),    OP(pool_paged),
#undef OP
};

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < ARRAYSIZE(Operations); i++) {
            puts(Operations[i].Name);
        }
        return 0;
    }
    if (argc != 3) {
        fprintf(stderr, "usage: %s <operation> <iterations> | --list\n", argv[0]);
        return 2;
    }
    for (size_t i = 0; i < ARRAYSIZE(Operations); i++) {
        if (strcmp(argv[1], Operations[i].Name) == 0) {
            Operations[i].Run(atol(argv[2]));
            return 0;
        }
    }
    fprintf(stderr, "unknown operation %s\n", argv[1]);
    return 2;
}
