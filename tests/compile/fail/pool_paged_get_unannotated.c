/* GET of a paged box in code without a contract: it may run at any IRQL. */
// expect: IRQL violation
// expect: IRQL_BOX_GET(Box)
// expect: may touch paged pool only at or below APC_LEVEL
// expect: no IRQL contract
#include <irql/pool.h>

typedef IRQL_PAGED_BOX(ULONG) PAGED_ULONG_BOX;

ULONG Read(PAGED_ULONG_BOX *Box)
{
    return *IRQL_BOX_GET(Box);
}
