/*
 * lock_suite.h — the tests every checked lock kind passes: wdk-mutex's suite in C (3 system
 * threads x 500 locked increments = 1500, with the protected value global, heap-allocated,
 * and holding a pointer to separately allocated pool; into-inner returns the value), an
 * 8 x 10 000 stress, TryLock under contention, every run-time misuse returning its status with
 * the lock unchanged, and the scoped forms bug-checking where they cannot return one.
 *
 * A test_lock_<kind>.c defines, then includes this file:
 *   SUITE                 the test suite's name
 *   SUITE_LOCK            the wrapper type (IRQL_FAST_MUTEX …)
 *   SUITE_ACQUIRE_MAX     the highest IRQL Lock allows
 *   SUITE_TRY_MAX         the highest IRQL TryLock allows
 *   SUITE_TEARDOWN_MAX    the highest IRQL Delete / IRQL_PROTECTED_FREE allow
 *   SUITE_HELD_IRQL(B)    the IRQL while held, when Lock was called at B
 *   SUITE_WRONG_UNLOCK    an IRQL (reachable by raising from the held IRQL) Unlock refuses
 *   SUITE_RECURSIVE       1 if the owner may acquire again (KMUTEX; resource exclusive)
 *   SUITE_GUARDED         1 if Lock/Unlock take a guard (spin lock, push lock)
 *   SuiteInit(L), SuiteLock(L, G), SuiteTryLock(L, G), SuiteUnlock(L, G), SuiteDelete(L)
 */
#ifndef IRQL_TEST_LOCK_SUITE_H
#define IRQL_TEST_LOCK_SUITE_H

#include "lock_test.h"

typedef IRQL_PROTECTED(SUITE_LOCK, LONG) COUNTER, *PCOUNTER;

typedef struct _POINTED_DATA {
    PLONG Value;   /* a separate non-paged pool block */
    ULONG Touches;
} POINTED_DATA;
typedef IRQL_PROTECTED(SUITE_LOCK, POINTED_DATA) POINTED, *PPOINTED;

typedef struct _OTHER_DATA {
    ULONG64 Words[4];
} OTHER_DATA;
typedef IRQL_PROTECTED(SUITE_LOCK, OTHER_DATA) OTHER_COUNTER, *POTHER_COUNTER;

static COUNTER GlobalCounter;

/* ---- Workers (system threads, PASSIVE_LEVEL) -------------------------------------------- */

typedef struct _COUNT_JOB {
    PCOUNTER Counter;
    PPOINTED Pointed;
    ULONG Iterations;
    BOOLEAN Explicit; /* explicit Lock/Unlock on odd iterations (else always IRQL_WITH) */
    BOOLEAN ExplicitOnly;
    volatile LONG Busy;
    volatile LONG Errors;
} COUNT_JOB, *PCOUNT_JOB;

/* One locked increment through the explicit API; counts failures instead of asserting. */
static VOID ExplicitIncrement(PCOUNT_JOB Job)
{
    LOCK_GUARD Guard;
    NTSTATUS Status = SuiteLock(&Job->Counter->Lock, &Guard);
    if (!NT_SUCCESS(Status)) {
        InterlockedIncrement(&Job->Errors);
        return;
    }
    if (KeGetCurrentIrql() != SUITE_HELD_IRQL(PASSIVE_LEVEL)) {
        InterlockedIncrement(&Job->Errors);
    }
    Job->Counter->Data++;
    if (!NT_SUCCESS(SuiteUnlock(&Job->Counter->Lock, &Guard))) {
        InterlockedIncrement(&Job->Errors);
    }
}

IRQL_AT(CountWorker, PASSIVE_LEVEL)
static VOID CountWorker(PVOID Context)
{
    IRQL_ENTER(CountWorker);
    PCOUNT_JOB Job = (PCOUNT_JOB)Context;
    for (ULONG i = 0; i < Job->Iterations; i++) {
        if (Job->ExplicitOnly || (Job->Explicit && (i & 1))) {
            ExplicitIncrement(Job);
        } else {
            IRQL_WITH(Job->Counter, Value) {
                (*Value)++;
            }
        }
    }
    if (KeGetCurrentIrql() != PASSIVE_LEVEL) {
        InterlockedIncrement(&Job->Errors);
    }
}

IRQL_AT(PointedWorker, PASSIVE_LEVEL)
static VOID PointedWorker(PVOID Context)
{
    IRQL_ENTER(PointedWorker);
    PCOUNT_JOB Job = (PCOUNT_JOB)Context;
    for (ULONG i = 0; i < Job->Iterations; i++) {
        IRQL_WITH(Job->Pointed, Data) {
            (*Data->Value)++;
            Data->Touches++;
        }
    }
}

