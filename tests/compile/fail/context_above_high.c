/* A context that names a level above HIGH_LEVEL. */
// expect: IRQL violation
// expect: malformed IRQL range for IRQL_CONTEXT(DISPATCH_LEVEL, HIGH_LEVEL + 1)
// expect: a level above HIGH_LEVEL
#include <irql/irql.h>

VOID Unannotated(VOID)
{
    IRQL_CONTEXT(DISPATCH_LEVEL, HIGH_LEVEL + 1);
}
