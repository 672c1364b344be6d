/* Time and processor queries on the host kernel. */
#include "irql_test.h"

#include <irql/host.h>
#include <time.h>

Test(time, system_time_counts_100ns_since_1601)
{
    LARGE_INTEGER Now, Precise;
    LONGLONG Unix = (LONGLONG)time(NULL);
    KeQuerySystemTime(&Now);
    KeQuerySystemTimePrecise(&Precise);
    /* 11644473600 s separate 1601-01-01 from 1970-01-01. */
    LONGLONG Seconds = Now.QuadPart / 10000000 - 11644473600LL;
    cr_assert_geq(Seconds, Unix - 2);
    cr_assert_leq(Seconds, Unix + 2);
    cr_assert_geq(Precise.QuadPart, Now.QuadPart);
}

Test(time, interrupt_time_and_performance_counter_advance)
{
    LARGE_INTEGER Frequency, Before, After;
    ULONGLONG Start = KeQueryInterruptTime();
    LARGE_INTEGER Delay = {.QuadPart = -10 * 10000}; /* 10 ms */

    Before = KeQueryPerformanceCounter(&Frequency);
    cr_assert_eq(Frequency.QuadPart, 10000000, "10 MHz, as current Windows reports");
    KeDelayExecutionThread(KernelMode, FALSE, &Delay);
    After = KeQueryPerformanceCounter(NULL);
    cr_assert_geq(After.QuadPart - Before.QuadPart, 10 * 10000);
    cr_assert_geq(KeQueryInterruptTime() - Start, 10 * 10000);
}

static VOID QueryAtHigh(PVOID Context)
{
    LARGE_INTEGER *Out = Context;
    KeQuerySystemTime(&Out[0]);
    Out[1] = KeQueryPerformanceCounter(NULL);
    Out[2].QuadPart = (LONGLONG)KeQueryInterruptTime();
}

Test(time, queries_work_at_any_irql)
{
    LARGE_INTEGER Out[3] = {{.QuadPart = 0}};
    IrqlHostRunAtIrql(HIGH_LEVEL, QueryAtHigh, Out);
    cr_assert_gt(Out[0].QuadPart, 0);
    cr_assert_gt(Out[1].QuadPart, 0);
    cr_assert_gt(Out[2].QuadPart, 0);
}

Test(time, processor_number)
{
    PROCESSOR_NUMBER Number;
    ULONG Index = KeGetCurrentProcessorNumberEx(&Number);
    cr_assert_eq(Number.Group, 0);
    cr_assert_eq(Number.Number, Index);
    cr_assert_lt(KeGetCurrentProcessorNumber(), 4096);
}
