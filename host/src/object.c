/*
 * Objects and handles: ObReferenceObjectByHandle, ObfReferenceObject, ObfDereferenceObject,
 * ZwClose. Every live object is on one list, so a pointer is checked to be a live object before
 * its header is touched: a reference through a stale or foreign pointer is reported, not a
 * use-after-free.
 */
#include "object.h"
#include "bugcheck.h"
#include "thread.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define OBJECT_SIGNATURE 0x6A624F49UL /* "IObj" */

typedef struct _OBJECT_HEADER {
    LIST_ENTRY Live;
    POBJECT_TYPE Type;
    LONG_PTR PointerCount;
    ULONG Signature;
} OBJECT_HEADER;

/* The body follows the header at the alignment malloc guarantees. */
#define HEADER_SIZE ((sizeof(OBJECT_HEADER) + 15u) & ~(size_t)15u)

typedef struct _HANDLE_ENTRY {
    PVOID Object;
    ACCESS_MASK GrantedAccess;
} HANDLE_ENTRY;

/* Guards the live list, every PointerCount and the handle table. */
static pthread_mutex_t ObLock = PTHREAD_MUTEX_INITIALIZER;
static LIST_ENTRY LiveObjects = {&LiveObjects, &LiveObjects};
static HANDLE_ENTRY *Handles;
static ULONG HandleCapacity;

/* Kernel handles have the top bit of a 32-bit value set, sign-extended, as on Windows. */
#define KERNEL_HANDLE_BIT ((ULONG_PTR)(LONG_PTR)(LONG)0x80000000)

static HANDLE EncodeHandle(ULONG Index)
{
    return (HANDLE)(KERNEL_HANDLE_BIT | ((ULONG_PTR)(Index + 1) << 2));
}

static BOOLEAN IsKernelHandle(HANDLE Handle)
{
    ULONG_PTR Value = (ULONG_PTR)Handle;
    return (Value & KERNEL_HANDLE_BIT) == KERNEL_HANDLE_BIT && (Value & 3) == 0 &&
           Value != KERNEL_HANDLE_BIT;
}

/* ObLock held. The entry for a handle, or NULL. */
static HANDLE_ENTRY *LookupHandle(HANDLE Handle)
{
    ULONG_PTR Index;
    if (!IsKernelHandle(Handle)) {
        return NULL;
    }
    Index = (((ULONG_PTR)Handle & ~KERNEL_HANDLE_BIT) >> 2) - 1;
    if (Index >= HandleCapacity || Handles[Index].Object == NULL) {
        return NULL;
    }
    return &Handles[Index];
}

/* ObLock held. The header of a live object, or NULL if Object is none. */
static OBJECT_HEADER *FindLive(PVOID Object)
{
    for (PLIST_ENTRY Entry = LiveObjects.Flink; Entry != &LiveObjects; Entry = Entry->Flink) {
        OBJECT_HEADER *Header = CONTAINING_RECORD(Entry, OBJECT_HEADER, Live);
        if ((PUCHAR)Header + HEADER_SIZE == (PUCHAR)Object) {
            return Header;
        }
    }
    return NULL;
}

void IrqlpDdiViolation(ULONG Rule, const char *Condition, const void *Object, const char *Routine)
{
    char Level[16];
    IrqlpVerifierStop(Rule, Condition, Object, 0, "%s at %s: %s (DDI compliance rule 0x%lX)",
                      Routine, IrqlpLevelText(IrqlpCurrentThread()->Pcr.Irql, Level), Condition,
                      (unsigned long)Rule);
}

PVOID IrqlpObCreateObject(POBJECT_TYPE Type, SIZE_T Size)
{
    OBJECT_HEADER *Header = calloc(1, HEADER_SIZE + Size);
    if (Header == NULL) {
        return NULL;
    }
    Header->Type = Type;
    Header->PointerCount = 1;
    Header->Signature = OBJECT_SIGNATURE;
    pthread_mutex_lock(&ObLock);
    Header->Live.Flink = LiveObjects.Flink;
    Header->Live.Blink = &LiveObjects;
    LiveObjects.Flink->Blink = &Header->Live;
    LiveObjects.Flink = &Header->Live;
    pthread_mutex_unlock(&ObLock);
    return (PUCHAR)Header + HEADER_SIZE;
}

