/* SPDX-License-Identifier: MIT */
/* dsn.c - placeholder; the owner replaces it. */
#include "dsn.h"
