/* A narrowed context ends with its block: after it, the function's wider range is back and
   the PASSIVE-only call fails. */
// expect: IRQL violation
// expect: IRQL_CALL(PassiveOnly): the caller may run above PassiveOnly
// expect: maximum IRQL
#include <irql/irql.h>

IRQL_MAX(PassiveOnly, PASSIVE_LEVEL)
VOID PassiveOnly(VOID);

IRQL_MAX(Worker, DISPATCH_LEVEL)
VOID Worker(VOID)
{
    IRQL_ENTER(Worker);
    if (KeGetCurrentIrql() == PASSIVE_LEVEL) {
        IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
        IRQL_CALL(PassiveOnly)(); /* fine here */
    }
    IRQL_CALL(PassiveOnly)();
}
