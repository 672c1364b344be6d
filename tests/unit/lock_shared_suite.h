/*
 * lock_shared_suite.h — the tests of the shared mode, for the kinds that have one
 * (IRQL_RESOURCE, IRQL_PUSH_LOCK). Include after lock_suite.h, with SuiteLockShared and
 * SuiteTryLockShared defined.
 */
#ifndef IRQL_TEST_LOCK_SHARED_SUITE_H
#define IRQL_TEST_LOCK_SHARED_SUITE_H

typedef struct _PAIR {
    LONG A; /* the writer keeps A == B whenever it lets go */
    LONG B;
} PAIR;
typedef IRQL_PROTECTED(SUITE_LOCK, PAIR) PROTECTED_PAIR, *PPROTECTED_PAIR;

typedef struct _READ_WRITE_JOB {
    PPROTECTED_PAIR Pair;
    ULONG Iterations;
    volatile LONG Torn;      /* reads that saw A != B */
    volatile LONG Reads;
    volatile LONG WriterDone;
} READ_WRITE_JOB;

IRQL_AT(Reader, PASSIVE_LEVEL)
static VOID Reader(PVOID Context)
{
    IRQL_ENTER(Reader);
    READ_WRITE_JOB *Job = (READ_WRITE_JOB *)Context;
    ULONG i = 0;
    while (i < Job->Iterations || !ReadNoFence(&Job->WriterDone)) {
        if (i % 2) {
            IRQL_WITH_SHARED(Job->Pair, Pair) {
                if (Pair->A != Pair->B) {
                    InterlockedIncrement(&Job->Torn);
                }
            }
        } else {
            IRQL_WITH_SHARED_T(Job->Pair, PAIR, Pair) {
                if (Pair->A != Pair->B) {
                    InterlockedIncrement(&Job->Torn);
                }
            }
        }
        InterlockedIncrement(&Job->Reads);
        i++;
    }
}

IRQL_AT(Writer, PASSIVE_LEVEL)
static VOID Writer(PVOID Context)
{
    IRQL_ENTER(Writer);
    READ_WRITE_JOB *Job = (READ_WRITE_JOB *)Context;
    for (ULONG i = 0; i < Job->Iterations; i++) {
        IRQL_WITH(Job->Pair, Pair) {
            Pair->A++;
            YieldProcessor(); /* widen the window a reader must not see */
            Pair->B++;
        }
    }
    InterlockedIncrement(&Job->WriterDone);
}

IRQL_MAX(NewPair, PASSIVE_LEVEL)
static NTSTATUS NewPair(PPROTECTED_PAIR *Pair)
{
    IRQL_ENTER(NewPair);
    return IRQL_PROTECTED_NEW(PROTECTED_PAIR, Pair, NULL, LOCK_TEST_TAG);
}

IRQL_MAX(PairIntoInner, PASSIVE_LEVEL)
static NTSTATUS PairIntoInner(PPROTECTED_PAIR *Pair, PAIR *Out)
{
    IRQL_ENTER(PairIntoInner);
    return IRQL_PROTECTED_INTO_INNER(PROTECTED_PAIR, Pair, Out, LOCK_TEST_TAG);
}

Test(SUITE, shared_readers_never_see_an_exclusive_writer_halfway, .timeout = 240)
{
    static READ_WRITE_JOB Job;
    PAIR Final = {0, 0};
    PVOID Contexts[4] = {&Job, &Job, &Job, &Job};
    Job.Iterations = 3000;
    cr_assert_eq(NewPair(&Job.Pair), STATUS_SUCCESS);
    /* Three readers and a writer at once: start the readers, then run the writer. */
    PVOID Threads[3];
    for (int i = 0; i < 3; i++) {
        Threads[i] = StartThread(Reader, &Job);
    }
    RunSystemThreadsEach(1, Writer, Contexts, NULL);
    for (int i = 0; i < 3; i++) {
        JoinThread(Threads[i]);
    }
    cr_assert_eq(Job.Torn, 0, "no reader saw a half-done write");
    cr_assert_geq(Job.Reads, 9000);
    cr_assert_eq(PairIntoInner(&Job.Pair, &Final), STATUS_SUCCESS);
    cr_assert_eq(Final.A, 3000);
    cr_assert_eq(Final.B, 3000);
}

