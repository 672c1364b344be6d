/* Test helpers for threads and waits: every wait here has a limit, so no test can hang. */
#ifndef IRQL_TEST_DISPATCHER_HELPERS_H
#define IRQL_TEST_DISPATCHER_HELPERS_H

#include "bugcheck_expect.h"
#include "system_thread.h"

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

/* Wait (at most 5 s) for a thread StartThread started, then release it. */
static inline void JoinThread(PVOID Thread)
{
    JoinThreadWithin(Thread, 5000);
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
