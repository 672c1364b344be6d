/* ERESOURCE: recursion rules, Wait = FALSE, waiter counts, the starve/wait-for-exclusive
   variants, release for another thread, readers with a writer, and every documented misuse. */
#include "lock_helpers.h"

#include <string.h>

#define DV DRIVER_VERIFIER_DETECTED_VIOLATION

Test(resource, has_the_wdk_size)
{
    if (sizeof(void *) == 8) {
        cr_assert_eq(sizeof(ERESOURCE), 104);
    }
}

Test(resource, exclusive_recursion_and_exclusive_to_shared)
{
    ERESOURCE R;
    cr_assert_eq(ExInitializeResourceLite(&R), STATUS_SUCCESS);
    KeEnterCriticalRegion();
    cr_assert(ExAcquireResourceExclusiveLite(&R, TRUE));
    cr_assert(ExIsResourceAcquiredExclusiveLite(&R));
    cr_assert(ExAcquireResourceExclusiveLite(&R, TRUE), "exclusive -> exclusive is granted");
    cr_assert(ExAcquireResourceSharedLite(&R, TRUE), "exclusive -> shared is granted");
    cr_assert(ExIsResourceAcquiredExclusiveLite(&R), "and does not convert to shared");
    cr_assert_eq(ExIsResourceAcquiredSharedLite(&R), 3);
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL, "the IRQL is unchanged");
    ExReleaseResourceLite(&R);
    ExReleaseResourceLite(&R);
    cr_assert(ExIsResourceAcquiredExclusiveLite(&R));
    ExReleaseResourceLite(&R);
    cr_assert_not(ExIsResourceAcquiredExclusiveLite(&R));
    cr_assert_eq(ExIsResourceAcquiredSharedLite(&R), 0);
    KeLeaveCriticalRegion();
    cr_assert_eq(ExDeleteResourceLite(&R), STATUS_SUCCESS);
}

Test(resource, shared_recursion_and_apc_level_callers)
{
    ERESOURCE R;
    KIRQL Old;
    ExInitializeResourceLite(&R);
    KeRaiseIrql(APC_LEVEL, &Old); /* APCs are off at APC_LEVEL: no region needed */
    cr_assert(ExAcquireResourceSharedLite(&R, TRUE));
    cr_assert(ExAcquireResourceSharedLite(&R, FALSE));
    cr_assert(ExAcquireSharedStarveExclusive(&R, FALSE));
    cr_assert(ExAcquireSharedWaitForExclusive(&R, FALSE));
    cr_assert_eq(ExIsResourceAcquiredSharedLite(&R), 4);
    cr_assert_not(ExIsResourceAcquiredExclusiveLite(&R));
    for (int i = 0; i < 4; i++) {
        ExReleaseResourceLite(&R);
    }
    KeLowerIrql(Old);
    ExDeleteResourceLite(&R);
}

Test(resource, combined_critical_region_routines)
{
    ERESOURCE R;
    ExInitializeResourceLite(&R);
    (void)ExEnterCriticalRegionAndAcquireResourceExclusive(&R);
    cr_assert(KeAreApcsDisabled());
    cr_assert(ExIsResourceAcquiredExclusiveLite(&R));
    ExReleaseResourceAndLeaveCriticalRegion(&R);
    cr_assert_not(KeAreApcsDisabled());
    (void)ExEnterCriticalRegionAndAcquireResourceShared(&R);
    cr_assert_eq(ExIsResourceAcquiredSharedLite(&R), 1);
    ExReleaseResourceAndLeaveCriticalRegion(&R);
    (void)ExEnterCriticalRegionAndAcquireSharedWaitForExclusive(&R);
    ExReleaseResourceAndLeaveCriticalRegion(&R);
    cr_assert_not(KeAreApcsDisabled());
    ExDeleteResourceLite(&R);
}

Test(resource, reinitialize_and_reuse_after_delete)
{
    ERESOURCE R;
    ExInitializeResourceLite(&R);
    cr_assert_eq(ExReinitializeResourceLite(&R), STATUS_SUCCESS);
    ExDeleteResourceLite(&R);
    cr_assert_eq(ExInitializeResourceLite(&R), STATUS_SUCCESS, "a deleted resource may be reused");
    ExDeleteResourceLite(&R);
}

