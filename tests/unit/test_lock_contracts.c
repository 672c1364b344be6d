/*
 * Contracts that lie, in a release-style build: without the IRQL_ENTER backstop
 * (IRQL_RUNTIME_CHECKS 0, as in a free kernel build) nothing stops a function whose contract
 * says APC_LEVEL from running at DISPATCH_LEVEL — except the locks' own run-time checks: the
 * explicit API returns a status, a scope bug-checks with a named cause, and the lock is never
 * taken at an IRQL where it would crash the machine.
 */
#define IRQL_RUNTIME_CHECKS 0
#include "lock_test.h"

typedef IRQL_PROTECTED(IRQL_FAST_MUTEX, LONG) FAST_LONG;
typedef IRQL_PROTECTED(IRQL_PUSH_LOCK, LONG) PUSH_LONG;

static FAST_LONG Fast;
static PUSH_LONG Push;
static NTSTATUS Seen[4];

/* Claims APC_LEVEL; the test runs it at DISPATCH_LEVEL. */
IRQL_MAX(LyingExplicit, APC_LEVEL)
static VOID LyingExplicit(PVOID Context)
{
    IRQL_ENTER(LyingExplicit); /* no backstop in this build */
    IRQL_PUSH_LOCK_GUARD Guard;
    UNREFERENCED_PARAMETER(Context);
    Seen[0] = IRQL_CALL(IrqlFastMutexLock)(&Fast.Lock);
    Seen[1] = IRQL_CALL(IrqlFastMutexTryLock)(&Fast.Lock);
    Seen[2] = IRQL_CALL(IrqlPushLockLockShared)(&Push.Lock, &Guard);
    Seen[3] = IRQL_CALL(IrqlPushLockTryLock)(&Push.Lock, &Guard);
}

Test(lying_contracts, the_explicit_api_returns_a_status)
{
    cr_assert_eq(IrqlFastMutexInit(&Fast.Lock), STATUS_SUCCESS);
    cr_assert_eq(IrqlPushLockInit(&Push.Lock), STATUS_SUCCESS);
    IrqlHostRunAtIrql(DISPATCH_LEVEL, LyingExplicit, NULL);
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(Seen[i], STATUS_IRQL_LOCK_IRQL_TOO_HIGH, "call %d: 0x%08X", i,
                     (unsigned)Seen[i]);
    }
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL);
    cr_assert_not(KeAreApcsDisabled());
    cr_assert_eq(IrqlFastMutexDelete(&Fast.Lock), STATUS_SUCCESS, "never acquired");
    cr_assert_eq(IrqlPushLockDelete(&Push.Lock), STATUS_SUCCESS, "never acquired");
}

IRQL_MAX(LyingScope, APC_LEVEL)
static VOID LyingScope(PVOID Context)
{
    IRQL_ENTER(LyingScope);
    UNREFERENCED_PARAMETER(Context);
    IRQL_WITH(&Fast, Value) {
        (*Value)++;
    }
}

static VOID RunLyingScope(PVOID Context)
{
    IrqlHostRunAtIrql(DISPATCH_LEVEL, LyingScope, Context);
}

Test(lying_contracts, a_scope_bugchecks_before_its_body)
{
    cr_assert_eq(IrqlFastMutexInit(&Fast.Lock), STATUS_SUCCESS);
    IRQL_HOST_BUGCHECK Report = ExpectLockViolation(RunLyingScope, NULL,
                                                    STATUS_IRQL_LOCK_IRQL_TOO_HIGH, &Fast.Lock,
                                                    "IRQL_WITH(&Fast, Value)");
    cr_assert_eq(Report.Parameter[3], DISPATCH_LEVEL);
    cr_assert_eq(Fast.Data, 0, "the body never ran unprotected");
    cr_assert_eq(IrqlFastMutexDelete(&Fast.Lock), STATUS_SUCCESS, "never acquired");
}

/* Unannotated code (no contract at all) calling the explicit API directly. */
typedef struct _UNANNOTATED {
    PIRQL_SPIN_LOCK Lock;
    NTSTATUS Status;
} UNANNOTATED;

static VOID Unannotated(PVOID Context)
{
    UNANNOTATED *U = (UNANNOTATED *)Context;
    IRQL_SPIN_LOCK_GUARD Guard;
    U->Status = IrqlSpinLockLock(U->Lock, &Guard);
}

Test(lying_contracts, unannotated_callers_get_a_status_too)
{
    static IRQL_SPIN_LOCK Lock;
    UNANNOTATED U = {&Lock, STATUS_SUCCESS};
    cr_assert_eq(IrqlSpinLockInit(&Lock), STATUS_SUCCESS);
    IrqlHostRunAtIrql(HIGH_LEVEL, Unannotated, &U);
    cr_assert_eq(U.Status, STATUS_IRQL_LOCK_IRQL_TOO_HIGH);
    cr_assert_eq(IrqlSpinLockDelete(&Lock), STATUS_SUCCESS);
}
