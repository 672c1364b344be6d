/*
 * IRQL_RESOURCE: an ERESOURCE acquired inside a critical region the wrapper enters before the
 * acquire and leaves after the release (one region per acquisition). Ownership is the
 * kernel's own (ExIsResourceAcquired…Lite), so no per-acquisition state is needed.
 *
 * So that the common case need not ask the kernel (a call that takes the resource's own lock),
 * the wrapper also keeps a summary, like IRQL_PUSH_LOCK's: the exclusive owner and the number
 * of its acquisitions not yet released (Owner, Depth: written by the owner only; the shared
 * acquisitions an exclusive owner makes count there, as the kernel counts them as exclusive),
 * and the number of shared acquisitions by other threads (SharedHolders). A thread that is not
 * the owner and sees SharedHolders at zero holds nothing, since only it adds its own; a thread
 * that is the owner holds the resource. Lock and Unlock are inline (<irql/lock.h>) for those
 * cases; irql__resource_lock / _unlock are the checked paths, which ask the kernel as before.
 */
#include "internal.h"

NTSTATUS IrqlResourceInit(PIRQL_RESOURCE Resource)
{
    NTSTATUS Status;

    if (KeGetCurrentIrql() > DISPATCH_LEVEL) {
        return STATUS_IRQL_LOCK_IRQL_TOO_HIGH;
    }
    Status = ExInitializeResourceLite(&Resource->Resource);
    if (NT_SUCCESS(Status)) {
        IrqlpWriteOwner(&Resource->Owner, NULL);
        Resource->Depth = 0;
        WriteNoFence(&Resource->SharedHolders, 0);
        Resource->Signature = IRQLP_SIGNATURE_RESOURCE;
    }
    return Status;
}

static NTSTATUS CanAcquire(PIRQL_RESOURCE Resource, BOOLEAN Exclusive)
{
    if (KeGetCurrentIrql() > APC_LEVEL) {
        return STATUS_IRQL_LOCK_IRQL_TOO_HIGH;
    }
    if (Resource->Signature != IRQLP_SIGNATURE_RESOURCE) {
        return STATUS_IRQL_LOCK_NOT_INITIALIZED;
    }
    /* Shared -> exclusive by the same thread waits for itself forever. */
    if (Exclusive && ExIsResourceAcquiredSharedLite(&Resource->Resource) != 0 &&
        !ExIsResourceAcquiredExclusiveLite(&Resource->Resource)) {
        return STATUS_IRQL_LOCK_RECURSION;
    }
    return STATUS_SUCCESS;
}

static NTSTATUS Acquire(PIRQL_RESOURCE Resource, BOOLEAN Exclusive, BOOLEAN Wait)
{
    NTSTATUS Status = CanAcquire(Resource, Exclusive);
    BOOLEAN Acquired;
    PVOID Self;

    if (!NT_SUCCESS(Status)) {
        return Status;
    }
    Self = IrqlpSelf();
    KeEnterCriticalRegion();
    Acquired = Exclusive ? ExAcquireResourceExclusiveLite(&Resource->Resource, Wait)
                         : ExAcquireResourceSharedLite(&Resource->Resource, Wait);
    if (!Acquired) {
        KeLeaveCriticalRegion();
        return STATUS_IRQL_LOCK_BUSY;
    }
    if (IrqlpReadOwner(&Resource->Owner) == Self) {
        Resource->Depth++; /* the owner again, in either mode */
    } else if (Exclusive) {
        Resource->Depth = 1; /* CanAcquire: the caller held nothing */
        IrqlpWriteOwner(&Resource->Owner, Self);
    } else {
        InterlockedIncrement(&Resource->SharedHolders);
    }
    return STATUS_SUCCESS;
}

NTSTATUS irql__resource_lock(PIRQL_RESOURCE Resource, BOOLEAN Exclusive)
{
    return Acquire(Resource, Exclusive, TRUE);
}

NTSTATUS IrqlResourceTryLock(PIRQL_RESOURCE Resource)
{
    return Acquire(Resource, TRUE, FALSE);
}

NTSTATUS IrqlResourceTryLockShared(PIRQL_RESOURCE Resource)
{
    return Acquire(Resource, FALSE, FALSE);
}

NTSTATUS irql__resource_unlock(PIRQL_RESOURCE Resource)
{
    PVOID Self;
    KIRQL Irql;

    if (Resource->Signature != IRQLP_SIGNATURE_RESOURCE) {
        return STATUS_IRQL_LOCK_NOT_INITIALIZED;
    }
    Irql = KeGetCurrentIrql();
    if (Irql > DISPATCH_LEVEL) {
        return STATUS_IRQL_LOCK_WRONG_IRQL; /* too high even to ask who owns it */
    }
    if (ExIsResourceAcquiredSharedLite(&Resource->Resource) == 0) {
        return STATUS_IRQL_LOCK_NOT_OWNER;
    }
    if (Irql > APC_LEVEL) {
        return STATUS_IRQL_LOCK_WRONG_IRQL; /* the critical region cannot be left there */
    }
    Self = IrqlpSelf();
    if (IrqlpReadOwner(&Resource->Owner) == Self) {
        if (--Resource->Depth == 0) {
            IrqlpWriteOwner(&Resource->Owner, NULL); /* before another thread can own it */
        }
    } else {
        InterlockedDecrement(&Resource->SharedHolders);
    }
    ExReleaseResourceLite(&Resource->Resource);
    KeLeaveCriticalRegion();
    return STATUS_SUCCESS;
}

NTSTATUS IrqlResourceDelete(PIRQL_RESOURCE Resource)
{
    if (KeGetCurrentIrql() > APC_LEVEL) {
        return STATUS_IRQL_LOCK_IRQL_TOO_HIGH;
    }
    if (Resource->Signature != IRQLP_SIGNATURE_RESOURCE) {
        return STATUS_IRQL_LOCK_NOT_INITIALIZED;
    }
    if (ExIsResourceAcquiredSharedLite(&Resource->Resource) != 0) {
        return STATUS_IRQL_LOCK_HELD;
    }
    /* Held by another thread (or waited for): the exclusive try fails. */
    KeEnterCriticalRegion();
    if (!ExAcquireResourceExclusiveLite(&Resource->Resource, FALSE)) {
        KeLeaveCriticalRegion();
        return STATUS_IRQL_LOCK_HELD;
    }
    Resource->Signature = 0;
    ExReleaseResourceLite(&Resource->Resource);
    KeLeaveCriticalRegion();
    return ExDeleteResourceLite(&Resource->Resource);
}

IRQLP_DEFINE_LOCK_OPS(IRQL__KIND_RESOURCE, IRQL_RESOURCE, Resource, resource);
