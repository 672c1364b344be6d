/* Per-thread IRQL: KeGetCurrentIrql, KfRaiseIrql, KeLowerIrql, KeRaiseIrqlToDpcLevel. */
#include "bugcheck.h"
#include "pool.h"
#include "thread.h"

#include <irql/host.h>

/* The exported copy of the inline routine (<wdm/irql.h>; it stays an inline function for
   clang, so only names with external linkage here). */
KIRQL KeGetCurrentIrql(VOID)
{
    return IRQLP_HOST_PCR()->Irql;
}

static DECLSPEC_NORETURN void RaiseToLower(const char *Routine, KIRQL Current, KIRQL New)
{
    char a[16], b[16];
    IrqlpVerifierStop(0x30, Current, New, 0, "%s(%s) while at %s: a raise may not lower the IRQL",
                      Routine, IrqlpLevelText(New, a), IrqlpLevelText(Current, b));
}

KIRQL KfRaiseIrql(KIRQL NewIrql)
{
    PIRQLP_THREAD Thread = IrqlpCurrentThread();
    KIRQL Old = Thread->Pcr.Irql;
    if (NewIrql < Old || NewIrql > HIGH_LEVEL) {
        RaiseToLower("KeRaiseIrql", Old, NewIrql);
    }
    Thread->Pcr.Irql = NewIrql;
    /* Crossing into DISPATCH_LEVEL trims the paged pool (Driver Verifier's Force IRQL
       checking): one predictable branch when nothing is resident or nothing is crossed. */
    IrqlpPoolOnRaise(Old, NewIrql);
    return Old;
}

KIRQL KeRaiseIrqlToDpcLevel(VOID)
{
    PIRQLP_THREAD Thread = IrqlpCurrentThread();
    KIRQL Old = Thread->Pcr.Irql;
    if (Old > DISPATCH_LEVEL) {
        RaiseToLower("KeRaiseIrqlToDpcLevel", Old, DISPATCH_LEVEL);
    }
    Thread->Pcr.Irql = DISPATCH_LEVEL;
    IrqlpPoolOnRaise(Old, DISPATCH_LEVEL);
    return Old;
}

VOID KeLowerIrql(KIRQL NewIrql)
{
    PIRQLP_THREAD Thread = IrqlpCurrentThread();
    KIRQL Old = Thread->Pcr.Irql;
    if (NewIrql > Old) {
        char a[16], b[16];
        IrqlpVerifierStop(0x31, Old, NewIrql, 0,
                          "KeLowerIrql(%s) while at %s: a lower may not raise the IRQL",
                          IrqlpLevelText(NewIrql, a), IrqlpLevelText(Old, b));
    }
    Thread->Pcr.Irql = NewIrql;
}

VOID IrqlHostRunAtIrql(KIRQL Irql, PIRQL_HOST_ROUTINE Routine, PVOID Context)
{
    KIRQL Old;
    KeRaiseIrql(Irql, &Old);
    Routine(Context);
    KeLowerIrql(Old);
}
