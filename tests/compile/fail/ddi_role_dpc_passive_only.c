/* irql/ddi.h: a routine whose contract is PASSIVE_LEVEL only, handed to KeInitializeDpc through
   the role-checked helper: the kernel runs a KDEFERRED_ROUTINE at DISPATCH_LEVEL. */
// expect: IRQL violation
// expect: IRQL_AS_ROLE(FlushLog, KDEFERRED_ROUTINE)
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
    IRQL_KeInitializeDpc(&Dpc, FlushLog, NULL);
}
