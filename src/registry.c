/*
 * The global registry (<irql/registry.h>): named IRQL_PROTECTED values with references.
 *
 * Layout. Each registered key owns two non-paged pool blocks (IRQL_GRT_POOL_TAG):
 *
 *   the entry  [IRQLP_GRT_ENTRY][key\0][type name\0]   hash, key, type, run-down reference
 *   the value  [IRQLP_GRT_VALUE_HEADER (16)][the Type value]
 *
 * so the value keeps the pool's 16-byte alignment and IrqlGrtRelease finds the entry from the
 * value's address alone. The table is an open-addressing array (linear probing) of entry
 * pointers, a power of two long, rebuilt (larger, or the same size to drop tombstones) when
 * half of its slots are used.
 *
 * Concurrency: a lock-free read path.
 *   - Readers (IRQL_GRT_GET, IrqlGrtEnumerate) take no lock and GET does not raise the IRQL.
 *     A reader announces itself in one of IRQLP_GRT_SHARDS cache-line-padded counters (picked
 *     by a hash of its stack address, so readers on different threads almost never share a
 *     line), reads the state (acquire), the table pointer and the slots (acquire), compares
 *     the key, checks the type and then takes run-down protection on the entry: that
 *     reference, not the lookup, is what keeps the value alive until IrqlGrtRelease.
 *   - Writers (init, register, remove, destroy) serialise on a small exclusive spin lock
 *     (statically initialised, held for a few instructions, or for the rehash when the table
 *     is rebuilt). They publish a new entry with a release store into a slot, a rebuilt table
 *     with one exchange of the table pointer, and remove by exchanging the slot for a
 *     tombstone. They never change a table once it has been replaced, never move an entry,
 *     and never free memory a reader may still be reading:
 *   - Removal unlinks the entry, waits for its run-down (as before: a GET that found it just
 *     before then fails its acquire and says KEY_NOT_FOUND), frees the value, and *retires*
 *     the entry block (key, type, run-down word: what a reader standing on a stale slot still
 *     reads). A replaced table is retired too. Retired blocks are freed at a quiescent point:
 *     a writer that sees every reader counter at zero after it retired them (then no reader
 *     that could have seen them is still running: a reader that starts later reads the new
 *     slots, because the writer's exchange and its read of the counter are both sequentially
 *     consistent read-modify-writes, as is the reader's increment), and at the latest in
 *     IrqlGrtDestroy, which waits for the counters to drain before freeing anything.
 *   - Destroy marks the registry destroying, waits for every entry's run-down (every
 *     reference), waits for removals in progress and for readers to drain, then frees.
 *
 * Key objects (IRQL_GRT_KEY). The object caches the key's length and hash, and a hint: the
 * entry its last slow lookup found, stamped with the registry's Epoch read (after entering the
 * read path) before that lookup. Epoch is advanced, under the writer lock and with a
 * sequentially consistent read-modify-write, by IrqlGrtInit, by IrqlGrtRemove right after the
 * unlink and by IrqlGrtDestroy with the destroying state; never by a rebuild (entries do not
 * move). A lookup that, inside the read path, reads the hint's epoch as the current one uses
 * the entry directly: its memory is safe for the same reason a slot's is (it is freed only
 * after retirement and a quiescent point, both after the epoch advance, and a reader that
 * enters later sees the advance), and an entry that was unlinked after the hint was taken is
 * handled as the slow path handles one found just before its unlink: the run-down acquire
 * either succeeds before the removal waits (the removal then waits for it) or fails
 * (KEY_NOT_FOUND). The hint (entry, epoch) is written under a sequence lock in the object.
 *
 * States (written under the writer lock, read atomically): not initialised -> ready ->
 * destroying -> destroyed -> (IrqlGrtInit) ready.
 */
#include "internal.h"

#include <irql/registry.h>
#include <string.h> /* memcpy */

/* strnlen: in the kernel CRT (km/crt string.h) and POSIX, but not ISO C, so declared here. */
size_t strnlen(const char *String, size_t MaxLength);

#if defined(__GNUC__) || defined(__clang__)
#define IRQLP_LIKELY(X) __builtin_expect(!!(X), 1)
#define IRQLP_UNLIKELY(X) __builtin_expect(!!(X), 0)
#define IRQLP_NOINLINE __attribute__((noinline))
#else
#define IRQLP_LIKELY(X) (X)
#define IRQLP_UNLIKELY(X) (X)
#define IRQLP_NOINLINE __declspec(noinline)
#endif

#define IRQLP_GRT_SIGNATURE 0x5A475254UL /* live value */
#define IRQLP_GRT_MIN_SLOTS 64UL
#define IRQLP_GRT_MAX_SLOTS (1UL << 27)
#define IRQLP_GRT_MAX_TYPE_NAME 1024
#define IRQLP_GRT_SHARDS 64 /* reader counters; a power of two */

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

/* The entry: immutable once published, except its run-down word and the retire link. */
typedef struct _IRQLP_GRT_ENTRY {
    ULONG Hash;
    ULONG KeyLength;               /* 0 only in the tombstone: never matches a key */
    EX_RUNDOWN_REF Rundown;        /* the references IRQL_GRT_GET hands out */
    PUCHAR Value;                  /* the Type value (inside the value block) */
    PCSTR TypeName;                /* the copy, inside this block */
    PCSTR TypeNameLiteral;         /* the registering caller's #Type, compared by address first */
    ULONG Size;                    /* sizeof(Type) */
    ULONG Kind;                    /* IRQL__KIND_… (Ops->Kind, where GET compares it) */
    PCIRQL__LOCK_OPS Ops;          /* makes and deletes the lock */
    union {
        struct {                   /* little-endian: Layout = (DataOffset << 32) | DataSize */
            ULONG DataSize;
            ULONG DataOffset;
        };
        ULONG64 Layout;            /* one compare on the key-object fast path */
    };
    struct _IRQLP_GRT_ENTRY *Retired; /* the retired list (writer lock) */
    CHAR Key[];                    /* key\0type name\0 */
} IRQLP_GRT_ENTRY, *PIRQLP_GRT_ENTRY;

