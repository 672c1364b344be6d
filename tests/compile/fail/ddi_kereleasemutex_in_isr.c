/* irql/ddi.h: KeReleaseMutex is <= DISPATCH_LEVEL; calling it from an ISR (a DIRQL) is rejected. */
// expect: IRQL violation
// expect: IRQL_CALL(KeReleaseMutex)
// expect: above KeReleaseMutex
// expect: maximum IRQL
#include <irql/ddi.h>

static KMUTEX Mutex;

IRQL_ROLE(Caller, KSERVICE_ROUTINE)
VOID Caller(VOID)
{
    IRQL_ENTER(Caller);
    (void)IRQL_CALL(KeReleaseMutex)(&Mutex, FALSE);
}
