/*
 * The self-test driver's report and thread helpers (selftest_support.c). Everything here runs
 * at PASSIVE_LEVEL.
 */
#ifndef IRQL_TESTS_KERNEL_SELFTEST_H
#define IRQL_TESTS_KERNEL_SELFTEST_H

#include <ntddk.h>

/* Open the result file \??\C:\irql_selftest.txt: anew (DriverEntry), or to append to it
   (Append: DriverUnload). */
VOID IrqlSelfTestStart(BOOLEAN Append);
/* Record one check: "ok Name", or "FAIL Name: <Format…>" when Passed is FALSE. */
VOID IrqlSelfTestCheck(PCSTR Name, BOOLEAN Passed, PCSTR Format, ...);
/* Record a check not run on this kernel, and why. */
VOID IrqlSelfTestSkip(PCSTR Name, PCSTR Why);
/* Record a fact about the kernel. */
VOID IrqlSelfTestNote(PCSTR Format, ...);
/* Write "IrqlSelfTest: <Phase>: <n> ok, <n> failed, <n> skipped" and close the file. */
VOID IrqlSelfTestFinish(PCSTR Phase);

/*
 * Make the inline KeGetCurrentThread (gs:[0x188] on x64) name this thread, on kernels where
 * it does not: Wine's emulated KPCR leaves it NULL in every thread, and the library identifies
 * lock owners by it. Reads the exported KeGetCurrentThread; does nothing where the inline read
 * already works (Windows). Call first in every thread the self-test runs on.
 */
VOID IrqlSelfTestAdoptThread(VOID);

/* Start a system thread running Routine(Context); *Thread receives the referenced object. */
NTSTATUS IrqlSelfTestStartThread(PKSTART_ROUTINE Routine, PVOID Context, PVOID *Thread);
/* Wait (at most 30 s) for a thread from IrqlSelfTestStartThread and drop the reference. */
NTSTATUS IrqlSelfTestJoinThread(PVOID Thread);
/* Run Count threads of Routine(Context) at once and wait for them all. */
NTSTATUS IrqlSelfTestRunThreads(PKSTART_ROUTINE Routine, PVOID Context, ULONG Count);
/* Run one thread of Routine(Context) and wait for it. */
NTSTATUS IrqlSelfTestRunThread(PKSTART_ROUTINE Routine, PVOID Context);

#endif
