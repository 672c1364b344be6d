/* Test helpers for threads and waits: every wait here has a limit, so no test can hang. */
#ifndef IRQL_TEST_DISPATCHER_HELPERS_H
#define IRQL_TEST_DISPATCHER_HELPERS_H

#include "bugcheck_expect.h"

/* A relative timeout of Ms milliseconds, in the WDK's 100 ns units. */
#define RELATIVE_MS(Ms) (-(LONGLONG)(Ms) * 10000)

typedef struct _AT_IRQL {
    KIRQL Irql;
    PIRQL_HOST_ROUTINE Routine;
    PVOID Context;
} AT_IRQL;

static inline VOID RunAtIrqlThunk(PVOID Context)
{
    AT_IRQL *At = Context;
    IrqlHostRunAtIrql(At->Irql, At->Routine, At->Context);
}

/* ExpectBugCheck for Routine(Context) run at Irql. */
static inline IRQL_HOST_BUGCHECK ExpectBugCheckAt(KIRQL Irql, PIRQL_HOST_ROUTINE Routine,
                                                  PVOID Context, ULONG Code, ULONG_PTR P1)
{
    AT_IRQL At = {Irql, Routine, Context};
    return ExpectBugCheck(RunAtIrqlThunk, &At, Code, P1);
}

/* Start Routine(Context) on a system thread; returns its thread object, referenced. */
static inline PKTHREAD StartThread(PKSTART_ROUTINE Routine, PVOID Context)
{
    HANDLE Handle;
    PVOID Object;
    cr_assert_eq(PsCreateSystemThread(&Handle, THREAD_ALL_ACCESS, NULL, NULL, NULL, Routine,
                                      Context),
                 STATUS_SUCCESS);
    cr_assert_eq(ObReferenceObjectByHandle(Handle, SYNCHRONIZE, *PsThreadType, KernelMode,
                                           &Object, NULL),
                 STATUS_SUCCESS);
    cr_assert_eq(ZwClose(Handle), STATUS_SUCCESS);
    return Object;
}

/* Wait (at most 5 s) for Thread to end, then drop the reference StartThread took. */
static inline void JoinThread(PKTHREAD Thread)
{
    LARGE_INTEGER Timeout = {.QuadPart = RELATIVE_MS(5000)};
    cr_assert_eq(KeWaitForSingleObject(Thread, Executive, KernelMode, FALSE, &Timeout),
                 STATUS_SUCCESS, "the thread did not end within 5 s");
    ObDereferenceObject(Thread);
}

/* Wait (at most 5 s) until exactly Count threads are blocked on Object. */
static inline void AwaitWaiters(PVOID Object, ULONG Count)
{
    LARGE_INTEGER Tick = {.QuadPart = RELATIVE_MS(1)};
    for (int i = 0; i < 5000 && IrqlHostWaiterCount(Object) != Count; i++) {
        KeDelayExecutionThread(KernelMode, FALSE, &Tick);
    }
    cr_assert_eq(IrqlHostWaiterCount(Object), Count, "expected %lu waiter(s), found %lu",
                 (unsigned long)Count, (unsigned long)IrqlHostWaiterCount(Object));
}

#endif
