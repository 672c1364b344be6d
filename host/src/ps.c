/*
 * Threads: thread objects, PsCreateSystemThread / PsTerminateSystemThread and the kernel's exit
 * checks, KeGetCurrentThread and the Ps identity queries, and the test hooks for bug checks on
 * system threads.
 */
#include "dispatcher.h"
#include "bugcheck.h"
#include "lifecycle.h"
#include "object.h"

#include <setjmp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#define SYSTEM_PROCESS_ID 4 /* the host plays the System process */

static OBJECT_TYPE ThreadType = {"Thread", NULL};
static POBJECT_TYPE ThreadTypePointer = &ThreadType;
POBJECT_TYPE *PsThreadType = &ThreadTypePointer;

static atomic_bool CatchSystemThreadBugChecks;
static atomic_ulong NextThreadId = 4; /* ids are multiples of 4, as on Windows */

/* Where PsTerminateSystemThread unwinds to, and the status it passes. */
static _Thread_local jmp_buf *ExitTarget;
static _Thread_local NTSTATUS ExitStatus;

PKTHREAD IrqlpCreateThreadObject(BOOLEAN SystemThread)
{
    PKTHREAD Thread = IrqlpObCreateObject(&ThreadType, sizeof(struct _ETHREAD));
    if (Thread == NULL) {
        return NULL;
    }
    Thread->Header.Type = ThreadObject;
    Thread->Header.Size = (UCHAR)(sizeof(DISPATCHER_HEADER) / sizeof(LONG));
    Thread->Header.SignalState = 0;
    Thread->Header.WaitListHead.Flink = Thread->Header.WaitListHead.Blink =
        &Thread->Header.WaitListHead;
    Thread->WaitStatus = STATUS_SUCCESS;
    Thread->UniqueThread = (ULONG_PTR)atomic_fetch_add(&NextThreadId, 4);
    Thread->SystemThread = SystemThread;
    return Thread;
}

/* Threads the host did not start get their object on first use and end it from a TLS
   destructor. */

static pthread_once_t ExitKeyOnce = PTHREAD_ONCE_INIT;
static pthread_key_t ExitKey;

static void HostThreadExit(void *Object)
{
    PKTHREAD Thread = Object;
    PIRQLP_THREAD Self = IrqlpCurrentThread();
    PKMUTANT Mutant;

    if (Self->Pcr.CurrentThread != Thread) {
        return;
    }
    Mutant = IrqlpFirstOwnedMutex(Self);
    if (Mutant != NULL) {
        IrqlpBugCheck(THREAD_TERMINATE_HELD_MUTEX, (ULONG_PTR)Thread, (ULONG_PTR)Mutant, 0, 0,
                      "thread %p ended holding KMUTEX %p", (void *)Thread, (void *)Mutant);
    }
    IrqlpTerminateThread(Thread, STATUS_SUCCESS);
}

static void CreateExitKey(void)
{
    if (pthread_key_create(&ExitKey, HostThreadExit) != 0) {
        fprintf(stderr, "irql host: cannot create the thread-exit key\n");
        abort();
    }
}

/* KeGetCurrentThread's first call on a thread the host did not start: give it an object. */
PKTHREAD IrqlpAttachCurrentThread(VOID)
{
    PIRQLP_THREAD Self = IrqlpCurrentThread();
    if (Self->Pcr.CurrentThread == NULL) {
        PKTHREAD Thread = IrqlpCreateThreadObject(FALSE);
        if (Thread == NULL) {
            fprintf(stderr, "irql host: out of memory creating a thread object\n");
            abort();
        }
        Thread->Self = Self;
        Self->Pcr.CurrentThread = Thread;
        pthread_once(&ExitKeyOnce, CreateExitKey);
        pthread_setspecific(ExitKey, Thread);
    }
    return Self->Pcr.CurrentThread;
}

/* The exported copy of the inline routine (<wdm/thread.h>; it stays an inline function for
   clang, so only names with external linkage here). */
