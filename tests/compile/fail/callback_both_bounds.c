/* A completion routine may run anywhere from PASSIVE to DISPATCH: an APC-only routine covers
   neither end. */
// expect: IRQL violation
// expect: IRQL_CALLBACK(ApcOnly): it may be run below ApcOnly
// expect: minimum and above its maximum IRQL
#include <irql/irql.h>

typedef VOID COMPLETION_ROUTINE(PVOID Context);

IRQL_AT(ApcOnly, APC_LEVEL)
VOID ApcOnly(PVOID Context);

COMPLETION_ROUTINE *Setup(VOID)
{
    return IRQL_CALLBACK(ApcOnly, PASSIVE_LEVEL, DISPATCH_LEVEL);
}
