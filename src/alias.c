/* SPDX-License-Identifier: MIT */
/* alias.c - placeholder; the owner replaces it. */
#include "alias.h"
