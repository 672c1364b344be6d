/*
 * The suite of the two APC_LEVEL mutexes (IRQL_FAST_MUTEX, IRQL_GUARDED_MUTEX — one lock since
 * Windows 8): the common lock suite plus what is particular to a mutex whose holder runs at
 * APC_LEVEL. The including file defines SUITE (the test suite's name), SUITE_LOCK (the
 * wrapper type) and SUITE_API(Routine) (the routine names: IrqlFastMutex##Routine, …).
 */
#include "lock_test.h"

#define SUITE_ACQUIRE_MAX APC_LEVEL
#define SUITE_TRY_MAX APC_LEVEL
#define SUITE_TEARDOWN_MAX DISPATCH_LEVEL
#define SUITE_HELD_IRQL(Before) APC_LEVEL
#define SUITE_WRONG_UNLOCK DISPATCH_LEVEL
#define SUITE_RECURSIVE 0
#define SUITE_GUARDED 0

static NTSTATUS SuiteInit(SUITE_LOCK *Lock)
{
    return SUITE_API(Init)(Lock);
}
static NTSTATUS SuiteLock(SUITE_LOCK *Lock, PLOCK_GUARD Guard)
{
    UNREFERENCED_PARAMETER(Guard);
    return SUITE_API(Lock)(Lock);
}
static NTSTATUS SuiteTryLock(SUITE_LOCK *Lock, PLOCK_GUARD Guard)
{
    UNREFERENCED_PARAMETER(Guard);
    return SUITE_API(TryLock)(Lock);
}
static NTSTATUS SuiteUnlock(SUITE_LOCK *Lock, PLOCK_GUARD Guard)
{
    UNREFERENCED_PARAMETER(Guard);
    return SUITE_API(Unlock)(Lock);
}
static NTSTATUS SuiteDelete(SUITE_LOCK *Lock)
{
    return SUITE_API(Delete)(Lock);
}

#include "lock_suite.h"

Test(SUITE, unlock_below_apc_level_is_refused)
{
    static SUITE_LOCK Mutex;
    cr_assert_eq(SUITE_API(Init)(&Mutex), STATUS_SUCCESS);
    cr_assert_eq(SUITE_API(Lock)(&Mutex), STATUS_SUCCESS);
    cr_assert_eq(KeGetCurrentIrql(), APC_LEVEL);
    KeLowerIrql(PASSIVE_LEVEL); /* the holder dropped the IRQL by hand */
    cr_assert_eq(SUITE_API(Unlock)(&Mutex), STATUS_IRQL_LOCK_WRONG_IRQL);
    KIRQL Old;
    KeRaiseIrql(APC_LEVEL, &Old);
    cr_assert_eq(SUITE_API(Unlock)(&Mutex), STATUS_SUCCESS);
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL, "back to the IRQL of the Lock");
    AssertFree(&Mutex);
}

Test(SUITE, the_old_irql_is_restored_from_apc_level_too)
{
    static SUITE_LOCK Mutex;
    KIRQL Old;
    cr_assert_eq(SUITE_API(Init)(&Mutex), STATUS_SUCCESS);
    KeRaiseIrql(APC_LEVEL, &Old);
    cr_assert_eq(SUITE_API(TryLock)(&Mutex), STATUS_SUCCESS);
    cr_assert_eq(SUITE_API(Unlock)(&Mutex), STATUS_SUCCESS);
    cr_assert_eq(KeGetCurrentIrql(), APC_LEVEL);
    KeLowerIrql(Old);
}
