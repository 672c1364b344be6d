/* x86 numbering: a body at HIGH_LEVEL 31 (the largest range code) calling a PASSIVE-only
   callee is still caught. */
// defines: IRQL_HOST_X86_LEVELS
// expect: IRQL violation
// expect: IRQL_CALL(PassiveOnly): the caller may run above PassiveOnly
// expect: maximum IRQL
#include <irql/irql.h>

IRQL_MAX(PassiveOnly, PASSIVE_LEVEL)
VOID PassiveOnly(VOID);

IRQL_AT(AtHigh, HIGH_LEVEL)
VOID AtHigh(VOID)
{
    IRQL_ENTER(AtHigh);
    IRQL_CALL(PassiveOnly)();
}
