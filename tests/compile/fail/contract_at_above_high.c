/* IRQL_AT above HIGH_LEVEL breaks both bounds of the contract, and is still one error. */
// expect: IRQL violation
// expect: malformed IRQL range for the contract of Beyond
// expect: a level above HIGH_LEVEL
#include <irql/irql.h>

IRQL_AT(Beyond, HIGH_LEVEL + 3)
VOID Beyond(VOID);
