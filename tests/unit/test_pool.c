/*
 * Pool allocation on the host kernel: every allocation routine and flag, zeroing and the
 * uninitialised fill, alignment, tags, the misuse stop codes (0xC4 Driver Verifier, 0xC2
 * BAD_POOL_CALLER, 0x1E for an unhandled raise), statistics, the leak report, the unload leak
 * check, fault injection and concurrent use. Paged memory touched at raised IRQL is
 * test_pool_paged.c.
 */
#include "bugcheck_expect.h"

#include "../../host/src/pool.h" /* IrqlpPoolCheckLeaks, IrqlpPoolSequence: driver unload */

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tags are written reversed, as in driver source: '1tsT' is "Tst1" in a pool dump. */
#define TAG_A ((ULONG)'1tsT')
#define TAG_B ((ULONG)'2tsT')
#define TAG_C ((ULONG)'3tsT')

static const POOL_FLAGS Pools[] = {POOL_FLAG_NON_PAGED, POOL_FLAG_PAGED};

static BOOLEAN AllBytes(const void *P, SIZE_T Size, UCHAR Value)
{
    const UCHAR *Bytes = P;
    for (SIZE_T Index = 0; Index < Size; Index++) {
        if (Bytes[Index] != Value) {
            return FALSE;
        }
    }
    return TRUE;
}

static IRQL_HOST_POOL_STATS Stats(IRQL_HOST_POOL Pool, ULONG Tag)
{
    IRQL_HOST_POOL_STATS S;
    IrqlHostQueryPoolStats(Pool, Tag, &S);
    return S;
}

/* A caller with a name in the dynamic symbol table, for the leak report and Block.Caller. */
PVOID PoolTestAllocatingCaller(POOL_FLAGS Flags, SIZE_T Bytes, ULONG Tag);
__attribute__((noinline)) PVOID PoolTestAllocatingCaller(POOL_FLAGS Flags, SIZE_T Bytes, ULONG Tag)
{
    PVOID P = ExAllocatePool2(Flags, Bytes, Tag);
    __asm__ volatile("" ::: "memory"); /* keep the call from being a tail call */
    return P;
}

/* ---- ExAllocatePool2: zeroing, tracking, pools ------------------------------------------ */

Test(pool, pool2_zeroes_and_tracks_both_pools)
{
    static const SIZE_T Sizes[] = {1, 16, 100, 2048, 4000, PAGE_SIZE, 3 * PAGE_SIZE + 5};
    for (size_t Pool = 0; Pool < ARRAYSIZE(Pools); Pool++) {
        for (size_t Index = 0; Index < ARRAYSIZE(Sizes); Index++) {
            IRQL_HOST_POOL_BLOCK Block;
            PUCHAR P = ExAllocatePool2(Pools[Pool], Sizes[Index], TAG_A);
            cr_assert_not_null(P, "size %zu", (size_t)Sizes[Index]);
            cr_assert(AllBytes(P, Sizes[Index], 0), "zeroed, size %zu", (size_t)Sizes[Index]);
            memset(P, 0x5A, Sizes[Index]); /* every byte is writable */
            cr_assert(IrqlHostQueryPoolBlock(P, &Block));
            cr_assert_eq(Block.Pool, Pools[Pool] == POOL_FLAG_PAGED ? IrqlHostPoolPaged
                                                                    : IrqlHostPoolNonPaged);
            cr_assert_eq(Block.PoolType, Pools[Pool] == POOL_FLAG_PAGED ? PagedPool
                                                                        : NonPagedPoolNx);
            cr_assert_eq(Block.Tag, TAG_A);
            cr_assert_eq(Block.NumberOfBytes, Sizes[Index]);
            cr_assert_not_null(Block.Caller);
            cr_assert_gt(Block.Sequence, 0);
            ExFreePoolWithTag(P, TAG_A);
            cr_assert_not(IrqlHostQueryPoolBlock(P, &Block), "freed");
        }
    }
}

Test(pool, pool2_records_its_caller)
{
    IRQL_HOST_POOL_BLOCK Block;
    PVOID P = PoolTestAllocatingCaller(POOL_FLAG_PAGED, 8, TAG_A);
    uintptr_t Start = (uintptr_t)PoolTestAllocatingCaller;
    cr_assert(IrqlHostQueryPoolBlock(P, &Block));
    cr_assert((uintptr_t)Block.Caller > Start && (uintptr_t)Block.Caller < Start + 4096,
              "caller %p is inside PoolTestAllocatingCaller", Block.Caller);
    ExFreePool(P);
}

Test(pool, pool2_non_paged_execute)
{
    IRQL_HOST_POOL_BLOCK Block;
    PVOID P = ExAllocatePool2(POOL_FLAG_NON_PAGED_EXECUTE, 64, TAG_A);
    cr_assert_not_null(P);
    cr_assert(IrqlHostQueryPoolBlock(P, &Block));
    cr_assert_eq(Block.Pool, IrqlHostPoolNonPaged);
    cr_assert_eq(Block.PoolType, NonPagedPoolExecute);
    ExFreePool(P);
}

Test(pool, pool2_uninitialized_is_filled_with_the_pattern)
{
    static const SIZE_T Sizes[] = {1, 24, 1000, PAGE_SIZE, 2 * PAGE_SIZE + 1};
    for (size_t Pool = 0; Pool < ARRAYSIZE(Pools); Pool++) {
        for (size_t Index = 0; Index < ARRAYSIZE(Sizes); Index++) {
            PVOID P = ExAllocatePool2(Pools[Pool] | POOL_FLAG_UNINITIALIZED, Sizes[Index], TAG_A);
            cr_assert_not_null(P);
            cr_assert(AllBytes(P, Sizes[Index], IRQL_HOST_POOL_UNINITIALIZED_FILL), "size %zu",
                      (size_t)Sizes[Index]);
            ExFreePool(P);
        }
    }
}

Test(pool, pool2_alignment_and_page_boundaries)
{
    for (size_t Pool = 0; Pool < ARRAYSIZE(Pools); Pool++) {
        PVOID Held[64];
        size_t Count = 0;
        for (SIZE_T Size = 1; Size <= 3 * PAGE_SIZE; Size = Size * 3 / 2 + 1) {
            uintptr_t P = (uintptr_t)ExAllocatePool2(Pools[Pool], Size, TAG_A);
            cr_assert_neq(P, 0);
            if (Size >= PAGE_SIZE) {
                cr_assert_eq(P % PAGE_SIZE, 0, "size %zu is page-aligned", (size_t)Size);
            } else {
                cr_assert_eq(P % 16, 0, "size %zu is 16-byte aligned", (size_t)Size);
                cr_assert_leq(P % PAGE_SIZE + Size, PAGE_SIZE, "size %zu crosses no page",
                              (size_t)Size);
            }
            Held[Count++] = (PVOID)P;
        }
        while (Count > 0) {
            ExFreePool(Held[--Count]);
        }
    }
}

