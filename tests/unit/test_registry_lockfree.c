/*
 * The registry's lock-free read path under contention (run under ASan+UBSan and TSan too):
 * lookups racing with registrations, removals and table rebuilds (thousands of keys, so the
 * table is rebuilt many times while readers walk it), and readers standing on a slot whose
 * entry is being removed and re-registered over and over. Checked: a key that is never
 * removed is always found with its value; a lookup of a churning key returns SUCCESS with a
 * value of the right key (never a freed one: ASan) or KEY_NOT_FOUND, nothing else; TSan checks
 * the publication (release/acquire) of entries and tables; destroy frees everything.
 */
#include "lock_test.h"

#include <irql/registry.h>
#include <stdio.h>

typedef IRQL_PROTECTED(IRQL_SPIN_LOCK, LONG) LF_VALUE, *PLF_VALUE;

#define LF_READERS 4
#define LF_WRITERS 2
#define LF_STABLE 64
#define LF_CHURN 3000 /* per writer: the table is rebuilt many times */
#define LF_ROUNDS 2

typedef struct _LF {
    volatile LONG Go;
    volatile LONG WritersDone;
    volatile LONG Unexpected; /* a status or a value no interleaving allows */
    volatile LONG Found;      /* churning keys found (the race did happen) */
    volatile LONG NotFound;
} LF;

static LF Lf;

/* The value a key holds: derived from the key's numbers, so a reader can check it. */
static LONG ChurnValue(LONG Writer, LONG Index)
{
    return 0x10000 * (Writer + 1) + Index;
}

IRQL_MAX(LfWriter, APC_LEVEL)
static VOID LfWriter(PVOID Context)
{
    IRQL_ENTER(LfWriter);
    LONG Writer = (LONG)(LONG_PTR)Context;
    char Key[48];
    while (ReadAcquire(&Lf.Go) == 0) {
        YieldProcessor();
    }
    for (int Round = 0; Round < LF_ROUNDS; Round++) {
        for (LONG I = 0; I < LF_CHURN; I++) {
            snprintf(Key, sizeof(Key), "churn.%ld.%ld", (long)Writer, (long)I);
            if (IRQL_GRT_REGISTER(Key, LF_VALUE, &(LONG){ChurnValue(Writer, I)}) !=
                STATUS_SUCCESS) {
                InterlockedIncrement(&Lf.Unexpected);
            }
        }
        for (LONG I = 0; I < LF_CHURN; I++) {
            snprintf(Key, sizeof(Key), "churn.%ld.%ld", (long)Writer, (long)I);
            if (IrqlGrtRemove(Key) != STATUS_SUCCESS) {
                InterlockedIncrement(&Lf.Unexpected);
            }
        }
    }
    InterlockedIncrement(&Lf.WritersDone);
}

IRQL_MAX(LfReader, DISPATCH_LEVEL)
static VOID LfReader(PVOID Context)
{
    IRQL_ENTER(LfReader);
    LONG Id = (LONG)(LONG_PTR)Context;
    ULONG Seed = 7919u * (ULONG)(Id + 1);
    char Key[48];
    while (ReadAcquire(&Lf.Go) == 0) {
        YieldProcessor();
    }
    while (ReadAcquire(&Lf.WritersDone) < LF_WRITERS) {
        PLF_VALUE Value;
        NTSTATUS Status;
        LONG Stable, Writer, Index;
        Seed = Seed * 1103515245u + 12345u;
        Stable = (LONG)((Seed >> 8) % LF_STABLE);
        Writer = (LONG)((Seed >> 16) % LF_WRITERS);
        Index = (LONG)((Seed >> 4) % LF_CHURN);

        /* A key never removed: always there, whatever the table is doing. */
        snprintf(Key, sizeof(Key), "stable.%ld", (long)Stable);
        Status = IRQL_GRT_GET(Key, LF_VALUE, &Value);
        if (Status != STATUS_SUCCESS || Value->Data != Stable) {
            InterlockedIncrement(&Lf.Unexpected);
        }
        if (Status == STATUS_SUCCESS) {
            IrqlGrtRelease(Value);
        }

        /* A churning key: there (with its own value) or not, nothing else. */
        snprintf(Key, sizeof(Key), "churn.%ld.%ld", (long)Writer, (long)Index);
        Status = IRQL_GRT_GET(Key, LF_VALUE, &Value);
        if (Status == STATUS_SUCCESS) {
            LONG Data;
            IRQL_WITH(Value, P) { Data = *P; }
            if (Data != ChurnValue(Writer, Index)) {
                InterlockedIncrement(&Lf.Unexpected);
            }
            IrqlGrtRelease(Value);
            InterlockedIncrement(&Lf.Found);
        } else if (Status == STATUS_IRQL_GRT_KEY_NOT_FOUND) {
            InterlockedIncrement(&Lf.NotFound);
        } else {
            InterlockedIncrement(&Lf.Unexpected);
        }
    }
}

