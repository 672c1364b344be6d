/*
 * DPCs: the one DPC queue, the host's DPC thread that drains it at DISPATCH_LEVEL, the checks
 * made when a routine returns, and the test hooks (IrqlHostRunAsDpc, IrqlHostDrainDpcs,
 * IrqlHostCatchDpcBugChecks). See <wdm/dpc.h> for the rules and stop codes.
 *
 * One process-wide mutex (DpcLock) guards the queue, every queued KDPC's links and arguments,
 * and the DPC thread's state. It is never held while a routine runs, and no bug check is ever
 * raised with it held (a caught bug check unwinds by longjmp and would leave it locked).
 *
 * Every KeInsertQueueDpc gets a ticket (kept in the KDPC's ProcessorHistory), increasing in
 * the order of insertion. KeFlushQueuedDpcs waits until no DPC with a ticket up to the last
 * one issued at its call is queued or running; driver unload asks which DPCs queued after its
 * load are still pending.
 *
 * A routine that bug-checks under a catch (IrqlHostCatchDpcBugChecks, IrqlHostRunAsDpc) ends
 * the DPC thread once the report is recorded, so whatever per-thread state the routine left
 * behind (a spin lock's acquisition record, an owned KMUTEX, which is abandoned) dies with it;
 * the next DPC starts a fresh thread.
 */
#include "dpc.h"
#include "bugcheck.h"
#include "clock.h"
#include "dispatcher.h"
#include "locks.h"

#include <irql/host.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* 0xC8's UniqueValue (low byte of P1) for a DPC routine: the documentation assigns none. */
#define DPC_UNIQUE_VALUE 0xDC

/* DDI compliance rule SpinLock: every spin lock released before the routine ends. */
#define DV_RULE_SPIN_LOCK 0x40009
static const char SpinLockRule[] =
    "SpinLock: the driver releases every spin lock it acquired before the routine ends";

/* A function pointer as data, for %p and bug-check parameters. */
#define FN(Routine) ((void *)(ULONG_PTR)(Routine))

/* IrqlHostRunAsDpc's request: heap-allocated, freed by whichever side lets go last. */
typedef struct _RUN_AS_DPC {
    KDPC Dpc;
    PIRQL_HOST_ROUTINE Routine;
    PVOID Context;
    BOOLEAN Done;
    BOOLEAN Abandoned; /* the caller stopped waiting (hang): the DPC thread frees it */
    BOOLEAN BugChecked;
    IRQL_HOST_BUGCHECK Report;
} RUN_AS_DPC;

static KDEFERRED_ROUTINE RunAsDpcRoutine;

static pthread_once_t InitOnce = PTHREAD_ONCE_INIT;
static pthread_mutex_t DpcLock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t Work;     /* the DPC thread waits here for a DPC */
static pthread_cond_t Progress; /* CLOCK_MONOTONIC; broadcast when a DPC finishes or leaves */

static struct {
    PKDPC Head, Tail;
    ULONG64 Ticket;          /* the last ticket issued */
    BOOLEAN ThreadRunning;
    /* The DPC being run (RunningTicket 0: none). */
    ULONG64 RunningTicket;
    PKDPC RunningDpc;
    PKDEFERRED_ROUTINE RunningRoutine;
    /* IrqlHostCatchDpcBugChecks. */
    BOOLEAN CatchBugChecks;
    BOOLEAN BugChecked;
    IRQL_HOST_BUGCHECK BugCheck;
} Dpcs;

/* DpcData of a queued KDPC. */
#define QUEUED_MARK ((PVOID)&Dpcs)

static void Initialize(void)
{
    pthread_condattr_t Attributes;
    pthread_cond_init(&Work, NULL);
    pthread_condattr_init(&Attributes);
    pthread_condattr_setclock(&Attributes, CLOCK_MONOTONIC);
    pthread_cond_init(&Progress, &Attributes);
    pthread_condattr_destroy(&Attributes);
}

static void Lock(void)
{
    pthread_once(&InitOnce, Initialize);
    pthread_mutex_lock(&DpcLock);
}

