/*
 * Key objects (IRQL_GRT_KEY) for IRQL_GRT_GET: static (IRQL_GRT_KEY_INIT) and run-time
 * (IrqlGrtKeyInit) keys give the same results and statuses as the string form; a cached hint
 * never outlives what it points to — after a remove, a re-register, table rebuilds, a destroy
 * and a fresh init the lookup returns KEY_NOT_FOUND or the current value, never a freed one
 * (ASan); and readers sharing key objects race writers that remove, re-register and rebuild
 * (TSan checks the hint's sequence lock and the epoch).
 */
#include "lock_test.h"

#include <irql/registry.h>
#include <pthread.h>
#include <stdio.h>

typedef IRQL_PROTECTED(IRQL_FAST_MUTEX, LONG) KEY_COUNTER, *PKEY_COUNTER;
typedef IRQL_PROTECTED(IRQL_FAST_MUTEX, ULONG64) KEY_WIDE;
typedef IRQL_PROTECTED(IRQL_SPIN_LOCK, LONG) KEY_SPIN, *PKEY_SPIN;

static SIZE_T Outstanding(void)
{
    return LockTestPoolOutstanding(IRQL_GRT_POOL_TAG);
}

static pthread_mutex_t PrintMutex = PTHREAD_MUTEX_INITIALIZER;
static char Printed[8192];

static VOID CapturePrint(PCSTR Text, PVOID Context)
{
    (void)Context;
    pthread_mutex_lock(&PrintMutex);
    strncat(Printed, Text, sizeof(Printed) - strlen(Printed) - 1);
    pthread_mutex_unlock(&PrintMutex);
}

static IRQL_GRT_KEY StaticKey = IRQL_GRT_KEY_INIT("device.packets");

/* ---- Same results as the string form --------------------------------------------------------- */

Test(registry_key, static_and_run_time_keys_find_the_value)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    IRQL_GRT_KEY Runtime;
    char Name[32];
    PKEY_COUNTER ByString, ByStatic, ByRuntime;
    cr_assert_eq(IrqlGrtInit(), STATUS_SUCCESS);
    cr_assert_eq(IRQL_GRT_REGISTER("device.packets", KEY_COUNTER, &(LONG){42}), STATUS_SUCCESS);
    snprintf(Name, sizeof(Name), "device.%s", "packets");
    IrqlGrtKeyInit(&Runtime, Name);
    for (int Pass = 0; Pass < 3; Pass++) { /* cold, then warm hints */
        cr_assert_eq(IRQL_GRT_GET("device.packets", KEY_COUNTER, &ByString), STATUS_SUCCESS);
        cr_assert_eq(IRQL_GRT_GET(&StaticKey, KEY_COUNTER, &ByStatic), STATUS_SUCCESS);
        cr_assert_eq(IRQL_GRT_GET(&Runtime, KEY_COUNTER, &ByRuntime), STATUS_SUCCESS);
        cr_assert(ByString == ByStatic && ByStatic == ByRuntime);
        cr_assert_eq(ByStatic->Data, 42);
        IrqlGrtRelease(ByString);
        IrqlGrtRelease(ByStatic);
        IrqlGrtRelease(ByRuntime);
    }
    cr_assert_eq(IrqlGrtDestroy(), STATUS_SUCCESS, "a warm key holds no reference");
    cr_assert_eq(Outstanding(), 0);
}

static NTSTATUS HighStatus;

static VOID GetAboveDispatch(PVOID Context)
{
    PVOID Ptr = (PVOID)(ULONG_PTR)1;
    HighStatus = irql__grt_get_key((PIRQL_GRT_KEY)Context, "KEY_COUNTER", sizeof(KEY_COUNTER),
                                   ((ULONG64)FIELD_OFFSET(KEY_COUNTER, Data) << 32) |
                                       sizeof(LONG),
                                   IRQL__KIND_FAST_MUTEX, &Ptr);
    cr_assert_null(Ptr);
}

