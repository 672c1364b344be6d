/* A contract with its minimum above its maximum. */
// expect: IRQL violation
// expect: malformed IRQL range for the contract of Backwards
// expect: minimum above maximum
#include <irql/irql.h>

IRQL_RANGE(Backwards, DISPATCH_LEVEL, APC_LEVEL)
VOID Backwards(VOID);
