/*
 * Events, KMUTEXes, KeWaitForSingleObject / KeWaitForMultipleObjects, KeDelayExecutionThread.
 *
 * Everything here runs under the dispatcher lock (see dispatcher.h). No bug check is ever raised
 * with the lock held: a caught bug check unwinds by longjmp and would leave it locked.
 */
#include "dispatcher.h"
#include "bugcheck.h"
#include "clock.h"
#include "locks.h"
#include "object.h"

#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

/* 0 free, 1 held, 2 held and someone may sleep on it (Drepper, "Futexes Are Tricky"). */
static volatile ULONG DispatcherLockWord;

/* KeSetEvent / KeReleaseMutex with Wait = TRUE: the IRQL the next KeWaitXxx returns to. */
static _Thread_local struct {
    BOOLEAN Pending;
    KIRQL Irql;
} WaitNext;

#define CALLER() ((ULONG_PTR)__builtin_return_address(0))

void IrqlpLockDispatcher(void)
{
    ULONG Seen = 0;
    if (__atomic_compare_exchange_n(&DispatcherLockWord, &Seen, 1, FALSE, __ATOMIC_ACQUIRE,
                                    __ATOMIC_RELAXED)) {
        return;
    }
    /* Held only for short critical sections, never across a wait: no hang limit needed. */
    if (Seen != 2) {
        Seen = __atomic_exchange_n(&DispatcherLockWord, 2, __ATOMIC_ACQUIRE);
    }
    while (Seen != 0) {
        IrqlpLockWordWait(&DispatcherLockWord, 2, 100000000ull);
        Seen = __atomic_exchange_n(&DispatcherLockWord, 2, __ATOMIC_ACQUIRE);
    }
}

void IrqlpUnlockDispatcher(void)
{
    if (__atomic_exchange_n(&DispatcherLockWord, 0, __ATOMIC_RELEASE) == 2) {
        IrqlpLockWordWakeOne(&DispatcherLockWord);
    }
}

#define Lock IrqlpLockDispatcher
#define Unlock IrqlpUnlockDispatcher

static void ListInit(PLIST_ENTRY Head)
{
    Head->Flink = Head->Blink = Head;
}

static void ListInsertTail(PLIST_ENTRY Head, PLIST_ENTRY Entry)
{
    Entry->Flink = Head;
    Entry->Blink = Head->Blink;
    Head->Blink->Flink = Entry;
    Head->Blink = Entry;
}

static void ListRemove(PLIST_ENTRY Entry)
{
    Entry->Blink->Flink = Entry->Flink;
    Entry->Flink->Blink = Entry->Blink;
    Entry->Flink = Entry->Blink = NULL;
}

void IrqlpRaiseStatus(NTSTATUS Status, ULONG_PTR Address, ULONG_PTR Info0, ULONG_PTR Info1,
                      const char *Format, ...)
{
    char Text[200];
    va_list Args;
    PKTHREAD Thread = IrqlpCurrentThread()->Pcr.CurrentThread;

    va_start(Args, Format);
    vsnprintf(Text, sizeof(Text), Format, Args);
    va_end(Args);
    if (Thread != NULL && Thread->SystemThread) {
        /* P3/P4 are the exception and context records, which the host does not build. */
        IrqlpBugCheck(SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, (ULONG_PTR)(LONG_PTR)Status, Address,
                      0, 0, "%s: exception 0x%08lX raised and not handled on a system thread",
                      Text, (unsigned long)(ULONG)Status);
    }
    IrqlpBugCheck(KMODE_EXCEPTION_NOT_HANDLED, (ULONG_PTR)(LONG_PTR)Status, Address, Info0, Info1,
                  "%s: exception 0x%08lX raised and not handled", Text,
                  (unsigned long)(ULONG)Status);
}

