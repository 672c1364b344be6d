/*
 * Pool memory: ExAllocatePool2/ExAllocatePool3 (POOL_FLAGS), the POOL_TYPE routines
 * (ExAllocatePoolWithTag and its Zero/Uninitialized/Priority wrappers), ExFreePool and
 * ExFreePoolWithTag — with the WDK's names, types, values and documented semantics.
 *
 * What the host kernel adds is Driver Verifier's view of every call (the host kernel always
 * runs "with Driver Verifier on", so misuse stops with DV's codes where DV has one):
 *   - Paged pool lives in its own arena. Raising a thread from below DISPATCH_LEVEL to
 *     DISPATCH_LEVEL or above trims it (DV's "Force IRQL checking"), so paged memory touched
 *     at DISPATCH_LEVEL or above bug-checks 0xA IRQL_NOT_LESS_OR_EQUAL — P1 the address, P2 the
 *     IRQL, P3 0 read / 1 write / 8 execute, P4 the faulting instruction — while a touch below
 *     DISPATCH_LEVEL pages the memory back in, as real paging does.
 *   - Allocation: paged above APC_LEVEL → 0xC4/0x01, non-paged above DISPATCH_LEVEL →
 *     0xC4/0x02 (P2 IRQL, P3 pool type, P4 bytes); zero bytes → 0xC4/0x00 (P4 0).
 *   - Free: paged above APC_LEVEL → 0xC4/0x11, non-paged above DISPATCH_LEVEL → 0xC4/0x12
 *     (P2 IRQL, P3 pool type, P4 address); an address no allocation returned → 0xC4/0x10
 *     (P2 address); a double free → 0xC4/0x13 (P3 address, P4 the allocation's tag); a tag
 *     that is not the allocation's → 0xC2 BAD_POOL_CALLER/0x0A (P2 address, P3 allocation's
 *     tag, P4 tag passed).
 *   - New memory is zeroed unless the caller asked for it uninitialised; "uninitialised"
 *     memory is filled with IRQL_HOST_POOL_UNINITIALIZED_FILL (<irql/host.h>) so a test sees
 *     it was never written.
 * Statistics, leak reports and fault injection for tests are in <irql/host.h>.
 */
#ifndef IRQL_HOST_WDM_POOL_H
#define IRQL_HOST_WDM_POOL_H

/* Page geometry (x64, arm64 and x86 all use 4 KiB pages). */
#ifndef PAGE_SIZE
#define PAGE_SIZE 0x1000
#endif
#ifndef PAGE_SHIFT
#define PAGE_SHIFT 12L
#endif
#ifndef PAGE_ALIGN
#define PAGE_ALIGN(Va) ((PVOID)((ULONG_PTR)(Va) & ~((ULONG_PTR)PAGE_SIZE - 1)))
#endif
#ifndef BYTE_OFFSET
#define BYTE_OFFSET(Va) ((ULONG)((LONG_PTR)(Va) & (PAGE_SIZE - 1)))
#endif
#ifndef ROUND_TO_PAGES
#define ROUND_TO_PAGES(Size) \
    (((ULONG_PTR)(Size) + PAGE_SIZE - 1) & ~((ULONG_PTR)PAGE_SIZE - 1))
#endif
#ifndef BYTES_TO_PAGES
#define BYTES_TO_PAGES(Size) \
    ((ULONG)((ULONG_PTR)(Size) >> PAGE_SHIFT) + (((ULONG)(Size) & (PAGE_SIZE - 1)) != 0))
#endif

/* SAL used below that <wdm/types.h> does not define (same parameter names as sal.h). */
#ifndef _Post_writable_byte_size_
#define _Post_writable_byte_size_(size)
#endif
#ifndef _In_reads_opt_
#define _In_reads_opt_(size)
#endif
#ifndef _Pre_notnull_
#define _Pre_notnull_
#endif
#ifndef __drv_freesMem
#define __drv_freesMem(kind)
#endif
#ifndef __drv_allocatesMem
#define __drv_allocatesMem(kind)
#endif
#ifndef DECLSPEC_RESTRICT
#define DECLSPEC_RESTRICT
#endif

/*
 * POOL_TYPE, as the WDK numbers it. Bit 0 selects paged pool, bit 1 "must succeed" (no longer
 * supported: BAD_POOL_CALLER 0x9A), bit 2 cache alignment, bit 5 session pool, bit 9 NX.
 */
