/* Threads, thread objects, references and handles on the host kernel. */
#include "dispatcher_helpers.h"

#include <pthread.h>
#include <string.h>

static LARGE_INTEGER Zero = {.QuadPart = 0};

typedef struct _SEEN {
    PVOID Context;
    KIRQL Irql;
    HANDLE ThreadId;
    PKTHREAD Thread;
    BOOLEAN System;
    HANDLE ProcessId;
} SEEN;

static VOID Record(PVOID Context)
{
    SEEN *S = Context;
    S->Context = Context;
    S->Irql = KeGetCurrentIrql();
    S->ThreadId = PsGetCurrentThreadId();
    S->Thread = KeGetCurrentThread();
    S->System = PsIsSystemThread(PsGetCurrentThread());
    S->ProcessId = PsGetCurrentProcessId();
}

Test(threads, system_thread_runs_its_routine_at_passive_level)
{
    static SEEN S;
    HANDLE Handle;
    CLIENT_ID Id;
    PVOID Object;
    OBJECT_ATTRIBUTES Attributes;

    InitializeObjectAttributes(&Attributes, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    cr_assert_eq(PsCreateSystemThread(&Handle, THREAD_ALL_ACCESS, &Attributes, NULL, &Id, Record,
                                      &S),
                 STATUS_SUCCESS);
    cr_assert_not_null(Handle);
    cr_assert_eq(ObReferenceObjectByHandle(Handle, SYNCHRONIZE, *PsThreadType, KernelMode,
                                           &Object, NULL),
                 STATUS_SUCCESS);
    cr_assert_eq(ZwClose(Handle), STATUS_SUCCESS);
    JoinThread(Object);
    cr_assert_eq(S.Context, &S);
    cr_assert_eq(S.Irql, PASSIVE_LEVEL);
    cr_assert(S.System);
    cr_assert_eq(S.Thread, Object, "the handle refers to the thread that ran");
    cr_assert_eq(S.ThreadId, Id.UniqueThread);
    cr_assert_neq(S.ThreadId, PsGetCurrentThreadId());
    cr_assert_eq(Id.UniqueProcess, (HANDLE)4);
    cr_assert_eq(S.ProcessId, (HANDLE)4);
    cr_assert_eq(PsGetCurrentProcessId(), (HANDLE)4);
}

Test(threads, the_process_handle_must_be_null_or_the_current_process)
{
    static SEEN S;
    HANDLE Handle;
    cr_assert_eq(PsCreateSystemThread(&Handle, THREAD_ALL_ACCESS, NULL, (HANDLE)0x1234, NULL,
                                      Record, &S),
                 STATUS_INVALID_HANDLE);
    cr_assert_eq(PsCreateSystemThread(&Handle, THREAD_ALL_ACCESS, NULL, NtCurrentProcess(), NULL,
                                      Record, &S),
                 STATUS_SUCCESS);
    ZwClose(Handle);
}

static VOID WaitForGo(PVOID Context)
{
    LARGE_INTEGER Timeout = {.QuadPart = RELATIVE_MS(5000)};
    KeWaitForSingleObject(Context, Executive, KernelMode, FALSE, &Timeout);
}

Test(threads, a_thread_object_is_signalled_when_the_thread_ends)
{
    static KEVENT Go;
    PKTHREAD T;
    KeInitializeEvent(&Go, NotificationEvent, FALSE);
    T = StartThread(WaitForGo, &Go);
    cr_assert_eq(KeWaitForSingleObject(T, Executive, KernelMode, FALSE, &Zero), STATUS_TIMEOUT,
                 "running: not signalled");
    KeSetEvent(&Go, IO_NO_INCREMENT, FALSE);
    {
        LARGE_INTEGER Timeout = {.QuadPart = RELATIVE_MS(5000)};
        cr_assert_eq(KeWaitForSingleObject(T, Executive, KernelMode, FALSE, &Timeout),
                     STATUS_SUCCESS);
    }
    cr_assert_eq(KeWaitForSingleObject(T, Executive, KernelMode, FALSE, &Zero), STATUS_SUCCESS,
                 "and stays signalled");
    ObDereferenceObject(T);
}

Test(threads, many_waiters_on_one_thread_and_many_threads)
{
    enum { N = 16 };
    static KEVENT Go;
    PKTHREAD T[N];
    PVOID Objects[N];
    KWAIT_BLOCK Blocks[N];
    LARGE_INTEGER Timeout = {.QuadPart = RELATIVE_MS(5000)};

    KeInitializeEvent(&Go, NotificationEvent, FALSE);
    for (int i = 0; i < N; i++) {
        T[i] = StartThread(WaitForGo, &Go);
        Objects[i] = T[i];
    }
    KeSetEvent(&Go, IO_NO_INCREMENT, FALSE);
    cr_assert_eq(KeWaitForMultipleObjects(N, Objects, WaitAll, Executive, KernelMode, FALSE,
                                          &Timeout, Blocks),
                 STATUS_SUCCESS);
    for (int i = 0; i < N; i++) {
        ObDereferenceObject(T[i]);
    }
}

static VOID TerminateEarly(PVOID Context)
{
    *(int *)Context = 1;
    PsTerminateSystemThread(STATUS_SUCCESS);
    *(int *)Context = 2; /* never runs */
}

Test(threads, terminate_system_thread_does_not_return)
{
    static int Step;
    JoinThread(StartThread(TerminateEarly, &Step));
    cr_assert_eq(Step, 1);
}

static VOID TerminateInsideACatchFrame(PVOID Context)
{
    IrqlHostCatchBugCheck(TerminateEarly, Context, NULL);
    *(int *)Context = 3;
}

Test(threads, terminate_system_thread_leaves_catch_frames_too)
{
    static int Step;
    JoinThread(StartThread(TerminateInsideACatchFrame, &Step));
    cr_assert_eq(Step, 1);
}

Test(threads, terminate_system_thread_fails_on_other_threads)
{
    cr_assert_eq(PsTerminateSystemThread(STATUS_SUCCESS), STATUS_INVALID_PARAMETER);
    cr_assert_not(PsIsSystemThread(PsGetCurrentThread()));
}

/* Threads the host did not start */

static void *HostThread(void *Context)
{
    PKTHREAD *Out = Context;
    Out[0] = KeGetCurrentThread();
    Out[1] = KeGetCurrentThread();
    ObReferenceObject(Out[0]); /* kept for the test */
    return NULL;
}

Test(threads, host_threads_get_a_thread_object_on_first_use)
{
    PKTHREAD Seen[2];
    pthread_t T;
    cr_assert_eq(pthread_create(&T, NULL, HostThread, Seen), 0);
    cr_assert_eq(pthread_join(T, NULL), 0);
    cr_assert_eq(Seen[0], Seen[1], "the same object on every call");
    cr_assert_neq(Seen[0], KeGetCurrentThread());
    cr_assert_eq((PVOID)PsGetCurrentThread(), (PVOID)KeGetCurrentThread());
    cr_assert_eq(KeWaitForSingleObject(Seen[0], Executive, KernelMode, FALSE, &Zero),
                 STATUS_SUCCESS, "ended, so signalled");
    cr_assert_not(PsIsSystemThread((PETHREAD)Seen[0]));
    cr_assert_eq(ObDereferenceObject(Seen[0]), 0);
}

/* References and handles */

Test(threads, reference_counts)
{
    PVOID Self;
    OBJECT_HANDLE_INFORMATION Info;
    cr_assert_eq(ObReferenceObjectByHandle(NtCurrentThread(), SYNCHRONIZE, *PsThreadType,
                                           KernelMode, &Self, &Info),
                 STATUS_SUCCESS);
    cr_assert_eq(Self, KeGetCurrentThread());
    cr_assert_eq(Info.GrantedAccess, THREAD_ALL_ACCESS);
    cr_assert_eq(ObReferenceObject(Self), 3, "the thread's own reference, ours, and this one");
    cr_assert_eq(ObDereferenceObject(Self), 2);
    cr_assert_eq(ObDereferenceObject(Self), 1);
}

Test(threads, the_handle_and_the_thread_keep_the_object_alive)
{
    static SEEN S;
    HANDLE Handle;
    PVOID Object;
    cr_assert_eq(PsCreateSystemThread(&Handle, THREAD_ALL_ACCESS, NULL, NULL, NULL, Record, &S),
                 STATUS_SUCCESS);
    cr_assert_eq(ObReferenceObjectByHandle(Handle, SYNCHRONIZE, NULL, KernelMode, &Object, NULL),
                 STATUS_SUCCESS, "a NULL type accepts any object");
    {
        LARGE_INTEGER Timeout = {.QuadPart = RELATIVE_MS(5000)};
        KeWaitForSingleObject(Object, Executive, KernelMode, FALSE, &Timeout);
    }
    cr_assert_eq(ObReferenceObject(Object), 3, "the handle, ours and this one: the thread's own "
                                               "went before its wait was satisfied");
    ObDereferenceObject(Object);
    cr_assert_eq(ZwClose(Handle), STATUS_SUCCESS);
    cr_assert_eq(ObDereferenceObject(Object), 0, "the last reference deletes it");
}

static int OtherType;

Test(threads, a_handle_of_another_type_is_a_type_mismatch)
{
    static SEEN S;
    HANDLE Handle;
    PVOID Object = &S;
    cr_assert_eq(PsCreateSystemThread(&Handle, THREAD_ALL_ACCESS, NULL, NULL, NULL, Record, &S),
                 STATUS_SUCCESS);
    cr_assert_eq(ObReferenceObjectByHandle(Handle, SYNCHRONIZE, (POBJECT_TYPE)&OtherType,
                                           KernelMode, &Object, NULL),
                 STATUS_OBJECT_TYPE_MISMATCH);
    cr_assert_null(Object);
    cr_assert_eq(ObReferenceObjectByHandle(NtCurrentProcess(), SYNCHRONIZE, NULL, KernelMode,
                                           &Object, NULL),
                 STATUS_OBJECT_TYPE_MISMATCH, "the host has no process objects");
    ZwClose(Handle);
}

static HANDLE BadHandle;

static VOID CloseBad(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    ZwClose(BadHandle);
}

static VOID ReferenceBad(PVOID Context)
{
    PVOID Object;
    ObReferenceObjectByHandle(BadHandle, SYNCHRONIZE, *PsThreadType,
                              (KPROCESSOR_MODE)(ULONG_PTR)Context, &Object, NULL);
}

Test(threads, closing_a_handle_twice_bugchecks_invalid_kernel_handle)
{
    static SEEN S;
    cr_assert_eq(PsCreateSystemThread(&BadHandle, THREAD_ALL_ACCESS, NULL, NULL, NULL, Record,
                                      &S),
                 STATUS_SUCCESS);
    cr_assert_eq(ZwClose(BadHandle), STATUS_SUCCESS);
    IRQL_HOST_BUGCHECK R =
        ExpectBugCheck(CloseBad, NULL, INVALID_KERNEL_HANDLE, (ULONG_PTR)BadHandle);
    cr_assert_eq(R.Parameter[1], 1, "P2 1: an invalid handle");
    ExpectBugCheck(ReferenceBad, (PVOID)(ULONG_PTR)KernelMode,
                   DRIVER_VERIFIER_DETECTED_VIOLATION, 0x3C);
}

Test(threads, bad_handles_in_object_references)
{
    static SEEN S;
    IRQL_HOST_BUGCHECK R;

    BadHandle = (HANDLE)(ULONG_PTR)0xFFFFFFFF80001000ull;
    R = ExpectBugCheck(ReferenceBad, (PVOID)(ULONG_PTR)KernelMode,
                       DRIVER_VERIFIER_DETECTED_VIOLATION, 0x3C);
    cr_assert_eq(R.Parameter[1], (ULONG_PTR)BadHandle, "P2 the handle");
    cr_assert_eq(R.Parameter[2], (ULONG_PTR)*PsThreadType, "P3 the type");

    BadHandle = NULL;
    ExpectBugCheck(ReferenceBad, (PVOID)(ULONG_PTR)KernelMode,
                   DRIVER_VERIFIER_DETECTED_VIOLATION, 0xF5);

    cr_assert_eq(PsCreateSystemThread(&BadHandle, THREAD_ALL_ACCESS, NULL, NULL, NULL, Record,
                                      &S),
                 STATUS_SUCCESS);
    R = ExpectBugCheck(ReferenceBad, (PVOID)(ULONG_PTR)UserMode,
                       DRIVER_VERIFIER_DETECTED_VIOLATION, 0xF7);
    cr_assert_eq(R.Parameter[3], UserMode, "P4 the access mode");
    ZwClose(BadHandle);
}

static VOID ReferenceAtApc(PVOID Context)
{
    PVOID Object;
    UNREFERENCED_PARAMETER(Context);
    ObReferenceObjectByHandle(NtCurrentThread(), SYNCHRONIZE, *PsThreadType, KernelMode, &Object,
                              NULL);
}

static VOID CloseAtApc(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    ZwClose(BadHandle);
}

static VOID CreateAtApc(PVOID Context)
{
    HANDLE Handle;
    PsCreateSystemThread(&Handle, THREAD_ALL_ACCESS, NULL, NULL, NULL, Record, Context);
}

static VOID TerminateAtDispatch(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

Test(threads, passive_level_routines_bugcheck_their_ddi_rule_above_it)
{
    static SEEN S;
    IRQL_HOST_BUGCHECK R;
    R = ExpectBugCheckAt(APC_LEVEL, ReferenceAtApc, NULL, DRIVER_VERIFIER_DETECTED_VIOLATION,
                         0x2001B);
    cr_assert(strstr((const char *)R.Parameter[1], "IrqlObPassive") != NULL);
    R = ExpectBugCheckAt(APC_LEVEL, CloseAtApc, NULL, DRIVER_VERIFIER_DETECTED_VIOLATION,
                         0x2001F);
    cr_assert(strstr((const char *)R.Parameter[1], "IrqlZwPassive") != NULL);
    R = ExpectBugCheckAt(APC_LEVEL, CreateAtApc, &S, DRIVER_VERIFIER_DETECTED_VIOLATION,
                         0x2001C);
    cr_assert(strstr((const char *)R.Parameter[1], "IrqlPsPassive") != NULL);
    ExpectBugCheckAt(DISPATCH_LEVEL, TerminateAtDispatch, NULL,
                     DRIVER_VERIFIER_DETECTED_VIOLATION, 0x2001C);
}

static PVOID Dead;

static VOID DereferenceDead(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    ObDereferenceObject(Dead);
}

static VOID ReferenceDead(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    ObReferenceObject(Dead);
}

Test(threads, references_to_a_deleted_object_bugcheck_c4_3f)
{
    static SEEN S;
    IRQL_HOST_BUGCHECK R;
    Dead = StartThread(Record, &S);
    JoinThread(Dead); /* drops the last reference */
    R = ExpectBugCheck(DereferenceDead, NULL, DRIVER_VERIFIER_DETECTED_VIOLATION, 0x3F);
    cr_assert_eq(R.Parameter[1], (ULONG_PTR)Dead, "P2 the object");
    cr_assert_eq(R.Parameter[2], (ULONG_PTR)(LONG_PTR)-1, "P3 -1: the dereference case");
    R = ExpectBugCheck(ReferenceDead, NULL, DRIVER_VERIFIER_DETECTED_VIOLATION, 0x3F);
    cr_assert_eq(R.Parameter[2], 1, "P3 1: the reference case");
    Dead = &S; /* never an object */
    ExpectBugCheck(ReferenceDead, NULL, DRIVER_VERIFIER_DETECTED_VIOLATION, 0x3F);
}

static VOID ReferenceAtHigh(PVOID Context)
{
    ObReferenceObject(Context);
}

Test(threads, references_above_dispatch_bugcheck_c4_e5)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheckAt(HIGH_LEVEL, ReferenceAtHigh, KeGetCurrentThread(),
                                            DRIVER_VERIFIER_DETECTED_VIOLATION, 0xE5);
    cr_assert_eq(R.Parameter[1], HIGH_LEVEL);
}

/* The exit checks */

typedef struct _EXIT_CASE {
    PKMUTEX Mutex;
    KIRQL Irql;
    int CriticalRegions;
    int GuardedRegions;
    BOOLEAN Terminate;
} EXIT_CASE;

static VOID EndBadly(PVOID Context)
{
    EXIT_CASE *C = Context;
    KIRQL Old;
    if (C->Mutex != NULL) {
        KeWaitForSingleObject(C->Mutex, Executive, KernelMode, FALSE, NULL);
    }
    for (int i = 0; i < C->CriticalRegions; i++) {
        KeEnterCriticalRegion();
    }
    for (int i = 0; i < C->GuardedRegions; i++) {
        KeEnterGuardedRegion();
    }
    if (C->Terminate) {
        PsTerminateSystemThread(STATUS_SUCCESS);
    }
    KeRaiseIrql(C->Irql, &Old);
}

/* Run C on a system thread whose bug checks are caught; return its report. */
static IRQL_HOST_BUGCHECK EndThread(EXIT_CASE *C)
{
    IRQL_HOST_BUGCHECK R;
    PKTHREAD T;
    LARGE_INTEGER Timeout = {.QuadPart = RELATIVE_MS(5000)};

    IrqlHostCatchSystemThreadBugChecks(TRUE);
    T = StartThread(EndBadly, C);
    cr_assert_eq(KeWaitForSingleObject(T, Executive, KernelMode, FALSE, &Timeout),
                 STATUS_SUCCESS);
    cr_assert(IrqlHostGetThreadBugCheck(T, &R), "the thread ended without a bug check");
    R.Parameter[0] = R.Parameter[0] == (ULONG_PTR)T ? 0xBADF00D : R.Parameter[0];
    ObDereferenceObject(T);
    return R;
}

Test(threads, ending_holding_a_kmutex_bugchecks_0x4000008a)
{
    static KMUTEX M;
    EXIT_CASE Returns = {.Mutex = &M}, Terminates = {.Mutex = &M, .Terminate = TRUE};
    IRQL_HOST_BUGCHECK R;

    KeInitializeMutex(&M, 0);
    R = EndThread(&Returns);
    cr_assert_eq(R.Code, THREAD_TERMINATE_HELD_MUTEX);
    cr_assert_eq(R.Parameter[0], 0xBADF00D, "P1 the thread");
    cr_assert_eq(R.Parameter[1], (ULONG_PTR)&M, "P2 the mutex");
    cr_assert(strstr(R.Message, "returned from its start routine") != NULL, "%s", R.Message);

    KeInitializeMutex(&M, 0);
    R = EndThread(&Terminates);
    cr_assert_eq(R.Code, THREAD_TERMINATE_HELD_MUTEX);
    cr_assert(strstr(R.Message, "PsTerminateSystemThread") != NULL, "%s", R.Message);
}

Test(threads, returning_at_raised_irql_bugchecks_0x20)
{
    EXIT_CASE C = {.Irql = DISPATCH_LEVEL};
    IRQL_HOST_BUGCHECK R = EndThread(&C);
    cr_assert_eq(R.Code, KERNEL_APC_PENDING_DURING_EXIT);
    cr_assert_eq(R.Parameter[0], 0, "P1 no APC");
    cr_assert_eq(R.Parameter[1], 0, "P2 the APC-disable count");
    cr_assert_eq(R.Parameter[2], DISPATCH_LEVEL, "P3 the IRQL");
}

Test(threads, ending_inside_a_critical_region_bugchecks_0x20)
{
    EXIT_CASE C = {.CriticalRegions = 1};
    IRQL_HOST_BUGCHECK R = EndThread(&C);
    cr_assert_eq(R.Code, KERNEL_APC_PENDING_DURING_EXIT);
    cr_assert_eq(R.Parameter[1], 0xFFFF, "KernelApcDisable -1, as the KTHREAD counts");
    cr_assert_eq(R.Parameter[2], PASSIVE_LEVEL);
}

Test(threads, ending_inside_a_guarded_region_bugchecks_0x20)
{
    EXIT_CASE C = {.GuardedRegions = 2, .Terminate = TRUE};
    IRQL_HOST_BUGCHECK R = EndThread(&C);
    cr_assert_eq(R.Code, KERNEL_APC_PENDING_DURING_EXIT);
    cr_assert_eq(R.Parameter[1], 0xFFFE0000, "SpecialApcDisable -2 in the high half");
}

static VOID MisuseOnSystemThread(PVOID Context)
{
    KeReleaseMutex(Context, FALSE);
}

Test(threads, an_exception_on_a_system_thread_bugchecks_0x7e)
{
    static KMUTEX M;
    IRQL_HOST_BUGCHECK R;
    PKTHREAD T;
    KeInitializeMutex(&M, 0);
    IrqlHostCatchSystemThreadBugChecks(TRUE);
    T = StartThread(MisuseOnSystemThread, &M);
    {
        LARGE_INTEGER Timeout = {.QuadPart = RELATIVE_MS(5000)};
        KeWaitForSingleObject(T, Executive, KernelMode, FALSE, &Timeout);
    }
    cr_assert(IrqlHostGetThreadBugCheck(T, &R));
    cr_assert_eq(R.Code, SYSTEM_THREAD_EXCEPTION_NOT_HANDLED);
    cr_assert_eq(R.Parameter[0], (ULONG_PTR)(LONG_PTR)STATUS_MUTANT_NOT_OWNED);
    ObDereferenceObject(T);
}

Test(threads, a_clean_thread_reports_no_bug_check)
{
    static SEEN S;
    PKTHREAD T;
    IrqlHostCatchSystemThreadBugChecks(TRUE);
    T = StartThread(Record, &S);
    ObReferenceObject(T);
    JoinThread(T);
    cr_assert_not(IrqlHostGetThreadBugCheck(T, NULL));
    ObDereferenceObject(T);
}

static VOID EndAtDispatchUncaught(PVOID Context)
{
    KIRQL Old;
    UNREFERENCED_PARAMETER(Context);
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
}

Test(threads, an_uncaught_bug_check_on_a_system_thread_ends_the_process, .signal = SIGABRT)
{
    LARGE_INTEGER Delay = {.QuadPart = RELATIVE_MS(5000)};
    StartThread(EndAtDispatchUncaught, NULL);
    KeDelayExecutionThread(KernelMode, FALSE, &Delay);
}
