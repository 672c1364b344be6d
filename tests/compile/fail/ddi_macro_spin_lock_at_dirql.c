/* irql/ddi.h: KeAcquireSpinLock (a function-like macro) is <= DISPATCH_LEVEL; IRQL_CALL_MACRO
   checks it from an ISR and rejects it. */
// expect: IRQL violation
// expect: IRQL_CALL_MACRO(KeAcquireSpinLock)
// expect: above KeAcquireSpinLock
// expect: maximum IRQL
#include <irql/ddi.h>

static KSPIN_LOCK Lock;

IRQL_ROLE(OnInterrupt, KSERVICE_ROUTINE)
BOOLEAN OnInterrupt(PVOID Interrupt, PVOID Context)
{
    IRQL_ENTER(OnInterrupt);
    KIRQL Old;
    (void)Interrupt, (void)Context;
    IRQL_CALL_MACRO(KeAcquireSpinLock, (&Lock, &Old));
    return TRUE;
}
