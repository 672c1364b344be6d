/* irql/ddi.h: ExAcquireFastMutex is <= APC_LEVEL; calling it from a DISPATCH_LEVEL routine is
   rejected. */
// expect: IRQL violation
// expect: IRQL_CALL(ExAcquireFastMutex)
// expect: above ExAcquireFastMutex
// expect: maximum IRQL
#include <irql/ddi.h>

static FAST_MUTEX Mutex;

IRQL_AT(Caller, DISPATCH_LEVEL)
VOID Caller(VOID)
{
    IRQL_ENTER(Caller);
    IRQL_CALL(ExAcquireFastMutex)(&Mutex);
}
