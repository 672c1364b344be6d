/* irql/ddi.h: ExAllocatePool2 is <= APC_LEVEL for every flag (IrqlExAllocatePool2NonPaged is <=
   DISPATCH_LEVEL); calling it from a DISPATCH_LEVEL routine is rejected. */
// expect: IRQL violation
// expect: IRQL_CALL(ExAllocatePool2)
// expect: above ExAllocatePool2
// expect: maximum IRQL
#include <irql/ddi.h>

IRQL_AT(Caller, DISPATCH_LEVEL)
VOID Caller(VOID)
{
    IRQL_ENTER(Caller);
    (void)IRQL_CALL(ExAllocatePool2)(POOL_FLAG_NON_PAGED, 16, 0x74736554u);
}
