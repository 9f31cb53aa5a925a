/* SPDX-License-Identifier: MIT */
/* faultfs.c - placeholder for the LD_PRELOAD fault shim (spool owner). */
int	faultfs_placeholder;
