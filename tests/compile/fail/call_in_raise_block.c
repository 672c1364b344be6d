/* Inside a raise block the range is [DISPATCH, DISPATCH]: a PASSIVE-only call there fails. */
// expect: IRQL violation
// expect: IRQL_CALL(ZwCloseLike)
// expect: above ZwCloseLike
// expect: maximum IRQL
#include <irql/irql.h>

IRQL_MAX(ZwCloseLike, PASSIVE_LEVEL)
NTSTATUS ZwCloseLike(HANDLE Handle);

IRQL_AT(Passive, PASSIVE_LEVEL)
VOID Passive(HANDLE Handle)
{
    IRQL_ENTER(Passive);
    IRQL_CALL(ZwCloseLike)(Handle); /* fine here */
    IRQL_RAISE(DISPATCH_LEVEL) {
        IRQL_CALL(ZwCloseLike)(Handle);
    }
}
