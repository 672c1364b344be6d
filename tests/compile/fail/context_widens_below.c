/* Widening on one side only: a raise block runs at [DISPATCH, DISPATCH]; [APC, DISPATCH]
   inside it claims a lower minimum. */
// expect: IRQL violation
// expect: IRQL_CONTEXT(APC_LEVEL, DISPATCH_LEVEL) widens the enclosing range
#include <irql/irql.h>

IRQL_AT(Passive, PASSIVE_LEVEL)
VOID Passive(VOID)
{
    IRQL_ENTER(Passive);
    IRQL_RAISE(DISPATCH_LEVEL) {
        IRQL_CONTEXT(APC_LEVEL, DISPATCH_LEVEL);
    }
}
