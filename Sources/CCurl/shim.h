#ifndef KEYHAVEN_CCURL_SHIM_H
#define KEYHAVEN_CCURL_SHIM_H
#include <curl/curl.h>
/* curl_easy_setopt and curl_easy_getinfo are variadic (behind a type-checking macro):
   typed, non-variadic wrappers. */
static inline CURLcode keyhaven_curl_setopt_long(CURL *handle, CURLoption option, long value) { return curl_easy_setopt(handle, option, value); }
static inline CURLcode keyhaven_curl_setopt_string(CURL *handle, CURLoption option, const char *value) { return curl_easy_setopt(handle, option, value); }
static inline CURLcode keyhaven_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) { return curl_easy_setopt(handle, option, value); }
static inline CURLcode keyhaven_curl_setopt_list(CURL *handle, CURLoption option, struct curl_slist *value) { return curl_easy_setopt(handle, option, value); }
typedef size_t (*keyhaven_curl_io_callback)(char *buffer, size_t size, size_t count, void *context);
static inline CURLcode keyhaven_curl_setopt_callback(CURL *handle, CURLoption option, keyhaven_curl_io_callback value) { return curl_easy_setopt(handle, option, value); }
static inline CURLcode keyhaven_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) { return curl_easy_getinfo(handle, info, value); }
#endif