Test(registry_key, every_status_matches_the_string_form)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    char Long[IRQL_GRT_MAX_KEY_LENGTH + 2];
    IRQL_GRT_KEY Unknown = IRQL_GRT_KEY_INIT("unknown");
    IRQL_GRT_KEY Null = IRQL_GRT_KEY_INIT(NULL);
    IRQL_GRT_KEY Empty = IRQL_GRT_KEY_INIT("");
    IRQL_GRT_KEY TooLong;
    IRQL_GRT_KEY Typed = IRQL_GRT_KEY_INIT("typed");
    PKEY_COUNTER Counter = (PKEY_COUNTER)(ULONG_PTR)1;
    KEY_WIDE *Wide = (KEY_WIDE *)(ULONG_PTR)1;
    PKEY_SPIN Spin;

    cr_assert_eq(IRQL_GRT_GET(&Typed, KEY_COUNTER, &Counter), STATUS_IRQL_GRT_NOT_INITIALIZED);
    cr_assert_null(Counter);
    cr_assert_eq(IrqlGrtInit(), STATUS_SUCCESS);
    memset(Long, 'k', sizeof(Long) - 1);
    Long[sizeof(Long) - 1] = '\0';
    IrqlGrtKeyInit(&TooLong, Long);
    cr_assert_eq(IRQL_GRT_GET(&Unknown, KEY_COUNTER, &Counter), STATUS_IRQL_GRT_KEY_NOT_FOUND);
    cr_assert_eq(IRQL_GRT_GET(&Null, KEY_COUNTER, &Counter), STATUS_IRQL_GRT_INVALID_KEY);
    cr_assert_eq(IRQL_GRT_GET(&Empty, KEY_COUNTER, &Counter), STATUS_IRQL_GRT_INVALID_KEY);
    cr_assert_eq(IRQL_GRT_GET(&TooLong, KEY_COUNTER, &Counter), STATUS_IRQL_GRT_INVALID_KEY);
    cr_assert_eq(IRQL_GRT_GET(&TooLong, KEY_COUNTER, &Counter), STATUS_IRQL_GRT_INVALID_KEY,
                 "an invalid key is not cached as valid");
    cr_assert_eq(IRQL_GRT_GET((PIRQL_GRT_KEY)NULL, KEY_COUNTER, &Counter),
                 STATUS_IRQL_GRT_INVALID_KEY);
    cr_assert_null(Counter);

    /* A wrong type through a warm hint: still the status and the report. */
    cr_assert_eq(IRQL_GRT_REGISTER("typed", KEY_COUNTER, NULL), STATUS_SUCCESS);
    cr_assert_eq(IRQL_GRT_GET(&Typed, KEY_COUNTER, &Counter), STATUS_SUCCESS);
    IrqlGrtRelease(Counter);
    Printed[0] = '\0';
    IrqlHostSetPrintSink(CapturePrint, NULL);
    cr_assert_eq(IRQL_GRT_GET(&Typed, KEY_WIDE, &Wide), STATUS_IRQL_GRT_TYPE_MISMATCH);
    cr_assert_eq(IRQL_GRT_GET(&Typed, KEY_SPIN, &Spin), STATUS_IRQL_GRT_TYPE_MISMATCH);
    IrqlHostSetPrintSink(NULL, NULL);
    cr_assert_null(Wide);
    cr_assert(strstr(Printed, "KEY_COUNTER") && strstr(Printed, "KEY_WIDE"), "%s", Printed);
    cr_assert_eq(IRQL_GRT_GET(&Typed, KEY_COUNTER, &Counter), STATUS_SUCCESS);
    IrqlGrtRelease(Counter);

    IrqlHostRunAtIrql(DISPATCH_LEVEL + 1, GetAboveDispatch, &Typed);
    cr_assert_eq(HighStatus, STATUS_IRQL_LOCK_IRQL_TOO_HIGH);

    cr_assert_eq(IrqlGrtDestroy(), STATUS_SUCCESS);
    cr_assert_eq(IRQL_GRT_GET(&Typed, KEY_COUNTER, &Counter), STATUS_IRQL_GRT_DESTROYED);
    cr_assert_null(Counter);
    cr_assert_eq(Outstanding(), 0);
}

/* ---- Stale hints ------------------------------------------------------------------------------ */

