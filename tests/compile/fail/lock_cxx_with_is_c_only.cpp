// The statement macros rest on C11; in C++ they are one error that names the alternative.
// expect: IRQL_WITH is C only
// expect: IrqlKLock
#include <irql/lock.h>

typedef IRQL_PROTECTED(IRQL_FAST_MUTEX, ULONG) PROTECTED_ULONG;

IRQL_MAX(Bump, PASSIVE_LEVEL)
VOID Bump(PROTECTED_ULONG *Value)
{
    IRQL_ENTER(Bump);
    IRQL_WITH(Value, V) {
    }
}
