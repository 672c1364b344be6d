/* C++: IRQL_FN binding a function that cannot run at the type's minimum. */
// expect: IRQL violation
// expect: IRQL_FN(PANY_FN, OnDpc): calls through PANY_FN may run it below OnDpc
// expect: minimum IRQL
#include <irql/irql.h>

IRQL_FN_TYPE(PANY_FN, PASSIVE_LEVEL, DISPATCH_LEVEL, VOID, (VOID));

IRQL_AT(OnDpc, DISPATCH_LEVEL)
VOID OnDpc(VOID);

PANY_FN Make()
{
    return IRQL_FN(PANY_FN, OnDpc);
}
