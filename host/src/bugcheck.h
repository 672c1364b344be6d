/* How host-kernel routines report misuse: a bug check with an explanation of the culprit. */
#ifndef IRQLP_BUGCHECK_H
#define IRQLP_BUGCHECK_H

#include <wdm.h>

/*
 * KeBugCheckEx with a one-line explanation ("KeLowerIrql(DISPATCH_LEVEL) while at
 * PASSIVE_LEVEL") that the report prints and a caught bug check carries in Message.
 */
DECLSPEC_NORETURN void IrqlpBugCheck(ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3,
                                     ULONG_PTR P4, const char *Format, ...)
    __attribute__((format(printf, 6, 7), cold));

/* Driver Verifier's 0xC4 with rule P1. */
#define IrqlpVerifierStop(Rule, P2, P3, P4, ...) \
    IrqlpBugCheck(DRIVER_VERIFIER_DETECTED_VIOLATION, (Rule), (ULONG_PTR)(P2), (ULONG_PTR)(P3), \
                  (ULONG_PTR)(P4), __VA_ARGS__)

/* "DISPATCH_LEVEL", or "DIRQL 5" in a caller-supplied buffer. */
const char *IrqlpLevelText(KIRQL Irql, char Buffer[16]);

#endif
