/* DbgPrint, DbgPrintEx and RtlAssert. */
#include "bugcheck.h"

#include <irql/host.h>

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>

static _Atomic(IRQL_HOST_PRINT_SINK *) Sink;
static _Atomic(PVOID) SinkContext;

VOID IrqlHostSetPrintSink(IRQL_HOST_PRINT_SINK *NewSink, PVOID Context)
{
    atomic_store(&SinkContext, Context);
    atomic_store(&Sink, NewSink);
}

static ULONG Emit(PCSTR Format, va_list Args)
{
    char Text[512];
    IRQL_HOST_PRINT_SINK *Current = atomic_load(&Sink);

    vsnprintf(Text, sizeof(Text), Format, Args);
    if (Current != NULL) {
        Current(Text, atomic_load(&SinkContext));
    } else {
        fputs(Text, stderr);
    }
    return 0; /* STATUS_SUCCESS, as DbgPrint returns */
}

ULONG DbgPrint(PCSTR Format, ...)
{
    va_list Args;
    ULONG Result;

    va_start(Args, Format);
    Result = Emit(Format, Args);
    va_end(Args);
    return Result;
}

ULONG DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...)
{
    va_list Args;
    ULONG Result;

    UNREFERENCED_PARAMETER(ComponentId);
    UNREFERENCED_PARAMETER(Level);
    va_start(Args, Format);
    Result = Emit(Format, Args);
    va_end(Args);
    return Result;
}

VOID RtlAssert(PVOID FailedAssertion, PVOID FileName, ULONG LineNumber, PSTR Message)
{
    /* A checked build breaks into the debugger; with none attached the breakpoint is fatal. */
    IrqlpBugCheck(KMODE_EXCEPTION_NOT_HANDLED, (ULONG_PTR)0x80000003UL, 0, 0, 0,
                  "ASSERT(%s) failed at %s:%lu%s%s", (const char *)FailedAssertion,
                  (const char *)FileName, (unsigned long)LineNumber, Message ? ": " : "",
                  Message ? Message : "");
}
