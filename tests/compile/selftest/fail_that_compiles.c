/* Harness self-test, run as a fail case: it compiles, so the harness must reject it. */
// expect: IRQL violation
// harness: a fail case compiled
#include <irql/irql.h>

IRQL_MAX(UpToDispatch, DISPATCH_LEVEL)
VOID UpToDispatch(VOID);

IRQL_AT(OnDpc, DISPATCH_LEVEL)
VOID OnDpc(VOID)
{
    IRQL_ENTER(OnDpc);
    IRQL_CALL(UpToDispatch)();
}
