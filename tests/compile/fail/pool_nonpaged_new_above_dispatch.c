/* IRQL_BOX_NEW of a non-paged box at DIRQL: no pool is allocated above DISPATCH_LEVEL. */
// expect: IRQL violation
// expect: IRQL_BOX_NEW(&Box, 0x786F4250)
// expect: cannot allocate non-paged pool at DIRQL
#include <irql/pool.h>

IRQL_AT(OnInterrupt, 5)
NTSTATUS OnInterrupt(VOID)
{
    IRQL_ENTER(OnInterrupt);
    IRQL_NONPAGED_BOX(ULONG) Box = IRQL_BOX_INIT;
    return IRQL_BOX_NEW(&Box, 0x786F4250);
}
