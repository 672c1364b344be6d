// The explicit API's contracts hold in C++ too: no FAST_MUTEX from a DPC.
// expect: IRQL violation
// expect: IRQL_CALL(IrqlFastMutexLock)
// expect: above IrqlFastMutexLock
#include <irql/lock.h>

IRQL_AT(OnDpc, DISPATCH_LEVEL)
VOID OnDpc(PIRQL_FAST_MUTEX Mutex)
{
    IRQL_ENTER(OnDpc);
    if (NT_SUCCESS(IRQL_CALL(IrqlFastMutexLock)(Mutex))) {
        (VOID)IrqlFastMutexUnlock(Mutex);
    }
}
