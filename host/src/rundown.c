/*
 * Run-down protection.
 *
 * The word: bit 0 is EX_RUNDOWN_ACTIVE, the reference count sits above it. Acquire adds
 * EX_RUNDOWN_COUNT_INC unless the active bit is set; release subtracts it and, when that leaves
 * exactly "active, no references", wakes the waiter. The waiter sets the active bit and sleeps
 * on the word until it reads EX_RUNDOWN_ACTIVE. The futex watches the low 32 bits, which hold
 * every change as long as fewer than 2^31 references are outstanding; each sleep is also cut
 * into slices, so nothing else could stall it.
 *
 * The kernel swaps a pointer to a wait block into the word during run-down; the host keeps the
 * count there instead, which no caller can tell apart (the structure is opaque to drivers).
 */
#include "locks.h"

static volatile ULONG *FutexWord(PEX_RUNDOWN_REF RunRef)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return (volatile ULONG *)((volatile char *)&RunRef->Count + sizeof(ULONG_PTR) - sizeof(ULONG));
#else
    return (volatile ULONG *)&RunRef->Count;
#endif
}

static ULONG_PTR Load(PEX_RUNDOWN_REF RunRef)
{
    return __atomic_load_n(&RunRef->Count, __ATOMIC_ACQUIRE);
}

static void CheckIrql(PEX_RUNDOWN_REF RunRef, const char *Routine, KIRQL Max)
{
    if (IrqlpCurrentThread()->Pcr.Irql > Max) {
        IrqlpWrongIrql(Routine, RunRef, Max);
    }
}

/* Resetting the word while references are outstanding would make their releases underflow. */
static void CheckNoReferences(PEX_RUNDOWN_REF RunRef, const char *Routine)
{
    ULONG_PTR References = Load(RunRef) >> EX_RUNDOWN_COUNT_SHIFT;
    if (References != 0) {
        IrqlpVerifierStop(IRQLP_DV_DELETED_LOCK_OWNED, RunRef, References, 0,
                          "%s(%p): %lu run-down reference(s) are still outstanding (call "
                          "ExWaitForRundownProtectionRelease first)",
                          Routine, (void *)RunRef, (unsigned long)References);
    }
}

VOID ExInitializeRundownProtection(PEX_RUNDOWN_REF RunRef)
{
    CheckIrql(RunRef, "ExInitializeRundownProtection", APC_LEVEL);
    __atomic_store_n(&RunRef->Count, (ULONG_PTR)0, __ATOMIC_RELEASE);
}

VOID ExReInitializeRundownProtection(PEX_RUNDOWN_REF RunRef)
{
    CheckIrql(RunRef, "ExReInitializeRundownProtection", APC_LEVEL);
    CheckNoReferences(RunRef, "ExReInitializeRundownProtection");
    __atomic_store_n(&RunRef->Count, (ULONG_PTR)0, __ATOMIC_RELEASE);
}

BOOLEAN ExAcquireRundownProtectionEx(PEX_RUNDOWN_REF RunRef, ULONG Count)
{
    CheckIrql(RunRef, "ExAcquireRundownProtection", DISPATCH_LEVEL);
    ULONG_PTR Value = __atomic_load_n(&RunRef->Count, __ATOMIC_RELAXED);
    for (;;) {
        if (Value & EX_RUNDOWN_ACTIVE) {
            return FALSE;
        }
        ULONG_PTR Desired = Value + ((ULONG_PTR)Count << EX_RUNDOWN_COUNT_SHIFT);
        if (__atomic_compare_exchange_n(&RunRef->Count, &Value, Desired, 1, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED)) {
            return TRUE;
        }
    }
}

BOOLEAN ExAcquireRundownProtection(PEX_RUNDOWN_REF RunRef)
{
    return ExAcquireRundownProtectionEx(RunRef, 1);
}

VOID ExReleaseRundownProtectionEx(PEX_RUNDOWN_REF RunRef, ULONG Count)
{
    CheckIrql(RunRef, "ExReleaseRundownProtection", DISPATCH_LEVEL);
    ULONG_PTR Value = __atomic_load_n(&RunRef->Count, __ATOMIC_RELAXED), Desired;
    do {
        ULONG_PTR References = Value >> EX_RUNDOWN_COUNT_SHIFT;
        if (References < Count) {
            IrqlpVerifierStop(IRQLP_DV_RELEASE_NOT_ACQUIRED, RunRef, References, Count,
                              "ExReleaseRundownProtection(%p): releasing %lu reference(s) but "
                              "only %lu are held (release without a matching acquire)",
                              (void *)RunRef, (unsigned long)Count, (unsigned long)References);
        }
        Desired = Value - ((ULONG_PTR)Count << EX_RUNDOWN_COUNT_SHIFT);
    } while (!__atomic_compare_exchange_n(&RunRef->Count, &Value, Desired, 1, __ATOMIC_RELEASE,
                                          __ATOMIC_RELAXED));
    if (Desired == EX_RUNDOWN_ACTIVE) {
        IrqlpLockWordWakeAll(FutexWord(RunRef));
    }
}

VOID ExReleaseRundownProtection(PEX_RUNDOWN_REF RunRef)
{
    ExReleaseRundownProtectionEx(RunRef, 1);
}

VOID ExWaitForRundownProtectionRelease(PEX_RUNDOWN_REF RunRef)
{
    CheckIrql(RunRef, "ExWaitForRundownProtectionRelease", APC_LEVEL);
    ULONG_PTR Value = __atomic_or_fetch(&RunRef->Count, (ULONG_PTR)EX_RUNDOWN_ACTIVE,
                                        __ATOMIC_ACQ_REL);
    IRQLP_WAIT Wait;
    IrqlpWaitStart(&Wait);
    while (Value != EX_RUNDOWN_ACTIVE) {
        ULONGLONG Slice = IrqlpWaitSlice(&Wait, "EX_RUNDOWN_REF", RunRef, 0);
        IrqlpLockWordWait(FutexWord(RunRef), (ULONG)Value, Slice);
        Value = Load(RunRef);
    }
}

VOID ExRundownCompleted(PEX_RUNDOWN_REF RunRef)
{
    CheckIrql(RunRef, "ExRundownCompleted", APC_LEVEL);
    CheckNoReferences(RunRef, "ExRundownCompleted");
    __atomic_store_n(&RunRef->Count, (ULONG_PTR)EX_RUNDOWN_ACTIVE, __ATOMIC_RELEASE);
}
