#ifndef CCURLSHIMS_H
#define CCURLSHIMS_H
#include <curl/curl.h>

// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call ("Variadic
// function is unavailable"): one typed wrapper per argument kind. Each wrapper only forwards.

/// curl_easy_setopt with a long argument (flags, timeouts, sizes).
CURLcode CCurlShims_setopt_long(CURL *_Nonnull handle, CURLoption option, long value);

/// curl_easy_setopt with a curl_off_t argument (CURLOPT_INFILESIZE_LARGE and other *_LARGE options).
CURLcode CCurlShims_setopt_off_t(CURL *_Nonnull handle, CURLoption option, curl_off_t value);

/// curl_easy_setopt with a C string (libcurl copies strings since 7.17, so it may be freed after).
CURLcode CCurlShims_setopt_string(CURL *_Nonnull handle, CURLoption option, const char *_Nullable value);

/// curl_easy_setopt with an opaque pointer (CURLOPT_READDATA, CURLOPT_WRITEDATA, CURLOPT_ERRORBUFFER).
CURLcode CCurlShims_setopt_pointer(CURL *_Nonnull handle, CURLoption option, void *_Nullable value);

/// curl_easy_setopt with a header or quote list (CURLOPT_HTTPHEADER, CURLOPT_QUOTE, CURLOPT_POSTQUOTE).
CURLcode CCurlShims_setopt_slist(CURL *_Nonnull handle, CURLoption option, struct curl_slist *_Nullable value);

/// The signature of CURLOPT_READFUNCTION and CURLOPT_WRITEFUNCTION callbacks.
typedef size_t (*CCurlShims_data_callback)(char *_Nonnull buffer, size_t size, size_t count, void *_Nullable userdata);

/// curl_easy_setopt with CURLOPT_READFUNCTION or CURLOPT_WRITEFUNCTION (a function pointer argument).
CURLcode CCurlShims_setopt_data_callback(CURL *_Nonnull handle, CURLoption option, CCurlShims_data_callback _Nullable callback);

/// curl_easy_getinfo for a long result (CURLINFO_RESPONSE_CODE, CURLINFO_OS_ERRNO...).
CURLcode CCurlShims_getinfo_long(CURL *_Nonnull handle, CURLINFO info, long *_Nonnull value);

/// curl_easy_getinfo for a curl_off_t result (CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, sizes, times in microseconds).
CURLcode CCurlShims_getinfo_off_t(CURL *_Nonnull handle, CURLINFO info, curl_off_t *_Nonnull value);

/// The signature of CURLOPT_SSH_HOSTKEYFUNCTION callbacks (libcurl 7.84+): sees the server's raw host key blob.
typedef int (*CCurlShims_hostkey_callback)(void *_Nullable clientp, int keytype, const char *_Nonnull key, size_t keylen);

/// curl_easy_setopt with CURLOPT_SSH_HOSTKEYFUNCTION.
CURLcode CCurlShims_setopt_hostkey_callback(CURL *_Nonnull handle, CCurlShims_hostkey_callback _Nullable callback);

/// The value of CURL_READFUNC_ABORT, a macro Swift does not import.
size_t CCurlShims_readfunc_abort(void);

#endif
