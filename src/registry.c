/*
 * The global registry (<irql/registry.h>): named IRQL_PROTECTED values with references.
 *
 * Layout. Each registered value is one non-paged pool block (IRQL_GRT_POOL_TAG):
 *
 *   [IRQLP_GRT_ENTRY, padded to 16][the Type value, padded to 16][key\0][type name\0]
 *
 * so the value keeps the pool's 16-byte alignment and IrqlGrtRelease finds the entry from the
 * value's address alone. The table is an array of bucket heads (singly linked chains, the
 * full hash cached in each entry) that doubles when it holds as many entries as buckets.
 *
 * Concurrency. One reader-writer spin lock (a LONG: reader count below IRQLP_GRT_WRITER,
 * taken at DISPATCH_LEVEL) guards the table, its size and the registry's state. Lookups and
 * enumeration take it shared — one interlocked increment and decrement, never an exclusive
 * section — so lookups on many processors do not serialise; register, remove, init and
 * destroy take it exclusively for a few instructions (a register that must grow the table
 * rehashes under it). A writer announces itself (the writer bit) before waiting for readers
 * to drain, so readers cannot starve it. Everything touched under the lock is non-paged,
 * which is what lets IRQL_GRT_GET run at DISPATCH_LEVEL.
 *
 * References are run-down protection on the entry (EX_RUNDOWN_REF): GET acquires it while
 * the entry is reachable under the shared lock; remove and destroy first make the entry
 * unreachable under the exclusive lock (or mark the registry destroying), then wait for run-
 * down, then delete the lock and free. So no reference outlives its value, and no lookup can
 * reach a value that is being freed.
 *
 * States (written under the exclusive lock, read under the lock or atomically for an early
 * answer): not initialised -> ready -> destroying -> destroyed -> (IrqlGrtInit) ready.
 */
#include "internal.h"

#include <irql/registry.h>
#include <string.h> /* memcpy */

/* strnlen: in the kernel CRT (km/crt string.h) and POSIX, but not ISO C, so declared here. */
size_t strnlen(const char *String, size_t MaxLength);

#define IRQLP_GRT_SIGNATURE 0x5A475254UL /* live entry */
#define IRQLP_GRT_MIN_BUCKETS 64UL
#define IRQLP_GRT_MAX_BUCKETS (1UL << 26)
#define IRQLP_GRT_MAX_TYPE_NAME 1024
#define IRQLP_GRT_WRITER 0x40000000L

#define IRQLP_GRT_UNINITIALIZED 0
#define IRQLP_GRT_READY 1
#define IRQLP_GRT_DESTROYING 2
#define IRQLP_GRT_DESTROYED 3

/* Host and checked builds name both types on a mismatch. */
#if defined(IRQL_HOST) || (defined(DBG) && DBG)
#define IRQLP_GRT_REPORT_TYPES 1
#else
#define IRQLP_GRT_REPORT_TYPES 0
#endif

typedef struct _IRQLP_GRT_ENTRY {
    struct _IRQLP_GRT_ENTRY *Next; /* bucket chain (exclusive lock), or the leaked list */
    ULONG Hash;
    ULONG Signature;
    EX_RUNDOWN_REF Rundown;        /* the references IRQL_GRT_GET hands out */
    PCSTR Key;                     /* the copies, inside this block */
    PCSTR TypeName;
    PCSTR TypeNameLiteral;         /* the registering caller's #Type, compared by address first */
    ULONG KeyLength;
    ULONG Size;                    /* sizeof(Type) */
    ULONG DataOffset;
    ULONG DataSize;
    ULONG Kind;                    /* IRQL__KIND_… */
} IRQLP_GRT_ENTRY, *PIRQLP_GRT_ENTRY;

