/* IRQL_BOX_NEW of a paged box in code that may run at DISPATCH_LEVEL: paged pool is
   allocated only at or below APC_LEVEL. */
// expect: IRQL violation
// expect: IRQL_BOX_NEW(Box, 0x786F4250)
// expect: cannot allocate paged pool
#include <irql/pool.h>

typedef IRQL_PAGED_BOX(ULONG) PAGED_ULONG_BOX;

IRQL_MAX(Make, DISPATCH_LEVEL)
NTSTATUS Make(PAGED_ULONG_BOX *Box)
{
    IRQL_ENTER(Make);
    return IRQL_BOX_NEW(Box, 0x786F4250);
}
