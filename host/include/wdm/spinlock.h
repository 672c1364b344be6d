/*
 * Executive spin locks: KSPIN_LOCK, plain and in-stack queued acquisition.
 *
 * A KSPIN_LOCK is a ULONG_PTR, as in the WDK, and 0 is a free lock, so a zeroed or
 * KeInitializeSpinLock'd lock is valid. While held it records its owner (the host thread) in
 * the same word, so a recursive acquire is seen at once, and it remembers for good whether it
 * has been taken as a plain or as a queued spin lock, because the WDK forbids mixing the two
 * on one lock ("Drivers must not combine calls to KeAcquireSpinLock and
 * KeAcquireInStackQueuedSpinLock on the same spin lock"). Spinning is real (atomic
 * compare-and-swap) and bounded by the host's hang limit.
 *
 * Rules and the bug checks the host raises (Driver Verifier's, 0xC4 with P1 below; P2 is the
 * IRQL and P3 the lock unless stated):
 *   KeAcquireSpinLock / KeAcquireInStackQueuedSpinLock above DISPATCH_LEVEL   0x42
 *   KeReleaseSpinLock not at DISPATCH_LEVEL (also a double release)           0x32
 *   KeReleaseSpinLock(L, Old) with Old not the pre-acquire IRQL               0x20015 (DDI rule
 *       IrqlKeReleaseSpinLock; P2 the rule's text, P3 the lock)
 *   KeAcquireSpinLockAtDpcLevel / KeTryToAcquire… / queued AtDpcLevel below DISPATCH   0x40
 *   KeReleaseSpinLockFromDpcLevel / queued FromDpcLevel below DISPATCH        0x41
 *   KeReleaseInStackQueuedSpinLock not at DISPATCH_LEVEL                      0x36 (P4 old IRQL)
 *   acquire by the thread that already holds the lock (a certain deadlock)    0x1000 (P2 lock)
 *   plain acquire of a lock used queued, or the reverse                       0x1008 (P2 lock)
 *   release through the other form (FromDpcLevel for a raising acquire …)     0x1009 (P2 lock)
 *   release of a lock that is not held                                        0x1007 (P2 lock)
 *   release of a lock another thread holds                                    0x1004 (P2 lock,
 *       P3 owner, P4 current thread)
 *   a raising release that would drop below DISPATCH_LEVEL while the thread
 *   still holds a spin lock taken later                                       0x1003 (P2 lock,
 *       P3 the lock to release first)
 * Recursion is reported as Driver Verifier's Deadlock Detection reports it (0xC4/0x1000,
 * "self-deadlock: the current thread has tried to recursively acquire a resource"), not as the
 * checked kernel's SPIN_LOCK_ALREADY_OWNED (0xF): 0x1000 is what a verified driver meets and it
 * carries the lock's address, where 0xF carries no parameters.
 */
#ifndef IRQL_HOST_WDM_SPINLOCK_H
#define IRQL_HOST_WDM_SPINLOCK_H


IRQL_HOST_BEGIN_DECLS

typedef ULONG_PTR KSPIN_LOCK;
typedef KSPIN_LOCK *PKSPIN_LOCK;

/* The queue entry of an in-stack queued acquisition (its layout as in the WDK). */
typedef struct _KSPIN_LOCK_QUEUE {
    struct _KSPIN_LOCK_QUEUE *volatile Next;
    PKSPIN_LOCK volatile Lock;
} KSPIN_LOCK_QUEUE, *PKSPIN_LOCK_QUEUE;

/*
 * Per-acquisition state of an in-stack queued spin lock: the lock and the IRQL to return to.
 * The caller provides one, normally on its stack, for every acquisition, and passes the same
 * one to the release.
 */
typedef struct _KLOCK_QUEUE_HANDLE {
    KSPIN_LOCK_QUEUE LockQueue;
    KIRQL OldIrql;
} KLOCK_QUEUE_HANDLE, *PKLOCK_QUEUE_HANDLE;

/* Make SpinLock a free spin lock (any IRQL; the lock must be resident). */
NTKERNELAPI VOID KeInitializeSpinLock(_Out_ PKSPIN_LOCK SpinLock);

/*
 * Raise to DISPATCH_LEVEL, acquire SpinLock (spinning while another thread holds it) and
 * return the IRQL the caller ran at. KeAcquireSpinLock is the x64 macro over it.
 */
