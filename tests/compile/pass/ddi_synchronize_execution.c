/* irql/ddi.h: IRQL_KeSynchronizeExecution from a DPC (its own contract, <= DISPATCH_LEVEL) with
   a KSYNCHRONIZE_ROUTINE, and the raw routine with a PASSIVE_LEVEL routine for a passive-level
   interrupt. The host has no interrupt objects: the WDK declarations are repeated here and the
   case only compiles. */
// host-only: declares KINTERRUPT and KeSynchronizeExecution, which the host kernel lacks and the DDK declares
#include <irql/ddi.h>

typedef struct _KINTERRUPT *PKINTERRUPT;
typedef BOOLEAN KSYNCHRONIZE_ROUTINE(PVOID SynchronizeContext);
typedef KSYNCHRONIZE_ROUTINE *PKSYNCHRONIZE_ROUTINE;
NTKERNELAPI BOOLEAN KeSynchronizeExecution(PKINTERRUPT Interrupt,
                                           PKSYNCHRONIZE_ROUTINE SynchronizeRoutine,
                                           PVOID SynchronizeContext);

static PKINTERRUPT Interrupt;
static ULONG Shared;

IRQL_ROLE(TouchRegisters, KSYNCHRONIZE_ROUTINE)
KSYNCHRONIZE_ROUTINE TouchRegisters;

/* For a passive-level interrupt (Windows 8+): the routine runs at PASSIVE_LEVEL. */
IRQL_AT(TouchAtPassive, PASSIVE_LEVEL)
KSYNCHRONIZE_ROUTINE TouchAtPassive;

BOOLEAN TouchRegisters(PVOID Context)
{
    IRQL_ENTER(TouchRegisters);
    IRQL_CALL(IrqlRtlZeroMemoryNonPaged)(Context, sizeof(ULONG));
    return TRUE;
}

BOOLEAN TouchAtPassive(PVOID Context)
{
    IRQL_ENTER(TouchAtPassive);
    (void)Context;
    return TRUE;
}

IRQL_ROLE(OnSyncDpc, KDEFERRED_ROUTINE)
KDEFERRED_ROUTINE OnSyncDpc;

VOID OnSyncDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    IRQL_ENTER(OnSyncDpc);
    (void)Dpc, (void)Context, (void)Arg1, (void)Arg2;
    (void)IRQL_KeSynchronizeExecution(Interrupt, TouchRegisters, &Shared);
}

IRQL_ROLE(SyncAtPassive, DRIVER_DISPATCH_PAGED)
BOOLEAN SyncAtPassive(VOID)
{
    IRQL_ENTER(SyncAtPassive);
    return IRQL_KeSynchronizeExecution(Interrupt, TouchRegisters, &Shared) &&
           IRQL_CALL(KeSynchronizeExecution)(
               Interrupt, IRQL_CALLBACK(TouchAtPassive, PASSIVE_LEVEL, PASSIVE_LEVEL), NULL);
}
