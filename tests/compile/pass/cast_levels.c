/* Levels written as casts and unsigned constants, as WDK code often does: no warning anywhere,
   not even -Wtype-limits on the range checks (a KIRQL is unsigned). */
// flags: -Wtype-limits -Wsign-compare -Wconversion -Wsign-conversion
#include <irql/irql.h>

IRQL_MAX(UpToDispatch, (KIRQL)2)
VOID UpToDispatch(VOID);

IRQL_RANGE(Device, (KIRQL)3, (UCHAR)12)
VOID Device(VOID);

IRQL_AT(AtPassive, (KIRQL)PASSIVE_LEVEL)
VOID AtPassive(VOID);

IRQL_RANGE(Unsigned, 0u, 2U)
VOID Unsigned(VOID);

IRQL_RANGE(Wide, (ULONG)0, (ULONG_PTR)HIGH_LEVEL)
VOID Wide(VOID);

IRQL_FN_TYPE(PFN, (KIRQL)1, (KIRQL)2, VOID, (VOID));
static PFN Bound = IRQL_FN_INIT(PFN, UpToDispatch);

IRQL_AT(Passive, (KIRQL)0)
VOID Passive(VOID)
{
    IRQL_ENTER(Passive);
    IRQL_CALL(AtPassive)();
    IRQL_CALL(Unsigned)();
    IRQL_CALL(Wide)();
    {
        IRQL_CONTEXT((KIRQL)0, (KIRQL)0);
        IRQL_CALL(UpToDispatch)();
    }
    IRQL_RAISE((KIRQL)1) {
        IRQL_CALL_FN(Bound)();
        IRQL_RAISE((KIRQL)DISPATCH_LEVEL) {
            IRQL_CALL(UpToDispatch)();
            IRQL_RAISE((UCHAR)12) {
                IRQL_CALL(Device)();
            }
        }
    }
    VOID (*Cb)(VOID) = IRQL_CALLBACK(UpToDispatch, (KIRQL)0, (KIRQL)2);
    Cb();
}
