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
 */
#include "internal.h"

#define IRQLP_TRY_BIT 0x40000000L

NTSTATUS IrqlSpinLockInit(PIRQL_SPIN_LOCK Lock)
{
    if (KeGetCurrentIrql() > DISPATCH_LEVEL) {
        return STATUS_IRQL_LOCK_IRQL_TOO_HIGH;
    }
    KeInitializeSpinLock(&Lock->Lock);
    IrqlpWriteOwner(&Lock->Owner, NULL);
    WritePointerNoFence((PVOID volatile *)&Lock->Guard, NULL);
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
static VOID Hold(PIRQL_SPIN_LOCK Lock, PIRQL_SPIN_LOCK_GUARD Guard, PVOID Self)
{
    Guard->Lock = Lock;
    IrqlpWriteOwner(&Lock->Owner, Self);
    WritePointerNoFence((PVOID volatile *)&Lock->Guard, Guard);
}

NTSTATUS IrqlSpinLockLock(PIRQL_SPIN_LOCK Lock, PIRQL_SPIN_LOCK_GUARD Guard)
{
    PVOID Self = IrqlpSelf();
    NTSTATUS Status = CanAcquire(Lock, Self);

    if (!NT_SUCCESS(Status)) {
        return Status;
    }
    if (InterlockedIncrement(&Lock->Users) & IRQLP_TRY_BIT) {
        while (ReadNoFence(&Lock->Users) & IRQLP_TRY_BIT) {
            YieldProcessor();
        }
    }
    KeAcquireInStackQueuedSpinLock(&Lock->Lock, &Guard->Handle);
    Guard->OldIrql = Guard->Handle.OldIrql;
    Guard->Raised = FALSE;
    Hold(Lock, Guard, Self);
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
    Guard->Raised = TRUE;
    Hold(Lock, Guard, Self);
    return STATUS_SUCCESS;
}

NTSTATUS IrqlSpinLockUnlock(PIRQL_SPIN_LOCK Lock, PIRQL_SPIN_LOCK_GUARD Guard)
{
    BOOLEAN Raised;
    KIRQL Old;

    if (Lock->Signature != IRQLP_SIGNATURE_SPIN_LOCK) {
        return STATUS_IRQL_LOCK_NOT_INITIALIZED;
    }
    if (IrqlpReadOwner(&Lock->Owner) != IrqlpSelf() || Guard->Lock != Lock ||
        ReadPointerNoFence((PVOID const volatile *)&Lock->Guard) != (PVOID)Guard) {
        return STATUS_IRQL_LOCK_NOT_OWNER;
    }
    if (KeGetCurrentIrql() != DISPATCH_LEVEL) {
        return STATUS_IRQL_LOCK_WRONG_IRQL;
    }
    Raised = Guard->Raised;
    Old = Guard->OldIrql;
    Guard->Lock = NULL;
    WritePointerNoFence((PVOID volatile *)&Lock->Guard, NULL);
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
