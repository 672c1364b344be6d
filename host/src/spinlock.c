/*
 * Executive spin locks (plain and in-stack queued) with Driver Verifier's checks.
 *
 * The lock word. A KSPIN_LOCK is one ULONG_PTR: 0 is free. Bit 0 is set while the lock is held
 * and the rest of the word is then the owner's IRQLP_THREAD address (8-byte aligned, so bits
 * 0-2 are free for flags). Bits 1 and 2 are sticky: they record that the lock has ever been
 * taken as a queued respectively plain spin lock, which is how mixing the two forms on one lock
 * (forbidden by the WDK) is caught even when the two uses never overlap in time.
 *
 * Per-acquisition state. What the kernel keeps nowhere but a verifier must know (the IRQL a
 * KeAcquireSpinLock returned, which API took the lock, the order of acquisition) lives in a
 * small per-thread stack of held spin locks. A thread holding more than IRQLP_HELD_MAX spin
 * locks at once (far beyond any sane driver) simply loses those per-acquisition checks for the
 * extra ones; the lock word's checks still apply.
 *
 * Queued locks. The real in-stack queued lock builds a queue of waiters (FIFO hand-off). On the
 * host both forms spin on the same compare-and-swap; only the bookkeeping differs. Fairness is
 * not a documented guarantee a driver may rely on, so nothing observable is lost.
 */
#include "locks.h"

#define SL_HELD ((ULONG_PTR)1)
#define SL_USED_QUEUED ((ULONG_PTR)2)
#define SL_USED_PLAIN ((ULONG_PTR)4)
#define SL_STICKY (SL_USED_QUEUED | SL_USED_PLAIN)
#define SL_FLAGS ((ULONG_PTR)7)

_Static_assert(_Alignof(IRQLP_THREAD) >= 8, "the owner's address needs 3 free low bits");

typedef enum _IRQLP_SPIN_FORM {
    FormRaise,        /* KeAcquireSpinLock(RaiseToDpc) */
    FormAtDpc,        /* KeAcquireSpinLockAtDpcLevel, KeTryToAcquireSpinLockAtDpcLevel */
    FormQueuedRaise,  /* KeAcquireInStackQueuedSpinLock */
    FormQueuedAtDpc,  /* KeAcquireInStackQueuedSpinLockAtDpcLevel */
} IRQLP_SPIN_FORM;

static const char *const FormAcquirer[] = {
    "KeAcquireSpinLock",
    "KeAcquireSpinLockAtDpcLevel",
    "KeAcquireInStackQueuedSpinLock",
    "KeAcquireInStackQueuedSpinLockAtDpcLevel",
};
static const char *const FormReleaser[] = {
    "KeReleaseSpinLock",
    "KeReleaseSpinLockFromDpcLevel",
    "KeReleaseInStackQueuedSpinLock",
    "KeReleaseInStackQueuedSpinLockFromDpcLevel",
};

typedef struct _IRQLP_HELD_SPIN_LOCK {
    PKSPIN_LOCK Lock;
    PKLOCK_QUEUE_HANDLE Handle; /* queued forms: the handle the acquisition filled */
    KIRQL OldIrql;              /* raising forms: the IRQL to return to */
    IRQLP_SPIN_FORM Form;
} IRQLP_HELD_SPIN_LOCK;

/* The uncontended acquire/release path is budgeted at 3× a pthread mutex pair: keep the
   checks it runs inline (their failure paths are cold). */
#define FORCEINLINE_HOT inline __attribute__((always_inline))

#define IRQLP_HELD_MAX 64
static _Thread_local IRQLP_HELD_SPIN_LOCK Held[IRQLP_HELD_MAX];
static _Thread_local ULONG HeldCount;

static const char IrqlKeReleaseSpinLockRule[] =
    "IrqlKeReleaseSpinLock: KeReleaseSpinLock only at DISPATCH_LEVEL, with NewIrql equal to the "
    "IRQL before the matching KeAcquireSpinLock";

static BOOLEAN IsQueued(IRQLP_SPIN_FORM Form)
{
    return Form == FormQueuedRaise || Form == FormQueuedAtDpc;
}

