/*
 * The paged pool's arena, and how paged memory touched at DISPATCH_LEVEL gets caught.
 *
 * On Windows, paged pool may be paged out at any moment; touching it at DISPATCH_LEVEL or
 * above, where the page-fault handler cannot wait for the disk, bug-checks 0xA — but only if
 * the page happens to be out, which in testing it rarely is. Driver Verifier's "Force IRQL
 * checking" makes the bug deterministic by trimming all pageable memory whenever a verified
 * driver raises to DISPATCH_LEVEL or takes a spin lock. The host does the same:
 *
 *   - Paged pool lives in one mmap'd reservation of its own (1 GiB of address space by
 *     default, IRQL_HOST_PAGED_POOL_MB to change; nothing is committed until used), so "is
 *     this address paged pool" is two compares and needs no lock.
 *   - Trim: when a thread raises from below DISPATCH_LEVEL to DISPATCH_LEVEL or above
 *     (KfRaiseIrql and KeRaiseIrqlToDpcLevel, which spin-lock acquires go through), every
 *     committed page of the arena is made PROT_NONE — contents kept, access revoked, the
 *     host's equivalent of removing the pages from the working set.
 *   - Fault: the SIGSEGV handler looks at the faulting thread's IRQL (thread-local). At
 *     DISPATCH_LEVEL or above it bug-checks 0xA IRQL_NOT_LESS_OR_EQUAL; below, it "pages the
 *     page in" (mprotect read/write) and returns so the access retries. A page touched back in
 *     stays resident until the next trim, as on a real machine. Faults outside the arena go to
 *     the handler that was installed before ours (AddressSanitizer's, for one) or to the
 *     default action.
 *
 * Concurrency. The allocator below runs under the pool lock (pool.c). The fault handler takes
 * no lock: it reads the arena bounds from atomics and the IRQL from thread-local storage, and
 * mprotect is async-signal-safe. Trimming is process-wide, as on Windows: a thread at
 * PASSIVE_LEVEL may fault its pages back in while another thread is at DISPATCH_LEVEL; each
 * thread's faults are judged by its own IRQL, so there are no false positives (and, as on a
 * real machine, a page another thread made resident is not caught).
 *
 * The allocator keeps all of its metadata outside the arena (a page bitmap, per-page records,
 * slab descriptors with allocation bitmaps), so freeing, or allocating non-paged memory, never
 * touches — and never faults on — trimmed pages. Blocks up to 2 KiB come from one-page slabs
 * of a size class (16-byte multiples, so 16-byte alignment, and never across a page); larger
 * blocks get whole pages (page-aligned).
 *
 * Sanitizers: AddressSanitizer keeps its own SIGSEGV handler (handle_segv=1, the default,
 * lets ours be installed and we chain to it); its instrumentation checks the shadow before
 * the access, and the shadow of the arena is never protected, so the access itself is what
 * faults. Arena memory that is free, or past an allocation's end, is poisoned by hand.
 * ThreadSanitizer delivers SIGSEGV synchronously to our handler and supports siglongjmp out of
 * it. Both are exercised by tests/unit/test_pool_paged.c.
 */
#include "bugcheck.h"
#include "pool.h"
#include "thread.h"

#include <errno.h>
#include <execinfo.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#define ARENA_DEFAULT_MB 1024
#define ARENA_MINIMUM_MB 16

/* Slab size classes: all multiples of 16; the multiples of 64 serve cache-aligned requests. */
static const USHORT ClassSize[] = {16, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536,
                                   2048};
#define CLASS_COUNT ((ULONG)ARRAYSIZE(ClassSize))
#define LARGEST_CLASS 2048
#define COOKIE_RUN 0xFFFFFFFFUL /* the block is a run of whole pages */

typedef struct _SLAB {
    struct _SLAB *Next; /* partial list of its class: slabs with a free block */
    struct _SLAB *Prev;
    ULONG Page;
    USHORT Class;
    USHORT Capacity;
    USHORT Free;
    ULONG64 Used[PAGE_SIZE / 16 / 64]; /* one bit per block: allocated */
} SLAB;

