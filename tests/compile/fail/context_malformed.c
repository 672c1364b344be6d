/* A context whose minimum is above its maximum. */
// expect: IRQL violation
// expect: malformed IRQL range for IRQL_CONTEXT(DISPATCH_LEVEL, APC_LEVEL)
// expect: minimum above maximum
#include <irql/irql.h>

VOID Unannotated(VOID)
{
    IRQL_CONTEXT(DISPATCH_LEVEL, APC_LEVEL);
}