Test(resource, convert_exclusive_to_shared)
{
    ERESOURCE R;
    ExInitializeResourceLite(&R);
    KeEnterCriticalRegion();
    ExAcquireResourceExclusiveLite(&R, TRUE);
    ExConvertExclusiveToSharedLite(&R);
    cr_assert_not(ExIsResourceAcquiredExclusiveLite(&R));
    cr_assert_eq(ExIsResourceAcquiredSharedLite(&R), 1);
    ExReleaseResourceLite(&R);
    KeLeaveCriticalRegion();
    ExDeleteResourceLite(&R);
}

/* ---- Other threads ---------------------------------------------------------------------- */

static void HoldExclusive(void *R)
{
    KeEnterCriticalRegion();
    ExAcquireResourceExclusiveLite((PERESOURCE)R, TRUE);
}
static void HoldShared(void *R)
{
    KeEnterCriticalRegion();
    ExAcquireResourceSharedLite((PERESOURCE)R, TRUE);
}
static void Release(void *R)
{
    ExReleaseResourceLite((PERESOURCE)R);
    KeLeaveCriticalRegion();
}

Test(resource, wait_false_returns_false_instead_of_blocking)
{
    ERESOURCE R;
    HOLDER Holder;
    ExInitializeResourceLite(&R);
    StartHolder(&Holder, HoldExclusive, Release, &R);
    KeEnterCriticalRegion();
    cr_assert_not(ExAcquireResourceExclusiveLite(&R, FALSE));
    cr_assert_not(ExAcquireResourceSharedLite(&R, FALSE));
    cr_assert_not(ExAcquireSharedStarveExclusive(&R, FALSE));
    cr_assert_not(ExAcquireSharedWaitForExclusive(&R, FALSE));
    cr_assert_not(ExTryToAcquireResourceExclusiveLite(&R));
    StopHolder(&Holder);
    cr_assert(ExTryToAcquireResourceExclusiveLite(&R));
    ExReleaseResourceLite(&R);
    KeLeaveCriticalRegion();
    ExDeleteResourceLite(&R);
}

Test(resource, shared_holders_admit_readers_but_not_writers)
{
    ERESOURCE R;
    HOLDER Holder;
    ExInitializeResourceLite(&R);
    StartHolder(&Holder, HoldShared, Release, &R);
    KeEnterCriticalRegion();
    cr_assert_not(ExAcquireResourceExclusiveLite(&R, FALSE));
    cr_assert(ExAcquireResourceSharedLite(&R, FALSE));
    ExReleaseResourceLite(&R);
    KeLeaveCriticalRegion();
    StopHolder(&Holder);
    ExDeleteResourceLite(&R);
}

typedef struct _WAITER {
    PERESOURCE Resource;
    int Exclusive;
    volatile int Acquired;
    pthread_t Thread;
} WAITER;

static void *Wait(void *Context)
{
    WAITER *W = (WAITER *)Context;
    KeEnterCriticalRegion();
    if (W->Exclusive) {
        ExAcquireResourceExclusiveLite(W->Resource, TRUE);
    } else {
        ExAcquireResourceSharedLite(W->Resource, TRUE);
    }
    SetFlag(&W->Acquired);
    ExReleaseResourceLite(W->Resource);
    KeLeaveCriticalRegion();
    return NULL;
}

static void StartWaiter(WAITER *W, PERESOURCE R, int Exclusive)
{
    W->Resource = R;
    W->Exclusive = Exclusive;
    W->Acquired = 0;
    cr_assert_eq(pthread_create(&W->Thread, NULL, Wait, W), 0);
}

static int OneExclusiveWaiter(void *R) { return ExGetExclusiveWaiterCount((PERESOURCE)R) == 1; }
static int OneSharedWaiter(void *R) { return ExGetSharedWaiterCount((PERESOURCE)R) == 1; }

