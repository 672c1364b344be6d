/* A typed-pointer range above HIGH_LEVEL. */
// expect: IRQL violation
// expect: malformed IRQL range for PBAD_FN
// expect: a level above HIGH_LEVEL
#include <irql/irql.h>

IRQL_FN_TYPE(PBAD_FN, PASSIVE_LEVEL, HIGH_LEVEL + 1, VOID, (VOID));
