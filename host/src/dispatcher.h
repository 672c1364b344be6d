/*
 * Inside the dispatcher: the thread object and what the thread, object and wait modules share.
 *
 * One global dispatcher lock guards every dispatcher object (signal state, wait lists, KMUTEX
 * ownership) and every thread's wait state, like the kernel's dispatcher database lock. A thread
 * blocks on its own condition variable (CLOCK_MONOTONIC); whoever signals an object satisfies
 * the waits it can and wakes those threads, so a notification event releases every waiter and
 * a synchronization event exactly one. The dispatcher lock may be held while the object
 * manager's lock is taken (dropping a thread's last reference), never the reverse.
 */
#ifndef IRQLP_DISPATCHER_H
#define IRQLP_DISPATCHER_H

#include "thread.h"

#include <irql/host.h>

#include <pthread.h>

struct _KTHREAD {
    DISPATCHER_HEADER Header; /* ThreadObject, signalled once the thread has ended */

    /* Wait state, guarded by the dispatcher lock. */
    volatile ULONG WakeSequence; /* bumped (and futex-woken) when the wait is over */
    PKWAIT_BLOCK WaitBlockList; /* the blocks of the wait in progress */
    ULONG WaitCount;
    BOOLEAN WaitForever;        /* the wait in progress has no timeout */
    NTSTATUS WaitStatus;        /* STATUS_PENDING until a signaller satisfies the wait */
    KWAIT_BLOCK WaitBlock[THREAD_WAIT_OBJECTS];
    PIRQLP_THREAD Self;         /* the running thread's state; NULL once it has ended */

    /* Set before the thread runs, then read-only. */
    ULONG_PTR UniqueThread;
    BOOLEAN SystemThread;
    BOOLEAN CatchBugChecks;
    PKSTART_ROUTINE StartRoutine;
    PVOID StartContext;

    /* Guarded by the dispatcher lock. */
    BOOLEAN Terminated;
    NTSTATUS ExitStatus;
    BOOLEAN BugChecked;
    IRQL_HOST_BUGCHECK BugCheck;
};

struct _ETHREAD {
    struct _KTHREAD Tcb;
};

/*
 * The dispatcher lock, like the real kernel's: it guards every dispatcher object and every
 * thread's wait state. A futex mutex rather than a pthread one, so an uncontended wait and
 * release cost a few instructions each (the KMUTEX pair budget is 3× a pthread pair).
 */
void IrqlpLockDispatcher(void);
void IrqlpUnlockDispatcher(void);

/* A new thread object (not yet running), one reference held for the thread itself. */
PKTHREAD IrqlpCreateThreadObject(BOOLEAN SystemThread);

/* Called by the ending thread: abandon its KMUTEXes, signal its object, drop its reference. */
void IrqlpTerminateThread(PKTHREAD Thread, NTSTATUS ExitStatus);

/* A KMUTEX the thread holds, or NULL. */
PKMUTANT IrqlpFirstOwnedMutex(PIRQLP_THREAD Self);

/*
 * An exception raised in kernel mode that nothing handles (the host has no SEH): bug check
 * 0x7E SYSTEM_THREAD_EXCEPTION_NOT_HANDLED on a system thread, else 0x1E
 * KMODE_EXCEPTION_NOT_HANDLED with Info0/Info1 as P3/P4. P1 is the status, sign-extended as in
 * a real dump; P2 the address of the offending call.
 */
DECLSPEC_NORETURN void IrqlpRaiseStatus(NTSTATUS Status, ULONG_PTR Address, ULONG_PTR Info0,
                                        ULONG_PTR Info1, const char *Format, ...)
    __attribute__((format(printf, 5, 6)));

/* System time: 100 ns units since 1601-01-01 UTC. */
LONGLONG IrqlpSystemTime(void);

#endif
