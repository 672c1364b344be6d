/* Transition shim: tests written as `#include <criterion/criterion.h>` get the project's own
   harness (see irql_test.h for why it replaces Criterion). New tests include "irql_test.h". */
#include "../irql_test.h"
