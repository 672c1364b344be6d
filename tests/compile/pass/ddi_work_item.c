/* irql/ddi.h: IRQL_ExInitializeWorkItem is one statement (usable as an if/else body without
   braces, with a side effect in an argument) and accepts a WORKER_THREAD_ROUTINE-role or wider
   routine, at any IRQL. tests/unit/test_ddi.c runs it. */
#include <irql/ddi.h>

static WORK_QUEUE_ITEM Items[2];

IRQL_ROLE(OnWork, WORKER_THREAD_ROUTINE)
WORKER_THREAD_ROUTINE OnWork;

/* A wider contract than the role needs is accepted too. */
IRQL_MAX(OnAnyWork, DISPATCH_LEVEL)
VOID NTAPI OnAnyWork(PVOID Parameter);

VOID NTAPI OnWork(PVOID Parameter)
{
    IRQL_ENTER(OnWork);
    IRQL_CALL(ZwClose)((HANDLE)Parameter);
}

IRQL_ROLE(OnWorkDpc, KDEFERRED_ROUTINE)
KDEFERRED_ROUTINE OnWorkDpc;

VOID NTAPI OnWorkDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    IRQL_ENTER(OnWorkDpc);
    int Next = 0;
    (void)Dpc, (void)Arg1, (void)Arg2;
    if (Context != NULL)
        IRQL_ExInitializeWorkItem(&Items[Next++], OnWork, Context);
    else
        IRQL_ExInitializeWorkItem(&Items[Next++], OnAnyWork, NULL);
}

IRQL_RANGE(AtHigh, HIGH_LEVEL, HIGH_LEVEL)
VOID AtHigh(VOID)
{
    IRQL_ENTER(AtHigh);
    IRQL_ExInitializeWorkItem(&Items[1], OnWork, NULL); /* ExInitializeWorkItem: any level */
}
