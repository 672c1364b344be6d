/*
 * Driver lifecycle: IrqlHostLoadDriver / IrqlHostUnloadDriver, the driver object, and the
 * record of running system threads that unload checks.
 *
 * Load creates the driver object (an object-manager object of type "Driver", so
 * ObReferenceObject works on it; host memory, never pool) and runs DriverEntry at
 * PASSIVE_LEVEL on a system thread, waiting for it within the hang limit. Unload runs
 * DriverUnload the same way, then checks, as Driver Verifier and the kernel would, what the
 * driver left behind — see <irql/host.h> for the stop codes. The host cannot tell which driver
 * image allocated a block or started a thread, so "the driver's" means "since it was loaded":
 * drivers loaded at the same time share that window (as the pool's leak check does).
 */
#include "bugcheck.h"
#include "dispatcher.h"
#include "dpc.h"
#include "lifecycle.h"
#include "locks.h"
#include "object.h"
#include "pool.h"

#include <irql/host.h>

#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FN(Routine) ((void *)(ULONG_PTR)(Routine))

/* How long unload lets threads and DPCs already on their way out finish before it reports
   them: a driver that signals "done" from a thread and returns races its own unload. */
#define UNLOAD_GRACE_NS 200000000ull

/* ---- System threads -------------------------------------------------------------------- */

typedef struct _RUNNING_THREAD {
    struct _RUNNING_THREAD *Next;
    PKTHREAD Thread;
    PKSTART_ROUTINE StartRoutine;
    ULONG64 Sequence;
} RUNNING_THREAD;

static pthread_mutex_t ThreadsLock = PTHREAD_MUTEX_INITIALIZER;
static RUNNING_THREAD *RunningThreads;
static ULONG64 ThreadSequence; /* the last sequence number given */

void IrqlpSystemThreadStarted(PKTHREAD Thread, PKSTART_ROUTINE StartRoutine)
{
    RUNNING_THREAD *Entry = malloc(sizeof(*Entry));
    if (Entry == NULL) {
        fprintf(stderr, "irql host: out of memory recording a system thread\n");
        abort();
    }
    Entry->Thread = Thread;
    Entry->StartRoutine = StartRoutine;
    pthread_mutex_lock(&ThreadsLock);
    Entry->Sequence = ++ThreadSequence;
    Entry->Next = RunningThreads;
    RunningThreads = Entry;
    pthread_mutex_unlock(&ThreadsLock);
}

void IrqlpSystemThreadEnded(PKTHREAD Thread)
{
    RUNNING_THREAD **Link, *Entry = NULL;
    pthread_mutex_lock(&ThreadsLock);
    for (Link = &RunningThreads; *Link != NULL; Link = &(*Link)->Next) {
        if ((*Link)->Thread == Thread) {
            Entry = *Link;
            *Link = Entry->Next;
            break;
        }
    }
    pthread_mutex_unlock(&ThreadsLock);
    free(Entry);
}

static ULONG64 ThreadSequenceNow(void)
{
    ULONG64 Sequence;
    pthread_mutex_lock(&ThreadsLock);
    Sequence = ThreadSequence;
    pthread_mutex_unlock(&ThreadsLock);
    return Sequence;
}

/* How many system threads started after Since still run; the earliest in *Thread, *Routine. */
static ULONG ThreadsRunningSince(ULONG64 Since, PKTHREAD *Thread, PKSTART_ROUTINE *Routine)
{
    ULONG Count = 0;
    ULONG64 Lowest = 0;
    pthread_mutex_lock(&ThreadsLock);
    for (RUNNING_THREAD *Entry = RunningThreads; Entry != NULL; Entry = Entry->Next) {
        if (Entry->Sequence > Since && (Count++ == 0 || Entry->Sequence < Lowest)) {
            Lowest = Entry->Sequence;
            *Thread = Entry->Thread;
            *Routine = Entry->StartRoutine;
        }
    }
    pthread_mutex_unlock(&ThreadsLock);
    return Count;
}

/* ---- Driver objects -------------------------------------------------------------------- */

#define NAME_MAX_CHARS 200