static void Unlock(void)
{
    pthread_mutex_unlock(&DpcLock);
}

static PKDPC NextOf(PKDPC Dpc)
{
    PSINGLE_LIST_ENTRY Next = Dpc->DpcListEntry.Next;
    return Next != NULL ? CONTAINING_RECORD(Next, KDPC, DpcListEntry) : NULL;
}

/* Lock held. Is Dpc on the queue? (Walks it: Dpc may be uninitialised memory.) */
static BOOLEAN OnQueue(PKDPC Dpc)
{
    for (PKDPC Entry = Dpcs.Head; Entry != NULL; Entry = NextOf(Entry)) {
        if (Entry == Dpc) {
            return TRUE;
        }
    }
    return FALSE;
}

/* Lock held. Unlink Dpc (queued) from the queue. */
static void Unlink(PKDPC Dpc)
{
    PKDPC Previous = NULL;
    for (PKDPC Entry = Dpcs.Head; Entry != NULL; Previous = Entry, Entry = NextOf(Entry)) {
        if (Entry != Dpc) {
            continue;
        }
        if (Previous == NULL) {
            Dpcs.Head = NextOf(Dpc);
        } else {
            Previous->DpcListEntry.Next = Dpc->DpcListEntry.Next;
        }
        if (Dpcs.Tail == Dpc) {
            Dpcs.Tail = Previous;
        }
        break;
    }
    Dpc->DpcListEntry.Next = NULL;
    Dpc->DpcData = NULL;
}

/* ---- Initialisation and the queue ------------------------------------------------------ */

static void InitializeDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext,
                          UCHAR Type, const char *Routine)
{
    Lock();
    if (OnQueue(Dpc)) {
        Unlock();
        IrqlpBugCheck(TIMER_OR_DPC_INVALID, 1, (ULONG_PTR)Dpc, (ULONG_PTR)Dpc,
                      (ULONG_PTR)(Dpc + 1),
                      "%s(%p): the DPC is still queued; initialising it overwrites a DPC object "
                      "the kernel still links (remove it with KeRemoveQueueDpc first)",
                      Routine, (void *)Dpc);
    }
    Dpc->Type = 0;
    Dpc->Importance = 0;
    Dpc->Number = 0;
    Dpc->Type = Type;
    Dpc->Importance = MediumImportance;
    Dpc->Number = 0;
    Dpc->DpcListEntry.Next = NULL;
    Dpc->ProcessorHistory = 0;
    Dpc->DeferredRoutine = DeferredRoutine;
    Dpc->DeferredContext = DeferredContext;
    Dpc->SystemArgument1 = NULL;
    Dpc->SystemArgument2 = NULL;
    Dpc->DpcData = NULL;
    Unlock();
}

VOID KeInitializeDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext)
{
    InitializeDpc(Dpc, DeferredRoutine, DeferredContext, DpcObject, "KeInitializeDpc");
}

VOID KeInitializeThreadedDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine,
                             PVOID DeferredContext)
{
    InitializeDpc(Dpc, DeferredRoutine, DeferredContext, ThreadedDpcObject,
                  "KeInitializeThreadedDpc");
}

static void *DpcThreadMain(void *Unused);

/* Lock held. Start the DPC thread if there is none. */
static void EnsureThread(void)
{
    pthread_attr_t Attributes;
    pthread_t Id;
    int Error;

    if (Dpcs.ThreadRunning) {
        return;
    }
    pthread_attr_init(&Attributes);
    pthread_attr_setdetachstate(&Attributes, PTHREAD_CREATE_DETACHED);
    Error = pthread_create(&Id, &Attributes, DpcThreadMain, NULL);
    pthread_attr_destroy(&Attributes);
    if (Error != 0) {
        fprintf(stderr, "irql host: cannot start the DPC thread (error %d)\n", Error);
        abort();
    }
    pthread_setname_np(Id, "irql-dpc");
    Dpcs.ThreadRunning = TRUE;
}

