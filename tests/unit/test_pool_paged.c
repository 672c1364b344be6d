/*
 * Paged pool touched at raised IRQL: the host kernel trims the paged pool whenever a thread
 * raises from below DISPATCH_LEVEL to DISPATCH_LEVEL or above (Driver Verifier's Force IRQL
 * checking), so a touch at DISPATCH_LEVEL or above bug-checks 0xA IRQL_NOT_LESS_OR_EQUAL
 * (P1 address, P2 IRQL, P3 0 read / 1 write / 8 execute, P4 the instruction) and a touch
 * below it pages the memory back in. Runs the same under AddressSanitizer and ThreadSanitizer.
 */
#define _GNU_SOURCE /* sigaction, sigsetjmp, MAP_ANONYMOUS under -std=c11 */

#include "bugcheck_expect.h"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define TAG_P ((ULONG)'gaPT') /* "TPag" */

#if defined(__x86_64__) || defined(__i386__)
#define ACCESS_KIND_KNOWN 1 /* P3 comes from the page-fault error code */
#endif

typedef struct {
    volatile UCHAR *P;
    KIRQL Irql;
    BOOLEAN Write;
    BOOLEAN ToDpcLevel; /* KeRaiseIrqlToDpcLevel instead of KeRaiseIrql */
    BOOLEAN FromApc;    /* raise to APC_LEVEL first */
    UCHAR Seen;
} TOUCH;

__attribute__((noinline)) static void TouchAtIrql(PVOID Context)
{
    TOUCH *T = Context;
    KIRQL Old, Older = PASSIVE_LEVEL;
    if (T->FromApc) {
        KeRaiseIrql(APC_LEVEL, &Older);
    }
    if (T->ToDpcLevel) {
        Old = KeRaiseIrqlToDpcLevel();
    } else {
        KeRaiseIrql(T->Irql, &Old);
    }
    if (T->Write) {
        T->P[0] = 0x77;
    } else {
        T->Seen = T->P[0];
    }
    KeLowerIrql(Old);
    if (T->FromApc) {
        KeLowerIrql(Older);
    }
}

static ULONG64 Trims(void)
{
    ULONG64 T, P;
    IrqlHostQueryPagedPoolActivity(&T, &P);
    return T;
}

static ULONG64 PageIns(void)
{
    ULONG64 T, P;
    IrqlHostQueryPagedPoolActivity(&T, &P);
    return P;
}

static void RaiseAndLower(KIRQL Irql)
{
    KIRQL Old;
    KeRaiseIrql(Irql, &Old);
    KeLowerIrql(Old);
}

static void AssertInstructionInTouch(const IRQL_HOST_BUGCHECK *R)
{
    uintptr_t Start = (uintptr_t)TouchAtIrql;
    cr_assert(R->Parameter[3] >= Start && R->Parameter[3] < Start + 4096,
              "P4 0x%llx is an instruction of TouchAtIrql (0x%llx; sanitizers make it long)",
              (unsigned long long)R->Parameter[3], (unsigned long long)Start);
}

Test(pool_paged, read_at_dispatch_bugchecks_0a)
{
    PUCHAR P = ExAllocatePool2(POOL_FLAG_PAGED, 64, TAG_P);
    TOUCH T = {.P = P + 5, .Irql = DISPATCH_LEVEL};
    IRQL_HOST_BUGCHECK R;

    P[5] = 9;
    R = ExpectBugCheck(TouchAtIrql, &T, IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)(P + 5));
    cr_assert_eq(R.Parameter[1], DISPATCH_LEVEL, "P2 the IRQL");
#ifdef ACCESS_KIND_KNOWN
    cr_assert_eq(R.Parameter[2], 0, "P3 0: a read");
#endif
    AssertInstructionInTouch(&R);
    cr_assert_str_eq(R.CodeName, "IRQL_NOT_LESS_OR_EQUAL");
    cr_assert_eq(R.Irql, DISPATCH_LEVEL);
    cr_assert(strstr(R.Message, "read at DISPATCH_LEVEL") != NULL, "%s", R.Message);
    cr_assert(strstr(R.Message, "tag 'TPag'") != NULL, "names the allocation: %s", R.Message);
    cr_assert(strstr(R.Message, "+0x5, 64 bytes") != NULL, "%s", R.Message);
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL);
    cr_assert_eq(P[5], 9, "the memory is intact and readable again at PASSIVE_LEVEL");
    ExFreePool(P);
}

