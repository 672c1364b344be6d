/* Debug output: DbgPrint and friends write to the host's stderr (or a test's capture hook). */
#ifndef IRQL_HOST_WDM_DEBUG_H
#define IRQL_HOST_WDM_DEBUG_H

#define DPFLTR_IHVDRIVER_ID 77
#define DPFLTR_ERROR_LEVEL 0
#define DPFLTR_WARNING_LEVEL 1
#define DPFLTR_TRACE_LEVEL 2
#define DPFLTR_INFO_LEVEL 3

IRQL_HOST_BEGIN_DECLS

NTSYSAPI ULONG DbgPrint(_In_z_ _Printf_format_string_ PCSTR Format, ...)
    __attribute__((format(printf, 1, 2)));
NTSYSAPI ULONG DbgPrintEx(_In_ ULONG ComponentId, _In_ ULONG Level,
                          _In_z_ _Printf_format_string_ PCSTR Format, ...)
    __attribute__((format(printf, 3, 4)));

#if defined(DBG) && DBG
#define KdPrint(Args) DbgPrint Args
#define KdPrintEx(Args) DbgPrintEx Args
#define ASSERT(E) ((void)((E) ? TRUE : (RtlAssert((PVOID)#E, (PVOID)__FILE__, __LINE__, NULL), FALSE)))
#else
#define KdPrint(Args) ((void)0)
#define KdPrintEx(Args) ((void)0)
#define ASSERT(E) ((void)0)
#endif
#define NT_ASSERT(E) ASSERT(E)

/* Failed ASSERT: bug-checks like an unhandled breakpoint in a checked build. */
NTSYSAPI VOID RtlAssert(_In_ PVOID FailedAssertion, _In_ PVOID FileName, _In_ ULONG LineNumber,
                        _In_opt_ PSTR Message);

IRQL_HOST_END_DECLS

#endif
