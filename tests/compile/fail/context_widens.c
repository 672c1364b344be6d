/* IRQL_CONTEXT may only narrow: claiming [PASSIVE, HIGH] in a DISPATCH body widens it. */
// expect: IRQL violation
// expect: IRQL_CONTEXT(PASSIVE_LEVEL, HIGH_LEVEL) widens the enclosing range
#include <irql/irql.h>

IRQL_AT(OnDpc, DISPATCH_LEVEL)
VOID OnDpc(VOID)
{
    IRQL_ENTER(OnDpc);
    {
        IRQL_CONTEXT(PASSIVE_LEVEL, HIGH_LEVEL);
    }
}