typedef enum _POOL_TYPE {
    NonPagedPool,
    NonPagedPoolExecute = NonPagedPool,
    PagedPool,
    NonPagedPoolMustSucceed = NonPagedPool + 2,
    DontUseThisType,
    NonPagedPoolCacheAligned = NonPagedPool + 4,
    PagedPoolCacheAligned,
    NonPagedPoolCacheAlignedMustS = NonPagedPool + 6,
    MaxPoolType,

    NonPagedPoolBase = 0,
    NonPagedPoolBaseMustSucceed = NonPagedPoolBase + 2,
    NonPagedPoolBaseCacheAligned = NonPagedPoolBase + 4,
    NonPagedPoolBaseCacheAlignedMustS = NonPagedPoolBase + 6,

    NonPagedPoolSession = 32,
    PagedPoolSession = NonPagedPoolSession + 1,
    NonPagedPoolMustSucceedSession = PagedPoolSession + 1,
    DontUseThisTypeSession = NonPagedPoolMustSucceedSession + 1,
    NonPagedPoolCacheAlignedSession = DontUseThisTypeSession + 1,
    PagedPoolCacheAlignedSession = NonPagedPoolCacheAlignedSession + 1,
    NonPagedPoolCacheAlignedMustSSession = PagedPoolCacheAlignedSession + 1,

    NonPagedPoolNx = 512,
    NonPagedPoolNxCacheAligned = NonPagedPoolNx + 4,
    NonPagedPoolSessionNx = NonPagedPoolNx + 32,
} POOL_TYPE;

/* Modifiers a caller may OR into a POOL_TYPE. */
#define POOL_QUOTA_FAIL_INSTEAD_OF_RAISE 8
#define POOL_RAISE_IF_ALLOCATION_FAILURE 16 /* raise instead of returning NULL */
#define POOL_COLD_ALLOCATION 256             /* a hint; ignored on the host */
#define POOL_NX_ALLOCATION 512
#define POOL_ZERO_ALLOCATION 1024            /* zero the memory (ExAllocatePoolZero) */

/*
 * POOL_FLAGS (ExAllocatePool2/3). The low 32 bits are required attributes: an allocation
 * whose required flags the allocator does not recognise or cannot satisfy fails. The high 32
 * bits are optional: unrecognised ones are ignored.
 */
typedef ULONG64 POOL_FLAGS;

#define POOL_FLAG_REQUIRED_START          0x0000000000000001ULL
#define POOL_FLAG_USE_QUOTA               0x0000000000000001ULL /* charge quota */
#define POOL_FLAG_UNINITIALIZED           0x0000000000000002ULL /* don't zero-initialise */
#define POOL_FLAG_SESSION                 0x0000000000000004ULL /* session pool (OS only) */
#define POOL_FLAG_CACHE_ALIGNED           0x0000000000000008ULL /* cache aligned */
#define POOL_FLAG_RESERVED1               0x0000000000000010ULL /* reserved for system use */
#define POOL_FLAG_RAISE_ON_FAILURE        0x0000000000000020ULL /* raise on failure */
#define POOL_FLAG_NON_PAGED               0x0000000000000040ULL /* non-paged pool, NX */
#define POOL_FLAG_NON_PAGED_EXECUTE       0x0000000000000080ULL /* non-paged pool, executable */
#define POOL_FLAG_PAGED                   0x0000000000000100ULL /* paged pool */
#define POOL_FLAG_RESERVED2               0x0000000000000200ULL /* reserved for system use */
#define POOL_FLAG_RESERVED3               0x0000000000000400ULL /* reserved for system use */
#define POOL_FLAG_LAST_KNOWN_REQUIRED     POOL_FLAG_RESERVED3
#define POOL_FLAG_REQUIRED_END            0x0000000080000000ULL
#define POOL_FLAG_OPTIONAL_START          0x0000000100000000ULL
#define POOL_FLAG_SPECIAL_POOL            0x0000000100000000ULL /* special pool (debugging) */
#define POOL_FLAG_OPTIONAL_END            0x8000000000000000ULL
#define POOL_FLAG_REQUIRED_MASK           0x00000000FFFFFFFFULL
/* Required bits no flag uses yet: an allocation that sets one fails. */
#define POOL_FLAG_UNUSED_REQUIRED_BITS \
    (POOL_FLAG_REQUIRED_MASK & ~(POOL_FLAG_LAST_KNOWN_REQUIRED | (POOL_FLAG_LAST_KNOWN_REQUIRED - 1)))

