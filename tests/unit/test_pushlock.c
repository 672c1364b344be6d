/* EX_PUSH_LOCK: shared and exclusive use, try forms, readers with a writer, and the misuses
   (APCs enabled, recursion that would hang, releases of locks not held). */
#include "lock_helpers.h"

#include <string.h>

#define DV DRIVER_VERIFIER_DETECTED_VIOLATION

Test(pushlock, is_pointer_sized_and_zero_is_free)
{
    EX_PUSH_LOCK Lock = 0;
    cr_assert_eq(sizeof(EX_PUSH_LOCK), sizeof(void *));
    KeEnterCriticalRegion();
    ExAcquirePushLockExclusive(&Lock);
    cr_assert_neq(Lock, 0);
    ExReleasePushLockExclusive(&Lock);
    cr_assert_eq(Lock, 0);
    KeLeaveCriticalRegion();
}

Test(pushlock, exclusive_and_shared_with_flags_and_macros)
{
    EX_PUSH_LOCK Lock;
    ExInitializePushLock(&Lock);
    KeEnterCriticalRegion();
    ExAcquirePushLockExclusiveEx(&Lock, EX_DEFAULT_PUSH_LOCK_FLAGS);
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL);
    ExReleasePushLockExclusiveEx(&Lock, EX_DEFAULT_PUSH_LOCK_FLAGS);
    ExAcquirePushLockShared(&Lock);
    ExAcquirePushLockShared(&Lock); /* shared -> shared with no writer queued: allowed */
    ExReleasePushLockShared(&Lock);
    ExReleasePushLock(&Lock);
    cr_assert_eq(Lock, 0);
    ExAcquirePushLockExclusive(&Lock);
    ExReleasePushLock(&Lock);
    KeLeaveCriticalRegion();
}

Test(pushlock, try_forms)
{
    EX_PUSH_LOCK Lock = 0;
    KeEnterCriticalRegion();
    cr_assert(ExTryAcquirePushLockExclusive(&Lock));
    cr_assert_not(ExTryAcquirePushLockShared(&Lock), "a try by the holder fails, no hang");
    cr_assert_not(ExTryAcquirePushLockExclusive(&Lock));
    ExReleasePushLockExclusive(&Lock);
    cr_assert(ExTryAcquirePushLockShared(&Lock));
    cr_assert_not(ExTryAcquirePushLockExclusive(&Lock));
    ExReleasePushLockShared(&Lock);
    KeLeaveCriticalRegion();
}

Test(pushlock, guarded_region_or_apc_level_also_disable_apcs)
{
    EX_PUSH_LOCK Lock = 0;
    KIRQL Old;
    KeEnterGuardedRegion();
    ExAcquirePushLockExclusive(&Lock);
    ExReleasePushLockExclusive(&Lock);
    KeLeaveGuardedRegion();
    KeRaiseIrql(APC_LEVEL, &Old);
    ExAcquirePushLockShared(&Lock);
    ExReleasePushLockShared(&Lock);
    KeLowerIrql(Old);
}

static void HoldExclusive(void *L)
{
    KeEnterCriticalRegion();
    ExAcquirePushLockExclusive((PEX_PUSH_LOCK)L);
}
static void ReleaseExclusive(void *L)
{
    ExReleasePushLockExclusive((PEX_PUSH_LOCK)L);
    KeLeaveCriticalRegion();
}
static void HoldShared(void *L)
{
    KeEnterCriticalRegion();
    ExAcquirePushLockShared((PEX_PUSH_LOCK)L);
}
static void ReleaseShared(void *L)
{
    ExReleasePushLockShared((PEX_PUSH_LOCK)L);
    KeLeaveCriticalRegion();
}

Test(pushlock, try_under_contention)
{
    EX_PUSH_LOCK Lock = 0;
    HOLDER Holder;
    StartHolder(&Holder, HoldExclusive, ReleaseExclusive, &Lock);
    KeEnterCriticalRegion();
    cr_assert_not(ExTryAcquirePushLockExclusive(&Lock));
    cr_assert_not(ExTryAcquirePushLockShared(&Lock));
    StopHolder(&Holder);
    StartHolder(&Holder, HoldShared, ReleaseShared, &Lock);
    cr_assert_not(ExTryAcquirePushLockExclusive(&Lock));
    cr_assert(ExTryAcquirePushLockShared(&Lock), "readers share");
    ExReleasePushLockShared(&Lock);
    KeLeaveCriticalRegion();
    StopHolder(&Holder);
}

