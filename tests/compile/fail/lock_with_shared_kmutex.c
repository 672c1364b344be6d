/* Nor a KMUTEX (with __typeof__: IRQL_WITH_SHARED). */
// expect: IRQL violation
// expect: an IRQL_KMUTEX has no shared mode
#include <irql/lock.h>

typedef IRQL_PROTECTED(IRQL_KMUTEX, LONG) PROTECTED_LONG;

IRQL_MAX(Read, PASSIVE_LEVEL)
LONG Read(PROTECTED_LONG *Value)
{
    IRQL_ENTER(Read);
    LONG Seen = 0;
#if IRQL_HAS_TYPEOF
    IRQL_WITH_SHARED(Value, V) {
        Seen = *V;
    }
#else
    IRQL_WITH_SHARED_T(Value, LONG, V) {
        Seen = *V;
    }
#endif
    return Seen;
}
