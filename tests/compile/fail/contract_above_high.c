/* A contract above HIGH_LEVEL (x64 numbering: 16). */
// expect: IRQL violation
// expect: malformed IRQL range for the contract of TooHigh
// expect: a level above HIGH_LEVEL
#include <irql/irql.h>

IRQL_MAX(TooHigh, HIGH_LEVEL + 1)
VOID TooHigh(VOID);
