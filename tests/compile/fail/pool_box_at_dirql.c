/* IRQL_BOX declared where the code may run above DISPATCH_LEVEL: no pool to choose. */
// expect: IRQL violation
// expect: IRQL_BOX(ULONG)
// expect: cannot allocate at DIRQL
#include <irql/pool.h>

IRQL_AT(OnInterrupt, 5)
VOID OnInterrupt(VOID)
{
    IRQL_ENTER(OnInterrupt);
    IRQL_BOX(ULONG) Box = IRQL_BOX_INIT;
    (void)Box;
}