#define IRQLP_GRT_ALIGN(N) (((N) + 15) & ~(SIZE_T)15)
#define IRQLP_GRT_HEADER IRQLP_GRT_ALIGN(sizeof(IRQLP_GRT_ENTRY))
#define IRQLP_GRT_VALUE(Entry) ((PUCHAR)(Entry) + IRQLP_GRT_HEADER)

typedef struct _IRQLP_GRT {
    LONG volatile Lock;            /* reader-writer spin lock */
    LONG volatile State;
    PIRQLP_GRT_ENTRY *Buckets;
    ULONG BucketMask;              /* bucket count - 1 */
    LONG volatile Count;           /* entries in the table (read early, without the lock) */
    PIRQLP_GRT_ENTRY Leaked;       /* values still locked at remove/destroy: never freed */
} IRQLP_GRT;

static IRQLP_GRT IrqlpGrt;

/* ---- The reader-writer spin lock ----------------------------------------------------------- */

static KIRQL LockShared(VOID)
{
    KIRQL OldIrql;

    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    for (;;) {
        if ((InterlockedIncrement(&IrqlpGrt.Lock) & IRQLP_GRT_WRITER) == 0) {
            return OldIrql;
        }
        /* A writer holds it or waits for it: step back and let it through. */
        InterlockedDecrement(&IrqlpGrt.Lock);
        while ((ReadNoFence(&IrqlpGrt.Lock) & IRQLP_GRT_WRITER) != 0) {
            YieldProcessor();
        }
    }
}

static VOID UnlockShared(KIRQL OldIrql)
{
    InterlockedDecrement(&IrqlpGrt.Lock);
    KeLowerIrql(OldIrql);
}

static KIRQL LockExclusive(VOID)
{
    KIRQL OldIrql;
    LONG Value;

    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    for (;;) {
        Value = ReadNoFence(&IrqlpGrt.Lock);
        if ((Value & IRQLP_GRT_WRITER) == 0 &&
            InterlockedCompareExchange(&IrqlpGrt.Lock, Value | IRQLP_GRT_WRITER, Value) == Value) {
            break;
        }
        YieldProcessor();
    }
    while (ReadAcquire(&IrqlpGrt.Lock) != IRQLP_GRT_WRITER) {
        YieldProcessor(); /* readers draining */
    }
    return OldIrql;
}

static VOID UnlockExclusive(KIRQL OldIrql)
{
    InterlockedExchangeAdd(&IrqlpGrt.Lock, -IRQLP_GRT_WRITER);
    KeLowerIrql(OldIrql);
}

/* ---- Helpers ------------------------------------------------------------------------------ */

static NTSTATUS StateStatus(LONG State)
{
    switch (State) {
    case IRQLP_GRT_READY:
        return STATUS_SUCCESS;
    case IRQLP_GRT_DESTROYING:
        return STATUS_IRQL_GRT_DESTROYING;
    case IRQLP_GRT_DESTROYED:
        return STATUS_IRQL_GRT_DESTROYED;
    default:
        return STATUS_IRQL_GRT_NOT_INITIALIZED;
    }
}

static VOID SetState(LONG State)
{
    InterlockedExchange(&IrqlpGrt.State, State);
}

/* Validate Key (1 … IRQL_GRT_MAX_KEY_LENGTH characters) and hash it: the length first (the
   CRT's vectorised strnlen: never reads past the limit), then eight bytes at a time
   (multiply-xorshift), then a final mix so the low bits that pick the bucket depend on every
   byte. */
