/* Helpers shared by the host kernel's locks: verifier stops, futex waits, wait deadlines. */
#include "locks.h"

#include <linux/futex.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

void IrqlpWrongIrql(const char *Routine, const void *Object, KIRQL Max)
{
    char Now[16], Allowed[16];
    KIRQL Irql = IrqlpCurrentThread()->Pcr.Irql;
    IrqlpVerifierStop(IRQLP_DV_WRONG_IRQL, Irql, Object, Max,
                      "%s(%p) called at %s: it may only be called at or below %s", Routine,
                      Object, IrqlpLevelText(Irql, Now), IrqlpLevelText(Max, Allowed));
}

void IrqlpRuleStop(ULONG Rule, const char *RuleText, const void *Object, const char *Format, ...)
{
    char Message[256];
    va_list Args;
    va_start(Args, Format);
    vsnprintf(Message, sizeof(Message), Format, Args);
    va_end(Args);
    IrqlpBugCheck(DRIVER_VERIFIER_DETECTED_VIOLATION, Rule, (ULONG_PTR)RuleText,
                  (ULONG_PTR)Object, 0, "%s", Message);
}

void IrqlpLockWordWait(volatile ULONG *Word, ULONG Expected, ULONGLONG TimeoutNs)
{
    struct timespec Timeout;
    Timeout.tv_sec = (time_t)(TimeoutNs / 1000000000ull);
    Timeout.tv_nsec = (long)(TimeoutNs % 1000000000ull);
    /* EAGAIN (the word already changed), EINTR and ETIMEDOUT all mean "look again". */
    (void)syscall(SYS_futex, Word, FUTEX_WAIT_PRIVATE, Expected, &Timeout, NULL, 0);
}

void IrqlpLockWordWakeAll(volatile ULONG *Word)
{
    (void)syscall(SYS_futex, Word, FUTEX_WAKE_PRIVATE, 0x7FFFFFFF, NULL, NULL, 0);
}

void IrqlpLockWordWakeOne(volatile ULONG *Word)
{
    (void)syscall(SYS_futex, Word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

void IrqlpSpinPause(ULONG Iteration)
{
    if ((Iteration & 63u) == 63u) {
        sched_yield();
    } else {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#elif defined(__aarch64__)
        __asm__ __volatile__("yield");
#endif
    }
}

/* Longest single sleep: a lost wake-up (there should be none) costs at most this. */
#define IRQLP_WAIT_SLICE_NS 100000000ull

void IrqlpWaitStart(IRQLP_WAIT *Wait)
{
    Wait->Start = IrqlpMonotonicNs();
    Wait->Limit = IrqlpHangLimitNs();
}

ULONGLONG IrqlpWaitSlice(const IRQLP_WAIT *Wait, const char *What, const void *Object,
                         ULONG_PTR Owner)
{
    ULONGLONG Waited = IrqlpMonotonicNs() - Wait->Start;
    if (Waited >= Wait->Limit) {
        IrqlpHang(What, Object, Waited, Owner);
    }
    ULONGLONG Left = Wait->Limit - Waited;
    return Left < IRQLP_WAIT_SLICE_NS ? Left : IRQLP_WAIT_SLICE_NS;
}
