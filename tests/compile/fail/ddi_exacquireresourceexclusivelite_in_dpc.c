/* irql/ddi.h: ExAcquireResourceExclusiveLite is <= APC_LEVEL; calling it from a DISPATCH_LEVEL
   routine is rejected. */
// expect: IRQL violation
// expect: IRQL_CALL(ExAcquireResourceExclusiveLite)
// expect: above ExAcquireResourceExclusiveLite
// expect: maximum IRQL
#include <irql/ddi.h>

static ERESOURCE Resource;

IRQL_AT(Caller, DISPATCH_LEVEL)
VOID Caller(VOID)
{
    IRQL_ENTER(Caller);
    (void)IRQL_CALL(ExAcquireResourceExclusiveLite)(&Resource, TRUE);
}
