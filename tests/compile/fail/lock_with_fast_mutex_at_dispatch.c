/* A FAST_MUTEX scope in code that may run at DISPATCH_LEVEL. */
// expect: IRQL violation
// expect: IRQL_WITH_T(Counters, COUNTERS, C)
// expect: above APC_LEVEL
// expect: acquire an IRQL_FAST_MUTEX
#include <irql/lock.h>

typedef struct _COUNTERS {
    ULONG Packets;
} COUNTERS;
typedef IRQL_PROTECTED(IRQL_FAST_MUTEX, COUNTERS) FAST_COUNTERS;

IRQL_MAX(Count, DISPATCH_LEVEL)
VOID Count(FAST_COUNTERS *Counters)
{
    IRQL_ENTER(Count);
    IRQL_WITH_T(Counters, COUNTERS, C) {
        C->Packets++;
    }
}
