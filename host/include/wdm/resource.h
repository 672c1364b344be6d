/*
 * Executive resources (ERESOURCE) and push locks (EX_PUSH_LOCK): reader/writer locks for code
 * at or below APC_LEVEL whose callers have normal kernel APCs disabled (a critical region),
 * so that a thread cannot be suspended by an APC while it holds one. Neither changes the IRQL.
 *
 * ERESOURCE. Shared or exclusive, recursive within the rules the WDK documents: exclusive ->
 * exclusive, shared -> shared and exclusive -> shared are granted (and each needs its own
 * release); shared -> exclusive is a self-deadlock on a real machine. Every acquire returns
 * TRUE when granted; with Wait == FALSE it returns FALSE instead of blocking. Shared requests
 * from threads that do not already own the resource wait while an exclusive waiter is queued,
 * so writers are not starved (ExAcquireSharedStarveExclusive is the documented exception).
 * Every initialised resource is on a host-wide list, as on Windows, which is how a second
 * initialisation of a live resource is recognised.
 *
 * Push locks. Pointer-sized (EX_PUSH_LOCK is a ULONG_PTR, 0 = free), shared or exclusive, not
 * recursive: a thread that holds one exclusively and acquires it again hangs on Windows, and
 * so does a thread that holds it shared when an exclusive waiter has queued behind it. Shared
 * re-acquisition while no writer waits is allowed (it does not hang). The host tracks the push
 * locks each thread holds, so all of these bug-check instead of hanging.
 *
 * Misuse bug-checks (Driver Verifier's 0xC4 unless stated):
 *   ERESOURCE acquire / convert / delete above APC_LEVEL   0x20007 (DDI rule IrqlExApcLte3;
 *                                                          P2 the rule's text, P3 resource)
 *   ERESOURCE acquire with normal kernel APCs enabled       0x37 (P2 IRQL, P3 the thread's
 *                                                          APC-disable count as the KTHREAD
 *                                                          keeps it, P4 resource)
 *   ExReleaseResourceLite with normal kernel APCs enabled   0x38 (same parameters)
 *   shared -> exclusive by the same thread (Wait = TRUE)    0x1000 (P2 resource)
 *   release of a resource the thread does not own          RESOURCE_NOT_OWNED 0xE3 (P1
 *                                                          resource, P2 thread, P3 owner table)
 *   ExInitializeResourceLite on a live resource             0xD0 (P2 resource)
 *   any use of a resource not initialised (or deleted)      0xD1 (P2 resource)
 *   ExDeleteResourceLite / ExReinitializeResourceLite while
 *   a thread still owns it                                  0x100B (P2 resource, P3 owner)
 *   release / query routines above DISPATCH_LEVEL           0xE5 (P2 IRQL)
 *   push lock acquire with normal kernel APCs enabled       0xEA (P2 IRQL, P3 APC-disable
 *                                                          count, P4 push lock)
 *   push lock release with normal kernel APCs enabled       0xEB (same parameters)
 *   push lock acquire that would hang (recursive)           0x1000 (P2 push lock)
 *   push lock release not held by the thread                0x1007 (P2 push lock)
 *   push lock released in the other mode than acquired     0x1009 (P2 push lock)
 *   push lock word that cannot be a push lock (garbage)     0x1002 (P2 push lock)
 *   push lock routines above APC_LEVEL                      0xE5 (P2 IRQL)
 * A waiter that has waited longer than the host's hang limit bug-checks IRQL_HOST_BUGCHECK_HANG.
 */
#ifndef IRQL_HOST_WDM_RESOURCE_H
#define IRQL_HOST_WDM_RESOURCE_H


IRQL_HOST_BEGIN_DECLS

/* ---- ERESOURCE ------------------------------------------------------------------------- */

/*
 * Identifies a thread to the resource routines. On the host it is the address of the thread's
 * host state (see ExGetCurrentResourceThread), not a KTHREAD.
 */
typedef ULONG_PTR ERESOURCE_THREAD, *PERESOURCE_THREAD;

