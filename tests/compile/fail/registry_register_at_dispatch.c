/* IRQL_GRT_REGISTER allocates and initialises run-down protection: APC_LEVEL at most. */
// expect: IRQL violation
// expect: IRQL_GRT_REGISTER(
// expect: PROTECTED_COUNTER, NULL)
// expect: above APC_LEVEL
#include <irql/registry.h>

typedef IRQL_PROTECTED(IRQL_SPIN_LOCK, ULONG) PROTECTED_COUNTER;

IRQL_AT(OnDpc, DISPATCH_LEVEL)
NTSTATUS OnDpc(VOID)
{
    IRQL_ENTER(OnDpc);
    return IRQL_GRT_REGISTER("stats", PROTECTED_COUNTER, NULL);
}
