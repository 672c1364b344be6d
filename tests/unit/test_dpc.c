/*
 * DPCs on the host kernel: KeInitializeDpc / KeInsertQueueDpc / KeRemoveQueueDpc /
 * KeFlushQueuedDpcs, routines running at DISPATCH_LEVEL on the DPC thread, the checks made
 * when a routine returns, the paged-pool check inside a DPC, and the test hooks.
 */
#define _GNU_SOURCE /* nanosleep under -std=c11 */

#include "dispatcher_helpers.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#define TAG_D ((ULONG)'cpDT') /* "TDpc" */
#define DV DRIVER_VERIFIER_DETECTED_VIOLATION
#define FN(Routine) ((ULONG_PTR)(Routine))

static void Nap(long Microseconds)
{
    struct timespec Time = {0, Microseconds * 1000};
    nanosleep(&Time, NULL);
}

static double Seconds(void)
{
    struct timespec Now;
    clock_gettime(CLOCK_MONOTONIC, &Now);
    return (double)Now.tv_sec + (double)Now.tv_nsec / 1e9;
}

/* ---- A DPC that records how it ran ------------------------------------------------------ */

typedef struct _SEEN {
    atomic_int Runs;
    PKDPC Dpc;
    PVOID Context, Argument1, Argument2;
    KIRQL Irql;
    pthread_t Thread;
} SEEN;

static VOID Record(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2)
{
    SEEN *S = Context;
    S->Dpc = Dpc;
    S->Context = Context;
    S->Argument1 = Argument1;
    S->Argument2 = Argument2;
    S->Irql = KeGetCurrentIrql();
    S->Thread = pthread_self();
    atomic_fetch_add(&S->Runs, 1);
}

Test(dpc, routine_runs_at_dispatch_level_on_another_thread_with_its_arguments)
{
    static SEEN S;
    KDPC Dpc;

    KeInitializeDpc(&Dpc, Record, &S);
    cr_assert_eq(Dpc.Type, DpcObject);
    cr_assert_eq(Dpc.Importance, MediumImportance);
    cr_assert(KeInsertQueueDpc(&Dpc, (PVOID)0x1111, (PVOID)0x2222));
    KeFlushQueuedDpcs();
    cr_assert_eq(atomic_load(&S.Runs), 1);
    cr_assert_eq(S.Dpc, &Dpc);
    cr_assert_eq(S.Context, &S);
    cr_assert_eq(S.Argument1, (PVOID)0x1111);
    cr_assert_eq(S.Argument2, (PVOID)0x2222);
    cr_assert_eq(S.Irql, DISPATCH_LEVEL);
    cr_assert(!pthread_equal(S.Thread, pthread_self()), "on the DPC thread, not the caller");
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL);
    cr_assert_null(Dpc.DpcData, "no longer queued");
}

Test(dpc, one_dpc_thread_runs_them_all)
{
    static SEEN A, B;
    KDPC DpcA, DpcB;

    KeInitializeDpc(&DpcA, Record, &A);
    KeInitializeDpc(&DpcB, Record, &B);
    KeInsertQueueDpc(&DpcA, NULL, NULL);
    KeFlushQueuedDpcs();
    KeInsertQueueDpc(&DpcB, NULL, NULL);
    KeFlushQueuedDpcs();
    cr_assert(pthread_equal(A.Thread, B.Thread));
}

Test(dpc, threaded_dpc_runs_like_an_ordinary_one)
{
    static SEEN S;
    KDPC Dpc;

    KeInitializeThreadedDpc(&Dpc, Record, &S);
    cr_assert_eq(Dpc.Type, ThreadedDpcObject);
    cr_assert(KeInsertQueueDpc(&Dpc, NULL, (PVOID)7));
    KeFlushQueuedDpcs();
    cr_assert_eq(atomic_load(&S.Runs), 1);
    cr_assert_eq(S.Irql, DISPATCH_LEVEL, "threaded DPCs run at DISPATCH_LEVEL on the host");
    cr_assert_eq(S.Argument2, (PVOID)7);
}

static VOID InsertAtIrql(PVOID Context)
{
    cr_assert(KeInsertQueueDpc(Context, NULL, NULL));
}

