/*
 * The IRQL-aware pool: the routines behind IRQL_BOX_* and IRQL_VEC_* (<irql/pool.h>).
 *
 * Every routine re-checks at run time the IRQL rule the macros check at compile time, and
 * returns STATUS_IRQL_POOL_IRQL_TOO_HIGH (having done nothing) where the compile-time check was
 * bypassed. Every allocation is fallible and reported as a status; nothing raises.
 *
 * Kernel-build switch: IRQL_POOL_USE_EX_ALLOCATE_POOL_WITH_TAG=1 allocates with
 * ExAllocatePoolWithTag (PagedPool / NonPagedPoolNx) and zeroes the memory here, for targets
 * that lack ExAllocatePool2 (Windows before 10 2004, Wine). Default: ExAllocatePool2.
 */
#include "internal.h"

#include <irql/pool.h>

#if defined(IRQL_HOST)
#include <irql/host.h> /* IrqlHostQueryPoolBlock: which pool a block is in */
#endif

#ifndef IRQL_POOL_USE_EX_ALLOCATE_POOL_WITH_TAG
#define IRQL_POOL_USE_EX_ALLOCATE_POOL_WITH_TAG 0
#endif

#ifndef MAXSIZE_T
#define MAXSIZE_T ((SIZE_T)~(SIZE_T)0)
#endif

/* The highest IRQL at which Pool may be allocated from, or freed to. */
static KIRQL IrqlpPoolMaxIrql(ULONG Pool)
{
    return Pool == IRQL_POOL_PAGED ? APC_LEVEL : DISPATCH_LEVEL;
}

static BOOLEAN IrqlpPoolIrqlOk(ULONG Pool)
{
    return (BOOLEAN)(KeGetCurrentIrql() <= IrqlpPoolMaxIrql(Pool));
}

PVOID IrqlpAllocate(BOOLEAN Paged, SIZE_T Bytes, ULONG Tag)
{
#if IRQL_POOL_USE_EX_ALLOCATE_POOL_WITH_TAG
    /* ExAllocatePoolWithTag is deprecated in new WDKs; it is the only allocator older
       kernels and Wine have. */
    PVOID P = ExAllocatePoolWithTag(Paged ? PagedPool : NonPagedPoolNx, Bytes, Tag);
    if (P != NULL) {
        RtlZeroMemory(P, Bytes);
    }
    return P;
#else
    return ExAllocatePool2(Paged ? POOL_FLAG_PAGED : POOL_FLAG_NON_PAGED, Bytes, Tag);
#endif
}

/* ------------------------------------------------------------------------------------------ */
/* Boxes                                                                                      */
/* ------------------------------------------------------------------------------------------ */

