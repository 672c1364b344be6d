/* The run-time backstop: IRQL_ENTER and IRQL_CONTEXT check the real IRQL on the host. */
#include "bugcheck_expect.h"

#include <irql/irql.h>
#include <string.h>

IRQL_AT(OnDpc, DISPATCH_LEVEL) static void OnDpc(PVOID Context)
{
    IRQL_ENTER(OnDpc);
    *(int *)Context += 1;
}

Test(backstop, a_truthful_contract_runs)
{
    int Count = 0;
    IrqlHostRunAtIrql(DISPATCH_LEVEL, OnDpc, &Count);
    cr_assert_eq(Count, 1);
}

Test(backstop, a_lying_entry_point_bugchecks_naming_the_function)
{
    int Count = 0;
    /* OnDpc claims DISPATCH_LEVEL; calling it directly at PASSIVE_LEVEL makes it a liar. */
    IRQL_HOST_BUGCHECK R =
        ExpectBugCheck(OnDpc, &Count, IRQL_BUGCHECK_CONTRACT_VIOLATION, PASSIVE_LEVEL);
    cr_assert_eq(R.Parameter[1], DISPATCH_LEVEL, "P2 is the contract's minimum");
    cr_assert_eq(R.Parameter[2], DISPATCH_LEVEL, "P3 is the contract's maximum");
    cr_assert_str_eq((const char *)R.Parameter[3], "OnDpc", "P4 names the function");
    cr_assert(strstr(R.Message, "OnDpc") != NULL, "the report names the culprit: %s", R.Message);
    cr_assert_eq(Count, 0, "the body did not run");
}

IRQL_MAX(PassiveOnly, PASSIVE_LEVEL) static void PassiveOnly(PVOID Context)
{
    IRQL_ENTER(PassiveOnly);
    (void)Context;
}

Test(backstop, above_the_maximum_bugchecks)
{
    KIRQL Old;
    KeRaiseIrql(APC_LEVEL, &Old);
    IRQL_HOST_BUGCHECK R =
        ExpectBugCheck(PassiveOnly, NULL, IRQL_BUGCHECK_CONTRACT_VIOLATION, APC_LEVEL);
    cr_assert_eq(R.Parameter[2], PASSIVE_LEVEL);
    KeLowerIrql(Old);
}

static void NarrowedBlock(PVOID Context)
{
    (void)Context;
    {
        IRQL_CONTEXT(DISPATCH_LEVEL, HIGH_LEVEL);
    }
}

Test(backstop, irql_context_checks_too)
{
    IRQL_HOST_BUGCHECK R =
        ExpectBugCheck(NarrowedBlock, NULL, IRQL_BUGCHECK_CONTRACT_VIOLATION, PASSIVE_LEVEL);
    cr_assert_eq(R.Parameter[1], DISPATCH_LEVEL);
    cr_assert_eq(R.Parameter[2], HIGH_LEVEL);
    cr_assert_str_eq((const char *)R.Parameter[3], "NarrowedBlock");
    IrqlHostRunAtIrql(DISPATCH_LEVEL, NarrowedBlock, NULL);
}