static const WCHAR DriverPrefix[] = u"\\Driver\\";
static const WCHAR ServicesPrefix[] = u"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\";
static WCHAR HardwareDatabaseText[] = u"\\REGISTRY\\MACHINE\\HARDWARE\\DESCRIPTION\\SYSTEM";
static UNICODE_STRING HardwareDatabase = RTL_CONSTANT_STRING(HardwareDatabaseText);

/* The driver object and the host's record of it, in one object-manager object. */
typedef struct _IRQLP_DRIVER {
    DRIVER_OBJECT Object; /* first: a PDRIVER_OBJECT is the record's address */
    DRIVER_EXTENSION Extension;
    struct _IRQLP_DRIVER *NextLoaded; /* guarded by DriversLock */
    UNICODE_STRING RegistryPath;
    /* Where the pool, system threads and DPCs stood at load. */
    ULONG64 PoolSince;
    ULONG64 ThreadSince;
    ULONG64 DpcSince;
    CHAR Name[NAME_MAX_CHARS + 1]; /* the service name, for reports (non-ASCII as '?') */
    WCHAR DriverNameBuffer[ARRAYSIZE(DriverPrefix) + NAME_MAX_CHARS];
    WCHAR ServiceKeyBuffer[NAME_MAX_CHARS + 1];
    WCHAR RegistryPathBuffer[ARRAYSIZE(ServicesPrefix) + NAME_MAX_CHARS];
} IRQLP_DRIVER;

static OBJECT_TYPE DriverType = {"Driver", NULL};

static pthread_mutex_t DriversLock = PTHREAD_MUTEX_INITIALIZER;
static IRQLP_DRIVER *LoadedDrivers;

/* What MajorFunction holds until the driver sets an entry, as the I/O manager's default. */
static NTSTATUS InvalidDeviceRequest(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    return STATUS_INVALID_DEVICE_REQUEST;
}

static SIZE_T WideLength(PCWSTR Text)
{
    SIZE_T Length = 0;
    while (Text[Length] != 0 && Length <= NAME_MAX_CHARS) {
        Length++;
    }
    return Length;
}

/* Prefix + Name into Buffer (NUL-terminated) and a UNICODE_STRING describing it. */
static void BuildName(PUNICODE_STRING String, PWCH Buffer, const WCHAR *Prefix,
                      SIZE_T PrefixLength, PCWSTR Name, SIZE_T NameLength)
{
    memcpy(Buffer, Prefix, PrefixLength * sizeof(WCHAR));
    memcpy(Buffer + PrefixLength, Name, NameLength * sizeof(WCHAR));
    Buffer[PrefixLength + NameLength] = 0;
    String->Buffer = Buffer;
    String->Length = (USHORT)((PrefixLength + NameLength) * sizeof(WCHAR));
    String->MaximumLength = (USHORT)(String->Length + sizeof(WCHAR));
}

typedef struct _MODULE_SEARCH {
    ULONG_PTR Address;
    ULONG_PTR Start, End;
} MODULE_SEARCH;

static int FindModule(struct dl_phdr_info *Info, size_t Size, void *Context)
{
    MODULE_SEARCH *Search = Context;
    ULONG_PTR Low = ~(ULONG_PTR)0, High = 0;
    BOOLEAN Inside = FALSE;
    UNREFERENCED_PARAMETER(Size);
    for (int i = 0; i < Info->dlpi_phnum; i++) {
        const ElfW(Phdr) *Segment = &Info->dlpi_phdr[i];
        ULONG_PTR Start = (ULONG_PTR)Info->dlpi_addr + Segment->p_vaddr;
        ULONG_PTR End = Start + Segment->p_memsz;
        if (Segment->p_type != PT_LOAD) {
            continue;
        }
        Low = Start < Low ? Start : Low;
        High = End > High ? End : High;
        Inside = Inside || (Search->Address >= Start && Search->Address < End);
    }
    if (!Inside) {
        return 0;
    }
    Search->Start = Low;
    Search->End = High;
    return 1;
}

/* DriverStart/DriverSize: the loaded module (executable or shared object) holding Entry. */
static void LocateImage(PDRIVER_OBJECT Object, PDRIVER_INITIALIZE Entry)
{
    MODULE_SEARCH Search = {(ULONG_PTR)Entry, 0, 0};
    if (dl_iterate_phdr(FindModule, &Search) != 0) {
        ULONG_PTR Size = Search.End - Search.Start;
        Object->DriverStart = (PVOID)Search.Start;
        Object->DriverSize = Size > 0xFFFFFFFFu ? 0xFFFFFFFFu : (ULONG)Size;
    }
}

