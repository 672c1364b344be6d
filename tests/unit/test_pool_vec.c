/*
 * Vectors (<irql/pool.h>): the crate's vec literal / repeat / push / pop in C, the pool from the
 * context, bounds-checked AT, overflow-checked growth, fault injection (a failed PUSH, EXTEND or
 * RESERVE is a status, the vector unchanged, nothing leaked), the run-time IRQL rule and the
 * host's 0xA check for paged elements touched at DISPATCH_LEVEL.
 */
#include "bugcheck_expect.h"

#include <irql/pool.h>

/* See test_pool_box.c: the test macros quote the expanded pool macros. */
#pragma GCC diagnostic ignored "-Woverlength-strings"

#define TAG_VEC 0x63655650UL /* "PVec" */

typedef IRQL_PAGED_VEC(ULONG) PAGED_ULONG_VEC;
typedef IRQL_NONPAGED_VEC(ULONG) NONPAGED_ULONG_VEC;

typedef struct _PAIR {
    ULONG A;
    USHORT B;
} PAIR;
typedef IRQL_NONPAGED_VEC(PAIR) PAIR_VEC;

static SIZE_T Outstanding(ULONG Tag)
{
    IRQL_HOST_POOL_STATS Stats;
    IrqlHostQueryPoolStats(IrqlHostPoolAny, Tag, &Stats);
    return Stats.Count;
}

static IRQL_HOST_POOL PoolOf(const VOID *P)
{
    IRQL_HOST_POOL_BLOCK Block;
    cr_assert(IrqlHostQueryPoolBlock(P, &Block));
    return Block.Pool;
}

Test(pool_vec, literal_repeat_push_pop_at_passive)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    IRQL_VEC(ULONG) V = IRQL_VEC_INIT_TAG(TAG_VEC);
    _Static_assert(IRQL_POOL_OF(&V) == IRQL_POOL_PAGED, "IRQL_VEC at PASSIVE_LEVEL is paged");
    static const ULONG Literal[] = {1, 2, 3};
    SIZE_T Before = Outstanding(TAG_VEC);
    ULONG Out = 0;

    /* vec![1, 2, 3] */
    cr_assert_eq(IRQL_VEC_EXTEND(&V, Literal, ARRAYSIZE(Literal)), STATUS_SUCCESS);
    cr_assert_eq(IRQL_VEC_LEN(&V), 3);
    cr_assert_eq(*IRQL_VEC_AT(&V, 0), 1);
    cr_assert_eq(*IRQL_VEC_AT(&V, 2), 3);
    cr_assert_eq(PoolOf(IRQL_VEC_DATA(&V)), IrqlHostPoolPaged);

    /* push / pop */
    cr_assert_eq(IRQL_VEC_PUSH(&V, 4), STATUS_SUCCESS);
    cr_assert_eq(IRQL_VEC_LEN(&V), 4);
    cr_assert_eq(IRQL_VEC_POP(&V, &Out), STATUS_SUCCESS);
    cr_assert_eq(Out, 4);
    cr_assert_eq(IRQL_VEC_POP(&V, NULL), STATUS_SUCCESS);
    cr_assert_eq(IRQL_VEC_LEN(&V), 2);
    cr_assert_eq(IRQL_VEC_FREE(&V), STATUS_SUCCESS);
    cr_assert_eq(IRQL_VEC_LEN(&V), 0);
    cr_assert_eq(IRQL_VEC_CAPACITY(&V), 0);

    /* vec![7; 100] */
    for (int I = 0; I < 100; I++) {
        cr_assert_eq(IRQL_VEC_PUSH(&V, 7), STATUS_SUCCESS);
    }
    cr_assert_eq(IRQL_VEC_LEN(&V), 100);
    for (SIZE_T I = 0; I < 100; I++) {
        cr_assert_eq(*IRQL_VEC_AT(&V, I), 7);
    }
    cr_assert_eq(Outstanding(TAG_VEC), Before + 1, "one block, reallocated as it grew");
    IRQL_VEC_CLEAR(&V);
    cr_assert_eq(IRQL_VEC_LEN(&V), 0);
    cr_assert_geq(IRQL_VEC_CAPACITY(&V), 100, "CLEAR keeps the capacity");
    cr_assert_eq(IRQL_VEC_POP(&V, &Out), STATUS_IRQL_POOL_EMPTY);
    cr_assert_not(NT_SUCCESS(STATUS_IRQL_POOL_EMPTY));
    cr_assert_not(NT_ERROR(STATUS_IRQL_POOL_EMPTY), "a warning");
    cr_assert_eq(IRQL_VEC_FREE(&V), STATUS_SUCCESS);
    cr_assert_eq(IRQL_VEC_FREE(&V), STATUS_SUCCESS, "again: a no-op");
    cr_assert_eq(Outstanding(TAG_VEC), Before);
}