Test(registry_key, a_stale_hint_never_returns_a_removed_value)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    IRQL_GRT_KEY Key = IRQL_GRT_KEY_INIT("churn");
    IRQL_GRT_KEY Other = IRQL_GRT_KEY_INIT("other");
    PKEY_COUNTER Counter, OtherCounter;
    char Name[32];
    cr_assert_eq(IrqlGrtInit(), STATUS_SUCCESS);
    cr_assert_eq(IRQL_GRT_REGISTER("other", KEY_COUNTER, &(LONG){7}), STATUS_SUCCESS);
    for (LONG Generation = 1; Generation <= 50; Generation++) {
        cr_assert_eq(IRQL_GRT_REGISTER("churn", KEY_COUNTER, &Generation), STATUS_SUCCESS);
        cr_assert_eq(IRQL_GRT_GET(&Key, KEY_COUNTER, &Counter), STATUS_SUCCESS);
        cr_assert_eq(Counter->Data, Generation, "re-registered: the new value");
        IrqlGrtRelease(Counter);
        cr_assert_eq(IRQL_GRT_GET(&Other, KEY_COUNTER, &OtherCounter), STATUS_SUCCESS);
        IrqlGrtRelease(OtherCounter);
        cr_assert_eq(IrqlGrtRemove("churn"), STATUS_SUCCESS);
        /* The entry is freed now (no reader: a quiescent point); ASan would see a read. */
        cr_assert_eq(IRQL_GRT_GET(&Key, KEY_COUNTER, &Counter), STATUS_IRQL_GRT_KEY_NOT_FOUND);
        cr_assert_null(Counter);
        cr_assert_eq(IRQL_GRT_GET(&Other, KEY_COUNTER, &OtherCounter), STATUS_SUCCESS,
                     "another key's hint is revalidated and still finds its value");
        cr_assert_eq(OtherCounter->Data, 7);
        IrqlGrtRelease(OtherCounter);
    }
    /* Rebuilds under a warm hint: entries never move, the hint stays right. */
    cr_assert_eq(IRQL_GRT_REGISTER("churn", KEY_COUNTER, &(LONG){99}), STATUS_SUCCESS);
    cr_assert_eq(IRQL_GRT_GET(&Key, KEY_COUNTER, &Counter), STATUS_SUCCESS);
    IrqlGrtRelease(Counter);
    for (int I = 0; I < 5000; I++) {
        snprintf(Name, sizeof(Name), "filler.%d", I);
        cr_assert_eq(IRQL_GRT_REGISTER(Name, KEY_COUNTER, NULL), STATUS_SUCCESS);
        if (I % 500 == 0) {
            cr_assert_eq(IRQL_GRT_GET(&Key, KEY_COUNTER, &Counter), STATUS_SUCCESS);
            cr_assert_eq(Counter->Data, 99);
            IrqlGrtRelease(Counter);
        }
    }
    cr_assert_eq(IRQL_GRT_GET(&Key, KEY_COUNTER, &Counter), STATUS_SUCCESS);
    cr_assert_eq(Counter->Data, 99);
    IrqlGrtRelease(Counter);
    cr_assert_eq(IrqlGrtDestroy(), STATUS_SUCCESS);
    cr_assert_eq(Outstanding(), 0);
}

Test(registry_key, a_hint_does_not_survive_destroy_and_init)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    PKEY_COUNTER Counter;
    for (LONG Round = 1; Round <= 5; Round++) {
        cr_assert_eq(IrqlGrtInit(), STATUS_SUCCESS);
        cr_assert_eq(IRQL_GRT_GET(&StaticKey, KEY_COUNTER, &Counter),
                     STATUS_IRQL_GRT_KEY_NOT_FOUND, "a fresh registry is empty");
        cr_assert_eq(IRQL_GRT_REGISTER("device.packets", KEY_COUNTER, &Round), STATUS_SUCCESS);
        cr_assert_eq(IRQL_GRT_GET(&StaticKey, KEY_COUNTER, &Counter), STATUS_SUCCESS);
        cr_assert_eq(Counter->Data, Round, "this registry's value, not a freed one");
        IrqlGrtRelease(Counter);
        cr_assert_eq(IrqlGrtDestroy(), STATUS_SUCCESS);
        cr_assert_eq(IRQL_GRT_GET(&StaticKey, KEY_COUNTER, &Counter), STATUS_IRQL_GRT_DESTROYED);
        cr_assert_eq(Outstanding(), 0);
    }
}

/* A destroy waiting for a reference: a warm key says DESTROYING, as the string form does. */
static NTSTATUS DestroyStatus;

static VOID DestroyThread(PVOID Context)
{
    (void)Context;
    DestroyStatus = IrqlGrtDestroy();
}

