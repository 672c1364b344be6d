/* Allocating non-paged pool in code without a contract: it may run above DISPATCH_LEVEL. */
// expect: IRQL violation
// expect: IRQL_VEC_RESERVE(Vec, 4)
// expect: may allocate non-paged pool only at or below DISPATCH_LEVEL
// expect: no IRQL contract
#include <irql/pool.h>

typedef IRQL_NONPAGED_VEC(ULONG) NONPAGED_ULONGS;

NTSTATUS Grow(NONPAGED_ULONGS *Vec)
{
    return IRQL_VEC_RESERVE(Vec, 4);
}
