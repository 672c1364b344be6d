/*
 * The registry under contention (run under TSan and ASan too): threads registering and
 * looking up distinct and equal keys, removing some, while another thread destroys. Checked:
 * each equal key has exactly one winner, no registration is lost (a key registered is found
 * until it is removed or the registry is destroyed), locked increments are all counted, and
 * after destroy every call reports it; ASan/TSan check no use after free and no data race.
 */
#include "lock_test.h"

#include <irql/registry.h>
#include <stdio.h>

typedef IRQL_PROTECTED(IRQL_SPIN_LOCK, LONG) RACE_COUNTER, *PRACE_COUNTER;

#define RACE_THREADS 6
#define RACE_SHARED_KEYS 16
#define RACE_ROUNDS 400

typedef struct _RACE {
    volatile LONG Winners[RACE_SHARED_KEYS];
    volatile LONG Increments[RACE_SHARED_KEYS];
    volatile LONG Lost;        /* a key this thread registered was not found */
    volatile LONG Unexpected;  /* a status no interleaving allows */
    volatile LONG Stopped;     /* threads that ended */
    volatile LONG SawTeardown; /* threads the destroy stopped */
    volatile LONG Go;
    BOOLEAN Destroying;
} RACE;

static RACE Race;
static volatile LONG NextId;

static BOOLEAN IsTeardown(NTSTATUS Status)
{
    return Status == STATUS_IRQL_GRT_DESTROYING || Status == STATUS_IRQL_GRT_DESTROYED;
}

IRQL_MAX(RaceWorker, APC_LEVEL)
static VOID RaceWorker(PVOID Context)
{
    IRQL_ENTER(RaceWorker);
    LONG Id = InterlockedIncrement(&NextId);
    char Key[48];
    (void)Context;
    while (ReadAcquire(&Race.Go) == 0) {
        YieldProcessor();
    }
    /* With a destroyer, run until it stops us (bounded, in case it never comes). */
    int Rounds = Race.Destroying ? 200000 : RACE_ROUNDS;
    int Round;
    for (Round = 0; Round < Rounds; Round++) {
        PRACE_COUNTER Counter;
        NTSTATUS Status;
        int Shared = (Round * 7 + Id) % RACE_SHARED_KEYS;

        /* An equal key: one thread wins, the others see it exists. */
        snprintf(Key, sizeof(Key), "shared.%d", Shared);
        Status = IRQL_GRT_REGISTER(Key, RACE_COUNTER, NULL);
        if (Status == STATUS_SUCCESS) {
            InterlockedIncrement(&Race.Winners[Shared]);
        } else if (IsTeardown(Status)) {
            break;
        } else if (Status != STATUS_IRQL_GRT_KEY_EXISTS) {
            InterlockedIncrement(&Race.Unexpected);
        }
        Status = IRQL_GRT_GET(Key, RACE_COUNTER, &Counter);
        if (Status == STATUS_SUCCESS) {
            IRQL_WITH(Counter, Value) { (*Value)++; }
            InterlockedIncrement(&Race.Increments[Shared]);
            IrqlGrtRelease(Counter);
        } else if (IsTeardown(Status)) {
            break;
        } else {
            InterlockedIncrement(&Race.Lost); /* registered by someone, never removed */
        }

        /* A distinct key: registered, found, and (every other round) removed again. */
        snprintf(Key, sizeof(Key), "thread.%ld.%d", (long)Id, Round);
        Status = IRQL_GRT_REGISTER(Key, RACE_COUNTER, &(LONG){Round});
        if (IsTeardown(Status)) {
            break;
        }
        if (Status != STATUS_SUCCESS) {
            InterlockedIncrement(&Race.Unexpected);
            continue;
        }
        Status = IRQL_GRT_GET(Key, RACE_COUNTER, &Counter);
        if (IsTeardown(Status)) {
            break;
        }
        if (Status != STATUS_SUCCESS || Counter->Data != Round) {
            InterlockedIncrement(&Race.Lost);
            continue;
        }
        IrqlGrtRelease(Counter);
        if (Round % 2 == 0) {
            Status = IrqlGrtRemove(Key);
            if (IsTeardown(Status)) {
                break;
            }
            if (Status != STATUS_SUCCESS) {
                InterlockedIncrement(&Race.Unexpected);
            }
        }
    }
    if (Round < Rounds) {
        InterlockedIncrement(&Race.SawTeardown);
    }
    InterlockedIncrement(&Race.Stopped);
}

