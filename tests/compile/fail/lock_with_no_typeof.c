/* Without __typeof__ IRQL_WITH cannot declare its pointer: one error that names the
   replacement. */
// defines: IRQL_NO_TYPEOF
// expect: IRQL_WITH(Value, V) needs __typeof__
// expect: write IRQL_WITH_T(Value, T, V)
#include <irql/lock.h>

typedef IRQL_PROTECTED(IRQL_FAST_MUTEX, LONG) PROTECTED_LONG;

IRQL_MAX(Bump, PASSIVE_LEVEL)
VOID Bump(PROTECTED_LONG *Value)
{
    IRQL_ENTER(Bump);
    IRQL_WITH(Value, V) {
    }
}
