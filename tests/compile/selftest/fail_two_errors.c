/* Harness self-test, run as a fail case: two violations are two errors, and the harness
   demands exactly one. */
// expect: IRQL violation
// harness: expected 1 line\(s\) with `error:`, got 2
#include <irql/irql.h>

IRQL_MAX(PassiveOnly, PASSIVE_LEVEL)
VOID PassiveOnly(VOID);

IRQL_AT(OnDpc, DISPATCH_LEVEL)
VOID OnDpc(VOID)
{
    IRQL_ENTER(OnDpc);
    IRQL_CALL(PassiveOnly)();
    IRQL_CALL(PassiveOnly)();
}