Test(dpc, insert_is_allowed_at_any_irql)
{
    static SEEN S;
    KDPC Dpc;
    KIRQL Levels[] = {PASSIVE_LEVEL, APC_LEVEL, DISPATCH_LEVEL, CLOCK_LEVEL, HIGH_LEVEL};

    KeInitializeDpc(&Dpc, Record, &S);
    for (size_t i = 0; i < ARRAYSIZE(Levels); i++) {
        IrqlHostRunAtIrql(Levels[i], InsertAtIrql, &Dpc);
        KeFlushQueuedDpcs();
    }
    cr_assert_eq(atomic_load(&S.Runs), (int)ARRAYSIZE(Levels));
}

/* ---- Holding the DPC thread so that others stay queued ---------------------------------- */

typedef struct _BLOCKER {
    KDPC Dpc;
    atomic_bool Started;
    atomic_bool Release;
} BLOCKER;

/* Occupies the DPC thread until released (at most 5 s). */
static VOID Block(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2)
{
    BLOCKER *B = Context;
    double Until = Seconds() + 5;
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Argument1);
    UNREFERENCED_PARAMETER(Argument2);
    atomic_store(&B->Started, true);
    while (!atomic_load(&B->Release) && Seconds() < Until) {
        Nap(200);
    }
}

static void StartBlocker(BLOCKER *B)
{
    double Until = Seconds() + 5;
    atomic_store(&B->Started, false);
    atomic_store(&B->Release, false);
    KeInitializeDpc(&B->Dpc, Block, B);
    cr_assert(KeInsertQueueDpc(&B->Dpc, NULL, NULL));
    while (!atomic_load(&B->Started) && Seconds() < Until) {
        Nap(100);
    }
    cr_assert(atomic_load(&B->Started), "the blocking DPC did not start");
}

Test(dpc, insert_twice_returns_false_while_queued_and_keeps_the_first_arguments)
{
    static BLOCKER B;
    static SEEN S;
    KDPC Dpc;

    KeInitializeDpc(&Dpc, Record, &S);
    StartBlocker(&B);
    cr_assert(KeInsertQueueDpc(&Dpc, (PVOID)1, (PVOID)2));
    cr_assert_not_null(Dpc.DpcData, "queued");
    cr_assert_not(KeInsertQueueDpc(&Dpc, (PVOID)3, (PVOID)4), "already queued: FALSE");
    atomic_store(&B.Release, true);
    KeFlushQueuedDpcs();
    cr_assert_eq(atomic_load(&S.Runs), 1, "queued once, run once");
    cr_assert_eq(S.Argument1, (PVOID)1, "the second insert changed nothing");
    cr_assert_eq(S.Argument2, (PVOID)2);
    cr_assert(KeInsertQueueDpc(&Dpc, (PVOID)5, NULL), "once run, it may be queued again");
    KeFlushQueuedDpcs();
    cr_assert_eq(atomic_load(&S.Runs), 2);
    cr_assert_eq(S.Argument1, (PVOID)5);
}

Test(dpc, remove_takes_a_queued_dpc_off_the_queue)
{
    static BLOCKER B;
    static SEEN S;
    KDPC Dpc, Never;

    KeInitializeDpc(&Dpc, Record, &S);
    KeInitializeDpc(&Never, Record, &S);
    cr_assert_not(KeRemoveQueueDpc(&Never), "never queued: FALSE");
    StartBlocker(&B);
    cr_assert(KeInsertQueueDpc(&Dpc, NULL, NULL));
    cr_assert(KeRemoveQueueDpc(&Dpc), "queued: TRUE");
    cr_assert_null(Dpc.DpcData);
    cr_assert_not(KeRemoveQueueDpc(&Dpc), "already removed: FALSE");
    cr_assert_not(KeRemoveQueueDpc(&B.Dpc), "running, not queued: FALSE");
    atomic_store(&B.Release, true);
    KeFlushQueuedDpcs();
    cr_assert_eq(atomic_load(&S.Runs), 0, "a removed DPC does not run");
}

