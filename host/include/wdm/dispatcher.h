/*
 * Dispatcher objects (KEVENT, KMUTEX), waits, delays and time.
 *
 * The objects have the WDK's names and x64 layout, live in caller memory (non-paged in a real
 * driver) and, as in the WDK, need no destroy call. Every misuse the kernel or Driver Verifier
 * catches bug-checks with the same stop code; see each declaration.
 *
 * Timeouts are in 100 ns units, as in the WDK: NULL waits forever, 0 polls, a negative value is
 * relative, a positive one an absolute system time (KeQuerySystemTime). On the host no wait lasts
 * longer than the hang limit (<irql/host.h>): past it, the wait bug-checks as a hang.
 */
#ifndef IRQL_HOST_WDM_DISPATCHER_H
#define IRQL_HOST_WDM_DISPATCHER_H

#ifndef MINLONG
#define MINLONG ((LONG)0x80000000)
#define MAXLONG 0x7fffffffL
#endif

#define MAXIMUM_WAIT_OBJECTS 64 /* per KeWaitForMultipleObjects call, with a KWAIT_BLOCK array */
#define THREAD_WAIT_OBJECTS 3   /* per call without one (the thread's built-in wait blocks) */

/* Priority boosts passed to KeSetEvent; the host has no scheduler to boost, so they are unused. */
typedef LONG KPRIORITY;
#define IO_NO_INCREMENT 0
#define EVENT_INCREMENT 1
#define MUTANT_INCREMENT 1

typedef struct _KTHREAD *PKTHREAD, *PRKTHREAD;

/* DISPATCHER_HEADER.Type values (the kernel's KOBJECTS). */
typedef enum _KOBJECTS {
    EventNotificationObject = 0,
    EventSynchronizationObject = 1,
    MutantObject = 2,
    ProcessObject = 3,
    QueueObject = 4,
    SemaphoreObject = 5,
    ThreadObject = 6,
    GateObject = 7,
    TimerNotificationObject = 8,
    TimerSynchronizationObject = 9,
} KOBJECTS;

/* The WDK overlays these bytes with per-type views in anonymous structs; the host keeps one
   flat view (the same four bytes) so the header also compiles as ISO C++. */
typedef struct _DISPATCHER_HEADER {
    UCHAR Type; /* KOBJECTS */
    UCHAR Signalling;
    UCHAR Size; /* of the object, in LONGs */
    BOOLEAN DpcActive; /* KMUTEX: first acquired at DISPATCH_LEVEL (zero-timeout wait) */
    LONG SignalState;         /* > 0 signalled; a KMUTEX counts down from 1 per acquisition */
    LIST_ENTRY WaitListHead;  /* KWAIT_BLOCKs of the threads waiting on the object */
} DISPATCHER_HEADER, *PDISPATCHER_HEADER;

typedef enum _EVENT_TYPE {
    NotificationEvent,    /* stays signalled, releasing every waiter, until reset */
    SynchronizationEvent, /* releases one waiter and resets itself */
} EVENT_TYPE;

typedef struct _KEVENT {
    DISPATCHER_HEADER Header;
} KEVENT, *PKEVENT, *PRKEVENT;

typedef struct _KMUTANT {
    DISPATCHER_HEADER Header;
    LIST_ENTRY MutantListEntry; /* in the owner's list of held mutexes */
    struct _KTHREAD *OwnerThread;
    BOOLEAN Abandoned;          /* the owner ended without releasing it */
    UCHAR ApcDisable;           /* KMUTEX: 1, normal kernel APCs are off while it is held */
} KMUTANT, *PKMUTANT, *PRKMUTANT, KMUTEX, *PKMUTEX, *PRKMUTEX;

typedef enum _WAIT_TYPE { WaitAll, WaitAny, WaitNotification, WaitDequeue, WaitDpc } WAIT_TYPE;

typedef enum _KWAIT_REASON {
    Executive, FreePage, PageIn, PoolAllocation, DelayExecution, Suspended, UserRequest,
    WrExecutive, WrFreePage, WrPageIn, WrPoolAllocation, WrDelayExecution, WrSuspended,
    WrUserRequest, WrSpare0, WrQueue, WrLpcReceive, WrLpcReply, WrVirtualMemory, WrPageOut,
    WrRendezvous, WrKeyedEvent, WrTerminated, WrProcessInSwap, WrCpuRateControl,
    WrCalloutStack, WrKernel, WrResource, WrPushLock, WrMutex, WrQuantumEnd, WrDispatchInt,
    WrPreempted, WrYieldExecution, WrFastMutex, WrGuardedMutex, WrRundown, WrAlertByThreadId,
    WrDeferredPreempt, MaximumWaitReason
} KWAIT_REASON;

typedef struct _KWAIT_BLOCK {
    LIST_ENTRY WaitListEntry; /* in the object's WaitListHead */
    UCHAR WaitType;           /* WAIT_TYPE */
    UCHAR BlockState;
    USHORT WaitKey;           /* index of the object in the wait, STATUS_WAIT_0 + WaitKey */
    LONG SpareLong;
    struct _KTHREAD *Thread;
    PVOID Object;
    PVOID SparePtr;
} KWAIT_BLOCK, *PKWAIT_BLOCK, *PRKWAIT_BLOCK;

typedef struct _PROCESSOR_NUMBER {
    USHORT Group;
    UCHAR Number;
    UCHAR Reserved;
} PROCESSOR_NUMBER, *PPROCESSOR_NUMBER;

