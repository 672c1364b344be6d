/*
 * Push locks (EX_PUSH_LOCK, the Windows 10 1809+ driver API).
 *
 * The lock word. EX_PUSH_LOCK is a ULONG_PTR and 0 is a free lock, as on Windows. The host
 * uses its low 32 bits, so that every state change is visible to a futex waiter on that word:
 *   bit 0        held exclusively
 *   bit 1        a shared requester sleeps (cleared, with a wake, by the next release)
 *   bits 2-11    number of exclusive waiters (writers queue; new readers wait behind them)
 *   bits 12-31   number of shared holders
 * Anything in the upper 32 bits means the word was never a push lock (garbage memory).
 *
 * Ownership. Windows keeps no owner in a push lock, so a recursive acquire just hangs. The host
 * keeps, per thread, the push locks that thread holds and in which mode; that is what turns
 * those hangs into bug checks and catches releases of locks the thread does not hold. A thread
 * holding more than IRQLP_PUSH_HELD_MAX push locks at once loses these checks for the extra
 * ones (the lock word's checks still apply).
 */
#include "locks.h"

#define PL_EXCLUSIVE ((ULONG_PTR)0x1)
#define PL_SHARED_WAITING ((ULONG_PTR)0x2)
#define PL_WAITER_INC ((ULONG_PTR)0x4)
#define PL_WAITER_MASK ((ULONG_PTR)0xFFC)
#define PL_SHARED_INC ((ULONG_PTR)0x1000)
#define PL_SHARED_MASK ((ULONG_PTR)0xFFFFF000)
#define PL_VALID_MASK ((ULONG_PTR)0xFFFFFFFF)

_Static_assert(sizeof(EX_PUSH_LOCK) == sizeof(PVOID), "EX_PUSH_LOCK is pointer-sized");

typedef struct _IRQLP_HELD_PUSH_LOCK {
    PEX_PUSH_LOCK Lock;
    BOOLEAN Exclusive;
    ULONG Depth; /* shared re-acquisitions not yet released */
} IRQLP_HELD_PUSH_LOCK;

#define IRQLP_PUSH_HELD_MAX 64
static _Thread_local IRQLP_HELD_PUSH_LOCK Held[IRQLP_PUSH_HELD_MAX];
static _Thread_local ULONG HeldCount;
static _Thread_local ULONG HeldUntracked; /* acquisitions beyond the table */

/* The 32-bit half of the word that the futex watches. */
static volatile ULONG *FutexWord(PEX_PUSH_LOCK Lock)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return (volatile ULONG *)((volatile char *)Lock + sizeof(EX_PUSH_LOCK) - sizeof(ULONG));
#else
    return (volatile ULONG *)Lock;
#endif
}

static IRQLP_HELD_PUSH_LOCK *FindHeld(PEX_PUSH_LOCK Lock)
{
    for (ULONG i = 0; i < HeldCount; i++) {
        if (Held[i].Lock == Lock) {
            return &Held[i];
        }
    }
    return NULL;
}

static void Track(PEX_PUSH_LOCK Lock, BOOLEAN Exclusive)
{
    if (HeldCount < IRQLP_PUSH_HELD_MAX) {
        Held[HeldCount].Lock = Lock;
        Held[HeldCount].Exclusive = Exclusive;
        Held[HeldCount].Depth = 1;
        HeldCount++;
    } else {
        HeldUntracked++;
    }
}

static void Untrack(IRQLP_HELD_PUSH_LOCK *Entry)
{
    if (Entry == NULL) {
        HeldUntracked--;
        return;
    }
    *Entry = Held[--HeldCount];
}

static ULONG_PTR Load(PEX_PUSH_LOCK Lock)
{
    return __atomic_load_n(Lock, __ATOMIC_RELAXED);
}

static BOOLEAN Exchange(PEX_PUSH_LOCK Lock, ULONG_PTR *Expected, ULONG_PTR Desired, int Order)
{
    return __atomic_compare_exchange_n(Lock, Expected, Desired, 1, Order, __ATOMIC_RELAXED);
}

static void CheckContext(PEX_PUSH_LOCK Lock, const char *Routine, BOOLEAN Release)
{
    PIRQLP_THREAD Self = IrqlpCurrentThread();
    if (Self->Pcr.Irql > APC_LEVEL) {
        IrqlpWrongIrql(Routine, Lock, APC_LEVEL);
    }
    if (!IrqlpNormalApcsDisabled(Self)) {
        char Now[16];
        IrqlpVerifierStop(Release ? IRQLP_DV_PUSH_LOCK_RELEASE_APCS : IRQLP_DV_PUSH_LOCK_ACQUIRE_APCS,
                          Self->Pcr.Irql, IrqlpApcDisableParameter(Self), Lock,
                          "%s(%p) at %s with normal kernel APCs enabled: call "
                          "KeEnterCriticalRegion first",
                          Routine, (void *)Lock, IrqlpLevelText(Self->Pcr.Irql, Now));
    }
    ULONG_PTR Value = Load(Lock);
    if ((Value & ~PL_VALID_MASK) != 0) {
        IrqlpVerifierStop(IRQLP_DV_UNINITIALIZED_LOCK, Lock, Value, 0,
                          "%s(%p): 0x%llx is not a push lock (call ExInitializePushLock)",
                          Routine, (void *)Lock, (unsigned long long)Value);
    }
}

