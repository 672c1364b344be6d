/* irql/ddi.h: KeAcquireGuardedMutex is <= APC_LEVEL; calling it from a DISPATCH_LEVEL routine is
   rejected. */
// expect: IRQL violation
// expect: IRQL_CALL(KeAcquireGuardedMutex)
// expect: above KeAcquireGuardedMutex
// expect: maximum IRQL
#include <irql/ddi.h>

static KGUARDED_MUTEX Mutex;

IRQL_AT(Caller, DISPATCH_LEVEL)
VOID Caller(VOID)
{
    IRQL_ENTER(Caller);
    IRQL_CALL(KeAcquireGuardedMutex)(&Mutex);
}
