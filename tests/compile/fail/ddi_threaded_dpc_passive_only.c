/* irql/ddi.h: a PASSIVE_LEVEL-only routine handed to KeInitializeThreadedDpc through the
   role-checked helper: a threaded DPC runs at DISPATCH_LEVEL when threaded DPCs are disabled. */
// expect: IRQL violation
// expect: IRQL_AS_ROLE(FlushLog, KDEFERRED_ROUTINE_THREADED)
// expect: above FlushLog
// expect: maximum IRQL
#include <irql/ddi.h>

static KDPC Dpc;

IRQL_MAX(FlushLog, PASSIVE_LEVEL)
VOID NTAPI FlushLog(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2);

IRQL_ROLE(Start, DRIVER_DISPATCH_PAGED)
VOID Start(VOID)
{
    IRQL_ENTER(Start);
    IRQL_KeInitializeThreadedDpc(&Dpc, FlushLog, NULL);
}