IRQL_AT(TryWorker, PASSIVE_LEVEL)
static VOID TryWorker(PVOID Context)
{
    IRQL_ENTER(TryWorker);
    PCOUNT_JOB Job = (PCOUNT_JOB)Context;
    ULONG Done = 0;
    ULONG Attempts = 0;
    while (Done < Job->Iterations) {
        LOCK_GUARD Guard;
        NTSTATUS Status = SuiteTryLock(&Job->Counter->Lock, &Guard);
        Attempts++;
        if (Status == STATUS_SUCCESS) {
            Job->Counter->Data++;
            if (!NT_SUCCESS(SuiteUnlock(&Job->Counter->Lock, &Guard))) {
                InterlockedIncrement(&Job->Errors);
            }
            Done++;
        } else if (Status == STATUS_IRQL_LOCK_BUSY) {
            InterlockedIncrement(&Job->Busy);
            if (KeGetCurrentIrql() != PASSIVE_LEVEL) {
                InterlockedIncrement(&Job->Errors); /* a failed try changed the IRQL */
            }
            if (Attempts % 64 == 0) {
                LARGE_INTEGER Pause = TestTimeout(0);
                (VOID)KeDelayExecutionThread(KernelMode, FALSE, &Pause);
            } else {
                YieldProcessor();
            }
        } else {
            InterlockedIncrement(&Job->Errors);
            return;
        }
    }
}

/* ---- Helpers with contracts (the heap macros check their context) ----------------------- */

IRQL_MAX(NewCounter, DISPATCH_LEVEL)
static NTSTATUS NewCounter(PCOUNTER *Counter, const LONG *Initial, ULONG Tag)
{
    IRQL_ENTER(NewCounter);
    return IRQL_PROTECTED_NEW(COUNTER, Counter, Initial, Tag);
}

IRQL_MAX(CounterIntoInner, SUITE_TEARDOWN_MAX)
static NTSTATUS CounterIntoInner(PCOUNTER *Counter, LONG *Out, ULONG Tag)
{
    IRQL_ENTER(CounterIntoInner);
    return IRQL_PROTECTED_INTO_INNER(COUNTER, Counter, Out, Tag);
}

IRQL_MAX(FreeCounter, SUITE_TEARDOWN_MAX)
static NTSTATUS FreeCounter(PCOUNTER *Counter, ULONG Tag)
{
    IRQL_ENTER(FreeCounter);
    return IRQL_PROTECTED_FREE(COUNTER, Counter, Tag);
}

/* The same at an IRQL reached by a raise by hand, which the compile-time context does not
   follow: the contract says PASSIVE_LEVEL, the run-time checks see the truth. */
IRQL_MAX(NewCounterAt, PASSIVE_LEVEL)
static NTSTATUS NewCounterAt(KIRQL Irql, PCOUNTER *Counter, ULONG Tag)
{
    IRQL_ENTER(NewCounterAt);
    KIRQL Old;
    NTSTATUS Status;
    KeRaiseIrql(Irql, &Old);
    Status = IRQL_PROTECTED_NEW(COUNTER, Counter, NULL, Tag);
    KeLowerIrql(Old);
    return Status;
}

IRQL_MAX(CounterIntoInnerAt, PASSIVE_LEVEL)
static NTSTATUS CounterIntoInnerAt(KIRQL Irql, PCOUNTER *Counter, LONG *Out, ULONG Tag)
{
    IRQL_ENTER(CounterIntoInnerAt);
    KIRQL Old;
    NTSTATUS Status;
    KeRaiseIrql(Irql, &Old);
    Status = IRQL_PROTECTED_INTO_INNER(COUNTER, Counter, Out, Tag);
    KeLowerIrql(Old);
    return Status;
}

IRQL_MAX(OtherIntoInner, PASSIVE_LEVEL)
static NTSTATUS OtherIntoInner(POTHER_COUNTER *Other, OTHER_DATA *Out, ULONG Tag)
{
    IRQL_ENTER(OtherIntoInner);
    return IRQL_PROTECTED_INTO_INNER(OTHER_COUNTER, Other, Out, Tag);
}

/* The lock is initialised and free: Delete says so (and Init makes it usable again). */
static void AssertFree(SUITE_LOCK *Lock)
{
    NTSTATUS Status = SuiteDelete(Lock);
    cr_assert_eq(Status, STATUS_SUCCESS, "the lock is free (Delete: 0x%08X)", (unsigned)Status);
    cr_assert_eq(SuiteInit(Lock), STATUS_SUCCESS);
}

/* The calling thread's state is what it was: PASSIVE_LEVEL, normal kernel APCs on. */
static void AssertThreadClean(void)
{
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL);
    cr_assert_not(KeAreApcsDisabled(), "no critical region left entered");
}

static NTSTATUS HolderAcquire(PLOCK_HOLDER Holder)
{
    return SuiteLock((SUITE_LOCK *)Holder->Lock, &Holder->Guard);
}

