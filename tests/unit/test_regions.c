/* Critical and guarded regions: nesting, the APC queries, and every documented misuse. */
#include "lock_helpers.h"

#include <string.h>

Test(regions, critical_region_nests_and_disables_normal_apcs)
{
    cr_assert_not(KeAreApcsDisabled());
    KeEnterCriticalRegion();
    cr_assert(KeAreApcsDisabled());
    cr_assert_not(KeAreAllApcsDisabled(), "a critical region leaves special kernel APCs on");
    KeEnterCriticalRegion();
    KeLeaveCriticalRegion();
    cr_assert(KeAreApcsDisabled(), "still inside the outer region");
    KeLeaveCriticalRegion();
    cr_assert_not(KeAreApcsDisabled());
}

Test(regions, guarded_region_nests_and_disables_all_apcs)
{
    cr_assert_not(KeAreAllApcsDisabled());
    KeEnterGuardedRegion();
    cr_assert(KeAreAllApcsDisabled());
    cr_assert(KeAreApcsDisabled());
    KeEnterGuardedRegion();
    KeLeaveGuardedRegion();
    cr_assert(KeAreAllApcsDisabled());
    KeLeaveGuardedRegion();
    cr_assert_not(KeAreAllApcsDisabled());
    cr_assert_not(KeAreApcsDisabled());
}

Test(regions, apc_level_disables_all_apcs_but_is_not_a_region)
{
    KIRQL Old;
    KeRaiseIrql(APC_LEVEL, &Old);
    cr_assert(KeAreAllApcsDisabled());
    cr_assert_not(KeAreApcsDisabled(), "KeAreApcsDisabled looks at regions only");
    KeEnterCriticalRegion(); /* allowed at APC_LEVEL */
    cr_assert(KeAreApcsDisabled());
    KeLeaveCriticalRegion();
    KeLowerIrql(Old);
}

static void *RegionInThread(void *Arg)
{
    (void)Arg;
    return (void *)(ULONG_PTR)KeAreApcsDisabled();
}

Test(regions, regions_are_per_thread)
{
    pthread_t T;
    void *Seen;
    KeEnterCriticalRegion();
    cr_assert_eq(pthread_create(&T, NULL, RegionInThread, NULL), 0);
    cr_assert_eq(pthread_join(T, &Seen), 0);
    cr_assert_eq((ULONG_PTR)Seen, FALSE);
    KeLeaveCriticalRegion();
}

static void LeaveCriticalWithoutEnter(PVOID Context)
{
    (void)Context;
    KeLeaveCriticalRegion();
}

Test(regions, leave_critical_region_without_enter_bugchecks_c4_3e)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(LeaveCriticalWithoutEnter, NULL,
                                          DRIVER_VERIFIER_DETECTED_VIOLATION, 0x3E);
    cr_assert_eq(R.Parameter[1], 0);
    cr_assert(strstr(R.Message, "KeLeaveCriticalRegion") != NULL, "%s", R.Message);
    cr_assert_not(KeAreApcsDisabled(), "the count did not go negative");
}

static void EnterCriticalAtDispatch(PVOID Context)
{
    (void)Context;
    KIRQL Old;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    KeEnterCriticalRegion();
}

Test(regions, enter_critical_region_above_apc_bugchecks_c4_11a)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(EnterCriticalAtDispatch, NULL,
                                          DRIVER_VERIFIER_DETECTED_VIOLATION, 0x11A);
    cr_assert_eq(R.Parameter[1], DISPATCH_LEVEL, "P2 is the IRQL");
}

static void LeaveCriticalAtDispatch(PVOID Context)
{
    (void)Context;
    KIRQL Old;
    KeEnterCriticalRegion();
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    KeLeaveCriticalRegion();
}

Test(regions, leave_critical_region_above_apc_bugchecks_c4_11b)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(LeaveCriticalAtDispatch, NULL,
                                          DRIVER_VERIFIER_DETECTED_VIOLATION, 0x11B);
    cr_assert_eq(R.Parameter[1], DISPATCH_LEVEL);
}

static void LeaveGuardedWithoutEnter(PVOID Context)
{
    (void)Context;
    KeLeaveGuardedRegion();
}

Test(regions, leave_guarded_region_without_enter_bugchecks_c4_4000e)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(LeaveGuardedWithoutEnter, NULL,
                                          DRIVER_VERIFIER_DETECTED_VIOLATION, 0x4000E);
    cr_assert(strstr((const char *)R.Parameter[1], "GuardedRegions") != NULL,
              "P2 points to the rule's text");
}

static void EnterGuardedAtDispatch(PVOID Context)
{
    (void)Context;
    KIRQL Old;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    KeEnterGuardedRegion();
}

Test(regions, enter_guarded_region_above_apc_bugchecks_c4_20010)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(EnterGuardedAtDispatch, NULL,
                                          DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20010);
    cr_assert(strstr((const char *)R.Parameter[1], "IrqlKeApcLte2") != NULL);
}

static void LeaveGuardedAtDispatch(PVOID Context)
{
    (void)Context;
    KIRQL Old;
    KeEnterGuardedRegion();
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    KeLeaveGuardedRegion();
}

Test(regions, leave_guarded_region_above_apc_bugchecks_c4_20010)
{
    ExpectBugCheck(LeaveGuardedAtDispatch, NULL, DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20010);
}

static void QueryAboveDispatch(PVOID Context)
{
    KIRQL Old;
    KeRaiseIrql(HIGH_LEVEL, &Old);
    if (Context != NULL) {
        (void)KeAreAllApcsDisabled();
    } else {
        (void)KeAreApcsDisabled();
    }
}

Test(regions, apc_queries_above_dispatch_bugcheck_c4_e5)
{
    IRQL_HOST_BUGCHECK R =
        ExpectBugCheck(QueryAboveDispatch, NULL, DRIVER_VERIFIER_DETECTED_VIOLATION, 0xE5);
    cr_assert_eq(R.Parameter[1], HIGH_LEVEL);
    ExpectBugCheck(QueryAboveDispatch, (PVOID)1, DRIVER_VERIFIER_DETECTED_VIOLATION, 0xE5);
}
