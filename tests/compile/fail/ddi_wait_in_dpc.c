/* irql/ddi.h: KeWaitForSingleObject with a timeout other than zero needs <= APC_LEVEL, so its
   contract is <= APC_LEVEL: a wait in a DPC routine does not compile (IrqlKeWaitPoll does). */
// expect: IRQL violation
// expect: IRQL_CALL(KeWaitForSingleObject)
// expect: above KeWaitForSingleObject
// expect: maximum IRQL
#include <irql/ddi.h>

static KEVENT Event;

IRQL_ROLE(OnDpc, KDEFERRED_ROUTINE)
KDEFERRED_ROUTINE OnDpc;

VOID NTAPI OnDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    IRQL_ENTER(OnDpc);
    (void)Dpc, (void)Context, (void)Arg1, (void)Arg2;
    (void)IRQL_CALL(IrqlKeWaitPoll)(&Event); /* fine: zero timeout */
    (void)IRQL_CALL(KeWaitForSingleObject)(&Event, Executive, KernelMode, FALSE, NULL);
}
