/* IRQL_FAST_MUTEX: the common lock suite, and what is particular to a fast mutex. */
#define SUITE fast_mutex
#define SUITE_LOCK IRQL_FAST_MUTEX
#define SUITE_API(Routine) IrqlFastMutex##Routine
#include "apc_mutex_suite.h"
