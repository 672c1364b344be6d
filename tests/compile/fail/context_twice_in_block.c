/* One context per block (documented): a second IRQL_CONTEXT in the same block, or one beside
   IRQL_ENTER, redeclares the block's context. Not a violation but a usage error, so the text is
   the compiler's own; it names the context variable. Open a new block to narrow further. */
// expect: irql__ctx
#include <irql/irql.h>

IRQL_MAX(Worker, DISPATCH_LEVEL)
VOID Worker(VOID)
{
    IRQL_ENTER(Worker);
    IRQL_CONTEXT(PASSIVE_LEVEL, APC_LEVEL);
}