BOOLEAN KeInsertQueueDpc(PRKDPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2)
{
    ULONG_PTR Caller = (ULONG_PTR)__builtin_return_address(0);

    Lock();
    if ((Dpc->Type != DpcObject && Dpc->Type != ThreadedDpcObject) ||
        Dpc->DeferredRoutine == NULL) {
        Unlock();
        IrqlpRaiseStatus(STATUS_ACCESS_VIOLATION, Caller, 0, (ULONG_PTR)&Dpc->DeferredRoutine,
                         "KeInsertQueueDpc(%p): not an initialised DPC (KeInitializeDpc never "
                         "ran on it)",
                         (void *)Dpc);
    }
    if (Dpc->DpcData != NULL) {
        Unlock();
        return FALSE;
    }
    Dpc->SystemArgument1 = SystemArgument1;
    Dpc->SystemArgument2 = SystemArgument2;
    Dpc->ProcessorHistory = (KAFFINITY)++Dpcs.Ticket;
    Dpc->DpcData = QUEUED_MARK;
    if (Dpcs.Head == NULL) {
        Dpc->DpcListEntry.Next = NULL;
        Dpcs.Head = Dpcs.Tail = Dpc;
    } else if (Dpc->Importance == HighImportance) {
        Dpc->DpcListEntry.Next = &Dpcs.Head->DpcListEntry;
        Dpcs.Head = Dpc;
    } else {
        Dpc->DpcListEntry.Next = NULL;
        Dpcs.Tail->DpcListEntry.Next = &Dpc->DpcListEntry;
        Dpcs.Tail = Dpc;
    }
    EnsureThread();
    pthread_cond_signal(&Work);
    Unlock();
    return TRUE;
}

BOOLEAN KeRemoveQueueDpc(PRKDPC Dpc)
{
    BOOLEAN Queued;

    Lock();
    Queued = Dpc->DpcData != NULL;
    if (Queued) {
        Unlink(Dpc);
        pthread_cond_broadcast(&Progress);
    }
    Unlock();
    return Queued;
}

VOID KeSetImportanceDpc(PRKDPC Dpc, KDPC_IMPORTANCE Importance)
{
    Lock();
    Dpc->Importance = (UCHAR)Importance;
    Unlock();
}

static ULONG ProcessorCount(void)
{
    long Count = sysconf(_SC_NPROCESSORS_CONF);
    return Count > 0 ? (ULONG)Count : 1;
}

VOID KeSetTargetProcessorDpc(PRKDPC Dpc, CCHAR Number)
{
    /* Windows 7+: a number not below the active count in group 0 leaves the target as is. */
    if ((ULONG)(UCHAR)Number < ProcessorCount()) {
        Lock();
        Dpc->Number = (USHORT)(UCHAR)Number;
        Unlock();
    }
}

NTSTATUS KeSetTargetProcessorDpcEx(PKDPC Dpc, PPROCESSOR_NUMBER ProcNumber)
{
    if (ProcNumber == NULL || ProcNumber->Group != 0 || ProcNumber->Number >= ProcessorCount()) {
        return STATUS_INVALID_PARAMETER;
    }
    Lock();
    Dpc->Number = ProcNumber->Number;
    Unlock();
    return STATUS_SUCCESS;
}

/* ---- Waiting for DPCs ------------------------------------------------------------------ */

/*
 * Lock held. Sleep until some DPC finishes or leaves the queue, at most until the hang limit
 * counted from Start. FALSE (without sleeping) once the hang limit has passed: the caller
 * unlocks and bug-checks the hang.
 */
static BOOLEAN AwaitProgress(ULONGLONG Start)
{
    ULONGLONG HangAt = Start + IrqlpHangLimitNs();
    struct timespec Until;

    if (IrqlpMonotonicNs() >= HangAt) {
        return FALSE;
    }
    Until.tv_sec = (time_t)(HangAt / 1000000000ull);
    Until.tv_nsec = (long)(HangAt % 1000000000ull);
    pthread_cond_timedwait(&Progress, &DpcLock, &Until);
    return TRUE;
}