Test(dpc, remove_from_the_middle_of_the_queue_keeps_the_order_of_the_rest)
{
    static BLOCKER B;
    static SEEN S[3];
    KDPC Dpc[3];

    StartBlocker(&B);
    for (int i = 0; i < 3; i++) {
        KeInitializeDpc(&Dpc[i], Record, &S[i]);
        KeInsertQueueDpc(&Dpc[i], NULL, NULL);
    }
    cr_assert(KeRemoveQueueDpc(&Dpc[1]));
    cr_assert(KeRemoveQueueDpc(&Dpc[2]), "the tail");
    cr_assert(KeInsertQueueDpc(&Dpc[2], NULL, NULL), "queued again after the tail left");
    atomic_store(&B.Release, true);
    KeFlushQueuedDpcs();
    cr_assert_eq(atomic_load(&S[0].Runs), 1);
    cr_assert_eq(atomic_load(&S[1].Runs), 0);
    cr_assert_eq(atomic_load(&S[2].Runs), 1);
}

/* ---- Order and importance -------------------------------------------------------------- */

static atomic_int Sequence;

static VOID Number(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Argument2);
    ((int *)Context)[(ULONG_PTR)Argument1] = atomic_fetch_add(&Sequence, 1);
}

Test(dpc, fifo_order_and_high_importance_first)
{
    static BLOCKER B;
    static int Order[4];
    KDPC Dpc[4];
    PROCESSOR_NUMBER Processor = {0, 0, 0};

    StartBlocker(&B);
    for (ULONG_PTR i = 0; i < 4; i++) {
        KeInitializeDpc(&Dpc[i], Number, Order);
        KeSetTargetProcessorDpc(&Dpc[i], 0);
        cr_assert_eq(KeSetTargetProcessorDpcEx(&Dpc[i], &Processor), STATUS_SUCCESS);
    }
    KeSetImportanceDpc(&Dpc[3], HighImportance);
    KeSetImportanceDpc(&Dpc[2], LowImportance);
    for (ULONG_PTR i = 0; i < 4; i++) {
        cr_assert(KeInsertQueueDpc(&Dpc[i], (PVOID)i, NULL));
    }
    atomic_store(&B.Release, true);
    KeFlushQueuedDpcs();
    cr_assert_eq(Order[3], 0, "HighImportance runs first");
    cr_assert_eq(Order[0], 1);
    cr_assert_eq(Order[1], 2);
    cr_assert_eq(Order[2], 3, "Low and Medium queue at the tail, in order");
}

Test(dpc, target_processor_ex_rejects_what_the_host_does_not_have)
{
    KDPC Dpc;
    PROCESSOR_NUMBER OtherGroup = {1, 0, 0}, TooHigh = {0, 255, 0};
    KeInitializeDpc(&Dpc, Number, NULL);
    cr_assert_eq(KeSetTargetProcessorDpcEx(&Dpc, &OtherGroup), STATUS_INVALID_PARAMETER);
    cr_assert_eq(KeSetTargetProcessorDpcEx(&Dpc, &TooHigh), STATUS_INVALID_PARAMETER);
}

/* ---- Flushing and draining -------------------------------------------------------------- */

static atomic_bool SlowDone;

static VOID Slow(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Argument1);
    UNREFERENCED_PARAMETER(Argument2);
    Nap(50000); /* 50 ms of "work" at DISPATCH_LEVEL */
    atomic_store(&SlowDone, true);
}

Test(dpc, flush_waits_for_the_dpcs_queued_before_it)
{
    KDPC Dpc;
    KeFlushQueuedDpcs(); /* nothing queued: returns at once */
    KeInitializeDpc(&Dpc, Slow, NULL);
    KeInsertQueueDpc(&Dpc, NULL, NULL);
    KeFlushQueuedDpcs();
    cr_assert(atomic_load(&SlowDone), "flush returned before the DPC finished");
}

static VOID FlushAtDispatch(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeFlushQueuedDpcs();
}

Test(dpc, flush_above_passive_level_bugchecks_c4_e5)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheckAt(APC_LEVEL, FlushAtDispatch, NULL, DV, 0xE5);
    cr_assert_eq(R.Parameter[1], APC_LEVEL, "P2 the IRQL");
    cr_assert_eq(R.Parameter[3], PASSIVE_LEVEL, "P4 the highest IRQL allowed");
}

static atomic_bool SpinForever;

