/* A PASSIVE-only routine handed over as a DPC routine, which runs at DISPATCH_LEVEL. */
// expect: IRQL violation
// expect: IRQL_CALLBACK(WriteLog): it may be run above WriteLog
// expect: maximum IRQL
#include <irql/irql.h>

typedef VOID DEFERRED_ROUTINE(PVOID Context);

IRQL_MAX(WriteLog, PASSIVE_LEVEL)
VOID WriteLog(PVOID Context);

IRQL_MAX(Setup, PASSIVE_LEVEL)
DEFERRED_ROUTINE *Setup(VOID)
{
    IRQL_ENTER(Setup);
    return IRQL_CALLBACK(WriteLog, DISPATCH_LEVEL, DISPATCH_LEVEL);
}
