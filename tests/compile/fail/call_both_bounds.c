/* Both bounds: a body that may run anywhere calls a callee that allows only [APC, DISPATCH]. */
// expect: IRQL violation
// expect: IRQL_CALL(ApcOrDispatch)
// expect: below ApcOrDispatch
// expect: minimum and above its maximum IRQL
#include <irql/irql.h>

IRQL_RANGE(ApcOrDispatch, APC_LEVEL, DISPATCH_LEVEL)
VOID ApcOrDispatch(VOID);

IRQL_MAX(Anywhere, HIGH_LEVEL)
VOID Anywhere(VOID)
{
    IRQL_ENTER(Anywhere);
    IRQL_CALL(ApcOrDispatch)();
}
