/*
 * Critical and guarded regions: how a thread turns APC delivery off without raising the IRQL.
 *
 * A critical region (KeEnterCriticalRegion) disables normal kernel APCs and user APCs; a
 * guarded region (KeEnterGuardedRegion) disables all APCs, special kernel APCs included. Both
 * nest, both are per thread, and each enter must be matched by a leave on the same thread
 * ("Critical Regions and Guarded Regions", learn.microsoft.com .../kernel/). The host kernel
 * keeps the counts the KTHREAD keeps (a held KMUTEX also counts as a critical region) and
 * bug-checks misuse the way Driver Verifier does:
 *
 *   KeEnterCriticalRegion above APC_LEVEL          0xC4/0x11A (P2 the IRQL)
 *   KeLeaveCriticalRegion above APC_LEVEL          0xC4/0x11B (P2 the IRQL)
 *   KeLeaveCriticalRegion outside a region         0xC4/0x3E
 *   KeEnter/LeaveGuardedRegion above APC_LEVEL     0xC4/0x20010 (DDI rule IrqlKeApcLte2)
 *   KeLeaveGuardedRegion outside a guarded region  0xC4/0x4000E (DDI rule GuardedRegions)
 *
 * For the DDI-rule codes P2 points to a text naming the rule, as the real verifier's does.
 */
#ifndef IRQL_HOST_WDM_REGION_H
#define IRQL_HOST_WDM_REGION_H

IRQL_HOST_BEGIN_DECLS

/* Enter a critical region: normal kernel APCs stay off until the matching leave. */
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI VOID KeEnterCriticalRegion(VOID);

/* Leave the innermost critical region entered by KeEnterCriticalRegion. */
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI VOID KeLeaveCriticalRegion(VOID);

/* Enter a guarded region: every APC stays off until the matching leave. */
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI VOID KeEnterGuardedRegion(VOID);

/* Leave the innermost guarded region; APCs return when the outermost one is left. */
_IRQL_requires_max_(APC_LEVEL)
NTKERNELAPI VOID KeLeaveGuardedRegion(VOID);

/*
 * TRUE if the calling thread is inside a critical region (or holds a KMUTEX, which counts as
 * one) or a guarded region. Like the kernel's, it does not look at the IRQL.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI BOOLEAN KeAreApcsDisabled(VOID);

/* TRUE if the calling thread is inside a guarded region or runs at APC_LEVEL or above. */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI BOOLEAN KeAreAllApcsDisabled(VOID);

IRQL_HOST_END_DECLS

#endif
