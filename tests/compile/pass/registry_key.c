/* Key objects in IRQL_GRT_GET: a static IRQL_GRT_KEY_INIT key from a DPC, a run-time key
   (IrqlGrtKeyInit) at PASSIVE_LEVEL, and the string form next to them (a char array too). */
#include <irql/registry.h>

typedef IRQL_PROTECTED(IRQL_SPIN_LOCK, ULONG) SPIN_COUNTER;

static IRQL_GRT_KEY SpinKey = IRQL_GRT_KEY_INIT("spin");

IRQL_AT(OnDpc, DISPATCH_LEVEL)
VOID OnDpc(VOID)
{
    IRQL_ENTER(OnDpc);
    SPIN_COUNTER *Counter;
    if (NT_SUCCESS(IRQL_GRT_GET(&SpinKey, SPIN_COUNTER, &Counter))) {
        IRQL_WITH_T(Counter, ULONG, Value) {
            (*Value)++;
        }
        IRQL_CALL(IrqlGrtRelease)(Counter);
    }
}

IRQL_MAX(Lookup, PASSIVE_LEVEL)
NTSTATUS Lookup(PCSTR Name)
{
    IRQL_ENTER(Lookup);
    IRQL_GRT_KEY Key;
    char Buffer[8] = "spin";
    SPIN_COUNTER *Counter;
    NTSTATUS Status;
    IrqlGrtKeyInit(&Key, Name);
    Status = IRQL_GRT_GET(&Key, SPIN_COUNTER, &Counter);
    if (NT_SUCCESS(Status)) {
        IRQL_CALL(IrqlGrtRelease)(Counter);
    }
    Status = IRQL_GRT_GET(Buffer, SPIN_COUNTER, &Counter);
    if (NT_SUCCESS(Status)) {
        IRQL_CALL(IrqlGrtRelease)(Counter);
    }
    return Status;
}
