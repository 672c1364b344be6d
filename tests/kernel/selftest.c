/*
 * IrqlSelfTest: irql's behaviours that make sense in a real kernel, run by a real driver.
 *
 * DriverEntry runs every check, DbgPrints one line per check ("IrqlSelfTest: ok <name>",
 * "FAIL <name>: …", "skip <name>: <why>") and writes the same lines to \??\C:\irql_selftest.txt,
 * ending with "IrqlSelfTest: <n> ok, <n> failed, <n> skipped". DriverUnload frees what
 * DriverEntry left for it (a registry with one key, a paged box), checks that nothing else is
 * left, and appends "IrqlSelfTest: unload …" to the same file. tests/kernel/run_wine.sh loads
 * it under Wine and asserts both.
 *
 * Checks skip only where a probe shows the kernel lacks a behaviour the check needs (a kernel
 * whose KeRaiseIrql does not change KeGetCurrentIrql, one that never hands a contended KMUTEX
 * to a waiter), and say so: on Windows every check runs. docs/building-drivers.md lists Wine's
 * gaps and what the self-test does about each.
 */
#include <ntddk.h>

#include <irql/irql.h>
#include <irql/lock.h>
#include <irql/pool.h>
#include <irql/registry.h>

#include "selftest.h"

#define SELFTEST_TAG 'tsQI'
#define SELFTEST_THREADS 3
#define SELFTEST_ROUNDS 500

/* 1 makes one check expect a wrong value: the build tests/kernel uses to prove that run_wine.sh
   fails when a check fails. */
#ifndef SELFTEST_BROKEN
#define SELFTEST_BROKEN 0
#endif

DRIVER_INITIALIZE DriverEntry;

typedef IRQL_PROTECTED(IRQL_KMUTEX, LONG) KMUTEX_COUNT;
typedef IRQL_PROTECTED(IRQL_RESOURCE, LONG) RESOURCE_COUNT;
typedef IRQL_PROTECTED(IRQL_FAST_MUTEX, LONG) FAST_COUNT; /* also the registry's wrong type */
typedef IRQL_PROTECTED(IRQL_SPIN_LOCK, LONG) SPIN_COUNT;
typedef struct _CONFIG {
    ULONG Rounds;
    CHAR Name[16];
} CONFIG;

static IRQL_PAGED_BOX(CONFIG) Config = IRQL_BOX_INIT; /* freed by DriverUnload */
static BOOLEAN KernelModelsIrql;

/* ------------------------------------------------------------------------------------------ */
/* Contracts                                                                                  */
/* ------------------------------------------------------------------------------------------ */

IRQL_MAX(Twice, DISPATCH_LEVEL)
static LONG Twice(LONG Value)
{
    IRQL_ENTER(Twice);
    return 2 * Value;
}

IRQL_AT(AtDispatch, DISPATCH_LEVEL)
static LONG AtDispatch(LONG Value)
{
    IRQL_ENTER(AtDispatch);
    return IRQL_CALL(Twice)(Value) + 1;
}

IRQL_AT(CheckContracts, PASSIVE_LEVEL)
static VOID CheckContracts(VOID)
{
    IRQL_ENTER(CheckContracts);
    LONG Raised = 0;
    KIRQL Before = KeGetCurrentIrql();

    IrqlSelfTestCheck("contracts: IRQL_CALL of an IRQL_MAX function",
                      IRQL_CALL(Twice)(21) == 42 + SELFTEST_BROKEN, "Twice(21) is %ld",
                      (long)IRQL_CALL(Twice)(21));
    IRQL_RAISE(DISPATCH_LEVEL) {
        Raised = IRQL_CALL(AtDispatch)(20);
    }
    IrqlSelfTestCheck("contracts: IRQL_RAISE scope runs its body and lowers",
                      Raised == 41 && KeGetCurrentIrql() == Before, "Raised %ld, IRQL %u",
                      (long)Raised, (unsigned)KeGetCurrentIrql());
}

/* ------------------------------------------------------------------------------------------ */
/* Locks                                                                                      */
/* ------------------------------------------------------------------------------------------ */

typedef struct _CONTENDER {
    KMUTEX_COUNT *Mutex;
    NTSTATUS TryStatus;
    NTSTATUS UnlockStatus;
} CONTENDER;