Test(registry_lockfree, lookups_race_register_remove_and_table_rebuilds)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    PVOID Threads[LF_READERS + LF_WRITERS];
    char Key[48];
    memset((void *)&Lf, 0, sizeof(Lf));
    cr_assert_eq(IrqlGrtInit(), STATUS_SUCCESS);
    for (LONG I = 0; I < LF_STABLE; I++) {
        snprintf(Key, sizeof(Key), "stable.%ld", (long)I);
        cr_assert_eq(IRQL_GRT_REGISTER(Key, LF_VALUE, &(LONG){I}), STATUS_SUCCESS);
    }
    for (LONG I = 0; I < LF_WRITERS; I++) {
        Threads[I] = StartThread(LfWriter, (PVOID)(LONG_PTR)I);
    }
    for (LONG I = 0; I < LF_READERS; I++) {
        Threads[LF_WRITERS + I] = StartThread(LfReader, (PVOID)(LONG_PTR)I);
    }
    InterlockedExchange(&Lf.Go, 1);
    for (int I = 0; I < LF_READERS + LF_WRITERS; I++) {
        JoinThread(Threads[I]);
    }
    cr_assert_eq(Lf.Unexpected, 0);
    cr_assert(Lf.NotFound > 0, "the readers looked up absent keys");
    for (LONG I = 0; I < LF_STABLE; I++) {
        PLF_VALUE Value;
        snprintf(Key, sizeof(Key), "stable.%ld", (long)I);
        cr_assert_eq(IRQL_GRT_GET(Key, LF_VALUE, &Value), STATUS_SUCCESS);
        cr_assert_eq(Value->Data, I);
        IrqlGrtRelease(Value);
    }
    cr_assert_eq(IrqlGrtDestroy(), STATUS_SUCCESS);
    cr_assert_eq(LockTestPoolOutstanding(IRQL_GRT_POOL_TAG), 0, "destroy freed everything");
}

/* ---- Readers standing on a slot whose entry is removed and re-registered --------------------- */

#define VICTIM_GENERATIONS 3000

static volatile LONG VictimGeneration; /* the generation registered now (odd: registered) */

IRQL_MAX(VictimWriter, APC_LEVEL)
static VOID VictimWriter(PVOID Context)
{
    IRQL_ENTER(VictimWriter);
    (void)Context;
    while (ReadAcquire(&Lf.Go) == 0) {
        YieldProcessor();
    }
    for (LONG G = 1; G <= VICTIM_GENERATIONS; G++) {
        if (IRQL_GRT_REGISTER("victim", LF_VALUE, &(LONG){G}) != STATUS_SUCCESS) {
            InterlockedIncrement(&Lf.Unexpected);
        }
        InterlockedExchange(&VictimGeneration, G);
        if (IrqlGrtRemove("victim") != STATUS_SUCCESS) {
            InterlockedIncrement(&Lf.Unexpected);
        }
    }
    InterlockedIncrement(&Lf.WritersDone);
}

IRQL_MAX(VictimReader, DISPATCH_LEVEL)
static VOID VictimReader(PVOID Context)
{
    IRQL_ENTER(VictimReader);
    (void)Context;
    while (ReadAcquire(&Lf.Go) == 0) {
        YieldProcessor();
    }
    while (ReadAcquire(&Lf.WritersDone) == 0) {
        PLF_VALUE Value;
        LONG Before = ReadAcquire(&VictimGeneration);
        NTSTATUS Status = IRQL_GRT_GET("victim", LF_VALUE, &Value);
        if (Status == STATUS_SUCCESS) {
            /* A live value (ASan: not freed), of a generation registered during the call. */
            LONG Data = Value->Data;
            if (Data < Before || Data > ReadAcquire(&VictimGeneration) + 1 || Data < 1) {
                InterlockedIncrement(&Lf.Unexpected);
            }
            IrqlGrtRelease(Value);
            InterlockedIncrement(&Lf.Found);
        } else if (Status == STATUS_IRQL_GRT_KEY_NOT_FOUND) {
            InterlockedIncrement(&Lf.NotFound);
        } else {
            InterlockedIncrement(&Lf.Unexpected);
        }
    }
}

Test(registry_lockfree, a_reader_on_a_removed_entry_gets_not_found_or_a_live_value)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    PVOID Threads[LF_READERS + 1];
    memset((void *)&Lf, 0, sizeof(Lf));
    VictimGeneration = 0;
    cr_assert_eq(IrqlGrtInit(), STATUS_SUCCESS);
    Threads[0] = StartThread(VictimWriter, NULL);
    for (int I = 0; I < LF_READERS; I++) {
        Threads[1 + I] = StartThread(VictimReader, NULL);
    }
    InterlockedExchange(&Lf.Go, 1);
    for (int I = 0; I < LF_READERS + 1; I++) {
        JoinThread(Threads[I]);
    }
    cr_assert_eq(Lf.Unexpected, 0);
    cr_assert_eq(IrqlGrtDestroy(), STATUS_SUCCESS);
    cr_assert_eq(LockTestPoolOutstanding(IRQL_GRT_POOL_TAG), 0, "destroy freed everything");
}

/* Single-threaded: removals and rebuilds with no reader running free what they retire at
   once (a quiescent point), so a driver's register/remove cycles do not accumulate memory. */
Test(registry_lockfree, retired_memory_is_reclaimed_when_no_reader_runs)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    char Key[32];
    SIZE_T Baseline;
    cr_assert_eq(IrqlGrtInit(), STATUS_SUCCESS);
    Baseline = LockTestPoolOutstanding(IRQL_GRT_POOL_TAG); /* the table */
    for (int Cycle = 0; Cycle < 20; Cycle++) {
        for (int I = 0; I < 500; I++) {
            snprintf(Key, sizeof(Key), "cycle.%d", I);
            cr_assert_eq(IRQL_GRT_REGISTER(Key, LF_VALUE, NULL), STATUS_SUCCESS);
        }
        for (int I = 0; I < 500; I++) {
            snprintf(Key, sizeof(Key), "cycle.%d", I);
            cr_assert_eq(IrqlGrtRemove(Key), STATUS_SUCCESS);
        }
        /* Only the current table is left (it may be larger than the first one). */
        cr_assert_eq(LockTestPoolOutstanding(IRQL_GRT_POOL_TAG), Baseline,
                     "cycle %d: retired entries and tables were freed", Cycle);
    }
    cr_assert_eq(IrqlGrtDestroy(), STATUS_SUCCESS);
    cr_assert_eq(LockTestPoolOutstanding(IRQL_GRT_POOL_TAG), 0);
}
