/*
 * IRQL_SPIN_LOCK: a KSPIN_LOCK acquired as an in-stack queued spin lock, with the queue handle
 * and the old IRQL in the caller's IRQL_SPIN_LOCK_GUARD.
 *
 * TryLock. The WDK has no try for in-stack queued acquisition, so the wrapper keeps a gate,
 * Users: the number of threads holding or waiting for the lock (every Lock counts itself in
 * before it queues and out after it releases), plus IRQLP_TRY_BIT while a TryLock that found
 * Users at zero is queueing. A TryLock succeeds only if it moves Users from 0 to
 * IRQLP_TRY_BIT | 1: nobody holds or waits, so its queued acquire is immediate. A Lock that
 * counts itself in while the bit is set waits for the bit to clear before it queues, so it
 * cannot overtake that TryLock and make it spin. TryLock runs at DISPATCH_LEVEL from before
 * the exchange until the bit is clear, so that wait lasts a few instructions.
 *
 * Lock and Unlock are inline (<irql/lock.h>); irql__spin_lock_lock / _unlock are their checked
 * paths (every failed check, and the release of a TryLock's acquisition: a TryLock raises the
 * IRQL itself, and records that in the holder's guard address, Lock->Guard + 1, so that the
 * inline Unlock, which compares Lock->Guard with its guard, leaves that release to the
 * library without a test of its own).
 */
#include "internal.h"

#define IRQLP_TRY_BIT IRQL__SPIN_TRY_BIT

NTSTATUS IrqlSpinLockInit(PIRQL_SPIN_LOCK Lock)
{
    if (KeGetCurrentIrql() > DISPATCH_LEVEL) {
        return STATUS_IRQL_LOCK_IRQL_TOO_HIGH;
    }
    KeInitializeSpinLock(&Lock->Lock);
    IrqlpWriteOwner(&Lock->Owner, NULL);
    WritePointerNoFence(&Lock->Guard, NULL);
    WriteNoFence(&Lock->Users, 0);
    Lock->Signature = IRQLP_SIGNATURE_SPIN_LOCK;
    return STATUS_SUCCESS;
}

static NTSTATUS CanAcquire(PIRQL_SPIN_LOCK Lock, PVOID Self)
{
    if (KeGetCurrentIrql() > DISPATCH_LEVEL) {
        return STATUS_IRQL_LOCK_IRQL_TOO_HIGH;
    }
    if (Lock->Signature != IRQLP_SIGNATURE_SPIN_LOCK) {
        return STATUS_IRQL_LOCK_NOT_INITIALIZED;
    }
    if (IrqlpReadOwner(&Lock->Owner) == Self) {
        return STATUS_IRQL_LOCK_RECURSION; /* a certain deadlock on a real machine */
    }
    return STATUS_SUCCESS;
}

/* Lock granted: record the holder. At DISPATCH_LEVEL. */
static VOID Hold(PIRQL_SPIN_LOCK Lock, PIRQL_SPIN_LOCK_GUARD Guard, PVOID Self, BOOLEAN Raised)
{
    ULONG_PTR Tag = Raised ? IRQL__SPIN_RAISED : 0; /* Unlock must lower the IRQL */

    Guard->Lock = Lock;
    IrqlpWriteOwner(&Lock->Owner, Self);
    WritePointerNoFence(&Lock->Guard, (PVOID)((ULONG_PTR)Guard | Tag));
}

VOID irql__spin_lock_wait_for_try(PIRQL_SPIN_LOCK Lock)
{
    while (ReadNoFence(&Lock->Users) & IRQLP_TRY_BIT) {
        YieldProcessor();
    }
}

NTSTATUS irql__spin_lock_lock(PIRQL_SPIN_LOCK Lock, PIRQL_SPIN_LOCK_GUARD Guard)
{
    PVOID Self = IrqlpSelf();
    NTSTATUS Status = CanAcquire(Lock, Self);

    if (!NT_SUCCESS(Status)) {
        return Status;
    }
    if (InterlockedExchangeAdd(&Lock->Users, 1) & IRQLP_TRY_BIT) {
        irql__spin_lock_wait_for_try(Lock);
    }
    KeAcquireInStackQueuedSpinLock(&Lock->Lock, &Guard->Handle);
    Hold(Lock, Guard, Self, FALSE); /* OldIrql is TryLock's: the handle keeps this one */
    return STATUS_SUCCESS;
}

