/* Test helper: run a routine and assert that it bug-checks with a given code and P1. */
#ifndef IRQL_TEST_BUGCHECK_EXPECT_H
#define IRQL_TEST_BUGCHECK_EXPECT_H

#include "irql_test.h"
#include <irql/host.h>

/* Runs Routine(Context) and returns the report; fails the test if nothing bug-checked. */
static inline IRQL_HOST_BUGCHECK ExpectBugCheck(PIRQL_HOST_ROUTINE Routine, PVOID Context,
                                                ULONG Code, ULONG_PTR P1)
{
    IRQL_HOST_BUGCHECK Report;
    cr_assert(IrqlHostCatchBugCheck(Routine, Context, &Report), "expected a bug check 0x%lX",
              (unsigned long)Code);
    cr_assert_eq(Report.Code, Code, "bug check 0x%lX (%s), expected 0x%lX",
                 (unsigned long)Report.Code, Report.CodeName, (unsigned long)Code);
    cr_assert_eq(Report.Parameter[0], P1, "P1 0x%llX, expected 0x%llX",
                 (unsigned long long)Report.Parameter[0], (unsigned long long)P1);
    return Report;
}

#endif
