/* irql/ddi.h in C++: the role and helper forms of ddi_roles.c, compiled as C++. */
#include "ddi_roles.c"
