/* A contract may be repeated: in the "header" on the prototype and again on the definition,
   also spelled differently as long as it states the same range. */
#include <irql/irql.h>

/* --- what a header would hold --- */
IRQL_MAX(CountPacket, DISPATCH_LEVEL)
VOID CountPacket(PULONG Counter);

IRQL_AT(OnTimer, DISPATCH_LEVEL)
VOID OnTimer(PULONG Counter);

IRQL_AT(Open, PASSIVE_LEVEL)
NTSTATUS Open(VOID);

/* --- the definitions --- */
IRQL_MAX(CountPacket, DISPATCH_LEVEL)
VOID CountPacket(PULONG Counter)
{
    IRQL_ENTER(CountPacket);
    (*Counter)++;
}

IRQL_RANGE(OnTimer, DISPATCH_LEVEL, DISPATCH_LEVEL) /* the same range as IRQL_AT */
VOID OnTimer(PULONG Counter)
{
    IRQL_ENTER(OnTimer);
    IRQL_CALL(CountPacket)(Counter);
}

IRQL_MAX(Open, PASSIVE_LEVEL) /* [PASSIVE, PASSIVE] either way */
NTSTATUS Open(VOID)
{
    IRQL_ENTER(Open);
    return STATUS_SUCCESS;
}

/* A third repetition after use, and one with a cast. */
IRQL_RANGE(CountPacket, (KIRQL)0, (KIRQL)2)
VOID CountPacket(PULONG Counter);
