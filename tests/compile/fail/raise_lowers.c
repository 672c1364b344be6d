/* IRQL_RAISE(APC_LEVEL) in a body that may run at DISPATCH_LEVEL could be a lower. */
// expect: IRQL violation
// expect: IRQL_RAISE(APC_LEVEL) may lower the IRQL
// expect: may run above APC_LEVEL
#include <irql/irql.h>

IRQL_MAX(Worker, DISPATCH_LEVEL)
VOID Worker(VOID)
{
    IRQL_ENTER(Worker);
    IRQL_RAISE(APC_LEVEL) {
    }
}
