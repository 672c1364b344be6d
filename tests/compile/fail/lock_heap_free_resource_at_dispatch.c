/* Freeing a resource-protected value deletes the ERESOURCE: APC_LEVEL at most. */
// expect: IRQL violation
// expect: IRQL_PROTECTED_FREE(SHARED_LONG, Value, 0x676E6F4C)
// expect: above APC_LEVEL
// expect: delete an IRQL_RESOURCE
#include <irql/lock.h>

typedef IRQL_PROTECTED(IRQL_RESOURCE, LONG) SHARED_LONG;

IRQL_AT(OnDpc, DISPATCH_LEVEL)
NTSTATUS OnDpc(SHARED_LONG **Value)
{
    IRQL_ENTER(OnDpc);
    return IRQL_PROTECTED_FREE(SHARED_LONG, Value, 0x676E6F4C);
}
