/* Without __typeof__ (MSVC before 17.9, or IRQL_NO_TYPEOF), the _T forms do everything. */
// defines: IRQL_NO_TYPEOF
#include <irql/lock.h>

_Static_assert(IRQL_HAS_TYPEOF == 0, "IRQL_NO_TYPEOF selects the portable forms");

typedef struct _STATE {
    LONG Value;
} STATE;
typedef IRQL_PROTECTED(IRQL_PUSH_LOCK, STATE) PROTECTED_STATE;

IRQL_MAX(Update, APC_LEVEL)
LONG Update(PROTECTED_STATE *State)
{
    IRQL_ENTER(Update);
    LONG Old = 0;
    IRQL_WITH_T(State, STATE, S) {
        Old = S->Value++;
    }
    IRQL_WITH_SHARED_T(State, STATE, S) {
        Old += S->Value;
    }
    return Old;
}
