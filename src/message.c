/* SPDX-License-Identifier: MIT */
/* message.c - placeholder; the owner replaces it. */
#include "message.h"
