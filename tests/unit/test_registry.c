/*
 * The global registry (<irql/registry.h>) on the host kernel: wdk-mutex's Grt scenario for
 * every lock kind (3 system threads x 100 GET + lock + increment + release = 300, with the
 * registrations nested across helpers), every error path with its status, teardown with
 * references and locks outstanding, keys, fault injection, IRQL limits, enumeration, removal.
 */
#include "lock_test.h"

#include <irql/registry.h>
#include <pthread.h>
#include <stdio.h>

/* ---- DbgPrint capture ---------------------------------------------------------------------- */

static pthread_mutex_t PrintMutex = PTHREAD_MUTEX_INITIALIZER;
static char Printed[16384];

static VOID CapturePrint(PCSTR Text, PVOID Context)
{
    (void)Context;
    pthread_mutex_lock(&PrintMutex);
    strncat(Printed, Text, sizeof(Printed) - strlen(Printed) - 1);
    pthread_mutex_unlock(&PrintMutex);
}

static void StartCapture(void)
{
    Printed[0] = '\0';
    IrqlHostSetPrintSink(CapturePrint, NULL);
}

static int PrintedContains(const char *Text)
{
    int Found;
    pthread_mutex_lock(&PrintMutex);
    Found = strstr(Printed, Text) != NULL;
    pthread_mutex_unlock(&PrintMutex);
    return Found;
}

static SIZE_T GrtOutstanding(void)
{
    return LockTestPoolOutstanding(IRQL_GRT_POOL_TAG);
}

/* ---- A system thread the test can join ------------------------------------------------------ */

static void SleepMs(LONG Ms)
{
    LARGE_INTEGER Delay = TestTimeout(Ms);
    KeDelayExecutionThread(KernelMode, FALSE, &Delay);
}

/* ---- wdk-mutex's Grt scenario, for every lock kind ----------------------------------------- */

static volatile LONG WorkerErrors;

