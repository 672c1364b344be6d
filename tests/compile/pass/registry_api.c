/* The registry API at the levels its contracts allow: register at PASSIVE, get from a DPC
   (DISPATCH_LEVEL) with a spin-lock-protected value, every lock kind, enumerate, remove. */
#include <irql/registry.h>

typedef IRQL_PROTECTED(IRQL_SPIN_LOCK, ULONG) SPIN_COUNTER;
typedef IRQL_PROTECTED(IRQL_FAST_MUTEX, ULONG) FAST_COUNTER;
typedef IRQL_PROTECTED(IRQL_KMUTEX, ULONG) KMUTEX_COUNTER;
typedef IRQL_PROTECTED(IRQL_GUARDED_MUTEX, ULONG) GUARDED_COUNTER;
typedef IRQL_PROTECTED(IRQL_RESOURCE, ULONG) RESOURCE_COUNTER;
typedef IRQL_PROTECTED(IRQL_PUSH_LOCK, ULONG) PUSH_COUNTER;

IRQL_MAX(Setup, PASSIVE_LEVEL)
NTSTATUS Setup(VOID)
{
    IRQL_ENTER(Setup);
    NTSTATUS Status = IRQL_CALL(IrqlGrtInit)();
    if (NT_SUCCESS(Status)) {
        Status = IRQL_GRT_REGISTER("spin", SPIN_COUNTER, &(ULONG){0});
    }
    if (NT_SUCCESS(Status)) {
        Status = IRQL_GRT_REGISTER("fast", FAST_COUNTER, NULL);
    }
    if (NT_SUCCESS(Status)) {
        Status = IRQL_GRT_REGISTER("kmutex", KMUTEX_COUNTER, NULL);
    }
    if (NT_SUCCESS(Status)) {
        Status = IRQL_GRT_REGISTER("guarded", GUARDED_COUNTER, NULL);
    }
    if (NT_SUCCESS(Status)) {
        Status = IRQL_GRT_REGISTER("resource", RESOURCE_COUNTER, NULL);
    }
    if (NT_SUCCESS(Status)) {
        Status = IRQL_GRT_REGISTER("push", PUSH_COUNTER, NULL);
    }
    return Status;
}

IRQL_AT(OnDpc, DISPATCH_LEVEL)
VOID OnDpc(VOID)
{
    IRQL_ENTER(OnDpc);
    SPIN_COUNTER *Counter;
    if (NT_SUCCESS(IRQL_GRT_GET("spin", SPIN_COUNTER, &Counter))) {
        IRQL_WITH_T(Counter, ULONG, Value) {
            (*Value)++;
        }
        IRQL_CALL(IrqlGrtRelease)(Counter);
    }
}

IRQL_AT(OnKey, DISPATCH_LEVEL)
BOOLEAN OnKey(PCSTR Key, PCSTR TypeName, PVOID Context)
{
    IRQL_ENTER(OnKey);
    (void)Key;
    (void)TypeName;
    (void)Context;
    return TRUE;
}

IRQL_MAX(Teardown, PASSIVE_LEVEL)
NTSTATUS Teardown(VOID)
{
    IRQL_ENTER(Teardown);
    ULONG Count;
    FAST_COUNTER *Fast;
    if (NT_SUCCESS(IRQL_GRT_GET("fast", FAST_COUNTER, &Fast))) {
        IRQL_WITH_T(Fast, ULONG, Value) {
            (*Value)++;
        }
        IrqlGrtRelease(Fast);
    }
    (VOID)IRQL_CALL(IrqlGrtEnumerate)(IRQL_CALLBACK(OnKey, DISPATCH_LEVEL, DISPATCH_LEVEL),
                                      NULL, &Count);
    (VOID)IRQL_CALL(IrqlGrtRemove)("fast");
    return IRQL_CALL(IrqlGrtDestroy)();
}
