/*
 * bench_registry: lookups in the global registry (<irql/registry.h>) against what wdk-mutex's
 * Grt does — a string-keyed balanced tree (an AVL tree here, as Rust's BTreeMap is ordered
 * and compares keys at every level) plus a type check — built from the same keys in the same
 * process.
 *
 *   bench_registry count <grt|key|tree> <keys> <lookups>
 *       register <keys> keys, then run <lookups> lookups in bench_grt_lookups /
 *       bench_key_lookups / bench_tree_lookups (bench/registry.sh counts the instructions of
 *       exactly those with callgrind). A registry lookup is IRQL_GRT_GET + IrqlGrtRelease, by
 *       string (grt) or by IRQL_GRT_KEY object (key: one object per key, initialised with
 *       IrqlGrtKeyInit, hints warm after the first pass); a tree lookup is the descent with
 *       strcmp plus the type check (type identity by pointer and size, as cheap as Rust's
 *       TypeId compare).
 *   bench_registry wall <grt|key|tree> <keys> <lookups> <threads>
 *       lookups per second over <threads> system threads (each doing <lookups>), one line.
 *
 * Keys look like a driver's ("device.00042.counter"); each run looks keys up in one fixed
 * pseudo-random order, so neither side benefits from a hot path through the same key.
 */
#include <irql/registry.h>

#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef IRQL_PROTECTED(IRQL_FAST_MUTEX, LONG) BENCH_COUNTER, *PBENCH_COUNTER;

#define ORDER 4096 /* lookups cycle through this many pseudo-random key indices */

static char **Keys;
static IRQL_GRT_KEY *KeyObjects;
static unsigned *Order;

/* ---- The ordered-map baseline: an AVL tree keyed by string ------------------------------- */

typedef struct NODE {
    const char *Key;
    const char *TypeName;
    size_t Size;
    void *Value;
    struct NODE *Left, *Right;
    int Height;
} NODE;

static int Height(NODE *N)
{
    return N ? N->Height : 0;
}

static void Fix(NODE *N)
{
    int L = Height(N->Left), R = Height(N->Right);
    N->Height = 1 + (L > R ? L : R);
}

static NODE *RotateRight(NODE *N)
{
    NODE *L = N->Left;
    N->Left = L->Right;
    L->Right = N;
    Fix(N);
    Fix(L);
    return L;
}

static NODE *RotateLeft(NODE *N)
{
    NODE *R = N->Right;
    N->Right = R->Left;
    R->Left = N;
    Fix(N);
    Fix(R);
    return R;
}

static NODE *Insert(NODE *N, NODE *New)
{
    int C, B;
    if (N == NULL) {
        return New;
    }
    C = strcmp(New->Key, N->Key);
    if (C < 0) {
        N->Left = Insert(N->Left, New);
    } else if (C > 0) {
        N->Right = Insert(N->Right, New);
    } else {
        return N;
    }
    Fix(N);
    B = Height(N->Left) - Height(N->Right);
    if (B > 1) {
        if (strcmp(New->Key, N->Left->Key) > 0) {
            N->Left = RotateLeft(N->Left);
        }
        return RotateRight(N);
    }
    if (B < -1) {
        if (strcmp(New->Key, N->Right->Key) < 0) {
            N->Right = RotateRight(N->Right);
        }
        return RotateLeft(N);
    }
    return N;
}

static NODE *Root;
static const char BenchTypeName[] = "BENCH_COUNTER";

/* get_fast_mutex::<T>(key): find, then downcast (type identity). */
static void *TreeGet(const char *Key, const char *TypeName, size_t Size)
{
    NODE *N = Root;
    while (N != NULL) {
        int C = strcmp(Key, N->Key);
        if (C == 0) {
            return N->TypeName == TypeName && N->Size == Size ? N->Value : NULL;
        }
        N = C < 0 ? N->Left : N->Right;
    }
    return NULL;
}

/* ---- Measured loops ---------------------------------------------------------------------- */

static volatile LONG Sink;

IRQL_MAX(bench_grt_lookups, PASSIVE_LEVEL)
__attribute__((noinline)) static LONG bench_grt_lookups(unsigned Lookups)
{
    IRQL_ENTER(bench_grt_lookups);
    LONG Found = 0;
    for (unsigned I = 0; I < Lookups; I++) {
        PBENCH_COUNTER Counter;
        if (NT_SUCCESS(IRQL_GRT_GET(Keys[Order[I % ORDER]], BENCH_COUNTER, &Counter))) {
            Found++;
            IrqlGrtRelease(Counter);
        }
    }
    return Found;
}