Test(pool_vec, vec_at_dispatch_is_nonpaged)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    SIZE_T Before = Outstanding(IRQL_POOL_DEFAULT_TAG);
    IRQL_RAISE(DISPATCH_LEVEL) {
        IRQL_VEC(PAIR) V = {0}; /* default tag "IrqL" */
        _Static_assert(IRQL_POOL_OF(&V) == IRQL_POOL_NONPAGED, "non-paged at DISPATCH_LEVEL");
        PAIR P = {5, 6};
        cr_assert_eq(IRQL_VEC_PUSH(&V, P), STATUS_SUCCESS);
        cr_assert_eq(IRQL_VEC_AT(&V, 0)->B, 6);
        cr_assert_eq(PoolOf(IRQL_VEC_DATA(&V)), IrqlHostPoolNonPaged);
        cr_assert_eq(Outstanding(IRQL_POOL_DEFAULT_TAG), Before + 1);
        cr_assert_eq(IRQL_VEC_FREE(&V), STATUS_SUCCESS);
    }
    cr_assert_eq(Outstanding(IRQL_POOL_DEFAULT_TAG), Before);
}

Test(pool_vec, at_is_bounds_checked)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    NONPAGED_ULONG_VEC V = IRQL_VEC_INIT_TAG(TAG_VEC);
    SIZE_T Index = 0;

    cr_assert_null(IRQL_VEC_AT(&V, 0), "empty");
    cr_assert_eq(IRQL_VEC_PUSH(&V, 10), STATUS_SUCCESS);
    cr_assert_eq(IRQL_VEC_RESERVE(&V, 50), STATUS_SUCCESS);
    cr_assert_geq(IRQL_VEC_CAPACITY(&V), 51);
    cr_assert_not_null(IRQL_VEC_AT(&V, 0));
    cr_assert_null(IRQL_VEC_AT(&V, 1), "beyond the length, within the capacity");
    cr_assert_null(IRQL_VEC_AT(&V, (SIZE_T)-1));
    ULONG *First = IRQL_VEC_AT(&V, Index++);
    cr_assert_not_null(First);
    cr_assert_eq(Index, 1, "Index evaluated once");
    cr_assert_eq(IRQL_VEC_FREE(&V), STATUS_SUCCESS);
}

Test(pool_vec, huge_reserve_is_a_status)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    PAGED_ULONG_VEC V = IRQL_VEC_INIT_TAG(TAG_VEC);
    SIZE_T Before = Outstanding(TAG_VEC);

    cr_assert_eq(IRQL_VEC_PUSH(&V, 1), STATUS_SUCCESS);
    cr_assert_eq(IRQL_VEC_RESERVE(&V, (SIZE_T)-1), STATUS_IRQL_POOL_SIZE_OVERFLOW);
    cr_assert_eq(IRQL_VEC_RESERVE(&V, (SIZE_T)-1 / sizeof(ULONG)), STATUS_IRQL_POOL_SIZE_OVERFLOW,
                 "count fits, bytes do not");
    cr_assert_eq(IRQL_VEC_RESERVE(&V, (SIZE_T)-1 / sizeof(ULONG) / 2),
                 STATUS_INSUFFICIENT_RESOURCES, "fits in SIZE_T, not in the pool");
    cr_assert_eq(IRQL_VEC_LEN(&V), 1, "unchanged");
    cr_assert_eq(*IRQL_VEC_AT(&V, 0), 1);
    cr_assert_eq(Outstanding(TAG_VEC), Before + 1);
    cr_assert_eq(IRQL_VEC_FREE(&V), STATUS_SUCCESS);
    cr_assert_eq(Outstanding(TAG_VEC), Before);
}

