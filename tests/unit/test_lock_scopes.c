/*
 * The scoped lock statements (IRQL_WITH, IRQL_WITH_T, IRQL_WITH_SHARED, IRQL_LOCKED,
 * IRQL_LOCKED_SHARED) at run time, for every lock kind: the body runs at the kind's IRQL with
 * the lock held, and the lock is released on every way out the scope form supports. Built
 * twice: with the cleanup attribute and with the portable form MSVC gets (IRQL_NO_CLEANUP),
 * where return and goto out of a block are not supported.
 */
#include "lock_test.h"

typedef struct _STATS {
    LONG Packets;
    LONG Bytes;
} STATS;

typedef IRQL_PROTECTED(IRQL_KMUTEX, STATS) KMUTEX_STATS;
typedef IRQL_PROTECTED(IRQL_FAST_MUTEX, STATS) FAST_STATS;
typedef IRQL_PROTECTED(IRQL_GUARDED_MUTEX, STATS) GUARDED_STATS;
typedef IRQL_PROTECTED(IRQL_SPIN_LOCK, STATS) SPIN_STATS;
typedef IRQL_PROTECTED(IRQL_RESOURCE, STATS) RESOURCE_STATS;
typedef IRQL_PROTECTED(IRQL_PUSH_LOCK, STATS) PUSH_STATS;

static KMUTEX_STATS KMutexStats;
static FAST_STATS FastStats;
static GUARDED_STATS GuardedStats;
static SPIN_STATS SpinStats;
static RESOURCE_STATS ResourceStats;
static PUSH_STATS PushStats;

static void InitAll(void)
{
    cr_assert_eq(IrqlKMutexInit(&KMutexStats.Lock), STATUS_SUCCESS);
    cr_assert_eq(IrqlFastMutexInit(&FastStats.Lock), STATUS_SUCCESS);
    cr_assert_eq(IrqlGuardedMutexInit(&GuardedStats.Lock), STATUS_SUCCESS);
    cr_assert_eq(IrqlSpinLockInit(&SpinStats.Lock), STATUS_SUCCESS);
    cr_assert_eq(IrqlResourceInit(&ResourceStats.Lock), STATUS_SUCCESS);
    cr_assert_eq(IrqlPushLockInit(&PushStats.Lock), STATUS_SUCCESS);
}

/* Every lock is free (Delete refuses a held one) and the thread is back to normal. */
static void AssertAllFree(void)
{
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL);
    cr_assert_not(KeAreApcsDisabled(), "no critical region left entered");
    cr_assert_eq(IrqlKMutexDelete(&KMutexStats.Lock), STATUS_SUCCESS, "KMUTEX released");
    cr_assert_eq(IrqlFastMutexDelete(&FastStats.Lock), STATUS_SUCCESS, "FAST_MUTEX released");
    cr_assert_eq(IrqlGuardedMutexDelete(&GuardedStats.Lock), STATUS_SUCCESS, "guarded released");
    cr_assert_eq(IrqlSpinLockDelete(&SpinStats.Lock), STATUS_SUCCESS, "spin lock released");
    cr_assert_eq(IrqlResourceDelete(&ResourceStats.Lock), STATUS_SUCCESS, "resource released");
    cr_assert_eq(IrqlPushLockDelete(&PushStats.Lock), STATUS_SUCCESS, "push lock released");
}

/* Callees whose contracts check the body's compile-time range. */
IRQL_AT(AtPassive, PASSIVE_LEVEL)
static KIRQL AtPassive(VOID)
{
    IRQL_ENTER(AtPassive);
    return KeGetCurrentIrql();
}

IRQL_AT(AtApc, APC_LEVEL)
static KIRQL AtApc(VOID)
{
    IRQL_ENTER(AtApc);
    return KeGetCurrentIrql();
}

IRQL_AT(AtDispatch, DISPATCH_LEVEL)
static KIRQL AtDispatch(VOID)
{
    IRQL_ENTER(AtDispatch);
    return KeGetCurrentIrql();
}

/* ---- The body runs at the kind's IRQL, with the lock held ------------------------------- */

