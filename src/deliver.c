/* SPDX-License-Identifier: MIT */
/* deliver.c - placeholder; the owner replaces it. */
#include "deliver.h"