static NTSTATUS HolderRelease(PLOCK_HOLDER Holder)
{
    return SuiteUnlock((SUITE_LOCK *)Holder->Lock, &Holder->Guard);
}

/* ---- wdk-mutex's suite: 3 system threads x 500 = 1500 ---------------------------------- */

Test(SUITE, counts_1500_with_a_global_value_and_scoped_locks)
{
    COUNT_JOB Job = {.Counter = &GlobalCounter, .Iterations = 500};
    cr_assert_eq(SuiteInit(&GlobalCounter.Lock), STATUS_SUCCESS);
    GlobalCounter.Data = 0;
    RunSystemThreads(3, CountWorker, &Job);
    cr_assert_eq(GlobalCounter.Data, 1500);
    cr_assert_eq(Job.Errors, 0);
    AssertFree(&GlobalCounter.Lock);
}

Test(SUITE, counts_1500_with_a_global_value_and_the_explicit_api)
{
    COUNT_JOB Job = {.Counter = &GlobalCounter, .Iterations = 500, .ExplicitOnly = TRUE};
    cr_assert_eq(SuiteInit(&GlobalCounter.Lock), STATUS_SUCCESS);
    GlobalCounter.Data = 0;
    RunSystemThreads(3, CountWorker, &Job);
    cr_assert_eq(GlobalCounter.Data, 1500);
    cr_assert_eq(Job.Errors, 0);
    AssertFree(&GlobalCounter.Lock);
}

Test(SUITE, counts_1500_with_a_heap_value_and_into_inner_returns_it)
{
    PCOUNTER Counter = NULL;
    LONG Initial = 0, Final = -1;
    COUNT_JOB Job = {.Iterations = 500, .Explicit = TRUE};
    cr_assert_eq(NewCounter(&Counter, &Initial, LOCK_TEST_TAG), STATUS_SUCCESS);
    cr_assert_not_null(Counter);
    cr_assert_eq(LockTestPoolOutstanding(LOCK_TEST_TAG), 1);
    Job.Counter = Counter;
    RunSystemThreads(3, CountWorker, &Job);
    cr_assert_eq(Job.Errors, 0);
    cr_assert_eq(CounterIntoInner(&Counter, &Final, LOCK_TEST_TAG), STATUS_SUCCESS);
    cr_assert_eq(Final, 1500);
    cr_assert_null(Counter, "into-inner consumed the pointer");
    cr_assert_eq(LockTestPoolOutstanding(LOCK_TEST_TAG), 0, "the block was freed");
    cr_assert_eq(CounterIntoInner(&Counter, &Final, LOCK_TEST_TAG), STATUS_INVALID_PARAMETER,
                 "a second into-inner frees nothing twice");
    cr_assert_eq(Final, 1500);
}

IRQL_MAX(NewPointed, PASSIVE_LEVEL)
static NTSTATUS NewPointed(PPOINTED *Pointed, const POINTED_DATA *Initial)
{
    IRQL_ENTER(NewPointed);
    return IRQL_PROTECTED_NEW(POINTED, Pointed, Initial, LOCK_TEST_TAG);
}

IRQL_MAX(PointedIntoInner, PASSIVE_LEVEL)
static NTSTATUS PointedIntoInner(PPOINTED *Pointed, POINTED_DATA *Out)
{
    IRQL_ENTER(PointedIntoInner);
    return IRQL_PROTECTED_INTO_INNER(POINTED, Pointed, Out, LOCK_TEST_TAG);
}

Test(SUITE, counts_1500_through_a_pointer_to_separate_pool)
{
    PPOINTED Pointed = NULL;
    POINTED_DATA Initial = {0}, Inner = {0};
    COUNT_JOB Job = {.Iterations = 500};
    Initial.Value = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(LONG), LOCK_TEST_OTHER_TAG);
    cr_assert_not_null(Initial.Value);
    cr_assert_eq(NewPointed(&Pointed, &Initial), STATUS_SUCCESS);
    cr_assert_eq(Pointed->Data.Value, Initial.Value, "the initial value was copied in");
    Job.Pointed = Pointed;
    RunSystemThreads(3, PointedWorker, &Job);
    cr_assert_eq(PointedIntoInner(&Pointed, &Inner), STATUS_SUCCESS);
    cr_assert_null(Pointed);
    cr_assert_eq(Inner.Value, Initial.Value, "into-inner moved the pointer out");
    cr_assert_eq(*Inner.Value, 1500);
    cr_assert_eq(Inner.Touches, 1500);
    cr_assert_eq(LockTestPoolOutstanding(LOCK_TEST_TAG), 0);
    cr_assert_eq(LockTestPoolOutstanding(LOCK_TEST_OTHER_TAG), 1,
                 "the pointed-to block is the caller's now, freed by nobody else");
    ExFreePoolWithTag(Inner.Value, LOCK_TEST_OTHER_TAG); /* exactly once: the host would
                                                             bug-check a double free */
    cr_assert_eq(LockTestPoolOutstanding(LOCK_TEST_OTHER_TAG), 0);
}

