/* KGUARDED_MUTEX, modelled on Windows 8+ (a fast mutex: the holder runs at APC_LEVEL). */
#include "lock_helpers.h"

#include <string.h>

#define DV DRIVER_VERIFIER_DETECTED_VIOLATION

Test(guardedmutex, acquire_runs_the_holder_at_apc_level)
{
    KGUARDED_MUTEX M;
    KeInitializeGuardedMutex(&M);
    KeAcquireGuardedMutex(&M);
    cr_assert_eq(KeGetCurrentIrql(), APC_LEVEL);
    cr_assert(KeAreAllApcsDisabled(), "all APCs are off inside the guarded scope");
    KeReleaseGuardedMutex(&M);
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL);
    cr_assert_not(KeAreAllApcsDisabled());
}

Test(guardedmutex, try_to_acquire)
{
    KGUARDED_MUTEX M;
    KeInitializeGuardedMutex(&M);
    cr_assert(KeTryToAcquireGuardedMutex(&M));
    cr_assert_eq(KeGetCurrentIrql(), APC_LEVEL);
    cr_assert_not(KeTryToAcquireGuardedMutex(&M), "the owner's try fails instead of hanging");
    KeReleaseGuardedMutex(&M);
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

Test(guardedmutex, unsafe_form_in_a_guarded_region_and_at_apc_level)
{
    KGUARDED_MUTEX M;
    KIRQL Old;
    KeInitializeGuardedMutex(&M);
    KeEnterGuardedRegion();
    KeAcquireGuardedMutexUnsafe(&M);
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL, "the unsafe form does not raise");
    KeReleaseGuardedMutexUnsafe(&M);
    KeLeaveGuardedRegion();
    KeRaiseIrql(APC_LEVEL, &Old);
    KeAcquireGuardedMutexUnsafe(&M);
    KeReleaseGuardedMutexUnsafe(&M);
    KeLowerIrql(Old);
}

typedef struct _COUNTER {
    KGUARDED_MUTEX Mutex;
    ULONG Value;
} COUNTER;

static void *Increments(void *Context)
{
    COUNTER *C = (COUNTER *)Context;
    for (int i = 0; i < LOCK_TEST_ITERATIONS; i++) {
        if (i % 4 == 3) {
            KeEnterGuardedRegion();
            KeAcquireGuardedMutexUnsafe(&C->Mutex);
            C->Value++;
            KeReleaseGuardedMutexUnsafe(&C->Mutex);
            KeLeaveGuardedRegion();
        } else if (i % 4 == 2) {
            while (!KeTryToAcquireGuardedMutex(&C->Mutex)) {
            }
            C->Value++;
            KeReleaseGuardedMutex(&C->Mutex);
        } else {
            KeAcquireGuardedMutex(&C->Mutex);
            C->Value++;
            KeReleaseGuardedMutex(&C->Mutex);
        }
    }
    return NULL;
}

Test(guardedmutex, excludes_other_threads)
{
    COUNTER C;
    KeInitializeGuardedMutex(&C.Mutex);
    C.Value = 0;
    RunThreads(LOCK_TEST_THREADS, Increments, &C);
    cr_assert_eq(C.Value, LOCK_TEST_THREADS * LOCK_TEST_ITERATIONS);
}

static void Hold(void *M) { KeAcquireGuardedMutex((PKGUARDED_MUTEX)M); }
static void Release(void *M) { KeReleaseGuardedMutex((PKGUARDED_MUTEX)M); }

Test(guardedmutex, try_fails_while_another_thread_owns_it)
{
    KGUARDED_MUTEX M;
    HOLDER Holder;
    KeInitializeGuardedMutex(&M);
    StartHolder(&Holder, Hold, Release, &M);
    cr_assert_not(KeTryToAcquireGuardedMutex(&M));
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL);
    StopHolder(&Holder);
}

/* ---- Misuse ----------------------------------------------------------------------------- */

static KGUARDED_MUTEX Mutex;

static void AboveApc(PVOID Context)
{
    KIRQL Old;
    KeInitializeGuardedMutex(&Mutex);
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    switch ((int)(ULONG_PTR)Context) {
    case 0: KeAcquireGuardedMutex(&Mutex); break;
    case 1: (void)KeTryToAcquireGuardedMutex(&Mutex); break;
    case 2: KeAcquireGuardedMutexUnsafe(&Mutex); break;
    case 3: KeReleaseGuardedMutex(&Mutex); break;
    default: KeReleaseGuardedMutexUnsafe(&Mutex); break;
    }
}

Test(guardedmutex, every_routine_above_apc_bugchecks_c4_2000f)
{
    for (int Routine = 0; Routine < 5; Routine++) {
        IRQL_HOST_BUGCHECK R =
            ExpectBugCheck(AboveApc, (PVOID)(ULONG_PTR)Routine, DV, 0x2000F);
        cr_assert(strstr((const char *)R.Parameter[1], "IrqlKeApcLte1") != NULL,
                  "P2 points to the rule's text");
        cr_assert_eq(R.Parameter[2], (ULONG_PTR)&Mutex, "P3 is the mutex");
    }
}

static void Recursive(PVOID Context)
{
    (void)Context;
    KeInitializeGuardedMutex(&Mutex);
    KeAcquireGuardedMutex(&Mutex);
    KeAcquireGuardedMutex(&Mutex);
}

