/* Harness self-test, run as a fail case: the expected text appears only in the source and in
   notes, never in the error line, so it must not count. */
// expect: the caller may run above
// harness: the error does not say .the caller may run above.
#include <irql/irql.h>

static const char *Text = "the caller may run above";

VOID Broken(VOID)
{
    (void)Text;
    undeclared_function_here();
}
