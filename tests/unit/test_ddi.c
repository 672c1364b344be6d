/*
 * irql/ddi.h's helpers run on the host kernel: IRQL_KeInitializeThreadedDpc,
 * IRQL_ExInitializeWorkItem and IrqlKeWaitMultiplePoll. Each callback starts with IRQL_ENTER, so
 * the run-time backstop also checks that the kernel runs it inside the range its role promises.
 * IRQL_KeSynchronizeExecution is compile-only (tests/compile): the host has no interrupt objects.
 */
#include "dispatcher_helpers.h"

#include <irql/ddi.h>

#include <stdatomic.h>
#include <string.h>

typedef struct _SEEN {
    atomic_int Runs;
    PVOID Context;
    KIRQL Irql;
} SEEN;

static void Record(SEEN *S, PVOID Context)
{
    S->Context = Context;
    S->Irql = KeGetCurrentIrql();
    atomic_fetch_add(&S->Runs, 1);
}

/* ---- IRQL_KeInitializeThreadedDpc ------------------------------------------------------ */

static SEEN ThreadedSeen;

IRQL_ROLE(OnThreaded, KDEFERRED_ROUTINE_THREADED)
static KDEFERRED_ROUTINE OnThreaded;

static VOID OnThreaded(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2)
{
    IRQL_ENTER(OnThreaded);
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Argument1);
    UNREFERENCED_PARAMETER(Argument2);
    Record(&ThreadedSeen, Context);
}

Test(ddi, threaded_dpc_helper_initialises_a_threaded_dpc_that_runs)
{
    KDPC Dpc;

    IRQL_KeInitializeThreadedDpc(&Dpc, OnThreaded, &Dpc);
    cr_assert_eq(Dpc.Type, ThreadedDpcObject);
    cr_assert(Dpc.DeferredRoutine == OnThreaded);
    cr_assert_eq(Dpc.DeferredContext, (PVOID)&Dpc);
    cr_assert(KeInsertQueueDpc(&Dpc, NULL, NULL));
    KeFlushQueuedDpcs();
    cr_assert_eq(atomic_load(&ThreadedSeen.Runs), 1);
    cr_assert_eq(ThreadedSeen.Context, (PVOID)&Dpc);
    cr_assert_eq(ThreadedSeen.Irql, DISPATCH_LEVEL, "the host runs threaded DPCs as ordinary ones");
}

static VOID CallThreadedRoutine(PVOID Context)
{
    OnThreaded(NULL, Context, NULL, NULL);
}

Test(ddi, threaded_dpc_role_admits_passive_and_dispatch_level)
{
    /* What Windows does with threaded DPCs enabled (PASSIVE_LEVEL) and disabled (DISPATCH_LEVEL):
       the routine's IRQL_ENTER accepts both. */
    IrqlHostRunAtIrql(PASSIVE_LEVEL, CallThreadedRoutine, &ThreadedSeen);
    cr_assert_eq(ThreadedSeen.Irql, PASSIVE_LEVEL);
    IrqlHostRunAtIrql(DISPATCH_LEVEL, CallThreadedRoutine, &ThreadedSeen);
    cr_assert_eq(ThreadedSeen.Irql, DISPATCH_LEVEL);
    cr_assert_eq(atomic_load(&ThreadedSeen.Runs), 2);
}

/* ---- IRQL_ExInitializeWorkItem ------------------------------------------------------------ */

static SEEN WorkSeen;

IRQL_ROLE(OnWork, WORKER_THREAD_ROUTINE)
static WORKER_THREAD_ROUTINE OnWork;

static VOID OnWork(PVOID Parameter)
{
    IRQL_ENTER(OnWork);
    Record(&WorkSeen, Parameter);
}

typedef struct _WORK_TEST {
    WORK_QUEUE_ITEM Items[2];
    int Next; /* the index argument, incremented in the helper's argument */
} WORK_TEST;

/* Unannotated: runs at whatever IRQL the test raised to; ExInitializeWorkItem is any level. */
static VOID InitializeItem(PVOID Context)
{
    WORK_TEST *T = Context;
    IRQL_ExInitializeWorkItem(&T->Items[T->Next++], OnWork, &WorkSeen);
}

static void ExpectInitialised(KIRQL Irql)
{
    WORK_TEST T;
    memset(&T, 0xA5, sizeof(T));
    T.Next = 0;
    IrqlHostRunAtIrql(Irql, InitializeItem, &T);
    cr_assert_eq(T.Next, 1, "each argument evaluated once");
    cr_assert(T.Items[0].WorkerRoutine == OnWork);
    cr_assert_eq(T.Items[0].Parameter, (PVOID)&WorkSeen);
    cr_assert_null(T.Items[0].List.Flink);
    cr_assert_eq(((const unsigned char *)&T.Items[1])[0], 0xA5, "the next item untouched");
}

Test(ddi, work_item_helper_initialises_the_item_at_any_irql)
{
    ExpectInitialised(PASSIVE_LEVEL);
    ExpectInitialised(DISPATCH_LEVEL);
    ExpectInitialised(HIGH_LEVEL);
}

Test(ddi, work_item_routine_runs_at_passive_level_on_a_system_thread)
{
    /* The host has no system worker threads (no ExQueueWorkItem): a system thread stands in for
       one, calling the item's routine at PASSIVE_LEVEL as the worker would. */
    WORK_TEST T = {.Next = 0};
    InitializeItem(&T);
    JoinThread(StartThread(T.Items[0].WorkerRoutine, T.Items[0].Parameter));
    cr_assert_eq(atomic_load(&WorkSeen.Runs), 1);
    cr_assert_eq(WorkSeen.Context, (PVOID)&WorkSeen);
    cr_assert_eq(WorkSeen.Irql, PASSIVE_LEVEL);
}

