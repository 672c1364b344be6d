/* Unannotated code calls a constrained callee: the message says what to add. */
// expect: IRQL violation
// expect: CountPacket has an IRQL contract but the calling code has none
// expect: IRQL_ENTER(function)
// expect: IRQL_CONTEXT(min, max)
#include <irql/irql.h>

IRQL_MAX(CountPacket, DISPATCH_LEVEL)
VOID CountPacket(PULONG Counter);

VOID Helper(PULONG Counter)
{
    IRQL_CALL(CountPacket)(Counter);
}