IRQL_AT(BodyLevels, PASSIVE_LEVEL)
static VOID BodyLevels(VOID)
{
    IRQL_ENTER(BodyLevels);
    IRQL_WITH(&KMutexStats, S) {
        cr_assert_eq(IRQL_CALL(AtPassive)(), PASSIVE_LEVEL, "KMUTEX: the IRQL is unchanged");
        cr_assert(KeAreApcsDisabled(), "KMUTEX: normal kernel APCs are off");
        cr_assert_eq(IrqlKMutexDelete(&KMutexStats.Lock), STATUS_IRQL_LOCK_HELD);
        S->Packets++;
    }
    IRQL_WITH(&FastStats, S) {
        cr_assert_eq(IRQL_CALL(AtApc)(), APC_LEVEL, "FAST_MUTEX: the body runs at APC_LEVEL");
        cr_assert_eq(IrqlFastMutexDelete(&FastStats.Lock), STATUS_IRQL_LOCK_HELD);
        S->Packets++;
    }
    IRQL_WITH(&GuardedStats, S) {
        cr_assert_eq(IRQL_CALL(AtApc)(), APC_LEVEL, "guarded mutex: APC_LEVEL");
        cr_assert_eq(IrqlGuardedMutexDelete(&GuardedStats.Lock), STATUS_IRQL_LOCK_HELD);
        S->Packets++;
    }
    IRQL_WITH(&SpinStats, S) {
        cr_assert_eq(IRQL_CALL(AtDispatch)(), DISPATCH_LEVEL, "spin lock: DISPATCH_LEVEL");
        cr_assert_eq(IrqlSpinLockDelete(&SpinStats.Lock), STATUS_IRQL_LOCK_HELD);
        S->Packets++;
    }
    IRQL_WITH(&ResourceStats, S) {
        cr_assert_eq(IRQL_CALL(AtPassive)(), PASSIVE_LEVEL, "resource: unchanged");
        cr_assert(KeAreApcsDisabled(), "resource: inside a critical region");
        cr_assert(ExIsResourceAcquiredExclusiveLite(&ResourceStats.Lock.Resource));
        S->Packets++;
    }
    IRQL_WITH(&PushStats, S) {
        cr_assert_eq(IRQL_CALL(AtPassive)(), PASSIVE_LEVEL, "push lock: unchanged");
        cr_assert(KeAreApcsDisabled(), "push lock: inside a critical region");
        cr_assert_eq(IrqlPushLockDelete(&PushStats.Lock), STATUS_IRQL_LOCK_HELD);
        S->Packets++;
    }
    IRQL_WITH_SHARED(&ResourceStats, S) {
        cr_assert_eq(S->Packets, 1);
        cr_assert_eq(IRQL_CALL(AtPassive)(), PASSIVE_LEVEL);
        cr_assert_eq(ExIsResourceAcquiredExclusiveLite(&ResourceStats.Lock.Resource), FALSE);
    }
    IRQL_WITH_SHARED(&PushStats, S) {
        cr_assert_eq(S->Packets, 1);
    }
}

Test(scopes, each_body_runs_at_its_kinds_irql_and_releases)
{
    InitAll();
    BodyLevels();
    cr_assert_eq(KMutexStats.Data.Packets + FastStats.Data.Packets + GuardedStats.Data.Packets +
                     SpinStats.Data.Packets + ResourceStats.Data.Packets +
                     PushStats.Data.Packets,
                 6);
    AssertAllFree();
}

/* At APC_LEVEL the mutex scopes stay at APC_LEVEL and give it back. */
IRQL_AT(BodiesAtApc, APC_LEVEL)
static VOID BodiesAtApc(VOID)
{
    IRQL_ENTER(BodiesAtApc);
    IRQL_WITH(&FastStats, S) {
        cr_assert_eq(IRQL_CALL(AtApc)(), APC_LEVEL);
        S->Bytes++;
    }
    IRQL_WITH(&KMutexStats, S) {
        cr_assert_eq(IRQL_CALL(AtApc)(), APC_LEVEL);
        S->Bytes++;
    }
    IRQL_WITH(&SpinStats, S) {
        cr_assert_eq(IRQL_CALL(AtDispatch)(), DISPATCH_LEVEL);
        S->Bytes++;
    }
    cr_assert_eq(KeGetCurrentIrql(), APC_LEVEL);
}

static VOID RunBodiesAtApc(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    BodiesAtApc();
}

Test(scopes, from_apc_level_each_returns_to_apc_level)
{
    InitAll();
    IrqlHostRunAtIrql(APC_LEVEL, RunBodiesAtApc, NULL);
    cr_assert_eq(FastStats.Data.Bytes + KMutexStats.Data.Bytes + SpinStats.Data.Bytes, 3);
    AssertAllFree();
}