static ULONG_PTR OwnerOf(ULONG_PTR Value)
{
    return (Value & SL_HELD) ? (Value & ~SL_FLAGS) : 0;
}

static FORCEINLINE_HOT IRQLP_HELD_SPIN_LOCK *FindHeld(PKSPIN_LOCK Lock)
{
    for (ULONG i = HeldCount; i-- > 0;) {
        if (Held[i].Lock == Lock) {
            return &Held[i];
        }
    }
    return NULL;
}

static FORCEINLINE_HOT void PushHeld(PKSPIN_LOCK Lock, PKLOCK_QUEUE_HANDLE Handle, KIRQL OldIrql,
                     IRQLP_SPIN_FORM Form)
{
    if (HeldCount < IRQLP_HELD_MAX) {
        Held[HeldCount].Lock = Lock;
        Held[HeldCount].Handle = Handle;
        Held[HeldCount].OldIrql = OldIrql;
        Held[HeldCount].Form = Form;
        HeldCount++;
    }
}

static FORCEINLINE_HOT void RemoveHeld(IRQLP_HELD_SPIN_LOCK *Entry)
{
    if (Entry == NULL) {
        return;
    }
    ULONG Index = (ULONG)(Entry - Held);
    for (ULONG i = Index; i + 1 < HeldCount; i++) {
        Held[i] = Held[i + 1];
    }
    HeldCount--;
}

/* Checks every acquisition makes before it spins: mixing forms, and recursion. */
static FORCEINLINE_HOT void CheckAcquire(PKSPIN_LOCK Lock, IRQLP_SPIN_FORM Form, ULONG_PTR Me)
{
    ULONG_PTR Value = __atomic_load_n(Lock, __ATOMIC_RELAXED);
    ULONG_PTR OtherUse = IsQueued(Form) ? SL_USED_PLAIN : SL_USED_QUEUED;
    if (Value & OtherUse) {
        IrqlpVerifierStop(IRQLP_DV_ACQUIRE_API_MISMATCH, Lock, 0, 0,
                          "%s(%p): this spin lock has been acquired as a %s spin lock; a lock "
                          "must always be acquired either queued or plain, never both",
                          FormAcquirer[Form], (void *)Lock, IsQueued(Form) ? "plain" : "queued");
    }
    if (OwnerOf(Value) == Me) {
        IrqlpVerifierStop(IRQLP_DV_SELF_DEADLOCK, Lock, 0, 0,
                          "%s(%p): the calling thread already holds this spin lock; acquiring "
                          "it again would spin forever (self-deadlock)",
                          FormAcquirer[Form], (void *)Lock);
    }
}

