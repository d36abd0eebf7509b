#ifndef CCURLSHIMS_H
#define CCURLSHIMS_H
#include <curl/curl.h>

// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call:
// one typed wrapper per argument kind.

/// curl_easy_setopt with a long argument.
CURLcode CCurlShims_setopt_long(CURL *_Nonnull handle, CURLoption option, long value);

#endif
