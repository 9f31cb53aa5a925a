/* SPDX-License-Identifier: MIT */
/* log.c - placeholder; the owner replaces it. */
#include "log.h"