Test(pool_vec, allocation_failure_in_push_extend_reserve)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    PAGED_ULONG_VEC V = IRQL_VEC_INIT_TAG(TAG_VEC);
    static const ULONG Items[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    SIZE_T Before = Outstanding(TAG_VEC);
    int Evaluated = 0;

    IrqlHostInjectPoolFailure(1, TAG_VEC);
    cr_assert_eq(IRQL_VEC_PUSH(&V, (ULONG)(++Evaluated)), STATUS_INSUFFICIENT_RESOURCES);
    cr_assert_eq(Evaluated, 0, "a failed push does not evaluate its value");
    cr_assert_eq(IRQL_VEC_LEN(&V), 0);
    cr_assert_eq(IRQL_VEC_PUSH(&V, (ULONG)(++Evaluated)), STATUS_SUCCESS);
    cr_assert_eq(Evaluated, 1);

    cr_assert_eq(IRQL_VEC_EXTEND(&V, Items, 3), STATUS_SUCCESS); /* within the first 4 */
    IrqlHostInjectPoolFailure(1, TAG_VEC);
    cr_assert_eq(IRQL_VEC_EXTEND(&V, Items, 8), STATUS_INSUFFICIENT_RESOURCES);
    cr_assert_eq(IRQL_VEC_LEN(&V), 4, "all or nothing");
    IrqlHostInjectPoolFailure(1, TAG_VEC);
    cr_assert_eq(IRQL_VEC_RESERVE(&V, 100), STATUS_INSUFFICIENT_RESOURCES);
    cr_assert_eq(IRQL_VEC_CAPACITY(&V), 4, "unchanged");
    cr_assert_eq(*IRQL_VEC_AT(&V, 3), 3);

    /* Random failures during growth: statuses only, contents intact. */
    IrqlHostInjectPoolFailureRate(30, 99, TAG_VEC);
    SIZE_T Pushed = IRQL_VEC_LEN(&V);
    for (int Round = 0; Round < 500; Round++) {
        NTSTATUS Status = IRQL_VEC_PUSH(&V, (ULONG)Round);
        cr_assert(Status == STATUS_SUCCESS || Status == STATUS_INSUFFICIENT_RESOURCES);
        Pushed += NT_SUCCESS(Status);
        cr_assert_eq(IRQL_VEC_LEN(&V), Pushed);
    }
    IrqlHostClearPoolFaultInjection();
    cr_assert_eq(Outstanding(TAG_VEC), Before + 1);
    cr_assert_eq(IRQL_VEC_FREE(&V), STATUS_SUCCESS);
    cr_assert_eq(Outstanding(TAG_VEC), Before);
}

Test(pool_vec, run_time_irql_rule_returns_a_status)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    PAGED_ULONG_VEC V = IRQL_VEC_INIT_TAG(TAG_VEC);
    ULONG Out = 0;
    KIRQL Old;

    cr_assert_eq(IRQL_VEC_PUSH(&V, 3), STATUS_SUCCESS);
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    NTSTATUS Reserve = irql__vec_reserve(&V.irql__hdr, 1, sizeof(ULONG), IRQL_POOL_PAGED);
    NTSTATUS Push = irql__vec_push_end(&V.irql__hdr, 0, sizeof(ULONG), IRQL_POOL_PAGED);
    NTSTATUS Pop = irql__vec_pop(&V.irql__hdr, &Out, sizeof(ULONG), IRQL_POOL_PAGED);
    NTSTATUS Free = irql__vec_free(&V.irql__hdr, IRQL_POOL_PAGED);
    KeLowerIrql(Old);
    cr_assert_eq(Reserve, STATUS_IRQL_POOL_IRQL_TOO_HIGH);
    cr_assert_eq(Push, STATUS_IRQL_POOL_IRQL_TOO_HIGH);
    cr_assert_eq(Pop, STATUS_IRQL_POOL_IRQL_TOO_HIGH);
    cr_assert_eq(Free, STATUS_IRQL_POOL_IRQL_TOO_HIGH);
    cr_assert_eq(IRQL_VEC_LEN(&V), 1, "unchanged");
    cr_assert_eq(IRQL_VEC_FREE(&V), STATUS_SUCCESS);
}

static VOID ReadAtDispatch(PVOID Context)
{
    volatile ULONG *P = (volatile ULONG *)Context;
    KIRQL Old;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    (void)*P;
    KeLowerIrql(Old);
}

Test(pool_vec, paged_element_read_at_dispatch_bugchecks_0a)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    PAGED_ULONG_VEC V = IRQL_VEC_INIT_TAG(TAG_VEC);

    cr_assert_eq(IRQL_VEC_PUSH(&V, 5), STATUS_SUCCESS);
    ULONG *Element = IRQL_VEC_AT(&V, 0); /* a plain pointer: the rule no longer follows it */
    ExpectBugCheck(ReadAtDispatch, Element, IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)Element);
    cr_assert_eq(IRQL_VEC_FREE(&V), STATUS_SUCCESS);
}

/* Named vector types as members and parameters. */
typedef struct _STATS {
    NONPAGED_ULONG_VEC Samples;
} STATS;

IRQL_MAX(RecordSample, DISPATCH_LEVEL)
static NTSTATUS RecordSample(STATS *Stats, ULONG Sample)
{
    IRQL_ENTER(RecordSample);
    return IRQL_VEC_PUSH(&Stats->Samples, Sample);
}

Test(pool_vec, members_and_parameters)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    STATS Stats = {IRQL_VEC_INIT_TAG(TAG_VEC)};
    IRQL_RAISE(DISPATCH_LEVEL) {
        cr_assert_eq(RecordSample(&Stats, 1), STATUS_SUCCESS);
        cr_assert_eq(RecordSample(&Stats, 2), STATUS_SUCCESS);
    }
    cr_assert_eq(IRQL_VEC_LEN(&Stats.Samples), 2);
    cr_assert_eq(*IRQL_VEC_AT(&Stats.Samples, 1), 2);
    cr_assert_eq(IRQL_VEC_FREE(&Stats.Samples), STATUS_SUCCESS);
}