static IRQLP_DRIVER *CreateDriver(PDRIVER_INITIALIZE DriverEntry, PCWSTR Name, SIZE_T Length)
{
    IRQLP_DRIVER *Driver = IrqlpObCreateObject(&DriverType, sizeof(IRQLP_DRIVER));
    PDRIVER_OBJECT Object;

    if (Driver == NULL) {
        return NULL;
    }
    Object = &Driver->Object;
    Object->Type = IO_TYPE_DRIVER;
    Object->Size = (CSHORT)sizeof(DRIVER_OBJECT);
    Object->Flags = DRVO_LEGACY_DRIVER;
    Object->DriverExtension = &Driver->Extension;
    Object->HardwareDatabase = &HardwareDatabase;
    Object->DriverInit = DriverEntry;
    for (ULONG i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++) {
        Object->MajorFunction[i] = InvalidDeviceRequest;
    }
    LocateImage(Object, DriverEntry);
    Driver->Extension.DriverObject = Object;
    BuildName(&Object->DriverName, Driver->DriverNameBuffer, DriverPrefix,
              ARRAYSIZE(DriverPrefix) - 1, Name, Length);
    BuildName(&Driver->Extension.ServiceKeyName, Driver->ServiceKeyBuffer, DriverPrefix, 0, Name,
              Length);
    BuildName(&Driver->RegistryPath, Driver->RegistryPathBuffer, ServicesPrefix,
              ARRAYSIZE(ServicesPrefix) - 1, Name, Length);
    for (SIZE_T i = 0; i < Length; i++) {
        Driver->Name[i] = Name[i] >= 0x20 && Name[i] < 0x7F ? (CHAR)Name[i] : '?';
    }
    return Driver;
}

/* Lock held. The loaded driver with this service name, or NULL. */
static IRQLP_DRIVER *FindByName(const UNICODE_STRING *Name)
{
    for (IRQLP_DRIVER *Driver = LoadedDrivers; Driver != NULL; Driver = Driver->NextLoaded) {
        const UNICODE_STRING *Other = &Driver->Extension.ServiceKeyName;
        if (Other->Length == Name->Length &&
            memcmp(Other->Buffer, Name->Buffer, Name->Length) == 0) {
            return Driver;
        }
    }
    return NULL;
}

/* Lock held. Take Driver off the loaded list; FALSE if it is not on it. */
static BOOLEAN Unlist(IRQLP_DRIVER *Driver)
{
    for (IRQLP_DRIVER **Link = &LoadedDrivers; *Link != NULL; Link = &(*Link)->NextLoaded) {
        if (*Link == Driver) {
            *Link = Driver->NextLoaded;
            Driver->NextLoaded = NULL;
            return TRUE;
        }
    }
    return FALSE;
}

/* ---- Running a driver routine on a system thread --------------------------------------- */

typedef struct _DRIVER_CALL {
    IRQLP_DRIVER *Driver;
    PDRIVER_INITIALIZE DriverEntry;
    NTSTATUS Status;
} DRIVER_CALL;

static VOID CallDriverEntry(PVOID Context)
{
    DRIVER_CALL *Call = Context;
    Call->Status = Call->DriverEntry(&Call->Driver->Object, &Call->Driver->RegistryPath);
}

static VOID CallDriverUnload(PVOID Context)
{
    DRIVER_CALL *Call = Context;
    Call->Driver->Object.DriverUnload(&Call->Driver->Object);
}

/*
 * Run Routine(Call) on a new system thread and wait for it to end (within the hang limit).
 * TRUE if it bug-checked there (IrqlHostCatchSystemThreadBugChecks(TRUE) in effect), with the
 * report in *Report; *Status is STATUS_SUCCESS, or why no thread could be started.
 */
