/* IRQL_VEC_RESERVE on a paged vector at DISPATCH_LEVEL. */
// expect: IRQL violation
// expect: IRQL_VEC_RESERVE(Vec, 8)
// expect: cannot allocate paged pool
#include <irql/pool.h>

typedef IRQL_PAGED_VEC(ULONG) PAGED_ULONGS;

IRQL_AT(OnDpc, DISPATCH_LEVEL)
NTSTATUS OnDpc(PAGED_ULONGS *Vec)
{
    IRQL_ENTER(OnDpc);
    return IRQL_VEC_RESERVE(Vec, 8);
}
