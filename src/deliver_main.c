/* SPDX-License-Identifier: MIT */
/* deliver_main.c - placeholder; the owner replaces it. */
#include "err.h"
#include <stdio.h>
int main(void) { fputs("mailhop: delivery not yet built\n", stderr); return EX_SOFTWARE; }
