/* A call in the innermost of nested raise blocks is checked against the innermost level. */
// expect: IRQL violation
// expect: IRQL_CALL(DpcOnly)
// expect: above DpcOnly
// expect: maximum IRQL
#include <irql/irql.h>

IRQL_AT(DpcOnly, DISPATCH_LEVEL)
VOID DpcOnly(VOID);

IRQL_AT(Passive, PASSIVE_LEVEL)
VOID Passive(VOID)
{
    IRQL_ENTER(Passive);
    IRQL_RAISE(DISPATCH_LEVEL) {
        IRQL_CALL(DpcOnly)(); /* fine */
        IRQL_RAISE(HIGH_LEVEL)
            IRQL_CALL(DpcOnly)();
    }
}