Test(pool, pool2_cache_aligned)
{
    static const SIZE_T Sizes[] = {1, 24, 100, 1000, 3000};
    for (size_t Pool = 0; Pool < ARRAYSIZE(Pools); Pool++) {
        for (size_t Index = 0; Index < ARRAYSIZE(Sizes); Index++) {
            IRQL_HOST_POOL_BLOCK Block;
            PVOID P = ExAllocatePool2(Pools[Pool] | POOL_FLAG_CACHE_ALIGNED, Sizes[Index], TAG_A);
            cr_assert_not_null(P);
            cr_assert_eq((uintptr_t)P % 64, 0, "size %zu", (size_t)Sizes[Index]);
            cr_assert(IrqlHostQueryPoolBlock(P, &Block));
            cr_assert_eq(Block.PoolType, Pools[Pool] == POOL_FLAG_PAGED ? PagedPoolCacheAligned
                                                                        : NonPagedPoolNxCacheAligned);
            ExFreePool(P);
        }
    }
}

Test(pool, pool2_invalid_flags_fail_without_bugcheck)
{
    static const POOL_FLAGS Bad[] = {
        0,                                            /* no pool */
        POOL_FLAG_UNINITIALIZED,                      /* still no pool */
        POOL_FLAG_PAGED | POOL_FLAG_NON_PAGED,        /* two pools */
        POOL_FLAG_NON_PAGED | POOL_FLAG_NON_PAGED_EXECUTE,
        POOL_FLAG_PAGED | POOL_FLAG_NON_PAGED | POOL_FLAG_NON_PAGED_EXECUTE,
        POOL_FLAG_PAGED | POOL_FLAG_SESSION,          /* reserved for the OS */
        POOL_FLAG_NON_PAGED | POOL_FLAG_RESERVED1,
        POOL_FLAG_NON_PAGED | POOL_FLAG_RESERVED2,
        POOL_FLAG_NON_PAGED | POOL_FLAG_RESERVED3,
        POOL_FLAG_NON_PAGED | 0x00100000ULL,          /* an unknown required flag */
        POOL_FLAG_NON_PAGED | POOL_FLAG_REQUIRED_END,
    };
    ULONG64 Before = Stats(IrqlHostPoolAny, 0).Failures;
    for (size_t Index = 0; Index < ARRAYSIZE(Bad); Index++) {
        cr_assert_null(ExAllocatePool2(Bad[Index], 32, TAG_A), "flags 0x%llx",
                       (unsigned long long)Bad[Index]);
    }
    cr_assert_eq(Stats(IrqlHostPoolAny, 0).Failures, Before + ARRAYSIZE(Bad));
    cr_assert_eq(Stats(IrqlHostPoolAny, 0).Count, 0);
}

Test(pool, pool2_optional_flags_are_ignored)
{
    static const POOL_FLAGS Fine[] = {
        POOL_FLAG_NON_PAGED | POOL_FLAG_SPECIAL_POOL,
        POOL_FLAG_PAGED | (1ULL << 40),
        POOL_FLAG_NON_PAGED | POOL_FLAG_OPTIONAL_END,
        POOL_FLAG_PAGED | POOL_FLAG_USE_QUOTA,
        POOL_FLAG_NON_PAGED | POOL_FLAG_RAISE_ON_FAILURE,
    };
    for (size_t Index = 0; Index < ARRAYSIZE(Fine); Index++) {
        PVOID P = ExAllocatePool2(Fine[Index], 32, TAG_A);
        cr_assert_not_null(P, "flags 0x%llx", (unsigned long long)Fine[Index]);
        ExFreePool(P);
    }
}

Test(pool, pool2_tags)
{
    static const ULONG Bad[] = {0, 0x7F747354 /* DEL */, 0x19747354, 0x41004141 /* gap */,
                                0xC1747354 /* high bit */, 0x00000A41};
    static const ULONG Good[] = {'A', 'AB', 'ABC', '~  ~', 0x20202020, TAG_A};
    for (size_t Index = 0; Index < ARRAYSIZE(Bad); Index++) {
        cr_assert_null(ExAllocatePool2(POOL_FLAG_NON_PAGED, 8, Bad[Index]), "tag 0x%08lx",
                       (unsigned long)Bad[Index]);
        cr_assert_null(ExAllocatePool2(POOL_FLAG_PAGED, 8, Bad[Index]));
    }
    for (size_t Index = 0; Index < ARRAYSIZE(Good); Index++) {
        PVOID P = ExAllocatePool2(POOL_FLAG_NON_PAGED, 8, Good[Index]);
        cr_assert_not_null(P, "tag 0x%08lx", (unsigned long)Good[Index]);
        ExFreePoolWithTag(P, Good[Index]);
    }
}

Test(pool, pool2_larger_than_any_pool_fails)
{
    cr_assert_null(ExAllocatePool2(POOL_FLAG_NON_PAGED, (SIZE_T)1 << 40, TAG_A));
    cr_assert_null(ExAllocatePool2(POOL_FLAG_PAGED, (SIZE_T)1 << 40, TAG_A));
    cr_assert_null(ExAllocatePool2(POOL_FLAG_PAGED, (SIZE_T)-1, TAG_A));
    cr_assert_eq(Stats(IrqlHostPoolPaged, TAG_A).Failures, 2);
    cr_assert_eq(Stats(IrqlHostPoolNonPaged, TAG_A).Failures, 1);
}

/* ---- Raising on failure: no __try on the host, so an unhandled exception (0x1E) --------- */

typedef struct {
    POOL_FLAGS Flags;
    SIZE_T Bytes;
    ULONG Tag;
} POOL2_ARGS;

static void CallPool2(PVOID Context)
{
    POOL2_ARGS *Args = Context;
    (void)ExAllocatePool2(Args->Flags, Args->Bytes, Args->Tag);
}

Test(pool, pool2_raise_on_failure_is_an_unhandled_exception)
{
    POOL2_ARGS BadTag = {POOL_FLAG_NON_PAGED | POOL_FLAG_RAISE_ON_FAILURE, 8, 0};
    POOL2_ARGS BadFlags = {POOL_FLAG_RAISE_ON_FAILURE, 8, TAG_A};
    POOL2_ARGS Huge = {POOL_FLAG_PAGED | POOL_FLAG_RAISE_ON_FAILURE, (SIZE_T)1 << 40, TAG_A};
    POOL2_ARGS Injected = {POOL_FLAG_NON_PAGED | POOL_FLAG_RAISE_ON_FAILURE, 8, TAG_A};
    IRQL_HOST_BUGCHECK R;

    R = ExpectBugCheck(CallPool2, &BadTag, KMODE_EXCEPTION_NOT_HANDLED,
                       (ULONG_PTR)(ULONG)STATUS_INVALID_PARAMETER);
    cr_assert_neq(R.Parameter[1], 0, "P2 is where the exception was raised");
    ExpectBugCheck(CallPool2, &BadFlags, KMODE_EXCEPTION_NOT_HANDLED,
                   (ULONG_PTR)(ULONG)STATUS_INVALID_PARAMETER);
    ExpectBugCheck(CallPool2, &Huge, KMODE_EXCEPTION_NOT_HANDLED,
                   (ULONG_PTR)(ULONG)STATUS_INSUFFICIENT_RESOURCES);
    IrqlHostInjectPoolFailure(1, 0);
    R = ExpectBugCheck(CallPool2, &Injected, KMODE_EXCEPTION_NOT_HANDLED,
                       (ULONG_PTR)(ULONG)STATUS_INSUFFICIENT_RESOURCES);
    cr_assert(strstr(R.Message, "ExAllocatePool2") != NULL, "%s", R.Message);
    cr_assert_eq(Stats(IrqlHostPoolAny, 0).Count, 0, "nothing was allocated");
}

