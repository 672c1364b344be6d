/*
 * irql/ddi.h — IRQL contracts for commonly used WDK routines, callback role types, and
 * role-checked registration helpers.
 *
 *   #include <irql/ddi.h>
 *
 *   IRQL_ROLE(OnDpc, KDEFERRED_ROUTINE)            // OnDpc runs at DISPATCH_LEVEL
 *   KDEFERRED_ROUTINE OnDpc;
 *
 *   VOID OnDpc(PKDPC Dpc, PVOID Ctx, PVOID A1, PVOID A2)
 *   {
 *       IRQL_ENTER(OnDpc);
 *       IRQL_CALL(IrqlKeSetEventNoWait)(&Event, 0); // fine: <= DISPATCH_LEVEL
 *       IRQL_CALL(IrqlKeWaitPoll)(&Event);        // fine: a zero-timeout wait
 *       IRQL_CALL(ZwClose)(Handle);               // error: IRQL violation … ZwClose … maximum
 *   }
 *
 *   IRQL_KeInitializeDpc(&Dpc, OnDpc, Ctx);       // error unless OnDpc may run at DISPATCH
 *
 * Contracts. Every row of irql/ddi_table.h (the single source of truth; docs/ddi.md holds the
 * same table, machine-checked) becomes a contract keyed by the routine's WDK name, exactly as
 * IRQL_MAX / IRQL_RANGE / IRQL_AT would make one. Contracts are typedefs keyed by name: the
 * routine need not be declared, so this header compiles with the host's WDK subset, the real
 * WDK and the mingw-w64 DDK alike. No SAL is emitted: the WDK's own declarations carry it.
 *
 * Calls. IRQL_CALL(Fn)(args…) checks a call to a routine the WDK declares as a function or an
 * object-like macro. Where the WDK makes the routine a function-like macro (KeAcquireSpinLock,
 * RtlZeroMemory, ExFreePool and ObDereferenceObject in some WDKs, IoSetCompletionRoutine in the
 * mingw-w64 DDK), IRQL_CALL's result is a parenthesised name that the preprocessor does not
 * invoke: write IRQL_CALL_MACRO(Fn, (args…)) instead, which checks the same contract and works
 * for functions too.
 *
 * Argument-dependent routines. A routine whose allowed IRQL depends on an argument carries the
 * contract valid for every argument (KeWaitForSingleObject: <= APC_LEVEL, because only a zero
 * timeout may wait at DISPATCH_LEVEL). The wider case is a separate routine with its own
 * contract, a static inline wrapper that fixes the argument: IrqlKeWaitPoll,
 * IrqlKeWaitMultiplePoll, IrqlKeSetEventNoWait, IrqlExAllocatePool2NonPaged,
 * IrqlExFreePoolNonPaged, IrqlRtlCopyMemoryNonPaged, IrqlRtlZeroMemoryNonPaged (below). They
 * compile to the WDK call they wrap. IRQL_KeSynchronizeExecution does the same for a registration
 * helper: its SynchCritSection is checked as a device-IRQL routine, so the interrupt is one too.
 *
 * Roles. IRQL_ROLE(Fn, Role) gives Fn the contract the kernel documents for a callback of that
 * WDK role type (KDEFERRED_ROUTINE: DISPATCH_LEVEL; KSERVICE_ROUTINE: a DIRQL; …) and is placed
 * like any contract. IRQL_AS_ROLE(Fn, Role) evaluates to Fn where it is handed to the kernel,
 * and is a compile error unless Fn's contract covers every IRQL the kernel may run a Role at;
 * the registration helpers (IRQL_KeInitializeDpc, IRQL_IoSetCompletionRoutine, …) apply it.
 * A role is a WDK callback type name, except KDEFERRED_ROUTINE_THREADED (the WDK declares a
 * threaded DPC routine as a KDEFERRED_ROUTINE, but the kernel runs it at PASSIVE_LEVEL too).
 */
#ifndef IRQL_DDI_H
#define IRQL_DDI_H

#include <irql/irql.h>

