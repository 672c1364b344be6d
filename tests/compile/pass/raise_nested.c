/* Nested raise blocks: each inner block runs at its own level, the outer range comes back after. */
#include <irql/irql.h>

IRQL_AT(ApcOnly, APC_LEVEL)
VOID ApcOnly(VOID);

IRQL_AT(DpcOnly, DISPATCH_LEVEL)
VOID DpcOnly(VOID);

IRQL_AT(HighOnly, HIGH_LEVEL)
VOID HighOnly(VOID);

IRQL_AT(PassiveOnly, PASSIVE_LEVEL)
VOID PassiveOnly(VOID);

IRQL_AT(Worker, PASSIVE_LEVEL)
VOID Worker(VOID)
{
    IRQL_ENTER(Worker);
    IRQL_RAISE(APC_LEVEL) {
        IRQL_CALL(ApcOnly)();
        IRQL_RAISE(DISPATCH_LEVEL) {
            IRQL_CALL(DpcOnly)();
            IRQL_RAISE(HIGH_LEVEL) {
                IRQL_CALL(HighOnly)();
            }
            IRQL_CALL(DpcOnly)();
            IRQL_RAISE(DISPATCH_LEVEL) {
                IRQL_CALL(DpcOnly)();
            }
        }
        IRQL_CALL(ApcOnly)();
    }
    IRQL_CALL(PassiveOnly)();
}
