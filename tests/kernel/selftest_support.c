/*
 * The self-test's report (DbgPrint and a result file a script can read without a kernel
 * debugger) and its system threads.
 */
#include "selftest.h"

#include <ntstrsafe.h>

static HANDLE ResultFile;
static ULONG Passed, Failed, Skipped;

static VOID Emit(PCSTR Format, va_list Arguments)
{
    CHAR Line[512];
    IO_STATUS_BLOCK Io;
    SIZE_T Length;

    if (!NT_SUCCESS(RtlStringCbVPrintfA(Line, sizeof(Line) - 1, Format, Arguments))) {
        RtlStringCbCopyA(Line, sizeof(Line) - 1, "IrqlSelfTest: (line too long)");
    }
    DbgPrint("%s\n", Line);
    if (ResultFile != NULL && NT_SUCCESS(RtlStringCbLengthA(Line, sizeof(Line) - 1, &Length))) {
        Line[Length] = '\n';
        ZwWriteFile(ResultFile, NULL, NULL, NULL, &Io, Line, (ULONG)Length + 1, NULL, NULL);
    }
}

static VOID Print(PCSTR Format, ...)
{
    va_list Arguments;
    va_start(Arguments, Format);
    Emit(Format, Arguments);
    va_end(Arguments);
}

/* Open the result file with Disposition (FILE_OVERWRITE_IF or FILE_OPEN_IF). */
static VOID Open(ULONG Disposition)
{
    UNICODE_STRING Path;
    OBJECT_ATTRIBUTES Attributes;
    IO_STATUS_BLOCK Io;

    RtlInitUnicodeString(&Path, L"\\??\\C:\\irql_selftest.txt");
    InitializeObjectAttributes(&Attributes, &Path, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL,
                               NULL);
    if (!NT_SUCCESS(ZwCreateFile(&ResultFile, FILE_APPEND_DATA | SYNCHRONIZE, &Attributes, &Io,
                                 NULL, FILE_ATTRIBUTE_NORMAL, FILE_SHARE_READ, Disposition,
                                 FILE_SYNCHRONOUS_IO_NONALERT, NULL, 0))) {
        ResultFile = NULL;
    }
}

VOID IrqlSelfTestStart(BOOLEAN Append)
{
    Open(Append ? FILE_OPEN_IF : FILE_OVERWRITE_IF);
    Passed = Failed = Skipped = 0;
}

/* "IrqlSelfTest: <What> <Format…>" (What: "FAIL <name>:" or "note"). */
static VOID PrintDetail(PCSTR What, PCSTR Format, va_list Arguments)
{
    CHAR Detail[256];
    if (!NT_SUCCESS(RtlStringCbVPrintfA(Detail, sizeof(Detail), Format, Arguments))) {
        Detail[0] = '\0';
    }
    Print("IrqlSelfTest: %s %s", What, Detail);
}

VOID IrqlSelfTestCheck(PCSTR Name, BOOLEAN Ok, PCSTR Format, ...)
{
    CHAR What[160];
    va_list Arguments;

    if (Ok) {
        Passed++;
        Print("IrqlSelfTest: ok %s", Name);
        return;
    }
    Failed++;
    RtlStringCbPrintfA(What, sizeof(What), "FAIL %s:", Name);
    va_start(Arguments, Format);
    PrintDetail(What, Format, Arguments);
    va_end(Arguments);
}

VOID IrqlSelfTestSkip(PCSTR Name, PCSTR Why)
{
    Skipped++;
    Print("IrqlSelfTest: skip %s: %s", Name, Why);
}

VOID IrqlSelfTestNote(PCSTR Format, ...)
{
    va_list Arguments;
    va_start(Arguments, Format);
    PrintDetail("note", Format, Arguments);
    va_end(Arguments);
}

VOID IrqlSelfTestFinish(PCSTR Phase)
{
    Print("IrqlSelfTest: %s: %lu ok, %lu failed, %lu skipped", Phase, (ULONG)Passed,
          (ULONG)Failed, (ULONG)Skipped);
    if (ResultFile != NULL) {
        ZwClose(ResultFile);
        ResultFile = NULL;
    }
    Passed = Failed = Skipped = 0;
}

#if defined(__x86_64__)
/* The exported routine, whatever the header makes of the name. */
extern PKTHREAD(NTAPI *__imp_KeGetCurrentThread)(VOID);
#endif

VOID IrqlSelfTestAdoptThread(VOID)
{
#if defined(__x86_64__)
    if (KeGetCurrentThread() == NULL) {
        __writegsqword(0x188, (ULONG64)__imp_KeGetCurrentThread());
    }
#endif
}

/* mingw-w64's PsThreadType declaration reads one level too deep: use the import slot. */
extern POBJECT_TYPE *__imp_PsThreadType;

NTSTATUS IrqlSelfTestStartThread(PKSTART_ROUTINE Routine, PVOID Context, PVOID *Thread)
{
    OBJECT_ATTRIBUTES Attributes;
    HANDLE Handle;
    NTSTATUS Status;

    *Thread = NULL;
    InitializeObjectAttributes(&Attributes, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    Status = PsCreateSystemThread(&Handle, THREAD_ALL_ACCESS, &Attributes, NULL, NULL, Routine,
                                  Context);
    if (!NT_SUCCESS(Status)) {
        return Status;
    }
    Status = ObReferenceObjectByHandle(Handle, SYNCHRONIZE, *__imp_PsThreadType, KernelMode,
                                       Thread, NULL);
    ZwClose(Handle);
    return Status;
}

NTSTATUS IrqlSelfTestJoinThread(PVOID Thread)
{
    LARGE_INTEGER Timeout;
    NTSTATUS Status;

    Timeout.QuadPart = -30 * 1000 * 1000 * 10LL; /* 30 s, relative */
    Status = KeWaitForSingleObject(Thread, Executive, KernelMode, FALSE, &Timeout);
    ObDereferenceObject(Thread);
    return Status == STATUS_SUCCESS ? STATUS_SUCCESS : STATUS_IO_TIMEOUT;
}

NTSTATUS IrqlSelfTestRunThreads(PKSTART_ROUTINE Routine, PVOID Context, ULONG Count)
{
    PVOID Threads[8];
    NTSTATUS Status = STATUS_SUCCESS;
    ULONG Started = 0;

    if (Count > RTL_NUMBER_OF(Threads)) {
        return STATUS_INVALID_PARAMETER;
    }
    while (Started < Count && NT_SUCCESS(Status)) {
        Status = IrqlSelfTestStartThread(Routine, Context, &Threads[Started]);
        Started += NT_SUCCESS(Status) ? 1 : 0;
    }
    for (ULONG i = 0; i < Started; i++) {
        NTSTATUS Joined = IrqlSelfTestJoinThread(Threads[i]);
        Status = NT_SUCCESS(Status) ? Joined : Status;
    }
    return Status;
}

NTSTATUS IrqlSelfTestRunThread(PKSTART_ROUTINE Routine, PVOID Context)
{
    return IrqlSelfTestRunThreads(Routine, Context, 1);
}
