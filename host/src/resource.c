/*
 * Executive resources (ERESOURCE).
 *
 * State. Owners are OWNER_ENTRY records: OwnerEntry first (the exclusive owner always sits
 * there, since an exclusive grant needs an unowned resource), then a heap table for further
 * shared owners, grown on demand and freed by ExDeleteResourceLite. Flag's
 * ResourceOwnedExclusive tells the mode. All of it is guarded by the resource's SpinLock word,
 * used as a short internal spin lock (no IRQL change: it is the host's implementation detail,
 * not a KSPIN_LOCK acquisition the driver made).
 *
 * Waiting. A request that cannot be granted counts itself in NumberOfShared/ExclusiveWaiters,
 * notes Host.WakeSequence, drops the guard and sleeps on that word; every release that may
 * unblock someone bumps the sequence and wakes all sleepers, which re-evaluate. Decisions are
 * made only under the guard, so the grant rules below are the whole policy:
 *   exclusive: granted when the resource is unowned, or recursively to its exclusive owner;
 *   shared:    granted recursively to any owner; to others when the resource is unowned or
 *              shared with no exclusive waiter queued (so writers are not starved: on Windows a
 *              release hands the resource straight to a waiting writer, so "unowned with a
 *              writer waiting" is never seen by a newcomer either);
 *   starve-exclusive: as shared, ignoring exclusive waiters;
 *   wait-for-exclusive: as shared, but an owner that holds it shared waits behind writers.
 * A bug check is never raised with the guard held, so a test that catches one can go on.
 *
 * The system list. Like the kernel's ExpSystemResourcesList, every initialised resource is
 * linked on a host-wide list (SystemResourcesList) until ExDeleteResourceLite. Initialising a
 * resource that is on the list is the re-initialisation Driver Verifier reports (0xD0).
 */
#include "locks.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define RESOURCE_SIGNATURE 0x73655245u /* "ERes" */

static LIST_ENTRY SystemResources = {&SystemResources, &SystemResources};
static pthread_mutex_t SystemResourcesLock = PTHREAD_MUTEX_INITIALIZER;

static const char IrqlExApcLte3Rule[] =
    "IrqlExApcLte3: ExAcquireResourceExclusiveLite, ExAcquireResourceSharedLite, "
    "ExAcquireSharedStarveExclusive, ExAcquireSharedWaitForExclusive, "
    "ExConvertExclusiveToSharedLite and ExDeleteResourceLite only at IRQL <= APC_LEVEL";

typedef enum _IRQLP_RESOURCE_REQUEST {
    RequestExclusive,
    RequestShared,
    RequestStarveExclusive,
    RequestWaitForExclusive,
} IRQLP_RESOURCE_REQUEST;

typedef enum _IRQLP_VERDICT {
    VerdictGrantNew,
    VerdictGrantRecursive,
    VerdictBlock,
    VerdictSelfDeadlock,
} IRQLP_VERDICT;

/* ---- The internal guard ---------------------------------------------------------------- */

static void Guard(PERESOURCE Resource)
{
    ULONG Spins = 0;
    IRQLP_WAIT Wait;
    while (__atomic_exchange_n(&Resource->SpinLock, (KSPIN_LOCK)1, __ATOMIC_ACQUIRE) != 0) {
        while (__atomic_load_n(&Resource->SpinLock, __ATOMIC_RELAXED) != 0) {
            if (++Spins % 4096 == 0) {
                if (Spins == 4096) {
                    IrqlpWaitStart(&Wait);
                } else {
                    (void)IrqlpWaitSlice(&Wait, "ERESOURCE (internal guard)", Resource, 0);
                }
            }
            IrqlpSpinPause(Spins);
        }
    }
}

static void Unguard(PERESOURCE Resource)
{
    __atomic_store_n(&Resource->SpinLock, (KSPIN_LOCK)0, __ATOMIC_RELEASE);
}

/* ---- Owners ---------------------------------------------------------------------------- */

static ULONG TableSize(PERESOURCE Resource)
{
    return Resource->OwnerTable != NULL ? Resource->OwnerTable[0].TableSize : 0;
}

static POWNER_ENTRY FindOwner(PERESOURCE Resource, ERESOURCE_THREAD Thread)
{
    if (Resource->OwnerEntry.OwnerThread == Thread) {
        return &Resource->OwnerEntry;
    }
    for (ULONG i = 1; i < TableSize(Resource); i++) {
        if (Resource->OwnerTable[i].OwnerThread == Thread) {
            return &Resource->OwnerTable[i];
        }
    }
    return NULL;
}