/* ---- Stress and TryLock ----------------------------------------------------------------- */

Test(SUITE, stress_8_threads_x_10000, .timeout = 240)
{
    PCOUNTER Counter = NULL;
    LONG Final = 0;
    COUNT_JOB Job = {.Iterations = 10000, .Explicit = TRUE};
    cr_assert_eq(NewCounter(&Counter, NULL, LOCK_TEST_TAG), STATUS_SUCCESS);
    cr_assert_eq(Counter->Data, 0, "a NULL initial value is zero");
    Job.Counter = Counter;
    RunSystemThreads(8, CountWorker, &Job);
    cr_assert_eq(Job.Errors, 0);
    cr_assert_eq(CounterIntoInner(&Counter, &Final, LOCK_TEST_TAG), STATUS_SUCCESS);
    cr_assert_eq(Final, 80000);
}

Test(SUITE, trylock_under_contention_counts_exactly, .timeout = 240)
{
    PCOUNTER Counter = NULL;
    LONG Final = 0;
    COUNT_JOB Job = {.Iterations = 2000};
    cr_assert_eq(NewCounter(&Counter, NULL, LOCK_TEST_TAG), STATUS_SUCCESS);
    Job.Counter = Counter;
    RunSystemThreads(8, TryWorker, &Job);
    cr_assert_eq(Job.Errors, 0, "every failed try was STATUS_IRQL_LOCK_BUSY, at the same IRQL");
    cr_assert_eq(CounterIntoInner(&Counter, &Final, LOCK_TEST_TAG), STATUS_SUCCESS);
    cr_assert_eq(Final, 16000);
    cr_log_info("%ld busy tries", (long)Job.Busy);
}

Test(SUITE, trylock_finds_it_busy_and_changes_nothing)
{
    static SUITE_LOCK Lock;
    LOCK_HOLDER Holder;
    LOCK_GUARD Guard;
    cr_assert_eq(SuiteInit(&Lock), STATUS_SUCCESS);
    StartLockHolder(&Holder, &Lock, HolderAcquire, HolderRelease);
    for (int i = 0; i < 3; i++) {
        NTSTATUS Status = SuiteTryLock(&Lock, &Guard);
        cr_assert_eq(Status, STATUS_IRQL_LOCK_BUSY, "0x%08X", (unsigned)Status);
        cr_assert_not(NT_SUCCESS(Status), "busy is not a success");
        AssertThreadClean();
    }
    cr_assert_eq(SuiteDelete(&Lock), STATUS_IRQL_LOCK_HELD);
    StopLockHolder(&Holder);
    cr_assert_eq(SuiteTryLock(&Lock, &Guard), STATUS_SUCCESS);
    cr_assert_eq(KeGetCurrentIrql(), SUITE_HELD_IRQL(PASSIVE_LEVEL));
    cr_assert_eq(SuiteUnlock(&Lock, &Guard), STATUS_SUCCESS);
    AssertThreadClean();
    AssertFree(&Lock);
}

/* ---- Every run-time misuse returns its status and changes nothing ----------------------- */

Test(SUITE, use_before_init_is_refused)
{
    static SUITE_LOCK Zeroed; /* static storage: all zero, never initialised */
    LOCK_GUARD Guard;
    memset(&Guard, 0, sizeof(Guard));
    cr_assert_eq(SuiteLock(&Zeroed, &Guard), STATUS_IRQL_LOCK_NOT_INITIALIZED);
    AssertThreadClean();
    cr_assert_eq(SuiteTryLock(&Zeroed, &Guard), STATUS_IRQL_LOCK_NOT_INITIALIZED);
    AssertThreadClean();
    cr_assert_eq(SuiteUnlock(&Zeroed, &Guard), STATUS_IRQL_LOCK_NOT_INITIALIZED);
    cr_assert_eq(SuiteDelete(&Zeroed), STATUS_IRQL_LOCK_NOT_INITIALIZED);
    AssertThreadClean();
    SUITE_LOCK Zero;
    memset(&Zero, 0, sizeof(Zero));
    cr_assert_eq(memcmp(&Zero, &Zeroed, sizeof(Zero)), 0, "nothing was written to it");
}

Test(SUITE, a_deleted_lock_reads_as_not_initialised)
{
    static SUITE_LOCK Lock;
    LOCK_GUARD Guard;
    cr_assert_eq(SuiteInit(&Lock), STATUS_SUCCESS);
    cr_assert_eq(SuiteDelete(&Lock), STATUS_SUCCESS);
    cr_assert_eq(SuiteLock(&Lock, &Guard), STATUS_IRQL_LOCK_NOT_INITIALIZED);
    cr_assert_eq(SuiteDelete(&Lock), STATUS_IRQL_LOCK_NOT_INITIALIZED);
    AssertThreadClean();
    cr_assert_eq(SuiteInit(&Lock), STATUS_SUCCESS, "and can be initialised again");
    cr_assert_eq(SuiteLock(&Lock, &Guard), STATUS_SUCCESS);
    cr_assert_eq(SuiteUnlock(&Lock, &Guard), STATUS_SUCCESS);
    AssertFree(&Lock);
}

