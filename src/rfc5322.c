/* SPDX-License-Identifier: MIT */
/* rfc5322.c - placeholder; the owner replaces it. */
#include "rfc5322.h"
