/* A nested raise below the enclosing raise block's level is a lower. */
// expect: IRQL violation
// expect: IRQL_RAISE(APC_LEVEL) may lower the IRQL
#include <irql/irql.h>

IRQL_AT(Passive, PASSIVE_LEVEL)
VOID Passive(VOID)
{
    IRQL_ENTER(Passive);
    IRQL_RAISE(DISPATCH_LEVEL) {
        IRQL_RAISE(APC_LEVEL) {
        }
    }
}