static const char *KindOf(const DISPATCHER_HEADER *Header)
{
    switch (Header->Type) {
    case EventNotificationObject: return "notification KEVENT";
    case EventSynchronizationObject: return "synchronization KEVENT";
    case MutantObject: return "KMUTEX";
    case ThreadObject: return "thread object";
    default: return "dispatcher object";
    }
}

/* Lock held; released before raising. Catches objects used before KeInitializeXxx: the kernel
   would fault on the NULL wait-list links, so report that access violation. */
static void CheckObject(PDISPATCHER_HEADER Header, const char *Routine, ULONG_PTR Caller)
{
    UCHAR Type = Header->Type;
    if (Header->WaitListHead.Flink != NULL &&
        (Type == EventNotificationObject || Type == EventSynchronizationObject ||
         Type == MutantObject || Type == ThreadObject)) {
        return;
    }
    Unlock();
    IrqlpRaiseStatus(STATUS_ACCESS_VIOLATION, Caller, 0, (ULONG_PTR)&Header->WaitListHead,
                     "%s(%p): not an initialised dispatcher object (KeInitializeEvent / "
                     "KeInitializeMutex never ran on it)",
                     Routine, (void *)Header);
}

/* Lock held. May Thread take Header now? */
static BOOLEAN Available(PDISPATCHER_HEADER Header, PKTHREAD Thread)
{
    if (Header->Type == MutantObject) {
        PKMUTANT Mutant = (PKMUTANT)Header;
        /* At MINLONG another acquisition would overflow the count: not available to anyone. */
        return Header->SignalState > 0 ||
               (Mutant->OwnerThread == Thread && Header->SignalState != MINLONG);
    }
    return Header->SignalState > 0;
}

static BOOLEAN AtLimit(PDISPATCHER_HEADER Header, PKTHREAD Thread)
{
    return Header->Type == MutantObject && ((PKMUTANT)Header)->OwnerThread == Thread &&
           Header->SignalState == MINLONG;
}

/* Lock held, Available(Header, Thread). Apply the side effects of Thread's wait on Header;
   returns STATUS_ABANDONED if it takes an abandoned KMUTEX, else 0. */
static NTSTATUS Satisfy(PDISPATCHER_HEADER Header, PKTHREAD Thread, BOOLEAN AtDispatch)
{
    PKMUTANT Mutant;
    PIRQLP_THREAD Owner;

    switch (Header->Type) {
    case EventSynchronizationObject:
        Header->SignalState = 0;
        return 0;
    case MutantObject:
        Mutant = (PKMUTANT)Header;
        Header->SignalState--;
        if (Header->SignalState != 0) {
            return 0; /* a recursive acquisition */
        }
        Owner = Thread->Self;
        Mutant->OwnerThread = Thread;
        Header->DpcActive = AtDispatch;
        if (Owner->OwnedMutexes.Flink == NULL) {
            ListInit(&Owner->OwnedMutexes);
        }
        ListInsertTail(&Owner->OwnedMutexes, &Mutant->MutantListEntry);
        /* The waiter is blocked (or is the caller), so its APC-disable count is ours to
           change; the lock orders the write with its own. */
        Owner->KernelApcDisable += Mutant->ApcDisable;
        if (Mutant->Abandoned) {
            Mutant->Abandoned = FALSE;
            return STATUS_ABANDONED;
        }
        return 0;
    default: /* notification events and threads stay signalled */
        return 0;
    }
}

/* Lock held: Thread's wait is over with Status; unlink its wait blocks and wake it. */
static void Unwait(PKTHREAD Thread, NTSTATUS Status)
{
    for (ULONG i = 0; i < Thread->WaitCount; i++) {
        ListRemove(&Thread->WaitBlockList[i].WaitListEntry);
    }
    Thread->WaitCount = 0;
    Thread->WaitStatus = Status;
    __atomic_add_fetch(&Thread->WakeSequence, 1, __ATOMIC_RELEASE);
    IrqlpLockWordWakeOne(&Thread->WakeSequence);
}

