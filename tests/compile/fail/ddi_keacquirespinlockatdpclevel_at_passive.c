/* irql/ddi.h: KeAcquireSpinLockAtDpcLevel is >= DISPATCH_LEVEL; calling it from PASSIVE_LEVEL
   code is rejected. IRQL_CALL_MACRO: on x86 the WDK makes it a function-like macro. */
// expect: IRQL violation
// expect: IRQL_CALL_MACRO(KeAcquireSpinLockAtDpcLevel)
// expect: below KeAcquireSpinLockAtDpcLevel
// expect: minimum IRQL
#include <irql/ddi.h>

static KSPIN_LOCK Lock;

IRQL_AT(Caller, PASSIVE_LEVEL)
VOID Caller(VOID)
{
    IRQL_ENTER(Caller);
    IRQL_CALL_MACRO(KeAcquireSpinLockAtDpcLevel, (&Lock));
}
