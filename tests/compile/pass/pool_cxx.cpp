// The pool macros in C++: the same types and checks (in lambdas, as irql.h does).
#include <irql/pool.h>

#define TAG 0x78786350UL /* "Pcxx" */

typedef IRQL_PAGED_BOX(ULONG) PAGED_ULONG_BOX;
typedef IRQL_NONPAGED_VEC(ULONG) NONPAGED_ULONGS;

IRQL_MAX(UseBox, PASSIVE_LEVEL)
NTSTATUS UseBox(PAGED_ULONG_BOX *Box, NONPAGED_ULONGS *Vec)
{
    IRQL_ENTER(UseBox);
    NTSTATUS Status = IRQL_BOX_NEW(Box, TAG);
    if (NT_SUCCESS(Status)) {
        *IRQL_BOX_GET(Box) = 1;
        ULONG *Raw = IRQL_BOX_INTO_RAW(Box);
        Status = IRQL_BOX_FROM_RAW(Box, Raw, TAG);
    }
    if (NT_SUCCESS(Status)) {
        Status = IRQL_VEC_PUSH(Vec, 2);
    }
    if (NT_SUCCESS(Status) && IRQL_VEC_AT(Vec, 0) != NULL) {
        *IRQL_VEC_AT(Vec, 0) = 3;
    }
    (void)IRQL_VEC_FREE(Vec);
    return IRQL_BOX_FREE(Box);
}