static BOOLEAN AllAvailable(PKTHREAD Thread)
{
    for (ULONG i = 0; i < Thread->WaitCount; i++) {
        if (!Available(Thread->WaitBlockList[i].Object, Thread)) {
            return FALSE;
        }
    }
    return TRUE;
}

/* Lock held: Header may have become signalled; satisfy every wait on it that now can be. */
static void WaitTest(PDISPATCHER_HEADER Header)
{
    PLIST_ENTRY Entry;
Restart:
    for (Entry = Header->WaitListHead.Flink; Entry != &Header->WaitListHead;
         Entry = Entry->Flink) {
        PKWAIT_BLOCK Block = CONTAINING_RECORD(Entry, KWAIT_BLOCK, WaitListEntry);
        PKTHREAD Thread = Block->Thread;
        NTSTATUS Status = 0;

        if (!Available(Header, Thread)) {
            if (Header->SignalState <= 0) {
                return; /* taken: nobody further down can have it either */
            }
            continue;
        }
        if (Block->WaitType == WaitAny) {
            Status = Block->WaitKey | Satisfy(Header, Thread, FALSE);
        } else if (AllAvailable(Thread)) {
            for (ULONG i = 0; i < Thread->WaitCount; i++) {
                Status |= Satisfy(Thread->WaitBlockList[i].Object, Thread, FALSE);
            }
        } else {
            continue;
        }
        Unwait(Thread, Status);
        goto Restart; /* the list changed under us */
    }
}

/* KeSetEvent / KeReleaseMutex with Wait = TRUE: return at DISPATCH_LEVEL until the next wait. */
static void SetWaitNext(KIRQL Irql)
{
    WaitNext.Pending = TRUE;
    WaitNext.Irql = Irql;
    if (Irql < DISPATCH_LEVEL) {
        (void)KfRaiseIrql(DISPATCH_LEVEL);
    }
}

/* The IRQL a KeWaitXxx runs at: back to the one saved by a Wait = TRUE call just before. */
static KIRQL TakeWaitNext(void)
{
    PIRQLP_THREAD Self = IrqlpCurrentThread();
    if (WaitNext.Pending) {
        WaitNext.Pending = FALSE;
        /* Anything else that lowered the IRQL meanwhile (a caught bug check) voids it. */
        if (Self->Pcr.Irql == DISPATCH_LEVEL && WaitNext.Irql < DISPATCH_LEVEL) {
            KeLowerIrql(WaitNext.Irql);
        }
    }
    return Self->Pcr.Irql;
}

/* Events */

VOID KeInitializeEvent(PRKEVENT Event, EVENT_TYPE Type, BOOLEAN State)
{
    /* The documentation is silent on an invalid Type: treat it as a notification event. */
    Event->Header.Type =
        Type == SynchronizationEvent ? EventSynchronizationObject : EventNotificationObject;
    Event->Header.Signalling = 0;
    Event->Header.Size = (UCHAR)(sizeof(KEVENT) / sizeof(LONG));
    Event->Header.DpcActive = FALSE;
    Event->Header.SignalState = State ? 1 : 0;
    ListInit(&Event->Header.WaitListHead);
}

/* DDI rule IrqlKeDispatchLte: these routines run at IRQL <= DISPATCH_LEVEL. */
#define DISPATCH_LTE(Routine) \
    Routine " must be called at IRQL <= DISPATCH_LEVEL (IrqlKeDispatchLte)"

static void CheckDispatchLte(const char *Routine, const char *Condition, const void *Object)
{
    if (IrqlpCurrentThread()->Pcr.Irql > DISPATCH_LEVEL) {
        IrqlpDdiViolation(0x20011, Condition, Object, Routine);
    }
}

