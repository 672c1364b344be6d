/* IRQL_BOX in code without a contract: its pool cannot be chosen. */
// expect: IRQL violation
// expect: IRQL_BOX(ULONG)
// expect: has none
#include <irql/pool.h>

VOID Unannotated(VOID)
{
    IRQL_BOX(ULONG) Box = IRQL_BOX_INIT;
    (void)Box;
}
