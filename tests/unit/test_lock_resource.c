/* IRQL_RESOURCE: the common lock suite, the shared-mode suite, and what is particular to an
   ERESOURCE (its recursion rules, the critical region). */
#include "lock_test.h"

#define SUITE resource
#define SUITE_LOCK IRQL_RESOURCE
#define SUITE_ACQUIRE_MAX APC_LEVEL
#define SUITE_TRY_MAX APC_LEVEL
#define SUITE_TEARDOWN_MAX APC_LEVEL
#define SUITE_HELD_IRQL(Before) (Before)
#define SUITE_WRONG_UNLOCK DISPATCH_LEVEL
#define SUITE_RECURSIVE 1
#define SUITE_GUARDED 0

static NTSTATUS SuiteInit(PIRQL_RESOURCE Lock)
{
    return IrqlResourceInit(Lock);
}
static NTSTATUS SuiteLock(PIRQL_RESOURCE Lock, PLOCK_GUARD Guard)
{
    UNREFERENCED_PARAMETER(Guard);
    return IrqlResourceLock(Lock);
}
static NTSTATUS SuiteLockShared(PIRQL_RESOURCE Lock, PLOCK_GUARD Guard)
{
    UNREFERENCED_PARAMETER(Guard);
    return IrqlResourceLockShared(Lock);
}
static NTSTATUS SuiteTryLock(PIRQL_RESOURCE Lock, PLOCK_GUARD Guard)
{
    UNREFERENCED_PARAMETER(Guard);
    return IrqlResourceTryLock(Lock);
}
static NTSTATUS SuiteTryLockShared(PIRQL_RESOURCE Lock, PLOCK_GUARD Guard)
{
    UNREFERENCED_PARAMETER(Guard);
    return IrqlResourceTryLockShared(Lock);
}
static NTSTATUS SuiteUnlock(PIRQL_RESOURCE Lock, PLOCK_GUARD Guard)
{
    UNREFERENCED_PARAMETER(Guard);
    return IrqlResourceUnlock(Lock);
}
static NTSTATUS SuiteDelete(PIRQL_RESOURCE Lock)
{
    return IrqlResourceDelete(Lock);
}

#include "lock_suite.h"
#include "lock_shared_suite.h"

Test(resource, exclusive_and_shared_recursion_as_the_kernel_allows)
{
    static IRQL_RESOURCE Resource;
    cr_assert_eq(IrqlResourceInit(&Resource), STATUS_SUCCESS);
    cr_assert_eq(IrqlResourceLock(&Resource), STATUS_SUCCESS);
    cr_assert_eq(IrqlResourceLockShared(&Resource), STATUS_SUCCESS, "exclusive -> shared");
    cr_assert_eq(IrqlResourceLock(&Resource), STATUS_SUCCESS, "exclusive -> exclusive");
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(IrqlResourceUnlock(&Resource), STATUS_SUCCESS);
    }
    cr_assert_eq(IrqlResourceUnlock(&Resource), STATUS_IRQL_LOCK_NOT_OWNER);
    cr_assert_eq(IrqlResourceLockShared(&Resource), STATUS_SUCCESS);
    cr_assert_eq(IrqlResourceTryLockShared(&Resource), STATUS_SUCCESS, "shared -> shared");
    cr_assert_eq(IrqlResourceUnlock(&Resource), STATUS_SUCCESS);
    cr_assert_eq(IrqlResourceUnlock(&Resource), STATUS_SUCCESS);
    AssertThreadClean();
    AssertFree(&Resource);
    cr_assert_eq(IrqlResourceDelete(&Resource), STATUS_SUCCESS);
}

Test(resource, delete_above_apc_level_is_refused)
{
    static IRQL_RESOURCE Resource;
    KIRQL Old;
    cr_assert_eq(IrqlResourceInit(&Resource), STATUS_SUCCESS);
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    cr_assert_eq(IrqlResourceDelete(&Resource), STATUS_IRQL_LOCK_IRQL_TOO_HIGH);
    KeLowerIrql(Old);
    cr_assert_eq(IrqlResourceDelete(&Resource), STATUS_SUCCESS);
}

/* The wrapper's summary of the holders (owner, depth, other threads' shared acquisitions)
   against the kernel's own answer: another thread's shared hold is not this thread's, and
   this thread's shared acquisitions are counted until it releases them. */
Test(resource, other_threads_shared_holds_are_not_the_callers)
{
    static IRQL_RESOURCE Resource;
    LOCK_HOLDER Holder;
    cr_assert_eq(IrqlResourceInit(&Resource), STATUS_SUCCESS);
    StartLockHolder(&Holder, &Resource, HolderAcquireShared, HolderRelease);
    cr_assert_eq(IrqlResourceTryLock(&Resource), STATUS_IRQL_LOCK_BUSY, "not a recursion");
    cr_assert_eq(IrqlResourceLockShared(&Resource), STATUS_SUCCESS);
    cr_assert_eq(IrqlResourceTryLock(&Resource), STATUS_IRQL_LOCK_RECURSION, "now it is");
    cr_assert_eq(IrqlResourceUnlock(&Resource), STATUS_SUCCESS);
    cr_assert_eq(IrqlResourceUnlock(&Resource), STATUS_IRQL_LOCK_NOT_OWNER, "the other's hold");
    AssertThreadClean();
    StopLockHolder(&Holder);
    cr_assert_eq(IrqlResourceLock(&Resource), STATUS_SUCCESS);
    cr_assert_eq(IrqlResourceLockShared(&Resource), STATUS_SUCCESS, "the owner's, as exclusive");
    cr_assert_eq(IrqlResourceUnlock(&Resource), STATUS_SUCCESS);
    cr_assert_eq(IrqlResourceTryLock(&Resource), STATUS_SUCCESS, "still the owner");
    cr_assert_eq(IrqlResourceUnlock(&Resource), STATUS_SUCCESS);
    cr_assert_eq(IrqlResourceUnlock(&Resource), STATUS_SUCCESS);
    cr_assert_eq(IrqlResourceUnlock(&Resource), STATUS_IRQL_LOCK_NOT_OWNER);
    AssertThreadClean();
    AssertFree(&Resource);
    cr_assert_eq(IrqlResourceDelete(&Resource), STATUS_SUCCESS);
}
