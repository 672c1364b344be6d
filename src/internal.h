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
FORCEINLINE PVOID IrqlpSelf(VOID)
{
    return (PVOID)KeGetCurrentThread();
}

/* Owner fields are written by the owner and read by any thread (which only compares them with
   itself): atomic, unordered. */
FORCEINLINE PVOID IrqlpReadOwner(PVOID volatile *Field)
{
    return ReadPointerNoFence((PVOID const volatile *)Field);
}

FORCEINLINE VOID IrqlpWriteOwner(PVOID volatile *Field, PVOID Value)
{
    WritePointerNoFence(Field, Value);
}

/* A pool tag: one to four characters 0x20–0x7E from the low byte up, then zero bytes. */
BOOLEAN IrqlpTagIsValid(ULONG Tag);

/* Initialise / delete the lock at Lock, of kind Kind (IRQL__KIND_…), with the kind's Init or
   Delete (protected.c; also used by the registry). STATUS_INVALID_PARAMETER for an unknown
   kind; otherwise the kind's status (Delete: STATUS_IRQL_LOCK_HELD for a held lock). */
NTSTATUS IrqlpInitLock(PVOID Lock, ULONG Kind);
NTSTATUS IrqlpDeleteLock(PVOID Lock, ULONG Kind);

/* The symbolic name of a library status ("STATUS_IRQL_LOCK_BUSY"), or NULL. */
PCSTR IrqlpStatusName(NTSTATUS Status);

#endif
