/*
 * lock_test.h — helpers for the tests of the checked locks (<irql/lock.h>): system threads
 * run and joined with a time limit, a holder thread that keeps a lock until told to let go,
 * and expectations on the scoped forms' bug check.
 *
 * Nothing here can hang: every wait has a limit, after which the test fails.
 */
#ifndef IRQL_TEST_LOCK_TEST_H
#define IRQL_TEST_LOCK_TEST_H

#include "bugcheck_expect.h"
#include "system_thread.h"

#include <irql/lock.h>
#include <string.h>


#define LOCK_TEST_TAG ((ULONG)'tkcL')
#define LOCK_TEST_OTHER_TAG ((ULONG)'rhtO')

/* The per-acquisition state any kind's explicit API needs (most need none). */
typedef union _LOCK_GUARD {
    IRQL_SPIN_LOCK_GUARD Spin;
    IRQL_PUSH_LOCK_GUARD Push;
} LOCK_GUARD, *PLOCK_GUARD;
#define LOCK_TEST_WAIT_MS 60000

/* A relative timeout of Ms milliseconds, in the kernel's 100 ns units. */
/* Start Count system threads running Routine(Contexts[i]) (Contexts NULL: Context for all),
   wait for every one of them (at most LOCK_TEST_WAIT_MS each) and release them. */
static inline void RunSystemThreadsEach(ULONG Count, PKSTART_ROUTINE Routine, PVOID *Contexts,
                                        PVOID Context)
{
    PVOID Threads[16];
    cr_assert(Count <= 16);
    for (ULONG i = 0; i < Count; i++) {
        Threads[i] = StartThread(Routine, Contexts ? Contexts[i] : Context);
    }
    for (ULONG i = 0; i < Count; i++) {
        JoinThreadWithin(Threads[i], LOCK_TEST_WAIT_MS);
    }
}

/* Wait (at most LOCK_TEST_WAIT_MS) for a thread StartThread started, and release it. */
static inline void JoinThread(PVOID Thread)
{
    JoinThreadWithin(Thread, LOCK_TEST_WAIT_MS);
}

static inline void RunSystemThreads(ULONG Count, PKSTART_ROUTINE Routine, PVOID Context)
{
    RunSystemThreadsEach(Count, Routine, NULL, Context);
}

/* Wait (with the test limit) for an event another thread sets. */
static inline void WaitEvent(PKEVENT Event, const char *What)
{
    LARGE_INTEGER Timeout = TestTimeout(LOCK_TEST_WAIT_MS);
    NTSTATUS Status = KeWaitForSingleObject(Event, Executive, KernelMode, FALSE, &Timeout);
    cr_assert_eq(Status, STATUS_SUCCESS, "timed out waiting until %s", What);
}

/*
 * A system thread that acquires a lock (Acquire returns the status), signals Held, waits for
 * Release, releases the lock (Release) and ends: lets a test see a lock held by another
 * thread. AcquireStatus and ReleaseStatus are what the two calls returned.
 */
typedef struct _LOCK_HOLDER {
    NTSTATUS (*Acquire)(struct _LOCK_HOLDER *Holder);
    NTSTATUS (*Release)(struct _LOCK_HOLDER *Holder);
    PVOID Lock;
    LOCK_GUARD Guard;
    KEVENT Held;
    KEVENT Let;
    NTSTATUS AcquireStatus;
    NTSTATUS ReleaseStatus;
    PVOID Thread;
} LOCK_HOLDER, *PLOCK_HOLDER;

