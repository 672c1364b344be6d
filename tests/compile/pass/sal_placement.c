/* Under PREfast the contracts also emit SAL. The host headers define SAL as nothing; here the
   IRQL annotations become real attributes, so a SAL that landed anywhere but in the
   declaration's specifiers would not compile. */
// defines: _PREFAST_
#include <irql/irql.h>

#undef _IRQL_requires_
#undef _IRQL_requires_max_
#undef _IRQL_requires_min_
#if defined(_MSC_VER)
#define IRQL_TEST_SAL __declspec(noinline)
#else
#define IRQL_TEST_SAL __attribute__((noinline))
#endif
#define _IRQL_requires_(L) IRQL_TEST_SAL
#define _IRQL_requires_max_(L) IRQL_TEST_SAL
#define _IRQL_requires_min_(L) IRQL_TEST_SAL

IRQL_MAX(UpToDispatch, DISPATCH_LEVEL)
VOID UpToDispatch(VOID);

IRQL_AT(OnDpc, DISPATCH_LEVEL)
VOID OnDpc(VOID);

IRQL_RANGE(Device, 3, 12)
VOID Device(VOID);

IRQL_AT(OnDpc, DISPATCH_LEVEL)
VOID OnDpc(VOID)
{
    IRQL_ENTER(OnDpc);
    IRQL_CALL(UpToDispatch)();
    IRQL_RAISE(12) {
        IRQL_CALL(Device)();
    }
}

IRQL_MAX(StaticToo, PASSIVE_LEVEL)
static VOID StaticToo(VOID)
{
    IRQL_ENTER(StaticToo);
}

VOID Unannotated(VOID)
{
    StaticToo();
}
