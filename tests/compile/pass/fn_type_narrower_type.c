/* A function may be bound to any type whose range its contract covers: a narrower type is fine,
   and a [PASSIVE, HIGH] function binds to every type. */
#include <irql/irql.h>

IRQL_FN_TYPE(PAPC_FN, APC_LEVEL, APC_LEVEL, VOID, (VOID));
IRQL_FN_TYPE(PHIGH_FN, HIGH_LEVEL, HIGH_LEVEL, VOID, (VOID));
IRQL_FN_TYPE(PANY_FN, PASSIVE_LEVEL, HIGH_LEVEL, VOID, (VOID));

IRQL_MAX(UpToDispatch, DISPATCH_LEVEL)
VOID UpToDispatch(VOID);

IRQL_MAX(Anywhere, HIGH_LEVEL)
VOID Anywhere(VOID);

static PAPC_FN A = IRQL_FN_INIT(PAPC_FN, UpToDispatch);
static PHIGH_FN H = IRQL_FN_INIT(PHIGH_FN, Anywhere);
static PANY_FN Any = IRQL_FN_INIT(PANY_FN, Anywhere);

/* An unannotated caller may call through a full-range type. */
VOID Unannotated(VOID)
{
    IRQL_CALL_FN(Any)();
    IRQL_RAISE(HIGH_LEVEL) {
        IRQL_CALL_FN(H)();
    }
}

IRQL_AT(AtApc, APC_LEVEL)
VOID AtApc(VOID)
{
    IRQL_ENTER(AtApc);
    IRQL_CALL_FN(A)();
    IRQL_CALL_FN(Any)();
}
