/*
 * The cost of the pool wrappers against the raw WDK routines, one noinline loop each, for
 * callgrind instruction counts (like bench/lock_pairs.c):
 *   box_raw     ExAllocatePool2 + ExFreePoolWithTag of a 64-byte block
 *   box         IRQL_BOX_NEW + IRQL_BOX_FREE of the same
 *   vec_push    IRQL_VEC_PUSH of N ULONGs into one vector (amortised growth), then FREE
 *   get         IRQL_BOX_GET + a write (no run-time code beyond the write)
 *
 *   pool_ops <operation>|all <N> | wall <operation> <seconds> | --list      (bench.h)
 */
#include <irql/pool.h>

#include "bench.h"

#define LOOP BENCH_LOOP
#define TAG 0x68636E42UL /* "Bnch" */

typedef struct {
    UCHAR Bytes[64];
} BLOCK;

LOOP(box_raw)
{
    for (long i = 0; i < N; i++) {
        BLOCK *P = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(BLOCK), TAG);
        if (P != NULL) {
            ExFreePoolWithTag(P, TAG);
        }
    }
}

LOOP(box)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    IRQL_NONPAGED_BOX(BLOCK) Box = IRQL_BOX_INIT;
    for (long i = 0; i < N; i++) {
        if (NT_SUCCESS(IRQL_BOX_NEW(&Box, TAG))) {
            (void)IRQL_BOX_FREE(&Box);
        }
    }
}

LOOP(vec_push)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    IRQL_NONPAGED_VEC(ULONG) Vec = IRQL_VEC_INIT_TAG(TAG);
    for (long i = 0; i < N; i++) {
        if (!NT_SUCCESS(IRQL_VEC_PUSH(&Vec, (ULONG)i))) {
            break;
        }
    }
    (void)IRQL_VEC_FREE(&Vec);
}

LOOP(get)
{
    IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
    IRQL_NONPAGED_BOX(BLOCK) Box = IRQL_BOX_INIT;
    if (!NT_SUCCESS(IRQL_BOX_NEW(&Box, TAG))) {
        return;
    }
    for (long i = 0; i < N; i++) {
        IRQL_BOX_GET(&Box)->Bytes[i & 63]++;
    }
    (void)IRQL_BOX_FREE(&Box);
}

static const BENCH_OP Loops[] = {BENCH_OP(box_raw), BENCH_OP(box), BENCH_OP(vec_push),
                                   BENCH_OP(get)};

int main(int argc, char **argv)
{
    return BenchMain(argc, argv, Loops, ARRAYSIZE(Loops), NULL);
}
