/* Contracts on static and static inline functions, defined before use without a separate
   prototype, and on a function used only through IRQL_CALLBACK. */
#include <irql/irql.h>

IRQL_MAX(Helper, DISPATCH_LEVEL)
static __inline ULONG Helper(ULONG Value)
{
    IRQL_ENTER(Helper);
    return Value + 1;
}

IRQL_AT(OnDpc, DISPATCH_LEVEL)
static VOID OnDpc(PVOID Context)
{
    IRQL_ENTER(OnDpc);
    *(PULONG)Context = IRQL_CALL(Helper)(*(PULONG)Context);
}

typedef VOID ROUTINE(PVOID Context);

IRQL_AT(Register, PASSIVE_LEVEL)
static ROUTINE *Register(VOID)
{
    IRQL_ENTER(Register);
    return IRQL_CALLBACK(OnDpc, DISPATCH_LEVEL, DISPATCH_LEVEL);
}

IRQL_AT(Entry, PASSIVE_LEVEL)
ULONG Entry(VOID);

ULONG Entry(VOID)
{
    IRQL_ENTER(Entry);
    ULONG Value = 0;
    IRQL_CALL(Register)()(&Value);
    return IRQL_CALL(Helper)(Value);
}