/* Priority of an allocation when memory is short (ExAllocatePoolWithTagPriority, Pool3). */
typedef enum _EX_POOL_PRIORITY {
    LowPoolPriority,
    LowPoolPrioritySpecialPoolOverrun = 8,
    LowPoolPrioritySpecialPoolUnderrun = 9,
    NormalPoolPriority = 16,
    NormalPoolPrioritySpecialPoolOverrun = 24,
    NormalPoolPrioritySpecialPoolUnderrun = 25,
    HighPoolPriority = 32,
    HighPoolPrioritySpecialPoolOverrun = 40,
    HighPoolPrioritySpecialPoolUnderrun = 41
} EX_POOL_PRIORITY;

/* ExAllocatePool3's extended parameters. */
typedef enum POOL_EXTENDED_PARAMETER_TYPE {
    PoolExtendedParameterInvalidType = 0,
    PoolExtendedParameterPriority,
    PoolExtendedParameterSecurePool,
    PoolExtendedParameterNumaNode,
    PoolExtendedParameterMax
} POOL_EXTENDED_PARAMETER_TYPE, *PPOOL_EXTENDED_PARAMETER_TYPE;

#define POOL_EXTENDED_PARAMETER_TYPE_BITS 8
#define POOL_EXTENDED_PARAMETER_REQUIRED_FIELD_BITS 1
#define POOL_EXTENDED_PARAMETER_RESERVED_BITS \
    (64 - POOL_EXTENDED_PARAMETER_TYPE_BITS - POOL_EXTENDED_PARAMETER_REQUIRED_FIELD_BITS)

typedef struct _POOL_EXTENDED_PARAMS_SECURE_POOL {
    HANDLE SecurePoolHandle;
    PVOID Buffer;
    ULONG_PTR Cookie;
    ULONG SecurePoolFlags;
} POOL_EXTENDED_PARAMS_SECURE_POOL;

typedef ULONG POOL_NODE_REQUIREMENT;
#ifndef MM_ANY_NODE_OK
#define MM_ANY_NODE_OK 0x80000000
#endif

/* __extension__: ULONG64 bit-fields, as the WDK declares them, are a (universal) extension. */
__extension__ typedef struct _POOL_EXTENDED_PARAMETER {
    struct {
        ULONG64 Type : POOL_EXTENDED_PARAMETER_TYPE_BITS;
        ULONG64 Optional : POOL_EXTENDED_PARAMETER_REQUIRED_FIELD_BITS;
        ULONG64 Reserved : POOL_EXTENDED_PARAMETER_RESERVED_BITS;
    };
    union {
        ULONG64 Reserved2;
        PVOID Reserved3;
        EX_POOL_PRIORITY Priority;
        POOL_EXTENDED_PARAMS_SECURE_POOL *SecurePoolParams;
        POOL_NODE_REQUIREMENT PreferredNode;
    };
} POOL_EXTENDED_PARAMETER, *PPOOL_EXTENDED_PARAMETER;
typedef const POOL_EXTENDED_PARAMETER *PCPOOL_EXTENDED_PARAMETER;

IRQL_HOST_BEGIN_DECLS

/*
 * Allocate NumberOfBytes from the pool Flags names (exactly one of POOL_FLAG_PAGED,
 * POOL_FLAG_NON_PAGED, POOL_FLAG_NON_PAGED_EXECUTE), zeroed unless POOL_FLAG_UNINITIALIZED.
 * Returns NULL when memory is short, when Tag is 0 or not 1–4 characters 0x20–0x7E, or when
 * Flags is invalid; with POOL_FLAG_RAISE_ON_FAILURE it raises instead — on the host, where no
 * __try can catch it, that is bug check 0x1E KMODE_EXCEPTION_NOT_HANDLED (P1 the exception
 * code, P2 the caller). Allocations of PAGE_SIZE or more are page-aligned; smaller ones are
 * 16-byte aligned and do not cross a page boundary.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
_Must_inspect_result_ _Ret_maybenull_ _Post_writable_byte_size_(NumberOfBytes)
NTKERNELAPI DECLSPEC_RESTRICT PVOID ExAllocatePool2(_In_ POOL_FLAGS Flags,
                                                    _In_ SIZE_T NumberOfBytes, _In_ ULONG Tag);

/*
 * ExAllocatePool2 with extended parameters. Priority and NUMA-node parameters are accepted
 * and have no effect on the host (one node, no memory pressure); a secure-pool parameter, or
 * a parameter whose type is unknown and not marked Optional, makes the allocation fail, as an
 * invalid parameter structure does.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
_Must_inspect_result_ _Ret_maybenull_ _Post_writable_byte_size_(NumberOfBytes)
NTKERNELAPI DECLSPEC_RESTRICT PVOID ExAllocatePool3(
    _In_ POOL_FLAGS Flags, _In_ SIZE_T NumberOfBytes, _In_ ULONG Tag,
    _In_reads_opt_(ExtendedParametersCount) PCPOOL_EXTENDED_PARAMETER ExtendedParameters,
    _In_ ULONG ExtendedParametersCount);

/*
 * The POOL_TYPE routines. The memory is NOT zeroed (unless POOL_ZERO_ALLOCATION is ORed into
 * PoolType); failure returns NULL, or raises with POOL_RAISE_IF_ALLOCATION_FAILURE. Tag 0
 * bug-checks BAD_POOL_CALLER 0x9B, a tag with a byte outside 0x20–0x7E BAD_POOL_CALLER 0x9D,
 * a must-succeed type BAD_POOL_CALLER 0x9A. Session types are served from the matching
 * global pool (the host has one session).
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
_Must_inspect_result_ _Ret_maybenull_ _Post_writable_byte_size_(NumberOfBytes)
NTKERNELAPI PVOID ExAllocatePoolWithTag(_In_ POOL_TYPE PoolType, _In_ SIZE_T NumberOfBytes,
                                        _In_ ULONG Tag);

/* ExAllocatePoolWithTag; Priority is accepted and ignored (the host never runs short). */
_IRQL_requires_max_(DISPATCH_LEVEL)
_Must_inspect_result_ _Ret_maybenull_ _Post_writable_byte_size_(NumberOfBytes)
NTKERNELAPI PVOID ExAllocatePoolWithTagPriority(_In_ POOL_TYPE PoolType,
                                                _In_ SIZE_T NumberOfBytes, _In_ ULONG Tag,
                                                _In_ EX_POOL_PRIORITY Priority);

