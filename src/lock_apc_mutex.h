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
#ifndef IRQL_SRC_LOCK_APC_MUTEX_H
#define IRQL_SRC_LOCK_APC_MUTEX_H

#include "internal.h"

/* A mutex word with the lock bit clear is held (FM_LOCK_BIT is set while it is free). */
#define IRQLP_MUTEX_HELD(Mutex) ((ReadNoFence(&(Mutex)->Count) & FM_LOCK_BIT) == 0)

/*
 * The two wrappers differ only in their type, signature and the kernel routines they call, so
 * one template defines both: Init, the checked Lock path, TryLock, the checked Unlock path and
 * Delete, and the kind's IRQL__LOCK_OPS. Checks run in the order lock.h documents. Each
 * instance is its own object file, so a driver links the kernel routines of the kinds it uses.
 */
#define IRQLP_DEFINE_APC_MUTEX(Kind, Type, Api, api, Expected, Initialize, Acquire, TryToAcquire,  \
                               Release)                                                       \
    NTSTATUS Irql##Api##Init(Type *Mutex)                                                     \
    {                                                                                         \
        if (KeGetCurrentIrql() > DISPATCH_LEVEL) {                                            \
            return STATUS_IRQL_LOCK_IRQL_TOO_HIGH;                                            \
        }                                                                                     \
        Initialize(&Mutex->Mutex);                                                            \
        IrqlpWriteOwner(&Mutex->Owner, NULL);                                                 \
        Mutex->Signature = (Expected);                                                        \
        return STATUS_SUCCESS;                                                                \
    }                                                                                         \
                                                                                              \
    /* The checks Lock and TryLock share. */                                                  \
    static NTSTATUS CanAcquire##Api(Type *Mutex, PVOID Self)                                  \
    {                                                                                         \
        if (KeGetCurrentIrql() > APC_LEVEL) {                                                 \
            return STATUS_IRQL_LOCK_IRQL_TOO_HIGH;                                            \
        }                                                                                     \
        if (Mutex->Signature != (Expected) ) {                                                \
            return STATUS_IRQL_LOCK_NOT_INITIALIZED;                                          \
        }                                                                                     \
        if (IrqlpReadOwner(&Mutex->Owner) == Self) {                                          \
            return STATUS_IRQL_LOCK_RECURSION;                                                \
        }                                                                                     \
        return STATUS_SUCCESS;                                                                \
    }                                                                                         \
                                                                                              \
    NTSTATUS irql__##api##_lock(Type *Mutex)                                                  \
    {                                                                                         \
        PVOID Self = IrqlpSelf();                                                             \
        NTSTATUS Status = CanAcquire##Api(Mutex, Self);                                       \
        if (!NT_SUCCESS(Status)) {                                                            \
            return Status;                                                                    \
        }                                                                                     \
        Acquire(&Mutex->Mutex);                                                               \
        IrqlpWriteOwner(&Mutex->Owner, Self);                                                 \
        return STATUS_SUCCESS;                                                                \
    }                                                                                         \
                                                                                              \
    NTSTATUS Irql##Api##TryLock(Type *Mutex)                                                  \
    {                                                                                         \
        PVOID Self = IrqlpSelf();                                                             \
        NTSTATUS Status = CanAcquire##Api(Mutex, Self);                                       \
        if (!NT_SUCCESS(Status)) {                                                            \
            return Status;                                                                    \
        }                                                                                     \
        if (!TryToAcquire(&Mutex->Mutex)) {                                                   \
            return STATUS_IRQL_LOCK_BUSY;                                                     \
        }                                                                                     \
        IrqlpWriteOwner(&Mutex->Owner, Self);                                                 \
        return STATUS_SUCCESS;                                                                \
    }                                                                                         \
                                                                                              \
    NTSTATUS irql__##api##_unlock(Type *Mutex)                                                \
    {                                                                                         \
        if (Mutex->Signature != (Expected) ) {                                                \
            return STATUS_IRQL_LOCK_NOT_INITIALIZED;                                          \
        }                                                                                     \
        if (IrqlpReadOwner(&Mutex->Owner) != IrqlpSelf()) {                                   \
            return STATUS_IRQL_LOCK_NOT_OWNER;                                                \
        }                                                                                     \
        if (KeGetCurrentIrql() != APC_LEVEL) {                                                \
            return STATUS_IRQL_LOCK_WRONG_IRQL;                                               \
        }                                                                                     \
        IrqlpWriteOwner(&Mutex->Owner, NULL);                                                 \
        Release(&Mutex->Mutex);                                                               \
        return STATUS_SUCCESS;                                                                \
    }                                                                                         \
                                                                                              \
    NTSTATUS Irql##Api##Delete(Type *Mutex)                                                   \
    {                                                                                         \
        if (KeGetCurrentIrql() > DISPATCH_LEVEL) {                                            \
            return STATUS_IRQL_LOCK_IRQL_TOO_HIGH;                                            \
        }                                                                                     \
        if (Mutex->Signature != (Expected) ) {                                                \
            return STATUS_IRQL_LOCK_NOT_INITIALIZED;                                          \
        }                                                                                     \
        if (IrqlpReadOwner(&Mutex->Owner) != NULL || IRQLP_MUTEX_HELD(&Mutex->Mutex)) {       \
            return STATUS_IRQL_LOCK_HELD;                                                     \
        }                                                                                     \
        Mutex->Signature = 0;                                                                 \
        return STATUS_SUCCESS;                                                                \
    }                                                                                         \
    IRQLP_DEFINE_LOCK_OPS(Kind, Type, Api, api);

#endif
