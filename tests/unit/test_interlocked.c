/* Interlocked operations and barriers: WDK return-value conventions and atomicity under
   contention (plain counters would lose updates; these must not). */
#include "lock_helpers.h"

Test(interlocked, long_family_return_values)
{
    volatile LONG V = 5;
    cr_assert_eq(InterlockedIncrement(&V), 6, "returns the new value");
    cr_assert_eq(InterlockedDecrement(&V), 5);
    cr_assert_eq(InterlockedExchange(&V, 9), 5, "returns the old value");
    cr_assert_eq(InterlockedCompareExchange(&V, 1, 8), 9, "no exchange: returns the current");
    cr_assert_eq(V, 9);
    cr_assert_eq(InterlockedCompareExchange(&V, 1, 9), 9, "exchange: returns the old");
    cr_assert_eq(V, 1);
    cr_assert_eq(InterlockedExchangeAdd(&V, 10), 1);
    cr_assert_eq(InterlockedAdd(&V, 10), 21, "InterlockedAdd returns the new value");
    V = 0x0F;
    cr_assert_eq(InterlockedAnd(&V, 0x3C), 0x0F);
    cr_assert_eq(V, 0x0C);
    cr_assert_eq(InterlockedOr(&V, 0x03), 0x0C);
    cr_assert_eq(V, 0x0F);
    cr_assert_eq(InterlockedXor(&V, 0xFF), 0x0F);
    cr_assert_eq(V, 0xF0);
}

Test(interlocked, sixty_four_sixteen_and_eight_bit_forms)
{
    volatile LONG64 V = 0x100000000LL;
    cr_assert_eq(InterlockedIncrement64(&V), 0x100000001LL);
    cr_assert_eq(InterlockedDecrement64(&V), 0x100000000LL);
    cr_assert_eq(InterlockedExchangeAdd64(&V, 0x100000000LL), 0x100000000LL);
    cr_assert_eq(InterlockedCompareExchange64(&V, 7, 0x200000000LL), 0x200000000LL);
    cr_assert_eq(InterlockedExchange64(&V, 1), 7);
    cr_assert_eq(InterlockedOr64(&V, 0x100000000LL), 1);
    cr_assert_eq(InterlockedAnd64(&V, 0x100000000LL), 0x100000001LL);
    cr_assert_eq(InterlockedXor64(&V, 0x100000000LL), 0x100000000LL);
    cr_assert_eq(V, 0);
    volatile SHORT S = 1;
    cr_assert_eq(InterlockedIncrement16(&S), 2);
    cr_assert_eq(InterlockedCompareExchange16(&S, 5, 2), 2);
    cr_assert_eq(S, 5);
    volatile CHAR C = 3;
    cr_assert_eq(InterlockedExchange8(&C, 4), 3);
    cr_assert_eq(InterlockedCompareExchange8(&C, 9, 4), 4);
    cr_assert_eq(InterlockedOr8(&C, 0x10), 9);
    cr_assert_eq(C, 0x19);
    volatile SIZE_T Z = 1;
    cr_assert_eq(InterlockedExchangeAddSizeT(&Z, 2), 1);
    cr_assert_eq(InterlockedIncrementSizeT(&Z), 4);
    cr_assert_eq(InterlockedDecrementSizeT(&Z), 3);
}

Test(interlocked, pointer_forms_and_ordered_accesses)
{
    int A, B;
    PVOID volatile P = &A;
    cr_assert_eq(InterlockedExchangePointer(&P, &B), &A);
    cr_assert_eq(InterlockedCompareExchangePointer(&P, &A, &A), &B, "no exchange");
    cr_assert_eq(P, &B);
    cr_assert_eq(InterlockedCompareExchangePointer(&P, NULL, &B), &B);
    cr_assert_null(P);
    volatile LONG L = 0;
    WriteRelease(&L, 3);
    cr_assert_eq(ReadAcquire(&L), 3);
    WriteNoFence(&L, 4);
    cr_assert_eq(ReadNoFence(&L), 4);
    volatile LONG64 L64 = 0;
    WriteRelease64(&L64, 5);
    cr_assert_eq(ReadAcquire64(&L64), 5);
    WriteNoFence64(&L64, 6);
    cr_assert_eq(ReadNoFence64(&L64), 6);
    PVOID volatile Q = NULL;
    WritePointerRelease(&Q, &A);
    cr_assert_eq(ReadPointerAcquire(&Q), &A);
    WritePointerNoFence(&Q, &B);
    cr_assert_eq(ReadPointerNoFence(&Q), &B);
    KeMemoryBarrier();
    MemoryBarrier();
    KeMemoryBarrierWithoutFence();
    YieldProcessor();
}

typedef struct _COUNTERS {
    volatile LONG Long;
    volatile LONG64 Long64;
    volatile LONG Bits;
    volatile LONG Spin; /* a test-and-set lock built from InterlockedCompareExchange */
    ULONG Guarded;      /* plain, protected by Spin */
} COUNTERS;

static void *Hammer(void *Context)
{
    COUNTERS *C = (COUNTERS *)Context;
    static volatile LONG NextBit;
    LONG Bit = 1L << InterlockedIncrement(&NextBit);
    for (int i = 0; i < LOCK_TEST_ITERATIONS; i++) {
        InterlockedIncrement(&C->Long);
        InterlockedExchangeAdd64(&C->Long64, 2);
        InterlockedXor(&C->Bits, Bit);
        while (InterlockedCompareExchange(&C->Spin, 1, 0) != 0) {
            YieldProcessor();
        }
        C->Guarded++;
        InterlockedExchange(&C->Spin, 0);
    }
    return NULL;
}

Test(interlocked, no_update_is_lost_under_contention)
{
    COUNTERS C = {0, 0, 0, 0, 0};
    RunThreads(LOCK_TEST_THREADS, Hammer, &C);
    cr_assert_eq(C.Long, LOCK_TEST_THREADS * LOCK_TEST_ITERATIONS);
    cr_assert_eq(C.Long64, 2LL * LOCK_TEST_THREADS * LOCK_TEST_ITERATIONS);
    cr_assert_eq(C.Bits, 0, "an even number of XORs per bit cancels out");
    cr_assert_eq(C.Guarded, LOCK_TEST_THREADS * LOCK_TEST_ITERATIONS);
}