static void CountOwners(PERESOURCE Resource, LONG Delta)
{
    Resource->ActiveEntries = (ULONG)((LONG)Resource->ActiveEntries + Delta);
    Resource->ActiveCount =
        (SHORT)(Resource->ActiveEntries > 0x7FFF ? 0x7FFF : Resource->ActiveEntries);
    if (Resource->ActiveEntries == 0) {
        Resource->Flag &= (USHORT)~ResourceOwnedExclusive;
    }
}

static POWNER_ENTRY AddOwner(PERESOURCE Resource, ERESOURCE_THREAD Thread)
{
    POWNER_ENTRY Entry = NULL;
    if (Resource->OwnerEntry.OwnerThread == 0) {
        Entry = &Resource->OwnerEntry;
    } else {
        ULONG Size = TableSize(Resource);
        for (ULONG i = 1; i < Size && Entry == NULL; i++) {
            if (Resource->OwnerTable[i].OwnerThread == 0) {
                Entry = &Resource->OwnerTable[i];
            }
        }
        if (Entry == NULL) {
            /* Grow the table (slot 0 holds its size, as in the kernel). */
            ULONG NewSize = Size == 0 ? 8 : Size * 2;
            POWNER_ENTRY Table = (POWNER_ENTRY)calloc(NewSize, sizeof(OWNER_ENTRY));
            if (Table == NULL) {
                /* The host process itself is out of memory: nothing a driver did. */
                abort();
            }
            if (Resource->OwnerTable != NULL) {
                memcpy(Table, Resource->OwnerTable, Size * sizeof(OWNER_ENTRY));
                free(Resource->OwnerTable);
            }
            Table[0].OwnerThread = 0;
            Table[0].TableSize = NewSize;
            Resource->OwnerTable = Table;
            Entry = &Table[Size == 0 ? 1 : Size];
        }
    }
    Entry->OwnerThread = Thread;
    Entry->OwnerCount = 0;
    CountOwners(Resource, 1);
    return Entry;
}

static void RemoveOwner(PERESOURCE Resource, POWNER_ENTRY Entry)
{
    Entry->OwnerThread = 0;
    Entry->OwnerCount = 0;
    CountOwners(Resource, -1);
}

static BOOLEAN OwnedExclusive(PERESOURCE Resource)
{
    return (Resource->Flag & ResourceOwnedExclusive) != 0;
}

/* Bump the wake sequence if anyone waits; returns TRUE if sleepers must be woken. */
static BOOLEAN PrepareWake(PERESOURCE Resource)
{
    if (Resource->NumberOfSharedWaiters == 0 && Resource->NumberOfExclusiveWaiters == 0) {
        return FALSE;
    }
    __atomic_add_fetch(&Resource->Host.WakeSequence, 1, __ATOMIC_RELEASE);
    return TRUE;
}

/* ---- Checks ---------------------------------------------------------------------------- */

static void CheckInitialized(PERESOURCE Resource, const char *Routine)
{
    if (Resource->Host.Signature != RESOURCE_SIGNATURE) {
        IrqlpVerifierStop(IRQLP_DV_RESOURCE_UNINITIALIZED, Resource, 0, 0,
                          "%s(%p): the ERESOURCE is not initialised (never passed to "
                          "ExInitializeResourceLite, or already deleted)",
                          Routine, (void *)Resource);
    }
}

static void CheckApcLevel(PERESOURCE Resource, const char *Routine)
{
    KIRQL Irql = IrqlpCurrentThread()->Pcr.Irql;
    if (Irql > APC_LEVEL) {
        char Now[16];
        IrqlpRuleStop(IRQLP_DV_RULE_IRQL_EX_APC_LTE3, IrqlExApcLte3Rule, Resource,
                      "%s(%p) at %s: allowed only at or below APC_LEVEL", Routine,
                      (void *)Resource, IrqlpLevelText(Irql, Now));
    }
}

static void CheckDispatchLevel(PERESOURCE Resource, const char *Routine)
{
    if (IrqlpCurrentThread()->Pcr.Irql > DISPATCH_LEVEL) {
        IrqlpWrongIrql(Routine, Resource, DISPATCH_LEVEL);
    }
}

