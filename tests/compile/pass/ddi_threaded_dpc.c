/* irql/ddi.h: IRQL_KeInitializeThreadedDpc accepts a routine whose contract covers
   PASSIVE_LEVEL … DISPATCH_LEVEL (KDEFERRED_ROUTINE_THREADED), declared by role or by range, and
   the role-declared routine's body may call what both IRQLs allow. */
#include <irql/ddi.h>

static KDPC ThreadedDpc;
static KEVENT ThreadedDone;

IRQL_ROLE(OnThreadedDpc, KDEFERRED_ROUTINE_THREADED)
KDEFERRED_ROUTINE OnThreadedDpc;

/* A wider contract than the role needs is accepted too. */
IRQL_MAX(OnAnyThreadedDpc, HIGH_LEVEL)
VOID NTAPI OnAnyThreadedDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2);

static PKDEFERRED_ROUTINE const ThreadedRoutines[] = {
    IRQL_AS_ROLE(OnThreadedDpc, KDEFERRED_ROUTINE_THREADED),
    IRQL_AS_ROLE(OnAnyThreadedDpc, KDEFERRED_ROUTINE_THREADED)};

VOID NTAPI OnThreadedDpc(PKDPC D, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    IRQL_ENTER(OnThreadedDpc);
    (void)D, (void)Context, (void)Arg1, (void)Arg2;
    (void)IRQL_CALL(IrqlKeWaitPoll)(&ThreadedDone);
    (void)IRQL_CALL(IrqlKeSetEventNoWait)(&ThreadedDone, 0);
}

IRQL_ROLE(StartThreaded, DRIVER_DISPATCH)
VOID StartThreaded(VOID)
{
    IRQL_ENTER(StartThreaded);
    IRQL_KeInitializeThreadedDpc(&ThreadedDpc, OnThreadedDpc, NULL);
    IRQL_KeInitializeThreadedDpc(&ThreadedDpc, OnAnyThreadedDpc, &ThreadedDone);
    KeInitializeThreadedDpc(&ThreadedDpc, ThreadedRoutines[0], NULL);
    (void)IRQL_CALL(KeInsertQueueDpc)(&ThreadedDpc, NULL, NULL);
}