Test(resource, waiter_counts_and_hand_over)
{
    ERESOURCE R;
    WAITER Writer, Reader;
    ExInitializeResourceLite(&R);
    KeEnterCriticalRegion();
    ExAcquireResourceExclusiveLite(&R, TRUE);
    StartWaiter(&Writer, &R, 1);
    StartWaiter(&Reader, &R, 0);
    WaitUntil(OneExclusiveWaiter, &R, "one exclusive waiter");
    WaitUntil(OneSharedWaiter, &R, "one shared waiter");
    cr_assert_not(FlagIsSet((void *)&Writer.Acquired));
    ExReleaseResourceLite(&R);
    KeLeaveCriticalRegion();
    cr_assert_eq(pthread_join(Writer.Thread, NULL), 0);
    cr_assert_eq(pthread_join(Reader.Thread, NULL), 0);
    cr_assert(FlagIsSet((void *)&Writer.Acquired) && FlagIsSet((void *)&Reader.Acquired));
    cr_assert_eq(ExGetExclusiveWaiterCount(&R), 0);
    cr_assert_eq(ExGetSharedWaiterCount(&R), 0);
    cr_assert_geq(R.ContentionCount, 2);
    ExDeleteResourceLite(&R);
}

Test(resource, queued_writer_blocks_new_readers_except_starve_exclusive)
{
    ERESOURCE R;
    HOLDER Holder;
    WAITER Writer;
    ExInitializeResourceLite(&R);
    StartHolder(&Holder, HoldShared, Release, &R);
    StartWaiter(&Writer, &R, 1);
    WaitUntil(OneExclusiveWaiter, &R, "the writer queues");
    KeEnterCriticalRegion();
    cr_assert_not(ExAcquireResourceSharedLite(&R, FALSE), "a new reader waits behind the writer");
    cr_assert_not(ExAcquireSharedWaitForExclusive(&R, FALSE));
    cr_assert(ExAcquireSharedStarveExclusive(&R, FALSE), "starve-exclusive does not");
    ExReleaseResourceLite(&R);
    KeLeaveCriticalRegion();
    StopHolder(&Holder);
    cr_assert_eq(pthread_join(Writer.Thread, NULL), 0);
    cr_assert(FlagIsSet((void *)&Writer.Acquired));
    ExDeleteResourceLite(&R);
}

Test(resource, owner_shared_recursion_passes_a_queued_writer_but_wait_for_exclusive_does_not)
{
    ERESOURCE R;
    WAITER Writer;
    ExInitializeResourceLite(&R);
    KeEnterCriticalRegion();
    ExAcquireResourceSharedLite(&R, TRUE);
    StartWaiter(&Writer, &R, 1);
    WaitUntil(OneExclusiveWaiter, &R, "the writer queues");
    cr_assert(ExAcquireResourceSharedLite(&R, FALSE), "an owner's shared request is granted");
    cr_assert_not(ExAcquireSharedWaitForExclusive(&R, FALSE),
                  "wait-for-exclusive lets the writer go first");
    ExReleaseResourceLite(&R);
    ExReleaseResourceLite(&R);
    KeLeaveCriticalRegion();
    cr_assert_eq(pthread_join(Writer.Thread, NULL), 0);
    ExDeleteResourceLite(&R);
}

typedef struct _FOREIGN {
    PERESOURCE Resource;
    ERESOURCE_THREAD Owner;
    volatile int Ready;
} FOREIGN;

static void *AcquireAndLeave(void *Context)
{
    FOREIGN *F = (FOREIGN *)Context;
    KeEnterCriticalRegion();
    ExAcquireResourceSharedLite(F->Resource, TRUE);
    F->Owner = ExGetCurrentResourceThread();
    KeLeaveCriticalRegion(); /* the ownership is handed over; another thread releases it */
    SetFlag(&F->Ready);
    return NULL;
}

Test(resource, release_for_another_thread)
{
    ERESOURCE R;
    FOREIGN F = {&R, 0, 0};
    pthread_t T;
    ExInitializeResourceLite(&R);
    cr_assert_eq(pthread_create(&T, NULL, AcquireAndLeave, &F), 0);
    cr_assert_eq(pthread_join(T, NULL), 0);
    cr_assert_neq(F.Owner, ExGetCurrentResourceThread());
    KeEnterCriticalRegion();
    cr_assert_not(ExAcquireResourceExclusiveLite(&R, FALSE));
    ExReleaseResourceForThreadLite(&R, F.Owner);
    cr_assert(ExAcquireResourceExclusiveLite(&R, FALSE));
    ExReleaseResourceLite(&R);
    KeLeaveCriticalRegion();
    ExDeleteResourceLite(&R);
}

