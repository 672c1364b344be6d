/* IRQL_RAISE is one statement: the body of if/else/for/while/do without braces, nestable,
   with break/continue inside, and return/goto out of it. */
#include <irql/irql.h>

IRQL_MAX(UpToDispatch, DISPATCH_LEVEL)
ULONG UpToDispatch(VOID);

IRQL_MAX(Worker, PASSIVE_LEVEL)
ULONG Worker(ULONG N)
{
    IRQL_ENTER(Worker);
    ULONG Count = 0;
    for (ULONG i = 0; i < N; i++)
        IRQL_RAISE(DISPATCH_LEVEL)
            Count += IRQL_CALL(UpToDispatch)();
    if (N > 1)
        IRQL_RAISE(APC_LEVEL)
            IRQL_RAISE(DISPATCH_LEVEL)
                Count++;
    else
        Count = 0;
    while (Count > 100)
        IRQL_RAISE(DISPATCH_LEVEL) {
            Count /= 2;
            if (Count % 2 == 0)
                break;
            continue;
        }
    do
        IRQL_RAISE(DISPATCH_LEVEL) Count++;
    while (Count < 3);
    IRQL_RAISE(DISPATCH_LEVEL) {
        if (Count == 7)
            return Count;
        if (Count == 8)
            goto out;
    }
out:
    return Count;
}
