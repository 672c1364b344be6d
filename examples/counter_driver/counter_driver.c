/*
 * IrqlCounter — a small driver written only against the WDK and irql's public API.
 *
 * Three system threads and a DPC update shared state through four lock kinds, each lock
 * owning the data it protects:
 *
 *   Totals     IRQL_SPIN_LOCK     threads (PASSIVE_LEVEL) and the DPC (DISPATCH_LEVEL); holds a
 *                                 non-paged vector the DPC appends samples to
 *   Histogram  IRQL_RESOURCE      threads write exclusively; the report reads shared
 *   Config     IRQL_FAST_MUTEX    threads only (PASSIVE_LEVEL): the body runs at APC_LEVEL
 *   Log        IRQL_KMUTEX        allocated in non-paged pool (IRQL_PROTECTED_NEW), moved out
 *                                 and freed at unload (IRQL_PROTECTED_INTO_INNER)
 *
 * Named counters live in the global registry ("rounds.even", "rounds.odd": FAST_MUTEX-
 * protected), looked up by name from every thread; the workload's settings live in a paged
 * box, read only at PASSIVE_LEVEL.
 *
 * Every function carries its IRQL contract; the DPC and thread routines are checked against
 * the level the kernel calls them at (IRQL_CALLBACK). DriverUnload waits for the threads,
 * flushes the DPC, frees everything and prints a report. The same source builds a .sys; on
 * the host kernel, examples/counter_driver/counter_demo.c loads and unloads it.
 */
#include <ntddk.h>

#include <irql/ddi.h> /* WDK routines through IRQL_CALL, with their documented IRQLs */
#include <irql/irql.h>
#include <irql/lock.h>
#include <irql/pool.h>
#include <irql/registry.h>

#include "counter_driver.h"

#define COUNTER_TAG 'tnCI' /* "ICnt" in a pool dump */

typedef IRQL_NONPAGED_VEC(LONG64) SAMPLE_VEC; /* touched by the DPC: non-paged */

typedef struct _TOTALS {
    LONG64 Increments;  /* one per worker round */
    LONG64 DpcRuns;     /* one per TickDpc run */
    SAMPLE_VEC Samples; /* Increments at each TickDpc run */
} TOTALS;

typedef struct _SETTINGS {
    ULONG Rounds;    /* locked rounds per worker */
    ULONG TickEvery; /* rounds between configuration bumps, log entries and DPCs */
} SETTINGS;

typedef IRQL_PAGED_BOX(SETTINGS) PAGED_SETTINGS_BOX; /* read only at PASSIVE_LEVEL: paged */

typedef struct _HISTOGRAM {
    ULONG Buckets[8];  /* worker rounds by round number modulo 8 */
} HISTOGRAM;

typedef struct _CONFIG {
    ULONG Generation;  /* bumped every COUNTER_TICK_EVERY rounds */
} CONFIG;

typedef struct _LOG {
    ULONG Entries;
    ULONG LastWorker;
} LOG;

typedef IRQL_PROTECTED(IRQL_SPIN_LOCK, TOTALS) PROTECTED_TOTALS;
typedef IRQL_PROTECTED(IRQL_RESOURCE, HISTOGRAM) PROTECTED_HISTOGRAM;
typedef IRQL_PROTECTED(IRQL_FAST_MUTEX, CONFIG) PROTECTED_CONFIG;
typedef IRQL_PROTECTED(IRQL_KMUTEX, LOG) PROTECTED_LOG;
typedef IRQL_PROTECTED(IRQL_FAST_MUTEX, LONG64) PROTECTED_COUNT; /* registry values */