/* ---- ExAllocatePool3 --------------------------------------------------------------------- */

Test(pool, pool3_accepts_priority_and_node_parameters)
{
    POOL_EXTENDED_PARAMETER Parameters[3];
    PVOID P;

    memset(Parameters, 0, sizeof(Parameters));
    Parameters[0].Type = PoolExtendedParameterPriority;
    Parameters[0].Priority = HighPoolPriority;
    Parameters[1].Type = PoolExtendedParameterNumaNode;
    Parameters[1].PreferredNode = 0;
    Parameters[2].Type = 0x7F; /* unknown, but optional */
    Parameters[2].Optional = 1;

    P = ExAllocatePool3(POOL_FLAG_NON_PAGED, 100, TAG_A, NULL, 0);
    cr_assert_not_null(P);
    cr_assert(AllBytes(P, 100, 0));
    ExFreePool(P);
    P = ExAllocatePool3(POOL_FLAG_PAGED | POOL_FLAG_UNINITIALIZED, 100, TAG_A, Parameters, 3);
    cr_assert_not_null(P);
    cr_assert(AllBytes(P, 100, IRQL_HOST_POOL_UNINITIALIZED_FILL));
    ExFreePool(P);
    Parameters[1].PreferredNode = 3 | MM_ANY_NODE_OK; /* any node will do */
    P = ExAllocatePool3(POOL_FLAG_NON_PAGED, 100, TAG_A, Parameters, 2);
    cr_assert_not_null(P);
    ExFreePool(P);
}

Test(pool, pool3_refuses_parameters_it_cannot_honour)
{
    POOL_EXTENDED_PARAMETER Parameter;
    POOL_EXTENDED_PARAMS_SECURE_POOL Secure;

    memset(&Parameter, 0, sizeof(Parameter));
    memset(&Secure, 0, sizeof(Secure));
    cr_assert_null(ExAllocatePool3(POOL_FLAG_NON_PAGED, 8, TAG_A, NULL, 1), "count, no array");
    Parameter.Type = 0x7F; /* unknown and required */
    cr_assert_null(ExAllocatePool3(POOL_FLAG_NON_PAGED, 8, TAG_A, &Parameter, 1));
    Parameter.Type = PoolExtendedParameterSecurePool;
    Parameter.SecurePoolParams = &Secure;
    cr_assert_null(ExAllocatePool3(POOL_FLAG_NON_PAGED, 8, TAG_A, &Parameter, 1));
    Parameter.Type = PoolExtendedParameterNumaNode;
    Parameter.PreferredNode = 5; /* that node only: the host has node 0 */
    cr_assert_null(ExAllocatePool3(POOL_FLAG_NON_PAGED, 8, TAG_A, &Parameter, 1));
    Parameter.Type = PoolExtendedParameterPriority;
    Parameter.Priority = (EX_POOL_PRIORITY)7;
    cr_assert_null(ExAllocatePool3(POOL_FLAG_NON_PAGED, 8, TAG_A, &Parameter, 1));
    cr_assert_null(ExAllocatePool3(POOL_FLAG_NON_PAGED, 8, 0, NULL, 0), "tag 0");
    cr_assert_eq(Stats(IrqlHostPoolAny, 0).Failures, 6);
}

/* ---- The POOL_TYPE routines --------------------------------------------------------------- */

Test(pool, with_tag_is_uninitialized_and_honours_the_type)
{
    static const struct {
        POOL_TYPE Type;
        IRQL_HOST_POOL Pool;
        ULONG Alignment;
    } Types[] = {
        {NonPagedPool, IrqlHostPoolNonPaged, 16},
        {NonPagedPoolNx, IrqlHostPoolNonPaged, 16},
        {PagedPool, IrqlHostPoolPaged, 16},
        {NonPagedPoolCacheAligned, IrqlHostPoolNonPaged, 64},
        {PagedPoolCacheAligned, IrqlHostPoolPaged, 64},
        {NonPagedPoolNxCacheAligned, IrqlHostPoolNonPaged, 64},
        {PagedPoolSession, IrqlHostPoolPaged, 16},
        {NonPagedPoolSessionNx, IrqlHostPoolNonPaged, 16},
        {(POOL_TYPE)(PagedPool | POOL_COLD_ALLOCATION), IrqlHostPoolPaged, 16},
    };
    for (size_t Index = 0; Index < ARRAYSIZE(Types); Index++) {
        IRQL_HOST_POOL_BLOCK Block;
        PVOID P = ExAllocatePoolWithTag(Types[Index].Type, 40, TAG_B);
        cr_assert_not_null(P, "type %d", (int)Types[Index].Type);
        cr_assert(AllBytes(P, 40, IRQL_HOST_POOL_UNINITIALIZED_FILL), "type %d not zeroed",
                  (int)Types[Index].Type);
        cr_assert_eq((uintptr_t)P % Types[Index].Alignment, 0);
        cr_assert(IrqlHostQueryPoolBlock(P, &Block));
        cr_assert_eq(Block.Pool, Types[Index].Pool, "type %d", (int)Types[Index].Type);
        cr_assert_eq(Block.Tag, TAG_B);
        ExFreePoolWithTag(P, TAG_B);
    }
}

Test(pool, with_tag_zero_allocation_flag_zeroes)
{
    PVOID P = ExAllocatePoolWithTag((POOL_TYPE)(PagedPool | POOL_ZERO_ALLOCATION), 300, TAG_B);
    cr_assert_not_null(P);
    cr_assert(AllBytes(P, 300, 0));
    ExFreePool(P);
}

Test(pool, with_tag_invalid_type_fails)
{
    cr_assert_null(ExAllocatePoolWithTag((POOL_TYPE)64, 8, TAG_B));
    cr_assert_null(ExAllocatePoolWithTag((POOL_TYPE)(PagedPool | 0x800), 8, TAG_B));
}

