/* irql/ddi.h: a routine declared as an ordinary DPC routine (DISPATCH_LEVEL only) handed to
   KeInitializeThreadedDpc through the role-checked helper: a threaded DPC runs at PASSIVE_LEVEL
   while threaded DPCs are enabled, so the routine's contract must reach down to PASSIVE_LEVEL. */
// expect: IRQL violation
// expect: IRQL_AS_ROLE(OnDpc, KDEFERRED_ROUTINE_THREADED)
// expect: below OnDpc
// expect: minimum IRQL
#include <irql/ddi.h>

static KDPC Dpc;

IRQL_ROLE(OnDpc, KDEFERRED_ROUTINE)
KDEFERRED_ROUTINE OnDpc;

IRQL_ROLE(Start, DRIVER_DISPATCH_PAGED)
VOID Start(VOID)
{
    IRQL_ENTER(Start);
    IRQL_KeInitializeThreadedDpc(&Dpc, OnDpc, NULL);
}
