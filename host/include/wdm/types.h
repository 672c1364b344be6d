/*
 * WDK base types at their Windows (LLP64) sizes: LONG and ULONG are 32-bit on every host, so
 * structures and arithmetic behave as they do in a real driver.
 */
#ifndef IRQL_HOST_WDM_TYPES_H
#define IRQL_HOST_WDM_TYPES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#define EXTERN_C extern "C"
#define IRQL_HOST_BEGIN_DECLS extern "C" {
#define IRQL_HOST_END_DECLS }
#else
#define EXTERN_C extern
#define IRQL_HOST_BEGIN_DECLS
#define IRQL_HOST_END_DECLS
#endif

/* Calling conventions and declaration specifiers: meaningless on the host. */
#define NTAPI
#define NTKERNELAPI
#define NTHALAPI
#define NTSYSAPI
#define FASTCALL
#define __stdcall
#define __fastcall
#define FORCEINLINE static inline __attribute__((always_inline))
/* A routine the WDK defines FORCEINLINE and the host exports too (for callers that take its
   address): the header's body is for inlining only (gnu_inline), the library holds the
   out-of-line copy. */
#define IRQL_HOST_INLINE extern __inline__ __attribute__((__gnu_inline__, __always_inline__))
#define DECLSPEC_NORETURN __attribute__((noreturn))
#define UNREFERENCED_PARAMETER(P) ((void)(P))
#define IN
#define OUT
#define OPTIONAL
#define CONST const

#ifndef TRUE
#define TRUE 1
#define FALSE 0
#endif

#define VOID void
typedef void *PVOID, **PPVOID;
typedef const void *PCVOID;
typedef char CHAR, *PCHAR, CCHAR;
typedef unsigned char UCHAR, *PUCHAR, BYTE, *PBYTE;
typedef int16_t SHORT, *PSHORT, CSHORT;
typedef uint16_t USHORT, *PUSHORT, WCHAR, *PWCHAR, *PWSTR;
typedef const uint16_t *PCWSTR;
typedef int32_t LONG, *PLONG, INT, *PINT;
typedef uint32_t ULONG, *PULONG, UINT, DWORD, ULONG32, *PULONG32;
typedef int32_t LONG32, *PLONG32;
typedef int64_t LONGLONG, *PLONGLONG, LONG64, *PLONG64;
typedef uint64_t ULONGLONG, *PULONGLONG, ULONG64, *PULONG64, DWORD64;
typedef intptr_t LONG_PTR, *PLONG_PTR, INT_PTR;
typedef uintptr_t ULONG_PTR, *PULONG_PTR, UINT_PTR, KAFFINITY;
typedef ULONG_PTR SIZE_T, *PSIZE_T;
typedef LONG_PTR SSIZE_T, *PSSIZE_T;
typedef UCHAR BOOLEAN, *PBOOLEAN;
typedef char *PSTR, *PSZ;
typedef const char *PCSTR, *PCSZ;
typedef void *HANDLE, **PHANDLE;
typedef LONG NTSTATUS, *PNTSTATUS;
typedef UCHAR KIRQL, *PKIRQL;
typedef CCHAR KPROCESSOR_MODE;
typedef ULONG ACCESS_MASK;

typedef union _LARGE_INTEGER {
    struct {
        ULONG LowPart;
        LONG HighPart;
    } u;
    LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

typedef union _ULARGE_INTEGER {
    struct {
        ULONG LowPart;
        ULONG HighPart;
    } u;
    ULONGLONG QuadPart;
} ULARGE_INTEGER, *PULARGE_INTEGER;

typedef struct _LIST_ENTRY {
    struct _LIST_ENTRY *Flink;
    struct _LIST_ENTRY *Blink;
} LIST_ENTRY, *PLIST_ENTRY;

#define KernelMode ((KPROCESSOR_MODE)0)
#define UserMode ((KPROCESSOR_MODE)1)

#define CONTAINING_RECORD(Address, Type, Field) \
    ((Type *)((PCHAR)(Address) - offsetof(Type, Field)))
#define FIELD_OFFSET(Type, Field) ((LONG)offsetof(Type, Field))
#define ARRAYSIZE(A) (sizeof(A) / sizeof((A)[0]))
#define RTL_NUMBER_OF(A) ARRAYSIZE(A)

/*
 * SAL annotations compile to nothing on the host (PREfast runs only under MSVC); they are
 * defined so that sources written for the WDK build unchanged.
 */
#ifndef _In_
#define _In_
#define _In_opt_
#define _Out_
#define _Out_opt_
#define _Inout_
#define _Inout_opt_
#define _In_z_
#define _In_reads_(n)
#define _In_reads_bytes_(n)
#define _Out_writes_(n)
#define _Out_writes_bytes_(n)
#define _Outptr_
#define _Outptr_result_maybenull_
#define _Ret_maybenull_
#define _Must_inspect_result_
#define _Success_(e)
#define _Printf_format_string_
#define _Use_decl_annotations_
#define _Analysis_noreturn_
#define _When_(c, a)
#define _IRQL_requires_(l)
#define _IRQL_requires_max_(l)
#define _IRQL_requires_min_(l)
#define _IRQL_raises_(l)
#define _IRQL_saves_
#define _IRQL_restores_
#define _IRQL_requires_same_
#define _IRQL_saves_global_(k, p)
#define _IRQL_restores_global_(k, p)
#define _Acquires_lock_(l)
#define _Releases_lock_(l)
#define _Requires_lock_held_(l)
#define _Requires_lock_not_held_(l)
#define _Guarded_by_(l)
#define _Function_class_(n)
#define _Dispatch_type_(t)
#define _Interlocked_operand_
#define _Out_writes_bytes_all_(n)
#define _Acquires_exclusive_lock_(l)
#define _Acquires_shared_lock_(l)
#define _Releases_exclusive_lock_(l)
#define _Releases_shared_lock_(l)
#define _Acquires_nonreentrant_lock_(l)
#define _Releases_nonreentrant_lock_(l)
#define _Post_same_lock_(a, b)
#define _Requires_exclusive_lock_held_(l)
#define _Requires_shared_lock_held_(l)
#define _Outptr_result_bytebuffer_(n)
#define _Post_satisfies_(e)
#define _Ret_range_(a, b)
#endif

#endif
