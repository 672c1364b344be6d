/*
 * Driver lifecycle on the host kernel: IrqlHostLoadDriver / IrqlHostUnloadDriver with a small
 * driver whose DriverEntry starts a system thread, allocates pool and queues a DPC, and whose
 * DriverUnload tears it all down — and every way of getting that wrong.
 */
#define _GNU_SOURCE /* nanosleep under -std=c11 */

#include "dispatcher_helpers.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#define TAG_DEMO ((ULONG)'omeD') /* "Demo" */
#define DV DRIVER_VERIFIER_DETECTED_VIOLATION
#define FN(Routine) ((ULONG_PTR)(Routine))

/* ---- The demo driver -------------------------------------------------------------------- */

/* What a test wants the driver to get wrong. */
typedef struct _PLAN {
    NTSTATUS EntryStatus;     /* DriverEntry's result (it cleans up first unless LeakOnFailure) */
    BOOLEAN LeakOnFailure;    /* a failing DriverEntry keeps its pool */
    BOOLEAN NoUnload;         /* DriverEntry sets no DriverUnload */
    BOOLEAN PeriodicDpc;      /* the DPC queues itself again until stopped */
    BOOLEAN KeepThread;       /* DriverUnload does not stop the thread */
    BOOLEAN KeepDpc;          /* DriverUnload neither removes nor flushes the DPC */
    BOOLEAN KeepPool;         /* DriverUnload frees nothing */
    BOOLEAN UnloadHoldsMutex; /* DriverUnload returns holding a KMUTEX */
    BOOLEAN UnloadRaised;     /* DriverUnload returns at DISPATCH_LEVEL */
    BOOLEAN EntryInRegion;    /* DriverEntry returns inside a critical region */
} PLAN;

typedef struct _WHERE {
    atomic_int Runs;
    KIRQL Irql;
    BOOLEAN SystemThread;
    pthread_t Thread;
} WHERE;

static struct {
    PLAN Plan;
    PDRIVER_OBJECT Driver;
    UNICODE_STRING RegistryPath; /* a copy of what DriverEntry was given */
    WCHAR RegistryPathBuffer[128];
    WHERE Entry, Unload, Dpc;
    PKTHREAD Thread;
    KEVENT Stop;
    atomic_bool StopDpc;
    KDPC DpcObject;
    PVOID NonPaged, Paged;
    KMUTEX Mutex;
} Demo;

static void Nap(long Microseconds)
{
    struct timespec Time = {0, Microseconds * 1000};
    nanosleep(&Time, NULL);
}

static void Here(WHERE *W)
{
    W->Irql = KeGetCurrentIrql();
    W->SystemThread = PsIsSystemThread(PsGetCurrentThread());
    W->Thread = pthread_self();
    atomic_fetch_add(&W->Runs, 1);
}

static VOID DemoThread(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeWaitForSingleObject(&Demo.Stop, Executive, KernelMode, FALSE, NULL);
}

static VOID DemoDpc(PKDPC Dpc, PVOID Context, PVOID Argument1, PVOID Argument2)
{
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Argument1);
    UNREFERENCED_PARAMETER(Argument2);
    Here(&Demo.Dpc);
    if (Demo.Plan.PeriodicDpc && !atomic_load(&Demo.StopDpc)) {
        Nap(500); /* a periodic DPC's period */
        KeInsertQueueDpc(Dpc, NULL, NULL);
    }
}

static NTSTATUS DemoCreate(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    return STATUS_SUCCESS;
}

static DRIVER_UNLOAD DemoUnload;

static VOID DemoUnload(PDRIVER_OBJECT DriverObject)
{
    KIRQL Old;
    cr_assert_eq(DriverObject, Demo.Driver);
    Here(&Demo.Unload);
    if (!Demo.Plan.KeepThread) {
        KeSetEvent(&Demo.Stop, IO_NO_INCREMENT, FALSE);
        KeWaitForSingleObject(Demo.Thread, Executive, KernelMode, FALSE, NULL);
        ObDereferenceObject(Demo.Thread);
    }
    if (!Demo.Plan.KeepDpc) {
        atomic_store(&Demo.StopDpc, true);
        KeRemoveQueueDpc(&Demo.DpcObject);
        KeFlushQueuedDpcs();
    }
    if (!Demo.Plan.KeepPool) {
        ExFreePoolWithTag(Demo.NonPaged, TAG_DEMO);
        ExFreePoolWithTag(Demo.Paged, TAG_DEMO);
    }
    if (Demo.Plan.UnloadHoldsMutex) {
        KeWaitForSingleObject(&Demo.Mutex, Executive, KernelMode, FALSE, NULL);
    }
    if (Demo.Plan.UnloadRaised) {
        KeRaiseIrql(DISPATCH_LEVEL, &Old);
    }
}

