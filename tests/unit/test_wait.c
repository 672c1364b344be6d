/* KeWaitForSingleObject / KeWaitForMultipleObjects / KeDelayExecutionThread on the host kernel:
   IRQL rules, WaitAny / WaitAll, timeouts, the hang limit. */
#include "dispatcher_helpers.h"

#include <string.h>

static LARGE_INTEGER Zero = {.QuadPart = 0};

/* Milliseconds since Start (a KeQueryInterruptTime value). */
static ULONGLONG ElapsedMs(ULONGLONG Start)
{
    return (KeQueryInterruptTime() - Start) / 10000;
}

/* IRQL rules */

static KEVENT Shared;
static LARGE_INTEGER SharedTimeout;

static VOID WaitNullTimeout(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeWaitForSingleObject(&Shared, Executive, KernelMode, FALSE, NULL);
}

static VOID WaitSharedTimeout(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeWaitForSingleObject(&Shared, Executive, KernelMode, FALSE, &SharedTimeout);
}

Test(wait, zero_timeout_is_allowed_at_dispatch)
{
    KIRQL Old;
    KeInitializeEvent(&Shared, NotificationEvent, FALSE);
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    cr_assert_eq(KeWaitForSingleObject(&Shared, Executive, KernelMode, FALSE, &Zero),
                 STATUS_TIMEOUT);
    KeSetEvent(&Shared, IO_NO_INCREMENT, FALSE);
    cr_assert_eq(KeWaitForSingleObject(&Shared, Executive, KernelMode, FALSE, &Zero),
                 STATUS_SUCCESS);
    KeLowerIrql(Old);
}

Test(wait, any_timeout_is_allowed_at_apc_level)
{
    KIRQL Old;
    LARGE_INTEGER Timeout = {.QuadPart = RELATIVE_MS(5)};
    KeInitializeEvent(&Shared, NotificationEvent, FALSE);
    KeRaiseIrql(APC_LEVEL, &Old);
    cr_assert_eq(KeWaitForSingleObject(&Shared, Executive, KernelMode, FALSE, &Timeout),
                 STATUS_TIMEOUT);
    KeLowerIrql(Old);
}

Test(wait, null_timeout_at_dispatch_bugchecks_c4_121)
{
    KeInitializeEvent(&Shared, NotificationEvent, TRUE);
    IRQL_HOST_BUGCHECK R = ExpectBugCheckAt(DISPATCH_LEVEL, WaitNullTimeout, NULL,
                                            DRIVER_VERIFIER_DETECTED_VIOLATION, 0x121);
    cr_assert_eq(R.Parameter[1], DISPATCH_LEVEL, "P2 the IRQL");
    cr_assert_eq(R.Parameter[2], (ULONG_PTR)&Shared, "P3 the object");
    cr_assert_eq(R.Parameter[3], 0, "P4 the (NULL) timeout");
    cr_assert_eq(KeReadStateEvent(&Shared), 1, "even a signalled object is a violation");
}

Test(wait, non_zero_timeout_at_dispatch_bugchecks_c4_122)
{
    KeInitializeEvent(&Shared, NotificationEvent, FALSE);
    SharedTimeout.QuadPart = RELATIVE_MS(1);
    IRQL_HOST_BUGCHECK R = ExpectBugCheckAt(DISPATCH_LEVEL, WaitSharedTimeout, NULL,
                                            DRIVER_VERIFIER_DETECTED_VIOLATION, 0x122);
    cr_assert_eq(R.Parameter[1], DISPATCH_LEVEL);
    cr_assert_eq(R.Parameter[2], (ULONG_PTR)&Shared);
    cr_assert_eq(R.Parameter[3], (ULONG_PTR)&SharedTimeout, "P4 the timeout");
}

Test(wait, above_dispatch_bugchecks_c4_120_even_with_zero_timeout)
{
    KeInitializeEvent(&Shared, NotificationEvent, FALSE);
    SharedTimeout.QuadPart = 0;
    IRQL_HOST_BUGCHECK R = ExpectBugCheckAt(HIGH_LEVEL, WaitSharedTimeout, NULL,
                                            DRIVER_VERIFIER_DETECTED_VIOLATION, 0x120);
    cr_assert_eq(R.Parameter[1], HIGH_LEVEL);
    cr_assert_eq(R.Parameter[2], (ULONG_PTR)&Shared);
}