/* One owner of a resource and how many times it has acquired it. */
typedef struct _OWNER_ENTRY {
    ERESOURCE_THREAD OwnerThread;
    union {
        ULONG OwnerCount; /* acquisitions by OwnerThread not yet released */
        ULONG TableSize;  /* in OwnerTable[0]: the table's capacity, as in the kernel */
    };
} OWNER_ENTRY, *POWNER_ENTRY;

#define ResourceNeverExclusive 0x0010
#define ResourceReleaseByOtherThread 0x0020
#define ResourceOwnedExclusive 0x0080

/*
 * The WDK's layout and size (104 bytes on 64-bit). OwnerEntry holds the exclusive owner or the
 * first shared owner; further shared owners live in OwnerTable (host heap, freed by
 * ExDeleteResourceLite). SpinLock is the resource's internal guard; the pointers to the
 * semaphore and event the kernel blocks on are unused (NULL): host waiters sleep on
 * Host.WakeSequence instead, which stands where the WDK has Reserved2.
 */
/* Named (not nested in the unions below) so the header also compiles as ISO C++. */
typedef struct _ERESOURCE_FLAGS {
    UCHAR ReservedLowFlags;
    UCHAR WaiterPriority;
} ERESOURCE_FLAGS;

typedef struct _ERESOURCE_HOST {
    ULONG Signature;     /* set while initialised */
    ULONG WakeSequence;  /* waiters sleep on it; bumped by releases */
} ERESOURCE_HOST;

typedef struct _ERESOURCE {
    LIST_ENTRY SystemResourcesList;
    POWNER_ENTRY OwnerTable;
    SHORT ActiveCount;                 /* owning threads */
    union {
        USHORT Flag;                   /* ResourceOwnedExclusive … */
        ERESOURCE_FLAGS Flags;
    };
    PVOID SharedWaiters;               /* unused on the host */
    PVOID ExclusiveWaiters;            /* unused on the host */
    OWNER_ENTRY OwnerEntry;
    ULONG ActiveEntries;               /* owner entries in use */
    ULONG ContentionCount;             /* acquisitions that had to wait */
    ULONG NumberOfSharedWaiters;
    ULONG NumberOfExclusiveWaiters;
    union {
        PVOID Reserved2;
        ERESOURCE_HOST Host;
    };
    union {
        PVOID Address;
        ULONG_PTR CreatorBackTraceIndex;
    };
    KSPIN_LOCK SpinLock;
} ERESOURCE, *PERESOURCE;

/* Initialise a resource (non-paged, 8-byte aligned) and put it on the system list. */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI NTSTATUS ExInitializeResourceLite(_Out_ PERESOURCE Resource);

/* Reset an initialised, unowned resource to its freshly initialised state. */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI NTSTATUS ExReinitializeResourceLite(_Inout_ PERESOURCE Resource);

/* Take an unowned resource off the system list; required before its memory is freed. */
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI NTSTATUS ExDeleteResourceLite(_Inout_ PERESOURCE Resource);

/* Acquire exclusively (recursive for the exclusive owner). */
_IRQL_requires_max_(APC_LEVEL)
_When_(Wait != 0, _Acquires_exclusive_lock_(*Resource) _Post_satisfies_(return == 1))
NTKERNELAPI BOOLEAN ExAcquireResourceExclusiveLite(_Inout_ PERESOURCE Resource,
                                                   _In_ BOOLEAN Wait);

/* Acquire shared (an owner, shared or exclusive, gets the same access again). */
_IRQL_requires_max_(APC_LEVEL)
_When_(Wait != 0, _Acquires_shared_lock_(*Resource) _Post_satisfies_(return == 1))
NTKERNELAPI BOOLEAN ExAcquireResourceSharedLite(_Inout_ PERESOURCE Resource,
                                                _In_ BOOLEAN Wait);

/* Acquire shared without waiting behind queued exclusive waiters (it may starve them). */
_IRQL_requires_max_(APC_LEVEL)
_When_(Wait != 0, _Acquires_shared_lock_(*Resource) _Post_satisfies_(return == 1))
NTKERNELAPI BOOLEAN ExAcquireSharedStarveExclusive(_Inout_ PERESOURCE Resource,
                                                   _In_ BOOLEAN Wait);