Test(guardedmutex, recursive_acquire_bugchecks_c4_1000_instead_of_hanging)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(Recursive, NULL, DV, 0x1000);
    cr_assert_eq(R.Parameter[1], (ULONG_PTR)&Mutex);
}

static void RecursiveUnsafe(PVOID Context)
{
    (void)Context;
    KeInitializeGuardedMutex(&Mutex);
    KeEnterGuardedRegion();
    KeAcquireGuardedMutexUnsafe(&Mutex);
    KeAcquireGuardedMutexUnsafe(&Mutex);
}

Test(guardedmutex, recursive_unsafe_acquire_bugchecks_c4_1000)
{
    ExpectBugCheck(RecursiveUnsafe, NULL, DV, 0x1000);
}

static void UnsafeOutsideGuardedRegion(PVOID Context)
{
    KeInitializeGuardedMutex(&Mutex);
    /* A critical region is not enough: the page asks for APC_LEVEL or a guarded region. */
    KeEnterCriticalRegion();
    if (Context == NULL) {
        KeAcquireGuardedMutexUnsafe(&Mutex);
    } else {
        KeEnterGuardedRegion();
        KeAcquireGuardedMutexUnsafe(&Mutex);
        KeLeaveGuardedRegion();
        KeReleaseGuardedMutexUnsafe(&Mutex);
    }
}

Test(guardedmutex, unsafe_acquire_outside_a_guarded_region_bugchecks_c4_39)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(UnsafeOutsideGuardedRegion, NULL, DV, 0x39);
    cr_assert_eq(R.Parameter[1], PASSIVE_LEVEL);
    cr_assert_eq(R.Parameter[3], (ULONG_PTR)&Mutex);
}

Test(guardedmutex, unsafe_release_outside_a_guarded_region_bugchecks_c4_3a)
{
    ExpectBugCheck(UnsafeOutsideGuardedRegion, (PVOID)1, DV, 0x3A);
}

static void ReleaseBelowApc(PVOID Context)
{
    (void)Context;
    KeInitializeGuardedMutex(&Mutex);
    KeAcquireGuardedMutex(&Mutex);
    KeLowerIrql(PASSIVE_LEVEL);
    KeReleaseGuardedMutex(&Mutex);
}

Test(guardedmutex, release_after_lowering_the_irql_bugchecks_c4_34)
{
    ExpectBugCheck(ReleaseBelowApc, NULL, DV, 0x34);
}

static void MixedForms(PVOID Context)
{
    (void)Context;
    KeInitializeGuardedMutex(&Mutex);
    KeAcquireGuardedMutex(&Mutex);
    KeReleaseGuardedMutexUnsafe(&Mutex);
}

Test(guardedmutex, safe_acquire_unsafe_release_bugchecks_c4_1009)
{
    ExpectBugCheck(MixedForms, NULL, DV, 0x1009);
}

static void GuardedReleasedAsFast(PVOID Context)
{
    (void)Context;
    KeInitializeGuardedMutex(&Mutex);
    KeAcquireGuardedMutex(&Mutex);
    ExReleaseFastMutex(&Mutex);
}

Test(guardedmutex, released_with_a_fast_mutex_routine_bugchecks_c4_1009)
{
    ExpectBugCheck(GuardedReleasedAsFast, NULL, DV, 0x1009);
}

static void ReleaseFree(PVOID Context)
{
    KIRQL Old;
    (void)Context;
    KeInitializeGuardedMutex(&Mutex);
    KeRaiseIrql(APC_LEVEL, &Old);
    KeReleaseGuardedMutex(&Mutex);
}

Test(guardedmutex, release_of_a_free_mutex_bugchecks_c4_1007)
{
    ExpectBugCheck(ReleaseFree, NULL, DV, 0x1007);
}

static void ReleaseOthers(PVOID Context)
{
    KIRQL Old;
    KeRaiseIrql(APC_LEVEL, &Old);
    KeReleaseGuardedMutex((PKGUARDED_MUTEX)Context);
}

Test(guardedmutex, release_by_a_non_owner_bugchecks_c4_1004)
{
    KGUARDED_MUTEX M;
    HOLDER Holder;
    KeInitializeGuardedMutex(&M);
    StartHolder(&Holder, Hold, Release, &M);
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(ReleaseOthers, &M, DV, 0x1004);
    cr_assert_eq(R.Parameter[1], (ULONG_PTR)&M);
    StopHolder(&Holder);
}

static void Uninitialized(PVOID Context)
{
    (void)Context;
    memset(&Mutex, 0, sizeof(Mutex));
    KeAcquireGuardedMutex(&Mutex);
}

Test(guardedmutex, use_before_initialisation_bugchecks_c4_1002)
{
    ExpectBugCheck(Uninitialized, NULL, DV, 0x1002);
}

static void AcquireOwned(PVOID Context)
{
    KeAcquireGuardedMutex((PKGUARDED_MUTEX)Context);
}

Test(guardedmutex, waiting_is_bounded_by_the_hang_limit)
{
    KGUARDED_MUTEX M;
    HOLDER Holder;
    KeInitializeGuardedMutex(&M);
    StartHolder(&Holder, Hold, Release, &M);
    IrqlHostSetHangLimit(200);
    ExpectBugCheck(AcquireOwned, &M, IRQL_HOST_BUGCHECK_HANG, (ULONG_PTR)&M);
    IrqlHostSetHangLimit(0);
    StopHolder(&Holder);
}