LONG KeSetEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait)
{
    KIRQL Irql = IrqlpCurrentThread()->Pcr.Irql;
    LONG Previous;
    char Level[16];

    UNREFERENCED_PARAMETER(Increment);
    if (Irql > DISPATCH_LEVEL) {
        IrqlpVerifierStop(0x80, Irql, Event, 0,
                          "KeSetEvent(%p) at %s: allowed only at or below DISPATCH_LEVEL",
                          (void *)Event, IrqlpLevelText(Irql, Level));
    }
    if (Wait && Irql > APC_LEVEL) {
        IrqlpDdiViolation(0x20016,
                          "KeSetEvent with Wait = TRUE must be called at IRQL <= APC_LEVEL "
                          "(IrqlKeSetEvent)",
                          Event, "KeSetEvent");
    }
    Lock();
    CheckObject(&Event->Header, "KeSetEvent", CALLER());
    Previous = Event->Header.SignalState;
    if (Previous == 0) {
        Event->Header.SignalState = 1;
        WaitTest(&Event->Header);
    }
    Unlock();
    if (Wait) {
        SetWaitNext(Irql);
    }
    return Previous;
}

LONG KeResetEvent(PRKEVENT Event)
{
    LONG Previous;
    CheckDispatchLte("KeResetEvent", DISPATCH_LTE("KeResetEvent"), Event);
    Lock();
    Previous = Event->Header.SignalState;
    Event->Header.SignalState = 0;
    Unlock();
    return Previous;
}

VOID KeClearEvent(PRKEVENT Event)
{
    CheckDispatchLte("KeClearEvent", DISPATCH_LTE("KeClearEvent"), Event);
    Lock();
    Event->Header.SignalState = 0;
    Unlock();
}

LONG KeReadStateEvent(PRKEVENT Event)
{
    LONG State;
    CheckDispatchLte("KeReadStateEvent", DISPATCH_LTE("KeReadStateEvent"), Event);
    Lock();
    State = Event->Header.SignalState;
    Unlock();
    return State;
}

/* Mutexes */

VOID KeInitializeMutex(PRKMUTEX Mutex, ULONG Level)
{
    UNREFERENCED_PARAMETER(Level); /* reserved: drivers pass 0 */
    Mutex->Header.Type = MutantObject;
    Mutex->Header.Size = (UCHAR)(sizeof(KMUTEX) / sizeof(LONG));
    Mutex->Header.DpcActive = FALSE;
    Mutex->Header.SignalState = 1;
    ListInit(&Mutex->Header.WaitListHead);
    Mutex->MutantListEntry.Flink = Mutex->MutantListEntry.Blink = NULL;
    Mutex->OwnerThread = NULL;
    Mutex->Abandoned = FALSE;
    Mutex->ApcDisable = 1;
}

LONG KeReleaseMutex(PRKMUTEX Mutex, BOOLEAN Wait)
{
    PIRQLP_THREAD Self = IrqlpCurrentThread();
    KIRQL Irql = Self->Pcr.Irql;
    PKTHREAD Thread = Self->Pcr.CurrentThread;
    LONG Previous;

    CheckDispatchLte("KeReleaseMutex", DISPATCH_LTE("KeReleaseMutex"), Mutex);
    Lock();
    if (Thread == NULL || Mutex->OwnerThread != Thread) {
        BOOLEAN Abandoned = Mutex->Abandoned;
        PKTHREAD Owner = Mutex->OwnerThread;
        Unlock();
        IrqlpRaiseStatus(Abandoned ? STATUS_ABANDONED : STATUS_MUTANT_NOT_OWNED, CALLER(), 0, 0,
                         "KeReleaseMutex(%p) by thread %p, which does not own it (%s)",
                         (void *)Mutex, (void *)Thread,
                         Abandoned ? "it was abandoned"
                         : Owner != NULL ? "another thread does"
                                         : "nobody does");
    }
    if (Mutex->Header.DpcActive != (Irql == DISPATCH_LEVEL)) {
        BOOLEAN AtDispatch = Mutex->Header.DpcActive;
        char Level[16];
        Unlock();
        IrqlpRaiseStatus(STATUS_MUTANT_NOT_OWNED, CALLER(), 0, 0,
                         "KeReleaseMutex(%p) at %s, but it was acquired %s DISPATCH_LEVEL",
                         (void *)Mutex, IrqlpLevelText(Irql, Level),
                         AtDispatch ? "at" : "below");
    }
    Previous = Mutex->Header.SignalState++;
    if (Mutex->Header.SignalState == 1) {
        ListRemove(&Mutex->MutantListEntry);
        Mutex->OwnerThread = NULL;
        Mutex->Header.DpcActive = FALSE;
        Self->KernelApcDisable -= Mutex->ApcDisable;
        WaitTest(&Mutex->Header);
    }
    Unlock();
    if (Wait) {
        SetWaitNext(Irql);
    }
    return Previous;
}

