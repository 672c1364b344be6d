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

/* What Init writes and Delete clears: zeroed memory never carries one. */
#define IRQLP_SIGNATURE_KMUTEX 0x5A4B4D31UL
#define IRQLP_SIGNATURE_FAST_MUTEX 0x5A464D32UL
#define IRQLP_SIGNATURE_GUARDED_MUTEX 0x5A474D33UL
#define IRQLP_SIGNATURE_SPIN_LOCK 0x5A534C34UL
#define IRQLP_SIGNATURE_RESOURCE 0x5A455235UL
#define IRQLP_SIGNATURE_PUSH_LOCK 0x5A504C36UL

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

/* The symbolic name of a library status ("STATUS_IRQL_LOCK_BUSY"), or NULL. */
PCSTR IrqlpStatusName(NTSTATUS Status);

#endif
