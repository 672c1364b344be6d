/* A lock scope in code without a contract: it may run at any IRQL, so the message says what
   to add, as for IRQL_CALL. */
// expect: IRQL violation
// expect: IRQL_LOCKED(&Mutex)
// expect: acquire an IRQL_GUARDED_MUTEX only at or below APC_LEVEL
// expect: no IRQL contract
// expect: IRQL_ENTER(function)
#include <irql/lock.h>

static IRQL_GUARDED_MUTEX Mutex;

VOID Helper(PULONG Count)
{
    IRQL_LOCKED(&Mutex) {
        (*Count)++;
    }
}