LONG KeReadStateMutex(PRKMUTEX Mutex)
{
    KIRQL Irql = IrqlpCurrentThread()->Pcr.Irql;
    LONG State;
    if (Irql > DISPATCH_LEVEL) {
        /* Not in IrqlKeDispatchLte's list: Driver Verifier's generic "wrong IRQL" stop. */
        char Level[16];
        IrqlpVerifierStop(0xE5, Irql, Mutex, 0, "KeReadStateMutex at %s: allowed only at or "
                          "below DISPATCH_LEVEL", IrqlpLevelText(Irql, Level));
    }
    Lock();
    State = Mutex->Header.SignalState;
    Unlock();
    return State;
}

PKMUTANT IrqlpFirstOwnedMutex(PIRQLP_THREAD Self)
{
    PKMUTANT Mutant = NULL;
    Lock();
    if (Self->OwnedMutexes.Flink != NULL && Self->OwnedMutexes.Flink != &Self->OwnedMutexes) {
        Mutant = CONTAINING_RECORD(Self->OwnedMutexes.Flink, KMUTANT, MutantListEntry);
    }
    Unlock();
    return Mutant;
}

void IrqlpTerminateThread(PKTHREAD Thread, NTSTATUS ExitStatus)
{
    PIRQLP_THREAD Self = IrqlpCurrentThread();

    Lock();
    /* Only reached past a caught bug check: the exit checks stop a thread holding one. The
       kernel's answer for a mutex whose owner is gone is abandonment. */
    while (Self->OwnedMutexes.Flink != NULL && Self->OwnedMutexes.Flink != &Self->OwnedMutexes) {
        PKMUTANT Mutant = CONTAINING_RECORD(Self->OwnedMutexes.Flink, KMUTANT, MutantListEntry);
        ListRemove(&Mutant->MutantListEntry);
        Mutant->OwnerThread = NULL;
        Mutant->Header.SignalState = 1;
        Mutant->Header.DpcActive = FALSE;
        Mutant->Abandoned = TRUE;
        Self->KernelApcDisable -= Mutant->ApcDisable;
        WaitTest(&Mutant->Header);
    }
    Thread->ExitStatus = ExitStatus;
    Thread->Terminated = TRUE;
    Thread->Header.SignalState = 1;
    WaitTest(&Thread->Header);
    Thread->Self = NULL;
    /* Drop the thread's own reference before any waiter can run again (they need the lock), so
       a wait on a thread object returns only once the thread holds no reference to it. */
    ObfDereferenceObject(Thread);
    Unlock();
    Self->Pcr.CurrentThread = NULL;
}

ULONG IrqlHostWaiterCount(PVOID Object)
{
    PDISPATCHER_HEADER Header = Object;
    ULONG Count = 0;
    Lock();
    for (PLIST_ENTRY Entry = Header->WaitListHead.Flink;
         Entry != NULL && Entry != &Header->WaitListHead; Entry = Entry->Flink) {
        Count++;
    }
    Unlock();
    return Count;
}

/* Waits */

/* Lock held. Would Thread's infinite wait on Object close a cycle of KMUTEX owners, each
   blocked for good on a KMUTEX the next one owns? Then nobody in it can ever run again. */
