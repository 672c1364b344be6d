/* irql/ddi.h: IrqlKeWaitMultiplePoll, the zero-timeout KeWaitForMultipleObjects, is callable at
   DISPATCH_LEVEL (a DPC, a spin-lock scope) where KeWaitForMultipleObjects is not. */
#include <irql/ddi.h>

static KEVENT Ready, Stop;
static KMUTEX Mutex;

IRQL_ROLE(OnPollDpc, KDEFERRED_ROUTINE)
KDEFERRED_ROUTINE OnPollDpc;

VOID NTAPI OnPollDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    IRQL_ENTER(OnPollDpc);
    PVOID Objects[3] = {&Ready, &Stop, &Mutex};
    KWAIT_BLOCK Blocks[3];
    (void)Dpc, (void)Context, (void)Arg1, (void)Arg2;
    if (IRQL_CALL(IrqlKeWaitMultiplePoll)(2, Objects, WaitAny, NULL) == STATUS_WAIT_0 + 1) {
        return;
    }
    if (IRQL_CALL(IrqlKeWaitMultiplePoll)(3, Objects, WaitAll, Blocks) == STATUS_SUCCESS) {
        (void)IRQL_CALL(KeReleaseMutex)(&Mutex, FALSE);
    }
}

IRQL_MAX(PollOrWait, APC_LEVEL)
NTSTATUS PollOrWait(BOOLEAN Poll)
{
    IRQL_ENTER(PollOrWait);
    PVOID Objects[2] = {&Ready, &Stop};
    if (Poll) {
        return IRQL_CALL(IrqlKeWaitMultiplePoll)(2, Objects, WaitAll, NULL);
    }
    return IRQL_CALL(KeWaitForMultipleObjects)(2, Objects, WaitAny, Executive, KernelMode, FALSE,
                                              NULL, NULL);
}