static void CheckApcsDisabled(PERESOURCE Resource, const char *Routine, BOOLEAN Release)
{
    PIRQLP_THREAD Self = IrqlpCurrentThread();
    if (!IrqlpNormalApcsDisabled(Self)) {
        char Now[16];
        IrqlpVerifierStop(Release ? IRQLP_DV_RESOURCE_RELEASE_APCS : IRQLP_DV_RESOURCE_ACQUIRE_APCS,
                          Self->Pcr.Irql, IrqlpApcDisableParameter(Self), Resource,
                          "%s(%p) at %s with normal kernel APCs enabled: call "
                          "KeEnterCriticalRegion first (or use "
                          "ExEnterCriticalRegionAndAcquireResource…)",
                          Routine, (void *)Resource, IrqlpLevelText(Self->Pcr.Irql, Now));
    }
}

/* ---- Acquire --------------------------------------------------------------------------- */

static IRQLP_VERDICT Decide(PERESOURCE Resource, ERESOURCE_THREAD Thread,
                            IRQLP_RESOURCE_REQUEST Request, POWNER_ENTRY Own)
{
    BOOLEAN Exclusive = OwnedExclusive(Resource);
    BOOLEAN Unowned = Resource->ActiveEntries == 0;
    BOOLEAN WritersQueued = Resource->NumberOfExclusiveWaiters != 0;
    (void)Thread;

    switch (Request) {
    case RequestExclusive:
        if (Own != NULL) {
            return Exclusive ? VerdictGrantRecursive : VerdictSelfDeadlock;
        }
        return Unowned ? VerdictGrantNew : VerdictBlock;
    case RequestShared:
        if (Own != NULL) {
            return VerdictGrantRecursive;
        }
        return !Exclusive && !WritersQueued ? VerdictGrantNew : VerdictBlock;
    case RequestStarveExclusive:
        if (Own != NULL) {
            return VerdictGrantRecursive;
        }
        return !Exclusive ? VerdictGrantNew : VerdictBlock;
    case RequestWaitForExclusive:
    default:
        if (Own != NULL) {
            return Exclusive || !WritersQueued ? VerdictGrantRecursive : VerdictBlock;
        }
        return !Exclusive && !WritersQueued ? VerdictGrantNew : VerdictBlock;
    }
}

static BOOLEAN Acquire(PERESOURCE Resource, IRQLP_RESOURCE_REQUEST Request, BOOLEAN Wait,
                       const char *Routine)
{
    PIRQLP_THREAD Self = IrqlpCurrentThread();
    ERESOURCE_THREAD Thread = (ERESOURCE_THREAD)Self;
    BOOLEAN Counted = FALSE, Started = FALSE;
    IRQLP_WAIT Deadline;

    CheckApcLevel(Resource, Routine);
    CheckInitialized(Resource, Routine);
    CheckApcsDisabled(Resource, Routine, FALSE);

    for (;;) {
        Guard(Resource);
        POWNER_ENTRY Own = FindOwner(Resource, Thread);
        IRQLP_VERDICT Verdict = Decide(Resource, Thread, Request, Own);
        if (Verdict == VerdictGrantNew || Verdict == VerdictGrantRecursive) {
            if (Verdict == VerdictGrantNew) {
                Own = AddOwner(Resource, Thread);
                if (Request == RequestExclusive) {
                    Resource->Flag |= ResourceOwnedExclusive;
                }
            }
            Own->OwnerCount++;
            if (Counted) {
                if (Request == RequestExclusive) {
                    Resource->NumberOfExclusiveWaiters--;
                } else {
                    Resource->NumberOfSharedWaiters--;
                }
            }
            Unguard(Resource);
            return TRUE;
        }
        if (!Wait) {
            Unguard(Resource);
            return FALSE;
        }
        if (Verdict == VerdictSelfDeadlock) {
            Unguard(Resource);
            IrqlpVerifierStop(IRQLP_DV_SELF_DEADLOCK, Resource, 0, 0,
                              "%s(%p): the calling thread holds this resource shared; waiting "
                              "for exclusive access would wait for itself forever "
                              "(self-deadlock)",
                              Routine, (void *)Resource);
        }
        if (!Counted) {
            if (Request == RequestExclusive) {
                Resource->NumberOfExclusiveWaiters++;
            } else {
                Resource->NumberOfSharedWaiters++;
            }
            Resource->ContentionCount++;
            Counted = TRUE;
        }
        ULONG Sequence = __atomic_load_n(&Resource->Host.WakeSequence, __ATOMIC_ACQUIRE);
        ERESOURCE_THREAD Owner = Resource->OwnerEntry.OwnerThread;
        Unguard(Resource);

        if (!Started) {
            IrqlpWaitStart(&Deadline);
            Started = TRUE;
        }
        ULONGLONG Slice = IrqlpWaitSlice(&Deadline, "ERESOURCE", Resource, Owner);
        IrqlpLockWordWait(&Resource->Host.WakeSequence, Sequence, Slice);
    }
}

