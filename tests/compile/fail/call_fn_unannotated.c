/* IRQL_CALL_FN from unannotated code through a constrained type. */
// expect: IRQL violation
// expect: Routine has an IRQL contract but the calling code has none
// expect: IRQL_ENTER(function)
#include <irql/irql.h>

IRQL_FN_TYPE(PPASSIVE_FN, PASSIVE_LEVEL, PASSIVE_LEVEL, VOID, (VOID));

VOID Run(PPASSIVE_FN Routine)
{
    IRQL_CALL_FN(Routine)();
}
