/* SPDX-License-Identifier: MIT */
/* spool.c - placeholder; the owner replaces it. */
#include "spool.h"