/* Take the lock word, spinning while another thread holds it. */
static void SpinUntilAcquired(PKSPIN_LOCK Lock, IRQLP_SPIN_FORM Form, ULONG_PTR Me)
{
    ULONG_PTR Use = IsQueued(Form) ? SL_USED_QUEUED : SL_USED_PLAIN;
    ULONG_PTR Value = __atomic_load_n(Lock, __ATOMIC_RELAXED);
    IRQLP_WAIT Wait;
    ULONG Spins = 0;

    for (;;) {
        if ((Value & SL_HELD) == 0) {
            if (__atomic_compare_exchange_n(Lock, &Value, (Value & SL_STICKY) | Use | Me | SL_HELD,
                                            1, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
                return;
            }
            continue; /* Value now holds what we found */
        }
        /* Look at the clock only once the wait is no longer short, and then now and then. */
        if (++Spins % 4096 == 0) {
            if (Spins == 4096) {
                IrqlpWaitStart(&Wait);
            } else {
                (void)IrqlpWaitSlice(&Wait, "KSPIN_LOCK", Lock, OwnerOf(Value));
            }
        }
        IrqlpSpinPause(Spins);
        Value = __atomic_load_n(Lock, __ATOMIC_RELAXED);
    }
}

static FORCEINLINE_HOT void Acquire(PKSPIN_LOCK Lock, PKLOCK_QUEUE_HANDLE Handle, KIRQL OldIrql,
                    IRQLP_SPIN_FORM Form)
{
    PIRQLP_THREAD Self = IrqlpCurrentThread();
    SpinUntilAcquired(Lock, Form, (ULONG_PTR)Self);
    Self->SpinLocksHeld++;
    PushHeld(Lock, Handle, OldIrql, Form);
}

/*
 * Checks every release makes: the lock must be held, by this thread, and have been taken by
 * the matching API. Returns the thread's record of the acquisition (NULL if untracked).
 */
static FORCEINLINE_HOT IRQLP_HELD_SPIN_LOCK *CheckRelease(PKSPIN_LOCK Lock, IRQLP_SPIN_FORM Form, ULONG_PTR Me)
{
    ULONG_PTR Value = __atomic_load_n(Lock, __ATOMIC_RELAXED);
    if ((Value & SL_HELD) == 0) {
        IrqlpVerifierStop(IRQLP_DV_RELEASE_NOT_ACQUIRED, Lock, 0, 0,
                          "%s(%p): the spin lock is not held (released twice, or never "
                          "acquired)",
                          FormReleaser[Form], (void *)Lock);
    }
    if (OwnerOf(Value) != Me) {
        IrqlpVerifierStop(IRQLP_DV_WRONG_THREAD_RELEASE, Lock, OwnerOf(Value), Me,
                          "%s(%p): the spin lock is held by another thread (owner %p)",
                          FormReleaser[Form], (void *)Lock, (void *)OwnerOf(Value));
    }
    IRQLP_HELD_SPIN_LOCK *Entry = FindHeld(Lock);
    BOOLEAN HeldQueued = Entry != NULL ? IsQueued(Entry->Form) : (Value & SL_USED_QUEUED) != 0;
    if (HeldQueued != IsQueued(Form) || (Entry != NULL && Entry->Form != Form)) {
        IrqlpVerifierStop(IRQLP_DV_RELEASE_API_MISMATCH, Lock, 0, 0,
                          "%s(%p): the lock was acquired by %s and must be released by %s",
                          FormReleaser[Form], (void *)Lock,
                          Entry != NULL ? FormAcquirer[Entry->Form]
                                        : (HeldQueued ? "a queued acquire" : "a plain acquire"),
                          Entry != NULL ? FormReleaser[Entry->Form]
                                        : (HeldQueued ? "a queued release" : "a plain release"));
    }
    return Entry;
}

/*
 * A raising release returns to NewIrql. Below DISPATCH_LEVEL while the thread still holds a
 * spin lock it took after this one, the thread would run preemptible with a spin lock held,
 * the classic out-of-order release: Deadlock Detection's 0x1003.
 */
static FORCEINLINE_HOT void CheckReleaseOrder(PKSPIN_LOCK Lock, IRQLP_HELD_SPIN_LOCK *Entry, KIRQL NewIrql,
                              const char *Routine)
{
    PIRQLP_THREAD Self = IrqlpCurrentThread();
    if (NewIrql >= DISPATCH_LEVEL || Self->SpinLocksHeld <= 1) {
        return;
    }
    PKSPIN_LOCK Other = NULL;
    for (ULONG i = HeldCount; i-- > 0;) {
        if (&Held[i] != Entry) {
            Other = Held[i].Lock;
            break;
        }
    }
    char Level[16];
    IrqlpVerifierStop(IRQLP_DV_OUT_OF_ORDER_RELEASE, Lock, Other, 0,
                      "%s(%p) would return to %s while the thread still holds spin lock %p: "
                      "release spin locks in the reverse order of acquisition",
                      Routine, (void *)Lock, IrqlpLevelText(NewIrql, Level), (void *)Other);
}

static FORCEINLINE_HOT void Release(PKSPIN_LOCK Lock, IRQLP_HELD_SPIN_LOCK *Entry)
{
    ULONG_PTR Value = __atomic_load_n(Lock, __ATOMIC_RELAXED);
    /* Only the owner writes a held lock, so a plain release store is enough. */
    __atomic_store_n(Lock, Value & SL_STICKY, __ATOMIC_RELEASE);
    IrqlpCurrentThread()->SpinLocksHeld--;
    RemoveHeld(Entry);
}

VOID KeInitializeSpinLock(PKSPIN_LOCK SpinLock)
{
    __atomic_store_n(SpinLock, (ULONG_PTR)0, __ATOMIC_RELAXED);
}

KIRQL KeAcquireSpinLockRaiseToDpc(PKSPIN_LOCK SpinLock)
{
    PIRQLP_THREAD Self = IrqlpCurrentThread();
    if (Self->Pcr.Irql > DISPATCH_LEVEL) {
        char Now[16];
        IrqlpVerifierStop(IRQLP_DV_SPINLOCK_ACQUIRE_IRQL, Self->Pcr.Irql, SpinLock, 0,
                          "KeAcquireSpinLock(%p) at %s: allowed only at or below DISPATCH_LEVEL",
                          (void *)SpinLock, IrqlpLevelText(Self->Pcr.Irql, Now));
    }
    CheckAcquire(SpinLock, FormRaise, (ULONG_PTR)Self);
    KIRQL Old = KeRaiseIrqlToDpcLevel();
    Acquire(SpinLock, NULL, Old, FormRaise);
    return Old;
}

VOID KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql)
{
    PIRQLP_THREAD Self = IrqlpCurrentThread();
    if (Self->Pcr.Irql != DISPATCH_LEVEL) {
        char Now[16];
        IrqlpVerifierStop(IRQLP_DV_SPINLOCK_RELEASE_IRQL, Self->Pcr.Irql, SpinLock, 0,
                          "KeReleaseSpinLock(%p) at %s: allowed only at DISPATCH_LEVEL (a second "
                          "release of the same lock looks like this)",
                          (void *)SpinLock, IrqlpLevelText(Self->Pcr.Irql, Now));
    }
    IRQLP_HELD_SPIN_LOCK *Entry = CheckRelease(SpinLock, FormRaise, (ULONG_PTR)Self);
    if (Entry != NULL && Entry->OldIrql != NewIrql) {
        char Given[16], Saved[16];
        IrqlpRuleStop(IRQLP_DV_RULE_IRQL_KE_RELEASE_SPIN, IrqlKeReleaseSpinLockRule, SpinLock,
                      "KeReleaseSpinLock(%p, %s): NewIrql must be the IRQL KeAcquireSpinLock "
                      "returned (%s)",
                      (void *)SpinLock, IrqlpLevelText(NewIrql, Given),
                      IrqlpLevelText(Entry->OldIrql, Saved));
    }
    CheckReleaseOrder(SpinLock, Entry, NewIrql, "KeReleaseSpinLock");
    Release(SpinLock, Entry);
    KeLowerIrql(NewIrql);
}

