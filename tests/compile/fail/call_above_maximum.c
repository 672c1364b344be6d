/* Lowering: a DISPATCH_LEVEL body calls a PASSIVE-only callee. */
// expect: IRQL violation
// expect: IRQL_CALL(WriteLogFile)
// expect: above WriteLogFile
// expect: maximum IRQL
#include <irql/irql.h>

IRQL_MAX(WriteLogFile, PASSIVE_LEVEL)
VOID WriteLogFile(PCSTR Line);

IRQL_AT(OnTimer, DISPATCH_LEVEL)
VOID OnTimer(PVOID Context)
{
    IRQL_ENTER(OnTimer);
    IRQL_CALL(WriteLogFile)((PCSTR)Context);
}