static NTSTATUS HashKey(PCSTR Key, PULONG Length, PULONG Hash)
{
    ULONG64 H = 0x9E3779B97F4A7C15ULL;
    ULONG64 Word;
    SIZE_T N;
    SIZE_T I;

    if (Key == NULL) {
        return STATUS_IRQL_GRT_INVALID_KEY;
    }
    N = strnlen(Key, IRQL_GRT_MAX_KEY_LENGTH + 1);
    if (N == 0 || N > IRQL_GRT_MAX_KEY_LENGTH) {
        return STATUS_IRQL_GRT_INVALID_KEY;
    }
    for (I = 0; I + 8 <= N; I += 8) {
        memcpy(&Word, Key + I, 8);
        H = (H ^ Word) * 0xFF51AFD7ED558CCDULL;
        H ^= H >> 32;
    }
    if (I < N) {
        Word = 0;
        memcpy(&Word, Key + I, N - I);
        H = (H ^ Word) * 0xFF51AFD7ED558CCDULL;
    }
    H ^= N;
    H ^= H >> 33;
    H *= 0xC4CEB9FE1A85EC53ULL;
    H ^= H >> 29;
    *Length = (ULONG)N;
    *Hash = (ULONG)H;
    return STATUS_SUCCESS;
}

/* Under the lock (either mode). */
static PIRQLP_GRT_ENTRY *FindSlot(PCSTR Key, ULONG Length, ULONG Hash)
{
    PIRQLP_GRT_ENTRY *Slot = &IrqlpGrt.Buckets[Hash & IrqlpGrt.BucketMask];
    PIRQLP_GRT_ENTRY Entry;

    for (; (Entry = *Slot) != NULL; Slot = &Entry->Next) {
        if (Entry->Hash == Hash && Entry->KeyLength == Length &&
            RtlEqualMemory(Entry->Key, Key, Length)) {
            return Slot;
        }
    }
    return NULL;
}

static BOOLEAN StringsEqual(PCSTR A, PCSTR B)
{
    while (*A != '\0' && *A == *B) {
        A++;
        B++;
    }
    return *A == *B;
}

static BOOLEAN TypeMatches(PIRQLP_GRT_ENTRY Entry, PCSTR TypeName, SIZE_T Size, SIZE_T DataOffset,
                           SIZE_T DataSize, ULONG Kind)
{
    return Entry->Size == Size && Entry->Kind == Kind && Entry->DataOffset == DataOffset &&
           Entry->DataSize == DataSize &&
           (Entry->TypeNameLiteral == TypeName || StringsEqual(Entry->TypeName, TypeName));
}

/* The entry's references are gone: delete its lock and free it, or, if the lock is still
   held, report it and keep it (on the leaked list, reachable, never freed). TRUE if freed. */
static BOOLEAN FreeEntry(PIRQLP_GRT_ENTRY Entry, PCSTR Caller)
{
    NTSTATUS Status = IrqlpDeleteLock(IRQLP_GRT_VALUE(Entry), Entry->Kind);
    KIRQL OldIrql;

    if (Status == STATUS_IRQL_LOCK_HELD) {
        DbgPrint("irql: %s: \"%s\" (%s) is still locked with no reference left: leaked, "
                 "not freed\n",
                 Caller, Entry->Key, Entry->TypeName);
        OldIrql = LockExclusive();
        Entry->Next = IrqlpGrt.Leaked;
        IrqlpGrt.Leaked = Entry;
        UnlockExclusive(OldIrql);
        return FALSE;
    }
    Entry->Signature = 0;
    ExFreePoolWithTag(Entry, IRQL_GRT_POOL_TAG);
    return TRUE;
}

static PIRQLP_GRT_ENTRY *AllocateBuckets(ULONG Count)
{
    return (PIRQLP_GRT_ENTRY *)ExAllocatePool2(POOL_FLAG_NON_PAGED,
                                               (SIZE_T)Count * sizeof(PIRQLP_GRT_ENTRY),
                                               IRQL_GRT_POOL_TAG);
}

/* ---- API ----------------------------------------------------------------------------------- */