static VOID Spin(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2)
{
    double Until = Seconds() + 5;
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Argument1);
    UNREFERENCED_PARAMETER(Argument2);
    while (atomic_load(&SpinForever) && Seconds() < Until) {
        Nap(500);
    }
}

static VOID Flush(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeFlushQueuedDpcs();
}

Test(dpc, a_dpc_that_never_finishes_makes_flush_bugcheck_the_hang)
{
    KDPC Dpc;
    IRQL_HOST_BUGCHECK R;

    atomic_store(&SpinForever, true);
    KeInitializeDpc(&Dpc, Spin, NULL);
    KeInsertQueueDpc(&Dpc, NULL, NULL);
    IrqlHostSetHangLimit(200);
    R = ExpectBugCheck(Flush, NULL, IRQL_HOST_BUGCHECK_HANG, (ULONG_PTR)&Dpc);
    IrqlHostSetHangLimit(0);
    cr_assert_geq(R.Parameter[1], 200, "P2 the milliseconds waited");
    atomic_store(&SpinForever, false);
    IrqlHostDrainDpcs();
}

typedef struct _CHAIN {
    KDPC Dpc;
    atomic_int Left;
} CHAIN;

static VOID Requeue(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2)
{
    CHAIN *C = Context;
    UNREFERENCED_PARAMETER(Argument1);
    UNREFERENCED_PARAMETER(Argument2);
    if (atomic_fetch_sub(&C->Left, 1) > 1) {
        cr_assert(KeInsertQueueDpc(Dpc, NULL, NULL), "a DPC may queue itself again");
    }
}

Test(dpc, drain_waits_for_dpcs_that_dpcs_queue)
{
    static CHAIN C;
    atomic_store(&C.Left, 100);
    KeInitializeDpc(&C.Dpc, Requeue, &C);
    KeInsertQueueDpc(&C.Dpc, NULL, NULL);
    IrqlHostDrainDpcs();
    cr_assert_eq(atomic_load(&C.Left), 0);
    cr_assert_null(C.Dpc.DpcData);
}

/* ---- A DPC and threads sharing state under one spin lock ------------------------------- */

enum { WORKERS = 4, WORKER_ROUNDS = 5000, DPC_ROUNDS = 2000 };

static KSPIN_LOCK Shared;
static ULONG64 Total;       /* guarded by Shared */
static ULONG64 DpcAdds;     /* guarded by Shared */

typedef struct _LOCKED_CHAIN {
    KDPC Dpc;
    atomic_int Left;
} LOCKED_CHAIN;

static VOID AddUnderLock(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2)
{
    LOCKED_CHAIN *C = Context;
    UNREFERENCED_PARAMETER(Argument1);
    UNREFERENCED_PARAMETER(Argument2);
    KeAcquireSpinLockAtDpcLevel(&Shared);
    Total += 3;
    DpcAdds++;
    KeReleaseSpinLockFromDpcLevel(&Shared);
    if (atomic_fetch_sub(&C->Left, 1) > 1) {
        KeInsertQueueDpc(Dpc, NULL, NULL);
    }
}

static void *Worker(void *Unused)
{
    (void)Unused;
    for (int i = 0; i < WORKER_ROUNDS; i++) {
        KIRQL Old;
        KeAcquireSpinLock(&Shared, &Old);
        Total += 1;
        KeReleaseSpinLock(&Shared, Old);
    }
    return NULL;
}

Test(dpc, a_dpc_and_threads_share_state_under_a_spin_lock)
{
    static LOCKED_CHAIN C;
    pthread_t Threads[WORKERS];

    KeInitializeSpinLock(&Shared);
    atomic_store(&C.Left, DPC_ROUNDS);
    KeInitializeDpc(&C.Dpc, AddUnderLock, &C);
    KeInsertQueueDpc(&C.Dpc, NULL, NULL);
    for (int i = 0; i < WORKERS; i++) {
        cr_assert_eq(pthread_create(&Threads[i], NULL, Worker, NULL), 0);
    }
    for (int i = 0; i < WORKERS; i++) {
        pthread_join(Threads[i], NULL);
    }
    IrqlHostDrainDpcs();
    cr_assert_eq(DpcAdds, (ULONG64)DPC_ROUNDS);
    cr_assert_eq(Total, (ULONG64)WORKERS * WORKER_ROUNDS + 3ull * DPC_ROUNDS);
    cr_assert(KeTestSpinLock(&Shared), "released at the end");
}

