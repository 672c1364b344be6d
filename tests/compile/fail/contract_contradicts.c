/* Two different contracts for one function (header says DISPATCH, definition says PASSIVE).
   C cannot attach a message to a conflicting redeclaration: the error is the compiler's own
   and names the function through the contract's typedefs. */
// expect: irql__contract_of_CountPacket
#include <irql/irql.h>

IRQL_MAX(CountPacket, DISPATCH_LEVEL)
VOID CountPacket(PULONG Counter);

IRQL_MAX(CountPacket, PASSIVE_LEVEL)
VOID CountPacket(PULONG Counter)
{
    (*Counter)++;
}
