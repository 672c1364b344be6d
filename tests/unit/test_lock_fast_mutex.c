/* IRQL_FAST_MUTEX: the common lock suite, and what is particular to a fast mutex. */
#include "lock_test.h"

#define SUITE fast_mutex
#define SUITE_LOCK IRQL_FAST_MUTEX
#define SUITE_ACQUIRE_MAX APC_LEVEL
#define SUITE_TRY_MAX APC_LEVEL
#define SUITE_TEARDOWN_MAX DISPATCH_LEVEL
#define SUITE_HELD_IRQL(Before) APC_LEVEL
#define SUITE_WRONG_UNLOCK DISPATCH_LEVEL
#define SUITE_RECURSIVE 0
#define SUITE_GUARDED 0

static NTSTATUS SuiteInit(PIRQL_FAST_MUTEX Lock)
{
    return IrqlFastMutexInit(Lock);
}
static NTSTATUS SuiteLock(PIRQL_FAST_MUTEX Lock, PLOCK_GUARD Guard)
{
    UNREFERENCED_PARAMETER(Guard);
    return IrqlFastMutexLock(Lock);
}
static NTSTATUS SuiteTryLock(PIRQL_FAST_MUTEX Lock, PLOCK_GUARD Guard)
{
    UNREFERENCED_PARAMETER(Guard);
    return IrqlFastMutexTryLock(Lock);
}
static NTSTATUS SuiteUnlock(PIRQL_FAST_MUTEX Lock, PLOCK_GUARD Guard)
{
    UNREFERENCED_PARAMETER(Guard);
    return IrqlFastMutexUnlock(Lock);
}
static NTSTATUS SuiteDelete(PIRQL_FAST_MUTEX Lock)
{
    return IrqlFastMutexDelete(Lock);
}

#include "lock_suite.h"

Test(fast_mutex, unlock_below_apc_level_is_refused)
{
    static IRQL_FAST_MUTEX Mutex;
    cr_assert_eq(IrqlFastMutexInit(&Mutex), STATUS_SUCCESS);
    cr_assert_eq(IrqlFastMutexLock(&Mutex), STATUS_SUCCESS);
    cr_assert_eq(KeGetCurrentIrql(), APC_LEVEL);
    KeLowerIrql(PASSIVE_LEVEL); /* the holder dropped the IRQL by hand */
    cr_assert_eq(IrqlFastMutexUnlock(&Mutex), STATUS_IRQL_LOCK_WRONG_IRQL);
    KIRQL Old;
    KeRaiseIrql(APC_LEVEL, &Old);
    cr_assert_eq(IrqlFastMutexUnlock(&Mutex), STATUS_SUCCESS);
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL, "back to the IRQL of the Lock");
    AssertFree(&Mutex);
}

Test(fast_mutex, the_old_irql_is_restored_from_apc_level_too)
{
    static IRQL_FAST_MUTEX Mutex;
    KIRQL Old;
    cr_assert_eq(IrqlFastMutexInit(&Mutex), STATUS_SUCCESS);
    KeRaiseIrql(APC_LEVEL, &Old);
    cr_assert_eq(IrqlFastMutexTryLock(&Mutex), STATUS_SUCCESS);
    cr_assert_eq(IrqlFastMutexUnlock(&Mutex), STATUS_SUCCESS);
    cr_assert_eq(KeGetCurrentIrql(), APC_LEVEL);
    KeLowerIrql(Old);
}