Test(registry_key, a_warm_key_says_destroying_while_a_destroy_waits)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    IRQL_GRT_KEY Other = IRQL_GRT_KEY_INIT("other");
    PKEY_COUNTER Held, Counter;
    NTSTATUS Status = STATUS_SUCCESS;
    PVOID Thread;
    cr_assert_eq(IrqlGrtInit(), STATUS_SUCCESS);
    cr_assert_eq(IRQL_GRT_REGISTER("held", KEY_COUNTER, NULL), STATUS_SUCCESS);
    cr_assert_eq(IRQL_GRT_REGISTER("other", KEY_COUNTER, NULL), STATUS_SUCCESS);
    cr_assert_eq(IRQL_GRT_GET("held", KEY_COUNTER, &Held), STATUS_SUCCESS);
    cr_assert_eq(IRQL_GRT_GET(&Other, KEY_COUNTER, &Counter), STATUS_SUCCESS); /* warm */
    IrqlGrtRelease(Counter);
    DestroyStatus = STATUS_PENDING;
    Thread = StartThread(DestroyThread, NULL);
    for (int I = 0; I < 6000; I++) {
        Status = IRQL_GRT_GET(&Other, KEY_COUNTER, &Counter);
        if (Status != STATUS_SUCCESS) {
            break;
        }
        IrqlGrtRelease(Counter);
        LARGE_INTEGER Delay = {.QuadPart = -100000}; /* 10 ms */
        KeDelayExecutionThread(KernelMode, FALSE, &Delay);
    }
    cr_assert_eq(Status, STATUS_IRQL_GRT_DESTROYING);
    cr_assert_null(Counter);
    cr_assert_eq(DestroyStatus, STATUS_PENDING, "still waiting for the held reference");
    IrqlGrtRelease(Held);
    JoinThread(Thread);
    cr_assert_eq(DestroyStatus, STATUS_SUCCESS);
    cr_assert_eq(Outstanding(), 0);
}

/* ---- Races: readers sharing key objects against writers --------------------------------------- */

#define RACE_READERS 4
#define RACE_STABLE 32
#define RACE_CHURN 2000
#define RACE_GENERATIONS 2000

static IRQL_GRT_KEY StableKeys[RACE_STABLE]; /* shared by every reader */
static char StableNames[RACE_STABLE][16];
static IRQL_GRT_KEY VictimKey = IRQL_GRT_KEY_INIT("victim");
static volatile LONG Go, WritersDone, Unexpected, VictimFound, VictimGeneration;

IRQL_MAX(RaceWriter, APC_LEVEL)
static VOID RaceWriter(PVOID Context)
{
    IRQL_ENTER(RaceWriter);
    char Name[32];
    (void)Context;
    while (ReadAcquire(&Go) == 0) {
        YieldProcessor();
    }
    for (LONG G = 1; G <= RACE_GENERATIONS; G++) {
        /* The victim: removed and re-registered (every remove advances the epoch). */
        if (IRQL_GRT_REGISTER("victim", KEY_COUNTER, &G) != STATUS_SUCCESS) {
            InterlockedIncrement(&Unexpected);
        }
        InterlockedExchange(&VictimGeneration, G);
        if (IrqlGrtRemove("victim") != STATUS_SUCCESS) {
            InterlockedIncrement(&Unexpected);
        }
        /* Churn: rebuilds under the readers' hints. */
        if (G <= RACE_CHURN) {
            snprintf(Name, sizeof(Name), "churn.%ld", (long)G);
            if (IRQL_GRT_REGISTER(Name, KEY_COUNTER, &G) != STATUS_SUCCESS) {
                InterlockedIncrement(&Unexpected);
            }
        }
    }
    InterlockedIncrement(&WritersDone);
}

