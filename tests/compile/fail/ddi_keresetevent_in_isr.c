/* irql/ddi.h: KeResetEvent is <= DISPATCH_LEVEL; calling it from an ISR (a DIRQL) is rejected. */
// expect: IRQL violation
// expect: IRQL_CALL(KeResetEvent)
// expect: above KeResetEvent
// expect: maximum IRQL
#include <irql/ddi.h>

static KEVENT Event;

IRQL_ROLE(Caller, KSERVICE_ROUTINE)
VOID Caller(VOID)
{
    IRQL_ENTER(Caller);
    (void)IRQL_CALL(KeResetEvent)(&Event);
}
