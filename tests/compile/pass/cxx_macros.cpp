/* A C++ translation unit uses every macro: contracts, IRQL_ENTER, IRQL_CONTEXT, IRQL_CALL,
   IRQL_RAISE (nested, as an unbraced body), IRQL_CALLBACK, and typed function pointers. */
#include <irql/irql.h>

IRQL_MAX(PassiveOnly, PASSIVE_LEVEL)
VOID PassiveOnly(VOID);

IRQL_MAX(UpToDispatch, DISPATCH_LEVEL)
ULONG UpToDispatch(ULONG Value);

IRQL_AT(DpcOnly, DISPATCH_LEVEL)
VOID DpcOnly(PVOID Context);

IRQL_RANGE(Isr, 3, 12)
BOOLEAN Isr(PVOID Context);

IRQL_FN_TYPE(PCOUNT_FN, PASSIVE_LEVEL, DISPATCH_LEVEL, ULONG, (ULONG Value));

typedef VOID DEFERRED_ROUTINE(PVOID Context);

static PCOUNT_FN GlobalCount = IRQL_FN_INIT(PCOUNT_FN, UpToDispatch);
static DEFERRED_ROUTINE *const Routines[] = {
    IRQL_CALLBACK(DpcOnly, DISPATCH_LEVEL, DISPATCH_LEVEL),
};

struct Device {
    PCOUNT_FN Count;
    PVOID Context;
};

namespace driver {

IRQL_MAX(Helper, DISPATCH_LEVEL)
static ULONG Helper(ULONG Value)
{
    IRQL_ENTER(Helper);
    return IRQL_CALL(UpToDispatch)(Value);
}

/* IRQL_CALL takes an unqualified name: call a namespace's functions from inside it. */
IRQL_MAX(Twice, PASSIVE_LEVEL)
ULONG Twice(ULONG Value)
{
    IRQL_ENTER(Twice);
    return IRQL_CALL(Helper)(Value) * 2;
}

} // namespace driver


IRQL_AT(Worker, PASSIVE_LEVEL)
ULONG Worker(Device *Dev, ULONG N)
{
    IRQL_ENTER(Worker);
    IRQL_CALL(PassiveOnly)();
    ULONG Sum = IRQL_CALL(UpToDispatch)(N) + IRQL_CALL_FN(GlobalCount)(N);
    Dev->Count = IRQL_FN(PCOUNT_FN, UpToDispatch);
    if (KeGetCurrentIrql() == PASSIVE_LEVEL) {
        IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
        IRQL_CALL(PassiveOnly)();
    }
    for (ULONG i = 0; i < N; i++)
        IRQL_RAISE(DISPATCH_LEVEL)
            Sum += IRQL_CALL_FN(Dev->Count)(i);
    IRQL_RAISE(DISPATCH_LEVEL) {
        IRQL_CALL(DpcOnly)(Dev->Context);
        IRQL_RAISE(12) {
            IRQL_CALL(Isr)(Dev->Context);
        }
        Routines[0](Dev->Context);
    }
    DEFERRED_ROUTINE *Local = IRQL_CALLBACK(DpcOnly, DISPATCH_LEVEL, DISPATCH_LEVEL);
    (void)Local;
    return Sum;
}
