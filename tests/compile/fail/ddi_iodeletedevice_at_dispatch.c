/* irql/ddi.h: IoDeleteDevice is <= APC_LEVEL; calling it from a DISPATCH_LEVEL routine is
   rejected. */
// expect: IRQL violation
// expect: IRQL_CALL(IoDeleteDevice)
// expect: above IoDeleteDevice
// expect: maximum IRQL
// host-only: declares a routine the host kernel lacks, with a prototype the DDK contradicts
#include <irql/ddi.h>

VOID IoDeleteDevice(PVOID Arg); /* not declared by the host headers */

IRQL_AT(Caller, DISPATCH_LEVEL)
VOID Caller(VOID)
{
    IRQL_ENTER(Caller);
    IRQL_CALL(IoDeleteDevice)(NULL);
}
