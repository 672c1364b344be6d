/*
 * string.h for the compile tests' MSVC mode (clang --target=x86_64-pc-windows-msvc
 * -ffreestanding). A real WDK build gets <string.h> from the kit's km/crt headers; there is no
 * Windows CRT here, and clang's freestanding headers do not include string.h, so this stands in
 * for the declarations the host kernel's headers use (wdm/memory.h: RtlCopyMemory & co.).
 * Only ever on the include path of the clang-cl / clang-msvc compile tests.
 */
#ifndef IRQL_TEST_MSVC_CRT_STRING_H
#define IRQL_TEST_MSVC_CRT_STRING_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

void *memcpy(void *Destination, const void *Source, size_t Size);
void *memmove(void *Destination, const void *Source, size_t Size);
void *memset(void *Destination, int Value, size_t Size);
int memcmp(const void *Left, const void *Right, size_t Size);
void *memchr(const void *Buffer, int Value, size_t Size);
size_t strlen(const char *String);
size_t strnlen(const char *String, size_t Maximum);
int strcmp(const char *Left, const char *Right);
int strncmp(const char *Left, const char *Right, size_t Size);
char *strcpy(char *Destination, const char *Source);
char *strncpy(char *Destination, const char *Source, size_t Size);
char *strchr(const char *String, int Character);
char *strrchr(const char *String, int Character);
char *strstr(const char *String, const char *Needle);

#ifdef __cplusplus
}
#endif

#endif
