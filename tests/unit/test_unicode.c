/*
 * Counted Unicode strings on the host: u"…" literals (16-bit, like the WDK's WCHAR),
 * RtlInitUnicodeString, RTL_CONSTANT_STRING, DECLARE_CONST_UNICODE_STRING.
 */
#include "dispatcher_helpers.h"

#include <stdlib.h>
#include <string.h>

Test(unicode, wchar_is_16_bit_and_u_literals_match_it)
{
    cr_assert_eq(sizeof(WCHAR), 2);
    cr_assert_eq(sizeof(u"A"[0]), sizeof(WCHAR));
    PCWSTR Text = u"ab"; /* assignable without a cast: same type */
    cr_assert_eq(Text[0], 'a');
    cr_assert_eq(Text[2], 0);
}

Test(unicode, init_describes_the_string_without_copying)
{
    static const WCHAR Text[] = u"\\Device\\Demo";
    UNICODE_STRING S;
    RtlInitUnicodeString(&S, Text);
    cr_assert_eq(S.Length, 12 * sizeof(WCHAR), "bytes, without the NUL");
    cr_assert_eq(S.MaximumLength, 13 * sizeof(WCHAR), "with the NUL");
    cr_assert_eq(S.Buffer, (PWCH)Text);
}

Test(unicode, init_with_null_or_empty)
{
    UNICODE_STRING S;
    memset(&S, 0xAB, sizeof(S));
    RtlInitUnicodeString(&S, NULL);
    cr_assert_eq(S.Length, 0);
    cr_assert_eq(S.MaximumLength, 0);
    cr_assert_null(S.Buffer);
    RtlInitUnicodeString(&S, u"");
    cr_assert_eq(S.Length, 0);
    cr_assert_eq(S.MaximumLength, sizeof(WCHAR));
}

Test(unicode, init_clamps_a_string_too_long_to_describe)
{
    enum { CHARS = 40000 };
    PWCH Long = malloc((CHARS + 1) * sizeof(WCHAR));
    UNICODE_STRING S;
    for (int i = 0; i < CHARS; i++) {
        Long[i] = u'x';
    }
    Long[CHARS] = 0;
    RtlInitUnicodeString(&S, Long);
    cr_assert_eq(S.Length, MAX_USTRING - sizeof(WCHAR));
    cr_assert_eq(S.MaximumLength, MAX_USTRING);
    Long[32766] = 0; /* 65532 bytes: fits */
    RtlInitUnicodeString(&S, Long);
    cr_assert_eq(S.Length, 65532);
    cr_assert_eq(S.MaximumLength, 65534);
    free(Long);
}

static UNICODE_STRING Constant = RTL_CONSTANT_STRING(u"Constant");
DECLARE_CONST_UNICODE_STRING(Declared, u"Declared!");

Test(unicode, constant_strings)
{
    UNICODE_STRING Local = RTL_CONSTANT_STRING(u"ab");
    cr_assert_eq(Constant.Length, 8 * sizeof(WCHAR));
    cr_assert_eq(Constant.MaximumLength, 9 * sizeof(WCHAR));
    cr_assert_eq(Constant.Buffer[7], 't');
    cr_assert_eq(Declared.Length, 9 * sizeof(WCHAR));
    cr_assert_eq(Declared.MaximumLength, 10 * sizeof(WCHAR));
    cr_assert_eq(Declared.Buffer, Declared_buffer);
    cr_assert_eq(Local.Length, 4);
}

static VOID InitAtHigh(PVOID Context)
{
    RtlInitUnicodeString(Context, u"x");
}

Test(unicode, init_above_dispatch_level_bugchecks_c4_e5)
{
    UNICODE_STRING S;
    IRQL_HOST_BUGCHECK R = ExpectBugCheckAt(HIGH_LEVEL, InitAtHigh, &S,
                                            DRIVER_VERIFIER_DETECTED_VIOLATION, 0xE5);
    cr_assert_eq(R.Parameter[3], DISPATCH_LEVEL);
}
