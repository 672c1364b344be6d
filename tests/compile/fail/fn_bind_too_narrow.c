/* IRQL_FN: calls through a [PASSIVE, DISPATCH] type may run the function at DISPATCH_LEVEL,
   above a PASSIVE-only function's maximum. */
// expect: IRQL violation
// expect: IRQL_FN(PCOMPLETE_FN, WriteLog): calls through PCOMPLETE_FN may run it above WriteLog
// expect: maximum IRQL
#include <irql/irql.h>

IRQL_FN_TYPE(PCOMPLETE_FN, PASSIVE_LEVEL, DISPATCH_LEVEL, VOID, (PVOID Context));

IRQL_MAX(WriteLog, PASSIVE_LEVEL)
VOID WriteLog(PVOID Context);

IRQL_AT(Setup, PASSIVE_LEVEL)
PCOMPLETE_FN Setup(VOID)
{
    IRQL_ENTER(Setup);
    return IRQL_FN(PCOMPLETE_FN, WriteLog);
}
