/* C++: a raise in unannotated code. */
// expect: IRQL violation
// expect: IRQL_RAISE(DISPATCH_LEVEL) in code without an IRQL contract
#include <irql/irql.h>

void Unannotated()
{
    IRQL_RAISE(DISPATCH_LEVEL) {
    }
}
