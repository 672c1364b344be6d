/* FAST_MUTEX: the safe form (raises to APC_LEVEL, old IRQL in the mutex), the unsafe form,
   try-acquire, mutual exclusion, and every documented misuse. */
#include "lock_helpers.h"

#include <string.h>

#define DV DRIVER_VERIFIER_DETECTED_VIOLATION

Test(fastmutex, has_the_wdk_size)
{
    cr_assert_eq(sizeof(FAST_MUTEX), sizeof(void *) == 8 ? 56 : sizeof(FAST_MUTEX));
    cr_assert_eq(sizeof(KGUARDED_MUTEX), sizeof(FAST_MUTEX));
}

Test(fastmutex, acquire_raises_to_apc_and_saves_the_old_irql_in_the_mutex)
{
    FAST_MUTEX M;
    ExInitializeFastMutex(&M);
    cr_assert_eq(M.Count, FM_LOCK_BIT, "a free mutex has the lock bit set");
    ExAcquireFastMutex(&M);
    cr_assert_eq(KeGetCurrentIrql(), APC_LEVEL);
    cr_assert_eq(M.OldIrql, PASSIVE_LEVEL);
    cr_assert(KeAreAllApcsDisabled());
    ExReleaseFastMutex(&M);
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL);
    cr_assert_eq(M.Count, FM_LOCK_BIT);
}

Test(fastmutex, acquire_at_apc_level_returns_to_apc_level)
{
    FAST_MUTEX M;
    KIRQL Old;
    ExInitializeFastMutex(&M);
    KeRaiseIrql(APC_LEVEL, &Old);
    ExAcquireFastMutex(&M);
    cr_assert_eq(M.OldIrql, APC_LEVEL);
    ExReleaseFastMutex(&M);
    cr_assert_eq(KeGetCurrentIrql(), APC_LEVEL);
    KeLowerIrql(Old);
}

Test(fastmutex, initialize_at_dispatch_is_allowed)
{
    FAST_MUTEX M;
    KIRQL Old = KeRaiseIrqlToDpcLevel();
    ExInitializeFastMutex(&M);
    KeLowerIrql(Old);
}

Test(fastmutex, try_to_acquire)
{
    FAST_MUTEX M;
    ExInitializeFastMutex(&M);
    cr_assert(ExTryToAcquireFastMutex(&M));
    cr_assert_eq(KeGetCurrentIrql(), APC_LEVEL);
    cr_assert_not(ExTryToAcquireFastMutex(&M), "the owner's try fails instead of deadlocking");
    cr_assert_eq(KeGetCurrentIrql(), APC_LEVEL);
    ExReleaseFastMutex(&M);
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

Test(fastmutex, unsafe_form_inside_a_critical_region_keeps_the_irql)
{
    FAST_MUTEX M;
    ExInitializeFastMutex(&M);
    KeEnterCriticalRegion();
    ExAcquireFastMutexUnsafe(&M);
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL);
    ExReleaseFastMutexUnsafe(&M);
    KeLeaveCriticalRegion();
}

Test(fastmutex, unsafe_form_at_apc_level_and_in_a_guarded_region)
{
    FAST_MUTEX M;
    KIRQL Old;
    ExInitializeFastMutex(&M);
    KeRaiseIrql(APC_LEVEL, &Old);
    ExAcquireFastMutexUnsafe(&M);
    ExReleaseFastMutexUnsafe(&M);
    KeLowerIrql(Old);
    KeEnterGuardedRegion();
    ExAcquireFastMutexUnsafe(&M);
    ExReleaseFastMutexUnsafe(&M);
    KeLeaveGuardedRegion();
}

/* ---- Mutual exclusion ------------------------------------------------------------------- */

typedef struct _COUNTER {
    FAST_MUTEX Mutex;
    ULONG Value;
} COUNTER;

static void *SafeIncrements(void *Context)
{
    COUNTER *C = (COUNTER *)Context;
    for (int i = 0; i < LOCK_TEST_ITERATIONS; i++) {
        ExAcquireFastMutex(&C->Mutex);
        C->Value++;
        ExReleaseFastMutex(&C->Mutex);
    }
    return NULL;
}

