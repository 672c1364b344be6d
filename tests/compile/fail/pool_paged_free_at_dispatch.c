/* Freeing a paged box at DISPATCH_LEVEL. */
// expect: IRQL violation
// expect: IRQL_BOX_FREE(Box)
// expect: cannot free paged pool at DISPATCH_LEVEL or above
#include <irql/pool.h>

typedef IRQL_PAGED_BOX(ULONG) PAGED_ULONG_BOX;

IRQL_AT(OnDpc, DISPATCH_LEVEL)
NTSTATUS OnDpc(PAGED_ULONG_BOX *Box)
{
    IRQL_ENTER(OnDpc);
    return IRQL_BOX_FREE(Box);
}