static DRIVER_INITIALIZE DemoEntry;

static NTSTATUS DemoEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    HANDLE Handle;
    NTSTATUS Status;

    Demo.Driver = DriverObject;
    Here(&Demo.Entry);
    cr_assert_lt(RegistryPath->Length, sizeof(Demo.RegistryPathBuffer));
    memcpy(Demo.RegistryPathBuffer, RegistryPath->Buffer, RegistryPath->Length);
    Demo.RegistryPath = *RegistryPath;
    Demo.RegistryPath.Buffer = Demo.RegistryPathBuffer;

    Demo.NonPaged = ExAllocatePool2(POOL_FLAG_NON_PAGED, 128, TAG_DEMO);
    Demo.Paged = ExAllocatePool2(POOL_FLAG_PAGED, 4096, TAG_DEMO);
    if (Demo.NonPaged == NULL || Demo.Paged == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    if (!NT_SUCCESS(Demo.Plan.EntryStatus)) {
        if (!Demo.Plan.LeakOnFailure) {
            ExFreePool(Demo.NonPaged);
            ExFreePool(Demo.Paged);
        }
        return Demo.Plan.EntryStatus;
    }
    KeInitializeEvent(&Demo.Stop, NotificationEvent, FALSE);
    Status = PsCreateSystemThread(&Handle, THREAD_ALL_ACCESS, NULL, NULL, NULL, DemoThread, NULL);
    cr_assert_eq(Status, STATUS_SUCCESS);
    ObReferenceObjectByHandle(Handle, SYNCHRONIZE, *PsThreadType, KernelMode,
                              (PVOID *)&Demo.Thread, NULL);
    ZwClose(Handle);
    KeInitializeDpc(&Demo.DpcObject, DemoDpc, &Demo);
    KeInsertQueueDpc(&Demo.DpcObject, NULL, NULL);
    KeInitializeMutex(&Demo.Mutex, 0);
    DriverObject->MajorFunction[IRP_MJ_CREATE] = DemoCreate;
    if (!Demo.Plan.NoUnload) {
        DriverObject->DriverUnload = DemoUnload;
    }
    if (Demo.Plan.EntryInRegion) {
        KeEnterCriticalRegion();
    }
    return STATUS_SUCCESS;
}

static PDRIVER_OBJECT Load(void)
{
    PDRIVER_OBJECT Driver = NULL;
    cr_assert_eq(IrqlHostLoadDriver(DemoEntry, u"Demo", &Driver), STATUS_SUCCESS);
    cr_assert_not_null(Driver);
    return Driver;
}

static BOOLEAN SameString(PCUNICODE_STRING String, PCWSTR Text)
{
    UNICODE_STRING Other;
    RtlInitUnicodeString(&Other, Text);
    return String->Length == Other.Length &&
           memcmp(String->Buffer, Other.Buffer, Other.Length) == 0;
}

static SIZE_T DemoAllocations(void)
{
    IRQL_HOST_POOL_STATS Stats;
    IrqlHostQueryPoolStats(IrqlHostPoolAny, TAG_DEMO, &Stats);
    return Stats.Count;
}

/* ---- The clean lifecycle ---------------------------------------------------------------- */