BOOLEAN ExAcquireResourceExclusiveLite(PERESOURCE Resource, BOOLEAN Wait)
{
    return Acquire(Resource, RequestExclusive, Wait, "ExAcquireResourceExclusiveLite");
}

BOOLEAN ExAcquireResourceSharedLite(PERESOURCE Resource, BOOLEAN Wait)
{
    return Acquire(Resource, RequestShared, Wait, "ExAcquireResourceSharedLite");
}

BOOLEAN ExAcquireSharedStarveExclusive(PERESOURCE Resource, BOOLEAN Wait)
{
    return Acquire(Resource, RequestStarveExclusive, Wait, "ExAcquireSharedStarveExclusive");
}

BOOLEAN ExAcquireSharedWaitForExclusive(PERESOURCE Resource, BOOLEAN Wait)
{
    return Acquire(Resource, RequestWaitForExclusive, Wait, "ExAcquireSharedWaitForExclusive");
}

BOOLEAN ExTryToAcquireResourceExclusiveLite(PERESOURCE Resource)
{
    return Acquire(Resource, RequestExclusive, FALSE, "ExTryToAcquireResourceExclusiveLite");
}

/* ---- Release --------------------------------------------------------------------------- */

static void Release(PERESOURCE Resource, ERESOURCE_THREAD Thread, const char *Routine)
{
    Guard(Resource);
    POWNER_ENTRY Own = Thread != 0 ? FindOwner(Resource, Thread) : NULL;
    if (Own == NULL) {
        POWNER_ENTRY Table = Resource->OwnerTable;
        Unguard(Resource);
        IrqlpBugCheck(RESOURCE_NOT_OWNED, (ULONG_PTR)Resource, Thread, (ULONG_PTR)Table, 0,
                      "%s(%p): thread %p does not own this resource", Routine, (void *)Resource,
                      (void *)Thread);
    }
    if (--Own->OwnerCount == 0) {
        RemoveOwner(Resource, Own);
    }
    BOOLEAN Wake = PrepareWake(Resource);
    Unguard(Resource);
    if (Wake) {
        IrqlpLockWordWakeAll(&Resource->Host.WakeSequence);
    }
}

VOID ExReleaseResourceLite(PERESOURCE Resource)
{
    CheckDispatchLevel(Resource, "ExReleaseResourceLite");
    CheckInitialized(Resource, "ExReleaseResourceLite");
    CheckApcsDisabled(Resource, "ExReleaseResourceLite", TRUE);
    Release(Resource, (ERESOURCE_THREAD)IrqlpCurrentThread(), "ExReleaseResourceLite");
}

VOID ExReleaseResourceForThreadLite(PERESOURCE Resource, ERESOURCE_THREAD ResourceThreadId)
{
    /*
     * The caller releases on behalf of another thread, so its own APC state says nothing
     * about the owner's: only the IRQL is checked, as the routine's page documents.
     */
    CheckDispatchLevel(Resource, "ExReleaseResourceForThreadLite");
    CheckInitialized(Resource, "ExReleaseResourceForThreadLite");
    Release(Resource, ResourceThreadId, "ExReleaseResourceForThreadLite");
}

ERESOURCE_THREAD ExGetCurrentResourceThread(VOID)
{
    return (ERESOURCE_THREAD)IrqlpCurrentThread();
}

