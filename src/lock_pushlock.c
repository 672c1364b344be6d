/*
 * IRQL_PUSH_LOCK: an EX_PUSH_LOCK acquired inside a critical region the wrapper enters and
 * leaves, with a record of its holders.
 *
 * A push lock keeps no owner, and it is not recursive in either mode: the exclusive owner
 * that acquires again hangs, a shared owner that asks for exclusive access hangs, and a shared
 * owner that asks for shared access again hangs as soon as a writer queues between the two.
 * To refuse those re-acquisitions (STATUS_IRQL_LOCK_RECURSION) and releases by threads or
 * guards that do not hold the lock (STATUS_IRQL_LOCK_NOT_OWNER), the wrapper records
 *   - the exclusive owner and its guard (Owner, OwnerGuard: written by the owner only), and
 *   - the guards of the shared holders, in a list under a small spin lock of its own
 *     (HoldersLock, held for a few instructions at DISPATCH_LEVEL, never while waiting for the
 *     push lock). HolderCount lets an acquire skip the list when there are no readers: only
 *     the caller adds entries for itself, so "no entry of mine", seen at any moment, stays
 *     true until the caller acquires.
 * The exclusive path therefore costs two plain reads and writes on top of the push lock; a
 * shared acquisition and its release each take HoldersLock once. An exclusive guard is never
 * on the list (its Link is not used).
 *
 * Lock and Unlock are inline (<irql/lock.h>) for the exclusive case; irql__push_lock_lock /
 * _unlock are the checked paths (every failed check, shared acquisitions and releases, and an
 * exclusive acquire while shared holders exist, which must search the list).
 */
#include "internal.h"

NTSTATUS IrqlPushLockInit(PIRQL_PUSH_LOCK Lock)
{
    if (KeGetCurrentIrql() > DISPATCH_LEVEL) {
        return STATUS_IRQL_LOCK_IRQL_TOO_HIGH;
    }
    ExInitializePushLock(&Lock->Lock);
    IrqlpWriteOwner(&Lock->Owner, NULL);
    WritePointerNoFence((PVOID volatile *)&Lock->OwnerGuard, NULL);
    KeInitializeSpinLock(&Lock->HoldersLock);
    Lock->Holders.Flink = Lock->Holders.Blink = &Lock->Holders;
    WriteNoFence(&Lock->HolderCount, 0);
    Lock->Signature = IRQLP_SIGNATURE_PUSH_LOCK;
    return STATUS_SUCCESS;
}

/* HoldersLock held: the shared guard of Thread, or, with Thread NULL, Guard itself if it is
   on the list. */
static PIRQL_PUSH_LOCK_GUARD FindHolder(PIRQL_PUSH_LOCK Lock, PVOID Thread,
                                        PIRQL_PUSH_LOCK_GUARD Guard)
{
    for (PLIST_ENTRY Entry = Lock->Holders.Flink; Entry != &Lock->Holders; Entry = Entry->Flink) {
        PIRQL_PUSH_LOCK_GUARD Holder = CONTAINING_RECORD(Entry, IRQL_PUSH_LOCK_GUARD, Link);
        if (Thread != NULL ? Holder->Thread == Thread : Holder == Guard) {
            return Holder;
        }
    }
    return NULL;
}

/* Does the calling thread hold the lock, in either mode? At or below APC_LEVEL. */
static BOOLEAN IsHolder(PIRQL_PUSH_LOCK Lock, PVOID Self)
{
    KLOCK_QUEUE_HANDLE Handle;
    BOOLEAN Found;

    if (IrqlpReadOwner(&Lock->Owner) == Self) {
        return TRUE;
    }
    if (ReadNoFence(&Lock->HolderCount) == 0) {
        return FALSE;
    }
    KeAcquireInStackQueuedSpinLock(&Lock->HoldersLock, &Handle);
    Found = FindHolder(Lock, Self, NULL) != NULL;
    KeReleaseInStackQueuedSpinLock(&Handle);
    return Found;
}

static NTSTATUS Acquire(PIRQL_PUSH_LOCK Lock, PIRQL_PUSH_LOCK_GUARD Guard, BOOLEAN Shared,
                        BOOLEAN Try)
{
    KLOCK_QUEUE_HANDLE Handle;
    PVOID Self;

    if (KeGetCurrentIrql() > APC_LEVEL) {
        return STATUS_IRQL_LOCK_IRQL_TOO_HIGH;
    }
    if (Lock->Signature != IRQLP_SIGNATURE_PUSH_LOCK) {
        return STATUS_IRQL_LOCK_NOT_INITIALIZED;
    }
    Self = IrqlpSelf();
    if (IsHolder(Lock, Self)) {
        return STATUS_IRQL_LOCK_RECURSION;
    }
    KeEnterCriticalRegion();
    if (Try) {
        BOOLEAN Acquired = Shared ? ExTryAcquirePushLockShared(&Lock->Lock)
                                  : ExTryAcquirePushLockExclusive(&Lock->Lock);
        if (!Acquired) {
            KeLeaveCriticalRegion();
            return STATUS_IRQL_LOCK_BUSY;
        }
    } else if (Shared) {
        ExAcquirePushLockShared(&Lock->Lock);
    } else {
        ExAcquirePushLockExclusive(&Lock->Lock);
    }
    Guard->Lock = Lock;
    Guard->Thread = Self;
    Guard->Shared = Shared;
    if (!Shared) {
        WritePointerNoFence((PVOID volatile *)&Lock->OwnerGuard, Guard);
        IrqlpWriteOwner(&Lock->Owner, Self);
        return STATUS_SUCCESS;
    }
    KeAcquireInStackQueuedSpinLock(&Lock->HoldersLock, &Handle);
    Guard->Link.Flink = &Lock->Holders;
    Guard->Link.Blink = Lock->Holders.Blink;
    Lock->Holders.Blink->Flink = &Guard->Link;
    Lock->Holders.Blink = &Guard->Link;
    InterlockedIncrement(&Lock->HolderCount);
    KeReleaseInStackQueuedSpinLock(&Handle);
    return STATUS_SUCCESS;
}

