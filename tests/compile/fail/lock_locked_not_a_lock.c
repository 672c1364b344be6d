/* IRQL_LOCKED takes a pointer to an irql lock, not to the kernel object inside one. */
// expect: IRQL violation
// expect: IRQL_LOCKED(&Mutex)
// expect: not an irql lock
#include <irql/lock.h>

static FAST_MUTEX Mutex;

IRQL_MAX(Helper, PASSIVE_LEVEL)
VOID Helper(PULONG Count)
{
    IRQL_ENTER(Helper);
    IRQL_LOCKED(&Mutex) {
        (*Count)++;
    }
}
