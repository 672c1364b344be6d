/*
 * IRQL_FAST_MUTEX and IRQL_GUARDED_MUTEX: non-recursive mutexes whose holder runs at
 * APC_LEVEL. The kernel keeps the caller's old IRQL in the mutex (FAST_MUTEX.OldIrql, written
 * by the owner only); the wrapper records the owning thread, so that a second acquisition by
 * the owner is refused instead of deadlocking, and a release by anyone else is refused
 * instead of corrupting the mutex.
 *
 * Lock and Unlock are inline (<irql/lock.h>); irql__…_lock / _unlock here are their checked
 * paths, which run the full checks for every case the inline fast path does not cover.
 */
#include "internal.h"

/* A mutex word with the lock bit clear is held (FM_LOCK_BIT is set while it is free). */
#define IRQLP_MUTEX_HELD(Mutex) ((ReadNoFence(&(Mutex)->Count) & FM_LOCK_BIT) == 0)

/* ---- IRQL_FAST_MUTEX ------------------------------------------------------------------- */

NTSTATUS IrqlFastMutexInit(PIRQL_FAST_MUTEX Mutex)
{
    if (KeGetCurrentIrql() > DISPATCH_LEVEL) {
        return STATUS_IRQL_LOCK_IRQL_TOO_HIGH;
    }
    ExInitializeFastMutex(&Mutex->Mutex);
    IrqlpWriteOwner(&Mutex->Owner, NULL);
    Mutex->Signature = IRQLP_SIGNATURE_FAST_MUTEX;
    return STATUS_SUCCESS;
}

/* The checks Lock and TryLock share. */
static NTSTATUS CanAcquireFast(PIRQL_FAST_MUTEX Mutex, PVOID Self)
{
    if (KeGetCurrentIrql() > APC_LEVEL) {
        return STATUS_IRQL_LOCK_IRQL_TOO_HIGH;
    }
    if (Mutex->Signature != IRQLP_SIGNATURE_FAST_MUTEX) {
        return STATUS_IRQL_LOCK_NOT_INITIALIZED;
    }
    if (IrqlpReadOwner(&Mutex->Owner) == Self) {
        return STATUS_IRQL_LOCK_RECURSION;
    }
    return STATUS_SUCCESS;
}

NTSTATUS irql__fast_mutex_lock(PIRQL_FAST_MUTEX Mutex)
{
    PVOID Self = IrqlpSelf();
    NTSTATUS Status = CanAcquireFast(Mutex, Self);

    if (!NT_SUCCESS(Status)) {
        return Status;
    }
    ExAcquireFastMutex(&Mutex->Mutex);
    IrqlpWriteOwner(&Mutex->Owner, Self);
    return STATUS_SUCCESS;
}

NTSTATUS IrqlFastMutexTryLock(PIRQL_FAST_MUTEX Mutex)
{
    PVOID Self = IrqlpSelf();
    NTSTATUS Status = CanAcquireFast(Mutex, Self);

    if (!NT_SUCCESS(Status)) {
        return Status;
    }
    if (!ExTryToAcquireFastMutex(&Mutex->Mutex)) {
        return STATUS_IRQL_LOCK_BUSY;
    }
    IrqlpWriteOwner(&Mutex->Owner, Self);
    return STATUS_SUCCESS;
}

NTSTATUS irql__fast_mutex_unlock(PIRQL_FAST_MUTEX Mutex)
{
    if (Mutex->Signature != IRQLP_SIGNATURE_FAST_MUTEX) {
        return STATUS_IRQL_LOCK_NOT_INITIALIZED;
    }
    if (IrqlpReadOwner(&Mutex->Owner) != IrqlpSelf()) {
        return STATUS_IRQL_LOCK_NOT_OWNER;
    }
    if (KeGetCurrentIrql() != APC_LEVEL) {
        return STATUS_IRQL_LOCK_WRONG_IRQL;
    }
    IrqlpWriteOwner(&Mutex->Owner, NULL);
    ExReleaseFastMutex(&Mutex->Mutex);
    return STATUS_SUCCESS;
}