IRQL_MAX(RaceReader, DISPATCH_LEVEL)
static VOID RaceReader(PVOID Context)
{
    IRQL_ENTER(RaceReader);
    ULONG I = (ULONG)(ULONG_PTR)Context;
    while (ReadAcquire(&Go) == 0) {
        YieldProcessor();
    }
    while (ReadAcquire(&WritersDone) == 0) {
        PKEY_COUNTER Value;
        ULONG S = I++ % RACE_STABLE;
        LONG Before = ReadAcquire(&VictimGeneration);
        NTSTATUS Status = IRQL_GRT_GET(&StableKeys[S], KEY_COUNTER, &Value);
        if (Status != STATUS_SUCCESS || Value->Data != 1000 + (LONG)S) {
            InterlockedIncrement(&Unexpected);
        }
        if (Status == STATUS_SUCCESS) {
            IrqlGrtRelease(Value);
        }
        Status = IRQL_GRT_GET(&VictimKey, KEY_COUNTER, &Value);
        if (Status == STATUS_SUCCESS) {
            LONG Data = Value->Data; /* a live value (ASan), of a current generation */
            if (Data < Before || Data > ReadAcquire(&VictimGeneration) + 1 || Data < 1) {
                InterlockedIncrement(&Unexpected);
            }
            IrqlGrtRelease(Value);
            InterlockedIncrement(&VictimFound);
        } else if (Status != STATUS_IRQL_GRT_KEY_NOT_FOUND) {
            InterlockedIncrement(&Unexpected);
        }
    }
}

Test(registry_key, readers_sharing_key_objects_race_removes_and_rebuilds)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    PVOID Threads[RACE_READERS + 1];
    Go = WritersDone = Unexpected = VictimFound = VictimGeneration = 0;
    cr_assert_eq(IrqlGrtInit(), STATUS_SUCCESS);
    for (int S = 0; S < RACE_STABLE; S++) {
        snprintf(StableNames[S], sizeof(StableNames[S]), "stable.%d", S);
        IrqlGrtKeyInit(&StableKeys[S], StableNames[S]);
        cr_assert_eq(IRQL_GRT_REGISTER(StableNames[S], KEY_COUNTER, &(LONG){1000 + S}),
                     STATUS_SUCCESS);
    }
    Threads[0] = StartThread(RaceWriter, NULL);
    for (int I = 0; I < RACE_READERS; I++) {
        Threads[1 + I] = StartThread(RaceReader, (PVOID)(ULONG_PTR)(I * 7));
    }
    InterlockedExchange(&Go, 1);
    for (int I = 0; I < RACE_READERS + 1; I++) {
        JoinThread(Threads[I]);
    }
    cr_assert_eq(Unexpected, 0);
    cr_assert_eq(IrqlGrtDestroy(), STATUS_SUCCESS);
    cr_assert_eq(Outstanding(), 0, "destroy freed everything");
}

/* Readers sharing key objects while the registry is destroyed and started again. */
static volatile LONG CycleDone;

IRQL_MAX(CycleReader, DISPATCH_LEVEL)
static VOID CycleReader(PVOID Context)
{
    IRQL_ENTER(CycleReader);
    (void)Context;
    while (ReadAcquire(&CycleDone) == 0) {
        PKEY_COUNTER Value;
        NTSTATUS Status = IRQL_GRT_GET(&StaticKey, KEY_COUNTER, &Value);
        if (Status == STATUS_SUCCESS) {
            if (Value->Data < 1) {
                InterlockedIncrement(&Unexpected);
            }
            IrqlGrtRelease(Value);
        } else if (Status != STATUS_IRQL_GRT_KEY_NOT_FOUND &&
                   Status != STATUS_IRQL_GRT_DESTROYING && Status != STATUS_IRQL_GRT_DESTROYED &&
                   Status != STATUS_IRQL_GRT_NOT_INITIALIZED) {
            InterlockedIncrement(&Unexpected);
        }
    }
}

Test(registry_key, readers_race_destroy_and_init)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    PVOID Threads[RACE_READERS];
    Unexpected = 0;
    CycleDone = 0;
    for (int I = 0; I < RACE_READERS; I++) {
        Threads[I] = StartThread(CycleReader, NULL);
    }
    for (LONG Round = 1; Round <= 200; Round++) {
        cr_assert_eq(IrqlGrtInit(), STATUS_SUCCESS);
        cr_assert_eq(IRQL_GRT_REGISTER("device.packets", KEY_COUNTER, &Round), STATUS_SUCCESS);
        cr_assert_eq(IrqlGrtDestroy(), STATUS_SUCCESS);
    }
    InterlockedExchange(&CycleDone, 1);
    for (int I = 0; I < RACE_READERS; I++) {
        JoinThread(Threads[I]);
    }
    cr_assert_eq(Unexpected, 0);
    cr_assert_eq(Outstanding(), 0);
}
