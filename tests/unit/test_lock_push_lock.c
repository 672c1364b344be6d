/* IRQL_PUSH_LOCK: the common lock suite, the shared-mode suite, and what is particular to a
   push lock (no recursion in either mode). */
#include "lock_test.h"

#define SUITE push_lock
#define SUITE_LOCK IRQL_PUSH_LOCK
#define SUITE_ACQUIRE_MAX APC_LEVEL
#define SUITE_TRY_MAX APC_LEVEL
#define SUITE_TEARDOWN_MAX DISPATCH_LEVEL
#define SUITE_HELD_IRQL(Before) (Before)
#define SUITE_WRONG_UNLOCK DISPATCH_LEVEL
#define SUITE_RECURSIVE 0
#define SUITE_GUARDED 1

static NTSTATUS SuiteInit(PIRQL_PUSH_LOCK Lock)
{
    return IrqlPushLockInit(Lock);
}
static NTSTATUS SuiteLock(PIRQL_PUSH_LOCK Lock, PLOCK_GUARD Guard)
{
    return IrqlPushLockLock(Lock, &Guard->Push);
}
static NTSTATUS SuiteLockShared(PIRQL_PUSH_LOCK Lock, PLOCK_GUARD Guard)
{
    return IrqlPushLockLockShared(Lock, &Guard->Push);
}
static NTSTATUS SuiteTryLock(PIRQL_PUSH_LOCK Lock, PLOCK_GUARD Guard)
{
    return IrqlPushLockTryLock(Lock, &Guard->Push);
}
static NTSTATUS SuiteTryLockShared(PIRQL_PUSH_LOCK Lock, PLOCK_GUARD Guard)
{
    return IrqlPushLockTryLockShared(Lock, &Guard->Push);
}
static NTSTATUS SuiteUnlock(PIRQL_PUSH_LOCK Lock, PLOCK_GUARD Guard)
{
    return IrqlPushLockUnlock(Lock, &Guard->Push);
}
static NTSTATUS SuiteDelete(PIRQL_PUSH_LOCK Lock)
{
    return IrqlPushLockDelete(Lock);
}

#include "lock_suite.h"
#include "lock_shared_suite.h"

Test(push_lock, no_recursion_in_either_mode)
{
    static IRQL_PUSH_LOCK Lock;
    IRQL_PUSH_LOCK_GUARD Guard, Second, Zero;
    memset(&Second, 0, sizeof(Second));
    memset(&Zero, 0, sizeof(Zero));
    cr_assert_eq(IrqlPushLockInit(&Lock), STATUS_SUCCESS);
    cr_assert_eq(IrqlPushLockLockShared(&Lock, &Guard), STATUS_SUCCESS);
    cr_assert_eq(IrqlPushLockLockShared(&Lock, &Second), STATUS_IRQL_LOCK_RECURSION,
                 "shared again can hang behind a queued writer");
    cr_assert_eq(IrqlPushLockTryLockShared(&Lock, &Second), STATUS_IRQL_LOCK_RECURSION);
    cr_assert_eq(IrqlPushLockUnlock(&Lock, &Guard), STATUS_SUCCESS);
    cr_assert_eq(IrqlPushLockLock(&Lock, &Guard), STATUS_SUCCESS);
    cr_assert_eq(IrqlPushLockLockShared(&Lock, &Second), STATUS_IRQL_LOCK_RECURSION);
    cr_assert_eq(memcmp(&Second, &Zero, sizeof(Zero)), 0, "the refused acquires wrote nothing");
    cr_assert_eq(IrqlPushLockUnlock(&Lock, &Second), STATUS_IRQL_LOCK_NOT_OWNER);
    cr_assert_eq(IrqlPushLockUnlock(&Lock, &Guard), STATUS_SUCCESS);
    AssertThreadClean();
    AssertFree(&Lock);
}

Test(push_lock, unlock_needs_the_guard_that_acquired)
{
    static IRQL_PUSH_LOCK Lock;
    IRQL_PUSH_LOCK_GUARD Guard, Copy;
    cr_assert_eq(IrqlPushLockInit(&Lock), STATUS_SUCCESS);
    cr_assert_eq(IrqlPushLockLockShared(&Lock, &Guard), STATUS_SUCCESS);
    Copy = Guard;
    cr_assert_eq(IrqlPushLockUnlock(&Lock, &Copy), STATUS_IRQL_LOCK_NOT_OWNER, "a copy");
    cr_assert(KeAreApcsDisabled(), "still held");
    cr_assert_eq(IrqlPushLockUnlock(&Lock, &Guard), STATUS_SUCCESS);
    cr_assert_eq(IrqlPushLockUnlock(&Lock, &Guard), STATUS_IRQL_LOCK_NOT_OWNER,
                 "a guard releases once");
    AssertThreadClean();
    AssertFree(&Lock);
}