static BOOLEAN RunOnSystemThread(PKSTART_ROUTINE Routine, DRIVER_CALL *Call, NTSTATUS *Status,
                                 PIRQL_HOST_BUGCHECK Report)
{
    HANDLE Handle;
    PVOID Thread;
    BOOLEAN BugChecked;

    *Status = PsCreateSystemThread(&Handle, THREAD_ALL_ACCESS, NULL, NULL, NULL, Routine, Call);
    if (!NT_SUCCESS(*Status)) {
        return FALSE;
    }
    *Status = ObReferenceObjectByHandle(Handle, SYNCHRONIZE, *PsThreadType, KernelMode, &Thread,
                                        NULL);
    ZwClose(Handle);
    if (!NT_SUCCESS(*Status)) {
        return FALSE;
    }
    KeWaitForSingleObject(Thread, Executive, KernelMode, FALSE, NULL);
    BugChecked = IrqlHostGetThreadBugCheck(Thread, Report);
    ObDereferenceObject(Thread);
    return BugChecked;
}

/* Raise a bug check caught on a driver routine's system thread again on the calling thread,
   where a test's IrqlHostCatchBugCheck can see it. */
static DECLSPEC_NORETURN void RaiseAgain(const IRQL_HOST_BUGCHECK *Report, const char *What,
                                         const IRQLP_DRIVER *Driver)
{
    IrqlpBugCheck(Report->Code, Report->Parameter[0], Report->Parameter[1],
                  Report->Parameter[2], Report->Parameter[3],
                  "%s [in %s of %s, on its system thread]", Report->Message, What, Driver->Name);
}

/* ---- What a driver must not leave behind ----------------------------------------------- */

static void Nap(void)
{
    struct timespec Time = {0, 1000000};
    nanosleep(&Time, NULL);
}

/*
 * The driver is going (unloaded, or its DriverEntry failed): its image would be unmapped now.
 * System threads it started that still run, and DPCs it queued that are still queued or
 * running, would execute unloaded code: DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS.
 * Pool it allocated and did not free: Driver Verifier's 0xC4/0x62.
 */
static void CheckLeftovers(IRQLP_DRIVER *Driver, const char *How)
{
    ULONGLONG GraceEnd = IrqlpMonotonicNs() + UNLOAD_GRACE_NS;
    PKTHREAD Thread = NULL;
    PKSTART_ROUTINE StartRoutine = NULL;
    PKDPC Dpc = NULL;
    PKDEFERRED_ROUTINE DpcRoutine = NULL;
    ULONG Threads, Dpcs;

    for (;;) {
        Threads = ThreadsRunningSince(Driver->ThreadSince, &Thread, &StartRoutine);
        Dpcs = IrqlpDpcPendingSince(Driver->DpcSince, &Dpc, &DpcRoutine);
        if ((Threads == 0 && Dpcs == 0) || IrqlpMonotonicNs() >= GraceEnd) {
            break;
        }
        Nap();
    }
    if (Threads != 0) {
        IrqlpBugCheck(DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS,
                      (ULONG_PTR)StartRoutine, 0, (ULONG_PTR)Thread, Threads,
                      "%s %s while %lu system thread(s) it started still run (thread %p, start "
                      "routine %p): wait on each thread object before DriverUnload returns",
                      Driver->Name, How, (unsigned long)Threads, (void *)Thread,
                      FN(StartRoutine));
    }
    if (Dpcs != 0) {
        IrqlpBugCheck(DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS,
                      (ULONG_PTR)DpcRoutine, 0, (ULONG_PTR)Dpc, Dpcs,
                      "%s %s with %lu DPC(s) it queued still queued or running (KDPC %p, routine "
                      "%p): KeRemoveQueueDpc and KeFlushQueuedDpcs before DriverUnload returns",
                      Driver->Name, How, (unsigned long)Dpcs, (void *)Dpc, FN(DpcRoutine));
    }
    IrqlpPoolCheckLeaks(Driver->Name, Driver->PoolSince);
}

/* ---- <irql/host.h> --------------------------------------------------------------------- */

