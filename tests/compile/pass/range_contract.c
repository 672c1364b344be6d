/* IRQL_RANGE: a caller's whole range must lie inside the callee's; equal bounds are inside. */
#include <irql/irql.h>

IRQL_RANGE(ApcToDispatch, APC_LEVEL, DISPATCH_LEVEL)
VOID ApcToDispatch(VOID);

IRQL_RANGE(PassiveToDispatch, PASSIVE_LEVEL, DISPATCH_LEVEL)
VOID PassiveToDispatch(VOID);

IRQL_RANGE(Everywhere, PASSIVE_LEVEL, HIGH_LEVEL)
VOID Everywhere(VOID);

IRQL_RANGE(HighOnly, HIGH_LEVEL, HIGH_LEVEL)
VOID HighOnly(VOID);

IRQL_RANGE(Caller, APC_LEVEL, DISPATCH_LEVEL)
VOID Caller(VOID)
{
    IRQL_ENTER(Caller);
    IRQL_CALL(ApcToDispatch)();     /* identical range */
    IRQL_CALL(PassiveToDispatch)(); /* wider below */
    IRQL_CALL(Everywhere)();        /* wider on both sides */
}

IRQL_RANGE(AtHigh, HIGH_LEVEL, HIGH_LEVEL)
VOID AtHigh(VOID)
{
    IRQL_ENTER(AtHigh);
    IRQL_CALL(HighOnly)();
    IRQL_CALL(Everywhere)();
}

IRQL_RANGE(ApcOnly, APC_LEVEL, APC_LEVEL)
VOID ApcOnly(VOID)
{
    IRQL_ENTER(ApcOnly);
    IRQL_CALL(ApcToDispatch)();
    IRQL_CALL(PassiveToDispatch)();
}
