/*
 * The cost of the pool wrappers against the raw WDK routines, one noinline loop each, for
 * callgrind instruction counts (like bench/lock_pairs.c):
 *   box_raw     ExAllocatePool2 + ExFreePoolWithTag of a 64-byte block
 *   box         IRQL_BOX_NEW + IRQL_BOX_FREE of the same
 *   vec_push    IRQL_VEC_PUSH of N ULONGs into one vector (amortised growth), then FREE
 *   get         IRQL_BOX_GET + a write (no run-time code beyond the write)
 *
 *   pool_ops <operation> <N>    run one loop N times;   pool_ops all <N>;   pool_ops --list
 */
#include <irql/pool.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOOP(Name) __attribute__((noinline)) static void bench_##Name(long N)
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

static const struct {
    const char *Name;
    void (*Run)(long);
} Loops[] = {{"box_raw", bench_box_raw}, {"box", bench_box}, {"vec_push", bench_vec_push},
             {"get", bench_get}};

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < sizeof(Loops) / sizeof(Loops[0]); i++) {
            puts(Loops[i].Name);
        }
        return 0;
    }
    if (argc != 3) {
        fprintf(stderr, "usage: %s <operation>|all <N> | --list\n", argv[0]);
        return 2;
    }
    long N = atol(argv[2]);
    for (size_t i = 0; i < sizeof(Loops) / sizeof(Loops[0]); i++) {
        if (strcmp(argv[1], "all") == 0 || strcmp(argv[1], Loops[i].Name) == 0) {
            Loops[i].Run(N);
            if (strcmp(argv[1], "all") != 0) {
                return 0;
            }
        }
    }
    if (strcmp(argv[1], "all") == 0) {
        return 0;
    }
    fprintf(stderr, "unknown operation %s\n", argv[1]);
    return 2;
}
