/*
 * The demo: load IrqlCounter on the host kernel, let its threads and DPC run, unload it with
 * Driver Verifier's unload checks, and say what happened.
 */
#include <irql/host.h>

#include <stdio.h>

#include "counter_driver.h"

static VOID PrintDriverLine(PCSTR Text, PVOID Context)
{
    (void)Context;
    printf("    DbgPrint  %s", Text);
}

int main(void)
{
    PDRIVER_OBJECT Driver;
    IRQL_HOST_POOL_STATS Pool;
    NTSTATUS Status;

    setvbuf(stdout, NULL, _IOLBF, 0);
    IrqlHostSetPrintSink(PrintDriverLine, NULL);

    printf("== IrqlCounter on the irql host kernel ==\n");
    printf("1. IrqlHostLoadDriver: DriverEntry runs at PASSIVE_LEVEL on a system thread\n");
    Status = IrqlHostLoadDriver(DriverEntry, u"IrqlCounter", &Driver);
    if (!NT_SUCCESS(Status)) {
        printf("   DriverEntry failed: 0x%08lX\n", (unsigned long)(ULONG)Status);
        return 1;
    }
    IrqlHostQueryPoolStats(IrqlHostPoolAny, 'tnCI', &Pool);
    printf("   loaded: %d threads running, %zu pool allocation(s) tagged 'ICnt' (a paged box, a KMUTEX)\n",
           COUNTER_WORKERS, (size_t)Pool.Count);

    printf("2. IrqlHostUnloadDriver: DriverUnload waits for the threads and the DPC, reports\n");
    Status = IrqlHostUnloadDriver(Driver);
    if (!NT_SUCCESS(Status)) {
        printf("   unload failed: 0x%08lX\n", (unsigned long)(ULONG)Status);
        return 1;
    }
    IrqlHostQueryPoolStats(IrqlHostPoolAny, 'tnCI', &Pool);
    printf("3. Unload checks passed: no pool leaked (%zu outstanding, peak %zu), no system thread "
           "or DPC left behind, no lock held by the unload thread\n",
           (size_t)Pool.Count, (size_t)Pool.PeakCount);
    return 0;
}