static void DetectDeadlock(PKTHREAD Thread, PDISPATCHER_HEADER Object, const char *Routine)
{
    PDISPATCHER_HEADER Next = Object;
    for (int Hops = 0; Hops < 4096 && Next->Type == MutantObject; Hops++) {
        PKTHREAD Owner = ((PKMUTANT)Next)->OwnerThread;
        if (Owner == NULL) {
            return;
        }
        if (Owner == Thread) {
            PKTHREAD Holder = ((PKMUTANT)Object)->OwnerThread;
            Unlock();
            IrqlpVerifierStop(0x1001, Object, 0, 0,
                              "%s(KMUTEX %p) would deadlock: its owner, thread %p, waits (through "
                              "%d thread(s)) for a KMUTEX this thread owns (lock-order violation)",
                              Routine, (void *)Object, (void *)Holder, Hops + 1);
        }
        if (Owner->WaitStatus != STATUS_PENDING || Owner->WaitCount != 1 || !Owner->WaitForever) {
            return; /* not blocked for good on exactly one object */
        }
        Next = Owner->WaitBlockList[0].Object;
    }
}

static void CheckWaitIrql(KIRQL Irql, PVOID Object, PLARGE_INTEGER Timeout, const char *Routine)
{
    /* The documentation calls P2 "address of the IRQL value"; the host has no such address and
       reports the IRQL itself. */
    char Level[16];
    if (Irql > DISPATCH_LEVEL) {
        IrqlpVerifierStop(0x120, Irql, Object, Timeout,
                          "%s at %s: waits are allowed only at or below DISPATCH_LEVEL", Routine,
                          IrqlpLevelText(Irql, Level));
    }
    if (Irql == DISPATCH_LEVEL && Timeout == NULL) {
        IrqlpVerifierStop(0x121, Irql, Object, Timeout,
                          "%s at DISPATCH_LEVEL with a NULL (infinite) timeout: only a zero "
                          "timeout is allowed at DISPATCH_LEVEL",
                          Routine);
    }
    if (Irql == DISPATCH_LEVEL && Timeout->QuadPart != 0) {
        IrqlpVerifierStop(0x122, Irql, Object, Timeout,
                          "%s at DISPATCH_LEVEL with a non-zero timeout (%lld): only a zero "
                          "timeout is allowed at DISPATCH_LEVEL",
                          Routine, (long long)Timeout->QuadPart);
    }
}

#define FOREVER (~0ull)

/* Monotonic deadline (ns) of a WDK timeout; FOREVER for NULL. */
static ULONGLONG Deadline(PLARGE_INTEGER Timeout, ULONGLONG Now)
{
    ULONGLONG Ns;
    if (Timeout == NULL) {
        return FOREVER;
    }
    if (Timeout->QuadPart < 0) {
        ULONGLONG Units = (ULONGLONG)(-(Timeout->QuadPart + 1)) + 1;
        Ns = Units > (FOREVER - Now) / 100 ? FOREVER - Now : Units * 100;
    } else if (Timeout->QuadPart > 0) {
        LONGLONG Units = Timeout->QuadPart - IrqlpSystemTime();
        if (Units <= 0) {
            return Now; /* an absolute time already past */
        }
        Ns = (ULONGLONG)Units > (FOREVER - Now) / 100 ? FOREVER - Now : (ULONGLONG)Units * 100;
    } else {
        return Now;
    }
    return Now + Ns;
}

static struct timespec ToTimespec(ULONGLONG Ns)
{
    struct timespec Ts;
    Ts.tv_sec = (time_t)(Ns / 1000000000ull);
    Ts.tv_nsec = (long)(Ns % 1000000000ull);
    return Ts;
}