Test(fastmutex, excludes_other_threads)
{
    COUNTER C;
    ExInitializeFastMutex(&C.Mutex);
    C.Value = 0;
    RunThreads(LOCK_TEST_THREADS, SafeIncrements, &C);
    cr_assert_eq(C.Value, LOCK_TEST_THREADS * LOCK_TEST_ITERATIONS);
}

static void *MixedIncrements(void *Context)
{
    COUNTER *C = (COUNTER *)Context;
    for (int i = 0; i < LOCK_TEST_ITERATIONS; i++) {
        switch (i % 3) {
        case 0:
            ExAcquireFastMutex(&C->Mutex);
            C->Value++;
            ExReleaseFastMutex(&C->Mutex);
            break;
        case 1:
            while (!ExTryToAcquireFastMutex(&C->Mutex)) {
            }
            C->Value++;
            ExReleaseFastMutex(&C->Mutex);
            break;
        default:
            KeEnterCriticalRegion();
            ExAcquireFastMutexUnsafe(&C->Mutex);
            C->Value++;
            ExReleaseFastMutexUnsafe(&C->Mutex);
            KeLeaveCriticalRegion();
            break;
        }
    }
    return NULL;
}

Test(fastmutex, safe_try_and_unsafe_acquisitions_exclude_each_other)
{
    COUNTER C;
    ExInitializeFastMutex(&C.Mutex);
    C.Value = 0;
    RunThreads(LOCK_TEST_THREADS, MixedIncrements, &C);
    cr_assert_eq(C.Value, LOCK_TEST_THREADS * LOCK_TEST_ITERATIONS);
}

static void HoldSafe(void *M) { ExAcquireFastMutex((PFAST_MUTEX)M); }
static void ReleaseSafe(void *M) { ExReleaseFastMutex((PFAST_MUTEX)M); }

Test(fastmutex, try_fails_while_another_thread_owns_it)
{
    FAST_MUTEX M;
    HOLDER Holder;
    ExInitializeFastMutex(&M);
    StartHolder(&Holder, HoldSafe, ReleaseSafe, &M);
    cr_assert_not(ExTryToAcquireFastMutex(&M));
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL, "a failed try leaves the IRQL alone");
    StopHolder(&Holder);
    cr_assert(ExTryToAcquireFastMutex(&M));
    ExReleaseFastMutex(&M);
}

typedef struct _WAITER {
    PFAST_MUTEX Mutex;
    volatile int Acquired;
} WAITER;

static void *WaitForMutex(void *Context)
{
    WAITER *W = (WAITER *)Context;
    ExAcquireFastMutex(W->Mutex);
    SetFlag(&W->Acquired);
    ExReleaseFastMutex(W->Mutex);
    return NULL;
}

Test(fastmutex, a_waiter_gets_the_mutex_when_the_owner_releases)
{
    FAST_MUTEX M;
    WAITER W = {&M, 0};
    pthread_t T;
    ExInitializeFastMutex(&M);
    ExAcquireFastMutex(&M);
    cr_assert_eq(pthread_create(&T, NULL, WaitForMutex, &W), 0);
    SleepMs(20);
    cr_assert_not(FlagIsSet((void *)&W.Acquired), "the waiter waits while the mutex is owned");
    ExReleaseFastMutex(&M);
    cr_assert_eq(pthread_join(T, NULL), 0);
    cr_assert(FlagIsSet((void *)&W.Acquired));
    cr_assert_geq(M.Contention, 1, "the wait was counted");
}

/* ---- Misuse ----------------------------------------------------------------------------- */

static FAST_MUTEX Mutex;

static void AcquireAtDispatch(PVOID Context)
{
    KIRQL Old;
    ExInitializeFastMutex(&Mutex);
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    if (Context == NULL) {
        ExAcquireFastMutex(&Mutex);
    } else {
        (void)ExTryToAcquireFastMutex(&Mutex);
    }
}

Test(fastmutex, acquire_above_apc_bugchecks_c4_33)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(AcquireAtDispatch, NULL, DV, 0x33);
    cr_assert_eq(R.Parameter[1], DISPATCH_LEVEL, "P2 is the IRQL");
    cr_assert_eq(R.Parameter[2], (ULONG_PTR)&Mutex, "P3 is the mutex");
    cr_assert_eq(R.Parameter[3], 0);
}

