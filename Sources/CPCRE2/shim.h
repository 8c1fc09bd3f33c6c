#ifndef KEYHAVEN_CPCRE2_SHIM_H
#define KEYHAVEN_CPCRE2_SHIM_H
/* pcre2.h needs a code unit width; the generic names (pcre2_compile, ...) are macros,
   so Swift calls the _8 symbols. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

static inline PCRE2_SIZE keyhaven_pcre2_unset(void) { return PCRE2_UNSET; }
#endif