/* ---- Mutual exclusion ------------------------------------------------------------------- */

typedef struct _SHARED_DATA {
    ERESOURCE Resource;
    ULONG Value;
    ULONG A, B; /* the writer keeps A == B; readers check it */
    volatile int Torn;
    volatile int ReadersDone;
} SHARED_DATA;

static void *ExclusiveIncrements(void *Context)
{
    SHARED_DATA *D = (SHARED_DATA *)Context;
    for (int i = 0; i < LOCK_TEST_ITERATIONS; i++) {
        KeEnterCriticalRegion();
        ExAcquireResourceExclusiveLite(&D->Resource, TRUE);
        D->Value++;
        ExReleaseResourceLite(&D->Resource);
        KeLeaveCriticalRegion();
    }
    return NULL;
}

Test(resource, exclusive_acquisitions_exclude_each_other)
{
    SHARED_DATA D;
    memset(&D, 0, sizeof(D));
    ExInitializeResourceLite(&D.Resource);
    RunThreads(LOCK_TEST_THREADS, ExclusiveIncrements, &D);
    cr_assert_eq(D.Value, LOCK_TEST_THREADS * LOCK_TEST_ITERATIONS);
    ExDeleteResourceLite(&D.Resource);
}

static void *ReaderOrWriter(void *Context)
{
    SHARED_DATA *D = (SHARED_DATA *)Context;
    static volatile int Next;
    int Me = __atomic_fetch_add(&Next, 1, __ATOMIC_RELAXED);
    for (int i = 0; i < LOCK_TEST_ITERATIONS / 4; i++) {
        (void)ExEnterCriticalRegionAndAcquireResourceShared(&D->Resource);
        if (D->A != D->B) {
            D->Torn = 1;
        }
        ExReleaseResourceAndLeaveCriticalRegion(&D->Resource);
        if (Me == 0) {
            (void)ExEnterCriticalRegionAndAcquireResourceExclusive(&D->Resource);
            D->A++;
            D->B++;
            ExReleaseResourceAndLeaveCriticalRegion(&D->Resource);
        }
    }
    return NULL;
}

Test(resource, readers_never_see_a_writer_half_way)
{
    SHARED_DATA D;
    memset(&D, 0, sizeof(D));
    ExInitializeResourceLite(&D.Resource);
    RunThreads(LOCK_TEST_THREADS, ReaderOrWriter, &D);
    cr_assert_not(D.Torn);
    cr_assert_eq(D.A, LOCK_TEST_ITERATIONS / 4);
    ExDeleteResourceLite(&D.Resource);
}

/* ---- Misuse ----------------------------------------------------------------------------- */

static ERESOURCE Res;

static void AboveApc(PVOID Context)
{
    KIRQL Old;
    ExInitializeResourceLite(&Res);
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    switch ((int)(ULONG_PTR)Context) {
    case 0: ExAcquireResourceExclusiveLite(&Res, TRUE); break;
    case 1: ExAcquireResourceSharedLite(&Res, TRUE); break;
    case 2: ExAcquireSharedStarveExclusive(&Res, TRUE); break;
    case 3: ExAcquireSharedWaitForExclusive(&Res, TRUE); break;
    case 4: ExConvertExclusiveToSharedLite(&Res); break;
    default: ExDeleteResourceLite(&Res); break;
    }
}

Test(resource, routines_above_apc_bugcheck_c4_20007)
{
    for (int Routine = 0; Routine < 6; Routine++) {
        IRQL_HOST_BUGCHECK R = ExpectBugCheck(AboveApc, (PVOID)(ULONG_PTR)Routine, DV, 0x20007);
        cr_assert(strstr((const char *)R.Parameter[1], "IrqlExApcLte3") != NULL);
        cr_assert_eq(R.Parameter[2], (ULONG_PTR)&Res);
        ExDeleteResourceLite(&Res); /* still initialised and unowned: reuse it */
    }
}

static void AcquireWithApcsEnabled(PVOID Context)
{
    ExInitializeResourceLite(&Res);
    if (Context == NULL) {
        ExAcquireResourceExclusiveLite(&Res, TRUE);
    } else {
        ExAcquireResourceSharedLite(&Res, FALSE);
    }
}

