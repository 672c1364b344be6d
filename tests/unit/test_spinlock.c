/* Executive spin locks: plain and in-stack queued, their IRQL rules, recursion, mixing,
   mutual exclusion under contention, and the bounded spin. */
#include "lock_helpers.h"

#include <string.h>

#define DV DRIVER_VERIFIER_DETECTED_VIOLATION

/* ---- Normal behaviour ------------------------------------------------------------------- */

Test(spinlock, zeroed_lock_is_free_and_acquire_raises_to_dispatch)
{
    KSPIN_LOCK Lock = 0;
    KIRQL Old;
    cr_assert(KeTestSpinLock(&Lock));
    KeAcquireSpinLock(&Lock, &Old);
    cr_assert_eq(Old, PASSIVE_LEVEL);
    cr_assert_eq(KeGetCurrentIrql(), DISPATCH_LEVEL);
    cr_assert_not(KeTestSpinLock(&Lock));
    KeReleaseSpinLock(&Lock, Old);
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL);
    cr_assert(KeTestSpinLock(&Lock));
}

Test(spinlock, initialize_and_raise_to_dpc_from_apc_level)
{
    KSPIN_LOCK Lock;
    KIRQL Apc, Old;
    memset(&Lock, 0xA5, sizeof(Lock));
    KeInitializeSpinLock(&Lock);
    cr_assert(KeTestSpinLock(&Lock));
    KeRaiseIrql(APC_LEVEL, &Apc);
    Old = KeAcquireSpinLockRaiseToDpc(&Lock);
    cr_assert_eq(Old, APC_LEVEL, "the pre-acquire IRQL is returned");
    KeReleaseSpinLock(&Lock, Old);
    cr_assert_eq(KeGetCurrentIrql(), APC_LEVEL);
    KeLowerIrql(Apc);
}

Test(spinlock, at_dpc_level_forms_keep_the_irql)
{
    KSPIN_LOCK Lock = 0;
    KIRQL Old = KeRaiseIrqlToDpcLevel();
    KeAcquireSpinLockAtDpcLevel(&Lock);
    cr_assert_eq(KeGetCurrentIrql(), DISPATCH_LEVEL);
    cr_assert_not(KeTestSpinLock(&Lock));
    KeReleaseSpinLockFromDpcLevel(&Lock);
    cr_assert(KeTestSpinLock(&Lock));
    cr_assert_eq(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(Old);
}

Test(spinlock, at_dpc_level_forms_are_allowed_above_dispatch)
{
    KSPIN_LOCK Lock = 0;
    KIRQL Old;
    KeRaiseIrql(HIGH_LEVEL, &Old);
    KeAcquireSpinLockAtDpcLevel(&Lock);
    KeReleaseSpinLockFromDpcLevel(&Lock);
    KeLowerIrql(Old);
}

Test(spinlock, try_to_acquire_at_dpc_level)
{
    KSPIN_LOCK Lock = 0;
    KIRQL Old = KeRaiseIrqlToDpcLevel();
    cr_assert(KeTryToAcquireSpinLockAtDpcLevel(&Lock));
    cr_assert_not(KeTryToAcquireSpinLockAtDpcLevel(&Lock), "a try by the owner fails, no hang");
    KeReleaseSpinLockFromDpcLevel(&Lock);
    KeLowerIrql(Old);
}

Test(spinlock, in_stack_queued_saves_the_old_irql_in_the_handle)
{
    KSPIN_LOCK Lock = 0;
    KLOCK_QUEUE_HANDLE Handle;
    KeAcquireInStackQueuedSpinLock(&Lock, &Handle);
    cr_assert_eq(KeGetCurrentIrql(), DISPATCH_LEVEL);
    cr_assert_eq(Handle.OldIrql, PASSIVE_LEVEL);
    cr_assert_eq(Handle.LockQueue.Lock, &Lock);
    cr_assert_not(KeTestSpinLock(&Lock));
    KeReleaseInStackQueuedSpinLock(&Handle);
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL);
    cr_assert(KeTestSpinLock(&Lock));
}