Test(SUITE, init_above_dispatch_is_refused)
{
    static SUITE_LOCK Lock;
    KIRQL Old;
    LOCK_GUARD Guard;
    KeRaiseIrql(DISPATCH_LEVEL + 1, &Old);
    cr_assert_eq(SuiteInit(&Lock), STATUS_IRQL_LOCK_IRQL_TOO_HIGH);
    cr_assert_eq(KeGetCurrentIrql(), DISPATCH_LEVEL + 1);
    KeLowerIrql(Old);
    cr_assert_eq(SuiteLock(&Lock, &Guard), STATUS_IRQL_LOCK_NOT_INITIALIZED,
                 "the refused Init wrote nothing");
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    cr_assert_eq(SuiteInit(&Lock), STATUS_SUCCESS, "DISPATCH_LEVEL is allowed");
    KeLowerIrql(Old);
    AssertFree(&Lock);
}

Test(SUITE, lock_above_the_kinds_maximum_is_refused)
{
    static SUITE_LOCK Lock;
    LOCK_GUARD Guard;
    KIRQL Old;
    cr_assert_eq(SuiteInit(&Lock), STATUS_SUCCESS);
    KeRaiseIrql(SUITE_ACQUIRE_MAX + 1, &Old);
    cr_assert_eq(SuiteLock(&Lock, &Guard), STATUS_IRQL_LOCK_IRQL_TOO_HIGH);
    cr_assert_eq(KeGetCurrentIrql(), SUITE_ACQUIRE_MAX + 1, "the IRQL is unchanged");
    KeLowerIrql(Old);
    KeRaiseIrql(SUITE_TRY_MAX + 1, &Old);
    cr_assert_eq(SuiteTryLock(&Lock, &Guard), STATUS_IRQL_LOCK_IRQL_TOO_HIGH);
    cr_assert_eq(KeGetCurrentIrql(), SUITE_TRY_MAX + 1);
    KeLowerIrql(Old);
    KeRaiseIrql(HIGH_LEVEL, &Old);
    cr_assert_eq(SuiteLock(&Lock, &Guard), STATUS_IRQL_LOCK_IRQL_TOO_HIGH);
    KeLowerIrql(Old);
    AssertThreadClean();
    AssertFree(&Lock);
    /* At the maximum itself it works. */
    KeRaiseIrql(SUITE_ACQUIRE_MAX, &Old);
    cr_assert_eq(SuiteLock(&Lock, &Guard), STATUS_SUCCESS);
    cr_assert_eq(KeGetCurrentIrql(), SUITE_HELD_IRQL(SUITE_ACQUIRE_MAX));
    cr_assert_eq(SuiteUnlock(&Lock, &Guard), STATUS_SUCCESS);
    cr_assert_eq(KeGetCurrentIrql(), SUITE_ACQUIRE_MAX);
    KeLowerIrql(Old);
    AssertFree(&Lock);
}

Test(SUITE, unlock_by_a_non_owner_is_refused)
{
    static SUITE_LOCK Lock;
    LOCK_HOLDER Holder;
    LOCK_GUARD Guard;
    memset(&Guard, 0, sizeof(Guard));
    cr_assert_eq(SuiteInit(&Lock), STATUS_SUCCESS);
    cr_assert_eq(SuiteUnlock(&Lock, &Guard), STATUS_IRQL_LOCK_NOT_OWNER, "nobody holds it");
    AssertFree(&Lock);
    StartLockHolder(&Holder, &Lock, HolderAcquire, HolderRelease);
    cr_assert_eq(SuiteUnlock(&Lock, &Guard), STATUS_IRQL_LOCK_NOT_OWNER);
    /* Even with the owner's own guard. */
    cr_assert_eq(SuiteUnlock(&Lock, &Holder.Guard), STATUS_IRQL_LOCK_NOT_OWNER);
    AssertThreadClean();
    cr_assert_eq(SuiteTryLock(&Lock, &Guard), STATUS_IRQL_LOCK_BUSY, "still held by the holder");
    StopLockHolder(&Holder); /* whose release succeeds: nothing was corrupted */
    AssertFree(&Lock);
}