/* Lock held: unlock and bug-check a wait for Object that has lasted past the hang limit. */
static DECLSPEC_NORETURN void HangUnlocked(const char *What, const void *Object, ULONGLONG Start)
{
    Unlock();
    IrqlpHang(What, Object, IrqlpMonotonicNs() - Start, 0);
}

/* Lock held. A DPC with a ticket up to Ticket still queued or running, or NULL. */
static PKDPC PendingUpTo(ULONG64 Ticket)
{
    if (Dpcs.RunningTicket != 0 && Dpcs.RunningTicket <= Ticket) {
        return Dpcs.RunningDpc;
    }
    for (PKDPC Entry = Dpcs.Head; Entry != NULL; Entry = NextOf(Entry)) {
        if ((ULONG64)Entry->ProcessorHistory <= Ticket) {
            return Entry;
        }
    }
    return NULL;
}

VOID KeFlushQueuedDpcs(VOID)
{
    ULONGLONG Start;
    ULONG64 Target;
    PKDPC Pending;

    if (IrqlpCurrentThread()->Pcr.Irql != PASSIVE_LEVEL) {
        IrqlpWrongIrql("KeFlushQueuedDpcs", NULL, PASSIVE_LEVEL);
    }
    Start = IrqlpMonotonicNs();
    Lock();
    Target = Dpcs.Ticket;
    while ((Pending = PendingUpTo(Target)) != NULL) {
        if (!AwaitProgress(Start)) {
            HangUnlocked("KeFlushQueuedDpcs: DPC", Pending, Start);
        }
    }
    Unlock();
}

/* ---- The DPC thread -------------------------------------------------------------------- */

typedef struct _DPC_RUN {
    PKDPC Dpc;
    PKDEFERRED_ROUTINE Routine;
    PVOID DeferredContext;
    PVOID SystemArgument1;
    PVOID SystemArgument2;
} DPC_RUN;

/* The KTHREAD's CombinedApcDisable: both counts negated, special ones in the high half. */
static ULONG CombinedApcDisable(const IRQLP_THREAD *Self)
{
    return ((ULONG)(USHORT)(-Self->SpecialApcDisable) << 16) |
           (USHORT)(-Self->KernelApcDisable);
}

/* What the kernel and Driver Verifier check once a DPC routine has returned. */
static void CheckReturn(const DPC_RUN *Run, ULONG SpinLocksBefore, ULONG ApcBefore)
{
    PIRQLP_THREAD Self = IrqlpCurrentThread();
    KIRQL Irql = Self->Pcr.Irql;
    ULONG ApcAfter = CombinedApcDisable(Self);
    char Level[16];

    if (Irql != DISPATCH_LEVEL) {
        IrqlpBugCheck(IRQL_UNEXPECTED_VALUE,
                      ((ULONG_PTR)Irql << 16) | ((ULONG_PTR)DISPATCH_LEVEL << 8) |
                          DPC_UNIQUE_VALUE,
                      (ULONG_PTR)Run->Routine, (ULONG_PTR)Run->Dpc, 0,
                      "DPC routine %p (KDPC %p) returned at %s: a DPC routine must return at "
                      "DISPATCH_LEVEL",
                      FN(Run->Routine), (void *)Run->Dpc, IrqlpLevelText(Irql, Level));
    }
    if (Self->SpinLocksHeld != SpinLocksBefore) {
        IrqlpRuleStop(DV_RULE_SPIN_LOCK, SpinLockRule, Run->Dpc,
                      "DPC routine %p (KDPC %p) returned holding %lu spin lock(s) it acquired",
                      FN(Run->Routine), (void *)Run->Dpc,
                      (unsigned long)(Self->SpinLocksHeld - SpinLocksBefore));
    }
    if (ApcAfter != ApcBefore) {
        IrqlpBugCheck(TIMER_OR_DPC_INVALID, 4, (ULONG_PTR)Run->Routine, ApcBefore, ApcAfter,
                      "DPC routine %p (KDPC %p) changed the thread's APC-disable count "
                      "(0x%08lX before, 0x%08lX after): a KMUTEX or region left held",
                      FN(Run->Routine), (void *)Run->Dpc, (unsigned long)ApcBefore,
                      (unsigned long)ApcAfter);
    }
}

