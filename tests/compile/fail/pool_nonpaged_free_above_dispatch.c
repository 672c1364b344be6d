/* Freeing a non-paged box at DIRQL. */
// expect: IRQL violation
// expect: IRQL_BOX_FREE(Box)
// expect: cannot free non-paged pool at DIRQL
#include <irql/pool.h>

typedef IRQL_NONPAGED_BOX(ULONG) NONPAGED_ULONG_BOX;

IRQL_AT(OnInterrupt, 5)
NTSTATUS OnInterrupt(NONPAGED_ULONG_BOX *Box)
{
    IRQL_ENTER(OnInterrupt);
    return IRQL_BOX_FREE(Box);
}