Test(driver, loads_and_unloads_clean)
{
    PDRIVER_OBJECT Driver = Load();

    cr_assert_eq(Driver, Demo.Driver, "DriverEntry got the driver object returned");
    cr_assert_eq(Driver->Type, IO_TYPE_DRIVER);
    cr_assert_eq(Driver->Size, (CSHORT)sizeof(DRIVER_OBJECT));
    cr_assert(SameString(&Driver->DriverName, u"\\Driver\\Demo"));
    cr_assert_not_null(Driver->DriverExtension);
    cr_assert_eq(Driver->DriverExtension->DriverObject, Driver);
    cr_assert(SameString(&Driver->DriverExtension->ServiceKeyName, u"Demo"));
    cr_assert(SameString(&Demo.RegistryPath,
                         u"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\Demo"));
    cr_assert_not_null(Driver->HardwareDatabase);
    cr_assert_eq(FN(Driver->DriverInit), FN(DemoEntry));
    cr_assert_eq(FN(Driver->DriverUnload), FN(DemoUnload));
    cr_assert((ULONG_PTR)Driver->DriverStart <= FN(DemoEntry) &&
                  FN(DemoEntry) < (ULONG_PTR)Driver->DriverStart + Driver->DriverSize,
              "DriverStart/DriverSize span the image holding DriverEntry");
    cr_assert_eq(FN(Driver->MajorFunction[IRP_MJ_CREATE]), FN(DemoCreate));
    cr_assert_not_null(Driver->MajorFunction[IRP_MJ_DEVICE_CONTROL]);
    cr_assert_eq(Driver->MajorFunction[IRP_MJ_DEVICE_CONTROL](NULL, NULL),
                 STATUS_INVALID_DEVICE_REQUEST, "unset entries reject the request");
    cr_assert_null(Driver->DeviceObject);

    cr_assert_eq(atomic_load(&Demo.Entry.Runs), 1);
    cr_assert_eq(Demo.Entry.Irql, PASSIVE_LEVEL, "DriverEntry runs at PASSIVE_LEVEL");
    cr_assert(Demo.Entry.SystemThread, "on a system thread");
    cr_assert(!pthread_equal(Demo.Entry.Thread, pthread_self()));
    cr_assert_eq(DemoAllocations(), 2);
    KeFlushQueuedDpcs(); /* the DPC DriverEntry queued has run */
    cr_assert_eq(atomic_load(&Demo.Dpc.Runs), 1, "the DPC ran");
    cr_assert_eq(Demo.Dpc.Irql, DISPATCH_LEVEL);

    cr_assert_eq(IrqlHostUnloadDriver(Driver), STATUS_SUCCESS);
    cr_assert_eq(atomic_load(&Demo.Unload.Runs), 1);
    cr_assert_eq(Demo.Unload.Irql, PASSIVE_LEVEL, "DriverUnload runs at PASSIVE_LEVEL");
    cr_assert(Demo.Unload.SystemThread, "on a system thread");
    cr_assert(!pthread_equal(Demo.Unload.Thread, pthread_self()));
    cr_assert_eq(DemoAllocations(), 0);
}

Test(driver, a_periodic_dpc_cancelled_in_unload_is_clean)
{
    PDRIVER_OBJECT Driver;
    Demo.Plan.PeriodicDpc = TRUE;
    Driver = Load();
    Nap(5000);
    cr_assert_eq(IrqlHostUnloadDriver(Driver), STATUS_SUCCESS);
    cr_assert_geq(atomic_load(&Demo.Dpc.Runs), 1);
}

Test(driver, load_and_unload_again)
{
    for (int i = 0; i < 3; i++) {
        memset(&Demo, 0, sizeof(Demo));
        cr_assert_eq(IrqlHostUnloadDriver(Load()), STATUS_SUCCESS);
    }
}

static NTSTATUS Minimal(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = NULL;
    return STATUS_SUCCESS;
}

Test(driver, names)
{
    PDRIVER_OBJECT A, B, C;
    cr_assert_eq(IrqlHostLoadDriver(Minimal, NULL, &A), STATUS_SUCCESS);
    cr_assert(SameString(&A->DriverName, u"\\Driver\\HostDriver"), "the default name");
    cr_assert_eq(IrqlHostLoadDriver(Minimal, u"", &B), STATUS_OBJECT_NAME_INVALID);
    cr_assert_null(B);
    cr_assert_eq(IrqlHostLoadDriver(Minimal, u"HostDriver", &C), STATUS_OBJECT_NAME_COLLISION,
                 "one driver per name");
    cr_assert_null(C);
    cr_assert_eq(IrqlHostLoadDriver(NULL, u"X", &C), STATUS_INVALID_PARAMETER);
}

/* ---- DriverEntry failing ---------------------------------------------------------------- */

Test(driver, a_failing_driver_entry_returns_its_status_and_leaves_nothing)
{
    PDRIVER_OBJECT Driver = (PDRIVER_OBJECT)0x1;
    Demo.Plan.EntryStatus = STATUS_DEVICE_NOT_READY;
    cr_assert_eq(IrqlHostLoadDriver(DemoEntry, u"Demo", &Driver), STATUS_DEVICE_NOT_READY);
    cr_assert_null(Driver);
    cr_assert_eq(atomic_load(&Demo.Entry.Runs), 1);
    cr_assert_eq(atomic_load(&Demo.Unload.Runs), 0, "no DriverUnload after a failed DriverEntry");
    cr_assert_eq(DemoAllocations(), 0);
    /* The name is free again. */
    memset(&Demo, 0, sizeof(Demo));
    cr_assert_eq(IrqlHostUnloadDriver(Load()), STATUS_SUCCESS);
}

