/* IRQL_RAISE: the block runs at [L, L]; raising to the current maximum is not a lowering. */
#include <irql/irql.h>

IRQL_AT(DpcOnly, DISPATCH_LEVEL)
VOID DpcOnly(VOID);

IRQL_MAX(UpToDispatch, DISPATCH_LEVEL)
VOID UpToDispatch(VOID);

IRQL_MAX(Passive, PASSIVE_LEVEL)
VOID Passive(VOID)
{
    IRQL_ENTER(Passive);
    IRQL_RAISE(DISPATCH_LEVEL) {
        IRQL_CALL(DpcOnly)();
        IRQL_CALL(UpToDispatch)();
    }
    IRQL_RAISE(APC_LEVEL) {
        IRQL_CALL(UpToDispatch)();
    }
    IRQL_RAISE(PASSIVE_LEVEL) { /* a raise to the current level is allowed */
        IRQL_CALL(UpToDispatch)();
    }
}

IRQL_RANGE(ApcOrDispatch, APC_LEVEL, DISPATCH_LEVEL)
VOID ApcOrDispatch(VOID)
{
    IRQL_ENTER(ApcOrDispatch);
    IRQL_RAISE(DISPATCH_LEVEL) { /* L equals the current maximum */
        IRQL_CALL(DpcOnly)();
    }
    IRQL_RAISE(HIGH_LEVEL) { /* a body without IRQL_CALL: no unused-variable warning, even */
    }                        /* where the GNU unused attribute is missing (cl) */
}
