/* IRQL_VEC_FREE on a paged vector at DISPATCH_LEVEL. */
// expect: IRQL violation
// expect: IRQL_VEC_FREE(Vec)
// expect: cannot free paged pool at DISPATCH_LEVEL or above
#include <irql/pool.h>

typedef IRQL_PAGED_VEC(ULONG) PAGED_ULONGS;

IRQL_RANGE(OnDpc, PASSIVE_LEVEL, DISPATCH_LEVEL)
NTSTATUS OnDpc(PAGED_ULONGS *Vec)
{
    IRQL_ENTER(OnDpc);
    return IRQL_VEC_FREE(Vec);
}
