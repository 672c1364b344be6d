/* irql/ddi.h: RtlEqualUnicodeString is = PASSIVE_LEVEL; calling it from an APC_LEVEL routine is
   rejected. */
// expect: IRQL violation
// expect: IRQL_CALL(RtlEqualUnicodeString)
// expect: above RtlEqualUnicodeString
// expect: maximum IRQL
// host-only: declares a routine the host kernel lacks, with a prototype the DDK contradicts
#include <irql/ddi.h>

BOOLEAN RtlEqualUnicodeString(PVOID Arg); /* not declared by the host headers */

IRQL_AT(Caller, APC_LEVEL)
VOID Caller(VOID)
{
    IRQL_ENTER(Caller);
    (void)IRQL_CALL(RtlEqualUnicodeString)(NULL);
}
