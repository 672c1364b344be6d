/* irql/ddi.h: KeClearEvent is <= DISPATCH_LEVEL; calling it from an ISR (a DIRQL) is rejected. */
// expect: IRQL violation
// expect: IRQL_CALL(KeClearEvent)
// expect: above KeClearEvent
// expect: maximum IRQL
#include <irql/ddi.h>

static KEVENT Event;

IRQL_ROLE(Caller, KSERVICE_ROUTINE)
VOID Caller(VOID)
{
    IRQL_ENTER(Caller);
    IRQL_CALL(KeClearEvent)(&Event);
}