NTSTATUS IrqlGrtInit(VOID)
{
    PIRQLP_GRT_ENTRY *Buckets;
    NTSTATUS Status;
    KIRQL OldIrql;
    LONG State;

    if (KeGetCurrentIrql() > APC_LEVEL) {
        return STATUS_IRQL_LOCK_IRQL_TOO_HIGH;
    }
    State = ReadNoFence(&IrqlpGrt.State);
    if (State == IRQLP_GRT_READY) {
        return STATUS_IRQL_GRT_ALREADY_INITIALIZED;
    }
    if (State == IRQLP_GRT_DESTROYING) {
        return STATUS_IRQL_GRT_DESTROYING;
    }
    Buckets = AllocateBuckets(IRQLP_GRT_MIN_BUCKETS);
    if (Buckets == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    OldIrql = LockExclusive();
    State = IrqlpGrt.State;
    if (State == IRQLP_GRT_UNINITIALIZED || State == IRQLP_GRT_DESTROYED) {
        IrqlpGrt.Buckets = Buckets;
        InterlockedExchange((LONG volatile *)&IrqlpGrt.BucketMask,
                            (LONG)(IRQLP_GRT_MIN_BUCKETS - 1));
        InterlockedExchange(&IrqlpGrt.Count, 0);
        SetState(IRQLP_GRT_READY);
        Buckets = NULL;
        Status = STATUS_SUCCESS;
    } else {
        Status = State == IRQLP_GRT_READY ? STATUS_IRQL_GRT_ALREADY_INITIALIZED
                                          : STATUS_IRQL_GRT_DESTROYING;
    }
    UnlockExclusive(OldIrql);
    if (Buckets != NULL) {
        ExFreePoolWithTag(Buckets, IRQL_GRT_POOL_TAG);
    }
    return Status;
}

NTSTATUS irql__grt_register(PCSTR Key, PCSTR TypeName, SIZE_T Size, SIZE_T DataOffset,
                            SIZE_T DataSize, ULONG Kind, const VOID *Initial)
{
    PIRQLP_GRT_ENTRY Entry;
    PIRQLP_GRT_ENTRY *NewBuckets = NULL;
    PIRQLP_GRT_ENTRY *FreeBuckets = NULL;
    ULONG NewCount = 0;
    ULONG Length;
    ULONG Hash;
    SIZE_T TypeLength;
    SIZE_T Total;
    PCHAR Strings;
    NTSTATUS Status;
    KIRQL OldIrql;

    if (KeGetCurrentIrql() > APC_LEVEL) {
        return STATUS_IRQL_LOCK_IRQL_TOO_HIGH;
    }
    Status = HashKey(Key, &Length, &Hash);
    if (!NT_SUCCESS(Status)) {
        return Status;
    }
    if (TypeName == NULL || Kind == IRQL__KIND_NONE || Size > MAXULONG / 2 ||
        DataOffset > Size || DataSize > Size - DataOffset) {
        return STATUS_INVALID_PARAMETER;
    }
    for (TypeLength = 0; TypeName[TypeLength] != '\0'; TypeLength++) {
        if (TypeLength == IRQLP_GRT_MAX_TYPE_NAME) {
            return STATUS_INVALID_PARAMETER;
        }
    }
    /* An early answer, so a call in the wrong state allocates nothing; checked again below. */
    Status = StateStatus(ReadNoFence(&IrqlpGrt.State));
    if (!NT_SUCCESS(Status)) {
        return Status;
    }

    Total = IRQLP_GRT_HEADER + IRQLP_GRT_ALIGN(Size) + Length + 1 + TypeLength + 1;
    Entry = (PIRQLP_GRT_ENTRY)ExAllocatePool2(POOL_FLAG_NON_PAGED, Total, IRQL_GRT_POOL_TAG);
    if (Entry == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    Strings = (PCHAR)IRQLP_GRT_VALUE(Entry) + IRQLP_GRT_ALIGN(Size);
    RtlCopyMemory(Strings, Key, Length + 1);
    RtlCopyMemory(Strings + Length + 1, TypeName, TypeLength + 1);
    Entry->Key = Strings;
    Entry->TypeName = Strings + Length + 1;
    Entry->TypeNameLiteral = TypeName;
    Entry->KeyLength = Length;
    Entry->Hash = Hash;
    Entry->Size = (ULONG)Size;
    Entry->DataOffset = (ULONG)DataOffset;
    Entry->DataSize = (ULONG)DataSize;
    Entry->Kind = Kind;
    ExInitializeRundownProtection(&Entry->Rundown);
    Status = IrqlpInitLock(IRQLP_GRT_VALUE(Entry), Kind); /* the lock is the first member */
    if (!NT_SUCCESS(Status)) {
        ExFreePoolWithTag(Entry, IRQL_GRT_POOL_TAG);
        return Status;
    }
    if (Initial != NULL) {
        RtlCopyMemory(IRQLP_GRT_VALUE(Entry) + DataOffset, Initial, DataSize);
    }
    Entry->Signature = IRQLP_GRT_SIGNATURE;

    /* Full? Allocate the doubled table now, outside the lock (a failure only means longer
       chains until the next register). */
    {
        ULONG Buckets = (ULONG)ReadNoFence((LONG volatile *)&IrqlpGrt.BucketMask) + 1;
        if ((ULONG)ReadNoFence(&IrqlpGrt.Count) >= Buckets && Buckets < IRQLP_GRT_MAX_BUCKETS) {
            NewCount = Buckets * 2;
            NewBuckets = AllocateBuckets(NewCount);
        }
    }

    OldIrql = LockExclusive();
    Status = StateStatus(IrqlpGrt.State);
    if (NT_SUCCESS(Status) && FindSlot(Entry->Key, Length, Hash) != NULL) {
        Status = STATUS_IRQL_GRT_KEY_EXISTS;
    }
    if (NT_SUCCESS(Status)) {
        if (NewBuckets != NULL && NewCount == 2 * (IrqlpGrt.BucketMask + 1) &&
            (ULONG)IrqlpGrt.Count >= IrqlpGrt.BucketMask + 1) {
            /* Rehash into the doubled table. */
            ULONG I;
            for (I = 0; I <= IrqlpGrt.BucketMask; I++) {
                PIRQLP_GRT_ENTRY Moving = IrqlpGrt.Buckets[I];
                while (Moving != NULL) {
                    PIRQLP_GRT_ENTRY Next = Moving->Next;
                    PIRQLP_GRT_ENTRY *Head = &NewBuckets[Moving->Hash & (NewCount - 1)];
                    Moving->Next = *Head;
                    *Head = Moving;
                    Moving = Next;
                }
            }
            FreeBuckets = IrqlpGrt.Buckets;
            IrqlpGrt.Buckets = NewBuckets;
            InterlockedExchange((LONG volatile *)&IrqlpGrt.BucketMask, (LONG)(NewCount - 1));
            NewBuckets = NULL;
        }
        Entry->Next = IrqlpGrt.Buckets[Hash & IrqlpGrt.BucketMask];
        IrqlpGrt.Buckets[Hash & IrqlpGrt.BucketMask] = Entry;
        InterlockedIncrement(&IrqlpGrt.Count);
    }
    UnlockExclusive(OldIrql);

    if (NewBuckets != NULL) {
        ExFreePoolWithTag(NewBuckets, IRQL_GRT_POOL_TAG);
    }
    if (FreeBuckets != NULL) {
        ExFreePoolWithTag(FreeBuckets, IRQL_GRT_POOL_TAG);
    }
    if (!NT_SUCCESS(Status)) {
        /* Never published: nobody else has seen it. */
        (VOID)IrqlpDeleteLock(IRQLP_GRT_VALUE(Entry), Kind);
        Entry->Signature = 0;
        ExFreePoolWithTag(Entry, IRQL_GRT_POOL_TAG);
    }
    return Status;
}

NTSTATUS irql__grt_get(PCSTR Key, PCSTR TypeName, SIZE_T Size, SIZE_T DataOffset,
                       SIZE_T DataSize, ULONG Kind, PVOID *PtrOut)
{
    PIRQLP_GRT_ENTRY *Slot;
    PIRQLP_GRT_ENTRY Entry;
    ULONG Length;
    ULONG Hash;
    NTSTATUS Status;
    KIRQL OldIrql;

    if (PtrOut == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *PtrOut = NULL;
    if (KeGetCurrentIrql() > DISPATCH_LEVEL) {
        return STATUS_IRQL_LOCK_IRQL_TOO_HIGH;
    }
    Status = HashKey(Key, &Length, &Hash);
    if (!NT_SUCCESS(Status)) {
        return Status;
    }
    if (TypeName == NULL) {
        return STATUS_INVALID_PARAMETER;
    }

    OldIrql = LockShared();
    Status = StateStatus(IrqlpGrt.State);
    if (NT_SUCCESS(Status)) {
        Slot = FindSlot(Key, Length, Hash);
        if (Slot == NULL) {
            Status = STATUS_IRQL_GRT_KEY_NOT_FOUND;
        } else {
            Entry = *Slot;
            if (!TypeMatches(Entry, TypeName, Size, DataOffset, DataSize, Kind)) {
#if IRQLP_GRT_REPORT_TYPES
                DbgPrint("irql: IRQL_GRT_GET(\"%s\"): registered as %s (%lu bytes), requested "
                         "as %s (%lu bytes)\n",
                         Entry->Key, Entry->TypeName, (unsigned long)Entry->Size, TypeName,
                         (unsigned long)Size);
#endif
                Status = STATUS_IRQL_GRT_TYPE_MISMATCH;
            } else if (!ExAcquireRundownProtection(&Entry->Rundown)) {
                Status = STATUS_IRQL_GRT_KEY_NOT_FOUND; /* cannot happen while reachable */
            } else {
                *PtrOut = IRQLP_GRT_VALUE(Entry);
            }
        }
    }
    UnlockShared(OldIrql);
    return Status;
}

VOID IrqlGrtRelease(PVOID Ptr)
{
    PIRQLP_GRT_ENTRY Entry;

    if (Ptr == NULL) {
        return;
    }
    if (KeGetCurrentIrql() > DISPATCH_LEVEL) {
        DbgPrint("irql: IrqlGrtRelease(%p) above DISPATCH_LEVEL: ignored, the reference "
                 "stays\n",
                 Ptr);
        return;
    }
    Entry = (PIRQLP_GRT_ENTRY)((PUCHAR)Ptr - IRQLP_GRT_HEADER);
    if (((ULONG_PTR)Ptr & 15) != 0 || Entry->Signature != IRQLP_GRT_SIGNATURE) {
        DbgPrint("irql: IrqlGrtRelease(%p): not a registry reference: ignored\n", Ptr);
        return;
    }
    ExReleaseRundownProtection(&Entry->Rundown);
}

NTSTATUS IrqlGrtRemove(PCSTR Key)
{
    PIRQLP_GRT_ENTRY *Slot;
    PIRQLP_GRT_ENTRY Entry = NULL;
    ULONG Length;
    ULONG Hash;
    NTSTATUS Status;
    KIRQL OldIrql;

    if (KeGetCurrentIrql() > APC_LEVEL) {
        return STATUS_IRQL_LOCK_IRQL_TOO_HIGH;
    }
    Status = HashKey(Key, &Length, &Hash);
    if (!NT_SUCCESS(Status)) {
        return Status;
    }
    OldIrql = LockExclusive();
    Status = StateStatus(IrqlpGrt.State);
    if (NT_SUCCESS(Status)) {
        Slot = FindSlot(Key, Length, Hash);
        if (Slot == NULL) {
            Status = STATUS_IRQL_GRT_KEY_NOT_FOUND;
        } else {
            Entry = *Slot;
            *Slot = Entry->Next;
            Entry->Next = NULL;
            InterlockedDecrement(&IrqlpGrt.Count);
        }
    }
    UnlockExclusive(OldIrql);
    if (Entry == NULL) {
        return Status;
    }
    /* Unreachable now: wait for the references already handed out. */
    ExWaitForRundownProtectionRelease(&Entry->Rundown);
    return FreeEntry(Entry, "IrqlGrtRemove") ? STATUS_SUCCESS : STATUS_IRQL_GRT_LEAKED;
}

NTSTATUS IrqlGrtEnumerate(PIRQL_GRT_ENUMERATE_ROUTINE Routine, PVOID Context, PULONG Count)
{
    NTSTATUS Status;
    KIRQL OldIrql;
    ULONG Calls = 0;
    ULONG I;

    if (Count != NULL) {
        *Count = 0;
    }
    if (Routine == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    if (KeGetCurrentIrql() > DISPATCH_LEVEL) {
        return STATUS_IRQL_LOCK_IRQL_TOO_HIGH;
    }
    OldIrql = LockShared();
    Status = StateStatus(IrqlpGrt.State);
    if (NT_SUCCESS(Status)) {
        BOOLEAN More = TRUE;
        for (I = 0; More && I <= IrqlpGrt.BucketMask; I++) {
            PIRQLP_GRT_ENTRY Entry;
            for (Entry = IrqlpGrt.Buckets[I]; More && Entry != NULL; Entry = Entry->Next) {
                Calls++;
                More = Routine(Entry->Key, Entry->TypeName, Context);
            }
        }
    }
    UnlockShared(OldIrql);
    if (Count != NULL) {
        *Count = Calls;
    }
    return Status;
}

NTSTATUS IrqlGrtDestroy(VOID)
{
    PIRQLP_GRT_ENTRY *Buckets;
    ULONG BucketCount;
    ULONG Freed = 0;
    ULONG Leaked = 0;
    NTSTATUS Status;
    KIRQL OldIrql;
    ULONG I;

    if (KeGetCurrentIrql() > APC_LEVEL) {
        return STATUS_IRQL_LOCK_IRQL_TOO_HIGH;
    }
    /* From here on no new reference, registration or removal: they all see DESTROYING. */
    OldIrql = LockExclusive();
    Status = StateStatus(IrqlpGrt.State);
    if (NT_SUCCESS(Status)) {
        SetState(IRQLP_GRT_DESTROYING);
    }
    Buckets = IrqlpGrt.Buckets;
    BucketCount = IrqlpGrt.BucketMask + 1;
    if (NT_SUCCESS(Status)) {
        IrqlpGrt.Buckets = NULL;
        InterlockedExchange(&IrqlpGrt.Count, 0);
    }
    UnlockExclusive(OldIrql);
    if (!NT_SUCCESS(Status)) {
        return Status;
    }

    for (I = 0; I < BucketCount; I++) {
        PIRQLP_GRT_ENTRY Entry = Buckets[I];
        while (Entry != NULL) {
            PIRQLP_GRT_ENTRY Next = Entry->Next;
            ExWaitForRundownProtectionRelease(&Entry->Rundown);
            if (FreeEntry(Entry, "IrqlGrtDestroy")) {
                Freed++;
            } else {
                Leaked++;
            }
            Entry = Next;
        }
    }
    ExFreePoolWithTag(Buckets, IRQL_GRT_POOL_TAG);

    OldIrql = LockExclusive();
    SetState(IRQLP_GRT_DESTROYED);
    UnlockExclusive(OldIrql);
    if (Leaked != 0) {
        DbgPrint("irql: IrqlGrtDestroy: freed %lu values, leaked %lu still locked\n",
                 (unsigned long)Freed, (unsigned long)Leaked);
        return STATUS_IRQL_GRT_LEAKED;
    }
    return STATUS_SUCCESS;
}
