/* IRQL_GUARDED_MUTEX: the common lock suite, and what is particular to a guarded mutex. */
#include "lock_test.h"

#define SUITE guarded_mutex
#define SUITE_LOCK IRQL_GUARDED_MUTEX
#define SUITE_ACQUIRE_MAX APC_LEVEL
#define SUITE_TRY_MAX APC_LEVEL
#define SUITE_TEARDOWN_MAX DISPATCH_LEVEL
#define SUITE_HELD_IRQL(Before) APC_LEVEL
#define SUITE_WRONG_UNLOCK DISPATCH_LEVEL
#define SUITE_RECURSIVE 0
#define SUITE_GUARDED 0

static NTSTATUS SuiteInit(PIRQL_GUARDED_MUTEX Lock)
{
    return IrqlGuardedMutexInit(Lock);
}
static NTSTATUS SuiteLock(PIRQL_GUARDED_MUTEX Lock, PLOCK_GUARD Guard)
{
    UNREFERENCED_PARAMETER(Guard);
    return IrqlGuardedMutexLock(Lock);
}
static NTSTATUS SuiteTryLock(PIRQL_GUARDED_MUTEX Lock, PLOCK_GUARD Guard)
{
    UNREFERENCED_PARAMETER(Guard);
    return IrqlGuardedMutexTryLock(Lock);
}
static NTSTATUS SuiteUnlock(PIRQL_GUARDED_MUTEX Lock, PLOCK_GUARD Guard)
{
    UNREFERENCED_PARAMETER(Guard);
    return IrqlGuardedMutexUnlock(Lock);
}
static NTSTATUS SuiteDelete(PIRQL_GUARDED_MUTEX Lock)
{
    return IrqlGuardedMutexDelete(Lock);
}

#include "lock_suite.h"

Test(guarded_mutex, unlock_below_apc_level_is_refused)
{
    static IRQL_GUARDED_MUTEX Mutex;
    cr_assert_eq(IrqlGuardedMutexInit(&Mutex), STATUS_SUCCESS);
    cr_assert_eq(IrqlGuardedMutexLock(&Mutex), STATUS_SUCCESS);
    cr_assert_eq(KeGetCurrentIrql(), APC_LEVEL);
    KeLowerIrql(PASSIVE_LEVEL); /* the holder dropped the IRQL by hand */
    cr_assert_eq(IrqlGuardedMutexUnlock(&Mutex), STATUS_IRQL_LOCK_WRONG_IRQL);
    KIRQL Old;
    KeRaiseIrql(APC_LEVEL, &Old);
    cr_assert_eq(IrqlGuardedMutexUnlock(&Mutex), STATUS_SUCCESS);
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL, "back to the IRQL of the Lock");
    AssertFree(&Mutex);
}

Test(guarded_mutex, the_old_irql_is_restored_from_apc_level_too)
{
    static IRQL_GUARDED_MUTEX Mutex;
    KIRQL Old;
    cr_assert_eq(IrqlGuardedMutexInit(&Mutex), STATUS_SUCCESS);
    KeRaiseIrql(APC_LEVEL, &Old);
    cr_assert_eq(IrqlGuardedMutexTryLock(&Mutex), STATUS_SUCCESS);
    cr_assert_eq(IrqlGuardedMutexUnlock(&Mutex), STATUS_SUCCESS);
    cr_assert_eq(KeGetCurrentIrql(), APC_LEVEL);
    KeLowerIrql(Old);
}