NTSTATUS IrqlFastMutexDelete(PIRQL_FAST_MUTEX Mutex)
{
    if (KeGetCurrentIrql() > DISPATCH_LEVEL) {
        return STATUS_IRQL_LOCK_IRQL_TOO_HIGH;
    }
    if (Mutex->Signature != IRQLP_SIGNATURE_FAST_MUTEX) {
        return STATUS_IRQL_LOCK_NOT_INITIALIZED;
    }
    if (IrqlpReadOwner(&Mutex->Owner) != NULL || IRQLP_MUTEX_HELD(&Mutex->Mutex)) {
        return STATUS_IRQL_LOCK_HELD;
    }
    Mutex->Signature = 0;
    return STATUS_SUCCESS;
}

/* ---- IRQL_GUARDED_MUTEX ---------------------------------------------------------------- */

NTSTATUS IrqlGuardedMutexInit(PIRQL_GUARDED_MUTEX Mutex)
{
    if (KeGetCurrentIrql() > DISPATCH_LEVEL) {
        return STATUS_IRQL_LOCK_IRQL_TOO_HIGH;
    }
    KeInitializeGuardedMutex(&Mutex->Mutex);
    IrqlpWriteOwner(&Mutex->Owner, NULL);
    Mutex->Signature = IRQLP_SIGNATURE_GUARDED_MUTEX;
    return STATUS_SUCCESS;
}

static NTSTATUS CanAcquireGuarded(PIRQL_GUARDED_MUTEX Mutex, PVOID Self)
{
    if (KeGetCurrentIrql() > APC_LEVEL) {
        return STATUS_IRQL_LOCK_IRQL_TOO_HIGH;
    }
    if (Mutex->Signature != IRQLP_SIGNATURE_GUARDED_MUTEX) {
        return STATUS_IRQL_LOCK_NOT_INITIALIZED;
    }
    if (IrqlpReadOwner(&Mutex->Owner) == Self) {
        return STATUS_IRQL_LOCK_RECURSION;
    }
    return STATUS_SUCCESS;
}

NTSTATUS irql__guarded_mutex_lock(PIRQL_GUARDED_MUTEX Mutex)
{
    PVOID Self = IrqlpSelf();
    NTSTATUS Status = CanAcquireGuarded(Mutex, Self);

    if (!NT_SUCCESS(Status)) {
        return Status;
    }
    KeAcquireGuardedMutex(&Mutex->Mutex);
    IrqlpWriteOwner(&Mutex->Owner, Self);
    return STATUS_SUCCESS;
}

NTSTATUS IrqlGuardedMutexTryLock(PIRQL_GUARDED_MUTEX Mutex)
{
    PVOID Self = IrqlpSelf();
    NTSTATUS Status = CanAcquireGuarded(Mutex, Self);

    if (!NT_SUCCESS(Status)) {
        return Status;
    }
    if (!KeTryToAcquireGuardedMutex(&Mutex->Mutex)) {
        return STATUS_IRQL_LOCK_BUSY;
    }
    IrqlpWriteOwner(&Mutex->Owner, Self);
    return STATUS_SUCCESS;
}

NTSTATUS irql__guarded_mutex_unlock(PIRQL_GUARDED_MUTEX Mutex)
{
    if (Mutex->Signature != IRQLP_SIGNATURE_GUARDED_MUTEX) {
        return STATUS_IRQL_LOCK_NOT_INITIALIZED;
    }
    if (IrqlpReadOwner(&Mutex->Owner) != IrqlpSelf()) {
        return STATUS_IRQL_LOCK_NOT_OWNER;
    }
    if (KeGetCurrentIrql() != APC_LEVEL) {
        return STATUS_IRQL_LOCK_WRONG_IRQL;
    }
    IrqlpWriteOwner(&Mutex->Owner, NULL);
    KeReleaseGuardedMutex(&Mutex->Mutex);
    return STATUS_SUCCESS;
}

NTSTATUS IrqlGuardedMutexDelete(PIRQL_GUARDED_MUTEX Mutex)
{
    if (KeGetCurrentIrql() > DISPATCH_LEVEL) {
        return STATUS_IRQL_LOCK_IRQL_TOO_HIGH;
    }
    if (Mutex->Signature != IRQLP_SIGNATURE_GUARDED_MUTEX) {
        return STATUS_IRQL_LOCK_NOT_INITIALIZED;
    }
    if (IrqlpReadOwner(&Mutex->Owner) != NULL || IRQLP_MUTEX_HELD(&Mutex->Mutex)) {
        return STATUS_IRQL_LOCK_HELD;
    }
    Mutex->Signature = 0;
    return STATUS_SUCCESS;
}
