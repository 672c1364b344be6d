/* IRQL_CALLBACK: hands a routine to code that will call it at a known level; evaluates to the
   routine itself, so it works as an argument and in static initialisers. */
#include <irql/irql.h>

typedef VOID DEFERRED_ROUTINE(PVOID Context);
typedef DEFERRED_ROUTINE *PDEFERRED_ROUTINE;

typedef struct _DPC_LIKE {
    PDEFERRED_ROUTINE Routine;
    PVOID Context;
} DPC_LIKE;

IRQL_MAX(InitializeDpcLike, HIGH_LEVEL)
VOID InitializeDpcLike(DPC_LIKE *Dpc, PDEFERRED_ROUTINE Routine, PVOID Context);

IRQL_AT(OnDpc, DISPATCH_LEVEL)
VOID OnDpc(PVOID Context);

IRQL_MAX(OnAnything, DISPATCH_LEVEL)
VOID OnAnything(PVOID Context);

IRQL_AT(OnPassive, PASSIVE_LEVEL)
VOID OnPassive(PVOID Context);

/* Static initialisers: file-scope objects, arrays, and a struct member. */
static const PDEFERRED_ROUTINE Routines[] = {
    IRQL_CALLBACK(OnDpc, DISPATCH_LEVEL, DISPATCH_LEVEL),
    IRQL_CALLBACK(OnAnything, PASSIVE_LEVEL, DISPATCH_LEVEL),
    IRQL_CALLBACK(OnPassive, PASSIVE_LEVEL, PASSIVE_LEVEL),
};
static DPC_LIKE StaticDpc = {IRQL_CALLBACK(OnDpc, DISPATCH_LEVEL, DISPATCH_LEVEL), NULL};
PDEFERRED_ROUTINE const WorkItem = IRQL_CALLBACK(OnPassive, PASSIVE_LEVEL, PASSIVE_LEVEL);

IRQL_MAX(Setup, PASSIVE_LEVEL)
SIZE_T Setup(DPC_LIKE *Dpc)
{
    IRQL_ENTER(Setup);
    static PDEFERRED_ROUTINE LocalStatic = IRQL_CALLBACK(OnAnything, APC_LEVEL, APC_LEVEL);
    IRQL_CALL(InitializeDpcLike)(Dpc, IRQL_CALLBACK(OnDpc, DISPATCH_LEVEL, DISPATCH_LEVEL), NULL);
    IRQL_CALL(InitializeDpcLike)(Dpc, IRQL_CALLBACK(OnAnything, (KIRQL)1, (KIRQL)2), NULL);
    PDEFERRED_ROUTINE Local = IRQL_CALLBACK(OnAnything, PASSIVE_LEVEL, PASSIVE_LEVEL);
    Local(Dpc);
    LocalStatic(Dpc);
    Routines[0](Dpc);
    return ARRAYSIZE(Routines) + (StaticDpc.Routine != NULL);
}