Test(spinlock, in_stack_queued_at_dpc_level_and_nesting)
{
    KSPIN_LOCK A = 0, B = 0;
    KLOCK_QUEUE_HANDLE Ha, Hb;
    KeAcquireInStackQueuedSpinLock(&A, &Ha);
    KeAcquireInStackQueuedSpinLockAtDpcLevel(&B, &Hb);
    cr_assert_eq(Hb.OldIrql, DISPATCH_LEVEL);
    KeReleaseInStackQueuedSpinLockFromDpcLevel(&Hb);
    KeReleaseInStackQueuedSpinLock(&Ha);
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

Test(spinlock, nested_plain_locks_released_in_reverse_order)
{
    KSPIN_LOCK A = 0, B = 0;
    KIRQL OldA, OldB;
    KeAcquireSpinLock(&A, &OldA);
    KeAcquireSpinLock(&B, &OldB);
    cr_assert_eq(OldB, DISPATCH_LEVEL);
    KeReleaseSpinLock(&B, OldB);
    KeReleaseSpinLock(&A, OldA);
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

/* ---- Mutual exclusion ------------------------------------------------------------------- */

typedef struct _COUNTER {
    KSPIN_LOCK Lock;
    ULONG Value; /* plain, non-atomic: only the lock protects it */
} COUNTER;

static void *PlainIncrements(void *Context)
{
    COUNTER *C = (COUNTER *)Context;
    for (int i = 0; i < LOCK_TEST_ITERATIONS; i++) {
        KIRQL Old;
        KeAcquireSpinLock(&C->Lock, &Old);
        C->Value++;
        KeReleaseSpinLock(&C->Lock, Old);
    }
    return NULL;
}

Test(spinlock, plain_lock_excludes_other_threads)
{
    COUNTER C = {0, 0};
    RunThreads(LOCK_TEST_THREADS, PlainIncrements, &C);
    cr_assert_eq(C.Value, LOCK_TEST_THREADS * LOCK_TEST_ITERATIONS);
}

static void *QueuedIncrements(void *Context)
{
    COUNTER *C = (COUNTER *)Context;
    for (int i = 0; i < LOCK_TEST_ITERATIONS; i++) {
        KLOCK_QUEUE_HANDLE Handle;
        KeAcquireInStackQueuedSpinLock(&C->Lock, &Handle);
        C->Value++;
        KeReleaseInStackQueuedSpinLock(&Handle);
    }
    return NULL;
}

Test(spinlock, queued_lock_excludes_other_threads)
{
    COUNTER C = {0, 0};
    RunThreads(LOCK_TEST_THREADS, QueuedIncrements, &C);
    cr_assert_eq(C.Value, LOCK_TEST_THREADS * LOCK_TEST_ITERATIONS);
}

static void *DpcIncrements(void *Context)
{
    COUNTER *C = (COUNTER *)Context;
    KIRQL Old = KeRaiseIrqlToDpcLevel();
    for (int i = 0; i < LOCK_TEST_ITERATIONS; i++) {
        if (i % 2 == 0) {
            KeAcquireSpinLockAtDpcLevel(&C->Lock);
        } else {
            while (!KeTryToAcquireSpinLockAtDpcLevel(&C->Lock)) {
            }
        }
        C->Value++;
        KeReleaseSpinLockFromDpcLevel(&C->Lock);
    }
    KeLowerIrql(Old);
    return NULL;
}

Test(spinlock, at_dpc_level_and_try_forms_exclude_other_threads)
{
    COUNTER C = {0, 0};
    RunThreads(LOCK_TEST_THREADS, DpcIncrements, &C);
    cr_assert_eq(C.Value, LOCK_TEST_THREADS * LOCK_TEST_ITERATIONS);
}

/* The holder thread stays at DISPATCH_LEVEL while it holds the lock; it started at PASSIVE. */
static void HoldPlain(void *Lock)
{
    KIRQL Old;
    KeAcquireSpinLock((PKSPIN_LOCK)Lock, &Old);
    (void)Old;
}

static void ReleasePlain(void *Lock)
{
    KeReleaseSpinLock((PKSPIN_LOCK)Lock, PASSIVE_LEVEL);
}

Test(spinlock, try_fails_while_another_thread_holds_the_lock)
{
    KSPIN_LOCK Lock = 0;
    HOLDER Holder;
    StartHolder(&Holder, HoldPlain, ReleasePlain, &Lock);
    cr_assert_not(KeTestSpinLock(&Lock));
    KIRQL Old = KeRaiseIrqlToDpcLevel();
    cr_assert_not(KeTryToAcquireSpinLockAtDpcLevel(&Lock));
    KeLowerIrql(Old);
    StopHolder(&Holder);
    cr_assert(KeTestSpinLock(&Lock));
}

/* ---- IRQL rules ------------------------------------------------------------------------- */

static KSPIN_LOCK Shared;

static void AcquireAboveDispatch(PVOID Context)
{
    KIRQL Old;
    (void)Context;
    KeRaiseIrql(HIGH_LEVEL, &Old);
    KeAcquireSpinLock(&Shared, &Old);
}

Test(spinlock, acquire_above_dispatch_bugchecks_c4_42)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(AcquireAboveDispatch, NULL, DV, 0x42);
    cr_assert_eq(R.Parameter[1], HIGH_LEVEL, "P2 is the IRQL");
    cr_assert_eq(R.Parameter[2], (ULONG_PTR)&Shared, "P3 is the lock");
}

static void DoubleRelease(PVOID Context)
{
    KIRQL Old;
    (void)Context;
    KeAcquireSpinLock(&Shared, &Old);
    KeReleaseSpinLock(&Shared, Old);
    KeReleaseSpinLock(&Shared, Old);
}

Test(spinlock, double_release_bugchecks_c4_32)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(DoubleRelease, NULL, DV, 0x32);
    cr_assert_eq(R.Parameter[1], PASSIVE_LEVEL);
    cr_assert_eq(R.Parameter[2], (ULONG_PTR)&Shared);
}

