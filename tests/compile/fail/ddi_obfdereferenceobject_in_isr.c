/* irql/ddi.h: ObfDereferenceObject is <= DISPATCH_LEVEL; calling it from an ISR (a DIRQL) is
   rejected. */
// expect: IRQL violation
// expect: IRQL_CALL(ObfDereferenceObject)
// expect: above ObfDereferenceObject
// expect: maximum IRQL
#include <irql/ddi.h>

static PVOID Object;

IRQL_ROLE(Caller, KSERVICE_ROUTINE)
VOID Caller(VOID)
{
    IRQL_ENTER(Caller);
    (void)IRQL_CALL(ObfDereferenceObject)(Object);
}
