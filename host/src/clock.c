#include "clock.h"
#include "bugcheck.h"

#include <irql/host.h>

#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#define DEFAULT_HANG_LIMIT_MS 20000u

static _Atomic ULONG HangLimitMs;

ULONGLONG IrqlpMonotonicNs(void)
{
    struct timespec Now;
    clock_gettime(CLOCK_MONOTONIC, &Now);
    return (ULONGLONG)Now.tv_sec * 1000000000ull + (ULONGLONG)Now.tv_nsec;
}

static ULONG DefaultHangLimitMs(void)
{
    const char *Text = getenv("IRQL_HOST_HANG_LIMIT_MS");
    unsigned long Value = Text != NULL ? strtoul(Text, NULL, 10) : 0;
    return Value != 0 && Value <= 0xFFFFFFFFul ? (ULONG)Value : DEFAULT_HANG_LIMIT_MS;
}

ULONG IrqlHostSetHangLimit(ULONG Milliseconds)
{
    ULONG Previous = atomic_exchange(&HangLimitMs, Milliseconds);
    return Previous != 0 ? Previous : DefaultHangLimitMs();
}

ULONGLONG IrqlpHangLimitNs(void)
{
    ULONG Limit = atomic_load(&HangLimitMs);
    if (Limit == 0) {
        Limit = DefaultHangLimitMs();
    }
    return (ULONGLONG)Limit * 1000000ull;
}

void IrqlpHang(const char *What, const void *Object, ULONGLONG WaitedNs, ULONG_PTR Owner)
{
    IrqlpBugCheck(IRQL_HOST_BUGCHECK_HANG, (ULONG_PTR)Object, (ULONG_PTR)(WaitedNs / 1000000ull),
                  Owner, 0,
                  "wait on %s %p has not been satisfied after %llu ms: a deadlock the real "
                  "kernel would hang on",
                  What, Object, (unsigned long long)(WaitedNs / 1000000ull));
}