Test(pool_paged, write_at_dispatch_bugchecks_0a)
{
    PUCHAR P = ExAllocatePool2(POOL_FLAG_PAGED, 3 * PAGE_SIZE, TAG_P);
    TOUCH T = {.P = P + 2 * PAGE_SIZE + 17, .Irql = DISPATCH_LEVEL, .Write = TRUE};
    IRQL_HOST_BUGCHECK R;

    R = ExpectBugCheck(TouchAtIrql, &T, IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)T.P);
    cr_assert_eq(R.Parameter[1], DISPATCH_LEVEL);
#ifdef ACCESS_KIND_KNOWN
    cr_assert_eq(R.Parameter[2], 1, "P3 1: a write");
    cr_assert(strstr(R.Message, "written") != NULL, "%s", R.Message);
#endif
    AssertInstructionInTouch(&R);
    cr_assert_eq(P[2 * PAGE_SIZE + 17], 0, "the write did not happen");
    ExFreePool(P);
}

Test(pool_paged, touch_above_dispatch_reports_that_irql)
{
    PUCHAR P = ExAllocatePool2(POOL_FLAG_PAGED, 100, TAG_P);
    static const KIRQL Levels[] = {DISPATCH_LEVEL + 1, CLOCK_LEVEL, HIGH_LEVEL};
    for (size_t Index = 0; Index < ARRAYSIZE(Levels); Index++) {
        TOUCH T = {.P = P, .Irql = Levels[Index]};
        IRQL_HOST_BUGCHECK R = ExpectBugCheck(TouchAtIrql, &T, IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)P);
        cr_assert_eq(R.Parameter[1], Levels[Index], "P2 the IRQL");
        P[0] = (UCHAR)Index; /* paged back in at PASSIVE_LEVEL */
    }
    ExFreePool(P);
}

Test(pool_paged, every_way_up_to_dispatch_trims)
{
    PUCHAR P = ExAllocatePool2(POOL_FLAG_PAGED, 100, TAG_P);
    TOUCH ToDpc = {.P = P, .ToDpcLevel = TRUE};
    TOUCH FromApc = {.P = P, .Irql = DISPATCH_LEVEL, .FromApc = TRUE, .Write = TRUE};
    IRQL_HOST_BUGCHECK R;

    R = ExpectBugCheck(TouchAtIrql, &ToDpc, IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)P);
    cr_assert_eq(R.Parameter[1], DISPATCH_LEVEL);
    P[0] = 1;
    R = ExpectBugCheck(TouchAtIrql, &FromApc, IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)P);
    cr_assert_eq(R.Parameter[1], DISPATCH_LEVEL);
    ExFreePool(P);
}

Test(pool_paged, passive_and_apc_touches_page_back_in)
{
    PUCHAR P = ExAllocatePool2(POOL_FLAG_PAGED, 4 * PAGE_SIZE, TAG_P);
    TOUCH AtApc = {.P = P + PAGE_SIZE, .Irql = APC_LEVEL, .Write = TRUE};
    TOUCH AtPassive = {.P = P + 3 * PAGE_SIZE, .Irql = PASSIVE_LEVEL};
    ULONG64 TrimsBefore, PageInsBefore;

    for (SIZE_T Index = 0; Index < 4 * PAGE_SIZE; Index++) {
        P[Index] = (UCHAR)Index;
    }
    TrimsBefore = Trims();
    RaiseAndLower(DISPATCH_LEVEL);
    cr_assert_eq(Trims(), TrimsBefore + 1, "the raise trimmed the paged pool");

    PageInsBefore = PageIns();
    for (SIZE_T Index = 0; Index < 4 * PAGE_SIZE; Index++) {
        cr_assert_eq(P[Index], (UCHAR)Index, "contents survive a trim");
    }
    cr_assert_geq(PageIns(), PageInsBefore + 4, "each page was touched back in");

    RaiseAndLower(DISPATCH_LEVEL);
    cr_assert_not(IrqlHostCatchBugCheck(TouchAtIrql, &AtApc, NULL), "APC_LEVEL may touch it");
    cr_assert_eq(P[PAGE_SIZE], 0x77);
    RaiseAndLower(DISPATCH_LEVEL);
    cr_assert_not(IrqlHostCatchBugCheck(TouchAtIrql, &AtPassive, NULL));
    cr_assert_eq(AtPassive.Seen, (UCHAR)(3 * PAGE_SIZE));
    ExFreePool(P);
}

