/* irql/ddi.h: RtlInitUnicodeString is <= APC_LEVEL (a pageable source string); calling it from a
   DISPATCH_LEVEL routine is rejected. */
// expect: IRQL violation
// expect: IRQL_CALL(RtlInitUnicodeString)
// expect: above RtlInitUnicodeString
// expect: maximum IRQL
#include <irql/ddi.h>

static UNICODE_STRING Name;

IRQL_AT(Caller, DISPATCH_LEVEL)
VOID Caller(VOID)
{
    IRQL_ENTER(Caller);
    IRQL_CALL(RtlInitUnicodeString)(&Name, NULL);
}
