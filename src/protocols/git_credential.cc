// Not written yet.
#include "result.h"
