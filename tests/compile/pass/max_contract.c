/* IRQL_MAX: callable anywhere from PASSIVE_LEVEL up to the bound. */
#include <irql/irql.h>

IRQL_MAX(PassiveOnly, PASSIVE_LEVEL)
VOID PassiveOnly(VOID);

IRQL_MAX(UpToApc, APC_LEVEL)
VOID UpToApc(VOID);

IRQL_MAX(UpToDispatch, DISPATCH_LEVEL)
ULONG UpToDispatch(ULONG Value);

IRQL_MAX(Anywhere, HIGH_LEVEL)
ULONG Anywhere(ULONG Value);

IRQL_MAX(Passive, PASSIVE_LEVEL)
ULONG Passive(ULONG Value)
{
    IRQL_ENTER(Passive);
    IRQL_CALL(PassiveOnly)();
    IRQL_CALL(UpToApc)();
    return IRQL_CALL(UpToDispatch)(Value) + IRQL_CALL(Anywhere)(Value);
}

IRQL_MAX(Apc, APC_LEVEL)
ULONG Apc(ULONG Value)
{
    IRQL_ENTER(Apc);
    IRQL_CALL(UpToApc)();
    return IRQL_CALL(UpToDispatch)(IRQL_CALL(Anywhere)(Value));
}

IRQL_MAX(Dispatch, DISPATCH_LEVEL)
ULONG Dispatch(ULONG Value)
{
    IRQL_ENTER(Dispatch);
    return IRQL_CALL(UpToDispatch)(Value);
}