Test(pool, zero_and_uninitialized_wrappers)
{
    PVOID Z = ExAllocatePoolZero(NonPagedPoolNx, 200, TAG_A);
    PVOID U = ExAllocatePoolUninitialized(PagedPool, 200, TAG_A);
    PVOID PZ = ExAllocatePoolPriorityZero(PagedPool, 200, TAG_A, LowPoolPriority);
    PVOID PU = ExAllocatePoolPriorityUninitialized(NonPagedPoolNx, 200, TAG_A, HighPoolPriority);
    PVOID WP = ExAllocatePoolWithTagPriority(PagedPool, 200, TAG_A, NormalPoolPriority);
    cr_assert(Z && U && PZ && PU && WP);
    cr_assert(AllBytes(Z, 200, 0));
    cr_assert(AllBytes(PZ, 200, 0));
    cr_assert(AllBytes(U, 200, IRQL_HOST_POOL_UNINITIALIZED_FILL));
    cr_assert(AllBytes(PU, 200, IRQL_HOST_POOL_UNINITIALIZED_FILL));
    cr_assert(AllBytes(WP, 200, IRQL_HOST_POOL_UNINITIALIZED_FILL));
    cr_assert_eq(Stats(IrqlHostPoolAny, TAG_A).Count, 5);
    cr_assert_eq(Stats(IrqlHostPoolPaged, TAG_A).Count, 3);
    ExFreePool(Z);
    ExFreePool(U);
    ExFreePool(PZ);
    ExFreePool(PU);
    ExFreePool(WP);
    cr_assert_eq(Stats(IrqlHostPoolAny, TAG_A).Count, 0);
}

typedef struct {
    POOL_TYPE Type;
    SIZE_T Bytes;
    ULONG Tag;
} WITH_TAG_ARGS;

static void CallWithTag(PVOID Context)
{
    WITH_TAG_ARGS *Args = Context;
    (void)ExAllocatePoolWithTag(Args->Type, Args->Bytes, Args->Tag);
}

Test(pool, with_tag_must_succeed_bugchecks_c2_9a)
{
    WITH_TAG_ARGS Args = {NonPagedPoolMustSucceed, 64, TAG_B};
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(CallWithTag, &Args, BAD_POOL_CALLER, 0x9A);
    cr_assert_eq(R.Parameter[1], NonPagedPoolMustSucceed, "P2 pool type");
    cr_assert_eq(R.Parameter[2], 64, "P3 bytes requested");
    cr_assert_eq(R.Parameter[3], TAG_B, "P4 tag");
    Args.Type = NonPagedPoolCacheAlignedMustS;
    ExpectBugCheck(CallWithTag, &Args, BAD_POOL_CALLER, 0x9A);
}

Test(pool, with_tag_zero_tag_bugchecks_c2_9b)
{
    WITH_TAG_ARGS Args = {PagedPool, 48, 0};
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(CallWithTag, &Args, BAD_POOL_CALLER, 0x9B);
    uintptr_t Start = (uintptr_t)CallWithTag;
    cr_assert_eq(R.Parameter[1], PagedPool, "P2 pool type");
    cr_assert_eq(R.Parameter[2], 48, "P3 bytes requested");
    cr_assert(R.Parameter[3] > Start && R.Parameter[3] < Start + 4096, "P4 caller 0x%llx",
              (unsigned long long)R.Parameter[3]);
}

Test(pool, with_tag_bad_tag_bugchecks_c2_9d)
{
    WITH_TAG_ARGS Args = {NonPagedPoolNx, 48, 0x0174736E};
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(CallWithTag, &Args, BAD_POOL_CALLER, 0x9D);
    cr_assert_eq(R.Parameter[1], 0x0174736E, "P2 the tag");
    cr_assert_eq(R.Parameter[2], NonPagedPoolNx, "P3 pool type");
}

Test(pool, with_tag_raise_if_allocation_failure)
{
    WITH_TAG_ARGS Args = {(POOL_TYPE)(NonPagedPoolNx | POOL_RAISE_IF_ALLOCATION_FAILURE), 8, TAG_B};
    IrqlHostInjectPoolFailure(1, TAG_B);
    ExpectBugCheck(CallWithTag, &Args, KMODE_EXCEPTION_NOT_HANDLED,
                   (ULONG_PTR)(ULONG)STATUS_INSUFFICIENT_RESOURCES);
    /* Without the modifier the same failure is a NULL. */
    IrqlHostInjectPoolFailure(1, TAG_B);
    cr_assert_null(ExAllocatePoolWithTag(NonPagedPoolNx, 8, TAG_B));
}

/* ---- IRQL and size rules on allocation (Driver Verifier 0xC4) ------------------------------ */

typedef struct {
    KIRQL Irql;
    POOL2_ARGS Args;
    WITH_TAG_ARGS Legacy;
    BOOLEAN UseLegacy;
    PVOID Result;
} AT_IRQL;

static void AllocateAtIrql(PVOID Context)
{
    AT_IRQL *At = Context;
    KIRQL Old;
    KeRaiseIrql(At->Irql, &Old);
    At->Result = At->UseLegacy
                     ? ExAllocatePoolWithTag(At->Legacy.Type, At->Legacy.Bytes, At->Legacy.Tag)
                     : ExAllocatePool2(At->Args.Flags, At->Args.Bytes, At->Args.Tag);
    KeLowerIrql(Old);
}

Test(pool, paged_allocation_at_dispatch_bugchecks_c4_01)
{
    AT_IRQL At = {.Irql = DISPATCH_LEVEL, .Args = {POOL_FLAG_PAGED, 72, TAG_A}};
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(AllocateAtIrql, &At, DRIVER_VERIFIER_DETECTED_VIOLATION, 0x01);
    cr_assert_eq(R.Parameter[1], DISPATCH_LEVEL, "P2 current IRQL");
    cr_assert_eq(R.Parameter[2], PagedPool, "P3 pool type");
    cr_assert_eq(R.Parameter[3], 72, "P4 size");
    cr_assert(strstr(R.Message, "DISPATCH_LEVEL") != NULL, "%s", R.Message);

    At.UseLegacy = TRUE;
    At.Legacy = (WITH_TAG_ARGS){PagedPoolCacheAligned, 10, TAG_A};
    R = ExpectBugCheck(AllocateAtIrql, &At, DRIVER_VERIFIER_DETECTED_VIOLATION, 0x01);
    cr_assert_eq(R.Parameter[2], PagedPoolCacheAligned);
    cr_assert_eq(Stats(IrqlHostPoolAny, 0).Count, 0);
}

Test(pool, allocations_within_their_irql_succeed)
{
    AT_IRQL PagedAtApc = {.Irql = APC_LEVEL, .Args = {POOL_FLAG_PAGED, 72, TAG_A}};
    AT_IRQL NonPagedAtDispatch = {.Irql = DISPATCH_LEVEL, .Args = {POOL_FLAG_NON_PAGED, 72, TAG_A}};
    cr_assert_not(IrqlHostCatchBugCheck(AllocateAtIrql, &PagedAtApc, NULL));
    cr_assert_not(IrqlHostCatchBugCheck(AllocateAtIrql, &NonPagedAtDispatch, NULL));
    cr_assert_not_null(PagedAtApc.Result);
    cr_assert_not_null(NonPagedAtDispatch.Result);
    ExFreePool(PagedAtApc.Result);
    ExFreePool(NonPagedAtDispatch.Result);
}