Test(SUITE, unlock_at_the_wrong_irql_is_refused)
{
    static SUITE_LOCK Lock;
    LOCK_GUARD Guard;
    KIRQL Old;
    cr_assert_eq(SuiteInit(&Lock), STATUS_SUCCESS);
    cr_assert_eq(SuiteLock(&Lock, &Guard), STATUS_SUCCESS);
    KeRaiseIrql(SUITE_WRONG_UNLOCK, &Old);
    cr_assert_eq(SuiteUnlock(&Lock, &Guard), STATUS_IRQL_LOCK_WRONG_IRQL);
    cr_assert_eq(KeGetCurrentIrql(), SUITE_WRONG_UNLOCK);
    KeLowerIrql(Old);
    cr_assert_eq(SuiteDelete(&Lock), STATUS_IRQL_LOCK_HELD, "still held");
    cr_assert_eq(SuiteUnlock(&Lock, &Guard), STATUS_SUCCESS);
    AssertThreadClean();
    AssertFree(&Lock);
}

Test(SUITE, reacquire_by_the_owner)
{
    static SUITE_LOCK Lock;
    LOCK_GUARD Guard, Second;
    cr_assert_eq(SuiteInit(&Lock), STATUS_SUCCESS);
    cr_assert_eq(SuiteLock(&Lock, &Guard), STATUS_SUCCESS);
#if SUITE_RECURSIVE
    cr_assert_eq(SuiteLock(&Lock, &Second), STATUS_SUCCESS, "recursive, as the kernel's");
    cr_assert_eq(SuiteTryLock(&Lock, &Second), STATUS_SUCCESS);
    cr_assert_eq(SuiteUnlock(&Lock, &Second), STATUS_SUCCESS);
    cr_assert_eq(SuiteUnlock(&Lock, &Second), STATUS_SUCCESS);
    cr_assert_eq(SuiteDelete(&Lock), STATUS_IRQL_LOCK_HELD, "one acquisition left");
#else
    cr_assert_eq(SuiteLock(&Lock, &Second), STATUS_IRQL_LOCK_RECURSION);
    cr_assert_eq(SuiteTryLock(&Lock, &Second), STATUS_IRQL_LOCK_RECURSION);
    cr_assert_eq(KeGetCurrentIrql(), SUITE_HELD_IRQL(PASSIVE_LEVEL));
#endif
    cr_assert_eq(SuiteUnlock(&Lock, &Guard), STATUS_SUCCESS);
    AssertThreadClean();
    AssertFree(&Lock);
}

Test(SUITE, delete_refuses_a_held_lock)
{
    static SUITE_LOCK Lock;
    LOCK_GUARD Guard;
    cr_assert_eq(SuiteInit(&Lock), STATUS_SUCCESS);
    cr_assert_eq(SuiteLock(&Lock, &Guard), STATUS_SUCCESS);
    cr_assert_eq(SuiteDelete(&Lock), STATUS_IRQL_LOCK_HELD);
    cr_assert_eq(SuiteUnlock(&Lock, &Guard), STATUS_SUCCESS, "the refused Delete changed nothing");
    cr_assert_eq(SuiteDelete(&Lock), STATUS_SUCCESS);
    cr_assert_eq(SuiteLock(&Lock, &Guard), STATUS_IRQL_LOCK_NOT_INITIALIZED);
    AssertThreadClean();
}

/* ---- The heap form's own checks --------------------------------------------------------- */

Test(SUITE, into_inner_refuses_while_the_lock_is_held)
{
    PCOUNTER Counter = NULL;
    LONG Initial = 41, Out = 0;
    LOCK_GUARD Guard;
    LOCK_HOLDER Holder;
    cr_assert_eq(NewCounter(&Counter, &Initial, LOCK_TEST_TAG), STATUS_SUCCESS);
    cr_assert_eq(Counter->Data, 41);
    PCOUNTER Saved = Counter;
    cr_assert_eq(SuiteLock(&Counter->Lock, &Guard), STATUS_SUCCESS);
    cr_assert_eq(CounterIntoInner(&Counter, &Out, LOCK_TEST_TAG), STATUS_IRQL_LOCK_HELD,
                 "held by the caller");
    cr_assert_eq(Counter, Saved, "the pointer is untouched");
    cr_assert_eq(Out, 0, "nothing was moved out");
    Counter->Data++;
    cr_assert_eq(SuiteUnlock(&Counter->Lock, &Guard), STATUS_SUCCESS);
    StartLockHolder(&Holder, &Counter->Lock, HolderAcquire, HolderRelease);
    cr_assert_eq(FreeCounter(&Counter, LOCK_TEST_TAG), STATUS_IRQL_LOCK_HELD,
                 "held by another thread");
    StopLockHolder(&Holder);
    cr_assert_eq(LockTestPoolOutstanding(LOCK_TEST_TAG), 1);
    cr_assert_eq(CounterIntoInner(&Counter, &Out, LOCK_TEST_TAG), STATUS_SUCCESS);
    cr_assert_eq(Out, 42);
    cr_assert_eq(LockTestPoolOutstanding(LOCK_TEST_TAG), 0);
    AssertThreadClean();
}

