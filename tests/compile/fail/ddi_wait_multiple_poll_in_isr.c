/* irql/ddi.h: IrqlKeWaitMultiplePoll, the zero-timeout wait, is <= DISPATCH_LEVEL; an ISR (a
   DIRQL) calling it is rejected. */
// expect: IRQL violation
// expect: IRQL_CALL(IrqlKeWaitMultiplePoll)
// expect: above IrqlKeWaitMultiplePoll
// expect: maximum IRQL
#include <irql/ddi.h>

static KEVENT Ready, Stop;

IRQL_ROLE(OnInterrupt, KSERVICE_ROUTINE)
BOOLEAN OnInterrupt(PVOID Interrupt, PVOID Context)
{
    IRQL_ENTER(OnInterrupt);
    PVOID Objects[2] = {&Ready, &Stop};
    (void)Interrupt, (void)Context;
    return IRQL_CALL(IrqlKeWaitMultiplePoll)(2, Objects, WaitAny, NULL) == STATUS_WAIT_0;
}