Test(pool, nonpaged_allocation_above_dispatch_bugchecks_c4_02)
{
    AT_IRQL At = {.Irql = DISPATCH_LEVEL + 1, .Args = {POOL_FLAG_NON_PAGED, 8, TAG_A}};
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(AllocateAtIrql, &At, DRIVER_VERIFIER_DETECTED_VIOLATION, 0x02);
    cr_assert_eq(R.Parameter[1], DISPATCH_LEVEL + 1);
    cr_assert_eq(R.Parameter[2], NonPagedPoolNx);
    cr_assert_eq(R.Parameter[3], 8);
    At.Irql = HIGH_LEVEL;
    At.Args.Flags = POOL_FLAG_PAGED; /* paged above DISPATCH_LEVEL: the paged rule, 0x01 */
    ExpectBugCheck(AllocateAtIrql, &At, DRIVER_VERIFIER_DETECTED_VIOLATION, 0x01);
}

Test(pool, zero_bytes_bugchecks_c4_00)
{
    AT_IRQL At = {.Irql = PASSIVE_LEVEL, .Args = {POOL_FLAG_NON_PAGED, 0, TAG_A}};
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(AllocateAtIrql, &At, DRIVER_VERIFIER_DETECTED_VIOLATION, 0x00);
    cr_assert_eq(R.Parameter[1], PASSIVE_LEVEL, "P2 current IRQL");
    cr_assert_eq(R.Parameter[2], NonPagedPoolNx, "P3 pool type");
    cr_assert_eq(R.Parameter[3], 0);
    At.Irql = APC_LEVEL;
    At.UseLegacy = TRUE;
    At.Legacy = (WITH_TAG_ARGS){PagedPool, 0, TAG_A};
    R = ExpectBugCheck(AllocateAtIrql, &At, DRIVER_VERIFIER_DETECTED_VIOLATION, 0x00);
    cr_assert_eq(R.Parameter[1], APC_LEVEL);
    cr_assert_eq(R.Parameter[2], PagedPool);
}

/* ---- Free ----------------------------------------------------------------------------------- */

typedef struct {
    KIRQL Irql;
    PVOID P;
    ULONG Tag;
    int How; /* 0 ExFreePool, 1 ExFreePoolWithTag, 2 ExFreePool2 */
} FREE_ARGS;

static void FreeAtIrql(PVOID Context)
{
    FREE_ARGS *Args = Context;
    KIRQL Old;
    KeRaiseIrql(Args->Irql, &Old);
    switch (Args->How) {
    case 0: ExFreePool(Args->P); break;
    case 1: ExFreePoolWithTag(Args->P, Args->Tag); break;
    default: ExFreePool2(Args->P, Args->Tag, NULL, 0); break;
    }
    KeLowerIrql(Old);
}

Test(pool, free_paged_at_dispatch_bugchecks_c4_11)
{
    FREE_ARGS Args = {DISPATCH_LEVEL, ExAllocatePool2(POOL_FLAG_PAGED, 24, TAG_A), TAG_A, 1};
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(FreeAtIrql, &Args, DRIVER_VERIFIER_DETECTED_VIOLATION, 0x11);
    cr_assert_eq(R.Parameter[1], DISPATCH_LEVEL, "P2 current IRQL");
    cr_assert_eq(R.Parameter[2], PagedPool, "P3 pool type");
    cr_assert_eq(R.Parameter[3], (ULONG_PTR)Args.P, "P4 address");
    cr_assert_eq(Stats(IrqlHostPoolPaged, TAG_A).Count, 1, "still allocated");
    Args.Irql = APC_LEVEL;
    cr_assert_not(IrqlHostCatchBugCheck(FreeAtIrql, &Args, NULL), "fine at APC_LEVEL");
    cr_assert_eq(Stats(IrqlHostPoolPaged, TAG_A).Count, 0);
}

Test(pool, free_nonpaged_at_dispatch_and_above)
{
    FREE_ARGS Args = {DISPATCH_LEVEL, ExAllocatePool2(POOL_FLAG_NON_PAGED, 24, TAG_A), TAG_A, 0};
    IRQL_HOST_BUGCHECK R;
    cr_assert_not(IrqlHostCatchBugCheck(FreeAtIrql, &Args, NULL), "fine at DISPATCH_LEVEL");
    Args.P = ExAllocatePool2(POOL_FLAG_NON_PAGED, 24, TAG_A);
    Args.Irql = HIGH_LEVEL;
    R = ExpectBugCheck(FreeAtIrql, &Args, DRIVER_VERIFIER_DETECTED_VIOLATION, 0x12);
    cr_assert_eq(R.Parameter[1], HIGH_LEVEL);
    cr_assert_eq(R.Parameter[2], NonPagedPoolNx);
    cr_assert_eq(R.Parameter[3], (ULONG_PTR)Args.P);
    ExFreePool(Args.P);
}

Test(pool, double_free_bugchecks_c4_13)
{
    for (size_t Pool = 0; Pool < ARRAYSIZE(Pools); Pool++) {
        FREE_ARGS Args = {PASSIVE_LEVEL, ExAllocatePool2(Pools[Pool], 300, TAG_B), TAG_B, 1};
        IRQL_HOST_BUGCHECK R;
        ExFreePoolWithTag(Args.P, TAG_B);
        R = ExpectBugCheck(FreeAtIrql, &Args, DRIVER_VERIFIER_DETECTED_VIOLATION, 0x13);
        cr_assert_eq(R.Parameter[2], (ULONG_PTR)Args.P, "P3 the block");
        cr_assert_eq(R.Parameter[3], TAG_B, "P4 its tag");
        cr_assert(strstr(R.Message, "already freed") != NULL, "%s", R.Message);
        Args.How = 0;
        ExpectBugCheck(FreeAtIrql, &Args, DRIVER_VERIFIER_DETECTED_VIOLATION, 0x13);
    }
    cr_assert_eq(Stats(IrqlHostPoolAny, TAG_B).Frees, 2, "each block was freed once");
}