Test(SUITE, heap_form_checks_tags_types_and_irql)
{
    PCOUNTER Counter = (PCOUNTER)(ULONG_PTR)1;
    LONG Out = 0;
    KIRQL Old;
    cr_assert_eq(NewCounter(&Counter, NULL, 0), STATUS_IRQL_POOL_TAG_INVALID);
    cr_assert_null(Counter, "a failed NEW leaves NULL");
    cr_assert_eq(NewCounter(&Counter, NULL, 0x0A0B0C0D), STATUS_IRQL_POOL_TAG_INVALID);
    cr_assert_eq(NewCounterAt(DISPATCH_LEVEL + 1, &Counter, LOCK_TEST_TAG),
                 STATUS_IRQL_LOCK_IRQL_TOO_HIGH);
    IrqlHostInjectPoolFailure(1, LOCK_TEST_TAG);
    cr_assert_eq(NewCounter(&Counter, NULL, LOCK_TEST_TAG), STATUS_INSUFFICIENT_RESOURCES);
    cr_assert_null(Counter);
    cr_assert_eq(LockTestPoolOutstanding(LOCK_TEST_TAG), 0, "nothing allocated so far");

    /* Allowed at DISPATCH_LEVEL. */
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    cr_assert_eq(NewCounter(&Counter, NULL, LOCK_TEST_TAG), STATUS_SUCCESS);
    KeLowerIrql(Old);
    cr_assert_not_null(Counter);
    PCOUNTER Saved = Counter;

    cr_assert_eq(CounterIntoInner(&Counter, &Out, LOCK_TEST_OTHER_TAG),
                 STATUS_IRQL_POOL_TAG_MISMATCH);
    cr_assert_eq(CounterIntoInner(&Counter, &Out, 0), STATUS_IRQL_POOL_TAG_INVALID);
    cr_assert_eq(CounterIntoInnerAt(SUITE_TEARDOWN_MAX + 1, &Counter, &Out, LOCK_TEST_TAG),
                 STATUS_IRQL_LOCK_IRQL_TOO_HIGH);
    /* Another protected type of the same lock kind, reached by a cast: its size differs. */
    POTHER_COUNTER Other = (POTHER_COUNTER)(PVOID)Counter;
    OTHER_DATA OtherOut = {{0}};
    cr_assert_eq(OtherIntoInner(&Other, &OtherOut, LOCK_TEST_TAG),
                 STATUS_IRQL_PROTECTED_MISMATCH);
    cr_assert_eq(OtherOut.Words[0], 0);
    cr_assert_eq(Counter, Saved);
    cr_assert_eq(LockTestPoolOutstanding(LOCK_TEST_TAG), 1, "every refusal freed nothing");
    cr_assert_eq(Out, 0);

    KeRaiseIrql(SUITE_TEARDOWN_MAX, &Old);
    cr_assert_eq(FreeCounter(&Counter, LOCK_TEST_TAG), STATUS_SUCCESS);
    KeLowerIrql(Old);
    cr_assert_null(Counter);
    cr_assert_eq(FreeCounter(&Counter, LOCK_TEST_TAG), STATUS_INVALID_PARAMETER);
    cr_assert_eq(LockTestPoolOutstanding(LOCK_TEST_TAG), 0);
    AssertThreadClean();
}

/* ---- Scoped forms: what they cannot return, they bug-check ------------------------------ */

static COUNTER ScopeCounter;

IRQL_MAX(ScopeIncrement, PASSIVE_LEVEL)
static VOID ScopeIncrement(PCOUNTER Counter)
{
    IRQL_ENTER(ScopeIncrement);
    IRQL_WITH(Counter, Value) {
        (*Value)++;
    }
}

static VOID RunScopeOnZeroed(PVOID Context)
{
    ScopeIncrement((PCOUNTER)Context);
}

Test(SUITE, scope_on_an_uninitialised_lock_bugchecks)
{
    static COUNTER Zeroed;
    ExpectLockViolation(RunScopeOnZeroed, &Zeroed, STATUS_IRQL_LOCK_NOT_INITIALIZED,
                        &Zeroed.Lock, "IRQL_WITH(Counter, Value)");
    cr_assert_eq(Zeroed.Data, 0, "the body did not run");
    AssertThreadClean();
}

/* The compile-time context says PASSIVE_LEVEL; a raise by hand (which contexts do not follow)
   makes it a lie the scope finds at run time. */
IRQL_MAX(ScopeAfterHandRaise, PASSIVE_LEVEL)
static VOID ScopeAfterHandRaise(PVOID Context)
{
    IRQL_ENTER(ScopeAfterHandRaise);
    PCOUNTER Counter = (PCOUNTER)Context;
    KIRQL Old;
    KeRaiseIrql(SUITE_ACQUIRE_MAX + 1, &Old);
    IRQL_LOCKED(&Counter->Lock) {
        Counter->Data++;
    }
    KeLowerIrql(Old);
}

