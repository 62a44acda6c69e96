/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Is a program statically linked?  LD_PRELOAD works through the dynamic
 * loader, so a static program never loads the handoff library: wsbench
 * attach says so before starting it rather than waiting for a handoff
 * that cannot come.
 */
#ifndef WS_ATTACH_ELF_STATIC_H
#define WS_ATTACH_ELF_STATIC_H

#include <stdbool.h>

/* An ELF executable without PT_INTERP (not a script, not unreadable). */
bool ws_elf_is_static(const char *path);

#endif /* WS_ATTACH_ELF_STATIC_H */
