/* irql/ddi.h: a SynchCritSection routine runs at the interrupt's DIRQL; one whose contract stops
   at DISPATCH_LEVEL is rejected by IRQL_KeSynchronizeExecution. (The host has no interrupt
   objects: the WDK declarations are repeated here.) */
// expect: IRQL violation
// expect: IRQL_AS_ROLE(UpdateCounters, KSYNCHRONIZE_ROUTINE)
// expect: above UpdateCounters
// expect: maximum IRQL
// host-only: declares a routine the host kernel lacks, with a prototype the DDK contradicts
#include <irql/ddi.h>

typedef struct _KINTERRUPT *PKINTERRUPT;
typedef BOOLEAN KSYNCHRONIZE_ROUTINE(PVOID SynchronizeContext);
typedef KSYNCHRONIZE_ROUTINE *PKSYNCHRONIZE_ROUTINE;
NTKERNELAPI BOOLEAN KeSynchronizeExecution(PKINTERRUPT Interrupt,
                                           PKSYNCHRONIZE_ROUTINE SynchronizeRoutine,
                                           PVOID SynchronizeContext);

IRQL_MAX(UpdateCounters, DISPATCH_LEVEL)
BOOLEAN UpdateCounters(PVOID Context);

IRQL_ROLE(OnDpc, KDEFERRED_ROUTINE)
VOID OnDpc(PKINTERRUPT Interrupt)
{
    IRQL_ENTER(OnDpc);
    (void)IRQL_KeSynchronizeExecution(Interrupt, UpdateCounters, NULL);
}