/* ExAllocatePoolWithTag, zero-initialised. */
_IRQL_requires_max_(DISPATCH_LEVEL)
_Must_inspect_result_ _Ret_maybenull_ _Post_writable_byte_size_(NumberOfBytes)
NTKERNELAPI PVOID ExAllocatePoolZero(_In_ POOL_TYPE PoolType, _In_ SIZE_T NumberOfBytes,
                                     _In_ ULONG Tag);

/* ExAllocatePoolWithTag, explicitly uninitialised. */
_IRQL_requires_max_(DISPATCH_LEVEL)
_Must_inspect_result_ _Ret_maybenull_ _Post_writable_byte_size_(NumberOfBytes)
NTKERNELAPI PVOID ExAllocatePoolUninitialized(_In_ POOL_TYPE PoolType,
                                              _In_ SIZE_T NumberOfBytes, _In_ ULONG Tag);

/* ExAllocatePoolWithTagPriority, zero-initialised / uninitialised. */
_IRQL_requires_max_(DISPATCH_LEVEL)
_Must_inspect_result_ _Ret_maybenull_ _Post_writable_byte_size_(NumberOfBytes)
NTKERNELAPI PVOID ExAllocatePoolPriorityZero(_In_ POOL_TYPE PoolType, _In_ SIZE_T NumberOfBytes,
                                             _In_ ULONG Tag, _In_ EX_POOL_PRIORITY Priority);
_IRQL_requires_max_(DISPATCH_LEVEL)
_Must_inspect_result_ _Ret_maybenull_ _Post_writable_byte_size_(NumberOfBytes)
NTKERNELAPI PVOID ExAllocatePoolPriorityUninitialized(_In_ POOL_TYPE PoolType,
                                                      _In_ SIZE_T NumberOfBytes, _In_ ULONG Tag,
                                                      _In_ EX_POOL_PRIORITY Priority);

/*
 * Free P, which an allocation routine returned. ≤ DISPATCH_LEVEL for non-paged memory,
 * ≤ APC_LEVEL for paged memory. ExFreePool does not check the tag; ExFreePoolWithTag does
 * (Tag 0 means "do not check", which is what ExFreePool passes in the real kernel).
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI VOID ExFreePool(_Pre_notnull_ __drv_freesMem(Mem) PVOID P);

_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI VOID ExFreePoolWithTag(_Pre_notnull_ __drv_freesMem(Mem) PVOID P, _In_ ULONG Tag);

/* ExFreePoolWithTag with extended parameters (only secure pool uses them; ignored here). */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTKERNELAPI VOID ExFreePool2(_Pre_notnull_ __drv_freesMem(Mem) PVOID P, _In_ ULONG Tag,
                             _In_reads_opt_(ExtendedParametersCount)
                                 PCPOOL_EXTENDED_PARAMETER ExtendedParameters,
                             _In_ ULONG ExtendedParametersCount);

IRQL_HOST_END_DECLS

#endif
