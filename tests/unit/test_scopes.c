/*
 * IRQL_RAISE at run time: the block runs at the level, the old IRQL comes back on every way
 * out the scope form supports. Built twice: with the cleanup attribute and with the portable
 * form MSVC gets (IRQL_NO_CLEANUP).
 */
#include "irql_test.h"
#include <irql/irql.h>

IRQL_MAX(Level, HIGH_LEVEL) static KIRQL Level(void)
{
    IRQL_ENTER(Level);
    return KeGetCurrentIrql();
}

IRQL_MAX(Body, APC_LEVEL) static void Body(void)
{
    IRQL_ENTER(Body);
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL);
    IRQL_RAISE(DISPATCH_LEVEL) {
        cr_assert_eq(IRQL_CALL(Level)(), DISPATCH_LEVEL);
        IRQL_RAISE(HIGH_LEVEL) {
            cr_assert_eq(IRQL_CALL(Level)(), HIGH_LEVEL);
        }
        cr_assert_eq(KeGetCurrentIrql(), DISPATCH_LEVEL, "the inner block restored DISPATCH");
    }
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

Test(raise, runs_the_block_at_the_level_and_restores)
{
    Body();
}

IRQL_MAX(BodiesWithoutBraces, PASSIVE_LEVEL) static int BodiesWithoutBraces(int N)
{
    IRQL_ENTER(BodiesWithoutBraces);
    int Count = 0;
    for (int i = 0; i < N; i++)
        IRQL_RAISE(DISPATCH_LEVEL)
            Count += IRQL_CALL(Level)() == DISPATCH_LEVEL;
    if (N > 0)
        IRQL_RAISE(APC_LEVEL)
            IRQL_RAISE(DISPATCH_LEVEL)
                Count++;
    else
        Count = -1;
    return Count;
}

Test(raise, is_one_statement)
{
    cr_assert_eq(BodiesWithoutBraces(3), 4);
    cr_assert_eq(BodiesWithoutBraces(0), -1, "the else binds to the if, not to the scope");
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

IRQL_MAX(BreakAndContinue, PASSIVE_LEVEL) static int BreakAndContinue(void)
{
    IRQL_ENTER(BreakAndContinue);
    int Iterations = 0;
    for (int i = 0; i < 4; i++) {
        Iterations++;
        IRQL_RAISE(DISPATCH_LEVEL) {
            if (i % 2 == 0) {
                break; /* leaves the block, not the loop */
            }
            continue; /* leaves the block too */
        }
        cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL);
    }
    return Iterations;
}

Test(raise, break_and_continue_leave_the_block_and_lower)
{
    cr_assert_eq(BreakAndContinue(), 4, "the enclosing loop ran every iteration");
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

#ifndef IRQL_NO_CLEANUP
IRQL_MAX(EarlyReturn, PASSIVE_LEVEL) static int EarlyReturn(int Value)
{
    IRQL_ENTER(EarlyReturn);
    IRQL_RAISE(DISPATCH_LEVEL) {
        if (Value > 0) {
            return Value;
        }
        goto out;
    }
out:
    return -KeGetCurrentIrql();
}

Test(raise, return_and_goto_out_lower_with_cleanup)
{
    cr_assert_eq(EarlyReturn(7), 7);
    cr_assert_eq(KeGetCurrentIrql(), PASSIVE_LEVEL, "return lowered");
    cr_assert_eq(EarlyReturn(0), 0, "goto out lowered before the label");
}
#endif

/* Typed function pointers and callbacks at run time. */

IRQL_FN_TYPE(PADD_FN, PASSIVE_LEVEL, DISPATCH_LEVEL, int, (int A, int B));

IRQL_MAX(Add, DISPATCH_LEVEL) static int Add(int A, int B)
{
    IRQL_ENTER(Add);
    return A + B;
}

static PADD_FN Global = IRQL_FN_INIT(PADD_FN, Add);

IRQL_MAX(CallThrough, PASSIVE_LEVEL) static int CallThrough(PADD_FN Fn)
{
    IRQL_ENTER(CallThrough);
    int Sum = IRQL_CALL_FN(Fn)(1, 2);
    IRQL_RAISE(DISPATCH_LEVEL) {
        Sum += IRQL_CALL_FN(Fn)(10, 20);
    }
    return Sum;
}

Test(fn_type, is_a_plain_function_pointer_in_size_and_calls)
{
    cr_assert_eq(sizeof(PADD_FN), sizeof(int (*)(int, int)));
    cr_assert_eq(_Alignof(PADD_FN), _Alignof(int (*)(int, int)));
    PADD_FN Local = IRQL_FN(PADD_FN, Add);
    cr_assert_eq(IRQL_FN_PTR(Local), Add);
    cr_assert_eq(IRQL_FN_PTR(Global), Add);
    cr_assert_eq(CallThrough(Local), 33);
    PADD_FN Null = {0};
    cr_assert_null(IRQL_FN_PTR(Null));
}

Test(callback, evaluates_to_the_function)
{
    int (*Plain)(int, int) = IRQL_CALLBACK(Add, DISPATCH_LEVEL, DISPATCH_LEVEL);
    cr_assert_eq(Plain, Add);
    cr_assert_eq(Plain(2, 3), 5);
}