/* ---- IrqlHostRunAsDpc ------------------------------------------------------------------- */

typedef struct _WHERE {
    KIRQL Irql;
    pthread_t Thread;
} WHERE;

static VOID Where(PVOID Context)
{
    WHERE *W = Context;
    W->Irql = KeGetCurrentIrql();
    W->Thread = pthread_self();
}

Test(dpc, run_as_dpc_runs_the_routine_at_dispatch_on_the_dpc_thread)
{
    static SEEN S;
    WHERE W;
    KDPC Dpc;

    KeInitializeDpc(&Dpc, Record, &S);
    KeInsertQueueDpc(&Dpc, NULL, NULL);
    KeFlushQueuedDpcs();
    cr_assert_not(IrqlHostRunAsDpc(Where, &W, NULL));
    cr_assert_eq(W.Irql, DISPATCH_LEVEL);
    cr_assert(pthread_equal(W.Thread, S.Thread), "the DPC thread");
}

static VOID RunAsDpcAtDispatch(PVOID Context)
{
    IrqlHostRunAsDpc(Where, Context, NULL);
}

Test(dpc, run_as_dpc_must_be_called_at_or_below_apc_level)
{
    WHERE W;
    ExpectBugCheckAt(DISPATCH_LEVEL, RunAsDpcAtDispatch, &W, DV, 0xE5);
}

/* ---- The checks made when a routine returns --------------------------------------------- */

static VOID ReturnRaised(PVOID Context)
{
    KIRQL Old;
    KeRaiseIrql(*(KIRQL *)Context, &Old);
}

static VOID ReturnLowered(PVOID Context)
{
    KeLowerIrql(*(KIRQL *)Context);
}

#define C8_P1(Current) (((ULONG_PTR)(Current) << 16) | ((ULONG_PTR)DISPATCH_LEVEL << 8) | 0xDC)

Test(dpc, returning_above_dispatch_level_bugchecks_c8)
{
    KIRQL To = HIGH_LEVEL;
    IRQL_HOST_BUGCHECK R;
    cr_assert(IrqlHostRunAsDpc(ReturnRaised, &To, &R));
    cr_assert_eq(R.Code, IRQL_UNEXPECTED_VALUE);
    cr_assert_str_eq(R.CodeName, "IRQL_UNEXPECTED_VALUE");
    cr_assert_eq(R.Parameter[0], C8_P1(HIGH_LEVEL));
    cr_assert(strstr(R.Message, "returned at HIGH_LEVEL") != NULL, "%s", R.Message);
}

Test(dpc, returning_below_dispatch_level_bugchecks_c8)
{
    KIRQL To = PASSIVE_LEVEL;
    IRQL_HOST_BUGCHECK R;
    cr_assert(IrqlHostRunAsDpc(ReturnLowered, &To, &R));
    cr_assert_eq(R.Code, IRQL_UNEXPECTED_VALUE);
    cr_assert_eq(R.Parameter[0], C8_P1(PASSIVE_LEVEL));
}

static KSPIN_LOCK Forgotten;

static VOID KeepSpinLock(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeAcquireSpinLockAtDpcLevel(&Forgotten);
}

Test(dpc, returning_holding_a_spin_lock_bugchecks_c4_40009)
{
    IRQL_HOST_BUGCHECK R;
    KeInitializeSpinLock(&Forgotten);
    cr_assert(IrqlHostRunAsDpc(KeepSpinLock, NULL, &R));
    cr_assert_eq(R.Code, DV);
    cr_assert_eq(R.Parameter[0], 0x40009, "DDI rule SpinLock");
    cr_assert(strstr((const char *)R.Parameter[1], "SpinLock") != NULL, "P2 the rule's text");
    cr_assert(strstr(R.Message, "holding 1 spin lock") != NULL, "%s", R.Message);
}

static KMUTEX Kept;

static VOID KeepKmutex(PVOID Context)
{
    LARGE_INTEGER Zero = {.QuadPart = 0};
    UNREFERENCED_PARAMETER(Context);
    cr_assert_eq(KeWaitForSingleObject(&Kept, Executive, KernelMode, FALSE, &Zero),
                 STATUS_SUCCESS);
}

