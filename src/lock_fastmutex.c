/* IRQL_FAST_MUTEX: the APC_LEVEL mutex template (lock_apc_mutex.h) over FAST_MUTEX. */
#include "lock_apc_mutex.h"

IRQLP_DEFINE_APC_MUTEX(IRQL__KIND_FAST_MUTEX, IRQL_FAST_MUTEX, FastMutex, fast_mutex,
                       IRQLP_SIGNATURE_FAST_MUTEX, ExInitializeFastMutex, ExAcquireFastMutex,
                       ExTryToAcquireFastMutex, ExReleaseFastMutex)