PKTHREAD KeGetCurrentThread(VOID)
{
    PKTHREAD Thread = IRQLP_HOST_PCR()->CurrentThread;
    return Thread != NULL ? Thread : IrqlpAttachCurrentThread();
}

PETHREAD PsGetCurrentThread(VOID)
{
    return (PETHREAD)KeGetCurrentThread();
}

HANDLE PsGetCurrentThreadId(VOID)
{
    return (HANDLE)KeGetCurrentThread()->UniqueThread;
}

HANDLE PsGetCurrentProcessId(VOID)
{
    return (HANDLE)(ULONG_PTR)SYSTEM_PROCESS_ID;
}

BOOLEAN PsIsSystemThread(PETHREAD Thread)
{
    return Thread->Tcb.SystemThread;
}

/* The kernel's checks when a system thread ends (return or PsTerminateSystemThread). */
static void ExitChecks(PKTHREAD Thread, const char *How)
{
    PIRQLP_THREAD Self = IrqlpCurrentThread();
    PKMUTANT Mutant = IrqlpFirstOwnedMutex(Self);
    KIRQL Irql = Self->Pcr.Irql;
    LONG Kernel = Self->KernelApcDisable, Special = Self->SpecialApcDisable;

    if (Mutant != NULL) {
        IrqlpBugCheck(THREAD_TERMINATE_HELD_MUTEX, (ULONG_PTR)Thread, (ULONG_PTR)Mutant, 0, 0,
                      "system thread %p %s holding KMUTEX %p", (void *)Thread, How,
                      (void *)Mutant);
    }
    if (Irql != PASSIVE_LEVEL || Kernel != 0 || Special != 0) {
        /* P2 as the KTHREAD keeps it: CombinedApcDisable, the two counts negated (a driver that
           disables APCs decrements them), special ones in the high 16 bits. */
        ULONG Combined = ((ULONG)(USHORT)(-Special) << 16) | (USHORT)(-Kernel);
        char Level[16];
        if (Irql != PASSIVE_LEVEL) {
            IrqlpBugCheck(KERNEL_APC_PENDING_DURING_EXIT, 0, Combined, Irql, 0,
                          "system thread %p %s at %s: a thread must end at PASSIVE_LEVEL",
                          (void *)Thread, How, IrqlpLevelText(Irql, Level));
        }
        IrqlpBugCheck(KERNEL_APC_PENDING_DURING_EXIT, 0, Combined, Irql, 0,
                      "system thread %p %s with APCs still disabled (%ld critical region(s), "
                      "%ld guarded region(s) not left)",
                      (void *)Thread, How, (long)Kernel, (long)Special);
    }
}

static void RunSystemThread(PVOID Context)
{
    PKTHREAD Thread = Context;
    Thread->StartRoutine(Thread->StartContext);
    ExitChecks(Thread, "returned from its start routine");
}

static void *SystemThreadStart(void *Context)
{
    PKTHREAD Thread = Context;
    PIRQLP_THREAD Self = IrqlpCurrentThread();
    jmp_buf Exit;

    Thread->Self = Self;
    Self->Pcr.CurrentThread = Thread;
    ExitTarget = &Exit;
    ExitStatus = STATUS_SUCCESS;
    if (setjmp(Exit) == 0) {
        if (Thread->CatchBugChecks) {
            IRQL_HOST_BUGCHECK Report;
            if (IrqlHostCatchBugCheck(RunSystemThread, Thread, &Report)) {
                IrqlpLockDispatcher();
                Thread->BugChecked = TRUE;
                Thread->BugCheck = Report;
                IrqlpUnlockDispatcher();
                ExitStatus = STATUS_UNSUCCESSFUL;
            }
        } else {
            RunSystemThread(Thread);
        }
    } else {
        /* PsTerminateSystemThread skipped any catch frames the thread had entered. */
        Self->Catch = NULL;
    }
    ExitTarget = NULL;
    IrqlpSystemThreadEnded(Thread);
    IrqlpTerminateThread(Thread, ExitStatus);
    return NULL;
}

