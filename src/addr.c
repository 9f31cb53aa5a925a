/* SPDX-License-Identifier: MIT */
/* addr.c - placeholder; the owner replaces it. */
#include "addr.h"
