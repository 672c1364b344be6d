/* IrqlFastMutexLock may be called at APC_LEVEL at most: not from a DPC. */
// expect: IRQL violation
// expect: IRQL_CALL(IrqlFastMutexLock)
// expect: above IrqlFastMutexLock
// expect: maximum IRQL
#include <irql/lock.h>

IRQL_AT(OnDpc, DISPATCH_LEVEL)
VOID OnDpc(PIRQL_FAST_MUTEX Mutex)
{
    IRQL_ENTER(OnDpc);
    if (NT_SUCCESS(IRQL_CALL(IrqlFastMutexLock)(Mutex))) {
        (VOID)IrqlFastMutexUnlock(Mutex);
    }
}