static void ReleaseWithWrongOldIrql(PVOID Context)
{
    KIRQL Old;
    (void)Context;
    KeAcquireSpinLock(&Shared, &Old);
    KeReleaseSpinLock(&Shared, APC_LEVEL);
}

Test(spinlock, release_with_other_than_the_saved_irql_bugchecks_c4_20015)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(ReleaseWithWrongOldIrql, NULL, DV, 0x20015);
    cr_assert(strstr((const char *)R.Parameter[1], "IrqlKeReleaseSpinLock") != NULL);
    cr_assert_eq(R.Parameter[2], (ULONG_PTR)&Shared);
}

static void AtDpcBelowDispatch(PVOID Context)
{
    switch ((int)(ULONG_PTR)Context) {
    case 0: KeAcquireSpinLockAtDpcLevel(&Shared); break;
    case 1: (void)KeTryToAcquireSpinLockAtDpcLevel(&Shared); break;
    case 2: {
        KLOCK_QUEUE_HANDLE Handle;
        KeAcquireInStackQueuedSpinLockAtDpcLevel(&Shared, &Handle);
        break;
    }
    }
}

Test(spinlock, at_dpc_level_acquires_below_dispatch_bugcheck_c4_40)
{
    for (int Form = 0; Form < 3; Form++) {
        IRQL_HOST_BUGCHECK R = ExpectBugCheck(AtDpcBelowDispatch, (PVOID)(ULONG_PTR)Form, DV, 0x40);
        cr_assert_eq(R.Parameter[1], PASSIVE_LEVEL);
        cr_assert_eq(R.Parameter[2], (ULONG_PTR)&Shared);
    }
}

static void FromDpcBelowDispatch(PVOID Context)
{
    KIRQL Old = KeRaiseIrqlToDpcLevel();
    if (Context == NULL) {
        KeAcquireSpinLockAtDpcLevel(&Shared);
        KeLowerIrql(Old);
        KeReleaseSpinLockFromDpcLevel(&Shared);
    } else {
        KLOCK_QUEUE_HANDLE Handle;
        KeAcquireInStackQueuedSpinLockAtDpcLevel(&Shared, &Handle);
        KeLowerIrql(Old);
        KeReleaseInStackQueuedSpinLockFromDpcLevel(&Handle);
    }
}

Test(spinlock, from_dpc_level_release_below_dispatch_bugchecks_c4_41)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(FromDpcBelowDispatch, NULL, DV, 0x41);
    cr_assert_eq(R.Parameter[1], PASSIVE_LEVEL);
    cr_assert_eq(R.Parameter[2], (ULONG_PTR)&Shared);
}

Test(spinlock, queued_from_dpc_level_release_below_dispatch_bugchecks_c4_41)
{
    ExpectBugCheck(FromDpcBelowDispatch, (PVOID)1, DV, 0x41);
}

