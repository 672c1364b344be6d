/* The explicit lock API through IRQL_CALL, each routine from a context its contract allows:
   the mutexes, resources and push locks from code at or below APC_LEVEL, spin locks and the
   KMUTEX try from a DPC, Init and Delete from up to DISPATCH_LEVEL. */
#include <irql/lock.h>

typedef struct _DEVICE_LOCKS {
    IRQL_KMUTEX KMutex;
    IRQL_FAST_MUTEX Fast;
    IRQL_GUARDED_MUTEX Guarded;
    IRQL_SPIN_LOCK Spin;
    IRQL_RESOURCE Resource;
    IRQL_PUSH_LOCK Push;
} DEVICE_LOCKS, *PDEVICE_LOCKS;

IRQL_MAX(InitLocks, DISPATCH_LEVEL)
NTSTATUS InitLocks(PDEVICE_LOCKS L)
{
    IRQL_ENTER(InitLocks);
    NTSTATUS Status = IRQL_CALL(IrqlKMutexInit)(&L->KMutex);
    if (NT_SUCCESS(Status)) Status = IRQL_CALL(IrqlFastMutexInit)(&L->Fast);
    if (NT_SUCCESS(Status)) Status = IRQL_CALL(IrqlGuardedMutexInit)(&L->Guarded);
    if (NT_SUCCESS(Status)) Status = IRQL_CALL(IrqlSpinLockInit)(&L->Spin);
    if (NT_SUCCESS(Status)) Status = IRQL_CALL(IrqlResourceInit)(&L->Resource);
    if (NT_SUCCESS(Status)) Status = IRQL_CALL(IrqlPushLockInit)(&L->Push);
    return Status;
}

IRQL_MAX(Work, APC_LEVEL)
NTSTATUS Work(PDEVICE_LOCKS L)
{
    IRQL_ENTER(Work);
    IRQL_PUSH_LOCK_GUARD PushGuard;
    IRQL_SPIN_LOCK_GUARD SpinGuard;
    NTSTATUS Status = IRQL_CALL(IrqlKMutexLock)(&L->KMutex);
    if (NT_SUCCESS(Status)) {
        (VOID)IRQL_CALL(IrqlKMutexUnlock)(&L->KMutex);
    }
    if (NT_SUCCESS(IRQL_CALL(IrqlFastMutexLock)(&L->Fast))) {
        (VOID)IRQL_CALL(IrqlFastMutexUnlock)(&L->Fast);
    }
    if (NT_SUCCESS(IRQL_CALL(IrqlGuardedMutexTryLock)(&L->Guarded))) {
        (VOID)IRQL_CALL(IrqlGuardedMutexUnlock)(&L->Guarded);
    }
    if (NT_SUCCESS(IRQL_CALL(IrqlSpinLockLock)(&L->Spin, &SpinGuard))) {
        (VOID)IRQL_CALL(IrqlSpinLockUnlock)(&L->Spin, &SpinGuard);
    }
    if (NT_SUCCESS(IRQL_CALL(IrqlResourceLockShared)(&L->Resource))) {
        (VOID)IRQL_CALL(IrqlResourceUnlock)(&L->Resource);
    }
    if (NT_SUCCESS(IRQL_CALL(IrqlPushLockTryLockShared)(&L->Push, &PushGuard))) {
        (VOID)IRQL_CALL(IrqlPushLockUnlock)(&L->Push, &PushGuard);
    }
    return Status;
}

IRQL_AT(OnDpc, DISPATCH_LEVEL)
VOID OnDpc(PDEVICE_LOCKS L)
{
    IRQL_ENTER(OnDpc);
    IRQL_SPIN_LOCK_GUARD Guard;
    if (IRQL_CALL(IrqlSpinLockTryLock)(&L->Spin, &Guard) == STATUS_SUCCESS) {
        (VOID)IRQL_CALL(IrqlSpinLockUnlock)(&L->Spin, &Guard);
    }
    if (NT_SUCCESS(IRQL_CALL(IrqlKMutexTryLock)(&L->KMutex))) {
        (VOID)IRQL_CALL(IrqlKMutexUnlock)(&L->KMutex);
    }
}

IRQL_MAX(DeleteLocks, APC_LEVEL)
VOID DeleteLocks(PDEVICE_LOCKS L)
{
    IRQL_ENTER(DeleteLocks);
    (VOID)IRQL_CALL(IrqlKMutexDelete)(&L->KMutex);
    (VOID)IRQL_CALL(IrqlFastMutexDelete)(&L->Fast);
    (VOID)IRQL_CALL(IrqlGuardedMutexDelete)(&L->Guarded);
    (VOID)IRQL_CALL(IrqlSpinLockDelete)(&L->Spin);
    (VOID)IRQL_CALL(IrqlResourceDelete)(&L->Resource);
    (VOID)IRQL_CALL(IrqlPushLockDelete)(&L->Push);
}

/* The statuses: library codes, none of them a success. */
_Static_assert(!NT_SUCCESS(STATUS_IRQL_LOCK_BUSY), "busy is no success");
_Static_assert(NT_WARNING(STATUS_IRQL_LOCK_BUSY), "busy is a warning");
_Static_assert(NT_ERROR(STATUS_IRQL_LOCK_IRQL_TOO_HIGH) && NT_ERROR(STATUS_IRQL_LOCK_WRONG_IRQL) &&
                   NT_ERROR(STATUS_IRQL_LOCK_NOT_OWNER) && NT_ERROR(STATUS_IRQL_LOCK_RECURSION) &&
                   NT_ERROR(STATUS_IRQL_LOCK_NOT_INITIALIZED) && NT_ERROR(STATUS_IRQL_LOCK_HELD),
               "errors");
_Static_assert((STATUS_IRQL_LOCK_BUSY & 0x20000000) != 0, "a customer code");
_Static_assert((STATUS_IRQL_LOCK_HELD & 0x20000000) != 0, "a customer code");
