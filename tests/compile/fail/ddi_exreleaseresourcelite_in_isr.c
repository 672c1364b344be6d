/* irql/ddi.h: ExReleaseResourceLite is <= DISPATCH_LEVEL; calling it from an ISR (a DIRQL) is
   rejected. */
// expect: IRQL violation
// expect: IRQL_CALL(ExReleaseResourceLite)
// expect: above ExReleaseResourceLite
// expect: maximum IRQL
#include <irql/ddi.h>

static ERESOURCE Resource;

IRQL_ROLE(Caller, KSERVICE_ROUTINE)
VOID Caller(VOID)
{
    IRQL_ENTER(Caller);
    IRQL_CALL(ExReleaseResourceLite)(&Resource);
}