static NTSTATUS Wait(PKTHREAD Thread, ULONG Count, PVOID Objects[], WAIT_TYPE WaitType,
                     PLARGE_INTEGER Timeout, PKWAIT_BLOCK Blocks, const char *Routine,
                     ULONG_PTR Caller)
{
    KIRQL Irql = TakeWaitNext();
    PVOID Culprit = Count == 1 ? Objects[0] : (PVOID)Objects;
    ULONGLONG Start, End;
    NTSTATUS Status = 0;
    BOOLEAN Satisfied = FALSE;
    PDISPATCHER_HEADER Limit = NULL;

    CheckWaitIrql(Irql, Culprit, Timeout, Routine);

    Lock();
    for (ULONG i = 0; i < Count; i++) {
        CheckObject(Objects[i], Routine, Caller);
    }
    if (WaitType == WaitAny) {
        for (ULONG i = 0; i < Count && !Satisfied && Limit == NULL; i++) {
            if (AtLimit(Objects[i], Thread)) {
                Limit = Objects[i];
            } else if (Available(Objects[i], Thread)) {
                Status = (NTSTATUS)i | Satisfy(Objects[i], Thread, Irql == DISPATCH_LEVEL);
                Satisfied = TRUE;
            }
        }
    } else {
        /* The WDK treats any type other than WaitAny as WaitAll. */
        Satisfied = TRUE;
        for (ULONG i = 0; i < Count; i++) {
            if (AtLimit(Objects[i], Thread)) {
                Limit = Objects[i];
            }
            Satisfied = Satisfied && Available(Objects[i], Thread);
        }
        if (Satisfied && Limit == NULL) {
            for (ULONG i = 0; i < Count; i++) {
                Status |= Satisfy(Objects[i], Thread, Irql == DISPATCH_LEVEL);
            }
        }
    }
    if (Limit != NULL) {
        Unlock();
        IrqlpRaiseStatus(STATUS_MUTANT_LIMIT_EXCEEDED, Caller, 0, 0,
                         "%s(KMUTEX %p): acquired recursively MINLONG times already", Routine,
                         (void *)Limit);
    }
    if (Satisfied) {
        Unlock();
        return Status;
    }
    /* Only a wait that cannot be satisfied at once needs the clock. */
    Start = IrqlpMonotonicNs();
    End = Deadline(Timeout, Start);
    if (End <= Start) {
        Unlock();
        return STATUS_TIMEOUT;
    }
    if (Timeout == NULL && Count == 1) {
        DetectDeadlock(Thread, Objects[0], Routine);
    }

    for (ULONG i = 0; i < Count; i++) {
        PDISPATCHER_HEADER Header = Objects[i];
        Blocks[i].Thread = Thread;
        Blocks[i].Object = Header;
        Blocks[i].WaitKey = (USHORT)i;
        Blocks[i].WaitType = (UCHAR)(WaitType == WaitAny ? WaitAny : WaitAll);
        Blocks[i].BlockState = 0;
        Blocks[i].SpareLong = 0;
        Blocks[i].SparePtr = NULL;
        ListInsertTail(&Header->WaitListHead, &Blocks[i].WaitListEntry);
    }
    Thread->WaitBlockList = Blocks;
    Thread->WaitCount = Count;
    Thread->WaitForever = Timeout == NULL;
    Thread->WaitStatus = STATUS_PENDING;

    for (;;) {
        ULONGLONG Now = IrqlpMonotonicNs();
        ULONGLONG HangAt = Start + IrqlpHangLimitNs();
        ULONG Sequence;

        if (Thread->WaitStatus != STATUS_PENDING) {
            break;
        }
        if (Now >= End) {
            Unwait(Thread, STATUS_TIMEOUT);
            break;
        }
        if (Now >= HangAt) {
            PDISPATCHER_HEADER First = Objects[0];
            ULONG_PTR Owner = Count == 1 && First->Type == MutantObject
                                  ? (ULONG_PTR)((PKMUTANT)First)->OwnerThread
                                  : 0;
            const char *What = Count == 1 ? KindOf(First) : "KeWaitForMultipleObjects array";
            Unwait(Thread, STATUS_TIMEOUT);
            Thread->WaitBlockList = NULL;
            Unlock();
            IrqlpHang(What, Culprit, Now - Start, Owner);
        }
        /* Read the wake word under the lock: a wake after Unlock changes it, so the futex
           wait below returns at once instead of missing it. */
        Sequence = __atomic_load_n(&Thread->WakeSequence, __ATOMIC_ACQUIRE);
        Unlock();
        IrqlpLockWordWait(&Thread->WakeSequence, Sequence, (End < HangAt ? End : HangAt) - Now);
        Lock();
    }
    Status = Thread->WaitStatus;
    Thread->WaitBlockList = NULL;
    Unlock();
    return Status;
}