static DECLSPEC_NORETURN void SelfDeadlock(PEX_PUSH_LOCK Lock, const char *Routine,
                                           const char *Why)
{
    IrqlpVerifierStop(IRQLP_DV_SELF_DEADLOCK, Lock, 0, 0,
                      "%s(%p): %s; push locks are not recursive and the thread would hang "
                      "(self-deadlock)",
                      Routine, (void *)Lock, Why);
}

VOID ExInitializePushLock(PEX_PUSH_LOCK PushLock)
{
    __atomic_store_n(PushLock, (ULONG_PTR)0, __ATOMIC_RELAXED);
}

static BOOLEAN AcquireExclusive(PEX_PUSH_LOCK Lock, BOOLEAN Try, const char *Routine)
{
    CheckContext(Lock, Routine, FALSE);
    IRQLP_HELD_PUSH_LOCK *Entry = FindHeld(Lock);
    if (Entry != NULL) {
        if (Try) {
            return FALSE;
        }
        SelfDeadlock(Lock, Routine,
                     Entry->Exclusive ? "the calling thread already holds it exclusively"
                                      : "the calling thread holds it shared");
    }

    BOOLEAN Queued = FALSE;
    IRQLP_WAIT Wait;
    ULONG_PTR Value = Load(Lock);
    for (;;) {
        if ((Value & (PL_EXCLUSIVE | PL_SHARED_MASK)) == 0) {
            ULONG_PTR Desired = (Value | PL_EXCLUSIVE) - (Queued ? PL_WAITER_INC : 0);
            if (Exchange(Lock, &Value, Desired, __ATOMIC_ACQUIRE)) {
                break;
            }
            continue;
        }
        if (Try) {
            return FALSE;
        }
        if (!Queued) {
            if (!Exchange(Lock, &Value, Value + PL_WAITER_INC, __ATOMIC_RELAXED)) {
                continue;
            }
            Value += PL_WAITER_INC;
            Queued = TRUE;
            IrqlpWaitStart(&Wait);
        }
        ULONGLONG Slice = IrqlpWaitSlice(&Wait, "EX_PUSH_LOCK", Lock, 0);
        IrqlpLockWordWait(FutexWord(Lock), (ULONG)Value, Slice);
        Value = Load(Lock);
    }
    Track(Lock, TRUE);
    return TRUE;
}

static BOOLEAN AcquireShared(PEX_PUSH_LOCK Lock, BOOLEAN Try, const char *Routine)
{
    CheckContext(Lock, Routine, FALSE);
    IRQLP_HELD_PUSH_LOCK *Entry = FindHeld(Lock);
    if (Entry != NULL) {
        if (Entry->Exclusive) {
            if (Try) {
                return FALSE;
            }
            SelfDeadlock(Lock, Routine, "the calling thread already holds it exclusively");
        }
        if (Load(Lock) & PL_WAITER_MASK) {
            if (Try) {
                return FALSE;
            }
            SelfDeadlock(Lock, Routine,
                         "the calling thread holds it shared and an exclusive waiter is queued "
                         "behind that hold, so this shared request waits for the writer, which "
                         "waits for this thread");
        }
        /* Shared re-acquisition with no writer queued: Windows grants it, so do we. */
        __atomic_add_fetch(Lock, PL_SHARED_INC, __ATOMIC_ACQUIRE);
        Entry->Depth++;
        return TRUE;
    }

    BOOLEAN Started = FALSE;
    IRQLP_WAIT Wait;
    ULONG_PTR Value = Load(Lock);
    for (;;) {
        if ((Value & (PL_EXCLUSIVE | PL_WAITER_MASK)) == 0) {
            if (Exchange(Lock, &Value, Value + PL_SHARED_INC, __ATOMIC_ACQUIRE)) {
                break;
            }
            continue;
        }
        if (Try) {
            return FALSE;
        }
        if ((Value & PL_SHARED_WAITING) == 0) {
            if (!Exchange(Lock, &Value, Value | PL_SHARED_WAITING, __ATOMIC_RELAXED)) {
                continue;
            }
            Value |= PL_SHARED_WAITING;
        }
        if (!Started) {
            IrqlpWaitStart(&Wait);
            Started = TRUE;
        }
        ULONGLONG Slice = IrqlpWaitSlice(&Wait, "EX_PUSH_LOCK", Lock, 0);
        IrqlpLockWordWait(FutexWord(Lock), (ULONG)Value, Slice);
        Value = Load(Lock);
    }
    Track(Lock, FALSE);
    return TRUE;
}