/* ---- IrqlKeWaitMultiplePoll ---------------------------------------------------------------- */

#define MANY 4 /* above THREAD_WAIT_OBJECTS: needs a KWAIT_BLOCK array */

typedef struct _POLL_TEST {
    KEVENT Notification, Synchronization;
    KMUTEX Mutex;
    KEVENT Many[MANY];
    KWAIT_BLOCK Blocks[MANY];
} POLL_TEST;

static POLL_TEST Poll;

/* Every poll runs here, at DISPATCH_LEVEL: IRQL_ENTER checks that it really is. */
IRQL_AT(PollAtDispatch, DISPATCH_LEVEL)
static VOID PollAtDispatch(PVOID Context)
{
    IRQL_ENTER(PollAtDispatch);
    POLL_TEST *P = Context;
    PVOID Pair[2] = {&P->Notification, &P->Synchronization};
    PVOID WithMutex[2] = {&P->Notification, &P->Mutex};
    PVOID Many[MANY];

    for (int i = 0; i < MANY; i++) {
        Many[i] = &P->Many[i];
    }

    /* Nothing signalled: no wait, STATUS_TIMEOUT. */
    cr_assert_eq(IRQL_CALL(IrqlKeWaitMultiplePoll)(2, Pair, WaitAny, NULL), STATUS_TIMEOUT);
    cr_assert_eq(IRQL_CALL(IrqlKeWaitMultiplePoll)(2, Pair, WaitAll, NULL), STATUS_TIMEOUT);

    /* WaitAny: the index of the signalled object; a synchronization event is reset by it. */
    IRQL_CALL(IrqlKeSetEventNoWait)(&P->Synchronization, 0);
    cr_assert_eq(IRQL_CALL(IrqlKeWaitMultiplePoll)(2, Pair, WaitAny, NULL), STATUS_WAIT_0 + 1);
    cr_assert_eq(IRQL_CALL(IrqlKeWaitMultiplePoll)(2, Pair, WaitAny, NULL), STATUS_TIMEOUT);

    /* WaitAll: only when every object is signalled. */
    IRQL_CALL(IrqlKeSetEventNoWait)(&P->Notification, 0);
    cr_assert_eq(IRQL_CALL(IrqlKeWaitMultiplePoll)(2, Pair, WaitAll, NULL), STATUS_TIMEOUT);
    IRQL_CALL(IrqlKeSetEventNoWait)(&P->Synchronization, 0);
    cr_assert_eq(IRQL_CALL(IrqlKeWaitMultiplePoll)(2, Pair, WaitAll, NULL), STATUS_SUCCESS);
    cr_assert_eq(IRQL_CALL(KeReadStateEvent)(&P->Synchronization), 0, "reset by the wait");
    cr_assert_neq(IRQL_CALL(KeReadStateEvent)(&P->Notification), 0, "stays signalled");

    /* A KMUTEX is acquired by the poll, and released at the same IRQL. */
    cr_assert_eq(IRQL_CALL(IrqlKeWaitMultiplePoll)(2, WithMutex, WaitAll, NULL), STATUS_SUCCESS);
    cr_assert_eq(IRQL_CALL(KeReadStateMutex)(&P->Mutex), 0, "held");
    IRQL_CALL(KeReleaseMutex)(&P->Mutex, FALSE);
    cr_assert_eq(IRQL_CALL(KeReadStateMutex)(&P->Mutex), 1, "released");

    /* More than THREAD_WAIT_OBJECTS objects, with a wait-block array. */
    cr_assert_eq(IRQL_CALL(IrqlKeWaitMultiplePoll)(MANY, Many, WaitAny, P->Blocks),
                 STATUS_TIMEOUT);
    IRQL_CALL(IrqlKeSetEventNoWait)(&P->Many[MANY - 1], 0);
    cr_assert_eq(IRQL_CALL(IrqlKeWaitMultiplePoll)(MANY, Many, WaitAny, P->Blocks),
                 STATUS_WAIT_0 + MANY - 1);
}

static void InitializePoll(void)
{
    KeInitializeEvent(&Poll.Notification, NotificationEvent, FALSE);
    KeInitializeEvent(&Poll.Synchronization, SynchronizationEvent, FALSE);
    KeInitializeMutex(&Poll.Mutex, 0);
    for (int i = 0; i < MANY; i++) {
        KeInitializeEvent(&Poll.Many[i], NotificationEvent, FALSE);
    }
}

Test(ddi, wait_multiple_poll_tests_the_objects_at_dispatch_level_without_waiting)
{
    InitializePoll();
    IrqlHostRunAtIrql(DISPATCH_LEVEL, PollAtDispatch, &Poll);
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

IRQL_AT(PollManyWithoutBlocks, DISPATCH_LEVEL)
static VOID PollManyWithoutBlocks(PVOID Context)
{
    IRQL_ENTER(PollManyWithoutBlocks);
    POLL_TEST *P = Context;
    PVOID Many[MANY];
    for (int i = 0; i < MANY; i++) {
        Many[i] = &P->Many[i];
    }
    (void)IRQL_CALL(IrqlKeWaitMultiplePoll)(MANY, Many, WaitAny, NULL);
}

Test(ddi, wait_multiple_poll_leaves_the_kernel_checks_in_place)
{
    /* The wrapper fixes the timeout only: more than THREAD_WAIT_OBJECTS objects without a
       wait-block array is still the kernel's bug check 0xC. */
    InitializePoll();
    ExpectBugCheckAt(DISPATCH_LEVEL, PollManyWithoutBlocks, &Poll, MAXIMUM_WAIT_OBJECTS_EXCEEDED,
                     0);
}
