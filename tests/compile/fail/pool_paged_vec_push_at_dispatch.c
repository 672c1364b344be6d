/* IRQL_VEC_PUSH on a paged vector at DISPATCH_LEVEL. */
// expect: IRQL violation
// expect: IRQL_VEC_PUSH(Vec, 1)
// expect: cannot allocate paged pool at DISPATCH_LEVEL or above
#include <irql/pool.h>

typedef IRQL_PAGED_VEC(ULONG) PAGED_ULONGS;

IRQL_AT(OnDpc, DISPATCH_LEVEL)
NTSTATUS OnDpc(PAGED_ULONGS *Vec)
{
    IRQL_ENTER(OnDpc);
    return IRQL_VEC_PUSH(Vec, 1);
}
