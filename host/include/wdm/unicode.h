/*
 * Counted Unicode strings: UNICODE_STRING, RtlInitUnicodeString, RTL_CONSTANT_STRING,
 * DECLARE_CONST_UNICODE_STRING.
 *
 * WCHAR is 16-bit on the host, as in the WDK, but an L"…" literal is a 32-bit wchar_t string
 * on Linux. Write constant strings as u"…" (C11 char16_t literals, 16-bit on every target,
 * MSVC included): RtlInitUnicodeString(&Name, u"\\Device\\Demo"),
 * RTL_CONSTANT_STRING(u"…"). An L"…" literal given to RTL_CONSTANT_STRING or
 * DECLARE_CONST_UNICODE_STRING is a compile error on the host (not a silently wrong length),
 * and one passed to RtlInitUnicodeString is an incompatible-pointer diagnostic. (Building a
 * test target with -fshort-wchar would make L"…" 16-bit too, but it changes wchar_t for the
 * C library as well, so the host does not rely on it.)
 */
#ifndef IRQL_HOST_WDM_UNICODE_H
#define IRQL_HOST_WDM_UNICODE_H

#ifndef _In_opt_z_
#define _In_opt_z_
#endif

typedef WCHAR *PWCH, *LPWSTR;
typedef const WCHAR *PCWCH, *LPCWSTR;

typedef struct _UNICODE_STRING {
    USHORT Length;        /* bytes, without a terminating NUL */
    USHORT MaximumLength; /* bytes of Buffer */
    PWCH Buffer;          /* not necessarily NUL-terminated */
} UNICODE_STRING, *PUNICODE_STRING;
typedef const UNICODE_STRING *PCUNICODE_STRING;

/* Longest counted string RtlInitUnicodeString describes, in bytes (ntdef.h). */
#define MAX_USTRING ((USHORT)0xFFFE)

/* 0 if String is made of 16-bit characters; a compile error (negative array) otherwise. */
#define IRQL_HOST_WCHAR_LITERAL_CHECK(String) \
    (0 * sizeof(char[sizeof((String)[0]) == sizeof(WCHAR) ? 1 : -1]))

/* An initialiser for a UNICODE_STRING describing the literal String (u"…" on the host). */
#define RTL_CONSTANT_STRING(String)                                                     \
    {                                                                                   \
        (USHORT)(sizeof(String) - sizeof((String)[0]) +                                 \
                 IRQL_HOST_WCHAR_LITERAL_CHECK(String)),                                \
            (USHORT)sizeof(String), (PWCH)(String)                                      \
    }

/* const UNICODE_STRING Var describing the literal String, with its own const buffer. */
#define DECLARE_CONST_UNICODE_STRING(Var, String)                                       \
    const WCHAR Var##_buffer[] = String;                                                \
    const UNICODE_STRING Var = {(USHORT)(sizeof(String) - sizeof(WCHAR) +               \
                                         IRQL_HOST_WCHAR_LITERAL_CHECK(String)),        \
                                (USHORT)sizeof(String), (PWCH)Var##_buffer}

IRQL_HOST_BEGIN_DECLS

/*
 * Describe the NUL-terminated SourceString in *DestinationString (no copy): Length its bytes
 * without the NUL, MaximumLength with it; NULL gives 0 and 0. A string longer than
 * MAX_USTRING - 1 bytes is described as MAX_USTRING - 2 / MAX_USTRING bytes, as the WDK does.
 * At or below DISPATCH_LEVEL (with a non-paged string); above it: 0xC4/0xE5.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSYSAPI VOID RtlInitUnicodeString(_Out_ PUNICODE_STRING DestinationString,
                                   _In_opt_z_ PCWSTR SourceString);

IRQL_HOST_END_DECLS

#endif
