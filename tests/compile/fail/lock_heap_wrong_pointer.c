/* IRQL_PROTECTED_NEW stores a Type *: the pointer must be one. */
// expect: IRQL violation
// expect: must be the address of a PROTECTED_LONG
#include <irql/lock.h>

typedef IRQL_PROTECTED(IRQL_FAST_MUTEX, LONG) PROTECTED_LONG;
typedef IRQL_PROTECTED(IRQL_FAST_MUTEX, LONG) OTHER_LONG; /* a different type */

IRQL_MAX(Create, PASSIVE_LEVEL)
NTSTATUS Create(OTHER_LONG **Value)
{
    IRQL_ENTER(Create);
    return IRQL_PROTECTED_NEW(PROTECTED_LONG, Value, NULL, 0x676E6F4C);
}
