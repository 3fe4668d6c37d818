// Not written yet.
#include "front.h"
