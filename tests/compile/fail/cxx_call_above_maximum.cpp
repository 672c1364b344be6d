/* C++: the same violation in a C++ translation unit is the same single error. */
// expect: IRQL violation
// expect: IRQL_CALL(WriteLogFile): the caller may run above WriteLogFile
// expect: maximum IRQL
#include <irql/irql.h>

IRQL_MAX(WriteLogFile, PASSIVE_LEVEL)
VOID WriteLogFile(PCSTR Line);

IRQL_AT(OnTimer, DISPATCH_LEVEL)
VOID OnTimer(PVOID Context)
{
    IRQL_ENTER(OnTimer);
    IRQL_CALL(WriteLogFile)(static_cast<PCSTR>(Context));
}
