/*
 * Pool allocation, as Driver Verifier's Pool Tracking sees it: the Ex* routines of
 * <wdm/pool.h>, a record of every allocation, per-tag statistics, leak reports, fault
 * injection for tests, and the misuse checks with their stop codes.
 *
 * Where the stop code comes from. The host kernel runs "with Driver Verifier on", so a rule
 * Driver Verifier checks stops with DV's code, 0xC4 DRIVER_VERIFIER_DETECTED_VIOLATION (IRQL
 * of allocate and free, zero-byte allocation, freeing what was never allocated, double free,
 * leaks at unload); rules only the retail pool checks stop with 0xC2 BAD_POOL_CALLER (wrong
 * tag on free, tag 0, must-succeed pool). Parameters are those of the bug-check reference
 * (learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0xc4--driver-verifier-
 * detected-violation and …/bug-check-0xc2--bad-pool-caller).
 *
 * Where the documentation is silent, the host chooses, and says so here:
 *   - A tag byte outside 0x20–0x7E (or a zero byte before a non-zero one) makes
 *     ExAllocatePool2/3 fail like tag 0 does; the POOL_TYPE routines bug-check 0xC2/0x9D
 *     ("incorrect pool tag", P2 the tag, P3 pool type, P4 caller).
 *   - POOL_FLAG_SESSION and the reserved flags are refused (the host has no session pool);
 *     optional flags (high 32 bits, POOL_FLAG_SPECIAL_POOL) are accepted and ignored.
 *   - Raising on failure: the host has no structured exception handling, so the exception is
 *     always unhandled, which on Windows is bug check 0x1E KMODE_EXCEPTION_NOT_HANDLED: P1 the
 *     exception code (STATUS_INSUFFICIENT_RESOURCES when memory ran out or a test injected the
 *     failure, STATUS_INVALID_PARAMETER for a bad tag, flags or extended parameter), P2 the
 *     caller's return address, P3 and P4 0.
 *   - Double free reports DV's 0x13 (DV documents 0x13 and 0x14 alike) with P2 0, P3 the
 *     block's address (the host keeps its "pool header" out of line, so the block stands for
 *     it) and P4 the block's tag. It is detected for blocks still in the free quarantine (the
 *     last 4096 frees, up to 64 MiB): freed memory is not reused until it leaves it.
 *   - ExFreePoolWithTag with Tag 0 does not check the tag (that is what ExFreePool does).
 *   - The order of checks on allocation: pool type, IRQL, size, tag; on free: known block,
 *     double free, IRQL, tag.
 *   - One allocation is at most 1 GiB (larger requests fail like a real shortage).
 *   - Statistics count the bytes requested, not the bytes the allocator rounded to.
 *
 * Non-paged pool is the C heap (posix_memalign), so AddressSanitizer checks it like any heap
 * block; paged pool comes from the arena in pool_paged.c. A small block is aligned to the
 * power of two at or above its size, so it never crosses a page boundary, as the documentation
 * promises.
 *
 * Locking: one mutex guards records, statistics, fault injection and the arena. It is never
 * held while caller memory is written (zeroing, fill patterns), so a fault on a trimmed paged
 * page — serviced by the SIGSEGV handler without any lock — cannot deadlock, and it is always
 * released before a bug check.
 */
#include "bugcheck.h"
#include "pool.h"
#include "thread.h"

#include <irql/host.h>

#include <execinfo.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POOL_MAX_BYTES ((SIZE_T)1 << 30)
#define QUARANTINE_BLOCKS 4096
#define QUARANTINE_BYTES ((SIZE_T)64 << 20)

/* Driver Verifier's rules (0xC4, parameter 1) and the retail pool's (0xC2). */
#define DV_ZERO_BYTES 0x00
#define DV_PAGED_ALLOCATE_IRQL 0x01
#define DV_NONPAGED_ALLOCATE_IRQL 0x02
#define DV_FREE_NOT_ALLOCATED 0x10
#define DV_PAGED_FREE_IRQL 0x11
#define DV_NONPAGED_FREE_IRQL 0x12
#define DV_DOUBLE_FREE 0x13
#define DV_UNLOAD_LEAKS 0x62
#define BPC_WRONG_TAG 0x0A
#define BPC_MUST_SUCCEED 0x9A
#define BPC_TAG_ZERO 0x9B
#define BPC_BAD_TAG 0x9D

/* One allocation, live or (while quarantined) freed. */
typedef struct _RECORD {
    struct _RECORD *HashNext;
    struct _RECORD *QuarantineNext;
    PVOID Address;
    SIZE_T NumberOfBytes;
    PVOID Caller;
    ULONG64 Sequence;
    ULONG Tag;
    POOL_TYPE PoolType;
    ULONG Cookie; /* the arena's, for paged blocks */
    BOOLEAN Paged;
    BOOLEAN Freed;
} RECORD;

/* Indexed by IRQL_HOST_POOL: [IrqlHostPoolAny] both pools together. */
typedef struct _COUNTERS {
    SIZE_T Count;
    SIZE_T Bytes;
    SIZE_T PeakCount;
    SIZE_T PeakBytes;
    ULONG64 Allocations;
    ULONG64 Frees;
    ULONG64 Failures;
} COUNTERS;

typedef struct _TAG_STATS {
    ULONG Tag; /* 0: empty slot */
    COUNTERS Pool[3];
} TAG_STATS;

static pthread_mutex_t Lock = PTHREAD_MUTEX_INITIALIZER;

static struct {
    RECORD **Buckets; /* address → record, chained */
    ULONG BucketShift;
    SIZE_T BucketCount;
    SIZE_T Records;

    RECORD *QuarantineHead; /* oldest free first */
    RECORD *QuarantineTail;
    SIZE_T QuarantineCount;
    SIZE_T QuarantineBytes;

    TAG_STATS *Tags; /* open addressing on the tag */
    SIZE_T TagCapacity;
    SIZE_T TagCount;
    COUNTERS Totals[3];
    ULONG64 Sequence;