Test(fastmutex, try_acquire_above_apc_bugchecks_c4_33)
{
    ExpectBugCheck(AcquireAtDispatch, (PVOID)1, DV, 0x33);
}

static void ReleaseAtPassive(PVOID Context)
{
    KIRQL Old;
    (void)Context;
    ExInitializeFastMutex(&Mutex);
    ExAcquireFastMutex(&Mutex);
    KeLowerIrql(PASSIVE_LEVEL);
    (void)Old;
    ExReleaseFastMutex(&Mutex);
}

Test(fastmutex, release_not_at_apc_bugchecks_c4_34)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(ReleaseAtPassive, NULL, DV, 0x34);
    cr_assert_eq(R.Parameter[1], PASSIVE_LEVEL);
    cr_assert_eq(R.Parameter[2], (ULONG_PTR)&Mutex);
}

static void UnsafeWithApcsEnabled(PVOID Context)
{
    ExInitializeFastMutex(&Mutex);
    if (Context == NULL) {
        ExAcquireFastMutexUnsafe(&Mutex);
    } else {
        KeEnterCriticalRegion();
        ExAcquireFastMutexUnsafe(&Mutex);
        KeLeaveCriticalRegion();
        ExReleaseFastMutexUnsafe(&Mutex);
    }
}

Test(fastmutex, unsafe_acquire_with_apcs_enabled_bugchecks_c4_39)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(UnsafeWithApcsEnabled, NULL, DV, 0x39);
    cr_assert_eq(R.Parameter[1], PASSIVE_LEVEL, "P2 is the IRQL");
    cr_assert_eq(R.Parameter[2], 0, "P3 is the APC-disable count");
    cr_assert_eq(R.Parameter[3], (ULONG_PTR)&Mutex, "P4 is the mutex");
}

Test(fastmutex, unsafe_release_with_apcs_enabled_bugchecks_c4_3a)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(UnsafeWithApcsEnabled, (PVOID)1, DV, 0x3A);
    cr_assert_eq(R.Parameter[3], (ULONG_PTR)&Mutex);
}

static void UnsafeAtDispatch(PVOID Context)
{
    KIRQL Old;
    (void)Context;
    ExInitializeFastMutex(&Mutex);
    KeEnterCriticalRegion();
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    ExAcquireFastMutexUnsafe(&Mutex);
}

Test(fastmutex, unsafe_acquire_above_apc_bugchecks_c4_39_even_in_a_region)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(UnsafeAtDispatch, NULL, DV, 0x39);
    cr_assert_eq(R.Parameter[1], DISPATCH_LEVEL);
    cr_assert_eq((LONG_PTR)R.Parameter[2], -1, "one critical region, as the KTHREAD counts it");
}

static void Recursive(PVOID Context)
{
    (void)Context;
    ExInitializeFastMutex(&Mutex);
    ExAcquireFastMutex(&Mutex);
    ExAcquireFastMutex(&Mutex);
}

Test(fastmutex, recursive_acquire_bugchecks_c4_1000_instead_of_hanging)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(Recursive, NULL, DV, 0x1000);
    cr_assert_eq(R.Parameter[1], (ULONG_PTR)&Mutex);
    cr_assert(strstr(R.Message, "ExAcquireFastMutex") != NULL, "%s", R.Message);
}

static void RecursiveUnsafe(PVOID Context)
{
    (void)Context;
    ExInitializeFastMutex(&Mutex);
    ExAcquireFastMutex(&Mutex);
    ExAcquireFastMutexUnsafe(&Mutex);
}

Test(fastmutex, recursive_unsafe_acquire_bugchecks_c4_1000)
{
    ExpectBugCheck(RecursiveUnsafe, NULL, DV, 0x1000);
}

static void SafeAcquireUnsafeRelease(PVOID Context)
{
    (void)Context;
    ExInitializeFastMutex(&Mutex);
    ExAcquireFastMutex(&Mutex);
    ExReleaseFastMutexUnsafe(&Mutex);
}

