/* IRQL_VEC_PUSH on a non-paged vector at DIRQL: it may allocate. */
// expect: IRQL violation
// expect: IRQL_VEC_PUSH(Vec, 1)
// expect: cannot allocate non-paged pool at DIRQL
#include <irql/pool.h>

typedef IRQL_NONPAGED_VEC(ULONG) NONPAGED_ULONGS;

IRQL_AT(OnInterrupt, 5)
NTSTATUS OnInterrupt(NONPAGED_ULONGS *Vec)
{
    IRQL_ENTER(OnInterrupt);
    return IRQL_VEC_PUSH(Vec, 1);
}
