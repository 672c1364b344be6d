/* irql/ddi.h: IRQL_KeSynchronizeExecution's own contract is <= DISPATCH_LEVEL; an ISR (a DIRQL)
   calling it is rejected, naming the helper. */
// expect: IRQL violation
// expect: IRQL_KeSynchronizeExecution: the caller may run above IRQL_KeSynchronizeExecution
// expect: maximum IRQL
// host-only: declares a routine the host kernel lacks, with a prototype the DDK contradicts
#include <irql/ddi.h>

typedef struct _KINTERRUPT *PKINTERRUPT;
typedef BOOLEAN KSYNCHRONIZE_ROUTINE(PVOID SynchronizeContext);
typedef KSYNCHRONIZE_ROUTINE *PKSYNCHRONIZE_ROUTINE;
NTKERNELAPI BOOLEAN KeSynchronizeExecution(PKINTERRUPT Interrupt,
                                           PKSYNCHRONIZE_ROUTINE SynchronizeRoutine,
                                           PVOID SynchronizeContext);

static PKINTERRUPT Other;

IRQL_ROLE(UpdateCounters, KSYNCHRONIZE_ROUTINE)
KSYNCHRONIZE_ROUTINE UpdateCounters;

IRQL_ROLE(OnInterrupt, KSERVICE_ROUTINE)
BOOLEAN OnInterrupt(PKINTERRUPT Interrupt, PVOID Context)
{
    IRQL_ENTER(OnInterrupt);
    (void)Interrupt;
    return IRQL_KeSynchronizeExecution(Other, UpdateCounters, Context);
}