typedef struct _PAGE_INFO {
    SLAB *Slab;    /* a slab page: its descriptor */
    ULONG RunHead; /* a page of a run: the run's first page */
    ULONG RunPages;
} PAGE_INFO;

static struct {
    /* Read by the fault handler without the lock: published with release stores. */
    _Atomic(uintptr_t) Base;         /* 0 until the arena exists */
    _Atomic(uintptr_t) CommittedEnd; /* pages below were handed out at least once */
    uintptr_t ReserveEnd;
    size_t SystemPage; /* mprotect granularity */
    BOOLEAN TrimEnabled;
    struct sigaction Previous; /* the SIGSEGV action ours replaced */

    /* Under the pool lock. */
    BOOLEAN Initialized;
    ULONG PageCount; /* PAGE_SIZE pages reserved */
    ULONG HighWater; /* pages ever handed out */
    ULONG Hint;      /* no free page below this one */
    ULONG64 *Bitmap; /* one bit per page: in use */
    PAGE_INFO *Pages;
    SLAB *Partial[ARRAYSIZE(ClassSize)];
} Arena;

_Atomic(ULONG) IrqlpPagedPoolResident;
static _Atomic(ULONG64) TrimCount;
static _Atomic(ULONG64) PageInCount;

BOOLEAN IrqlpArenaContains(const void *Address)
{
    uintptr_t Base = atomic_load_explicit(&Arena.Base, memory_order_acquire);
    return Base != 0 && (uintptr_t)Address >= Base && (uintptr_t)Address < Arena.ReserveEnd;
}

void IrqlpArenaActivity(ULONG64 *Trims, ULONG64 *PageIns)
{
    *Trims = atomic_load(&TrimCount);
    *PageIns = atomic_load(&PageInCount);
}

/* ---- Trim --------------------------------------------------------------------------- */

void IrqlpPagedPoolTrim(void)
{
    uintptr_t Base, End;
    int SavedErrno = errno;

    /*
     * Clear the flag before revoking access. A page touched in concurrently either lands
     * before our mprotect (and is trimmed with the rest; its thread faults again and pages it
     * back in) or after it (and sets the flag again), so no resident page is ever left
     * unflagged. The acquire pairs with the allocator's release of CommittedEnd, so pages it
     * committed before setting the flag are inside the range we trim.
     */
    if (atomic_exchange_explicit(&IrqlpPagedPoolResident, 0, memory_order_acq_rel) == 0) {
        return;
    }
    Base = atomic_load_explicit(&Arena.Base, memory_order_acquire);
    End = atomic_load_explicit(&Arena.CommittedEnd, memory_order_acquire);
    if (Base != 0 && End > Base) {
        (void)mprotect((void *)Base, End - Base, PROT_NONE);
        atomic_fetch_add_explicit(&TrimCount, 1, memory_order_relaxed);
    }
    errno = SavedErrno;
}

/* ---- The fault handler ---------------------------------------------------------------- */

/* P3 of bug check 0xA (0 read, 1 write, 8 execute) and P4 (the faulting instruction), from
   the machine context. x86: the page-fault error code says write (bit 1) or instruction
   fetch (bit 4). Elsewhere the access kind is not decoded and reads as 0. */
static void DecodeFault(const void *Context, ULONG_PTR *Access, ULONG_PTR *Instruction)
{
    const ucontext_t *Uc = Context;
#if defined(__x86_64__)
    greg_t Error = Uc->uc_mcontext.gregs[REG_ERR];
    *Access = (Error & 0x10) ? 8 : (Error & 0x2) ? 1 : 0;
    *Instruction = (ULONG_PTR)Uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__i386__)
    greg_t Error = Uc->uc_mcontext.gregs[REG_ERR];
    *Access = (Error & 0x10) ? 8 : (Error & 0x2) ? 1 : 0;
    *Instruction = (ULONG_PTR)Uc->uc_mcontext.gregs[REG_EIP];
#elif defined(__aarch64__)
    *Access = 0;
    *Instruction = (ULONG_PTR)Uc->uc_mcontext.pc;
#else
    (void)Uc;
    *Access = 0;
    *Instruction = 0;
#endif
}

