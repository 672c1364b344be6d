/*
 * Internal helpers shared by the host kernel's locks (regions, spin locks, fast and guarded
 * mutexes, ERESOURCE, push locks, rundown protection).
 *
 * Blocking. Every lock that can make a thread wait does so on a 32-bit word with the Linux
 * futex: the waiter states the value it saw, and the kernel puts it to sleep only if the word
 * still holds that value, so a release that changes the word before the waiter sleeps cannot
 * be lost. Memory ordering between an owner and the next comes from the C11/GCC atomics on the
 * lock words (acquire on take, release on give), which is also what ThreadSanitizer follows;
 * the futex only parks and unparks threads. Every wait is cut into slices and bug-checks
 * IRQL_HOST_BUGCHECK_HANG through IrqlpHang once it exceeds IrqlpHangLimitNs(), so a deadlock
 * the real kernel would sit in forever ends a test instead of hanging it.
 */
#ifndef IRQLP_LOCKS_H
#define IRQLP_LOCKS_H

#include "bugcheck.h"
#include "clock.h"
#include "thread.h"

/*
 * Driver Verifier rule numbers (P1 of bug check 0xC4) that the locks raise. Source: "Bug Check
 * 0xC4: DRIVER_VERIFIER_DETECTED_VIOLATION" and the DDI compliance rule pages under
 * learn.microsoft.com/windows-hardware/drivers/devtest/.
 */
#define IRQLP_DV_SPINLOCK_RELEASE_IRQL       0x32   /* KeReleaseSpinLock not at DISPATCH */
#define IRQLP_DV_FAST_MUTEX_ACQUIRE_IRQL     0x33   /* ExAcquireFastMutex above APC */
#define IRQLP_DV_FAST_MUTEX_RELEASE_IRQL     0x34   /* ExReleaseFastMutex not at APC */
#define IRQLP_DV_QUEUED_SPINLOCK_IRQL        0x36   /* queued spin lock released not at DISPATCH */
#define IRQLP_DV_RESOURCE_ACQUIRE_APCS       0x37   /* ERESOURCE acquired with APCs enabled */
#define IRQLP_DV_RESOURCE_RELEASE_APCS       0x38   /* ERESOURCE released with APCs enabled */
#define IRQLP_DV_UNSAFE_MUTEX_ACQUIRE        0x39   /* "unsafe" acquire not at APC / no region */
#define IRQLP_DV_UNSAFE_MUTEX_RELEASE        0x3A   /* "unsafe" release not at APC / no region */
#define IRQLP_DV_LEAVE_CRITICAL_REGION       0x3E   /* KeLeaveCriticalRegion without enter */
#define IRQLP_DV_SPINLOCK_AT_DPC_ACQUIRE     0x40   /* KeAcquireSpinLockAtDpcLevel below DISPATCH */
#define IRQLP_DV_SPINLOCK_AT_DPC_RELEASE     0x41   /* KeReleaseSpinLockFromDpcLevel below DISPATCH */
#define IRQLP_DV_SPINLOCK_ACQUIRE_IRQL       0x42   /* KeAcquireSpinLock above DISPATCH */
#define IRQLP_DV_RESOURCE_REINITIALIZED      0xD0   /* ExInitializeResourceLite on a live one */
#define IRQLP_DV_RESOURCE_UNINITIALIZED      0xD1   /* ERESOURCE used before initialisation */
#define IRQLP_DV_WRONG_IRQL                  0xE5   /* a kernel API called at a wrong IRQL */
#define IRQLP_DV_PUSH_LOCK_ACQUIRE_APCS      0xEA   /* push lock acquired with APCs enabled */
#define IRQLP_DV_PUSH_LOCK_RELEASE_APCS      0xEB   /* push lock released with APCs enabled */
#define IRQLP_DV_MEMCPY_OVERLAP              0xF0   /* memcpy with overlapping buffers */
#define IRQLP_DV_ENTER_CRITICAL_REGION_IRQL  0x11A  /* KeEnterCriticalRegion above APC */
#define IRQLP_DV_LEAVE_CRITICAL_REGION_IRQL  0x11B  /* KeLeaveCriticalRegion above APC */
/* Deadlock Detection (P2 the lock; 0x1004: P3 the owner, P4 the current thread). */
#define IRQLP_DV_SELF_DEADLOCK               0x1000 /* recursive acquire of a non-recursive lock */
#define IRQLP_DV_OUT_OF_ORDER_RELEASE        0x1003 /* P3: the lock to release first */
#define IRQLP_DV_WRONG_THREAD_RELEASE        0x1004
#define IRQLP_DV_UNINITIALIZED_LOCK          0x1002
#define IRQLP_DV_RELEASE_NOT_ACQUIRED        0x1007
#define IRQLP_DV_ACQUIRE_API_MISMATCH        0x1008 /* acquire with an API of another lock kind */
#define IRQLP_DV_RELEASE_API_MISMATCH        0x1009 /* release with an API not matching the acquire */
#define IRQLP_DV_DELETED_LOCK_OWNED          0x100B /* P3: an owner */
/* DDI compliance rules: P2 the rule's text, P3 the object, P4 0. */
#define IRQLP_DV_RULE_IRQL_EX_APC_LTE3       0x20007 /* ERESOURCE routines above APC */
#define IRQLP_DV_RULE_IRQL_KE_APC_LTE1       0x2000F /* guarded mutex routines above APC */
#define IRQLP_DV_RULE_IRQL_KE_APC_LTE2       0x20010 /* guarded/critical regions above APC */
#define IRQLP_DV_RULE_IRQL_KE_RELEASE_SPIN   0x20015 /* KeReleaseSpinLock: NewIrql != old IRQL */
#define IRQLP_DV_RULE_GUARDED_REGIONS        0x4000E /* KeLeaveGuardedRegion without enter */