static VOID LoadFailingLeaky(PVOID Context)
{
    PDRIVER_OBJECT Driver;
    UNREFERENCED_PARAMETER(Context);
    Demo.Plan.EntryStatus = STATUS_UNSUCCESSFUL;
    Demo.Plan.LeakOnFailure = TRUE;
    IrqlHostLoadDriver(DemoEntry, u"Demo", &Driver);
}

Test(driver, a_failing_driver_entry_that_keeps_its_pool_bugchecks_c4_62)
{
    IRQL_HOST_BUGCHECK R = ExpectBugCheck(LoadFailingLeaky, NULL, DV, 0x62);
    cr_assert_eq(R.Parameter[3], 2, "P4 the allocations not freed");
    cr_assert_str_eq((const char *)R.Parameter[1], "Demo", "P2 the driver's name");
}

/* ---- Unload refused ---------------------------------------------------------------------- */

Test(driver, a_driver_without_unload_routine_is_not_unloaded)
{
    PDRIVER_OBJECT Driver, Again;
    Demo.Plan.NoUnload = TRUE;
    Driver = Load();
    cr_assert_eq(IrqlHostUnloadDriver(Driver), STATUS_INVALID_DEVICE_REQUEST);
    cr_assert_eq(IrqlHostLoadDriver(Minimal, u"Demo", &Again), STATUS_OBJECT_NAME_COLLISION,
                 "still loaded");
    Driver->DriverUnload = DemoUnload;
    cr_assert_eq(IrqlHostUnloadDriver(Driver), STATUS_SUCCESS);
    cr_assert_eq(IrqlHostUnloadDriver(Driver), STATUS_INVALID_PARAMETER, "unloaded already");
    cr_assert_eq(IrqlHostUnloadDriver(NULL), STATUS_INVALID_PARAMETER);
}

/* ---- What DriverUnload leaves behind ----------------------------------------------------- */

static VOID Unload(PVOID Context)
{
    IrqlHostUnloadDriver(Context);
}

static char Printed[4096];

static VOID Capture(PCSTR Text, PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    strncat(Printed, Text, sizeof(Printed) - strlen(Printed) - 1);
}

Test(driver, leaked_pool_bugchecks_c4_62_with_the_count)
{
    PDRIVER_OBJECT Driver;
    IRQL_HOST_BUGCHECK R;

    Demo.Plan.KeepPool = TRUE;
    Driver = Load();
    IrqlHostSetPrintSink(Capture, NULL);
    R = ExpectBugCheck(Unload, Driver, DV, 0x62);
    IrqlHostSetPrintSink(NULL, NULL);
    cr_assert_str_eq((const char *)R.Parameter[1], "Demo", "P2 the driver's name");
    cr_assert_eq(R.Parameter[3], 2, "P4: one paged and one non-paged allocation");
    cr_assert(strstr(R.Message, "paged 1 (4096 bytes), non-paged 1 (128 bytes)") != NULL, "%s",
              R.Message);
    cr_assert(strstr(Printed, "tag 'Demo'") != NULL, "the leak report: %s", Printed);
    cr_assert_eq(atomic_load(&Demo.Unload.Runs), 1);
}

Test(driver, a_thread_left_running_bugchecks_ce)
{
    PDRIVER_OBJECT Driver;
    IRQL_HOST_BUGCHECK R;

    Demo.Plan.KeepThread = TRUE;
    Driver = Load();
    R = ExpectBugCheck(Unload, Driver, DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS,
                       FN(DemoThread));
    cr_assert_str_eq(R.CodeName, "DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS");
    cr_assert_eq(R.Parameter[2], (ULONG_PTR)Demo.Thread, "P3 the thread object");
    cr_assert_eq(R.Parameter[3], 1, "P4 the number of threads");
    KeSetEvent(&Demo.Stop, IO_NO_INCREMENT, FALSE);
    JoinThread(Demo.Thread);
}

Test(driver, a_dpc_left_queued_bugchecks_ce)
{
    PDRIVER_OBJECT Driver;
    IRQL_HOST_BUGCHECK R;

    Demo.Plan.PeriodicDpc = TRUE;
    Demo.Plan.KeepDpc = TRUE;
    Driver = Load();
    R = ExpectBugCheck(Unload, Driver, DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS,
                       FN(DemoDpc));
    cr_assert_eq(R.Parameter[2], (ULONG_PTR)&Demo.DpcObject, "P3 the KDPC");
    cr_assert_eq(R.Parameter[3], 1, "P4 the number of DPCs");
    atomic_store(&Demo.StopDpc, true);
    IrqlHostDrainDpcs();
}

