/* IRQL_VEC_POP on a paged vector at DISPATCH_LEVEL. */
// expect: IRQL violation
// expect: IRQL_VEC_POP(Vec, NULL)
// expect: cannot touch paged pool
#include <irql/pool.h>

typedef IRQL_PAGED_VEC(ULONG) PAGED_ULONGS;

IRQL_AT(OnDpc, DISPATCH_LEVEL)
NTSTATUS OnDpc(PAGED_ULONGS *Vec)
{
    IRQL_ENTER(OnDpc);
    return IRQL_VEC_POP(Vec, NULL);
}
