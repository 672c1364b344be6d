/* Unannotated code runs in [PASSIVE_LEVEL, HIGH_LEVEL]: it may call a callee whose contract is
   that whole range, however the contract is written. */
#include <irql/irql.h>

IRQL_MAX(Anywhere, HIGH_LEVEL)
ULONG Anywhere(VOID);

IRQL_RANGE(AlsoAnywhere, PASSIVE_LEVEL, HIGH_LEVEL)
ULONG AlsoAnywhere(VOID);

IRQL_RANGE(WithCasts, (KIRQL)0, (KIRQL)HIGH_LEVEL)
ULONG WithCasts(VOID);

ULONG Unannotated(VOID)
{
    return IRQL_CALL(Anywhere)() + IRQL_CALL(AlsoAnywhere)() + IRQL_CALL(WithCasts)();
}

static ULONG StaticUnannotated(VOID)
{
    return IRQL_CALL(Anywhere)();
}

ULONG UsesStatic(VOID)
{
    return StaticUnannotated();
}
