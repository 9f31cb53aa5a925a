/* SPDX-License-Identifier: MIT */
/* fsio.c - placeholder; the owner replaces it. */
#include "fsio.h"