static PVOID Pair[2];

static VOID WaitPairNullTimeout(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeWaitForMultipleObjects(2, Pair, WaitAny, Executive, KernelMode, FALSE, NULL, NULL);
}

Test(wait, multiple_follows_the_same_irql_rules)
{
    static KEVENT A, B;
    KeInitializeEvent(&A, NotificationEvent, FALSE);
    KeInitializeEvent(&B, NotificationEvent, FALSE);
    Pair[0] = &A;
    Pair[1] = &B;
    IRQL_HOST_BUGCHECK R = ExpectBugCheckAt(DISPATCH_LEVEL, WaitPairNullTimeout, NULL,
                                            DRIVER_VERIFIER_DETECTED_VIOLATION, 0x121);
    cr_assert_eq(R.Parameter[2], (ULONG_PTR)Pair, "P3 the object array");
}

static VOID WaitUninitialised(PVOID Context)
{
    KeWaitForSingleObject(Context, Executive, KernelMode, FALSE, &Zero);
}

Test(wait, on_an_uninitialised_object_is_an_access_violation)
{
    KMUTEX M;
    memset(&M, 0, sizeof(M));
    ExpectBugCheck(WaitUninitialised, &M, KMODE_EXCEPTION_NOT_HANDLED,
                   (ULONG_PTR)(LONG_PTR)STATUS_ACCESS_VIOLATION);
}

/* KeWaitForMultipleObjects */

static PVOID Many[MAXIMUM_WAIT_OBJECTS + 1];
static KWAIT_BLOCK Blocks[MAXIMUM_WAIT_OBJECTS + 1];
static KEVENT ManyEvents[MAXIMUM_WAIT_OBJECTS + 1];

static void InitMany(BOOLEAN Signalled)
{
    for (int i = 0; i <= MAXIMUM_WAIT_OBJECTS; i++) {
        KeInitializeEvent(&ManyEvents[i], NotificationEvent, Signalled);
        Many[i] = &ManyEvents[i];
    }
}

static VOID WaitFourWithoutBlocks(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeWaitForMultipleObjects(THREAD_WAIT_OBJECTS + 1, Many, WaitAll, Executive, KernelMode,
                             FALSE, &Zero, NULL);
}

static VOID WaitTooManyWithBlocks(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeWaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS + 1, Many, WaitAll, Executive, KernelMode,
                             FALSE, &Zero, Blocks);
}

Test(wait, too_many_objects_bugchecks_maximum_wait_objects_exceeded)
{
    InitMany(TRUE);
    ExpectBugCheck(WaitFourWithoutBlocks, NULL, MAXIMUM_WAIT_OBJECTS_EXCEEDED, 0);
    ExpectBugCheck(WaitTooManyWithBlocks, NULL, MAXIMUM_WAIT_OBJECTS_EXCEEDED, 0);
}

Test(wait, up_to_maximum_wait_objects_with_a_wait_block_array)
{
    InitMany(TRUE);
    cr_assert_eq(KeWaitForMultipleObjects(THREAD_WAIT_OBJECTS, Many, WaitAll, Executive,
                                          KernelMode, FALSE, &Zero, NULL),
                 STATUS_SUCCESS);
    cr_assert_eq(KeWaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, Many, WaitAll, Executive,
                                          KernelMode, FALSE, &Zero, Blocks),
                 STATUS_SUCCESS);
    KeClearEvent(&ManyEvents[MAXIMUM_WAIT_OBJECTS - 1]);
    cr_assert_eq(KeWaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, Many, WaitAny, Executive,
                                          KernelMode, FALSE, &Zero, Blocks),
                 STATUS_WAIT_0);
}

Test(wait, wait_any_returns_the_index_of_the_first_signalled_object)
{
    KEVENT A, B, C;
    PVOID Objects[3] = {&A, &B, &C};
    KeInitializeEvent(&A, SynchronizationEvent, FALSE);
    KeInitializeEvent(&B, SynchronizationEvent, TRUE);
    KeInitializeEvent(&C, SynchronizationEvent, TRUE);
    cr_assert_eq(KeWaitForMultipleObjects(3, Objects, WaitAny, Executive, KernelMode, FALSE,
                                          &Zero, NULL),
                 STATUS_WAIT_1);
    cr_assert_eq(KeReadStateEvent(&B), 0, "only the object that satisfied the wait is reset");
    cr_assert_eq(KeReadStateEvent(&C), 1);
    cr_assert_eq(KeWaitForMultipleObjects(3, Objects, WaitAny, Executive, KernelMode, FALSE,
                                          &Zero, NULL),
                 STATUS_WAIT_0 + 2);
    cr_assert_eq(KeWaitForMultipleObjects(3, Objects, WaitAny, Executive, KernelMode, FALSE,
                                          &Zero, NULL),
                 STATUS_TIMEOUT);
}

