/* KMUTEX on the host kernel: ownership, recursion, APCs, hand-off, abandonment, misuse. */
#include "dispatcher_helpers.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

static LARGE_INTEGER Zero = {.QuadPart = 0};

/* Wait (at most 5 s) on a mutex or an event. */
static NTSTATUS WaitFor(PVOID Object)
{
    LARGE_INTEGER Timeout = {.QuadPart = RELATIVE_MS(5000)};
    return KeWaitForSingleObject(Object, Executive, KernelMode, FALSE, &Timeout);
}

Test(kmutex, initial_state)
{
    KMUTEX M;
    KeInitializeMutex(&M, 0);
    cr_assert_eq(KeReadStateMutex(&M), 1, "a new mutex is signalled (free)");
    cr_assert_null(M.OwnerThread);
    cr_assert_eq(M.Header.Type, MutantObject);
    cr_assert_eq(sizeof(KMUTEX), 7 * sizeof(PVOID), "the WDK's x64 size is 56 bytes");
}

Test(kmutex, acquire_and_release)
{
    KMUTEX M;
    KeInitializeMutex(&M, 0);
    cr_assert_eq(KeWaitForMutexObject(&M, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    cr_assert_eq(M.OwnerThread, KeGetCurrentThread());
    cr_assert_eq(KeReadStateMutex(&M), 0);
    cr_assert_eq(KeReleaseMutex(&M, FALSE), 0, "0: released and signalled");
    cr_assert_null(M.OwnerThread);
    cr_assert_eq(KeReadStateMutex(&M), 1);
}

Test(kmutex, is_recursive)
{
    KMUTEX M;
    KeInitializeMutex(&M, 0);
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(WaitFor(&M), STATUS_SUCCESS);
    }
    cr_assert_eq(KeReadStateMutex(&M), -2);
    cr_assert_eq(KeReleaseMutex(&M, FALSE), -2);
    cr_assert_eq(KeReleaseMutex(&M, FALSE), -1);
    cr_assert_eq(M.OwnerThread, KeGetCurrentThread(), "still held once");
    cr_assert_eq(KeReleaseMutex(&M, FALSE), 0);
    cr_assert_eq(KeReadStateMutex(&M), 1);
}

Test(kmutex, disables_normal_kernel_apcs_while_held)
{
    KMUTEX M;
    KeInitializeMutex(&M, 0);
    cr_assert_not(KeAreApcsDisabled());
    WaitFor(&M);
    cr_assert(KeAreApcsDisabled(), "a held KMUTEX counts as a critical region");
    WaitFor(&M);
    KeReleaseMutex(&M, FALSE);
    cr_assert(KeAreApcsDisabled(), "until the last release");
    KeReleaseMutex(&M, FALSE);
    cr_assert_not(KeAreApcsDisabled());
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL, "the IRQL is unchanged");
}

static KMUTEX Held;
static atomic_int ThreadStatus;

static VOID TryOnOtherThread(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    atomic_store(&ThreadStatus,
                 KeWaitForSingleObject(&Held, Executive, KernelMode, FALSE, &Zero));
}

Test(kmutex, zero_timeout_fails_while_another_thread_owns_it)
{
    KeInitializeMutex(&Held, 0);
    WaitFor(&Held);
    JoinThread(StartThread(TryOnOtherThread, NULL));
    cr_assert_eq(atomic_load(&ThreadStatus), STATUS_TIMEOUT);
    KeReleaseMutex(&Held, FALSE);
}

#define THREADS 4
#define ROUNDS 1000

typedef struct _COUNTER {
    KMUTEX Mutex;
    long Value; /* deliberately plain: only the mutex protects it */
} COUNTER;

static VOID Increment(PVOID Context)
{
    COUNTER *C = Context;
    for (int i = 0; i < ROUNDS; i++) {
        KeWaitForSingleObject(&C->Mutex, Executive, KernelMode, FALSE, NULL);
        C->Value++;
        KeReleaseMutex(&C->Mutex, FALSE);
    }
}

