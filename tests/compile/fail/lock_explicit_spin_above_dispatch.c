/* A spin lock is acquired at DISPATCH_LEVEL at most: not from an ISR. */
// expect: IRQL violation
// expect: IRQL_CALL(IrqlSpinLockLock)
// expect: above IrqlSpinLockLock
#include <irql/lock.h>

IRQL_AT(OnInterrupt, 5)
VOID OnInterrupt(PIRQL_SPIN_LOCK Lock)
{
    IRQL_ENTER(OnInterrupt);
    IRQL_SPIN_LOCK_GUARD Guard;
    (VOID)IRQL_CALL(IrqlSpinLockLock)(Lock, &Guard);
}
