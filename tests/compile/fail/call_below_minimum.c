/* Running below the callee's minimum: a PASSIVE body calls a DISPATCH-only callee. */
// expect: IRQL violation
// expect: IRQL_CALL(DpcOnly)
// expect: below DpcOnly
// expect: minimum IRQL
#include <irql/irql.h>

IRQL_AT(DpcOnly, DISPATCH_LEVEL)
VOID DpcOnly(VOID);

IRQL_AT(Passive, PASSIVE_LEVEL)
VOID Passive(VOID)
{
    IRQL_ENTER(Passive);
    IRQL_CALL(DpcOnly)();
}