Test(kmutex, mutual_exclusion)
{
    static COUNTER C;
    PKTHREAD T[THREADS];
    KeInitializeMutex(&C.Mutex, 0);
    for (int i = 0; i < THREADS; i++) {
        T[i] = StartThread(Increment, &C);
    }
    for (int i = 0; i < THREADS; i++) {
        JoinThread(T[i]);
    }
    cr_assert_eq(C.Value, (long)THREADS * ROUNDS);
    cr_assert_eq(KeReadStateMutex(&C.Mutex), 1);
}

typedef struct _HANDOFF {
    KMUTEX Mutex;
    NTSTATUS Status;
    BOOLEAN OwnedOnWake;
    BOOLEAN ApcsOffOnWake;
} HANDOFF;

static VOID WaitForHandOff(PVOID Context)
{
    HANDOFF *H = Context;
    H->Status = WaitFor(&H->Mutex);
    H->OwnedOnWake = H->Mutex.OwnerThread == KeGetCurrentThread();
    H->ApcsOffOnWake = KeAreApcsDisabled();
    KeReleaseMutex(&H->Mutex, FALSE);
}

Test(kmutex, release_hands_it_to_a_blocked_waiter)
{
    static HANDOFF H;
    PKTHREAD T;
    KeInitializeMutex(&H.Mutex, 0);
    WaitFor(&H.Mutex);
    T = StartThread(WaitForHandOff, &H);
    AwaitWaiters(&H.Mutex, 1);
    cr_assert_eq(KeReleaseMutex(&H.Mutex, FALSE), 0);
    JoinThread(T);
    cr_assert_eq(H.Status, STATUS_SUCCESS);
    cr_assert(H.OwnedOnWake, "the waiter owned it when its wait returned");
    cr_assert(H.ApcsOffOnWake, "and its normal kernel APCs were off");
    cr_assert_eq(KeReadStateMutex(&H.Mutex), 1);
}

Test(kmutex, zero_timeout_acquire_and_release_at_dispatch)
{
    KMUTEX M;
    KIRQL Old;
    KeInitializeMutex(&M, 0);
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    cr_assert_eq(KeWaitForSingleObject(&M, Executive, KernelMode, FALSE, &Zero), STATUS_SUCCESS);
    cr_assert_eq(KeReleaseMutex(&M, FALSE), 0);
    KeLowerIrql(Old);
}