IRQL_AT(Contend, PASSIVE_LEVEL)
static VOID Contend(PVOID Context)
{
    IRQL_ENTER(Contend);
    CONTENDER *C = (CONTENDER *)Context;
    IrqlSelfTestAdoptThread();
    C->TryStatus = IrqlKMutexTryLock(&C->Mutex->Lock);
    C->UnlockStatus = IrqlKMutexUnlock(&C->Mutex->Lock);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

IRQL_AT(CheckKMutex, PASSIVE_LEVEL)
static VOID CheckKMutex(VOID)
{
    IRQL_ENTER(CheckKMutex);
    static KMUTEX_COUNT M;
    CONTENDER C = {&M, STATUS_SUCCESS, STATUS_SUCCESS};
    NTSTATUS Init = IrqlKMutexInit(&M.Lock);
    NTSTATUS First = IrqlKMutexLock(&M.Lock);
    NTSTATUS Again = IrqlKMutexLock(&M.Lock); /* KMUTEX is recursive */
    NTSTATUS Thread = IrqlSelfTestRunThread(IRQL_CALLBACK(Contend, PASSIVE_LEVEL, PASSIVE_LEVEL),
                                            &C);
    NTSTATUS Held = IrqlKMutexDelete(&M.Lock);
    NTSTATUS Unlock1 = IrqlKMutexUnlock(&M.Lock);
    NTSTATUS Unlock2 = IrqlKMutexUnlock(&M.Lock);
    NTSTATUS Unlock3 = IrqlKMutexUnlock(&M.Lock);
    NTSTATUS Delete = IrqlKMutexDelete(&M.Lock);

    IrqlSelfTestCheck("KMUTEX: init, lock, recursive lock", NT_SUCCESS(Init) &&
                      First == STATUS_SUCCESS && Again == STATUS_SUCCESS,
                      "0x%08lX 0x%08lX 0x%08lX", (ULONG)Init, (ULONG)First, (ULONG)Again);
    IrqlSelfTestCheck("KMUTEX: TryLock by another thread is busy", NT_SUCCESS(Thread) &&
                      C.TryStatus == STATUS_IRQL_LOCK_BUSY, "thread 0x%08lX, TryLock 0x%08lX",
                      (ULONG)Thread, (ULONG)C.TryStatus);
    IrqlSelfTestCheck("KMUTEX: unlock by a non-owner is refused",
                      C.UnlockStatus == STATUS_IRQL_LOCK_NOT_OWNER, "0x%08lX",
                      (ULONG)C.UnlockStatus);
    IrqlSelfTestCheck("KMUTEX: delete while held is refused", Held == STATUS_IRQL_LOCK_HELD,
                      "0x%08lX", (ULONG)Held);
    IrqlSelfTestCheck("KMUTEX: two unlocks, a third is refused, delete",
                      Unlock1 == STATUS_SUCCESS && Unlock2 == STATUS_SUCCESS &&
                          Unlock3 == STATUS_IRQL_LOCK_NOT_OWNER && Delete == STATUS_SUCCESS,
                      "0x%08lX 0x%08lX 0x%08lX 0x%08lX", (ULONG)Unlock1, (ULONG)Unlock2,
                      (ULONG)Unlock3, (ULONG)Delete);
}

/* SELFTEST_THREADS system threads add SELFTEST_ROUNDS each to one protected counter through
   IRQL_WITH; Kind names the lock. */
#define SELFTEST_INCREMENTS(Kind, Type, InitLock, DeleteLock)                                  \
    static Type Kind##Counter;                                                                \
    IRQL_AT(Kind##Worker, PASSIVE_LEVEL)                                                      \
    static VOID Kind##Worker(PVOID Context)                                                   \
    {                                                                                         \
        IRQL_ENTER(Kind##Worker);                                                             \
        UNREFERENCED_PARAMETER(Context);                                                      \
        IrqlSelfTestAdoptThread();                                                            \
        for (ULONG Round = 0; Round < SELFTEST_ROUNDS; Round++) {                             \
            IRQL_WITH(&Kind##Counter, Count) {                                                \
                LONG Seen = *Count;                                                           \
                YieldProcessor(); /* widen the window a missing lock would leave open */      \
                *Count = Seen + 1;                                                            \
            }                                                                                 \
        }                                                                                     \
        PsTerminateSystemThread(STATUS_SUCCESS);                                              \
    }                                                                                         \
    IRQL_AT(Kind##Increments, PASSIVE_LEVEL)                                                  \
    static VOID Kind##Increments(VOID)                                                        \
    {                                                                                         \
        IRQL_ENTER(Kind##Increments);                                                         \
        NTSTATUS Status = InitLock(&Kind##Counter.Lock);                                      \
        if (NT_SUCCESS(Status)) {                                                             \
            Kind##Counter.Data = 0;                                                           \
            Status = IrqlSelfTestRunThreads(                                                  \
                IRQL_CALLBACK(Kind##Worker, PASSIVE_LEVEL, PASSIVE_LEVEL), NULL,              \
                SELFTEST_THREADS);                                                            \
        }                                                                                     \
        IrqlSelfTestCheck(#Kind ": 3 threads x 500 locked increments",                        \
                          NT_SUCCESS(Status) &&                                               \
                              Kind##Counter.Data == SELFTEST_THREADS * SELFTEST_ROUNDS,       \
                          "status 0x%08lX, count %ld", (ULONG)Status,                         \
                          (long)Kind##Counter.Data);                                          \
        Status = DeleteLock(&Kind##Counter.Lock);                                             \
        IrqlSelfTestCheck(#Kind ": delete after use", Status == STATUS_SUCCESS, "0x%08lX",    \
                          (ULONG)Status);                                                     \
    }

SELFTEST_INCREMENTS(ERESOURCE, RESOURCE_COUNT, IrqlResourceInit, IrqlResourceDelete)
SELFTEST_INCREMENTS(KMUTEX, KMUTEX_COUNT, IrqlKMutexInit, IrqlKMutexDelete)
/* The locks whose holder runs raised. SELFTEST_RAISED_LOCKS=0 leaves them out of the driver:
   the Wine build, as Wine exports no ExTryToAcquireFastMutex (the driver would not load) and
   its KeGetCurrentIrql does not follow KeRaiseIrql (their Unlock would refuse). */
#ifndef SELFTEST_RAISED_LOCKS
#define SELFTEST_RAISED_LOCKS 1
#endif
#if SELFTEST_RAISED_LOCKS
SELFTEST_INCREMENTS(FAST_MUTEX, FAST_COUNT, IrqlFastMutexInit, IrqlFastMutexDelete)
SELFTEST_INCREMENTS(SPIN_LOCK, SPIN_COUNT, IrqlSpinLockInit, IrqlSpinLockDelete)
#endif

/* Does a KMUTEX released by its owner go to a thread blocked on it? (Wine: never.) */
static KMUTEX HandOffMutex;
static KEVENT HandOffWaiting;

IRQL_AT(HandOffWaiter, PASSIVE_LEVEL)
static VOID HandOffWaiter(PVOID Context)
{
    IRQL_ENTER(HandOffWaiter);
    LARGE_INTEGER Timeout;
    NTSTATUS *Result = (NTSTATUS *)Context;
    Timeout.QuadPart = -2 * 1000 * 1000 * 10LL; /* 2 s */
    KeSetEvent(&HandOffWaiting, IO_NO_INCREMENT, FALSE);
    *Result = KeWaitForSingleObject(&HandOffMutex, Executive, KernelMode, FALSE, &Timeout);
    if (*Result == STATUS_SUCCESS) {
        KeReleaseMutex(&HandOffMutex, FALSE);
    }
    PsTerminateSystemThread(STATUS_SUCCESS);
}

IRQL_AT(KernelHandsOffKMutex, PASSIVE_LEVEL)
static BOOLEAN KernelHandsOffKMutex(VOID)
{
    IRQL_ENTER(KernelHandsOffKMutex);
    NTSTATUS Result = STATUS_PENDING;
    PVOID Thread;
    LARGE_INTEGER Delay;
    KeInitializeMutex(&HandOffMutex, 0);
    KeInitializeEvent(&HandOffWaiting, NotificationEvent, FALSE);
    KeWaitForSingleObject(&HandOffMutex, Executive, KernelMode, FALSE, NULL);
    if (!NT_SUCCESS(IrqlSelfTestStartThread(
            IRQL_CALLBACK(HandOffWaiter, PASSIVE_LEVEL, PASSIVE_LEVEL), &Result, &Thread))) {
        KeReleaseMutex(&HandOffMutex, FALSE);
        return FALSE;
    }
    KeWaitForSingleObject(&HandOffWaiting, Executive, KernelMode, FALSE, NULL);
    Delay.QuadPart = -50 * 1000 * 10LL; /* 50 ms: the waiter is blocked by now */
    KeDelayExecutionThread(KernelMode, FALSE, &Delay);
    KeReleaseMutex(&HandOffMutex, FALSE);
    IrqlSelfTestJoinThread(Thread);
    return (BOOLEAN)(Result == STATUS_SUCCESS);
}

IRQL_AT(CheckLocks, PASSIVE_LEVEL)
static VOID CheckLocks(VOID)
{
    IRQL_ENTER(CheckLocks);
    IRQL_CALL(CheckKMutex)();
    IRQL_CALL(ERESOURCEIncrements)();
    if (IRQL_CALL(KernelHandsOffKMutex)()) {
        IRQL_CALL(KMUTEXIncrements)();
    } else {
        IrqlSelfTestSkip("KMUTEX: 3 threads x 500 locked increments",
                         "this kernel never hands a released KMUTEX to a blocked waiter");
    }
#if SELFTEST_RAISED_LOCKS
    if (KernelModelsIrql) {
        IRQL_CALL(FAST_MUTEXIncrements)();
        IRQL_CALL(SPIN_LOCKIncrements)();
        return;
    }
#endif
    /* The wrappers' Unlock checks the IRQL their Lock raised to, and refuses otherwise. */
    PCSTR Why = KernelModelsIrql ? "left out of this build (SELFTEST_RAISED_LOCKS=0)"
                                 : "this kernel's KeGetCurrentIrql does not follow KeRaiseIrql";
    IrqlSelfTestSkip("FAST_MUTEX: 3 threads x 500 locked increments", Why);
    IrqlSelfTestSkip("SPIN_LOCK: 3 threads x 500 locked increments", Why);
}

/* ------------------------------------------------------------------------------------------ */
/* Heap form and registry                                                                     */
/* ------------------------------------------------------------------------------------------ */

IRQL_AT(CheckProtectedHeap, PASSIVE_LEVEL)
static VOID CheckProtectedHeap(VOID)
{
    IRQL_ENTER(CheckProtectedHeap);
    RESOURCE_COUNT *P = NULL;
    LONG Initial = 7, Out = 0;
    NTSTATUS New = IRQL_PROTECTED_NEW(RESOURCE_COUNT, &P, &Initial, SELFTEST_TAG);
    NTSTATUS Inner;
    if (NT_SUCCESS(New)) {
        IRQL_WITH(P, Value) {
            *Value += 1;
        }
    }
    Inner = IRQL_PROTECTED_INTO_INNER(RESOURCE_COUNT, &P, &Out, SELFTEST_TAG);
    IrqlSelfTestCheck("IRQL_PROTECTED_NEW / IRQL_WITH / IRQL_PROTECTED_INTO_INNER",
                      NT_SUCCESS(New) && Inner == STATUS_SUCCESS && Out == 8 && P == NULL,
                      "new 0x%08lX, into-inner 0x%08lX, value %ld", (ULONG)New, (ULONG)Inner,
                      (long)Out);
}

/* IrqlGrtEnumerate calls it at DISPATCH_LEVEL. */
IRQL_AT(CountKey, DISPATCH_LEVEL)
static BOOLEAN CountKey(PCSTR Key, PCSTR TypeName, PVOID Context)
{
    IRQL_ENTER(CountKey);
    UNREFERENCED_PARAMETER(Key);
    UNREFERENCED_PARAMETER(TypeName);
    UNREFERENCED_PARAMETER(Context);
    return TRUE;
}

IRQL_AT(CheckRegistry, PASSIVE_LEVEL)
static VOID CheckRegistry(VOID)
{
    IRQL_ENTER(CheckRegistry);
    LONG Zero = 0, Hundred = 100;
    KMUTEX_COUNT *Mutex = NULL;
    RESOURCE_COUNT *Resource = NULL;
    FAST_COUNT *Wrong = NULL;
    ULONG Keys = 0;
    NTSTATUS Init = IrqlGrtInit();
    NTSTATUS Reg1 = IRQL_GRT_REGISTER("selftest.kmutex", KMUTEX_COUNT, &Zero);
    NTSTATUS Reg2 = IRQL_GRT_REGISTER("selftest.resource", RESOURCE_COUNT, &Hundred);
    NTSTATUS Dup = IRQL_GRT_REGISTER("selftest.kmutex", KMUTEX_COUNT, &Zero);
    NTSTATUS Get1 = IRQL_GRT_GET("selftest.kmutex", KMUTEX_COUNT, &Mutex);
    NTSTATUS Get2 = IRQL_GRT_GET("selftest.resource", RESOURCE_COUNT, &Resource);
    NTSTATUS Mismatch = IRQL_GRT_GET("selftest.kmutex", FAST_COUNT, &Wrong);
    NTSTATUS Missing = IRQL_GRT_GET("selftest.none", FAST_COUNT, &Wrong);
    NTSTATUS Enumerate = IrqlGrtEnumerate(IRQL_CALLBACK(CountKey, DISPATCH_LEVEL, DISPATCH_LEVEL),
                                          NULL, &Keys);
    LONG Sum = -1;
    NTSTATUS Removed;

    IrqlSelfTestCheck("registry: init, register two keys, duplicate refused",
                      Init == STATUS_SUCCESS && Reg1 == STATUS_SUCCESS &&
                          Reg2 == STATUS_SUCCESS && Dup == STATUS_IRQL_GRT_KEY_EXISTS,
                      "0x%08lX 0x%08lX 0x%08lX 0x%08lX", (ULONG)Init, (ULONG)Reg1, (ULONG)Reg2,
                      (ULONG)Dup);
    if (Get1 == STATUS_SUCCESS && Get2 == STATUS_SUCCESS) {
        IRQL_WITH(Mutex, M) {
            IRQL_WITH_SHARED(Resource, R) {
                *M += *R + 1;
                Sum = *M;
            }
        }
        IrqlGrtRelease(Mutex);
        IrqlGrtRelease(Resource);
    }
    IrqlSelfTestCheck("registry: get, lock, release", Sum == 101, "get 0x%08lX 0x%08lX, sum %ld",
                      (ULONG)Get1, (ULONG)Get2, (long)Sum);
    IrqlSelfTestCheck("registry: wrong type and missing key refused",
                      Mismatch == STATUS_IRQL_GRT_TYPE_MISMATCH &&
                          Missing == STATUS_IRQL_GRT_KEY_NOT_FOUND && Wrong == NULL,
                      "0x%08lX 0x%08lX", (ULONG)Mismatch, (ULONG)Missing);
    IrqlSelfTestCheck("registry: enumerate", Enumerate == STATUS_SUCCESS && Keys == 2,
                      "0x%08lX, %lu keys", (ULONG)Enumerate, (ULONG)Keys);
    Removed = IrqlGrtRemove("selftest.resource");
    IrqlSelfTestCheck("registry: remove", Removed == STATUS_SUCCESS &&
                      IRQL_GRT_GET("selftest.resource", RESOURCE_COUNT, &Resource) ==
                          STATUS_IRQL_GRT_KEY_NOT_FOUND,
                      "0x%08lX", (ULONG)Removed);
    /* "selftest.kmutex" stays registered: DriverUnload destroys the registry. */
}

/* ------------------------------------------------------------------------------------------ */
/* Pool                                                                                       */
/* ------------------------------------------------------------------------------------------ */

IRQL_AT(CheckPool, PASSIVE_LEVEL)
static VOID CheckPool(VOID)
{
    IRQL_ENTER(CheckPool);
    IRQL_NONPAGED_VEC(ULONG) Vec = IRQL_VEC_INIT_TAG(SELFTEST_TAG);
    IRQL_NONPAGED_BOX(LONG64) Box = IRQL_BOX_INIT;
    NTSTATUS Status = STATUS_SUCCESS;
    ULONG Sum = 0;
    LONG64 Out = 0;
    NTSTATUS New, Inner, Free;

    New = IRQL_BOX_NEW(&Config, SELFTEST_TAG);
    if (NT_SUCCESS(New)) {
        IRQL_BOX_GET(&Config)->Rounds = SELFTEST_ROUNDS;
    }
    IrqlSelfTestCheck("paged box: new, zeroed, written", NT_SUCCESS(New) &&
                      IRQL_BOX_GET(&Config)->Name[0] == 0,
                      "0x%08lX", (ULONG)New);

    New = IRQL_BOX_NEW(&Box, SELFTEST_TAG);
    if (NT_SUCCESS(New)) {
        *IRQL_BOX_GET(&Box) = 0x123456789LL;
    }
    Inner = IRQL_BOX_INTO_INNER(&Box, &Out);
    Free = IRQL_BOX_FREE(&Box); /* empty: a no-op */
    IrqlSelfTestCheck("non-paged box: new, into-inner, second free is a no-op",
                      NT_SUCCESS(New) && Inner == STATUS_SUCCESS && Free == STATUS_SUCCESS &&
                          Out == 0x123456789LL && IRQL_BOX_IS_EMPTY(&Box),
                      "0x%08lX 0x%08lX 0x%08lX", (ULONG)New, (ULONG)Inner, (ULONG)Free);

    for (ULONG i = 1; i <= 1000 && NT_SUCCESS(Status); i++) {
        Status = IRQL_VEC_PUSH(&Vec, i);
    }
    for (SIZE_T i = 0; i < IRQL_VEC_LEN(&Vec); i++) {
        Sum += *IRQL_VEC_AT(&Vec, i);
    }
    IrqlSelfTestCheck("non-paged vector: 1000 pushes through growth",
                      NT_SUCCESS(Status) && IRQL_VEC_LEN(&Vec) == 1000 && Sum == 500500 &&
                          IRQL_VEC_AT(&Vec, 1000) == NULL,
                      "0x%08lX, length %lu, sum %lu", (ULONG)Status, (ULONG)IRQL_VEC_LEN(&Vec),
                      (ULONG)Sum);
    Free = IRQL_VEC_FREE(&Vec);
    IrqlSelfTestCheck("non-paged vector: free", Free == STATUS_SUCCESS && IRQL_VEC_LEN(&Vec) == 0,
                      "0x%08lX", (ULONG)Free);
}

/* ------------------------------------------------------------------------------------------ */
/* Entry points                                                                               */
/* ------------------------------------------------------------------------------------------ */

IRQL_AT(SelfTestUnload, PASSIVE_LEVEL)
static VOID SelfTestUnload(PDRIVER_OBJECT DriverObject)
{
    IRQL_ENTER(SelfTestUnload);
    UNREFERENCED_PARAMETER(DriverObject);
    IrqlSelfTestAdoptThread();
    IrqlSelfTestStart(TRUE);
    NTSTATUS Destroy = IrqlGrtDestroy();
    ULONG Rounds = IRQL_BOX_IS_EMPTY(&Config) ? 0 : IRQL_BOX_GET(&Config)->Rounds;
    NTSTATUS Free = IRQL_BOX_FREE(&Config);
    IrqlSelfTestCheck("unload: registry destroyed with its last key",
                      Destroy == STATUS_SUCCESS, "0x%08lX", (ULONG)Destroy);
    IrqlSelfTestCheck("unload: paged box still holds what DriverEntry wrote, freed",
                      Rounds == SELFTEST_ROUNDS && Free == STATUS_SUCCESS &&
                          IRQL_BOX_IS_EMPTY(&Config),
                      "rounds %lu, 0x%08lX", (ULONG)Rounds, (ULONG)Free);
    IrqlSelfTestFinish("unload");
}

IRQL_AT(DriverEntry, PASSIVE_LEVEL)
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    IRQL_ENTER(DriverEntry);
    KIRQL Old;
    UNREFERENCED_PARAMETER(RegistryPath);

    IrqlSelfTestAdoptThread();
    IrqlSelfTestStart(FALSE);
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    KernelModelsIrql = (BOOLEAN)(KeGetCurrentIrql() == DISPATCH_LEVEL);
    KeLowerIrql(Old);
    if (!KernelModelsIrql) {
        IrqlSelfTestNote("kernel: KeGetCurrentIrql stays %u after KeRaiseIrql(DISPATCH_LEVEL)",
                         (unsigned)KeGetCurrentIrql());
    }

    IRQL_CALL(CheckContracts)();
    IRQL_CALL(CheckLocks)();
    IRQL_CALL(CheckProtectedHeap)();
    IRQL_CALL(CheckRegistry)();
    IRQL_CALL(CheckPool)();

    DriverObject->DriverUnload = IRQL_CALLBACK(SelfTestUnload, PASSIVE_LEVEL, PASSIVE_LEVEL);
    IrqlSelfTestFinish("entry");
    return STATUS_SUCCESS;
}
