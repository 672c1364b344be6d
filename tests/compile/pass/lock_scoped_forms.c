/* The scoped forms compile where their lock may be taken, and their bodies run in the kind's
   range: APC_LEVEL under a FAST_MUTEX or guarded mutex, DISPATCH_LEVEL under a spin lock, the
   enclosing range under a KMUTEX, resource or push lock. One statement each, nestable. */
#include <irql/lock.h>

typedef struct _COUNTERS {
    ULONG Packets;
    ULONG Bytes;
} COUNTERS;

typedef IRQL_PROTECTED(IRQL_KMUTEX, COUNTERS) KMUTEX_COUNTERS;
typedef IRQL_PROTECTED(IRQL_FAST_MUTEX, COUNTERS) FAST_COUNTERS;
typedef IRQL_PROTECTED(IRQL_GUARDED_MUTEX, COUNTERS) GUARDED_COUNTERS;
typedef IRQL_PROTECTED(IRQL_SPIN_LOCK, COUNTERS) SPIN_COUNTERS;
typedef IRQL_PROTECTED(IRQL_RESOURCE, COUNTERS) RESOURCE_COUNTERS;
typedef IRQL_PROTECTED(IRQL_PUSH_LOCK, COUNTERS) PUSH_COUNTERS;

extern KMUTEX_COUNTERS KMutexCounters;
extern FAST_COUNTERS FastCounters;
extern GUARDED_COUNTERS GuardedCounters;
extern SPIN_COUNTERS SpinCounters;
extern RESOURCE_COUNTERS ResourceCounters;
extern PUSH_COUNTERS PushCounters;

IRQL_AT(AtPassive, PASSIVE_LEVEL) VOID AtPassive(VOID);
IRQL_AT(AtApc, APC_LEVEL) VOID AtApc(VOID);
IRQL_AT(AtDispatch, DISPATCH_LEVEL) VOID AtDispatch(VOID);
IRQL_MAX(UpToApc, APC_LEVEL) VOID UpToApc(VOID);

IRQL_AT(Passive, PASSIVE_LEVEL)
ULONG Passive(ULONG N)
{
    IRQL_ENTER(Passive);
    ULONG Count = 0;
    IRQL_WITH_T(&KMutexCounters, COUNTERS, C) {
        IRQL_CALL(AtPassive)(); /* unchanged */
        C->Packets++;
    }
    IRQL_WITH_T(&FastCounters, COUNTERS, C) {
        IRQL_CALL(AtApc)();
        IRQL_CALL(UpToApc)();
        C->Packets++;
    }
    IRQL_WITH_T(&GuardedCounters, COUNTERS, C) {
        IRQL_CALL(AtApc)();
        C->Packets++;
    }
    IRQL_WITH_T(&SpinCounters, COUNTERS, C) {
        IRQL_CALL(AtDispatch)();
        C->Packets++;
    }
    IRQL_WITH_T(&ResourceCounters, COUNTERS, C) {
        IRQL_CALL(AtPassive)();
        C->Packets++;
    }
    IRQL_WITH_SHARED_T(&PushCounters, COUNTERS, C) {
        IRQL_CALL(AtPassive)();
        Count += C->Packets;
    }
    IRQL_LOCKED(&FastCounters.Lock) {
        IRQL_CALL(AtApc)();
    }
    IRQL_LOCKED_SHARED(&ResourceCounters.Lock) {
        Count += ResourceCounters.Data.Bytes;
    }
    /* Single statements and nesting. */
    for (ULONG i = 0; i < N; i++)
        IRQL_WITH_T(&KMutexCounters, COUNTERS, K)
            IRQL_WITH_T(&FastCounters, COUNTERS, F)
                IRQL_WITH_T(&SpinCounters, COUNTERS, S) {
                    IRQL_CALL(AtDispatch)();
                    S->Bytes += F->Bytes + K->Bytes;
                    if (S->Bytes > 100)
                        break;
                    continue;
                }
    if (N > 1)
        IRQL_LOCKED(&SpinCounters.Lock)
            Count++;
    else
        Count--;
    while (Count > 10)
        IRQL_LOCKED(&GuardedCounters.Lock) Count /= 2;
    do
        IRQL_LOCKED(&PushCounters.Lock) Count++;
    while (Count < 3);
    return Count;
}

IRQL_AT(OnDpc, DISPATCH_LEVEL)
VOID OnDpc(VOID)
{
    IRQL_ENTER(OnDpc);
    IRQL_WITH_T(&SpinCounters, COUNTERS, C) {
        IRQL_CALL(AtDispatch)();
        C->Packets++;
    }
}

IRQL_AT(ApcOnly, APC_LEVEL)
VOID ApcOnly(VOID)
{
    IRQL_ENTER(ApcOnly);
    IRQL_WITH_T(&FastCounters, COUNTERS, F)
        IRQL_WITH_T(&KMutexCounters, COUNTERS, K) { /* APC_LEVEL is allowed for both */
            IRQL_CALL(AtApc)();
            K->Packets += F->Packets;
        }
}

#if IRQL_HAS_TYPEOF
/* With __typeof__ the data type is found: IRQL_WITH and IRQL_WITH_SHARED. */
IRQL_MAX(Typeof, APC_LEVEL)
ULONG Typeof(FAST_COUNTERS *Counters)
{
    IRQL_ENTER(Typeof);
    ULONG Seen = 0;
    IRQL_WITH(Counters, C) {
        IRQL_CALL(AtApc)();
        C->Packets++;
    }
    IRQL_WITH_SHARED(&ResourceCounters, C) {
        Seen = C->Packets;
    }
    IRQL_WITH_SHARED(&PushCounters, P)
        IRQL_WITH(&SpinCounters, S)
            Seen += P->Bytes + S->Bytes;
    return Seen;
}
#endif