/*
 * The "thread APC disable count" that Driver Verifier reports (P3 of 0x37-0x3A, 0xEA, 0xEB):
 * the KTHREAD's KernelApcDisable, which the real kernel decrements on every KeEnterCriticalRegion
 * and mutex acquisition, so it reads 0 or minus the nesting depth. Reported in that convention
 * (sign-extended) so a value matches what a kernel debugger shows.
 */
static inline ULONG_PTR IrqlpApcDisableParameter(const IRQLP_THREAD *Thread)
{
    return (ULONG_PTR)(LONG_PTR)-(LONG_PTR)Thread->KernelApcDisable;
}

/*
 * Normal kernel APCs are off for the thread: inside a critical region (or holding a KMUTEX),
 * inside a guarded region, or at APC_LEVEL or above. This is what ERESOURCE and push locks
 * require of their callers ("Disabling APCs", learn.microsoft.com .../kernel/disabling-apcs).
 */
static inline BOOLEAN IrqlpNormalApcsDisabled(const IRQLP_THREAD *Thread)
{
    return Thread->KernelApcDisable > 0 || Thread->SpecialApcDisable > 0 ||
           Thread->Pcr.Irql >= APC_LEVEL;
}

/*
 * A routine called above the highest IRQL it documents, where Driver Verifier has no dedicated
 * rule: 0xC4/0xE5 "a call was made to a kernel API at the incorrect IRQL" (P2 the IRQL, P3 the
 * object, P4 the highest IRQL the routine allows).
 */
DECLSPEC_NORETURN void IrqlpWrongIrql(const char *Routine, const void *Object, KIRQL Max);

/*
 * A DDI compliance rule violation: 0xC4 with the rule's number in P1 and, as the real
 * verifier does, a pointer to a text describing the rule in P2 (here a static string), the
 * object in P3.
 */
DECLSPEC_NORETURN void IrqlpRuleStop(ULONG Rule, const char *RuleText, const void *Object,
                                     const char *Format, ...)
    __attribute__((format(printf, 4, 5)));

/* Sleep while *Word == Expected, at most TimeoutNs (spurious returns are allowed). */
void IrqlpLockWordWait(volatile ULONG *Word, ULONG Expected, ULONGLONG TimeoutNs);

/* Wake every thread sleeping in IrqlpLockWordWait on Word. */
void IrqlpLockWordWakeAll(volatile ULONG *Word);

/* Wake one thread sleeping in IrqlpLockWordWait on Word. */
void IrqlpLockWordWakeOne(volatile ULONG *Word);

/*
 * One turn of a busy-wait: a CPU pause, and every so often a yield so that on a host with
 * fewer cores than spinning threads the owner (which, unlike at a real DISPATCH_LEVEL, can be
 * preempted) gets to run and release.
 */
void IrqlpSpinPause(ULONG Iteration);

/*
 * A wait deadline: IrqlpWaitStart records when a wait began; IrqlpWaitSlice returns how long
 * the next sleep may last, or bug-checks the hang (What names the object's kind) once the
 * wait has exceeded the hang limit.
 */
typedef struct _IRQLP_WAIT {
    ULONGLONG Start;
    ULONGLONG Limit;
} IRQLP_WAIT;

void IrqlpWaitStart(IRQLP_WAIT *Wait);
ULONGLONG IrqlpWaitSlice(const IRQLP_WAIT *Wait, const char *What, const void *Object,
                         ULONG_PTR Owner);

#endif
