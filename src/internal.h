/*
 * Internals shared by the library's sources. Written against the WDK: everything here is
 * available in <wdm.h> at the IRQLs the callers use it at.
 */
#ifndef IRQL_SRC_INTERNAL_H
#define IRQL_SRC_INTERNAL_H

#include <irql/lock.h>

#ifndef MAXULONG
#define MAXULONG 0xFFFFFFFFUL /* ntdef.h */
#endif

/* What Init writes and Delete clears (<irql/lock.h>: the inline fast paths test them too). */
#define IRQLP_SIGNATURE_KMUTEX IRQL__SIGNATURE_KMUTEX
#define IRQLP_SIGNATURE_FAST_MUTEX IRQL__SIGNATURE_FAST_MUTEX
#define IRQLP_SIGNATURE_GUARDED_MUTEX IRQL__SIGNATURE_GUARDED_MUTEX
#define IRQLP_SIGNATURE_SPIN_LOCK IRQL__SIGNATURE_SPIN_LOCK
#define IRQLP_SIGNATURE_RESOURCE IRQL__SIGNATURE_RESOURCE
#define IRQLP_SIGNATURE_PUSH_LOCK IRQL__SIGNATURE_PUSH_LOCK

/* The calling thread, as the wrappers record owners. Any IRQL. */
IRQL__INLINE PVOID IrqlpSelf(VOID)
{
    return (PVOID)KeGetCurrentThread();
}

/* Owner fields are written by the owner and read by any thread (which only compares them with
   itself): atomic, unordered. */
IRQL__INLINE PVOID IrqlpReadOwner(PVOID volatile *Field)
{
    return ReadPointerNoFence((PVOID const volatile *)Field);
}

IRQL__INLINE VOID IrqlpWriteOwner(PVOID volatile *Field, PVOID Value)
{
    WritePointerNoFence(Field, Value);
}

/* Zeroed memory of Bytes (> 0) from paged (Paged) or non-paged pool with Tag, or NULL
   (pool.c: ExAllocatePool2, or ExAllocatePoolWithTag and zeroing in builds with
   IRQL_POOL_USE_EX_ALLOCATE_POOL_WITH_TAG=1). <= APC_LEVEL for paged, DISPATCH_LEVEL else. */
PVOID IrqlpAllocate(BOOLEAN Paged, SIZE_T Bytes, ULONG Tag);

/* A pool tag: one to four characters 0x20–0x7E from the low byte up, then zero bytes. */
BOOLEAN IrqlpTagIsValid(ULONG Tag);

/* A kind's IRQL__LOCK_OPS table (<irql/lock.h>), from its Init and Delete. */
#define IRQLP_DEFINE_LOCK_OPS(Kind, Type, Api, api)                                            \
    static NTSTATUS Irqlp##Api##InitOps(PVOID Lock)                                           \
    {                                                                                         \
        return Irql##Api##Init((Type *)Lock);                                                 \
    }                                                                                         \
    static NTSTATUS Irqlp##Api##DeleteOps(PVOID Lock)                                         \
    {                                                                                         \
        return Irql##Api##Delete((Type *)Lock);                                               \
    }                                                                                         \
    const IRQL__LOCK_OPS irql__##api##_ops = {(Kind), Irqlp##Api##InitOps,                    \
                                              Irqlp##Api##DeleteOps}

/* The symbolic name of a library status ("STATUS_IRQL_LOCK_BUSY"), or NULL. */
PCSTR IrqlpStatusName(NTSTATUS Status);

#endif