static NTSTATUS HolderAcquireShared(PLOCK_HOLDER Holder)
{
    return SuiteLockShared((SUITE_LOCK *)Holder->Lock, &Holder->Guard);
}

Test(SUITE, shared_holders_coexist_and_exclude_a_writer)
{
    static SUITE_LOCK Lock;
    LOCK_HOLDER Holder;
    LOCK_GUARD Guard;
    cr_assert_eq(SuiteInit(&Lock), STATUS_SUCCESS);
    StartLockHolder(&Holder, &Lock, HolderAcquireShared, HolderRelease);
    cr_assert_eq(SuiteTryLock(&Lock, &Guard), STATUS_IRQL_LOCK_BUSY, "a reader holds it");
    AssertThreadClean();
    cr_assert_eq(SuiteTryLockShared(&Lock, &Guard), STATUS_SUCCESS, "readers share it");
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL, "the IRQL is unchanged");
    cr_assert(KeAreApcsDisabled(), "inside the critical region the wrapper entered");
    cr_assert_eq(SuiteDelete(&Lock), STATUS_IRQL_LOCK_HELD);
    cr_assert_eq(SuiteUnlock(&Lock, &Guard), STATUS_SUCCESS);
    AssertThreadClean();
    StopLockHolder(&Holder);
    /* An exclusive holder keeps readers out. */
    StartLockHolder(&Holder, &Lock, HolderAcquire, HolderRelease);
    cr_assert_eq(SuiteTryLockShared(&Lock, &Guard), STATUS_IRQL_LOCK_BUSY);
    AssertThreadClean();
    StopLockHolder(&Holder);
    AssertFree(&Lock);
}

Test(SUITE, a_shared_holder_cannot_upgrade)
{
    static SUITE_LOCK Lock;
    LOCK_GUARD Guard, Second;
    cr_assert_eq(SuiteInit(&Lock), STATUS_SUCCESS);
    cr_assert_eq(SuiteLockShared(&Lock, &Guard), STATUS_SUCCESS);
    cr_assert_eq(SuiteLock(&Lock, &Second), STATUS_IRQL_LOCK_RECURSION, "it would wait forever");
    cr_assert_eq(SuiteTryLock(&Lock, &Second), STATUS_IRQL_LOCK_RECURSION);
    cr_assert_eq(SuiteUnlock(&Lock, &Guard), STATUS_SUCCESS);
    AssertThreadClean();
    AssertFree(&Lock);
}

IRQL_MAX(SharedBodies, PASSIVE_LEVEL)
static LONG SharedBodies(PPROTECTED_PAIR Pair)
{
    IRQL_ENTER(SharedBodies);
    LONG Sum = 0;
    IRQL_WITH(Pair, P) {
        P->A = 20;
        P->B = 22;
    }
    IRQL_WITH_SHARED(Pair, P) {
        Sum += P->A + P->B;
        if (KeGetCurrentIrql() != PASSIVE_LEVEL || !KeAreApcsDisabled()) {
            Sum = -1000;
        }
    }
    IRQL_LOCKED_SHARED(&Pair->Lock)
        Sum += Pair->Data.A;
    return Sum;
}

Test(SUITE, shared_scopes_read_and_release)
{
    PPROTECTED_PAIR Pair = NULL;
    PAIR Out;
    cr_assert_eq(NewPair(&Pair), STATUS_SUCCESS);
    cr_assert_eq(SharedBodies(Pair), 62);
    AssertThreadClean();
    cr_assert_eq(PairIntoInner(&Pair, &Out), STATUS_SUCCESS, "every scope released it");
}

#endif
