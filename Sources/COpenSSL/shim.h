#ifndef KEYHAVEN_COPENSSL_SHIM_H
#define KEYHAVEN_COPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/bio.h>

/* Function-like macros do not import into Swift. */
static inline void keyhaven_OPENSSL_free(void *p) { OPENSSL_free(p); }
static inline void keyhaven_OPENSSL_cleanse(void *p, size_t n) { OPENSSL_cleanse(p, n); }
static inline long keyhaven_BIO_get_mem_data(BIO *b, char **pp) { return BIO_get_mem_data(b, pp); }
#endif
