/* A raise block's level ends with the block: after it, a DISPATCH-only call is back in the
   PASSIVE function's range and fails. */
// expect: IRQL violation
// expect: IRQL_CALL(DpcOnly): the caller may run below DpcOnly
// expect: minimum IRQL
#include <irql/irql.h>

IRQL_AT(DpcOnly, DISPATCH_LEVEL)
VOID DpcOnly(VOID);

IRQL_AT(Passive, PASSIVE_LEVEL)
VOID Passive(VOID)
{
    IRQL_ENTER(Passive);
    IRQL_RAISE(DISPATCH_LEVEL)
        IRQL_CALL(DpcOnly)(); /* fine here */
    IRQL_CALL(DpcOnly)();
}