typedef struct _DATA {
    EX_PUSH_LOCK Lock;
    ULONG Value;
    ULONG A, B;
    volatile int Torn;
} DATA;

static void *ExclusiveIncrements(void *Context)
{
    DATA *D = (DATA *)Context;
    KeEnterCriticalRegion();
    for (int i = 0; i < LOCK_TEST_ITERATIONS; i++) {
        if (i % 2) {
            ExAcquirePushLockExclusive(&D->Lock);
        } else {
            while (!ExTryAcquirePushLockExclusive(&D->Lock)) {
            }
        }
        D->Value++;
        ExReleasePushLockExclusive(&D->Lock);
    }
    KeLeaveCriticalRegion();
    return NULL;
}

Test(pushlock, exclusive_acquisitions_exclude_each_other)
{
    DATA D;
    memset(&D, 0, sizeof(D));
    RunThreads(LOCK_TEST_THREADS, ExclusiveIncrements, &D);
    cr_assert_eq(D.Value, LOCK_TEST_THREADS * LOCK_TEST_ITERATIONS);
    cr_assert_eq(D.Lock, 0);
}

static void *ReaderOrWriter(void *Context)
{
    DATA *D = (DATA *)Context;
    static volatile int Next;
    int Me = __atomic_fetch_add(&Next, 1, __ATOMIC_RELAXED);
    KeEnterCriticalRegion();
    for (int i = 0; i < LOCK_TEST_ITERATIONS / 4; i++) {
        ExAcquirePushLockShared(&D->Lock);
        if (D->A != D->B) {
            D->Torn = 1;
        }
        ExReleasePushLockShared(&D->Lock);
        if (Me == 0) {
            ExAcquirePushLockExclusive(&D->Lock);
            D->A++;
            D->B++;
            ExReleasePushLockExclusive(&D->Lock);
        }
    }
    KeLeaveCriticalRegion();
    return NULL;
}

Test(pushlock, readers_never_see_a_writer_half_way)
{
    DATA D;
    memset(&D, 0, sizeof(D));
    RunThreads(LOCK_TEST_THREADS, ReaderOrWriter, &D);
    cr_assert_not(D.Torn);
    cr_assert_eq(D.A, LOCK_TEST_ITERATIONS / 4);
    cr_assert_eq(D.Lock, 0);
}

/* ---- Misuse ----------------------------------------------------------------------------- */

static EX_PUSH_LOCK Shared;

static void AcquireWithApcsEnabled(PVOID Context)
{
    if (Context == NULL) {
        ExAcquirePushLockExclusive(&Shared);
    } else {
        ExAcquirePushLockShared(&Shared);
    }
}

Test(pushlock, acquire_with_apcs_enabled_bugchecks_c4_ea)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(AcquireWithApcsEnabled, NULL, DV, 0xEA);
    cr_assert_eq(R.Parameter[1], PASSIVE_LEVEL, "P2 is the IRQL");
    cr_assert_eq(R.Parameter[2], 0, "P3 is the APC-disable count");
    cr_assert_eq(R.Parameter[3], (ULONG_PTR)&Shared, "P4 is the push lock");
    ExpectBugCheck(AcquireWithApcsEnabled, (PVOID)1, DV, 0xEA);
}

static void ReleaseWithApcsEnabled(PVOID Context)
{
    (void)Context;
    KeEnterCriticalRegion();
    ExAcquirePushLockExclusive(&Shared);
    KeLeaveCriticalRegion();
    ExReleasePushLockExclusive(&Shared);
}

Test(pushlock, release_with_apcs_enabled_bugchecks_c4_eb)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(ReleaseWithApcsEnabled, NULL, DV, 0xEB);
    cr_assert_eq(R.Parameter[3], (ULONG_PTR)&Shared);
}

static void Recursive(PVOID Context)
{
    KeEnterCriticalRegion();
    switch ((int)(ULONG_PTR)Context) {
    case 0: /* exclusive -> exclusive */
        ExAcquirePushLockExclusive(&Shared);
        ExAcquirePushLockExclusive(&Shared);
        break;
    case 1: /* exclusive -> shared */
        ExAcquirePushLockExclusive(&Shared);
        ExAcquirePushLockShared(&Shared);
        break;
    default: /* shared -> exclusive */
        ExAcquirePushLockShared(&Shared);
        ExAcquirePushLockExclusive(&Shared);
        break;
    }
}

Test(pushlock, exclusive_reacquire_bugchecks_c4_1000_instead_of_hanging)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(Recursive, (PVOID)0, DV, 0x1000);
    cr_assert_eq(R.Parameter[1], (ULONG_PTR)&Shared);
}

