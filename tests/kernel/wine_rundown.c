/*
 * Run-down protection for kernels that stub it (Wine 8: ExAcquireRundownProtection and its
 * companions abort when called). The registry (src/registry.c) protects each key's value with
 * an EX_RUNDOWN_REF; this file gives the self-test driver its own implementation of the four
 * routines it uses, following their documentation, and binds the library's imports to it by
 * defining the import slots (__imp_…) the DDK's dllimport declarations read. The driver then
 * imports none of them. The registry's use of the real routines is tested on the host kernel.
 *
 * EX_RUNDOWN_REF.Count: twice the number of holders, bit 0 set once run-down has begun.
 */
#include <ntddk.h>

static VOID NTAPI Initialize(PEX_RUNDOWN_REF Ref)
{
    InterlockedExchangePointer((PVOID volatile *)&Ref->Ptr, NULL);
}

static BOOLEAN NTAPI Acquire(PEX_RUNDOWN_REF Ref)
{
    for (;;) {
        ULONG_PTR Count = Ref->Count;
        if (Count & 1) {
            return FALSE; /* run-down has begun */
        }
        if (InterlockedCompareExchangePointer((PVOID volatile *)&Ref->Ptr, (PVOID)(Count + 2),
                                              (PVOID)Count) == (PVOID)Count) {
            return TRUE;
        }
    }
}

static VOID NTAPI Release(PEX_RUNDOWN_REF Ref)
{
    InterlockedExchangeAdd64((LONG64 volatile *)&Ref->Count, -2);
}

static VOID NTAPI WaitForRelease(PEX_RUNDOWN_REF Ref)
{
    LARGE_INTEGER Poll;
    Poll.QuadPart = -10 * 1000; /* 1 ms */
    InterlockedOr64((LONG64 volatile *)&Ref->Count, 1);
    while (Ref->Count != 1) {
        KeDelayExecutionThread(KernelMode, FALSE, &Poll);
    }
}

VOID(NTAPI *__imp_ExInitializeRundownProtection)(PEX_RUNDOWN_REF) = Initialize;
BOOLEAN(NTAPI *__imp_ExAcquireRundownProtection)(PEX_RUNDOWN_REF) = Acquire;
VOID(NTAPI *__imp_ExReleaseRundownProtection)(PEX_RUNDOWN_REF) = Release;
VOID(NTAPI *__imp_ExWaitForRundownProtectionRelease)(PEX_RUNDOWN_REF) = WaitForRelease;