_Requires_lock_not_held_(*SpinLock) _Acquires_lock_(*SpinLock)
_IRQL_requires_max_(DISPATCH_LEVEL) _IRQL_raises_(DISPATCH_LEVEL) _IRQL_saves_
NTKERNELAPI KIRQL KeAcquireSpinLockRaiseToDpc(_Inout_ PKSPIN_LOCK SpinLock);
#define KeAcquireSpinLock(SpinLock, OldIrql) (*(OldIrql) = KeAcquireSpinLockRaiseToDpc(SpinLock))

/* Release SpinLock and lower to NewIrql, the value its KeAcquireSpinLock returned. */
_Requires_lock_held_(*SpinLock) _Releases_lock_(*SpinLock)
_IRQL_requires_(DISPATCH_LEVEL)
NTKERNELAPI VOID KeReleaseSpinLock(_Inout_ PKSPIN_LOCK SpinLock,
                                   _In_ _IRQL_restores_ KIRQL NewIrql);

/* Acquire SpinLock without changing the IRQL; the caller runs at DISPATCH_LEVEL or above. */
_Requires_lock_not_held_(*SpinLock) _Acquires_lock_(*SpinLock)
_IRQL_requires_min_(DISPATCH_LEVEL)
NTKERNELAPI VOID KeAcquireSpinLockAtDpcLevel(_Inout_ PKSPIN_LOCK SpinLock);

/* Release a lock taken by KeAcquireSpinLockAtDpcLevel; the IRQL is unchanged. */
_Requires_lock_held_(*SpinLock) _Releases_lock_(*SpinLock)
_IRQL_requires_min_(DISPATCH_LEVEL)
NTKERNELAPI VOID KeReleaseSpinLockFromDpcLevel(_Inout_ PKSPIN_LOCK SpinLock);

/*
 * Acquire SpinLock if it is free and return TRUE; return FALSE at once if it is held (also
 * when the caller itself holds it: a try cannot deadlock). At DISPATCH_LEVEL or above; release
 * with KeReleaseSpinLockFromDpcLevel.
 */
_Must_inspect_result_ _IRQL_requires_min_(DISPATCH_LEVEL)
NTKERNELAPI BOOLEAN KeTryToAcquireSpinLockAtDpcLevel(_Inout_ PKSPIN_LOCK SpinLock);

/*
 * FALSE if SpinLock is held, TRUE if it is free right now. Neither acquires nor changes the
 * IRQL: a hint before trying, from any IRQL.
 */
_Must_inspect_result_
NTKERNELAPI BOOLEAN KeTestSpinLock(_In_ PKSPIN_LOCK SpinLock);

/*
 * Raise to DISPATCH_LEVEL and acquire SpinLock as a queued spin lock; the old IRQL goes into
 * *LockHandle, which KeReleaseInStackQueuedSpinLock takes back.
 */
_IRQL_requires_max_(DISPATCH_LEVEL) _IRQL_raises_(DISPATCH_LEVEL)
NTKERNELAPI VOID KeAcquireInStackQueuedSpinLock(_Inout_ PKSPIN_LOCK SpinLock,
                                                _Out_ PKLOCK_QUEUE_HANDLE LockHandle);

/* Release the lock in *LockHandle and return to the IRQL saved there. */
_IRQL_requires_(DISPATCH_LEVEL)
NTKERNELAPI VOID KeReleaseInStackQueuedSpinLock(_In_ PKLOCK_QUEUE_HANDLE LockHandle);

/* Acquire as a queued spin lock without changing the IRQL (caller at DISPATCH_LEVEL+). */
_IRQL_requires_min_(DISPATCH_LEVEL)
NTKERNELAPI VOID KeAcquireInStackQueuedSpinLockAtDpcLevel(_Inout_ PKSPIN_LOCK SpinLock,
                                                          _Out_ PKLOCK_QUEUE_HANDLE LockHandle);

/* Release a lock taken by KeAcquireInStackQueuedSpinLockAtDpcLevel; the IRQL is unchanged. */
_IRQL_requires_min_(DISPATCH_LEVEL)
NTKERNELAPI VOID KeReleaseInStackQueuedSpinLockFromDpcLevel(_In_ PKLOCK_QUEUE_HANDLE LockHandle);

IRQL_HOST_END_DECLS

#endif
