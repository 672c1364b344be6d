/* IRQL_GUARDED_MUTEX: the APC_LEVEL mutex template (lock_apc_mutex.h) over KGUARDED_MUTEX. */
#include "lock_apc_mutex.h"

IRQLP_DEFINE_APC_MUTEX(IRQL__KIND_GUARDED_MUTEX, IRQL_GUARDED_MUTEX, GuardedMutex, guarded_mutex,
                       IRQLP_SIGNATURE_GUARDED_MUTEX, KeInitializeGuardedMutex,
                       KeAcquireGuardedMutex, KeTryToAcquireGuardedMutex, KeReleaseGuardedMutex)
