#ifndef HANGAR_CLIBARCHIVE_SHIM_H
#define HANGAR_CLIBARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>
#endif