/* In front of each value: 16 bytes, so the value keeps the pool's alignment. */
typedef struct _IRQLP_GRT_VALUE_HEADER {
    union {
        PIRQLP_GRT_ENTRY Entry;                  /* while live */
        struct _IRQLP_GRT_VALUE_HEADER *Leaked;  /* once leaked: the leaked list */
    };
    ULONG Signature;
    ULONG Reserved;
} IRQLP_GRT_VALUE_HEADER, *PIRQLP_GRT_VALUE_HEADER;

#define IRQLP_GRT_ALIGN(N) (((N) + 15) & ~(SIZE_T)15)
#define IRQLP_GRT_VALUE_OFFSET IRQLP_GRT_ALIGN(sizeof(IRQLP_GRT_VALUE_HEADER))

typedef struct _IRQLP_GRT_TABLE {
    struct _IRQLP_GRT_TABLE *Retired; /* the retired list (writer lock) */
    ULONG Mask;                       /* slot count - 1 */
    ULONG Used;                       /* slots not NULL: entries and tombstones (writer lock) */
    PVOID volatile Slots[];           /* PIRQLP_GRT_ENTRY, the tombstone, or NULL */
} IRQLP_GRT_TABLE, *PIRQLP_GRT_TABLE;

typedef struct _IRQLP_GRT_SHARD {
    _Alignas(64) LONG volatile Readers; /* readers inside the read path; a cache line each */
} IRQLP_GRT_SHARD;

typedef struct _IRQLP_GRT {
    IRQLP_GRT_SHARD Shards[IRQLP_GRT_SHARDS];
    LONG volatile Lock;               /* the writer spin lock */
    LONG volatile State;
    PVOID volatile Table;             /* PIRQLP_GRT_TABLE */
    ULONG Live;                       /* entries in the table (writer lock) */
    ULONG Removing;                   /* removals between unlink and retire (writer lock) */
    PIRQLP_GRT_ENTRY RetiredEntries;  /* freed at a quiescent point or at destroy */
    PIRQLP_GRT_TABLE RetiredTables;
    PIRQLP_GRT_VALUE_HEADER Leaked;   /* values still locked at remove/destroy: never freed */
    LONG64 volatile Epoch;            /* key-object hints: advanced by init, remove, destroy */
} IRQLP_GRT;

/* Epoch starts at 1: a key object's HintEpoch 0 (no hint) never matches it. */
static IRQLP_GRT IrqlpGrt = {.Epoch = 1};

/* A removed slot. KeyLength 0: no key compares equal to it, so the probe loop needs no extra
   test. Never written. */
static IRQLP_GRT_ENTRY IrqlpGrtTombstone;
#define IRQLP_GRT_TOMBSTONE ((PVOID)&IrqlpGrtTombstone)

/* ---- Readers ------------------------------------------------------------------------------- */

/* Enter the read path: one interlocked increment of this thread's shard (sequentially
   consistent: see the header comment for why a writer that then reads it as zero may free
   what it retired before). Returns the counter to leave through (the same one, whichever
   thread leaves). */
IRQL__INLINE LONG volatile *ReaderEnter(VOID)
{
    /* The shard: a hash of this thread's stack address (one instruction to get, and distinct
       threads run on distinct stacks; any shard is correct, the choice only spreads the
       lines). */
    LONG Anchor;
    ULONG64 Stack = (ULONG64)(ULONG_PTR)&Anchor;
    LONG volatile *Readers =
        &IrqlpGrt.Shards[((Stack >> 12) * 0x9E3779B97F4A7C15ULL) >> 58].Readers;
    InterlockedIncrement(Readers);
    return Readers;
}

IRQL__INLINE VOID ReaderLeave(LONG volatile *Readers)
{
    InterlockedDecrement(Readers);
}

/* Writers: TRUE if no reader is in the read path now (each counter read with a read-modify-
   write, so it is ordered after the caller's earlier unlink or exchange). */
static BOOLEAN NoReaders(VOID)
{
    ULONG I;
    for (I = 0; I < IRQLP_GRT_SHARDS; I++) {
        if (InterlockedCompareExchange(&IrqlpGrt.Shards[I].Readers, 0, 0) != 0) {
            return FALSE;
        }
    }
    return TRUE;
}

/* Destroy: wait until each counter has been seen at zero (readers are short and never wait;
   new ones see the destroying state and leave at once). */
static VOID WaitForReaders(VOID)
{
    ULONG I;
    for (I = 0; I < IRQLP_GRT_SHARDS; I++) {
        ULONG Spins = 0;
        while (InterlockedCompareExchange(&IrqlpGrt.Shards[I].Readers, 0, 0) != 0) {
            if (++Spins < 1000) {
                YieldProcessor();
            } else {
                LARGE_INTEGER Delay;
                Delay.QuadPart = -10000; /* 1 ms */
                KeDelayExecutionThread(KernelMode, FALSE, &Delay);
            }
        }
    }
}

/* ---- The writer lock ------------------------------------------------------------------------ */

static KIRQL LockExclusive(VOID)
{
    KIRQL OldIrql;

    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    while (InterlockedCompareExchange(&IrqlpGrt.Lock, 1, 0) != 0) {
        while (ReadNoFence(&IrqlpGrt.Lock) != 0) {
            YieldProcessor();
        }
    }
    return OldIrql;
}

