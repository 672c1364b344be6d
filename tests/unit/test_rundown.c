/* Run-down protection: references, run-down refusing new ones, the wait completing when the
   last reference goes, re-initialisation, and the misuses. */
#include "lock_helpers.h"

#define DV DRIVER_VERIFIER_DETECTED_VIOLATION

Test(rundown, acquire_release_and_wait_with_no_references)
{
    EX_RUNDOWN_REF Ref;
    cr_assert_eq(sizeof(EX_RUNDOWN_REF), sizeof(void *));
    ExInitializeRundownProtection(&Ref);
    cr_assert(ExAcquireRundownProtection(&Ref));
    cr_assert(ExAcquireRundownProtectionEx(&Ref, 3));
    ExReleaseRundownProtectionEx(&Ref, 3);
    ExReleaseRundownProtection(&Ref);
    ExWaitForRundownProtectionRelease(&Ref);
    cr_assert_not(ExAcquireRundownProtection(&Ref), "acquire fails once run-down started");
    cr_assert_not(ExAcquireRundownProtectionEx(&Ref, 2));
    ExWaitForRundownProtectionRelease(&Ref); /* a repeat returns at once */
    ExRundownCompleted(&Ref);
    cr_assert_not(ExAcquireRundownProtection(&Ref));
    ExWaitForRundownProtectionRelease(&Ref);
    ExReInitializeRundownProtection(&Ref);
    cr_assert(ExAcquireRundownProtection(&Ref), "usable again after re-initialisation");
    ExReleaseRundownProtection(&Ref);
}

Test(rundown, acquire_and_release_at_dispatch)
{
    EX_RUNDOWN_REF Ref;
    ExInitializeRundownProtection(&Ref);
    KIRQL Old = KeRaiseIrqlToDpcLevel();
    cr_assert(ExAcquireRundownProtection(&Ref));
    ExReleaseRundownProtection(&Ref);
    KeLowerIrql(Old);
}

typedef struct _USER {
    PEX_RUNDOWN_REF Ref;
    volatile int Acquired;
    volatile int Release;
    pthread_t Thread;
} USER;

static void *Use(void *Context)
{
    USER *U = (USER *)Context;
    if (ExAcquireRundownProtection(U->Ref)) {
        SetFlag(&U->Acquired);
        WaitUntil(FlagIsSet, (void *)&U->Release, "the test lets the user go");
        ExReleaseRundownProtection(U->Ref);
    }
    return NULL;
}

typedef struct _RUNDOWN {
    PEX_RUNDOWN_REF Ref;
    volatile int Done;
} RUNDOWN;

static void *RunDown(void *Context)
{
    RUNDOWN *R = (RUNDOWN *)Context;
    ExWaitForRundownProtectionRelease(R->Ref);
    SetFlag(&R->Done);
    return NULL;
}

static int RundownStarted(void *Ref)
{
    return (__atomic_load_n(&((PEX_RUNDOWN_REF)Ref)->Count, __ATOMIC_RELAXED) &
            EX_RUNDOWN_ACTIVE) != 0;
}

Test(rundown, wait_completes_when_the_last_reference_is_released)
{
    EX_RUNDOWN_REF Ref;
    USER Users[3];
    RUNDOWN R = {&Ref, 0};
    pthread_t Waiter;
    ExInitializeRundownProtection(&Ref);
    for (int i = 0; i < 3; i++) {
        Users[i].Ref = &Ref;
        Users[i].Acquired = Users[i].Release = 0;
        cr_assert_eq(pthread_create(&Users[i].Thread, NULL, Use, &Users[i]), 0);
        WaitUntil(FlagIsSet, (void *)&Users[i].Acquired, "a user holds a reference");
    }
    cr_assert_eq(pthread_create(&Waiter, NULL, RunDown, &R), 0);
    WaitUntil(RundownStarted, &Ref, "run-down has begun");
    cr_assert_not(ExAcquireRundownProtection(&Ref), "no new references during run-down");
    for (int i = 0; i < 3; i++) {
        SleepMs(10);
        cr_assert_not(FlagIsSet((void *)&R.Done), "the wait lasts while references remain");
        SetFlag(&Users[i].Release);
        cr_assert_eq(pthread_join(Users[i].Thread, NULL), 0);
    }
    cr_assert_eq(pthread_join(Waiter, NULL), 0);
    cr_assert(FlagIsSet((void *)&R.Done));
    cr_assert_eq(Ref.Count, EX_RUNDOWN_ACTIVE);
}

