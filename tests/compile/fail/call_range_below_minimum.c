/* The case the Rust crate misses: a [PASSIVE, DISPATCH] body may run at PASSIVE, below a
   DISPATCH-only callee's minimum, although its maximum reaches the callee. */
// expect: IRQL violation
// expect: IRQL_CALL(DpcOnly)
// expect: below DpcOnly
// expect: minimum IRQL
#include <irql/irql.h>

IRQL_AT(DpcOnly, DISPATCH_LEVEL)
VOID DpcOnly(VOID);

IRQL_MAX(UpToDispatch, DISPATCH_LEVEL)
VOID UpToDispatch(VOID)
{
    IRQL_ENTER(UpToDispatch);
    IRQL_CALL(DpcOnly)();
}