static DECLSPEC_NORETURN void FaultAtRaisedIrql(uintptr_t Address, KIRQL Irql, const void *Context)
{
    ULONG_PTR Access, Instruction;
    char Detail[128], Level[16];

    DecodeFault(Context, &Access, &Instruction);
    IrqlpPoolDescribeAddress((const void *)Address, Detail, sizeof(Detail));
    IrqlpBugCheck(IRQL_NOT_LESS_OR_EQUAL, Address, Irql, Access, Instruction,
                  "paged pool %s at %s: %p%s; pageable memory needs IRQL <= APC_LEVEL",
                  Access == 1 ? "written" : Access == 8 ? "executed" : "read",
                  IrqlpLevelText(Irql, Level), (void *)Address, Detail);
}

static void ChainToPrevious(int Signal, siginfo_t *Info, void *Context)
{
    const struct sigaction *Previous = &Arena.Previous;
    struct sigaction Default;

    if ((Previous->sa_flags & SA_SIGINFO) != 0 && Previous->sa_sigaction != NULL) {
        Previous->sa_sigaction(Signal, Info, Context);
        return;
    }
    if ((Previous->sa_flags & SA_SIGINFO) == 0 && Previous->sa_handler != SIG_DFL &&
        Previous->sa_handler != SIG_IGN) {
        Previous->sa_handler(Signal);
        return;
    }
    /* The default action: restore it and let the faulting instruction run again (a signal
       someone sent rather than a fault is raised again; it stays pending until we return). */
    memset(&Default, 0, sizeof(Default));
    Default.sa_handler = SIG_DFL;
    sigemptyset(&Default.sa_mask);
    sigaction(Signal, &Default, NULL);
    if (Info->si_code <= 0) {
        raise(Signal);
    }
}

static void ArenaFault(int Signal, siginfo_t *Info, void *Context)
{
    uintptr_t Address = (uintptr_t)Info->si_addr;
    uintptr_t Base = atomic_load_explicit(&Arena.Base, memory_order_acquire);
    int SavedErrno = errno;

    if (Base != 0 && Info->si_code > 0 && Address >= Base && Address < Arena.ReserveEnd) {
        KIRQL Irql = IrqlpCurrentThread()->Pcr.Irql;
        uintptr_t End = atomic_load_explicit(&Arena.CommittedEnd, memory_order_acquire);
        ULONG_PTR Access, Instruction;

        if (Irql >= DISPATCH_LEVEL) {
            FaultAtRaisedIrql(Address, Irql, Context);
        }
        DecodeFault(Context, &Access, &Instruction);
        /* Below DISPATCH_LEVEL: page a committed page back in. Not for an instruction fetch:
           the arena is never executable, so the fault would only repeat. */
        if (Address < End && Access != 8) {
            uintptr_t Page = Address & ~(uintptr_t)(Arena.SystemPage - 1);
            if (mprotect((void *)Page, Arena.SystemPage, PROT_READ | PROT_WRITE) == 0) {
                if (Arena.TrimEnabled) {
                    atomic_store_explicit(&IrqlpPagedPoolResident, 1, memory_order_release);
                }
                atomic_fetch_add_explicit(&PageInCount, 1, memory_order_relaxed);
                errno = SavedErrno;
                return;
            }
        }
    }
    errno = SavedErrno;
    ChainToPrevious(Signal, Info, Context);
}

/* ---- Arena creation ------------------------------------------------------------------- */

static ULONG ReadMegabytes(const char *Name, ULONG Default)
{
    const char *Text = getenv(Name);
    char *End;
    unsigned long Value;

    if (Text == NULL || *Text == '\0') {
        return Default;
    }
    Value = strtoul(Text, &End, 10);
    return (*End == '\0' && Value >= ARENA_MINIMUM_MB && Value <= (1UL << 20)) ? (ULONG)Value
                                                                               : Default;
}

/* Reserve the address space, set up the metadata and install the fault handler. Pool lock
   held; a failure leaves the arena unavailable (paged allocations then return NULL). */