NTSTATUS IrqlHostLoadDriver(PDRIVER_INITIALIZE DriverEntry, PCWSTR Name,
                            PDRIVER_OBJECT *DriverObject)
{
    static const WCHAR DefaultName[] = u"HostDriver";
    DRIVER_CALL Call;
    IRQLP_DRIVER *Driver;
    IRQL_HOST_BUGCHECK Report;
    UNICODE_STRING ServiceName;
    SIZE_T Length;
    NTSTATUS Status;

    if (IrqlpCurrentThread()->Pcr.Irql != PASSIVE_LEVEL) {
        IrqlpWrongIrql("IrqlHostLoadDriver", FN(DriverEntry), PASSIVE_LEVEL);
    }
    *DriverObject = NULL;
    if (DriverEntry == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    Name = Name != NULL ? Name : DefaultName;
    Length = WideLength(Name);
    if (Length == 0) {
        return STATUS_OBJECT_NAME_INVALID;
    }
    if (Length > NAME_MAX_CHARS) {
        return STATUS_NAME_TOO_LONG;
    }
    Driver = CreateDriver(DriverEntry, Name, Length);
    if (Driver == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    ServiceName = Driver->Extension.ServiceKeyName;
    pthread_mutex_lock(&DriversLock);
    if (FindByName(&ServiceName) != NULL) {
        pthread_mutex_unlock(&DriversLock);
        ObDereferenceObject(Driver);
        return STATUS_OBJECT_NAME_COLLISION;
    }
    Driver->NextLoaded = LoadedDrivers;
    LoadedDrivers = Driver;
    pthread_mutex_unlock(&DriversLock);

    Driver->PoolSince = IrqlpPoolSequence();
    Driver->ThreadSince = ThreadSequenceNow();
    Driver->DpcSince = IrqlpDpcSequence();
    Call.Driver = Driver;
    Call.DriverEntry = DriverEntry;
    Call.Status = STATUS_UNSUCCESSFUL;
    if (RunOnSystemThread(CallDriverEntry, &Call, &Status, &Report)) {
        /* The machine is gone; the driver object stays, off the list of loaded drivers. */
        pthread_mutex_lock(&DriversLock);
        Unlist(Driver);
        pthread_mutex_unlock(&DriversLock);
        RaiseAgain(&Report, "DriverEntry", Driver);
    }
    if (NT_SUCCESS(Status)) {
        Status = Call.Status;
    }
    if (!NT_SUCCESS(Status)) {
        /* A failed DriverEntry: the image is unloaded without DriverUnload. */
        pthread_mutex_lock(&DriversLock);
        Unlist(Driver);
        pthread_mutex_unlock(&DriversLock);
        CheckLeftovers(Driver, "failed DriverEntry and is unloading");
        ObDereferenceObject(Driver);
        return Status;
    }
    *DriverObject = &Driver->Object;
    return Status;
}

NTSTATUS IrqlHostUnloadDriver(PDRIVER_OBJECT DriverObject)
{
    IRQLP_DRIVER *Driver = (IRQLP_DRIVER *)DriverObject;
    IRQL_HOST_BUGCHECK Report;
    DRIVER_CALL Call;
    NTSTATUS Status;

    if (IrqlpCurrentThread()->Pcr.Irql != PASSIVE_LEVEL) {
        IrqlpWrongIrql("IrqlHostUnloadDriver", DriverObject, PASSIVE_LEVEL);
    }
    pthread_mutex_lock(&DriversLock);
    if (DriverObject == NULL || !Unlist(Driver)) {
        pthread_mutex_unlock(&DriversLock);
        return STATUS_INVALID_PARAMETER; /* not a loaded driver (or unloaded already) */
    }
    if (DriverObject->DriverUnload == NULL) {
        /* No Unload routine: Windows refuses to unload the driver, and so does the host. */
        Driver->NextLoaded = LoadedDrivers;
        LoadedDrivers = Driver;
        pthread_mutex_unlock(&DriversLock);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    pthread_mutex_unlock(&DriversLock);

    DriverObject->Flags |= DRVO_UNLOAD_INVOKED;
    Call.Driver = Driver;
    Call.DriverEntry = NULL;
    Call.Status = STATUS_SUCCESS;
    if (RunOnSystemThread(CallDriverUnload, &Call, &Status, &Report)) {
        RaiseAgain(&Report, "DriverUnload", Driver);
    }
    if (!NT_SUCCESS(Status)) {
        /* No thread for DriverUnload: the driver stays loaded. */
        pthread_mutex_lock(&DriversLock);
        Driver->NextLoaded = LoadedDrivers;
        LoadedDrivers = Driver;
        pthread_mutex_unlock(&DriversLock);
        return Status;
    }
    CheckLeftovers(Driver, "unloaded");
    ObDereferenceObject(Driver);
    return STATUS_SUCCESS;
}