Test(pool_paged, a_page_touched_in_is_trimmed_again_on_the_next_raise)
{
    PUCHAR P = ExAllocatePool2(POOL_FLAG_PAGED, 32, TAG_P);
    TOUCH T = {.P = P, .Irql = DISPATCH_LEVEL};
    ULONG64 Before;

    RaiseAndLower(DISPATCH_LEVEL);
    P[0] = 42; /* PASSIVE_LEVEL: pages it back in */
    cr_assert_eq(P[0], 42);
    Before = Trims();
    ExpectBugCheck(TouchAtIrql, &T, IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)P);
    cr_assert_eq(Trims(), Before + 1, "the resident page was trimmed again");

    /* Nothing touched since: a raise has nothing to trim, and the fast path does nothing. */
    Before = Trims();
    RaiseAndLower(DISPATCH_LEVEL);
    RaiseAndLower(HIGH_LEVEL);
    cr_assert_eq(Trims(), Before);
    ExpectBugCheck(TouchAtIrql, &T, IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)P);
    ExFreePool(P);
}

Test(pool_paged, only_crossing_into_dispatch_trims)
{
    PUCHAR P = ExAllocatePool2(POOL_FLAG_PAGED, 32, TAG_P);
    KIRQL Old, Older;
    ULONG64 Before = Trims();

    RaiseAndLower(APC_LEVEL);
    cr_assert_eq(Trims(), Before, "APC_LEVEL does not trim");
    P[0] = 1;
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    cr_assert_eq(Trims(), Before + 1);
    IrqlHostTrimPagedPool(); /* nothing resident: a no-op */
    KeRaiseIrql(HIGH_LEVEL, &Older);
    cr_assert_eq(Trims(), Before + 1, "already at DISPATCH_LEVEL: no second trim");
    KeLowerIrql(Older);
    KeLowerIrql(Old);
    cr_assert_eq(P[0], 1);
    ExFreePool(P);
}

Test(pool_paged, explicit_trim)
{
    PUCHAR P = ExAllocatePool2(POOL_FLAG_PAGED, 32, TAG_P);
    TOUCH T = {.P = P, .Irql = DISPATCH_LEVEL};
    ULONG64 Before = Trims();
    IrqlHostTrimPagedPool();
    cr_assert_eq(Trims(), Before + 1);
    /* The raise finds nothing resident, but the pages are out: the touch still stops. */
    ExpectBugCheck(TouchAtIrql, &T, IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)P);
    ExFreePool(P);
}

Test(pool_paged, nonpaged_memory_at_dispatch_is_fine)
{
    PUCHAR NonPaged = ExAllocatePool2(POOL_FLAG_NON_PAGED, 100, TAG_P);
    PUCHAR Paged = ExAllocatePool2(POOL_FLAG_PAGED, 100, TAG_P);
    TOUCH T = {.P = NonPaged + 50, .Irql = DISPATCH_LEVEL, .Write = TRUE};
    (void)Paged;
    cr_assert_not(IrqlHostCatchBugCheck(TouchAtIrql, &T, NULL));
    T.Irql = HIGH_LEVEL;
    T.Write = FALSE;
    cr_assert_not(IrqlHostCatchBugCheck(TouchAtIrql, &T, NULL));
    cr_assert_eq(T.Seen, 0x77);
    ExFreePool(NonPaged);
    ExFreePool(Paged);
}

