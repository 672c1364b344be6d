/* IRQL_CALL_FN from a [PASSIVE, DISPATCH] body through a DISPATCH-only type. */
// expect: IRQL violation
// expect: IRQL_CALL_FN(Routine): the caller may run below Routine
// expect: minimum IRQL
#include <irql/irql.h>

IRQL_FN_TYPE(PDPC_FN, DISPATCH_LEVEL, DISPATCH_LEVEL, VOID, (VOID));

IRQL_MAX(Run, DISPATCH_LEVEL)
VOID Run(PDPC_FN Routine)
{
    IRQL_ENTER(Run);
    IRQL_CALL_FN(Routine)();
}
