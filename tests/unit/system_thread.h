/*
 * system_thread.h — system threads a test starts and joins. Every wait has a limit, after
 * which the test fails instead of hanging.
 */
#ifndef IRQL_TEST_SYSTEM_THREAD_H
#define IRQL_TEST_SYSTEM_THREAD_H

#include "irql_test.h"

#include <wdm.h>

/* A relative timeout of Ms milliseconds, in the kernel's 100 ns units. */
static inline LARGE_INTEGER TestTimeout(LONG Ms)
{
    LARGE_INTEGER Timeout;
    Timeout.QuadPart = -10000LL * Ms;
    return Timeout;
}

/* Start Routine(Context) on a system thread; returns its thread object, referenced. */
static inline PVOID StartThread(PKSTART_ROUTINE Routine, PVOID Context)
{
    HANDLE Handle;
    PVOID Thread;
    NTSTATUS Status = PsCreateSystemThread(&Handle, THREAD_ALL_ACCESS, NULL, NULL, NULL, Routine,
                                           Context);
    cr_assert_eq(Status, STATUS_SUCCESS, "PsCreateSystemThread: 0x%08X", (unsigned)Status);
    cr_assert_eq(ObReferenceObjectByHandle(Handle, SYNCHRONIZE, *PsThreadType, KernelMode,
                                           &Thread, NULL),
                 STATUS_SUCCESS);
    cr_assert_eq(ZwClose(Handle), STATUS_SUCCESS);
    return Thread;
}

/* TRUE once Thread has ended, waiting at most Ms. */
static inline BOOLEAN ThreadEnded(PVOID Thread, LONG Ms)
{
    LARGE_INTEGER Timeout = TestTimeout(Ms);
    return KeWaitForSingleObject(Thread, Executive, KernelMode, FALSE, &Timeout) ==
           STATUS_SUCCESS;
}

/* Wait at most Ms for Thread to end, then drop the reference StartThread took. */
static inline void JoinThreadWithin(PVOID Thread, LONG Ms)
{
    cr_assert(ThreadEnded(Thread, Ms), "the thread did not end within %ld ms", (long)Ms);
    ObDereferenceObject(Thread);
}

#endif
