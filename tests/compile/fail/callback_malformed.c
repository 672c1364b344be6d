/* A callback range with its minimum above its maximum. */
// expect: IRQL violation
// expect: malformed IRQL range for OnDpc
// expect: minimum above maximum
#include <irql/irql.h>

typedef VOID DEFERRED_ROUTINE(PVOID Context);

IRQL_AT(OnDpc, DISPATCH_LEVEL)
VOID OnDpc(PVOID Context);

DEFERRED_ROUTINE *Setup(VOID)
{
    return IRQL_CALLBACK(OnDpc, DISPATCH_LEVEL, APC_LEVEL);
}
