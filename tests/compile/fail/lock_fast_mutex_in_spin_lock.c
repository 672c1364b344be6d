/* No FAST_MUTEX under a spin lock: the inner scope would acquire it at DISPATCH_LEVEL. */
// expect: IRQL violation
// expect: IRQL_LOCKED(Fast)
// expect: above APC_LEVEL
// expect: IRQL_FAST_MUTEX
#include <irql/lock.h>

IRQL_MAX(Both, PASSIVE_LEVEL)
VOID Both(PIRQL_SPIN_LOCK Spin, PIRQL_FAST_MUTEX Fast)
{
    IRQL_ENTER(Both);
    IRQL_LOCKED(Spin)
        IRQL_LOCKED(Fast) {
        }
}
