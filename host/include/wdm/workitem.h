/*
 * Executive work items: WORK_QUEUE_ITEM, WORKER_THREAD_ROUTINE, ExInitializeWorkItem.
 *
 * Only the initialisation, which the WDK defines in wdm.h itself (learn.microsoft.com
 * .../ddi/wdm/nf-wdm-exinitializeworkitem: "Any level"; .../ns-wdm-_work_queue_item). The host
 * has no system worker threads, so ExQueueWorkItem and WORK_QUEUE_TYPE are not provided: a
 * driver that queues executive work items does not build on the host, rather than build and
 * never run them. Drivers should use IoAllocateWorkItem/IoQueueWorkItem anyway (the page's
 * Remarks); those are not emulated either (docs/host-kernel.md).
 */
#ifndef IRQL_HOST_WDM_WORKITEM_H
#define IRQL_HOST_WDM_WORKITEM_H

/* A system worker thread calls it at PASSIVE_LEVEL with the item's Parameter. */
typedef _Function_class_(WORKER_THREAD_ROUTINE) _IRQL_requires_(PASSIVE_LEVEL)
VOID WORKER_THREAD_ROUTINE(_In_ PVOID Parameter);
typedef WORKER_THREAD_ROUTINE *PWORKER_THREAD_ROUTINE;

/* The WDK's layout. The item must be nonpaged; the routine usually frees it. */
typedef struct _WORK_QUEUE_ITEM {
    LIST_ENTRY List; /* the worker queue's link; NULL Flink until queued */
    PWORKER_THREAD_ROUTINE WorkerRoutine;
    volatile PVOID Parameter;
} WORK_QUEUE_ITEM, *PWORK_QUEUE_ITEM;

/*
 * ExInitializeWorkItem(Item, Routine, Context) — a statement, as in the WDK (whose macro is three
 * statements, and a braced block in mingw-w64), so code that uses it as an expression fails here
 * as it would there. Any IRQL.
 */
#define ExInitializeWorkItem(Item, Routine, Context) \
    do {                                             \
        (Item)->WorkerRoutine = (Routine);           \
        (Item)->Parameter = (Context);               \
        (Item)->List.Flink = NULL;                   \
    } while (0)

#endif