static VOID LockHolderMain(PVOID Context)
{
    PLOCK_HOLDER Holder = (PLOCK_HOLDER)Context;
    LARGE_INTEGER Timeout = TestTimeout(LOCK_TEST_WAIT_MS);

    Holder->AcquireStatus = Holder->Acquire(Holder);
    KeSetEvent(&Holder->Held, IO_NO_INCREMENT, FALSE);
    if (KeGetCurrentIrql() >= DISPATCH_LEVEL) {
        /* Holding a spin lock: no waiting here, poll (for at most the test limit). */
        ULONGLONG Start = KeQueryInterruptTime();
        while (KeReadStateEvent(&Holder->Let) == 0 &&
               KeQueryInterruptTime() - Start < 10000ULL * LOCK_TEST_WAIT_MS) {
            YieldProcessor();
        }
    } else {
        (VOID)KeWaitForSingleObject(&Holder->Let, Executive, KernelMode, FALSE, &Timeout);
    }
    if (NT_SUCCESS(Holder->AcquireStatus)) {
        Holder->ReleaseStatus = Holder->Release(Holder);
    }
}

static inline void StartLockHolder(PLOCK_HOLDER Holder, PVOID Lock,
                                   NTSTATUS (*Acquire)(PLOCK_HOLDER),
                                   NTSTATUS (*Release)(PLOCK_HOLDER))
{
    memset(Holder, 0, sizeof(*Holder));
    Holder->Acquire = Acquire;
    Holder->Release = Release;
    Holder->Lock = Lock;
    KeInitializeEvent(&Holder->Held, NotificationEvent, FALSE);
    KeInitializeEvent(&Holder->Let, NotificationEvent, FALSE);
    Holder->Thread = StartThread(LockHolderMain, Holder);
    WaitEvent(&Holder->Held, "the holder has the lock");
    cr_assert_eq(Holder->AcquireStatus, STATUS_SUCCESS, "holder's acquire: 0x%08X",
                 (unsigned)Holder->AcquireStatus);
}

/* Let the holder release and end; its release must have succeeded. */
static inline void StopLockHolder(PLOCK_HOLDER Holder)
{
    KeSetEvent(&Holder->Let, IO_NO_INCREMENT, FALSE);
    JoinThread(Holder->Thread);
    cr_assert_eq(Holder->ReleaseStatus, STATUS_SUCCESS, "holder's release: 0x%08X",
                 (unsigned)Holder->ReleaseStatus);
}

/*
 * Run Routine(Context), which must bug-check IRQL_BUGCHECK_LOCK_VIOLATION for Status on Lock;
 * returns the report. Also checks that the text in P3 names the statement (Statement, e.g.
 * "IRQL_WITH(") and this file, and that the host's message spells the status out.
 */
static inline IRQL_HOST_BUGCHECK ExpectLockViolation(PIRQL_HOST_ROUTINE Routine, PVOID Context,
                                                     NTSTATUS Status, PVOID Lock,
                                                     const char *Statement)
{
    IRQL_HOST_BUGCHECK Report = ExpectBugCheck(Routine, Context, IRQL_BUGCHECK_LOCK_VIOLATION,
                                               (ULONG_PTR)(ULONG)Status);
    const char *Site = (const char *)Report.Parameter[2];
    cr_assert_str_eq(Report.CodeName, "IRQL_LOCK_VIOLATION");
    cr_assert_eq(Report.Parameter[1], (ULONG_PTR)Lock, "P2 names the lock");
    cr_assert_not_null(Site, "P3 names the statement");
    cr_assert(strstr(Site, Statement) != NULL, "P3 \"%s\" names %s", Site, Statement);
    cr_assert(strstr(Site, " at ") != NULL && strstr(Site, "tests/unit/") != NULL,
              "P3 \"%s\" names the source file and line", Site);
    cr_assert_eq(Report.Parameter[3], (ULONG_PTR)Report.Irql, "P4 is the IRQL");
    cr_assert(strstr(Report.Message, "STATUS_IRQL_LOCK_") != NULL,
              "the report spells the status out: \"%s\"", Report.Message);
    return Report;
}

/* The pool this test's tag still holds (a leak check). */
static inline SIZE_T LockTestPoolOutstanding(ULONG Tag)
{
    IRQL_HOST_POOL_STATS Stats;
    IrqlHostQueryPoolStats(IrqlHostPoolAny, Tag, &Stats);
    return Stats.Count;
}

#endif
