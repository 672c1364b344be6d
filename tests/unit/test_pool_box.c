/*
 * Boxes (<irql/pool.h>): the irql crate's alloc example in C (a box at PASSIVE_LEVEL is paged,
 * at DISPATCH_LEVEL non-paged, an explicit non-paged box at PASSIVE_LEVEL, into_inner, leak),
 * raw hand-over, the run-time IRQL rule, fault injection without leaks, and the host kernel's
 * 0xA check for a paged box touched at DISPATCH_LEVEL behind the compile-time check's back.
 */
#include "bugcheck_expect.h"

/* The test macros quote their arguments after expansion, and the pool macros expand to their
   static assertions' messages: longer than ISO C's minimum string length. */
#pragma GCC diagnostic ignored "-Woverlength-strings"

#include <irql/pool.h>

#define TAG_BOX 0x78426F50UL   /* 'xBoP', shown as "PoBx" */
#define TAG_OTHER 0x7A426F50UL /* "PoBz" */

typedef struct _CONFIG {
    ULONG Flags;
    ULONG Timeout;
    UCHAR Name[40];
} CONFIG;

/* Named box types: usable as members and parameters, the pool in the type. */
typedef IRQL_PAGED_BOX(CONFIG) PAGED_CONFIG_BOX;
typedef IRQL_NONPAGED_BOX(ULONG) NONPAGED_ULONG_BOX;

typedef struct _DEVICE_STATE {
    PAGED_CONFIG_BOX Config;
    NONPAGED_ULONG_BOX Counter;
} DEVICE_STATE;

_Static_assert(IRQL_POOL_OF((PAGED_CONFIG_BOX *)0) == IRQL_POOL_PAGED, "paged in the type");
_Static_assert(IRQL_POOL_OF((NONPAGED_ULONG_BOX *)0) == IRQL_POOL_NONPAGED, "non-paged");
_Static_assert(sizeof(PAGED_CONFIG_BOX) == sizeof(IRQL_BOX_HEADER), "no field for the pool");

static SIZE_T Outstanding(ULONG Tag)
{
    IRQL_HOST_POOL_STATS Stats;
    IrqlHostQueryPoolStats(IrqlHostPoolAny, Tag, &Stats);
    return Stats.Count;
}

static IRQL_HOST_POOL PoolOf(const VOID *P)
{
    IRQL_HOST_POOL_BLOCK Block;
    cr_assert(IrqlHostQueryPoolBlock(P, &Block), "%p is a live allocation", P);
    return Block.Pool;
}

static ULONG TagOf(const VOID *P)
{
    IRQL_HOST_POOL_BLOCK Block;
    cr_assert(IrqlHostQueryPoolBlock(P, &Block));
    return Block.Tag;
}

IRQL_MAX(LoadConfig, PASSIVE_LEVEL)
static NTSTATUS LoadConfig(PAGED_CONFIG_BOX *Config)
{
    IRQL_ENTER(LoadConfig);
    NTSTATUS Status = IRQL_BOX_NEW(Config, TAG_BOX);
    if (NT_SUCCESS(Status)) {
        IRQL_BOX_GET(Config)->Timeout = 30;
    }
    return Status;
}

IRQL_MAX(CountEvent, DISPATCH_LEVEL)
static VOID CountEvent(DEVICE_STATE *State)
{
    IRQL_ENTER(CountEvent);
    (*IRQL_BOX_GET(&State->Counter))++; /* non-paged: fine at DISPATCH_LEVEL */
}

Test(pool_box, box_at_passive_is_paged)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    IRQL_BOX(CONFIG) Box = IRQL_BOX_INIT;
    _Static_assert(IRQL_POOL_OF(&Box) == IRQL_POOL_PAGED, "IRQL_BOX at PASSIVE_LEVEL is paged");
    SIZE_T Before = Outstanding(TAG_BOX);

    cr_assert(IRQL_BOX_IS_EMPTY(&Box));
    cr_assert_eq(IRQL_BOX_NEW(&Box, TAG_BOX), STATUS_SUCCESS);
    cr_assert_not(IRQL_BOX_IS_EMPTY(&Box));
    CONFIG *C = IRQL_BOX_GET(&Box);
    cr_assert_not_null(C);
    cr_assert_eq(C->Flags, 0, "zeroed");
    cr_assert_eq(C->Name[39], 0, "zeroed");
    C->Timeout = 7;
    cr_assert_eq(IRQL_BOX_GET(&Box)->Timeout, 7);
    cr_assert_eq(PoolOf(C), IrqlHostPoolPaged);
    cr_assert_eq(TagOf(C), TAG_BOX);
    cr_assert_eq(Outstanding(TAG_BOX), Before + 1);

    cr_assert_eq(IRQL_BOX_FREE(&Box), STATUS_SUCCESS);
    cr_assert(IRQL_BOX_IS_EMPTY(&Box));
    cr_assert_null(IRQL_BOX_GET(&Box));
    cr_assert_eq(Outstanding(TAG_BOX), Before);
    cr_assert_eq(IRQL_BOX_FREE(&Box), STATUS_SUCCESS, "a second FREE is a no-op");
    cr_assert_eq(Outstanding(TAG_BOX), Before);
}

