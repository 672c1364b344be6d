/* irql/ddi.h: a completion routine may run anywhere from PASSIVE_LEVEL to DISPATCH_LEVEL; one
   declared for DISPATCH_LEVEL only is rejected by IRQL_AS_ROLE (sound range semantics). */
// expect: IRQL violation
// expect: IRQL_AS_ROLE(OnDone, IO_COMPLETION_ROUTINE)
// expect: below OnDone
// expect: minimum IRQL
#include <irql/ddi.h>

IRQL_AT(OnDone, DISPATCH_LEVEL)
NTSTATUS OnDone(PVOID Device, PVOID Irp, PVOID Context);

typedef NTSTATUS (*COMPLETION)(PVOID, PVOID, PVOID);
static const COMPLETION Table[] = {IRQL_AS_ROLE(OnDone, IO_COMPLETION_ROUTINE)};

COMPLETION First(VOID)
{
    return Table[0];
}
