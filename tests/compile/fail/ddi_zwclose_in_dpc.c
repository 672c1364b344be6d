/* irql/ddi.h: ZwClose is = PASSIVE_LEVEL; calling it from a DISPATCH_LEVEL routine is rejected. */
// expect: IRQL violation
// expect: IRQL_CALL(ZwClose)
// expect: above ZwClose
// expect: maximum IRQL
#include <irql/ddi.h>

IRQL_AT(Caller, DISPATCH_LEVEL)
VOID Caller(VOID)
{
    IRQL_ENTER(Caller);
    (void)IRQL_CALL(ZwClose)(NULL);
}