Test(pool_box, box_at_dispatch_is_nonpaged)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    SIZE_T Before = Outstanding(TAG_BOX);
    IRQL_RAISE(DISPATCH_LEVEL) {
        IRQL_BOX(ULONG) Box = IRQL_BOX_INIT;
        _Static_assert(IRQL_POOL_OF(&Box) == IRQL_POOL_NONPAGED, "non-paged at DISPATCH_LEVEL");
        cr_assert_eq(IRQL_BOX_NEW(&Box, TAG_BOX), STATUS_SUCCESS);
        *IRQL_BOX_GET(&Box) = 42;
        cr_assert_eq(*IRQL_BOX_GET(&Box), 42);
        cr_assert_eq(PoolOf(IRQL_BOX_GET(&Box)), IrqlHostPoolNonPaged);
        cr_assert_eq(IRQL_BOX_FREE(&Box), STATUS_SUCCESS);
    }
    cr_assert_eq(Outstanding(TAG_BOX), Before);
}

Test(pool_box, explicit_nonpaged_at_passive)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    DEVICE_STATE State = {IRQL_BOX_INIT, IRQL_BOX_INIT};

    cr_assert_eq(LoadConfig(&State.Config), STATUS_SUCCESS);
    cr_assert_eq(IRQL_BOX_NEW(&State.Counter, TAG_BOX), STATUS_SUCCESS);
    cr_assert_eq(PoolOf(IRQL_BOX_GET(&State.Counter)), IrqlHostPoolNonPaged);
    cr_assert_eq(PoolOf(IRQL_BOX_GET(&State.Config)), IrqlHostPoolPaged);
    cr_assert_eq(IRQL_BOX_GET(&State.Config)->Timeout, 30);

    IRQL_RAISE(DISPATCH_LEVEL) {
        CountEvent(&State);
        CountEvent(&State);
    }
    cr_assert_eq(*IRQL_BOX_GET(&State.Counter), 2);
    cr_assert_eq(IRQL_BOX_FREE(&State.Counter), STATUS_SUCCESS);
    cr_assert_eq(IRQL_BOX_FREE(&State.Config), STATUS_SUCCESS);
}

Test(pool_box, into_inner_moves_out_and_frees)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    PAGED_CONFIG_BOX Box = {0};
    CONFIG Out = {0};
    SIZE_T Before = Outstanding(TAG_BOX);

    cr_assert_eq(IRQL_BOX_NEW(&Box, TAG_BOX), STATUS_SUCCESS);
    IRQL_BOX_GET(&Box)->Flags = 0x55;
    cr_assert_eq(IRQL_BOX_INTO_INNER(&Box, &Out), STATUS_SUCCESS);
    cr_assert_eq(Out.Flags, 0x55);
    cr_assert(IRQL_BOX_IS_EMPTY(&Box));
    cr_assert_eq(Outstanding(TAG_BOX), Before);
    Out.Flags = 1;
    cr_assert_eq(IRQL_BOX_INTO_INNER(&Box, &Out), STATUS_INVALID_PARAMETER, "empty");
    cr_assert_eq(Out.Flags, 1, "untouched");
}

Test(pool_box, leak_hands_out_memory_that_stays)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    static ULONG *Forever;
    NONPAGED_ULONG_BOX Box = {0};

    cr_assert_eq(IRQL_BOX_NEW(&Box, TAG_BOX), STATUS_SUCCESS);
    Forever = IRQL_BOX_LEAK(&Box);
    cr_assert(IRQL_BOX_IS_EMPTY(&Box));
    cr_assert_eq(IRQL_BOX_FREE(&Box), STATUS_SUCCESS, "the box no longer owns it");
    *Forever = 9;
    cr_assert_eq(PoolOf(Forever), IrqlHostPoolNonPaged, "still allocated");
    ExFreePoolWithTag(Forever, TAG_BOX); /* the test cleans up what a driver would not */
}

