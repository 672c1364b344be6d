/* After IRQL_CONTEXT(DISPATCH, DISPATCH) the block runs at DISPATCH_LEVEL only: a PASSIVE-only
   call there fails although the function itself may run at PASSIVE_LEVEL. */
// expect: IRQL violation
// expect: IRQL_CALL(PassiveOnly): the caller may run above PassiveOnly
// expect: maximum IRQL
#include <irql/irql.h>

IRQL_MAX(PassiveOnly, PASSIVE_LEVEL)
VOID PassiveOnly(VOID);

IRQL_MAX(Worker, DISPATCH_LEVEL)
VOID Worker(VOID)
{
    IRQL_ENTER(Worker);
    if (KeGetCurrentIrql() == DISPATCH_LEVEL) {
        IRQL_CONTEXT(DISPATCH_LEVEL, DISPATCH_LEVEL);
        IRQL_CALL(PassiveOnly)();
    }
}