/*
 * Acquire shared, but let queued exclusive waiters go first even when the caller already owns
 * the resource shared (the caller then waits until another thread releases its ownership with
 * ExReleaseResourceForThreadLite; otherwise it deadlocks, which the host reports as a hang).
 */
_IRQL_requires_max_(APC_LEVEL)
_When_(Wait != 0, _Acquires_shared_lock_(*Resource) _Post_satisfies_(return == 1))
NTKERNELAPI BOOLEAN ExAcquireSharedWaitForExclusive(_Inout_ PERESOURCE Resource,
                                                    _In_ BOOLEAN Wait);

/* ExAcquireResourceExclusiveLite(Resource, FALSE). */
_IRQL_requires_max_(APC_LEVEL) _Must_inspect_result_
NTKERNELAPI BOOLEAN ExTryToAcquireResourceExclusiveLite(_Inout_ PERESOURCE Resource);

/* Release one acquisition by the calling thread. */
_IRQL_requires_max_(DISPATCH_LEVEL) _Releases_lock_(*Resource)
NTKERNELAPI VOID ExReleaseResourceLite(_Inout_ PERESOURCE Resource);
#define ExReleaseResource(R) ExReleaseResourceLite(R)

/* Release one acquisition made by the thread ResourceThreadId (any thread may call it). */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI VOID ExReleaseResourceForThreadLite(_Inout_ PERESOURCE Resource,
                                                _In_ ERESOURCE_THREAD ResourceThreadId);

/* The calling thread's identity for ExReleaseResourceForThreadLite. */
NTKERNELAPI ERESOURCE_THREAD ExGetCurrentResourceThread(VOID);

/* TRUE if the calling thread owns the resource exclusively. */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI BOOLEAN ExIsResourceAcquiredExclusiveLite(_In_ PERESOURCE Resource);

/* How many times the calling thread holds the resource, shared or exclusive (0: not at all). */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI ULONG ExIsResourceAcquiredSharedLite(_In_ PERESOURCE Resource);
#define ExIsResourceAcquiredLite ExIsResourceAcquiredSharedLite

/* Threads waiting for exclusive / shared access right now. */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI ULONG ExGetExclusiveWaiterCount(_In_ PERESOURCE Resource);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI ULONG ExGetSharedWaiterCount(_In_ PERESOURCE Resource);

/* Turn the caller's exclusive ownership into shared ownership (the count is kept). */
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI VOID ExConvertExclusiveToSharedLite(_Inout_ PERESOURCE Resource);

/*
 * KeEnterCriticalRegion, then acquire exclusive / shared / shared-wait-for-exclusive with
 * Wait = TRUE. The opaque return value is to be ignored (the host returns the caller's
 * ERESOURCE_THREAD). Release with ExReleaseResourceAndLeaveCriticalRegion.
 */
_IRQL_requires_max_(APC_LEVEL) _Acquires_exclusive_lock_(*Resource)
NTKERNELAPI PVOID ExEnterCriticalRegionAndAcquireResourceExclusive(_Inout_ PERESOURCE Resource);
_IRQL_requires_max_(APC_LEVEL) _Acquires_shared_lock_(*Resource)
NTKERNELAPI PVOID ExEnterCriticalRegionAndAcquireResourceShared(_Inout_ PERESOURCE Resource);
_IRQL_requires_max_(APC_LEVEL) _Acquires_shared_lock_(*Resource)
NTKERNELAPI PVOID ExEnterCriticalRegionAndAcquireSharedWaitForExclusive(
    _Inout_ PERESOURCE Resource);

/* ExReleaseResourceLite, then KeLeaveCriticalRegion. */
_IRQL_requires_max_(APC_LEVEL) _Releases_lock_(*Resource)
NTKERNELAPI VOID ExReleaseResourceAndLeaveCriticalRegion(_Inout_ PERESOURCE Resource);

