/* IRQL_CONTEXT narrows the range after a run-time test; nested blocks narrow further. */
#include <irql/irql.h>

IRQL_MAX(PassiveOnly, PASSIVE_LEVEL)
VOID PassiveOnly(VOID);

IRQL_MAX(UpToApc, APC_LEVEL)
VOID UpToApc(VOID);

IRQL_AT(DpcOnly, DISPATCH_LEVEL)
VOID DpcOnly(VOID);

IRQL_MAX(Worker, DISPATCH_LEVEL)
VOID Worker(VOID)
{
    IRQL_ENTER(Worker);
    if (KeGetCurrentIrql() <= APC_LEVEL) {
        IRQL_CONTEXT(PASSIVE_LEVEL, APC_LEVEL);
        IRQL_CALL(UpToApc)();
        if (KeGetCurrentIrql() == PASSIVE_LEVEL) {
            IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
            IRQL_CALL(PassiveOnly)();
            IRQL_CALL(UpToApc)();
        }
    } else {
        IRQL_CONTEXT(DISPATCH_LEVEL, DISPATCH_LEVEL);
        IRQL_CALL(DpcOnly)();
    }
    {
        IRQL_CONTEXT(PASSIVE_LEVEL, DISPATCH_LEVEL); /* the same range: not a widening */
    }
}

/* Unannotated code narrows its default [PASSIVE_LEVEL, HIGH_LEVEL] the same way. */
VOID Unannotated(VOID)
{
    if (KeGetCurrentIrql() == PASSIVE_LEVEL) {
        IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
        IRQL_CALL(PassiveOnly)();
    }
    {
        IRQL_CONTEXT(PASSIVE_LEVEL, HIGH_LEVEL);
    }
}
