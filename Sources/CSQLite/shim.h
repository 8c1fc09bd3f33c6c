#ifndef KEYHAVEN_CSQLITE_SHIM_H
#define KEYHAVEN_CSQLITE_SHIM_H
#include <sqlite3.h>
/* SQLITE_TRANSIENT and the extended result codes are macros built from casts and
   expressions; Swift does not import them. */
static inline sqlite3_destructor_type keyhaven_sqlite_transient(void) { return SQLITE_TRANSIENT; }
enum {
    KEYHAVEN_SQLITE_CONSTRAINT_UNIQUE = SQLITE_CONSTRAINT_UNIQUE,
    KEYHAVEN_SQLITE_CONSTRAINT_PRIMARYKEY = SQLITE_CONSTRAINT_PRIMARYKEY,
    KEYHAVEN_SQLITE_CONSTRAINT_FOREIGNKEY = SQLITE_CONSTRAINT_FOREIGNKEY,
};
#endif
