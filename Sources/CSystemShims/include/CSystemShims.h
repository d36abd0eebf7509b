#ifndef ARLINK_CSYSTEMSHIMS_H
#define ARLINK_CSYSTEMSHIMS_H

/// The `O_DIRECT` open flag of this platform, or 0 where there is none. Glibc's Swift module
/// leaves it out because it is only declared with `_GNU_SOURCE`.
int csystem_o_direct(void);

#endif
