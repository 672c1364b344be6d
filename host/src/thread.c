#include "thread.h"

#include <sys/syscall.h>
#include <unistd.h>

_Thread_local IRQLP_THREAD IrqlpSelf;

ULONG IrqlpThreadOsId(void)
{
    return (ULONG)syscall(SYS_gettid);
}
