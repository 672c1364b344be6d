/* IRQL_SPIN_LOCK: the common lock suite, and what is particular to a spin lock (the guard,
   TryLock that never spins, nesting). */
#include "lock_test.h"

#define SUITE spin_lock
#define SUITE_LOCK IRQL_SPIN_LOCK
#define SUITE_ACQUIRE_MAX DISPATCH_LEVEL
#define SUITE_TRY_MAX DISPATCH_LEVEL
#define SUITE_TEARDOWN_MAX DISPATCH_LEVEL
#define SUITE_HELD_IRQL(Before) DISPATCH_LEVEL
#define SUITE_WRONG_UNLOCK HIGH_LEVEL
#define SUITE_RECURSIVE 0
#define SUITE_GUARDED 1

static NTSTATUS SuiteInit(PIRQL_SPIN_LOCK Lock)
{
    return IrqlSpinLockInit(Lock);
}
static NTSTATUS SuiteLock(PIRQL_SPIN_LOCK Lock, PLOCK_GUARD Guard)
{
    return IrqlSpinLockLock(Lock, &Guard->Spin);
}
static NTSTATUS SuiteTryLock(PIRQL_SPIN_LOCK Lock, PLOCK_GUARD Guard)
{
    return IrqlSpinLockTryLock(Lock, &Guard->Spin);
}
static NTSTATUS SuiteUnlock(PIRQL_SPIN_LOCK Lock, PLOCK_GUARD Guard)
{
    return IrqlSpinLockUnlock(Lock, &Guard->Spin);
}
static NTSTATUS SuiteDelete(PIRQL_SPIN_LOCK Lock)
{
    return IrqlSpinLockDelete(Lock);
}

#include "lock_suite.h"

Test(spin_lock, unlock_needs_the_guard_that_acquired)
{
    static IRQL_SPIN_LOCK Lock;
    IRQL_SPIN_LOCK_GUARD Guard, Other, Copy;
    memset(&Other, 0, sizeof(Other));
    cr_assert_eq(IrqlSpinLockInit(&Lock), STATUS_SUCCESS);
    cr_assert_eq(IrqlSpinLockLock(&Lock, &Guard), STATUS_SUCCESS);
    cr_assert_eq(IrqlSpinLockUnlock(&Lock, &Other), STATUS_IRQL_LOCK_NOT_OWNER, "a fresh guard");
    Copy = Guard;
    cr_assert_eq(IrqlSpinLockUnlock(&Lock, &Copy), STATUS_IRQL_LOCK_NOT_OWNER, "a copy");
    cr_assert_eq(KeGetCurrentIrql(), DISPATCH_LEVEL, "still held");
    cr_assert_eq(IrqlSpinLockUnlock(&Lock, &Guard), STATUS_SUCCESS);
    cr_assert_eq(IrqlSpinLockUnlock(&Lock, &Guard), STATUS_IRQL_LOCK_NOT_OWNER,
                 "a guard releases once");
    AssertThreadClean();
    AssertFree(&Lock);
}

/* TryLock raises the IRQL itself: its release, with its own guard only, returns to the IRQL
   TryLock was called at. */
Test(spin_lock, a_trylock_guard_releases_once_to_the_callers_irql)
{
    static IRQL_SPIN_LOCK Lock;
    IRQL_SPIN_LOCK_GUARD Guard, Copy;
    cr_assert_eq(IrqlSpinLockInit(&Lock), STATUS_SUCCESS);
    cr_assert_eq(IrqlSpinLockTryLock(&Lock, &Guard), STATUS_SUCCESS);
    Copy = Guard;
    cr_assert_eq(IrqlSpinLockUnlock(&Lock, &Copy), STATUS_IRQL_LOCK_NOT_OWNER, "a copy");
    cr_assert_eq(KeGetCurrentIrql(), DISPATCH_LEVEL, "still held");
    cr_assert_eq(IrqlSpinLockUnlock(&Lock, &Guard), STATUS_SUCCESS);
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL, "back at the caller's IRQL");
    cr_assert_eq(IrqlSpinLockUnlock(&Lock, &Guard), STATUS_IRQL_LOCK_NOT_OWNER);
    cr_assert_eq(IrqlSpinLockLock(&Lock, &Guard), STATUS_SUCCESS, "the same guard, by Lock");
    cr_assert_eq(IrqlSpinLockUnlock(&Lock, &Guard), STATUS_SUCCESS);
    AssertThreadClean();
    AssertFree(&Lock);
}

