/* irql/ddi.h: IoCompleteRequest is <= DISPATCH_LEVEL; calling it from an ISR (a DIRQL) is
   rejected. */
// expect: IRQL violation
// expect: IRQL_CALL(IoCompleteRequest)
// expect: above IoCompleteRequest
// expect: maximum IRQL
// host-only: declares a routine the host kernel lacks, with a prototype the DDK contradicts
#include <irql/ddi.h>

VOID IoCompleteRequest(PVOID Arg); /* not declared by the host headers */

IRQL_ROLE(Caller, KSERVICE_ROUTINE)
VOID Caller(VOID)
{
    IRQL_ENTER(Caller);
    IRQL_CALL(IoCompleteRequest)(NULL);
}
