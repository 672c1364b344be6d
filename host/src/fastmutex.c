/*
 * Fast and guarded mutexes: one implementation behind both APIs, as on Windows 8 and later.
 *
 * Count is a futex word with three states: FM_LOCK_BIT (1) free, 0 held, 2 held and maybe
 * waited on. A free mutex is taken by one compare-and-swap 1 -> 0. A contender swaps in 2; if
 * what it swapped out was 1 the mutex was free and is now its own (marked "maybe waited on",
 * which costs at most one needless wake), otherwise it sleeps until the word changes. The
 * release swaps 1 back in and wakes one sleeper if it saw 2. The atomics carry the memory
 * ordering between successive owners (acquire on take, release on give).
 *
 * Owner is written only by the owner and read by others only to report a hang; the recursion
 * check compares it with the calling thread, which only that thread can have stored there.
 */
#include "locks.h"

#define SIGNATURE_FAST 0x78744D46u    /* "FMtx": ExInitializeFastMutex ran */
#define SIGNATURE_GUARDED 0x78744D47u /* "GMtx": KeInitializeGuardedMutex ran */

typedef enum _IRQLP_MUTEX_API {
    ApiNone,
    ApiFast,          /* ExAcquireFastMutex / ExTryToAcquireFastMutex / ExReleaseFastMutex */
    ApiFastUnsafe,    /* ExAcquireFastMutexUnsafe / ExReleaseFastMutexUnsafe */
    ApiGuarded,       /* KeAcquireGuardedMutex / KeTryToAcquireGuardedMutex / KeReleaseGuardedMutex */
    ApiGuardedUnsafe, /* KeAcquireGuardedMutexUnsafe / KeReleaseGuardedMutexUnsafe */
} IRQLP_MUTEX_API;

static const struct {
    const char *Acquire;
    const char *Release;
    const char *Kind; /* for the hang report */
    ULONG Signature;
    BOOLEAN Raises;   /* raises to APC_LEVEL and saves the old IRQL in the mutex */
} Apis[] = {
    [ApiNone] = {"", "", "", 0, FALSE},
    [ApiFast] = {"ExAcquireFastMutex", "ExReleaseFastMutex", "FAST_MUTEX", SIGNATURE_FAST, TRUE},
    [ApiFastUnsafe] = {"ExAcquireFastMutexUnsafe", "ExReleaseFastMutexUnsafe", "FAST_MUTEX",
                       SIGNATURE_FAST, FALSE},
    [ApiGuarded] = {"KeAcquireGuardedMutex", "KeReleaseGuardedMutex", "KGUARDED_MUTEX",
                    SIGNATURE_GUARDED, TRUE},
    [ApiGuardedUnsafe] = {"KeAcquireGuardedMutexUnsafe", "KeReleaseGuardedMutexUnsafe",
                          "KGUARDED_MUTEX", SIGNATURE_GUARDED, FALSE},
};

static const char IrqlKeApcLte1Rule[] =
    "IrqlKeApcLte1: KeAcquire/TryToAcquire/ReleaseGuardedMutex(Unsafe) only at IRQL <= "
    "APC_LEVEL";

#define MUTEX_FREE FM_LOCK_BIT
#define MUTEX_HELD 0
#define MUTEX_CONTENDED 2

static PVOID OwnerOf(PFAST_MUTEX Mutex)
{
    return __atomic_load_n(&Mutex->Owner, __ATOMIC_RELAXED);
}

static BOOLEAN TryTake(PFAST_MUTEX Mutex)
{
    LONG Expected = MUTEX_FREE;
    return __atomic_compare_exchange_n(&Mutex->Count, &Expected, MUTEX_HELD, 0, __ATOMIC_ACQUIRE,
                                       __ATOMIC_RELAXED);
}

static void Take(PFAST_MUTEX Mutex, IRQLP_MUTEX_API Api)
{
    if (TryTake(Mutex)) {
        return;
    }
    __atomic_add_fetch(&Mutex->Contention, 1, __ATOMIC_RELAXED);
    IRQLP_WAIT Wait;
    IrqlpWaitStart(&Wait);
    while (__atomic_exchange_n(&Mutex->Count, MUTEX_CONTENDED, __ATOMIC_ACQUIRE) != MUTEX_FREE) {
        ULONGLONG Slice = IrqlpWaitSlice(&Wait, Apis[Api].Kind, Mutex, (ULONG_PTR)OwnerOf(Mutex));
        IrqlpLockWordWait((volatile ULONG *)&Mutex->Count, MUTEX_CONTENDED, Slice);
    }
}

