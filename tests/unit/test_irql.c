/* Per-thread IRQL on the host kernel: raise/lower rules, their bug checks, catching. */
#include "bugcheck_expect.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>

Test(irql, starts_at_passive_and_raises_and_lowers)
{
    KIRQL Old;
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KeRaiseIrql(APC_LEVEL, &Old);
    cr_assert_eq(Old, PASSIVE_LEVEL);
    cr_assert_eq(KeGetCurrentIrql(), APC_LEVEL);
    KIRQL Older;
    KeRaiseIrql(DISPATCH_LEVEL, &Older);
    cr_assert_eq(Older, APC_LEVEL);
    KeRaiseIrql(DISPATCH_LEVEL, &Older); /* raising to the current level is allowed */
    cr_assert_eq(Older, DISPATCH_LEVEL);
    KeLowerIrql(APC_LEVEL);
    cr_assert_eq(KeGetCurrentIrql(), APC_LEVEL);
    KeLowerIrql(Old);
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

Test(irql, raise_to_dpc_level)
{
    KIRQL Old = KeRaiseIrqlToDpcLevel();
    cr_assert_eq(Old, PASSIVE_LEVEL);
    cr_assert_eq(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(Old);
}

static void RaiseBelowCurrent(PVOID Context)
{
    KIRQL Old;
    (void)Context;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    KeRaiseIrql(APC_LEVEL, &Old);
}

Test(irql, raise_to_lower_level_bugchecks_c4_30)
{
    IRQL_HOST_BUGCHECK R =
        ExpectBugCheck(RaiseBelowCurrent, NULL, DRIVER_VERIFIER_DETECTED_VIOLATION, 0x30);
    cr_assert_eq(R.Parameter[1], DISPATCH_LEVEL, "P2 is the current IRQL");
    cr_assert_eq(R.Parameter[2], APC_LEVEL, "P3 is the requested IRQL");
    cr_assert_eq(R.Irql, DISPATCH_LEVEL);
    cr_assert_str_eq(R.CodeName, "DRIVER_VERIFIER_DETECTED_VIOLATION");
    cr_assert(strstr(R.Message, "KeRaiseIrql(APC_LEVEL) while at DISPATCH_LEVEL") != NULL, "%s",
              R.Message);
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL, "the catch frame restores the IRQL");
}

static void RaiseAboveHigh(PVOID Context)
{
    KIRQL Old;
    (void)Context;
    KeRaiseIrql((KIRQL)(HIGH_LEVEL + 1), &Old);
}

Test(irql, raise_above_high_level_bugchecks_c4_30)
{
    IRQL_HOST_BUGCHECK R =
        ExpectBugCheck(RaiseAboveHigh, NULL, DRIVER_VERIFIER_DETECTED_VIOLATION, 0x30);
    cr_assert_eq(R.Parameter[2], HIGH_LEVEL + 1);
}

static void RaiseToDpcAboveDispatch(PVOID Context)
{
    KIRQL Old;
    (void)Context;
    KeRaiseIrql(HIGH_LEVEL, &Old);
    (void)KeRaiseIrqlToDpcLevel();
}

Test(irql, raise_to_dpc_level_above_dispatch_bugchecks_c4_30)
{
    IRQL_HOST_BUGCHECK R =
        ExpectBugCheck(RaiseToDpcAboveDispatch, NULL, DRIVER_VERIFIER_DETECTED_VIOLATION, 0x30);
    cr_assert_eq(R.Parameter[1], HIGH_LEVEL);
    cr_assert_eq(R.Parameter[2], DISPATCH_LEVEL);
}

static void LowerAboveCurrent(PVOID Context)
{
    KIRQL Old;
    (void)Context;
    KeRaiseIrql(APC_LEVEL, &Old);
    KeLowerIrql(DISPATCH_LEVEL);
}

Test(irql, lower_to_higher_level_bugchecks_c4_31)
{
    IRQL_HOST_BUGCHECK R =
        ExpectBugCheck(LowerAboveCurrent, NULL, DRIVER_VERIFIER_DETECTED_VIOLATION, 0x31);
    cr_assert_eq(R.Parameter[1], APC_LEVEL, "P2 is the current IRQL");
    cr_assert_eq(R.Parameter[2], DISPATCH_LEVEL, "P3 is the requested IRQL");
}

static void *ThreadIrql(void *Arg)
{
    (void)Arg;
    return (void *)(ULONG_PTR)KeGetCurrentIrql();
}

Test(irql, is_per_thread)
{
    KIRQL Old;
    pthread_t T;
    void *Seen;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    cr_assert_eq(pthread_create(&T, NULL, ThreadIrql, NULL), 0);
    cr_assert_eq(pthread_join(T, &Seen), 0);
    cr_assert_eq((ULONG_PTR)Seen, PASSIVE_LEVEL, "another thread starts at PASSIVE_LEVEL");
    cr_assert_eq(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(Old);
}

static void AtIrql(PVOID Context)
{
    *(KIRQL *)Context = KeGetCurrentIrql();
}

Test(irql, run_at_irql)
{
    KIRQL Seen = 0xFF;
    IrqlHostRunAtIrql(DISPATCH_LEVEL, AtIrql, &Seen);
    cr_assert_eq(Seen, DISPATCH_LEVEL);
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

/* Bug checks: the report, the handler, nesting. */

static int HandlerCalls;
static ULONG HandlerCode;

static VOID CountingHandler(const IRQL_HOST_BUGCHECK *Report, PVOID Context)
{
    HandlerCalls++;
    HandlerCode = Report->Code;
    cr_assert_eq(Context, &HandlerCalls);
}

static void ManualCrash(PVOID Context)
{
    (void)Context;
    KeBugCheckEx(MANUALLY_INITIATED_CRASH, 1, 2, 3, 4);
}

Test(bugcheck, handler_sees_every_bugcheck_then_catch_unwinds)
{
    IRQL_HOST_BUGCHECK R;
    cr_assert_null(IrqlHostSetBugCheckHandler(CountingHandler, &HandlerCalls));
    cr_assert(IrqlHostCatchBugCheck(ManualCrash, NULL, &R));
    cr_assert_eq(HandlerCalls, 1);
    cr_assert_eq(HandlerCode, MANUALLY_INITIATED_CRASH);
    cr_assert_eq(R.Parameter[0], 1);
    cr_assert_eq(R.Parameter[1], 2);
    cr_assert_eq(R.Parameter[2], 3);
    cr_assert_eq(R.Parameter[3], 4);
    cr_assert_neq(R.ThreadId, 0);
    cr_assert_eq(IrqlHostSetBugCheckHandler(NULL, NULL), CountingHandler);
}

static void Nothing(PVOID Context)
{
    *(int *)Context = 1;
}

Test(bugcheck, catch_returns_false_when_nothing_happens)
{
    int Ran = 0;
    cr_assert_not(IrqlHostCatchBugCheck(Nothing, &Ran, NULL));
    cr_assert_eq(Ran, 1);
}

static void InnerCatch(PVOID Context)
{
    IRQL_HOST_BUGCHECK R;
    cr_assert(IrqlHostCatchBugCheck(RaiseBelowCurrent, NULL, &R));
    *(int *)Context = 1;
    KeBugCheck(MANUALLY_INITIATED_CRASH);
}

Test(bugcheck, catch_frames_nest)
{
    int InnerDone = 0;
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(InnerCatch, &InnerDone, MANUALLY_INITIATED_CRASH, 0);
    cr_assert_eq(InnerDone, 1);
    (void)R;
}

Test(bugcheck, uncaught_bugcheck_aborts_with_a_report, .signal = SIGABRT)
{
    KIRQL Old;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    KeLowerIrql(HIGH_LEVEL);
}

static void FailedAssert(PVOID Context)
{
    (void)Context;
    RtlAssert((PVOID) "x == 1", (PVOID)__FILE__, 42, NULL);
}

Test(bugcheck, rtl_assert_is_a_breakpoint_nobody_handles)
{
    IRQL_HOST_BUGCHECK R =
        ExpectBugCheck(FailedAssert, NULL, KMODE_EXCEPTION_NOT_HANDLED, 0x80000003UL);
    cr_assert(strstr(R.Message, "ASSERT(x == 1) failed") != NULL, "%s", R.Message);
}

Test(bugcheck, names)
{
    cr_assert_str_eq(IrqlHostBugCheckName(IRQL_NOT_LESS_OR_EQUAL), "IRQL_NOT_LESS_OR_EQUAL");
    cr_assert_str_eq(IrqlHostBugCheckName(0x12345678), "UNKNOWN");
    cr_assert_str_eq(IrqlHostLevelName(DISPATCH_LEVEL), "DISPATCH_LEVEL");
    cr_assert_str_eq(IrqlHostLevelName(HIGH_LEVEL), "HIGH_LEVEL");
    cr_assert_null(IrqlHostLevelName(3));
}

Test(types, have_windows_sizes)
{
    cr_assert_eq(sizeof(UCHAR), 1);
    cr_assert_eq(sizeof(USHORT), 2);
    cr_assert_eq(sizeof(ULONG), 4, "ULONG is 32-bit, as on Windows");
    cr_assert_eq(sizeof(LONG), 4);
    cr_assert_eq(sizeof(LONG64), 8);
    cr_assert_eq(sizeof(ULONG_PTR), sizeof(void *));
    cr_assert_eq(sizeof(SIZE_T), sizeof(void *));
    cr_assert_eq(sizeof(BOOLEAN), 1);
    cr_assert_eq(sizeof(KIRQL), 1);
    cr_assert_eq(sizeof(NTSTATUS), 4);
    cr_assert_eq(sizeof(LARGE_INTEGER), 8);
    cr_assert_eq(sizeof(WCHAR), 2);
    cr_assert(NT_SUCCESS(STATUS_SUCCESS));
    cr_assert(NT_SUCCESS(STATUS_TIMEOUT));
    cr_assert_not(NT_SUCCESS(STATUS_UNSUCCESSFUL));
}

Test(types, level_values_match_the_target)
{
#ifdef IRQL_HOST_X86_LEVELS
    cr_assert_eq(HIGH_LEVEL, 31);
    cr_assert_eq(PROFILE_LEVEL, 27);
    cr_assert_eq(CLOCK_LEVEL, 28);
    cr_assert_eq(IPI_LEVEL, 29);
    cr_assert_eq(POWER_LEVEL, 30);
#else
    cr_assert_eq(HIGH_LEVEL, 15);
    cr_assert_eq(CLOCK_LEVEL, 13);
    cr_assert_eq(IPI_LEVEL, 14);
#endif
    cr_assert_eq(DISPATCH_LEVEL, 2);
    cr_assert_eq(APC_LEVEL, 1);
    cr_assert_eq(PASSIVE_LEVEL, 0);
}
