/* irql/ddi.h: WDK routines from every family, each called at a level its documentation allows.
   Most are not declared by the host headers: CHECK(Fn) makes IRQL_CALL(Fn)'s check without the
   call (contracts are keyed by name). The last two functions make real calls. */
#include <irql/ddi.h>

/* A contract check without a call: the same static assertions as IRQL_CALL(Fn). */
#ifdef IRQL_NO_CONTRACTS
#define CHECK(Fn) ((void)0)
#else
#define CHECK(Fn) ((void)IRQL__CHECKED(IRQL__INSIDE(1, IRQL__CONTEXT_CODE, IRQL__FN_CODE(Fn), \
                                                    "IRQL violation: CHECK(" #Fn ")", #Fn), 0))
#endif

IRQL_MAX(AtPassive, PASSIVE_LEVEL)
VOID AtPassive(VOID)
{
    IRQL_ENTER(AtPassive);
    CHECK(ZwCreateFile); CHECK(ZwOpenKey); CHECK(ZwQueryValueKey); CHECK(ZwClose);
    CHECK(IoCreateDevice); CHECK(IoCreateSymbolicLink); CHECK(IoInitializeRemoveLock);
    CHECK(ObReferenceObjectByHandle); CHECK(PsCreateSystemThread);
    CHECK(RtlEqualUnicodeString); CHECK(KeFlushQueuedDpcs); CHECK(KeInitializeMutex);
    CHECK(KeWaitForSingleObject); CHECK(ExAllocatePool2); CHECK(ExAcquireFastMutex);
    CHECK(ExAcquireResourceExclusiveLite); CHECK(MmProbeAndLockPages); CHECK(RtlZeroMemory);
    CHECK(KeDelayExecutionThread); CHECK(ExWaitForRundownProtectionRelease);
    CHECK(IoReleaseRemoveLockAndWait); CHECK(IoBuildDeviceIoControlRequest);
    CHECK(PsGetCurrentThreadId); CHECK(KeQuerySystemTime); CHECK(KeReleaseSemaphore);
}

IRQL_AT(AtDispatch, DISPATCH_LEVEL)
VOID AtDispatch(VOID)
{
    IRQL_ENTER(AtDispatch);
    CHECK(IoCompleteRequest); CHECK(IoCallDriver); CHECK(IoAllocateIrp); CHECK(IoFreeIrp);
    CHECK(IoQueueWorkItem); CHECK(IoAcquireRemoveLock); CHECK(IoReleaseRemoveLock);
    CHECK(IoAllocateMdl); CHECK(MmGetSystemAddressForMdlSafe); CHECK(MmBuildMdlForNonPagedPool);
    CHECK(IrqlKeSetEventNoWait); CHECK(KeResetEvent); CHECK(KeSetTimer); CHECK(KeCancelTimer);
    CHECK(KeInsertQueueDpc); CHECK(KeReleaseSpinLock); CHECK(KeAcquireSpinLockAtDpcLevel);
    CHECK(KeReleaseInStackQueuedSpinLock); CHECK(KeReleaseMutex);
    CHECK(ExReleaseResourceLite); CHECK(ExQueueWorkItem);
    CHECK(ExAllocateFromNPagedLookasideList); CHECK(ObfDereferenceObject);
    CHECK(ObDereferenceObject); CHECK(IoReleaseCancelSpinLock); CHECK(IoStartNextPacket);
    CHECK(IrqlKeWaitPoll); CHECK(IrqlExAllocatePool2NonPaged); CHECK(IrqlExFreePoolNonPaged);
}

IRQL_AT(AtApc, APC_LEVEL)
VOID AtApc(VOID)
{
    IRQL_ENTER(AtApc);
    CHECK(ExReleaseFastMutex); CHECK(KeWaitForMultipleObjects); CHECK(KeSetEvent);
    CHECK(IoCreateDevice); CHECK(ExFreePoolWithTag);
    CHECK(KeAcquireGuardedMutex); CHECK(RtlCopyUnicodeString); CHECK(RtlSetBits);
    CHECK(ExAcquireRundownProtection); CHECK(ExReleaseRundownProtection);
}

IRQL_RANGE(AtDirql, 3, 12)
VOID AtDirql(VOID)
{
    IRQL_ENTER(AtDirql);
    CHECK(KeStallExecutionProcessor); CHECK(KeInsertQueueDpc); CHECK(IrqlRtlZeroMemoryNonPaged);
}

/* Real calls, to routines the host declares. */
IRQL_MAX(Calls, PASSIVE_LEVEL)
NTSTATUS Calls(PKEVENT Event, PVOID Buffer)
{
    IRQL_ENTER(Calls);
    KSPIN_LOCK Lock;
    KIRQL Old;
    PVOID P;
    IRQL_CALL(KeInitializeEvent)(Event, NotificationEvent, FALSE);
    IRQL_CALL(KeInitializeSpinLock)(&Lock);
    IRQL_CALL_MACRO(KeAcquireSpinLock, (&Lock, &Old));     /* a function-like macro */
    KeReleaseSpinLock(&Lock, Old);
    IRQL_CALL_MACRO(RtlZeroMemory, (Buffer, 16));            /* a function-like macro */
    IRQL_CALL_MACRO(ExFreePoolWithTag, (NULL, 0x74736554u));     /* works for functions too */
    IRQL_CALL(KeSetEvent)(Event, 0, FALSE);
    P = IRQL_CALL(ExAllocatePool2)(POOL_FLAG_PAGED, 16, 0x74736554u);
    IRQL_CALL(ExFreePoolWithTag)(P, 0x74736554u);
    return IRQL_CALL(KeWaitForSingleObject)(Event, Executive, KernelMode, FALSE, NULL);
}

IRQL_AT(OnDispatchWork, DISPATCH_LEVEL)
NTSTATUS OnDispatchWork(PKEVENT Event, PVOID Buffer)
{
    IRQL_ENTER(OnDispatchWork);
    PVOID P = IRQL_CALL(IrqlExAllocatePool2NonPaged)(POOL_FLAG_UNINITIALIZED, 16, 0x74736554u);
    IRQL_CALL(IrqlRtlZeroMemoryNonPaged)(Buffer, 16);
    IRQL_CALL(IrqlRtlCopyMemoryNonPaged)(Buffer, Buffer, 0);
    IRQL_CALL(IrqlExFreePoolNonPaged)(P, 0x74736554u);
    (void)IRQL_CALL(IrqlKeSetEventNoWait)(Event, 0);          /* Wait = FALSE: fine in a DPC */
    return IRQL_CALL(IrqlKeWaitPoll)(Event);                  /* zero timeout: fine in a DPC */
}