static void Give(PFAST_MUTEX Mutex)
{
    if (__atomic_exchange_n(&Mutex->Count, MUTEX_FREE, __ATOMIC_RELEASE) == MUTEX_CONTENDED) {
        IrqlpLockWordWakeOne((volatile ULONG *)&Mutex->Count);
    }
}

/* The mutex was initialised, and for this family of routines. */
static void CheckKind(PFAST_MUTEX Mutex, IRQLP_MUTEX_API Api, BOOLEAN Release)
{
    ULONG Signature = Mutex->Host.Signature;
    if (Signature == Apis[Api].Signature) {
        return;
    }
    const char *Routine = Release ? Apis[Api].Release : Apis[Api].Acquire;
    if (Signature == SIGNATURE_FAST || Signature == SIGNATURE_GUARDED) {
        IrqlpVerifierStop(Release ? IRQLP_DV_RELEASE_API_MISMATCH : IRQLP_DV_ACQUIRE_API_MISMATCH,
                          Mutex, 0, 0, "%s(%p): the mutex was initialised as a %s by %s",
                          Routine, (void *)Mutex,
                          Signature == SIGNATURE_FAST ? "FAST_MUTEX" : "KGUARDED_MUTEX",
                          Signature == SIGNATURE_FAST ? "ExInitializeFastMutex"
                                                      : "KeInitializeGuardedMutex");
    }
    IrqlpVerifierStop(IRQLP_DV_UNINITIALIZED_LOCK, Mutex, 0, 0,
                      "%s(%p): the mutex has not been initialised (call %s first)", Routine,
                      (void *)Mutex,
                      Apis[Api].Signature == SIGNATURE_FAST ? "ExInitializeFastMutex"
                                                            : "KeInitializeGuardedMutex");
}

static void CheckNotOwner(PFAST_MUTEX Mutex, IRQLP_MUTEX_API Api)
{
    if (OwnerOf(Mutex) == (PVOID)IrqlpCurrentThread()) {
        IrqlpVerifierStop(IRQLP_DV_SELF_DEADLOCK, Mutex, 0, 0,
                          "%s(%p): the calling thread already owns this mutex, which is not "
                          "recursive: the real kernel would wait forever (self-deadlock)",
                          Apis[Api].Acquire, (void *)Mutex);
    }
}

static void BecomeOwner(PFAST_MUTEX Mutex, IRQLP_MUTEX_API Api, KIRQL OldIrql)
{
    __atomic_store_n(&Mutex->Owner, (PVOID)IrqlpCurrentThread(), __ATOMIC_RELAXED);
    Mutex->Host.AcquiredBy = (ULONG)Api;
    Mutex->OldIrql = OldIrql;
}

static void Acquire(PFAST_MUTEX Mutex, IRQLP_MUTEX_API Api)
{
    CheckKind(Mutex, Api, FALSE);
    CheckNotOwner(Mutex, Api);
    KIRQL Old = IrqlpCurrentThread()->Pcr.Irql;
    if (Apis[Api].Raises) {
        Old = KfRaiseIrql(APC_LEVEL);
    }
    Take(Mutex, Api);
    BecomeOwner(Mutex, Api, Old);
}

static BOOLEAN TryAcquire(PFAST_MUTEX Mutex, IRQLP_MUTEX_API Api)
{
    CheckKind(Mutex, Api, FALSE);
    KIRQL Old = KfRaiseIrql(APC_LEVEL);
    if (!TryTake(Mutex)) {
        KeLowerIrql(Old);
        return FALSE;
    }
    BecomeOwner(Mutex, Api, Old);
    return TRUE;
}

