/* Harness self-test, run as a fail case: the error is the wrong one (a plain type error), so
   the expected text is missing. */
// expect: IRQL violation
// harness: the error does not say .IRQL violation.
#include <irql/irql.h>

VOID Broken(VOID)
{
    int *Pointer = 1.5;
    (void)Pointer;
}
