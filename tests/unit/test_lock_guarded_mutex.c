/* IRQL_GUARDED_MUTEX: the common lock suite, and what is particular to a guarded mutex. */
#define SUITE guarded_mutex
#define SUITE_LOCK IRQL_GUARDED_MUTEX
#define SUITE_API(Routine) IrqlGuardedMutex##Routine
#include "apc_mutex_suite.h"
