/* SPDX-License-Identifier: MIT */
/* envelope.c - placeholder; the owner replaces it. */
#include "envelope.h"