static void QueuedDoubleRelease(PVOID Context)
{
    KLOCK_QUEUE_HANDLE Handle;
    (void)Context;
    KeAcquireInStackQueuedSpinLock(&Shared, &Handle);
    KeReleaseInStackQueuedSpinLock(&Handle);
    KeReleaseInStackQueuedSpinLock(&Handle);
}

Test(spinlock, queued_release_not_at_dispatch_bugchecks_c4_36)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(QueuedDoubleRelease, NULL, DV, 0x36);
    cr_assert_eq(R.Parameter[1], PASSIVE_LEVEL, "P2 is the IRQL");
    cr_assert_eq(R.Parameter[2], (ULONG_PTR)&Shared, "P3 the lock");
    cr_assert_eq(R.Parameter[3], PASSIVE_LEVEL, "P4 the old IRQL in the handle");
}

static void QueuedAboveDispatch(PVOID Context)
{
    KIRQL Old;
    KLOCK_QUEUE_HANDLE Handle;
    (void)Context;
    KeRaiseIrql(HIGH_LEVEL, &Old);
    KeAcquireInStackQueuedSpinLock(&Shared, &Handle);
}

Test(spinlock, queued_acquire_above_dispatch_bugchecks_c4_42)
{
    ExpectBugCheck(QueuedAboveDispatch, NULL, DV, 0x42);
}

/* ---- Deadlocks, mixing, ownership ------------------------------------------------------ */

static void RecursivePlain(PVOID Context)
{
    KIRQL Old, Again;
    (void)Context;
    KeAcquireSpinLock(&Shared, &Old);
    KeAcquireSpinLock(&Shared, &Again);
}

Test(spinlock, recursive_acquire_bugchecks_c4_1000_instead_of_spinning)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(RecursivePlain, NULL, DV, 0x1000);
    cr_assert_eq(R.Parameter[1], (ULONG_PTR)&Shared, "P2 is the lock");
    cr_assert(strstr(R.Message, "self-deadlock") != NULL, "%s", R.Message);
}

static void RecursiveQueued(PVOID Context)
{
    KLOCK_QUEUE_HANDLE A, B;
    (void)Context;
    KeAcquireInStackQueuedSpinLock(&Shared, &A);
    KeAcquireInStackQueuedSpinLockAtDpcLevel(&Shared, &B);
}

Test(spinlock, recursive_queued_acquire_bugchecks_c4_1000)
{
    ExpectBugCheck(RecursiveQueued, NULL, DV, 0x1000);
}

static void PlainThenQueued(PVOID Context)
{
    KIRQL Old;
    KLOCK_QUEUE_HANDLE Handle;
    (void)Context;
    KeAcquireSpinLock(&Shared, &Old);
    KeReleaseSpinLock(&Shared, Old);
    KeAcquireInStackQueuedSpinLock(&Shared, &Handle);
}

Test(spinlock, queued_acquire_of_a_plain_lock_bugchecks_c4_1008)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(PlainThenQueued, NULL, DV, 0x1008);
    cr_assert_eq(R.Parameter[1], (ULONG_PTR)&Shared);
}

static void QueuedThenPlain(PVOID Context)
{
    KIRQL Old;
    KLOCK_QUEUE_HANDLE Handle;
    (void)Context;
    KeAcquireInStackQueuedSpinLock(&Shared, &Handle);
    KeReleaseInStackQueuedSpinLock(&Handle);
    Old = KeRaiseIrqlToDpcLevel();
    if (!KeTryToAcquireSpinLockAtDpcLevel(&Shared)) {
        KeLowerIrql(Old);
    }
}

Test(spinlock, plain_acquire_of_a_queued_lock_bugchecks_c4_1008)
{
    ExpectBugCheck(QueuedThenPlain, NULL, DV, 0x1008);
}

Test(spinlock, reinitialising_forgets_the_form)
{
    KSPIN_LOCK Lock = 0;
    KIRQL Old;
    KLOCK_QUEUE_HANDLE Handle;
    KeAcquireSpinLock(&Lock, &Old);
    KeReleaseSpinLock(&Lock, Old);
    KeInitializeSpinLock(&Lock);
    KeAcquireInStackQueuedSpinLock(&Lock, &Handle);
    KeReleaseInStackQueuedSpinLock(&Handle);
}

static void RaiseAcquireFromDpcRelease(PVOID Context)
{
    KIRQL Old;
    (void)Context;
    KeAcquireSpinLock(&Shared, &Old);
    KeReleaseSpinLockFromDpcLevel(&Shared);
}

