/*
 * What the lock kinds share: the bug check of the scoped forms, status names, tag validation.
 */
#include "internal.h"

PCSTR IrqlpStatusName(NTSTATUS Status)
{
    switch (Status) {
    case STATUS_IRQL_LOCK_IRQL_TOO_HIGH:
        return "STATUS_IRQL_LOCK_IRQL_TOO_HIGH";
    case STATUS_IRQL_LOCK_WRONG_IRQL:
        return "STATUS_IRQL_LOCK_WRONG_IRQL";
    case STATUS_IRQL_LOCK_NOT_OWNER:
        return "STATUS_IRQL_LOCK_NOT_OWNER";
    case STATUS_IRQL_LOCK_RECURSION:
        return "STATUS_IRQL_LOCK_RECURSION";
    case STATUS_IRQL_LOCK_NOT_INITIALIZED:
        return "STATUS_IRQL_LOCK_NOT_INITIALIZED";
    case STATUS_IRQL_LOCK_BUSY:
        return "STATUS_IRQL_LOCK_BUSY";
    case STATUS_IRQL_LOCK_HELD:
        return "STATUS_IRQL_LOCK_HELD";
    case STATUS_IRQL_POOL_TAG_INVALID:
        return "STATUS_IRQL_POOL_TAG_INVALID";
    case STATUS_IRQL_POOL_TAG_MISMATCH:
        return "STATUS_IRQL_POOL_TAG_MISMATCH";
    case STATUS_IRQL_PROTECTED_MISMATCH:
        return "STATUS_IRQL_PROTECTED_MISMATCH";
    default:
        return NULL;
    }
}

DECLSPEC_NORETURN VOID irql__lock_violation(NTSTATUS Status, PVOID Lock, PCSTR Site)
{
    KIRQL Irql = KeGetCurrentIrql();
    PCSTR Name = IrqlpStatusName(Status);

    DbgPrint("irql: %s: %s (0x%08lX) on lock %p at IRQL %u\n", Site,
             Name != NULL ? Name : "status", (unsigned long)(ULONG)Status, Lock, (unsigned)Irql);
    KeBugCheckEx(IRQL_BUGCHECK_LOCK_VIOLATION, (ULONG_PTR)(ULONG)Status, (ULONG_PTR)Lock,
                 (ULONG_PTR)Site, (ULONG_PTR)Irql);
}

BOOLEAN IrqlpTagIsValid(ULONG Tag)
{
    BOOLEAN Ended = FALSE;

    if (Tag == 0) {
        return FALSE;
    }
    for (int Byte = 0; Byte < 4; Byte++) {
        UCHAR C = (UCHAR)(Tag >> (8 * Byte));
        if (C == 0) {
            Ended = TRUE;
        } else if (Ended || C < 0x20 || C > 0x7E) {
            return FALSE;
        }
    }
    return TRUE;
}
