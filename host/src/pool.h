/*
 * The host kernel's pool, inside: what other host modules call (the IRQL-raise trim hook,
 * driver unload's leak check) and the contract between the front end (pool.c: the Ex*
 * routines, tracking, statistics, fault injection, reports) and the paged arena
 * (pool_paged.c: the mmap'd region, its allocator, trimming and the SIGSEGV handler).
 */
#ifndef IRQLP_POOL_H
#define IRQLP_POOL_H

#include <wdm.h>

#include <stdatomic.h>
#include <stddef.h>

/* ---- Raising the IRQL: Driver Verifier's "Force IRQL checking" ------------------------- */

/*
 * 1 while some paged-pool page may be accessible (a page was touched in, or new pages were
 * committed, since the last trim); 0 right after a trim. Read on every raise, so a raise that
 * has nothing to trim costs one load and one not-taken branch.
 */
extern _Atomic(ULONG) IrqlpPagedPoolResident;

/* Make every committed paged-pool page inaccessible (out of line: the rare path). */
void IrqlpPagedPoolTrim(void);

/*
 * Call after the thread's IRQL went from OldIrql to NewIrql by a raise. Crossing from below
 * DISPATCH_LEVEL to DISPATCH_LEVEL or above trims the paged pool, as Driver Verifier does on
 * every raise and spin-lock acquire of a verified driver, so any later touch of paged memory
 * at that IRQL faults. The three conditions are combined without short-circuit so the common
 * raise costs a single predictable branch.
 */
static inline void IrqlpPoolOnRaise(KIRQL OldIrql, KIRQL NewIrql)
{
    ULONG Crossing = (ULONG)(OldIrql < DISPATCH_LEVEL) & (ULONG)(NewIrql >= DISPATCH_LEVEL) &
                     atomic_load_explicit(&IrqlpPagedPoolResident, memory_order_relaxed);
    if (__builtin_expect(Crossing != 0, 0)) {
        IrqlpPagedPoolTrim();
    }
}

/* ---- Driver lifecycle: leaks at unload ------------------------------------------------- */

/*
 * A point in the pool's history: every later allocation has a larger sequence number. Take it
 * before DriverEntry runs and pass it to the calls below at unload, so only what the driver
 * allocated since is considered. (The host cannot attribute an allocation to a driver image
 * the way Driver Verifier does; drivers loaded at the same time share the window.)
 */
ULONG64 IrqlpPoolSequence(void);

typedef struct _IRQLP_POOL_OUTSTANDING {
    SIZE_T Count;         /* allocations not freed, paged + non-paged */
    SIZE_T PagedCount;
    SIZE_T NonPagedCount;
    SIZE_T PagedBytes;    /* bytes requested */
    SIZE_T NonPagedBytes;
} IRQLP_POOL_OUTSTANDING;

/* What is still allocated of the allocations made after sequence Since (Tag 0: any tag). */
void IrqlpPoolOutstanding(ULONG64 Since, ULONG Tag, IRQLP_POOL_OUTSTANDING *Outstanding);

/*
 * Print the leak report through DbgPrint — every outstanding allocation made after Since
 * (Tag 0: any tag), grouped by tag, with size, pool, sequence and allocating caller — under
 * the heading Title. Returns the number of allocations listed. Prints nothing if none.
 */
ULONG IrqlpPoolReportLeaks(ULONG64 Since, ULONG Tag, PCSTR Title);

/*
 * Driver unload with Driver Verifier's Pool Tracking: if any allocation made after Since is
 * outstanding, print the leak report and bug-check 0xC4/0x62 — P2 the driver's name (the
 * address of DriverName), P3 0 (DV's internal verifier record: reserved), P4 the number of
 * allocations not freed, paged and non-paged. Returns if nothing leaked.
 */
void IrqlpPoolCheckLeaks(PCSTR DriverName, ULONG64 Since);

/* ---- Front end ↔ paged arena (pool.c ↔ pool_paged.c) ----------------------------------- */

/*
 * The arena's allocator runs under the pool lock that pool.c owns; nothing in the arena takes
 * a lock of its own, and the fault handler takes none (it only mprotects one page, or bug-
 * checks after at most a try-lock to describe the allocation).
 */

/* Allocate NumberOfBytes (64-byte aligned if CacheAligned) in the paged arena. *Cookie
   receives what IrqlpArenaFree needs back. NULL if the arena is full or unavailable. Pool
   lock held. The memory may be trimmed (inaccessible until touched at < DISPATCH_LEVEL). */
PVOID IrqlpArenaAllocate(SIZE_T NumberOfBytes, BOOLEAN CacheAligned, ULONG *Cookie);

/* Return a block to the arena. Touches no arena memory (safe at any IRQL). Pool lock held. */
void IrqlpArenaFree(PVOID Address, SIZE_T NumberOfBytes, ULONG Cookie);

/* Start of the arena block that contains Address, or NULL (free memory, outside the arena).
   Pool lock held. */
PVOID IrqlpArenaBlockOf(const void *Address);

/* TRUE if Address lies in the paged arena's reservation (no lock needed). */
BOOLEAN IrqlpArenaContains(const void *Address);

/*
 * For the fault handler's bug-check message: describe the allocation that contains Address
 * (" in allocation 0x… + 0x10 (64 bytes, tag 'Tst1')") into Buffer, or "" if the pool lock is
 * busy or no allocation contains it. Never blocks.
 */
void IrqlpPoolDescribeAddress(const void *Address, char *Buffer, size_t Size);

/* Trims done / pages touched back in (for tests, through <irql/host.h>). */
void IrqlpArenaActivity(ULONG64 *Trims, ULONG64 *PageIns);

/* ---- AddressSanitizer: manual poisoning of arena memory and quarantined blocks ---------- */

#if defined(__SANITIZE_ADDRESS__)
#define IRQLP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define IRQLP_ASAN 1
#endif
#endif

#ifdef IRQLP_ASAN
#include <sanitizer/asan_interface.h>
#define IrqlpPoison(Address, Size) ASAN_POISON_MEMORY_REGION((Address), (Size))
#define IrqlpUnpoison(Address, Size) ASAN_UNPOISON_MEMORY_REGION((Address), (Size))
/* Arena blocks get at least this much poisoned slack after the caller's bytes, so an
   overflow by one is reported even when the size fills its size class exactly. */
#define IRQLP_ARENA_REDZONE 16
#else
#define IrqlpPoison(Address, Size) ((void)(Address), (void)(Size))
#define IrqlpUnpoison(Address, Size) ((void)(Address), (void)(Size))
#define IRQLP_ARENA_REDZONE 0
#endif

#endif