    /* Fault injection (IrqlHostInjectPoolFailure*). */
    ULONG FailCountdown;
    ULONG FailCountdownTag;
    ULONG FailPercent;
    ULONG FailPercentTag;
    ULONG64 Random;
} Pool;

/* ---- Small helpers ------------------------------------------------------------------- */

/* "Tst1" for 'Tst1' (the bytes in memory order, as pool dumps show them). */
static const char *TagText(ULONG Tag, char Text[5])
{
    int Length = 0;
    for (int Byte = 0; Byte < 4; Byte++) {
        unsigned char C = (unsigned char)(Tag >> (8 * Byte));
        if (C == 0) {
            break;
        }
        Text[Length++] = (C >= 0x20 && C <= 0x7E) ? (char)C : '?';
    }
    Text[Length] = '\0';
    return Text;
}

/* Non-zero; one to four characters 0x20–0x7E from the low byte up, then only zero bytes. */
static BOOLEAN TagIsValid(ULONG Tag)
{
    BOOLEAN Ended = FALSE;
    if (Tag == 0) {
        return FALSE;
    }
    for (int Byte = 0; Byte < 4; Byte++) {
        unsigned char C = (unsigned char)(Tag >> (8 * Byte));
        if (C == 0) {
            Ended = TRUE;
        } else if (Ended || C < 0x20 || C > 0x7E) {
            return FALSE;
        }
    }
    return TRUE;
}

static const char *PoolTypeName(POOL_TYPE Type)
{
    switch ((int)Type) {
    case NonPagedPool: return "NonPagedPool";
    case PagedPool: return "PagedPool";
    case NonPagedPoolMustSucceed: return "NonPagedPoolMustSucceed";
    case DontUseThisType: return "DontUseThisType";
    case NonPagedPoolCacheAligned: return "NonPagedPoolCacheAligned";
    case PagedPoolCacheAligned: return "PagedPoolCacheAligned";
    case NonPagedPoolCacheAlignedMustS: return "NonPagedPoolCacheAlignedMustS";
    case NonPagedPoolSession: return "NonPagedPoolSession";
    case PagedPoolSession: return "PagedPoolSession";
    case NonPagedPoolCacheAlignedSession: return "NonPagedPoolCacheAlignedSession";
    case PagedPoolCacheAlignedSession: return "PagedPoolCacheAlignedSession";
    case NonPagedPoolNx: return "NonPagedPoolNx";
    case NonPagedPoolNxCacheAligned: return "NonPagedPoolNxCacheAligned";
    case NonPagedPoolSessionNx: return "NonPagedPoolSessionNx";
    default: return "(invalid POOL_TYPE)";
    }
}

