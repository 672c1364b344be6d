/* IRQL_AT + IRQL_ENTER: a body at exactly DISPATCH_LEVEL calls callees whose contracts cover it. */
#include <irql/irql.h>

IRQL_AT(DpcOnly, DISPATCH_LEVEL)
VOID DpcOnly(PVOID Context);

IRQL_MAX(UpToDispatch, DISPATCH_LEVEL)
VOID UpToDispatch(PVOID Context);

IRQL_RANGE(DispatchAndAbove, DISPATCH_LEVEL, HIGH_LEVEL)
VOID DispatchAndAbove(PVOID Context);

IRQL_AT(OnDpc, DISPATCH_LEVEL)
VOID OnDpc(PVOID Context)
{
    IRQL_ENTER(OnDpc);
    IRQL_CALL(DpcOnly)(Context);
    IRQL_CALL(UpToDispatch)(Context);
    IRQL_CALL(DispatchAndAbove)(Context);
}

IRQL_AT(DriverEntryLike, PASSIVE_LEVEL)
NTSTATUS DriverEntryLike(PVOID Context)
{
    IRQL_ENTER(DriverEntryLike);
    IRQL_CALL(UpToDispatch)(Context);
    IRQL_RAISE(DISPATCH_LEVEL) {
        IRQL_CALL(OnDpc)(Context); /* an entry point is called through its contract too */
    }
    return STATUS_SUCCESS;
}