NTSTATUS KeWaitForSingleObject(PVOID Object, KWAIT_REASON WaitReason, KPROCESSOR_MODE WaitMode,
                               BOOLEAN Alertable, PLARGE_INTEGER Timeout)
{
    PVOID Objects[1] = {Object};
    UNREFERENCED_PARAMETER(WaitReason);
    UNREFERENCED_PARAMETER(WaitMode);
    UNREFERENCED_PARAMETER(Alertable);
    PKTHREAD Thread = KeGetCurrentThread();
    return Wait(Thread, 1, Objects, WaitAny, Timeout, Thread->WaitBlock,
                "KeWaitForSingleObject", CALLER());
}

NTSTATUS KeWaitForMultipleObjects(ULONG Count, PVOID Object[], WAIT_TYPE WaitType,
                                  KWAIT_REASON WaitReason, KPROCESSOR_MODE WaitMode,
                                  BOOLEAN Alertable, PLARGE_INTEGER Timeout,
                                  PKWAIT_BLOCK WaitBlockArray)
{
    UNREFERENCED_PARAMETER(WaitReason);
    UNREFERENCED_PARAMETER(WaitMode);
    UNREFERENCED_PARAMETER(Alertable);
    if (Count > MAXIMUM_WAIT_OBJECTS ||
        (WaitBlockArray == NULL && Count > THREAD_WAIT_OBJECTS)) {
        IrqlpBugCheck(MAXIMUM_WAIT_OBJECTS_EXCEEDED, 0, 0, 0, 0,
                      "KeWaitForMultipleObjects(Count %lu) %s: at most %d objects",
                      (unsigned long)Count,
                      WaitBlockArray == NULL ? "without a WaitBlockArray" : "with a WaitBlockArray",
                      WaitBlockArray == NULL ? THREAD_WAIT_OBJECTS : MAXIMUM_WAIT_OBJECTS);
    }
    PKTHREAD Thread = KeGetCurrentThread();
    return Wait(Thread, Count, Object, WaitType, Timeout,
                WaitBlockArray != NULL ? WaitBlockArray : Thread->WaitBlock,
                "KeWaitForMultipleObjects", CALLER());
}

NTSTATUS KeDelayExecutionThread(KPROCESSOR_MODE WaitMode, BOOLEAN Alertable,
                                PLARGE_INTEGER Interval)
{
    KIRQL Irql = TakeWaitNext();
    ULONGLONG Start, End, HangAt;
    struct timespec Until;

    UNREFERENCED_PARAMETER(WaitMode);
    UNREFERENCED_PARAMETER(Alertable);
    if (Irql > APC_LEVEL) {
        IrqlpDdiViolation(0x2000F,
                          "KeDelayExecutionThread must be called at IRQL <= APC_LEVEL "
                          "(IrqlKeApcLte1)",
                          Interval, "KeDelayExecutionThread");
    }
    Start = IrqlpMonotonicNs();
    End = Deadline(Interval, Start);
    if (End <= Start) {
        sched_yield();
        return STATUS_SUCCESS;
    }
    HangAt = Start + IrqlpHangLimitNs();
    Until = ToTimespec(End < HangAt ? End : HangAt);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &Until, NULL) == EINTR) {
    }
    if (End > HangAt) {
        IrqlpHang("KeDelayExecutionThread interval", Interval, IrqlpMonotonicNs() - Start, 0);
    }
    return STATUS_SUCCESS;
}