Test(resource, acquire_with_apcs_enabled_bugchecks_c4_37)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(AcquireWithApcsEnabled, NULL, DV, 0x37);
    cr_assert_eq(R.Parameter[1], PASSIVE_LEVEL, "P2 is the IRQL");
    cr_assert_eq(R.Parameter[2], 0, "P3 is the APC-disable count");
    cr_assert_eq(R.Parameter[3], (ULONG_PTR)&Res, "P4 is the resource");
}

Test(resource, shared_acquire_with_apcs_enabled_bugchecks_c4_37)
{
    ExpectBugCheck(AcquireWithApcsEnabled, (PVOID)1, DV, 0x37);
}

static void ReleaseWithApcsEnabled(PVOID Context)
{
    (void)Context;
    ExInitializeResourceLite(&Res);
    KeEnterCriticalRegion();
    ExAcquireResourceExclusiveLite(&Res, TRUE);
    KeLeaveCriticalRegion();
    ExReleaseResourceLite(&Res);
}

Test(resource, release_with_apcs_enabled_bugchecks_c4_38)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(ReleaseWithApcsEnabled, NULL, DV, 0x38);
    cr_assert_eq(R.Parameter[3], (ULONG_PTR)&Res);
}

static void SharedToExclusive(PVOID Context)
{
    (void)Context;
    ExInitializeResourceLite(&Res);
    KeEnterCriticalRegion();
    ExAcquireResourceSharedLite(&Res, TRUE);
    ExAcquireResourceExclusiveLite(&Res, TRUE);
}

Test(resource, shared_to_exclusive_bugchecks_c4_1000_instead_of_hanging)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(SharedToExclusive, NULL, DV, 0x1000);
    cr_assert_eq(R.Parameter[1], (ULONG_PTR)&Res);
    cr_assert(strstr(R.Message, "self-deadlock") != NULL, "%s", R.Message);
}

Test(resource, shared_to_exclusive_without_wait_returns_false)
{
    ERESOURCE R;
    ExInitializeResourceLite(&R);
    KeEnterCriticalRegion();
    ExAcquireResourceSharedLite(&R, TRUE);
    cr_assert_not(ExAcquireResourceExclusiveLite(&R, FALSE));
    cr_assert_not(ExTryToAcquireResourceExclusiveLite(&R));
    ExReleaseResourceLite(&R);
    KeLeaveCriticalRegion();
    ExDeleteResourceLite(&R);
}

static void ReleaseUnowned(PVOID Context)
{
    (void)Context;
    ExInitializeResourceLite(&Res);
    KeEnterCriticalRegion();
    ExReleaseResourceLite(&Res);
}

Test(resource, release_not_owned_bugchecks_e3)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(ReleaseUnowned, NULL, RESOURCE_NOT_OWNED, (ULONG_PTR)&Res);
    cr_assert_eq(R.Parameter[1], ExGetCurrentResourceThread(), "P2 is the thread");
    cr_assert_str_eq(R.CodeName, "RESOURCE_NOT_OWNED");
}

static void ReleaseForNonOwner(PVOID Context)
{
    (void)Context;
    ExInitializeResourceLite(&Res);
    KeEnterCriticalRegion();
    ExAcquireResourceSharedLite(&Res, TRUE);
    ExReleaseResourceForThreadLite(&Res, (ERESOURCE_THREAD)0x1234);
}

Test(resource, release_for_a_thread_that_does_not_own_it_bugchecks_e3)
{
    IRQL_HOST_BUGCHECK R =
        ExpectBugCheck(ReleaseForNonOwner, NULL, RESOURCE_NOT_OWNED, (ULONG_PTR)&Res);
    cr_assert_eq(R.Parameter[1], 0x1234);
}

static void ConvertShared(PVOID Context)
{
    (void)Context;
    ExInitializeResourceLite(&Res);
    KeEnterCriticalRegion();
    ExAcquireResourceSharedLite(&Res, TRUE);
    ExConvertExclusiveToSharedLite(&Res);
}