VOID ExConvertExclusiveToSharedLite(PERESOURCE Resource)
{
    ERESOURCE_THREAD Thread = (ERESOURCE_THREAD)IrqlpCurrentThread();
    CheckApcLevel(Resource, "ExConvertExclusiveToSharedLite");
    CheckInitialized(Resource, "ExConvertExclusiveToSharedLite");
    Guard(Resource);
    POWNER_ENTRY Own = FindOwner(Resource, Thread);
    if (Own == NULL || !OwnedExclusive(Resource)) {
        POWNER_ENTRY Table = Resource->OwnerTable;
        Unguard(Resource);
        IrqlpBugCheck(RESOURCE_NOT_OWNED, (ULONG_PTR)Resource, Thread, (ULONG_PTR)Table, 0,
                      "ExConvertExclusiveToSharedLite(%p): the calling thread does not own the "
                      "resource exclusively",
                      (void *)Resource);
    }
    Resource->Flag &= (USHORT)~ResourceOwnedExclusive;
    BOOLEAN Wake = PrepareWake(Resource);
    Unguard(Resource);
    if (Wake) {
        IrqlpLockWordWakeAll(&Resource->Host.WakeSequence);
    }
}

/* ---- Queries --------------------------------------------------------------------------- */

BOOLEAN ExIsResourceAcquiredExclusiveLite(PERESOURCE Resource)
{
    CheckDispatchLevel(Resource, "ExIsResourceAcquiredExclusiveLite");
    CheckInitialized(Resource, "ExIsResourceAcquiredExclusiveLite");
    Guard(Resource);
    BOOLEAN Result = OwnedExclusive(Resource) &&
                     Resource->OwnerEntry.OwnerThread == (ERESOURCE_THREAD)IrqlpCurrentThread();
    Unguard(Resource);
    return Result;
}

ULONG ExIsResourceAcquiredSharedLite(PERESOURCE Resource)
{
    CheckDispatchLevel(Resource, "ExIsResourceAcquiredSharedLite");
    CheckInitialized(Resource, "ExIsResourceAcquiredSharedLite");
    Guard(Resource);
    POWNER_ENTRY Own = FindOwner(Resource, (ERESOURCE_THREAD)IrqlpCurrentThread());
    ULONG Count = Own != NULL ? Own->OwnerCount : 0;
    Unguard(Resource);
    return Count;
}

ULONG ExGetExclusiveWaiterCount(PERESOURCE Resource)
{
    CheckDispatchLevel(Resource, "ExGetExclusiveWaiterCount");
    CheckInitialized(Resource, "ExGetExclusiveWaiterCount");
    Guard(Resource);
    ULONG Count = Resource->NumberOfExclusiveWaiters;
    Unguard(Resource);
    return Count;
}

ULONG ExGetSharedWaiterCount(PERESOURCE Resource)
{
    CheckDispatchLevel(Resource, "ExGetSharedWaiterCount");
    CheckInitialized(Resource, "ExGetSharedWaiterCount");
    Guard(Resource);
    ULONG Count = Resource->NumberOfSharedWaiters;
    Unguard(Resource);
    return Count;
}

/* ---- Life cycle ------------------------------------------------------------------------ */

static BOOLEAN OnSystemList(PERESOURCE Resource)
{
    for (PLIST_ENTRY Entry = SystemResources.Flink; Entry != &SystemResources;
         Entry = Entry->Flink) {
        if (Entry == &Resource->SystemResourcesList) {
            return TRUE;
        }
    }
    return FALSE;
}

/* Bug-check if the resource is still owned (it is about to be deleted or reset). */
static void CheckUnowned(PERESOURCE Resource, const char *Routine)
{
    Guard(Resource);
    ULONG Owners = Resource->ActiveEntries;
    ERESOURCE_THREAD Owner = Resource->OwnerEntry.OwnerThread;
    for (ULONG i = 1; Owner == 0 && i < TableSize(Resource); i++) {
        Owner = Resource->OwnerTable[i].OwnerThread;
    }
    Unguard(Resource);
    if (Owners != 0) {
        IrqlpVerifierStop(IRQLP_DV_DELETED_LOCK_OWNED, Resource, Owner, 0,
                          "%s(%p): the resource is still owned (by %lu thread(s), e.g. %p)",
                          Routine, (void *)Resource, (unsigned long)Owners, (void *)Owner);
    }
}

