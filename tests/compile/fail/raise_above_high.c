/* A raise above HIGH_LEVEL. */
// expect: IRQL violation
// expect: IRQL_RAISE(HIGH_LEVEL + 1)
// expect: a level above HIGH_LEVEL
#include <irql/irql.h>

IRQL_AT(Passive, PASSIVE_LEVEL)
VOID Passive(VOID)
{
    IRQL_ENTER(Passive);
    IRQL_RAISE(HIGH_LEVEL + 1) {
    }
}
