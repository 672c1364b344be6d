/* irql/ddi.h: ExFreePoolWithTag is <= APC_LEVEL for every pointer (IrqlExFreePoolNonPaged is <=
   DISPATCH_LEVEL); calling it from a DISPATCH_LEVEL routine is rejected. */
// expect: IRQL violation
// expect: IRQL_CALL(ExFreePoolWithTag)
// expect: above ExFreePoolWithTag
// expect: maximum IRQL
#include <irql/ddi.h>

static PVOID Block;

IRQL_AT(Caller, DISPATCH_LEVEL)
VOID Caller(VOID)
{
    IRQL_ENTER(Caller);
    IRQL_CALL(ExFreePoolWithTag)(Block, 0x74736554u);
}