static void Release(PFAST_MUTEX Mutex, IRQLP_MUTEX_API Api)
{
    PIRQLP_THREAD Self = IrqlpCurrentThread();
    CheckKind(Mutex, Api, TRUE);
    PVOID Owner = OwnerOf(Mutex);
    if (Owner == NULL) {
        IrqlpVerifierStop(IRQLP_DV_RELEASE_NOT_ACQUIRED, Mutex, 0, 0,
                          "%s(%p): the mutex is not held (released twice, or never acquired)",
                          Apis[Api].Release, (void *)Mutex);
    }
    if (Owner != (PVOID)Self) {
        IrqlpVerifierStop(IRQLP_DV_WRONG_THREAD_RELEASE, Mutex, Owner, Self,
                          "%s(%p): the mutex is owned by another thread (%p); only the owner "
                          "may release it",
                          Apis[Api].Release, (void *)Mutex, Owner);
    }
    IRQLP_MUTEX_API By = (IRQLP_MUTEX_API)Mutex->Host.AcquiredBy;
    if (By != Api) {
        IrqlpVerifierStop(IRQLP_DV_RELEASE_API_MISMATCH, Mutex, 0, 0,
                          "%s(%p): the mutex was acquired by %s and must be released by %s",
                          Apis[Api].Release, (void *)Mutex,
                          By <= ApiGuardedUnsafe ? Apis[By].Acquire : "?",
                          By <= ApiGuardedUnsafe ? Apis[By].Release : "?");
    }
    KIRQL Old = (KIRQL)Mutex->OldIrql;
    Mutex->Host.AcquiredBy = ApiNone;
    __atomic_store_n(&Mutex->Owner, NULL, __ATOMIC_RELAXED);
    Give(Mutex);
    if (Apis[Api].Raises) {
        KeLowerIrql(Old);
    }
}

static void Initialize(PFAST_MUTEX Mutex, ULONG Signature, const char *Routine)
{
    if (IrqlpCurrentThread()->Pcr.Irql > DISPATCH_LEVEL) {
        IrqlpWrongIrql(Routine, Mutex, DISPATCH_LEVEL);
    }
    __atomic_store_n(&Mutex->Count, MUTEX_FREE, __ATOMIC_RELAXED);
    __atomic_store_n(&Mutex->Owner, NULL, __ATOMIC_RELAXED);
    Mutex->Contention = 0;
    Mutex->Host.Signature = Signature;
    Mutex->Host.AcquiredBy = ApiNone;
    Mutex->Host.Reserved[0] = Mutex->Host.Reserved[1] = 0;
    Mutex->OldIrql = PASSIVE_LEVEL;
}

/* ---- IRQL rules ------------------------------------------------------------------------ */

static void FastAcquireIrql(PFAST_MUTEX Mutex, const char *Routine)
{
    KIRQL Irql = IrqlpCurrentThread()->Pcr.Irql;
    if (Irql > APC_LEVEL) {
        char Now[16];
        IrqlpVerifierStop(IRQLP_DV_FAST_MUTEX_ACQUIRE_IRQL, Irql, Mutex, 0,
                          "%s(%p) at %s: allowed only at or below APC_LEVEL", Routine,
                          (void *)Mutex, IrqlpLevelText(Irql, Now));
    }
}

static void GuardedIrql(PFAST_MUTEX Mutex, const char *Routine)
{
    KIRQL Irql = IrqlpCurrentThread()->Pcr.Irql;
    if (Irql > APC_LEVEL) {
        char Now[16];
        IrqlpRuleStop(IRQLP_DV_RULE_IRQL_KE_APC_LTE1, IrqlKeApcLte1Rule, Mutex,
                      "%s(%p) at %s: allowed only at or below APC_LEVEL", Routine,
                      (void *)Mutex, IrqlpLevelText(Irql, Now));
    }
}

/*
 * The unsafe forms do not raise: their caller must already have normal kernel APCs off, by
 * running at APC_LEVEL or (fast mutex) inside a critical region — a guarded region is stronger
 * and counts too — or (guarded mutex) inside a guarded region, as their pages require.
 */
static void UnsafeContext(PFAST_MUTEX Mutex, IRQLP_MUTEX_API Api, BOOLEAN Release)
{
    PIRQLP_THREAD Self = IrqlpCurrentThread();
    const char *Routine = Release ? Apis[Api].Release : Apis[Api].Acquire;
    if (Api == ApiGuardedUnsafe) {
        GuardedIrql(Mutex, Routine);
    }
    BOOLEAN Region = Api == ApiGuardedUnsafe
                         ? Self->SpecialApcDisable > 0
                         : (Self->KernelApcDisable > 0 || Self->SpecialApcDisable > 0);
    if (Self->Pcr.Irql == APC_LEVEL || (Self->Pcr.Irql < APC_LEVEL && Region)) {
        return;
    }
    char Now[16];
    IrqlpVerifierStop(Release ? IRQLP_DV_UNSAFE_MUTEX_RELEASE : IRQLP_DV_UNSAFE_MUTEX_ACQUIRE,
                      Self->Pcr.Irql, IrqlpApcDisableParameter(Self), Mutex,
                      "%s(%p) at %s %s: the caller must run at APC_LEVEL or inside a %s region",
                      Routine, (void *)Mutex, IrqlpLevelText(Self->Pcr.Irql, Now),
                      Self->Pcr.Irql > APC_LEVEL ? "(above APC_LEVEL)" : "with APCs enabled",
                      Api == ApiGuardedUnsafe ? "guarded" : "critical");
}

