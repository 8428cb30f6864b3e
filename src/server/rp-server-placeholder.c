/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Keeps the server library non-empty until the server lands. */
int rp_server_placeholder (void);
int rp_server_placeholder (void) { return 0; }
