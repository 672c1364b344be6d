/* Tag 0 is not a tag. */
// expect: IRQL violation
// expect: IRQL_BOX_NEW(&Box, 0)
// expect: invalid pool tag
#include <irql/pool.h>

IRQL_MAX(Make, PASSIVE_LEVEL)
NTSTATUS Make(VOID)
{
    IRQL_ENTER(Make);
    IRQL_NONPAGED_BOX(ULONG) Box = IRQL_BOX_INIT;
    return IRQL_BOX_NEW(&Box, 0);
}
