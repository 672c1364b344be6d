/* IRQL_CALL_FN from a DISPATCH body through a type allowed only up to APC_LEVEL. */
// expect: IRQL violation
// expect: IRQL_CALL_FN(Request->OnComplete): the caller may run above Request->OnComplete
// expect: maximum IRQL
#include <irql/irql.h>

IRQL_FN_TYPE(PAPC_FN, PASSIVE_LEVEL, APC_LEVEL, VOID, (PVOID Context));

typedef struct _REQUEST {
    PAPC_FN OnComplete;
    PVOID Context;
} REQUEST;

IRQL_AT(OnDpc, DISPATCH_LEVEL)
VOID OnDpc(REQUEST *Request)
{
    IRQL_ENTER(OnDpc);
    IRQL_CALL_FN(Request->OnComplete)(Request->Context);
}