Test(driver, a_one_shot_dpc_that_has_run_is_no_leak)
{
    PDRIVER_OBJECT Driver;
    Demo.Plan.KeepDpc = TRUE;
    Driver = Load();
    cr_assert_eq(IrqlHostUnloadDriver(Driver), STATUS_SUCCESS);
}

/* ---- The system thread's own exit checks ------------------------------------------------- */

/* Run Routine, which must bug-check with Code; returns the report. */
static IRQL_HOST_BUGCHECK ExpectCode(PIRQL_HOST_ROUTINE Routine, PVOID Context, ULONG Code)
{
    IRQL_HOST_BUGCHECK R;
    cr_assert(IrqlHostCatchBugCheck(Routine, Context, &R), "expected bug check 0x%lX",
              (unsigned long)Code);
    cr_assert_eq(R.Code, Code, "bug check 0x%lX (%s), expected 0x%lX", (unsigned long)R.Code,
                 R.CodeName, (unsigned long)Code);
    return R;
}

Test(driver, unload_returning_holding_a_kmutex_bugchecks_0x4000008a)
{
    PDRIVER_OBJECT Driver;
    IRQL_HOST_BUGCHECK R;

    Demo.Plan.UnloadHoldsMutex = TRUE;
    Driver = Load();
    IrqlHostCatchSystemThreadBugChecks(TRUE);
    R = ExpectCode(Unload, Driver, THREAD_TERMINATE_HELD_MUTEX);
    cr_assert_eq(R.Parameter[1], (ULONG_PTR)&Demo.Mutex, "P2 the mutex");
    cr_assert(strstr(R.Message, "in DriverUnload of Demo") != NULL, "%s", R.Message);
}

Test(driver, unload_returning_at_dispatch_level_bugchecks_0x20)
{
    PDRIVER_OBJECT Driver;
    IRQL_HOST_BUGCHECK R;

    Demo.Plan.UnloadRaised = TRUE;
    Driver = Load();
    IrqlHostCatchSystemThreadBugChecks(TRUE);
    R = ExpectBugCheck(Unload, Driver, KERNEL_APC_PENDING_DURING_EXIT, 0);
    cr_assert_eq(R.Parameter[2], DISPATCH_LEVEL, "P3 the IRQL");
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL, "the caller's IRQL is its own");
}

static VOID LoadDemo(PVOID Context)
{
    PDRIVER_OBJECT Driver;
    UNREFERENCED_PARAMETER(Context);
    IrqlHostLoadDriver(DemoEntry, u"Demo", &Driver);
}

Test(driver, driver_entry_returning_in_a_critical_region_bugchecks_0x20)
{
    IRQL_HOST_BUGCHECK R;
    Demo.Plan.EntryInRegion = TRUE;
    IrqlHostCatchSystemThreadBugChecks(TRUE);
    R = ExpectBugCheck(LoadDemo, NULL, KERNEL_APC_PENDING_DURING_EXIT, 0);
    cr_assert_eq(R.Parameter[1], 0xFFFF, "P2: KernelApcDisable -1");
    cr_assert(strstr(R.Message, "in DriverEntry of Demo") != NULL, "%s", R.Message);
    KeSetEvent(&Demo.Stop, IO_NO_INCREMENT, FALSE);
    JoinThread(Demo.Thread);
    IrqlHostDrainDpcs();
}

static NTSTATUS Misbehaving(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    static KMUTEX NotMine;
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeMutex(&NotMine, 0);
    KeReleaseMutex(&NotMine, FALSE);
    return STATUS_SUCCESS;
}

static VOID LoadMisbehaving(PVOID Context)
{
    PDRIVER_OBJECT Driver;
    UNREFERENCED_PARAMETER(Context);
    IrqlHostLoadDriver(Misbehaving, u"Bad", &Driver);
}

Test(driver, a_bugcheck_in_driver_entry_is_raised_again_on_the_loader)
{
    IrqlHostCatchSystemThreadBugChecks(TRUE);
    ExpectBugCheck(LoadMisbehaving, NULL, SYSTEM_THREAD_EXCEPTION_NOT_HANDLED,
                   (ULONG_PTR)(LONG_PTR)STATUS_MUTANT_NOT_OWNED);
}

Test(driver, an_uncaught_bugcheck_in_driver_entry_ends_the_process, .signal = SIGABRT)
{
    LoadMisbehaving(NULL);
}

Test(driver, load_and_unload_are_passive_level_only)
{
    ExpectBugCheckAt(APC_LEVEL, LoadDemo, NULL, DV, 0xE5);
    ExpectBugCheckAt(DISPATCH_LEVEL, Unload, NULL, DV, 0xE5);
}
