/* irql/ddi.h: ExReleaseFastMutex is = APC_LEVEL; calling it from PASSIVE_LEVEL code is rejected. */
// expect: IRQL violation
// expect: IRQL_CALL(ExReleaseFastMutex)
// expect: below ExReleaseFastMutex
// expect: minimum IRQL
#include <irql/ddi.h>

static FAST_MUTEX Mutex;

IRQL_AT(Caller, PASSIVE_LEVEL)
VOID Caller(VOID)
{
    IRQL_ENTER(Caller);
    IRQL_CALL(ExReleaseFastMutex)(&Mutex);
}
