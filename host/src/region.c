/*
 * Critical and guarded regions. The counts live in the thread's IRQLP_THREAD, as in the
 * KTHREAD; they are positive here (the kernel counts down from 0), and Driver Verifier's
 * parameters are reported in the kernel's convention (locks.h).
 */
#include "locks.h"

static const char GuardedRegionsRule[] =
    "GuardedRegions: KeEnterGuardedRegion and KeLeaveGuardedRegion must be called in strict "
    "alternation";
static const char IrqlKeApcLte2Rule[] =
    "IrqlKeApcLte2: KeEnter/LeaveGuardedRegion and KeEnter/LeaveCriticalRegion only at IRQL <= "
    "APC_LEVEL";

VOID KeEnterCriticalRegion(VOID)
{
    PIRQLP_THREAD Thread = IrqlpCurrentThread();
    if (Thread->Pcr.Irql > APC_LEVEL) {
        char Now[16];
        IrqlpVerifierStop(IRQLP_DV_ENTER_CRITICAL_REGION_IRQL, Thread->Pcr.Irql, 0, 0,
                          "KeEnterCriticalRegion at %s: allowed only at or below APC_LEVEL",
                          IrqlpLevelText(Thread->Pcr.Irql, Now));
    }
    Thread->KernelApcDisable++;
}

VOID KeLeaveCriticalRegion(VOID)
{
    PIRQLP_THREAD Thread = IrqlpCurrentThread();
    if (Thread->Pcr.Irql > APC_LEVEL) {
        char Now[16];
        IrqlpVerifierStop(IRQLP_DV_LEAVE_CRITICAL_REGION_IRQL, Thread->Pcr.Irql, 0, 0,
                          "KeLeaveCriticalRegion at %s: allowed only at or below APC_LEVEL",
                          IrqlpLevelText(Thread->Pcr.Irql, Now));
    }
    /*
     * The kernel can only see the count, which a held KMUTEX also raises, so a stray leave while
     * a mutex is held goes unnoticed there too; the count never goes negative here.
     */
    if (Thread->KernelApcDisable <= 0) {
        IrqlpVerifierStop(IRQLP_DV_LEAVE_CRITICAL_REGION, 0, 0, 0,
                          "KeLeaveCriticalRegion: the thread is not in a critical region "
                          "(leave without a matching KeEnterCriticalRegion)");
    }
    Thread->KernelApcDisable--;
}

VOID KeEnterGuardedRegion(VOID)
{
    PIRQLP_THREAD Thread = IrqlpCurrentThread();
    if (Thread->Pcr.Irql > APC_LEVEL) {
        char Now[16];
        IrqlpRuleStop(IRQLP_DV_RULE_IRQL_KE_APC_LTE2, IrqlKeApcLte2Rule, NULL,
                      "KeEnterGuardedRegion at %s: allowed only at or below APC_LEVEL",
                      IrqlpLevelText(Thread->Pcr.Irql, Now));
    }
    Thread->SpecialApcDisable++;
}

VOID KeLeaveGuardedRegion(VOID)
{
    PIRQLP_THREAD Thread = IrqlpCurrentThread();
    if (Thread->Pcr.Irql > APC_LEVEL) {
        char Now[16];
        IrqlpRuleStop(IRQLP_DV_RULE_IRQL_KE_APC_LTE2, IrqlKeApcLte2Rule, NULL,
                      "KeLeaveGuardedRegion at %s: allowed only at or below APC_LEVEL",
                      IrqlpLevelText(Thread->Pcr.Irql, Now));
    }
    if (Thread->SpecialApcDisable <= 0) {
        IrqlpRuleStop(IRQLP_DV_RULE_GUARDED_REGIONS, GuardedRegionsRule, NULL,
                      "KeLeaveGuardedRegion: the thread is not in a guarded region (leave "
                      "without a matching KeEnterGuardedRegion)");
    }
    Thread->SpecialApcDisable--;
}

BOOLEAN KeAreApcsDisabled(VOID)
{
    PIRQLP_THREAD Thread = IrqlpCurrentThread();
    if (Thread->Pcr.Irql > DISPATCH_LEVEL) {
        IrqlpWrongIrql("KeAreApcsDisabled", NULL, DISPATCH_LEVEL);
    }
    return Thread->KernelApcDisable > 0 || Thread->SpecialApcDisable > 0;
}

BOOLEAN KeAreAllApcsDisabled(VOID)
{
    PIRQLP_THREAD Thread = IrqlpCurrentThread();
    if (Thread->Pcr.Irql > DISPATCH_LEVEL) {
        IrqlpWrongIrql("KeAreAllApcsDisabled", NULL, DISPATCH_LEVEL);
    }
    return Thread->SpecialApcDisable > 0 || Thread->Pcr.Irql >= APC_LEVEL;
}