static ULONG64 NextRandom(ULONG64 *State)
{
    /* splitmix64: deterministic for a seed, good enough to spread failures. */
    ULONG64 Z = (*State += 0x9E3779B97F4A7C15ULL);
    Z = (Z ^ (Z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    Z = (Z ^ (Z >> 27)) * 0x94D049BB133111EBULL;
    return Z ^ (Z >> 31);
}

/* ---- Records: address → record ------------------------------------------------------- */

static SIZE_T Bucket(const void *Address)
{
    return (SIZE_T)((((ULONG64)(uintptr_t)Address >> 4) * 0x9E3779B97F4A7C15ULL) >>
                    (64 - Pool.BucketShift));
}

static RECORD *Lookup(const void *Address)
{
    RECORD *Record;
    if (Pool.Buckets == NULL) {
        return NULL;
    }
    for (Record = Pool.Buckets[Bucket(Address)]; Record != NULL; Record = Record->HashNext) {
        if (Record->Address == Address) {
            return Record;
        }
    }
    return NULL;
}

/* Double the table when chains average two; a failed resize just keeps longer chains. */
static void Rehash(void)
{
    ULONG Shift = Pool.Buckets == NULL ? 10 : Pool.BucketShift + 1;
    SIZE_T Count = (SIZE_T)1 << Shift;
    RECORD **Old = Pool.Buckets;
    SIZE_T OldCount = Pool.BucketCount;
    RECORD **New = calloc(Count, sizeof(RECORD *));

    if (New == NULL) {
        return;
    }
    Pool.Buckets = New;
    Pool.BucketShift = Shift;
    Pool.BucketCount = Count;
    for (SIZE_T Index = 0; Index < OldCount; Index++) {
        RECORD *Record = Old[Index];
        while (Record != NULL) {
            RECORD *Next = Record->HashNext;
            SIZE_T Slot = Bucket(Record->Address);
            Record->HashNext = New[Slot];
            New[Slot] = Record;
            Record = Next;
        }
    }
    free(Old);
}

static BOOLEAN Insert(RECORD *Record)
{
    SIZE_T Slot;
    if (Pool.Buckets == NULL || Pool.Records >= 2 * Pool.BucketCount) {
        Rehash();
        if (Pool.Buckets == NULL) {
            return FALSE;
        }
    }
    Slot = Bucket(Record->Address);
    Record->HashNext = Pool.Buckets[Slot];
    Pool.Buckets[Slot] = Record;
    Pool.Records++;
    return TRUE;
}

static void Remove(RECORD *Record)
{
    RECORD **Link = &Pool.Buckets[Bucket(Record->Address)];
    while (*Link != Record) {
        Link = &(*Link)->HashNext;
    }
    *Link = Record->HashNext;
    Pool.Records--;
}

/* ---- Statistics ---------------------------------------------------------------------- */

static TAG_STATS *TagStats(ULONG Tag, BOOLEAN Create)
{
    SIZE_T Mask, Slot;

    if (Tag == 0) {
        return NULL;
    }
    if (Create && (Pool.TagCount + 1) * 10 > Pool.TagCapacity * 7) {
        SIZE_T Capacity = Pool.TagCapacity == 0 ? 64 : Pool.TagCapacity * 2;
        TAG_STATS *Table = calloc(Capacity, sizeof(TAG_STATS));
        if (Table != NULL) {
            for (SIZE_T Index = 0; Index < Pool.TagCapacity; Index++) {
                if (Pool.Tags[Index].Tag != 0) {
                    SIZE_T To = (Pool.Tags[Index].Tag * 2654435761UL) & (Capacity - 1);
                    while (Table[To].Tag != 0) {
                        To = (To + 1) & (Capacity - 1);
                    }
                    Table[To] = Pool.Tags[Index];
                }
            }
            free(Pool.Tags);
            Pool.Tags = Table;
            Pool.TagCapacity = Capacity;
        }
    }
    if (Pool.TagCapacity == 0) {
        return NULL;
    }
    Mask = Pool.TagCapacity - 1;
    for (Slot = (Tag * 2654435761UL) & Mask; Pool.Tags[Slot].Tag != 0; Slot = (Slot + 1) & Mask) {
        if (Pool.Tags[Slot].Tag == Tag) {
            return &Pool.Tags[Slot];
        }
    }
    if (!Create || (Pool.TagCount + 1) * 10 > Pool.TagCapacity * 9) {
        return NULL;
    }
    Pool.Tags[Slot].Tag = Tag;
    Pool.TagCount++;
    return &Pool.Tags[Slot];
}

typedef enum { EVENT_ALLOCATE, EVENT_FREE, EVENT_FAIL } EVENT;

static void CountOne(COUNTERS *Counters, EVENT Event, SIZE_T Bytes)
{
    switch (Event) {
    case EVENT_ALLOCATE:
        Counters->Count++;
        Counters->Bytes += Bytes;
        Counters->Allocations++;
        if (Counters->Count > Counters->PeakCount) {
            Counters->PeakCount = Counters->Count;
        }
        if (Counters->Bytes > Counters->PeakBytes) {
            Counters->PeakBytes = Counters->Bytes;
        }
        break;
    case EVENT_FREE:
        Counters->Count--;
        Counters->Bytes -= Bytes;
        Counters->Frees++;
        break;
    case EVENT_FAIL:
        Counters->Failures++;
        break;
    }
}

/* Count an event in the totals and the tag's entry: for both pools and, if known, the one. */
static void Count(EVENT Event, IRQL_HOST_POOL Which, ULONG Tag, SIZE_T Bytes)
{
    TAG_STATS *Stats = TagStats(Tag, TRUE);
    CountOne(&Pool.Totals[IrqlHostPoolAny], Event, Bytes);
    if (Which != IrqlHostPoolAny) {
        CountOne(&Pool.Totals[Which], Event, Bytes);
    }
    if (Stats != NULL) {
        CountOne(&Stats->Pool[IrqlHostPoolAny], Event, Bytes);
        if (Which != IrqlHostPoolAny) {
            CountOne(&Stats->Pool[Which], Event, Bytes);
        }
    }
}

/* ---- Allocation ---------------------------------------------------------------------- */

typedef struct _REQUEST {
    const char *Routine;
    PVOID Caller;
    SIZE_T NumberOfBytes;
    ULONG Tag;
    POOL_FLAGS Flags;        /* ExAllocatePool2/3 */
    POOL_TYPE PoolType;      /* as bug-check parameters and reports show it */
    BOOLEAN PoolKnown;       /* FALSE: the flags or type name no valid pool */
    BOOLEAN Paged;
    BOOLEAN Zero;
    BOOLEAN CacheAligned;
    BOOLEAN Raise;           /* raise instead of returning NULL */
    BOOLEAN LegacyTagRules;  /* POOL_TYPE routines: a bad tag bug-checks */
    BOOLEAN BadParameters;   /* ExAllocatePool3: an extended parameter is refused */
} REQUEST;

static const char *Describe(const REQUEST *Request, char *Text, size_t Size)
{
    char Tag[5];
    if (Request->LegacyTagRules) {
        snprintf(Text, Size, "%s(%s, %zu, '%s')", Request->Routine,
                 PoolTypeName(Request->PoolType), (size_t)Request->NumberOfBytes,
                 TagText(Request->Tag, Tag));
    } else {
        snprintf(Text, Size, "%s(0x%llx, %zu, '%s')", Request->Routine,
                 (unsigned long long)Request->Flags, (size_t)Request->NumberOfBytes,
                 TagText(Request->Tag, Tag));
    }
    return Text;
}

/* The request cannot be satisfied: NULL, or the unhandled exception a raise would be. */
static PVOID Fail(const REQUEST *Request, NTSTATUS Status)
{
    char Text[96];

    pthread_mutex_lock(&Lock);
    Count(EVENT_FAIL,
          !Request->PoolKnown ? IrqlHostPoolAny
          : Request->Paged    ? IrqlHostPoolPaged
                              : IrqlHostPoolNonPaged,
          TagIsValid(Request->Tag) ? Request->Tag : 0, 0);
    pthread_mutex_unlock(&Lock);
    if (Request->Raise) {
        IrqlpBugCheck(KMODE_EXCEPTION_NOT_HANDLED, (ULONG_PTR)(ULONG)Status,
                      (ULONG_PTR)Request->Caller, 0, 0,
                      "%s failed (%s) and raised on failure; nothing handles the exception",
                      Describe(Request, Text, sizeof(Text)),
                      Status == STATUS_INSUFFICIENT_RESOURCES ? "STATUS_INSUFFICIENT_RESOURCES"
                                                              : "STATUS_INVALID_PARAMETER");
    }
    return NULL;
}

/* Alignment of a non-paged block: page for a page or more; else the power of two at or
   above the size (at least 16, 64 if cache-aligned), so the block never crosses a page. */
static SIZE_T NonPagedAlignment(SIZE_T Bytes, BOOLEAN CacheAligned)
{
    SIZE_T Alignment = CacheAligned ? 64 : 16;
    if (Bytes >= PAGE_SIZE) {
        return PAGE_SIZE;
    }
    while (Alignment < Bytes) {
        Alignment <<= 1;
    }
    return Alignment;
}

/* Under the lock: does fault injection fail this request? */
static BOOLEAN InjectedFailure(ULONG Tag)
{
    if (Pool.FailCountdown != 0 && (Pool.FailCountdownTag == 0 || Pool.FailCountdownTag == Tag)) {
        if (--Pool.FailCountdown == 0) {
            return TRUE;
        }
    }
    if (Pool.FailPercent != 0 && (Pool.FailPercentTag == 0 || Pool.FailPercentTag == Tag)) {
        return NextRandom(&Pool.Random) % 100 < Pool.FailPercent;
    }
    return FALSE;
}

static PVOID Allocate(const REQUEST *Request)
{
    KIRQL Irql = IrqlpCurrentThread()->Pcr.Irql;
    char Text[96], Level[16];
    RECORD *Record;
    PVOID Address = NULL;
    ULONG Cookie = 0;

    if (!Request->PoolKnown) {
        return Fail(Request, STATUS_INVALID_PARAMETER);
    }
    if (Request->Paged && Irql > APC_LEVEL) {
        IrqlpVerifierStop(DV_PAGED_ALLOCATE_IRQL, Irql, Request->PoolType, Request->NumberOfBytes,
                          "%s at %s: paged pool may only be allocated at IRQL <= APC_LEVEL",
                          Describe(Request, Text, sizeof(Text)), IrqlpLevelText(Irql, Level));
    }
    if (!Request->Paged && Irql > DISPATCH_LEVEL) {
        IrqlpVerifierStop(DV_NONPAGED_ALLOCATE_IRQL, Irql, Request->PoolType,
                          Request->NumberOfBytes,
                          "%s at %s: non-paged pool may only be allocated at IRQL <= "
                          "DISPATCH_LEVEL",
                          Describe(Request, Text, sizeof(Text)), IrqlpLevelText(Irql, Level));
    }
    if (Request->NumberOfBytes == 0) {
        IrqlpVerifierStop(DV_ZERO_BYTES, Irql, Request->PoolType, 0,
                          "%s: a pool allocation of zero bytes",
                          Describe(Request, Text, sizeof(Text)));
    }
    if (!TagIsValid(Request->Tag)) {
        if (Request->LegacyTagRules && Request->Tag == 0) {
            IrqlpBugCheck(BAD_POOL_CALLER, BPC_TAG_ZERO, Request->PoolType,
                          Request->NumberOfBytes, (ULONG_PTR)Request->Caller,
                          "%s: pool tag 0 cannot be tracked", Describe(Request, Text, sizeof(Text)));
        }
        if (Request->LegacyTagRules) {
            IrqlpBugCheck(BAD_POOL_CALLER, BPC_BAD_TAG, Request->Tag, Request->PoolType,
                          (ULONG_PTR)Request->Caller,
                          "%s: tag 0x%08lX; a tag is 1-4 characters 0x20-0x7E",
                          Describe(Request, Text, sizeof(Text)), (unsigned long)Request->Tag);
        }
        return Fail(Request, STATUS_INVALID_PARAMETER);
    }
    if (Request->BadParameters) {
        return Fail(Request, STATUS_INVALID_PARAMETER);
    }
    if (Request->NumberOfBytes > POOL_MAX_BYTES) {
        return Fail(Request, STATUS_INSUFFICIENT_RESOURCES);
    }

    Record = calloc(1, sizeof(RECORD));
    if (Record == NULL) {
        return Fail(Request, STATUS_INSUFFICIENT_RESOURCES);
    }
    pthread_mutex_lock(&Lock);
    if (!InjectedFailure(Request->Tag)) {
        if (Request->Paged) {
            Address = IrqlpArenaAllocate(Request->NumberOfBytes, Request->CacheAligned, &Cookie);
        } else if (posix_memalign(&Address,
                                  NonPagedAlignment(Request->NumberOfBytes, Request->CacheAligned),
                                  Request->NumberOfBytes) != 0) {
            Address = NULL;
        }
    }
    if (Address != NULL) {
        Record->Address = Address;
        Record->NumberOfBytes = Request->NumberOfBytes;
        Record->Caller = Request->Caller;
        Record->Sequence = ++Pool.Sequence;
        Record->Tag = Request->Tag;
        Record->PoolType = Request->PoolType;
        Record->Cookie = Cookie;
        Record->Paged = Request->Paged;
        if (!Insert(Record)) {
            if (Request->Paged) {
                IrqlpArenaFree(Address, Request->NumberOfBytes, Cookie);
            } else {
                free(Address);
            }
            Address = NULL;
        } else {
            Count(EVENT_ALLOCATE, Request->Paged ? IrqlHostPoolPaged : IrqlHostPoolNonPaged,
                  Request->Tag, Request->NumberOfBytes);
        }
    }
    pthread_mutex_unlock(&Lock);
    if (Address == NULL) {
        free(Record);
        return Fail(Request, STATUS_INSUFFICIENT_RESOURCES);
    }
    /* Outside the lock: a trimmed paged page faults here and is paged in (IRQL <= APC). */
    memset(Address, Request->Zero ? 0 : IRQL_HOST_POOL_UNINITIALIZED_FILL, Request->NumberOfBytes);
    return Address;
}

/* POOL_FLAGS → request. Exactly one pool flag; every required bit known and allowed. */
static void FromFlags(REQUEST *Request, POOL_FLAGS Flags)
{
    const POOL_FLAGS Pools = POOL_FLAG_PAGED | POOL_FLAG_NON_PAGED | POOL_FLAG_NON_PAGED_EXECUTE;
    const POOL_FLAGS Allowed = POOL_FLAG_USE_QUOTA | POOL_FLAG_UNINITIALIZED |
                               POOL_FLAG_CACHE_ALIGNED | POOL_FLAG_RAISE_ON_FAILURE | Pools;
    POOL_FLAGS Which = Flags & Pools;

    Request->Flags = Flags;
    Request->Raise = (Flags & POOL_FLAG_RAISE_ON_FAILURE) != 0;
    Request->Zero = (Flags & POOL_FLAG_UNINITIALIZED) == 0;
    Request->CacheAligned = (Flags & POOL_FLAG_CACHE_ALIGNED) != 0;
    Request->PoolKnown = (Which == POOL_FLAG_PAGED || Which == POOL_FLAG_NON_PAGED ||
                          Which == POOL_FLAG_NON_PAGED_EXECUTE) &&
                         (Flags & POOL_FLAG_REQUIRED_MASK & ~Allowed) == 0;
    Request->Paged = Which == POOL_FLAG_PAGED;
    /* The POOL_TYPE the WDK maps each flag to (DV's P3 "pool type"). */
    Request->PoolType = Which == POOL_FLAG_PAGED        ? PagedPool
                        : Which == POOL_FLAG_NON_PAGED ? NonPagedPoolNx
                                                       : NonPagedPoolExecute;
    if (Request->CacheAligned) {
        Request->PoolType = (POOL_TYPE)(Request->PoolType + NonPagedPoolCacheAligned);
    }
}

PVOID ExAllocatePool2(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag)
{
    REQUEST Request = {.Routine = "ExAllocatePool2",
                       .Caller = __builtin_return_address(0),
                       .NumberOfBytes = NumberOfBytes,
                       .Tag = Tag};
    FromFlags(&Request, Flags);
    return Allocate(&Request);
}

/* An extended parameter the host refuses: a structure the allocator must understand and
   cannot honour (secure pool, a NUMA node other than the host's one, a bad priority). */
static BOOLEAN ParameterRefused(const POOL_EXTENDED_PARAMETER *Parameter, BOOLEAN NonPaged)
{
    switch (Parameter->Type) {
    case PoolExtendedParameterPriority:
        switch ((int)Parameter->Priority) {
        case LowPoolPriority: case LowPoolPrioritySpecialPoolOverrun:
        case LowPoolPrioritySpecialPoolUnderrun: case NormalPoolPriority:
        case NormalPoolPrioritySpecialPoolOverrun: case NormalPoolPrioritySpecialPoolUnderrun:
        case HighPoolPriority: case HighPoolPrioritySpecialPoolOverrun:
        case HighPoolPrioritySpecialPoolUnderrun:
            return FALSE;
        default:
            return !Parameter->Optional;
        }
    case PoolExtendedParameterNumaNode:
        /* One node (0). Only non-paged allocations honour the node at all. */
        return NonPaged && (Parameter->PreferredNode & MM_ANY_NODE_OK) == 0 &&
               Parameter->PreferredNode != 0 && !Parameter->Optional;
    default: /* secure pool (not on the host), or a type this allocator does not know */
        return !Parameter->Optional;
    }
}

PVOID ExAllocatePool3(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag,
                      PCPOOL_EXTENDED_PARAMETER ExtendedParameters, ULONG ExtendedParametersCount)
{
    REQUEST Request = {.Routine = "ExAllocatePool3",
                       .Caller = __builtin_return_address(0),
                       .NumberOfBytes = NumberOfBytes,
                       .Tag = Tag};
    FromFlags(&Request, Flags);
    if (ExtendedParametersCount != 0 && ExtendedParameters == NULL) {
        Request.BadParameters = TRUE;
    }
    for (ULONG Index = 0; ExtendedParameters != NULL && Index < ExtendedParametersCount; Index++) {
        if (ParameterRefused(&ExtendedParameters[Index], !Request.Paged)) {
            Request.BadParameters = TRUE;
        }
    }
    return Allocate(&Request);
}

/* POOL_TYPE (with its modifiers) → request. Must-succeed pool bug-checks 0xC2/0x9A; bits the
   WDK does not define make the type invalid (the allocation fails). */
static void FromPoolType(REQUEST *Request, POOL_TYPE PoolType)
{
    const ULONG Modifiers = POOL_QUOTA_FAIL_INSTEAD_OF_RAISE | POOL_RAISE_IF_ALLOCATION_FAILURE |
                            POOL_COLD_ALLOCATION | POOL_ZERO_ALLOCATION;
    const ULONG Defined = 0x1 /* paged */ | 0x2 /* must succeed */ | 0x4 /* cache aligned */ |
                          0x20 /* session */ | POOL_NX_ALLOCATION;
    ULONG Type = (ULONG)PoolType;
    ULONG Base = Type & ~Modifiers;
    char Text[96];

    Request->LegacyTagRules = TRUE;
    Request->Raise = (Type & POOL_RAISE_IF_ALLOCATION_FAILURE) != 0;
    Request->Zero = (Type & POOL_ZERO_ALLOCATION) != 0;
    Request->PoolType = (POOL_TYPE)Base;
    Request->Paged = (Base & 0x1) != 0;
    Request->CacheAligned = (Base & 0x4) != 0;
    Request->PoolKnown = (Base & ~Defined) == 0;
    if (Request->PoolKnown && (Base & 0x2) != 0) {
        IrqlpBugCheck(BAD_POOL_CALLER, BPC_MUST_SUCCEED, Base, Request->NumberOfBytes,
                      Request->Tag, "%s: must-succeed pool is no longer supported",
                      Describe(Request, Text, sizeof(Text)));
    }
}

static PVOID AllocateWithType(const char *Routine, PVOID Caller, POOL_TYPE PoolType,
                              SIZE_T NumberOfBytes, ULONG Tag, int Zero /* -1: as the type */)
{
    REQUEST Request = {.Routine = Routine,
                       .Caller = Caller,
                       .NumberOfBytes = NumberOfBytes,
                       .Tag = Tag};
    FromPoolType(&Request, PoolType);
    if (Zero >= 0) {
        Request.Zero = Request.Zero || Zero;
    }
    return Allocate(&Request);
}

PVOID ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    return AllocateWithType("ExAllocatePoolWithTag", __builtin_return_address(0), PoolType,
                            NumberOfBytes, Tag, -1);
}

PVOID ExAllocatePoolWithTagPriority(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag,
                                    EX_POOL_PRIORITY Priority)
{
    (void)Priority;
    return AllocateWithType("ExAllocatePoolWithTagPriority", __builtin_return_address(0),
                            PoolType, NumberOfBytes, Tag, -1);
}

PVOID ExAllocatePoolZero(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    return AllocateWithType("ExAllocatePoolZero", __builtin_return_address(0), PoolType,
                            NumberOfBytes, Tag, 1);
}

PVOID ExAllocatePoolUninitialized(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    return AllocateWithType("ExAllocatePoolUninitialized", __builtin_return_address(0), PoolType,
                            NumberOfBytes, Tag, -1);
}

PVOID ExAllocatePoolPriorityZero(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag,
                                 EX_POOL_PRIORITY Priority)
{
    (void)Priority;
    return AllocateWithType("ExAllocatePoolPriorityZero", __builtin_return_address(0), PoolType,
                            NumberOfBytes, Tag, 1);
}

PVOID ExAllocatePoolPriorityUninitialized(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag,
                                          EX_POOL_PRIORITY Priority)
{
    (void)Priority;
    return AllocateWithType("ExAllocatePoolPriorityUninitialized", __builtin_return_address(0),
                            PoolType, NumberOfBytes, Tag, -1);
}

/* ---- Free ---------------------------------------------------------------------------- */

/* Give quarantined blocks back to their allocator, oldest first, while over the limits. */
static void TrimQuarantine(void)
{
    while (Pool.QuarantineHead != NULL &&
           (Pool.QuarantineCount > QUARANTINE_BLOCKS || Pool.QuarantineBytes > QUARANTINE_BYTES)) {
        RECORD *Record = Pool.QuarantineHead;
        Pool.QuarantineHead = Record->QuarantineNext;
        if (Pool.QuarantineHead == NULL) {
            Pool.QuarantineTail = NULL;
        }
        Pool.QuarantineCount--;
        Pool.QuarantineBytes -= Record->NumberOfBytes;
        Remove(Record);
        if (Record->Paged) {
            IrqlpArenaFree(Record->Address, Record->NumberOfBytes, Record->Cookie);
        } else {
            IrqlpUnpoison(Record->Address, Record->NumberOfBytes);
            free(Record->Address);
        }
        free(Record);
    }
}

static void Free(const char *Routine, PVOID P, ULONG Tag, BOOLEAN CheckTag)
{
    KIRQL Irql = IrqlpCurrentThread()->Pcr.Irql;
    char Level[16], Passed[5], Owner[5];
    RECORD *Record;
    RECORD Copy;

    pthread_mutex_lock(&Lock);
    Record = Lookup(P);
    if (Record == NULL) {
        PVOID Containing = IrqlpArenaBlockOf(P);
        RECORD *Block = Containing != NULL ? Lookup(Containing) : NULL;
        pthread_mutex_unlock(&Lock);
        if (Block != NULL) {
            IrqlpVerifierStop(DV_FREE_NOT_ALLOCATED, P, 0, 0,
                              "%s(%p): not the start of a pool block (it is inside the "
                              "allocation at %p)",
                              Routine, P, Containing);
        }
        IrqlpVerifierStop(DV_FREE_NOT_ALLOCATED, P, 0, 0,
                          "%s(%p): not an address a pool allocation returned", Routine, P);
    }
    Copy = *Record;
    if (Copy.Freed) {
        pthread_mutex_unlock(&Lock);
        IrqlpVerifierStop(DV_DOUBLE_FREE, 0, P, Copy.Tag,
                          "%s(%p): the block (tag '%s', %zu bytes) was already freed", Routine, P,
                          TagText(Copy.Tag, Owner), (size_t)Copy.NumberOfBytes);
    }
    if (Copy.Paged && Irql > APC_LEVEL) {
        pthread_mutex_unlock(&Lock);
        IrqlpVerifierStop(DV_PAGED_FREE_IRQL, Irql, Copy.PoolType, P,
                          "%s(%p) at %s: paged pool may only be freed at IRQL <= APC_LEVEL",
                          Routine, P, IrqlpLevelText(Irql, Level));
    }
    if (!Copy.Paged && Irql > DISPATCH_LEVEL) {
        pthread_mutex_unlock(&Lock);
        IrqlpVerifierStop(DV_NONPAGED_FREE_IRQL, Irql, Copy.PoolType, P,
                          "%s(%p) at %s: non-paged pool may only be freed at IRQL <= "
                          "DISPATCH_LEVEL",
                          Routine, P, IrqlpLevelText(Irql, Level));
    }
    if (CheckTag && Tag != 0 && Tag != Copy.Tag) {
        pthread_mutex_unlock(&Lock);
        IrqlpBugCheck(BAD_POOL_CALLER, BPC_WRONG_TAG, (ULONG_PTR)P, Copy.Tag, Tag,
                      "%s(%p, '%s'): the block was allocated with tag '%s'", Routine, P,
                      TagText(Tag, Passed), TagText(Copy.Tag, Owner));
    }
    Record->Freed = TRUE;
    Count(EVENT_FREE, Copy.Paged ? IrqlHostPoolPaged : IrqlHostPoolNonPaged, Copy.Tag,
          Copy.NumberOfBytes);
    pthread_mutex_unlock(&Lock);

    /* Outside the lock (a paged page may fault in: IRQL <= APC_LEVEL was checked). */
    memset(P, IRQL_HOST_POOL_FREED_FILL, Copy.NumberOfBytes);
    IrqlpPoison(P, Copy.NumberOfBytes);

    pthread_mutex_lock(&Lock);
    Record->QuarantineNext = NULL;
    if (Pool.QuarantineTail != NULL) {
        Pool.QuarantineTail->QuarantineNext = Record;
    } else {
        Pool.QuarantineHead = Record;
    }
    Pool.QuarantineTail = Record;
    Pool.QuarantineCount++;
    Pool.QuarantineBytes += Copy.NumberOfBytes;
    TrimQuarantine();
    pthread_mutex_unlock(&Lock);
}

VOID ExFreePool(PVOID P)
{
    Free("ExFreePool", P, 0, FALSE);
}

VOID ExFreePoolWithTag(PVOID P, ULONG Tag)
{
    Free("ExFreePoolWithTag", P, Tag, TRUE);
}

VOID ExFreePool2(PVOID P, ULONG Tag, PCPOOL_EXTENDED_PARAMETER ExtendedParameters,
                 ULONG ExtendedParametersCount)
{
    (void)ExtendedParameters;
    (void)ExtendedParametersCount;
    Free("ExFreePool2", P, Tag, TRUE);
}

/* ---- The fault handler's description of an address ------------------------------------ */

void IrqlpPoolDescribeAddress(const void *Address, char *Buffer, size_t Size)
{
    char Tag[5];
    PVOID Block;
    RECORD *Record;

    Buffer[0] = '\0';
    /* Never wait: the caller is a signal handler. (The faulting thread cannot hold the lock —
       nothing touches arena memory while holding it — but another thread may.) */
    if (pthread_mutex_trylock(&Lock) != 0) {
        return;
    }
    Block = IrqlpArenaBlockOf(Address);
    Record = Block != NULL ? Lookup(Block) : NULL;
    if (Record != NULL) {
        snprintf(Buffer, Size, " (%sallocation %p+0x%lx, %zu bytes, tag '%s')",
                 Record->Freed ? "freed " : "", Record->Address,
                 (unsigned long)((const char *)Address - (const char *)Record->Address),
                 (size_t)Record->NumberOfBytes, TagText(Record->Tag, Tag));
    }
    pthread_mutex_unlock(&Lock);
}

/* ---- Leaks ----------------------------------------------------------------------------- */

ULONG64 IrqlpPoolSequence(void)
{
    ULONG64 Sequence;
    pthread_mutex_lock(&Lock);
    Sequence = Pool.Sequence;
    pthread_mutex_unlock(&Lock);
    return Sequence;
}

static BOOLEAN Outstanding(const RECORD *Record, ULONG64 Since, ULONG Tag)
{
    return !Record->Freed && Record->Sequence > Since && (Tag == 0 || Record->Tag == Tag);
}

void IrqlpPoolOutstanding(ULONG64 Since, ULONG Tag, IRQLP_POOL_OUTSTANDING *Result)
{
    memset(Result, 0, sizeof(*Result));
    pthread_mutex_lock(&Lock);
    for (SIZE_T Index = 0; Index < Pool.BucketCount; Index++) {
        for (RECORD *Record = Pool.Buckets[Index]; Record != NULL; Record = Record->HashNext) {
            if (Outstanding(Record, Since, Tag)) {
                Result->Count++;
                if (Record->Paged) {
                    Result->PagedCount++;
                    Result->PagedBytes += Record->NumberOfBytes;
                } else {
                    Result->NonPagedCount++;
                    Result->NonPagedBytes += Record->NumberOfBytes;
                }
            }
        }
    }
    pthread_mutex_unlock(&Lock);
}

static int ByTagThenSequence(const void *A, const void *B)
{
    const RECORD *Left = A, *Right = B;
    if (Left->Tag != Right->Tag) {
        return Left->Tag < Right->Tag ? -1 : 1;
    }
    return Left->Sequence < Right->Sequence ? -1 : Left->Sequence > Right->Sequence;
}

/* "unit.pool(LeakHelper+0x1c) [0x55…]" from backtrace_symbols' "/path/unit.pool(…) […]". */
static const char *CallerText(const char *Symbol)
{
    const char *Open = strchr(Symbol, '(');
    const char *Slash = NULL;
    for (const char *C = Symbol; *C != '\0' && (Open == NULL || C < Open); C++) {
        if (*C == '/') {
            Slash = C;
        }
    }
    return Slash != NULL ? Slash + 1 : Symbol;
}

ULONG IrqlpPoolReportLeaks(ULONG64 Since, ULONG Tag, PCSTR Title)
{
    RECORD *Copies = NULL;
    SIZE_T Count = 0, Capacity = 0;
    SIZE_T PagedCount = 0, PagedBytes = 0, NonPagedCount = 0, NonPagedBytes = 0;
    void **Callers;
    char **Symbols;
    char Text[5];

    pthread_mutex_lock(&Lock);
    for (SIZE_T Index = 0; Index < Pool.BucketCount; Index++) {
        for (RECORD *Record = Pool.Buckets[Index]; Record != NULL; Record = Record->HashNext) {
            if (!Outstanding(Record, Since, Tag)) {
                continue;
            }
            if (Count == Capacity) {
                SIZE_T Grown = Capacity == 0 ? 64 : Capacity * 2;
                RECORD *Larger = realloc(Copies, Grown * sizeof(RECORD));
                if (Larger == NULL) {
                    break;
                }
                Copies = Larger;
                Capacity = Grown;
            }
            Copies[Count++] = *Record;
        }
    }
    pthread_mutex_unlock(&Lock);
    if (Count == 0) {
        free(Copies);
        return 0;
    }

    qsort(Copies, Count, sizeof(RECORD), ByTagThenSequence);
    for (SIZE_T Index = 0; Index < Count; Index++) {
        if (Copies[Index].Paged) {
            PagedCount++;
            PagedBytes += Copies[Index].NumberOfBytes;
        } else {
            NonPagedCount++;
            NonPagedBytes += Copies[Index].NumberOfBytes;
        }
    }
    Callers = malloc(Count * sizeof(void *));
    for (SIZE_T Index = 0; Callers != NULL && Index < Count; Index++) {
        Callers[Index] = Copies[Index].Caller;
    }
    Symbols = Callers != NULL ? backtrace_symbols(Callers, (int)Count) : NULL;

    DbgPrint("POOL: %s: %zu allocation(s) outstanding; paged %zu (%zu bytes), non-paged %zu "
             "(%zu bytes)\n",
             Title, (size_t)Count, (size_t)PagedCount, (size_t)PagedBytes, (size_t)NonPagedCount,
             (size_t)NonPagedBytes);
    for (SIZE_T First = 0; First < Count;) {
        SIZE_T Last = First, Bytes = 0;
        while (Last < Count && Copies[Last].Tag == Copies[First].Tag) {
            Bytes += Copies[Last++].NumberOfBytes;
        }
        DbgPrint("POOL:   tag '%s' (0x%08lX): %zu allocation(s), %zu bytes\n",
                 TagText(Copies[First].Tag, Text), (unsigned long)Copies[First].Tag,
                 (size_t)(Last - First), (size_t)Bytes);
        for (SIZE_T Index = First; Index < Last; Index++) {
            DbgPrint("POOL:     %p %zu bytes %s #%llu by %s\n", Copies[Index].Address,
                     (size_t)Copies[Index].NumberOfBytes, PoolTypeName(Copies[Index].PoolType),
                     (unsigned long long)Copies[Index].Sequence,
                     Symbols != NULL ? CallerText(Symbols[Index]) : "?");
        }
        First = Last;
    }
    free(Symbols);
    free(Callers);
    free(Copies);
    return (ULONG)Count;
}

void IrqlpPoolCheckLeaks(PCSTR DriverName, ULONG64 Since)
{
    IRQLP_POOL_OUTSTANDING Left;
    char Title[160];

    IrqlpPoolOutstanding(Since, 0, &Left);
    if (Left.Count == 0) {
        return;
    }
    snprintf(Title, sizeof(Title), "%s unloaded without freeing its pool", DriverName);
    IrqlpPoolReportLeaks(Since, 0, Title);
    IrqlpVerifierStop(DV_UNLOAD_LEAKS, DriverName, 0, Left.Count,
                      "%s is unloading without freeing %zu pool allocation(s): paged %zu "
                      "(%zu bytes), non-paged %zu (%zu bytes)",
                      DriverName, (size_t)Left.Count, (size_t)Left.PagedCount,
                      (size_t)Left.PagedBytes, (size_t)Left.NonPagedCount,
                      (size_t)Left.NonPagedBytes);
}

/* ---- <irql/host.h> ---------------------------------------------------------------------- */

VOID IrqlHostQueryPoolStats(IRQL_HOST_POOL Which, ULONG Tag, PIRQL_HOST_POOL_STATS Stats)
{
    const COUNTERS *Counters = NULL;

    memset(Stats, 0, sizeof(*Stats));
    if ((unsigned)Which > IrqlHostPoolNonPaged) {
        return;
    }
    pthread_mutex_lock(&Lock);
    if (Tag == 0) {
        Counters = &Pool.Totals[Which];
    } else {
        TAG_STATS *Entry = TagStats(Tag, FALSE);
        Counters = Entry != NULL ? &Entry->Pool[Which] : NULL;
    }
    if (Counters != NULL) {
        Stats->Count = Counters->Count;
        Stats->Bytes = Counters->Bytes;
        Stats->PeakCount = Counters->PeakCount;
        Stats->PeakBytes = Counters->PeakBytes;
        Stats->Allocations = Counters->Allocations;
        Stats->Frees = Counters->Frees;
        Stats->Failures = Counters->Failures;
    }
    pthread_mutex_unlock(&Lock);
}

static void ResetPeaks(COUNTERS *Counters)
{
    for (int Which = 0; Which < 3; Which++) {
        Counters[Which].PeakCount = Counters[Which].Count;
        Counters[Which].PeakBytes = Counters[Which].Bytes;
    }
}

VOID IrqlHostResetPoolPeaks(VOID)
{
    pthread_mutex_lock(&Lock);
    ResetPeaks(Pool.Totals);
    for (SIZE_T Index = 0; Index < Pool.TagCapacity; Index++) {
        ResetPeaks(Pool.Tags[Index].Pool);
    }
    pthread_mutex_unlock(&Lock);
}

BOOLEAN IrqlHostQueryPoolBlock(PCVOID Address, PIRQL_HOST_POOL_BLOCK Block)
{
    RECORD *Record;
    BOOLEAN Found = FALSE;

    memset(Block, 0, sizeof(*Block));
    pthread_mutex_lock(&Lock);
    Record = Lookup(Address);
    if (Record != NULL && !Record->Freed) {
        Block->Pool = Record->Paged ? IrqlHostPoolPaged : IrqlHostPoolNonPaged;
        Block->PoolType = Record->PoolType;
        Block->Tag = Record->Tag;
        Block->NumberOfBytes = Record->NumberOfBytes;
        Block->Caller = Record->Caller;
        Block->Sequence = Record->Sequence;
        Found = TRUE;
    }
    pthread_mutex_unlock(&Lock);
    return Found;
}

ULONG IrqlHostPrintPoolLeaks(ULONG Tag)
{
    return IrqlpPoolReportLeaks(0, Tag, "outstanding pool allocations");
}

VOID IrqlHostInjectPoolFailure(ULONG Nth, ULONG Tag)
{
    pthread_mutex_lock(&Lock);
    Pool.FailCountdown = Nth;
    Pool.FailCountdownTag = Tag;
    pthread_mutex_unlock(&Lock);
}

VOID IrqlHostInjectPoolFailureRate(ULONG Percent, ULONG Seed, ULONG Tag)
{
    pthread_mutex_lock(&Lock);
    Pool.FailPercent = Percent > 100 ? 100 : Percent;
    Pool.FailPercentTag = Tag;
    Pool.Random = Seed;
    pthread_mutex_unlock(&Lock);
}

VOID IrqlHostClearPoolFaultInjection(VOID)
{
    pthread_mutex_lock(&Lock);
    Pool.FailCountdown = 0;
    Pool.FailCountdownTag = 0;
    Pool.FailPercent = 0;
    Pool.FailPercentTag = 0;
    pthread_mutex_unlock(&Lock);
}

VOID IrqlHostTrimPagedPool(VOID)
{
    IrqlpPagedPoolTrim();
}

VOID IrqlHostQueryPagedPoolActivity(PULONG64 Trims, PULONG64 PageIns)
{
    IrqlpArenaActivity(Trims, PageIns);
}