Test(pool, free_of_what_was_never_allocated_bugchecks_c4_10)
{
    int OnStack = 0;
    void *FromMalloc = malloc(32);
    PUCHAR Paged = ExAllocatePool2(POOL_FLAG_PAGED, 256, TAG_A);
    PUCHAR NonPaged = ExAllocatePool2(POOL_FLAG_NON_PAGED, 256, TAG_A);
    PVOID Bad[] = {&OnStack, FromMalloc, NULL, Paged + 16, NonPaged + 16};
    for (size_t Index = 0; Index < ARRAYSIZE(Bad); Index++) {
        FREE_ARGS Args = {PASSIVE_LEVEL, Bad[Index], 0, 0};
        IRQL_HOST_BUGCHECK R =
            ExpectBugCheck(FreeAtIrql, &Args, DRIVER_VERIFIER_DETECTED_VIOLATION, 0x10);
        cr_assert_eq(R.Parameter[1], (ULONG_PTR)Bad[Index], "P2 the bad address");
        cr_assert_eq(R.Parameter[2], 0);
    }
    {
        FREE_ARGS Inside = {PASSIVE_LEVEL, Paged + 16, 0, 0};
        IRQL_HOST_BUGCHECK R =
            ExpectBugCheck(FreeAtIrql, &Inside, DRIVER_VERIFIER_DETECTED_VIOLATION, 0x10);
        cr_assert(strstr(R.Message, "inside the allocation") != NULL, "%s", R.Message);
    }
    free(FromMalloc);
    ExFreePool(Paged);
    ExFreePool(NonPaged);
}

Test(pool, free_with_the_wrong_tag_bugchecks_c2_0a)
{
    for (int How = 1; How <= 2; How++) {
        FREE_ARGS Args = {PASSIVE_LEVEL, ExAllocatePool2(POOL_FLAG_PAGED, 8, TAG_A), TAG_B, How};
        IRQL_HOST_BUGCHECK R = ExpectBugCheck(FreeAtIrql, &Args, BAD_POOL_CALLER, 0x0A);
        cr_assert_eq(R.Parameter[1], (ULONG_PTR)Args.P, "P2 address");
        cr_assert_eq(R.Parameter[2], TAG_A, "P3 the allocation's tag");
        cr_assert_eq(R.Parameter[3], TAG_B, "P4 the tag passed");
        cr_assert(strstr(R.Message, "'Tst1'") != NULL && strstr(R.Message, "'Tst2'") != NULL,
                  "%s", R.Message);
        cr_assert_eq(Stats(IrqlHostPoolAny, TAG_A).Count, 1, "not freed");
        ExFreePoolWithTag(Args.P, TAG_A);
    }
}

Test(pool, exfreepool_and_tag_zero_do_not_check_the_tag)
{
    PVOID A = ExAllocatePool2(POOL_FLAG_NON_PAGED, 8, TAG_A);
    PVOID B = ExAllocatePool2(POOL_FLAG_PAGED, 8, TAG_B);
    PVOID C = ExAllocatePool2(POOL_FLAG_PAGED, 8, TAG_C);
    ExFreePool(A);
    ExFreePoolWithTag(B, 0);
    ExFreePool2(C, TAG_C, NULL, 0);
    cr_assert_eq(Stats(IrqlHostPoolAny, 0).Count, 0);
    cr_assert_eq(Stats(IrqlHostPoolAny, 0).Frees, 3);
}

Test(pool, freed_blocks_are_not_reused_while_quarantined)
{
    PVOID First = ExAllocatePool2(POOL_FLAG_PAGED, 64, TAG_A);
    PVOID Again;
    ExFreePool(First);
    Again = ExAllocatePool2(POOL_FLAG_PAGED, 64, TAG_A);
    cr_assert_neq(Again, First, "a freed block stays out of circulation for a while");
    ExFreePool(Again);
}

/* ---- Statistics ------------------------------------------------------------------------------ */

Test(pool, statistics_by_pool_and_tag)
{
    PVOID A1 = ExAllocatePool2(POOL_FLAG_PAGED, 100, TAG_A);
    PVOID A2 = ExAllocatePool2(POOL_FLAG_PAGED, 200, TAG_A);
    PVOID A3 = ExAllocatePool2(POOL_FLAG_NON_PAGED, 5000, TAG_A);
    PVOID B1 = ExAllocatePool2(POOL_FLAG_NON_PAGED, 7, TAG_B);
    IRQL_HOST_POOL_STATS S;

    S = Stats(IrqlHostPoolPaged, TAG_A);
    cr_assert_eq(S.Count, 2);
    cr_assert_eq(S.Bytes, 300);
    S = Stats(IrqlHostPoolNonPaged, TAG_A);
    cr_assert_eq(S.Count, 1);
    cr_assert_eq(S.Bytes, 5000);
    S = Stats(IrqlHostPoolAny, TAG_A);
    cr_assert_eq(S.Count, 3);
    cr_assert_eq(S.Bytes, 5300);
    cr_assert_eq(S.Allocations, 3);
    S = Stats(IrqlHostPoolAny, TAG_B);
    cr_assert_eq(S.Count, 1);
    cr_assert_eq(S.Bytes, 7);
    S = Stats(IrqlHostPoolPaged, TAG_B);
    cr_assert_eq(S.Count, 0);
    S = Stats(IrqlHostPoolAny, 0);
    cr_assert_eq(S.Count, 4);
    cr_assert_eq(S.Bytes, 5307);
    S = Stats(IrqlHostPoolPaged, 0);
    cr_assert_eq(S.Bytes, 300);
    S = Stats(IrqlHostPoolAny, TAG_C);
    cr_assert_eq(S.Count + S.Allocations + S.PeakBytes, 0, "an unseen tag reads as zeros");

    ExFreePool(A2);
    ExFreePool(A3);
    S = Stats(IrqlHostPoolAny, TAG_A);
    cr_assert_eq(S.Count, 1);
    cr_assert_eq(S.Bytes, 100);
    cr_assert_eq(S.PeakCount, 3);
    cr_assert_eq(S.PeakBytes, 5300);
    cr_assert_eq(S.Frees, 2);
    S = Stats(IrqlHostPoolPaged, TAG_A);
    cr_assert_eq(S.PeakCount, 2);
    cr_assert_eq(S.PeakBytes, 300);

    IrqlHostResetPoolPeaks();
    S = Stats(IrqlHostPoolAny, TAG_A);
    cr_assert_eq(S.PeakCount, 1);
    cr_assert_eq(S.PeakBytes, 100);
    S = Stats(IrqlHostPoolAny, 0);
    cr_assert_eq(S.PeakCount, 2);
    cr_assert_eq(S.PeakBytes, 107);

    ExFreePool(A1);
    ExFreePool(B1);
    S = Stats(IrqlHostPoolAny, 0);
    cr_assert_eq(S.Count, 0);
    cr_assert_eq(S.Bytes, 0);
    cr_assert_eq(S.Allocations, 4);
    cr_assert_eq(S.Frees, 4);
}

/* ---- The leak report ----------------------------------------------------------------------- */

static char Printed[8192];

static VOID Capture(PCSTR Text, PVOID Context)
{
    (void)Context;
    strncat(Printed, Text, sizeof(Printed) - strlen(Printed) - 1);
}

