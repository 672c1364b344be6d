/* irql/ddi.h: callbacks declared by WDK role, handed to the kernel through the role-checked
   helpers and IRQL_AS_ROLE (also in static initialisers). */
#include <irql/ddi.h>

static KDPC Dpc;

IRQL_ROLE(OnDpc, KDEFERRED_ROUTINE)
KDEFERRED_ROUTINE OnDpc;

/* A routine with a wider contract than the role needs is accepted too. */
IRQL_MAX(OnAnyDpc, DISPATCH_LEVEL)
VOID NTAPI OnAnyDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2);

IRQL_ROLE(ThreadMain, KSTART_ROUTINE)
KSTART_ROUTINE ThreadMain;

IRQL_ROLE(OnInterrupt, KSERVICE_ROUTINE)
BOOLEAN NTAPI OnInterrupt(PVOID Interrupt, PVOID Context);

IRQL_ROLE(OnComplete, IO_COMPLETION_ROUTINE)
NTSTATUS NTAPI OnComplete(PVOID Device, PVOID Irp, PVOID Context);

static PKDEFERRED_ROUTINE const Routines[] = {IRQL_AS_ROLE(OnDpc, KDEFERRED_ROUTINE),
                                              IRQL_AS_ROLE(OnAnyDpc, KDEFERRED_ROUTINE)};

VOID NTAPI OnDpc(PKDPC D, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    IRQL_ENTER(OnDpc);
    (void)D, (void)Context, (void)Arg1, (void)Arg2;
    IRQL_CALL(KeInsertQueueDpc)(&Dpc, NULL, NULL);
}

BOOLEAN NTAPI OnInterrupt(PVOID Interrupt, PVOID Context)
{
    IRQL_ENTER(OnInterrupt);
    (void)Interrupt, (void)Context;
    return IRQL_CALL(KeInsertQueueDpc)(&Dpc, NULL, NULL);
}

IRQL_ROLE(Entry, DRIVER_INITIALIZE)
NTSTATUS Entry(VOID)
{
    IRQL_ENTER(Entry);
    HANDLE Thread;
    IRQL_KeInitializeDpc(&Dpc, OnDpc, NULL);
    KeInitializeDpc(&Dpc, Routines[1], NULL);
    return IRQL_PsCreateSystemThread(&Thread, 0, NULL, NULL, NULL, ThreadMain, NULL);
}
