/* A spin-lock scope in an ISR (above DISPATCH_LEVEL). */
// expect: IRQL violation
// expect: IRQL_LOCKED(Lock)
// expect: above DISPATCH_LEVEL
// expect: acquire an IRQL_SPIN_LOCK
#include <irql/lock.h>

IRQL_RANGE(OnInterrupt, 3, 12)
VOID OnInterrupt(PIRQL_SPIN_LOCK Lock, PULONG Count)
{
    IRQL_ENTER(OnInterrupt);
    IRQL_LOCKED(Lock) {
        (*Count)++;
    }
}
