/* irql/ddi.h: ObReferenceObjectByHandle is = PASSIVE_LEVEL; calling it from an APC_LEVEL routine
   is rejected. */
// expect: IRQL violation
// expect: IRQL_CALL(ObReferenceObjectByHandle)
// expect: above ObReferenceObjectByHandle
// expect: maximum IRQL
#include <irql/ddi.h>

static PVOID Object;

IRQL_AT(Caller, APC_LEVEL)
VOID Caller(VOID)
{
    IRQL_ENTER(Caller);
    (void)IRQL_CALL(ObReferenceObjectByHandle)(NULL, 0, NULL, KernelMode, &Object, NULL);
}