/* GET_AND_LOCK_WORKER: 100 x (GET, lock, increment, release lock, IrqlGrtRelease). */
#define GRT_KIND_SUITE(Kind, LockType)                                                          \
    typedef IRQL_PROTECTED(LockType, LONG) Kind##_COUNTER;                                      \
    typedef IRQL_PROTECTED(LockType, ULONG64) Kind##_WIDE;                                      \
                                                                                                \
    IRQL_MAX(Kind##Worker, APC_LEVEL)                                                           \
    static VOID Kind##Worker(PVOID Context)                                                     \
    {                                                                                           \
        IRQL_ENTER(Kind##Worker);                                                               \
        (void)Context;                                                                          \
        for (int I = 0; I < 100; I++) {                                                         \
            Kind##_COUNTER *Counter;                                                            \
            NTSTATUS Status = IRQL_GRT_GET(#Kind ".counter", Kind##_COUNTER, &Counter);         \
            if (!NT_SUCCESS(Status)) {                                                          \
                InterlockedIncrement(&WorkerErrors);                                            \
                continue;                                                                       \
            }                                                                                   \
            IRQL_WITH(Counter, Value) { (*Value)++; }                                           \
            IrqlGrtRelease(Counter);                                                            \
        }                                                                                       \
    }                                                                                           \
                                                                                                \
    /* Registrations nested across helpers, as wdk-mutex's test does. */                       \
    IRQL_MAX(Kind##RegisterWide, APC_LEVEL)                                                     \
    static NTSTATUS Kind##RegisterWide(VOID)                                                    \
    {                                                                                           \
        IRQL_ENTER(Kind##RegisterWide);                                                         \
        return IRQL_GRT_REGISTER(#Kind ".wide", Kind##_WIDE, &(ULONG64){0x1234567890ULL});      \
    }                                                                                           \
    IRQL_MAX(Kind##RegisterAll, APC_LEVEL)                                                      \
    static NTSTATUS Kind##RegisterAll(VOID)                                                     \
    {                                                                                           \
        IRQL_ENTER(Kind##RegisterAll);                                                          \
        char Key[32];                                                                           \
        NTSTATUS Status;                                                                        \
        /* The key is copied: a stack buffer that changes afterwards is fine. */               \
        snprintf(Key, sizeof(Key), "%s.counter", #Kind);                                        \
        Status = IRQL_GRT_REGISTER(Key, Kind##_COUNTER, &(LONG){0});                            \
        memset(Key, 'x', sizeof(Key) - 1);                                                      \
        return NT_SUCCESS(Status) ? IRQL_CALL(Kind##RegisterWide)() : Status;                   \
    }                                                                                           \
                                                                                                \
    Test(registry_kinds, Kind##_three_threads_count_to_300)                                     \
    {                                                                                           \
        IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);                                             \
        Kind##_COUNTER *Counter;                                                                \
        Kind##_WIDE *Wide;                                                                      \
        cr_assert_eq(IrqlGrtInit(), STATUS_SUCCESS);                                            \
        cr_assert_eq(IRQL_CALL(Kind##RegisterAll)(), STATUS_SUCCESS);                           \
        RunSystemThreads(3, Kind##Worker, NULL);                                                \
        cr_assert_eq(WorkerErrors, 0);                                                          \
        cr_assert_eq(IRQL_GRT_GET(#Kind ".counter", Kind##_COUNTER, &Counter),                  \
                     STATUS_SUCCESS);                                                           \
        cr_assert_eq(Counter->Data, 300);                                                       \
        IrqlGrtRelease(Counter);                                                                \
        cr_assert_eq(IRQL_GRT_GET(#Kind ".wide", Kind##_WIDE, &Wide), STATUS_SUCCESS);          \
        cr_assert_eq(Wide->Data, 0x1234567890ULL);                                              \
        cr_assert_eq(((ULONG_PTR)Wide & 15), 0, "values keep the pool's alignment");           \
        IrqlGrtRelease(Wide);                                                                   \
        cr_assert_eq(IrqlGrtDestroy(), STATUS_SUCCESS);                                         \
        cr_assert_eq(GrtOutstanding(), 0, "destroy frees everything");                          \
    }

GRT_KIND_SUITE(KMUTEX, IRQL_KMUTEX)
GRT_KIND_SUITE(FAST_MUTEX, IRQL_FAST_MUTEX)
GRT_KIND_SUITE(GUARDED_MUTEX, IRQL_GUARDED_MUTEX)
GRT_KIND_SUITE(SPIN_LOCK, IRQL_SPIN_LOCK)
GRT_KIND_SUITE(RESOURCE, IRQL_RESOURCE)
GRT_KIND_SUITE(PUSH_LOCK, IRQL_PUSH_LOCK)

/* ---- Types for the error paths ------------------------------------------------------------- */

typedef IRQL_PROTECTED(IRQL_FAST_MUTEX, LONG) FAST_COUNTER, *PFAST_COUNTER;
typedef IRQL_PROTECTED(IRQL_FAST_MUTEX, LONG) SAME_LAYOUT_COUNTER; /* another name */
typedef IRQL_PROTECTED(IRQL_FAST_MUTEX, ULONG64) FAST_WIDE;        /* another size */
typedef IRQL_PROTECTED(IRQL_SPIN_LOCK, LONG) SPIN_COUNTER, *PSPIN_COUNTER;

/* ---- Lifecycle ----------------------------------------------------------------------------- */

Test(registry, every_call_before_init_says_not_initialized)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    PFAST_COUNTER Counter = (PFAST_COUNTER)(ULONG_PTR)1;
    ULONG Count = 7;
    cr_assert_eq(IRQL_GRT_GET("a", FAST_COUNTER, &Counter), STATUS_IRQL_GRT_NOT_INITIALIZED);
    cr_assert_null(Counter, "a failed get stores NULL");
    cr_assert_eq(IRQL_GRT_REGISTER("a", FAST_COUNTER, NULL), STATUS_IRQL_GRT_NOT_INITIALIZED);
    cr_assert_eq(IrqlGrtRemove("a"), STATUS_IRQL_GRT_NOT_INITIALIZED);
    cr_assert_eq(IrqlGrtDestroy(), STATUS_IRQL_GRT_NOT_INITIALIZED);
    cr_assert_eq(IrqlGrtEnumerate(NULL, NULL, &Count), STATUS_INVALID_PARAMETER);
    cr_assert_eq(Count, 0);
    cr_assert_eq(GrtOutstanding(), 0, "nothing allocated");
}

Test(registry, init_twice_is_an_error_and_changes_nothing)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    PFAST_COUNTER Counter;
    cr_assert_eq(IrqlGrtInit(), STATUS_SUCCESS);
    cr_assert_eq(IRQL_GRT_REGISTER("kept", FAST_COUNTER, &(LONG){5}), STATUS_SUCCESS);
    cr_assert_eq(IrqlGrtInit(), STATUS_IRQL_GRT_ALREADY_INITIALIZED);
    cr_assert_eq(IRQL_GRT_GET("kept", FAST_COUNTER, &Counter), STATUS_SUCCESS);
    cr_assert_eq(Counter->Data, 5);
    IrqlGrtRelease(Counter);
    cr_assert_eq(IrqlGrtDestroy(), STATUS_SUCCESS);
}

Test(registry, after_destroy_every_call_says_destroyed_and_init_starts_afresh)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    PFAST_COUNTER Counter;
    cr_assert_eq(IrqlGrtInit(), STATUS_SUCCESS);
    cr_assert_eq(IRQL_GRT_REGISTER("old", FAST_COUNTER, NULL), STATUS_SUCCESS);
    cr_assert_eq(IrqlGrtDestroy(), STATUS_SUCCESS);
    cr_assert_eq(IRQL_GRT_GET("old", FAST_COUNTER, &Counter), STATUS_IRQL_GRT_DESTROYED);
    cr_assert_null(Counter);
    cr_assert_eq(IRQL_GRT_REGISTER("new", FAST_COUNTER, NULL), STATUS_IRQL_GRT_DESTROYED);
    cr_assert_eq(IrqlGrtRemove("old"), STATUS_IRQL_GRT_DESTROYED);
    cr_assert_eq(IrqlGrtDestroy(), STATUS_IRQL_GRT_DESTROYED, "a second destroy is harmless");
    cr_assert_eq(GrtOutstanding(), 0);

    cr_assert_eq(IrqlGrtInit(), STATUS_SUCCESS, "a fresh registry after a completed destroy");
    cr_assert_eq(IRQL_GRT_GET("old", FAST_COUNTER, &Counter), STATUS_IRQL_GRT_KEY_NOT_FOUND,
                 "and it is empty");
    cr_assert_eq(IRQL_GRT_REGISTER("old", FAST_COUNTER, &(LONG){9}), STATUS_SUCCESS);
    cr_assert_eq(IRQL_GRT_GET("old", FAST_COUNTER, &Counter), STATUS_SUCCESS);
    cr_assert_eq(Counter->Data, 9);
    IrqlGrtRelease(Counter);
    cr_assert_eq(IrqlGrtDestroy(), STATUS_SUCCESS);
    cr_assert_eq(GrtOutstanding(), 0);
}

/* ---- Keys ------------------------------------------------------------------------------------ */

Test(registry, duplicate_key_is_refused_and_nothing_is_replaced)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    PFAST_COUNTER Counter;
    SIZE_T Before;
    cr_assert_eq(IrqlGrtInit(), STATUS_SUCCESS);
    cr_assert_eq(IRQL_GRT_REGISTER("dup", FAST_COUNTER, &(LONG){1}), STATUS_SUCCESS);
    Before = GrtOutstanding();
    cr_assert_eq(IRQL_GRT_REGISTER("dup", FAST_COUNTER, &(LONG){2}), STATUS_IRQL_GRT_KEY_EXISTS);
    cr_assert_eq(IRQL_GRT_REGISTER("dup", SPIN_COUNTER, &(LONG){3}), STATUS_IRQL_GRT_KEY_EXISTS,
                 "another type under the same key is a duplicate too");
    cr_assert_eq(GrtOutstanding(), Before, "the refused registrations freed what they took");
    cr_assert_eq(IRQL_GRT_GET("dup", FAST_COUNTER, &Counter), STATUS_SUCCESS);
    cr_assert_eq(Counter->Data, 1, "the first value stays");
    IrqlGrtRelease(Counter);
    cr_assert_eq(IrqlGrtDestroy(), STATUS_SUCCESS);
}

Test(registry, unknown_key_is_not_found)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    PFAST_COUNTER Counter;
    cr_assert_eq(IrqlGrtInit(), STATUS_SUCCESS);
    cr_assert_eq(IRQL_GRT_REGISTER("known", FAST_COUNTER, NULL), STATUS_SUCCESS);
    cr_assert_eq(IRQL_GRT_GET("unknown", FAST_COUNTER, &Counter), STATUS_IRQL_GRT_KEY_NOT_FOUND);
    cr_assert_eq(IRQL_GRT_GET("Known", FAST_COUNTER, &Counter), STATUS_IRQL_GRT_KEY_NOT_FOUND,
                 "keys are case-sensitive");
    cr_assert_eq(IRQL_GRT_GET("know", FAST_COUNTER, &Counter), STATUS_IRQL_GRT_KEY_NOT_FOUND);
    cr_assert_null(Counter);
    cr_assert_eq(IrqlGrtRemove("unknown"), STATUS_IRQL_GRT_KEY_NOT_FOUND);
    cr_assert_eq(IrqlGrtDestroy(), STATUS_SUCCESS);
}

Test(registry, invalid_keys_are_refused)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    char Long[IRQL_GRT_MAX_KEY_LENGTH + 2];
    PFAST_COUNTER Counter;
    cr_assert_eq(IrqlGrtInit(), STATUS_SUCCESS);
    cr_assert_eq(IRQL_GRT_REGISTER(NULL, FAST_COUNTER, NULL), STATUS_IRQL_GRT_INVALID_KEY);
    cr_assert_eq(IRQL_GRT_REGISTER("", FAST_COUNTER, NULL), STATUS_IRQL_GRT_INVALID_KEY);
    memset(Long, 'k', sizeof(Long) - 1);
    Long[sizeof(Long) - 1] = '\0'; /* 256 characters */
    cr_assert_eq(IRQL_GRT_REGISTER(Long, FAST_COUNTER, NULL), STATUS_IRQL_GRT_INVALID_KEY);
    cr_assert_eq(IRQL_GRT_GET(Long, FAST_COUNTER, &Counter), STATUS_IRQL_GRT_INVALID_KEY);
    cr_assert_eq(IRQL_GRT_GET(NULL, FAST_COUNTER, &Counter), STATUS_IRQL_GRT_INVALID_KEY);
    cr_assert_eq(IRQL_GRT_GET("", FAST_COUNTER, &Counter), STATUS_IRQL_GRT_INVALID_KEY);
    cr_assert_eq(IrqlGrtRemove(NULL), STATUS_IRQL_GRT_INVALID_KEY);
    Long[IRQL_GRT_MAX_KEY_LENGTH] = '\0'; /* exactly the limit */
    cr_assert_eq(IRQL_GRT_REGISTER(Long, FAST_COUNTER, NULL), STATUS_SUCCESS);
    cr_assert_eq(IRQL_GRT_GET(Long, FAST_COUNTER, &Counter), STATUS_SUCCESS);
    IrqlGrtRelease(Counter);
    cr_assert_eq(IrqlGrtDestroy(), STATUS_SUCCESS);
    cr_assert_eq(GrtOutstanding(), 0);
}

/* ---- Types ----------------------------------------------------------------------------------- */

Test(registry, wrong_type_is_a_status_naming_both_types)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    SAME_LAYOUT_COUNTER *Same;
    FAST_WIDE *Wide;
    PSPIN_COUNTER Spin;
    PFAST_COUNTER Counter;
    cr_assert_eq(IrqlGrtInit(), STATUS_SUCCESS);
    cr_assert_eq(IRQL_GRT_REGISTER("typed", FAST_COUNTER, NULL), STATUS_SUCCESS);
    StartCapture();
    cr_assert_eq(IRQL_GRT_GET("typed", FAST_WIDE, &Wide), STATUS_IRQL_GRT_TYPE_MISMATCH);
    cr_assert_null(Wide);
    cr_assert(PrintedContains("FAST_COUNTER") && PrintedContains("FAST_WIDE"),
              "the report names both types: %s", Printed);
    cr_assert(PrintedContains("\"typed\""), "and the key: %s", Printed);
    StartCapture();
    cr_assert_eq(IRQL_GRT_GET("typed", SAME_LAYOUT_COUNTER, &Same),
                 STATUS_IRQL_GRT_TYPE_MISMATCH, "same layout, another name");
    cr_assert(PrintedContains("SAME_LAYOUT_COUNTER"), "%s", Printed);
    cr_assert_eq(IRQL_GRT_GET("typed", SPIN_COUNTER, &Spin), STATUS_IRQL_GRT_TYPE_MISMATCH,
                 "another lock kind");
    IrqlHostSetPrintSink(NULL, NULL);
    cr_assert_eq(IRQL_GRT_GET("typed", FAST_COUNTER, &Counter), STATUS_SUCCESS);
    IrqlGrtRelease(Counter);
    cr_assert_eq(IrqlGrtDestroy(), STATUS_SUCCESS, "failed gets took no reference");
}

/* ---- Teardown -------------------------------------------------------------------------------- */

static NTSTATUS DestroyStatus;

static VOID DestroyThread(PVOID Context)
{
    (void)Context;
    DestroyStatus = IrqlGrtDestroy();
}

Test(registry, destroy_waits_for_a_reference_and_refuses_new_ones_meanwhile)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    PFAST_COUNTER Held;
    PFAST_COUNTER Other;
    PVOID Thread;
    NTSTATUS Status = STATUS_SUCCESS;
    cr_assert_eq(IrqlGrtInit(), STATUS_SUCCESS);
    cr_assert_eq(IRQL_GRT_REGISTER("held", FAST_COUNTER, &(LONG){41}), STATUS_SUCCESS);
    cr_assert_eq(IRQL_GRT_REGISTER("other", FAST_COUNTER, NULL), STATUS_SUCCESS);
    cr_assert_eq(IRQL_GRT_GET("held", FAST_COUNTER, &Held), STATUS_SUCCESS);

    DestroyStatus = STATUS_PENDING;
    Thread = StartThread(DestroyThread, NULL);
    for (int I = 0; I < 6000; I++) { /* until destroy has started (at most 60 s) */
        Status = IRQL_GRT_GET("other", FAST_COUNTER, &Other);
        if (Status != STATUS_SUCCESS) {
            break;
        }
        IrqlGrtRelease(Other);
        SleepMs(10);
    }
    cr_assert_eq(Status, STATUS_IRQL_GRT_DESTROYING, "GET during destroy");
    cr_assert_null(Other);
    cr_assert_eq(IRQL_GRT_REGISTER("late", FAST_COUNTER, NULL), STATUS_IRQL_GRT_DESTROYING);
    cr_assert_eq(IrqlGrtRemove("other"), STATUS_IRQL_GRT_DESTROYING);
    cr_assert_eq(IrqlGrtInit(), STATUS_IRQL_GRT_DESTROYING);
    cr_assert_eq(IrqlGrtDestroy(), STATUS_IRQL_GRT_DESTROYING);

    SleepMs(100);
    cr_assert(!ThreadEnded(Thread, 0), "destroy waits for the outstanding reference");
    cr_assert_eq(Held->Data, 41, "which still points to live memory");
    IRQL_WITH(Held, Value) { (*Value)++; }
    IrqlGrtRelease(Held);
    JoinThread(Thread);
    cr_assert_eq(DestroyStatus, STATUS_SUCCESS);
    cr_assert_eq(IRQL_GRT_GET("held", FAST_COUNTER, &Held), STATUS_IRQL_GRT_DESTROYED);
    cr_assert_eq(GrtOutstanding(), 0);
}

Test(registry, destroy_reports_and_leaks_a_value_still_locked)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    PFAST_COUNTER Counter;
    cr_assert_eq(IrqlGrtInit(), STATUS_SUCCESS);
    cr_assert_eq(IRQL_GRT_REGISTER("locked", FAST_COUNTER, NULL), STATUS_SUCCESS);
    cr_assert_eq(IRQL_GRT_REGISTER("fine", FAST_COUNTER, NULL), STATUS_SUCCESS);
    cr_assert_eq(IRQL_GRT_GET("locked", FAST_COUNTER, &Counter), STATUS_SUCCESS);
    cr_assert_eq(IrqlFastMutexLock(&Counter->Lock), STATUS_SUCCESS);
    IrqlGrtRelease(Counter); /* a bug: the lock outlives the reference */
    StartCapture();
    cr_assert_eq(IrqlGrtDestroy(), STATUS_IRQL_GRT_LEAKED);
    IrqlHostSetPrintSink(NULL, NULL);
    cr_assert(PrintedContains("\"locked\" (FAST_COUNTER) is still locked"), "%s", Printed);
    cr_assert(!PrintedContains("\"fine\""), "%s", Printed);
    cr_assert(PrintedContains("leaked 1"), "%s", Printed);
    cr_assert_eq(GrtOutstanding(), 1, "only the locked value is left, on purpose");
    /* Not freed, so the holder can still release it safely. */
    cr_assert_eq(IrqlFastMutexUnlock(&Counter->Lock), STATUS_SUCCESS);
}

Test(registry, destroy_frees_every_registered_value)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    char Key[32];
    cr_assert_eq(IrqlGrtInit(), STATUS_SUCCESS);
    for (int I = 0; I < 1000; I++) { /* grows the table several times */
        snprintf(Key, sizeof(Key), "value.%d", I);
        cr_assert_eq(IRQL_GRT_REGISTER(Key, SPIN_COUNTER, &(LONG){I}), STATUS_SUCCESS);
    }
    for (int I = 0; I < 1000; I++) {
        PSPIN_COUNTER Counter;
        snprintf(Key, sizeof(Key), "value.%d", I);
        cr_assert_eq(IRQL_GRT_GET(Key, SPIN_COUNTER, &Counter), STATUS_SUCCESS);
        cr_assert_eq(Counter->Data, I);
        IrqlGrtRelease(Counter);
    }
    cr_assert_eq(IrqlGrtDestroy(), STATUS_SUCCESS);
    cr_assert_eq(GrtOutstanding(), 0);
}

/* ---- Remove ---------------------------------------------------------------------------------- */

typedef struct _REMOVE_JOB {
    PCSTR Key;
    NTSTATUS Status;
} REMOVE_JOB;

static VOID RemoveThread(PVOID Context)
{
    REMOVE_JOB *Job = (REMOVE_JOB *)Context;
    Job->Status = IrqlGrtRemove(Job->Key);
}

Test(registry, remove_waits_for_references_and_frees_the_key)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    PFAST_COUNTER Held;
    PFAST_COUNTER Again;
    REMOVE_JOB Job = {"gone", STATUS_PENDING};
    PVOID Thread;
    NTSTATUS Status = STATUS_SUCCESS;
    cr_assert_eq(IrqlGrtInit(), STATUS_SUCCESS);
    cr_assert_eq(IRQL_GRT_REGISTER("gone", FAST_COUNTER, &(LONG){3}), STATUS_SUCCESS);
    cr_assert_eq(IRQL_GRT_GET("gone", FAST_COUNTER, &Held), STATUS_SUCCESS);
    Thread = StartThread(RemoveThread, &Job);
    for (int I = 0; I < 6000; I++) {
        Status = IRQL_GRT_GET("gone", FAST_COUNTER, &Again);
        if (Status != STATUS_SUCCESS) {
            break;
        }
        IrqlGrtRelease(Again);
        SleepMs(10);
    }
    cr_assert_eq(Status, STATUS_IRQL_GRT_KEY_NOT_FOUND, "unlinked at once");
    cr_assert_eq(IRQL_GRT_REGISTER("gone", FAST_COUNTER, &(LONG){4}), STATUS_SUCCESS,
                 "the key may be registered again while the old value drains");
    SleepMs(100);
    cr_assert(!ThreadEnded(Thread, 0), "remove waits for the reference");
    cr_assert_eq(Held->Data, 3);
    IrqlGrtRelease(Held);
    JoinThread(Thread);
    cr_assert_eq(Job.Status, STATUS_SUCCESS);
    cr_assert_eq(IRQL_GRT_GET("gone", FAST_COUNTER, &Again), STATUS_SUCCESS);
    cr_assert_eq(Again->Data, 4);
    IrqlGrtRelease(Again);
    cr_assert_eq(IrqlGrtRemove("gone"), STATUS_SUCCESS);
    cr_assert_eq(IrqlGrtRemove("gone"), STATUS_IRQL_GRT_KEY_NOT_FOUND);
    cr_assert_eq(IrqlGrtDestroy(), STATUS_SUCCESS);
    cr_assert_eq(GrtOutstanding(), 0);
}

/* ---- Enumerate ------------------------------------------------------------------------------- */

typedef struct _SEEN {
    int Mask;
    int Calls;
    int StopAfter;
} SEEN;

IRQL_AT(OnKey, DISPATCH_LEVEL)
static BOOLEAN OnKey(PCSTR Key, PCSTR TypeName, PVOID Context)
{
    SEEN *Seen = (SEEN *)Context;
    cr_assert_eq(KeGetCurrentIrql(), DISPATCH_LEVEL);
    if (strcmp(TypeName, "FAST_COUNTER") == 0 && strncmp(Key, "enum.", 5) == 0) {
        Seen->Mask |= 1 << (Key[5] - '0');
    }
    Seen->Calls++;
    return Seen->Calls != Seen->StopAfter;
}

Test(registry, enumerate_visits_every_key_and_can_stop)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    SEEN Seen = {0, 0, 0};
    ULONG Count;
    cr_assert_eq(IrqlGrtInit(), STATUS_SUCCESS);
    cr_assert_eq(IrqlGrtEnumerate(IRQL_CALLBACK(OnKey, DISPATCH_LEVEL, DISPATCH_LEVEL), &Seen,
                                  &Count),
                 STATUS_SUCCESS);
    cr_assert_eq(Count, 0);
    cr_assert_eq(IRQL_GRT_REGISTER("enum.0", FAST_COUNTER, NULL), STATUS_SUCCESS);
    cr_assert_eq(IRQL_GRT_REGISTER("enum.1", FAST_COUNTER, NULL), STATUS_SUCCESS);
    cr_assert_eq(IRQL_GRT_REGISTER("enum.2", FAST_COUNTER, NULL), STATUS_SUCCESS);
    cr_assert_eq(IrqlGrtEnumerate(OnKey, &Seen, &Count), STATUS_SUCCESS);
    cr_assert_eq(Count, 3);
    cr_assert_eq(Seen.Mask, 7);
    Seen = (SEEN){0, 0, 2};
    cr_assert_eq(IrqlGrtEnumerate(OnKey, &Seen, &Count), STATUS_SUCCESS);
    cr_assert_eq(Count, 2, "stops when the routine returns FALSE");
    cr_assert_eq(IrqlGrtDestroy(), STATUS_SUCCESS);
    cr_assert_eq(IrqlGrtEnumerate(OnKey, &Seen, &Count), STATUS_IRQL_GRT_DESTROYED);
}

/* ---- Allocation failure ---------------------------------------------------------------------- */

Test(registry, allocation_failure_is_a_status_and_leaks_nothing)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    PFAST_COUNTER Counter;
    char Key[32];
    int Registered = 0;
    IrqlHostInjectPoolFailure(1, IRQL_GRT_POOL_TAG);
    cr_assert_eq(IrqlGrtInit(), STATUS_INSUFFICIENT_RESOURCES);
    cr_assert_eq(IRQL_GRT_GET("a", FAST_COUNTER, &Counter), STATUS_IRQL_GRT_NOT_INITIALIZED,
                 "still not initialised");
    cr_assert_eq(GrtOutstanding(), 0);
    cr_assert_eq(IrqlGrtInit(), STATUS_SUCCESS, "and it can be retried");

    IrqlHostInjectPoolFailure(1, IRQL_GRT_POOL_TAG);
    cr_assert_eq(IRQL_GRT_REGISTER("a", FAST_COUNTER, NULL), STATUS_INSUFFICIENT_RESOURCES);
    cr_assert_eq(IRQL_GRT_GET("a", FAST_COUNTER, &Counter), STATUS_IRQL_GRT_KEY_NOT_FOUND);
    cr_assert_eq(GrtOutstanding(), 1, "only the table");

    /* Random failures, including while the table grows: every success stays usable. */
    IrqlHostInjectPoolFailureRate(20, 1234, IRQL_GRT_POOL_TAG);
    for (int I = 0; I < 500; I++) {
        NTSTATUS Status;
        snprintf(Key, sizeof(Key), "k%d", I);
        Status = IRQL_GRT_REGISTER(Key, FAST_COUNTER, &(LONG){I});
        cr_assert(Status == STATUS_SUCCESS || Status == STATUS_INSUFFICIENT_RESOURCES,
                  "0x%08X", (unsigned)Status);
        Registered += Status == STATUS_SUCCESS;
    }
    IrqlHostClearPoolFaultInjection();
    cr_assert(Registered > 300 && Registered < 500, "%d", Registered);
    for (int I = 0; I < 500; I++) {
        NTSTATUS Status;
        snprintf(Key, sizeof(Key), "k%d", I);
        Status = IRQL_GRT_GET(Key, FAST_COUNTER, &Counter);
        if (Status == STATUS_SUCCESS) {
            cr_assert_eq(Counter->Data, I);
            IrqlGrtRelease(Counter);
            Registered--;
        } else {
            cr_assert_eq(Status, STATUS_IRQL_GRT_KEY_NOT_FOUND);
        }
    }
    cr_assert_eq(Registered, 0, "every successful registration is there");
    cr_assert_eq(IrqlGrtDestroy(), STATUS_SUCCESS);
    cr_assert_eq(GrtOutstanding(), 0);
}

/* ---- IRQL ------------------------------------------------------------------------------------ */

static volatile LONG DpcCount;

IRQL_AT(GetAtDispatch, DISPATCH_LEVEL)
static VOID GetAtDispatch(PVOID Context)
{
    IRQL_ENTER(GetAtDispatch);
    PSPIN_COUNTER Counter;
    (void)Context;
    if (NT_SUCCESS(IRQL_GRT_GET("spin", SPIN_COUNTER, &Counter))) {
        IRQL_WITH(Counter, Value) { (*Value)++; }
        IrqlGrtRelease(Counter);
        InterlockedIncrement(&DpcCount);
    }
}

Test(registry, get_and_release_work_at_dispatch_level_and_in_a_dpc)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    PSPIN_COUNTER Counter;
    cr_assert_eq(IrqlGrtInit(), STATUS_SUCCESS);
    cr_assert_eq(IRQL_GRT_REGISTER("spin", SPIN_COUNTER, NULL), STATUS_SUCCESS);
    IrqlHostRunAtIrql(DISPATCH_LEVEL, GetAtDispatch, NULL);
    cr_assert(!IrqlHostRunAsDpc(GetAtDispatch, NULL, NULL), "no bug check in the DPC");
    cr_assert_eq(DpcCount, 2);
    cr_assert_eq(IRQL_GRT_GET("spin", SPIN_COUNTER, &Counter), STATUS_SUCCESS);
    cr_assert_eq(Counter->Data, 2);
    IrqlGrtRelease(Counter);
    cr_assert_eq(IrqlGrtDestroy(), STATUS_SUCCESS);
}

static NTSTATUS HighStatus[5];

static VOID CallsAboveTheirMaximum(PVOID Context)
{
    PVOID Ptr = (PVOID)(ULONG_PTR)1;
    (void)Context;
    /* The functions themselves (the macros refuse this at compile time). */
    HighStatus[0] = irql__grt_register("x", "FAST_COUNTER", sizeof(FAST_COUNTER),
                                       FIELD_OFFSET(FAST_COUNTER, Data), sizeof(LONG),
                                       &irql__fast_mutex_ops, NULL);
    HighStatus[1] = IrqlGrtRemove("x");
    HighStatus[2] = IrqlGrtDestroy();
    HighStatus[3] = IrqlGrtInit();
    if (KeGetCurrentIrql() > DISPATCH_LEVEL) {
        HighStatus[4] = irql__grt_get("x", "FAST_COUNTER", sizeof(FAST_COUNTER),
                                      FIELD_OFFSET(FAST_COUNTER, Data), sizeof(LONG),
                                      IRQL__KIND_FAST_MUTEX, &Ptr);
        cr_assert_null(Ptr);
    }
}

Test(registry, calls_above_their_maximum_return_irql_too_high)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    cr_assert_eq(IrqlGrtInit(), STATUS_SUCCESS);
    IrqlHostRunAtIrql(DISPATCH_LEVEL, CallsAboveTheirMaximum, NULL);
    for (int I = 0; I < 4; I++) {
        cr_assert_eq(HighStatus[I], STATUS_IRQL_LOCK_IRQL_TOO_HIGH, "call %d", I);
    }
    IrqlHostRunAtIrql(DISPATCH_LEVEL + 1, CallsAboveTheirMaximum, NULL);
    cr_assert_eq(HighStatus[4], STATUS_IRQL_LOCK_IRQL_TOO_HIGH);
    cr_assert_eq(IrqlGrtDestroy(), STATUS_SUCCESS, "nothing changed");
}

Test(registry, release_ignores_null_and_reports_a_foreign_pointer)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    static __attribute__((aligned(16))) UCHAR NotAValue[256];
    IrqlGrtRelease(NULL);
    StartCapture();
    IrqlGrtRelease(NotAValue + 128);
    IrqlHostSetPrintSink(NULL, NULL);
    cr_assert(PrintedContains("not a registry reference"), "%s", Printed);
}
