// SPDX-License-Identifier: GPL-2.0
/*
 * Is a program statically linked (elf_static.h)?
 */
#include <elf.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "elf_static.h"

/* Does the 64-bit ELF on @fd, header @eh, name an interpreter? */
static bool has_interp(int fd, const Elf64_Ehdr *eh)
{
	for (unsigned int i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;
		off_t off = (off_t)(eh->e_phoff + (uint64_t)i * eh->e_phentsize);

		if (pread(fd, &ph, sizeof(ph), off) != (ssize_t)sizeof(ph))
			return true;	/* unreadable: do not claim static */
		if (ph.p_type == PT_INTERP)
			return true;
	}
	return false;
}

bool ws_elf_is_static(const char *path)
{
	Elf64_Ehdr eh;
	bool st = false;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (pread(fd, &eh, sizeof(eh), 0) == (ssize_t)sizeof(eh) &&
	    !memcmp(eh.e_ident, ELFMAG, SELFMAG) &&
	    eh.e_ident[EI_CLASS] == ELFCLASS64 &&
	    eh.e_phentsize == sizeof(Elf64_Phdr))
		st = !has_interp(fd, &eh);
	close(fd);
	return st;
}