/* Run one DPC at DISPATCH_LEVEL and check it (possibly under a catch frame). */
static void RunDpc(PVOID Context)
{
    DPC_RUN *Run = Context;
    PIRQLP_THREAD Self = IrqlpCurrentThread();
    KIRQL Old = KfRaiseIrql(DISPATCH_LEVEL); /* trims the paged pool: a fresh "DPC" */
    ULONG SpinLocksBefore = Self->SpinLocksHeld;
    ULONG ApcBefore = CombinedApcDisable(Self);

    Run->Routine(Run->Dpc, Run->DeferredContext, Run->SystemArgument1, Run->SystemArgument2);
    CheckReturn(Run, SpinLocksBefore, ApcBefore);
    KeLowerIrql(Old);
}

static void *DpcThreadMain(void *Unused)
{
    UNREFERENCED_PARAMETER(Unused);
    Lock();
    for (;;) {
        DPC_RUN Run;
        PKDPC Dpc;
        BOOLEAN Hook, BugChecked = FALSE;
        IRQL_HOST_BUGCHECK Report;

        while (Dpcs.Head == NULL) {
            pthread_cond_wait(&Work, &DpcLock);
        }
        Dpc = Dpcs.Head;
        Unlink(Dpc);
        Run.Dpc = Dpc;
        Run.Routine = Dpc->DeferredRoutine;
        Run.DeferredContext = Dpc->DeferredContext;
        Run.SystemArgument1 = Dpc->SystemArgument1;
        Run.SystemArgument2 = Dpc->SystemArgument2;
        Dpcs.RunningTicket = (ULONG64)Dpc->ProcessorHistory;
        Dpcs.RunningDpc = Dpc;
        Dpcs.RunningRoutine = Run.Routine;
        Hook = Run.Routine == RunAsDpcRoutine;
        if (Hook || Dpcs.CatchBugChecks) {
            Unlock();
            BugChecked = IrqlHostCatchBugCheck(RunDpc, &Run, &Report);
        } else {
            Unlock();
            RunDpc(&Run);
        }
        Lock();
        Dpcs.RunningTicket = 0;
        Dpcs.RunningDpc = NULL;
        Dpcs.RunningRoutine = NULL;
        if (Hook) {
            RUN_AS_DPC *Request = Run.DeferredContext;
            Request->BugChecked = BugChecked;
            if (BugChecked) {
                Request->Report = Report;
            }
            Request->Done = TRUE;
            if (Request->Abandoned) {
                free(Request);
            }
        } else if (BugChecked && !Dpcs.BugChecked) {
            Dpcs.BugChecked = TRUE;
            Dpcs.BugCheck = Report;
        }
        pthread_cond_broadcast(&Progress);
        if (BugChecked) {
            /* A fresh thread for what follows; this one ends with the routine's leftovers. */
            PIRQLP_THREAD Self = IrqlpCurrentThread();
            Dpcs.ThreadRunning = FALSE;
            if (Dpcs.Head != NULL) {
                EnsureThread();
            }
            Unlock();
            if (Self->Pcr.CurrentThread != NULL) {
                IrqlpTerminateThread(Self->Pcr.CurrentThread, STATUS_UNSUCCESSFUL);
            }
            return NULL;
        }
    }
}

/* ---- Driver unload --------------------------------------------------------------------- */

ULONG64 IrqlpDpcSequence(void)
{
    ULONG64 Ticket;
    Lock();
    Ticket = Dpcs.Ticket;
    Unlock();
    return Ticket;
}