static BOOLEAN ArenaInitialize(void)
{
    const char *Trim = getenv("IRQL_HOST_PAGED_POOL_TRIM");
    size_t Megabytes = ReadMegabytes("IRQL_HOST_PAGED_POOL_MB", ARENA_DEFAULT_MB);
    void *Base = MAP_FAILED;
    struct sigaction Action;

    if (Arena.Initialized) {
        return atomic_load_explicit(&Arena.Base, memory_order_relaxed) != 0;
    }
    Arena.Initialized = TRUE;

    /* PROT_NONE + MAP_NORESERVE: address space only; halve on failure (a low RLIMIT_AS). */
    for (; Megabytes >= ARENA_MINIMUM_MB; Megabytes /= 2) {
        Base = mmap(NULL, Megabytes << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                    -1, 0);
        if (Base != MAP_FAILED) {
            break;
        }
    }
    if (Base == MAP_FAILED) {
        return FALSE;
    }
    Arena.PageCount = (ULONG)((Megabytes << 20) / PAGE_SIZE);
    Arena.Bitmap = calloc((Arena.PageCount + 63) / 64, sizeof(ULONG64));
    Arena.Pages = calloc(Arena.PageCount, sizeof(PAGE_INFO)); /* zero pages until touched */
    if (Arena.Bitmap == NULL || Arena.Pages == NULL) {
        free(Arena.Bitmap);
        free(Arena.Pages);
        munmap(Base, Megabytes << 20);
        return FALSE;
    }
    Arena.SystemPage = (size_t)sysconf(_SC_PAGESIZE);
    if (Arena.SystemPage < PAGE_SIZE || (Arena.SystemPage & (Arena.SystemPage - 1)) != 0) {
        Arena.SystemPage = PAGE_SIZE;
    }
    Arena.ReserveEnd = (uintptr_t)Base + (Megabytes << 20);
    /* IRQL_HOST_PAGED_POOL_TRIM=0 turns the check off (e.g. to debug without a SIGSEGV on
       every paged page touched after a raise). */
    Arena.TrimEnabled = !(Trim != NULL && strcmp(Trim, "0") == 0);

    /*
     * SA_ONSTACK: if the thread has an alternate signal stack (AddressSanitizer gives every
     * thread one), use it, so a stack overflow still reaches the handler we chain to.
     * SIGSEGV itself stays blocked while the handler runs; a bug check leaves the handler by
     * siglongjmp to IrqlHostCatchBugCheck, whose sigsetjmp saved the mask to restore.
     */
    /* An uncaught 0xA prints a backtrace from inside the handler; backtrace() loads libgcc
       (and allocates) on first use, so do that now, outside any signal handler. */
    {
        void *Frame;
        (void)backtrace(&Frame, 1);
    }
    memset(&Action, 0, sizeof(Action));
    Action.sa_sigaction = ArenaFault;
    Action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&Action.sa_mask);
    if (sigaction(SIGSEGV, &Action, &Arena.Previous) != 0) {
        memset(&Arena.Previous, 0, sizeof(Arena.Previous));
        Arena.Previous.sa_handler = SIG_DFL;
    }

    atomic_store_explicit(&Arena.CommittedEnd, (uintptr_t)Base, memory_order_relaxed);
    atomic_store_explicit(&Arena.Base, (uintptr_t)Base, memory_order_release);
    return TRUE;
}

/* ---- Pages ---------------------------------------------------------------------------- */

static BOOLEAN PageInUse(ULONG Page)
{
    return (Arena.Bitmap[Page / 64] >> (Page % 64)) & 1;
}

static void MarkPages(ULONG First, ULONG Count, BOOLEAN InUse)
{
    for (ULONG Page = First; Page < First + Count; Page++) {
        if (InUse) {
            Arena.Bitmap[Page / 64] |= 1ULL << (Page % 64);
        } else {
            Arena.Bitmap[Page / 64] &= ~(1ULL << (Page % 64));
        }
    }
}

static PVOID PageAddress(ULONG Page)
{
    return (PVOID)(atomic_load_explicit(&Arena.Base, memory_order_relaxed) +
                   (uintptr_t)Page * PAGE_SIZE);
}

