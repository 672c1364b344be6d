/* irql/ddi.h: KeAcquireSpinLockAtDpcLevel is >= DISPATCH_LEVEL; calling it from PASSIVE_LEVEL
   code is rejected. */
// expect: IRQL violation
// expect: IRQL_CALL(KeAcquireSpinLockAtDpcLevel)
// expect: below KeAcquireSpinLockAtDpcLevel
// expect: minimum IRQL
#include <irql/ddi.h>

static KSPIN_LOCK Lock;

IRQL_AT(Caller, PASSIVE_LEVEL)
VOID Caller(VOID)
{
    IRQL_ENTER(Caller);
    IRQL_CALL(KeAcquireSpinLockAtDpcLevel)(&Lock);
}