Test(pool, leak_report_lists_outstanding_allocations_by_tag)
{
    PVOID A1 = PoolTestAllocatingCaller(POOL_FLAG_PAGED, 100, TAG_A);
    PVOID A2 = PoolTestAllocatingCaller(POOL_FLAG_NON_PAGED, 5000, TAG_A);
    PVOID B1 = PoolTestAllocatingCaller(POOL_FLAG_NON_PAGED, 7, TAG_B);
    PVOID Gone = PoolTestAllocatingCaller(POOL_FLAG_NON_PAGED, 12345, TAG_C);
    char Line[64];
    ULONG Listed;

    ExFreePool(Gone);
    Printed[0] = '\0';
    IrqlHostSetPrintSink(Capture, NULL);
    Listed = IrqlHostPrintPoolLeaks(0);
    IrqlHostSetPrintSink(NULL, NULL);

    cr_assert_eq(Listed, 3);
    cr_assert(strstr(Printed, "3 allocation(s) outstanding") != NULL, "%s", Printed);
    cr_assert(strstr(Printed, "paged 1 (100 bytes), non-paged 2 (5007 bytes)") != NULL, "%s",
              Printed);
    cr_assert(strstr(Printed, "tag 'Tst1' (0x31747354): 2 allocation(s), 5100 bytes") != NULL,
              "%s", Printed);
    cr_assert(strstr(Printed, "tag 'Tst2' (0x32747354): 1 allocation(s), 7 bytes") != NULL, "%s",
              Printed);
    snprintf(Line, sizeof(Line), "%p 100 bytes PagedPool", A1);
    cr_assert(strstr(Printed, Line) != NULL, "%s in\n%s", Line, Printed);
    snprintf(Line, sizeof(Line), "%p 5000 bytes NonPagedPoolNx", A2);
    cr_assert(strstr(Printed, Line) != NULL, "%s in\n%s", Line, Printed);
    cr_assert(strstr(Printed, "PoolTestAllocatingCaller") != NULL, "the caller is named:\n%s",
              Printed);
    cr_assert(strstr(Printed, "Tst3") == NULL && strstr(Printed, "12345") == NULL,
              "freed blocks are not listed:\n%s", Printed);

    Printed[0] = '\0';
    IrqlHostSetPrintSink(Capture, NULL);
    Listed = IrqlHostPrintPoolLeaks(TAG_B);
    IrqlHostSetPrintSink(NULL, NULL);
    cr_assert_eq(Listed, 1);
    cr_assert(strstr(Printed, "Tst1") == NULL, "filtered by tag:\n%s", Printed);

    ExFreePool(A1);
    ExFreePool(A2);
    ExFreePool(B1);
    Printed[0] = '\0';
    IrqlHostSetPrintSink(Capture, NULL);
    Listed = IrqlHostPrintPoolLeaks(0);
    IrqlHostSetPrintSink(NULL, NULL);
    cr_assert_eq(Listed, 0);
    cr_assert_str_eq(Printed, "", "nothing to report, nothing printed");
}

/* ---- Driver unload: Driver Verifier's Pool Tracking (0xC4/0x62) -------------------------- */

static const char DriverName[] = "leaky.sys";
static ULONG64 LoadedAt;

static void UnloadDriver(PVOID Context)
{
    (void)Context;
    IrqlpPoolCheckLeaks(DriverName, LoadedAt);
}

Test(pool, unload_with_outstanding_allocations_bugchecks_c4_62)
{
    PVOID Before = ExAllocatePool2(POOL_FLAG_NON_PAGED, 10, TAG_C); /* not the driver's */
    PVOID Leak1, Leak2, Freed;
    IRQL_HOST_BUGCHECK R;

    LoadedAt = IrqlpPoolSequence();
    Leak1 = ExAllocatePool2(POOL_FLAG_PAGED, 64, TAG_A);
    Leak2 = ExAllocatePool2(POOL_FLAG_NON_PAGED, 32, TAG_B);
    Freed = ExAllocatePool2(POOL_FLAG_NON_PAGED, 32, TAG_B);
    ExFreePool(Freed);

    Printed[0] = '\0';
    IrqlHostSetPrintSink(Capture, NULL);
    R = ExpectBugCheck(UnloadDriver, NULL, DRIVER_VERIFIER_DETECTED_VIOLATION, 0x62);
    IrqlHostSetPrintSink(NULL, NULL);
    cr_assert_eq(R.Parameter[1], (ULONG_PTR)DriverName, "P2 the driver's name");
    cr_assert_eq(R.Parameter[2], 0, "P3 reserved");
    cr_assert_eq(R.Parameter[3], 2, "P4 allocations not freed");
    cr_assert(strstr(R.Message, "leaky.sys") != NULL, "%s", R.Message);
    cr_assert(strstr(Printed, "leaky.sys unloaded without freeing its pool") != NULL, "%s",
              Printed);
    cr_assert(strstr(Printed, "2 allocation(s) outstanding") != NULL, "%s", Printed);

    ExFreePool(Leak1);
    ExFreePool(Leak2);
    cr_assert_not(IrqlHostCatchBugCheck(UnloadDriver, NULL, NULL), "nothing left: no stop");
    ExFreePool(Before);
}

Test(pool, outstanding_since_a_sequence)
{
    IRQLP_POOL_OUTSTANDING Left;
    ULONG64 Mark;
    PVOID Old = ExAllocatePool2(POOL_FLAG_PAGED, 1, TAG_A);
    Mark = IrqlpPoolSequence();
    PVOID New1 = ExAllocatePool2(POOL_FLAG_PAGED, 10, TAG_A);
    PVOID New2 = ExAllocatePool2(POOL_FLAG_NON_PAGED, 20, TAG_B);
    IrqlpPoolOutstanding(Mark, 0, &Left);
    cr_assert_eq(Left.Count, 2);
    cr_assert_eq(Left.PagedCount, 1);
    cr_assert_eq(Left.PagedBytes, 10);
    cr_assert_eq(Left.NonPagedCount, 1);
    cr_assert_eq(Left.NonPagedBytes, 20);
    IrqlpPoolOutstanding(0, TAG_A, &Left);
    cr_assert_eq(Left.Count, 2);
    ExFreePool(Old);
    ExFreePool(New1);
    ExFreePool(New2);
}

/* ---- Fault injection ------------------------------------------------------------------------ */

Test(pool, fail_the_nth_allocation)
{
    PVOID P[5];
    IrqlHostInjectPoolFailure(3, 0);
    for (int Index = 0; Index < 5; Index++) {
        P[Index] = ExAllocatePool2(Index % 2 ? POOL_FLAG_PAGED : POOL_FLAG_NON_PAGED, 16, TAG_A);
    }
    cr_assert(P[0] && P[1] && !P[2] && P[3] && P[4], "only the third fails, once");
    cr_assert_eq(Stats(IrqlHostPoolAny, TAG_A).Failures, 1);
    for (int Index = 0; Index < 5; Index++) {
        if (P[Index] != NULL) {
            ExFreePool(P[Index]);
        }
    }
}

