/*
 * The heap form of protected values: IRQL_PROTECTED_NEW, IRQL_PROTECTED_INTO_INNER and
 * IRQL_PROTECTED_FREE (<irql/lock.h>).
 *
 * Each value lives in one non-paged pool block behind a 16-byte header (so the value keeps
 * the pool's 16-byte alignment on 64-bit targets) recording what allocated it: a signature,
 * the tag, the size of the protected type and its lock kind. Releasing checks all four, so a
 * wrong tag is a status rather than BAD_POOL_CALLER, and a value of another type (or one that
 * the caller embedded rather than allocated, as far as its header can tell) is refused before
 * anything is freed.
 */
#include "internal.h"

#define IRQLP_PROTECTED_SIGNATURE 0x5A504831UL

typedef struct _IRQLP_PROTECTED_HEADER {
    ULONG Signature;
    ULONG Tag;
    ULONG Size;   /* sizeof(Type) */
    ULONG Kind;   /* IRQL__KIND_… */
} IRQLP_PROTECTED_HEADER, *PIRQLP_PROTECTED_HEADER;

typedef char IrqlpHeaderIs16Bytes[sizeof(IRQLP_PROTECTED_HEADER) == 16 ? 1 : -1];

NTSTATUS irql__protected_new(PVOID *Out, SIZE_T Size, SIZE_T DataOffset, SIZE_T DataSize,
                             PCIRQL__LOCK_OPS Ops, const VOID *Initial, ULONG Tag)
{
    PIRQLP_PROTECTED_HEADER Header;
    PUCHAR Value;
    NTSTATUS Status;

    if (Out == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *Out = NULL;
    if (KeGetCurrentIrql() > DISPATCH_LEVEL) {
        return STATUS_IRQL_LOCK_IRQL_TOO_HIGH;
    }
    if (!IrqlpTagIsValid(Tag)) {
        return STATUS_IRQL_POOL_TAG_INVALID;
    }
    if (Ops == NULL || Size > MAXULONG - sizeof(*Header) || DataOffset > Size ||
        DataSize > Size - DataOffset) {
        return STATUS_INVALID_PARAMETER;
    }
    Header = (PIRQLP_PROTECTED_HEADER)IrqlpAllocate(FALSE, sizeof(*Header) + Size, Tag);
    if (Header == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    Value = (PUCHAR)(Header + 1);
    Status = Ops->Init(Value); /* the lock is the first member */
    if (!NT_SUCCESS(Status)) {
        ExFreePoolWithTag(Header, Tag);
        return Status;
    }
    if (Initial != NULL) {
        RtlCopyMemory(Value + DataOffset, Initial, DataSize);
    }
    Header->Tag = Tag;
    Header->Size = (ULONG)Size;
    Header->Kind = Ops->Kind;
    Header->Signature = IRQLP_PROTECTED_SIGNATURE;
    *Out = Value;
    return STATUS_SUCCESS;
}

NTSTATUS irql__protected_release(PVOID *InOut, SIZE_T Size, SIZE_T DataOffset, SIZE_T DataSize,
                                 PCIRQL__LOCK_OPS Ops, PVOID Out, ULONG Tag)
{
    PIRQLP_PROTECTED_HEADER Header;
    PUCHAR Value;
    NTSTATUS Status;

    if (InOut == NULL || *InOut == NULL || Ops == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (KeGetCurrentIrql() > (Ops->Kind == IRQL__KIND_RESOURCE ? APC_LEVEL : DISPATCH_LEVEL)) {
        return STATUS_IRQL_LOCK_IRQL_TOO_HIGH;
    }
    if (!IrqlpTagIsValid(Tag)) {
        return STATUS_IRQL_POOL_TAG_INVALID;
    }
    Value = (PUCHAR)*InOut;
    Header = (PIRQLP_PROTECTED_HEADER)Value - 1;
    if (Header->Signature != IRQLP_PROTECTED_SIGNATURE || Header->Size != Size ||
        Header->Kind != Ops->Kind || DataOffset > Size || DataSize > Size - DataOffset) {
        return STATUS_IRQL_PROTECTED_MISMATCH;
    }
    if (Header->Tag != Tag) {
        return STATUS_IRQL_POOL_TAG_MISMATCH;
    }
    /* Refuses a held lock; a lock the caller already deleted is fine. */
    Status = Ops->Delete(Value);
    if (!NT_SUCCESS(Status) && Status != STATUS_IRQL_LOCK_NOT_INITIALIZED) {
        return Status;
    }
    /* From here nothing can fail: the data moves out once, the block is freed once. */
    if (Out != NULL) {
        RtlCopyMemory(Out, Value + DataOffset, DataSize);
    }
    Header->Signature = 0;
    *InOut = NULL;
    ExFreePoolWithTag(Header, Tag);
    return STATUS_SUCCESS;
}
