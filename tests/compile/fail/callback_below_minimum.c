/* A DISPATCH-only routine handed over as a work item, which runs at PASSIVE_LEVEL. */
// expect: IRQL violation
// expect: IRQL_CALLBACK(OnDpc): it may be run below OnDpc
// expect: minimum IRQL
#include <irql/irql.h>

typedef VOID WORKER_ROUTINE(PVOID Context);

IRQL_AT(OnDpc, DISPATCH_LEVEL)
VOID OnDpc(PVOID Context);

WORKER_ROUTINE *Setup(VOID)
{
    return IRQL_CALLBACK(OnDpc, PASSIVE_LEVEL, PASSIVE_LEVEL);
}
