/* irql/ddi.h: KeWaitForMultipleObjects is <= APC_LEVEL (a zero timeout would be allowed at
   DISPATCH_LEVEL); calling it from a DISPATCH_LEVEL routine is rejected. */
// expect: IRQL violation
// expect: IRQL_CALL(KeWaitForMultipleObjects)
// expect: above KeWaitForMultipleObjects
// expect: maximum IRQL
#include <irql/ddi.h>

static KEVENT Event;
static PVOID Objects[1] = {&Event};

IRQL_AT(Caller, DISPATCH_LEVEL)
VOID Caller(VOID)
{
    IRQL_ENTER(Caller);
    (void)IRQL_CALL(KeWaitForMultipleObjects)(1, Objects, WaitAny, Executive, KernelMode, FALSE, NULL, NULL);
}
