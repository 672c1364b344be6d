/*
 * The host's object manager: reference-counted objects (a hidden header before the body, as in
 * the kernel) and a kernel handle table. Thread objects use it; any other module that needs
 * ObReferenceObject / handles for its objects can create them here.
 */
#ifndef IRQLP_OBJECT_H
#define IRQLP_OBJECT_H

#include <wdm.h>

typedef struct _OBJECT_TYPE {
    const char *Name;              /* "Thread": names the type in reports */
    void (*Delete)(PVOID Object);  /* runs when the last reference goes; may be NULL */
} OBJECT_TYPE;

/* A zeroed object of Size bytes holding one reference, or NULL when out of memory. */
PVOID IrqlpObCreateObject(POBJECT_TYPE Type, SIZE_T Size);

/* A new kernel handle to Object, holding a reference of its own. */
NTSTATUS IrqlpObCreateHandle(PVOID Object, ACCESS_MASK GrantedAccess, PHANDLE Handle);

/* Driver Verifier's DDI compliance stop: 0xC4 with the rule's code in P1, P2 the address of a
   text describing the violated condition, P3 the object involved (the rule state). */
DECLSPEC_NORETURN void IrqlpDdiViolation(ULONG Rule, const char *Condition, const void *Object,
                                         const char *Routine);

#endif
