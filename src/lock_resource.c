/*
 * IRQL_RESOURCE: an ERESOURCE acquired inside a critical region the wrapper enters before the
 * acquire and leaves after the release (one region per acquisition). Ownership is the
 * kernel's own (ExIsResourceAcquired…Lite), so no per-acquisition state is needed.
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

    if (!NT_SUCCESS(Status)) {
        return Status;
    }
    KeEnterCriticalRegion();
    Acquired = Exclusive ? ExAcquireResourceExclusiveLite(&Resource->Resource, Wait)
                         : ExAcquireResourceSharedLite(&Resource->Resource, Wait);
    if (!Acquired) {
        KeLeaveCriticalRegion();
        return STATUS_IRQL_LOCK_BUSY;
    }
    return STATUS_SUCCESS;
}

NTSTATUS IrqlResourceLock(PIRQL_RESOURCE Resource)
{
    return Acquire(Resource, TRUE, TRUE);
}

NTSTATUS IrqlResourceLockShared(PIRQL_RESOURCE Resource)
{
    return Acquire(Resource, FALSE, TRUE);
}

NTSTATUS IrqlResourceTryLock(PIRQL_RESOURCE Resource)
{
    return Acquire(Resource, TRUE, FALSE);
}

NTSTATUS IrqlResourceTryLockShared(PIRQL_RESOURCE Resource)
{
    return Acquire(Resource, FALSE, FALSE);
}

NTSTATUS IrqlResourceUnlock(PIRQL_RESOURCE Resource)
{
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
