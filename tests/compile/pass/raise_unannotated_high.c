/* Unannotated code may raise only to HIGH_LEVEL: nothing it may run at is above it. */
#include <irql/irql.h>

IRQL_AT(HighOnly, HIGH_LEVEL)
VOID HighOnly(VOID);

IRQL_MAX(Anywhere, HIGH_LEVEL)
VOID Anywhere(VOID);

VOID Unannotated(VOID)
{
    IRQL_RAISE(HIGH_LEVEL) {
        IRQL_CALL(HighOnly)();
        IRQL_CALL(Anywhere)();
    }
    /* and after narrowing with IRQL_CONTEXT, to anything at or above the new maximum */
    if (KeGetCurrentIrql() <= APC_LEVEL) {
        IRQL_CONTEXT(PASSIVE_LEVEL, APC_LEVEL);
        IRQL_RAISE(DISPATCH_LEVEL) {
            IRQL_CALL(Anywhere)();
        }
    }
}
