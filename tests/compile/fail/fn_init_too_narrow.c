/* IRQL_FN_INIT in a static initialiser: a DISPATCH-only function bound to a type whose calls
   may happen at PASSIVE_LEVEL. */
// expect: IRQL violation
// expect: IRQL_FN(PCOMPLETE_FN, OnDpc): calls through PCOMPLETE_FN may run it below OnDpc
// expect: minimum IRQL
#include <irql/irql.h>

IRQL_FN_TYPE(PCOMPLETE_FN, PASSIVE_LEVEL, DISPATCH_LEVEL, VOID, (PVOID Context));

IRQL_AT(OnDpc, DISPATCH_LEVEL)
VOID OnDpc(PVOID Context);

static PCOMPLETE_FN OnDone = IRQL_FN_INIT(PCOMPLETE_FN, OnDpc);

PCOMPLETE_FN *Get(VOID)
{
    return &OnDone;
}