Test(spin_lock, two_locks_nest_and_restore_each_irql)
{
    static IRQL_SPIN_LOCK A, B;
    IRQL_SPIN_LOCK_GUARD GuardA, GuardB;
    cr_assert_eq(IrqlSpinLockInit(&A), STATUS_SUCCESS);
    cr_assert_eq(IrqlSpinLockInit(&B), STATUS_SUCCESS);
    cr_assert_eq(IrqlSpinLockLock(&A, &GuardA), STATUS_SUCCESS);
    cr_assert_eq(IrqlSpinLockTryLock(&B, &GuardB), STATUS_SUCCESS);
    cr_assert_eq(IrqlSpinLockUnlock(&B, &GuardB), STATUS_SUCCESS);
    cr_assert_eq(KeGetCurrentIrql(), DISPATCH_LEVEL);
    cr_assert_eq(IrqlSpinLockUnlock(&A, &GuardA), STATUS_SUCCESS);
    AssertThreadClean();
}

/* A thread that keeps trying while another takes and drops the lock in a loop: every try
   returns at once, busy or acquired. */
typedef struct _FLIPPER {
    PIRQL_SPIN_LOCK Lock;
    volatile LONG Stop;
    volatile LONG Flips;
} FLIPPER;

static VOID Flip(PVOID Context)
{
    FLIPPER *F = (FLIPPER *)Context;
    while (!ReadNoFence(&F->Stop)) {
        IRQL_SPIN_LOCK_GUARD Guard;
        if (NT_SUCCESS(IrqlSpinLockLock(F->Lock, &Guard))) {
            InterlockedIncrement(&F->Flips);
            (VOID)IrqlSpinLockUnlock(F->Lock, &Guard);
        }
    }
}

static VOID Tryer(PVOID Context)
{
    FLIPPER *F = (FLIPPER *)Context;
    for (int i = 0; i < 20000; i++) {
        IRQL_SPIN_LOCK_GUARD Guard;
        NTSTATUS Status = IrqlSpinLockTryLock(F->Lock, &Guard);
        if (Status == STATUS_SUCCESS) {
            (VOID)IrqlSpinLockUnlock(F->Lock, &Guard);
        } else if (Status != STATUS_IRQL_LOCK_BUSY || KeGetCurrentIrql() != PASSIVE_LEVEL) {
            InterlockedIncrement(&F->Stop); /* tells the test */
            InterlockedIncrement(&F->Stop);
            return;
        }
    }
    InterlockedIncrement(&F->Stop);
}

Test(spin_lock, trylock_races_a_locker_without_errors, .timeout = 240)
{
    static IRQL_SPIN_LOCK Lock;
    static FLIPPER F;
    PVOID Contexts[2] = {&F, &F};
    F.Lock = &Lock;
    cr_assert_eq(IrqlSpinLockInit(&Lock), STATUS_SUCCESS);
    /* Two threads: Flip until Tryer is done. */
    PVOID Thread = StartThread(Flip, &F);
    RunSystemThreadsEach(1, Tryer, Contexts, NULL);
    JoinThread(Thread);
    cr_assert_eq(F.Stop, 1, "every try was a success or STATUS_IRQL_LOCK_BUSY at PASSIVE_LEVEL");
    AssertFree(&Lock);
}