/* First fit over the bitmap; whole words in use are skipped 64 pages at a time. */
static BOOLEAN FindFreeRun(ULONG Count, ULONG *First)
{
    ULONG Page = Arena.Hint;

    while (Page + Count <= Arena.PageCount) {
        ULONG End;
        if (Page % 64 == 0 && Arena.Bitmap[Page / 64] == ~0ULL) {
            Page += 64;
            continue;
        }
        if (PageInUse(Page)) {
            Page++;
            continue;
        }
        for (End = Page; End < Page + Count && !PageInUse(End); End++) {
        }
        if (End == Page + Count) {
            *First = Page;
            return TRUE;
        }
        Page = End + 1;
    }
    return FALSE;
}

/*
 * Take Count pages. Pages never used before are committed here (made read/write, which also
 * counts as resident); pages used before may be trimmed and fault back in when touched.
 */
static BOOLEAN AllocatePages(ULONG Count, ULONG *First)
{
    if (!FindFreeRun(Count, First)) {
        return FALSE;
    }
    MarkPages(*First, Count, TRUE);
    if (*First == Arena.Hint) {
        Arena.Hint = *First + Count;
    }
    if (*First + Count > Arena.HighWater) {
        uintptr_t Base = atomic_load_explicit(&Arena.Base, memory_order_relaxed);
        uintptr_t Old = atomic_load_explicit(&Arena.CommittedEnd, memory_order_relaxed);
        uintptr_t New = Base + (uintptr_t)(*First + Count) * PAGE_SIZE;
        New = (New + Arena.SystemPage - 1) & ~(uintptr_t)(Arena.SystemPage - 1);
        if (New > Old) {
            if (mprotect((void *)Old, New - Old, PROT_READ | PROT_WRITE) != 0) {
                MarkPages(*First, Count, FALSE);
                Arena.Hint = *First < Arena.Hint ? *First : Arena.Hint;
                return FALSE;
            }
            /* Order matters: a trimmer that sees the flag must also see the new end. */
            atomic_store_explicit(&Arena.CommittedEnd, New, memory_order_release);
            if (Arena.TrimEnabled) {
                atomic_store_explicit(&IrqlpPagedPoolResident, 1, memory_order_release);
            }
        }
        Arena.HighWater = *First + Count;
    }
    return TRUE;
}

static void FreePages(ULONG First, ULONG Count)
{
    MarkPages(First, Count, FALSE);
    memset(&Arena.Pages[First], 0, Count * sizeof(PAGE_INFO));
    if (First < Arena.Hint) {
        Arena.Hint = First;
    }
}

/* ---- Blocks --------------------------------------------------------------------------- */

static ULONG ClassFor(SIZE_T Bytes, BOOLEAN CacheAligned)
{
    for (ULONG Class = 0; Class < CLASS_COUNT; Class++) {
        if (ClassSize[Class] >= Bytes && (!CacheAligned || ClassSize[Class] % 64 == 0)) {
            return Class;
        }
    }
    return COOKIE_RUN;
}

static void Unlink(SLAB *Slab)
{
    if (Slab->Prev != NULL) {
        Slab->Prev->Next = Slab->Next;
    } else {
        Arena.Partial[Slab->Class] = Slab->Next;
    }
    if (Slab->Next != NULL) {
        Slab->Next->Prev = Slab->Prev;
    }
    Slab->Next = Slab->Prev = NULL;
}

static void Push(SLAB *Slab)
{
    Slab->Prev = NULL;
    Slab->Next = Arena.Partial[Slab->Class];
    if (Slab->Next != NULL) {
        Slab->Next->Prev = Slab;
    }
    Arena.Partial[Slab->Class] = Slab;
}

static PVOID AllocateSmall(ULONG Class, SIZE_T NumberOfBytes)
{
    SLAB *Slab = Arena.Partial[Class];
    ULONG Index;
    PUCHAR Address;

    if (Slab == NULL) {
        ULONG Page;
        Slab = calloc(1, sizeof(SLAB));
        if (Slab == NULL) {
            return NULL;
        }
        if (!AllocatePages(1, &Page)) {
            free(Slab);
            return NULL;
        }
        Slab->Page = Page;
        Slab->Class = (USHORT)Class;
        Slab->Capacity = (USHORT)(PAGE_SIZE / ClassSize[Class]);
        Slab->Free = Slab->Capacity;
        Arena.Pages[Page].Slab = Slab;
        IrqlpPoison(PageAddress(Page), PAGE_SIZE);
        Push(Slab);
    }
    for (Index = 0; (Slab->Used[Index / 64] >> (Index % 64)) & 1; Index++) {
    }
    Slab->Used[Index / 64] |= 1ULL << (Index % 64);
    if (--Slab->Free == 0) {
        Unlink(Slab);
    }
    Address = (PUCHAR)PageAddress(Slab->Page) + (SIZE_T)Index * ClassSize[Class];
    IrqlpUnpoison(Address, NumberOfBytes);
    return Address;
}

