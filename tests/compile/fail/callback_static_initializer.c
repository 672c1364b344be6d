/* The check holds in a static initialiser too. */
// expect: IRQL violation
// expect: IRQL_CALLBACK(WriteLog): it may be run above WriteLog
// expect: maximum IRQL
#include <irql/irql.h>

typedef VOID DEFERRED_ROUTINE(PVOID Context);

IRQL_MAX(WriteLog, PASSIVE_LEVEL)
VOID WriteLog(PVOID Context);

IRQL_AT(OnDpc, DISPATCH_LEVEL)
VOID OnDpc(PVOID Context);

DEFERRED_ROUTINE *const Routines[] = {
    IRQL_CALLBACK(OnDpc, DISPATCH_LEVEL, DISPATCH_LEVEL),
    IRQL_CALLBACK(WriteLog, DISPATCH_LEVEL, DISPATCH_LEVEL),
};
