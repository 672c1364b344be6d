/* IRQL_WITH_T names the data type: a wrong one is an error, not a cast. */
// expect: IRQL violation
// expect: IRQL_WITH_T(Value, ULONG, V)
// expect: Value->Data is not a ULONG
#include <irql/lock.h>

typedef IRQL_PROTECTED(IRQL_PUSH_LOCK, LONG) PROTECTED_LONG;

IRQL_MAX(Bump, PASSIVE_LEVEL)
VOID Bump(PROTECTED_LONG *Value)
{
    IRQL_ENTER(Bump);
    IRQL_WITH_T(Value, ULONG, V) {
        (*V)++;
    }
}
