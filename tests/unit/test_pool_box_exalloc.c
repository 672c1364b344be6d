/*
 * The kernel-build switch IRQL_POOL_USE_EX_ALLOCATE_POOL_WITH_TAG=1 (for Windows before 10 2004
 * and Wine, which lack ExAllocatePool2): the pool routines are compiled into this test with
 * the switch on (the test defines every routine src/pool.c does, so the library's copy is not
 * linked), and must still hand out zeroed memory from the right pool, even though the host's
 * ExAllocatePoolWithTag returns memory filled with IRQL_HOST_POOL_UNINITIALIZED_FILL.
 */
#define IRQL_POOL_USE_EX_ALLOCATE_POOL_WITH_TAG 1
#include "../../src/pool.c"

#include "bugcheck_expect.h"

#pragma GCC diagnostic ignored "-Woverlength-strings" /* see test_pool_box.c */

#define TAG_OLD 0x646C4F50UL /* "POld" */

typedef struct _BIG {
    UCHAR Bytes[3 * PAGE_SIZE + 5];
} BIG;

static IRQL_HOST_POOL PoolOf(const VOID *P)
{
    IRQL_HOST_POOL_BLOCK Block;
    cr_assert(IrqlHostQueryPoolBlock(P, &Block));
    return Block.Pool;
}

Test(pool_box_exalloc, boxes_are_zeroed_and_in_their_pool)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    IRQL_PAGED_BOX(BIG) Paged = {0};
    IRQL_NONPAGED_BOX(BIG) NonPaged = {0};

    cr_assert_eq(IRQL_BOX_NEW(&Paged, TAG_OLD), STATUS_SUCCESS);
    cr_assert_eq(IRQL_BOX_NEW(&NonPaged, TAG_OLD), STATUS_SUCCESS);
    for (size_t I = 0; I < sizeof(BIG); I++) {
        cr_assert_eq(IRQL_BOX_GET(&Paged)->Bytes[I], 0, "byte %zu zeroed", I);
        cr_assert_eq(IRQL_BOX_GET(&NonPaged)->Bytes[I], 0, "byte %zu zeroed", I);
    }
    cr_assert_eq(PoolOf(IRQL_BOX_GET(&Paged)), IrqlHostPoolPaged);
    cr_assert_eq(PoolOf(IRQL_BOX_GET(&NonPaged)), IrqlHostPoolNonPaged);
    cr_assert_eq(IRQL_BOX_FREE(&Paged), STATUS_SUCCESS);
    cr_assert_eq(IRQL_BOX_FREE(&NonPaged), STATUS_SUCCESS);
}

Test(pool_box_exalloc, vectors_grow_and_fail_as_statuses)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    IRQL_NONPAGED_VEC(ULONG) V = IRQL_VEC_INIT_TAG(TAG_OLD);

    for (ULONG I = 0; I < 100; I++) {
        cr_assert_eq(IRQL_VEC_PUSH(&V, I), STATUS_SUCCESS);
    }
    cr_assert_eq(*IRQL_VEC_AT(&V, 99), 99);
    IrqlHostInjectPoolFailure(1, TAG_OLD);
    cr_assert_eq(IRQL_VEC_RESERVE(&V, 1000), STATUS_INSUFFICIENT_RESOURCES);
    IrqlHostClearPoolFaultInjection();
    cr_assert_eq(IRQL_VEC_LEN(&V), 100);
    cr_assert_eq(IRQL_VEC_FREE(&V), STATUS_SUCCESS);
}
