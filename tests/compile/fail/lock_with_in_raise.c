/* IRQL_WITH on a FAST_MUTEX-protected value inside IRQL_RAISE(DISPATCH_LEVEL). */
// expect: IRQL violation
// expect: IRQL_WITH
// expect: (Counters, 
// expect: above APC_LEVEL
// expect: IRQL_FAST_MUTEX
#include <irql/lock.h>

typedef struct _COUNTERS {
    ULONG Packets;
} COUNTERS;
typedef IRQL_PROTECTED(IRQL_FAST_MUTEX, COUNTERS) FAST_COUNTERS;

IRQL_AT(Count, PASSIVE_LEVEL)
VOID Count(FAST_COUNTERS *Counters)
{
    IRQL_ENTER(Count);
#if IRQL_HAS_TYPEOF
    IRQL_RAISE(DISPATCH_LEVEL) {
        IRQL_WITH(Counters, C) {
            C->Packets++;
        }
    }
#else /* MSVC mode: the same rule through the portable form */
    IRQL_RAISE(DISPATCH_LEVEL) {
        IRQL_WITH_T(Counters, COUNTERS, C) {
            C->Packets++;
        }
    }
#endif
}
