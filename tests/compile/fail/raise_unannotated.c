/* Unannotated code may already run above DISPATCH_LEVEL: a raise there may lower. */
// expect: IRQL violation
// expect: IRQL_RAISE(DISPATCH_LEVEL) in code without an IRQL contract
// expect: IRQL_ENTER
#include <irql/irql.h>

VOID Unannotated(VOID)
{
    IRQL_RAISE(DISPATCH_LEVEL) {
    }
}
