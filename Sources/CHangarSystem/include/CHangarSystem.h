#ifndef HANGAR_SYSTEM_H
#define HANGAR_SYSTEM_H
#include <sys/types.h>

/// Atomically exchanges two paths (Linux renameat2 RENAME_EXCHANGE).
/// Returns 0 on success, -1 with errno set otherwise (ENOSYS/EINVAL where unsupported).
int hangar_rename_exchange(const char *a, const char *b);

/// Opens a file for reading without following a final symlink. Returns fd or -1.
int hangar_open_nofollow(const char *path);

/// Creates a new file exclusively (O_CREAT|O_EXCL|O_NOFOLLOW|O_WRONLY|O_CLOEXEC). Returns fd or -1.
int hangar_create_exclusive(const char *path, mode_t mode);

/// Reopens an existing file for appending, without following a final symlink. Returns fd or -1.
int hangar_open_append(const char *path);

/// Opens (creating if absent) a durable upload session's file for appending, without
/// following a final symlink. Returns fd or -1.
int hangar_open_session(const char *path);

/// Opens a directory (O_RDONLY|O_DIRECTORY|O_CLOEXEC) for fsync. Returns fd or -1.
int hangar_open_directory(const char *path);

/// Flushes the whole filesystem holding the open file `fd` to disk (Linux syncfs; fsync
/// of `fd` elsewhere). Returns 0 on success, -1 with errno set otherwise.
int hangar_syncfs(int fd);

#endif