/* ---- Fast mutex ------------------------------------------------------------------------ */

VOID ExInitializeFastMutex(PFAST_MUTEX FastMutex)
{
    Initialize(FastMutex, SIGNATURE_FAST, "ExInitializeFastMutex");
}

VOID ExAcquireFastMutex(PFAST_MUTEX FastMutex)
{
    FastAcquireIrql(FastMutex, "ExAcquireFastMutex");
    Acquire(FastMutex, ApiFast);
}

BOOLEAN ExTryToAcquireFastMutex(PFAST_MUTEX FastMutex)
{
    FastAcquireIrql(FastMutex, "ExTryToAcquireFastMutex");
    return TryAcquire(FastMutex, ApiFast);
}

VOID ExReleaseFastMutex(PFAST_MUTEX FastMutex)
{
    KIRQL Irql = IrqlpCurrentThread()->Pcr.Irql;
    if (Irql != APC_LEVEL) {
        char Now[16];
        IrqlpVerifierStop(IRQLP_DV_FAST_MUTEX_RELEASE_IRQL, Irql, FastMutex, 0,
                          "ExReleaseFastMutex(%p) at %s: allowed only at APC_LEVEL (where "
                          "ExAcquireFastMutex left the caller)",
                          (void *)FastMutex, IrqlpLevelText(Irql, Now));
    }
    Release(FastMutex, ApiFast);
}

VOID ExAcquireFastMutexUnsafe(PFAST_MUTEX FastMutex)
{
    UnsafeContext(FastMutex, ApiFastUnsafe, FALSE);
    Acquire(FastMutex, ApiFastUnsafe);
}

VOID ExReleaseFastMutexUnsafe(PFAST_MUTEX FastMutex)
{
    UnsafeContext(FastMutex, ApiFastUnsafe, TRUE);
    Release(FastMutex, ApiFastUnsafe);
}

/* ---- Guarded mutex --------------------------------------------------------------------- */

VOID KeInitializeGuardedMutex(PKGUARDED_MUTEX Mutex)
{
    Initialize(Mutex, SIGNATURE_GUARDED, "KeInitializeGuardedMutex");
}

VOID KeAcquireGuardedMutex(PKGUARDED_MUTEX Mutex)
{
    GuardedIrql(Mutex, "KeAcquireGuardedMutex");
    Acquire(Mutex, ApiGuarded);
}

BOOLEAN KeTryToAcquireGuardedMutex(PKGUARDED_MUTEX Mutex)
{
    GuardedIrql(Mutex, "KeTryToAcquireGuardedMutex");
    return TryAcquire(Mutex, ApiGuarded);
}

VOID KeReleaseGuardedMutex(PKGUARDED_MUTEX Mutex)
{
    KIRQL Irql = IrqlpCurrentThread()->Pcr.Irql;
    GuardedIrql(Mutex, "KeReleaseGuardedMutex");
    if (Irql < APC_LEVEL) {
        /*
         * The acquire left the holder at APC_LEVEL; below it the holder has lowered the IRQL
         * inside the guarded scope, which the fast-mutex release (what Windows 8+ runs) rejects.
         */
        char Now[16];
        IrqlpVerifierStop(IRQLP_DV_FAST_MUTEX_RELEASE_IRQL, Irql, Mutex, 0,
                          "KeReleaseGuardedMutex(%p) at %s: the holder must still be at "
                          "APC_LEVEL, where KeAcquireGuardedMutex left it",
                          (void *)Mutex, IrqlpLevelText(Irql, Now));
    }
    Release(Mutex, ApiGuarded);
}

VOID KeAcquireGuardedMutexUnsafe(PKGUARDED_MUTEX FastMutex)
{
    UnsafeContext(FastMutex, ApiGuardedUnsafe, FALSE);
    Acquire(FastMutex, ApiGuardedUnsafe);
}

VOID KeReleaseGuardedMutexUnsafe(PKGUARDED_MUTEX FastMutex)
{
    UnsafeContext(FastMutex, ApiGuardedUnsafe, TRUE);
    Release(FastMutex, ApiGuardedUnsafe);
}
