/* Harness self-test, run as a pass case: an unused variable is a warning, and a pass case must
   compile without any. */
#include <irql/irql.h>
// harness: a pass case did not compile cleanly

VOID Warns(VOID)
{
    int Unused;
}