Test(pool_box, into_raw_and_from_raw_round_trip)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    PAGED_CONFIG_BOX Box = {0}, Again = {0};
    SIZE_T Before = Outstanding(TAG_BOX);

    cr_assert_eq(IRQL_BOX_NEW(&Box, TAG_BOX), STATUS_SUCCESS);
    IRQL_BOX_GET(&Box)->Timeout = 3;
    CONFIG *Raw = IRQL_BOX_INTO_RAW(&Box);
    cr_assert(IRQL_BOX_IS_EMPTY(&Box));
    cr_assert_eq(IRQL_BOX_FROM_RAW(&Again, Raw, TAG_BOX), STATUS_SUCCESS);
    cr_assert_eq(IRQL_BOX_GET(&Again)->Timeout, 3);
    cr_assert_eq(IRQL_BOX_FREE(&Again), STATUS_SUCCESS);
    cr_assert_eq(Outstanding(TAG_BOX), Before);
}

Test(pool_box, from_raw_refuses_the_other_pool_and_wrong_tags)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    IRQL_PAGED_BOX(ULONG) Paged = {0};
    NONPAGED_ULONG_BOX NonPaged = {0};
    ULONG OnStack = 0;

    cr_assert_eq(IRQL_BOX_NEW(&Paged, TAG_BOX), STATUS_SUCCESS);
    ULONG *Raw = IRQL_BOX_INTO_RAW(&Paged);
    /* A paged block in a non-paged box would let DISPATCH_LEVEL code touch paged memory. */
    cr_assert_eq(IRQL_BOX_FROM_RAW(&NonPaged, Raw, TAG_BOX), STATUS_IRQL_POOL_WRONG_POOL);
    cr_assert(IRQL_BOX_IS_EMPTY(&NonPaged));
    cr_assert_eq(IRQL_BOX_FROM_RAW(&Paged, Raw, TAG_OTHER), STATUS_IRQL_POOL_TAG_MISMATCH);
    cr_assert_eq(IRQL_BOX_FROM_RAW(&Paged, &OnStack, TAG_BOX), STATUS_IRQL_POOL_WRONG_POOL);
    cr_assert_eq(IRQL_BOX_FROM_RAW(&Paged, Raw + 1, TAG_BOX), STATUS_IRQL_POOL_WRONG_POOL,
                 "not the start of the block");
    cr_assert_eq(IRQL_BOX_FROM_RAW(&Paged, NULL, TAG_BOX), STATUS_INVALID_PARAMETER);
    cr_assert(IRQL_BOX_IS_EMPTY(&Paged));
    cr_assert_eq(IRQL_BOX_FROM_RAW(&Paged, Raw, TAG_BOX), STATUS_SUCCESS);
    cr_assert_eq(IRQL_BOX_FREE(&Paged), STATUS_SUCCESS);
}

Test(pool_box, allocation_failure_is_a_status_and_leaks_nothing)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    PAGED_CONFIG_BOX Box = {0};
    SIZE_T Before = Outstanding(TAG_BOX);

    IrqlHostInjectPoolFailure(1, TAG_BOX);
    cr_assert_eq(IRQL_BOX_NEW(&Box, TAG_BOX), STATUS_INSUFFICIENT_RESOURCES);
    cr_assert(IRQL_BOX_IS_EMPTY(&Box));
    cr_assert_eq(Outstanding(TAG_BOX), Before);
    cr_assert_eq(IRQL_BOX_FREE(&Box), STATUS_SUCCESS);
    IrqlHostClearPoolFaultInjection();

    /* Every outcome of a random failure pattern: a status, never a crash, never a leak. */
    IrqlHostInjectPoolFailureRate(50, 1234, TAG_BOX);
    for (int Round = 0; Round < 200; Round++) {
        NTSTATUS Status = IRQL_BOX_NEW(&Box, TAG_BOX);
        cr_assert(Status == STATUS_SUCCESS || Status == STATUS_INSUFFICIENT_RESOURCES);
        cr_assert_eq(IRQL_BOX_IS_EMPTY(&Box), !NT_SUCCESS(Status));
        cr_assert_eq(IRQL_BOX_FREE(&Box), STATUS_SUCCESS);
    }
    IrqlHostClearPoolFaultInjection();
    cr_assert_eq(Outstanding(TAG_BOX), Before);
}

