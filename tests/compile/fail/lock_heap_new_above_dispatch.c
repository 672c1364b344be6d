/* IRQL_PROTECTED_NEW allocates non-paged pool: not above DISPATCH_LEVEL. */
// expect: IRQL violation
// expect: IRQL_PROTECTED_NEW(PROTECTED_LONG, &Value, NULL, 0x676E6F4C)
// expect: above DISPATCH_LEVEL
#include <irql/lock.h>

typedef IRQL_PROTECTED(IRQL_SPIN_LOCK, LONG) PROTECTED_LONG;

IRQL_AT(OnInterrupt, 5)
NTSTATUS OnInterrupt(VOID)
{
    IRQL_ENTER(OnInterrupt);
    PROTECTED_LONG *Value;
    return IRQL_PROTECTED_NEW(PROTECTED_LONG, &Value, NULL, 0x676E6F4C);
}
