/* A KMUTEX scope waits: not at DISPATCH_LEVEL (only IrqlKMutexTryLock may run there). */
// expect: IRQL violation
// expect: IRQL_LOCKED(&Mutex)
// expect: above APC_LEVEL
// expect: acquire an IRQL_KMUTEX
#include <irql/lock.h>

static IRQL_KMUTEX Mutex;

IRQL_AT(OnDpc, DISPATCH_LEVEL)
VOID OnDpc(PULONG Count)
{
    IRQL_ENTER(OnDpc);
    IRQL_LOCKED(&Mutex) {
        (*Count)++;
    }
}
