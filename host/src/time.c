/* Time and processor queries: KeQuerySystemTime(Precise), KeQueryInterruptTime,
   KeQueryPerformanceCounter, KeGetCurrentProcessorNumber(Ex). */
#include "clock.h"
#include "dispatcher.h"

#include <sched.h>
#include <time.h>

/* Seconds from 1601-01-01 (the NT epoch) to 1970-01-01 (the Unix one). */
#define NT_EPOCH_OFFSET 11644473600LL
#define PERFORMANCE_FREQUENCY 10000000LL /* what current Windows reports on most machines */

LONGLONG IrqlpSystemTime(void)
{
    struct timespec Now;
    clock_gettime(CLOCK_REALTIME, &Now);
    return ((LONGLONG)Now.tv_sec + NT_EPOCH_OFFSET) * 10000000LL + (LONGLONG)Now.tv_nsec / 100;
}

VOID KeQuerySystemTime(PLARGE_INTEGER CurrentTime)
{
    CurrentTime->QuadPart = IrqlpSystemTime();
}

VOID KeQuerySystemTimePrecise(PLARGE_INTEGER CurrentTime)
{
    CurrentTime->QuadPart = IrqlpSystemTime();
}

ULONGLONG KeQueryInterruptTime(VOID)
{
    return IrqlpMonotonicNs() / 100;
}

LARGE_INTEGER KeQueryPerformanceCounter(PLARGE_INTEGER PerformanceFrequency)
{
    LARGE_INTEGER Counter;
    if (PerformanceFrequency != NULL) {
        PerformanceFrequency->QuadPart = PERFORMANCE_FREQUENCY;
    }
    Counter.QuadPart = (LONGLONG)(IrqlpMonotonicNs() / (1000000000ull / PERFORMANCE_FREQUENCY));
    return Counter;
}

ULONG KeGetCurrentProcessorNumberEx(PPROCESSOR_NUMBER ProcNumber)
{
    int Cpu = sched_getcpu();
    if (Cpu < 0) {
        Cpu = 0;
    }
    if (ProcNumber != NULL) {
        ProcNumber->Group = 0;
        ProcNumber->Number = (UCHAR)Cpu;
        ProcNumber->Reserved = 0;
    }
    return (ULONG)Cpu;
}

ULONG KeGetCurrentProcessorNumber(VOID)
{
    return KeGetCurrentProcessorNumberEx(NULL);
}
