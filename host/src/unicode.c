/* Counted Unicode strings: RtlInitUnicodeString. */
#include "locks.h"

VOID RtlInitUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString)
{
    SIZE_T Bytes = 0;

    if (IrqlpCurrentThread()->Pcr.Irql > DISPATCH_LEVEL) {
        IrqlpWrongIrql("RtlInitUnicodeString", DestinationString, DISPATCH_LEVEL);
    }
    DestinationString->Buffer = (PWCH)SourceString;
    if (SourceString == NULL) {
        DestinationString->Length = DestinationString->MaximumLength = 0;
        return;
    }
    while (SourceString[Bytes / sizeof(WCHAR)] != 0 && Bytes < MAX_USTRING) {
        Bytes += sizeof(WCHAR);
    }
    if (Bytes > MAX_USTRING - 1u) {
        /* Longer than a UNICODE_STRING can describe: the WDK's clamped values. */
        DestinationString->Length = (USHORT)(MAX_USTRING - sizeof(WCHAR));
        DestinationString->MaximumLength = MAX_USTRING;
    } else {
        DestinationString->Length = (USHORT)Bytes;
        DestinationString->MaximumLength = (USHORT)(Bytes + sizeof(WCHAR));
    }
}
