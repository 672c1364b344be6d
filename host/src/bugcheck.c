/*
 * Bug checks: the report, the process-wide handler and the per-thread catch frames that let a
 * test survive an expected bug check.
 */
#include "bugcheck.h"
#include "thread.h"

#include <irql/host.h>
#include <irql/status.h>

#include <execinfo.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * sigjmp_buf with the signal mask saved: a bug check may be raised from a signal handler (the
 * paged pool's SIGSEGV handler bug-checks 0xA), where the delivered signal is blocked;
 * siglongjmp back to the frame restores the mask, so the next fault is delivered again.
 */
struct _IRQLP_CATCH {
    sigjmp_buf Target;
    IRQL_HOST_BUGCHECK Report;
    IRQLP_CATCH *Outer;
};

static _Atomic(PIRQL_HOST_BUGCHECK_HANDLER) Handler;
static _Atomic(PVOID) HandlerContext;

PIRQL_HOST_BUGCHECK_HANDLER IrqlHostSetBugCheckHandler(PIRQL_HOST_BUGCHECK_HANDLER NewHandler,
                                                       PVOID Context)
{
    atomic_store(&HandlerContext, Context);
    return atomic_exchange(&Handler, NewHandler);
}

static void PrintReport(const IRQL_HOST_BUGCHECK *Report)
{
    char Level[16];
    void *Frames[48];
    int Count = backtrace(Frames, 48);

    fflush(stdout);
    fprintf(stderr,
            "\n*** STOP 0x%08lX %s\n"
            "***   parameters 0x%016llX 0x%016llX 0x%016llX 0x%016llX\n",
            (unsigned long)Report->Code, Report->CodeName,
            (unsigned long long)Report->Parameter[0], (unsigned long long)Report->Parameter[1],
            (unsigned long long)Report->Parameter[2], (unsigned long long)Report->Parameter[3]);
    if (Report->Message[0] != '\0') {
        fprintf(stderr, "***   %s\n", Report->Message);
    }
    fprintf(stderr, "***   IRQL %s (%u), thread %lu\n***   backtrace:\n",
            IrqlpLevelText(Report->Irql, Level), (unsigned)Report->Irql,
            (unsigned long)Report->ThreadId);
    backtrace_symbols_fd(Frames, Count, 2);
    fflush(stderr);
}

static DECLSPEC_NORETURN void Raise(IRQL_HOST_BUGCHECK *Report)
{
    PIRQLP_THREAD Thread = IrqlpCurrentThread();
    PIRQL_HOST_BUGCHECK_HANDLER Observer;

    if (Thread->InBugCheck) {
        /* A bug check while reporting one: the machine is past saving. */
        PrintReport(Report);
        abort();
    }
    Thread->InBugCheck = TRUE;

    Observer = atomic_load(&Handler);
    if (Observer != NULL) {
        Observer(Report, atomic_load(&HandlerContext));
    }
    if (Thread->Catch != NULL) {
        if (getenv("IRQL_HOST_VERBOSE") != NULL) {
            PrintReport(Report);
        }
        Thread->Catch->Report = *Report;
        Thread->InBugCheck = FALSE;
        siglongjmp(Thread->Catch->Target, 1);
    }
    PrintReport(Report);
    abort();
}

static void Fill(IRQL_HOST_BUGCHECK *Report, ULONG Code, ULONG_PTR P1, ULONG_PTR P2,
                 ULONG_PTR P3, ULONG_PTR P4)
{
    memset(Report, 0, sizeof(*Report));
    Report->Code = Code;
    Report->Parameter[0] = P1;
    Report->Parameter[1] = P2;
    Report->Parameter[2] = P3;
    Report->Parameter[3] = P4;
    Report->Irql = IrqlpCurrentThread()->Pcr.Irql;
    Report->ThreadId = IrqlpThreadOsId();
    Report->CodeName = IrqlHostBugCheckName(Code);
}

void IrqlpBugCheck(ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4,
                   const char *Format, ...)
{
    IRQL_HOST_BUGCHECK Report;
    va_list Args;

    Fill(&Report, Code, P1, P2, P3, P4);
    va_start(Args, Format);
    vsnprintf(Report.Message, sizeof(Report.Message), Format, Args);
    va_end(Args);
    Raise(&Report);
}

/* Bug checks the irql library raises through KeBugCheckEx carry their culprit in the
   parameters; spell it out in the report. */