NTSTATUS IrqlpObCreateHandle(PVOID Object, ACCESS_MASK GrantedAccess, PHANDLE Handle)
{
    ULONG Index;
    OBJECT_HEADER *Header;

    pthread_mutex_lock(&ObLock);
    Header = FindLive(Object);
    for (Index = 0; Index < HandleCapacity && Handles[Index].Object != NULL; Index++) {
    }
    if (Index == HandleCapacity) {
        ULONG Capacity = HandleCapacity != 0 ? HandleCapacity * 2 : 64;
        HANDLE_ENTRY *Grown = realloc(Handles, Capacity * sizeof(*Grown));
        if (Grown == NULL) {
            pthread_mutex_unlock(&ObLock);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        memset(Grown + HandleCapacity, 0, (Capacity - HandleCapacity) * sizeof(*Grown));
        Handles = Grown;
        HandleCapacity = Capacity;
    }
    Header->PointerCount++;
    Handles[Index].Object = Object;
    Handles[Index].GrantedAccess = GrantedAccess;
    pthread_mutex_unlock(&ObLock);
    *Handle = EncodeHandle(Index);
    return STATUS_SUCCESS;
}

static DECLSPEC_NORETURN void DeadObject(PVOID Object, LONG_PTR Case, const char *Routine)
{
    /* 0x3F: P3 is documented as "1: reference case, -1: dereference case". */
    IrqlpVerifierStop(0x3F, Object, Case, 0,
                      "%s(%p): not a live object (its reference count already reached zero, "
                      "or it never was one)",
                      Routine, Object);
}

static void CheckReferenceIrql(const char *Routine)
{
    KIRQL Irql = IrqlpCurrentThread()->Pcr.Irql;
    if (Irql > DISPATCH_LEVEL) {
        /* No DDI rule covers Ob references; 0xE5 is Driver Verifier's "kernel API called at
           the incorrect IRQL". */
        char Level[16];
        IrqlpVerifierStop(0xE5, Irql, 0, 0, "%s at %s: allowed only at or below DISPATCH_LEVEL",
                          Routine, IrqlpLevelText(Irql, Level));
    }
}

LONG_PTR ObfReferenceObject(PVOID Object)
{
    OBJECT_HEADER *Header;
    LONG_PTR Count;

    CheckReferenceIrql("ObReferenceObject");
    pthread_mutex_lock(&ObLock);
    Header = FindLive(Object);
    if (Header == NULL) {
        pthread_mutex_unlock(&ObLock);
        DeadObject(Object, 1, "ObReferenceObject");
    }
    Count = ++Header->PointerCount;
    pthread_mutex_unlock(&ObLock);
    return Count;
}

LONG_PTR ObfDereferenceObject(PVOID Object)
{
    OBJECT_HEADER *Header;
    LONG_PTR Count;

    CheckReferenceIrql("ObDereferenceObject");
    pthread_mutex_lock(&ObLock);
    Header = FindLive(Object);
    if (Header == NULL) {
        pthread_mutex_unlock(&ObLock);
        DeadObject(Object, -1, "ObDereferenceObject");
    }
    Count = --Header->PointerCount;
    if (Count == 0) {
        Header->Live.Blink->Flink = Header->Live.Flink;
        Header->Live.Flink->Blink = Header->Live.Blink;
    }
    pthread_mutex_unlock(&ObLock);
    if (Count == 0) {
        if (Header->Type->Delete != NULL) {
            Header->Type->Delete(Object);
        }
        Header->Signature = 0;
        free(Header);
    }
    return Count;
}

NTSTATUS ObReferenceObjectByHandle(HANDLE Handle, ACCESS_MASK DesiredAccess,
                                   POBJECT_TYPE ObjectType, KPROCESSOR_MODE AccessMode,
                                   PVOID *Object, POBJECT_HANDLE_INFORMATION HandleInformation)
{
    HANDLE_ENTRY *Entry;
    OBJECT_HEADER *Header;
    PVOID Body;
    ACCESS_MASK Granted;

    *Object = NULL;
    if (IrqlpCurrentThread()->Pcr.Irql != PASSIVE_LEVEL) {
        IrqlpDdiViolation(0x2001B, "ObReferenceObjectByHandle must be called at PASSIVE_LEVEL "
                                   "(IrqlObPassive)", Handle, "ObReferenceObjectByHandle");
    }
    if (Handle == NtCurrentThread()) {
        Body = KeGetCurrentThread();
        if (ObjectType != NULL && ObjectType != *PsThreadType) {
            return STATUS_OBJECT_TYPE_MISMATCH;
        }
        ObfReferenceObject(Body);
        Granted = THREAD_ALL_ACCESS;
        goto Done;
    }
    if (Handle == NtCurrentProcess()) {
        /* The host has no process objects. */
        return STATUS_OBJECT_TYPE_MISMATCH;
    }
    if (Handle == NULL) {
        IrqlpVerifierStop(0xF5, Handle, ObjectType, 0,
                          "ObReferenceObjectByHandle(NULL): a NULL handle is never valid");
    }
    if (AccessMode != KernelMode) {
        if (IsKernelHandle(Handle)) {
            IrqlpVerifierStop(0xF7, Handle, ObjectType, AccessMode,
                              "ObReferenceObjectByHandle(%p, UserMode): a UserMode reference "
                              "to a kernel handle",
                              Handle);
        }
        return STATUS_INVALID_HANDLE; /* the host has no user-mode handles */
    }
    pthread_mutex_lock(&ObLock);
    Entry = LookupHandle(Handle);
    if (Entry == NULL) {
        pthread_mutex_unlock(&ObLock);
        IrqlpVerifierStop(0x3C, Handle, ObjectType, 0,
                          "ObReferenceObjectByHandle(%p): not an open kernel handle", Handle);
    }
    Body = Entry->Object;
    Granted = Entry->GrantedAccess;
    Header = FindLive(Body);
    if (ObjectType != NULL && Header->Type != ObjectType) {
        pthread_mutex_unlock(&ObLock);
        return STATUS_OBJECT_TYPE_MISMATCH;
    }
    Header->PointerCount++;
    pthread_mutex_unlock(&ObLock);
Done:
    UNREFERENCED_PARAMETER(DesiredAccess);
    *Object = Body;
    if (HandleInformation != NULL) {
        HandleInformation->HandleAttributes = OBJ_KERNEL_HANDLE;
        HandleInformation->GrantedAccess = Granted;
    }
    return STATUS_SUCCESS;
}

NTSTATUS ZwClose(HANDLE Handle)
{
    HANDLE_ENTRY *Entry;
    PVOID Object;

    if (IrqlpCurrentThread()->Pcr.Irql != PASSIVE_LEVEL) {
        IrqlpDdiViolation(0x2001F, "ZwClose must be called at PASSIVE_LEVEL (IrqlZwPassive)",
                          Handle, "ZwClose");
    }
    pthread_mutex_lock(&ObLock);
    Entry = LookupHandle(Handle);
    if (Entry == NULL) {
        pthread_mutex_unlock(&ObLock);
        IrqlpBugCheck(INVALID_KERNEL_HANDLE, (ULONG_PTR)Handle, 1, 0, 0,
                      "ZwClose(%p): not an open kernel handle (already closed, or never opened)",
                      Handle);
    }
    Object = Entry->Object;
    Entry->Object = NULL;
    pthread_mutex_unlock(&ObLock);
    ObfDereferenceObject(Object);
    return STATUS_SUCCESS;
}