/* Spin locks from DISPATCH_LEVEL (a DPC). */
IRQL_AT(SpinAtDispatch, DISPATCH_LEVEL)
static VOID SpinAtDispatch(VOID)
{
    IRQL_ENTER(SpinAtDispatch);
    IRQL_WITH(&SpinStats, S) {
        S->Packets += IRQL_CALL(AtDispatch)();
    }
    IRQL_LOCKED(&SpinStats.Lock) {
        SpinStats.Data.Packets++;
    }
}

static VOID RunSpinAtDispatch(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    SpinAtDispatch();
}

Test(scopes, a_spin_lock_scope_at_dispatch_level)
{
    InitAll();
    IrqlHostRunAtIrql(DISPATCH_LEVEL, RunSpinAtDispatch, NULL);
    cr_assert_eq(SpinStats.Data.Packets, DISPATCH_LEVEL + 1);
    AssertAllFree();
}

/* ---- Nesting and single statements ------------------------------------------------------ */

IRQL_AT(Nested, PASSIVE_LEVEL)
static LONG Nested(VOID)
{
    IRQL_ENTER(Nested);
    LONG Seen = 0;
    IRQL_WITH(&KMutexStats, K)
        IRQL_WITH(&ResourceStats, R)
            IRQL_WITH_SHARED(&PushStats, P)
                IRQL_WITH(&FastStats, F)
                    IRQL_WITH(&GuardedStats, G)
                        IRQL_WITH(&SpinStats, S) {
                            Seen = IRQL_CALL(AtDispatch)();
                            K->Packets++;
                            R->Packets++;
                            F->Packets += P->Packets;
                            G->Packets++;
                            S->Packets++;
                        }
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL);
    return Seen;
}

Test(scopes, scopes_nest_as_one_statement_each)
{
    InitAll();
    cr_assert_eq(Nested(), DISPATCH_LEVEL);
    cr_assert_eq(KMutexStats.Data.Packets, 1);
    cr_assert_eq(SpinStats.Data.Packets, 1);
    AssertAllFree();
}

IRQL_AT(SingleStatements, PASSIVE_LEVEL)
static LONG SingleStatements(LONG N)
{
    IRQL_ENTER(SingleStatements);
    LONG Count = 0;
    for (LONG i = 0; i < N; i++)
        IRQL_WITH(&SpinStats, S)
            S->Packets++;
    if (N > 0)
        IRQL_LOCKED(&FastStats.Lock)
            Count = N;
    else
        Count = -1;
    while (Count < N + 2)
        IRQL_WITH_T(&KMutexStats, STATS, S)
            S->Bytes = ++Count;
    do
        IRQL_LOCKED_SHARED(&ResourceStats.Lock) Count++;
    while (0);
    return Count;
}

Test(scopes, scopes_are_single_statements)
{
    InitAll();
    cr_assert_eq(SingleStatements(3), 6);
    cr_assert_eq(SpinStats.Data.Packets, 3);
    cr_assert_eq(KMutexStats.Data.Bytes, 5);
    AssertAllFree();
    InitAll();
    cr_assert_eq(SingleStatements(0), 3, "the else binds to the if, not to the scope");
    AssertAllFree();
}

/* ---- break and continue end the block, not a loop around it ----------------------------- */

IRQL_AT(BreakAndContinue, PASSIVE_LEVEL)
static LONG BreakAndContinue(VOID)
{
    IRQL_ENTER(BreakAndContinue);
    LONG Iterations = 0;
    for (LONG i = 0; i < 6; i++) {
        Iterations++;
        IRQL_WITH(&SpinStats, S) {
            S->Packets++;
            if (i % 2 == 0) {
                break; /* leaves the block, releases, and the loop goes on */
            }
            continue;
        }
        IRQL_WITH(&FastStats, F) {
            F->Packets++;
            if (i % 3 == 0) {
                break;
            }
            F->Bytes++;
        }
        IRQL_WITH(&PushStats, P) {
            P->Packets++;
            continue;
        }
        IRQL_WITH(&ResourceStats, R) {
            R->Packets++;
            break;
        }
        cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL, "each block released on its way out");
    }
    return Iterations;
}

Test(scopes, break_and_continue_leave_the_block_and_release)
{
    InitAll();
    cr_assert_eq(BreakAndContinue(), 6, "the enclosing loop ran every iteration");
    cr_assert_eq(SpinStats.Data.Packets, 6);
    cr_assert_eq(FastStats.Data.Packets, 6);
    cr_assert_eq(FastStats.Data.Bytes, 4);
    cr_assert_eq(PushStats.Data.Packets, 6);
    cr_assert_eq(ResourceStats.Data.Packets, 6);
    AssertAllFree();
}

