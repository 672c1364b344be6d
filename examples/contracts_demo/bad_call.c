/* Compiled by scripts/demo.sh to show a compile-time IRQL violation; it must not compile. */
#include <irql/irql.h>

IRQL_MAX(WriteLogFile, PASSIVE_LEVEL) VOID WriteLogFile(PCSTR Line); /* uses ZwWriteFile */

IRQL_AT(OnTimer, DISPATCH_LEVEL) VOID OnTimer(PVOID Context)
{
    IRQL_ENTER(OnTimer);
    IRQL_CALL(WriteLogFile)((PCSTR)Context); /* a DPC may not write a file */
}
