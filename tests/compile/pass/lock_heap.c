/* The heap form: IRQL_PROTECTED_NEW up to DISPATCH_LEVEL, IRQL_PROTECTED_INTO_INNER and
   IRQL_PROTECTED_FREE up to DISPATCH_LEVEL (APC_LEVEL for a resource-protected type). */
#include <irql/lock.h>

#define TAG 0x70616548UL /* 'paeH' */

typedef struct _QUEUE {
    PVOID Head;
    ULONG Depth;
} QUEUE;

typedef IRQL_PROTECTED(IRQL_SPIN_LOCK, QUEUE) PROTECTED_QUEUE, *PPROTECTED_QUEUE;
typedef IRQL_PROTECTED(IRQL_RESOURCE, QUEUE) SHARED_QUEUE, *PSHARED_QUEUE;

IRQL_AT(OnDpc, DISPATCH_LEVEL)
NTSTATUS OnDpc(PPROTECTED_QUEUE *Queue)
{
    IRQL_ENTER(OnDpc);
    QUEUE Initial = {NULL, 0};
    QUEUE Final;
    NTSTATUS Status = IRQL_PROTECTED_NEW(PROTECTED_QUEUE, Queue, &Initial, TAG);
    if (NT_SUCCESS(Status)) {
        Status = IRQL_PROTECTED_INTO_INNER(PROTECTED_QUEUE, Queue, &Final, TAG);
    }
    if (NT_SUCCESS(Status)) {
        Status = IRQL_PROTECTED_NEW(PROTECTED_QUEUE, Queue, NULL, TAG);
    }
    if (NT_SUCCESS(Status)) {
        Status = IRQL_PROTECTED_FREE(PROTECTED_QUEUE, Queue, TAG);
    }
    return Status;
}

IRQL_MAX(Passive, APC_LEVEL)
NTSTATUS Passive(VOID)
{
    IRQL_ENTER(Passive);
    PSHARED_QUEUE Shared = NULL;
    const QUEUE Initial = {NULL, 1};
    NTSTATUS Status = IRQL_PROTECTED_NEW(SHARED_QUEUE, &Shared, &Initial, TAG);
    if (NT_SUCCESS(Status)) {
        IRQL_WITH_SHARED_T(Shared, QUEUE, Q) {
            (VOID)Q->Depth;
        }
        Status = IRQL_PROTECTED_FREE(SHARED_QUEUE, &Shared, TAG);
    }
    return Status;
}