/* Non-paged globals: a driver image's data section is resident. */
static PROTECTED_TOTALS Totals;
static PROTECTED_HISTOGRAM Histogram;
static PROTECTED_CONFIG Config;
static PROTECTED_LOG *Log;
static PAGED_SETTINGS_BOX Settings = IRQL_BOX_INIT;
/* Registry keys, validated and hashed once, then looked up through their cached hint. */
static IRQL_GRT_KEY EvenRounds = IRQL_GRT_KEY_INIT("rounds.even");
static IRQL_GRT_KEY OddRounds = IRQL_GRT_KEY_INIT("rounds.odd");
static BOOLEAN SamplesLost;
static KDPC TickDpc;
static LONG DpcQueued;
static PETHREAD Workers[COUNTER_WORKERS];

/* The kernel's callbacks are NTAPI (stdcall on x86): the definitions say so too, as gcc
   requires a definition to repeat its declaration's calling convention. */
DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD CounterUnload;
static KDEFERRED_ROUTINE CounterTick;
static KSTART_ROUTINE CounterWorker;

IRQL_AT(CounterTick, DISPATCH_LEVEL)
static VOID NTAPI CounterTick(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2)
{
    IRQL_ENTER(CounterTick);
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Argument1);
    UNREFERENCED_PARAMETER(Argument2);
    IRQL_WITH(&Totals, T) { /* acquired at DISPATCH_LEVEL: the spin lock allows it */
        T->DpcRuns++;
        /* Non-paged growth is allowed at DISPATCH_LEVEL; it may fail like any allocation. */
        if (!NT_SUCCESS(IRQL_VEC_PUSH(&T->Samples, T->Increments))) {
            SamplesLost = TRUE;
        }
    }
}

IRQL_MAX(CountNamed, PASSIVE_LEVEL)
static VOID CountNamed(PIRQL_GRT_KEY Name)
{
    IRQL_ENTER(CountNamed);
    PROTECTED_COUNT *Counter;
    if (NT_SUCCESS(IRQL_GRT_GET(Name, PROTECTED_COUNT, &Counter))) {
        IRQL_WITH(Counter, C) {
            (*C)++;
        }
        IrqlGrtRelease(Counter);
    }
}

IRQL_MAX(CountRound, PASSIVE_LEVEL)
static VOID CountRound(ULONG Worker, ULONG Round, ULONG TickEvery)
{
    IRQL_ENTER(CountRound);
    IRQL_CALL(CountNamed)(Round % 2 ? &OddRounds : &EvenRounds);
    IRQL_WITH(&Totals, T) {
        T->Increments++;
    }
    IRQL_WITH(&Histogram, H) {
        H->Buckets[Round % 8]++;
    }
    if (Round % TickEvery == 0) {
        IRQL_WITH(&Config, C) { /* runs at APC_LEVEL */
            C->Generation++;
        }
        IRQL_WITH(Log, L) {
            L->Entries++;
            L->LastWorker = Worker;
        }
        if (IRQL_CALL(KeInsertQueueDpc)(&TickDpc, NULL, NULL)) {
            InterlockedIncrement(&DpcQueued);
        }
    }
}

IRQL_AT(CounterWorker, PASSIVE_LEVEL)
static VOID NTAPI CounterWorker(PVOID Context)
{
    IRQL_ENTER(CounterWorker);
    ULONG Worker = (ULONG)(ULONG_PTR)Context;
    const SETTINGS *Work = IRQL_BOX_GET(&Settings); /* paged: fine at PASSIVE_LEVEL */
    for (ULONG Round = 0; Round < Work->Rounds; Round++) {
        IRQL_CALL(CountRound)(Worker, Round, Work->TickEvery);
    }
    IRQL_CALL(PsTerminateSystemThread)(STATUS_SUCCESS);
}