Test(fastmutex, safe_acquire_with_unsafe_release_bugchecks_c4_1009)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(SafeAcquireUnsafeRelease, NULL, DV, 0x1009);
    cr_assert_eq(R.Parameter[1], (ULONG_PTR)&Mutex);
    cr_assert(strstr(R.Message, "ExReleaseFastMutex") != NULL, "%s", R.Message);
}

static void UnsafeAcquireSafeRelease(PVOID Context)
{
    KIRQL Old;
    (void)Context;
    ExInitializeFastMutex(&Mutex);
    KeRaiseIrql(APC_LEVEL, &Old);
    ExAcquireFastMutexUnsafe(&Mutex);
    ExReleaseFastMutex(&Mutex);
}

Test(fastmutex, unsafe_acquire_with_safe_release_bugchecks_c4_1009)
{
    ExpectBugCheck(UnsafeAcquireSafeRelease, NULL, DV, 0x1009);
}

static void ReleaseUnowned(PVOID Context)
{
    KIRQL Old;
    (void)Context;
    ExInitializeFastMutex(&Mutex);
    KeRaiseIrql(APC_LEVEL, &Old);
    ExReleaseFastMutex(&Mutex);
}

Test(fastmutex, release_of_a_free_mutex_bugchecks_c4_1007)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(ReleaseUnowned, NULL, DV, 0x1007);
    cr_assert_eq(R.Parameter[1], (ULONG_PTR)&Mutex);
}

static void ReleaseOthers(PVOID Context)
{
    KIRQL Old;
    KeRaiseIrql(APC_LEVEL, &Old);
    ExReleaseFastMutex((PFAST_MUTEX)Context);
}

Test(fastmutex, release_by_a_non_owner_bugchecks_c4_1004)
{
    FAST_MUTEX M;
    HOLDER Holder;
    ExInitializeFastMutex(&M);
    StartHolder(&Holder, HoldSafe, ReleaseSafe, &M);
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(ReleaseOthers, &M, DV, 0x1004);
    cr_assert_eq(R.Parameter[1], (ULONG_PTR)&M);
    cr_assert_eq(R.Parameter[2], (ULONG_PTR)M.Owner, "P3 is the owner");
    cr_assert_neq(R.Parameter[3], R.Parameter[2]);
    StopHolder(&Holder);
}

static void Uninitialized(PVOID Context)
{
    (void)Context;
    memset(&Mutex, 0, sizeof(Mutex));
    ExAcquireFastMutex(&Mutex);
}

Test(fastmutex, use_before_initialisation_bugchecks_c4_1002)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(Uninitialized, NULL, DV, 0x1002);
    cr_assert_eq(R.Parameter[1], (ULONG_PTR)&Mutex);
}

static void FastAsGuarded(PVOID Context)
{
    (void)Context;
    ExInitializeFastMutex(&Mutex);
    KeAcquireGuardedMutex(&Mutex);
}

Test(fastmutex, fast_mutex_used_as_a_guarded_mutex_bugchecks_c4_1008)
{
    ExpectBugCheck(FastAsGuarded, NULL, DV, 0x1008);
}

static void InitAboveDispatch(PVOID Context)
{
    KIRQL Old;
    (void)Context;
    KeRaiseIrql(HIGH_LEVEL, &Old);
    ExInitializeFastMutex(&Mutex);
}

Test(fastmutex, initialise_above_dispatch_bugchecks_c4_e5)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(InitAboveDispatch, NULL, DV, 0xE5);
    cr_assert_eq(R.Parameter[1], HIGH_LEVEL);
}

static void AcquireOwned(PVOID Context)
{
    ExAcquireFastMutex((PFAST_MUTEX)Context);
}

Test(fastmutex, waiting_is_bounded_by_the_hang_limit)
{
    FAST_MUTEX M;
    HOLDER Holder;
    ExInitializeFastMutex(&M);
    StartHolder(&Holder, HoldSafe, ReleaseSafe, &M);
    IrqlHostSetHangLimit(200);
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(AcquireOwned, &M, IRQL_HOST_BUGCHECK_HANG, (ULONG_PTR)&M);
    IrqlHostSetHangLimit(0);
    cr_assert_geq(R.Parameter[1], 200);
    cr_assert_eq(R.Parameter[2], (ULONG_PTR)M.Owner, "P3 is the owner");
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL);
    StopHolder(&Holder);
}