Test(wait, wait_all_takes_all_or_nothing)
{
    KEVENT A, B;
    KMUTEX M;
    PVOID Objects[3] = {&A, &M, &B};
    KeInitializeEvent(&A, SynchronizationEvent, TRUE);
    KeInitializeEvent(&B, SynchronizationEvent, FALSE);
    KeInitializeMutex(&M, 0);
    cr_assert_eq(KeWaitForMultipleObjects(3, Objects, WaitAll, Executive, KernelMode, FALSE,
                                          &Zero, NULL),
                 STATUS_TIMEOUT);
    cr_assert_eq(KeReadStateEvent(&A), 1, "a failed WaitAll consumes nothing");
    cr_assert_eq(KeReadStateMutex(&M), 1);
    KeSetEvent(&B, IO_NO_INCREMENT, FALSE);
    cr_assert_eq(KeWaitForMultipleObjects(3, Objects, WaitAll, Executive, KernelMode, FALSE,
                                          &Zero, NULL),
                 STATUS_SUCCESS);
    cr_assert_eq(KeReadStateEvent(&A), 0);
    cr_assert_eq(KeReadStateEvent(&B), 0);
    cr_assert_eq(M.OwnerThread, KeGetCurrentThread(), "and owns the mutex");
    KeReleaseMutex(&M, FALSE);
}

typedef struct _MULTI {
    KEVENT Events[3];
    PVOID Objects[3];
    WAIT_TYPE Type;
    NTSTATUS Status;
} MULTI;

static VOID WaitMulti(PVOID Context)
{
    MULTI *W = Context;
    LARGE_INTEGER Timeout = {.QuadPart = RELATIVE_MS(5000)};
    W->Status = KeWaitForMultipleObjects(3, W->Objects, W->Type, Executive, KernelMode, FALSE,
                                         &Timeout, NULL);
}

static void InitMulti(MULTI *W, WAIT_TYPE Type)
{
    for (int i = 0; i < 3; i++) {
        KeInitializeEvent(&W->Events[i], SynchronizationEvent, FALSE);
        W->Objects[i] = &W->Events[i];
    }
    W->Type = Type;
    W->Status = -1;
}

Test(wait, a_blocked_wait_any_wakes_on_any_object)
{
    static MULTI W;
    PKTHREAD T;
    InitMulti(&W, WaitAny);
    T = StartThread(WaitMulti, &W);
    AwaitWaiters(&W.Events[2], 1);
    KeSetEvent(&W.Events[2], IO_NO_INCREMENT, FALSE);
    JoinThread(T);
    cr_assert_eq(W.Status, STATUS_WAIT_0 + 2);
    cr_assert_eq(KeReadStateEvent(&W.Events[2]), 0);
    cr_assert_eq(IrqlHostWaiterCount(&W.Events[0]), 0, "its other wait blocks are gone");
}

Test(wait, a_blocked_wait_all_wakes_only_when_every_object_is_signalled)
{
    static MULTI W;
    PKTHREAD T;
    InitMulti(&W, WaitAll);
    T = StartThread(WaitMulti, &W);
    AwaitWaiters(&W.Events[0], 1);
    KeSetEvent(&W.Events[0], IO_NO_INCREMENT, FALSE);
    KeSetEvent(&W.Events[2], IO_NO_INCREMENT, FALSE);
    cr_assert_eq(IrqlHostWaiterCount(&W.Events[1]), 1, "still waiting for the middle one");
    cr_assert_eq(KeReadStateEvent(&W.Events[0]), 1, "nothing consumed yet");
    KeSetEvent(&W.Events[1], IO_NO_INCREMENT, FALSE);
    JoinThread(T);
    cr_assert_eq(W.Status, STATUS_SUCCESS);
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(KeReadStateEvent(&W.Events[i]), 0);
    }
}

