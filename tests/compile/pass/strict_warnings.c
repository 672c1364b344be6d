/* Drivers often build with more warnings than -Wall -Wextra: the macros stay silent under the
   usual strict set (conversion, prototypes, undef, casts, redundant declarations). */
// flags: -Wconversion -Wsign-conversion -Wundef -Wcast-qual -Wcast-align -Wstrict-prototypes
// flags: -Wmissing-prototypes -Wredundant-decls -Wold-style-definition -Wswitch-default
// flags: -Wmissing-declarations -Wunused -Wvla -Wdouble-promotion -Wformat=2
#include <irql/irql.h>

IRQL_MAX(UpToDispatch, DISPATCH_LEVEL)
ULONG UpToDispatch(ULONG Value);

IRQL_FN_TYPE(PFN, PASSIVE_LEVEL, DISPATCH_LEVEL, ULONG, (ULONG Value));

typedef VOID ROUTINE(VOID);

IRQL_AT(OnDpc, DISPATCH_LEVEL)
VOID OnDpc(VOID);

static PFN Bound = IRQL_FN_INIT(PFN, UpToDispatch);
static ROUTINE *const Cb = IRQL_CALLBACK(OnDpc, DISPATCH_LEVEL, DISPATCH_LEVEL);

IRQL_AT(Worker, PASSIVE_LEVEL)
ULONG Worker(ULONG Value);

IRQL_AT(Worker, PASSIVE_LEVEL)
ULONG Worker(ULONG Value)
{
    IRQL_ENTER(Worker);
    ULONG Sum = IRQL_CALL(UpToDispatch)(Value);
    if (KeGetCurrentIrql() == PASSIVE_LEVEL) {
        IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
        Sum += IRQL_CALL_FN(Bound)(Value);
    }
    IRQL_RAISE(DISPATCH_LEVEL) {
        Sum += IRQL_CALL(UpToDispatch)(Sum);
        IRQL_RAISE(HIGH_LEVEL) {
            Sum++;
        }
    }
    Cb();
    return Sum;
}
