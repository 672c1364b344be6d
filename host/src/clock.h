/* Time inside the host kernel: a monotonic clock, and the hang limit that turns a wait the
   real kernel would never return from into a bug check. */
#ifndef IRQLP_CLOCK_H
#define IRQLP_CLOCK_H

#include <wdm.h>

/* Nanoseconds on CLOCK_MONOTONIC. */
ULONGLONG IrqlpMonotonicNs(void);

/* How long (ns) a blocking wait may last before the host kernel calls it a hang. */
ULONGLONG IrqlpHangLimitNs(void);

/*
 * A wait on Object has lasted longer than the hang limit: bug-check IRQL_HOST_BUGCHECK_HANG
 * (P1 Object, P2 the milliseconds waited, P3 the owner if known, P4 0). What names the object's
 * kind ("KMUTEX", "FAST_MUTEX" …) in the report.
 */
DECLSPEC_NORETURN void IrqlpHang(const char *What, const void *Object, ULONGLONG WaitedNs,
                                 ULONG_PTR Owner);

#endif