NTSTATUS PsCreateSystemThread(PHANDLE ThreadHandle, ULONG DesiredAccess,
                              POBJECT_ATTRIBUTES ObjectAttributes, HANDLE ProcessHandle,
                              PCLIENT_ID ClientId, PKSTART_ROUTINE StartRoutine,
                              PVOID StartContext)
{
    PKTHREAD Thread;
    NTSTATUS Status;
    pthread_attr_t Attributes;
    pthread_t Id;
    int Error;

    /* Every host handle is a kernel handle, so OBJ_KERNEL_HANDLE changes nothing here. */
    UNREFERENCED_PARAMETER(ObjectAttributes);
    if (IrqlpCurrentThread()->Pcr.Irql != PASSIVE_LEVEL) {
        IrqlpDdiViolation(0x2001C,
                          "PsCreateSystemThread must be called at PASSIVE_LEVEL (IrqlPsPassive)",
                          ThreadHandle, "PsCreateSystemThread");
    }
    if (ProcessHandle != NULL && ProcessHandle != NtCurrentProcess()) {
        return STATUS_INVALID_HANDLE; /* the host has no other process */
    }
    Thread = IrqlpCreateThreadObject(TRUE);
    if (Thread == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    Thread->StartRoutine = StartRoutine;
    Thread->StartContext = StartContext;
    Thread->CatchBugChecks = atomic_load(&CatchSystemThreadBugChecks);
    Status = IrqlpObCreateHandle(Thread, DesiredAccess, ThreadHandle);
    if (!NT_SUCCESS(Status)) {
        ObfDereferenceObject(Thread);
        return Status;
    }
    pthread_attr_init(&Attributes);
    pthread_attr_setdetachstate(&Attributes, PTHREAD_CREATE_DETACHED);
    IrqlpSystemThreadStarted(Thread, StartRoutine);
    Error = pthread_create(&Id, &Attributes, SystemThreadStart, Thread);
    pthread_attr_destroy(&Attributes);
    if (Error != 0) {
        IrqlpSystemThreadEnded(Thread);
        ZwClose(*ThreadHandle);
        *ThreadHandle = NULL;
        ObfDereferenceObject(Thread);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    if (ClientId != NULL) {
        ClientId->UniqueProcess = (HANDLE)(ULONG_PTR)SYSTEM_PROCESS_ID;
        ClientId->UniqueThread = (HANDLE)Thread->UniqueThread;
    }
    return STATUS_SUCCESS;
}

NTSTATUS PsTerminateSystemThread(NTSTATUS Status)
{
    PKTHREAD Thread = IrqlpCurrentThread()->Pcr.CurrentThread;

    if (IrqlpCurrentThread()->Pcr.Irql != PASSIVE_LEVEL) {
        IrqlpDdiViolation(0x2001C,
                          "PsTerminateSystemThread must be called at PASSIVE_LEVEL "
                          "(IrqlPsPassive)",
                          Thread, "PsTerminateSystemThread");
    }
    if (Thread == NULL || !Thread->SystemThread || ExitTarget == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    ExitChecks(Thread, "called PsTerminateSystemThread");
    ExitStatus = Status;
    longjmp(*ExitTarget, 1);
}

BOOLEAN IrqlHostCatchSystemThreadBugChecks(BOOLEAN Catch)
{
    return atomic_exchange(&CatchSystemThreadBugChecks, Catch != FALSE);
}

BOOLEAN IrqlHostGetThreadBugCheck(PVOID Thread, PIRQL_HOST_BUGCHECK Report)
{
    PKTHREAD Object = Thread;
    BOOLEAN BugChecked;

    IrqlpLockDispatcher();
    BugChecked = Object->BugChecked;
    if (BugChecked && Report != NULL) {
        *Report = Object->BugCheck;
    }
    IrqlpUnlockDispatcher();
    return BugChecked;
}
