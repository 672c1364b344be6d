/* irql/ddi.h: MmGetSystemAddressForMdlSafe is <= DISPATCH_LEVEL; calling it from an ISR (a DIRQL)
   is rejected. */
// expect: IRQL violation
// expect: IRQL_CALL(MmGetSystemAddressForMdlSafe)
// expect: above MmGetSystemAddressForMdlSafe
// expect: maximum IRQL
// host-only: declares a routine the host kernel lacks, with a prototype the DDK contradicts
#include <irql/ddi.h>

PVOID MmGetSystemAddressForMdlSafe(PVOID Arg); /* not declared by the host headers */

IRQL_ROLE(Caller, KSERVICE_ROUTINE)
VOID Caller(VOID)
{
    IRQL_ENTER(Caller);
    (void)IRQL_CALL(MmGetSystemAddressForMdlSafe)(NULL);
}