Test(spinlock, from_dpc_level_release_of_a_raising_acquire_bugchecks_c4_1009)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(RaiseAcquireFromDpcRelease, NULL, DV, 0x1009);
    cr_assert(strstr(R.Message, "KeReleaseSpinLock") != NULL, "%s", R.Message);
}

static void DpcAcquireRaiseRelease(PVOID Context)
{
    KIRQL Old = KeRaiseIrqlToDpcLevel();
    (void)Context;
    KeAcquireSpinLockAtDpcLevel(&Shared);
    KeReleaseSpinLock(&Shared, Old);
}

Test(spinlock, raising_release_of_an_at_dpc_acquire_bugchecks_c4_1009)
{
    ExpectBugCheck(DpcAcquireRaiseRelease, NULL, DV, 0x1009);
}

static void ReleaseFreeLock(PVOID Context)
{
    KIRQL Old = KeRaiseIrqlToDpcLevel();
    (void)Context;
    (void)Old;
    KeReleaseSpinLockFromDpcLevel(&Shared);
}

Test(spinlock, release_of_a_free_lock_bugchecks_c4_1007)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(ReleaseFreeLock, NULL, DV, 0x1007);
    cr_assert_eq(R.Parameter[1], (ULONG_PTR)&Shared);
}

static void ReleaseOthersLock(PVOID Context)
{
    KeReleaseSpinLock((PKSPIN_LOCK)Context, PASSIVE_LEVEL);
}

Test(spinlock, release_by_a_non_owner_bugchecks_c4_1004)
{
    KSPIN_LOCK Lock = 0;
    HOLDER Holder;
    KIRQL Old;
    StartHolder(&Holder, HoldPlain, ReleasePlain, &Lock);
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(ReleaseOthersLock, &Lock, DV, 0x1004);
    KeLowerIrql(Old);
    cr_assert_eq(R.Parameter[1], (ULONG_PTR)&Lock);
    cr_assert_neq(R.Parameter[2], 0, "P3 is the owner");
    cr_assert_neq(R.Parameter[2], R.Parameter[3], "P4, the current thread, is not the owner");
    StopHolder(&Holder);
}

static KSPIN_LOCK Second;

static void OutOfOrderRelease(PVOID Context)
{
    KIRQL OldA, OldB;
    (void)Context;
    KeAcquireSpinLock(&Shared, &OldA);
    KeAcquireSpinLock(&Second, &OldB);
    KeReleaseSpinLock(&Shared, OldA); /* back to PASSIVE while still holding Second */
}

Test(spinlock, release_to_passive_while_holding_a_later_lock_bugchecks_c4_1003)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(OutOfOrderRelease, NULL, DV, 0x1003);
    cr_assert_eq(R.Parameter[1], (ULONG_PTR)&Shared);
    cr_assert_eq(R.Parameter[2], (ULONG_PTR)&Second, "P3 is the lock to release first");
}

static void ReleaseWithAnotherHandle(PVOID Context)
{
    KLOCK_QUEUE_HANDLE Handle, Copy;
    (void)Context;
    KeAcquireInStackQueuedSpinLock(&Shared, &Handle);
    Copy = Handle;
    KeReleaseInStackQueuedSpinLock(&Copy);
}

Test(spinlock, queued_release_with_another_handle_bugchecks_c4_1009)
{
    ExpectBugCheck(ReleaseWithAnotherHandle, NULL, DV, 0x1009);
}

static void AcquireHeldLock(PVOID Context)
{
    KIRQL Old;
    KeAcquireSpinLock((PKSPIN_LOCK)Context, &Old);
}

Test(spinlock, spinning_is_bounded_by_the_hang_limit)
{
    KSPIN_LOCK Lock = 0;
    HOLDER Holder;
    StartHolder(&Holder, HoldPlain, ReleasePlain, &Lock);
    IrqlHostSetHangLimit(200);
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(AcquireHeldLock, &Lock, IRQL_HOST_BUGCHECK_HANG,
                                          (ULONG_PTR)&Lock);
    cr_assert_geq(R.Parameter[1], 200, "P2 is the time waited (ms)");
    cr_assert_neq(R.Parameter[2], 0, "P3 is the owner");
    IrqlHostSetHangLimit(0);
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL);
    StopHolder(&Holder);
}