/* ---- Push locks (Windows 10 1809+) ----------------------------------------------------- */

typedef ULONG_PTR EX_PUSH_LOCK, *PEX_PUSH_LOCK;

#define EX_DEFAULT_PUSH_LOCK_FLAGS 0

/* Make *PushLock a free push lock (it may live in paged or non-paged memory). */
NTKERNELAPI VOID ExInitializePushLock(_Out_ PEX_PUSH_LOCK PushLock);

/* Acquire exclusively, waiting while any other thread holds it. Flags are accepted, unused. */
_IRQL_requires_max_(APC_LEVEL) _Acquires_exclusive_lock_(*PushLock)
NTKERNELAPI VOID ExAcquirePushLockExclusiveEx(_Inout_ PEX_PUSH_LOCK PushLock, _In_ ULONG Flags);

/* Acquire shared, waiting while it is held exclusively or an exclusive waiter is queued. */
_IRQL_requires_max_(APC_LEVEL) _Acquires_shared_lock_(*PushLock)
NTKERNELAPI VOID ExAcquirePushLockSharedEx(_Inout_ PEX_PUSH_LOCK PushLock, _In_ ULONG Flags);

/* Acquire exclusively / shared if that is possible at once (TRUE), else FALSE. */
_IRQL_requires_max_(APC_LEVEL) _Must_inspect_result_
NTKERNELAPI BOOLEAN ExTryAcquirePushLockExclusiveEx(_Inout_ PEX_PUSH_LOCK PushLock,
                                                    _In_ ULONG Flags);
_IRQL_requires_max_(APC_LEVEL) _Must_inspect_result_
NTKERNELAPI BOOLEAN ExTryAcquirePushLockSharedEx(_Inout_ PEX_PUSH_LOCK PushLock,
                                                 _In_ ULONG Flags);

/* Release an exclusive / shared acquisition by the calling thread. */
_IRQL_requires_max_(APC_LEVEL) _Releases_exclusive_lock_(*PushLock)
NTKERNELAPI VOID ExReleasePushLockExclusiveEx(_Inout_ PEX_PUSH_LOCK PushLock, _In_ ULONG Flags);
_IRQL_requires_max_(APC_LEVEL) _Releases_shared_lock_(*PushLock)
NTKERNELAPI VOID ExReleasePushLockSharedEx(_Inout_ PEX_PUSH_LOCK PushLock, _In_ ULONG Flags);

/* Release whichever acquisition (exclusive or shared) the calling thread holds. */
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI VOID ExReleasePushLockEx(_Inout_ PEX_PUSH_LOCK PushLock, _In_ ULONG Flags);

/* The names drivers use: the …Ex routines with EX_DEFAULT_PUSH_LOCK_FLAGS. */
#define ExAcquirePushLockExclusive(Lock) \
    ExAcquirePushLockExclusiveEx((Lock), EX_DEFAULT_PUSH_LOCK_FLAGS)
#define ExAcquirePushLockShared(Lock) ExAcquirePushLockSharedEx((Lock), EX_DEFAULT_PUSH_LOCK_FLAGS)
#define ExTryAcquirePushLockExclusive(Lock) \
    ExTryAcquirePushLockExclusiveEx((Lock), EX_DEFAULT_PUSH_LOCK_FLAGS)
#define ExTryAcquirePushLockShared(Lock) \
    ExTryAcquirePushLockSharedEx((Lock), EX_DEFAULT_PUSH_LOCK_FLAGS)
#define ExReleasePushLockExclusive(Lock) \
    ExReleasePushLockExclusiveEx((Lock), EX_DEFAULT_PUSH_LOCK_FLAGS)
#define ExReleasePushLockShared(Lock) ExReleasePushLockSharedEx((Lock), EX_DEFAULT_PUSH_LOCK_FLAGS)
#define ExReleasePushLock(Lock) ExReleasePushLockEx((Lock), EX_DEFAULT_PUSH_LOCK_FLAGS)

IRQL_HOST_END_DECLS

#endif