Test(resource, convert_without_exclusive_ownership_bugchecks_e3)
{
    ExpectBugCheck(ConvertShared, NULL, RESOURCE_NOT_OWNED, (ULONG_PTR)&Res);
}

static void InitializeTwice(PVOID Context)
{
    (void)Context;
    ExInitializeResourceLite(&Res);
    ExInitializeResourceLite(&Res);
}

Test(resource, reinitialising_a_live_resource_bugchecks_c4_d0)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(InitializeTwice, NULL, DV, 0xD0);
    cr_assert_eq(R.Parameter[1], (ULONG_PTR)&Res, "P2 is the resource");
}

static void UseUninitialized(PVOID Context)
{
    memset(&Res, 0, sizeof(Res));
    KeEnterCriticalRegion();
    switch ((int)(ULONG_PTR)Context) {
    case 0: ExAcquireResourceExclusiveLite(&Res, TRUE); break;
    case 1: ExDeleteResourceLite(&Res); break;
    case 2: ExReleaseResourceLite(&Res); break;
    default: ExReinitializeResourceLite(&Res); break;
    }
}

Test(resource, use_of_an_uninitialised_resource_bugchecks_c4_d1)
{
    for (int Routine = 0; Routine < 4; Routine++) {
        IRQL_HOST_BUGCHECK R =
            ExpectBugCheck(UseUninitialized, (PVOID)(ULONG_PTR)Routine, DV, 0xD1);
        cr_assert_eq(R.Parameter[1], (ULONG_PTR)&Res);
    }
}

static void UseDeleted(PVOID Context)
{
    (void)Context;
    ExInitializeResourceLite(&Res);
    ExDeleteResourceLite(&Res);
    KeEnterCriticalRegion();
    ExAcquireResourceSharedLite(&Res, TRUE);
}

Test(resource, use_after_delete_bugchecks_c4_d1)
{
    ExpectBugCheck(UseDeleted, NULL, DV, 0xD1);
}

static void DeleteOwned(PVOID Context)
{
    (void)Context;
    ExInitializeResourceLite(&Res);
    KeEnterCriticalRegion();
    ExAcquireResourceExclusiveLite(&Res, TRUE);
    ExDeleteResourceLite(&Res);
}

Test(resource, deleting_an_owned_resource_bugchecks_c4_100b)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(DeleteOwned, NULL, DV, 0x100B);
    cr_assert_eq(R.Parameter[1], (ULONG_PTR)&Res);
    cr_assert_eq(R.Parameter[2], ExGetCurrentResourceThread(), "P3 is the owner");
}

static void ReleaseAboveDispatch(PVOID Context)
{
    KIRQL Old;
    (void)Context;
    ExInitializeResourceLite(&Res);
    KeEnterCriticalRegion();
    ExAcquireResourceExclusiveLite(&Res, TRUE);
    KeRaiseIrql(HIGH_LEVEL, &Old);
    ExReleaseResourceLite(&Res);
}

Test(resource, release_above_dispatch_bugchecks_c4_e5)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(ReleaseAboveDispatch, NULL, DV, 0xE5);
    cr_assert_eq(R.Parameter[1], HIGH_LEVEL);
}

Test(resource, release_at_dispatch_is_allowed)
{
    ERESOURCE R;
    KIRQL Old;
    ExInitializeResourceLite(&R);
    KeEnterCriticalRegion();
    ExAcquireResourceExclusiveLite(&R, TRUE);
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    ExReleaseResourceLite(&R);
    KeLowerIrql(Old);
    KeLeaveCriticalRegion();
    ExDeleteResourceLite(&R);
}

static void AcquireHeld(PVOID Context)
{
    KeEnterCriticalRegion();
    ExAcquireResourceExclusiveLite((PERESOURCE)Context, TRUE);
}

Test(resource, waiting_is_bounded_by_the_hang_limit)
{
    ERESOURCE R;
    HOLDER Holder;
    ExInitializeResourceLite(&R);
    StartHolder(&Holder, HoldShared, Release, &R);
    IrqlHostSetHangLimit(200);
    ExpectBugCheck(AcquireHeld, &R, IRQL_HOST_BUGCHECK_HANG, (ULONG_PTR)&R);
    IrqlHostSetHangLimit(0);
    StopHolder(&Holder);
}