Test(kmutex, release_with_wait_returns_at_dispatch_until_the_next_wait)
{
    KMUTEX M;
    KEVENT E;
    LARGE_INTEGER Timeout = {.QuadPart = RELATIVE_MS(50)};
    KeInitializeMutex(&M, 0);
    KeInitializeEvent(&E, NotificationEvent, FALSE);
    WaitFor(&M);
    cr_assert_eq(KeReleaseMutex(&M, TRUE), 0);
    cr_assert_eq(KeGetCurrentIrql(), DISPATCH_LEVEL);
    cr_assert_eq(KeWaitForSingleObject(&E, Executive, KernelMode, FALSE, &Timeout),
                 STATUS_TIMEOUT);
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

/* Misuse */

static VOID ReleaseUnowned(PVOID Context)
{
    KeReleaseMutex(Context, FALSE);
}

Test(kmutex, release_of_a_free_mutex_raises_mutant_not_owned)
{
    KMUTEX M;
    KeInitializeMutex(&M, 0);
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(ReleaseUnowned, &M, KMODE_EXCEPTION_NOT_HANDLED,
                                          (ULONG_PTR)(LONG_PTR)STATUS_MUTANT_NOT_OWNED);
    cr_assert(strstr(R.Message, "does not own it") != NULL, "%s", R.Message);
    cr_assert_eq(KeReadStateMutex(&M), 1, "nothing changed");
}

typedef struct _HOLDER {
    KMUTEX Mutex;
    KEVENT Acquired;
    KEVENT Release;
} HOLDER;

static VOID HoldUntilSet(PVOID Context)
{
    HOLDER *H = Context;
    LARGE_INTEGER Timeout = {.QuadPart = RELATIVE_MS(5000)};
    WaitFor(&H->Mutex);
    KeSetEvent(&H->Acquired, IO_NO_INCREMENT, FALSE);
    KeWaitForSingleObject(&H->Release, Executive, KernelMode, FALSE, &Timeout);
    KeReleaseMutex(&H->Mutex, FALSE);
}

static PKTHREAD StartHolder(HOLDER *H)
{
    PKTHREAD T;
    LARGE_INTEGER Timeout = {.QuadPart = RELATIVE_MS(5000)};
    KeInitializeMutex(&H->Mutex, 0);
    KeInitializeEvent(&H->Acquired, NotificationEvent, FALSE);
    KeInitializeEvent(&H->Release, NotificationEvent, FALSE);
    T = StartThread(HoldUntilSet, H);
    cr_assert_eq(KeWaitForSingleObject(&H->Acquired, Executive, KernelMode, FALSE, &Timeout),
                 STATUS_SUCCESS);
    return T;
}

Test(kmutex, release_by_a_non_owner_raises_mutant_not_owned)
{
    static HOLDER H;
    PKTHREAD T = StartHolder(&H);
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(ReleaseUnowned, &H.Mutex, KMODE_EXCEPTION_NOT_HANDLED,
                                          (ULONG_PTR)(LONG_PTR)STATUS_MUTANT_NOT_OWNED);
    cr_assert(strstr(R.Message, "another thread does") != NULL, "%s", R.Message);
    cr_assert_eq(H.Mutex.OwnerThread, T, "the owner keeps it");
    KeSetEvent(&H.Release, IO_NO_INCREMENT, FALSE);
    JoinThread(T);
}

static VOID AcquireAtDispatchReleaseBelow(PVOID Context)
{
    KIRQL Old;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    KeWaitForSingleObject(Context, Executive, KernelMode, FALSE, &Zero);
    KeLowerIrql(Old);
    KeReleaseMutex(Context, FALSE);
}

Test(kmutex, release_at_another_irql_class_than_the_acquire_raises)
{
    KMUTEX M;
    KeInitializeMutex(&M, 0);
    IRQL_HOST_BUGCHECK R =
        ExpectBugCheck(AcquireAtDispatchReleaseBelow, &M, KMODE_EXCEPTION_NOT_HANDLED,
                       (ULONG_PTR)(LONG_PTR)STATUS_MUTANT_NOT_OWNED);
    cr_assert(strstr(R.Message, "acquired at DISPATCH_LEVEL") != NULL, "%s", R.Message);
}

static VOID AcquireAtLimit(PVOID Context)
{
    PKMUTEX M = Context;
    WaitFor(M);
    M->Header.SignalState = MINLONG; /* as if acquired 2^31 times */
    WaitFor(M);
}

Test(kmutex, recursion_beyond_minlong_raises_mutant_limit_exceeded)
{
    KMUTEX M;
    KeInitializeMutex(&M, 0);
    ExpectBugCheck(AcquireAtLimit, &M, KMODE_EXCEPTION_NOT_HANDLED,
                   (ULONG_PTR)(LONG_PTR)STATUS_MUTANT_LIMIT_EXCEEDED);
    cr_assert_eq(M.Header.SignalState, MINLONG, "the count did not wrap");
    M.Header.SignalState = 0;
    KeReleaseMutex(&M, FALSE);
}

static VOID ReleaseAtHigh(PVOID Context)
{
    KeReleaseMutex(Context, FALSE);
}

static VOID ReadAtHigh(PVOID Context)
{
    KeReadStateMutex(Context);
}

Test(kmutex, release_and_read_above_dispatch_bugcheck)
{
    KMUTEX M;
    KeInitializeMutex(&M, 0);
    IRQL_HOST_BUGCHECK R = ExpectBugCheckAt(HIGH_LEVEL, ReleaseAtHigh, &M,
                                            DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20011);
    cr_assert(strstr((const char *)R.Parameter[1], "IrqlKeDispatchLte") != NULL);
    R = ExpectBugCheckAt(HIGH_LEVEL, ReadAtHigh, &M, DRIVER_VERIFIER_DETECTED_VIOLATION, 0xE5);
    cr_assert_eq(R.Parameter[1], HIGH_LEVEL);
}

/* Threads that end holding a mutex; abandonment */

static VOID ReturnHolding(PVOID Context)
{
    WaitFor(Context);
}

Test(kmutex, system_thread_returning_with_it_bugchecks_and_abandons_it)
{
    static KMUTEX M;
    IRQL_HOST_BUGCHECK R;
    PKTHREAD T;

    KeInitializeMutex(&M, 0);
    IrqlHostCatchSystemThreadBugChecks(TRUE);
    T = StartThread(ReturnHolding, &M);
    {
        LARGE_INTEGER Timeout = {.QuadPart = RELATIVE_MS(5000)};
        cr_assert_eq(KeWaitForSingleObject(T, Executive, KernelMode, FALSE, &Timeout),
                     STATUS_SUCCESS);
    }
    cr_assert(IrqlHostGetThreadBugCheck(T, &R));
    cr_assert_eq(R.Code, THREAD_TERMINATE_HELD_MUTEX);
    cr_assert_eq(R.Parameter[0], (ULONG_PTR)T, "P1 the thread");
    cr_assert_eq(R.Parameter[1], (ULONG_PTR)&M, "P2 the mutex");
    ObDereferenceObject(T);

    cr_assert_eq(KeReadStateMutex(&M), 1, "abandoned: free again");
    cr_assert(M.Abandoned);
    cr_assert_eq(WaitFor(&M), STATUS_ABANDONED, "the next owner learns it was abandoned");
    cr_assert_not(M.Abandoned);
    cr_assert_eq(KeReleaseMutex(&M, FALSE), 0);
    cr_assert_eq(WaitFor(&M), STATUS_SUCCESS);
    KeReleaseMutex(&M, FALSE);
}

Test(kmutex, releasing_an_abandoned_mutex_raises_status_abandoned)
{
    static KMUTEX M;
    KeInitializeMutex(&M, 0);
    IrqlHostCatchSystemThreadBugChecks(TRUE);
    JoinThread(StartThread(ReturnHolding, &M));
    ExpectBugCheck(ReleaseUnowned, &M, KMODE_EXCEPTION_NOT_HANDLED,
                   (ULONG_PTR)(LONG_PTR)STATUS_ABANDONED);
}

typedef struct _ABANDON {
    KMUTEX Mutex;
    KEVENT Acquired;
    KEVENT Go;
    NTSTATUS WaiterStatus;
} ABANDON;

static VOID HoldThenReturn(PVOID Context)
{
    ABANDON *A = Context;
    LARGE_INTEGER Timeout = {.QuadPart = RELATIVE_MS(5000)};
    WaitFor(&A->Mutex);
    KeSetEvent(&A->Acquired, IO_NO_INCREMENT, FALSE);
    KeWaitForSingleObject(&A->Go, Executive, KernelMode, FALSE, &Timeout);
}

static VOID WaitForAbandoned(PVOID Context)
{
    ABANDON *A = Context;
    A->WaiterStatus = WaitFor(&A->Mutex);
    if (NT_SUCCESS(A->WaiterStatus)) {
        KeReleaseMutex(&A->Mutex, FALSE);
    }
}

Test(kmutex, a_blocked_waiter_gets_status_abandoned)
{
    static ABANDON A;
    PKTHREAD Holder, Waiter;
    LARGE_INTEGER Timeout = {.QuadPart = RELATIVE_MS(5000)};

    KeInitializeMutex(&A.Mutex, 0);
    KeInitializeEvent(&A.Acquired, NotificationEvent, FALSE);
    KeInitializeEvent(&A.Go, NotificationEvent, FALSE);
    IrqlHostCatchSystemThreadBugChecks(TRUE);
    Holder = StartThread(HoldThenReturn, &A);
    KeWaitForSingleObject(&A.Acquired, Executive, KernelMode, FALSE, &Timeout);
    Waiter = StartThread(WaitForAbandoned, &A);
    AwaitWaiters(&A.Mutex, 1);
    KeSetEvent(&A.Go, IO_NO_INCREMENT, FALSE);
    JoinThread(Holder);
    JoinThread(Waiter);
    cr_assert_eq(A.WaiterStatus, STATUS_ABANDONED);
    cr_assert_eq(KeReadStateMutex(&A.Mutex), 1);
}

static void *HostThreadHolding(void *Context)
{
    WaitFor(Context);
    return NULL; /* ends holding it */
}

Test(kmutex, host_thread_ending_with_it_bugchecks, .signal = SIGABRT)
{
    static KMUTEX M;
    pthread_t T;
    KeInitializeMutex(&M, 0);
    pthread_create(&T, NULL, HostThreadHolding, &M);
    pthread_join(T, NULL);
}

/* Deadlock detection. Waits here are infinite (only a wait that can never time out deadlocks),
   bounded by a short hang limit. */

typedef struct _ABBA {
    KMUTEX A, B;
    KEVENT Ready;
    BOOLEAN ThreadBugChecked;
    IRQL_HOST_BUGCHECK ThreadReport;
} ABBA;

static ABBA D;

static VOID TakeA(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeWaitForSingleObject(&D.A, Executive, KernelMode, FALSE, NULL);
}

static VOID TakeB(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeWaitForSingleObject(&D.B, Executive, KernelMode, FALSE, NULL);
}

static void InitAbba(void)
{
    IrqlHostSetHangLimit(10000);
    KeInitializeMutex(&D.A, 0);
    KeInitializeMutex(&D.B, 0);
    KeInitializeEvent(&D.Ready, NotificationEvent, FALSE);
}

/* Holds A, then waits for B (which the test holds). */
static VOID ThreadAThenB(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    WaitFor(&D.A);
    KeSetEvent(&D.Ready, IO_NO_INCREMENT, FALSE);
    D.ThreadBugChecked = IrqlHostCatchBugCheck(TakeB, NULL, &D.ThreadReport);
    KeReleaseMutex(&D.B, FALSE);
    KeReleaseMutex(&D.A, FALSE);
}

Test(kmutex, abba_deadlock_bugchecks_c4_1001_on_the_second_waiter)
{
    IRQL_HOST_BUGCHECK R;
    PKTHREAD T;

    InitAbba();
    WaitFor(&D.B);
    T = StartThread(ThreadAThenB, NULL);
    WaitFor(&D.Ready); /* the thread holds A */
    AwaitWaiters(&D.B, 1);
    R = ExpectBugCheck(TakeA, NULL, DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1001);
    cr_assert_eq(R.Parameter[1], (ULONG_PTR)&D.A, "P2 the mutex that closes the cycle");
    cr_assert(strstr(R.Message, "lock-order") != NULL, "%s", R.Message);
    KeReleaseMutex(&D.B, FALSE); /* the thread goes on */
    JoinThread(T);
    cr_assert_not(D.ThreadBugChecked);
    cr_assert_eq(KeReadStateMutex(&D.A), 1);
    cr_assert_eq(KeReadStateMutex(&D.B), 1);
}

/* Holds B; once the test blocks on B, waits for A (which the test holds). */
static VOID ThreadBThenA(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    WaitFor(&D.B);
    KeSetEvent(&D.Ready, IO_NO_INCREMENT, FALSE);
    AwaitWaiters(&D.B, 1);
    D.ThreadBugChecked = IrqlHostCatchBugCheck(TakeA, NULL, &D.ThreadReport);
    KeReleaseMutex(&D.B, FALSE);
}

Test(kmutex, abba_deadlock_is_caught_on_whichever_thread_closes_the_cycle)
{
    PKTHREAD T;

    InitAbba();
    WaitFor(&D.A);
    T = StartThread(ThreadBThenA, NULL);
    WaitFor(&D.Ready); /* the thread holds B */
    TakeB(NULL); /* blocks until the thread, stopped, lets B go */
    KeReleaseMutex(&D.B, FALSE);
    KeReleaseMutex(&D.A, FALSE);
    JoinThread(T);
    cr_assert(D.ThreadBugChecked);
    cr_assert_eq(D.ThreadReport.Code, DRIVER_VERIFIER_DETECTED_VIOLATION);
    cr_assert_eq(D.ThreadReport.Parameter[0], 0x1001);
    cr_assert_eq(D.ThreadReport.Parameter[1], (ULONG_PTR)&D.A);
}

Test(kmutex, a_wait_with_a_timeout_is_no_deadlock)
{
    static HOLDER H;
    PKTHREAD T = StartHolder(&H);
    LARGE_INTEGER Timeout = {.QuadPart = RELATIVE_MS(20)};
    cr_assert_eq(KeWaitForSingleObject(&H.Mutex, Executive, KernelMode, FALSE, &Timeout),
                 STATUS_TIMEOUT);
    KeSetEvent(&H.Release, IO_NO_INCREMENT, FALSE);
    JoinThread(T);
}
