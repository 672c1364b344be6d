/* irql/ddi.h: a system worker thread runs a WORKER_THREAD_ROUTINE at PASSIVE_LEVEL; a routine
   declared for DISPATCH_LEVEL only is rejected by IRQL_ExInitializeWorkItem. */
// expect: IRQL violation
// expect: IRQL_AS_ROLE(DrainQueue, WORKER_THREAD_ROUTINE)
// expect: below DrainQueue
// expect: minimum IRQL
#include <irql/ddi.h>

static WORK_QUEUE_ITEM Item;

IRQL_AT(DrainQueue, DISPATCH_LEVEL)
VOID NTAPI DrainQueue(PVOID Parameter);

IRQL_ROLE(OnDpc, KDEFERRED_ROUTINE)
VOID NTAPI OnDpc(VOID)
{
    IRQL_ENTER(OnDpc);
    IRQL_ExInitializeWorkItem(&Item, DrainQueue, NULL);
}
