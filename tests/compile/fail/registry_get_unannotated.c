/* IRQL_GRT_GET in code without a contract: it may run at any level. */
// expect: IRQL violation
// expect: IRQL_GRT_GET(
// expect: PROTECTED_COUNTER, &Counter)
// expect: has no IRQL contract
#include <irql/registry.h>

typedef IRQL_PROTECTED(IRQL_FAST_MUTEX, ULONG) PROTECTED_COUNTER;

NTSTATUS Use(VOID)
{
    PROTECTED_COUNTER *Counter;
    NTSTATUS Status = IRQL_GRT_GET("stats", PROTECTED_COUNTER, &Counter);
    if (NT_SUCCESS(Status)) {
        IrqlGrtRelease(Counter);
    }
    return Status;
}
