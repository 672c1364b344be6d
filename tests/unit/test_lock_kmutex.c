/* IRQL_KMUTEX: the common lock suite, and what is particular to a KMUTEX (recursion, TryLock
   at DISPATCH_LEVEL, the IRQL class of a release, abandonment). */
#include "lock_test.h"

#define SUITE kmutex
#define SUITE_LOCK IRQL_KMUTEX
#define SUITE_ACQUIRE_MAX APC_LEVEL
#define SUITE_TRY_MAX DISPATCH_LEVEL
#define SUITE_TEARDOWN_MAX DISPATCH_LEVEL
#define SUITE_HELD_IRQL(Before) (Before)
#define SUITE_WRONG_UNLOCK DISPATCH_LEVEL
#define SUITE_RECURSIVE 1
#define SUITE_GUARDED 0

static NTSTATUS SuiteInit(PIRQL_KMUTEX Lock)
{
    return IrqlKMutexInit(Lock);
}
static NTSTATUS SuiteLock(PIRQL_KMUTEX Lock, PLOCK_GUARD Guard)
{
    UNREFERENCED_PARAMETER(Guard);
    return IrqlKMutexLock(Lock);
}
static NTSTATUS SuiteTryLock(PIRQL_KMUTEX Lock, PLOCK_GUARD Guard)
{
    UNREFERENCED_PARAMETER(Guard);
    return IrqlKMutexTryLock(Lock);
}
static NTSTATUS SuiteUnlock(PIRQL_KMUTEX Lock, PLOCK_GUARD Guard)
{
    UNREFERENCED_PARAMETER(Guard);
    return IrqlKMutexUnlock(Lock);
}
static NTSTATUS SuiteDelete(PIRQL_KMUTEX Lock)
{
    return IrqlKMutexDelete(Lock);
}

#include "lock_suite.h"

Test(kmutex, recursion_is_counted_and_each_level_released)
{
    static IRQL_KMUTEX Mutex;
    LOCK_HOLDER Holder;
    cr_assert_eq(IrqlKMutexInit(&Mutex), STATUS_SUCCESS);
    for (int i = 0; i < 5; i++) {
        cr_assert_eq(IrqlKMutexLock(&Mutex), STATUS_SUCCESS);
    }
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(IrqlKMutexUnlock(&Mutex), STATUS_SUCCESS);
    }
    cr_assert(KeAreApcsDisabled(), "normal kernel APCs stay off while it is held");
    cr_assert_eq(IrqlKMutexDelete(&Mutex), STATUS_IRQL_LOCK_HELD);
    cr_assert_eq(IrqlKMutexUnlock(&Mutex), STATUS_SUCCESS);
    cr_assert_eq(IrqlKMutexUnlock(&Mutex), STATUS_IRQL_LOCK_NOT_OWNER, "one release too many");
    AssertThreadClean();
    /* Another thread can take it now. */
    StartLockHolder(&Holder, &Mutex, HolderAcquire, HolderRelease);
    StopLockHolder(&Holder);
    AssertFree(&Mutex);
}

Test(kmutex, trylock_at_dispatch_level_and_its_release_there)
{
    static IRQL_KMUTEX Mutex;
    KIRQL Old;
    cr_assert_eq(IrqlKMutexInit(&Mutex), STATUS_SUCCESS);
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    cr_assert_eq(IrqlKMutexTryLock(&Mutex), STATUS_SUCCESS);
    cr_assert_eq(IrqlKMutexTryLock(&Mutex), STATUS_SUCCESS, "recursive at DISPATCH_LEVEL too");
    cr_assert_eq(IrqlKMutexUnlock(&Mutex), STATUS_SUCCESS);
    KeLowerIrql(Old);
    /* Taken at DISPATCH_LEVEL: the kernel only lets it go at DISPATCH_LEVEL. */
    cr_assert_eq(IrqlKMutexUnlock(&Mutex), STATUS_IRQL_LOCK_WRONG_IRQL);
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    cr_assert_eq(IrqlKMutexUnlock(&Mutex), STATUS_SUCCESS);
    KeLowerIrql(Old);
    AssertThreadClean();
    AssertFree(&Mutex);
}

Test(kmutex, trylock_at_dispatch_level_finds_it_busy)
{
    static IRQL_KMUTEX Mutex;
    LOCK_HOLDER Holder;
    KIRQL Old;
    cr_assert_eq(IrqlKMutexInit(&Mutex), STATUS_SUCCESS);
    StartLockHolder(&Holder, &Mutex, HolderAcquire, HolderRelease);
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    cr_assert_eq(IrqlKMutexTryLock(&Mutex), STATUS_IRQL_LOCK_BUSY, "never waits at DISPATCH");
    KeLowerIrql(Old);
    StopLockHolder(&Holder);
    AssertFree(&Mutex);
}

/* A thread that ends holding the mutex abandons it: the next owner is told. */
static VOID TakeAndEnd(PVOID Context)
{
    (VOID)IrqlKMutexLock((PIRQL_KMUTEX)Context);
}

Test(kmutex, an_abandoned_mutex_is_reported_to_the_next_owner)
{
    static IRQL_KMUTEX Mutex;
    cr_assert_eq(IrqlKMutexInit(&Mutex), STATUS_SUCCESS);
    IrqlHostCatchSystemThreadBugChecks(TRUE); /* its exit bug-checks 0x4000008A: caught */
    RunSystemThreads(1, TakeAndEnd, &Mutex);
    NTSTATUS Status = IrqlKMutexLock(&Mutex);
    cr_assert_eq(Status, STATUS_ABANDONED, "0x%08X", (unsigned)Status);
    cr_assert(NT_SUCCESS(Status), "the caller owns it");
    cr_assert_eq(IrqlKMutexUnlock(&Mutex), STATUS_SUCCESS);
    AssertFree(&Mutex);
}