static void *Churn(void *Context)
{
    PEX_RUNDOWN_REF Ref = (PEX_RUNDOWN_REF)Context;
    for (int i = 0; i < LOCK_TEST_ITERATIONS; i++) {
        if (!ExAcquireRundownProtection(Ref)) {
            break;
        }
        ExReleaseRundownProtection(Ref);
    }
    return NULL;
}

Test(rundown, run_down_races_with_many_users)
{
    EX_RUNDOWN_REF Ref;
    pthread_t Users[LOCK_TEST_THREADS];
    ExInitializeRundownProtection(&Ref);
    for (int i = 0; i < LOCK_TEST_THREADS; i++) {
        cr_assert_eq(pthread_create(&Users[i], NULL, Churn, &Ref), 0);
    }
    SleepMs(2);
    ExWaitForRundownProtectionRelease(&Ref);
    cr_assert_eq(__atomic_load_n(&Ref.Count, __ATOMIC_ACQUIRE), EX_RUNDOWN_ACTIVE,
                 "no reference survives the wait");
    for (int i = 0; i < LOCK_TEST_THREADS; i++) {
        cr_assert_eq(pthread_join(Users[i], NULL), 0);
    }
    cr_assert_eq(Ref.Count, EX_RUNDOWN_ACTIVE);
}

/* ---- Misuse ----------------------------------------------------------------------------- */

static EX_RUNDOWN_REF Shared;

static void ReleaseWithoutAcquire(PVOID Context)
{
    (void)Context;
    ExInitializeRundownProtection(&Shared);
    ExReleaseRundownProtection(&Shared);
}

Test(rundown, release_without_acquire_bugchecks_c4_1007)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(ReleaseWithoutAcquire, NULL, DV, 0x1007);
    cr_assert_eq(R.Parameter[1], (ULONG_PTR)&Shared);
    cr_assert_eq(Shared.Count, 0, "the count did not underflow");
}

static void WaitAtDispatch(PVOID Context)
{
    KIRQL Old;
    (void)Context;
    ExInitializeRundownProtection(&Shared);
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    ExWaitForRundownProtectionRelease(&Shared);
}

Test(rundown, wait_above_apc_bugchecks_c4_e5)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(WaitAtDispatch, NULL, DV, 0xE5);
    cr_assert_eq(R.Parameter[1], DISPATCH_LEVEL);
    cr_assert_eq(R.Parameter[2], (ULONG_PTR)&Shared);
}

static void AcquireAboveDispatch(PVOID Context)
{
    KIRQL Old;
    (void)Context;
    ExInitializeRundownProtection(&Shared);
    KeRaiseIrql(HIGH_LEVEL, &Old);
    (void)ExAcquireRundownProtection(&Shared);
}

Test(rundown, acquire_above_dispatch_bugchecks_c4_e5)
{
    ExpectBugCheck(AcquireAboveDispatch, NULL, DV, 0xE5);
}

static void ReinitWithReferences(PVOID Context)
{
    ExInitializeRundownProtection(&Shared);
    (void)ExAcquireRundownProtection(&Shared);
    if (Context == NULL) {
        ExReInitializeRundownProtection(&Shared);
    } else {
        ExRundownCompleted(&Shared);
    }
}

Test(rundown, reinitialise_with_references_outstanding_bugchecks_c4_100b)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(ReinitWithReferences, NULL, DV, 0x100B);
    cr_assert_eq(R.Parameter[2], 1, "P3 is the outstanding count");
    ExpectBugCheck(ReinitWithReferences, (PVOID)1, DV, 0x100B);
}

static void WaitForever(PVOID Context)
{
    ExWaitForRundownProtectionRelease((PEX_RUNDOWN_REF)Context);
}

Test(rundown, wait_is_bounded_by_the_hang_limit)
{
    EX_RUNDOWN_REF Ref;
    ExInitializeRundownProtection(&Ref);
    cr_assert(ExAcquireRundownProtection(&Ref));
    IrqlHostSetHangLimit(200);
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(WaitForever, &Ref, IRQL_HOST_BUGCHECK_HANG,
                                          (ULONG_PTR)&Ref);
    IrqlHostSetHangLimit(0);
    cr_assert_geq(R.Parameter[1], 200);
    ExReleaseRundownProtection(&Ref);
}