/* ------------------------------------------------------------------------------------------ */
/* Routine contracts                                                                          */
/* ------------------------------------------------------------------------------------------ */

/*
 * One row: the contract of Routine, as IRQL__CONTRACT makes it. The names are pasted here, in
 * the row's own expansion, before any macro expansion of Routine: a WDK name that is an
 * object-like macro (KeWaitForMutexObject in some WDKs) still keys its own contract.
 */
#ifdef IRQL_NO_CONTRACTS
#define IRQL__DDI_ROW(Fn, A, B, Page, Note, Verified)
#else
#define IRQL__DDI_ROW(Fn, A, B, Page, Note, Verified) \
    IRQL__DDI_CONTRACT(irql__contract_of_##Fn, irql__range_##Fn, #Fn, A, B)
#endif
#define IRQL__DDI_CONTRACT(Of, Range, Name, A, B) \
    IRQL__STATIC_CHECK(IRQL__RANGE_CHECKS("the contract of " Name, A, B)); \
    typedef char Of; \
    typedef Of Range[IRQL__CODE(A, B)];

#include <irql/ddi_table.h>

#undef IRQL__DDI_ROW

/*
 * IRQL_CALL_MACRO(Fn, (args…)) — call Fn with args, checked like IRQL_CALL(Fn)(args…). Use it
 * for WDK routines that are function-like macros (IRQL_CALL(KeAcquireSpinLock)(…) names the
 * macro without invoking it); it works for functions as well. An expression of Fn's type.
 */
#define IRQL_CALL_MACRO(Fn, Args) \
    IRQL__DDI_CHECKED(IRQL__INSIDE(1, IRQL__CONTEXT_CODE, IRQL__FN_CODE(Fn), \
                                   "IRQL violation: IRQL_CALL_MACRO(" #Fn "): the caller may run", \
                                   #Fn), \
                       Fn Args)
/* IRQL__CHECKED without its second copy of X: the arguments may hold checks of their own
   (IRQL_AS_ROLE), which must fail once. C++'s IRQL__CHECKED already evaluates X once. */
#ifdef __cplusplus
#define IRQL__DDI_CHECKED(Checks, X) IRQL__CHECKED(Checks, X)
#else
#define IRQL__DDI_CHECKED(Checks, X) ((void)sizeof(struct { Checks int irql__dummy; }), (X))
#endif
/* IRQL_CALL_MACRO's check against Key's contract, evaluating to X, for a helper that is not
   `Fn Args`: a statement macro (ExInitializeWorkItem), or a helper with a contract of its own
   (IRQL_KeSynchronizeExecution). What names the call in the message. */
#define IRQL__DDI_CHECKED_AS(Key, What, X) \
    IRQL__DDI_CHECKED(IRQL__INSIDE(1, IRQL__CONTEXT_CODE, IRQL__FN_CODE(Key), \
                                   "IRQL violation: " What ": the caller may run", #Key), \
                      X)

/* ------------------------------------------------------------------------------------------ */
/* Argument-dependent routines: checked variants with the wider contract                      */
/* ------------------------------------------------------------------------------------------ */

/*
 * IrqlKeWaitPoll(Object) — KeWaitForSingleObject(Object, Executive, KernelMode, FALSE, &0): a
 * test of the object's state that never waits. A zero timeout may be used at DISPATCH_LEVEL
 * (KeWaitForSingleObject, Remarks); any other timeout needs <= APC_LEVEL, the contract of
 * KeWaitForSingleObject itself. Returns STATUS_SUCCESS (signalled, and acquired if the object
 * is a mutex or semaphore) or STATUS_TIMEOUT.
 */
IRQL_MAX(IrqlKeWaitPoll, DISPATCH_LEVEL)
static __inline NTSTATUS IrqlKeWaitPoll(PVOID Object)
{
    LARGE_INTEGER Zero;
    Zero.QuadPart = 0;
    return KeWaitForSingleObject(Object, Executive, KernelMode, FALSE, &Zero);
}

/*
 * IrqlKeWaitMultiplePoll(Count, Object, WaitType, WaitBlockArray) — KeWaitForMultipleObjects(
 * Count, Object, WaitType, Executive, KernelMode, FALSE, &0, WaitBlockArray): IrqlKeWaitPoll for
 * several objects, usable at <= DISPATCH_LEVEL (KeWaitForMultipleObjects, Remarks: "If Timeout !=
 * NULL and *Timeout = 0, the caller must be running at IRQL <= DISPATCH_LEVEL"; any other timeout
 * needs <= APC_LEVEL, the routine's own contract). WaitType is WaitAny or WaitAll. The kernel's
 * other rules stand, and are checked by the kernel at run time, not here: WaitBlockArray may be
 * NULL only for Count <= THREAD_WAIT_OBJECTS (else bug check 0xC), and the array, the objects and
 * the wait blocks must be nonpaged. Returns what the wait returns: STATUS_SUCCESS (WaitAll: every
 * object signalled, and acquired), STATUS_WAIT_0 + n or STATUS_ABANDONED_WAIT_0 + n (WaitAny:
 * object n), or STATUS_TIMEOUT (the wait could not be satisfied at once; nothing acquired).
 */
IRQL_MAX(IrqlKeWaitMultiplePoll, DISPATCH_LEVEL)
static __inline NTSTATUS IrqlKeWaitMultiplePoll(ULONG Count, PVOID Object[], WAIT_TYPE WaitType,
                                                PKWAIT_BLOCK WaitBlockArray)
{
    LARGE_INTEGER Zero;
    Zero.QuadPart = 0;
    return KeWaitForMultipleObjects(Count, Object, WaitType, Executive, KernelMode, FALSE, &Zero,
                                    WaitBlockArray);
}

/*
 * IrqlKeSetEventNoWait(Event, Increment) — KeSetEvent(Event, Increment, FALSE), usable at
 * <= DISPATCH_LEVEL. KeSetEvent's page: "If Wait is set to FALSE, the caller can be running at
 * IRQL <= DISPATCH_LEVEL. Otherwise, callers of KeSetEvent must be running at IRQL <= APC_LEVEL";
 * KeSetEvent itself therefore carries <= APC_LEVEL. Returns the previous state.
 */
IRQL_MAX(IrqlKeSetEventNoWait, DISPATCH_LEVEL)
static __inline LONG IrqlKeSetEventNoWait(PRKEVENT Event, KPRIORITY Increment)
{
    return KeSetEvent(Event, Increment, FALSE);
}

/*
 * IrqlExAllocatePool2NonPaged(Flags, Size, Tag) — ExAllocatePool2 from nonpaged pool, usable at
 * <= DISPATCH_LEVEL (ExAllocatePool2 itself: <= APC_LEVEL, the bound for paged pool). Flags are
 * the optional POOL_FLAG_* attributes (POOL_FLAG_UNINITIALIZED, POOL_FLAG_CACHE_ALIGNED,
 * POOL_FLAG_RAISE_ON_FAILURE, …); the pool type is always POOL_FLAG_NON_PAGED and a
 * POOL_FLAG_PAGED in Flags is removed.
 */
IRQL_MAX(IrqlExAllocatePool2NonPaged, DISPATCH_LEVEL)
static __inline PVOID IrqlExAllocatePool2NonPaged(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag)
{
    return ExAllocatePool2((Flags & ~(POOL_FLAGS)POOL_FLAG_PAGED) | POOL_FLAG_NON_PAGED,
                           NumberOfBytes, Tag);
}

/*
 * IrqlExFreePoolNonPaged(P, Tag) — ExFreePoolWithTag of nonpaged memory, usable at
 * <= DISPATCH_LEVEL (ExFreePoolWithTag itself: <= APC_LEVEL, the bound for paged memory). The
 * caller asserts that P came from nonpaged pool.
 */
IRQL_MAX(IrqlExFreePoolNonPaged, DISPATCH_LEVEL)
static __inline VOID IrqlExFreePoolNonPaged(PVOID P, ULONG Tag)
{
    ExFreePoolWithTag(P, Tag);
}

/*
 * IrqlRtlCopyMemoryNonPaged(Destination, Source, Length), IrqlRtlZeroMemoryNonPaged(Destination,
 * Length) — RtlCopyMemory / RtlZeroMemory on resident (nonpaged) buffers, usable at any IRQL
 * (the routines themselves: <= APC_LEVEL, the bound for pageable buffers).
 */
IRQL_MAX(IrqlRtlCopyMemoryNonPaged, HIGH_LEVEL)
static __inline VOID IrqlRtlCopyMemoryNonPaged(PVOID Destination, const VOID *Source, SIZE_T Length)
{
    RtlCopyMemory(Destination, Source, Length);
}

IRQL_MAX(IrqlRtlZeroMemoryNonPaged, HIGH_LEVEL)
static __inline VOID IrqlRtlZeroMemoryNonPaged(PVOID Destination, SIZE_T Length)
{
    RtlZeroMemory(Destination, Length);
}

/* ------------------------------------------------------------------------------------------ */
/* Callback roles                                                                             */
/* ------------------------------------------------------------------------------------------ */

/*
 * Device IRQLs: the levels an interrupt service routine (and a KeSynchronizeExecution routine)
 * may run at — above DISPATCH_LEVEL, below the clock and profile interrupts. x64/arm64: 3 … 12;
 * x86: 3 … 26.
 */
#define IRQL_DIRQL_MIN (DISPATCH_LEVEL + 1)
#define IRQL_DIRQL_MAX ((PROFILE_LEVEL < CLOCK_LEVEL ? PROFILE_LEVEL : CLOCK_LEVEL) - 1)

/*
 * The documented IRQL range of each WDK callback role type: the levels the kernel may run a
 * callback of that role at. IRQL__ROLE_<Role> expands to "Min, Max".
 */
#define IRQL__ROLE_DRIVER_INITIALIZE PASSIVE_LEVEL, PASSIVE_LEVEL
#define IRQL__ROLE_DRIVER_UNLOAD PASSIVE_LEVEL, PASSIVE_LEVEL
#define IRQL__ROLE_DRIVER_ADD_DEVICE PASSIVE_LEVEL, PASSIVE_LEVEL
#define IRQL__ROLE_DRIVER_DISPATCH PASSIVE_LEVEL, DISPATCH_LEVEL
#define IRQL__ROLE_DRIVER_DISPATCH_PAGED PASSIVE_LEVEL, PASSIVE_LEVEL
#define IRQL__ROLE_DRIVER_STARTIO DISPATCH_LEVEL, DISPATCH_LEVEL
#define IRQL__ROLE_DRIVER_CANCEL DISPATCH_LEVEL, DISPATCH_LEVEL
#define IRQL__ROLE_IO_COMPLETION_ROUTINE PASSIVE_LEVEL, DISPATCH_LEVEL
#define IRQL__ROLE_KDEFERRED_ROUTINE DISPATCH_LEVEL, DISPATCH_LEVEL
/* A CustomThreadedDpc (KeInitializeThreadedDpc): PASSIVE_LEVEL while threaded DPCs are enabled,
   DISPATCH_LEVEL when they are not ("Introduction to Threaded DPCs"). Not a WDK type name. */
#define IRQL__ROLE_KDEFERRED_ROUTINE_THREADED PASSIVE_LEVEL, DISPATCH_LEVEL
#define IRQL__ROLE_IO_DPC_ROUTINE DISPATCH_LEVEL, DISPATCH_LEVEL
#define IRQL__ROLE_IO_TIMER_ROUTINE DISPATCH_LEVEL, DISPATCH_LEVEL
#define IRQL__ROLE_KSERVICE_ROUTINE IRQL_DIRQL_MIN, IRQL_DIRQL_MAX
#define IRQL__ROLE_KSYNCHRONIZE_ROUTINE IRQL_DIRQL_MIN, IRQL_DIRQL_MAX
#define IRQL__ROLE_KSTART_ROUTINE PASSIVE_LEVEL, PASSIVE_LEVEL
#define IRQL__ROLE_IO_WORKITEM_ROUTINE PASSIVE_LEVEL, PASSIVE_LEVEL
#define IRQL__ROLE_IO_WORKITEM_ROUTINE_EX PASSIVE_LEVEL, PASSIVE_LEVEL
#define IRQL__ROLE_WORKER_THREAD_ROUTINE PASSIVE_LEVEL, PASSIVE_LEVEL

/*
 * IRQL_ROLE(Fn, Role) — Fn is a callback of WDK role type Role and gets its documented range:
 * placed like IRQL_RANGE (right before a declaration of Fn, repeatable), and the same as
 * IRQL_RANGE(Fn, <Role's min>, <Role's max>). An unknown Role is a compile error.
 *
 *   IRQL_ROLE(OnInterrupt, KSERVICE_ROUTINE)
 *   BOOLEAN OnInterrupt(PKINTERRUPT Interrupt, PVOID Context);
 */
#define IRQL_ROLE(Fn, Role) IRQL__ROLE_APPLY(IRQL_RANGE, (Fn, IRQL__ROLE_##Role))
#define IRQL__ROLE_APPLY(Macro, Args) Macro Args

/*
 * IRQL_AS_ROLE(Fn, Role) — evaluates to Fn; a compile error unless Fn's contract covers every
 * IRQL the kernel may run a Role callback at. Use it where a callback is handed to the kernel;
 * a constant expression, usable in static initialisers (like IRQL_CALLBACK).
 */
#define IRQL_AS_ROLE(Fn, Role) IRQL__AS_ROLE(Fn, #Fn, #Role, IRQL__ROLE_##Role)
#define IRQL__AS_ROLE(Fn, Name, RoleName, Range) IRQL__AS_ROLE_RANGE(Fn, Name, RoleName, Range)
#ifdef IRQL_NO_CONTRACTS
#define IRQL__AS_ROLE_RANGE(Fn, Name, RoleName, A, B) (Fn)
#else
#define IRQL__AS_ROLE_RANGE(Fn, Name, RoleName, A, B) \
    IRQL__CHECKED(IRQL__INSIDE(1, IRQL__CODE(A, B) + IRQL__MARK, IRQL__FN_CODE(Fn), \
                               "IRQL violation: IRQL_AS_ROLE(" Name ", " RoleName \
                               "): the kernel may run it", \
                               Name), \
                  Fn)
#endif

/*
 * Registration helpers: the WDK call, with the call itself checked against the routine's
 * contract (IRQL_CALL_MACRO) and the callback checked against its role (IRQL_AS_ROLE).
 * Same arguments as the WDK routine.
 */
#define IRQL_KeInitializeDpc(Dpc, Routine, Context) \
    IRQL_CALL_MACRO(KeInitializeDpc, ((Dpc), IRQL_AS_ROLE(Routine, KDEFERRED_ROUTINE), (Context)))
#define IRQL_IoSetCompletionRoutine(Irp, Routine, Context, OnSuccess, OnError, OnCancel) \
    IRQL_CALL_MACRO(IoSetCompletionRoutine, \
                    ((Irp), IRQL_AS_ROLE(Routine, IO_COMPLETION_ROUTINE), (Context), \
                     (OnSuccess), (OnError), (OnCancel)))
#define IRQL_IoSetCancelRoutine(Irp, Routine) \
    IRQL_CALL_MACRO(IoSetCancelRoutine, ((Irp), IRQL_AS_ROLE(Routine, DRIVER_CANCEL)))
#define IRQL_PsCreateSystemThread(Handle, Access, Attributes, Process, ClientId, Routine, Context) \
    IRQL_CALL_MACRO(PsCreateSystemThread, \
                    ((Handle), (Access), (Attributes), (Process), (ClientId), \
                     IRQL_AS_ROLE(Routine, KSTART_ROUTINE), (Context)))
#define IRQL_IoQueueWorkItem(WorkItem, Routine, QueueType, Context) \
    IRQL_CALL_MACRO(IoQueueWorkItem, \
                    ((WorkItem), IRQL_AS_ROLE(Routine, IO_WORKITEM_ROUTINE), (QueueType), \
                     (Context)))
#define IRQL_IoInitializeTimer(DeviceObject, Routine, Context) \
    IRQL_CALL_MACRO(IoInitializeTimer, \
                    ((DeviceObject), IRQL_AS_ROLE(Routine, IO_TIMER_ROUTINE), (Context)))

/*
 * IRQL_KeInitializeThreadedDpc(Dpc, Routine, Context) — Routine is checked against
 * KDEFERRED_ROUTINE_THREADED: it must accept PASSIVE_LEVEL … DISPATCH_LEVEL, so a routine written
 * for DISPATCH_LEVEL only (IRQL_ROLE(…, KDEFERRED_ROUTINE)) is rejected — it would run at
 * PASSIVE_LEVEL wherever threaded DPCs are enabled, the default.
 */
#define IRQL_KeInitializeThreadedDpc(Dpc, Routine, Context) \
    IRQL_CALL_MACRO(KeInitializeThreadedDpc, \
                    ((Dpc), IRQL_AS_ROLE(Routine, KDEFERRED_ROUTINE_THREADED), (Context)))

/*
 * IRQL_KeSynchronizeExecution(Interrupt, Routine, Context) — KeSynchronizeExecution for an
 * interrupt connected at a device IRQL, Routine checked against KSYNCHRONIZE_ROUTINE; returns
 * Routine's BOOLEAN. The helper has a contract of its own, <= DISPATCH_LEVEL: the WDK routine
 * may be called at up to the interrupt's SynchronizeIrql, a DIRQL or, for a passive-level
 * interrupt (Windows 8+), PASSIVE_LEVEL, so its row is = PASSIVE_LEVEL; a DIRQL Routine means a
 * device-IRQL interrupt, which the caller asserts (as IrqlExFreePoolNonPaged's caller asserts
 * nonpaged memory). A call from an ISR at or below the SynchronizeIrql cannot be checked and is
 * outside the contract. For a passive-level interrupt, call IRQL_CALL(KeSynchronizeExecution)(
 * Interrupt, IRQL_CALLBACK(Routine, PASSIVE_LEVEL, PASSIVE_LEVEL), Context) at PASSIVE_LEVEL.
 */
IRQL__CONTRACT(IRQL_KeSynchronizeExecution, PASSIVE_LEVEL, DISPATCH_LEVEL)
#define IRQL_KeSynchronizeExecution(Interrupt, Routine, Context) \
    IRQL__DDI_CHECKED_AS(IRQL_KeSynchronizeExecution, "IRQL_KeSynchronizeExecution", \
                         KeSynchronizeExecution((Interrupt), \
                                                IRQL_AS_ROLE(Routine, KSYNCHRONIZE_ROUTINE), \
                                                (Context)))

/*
 * IRQL_ExInitializeWorkItem(Item, Routine, Context); — Routine is checked against
 * WORKER_THREAD_ROUTINE (a system worker thread runs it at PASSIVE_LEVEL). A statement, not an
 * expression, because ExInitializeWorkItem is one (a macro of statements in the WDK and in
 * mingw-w64); each argument is evaluated once. Item is a PWORK_QUEUE_ITEM and Routine must
 * convert to PWORKER_THREAD_ROUTINE. Queue the item with IRQL_CALL(ExQueueWorkItem).
 */
#define IRQL_ExInitializeWorkItem(Item, Routine, Context) \
    do { \
        PWORK_QUEUE_ITEM irql__item = (Item); \
        PWORKER_THREAD_ROUTINE irql__routine = \
            IRQL__DDI_CHECKED_AS(ExInitializeWorkItem, "IRQL_CALL_MACRO(ExInitializeWorkItem)", \
                                 IRQL_AS_ROLE(Routine, WORKER_THREAD_ROUTINE)); \
        ExInitializeWorkItem(irql__item, irql__routine, (Context)); \
    } while (0)

#ifdef IRQL_NO_CONTRACTS
#undef IRQL_CALL_MACRO
#define IRQL_CALL_MACRO(Fn, Args) (Fn Args)
#undef IRQL__DDI_CHECKED_AS
#define IRQL__DDI_CHECKED_AS(Key, What, X) (X)
#endif

#endif