IRQL_AT(StartWorker, PASSIVE_LEVEL)
static NTSTATUS StartWorker(ULONG Index)
{
    IRQL_ENTER(StartWorker);
    OBJECT_ATTRIBUTES Attributes;
    HANDLE Handle;
    NTSTATUS Status;

    InitializeObjectAttributes(&Attributes, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    /* Checked against KSTART_ROUTINE: CounterWorker's contract must allow PASSIVE_LEVEL. */
    Status = IRQL_PsCreateSystemThread(&Handle, THREAD_ALL_ACCESS, &Attributes, NULL, NULL,
                                       CounterWorker, (PVOID)(ULONG_PTR)Index);
    if (!NT_SUCCESS(Status)) {
        return Status;
    }
    Status = IRQL_CALL(ObReferenceObjectByHandle)(Handle, SYNCHRONIZE, *PsThreadType,
                                                  KernelMode, (PVOID *)&Workers[Index], NULL);
    IRQL_CALL(ZwClose)(Handle);
    return Status;
}

IRQL_AT(StopWorkers, PASSIVE_LEVEL)
static VOID StopWorkers(VOID)
{
    IRQL_ENTER(StopWorkers);
    LARGE_INTEGER Timeout;
    Timeout.QuadPart = -10 * 1000 * 1000 * 10LL; /* 10 s, relative */
    for (ULONG i = 0; i < COUNTER_WORKERS; i++) {
        if (Workers[i] != NULL) {
            NTSTATUS Status =
                IRQL_CALL(KeWaitForSingleObject)(Workers[i], Executive, KernelMode, FALSE,
                                                 &Timeout);
            if (Status != STATUS_SUCCESS) {
                DbgPrint("IrqlCounter: worker %lu did not finish (0x%08lX)\n", (unsigned long)i,
                         (unsigned long)(ULONG)Status);
            }
            IRQL_CALL_MACRO(ObDereferenceObject, (Workers[i]));
            Workers[i] = NULL;
        }
    }
    IRQL_CALL(KeFlushQueuedDpcs)();
}

IRQL_MAX(ReadNamed, PASSIVE_LEVEL)
static LONG64 ReadNamed(PCSTR Name)
{
    IRQL_ENTER(ReadNamed);
    PROTECTED_COUNT *Counter;
    LONG64 Value = -1;
    if (NT_SUCCESS(IRQL_GRT_GET(Name, PROTECTED_COUNT, &Counter))) {
        IRQL_WITH(Counter, C) {
            Value = *C;
        }
        IrqlGrtRelease(Counter);
    }
    return Value;
}

/* Undo DriverEntry, whatever part of it ran; print the report. */
IRQL_AT(CounterUnload, PASSIVE_LEVEL)
static VOID NTAPI CounterUnload(PDRIVER_OBJECT DriverObject)
{
    IRQL_ENTER(CounterUnload);
    TOTALS Sum = {0, 0, IRQL_VEC_INIT};
    CONFIG Generation = {0};
    LOG Final = {0, 0};
    ULONG HistogramTotal = 0;
    SIZE_T SampleCount = 0;
    LONG64 LastSample = 0;
    LONG64 Even, Odd;
    NTSTATUS LogStatus, RegistryStatus;

    UNREFERENCED_PARAMETER(DriverObject);
    IRQL_CALL(StopWorkers)();

    IRQL_WITH(&Totals, T) {
        Sum.Increments = T->Increments;
        Sum.DpcRuns = T->DpcRuns;
        SampleCount = IRQL_VEC_LEN(&T->Samples);
        if (SampleCount > 0) {
            LastSample = *IRQL_VEC_AT(&T->Samples, SampleCount - 1);
        }
        IRQL_VEC_FREE(&T->Samples); /* non-paged: may be freed at DISPATCH_LEVEL */
    }
    IRQL_WITH_SHARED(&Histogram, H) {
        for (ULONG i = 0; i < 8; i++) {
            HistogramTotal += H->Buckets[i];
        }
    }
    IRQL_WITH(&Config, C) {
        Generation = *C;
    }
    Even = IRQL_CALL(ReadNamed)("rounds.even");
    Odd = IRQL_CALL(ReadNamed)("rounds.odd");
    RegistryStatus = IrqlGrtDestroy();
    LogStatus = Log != NULL ? IRQL_PROTECTED_INTO_INNER(PROTECTED_LOG, &Log, &Final, COUNTER_TAG)
                            : STATUS_SUCCESS;
    IRQL_BOX_FREE(&Settings);
    IrqlResourceDelete(&Histogram.Lock);

    DbgPrint("IrqlCounter: %d threads x %d rounds: %lld increments under the spin lock "
             "(expected %d)\n",
             COUNTER_WORKERS, COUNTER_ROUNDS, (long long)Sum.Increments,
             COUNTER_WORKERS * COUNTER_ROUNDS);
    DbgPrint("IrqlCounter: histogram under the ERESOURCE counts %lu rounds\n",
             (unsigned long)HistogramTotal);
    DbgPrint("IrqlCounter: configuration generation %lu under the FAST_MUTEX (expected %d)\n",
             (unsigned long)Generation.Generation,
             COUNTER_WORKERS * ((COUNTER_ROUNDS + COUNTER_TICK_EVERY - 1) / COUNTER_TICK_EVERY));
    DbgPrint("IrqlCounter: %lu log entries under the pool-allocated KMUTEX (moved out: 0x%08lX)\n",
             (unsigned long)Final.Entries, (unsigned long)(ULONG)LogStatus);
    DbgPrint("IrqlCounter: registry counters rounds.even %lld + rounds.odd %lld = %lld "
             "(destroyed: 0x%08lX)\n",
             (long long)Even, (long long)Odd, (long long)(Even + Odd),
             (unsigned long)(ULONG)RegistryStatus);
    DbgPrint("IrqlCounter: the DPC ran %lld times for %ld successful inserts, %lu samples in "
             "its non-paged vector (last %lld%s)\n",
             (long long)Sum.DpcRuns, (long)DpcQueued, (unsigned long)SampleCount,
             (long long)LastSample, SamplesLost ? ", some lost to allocation failures" : "");
}

IRQL_AT(DriverEntry, PASSIVE_LEVEL)
NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    IRQL_ENTER(DriverEntry);
    const LOG Empty = {0, 0};
    NTSTATUS Status;

    UNREFERENCED_PARAMETER(RegistryPath);
    IrqlSpinLockInit(&Totals.Lock);
    IrqlResourceInit(&Histogram.Lock);
    IrqlFastMutexInit(&Config.Lock);
    IRQL_KeInitializeDpc(&TickDpc, CounterTick, NULL); /* checked against KDEFERRED_ROUTINE */
    DriverObject->DriverUnload = IRQL_CALLBACK(CounterUnload, PASSIVE_LEVEL, PASSIVE_LEVEL);

    Status = IRQL_BOX_NEW(&Settings, COUNTER_TAG);
    if (NT_SUCCESS(Status)) {
        IRQL_BOX_GET(&Settings)->Rounds = COUNTER_ROUNDS;
        IRQL_BOX_GET(&Settings)->TickEvery = COUNTER_TICK_EVERY;
        Status = IRQL_PROTECTED_NEW(PROTECTED_LOG, &Log, &Empty, COUNTER_TAG);
    }
    if (NT_SUCCESS(Status)) {
        Status = IrqlGrtInit();
    }
    if (NT_SUCCESS(Status)) {
        Status = IRQL_GRT_REGISTER("rounds.even", PROTECTED_COUNT, NULL);
    }
    if (NT_SUCCESS(Status)) {
        Status = IRQL_GRT_REGISTER("rounds.odd", PROTECTED_COUNT, NULL);
    }
    for (ULONG i = 0; i < COUNTER_WORKERS && NT_SUCCESS(Status); i++) {
        Status = IRQL_CALL(StartWorker)(i);
    }
    if (!NT_SUCCESS(Status)) {
        IRQL_CALL(CounterUnload)(DriverObject);
        return Status;
    }
    DbgPrint("IrqlCounter: loaded, %d worker threads started\n", COUNTER_WORKERS);
    return STATUS_SUCCESS;
}