NTSTATUS irql__push_lock_lock(PIRQL_PUSH_LOCK Lock, PIRQL_PUSH_LOCK_GUARD Guard, BOOLEAN Shared)
{
    return Acquire(Lock, Guard, Shared, FALSE);
}

NTSTATUS IrqlPushLockTryLock(PIRQL_PUSH_LOCK Lock, PIRQL_PUSH_LOCK_GUARD Guard)
{
    return Acquire(Lock, Guard, FALSE, TRUE);
}

NTSTATUS IrqlPushLockTryLockShared(PIRQL_PUSH_LOCK Lock, PIRQL_PUSH_LOCK_GUARD Guard)
{
    return Acquire(Lock, Guard, TRUE, TRUE);
}

NTSTATUS irql__push_lock_unlock(PIRQL_PUSH_LOCK Lock, PIRQL_PUSH_LOCK_GUARD Guard)
{
    KLOCK_QUEUE_HANDLE Handle;
    PVOID Self;

    if (Lock->Signature != IRQLP_SIGNATURE_PUSH_LOCK) {
        return STATUS_IRQL_LOCK_NOT_INITIALIZED;
    }
    Self = IrqlpSelf();
    if (Guard->Lock != Lock || Guard->Thread != Self) {
        return STATUS_IRQL_LOCK_NOT_OWNER;
    }
    if (!Guard->Shared) {
        if (IrqlpReadOwner(&Lock->Owner) != Self ||
            ReadPointerNoFence((PVOID const volatile *)&Lock->OwnerGuard) != (PVOID)Guard) {
            return STATUS_IRQL_LOCK_NOT_OWNER; /* a copy, or a guard already released */
        }
        if (KeGetCurrentIrql() > APC_LEVEL) {
            return STATUS_IRQL_LOCK_WRONG_IRQL;
        }
        Guard->Lock = NULL;
        IrqlpWriteOwner(&Lock->Owner, NULL); /* OwnerGuard is read only while Owner is set */
        ExReleasePushLockExclusive(&Lock->Lock);
        KeLeaveCriticalRegion();
        return STATUS_SUCCESS;
    }
    if (KeGetCurrentIrql() > APC_LEVEL) {
        return STATUS_IRQL_LOCK_WRONG_IRQL;
    }
    KeAcquireInStackQueuedSpinLock(&Lock->HoldersLock, &Handle);
    if (FindHolder(Lock, NULL, Guard) == NULL) {
        KeReleaseInStackQueuedSpinLock(&Handle);
        return STATUS_IRQL_LOCK_NOT_OWNER; /* a copy, or a guard already released */
    }
    Guard->Link.Blink->Flink = Guard->Link.Flink;
    Guard->Link.Flink->Blink = Guard->Link.Blink;
    InterlockedDecrement(&Lock->HolderCount);
    KeReleaseInStackQueuedSpinLock(&Handle);
    Guard->Lock = NULL;
    ExReleasePushLockShared(&Lock->Lock);
    KeLeaveCriticalRegion();
    return STATUS_SUCCESS;
}

NTSTATUS IrqlPushLockDelete(PIRQL_PUSH_LOCK Lock)
{
    if (KeGetCurrentIrql() > DISPATCH_LEVEL) {
        return STATUS_IRQL_LOCK_IRQL_TOO_HIGH;
    }
    if (Lock->Signature != IRQLP_SIGNATURE_PUSH_LOCK) {
        return STATUS_IRQL_LOCK_NOT_INITIALIZED;
    }
    /* The word is zero only while nobody holds or waits for the lock. */
    if (IrqlpReadOwner(&Lock->Owner) != NULL || ReadNoFence(&Lock->HolderCount) != 0 ||
        ReadPointerNoFence((PVOID const volatile *)&Lock->Lock) != NULL) {
        return STATUS_IRQL_LOCK_HELD;
    }
    Lock->Signature = 0;
    return STATUS_SUCCESS;
}

IRQLP_DEFINE_LOCK_OPS(IRQL__KIND_PUSH_LOCK, IRQL_PUSH_LOCK, PushLock, push_lock);