IRQL_MAX(bench_key_lookups, PASSIVE_LEVEL)
__attribute__((noinline)) static LONG bench_key_lookups(unsigned Lookups)
{
    IRQL_ENTER(bench_key_lookups);
    LONG Found = 0;
    for (unsigned I = 0; I < Lookups; I++) {
        PBENCH_COUNTER Counter;
        if (NT_SUCCESS(IRQL_GRT_GET(&KeyObjects[Order[I % ORDER]], BENCH_COUNTER, &Counter))) {
            Found++;
            IrqlGrtRelease(Counter);
        }
    }
    return Found;
}

__attribute__((noinline)) static LONG bench_tree_lookups(unsigned Lookups)
{
    LONG Found = 0;
    for (unsigned I = 0; I < Lookups; I++) {
        Found += TreeGet(Keys[Order[I % ORDER]], BenchTypeName, sizeof(BENCH_COUNTER)) != NULL;
    }
    return Found;
}

/* ---- Setup ------------------------------------------------------------------------------- */

IRQL_MAX(Setup, PASSIVE_LEVEL)
static void Setup(int Grt, unsigned Count)
{
    IRQL_ENTER(Setup);
    unsigned Seed = 12345;
    Keys = calloc(Count, sizeof(*Keys));
    KeyObjects = calloc(Count, sizeof(*KeyObjects));
    Order = calloc(ORDER, sizeof(*Order));
    if (Grt && IrqlGrtInit() != STATUS_SUCCESS) {
        abort();
    }
    for (unsigned I = 0; I < Count; I++) {
        Keys[I] = malloc(32);
        snprintf(Keys[I], 32, "device.%05u.counter", I);
        IrqlGrtKeyInit(&KeyObjects[I], Keys[I]);
        if (Grt) {
            if (IRQL_GRT_REGISTER(Keys[I], BENCH_COUNTER, NULL) != STATUS_SUCCESS) {
                abort();
            }
        } else {
            NODE *N = calloc(1, sizeof(*N));
            N->Key = Keys[I];
            N->TypeName = BenchTypeName;
            N->Size = sizeof(BENCH_COUNTER);
            N->Value = calloc(1, sizeof(BENCH_COUNTER));
            N->Height = 1;
            Root = Insert(Root, N);
        }
    }
    for (unsigned I = 0; I < ORDER; I++) {
        Seed = Seed * 1103515245u + 12345u;
        Order[I] = (Seed >> 8) % Count;
    }
}

typedef struct {
    int Side; /* 0 tree, 1 grt (string), 2 key object */
    unsigned Lookups;
} JOB;

/* Warm every key object's hint (what a driver's steady state looks like). */
IRQL_MAX(WarmKeys, PASSIVE_LEVEL)
static void WarmKeys(unsigned Count)
{
    IRQL_ENTER(WarmKeys);
    for (unsigned I = 0; I < Count; I++) {
        PBENCH_COUNTER Counter;
        if (NT_SUCCESS(IRQL_GRT_GET(&KeyObjects[I], BENCH_COUNTER, &Counter))) {
            IrqlGrtRelease(Counter);
        }
    }
}

static LONG Lookups(int Side, unsigned N)
{
    return Side == 2 ? bench_key_lookups(N) : Side == 1 ? bench_grt_lookups(N)
                                                        : bench_tree_lookups(N);
}

static VOID Worker(PVOID Context)
{
    JOB *Job = Context;
    Sink += Lookups(Job->Side, Job->Lookups);
}

int main(int argc, char **argv)
{
    int Grt, Side;
    unsigned Count, N;
    if (argc < 5) {
        fprintf(stderr, "usage: %s count|wall grt|key|tree <keys> <lookups> [threads]\n",
                argv[0]);
        return 2;
    }
    Side = strcmp(argv[2], "key") == 0 ? 2 : strcmp(argv[2], "grt") == 0 ? 1 : 0;
    Grt = Side != 0;
    Count = (unsigned)strtoul(argv[3], NULL, 10);
    N = (unsigned)strtoul(argv[4], NULL, 10);
    Setup(Grt, Count);
    if (Side == 2) {
        WarmKeys(Count); /* the measured loop is the steady state */
    }
    if (strcmp(argv[1], "count") == 0) {
        LONG Found = Lookups(Side, N);
        if ((unsigned)Found != N) {
            fprintf(stderr, "lookups failed: %ld of %u\n", (long)Found, N);
            return 1;
        }
    } else {
        unsigned Threads = argc > 5 ? (unsigned)strtoul(argv[5], NULL, 10) : 1;
        JOB Job = {Side, N};
        double Elapsed = BenchOnThreads(Threads, Worker, &Job);
        printf("%.0f\n", (double)N * Threads / Elapsed);
    }
    if (Grt && IrqlGrtDestroy() != STATUS_SUCCESS) {
        return 1;
    }
    return 0;
}
