/*
 * A translation unit shaped like driver code — annotated entry points, helpers at every
 * level, raise blocks, callbacks and typed function pointers — compiled once with contracts
 * and once with IRQL_NO_CONTRACTS. zerocost.cmake requires the object code to be identical.
 */
#include <irql/irql.h>

typedef struct _COUNTERS {
    LONG Packets;
    LONG Bytes;
    LONG Errors;
    LONG Table[16];
} COUNTERS, *PCOUNTERS;

IRQL_FN_TYPE(PVISIT_FN, PASSIVE_LEVEL, DISPATCH_LEVEL, LONG, (PCOUNTERS Counters, LONG Index));

IRQL_MAX(AddPacket, HIGH_LEVEL) static VOID AddPacket(PCOUNTERS C, LONG Bytes);
IRQL_MAX(AddPacket, HIGH_LEVEL) static VOID AddPacket(PCOUNTERS C, LONG Bytes)
{
    IRQL_ENTER(AddPacket);
    C->Packets++;
    C->Bytes += Bytes;
}

IRQL_MAX(AddError, DISPATCH_LEVEL) VOID AddError(PCOUNTERS C)
{
    IRQL_ENTER(AddError);
    C->Errors++;
}

IRQL_MAX(Slot, HIGH_LEVEL) LONG Slot(PCOUNTERS C, LONG Index)
{
    IRQL_ENTER(Slot);
    return C->Table[Index & 15];
}

IRQL_MAX(SetSlot, DISPATCH_LEVEL) VOID SetSlot(PCOUNTERS C, LONG Index, LONG Value)
{
    IRQL_ENTER(SetSlot);
    C->Table[Index & 15] = Value;
}

IRQL_MAX(Sum, DISPATCH_LEVEL) LONG Sum(PCOUNTERS C)
{
    IRQL_ENTER(Sum);
    LONG Total = 0;
    for (LONG i = 0; i < 16; i++) {
        Total += IRQL_CALL(Slot)(C, i);
    }
    return Total;
}

IRQL_MAX(Visit, DISPATCH_LEVEL) LONG Visit(PCOUNTERS C, LONG Index)
{
    IRQL_ENTER(Visit);
    return IRQL_CALL(Slot)(C, Index) * 2;
}

IRQL_MAX(VisitAll, PASSIVE_LEVEL) LONG VisitAll(PCOUNTERS C, PVISIT_FN Fn)
{
    IRQL_ENTER(VisitAll);
    LONG Total = 0;
    for (LONG i = 0; i < 16; i++) {
        Total += IRQL_CALL_FN(Fn)(C, i);
    }
    IRQL_RAISE(DISPATCH_LEVEL) {
        Total += IRQL_CALL_FN(Fn)(C, 3);
    }
    return Total;
}

static PVISIT_FN DefaultVisitor = IRQL_FN_INIT(PVISIT_FN, Visit);

IRQL_AT(OnDpc, DISPATCH_LEVEL) VOID OnDpc(PCOUNTERS C, LONG Bytes)
{
    IRQL_ENTER(OnDpc);
    IRQL_CALL(AddPacket)(C, Bytes);
    if (Bytes < 0) {
        IRQL_CALL(AddError)(C);
    }
    IRQL_CALL(SetSlot)(C, Bytes, IRQL_CALL(Sum)(C));
}

IRQL_RANGE(OnInterrupt, 3, 12) VOID OnInterrupt(PCOUNTERS C)
{
    IRQL_ENTER(OnInterrupt);
    IRQL_CALL(AddPacket)(C, 64);
    IRQL_RAISE(HIGH_LEVEL) {
        IRQL_CALL(AddPacket)(C, IRQL_CALL(Slot)(C, 1));
    }
}

IRQL_MAX(Transfer, APC_LEVEL) VOID Transfer(PCOUNTERS From, PCOUNTERS To)
{
    IRQL_ENTER(Transfer);
    IRQL_RAISE(DISPATCH_LEVEL) {
        for (LONG i = 0; i < 16; i++) {
            IRQL_CALL(SetSlot)(To, i, IRQL_CALL(Slot)(From, i));
        }
        IRQL_RAISE(HIGH_LEVEL) {
            IRQL_CALL(AddPacket)(To, From->Bytes);
        }
    }
}

