/*
 * libFuzzer target for the global registry (<irql/registry.h>) on the host kernel.
 *
 * The input is a program: each operation is one byte (the low 3 bits pick it) followed by its
 * operands — register, get (by string, or with the high bit set through an IRQL_GRT_KEY
 * object that is kept, with its warm hint, across removes, re-registrations, rebuilds and
 * destroy + init), release, remove, destroy, init, enumerate, inject an allocation failure —
 * over keys drawn from a tiny alphabet (so they collide), of random length
 * (including empty and over IRQL_GRT_MAX_KEY_LENGTH), and three value types. A model (the
 * keys registered, with their types) predicts every status; a mismatch, a leak, a crash or a
 * sanitizer report is a finding. Each input ends with everything released and destroyed, and
 * the registry's pool tag must be back to zero allocations.
 *
 *   clang -fsanitize=fuzzer,address,undefined …   (tests/fuzz/CMakeLists.txt builds it)
 *   fuzz.registry tests/fuzz/corpus -max_total_time=20
 */
#include <irql/host.h>
#include <irql/registry.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef IRQL_PROTECTED(IRQL_FAST_MUTEX, LONG) FUZZ_SMALL;
typedef IRQL_PROTECTED(IRQL_FAST_MUTEX, ULONG64) FUZZ_WIDE;
typedef IRQL_PROTECTED(IRQL_SPIN_LOCK, LONG) FUZZ_SPIN;

#define MAX_KEYS 64
#define MAX_HELD 64
#define KEY_BUFFER (IRQL_GRT_MAX_KEY_LENGTH + 8)

typedef struct {
    char Key[KEY_BUFFER];
    int Type;
    int Held; /* references the program holds */
} MODEL_KEY;

typedef struct {
    PVOID Ptr;
    int Type;
    char Key[KEY_BUFFER];
} HELD;

static MODEL_KEY Keys[MAX_KEYS];
static int KeyCount;
static HELD Held[MAX_HELD];
static int HeldCount;
static int Initialized; /* 0 never, 1 ready, 2 destroyed */
static int Armed;       /* an allocation failure may be pending */