IRQL_HOST_BEGIN_DECLS

/* Events. Above DISPATCH_LEVEL: 0xC4/0x80 (KeSetEvent) or DDI rule IrqlKeDispatchLte,
   0xC4/0x20011 (the others). */
NTKERNELAPI VOID KeInitializeEvent(_Out_ PRKEVENT Event, _In_ EVENT_TYPE Type, _In_ BOOLEAN State);

/*
 * Signal Event; returns its previous state. Wait = TRUE promises a KeWaitXxx right after: the
 * routine returns at DISPATCH_LEVEL and that wait lowers the IRQL back (DDI rule IrqlKeSetEvent,
 * 0xC4/0x20016, if Wait = TRUE above APC_LEVEL).
 */
_When_(Wait == 0, _IRQL_requires_max_(DISPATCH_LEVEL))
_When_(Wait == 1, _IRQL_requires_max_(APC_LEVEL))
NTKERNELAPI LONG KeSetEvent(_Inout_ PRKEVENT Event, _In_ KPRIORITY Increment, _In_ BOOLEAN Wait);

_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI LONG KeResetEvent(_Inout_ PRKEVENT Event); /* returns the previous state */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI VOID KeClearEvent(_Inout_ PRKEVENT Event);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI LONG KeReadStateEvent(_In_ PRKEVENT Event);

/*
 * KMUTEX: recursive, owned by a thread, acquired by KeWaitXxx (normal kernel APCs off while
 * held). Releasing one the thread does not own, or at another IRQL class than it was acquired
 * (DISPATCH_LEVEL vs below), raises STATUS_MUTANT_NOT_OWNED (STATUS_ABANDONED if abandoned), and
 * acquiring one more time than MINLONG allows raises STATUS_MUTANT_LIMIT_EXCEEDED; an exception
 * nobody handles bug-checks 0x1E (0x7E on a system thread) with the status in P1. A thread that
 * ends holding one bug-checks 0x4000008A. A wait that would close a cycle of KMUTEX owners is
 * Driver Verifier's deadlock detection, 0xC4/0x1001 (P2 the mutex).
 */
NTKERNELAPI VOID KeInitializeMutex(_Out_ PRKMUTEX Mutex, _In_ ULONG Level);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI LONG KeReleaseMutex(_Inout_ PRKMUTEX Mutex, _In_ BOOLEAN Wait);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI LONG KeReadStateMutex(_In_ PRKMUTEX Mutex);

/*
 * Waits. Returns STATUS_SUCCESS (STATUS_WAIT_0 + n for WaitAny), STATUS_ABANDONED(_WAIT_0 + n)
 * for an abandoned KMUTEX, or STATUS_TIMEOUT. At DISPATCH_LEVEL only a zero timeout is allowed:
 * Driver Verifier stops 0xC4/0x121 (NULL timeout) and 0x122 (non-zero), and 0x120 above
 * DISPATCH_LEVEL (P2 the IRQL, P3 the object or array, P4 the timeout pointer). Count above
 * MAXIMUM_WAIT_OBJECTS, or above THREAD_WAIT_OBJECTS without a WaitBlockArray, bug-checks 0xC.
 * Alertable waits never see an APC on the host.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI NTSTATUS KeWaitForSingleObject(_In_ PVOID Object, _In_ KWAIT_REASON WaitReason,
                                           _In_ KPROCESSOR_MODE WaitMode, _In_ BOOLEAN Alertable,
                                           _In_opt_ PLARGE_INTEGER Timeout);
#define KeWaitForMutexObject KeWaitForSingleObject

_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI NTSTATUS KeWaitForMultipleObjects(_In_ ULONG Count, _In_reads_(Count) PVOID Object[],
                                              _In_ WAIT_TYPE WaitType,
                                              _In_ KWAIT_REASON WaitReason,
                                              _In_ KPROCESSOR_MODE WaitMode,
                                              _In_ BOOLEAN Alertable,
                                              _In_opt_ PLARGE_INTEGER Timeout,
                                              _Out_opt_ PKWAIT_BLOCK WaitBlockArray);

/* Sleep for Interval (negative relative, positive absolute). Above APC_LEVEL: DDI rule
   IrqlKeApcLte1, 0xC4/0x2000F. */
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI NTSTATUS KeDelayExecutionThread(_In_ KPROCESSOR_MODE WaitMode, _In_ BOOLEAN Alertable,
                                            _In_ PLARGE_INTEGER Interval);

/* Time: system time in 100 ns units since 1601-01-01 UTC; interrupt time in 100 ns units since
   an arbitrary start; the performance counter ticks at 10 MHz. Any IRQL. */
NTKERNELAPI VOID KeQuerySystemTime(_Out_ PLARGE_INTEGER CurrentTime);
NTKERNELAPI VOID KeQuerySystemTimePrecise(_Out_ PLARGE_INTEGER CurrentTime);
NTKERNELAPI ULONGLONG KeQueryInterruptTime(VOID);
NTKERNELAPI LARGE_INTEGER KeQueryPerformanceCounter(_Out_opt_ PLARGE_INTEGER PerformanceFrequency);

/* The host CPU the thread runs on (group 0). */
NTKERNELAPI ULONG KeGetCurrentProcessorNumberEx(_Out_opt_ PPROCESSOR_NUMBER ProcNumber);
NTKERNELAPI ULONG KeGetCurrentProcessorNumber(VOID);

IRQL_HOST_END_DECLS

#endif
