/* IRQL_BOX_INTO_INNER reads and frees paged memory: not at DISPATCH_LEVEL. */
// expect: IRQL violation
// expect: IRQL_BOX_INTO_INNER(Box, &Value)
// expect: paged pool at DISPATCH_LEVEL or above
#include <irql/pool.h>

typedef IRQL_PAGED_BOX(ULONG) PAGED_ULONG_BOX;

IRQL_AT(OnDpc, DISPATCH_LEVEL)
NTSTATUS OnDpc(PAGED_ULONG_BOX *Box)
{
    IRQL_ENTER(OnDpc);
    ULONG Value;
    return IRQL_BOX_INTO_INNER(Box, &Value);
}