Test(SUITE, scope_in_code_whose_context_lies_bugchecks)
{
    cr_assert_eq(SuiteInit(&ScopeCounter.Lock), STATUS_SUCCESS);
    ExpectLockViolation(ScopeAfterHandRaise, &ScopeCounter, STATUS_IRQL_LOCK_IRQL_TOO_HIGH,
                        &ScopeCounter.Lock, "IRQL_LOCKED(&Counter->Lock)");
    cr_assert_eq(ScopeCounter.Data, 0, "the body did not run");
    AssertThreadClean();
    AssertFree(&ScopeCounter.Lock);
}

/* A function whose contract lies is caught by its own IRQL_ENTER (the backstop) before any
   lock is touched. */
static VOID RunScopeIncrementAtDispatch(PVOID Context)
{
    IrqlHostRunAtIrql(DISPATCH_LEVEL, RunScopeOnZeroed, Context);
}

Test(SUITE, a_lying_contract_is_caught_by_the_backstop_first)
{
    cr_assert_eq(SuiteInit(&ScopeCounter.Lock), STATUS_SUCCESS);
    ExpectBugCheck(RunScopeIncrementAtDispatch, &ScopeCounter, IRQL_BUGCHECK_CONTRACT_VIOLATION,
                   DISPATCH_LEVEL);
    AssertThreadClean();
    AssertFree(&ScopeCounter.Lock);
}

IRQL_MAX(ScopeLeavesRaised, PASSIVE_LEVEL)
static VOID ScopeLeavesRaised(PVOID Context)
{
    IRQL_ENTER(ScopeLeavesRaised);
    PCOUNTER Counter = (PCOUNTER)Context;
    IRQL_WITH(Counter, Value) {
        KIRQL Old;
        (*Value)++;
        KeRaiseIrql(SUITE_WRONG_UNLOCK, &Old); /* and never lowered */
        (VOID)Old;
    }
}

Test(SUITE, scope_left_at_the_wrong_irql_bugchecks)
{
    cr_assert_eq(SuiteInit(&ScopeCounter.Lock), STATUS_SUCCESS);
    IRQL_HOST_BUGCHECK Report =
        ExpectLockViolation(ScopeLeavesRaised, &ScopeCounter, STATUS_IRQL_LOCK_WRONG_IRQL,
                            &ScopeCounter.Lock, "IRQL_WITH(Counter, Value)");
    cr_assert_eq(Report.Irql, SUITE_WRONG_UNLOCK);
    cr_assert_eq(ScopeCounter.Data, 1);
}

IRQL_MAX(ScopeNested, PASSIVE_LEVEL)
static VOID ScopeNested(PVOID Context)
{
    IRQL_ENTER(ScopeNested);
    PCOUNTER Counter = (PCOUNTER)Context;
    IRQL_WITH(Counter, Outer) {
        (*Outer)++;
        IRQL_LOCKED(&Counter->Lock) {
            (*Outer)++;
        }
    }
}

#if SUITE_RECURSIVE
Test(SUITE, nested_scopes_on_the_same_lock_recurse)
{
    cr_assert_eq(SuiteInit(&ScopeCounter.Lock), STATUS_SUCCESS);
    ScopeNested(&ScopeCounter);
    cr_assert_eq(ScopeCounter.Data, 2);
    AssertThreadClean();
    AssertFree(&ScopeCounter.Lock);
}
#else
Test(SUITE, nested_scopes_on_the_same_lock_bugcheck)
{
    cr_assert_eq(SuiteInit(&ScopeCounter.Lock), STATUS_SUCCESS);
    ExpectLockViolation(ScopeNested, &ScopeCounter, STATUS_IRQL_LOCK_RECURSION,
                        &ScopeCounter.Lock, "IRQL_LOCKED(&Counter->Lock)");
    cr_assert_eq(ScopeCounter.Data, 1, "the inner body did not run");
}
#endif

#if !SUITE_GUARDED
/* The body releases the lock by hand: at the end the scope no longer owns it. */
IRQL_MAX(ScopeReleasedByHand, PASSIVE_LEVEL)
static VOID ScopeReleasedByHand(PVOID Context)
{
    IRQL_ENTER(ScopeReleasedByHand);
    PCOUNTER Counter = (PCOUNTER)Context;
    IRQL_WITH(Counter, Value) {
        (*Value)++;
        (VOID)SuiteUnlock(&Counter->Lock, NULL);
    }
}

Test(SUITE, scope_whose_lock_was_released_by_hand_bugchecks)
{
    cr_assert_eq(SuiteInit(&ScopeCounter.Lock), STATUS_SUCCESS);
    ExpectLockViolation(ScopeReleasedByHand, &ScopeCounter, STATUS_IRQL_LOCK_NOT_OWNER,
                        &ScopeCounter.Lock, "IRQL_WITH(Counter, Value)");
    AssertThreadClean();
    AssertFree(&ScopeCounter.Lock);
}
#endif

#endif