Test(pool_box, invalid_tags_are_refused_at_run_time)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    PAGED_CONFIG_BOX Box = {0};
    static const ULONG Bad[] = {0, 0x1F414141UL, 0x41004141UL, 0x7F414141UL, 0x41414180UL};
    for (size_t Index = 0; Index < ARRAYSIZE(Bad); Index++) {
        volatile ULONG Tag = Bad[Index]; /* not a constant: checked at run time only */
        cr_assert_eq(IRQL_BOX_NEW(&Box, Tag), STATUS_IRQL_POOL_TAG_INVALID, "tag 0x%08lX",
                     (unsigned long)Bad[Index]);
        cr_assert(IRQL_BOX_IS_EMPTY(&Box));
    }
    volatile ULONG Short = 0x4142UL; /* "BA": two characters, then zero bytes */
    cr_assert_eq(IRQL_BOX_NEW(&Box, Short), STATUS_SUCCESS);
    cr_assert_eq(IRQL_BOX_FREE(&Box), STATUS_SUCCESS);
}

/* The run-time rule behind the compile-time one, reached by calling the routine the macros
   expand to at an IRQL the macro would not have compiled at. */
Test(pool_box, run_time_irql_rule_returns_a_status)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    PAGED_CONFIG_BOX Box = {0};
    NONPAGED_ULONG_BOX Small = {0};
    KIRQL Old;

    cr_assert_eq(IRQL_BOX_NEW(&Box, TAG_BOX), STATUS_SUCCESS);
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    NTSTATUS New = irql__box_new(&Small.irql__hdr, sizeof(ULONG), TAG_BOX, IRQL_POOL_PAGED);
    NTSTATUS Free = irql__box_free(&Box.irql__hdr, NULL, 0, IRQL_POOL_PAGED);
    KeLowerIrql(Old);
    cr_assert_eq(New, STATUS_IRQL_POOL_IRQL_TOO_HIGH);
    cr_assert_eq(Free, STATUS_IRQL_POOL_IRQL_TOO_HIGH);
    cr_assert_not(IRQL_BOX_IS_EMPTY(&Box), "nothing freed");

    KeRaiseIrql(HIGH_LEVEL, &Old);
    New = irql__box_new(&Small.irql__hdr, sizeof(ULONG), TAG_BOX, IRQL_POOL_NONPAGED);
    KeLowerIrql(Old);
    cr_assert_eq(New, STATUS_IRQL_POOL_IRQL_TOO_HIGH);
    cr_assert(IRQL_BOX_IS_EMPTY(&Small));
    cr_assert_eq(IRQL_BOX_FREE(&Box), STATUS_SUCCESS);
}

static VOID TouchAtDispatch(PVOID Context)
{
    volatile ULONG *P = (volatile ULONG *)Context;
    KIRQL Old;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    *P = 1; /* paged memory at DISPATCH_LEVEL: 0xA on the host kernel */
    KeLowerIrql(Old);
}

Test(pool_box, paged_box_touched_at_dispatch_through_into_raw_bugchecks_0a)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    IRQL_PAGED_BOX(ULONG) Box = {0};

    cr_assert_eq(IRQL_BOX_NEW(&Box, TAG_BOX), STATUS_SUCCESS);
    ULONG *Raw = IRQL_BOX_INTO_RAW(&Box); /* the compile-time check no longer applies */
    IRQL_HOST_BUGCHECK R =
        ExpectBugCheck(TouchAtDispatch, Raw, IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)Raw);
    cr_assert_eq(R.Parameter[1], DISPATCH_LEVEL, "P2 the IRQL");
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL);
    cr_assert_eq(*Raw, 0, "the write did not happen");
    cr_assert_eq(IRQL_BOX_FROM_RAW(&Box, Raw, TAG_BOX), STATUS_SUCCESS);
    cr_assert_eq(IRQL_BOX_FREE(&Box), STATUS_SUCCESS);
}

static VOID TouchNonPagedAtDispatch(PVOID Context)
{
    TouchAtDispatch(Context);
}

Test(pool_box, nonpaged_box_touched_at_dispatch_is_fine)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    NONPAGED_ULONG_BOX Box = {0};

    cr_assert_eq(IRQL_BOX_NEW(&Box, TAG_BOX), STATUS_SUCCESS);
    cr_assert_not(IrqlHostCatchBugCheck(TouchNonPagedAtDispatch, IRQL_BOX_GET(&Box), NULL));
    cr_assert_eq(*IRQL_BOX_GET(&Box), 1);
    cr_assert_eq(IRQL_BOX_FREE(&Box), STATUS_SUCCESS);
}
