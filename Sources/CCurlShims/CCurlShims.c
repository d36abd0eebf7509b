#include "CCurlShims.h"

CURLcode CCurlShims_setopt_long(CURL *_Nonnull handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode CCurlShims_setopt_off_t(CURL *_Nonnull handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode CCurlShims_setopt_string(CURL *_Nonnull handle, CURLoption option, const char *_Nullable value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode CCurlShims_setopt_pointer(CURL *_Nonnull handle, CURLoption option, void *_Nullable value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode CCurlShims_setopt_slist(CURL *_Nonnull handle, CURLoption option, struct curl_slist *_Nullable value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode CCurlShims_setopt_data_callback(CURL *_Nonnull handle, CURLoption option, CCurlShims_data_callback _Nullable callback) {
    return curl_easy_setopt(handle, option, callback);
}

CURLcode CCurlShims_getinfo_long(CURL *_Nonnull handle, CURLINFO info, long *_Nonnull value) {
    return curl_easy_getinfo(handle, info, value);
}

CURLcode CCurlShims_getinfo_off_t(CURL *_Nonnull handle, CURLINFO info, curl_off_t *_Nonnull value) {
    return curl_easy_getinfo(handle, info, value);
}

CURLcode CCurlShims_setopt_hostkey_callback(CURL *_Nonnull handle, CCurlShims_hostkey_callback _Nullable callback) {
    return curl_easy_setopt(handle, CURLOPT_SSH_HOSTKEYFUNCTION, callback);
}

size_t CCurlShims_readfunc_abort(void) {
    return CURL_READFUNC_ABORT;
}
