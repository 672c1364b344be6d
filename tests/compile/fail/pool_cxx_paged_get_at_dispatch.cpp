// The pool rules hold in C++ too: a paged box touched in DISPATCH_LEVEL code.
// expect: IRQL violation
// expect: IRQL_BOX_GET(Box)
// expect: cannot touch paged pool at DISPATCH_LEVEL or above
#include <irql/pool.h>

typedef IRQL_PAGED_BOX(ULONG) PAGED_ULONG_BOX;

IRQL_AT(OnDpc, DISPATCH_LEVEL)
ULONG OnDpc(PAGED_ULONG_BOX *Box)
{
    IRQL_ENTER(OnDpc);
    return *IRQL_BOX_GET(Box);
}