#define CHECK(Cond) \
    do { \
        if (!(Cond)) { \
            fprintf(stderr, "fuzz_registry: %s:%d: %s\n", __FILE__, __LINE__, #Cond); \
            abort(); \
        } \
    } while (0)

static VOID Quiet(PCSTR Text, PVOID Context)
{
    (void)Text;
    (void)Context;
}

typedef struct {
    const uint8_t *Data;
    size_t Size;
} INPUT;

static uint8_t Next(INPUT *In)
{
    uint8_t B = 0;
    if (In->Size > 0) {
        B = In->Data[0];
        In->Data++;
        In->Size--;
    }
    return B;
}

/* A key: usually 1-4 characters of "ab", sometimes empty or too long. */
static void ReadKey(INPUT *In, char *Key)
{
    uint8_t L = Next(In);
    size_t Length = L == 0xFF ? IRQL_GRT_MAX_KEY_LENGTH + 1 : L == 0xFE ? IRQL_GRT_MAX_KEY_LENGTH
                                                                        : (size_t)(L % 5);
    uint8_t Bits = Next(In);
    for (size_t I = 0; I < Length; I++) {
        Key[I] = (Bits >> (I % 8)) & 1 ? 'b' : 'a';
    }
    Key[Length] = '\0';
}

static int KeyValid(const char *Key)
{
    size_t L = strlen(Key);
    return L > 0 && L <= IRQL_GRT_MAX_KEY_LENGTH;
}

static MODEL_KEY *Find(const char *Key)
{
    for (int I = 0; I < KeyCount; I++) {
        if (strcmp(Keys[I].Key, Key) == 0) {
            return &Keys[I];
        }
    }
    return NULL;
}

static NTSTATUS StateStatus(void)
{
    return Initialized == 0 ? STATUS_IRQL_GRT_NOT_INITIALIZED
           : Initialized == 2 ? STATUS_IRQL_GRT_DESTROYED
                              : STATUS_SUCCESS;
}

IRQL_MAX(Register, PASSIVE_LEVEL)
static NTSTATUS Register(const char *Key, int Type)
{
    IRQL_ENTER(Register);
    switch (Type) {
    case 0:
        return IRQL_GRT_REGISTER(Key, FUZZ_SMALL, &(LONG){7});
    case 1:
        return IRQL_GRT_REGISTER(Key, FUZZ_WIDE, &(ULONG64){7});
    default:
        return IRQL_GRT_REGISTER(Key, FUZZ_SPIN, &(LONG){7});
    }
}

/* One GET of Type by KeyArg (a string or a PIRQL_GRT_KEY): the value is checked and bumped. */
#define FUZZ_GET(KeyArg, Type, Status, Ptr) \
    do { \
        Type *P_; \
        Status = IRQL_GRT_GET(KeyArg, Type, &P_); \
        if (NT_SUCCESS(Status)) { \
            IRQL_WITH(P_, V) { CHECK(*V >= 7); (*V)++; } \
        } \
        *(Ptr) = P_; \
    } while (0)

/* Object NULL: by string; else through the key object (whose string is Key). */
IRQL_MAX(Get, PASSIVE_LEVEL)
static NTSTATUS Get(const char *Key, PIRQL_GRT_KEY Object, int Type, PVOID *Ptr)
{
    IRQL_ENTER(Get);
    NTSTATUS Status;
    switch (Type + (Object != NULL ? 3 : 0)) {
    case 0:
        FUZZ_GET(Key, FUZZ_SMALL, Status, Ptr);
        break;
    case 1:
        FUZZ_GET(Key, FUZZ_WIDE, Status, Ptr);
        break;
    case 2:
        FUZZ_GET(Key, FUZZ_SPIN, Status, Ptr);
        break;
    case 3:
        FUZZ_GET(Object, FUZZ_SMALL, Status, Ptr);
        break;
    case 4:
        FUZZ_GET(Object, FUZZ_WIDE, Status, Ptr);
        break;
    default:
        FUZZ_GET(Object, FUZZ_SPIN, Status, Ptr);
        break;
    }
    return Status;
}

/* Key objects, kept across operations (and inputs: their hints must survive anything). Each
   owns the buffer its key points to, which changes only with IrqlGrtKeyInit. */
#define KEY_OBJECTS 8
static struct {
    char Buffer[KEY_BUFFER];
    IRQL_GRT_KEY Key;
    int Used;
} Objects[KEY_OBJECTS];

static PIRQL_GRT_KEY KeyObject(const char *Key, uint8_t Pick)
{
    int I;
    for (I = 0; I < KEY_OBJECTS; I++) {
        if (Objects[I].Used && strcmp(Objects[I].Buffer, Key) == 0) {
            return &Objects[I].Key;
        }
    }
    I = Pick % KEY_OBJECTS;
    strcpy(Objects[I].Buffer, Key);
    IrqlGrtKeyInit(&Objects[I].Key, Objects[I].Buffer);
    Objects[I].Used = 1;
    return &Objects[I].Key;
}

static void ReleaseHeld(int I)
{
    MODEL_KEY *K = Find(Held[I].Key);
    IrqlGrtRelease(Held[I].Ptr);
    if (K != NULL && K->Held > 0) {
        K->Held--;
    }
    Held[I] = Held[--HeldCount];
}

static void ReleaseKey(const char *Key)
{
    for (int I = HeldCount - 1; I >= 0; I--) {
        if (strcmp(Held[I].Key, Key) == 0) {
            ReleaseHeld(I);
        }
    }
}

static void ReleaseAll(void)
{
    while (HeldCount > 0) {
        ReleaseHeld(HeldCount - 1);
    }
}

static BOOLEAN CountKey(PCSTR Key, PCSTR TypeName, PVOID Context)
{
    (void)TypeName;
    CHECK(Find(Key) != NULL);
    (*(int *)Context)++;
    return TRUE;
}

static void Run(INPUT *In)
{
    char Key[KEY_BUFFER];
    while (In->Size > 0) {
        uint8_t Op = Next(In);
        NTSTATUS Status;
        switch (Op & 7) {
        case 0: { /* register */
            int Type = Next(In) % 3;
            MODEL_KEY *K;
            ReadKey(In, Key);
            Status = Register(Key, Type);
            if (!KeyValid(Key)) {
                CHECK(Status == STATUS_IRQL_GRT_INVALID_KEY);
            } else if (StateStatus() != STATUS_SUCCESS) {
                CHECK(Status == StateStatus());
            } else if (Status == STATUS_INSUFFICIENT_RESOURCES) {
                CHECK(Armed); /* allocated before the duplicate check: either key */
            } else if ((K = Find(Key)) != NULL) {
                CHECK(Status == STATUS_IRQL_GRT_KEY_EXISTS);
            } else {
                CHECK(Status == STATUS_SUCCESS);
                if (KeyCount < MAX_KEYS) {
                    strcpy(Keys[KeyCount].Key, Key);
                    Keys[KeyCount].Type = Type;
                    Keys[KeyCount].Held = 0;
                    KeyCount++;
                } else {
                    (void)IrqlGrtRemove(Key); /* keep the model bounded */
                }
            }
            break;
        }
        case 1: { /* get (high bit: through a key object) */
            int Type = Next(In) % 3;
            PVOID Ptr = NULL;
            MODEL_KEY *K;
            ReadKey(In, Key);
            if (HeldCount == MAX_HELD) {
                ReleaseHeld(0);
            }
            Status = Get(Key, (Op & 0x80) != 0 ? KeyObject(Key, Op >> 3) : NULL, Type, &Ptr);
            if (!KeyValid(Key)) {
                CHECK(Status == STATUS_IRQL_GRT_INVALID_KEY);
            } else if (StateStatus() != STATUS_SUCCESS) {
                CHECK(Status == StateStatus());
            } else if ((K = Find(Key)) == NULL) {
                CHECK(Status == STATUS_IRQL_GRT_KEY_NOT_FOUND);
            } else if (K->Type != Type) {
                CHECK(Status == STATUS_IRQL_GRT_TYPE_MISMATCH);
            } else {
                CHECK(Status == STATUS_SUCCESS && Ptr != NULL);
                Held[HeldCount].Ptr = Ptr;
                Held[HeldCount].Type = Type;
                strcpy(Held[HeldCount].Key, Key);
                HeldCount++;
                K->Held++;
            }
            if (Status != STATUS_SUCCESS) {
                CHECK(Ptr == NULL);
            }
            break;
        }
        case 2: /* release */
            if (HeldCount > 0) {
                ReleaseHeld(Next(In) % HeldCount);
            }
            break;
        case 3: { /* remove (after releasing our own references: it would wait for them) */
            MODEL_KEY *K;
            ReadKey(In, Key);
            ReleaseKey(Key);
            Status = IrqlGrtRemove(Key);
            if (!KeyValid(Key)) {
                CHECK(Status == STATUS_IRQL_GRT_INVALID_KEY);
            } else if (StateStatus() != STATUS_SUCCESS) {
                CHECK(Status == StateStatus());
            } else if ((K = Find(Key)) == NULL) {
                CHECK(Status == STATUS_IRQL_GRT_KEY_NOT_FOUND);
            } else {
                CHECK(Status == STATUS_SUCCESS);
                *K = Keys[--KeyCount];
            }
            break;
        }
        case 4: /* destroy */
            ReleaseAll();
            Status = IrqlGrtDestroy();
            if (Initialized == 1) {
                CHECK(Status == STATUS_SUCCESS);
                Initialized = 2;
                KeyCount = 0;
            } else {
                CHECK(Status == StateStatus());
            }
            break;
        case 5: /* init */
            Status = IrqlGrtInit();
            if (Initialized == 1) {
                CHECK(Status == STATUS_IRQL_GRT_ALREADY_INITIALIZED);
            } else if (Status == STATUS_INSUFFICIENT_RESOURCES) {
                CHECK(Armed);
            } else {
                CHECK(Status == STATUS_SUCCESS);
                Initialized = 1;
            }
            break;
        case 6: { /* enumerate */
            int Seen = 0;
            ULONG Count = 0;
            Status = IrqlGrtEnumerate(CountKey, &Seen, &Count);
            CHECK(Status == StateStatus());
            if (Status == STATUS_SUCCESS) {
                CHECK(Seen == KeyCount && Count == (ULONG)KeyCount);
            }
            break;
        }
        default: /* fail the Nth registry allocation from now */
            IrqlHostInjectPoolFailure(1 + Next(In) % 4, IRQL_GRT_POOL_TAG);
            Armed = 1;
            break;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size)
{
    INPUT In = {Data, Size};
    IRQL_HOST_POOL_STATS Stats;

    IrqlHostSetPrintSink(Quiet, NULL);
    KeyCount = 0;
    HeldCount = 0;
    Armed = 0;
    Initialized = IrqlGrtInit() == STATUS_SUCCESS ? 1 : 0;
    CHECK(Initialized == 1);
    Run(&In);
    ReleaseAll();
    IrqlHostClearPoolFaultInjection();
    if (Initialized == 1) {
        CHECK(IrqlGrtDestroy() == STATUS_SUCCESS);
    }
    IrqlHostQueryPoolStats(IrqlHostPoolAny, IRQL_GRT_POOL_TAG, &Stats);
    CHECK(Stats.Count == 0);
    return 0;
}