ULONG IrqlpDpcPendingSince(ULONG64 Since, PKDPC *First, PKDEFERRED_ROUTINE *Routine)
{
    ULONG Count = 0;
    ULONG64 Lowest = 0;

    Lock();
    if (Dpcs.RunningTicket > Since && Dpcs.RunningRoutine != RunAsDpcRoutine) {
        Count++;
        Lowest = Dpcs.RunningTicket;
        *First = Dpcs.RunningDpc;
        *Routine = Dpcs.RunningRoutine;
    }
    for (PKDPC Entry = Dpcs.Head; Entry != NULL; Entry = NextOf(Entry)) {
        ULONG64 Ticket = (ULONG64)Entry->ProcessorHistory;
        if (Ticket <= Since || Entry->DeferredRoutine == RunAsDpcRoutine) {
            continue;
        }
        if (Count++ == 0 || Ticket < Lowest) {
            Lowest = Ticket;
            *First = Entry;
            *Routine = Entry->DeferredRoutine;
        }
    }
    Unlock();
    return Count;
}

/* ---- <irql/host.h> --------------------------------------------------------------------- */

static VOID RunAsDpcRoutine(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1,
                            PVOID SystemArgument2)
{
    RUN_AS_DPC *Request = DeferredContext;
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);
    Request->Routine(Request->Context);
}

static void CheckCanWait(const char *Routine, const void *Object)
{
    if (IrqlpCurrentThread()->Pcr.Irql > APC_LEVEL) {
        IrqlpWrongIrql(Routine, Object, APC_LEVEL);
    }
}

BOOLEAN IrqlHostRunAsDpc(PIRQL_HOST_ROUTINE Routine, PVOID Context, PIRQL_HOST_BUGCHECK Report)
{
    RUN_AS_DPC *Request;
    ULONGLONG Start;
    BOOLEAN BugChecked;

    CheckCanWait("IrqlHostRunAsDpc", FN(Routine));
    Request = calloc(1, sizeof(*Request));
    if (Request == NULL) {
        fprintf(stderr, "irql host: out of memory in IrqlHostRunAsDpc\n");
        abort();
    }
    Request->Routine = Routine;
    Request->Context = Context;
    KeInitializeDpc(&Request->Dpc, RunAsDpcRoutine, Request);
    KeInsertQueueDpc(&Request->Dpc, NULL, NULL);

    Start = IrqlpMonotonicNs();
    Lock();
    while (!Request->Done) {
        if (!AwaitProgress(Start)) {
            /* Take the request off the queue, or leave it to the DPC thread, and report. */
            if (Request->Dpc.DpcData != NULL) {
                Unlink(&Request->Dpc);
                pthread_cond_broadcast(&Progress);
                free(Request);
            } else {
                Request->Abandoned = TRUE;
            }
            HangUnlocked("IrqlHostRunAsDpc routine", FN(Routine), Start);
        }
    }
    BugChecked = Request->BugChecked;
    if (BugChecked && Report != NULL) {
        *Report = Request->Report;
    }
    Unlock();
    free(Request);
    return BugChecked;
}

VOID IrqlHostDrainDpcs(VOID)
{
    ULONGLONG Start = IrqlpMonotonicNs();

    CheckCanWait("IrqlHostDrainDpcs", NULL);
    Lock();
    while (Dpcs.Head != NULL || Dpcs.RunningTicket != 0) {
        if (!AwaitProgress(Start)) {
            HangUnlocked("IrqlHostDrainDpcs: DPC",
                         Dpcs.RunningTicket != 0 ? Dpcs.RunningDpc : Dpcs.Head, Start);
        }
    }
    Unlock();
}

BOOLEAN IrqlHostCatchDpcBugChecks(BOOLEAN Catch)
{
    BOOLEAN Previous;
    Lock();
    Previous = Dpcs.CatchBugChecks;
    Dpcs.CatchBugChecks = Catch != FALSE;
    if (Catch) {
        Dpcs.BugChecked = FALSE;
    }
    Unlock();
    return Previous;
}

BOOLEAN IrqlHostGetDpcBugCheck(PIRQL_HOST_BUGCHECK Report)
{
    BOOLEAN BugChecked;
    Lock();
    BugChecked = Dpcs.BugChecked;
    if (BugChecked && Report != NULL) {
        *Report = Dpcs.BugCheck;
    }
    Unlock();
    return BugChecked;
}