static VOID UnlockExclusive(KIRQL OldIrql)
{
    InterlockedExchange(&IrqlpGrt.Lock, 0);
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

static PIRQLP_GRT_TABLE CurrentTable(VOID)
{
    return (PIRQLP_GRT_TABLE)ReadPointerAcquire(&IrqlpGrt.Table);
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
        if (N >= 8) {
            /* The last 8 bytes (overlapping the previous word), shifted down to the tail: no
               byte loop and no memcpy call, and never past the NUL. */
            memcpy(&Word, Key + N - 8, 8);
            Word >>= 8 * (8 - (N - I));
        } else {
            Word = 0;
            memcpy(&Word, Key, N);
        }
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

/* Length bytes of A and B equal? Eight at a time (the last eight overlapping), inline: keys
   are short, and a memcmp call costs more than the compare. */
IRQL__INLINE BOOLEAN KeyBytesEqual(PCSTR A, PCSTR B, ULONG Length)
{
    ULONG64 X;
    ULONG64 Y;
    ULONG I;

    if (Length < 8) {
        return RtlEqualMemory(A, B, Length);
    }
    for (I = 0; I + 8 < Length; I += 8) {
        memcpy(&X, A + I, 8);
        memcpy(&Y, B + I, 8);
        if (X != Y) {
            return FALSE;
        }
    }
    memcpy(&X, A + Length - 8, 8);
    memcpy(&Y, B + Length - 8, 8);
    return X == Y;
}

IRQL__INLINE BOOLEAN KeyMatches(PIRQLP_GRT_ENTRY Entry, PCSTR Key, ULONG Length, ULONG Hash)
{
    return Entry->Hash == Hash && Entry->KeyLength == Length &&
           KeyBytesEqual(Entry->Key, Key, Length);
}

/* Writers (under the lock): the slot holding Key, or -1; *Free receives the first tombstone
   or NULL slot of its probe sequence (where Key would be inserted). */
static LONG FindSlot(PIRQLP_GRT_TABLE Table, PCSTR Key, ULONG Length, ULONG Hash, PULONG Free)
{
    ULONG I = Hash & Table->Mask;
    BOOLEAN HaveFree = FALSE;
    PIRQLP_GRT_ENTRY Entry;

    for (;; I = (I + 1) & Table->Mask) {
        Entry = (PIRQLP_GRT_ENTRY)ReadPointerNoFence(&Table->Slots[I]);
        if (Entry == NULL) {
            if (!HaveFree) {
                *Free = I;
            }
            return -1;
        }
        if (Entry == IRQLP_GRT_TOMBSTONE) {
            if (!HaveFree) {
                *Free = I;
                HaveFree = TRUE;
            }
        } else if (KeyMatches(Entry, Key, Length, Hash)) {
            return (LONG)I;
        }
    }
}

static BOOLEAN StringsEqual(PCSTR A, PCSTR B)
{
    while (*A != '\0' && *A == *B) {
        A++;
        B++;
    }
    return *A == *B;
}

IRQL__INLINE BOOLEAN TypeMatches(PIRQLP_GRT_ENTRY Entry, PCSTR TypeName, SIZE_T Size,
                                       SIZE_T DataOffset, SIZE_T DataSize, ULONG Kind)
{
    return Entry->Size == Size && Entry->Kind == Kind && Entry->DataOffset == DataOffset &&
           Entry->DataSize == DataSize &&
           (Entry->TypeNameLiteral == TypeName || StringsEqual(Entry->TypeName, TypeName));
}

static PIRQLP_GRT_VALUE_HEADER ValueHeader(PVOID Value)
{
    return (PIRQLP_GRT_VALUE_HEADER)((PUCHAR)Value - IRQLP_GRT_VALUE_OFFSET);
}

/* The entry's references are gone: delete the value's lock and free the value, or, if the
   lock is still held, report it and keep it (on the leaked list, never freed). TRUE if freed.
   The entry block itself is retired or freed by the caller. */
static BOOLEAN FreeValue(PIRQLP_GRT_ENTRY Entry, PCSTR Caller)
{
    PIRQLP_GRT_VALUE_HEADER Header = ValueHeader(Entry->Value);
    NTSTATUS Status = Entry->Ops->Delete(Entry->Value);
    KIRQL OldIrql;

    Header->Signature = 0;
    if (Status == STATUS_IRQL_LOCK_HELD) {
        DbgPrint("irql: %s: \"%s\" (%s) is still locked with no reference left: leaked, "
                 "not freed\n",
                 Caller, Entry->Key, Entry->TypeName);
        OldIrql = LockExclusive();
        Header->Leaked = IrqlpGrt.Leaked;
        IrqlpGrt.Leaked = Header;
        UnlockExclusive(OldIrql);
        return FALSE;
    }
    ExFreePoolWithTag(Header, IRQL_GRT_POOL_TAG);
    return TRUE;
}

static PIRQLP_GRT_TABLE AllocateTable(ULONG Slots)
{
    PIRQLP_GRT_TABLE Table = (PIRQLP_GRT_TABLE)IrqlpAllocate(
        FALSE, sizeof(IRQLP_GRT_TABLE) + (SIZE_T)Slots * sizeof(PVOID),
        IRQL_GRT_POOL_TAG); /* zeroed */
    if (Table != NULL) {
        Table->Mask = Slots - 1;
    }
    return Table;
}

/* The slot count a rebuild holding Live entries should have: load at most 1/3 after it, so
   that the next rebuild (at 1/2) comes after at least Live/2 insertions. */
static ULONG SlotsFor(ULONG Live)
{
    ULONG Slots = IRQLP_GRT_MIN_SLOTS;
    while (Slots < IRQLP_GRT_MAX_SLOTS && Slots / 3 < Live) {
        Slots *= 2;
    }
    return Slots;
}

/* Under the lock: does inserting into a NULL slot of Table call for a rebuild? */
static BOOLEAN NeedsRebuild(PIRQLP_GRT_TABLE Table)
{
    return (SIZE_T)(Table->Used + 1) * 2 > (SIZE_T)Table->Mask + 1;
}

/* Under the lock: if every reader counter reads zero, hand the caller the retired lists (all
   retired before now: nobody can still be reading them). */
static VOID TakeRetiredIfQuiescent(PIRQLP_GRT_ENTRY *Entries, PIRQLP_GRT_TABLE *Tables)
{
    *Entries = NULL;
    *Tables = NULL;
    if ((IrqlpGrt.RetiredEntries != NULL || IrqlpGrt.RetiredTables != NULL) && NoReaders()) {
        *Entries = IrqlpGrt.RetiredEntries;
        *Tables = IrqlpGrt.RetiredTables;
        IrqlpGrt.RetiredEntries = NULL;
        IrqlpGrt.RetiredTables = NULL;
    }
}

static VOID FreeRetired(PIRQLP_GRT_ENTRY Entries, PIRQLP_GRT_TABLE Tables)
{
    while (Entries != NULL) {
        PIRQLP_GRT_ENTRY Next = Entries->Retired;
        ExFreePoolWithTag(Entries, IRQL_GRT_POOL_TAG);
        Entries = Next;
    }
    while (Tables != NULL) {
        PIRQLP_GRT_TABLE Next = Tables->Retired;
        ExFreePoolWithTag(Tables, IRQL_GRT_POOL_TAG);
        Tables = Next;
    }
}

/* ---- API ----------------------------------------------------------------------------------- */

NTSTATUS IrqlGrtInit(VOID)
{
    PIRQLP_GRT_TABLE Table;
    NTSTATUS Status;
    KIRQL OldIrql;
    LONG State;

    if (KeGetCurrentIrql() > APC_LEVEL) {
        return STATUS_IRQL_LOCK_IRQL_TOO_HIGH;
    }
    State = ReadAcquire(&IrqlpGrt.State);
    if (State == IRQLP_GRT_READY) {
        return STATUS_IRQL_GRT_ALREADY_INITIALIZED;
    }
    if (State == IRQLP_GRT_DESTROYING) {
        return STATUS_IRQL_GRT_DESTROYING;
    }
    Table = AllocateTable(IRQLP_GRT_MIN_SLOTS);
    if (Table == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    OldIrql = LockExclusive();
    State = IrqlpGrt.State;
    if (State == IRQLP_GRT_UNINITIALIZED || State == IRQLP_GRT_DESTROYED) {
        /* The table first, then the state: a reader that sees READY sees the table. */
        WritePointerRelease(&IrqlpGrt.Table, Table);
        IrqlpGrt.Live = 0;
        (VOID)InterlockedIncrement64(&IrqlpGrt.Epoch); /* no hint from before survives */
        SetState(IRQLP_GRT_READY);
        Table = NULL;
        Status = STATUS_SUCCESS;
    } else {
        Status = State == IRQLP_GRT_READY ? STATUS_IRQL_GRT_ALREADY_INITIALIZED
                                          : STATUS_IRQL_GRT_DESTROYING;
    }
    UnlockExclusive(OldIrql);
    if (Table != NULL) {
        ExFreePoolWithTag(Table, IRQL_GRT_POOL_TAG);
    }
    return Status;
}

NTSTATUS irql__grt_register(PCSTR Key, PCSTR TypeName, SIZE_T Size, SIZE_T DataOffset,
                            SIZE_T DataSize, PCIRQL__LOCK_OPS Ops, const VOID *Initial)
{
    PIRQLP_GRT_ENTRY Entry;
    PIRQLP_GRT_VALUE_HEADER Value;
    PIRQLP_GRT_TABLE NewTable = NULL;
    PIRQLP_GRT_TABLE Table;
    PIRQLP_GRT_ENTRY FreeEntries = NULL;
    PIRQLP_GRT_TABLE FreeTables = NULL;
    ULONG Length;
    ULONG Hash;
    SIZE_T TypeLength;
    NTSTATUS Status;
    KIRQL OldIrql;
    ULONG Attempts;

    if (KeGetCurrentIrql() > APC_LEVEL) {
        return STATUS_IRQL_LOCK_IRQL_TOO_HIGH;
    }
    Status = HashKey(Key, &Length, &Hash);
    if (!NT_SUCCESS(Status)) {
        return Status;
    }
    if (TypeName == NULL || Ops == NULL || Size > MAXULONG / 2 ||
        DataOffset > Size || DataSize > Size - DataOffset) {
        return STATUS_INVALID_PARAMETER;
    }
    for (TypeLength = 0; TypeName[TypeLength] != '\0'; TypeLength++) {
        if (TypeLength == IRQLP_GRT_MAX_TYPE_NAME) {
            return STATUS_INVALID_PARAMETER;
        }
    }
    /* An early answer, so a call in the wrong state allocates nothing; checked again below. */
    Status = StateStatus(ReadAcquire(&IrqlpGrt.State));
    if (!NT_SUCCESS(Status)) {
        return Status;
    }

    Entry = (PIRQLP_GRT_ENTRY)IrqlpAllocate(
        FALSE, sizeof(IRQLP_GRT_ENTRY) + Length + 1 + TypeLength + 1,
        IRQL_GRT_POOL_TAG);
    if (Entry == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    Value = (PIRQLP_GRT_VALUE_HEADER)IrqlpAllocate(
        FALSE, IRQLP_GRT_VALUE_OFFSET + IRQLP_GRT_ALIGN(Size), IRQL_GRT_POOL_TAG);
    if (Value == NULL) {
        ExFreePoolWithTag(Entry, IRQL_GRT_POOL_TAG);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    RtlCopyMemory(Entry->Key, Key, Length + 1);
    RtlCopyMemory(Entry->Key + Length + 1, TypeName, TypeLength + 1);
    Entry->TypeName = Entry->Key + Length + 1;
    Entry->TypeNameLiteral = TypeName;
    Entry->KeyLength = Length;
    Entry->Hash = Hash;
    Entry->Size = (ULONG)Size;
    Entry->Layout = ((ULONG64)DataOffset << 32) | (ULONG)DataSize;
    Entry->Kind = Ops->Kind;
    Entry->Ops = Ops;
    Entry->Retired = NULL;
    Entry->Value = (PUCHAR)Value + IRQLP_GRT_VALUE_OFFSET;
    ExInitializeRundownProtection(&Entry->Rundown);
    Status = Ops->Init(Entry->Value); /* the lock is the first member */
    if (!NT_SUCCESS(Status)) {
        ExFreePoolWithTag(Value, IRQL_GRT_POOL_TAG);
        ExFreePoolWithTag(Entry, IRQL_GRT_POOL_TAG);
        return Status;
    }
    if (Initial != NULL) {
        RtlCopyMemory(Entry->Value + DataOffset, Initial, DataSize);
    }
    Value->Entry = Entry;
    Value->Signature = IRQLP_GRT_SIGNATURE;

    /* Insert. A rebuild needs a new table, allocated outside the lock: the loop drops the
       lock, allocates, and tries again (a few times at most; after that, or if the
       allocation fails, the entry goes into the old table while it has a free slot to spare:
       a failure only means a fuller table until the next register). */
    for (Attempts = 0;; Attempts++) {
        ULONG Free = 0;
        ULONG Wanted = 0;

        OldIrql = LockExclusive();
        Status = StateStatus(IrqlpGrt.State);
        if (!NT_SUCCESS(Status)) {
            break;
        }
        Table = (PIRQLP_GRT_TABLE)IrqlpGrt.Table;
        if (FindSlot(Table, Entry->Key, Length, Hash, &Free) >= 0) {
            Status = STATUS_IRQL_GRT_KEY_EXISTS;
            break;
        }
        if (ReadPointerNoFence(&Table->Slots[Free]) == IRQLP_GRT_TOMBSTONE ||
            !NeedsRebuild(Table)) {
            Table->Used += ReadPointerNoFence(&Table->Slots[Free]) == NULL;
            WritePointerRelease(&Table->Slots[Free], Entry); /* publish */
            IrqlpGrt.Live++;
            break;
        }
        Wanted = SlotsFor(IrqlpGrt.Live + 1);
        if (NewTable != NULL && NewTable->Mask + 1 == Wanted) {
            /* Rebuild: the live entries (no tombstones) and the new one, then one exchange
               publishes it; the old table is retired, never changed again. */
            ULONG I;
            for (I = 0; I <= Table->Mask; I++) {
                PIRQLP_GRT_ENTRY Moving = (PIRQLP_GRT_ENTRY)ReadPointerNoFence(&Table->Slots[I]);
                if (Moving != NULL && Moving != IRQLP_GRT_TOMBSTONE) {
                    ULONG J = Moving->Hash & NewTable->Mask;
                    while (NewTable->Slots[J] != NULL) {
                        J = (J + 1) & NewTable->Mask;
                    }
                    NewTable->Slots[J] = Moving;
                    NewTable->Used++;
                }
            }
            (VOID)FindSlot(NewTable, Entry->Key, Length, Hash, &Free);
            NewTable->Slots[Free] = Entry;
            NewTable->Used++;
            IrqlpGrt.Live++;
            (VOID)InterlockedExchangePointer(&IrqlpGrt.Table, NewTable); /* publish */
            Table->Retired = IrqlpGrt.RetiredTables;
            IrqlpGrt.RetiredTables = Table;
            NewTable = NULL;
            TakeRetiredIfQuiescent(&FreeEntries, &FreeTables);
            break;
        }
        if (Attempts >= 3 || (Attempts > 0 && NewTable == NULL)) {
            /* Could not get the table: use the old one while a NULL slot stays free. */
            if (Table->Used + 2 <= Table->Mask + 1) {
                Table->Used++;
                WritePointerRelease(&Table->Slots[Free], Entry);
                IrqlpGrt.Live++;
            } else {
                Status = STATUS_INSUFFICIENT_RESOURCES;
            }
            break;
        }
        UnlockExclusive(OldIrql);
        if (NewTable != NULL) {
            ExFreePoolWithTag(NewTable, IRQL_GRT_POOL_TAG);
        }
        NewTable = AllocateTable(Wanted);
    }
    UnlockExclusive(OldIrql);

    if (NewTable != NULL) {
        ExFreePoolWithTag(NewTable, IRQL_GRT_POOL_TAG);
    }
    FreeRetired(FreeEntries, FreeTables);
    if (!NT_SUCCESS(Status)) {
        /* Never published: nobody else has seen it. */
        (VOID)Ops->Delete(Entry->Value);
        ExFreePoolWithTag(Value, IRQL_GRT_POOL_TAG);
        ExFreePoolWithTag(Entry, IRQL_GRT_POOL_TAG);
    }
    return Status;
}

/* A reader (inside the read path, state READY): the entry holding Key in the current table,
   or NULL. */
IRQL__INLINE PIRQLP_GRT_ENTRY Probe(PCSTR Key, ULONG Length, ULONG Hash)
{
    PIRQLP_GRT_TABLE Table = CurrentTable();
    PIRQLP_GRT_ENTRY Entry;
    ULONG I;

    for (I = Hash & Table->Mask;; I = (I + 1) & Table->Mask) {
        Entry = (PIRQLP_GRT_ENTRY)ReadPointerAcquire(&Table->Slots[I]);
        if (Entry == NULL || KeyMatches(Entry, Key, Length, Hash)) { /* never the tombstone */
            return Entry;
        }
    }
}

/* A reader that found Entry: check the type and take a reference. */
static NTSTATUS TypeMismatch(PIRQLP_GRT_ENTRY Entry, PCSTR TypeName, SIZE_T Size)
{
#if IRQLP_GRT_REPORT_TYPES
    DbgPrint("irql: IRQL_GRT_GET(\"%s\"): registered as %s (%lu bytes), requested "
             "as %s (%lu bytes)\n",
             Entry->Key, Entry->TypeName, (unsigned long)Entry->Size, TypeName,
             (unsigned long)Size);
#else
    UNREFERENCED_PARAMETER(Entry);
    UNREFERENCED_PARAMETER(TypeName);
    UNREFERENCED_PARAMETER(Size);
#endif
    return STATUS_IRQL_GRT_TYPE_MISMATCH;
}

static NTSTATUS RundownRefused(VOID)
{
    /* Its removal or the destroy has started. Which one: the run-down word read above was set
       after the state (destroy) — the fence orders that read before this one. */
    NTSTATUS Status;
    KeMemoryBarrier();
    Status = StateStatus(ReadAcquire(&IrqlpGrt.State));
    return NT_SUCCESS(Status) ? STATUS_IRQL_GRT_KEY_NOT_FOUND /* being removed */ : Status;
}

IRQL__INLINE NTSTATUS Reference(PIRQLP_GRT_ENTRY Entry, PCSTR TypeName, SIZE_T Size,
                               SIZE_T DataOffset, SIZE_T DataSize, ULONG Kind, PVOID *PtrOut)
{
    /* The fast check: the caller's #Type literal is the registering one (same image, and the
       compiler merges equal literals), plus the shape; else the full check by name. */
    if (IRQLP_UNLIKELY(!(Entry->TypeNameLiteral == TypeName && Entry->Size == Size &&
                         Entry->Kind == Kind && Entry->DataOffset == DataOffset &&
                         Entry->DataSize == DataSize)) &&
        !TypeMatches(Entry, TypeName, Size, DataOffset, DataSize, Kind)) {
        return TypeMismatch(Entry, TypeName, Size);
    }
    if (IRQLP_UNLIKELY(!ExAcquireRundownProtection(&Entry->Rundown))) {
        return RundownRefused();
    }
    *PtrOut = Entry->Value;
    return STATUS_SUCCESS;
}

NTSTATUS irql__grt_get(PCSTR Key, PCSTR TypeName, SIZE_T Size, SIZE_T DataOffset,
                       SIZE_T DataSize, ULONG Kind, PVOID *PtrOut)
{
    LONG volatile *Readers;
    PIRQLP_GRT_ENTRY Entry;
    ULONG Length;
    ULONG Hash;
    NTSTATUS Status;
    LONG State;

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

    Readers = ReaderEnter();
    State = ReadAcquire(&IrqlpGrt.State);
    if (State != IRQLP_GRT_READY) {
        ReaderLeave(Readers);
        return StateStatus(State);
    }
    Entry = Probe(Key, Length, Hash);
    Status = Entry == NULL ? STATUS_IRQL_GRT_KEY_NOT_FOUND
                           : Reference(Entry, TypeName, Size, DataOffset, DataSize, Kind, PtrOut);
    ReaderLeave(Readers);
    return Status;
}

VOID IrqlGrtKeyInit(PIRQL_GRT_KEY Key, PCSTR String)
{
    if (Key == NULL) {
        return;
    }
    Key->String = String;
    WriteNoFence64(&Key->Shape, 0);
    WriteNoFence(&Key->Sequence, 0);
    Key->Reserved = 0;
    WritePointerNoFence(&Key->Hint, NULL);
    WriteNoFence64(&Key->HintEpoch, 0);
}

/* Store the hint (Entry found at Epoch) unless another thread is writing it: the sequence
   lock makes the (entry, epoch) pair atomic for readers. */
static VOID StoreHint(PIRQL_GRT_KEY Key, PIRQLP_GRT_ENTRY Entry, LONG64 Epoch)
{
    LONG Sequence = ReadNoFence(&Key->Sequence);
    if ((Sequence & 1) == 0 &&
        InterlockedCompareExchange(&Key->Sequence, Sequence + 1, Sequence) == Sequence) {
        WritePointerNoFence(&Key->Hint, Entry);
        WriteNoFence64(&Key->HintEpoch, Epoch);
        WriteRelease(&Key->Sequence, Sequence + 2);
    }
}

/* The key-object lookup in full: argument checks, first-use validation, the hint or the
   ordinary probe (storing a new hint). */
static IRQLP_NOINLINE NTSTATUS GetKey(PIRQL_GRT_KEY Key, PCSTR TypeName, SIZE_T Size,
                                         SIZE_T DataOffset, SIZE_T DataSize, ULONG Kind,
                                         PVOID *PtrOut)
{
    LONG volatile *Readers;
    PIRQLP_GRT_ENTRY Entry;
    LONG64 Shape;
    LONG64 Epoch;
    LONG Sequence;
    ULONG Length;
    ULONG Hash;
    NTSTATUS Status;
    LONG State;

    if (PtrOut == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *PtrOut = NULL;
    if (KeGetCurrentIrql() > DISPATCH_LEVEL) {
        return STATUS_IRQL_LOCK_IRQL_TOO_HIGH;
    }
    if (Key == NULL) {
        return STATUS_IRQL_GRT_INVALID_KEY;
    }
    Shape = ReadNoFence64(&Key->Shape);
    if (IRQLP_UNLIKELY(Shape == 0)) {
        /* First use: validate and hash once (every thread computes the same value). */
        Status = HashKey(Key->String, &Length, &Hash);
        if (!NT_SUCCESS(Status)) {
            return Status;
        }
        Shape = (LONG64)(((ULONG64)Hash << 32) | Length);
        WriteNoFence64(&Key->Shape, Shape);
    }
    Length = (ULONG)Shape;
    Hash = (ULONG)((ULONG64)Shape >> 32);
    if (TypeName == NULL) {
        return STATUS_INVALID_PARAMETER;
    }

    Readers = ReaderEnter();
    /* The epoch before the state: a hint may only be stamped with an epoch of a READY
       period. Destroy sets DESTROYING and then advances the epoch, so a reader that reads the
       advanced epoch also reads DESTROYING and stores nothing; one that reads READY stamps
       the previous epoch, which the advance has already made stale. (Read the other way
       round, a hint taken during the destroy would carry the destroying epoch and outlive
       the entries it frees.) Likewise the probe below comes after the epoch read, so a remove
       whose advance it read is already unlinked for it. */
    Epoch = ReadAcquire64(&IrqlpGrt.Epoch);
    State = ReadAcquire(&IrqlpGrt.State);
    if (State != IRQLP_GRT_READY) {
        ReaderLeave(Readers);
        return StateStatus(State);
    }
    Sequence = ReadAcquire(&Key->Sequence);
    Entry = (PIRQLP_GRT_ENTRY)ReadPointerAcquire(&Key->Hint);
    if (ReadAcquire64(&Key->HintEpoch) != Epoch || ReadNoFence(&Key->Sequence) != Sequence ||
        (Sequence & 1) != 0 || Entry == NULL || Entry->Hash != Hash ||
        Entry->KeyLength != Length) {
        /* No valid hint: the ordinary lookup, then remember what it found. */
        Entry = Probe(Key->String, Length, Hash);
        if (Entry == NULL) {
            ReaderLeave(Readers);
            return STATUS_IRQL_GRT_KEY_NOT_FOUND;
        }
        StoreHint(Key, Entry, Epoch);
    }
    Status = Reference(Entry, TypeName, Size, DataOffset, DataSize, Kind, PtrOut);
    ReaderLeave(Readers);
    return Status;
}

/* The fast path: a warm hint of the current epoch whose entry has the caller's type (the
   literal, size, layout and kind: five compares) takes its reference here. Anything else — a
   bad argument, the IRQL, the state, no hint or a stale one, a hint being written, another
   type — goes to GetKey, which decides the status exactly as the string form does. Layout is
   (DataOffset << 32) | DataSize, exact for every type that fits a ULONG (larger ones fail the
   size compare anyway). */
NTSTATUS irql__grt_get_key(PIRQL_GRT_KEY Key, PCSTR TypeName, SIZE_T Size, ULONG64 Layout,
                           ULONG Kind, PVOID *PtrOut)
{
    if (IRQLP_LIKELY(PtrOut != NULL && Key != NULL && KeGetCurrentIrql() <= DISPATCH_LEVEL)) {
        LONG volatile *Readers = ReaderEnter();
        LONG Sequence = ReadAcquire(&Key->Sequence);
        PIRQLP_GRT_ENTRY Entry = (PIRQLP_GRT_ENTRY)ReadPointerAcquire(&Key->Hint);
        LONG64 HintEpoch = ReadAcquire64(&Key->HintEpoch);
        /* No state check: the epoch is advanced by every state change (init, destroy), so a
           hint of the current epoch was taken in this READY period, and a hint is never
           stored without its entry (HintEpoch 0 never matches). */
        if (IRQLP_LIKELY(ReadNoFence(&Key->Sequence) == Sequence && (Sequence & 1) == 0 &&
                         HintEpoch == ReadAcquire64(&IrqlpGrt.Epoch) &&
                         Entry->TypeNameLiteral == TypeName && Entry->Size == Size &&
                         Entry->Layout == Layout && Entry->Kind == Kind)) {
            NTSTATUS Status = STATUS_SUCCESS;
            if (IRQLP_LIKELY(ExAcquireRundownProtection(&Entry->Rundown))) {
                *PtrOut = Entry->Value;
            } else {
                *PtrOut = NULL;
                Status = RundownRefused();
            }
            ReaderLeave(Readers);
            return Status;
        }
        ReaderLeave(Readers);
    }
    return GetKey(Key, TypeName, Size, (SIZE_T)(Layout >> 32), (SIZE_T)(ULONG)Layout, Kind,
                  PtrOut);
}

VOID IrqlGrtRelease(PVOID Ptr)
{
    PIRQLP_GRT_VALUE_HEADER Header;

    if (Ptr == NULL) {
        return;
    }
    if (KeGetCurrentIrql() > DISPATCH_LEVEL) {
        DbgPrint("irql: IrqlGrtRelease(%p) above DISPATCH_LEVEL: ignored, the reference "
                 "stays\n",
                 Ptr);
        return;
    }
    Header = ValueHeader(Ptr);
    if (((ULONG_PTR)Ptr & 15) != 0 || Header->Signature != IRQLP_GRT_SIGNATURE) {
        DbgPrint("irql: IrqlGrtRelease(%p): not a registry reference: ignored\n", Ptr);
        return;
    }
    ExReleaseRundownProtection(&Header->Entry->Rundown);
}

NTSTATUS IrqlGrtRemove(PCSTR Key)
{
    PIRQLP_GRT_TABLE Table;
    PIRQLP_GRT_ENTRY Entry = NULL;
    PIRQLP_GRT_ENTRY FreeEntries;
    PIRQLP_GRT_TABLE FreeTables;
    ULONG Length;
    ULONG Hash;
    ULONG Free;
    LONG Slot;
    BOOLEAN Freed;
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
        Table = (PIRQLP_GRT_TABLE)IrqlpGrt.Table;
        Slot = FindSlot(Table, Key, Length, Hash, &Free);
        if (Slot < 0) {
            Status = STATUS_IRQL_GRT_KEY_NOT_FOUND;
        } else {
            Entry = (PIRQLP_GRT_ENTRY)InterlockedExchangePointer(&Table->Slots[Slot],
                                                                 IRQLP_GRT_TOMBSTONE);
            IrqlpGrt.Live--;
            IrqlpGrt.Removing++; /* destroy waits for the retire below */
            /* Key-object hints taken before the unlink stop matching (before the retire, so
               before the entry can be freed: see the header comment). */
            (VOID)InterlockedIncrement64(&IrqlpGrt.Epoch);
        }
    }
    UnlockExclusive(OldIrql);
    if (Entry == NULL) {
        return Status;
    }
    /* Unreachable for new lookups now: wait for the references already handed out (a lookup
       standing on the old slot fails its acquire from here on). */
    ExWaitForRundownProtectionRelease(&Entry->Rundown);
    Freed = FreeValue(Entry, "IrqlGrtRemove");
    OldIrql = LockExclusive();
    Entry->Retired = IrqlpGrt.RetiredEntries;
    IrqlpGrt.RetiredEntries = Entry;
    IrqlpGrt.Removing--;
    TakeRetiredIfQuiescent(&FreeEntries, &FreeTables);
    UnlockExclusive(OldIrql);
    FreeRetired(FreeEntries, FreeTables);
    return Freed ? STATUS_SUCCESS : STATUS_IRQL_GRT_LEAKED;
}

NTSTATUS IrqlGrtEnumerate(PIRQL_GRT_ENUMERATE_ROUTINE Routine, PVOID Context, PULONG Count)
{
    LONG volatile *Readers;
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
    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql); /* the routine's documented IRQL */
    Readers = ReaderEnter();
    Status = StateStatus(ReadAcquire(&IrqlpGrt.State));
    if (NT_SUCCESS(Status)) {
        PIRQLP_GRT_TABLE Table = CurrentTable();
        BOOLEAN More = TRUE;
        for (I = 0; More && I <= Table->Mask; I++) {
            PIRQLP_GRT_ENTRY Entry = (PIRQLP_GRT_ENTRY)ReadPointerAcquire(&Table->Slots[I]);
            if (Entry != NULL && Entry != IRQLP_GRT_TOMBSTONE) {
                Calls++;
                More = Routine(Entry->Key, Entry->TypeName, Context);
            }
        }
    }
    ReaderLeave(Readers);
    KeLowerIrql(OldIrql);
    if (Count != NULL) {
        *Count = Calls;
    }
    return Status;
}

NTSTATUS IrqlGrtDestroy(VOID)
{
    PIRQLP_GRT_TABLE Table;
    PIRQLP_GRT_ENTRY RetiredEntries;
    PIRQLP_GRT_TABLE RetiredTables;
    ULONG Freed = 0;
    ULONG Leaked = 0;
    NTSTATUS Status;
    KIRQL OldIrql;
    ULONG I;

    if (KeGetCurrentIrql() > APC_LEVEL) {
        return STATUS_IRQL_LOCK_IRQL_TOO_HIGH;
    }
    /* From here on no new reference, registration or removal: they all see DESTROYING. The
       table is final (only register and remove change it, and they check the state under the
       lock). */
    OldIrql = LockExclusive();
    Status = StateStatus(IrqlpGrt.State);
    if (NT_SUCCESS(Status)) {
        SetState(IRQLP_GRT_DESTROYING);
        (VOID)InterlockedIncrement64(&IrqlpGrt.Epoch);
    }
    Table = (PIRQLP_GRT_TABLE)IrqlpGrt.Table;
    UnlockExclusive(OldIrql);
    if (!NT_SUCCESS(Status)) {
        return Status;
    }

    /* Every reference. */
    for (I = 0; I <= Table->Mask; I++) {
        PIRQLP_GRT_ENTRY Entry = (PIRQLP_GRT_ENTRY)ReadPointerNoFence(&Table->Slots[I]);
        if (Entry != NULL && Entry != IRQLP_GRT_TOMBSTONE) {
            ExWaitForRundownProtectionRelease(&Entry->Rundown);
            if (FreeValue(Entry, "IrqlGrtDestroy")) {
                Freed++;
            } else {
                Leaked++;
            }
        }
    }
    /* Removals between their unlink and their retire (they wait for their own references). */
    for (;;) {
        ULONG Removing;
        OldIrql = LockExclusive();
        Removing = IrqlpGrt.Removing;
        UnlockExclusive(OldIrql);
        if (Removing == 0) {
            break;
        }
        {
            LARGE_INTEGER Delay;
            Delay.QuadPart = -10000; /* 1 ms */
            KeDelayExecutionThread(KernelMode, FALSE, &Delay);
        }
    }
    /* Lookups still walking the table or standing on an entry. */
    WaitForReaders();

    OldIrql = LockExclusive();
    RetiredEntries = IrqlpGrt.RetiredEntries;
    RetiredTables = IrqlpGrt.RetiredTables;
    IrqlpGrt.RetiredEntries = NULL;
    IrqlpGrt.RetiredTables = NULL;
    WritePointerRelease(&IrqlpGrt.Table, NULL);
    IrqlpGrt.Live = 0;
    UnlockExclusive(OldIrql);

    for (I = 0; I <= Table->Mask; I++) {
        PIRQLP_GRT_ENTRY Entry = (PIRQLP_GRT_ENTRY)ReadPointerNoFence(&Table->Slots[I]);
        if (Entry != NULL && Entry != IRQLP_GRT_TOMBSTONE) {
            ExFreePoolWithTag(Entry, IRQL_GRT_POOL_TAG);
        }
    }
    ExFreePoolWithTag(Table, IRQL_GRT_POOL_TAG);
    FreeRetired(RetiredEntries, RetiredTables);

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
