/* Partial overlap from below: an [APC, DISPATCH] body calls a [PASSIVE, APC] callee. */
// expect: IRQL violation
// expect: IRQL_CALL(UpToApc)
// expect: above UpToApc
// expect: maximum IRQL
#include <irql/irql.h>

IRQL_MAX(UpToApc, APC_LEVEL)
VOID UpToApc(VOID);

IRQL_RANGE(ApcOrDispatch, APC_LEVEL, DISPATCH_LEVEL)
VOID ApcOrDispatch(VOID)
{
    IRQL_ENTER(ApcOrDispatch);
    IRQL_CALL(UpToApc)();
}