Test(dpc, returning_holding_a_kmutex_bugchecks_c7_4)
{
    IRQL_HOST_BUGCHECK R;
    KeInitializeMutex(&Kept, 0);
    cr_assert(IrqlHostRunAsDpc(KeepKmutex, NULL, &R));
    cr_assert_eq(R.Code, TIMER_OR_DPC_INVALID);
    cr_assert_str_eq(R.CodeName, "TIMER_OR_DPC_INVALID");
    cr_assert_eq(R.Parameter[0], 4, "the APC-disable count changed in a DPC routine");
    cr_assert_eq(R.Parameter[2], 0, "P3 the count before");
    cr_assert_eq(R.Parameter[3], 0xFFFF, "P4 after: KernelApcDisable -1");
    /* The DPC thread that held it ended: the mutex was abandoned, and can be had again. */
    cr_assert_eq(KeWaitForSingleObject(&Kept, Executive, KernelMode, FALSE, NULL),
                 STATUS_ABANDONED);
    KeReleaseMutex(&Kept, FALSE);
}

static VOID WaitForever(PVOID Context)
{
    KeWaitForSingleObject(Context, Executive, KernelMode, FALSE, NULL);
}

Test(dpc, waiting_in_a_dpc_bugchecks_like_any_wait_at_dispatch)
{
    KEVENT Event;
    IRQL_HOST_BUGCHECK R;
    KeInitializeEvent(&Event, NotificationEvent, FALSE);
    cr_assert(IrqlHostRunAsDpc(WaitForever, &Event, &R));
    cr_assert_eq(R.Code, DV);
    cr_assert_eq(R.Parameter[0], 0x121, "a wait at DISPATCH_LEVEL with no timeout");
}

/* A real KDPC under IrqlHostCatchDpcBugChecks: P2/P3 name the routine and the KDPC. */
static VOID RaiseAndReturn(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2)
{
    KIRQL Old;
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Argument1);
    UNREFERENCED_PARAMETER(Argument2);
    KeRaiseIrql(CLOCK_LEVEL, &Old);
}

Test(dpc, a_caught_dpc_bugcheck_is_reported_and_later_dpcs_still_run)
{
    static SEEN S;
    KDPC Bad, Good;
    IRQL_HOST_BUGCHECK R;

    cr_assert_not(IrqlHostCatchDpcBugChecks(TRUE), "off by default");
    cr_assert_not(IrqlHostGetDpcBugCheck(&R));
    KeInitializeDpc(&Bad, RaiseAndReturn, NULL);
    KeInitializeDpc(&Good, Record, &S);
    KeInsertQueueDpc(&Bad, NULL, NULL);
    KeInsertQueueDpc(&Good, NULL, NULL);
    KeFlushQueuedDpcs();
    cr_assert(IrqlHostGetDpcBugCheck(&R));
    cr_assert_eq(R.Code, IRQL_UNEXPECTED_VALUE);
    cr_assert_eq(R.Parameter[0], C8_P1(CLOCK_LEVEL));
    cr_assert_eq(R.Parameter[1], FN(RaiseAndReturn), "P2 the routine");
    cr_assert_eq(R.Parameter[2], (ULONG_PTR)&Bad, "P3 the KDPC");
    cr_assert_eq(R.Irql, CLOCK_LEVEL, "reported on the DPC thread, at the IRQL it returned at");
    cr_assert_eq(atomic_load(&S.Runs), 1, "the next DPC ran, at DISPATCH_LEVEL");
    cr_assert_eq(S.Irql, DISPATCH_LEVEL);
    cr_assert(IrqlHostCatchDpcBugChecks(FALSE));
    cr_assert(IrqlHostGetDpcBugCheck(NULL), "the report stays until catching is turned on again");
}

static VOID RaiseUncaught(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2)
{
    RaiseAndReturn(Dpc, Context, Argument1, Argument2);
}

Test(dpc, an_uncaught_dpc_bugcheck_ends_the_process, .signal = SIGABRT)
{
    KDPC Dpc;
    LARGE_INTEGER Delay = {.QuadPart = RELATIVE_MS(5000)};
    KeInitializeDpc(&Dpc, RaiseUncaught, NULL);
    KeInsertQueueDpc(&Dpc, NULL, NULL);
    KeDelayExecutionThread(KernelMode, FALSE, &Delay);
}