NTSTATUS irql__box_new(PIRQL_BOX_HEADER Box, SIZE_T Size, ULONG Tag, ULONG Pool)
{
    PVOID P;

    if (Box == NULL || Size == 0) {
        return STATUS_INVALID_PARAMETER;
    }
    Box->Pointer = NULL;
    Box->Tag = 0;
    if (!IrqlpPoolIrqlOk(Pool)) {
        return STATUS_IRQL_POOL_IRQL_TOO_HIGH;
    }
    if (!IrqlpTagIsValid(Tag)) {
        return STATUS_IRQL_POOL_TAG_INVALID;
    }
    P = IrqlpAllocate((BOOLEAN)(Pool == IRQL_POOL_PAGED), Size, Tag);
    if (P == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    Box->Pointer = P;
    Box->Tag = Tag;
    return STATUS_SUCCESS;
}

NTSTATUS irql__box_free(PIRQL_BOX_HEADER Box, PVOID Out, SIZE_T Size, ULONG Pool)
{
    if (Box == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (Box->Pointer == NULL) {
        /* FREE of an empty box is a no-op; INTO_INNER has nothing to move. */
        return Out != NULL ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
    }
    if (!IrqlpPoolIrqlOk(Pool)) {
        return STATUS_IRQL_POOL_IRQL_TOO_HIGH;
    }
    if (Out != NULL) {
        RtlCopyMemory(Out, Box->Pointer, Size);
    }
    ExFreePoolWithTag(Box->Pointer, Box->Tag);
    Box->Pointer = NULL;
    Box->Tag = 0;
    return STATUS_SUCCESS;
}

PVOID irql__box_take(PIRQL_BOX_HEADER Box)
{
    PVOID P = Box->Pointer;
    Box->Pointer = NULL;
    Box->Tag = 0;
    return P;
}

NTSTATUS irql__box_from_raw(PIRQL_BOX_HEADER Box, const VOID *Ptr, ULONG Tag, ULONG Pool)
{
    if (Box == NULL || Ptr == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (!IrqlpTagIsValid(Tag)) {
        return STATUS_IRQL_POOL_TAG_INVALID;
    }
#if defined(IRQL_HOST)
    {
        IRQL_HOST_POOL_BLOCK Block;
        if (!IrqlHostQueryPoolBlock(Ptr, &Block) ||
            Block.Pool != (Pool == IRQL_POOL_PAGED ? IrqlHostPoolPaged : IrqlHostPoolNonPaged)) {
            return STATUS_IRQL_POOL_WRONG_POOL;
        }
        if (Block.Tag != Tag) {
            return STATUS_IRQL_POOL_TAG_MISMATCH;
        }
    }
#else
    UNREFERENCED_PARAMETER(Pool);
#endif
    Box->Pointer = (PVOID)Ptr;
    Box->Tag = Tag;
    return STATUS_SUCCESS;
}

/* ------------------------------------------------------------------------------------------ */
/* Vectors                                                                                    */
/* ------------------------------------------------------------------------------------------ */

static ULONG IrqlpVecTag(const IRQL_VEC_HEADER *Vec)
{
    return Vec->Tag != 0 ? Vec->Tag : (ULONG)IRQL_POOL_DEFAULT_TAG;
}

/* Why a reservation of Additional more elements fails, or STATUS_SUCCESS if there is room
   already (no allocation needed). STATUS_PENDING: it needs an allocation. */
static NTSTATUS IrqlpVecCheck(const IRQL_VEC_HEADER *Vec, SIZE_T Additional, SIZE_T ElementSize,
                              ULONG Pool)
{
    if (ElementSize == 0) {
        return STATUS_INVALID_PARAMETER;
    }
    if (!IrqlpPoolIrqlOk(Pool)) {
        return STATUS_IRQL_POOL_IRQL_TOO_HIGH;
    }
    if (!IrqlpTagIsValid(IrqlpVecTag(Vec))) {
        return STATUS_IRQL_POOL_TAG_INVALID;
    }
    if (Additional > MAXSIZE_T - Vec->Length ||
        Vec->Length + Additional > MAXSIZE_T / ElementSize) {
        return STATUS_IRQL_POOL_SIZE_OVERFLOW;
    }
    return Vec->Length + Additional <= Vec->Capacity ? STATUS_SUCCESS : STATUS_PENDING;
}

NTSTATUS irql__vec_reserve(PIRQL_VEC_HEADER Vec, SIZE_T Additional, SIZE_T ElementSize,
                           ULONG Pool)
{
    SIZE_T Needed, Capacity;
    PVOID Data;
    NTSTATUS Status;

    if (Vec == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    Status = IrqlpVecCheck(Vec, Additional, ElementSize, Pool);
    if (Status != STATUS_PENDING) {
        return Status;
    }
    /* Grow geometrically (amortised O(1) pushes), but never beyond what fits. */
    Needed = Vec->Length + Additional;
    Capacity = Vec->Capacity <= MAXSIZE_T / 2 ? Vec->Capacity * 2 : MAXSIZE_T;
    if (Capacity < 4) {
        Capacity = 4;
    }
    if (Capacity < Needed) {
        Capacity = Needed;
    }
    if (Capacity > MAXSIZE_T / ElementSize) {
        Capacity = Needed; /* fits: IrqlpVecCheck checked Needed */
    }
    Data = IrqlpAllocate((BOOLEAN)(Pool == IRQL_POOL_PAGED), Capacity * ElementSize,
                         IrqlpVecTag(Vec));
    if (Data == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    if (Vec->Data != NULL) {
        RtlCopyMemory(Data, Vec->Data, Vec->Length * ElementSize);
        ExFreePoolWithTag(Vec->Data, IrqlpVecTag(Vec));
    }
    Vec->Data = Data;
    Vec->Capacity = Capacity;
    return STATUS_SUCCESS;
}

NTSTATUS irql__vec_push_end(PIRQL_VEC_HEADER Vec, int Stored, SIZE_T ElementSize, ULONG Pool)
{
    NTSTATUS Status;

    if (Vec == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (Stored) {
        Vec->Length++;
        return STATUS_SUCCESS;
    }
    /* The reservation failed: say why. Its checks are deterministic; what they do not
       explain is the pool running out. */
    Status = IrqlpVecCheck(Vec, 1, ElementSize, Pool);
    return Status == STATUS_PENDING || Status == STATUS_SUCCESS ? STATUS_INSUFFICIENT_RESOURCES
                                                                : Status;
}

NTSTATUS irql__vec_extend(PIRQL_VEC_HEADER Vec, const VOID *Items, SIZE_T Count,
                          SIZE_T ElementSize, ULONG Pool)
{
    NTSTATUS Status;

    if (Vec == NULL || (Items == NULL && Count != 0)) {
        return STATUS_INVALID_PARAMETER;
    }
    Status = irql__vec_reserve(Vec, Count, ElementSize, Pool);
    if (!NT_SUCCESS(Status)) {
        return Status;
    }
    if (Count != 0) {
        RtlCopyMemory((PUCHAR)Vec->Data + Vec->Length * ElementSize, Items, Count * ElementSize);
        Vec->Length += Count;
    }
    return STATUS_SUCCESS;
}

NTSTATUS irql__vec_pop(PIRQL_VEC_HEADER Vec, PVOID Out, SIZE_T ElementSize, ULONG Pool)
{
    if (Vec == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (Pool == IRQL_POOL_PAGED && KeGetCurrentIrql() > APC_LEVEL) {
        return STATUS_IRQL_POOL_IRQL_TOO_HIGH;
    }
    if (Vec->Length == 0) {
        return STATUS_IRQL_POOL_EMPTY;
    }
    Vec->Length--;
    if (Out != NULL) {
        RtlCopyMemory(Out, (PUCHAR)Vec->Data + Vec->Length * ElementSize, ElementSize);
    }
    return STATUS_SUCCESS;
}

NTSTATUS irql__vec_free(PIRQL_VEC_HEADER Vec, ULONG Pool)
{
    if (Vec == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (Vec->Data == NULL) {
        Vec->Length = 0;
        Vec->Capacity = 0;
        return STATUS_SUCCESS;
    }
    if (!IrqlpPoolIrqlOk(Pool)) {
        return STATUS_IRQL_POOL_IRQL_TOO_HIGH;
    }
    ExFreePoolWithTag(Vec->Data, IrqlpVecTag(Vec));
    Vec->Data = NULL;
    Vec->Length = 0;
    Vec->Capacity = 0;
    return STATUS_SUCCESS;
}
