/* An ERESOURCE is acquired at APC_LEVEL at most, shared or exclusive. */
// expect: IRQL violation
// expect: IRQL_CALL(IrqlResourceLockShared)
// expect: above IrqlResourceLockShared
#include <irql/lock.h>

IRQL_MAX(Lookup, DISPATCH_LEVEL)
VOID Lookup(PIRQL_RESOURCE Resource)
{
    IRQL_ENTER(Lookup);
    (VOID)IRQL_CALL(IrqlResourceLockShared)(Resource);
}
