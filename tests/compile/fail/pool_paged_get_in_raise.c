/* A paged box declared at PASSIVE_LEVEL keeps its pool in its type: touching it inside an
   IRQL_RAISE(DISPATCH_LEVEL) block does not compile. */
// expect: IRQL violation
// expect: IRQL_BOX_GET(&Box)
// expect: cannot touch paged pool
#include <irql/pool.h>

IRQL_MAX(Work, PASSIVE_LEVEL)
VOID Work(VOID)
{
    IRQL_ENTER(Work);
    IRQL_BOX(ULONG) Box = IRQL_BOX_INIT;
    IRQL_RAISE(DISPATCH_LEVEL) {
        *IRQL_BOX_GET(&Box) = 1;
    }
}
