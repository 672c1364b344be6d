/* A Type that is not an IRQL_PROTECTED type (its Lock is not one of the irql locks). */
// expect: IRQL violation
// expect: UNPROTECTED_COUNTER is not an IRQL_PROTECTED type
#include <irql/registry.h>

typedef struct {
    KSPIN_LOCK Lock;
    ULONG Data;
} UNPROTECTED_COUNTER;

IRQL_MAX(Setup, PASSIVE_LEVEL)
NTSTATUS Setup(VOID)
{
    IRQL_ENTER(Setup);
    return IRQL_GRT_REGISTER("stats", UNPROTECTED_COUNTER, NULL);
}