/* Timeouts */

Test(wait, relative_timeout)
{
    KEVENT E;
    LARGE_INTEGER Timeout = {.QuadPart = RELATIVE_MS(50)};
    ULONGLONG Start = KeQueryInterruptTime();
    KeInitializeEvent(&E, NotificationEvent, FALSE);
    cr_assert_eq(KeWaitForSingleObject(&E, Executive, KernelMode, FALSE, &Timeout),
                 STATUS_TIMEOUT);
    cr_assert_geq(ElapsedMs(Start), 50);
    cr_assert_lt(ElapsedMs(Start), 2000);
}

Test(wait, absolute_timeout)
{
    KEVENT E;
    LARGE_INTEGER Timeout;
    ULONGLONG Start = KeQueryInterruptTime();
    KeInitializeEvent(&E, NotificationEvent, FALSE);
    KeQuerySystemTime(&Timeout);
    Timeout.QuadPart += 50 * 10000; /* 50 ms from now, as a system time */
    cr_assert_eq(KeWaitForSingleObject(&E, Executive, KernelMode, FALSE, &Timeout),
                 STATUS_TIMEOUT);
    cr_assert_geq(ElapsedMs(Start), 49);
    cr_assert_lt(ElapsedMs(Start), 2000);
}

Test(wait, absolute_timeout_in_the_past_polls)
{
    KEVENT E;
    LARGE_INTEGER Past;
    ULONGLONG Start = KeQueryInterruptTime();
    KeInitializeEvent(&E, NotificationEvent, FALSE);
    KeQuerySystemTime(&Past);
    Past.QuadPart -= 10000000;
    cr_assert_eq(KeWaitForSingleObject(&E, Executive, KernelMode, FALSE, &Past), STATUS_TIMEOUT);
    cr_assert_lt(ElapsedMs(Start), 1000);
}

typedef struct _LATE {
    KEVENT Event;
    LONGLONG DelayMs;
} LATE;

static VOID SetLater(PVOID Context)
{
    LATE *L = Context;
    LARGE_INTEGER Delay = {.QuadPart = RELATIVE_MS(L->DelayMs)};
    KeDelayExecutionThread(KernelMode, FALSE, &Delay);
    KeSetEvent(&L->Event, IO_NO_INCREMENT, FALSE);
}

Test(wait, a_signal_before_the_timeout_ends_the_wait)
{
    static LATE L = {.DelayMs = 20};
    LARGE_INTEGER Timeout = {.QuadPart = RELATIVE_MS(5000)};
    ULONGLONG Start = KeQueryInterruptTime();
    PKTHREAD T;
    KeInitializeEvent(&L.Event, NotificationEvent, FALSE);
    T = StartThread(SetLater, &L);
    cr_assert_eq(KeWaitForSingleObject(&L.Event, Executive, KernelMode, FALSE, &Timeout),
                 STATUS_SUCCESS);
    cr_assert_lt(ElapsedMs(Start), 4000);
    JoinThread(T);
}

/* The hang limit */

static VOID WaitForever(PVOID Context)
{
    KeWaitForSingleObject(Context, Executive, KernelMode, FALSE, NULL);
}

Test(wait, an_endless_wait_bugchecks_at_the_hang_limit)
{
    KEVENT E;
    ULONGLONG Start = KeQueryInterruptTime();
    KeInitializeEvent(&E, NotificationEvent, FALSE);
    IrqlHostSetHangLimit(100);
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(WaitForever, &E, IRQL_HOST_BUGCHECK_HANG,
                                          (ULONG_PTR)&E);
    cr_assert_geq(R.Parameter[1], 100, "P2 the milliseconds waited");
    cr_assert_lt(ElapsedMs(Start), 5000);
    cr_assert_eq(IrqlHostWaiterCount(&E), 0, "the abandoned wait left no wait block behind");
    cr_assert(strstr(R.Message, "notification KEVENT") != NULL, "%s", R.Message);
}

static VOID WaitLong(PVOID Context)
{
    LARGE_INTEGER Timeout = {.QuadPart = RELATIVE_MS(60000)};
    KeWaitForSingleObject(Context, Executive, KernelMode, FALSE, &Timeout);
}

