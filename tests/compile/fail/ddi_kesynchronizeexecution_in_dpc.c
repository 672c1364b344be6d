/* irql/ddi.h: KeSynchronizeExecution may be called at <= the interrupt's SynchronizeIrql, which
   is PASSIVE_LEVEL for a passive-level interrupt, so the routine itself is = PASSIVE_LEVEL: a
   raw call from a DPC is rejected (IRQL_KeSynchronizeExecution, for device-IRQL interrupts, is
   not). */
// expect: IRQL violation
// expect: IRQL_CALL(KeSynchronizeExecution)
// expect: above KeSynchronizeExecution
// expect: maximum IRQL
// host-only: declares a routine the host kernel lacks, with a prototype the DDK contradicts
#include <irql/ddi.h>

typedef struct _KINTERRUPT *PKINTERRUPT;
typedef BOOLEAN KSYNCHRONIZE_ROUTINE(PVOID SynchronizeContext);
typedef KSYNCHRONIZE_ROUTINE *PKSYNCHRONIZE_ROUTINE;
NTKERNELAPI BOOLEAN KeSynchronizeExecution(PKINTERRUPT Interrupt,
                                           PKSYNCHRONIZE_ROUTINE SynchronizeRoutine,
                                           PVOID SynchronizeContext);

IRQL_ROLE(UpdateCounters, KSYNCHRONIZE_ROUTINE)
KSYNCHRONIZE_ROUTINE UpdateCounters;

IRQL_ROLE(OnDpc, KDEFERRED_ROUTINE)
VOID OnDpc(PKINTERRUPT Interrupt)
{
    IRQL_ENTER(OnDpc);
    (void)IRQL_KeSynchronizeExecution(Interrupt, UpdateCounters, NULL); /* fine */
    (void)IRQL_CALL(KeSynchronizeExecution)(Interrupt, UpdateCounters, NULL);
}
