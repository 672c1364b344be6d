// The explicit lock API from C++ (a C++ driver may call it; the scoped and heap macros are C).
#include <irql/lock.h>

IRQL_MAX(Work, APC_LEVEL)
NTSTATUS Work(PIRQL_FAST_MUTEX Mutex, PIRQL_PUSH_LOCK Push)
{
    IRQL_ENTER(Work);
    IRQL_PUSH_LOCK_GUARD Guard;
    NTSTATUS Status = IRQL_CALL(IrqlFastMutexLock)(Mutex);
    if (NT_SUCCESS(Status)) {
        (VOID)IRQL_CALL(IrqlFastMutexUnlock)(Mutex);
    }
    if (NT_SUCCESS(IRQL_CALL(IrqlPushLockLockShared)(Push, &Guard))) {
        (VOID)IRQL_CALL(IrqlPushLockUnlock)(Push, &Guard);
    }
    return Status;
}

IRQL_AT(OnDpc, DISPATCH_LEVEL)
VOID OnDpc(PIRQL_SPIN_LOCK Lock)
{
    IRQL_ENTER(OnDpc);
    IRQL_SPIN_LOCK_GUARD Guard;
    if (IRQL_CALL(IrqlSpinLockTryLock)(Lock, &Guard) == STATUS_SUCCESS) {
        (VOID)IRQL_CALL(IrqlSpinLockUnlock)(Lock, &Guard);
    }
}
