#include "thread.h"

#include <sys/syscall.h>
#include <unistd.h>

__thread IRQLP_THREAD IrqlpHostThread;

_Static_assert(offsetof(IRQLP_THREAD, Pcr) == 0,
               "<wdm/irql.h> reads the IRQL_HOST_PCR at the start of the thread-local");

ULONG IrqlpThreadOsId(void)
{
    return (ULONG)syscall(SYS_gettid);
}