IRQL_MAX(Reset, PASSIVE_LEVEL) VOID Reset(PCOUNTERS C)
{
    IRQL_ENTER(Reset);
    for (LONG i = 0; i < 16; i++) {
        IRQL_CALL(SetSlot)(C, i, 0);
    }
    C->Packets = C->Bytes = C->Errors = 0;
}

IRQL_MAX(Checked, PASSIVE_LEVEL) LONG Checked(PCOUNTERS C)
{
    IRQL_ENTER(Checked);
    LONG Result = 0;
    if (KeGetCurrentIrql() <= APC_LEVEL) {
        IRQL_CONTEXT(PASSIVE_LEVEL, PASSIVE_LEVEL);
        Result = IRQL_CALL(VisitAll)(C, DefaultVisitor);
    }
    return Result;
}

typedef VOID (*PDPC_LIKE)(PCOUNTERS, LONG);
static PDPC_LIKE Registered = IRQL_CALLBACK(OnDpc, DISPATCH_LEVEL, DISPATCH_LEVEL);

IRQL_MAX(Register, PASSIVE_LEVEL) PDPC_LIKE Register(VOID)
{
    IRQL_ENTER(Register);
    return Registered ? Registered : IRQL_CALLBACK(OnDpc, DISPATCH_LEVEL, DISPATCH_LEVEL);
}

/* A family of small annotated helpers calling each other, as real drivers have. */
#define HELPER(N, Level, Prev) \
    IRQL_MAX(Helper##N, Level) LONG Helper##N(PCOUNTERS C, LONG X) \
    { \
        IRQL_ENTER(Helper##N); \
        if (X <= 0) { \
            return IRQL_CALL(Slot)(C, X); \
        } \
        LONG R = IRQL_CALL(Prev)(C, X - 1) + N; \
        if (R & 1) { \
            IRQL_RAISE(HIGH_LEVEL) { \
                R += IRQL_CALL(Slot)(C, R); \
            } \
        } \
        return R; \
    }

IRQL_MAX(Helper0, HIGH_LEVEL) LONG Helper0(PCOUNTERS C, LONG X)
{
    IRQL_ENTER(Helper0);
    return IRQL_CALL(Slot)(C, X);
}
HELPER(1, HIGH_LEVEL, Helper0)
HELPER(2, HIGH_LEVEL, Helper1)
HELPER(3, DISPATCH_LEVEL, Helper2)
HELPER(4, DISPATCH_LEVEL, Helper3)
HELPER(5, DISPATCH_LEVEL, Helper4)
HELPER(6, APC_LEVEL, Helper5)
HELPER(7, APC_LEVEL, Helper6)
HELPER(8, APC_LEVEL, Helper7)
HELPER(9, PASSIVE_LEVEL, Helper8)
HELPER(10, PASSIVE_LEVEL, Helper9)
HELPER(11, PASSIVE_LEVEL, Helper10)
HELPER(12, PASSIVE_LEVEL, Helper11)
HELPER(13, PASSIVE_LEVEL, Helper12)
HELPER(14, PASSIVE_LEVEL, Helper13)
HELPER(15, PASSIVE_LEVEL, Helper14)
HELPER(16, PASSIVE_LEVEL, Helper15)
HELPER(17, PASSIVE_LEVEL, Helper16)
HELPER(18, PASSIVE_LEVEL, Helper17)
HELPER(19, PASSIVE_LEVEL, Helper18)
HELPER(20, PASSIVE_LEVEL, Helper19)

IRQL_MAX(DriverWork, PASSIVE_LEVEL) LONG DriverWork(PCOUNTERS C)
{
    IRQL_ENTER(DriverWork);
    LONG R = IRQL_CALL(Helper20)(C, 20) + IRQL_CALL(Checked)(C);
    IRQL_CALL(Transfer)(C, C);
    IRQL_RAISE(DISPATCH_LEVEL) {
        IRQL_CALL(OnDpc)(C, R);
        Register()(C, R);
    }
    IRQL_CALL(Reset)(C);
    return R;
}