VOID KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock)
{
    PIRQLP_THREAD Self = IrqlpCurrentThread();
    if (Self->Pcr.Irql < DISPATCH_LEVEL) {
        char Now[16];
        IrqlpVerifierStop(IRQLP_DV_SPINLOCK_AT_DPC_ACQUIRE, Self->Pcr.Irql, SpinLock, 0,
                          "KeAcquireSpinLockAtDpcLevel(%p) at %s: the caller must already run at "
                          "DISPATCH_LEVEL (use KeAcquireSpinLock)",
                          (void *)SpinLock, IrqlpLevelText(Self->Pcr.Irql, Now));
    }
    CheckAcquire(SpinLock, FormAtDpc, (ULONG_PTR)Self);
    Acquire(SpinLock, NULL, Self->Pcr.Irql, FormAtDpc);
}

VOID KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock)
{
    PIRQLP_THREAD Self = IrqlpCurrentThread();
    if (Self->Pcr.Irql < DISPATCH_LEVEL) {
        char Now[16];
        IrqlpVerifierStop(IRQLP_DV_SPINLOCK_AT_DPC_RELEASE, Self->Pcr.Irql, SpinLock, 0,
                          "KeReleaseSpinLockFromDpcLevel(%p) at %s: allowed only at "
                          "DISPATCH_LEVEL or above",
                          (void *)SpinLock, IrqlpLevelText(Self->Pcr.Irql, Now));
    }
    IRQLP_HELD_SPIN_LOCK *Entry = CheckRelease(SpinLock, FormAtDpc, (ULONG_PTR)Self);
    Release(SpinLock, Entry);
}