Test(wait, a_timeout_longer_than_the_hang_limit_bugchecks_too)
{
    KEVENT E;
    KeInitializeEvent(&E, SynchronizationEvent, FALSE);
    IrqlHostSetHangLimit(50);
    ExpectBugCheck(WaitLong, &E, IRQL_HOST_BUGCHECK_HANG, (ULONG_PTR)&E);
}

Test(wait, a_hang_on_a_mutex_reports_its_owner)
{
    static KMUTEX M;
    LARGE_INTEGER Tick = {.QuadPart = RELATIVE_MS(5)};
    IRQL_HOST_BUGCHECK R;
    PKTHREAD T;

    KeInitializeMutex(&M, 0);
    KeWaitForSingleObject(&M, Executive, KernelMode, FALSE, NULL);
    /* The limit is process-wide: the test itself only ever waits briefly. */
    IrqlHostSetHangLimit(200);
    IrqlHostCatchSystemThreadBugChecks(TRUE);
    T = StartThread(WaitForever, &M);
    for (int i = 0; i < 1000 && KeWaitForSingleObject(T, Executive, KernelMode, FALSE, &Zero) ==
                                    STATUS_TIMEOUT;
         i++) {
        KeDelayExecutionThread(KernelMode, FALSE, &Tick);
    }
    cr_assert(IrqlHostGetThreadBugCheck(T, &R));
    cr_assert_eq(R.Code, IRQL_HOST_BUGCHECK_HANG);
    cr_assert_eq(R.Parameter[0], (ULONG_PTR)&M, "P1 the object");
    cr_assert_eq(R.Parameter[2], (ULONG_PTR)KeGetCurrentThread(), "P3 its owner");
    cr_assert(strstr(R.Message, "KMUTEX") != NULL, "%s", R.Message);
    ObDereferenceObject(T);
    KeReleaseMutex(&M, FALSE);
}

/* KeDelayExecutionThread */

Test(wait, delay_relative_and_absolute)
{
    LARGE_INTEGER Interval = {.QuadPart = RELATIVE_MS(20)};
    ULONGLONG Start = KeQueryInterruptTime();
    cr_assert_eq(KeDelayExecutionThread(KernelMode, FALSE, &Interval), STATUS_SUCCESS);
    cr_assert_geq(ElapsedMs(Start), 20);
    Start = KeQueryInterruptTime();
    KeQuerySystemTime(&Interval);
    Interval.QuadPart += 20 * 10000;
    cr_assert_eq(KeDelayExecutionThread(KernelMode, FALSE, &Interval), STATUS_SUCCESS);
    cr_assert_geq(ElapsedMs(Start), 19);
    cr_assert_lt(ElapsedMs(Start), 2000);
    Interval.QuadPart = 0;
    cr_assert_eq(KeDelayExecutionThread(KernelMode, FALSE, &Interval), STATUS_SUCCESS);
}

Test(wait, delay_is_allowed_at_apc_level)
{
    KIRQL Old;
    LARGE_INTEGER Interval = {.QuadPart = RELATIVE_MS(1)};
    KeRaiseIrql(APC_LEVEL, &Old);
    cr_assert_eq(KeDelayExecutionThread(KernelMode, FALSE, &Interval), STATUS_SUCCESS);
    KeLowerIrql(Old);
}

static VOID DelayAtDispatch(PVOID Context)
{
    LARGE_INTEGER Interval = {.QuadPart = RELATIVE_MS(1)};
    UNREFERENCED_PARAMETER(Context);
    KeDelayExecutionThread(KernelMode, FALSE, &Interval);
}

Test(wait, delay_above_apc_bugchecks_ddi_irqlkeapclte1)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheckAt(DISPATCH_LEVEL, DelayAtDispatch, NULL,
                                            DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2000F);
    cr_assert(strstr((const char *)R.Parameter[1], "IrqlKeApcLte1") != NULL);
}

static LARGE_INTEGER LongInterval = {.QuadPart = RELATIVE_MS(60000)};

static VOID DelayLong(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeDelayExecutionThread(KernelMode, FALSE, &LongInterval);
}

Test(wait, a_delay_longer_than_the_hang_limit_bugchecks)
{
    ULONGLONG Start = KeQueryInterruptTime();
    IrqlHostSetHangLimit(30);
    ExpectBugCheck(DelayLong, NULL, IRQL_HOST_BUGCHECK_HANG, (ULONG_PTR)&LongInterval);
    cr_assert_lt(ElapsedMs(Start), 5000);
}
