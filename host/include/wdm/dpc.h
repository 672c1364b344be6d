/*
 * Deferred procedure calls: KDPC, KeInitializeDpc, KeInitializeThreadedDpc, KeInsertQueueDpc,
 * KeRemoveQueueDpc, KeFlushQueuedDpcs, KeSetImportanceDpc, KeSetTargetProcessorDpc(Ex).
 *
 * The host has one "processor" for DPCs: a host thread (one per process, started by the first
 * KeInsertQueueDpc) that takes DPCs off a single queue and runs each routine at DISPATCH_LEVEL.
 * It raises from PASSIVE_LEVEL for every DPC, so the paged pool is trimmed before each routine
 * runs and a routine that touches paged memory bug-checks 0xA, as under Driver Verifier.
 *
 * IRQL rules (learn.microsoft.com .../ddi/wdm/nf-wdm-keinitializedpc and the other routine
 * pages): every routine here may be called at any IRQL, except KeFlushQueuedDpcs, which
 * requires PASSIVE_LEVEL (above it: Driver Verifier's "kernel API at the incorrect IRQL",
 * 0xC4/0xE5, P2 the IRQL, P4 the highest IRQL allowed).
 *
 * What the host checks after a routine returns, and the stop codes it raises:
 *   - the IRQL is not DISPATCH_LEVEL: 0xC8 IRQL_UNEXPECTED_VALUE, P1 (current IRQL << 16) |
 *     (DISPATCH_LEVEL << 8) | 0xDC, P2 the routine, P3 the KDPC. The documentation assigns
 *     no UniqueValue (the low byte) to DPC routines; 0xDC is the host's.
 *   - a spin lock taken in the routine is still held: DDI compliance rule SpinLock ("the
 *     driver has released all spin locks before the routine ends"), 0xC4/0x40009, P2 the
 *     rule's text, P3 the KDPC.
 *   - the thread's APC-disable count changed (a KMUTEX acquired with a zero timeout and kept,
 *     say): 0xC7 TIMER_OR_DPC_INVALID/0x4, P2 the routine, P3 and P4 the KTHREAD's
 *     CombinedApcDisable before and after (as ps.c reports it for 0x20).
 * Other misuse:
 *   - KeInsertQueueDpc on a KDPC that KeInitializeDpc never initialised: the kernel would call
 *     through a garbage pointer; the host raises STATUS_ACCESS_VIOLATION, which nothing
 *     handles: 0x1E KMODE_EXCEPTION_NOT_HANDLED (0x7E on a system thread).
 *   - KeInitializeDpc on a KDPC that is still queued (its memory reused while the kernel still
 *     links it): 0xC7/0x1 "DPC object found in memory where it is not permitted", P2 the
 *     KDPC, P3/P4 the bytes being overwritten.
 * A routine that bug-checks on the DPC thread ends the process unless a test asked to catch
 * it (IrqlHostCatchDpcBugChecks, IrqlHostRunAsDpc in <irql/host.h>).
 *
 * Threaded DPCs (KeInitializeThreadedDpc) run exactly like ordinary ones, at DISPATCH_LEVEL,
 * as Windows runs them when threaded DPCs are disabled (ThreadDpcEnable = 0, "Introduction to
 * Threaded DPCs"); a CustomThreadedDpc routine must work at either IRQL anyway.
 *
 * Importance and target processor are accepted and stored: HighImportance queues at the head
 * of the one queue, the others at the tail; the target processor changes nothing (there is one
 * DPC "processor").
 *
 * The KDPC is opaque in the WDK; the host keeps its bookkeeping in the fields the kernel uses
 * for its own (DpcData is non-NULL exactly while the DPC is queued).
 */
#ifndef IRQL_HOST_WDM_DPC_H
#define IRQL_HOST_WDM_DPC_H

#ifndef IRQL_HOST_SINGLE_LIST_ENTRY_DEFINED
#define IRQL_HOST_SINGLE_LIST_ENTRY_DEFINED
typedef struct _SINGLE_LIST_ENTRY {
    struct _SINGLE_LIST_ENTRY *Next;
} SINGLE_LIST_ENTRY, *PSINGLE_LIST_ENTRY;
#endif


/* KOBJECTS values of a KDPC's Type (the rest of KOBJECTS is in <wdm/dispatcher.h>). */
enum { DpcObject = 0x13, ThreadedDpcObject = 0x18 };

