/* IRQL_GRT_GET from code that may run above DISPATCH_LEVEL (an ISR-level routine). */
// expect: IRQL violation
// expect: IRQL_GRT_GET(
// expect: PROTECTED_COUNTER, &Counter)
// expect: above DISPATCH_LEVEL
#include <irql/registry.h>

typedef IRQL_PROTECTED(IRQL_SPIN_LOCK, ULONG) PROTECTED_COUNTER;

IRQL_MAX(OnInterrupt, HIGH_LEVEL)
NTSTATUS OnInterrupt(VOID)
{
    IRQL_ENTER(OnInterrupt);
    PROTECTED_COUNTER *Counter;
    NTSTATUS Status = IRQL_GRT_GET("stats", PROTECTED_COUNTER, &Counter);
    if (NT_SUCCESS(Status)) {
        IrqlGrtRelease(Counter);
    }
    return Status;
}