/* The thread's record of its hold on Lock, checked against the mode being released. */
static IRQLP_HELD_PUSH_LOCK *CheckHeld(PEX_PUSH_LOCK Lock, int Mode, const char *Routine)
{
    IRQLP_HELD_PUSH_LOCK *Entry = FindHeld(Lock);
    if (Entry == NULL) {
        if (HeldUntracked != 0) {
            return NULL; /* beyond the table: trust the caller */
        }
        IrqlpVerifierStop(IRQLP_DV_RELEASE_NOT_ACQUIRED, Lock, 0, 0,
                          "%s(%p): the calling thread does not hold this push lock (released "
                          "twice, never acquired, or acquired by another thread)",
                          Routine, (void *)Lock);
    }
    if (Mode >= 0 && Entry->Exclusive != (BOOLEAN)Mode) {
        IrqlpVerifierStop(IRQLP_DV_RELEASE_API_MISMATCH, Lock, 0, 0,
                          "%s(%p): the push lock is held %s; release it with "
                          "ExReleasePushLock%s",
                          Routine, (void *)Lock, Entry->Exclusive ? "exclusively" : "shared",
                          Entry->Exclusive ? "Exclusive" : "Shared");
    }
    return Entry;
}

static void ReleaseExclusive(PEX_PUSH_LOCK Lock, IRQLP_HELD_PUSH_LOCK *Entry)
{
    ULONG_PTR Value = Load(Lock);
    while (!Exchange(Lock, &Value, Value & ~(PL_EXCLUSIVE | PL_SHARED_WAITING),
                     __ATOMIC_RELEASE)) {
    }
    Untrack(Entry);
    if (Value & (PL_SHARED_WAITING | PL_WAITER_MASK)) {
        IrqlpLockWordWakeAll(FutexWord(Lock));
    }
}

static void ReleaseShared(PEX_PUSH_LOCK Lock, IRQLP_HELD_PUSH_LOCK *Entry)
{
    ULONG_PTR Value = Load(Lock), Desired;
    BOOLEAN Wake;
    do {
        Desired = Value - PL_SHARED_INC;
        Wake = (Desired & PL_SHARED_MASK) == 0 &&
               (Desired & (PL_WAITER_MASK | PL_SHARED_WAITING)) != 0;
        if (Wake) {
            Desired &= ~PL_SHARED_WAITING;
        }
    } while (!Exchange(Lock, &Value, Desired, __ATOMIC_RELEASE));
    if (Entry == NULL || --Entry->Depth == 0) {
        Untrack(Entry);
    }
    if (Wake) {
        IrqlpLockWordWakeAll(FutexWord(Lock));
    }
}

VOID ExAcquirePushLockExclusiveEx(PEX_PUSH_LOCK PushLock, ULONG Flags)
{
    UNREFERENCED_PARAMETER(Flags);
    (void)AcquireExclusive(PushLock, FALSE, "ExAcquirePushLockExclusive");
}

VOID ExAcquirePushLockSharedEx(PEX_PUSH_LOCK PushLock, ULONG Flags)
{
    UNREFERENCED_PARAMETER(Flags);
    (void)AcquireShared(PushLock, FALSE, "ExAcquirePushLockShared");
}

BOOLEAN ExTryAcquirePushLockExclusiveEx(PEX_PUSH_LOCK PushLock, ULONG Flags)
{
    UNREFERENCED_PARAMETER(Flags);
    return AcquireExclusive(PushLock, TRUE, "ExTryAcquirePushLockExclusive");
}

BOOLEAN ExTryAcquirePushLockSharedEx(PEX_PUSH_LOCK PushLock, ULONG Flags)
{
    UNREFERENCED_PARAMETER(Flags);
    return AcquireShared(PushLock, TRUE, "ExTryAcquirePushLockShared");
}

VOID ExReleasePushLockExclusiveEx(PEX_PUSH_LOCK PushLock, ULONG Flags)
{
    UNREFERENCED_PARAMETER(Flags);
    CheckContext(PushLock, "ExReleasePushLockExclusive", TRUE);
    ReleaseExclusive(PushLock, CheckHeld(PushLock, TRUE, "ExReleasePushLockExclusive"));
}

VOID ExReleasePushLockSharedEx(PEX_PUSH_LOCK PushLock, ULONG Flags)
{
    UNREFERENCED_PARAMETER(Flags);
    CheckContext(PushLock, "ExReleasePushLockShared", TRUE);
    ReleaseShared(PushLock, CheckHeld(PushLock, FALSE, "ExReleasePushLockShared"));
}

VOID ExReleasePushLockEx(PEX_PUSH_LOCK PushLock, ULONG Flags)
{
    UNREFERENCED_PARAMETER(Flags);
    CheckContext(PushLock, "ExReleasePushLock", TRUE);
    IRQLP_HELD_PUSH_LOCK *Entry = CheckHeld(PushLock, -1, "ExReleasePushLock");
    BOOLEAN Exclusive = Entry != NULL ? Entry->Exclusive : (Load(PushLock) & PL_EXCLUSIVE) != 0;
    if (Exclusive) {
        ReleaseExclusive(PushLock, Entry);
    } else {
        ReleaseShared(PushLock, Entry);
    }
}
