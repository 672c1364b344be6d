/* A FAST_MUTEX has no shared mode. */
// expect: IRQL violation
// expect: IRQL_WITH_SHARED_T(Counters, COUNTERS, C)
// expect: an IRQL_FAST_MUTEX has no shared mode
#include <irql/lock.h>

typedef struct _COUNTERS {
    ULONG Packets;
} COUNTERS;
typedef IRQL_PROTECTED(IRQL_FAST_MUTEX, COUNTERS) FAST_COUNTERS;

IRQL_MAX(Read, PASSIVE_LEVEL)
ULONG Read(FAST_COUNTERS *Counters)
{
    IRQL_ENTER(Read);
    ULONG Packets = 0;
    IRQL_WITH_SHARED_T(Counters, COUNTERS, C) {
        Packets = C->Packets;
    }
    return Packets;
}
