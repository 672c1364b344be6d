/* IRQL_CALL is an expression like a plain call: nested in arguments, conditions, ternaries,
   initialisers, loops, struct returns, and through (ignored) void results. */
#include <irql/irql.h>

typedef struct _PAIR {
    ULONG First;
    ULONG Second;
} PAIR;

IRQL_MAX(Add, HIGH_LEVEL)
ULONG Add(ULONG A, ULONG B);

IRQL_MAX(MakePair, DISPATCH_LEVEL)
PAIR MakePair(ULONG First, ULONG Second);

IRQL_MAX(Ready, DISPATCH_LEVEL)
BOOLEAN Ready(VOID);

IRQL_MAX(Log, DISPATCH_LEVEL)
VOID Log(PCSTR Format, ...);

IRQL_AT(Worker, PASSIVE_LEVEL)
ULONG Worker(ULONG N)
{
    IRQL_ENTER(Worker);
    ULONG Total = IRQL_CALL(Add)(IRQL_CALL(Add)(1, 2), IRQL_CALL(Add)(N, 4));
    while (!IRQL_CALL(Ready)()) {
        Total++;
    }
    for (ULONG i = 0; i < IRQL_CALL(Add)(N, 0); i = IRQL_CALL(Add)(i, 1)) {
        Total = IRQL_CALL(Ready)() ? IRQL_CALL(Add)(Total, i) : Total;
    }
    PAIR Pair = IRQL_CALL(MakePair)(Total, N);
    Total += IRQL_CALL(MakePair)(1, 2).Second;
    IRQL_CALL(Log)("%lu %lu\n", (unsigned long)Pair.First, (unsigned long)Pair.Second);
    (void)IRQL_CALL(Ready)();
    return (IRQL_CALL(Ready)(), Total);
}