Test(pool_paged, allocate_and_free_on_trimmed_pages)
{
    PUCHAR First = ExAllocatePool2(POOL_FLAG_PAGED, 64, TAG_P);
    PUCHAR Second, Big;
    memset(First, 0xAB, 64);
    RaiseAndLower(DISPATCH_LEVEL); /* the slab page is trimmed now */
    Second = ExAllocatePool2(POOL_FLAG_PAGED, 64, TAG_P);
    cr_assert_not_null(Second);
    for (int Index = 0; Index < 64; Index++) {
        cr_assert_eq(Second[Index], 0, "zeroed through a trimmed page");
    }
    RaiseAndLower(DISPATCH_LEVEL);
    ExFreePool(First); /* the free fill pages the block in at PASSIVE_LEVEL */
    Big = ExAllocatePool2(POOL_FLAG_PAGED | POOL_FLAG_UNINITIALIZED, 5 * PAGE_SIZE, TAG_P);
    RaiseAndLower(DISPATCH_LEVEL);
    ExFreePool(Big);
    RaiseAndLower(DISPATCH_LEVEL);
    ExFreePool(Second);
}

Test(pool_paged, signal_mask_is_restored_after_a_caught_0a)
{
    PUCHAR P = ExAllocatePool2(POOL_FLAG_PAGED, 64, TAG_P);
    TOUCH T = {.P = P, .Irql = DISPATCH_LEVEL};
    for (int Round = 0; Round < 3; Round++) {
        sigset_t Blocked;
        ExpectBugCheck(TouchAtIrql, &T, IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)P);
        cr_assert_eq(pthread_sigmask(SIG_BLOCK, NULL, &Blocked), 0);
        cr_assert_not(sigismember(&Blocked, SIGSEGV), "SIGSEGV is deliverable again");
        P[0] = (UCHAR)Round;
    }
    ExFreePool(P);
}

#if defined(__x86_64__)
typedef void CODE(void);

static void ExecuteAtDispatch(PVOID Context)
{
    CODE *Code;
    KIRQL Old;
    memcpy(&Code, &Context, sizeof(Code));
    KeRaiseIrql(DISPATCH_LEVEL, &Old);
    Code();
    KeLowerIrql(Old);
}

Test(pool_paged, executing_paged_memory_at_dispatch_bugchecks_0a_execute)
{
    PUCHAR P = ExAllocatePool2(POOL_FLAG_PAGED, 16, TAG_P);
    IRQL_HOST_BUGCHECK R;
    P[0] = 0xC3; /* ret */
    R = ExpectBugCheck(ExecuteAtDispatch, P, IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)P);
    cr_assert_eq(R.Parameter[2], 8, "P3 8: an execute");
    cr_assert_eq(R.Parameter[3], (ULONG_PTR)P, "P4 the instruction: the paged address");
    ExFreePool(P);
}
#endif

/* ---- Faults outside the paged pool keep their old meaning ---------------------------------- */

static sigjmp_buf Escape;
static volatile sig_atomic_t Chained;
static void *volatile ChainedAddress;

static void PreviousHandler(int Signal, siginfo_t *Info, void *Context)
{
    (void)Signal;
    (void)Context;
    Chained = 1;
    ChainedAddress = Info->si_addr;
    siglongjmp(Escape, 1);
}

Test(pool_paged, faults_elsewhere_go_to_the_previous_handler)
{
    struct sigaction Action, Old;
    volatile int *Guard;
    PUCHAR P;
    TOUCH T;

    /* Installed before the paged pool exists (each test runs in a fresh process). */
    memset(&Action, 0, sizeof(Action));
    Action.sa_sigaction = PreviousHandler;
    Action.sa_flags = SA_SIGINFO;
    sigemptyset(&Action.sa_mask);
    cr_assert_eq(sigaction(SIGSEGV, &Action, &Old), 0);

    P = ExAllocatePool2(POOL_FLAG_PAGED, 64, TAG_P); /* creates the pool, chains to ours */
    Guard = mmap(NULL, PAGE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq((void *)Guard, MAP_FAILED);
    if (sigsetjmp(Escape, 1) == 0) {
        *Guard = 1;
        cr_fail("the write to a PROT_NONE page did not fault");
    }
    cr_assert(Chained, "the previous SIGSEGV handler ran");
    cr_assert_eq(ChainedAddress, (void *)Guard);

    /* And the paged pool still works both ways. */
    RaiseAndLower(DISPATCH_LEVEL);
    P[1] = 5;
    T = (TOUCH){.P = P, .Irql = DISPATCH_LEVEL};
    ExpectBugCheck(TouchAtIrql, &T, IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)P);
    cr_assert_eq(P[1], 5);
    ExFreePool(P);
    munmap((void *)Guard, PAGE_SIZE);
}