NTSTATUS IrqlSpinLockTryLock(PIRQL_SPIN_LOCK Lock, PIRQL_SPIN_LOCK_GUARD Guard)
{
    PVOID Self = IrqlpSelf();
    NTSTATUS Status = CanAcquire(Lock, Self);
    KIRQL Old;

    if (!NT_SUCCESS(Status)) {
        return Status;
    }
    if (ReadNoFence(&Lock->Users) != 0) {
        return STATUS_IRQL_LOCK_BUSY; /* cheap early answer, without raising */
    }
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    if (InterlockedCompareExchange(&Lock->Users, IRQLP_TRY_BIT | 1, 0) != 0) {
        KeLowerIrql(Old);
        return STATUS_IRQL_LOCK_BUSY;
    }
    /* Nobody holds or waits, and nobody queues before the bit is clear: immediate. */
    KeAcquireInStackQueuedSpinLock(&Lock->Lock, &Guard->Handle);
    InterlockedAnd(&Lock->Users, ~IRQLP_TRY_BIT);
    Guard->OldIrql = Old;
    Hold(Lock, Guard, Self, TRUE);
    return STATUS_SUCCESS;
}

NTSTATUS irql__spin_lock_unlock(PIRQL_SPIN_LOCK Lock, PIRQL_SPIN_LOCK_GUARD Guard)
{
    ULONG_PTR Held;
    BOOLEAN Raised;
    KIRQL Old = PASSIVE_LEVEL;

    if (Lock->Signature != IRQLP_SIGNATURE_SPIN_LOCK) {
        return STATUS_IRQL_LOCK_NOT_INITIALIZED;
    }
    if (IrqlpReadOwner(&Lock->Owner) != IrqlpSelf() || Guard->Lock != Lock) {
        return STATUS_IRQL_LOCK_NOT_OWNER;
    }
    Held = (ULONG_PTR)ReadPointerNoFence(&Lock->Guard); /* the owner's: read after Owner */
    if ((Held & ~(ULONG_PTR)IRQL__SPIN_RAISED) != (ULONG_PTR)Guard) {
        return STATUS_IRQL_LOCK_NOT_OWNER;
    }
    if (KeGetCurrentIrql() != DISPATCH_LEVEL) {
        return STATUS_IRQL_LOCK_WRONG_IRQL;
    }
    Raised = (Held & IRQL__SPIN_RAISED) != 0;
    if (Raised) {
        Old = Guard->OldIrql;
    }
    Guard->Lock = NULL; /* Lock->Guard is read only while Owner is set */
    IrqlpWriteOwner(&Lock->Owner, NULL);
    KeReleaseInStackQueuedSpinLock(&Guard->Handle); /* TryLock's: stays at DISPATCH_LEVEL */
    InterlockedDecrement(&Lock->Users);
    if (Raised) {
        KeLowerIrql(Old);
    }
    return STATUS_SUCCESS;
}

NTSTATUS IrqlSpinLockDelete(PIRQL_SPIN_LOCK Lock)
{
    if (KeGetCurrentIrql() > DISPATCH_LEVEL) {
        return STATUS_IRQL_LOCK_IRQL_TOO_HIGH;
    }
    if (Lock->Signature != IRQLP_SIGNATURE_SPIN_LOCK) {
        return STATUS_IRQL_LOCK_NOT_INITIALIZED;
    }
    if (ReadNoFence(&Lock->Users) != 0 || IrqlpReadOwner(&Lock->Owner) != NULL) {
        return STATUS_IRQL_LOCK_HELD;
    }
    Lock->Signature = 0;
    return STATUS_SUCCESS;
}

IRQLP_DEFINE_LOCK_OPS(IRQL__KIND_SPIN_LOCK, IRQL_SPIN_LOCK, SpinLock, spin_lock);