Test(pool, fail_the_nth_allocation_of_a_tag)
{
    PVOID Other[4], Mine[3];
    IrqlHostInjectPoolFailure(2, TAG_B);
    Other[0] = ExAllocatePool2(POOL_FLAG_NON_PAGED, 16, TAG_A);
    Mine[0] = ExAllocatePool2(POOL_FLAG_NON_PAGED, 16, TAG_B);
    Other[1] = ExAllocatePool2(POOL_FLAG_NON_PAGED, 16, TAG_A);
    Other[2] = ExAllocatePool2(POOL_FLAG_NON_PAGED, 16, TAG_A);
    Mine[1] = ExAllocatePool2(POOL_FLAG_PAGED, 16, TAG_B);
    Other[3] = ExAllocatePool2(POOL_FLAG_NON_PAGED, 16, TAG_A);
    Mine[2] = ExAllocatePool2(POOL_FLAG_PAGED, 16, TAG_B);
    cr_assert(Other[0] && Other[1] && Other[2] && Other[3], "other tags do not count");
    cr_assert(Mine[0] && !Mine[1] && Mine[2]);
    cr_assert_eq(Stats(IrqlHostPoolPaged, TAG_B).Failures, 1);
    for (int Index = 0; Index < 4; Index++) {
        ExFreePool(Other[Index]);
    }
    ExFreePool(Mine[0]);
    ExFreePool(Mine[2]);
}

static ULONG64 FailurePattern(ULONG Percent, ULONG Seed, ULONG Tag, int *Failed)
{
    ULONG64 Pattern = 0;
    *Failed = 0;
    IrqlHostInjectPoolFailureRate(Percent, Seed, Tag);
    for (int Index = 0; Index < 64; Index++) {
        PVOID P = ExAllocatePool2(POOL_FLAG_NON_PAGED, 8, TAG_A);
        if (P == NULL) {
            Pattern |= 1ULL << Index;
            ++*Failed;
        } else {
            ExFreePool(P);
        }
    }
    IrqlHostClearPoolFaultInjection();
    return Pattern;
}

Test(pool, fail_a_percentage_deterministically)
{
    int Failed, Again, Other, All, None, OtherTag;
    ULONG64 First = FailurePattern(50, 1234, 0, &Failed);
    ULONG64 Second = FailurePattern(50, 1234, 0, &Again);
    ULONG64 Different = FailurePattern(50, 99, 0, &Other);
    cr_assert_eq(First, Second, "same seed, same failures");
    cr_assert_eq(Failed, Again);
    cr_assert_neq(First, Different, "another seed, other failures");
    cr_assert(Failed >= 16 && Failed <= 48, "about half of 64 fail: %d", Failed);
    (void)FailurePattern(100, 1, 0, &All);
    cr_assert_eq(All, 64);
    (void)FailurePattern(0, 1, 0, &None);
    cr_assert_eq(None, 0);
    (void)FailurePattern(100, 1, TAG_B, &OtherTag);
    cr_assert_eq(OtherTag, 0, "only the chosen tag fails");
    cr_assert_eq(Stats(IrqlHostPoolNonPaged, TAG_A).Failures, (ULONG64)(Failed + Again + Other + All));
}

/* ---- Concurrency ---------------------------------------------------------------------------- */

#define THREADS 4
#define ROUNDS 1500

typedef struct {
    ULONG Tag;
    SIZE_T KeptCount;
    SIZE_T KeptBytes;
    PVOID Kept[ROUNDS];
} WORKER;

static ULONG NextRandom(ULONG *State)
{
    *State ^= *State << 13; /* xorshift32 */
    *State ^= *State >> 17;
    *State ^= *State << 5;
    return *State;
}

static void *Worker(void *Context)
{
    WORKER *W = Context;
    ULONG Seed = W->Tag;
    PVOID Live[16] = {0};

    for (int Round = 0; Round < ROUNDS; Round++) {
        int Slot = (int)(NextRandom(&Seed) % 16);
        SIZE_T Bytes = 1 + NextRandom(&Seed) % (Round % 50 == 0 ? 3 * PAGE_SIZE : 700);
        POOL_FLAGS Pool = (NextRandom(&Seed) & 1) ? POOL_FLAG_PAGED : POOL_FLAG_NON_PAGED;
        if (Live[Slot] != NULL) {
            ExFreePoolWithTag(Live[Slot], W->Tag);
        }
        Live[Slot] = ExAllocatePool2(Pool, Bytes, W->Tag);
        if (Live[Slot] == NULL) {
            return (void *)1;
        }
        memset(Live[Slot], Round, Bytes);
        if (Round % 100 == 0) { /* keep some for good */
            W->Kept[W->KeptCount++] = Live[Slot];
            W->KeptBytes += Bytes;
            Live[Slot] = NULL;
        }
    }
    for (int Slot = 0; Slot < 16; Slot++) {
        if (Live[Slot] != NULL) {
            ExFreePool(Live[Slot]);
        }
    }
    return NULL;
}

Test(pool, concurrent_allocations_keep_exact_statistics)
{
    static WORKER Workers[THREADS];
    pthread_t Threads[THREADS];
    SIZE_T Count = 0, Bytes = 0;

    for (int Index = 0; Index < THREADS; Index++) {
        Workers[Index].Tag = (ULONG)('0rhT' + Index);
        cr_assert_eq(pthread_create(&Threads[Index], NULL, Worker, &Workers[Index]), 0);
    }
    for (int Index = 0; Index < THREADS; Index++) {
        void *Result;
        pthread_join(Threads[Index], &Result);
        cr_assert_null(Result, "worker %d allocated everything", Index);
        Count += Workers[Index].KeptCount;
        Bytes += Workers[Index].KeptBytes;
        cr_assert_eq(Stats(IrqlHostPoolAny, Workers[Index].Tag).Count, Workers[Index].KeptCount);
        cr_assert_eq(Stats(IrqlHostPoolAny, Workers[Index].Tag).Bytes, Workers[Index].KeptBytes);
        cr_assert_eq(Stats(IrqlHostPoolAny, Workers[Index].Tag).Allocations, ROUNDS);
    }
    cr_assert_eq(Stats(IrqlHostPoolAny, 0).Count, Count);
    cr_assert_eq(Stats(IrqlHostPoolAny, 0).Bytes, Bytes);
    cr_assert_eq(Stats(IrqlHostPoolAny, 0).Allocations, (ULONG64)THREADS * ROUNDS);
    cr_assert_eq(Stats(IrqlHostPoolPaged, 0).Count + Stats(IrqlHostPoolNonPaged, 0).Count, Count);
    for (int Index = 0; Index < THREADS; Index++) {
        for (SIZE_T Kept = 0; Kept < Workers[Index].KeptCount; Kept++) {
            ExFreePoolWithTag(Workers[Index].Kept[Kept], Workers[Index].Tag);
        }
    }
    cr_assert_eq(Stats(IrqlHostPoolAny, 0).Count, 0);
    cr_assert_eq(Stats(IrqlHostPoolAny, 0).Bytes, 0);
}
