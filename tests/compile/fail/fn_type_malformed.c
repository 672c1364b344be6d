/* A typed-pointer range with its minimum above its maximum. */
// expect: IRQL violation
// expect: malformed IRQL range for PBAD_FN
// expect: minimum above maximum
#include <irql/irql.h>

IRQL_FN_TYPE(PBAD_FN, DISPATCH_LEVEL, APC_LEVEL, VOID, (VOID));