NTSTATUS ExInitializeResourceLite(PERESOURCE Resource)
{
    CheckDispatchLevel(Resource, "ExInitializeResourceLite");
    pthread_mutex_lock(&SystemResourcesLock);
    if (Resource->Host.Signature == RESOURCE_SIGNATURE && OnSystemList(Resource)) {
        pthread_mutex_unlock(&SystemResourcesLock);
        IrqlpVerifierStop(IRQLP_DV_RESOURCE_REINITIALIZED, Resource, 0, 0,
                          "ExInitializeResourceLite(%p): the resource is already initialised "
                          "(call ExDeleteResourceLite first, or ExReinitializeResourceLite)",
                          (void *)Resource);
    }
    memset(Resource, 0, sizeof(*Resource));
    Resource->Host.Signature = RESOURCE_SIGNATURE;
    Resource->Address = __builtin_return_address(0);
    Resource->SystemResourcesList.Flink = &SystemResources;
    Resource->SystemResourcesList.Blink = SystemResources.Blink;
    SystemResources.Blink->Flink = &Resource->SystemResourcesList;
    SystemResources.Blink = &Resource->SystemResourcesList;
    pthread_mutex_unlock(&SystemResourcesLock);
    return STATUS_SUCCESS;
}

NTSTATUS ExReinitializeResourceLite(PERESOURCE Resource)
{
    CheckDispatchLevel(Resource, "ExReinitializeResourceLite");
    CheckInitialized(Resource, "ExReinitializeResourceLite");
    CheckUnowned(Resource, "ExReinitializeResourceLite");
    Guard(Resource);
    free(Resource->OwnerTable);
    Resource->OwnerTable = NULL;
    Resource->ActiveCount = 0;
    Resource->Flag = 0;
    Resource->OwnerEntry.OwnerThread = 0;
    Resource->OwnerEntry.OwnerCount = 0;
    Resource->ActiveEntries = 0;
    Resource->ContentionCount = 0;
    Resource->NumberOfSharedWaiters = 0;
    Resource->NumberOfExclusiveWaiters = 0;
    Unguard(Resource);
    return STATUS_SUCCESS;
}

NTSTATUS ExDeleteResourceLite(PERESOURCE Resource)
{
    CheckApcLevel(Resource, "ExDeleteResourceLite");
    CheckInitialized(Resource, "ExDeleteResourceLite");
    CheckUnowned(Resource, "ExDeleteResourceLite");
    pthread_mutex_lock(&SystemResourcesLock);
    if (OnSystemList(Resource)) {
        Resource->SystemResourcesList.Blink->Flink = Resource->SystemResourcesList.Flink;
        Resource->SystemResourcesList.Flink->Blink = Resource->SystemResourcesList.Blink;
    }
    Resource->SystemResourcesList.Flink = Resource->SystemResourcesList.Blink = NULL;
    free(Resource->OwnerTable);
    Resource->OwnerTable = NULL;
    Resource->Host.Signature = 0;
    pthread_mutex_unlock(&SystemResourcesLock);
    return STATUS_SUCCESS;
}

/* ---- Combined critical region + resource ----------------------------------------------- */

PVOID ExEnterCriticalRegionAndAcquireResourceExclusive(PERESOURCE Resource)
{
    KeEnterCriticalRegion();
    (void)Acquire(Resource, RequestExclusive, TRUE,
                  "ExEnterCriticalRegionAndAcquireResourceExclusive");
    return (PVOID)IrqlpCurrentThread();
}

PVOID ExEnterCriticalRegionAndAcquireResourceShared(PERESOURCE Resource)
{
    KeEnterCriticalRegion();
    (void)Acquire(Resource, RequestShared, TRUE, "ExEnterCriticalRegionAndAcquireResourceShared");
    return (PVOID)IrqlpCurrentThread();
}

PVOID ExEnterCriticalRegionAndAcquireSharedWaitForExclusive(PERESOURCE Resource)
{
    KeEnterCriticalRegion();
    (void)Acquire(Resource, RequestWaitForExclusive, TRUE,
                  "ExEnterCriticalRegionAndAcquireSharedWaitForExclusive");
    return (PVOID)IrqlpCurrentThread();
}

VOID ExReleaseResourceAndLeaveCriticalRegion(PERESOURCE Resource)
{
    CheckDispatchLevel(Resource, "ExReleaseResourceAndLeaveCriticalRegion");
    CheckInitialized(Resource, "ExReleaseResourceAndLeaveCriticalRegion");
    CheckApcsDisabled(Resource, "ExReleaseResourceAndLeaveCriticalRegion", TRUE);
    Release(Resource, (ERESOURCE_THREAD)IrqlpCurrentThread(),
            "ExReleaseResourceAndLeaveCriticalRegion");
    KeLeaveCriticalRegion();
}