static void DescribeLibraryCode(IRQL_HOST_BUGCHECK *Report)
{
    char Now[16], Min[16], Max[16];

    if (Report->Code == IRQL_BUGCHECK_CONTRACT_VIOLATION && Report->Parameter[3] != 0) {
        snprintf(Report->Message, sizeof(Report->Message),
                 "%s runs at %s, outside its IRQL contract [%s, %s]",
                 (const char *)Report->Parameter[3],
                 IrqlpLevelText((KIRQL)Report->Parameter[0], Now),
                 IrqlpLevelText((KIRQL)Report->Parameter[1], Min),
                 IrqlpLevelText((KIRQL)Report->Parameter[2], Max));
    } else if (Report->Code == IRQL_BUGCHECK_LOCK_VIOLATION && Report->Parameter[2] != 0) {
        /* A scoped lock statement (<irql/lock.h>): P1 status, P2 lock, P3 statement, P4 IRQL. */
        static const struct {
            NTSTATUS Status;
            const char *Name;
            const char *Why;
        } Lock[] = {
            {STATUS_IRQL_LOCK_IRQL_TOO_HIGH, "STATUS_IRQL_LOCK_IRQL_TOO_HIGH",
             "the IRQL is above what the lock allows (the context's contract lied)"},
            {STATUS_IRQL_LOCK_WRONG_IRQL, "STATUS_IRQL_LOCK_WRONG_IRQL",
             "the lock cannot be released at this IRQL (the block changed it)"},
            {STATUS_IRQL_LOCK_NOT_OWNER, "STATUS_IRQL_LOCK_NOT_OWNER",
             "the scope no longer owns the lock (released inside the block?)"},
            {STATUS_IRQL_LOCK_RECURSION, "STATUS_IRQL_LOCK_RECURSION",
             "the thread already holds this lock, which is not recursive"},
            {STATUS_IRQL_LOCK_NOT_INITIALIZED, "STATUS_IRQL_LOCK_NOT_INITIALIZED",
             "the lock was never initialised, or was deleted"},
        };
        const char *Name = "a lock status", *Why = "the lock operation failed";
        for (size_t i = 0; i < sizeof(Lock) / sizeof(Lock[0]); i++) {
            if ((ULONG)Report->Parameter[0] == (ULONG)Lock[i].Status) {
                Name = Lock[i].Name;
                Why = Lock[i].Why;
            }
        }
        snprintf(Report->Message, sizeof(Report->Message), "%s (0x%08lX) at %s: %s; lock %p; in %s",
                 Name, (unsigned long)(ULONG)Report->Parameter[0],
                 IrqlpLevelText((KIRQL)Report->Parameter[3], Now), Why,
                 (void *)Report->Parameter[1], (const char *)Report->Parameter[2]);
    }
}

VOID KeBugCheckEx(ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4)
{
    IRQL_HOST_BUGCHECK Report;

    Fill(&Report, Code, P1, P2, P3, P4);
    DescribeLibraryCode(&Report);
    Raise(&Report);
}

VOID KeBugCheck(ULONG Code)
{
    KeBugCheckEx(Code, 0, 0, 0, 0);
}

BOOLEAN IrqlHostCatchBugCheck(PIRQL_HOST_ROUTINE Routine, PVOID Context,
                              PIRQL_HOST_BUGCHECK Report)
{
    PIRQLP_THREAD Thread = IrqlpCurrentThread();
    /* The thread's IRQL and region/lock counts at the call, restored after a bug check.
       volatile: read after siglongjmp, so they must not live only in registers. */
    volatile KIRQL Irql = Thread->Pcr.Irql;
    volatile LONG KernelApcDisable = Thread->KernelApcDisable;
    volatile LONG SpecialApcDisable = Thread->SpecialApcDisable;
    volatile ULONG SpinLocksHeld = Thread->SpinLocksHeld;
    IRQLP_CATCH Frame;

    Frame.Outer = Thread->Catch;
    Thread->Catch = &Frame;
    if (sigsetjmp(Frame.Target, 1) == 0) {
        Routine(Context);
        Thread->Catch = Frame.Outer;
        return FALSE;
    }
    Thread->Catch = Frame.Outer;
    Thread->Pcr.Irql = Irql;
    Thread->KernelApcDisable = KernelApcDisable;
    Thread->SpecialApcDisable = SpecialApcDisable;
    Thread->SpinLocksHeld = SpinLocksHeld;
    if (Report != NULL) {
        *Report = Frame.Report;
    }
    return TRUE;
}