Test(pushlock, exclusive_to_shared_bugchecks_c4_1000)
{
    ExpectBugCheck(Recursive, (PVOID)1, DV, 0x1000);
}

Test(pushlock, shared_to_exclusive_bugchecks_c4_1000)
{
    ExpectBugCheck(Recursive, (PVOID)2, DV, 0x1000);
}

typedef struct _WRITER {
    PEX_PUSH_LOCK Lock;
    pthread_t Thread;
} WRITER;

static void *Write(void *Context)
{
    WRITER *W = (WRITER *)Context;
    KeEnterCriticalRegion();
    ExAcquirePushLockExclusive(W->Lock);
    ExReleasePushLockExclusive(W->Lock);
    KeLeaveCriticalRegion();
    return NULL;
}

static int WriterQueued(void *Lock)
{
    return (__atomic_load_n((PEX_PUSH_LOCK)Lock, __ATOMIC_RELAXED) & 0xFFC) != 0;
}

static void SharedAgain(PVOID Context)
{
    ExAcquirePushLockShared((PEX_PUSH_LOCK)Context);
}

Test(pushlock, shared_reacquire_behind_a_queued_writer_bugchecks_c4_1000)
{
    EX_PUSH_LOCK Lock = 0;
    WRITER W = {&Lock, 0};
    KeEnterCriticalRegion();
    ExAcquirePushLockShared(&Lock);
    cr_assert_eq(pthread_create(&W.Thread, NULL, Write, &W), 0);
    WaitUntil(WriterQueued, &Lock, "the writer queues behind the reader");
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(SharedAgain, &Lock, DV, 0x1000);
    cr_assert(strstr(R.Message, "exclusive waiter") != NULL, "%s", R.Message);
    ExReleasePushLockShared(&Lock);
    KeLeaveCriticalRegion();
    cr_assert_eq(pthread_join(W.Thread, NULL), 0);
    cr_assert_eq(Lock, 0);
}

static void ReleaseNotHeld(PVOID Context)
{
    KeEnterCriticalRegion();
    if (Context == NULL) {
        ExReleasePushLockExclusive(&Shared);
    } else {
        ExReleasePushLockShared(&Shared);
    }
}

Test(pushlock, release_not_held_bugchecks_c4_1007)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(ReleaseNotHeld, NULL, DV, 0x1007);
    cr_assert_eq(R.Parameter[1], (ULONG_PTR)&Shared);
    ExpectBugCheck(ReleaseNotHeld, (PVOID)1, DV, 0x1007);
}

static void ReleaseOtherMode(PVOID Context)
{
    (void)Context;
    KeEnterCriticalRegion();
    ExAcquirePushLockShared(&Shared);
    ExReleasePushLockExclusive(&Shared);
}

Test(pushlock, release_in_the_other_mode_bugchecks_c4_1009)
{
    ExpectBugCheck(ReleaseOtherMode, NULL, DV, 0x1009);
}

static void Garbage(PVOID Context)
{
    (void)Context;
    memset(&Shared, 0xA5, sizeof(Shared));
    KeEnterCriticalRegion();
    ExAcquirePushLockShared(&Shared);
}

Test(pushlock, a_word_that_is_no_push_lock_bugchecks_c4_1002)
{
    if (sizeof(EX_PUSH_LOCK) == 8) {
        ExpectBugCheck(Garbage, NULL, DV, 0x1002);
    }
}

static void AboveApc(PVOID Context)
{
    KIRQL Old;
    (void)Context;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    ExAcquirePushLockExclusive(&Shared);
}

Test(pushlock, acquire_above_apc_bugchecks_c4_e5)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(AboveApc, NULL, DV, 0xE5);
    cr_assert_eq(R.Parameter[1], DISPATCH_LEVEL);
}

static void AcquireHeld(PVOID Context)
{
    KeEnterCriticalRegion();
    ExAcquirePushLockExclusive((PEX_PUSH_LOCK)Context);
}

Test(pushlock, waiting_is_bounded_by_the_hang_limit)
{
    EX_PUSH_LOCK Lock = 0;
    HOLDER Holder;
    StartHolder(&Holder, HoldShared, ReleaseShared, &Lock);
    IrqlHostSetHangLimit(200);
    ExpectBugCheck(AcquireHeld, &Lock, IRQL_HOST_BUGCHECK_HANG, (ULONG_PTR)&Lock);
    IrqlHostSetHangLimit(0);
    StopHolder(&Holder);
}
