/* C++: typed pointers as class members, constructor parameters and template arguments;
   contracts repeated (declaration and definition); unannotated code and full-range callees. */
#include <irql/irql.h>

IRQL_FN_TYPE(PCOMPLETE_FN, PASSIVE_LEVEL, DISPATCH_LEVEL, VOID, (PVOID Context));

IRQL_MAX(Complete, DISPATCH_LEVEL)
VOID Complete(PVOID Context);

IRQL_MAX(Complete, DISPATCH_LEVEL)
VOID Complete(PVOID Context)
{
    IRQL_ENTER(Complete);
    (void)Context;
}

IRQL_MAX(Anywhere, HIGH_LEVEL)
VOID Anywhere(VOID);

class Request {
public:
    explicit Request(PCOMPLETE_FN OnComplete) : OnComplete_(OnComplete) {}
    PCOMPLETE_FN Callback() const { return OnComplete_; }

private:
    PCOMPLETE_FN OnComplete_;
};

template <typename Fn> struct Holder {
    Fn Value;
};

static Holder<PCOMPLETE_FN> Held = {IRQL_FN_INIT(PCOMPLETE_FN, Complete)};

IRQL_MAX(Finish, DISPATCH_LEVEL)
VOID Finish(const Request &R)
{
    IRQL_ENTER(Finish);
    PCOMPLETE_FN Cb = R.Callback();
    IRQL_CALL_FN(Cb)(NULL);
    IRQL_CALL_FN(Held.Value)(NULL);
}

VOID Unannotated(VOID)
{
    IRQL_CALL(Anywhere)();
    Request R(IRQL_FN(PCOMPLETE_FN, Complete));
    IRQL_RAISE(HIGH_LEVEL) {
        IRQL_CALL(Anywhere)();
    }
    if (KeGetCurrentIrql() <= DISPATCH_LEVEL) {
        IRQL_CONTEXT(PASSIVE_LEVEL, DISPATCH_LEVEL);
        IRQL_CALL(Finish)(R);
    }
}

static_assert(sizeof(PCOMPLETE_FN) == sizeof(VOID (*)(PVOID)), "a plain pointer in size");
