/* RtlCopyMemory (with Driver Verifier's overlap check) and RtlCompareMemory. */
#include "locks.h"

#include <string.h>

PVOID RtlCopyMemory(PVOID Destination, const VOID *Source, SIZE_T Length)
{
    ULONG_PTR To = (ULONG_PTR)Destination, From = (ULONG_PTR)Source;
    /*
     * memcpy over overlapping buffers is undefined: on a real machine it silently produces a
     * different result depending on the CPU's copy routine. Driver Verifier stops the machine
     * (0xC4/0xF0); the driver should have used RtlMoveMemory.
     */
    if (Length != 0 && To < From + Length && From < To + Length) {
        IrqlpVerifierStop(IRQLP_DV_MEMCPY_OVERLAP, Destination, Source, Length,
                          "RtlCopyMemory(%p, %p, %zu): source and destination overlap "
                          "(use RtlMoveMemory)",
                          Destination, Source, (size_t)Length);
    }
    return Length != 0 ? memcpy(Destination, Source, Length) : Destination;
}

SIZE_T RtlCompareMemory(const VOID *Source1, const VOID *Source2, SIZE_T Length)
{
    const UCHAR *A = (const UCHAR *)Source1, *B = (const UCHAR *)Source2;
    SIZE_T Equal = 0;
    while (Equal < Length && A[Equal] == B[Equal]) {
        Equal++;
    }
    return Equal;
}
