/* SPDX-License-Identifier: MIT */
/* secret.c - placeholder; the owner replaces it. */
#include "secret.h"
