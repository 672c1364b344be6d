/* IRQL_GRT_GET through a key object into a pointer of another type. */
// expect: IRQL violation
// expect: the last argument must be the address of a PROTECTED_COUNTER *
#include <irql/registry.h>

typedef IRQL_PROTECTED(IRQL_FAST_MUTEX, ULONG) PROTECTED_COUNTER;
typedef IRQL_PROTECTED(IRQL_FAST_MUTEX, ULONG64) PROTECTED_TOTAL;

static IRQL_GRT_KEY StatsKey = IRQL_GRT_KEY_INIT("stats");

IRQL_MAX(Use, APC_LEVEL)
NTSTATUS Use(VOID)
{
    IRQL_ENTER(Use);
    PROTECTED_TOTAL *Total;
    NTSTATUS Status = IRQL_GRT_GET(&StatsKey, PROTECTED_COUNTER, &Total);
    if (NT_SUCCESS(Status)) {
        IrqlGrtRelease(Total);
    }
    return Status;
}
