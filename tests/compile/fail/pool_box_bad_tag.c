/* A constant pool tag that is not 1-4 printable characters. */
// expect: IRQL violation
// expect: IRQL_BOX_NEW(&Box, 0x01020304)
// expect: invalid pool tag
#include <irql/pool.h>

IRQL_MAX(Make, PASSIVE_LEVEL)
NTSTATUS Make(VOID)
{
    IRQL_ENTER(Make);
    IRQL_NONPAGED_BOX(ULONG) Box = IRQL_BOX_INIT;
    return IRQL_BOX_NEW(&Box, 0x01020304);
}
