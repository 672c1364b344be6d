/* A spin lock has no shared mode either. */
// expect: IRQL violation
// expect: IRQL_LOCKED_SHARED(Lock)
// expect: an IRQL_SPIN_LOCK has no shared mode
#include <irql/lock.h>

IRQL_MAX(Read, DISPATCH_LEVEL)
VOID Read(PIRQL_SPIN_LOCK Lock)
{
    IRQL_ENTER(Read);
    IRQL_LOCKED_SHARED(Lock) {
    }
}
