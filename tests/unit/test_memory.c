/* Rtl memory routines, and Driver Verifier's overlap check on RtlCopyMemory. */
#include "lock_helpers.h"

#include <string.h>

Test(memory, fill_zero_copy_move_compare)
{
    UCHAR A[16], B[16];
    RtlFillMemory(A, sizeof(A), 0x5A);
    for (size_t i = 0; i < sizeof(A); i++) {
        cr_assert_eq(A[i], 0x5A);
    }
    RtlZeroMemory(B, sizeof(B));
    cr_assert_eq(RtlCompareMemory(A, B, sizeof(A)), 0);
    cr_assert_eq(RtlCopyMemory(B, A, sizeof(A)), B, "returns the destination");
    cr_assert(RtlEqualMemory(A, B, sizeof(A)));
    cr_assert_eq(RtlCompareMemory(A, B, sizeof(A)), sizeof(A));
    B[9] = 0;
    cr_assert_eq(RtlCompareMemory(A, B, sizeof(A)), 9, "the count of equal leading bytes");
    cr_assert_not(RtlEqualMemory(A, B, sizeof(A)));
    for (UCHAR i = 0; i < 16; i++) {
        A[i] = i;
    }
    RtlMoveMemory(A + 2, A, 8); /* overlapping: the move form */
    cr_assert_eq(A[2], 0);
    cr_assert_eq(A[9], 7);
    cr_assert_eq(RtlCopyMemory(A, B, 0), A, "zero bytes: nothing to do");
    cr_assert_eq(RtlSecureZeroMemory(A, sizeof(A)), A);
    cr_assert_eq(RtlCompareMemory(A, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16), 16);
}

Test(memory, copy_at_high_irql_is_allowed)
{
    char A[4] = "abc", B[4];
    KIRQL Old;
    KeRaiseIrql(HIGH_LEVEL, &Old);
    RtlCopyMemory(B, A, sizeof(A));
    KeLowerIrql(Old);
    cr_assert_str_eq(B, "abc");
}

static UCHAR Buffer[32];

static void OverlappingCopy(PVOID Context)
{
    (void)Context;
    RtlCopyMemory(Buffer + 4, Buffer, 8);
}

Test(memory, overlapping_copy_bugchecks_c4_f0)
{
    IRQL_HOST_BUGCHECK R =
        ExpectBugCheck(OverlappingCopy, NULL, DRIVER_VERIFIER_DETECTED_VIOLATION, 0xF0);
    cr_assert_eq(R.Parameter[1], (ULONG_PTR)(Buffer + 4), "P2 is the destination");
    cr_assert_eq(R.Parameter[2], (ULONG_PTR)Buffer, "P3 is the source");
    cr_assert_eq(R.Parameter[3], 8, "P4 is the length");
}