static void TouchUncaught(void)
{
    PUCHAR P = ExAllocatePool2(POOL_FLAG_PAGED, 64, TAG_P);
    TOUCH T = {.P = P, .Irql = DISPATCH_LEVEL};
    TouchAtIrql(&T);
}

/* No catch frame: the report is printed and the "machine" stops. */
Test(pool_paged, an_uncaught_0a_stops_the_process, .signal = SIGABRT)
{
    TouchUncaught();
}

/* ---- Threads: judged by their own IRQL ------------------------------------------------------- */

static atomic_int Running;
static atomic_bool Stop;

static void *DispatchOnNonPaged(void *Context)
{
    volatile UCHAR *NonPaged = Context;
    atomic_fetch_add(&Running, 1);
    while (atomic_load(&Running) < 2) {
    }
    for (unsigned Round = 0; !atomic_load(&Stop); Round++) {
        KIRQL Old;
        KeRaiseIrql(DISPATCH_LEVEL, &Old); /* trims whatever the other thread paged in */
        NonPaged[Round % 256] = (UCHAR)Round;
        KeLowerIrql(Old);
    }
    return NULL;
}

static void *PassiveOnPaged(void *Context)
{
    volatile UCHAR *Paged = Context;
    atomic_fetch_add(&Running, 1);
    while (atomic_load(&Running) < 2) {
    }
    for (unsigned Round = 0; !atomic_load(&Stop); Round++) {
        SIZE_T Offset = (SIZE_T)(Round % 4) * PAGE_SIZE + (SIZE_T)(Round % 100);
        Paged[Offset] = (UCHAR)Round;
        if (Paged[Offset] != (UCHAR)Round) {
            return (void *)1;
        }
    }
    return NULL;
}

static double Seconds(void)
{
    struct timespec Now;
    clock_gettime(CLOCK_MONOTONIC, &Now);
    return (double)Now.tv_sec + (double)Now.tv_nsec / 1e9;
}

Test(pool_paged, a_thread_at_dispatch_does_not_fault_another_at_passive)
{
    PUCHAR NonPaged = ExAllocatePool2(POOL_FLAG_NON_PAGED, 256, TAG_P);
    PUCHAR Paged = ExAllocatePool2(POOL_FLAG_PAGED, 4 * PAGE_SIZE, TAG_P);
    ULONG64 TrimsBefore = Trims(), PageInsBefore = PageIns();
    double Deadline = Seconds() + 5;
    pthread_t Raiser, Toucher;
    void *Result;

    /* A bug check on either thread would abort the process: no catch frame there. Run until
       the two have really interleaved — trims by one, pages touched back in by the other. */
    cr_assert_eq(pthread_create(&Raiser, NULL, DispatchOnNonPaged, NonPaged), 0);
    cr_assert_eq(pthread_create(&Toucher, NULL, PassiveOnPaged, Paged), 0);
    while ((PageIns() - PageInsBefore < 200 || Trims() - TrimsBefore < 200) &&
           Seconds() < Deadline) {
        struct timespec Nap = {0, 1000000};
        nanosleep(&Nap, NULL);
    }
    atomic_store(&Stop, true);
    pthread_join(Raiser, NULL);
    pthread_join(Toucher, &Result);
    cr_assert_null(Result, "the paged memory read back what was written");
    cr_assert_gt(Trims() - TrimsBefore, 10, "the raiser trimmed while the other thread ran");
    cr_assert_gt(PageIns() - PageInsBefore, 10, "the toucher paged memory back in");
    ExFreePool(NonPaged);
    ExFreePool(Paged);
}
