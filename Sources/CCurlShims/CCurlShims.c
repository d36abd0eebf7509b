#include "CCurlShims.h"

CURLcode CCurlShims_setopt_long(CURL *_Nonnull handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