/* ---- Ptr is evaluated once; Name may shadow a variable Ptr mentions ---------------------- */

IRQL_AT(EvaluatedOnce, PASSIVE_LEVEL)
static LONG EvaluatedOnce(VOID)
{
    IRQL_ENTER(EvaluatedOnce);
    FAST_STATS *Table[2] = {&FastStats, &FastStats};
    LONG Index = 0;
    IRQL_WITH(Table[Index++], S) {
        S->Packets++;
    }
    KMUTEX_STATS *S = &KMutexStats;
    IRQL_WITH(S, S) { /* the inner S is the data, the outer S the protected value */
        S->Bytes = 7;
    }
    return Index;
}

Test(scopes, ptr_is_evaluated_once)
{
    InitAll();
    cr_assert_eq(EvaluatedOnce(), 1);
    cr_assert_eq(FastStats.Data.Packets, 1);
    cr_assert_eq(KMutexStats.Data.Bytes, 7);
    AssertAllFree();
}

/* ---- return and goto out of a block release it (cleanup attribute only) ----------------- */

#ifndef IRQL_NO_CLEANUP
IRQL_AT(EarlyExits, PASSIVE_LEVEL)
static LONG EarlyExits(LONG How)
{
    IRQL_ENTER(EarlyExits);
    IRQL_WITH(&KMutexStats, K) {
        K->Packets++;
        IRQL_WITH(&SpinStats, S) {
            S->Packets++;
            if (How == 0) {
                return IRQL_CALL(AtDispatch)(); /* releases the spin lock, then the KMUTEX */
            }
        }
        IRQL_WITH(&FastStats, F) {
            F->Packets++;
            if (How == 1) {
                goto out;
            }
        }
        IRQL_LOCKED_SHARED(&PushStats.Lock)
            IRQL_LOCKED(&ResourceStats.Lock)
                if (How == 2)
                    return -2;
    }
out:
    return KeGetCurrentIrql() == PASSIVE_LEVEL ? -1 : -100;
}

Test(scopes, return_and_goto_out_release_with_cleanup)
{
    InitAll();
    cr_assert_eq(EarlyExits(0), DISPATCH_LEVEL);
    AssertAllFree();
    InitAll();
    cr_assert_eq(EarlyExits(1), -1, "goto out released both before the label");
    AssertAllFree();
    InitAll();
    cr_assert_eq(EarlyExits(2), -2);
    AssertAllFree();
    InitAll();
    cr_assert_eq(EarlyExits(3), -1);
    cr_assert_eq(KMutexStats.Data.Packets, 4, "every call ran the outer body once");
    AssertAllFree();
}
#endif

/* ---- The body holds the lock against other threads -------------------------------------- */

typedef struct _SCOPE_JOB {
    ULONG Iterations;
} SCOPE_JOB;

IRQL_AT(ScopeWorker, PASSIVE_LEVEL)
static VOID ScopeWorker(PVOID Context)
{
    IRQL_ENTER(ScopeWorker);
    SCOPE_JOB *Job = (SCOPE_JOB *)Context;
    for (ULONG i = 0; i < Job->Iterations; i++) {
        IRQL_WITH(&KMutexStats, S) S->Packets++;
        IRQL_WITH(&FastStats, S) S->Packets++;
        IRQL_WITH_T(&GuardedStats, STATS, S) S->Packets++;
        IRQL_WITH(&SpinStats, S) S->Packets++;
        IRQL_WITH(&ResourceStats, S) S->Packets++;
        IRQL_WITH(&PushStats, S) {
            if (i % 5 == 0) {
                continue;
            }
            S->Packets++;
        }
        IRQL_LOCKED(&PushStats.Lock) PushStats.Data.Bytes++;
    }
}

Test(scopes, every_kind_counts_under_contention, .timeout = 240)
{
    static SCOPE_JOB Job = {.Iterations = 1000};
    InitAll();
    RunSystemThreads(4, IRQL_CALLBACK(ScopeWorker, PASSIVE_LEVEL, PASSIVE_LEVEL), &Job);
    cr_assert_eq(KMutexStats.Data.Packets, 4000);
    cr_assert_eq(FastStats.Data.Packets, 4000);
    cr_assert_eq(GuardedStats.Data.Packets, 4000);
    cr_assert_eq(SpinStats.Data.Packets, 4000);
    cr_assert_eq(ResourceStats.Data.Packets, 4000);
    cr_assert_eq(PushStats.Data.Packets, 3200);
    cr_assert_eq(PushStats.Data.Bytes, 4000);
    AssertAllFree();
}