static VOID RaceDestroyer(PVOID Context)
{
    LARGE_INTEGER Delay = TestTimeout(5);
    NTSTATUS Status;
    (void)Context;
    while (ReadAcquire(&Race.Go) == 0) {
        YieldProcessor();
    }
    KeDelayExecutionThread(KernelMode, FALSE, &Delay);
    Status = IrqlGrtDestroy();
    if (Status != STATUS_SUCCESS) {
        InterlockedIncrement(&Race.Unexpected);
    }
}

static void RunRace(BOOLEAN WithDestroy)
{
    PKSTART_ROUTINE Routine = RaceWorker;
    memset((void *)&Race, 0, sizeof(Race));
    Race.Destroying = WithDestroy;
    cr_assert_eq(IrqlGrtInit(), STATUS_SUCCESS);
    /* Workers and (optionally) the destroyer start together. */
    {
        HANDLE Handles[RACE_THREADS + 1];
        PVOID Threads[RACE_THREADS + 1];
        ULONG Count = RACE_THREADS + (WithDestroy ? 1 : 0);
        for (ULONG I = 0; I < Count; I++) {
            cr_assert_eq(PsCreateSystemThread(&Handles[I], THREAD_ALL_ACCESS, NULL, NULL, NULL,
                                              I < RACE_THREADS ? Routine : RaceDestroyer, NULL),
                         STATUS_SUCCESS);
            cr_assert_eq(ObReferenceObjectByHandle(Handles[I], SYNCHRONIZE, *PsThreadType,
                                                   KernelMode, &Threads[I], NULL),
                         STATUS_SUCCESS);
            ZwClose(Handles[I]);
        }
        InterlockedExchange(&Race.Go, 1);
        for (ULONG I = 0; I < Count; I++) {
            LARGE_INTEGER Timeout = TestTimeout(LOCK_TEST_WAIT_MS);
            cr_assert_eq(KeWaitForSingleObject(Threads[I], Executive, KernelMode, FALSE,
                                               &Timeout),
                         STATUS_SUCCESS);
            ObDereferenceObject(Threads[I]);
        }
    }
    cr_assert_eq(Race.Unexpected, 0);
    cr_assert_eq(Race.Lost, 0, "no registration lost");
    cr_assert_eq(Race.Stopped, RACE_THREADS);
    if (WithDestroy) {
        cr_assert_eq(Race.SawTeardown, RACE_THREADS, "the destroy overlapped every worker");
    }
    for (int K = 0; K < RACE_SHARED_KEYS; K++) {
        cr_assert(Race.Winners[K] <= 1, "shared.%d had %ld winners", K, (long)Race.Winners[K]);
    }
}

Test(registry_race, register_get_remove_from_many_threads)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    char Key[48];
    RunRace(FALSE);
    for (int K = 0; K < RACE_SHARED_KEYS; K++) {
        PRACE_COUNTER Counter;
        cr_assert_eq(Race.Winners[K], 1, "shared.%d has exactly one winner", K);
        snprintf(Key, sizeof(Key), "shared.%d", K);
        cr_assert_eq(IRQL_GRT_GET(Key, RACE_COUNTER, &Counter), STATUS_SUCCESS);
        cr_assert_eq(Counter->Data, Race.Increments[K], "every locked increment counted");
        IrqlGrtRelease(Counter);
    }
    cr_assert_eq(IrqlGrtDestroy(), STATUS_SUCCESS);
    cr_assert_eq(LockTestPoolOutstanding(IRQL_GRT_POOL_TAG), 0);
}

Test(registry_race, destroy_while_others_register_and_look_up)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    PRACE_COUNTER Counter;
    for (int Repeat = 0; Repeat < 5; Repeat++) {
        RunRace(TRUE);
        cr_assert_eq(IRQL_GRT_GET("shared.0", RACE_COUNTER, &Counter), STATUS_IRQL_GRT_DESTROYED);
        cr_assert_eq(IrqlGrtDestroy(), STATUS_IRQL_GRT_DESTROYED);
        cr_assert_eq(LockTestPoolOutstanding(IRQL_GRT_POOL_TAG), 0, "destroy freed everything");
    }
}
