/* SPDX-License-Identifier: MIT */
/* relay.c - placeholder; the owner replaces it. */
#include "relay.h"
