/* irql/ddi.h: an ISR declared by its role runs at a DIRQL; calling it from PASSIVE code breaks
   its minimum. */
// expect: IRQL violation
// expect: IRQL_CALL(OnInterrupt)
// expect: below OnInterrupt
// expect: minimum IRQL
#include <irql/ddi.h>

IRQL_ROLE(OnInterrupt, KSERVICE_ROUTINE)
BOOLEAN OnInterrupt(PVOID Interrupt, PVOID Context);

IRQL_ROLE(Unload, DRIVER_UNLOAD)
VOID Unload(PVOID Context)
{
    IRQL_ENTER(Unload);
    (void)IRQL_CALL(OnInterrupt)(NULL, Context);
}