static void FreeSmall(PVOID Address, ULONG Class)
{
    uintptr_t Offset = (uintptr_t)Address - atomic_load_explicit(&Arena.Base, memory_order_relaxed);
    ULONG Page = (ULONG)(Offset / PAGE_SIZE);
    SLAB *Slab = Arena.Pages[Page].Slab;
    ULONG Index = (ULONG)((Offset % PAGE_SIZE) / ClassSize[Class]);

    Slab->Used[Index / 64] &= ~(1ULL << (Index % 64));
    if (Slab->Free++ == 0) {
        Push(Slab);
    }
    if (Slab->Free == Slab->Capacity) {
        Unlink(Slab);
        Arena.Pages[Page].Slab = NULL;
        FreePages(Page, 1);
        free(Slab);
    }
}

PVOID IrqlpArenaAllocate(SIZE_T NumberOfBytes, BOOLEAN CacheAligned, ULONG *Cookie)
{
    SIZE_T Needed = NumberOfBytes + IRQLP_ARENA_REDZONE;
    ULONG Class, Pages, First;
    PVOID Address;

    if (!ArenaInitialize() || NumberOfBytes == 0 ||
        NumberOfBytes > (SIZE_T)Arena.PageCount * PAGE_SIZE) {
        return NULL;
    }
    Class = ClassFor(Needed, CacheAligned);
    if (Class != COOKIE_RUN) {
        *Cookie = Class;
        return AllocateSmall(Class, NumberOfBytes);
    }
    Pages = (ULONG)((Needed + PAGE_SIZE - 1) / PAGE_SIZE);
    if (!AllocatePages(Pages, &First)) {
        return NULL;
    }
    for (ULONG Page = First; Page < First + Pages; Page++) {
        Arena.Pages[Page].RunHead = First;
    }
    Arena.Pages[First].RunPages = Pages;
    Address = PageAddress(First);
    IrqlpPoison(Address, (SIZE_T)Pages * PAGE_SIZE);
    IrqlpUnpoison(Address, NumberOfBytes);
    *Cookie = COOKIE_RUN;
    return Address;
}

void IrqlpArenaFree(PVOID Address, SIZE_T NumberOfBytes, ULONG Cookie)
{
    (void)NumberOfBytes;
    if (Cookie != COOKIE_RUN) {
        FreeSmall(Address, Cookie);
    } else {
        ULONG First = (ULONG)(((uintptr_t)Address -
                               atomic_load_explicit(&Arena.Base, memory_order_relaxed)) /
                              PAGE_SIZE);
        FreePages(First, Arena.Pages[First].RunPages);
    }
}

PVOID IrqlpArenaBlockOf(const void *Address)
{
    uintptr_t Base = atomic_load_explicit(&Arena.Base, memory_order_acquire);
    uintptr_t Offset = (uintptr_t)Address - Base;
    ULONG Page, Index;
    SLAB *Slab;

    if (!IrqlpArenaContains(Address) || !PageInUse(Page = (ULONG)(Offset / PAGE_SIZE))) {
        return NULL;
    }
    Slab = Arena.Pages[Page].Slab;
    if (Slab == NULL) {
        return PageAddress(Arena.Pages[Page].RunHead);
    }
    Index = (ULONG)((Offset % PAGE_SIZE) / ClassSize[Slab->Class]);
    if (Index >= Slab->Capacity || !((Slab->Used[Index / 64] >> (Index % 64)) & 1)) {
        return NULL;
    }
    return (PUCHAR)PageAddress(Page) + (SIZE_T)Index * ClassSize[Slab->Class];
}
