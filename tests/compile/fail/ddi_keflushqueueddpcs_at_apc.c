/* irql/ddi.h: KeFlushQueuedDpcs is = PASSIVE_LEVEL; calling it from an APC_LEVEL routine is
   rejected. */
// expect: IRQL violation
// expect: IRQL_CALL(KeFlushQueuedDpcs)
// expect: above KeFlushQueuedDpcs
// expect: maximum IRQL
#include <irql/ddi.h>

IRQL_AT(Caller, APC_LEVEL)
VOID Caller(VOID)
{
    IRQL_ENTER(Caller);
    IRQL_CALL(KeFlushQueuedDpcs)();
}