BOOLEAN KeTryToAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock)
{
    PIRQLP_THREAD Self = IrqlpCurrentThread();
    if (Self->Pcr.Irql < DISPATCH_LEVEL) {
        char Now[16];
        IrqlpVerifierStop(IRQLP_DV_SPINLOCK_AT_DPC_ACQUIRE, Self->Pcr.Irql, SpinLock, 0,
                          "KeTryToAcquireSpinLockAtDpcLevel(%p) at %s: the caller must already "
                          "run at DISPATCH_LEVEL",
                          (void *)SpinLock, IrqlpLevelText(Self->Pcr.Irql, Now));
    }
    ULONG_PTR Value = __atomic_load_n(SpinLock, __ATOMIC_RELAXED);
    if (Value & SL_USED_QUEUED) {
        CheckAcquire(SpinLock, FormAtDpc, (ULONG_PTR)Self); /* reports the mix */
    }
    while ((Value & SL_HELD) == 0) {
        if (__atomic_compare_exchange_n(SpinLock, &Value,
                                        (Value & SL_STICKY) | SL_USED_PLAIN | (ULONG_PTR)Self |
                                            SL_HELD,
                                        1, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
            Self->SpinLocksHeld++;
            PushHeld(SpinLock, NULL, Self->Pcr.Irql, FormAtDpc);
            return TRUE;
        }
    }
    return FALSE;
}

BOOLEAN KeTestSpinLock(PKSPIN_LOCK SpinLock)
{
    return (__atomic_load_n(SpinLock, __ATOMIC_RELAXED) & SL_HELD) == 0;
}

VOID KeAcquireInStackQueuedSpinLock(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle)
{
    PIRQLP_THREAD Self = IrqlpCurrentThread();
    if (Self->Pcr.Irql > DISPATCH_LEVEL) {
        char Now[16];
        /* The documented rule is the one for KeAcquireSpinLock: <= DISPATCH_LEVEL. */
        IrqlpVerifierStop(IRQLP_DV_SPINLOCK_ACQUIRE_IRQL, Self->Pcr.Irql, SpinLock, 0,
                          "KeAcquireInStackQueuedSpinLock(%p) at %s: allowed only at or below "
                          "DISPATCH_LEVEL",
                          (void *)SpinLock, IrqlpLevelText(Self->Pcr.Irql, Now));
    }
    CheckAcquire(SpinLock, FormQueuedRaise, (ULONG_PTR)Self);
    KIRQL Old = KeRaiseIrqlToDpcLevel();
    Acquire(SpinLock, LockHandle, Old, FormQueuedRaise);
    LockHandle->LockQueue.Next = NULL;
    LockHandle->LockQueue.Lock = SpinLock;
    LockHandle->OldIrql = Old;
}

/* The checks both queued releases make on the handle; returns the record of the acquisition. */
static FORCEINLINE_HOT IRQLP_HELD_SPIN_LOCK *CheckQueuedRelease(PKLOCK_QUEUE_HANDLE LockHandle,
                                                IRQLP_SPIN_FORM Form)
{
    PKSPIN_LOCK Lock = LockHandle->LockQueue.Lock;
    if (Lock == NULL) {
        IrqlpVerifierStop(IRQLP_DV_RELEASE_NOT_ACQUIRED, 0, 0, 0,
                          "%s(%p): the KLOCK_QUEUE_HANDLE names no spin lock: it was never "
                          "filled by an acquire",
                          FormReleaser[Form], (void *)LockHandle);
    }
    IRQLP_HELD_SPIN_LOCK *Entry = CheckRelease(Lock, Form, (ULONG_PTR)IrqlpCurrentThread());
    if (Entry != NULL && Entry->Handle != LockHandle) {
        IrqlpVerifierStop(IRQLP_DV_RELEASE_API_MISMATCH, Lock, 0, 0,
                          "%s(%p): spin lock %p was acquired with another KLOCK_QUEUE_HANDLE "
                          "(%p); release with the handle the acquire filled",
                          FormReleaser[Form], (void *)LockHandle, (void *)Lock,
                          (void *)Entry->Handle);
    }
    return Entry;
}

VOID KeReleaseInStackQueuedSpinLock(PKLOCK_QUEUE_HANDLE LockHandle)
{
    PIRQLP_THREAD Self = IrqlpCurrentThread();
    PKSPIN_LOCK Lock = LockHandle->LockQueue.Lock;
    if (Self->Pcr.Irql != DISPATCH_LEVEL) {
        char Now[16];
        IrqlpVerifierStop(IRQLP_DV_QUEUED_SPINLOCK_IRQL, Self->Pcr.Irql, Lock, LockHandle->OldIrql,
                          "KeReleaseInStackQueuedSpinLock(%p) at %s: allowed only at "
                          "DISPATCH_LEVEL (a second release of the same handle looks like this)",
                          (void *)LockHandle, IrqlpLevelText(Self->Pcr.Irql, Now));
    }
    IRQLP_HELD_SPIN_LOCK *Entry = CheckQueuedRelease(LockHandle, FormQueuedRaise);
    if (Entry != NULL && Entry->OldIrql != LockHandle->OldIrql) {
        char Given[16], Saved[16];
        IrqlpVerifierStop(IRQLP_DV_QUEUED_SPINLOCK_IRQL, Self->Pcr.Irql, Lock, LockHandle->OldIrql,
                          "KeReleaseInStackQueuedSpinLock(%p): the handle's saved IRQL (%s) is "
                          "not the one the acquire stored (%s): the handle was overwritten",
                          (void *)LockHandle, IrqlpLevelText(LockHandle->OldIrql, Given),
                          IrqlpLevelText(Entry->OldIrql, Saved));
    }
    CheckReleaseOrder(Lock, Entry, LockHandle->OldIrql, "KeReleaseInStackQueuedSpinLock");
    KIRQL Old = LockHandle->OldIrql;
    Release(Lock, Entry);
    KeLowerIrql(Old);
}

VOID KeAcquireInStackQueuedSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock,
                                              PKLOCK_QUEUE_HANDLE LockHandle)
{
    PIRQLP_THREAD Self = IrqlpCurrentThread();
    if (Self->Pcr.Irql < DISPATCH_LEVEL) {
        char Now[16];
        IrqlpVerifierStop(IRQLP_DV_SPINLOCK_AT_DPC_ACQUIRE, Self->Pcr.Irql, SpinLock, 0,
                          "KeAcquireInStackQueuedSpinLockAtDpcLevel(%p) at %s: the caller must "
                          "already run at DISPATCH_LEVEL",
                          (void *)SpinLock, IrqlpLevelText(Self->Pcr.Irql, Now));
    }
    CheckAcquire(SpinLock, FormQueuedAtDpc, (ULONG_PTR)Self);
    Acquire(SpinLock, LockHandle, Self->Pcr.Irql, FormQueuedAtDpc);
    LockHandle->LockQueue.Next = NULL;
    LockHandle->LockQueue.Lock = SpinLock;
    LockHandle->OldIrql = Self->Pcr.Irql;
}

VOID KeReleaseInStackQueuedSpinLockFromDpcLevel(PKLOCK_QUEUE_HANDLE LockHandle)
{
    PIRQLP_THREAD Self = IrqlpCurrentThread();
    PKSPIN_LOCK Lock = LockHandle->LockQueue.Lock;
    if (Self->Pcr.Irql < DISPATCH_LEVEL) {
        char Now[16];
        IrqlpVerifierStop(IRQLP_DV_SPINLOCK_AT_DPC_RELEASE, Self->Pcr.Irql, Lock, 0,
                          "KeReleaseInStackQueuedSpinLockFromDpcLevel(%p) at %s: allowed only at "
                          "DISPATCH_LEVEL or above",
                          (void *)LockHandle, IrqlpLevelText(Self->Pcr.Irql, Now));
    }
    IRQLP_HELD_SPIN_LOCK *Entry = CheckQueuedRelease(LockHandle, FormQueuedAtDpc);
    Release(Lock, Entry);
}
