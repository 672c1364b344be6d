/* IRQL_VEC declared where the code may run above DISPATCH_LEVEL. */
// expect: IRQL violation
// expect: IRQL_VEC(ULONG)
// expect: cannot allocate at DIRQL
#include <irql/pool.h>

IRQL_RANGE(OnInterrupt, PASSIVE_LEVEL, 5)
VOID OnInterrupt(VOID)
{
    IRQL_ENTER(OnInterrupt);
    IRQL_VEC(ULONG) Vec = IRQL_VEC_INIT;
    (void)Vec;
}
