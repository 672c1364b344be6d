/* irql/ddi.h: KeDelayExecutionThread is <= APC_LEVEL; calling it from a DISPATCH_LEVEL routine is
   rejected. */
// expect: IRQL violation
// expect: IRQL_CALL(KeDelayExecutionThread)
// expect: above KeDelayExecutionThread
// expect: maximum IRQL
#include <irql/ddi.h>

static LARGE_INTEGER Interval;

IRQL_AT(Caller, DISPATCH_LEVEL)
VOID Caller(VOID)
{
    IRQL_ENTER(Caller);
    (void)IRQL_CALL(KeDelayExecutionThread)(KernelMode, FALSE, &Interval);
}