typedef enum _KDPC_IMPORTANCE {
    LowImportance,
    MediumImportance,
    HighImportance,
    MediumHighImportance,
} KDPC_IMPORTANCE;

struct _KDPC;

typedef _Function_class_(KDEFERRED_ROUTINE) _IRQL_requires_(DISPATCH_LEVEL)
VOID KDEFERRED_ROUTINE(_In_ struct _KDPC *Dpc, _In_opt_ PVOID DeferredContext,
                       _In_opt_ PVOID SystemArgument1, _In_opt_ PVOID SystemArgument2);
typedef KDEFERRED_ROUTINE *PKDEFERRED_ROUTINE;

/* x64 layout of the WDK's KDPC. */
typedef struct _KDPC {
    /* The WDK overlays these four bytes with TargetInfoAsUlong in an anonymous struct; the
       host keeps the flat view so the header also compiles as ISO C++. */
    UCHAR Type;                      /* DpcObject or ThreadedDpcObject once initialised */
    UCHAR Importance;                /* KDPC_IMPORTANCE */
    volatile USHORT Number;          /* target processor */
    SINGLE_LIST_ENTRY DpcListEntry;  /* link in the DPC queue */
    KAFFINITY ProcessorHistory;      /* host: the order in which it was queued */
    PKDEFERRED_ROUTINE DeferredRoutine;
    PVOID DeferredContext;
    PVOID SystemArgument1;
    PVOID SystemArgument2;
    volatile PVOID DpcData;          /* non-NULL while queued */
} KDPC, *PKDPC, *PRKDPC;

IRQL_HOST_BEGIN_DECLS

/* Make Dpc a DPC that runs DeferredRoutine(Dpc, DeferredContext, …). Any IRQL. */
NTKERNELAPI VOID KeInitializeDpc(_Out_ PRKDPC Dpc, _In_ PKDEFERRED_ROUTINE DeferredRoutine,
                                 _In_opt_ PVOID DeferredContext);

/* The same for a threaded DPC; on the host it runs like an ordinary DPC. Any IRQL. */
NTKERNELAPI VOID KeInitializeThreadedDpc(_Out_ PRKDPC Dpc, _In_ PKDEFERRED_ROUTINE DeferredRoutine,
                                         _In_opt_ PVOID DeferredContext);

/*
 * Queue Dpc with the two system arguments its routine receives. Returns FALSE, doing nothing
 * else, if it is already queued (it may be queued again once its routine has started). Any
 * IRQL up to HIGH_LEVEL.
 */
NTKERNELAPI BOOLEAN KeInsertQueueDpc(_Inout_ PRKDPC Dpc, _In_opt_ PVOID SystemArgument1,
                                     _In_opt_ PVOID SystemArgument2);

/* Take Dpc off the queue: TRUE if it was queued (its routine then does not run, and had not
   started), FALSE if it was not. Any IRQL. */
NTKERNELAPI BOOLEAN KeRemoveQueueDpc(_Inout_ PRKDPC Dpc);

/*
 * Return once every DPC queued before the call has run to completion (or been removed); DPCs
 * queued during the call carry no guarantee. PASSIVE_LEVEL only. On the host the wait is
 * bounded by the hang limit (<irql/host.h>): a DPC that never finishes bug-checks
 * IRQL_HOST_BUGCHECK_HANG here.
 */
_IRQL_requires_max_(PASSIVE_LEVEL)
NTKERNELAPI VOID KeFlushQueuedDpcs(VOID);

/* Accepted and recorded. HighImportance queues at the head; the others at the tail. */
NTKERNELAPI VOID KeSetImportanceDpc(_Inout_ PRKDPC Dpc, _In_ KDPC_IMPORTANCE Importance);

/* Recorded, no effect: one DPC "processor". Number is ignored unless below the host's
   processor count, as Windows 7+ ignores an out-of-range one. */
NTKERNELAPI VOID KeSetTargetProcessorDpc(_Inout_ PRKDPC Dpc, _In_ CCHAR Number);

/* Recorded, no effect. STATUS_INVALID_PARAMETER for a group other than 0 or a processor
   number not below the host's processor count. */
NTKERNELAPI NTSTATUS KeSetTargetProcessorDpcEx(_Inout_ PKDPC Dpc,
                                               _In_ PPROCESSOR_NUMBER ProcNumber);

IRQL_HOST_END_DECLS

#endif
