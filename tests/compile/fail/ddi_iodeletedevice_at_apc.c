/* irql/ddi.h: IoDeleteDevice is = PASSIVE_LEVEL; calling it from an APC_LEVEL routine is
   rejected. */
// expect: IRQL violation
// expect: IRQL_CALL(IoDeleteDevice)
// expect: above IoDeleteDevice
// expect: maximum IRQL
#include <irql/ddi.h>

VOID IoDeleteDevice(PVOID Arg); /* not declared by the host headers */

IRQL_AT(Caller, APC_LEVEL)
VOID Caller(VOID)
{
    IRQL_ENTER(Caller);
    IRQL_CALL(IoDeleteDevice)(NULL);
}
