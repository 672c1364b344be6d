/* A spin-lock scope runs at DISPATCH_LEVEL: a blocking call (contract <= APC_LEVEL) inside it
   does not compile. */
// expect: IRQL violation
// expect: IRQL_CALL(WaitForCompletion)
// expect: above WaitForCompletion
#include <irql/lock.h>

IRQL_MAX(WaitForCompletion, APC_LEVEL)
NTSTATUS WaitForCompletion(PKEVENT Event);

typedef struct _REQUEST {
    KEVENT Done;
} REQUEST;
typedef IRQL_PROTECTED(IRQL_SPIN_LOCK, REQUEST) PROTECTED_REQUEST;

IRQL_MAX(Finish, PASSIVE_LEVEL)
VOID Finish(PROTECTED_REQUEST *Request)
{
    IRQL_ENTER(Finish);
    IRQL_WITH_T(Request, REQUEST, R) {
        (VOID)IRQL_CALL(WaitForCompletion)(&R->Done);
    }
}