/* ---- Misusing the DPC routines ---------------------------------------------------------- */

static VOID InsertUninitialized(PVOID Context)
{
    KeInsertQueueDpc(Context, NULL, NULL);
}

Test(dpc, inserting_an_uninitialised_dpc_bugchecks_1e)
{
    KDPC Dpc;
    IRQL_HOST_BUGCHECK R;
    memset(&Dpc, 0, sizeof(Dpc));
    R = ExpectBugCheck(InsertUninitialized, &Dpc, KMODE_EXCEPTION_NOT_HANDLED,
                       (ULONG_PTR)(LONG_PTR)STATUS_ACCESS_VIOLATION);
    cr_assert(strstr(R.Message, "not an initialised DPC") != NULL, "%s", R.Message);
}

static VOID Reinitialize(PVOID Context)
{
    KeInitializeDpc(Context, Number, NULL);
}

Test(dpc, initialising_a_queued_dpc_bugchecks_c7_1)
{
    static BLOCKER B;
    KDPC Dpc;
    IRQL_HOST_BUGCHECK R;

    StartBlocker(&B);
    KeInitializeDpc(&Dpc, Number, NULL);
    KeInsertQueueDpc(&Dpc, NULL, NULL);
    R = ExpectBugCheck(Reinitialize, &Dpc, TIMER_OR_DPC_INVALID, 1);
    cr_assert_eq(R.Parameter[1], (ULONG_PTR)&Dpc, "P2 the KDPC");
    cr_assert(KeRemoveQueueDpc(&Dpc), "still queued, intact");
    atomic_store(&B.Release, true);
    IrqlHostDrainDpcs();
}

/* ---- Paged memory touched in a DPC ------------------------------------------------------ */

static VOID ReadPaged(PVOID Context)
{
    volatile UCHAR *P = Context;
    (void)P[0];
}

Test(dpc, touching_paged_pool_in_a_dpc_bugchecks_0a)
{
    PUCHAR P = ExAllocatePool2(POOL_FLAG_PAGED, 64, TAG_D);
    IRQL_HOST_BUGCHECK R;

    cr_assert_not_null(P);
    P[3] = 0x5A; /* resident now, at PASSIVE_LEVEL */
    cr_assert(IrqlHostRunAsDpc(ReadPaged, P + 3, &R));
    cr_assert_eq(R.Code, IRQL_NOT_LESS_OR_EQUAL);
    cr_assert_eq(R.Parameter[0], (ULONG_PTR)(P + 3), "P1 the address");
    cr_assert_eq(R.Parameter[1], DISPATCH_LEVEL, "P2 the IRQL");
    cr_assert_eq(P[3], 0x5A, "readable again at PASSIVE_LEVEL");
    ExFreePool(P);
}

static VOID ReadPagedDpc(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Argument1);
    UNREFERENCED_PARAMETER(Argument2);
    ReadPaged(Context);
}

Test(dpc, a_driver_dpc_touching_paged_pool_is_caught_too)
{
    PUCHAR P = ExAllocatePool2(POOL_FLAG_PAGED, 64, TAG_D);
    PUCHAR N = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(KDPC), TAG_D);
    PKDPC Dpc = (PKDPC)N;
    IRQL_HOST_BUGCHECK R;

    P[0] = 1;
    IrqlHostCatchDpcBugChecks(TRUE);
    KeInitializeDpc(Dpc, ReadPagedDpc, P);
    KeInsertQueueDpc(Dpc, NULL, NULL);
    KeFlushQueuedDpcs();
    cr_assert(IrqlHostGetDpcBugCheck(&R));
    cr_assert_eq(R.Code, IRQL_NOT_LESS_OR_EQUAL);
    cr_assert_eq(R.Parameter[0], (ULONG_PTR)P);
    ExFreePool(N);
    ExFreePool(P);
}

Test(dpc, non_paged_memory_in_a_dpc_is_fine)
{
    PUCHAR N = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, TAG_D);
    cr_assert_not(IrqlHostRunAsDpc(ReadPaged, N, NULL));
    ExFreePool(N);
}
