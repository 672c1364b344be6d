/*
 * IRQL_KMUTEX: a KMUTEX whose acquisitions are checked. Recursion is counted by the wrapper
 * (the kernel object is acquired once per outermost acquisition), with the kernel's rule that
 * every release happens at the IRQL class (DISPATCH_LEVEL or below it) of the first acquire.
 * Lock and Unlock are inline (<irql/lock.h>); irql__kmutex_lock / _unlock are their checked
 * paths (every failed check, recursion, the inner releases, a mutex taken at DISPATCH_LEVEL).
 */
#include "internal.h"

NTSTATUS IrqlKMutexInit(PIRQL_KMUTEX Mutex)
{
    if (KeGetCurrentIrql() > DISPATCH_LEVEL) {
        return STATUS_IRQL_LOCK_IRQL_TOO_HIGH;
    }
    KeInitializeMutex(&Mutex->Mutex, 0);
    IrqlpWriteOwner(&Mutex->Owner, NULL);
    Mutex->Depth = 0;
    Mutex->AtDispatch = FALSE;
    Mutex->Signature = IRQLP_SIGNATURE_KMUTEX;
    return STATUS_SUCCESS;
}

/* The owner acquires again: no kernel call, no wait. */
static NTSTATUS Recurse(PIRQL_KMUTEX Mutex)
{
    if (Mutex->Depth == MAXLONG) {
        return STATUS_MUTANT_LIMIT_EXCEEDED; /* what the kernel raises at its own limit */
    }
    Mutex->Depth++;
    return STATUS_SUCCESS;
}

/* The kernel granted the mutex (Status: STATUS_SUCCESS or STATUS_ABANDONED). */
static NTSTATUS Take(PIRQL_KMUTEX Mutex, PVOID Self, BOOLEAN AtDispatch, NTSTATUS Status)
{
    Mutex->Depth = 1;
    Mutex->AtDispatch = AtDispatch;
    IrqlpWriteOwner(&Mutex->Owner, Self);
    return Status;
}

NTSTATUS irql__kmutex_lock(PIRQL_KMUTEX Mutex)
{
    NTSTATUS Status;
    PVOID Self;

    if (KeGetCurrentIrql() > APC_LEVEL) {
        return STATUS_IRQL_LOCK_IRQL_TOO_HIGH;
    }
    if (Mutex->Signature != IRQLP_SIGNATURE_KMUTEX) {
        return STATUS_IRQL_LOCK_NOT_INITIALIZED;
    }
    Self = IrqlpSelf();
    if (IrqlpReadOwner(&Mutex->Owner) == Self) {
        return Recurse(Mutex);
    }
    Status = KeWaitForSingleObject(&Mutex->Mutex, Executive, KernelMode, FALSE, NULL);
    if (!NT_SUCCESS(Status) || Status == STATUS_TIMEOUT) {
        return Status; /* not for a kernel-mode, non-alertable, unbounded wait */
    }
    return Take(Mutex, Self, FALSE, Status);
}

NTSTATUS IrqlKMutexTryLock(PIRQL_KMUTEX Mutex)
{
    LARGE_INTEGER Zero;
    NTSTATUS Status;
    KIRQL Irql = KeGetCurrentIrql();
    PVOID Self;

    if (Irql > DISPATCH_LEVEL) {
        return STATUS_IRQL_LOCK_IRQL_TOO_HIGH;
    }
    if (Mutex->Signature != IRQLP_SIGNATURE_KMUTEX) {
        return STATUS_IRQL_LOCK_NOT_INITIALIZED;
    }
    Self = IrqlpSelf();
    if (IrqlpReadOwner(&Mutex->Owner) == Self) {
        return Recurse(Mutex);
    }
    Zero.QuadPart = 0; /* a zero timeout: allowed at DISPATCH_LEVEL, never waits */
    Status = KeWaitForSingleObject(&Mutex->Mutex, Executive, KernelMode, FALSE, &Zero);
    if (Status == STATUS_TIMEOUT) {
        return STATUS_IRQL_LOCK_BUSY;
    }
    if (!NT_SUCCESS(Status)) {
        return Status;
    }
    return Take(Mutex, Self, Irql == DISPATCH_LEVEL, Status);
}

NTSTATUS irql__kmutex_unlock(PIRQL_KMUTEX Mutex)
{
    KIRQL Irql;

    if (Mutex->Signature != IRQLP_SIGNATURE_KMUTEX) {
        return STATUS_IRQL_LOCK_NOT_INITIALIZED;
    }
    if (IrqlpReadOwner(&Mutex->Owner) != IrqlpSelf()) {
        return STATUS_IRQL_LOCK_NOT_OWNER;
    }
    Irql = KeGetCurrentIrql();
    if (Irql > DISPATCH_LEVEL || (Irql == DISPATCH_LEVEL) != (Mutex->AtDispatch != FALSE)) {
        return STATUS_IRQL_LOCK_WRONG_IRQL;
    }
    if (--Mutex->Depth == 0) {
        Mutex->AtDispatch = FALSE;
        IrqlpWriteOwner(&Mutex->Owner, NULL);
        (VOID)KeReleaseMutex(&Mutex->Mutex, FALSE);
    }
    return STATUS_SUCCESS;
}

NTSTATUS IrqlKMutexDelete(PIRQL_KMUTEX Mutex)
{
    if (KeGetCurrentIrql() > DISPATCH_LEVEL) {
        return STATUS_IRQL_LOCK_IRQL_TOO_HIGH;
    }
    if (Mutex->Signature != IRQLP_SIGNATURE_KMUTEX) {
        return STATUS_IRQL_LOCK_NOT_INITIALIZED;
    }
    /* KeReadStateMutex's value, read from the header: Wine stubs the routine (aborts). */
    if (IrqlpReadOwner(&Mutex->Owner) != NULL ||
        ReadNoFence((LONG const volatile *)&Mutex->Mutex.Header.SignalState) != 1) {
        return STATUS_IRQL_LOCK_HELD;
    }
    Mutex->Signature = 0;
    return STATUS_SUCCESS;
}

IRQLP_DEFINE_LOCK_OPS(IRQL__KIND_KMUTEX, IRQL_KMUTEX, KMutex, kmutex);
