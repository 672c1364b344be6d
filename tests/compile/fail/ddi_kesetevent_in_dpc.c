/* irql/ddi.h: KeSetEvent is <= APC_LEVEL: Wait may be TRUE (IrqlKeSetEventNoWait is <=
   DISPATCH_LEVEL); calling it from a DISPATCH_LEVEL routine is rejected. */
// expect: IRQL violation
// expect: IRQL_CALL(KeSetEvent)
// expect: above KeSetEvent
// expect: maximum IRQL
#include <irql/ddi.h>

static KEVENT Event;

IRQL_AT(Caller, DISPATCH_LEVEL)
VOID Caller(VOID)
{
    IRQL_ENTER(Caller);
    (void)IRQL_CALL(KeSetEvent)(&Event, 0, TRUE);
}
